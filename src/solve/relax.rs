//! The relaxation: zones may be split across schools. Its optimum is a lower
//! bound on every plan that keeps zones whole, and its dual prices say how
//! scarce each school's seats are.
//!
//! As a flow network: unit -> target (cost per child) -> pool -> sink, with a
//! direct unit -> sink arc at the unplaced cost, so that the network is
//! always feasible and a shortage shows up as flow on those arcs. The simplex
//! starts from a greedy plan (cheapest arcs first), which is close to the
//! optimum and saves most pivots.

use super::instance::{Component, Instance};
use super::network_simplex::{FlowError, FlowProblem, INFINITE};

/// The optimal split plan and the prices that prove it optimal.
///
/// The prices are the linear program's dual in its plain form: a price per
/// target (its own seats plus its school's limit, both >= 0) and a value
/// per unit, the cheapest `cost + price` over its arcs. Every arc, listed or
/// not, with `cost + price >= value` leaves the relaxation optimal: that is
/// how candidate lists are checked.
#[derive(Clone, Debug)]
pub struct Relaxation {
    /// Children per candidate arc (same layout as `Instance::arcs`).
    pub flow: Vec<u32>,
    /// Children of each unit the relaxation cannot place.
    pub unplaced: Vec<u32>,
    /// Optimal cost: travel plus unplaced penalty. A lower bound.
    pub cost: i128,
    /// Price of a seat at each target (target and pool parts together).
    pub price: Vec<i64>,
    /// Price of each pool's limit alone.
    pub pool_price: Vec<i64>,
    /// Each unit's value: what its last child costs to place.
    pub value: Vec<i64>,
}

impl Relaxation {
    /// Reduced cost of placing a child of unit `u` at target `t` at `cost`
    /// per child: negative means the arc would improve the relaxation.
    pub fn reduced_cost(&self, u: usize, t: usize, cost: i64) -> i64 {
        cost + self.price[t] - self.value[u]
    }

    /// Number of units split across more than one target (or between a
    /// target and no seat).
    pub fn split_units(&self, inst: &Instance) -> usize {
        (0..inst.units())
            .filter(|&u| {
                let used = inst.arc_start[u]..inst.arc_start[u + 1];
                let used =
                    used.filter(|&a| self.flow[a] > 0).count() + usize::from(self.unplaced[u] > 0);
                used > 1
            })
            .count()
    }

    /// The part of an optimal relaxation that covers one component: still
    /// optimal for it (components share nothing), without solving again.
    pub fn restrict(&self, full: &Instance, c: &Component) -> Relaxation {
        let mut flow = Vec::with_capacity(c.instance.arcs.len());
        let mut cost: i128 = 0;
        for &u in &c.units {
            for a in full.arc_start[u]..full.arc_start[u + 1] {
                flow.push(self.flow[a]);
                cost += self.flow[a] as i128 * full.arcs[a].cost as i128;
            }
            cost += self.unplaced[u] as i128 * full.unplaced_cost as i128;
        }
        Relaxation {
            flow,
            unplaced: c.units.iter().map(|&u| self.unplaced[u]).collect(),
            cost,
            price: c.targets.iter().map(|&t| self.price[t as usize]).collect(),
            pool_price: c
                .pools
                .iter()
                .map(|&p| self.pool_price[p as usize])
                .collect(),
            value: c.units.iter().map(|&u| self.value[u]).collect(),
        }
    }
}

