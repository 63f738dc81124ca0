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
//! [`crate::planning::changes`] for the order within a file). Tables
//! (`[policy]`, `[solver]`, `[projection]`, `[lottery]`) merge key by key,
//! this file's keys winning, so a scenario that only raises `class_limit`
//! keeps every other rule of its base. Other settings (`zones`, `schools`,
//! `locks`, `stability_km`, `contiguous`, `tiles`, `barriers`,
//! `compactness_km`, `class_cost_km`, `feeders`, `objective`, `balance_km`,
//! `migrant_catchments`) are inherited unless given;
//! `name`, `description` and `out` describe this file and are its own.
//! A chain that comes back to a file it has already read is an error that
//! lists the chain.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{InputError, LocksError, read_barriers, read_locks, read_region};
use crate::i18n::Lang;
use crate::model::Region;
use crate::plan::lottery::LotterySettings;
use crate::plan::{DEFAULT_BALANCE_KM, MigrantCatchments, Objective, Preferences};
use crate::planning::changes::{
    self, AddSchoolTable, Change, ChangeError, ChangeSchoolTable, CloseSchoolTable, NewHousingTable,
};
use crate::planning::grades;
use crate::planning::projection::ProjectionSettings;
use crate::policy::{Policy, PolicyError};
use crate::solve::Settings;

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
    /// Officers' locks (CSV: zone, school, action, stage).
    locks: Option<PathBuf>,
    /// Km of travel one moved child is worth (against `current_*`).
    stability_km: Option<f64>,
    /// Most children of a stage moved from today's school.
    max_moved: Option<u64>,
    /// Every catchment one connected piece (default true).
    contiguous: Option<bool>,
    /// A basemap tile URL for `catchment serve` (`https://…/{z}/{x}/{y}.png`).
    tiles: Option<String>,
    /// Rivers, expressways, railways (GeoJSON lines) not to be crossed.
    barriers: Option<PathBuf>,
    /// Km of travel one edge of catchment boundary is worth.
    compactness_km: Option<f64>,
    /// Km of child travel one more entry class is worth.
    class_cost_km: Option<f64>,
    /// 对口直升: `"aligned"` draws junior catchments over whole primary
    /// ones; `"free"` (default) draws each stage on its own.
    feeders: Option<String>,
    /// `"distance"` (default) or `"balance"`: trade child-km for an even
    /// use of seats between neighbouring schools.
    objective: Option<String>,
    /// With `objective = "balance"`: km of travel worth moving one child
    /// from a full school to an empty one.
    balance_km: Option<f64>,
    /// `"separate"`: migrant children get catchments of their own, drawn
    /// after the local ones; `"same"` (default): one catchment for both.
    migrant_catchments: Option<String>,
    /// The language of the documents: `"zh"` (default) or `"en"`.
    lang: Option<String>,
    policy: Option<toml::Table>,
    solver: Option<toml::Table>,
    /// Multi-year projection settings (`catchment project`).
    projection: Option<toml::Table>,
    /// Multi-school zone settings (`catchment lottery`).
    lottery: Option<toml::Table>,
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
    pub locks: Option<PathBuf>,
    pub stability_km: f64,
    pub max_moved: Option<u64>,
    pub contiguous: bool,
    /// A basemap tile URL for the officers' map; None: no basemap (offline).
    pub tiles: Option<String>,
    pub barriers: Option<PathBuf>,
    pub compactness_km: f64,
    pub class_cost_km: f64,
    pub feeders_aligned: bool,
    pub objective: Objective,
    /// None: the default weight (`DEFAULT_BALANCE_KM`).
    pub balance_km: Option<f64>,
    pub migrant_catchments: MigrantCatchments,
    pub lang: Lang,
    pub policy: Policy,
    pub solver: Settings,
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

