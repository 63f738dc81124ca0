//! A stronger lower bound for plans that keep zones whole: the Lagrangian
//! relaxation of "each unit goes to at most one school".
//!
//! Where zones are large against schools the split relaxation is weak: it
//! fills a school's last seats with a sliver of a zone that no real plan
//! can send there. Here each unit's children are given a value `v[u]` per
//! child instead, and every school chooses on its own the whole units that
//! pay it most within its seats: an integer knapsack, solved exactly by
//! dynamic programming. For every choice of values
//!
//! ```text
//! L(v) = sum_u v[u] d[u] - sum_t F_t(v)  <=  the cost of every whole-zone plan,
//! ```
//!
//! where `F_t(v)` is the best a school can collect, because the units a plan
//! sends to a school are one of the sets the school could have chosen. A
//! unit with `q < d` children placed pays the unplaced penalty for the
//! rest, so values never exceed that penalty (leaving a unit out always
//! remains possible); and a unit may go to a school that is not among its
//! candidates, so values never exceed the cost of the nearest such school
//! ([`Instance::outside_cost`]): then no unlisted school can collect
//! anything from it, and the bound holds for the full problem.
//!
//! The values start at the relaxation's duals, where `L` is already at
//! least the relaxation bound, and improve by subgradient steps. Any values
//! give a valid bound, so steps are rounded to whole metres and the bound
//! is computed exactly in integers; the steps themselves depend only on the
//! instance, so the result is the same on any number of threads.

use rayon::prelude::*;

use super::instance::Instance;
use super::relax::Relaxation;

/// How much search the multipliers get.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_iterations: usize,
    /// Knapsack table cells evaluated in all, so that huge instances stop
    /// early (a count, not a clock: the same bound on every machine).
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_iterations: 300,
            max_cells: 60_000_000,
        }
    }
}

/// The best bound found and the values that give it.
#[derive(Clone, Debug)]
pub struct Lagrangian {
    /// `L(v)` at the best values: a lower bound on every whole-zone plan.
    pub bound: i128,
    /// Value per child of each unit.
    pub values: Vec<i64>,
    /// What each target collects at those values (`F_t`).
    pub collected: Vec<i128>,
    /// How many targets chose each unit at those values: a plan where this
    /// is 1 for every unit would be optimal.
    pub chosen: Vec<u32>,
    pub iterations: usize,
}

impl Lagrangian {
    /// The bound split over groups of units (stages) whose targets are
    /// disjoint: each group's share is a bound on that group's cost.
    /// `None` when a target serves units of two groups.
    pub fn by_group(&self, inst: &Instance, group: &[usize], groups: usize) -> Option<Vec<i128>> {
        let mut out = vec![0i128; groups];
        let mut owner: Vec<Option<usize>> = vec![None; inst.targets.len()];
        for (u, &g) in group.iter().enumerate().take(inst.units()) {
            out[g] += self.values[u] as i128 * inst.demand[u] as i128;
            for a in inst.arcs_of(u) {
                match owner[a.target as usize] {
                    None => owner[a.target as usize] = Some(g),
                    Some(o) if o != g => return None,
                    _ => {}
                }
            }
        }
        for (t, o) in owner.iter().enumerate() {
            if let Some(g) = o {
                out[*g] -= self.collected[t];
            }
        }
        Some(out)
    }
}

/// Units that may go to each target, with their cost per child.
fn incoming(inst: &Instance) -> Vec<Vec<(u32, i64)>> {
    let mut lists = vec![Vec::new(); inst.targets.len()];
    for u in 0..inst.units() {
        for a in inst.arcs_of(u) {
            lists[a.target as usize].push((u as u32, a.cost));
        }
    }
    lists
}

/// Seats a target can fill alone: its own and its school's limit. Where a
/// school limit is shared by two targets, each is allowed all of it: a
/// relaxation, so the bound stays valid.
fn capacity(inst: &Instance, t: usize) -> u64 {
    let target = inst.targets[t];
    let pool = inst.pools[target.pool as usize] as u64;
    target.cap.map_or(pool, |c| (c as u64).min(pool))
}

/// One target's best choice at the given values.
struct Choice {
    collected: i128,
    units: Vec<u32>,
    cells: u64,
}

