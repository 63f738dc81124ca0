//! The connected model as an exact mixed-integer program: the yardstick for
//! the connected-catchment heuristic (`plan::passes::contiguity`), which
//! otherwise has no reference but the split-zone bound.
//!
//! Every unit (a zone with its children already counted) goes to exactly
//! one of its allowed schools; a school's children stay within its seats;
//! and each catchment is one connected piece of the zone graph, rooted at
//! the school's own zone where it has one. Connectedness is a single
//! commodity flow per school: its root sends one unit of flow to every
//! other zone of its catchment along edges whose both ends are in the
//! catchment, so a zone cut off from the root cannot be fed. A school
//! without a fixed root may pick one (at most one) of its zones, or stay
//! empty. Good for instances up to a few hundred zones with HiGHS.
//!
//! The windows of the connected repair (a few dozen zones) are solved by
//! [`search`], a branch and bound on the assignment itself, which decides
//! tight windows where a general MIP solver's relaxation does not.

use good_lp::{Expression, Solution, SolverModel, Variable, constraint, variable, variables};

use super::mip::{MipError, MipOptions, MipSolver};
use crate::spatial::grow;

pub mod memo;
pub mod pieces;
pub mod search;

/// One county's connected model of one stage, in local indices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConnectedModel {
    /// Children of each unit (they move with it, whole).
    pub demand: Vec<u32>,
    /// Per unit, the schools it may go to and the cost per child (metres).
    pub allowed: Vec<Vec<(u32, i64)>>,
    /// Zone adjacency between units.
    pub neighbours: Vec<Vec<u32>>,
    /// Seats per school for this stage's units.
    pub seats: Vec<i64>,
    /// Per school, the unit that must be in its catchment and is the root
    /// of its piece (its own zone), if any.
    pub root: Vec<Option<u32>>,
}

/// The optimum of a [`ConnectedModel`].
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectedPlan {
    /// Each unit's school.
    pub school: Vec<u32>,
    /// Child-metres of the plan.
    pub cost: i128,
    /// True when the solver proved optimality (within its gap).
    pub proven: bool,
}

impl ConnectedModel {
    /// Child-metres of an assignment, `None` if a unit goes where it may not.
    pub fn cost(&self, school: &[u32]) -> Option<i128> {
        let mut total = 0i128;
        for (u, &s) in school.iter().enumerate() {
            let &(_, c) = self.allowed[u].iter().find(|&&(t, _)| t == s)?;
            total += self.demand[u] as i128 * c as i128;
        }
        Some(total)
    }

    /// Whether an assignment keeps every seat limit, holds every root and
    /// leaves every catchment in one piece: the check of a solver's answer.
    pub fn check(&self, school: &[u32]) -> Result<(), String> {
        self.cost(school)
            .ok_or_else(|| "a unit at a school it may not go to".to_string())?;
        let mut load = vec![0i64; self.seats.len()];
        for (u, &s) in school.iter().enumerate() {
            load[s as usize] += self.demand[u] as i64;
        }
        for (s, (&l, &cap)) in load.iter().zip(&self.seats).enumerate() {
            if l > cap {
                return Err(format!("school {s}: {l} children for {cap} seats"));
            }
            if let Some(r) = self.root[s]
                && school[r as usize] != s as u32
            {
                return Err(format!("school {s}: its own zone {r} elsewhere"));
            }
            let members: Vec<usize> = (0..school.len())
                .filter(|&u| school[u] == s as u32)
                .collect();
            if members.len() > reached(self, school, s as u32, &members) {
                return Err(format!("school {s}: catchment in pieces"));
            }
        }
        Ok(())
    }
}

