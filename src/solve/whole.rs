//! Making zones whole: from the split relaxation to a plan where each unit
//! goes to one school, every limit holds, and no local move improves it.
//!
//! The relaxation leaves at most one split unit per school, so rounding
//! changes little; what it breaks (a school over its seats by part of a zone)
//! is repaired by the cheapest moves and two-step ejection chains, and only
//! when no school within reach has room are the farthest children left
//! without a seat. A local search of shifts, swaps and ejection chains then
//! closes most of the remaining gap to the relaxation bound.

use super::instance::{Arc, Assignment, Instance};
use super::relax::Relaxation;

/// The working plan with loads and per-target member lists kept current.
struct State<'a> {
    inst: &'a Instance,
    target: Vec<Option<u32>>,
    placed: Vec<u32>,
    /// Cost per child of each unit's current target (0 when none).
    unit_cost: Vec<i64>,
    target_load: Vec<i64>,
    pool_load: Vec<i64>,
    members: Vec<Vec<u32>>,
    position: Vec<u32>,
    /// The least a unit's placed children can cost more anywhere else
    /// (ignoring room): a unit asked to make way for a gain smaller than
    /// this cannot make a profitable swap or chain, and is skipped.
    exit_floor: Vec<i64>,
}

/// A unit leaving one target for another, with the children placed after.
#[derive(Clone, Copy, Debug)]
struct Move {
    unit: u32,
    to: u32,
    placed: u32,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance) -> Self {
        State {
            inst,
            target: vec![None; inst.units()],
            placed: vec![0; inst.units()],
            unit_cost: vec![0; inst.units()],
            target_load: vec![0; inst.targets.len()],
            pool_load: vec![0; inst.pools.len()],
            members: vec![Vec::new(); inst.targets.len()],
            position: vec![0; inst.units()],
            exit_floor: vec![0; inst.units()],
        }
    }

    fn pool(&self, t: u32) -> usize {
        self.inst.targets[t as usize].pool as usize
    }

    fn target_cap(&self, t: u32) -> i64 {
        self.inst.targets[t as usize]
            .cap
            .map_or(i64::MAX / 4, |c| c as i64)
    }

    /// Seats left at a target, counting its pool.
    fn room(&self, t: u32) -> i64 {
        let p = self.pool(t);
        (self.target_cap(t) - self.target_load[t as usize])
            .min(self.inst.pools[p] as i64 - self.pool_load[p])
    }

    /// Seats left at `t` once `leaving` children have left target `from`:
    /// they free seats of `t` itself only if `from` is `t`, and of its pool
    /// if `from` shares the pool.
    fn room_after(&self, t: u32, from: Option<u32>, leaving: i64) -> i64 {
        let p = self.pool(t);
        let same_target = if from == Some(t) { leaving } else { 0 };
        let same_pool = if from.is_some_and(|f| self.pool(f) == p) {
            leaving
        } else {
            0
        };
        (self.target_cap(t) - self.target_load[t as usize] + same_target)
            .min(self.inst.pools[p] as i64 - self.pool_load[p] + same_pool)
    }

    fn assign(&mut self, u: usize, t: Option<u32>, placed: u32) {
        if let Some(old) = self.target[u] {
            let q = self.placed[u] as i64;
            self.target_load[old as usize] -= q;
            let p = self.pool(old);
            self.pool_load[p] -= q;
            let list = &mut self.members[old as usize];
            let pos = self.position[u] as usize;
            let last = *list.last().expect("member of its target");
            list.swap_remove(pos);
            if last as usize != u {
                self.position[last as usize] = pos as u32;
            }
        }
        self.target[u] = t;
        self.placed[u] = if t.is_some() { placed } else { 0 };
        self.unit_cost[u] = 0;
        if let Some(new) = t {
            let q = placed as i64;
            self.target_load[new as usize] += q;
            let p = self.pool(new);
            self.pool_load[p] += q;
            self.position[u] = self.members[new as usize].len() as u32;
            self.members[new as usize].push(u as u32);
            self.unit_cost[u] = self.inst.cost(u, new).expect("candidate target");
        }
        self.exit_floor[u] = match t {
            Some(new) => self
                .inst
                .arcs_of(u)
                .iter()
                .filter(|a| a.target != new)
                .map(|a| (a.cost - self.unit_cost[u]) * placed as i64)
                .min()
                .unwrap_or(i64::MAX),
            None => 0,
        };
    }

    /// Cost of a unit with `placed` children at per-child cost `cost`.
    fn unit_total(&self, u: usize, cost: i64, placed: u32) -> i128 {
        cost as i128 * placed as i128
            + (self.inst.demand[u] - placed) as i128 * self.inst.unplaced_cost as i128
    }

    fn current_total(&self, u: usize) -> i128 {
        self.unit_total(u, self.unit_cost[u], self.placed[u])
    }

    /// Overload of a target and of its pool (positive: children over).
    fn overload(&self, t: u32) -> i64 {
        let p = self.pool(t);
        (self.target_load[t as usize] - self.target_cap(t))
            .max(self.pool_load[p] - self.inst.pools[p] as i64)
    }

    fn into_assignment(self) -> Assignment {
        Assignment {
            target: self.target,
            placed: self.placed,
        }
    }
}

