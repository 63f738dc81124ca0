//! Reading the bureau's files: zones and schools as GeoJSON (RFC 7946,
//! WGS84 lon/lat) and scenarios as TOML.
//!
//! Every error names the file, the feature (index and id), the field and what
//! was expected, because the person who must fix it has the file open, not
//! our source code.

mod barriers;
pub mod columns;
mod features;
pub mod formats;
pub mod groups;
pub mod locks;
mod neighbours;
pub mod osm_pbf;
mod roads;
mod schools;
mod shapefiles;
mod tables;
mod unique_keys;
pub mod write;
mod zones;

use std::path::{Path, PathBuf};

pub use barriers::read_barriers;
pub use columns::Columns;
pub use features::Place;
pub use formats::FileSettings;
pub use groups::{GroupSpec, GroupsError, read_groups};
pub use locks::{LocksError, read_locks, write_locks};
pub use neighbours::{NeighboursError, read_neighbours};
pub use roads::{is_extract, read_ways};

use crate::model::Region;

/// A problem with one input file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read the file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not valid GeoJSON: {message}")]
    Malformed { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    RepeatedKey { path: PathBuf, message: String },
    #[error("{path}: holds no features; expected a FeatureCollection with at least one {what}")]
    Empty { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Field(Box<FieldError>),
    #[error("{path}: {message}")]
    Roads { path: PathBuf, message: String },
    #[error(transparent)]
    Osm(#[from] osm_pbf::OsmError),
    #[error(
        "{path}: the zones hold {total} {stage} children in all; expected at most {max} (entry-grade children per zone, not totals)",
        max = crate::model::MAX_REGION_CHILDREN
    )]
    TooManyChildren {
        path: PathBuf,
        stage: &'static str,
        total: u64,
    },
    #[error(
        "{path}: the extension is not one catchment reads; expected {}",
        formats::SUPPORTED
    )]
    Unsupported { path: PathBuf },
    #[error(
        "{path}: no column for `{key}`; the file's columns: {columns}; expected a column named `{key}` (or its Chinese header) or the scenario's [columns] table naming it, e.g. {key} = \"COLUMN\""
    )]
    MissingColumn {
        path: PathBuf,
        key: &'static str,
        columns: String,
    },
    #[error(
        "{path}: [columns] maps `{key}` to \"{name}\", which is not a column of this file; its columns: {columns}"
    )]
    UnknownColumn {
        path: PathBuf,
        key: String,
        name: String,
        columns: String,
    },
    #[error(
        "{path}: county_field = \"{field}\" names no column of this file; its columns: {columns}"
    )]
    MissingCounty {
        path: PathBuf,
        field: String,
        columns: String,
    },
    #[error("{path}: {message}")]
    Encoding { path: PathBuf, message: String },
    #[error(
        "{path}: the .prj gives the projected coordinate system \"{crs}\" (metres); expected longitude/latitude degrees (WGS 84, CGCS2000, or GCJ-02/BD-09 with crs = \"gcj02\"/\"bd09\"): export the layer in EPSG:4326 (QGIS: Export > Save Features As, CRS EPSG:4326)"
    )]
    Projected { path: PathBuf, crs: String },
    #[error(
        "{path}: {place} (id \"{id}\"): the id is used again (first at {first}); expected every id once"
    )]
    DuplicateId {
        path: PathBuf,
        place: features::Place,
        id: String,
        first: features::Place,
    },
}

/// A feature's field that is not what it must be. Boxed in `InputError` so
/// that every `Result` carrying it stays small.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {place}{}: field `{field}` is {found}; expected {expected}", id_note(.id))]
pub struct FieldError {
    pub path: PathBuf,
    pub place: features::Place,
    pub id: Option<String>,
    pub field: String,
    pub found: String,
    pub expected: String,
}

fn id_note(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" (id \"{id}\")"),
        None => String::new(),
    }
}

/// How the zones and schools files are read (format settings per file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadSettings {
    pub zones: FileSettings,
    pub schools: FileSettings,
}

/// Reads a region of WGS84 GeoJSON files with our keys.
pub fn read_region(zones: &Path, schools: &Path) -> Result<Region, InputError> {
    read_region_with(zones, schools, &ReadSettings::default())
}

/// Reads a region: schools first, because zones name them in `current_*`.
pub fn read_region_with(
    zones: &Path,
    schools: &Path,
    settings: &ReadSettings,
) -> Result<Region, InputError> {
    let schools = read_schools_with(schools, &settings.schools)?;
    let path = zones;
    let zones = read_zones_with(zones, &schools, &settings.zones)?;
    let region = Region {
        zones,
        schools,
        ..Region::default()
    };
    if let Some((stage, total)) = region.too_many_children() {
        return Err(InputError::TooManyChildren {
            path: path.to_path_buf(),
            stage: stage.key(),
            total,
        });
    }
    Ok(region)
}

/// Schools from a file of any supported format.
pub fn read_schools_with(
    path: &Path,
    settings: &FileSettings,
) -> Result<Vec<crate::model::School>, InputError> {
    let loaded = formats::load(path, schools::WHAT, settings, &["stage"])?;
    schools::read(path, loaded)
}

/// Zones from a file of any supported format.
pub fn read_zones_with(
    path: &Path,
    schools: &[crate::model::School],
    settings: &FileSettings,
) -> Result<Vec<crate::model::Zone>, InputError> {
    let loaded = formats::load(path, zones::WHAT, settings, &[])?;
    zones::read(path, loaded, schools)
}

/// Schools of a WGS84 file with our keys.
pub fn read_schools(path: &Path) -> Result<Vec<crate::model::School>, InputError> {
    read_schools_with(path, &FileSettings::default())
}

/// Zones of a WGS84 file with our keys.
pub fn read_zones(
    path: &Path,
    schools: &[crate::model::School],
) -> Result<Vec<crate::model::Zone>, InputError> {
    read_zones_with(path, schools, &FileSettings::default())
}
