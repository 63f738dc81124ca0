//! The relaxation of a whole region (zones may be split between schools),
//! solved to optimality over all schools by column generation, as a quick
//! and exact evaluator for planning questions: what an extra class or a new
//! site is worth.
//!
//! Why the relaxation and not the whole-zone plan: it is the lower bound
//! every plan is measured against (within a fraction of a percent of the
//! plans on real counties), it is solved exactly in milliseconds, its dual
//! prices say what one more seat is worth, and it is monotone — more seats
//! never make it worse — so comparisons between candidate sites are not
//! blurred by the heuristics that make zones whole. Travel is measured
//! alone (no stability weight, no locks): planning compares sites and
//! classes, not this year's boundary moves.

use std::collections::HashMap;

use crate::model::{Region, School, Stage, Zone};
use crate::policy::Policy;
use crate::solve::{Arc, Instance, Relaxation, Target, UNPLACED_COST_M, relax, relax_again};
use crate::spatial::{Candidate, Distances, SchoolIndex};

/// A solved relaxation and how its indices map back to the region.
#[derive(Clone, Debug)]
pub struct Relaxed {
    pub instance: Instance,
    pub relaxation: Relaxation,
    /// (zone, stage) of each unit.
    pub units: Vec<(usize, Stage)>,
    /// (school, stage) of each target.
    pub target_school: Vec<(usize, Stage)>,
    pub target_of: HashMap<(usize, Stage), u32>,
    /// Children with no school of their stage in their county or in reach:
    /// unplaced whatever is built elsewhere.
    pub unreachable: [u64; 2],
}

/// What a relaxation costs: children without a seat first, then travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    pub unplaced: u64,
    pub travel_m: i128,
}

impl Score {
    /// The relaxation's own objective (a child without a seat costs
    /// [`UNPLACED_COST_M`]), so that scores compare as the solver does.
    pub fn penalised(&self) -> i128 {
        self.unplaced as i128 * UNPLACED_COST_M as i128 + self.travel_m
    }
}

impl Relaxed {
    /// Solves the relaxation of `region` under `policy`, starting from the
    /// `k` nearest schools of each zone and adding farther ones while the
    /// prices show they would lower the cost (as the allocation does), so
    /// the optimum is over all schools of the county.
    pub fn solve(region: &Region, policy: &Policy, k: usize) -> Relaxed {
        Relaxed::solve_parts(&region.zones, &region.schools, &region.distances, policy, k)
    }

