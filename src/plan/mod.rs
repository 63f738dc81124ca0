//! A plan: for each stage, every zone's catchment school, the children
//! placed and those without a seat (with the reason), and the proof of
//! quality (objective, bound, gap).

mod allocate;
mod check;
pub mod connected_optimum;
pub mod far;
mod figures;
pub mod lottery;
mod make;
pub mod migrant_catchments;
pub mod migrants;
pub mod moved_cap;
pub mod passes;
pub mod special;
mod utilization;
mod zone_moves;

pub use check::{Found, PreExisting, Violation, check, pre_existing};
pub use figures::{SchoolFigures, StageTotals};
pub use make::{allocate_with_companion, make};
pub use migrant_catchments::{MigrantCatchments, MigrantPass, allocate};
pub use passes::apart::Apart;
pub use passes::contiguity::{Broken, ContiguityReport, make_contiguous};
pub use passes::feeders;
pub use utilization::{
    DEFAULT_BALANCE_KM, Fill, Objective, ObjectiveReport, UNEVEN_PAIR_GAP, UtilizationFigures,
    spread, utilization_figures,
};
pub use zone_moves::home_zones;

use std::fmt;

use crate::model::{Cohort, Lock, Region, Stage, Zone};
use crate::policy::Seats;
use crate::solve::SolveError;
use crate::spatial::{Adjacency, Barrier, GivenNeighbours};

/// Which of a zone's children a stage plan places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Children {
    /// All of them (one catchment for local and migrant children).
    All,
    /// Local children only (the local pass of separate catchments).
    Local,
    /// Migrant children only (the migrant pass).
    Migrant,
}

impl Children {
    pub fn key(self) -> &'static str {
        match self {
            Children::All => "all",
            Children::Local => "local",
            Children::Migrant => "migrant",
        }
    }

    /// The zone's children of the stage this plan places.
    pub fn cohort(self, zone: &Zone, stage: Stage) -> Cohort {
        let c = zone.cohort(stage);
        match self {
            Children::All => c,
            Children::Local => Cohort {
                local: c.local,
                migrant: 0,
            },
            Children::Migrant => Cohort {
                local: 0,
                migrant: c.migrant,
            },
        }
    }

    /// The zone's special children among those (counted local first, the
    /// convention of the whole plan).
    pub fn special(self, zone: &Zone, stage: Stage) -> u32 {
        let all = special::special_children(zone, stage);
        let local = all.min(zone.cohort(stage).local);
        match self {
            Children::All => all,
            Children::Local => local,
            Children::Migrant => all - local,
        }
    }
}

/// A school that pinned zones alone would overfill.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortage {
    pub school: String,
    pub stage: Option<Stage>,
    pub needed: u64,
    pub seats: u64,
}

impl std::fmt::Display for Shortage {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let what = match self.stage {
            Some(stage) => format!("{} seats", stage.key()),
            None => "places under its school limit".into(),
        };
        write!(
            f,
            "school \"{}\": pinned zones need {} {what}, it has {} ({} short)",
            self.school,
            self.needed,
            self.seats,
            self.needed - self.seats
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "the locks cannot all be met: {}; release some pins or give these schools more classes",
        .0.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("; ")
    )]
    Infeasible(Vec<Shortage>),
    /// Zones beyond `max_trip_km` of every school of their county (the
    /// message names them; see [`far`]).
    #[error(
        "{0}; check the zones' coordinates (GeoJSON gives [longitude, latitude]) and county, raise `max_trip_km` in [policy] if such trips are real, or pass --allow-far to plan anyway"
    )]
    Far(String),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// Told how far the allocation has come (the command line draws a bar).
pub trait Observer: Sync {
    fn parts(&self, _total: usize) {}
    fn part_done(&self) {}
}

impl Observer for () {}

/// Why children of a zone have no seat.
#[derive(Clone, Debug, PartialEq)]
pub enum Unplaced {
    /// The zone's county has no public school of the stage.
    NoSchoolInCounty { county: Option<String> },
    /// Schools exist, but none within the policy's maximum distance.
    NoneWithinReach { max_km: f64 },
    /// Every school within reach is full: `schools` counts all of them
    /// (within `max_km`, or in the county without one) that are not
    /// forbidden, not only those the solver listed.
    AllFull { schools: usize, farthest_km: f64 },
    /// Schools are within reach, but locks forbid every one of them.
    AllForbidden { schools: usize },
    /// The zone gives no county while every school of the stage is in one:
    /// children never cross a county line, so the zone can go nowhere.
    NoCounty { counties: Vec<String> },
    /// The zone is where its school stands, the root of the school's
    /// connected catchment, and has more children than the school's
    /// `seats` for the stage: those beyond them wait for a seat.
    OwnZoneOverflow { seats: u32 },
}