/// The most a target can collect from whole units within its seats, and
/// which units it takes. A unit placed only in part (`q < d` children, the
/// rest without a seat) collects `(v - P) d + (P - c) q` there; a best
/// choice holds at most one such unit (children move between two of them
/// at no loss until one is whole or empty), so the target collects at
/// most the best of: whole units alone, or whole units in `C - q` seats
/// plus one unit in part with `q`. The whole units of the second may
/// include the partial one's unit again, which can only overstate `F_t`
/// and so keeps the bound valid.
fn choose(inst: &Instance, t: usize, arcs: &[(u32, i64)], values: &[i64]) -> Choice {
    let penalty = inst.unplaced_cost;
    let mut items: Vec<(u32, u64, i64)> = Vec::new();
    let mut partial: Vec<(u32, u64, i64, i64)> = Vec::new();
    for &(u, cost) in arcs {
        let v = values[u as usize];
        let d = inst.demand[u as usize];
        if v <= cost || d == 0 {
            continue;
        }
        let full = (v - cost) as i128 * d as i128;
        if d >= 2 && full > (penalty - cost) as i128 {
            partial.push((u, d as u64, v, cost));
        }
        items.push((u, d as u64, (v - cost) * d as i64));
    }
    let cap = capacity(inst, t);
    let total: u64 = items.iter().map(|i| i.1).sum();
    if total <= cap && partial.is_empty() {
        return Choice {
            collected: items.iter().map(|i| i.2 as i128).sum(),
            units: items.iter().map(|i| i.0).collect(),
            cells: items.len() as u64,
        };
    }
    let width = cap.min(total) as usize;
    let (best, mut choice) = knapsack(&items, width);
    for &(u, d, v, cost) in &partial {
        for q in 1..d.min(cap + 1) {
            let rest = (cap - q).min(width as u64) as usize;
            let with = best[rest] as i128
                + (v - penalty) as i128 * d as i128
                + (penalty - cost) as i128 * q as i128;
            if with > choice.collected {
                choice.collected = with;
                if !choice.units.contains(&u) {
                    choice.units.push(u);
                }
            }
        }
        choice.cells += d;
    }
    choice
}

/// 0/1 knapsack over `(unit, weight, profit)` items, exact: the best profit
/// within each number of seats up to `cap`, and the items of the best
/// within `cap`, recovered from a bit table.
///
/// Every profit is positive, so above the weight of the items so far the
/// best takes them all: each item's pass runs only up to that weight, and
/// the table reads the best there for any seats above it. Within the pass
/// the choice is made without a branch (the pass was up to a fifth of a
/// tight map's run, mostly mispredicted).
fn knapsack(items: &[(u32, u64, i64)], cap: usize) -> (Vec<i64>, Choice) {
    let width = cap + 1;
    let mut best = vec![0i64; width];
    let words = width.div_ceil(64);
    let mut took = vec![0u64; items.len() * words];
    // Per item, the seats above which the best takes it (all so far fit).
    let mut all_above = vec![usize::MAX; items.len()];
    // The seats up to which `best` is written; above, the best is `best[reach]`
    // (each pass first writes it up to where it runs).
    let mut reach = 0;
    let mut cells = 0u64;
    for (i, &(_, w, p)) in items.iter().enumerate() {
        debug_assert!(p > 0, "an item worth nothing");
        let w = w as usize;
        if w > cap {
            continue;
        }
        let row = &mut took[i * words..(i + 1) * words];
        let top = (reach + w).min(cap);
        let full = best[reach];
        best[reach + 1..=top].fill(full);
        // A word of choices at a time, gathered in a register.
        let mut hi = top;
        loop {
            let lo = (hi & !63).max(w);
            let mut bits = 0u64;
            for c in (lo..=hi).rev() {
                let old = best[c];
                let with = best[c - w] + p;
                bits |= ((with > old) as u64) << (c % 64);
                best[c] = old.max(with);
            }
            row[hi / 64] = bits;
            if lo == w {
                break;
            }
            hi = lo - 1;
        }
        reach = top;
        all_above[i] = top;
        cells += (width - w) as u64;
    }
    let full = best[reach];
    best[reach..].fill(full);
    let mut units = Vec::new();
    let mut c = cap;
    for i in (0..items.len()).rev() {
        if c > all_above[i] || took[i * words + c / 64] >> (c % 64) & 1 == 1 {
            units.push(items[i].0);
            c -= items[i].1 as usize;
        }
    }
    let choice = Choice {
        collected: best[cap] as i128,
        units,
        cells,
    };
    (best, choice)
}

