//! Lagrangian-guided rounding: a whole-zone plan from the schools' own
//! choices at the Lagrangian values.
//!
//! At good values most units are chosen by exactly one school's knapsack,
//! and those choices already fit together whole; the split relaxation
//! instead leaves its slivers exactly where whole zones do not fit. So the
//! plan keeps each unit a school chose (the cheapest, where several did),
//! larger units first while seats last, sends the rest to their cheapest
//! school with room, and is then repaired and polished by local search.

use std::cmp::Reverse;

use super::instance::{Assignment, Instance};

/// Seats left at each target and pool while a plan is built.
struct Room {
    target: Vec<i64>,
    pool: Vec<i64>,
}

impl Room {
    fn new(inst: &Instance) -> Room {
        Room {
            target: inst
                .targets
                .iter()
                .map(|t| t.cap.map_or(i64::MAX / 4, i64::from))
                .collect(),
            pool: inst.pools.iter().map(|&p| p as i64).collect(),
        }
    }

    fn take(&mut self, inst: &Instance, t: u32, children: u32) -> bool {
        let p = inst.targets[t as usize].pool as usize;
        let q = children as i64;
        if self.target[t as usize] < q || self.pool[p] < q {
            return false;
        }
        self.target[t as usize] -= q;
        self.pool[p] -= q;
        true
    }
}

/// The plan the choices `picks` (units each target took at the values)
/// suggest, before repair: every unit placed is placed whole and fits.
pub fn round(inst: &Instance, picks: &[Vec<u32>]) -> Assignment {
    let n = inst.units();
    let mut chosen: Vec<Option<(i64, u32)>> = vec![None; n];
    for (t, units) in picks.iter().enumerate() {
        for &u in units {
            let cost = inst
                .cost(u as usize, t as u32)
                .expect("picked by a candidate");
            let c = &mut chosen[u as usize];
            if c.is_none_or(|(best, _)| (cost, t as u32) < (best, 0)) {
                *c = Some((cost, t as u32));
            }
        }
    }
    let mut plan = Assignment {
        target: vec![None; n],
        placed: vec![0; n],
    };
    let mut room = Room::new(inst);
    let mut order: Vec<usize> = (0..n).filter(|&u| chosen[u].is_some()).collect();
    order.sort_by_key(|&u| (Reverse(inst.demand[u]), u));
    for u in order {
        let (_, t) = chosen[u].expect("chosen");
        if room.take(inst, t, inst.demand[u]) {
            plan.target[u] = Some(t);
            plan.placed[u] = inst.demand[u];
        }
    }
    let mut rest: Vec<usize> = (0..n).filter(|&u| plan.target[u].is_none()).collect();
    rest.sort_by_key(|&u| (Reverse(inst.demand[u]), u));
    for u in rest {
        if let Some(a) = inst
            .arcs_of(u)
            .iter()
            .find(|a| room.take(inst, a.target, inst.demand[u]))
        {
            plan.target[u] = Some(a.target);
            plan.placed[u] = inst.demand[u];
        }
    }
    plan
}
