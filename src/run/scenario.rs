//! Scenario files (TOML): which maps, which policy, which solver settings,
//! and what a planning scenario changes in its maps.
//!
//! Paths inside a scenario are relative to the scenario file, so a scenario
//! folder can be moved or shared as a whole.
//!
//! # Extending a scenario
//!
//! `extends = "baseline.toml"` makes a scenario the base's maps and settings
//! plus its own: the base's changes apply first, then this file's (see
//! [`crate::run::changes`] for the order within a file). Tables
//! (`[policy]`, `[solver]`, `[projection]`, `[lottery]`) merge key by key,
//! this file's keys winning, so a scenario that only raises `class_limit`
//! keeps every other rule of its base; `[basemap]` merges the same way,
//! so a scenario can change only its `key_env`. Other settings (`zones`, `schools`,
//! `locks`, `stability_km`, `contiguous`, `deep_join`, `barriers`,
//! `compactness_km`, `class_cost_km`, `feeders`, `objective`, `balance_km`,
//! `migrant_catchments`) are inherited unless given;
//! `name`, `description` and `out` describe this file and are its own.
//! A chain that comes back to a file it has already read is an error that
//! lists the chain.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ProjectionSettings;
use super::basemap::Basemap;
use super::changes::{
    self, AddSchoolTable, Change, ChangeError, ChangeSchoolTable, CloseSchoolTable, NewHousingTable,
};
use super::{DocumentOptions, InputOptions, PlanOptions};
use crate::io::{Columns, InputError, LocksError, ReadSettings, read_region_with};
use crate::model::Region;
use crate::model::grades;
use crate::plan::Objective;
use crate::plan::lottery::LotterySettings;
use crate::policy::{Policy, PolicyError};
use crate::solve::SolverOptions;

/// A scenario as written in its file: everything optional, because a file
/// that `extends` another gives only what it changes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    /// The scenario this one builds on (path relative to this file).
    extends: Option<PathBuf>,
    name: Option<String>,
    description: Option<String>,
    zones: Option<PathBuf>,
    schools: Option<PathBuf>,
    out: Option<PathBuf>,
    /// The officers' map's online basemap (`url`, `crs`, …), see
    /// [`Basemap`].
    basemap: Option<toml::Table>,
    policy: Option<toml::Table>,
    solver: Option<SolverOptions>,
    /// Multi-year projection settings (`catchment project`).
    projection: Option<toml::Table>,
    /// Multi-school zone settings (`catchment lottery`).
    lottery: Option<toml::Table>,
    /// The files' column names for our keys (`primary_local = "XX_HJ"`),
    /// shared or per file (`[columns.zones]`).
    columns: Option<toml::Table>,
    #[serde(default)]
    add_school: Vec<AddSchoolTable>,
    #[serde(default)]
    change_school: Vec<ChangeSchoolTable>,
    #[serde(default)]
    new_housing: Vec<NewHousingTable>,
    #[serde(default)]
    close_school: Vec<CloseSchoolTable>,
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
    /// The officers' map's online basemap; None: none (offline).
    pub basemap: Option<Basemap>,
    /// The plan options the chain gives (top-level keys), over each other.
    pub options: PlanOptions,
    /// The document options (`lang`), over each other.
    pub documents: DocumentOptions,
    /// How the maps are read (`crs`, `county_field`, …), over each other.
    pub inputs: InputOptions,
    /// The chain's `[columns]` tables, merged key by key.
    pub columns: toml::Table,
    pub policy: Policy,
    /// The chain's `[solver]` tables, over each other.
    pub solver: SolverOptions,
    /// The files read, base first, this one last.
    pub chain: Vec<PathBuf>,
    /// What the chain changes in the maps, in the order applied.
    pub changes: Vec<Change>,
    /// Multi-year projection settings (`[projection]`).
    pub projection: ProjectionSettings,
    /// Multi-school zone settings (`[lottery]`).
    pub lottery: LotterySettings,
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
    #[error(transparent)]
    Locks(#[from] LocksError),
    #[error(
        "{}: `extends` makes a cycle: {}; expected each scenario to extend a base that does not come back to it",
        .chain.last().map(|p| p.display().to_string()).unwrap_or_default(),
        .chain.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" extends ")
    )]
    Cycle { chain: Vec<PathBuf> },
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error("{path}: features (id \"{id}\"): field `{field}` {message}", field = grades::BY_GRADE)]
    Grades {
        path: PathBuf,
        id: String,
        message: String,
    },
}

