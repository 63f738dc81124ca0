//! Separate migrant catchments (随迁子女划片): some cities publish, per
//! school, the compounds whose local children (户籍) it takes and the
//! (usually wider) compounds whose migrant children it takes (Hangzhou,
//! ../shared/data/hangzhou). By default a zone's migrant children go with
//! its local children to the one catchment school ([`MigrantCatchments::Same`]).
//!
//! With [`MigrantCatchments::Separate`] the plan is drawn in two passes of
//! the same allocation, so that every guarantee of the core (whole zones,
//! seats, shared nine-year limits, connected catchments, the bound) holds
//! for each:
//!
//! 1. local children alone, exactly as a plan of all children is drawn;
//! 2. migrant children alone, over the seats the first pass left: each
//!    school's stage seats and school limit are reduced by its first-pass
//!    intake (as continuing pupils and a lower cap, the way planning
//!    reduces seats), so both passes together never exceed a hard limit.
//!    The pass has its own reach, the stage's `migrant_max_km` (default:
//!    anywhere in the county; migrant lists are usually wider), keeps the
//!    officers' forbids but not their pins (a pin names the local school,
//!    which may have no seat left), and then places those still without a
//!    public seat in purchased seats, as a plan of all children does.
//!
//! Every zone thus has a local and a migrant school per stage, also zones
//! without migrant children (the migrant catchments cover the land like the
//! local ones). The migrant share band post-pass is not applied: the band is
//! a device to spread migrant children over a single list, while separate
//! lists decide where migrant children go directly (the report says so).

use super::Observer;
use super::allocate::allocate_pass;
use super::{Children, ContiguityReport, Plan, PlanError, Preferences, SolveStats, StagePlan};
use crate::model::{LockKind, Region, Stage};
use crate::policy::Policy;
use crate::solve::Settings;

/// Whether migrant children have catchments of their own.
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
pub enum MigrantCatchments {
    /// A zone's migrant children go to its one catchment school, after its
    /// local children (户籍优先).
    #[default]
    Same,
    /// Migrant children get their own catchments, drawn after the local ones
    /// over the seats locals leave.
    Separate,
}

impl crate::options::OptionValue for MigrantCatchments {}

impl MigrantCatchments {
    /// The word in scenario files, CLI flags and summary.json.
    pub fn key(self) -> &'static str {
        match self {
            MigrantCatchments::Same => "same",
            MigrantCatchments::Separate => "separate",
        }
    }
}

/// The migrant pass of a plan with separate migrant catchments.
#[derive(Clone, Debug)]
pub struct MigrantPass {
    /// Per stage, every zone's migrant school and its migrant children.
    pub stages: [StagePlan; 2],
    pub stats: SolveStats,
    pub contiguity: [ContiguityReport; 2],
    /// Placed migrant trips that cross a barrier: (zone, school, barrier).
    pub crossings: [Vec<(usize, usize, String)>; 2],
}

/// Allocates every zone's children of both stages: in one pass over all
/// children, or, with separate migrant catchments, a local pass and then a
/// migrant pass over the seats the locals leave.
pub fn allocate(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    observer: &dyn Observer,
) -> Result<Plan, PlanError> {
    match preferences.migrant_catchments {
        MigrantCatchments::Same => {
            allocate_pass(region, policy, settings, preferences, observer, true)
        }
        MigrantCatchments::Separate => {
            allocate_separate(region, policy, settings, preferences, observer)
        }
    }
}

/// Draws local catchments, then migrant catchments over the seats left.
fn allocate_separate(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    observer: &dyn Observer,
) -> Result<Plan, PlanError> {
    let local = view(region, Children::Local);
    let mut plan =
        super::allocate::allocate_pass(&local, policy, settings, preferences, observer, false)?;
    let migrant = seats_after(view(region, Children::Migrant), policy, &plan);
    let migrant_preferences = Preferences {
        locks: preferences
            .locks
            .iter()
            .filter(|l| l.kind == LockKind::Forbid)
            .copied()
            .collect(),
        ..preferences.clone()
    };
    let second = super::allocate::allocate_pass(
        &migrant,
        &migrant_policy(policy),
        settings,
        &migrant_preferences,
        &(),
        false,
    )?;
    plan.migrant = Some(MigrantPass {
        stages: second.stages,
        stats: second.stats,
        contiguity: second.contiguity,
        crossings: second.crossings,
    });
    Ok(plan)
}

