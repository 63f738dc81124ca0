//! `zones.geojson`: residential zones (compounds, villages, blocks) as
//! Polygon or MultiPolygon features, or Points where only an address is known.

use std::collections::HashMap;
use std::path::Path;

use geo::{Centroid, MultiPolygon, Point, Polygon};
use geojson::{Feature, GeometryValue};
use rayon::prelude::*;

use super::InputError;
use super::features::{FeatureReader, IdRegistry, Loaded, Place};
use crate::model::{Cohort, MAX_ZONE_CHILDREN, School, Shape, Stage, Zone};

/// What a zones file must hold, for the error about an empty one.
pub const WHAT: &str = "zone (a Polygon, MultiPolygon or Point feature)";

/// The zones of a file already loaded (any format, converted to WGS84).
pub fn read(path: &Path, loaded: Loaded, schools: &[School]) -> Result<Vec<Zone>, InputError> {
    let school_index: HashMap<&str, usize> = schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let schools = Schools {
        all: schools,
        index: &school_index,
    };
    // Each feature is read on its own, side by side; then, in file order,
    // its id is registered and its first error is the one reported, as
    // reading one after another would.
    let read: Vec<(Place, Option<String>, Result<Zone, InputError>)> = loaded
        .places
        .into_par_iter()
        .zip(loaded.features)
        .map(|(place, mut feature)| {
            let (id, zone) = read_zone(path, place, &mut feature, &schools);
            (place, id, zone)
        })
        .collect();
    let mut ids = IdRegistry::new(path);
    let mut zones = Vec::with_capacity(read.len());
    for (place, id, zone) in read {
        if let Some(id) = id {
            ids.insert(&id, place)?;
        }
        zones.push(zone?);
    }
    Ok(zones)
}

/// The schools a zone's `current_*` may name.
struct Schools<'a> {
    all: &'a [School],
    index: &'a HashMap<&'a str, usize>,
}

/// One feature's zone, with its id when that much could be read.
fn read_zone(
    path: &Path,
    place: Place,
    feature: &mut Feature,
    schools: &Schools,
) -> (Option<String>, Result<Zone, InputError>) {
    let f = FeatureReader::new(path, place, feature);
    match f.id() {
        Ok(id) => (Some(id.clone()), zone_of(f, id, feature, schools)),
        Err(e) => (None, Err(e)),
    }
}

/// The rest of a zone, once its id is read.
fn zone_of(
    f: FeatureReader,
    id: String,
    feature: &Feature,
    schools: &Schools,
) -> Result<Zone, InputError> {
    let shape = shape(&f, feature.geometry.as_ref().map(|g| &g.value))?;
    let centroid = match &shape {
        Shape::Point(p) => *p,
        Shape::Area(mp) => mp.centroid().ok_or_else(|| {
            f.error(
                "geometry",
                "a polygon without area or points",
                "a polygon with at least three distinct corners",
            )
        })?,
    };
    let mut children = [Cohort::default(); 2];
    let mut special = [None, None];
    let mut current = [None, None];
    for stage in Stage::ALL {
        let key = stage.key();
        children[stage.index()] = cohort(&f, stage)?;
        // Children with disabilities are some of the zone's children.
        let field = format!("{key}_special");
        if let Some(n) = f.count(&field)? {
            let total = children[stage.index()].total();
            if n > total {
                return Err(f.error(
                    &field,
                    format!("{n}, more than the zone's {total} {key} children ({key}_local + {key}_migrant)"),
                    &format!("at most {total}: children with disabilities are counted among {key}_local and {key}_migrant too"),
                ));
            }
            special[stage.index()] = Some((field, n));
        }
        let field = format!("current_{key}");
        if let Some(school) = f.string(&field)? {
            let Some(&s) = schools.index.get(school.as_str()) else {
                return Err(f.error(
                    &field,
                    format!("\"{school}\", which is not in the schools file"),
                    "the id of a school in the schools file, or no value",
                ));
            };
            if !schools.all[s].kind.teaches(stage) {
                return Err(f.error(
                    &field,
                    format!("\"{school}\", a {} school", schools.all[s].kind.key()),
                    &format!("a school that teaches {key}"),
                ));
            }
            current[stage.index()] = Some(s);
        }
    }
    let name = f.string("name")?.unwrap_or_else(|| id.clone());
    let county = f.string("county")?;
    let mut properties = f.properties;
    let counts = special
        .each_ref()
        .map(|s| s.as_ref().map_or(0, |(_, n)| *n));
    // Kept as whole numbers (a count written 3.0 reads as 3).
    for (field, n) in special.into_iter().flatten() {
        properties.insert(field, n.into());
    }
    Ok(Zone {
        id,
        name,
        shape,
        centroid,
        children,
        current,
        special: counts,
        county,
        properties,
    })
}

/// A stage's children, refused above [`MAX_ZONE_CHILDREN`] so that no
/// sum of children can wrap around.
fn cohort(f: &FeatureReader, stage: Stage) -> Result<Cohort, InputError> {
    let key = stage.key();
    let (local_field, migrant_field) = (format!("{key}_local"), format!("{key}_migrant"));
    let local = f.count(&local_field)?.unwrap_or(0);
    let migrant = f.count(&migrant_field)?.unwrap_or(0);
    let total = u64::from(local) + u64::from(migrant);
    if total > u64::from(MAX_ZONE_CHILDREN) {
        let field = if local > migrant {
            local_field
        } else {
            migrant_field
        };
        return Err(f.error(
            &field,
            format!("{local} local + {migrant} migrant = {total} {key} children in one zone"),
            &format!(
                "at most {MAX_ZONE_CHILDREN} children of a stage in one zone (entry-grade children living there, not a total of the county)"
            ),
        ));
    }
    Ok(Cohort { local, migrant })
}

