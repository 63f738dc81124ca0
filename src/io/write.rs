//! Writing a region in the input format, so that generated or edited
//! regions can be read back, diffed and opened in any GIS.
//!
//! The GeoJSON is written by hand rather than through `geojson` types:
//! one feature per line keeps diffs readable, positions are rounded to
//! 6 decimals (about 0.1 m) so that files do not churn in the last digit,
//! and a two-million-zone region does not need a second copy in memory.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use geo::{LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use crate::model::{Region, School, Shape, Stage, Zone};

/// Properties written from the model's own fields; any entry of the same
/// name in `properties` (kept from an input file) is stale and not repeated.
const ZONE_FIELDS: [&str; 9] = [
    "id",
    "name",
    "county",
    "primary_local",
    "primary_migrant",
    "junior_local",
    "junior_migrant",
    "current_primary",
    "current_junior",
];
const SCHOOL_FIELDS: [&str; 11] = [
    "id",
    "name",
    "stage",
    "sector",
    "county",
    "classes_primary",
    "classes_junior",
    "enrolled_primary",
    "enrolled_junior",
    "capacity_primary",
    "capacity_junior",
];

/// Writes `zones.geojson` and `schools.geojson` of a region into `dir`,
/// creating it if needed. The same region always gives the same bytes.
pub fn write_region(region: &Region, dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    write_collection(&dir.join("zones.geojson"), &region.zones, |zone, out| {
        zone_feature(zone, &region.schools, out)
    })?;
    write_collection(
        &dir.join("schools.geojson"),
        &region.schools,
        school_feature,
    )
}

/// Writes a FeatureCollection through a temporary file renamed into place,
/// so that an interrupted run never leaves half a file under the real name.
pub fn write_collection<T>(
    path: &Path,
    items: &[T],
    feature: impl Fn(&T, &mut String),
) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        let mut line = String::with_capacity(1024);
        for (k, item) in items.iter().enumerate() {
            line.clear();
            feature(item, &mut line);
            if k + 1 < items.len() {
                line.push(',');
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"]}\n")?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    fs::rename(&tmp, path)
}

fn zone_feature(zone: &Zone, schools: &[School], out: &mut String) {
    let mut p = Map::new();
    p.insert("id".into(), zone.id.clone().into());
    p.insert("name".into(), zone.name.clone().into());
    if let Some(county) = &zone.county {
        p.insert("county".into(), county.clone().into());
    }
    for stage in Stage::ALL {
        let cohort = zone.cohort(stage);
        p.insert(format!("{}_local", stage.key()), cohort.local.into());
        p.insert(format!("{}_migrant", stage.key()), cohort.migrant.into());
    }
    for stage in Stage::ALL {
        if let Some(school) = zone.current[stage.index()].and_then(|s| schools.get(s)) {
            p.insert(format!("current_{}", stage.key()), school.id.clone().into());
        }
    }
    pass_through(&mut p, &zone.properties, &ZONE_FIELDS);
    begin_feature(out, &zone.id, &p);
    match &zone.shape {
        Shape::Point(point) => point_geometry(out, *point),
        Shape::Area(area) => area_geometry(out, area),
    }
    out.push('}');
}

fn school_feature(school: &School, out: &mut String) {
    let mut p = Map::new();
    p.insert("id".into(), school.id.clone().into());
    p.insert("name".into(), school.name.clone().into());
    p.insert("stage".into(), school.kind.key().into());
    p.insert("sector".into(), school.sector.key().into());
    if let Some(county) = &school.county {
        p.insert("county".into(), county.clone().into());
    }
    for stage in Stage::ALL {
        if !school.kind.teaches(stage) {
            continue;
        }
        let i = stage.index();
        if let Some(classes) = school.classes[i] {
            p.insert(format!("classes_{}", stage.key()), classes.into());
        }
        p.insert(
            format!("enrolled_{}", stage.key()),
            school.enrolled[i].into(),
        );
        if let Some(capacity) = school.capacity[i] {
            p.insert(format!("capacity_{}", stage.key()), capacity.into());
        }
    }
    pass_through(&mut p, &school.properties, &SCHOOL_FIELDS);
    begin_feature(out, &school.id, &p);
    point_geometry(out, school.location);
    out.push('}');
}

fn pass_through(p: &mut Map<String, Value>, kept: &Map<String, Value>, owned: &[&str]) {
    for (key, value) in kept {
        if !owned.contains(&key.as_str()) && !p.contains_key(key) {
            p.insert(key.clone(), value.clone());
        }
    }
}

/// `{"type":"Feature","id":..,"properties":{..},"geometry":` — serde_json
/// writes non-ASCII characters as they are, so names stay readable.
fn begin_feature(out: &mut String, id: &str, properties: &Map<String, Value>) {
    out.push_str("{\"type\":\"Feature\",\"id\":");
    out.push_str(&Value::from(id).to_string());
    out.push_str(",\"properties\":");
    out.push_str(&serde_json::to_string(properties).expect("JSON values serialize"));
    out.push_str(",\"geometry\":");
}

fn point_geometry(out: &mut String, point: Point<f64>) {
    out.push_str("{\"type\":\"Point\",\"coordinates\":");
    position(out, point.x(), point.y());
    out.push('}');
}

