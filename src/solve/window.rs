//! Windows: a whole-zone plan improved by solving a few neighbouring
//! schools at a time afresh.
//!
//! On lumpy maps a better plan often needs several zones to trade places
//! among many schools at once, a chain no single move, swap or two-step
//! ejection finds. Here a school and the schools its zones could most
//! easily trade with form a window; the zones at those schools (and those
//! without a seat that could go there) are re-planned among the window's
//! schools alone, everything else fixed, by a short branch and bound from
//! the current plan, so a window never makes the plan worse. Windows of
//! several sizes take turns until none improves; a window whose schools
//! have not changed since it was last solved is not solved again.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::branch;
use super::in_order::in_order;
use super::instance::{Arc, Assignment, Instance, Target};
use super::relax::relax;

/// Schools added to each centre, largest first: wide windows find the long
/// chains lumpy maps need (on a 300-zone lumpy county a window of 11
/// schools found plans 1 % better than windows of 4), narrow ones are cheap
/// and finish the work.
const SIZES: [usize; 3] = [10, 6, 3];

/// Branch-and-bound nodes per window: its root and first branches, where
/// nearly all improvements are found.
const NODES: usize = 10;

/// Work allowed in all (nodes times the window's zones), so that large
/// parts stop in time; a count, not a clock, so the plan is the same on
/// every machine. A 300-zone lumpy county needs about 75,000.
const MAX_WORK: usize = 250_000;

/// The plan with its members per target, kept current between windows.
struct Plan<'a> {
    inst: &'a Instance,
    assignment: Assignment,
    members: Vec<Vec<u32>>,
    /// Units that may go to each target (whatever their plan).
    touching: Vec<Vec<u32>>,
    /// The targets of each pool.
    pool_targets: Vec<Vec<u32>>,
    /// When each target (and the targets of its pool) last changed.
    changed: Vec<u64>,
    clock: u64,
}

impl<'a> Plan<'a> {
    fn new(inst: &'a Instance, assignment: Assignment) -> Self {
        let mut touching = vec![Vec::new(); inst.targets.len()];
        for u in 0..inst.units() {
            for a in inst.arcs_of(u) {
                touching[a.target as usize].push(u as u32);
            }
        }
        let mut pool_targets = vec![Vec::new(); inst.pools.len()];
        for (t, target) in inst.targets.iter().enumerate() {
            pool_targets[target.pool as usize].push(t as u32);
        }
        let mut plan = Plan {
            inst,
            pool_targets,
            members: vec![Vec::new(); inst.targets.len()],
            assignment,
            touching,
            changed: vec![1; inst.targets.len()],
            clock: 1,
        };
        plan.index_members();
        plan
    }

    fn index_members(&mut self) {
        self.members.iter_mut().for_each(Vec::clear);
        for (u, t) in self.assignment.target.iter().enumerate() {
            if let Some(t) = t {
                self.members[*t as usize].push(u as u32);
            }
        }
    }

    /// The centre and the `k` targets its units (or units that could come
    /// to it) trade with most, by children; sorted.
    fn window(&self, centre: usize, k: usize) -> Vec<u32> {
        let mut score: HashMap<u32, u64> = HashMap::new();
        for &u in &self.members[centre] {
            for a in self.inst.arcs_of(u as usize) {
                *score.entry(a.target).or_default() += self.inst.demand[u as usize] as u64;
            }
        }
        for &u in &self.touching[centre] {
            if let Some(s) = self.assignment.target[u as usize] {
                *score.entry(s).or_default() += self.inst.demand[u as usize] as u64;
            }
        }
        score.remove(&(centre as u32));
        let mut order: Vec<(u64, u32)> = score.into_iter().map(|(t, s)| (s, t)).collect();
        order.sort_by_key(|&(s, t)| (std::cmp::Reverse(s), t));
        let mut window: Vec<u32> = order.iter().take(k).map(|&(_, t)| t).collect();
        window.push(centre as u32);
        window.sort_unstable();
        window
    }

    /// The targets sharing a pool with `t`, itself included.
    fn pool_mates(&self, t: u32) -> &[u32] {
        &self.pool_targets[self.inst.targets[t as usize].pool as usize]
    }

