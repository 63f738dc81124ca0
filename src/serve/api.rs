//! The JSON API over one editing session: the loaded plan, the officer's
//! locks, and the undo / redo history.
//!
//! Every change goes through one rule: build the new lock set, call
//! [`allocate`] with it, and only when that succeeds replace the plan. A
//! request that fails for any reason (bad body, unknown id, a lock set no
//! plan can meet) leaves the session exactly as it was. A change that
//! succeeds is written to the journal (and fsynced) before it is installed
//! and answered: what the officer saw acknowledged survives a crash.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::exports::{self, Export};
use super::geometry::{Outlines, feature, position, today_outlines, zones_geojson};
use super::journal::{Entry, Journal, JournalError, LockRow, StageKm, digest, utc_now};
use super::query::{list, param, stage};
use super::warnings::Baseline;
use super::{Body, Reply};
use crate::io::locks::{LockRecord, resolve};
use crate::io::{LocksError, write_locks};
use crate::model::{Lock, LockKind, Region, Stage};
use crate::plan::{Plan, PlanError, Preferences, Shortage, check, make};
use crate::policy::Policy;
use crate::report::{ReportError, RunInfo, Summary, school_colors, write_all};
use crate::run::{Flags, Run, RunError};
use crate::run::{Scenario, ScenarioError};
use crate::solve::Settings;
use crate::spatial::{Crs, Distances};
use geo::Point;

/// Undo steps kept. Each holds a whole plan (a few MB at 20,000 zones), so
/// that undo and redo are instant instead of a new solve.
const HISTORY: usize = 50;

/// The files `GET /api/export/{file}` serves, with their media types. The
/// request's name is only ever compared with these; the path on disk is
/// built from the entry of this list, never from the request.
pub const EXPORTS: [(&str, &str); 11] = [
    ("catchments.geojson", "application/geo+json"),
    ("zones.geojson", "application/geo+json"),
    ("schools.csv", "text/csv; charset=utf-8"),
    ("catchment-lists.csv", "text/csv; charset=utf-8"),
    ("catchment-lists.md", "text/markdown; charset=utf-8"),
    ("unplaced.csv", "text/csv; charset=utf-8"),
    ("report.md", "text/markdown; charset=utf-8"),
    ("summary.json", "application/json"),
    ("locks.csv", "text/csv; charset=utf-8"),
    ("map-primary.png", "image/png"),
    ("map-junior.png", "image/png"),
];

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Scenario(Box<ScenarioError>),
    #[error(transparent)]
    Run(Box<RunError>),
    #[error(transparent)]
    Locks(Box<LocksError>),
    #[error("the scenario's plan cannot be made: {0}")]
    Plan(Box<PlanError>),
    #[error("internal error, please report: children lost in the plan: {0}")]
    Lost(String),
    #[error("{path}: {message}")]
    Basemap { path: PathBuf, message: String },
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: String, message: String },
    #[error(transparent)]
    Journal(Box<JournalError>),
    #[error(
        "{path} line {line}: replaying this edit {message}; the journal does not fit these inputs: move it away or give another --out folder"
    )]
    Replay {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl From<JournalError> for StartError {
    fn from(e: JournalError) -> Self {
        StartError::Journal(Box::new(e))
    }
}

// Boxed: the input errors carry whole paths and messages, and a start
// error is returned through every layer of starting up.
impl From<RunError> for StartError {
    fn from(e: RunError) -> Self {
        StartError::Run(Box::new(e))
    }
}

impl From<ScenarioError> for StartError {
    fn from(e: ScenarioError) -> Self {
        StartError::Scenario(Box::new(e))
    }
}

impl From<LocksError> for StartError {
    fn from(e: LocksError) -> Self {
        StartError::Locks(Box::new(e))
    }
}

impl From<PlanError> for StartError {
    fn from(e: PlanError) -> Self {
        StartError::Plan(Box::new(e))
    }
}

/// What the session shows besides the plan: the scenario's name, its
/// basemap and where exports go.
#[derive(Clone, Debug)]
pub struct Info {
    pub name: String,
    pub description: String,
    /// The online basemap, key filled in; None keeps the map offline.
    /// Every coordinate the page gets is in its `crs`.
    pub tiles: Option<crate::run::Tiles>,
    /// The folder exports are written to; nothing is written elsewhere.
    pub out: PathBuf,
    /// How exports write their map files, as `catchment run` would.
    pub output: crate::run::MapOutput,
    /// The coordinate systems the zones and schools were read in.
    pub input_crs: crate::run::InputCrs,
    /// The language of exported documents.
    pub lang: crate::i18n::Lang,
}

impl Info {
    /// The coordinate system the page draws in: its basemap's, WGS84
    /// without one.
    pub fn view_crs(&self) -> crate::spatial::Crs {
        self.tiles.as_ref().map(|t| t.crs).unwrap_or_default()
    }
}

/// A plan with the locks it was made under. A journal replayed at start
/// gives the undo steps' lock sets only: their plans are made again when
/// they are needed (the same plans: a plan depends only on its inputs).
struct Snapshot {
    locks: Vec<Lock>,
    plan: Option<Plan>,
    seconds: f64,
}

/// The outlines a change redrew: per stage, the schools whose catchment
/// changed since version `from`.
struct Redrawn {
    from: u64,
    schools: [Vec<usize>; 2],
}

/// Undo and redo stacks of lock sets with their plans.
#[derive(Default)]
pub struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
}

impl History {
    fn push_undo(&mut self, s: Snapshot) {
        if self.undo.len() == HISTORY {
            self.undo.remove(0);
        }
        self.undo.push(s);
    }

    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    pub fn redo_steps(&self) -> usize {
        self.redo.len()
    }
}

