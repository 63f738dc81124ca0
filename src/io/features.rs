//! Shared reading of GeoJSON features: the collection, the id, typed
//! properties and coordinates checked for the globe.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use geojson::{Feature, FeatureCollection, GeometryValue};
use serde_json::{Map, Value};

use super::InputError;

/// Reads a FeatureCollection; a file that is not one is `Malformed` with the
/// parser's line and column.
pub fn read_collection(path: &Path, what: &'static str) -> Result<Vec<Feature>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            what,
        });
    }
    // The walk for repeated keys reads the same text beside the parse (a
    // third of its time); a parse error still comes first.
    let (collection, repeated) = rayon::join(
        || serde_json::from_str::<FeatureCollection>(text),
        || super::unique_keys::repeated_key(text),
    );
    let collection = collection.map_err(|e| InputError::Malformed {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if let Some(message) = repeated {
        return Err(InputError::RepeatedKey {
            path: path.to_path_buf(),
            message,
        });
    }
    if collection.features.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            what,
        });
    }
    Ok(collection.features)
}

/// Where a feature is in its file, as the person who opens the file finds
/// it: a GeoJSON feature's index, a table's row number (as a spreadsheet
/// shows it, header = row 1), a shapefile's record number (from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Feature(usize),
    Row(usize),
    Record(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Feature(i) => write!(f, "features[{i}]"),
            Place::Row(n) => write!(f, "row {n}"),
            Place::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// The features of one file, whatever its format, each with its place.
#[derive(Debug)]
pub struct Loaded {
    pub features: Vec<Feature>,
    pub places: Vec<Place>,
}

impl Loaded {
    /// GeoJSON features, placed by index.
    pub fn indexed(features: Vec<Feature>) -> Loaded {
        let places = (0..features.len()).map(Place::Feature).collect();
        Loaded { features, places }
    }

    /// The features with their places, in file order.
    pub fn into_iter(self) -> impl Iterator<Item = (Place, Feature)> {
        self.places.into_iter().zip(self.features)
    }
}

/// One feature being read, so that every error can say where it is.
pub struct FeatureReader<'a> {
    pub path: &'a Path,
    pub place: Place,
    pub id: Option<String>,
    pub properties: Map<String, Value>,
}

impl<'a> FeatureReader<'a> {
    pub fn new(path: &'a Path, place: Place, feature: &mut Feature) -> Self {
        let properties = feature.properties.take().unwrap_or_default();
        let mut reader = FeatureReader {
            path,
            place,
            id: None,
            properties,
        };
        reader.id = match reader.properties.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => feature.id.as_ref().map(|id| match id {
                geojson::feature::Id::String(s) => s.clone(),
                geojson::feature::Id::Number(n) => n.to_string(),
            }),
        };
        reader
    }

    pub fn error(&self, field: &str, found: impl Into<String>, expected: &str) -> InputError {
        InputError::Field(Box::new(super::FieldError {
            path: self.path.to_path_buf(),
            place: self.place,
            id: self.id.clone(),
            field: field.to_string(),
            found: found.into(),
            expected: expected.to_string(),
        }))
    }

    /// The feature's id; required, a string or a number (kept as a string).
    pub fn id(&self) -> Result<String, InputError> {
        match (&self.id, self.properties.get("id")) {
            (Some(id), _) if !id.trim().is_empty() => Ok(id.clone()),
            (_, found) => Err(self.error(
                "id",
                describe(found),
                "a unique, non-empty string or number",
            )),
        }
    }

    pub fn string(&self, field: &str) -> Result<Option<String>, InputError> {
        match self.properties.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.error(field, describe(Some(other)), "a string")),
        }
    }

    /// A count of children, pupils or classes: a whole number >= 0.
    pub fn count(&self, field: &str) -> Result<Option<u32>, InputError> {
        let value = match self.properties.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let expected = "a whole number >= 0";
        let Value::Number(n) = value else {
            return Err(self.error(field, describe(Some(value)), expected));
        };
        if let Some(u) = n.as_u64() {
            return u32::try_from(u)
                .map(Some)
                .map_err(|_| self.error(field, n.to_string(), "a whole number below 4294967296"));
        }
        match n.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Ok(Some(f as u32)),
            _ => Err(self.error(field, n.to_string(), expected)),
        }
    }

    /// An amount (area, money, staff): a finite number >= 0.
    pub fn amount(&self, field: &str) -> Result<Option<f64>, InputError> {
        match self.properties.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(self.error(field, n.to_string(), "a number >= 0")),
            },
            Some(other) => Err(self.error(field, describe(Some(other)), "a number >= 0")),
        }
    }

    /// Checks every position of a geometry: two finite numbers, longitude in
    /// [-180, 180] and latitude in [-90, 90] (WGS84, RFC 7946 order lon, lat).
    pub fn check_coordinates(&self, value: &GeometryValue) -> Result<(), InputError> {
        let mut bad = None;
        visit_positions(value, &mut |p: &[f64]| {
            if bad.is_some() {
                return;
            }
            let ok = p.len() >= 2
                && p[0].is_finite()
                && p[1].is_finite()
                && (-180.0..=180.0).contains(&p[0])
                && (-90.0..=90.0).contains(&p[1]);
            if !ok {
                bad = Some(format!("{p:?}"));
            }
        });
        match bad {
            None => Ok(()),
            Some(found) => Err(self.error(
                "geometry.coordinates",
                format!("the position {found}"),
                "[longitude, latitude] in WGS84 degrees, longitude -180..180, latitude -90..90",
            )),
        }
    }
}

fn visit_positions(value: &GeometryValue, f: &mut impl FnMut(&[f64])) {
    match value {
        GeometryValue::Point { coordinates } => f(coordinates.as_slice()),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.iter().for_each(|p| f(p.as_slice()))
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().flatten().for_each(|p| f(p.as_slice()))
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .flatten()
            .flatten()
            .for_each(|p| f(p.as_slice())),
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().for_each(|g| visit_positions(&g.value, f))
        }
    }
}

/// How a JSON value looks, for an error message.
pub fn describe(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "missing".into(),
        Some(Value::String(s)) => format!("\"{s}\""),
        Some(other) => other.to_string(),
    }
}

/// Catches repeated ids, remembering where each id was first seen.
pub struct IdRegistry {
    path: PathBuf,
    seen: HashMap<String, Place>,
}

impl IdRegistry {
    pub fn new(path: &Path) -> Self {
        IdRegistry {
            path: path.to_path_buf(),
            seen: HashMap::new(),
        }
    }

    pub fn insert(&mut self, id: &str, place: Place) -> Result<(), InputError> {
        if let Some(&first) = self.seen.get(id) {
            return Err(InputError::DuplicateId {
                path: self.path.clone(),
                place,
                id: id.to_string(),
                first,
            });
        }
        self.seen.insert(id.to_string(), place);
        Ok(())
    }
}