    /// The last change among the window's targets and their pool mates.
    fn last_change(&self, window: &[u32]) -> u64 {
        window
            .iter()
            .flat_map(|&t| self.pool_mates(t))
            .map(|&t| self.changed[t as usize])
            .max()
            .unwrap_or(0)
    }

    /// Children placed at a target.
    fn load(&self, t: u32) -> u64 {
        self.members[t as usize]
            .iter()
            .map(|&u| self.assignment.placed[u as usize] as u64)
            .sum()
    }
}

/// A window as an instance of its own: its targets with the seats the rest
/// of the plan leaves them, the units at them or without a seat that could
/// go there, and each unit's current place.
#[derive(PartialEq)]
struct Sub {
    window: Vec<u32>,
    units: Vec<usize>,
    instance: Instance,
    start: Assignment,
}

fn sub_instance(plan: &Plan, window: Vec<u32>) -> Sub {
    let inst = plan.inst;
    let local = |t: u32| window.binary_search(&t).ok().map(|i| i as u32);
    // Each pool's seats less what its targets outside the window hold.
    let mut pools: Vec<u32> = Vec::new();
    let mut pool_ids: Vec<u32> = Vec::new();
    let targets: Vec<Target> = window
        .iter()
        .map(|&t| {
            let target = inst.targets[t as usize];
            let pool = pool_ids
                .iter()
                .position(|&p| p == target.pool)
                .unwrap_or_else(|| {
                    let elsewhere: u64 = plan
                        .pool_mates(t)
                        .iter()
                        .filter(|&&s| local(s).is_none())
                        .map(|&s| plan.load(s))
                        .sum();
                    let seats = inst.pools[target.pool as usize] as u64;
                    pools.push(seats.saturating_sub(elsewhere) as u32);
                    pool_ids.push(target.pool);
                    pool_ids.len() - 1
                });
            Target {
                cap: target.cap,
                pool: pool as u32,
            }
        })
        .collect();
    let mut units: Vec<usize> = window
        .iter()
        .flat_map(|&t| plan.members[t as usize].iter().map(|&u| u as usize))
        .collect();
    units.extend(window.iter().flat_map(|&t| {
        plan.touching[t as usize]
            .iter()
            .map(|&u| u as usize)
            .filter(|&u| plan.assignment.target[u].is_none())
    }));
    units.sort_unstable();
    units.dedup();
    let lists = units.iter().map(|&u| {
        inst.arcs_of(u)
            .iter()
            .filter_map(|a| {
                local(a.target).map(|target| Arc {
                    target,
                    cost: a.cost,
                })
            })
            .collect::<Vec<_>>()
    });
    let instance = Instance::new(
        units.iter().map(|&u| inst.demand[u]).collect(),
        lists.collect::<Vec<_>>(),
        targets,
        pools,
        inst.unplaced_cost,
    );
    let start = Assignment {
        target: units
            .iter()
            .map(|&u| plan.assignment.target[u].and_then(local))
            .collect(),
        placed: units.iter().map(|&u| plan.assignment.placed[u]).collect(),
    };
    Sub {
        window,
        units,
        instance,
        start,
    }
}

/// What solving one window found: the work it took and, if it found a
/// cheaper plan of the window's units, that plan.
struct Solved {
    work: usize,
    better: Option<Assignment>,
}

/// Solves one window by a short branch and bound from its current plan.
fn solve_window(sub: &Sub) -> Solved {
    let unchanged = |work| Solved { work, better: None };
    if sub.units.len() < 2 {
        return unchanged(0);
    }
    let now = sub.start.cost(&sub.instance);
    let r = relax(&sub.instance);
    if r.cost >= now {
        return unchanged(sub.units.len());
    }
    let limits = branch::Limits {
        max_units: usize::MAX,
        max_nodes: NODES,
        max_work: usize::MAX,
    };
    let found = branch::search(&sub.instance, &r, sub.start.clone(), limits);
    let work = (found.nodes + 1) * sub.units.len();
    Solved {
        work,
        better: (found.cost < now).then_some(found.assignment),
    }
}

