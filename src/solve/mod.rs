//! The allocation core: a relaxation solved exactly as a min-cost flow gives
//! the bound and the dual prices; zones are then made whole and polished by
//! local search. Every solve returns its cost and bound, so the gap is
//! measured, never assumed.

pub mod branch;
pub mod connected;
pub mod guided;
pub mod in_order;
pub mod instance;
pub mod lagrange;
pub mod mip;
pub mod network_simplex;
pub mod relax;
pub mod whole;
pub mod window;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::options::range;

pub use instance::{Arc, Assignment, Component, Instance, Target};
pub use relax::{Relaxation, relax, relax_again};

/// Penalty for a child without a seat, in metres of travel: a thousand
/// kilometres, more than any chain of moves inside a county can cost, so a
/// plan places every child it can before it shortens a single trip.
pub const UNPLACED_COST_M: i64 = 1_000_000_000;

/// How plans are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Our flow relaxation + whole-zone repair (default, pure Rust).
    #[default]
    Flow,
    /// HiGHS as an exact MIP (feature `highs`), warm-free, for checking.
    Highs,
}

impl crate::options::OptionValue for Backend {}

impl Backend {
    /// The MIP solver of the searches beside the core (the connected
    /// improvement step): HiGHS only where the run chose it, so that the
    /// default run is the same, and as fast, in either build.
    pub fn mip_solver(self) -> mip::MipSolver {
        match self {
            Backend::Flow => mip::MipSolver::MicroLp,
            Backend::Highs => mip::MipSolver::Highs,
        }
    }
}

/// The Lagrangian bound is computed where the rounded plan lies more than
/// 1/this of the relaxation bound above it (0.05 %).
const LAGRANGIAN_FROM_GAP: i128 = 2000;

/// Windows (see [`window`]) are searched only where the plan lies more than
/// 1/this above the proven bound (0.5 %, lumpy counties, where they find
/// better plans); closer, branch and bound's work is capped: on tight maps
/// of 300 zones (0.2 % above the bound) 3,000 nodes found nothing better
/// and took 90 % of the command's time.
const FULL_SEARCH_FROM_GAP: i128 = 200;

/// Where the plan still lies more than 1/this above the Lagrangian bound
/// (1 %), the bound gets a second ascent ([`lagrange::deepen`]); closer,
/// the first ascent's aim at the plan is near enough (on tight 300-zone
/// maps it seldom runs: six of them took no measurably longer).
const DEEPEN_FROM_GAP: i128 = 100;

/// Branch and bound is skipped where the plan lies within this many
/// metres per child of the proven bound: it could shorten no trip by more
/// (on a 62-zone window of a tight map, 15 child-metres above the
/// Lagrangian bound, its 967 nodes took 0.1 s without closing the gap). An
/// absolute figure, as a share of a cost holding unplaced children's
/// penalty would hide real distance.
const BRANCH_FROM_M_PER_CHILD: i128 = 1;

crate::options! {
    /// Solver settings of a run: the scenario's `[solver]` table and the
    /// solver flags of every command that makes a plan.
    pub struct SolverOptions => Settings {
        /// Nearest schools first offered to each zone; lists are widened
        /// where the relaxation shows they might cut off the optimum.
        #[arg(long)]
        candidates: usize = 12, range::at_least_one;
        /// Backend: `flow` (default, pure Rust) or `highs` (exact MIP; needs
        /// a binary built with `--features highs`).
        #[arg(long = "solver")]
        backend: Backend = Backend::Flow, range::any;
        /// Time limit of the `highs` backend's whole-zone MIP, seconds of
        /// solver time in all, shared among the independent parts by their
        /// size (the connected improvement step's HiGHS searches after it
        /// stop by nodes, so that they are the same on any machine).
        #[arg(long = "time-limit")]
        time_limit_s: f64 = 600.0, range::seconds;
        /// Relative gap at which the `highs` backend may stop.
        #[arg(long)]
        mip_gap: f64, range::share;
    }
}

/// A solved instance: the whole-zone plan, the relaxation, and the best
/// lower bound known (the relaxation's or the Lagrangian one, raised by
/// branch and bound where that proves more).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub assignment: Assignment,
    pub relaxation: Relaxation,
    /// The Lagrangian bound for whole zones, where its numbers fit.
    pub lagrangian: Option<lagrange::Lagrangian>,
    bound: i128,
    /// Branch-and-bound nodes explored (0: not branched).
    pub nodes: usize,
}

impl Outcome {
    pub fn cost(&self, inst: &Instance) -> i128 {
        self.assignment.cost(inst)
    }

