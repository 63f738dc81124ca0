//! Feeders (对口直升): which primary school's catchment goes on to which
//! junior school, and the option to align the two maps so that every
//! primary catchment lies inside exactly one junior catchment.
//!
//! Aligned, the junior allocation is solved over whole primary catchments:
//! each primary catchment's grade-7 children form one unit that goes to one
//! junior school (the core keeps units whole), a nine-year school's primary
//! catchment feeds the school itself, and the cost of a unit at a junior
//! school is the children's mean distance to it. The plain junior bound
//! stays the yardstick, so the price of alignment shows in the gap.

use std::collections::BTreeMap;

use crate::model::{Region, SchoolKind, Stage};
use crate::plan::{Plan, PlanError, Unplaced};
use crate::policy::Policy;
use crate::solve::{self, Arc, Instance, Settings, Target, UNPLACED_COST_M};
use crate::spatial::SchoolIndex;

/// 对口直升 as a scenario key and flag: `aligned` draws junior catchments
/// over whole primary ones; `free` draws each stage on its own.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Feeders {
    #[default]
    Free,
    Aligned,
}

impl crate::options::OptionValue for Feeders {}

/// One row of the feeder table.
#[derive(Clone, Debug, PartialEq)]
pub struct Feeder {
    pub primary: Option<usize>,
    pub junior: Option<usize>,
    pub zones: usize,
    /// Grade-7 children of those zones.
    pub junior_children: u64,
    /// Grade-1 children of those zones placed at the primary school.
    pub primary_intake: u64,
}

/// The feeder table: one row per (primary school, junior school) pair that
/// some zone has, in school order. A primary school with more than one row
/// feeds more than one junior school.
pub fn feeder_table(plan: &Plan, region: &Region) -> Vec<Feeder> {
    let mut rows: BTreeMap<(Option<usize>, Option<usize>), Feeder> = BTreeMap::new();
    for z in 0..region.zones.len() {
        let p = plan.stage(Stage::Primary).zones[z]
            .school
            .map(|s| s as usize);
        let j = plan.stage(Stage::Junior).zones[z]
            .school
            .map(|s| s as usize);
        let row = rows.entry((p, j)).or_insert(Feeder {
            primary: p,
            junior: j,
            zones: 0,
            junior_children: 0,
            primary_intake: 0,
        });
        row.zones += 1;
        row.junior_children += region.zones[z].cohort(Stage::Junior).total() as u64;
        row.primary_intake += plan.stage(Stage::Primary).zones[z].placed as u64;
    }
    rows.into_values().collect()
}

/// Primary catchments that feed more than one junior school (zones with
/// children of either stage counted).
pub fn split_primary_catchments(table: &[Feeder]) -> usize {
    let mut juniors: BTreeMap<usize, usize> = BTreeMap::new();
    for f in table {
        if let (Some(p), Some(_)) = (f.primary, f.junior)
            && f.junior_children + f.primary_intake > 0
        {
            *juniors.entry(p).or_default() += 1;
        }
    }
    juniors.values().filter(|&&n| n > 1).count()
}