/// One file of a chain, parsed and checked on its own.
struct Layer {
    path: PathBuf,
    file: ScenarioFile,
    /// The file's plan options (top-level keys), paths made absolute.
    options: PlanOptions,
    documents: DocumentOptions,
    inputs: InputOptions,
}

/// Merges `over` into `base` key by key; tables merge recursively, any
/// other value replaces the base's.
fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn parse_error(path: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Parse {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A policy table read and checked as [`Policy`]; `text`: the file's own
/// text, for the line of a mistake.
fn policy_of(
    path: &Path,
    table: &toml::Table,
    text: Option<&str>,
) -> Result<Policy, ScenarioError> {
    let policy: Policy = typed(path, Some("policy"), table, text)?;
    policy.validate().map_err(|source| ScenarioError::Policy {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(policy)
}

/// A policy file (`catchment allocate --policy`): the `[policy]` keys at
/// its top level, checked as a scenario's are.
pub fn read_policy(path: &Path) -> Result<Policy, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| parse_error(path, e.to_string()))?;
    let policy: Policy = typed(path, None, &table, Some(&text))?;
    policy.validate().map_err(|source| ScenarioError::Policy {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(policy)
}

/// `table` read as `T`. An error names the key that holds the mistake in
/// full (`policy.primary.class_limit`) and, given the file's text, its line.
fn typed<T: serde::de::DeserializeOwned>(
    path: &Path,
    section: Option<&str>,
    table: &toml::Table,
    text: Option<&str>,
) -> Result<T, ScenarioError> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| {
            let key = culprit::<T>(table);
            let mut full: Vec<&str> = section.into_iter().collect();
            full.extend(key.iter().map(String::as_str));
            let line = match (text, full.split_last()) {
                (Some(text), Some((last, tables))) => {
                    let tables = tables.join(".");
                    line_of(text, Some(tables.as_str()).filter(|t| !t.is_empty()), last)
                }
                _ => None,
            };
            let at = line.map_or(String::new(), |n| format!("line {n}: "));
            let what = if full.is_empty() {
                String::new()
            } else {
                format!("`{}`: ", full.join("."))
            };
            parse_error(path, format!("{at}{what}{}", e.message()))
        })
}

/// The path of the first key whose value alone `T` refuses, as deep as
/// the mistake goes; empty where no single key is to blame.
fn culprit<T: serde::de::DeserializeOwned>(table: &toml::Table) -> Vec<String> {
    let nest = |path: &[String], leaf: toml::Value| {
        path.iter().rev().fold(leaf, |v, k| {
            toml::Value::Table(toml::Table::from_iter([(k.clone(), v)]))
        })
    };
    let refused = |v: toml::Value| v.try_into::<T>().is_err();
    let mut path: Vec<String> = Vec::new();
    let mut current = table;
    loop {
        if refused(nest(&path, toml::Value::Table(toml::Table::new()))) && !path.is_empty() {
            return path;
        }
        let found = current.iter().find(|(k, v)| {
            let mut p = path.clone();
            p.push((*k).clone());
            refused(nest(&p, (*v).clone()))
        });
        match found {
            Some((k, toml::Value::Table(t))) => {
                path.push(k.clone());
                current = t;
            }
            Some((k, _)) => {
                path.push(k.clone());
                return path;
            }
            None => return path,
        }
    }
}

/// One file's own keys: the plan options (top-level keys declared in
/// [`PlanOptions`]) apart from the rest, each checked, paths made absolute
/// against the file's folder. An error names the file, the key and its line.
fn parse_layer(path: &Path, text: &str) -> Result<Layer, ScenarioError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| parse_error(path, e.to_string()))?;
    if table.contains_key("tiles") {
        return Err(parse_error(
            path,
            located(
                text,
                None,
                "`tiles` is now a [basemap] table: write [basemap] url = \"…\" with the tiles' crs (\"wgs84\" or \"gcj02\"); see the README's officers' map",
            ),
        ));
    }
    let mut take = |keys: &[&str]| -> toml::Table {
        keys.iter()
            .filter_map(|k| table.remove(*k).map(|v| (k.to_string(), v)))
            .collect()
    };
    let plan = take(PlanOptions::KEYS);
    let documents = take(DocumentOptions::KEYS);
    let inputs = take(InputOptions::KEYS);
    let mut options: PlanOptions = typed(path, None, &plan, Some(text))?;
    let documents: DocumentOptions = typed(path, None, &documents, Some(text))?;
    let inputs: InputOptions = typed(path, None, &inputs, Some(text))?;
    let file: ScenarioFile = typed(path, None, &table, Some(text))?;
    if let Some(columns) = &file.columns {
        for name in ["zones", "schools", "roads"] {
            Columns::from_table(columns, name)
                .map_err(|m| parse_error(path, located(text, Some("columns"), &m)))?;
        }
    }
    options
        .check(false)
        .map_err(|e| parse_error(path, located(text, None, &e.to_string())))?;
    options
        .rebase(path.parent().unwrap_or(Path::new(".")))
        .map_err(|m| ScenarioError::MissingFile {
            path: path.to_path_buf(),
            field: m.key,
            file: m.file,
        })?;
    Ok(Layer {
        path: path.to_path_buf(),
        file,
        options,
        documents,
        inputs,
    })
}

