//! `catchment compare A.toml B.toml --out DIR`: two scenarios side by side.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::planning::solve_scenario;
use catchment::report::{chart, command_lines, compare};
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
    let lang = sa.lang;
    if let Some(note) = chart::missing_chart_font_note(lang) {
        eprintln!("warning: {note}");
    }
    print!("{}", command_lines::compare_lines(&cmp, lang));
    println!("plan A {} B {}", sa.plan.digest(), sb.plan.digest());
    println!("{}", command_lines::wrote(lang, &out.join("compare.html")));
    let violations = cmp.a.primary.violations
        + cmp.a.junior.violations
        + cmp.b.primary.violations
        + cmp.b.junior.violations;
    if violations > 0 {
        eprintln!("{}", command_lines::compare_violations(lang, violations));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
