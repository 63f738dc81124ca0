//! `catchment run SCENARIO.toml`: the main job.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use catchment::io::{Scenario, read_barriers, read_locks, read_region};
use catchment::model::{Region, Stage};
use catchment::plan::moved_cap::allocate_with_moved_cap;
use catchment::plan::{
    DEFAULT_BALANCE_KM, MigrantCatchments, Objective, Preferences, allocate_with_companion,
};
use catchment::policy::Policy;
use catchment::report::{RunInfo, Summary, write_all};
use catchment::solve::Settings;

use super::SolverArgs;
use super::progress::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Output folder (default: the scenario's `out`, else out/NAME).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverArgs,
    #[command(flatten)]
    preferences: PreferenceArgs,
}

/// Officers' locks and the weight of stability, on top of a scenario's.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PreferenceArgs {
    /// Locks (CSV: zone,school,action[,stage]; action pin or forbid).
    #[arg(long)]
    pub locks: Option<PathBuf>,
    /// Km of travel that moving one child away from today's school
    /// (`current_*`) is worth; 0 ignores stability.
    #[arg(long)]
    pub stability_km: Option<f64>,
    /// Most children of a stage moved away from today's school
    /// (`current_*`): the least stability weight that meets it is found.
    #[arg(long)]
    pub max_moved: Option<u64>,
    /// Leave catchments as the distance-optimal plan draws them, in pieces
    /// where seats run short (by default every catchment is made connected).
    #[arg(long)]
    pub allow_pieces: bool,
    /// Rivers, expressways, railways (GeoJSON lines) children should not
    /// cross: a zone crosses one only where no school on its side has seats.
    #[arg(long)]
    pub barriers: Option<PathBuf>,
    /// Km of travel one edge of catchment boundary is worth: above 0,
    /// catchments become more compact at some cost in distance.
    #[arg(long)]
    pub compactness_km: Option<f64>,
    /// Km of child travel one more entry class is worth: above 0, nearly
    /// empty classes are avoided where moving a few zones costs little.
    #[arg(long)]
    pub class_cost_km: Option<f64>,
    /// 对口直升: draw junior catchments over whole primary catchments, so
    /// each primary school feeds exactly one junior school.
    #[arg(long)]
    pub feeders_aligned: bool,
    /// What the plan minimises: `distance` (child-km) or `balance`
    /// (child-km plus an even use of seats between neighbouring schools;
    /// the distance-only plan is reported beside it).
    #[arg(long, value_parser = ["distance", "balance"])]
    pub objective: Option<String>,
    /// With `--objective balance`: km of travel worth moving one child
    /// from a full school to an empty one.
    #[arg(long)]
    pub balance_km: Option<f64>,
    /// `separate`: migrant children get catchments of their own (usually
    /// wider), drawn after the local ones over the seats locals leave;
    /// `same` (default): they go with the zone's local children.
    #[arg(long, value_name = "same|separate", value_parser = ["same", "separate"])]
    pub migrant_catchments: Option<String>,
    /// Plan even where a zone lies farther than the policy's `max_trip_km`
    /// from every school of its county (listed in the report instead).
    #[arg(long)]
    pub allow_far: bool,
}

impl PreferenceArgs {
    /// The objective asked for on the command line, else `fallback`.
    pub fn objective_or(&self, fallback: Objective) -> Objective {
        self.objective
            .as_deref()
            .and_then(Objective::parse)
            .unwrap_or(fallback)
    }

    /// The flag's choice, else the scenario's.
    pub fn migrant_catchments(&self, scenario: MigrantCatchments) -> MigrantCatchments {
        self.migrant_catchments
            .as_deref()
            .and_then(MigrantCatchments::parse)
            .unwrap_or(scenario)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.scenario)?;
    let objective = args.preferences.objective_or(scenario.objective);
    let migrant_catchments = args
        .preferences
        .migrant_catchments(scenario.migrant_catchments);
    let job = Job {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        input: Input::Scenario(Box::new(scenario.clone())),
        policy: scenario.policy.clone(),
        settings: args.solver.apply(scenario.solver.clone()),
        locks: args.preferences.locks.or(scenario.locks),
        stability_km: args
            .preferences
            .stability_km
            .unwrap_or(scenario.stability_km),
        max_moved: args.preferences.max_moved.or(scenario.max_moved),
        contiguous: scenario.contiguous && !args.preferences.allow_pieces,
        barriers: args.preferences.barriers.or(scenario.barriers),
        compactness_km: args
            .preferences
            .compactness_km
            .unwrap_or(scenario.compactness_km),
        class_cost_km: args
            .preferences
            .class_cost_km
            .unwrap_or(scenario.class_cost_km),
        feeders_aligned: args.preferences.feeders_aligned || scenario.feeders_aligned,
        objective,
        // The scenario's weight only goes with its own objective: asking
        // for distance on the command line sets it aside.
        balance_km: args.preferences.balance_km.or(scenario
            .balance_km
            .filter(|_| objective == Objective::Balance)),
        migrant_catchments,
        allow_far: args.preferences.allow_far,
        out: args.out.unwrap_or(scenario.out),
    };
    job.execute()
}

