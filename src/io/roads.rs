//! Road layers: GeoJSON LineString or MultiLineString features (the
//! bureau's own roads, or drawn by hand) with optional OpenStreetMap-style
//! properties `highway`, `oneway`, `foot`, `access`, `junction`, `bridge`,
//! `tunnel` and `speed_kmh`, as GeoJSON or as a shapefile of polylines
//! (the planning bureau's layer, attributes in its `.dbf`); or
//! OpenStreetMap `.osm.pbf` extracts. Each becomes a list of [`Way`]s, the
//! one input of the network builder.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Coord, Rect};
use geojson::GeometryValue;
use serde_json::Value;

use super::InputError;
use super::columns::{Columns, ROAD_KEYS, apply_mapped};
use super::features::{FeatureReader, Loaded, describe, read_collection};
use super::osm_pbf::read_osm_ways;
use crate::spatial::roads::Way;

/// The ways of a roads file, by its extension: `.pbf` is an OpenStreetMap
/// extract (only ways within `clip` are kept), `.shp` a shapefile,
/// anything else GeoJSON. `columns`: the scenario's names for the tags
/// (`[columns.roads] highway = "DLDJ"`); an extract's tags are
/// OpenStreetMap's own, so a mapping for them is refused.
pub fn read_ways(path: &Path, clip: Rect<f64>, columns: &Columns) -> Result<Vec<Way>, InputError> {
    match path.extension().and_then(|e| e.to_str()) {
        _ if is_extract(path) => {
            if let Some(key) = columns.own.first() {
                return Err(InputError::Roads {
                    path: path.to_path_buf(),
                    message: format!(
                        "[columns.roads] maps `{key}`, but an OpenStreetMap extract's tags have OpenStreetMap's names; remove [columns.roads] for this file"
                    ),
                });
            }
            read_osm_extract(path, clip)
        }
        Some(e) if e.eq_ignore_ascii_case("shp") => {
            ways_of(path, super::shapefiles::read(path)?, columns)
        }
        _ => read_geojson_ways(path, columns),
    }
}

/// Whether the file is an OpenStreetMap extract (`.pbf`), the one kind of
/// roads file read only within the zones' area.
pub fn is_extract(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pbf"))
}

fn read_osm_extract(path: &Path, clip: Rect<f64>) -> Result<Vec<Way>, InputError> {
    Ok(read_osm_ways(path, clip)?
        .into_iter()
        .map(|w| Way {
            coords: w.coords,
            node_ids: Some(w.node_ids),
            tags: w.tags,
        })
        .collect())
}

/// The ways of a GeoJSON road layer.
fn read_geojson_ways(path: &Path, columns: &Columns) -> Result<Vec<Way>, InputError> {
    let features = read_collection(path, "road (a LineString or MultiLineString feature)")?;
    ways_of(path, Loaded::indexed(features), columns)
}

/// The ways of a road layer's features, its columns renamed to our keys,
/// each error naming its feature or record.
fn ways_of(path: &Path, mut loaded: Loaded, columns: &Columns) -> Result<Vec<Way>, InputError> {
    apply_mapped(path, &mut loaded, columns)?;
    let mut ways = Vec::with_capacity(loaded.features.len());
    for (mut feature, place) in loaded.features.into_iter().zip(loaded.places) {
        let f = FeatureReader::new(path, place, &mut feature);
        const EXPECTED: &str = "a LineString or MultiLineString of the road";
        let Some(value) = feature.geometry.as_ref().map(|g| &g.value) else {
            return Err(f.error("geometry", "missing", EXPECTED));
        };
        f.check_coordinates(value)?;
        let lines: Vec<&Vec<geojson::Position>> = match value {
            GeometryValue::LineString { coordinates } => vec![coordinates],
            GeometryValue::MultiLineString { coordinates } => coordinates.iter().collect(),
            other => return Err(f.error("geometry", format!("a {}", other.type_name()), EXPECTED)),
        };
        let tags = tags_of(&f)?;
        for line in lines {
            if line.len() < 2 {
                return Err(f.error(
                    "geometry.coordinates",
                    format!("a line of {} position(s)", line.len()),
                    "at least two positions",
                ));
            }
            ways.push(Way {
                coords: line
                    .iter()
                    .map(|p| Coord {
                        x: p.as_slice()[0],
                        y: p.as_slice()[1],
                    })
                    .collect(),
                node_ids: None,
                tags: tags.clone(),
            });
        }
    }
    Ok(ways)
}

