//! The relaxation: zones may be split across schools. Its optimum is a lower
//! bound on every plan that keeps zones whole, and its dual prices say how
//! scarce each school's seats are.
//!
//! As a flow network: unit -> target (cost per child) -> pool -> sink, with a
//! direct unit -> sink arc at the unplaced cost, so that the network is
//! always feasible and a shortage shows up as flow on those arcs.

use super::instance::{Component, Instance};
use super::network_simplex::{FlowError, FlowProblem, INFINITE};

/// The optimal split plan and the potentials that prove it optimal.
#[derive(Clone, Debug)]
pub struct Relaxation {
    /// Children per candidate arc (same layout as `Instance::arcs`).
    pub flow: Vec<u32>,
    /// Children of each unit the relaxation cannot place.
    pub unplaced: Vec<u32>,
    /// Optimal cost: travel plus unplaced penalty. A lower bound.
    pub cost: i128,
    pub unit_potential: Vec<i64>,
    pub target_potential: Vec<i64>,
    pub pool_potential: Vec<i64>,
    pub sink_potential: i64,
}

impl Relaxation {
    /// The scarcity price of a target: what the last child admitted there
    /// would save elsewhere (0 where seats are left).
    pub fn target_price(&self, t: usize) -> i64 {
        self.sink_potential - self.target_potential[t]
    }

    /// The scarcity price of a pool (a school's size limit).
    pub fn pool_price(&self, p: usize) -> i64 {
        self.sink_potential - self.pool_potential[p]
    }

    /// Reduced cost of an arc from unit `u` to target `t` at cost `cost`,
    /// whether or not it is in the instance. Non-negative for every arc
    /// means the relaxation is optimal with that arc added.
    pub fn reduced_cost(&self, u: usize, t: usize, cost: i64) -> i64 {
        cost + self.unit_potential[u] - self.target_potential[t]
    }

    /// Number of units split across more than one target (or between a
    /// target and no seat).
    pub fn split_units(&self, inst: &Instance) -> usize {
        (0..inst.units())
            .filter(|&u| {
                let used = inst.arc_start[u]..inst.arc_start[u + 1];
                let used = used.filter(|&a| self.flow[a] > 0).count()
                    + usize::from(self.unplaced[u] > 0);
                used > 1
            })
            .count()
    }
}

impl Relaxation {
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
            unit_potential: c.units.iter().map(|&u| self.unit_potential[u]).collect(),
            target_potential: c
                .targets
                .iter()
                .map(|&t| self.target_potential[t as usize])
                .collect(),
            pool_potential: c
                .pools
                .iter()
                .map(|&p| self.pool_potential[p as usize])
                .collect(),
            sink_potential: self.sink_potential,
        }
    }
}

pub fn relax(inst: &Instance) -> Relaxation {
    let units = inst.units();
    let targets = inst.targets.len();
    let pools = inst.pools.len();
    let target_node = |t: usize| units + t;
    let pool_node = |p: usize| units + targets + p;
    let sink = units + targets + pools;
    let mut p = FlowProblem::with_capacity(
        sink + 1,
        inst.arcs.len() + units + targets + pools,
    );
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
    let solution = match p.solve() {
        Ok(s) => s,
        // The unplaced arcs make every instance feasible and the supplies
        // balance by construction.
        Err(FlowError::Infeasible | FlowError::Unbalanced) => {
            unreachable!("relaxation network is always feasible")
        }
    };
    let flow = solution.flow[..inst.arcs.len()]
        .iter()
        .map(|&f| f as u32)
        .collect();
    let unplaced = solution.flow[unplaced_arcs..unplaced_arcs + units]
        .iter()
        .map(|&f| f as u32)
        .collect();
    let pi = &solution.potential;
    Relaxation {
        flow,
        unplaced,
        cost: solution.cost,
        unit_potential: pi[..units].to_vec(),
        target_potential: pi[units..units + targets].to_vec(),
        pool_potential: pi[units + targets..sink].to_vec(),
        sink_potential: pi[sink],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::{Arc, Target};

    #[test]
    fn splits_only_where_seats_force_it() {
        // two units of 30 children, a near school with 40 seats, a far one
        let inst = Instance::new(
            vec![30, 30],
            vec![
                vec![Arc { target: 0, cost: 100 }, Arc { target: 1, cost: 900 }],
                vec![Arc { target: 0, cost: 200 }, Arc { target: 1, cost: 500 }],
            ],
            vec![
                Target { cap: Some(40), pool: 0 },
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
        assert_eq!(r.target_price(0), 300);
        assert_eq!(r.target_price(1), 0);
    }

    #[test]
    fn shortage_goes_to_unplaced() {
        let inst = Instance::new(
            vec![50],
            vec![vec![Arc { target: 0, cost: 10 }]],
            vec![Target { cap: Some(45), pool: 0 }],
            vec![2000],
            1_000_000,
        );
        let r = relax(&inst);
        assert_eq!(r.unplaced, vec![5]);
        assert_eq!(r.cost, 45 * 10 + 5 * 1_000_000);
    }
}
