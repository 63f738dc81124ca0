//! `catchment site SCENARIO.toml [--candidates sites.geojson --k N]`: where
//! one more class helps most, and which new school sites to build.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::io::read_schools;
use catchment::planning::site_choice::{analyse, check_candidates};
use catchment::planning::solve_scenario;
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
    let solved = solve_scenario(&Run::from_scenario(scenario, &flags, None)?)?;
    let scenario = &solved.scenario;
    println!("plan {}", solved.plan.digest());
    let candidates = match &args.candidates {
        Some(path) => {
            let list = read_schools(path)?;
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
    println!("{}: one more class, best first", summary.scenario);
    for r in summary.classes.iter().take(5) {
        println!(
            "  {:>2}. {} {} ({}): {} children seated, {:.1} child-km saved",
            r.rank, r.school_id, r.school_name, r.stage, r.shortage_removed, r.km_saved
        );
    }
    if let Some(s) = &summary.sites {
        println!(
            "{} of {} sites ({}): without a seat {} -> {}, child-km {:.1} -> {:.1} (whole-zone plan)",
            s.sites,
            s.candidates,
            s.method,
            s.plan_before.unplaced,
            s.plan_after.unplaced,
            s.plan_before.travel_km,
            s.plan_after.travel_km
        );
        for r in &s.chosen {
            println!(
                "  {} {}: {} children seated, {:.1} child-km saved, intake {} + {}",
                r.id, r.name, r.shortage_removed, r.km_saved, r.intake_primary, r.intake_junior
            );
        }
    }
    println!("wrote {}", out.join("sites.md").display());
    Ok(ExitCode::SUCCESS)
}