impl fmt::Display for Unplaced {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Unplaced::NoSchoolInCounty { county: Some(c) } => {
                write!(f, "no public school of this stage in county {c}")
            }
            Unplaced::NoSchoolInCounty { county: None } => {
                write!(f, "no public school of this stage")
            }
            Unplaced::NoneWithinReach { max_km } => {
                write!(f, "no school within {max_km} km")
            }
            Unplaced::AllFull {
                schools,
                farthest_km,
            } => write!(
                f,
                "all {schools} schools within {farthest_km:.1} km are full"
            ),
            Unplaced::AllForbidden { schools } => write!(
                f,
                "every school forbidden by locks (all {schools} within reach)"
            ),
            Unplaced::NoCounty { counties } => {
                const SHOWN: usize = 5;
                let mut named = counties
                    .iter()
                    .take(SHOWN)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if counties.len() > SHOWN {
                    named.push_str(&format!(" and {} more", counties.len() - SHOWN));
                }
                write!(
                    f,
                    "the zone has no county while every school of this stage has one ({named}): give the zone its `county`"
                )
            }
            Unplaced::OwnZoneOverflow { seats } => write!(
                f,
                "the zone holds its school's site and stays in its catchment, but has more children than the school's {seats} seats"
            ),
        }
    }
}

/// One zone in one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct ZonePlan {
    /// The catchment school: where the zone's children go (also for zones
    /// with no children this year, so that the catchments cover the land).
    pub school: Option<u32>,
    /// Great-circle metres from the zone's centroid to its school.
    pub metres: Option<i64>,
    /// Children placed at the catchment school.
    pub placed: u32,
    /// Migrant children the catchment school could not take, placed in
    /// seats the bureau bought at private schools: (school, children).
    pub purchased: Vec<(u32, u32)>,
    /// Special children (随班就读) placed in resource rooms before the
    /// catchments were drawn: (school, children); see [`special`].
    pub resource_room: Vec<(u32, u32)>,
    pub unplaced: u32,
    pub reason: Option<Unplaced>,
}

impl ZonePlan {
    /// Road metres from zone `z` to its school as people travel them: the
    /// plan's own cost, unless costs are minutes (then the metres of the
    /// fastest way).
    pub fn road_metres(&self, region: &Region, z: usize) -> Option<i64> {
        let (m, s) = (self.metres?, self.school?);
        let to = region.schools[s as usize].location;
        Some(region.distances.length_of(region.zones[z].centroid, to, m))
    }

    /// Children placed anywhere: catchment school, resource rooms and
    /// purchased seats.
    pub fn seated(&self) -> u32 {
        self.public() + self.in_purchased_seats()
    }

    /// Children in public schools: the catchment school and resource rooms.
    pub fn public(&self) -> u32 {
        self.placed + self.in_resource_rooms()
    }

    pub fn in_resource_rooms(&self) -> u32 {
        self.resource_room.iter().map(|p| p.1).sum()
    }

    pub fn in_purchased_seats(&self) -> u32 {
        self.purchased.iter().map(|p| p.1).sum()
    }
}

