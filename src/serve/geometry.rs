//! The map's shapes as the browser draws them: every zone once (sent when
//! the page opens and never again), and each catchment's outline, kept per
//! school so that a re-optimization recomputes and sends only the outlines
//! of the catchments it changed.
//!
//! Everything is computed in WGS84 and every position is converted on the
//! way out to the coordinate system the page draws in: the basemap's
//! (GCJ-02 on Amap's streets), WGS84 without one.

use geo::orient::{Direction, Orient};
use geo::{InteriorPoint, LineString, MultiPolygon, Point, Polygon, unary_union};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::model::{Region, Shape, Stage};
use crate::plan::Plan;
use crate::spatial::Crs;

/// Coordinates are sent to 6 decimals (about 0.1 m): finer digits only make
/// the first download longer.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A WGS84 position as the page draws it: in `crs`, to 6 decimals.
pub fn position(x: f64, y: f64, crs: Crs) -> Value {
    let (x, y) = crs.from_wgs84(x, y);
    json!([round6(x), round6(y)])
}

fn ring(line: &LineString<f64>, crs: Crs) -> Value {
    Value::Array(line.0.iter().map(|c| position(c.x, c.y, crs)).collect())
}

fn polygon(p: &Polygon<f64>, crs: Crs) -> Value {
    let mut rings = vec![ring(p.exterior(), crs)];
    rings.extend(p.interiors().iter().map(|r| ring(r, crs)));
    Value::Array(rings)
}

/// A GeoJSON geometry object for a multipolygon (a Polygon when it has one
/// part, as most zones do, which keeps the download smaller).
pub fn multipolygon(mp: &MultiPolygon<f64>, crs: Crs) -> Value {
    if mp.0.len() == 1 {
        json!({"type": "Polygon", "coordinates": polygon(&mp.0[0], crs)})
    } else {
        json!({
            "type": "MultiPolygon",
            "coordinates": mp.0.iter().map(|p| polygon(p, crs)).collect::<Vec<_>>(),
        })
    }
}

fn point(p: Point<f64>, crs: Crs) -> Value {
    position(p.x(), p.y(), crs)
}

/// `GET /api/zones`: a FeatureCollection in zone order (a zone's position is
/// its index in `/api/plan`). Properties: `id`, `name`, `county`, the
/// children as `[primary local, primary migrant, junior local, junior
/// migrant]`, the centroid distances are measured from (`centroid`) and a
/// point surely inside the zone (`inside`), where a click lands on it.
pub fn zones_geojson(region: &Region, crs: Crs) -> Vec<u8> {
    let features: Vec<Value> = region
        .zones
        .par_iter()
        .enumerate()
        .map(|(i, z)| {
            let (geometry, inside) = match &z.shape {
                Shape::Area(mp) => (
                    multipolygon(mp, crs),
                    mp.interior_point().unwrap_or(z.centroid),
                ),
                Shape::Point(p) => (json!({"type": "Point", "coordinates": point(*p, crs)}), *p),
            };
            let [p, j] = z.children;
            json!({
                "type": "Feature",
                "id": i,
                "properties": {
                    "id": z.id,
                    "name": z.name,
                    "county": z.county,
                    "children": [p.local, p.migrant, j.local, j.migrant],
                    "centroid": point(z.centroid, crs),
                    "inside": point(inside, crs),
                },
                "geometry": geometry,
            })
        })
        .collect();
    let collection = json!({"type": "FeatureCollection", "features": features});
    serde_json::to_vec(&collection).expect("JSON values serialize")
}

/// Each school's catchment outline per stage, for the plan last given to
/// [`Outlines::update`].
pub struct Outlines {
    /// Zones of each school's catchment, per stage (ascending).
    members: [Vec<Vec<u32>>; 2],
    /// The dissolved outline per school and stage (None: no area zones).
    shapes: [Vec<Option<Value>>; 2],
    /// The system the outlines are sent in.
    crs: Crs,
}

impl Outlines {
    pub fn new(region: &Region, crs: Crs) -> Outlines {
        let n = region.schools.len();
        Outlines {
            crs,
            members: [vec![Vec::new(); n], vec![Vec::new(); n]],
            shapes: [vec![None; n], vec![None; n]],
        }
    }

    /// Brings the outlines up to `plan` and returns, per stage, the schools
    /// whose catchment changed (ascending): only those are dissolved again.
    pub fn update(&mut self, region: &Region, plan: &Plan) -> [Vec<usize>; 2] {
        Stage::ALL.map(|stage| {
            let st = stage.index();
            let mut members = vec![Vec::new(); region.schools.len()];
            for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
                if let Some(s) = zp.school {
                    members[s as usize].push(z as u32);
                }
            }
            let changed: Vec<usize> = (0..members.len())
                .filter(|&s| members[s] != self.members[st][s])
                .collect();
            let shapes: Vec<Option<Value>> = changed
                .par_iter()
                .map(|&s| dissolve(region, &members[s], self.crs))
                .collect();
            for (&s, shape) in changed.iter().zip(shapes) {
                self.shapes[st][s] = shape;
            }
            self.members[st] = members;
            changed
        })
    }

    /// The outline of a school's catchment (None: none drawn).
    pub fn get(&self, stage: Stage, school: usize) -> Option<&Value> {
        self.shapes[stage.index()][school].as_ref()
    }

    /// Every outline of a stage as a FeatureCollection; each feature's `id`
    /// is the school's index.
    pub fn collection(&self, stage: Stage) -> Value {
        let features: Vec<Value> = self.shapes[stage.index()]
            .iter()
            .enumerate()
            .filter_map(|(s, g)| g.as_ref().map(|g| feature(s, g)))
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}

/// Today's catchments (the zones' `current_*` school) of a stage as a
/// FeatureCollection of outlines, feature `id` = school index: the overlay
/// officers compare the plan with.
pub fn today_outlines(region: &Region, stage: Stage, crs: Crs) -> Value {
    let mut members = vec![Vec::new(); region.schools.len()];
    for (z, zone) in region.zones.iter().enumerate() {
        if let Some(s) = zone.current[stage.index()] {
            members[s].push(z as u32);
        }
    }
    let features: Vec<Value> = members
        .par_iter()
        .enumerate()
        .filter_map(|(s, zones)| dissolve(region, zones, crs).map(|g| feature(s, &g)))
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

pub fn feature(school: usize, geometry: &Value) -> Value {
    json!({"type": "Feature", "id": school, "properties": {}, "geometry": geometry})
}

/// The union of a catchment's zones (rings oriented first: the union reads
/// the fill rule from the winding, and real files mix windings).
fn dissolve(region: &Region, zones: &[u32], crs: Crs) -> Option<Value> {
    let polygons: Vec<Polygon<f64>> = zones
        .iter()
        .filter_map(|&z| match &region.zones[z as usize].shape {
            Shape::Area(mp) => Some(mp.iter().map(|p| p.orient(Direction::Default))),
            Shape::Point(_) => None,
        })
        .flatten()
        .collect();
    if polygons.is_empty() {
        return None;
    }
    let union = unary_union(polygons.iter());
    (!union.0.is_empty()).then(|| multipolygon(&union, crs))
}