/// Makes every unit whole, starting from the relaxation's plan.
pub fn make_whole(inst: &Instance, relaxation: &Relaxation) -> Assignment {
    let mut state = State::new(inst);
    for u in 0..inst.units() {
        let arcs = inst.arc_start[u]..inst.arc_start[u + 1];
        // The target with the most of the unit's children; on a tie the
        // nearer one (arcs are sorted by cost).
        let best = arcs
            .filter(|&a| relaxation.flow[a] > 0)
            .max_by_key(|&a| (relaxation.flow[a], std::cmp::Reverse(a)));
        if let Some(a) = best {
            state.assign(u, Some(inst.arcs[a].target), inst.demand[u]);
        }
    }
    let mut changed: Vec<bool> = relaxed_loads(inst, relaxation)
        .iter()
        .zip(&state.target_load)
        .map(|(&relaxed, &now)| relaxed != now)
        .collect();
    repair(&mut state, &mut changed);
    improve(&mut state, &changed);
    state.into_assignment()
}

/// Brings a plan within every limit and improves it by local search from
/// every target: for plans made elsewhere (Lagrangian-guided rounding).
pub fn polish(inst: &Instance, plan: &Assignment) -> Assignment {
    let mut state = State::new(inst);
    for u in 0..inst.units() {
        if let Some(t) = plan.target[u]
            && plan.placed[u] > 0
        {
            state.assign(u, Some(t), plan.placed[u]);
        }
    }
    let mut changed = vec![true; inst.targets.len()];
    repair(&mut state, &mut changed);
    improve(&mut state, &changed);
    state.into_assignment()
}

/// Children per target in the relaxation.
fn relaxed_loads(inst: &Instance, r: &Relaxation) -> Vec<i64> {
    let mut load = vec![0i64; inst.targets.len()];
    for (a, arc) in inst.arcs.iter().enumerate() {
        load[arc.target as usize] += r.flow[a] as i64;
    }
    load
}

/// Brings every target and pool within its limits, marking the targets it
/// touches.
fn repair(state: &mut State, changed: &mut [bool]) {
    let inst = state.inst;
    for t in 0..inst.targets.len() as u32 {
        while state.overload(t) > 0 {
            changed[t as usize] = true;
            let over = state.overload(t);
            let sources = exit_sources(state, t);
            if let Some(moves) = best_exit(state, &sources, over) {
                for m in moves {
                    changed[m.to as usize] = true;
                    state.assign(m.unit as usize, Some(m.to), m.placed);
                }
                continue;
            }
            // No school within reach has room: the children farthest from
            // this school lose their seats first (nearest-first admission).
            let u = sources
                .iter()
                .copied()
                .filter(|&u| state.placed[u as usize] > 0)
                .max_by_key(|&u| (state.unit_cost[u as usize], u))
                .expect("an overloaded target has placed children") as usize;
            let keep = (state.placed[u] as i64 - over).max(0) as u32;
            let target = if keep > 0 { state.target[u] } else { None };
            state.assign(u, target, keep);
        }
    }
}