/// What officers and planners add to the policy: their locks, how much
/// they value keeping children at today's school, and whether catchments
/// must be connected.
#[derive(Clone, Debug)]
pub struct Preferences {
    pub locks: Vec<Lock>,
    /// What moving one child away from today's catchment school (the zone's
    /// `current_*`) costs, in km of travel; 0: stability is not weighed.
    pub stability_km: f64,
    /// Most children of a stage moved away from today's school: the least
    /// stability weight that meets it is found (see [`moved_cap`]).
    pub max_moved: Option<u64>,
    /// Every catchment one connected piece around its school (where the map
    /// allows). On by default: a catchment in pieces cannot be published.
    pub contiguous: bool,
    /// Rivers, expressways, railways children should not cross.
    pub barriers: Vec<Barrier>,
    /// Migrant children in the local catchments (default) or in their own,
    /// wider ones drawn over the seats locals leave (see
    /// [`migrant_catchments`]).
    pub migrant_catchments: MigrantCatchments,
    /// What a trip across a barrier costs, in km: far more than any detour,
    /// so that a zone crosses only where no school on its side has seats.
    pub barrier_penalty_km: f64,
    /// Km of child travel one edge of catchment boundary is worth: above 0,
    /// catchments trade distance for compactness (no tendrils).
    pub compactness_km: f64,
    /// Km of child travel one more entry class is worth: above 0, a plan
    /// avoids opening a nearly empty class (a second class for three
    /// pupils) where moving a few zones costs little distance.
    pub class_cost_km: f64,
    /// 对口直升: every primary catchment inside exactly one junior catchment
    /// (a nine-year school feeds itself).
    pub feeders_aligned: bool,
    /// What the plan minimises: child-km alone, or with the utilization
    /// spread (see [`utilization`]).
    pub objective: Objective,
    /// With `Objective::Balance`: km of travel worth moving one child from
    /// a full school to an empty one.
    pub balance_km: f64,
    /// Plan even where a zone lies farther than `max_trip_km` from every
    /// school of its county (see [`far`]); otherwise that is an error.
    pub allow_far: bool,
    /// Neighbours the bureau adds to or removes from the map's (see
    /// [`GivenNeighbours`]).
    pub neighbours: GivenNeighbours,
    /// Every community's (社区/村, zone property `community`) zones of a
    /// stage to one school (see [`passes::communities`]).
    pub keep_communities_whole: bool,
    /// Longer hunts in wider windows for pieces proven only with the
    /// catchments around them fixed (`--deep-join`).
    pub deep_join: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            locks: Vec::new(),
            stability_km: 0.0,
            max_moved: None,
            contiguous: true,
            barriers: Vec::new(),
            migrant_catchments: MigrantCatchments::Same,
            barrier_penalty_km: 100.0,
            compactness_km: 0.0,
            class_cost_km: 0.0,
            feeders_aligned: false,
            objective: Objective::Distance,
            balance_km: DEFAULT_BALANCE_KM,
            allow_far: false,
            neighbours: GivenNeighbours::default(),
            keep_communities_whole: false,
            deep_join: false,
        }
    }
}

/// Quality of a stage's plan: travel, bound and gap.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Quality {
    /// What the plan minimises, in metres: child-metres of travel plus the
    /// stability weight of every moved child.
    pub objective_m: i128,
    /// Child-metres of travel alone.
    pub travel_m: i128,
    /// Children placed at another school than today's (where today's is known).
    pub moved: u64,
    /// A lower bound on the child-metres of any plan that leaves no more
    /// children unplaced than this one: the stronger of the two below
    /// (raised by branch and bound where that proves more).
    pub bound_m: i128,
    /// The same from the split relaxation alone (zones may be split).
    pub relaxation_bound_m: i128,
    /// The same from the Lagrangian relaxation for whole zones (a part too
    /// large for its exact tables counts its relaxation bound).
    pub lagrangian_bound_m: i128,
    /// Children the relaxation could not place: no plan places more.
    pub unplaced_bound: u64,
}

impl Quality {
    pub fn objective_km(&self) -> f64 {
        self.objective_m as f64 / 1000.0
    }

    pub fn travel_km(&self) -> f64 {
        self.travel_m as f64 / 1000.0
    }

    pub fn bound_km(&self) -> f64 {
        self.bound_m as f64 / 1000.0
    }

    /// (objective - bound) / bound; 0 when both are 0.
    pub fn gap(&self) -> f64 {
        if self.objective_m <= self.bound_m {
            0.0
        } else if self.bound_m <= 0 {
            f64::INFINITY
        } else {
            (self.objective_m - self.bound_m) as f64 / self.bound_m as f64
        }
    }

    /// No bound above the plan's own objective (after edits outside the
    /// solver, the plan is still a plan; bounds never exceed a plan).
    pub fn clamp_bounds(&mut self, objective: i128) {
        self.bound_m = self.bound_m.min(objective);
        self.relaxation_bound_m = self.relaxation_bound_m.min(objective);
        self.lagrangian_bound_m = self.lagrangian_bound_m.min(objective);
    }