/// Where a job's region comes from.
pub enum Input {
    /// Two map files as they are.
    Maps { zones: PathBuf, schools: PathBuf },
    /// A scenario: its maps with its changes applied.
    Scenario(Box<Scenario>),
}

impl Input {
    fn read(&self) -> anyhow::Result<Region> {
        Ok(match self {
            Input::Maps { zones, schools } => read_region(zones, schools)?,
            Input::Scenario(s) => s.region()?,
        })
    }
}

/// One allocation run, however it was asked for.
pub struct Job {
    pub name: String,
    pub description: String,
    pub input: Input,
    pub policy: Policy,
    pub settings: Settings,
    pub locks: Option<PathBuf>,
    pub stability_km: f64,
    pub max_moved: Option<u64>,
    pub contiguous: bool,
    pub barriers: Option<PathBuf>,
    pub compactness_km: f64,
    pub class_cost_km: f64,
    pub feeders_aligned: bool,
    pub objective: Objective,
    /// None: the default weight.
    pub balance_km: Option<f64>,
    pub migrant_catchments: MigrantCatchments,
    pub allow_far: bool,
    pub out: PathBuf,
}

impl Job {
    pub fn execute(self) -> anyhow::Result<ExitCode> {
        let start = Instant::now();
        let progress = Progress::new();
        progress.step("reading maps");
        let region = self.input.read()?;
        let read_s = start.elapsed().as_secs_f64();
        progress.step("allocating");
        anyhow::ensure!(
            self.class_cost_km.is_finite() && self.class_cost_km >= 0.0,
            "--class-cost-km is {}; expected a distance >= 0 in km",
            self.class_cost_km
        );
        anyhow::ensure!(
            self.compactness_km.is_finite() && self.compactness_km >= 0.0,
            "--compactness-km is {}; expected a distance >= 0 in km",
            self.compactness_km
        );
        anyhow::ensure!(
            self.stability_km.is_finite() && self.stability_km >= 0.0,
            "--stability-km is {}; expected a distance >= 0 in km",
            self.stability_km
        );
        if let Some(km) = self.balance_km {
            anyhow::ensure!(
                km.is_finite() && km >= 0.0,
                "--balance-km is {km}; expected a distance >= 0 in km"
            );
            anyhow::ensure!(
                self.objective == Objective::Balance,
                "--balance-km {km} is given but the objective is \"distance\"; add --objective balance"
            );
        }
        let preferences = Preferences {
            locks: match &self.locks {
                Some(path) => read_locks(path, &region)?,
                None => Vec::new(),
            },
            stability_km: self.stability_km,
            contiguous: self.contiguous,
            barriers: match &self.barriers {
                Some(path) => read_barriers(path)?,
                None => Vec::new(),
            },
            compactness_km: self.compactness_km,
            class_cost_km: self.class_cost_km,
            feeders_aligned: self.feeders_aligned,
            objective: self.objective,
            balance_km: self.balance_km.unwrap_or(DEFAULT_BALANCE_KM),
            migrant_catchments: self.migrant_catchments,
            allow_far: self.allow_far,
            ..Preferences::default()
        };
        let plan = match self.max_moved {
            Some(cap) => allocate_with_moved_cap(
                &region,
                &self.policy,
                &self.settings,
                &preferences,
                cap,
                &progress,
            )?,
            None => allocate_with_companion(
                &region,
                &self.policy,
                &self.settings,
                &preferences,
                &progress,
            )?,
        };
        let companion = plan.objective.distance_only.as_deref();
        for p in std::iter::once(&plan).chain(companion) {
            if let Err(e) = p.conservation(&region) {
                anyhow::bail!("internal error, please report: children lost in the plan: {e}");
            }
        }
        let allocated_s = start.elapsed().as_secs_f64();
        progress.step("writing outputs");
        // The run time (up to writing) goes into summary.json only, so that
        // the other files stay identical from run to run.
        let info = RunInfo {
            scenario: &self.name,
            description: &self.description,
            settings: &self.settings,
            seconds: round_ms(start.elapsed().as_secs_f64()),
        };
        let summary = write_all(&self.out, &region, &self.policy, &plan, &info)
            .with_context(|| format!("writing the plan to {}", self.out.display()))?;
        progress.finish();
        let total_s = start.elapsed().as_secs_f64();
        print_summary(&summary);
        println!(
            "wrote {} in {total_s:.2} s (reading {read_s:.2} s, allocating {:.2} s, writing {:.2} s)",
            self.out.display(),
            allocated_s - read_s,
            total_s - allocated_s
        );
        if summary.violation_count() > 0 {
            eprintln!(
                "error: the plan breaks {} hard limit(s); see {}",
                summary.violation_count(),
                self.out.join("report.md").display()
            );
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
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
