//! `catchment project SCENARIO.toml --years 6`: cohorts rolled forward year
//! by year, each year's entrants placed, and the first year each school runs
//! short (学位预警).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::planning::projection::project;
use catchment::run::Scenario;

use catchment::run::{Flags, Run};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML); its `[projection]` table holds the defaults.
    scenario: PathBuf,
    /// Years to project, the scenario's own year first (default: the
    /// scenario's `[projection] years`, else 6).
    #[arg(long)]
    years: Option<usize>,
    /// Allocate every year again under the seat limits, weighing each child
    /// moved from last year's school (default: keep last year's catchments).
    #[arg(long)]
    reoptimize: bool,
    /// Output folder (default: out/NAME-projection).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Year 1 is the plan these options make (as `catchment run`); in
    /// re-optimised years a moved child is worth `[projection]
    /// stability_km`, else the plan's `stability_km`, else 1 km.
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario)?;
    let mut settings = scenario.projection.clone();
    if let Some(y) = args.years {
        settings.years = y;
    }
    if args.reoptimize {
        settings.reoptimize = true;
    }
    settings
        .validate()
        .map_err(|m| anyhow::anyhow!("projection: {m}"))?;
    let run = Run::from_scenario(scenario.clone(), &args.flags, None)?;
    let (region, _) = run.region()?;
    let preferences = run.preferences(&region)?;
    let projection = project(&region, &run.policy, &run.settings, &preferences, &settings)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-projection", scenario.name)));
    let summary = catchment::report::projection::write(
        &out,
        &scenario,
        &region,
        &scenario.policy,
        &projection,
        run.documents.lang,
    )
    .with_context(|| format!("writing the projection to {}", out.display()))?;
    println!(
        "{}: {} years, catchments {}",
        summary.scenario,
        summary.years.len(),
        if settings.reoptimize {
            "re-optimised every year"
        } else {
            "fixed"
        }
    );
    println!(
        "{:<6} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "year", "primary", "junior", "unplaced", "pupils", "short"
    );
    for y in &summary.years {
        println!(
            "{:<6} {:>10} {:>10} {:>10} {:>10} {:>8}",
            y.year,
            y.primary.entrants,
            y.junior.entrants,
            y.primary.unplaced + y.junior.unplaced,
            y.primary.pupils() + y.junior.pupils(),
            y.schools_short
        );
    }
    match summary.warnings.first() {
        Some(w) => println!(
            "学位预警: {} schools run short, the first in {} ({} {})",
            summary.warnings.len(),
            w.first_year,
            w.school_id,
            w.school_name
        ),
        None => println!("no public school runs short"),
    }
    println!("plan {} (year 1)", projection.plan_digest);
    println!("wrote {}", out.join("projection.md").display());
    Ok(ExitCode::SUCCESS)
}
