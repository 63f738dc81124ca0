//! `catchment run SCENARIO.toml`: the main job.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use catchment::report::report_md::seats_fallback_lines;
use catchment::report::{RunInfo, console_summary, write_all};
use catchment::run::Scenario;
use catchment::run::{Flags, Run};
use catchment::tr;

use super::progress::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Output folder (default: the scenario's `out`, else out/NAME).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario)?;
    execute(Run::from_scenario(scenario, &args.flags, args.out)?)
}

/// Makes a run's plan and writes every output: `run` and `allocate`.
pub fn execute(run: Run) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    // The maps' font is looked up beside the reading and planning: the
    // system's font configuration takes tens of milliseconds to read, a
    // tenth of a small county's whole run.
    std::thread::spawn(catchment::report::cjk_font);
    // Leftovers of a killed run are put right before the long solve, so
    // that a bad folder fails at once.
    catchment::report::recover_output(&run.out)?;
    let progress = Progress::new();
    progress.step("reading maps");
    let (region, _) = run.region()?;
    let lang = run.documents.lang;
    for line in seats_fallback_lines(&region, &run.policy, lang) {
        eprintln!("warning: {line}");
    }
    let preferences = run.preferences(&region)?;
    let read_s = start.elapsed().as_secs_f64();
    progress.step("allocating");
    let plan = run.plan(&region, &preferences, &progress)?;
    let allocated_s = start.elapsed().as_secs_f64();
    progress.step("writing outputs");
    // The run time (up to writing) goes into summary.json only, so that
    // the other files stay identical from run to run.
    let info = RunInfo {
        scenario: &run.name,
        description: &run.description,
        settings: &run.settings,
        seconds: round_ms(start.elapsed().as_secs_f64()),
        lang,
        year: run.year,
        output: run.map_output(),
        input_crs: run.inputs.input_crs(),
    };
    let summary = write_all(&run.out, &region, &run.policy, &plan, &info)
        .with_context(|| format!("writing the plan to {}", run.out.display()))?;
    progress.finish();
    if let Some(note) = catchment::report::missing_font_note(lang) {
        eprintln!("warning: {note}");
    }
    let total_s = start.elapsed().as_secs_f64();
    print!("{}", console_summary(&summary, lang));
    println!("plan {}", plan.digest());
    let seconds = |s: f64| format!("{s:.2}");
    println!(
        "{}",
        tr!(
            lang,
            "console.wrote_run",
            path = run.out.display(),
            total = seconds(total_s),
            reading = seconds(read_s),
            allocating = seconds(allocated_s - read_s),
            writing = seconds(total_s - allocated_s)
        )
    );
    // The process ends here: handing the region and the plan back to the
    // allocator zone by zone (every zone's property map, shape and plan)
    // would add a tenth of the city's whole command to no purpose.
    std::mem::forget((region, plan));
    if summary.violation_count() > 0 {
        eprintln!(
            "{}",
            tr!(
                lang,
                "console.run_violations",
                n = summary.violation_count(),
                path = run.out.join("report.md").display()
            )
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}