/// `L(v)` with what each target collects and how often each unit is chosen.
struct Evaluation {
    bound: i128,
    collected: Vec<i128>,
    chosen: Vec<u32>,
    /// The units each target took.
    picks: Vec<Vec<u32>>,
    cells: u64,
}

fn evaluate(inst: &Instance, incoming: &[Vec<(u32, i64)>], values: &[i64]) -> Evaluation {
    let choices: Vec<Choice> = (0..inst.targets.len())
        .into_par_iter()
        .map(|t| choose(inst, t, &incoming[t], values))
        .collect();
    let mut chosen = vec![0u32; inst.units()];
    let mut bound: i128 = (0..inst.units())
        .map(|u| values[u] as i128 * inst.demand[u] as i128)
        .sum();
    let mut cells = 0;
    for c in &choices {
        bound -= c.collected;
        cells += c.cells;
        for &u in &c.units {
            chosen[u as usize] += 1;
        }
    }
    Evaluation {
        bound,
        collected: choices.iter().map(|c| c.collected).collect(),
        chosen,
        picks: choices.into_iter().map(|c| c.units).collect(),
        cells,
    }
}

/// Whether the instance's numbers keep every knapsack table within `i64`:
/// a target collects at most the penalty per seat it has.
fn fits_in_i64(inst: &Instance) -> bool {
    let total: u128 = inst.demand.iter().map(|&d| d as u128).sum();
    (inst.unplaced_cost.max(0) as u128)
        .checked_mul(total.max(1))
        .is_some_and(|x| x < (i64::MAX / 4) as u128)
}

/// How often the schools' choices are made into a plan (iterations).
const PLAN_EVERY: usize = 5;

/// The Lagrangian bound, its values started at the relaxation's duals and
/// improved towards `upper` (the cost of a known whole-zone plan: the
/// steps aim at it, and the search stops once the bound reaches it).
/// Every few iterations `plan` is handed the schools' choices and answers
/// the cost of a better plan it made from them, if any: a closer aim.
/// `None` where the instance's numbers are too large for exact tables.
pub fn bound(
    inst: &Instance,
    relaxation: &Relaxation,
    upper: i128,
    limits: Limits,
    plan: impl FnMut(&[Vec<u32>]) -> Option<i128>,
) -> Option<Lagrangian> {
    if !fits_in_i64(inst) {
        return None;
    }
    let values: Vec<i64> = (0..inst.units())
        .map(|u| relaxation.value[u].min(ceiling(inst, u)))
        .collect();
    Some(ascend(inst, values, upper, 1.0, limits, plan))
}

/// Share of the distance from the bound to the plan that a second ascent
/// ([`deepen`]) aims at.
const DEEPER_AIM: f64 = 0.2;

/// The bound of `first` raised by a second ascent from its best values,
/// aiming a fifth of the way from it to `upper` rather than at `upper`.
/// Where the plan is far above the optimum, steps aimed at the plan
/// overshoot, halve until they stall, and stop short of the best values:
/// on 16 lumpy 300-zone counties (`generate --lumpy`, seeds 1-16) this
/// raised the primary bound of seed 3 by 1.5 % (its gap 5.69 -> 4.08 %),
/// and the bounds of all 32 stages by 0.06 % in all, never lowering one.
/// Never below `first`.
pub fn deepen(inst: &Instance, upper: i128, first: Lagrangian, limits: Limits) -> Lagrangian {
    let second = ascend(
        inst,
        first.values.clone(),
        upper,
        DEEPER_AIM,
        limits,
        |_| None,
    );
    if second.bound > first.bound {
        second
    } else {
        first
    }
}

/// The most a unit's children may be valued at (see the module doc).
fn ceiling(inst: &Instance, u: usize) -> i64 {
    inst.unplaced_cost.min(inst.outside_cost[u])
}

