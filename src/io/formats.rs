//! One input file, whatever its format, made into WGS84 features with our
//! keys: the reader follows the extension, then the scenario's column
//! names, the county field and the coordinate system are applied, so that
//! the zone and school readers see one shape of data.

use std::path::Path;

use serde_json::Value;

use super::InputError;
use super::columns::{self, Columns};
use super::features::{Loaded, read_collection};
use super::{shapefiles, tables};
use crate::spatial::Crs;
use crate::spatial::crs::for_each_position;

/// How one file is read: its coordinate system, its column names and
/// where its county is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileSettings {
    pub crs: Crs,
    pub columns: Columns,
    /// The property holding the county (`district`), if not `county`.
    pub county_field: Option<String>,
}

/// The extensions read, for the error about any other.
pub const SUPPORTED: &str = ".geojson or .json (GeoJSON), .shp (shapefile with its .shx and .dbf), .csv or .xlsx (a table of points with lon and lat columns)";

/// The features of `path`; `what`: what the file must hold (for an empty
/// one); `required`: keys without which no feature can be read, checked
/// against the file's columns at once.
pub fn load(
    path: &Path,
    what: &'static str,
    settings: &FileSettings,
    required: &[&'static str],
) -> Result<Loaded, InputError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (mut loaded, table) = match extension.as_str() {
        "geojson" | "json" => (Loaded::indexed(read_collection(path, what)?), false),
        "csv" => (tables::read_csv(path)?, true),
        "xlsx" => (tables::read_xlsx(path)?, true),
        "shp" => (shapefiles::read(path)?, false),
        _ => {
            return Err(InputError::Unsupported {
                path: path.to_path_buf(),
            });
        }
    };
    if loaded.features.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            what,
        });
    }
    let headers = columns::apply(path, &mut loaded, &settings.columns)?;
    let geojson = matches!(extension.as_str(), "geojson" | "json");
    // GeoJSON's per-feature errors already name a missing property; a
    // table's column is missing from every row at once.
    let mut required = if geojson {
        Vec::new()
    } else {
        required.to_vec()
    };
    if !geojson {
        required.push("id");
    }
    if table {
        required.extend(["lon", "lat"]);
    }
    for key in required {
        let given = loaded
            .features
            .iter()
            .any(|f| f.properties.as_ref().is_some_and(|p| p.contains_key(key)));
        if !given {
            return Err(InputError::MissingColumn {
                path: path.to_path_buf(),
                key,
                columns: columns::listed(&headers),
            });
        }
    }
    if let Some(field) = &settings.county_field {
        county_from(path, &mut loaded, field, &headers)?;
    }
    if !geojson {
        let mut text_keys = tables::TEXT_KEYS.to_vec();
        text_keys.extend(settings.county_field.as_deref());
        tables::typed(&mut loaded, &text_keys);
    }
    if table {
        tables::points_from_lon_lat(path, &mut loaded)?;
    }
    to_wgs84(path, &mut loaded, settings.crs);
    Ok(loaded)
}

/// `county` read from another property (`county_field = "district"`).
fn county_from(
    path: &Path,
    loaded: &mut Loaded,
    field: &str,
    headers: &[String],
) -> Result<(), InputError> {
    if !headers.iter().any(|h| h == field) {
        return Err(InputError::MissingCounty {
            path: path.to_path_buf(),
            field: field.to_string(),
            columns: columns::listed(headers),
        });
    }
    for props in loaded
        .features
        .iter_mut()
        .flat_map(|f| f.properties.as_mut())
    {
        match props.get(field).cloned() {
            Some(Value::Null) | None => {
                props.remove("county");
            }
            Some(Value::Number(n)) => {
                props.insert("county".into(), Value::String(n.to_string()));
            }
            Some(v) => {
                props.insert("county".into(), v);
            }
        }
    }
    Ok(())
}

/// Converts every position to WGS84. Features declared GCJ-02 or BD-09
/// that lie outside mainland China are not moved (the web maps do not
/// shift them there either), which usually means a wrong `crs`: they are
/// named on stderr.
fn to_wgs84(path: &Path, loaded: &mut Loaded, crs: Crs) {
    if crs == Crs::Wgs84 {
        return;
    }
    let mut outside = Vec::new();
    for (feature, place) in loaded.features.iter_mut().zip(&loaded.places) {
        let Some(geometry) = feature.geometry.as_mut() else {
            continue;
        };
        let mut all_inside = true;
        for_each_position(&mut geometry.value, &mut |p| {
            if p.len() >= 2 && !crate::spatial::crs::in_mainland_china(p[0], p[1]) {
                all_inside = false;
            }
        });
        if !all_inside {
            let id = feature
                .properties
                .as_ref()
                .and_then(|p| p.get("id"))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
            outside.push(match id {
                Some(id) => format!("{place} (id \"{id}\")"),
                None => place.to_string(),
            });
        }
        crs.geometry_to_wgs84(&mut geometry.value);
    }
    if !outside.is_empty() {
        let shown = outside
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = outside.len().saturating_sub(10);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        eprintln!(
            "warning: {}: {} feature(s) declared {crs} lie outside mainland China, where {crs} equals WGS84, so they were not moved: {shown}{more}; check the file's crs",
            path.display(),
            outside.len()
        );
    }
}