    pub fn relaxation_bound_km(&self) -> f64 {
        self.relaxation_bound_m as f64 / 1000.0
    }

    pub fn lagrangian_bound_km(&self) -> f64 {
        self.lagrangian_bound_m as f64 / 1000.0
    }

    pub fn add(&mut self, other: &Quality) {
        self.objective_m += other.objective_m;
        self.travel_m += other.travel_m;
        self.moved += other.moved;
        self.bound_m += other.bound_m;
        self.relaxation_bound_m += other.relaxation_bound_m;
        self.lagrangian_bound_m += other.lagrangian_bound_m;
        self.unplaced_bound += other.unplaced_bound;
    }
}

/// A stage's plan.
#[derive(Clone, Debug)]
pub struct StagePlan {
    pub stage: Stage,
    pub zones: Vec<ZonePlan>,
    pub quality: Quality,
}

/// How the solve went, for the report.
#[derive(Clone, Debug, Default)]
pub struct SolveStats {
    pub parts: usize,
    /// Units whose candidate lists were widened because the relaxation's
    /// prices showed a school beyond them might be better.
    pub widened_units: usize,
    pub widening_rounds: usize,
    /// Units the relaxation split across schools (before making them whole).
    pub split_units: usize,
    /// Branch-and-bound nodes explored to prove or improve plans.
    pub nodes: usize,
    /// Joint objective and bound over both stages (nine-year schools couple them).
    pub total: Quality,
}

/// The plan for all stages.
#[derive(Clone, Debug)]
pub struct Plan {
    pub stages: [StagePlan; 2],
    pub seats: Vec<Seats>,
    pub stats: SolveStats,
    /// Whether catchments were made connected.
    pub contiguous: bool,
    /// The objective, what it moved, and (for balance) the distance-only
    /// plan beside it.
    pub objective: ObjectiveReport,
    /// What making catchments connected did (empty when not asked for).
    pub contiguity: [ContiguityReport; 2],
    /// Placed trips that cross a barrier: (zone, school, barrier) per stage.
    pub crossings: [Vec<(usize, usize, String)>; 2],
    /// Whether junior catchments were drawn over whole primary catchments.
    pub feeders_aligned: bool,
    /// Zones moved per stage to fit public schools' migrant share bands.
    pub migrant_band_moves: [usize; 2],
    /// The cap on moved children, where one was asked, and what met it.
    pub moved_cap: Option<moved_cap::MovedCap>,
    /// The zone adjacency, where the plan needed it (connected catchments,
    /// bands, balance): kept so that the report does not build it again.
    pub adjacency: Option<std::sync::Arc<Adjacency>>,
    /// With separate migrant catchments, the migrant pass: `stages` then
    /// place local children only, this pass the migrant children.
    pub migrant: Option<MigrantPass>,
    /// With `keep_communities_whole`, the communities left split per stage
    /// and why.
    pub split_communities: [Vec<passes::communities::SplitCommunity>; 2],
}

impl Plan {
    pub fn stage(&self, stage: Stage) -> &StagePlan {
        &self.stages[stage.index()]
    }

    /// The zone plans of a stage with the children each places: the one
    /// plan of all children, or the local and the migrant pass. Whatever
    /// counts children or seats goes through here, so that both passes
    /// count against a school together.
    pub fn passes(&self, stage: Stage) -> Vec<(&StagePlan, Children)> {
        match &self.migrant {
            None => vec![(self.stage(stage), Children::All)],
            Some(m) => vec![
                (self.stage(stage), Children::Local),
                (&m.stages[stage.index()], Children::Migrant),
            ],
        }
    }

    /// The zone plan that holds a zone's migrant children of a stage.
    pub fn migrant_zone(&self, stage: Stage, zone: usize) -> (&ZonePlan, Children) {
        match &self.migrant {
            None => (&self.stage(stage).zones[zone], Children::All),
            Some(m) => (&m.stages[stage.index()].zones[zone], Children::Migrant),
        }
    }