/// Subgradient steps from `values`, each aimed at the best bound so far
/// plus `aim` of the distance from it to `upper`; the best values found.
fn ascend(
    inst: &Instance,
    mut values: Vec<i64>,
    mut upper: i128,
    aim: f64,
    limits: Limits,
    mut plan: impl FnMut(&[Vec<u32>]) -> Option<i128>,
) -> Lagrangian {
    let incoming = incoming(inst);
    let ceiling: Vec<i64> = (0..inst.units()).map(|u| ceiling(inst, u)).collect();
    let first = evaluate(inst, &incoming, &values);
    if let Some(cost) = plan(&first.picks) {
        upper = upper.min(cost);
    }
    let mut cells = first.cells;
    let mut current = (first.bound, first.chosen.clone());
    let mut best = Lagrangian {
        bound: first.bound,
        values: values.clone(),
        collected: first.collected,
        chosen: first.chosen,
        iterations: 1,
    };
    let mut scale = 1.0f64;
    let mut stalled = 0;
    // A step never moves a value by more than this many metres, so that a
    // plan far above the bound (children it could not place) does not
    // throw the values about.
    const MAX_STEP_M: f64 = 5_000.0;
    for iteration in 1..limits.max_iterations {
        if best.bound >= upper || cells >= limits.max_cells || scale < 1e-3 {
            break;
        }
        let direction: Vec<i64> = (0..inst.units())
            .map(|u| {
                let g = inst.demand[u] as i64 * (1 - current.1[u] as i64);
                if g > 0 && values[u] >= ceiling[u] {
                    0
                } else {
                    g
                }
            })
            .collect();
        let norm: f64 = direction.iter().map(|&g| (g as f64) * (g as f64)).sum();
        if norm == 0.0 {
            // Every unit chosen exactly once: the choice is a plan whose
            // cost is the bound, so no values do better.
            break;
        }
        let target = best.bound + (aim * (upper - best.bound) as f64) as i128;
        let step = scale * (target - current.0).max(1) as f64 / norm;
        for u in 0..inst.units() {
            if direction[u] != 0 {
                let delta = (step * direction[u] as f64).clamp(-MAX_STEP_M, MAX_STEP_M);
                values[u] = (values[u] + delta.round() as i64).min(ceiling[u]);
            }
        }
        let e = evaluate(inst, &incoming, &values);
        cells += e.cells;
        if iteration % PLAN_EVERY == 0
            && let Some(cost) = plan(&e.picks)
        {
            upper = upper.min(cost);
        }
        current = (e.bound, e.chosen.clone());
        if e.bound > best.bound {
            best = Lagrangian {
                bound: e.bound,
                values: values.clone(),
                collected: e.collected,
                chosen: e.chosen,
                iterations: iteration + 1,
            };
            stalled = 0;
        } else {
            stalled += 1;
            if stalled == STALLED_STEPS {
                scale /= 2.0;
                stalled = 0;
            }
        }
        best.iterations = iteration + 1;
    }
    best
}