/// A feasible plan to start the simplex from: arcs in order of cost, each
/// unit placing what fits, the rest unplaced. Returns flows in the order the
/// network's arcs are added in [`relax`].
fn greedy_start(inst: &Instance) -> Vec<i64> {
    let mut order: Vec<usize> = (0..inst.arcs.len()).collect();
    let mut unit_of = vec![0u32; inst.arcs.len()];
    for u in 0..inst.units() {
        unit_of[inst.arc_start[u]..inst.arc_start[u + 1]].fill(u as u32);
    }
    order.sort_unstable_by_key(|&a| (inst.arcs[a].cost, unit_of[a], a));
    let mut left: Vec<i64> = inst.demand.iter().map(|&d| d as i64).collect();
    let mut target_room: Vec<i64> = inst
        .targets
        .iter()
        .map(|t| t.cap.map_or(INFINITE, |c| c as i64))
        .collect();
    let mut pool_room: Vec<i64> = inst.pools.iter().map(|&c| c as i64).collect();
    let mut flow =
        vec![0i64; inst.arcs.len() + inst.units() + inst.targets.len() + inst.pools.len()];
    let mut target_in = vec![0i64; inst.targets.len()];
    for a in order {
        let u = unit_of[a] as usize;
        let t = inst.arcs[a].target as usize;
        let p = inst.targets[t].pool as usize;
        let f = left[u].min(target_room[t]).min(pool_room[p]);
        if f > 0 {
            flow[a] = f;
            left[u] -= f;
            target_room[t] -= f;
            pool_room[p] -= f;
            target_in[t] += f;
        }
    }
    let m = inst.arcs.len();
    flow[m..m + inst.units()].copy_from_slice(&left);
    let mut pool_in = vec![0i64; inst.pools.len()];
    for t in 0..inst.targets.len() {
        flow[m + inst.units() + t] = target_in[t];
        pool_in[inst.targets[t].pool as usize] += target_in[t];
    }
    for p in 0..inst.pools.len() {
        flow[m + inst.units() + inst.targets.len() + p] = pool_in[p];
    }
    flow
}

/// The optimal flow of an earlier relaxation of the same units, targets and
/// pools, carried over to `inst`, whose units may have more arcs: an optimal
/// basis one column-generation round old, so only the new arcs need pivots.
fn previous_start(inst: &Instance, before: &Instance, r: &Relaxation) -> Vec<i64> {
    let mut flow =
        Vec::with_capacity(inst.arcs.len() + inst.units() + inst.targets.len() + inst.pools.len());
    let mut target_in = vec![0i64; inst.targets.len()];
    for u in 0..inst.units() {
        let old = before.arc_start[u]..before.arc_start[u + 1];
        for a in inst.arcs_of(u) {
            let f = old
                .clone()
                .find(|&b| before.arcs[b].target == a.target)
                .map_or(0, |b| r.flow[b] as i64);
            target_in[a.target as usize] += f;
            flow.push(f);
        }
    }
    flow.extend(r.unplaced.iter().map(|&x| x as i64));
    let mut pool_in = vec![0i64; inst.pools.len()];
    for (t, &f) in target_in.iter().enumerate() {
        flow.push(f);
        pool_in[inst.targets[t].pool as usize] += f;
    }
    flow.extend(pool_in);
    flow
}

/// Solves the relaxation from a greedy start.
pub fn relax(inst: &Instance) -> Relaxation {
    solve_network(inst, greedy_start(inst))
}

/// Solves the relaxation of `inst` starting from the optimum `r` of an
/// earlier instance `before` with the same units, targets and pools and a
/// subset of the arcs.
pub fn relax_again(inst: &Instance, before: &Instance, r: &Relaxation) -> Relaxation {
    solve_network(inst, previous_start(inst, before, r))
}

