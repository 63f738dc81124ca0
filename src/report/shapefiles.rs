//! Shapefiles of the zones and catchments (`--formats geojson,shp`) for
//! offices on ArcGIS: `.shp`, `.shx`, `.dbf` (UTF-8, said by a `.cpg`) and
//! a `.prj`. A `.dbf` field name holds at most 10 bytes, so the fields get
//! short names (the README lists them). A shapefile holds one kind of
//! shape: zones or catchments given only as points go to a second file
//! (`zones-points.shp`), so that none is left out.

use std::path::Path;

use dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
use geo::{MultiPolygon, Point};
use shapefile::{Multipoint, Polygon, PolygonRing};

use super::{Catchment, OutputDir, ReportError};
use crate::model::{Region, Shape, Stage};
use crate::plan::Plan;
use crate::spatial::Crs;

/// WGS84 as ArcGIS writes it. GCJ-02 and BD-09 have no WKT of their own;
/// their files carry this one too (they are degrees on the same datum,
/// shifted), and the README says so.
const WGS84_PRJ: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// A value of a `.dbf` field.
enum Cell {
    Text(String),
    Number(f64),
}

/// The geometry of one row.
enum Geometry {
    Area(MultiPolygon<f64>),
    Points(Vec<Point<f64>>),
}

