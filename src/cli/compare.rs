//! `catchment compare A.toml B.toml --out DIR`: two scenarios side by side.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::model::Stage;
use catchment::planning::solve_scenario;
use catchment::report::compare;
use catchment::run::Scenario;

use catchment::run::{Flags, Run};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario A (TOML), usually the baseline.
    a: PathBuf,
    /// Scenario B (TOML), the one to weigh against A.
    b: PathBuf,
    /// Output folder (default: out/compare-A-B): compare.md, compare.html,
    /// and each scenario's full outputs in A/ and B/.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Options over both scenarios' own.
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let a = Scenario::load(&args.a)?;
    let b = Scenario::load(&args.b)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("compare-{}-{}", a.name, b.name)));
    let sa = solve_scenario(&Run::from_scenario(a, &args.flags, None)?)?;
    let sb = solve_scenario(&Run::from_scenario(b, &args.flags, None)?)?;
    let cmp = compare::write(&sa, &sb, &out)
        .with_context(|| format!("writing the comparison to {}", out.display()))?;
    println!("A {} vs B {}", cmp.a.scenario, cmp.b.scenario);
    println!(
        "{:<8} {:>12} {:>12} {:>12} {:>12} {:>10}",
        "stage", "mean km A", "mean km B", "short A", "short B", "moved"
    );
    for stage in Stage::ALL {
        let (x, y) = (cmp.a.stage(stage), cmp.b.stage(stage));
        println!(
            "{:<8} {:>12.3} {:>12.3} {:>12} {:>12} {:>10}",
            stage.key(),
            x.mean_km,
            y.mean_km,
            x.unplaced,
            y.unplaced,
            cmp.moved(stage).children
        );
    }
    println!("plan A {} B {}", sa.plan.digest(), sb.plan.digest());
    println!("wrote {}", out.join("compare.html").display());
    let violations = cmp.a.primary.violations
        + cmp.a.junior.violations
        + cmp.b.primary.violations
        + cmp.b.junior.violations;
    if violations > 0 {
        eprintln!(
            "error: the plans break {violations} hard limit(s); see A/report.md and B/report.md"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
