//! Purchased seats (政府购买学位): migrant children left without a public
//! seat go to the seats the bureau buys in private schools.

use crate::model::{Region, Stage};
use crate::plan::Plan;
use crate::policy::{Policy, purchased_seats, split_placed};
use crate::solve::{Arc, Instance, Target, relax};
use crate::spatial::SchoolIndex;

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

/// Distance of a purchased placement (for the placements list).
pub fn purchased_metres(region: &Region, zone: usize, school: u32) -> i64 {
    region.distances.metres(
        region.zones[zone].centroid,
        region.schools[school as usize].location,
    )
}