fn solve_network(inst: &Instance, start: Vec<i64>) -> Relaxation {
    let units = inst.units();
    let targets = inst.targets.len();
    let pools = inst.pools.len();
    let target_node = |t: usize| units + t;
    let pool_node = |p: usize| units + targets + p;
    let sink = units + targets + pools;
    let mut p = FlowProblem::with_capacity(sink + 1, inst.arcs.len() + units + targets + pools);
    let mut total = 0i64;
    for (u, &d) in inst.demand.iter().enumerate() {
        p.set_supply(u, d as i64);
        total += d as i64;
    }
    p.set_supply(sink, -total);
    for u in 0..units {
        for a in inst.arcs_of(u) {
            p.add_arc(u, target_node(a.target as usize), INFINITE, a.cost);
        }
    }
    let unplaced_arcs = p.arcs();
    for u in 0..units {
        p.add_arc(u, sink, INFINITE, inst.unplaced_cost);
    }
    for (t, target) in inst.targets.iter().enumerate() {
        let cap = target.cap.map_or(INFINITE, |c| c as i64);
        p.add_arc(target_node(t), pool_node(target.pool as usize), cap, 0);
    }
    for (q, &cap) in inst.pools.iter().enumerate() {
        p.add_arc(pool_node(q), sink, cap as i64, 0);
    }
    let solution = match p.solve_from(Some(&start)) {
        Ok(s) => s,
        // The unplaced arcs make every instance feasible and the supplies
        // balance by construction.
        Err(FlowError::Infeasible | FlowError::Unbalanced) => {
            unreachable!("relaxation network is always feasible")
        }
    };
    let flow: Vec<u32> = solution.flow[..inst.arcs.len()]
        .iter()
        .map(|&f| f as u32)
        .collect();
    let unplaced = solution.flow[unplaced_arcs..unplaced_arcs + units]
        .iter()
        .map(|&f| f as u32)
        .collect();
    // Plain-form prices from the potentials. A target or pool without flow
    // may carry a negative potential difference (its arc sits at its lower
    // bound); its price is then 0, which keeps every arc's reduced cost
    // non-negative and complementary slackness intact.
    let pi = &solution.potential;
    let pool_price: Vec<i64> = (0..pools)
        .map(|q| (pi[sink] - pi[pool_node(q)]).max(0))
        .collect();
    let price: Vec<i64> = (0..targets)
        .map(|t| {
            let q = inst.targets[t].pool as usize;
            (pi[pool_node(q)] - pi[target_node(t)]).max(0) + pool_price[q]
        })
        .collect();
    let value = (0..units)
        .map(|u| {
            inst.arcs_of(u)
                .iter()
                .map(|a| a.cost + price[a.target as usize])
                .min()
                .unwrap_or(inst.unplaced_cost)
                .min(inst.unplaced_cost)
        })
        .collect();
    Relaxation {
        flow,
        unplaced,
        cost: solution.cost,
        price,
        pool_price,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::with_seats;
    use crate::solve::instance::{Arc, Target};

    #[test]
    fn splits_only_where_seats_force_it() {
        // two units of 30 children, a near school with 40 seats, a far one
        let inst = Instance::new(
            vec![30, 30],
            vec![
                vec![
                    Arc {
                        target: 0,
                        cost: 100,
                    },
                    Arc {
                        target: 1,
                        cost: 900,
                    },
                ],
                vec![
                    Arc {
                        target: 0,
                        cost: 200,
                    },
                    Arc {
                        target: 1,
                        cost: 500,
                    },
                ],
            ],
            vec![
                Target {
                    cap: Some(40),
                    pool: 0,
                },
                Target { cap: None, pool: 1 },
            ],
            vec![2000, 2000],
            1_000_000,
        );
        let r = relax(&inst);
        // unit 1 loses less by moving (300/child) than unit 0 (800/child)
        assert_eq!(r.flow, vec![30, 0, 10, 20]);
        assert_eq!(r.cost, 30 * 100 + 10 * 200 + 20 * 500);
        assert_eq!(r.split_units(&inst), 1);
        assert_eq!(r.price, vec![300, 0]);
        assert_eq!(r.value, vec![400, 500]);
    }

    #[test]
    fn shortage_goes_to_unplaced() {
        let inst = with_seats(
            vec![50],
            vec![vec![Arc {
                target: 0,
                cost: 10,
            }]],
            &[45],
        );
        let r = relax(&inst);
        assert_eq!(r.unplaced, vec![5]);
        assert_eq!(r.cost, 45 * 10 + 5 * 1_000_000);
        assert_eq!(r.value, vec![1_000_000]);
    }
}
