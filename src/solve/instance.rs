//! The allocation problem as the core sees it, free of geography: demands
//! with candidate targets and per-child costs, targets with seat limits,
//! pools of targets with a shared limit.
//!
//! A *unit* is one zone's children of one stage; a *target* is one school's
//! intake for one stage; a *pool* is one school (its size limit, which a
//! nine-year school's two targets share).

/// One candidate placement of a unit: a target and the cost per child
/// (metres of travel, integer so that optimality is exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    pub target: u32,
    pub cost: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Seats of this stage (classes x class limit, explicit cap); `None`: no
    /// stage limit beyond the pool's.
    pub cap: Option<u32>,
    pub pool: u32,
}

/// A core instance. Arcs of unit `u` are `arcs[arc_start[u]..arc_start[u+1]]`,
/// sorted by cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instance {
    pub demand: Vec<u32>,
    pub arc_start: Vec<usize>,
    pub arcs: Vec<Arc>,
    pub targets: Vec<Target>,
    pub pools: Vec<u32>,
    /// Cost of leaving one child without a seat: larger than any chain of
    /// moves can save, so the plan first places all it can.
    pub unplaced_cost: i64,
    /// Per unit, the least cost per child of any target it may go to that
    /// is not among its arcs (`i64::MAX`: its arcs are all it may use).
    /// Candidate lists are short; bounds that must hold for the full
    /// problem look here.
    pub outside_cost: Vec<i64>,
}

impl Instance {
    pub fn units(&self) -> usize {
        self.demand.len()
    }

    pub fn arcs_of(&self, unit: usize) -> &[Arc] {
        &self.arcs[self.arc_start[unit]..self.arc_start[unit + 1]]
    }

    /// The cost of a unit's children at a target, if it is a candidate.
    pub fn cost(&self, unit: usize, target: u32) -> Option<i64> {
        self.arcs_of(unit)
            .iter()
            .find(|a| a.target == target)
            .map(|a| a.cost)
    }

    /// Builds an instance from per-unit candidate lists.
    pub fn new(
        demand: Vec<u32>,
        candidates: impl IntoIterator<Item = Vec<Arc>>,
        targets: Vec<Target>,
        pools: Vec<u32>,
        unplaced_cost: i64,
    ) -> Instance {
        let mut arc_start = Vec::with_capacity(demand.len() + 1);
        let mut arcs = Vec::new();
        arc_start.push(0);
        for list in candidates {
            arcs.extend(list);
            arc_start.push(arcs.len());
        }
        assert_eq!(
            arc_start.len(),
            demand.len() + 1,
            "one candidate list per unit"
        );
        let outside_cost = vec![i64::MAX; demand.len()];
        Instance {
            demand,
            arc_start,
            arcs,
            targets,
            pools,
            unplaced_cost,
            outside_cost,
        }
    }

    /// The same instance, its units' lists declared incomplete: each may
    /// also go to targets not listed, at no less than `outside_cost[u]`.
    pub fn with_outside_cost(mut self, outside_cost: Vec<i64>) -> Instance {
        assert_eq!(outside_cost.len(), self.units(), "one cost per unit");
        self.outside_cost = outside_cost;
        self
    }

    /// Splits the instance into independent parts: units linked through a
    /// shared target or pool belong together. Each part lists its units and
    /// targets (indices into this instance) and is an instance of its own,
    /// so parts can be solved, bounded and branched on separately. Parts
    /// are ordered by their first unit.
    pub fn components(&self) -> Vec<Component> {
        let (n_units, n_targets) = (self.units(), self.targets.len());
        // Union-find over units, then targets, then pools.
        let mut parent: Vec<usize> = (0..n_units + n_targets + self.pools.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut union = |a: usize, b: usize| {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        };
        for u in 0..n_units {
            for a in self.arcs_of(u) {
                union(u, n_units + a.target as usize);
            }
        }
        for (t, target) in self.targets.iter().enumerate() {
            union(n_units + t, n_units + n_targets + target.pool as usize);
        }
        let mut index_of_root = std::collections::HashMap::new();
        let mut parts: Vec<(Vec<usize>, Vec<u32>)> = Vec::new();
        for u in 0..n_units {
            let root = find(&mut parent, u);
            let i = *index_of_root.entry(root).or_insert_with(|| {
                parts.push((Vec::new(), Vec::new()));
                parts.len() - 1
            });
            parts[i].0.push(u);
        }
        for t in 0..n_targets {
            let root = find(&mut parent, n_units + t);
            if let Some(&i) = index_of_root.get(&root) {
                parts[i].1.push(t as u32);
            }
        }
        parts
            .into_iter()
            .map(|(units, targets)| self.component(units, targets))
            .collect()
    }

    fn component(&self, units: Vec<usize>, targets: Vec<u32>) -> Component {
        let mut local_target = vec![u32::MAX; self.targets.len()];
        let mut pools: Vec<u32> = Vec::new();
        let mut pool_ids: Vec<u32> = Vec::new();
        let mut local_pool = std::collections::HashMap::new();
        let mut sub_targets = Vec::with_capacity(targets.len());
        for (i, &t) in targets.iter().enumerate() {
            local_target[t as usize] = i as u32;
            let target = self.targets[t as usize];
            let pool = *local_pool.entry(target.pool).or_insert_with(|| {
                pools.push(self.pools[target.pool as usize]);
                pool_ids.push(target.pool);
                pools.len() as u32 - 1
            });
            sub_targets.push(Target {
                cap: target.cap,
                pool,
            });
        }
        let instance = Instance::new(
            units.iter().map(|&u| self.demand[u]).collect(),
            units.iter().map(|&u| {
                self.arcs_of(u)
                    .iter()
                    .map(|a| Arc {
                        target: local_target[a.target as usize],
                        cost: a.cost,
                    })
                    .collect::<Vec<_>>()
            }),
            sub_targets,
            pools,
            self.unplaced_cost,
        )
        .with_outside_cost(units.iter().map(|&u| self.outside_cost[u]).collect());
        Component {
            units,
            targets,
            pools: pool_ids,
            instance,
        }
    }

    /// Seats of a target if the pool had no other claims.
    pub fn target_cap(&self, t: u32) -> u32 {
        let target = self.targets[t as usize];
        let pool = self.pools[target.pool as usize];
        target.cap.map_or(pool, |c| c.min(pool))
    }
}

/// An independent part of an instance.
#[derive(Clone, Debug)]
pub struct Component {
    /// Units of the whole instance, in order; unit `i` of `instance` is `units[i]`.
    pub units: Vec<usize>,
    /// Targets of the whole instance; target `i` of `instance` is `targets[i]`.
    pub targets: Vec<u32>,
    /// Pools of the whole instance, likewise.
    pub pools: Vec<u32>,
    pub instance: Instance,
}

/// Where each unit's children go: one target or none, and how many of its
/// children are placed there (the rest have no seat).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub target: Vec<Option<u32>>,
    pub placed: Vec<u32>,
}

