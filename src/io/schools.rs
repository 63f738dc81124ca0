//! `schools.geojson`: one Point feature per school.

use std::path::Path;

use geojson::GeometryValue;

use super::InputError;
use super::features::{FeatureReader, IdRegistry, Loaded, describe};
use crate::model::{School, SchoolKind, Sector, Stage};
use crate::policy::balance::RESOURCE_FIELDS;

/// What a schools file must hold, for the error about an empty one.
pub const WHAT: &str = "school (a Point feature)";

/// The schools of a file already loaded (any format, converted to WGS84).
pub fn read(path: &Path, loaded: Loaded) -> Result<Vec<School>, InputError> {
    let mut ids = IdRegistry::new(path);
    let mut schools = Vec::with_capacity(loaded.features.len());
    for (place, mut feature) in loaded.into_iter() {
        let f = FeatureReader::new(path, place, &mut feature);
        let id = f.id()?;
        ids.insert(&id, place)?;
        let location = match feature.geometry.as_ref().map(|g| &g.value) {
            Some(value @ GeometryValue::Point { coordinates }) => {
                f.check_coordinates(value)?;
                let p = coordinates.as_slice();
                geo::Point::new(p[0], p[1])
            }
            Some(other) => {
                return Err(f.error(
                    "geometry",
                    format!("a {}", other.type_name()),
                    "a Point at the school's gate",
                ));
            }
            None => return Err(f.error("geometry", "missing", "a Point at the school's gate")),
        };
        let kind = match f.string("stage")?.as_deref() {
            Some("primary") => SchoolKind::Primary,
            Some("junior") => SchoolKind::Junior,
            Some("nine_year") => SchoolKind::NineYear,
            _ => {
                return Err(f.error(
                    "stage",
                    describe(f.properties.get("stage")),
                    "\"primary\", \"junior\" or \"nine_year\"",
                ));
            }
        };
        let sector = match f.string("sector")?.as_deref() {
            None | Some("public") => Sector::Public,
            Some("private") => Sector::Private,
            Some(_) => {
                return Err(f.error(
                    "sector",
                    describe(f.properties.get("sector")),
                    "\"public\" (the default) or \"private\"",
                ));
            }
        };
        let per_stage = |prefix: &str| -> Result<[Option<u32>; 2], InputError> {
            let mut out = [None, None];
            for stage in Stage::ALL {
                out[stage.index()] = f.count(&format!("{prefix}_{}", stage.key()))?;
            }
            Ok(out)
        };
        let classes = per_stage("classes")?;
        let enrolled = per_stage("enrolled")?.map(|e| e.unwrap_or(0));
        let capacity = per_stage("capacity")?;
        for stage in Stage::ALL {
            let taught = kind.teaches(stage);
            let given = classes[stage.index()].is_some() || capacity[stage.index()].is_some();
            if !taught && given {
                return Err(f.error(
                    &format!("classes_{} / capacity_{}", stage.key(), stage.key()),
                    "given",
                    &format!(
                        "no {} seats at a school whose stage is \"{}\" (make it \"nine_year\" if it teaches both)",
                        stage.key(),
                        kind.key()
                    ),
                ));
            }
        }
        for field in RESOURCE_FIELDS {
            f.amount(field)?;
        }
        for stage in Stage::ALL {
            let field = format!("purchased_{}", stage.key());
            if f.count(&field)?.is_some_and(|n| n > 0) && sector != Sector::Private {
                return Err(f.error(
                    &field,
                    "given at a public school",
                    "seats the bureau buys for migrant children only at private schools (\"sector\": \"private\")",
                ));
            }
        }
        for field in ["migrant_min_share", "migrant_max_share"] {
            if let Some(x) = f.amount(field)?
                && x > 1.0
            {
                return Err(f.error(field, x.to_string(), "a share between 0 and 1"));
            }
        }
        match f.properties.get("resource_room") {
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(_)) => {}
            other => {
                return Err(f.error(
                    "resource_room",
                    describe(other),
                    "true if the school has a resource room (资源教室) for children with disabilities, else false",
                ));
            }
        }
        let name = f.string("name")?.unwrap_or_else(|| id.clone());
        let county = f.string("county")?;
        let properties = f.properties;
        schools.push(School {
            id,
            name,
            location,
            kind,
            sector,
            county,
            classes,
            enrolled,
            capacity,
            properties,
        });
    }
    Ok(schools)
}