/// A policy table read and checked as [`Policy`].
fn policy_of(path: &Path, table: &toml::Table) -> Result<Policy, ScenarioError> {
    let policy: Policy = toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| parse_error(path, format!("[policy]: {}", e.message())))?;
    policy.validate().map_err(|source| ScenarioError::Policy {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(policy)
}

fn typed<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    table: &toml::Table,
) -> Result<T, ScenarioError> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| parse_error(path, format!("[{what}]: {}", e.message())))
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
    let file: ScenarioFile = toml::from_str(&text).map_err(|e| parse_error(path, e.to_string()))?;
    for (key, value) in [
        ("stability_km", file.stability_km),
        ("compactness_km", file.compactness_km),
        ("class_cost_km", file.class_cost_km),
        ("balance_km", file.balance_km),
    ] {
        if let Some(km) = value
            && !(km.is_finite() && km >= 0.0)
        {
            return Err(parse_error(
                path,
                format!("{key} is {km}; expected a distance >= 0 in km"),
            ));
        }
    }
    if let Some(f) = &file.feeders
        && f != "aligned"
        && f != "free"
    {
        return Err(parse_error(
            path,
            format!("feeders is \"{f}\"; expected \"aligned\" or \"free\""),
        ));
    }
    if let Some(o) = &file.objective
        && Objective::parse(o).is_none()
    {
        return Err(parse_error(
            path,
            format!("objective is \"{o}\"; expected \"distance\" or \"balance\""),
        ));
    }
    if let Some(m) = &file.migrant_catchments
        && MigrantCatchments::parse(m).is_none()
    {
        return Err(parse_error(
            path,
            format!("migrant_catchments is \"{m}\"; expected \"same\" or \"separate\""),
        ));
    }
    if let Some(l) = &file.lang
        && Lang::parse(l).is_none()
    {
        return Err(parse_error(
            path,
            format!("lang is \"{l}\"; expected \"zh\" or \"en\""),
        ));
    }
    // Each file's own tables must make sense alone, so that an error names
    // the file that holds the mistake.
    if let Some(p) = &file.policy {
        policy_of(path, p)?;
    }
    if let Some(s) = &file.solver {
        typed::<Settings>(path, "solver", s)?;
    }
    if let Some(p) = &file.projection {
        typed::<ProjectionSettings>(path, "projection", p)?
            .validate()
            .map_err(|m| parse_error(path, format!("[projection]: {m}")))?;
    }
    if let Some(l) = &file.lottery {
        typed::<LotterySettings>(path, "lottery", l)?
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
    layers.push(Layer {
        path: path.to_path_buf(),
        file,
    });
    Ok(layers)
}

impl Scenario {
    /// The region this scenario describes: its maps, read and checked, with
    /// the chain's changes applied.
    /// What the scenario asks of the plan beyond the policy: locks,
    /// stability, contiguity, barriers, compactness, class cost, feeders,
    /// objective, migrant catchments.
    pub fn preferences(&self, region: &Region) -> Result<Preferences, ScenarioError> {
        Ok(Preferences {
            locks: match &self.locks {
                Some(path) => read_locks(path, region)?,
                None => Vec::new(),
            },
            stability_km: self.stability_km,
            contiguous: self.contiguous,
            barriers: match &self.barriers {
                Some(path) => read_barriers(path)?,
                None => Vec::new(),
            },
            compactness_km: self.compactness_km,
            class_cost_km: self.class_cost_km,
            feeders_aligned: self.feeders_aligned,
            objective: self.objective,
            balance_km: self.balance_km.unwrap_or(DEFAULT_BALANCE_KM),
            migrant_catchments: self.migrant_catchments,
            ..Preferences::default()
        })
    }

    pub fn region(&self) -> Result<Region, ScenarioError> {
        Ok(self.changed_region()?.0)
    }

