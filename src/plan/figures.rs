//! The numbers a bureau reports per school and stage, computed from a plan.

use crate::model::{Region, Stage};
use crate::policy::{Classes, Policy, balance, purchased_seats, split_placed};

use super::{Children, Plan};

/// One school's intake for one stage and what it means for its classes and
/// its size limit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolFigures {
    pub school: usize,
    pub stage: Stage,
    pub intake: u32,
    pub local: u32,
    pub migrant: u32,
    pub classes: Classes,
    /// Entry classes the school can open (None: not given).
    pub classes_available: Option<u32>,
    /// Seats of this stage alone.
    pub seats: u32,
    pub continuing: u32,
    /// Continuing pupils plus this year's intake of every stage.
    pub school_total: u32,
    pub school_limit: u32,
    /// Zones in the catchment (with or without children).
    pub zones: usize,
    pub mean_km: f64,
    pub max_km: f64,
    /// Pupils of this stage after the intake (continuing + intake).
    pub stage_pupils: u32,
    /// Teachers this stage's pupils need at the policy's staff ratio.
    pub teachers: f64,
    /// Balance indicators R1-R7 of this stage's part (None: no data).
    pub indicators: [Option<f64>; 7],
    /// Whether the part passes the balance evaluation (None: data missing).
    pub balance_pass: Option<bool>,
    /// Children of this intake whose zone's school today (`current_*`) is
    /// another one.
    pub moved: u32,
    /// Migrant children in the seats the bureau bought here (private schools).
    pub purchased: u32,
    /// Seats the bureau bought here for this stage.
    pub purchased_seats: u32,
    /// Children with disabilities in this intake (resource room and
    /// regular classes; in `intake`).
    pub special: u32,
    /// Of those, children placed here for the school's resource room.
    pub resource_room: u32,
}

impl SchoolFigures {
    /// Migrant children's share of the intake (None without intake).
    pub fn migrant_share(&self) -> Option<f64> {
        (self.intake > 0).then(|| self.migrant as f64 / self.intake as f64)
    }

    pub fn utilization(&self) -> f64 {
        if self.seats == 0 {
            0.0
        } else {
            self.intake as f64 / self.seats as f64
        }
    }
}

/// Children of a stage across the region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageTotals {
    pub children: u64,
    /// Placed at catchment schools and in purchased seats.
    pub placed: u64,
    pub unplaced: u64,
    pub migrant: u64,
    pub migrant_placed: u64,
}

