//! `catchment allocate --zones Z --schools S --out DIR`: maps without a scenario.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::policy::Policy;
use catchment::solve::Settings;

use super::SolverArgs;
use super::run::{Input, Job, PreferenceArgs};

#[derive(clap::Args)]
pub struct Args {
    /// Residential zones (GeoJSON).
    #[arg(long)]
    zones: PathBuf,
    /// Schools (GeoJSON points).
    #[arg(long)]
    schools: PathBuf,
    /// Policy (TOML; national defaults for every key left out).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    solver: SolverArgs,
    #[command(flatten)]
    preferences: PreferenceArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the policy", path.display()))?;
            let policy: Policy = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: not a valid policy: {e}", path.display()))?;
            policy
                .validate()
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            policy
        }
        None => Policy::default(),
    };
    let name = args
        .out
        .file_name()
        .map_or("plan".into(), |n| n.to_string_lossy().into_owned());
    let objective = args
        .preferences
        .objective_or(catchment::plan::Objective::Distance);
    let migrant_catchments = args.preferences.migrant_catchments(Default::default());
    Job {
        name,
        description: String::new(),
        input: Input::Maps {
            zones: args.zones,
            schools: args.schools,
        },
        policy,
        settings: args.solver.apply(Settings::default()),
        locks: args.preferences.locks,
        stability_km: args.preferences.stability_km.unwrap_or(0.0),
        max_moved: args.preferences.max_moved,
        contiguous: !args.preferences.allow_pieces,
        barriers: args.preferences.barriers,
        compactness_km: args.preferences.compactness_km.unwrap_or(0.0),
        class_cost_km: args.preferences.class_cost_km.unwrap_or(0.0),
        feeders_aligned: args.preferences.feeders_aligned,
        objective,
        balance_km: args.preferences.balance_km,
        migrant_catchments,
        allow_far: args.preferences.allow_far,
        out: args.out,
    }
    .execute()
}