/// The policy of the migrant pass: the stage's migrant reach instead of
/// its reach (also for resource rooms and purchased seats of migrant
/// children).
pub fn migrant_policy(policy: &Policy) -> Policy {
    let mut p = policy.clone();
    p.primary.max_km = p.primary.migrant_max_km;
    p.junior.max_km = p.junior.migrant_max_km;
    p
}

/// The region with only these children in its zones (special children
/// among them as [`Children::special`] counts them).
fn view(region: &Region, children: Children) -> Region {
    let mut out = region.clone();
    for zone in &mut out.zones {
        zone.special = Stage::ALL.map(|stage| children.special(zone, stage));
        zone.children = Stage::ALL.map(|stage| children.cohort(zone, stage));
    }
    out
}

/// The schools with the seats the first pass left: its intake (catchment
/// and resource rooms) per school and stage becomes continuing pupils
/// (against the school limit, shared by a nine-year school's stages) and
/// comes off the stage's seats (an explicit cap, so classes x class limit
/// is never passed).
fn seats_after(mut region: Region, policy: &Policy, first: &Plan) -> Region {
    let mut intake = vec![[0u32; 2]; region.schools.len()];
    for stage in Stage::ALL {
        for zp in &first.stage(stage).zones {
            if let Some(s) = zp.school {
                intake[s as usize][stage.index()] += zp.placed;
            }
            for &(s, n) in &zp.resource_room {
                intake[s as usize][stage.index()] += n;
            }
        }
    }
    for (school, taken) in region.schools.iter_mut().zip(&intake) {
        let seats = policy.seats(school);
        for stage in Stage::ALL {
            let n = taken[stage.index()];
            if n == 0 {
                continue;
            }
            let i = stage.index();
            if let Some(cap) = seats.stage[i] {
                school.capacity[i] = Some(cap.saturating_sub(n));
            }
            school.enrolled[i] = school.enrolled[i].saturating_add(n);
        }
    }
    region
}

