//! Branch and bound over the flow relaxation, for small parts: it proves the
//! whole-zone optimum (gap 0) where the local search alone could stop short,
//! and otherwise raises the bound.
//!
//! A node restricts some units to a subset of their candidate arcs. Its
//! relaxation is the min-cost flow with only those arcs; a node whose flow
//! splits no unit is a whole-zone plan. Branching on a split unit makes one
//! child per target it uses and one for all its other targets, a partition
//! of its choices, so no plan is lost. Nodes are explored best bound first
//! and ties by creation order, so the search is the same on every machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::instance::{Assignment, Instance};
use super::relax::{Relaxation, relax};
use super::whole::make_whole;

/// How much search a part may get.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Parts with more units than this are not branched on.
    pub max_units: usize,
    pub max_nodes: usize,
    /// Nodes times units at most: each node solves its relaxation afresh
    /// and rounds it, work that grows with the part; with [`Limits::capped`]
    /// a part of a few hundred zones gets a few hundred nodes (tenths of a
    /// second) and a small one the full `max_nodes`.
    pub max_work: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_units: 400,
            max_nodes: 3000,
            max_work: usize::MAX,
        }
    }
}

impl Limits {
    /// The search after windows (see [`super::window`]) have improved a
    /// plan far from its bound: on a 300-zone lumpy county 360 nodes found
    /// nothing the windows had not (and 3,000 nodes without windows took
    /// 6 s of CPU for less), so only small parts get many nodes (a part of
    /// 12 zones 800, one of 300 zones 33).
    pub fn after_windows() -> Self {
        Limits {
            max_work: 10_000,
            ..Limits::default()
        }
    }

    /// The search where little is left to find: its work capped.
    pub fn capped() -> Self {
        Limits {
            max_work: 60_000,
            ..Limits::default()
        }
    }
}

/// The result: the best plan found and a lower bound on every plan.
pub struct Searched {
    pub assignment: Assignment,
    pub cost: i128,
    pub bound: i128,
    pub nodes: usize,
}

struct Node {
    bound: i128,
    id: usize,
    /// Allowed arcs per restricted unit (global arc indices).
    restrictions: Vec<(usize, Vec<usize>)>,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        (self.bound, self.id) == (other.bound, other.id)
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.bound, self.id).cmp(&(other.bound, other.id))
    }
}

/// The instance with some units' arcs restricted, and for each of its arcs
/// the index of the arc in the full instance.
fn restricted(inst: &Instance, restrictions: &[(usize, Vec<usize>)]) -> (Instance, Vec<usize>) {
    let mut allowed: Vec<Option<&[usize]>> = vec![None; inst.units()];
    for (u, arcs) in restrictions {
        // Later restrictions of the same unit are subsets of earlier ones.
        allowed[*u] = Some(arcs);
    }
    let mut map = Vec::with_capacity(inst.arcs.len());
    let lists = (0..inst.units()).map(|u| {
        let range = inst.arc_start[u]..inst.arc_start[u + 1];
        let keep: Vec<usize> = match allowed[u] {
            Some(a) => range.filter(|i| a.contains(i)).collect(),
            None => range.collect(),
        };
        map.extend(&keep);
        keep.iter().map(|&i| inst.arcs[i]).collect::<Vec<_>>()
    });
    let sub = Instance::new(
        inst.demand.clone(),
        lists.collect::<Vec<_>>(),
        inst.targets.clone(),
        inst.pools.clone(),
        inst.unplaced_cost,
    )
    .with_outside_cost(inst.outside_cost.clone());
    (sub, map)
}

/// The whole-zone plan a relaxation already is, if it splits no unit.
fn integral(inst: &Instance, r: &Relaxation) -> Option<Assignment> {
    let mut target = vec![None; inst.units()];
    let mut placed = vec![0; inst.units()];
    for u in 0..inst.units() {
        for a in inst.arc_start[u]..inst.arc_start[u + 1] {
            if r.flow[a] > 0 {
                if target[u].is_some() {
                    return None;
                }
                target[u] = Some(inst.arcs[a].target);
                placed[u] = r.flow[a];
            }
        }
    }
    Some(Assignment { target, placed })
}