/// Units whose leaving relieves the overload at `t`: its own members when the
/// target itself is over, else the members of every target of its pool.
fn exit_sources(state: &State, t: u32) -> Vec<u32> {
    if state.target_load[t as usize] > state.target_cap(t) {
        return state.members[t as usize].clone();
    }
    let pool = state.pool(t);
    (0..state.inst.targets.len() as u32)
        .filter(|&s| state.pool(s) == pool)
        .flat_map(|s| state.members[s as usize].iter().copied())
        .collect()
}

/// The cheapest way to take `over` children out of an overloaded target (or
/// pool) by moving some of `sources`: one move, or a move into a full target
/// that makes room by moving one of its own units on. Scored by cost per
/// child of overload relieved, so that no zone moves farther than needed.
fn best_exit(state: &State, sources: &[u32], over: i64) -> Option<Vec<Move>> {
    let inst = state.inst;
    let mut best: Option<(f64, Vec<Move>)> = None;
    let mut consider = |score: f64, moves: Vec<Move>| {
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, moves));
        }
    };
    // First legs into targets without room, cheapest first: only the best
    // few are extended into chains, which keeps the search linear in the
    // size of the overloaded school.
    const CHAINED: usize = 12;
    let mut blocked: Vec<(f64, u32, Arc)> = Vec::new();
    for &u in sources {
        let ui = u as usize;
        let d = state.placed[ui] as i64;
        if d == 0 {
            continue;
        }
        let relief = d.min(over) as f64;
        let from = state.target[ui].expect("member");
        for a in inst.arcs_of(ui) {
            if state.pool(a.target) == state.pool(from) {
                continue;
            }
            let delta = (a.cost - state.unit_cost[ui]) * d;
            if state.room(a.target) >= d {
                consider(
                    delta as f64 / relief,
                    vec![Move {
                        unit: u,
                        to: a.target,
                        placed: d as u32,
                    }],
                );
            } else {
                blocked.push((delta as f64 / relief, u, *a));
            }
        }
    }
    blocked.sort_by(|x, y| {
        x.0.total_cmp(&y.0)
            .then(x.1.cmp(&y.1))
            .then(x.2.target.cmp(&y.2.target))
    });
    for &(_, u, a) in blocked.iter().take(CHAINED) {
        let ui = u as usize;
        let d = state.placed[ui] as i64;
        let relief = d.min(over) as f64;
        let from = state.target[ui].expect("member");
        let delta = (a.cost - state.unit_cost[ui]) * d;
        {
            // Two-step chain: make room at a.target by moving one of its units on.
            for &j in &state.members[a.target as usize] {
                let ji = j as usize;
                let dj = state.placed[ji] as i64;
                if state.room_after(a.target, Some(a.target), dj) < d {
                    continue;
                }

                for b in inst.arcs_of(ji) {
                    if b.target == a.target
                        || state.pool(b.target) == state.pool(a.target)
                        || state.pool(b.target) == state.pool(from)
                    {
                        continue;
                    }
                    if state.room(b.target) >= dj {
                        let chain = delta + (b.cost - state.unit_cost[ji]) * dj;
                        consider(
                            chain as f64 / relief,
                            vec![
                                Move {
                                    unit: j,
                                    to: b.target,
                                    placed: dj as u32,
                                },
                                Move {
                                    unit: u,
                                    to: a.target,
                                    placed: d as u32,
                                },
                            ],
                        );
                    }
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// Local search: place unplaced children where seats appeared, then shift,
/// swap and two-step chains while any of them lowers the cost.
///
/// The relaxation's plan admits no improving move among units it left
/// whole, so only units at or near targets whose load changed (by rounding
/// and repair) are examined first; each move then queues the units it may
/// have given a chance: members of the two targets, and units that would
/// rather be at the target that gained room.
fn improve(state: &mut State, changed: &[bool]) {
    let inst = state.inst;
    let mut touching: Vec<Vec<u32>> = vec![Vec::new(); inst.targets.len()];
    for u in 0..inst.units() {
        for a in inst.arcs_of(u) {
            touching[a.target as usize].push(u as u32);
        }
    }
    let mut queue = std::collections::VecDeque::new();
    let mut queued = vec![false; inst.units()];
    let push = |queue: &mut std::collections::VecDeque<u32>, queued: &mut [bool], u: u32| {
        if !queued[u as usize] {
            queued[u as usize] = true;
            queue.push_back(u);
        }
    };
    for u in 0..inst.units() {
        let unsettled = state.placed[u] < inst.demand[u]
            || inst.arcs_of(u).iter().any(|a| changed[a.target as usize]);
        if unsettled {
            push(&mut queue, &mut queued, u as u32);
        }
    }
    // A generous cap on evaluations: the search normally ends far sooner.
    let mut budget = 50 * inst.units() + 1000;

    while let Some(u) = queue.pop_front() {
        queued[u as usize] = false;
        if budget == 0 {
            break;
        }
        budget -= 1;
        let Some(moves) = best_improvement(state, u as usize) else {
            continue;
        };
        let mut targets = Vec::with_capacity(4);
        for m in &moves {
            targets.extend(state.target[m.unit as usize]);
            targets.push(m.to);
        }
        for m in moves {
            state.assign(m.unit as usize, Some(m.to), m.placed);
        }
        for t in targets {
            for &v in &state.members[t as usize] {
                push(&mut queue, &mut queued, v);
            }
            for &v in &touching[t as usize] {
                let vi = v as usize;
                let cost = inst.cost(vi, t).expect("touching");
                if state.placed[vi] < inst.demand[vi] || cost < state.unit_cost[vi] {
                    push(&mut queue, &mut queued, v);
                }
            }
        }
    }
}

/// The best improving move that involves unit `u`, if any.
fn best_improvement(state: &State, u: usize) -> Option<Vec<Move>> {
    let inst = state.inst;
    let d = inst.demand[u];
    let current = state.current_total(u);
    let from = state.target[u];
    let from_pool = from.map(|t| state.pool(t));
    let mut best: Option<(i128, Vec<Move>)> = None;
    let mut consider = |gain: i128, moves: Vec<Move>| {
        if gain > 0 && best.as_ref().is_none_or(|(b, _)| gain > *b) {
            best = Some((gain, moves));
        }
    };
    for a in inst.arcs_of(u) {
        if Some(a.target) == from {
            continue;
        }
        let same_pool = from_pool == Some(state.pool(a.target));
        let room = state
            .room_after(a.target, from, state.placed[u] as i64)
            .max(0);
        // Shift (and placing more of an under-placed unit).
        let q = (d as i64).min(room) as u32;
        if q > 0 {
            let gain = current - state.unit_total(u, a.cost, q);
            consider(
                gain,
                vec![Move {
                    unit: u as u32,
                    to: a.target,
                    placed: q,
                }],
            );
        }
        if a.cost >= state.unit_cost[u] && state.placed[u] == d {
            continue;
        }
        // Swap with, or push on, a unit of the target.
        let full_gain_u = current - state.unit_total(u, a.cost, d);
        if full_gain_u <= 0 {
            continue;
        }
        if same_pool {
            continue;
        }
        for &j in &state.members[a.target as usize] {
            let ji = j as usize;
            let dj = state.placed[ji] as i64;
            if state.exit_floor[ji] as i128 >= full_gain_u
                || state.room_after(a.target, Some(a.target), dj) < d as i64
            {
                continue;
            }
            let j_now = state.current_total(ji);
            // Swap: j takes u's place.
            if let Some(from_t) = from
                && !same_pool
                && let Some(cost_j) = inst.cost(ji, from_t)
                && state.room_after(from_t, Some(from_t), state.placed[u] as i64) >= dj
            {
                let gain = full_gain_u + j_now - state.unit_total(ji, cost_j, dj as u32);
                consider(
                    gain,
                    vec![
                        Move {
                            unit: j,
                            to: from_t,
                            placed: dj as u32,
                        },
                        Move {
                            unit: u as u32,
                            to: a.target,
                            placed: d,
                        },
                    ],
                );
            }
            // Chain: j moves on to a third target with room.
            for b in inst.arcs_of(ji) {
                if b.target == a.target
                    || Some(b.target) == from
                    || state.pool(b.target) == state.pool(a.target)
                    || Some(state.pool(b.target)) == from_pool
                {
                    continue;
                }
                if state.room(b.target) >= dj {
                    let gain = full_gain_u + j_now - state.unit_total(ji, b.cost, dj as u32);
                    consider(
                        gain,
                        vec![
                            Move {
                                unit: j,
                                to: b.target,
                                placed: dj as u32,
                            },
                            Move {
                                unit: u as u32,
                                to: a.target,
                                placed: d,
                            },
                        ],
                    );
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::Target;
    use crate::solve::instance::arcs;
    use crate::solve::instance::with_seats;
    use crate::solve::relax::relax;

    #[test]
    fn rounding_repairs_the_school_it_overfills() {
        // Three units of 20 near school 0 (45 seats): the relaxation splits
        // one; whole, one unit must go to school 1.
        let inst = with_seats(
            vec![20, 20, 20],
            vec![
                arcs(&[(0, 100), (1, 900)]),
                arcs(&[(0, 200), (1, 700)]),
                arcs(&[(0, 300), (1, 400)]),
            ],
            &[45, 45],
        );
        let r = relax(&inst);
        let a = make_whole(&inst, &r);
        assert_eq!(a.check(&inst), Ok(()));
        assert_eq!(a.target, vec![Some(0), Some(0), Some(1)]);
        assert_eq!(a.placed, vec![20, 20, 20]);
    }

    #[test]
    fn farthest_children_lose_their_seats_first() {
        // One school of 30 seats, two units of 20: all of the near unit and
        // 10 of the far one are placed.
        let inst = with_seats(
            vec![20, 20],
            vec![arcs(&[(0, 100)]), arcs(&[(0, 900)])],
            &[30],
        );
        let a = make_whole(&inst, &relax(&inst));
        assert_eq!(a.check(&inst), Ok(()));
        assert_eq!(a.placed, vec![20, 10]);
    }

    #[test]
    fn a_shared_pool_limits_both_targets() {
        // A nine-year school: two targets in one pool of 50.
        let inst = Instance::new(
            vec![30, 30],
            vec![arcs(&[(0, 100), (2, 800)]), arcs(&[(1, 100), (2, 900)])],
            vec![
                Target {
                    cap: Some(45),
                    pool: 0,
                },
                Target {
                    cap: Some(45),
                    pool: 0,
                },
                Target { cap: None, pool: 1 },
            ],
            vec![50, 2000],
            1_000_000,
        );
        let a = make_whole(&inst, &relax(&inst));
        assert_eq!(a.check(&inst), Ok(()));
        // One unit stays, the other goes to the third school: the cheaper
        // way is to move the unit with the smaller detour (unit 0: 700 per
        // child, unit 1: 800).
        assert_eq!(a.target, vec![Some(2), Some(1)]);
    }
}
