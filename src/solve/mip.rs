//! The same problem as an exact mixed-integer program through good_lp.
//!
//! Used to check the fast core on small instances (pure-Rust `microlp`, fine
//! up to a few hundred zones) and, with the `highs` feature, as an exact
//! backend and as the yardstick in the benchmark.
//!
//! Variables: `x[a]` binary, the unit of arc `a` goes to its target;
//! `q[a]` whole in `[0, demand]`, its children placed there (`q <= demand * x`;
//! whole, because a solver may return a fractional optimum of a continuous q);
//! `left[u]`, the unit's children without a seat (`sum q + left = demand`).
//! Each unit uses at most one arc. Costs are in km so that the penalty for
//! an unplaced child and a short trip stay within a solver's numeric range.

use std::time::Duration;

use good_lp::{
    Expression, ResolutionError, Solution, SolverModel, Variable, constraint, variable, variables,
};

use super::instance::{Assignment, Instance};

/// Which MIP solver to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MipSolver {
    /// good_lp's pure-Rust branch and bound: small instances only.
    MicroLp,
    /// HiGHS (feature `highs`).
    Highs,
}

/// What the MIP returned.
#[derive(Clone, Debug)]
pub struct MipResult {
    pub assignment: Assignment,
    /// True when the solver proved optimality (within `rel_gap`).
    pub proven: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum MipError {
    #[error("the MIP solver failed: {0}")]
    Solver(#[from] ResolutionError),
    #[error(
        "HiGHS found no plan that keeps every zone whole within its time limit of {seconds} s; give it more time (--time-limit) or use the flow backend"
    )]
    NoPlanInTime { seconds: f64 },
    #[error(
        "the `highs` backend was not built into this binary; rebuild with `cargo build --release --features highs` (needs cmake and libclang)"
    )]
    NotBuilt,
}

/// Options for one MIP solve.
#[derive(Clone, Copy, Debug)]
pub struct MipOptions {
    pub solver: MipSolver,
    pub time_limit: Option<Duration>,
    /// Stop when the solver's own gap is below this (HiGHS only).
    pub rel_gap: Option<f64>,
    pub threads: Option<u32>,
}

impl MipOptions {
    /// Solved to the optimum: HiGHS's default relative gap (1e-4) would let
    /// a plan stop a tenth of a per mille short, metres per child on a
    /// county.
    pub fn exact(solver: MipSolver) -> Self {
        MipOptions {
            solver,
            time_limit: None,
            rel_gap: Some(0.0),
            threads: None,
        }
    }
}

struct Model {
    vars: good_lp::ProblemVariables,
    x: Vec<Variable>,
    q: Vec<Variable>,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
}

fn build(inst: &Instance) -> Model {
    let mut vars = variables!();
    let mut x = Vec::with_capacity(inst.arcs.len());
    let mut q = Vec::with_capacity(inst.arcs.len());
    let mut objective = Expression::from(0.0);
    let mut constraints = Vec::new();
    let mut target_load: Vec<Expression> = vec![Expression::from(0.0); inst.targets.len()];
    let mut pool_load: Vec<Expression> = vec![Expression::from(0.0); inst.pools.len()];
    let penalty_km = inst.unplaced_cost as f64 / 1000.0;
    for u in 0..inst.units() {
        let d = inst.demand[u] as f64;
        let mut uses = Expression::from(0.0);
        // The children left without a seat get a variable of their own, so
        // that the objective is the plan's cost with no constant term:
        // HiGHS measures its relative gap without the objective's offset,
        // and with the penalty written as one (`penalty * (d - placed)`) a
        // run stopped at `--mip-gap` proved far less than it claimed.
        let left = vars.add(variable().min(0.0).max(d));
        objective += penalty_km * left;
        let mut children = Expression::from(left);
        for a in inst.arc_start[u]..inst.arc_start[u + 1] {
            let arc = inst.arcs[a];
            let xa = vars.add(variable().binary());
            let qa = vars.add(variable().integer().min(0.0).max(d));
            constraints.push(constraint!(qa <= d * xa));
            objective += arc.cost as f64 / 1000.0 * qa;
            uses += xa;
            children += qa;
            target_load[arc.target as usize] += qa;
            pool_load[inst.targets[arc.target as usize].pool as usize] += qa;
            x.push(xa);
            q.push(qa);
        }
        constraints.push(constraint!(uses <= 1.0));
        constraints.push(constraint!(children == d));
    }
    for (t, load) in target_load.into_iter().enumerate() {
        if let Some(cap) = inst.targets[t].cap {
            constraints.push(constraint!(load <= cap as f64));
        }
    }
    for (p, load) in pool_load.into_iter().enumerate() {
        constraints.push(constraint!(load <= inst.pools[p] as f64));
    }
    Model {
        vars,
        x,
        q,
        objective,
        constraints,
    }
}

