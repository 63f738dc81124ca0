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

pub mod search;

/// One county's connected model of one stage, in local indices.
#[derive(Clone, Debug, Default)]
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
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
}

fn build(model: &ConnectedModel) -> Built {
    let units = model.demand.len();
    let schools = model.seats.len();
    let mut vars = variables!();
    let mut objective = Expression::from(0.0);
    let mut constraints = Vec::new();
    let mut x: Vec<Vec<(u32, Variable)>> = Vec::with_capacity(units);
    // var_of[s][u]: x of unit u at school s, if allowed.
    let mut var_of: Vec<Vec<Option<Variable>>> = vec![vec![None; units]; schools];
    let mut load: Vec<Expression> = vec![Expression::from(0.0); schools];
    for (u, (allowed, &demand)) in model.allowed.iter().zip(&model.demand).enumerate() {
        let mut one = Expression::from(0.0);
        let mut list = Vec::with_capacity(allowed.len());
        for &(s, cost) in allowed {
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
    }
    for (s, l) in load.into_iter().enumerate() {
        constraints.push(constraint!(l <= model.seats[s] as f64));
    }
    for (s, row) in var_of.iter().enumerate() {
        connect(model, s, row, &mut vars, &mut constraints);
    }
    Built {
        vars,
        x,
        objective,
        constraints,
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
/// `MicroLp` is for a handful of zones).
pub fn solve(model: &ConnectedModel, options: MipOptions) -> Result<ConnectedPlan, MipError> {
    let Built {
        vars,
        x,
        objective,
        constraints,
        ..
    } = build(model);
    let problem = vars.minimise(objective);
    let (school, proven) = match options.solver {
        MipSolver::MicroLp => {
            let mut m = problem.using(good_lp::microlp);
            for c in constraints {
                m = m.with(c);
            }
            (read(&x, &m.solve()?), true)
        }
        MipSolver::Highs => highs(problem, constraints, &x, options)?,
    };
    let cost = model.cost(&school).unwrap_or(i128::MAX);
    Ok(ConnectedPlan {
        school,
        cost,
        proven,
    })
}

/// What a [`search::search`] within its node budget found.
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

#[cfg(feature = "highs")]
fn highs(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    x: &[Vec<(u32, Variable)>],
    options: MipOptions,
) -> Result<(Vec<u32>, bool), MipError> {
    use good_lp::ResolutionError;
    let mut m = problem.using(good_lp::highs);
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

#[cfg(not(feature = "highs"))]
fn highs(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<good_lp::Constraint>,
    _: &[Vec<(u32, Variable)>],
    _: MipOptions,
) -> Result<(Vec<u32>, bool), MipError> {
    Err(MipError::NotBuilt)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five zones on a line, two schools at the ends: the split plan would
    /// send the middle zone's neighbour across; the connected optimum may
    /// not.
    fn line() -> ConnectedModel {
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
        let plan = solve(&model, MipOptions::exact(MipSolver::MicroLp)).unwrap();
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
        let plan = solve(&model, MipOptions::exact(MipSolver::MicroLp)).unwrap();
        assert_eq!(model.check(&plan.school), Ok(()));
        // [0, 0, 1, 1, 1] and [0, 0, 0, 0, 1] both cost 1,200 per child.
        assert_eq!(plan.cost, 12_000);
    }
}
