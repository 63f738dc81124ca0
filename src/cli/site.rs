//! `catchment site SCENARIO.toml [--candidates sites.geojson --k N]`: where
//! one more class helps most, and which new school sites to build.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::io::read_schools_with;
use catchment::planning::site_choice::{analyse, check_candidates};
use catchment::planning::solve_scenario;
use catchment::report::command_lines;
use catchment::run::Scenario;
use catchment::run::{DocumentOptions, Flags, PlanOptions, Run};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Candidate sites (GeoJSON Points with the fields of schools.geojson:
    /// id, name, stage, classes_*): choose `--k` of them.
    #[arg(long)]
    candidates: Option<PathBuf>,
    /// How many sites to choose.
    #[arg(long, default_value_t = 1)]
    k: usize,
    /// Output folder (default: out/NAME-sites).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Plan options over the scenario's (the solver's come from its
    /// `[solver]` table: `--candidates` here names candidate sites).
    #[command(flatten)]
    plan: PlanOptions,
    #[command(flatten)]
    documents: DocumentOptions,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario)?;
    let flags = Flags {
        plan: args.plan.clone(),
        documents: args.documents.clone(),
        ..Flags::default()
    };
    let run = Run::from_scenario(scenario, &flags, None)?;
    let solved = solve_scenario(&run)?;
    let scenario = &solved.scenario;
    println!("plan {}", solved.plan.digest());
    let candidates = match &args.candidates {
        Some(path) => {
            // Sites are picked on the map the schools were: read like the
            // schools file (its crs, [columns], county_field).
            let list = read_schools_with(path, &run.read_settings().schools)?;
            Some((path.clone(), check_candidates(path, &solved, list)?))
        }
        None => None,
    };
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-sites", scenario.name)));
    let summary = analyse(
        &solved,
        candidates
            .as_ref()
            .map(|(p, l)| (p.as_path(), l.as_slice())),
        args.k,
    )?;
    catchment::report::site::write(
        &solved,
        &summary,
        candidates.as_ref().map(|(_, l)| l.as_slice()),
        &out,
    )
    .with_context(|| format!("writing the site analysis to {}", out.display()))?;
    print!("{}", command_lines::site_lines(&summary, solved.lang));
    println!(
        "{}",
        command_lines::wrote(solved.lang, &out.join("sites.md"))
    );
    Ok(ExitCode::SUCCESS)
}
