//! Scenario files (TOML): which maps, which policy, which solver settings.
//!
//! Paths inside a scenario are relative to the scenario file, so a scenario
//! folder can be moved or shared as a whole.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{InputError, read_region};
use crate::model::Region;
use crate::policy::{Policy, PolicyError};
use crate::solve::Settings;

/// A scenario as written in its file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Option<String>,
    #[serde(default)]
    description: String,
    zones: PathBuf,
    schools: PathBuf,
    out: Option<PathBuf>,
    /// Officers' locks (CSV: zone, school, action, stage).
    locks: Option<PathBuf>,
    /// Km of travel one moved child is worth (against `current_*`).
    #[serde(default)]
    stability_km: f64,
    /// Every catchment one connected piece (default true).
    #[serde(default = "yes")]
    contiguous: bool,
    /// A basemap for the officers' map (an http(s) tile URL with {z}/{x}/{y}).
    tiles: Option<String>,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    solver: Settings,
}

/// A scenario resolved: paths made absolute against the scenario's folder.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub zones: PathBuf,
    pub schools: PathBuf,
    /// Where `run` writes when no `--out` is given.
    pub out: PathBuf,
    pub locks: Option<PathBuf>,
    pub stability_km: f64,
    pub contiguous: bool,
    /// A basemap tile URL for the officers' map.
    pub tiles: Option<String>,
    pub policy: Policy,
    pub solver: Settings,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: cannot read the scenario: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a valid scenario: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "{path}: `{field}` names {file}, which does not exist; expected a path relative to the scenario file"
    )]
    MissingFile {
        path: PathBuf,
        field: &'static str,
        file: PathBuf,
    },
    #[error("{path}: {source}")]
    Policy { path: PathBuf, source: PolicyError },
    #[error(transparent)]
    Input(#[from] InputError),
}

fn yes() -> bool {
    true
}

impl Scenario {
    /// The region this scenario describes: its maps, read and checked.
    pub fn region(&self) -> Result<Region, ScenarioError> {
        Ok(read_region(&self.zones, &self.schools)?)
    }

    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: ScenarioFile = toml::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if !(file.stability_km.is_finite() && file.stability_km >= 0.0) {
            return Err(ScenarioError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "stability_km is {}; expected a distance >= 0 in km",
                    file.stability_km
                ),
            });
        }
        file.policy
            .validate()
            .map_err(|source| ScenarioError::Policy {
                path: path.to_path_buf(),
                source,
            })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |field: &'static str, p: &Path| -> Result<PathBuf, ScenarioError> {
            let full = base.join(p);
            if full.is_file() {
                Ok(full)
            } else {
                Err(ScenarioError::MissingFile {
                    path: path.to_path_buf(),
                    field,
                    file: full,
                })
            }
        };
        let name = file.name.unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        });
        Ok(Scenario {
            path: path.to_path_buf(),
            zones: resolve("zones", &file.zones)?,
            schools: resolve("schools", &file.schools)?,
            locks: file
                .locks
                .as_deref()
                .map(|l| resolve("locks", l))
                .transpose()?,
            stability_km: file.stability_km,
            contiguous: file.contiguous,
            tiles: file.tiles,
            out: file
                .out
                .map(|o| base.join(o))
                .unwrap_or_else(|| PathBuf::from("out").join(&name)),
            name,
            description: file.description,
            policy: file.policy,
            solver: file.solver,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_map_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "zones = \"nope.geojson\"\nschools = \"s.geojson\"\n").unwrap();
        let err = Scenario::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("`zones`") && err.contains("nope.geojson"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(
            &path,
            "zones = \"z\"\nschools = \"s\"\n[policy]\nclass_limt = 3\n",
        )
        .unwrap();
        let err = Scenario::load(&path).unwrap_err().to_string();
        assert!(err.contains("class_limt"), "{err}");
    }
}
