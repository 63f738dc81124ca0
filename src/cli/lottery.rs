//! `catchment lottery SCENARIO.toml [--groups groups.csv | --group-size K]`:
//! multi-school zones (多校划片) over the scenario's plan, one published
//! draw and the chances over many seeds.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::i18n::Lang;
use catchment::io::read_groups;
use catchment::plan::lottery::{LotterySettings, auto_groups, groups_from_specs, study};
use catchment::planning::solve_scenario;
use catchment::report::command_lines;
use catchment::report::lottery::{LotteryInfo, write_lottery};
use catchment::run::Scenario;
use catchment::spatial::{Adjacency, DEFAULT_TOLERANCE_M};
use catchment::tr;

use catchment::run::{Flags, Run};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// The bureau's groups (CSV: group,school); default: neighbouring
    /// catchments merged into groups of at most `--group-size` schools.
    #[arg(long, conflicts_with = "group_size")]
    groups: Option<PathBuf>,
    /// Most schools in a group formed from neighbouring catchments
    /// (default: the scenario's `[lottery] group_size`, else 3).
    #[arg(long)]
    group_size: Option<usize>,
    /// Draws in the study of chances, seeds S..S+N-1 (default: the
    /// scenario's `[lottery] seeds`, else 100).
    #[arg(long)]
    seeds: Option<usize>,
    /// Seed of the published draw, S (default: the scenario's
    /// `[lottery] seed`, else 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default: out/NAME-lottery).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario)?;
    let settings = LotterySettings {
        group_size: args.group_size.unwrap_or(scenario.lottery.group_size),
        seeds: args.seeds.unwrap_or(scenario.lottery.seeds),
        seed: args.seed.unwrap_or(scenario.lottery.seed),
    };
    settings
        .validate()
        .map_err(|m| anyhow::anyhow!("--group-size / --seeds / --seed: {m}"))?;
    let solved = solve_scenario(&Run::from_scenario(scenario, &args.flags, None)?)?;
    let scenario = &solved.scenario;
    println!("plan {}", solved.plan.digest());
    let (region, plan) = (&solved.region, &solved.plan);
    let from = |lang: Lang| match &args.groups {
        Some(path) => tr!(lang, "lottery.groups_from_file", path = path.display()),
        None => tr!(lang, "lottery.groups_auto", n = settings.group_size),
    };
    let (groups_from, groups_from_text) = (from(Lang::En), from(solved.lang));
    let groups = match &args.groups {
        Some(path) => groups_from_specs(region, plan, &read_groups(path, region)?),
        None => {
            // The plan's graph where it made one (it holds the bureau's
            // given neighbours).
            let built;
            let adjacency = match &plan.adjacency {
                Some(a) => a.as_ref(),
                None => {
                    built = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
                    &built
                }
            };
            auto_groups(region, plan, adjacency, settings.group_size)
        }
    };
    let lottery = study(
        region,
        &scenario.policy,
        groups,
        settings.seed,
        settings.seeds,
    )?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-lottery", scenario.name)));
    let info = LotteryInfo {
        scenario: &scenario.name,
        description: &scenario.description,
        groups_from,
        groups_from_text: groups_from_text.clone(),
        lang: solved.lang,
    };
    let (summary, path) = write_lottery(&out, region, &lottery, &info)
        .with_context(|| format!("writing the lottery to {}", out.display()))?;
    print!(
        "{}",
        command_lines::lottery_lines(&summary, &groups_from_text, solved.lang)
    );
    println!(
        "{}",
        command_lines::wrote(solved.lang, &path.join("lottery.md"))
    );
    Ok(ExitCode::SUCCESS)
}