/// The known properties as OpenStreetMap tags: `true`/`false` become
/// `yes`/`no`, numbers their decimal text.
fn tags_of(f: &FeatureReader) -> Result<BTreeMap<String, String>, InputError> {
    let mut tags = BTreeMap::new();
    for &key in ROAD_KEYS {
        let text = match f.properties.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(f.error(key, describe(Some(other)), "a string, number or true/false"));
            }
        };
        tags.insert(key.to_string(), text);
    }
    if let Some(speed) = tags.get("speed_kmh")
        && !speed.parse::<f64>().is_ok_and(|v| v.is_finite() && v > 0.0)
    {
        return Err(f.error("speed_kmh", speed.clone(), "a speed in km/h above 0"));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::Builder::new()
            .suffix(".geojson")
            .tempfile()
            .unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    fn world() -> Rect<f64> {
        Rect::new(
            Coord {
                x: -180.0,
                y: -90.0,
            },
            Coord { x: 180.0, y: 90.0 },
        )
    }

    #[test]
    fn lines_become_ways_with_their_tags() {
        let f = file(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"highway":"residential","oneway":true,"speed_kmh":30,"name":"x"},
             "geometry":{"type":"LineString","coordinates":[[120,30],[120.01,30]]}},
            {"type":"Feature","properties":null,
             "geometry":{"type":"MultiLineString","coordinates":[[[120,30],[120,30.01]],[[121,30],[121,30.01]]]}}]}"#,
        );
        let ways = read_ways(f.path(), world(), &Columns::default()).unwrap();
        assert_eq!(ways.len(), 3);
        assert_eq!(ways[0].tags["oneway"], "yes");
        assert_eq!(ways[0].tags["speed_kmh"], "30");
        assert!(!ways[0].tags.contains_key("name"));
        assert!(ways[1].tags.is_empty());
    }

    /// The planning bureau's road layer as a shapefile of polylines: the
    /// same ways and tags as the GeoJSON.
    #[test]
    fn a_shapefile_of_polylines_gives_ways_with_their_tags() {
        use dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
        use shapefile::{Point, Polyline};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roads.shp");
        let builder = TableWriterBuilder::new()
            .add_character_field(FieldName::try_from("highway").unwrap(), 20)
            .add_character_field(FieldName::try_from("oneway").unwrap(), 5)
            .add_numeric_field(FieldName::try_from("speed_kmh").unwrap(), 5, 0);
        let mut w = shapefile::Writer::from_path(&path, builder).unwrap();
        let mut record = Record::default();
        record.insert(
            "highway".into(),
            FieldValue::Character(Some("residential".into())),
        );
        record.insert("oneway".into(), FieldValue::Character(Some("yes".into())));
        record.insert("speed_kmh".into(), FieldValue::Numeric(Some(30.0)));
        let line = Polyline::with_parts(vec![
            vec![Point::new(120.0, 30.0), Point::new(120.01, 30.0)],
            vec![Point::new(121.0, 30.0), Point::new(121.0, 30.01)],
        ]);
        w.write_shape_and_record(&line, &record).unwrap();
        drop(w);
        let ways = read_ways(&path, world(), &Columns::default()).unwrap();
        assert_eq!(ways.len(), 2);
        assert_eq!(ways[0].coords[1], Coord { x: 120.01, y: 30.0 });
        assert_eq!(ways[1].tags["highway"], "residential");
        assert_eq!(ways[0].tags["oneway"], "yes");
        assert_eq!(ways[0].tags["speed_kmh"], "30");
    }

    /// The bureau's names for the tags, mapped by `[columns.roads]`; an
    /// OpenStreetMap extract's tags are OpenStreetMap's and are not renamed.
    #[test]
    fn mapped_columns_become_tags_and_an_extract_refuses_them() {
        let f = file(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"DLDJ":"motorway","highway":"x"},
             "geometry":{"type":"LineString","coordinates":[[120,30],[120.01,30]]}}]}"#,
        );
        let table: toml::Table = toml::from_str("[roads]\nhighway = \"DLDJ\"").unwrap();
        let columns = Columns::from_table(&table, "roads").unwrap();
        let ways = read_ways(f.path(), world(), &columns).unwrap();
        assert_eq!(ways[0].tags["highway"], "motorway");
        let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm/pyrosm-test.osm.pbf");
        let e = read_ways(&pbf, world(), &columns).unwrap_err().to_string();
        assert!(
            e.contains("[columns.roads]") && e.contains("highway"),
            "{e}"
        );
        let wrong: toml::Table = toml::from_str("[roads]\nname = \"MC\"").unwrap();
        let e = Columns::from_table(&wrong, "roads").unwrap_err();
        assert!(
            e.contains("columns.roads.name") && e.contains("speed_kmh"),
            "{e}"
        );
    }

    #[test]
    fn bad_files_are_named_with_what_is_wrong() {
        let truncated = file(r#"{"type":"FeatureCollection","features":[{"type":"Feat"#);
        let e = read_ways(truncated.path(), world(), &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&truncated.path().display().to_string()) && e.contains("not valid GeoJSON"),
            "{e}"
        );
        let empty = file("");
        let e = read_ways(empty.path(), world(), &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds no features"), "{e}");
        let point = file(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120,30]}}]}"#,
        );
        let e = read_ways(point.path(), world(), &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("features[0]") && e.contains("a Point"), "{e}");
    }
}
