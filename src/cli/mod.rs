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

use catchment::solve::{Backend, Settings};

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

/// The language flag of the commands that write documents.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LangArg {
    /// Language of the documents people read: `zh` (default) or `en`.
    #[arg(long, value_name = "zh|en", value_parser = ["zh", "en"])]
    lang: Option<String>,
}

impl LangArg {
    /// The flag's language, else `fallback` (the scenario's).
    pub fn or(&self, fallback: catchment::i18n::Lang) -> catchment::i18n::Lang {
        self.lang
            .as_deref()
            .and_then(catchment::i18n::Lang::parse)
            .unwrap_or(fallback)
    }
}

/// Solver flags shared by the commands that allocate.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SolverArgs {
    /// Backend: `flow` (default, pure Rust) or `highs` (exact MIP; needs a
    /// binary built with `--features highs`).
    #[arg(long, value_parser = parse_backend)]
    solver: Option<Backend>,
    /// Nearest schools first offered to each zone (widened where needed).
    #[arg(long)]
    candidates: Option<usize>,
    /// Time limit of the `highs` backend, seconds of solver time in all,
    /// shared among the independent parts by their size.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Relative gap at which the `highs` backend may stop.
    #[arg(long)]
    mip_gap: Option<f64>,
}

impl SolverArgs {
    fn apply(&self, mut settings: Settings) -> Settings {
        if let Some(b) = self.solver {
            settings.backend = b;
        }
        if let Some(k) = self.candidates {
            settings.candidates = k;
        }
        if let Some(t) = self.time_limit {
            settings.time_limit_s = t;
        }
        if self.mip_gap.is_some() {
            settings.mip_gap = self.mip_gap;
        }
        settings
    }
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    match s {
        "flow" => Ok(Backend::Flow),
        "highs" => Ok(Backend::Highs),
        _ => Err(format!("unknown solver `{s}`; expected `flow` or `highs`")),
    }
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