/// One officer's editing session over one region.
pub struct Session {
    pub region: Region,
    pub policy: Policy,
    pub settings: Settings,
    /// The locks in force (kept sorted) with the scenario's stability and
    /// contiguity.
    pub preferences: Preferences,
    pub plan: Plan,
    pub history: History,
    info: Info,
    /// Counts changes of the loaded plan; the page uses it to tell whether
    /// an answer's outline changes apply to what it shows.
    version: u64,
    /// Seconds the current plan took to allocate.
    seconds: f64,
    /// Each zone's school in the session's first plan, per stage.
    start: [Vec<Option<u32>>; 2],
    /// Zones whose school the last change moved, per stage.
    changed: [Vec<usize>; 2],
    zone_ids: HashMap<String, usize>,
    school_ids: HashMap<String, usize>,
    outlines: Outlines,
    /// The last export of this session, if any.
    exported: Option<Export>,
    colors: [Vec<String>; 2],
    /// Every change, durably, in `info.out/edits.jsonl`.
    journal: Journal,
    /// What warnings are measured against.
    baseline: Baseline,
    /// `GET /api/zones`, built once: the zones never change in a session.
    zones_json: Arc<Vec<u8>>,
    /// Today's catchment outlines per stage, made when first asked for.
    today: [OnceLock<Value>; 2],
}

/// A change as the journal records it.
struct Edit {
    action: &'static str,
    zones: Vec<String>,
    school: Option<String>,
    stage: Option<String>,
    /// An import: the journal keeps the whole lock set.
    import: bool,
}

impl Edit {
    fn bare(action: &'static str) -> Edit {
        Edit {
            action,
            zones: Vec::new(),
            school: None,
            stage: None,
            import: false,
        }
    }
}

/// The one place plans are made: the scenario's, each change's, and the
/// plan without locks that warnings measure against.
fn solve(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
) -> Result<Plan, PlanError> {
    make(region, policy, settings, preferences, &())
}

/// A lock as the API shows it.
#[derive(Serialize)]
struct LockJson<'a> {
    zone: &'a str,
    school: &'a str,
    action: &'static str,
    stage: &'static str,
}

/// `POST /api/locks`: one change of the officer's locks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockChange {
    action: Action,
    zones: Vec<String>,
    #[serde(default)]
    school: Option<String>,
    #[serde(default)]
    stage: Option<StageName>,
}

#[derive(Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Action {
    Pin,
    Forbid,
    Release,
}

impl Action {
    fn key(self) -> &'static str {
        match self {
            Action::Pin => "pin",
            Action::Forbid => "forbid",
            Action::Release => "release",
        }
    }
}

impl LockChange {
    /// The change a journal entry recorded.
    fn from_entry(e: &Entry) -> Result<LockChange, String> {
        let action = match e.action.as_str() {
            "pin" => Action::Pin,
            "forbid" => Action::Forbid,
            "release" => Action::Release,
            other => return Err(format!("has an unknown action \"{other}\"")),
        };
        let stage = match e.stage.as_deref() {
            None => None,
            Some("primary") => Some(StageName::Primary),
            Some("junior") => Some(StageName::Junior),
            Some(other) => return Err(format!("has an unknown stage \"{other}\"")),
        };
        Ok(LockChange {
            action,
            zones: e.zones.clone(),
            school: e.school.clone(),
            stage,
        })
    }

    fn edit(&self) -> Edit {
        Edit {
            action: self.action.key(),
            zones: self.zones.clone(),
            school: self.school.clone(),
            stage: self.stage.map(|s| s.stage().key().to_string()),
            import: false,
        }
    }
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StageName {
    Primary,
    Junior,
}

impl StageName {
    fn stage(self) -> Stage {
        match self {
            StageName::Primary => Stage::Primary,
            StageName::Junior => Stage::Junior,
        }
    }
}

const LOCK_BODY: &str = r#"{"action": "pin" | "forbid" | "release", "zones": ["zone id", ...], "school": "school id", "stage": "primary" | "junior"}"#;

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn action_key(kind: LockKind) -> &'static str {
    match kind {
        LockKind::Pin => "pin",
        LockKind::Forbid => "forbid",
    }
}

/// Locks in one order (zone, stage, kind, school) without repeats, so that
/// equal lock sets compare equal and print the same.
fn canonical(mut locks: Vec<Lock>) -> Vec<Lock> {
    let key = |l: &Lock| (l.zone, l.stage, action_key(l.kind), l.school);
    locks.sort_by(|a, b| key(a).cmp(&key(b)));
    locks.dedup();
    locks
}

impl Session {
    /// Opens a scenario without flags.
    pub fn from_scenario(scenario: &Scenario, out: PathBuf) -> Result<Session, StartError> {
        Session::from_run(&Run::from_scenario(
            scenario.clone(),
            &Flags::default(),
            Some(out),
        )?)
    }

    /// Opens a scenario's run as `catchment run` would read it (its maps,
    /// every plan option and flag) and makes its plan.
    pub fn from_run(run: &Run) -> Result<Session, StartError> {
        let scenario = run.scenario();
        let tiles = match scenario.and_then(|s| s.basemap.as_ref().map(|b| (s, b))) {
            Some((s, b)) => Some(b.tiles(|var| std::env::var(var).ok()).map_err(|message| {
                StartError::Basemap {
                    path: s.path.clone(),
                    message,
                }
            })?),
            None => None,
        };
        let (region, _) = run.region()?;
        let preferences = run.preferences(&region)?;
        let info = Info {
            name: run.name.clone(),
            description: run.description.clone(),
            tiles,
            out: run.out.clone(),
            output: run.map_output(),
            input_crs: run.inputs.input_crs(),
            lang: run.documents.lang,
        };
        Session::new(
            region,
            run.policy.clone(),
            run.settings.clone(),
            preferences,
            info,
        )
    }