    /// The region and one line per change saying what it did.
    pub fn changed_region(&self) -> Result<(Region, Vec<String>), ScenarioError> {
        let mut region = read_region(&self.zones, &self.schools)?;
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
        let log = changes::apply(&mut region, &self.changes)?;
        Ok((region, log))
    }

    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let layers = read_chain(path, &mut Vec::new())?;
        // Settings: each later file's keys over the earlier ones'.
        let mut policy = toml::Table::new();
        let mut solver = toml::Table::new();
        let mut projection = toml::Table::new();
        let mut lottery = toml::Table::new();
        let mut zones = None;
        let mut schools = None;
        let mut locks = None;
        let mut stability_km = 0.0;
        let mut max_moved = None;
        let mut contiguous = true;
        let mut tiles = None;
        let mut barriers = None;
        let mut compactness_km = 0.0;
        let mut class_cost_km = 0.0;
        let mut feeders_aligned = false;
        let mut objective = Objective::Distance;
        let mut balance_km = None;
        let mut migrant_catchments = MigrantCatchments::Same;
        let mut lang = Lang::default();
        let mut changes = Vec::new();
        for layer in &layers {
            let f = &layer.file;
            let base = layer.path.parent().unwrap_or(Path::new("."));
            let resolve = |field: &'static str, p: &Path| -> Result<PathBuf, ScenarioError> {
                let full = base.join(p);
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
                merge(&mut solver, s);
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
            if let Some(l) = &f.locks {
                locks = Some(resolve("locks", l)?);
            }
            if let Some(k) = f.stability_km {
                stability_km = k;
            }
            if f.max_moved.is_some() {
                max_moved = f.max_moved;
            }
            if let Some(c) = f.contiguous {
                contiguous = c;
            }
            if f.tiles.is_some() {
                tiles = f.tiles.clone();
            }
            if let Some(b) = &f.barriers {
                barriers = Some(resolve("barriers", b)?);
            }
            if let Some(k) = f.compactness_km {
                compactness_km = k;
            }
            if let Some(k) = f.class_cost_km {
                class_cost_km = k;
            }
            if let Some(feeders) = &f.feeders {
                feeders_aligned = feeders == "aligned";
            }
            if let Some(o) = &f.objective {
                objective = Objective::parse(o).expect("checked when read");
            }
            if let Some(k) = f.balance_km {
                // A weight that would silently do nothing is a mistake.
                if objective != Objective::Balance {
                    return Err(parse_error(
                        &layer.path,
                        format!(
                            "balance_km = {k} is given but the objective is \"distance\"; expected objective = \"balance\" here or in a scenario it extends"
                        ),
                    ));
                }
                balance_km = Some(k);
            }
            if let Some(m) = f
                .migrant_catchments
                .as_deref()
                .and_then(MigrantCatchments::parse)
            {
                migrant_catchments = m;
            }
            if let Some(l) = f.lang.as_deref().and_then(Lang::parse) {
                lang = l;
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
                    "`{field}` is missing; expected the path of the {field} file (GeoJSON), relative to the scenario file, here or in a scenario it extends"
                ),
            )
        };
        let zones = zones.ok_or_else(|| missing("zones"))?;
        let schools = schools.ok_or_else(|| missing("schools"))?;
        let policy = policy_of(path, &policy)?;
        let solver: Settings = typed(path, "solver", &solver)?;
        let projection: ProjectionSettings = typed(path, "projection", &projection)?;
        projection
            .validate()
            .map_err(|m| parse_error(path, format!("[projection]: {m}")))?;
        let lottery: LotterySettings = typed(path, "lottery", &lottery)?;
        lottery
            .validate()
            .map_err(|m| parse_error(path, format!("[lottery]: {m}")))?;
        let own = &layers.last().expect("the chain holds this file").file;
        let base = path.parent().unwrap_or(Path::new("."));
        let name = own.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        });
        Ok(Scenario {
            path: path.to_path_buf(),
            zones,
            schools,
            locks,
            stability_km,
            max_moved,
            contiguous,
            tiles,
            barriers,
            compactness_km,
            class_cost_km,
            feeders_aligned,
            objective,
            balance_km,
            migrant_catchments,
            lang,
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
        assert_eq!(s.stability_km, 2.0);
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
            s.barriers.as_deref(),
            Some(d.join("rivers.geojson").as_path())
        );
        assert_eq!(s.compactness_km, 0.5);
        assert_eq!(s.class_cost_km, 1.0);
        assert!(s.feeders_aligned);
        let free = write(
            d,
            "free.toml",
            "extends = \"base.toml\"\nfeeders = \"free\"\n",
        );
        assert!(!Scenario::load(&free).unwrap().feeders_aligned);
        let bad = write(
            d,
            "bad.toml",
            "extends = \"base.toml\"\nfeeders = \"yes\"\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(
            e.contains("bad.toml") && e.contains("\"aligned\" or \"free\""),
            "{e}"
        );
        let bad = write(
            d,
            "neg.toml",
            "extends = \"base.toml\"\ncompactness_km = -1\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(e.contains("compactness_km is -1"), "{e}");
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
        assert_eq!((s.objective, s.balance_km), (Objective::Balance, Some(3.0)));
        let region_free = Preferences {
            objective: s.objective,
            ..Preferences::default()
        };
        assert_eq!(region_free.balance_km, DEFAULT_BALANCE_KM);
        let plain = write(
            d,
            "plain.toml",
            "zones = \"z.geojson\"\nschools = \"s.geojson\"\n",
        );
        let s = Scenario::load(&plain).unwrap();
        assert_eq!((s.objective, s.balance_km), (Objective::Distance, None));
        for (name, text, expect) in [
            (
                "fair.toml",
                "objective = \"fair\"\n",
                "\"distance\" or \"balance\"",
            ),
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
                err.contains("s.toml") && err.contains("[lottery]") && err.contains(expect),
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
            Scenario::load(&base).unwrap().migrant_catchments,
            MigrantCatchments::Separate
        );
        let child = write(d, "child.toml", "extends = \"base.toml\"\n");
        let s = Scenario::load(&child).unwrap();
        assert_eq!(s.migrant_catchments, MigrantCatchments::Separate);
        let region = Region::default();
        assert_eq!(
            s.preferences(&region).unwrap().migrant_catchments,
            MigrantCatchments::Separate
        );
        let same = write(
            d,
            "same.toml",
            "extends = \"base.toml\"\nmigrant_catchments = \"same\"\n",
        );
        assert_eq!(
            Scenario::load(&same).unwrap().migrant_catchments,
            MigrantCatchments::Same
        );
        let bad = write(
            d,
            "bad.toml",
            "extends = \"base.toml\"\nmigrant_catchments = \"wider\"\n",
        );
        let e = Scenario::load(&bad).unwrap_err().to_string();
        assert!(
            e.contains("bad.toml")
                && e.contains("migrant_catchments is \"wider\"")
                && e.contains("\"same\" or \"separate\""),
            "{e}"
        );
    }
}