    /// Recounts objective, travel and moved children from the zones (after
    /// zones changed school outside the solver); bounds stay.
    pub fn recount(&mut self, region: &Region, preferences: &Preferences) {
        let stability_m = (preferences.stability_km * 1000.0).round() as i128;
        let barrier_m = (preferences.barrier_penalty_km * 1000.0).round() as i128;
        let crossing: [std::collections::HashSet<usize>; 2] =
            Stage::ALL.map(|stage| self.crossings[stage.index()].iter().map(|c| c.0).collect());
        let mut total = (0i128, 0i128, 0u64);
        for stage in Stage::ALL {
            let (mut objective, mut travel, mut moved) = (0i128, 0i128, 0u64);
            for (z, zp) in self.stages[stage.index()].zones.iter().enumerate() {
                let (Some(s), Some(m)) = (zp.school, zp.metres) else {
                    continue;
                };
                if zp.placed == 0 {
                    continue;
                }
                let q = zp.placed as i128;
                travel += q * m as i128;
                objective += q * m as i128;
                let today = region.zones[z].current[stage.index()];
                if today.is_some_and(|t| t != s as usize) {
                    moved += zp.placed as u64;
                    objective += q * stability_m;
                }
                if crossing[stage.index()].contains(&z) {
                    objective += q * barrier_m;
                }
            }
            let q = &mut self.stages[stage.index()].quality;
            q.objective_m = objective;
            q.travel_m = travel;
            q.moved = moved;
            q.clamp_bounds(objective);
            total.0 += objective;
            total.1 += travel;
            total.2 += moved;
        }
        let t = &mut self.stats.total;
        t.objective_m = total.0;
        t.travel_m = total.1;
        t.moved = total.2;
        t.clamp_bounds(total.0);
    }

    /// A fingerprint of where every zone's children go (schools, placed,
    /// purchased and resource-room seats, unplaced), both stages and both
    /// passes: equal plans print equal digests, so a bureau can see that two
    /// reports of one scenario rest on the same plan. FNV-1a, 64 bits.
    pub fn digest(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |x: u64| {
            for b in x.to_le_bytes() {
                h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for stage in Stage::ALL {
            for (sp, _) in self.passes(stage) {
                for zp in &sp.zones {
                    eat(zp.school.map_or(u64::MAX, u64::from));
                    eat(zp.placed.into());
                    eat(zp.unplaced.into());
                    for &(school, n) in zp.purchased.iter().chain(&zp.resource_room) {
                        eat(school.into());
                        eat(n.into());
                    }
                }
            }
        }
        format!("{h:016x}")
    }

    /// Children in = placed + unplaced, for every zone and stage. Checked on
    /// every run: a child is never silently dropped.
    pub fn conservation(&self, region: &Region) -> Result<(), String> {
        for stage in Stage::ALL {
            for (sp, children_of) in self.passes(stage) {
                if sp.zones.len() != region.zones.len() {
                    return Err(format!(
                        "{} plan of {} ({}) has {} zones, the region {}",
                        children_of.key(),
                        stage.key(),
                        sp.stage.key(),
                        sp.zones.len(),
                        region.zones.len()
                    ));
                }
                for (z, zp) in sp.zones.iter().enumerate() {
                    let zone = &region.zones[z];
                    let children = children_of.cohort(zone, stage).total();
                    let what = match children_of {
                        Children::All => stage.key().to_string(),
                        other => format!("{}, {} children", stage.key(), other.key()),
                    };
                    if zp.seated() + zp.unplaced != children {
                        return Err(format!(
                            "zone {} ({what}): {} children, {} placed + {} in resource rooms + {} in purchased seats + {} unplaced",
                            zone.id,
                            children,
                            zp.placed,
                            zp.in_resource_rooms(),
                            zp.in_purchased_seats(),
                            zp.unplaced
                        ));
                    }
                    if children_of == Children::Local && zp.in_purchased_seats() > 0 {
                        return Err(format!(
                            "zone {} ({what}): local children in purchased seats",
                            zone.id
                        ));
                    }
                    let special = children_of.special(zone, stage);
                    if zp.in_resource_rooms() > special {
                        return Err(format!(
                            "zone {} ({what}): {} children in resource rooms, only {} special children",
                            zone.id,
                            zp.in_resource_rooms(),
                            special
                        ));
                    }
                    if zp.unplaced > 0 && zp.reason.is_none() {
                        return Err(format!(
                            "zone {} ({what}): {} unplaced without a reason",
                            zone.id, zp.unplaced
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