/// Re-solves the junior stage over whole primary catchments.
pub fn align(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    settings: &Settings,
) -> Result<(), PlanError> {
    const CANDIDATES: usize = 12;
    let index = SchoolIndex::of(region);
    // Junior children to place: special children already in resource
    // rooms keep their seats there.
    let regular: Vec<u32> = (0..region.zones.len())
        .map(|z| {
            region.zones[z].cohort(Stage::Junior).total()
                - plan.stage(Stage::Junior).zones[z].in_resource_rooms()
        })
        .collect();
    // Groups: zones by primary catchment (zones without one stand alone).
    let mut groups: BTreeMap<(Option<usize>, usize), Vec<usize>> = BTreeMap::new();
    for z in 0..region.zones.len() {
        let key = match plan.stage(Stage::Primary).zones[z].school {
            Some(p) => (Some(p as usize), 0),
            None => (None, z),
        };
        groups.entry(key).or_default().push(z);
    }
    // Junior targets and pools: every school that takes a junior catchment;
    // a nine-year school's pool is what its primary intake left.
    let mut primary_intake = vec![0u32; region.schools.len()];
    for zp in &plan.stage(Stage::Primary).zones {
        if let Some(s) = zp.school {
            primary_intake[s as usize] += zp.placed;
        }
    }
    let schools: Vec<usize> = (0..region.schools.len())
        .filter(|&s| region.schools[s].takes_catchment(Stage::Junior))
        .collect();
    let target_of: BTreeMap<usize, u32> = schools
        .iter()
        .enumerate()
        .map(|(t, &s)| (s, t as u32))
        .collect();
    let targets: Vec<Target> = schools
        .iter()
        .enumerate()
        .map(|(t, &s)| Target {
            cap: plan.seats[s].stage[Stage::Junior.index()],
            pool: t as u32,
        })
        .collect();
    let pools: Vec<u32> = schools
        .iter()
        .map(|&s| plan.seats[s].school.saturating_sub(primary_intake[s]))
        .collect();
    let mut units: Vec<(Vec<usize>, u32)> = Vec::new();
    let mut lists: Vec<Vec<Arc>> = Vec::new();
    let mut labels: Vec<(Vec<usize>, Option<usize>)> = Vec::new();
    let max_m = policy.junior.max_km.map(|km| km * 1000.0);
    for ((primary, _), zones) in &groups {
        let demand: u32 = zones.iter().map(|&z| regular[z]).sum();
        let county = region.zones[zones[0]].county.as_deref();
        let anchor = primary.map_or(region.zones[zones[0]].centroid, |p| {
            region.schools[p].location
        });
        // A nine-year school's own primary catchment feeds the school.
        let own = primary.filter(|&p| {
            region.schools[p].kind == SchoolKind::NineYear && target_of.contains_key(&p)
        });
        let near: Vec<usize> = match own {
            Some(p) => vec![p],
            None => index
                .nearest(county, Stage::Junior, anchor, CANDIDATES, None)
                .candidates
                .iter()
                .map(|c| c.school as usize)
                .collect(),
        };
        if demand == 0 || near.is_empty() {
            labels.push((zones.clone(), near.first().copied()));
            continue;
        }
        let mut arcs: Vec<Arc> = near
            .iter()
            .filter_map(|&s| {
                let total: i64 = zones
                    .iter()
                    .map(|&z| {
                        regular[z] as i64
                            * region
                                .distances
                                .metres(region.zones[z].centroid, region.schools[s].location)
                    })
                    .sum();
                let mean = (total as f64 / demand as f64).round() as i64;
                let reachable = own.is_some() || max_m.is_none_or(|m| mean as f64 <= m);
                reachable.then(|| Arc {
                    target: target_of[&s],
                    cost: mean,
                })
            })
            .collect();
        if arcs.is_empty() {
            labels.push((zones.clone(), near.first().copied()));
            continue;
        }
        arcs.sort_by_key(|a| (a.cost, a.target));
        units.push((zones.clone(), demand));
        lists.push(arcs);
    }
    let inst = Instance::new(
        units.iter().map(|u| u.1).collect(),
        lists,
        targets,
        pools,
        UNPLACED_COST_M,
    );
    let outcome = solve::solve(&inst, settings)?;
    let junior = &mut plan.stages[Stage::Junior.index()].zones;
    for (u, (zones, _)) in units.iter().enumerate() {
        let school = outcome.assignment.target[u]
            .map(|t| schools[t as usize])
            .or_else(|| inst.arcs_of(u).first().map(|a| schools[a.target as usize]));
        // Seats for the unit's children: nearest zones first, the farthest
        // lose theirs first.
        let mut left = outcome.assignment.placed[u];
        let mut order = zones.clone();
        if let Some(s) = school {
            order.sort_by_key(|&z| {
                (
                    region
                        .distances
                        .metres(region.zones[z].centroid, region.schools[s].location),
                    z,
                )
            });
        }
        for z in order {
            let children = regular[z];
            let placed = if outcome.assignment.target[u].is_some() {
                children.min(left)
            } else {
                0
            };
            left -= placed;
            let zp = &mut junior[z];
            zp.school = school.map(|s| s as u32);
            zp.metres = school.map(|s| {
                region
                    .distances
                    .metres(region.zones[z].centroid, region.schools[s].location)
            });
            zp.placed = placed;
            zp.purchased.clear();
            zp.unplaced = children - placed;
            zp.reason = (zp.unplaced > 0).then(|| Unplaced::AllFull {
                schools: inst.arcs_of(u).len(),
                farthest_km: inst.arcs_of(u).iter().map(|a| a.cost).max().unwrap_or(0) as f64
                    / 1000.0,
            });
        }
    }
    for (zones, school) in labels {
        for z in zones {
            let children = regular[z];
            let zp = &mut junior[z];
            zp.school = school.map(|s| s as u32);
            zp.metres = school.map(|s| {
                region
                    .distances
                    .metres(region.zones[z].centroid, region.schools[s].location)
            });
            zp.placed = 0;
            zp.purchased.clear();
            zp.unplaced = children;
            zp.reason = (children > 0).then(|| match school {
                None => Unplaced::NoSchoolInCounty {
                    county: region.zones[z].county.clone(),
                },
                Some(_) => Unplaced::NoneWithinReach {
                    max_km: policy.junior.max_km.unwrap_or(f64::INFINITY),
                },
            });
        }
    }
    plan.feeders_aligned = true;
    Ok(())
}