/// How many of `members` (school `s`'s units) one search from its root (or
/// first member) reaches inside the catchment.
fn reached(model: &ConnectedModel, school: &[u32], s: u32, members: &[usize]) -> usize {
    let Some(start) = model.root[s as usize]
        .map(|r| r as usize)
        .or(members.first().copied())
    else {
        return 0;
    };
    let mut seen = vec![false; school.len()];
    seen[start] = true;
    let mut stack = vec![start];
    let mut count = 0;
    while let Some(v) = stack.pop() {
        count += 1;
        for &w in &model.neighbours[v] {
            let w = w as usize;
            if !seen[w] && school[w] == s {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    count
}

struct Built {
    vars: good_lp::ProblemVariables,
    /// Per unit, its allowed (school, variable).
    x: Vec<Vec<(u32, Variable)>>,
    /// Per unit, its allowed (school, position of its variable in creation
    /// order, how a solver called directly lists them).
    position: Vec<Vec<(u32, usize)>>,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
}

/// How a model keeps each catchment in one piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contiguity {
    /// A flow from the root to every member: exactly the connected plans.
    Flow,
    /// Every member but the root has a neighbour in its catchment one step
    /// nearer the root (steps counted over the zones the school may take):
    /// only the catchments that hold a shortest path from the root to each
    /// of their zones, a restriction of the model but no variables beyond
    /// the assignment's and a far tighter relaxation, so a small branch and
    /// bound finds a plan where the flow model is still searching. A school
    /// without a fixed root keeps the flow.
    Nearer,
    /// Only the cuts found so far against pieces of earlier answers (see
    /// [`solve_by_cuts`]): a relaxation of the connected model, so an
    /// infeasible one proves the connected model infeasible.
    Cuts,
}

/// A piece of one school's catchment in an answer, cut off from its root:
/// in a connected plan a zone of the piece has a neighbour of the piece's
/// boundary in the same catchment (or, for a school without a fixed root,
/// at most one side of the boundary holds its zones).
#[derive(Clone, Debug, PartialEq)]
struct Cut {
    school: usize,
    piece: Vec<usize>,
    boundary: Vec<usize>,
    /// For a school without a fixed root, a zone of its catchment on the
    /// other side.
    other: Option<usize>,
}

fn build(model: &ConnectedModel, contiguity: Contiguity, cuts: &[Cut]) -> Built {
    let units = model.demand.len();
    let schools = model.seats.len();
    let mut vars = variables!();
    let mut objective = Expression::from(0.0);
    let mut constraints = Vec::new();
    let mut x: Vec<Vec<(u32, Variable)>> = Vec::with_capacity(units);
    let mut position: Vec<Vec<(u32, usize)>> = Vec::with_capacity(units);
    // var_of[s][u]: x of unit u at school s, if allowed.
    let mut var_of: Vec<Vec<Option<Variable>>> = vec![vec![None; units]; schools];
    let mut load: Vec<Expression> = vec![Expression::from(0.0); schools];
    for (u, (allowed, &demand)) in model.allowed.iter().zip(&model.demand).enumerate() {
        let mut one = Expression::from(0.0);
        let mut list = Vec::with_capacity(allowed.len());
        let mut at = Vec::with_capacity(allowed.len());
        for &(s, cost) in allowed {
            at.push((s, vars.len()));
            let v = vars.add(variable().binary());
            let d = demand as f64;
            objective += d * cost as f64 / 1000.0 * v;
            load[s as usize] += d * v;
            one += v;
            var_of[s as usize][u] = Some(v);
            list.push((s, v));
        }
        constraints.push(constraint!(one == 1.0));
        x.push(list);
        position.push(at);
    }
    for (s, l) in load.into_iter().enumerate() {
        constraints.push(constraint!(l <= model.seats[s] as f64));
    }
    for (s, row) in var_of.iter().enumerate() {
        match (contiguity, model.root[s]) {
            (Contiguity::Nearer, Some(r)) => nearer(model, r as usize, row, &mut constraints),
            (Contiguity::Cuts, root) => {
                if let Some(xr) = root.and_then(|r| row[r as usize]) {
                    constraints.push(constraint!(xr == 1.0));
                }
            }
            _ => connect(model, s, row, &mut vars, &mut constraints),
        }
    }
    for cut in cuts {
        let row = &var_of[cut.school];
        let mut boundary = Expression::from(0.0);
        for &w in &cut.boundary {
            if let Some(xw) = row[w] {
                boundary += xw;
            }
        }
        for &u in &cut.piece {
            let Some(xu) = row[u] else { continue };
            match cut.other.and_then(|v| row[v]) {
                Some(xv) => constraints.push(constraint!(xu + xv - 1.0 <= boundary.clone())),
                None => constraints.push(constraint!(xu <= boundary.clone())),
            }
        }
    }
    Built {
        vars,
        x,
        position,
        objective,
        constraints,
    }
}

/// A school's catchment around its root `r` as [`Contiguity::Nearer`]
/// builds it: each member has a member neighbour one step nearer `r`.
fn nearer(
    model: &ConnectedModel,
    r: usize,
    x: &[Option<Variable>],
    constraints: &mut Vec<good_lp::Constraint>,
) {
    let Some(xr) = x[r] else { return };
    constraints.push(constraint!(xr == 1.0));
    let mut steps = vec![usize::MAX; x.len()];
    steps[r] = 0;
    let mut queue = std::collections::VecDeque::from([r]);
    while let Some(v) = queue.pop_front() {
        for &w in &model.neighbours[v] {
            let w = w as usize;
            if x[w].is_some() && steps[w] == usize::MAX {
                steps[w] = steps[v] + 1;
                queue.push_back(w);
            }
        }
    }
    for (u, xu) in x.iter().enumerate() {
        let Some(xu) = *xu else { continue };
        if u == r {
            continue;
        }
        let mut support = Expression::from(0.0);
        if steps[u] != usize::MAX {
            for &w in &model.neighbours[u] {
                let w = w as usize;
                if let Some(xw) = x[w].filter(|_| steps[w] + 1 == steps[u]) {
                    support += xw;
                }
            }
        }
        constraints.push(constraint!(xu <= support));
    }
}

/// School `s`'s catchment one piece: flow from its root to every member.
fn connect(
    model: &ConnectedModel,
    s: usize,
    x: &[Option<Variable>],
    vars: &mut good_lp::ProblemVariables,
    constraints: &mut Vec<good_lp::Constraint>,
) {
    let members: Vec<usize> = (0..x.len()).filter(|&u| x[u].is_some()).collect();
    if members.is_empty() {
        return;
    }
    let big = (members.len() - 1) as f64;
    let units = x.len();
    let mut inflow: Vec<Expression> = vec![Expression::from(0.0); units];
    let mut outflow: Vec<Expression> = vec![Expression::from(0.0); units];
    for &u in &members {
        for &w in &model.neighbours[u] {
            let w = w as usize;
            let (Some(xu), Some(xw)) = (x[u], x[w]) else {
                continue;
            };
            let f = vars.add(variable().min(0.0));
            constraints.push(constraint!(f <= big * xu));
            constraints.push(constraint!(f <= big * xw));
            outflow[u] += f;
            inflow[w] += f;
        }
    }
    let fixed = model.root[s].map(|r| r as usize);
    if let Some(r) = fixed {
        let xr = x[r].expect("a school's own zone is allowed to it");
        constraints.push(constraint!(xr == 1.0));
    }
    let mut roots = Expression::from(0.0);
    for &u in &members {
        let xu = x[u].expect("member");
        let net = inflow[u].clone() - outflow[u].clone();
        match fixed {
            Some(r) if r == u => {}
            Some(_) => constraints.push(constraint!(net >= xu)),
            None => {
                // A free root: the one member that may send instead of
                // receive.
                let ru = vars.add(variable().binary());
                constraints.push(constraint!(ru <= xu));
                constraints.push(constraint!(net >= xu - (big + 1.0) * ru));
                roots += ru;
            }
        }
    }
    if fixed.is_none() {
        constraints.push(constraint!(roots <= 1.0));
    }
}

fn read(built_x: &[Vec<(u32, Variable)>], sol: &impl Solution) -> Vec<u32> {
    built_x
        .iter()
        .map(|list| {
            list.iter()
                .max_by(|a, b| sol.value(a.1).total_cmp(&sol.value(b.1)))
                .map_or(0, |&(s, _)| s)
        })
        .collect()
}

/// Solves the connected model exactly (HiGHS needs the `highs` feature;
/// `MicroLp` is for a handful of zones). HiGHS starts from `start` (a
/// school per unit) where one is given: on a few hundred zones it may find
/// no connected plan of its own within a benchmark's time, and from ours it
/// can only improve or prove.
pub fn solve(
    model: &ConnectedModel,
    options: MipOptions,
    start: Option<&[u32]>,
) -> Result<ConnectedPlan, MipError> {
    let Built {
        vars,
        x,
        objective,
        constraints,
        ..
    } = build(model, Contiguity::Flow, &[]);
    let problem = vars.minimise(objective);
    let (school, proven) = match options.solver {
        MipSolver::MicroLp => {
            let mut m = problem.using(good_lp::microlp);
            for c in constraints {
                m = m.with(c);
            }
            (read(&x, &m.solve()?), true)
        }
        MipSolver::Highs => {
            let start = start.map(|schools| {
                x.iter()
                    .zip(schools)
                    .flat_map(|(list, &at)| list.iter().map(move |&(s, v)| (v, f64::from(s == at))))
                    .collect()
            });
            highs(problem, constraints, &x, options, start)?
        }
    };
    let cost = model.cost(&school).unwrap_or(i128::MAX);
    Ok(ConnectedPlan {
        school,
        cost,
        proven,
    })
}

/// What a solve within a node budget found.
#[derive(Clone, Debug, PartialEq)]
pub enum Budgeted {
    /// A plan of the model (`proven` when the search finished).
    Plan(ConnectedPlan),
    /// The search finished without a plan: no assignment of the model keeps
    /// every seat limit, every root and every catchment in one piece.
    Infeasible,
    /// The budget ran out before a plan or a proof.
    Unknown,
}

/// Solves a small connected model (a window of a few dozen zones) within
/// `nodes` branch-and-bound nodes, its catchments kept whole as
/// `contiguity` says (an infeasible [`Contiguity::Nearer`] model proves
/// nothing of the connected model), by `solver` (HiGHS needs the `highs`
/// feature; without it the answer is `Unknown`). A node budget, not a
/// clock, so the answer is the same on a loaded machine and with any
/// number of threads.
pub fn solve_budgeted(
    model: &ConnectedModel,
    contiguity: Contiguity,
    solver: MipSolver,
    nodes: u64,
) -> Budgeted {
    judge(model, run_budgeted(model, contiguity, &[], solver, nodes))
}

/// A plan if the answer is one of the connected model, a proof of
/// infeasibility, or nothing.
fn judge(
    model: &ConnectedModel,
    found: Result<(Vec<u32>, bool), Option<good_lp::ResolutionError>>,
) -> Budgeted {
    match found {
        Ok((school, proven)) => match model.cost(&school) {
            Some(cost) if model.check(&school).is_ok() => Budgeted::Plan(ConnectedPlan {
                school,
                cost,
                proven,
            }),
            _ => Budgeted::Unknown,
        },
        Err(Some(good_lp::ResolutionError::Infeasible)) => Budgeted::Infeasible,
        Err(_) => Budgeted::Unknown,
    }
}

/// One budgeted solve of the model built with `contiguity` and `cuts`.
fn run_budgeted(
    model: &ConnectedModel,
    contiguity: Contiguity,
    cuts: &[Cut],
    solver: MipSolver,
    nodes: u64,
) -> Result<(Vec<u32>, bool), Option<good_lp::ResolutionError>> {
    let Built {
        vars,
        x,
        position,
        objective,
        constraints,
    } = build(model, contiguity, cuts);
    let problem = vars.minimise(objective);
    match solver {
        MipSolver::Highs => highs_budgeted(problem, constraints, &x, nodes),
        MipSolver::MicroLp => microlp_budgeted(problem, constraints, &position, nodes),
    }
}

/// Solves the connected model by rounds of cuts: the assignment within the
/// seats and roots first, then, while its answer leaves a catchment in
/// pieces, again with a cut against each piece. Each round within `nodes`
/// nodes, at most `rounds` rounds. Every cut holds of every connected plan,
/// so an infeasible round proves the connected model infeasible, and a
/// connected answer proven optimal is the connected optimum. Far cheaper
/// than the flow model for a small branch and bound: no variables beyond
/// the assignment's.
pub fn solve_by_cuts(
    model: &ConnectedModel,
    solver: MipSolver,
    nodes: u64,
    rounds: usize,
) -> Budgeted {
    let mut cuts = Vec::new();
    for _ in 0..rounds {
        let found = run_budgeted(model, Contiguity::Cuts, &cuts, solver, nodes);
        let Ok((school, _)) = &found else {
            return judge(model, found);
        };
        let fresh = pieces_cut_off(model, school);
        if fresh.is_empty() {
            return judge(model, found);
        }
        cuts.extend(fresh);
    }
    Budgeted::Unknown
}

/// The cuts against every piece of an answer cut off from its school's
/// root (or, without a root, from its first piece).
fn pieces_cut_off(model: &ConnectedModel, school: &[u32]) -> Vec<Cut> {
    let mut label = vec![usize::MAX; school.len()];
    let mut cuts = Vec::new();
    for s in 0..model.seats.len() {
        let members: Vec<usize> = (0..school.len())
            .filter(|&u| school[u] == s as u32)
            .collect();
        let mut pieces: Vec<Vec<usize>> = Vec::new();
        for &start in &members {
            if label[start] != usize::MAX {
                continue;
            }
            let at = pieces.len();
            label[start] = at;
            pieces.push(grow(start, &model.neighbours, |w| {
                let take = school[w] == s as u32 && label[w] == usize::MAX;
                if take {
                    label[w] = at;
                }
                take
            }));
        }
        if pieces.len() <= 1 {
            continue;
        }
        let main = model.root[s].map_or(0, |r| label[r as usize]);
        for (i, piece) in pieces.iter().enumerate() {
            if i == main {
                continue;
            }
            let mut inside = vec![false; school.len()];
            for &u in piece {
                inside[u] = true;
            }
            let mut boundary: Vec<usize> = piece
                .iter()
                .flat_map(|&u| model.neighbours[u].iter().map(|&w| w as usize))
                .filter(|&w| !inside[w])
                .collect();
            boundary.sort_unstable();
            boundary.dedup();
            cuts.push(Cut {
                school: s,
                piece: piece.clone(),
                boundary,
                other: model.root[s].is_none().then(|| pieces[main][0]),
            });
        }
    }
    cuts
}

/// good_lp's branch and bound, called directly for its node limit.
/// `Err(None)` when the budget ran out with nothing found.
fn microlp_budgeted(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    position: &[Vec<(u32, usize)>],
    nodes: u64,
) -> Result<(Vec<u32>, bool), Option<good_lp::ResolutionError>> {
    let mut m = problem.using(good_lp::microlp);
    for c in constraints {
        m = m.with(c);
    }
    let mut options = microlp::SolveOptions::default();
    options.node_limit = Some(nodes);
    let outcome = m
        .as_inner()
        .solve_with(options)
        .map_err(|e| Some(e.into()))?;
    let solution = outcome.into_solution().map_err(|_| None)?;
    let proven = solution.termination_reason() == microlp::TerminationReason::ProvenOptimal;
    let values: Vec<f64> = solution.iter().map(|(_, v)| v).collect();
    Ok((read_values(position, &values), proven))
}

/// Per unit, the allowed school whose variable has the largest value.
fn read_values(position: &[Vec<(u32, usize)>], values: &[f64]) -> Vec<u32> {
    position
        .iter()
        .map(|at| {
            at.iter()
                .max_by(|a, b| values[a.1].total_cmp(&values[b.1]))
                .map_or(0, |&(s, _)| s)
        })
        .collect()
}

#[cfg(feature = "highs")]
fn highs(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    x: &[Vec<(u32, Variable)>],
    options: MipOptions,
    start: Option<Vec<(Variable, f64)>>,
) -> Result<(Vec<u32>, bool), MipError> {
    use good_lp::{ResolutionError, WithInitialSolution};
    let mut m = problem.using(good_lp::highs);
    if let Some(start) = start {
        m = m.with_initial_solution(start);
    }
    m.set_verbose(false);
    if let Some(limit) = options.time_limit {
        m = m.set_time_limit(limit.as_secs_f64());
    }
    let gap = options.rel_gap.unwrap_or(0.0);
    m = m
        .set_mip_rel_gap(gap as f32)
        .map_err(|e| MipError::Solver(ResolutionError::Str(e.to_string())))?;
    if let Some(threads) = options.threads {
        m = m.set_threads(threads);
    }
    for c in constraints {
        m = m.with(c);
    }
    let sol = m.solve().map_err(|e| match (&e, options.time_limit) {
        (ResolutionError::Other("NoSolutionFound"), Some(limit)) => MipError::NoPlanInTime {
            seconds: limit.as_secs_f64(),
        },
        _ => MipError::Solver(e),
    })?;
    let proven = matches!(
        sol.status(),
        good_lp::solvers::SolutionStatus::Optimal | good_lp::solvers::SolutionStatus::GapLimit
    );
    Ok((read(x, &sol), proven))
}

/// HiGHS on one thread with a node limit. `Err(None)` when the budget ran
/// out with nothing found.
#[cfg(feature = "highs")]
fn highs_budgeted(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    x: &[Vec<(u32, Variable)>],
    nodes: u64,
) -> Result<(Vec<u32>, bool), Option<good_lp::ResolutionError>> {
    use good_lp::ResolutionError;
    let mut m = problem.using(good_lp::highs);
    m.set_verbose(false);
    let m = m
        .set_mip_rel_gap(0.0)
        .and_then(|m| m.set_mip_abs_gap(1e-4))
        .map_err(|e| Some(ResolutionError::Str(e.to_string())))?;
    let mut m = m
        .set_threads(1)
        .set_option("mip_max_nodes", nodes.min(i32::MAX as u64) as i32);
    for c in constraints {
        m = m.with(c);
    }
    let sol = m.solve().map_err(|e| match e {
        ResolutionError::Infeasible => Some(e),
        _ => None,
    })?;
    let proven = matches!(sol.status(), good_lp::solvers::SolutionStatus::Optimal);
    Ok((read(x, &sol), proven))
}

#[cfg(not(feature = "highs"))]
fn highs_budgeted(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<good_lp::Constraint>,
    _: &[Vec<(u32, Variable)>],
    _: u64,
) -> Result<(Vec<u32>, bool), Option<good_lp::ResolutionError>> {
    Err(None)
}

#[cfg(not(feature = "highs"))]
fn highs(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<good_lp::Constraint>,
    _: &[Vec<(u32, Variable)>],
    _: MipOptions,
    _: Option<Vec<(Variable, f64)>>,
) -> Result<(Vec<u32>, bool), MipError> {
    Err(MipError::NotBuilt)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five zones on a line, two schools at the ends: the split plan would
    /// send the middle zone's neighbour across; the connected optimum may
    /// not.
    pub(super) fn line() -> ConnectedModel {
        // Zones 0-1-2-3-4; school 0 stands in zone 0, school 1 in zone 4.
        // Zone 3 is cheap for school 0 (a shortcut) but zone 2 is school
        // 1's, so giving 3 to school 0 would cut it off.
        let allowed = vec![
            vec![(0, 100), (1, 900)],
            vec![(0, 200), (1, 800)],
            vec![(0, 700), (1, 300)],
            vec![(0, 100), (1, 500)],
            vec![(0, 900), (1, 100)],
        ];
        ConnectedModel {
            demand: vec![10, 10, 10, 10, 10],
            allowed,
            neighbours: vec![vec![1], vec![0, 2], vec![1, 3], vec![2, 4], vec![3]],
            seats: vec![30, 30],
            root: vec![Some(0), Some(4)],
        }
    }

    #[test]
    fn the_optimum_keeps_every_catchment_in_one_piece() {
        let model = line();
        let plan = solve(&model, MipOptions::exact(MipSolver::MicroLp), None).unwrap();
        assert_eq!(model.check(&plan.school), Ok(()));
        // Unconnected, [0, 0, 1, 0, 1] would cost 100+200+300+100+100 =
        // 800 per child; connected, the best is [0, 0, 1, 1, 1] at
        // 100+200+300+500+100 or [0, 0, 0, 1, 1] at 100+200+700+500+100.
        assert_eq!(plan.school, vec![0, 0, 1, 1, 1]);
        assert_eq!(plan.cost, 12_000);
        assert!(model.check(&[0, 0, 1, 0, 1]).is_err());
    }

    #[test]
    fn a_school_without_its_own_zone_may_stay_empty_or_pick_a_root() {
        let mut model = line();
        model.root = vec![Some(0), None];
        model.seats = vec![50, 30];
        let plan = solve(&model, MipOptions::exact(MipSolver::MicroLp), None).unwrap();
        assert_eq!(model.check(&plan.school), Ok(()));
        // [0, 0, 1, 1, 1] and [0, 0, 0, 0, 1] both cost 1,200 per child.
        assert_eq!(plan.cost, 12_000);
    }

    #[test]
    fn the_nearer_model_and_the_cuts_find_the_connected_optimum() {
        let model = line();
        for found in [
            solve_budgeted(&model, Contiguity::Nearer, MipSolver::MicroLp, 100),
            solve_by_cuts(&model, MipSolver::MicroLp, 100, 10),
        ] {
            let Budgeted::Plan(plan) = found else {
                panic!("no plan: {found:?}")
            };
            assert_eq!(plan.school, vec![0, 0, 1, 1, 1]);
            assert_eq!(plan.cost, 12_000);
            assert!(plan.proven);
        }
    }

    /// Zones 0-1-2, school 0 in zone 0 with room for two zones, school 1 in
    /// zone 1 with room for its own only: zone 2 fits only at school 0, cut
    /// off from it by zone 1.
    pub(super) fn cut_off() -> ConnectedModel {
        ConnectedModel {
            demand: vec![10, 10, 10],
            allowed: vec![vec![(0, 100), (1, 300)]; 3],
            neighbours: vec![vec![1], vec![0, 2], vec![1]],
            seats: vec![20, 10],
            root: vec![Some(0), Some(1)],
        }
    }

    #[test]
    fn the_cuts_prove_a_map_without_a_connected_plan() {
        let model = cut_off();
        assert!(model.check(&[0, 1, 0]).is_err());
        assert_eq!(
            solve_by_cuts(&model, MipSolver::MicroLp, 100, 10),
            Budgeted::Infeasible
        );
        // The flow model agrees.
        assert_eq!(
            solve_budgeted(&model, Contiguity::Flow, MipSolver::MicroLp, 100),
            Budgeted::Infeasible
        );
    }
}
