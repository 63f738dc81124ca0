//! Subcommands, one file each; they parse, call the library and print.

mod allocate;
pub mod bench;
mod compare;
mod generate;
mod lottery;
mod progress;
mod project;
mod run;
mod serve;
mod site;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// School catchments (划片) for compulsory education: assigns every zone's
/// entry-grade children to a school under the class, school and seat limits,
/// and writes the maps, lists and reports a bureau publishes.
#[derive(Parser)]
#[command(name = "catchment", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (TOML): read its maps, allocate, write every output.
    Run(run::Args),
    /// Allocate given maps without a scenario file.
    Allocate(allocate::Args),
    /// Write a realistic synthetic county (zones.geojson, schools.geojson).
    Generate(generate::Args),
    /// Measure speed, gap and memory on generated instances, side by side
    /// with HiGHS when built with `--features highs`.
    Bench(bench::Args),
    /// The officers' map: view, reassign and re-optimize in the browser.
    Serve(serve::Args),
    /// Two scenarios side by side (Markdown and self-contained HTML).
    Compare(compare::Args),
    /// Roll cohorts forward year by year; the first year each school runs
    /// short (学位预警).
    Project(project::Args),
    /// Where one more class helps most; choose new school sites.
    Site(site::Args),
    /// Multi-school zones (多校划片): group neighbouring schools, draw the
    /// seeded lottery, report oversubscription and each zone's chances.
    Lottery(lottery::Args),
}

pub fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Allocate(args) => allocate::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Project(args) => project::run(args),
        Command::Site(args) => site::run(args),
        Command::Lottery(args) => lottery::run(args),
    }
}