    pub fn bound(&self) -> i128 {
        self.bound
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error(transparent)]
    Mip(#[from] mip::MipError),
    /// A bug: every backend's plan is checked before it is used.
    #[error("internal error, please report: the {backend:?} backend broke a limit: {detail}")]
    LimitBroken { backend: Backend, detail: String },
}

/// Solves an instance with the chosen backend. The relaxation is always
/// solved: it is the bound every plan is measured against.
pub fn solve(inst: &Instance, settings: &Settings) -> Result<Outcome, SolveError> {
    complete(inst, relax(inst), settings)
}

/// The Lagrangian bound, its steps aimed at `best`'s cost; every few
/// steps the schools' choices are rounded into a plan and polished, and
/// `best` takes any that is cheaper. Says whether one was.
fn guided_bound(
    inst: &Instance,
    relaxation: &Relaxation,
    best: &mut Assignment,
) -> (Option<lagrange::Lagrangian>, bool) {
    let mut upper = best.cost(inst);
    let mut improved = false;
    let lagrangian = lagrange::bound(
        inst,
        relaxation,
        upper,
        lagrange::Limits::default(),
        |picks| {
            let plan = whole::polish(inst, &guided::round(inst, picks));
            let cost = plan.cost(inst);
            (cost < upper).then(|| {
                upper = cost;
                *best = plan;
                improved = true;
                cost
            })
        },
    );
    let lagrangian = lagrangian.map(|l| {
        if (upper - l.bound) * DEEPEN_FROM_GAP > l.bound {
            lagrange::deepen(inst, upper, l, lagrange::Limits::default())
        } else {
            l
        }
    });
    (lagrangian, improved)
}

/// Finds the whole-zone plan once the relaxation is known (callers that
/// widen candidate lists solve the relaxation themselves).
pub fn complete(
    inst: &Instance,
    relaxation: Relaxation,
    settings: &Settings,
) -> Result<Outcome, SolveError> {
    let mut bound = relaxation.cost;
    let mut nodes = 0;
    // Branch and bound and the MIP prove optima over the listed arcs only:
    // their bounds count where the lists hold every target a unit may use.
    let lists_complete = inst.outside_cost.iter().all(|&c| c == i64::MAX);
    let (assignment, lagrangian) = match settings.backend {
        Backend::Flow => {
            let mut best = whole::make_whole(inst, &relaxation);
            let mut upper = best.cost(inst);
            // Where rounding already lies within a small fraction of the
            // relaxation, zones are small against schools and the
            // Lagrangian bound could add little for its time.
            let worth = upper - relaxation.cost > relaxation.cost / LAGRANGIAN_FROM_GAP;
            let mut lagrangian = if worth {
                guided_bound(inst, &relaxation, &mut best).0
            } else {
                None
            };
            upper = best.cost(inst);
            let mut proven = lagrangian.as_ref().map_or(bound, |l| l.bound.max(bound));
            // Far from the bound (lumpy counties), windows of neighbouring
            // schools re-planned together find the long chains of moves a
            // better plan needs; after them, branch and bound over the
            // whole part rarely finds more and gets a small budget.
            let far = (upper - proven) * FULL_SEARCH_FROM_GAP > proven;
            if far {
                let aimed = upper;
                best = window::improve(inst, best);
                upper = best.cost(inst);
                // The bound's steps aimed at a plan more than twice as far
                // from the relaxation as the windows' (one that left
                // children without a seat): aimed at the windows' plan,
                // they reach a far better bound (on a lumpy county, 2.3 %
                // above the relaxation instead of 0.6 %).
                if aimed - upper > upper - relaxation.cost {
                    let (again, better_plan) = guided_bound(inst, &relaxation, &mut best);
                    if again.as_ref().map(|l| l.bound) > lagrangian.as_ref().map(|l| l.bound) {
                        lagrangian = again;
                    }
                    if better_plan {
                        best = window::improve(inst, best);
                    }
                    upper = best.cost(inst);
                    proven = lagrangian.as_ref().map_or(bound, |l| l.bound.max(bound));
                }
            }
            let children: i128 = inst.demand.iter().map(|&d| i128::from(d)).sum();
            let assignment = if upper - proven <= children * BRANCH_FROM_M_PER_CHILD {
                best
            } else {
                let limits = if far {
                    branch::Limits::after_windows()
                } else {
                    branch::Limits::capped()
                };
                let searched = branch::search(inst, &relaxation, best, limits);
                if lists_complete {
                    bound = bound.max(searched.bound);
                }
                nodes = searched.nodes;
                searched.assignment
            };
            (assignment, lagrangian)
        }
        Backend::Highs => {
            let options = mip::MipOptions {
                solver: mip::MipSolver::Highs,
                time_limit: Some(Duration::from_secs_f64(settings.time_limit_s)),
                rel_gap: Some(settings.mip_gap.unwrap_or(0.0)),
                threads: None,
            };
            let result = mip::solve(inst, options)?;
            let cost = result.assignment.cost(inst);
            if result.proven && lists_complete {
                // HiGHS's own gap is relative to its incumbent: its proof
                // bounds the optimum from below by cost * (1 - gap).
                let gap = settings.mip_gap.unwrap_or(0.0).max(0.0);
                let proven = cost - (cost as f64 * gap).ceil() as i128;
                bound = bound.max(proven.min(cost));
            }
            let lagrangian =
                lagrange::bound(inst, &relaxation, cost, lagrange::Limits::default(), |_| {
                    None
                });
            (result.assignment, lagrangian)
        }
    };
    if let Some(l) = &lagrangian {
        bound = bound.max(l.bound);
    }
    debug_assert!(
        bound <= assignment.cost(inst),
        "a lower bound above a plan's cost"
    );
    if let Err(detail) = assignment.check(inst) {
        return Err(SolveError::LimitBroken {
            backend: settings.backend,
            detail,
        });
    }
    Ok(Outcome {
        assignment,
        relaxation,
        lagrangian,
        bound,
        nodes,
    })
}