/// `message` with the line of the first key it names (`` `key` `` or a
/// leading `key is`), so that a mistake can be found in a long file.
fn located(text: &str, section: Option<&str>, message: &str) -> String {
    let key = message
        .split('`')
        .nth(1)
        .or_else(|| message.split(" is ").next().filter(|k| !k.contains(' ')));
    let line = key.and_then(|key| line_of(text, section, key.rsplit('.').next().unwrap_or(key)));
    match line {
        Some(n) => format!("line {n}: {message}"),
        None => message.to_string(),
    }
}

/// The 1-based line where `key` is set, inside `[section]` if given (a
/// dotted section such as `policy.primary` also matches its sub-tables).
fn line_of(text: &str, section: Option<&str>, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[') {
            current = h
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            continue;
        }
        let in_section = match section {
            None => current.is_empty(),
            Some(s) => current == s || current.starts_with(&format!("{s}.")),
        };
        let name = t.split('=').next().unwrap_or("").trim().trim_matches('"');
        if in_section && t.contains('=') && name == key {
            return Some(n + 1);
        }
    }
    None
}

/// Reads `path` and the files it extends, base first. `seen` holds the
/// files read so far down this chain (canonical paths), to find cycles.
fn read_chain(
    path: &Path,
    seen: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<Vec<Layer>, ScenarioError> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.iter().any(|(c, _)| *c == canonical) {
        let mut chain: Vec<PathBuf> = seen.iter().map(|(_, p)| p.clone()).collect();
        chain.push(path.to_path_buf());
        return Err(ScenarioError::Cycle { chain });
    }
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let layer = parse_layer(path, &text)?;
    let file = &layer.file;
    // Each file's own tables must make sense alone, so that an error names
    // the file that holds the mistake.
    if let Some(p) = &file.policy {
        policy_of(path, p, Some(&text))?;
    }
    if let Some(s) = &file.solver {
        s.check(false)
            .map_err(|e| parse_error(path, format!("[solver]: {e}")))?;
    }
    if let Some(p) = &file.projection {
        typed::<ProjectionSettings>(path, Some("projection"), p, Some(&text))?
            .validate()
            .map_err(|m| parse_error(path, format!("[projection]: {m}")))?;
    }
    if let Some(l) = &file.lottery {
        typed::<LotterySettings>(path, Some("lottery"), l, Some(&text))?
            .validate()
            .map_err(|m| parse_error(path, format!("[lottery]: {m}")))?;
    }
    seen.push((canonical, path.to_path_buf()));
    let mut layers = match &file.extends {
        Some(base) => {
            let full = path.parent().unwrap_or(Path::new(".")).join(base);
            if !full.is_file() {
                return Err(ScenarioError::MissingFile {
                    path: path.to_path_buf(),
                    field: "extends",
                    file: full,
                });
            }
            read_chain(&full, seen)?
        }
        None => Vec::new(),
    };
    seen.pop();
    layers.push(layer);
    Ok(layers)
}

