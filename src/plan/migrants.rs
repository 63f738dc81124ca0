//! Migrant children (随迁子女): "public schools first". Catchment schools
//! admit a zone's local children first (户籍优先); migrant children a
//! catchment school cannot take are placed by the bureau in the seats it buys
//! at private schools (政府购买学位), nearest first. The plan reports the
//! share of migrant children in public schools or purchased seats against
//! the target, per stage and county.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Plan;
use super::figures::split_placed;
use crate::model::{Region, School, Sector, Stage};
use crate::policy::Policy;
use crate::solve::{Arc, Instance, Target, relax};
use crate::spatial::SchoolIndex;

/// Seats a private school sells to the bureau for migrant children, per stage
/// (`purchased_primary`, `purchased_junior`; checked when read).
pub fn purchased_seats(school: &School, stage: Stage) -> u32 {
    if school.sector != Sector::Private || !school.kind.teaches(stage) {
        return 0;
    }
    school
        .properties
        .get(match stage {
            Stage::Primary => "purchased_primary",
            Stage::Junior => "purchased_junior",
        })
        .and_then(|v| v.as_u64())
        .map_or(0, |v| v.min(u32::MAX as u64) as u32)
}

/// Places migrant children left without a public seat in purchased seats:
/// a transportation problem (nearest first, within reach and county), solved
/// exactly by the flow relaxation (the bureau places children one by one, so
/// a zone's children may go to several private schools).
pub fn place_in_purchased_seats(plan: &mut Plan, region: &Region, policy: &Policy) {
    const CANDIDATES: usize = 8;
    for stage in Stage::ALL {
        let capacity: Vec<u32> = region
            .schools
            .iter()
            .map(|s| purchased_seats(s, stage))
            .collect();
        if capacity.iter().all(|&c| c == 0) {
            continue;
        }
        let index = SchoolIndex::of_with(region, |s, st| st == stage && purchased_seats(s, st) > 0);
        let max_m = policy.stage(stage).max_km.map(|km| km * 1000.0);
        let zones = &plan.stages[stage.index()].zones;
        let mut demand = Vec::new();
        let mut lists = Vec::new();
        let mut owners = Vec::new();
        for (z, zp) in zones.iter().enumerate() {
            let cohort = region.zones[z].cohort(stage);
            let (_, migrant_placed) = split_placed(zp.public(), cohort.local);
            let waiting = cohort.migrant - migrant_placed;
            if waiting == 0 {
                continue;
            }
            let near = index.nearest(
                region.zones[z].county.as_deref(),
                stage,
                region.zones[z].centroid,
                CANDIDATES,
                max_m,
            );
            if near.candidates.is_empty() {
                continue;
            }
            demand.push(waiting);
            lists.push(
                near.candidates
                    .iter()
                    .map(|c| Arc {
                        target: c.school,
                        cost: c.metres,
                    })
                    .collect::<Vec<_>>(),
            );
            owners.push(z);
        }
        if owners.is_empty() {
            continue;
        }
        let targets = (0..region.schools.len())
            .map(|s| Target {
                cap: Some(capacity[s]),
                pool: s as u32,
            })
            .collect();
        let inst = Instance::new(
            demand,
            lists,
            targets,
            capacity.clone(),
            crate::solve::UNPLACED_COST_M,
        );
        let r = relax(&inst);
        let zones = &mut plan.stages[stage.index()].zones;
        for (u, &z) in owners.iter().enumerate() {
            for a in inst.arc_start[u]..inst.arc_start[u + 1] {
                let n = r.flow[a];
                if n > 0 {
                    let school = inst.arcs[a].target;
                    zones[z].purchased.push((school, n));
                    zones[z].unplaced -= n;
                }
            }
            if zones[z].unplaced == 0 {
                zones[z].reason = None;
            }
        }
    }
}

/// Migrant children of one stage in one county (or all counties).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MigrantFigures {
    pub children: u64,
    /// In their catchment school (public).
    pub public: u64,
    /// In seats the bureau bought at private schools.
    pub purchased: u64,
    pub unplaced: u64,
    /// (public + purchased) / children; null without migrant children.
    pub share: Option<f64>,
    pub target: f64,
    pub met: bool,
}

impl MigrantFigures {
    fn add(&mut self, other: &MigrantFigures) {
        self.children += other.children;
        self.public += other.public;
        self.purchased += other.purchased;
        self.unplaced += other.unplaced;
    }

    fn finish(mut self, target: f64) -> MigrantFigures {
        self.target = target;
        self.share = (self.children > 0).then(|| {
            ((self.public + self.purchased) as f64 / self.children as f64 * 1e6).round() / 1e6
        });
        self.met = self.share.is_none_or(|s| s >= target);
        self
    }
}

/// Migrant figures per county (in county order) and for the whole region
/// (from the migrant pass where migrant catchments are separate).
pub fn migrant_figures(
    plan: &Plan,
    region: &Region,
    policy: &Policy,
    stage: Stage,
) -> (BTreeMap<String, MigrantFigures>, MigrantFigures) {
    let mut by_county: BTreeMap<String, MigrantFigures> = BTreeMap::new();
    for z in 0..region.zones.len() {
        let (zp, children) = plan.migrant_zone(stage, z);
        let cohort = children.cohort(&region.zones[z], stage);
        if cohort.migrant == 0 {
            continue;
        }
        let (_, public) = split_placed(zp.public(), cohort.local);
        let purchased: u32 = zp.purchased.iter().map(|p| p.1).sum();
        let f = by_county
            .entry(region.zones[z].county.clone().unwrap_or_default())
            .or_default();
        f.children += cohort.migrant as u64;
        f.public += public as u64;
        f.purchased += purchased as u64;
        f.unplaced += (cohort.migrant - public - purchased) as u64;
    }
    let mut total = MigrantFigures::default();
    for f in by_county.values() {
        total.add(f);
    }
    let target = policy.migrant_target;
    (
        by_county
            .into_iter()
            .map(|(k, v)| (k, v.finish(target)))
            .collect(),
        total.finish(target),
    )
}

/// Distance of a purchased placement (for the placements list).
pub fn purchased_metres(region: &Region, zone: usize, school: u32) -> i64 {
    region.distances.metres(
        region.zones[zone].centroid,
        region.schools[school as usize].location,
    )
}