fn read(
    inst: &Instance,
    model_x: &[Variable],
    model_q: &[Variable],
    sol: &impl Solution,
) -> Assignment {
    let mut target = vec![None; inst.units()];
    let mut placed = vec![0; inst.units()];
    for u in 0..inst.units() {
        for a in inst.arc_start[u]..inst.arc_start[u + 1] {
            if sol.value(model_x[a]) > 0.5 {
                let q = sol.value(model_q[a]).round().max(0.0) as u32;
                if q > 0 {
                    target[u] = Some(inst.arcs[a].target);
                    placed[u] = q.min(inst.demand[u]);
                }
            }
        }
    }
    Assignment { target, placed }
}

/// Solves the instance as a MIP.
pub fn solve(inst: &Instance, options: MipOptions) -> Result<MipResult, MipError> {
    let Model {
        vars,
        x,
        q,
        objective,
        constraints,
    } = build(inst);
    let problem = vars.minimise(objective);
    match options.solver {
        MipSolver::MicroLp => {
            let mut model = problem.using(good_lp::microlp);
            for c in constraints {
                model = model.with(c);
            }
            let sol = model.solve()?;
            Ok(MipResult {
                assignment: read(inst, &x, &q, &sol),
                proven: true,
            })
        }
        MipSolver::Highs => highs(problem, constraints, inst, &x, &q, options),
    }
}

#[cfg(feature = "highs")]
fn highs(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    inst: &Instance,
    x: &[Variable],
    q: &[Variable],
    options: MipOptions,
) -> Result<MipResult, MipError> {
    let mut model = problem.using(good_lp::highs);
    model.set_verbose(false);
    if let Some(limit) = options.time_limit {
        model = model.set_time_limit(limit.as_secs_f64());
    }
    if let Some(gap) = options.rel_gap {
        model = model
            .set_mip_rel_gap(gap as f32)
            .map_err(|e| MipError::Solver(ResolutionError::Str(e.to_string())))?;
        if gap == 0.0 {
            // Exact means exact to the metre: the default absolute gap
            // (1e-6 of the objective's units) would let a penalty-dominated
            // objective stop tens of metres short.
            model = model
                .set_mip_abs_gap(1e-4)
                .map_err(|e| MipError::Solver(ResolutionError::Str(e.to_string())))?;
        }
    }
    if let Some(threads) = options.threads {
        model = model.set_threads(threads);
    }
    for c in constraints {
        model = model.with(c);
    }
    let sol = model.solve().map_err(|e| match (&e, options.time_limit) {
        (ResolutionError::Other("NoSolutionFound"), Some(limit)) => MipError::NoPlanInTime {
            seconds: limit.as_secs_f64(),
        },
        _ => MipError::Solver(e),
    })?;
    let proven = matches!(
        sol.status(),
        good_lp::solvers::SolutionStatus::Optimal | good_lp::solvers::SolutionStatus::GapLimit
    );
    Ok(MipResult {
        assignment: read(inst, x, q, &sol),
        proven,
    })
}

#[cfg(not(feature = "highs"))]
fn highs(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<good_lp::Constraint>,
    _: &Instance,
    _: &[Variable],
    _: &[Variable],
    _: MipOptions,
) -> Result<MipResult, MipError> {
    Err(MipError::NotBuilt)
}