/// Steps without a better bound before the step size halves.
const STALLED_STEPS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::arcs;
    use crate::solve::instance::with_seats;
    use crate::solve::instance::{Arc, Assignment, Target};
    use crate::solve::relax::relax;

    /// The cheapest whole-zone plan by trying every assignment (tiny
    /// instances only): each unit at one of its targets or nowhere. For a
    /// fixed assignment, placing children cheapest first wherever seats are
    /// left is optimal (school limits nest the stage ones), so shortages
    /// are counted exactly.
    pub(crate) fn exhaustive(inst: &Instance) -> i128 {
        let n = inst.units();
        let mut best = i128::MAX;
        let mut choice = vec![0usize; n];
        loop {
            let mut a = Assignment {
                target: vec![None; n],
                placed: vec![0; n],
            };
            let mut order: Vec<(i64, usize)> = Vec::new();
            for (u, &c) in choice.iter().enumerate() {
                if c > 0 {
                    let arc = inst.arcs_of(u)[c - 1];
                    a.target[u] = Some(arc.target);
                    order.push((arc.cost, u));
                }
            }
            order.sort();
            let mut target_room: Vec<u64> = (0..inst.targets.len())
                .map(|t| inst.targets[t].cap.map_or(u64::MAX, u64::from))
                .collect();
            let mut pool_room: Vec<u64> = inst.pools.iter().map(|&p| p as u64).collect();
            for (_, u) in order {
                let t = a.target[u].expect("chosen") as usize;
                let p = inst.targets[t].pool as usize;
                let q = (inst.demand[u] as u64)
                    .min(target_room[t])
                    .min(pool_room[p]);
                target_room[t] -= q;
                pool_room[p] -= q;
                a.placed[u] = q as u32;
            }
            best = best.min(a.cost(inst));
            let mut i = 0;
            loop {
                if i == n {
                    return best;
                }
                choice[i] += 1;
                if choice[i] <= inst.arcs_of(i).len() {
                    break;
                }
                choice[i] = 0;
                i += 1;
            }
        }
    }

    fn lumpy() -> Instance {
        // Two schools of 30 seats, units of 20, 20, 10, 10, 15: the split
        // relaxation packs 60 seats exactly, whole units cannot.
        Instance::new(
            vec![20, 20, 10, 10, 15],
            vec![
                arcs(&[(0, 100), (1, 900)]),
                arcs(&[(0, 200), (1, 800)]),
                arcs(&[(0, 300), (1, 700)]),
                arcs(&[(1, 400), (0, 600)]),
                arcs(&[(0, 350), (1, 500), (2, 3000)]),
            ],
            vec![
                Target {
                    cap: Some(30),
                    pool: 0,
                },
                Target {
                    cap: Some(30),
                    pool: 1,
                },
                Target {
                    cap: Some(100),
                    pool: 2,
                },
            ],
            vec![2000, 2000, 2000],
            1_000_000,
        )
    }

    #[test]
    fn the_bound_lies_between_the_relaxation_and_the_optimum() {
        let inst = lumpy();
        let r = relax(&inst);
        let optimum = exhaustive(&inst);
        let l = bound(&inst, &r, optimum, Limits::default(), |_| None).expect("small numbers");
        assert!(l.bound <= optimum, "{} > optimum {optimum}", l.bound);
        assert!(
            l.bound > r.cost,
            "{} not above the relaxation {}",
            l.bound,
            r.cost
        );
    }

    #[test]
    fn an_unlisted_school_caps_the_values() {
        // The same instance, but every unit could go to some school beyond
        // its list at 450 per child: no value may exceed it.
        let mut inst = lumpy();
        inst.outside_cost = vec![450; inst.units()];
        let r = relax(&inst);
        let l =
            bound(&inst, &r, i128::MAX / 2, Limits::default(), |_| None).expect("small numbers");
        assert!(l.values.iter().all(|&v| v <= 450));
        assert!(l.bound <= 450 * 75);
    }

    #[test]
    fn shortage_children_count_at_the_penalty() {
        // One school of 30 seats and units of 20 and 20: 10 children stay
        // without a seat in every plan.
        let inst = with_seats(
            vec![20, 20],
            vec![arcs(&[(0, 100)]), arcs(&[(0, 200)])],
            &[30],
        );
        let r = relax(&inst);
        let optimum = exhaustive(&inst);
        assert_eq!(optimum, 20 * 100 + 10 * 200 + 10 * 1_000_000);
        let l = bound(&inst, &r, optimum, Limits::default(), |_| None).expect("small numbers");
        assert!(l.bound <= optimum);
        assert!(l.bound >= r.cost);
    }

    /// A random tiny instance: units of 1-60 children, 1-3 arcs each among
    /// 3 targets (two of them may share a pool), seats often short.
    fn tiny_instance() -> impl proptest::strategy::Strategy<Value = Instance> {
        use proptest::prelude::*;
        let unit = (
            1u32..60,
            proptest::collection::vec((0u32..3, 100i64..5000), 1..4),
        );
        (
            proptest::collection::vec(unit, 1..7),
            proptest::collection::vec(10u32..120, 3),
            any::<bool>(),
            50u32..200,
        )
            .prop_map(|(units, caps, shared, pool)| {
                let demand = units.iter().map(|u| u.0).collect();
                let lists = units.iter().map(|u| {
                    let mut arcs: Vec<Arc> = Vec::new();
                    for &(target, cost) in &u.1 {
                        if arcs.iter().all(|a| a.target != target) {
                            arcs.push(Arc { target, cost });
                        }
                    }
                    arcs.sort_by_key(|a| (a.cost, a.target));
                    arcs
                });
                let targets = (0..3)
                    .map(|t| Target {
                        cap: Some(caps[t]),
                        pool: if shared && t == 2 { 1 } else { t as u32 },
                    })
                    .collect();
                Instance::new(
                    demand,
                    lists.collect::<Vec<_>>(),
                    targets,
                    vec![2000, pool, 2000],
                    100_000,
                )
            })
    }

    proptest::proptest! {
        #[test]
        fn the_knapsack_matches_every_subset(
            weights in proptest::collection::vec(1u64..40, 1..9),
            profits in proptest::collection::vec(1i64..100, 9),
            cap in 1usize..120,
        ) {
            let items: Vec<(u32, u64, i64)> = weights
                .iter()
                .zip(&profits)
                .enumerate()
                .map(|(i, (&w, &p))| (i as u32, w, p))
                .collect();
            let (best, choice) = knapsack(&items, cap);
            // The best profit within each number of seats, over all subsets.
            let mut truth = vec![0i64; cap + 1];
            for set in 0u32..1 << items.len() {
                let (w, p) = items
                    .iter()
                    .filter(|&&(i, _, _)| set >> i & 1 == 1)
                    .fold((0, 0), |(w, p), &(_, iw, ip)| (w + iw as usize, p + ip));
                for t in truth.iter_mut().skip(w) {
                    *t = (*t).max(p);
                }
            }
            proptest::prop_assert_eq!(&best, &truth);
            let chosen = items.iter().filter(|&&(i, _, _)| choice.units.contains(&i));
            let (w, p) = chosen.fold((0, 0), |(w, p), &(_, iw, ip)| (w + iw as usize, p + ip));
            proptest::prop_assert!(w <= cap);
            proptest::prop_assert_eq!(p as i128, choice.collected);
            proptest::prop_assert_eq!(choice.collected, truth[cap] as i128);
        }

        #[test]
        fn never_above_the_whole_zone_optimum(inst in tiny_instance()) {
            let optimum = exhaustive(&inst);
            let r = relax(&inst);
            let l = bound(&inst, &r, optimum, Limits::default(), |_| None).expect("small numbers");
            proptest::prop_assert!(l.bound <= optimum, "{} > {optimum}", l.bound);
            // And what the solver reports, plan and bound, brackets it.
            let outcome = crate::solve::solve(&inst, &crate::solve::Settings::default()).unwrap();
            proptest::prop_assert!(outcome.bound() <= optimum);
            proptest::prop_assert!(outcome.cost(&inst) >= optimum);
        }

        #[test]
        fn a_second_ascent_never_lowers_the_bound_nor_passes_the_optimum(
            inst in tiny_instance(),
            above in 0i128..5,
        ) {
            // The second ascent aims a fifth of the way to the plan it is
            // given: here the optimum or a plan up to 40 % above it.
            let optimum = exhaustive(&inst);
            let upper = optimum + optimum * above / 10;
            let r = relax(&inst);
            let first = bound(&inst, &r, upper, Limits::default(), |_| None).expect("small numbers");
            let deeper = deepen(&inst, upper, first.clone(), Limits::default());
            proptest::prop_assert!(deeper.bound >= first.bound);
            proptest::prop_assert!(deeper.bound <= optimum, "{} > {optimum}", deeper.bound);
        }

        #[test]
        fn schools_beyond_the_lists_are_allowed_for(inst in tiny_instance()) {
            // Each unit's dearest arc is hidden from its list and declared
            // as the cost beyond it: the bound on the shorter lists must
            // still hold for the full instance.
            let optimum = exhaustive(&inst);
            let mut outside = Vec::new();
            let lists: Vec<Vec<Arc>> = (0..inst.units())
                .map(|u| {
                    let arcs = inst.arcs_of(u);
                    if arcs.len() > 1 {
                        outside.push(arcs[arcs.len() - 1].cost);
                        arcs[..arcs.len() - 1].to_vec()
                    } else {
                        outside.push(i64::MAX);
                        arcs.to_vec()
                    }
                })
                .collect();
            let short = Instance::new(
                inst.demand.clone(),
                lists,
                inst.targets.clone(),
                inst.pools.clone(),
                inst.unplaced_cost,
            )
            .with_outside_cost(outside);
            let r = relax(&short);
            let l = bound(&short, &r, i128::MAX / 4, Limits::default(), |_| None).expect("small numbers");
            proptest::prop_assert!(l.bound <= optimum, "{} > {optimum}", l.bound);
        }
    }

    #[test]
    fn the_knapsack_is_exact() {
        let items = [(0, 5, 10), (1, 4, 40), (2, 6, 30), (3, 3, 50)];
        let (_, c) = knapsack(&items, 10);
        assert_eq!(c.collected, 90);
        let mut units = c.units;
        units.sort();
        assert_eq!(units, vec![1, 3]);
    }
}
