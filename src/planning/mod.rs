//! Planning: what if a school opens, another closes, or flats are built —
//! this year and for the years ahead.
//!
//! - [`changes`]: a scenario's changes to its maps (schools added, closed,
//!   resized; new housing), applied in order with 先建后撤 enforced;
//! - [`grades`]: pupils by grade, for cohorts moving up;
//! - [`projection`]: the multi-year projection and the first year each
//!   school runs short (学位预警);
//! - [`relaxed`]: the region's relaxation solved exactly, the evaluator
//!   for extra classes and new sites;
//! - [`compare`], [`site_choice`], [`warnings`]: the figures of `compare`,
//!   `site` and `project`, which [`crate::report`] writes.
//!
//! The command-line tools `compare`, `project` and `site` are thin glue
//! over these.

pub mod projection;
pub mod relaxed;
pub mod seats;
pub mod site;
pub mod site_choice;
pub mod warnings;

use std::path::PathBuf;
use std::time::Instant;

use crate::io::{InputError, LocksError};
use crate::model::Region;
use crate::plan::{Plan, PlanError, Preferences};
use crate::run::{Run, RunError};
use crate::run::{Scenario, ScenarioError};
use crate::solve::Settings;
pub use projection::ProjectionError;

/// Anything a planning command can run into, each naming its file.
#[derive(Debug, thiserror::Error)]
pub enum PlanningError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Locks(#[from] LocksError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{path}: {message}")]
    Candidates { path: PathBuf, message: String },
}

/// A scenario read, changed and allocated as `catchment run` would: the
/// same [`Run`], the same plan.
pub struct Solved {
    pub scenario: Scenario,
    pub settings: Settings,
    pub region: Region,
    /// One note per change applied.
    pub log: Vec<crate::run::change_notes::ChangeNote>,
    pub preferences: Preferences,
    pub plan: Plan,
    /// The language of the plan's documents.
    pub lang: crate::i18n::Lang,
    /// Seconds spent reading and allocating.
    pub seconds: f64,
    /// How the run's map files are written (`output_crs`, `formats`).
    pub output: crate::run::MapOutput,
    /// The coordinate systems the zones and schools were read in.
    pub input_crs: crate::run::InputCrs,
}

/// Reads and allocates a scenario's run (its flags merged in).
pub fn solve_scenario(run: &Run) -> Result<Solved, PlanningError> {
    let start = Instant::now();
    let scenario = run
        .scenario()
        .expect("planning commands read a scenario")
        .clone();
    let (region, log) = run.region()?;
    let preferences = run.preferences(&region)?;
    let plan = run.plan(&region, &preferences, &())?;
    Ok(Solved {
        scenario,
        settings: run.settings.clone(),
        region,
        log,
        preferences,
        plan,
        lang: run.documents.lang,
        seconds: start.elapsed().as_secs_f64(),
        output: run.map_output(),
        input_crs: run.inputs.input_crs(),
    })
}