impl Plan {
    /// Figures of every school that teaches the stage, in school order.
    pub fn school_figures(
        &self,
        region: &Region,
        policy: &Policy,
        stage: Stage,
    ) -> Vec<SchoolFigures> {
        let n = region.schools.len();
        let mut figures: Vec<SchoolFigures> = (0..n)
            .map(|s| {
                let school = &region.schools[s];
                SchoolFigures {
                    school: s,
                    stage,
                    classes_available: school.classes[stage.index()],
                    seats: if school.takes_catchment(stage) {
                        self.seats[s].of(stage)
                    } else {
                        0
                    },
                    continuing: school.continuing(),
                    school_limit: policy.school_limit_of(school),
                    ..Default::default()
                }
            })
            .collect();
        let mut km_sum = vec![0.0f64; n];
        // Both passes of separate migrant catchments count against the
        // school together; a catchment's zones are those of its local list.
        for (sp, children) in self.passes(stage) {
            for (z, zp) in sp.zones.iter().enumerate() {
                let Some(s) = zp.school else { continue };
                let f = &mut figures[s as usize];
                if children != Children::Migrant {
                    f.zones += 1;
                }
                if zp.placed == 0 {
                    continue;
                }
                let cohort = children.cohort(&region.zones[z], stage);
                // Children in resource rooms are counted local first, so the
                // catchment school has the locals they left.
                let (_, local_left) = super::special::split_resource_rooms(zp, cohort.local);
                let (local, migrant) = split_placed(zp.placed, local_left);
                f.intake += zp.placed;
                f.local += local;
                f.migrant += migrant;
                if region.zones[z].current[stage.index()].is_some_and(|t| t != s as usize) {
                    f.moved += zp.placed;
                }
                // Road km as people travel them, whatever the objective's unit.
                let metres = region.distances.length_of(
                    region.zones[z].centroid,
                    region.schools[s as usize].location,
                    zp.metres.unwrap_or(0),
                );
                let km = metres as f64 / 1000.0;
                km_sum[s as usize] += km * zp.placed as f64;
                f.max_km = f.max_km.max(km);
            }
            for (z, zp) in sp.zones.iter().enumerate() {
                for &(s, n) in &zp.purchased {
                    figures[s as usize].purchased += n;
                }
                let zone = &region.zones[z];
                let (rooms, _) =
                    super::special::split_resource_rooms(zp, children.cohort(zone, stage).local);
                for (s, local, migrant) in rooms {
                    let f = &mut figures[s as usize];
                    let n = local + migrant;
                    f.intake += n;
                    f.local += local;
                    f.migrant += migrant;
                    f.resource_room += n;
                    let km = region
                        .distances
                        .length(zone.centroid, region.schools[s as usize].location)
                        as f64
                        / 1000.0;
                    km_sum[s as usize] += km * n as f64;
                    f.max_km = f.max_km.max(km);
                }
                let special = children.special(zone, stage);
                for (s, n) in super::special::zone_special_of(special, zp).regular_class {
                    figures[s as usize].special += n;
                }
            }
        }
        for f in &mut figures {
            f.special += f.resource_room;
        }
        let other = match stage {
            Stage::Primary => Stage::Junior,
            Stage::Junior => Stage::Primary,
        };
        let mut other_intake = vec![0u32; n];
        for (sp, _) in self.passes(other) {
            for zp in &sp.zones {
                if let Some(s) = zp.school {
                    other_intake[s as usize] += zp.placed;
                }
                for &(s, k) in &zp.resource_room {
                    other_intake[s as usize] += k;
                }
            }
        }
        for (s, f) in figures.iter_mut().enumerate() {
            let school = &region.schools[s];
            f.purchased_seats = purchased_seats(school, stage);
            f.stage_pupils = school.enrolled[stage.index()] + f.intake;
            f.teachers = f.stage_pupils as f64 / policy.stage(stage).pupils_per_teacher;
            let mut pupils = [0.0; 2];
            pupils[stage.index()] = f.stage_pupils as f64;
            let o = other.index();
            pupils[o] = (school.enrolled[o] + other_intake[s]) as f64;
            let part = balance::part(school, stage, pupils, &policy.balance);
            f.indicators = balance::indicators(&part);
            f.balance_pass = balance::passes(
                &f.indicators,
                policy.balance.thresholds(stage),
                policy.balance.near_miss,
            );
            f.classes = Classes::for_intake(f.intake, policy.stage(stage).class_limit);
            f.mean_km = if f.intake > 0 {
                km_sum[s] / f.intake as f64
            } else {
                0.0
            };
            f.school_total = f.continuing + f.intake + other_intake[s];
        }
        figures.retain(|f| region.schools[f.school].kind.teaches(stage));
        figures
    }

    /// The between-school spread of each balance indicator over the public
    /// schools that teach the stage.
    pub fn balance(
        &self,
        region: &Region,
        policy: &Policy,
        stage: Stage,
    ) -> [Option<balance::Spread>; 7] {
        let other = match stage {
            Stage::Primary => Stage::Junior,
            Stage::Junior => Stage::Primary,
        };
        let other_figures = self.school_figures(region, policy, other);
        let parts: Vec<balance::Part> = self
            .school_figures(region, policy, stage)
            .iter()
            .filter(|f| region.schools[f.school].takes_catchment(stage))
            .map(|f| {
                let school = &region.schools[f.school];
                let mut pupils = [0.0; 2];
                pupils[stage.index()] = f.stage_pupils as f64;
                pupils[other.index()] = other_figures
                    .iter()
                    .find(|o| o.school == f.school)
                    .map_or(school.enrolled[other.index()] as f64, |o| {
                        o.stage_pupils as f64
                    });
                balance::part(school, stage, pupils, &policy.balance)
            })
            .collect();
        balance::spreads(&parts, &policy.balance, stage)
    }

    pub fn totals(&self, region: &Region, stage: Stage) -> StageTotals {
        let mut t = StageTotals::default();
        for (sp, children) in self.passes(stage) {
            for (z, zp) in sp.zones.iter().enumerate() {
                let cohort = children.cohort(&region.zones[z], stage);
                t.children += cohort.total() as u64;
                t.placed += zp.seated() as u64;
                t.unplaced += zp.unplaced as u64;
                t.migrant += cohort.migrant as u64;
                t.migrant_placed +=
                    (split_placed(zp.public(), cohort.local).1 + zp.in_purchased_seats()) as u64;
            }
        }
        t
    }
}