impl Scenario {
    /// The region this scenario describes: its maps, read and checked, with
    /// the chain's changes applied.
    pub fn region(&self) -> Result<Region, ScenarioError> {
        Ok(self.changed_region()?.0)
    }

    /// The region and one line per change saying what it did.
    pub fn changed_region(
        &self,
    ) -> Result<(Region, Vec<super::change_notes::ChangeNote>), ScenarioError> {
        self.changed_region_with(&self.read_settings())
    }

    /// The scenario's own reading of its maps (its `crs`, `[columns]`,
    /// `county_field`), without command-line flags.
    pub fn read_settings(&self) -> ReadSettings {
        let inputs = self.inputs.clone().resolve();
        let file = |crs, name| super::FileSettings {
            crs,
            columns: self.columns(name),
            county_field: inputs.county_field.clone(),
        };
        ReadSettings {
            zones: file(inputs.zones_crs(), "zones"),
            schools: file(inputs.schools_crs(), "schools"),
        }
    }

    /// The column names of one file (`zones`, `schools`, `roads`): the
    /// shared `[columns]` keys and the file's own table. Checked on loading.
    pub fn columns(&self, file: &str) -> Columns {
        Columns::from_table(&self.columns, file).unwrap_or_default()
    }

    /// The region read with `settings`, and one line per change.
    pub fn changed_region_with(
        &self,
        settings: &ReadSettings,
    ) -> Result<(Region, Vec<super::change_notes::ChangeNote>), ScenarioError> {
        let mut region = read_region_with(&self.zones, &self.schools, settings)?;
        // Schools that give pupils by grade but not the staying total get it
        // from their grades, so seats count the pupils who stay.
        for school in &mut region.schools {
            let g = grades::of_school(school).map_err(|message| ScenarioError::Grades {
                path: self.schools.clone(),
                id: school.id.clone(),
                message,
            })?;
            if grades::read_by_grade(school).ok().flatten().is_some() {
                for stage in crate::model::Stage::ALL {
                    if school.kind.teaches(stage) {
                        school.enrolled[stage.index()] = g[stage.index()].staying_total();
                    }
                }
            }
        }
        let log = changes::apply(&mut region, &self.changes, &self.policy, settings)?;
        Ok((region, log))
    }