impl Assignment {
    /// Travel cost of the placed children plus the penalty of the unplaced.
    pub fn cost(&self, inst: &Instance) -> i128 {
        (0..inst.units())
            .map(|u| {
                let travel = self.target[u].map_or(0, |t| {
                    inst.cost(u, t).expect("assigned to a candidate") as i128
                        * self.placed[u] as i128
                });
                travel + (inst.demand[u] - self.placed[u]) as i128 * inst.unplaced_cost as i128
            })
            .sum()
    }

    /// Children placed per target and per pool.
    pub fn loads(&self, inst: &Instance) -> (Vec<u64>, Vec<u64>) {
        let mut target = vec![0u64; inst.targets.len()];
        let mut pool = vec![0u64; inst.pools.len()];
        for u in 0..inst.units() {
            if let Some(t) = self.target[u] {
                target[t as usize] += self.placed[u] as u64;
                pool[inst.targets[t as usize].pool as usize] += self.placed[u] as u64;
            }
        }
        (target, pool)
    }

    /// Every limit respected and nobody placed twice: the check run after
    /// every solve, independent of how the plan was found.
    pub fn check(&self, inst: &Instance) -> Result<(), String> {
        for u in 0..inst.units() {
            if self.placed[u] > inst.demand[u] {
                return Err(format!(
                    "unit {u} places {} of {}",
                    self.placed[u], inst.demand[u]
                ));
            }
            match self.target[u] {
                Some(t) if inst.cost(u, t).is_none() => {
                    return Err(format!("unit {u} assigned to non-candidate target {t}"));
                }
                None if self.placed[u] > 0 => {
                    return Err(format!("unit {u} places children without a target"));
                }
                _ => {}
            }
        }
        let (target, pool) = self.loads(inst);
        for (t, &load) in target.iter().enumerate() {
            if let Some(cap) = inst.targets[t].cap
                && load > cap as u64
            {
                return Err(format!("target {t} holds {load} > {cap}"));
            }
        }
        for (p, &load) in pool.iter().enumerate() {
            if load > inst.pools[p] as u64 {
                return Err(format!("pool {p} holds {load} > {}", inst.pools[p]));
            }
        }
        Ok(())
    }
}

/// An instance whose schools each have `seats` and a pool of their own
/// (2,000 seats), a child without a seat costing 1,000,000: the unit
/// tests' instances.
#[cfg(test)]
pub(crate) fn with_seats(demand: Vec<u32>, arcs: Vec<Vec<Arc>>, seats: &[u32]) -> Instance {
    let targets = (0..seats.len() as u32)
        .map(|t| Target {
            cap: Some(seats[t as usize]),
            pool: t,
        })
        .collect();
    Instance::new(demand, arcs, targets, vec![2000; seats.len()], 1_000_000)
}

/// Arcs from (target, cost) pairs: the unit tests' instances.
#[cfg(test)]
pub(crate) fn arcs(costs: &[(u32, i64)]) -> Vec<Arc> {
    costs
        .iter()
        .map(|&(target, cost)| Arc { target, cost })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_separate_what_shares_nothing() {
        // Units 0 and 2 share target 0; unit 1 reaches target 2, which shares
        // a pool with target 1 (a nine-year school); unit 3 is alone.
        let arcs = |t: &[u32]| {
            t.iter()
                .map(|&target| Arc { target, cost: 1 })
                .collect::<Vec<_>>()
        };
        let inst = Instance::new(
            vec![1, 2, 3, 4, 5],
            vec![arcs(&[0]), arcs(&[2]), arcs(&[0]), arcs(&[3]), arcs(&[1])],
            vec![
                Target { cap: None, pool: 0 },
                Target { cap: None, pool: 1 },
                Target { cap: None, pool: 1 },
                Target {
                    cap: Some(9),
                    pool: 2,
                },
            ],
            vec![10, 20, 30],
            1000,
        );
        let parts = inst.components();
        let units: Vec<Vec<usize>> = parts.iter().map(|c| c.units.clone()).collect();
        assert_eq!(units, vec![vec![0, 2], vec![1, 4], vec![3]]);
        assert_eq!(parts[1].targets, vec![1, 2]);
        assert_eq!(parts[1].pools, vec![1]);
        assert_eq!(parts[1].instance.pools, vec![20]);
        assert_eq!(
            parts[2].instance.targets,
            vec![Target {
                cap: Some(9),
                pool: 0
            }]
        );
        assert_eq!(parts[1].instance.demand, vec![2, 5]);
    }
}