/// One layer: short field names (numeric ones with their decimals) and
/// its rows.
struct Layer {
    fields: Vec<(&'static str, Option<u8>)>,
    rows: Vec<(Geometry, Vec<Cell>)>,
}

/// The zones with their schools per stage (`zones.shp`).
pub fn write_zones(
    out: &OutputDir,
    region: &Region,
    plan: &Plan,
    crs: Crs,
) -> Result<(), ReportError> {
    let fields = vec![
        ("ID", None),
        ("NAME", None),
        ("COUNTY", None),
        ("SCHOOL_PRI", None),
        ("SCHOOL_JUN", None),
        ("KM_PRI", Some(3)),
        ("KM_JUN", Some(3)),
        ("UNPL_PRI", Some(0)),
        ("UNPL_JUN", Some(0)),
        ("LOCAL_PRI", Some(0)),
        ("MIGR_PRI", Some(0)),
        ("LOCAL_JUN", Some(0)),
        ("MIGR_JUN", Some(0)),
    ];
    let rows = region
        .zones
        .iter()
        .enumerate()
        .map(|(z, zone)| {
            let mut cells = vec![
                Cell::Text(zone.id.clone()),
                Cell::Text(zone.name.clone()),
                Cell::Text(zone.county.clone().unwrap_or_default()),
            ];
            let stages = Stage::ALL.map(|stage| &plan.stage(stage).zones[z]);
            for zp in stages {
                let school = zp.school.map(|s| region.schools[s as usize].id.clone());
                cells.push(Cell::Text(school.unwrap_or_default()));
            }
            for zp in stages {
                let metres = zp.road_metres(region, z);
                cells.push(Cell::Number(metres.map_or(0.0, |m| m as f64 / 1000.0)));
            }
            for zp in stages {
                cells.push(Cell::Number(f64::from(zp.unplaced)));
            }
            for stage in Stage::ALL {
                let c = zone.children[stage.index()];
                cells.push(Cell::Number(f64::from(c.local)));
                cells.push(Cell::Number(f64::from(c.migrant)));
            }
            let geometry = match &zone.shape {
                Shape::Area(mp) => Geometry::Area(mp.clone()),
                Shape::Point(p) => Geometry::Points(vec![*p]),
            };
            (geometry, cells)
        })
        .collect();
    write_layer(out, "zones", Layer { fields, rows }, crs)
}

/// One row per school and stage with its catchment (`catchments.shp`).
pub fn write_catchments(
    out: &OutputDir,
    region: &Region,
    catchments: &[Vec<Catchment>; 2],
    crs: Crs,
) -> Result<(), ReportError> {
    let fields = vec![
        ("STAGE", None),
        ("SCHOOL_ID", None),
        ("SCHOOL", None),
        ("COUNTY", None),
        ("ZONES", Some(0)),
        ("INTAKE", Some(0)),
        ("MIGRANT", Some(0)),
        ("SEATS", Some(0)),
        ("UTIL", Some(3)),
        ("CLASSES", Some(0)),
        ("MAX_CLASS", Some(0)),
        ("SCH_TOTAL", Some(0)),
        ("SCH_LIMIT", Some(0)),
        ("MEAN_KM", Some(3)),
        ("MAX_KM", Some(3)),
    ];
    let mut rows = Vec::new();
    for stage in Stage::ALL {
        for c in &catchments[stage.index()] {
            let f = &c.figures;
            let school = &region.schools[f.school];
            let cells = vec![
                Cell::Text(stage.key().into()),
                Cell::Text(school.id.clone()),
                Cell::Text(school.name.clone()),
                Cell::Text(school.county.clone().unwrap_or_default()),
                Cell::Number(c.zones.len() as f64),
                Cell::Number(f64::from(f.intake)),
                Cell::Number(f64::from(f.migrant)),
                Cell::Number(f64::from(f.seats)),
                Cell::Number(f.utilization()),
                Cell::Number(f64::from(f.classes.opened)),
                Cell::Number(f64::from(f.classes.largest)),
                Cell::Number(f64::from(f.school_total)),
                Cell::Number(f64::from(f.school_limit)),
                Cell::Number(f.mean_km),
                Cell::Number(f.max_km),
            ];
            let geometry = if c.area.0.is_empty() {
                Geometry::Points(c.points.clone())
            } else {
                Geometry::Area(c.area.clone())
            };
            rows.push((geometry, cells));
        }
    }
    write_layer(out, "catchments", Layer { fields, rows }, crs)
}

/// Writes `stem.shp` for the rows with areas and `stem-points.shp` for
/// those with points only, each file where it has rows.
fn write_layer(out: &OutputDir, stem: &str, layer: Layer, crs: Crs) -> Result<(), ReportError> {
    let (areas, points): (Vec<_>, Vec<_>) = layer
        .rows
        .into_iter()
        .partition(|(g, _)| matches!(g, Geometry::Area(_)));
    let all_points = areas.is_empty();
    for (rows, name) in [
        (areas, stem.to_string()),
        (points, format!("{stem}-points")),
    ] {
        if rows.is_empty() {
            continue;
        }
        let name = if all_points { stem.to_string() } else { name };
        write_file(out, &name, &layer.fields, rows, crs)?;
    }
    Ok(())
}

fn write_file(
    out: &OutputDir,
    name: &str,
    fields: &[(&'static str, Option<u8>)],
    rows: Vec<(Geometry, Vec<Cell>)>,
    crs: Crs,
) -> Result<(), ReportError> {
    let path = out.path(&format!("{name}.shp"));
    let failed = |e: String| ReportError::io(&path, std::io::Error::other(e));
    let mut builder = TableWriterBuilder::with_encoding(dbase::Unicode);
    for (i, (field, decimals)) in fields.iter().enumerate() {
        let field_name = FieldName::try_from(*field).expect("field names are at most 10 bytes");
        builder = match decimals {
            Some(d) => builder.add_numeric_field(field_name, 18, *d),
            None => {
                let widest = rows
                    .iter()
                    .map(|(_, cells)| match &cells[i] {
                        Cell::Text(t) => t.len(),
                        Cell::Number(_) => 0,
                    })
                    .max()
                    .unwrap_or(0);
                builder.add_character_field(field_name, widest.clamp(1, 254) as u8)
            }
        };
    }
    let mut writer =
        shapefile::Writer::from_path(&path, builder).map_err(|e| failed(e.to_string()))?;
    for (geometry, cells) in rows {
        let mut record = Record::default();
        for ((field, _), cell) in fields.iter().zip(cells) {
            let value = match cell {
                Cell::Text(t) => FieldValue::Character(Some(truncated(t, 254))),
                Cell::Number(x) => FieldValue::Numeric(Some(x)),
            };
            record.insert(field.to_string(), value);
        }
        let result = match geometry {
            Geometry::Area(mut mp) => {
                crs.geo_from_wgs84(&mut mp);
                writer.write_shape_and_record(&polygon(&mp), &record)
            }
            Geometry::Points(mut points) => {
                for p in &mut points {
                    crs.geo_from_wgs84(p);
                }
                let points = points
                    .iter()
                    .map(|p| shapefile::Point::new(p.x(), p.y()))
                    .collect();
                writer.write_shape_and_record(&Multipoint::new(points), &record)
            }
        };
        result.map_err(|e| failed(e.to_string()))?;
    }
    drop(writer);
    for (extension, text) in [("cpg", "UTF-8"), ("prj", WGS84_PRJ)] {
        let sidecar = Path::new(name).with_extension(extension);
        let file = sidecar.to_string_lossy();
        out.write(&file, |w| w.write_all(text.as_bytes()))?;
    }
    Ok(())
}

/// Text cut to at most `max` bytes at a character boundary.
fn truncated(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

fn polygon(mp: &MultiPolygon<f64>) -> Polygon {
    let points = |ring: &geo::LineString<f64>| -> Vec<shapefile::Point> {
        ring.coords()
            .map(|c| shapefile::Point::new(c.x, c.y))
            .collect()
    };
    let mut rings = Vec::new();
    for p in &mp.0 {
        rings.push(PolygonRing::Outer(points(p.exterior())));
        rings.extend(p.interiors().iter().map(|r| PolygonRing::Inner(points(r))));
    }
    Polygon::with_rings(rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        assert_eq!(truncated("学校".into(), 4), "学");
        assert_eq!(truncated("ab".into(), 4), "ab");
    }
}