/// Puts a window's cheaper plan into the whole plan.
fn apply(plan: &mut Plan, sub: &Sub, found: &Assignment) {
    plan.clock += 1;
    for (i, &u) in sub.units.iter().enumerate() {
        let target = found.target[i].map(|t| sub.window[t as usize]);
        for t in [plan.assignment.target[u], target].into_iter().flatten() {
            plan.changed[t as usize] = plan.clock;
        }
        plan.assignment.target[u] = target;
        plan.assignment.placed[u] = found.placed[i];
    }
    plan.index_members();
}

/// The plan with the windows solved since each last changed, the work
/// left, and whether a window has improved the plan this round.
struct Run<'a> {
    plan: Plan<'a>,
    solved: HashMap<Vec<u32>, u64>,
    budget: usize,
    improved: bool,
}

impl Run<'_> {
    /// The window of `k` targets around `centre`, unless solved since its
    /// targets last changed.
    fn due(&self, centre: usize, k: usize) -> Option<Sub> {
        let window = self.plan.window(centre, k);
        let last = self.plan.last_change(&window);
        if self.solved.get(&window).is_some_and(|&at| at >= last) {
            return None;
        }
        Some(sub_instance(&self.plan, window))
    }

    /// Takes a window's result; stops when the work allowance is spent.
    fn commit(&mut self, sub: Sub, solved: Solved) -> ControlFlow<()> {
        if let Some(found) = &solved.better {
            apply(&mut self.plan, &sub, found);
            self.improved = true;
        }
        self.solved.insert(sub.window, self.plan.clock);
        self.budget = self.budget.saturating_sub(solved.work);
        if self.budget == 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Improves a plan (within every limit) by windows until none improves it
/// or the work allowance is spent; never makes it worse. The windows of
/// each size are taken centre by centre, several solved side by side
/// ([`in_order`]), with the plan one thread would make.
pub fn improve(inst: &Instance, assignment: Assignment) -> Assignment {
    let mut run = Run {
        plan: Plan::new(inst, assignment),
        solved: HashMap::new(),
        budget: MAX_WORK,
        improved: true,
    };
    let centres: Vec<usize> = (0..inst.targets.len()).collect();
    while run.improved {
        run.improved = false;
        for k in SIZES {
            let spent = in_order(
                &mut run,
                &centres,
                |run, &centre| run.due(centre, k),
                // Most windows change nothing, so any two may go together.
                |_, _| true,
                solve_window,
                |run, _, sub, solved| run.commit(sub, solved),
            );
            if spent.is_break() {
                return run.plan.assignment;
            }
        }
    }
    run.plan.assignment
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::{arcs, with_seats};

    #[test]
    fn a_window_trades_units_between_its_schools() {
        // Two schools of 30 seats, units of 20, 20, 10, 10, every seat
        // taken: the window re-plans both schools at once and trades the
        // two small units back to their nearer schools.
        let inst = with_seats(
            vec![20, 20, 10, 10],
            vec![
                arcs(&[(0, 100), (1, 900)]),
                arcs(&[(1, 200), (0, 800)]),
                arcs(&[(0, 300), (1, 400)]),
                arcs(&[(1, 300), (0, 400)]),
            ],
            &[30, 30],
        );
        // Each small unit at its farther school.
        let start = Assignment {
            target: vec![Some(0), Some(1), Some(1), Some(0)],
            placed: vec![20, 20, 10, 10],
        };
        let before = start.cost(&inst);
        let plan = improve(&inst, start);
        assert_eq!(plan.check(&inst), Ok(()));
        assert!(plan.cost(&inst) < before);
        assert_eq!(plan.target, vec![Some(0), Some(1), Some(0), Some(1)]);
    }

    #[test]
    fn a_window_never_makes_a_plan_worse() {
        let inst = with_seats(
            vec![20, 20],
            vec![arcs(&[(0, 100)]), arcs(&[(0, 900)])],
            &[30],
        );
        let start = Assignment {
            target: vec![Some(0), Some(0)],
            placed: vec![20, 10],
        };
        let plan = improve(&inst, start.clone());
        assert_eq!(plan, start);
    }
}