/// The split unit to branch on: the one with the most children (ties: the
/// lowest index), and the arcs it uses.
fn branching_unit(inst: &Instance, r: &Relaxation, map: &[usize]) -> Option<(usize, Vec<usize>)> {
    (0..inst.units())
        .filter_map(|u| {
            let used: Vec<usize> = (inst.arc_start[u]..inst.arc_start[u + 1])
                .filter(|&a| r.flow[a] > 0)
                .map(|a| map[a])
                .collect();
            (used.len() > 1).then_some((u, used))
        })
        .max_by_key(|(u, _)| (inst.demand[*u], Reverse(*u)))
}

/// Searches for the optimal whole-zone plan, starting from a known plan.
pub fn search(inst: &Instance, root: &Relaxation, start: Assignment, limits: Limits) -> Searched {
    let mut best_cost = start.cost(inst);
    let mut best = start;
    if inst.units() > limits.max_units || root.cost >= best_cost {
        return Searched {
            assignment: best,
            cost: best_cost,
            bound: root.cost.min(best_cost),
            nodes: 0,
        };
    }
    let mut open = BinaryHeap::new();
    open.push(Reverse(Node {
        bound: root.cost,
        id: 0,
        restrictions: Vec::new(),
    }));
    let mut next_id = 1;
    let mut nodes = 0;
    let max_nodes = limits
        .max_nodes
        .min(limits.max_work / inst.units().max(1))
        .max(1);
    while let Some(Reverse(node)) = open.pop() {
        if node.bound >= best_cost {
            // Best bound first: every other open node is at least as dear.
            open.clear();
            break;
        }
        if nodes == max_nodes {
            open.push(Reverse(node));
            break;
        }
        nodes += 1;
        let (sub, map) = restricted(inst, &node.restrictions);
        // The root's relaxation is the one given: solving it again cost
        // a tenth of a whole-zone window's ten nodes.
        let r = if node.restrictions.is_empty() {
            root.clone()
        } else {
            relax(&sub)
        };
        if r.cost >= best_cost {
            continue;
        }
        if let Some(plan) = integral(&sub, &r) {
            best_cost = r.cost;
            best = plan;
            continue;
        }
        let heuristic = make_whole(&sub, &r);
        let c = heuristic.cost(&sub);
        if c < best_cost {
            best_cost = c;
            best = heuristic;
        }
        let Some((u, used)) = branching_unit(&sub, &r, &map) else {
            continue;
        };
        let rest: Vec<usize> = map[sub.arc_start[u]..sub.arc_start[u + 1]]
            .iter()
            .copied()
            .filter(|a| !used.contains(a))
            .collect();
        let mut children: Vec<Vec<usize>> = used.iter().map(|&a| vec![a]).collect();
        children.push(rest);
        for allowed in children {
            let mut restrictions = node.restrictions.clone();
            restrictions.push((u, allowed));
            open.push(Reverse(Node {
                bound: r.cost,
                id: next_id,
                restrictions,
            }));
            next_id += 1;
        }
    }
    let bound = open
        .iter()
        .map(|Reverse(n)| n.bound)
        .min()
        .map_or(best_cost, |b| b.min(best_cost));
    Searched {
        assignment: best,
        cost: best_cost,
        bound,
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::instance::{Arc, with_seats};

    #[test]
    fn finds_the_packing_the_relaxation_splits() {
        // Two schools of 30 seats; units of 20, 20, 10, 10: whole, the only
        // way to place all is 20+10 at each school.
        let arcs = |c0, c1| {
            vec![
                Arc {
                    target: 0,
                    cost: c0,
                },
                Arc {
                    target: 1,
                    cost: c1,
                },
            ]
        };
        let inst = with_seats(
            vec![20, 20, 10, 10],
            vec![
                arcs(100, 900),
                arcs(200, 800),
                arcs(300, 700),
                arcs(400, 600),
            ],
            &[30, 30],
        );
        let r = relax(&inst);
        let start = make_whole(&inst, &r);
        let s = search(&inst, &r, start, Limits::default());
        assert_eq!(s.assignment.check(&inst), Ok(()));
        assert_eq!(s.assignment.placed.iter().sum::<u32>(), 60);
        assert_eq!(s.cost, s.bound, "proven optimal");
    }
}
