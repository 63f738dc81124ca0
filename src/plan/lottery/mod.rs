//! Multi-school zones (多校划片): neighbouring schools share their
//! catchments, and where a school has more applicants than seats they go by
//! a seeded, reproducible lottery (随机派位).
//!
//! The steps, one module each:
//!
//! - [`groups`]: which schools form a group (the bureau's `groups.csv`, or
//!   neighbouring catchments merged greedily), the group's zones (the union
//!   of its schools' catchments in the plan) and seats;
//! - [`draw`]: one lottery of one group and stage;
//! - [`study`]: the same groups drawn under many seeds, and each zone's
//!   chance of each school.
//!
//! # The mechanism
//!
//! Every child of a group's zones applies to the nearest school of the
//! group (great-circle distance from the zone's centroid, as everywhere in
//! the crate; schools beyond the policy's `max_km` are not offered). One
//! lottery puts all the group's children of the stage in a random order. In
//! the first round every child applies to the nearest school, and each
//! school admits its applicants in lottery order until it is full. In each
//! later round, every child still without a seat applies to the nearest
//! school that had seats left when the round began, admitted the same way.
//! Children no school of the group can take stay unplaced, with the
//! reason. After the first, every round that leaves a child waiting fills
//! at least one school, so there are at most as many rounds as schools,
//! plus two.
//!
//! This is the procedure the bureaus publish ("first choice by lottery,
//! losers are placed where seats remain", 先派第一志愿, 未录取者调剂), the
//! *immediate-acceptance* rule with distance as the preference and the
//! lottery as the priority. It is chosen over serial dictatorship in
//! lottery order (equivalently deferred acceptance with one lottery) on
//! purpose:
//!
//! - with serial dictatorship, a child who lost the lottery at school A may
//!   take the last seat at school B from a child who lives next to B and
//!   has B as nearest school; under immediate acceptance a child whose
//!   nearest school has enough seats for all who chose it first always
//!   gets it, which is what nearby enrollment (就近入学) promises;
//! - the usual argument for deferred acceptance, that families gain
//!   nothing by misstating their preferences, does not arise: preferences
//!   are distances computed by the bureau, not stated by families;
//! - "admitted by first choice" and "oversubscription = first-choice
//!   applicants / seats" then mean what a bureau expects: a school's
//!   first-choice admissions are min(applicants, seats), whatever the draw.
//!
//! Local (户籍) and migrant (随迁) children draw in one lottery, with equal
//! standing: the policy places migrant children in public schools (公办为主)
//! and gives no priority order within a multi-school zone.
//!
//! # Reproducibility
//!
//! A draw depends only on (seed, group id, stage): its random stream comes
//! from the crate's own xoshiro256** generator ([`crate::generate::rng`]),
//! whose output cannot change when a dependency is updated. The study draws
//! seeds S..S+N-1 in parallel and combines them in seed order, so its files
//! are the same bytes on any number of threads.

pub mod draw;
pub mod groups;
pub mod study;

use serde::{Deserialize, Serialize};

pub use draw::{Choice, Draw, Entrants};
pub use groups::{Group, auto_groups, groups_from_specs};
pub use study::{Chance, GroupLottery, Lottery, ZoneChances, study};

/// `[lottery]` in a scenario: the numbers of a multi-school study, with
/// defaults a bureau would start from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LotterySettings {
    /// Most schools in one group formed automatically from neighbouring
    /// catchments (a bureau's `groups.csv` may make larger ones).
    pub group_size: usize,
    /// Draws in the study of each zone's chances (seeds S..S+N-1).
    pub seeds: usize,
    /// The seed of the draw that is published, and the first of the study.
    pub seed: u64,
}

impl Default for LotterySettings {
    fn default() -> Self {
        LotterySettings {
            group_size: 3,
            seeds: 100,
            seed: 1,
        }
    }
}

/// Most draws in one study: enough for any percentile a bureau reads, and
/// small enough that a mistyped `--seeds` does not run for hours.
pub const MAX_SEEDS: usize = 100_000;

impl LotterySettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.group_size < 2 {
            return Err(format!(
                "group_size is {}; expected at least 2 schools per group",
                self.group_size
            ));
        }
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return Err(format!(
                "seeds is {}; expected 1 to {MAX_SEEDS} draws",
                self.seeds
            ));
        }
        if self.seed.checked_add(self.seeds as u64 - 1).is_none() {
            return Err(format!(
                "seed is {}; expected a seed that leaves room for {} draws below 2^64",
                self.seed, self.seeds
            ));
        }
        Ok(())
    }
}