    /// The maps as read, before the scenario's changes.
    pub fn base_region_with(&self, settings: &ReadSettings) -> Result<Region, ScenarioError> {
        let mut bare = self.clone();
        bare.changes.clear();
        Ok(bare.changed_region_with(settings)?.0)
    }

    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let layers = read_chain(path, &mut Vec::new())?;
        // Settings: each later file's keys over the earlier ones'.
        let mut policy = toml::Table::new();
        let mut solver = SolverOptions::default();
        let mut projection = toml::Table::new();
        let mut lottery = toml::Table::new();
        let mut options = PlanOptions::default();
        let mut documents = DocumentOptions::default();
        let mut inputs = InputOptions::default();
        let mut columns = toml::Table::new();
        let mut zones = None;
        let mut schools = None;
        let mut basemap: Option<toml::Table> = None;
        let mut changes = Vec::new();
        for layer in &layers {
            let f = &layer.file;
            let base = layer.path.parent().unwrap_or(Path::new("."));
            let resolve = |field: &'static str, p: &Path| -> Result<PathBuf, ScenarioError> {
                let full = crate::options::lexical(&base.join(p));
                if full.is_file() {
                    Ok(full)
                } else {
                    Err(ScenarioError::MissingFile {
                        path: layer.path.clone(),
                        field,
                        file: full,
                    })
                }
            };
            if let Some(p) = &f.policy {
                merge(&mut policy, p);
            }
            if let Some(s) = &f.solver {
                solver = s.clone().over(solver);
            }
            if let Some(p) = &f.projection {
                merge(&mut projection, p);
            }
            if let Some(l) = &f.lottery {
                merge(&mut lottery, l);
            }
            if let Some(z) = &f.zones {
                zones = Some(resolve("zones", z)?);
            }
            if let Some(s) = &f.schools {
                schools = Some(resolve("schools", s)?);
            }
            if let Some(b) = &f.basemap {
                merge(basemap.get_or_insert_with(toml::Table::new), b);
            }
            options = layer.options.clone().over(options);
            documents = layer.documents.clone().over(documents);
            inputs = layer.inputs.clone().over(inputs);
            if let Some(c) = &f.columns {
                merge(&mut columns, c);
            }
            // A weight that would silently do nothing is a mistake.
            if let Some(k) = layer.options.balance_km
                && options.objective != Some(Objective::Balance)
            {
                return Err(parse_error(
                    &layer.path,
                    format!(
                        "balance_km = {k} is given but the objective is \"distance\"; expected objective = \"balance\" here or in a scenario it extends"
                    ),
                ));
            }
            let tables = changes::Tables {
                add_school: f.add_school.clone(),
                change_school: f.change_school.clone(),
                new_housing: f.new_housing.clone(),
                close_school: f.close_school.clone(),
            };
            changes.extend(changes::parse(&layer.path, base, tables)?);
        }
        let missing = |field: &'static str| {
            parse_error(
                path,
                format!(
                    "`{field}` is missing; expected the path of the {field} file (GeoJSON, shapefile, CSV or Excel), relative to the scenario file, here or in a scenario it extends"
                ),
            )
        };
        let zones = zones.ok_or_else(|| missing("zones"))?;
        let schools = schools.ok_or_else(|| missing("schools"))?;
        let policy = policy_of(path, &policy, None)?;
        let projection: ProjectionSettings = typed(path, Some("projection"), &projection, None)?;
        projection
            .validate()
            .map_err(|m| parse_error(path, format!("[projection]: {m}")))?;
        let lottery: LotterySettings = typed(path, Some("lottery"), &lottery, None)?;
        lottery
            .validate()
            .map_err(|m| parse_error(path, format!("[lottery]: {m}")))?;
        let basemap = basemap_of(path, basemap)?;
        let own = &layers.last().expect("the chain holds this file").file;
        let base = path.parent().unwrap_or(Path::new("."));
        let name = match &own.name {
            Some(n) => checked_name(path, n)?,
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into()),
        };
        Ok(Scenario {
            path: path.to_path_buf(),
            zones,
            schools,
            basemap,
            options,
            documents,
            inputs,
            columns,
            out: own
                .out
                .as_ref()
                .map(|o| base.join(o))
                .unwrap_or_else(|| PathBuf::from("out").join(&name)),
            name,
            description: own.description.clone().unwrap_or_default(),
            policy,
            solver,
            chain: layers.into_iter().map(|l| l.path).collect(),
            changes,
            projection,
            lottery,
        })
    }
}

/// The chain's `[basemap]` tables merged, read and checked (the error
/// names the scenario, as a later file may complete its base's table).
fn basemap_of(path: &Path, table: Option<toml::Table>) -> Result<Option<Basemap>, ScenarioError> {
    let Some(table) = table else {
        return Ok(None);
    };
    let basemap: Basemap = typed(path, Some("basemap"), &table, None)?;
    basemap.check().map_err(|m| parse_error(path, m))?;
    Ok(Some(basemap))
}

