//! Catchments as areas: each school's zones dissolved into one (multi)polygon.
//!
//! Rings are oriented first (exterior counter-clockwise) because the union
//! reads the fill rule from the winding, and real files mix windings. Holes
//! far smaller than a zone are gaps between neighbouring zones in the source
//! data, not enclaves, and are closed so that the published map has no
//! spurious holes.

use std::io::Write;

use geo::orient::{Direction, Orient};
use geo::{Area, LineString, MultiPoint, MultiPolygon, Point, Polygon, unary_union};
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::colors::hex;
use super::zones::{feature_json, write_collection};
use crate::model::{Region, Shape, Stage};
use crate::plan::{Plan, SchoolFigures};
use crate::policy::Policy;

/// One school's catchment for one stage.
#[derive(Clone, Debug)]
pub struct Catchment {
    pub figures: SchoolFigures,
    pub zones: Vec<usize>,
    /// The union of the zones given as polygons.
    pub area: MultiPolygon<f64>,
    /// Zones given only as points.
    pub points: Vec<Point<f64>>,
    /// Polsby-Popper compactness, 4 pi area / perimeter^2: 1 for a disc,
    /// near 0 for a tendril. None for catchments of point zones.
    pub polsby_popper: Option<f64>,
}

/// Polsby-Popper of an area, measured in metres on a local equirectangular
/// projection (at catchment scale the distortion is negligible).
pub fn polsby_popper(mp: &MultiPolygon<f64>) -> Option<f64> {
    use geo::{Euclidean, Length, MapCoords};
    let first = mp.0.first()?.exterior().0.first()?;
    let (lat0, lon0) = (first.y, first.x);
    let kx = lat0.to_radians().cos() * 111_320.0;
    let ky = 110_574.0;
    let metric: MultiPolygon<f64> =
        mp.map_coords(|c| geo::coord! { x: (c.x - lon0) * kx, y: (c.y - lat0) * ky });
    let area = metric.unsigned_area();
    let perimeter: f64 = metric
        .iter()
        .map(|p| {
            Euclidean.length(p.exterior())
                + p.interiors()
                    .iter()
                    .map(|r| Euclidean.length(r))
                    .sum::<f64>()
        })
        .sum();
    (perimeter > 0.0).then(|| 4.0 * std::f64::consts::PI * area / (perimeter * perimeter))
}

/// Dissolves the catchments of a stage (schools with at least one zone).
pub fn dissolve(region: &Region, policy: &Policy, plan: &Plan, stage: Stage) -> Vec<Catchment> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); region.schools.len()];
    for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
        if let Some(s) = zp.school {
            members[s as usize].push(z);
        }
    }
    let min_hole = 0.05 * median_zone_area(region);
    plan.school_figures(region, policy, stage)
        .into_par_iter()
        .filter(|f| !members[f.school].is_empty())
        .map(|figures| {
            let zones = members[figures.school].clone();
            let mut polygons: Vec<Polygon<f64>> = Vec::new();
            let mut points = Vec::new();
            for &z in &zones {
                match &region.zones[z].shape {
                    Shape::Area(mp) => {
                        polygons.extend(mp.iter().map(|p| p.orient(Direction::Default)))
                    }
                    Shape::Point(p) => points.push(*p),
                }
            }
            let area = close_small_holes(unary_union(polygons.iter()), min_hole);
            Catchment {
                figures,
                zones,
                polsby_popper: polsby_popper(&area),
                area,
                points,
            }
        })
        .collect()
}

fn median_zone_area(region: &Region) -> f64 {
    let mut areas: Vec<f64> = region
        .zones
        .iter()
        .filter_map(|z| match &z.shape {
            Shape::Area(mp) => Some(mp.unsigned_area()),
            Shape::Point(_) => None,
        })
        .collect();
    if areas.is_empty() {
        return 0.0;
    }
    let mid = areas.len() / 2;
    *areas.select_nth_unstable_by(mid, f64::total_cmp).1
}

fn close_small_holes(mp: MultiPolygon<f64>, min_area: f64) -> MultiPolygon<f64> {
    MultiPolygon::new(
        mp.into_iter()
            .map(|p| {
                let (exterior, interiors) = p.into_inner();
                let kept: Vec<LineString<f64>> = interiors
                    .into_iter()
                    .filter(|ring| Polygon::new(ring.clone(), vec![]).unsigned_area() >= min_area)
                    .collect();
                Polygon::new(exterior, kept)
            })
            .collect(),
    )
}

/// Rounds to 1e-7 degrees (about a centimetre): the union's arithmetic adds
/// digits that carry no information.
fn rounded(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| geo::coord! { x: (c.x * 1e7).round() / 1e7, y: (c.y * 1e7).round() / 1e7 })
}

pub fn write(
    w: &mut dyn Write,
    region: &Region,
    catchments: &[Vec<Catchment>; 2],
    colors: &[Vec<[u8; 3]>; 2],
    crs: crate::spatial::Crs,
) -> std::io::Result<()> {
    let mut features = Vec::new();
    for stage in Stage::ALL {
        for c in &catchments[stage.index()] {
            let f = &c.figures;
            let school = &region.schools[f.school];
            let mut p = Map::new();
            p.insert("stage".into(), stage.key().into());
            p.insert("school_id".into(), school.id.clone().into());
            p.insert("school_name".into(), school.name.clone().into());
            p.insert("kind".into(), school.kind.key().into());
            if let Some(county) = &school.county {
                p.insert("county".into(), county.clone().into());
            }
            p.insert("zones".into(), c.zones.len().into());
            p.insert("intake".into(), f.intake.into());
            p.insert("migrant".into(), f.migrant.into());
            p.insert("seats".into(), f.seats.into());
            p.insert("utilization".into(), round3(f.utilization()));
            p.insert("classes".into(), f.classes.opened.into());
            p.insert("largest_class".into(), f.classes.largest.into());
            p.insert("school_total".into(), f.school_total.into());
            p.insert("school_limit".into(), f.school_limit.into());
            p.insert("mean_km".into(), round3(f.mean_km));
            p.insert("max_km".into(), round3(f.max_km));
            p.insert("color".into(), hex(colors[stage.index()][f.school]).into());
            p.insert(
                "polsby_popper".into(),
                c.polsby_popper.map_or(Value::Null, round3),
            );
            let mut geometry = if !c.area.0.is_empty() {
                geojson::GeometryValue::from(&rounded(&c.area))
            } else {
                geojson::GeometryValue::from(&MultiPoint::new(c.points.clone()))
            };
            crs.geometry_from_wgs84(&mut geometry);
            features.push(feature_json(geometry, p));
        }
    }
    write_collection(w, &features)
}

pub fn round3(x: f64) -> Value {
    serde_json::Number::from_f64((x * 1000.0).round() / 1000.0).map_or(Value::Null, Value::Number)
}
