//! Resource rooms first (资源教室): before any catchment is drawn, special
//! children take the resource-room seats of their stage and county, nearest
//! first (why, and what happens to the others: [`crate::plan::special`]).
//! The catchment allocation then sees only the children and seats left.

use crate::model::{Region, School, Stage};
use crate::plan::special::{has_resource_room, special_children};
use crate::policy::{Policy, Seats};
use crate::solve::{Arc, Instance, Target, UNPLACED_COST_M, relax};
use crate::spatial::SchoolIndex;

/// Special children placed in resource rooms: per stage, per zone, the
/// schools and children (nearest first).
pub type ResourceRooms = [Vec<Vec<(u32, u32)>>; 2];

/// Places every zone's special children in the resource rooms of its county
/// and stage, within reach, under the schools' seats. Both stages are one
/// problem: a nine-year school's stages share its school limit.
pub fn place_in_resource_rooms(region: &Region, policy: &Policy, seats: &[Seats]) -> ResourceRooms {
    let mut placed: ResourceRooms = Stage::ALL.map(|_| vec![Vec::new(); region.zones.len()]);
    let eligible = |s: &School, stage: Stage| s.takes_catchment(stage) && has_resource_room(s);
    if !region
        .schools
        .iter()
        .any(|s| Stage::ALL.iter().any(|&st| eligible(s, st)))
    {
        return placed;
    }
    let index = SchoolIndex::of_with(region, eligible);
    let mut demand = Vec::new();
    let mut lists = Vec::new();
    let mut owners = Vec::new();
    for stage in Stage::ALL {
        let reach = [policy.stage(stage).max_km, policy.special_max_km]
            .into_iter()
            .flatten()
            .reduce(f64::min)
            .map(|km| km * 1000.0);
        for (z, zone) in region.zones.iter().enumerate() {
            let n = special_children(zone, stage);
            if n == 0 {
                continue;
            }
            let near = index.nearest(
                zone.county.as_deref(),
                stage,
                zone.centroid,
                usize::MAX,
                reach,
            );
            if near.candidates.is_empty() {
                continue;
            }
            demand.push(n);
            lists.push(
                near.candidates
                    .iter()
                    .map(|c| Arc {
                        target: target(c.school as usize, stage),
                        cost: c.metres,
                    })
                    .collect::<Vec<_>>(),
            );
            owners.push((z, stage));
        }
    }
    if owners.is_empty() {
        return placed;
    }
    let targets = (0..region.schools.len())
        .flat_map(|s| {
            Stage::ALL.map(|stage| Target {
                cap: if eligible(&region.schools[s], stage) {
                    Some(seats[s].of(stage))
                } else {
                    Some(0)
                },
                pool: s as u32,
            })
        })
        .collect();
    let pools = seats.iter().map(|s| s.school).collect();
    let inst = Instance::new(demand, lists, targets, pools, UNPLACED_COST_M);
    let r = relax(&inst);
    for (u, &(z, stage)) in owners.iter().enumerate() {
        for a in inst.arc_start[u]..inst.arc_start[u + 1] {
            if r.flow[a] > 0 {
                let school = inst.arcs[a].target / 2;
                placed[stage.index()][z].push((school, r.flow[a]));
            }
        }
    }
    placed
}

/// Core target of a school's stage in the resource-room problem.
fn target(school: usize, stage: Stage) -> u32 {
    (school * 2 + stage.index()) as u32
}

/// The seats left for the catchment allocation once special children took
/// theirs: both the stage's seats and the school's.
pub fn seats_left(seats: &[Seats], placed: &ResourceRooms) -> Vec<Seats> {
    let mut left = seats.to_vec();
    for stage in Stage::ALL {
        for zone in &placed[stage.index()] {
            for &(s, n) in zone {
                let s = &mut left[s as usize];
                if let Some(cap) = &mut s.stage[stage.index()] {
                    *cap -= n;
                }
                s.school -= n;
            }
        }
    }
    left
}

/// Children of each zone and stage the catchment allocation places: all
/// but the special children already in resource rooms.
pub fn regular_demand(region: &Region, placed: &ResourceRooms) -> Vec<[u32; 2]> {
    (0..region.zones.len())
        .map(|z| {
            Stage::ALL.map(|stage| {
                let rr: u32 = placed[stage.index()][z].iter().map(|p| p.1).sum();
                region.zones[z].cohort(stage).total() - rr
            })
        })
        .collect()
}