/// A scenario's name goes into folder names (`out/NAME`): it is a name, not
/// a path, so it cannot write outside `out/`.
fn checked_name(path: &Path, name: &str) -> Result<String, ScenarioError> {
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control());
    if bad {
        return Err(parse_error(
            path,
            format!(
                "name is {name:?}; expected a plain name without path characters (/ \\ : ..), e.g. \"closure-2027\"; use `out` to choose the folder"
            ),
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::MigrantCatchments;
    use crate::plan::feeders::Feeders;

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

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn extends_merges_tables_and_inherits_maps() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "z.geojson", "{}");
        write(d, "s.geojson", "{}");
        write(
            d,
            "base.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\nstability_km = 2.0\n\
             [policy]\nschool_limit = 1800\nmigrant_target = 0.9\n[policy.junior]\nmax_km = 5.0\n\
             [projection]\nyears = 4\n[lottery]\nseeds = 20\n",
        );
        std::fs::create_dir(d.join("sub")).unwrap();
        let child = write(
            &d.join("sub"),
            "child.toml",
            "extends = \"../base.toml\"\n[policy.junior]\nclass_limit = 45\n[projection]\nmigration = 1.1\n\
             [lottery]\ngroup_size = 2\n",
        );
        let s = Scenario::load(&child).unwrap();
        assert_eq!(s.name, "child");
        assert_eq!(s.policy.school_limit, 1800);
        assert_eq!(s.policy.junior.class_limit, 45);
        assert_eq!(s.policy.junior.max_km, Some(5.0));
        assert_eq!(s.policy.migrant_target, 0.9);
        assert_eq!(s.options.stability_km, Some(2.0));
        assert_eq!(s.projection.years, 4);
        assert_eq!(s.projection.migration, 1.1);
        assert_eq!(
            (s.lottery.seeds, s.lottery.group_size, s.lottery.seed),
            (20, 2, 1)
        );
        assert_eq!(
            std::fs::canonicalize(&s.zones).unwrap(),
            std::fs::canonicalize(d.join("z.geojson")).unwrap()
        );
        assert_eq!(s.chain.len(), 2);
    }

    #[test]
    fn paths_given_up_and_across_folders_are_normalised_by_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "z.geojson", "{}");
        write(d, "s.geojson", "{}");
        write(d, "roads.geojson", "{}");
        std::fs::create_dir(d.join("scenarios")).unwrap();
        let s = write(
            &d.join("scenarios"),
            "s.toml",
            "zones = \"../z.geojson\"\nschools = \"./../s.geojson\"\nroads = \"../roads.geojson\"\n",
        );
        let s = Scenario::load(&s).unwrap();
        assert_eq!(s.options.roads, Some(d.join("roads.geojson")));
        assert_eq!(s.zones, d.join("z.geojson"));
        assert_eq!(s.schools, d.join("s.geojson"));
    }

    #[test]
    fn plan_options_are_keys_inherited_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "z.geojson", "{}");
        write(d, "s.geojson", "{}");
        write(d, "rivers.geojson", "{}");
        write(
            d,
            "base.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\nbarriers = \"rivers.geojson\"\n\
             compactness_km = 0.5\nclass_cost_km = 2.0\nfeeders = \"aligned\"\n",
        );
        let child = write(
            d,
            "child.toml",
            "extends = \"base.toml\"\nclass_cost_km = 1.0\n",
        );
        let s = Scenario::load(&child).unwrap();
        assert_eq!(
            s.options.barriers.as_deref(),
            Some(d.join("rivers.geojson").as_path())
        );
        assert_eq!(s.options.compactness_km, Some(0.5));
        assert_eq!(s.options.class_cost_km, Some(1.0));
        assert_eq!(s.options.feeders, Some(Feeders::Aligned));
        let free = write(
            d,
            "free.toml",
            "extends = \"base.toml\"\nfeeders = \"free\"\n",
        );
        assert_eq!(
            Scenario::load(&free).unwrap().options.feeders,
            Some(Feeders::Free)
        );
        let bad = write(
            d,
            "bad.toml",
            "extends = \"base.toml\"\nfeeders = \"yes\"\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(
            e.contains("bad.toml") && e.contains("feeders") && e.contains("aligned"),
            "{e}"
        );
        let bad = write(
            d,
            "neg.toml",
            "extends = \"base.toml\"\ncompactness_km = -1\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(e.contains("line 2: compactness_km is -1"), "{e}");
    }

    #[test]
    fn the_objective_is_a_key_inherited_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "z.geojson", "{}");
        write(d, "s.geojson", "{}");
        write(
            d,
            "base.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\nobjective = \"balance\"\nbalance_km = 3.0\n",
        );
        let child = write(d, "child.toml", "extends = \"base.toml\"\n");
        let s = Scenario::load(&child).unwrap();
        let o = s.options.resolve();
        assert_eq!((o.objective, o.balance_km), (Objective::Balance, Some(3.0)));
        let plain = write(
            d,
            "plain.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\n",
        );
        let s = Scenario::load(&plain).unwrap();
        let o = s.options.resolve();
        assert_eq!((o.objective, o.balance_km), (Objective::Distance, None));
        for (name, text, expect) in [
            ("fair.toml", "objective = \"fair\"\n", "objective"),
            ("neg.toml", "balance_km = -2\n", "balance_km is -2"),
            (
                "idle.toml",
                "objective = \"distance\"\nbalance_km = 2\n",
                "objective = \"balance\"",
            ),
        ] {
            let bad = write(d, name, &format!("extends = \"base.toml\"\n{text}"));
            let e = Scenario::load(&bad).unwrap_err().to_string();
            assert!(e.contains(name) && e.contains(expect), "{e}");
        }
    }

    #[test]
    fn a_bad_lottery_setting_names_its_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (text, expect) in [
            ("[lottery]\ngroup_size = 1\n", "expected at least 2"),
            ("[lottery]\nsed = 3\n", "sed"),
        ] {
            let p = write(
                d,
                "s.toml",
                &format!("zones = \"z\"\nschools = \"s\"\n{text}"),
            );
            let err = Scenario::load(&p).unwrap_err().to_string();
            assert!(
                err.contains("s.toml") && err.contains("lottery") && err.contains(expect),
                "{err}"
            );
        }
    }

    #[test]
    fn a_cycle_is_named_with_its_chain() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "a.toml", "extends = \"b.toml\"\n");
        write(d, "b.toml", "extends = \"a.toml\"\n");
        let err = Scenario::load(&d.join("a.toml")).unwrap_err().to_string();
        assert!(
            err.contains("cycle") && err.contains("a.toml extends"),
            "{err}"
        );
        write(d, "self.toml", "extends = \"self.toml\"\n");
        let err = Scenario::load(&d.join("self.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn a_bad_policy_key_names_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "base.toml", "zones = \"z\"\nschools = \"s\"\n");
        write(
            d,
            "child.toml",
            "extends = \"base.toml\"\n[policy]\nschool_limt = 3\n",
        );
        let err = Scenario::load(&d.join("child.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("child.toml") && err.contains("school_limt"),
            "{err}"
        );
    }

    #[test]
    fn migrant_catchments_is_a_key_inherited_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "z.geojson", "{}");
        write(d, "s.geojson", "{}");
        let base = write(
            d,
            "base.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\nmigrant_catchments = \"separate\"\n",
        );
        assert_eq!(
            Scenario::load(&base).unwrap().options.migrant_catchments,
            Some(MigrantCatchments::Separate)
        );
        let child = write(d, "child.toml", "extends = \"base.toml\"\n");
        let s = Scenario::load(&child).unwrap();
        assert_eq!(
            s.options.resolve().migrant_catchments,
            MigrantCatchments::Separate
        );
        let same = write(
            d,
            "same.toml",
            "extends = \"base.toml\"\nmigrant_catchments = \"same\"\n",
        );
        assert_eq!(
            Scenario::load(&same).unwrap().options.migrant_catchments,
            Some(MigrantCatchments::Same)
        );
        let bad = write(
            d,
            "bad.toml",
            "extends = \"base.toml\"\nmigrant_catchments = \"wider\"\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(
            e.contains("bad.toml") && e.contains("wider") && e.contains("separate"),
            "{e}"
        );
    }
}