/// Zones whose migrant school of the stage is not their local school
/// (0 without separate migrant catchments).
pub fn zones_with_other_migrant_school(plan: &Plan, stage: Stage) -> usize {
    let Some(m) = &plan.migrant else { return 0 };
    plan.stage(stage)
        .zones
        .iter()
        .zip(&m.stages[stage.index()].zones)
        .filter(|(l, m)| l.school != m.school)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, Zone};
    use crate::model::{School, SchoolKind};
    use geo::Point;

    fn school(id: &str, x: f64, kind: SchoolKind, classes: u32) -> School {
        School::public(id, kind, Point::new(x, 0.0)).with_classes([Some(classes), Some(classes)])
    }

    fn zone(id: &str, x: f64, local: u32, migrant: u32) -> Zone {
        let c = Cohort { local, migrant };
        Zone::at_point(id, Point::new(x, 0.0), [c, c])
    }

    fn separate() -> Preferences {
        Preferences {
            contiguous: false,
            migrant_catchments: MigrantCatchments::Separate,
            ..Preferences::default()
        }
    }

    #[test]
    fn keys_round_trip() {
        let parse =
            |k: &str| serde_json::from_value::<MigrantCatchments>(serde_json::json!(k)).ok();
        for m in [MigrantCatchments::Same, MigrantCatchments::Separate] {
            assert_eq!(parse(m.key()), Some(m));
        }
        assert_eq!(parse("wider"), None);
    }

    #[test]
    fn special_children_are_counted_local_first() {
        let mut z = zone("a", 0.0, 2, 3);
        z.special = [4, 0];
        assert_eq!(Children::All.special(&z, Stage::Primary), 4);
        assert_eq!(Children::Local.special(&z, Stage::Primary), 2);
        assert_eq!(Children::Migrant.special(&z, Stage::Primary), 2);
        let v = view(
            &Region {
                zones: vec![z],
                schools: vec![],
                ..Region::default()
            },
            Children::Migrant,
        );
        assert_eq!(
            v.zones[0].children[0],
            Cohort {
                local: 0,
                migrant: 3
            }
        );
        assert_eq!(
            super::super::special::special_children(&v.zones[0], Stage::Primary),
            2
        );
    }

    /// The near school fills with local children; migrant children go on
    /// to the far one, and both passes together stay within every seat.
    #[test]
    fn migrant_children_take_the_seats_locals_leave() {
        let policy = Policy {
            primary: crate::policy::StagePolicy {
                class_limit: 10,
                ..Policy::default().primary
            },
            ..Policy::default()
        };
        let region = Region {
            zones: vec![zone("a", 0.0, 8, 6), zone("b", 0.001, 2, 0)],
            schools: vec![
                school("near", 0.0, SchoolKind::NineYear, 1),
                school("far", 0.05, SchoolKind::NineYear, 1),
            ],
            ..Region::default()
        };
        let plan = super::super::allocate(&region, &policy, &Settings::default(), &separate(), &())
            .unwrap();
        plan.conservation(&region).unwrap();
        assert!(super::super::check(&plan, &region, &policy).is_empty());
        let m = plan.migrant.as_ref().unwrap();
        let p = Stage::Primary.index();
        assert_eq!(plan.stages[p].zones[0].school, Some(0));
        assert_eq!(plan.stages[p].zones[0].placed, 8);
        assert_eq!(plan.stages[p].zones[1].placed, 2);
        assert_eq!(m.stages[p].zones[0].school, Some(1));
        assert_eq!(m.stages[p].zones[0].placed, 6);
        // A zone without migrant children still has a migrant school.
        assert!(m.stages[p].zones[1].school.is_some());
        assert!(zones_with_other_migrant_school(&plan, Stage::Primary) >= 1);
        let f = plan.school_figures(&region, &policy, Stage::Primary);
        assert_eq!((f[0].intake, f[0].local, f[0].migrant), (10, 10, 0));
        assert_eq!((f[1].intake, f[1].local, f[1].migrant), (6, 0, 6));
        let t = plan.totals(&region, Stage::Primary);
        assert_eq!((t.children, t.placed, t.migrant_placed), (16, 16, 6));
    }

    /// A nine-year school's shared limit holds over both passes and both
    /// stages: the migrant pass sees only what the local pass left.
    #[test]
    fn shared_school_limit_holds_over_both_passes() {
        let policy = Policy {
            nine_year_school_limit: 30,
            ..Policy::default()
        };
        let region = Region {
            zones: vec![zone("a", 0.0, 10, 10)],
            schools: vec![school("only", 0.0, SchoolKind::NineYear, 4)],
            ..Region::default()
        };
        let plan = super::super::allocate(&region, &policy, &Settings::default(), &separate(), &())
            .unwrap();
        plan.conservation(&region).unwrap();
        assert!(super::super::check(&plan, &region, &policy).is_empty());
        let m = plan.migrant.as_ref().unwrap();
        let local: u32 = plan.stages.iter().map(|s| s.zones[0].placed).sum();
        let migrant: u32 = m.stages.iter().map(|s| s.zones[0].placed).sum();
        assert_eq!(local, 20);
        assert_eq!(migrant, 10);
        let unplaced: u32 = m.stages.iter().map(|s| s.zones[0].unplaced).sum();
        assert_eq!(unplaced, 10);
    }

    #[test]
    fn migrant_reach_limits_the_migrant_pass_only() {
        let mut policy = Policy::default();
        policy.primary.migrant_max_km = Some(1.0);
        let region = Region {
            zones: vec![zone("a", 0.0, 3, 3)],
            schools: vec![school("far", 0.05, SchoolKind::Primary, 2)],
            ..Region::default()
        };
        let plan = super::super::allocate(&region, &policy, &Settings::default(), &separate(), &())
            .unwrap();
        plan.conservation(&region).unwrap();
        let m = plan.migrant.as_ref().unwrap();
        assert_eq!(plan.stages[0].zones[0].placed, 3);
        assert_eq!(m.stages[0].zones[0].placed, 0);
        assert_eq!(m.stages[0].zones[0].unplaced, 3);
    }
}