fn area_geometry(out: &mut String, area: &MultiPolygon<f64>) {
    if let [polygon] = area.0.as_slice() {
        out.push_str("{\"type\":\"Polygon\",\"coordinates\":");
        polygon_rings(out, polygon);
    } else {
        out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (k, polygon) in area.0.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            polygon_rings(out, polygon);
        }
        out.push(']');
    }
    out.push('}');
}

fn polygon_rings(out: &mut String, polygon: &Polygon<f64>) {
    out.push('[');
    ring(out, polygon.exterior());
    for interior in polygon.interiors() {
        out.push(',');
        ring(out, interior);
    }
    out.push(']');
}

/// A closed ring of rounded positions. Corners that rounding makes equal to
/// the previous one are dropped, unless that would leave fewer than the
/// four positions RFC 7946 requires.
fn ring(out: &mut String, line: &LineString<f64>) {
    let mut rounded: Vec<(f64, f64)> = line.0.iter().map(|c| (round6(c.x), round6(c.y))).collect();
    if rounded.first() != rounded.last()
        && let Some(&first) = rounded.first()
    {
        rounded.push(first);
    }
    let mut deduped = rounded.clone();
    deduped.dedup();
    let ring = if deduped.len() >= 4 { deduped } else { rounded };
    out.push('[');
    for (k, (x, y)) in ring.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        position(out, *x, *y);
    }
    out.push(']');
}

fn round6(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }
}

/// `[lon,lat]` with at most 6 decimals and no trailing zeros.
fn position(out: &mut String, x: f64, y: f64) {
    out.push('[');
    number(out, x);
    out.push(',');
    number(out, y);
    out.push(']');
}

fn number(out: &mut String, v: f64) {
    let v = round6(v);
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    out.push_str(if text == "-0" { "0" } else { text });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Params, generate};
    use crate::model::{Cohort, SchoolKind, Sector};

    #[test]
    fn numbers_are_rounded_and_trimmed() {
        let mut s = String::new();
        number(&mut s, 118.123_456_789);
        s.push(' ');
        number(&mut s, 31.5);
        s.push(' ');
        number(&mut s, -0.000_000_1);
        s.push(' ');
        number(&mut s, 120.0);
        assert_eq!(s, "118.123457 31.5 0 120");
    }

    #[test]
    fn round_trip_through_the_readers() {
        let region = generate(&Params {
            seed: 11,
            zones: 600,
            schools: 30,
            counties: 2,
        });
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("new").join("region");
        write_region(&region, &out).unwrap();
        let back = crate::io::read_region(&out.join("zones.geojson"), &out.join("schools.geojson"))
            .unwrap();
        assert_eq!(back.zones.len(), region.zones.len());
        assert_eq!(back.schools.len(), region.schools.len());
        for (a, b) in region.zones.iter().zip(&back.zones) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.name, b.name);
            assert_eq!(a.children, b.children);
            assert_eq!(a.current, b.current);
            assert_eq!(a.county, b.county);
            assert!((a.centroid.x() - b.centroid.x()).abs() < 1e-6);
            assert!((a.centroid.y() - b.centroid.y()).abs() < 1e-6);
        }
        for (a, b) in region.schools.iter().zip(&back.schools) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.name, b.name);
            assert_eq!(a.kind, b.kind);
            assert_eq!(a.sector, b.sector);
            assert_eq!(a.classes, b.classes);
            assert_eq!(a.enrolled, b.enrolled);
            assert_eq!(a.capacity, b.capacity);
            assert!((a.location.x() - b.location.x()).abs() <= 5e-7);
        }
        // Same region, same bytes; names as real characters.
        let first = fs::read(out.join("zones.geojson")).unwrap();
        write_region(&back, &out).unwrap();
        assert_eq!(first, fs::read(out.join("zones.geojson")).unwrap());
        let text = String::from_utf8(first).unwrap();
        assert!(!text.starts_with('\u{feff}'));
        assert!(!text.contains("\\u"));
        assert!(text.contains(&region.zones[0].name));
        assert_eq!(text.lines().count(), region.zones.len() + 2);
    }

    #[test]
    fn pass_through_keeps_extra_properties_and_drops_stale_ones() {
        let mut properties = Map::new();
        properties.insert("street".into(), "人民路".into());
        properties.insert("current_junior".into(), "J009".into());
        properties.insert("primary_local".into(), 99.into());
        let zone = Zone {
            id: "A".into(),
            name: "人民小区".into(),
            shape: Shape::Point(Point::new(118.0, 31.0)),
            centroid: Point::new(118.0, 31.0),
            children: [
                Cohort {
                    local: 3,
                    migrant: 1,
                },
                Cohort::default(),
            ],
            current: [None, None],
            special: [0, 0],
            county: None,
            properties,
        };
        let school = School {
            id: "S".into(),
            name: "实验小学".into(),
            location: Point::new(118.0, 31.0),
            kind: SchoolKind::Primary,
            sector: Sector::Public,
            county: None,
            classes: [Some(3), None],
            enrolled: [600, 0],
            capacity: [None, None],
            properties: Map::new(),
        };
        let mut line = String::new();
        zone_feature(&zone, std::slice::from_ref(&school), &mut line);
        assert!(line.contains("\"street\":\"人民路\""));
        assert!(line.contains("\"primary_local\":3"));
        assert!(!line.contains("J009"));
        line.clear();
        school_feature(&school, &mut line);
        assert!(line.contains("\"classes_primary\":3"));
        assert!(!line.contains("junior"));
    }
}