fn shape(f: &FeatureReader, value: Option<&GeometryValue>) -> Result<Shape, InputError> {
    const EXPECTED: &str = "a Polygon or MultiPolygon of the zone's land (or a Point)";
    let Some(value) = value else {
        return Err(f.error("geometry", "missing", EXPECTED));
    };
    f.check_coordinates(value)?;
    let ring_error = || {
        f.error(
            "geometry.coordinates",
            "a ring with fewer than 4 positions",
            "closed rings of at least 4 positions (RFC 7946 3.1.6)",
        )
    };
    match value {
        GeometryValue::Point { coordinates } => {
            let p = coordinates.as_slice();
            Ok(Shape::Point(Point::new(p[0], p[1])))
        }
        GeometryValue::Polygon { coordinates } => {
            if coordinates.is_empty() || coordinates.iter().any(|r| r.len() < 4) {
                return Err(ring_error());
            }
            let polygon = Polygon::<f64>::try_from(value)
                .map_err(|e| f.error("geometry", e.to_string(), EXPECTED))?;
            Ok(Shape::Area(MultiPolygon::new(vec![polygon])))
        }
        GeometryValue::MultiPolygon { coordinates } => {
            if coordinates.is_empty()
                || coordinates
                    .iter()
                    .any(|p| p.is_empty() || p.iter().any(|r| r.len() < 4))
            {
                return Err(ring_error());
            }
            let mp = MultiPolygon::<f64>::try_from(value)
                .map_err(|e| f.error("geometry", e.to_string(), EXPECTED))?;
            Ok(Shape::Area(mp))
        }
        other => Err(f.error("geometry", format!("a {}", other.type_name()), EXPECTED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_one(properties: serde_json::Value) -> Result<Vec<Zone>, InputError> {
        read_all(vec![properties])
    }

    /// Point zones with these properties, in this order.
    fn read_all(properties: Vec<serde_json::Value>) -> Result<Vec<Zone>, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zones.geojson");
        let features: Vec<serde_json::Value> = properties
            .into_iter()
            .map(|p| {
                json!({"type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [118.0, 32.0]},
                    "properties": p})
            })
            .collect();
        let collection = json!({"type": "FeatureCollection", "features": features});
        std::fs::write(&path, collection.to_string()).unwrap();
        crate::io::read_zones(&path, &[])
    }

    /// Features are read side by side; the error is still the one reading
    /// them in order meets first.
    #[test]
    fn the_first_error_in_file_order_is_the_one_reported() {
        let good = |id: &str| json!({"id": id, "primary_local": 1});
        let mut zones: Vec<_> = (0..300).map(|i| good(&format!("z{i}"))).collect();
        zones[250] = json!({"id": "z250", "primary_local": -1});
        zones[120] = json!({"id": "z7", "primary_local": -1});
        zones[200] = json!({"primary_local": 1});
        let err = read_all(zones.clone()).unwrap_err();
        // Feature 120 repeats feature 7's id before its own count is read.
        assert!(matches!(err, InputError::DuplicateId { .. }), "{err}");
        assert!(err.to_string().contains("features[120]"), "{err}");
        zones[120] = good("z120");
        let err = read_all(zones.clone()).unwrap_err().to_string();
        assert!(err.contains("features[200]"), "{err}");
        zones[200] = good("z200");
        let err = read_all(zones).unwrap_err().to_string();
        assert!(
            err.contains("features[250]") && err.contains("primary_local"),
            "{err}"
        );
    }

    #[test]
    fn special_children_are_a_subset_of_the_zones_children() {
        let zones = read_one(json!({"id": "z1", "primary_local": 8, "primary_migrant": 2,
            "primary_special": 3.0}))
        .unwrap();
        assert_eq!(zones[0].properties["primary_special"], json!(3));
        let err = read_one(json!({"id": "z1", "junior_local": 2, "junior_special": 3}))
            .unwrap_err()
            .to_string();
        for part in [
            "zones.geojson",
            "features[0]",
            "z1",
            "`junior_special`",
            "more than the zone's 2 junior children",
            "at most 2",
        ] {
            assert!(err.contains(part), "{part:?} in {err}");
        }
        assert!(read_one(json!({"id": "z1", "primary_special": -1})).is_err());
    }

    #[test]
    fn counts_that_would_overflow_are_refused_by_name() {
        let err = read_one(json!({"id": "z1", "primary_local": 4294967295u64,
            "primary_migrant": 4294967295u64}))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`primary_") && err.contains("z1") && err.contains("at most 10000000"),
            "{err}"
        );
        let err = read_one(json!({"id": "z1", "junior_local": 6000000, "junior_migrant": 5000000}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`junior_local`") && err.contains("11000000"),
            "{err}"
        );
        assert!(
            read_one(json!({"id": "z1", "junior_local": 5000000, "junior_migrant": 5000000}))
                .is_ok()
        );
    }
}
