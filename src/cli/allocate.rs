//! `catchment allocate --zones Z --schools S --out DIR`: maps without a scenario.

use std::path::PathBuf;
use std::process::ExitCode;

use catchment::policy::Policy;
use catchment::run::read_policy;
use catchment::run::{Flags, Run};

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
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policy = match &args.policy {
        Some(path) => read_policy(path)?,
        None => Policy::default(),
    };
    let run = Run::from_maps(args.zones, args.schools, policy, &args.flags, args.out)?;
    super::run::execute(run)
}