    /// Makes the first plan of a region under the given locks, then
    /// replays the journal of `info.out` if it has one.
    pub fn new(
        region: Region,
        policy: Policy,
        settings: Settings,
        mut preferences: Preferences,
        info: Info,
    ) -> Result<Session, StartError> {
        preferences.locks = canonical(std::mem::take(&mut preferences.locks));
        let t = Instant::now();
        let plan = solve(&region, &policy, &settings, &preferences)?;
        let seconds = t.elapsed().as_secs_f64();
        plan.conservation(&region).map_err(StartError::Lost)?;
        let baseline = if preferences.locks.is_empty() {
            Baseline::new(&region, &policy, &plan, &plan)
        } else {
            let free = Preferences {
                locks: Vec::new(),
                ..preferences.clone()
            };
            let unlocked = solve(&region, &policy, &settings, &free)?;
            Baseline::new(&region, &policy, &plan, &unlocked)
        };
        let start = Stage::ALL.map(|st| plan.stage(st).zones.iter().map(|z| z.school).collect());
        let view = info.view_crs();
        let mut outlines = Outlines::new(&region, view);
        outlines.update(&region, &plan);
        let colors = Stage::ALL.map(|st| school_colors(&region, st).into_iter().map(hex).collect());
        let zones_json = Arc::new(zones_geojson(&region, view));
        // The journal belongs to the inputs, not to the basemap drawn under
        // them: the fingerprint reads the zones in WGS84 whatever the page.
        let wgs84 = match view {
            Crs::Wgs84 => Arc::clone(&zones_json),
            _ => Arc::new(zones_geojson(&region, Crs::Wgs84)),
        };
        let fingerprint = digest(&[
            &wgs84,
            format!("{:?}", region.schools).as_bytes(),
            format!("{policy:?}").as_bytes(),
            format!("{settings:?}").as_bytes(),
            format!("{preferences:?}").as_bytes(),
        ]);
        let journal = Journal::open(&info.out, &info.name, &fingerprint)?;
        let mut session = Session {
            zone_ids: region
                .zones
                .iter()
                .enumerate()
                .map(|(i, z)| (z.id.clone(), i))
                .collect(),
            school_ids: region
                .schools
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), i))
                .collect(),
            region,
            policy,
            settings,
            preferences,
            plan,
            history: History::default(),
            info,
            version: 1,
            seconds,
            start,
            changed: [Vec::new(), Vec::new()],
            outlines,
            exported: None,
            colors,
            journal,
            baseline,
            zones_json,
            today: [OnceLock::new(), OnceLock::new()],
        };
        session.replay()?;
        Ok(session)
    }

    /// Replays the journal's lock changes (no solve per edit), checking
    /// each against the lock set it recorded, then makes the plan of the
    /// final locks: the plan the officer last saw. Undo and redo steps come
    /// back as lock sets.
    fn replay(&mut self) -> Result<(), StartError> {
        let entries = self.journal.entries().to_vec();
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut locks = self.preferences.locks.clone();
        let (mut undo, mut redo): (Vec<Vec<Lock>>, Vec<Vec<Lock>>) = (Vec::new(), Vec::new());
        for (k, e) in entries.iter().enumerate() {
            let fail = |message: String| StartError::Replay {
                path: self.journal.path().to_path_buf(),
                line: k + 2,
                message,
            };
            match e.action.as_str() {
                "undo" => {
                    let prev = undo
                        .pop()
                        .ok_or_else(|| fail("finds nothing to undo".into()))?;
                    redo.push(std::mem::replace(&mut locks, prev));
                }
                "redo" => {
                    let next = redo
                        .pop()
                        .ok_or_else(|| fail("finds nothing to redo".into()))?;
                    undo.push(std::mem::replace(&mut locks, next));
                }
                action => {
                    let new = if action == "import" {
                        let rows = e.locks.as_deref().unwrap_or_default();
                        self.resolve_rows(rows).map_err(&fail)?
                    } else {
                        let change = LockChange::from_entry(e).map_err(&fail)?;
                        self.apply_to(&locks, &change)
                            .map_err(|r| fail(format!("is refused: {}", r.message())))?
                    };
                    undo.push(std::mem::replace(&mut locks, canonical(new)));
                    redo.clear();
                }
            }
            if undo.len() > HISTORY {
                undo.remove(0);
            }
            let found = self.lock_digest(&locks);
            if found != e.lock_digest || locks.len() != e.lock_count {
                return Err(fail(format!(
                    "gives {} locks ({found}) where the journal recorded {} ({})",
                    locks.len(),
                    e.lock_count,
                    e.lock_digest
                )));
            }
        }
        let preferences = Preferences {
            locks: locks.clone(),
            ..self.preferences.clone()
        };
        let t = Instant::now();
        let plan = solve(&self.region, &self.policy, &self.settings, &preferences)?;
        plan.conservation(&self.region).map_err(StartError::Lost)?;
        self.install(locks, plan, t.elapsed().as_secs_f64());
        // The page counts versions on from where the officer left off, and
        // this start moved nothing.
        self.version = last.version;
        self.changed = [Vec::new(), Vec::new()];
        let snapshot = |locks| Snapshot {
            locks,
            plan: None,
            seconds: 0.0,
        };
        self.history.undo = undo.into_iter().map(snapshot).collect();
        self.history.redo = redo.into_iter().map(snapshot).collect();
        eprintln!(
            "{}: replayed {} edits; {} locks in force",
            self.journal.path().display(),
            entries.len(),
            self.preferences.locks.len()
        );
        Ok(())
    }

    /// An import's journalled lock set, checked against the region.
    fn resolve_rows(&self, rows: &[LockRow]) -> Result<Vec<Lock>, String> {
        let records: Vec<(usize, LockRecord)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    i + 1,
                    LockRecord {
                        zone: r.zone.clone(),
                        school: r.school.clone(),
                        action: r.action.clone(),
                        stage: Some(r.stage.clone()),
                    },
                )
            })
            .collect();
        resolve(&records, &self.region)
            .map_err(|(i, m)| format!("imports a lock set whose lock {i} is refused: {m}"))
    }

    /// A digest of a lock set (as its locks.csv).
    fn lock_digest(&self, locks: &[Lock]) -> String {
        let mut bytes = Vec::new();
        write_locks(&mut bytes, locks, &self.region).expect("writing to memory");
        digest(&[&bytes])
    }

    fn lock_rows(&self, locks: &[Lock]) -> Vec<LockRow> {
        locks
            .iter()
            .map(|l| LockRow {
                zone: self.region.zones[l.zone].id.clone(),
                school: self.region.schools[l.school].id.clone(),
                action: action_key(l.kind).into(),
                stage: l.stage.key().into(),
            })
            .collect()
    }

    /// Writes a change to the journal, durably, before it is installed.
    /// `locks` and `plan`: what the change makes.
    fn record(&mut self, edit: Edit, locks: &[Lock], plan: &Plan) -> Result<(), Reply> {
        let km = |p: &Plan| StageKm {
            primary: round(p.stage(Stage::Primary).quality.travel_km(), 3),
            junior: round(p.stage(Stage::Junior).quality.travel_km(), 3),
        };
        let (now, before) = (km(plan), km(&self.plan));
        let entry = Entry {
            seq: self.journal.next_seq(),
            time: utc_now(),
            action: edit.action.into(),
            zones: edit.zones,
            school: edit.school,
            stage: edit.stage,
            locks: edit.import.then(|| self.lock_rows(locks)),
            version: self.version + 1,
            lock_count: locks.len(),
            lock_digest: self.lock_digest(locks),
            child_km: now,
            delta_km: StageKm {
                primary: round(now.primary - before.primary, 3),
                junior: round(now.junior - before.junior, 3),
            },
        };
        self.journal.append(entry).map_err(|e| {
            Reply::error(
                500,
                &format!(
                    "cannot write the journal {}: {e}; the change was not applied",
                    self.journal.path().display()
                ),
            )
        })
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Seconds the current plan took to allocate.
    pub fn seconds(&self) -> f64 {
        self.seconds
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    /// `GET /api/zones`, built once: the zones never change in a session.
    pub fn zones_json(&self) -> Arc<Vec<u8>> {
        Arc::clone(&self.zones_json)
    }

    /// `GET /api/config`: the scenario and the limits the panel shows.
    pub fn config(&self) -> Value {
        let stage = |st: Stage| {
            let p = self.policy.stage(st);
            json!({
                "class_limit": p.class_limit,
                "max_km": p.max_km,
                "balance_thresholds": self.policy.balance.thresholds(st),
            })
        };
        json!({
            "name": self.info.name,
            "description": self.info.description,
            "basemap": self.info.tiles.as_ref().map(|t| json!({
                "url": t.url,
                "crs": t.crs.key(),
                "attribution": t.attribution,
                "subdomains": t.subdomains,
                "max_zoom": t.max_zoom,
            })),
            "zones": self.region.zones.len(),
            "schools": self.region.schools.len(),
            "out": self.info.out.display().to_string(),
            "stability_km": self.preferences.stability_km,
            "contiguous": self.preferences.contiguous,
            "limits": {
                "primary": stage(Stage::Primary),
                "junior": stage(Stage::Junior),
                "school_limit": self.policy.school_limit,
                "nine_year_school_limit": self.policy.nine_year_school_limit,
                "large_class": self.policy.large_class,
            },
            "exports": EXPORTS.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        })
    }

    /// `GET /api/schools`: every school in index order, with its stable
    /// colour per stage and whether it takes a catchment there.
    pub fn schools(&self) -> Value {
        let list: Vec<Value> = self
            .region
            .schools
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind.key(),
                    "sector": s.sector.key(),
                    "county": s.county,
                    "location": position(s.location.x(), s.location.y(), self.info.view_crs()),
                    "catchment": {
                        "primary": s.takes_catchment(Stage::Primary),
                        "junior": s.takes_catchment(Stage::Junior),
                    },
                    "color": {
                        "primary": self.colors[0][i],
                        "junior": self.colors[1][i],
                    },
                })
            })
            .collect();
        Value::Array(list)
    }

    /// `GET /api/outlines?stage=`: every catchment outline of a stage.
    pub fn outlines(&self, stage: Stage) -> Value {
        let mut v = self.outlines.collection(stage);
        v["version"] = self.version.into();
        v
    }

    /// `GET /api/outlines?stage=&of=today`: today's catchments (`current_*`).
    pub fn today_outlines(&self, stage: Stage) -> Value {
        self.today[stage.index()]
            .get_or_init(|| today_outlines(&self.region, stage, self.info.view_crs()))
            .clone()
    }

    /// `GET /api/route?zone=ID&stage=primary|junior[&school=ID]`: the way
    /// from a zone to its catchment school of the stage (or to `school`,
    /// the school it would go to if reassigned) as a GeoJSON LineString
    /// with its km: along the roads where the plan measures by road. The
    /// region's distances keep every search they make, so asking again is
    /// quick.
    pub fn route(&self, query: &str) -> Result<Value, (u16, String)> {
        let zone_id = param(query, "zone")
            .ok_or((400, "expected ?zone=ID&stage=primary|junior".to_string()))?;
        let z = self.zone_of(&zone_id)?;
        let stage = stage(query)?;
        let school = match param(query, "school") {
            Some(id) => *self
                .school_ids
                .get(&id)
                .ok_or((404, format!("school \"{id}\" is not in the plan")))?,
            None => self.plan.stage(stage).zones[z].school.ok_or((
                404,
                format!("zone \"{zone_id}\" has no {} school", stage.key()),
            ))? as usize,
        };
        let (zone, to) = (&self.region.zones[z], &self.region.schools[school]);
        let (line, metres) = self.region.distances.route(zone.centroid, to.location);
        let straight = crate::spatial::Distances::straight_metres(zone.centroid, to.location);
        Ok(serde_json::json!({
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": line
                    .iter()
                    .map(|c| position(c.x, c.y, self.info.view_crs()))
                    .collect::<Vec<_>>(),
            },
            "properties": {
                "zone": zone.id,
                "school": to.id,
                "stage": stage.key(),
                "distance": self.region.distances.kind(),
                "km": metres as f64 / 1000.0,
                "straight_km": straight as f64 / 1000.0,
            },
        }))
    }

    /// `GET /api/nearby?zones=ID,ID&stage=primary|junior`: the schools of
    /// the stage nearest the zones on average, by the plan's own measure
    /// (along the roads where it measures by road), so the officer's list
    /// and the plan agree. Straight metres bound the measure from below,
    /// so schools are priced in order of straight distance until none left
    /// can enter the list.
    pub fn nearby(&self, query: &str) -> Result<Value, (u16, String)> {
        const LISTED: usize = 8;
        let ids = list(query, "zones").ok_or((
            400,
            "expected ?zones=ID,ID&stage=primary|junior".to_string(),
        ))?;
        let zones = ids
            .iter()
            .map(|id| self.zone_of(id))
            .collect::<Result<Vec<_>, _>>()?;
        let stage = stage(query)?;
        let county = &self.region.zones[zones[0]].county;
        if zones
            .iter()
            .any(|&z| &self.region.zones[z].county != county)
        {
            return Err((400, "the zones lie in several counties".into()));
        }
        let n = zones.len() as f64;
        let mean = |school: usize, f: &dyn Fn(Point<f64>, Point<f64>) -> i64| {
            let at = self.region.schools[school].location;
            zones
                .iter()
                .map(|&z| f(self.region.zones[z].centroid, at) as f64)
                .sum::<f64>()
                / n
        };
        let straight = |a, b| Distances::straight_metres(a, b);
        let mut by_straight: Vec<(f64, usize)> = (self.region.schools.iter().enumerate())
            .filter(|(_, s)| s.takes_catchment(stage) && &s.county == county)
            .map(|(i, _)| (mean(i, &straight), i))
            .collect();
        by_straight.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let d = &self.region.distances;
        // (cost, school, straight metres)
        let mut listed: Vec<(f64, usize, f64)> = Vec::new();
        for &(lower, school) in &by_straight {
            if listed.len() == LISTED && listed[LISTED - 1].0 <= lower {
                break;
            }
            listed.push((mean(school, &|a, b| d.metres(a, b)), school, lower));
            listed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            listed.truncate(LISTED);
        }
        let schools: Vec<Value> = listed
            .iter()
            .map(|&(cost, school, straight)| {
                let km = match d.metres_per_minute() {
                    None => cost,
                    Some(_) => mean(school, &|a, b| d.length(a, b)),
                };
                serde_json::json!({
                    "school": school,
                    "km": round(km / 1000.0, 3),
                    "straight_km": round(straight / 1000.0, 3),
                })
            })
            .collect();
        Ok(serde_json::json!({"distance": d.kind(), "schools": schools}))
    }

    fn zone_of(&self, id: &str) -> Result<usize, (u16, String)> {
        self.zone_ids
            .get(id)
            .copied()
            .ok_or((404, format!("zone \"{id}\" is not in the plan")))
    }

    /// `GET /api/plan`: the plan, its figures and the locks.
    pub fn plan_json(&self) -> Value {
        let summary = Summary::build(
            &self.region,
            &self.policy,
            &self.plan,
            &RunInfo {
                output: self.info.output,
                input_crs: self.info.input_crs,
                scenario: &self.info.name,
                description: &self.info.description,
                settings: &self.settings,
                seconds: round(self.seconds, 3),
                lang: self.info.lang,
                year: None,
            },
        );
        let found = check(&self.plan, &self.region, &self.policy);
        let stage = |st: Stage| {
            let zones = &self.plan.stage(st).zones;
            let mut moved_in = vec![0u64; self.region.schools.len()];
            let mut moved_out = vec![0u64; self.region.schools.len()];
            let mut since_start = (0usize, 0u64);
            let mut unplaced = Vec::new();
            for (z, zp) in zones.iter().enumerate() {
                if let (Some(s), Some(today)) =
                    (zp.school, self.region.zones[z].current[st.index()])
                    && s as usize != today
                {
                    moved_in[s as usize] += zp.placed as u64;
                    moved_out[today] += zp.placed as u64;
                }
                if zp.school != self.start[st.index()][z] {
                    since_start.0 += 1;
                    since_start.1 += zp.placed as u64;
                }
                if zp.unplaced > 0 {
                    unplaced.push(json!({
                        "zone": z,
                        "children": zp.unplaced,
                        "reason": zp.reason.as_ref().map(|r| r.to_string()),
                    }));
                }
            }
            let thresholds = self.policy.balance.thresholds(st);
            let schools: Vec<Value> = self
                .plan
                .school_figures(&self.region, &self.policy, st)
                .into_iter()
                .map(|f| {
                    let s = f.school;
                    let violations: Vec<String> = found
                        .iter()
                        .filter(|v| v.school == s && v.stage == st)
                        .map(|v| v.violation.to_string())
                        .collect();
                    let migrant_share = if f.intake > 0 {
                        round(f.migrant as f64 / f.intake as f64, 4)
                    } else {
                        0.0
                    };
                    let indicator_pass: [Option<bool>; 7] =
                        std::array::from_fn(|i| f.indicators[i].map(|v| v >= thresholds[i]));
                    json!({
                        "school": s,
                        "intake": f.intake,
                        "local": f.local,
                        "migrant": f.migrant,
                        "migrant_share": migrant_share,
                        "classes": f.classes.opened,
                        "classes_available": f.classes_available,
                        "largest_class": f.classes.largest,
                        "seats": f.seats,
                        "utilization": round(f.utilization(), 4),
                        "continuing": f.continuing,
                        "school_total": f.school_total,
                        "school_limit": f.school_limit,
                        "zones": f.zones,
                        "mean_km": round(f.mean_km, 3),
                        "max_km": round(f.max_km, 3),
                        "moved_in": moved_in[s],
                        "moved_out": moved_out[s],
                        "indicators": f.indicators.map(|v| v.map(|v| round(v, 4))),
                        "indicator_pass": indicator_pass,
                        "balance_pass": f.balance_pass,
                        "violations": violations,
                    })
                })
                .collect();
            let school: Vec<i64> = zones
                .iter()
                .map(|z| z.school.map_or(-1, i64::from))
                .collect();
            let metres: Vec<i64> = zones.iter().map(|z| z.metres.unwrap_or(-1)).collect();
            json!({
                "school": school,
                "metres": metres,
                "unplaced": unplaced,
                "changed": self.changed[st.index()],
                "changed_since_start": {"zones": since_start.0, "children": since_start.1},
                "schools": schools,
            })
        };
        let mut summary = serde_json::to_value(&summary).expect("the summary serializes");
        if let Value::Object(m) = &mut summary {
            // The run time lives at the top level; the plan is the same
            // whatever it took.
            m.remove("seconds");
        }
        json!({
            "version": self.version,
            "seconds": round(self.seconds, 3),
            "edits": self.journal.entries().len(),
            "warnings": self.baseline.warnings(&self.region, &self.plan, &self.start),
            "undo": self.history.undo_steps(),
            "redo": self.history.redo_steps(),
            "locks": self.locks_json(),
            "summary": summary,
            "stages": {"primary": stage(Stage::Primary), "junior": stage(Stage::Junior)},
        })
    }

    fn locks_json(&self) -> Vec<LockJson<'_>> {
        self.preferences
            .locks
            .iter()
            .map(|l| LockJson {
                zone: &self.region.zones[l.zone].id,
                school: &self.region.schools[l.school].id,
                action: action_key(l.kind),
                stage: l.stage.key(),
            })
            .collect()
    }

    /// The plan with the outlines the last change redrew: `outlines.from`
    /// is the version they apply to (the page refetches every outline when
    /// it shows another).
    fn changed_reply(&self, Redrawn { from, schools }: Redrawn) -> Reply {
        let mut v = self.plan_json();
        let per_stage = |st: Stage| {
            let mut m = Map::new();
            for &s in &schools[st.index()] {
                m.insert(
                    s.to_string(),
                    self.outlines
                        .get(st, s)
                        .map_or(Value::Null, |g| feature(s, g)),
                );
            }
            Value::Object(m)
        };
        v["outlines"] = json!({
            "from": from,
            "primary": per_stage(Stage::Primary),
            "junior": per_stage(Stage::Junior),
        });
        Reply::json(200, &v)
    }

    /// Makes `plan` (made under `locks`) the loaded one and returns the old
    /// one (for the undo or redo stack) with the schools whose outlines
    /// changed, per stage.
    fn install(&mut self, locks: Vec<Lock>, plan: Plan, seconds: f64) -> (Snapshot, Redrawn) {
        let from = self.version;
        self.changed = Stage::ALL.map(|st| {
            let (old, new) = (&self.plan.stage(st).zones, &plan.stage(st).zones);
            (0..new.len())
                .filter(|&z| old[z].school != new[z].school)
                .collect()
        });
        let old = Snapshot {
            locks: std::mem::replace(&mut self.preferences.locks, locks),
            plan: Some(std::mem::replace(&mut self.plan, plan)),
            seconds: std::mem::replace(&mut self.seconds, seconds),
        };
        self.version += 1;
        let schools = self.outlines.update(&self.region, &self.plan);
        (old, Redrawn { from, schools })
    }

    /// Re-optimizes under a new lock set. Nothing changes unless a plan
    /// that meets every lock exists.
    fn replan(&mut self, locks: Vec<Lock>, edit: Edit) -> Reply {
        let locks = canonical(locks);
        if locks == self.preferences.locks {
            return self.changed_reply(Redrawn {
                from: self.version,
                schools: [Vec::new(), Vec::new()],
            });
        }
        let preferences = Preferences {
            locks: locks.clone(),
            ..self.preferences.clone()
        };
        let t = Instant::now();
        match solve(&self.region, &self.policy, &self.settings, &preferences) {
            Ok(plan) => {
                if let Err(e) = plan.conservation(&self.region) {
                    return Reply::error(
                        500,
                        &format!("internal error, please report: children lost in the plan: {e}"),
                    );
                }
                if let Err(r) = self.record(edit, &locks, &plan) {
                    return r;
                }
                let (old, redrawn) = self.install(locks, plan, t.elapsed().as_secs_f64());
                self.history.push_undo(old);
                self.history.redo.clear();
                self.changed_reply(redrawn)
            }
            Err(PlanError::Infeasible(shortages)) => self.infeasible(&shortages),
            Err(e) => Reply::error(500, &e.to_string()),
        }
    }

    /// 409: the locks overfill schools; each shortage names the school and
    /// the seats short, and the loaded plan stays.
    fn infeasible(&self, shortages: &[Shortage]) -> Reply {
        let list: Vec<Value> = shortages
            .iter()
            .map(|s| {
                let i = self.school_ids.get(&s.school).copied();
                json!({
                    "school": s.school,
                    "school_index": i,
                    "name": i.map(|i| self.region.schools[i].name.clone()),
                    "stage": s.stage.map(Stage::key),
                    "needed": s.needed,
                    "seats": s.seats,
                    "short": s.needed.saturating_sub(s.seats),
                })
            })
            .collect();
        let message = PlanError::Infeasible(shortages.to_vec()).to_string();
        Reply::json(
            409,
            &json!({"error": message, "shortages": list, "version": self.version}),
        )
    }

    fn zone(&self, id: &str) -> Result<usize, Reply> {
        self.zone_ids
            .get(id)
            .copied()
            .ok_or_else(|| Reply::error(400, &format!("zone \"{id}\" is not in the zones file")))
    }

    fn school(&self, id: &str) -> Result<usize, Reply> {
        self.school_ids.get(id).copied().ok_or_else(|| {
            Reply::error(400, &format!("school \"{id}\" is not in the schools file"))
        })
    }

    /// `POST /api/locks`: pin, forbid or release zones, then re-optimize.
    pub fn change_locks(&mut self, body: &[u8]) -> Reply {
        let change: LockChange = match serde_json::from_slice(body) {
            Ok(c) => c,
            Err(e) => {
                return Reply::error(400, &format!("bad request body: {e}; expected {LOCK_BODY}"));
            }
        };
        match self.apply_to(&self.preferences.locks, &change) {
            Ok(locks) => self.replan(locks, change.edit()),
            Err(reply) => reply,
        }
    }

    /// The lock set after a change of `base`, checked against the region.
    fn apply_to(&self, base: &[Lock], change: &LockChange) -> Result<Vec<Lock>, Reply> {
        if change.zones.is_empty() {
            return Err(Reply::error(
                400,
                "`zones` is empty; expected at least one zone id",
            ));
        }
        let zones = change
            .zones
            .iter()
            .map(|z| self.zone(z))
            .collect::<Result<Vec<usize>, Reply>>()?;
        let school = change
            .school
            .as_deref()
            .map(|s| self.school(s))
            .transpose()?;
        let mut locks = base.to_vec();
        if change.action == Action::Release {
            let stages: Vec<Stage> = match change.stage {
                Some(s) => vec![s.stage()],
                None => Stage::ALL.to_vec(),
            };
            locks.retain(|l| {
                !(zones.contains(&l.zone)
                    && stages.contains(&l.stage)
                    && school.is_none_or(|s| s == l.school))
            });
            return Ok(locks);
        }
        let Some(school_id) = &change.school else {
            return Err(Reply::error(
                400,
                "`school` is missing; a pin or a forbid names the school",
            ));
        };
        let action = if change.action == Action::Pin {
            "pin"
        } else {
            "forbid"
        };
        let records: Vec<(usize, LockRecord)> = change
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                (
                    i,
                    LockRecord {
                        zone: z.clone(),
                        school: school_id.clone(),
                        action: action.into(),
                        stage: change.stage.map(|s| s.stage().key().to_string()),
                    },
                )
            })
            .collect();
        let new = resolve(&records, &self.region).map_err(|(_, m)| Reply::error(422, &m))?;
        for l in new {
            // The officer's latest word wins: a pin replaces the zone's other
            // pin and any forbid of this school; a forbid replaces a pin.
            locks.retain(|x| {
                !(x.zone == l.zone
                    && x.stage == l.stage
                    && (x.school == l.school
                        || (l.kind == LockKind::Pin && x.kind == LockKind::Pin)))
            });
            locks.push(l);
        }
        Ok(locks)
    }

    /// A step's plan: kept, or made again (after a restart).
    fn step_plan(&self, s: &mut Snapshot) -> Result<Plan, Reply> {
        if let Some(p) = s.plan.take() {
            return Ok(p);
        }
        let preferences = Preferences {
            locks: s.locks.clone(),
            ..self.preferences.clone()
        };
        let t = Instant::now();
        let plan = solve(&self.region, &self.policy, &self.settings, &preferences)
            .map_err(|e| Reply::error(500, &format!("making the plan of this step again: {e}")))?;
        s.seconds = t.elapsed().as_secs_f64();
        Ok(plan)
    }

    /// `POST /api/undo`.
    pub fn undo(&mut self) -> Reply {
        let Some(mut s) = self.history.undo.pop() else {
            return Reply::error(409, "nothing to undo");
        };
        let plan = match self.step_plan(&mut s) {
            Ok(p) => p,
            Err(r) => {
                self.history.undo.push(s);
                return r;
            }
        };
        if let Err(r) = self.record(Edit::bare("undo"), &s.locks, &plan) {
            s.plan = Some(plan);
            self.history.undo.push(s);
            return r;
        }
        let (current, redrawn) = self.install(s.locks, plan, s.seconds);
        self.history.redo.push(current);
        self.changed_reply(redrawn)
    }

    /// `POST /api/redo`.
    pub fn redo(&mut self) -> Reply {
        let Some(mut s) = self.history.redo.pop() else {
            return Reply::error(409, "nothing to redo");
        };
        let plan = match self.step_plan(&mut s) {
            Ok(p) => p,
            Err(r) => {
                self.history.redo.push(s);
                return r;
            }
        };
        if let Err(r) = self.record(Edit::bare("redo"), &s.locks, &plan) {
            s.plan = Some(plan);
            self.history.redo.push(s);
            return r;
        }
        let (current, redrawn) = self.install(s.locks, plan, s.seconds);
        self.history.push_undo(current);
        self.changed_reply(redrawn)
    }

    /// `POST /api/import`: replaces the locks with those of a CSV, either a
    /// locks.csv (`zone,school,action[,stage]`) or a zone -> school list
    /// (`zone,school[,stage]` or `zone_id,school_id,stage` as in
    /// catchment-lists.csv: every row pins), and re-optimizes.
    pub fn import(&mut self, body: &[u8]) -> Reply {
        let Ok(text) = std::str::from_utf8(body) else {
            return Reply::error(400, "the CSV is not UTF-8 text");
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let expected = "expected a locks.csv (zone,school,action[,stage]) or a zone -> school list (zone,school[,stage] or zone_id,school_id,stage)";
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Reply::error(400, &format!("not a CSV: {e}; {expected}")),
        };
        let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h));
        let (Some(zone), Some(school)) = (
            column(&["zone", "zone_id", "小区编号"]),
            column(&["school", "school_id", "学校编号"]),
        ) else {
            return Reply::error(
                400,
                &format!(
                    "the header is \"{}\"; {expected}",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            );
        };
        let (action, stage) = (column(&["action"]), column(&["stage", "学段"]));
        let mut records = Vec::new();
        for (i, row) in reader.records().enumerate() {
            // Line 1 is the header.
            let line = i + 2;
            let row = match row {
                Ok(r) => r,
                Err(e) => return Reply::error(400, &format!("line {line}: {e}")),
            };
            let field = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_string();
            let record = LockRecord {
                zone: field(Some(zone)),
                school: field(Some(school)),
                action: action.map_or("pin".to_string(), |_| field(action)),
                stage: stage.map(|_| field(stage)),
            };
            if !self.zone_ids.contains_key(&record.zone) {
                return Reply::error(
                    400,
                    &format!(
                        "line {line}: zone \"{}\" is not in the zones file",
                        record.zone
                    ),
                );
            }
            if !self.school_ids.contains_key(&record.school) {
                return Reply::error(
                    400,
                    &format!(
                        "line {line}: school \"{}\" is not in the schools file",
                        record.school
                    ),
                );
            }
            records.push((line, record));
        }
        let edit = Edit {
            import: true,
            ..Edit::bare("import")
        };
        match resolve(&records, &self.region) {
            Ok(locks) => self.replan(locks, edit),
            Err((line, m)) => Reply::error(422, &format!("line {line}: {m}")),
        }
    }

    /// Writes every output of the current plan (and its locks.csv) into a
    /// new folder under `out/exports/`, unless this version is exported.
    fn export(&mut self) -> Result<Export, Reply> {
        let out = self.info.out.clone();
        if let Some(e) = &self.exported
            && e.version == self.version
            && out.join(exports::EXPORTS_DIR).join(&e.folder).is_dir()
        {
            return Ok(e.clone());
        }
        let (name, folder) = exports::new_folder(&out);
        let info = RunInfo {
            output: self.info.output,
            input_crs: self.info.input_crs,
            scenario: &self.info.name,
            description: &self.info.description,
            settings: &self.settings,
            seconds: round(self.seconds, 3),
            lang: self.info.lang,
            year: None,
        };
        write_all(&folder, &self.region, &self.policy, &self.plan, &info).map_err(|e| match e {
            ReportError::NotOurs { .. } => Reply::error(409, &e.to_string()),
            e => Reply::error(
                500,
                &format!("writing the plan to {}: {e}", folder.display()),
            ),
        })?;
        write_locks_file(&folder, &self.preferences.locks, &self.region).map_err(|e| {
            Reply::error(
                500,
                &format!("writing {}: {e}", folder.join("locks.csv").display()),
            )
        })?;
        let export = exports::record(
            &out,
            &name,
            &self.info.name,
            self.version,
            self.journal.entries().len(),
        )
        .map_err(|e| Reply::error(500, &e))?;
        self.exported = Some(export.clone());
        Ok(export)
    }

    /// `POST /api/export`: writes a new export folder and lists its files.
    pub fn export_all(&mut self) -> Reply {
        let export = match self.export() {
            Ok(e) => e,
            Err(r) => return r,
        };
        let folder = self
            .info
            .out
            .join(exports::EXPORTS_DIR)
            .join(&export.folder);
        let files: Vec<Value> = EXPORTS
            .iter()
            .map(|(f, _)| {
                let bytes = fs::metadata(folder.join(f)).map_or(0, |m| m.len());
                json!({"name": f, "bytes": bytes, "url": format!("/api/export/{f}")})
            })
            .collect();
        Reply::json(
            200,
            &json!({
                "folder": folder.display().to_string(),
                "name": export.folder,
                "version": self.version,
                "exports": exports::list(&self.info.out).len(),
                "files": files,
            }),
        )
    }

    /// `GET /api/export/{file}`: one output of the current plan's export.
    /// A GET never writes: the plan must have been exported (POST) first.
    pub fn export_file(&self, name: &str) -> Reply {
        let Some(&(file, media)) = EXPORTS.iter().find(|(f, _)| *f == name) else {
            let names: Vec<&str> = EXPORTS.iter().map(|(f, _)| *f).collect();
            return Reply::error(
                404,
                &format!(
                    "no export named \"{name}\"; expected one of {}",
                    names.join(", ")
                ),
            );
        };
        let Some(export) = self.exported.as_ref().filter(|e| e.version == self.version) else {
            return Reply::error(
                409,
                &format!(
                    "the plan shown (version {}) is not exported yet: export it first (导出 Export, POST /api/export)",
                    self.version
                ),
            );
        };
        let path = self
            .info
            .out
            .join(exports::EXPORTS_DIR)
            .join(&export.folder)
            .join(file);
        match fs::read(&path) {
            Ok(bytes) => Reply {
                status: 200,
                content_type: media,
                body: Body::Owned(bytes),
                attachment: Some(file),
                headers: Vec::new(),
            },
            Err(e) => Reply::error(500, &format!("{}: {e}", path.display())),
        }
    }

    /// `GET /api/history`: the journal's edits, newest first, with the
    /// child-km each left and what it changed.
    pub fn history_json(&self) -> Value {
        let edits: Vec<Value> = self
            .journal
            .entries()
            .iter()
            .rev()
            .map(|e| {
                let names: Vec<&str> = e
                    .zones
                    .iter()
                    .take(3)
                    .filter_map(|z| {
                        self.zone_ids
                            .get(z)
                            .map(|&i| self.region.zones[i].name.as_str())
                    })
                    .collect();
                let school = e
                    .school
                    .as_ref()
                    .and_then(|s| self.school_ids.get(s))
                    .map(|&i| self.region.schools[i].name.as_str());
                json!({
                    "seq": e.seq,
                    "time": e.time,
                    "action": e.action,
                    "zones": e.zones.len(),
                    "zone_names": names,
                    "school": e.school,
                    "school_name": school,
                    "stage": e.stage,
                    "imported": e.locks.as_ref().map(Vec::len),
                    "version": e.version,
                    "locks": e.lock_count,
                    "child_km": e.child_km,
                    "delta_km": e.delta_km,
                })
            })
            .collect();
        json!({
            "journal": self.journal.path().display().to_string(),
            "edits": edits,
            "exports": exports::list(&self.info.out),
        })
    }
}

/// locks.csv beside the other outputs, renamed into place so that a reader
/// never sees half of it.
fn write_locks_file(out: &Path, locks: &[Lock], region: &Region) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    write_locks(&mut bytes, locks, region)?;
    let tmp = out.join(".locks.csv.tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, out.join("locks.csv"))
}
