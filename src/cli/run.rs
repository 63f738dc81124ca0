//! `catchment run SCENARIO.toml`: the main job.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use catchment::io::Scenario;
use catchment::model::Stage;
use catchment::report::{RunInfo, Summary, write_all};
use catchment::run::{Flags, Run};

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
    let progress = Progress::new();
    progress.step("reading maps");
    let (region, _) = run.region()?;
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
    };
    let summary = write_all(&run.out, &region, &run.policy, &plan, &info)
        .with_context(|| format!("writing the plan to {}", run.out.display()))?;
    progress.finish();
    let total_s = start.elapsed().as_secs_f64();
    print_summary(&summary);
    println!("plan {}", plan.digest());
    println!(
        "wrote {} in {total_s:.2} s (reading {read_s:.2} s, allocating {:.2} s, writing {:.2} s)",
        run.out.display(),
        allocated_s - read_s,
        total_s - allocated_s
    );
    if summary.violation_count() > 0 {
        eprintln!(
            "error: the plan breaks {} hard limit(s); see {}",
            summary.violation_count(),
            run.out.join("report.md").display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// The one-screen summary at the end of a run.
pub fn print_summary(s: &Summary) {
    println!("{}: {} zones, {} schools", s.scenario, s.zones, s.schools);
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>13} {:>13} {:>9} {:>10}",
        "stage", "children", "placed", "unplaced", "child-km", "bound", "gap", "violations"
    );
    for stage in Stage::ALL {
        let x = s.stage(stage);
        println!(
            "{:<8} {:>9} {:>9} {:>9} {:>13.1} {:>13.1} {:>9} {:>10}",
            stage.key(),
            x.children,
            x.placed,
            x.unplaced,
            x.objective_km,
            x.bound_km,
            gap(x.gap),
            x.violations
        );
    }
    println!(
        "both     gap {} over the relaxation bound; {} zones split by the relaxation made whole; {} candidate lists widened",
        gap(s.total.gap),
        s.solver.split_units,
        s.solver.widened_units
    );
    for stage in Stage::ALL {
        let u = s.utilization.stage(stage);
        let beside = u.distance_only.as_ref().map_or(String::new(), |d| {
            format!(" (distance-only {:.1})", d.spread * 100.0)
        });
        println!(
            "{:<8} utilization spread {:.1} points{beside}; {} neighbouring schools more than {:.0} points apart",
            stage.key(),
            u.plan.spread * 100.0,
            u.plan.uneven_pairs,
            s.utilization.uneven_pair_gap * 100.0
        );
    }
    if let Some(lists) = &s.migrant_lists {
        for stage in Stage::ALL {
            let l = lists.stage(stage);
            println!(
                "{:<8} migrant catchments: {:.1} child-km, bound {:.1}, gap {}; {} zones with another migrant school",
                stage.key(),
                l.objective_km,
                l.bound_km,
                gap(l.gap),
                l.zones_with_other_school
            );
        }
    }
    let unplaced: u64 = Stage::ALL.iter().map(|&st| s.stage(st).unplaced).sum();
    if unplaced > 0 {
        println!(
            "{unplaced} children have no seat: each is listed by zone and reason in unplaced.csv"
        );
    }
}

fn gap(g: Option<f64>) -> String {
    g.map_or("n/a".into(), |g| format!("{:.3}%", g * 100.0))
}
