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
#[derive(Clone, Debug, Default)]
pub struct Instance {
    pub demand: Vec<u32>,
    pub arc_start: Vec<usize>,
    pub arcs: Vec<Arc>,
    pub targets: Vec<Target>,
    pub pools: Vec<u32>,
    /// Cost of leaving one child without a seat: larger than any chain of
    /// moves can save, so the plan first places all it can.
    pub unplaced_cost: i64,
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
        assert_eq!(arc_start.len(), demand.len() + 1, "one candidate list per unit");
        Instance {
            demand,
            arc_start,
            arcs,
            targets,
            pools,
            unplaced_cost,
        }
    }

    /// Seats of a target if the pool had no other claims.
    pub fn target_cap(&self, t: u32) -> u32 {
        let target = self.targets[t as usize];
        let pool = self.pools[target.pool as usize];
        target.cap.map_or(pool, |c| c.min(pool))
    }
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
                return Err(format!("unit {u} places {} of {}", self.placed[u], inst.demand[u]));
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