    /// [`Relaxed::solve`] over zones and schools given apart, so that
    /// callers trying other schools need not copy the zones.
    pub fn solve_parts(
        zones: &[Zone],
        schools: &[School],
        distances: &Distances,
        policy: &Policy,
        k: usize,
    ) -> Relaxed {
        let index = SchoolIndex::new(schools).measured_by(distances);
        let seats: Vec<_> = schools.iter().map(|s| policy.seats(s)).collect();
        let mut targets = Vec::new();
        let mut pools = Vec::new();
        let mut target_school = Vec::new();
        let mut target_of = HashMap::new();
        for (s, school) in schools.iter().enumerate() {
            let stages: Vec<Stage> = Stage::ALL
                .into_iter()
                .filter(|&st| school.takes_catchment(st))
                .collect();
            if stages.is_empty() {
                continue;
            }
            let pool = pools.len() as u32;
            pools.push(seats[s].school);
            for stage in stages {
                target_of.insert((s, stage), targets.len() as u32);
                targets.push(Target {
                    cap: seats[s].stage[stage.index()],
                    pool,
                });
                target_school.push((s, stage));
            }
        }
        let max_m = |stage: Stage| policy.stage(stage).max_km.map(|km| km * 1000.0);
        let mut units = Vec::new();
        let mut lists: Vec<(Vec<Candidate>, bool)> = Vec::new();
        let mut unreachable = [0u64; 2];
        for (z, zone) in zones.iter().enumerate() {
            for stage in Stage::ALL {
                let demand = zone.cohort(stage).total();
                if demand == 0 {
                    continue;
                }
                let n = index.nearest(
                    zone.county.as_deref(),
                    stage,
                    zone.centroid,
                    k.max(1),
                    max_m(stage),
                );
                if n.candidates.is_empty() {
                    unreachable[stage.index()] += demand as u64;
                    continue;
                }
                units.push((z, stage));
                lists.push((n.candidates, n.truncated));
            }
        }
        let demand: Vec<u32> = units
            .iter()
            .map(|&(z, st)| zones[z].cohort(st).total())
            .collect();
        let build = |lists: &[(Vec<Candidate>, bool)]| {
            Instance::new(
                demand.clone(),
                lists.iter().zip(&units).map(|((list, _), &(_, stage))| {
                    let mut arcs: Vec<Arc> = list
                        .iter()
                        .map(|c| Arc {
                            target: target_of[&(c.school as usize, stage)],
                            cost: c.metres,
                        })
                        .collect();
                    arcs.sort_by_key(|a| (a.cost, a.target));
                    arcs
                }),
                targets.clone(),
                pools.clone(),
                UNPLACED_COST_M,
            )
        };
        let mut instance = build(&lists);
        let mut relaxation = relax(&instance);
        loop {
            let mut added = false;
            for (u, &(z, stage)) in units.iter().enumerate() {
                let (list, truncated) = &lists[u];
                let value = relaxation.value[u];
                let last = list.last().map_or(0, |c| c.metres);
                if !truncated || value <= last {
                    continue;
                }
                let zone = &zones[z];
                let mut more = Vec::new();
                for c in index.by_distance(zone.county.as_deref(), stage, zone.centroid) {
                    if c.metres >= value || max_m(stage).is_some_and(|m| c.metres as f64 > m) {
                        break;
                    }
                    let t = target_of[&(c.school as usize, stage)] as usize;
                    if relaxation.reduced_cost(u, t, c.metres) < 0
                        && !list.iter().any(|x| x.school == c.school)
                    {
                        more.push(c);
                    }
                }
                if !more.is_empty() {
                    lists[u].0.extend(more);
                    added = true;
                }
            }
            if !added {
                break;
            }
            let bigger = build(&lists);
            relaxation = relax_again(&bigger, &instance, &relaxation);
            instance = bigger;
        }
        Relaxed {
            instance,
            relaxation,
            units,
            target_school,
            target_of,
            unreachable,
        }
    }

    /// Children without a seat and child-metres of travel, per stage.
    pub fn stage_score(&self, stage: Stage) -> Score {
        let mut score = Score {
            unplaced: self.unreachable[stage.index()],
            travel_m: 0,
        };
        for (u, &(_, st)) in self.units.iter().enumerate() {
            if st != stage {
                continue;
            }
            score.unplaced += self.relaxation.unplaced[u] as u64;
            for a in self.instance.arc_start[u]..self.instance.arc_start[u + 1] {
                score.travel_m +=
                    self.relaxation.flow[a] as i128 * self.instance.arcs[a].cost as i128;
            }
        }
        score
    }

    /// Both stages together.
    pub fn score(&self) -> Score {
        let (p, j) = (
            self.stage_score(Stage::Primary),
            self.stage_score(Stage::Junior),
        );
        Score {
            unplaced: p.unplaced + j.unplaced,
            travel_m: p.travel_m + j.travel_m,
        }
    }

    /// The dual price of one more seat of a school's stage, in metres of
    /// travel (a price of [`UNPLACED_COST_M`] or more: a child would get a
    /// seat). None when the school takes no catchment for the stage.
    pub fn seat_price(&self, school: usize, stage: Stage) -> Option<i64> {
        self.target_of
            .get(&(school, stage))
            .map(|&t| self.relaxation.price[t as usize])
    }

    /// The price of the school's size limit alone: positive when that
    /// limit, not its classes, is what holds the school back.
    pub fn limit_price(&self, school: usize, stage: Stage) -> Option<i64> {
        self.target_of
            .get(&(school, stage))
            .map(|&t| self.relaxation.pool_price[self.instance.targets[t as usize].pool as usize])
    }
}
