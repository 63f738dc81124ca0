//! Reading the bureau's files: zones and schools as GeoJSON (RFC 7946,
//! WGS84 lon/lat) and scenarios as TOML.
//!
//! Every error names the file, the feature (index and id), the field and what
//! was expected, because the person who must fix it has the file open, not
//! our source code.

mod barriers;
mod features;
pub mod groups;
pub mod locks;
mod neighbours;
pub mod osm_pbf;
mod roads;
mod schools;
mod unique_keys;
pub mod write;
mod zones;

use std::path::{Path, PathBuf};

pub use barriers::read_barriers;
pub use groups::{GroupSpec, GroupsError, read_groups};
pub use locks::{LocksError, read_locks, write_locks};
pub use neighbours::{NeighboursError, read_neighbours};
pub use roads::{read_geojson_ways, read_ways};

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
        "{path}: features[{index}] (id \"{id}\"): the id is used again (first at features[{first}]); expected every id once"
    )]
    DuplicateId {
        path: PathBuf,
        index: usize,
        id: String,
        first: usize,
    },
}

/// A feature's field that is not what it must be. Boxed in `InputError` so
/// that every `Result` carrying it stays small.
#[derive(Debug, thiserror::Error)]
#[error("{path}: features[{index}]{}: field `{field}` is {found}; expected {expected}", id_note(.id))]
pub struct FieldError {
    pub path: PathBuf,
    pub index: usize,
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

/// Reads a region: schools first, because zones name them in `current_*`.
pub fn read_region(zones: &Path, schools: &Path) -> Result<Region, InputError> {
    let schools = schools::read(schools)?;
    let path = zones;
    let zones = zones::read(zones, &schools)?;
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

pub use schools::read as read_schools;
pub use zones::read as read_zones;