/// What can stop a lottery.
#[derive(Debug, thiserror::Error)]
pub enum LotteryError {
    #[error("lottery settings: {0}")]
    Settings(String),
    #[error(
        "internal error, please report: the lottery of group {group} ({stage}), seed {seed}: {message}"
    )]
    Broken {
        group: String,
        stage: &'static str,
        seed: u64,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use geo::Point;

    use super::draw::{EntrantZone, draw};
    use super::groups::lottery_seats;
    use super::*;
    use crate::io::GroupSpec;
    use crate::model::{Cohort, Region, School, SchoolKind, Stage, Zone};
    use crate::plan::{Plan, Quality, SolveStats, StagePlan, Unplaced, ZonePlan};
    use crate::policy::Policy;
    use crate::spatial::Adjacency;

    /// A school on the equator at `x` degrees (0.01 degree is about 1.1 km)
    /// with `classes` entry classes per stage.
    fn school(id: &str, x: f64, kind: SchoolKind, classes: u32) -> School {
        School::public(id, kind, Point::new(x, 0.0))
            .with_classes([Some(classes), Some(classes)])
            .in_county("c")
    }

    fn zone(id: &str, x: f64, primary: u32) -> Zone {
        let local = Cohort {
            local: primary,
            migrant: 0,
        };
        Zone {
            county: Some("c".into()),
            ..Zone::at_point(id, Point::new(x, 0.0), [local, Cohort::default()])
        }
    }

    /// A plan that sends each zone's children to the given school.
    fn plan_of(region: &Region, policy: &Policy, primary: &[Option<u32>]) -> Plan {
        let stages = Stage::ALL.map(|stage| StagePlan {
            stage,
            zones: region
                .zones
                .iter()
                .enumerate()
                .map(|(z, zone)| {
                    let school = if stage == Stage::Primary {
                        primary[z]
                    } else {
                        None
                    };
                    let children = zone.cohort(stage).total();
                    ZonePlan {
                        school,
                        metres: school.map(|_| 0),
                        placed: if school.is_some() { children } else { 0 },
                        purchased: Vec::new(),
                        resource_room: Vec::new(),
                        unplaced: if school.is_some() { 0 } else { children },
                        reason: None,
                    }
                })
                .collect(),
            quality: Quality::default(),
        });
        Plan {
            stages,
            seats: region.schools.iter().map(|s| policy.seats(s)).collect(),
            stats: SolveStats::default(),
            contiguous: true,
            objective: Default::default(),
            contiguity: Default::default(),
            crossings: Default::default(),
            feeders_aligned: false,
            migrant_band_moves: [0, 0],
            moved_cap: None,
            adjacency: None,
            migrant: None,
            split_communities: Default::default(),
        }
    }

    /// A group of schools with these seats and zones with (children,
    /// choices nearest first as (member, metres)).
    fn group(seats: &[u32], zones: &[(u32, &[usize])]) -> (Group, Entrants) {
        let g = Group {
            id: "g".into(),
            stage: Stage::Primary,
            schools: (0..seats.len()).collect(),
            seats: seats.to_vec(),
            zones: (0..zones.len()).collect(),
        };
        let e = Entrants {
            zones: zones
                .iter()
                .enumerate()
                .map(|(z, (children, order))| EntrantZone {
                    zone: z,
                    children: *children,
                    choices: order
                        .iter()
                        .enumerate()
                        .map(|(rank, &member)| Choice {
                            member,
                            metres: 1000 * (rank as i64 + 1),
                        })
                        .collect(),
                })
                .collect(),
            max_km: None,
        };
        (g, e)
    }

    #[test]
    fn without_oversubscription_everyone_gets_the_nearest_school() {
        let (g, e) = group(&[45, 45], &[(20, &[0, 1]), (25, &[0, 1]), (40, &[1, 0])]);
        for seed in 1..20 {
            let d = draw(&g, &e, seed).unwrap();
            assert_eq!(d.placed, vec![vec![20, 0], vec![25, 0], vec![0, 40]]);
            assert_eq!(d.admitted_other, vec![0, 0]);
            assert_eq!(d.unplaced, vec![0, 0, 0]);
        }
    }

    #[test]
    fn losers_go_to_the_next_school_with_seats_and_capacity_holds() {
        // A: 60 first choices for 45 seats; B: 10 for 45.
        let (g, e) = group(&[45, 45], &[(30, &[0, 1]), (30, &[0, 1]), (10, &[1, 0])]);
        for seed in 1..50 {
            let d = draw(&g, &e, seed).unwrap();
            assert_eq!(d.admitted_first, vec![45, 10]);
            assert_eq!(d.admitted_other, vec![0, 15]);
            assert_eq!(d.placed[0][0] + d.placed[1][0], 45);
            assert_eq!(d.placed[2], vec![0, 10]);
            assert_eq!(d.unplaced, vec![0, 0, 0]);
        }
    }

    #[test]
    fn first_choices_keep_their_school_and_the_short_are_unplaced_with_a_reason() {
        // 120 children, 90 seats: B's 40 first choices all keep B (the
        // nearby-enrollment promise); A's losers fill B's last 5 seats.
        let (g, e) = group(&[45, 45], &[(80, &[0, 1]), (40, &[1, 0])]);
        let d = draw(&g, &e, 7).unwrap();
        assert_eq!(d.admitted_first, vec![45, 40]);
        assert_eq!(d.admitted_other, vec![0, 5]);
        assert_eq!(d.unplaced, vec![30, 0]);
        assert_eq!(
            e.reason(0),
            Unplaced::AllFull {
                schools: 2,
                farthest_km: 2.0
            }
        );
        // A zone with no school of the group within reach.
        let (g, e) = group(&[45], &[(3, &[])]);
        let d = draw(&g, &e, 1).unwrap();
        assert_eq!(d.unplaced, vec![3]);
        assert!(matches!(e.reason(0), Unplaced::NoneWithinReach { .. }));
    }

    #[test]
    fn applicants_of_a_school_without_seats_never_displace_first_choices() {
        // A has no seats: its 35 applicants lose there and go on to B only
        // after B has taken the child who lives nearest to it.
        let (g, e) = group(&[0, 9], &[(35, &[0, 1]), (1, &[1, 0])]);
        for seed in 1..30 {
            let d = draw(&g, &e, seed).unwrap();
            assert_eq!(d.placed[1], vec![0, 1]);
            assert_eq!(
                (d.admitted_first.clone(), d.admitted_other.clone()),
                (vec![0, 1], vec![0, 8])
            );
            assert_eq!(d.unplaced, vec![27, 0]);
        }
    }

    #[test]
    fn a_seed_gives_the_same_draw_and_seeds_differ() {
        let (g, e) = group(
            &[10, 10, 10],
            &[(8, &[0, 1, 2]), (8, &[0, 2, 1]), (8, &[0, 1, 2])],
        );
        let a = draw(&g, &e, 42).unwrap();
        assert_eq!(a, draw(&g, &e, 42).unwrap());
        assert!((43..60).any(|s| draw(&g, &e, s).unwrap().placed != a.placed));
        // Another group name is another stream.
        let h = Group {
            id: "h".into(),
            ..g.clone()
        };
        assert!(
            (42..60)
                .any(|s| { draw(&h, &e, s).unwrap().placed != draw(&g, &e, s).unwrap().placed })
        );
    }

    #[test]
    fn the_stream_of_a_draw_is_pinned() {
        // A published draw must come out the same years later: these
        // numbers change only if the generator or the lottery does.
        let zones: Vec<(u32, &[usize])> = (0..12).map(|_| (1, &[0usize, 1][..])).collect();
        let (g, e) = group(&[6, 6], &zones);
        let d = draw(&g, &e, 1).unwrap();
        let at_a: Vec<u32> = d.placed.iter().map(|p| p[0]).collect();
        assert_eq!(at_a, PINNED_AT_A);
        assert_eq!(d.rounds, 2);
    }

    const PINNED_AT_A: [u32; 12] = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1];

    #[test]
    fn chances_sum_to_one_per_zone() {
        let region = Region {
            schools: vec![
                school("A", 0.0, SchoolKind::Primary, 1),
                school("B", 0.02, SchoolKind::Primary, 1),
            ],
            zones: vec![
                zone("z1", 0.001, 30),
                zone("z2", 0.002, 25),
                zone("z3", 0.019, 20),
                zone("z4", 0.018, 0),
            ],
            ..Region::default()
        };
        let policy = Policy::default();
        let plan = plan_of(&region, &policy, &[Some(0), Some(0), Some(1), Some(1)]);
        let specs = [GroupSpec {
            id: "AB".into(),
            schools: vec![0, 1],
        }];
        let groups = groups_from_specs(&region, &plan, &specs);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].seats, vec![45, 45]);
        let lottery = study(&region, &policy, groups, 3, 40).unwrap();
        let gl = &lottery.groups[0];
        assert_eq!(gl.applicants, vec![55, 20]);
        assert_eq!(gl.oversubscription(0), Some(55.0 / 45.0));
        // z4 has no children: no chances.
        assert_eq!(gl.chances.len(), 3);
        for zc in &gl.chances {
            let sum: f64 = zc.schools.iter().map(|c| c.mean).sum::<f64>() + zc.unplaced.mean;
            assert!((sum - 1.0).abs() < 1e-12, "{sum}");
            for c in &zc.schools {
                assert!(c.min <= c.p5 && c.p5 <= c.mean && c.mean <= c.max);
                assert!(c.p5 <= c.p95 && c.p95 <= c.max);
            }
        }
        // z3 is B's, which has room: always B.
        assert_eq!(gl.chances[2].schools[1].min, 1.0);
        // The published draw is the study's first seed.
        let again = study(&region, &policy, vec![gl.group.clone()], 3, 1).unwrap();
        assert_eq!(again.groups[0].published, gl.published);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=20).map(|i| i as f64).collect();
        let c = Chance::of(&v);
        assert_eq!((c.min, c.p5, c.p95, c.max), (1.0, 1.0, 19.0, 20.0));
        assert_eq!(c.mean, 10.5);
        let c = Chance::of(&[0.5]);
        assert_eq!(
            (c.min, c.p5, c.p95, c.max, c.mean),
            (0.5, 0.5, 0.5, 0.5, 0.5)
        );
    }

    #[test]
    fn auto_groups_merge_touching_catchments_nearest_first_up_to_the_size() {
        // Schools at 0, 1, 2.5, 4, 5 (x 0.01 degree), each with one zone; the
        // zones touch in a line. D is in another county.
        let mut region = Region {
            schools: vec![
                school("A", 0.0, SchoolKind::Primary, 2),
                school("B", 0.01, SchoolKind::Primary, 2),
                school("C", 0.025, SchoolKind::Primary, 2),
                school("D", 0.04, SchoolKind::Primary, 2),
                school("E", 0.05, SchoolKind::Primary, 2),
            ],
            zones: (0..5)
                .map(|i| zone(&format!("z{i}"), i as f64 * 0.01, 10))
                .collect(),
            ..Region::default()
        };
        region.schools[3].county = Some("other".into());
        let policy = Policy::default();
        let plan = plan_of(
            &region,
            &policy,
            &[Some(0), Some(1), Some(2), Some(3), Some(4)],
        );
        let adjacency = Adjacency::from_edges(5, [(0, 1), (1, 2), (2, 3), (3, 4)]);
        let groups = auto_groups(&region, &plan, &adjacency, 2);
        // A-B (1 km) first, then B-C would make three: C stays alone; D is
        // in another county; E has no neighbour left in its county.
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].id, "primary-01");
        assert_eq!(groups[0].schools, vec![0, 1]);
        assert_eq!(groups[0].zones, vec![0, 1]);
        let groups = auto_groups(&region, &plan, &adjacency, 3);
        assert_eq!(groups[0].schools, vec![0, 1, 2]);
        assert_eq!(groups.len(), 1);
    }

    #[test]
    fn nine_year_seats_never_exceed_the_shared_limit() {
        let mut region = Region {
            schools: vec![school("N", 0.0, SchoolKind::NineYear, 10)],
            zones: vec![zone("z", 0.0, 100)],
            ..Region::default()
        };
        region.schools[0].enrolled = [1800, 300];
        let policy = Policy::default();
        let plan = plan_of(&region, &policy, &[Some(0)]);
        let p = lottery_seats(&region, &plan, Stage::Primary)[0];
        let j = lottery_seats(&region, &plan, Stage::Junior)[0];
        // 2500 - 2100 staying = 400 places; the plan used 100 primary.
        assert_eq!((p, j), (400, 0));
        let specs = [GroupSpec {
            id: "N".into(),
            schools: vec![0],
        }];
        // One spec, both stages: a primary and a junior group.
        let groups = groups_from_specs(&region, &plan, &specs);
        assert_eq!(
            groups.iter().map(|g| g.stage).collect::<Vec<_>>(),
            vec![Stage::Primary, Stage::Junior]
        );
    }

    #[test]
    fn settings_reject_what_no_bureau_means() {
        assert!(LotterySettings::default().validate().is_ok());
        for bad in [
            LotterySettings {
                group_size: 1,
                ..Default::default()
            },
            LotterySettings {
                seeds: 0,
                ..Default::default()
            },
            LotterySettings {
                seed: u64::MAX,
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
        let s: LotterySettings = toml::from_str("seeds = 20").unwrap();
        assert_eq!((s.seeds, s.group_size), (20, 3));
        assert!(toml::from_str::<LotterySettings>("seedz = 20").is_err());
    }
}
