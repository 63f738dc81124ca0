//! `catchment project SCENARIO.toml --years 6`: cohorts rolled forward year
//! by year, each year's entrants placed, and the first year each school runs
//! short (学位预警).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::planning::projection::project;
use catchment::report::command_lines;
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
    let lang = run.documents.lang;
    if let Some(note) = catchment::report::chart::missing_chart_font_note(lang) {
        eprintln!("warning: {note}");
    }
    print!(
        "{}",
        command_lines::projection_lines(&summary, settings.reoptimize, lang)
    );
    println!(
        "{}",
        command_lines::projection_digest(lang, &projection.plan_digest)
    );
    println!("{}", command_lines::wrote(lang, &out.join("projection.md")));
    Ok(ExitCode::SUCCESS)
}
