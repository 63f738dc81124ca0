//! The balance pass of `objective = "balance"` (see [`crate::plan::utilization`]
//! for the objective): boundary zones move, or two are swapped, between
//! neighbouring catchments while that lowers child-km plus the weighted
//! utilization spread.

use crate::model::{Region, Stage};
use crate::plan::zone_moves::{County, CountyEdit, Edit};
use crate::plan::{Plan, Preferences};
use crate::policy::Policy;
use crate::spatial::{Adjacency, BarrierIndex};

/// Moves boundary zones while that lowers child-km plus the weighted
/// utilization spread; returns the zones moved per stage.
pub(in crate::plan) fn even_out(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &Preferences,
    barriers: &BarrierIndex,
) -> [usize; 2] {
    // The plan's seats here are those left after resource rooms; the
    // utilization a bureau reads counts the whole intake over all seats.
    let seats: Vec<_> = region.schools.iter().map(|s| policy.seats(s)).collect();
    let mut in_rooms = vec![[0i64; 2]; region.schools.len()];
    for stage in Stage::ALL {
        for zp in &plan.stage(stage).zones {
            for &(s, n) in &zp.resource_room {
                in_rooms[s as usize][stage.index()] += n as i64;
            }
        }
    }
    let balance_m = preferences.balance_km * 1000.0;
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers,
        connected: preferences.contiguous,
    };
    edit.apply(plan, |county| {
        let stage = county.stage;
        let fill: Vec<Option<(f64, f64)>> = county
            .schools
            .iter()
            .enumerate()
            .map(|(j, &s)| {
                let n = seats[s].of(stage);
                (county.takes[j] && n > 0).then(|| (in_rooms[s][stage.index()] as f64, n as f64))
            })
            .collect();
        county.even_out(&fill, balance_m)
    })
    .map(|moves| moves.into_iter().sum())
}

/// An edit must lower the combined objective by more than this (metres of
/// child travel) to be made: float noise never makes the search cycle.
const MIN_GAIN_M: f64 = 0.5;

impl County<'_> {
    /// `½ (intake)² / seats` of local school `s` with `load` children
    /// placed by catchment; `fill[s]` holds the children in resource rooms
    /// and the seats (None: the school is not weighed).
    fn penalty(fill: &[Option<(f64, f64)>], s: usize, load: i64) -> f64 {
        fill[s].map_or(0.0, |(rooms, seats)| {
            0.5 * (load as f64 + rooms).powi(2) / seats
        })
    }

    /// What the edit changes in metres of travel plus `balance_m` × the
    /// penalty, or None where it breaks a limit or adds children outside
    /// the migrant share bands of the schools it touches.
    fn balance_delta(
        &self,
        edit: Edit,
        fill: &[Option<(f64, f64)>],
        balance_m: f64,
    ) -> Option<f64> {
        let effect = self.effect(edit)?;
        let (before, after) = self.outside_change(&effect);
        if after > before + 1e-9 {
            return None;
        }
        let penalty: f64 = effect
            .schools
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                Self::penalty(fill, s, effect.load[i]) - Self::penalty(fill, s, self.load[s])
            })
            .sum();
        Some(effect.travel as f64 + balance_m * penalty)
    }

    /// Makes the best edits, those touching different schools together,
    /// until none lowers the combined objective; returns the zones moved.
    pub(in crate::plan) fn even_out(
        &mut self,
        fill: &[Option<(f64, f64)>],
        balance_m: f64,
    ) -> usize {
        if balance_m <= 0.0 || fill.iter().all(Option::is_none) {
            return 0;
        }
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
        let mut moved = 0;
        let limit = 4 * self.zones.len() + 16;
        for _ in 0..limit {
            let mut edits: Vec<Edit> = (0..self.schools.len())
                .filter(|&s| fill[s].is_some())
                .flat_map(|s| self.candidates(s))
                .collect();
            edits.sort_by(|a, b| a.partial_cmp(b).expect("integers"));
            edits.dedup();
            // Steepest first; ties by the edit, so the result does not
            // depend on the order of search.
            let mut scored: Vec<(f64, Edit)> = edits
                .into_iter()
                .filter_map(|e| {
                    self.balance_delta(e, fill, balance_m)
                        .filter(|&d| d < -MIN_GAIN_M)
                        .map(|d| (d, e))
                })
                .collect();
            scored.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
            // Edits on disjoint schools do not change each other's gain
            // nor each other's pieces: make them all in one round.
            let mut used = vec![false; self.schools.len()];
            let mut made = 0;
            for (_, edit) in scored {
                let pair = match edit {
                    Edit::Move { zone, to } => (self.school_of[zone], to),
                    Edit::Swap { a, b } => (
                        self.school_of[a],
                        self.school_of[b].expect("assigned") as usize,
                    ),
                };
                let (Some(from), to) = pair else { continue };
                let from = from as usize;
                if used[from] || used[to] || !self.keeps_pieces(edit) {
                    continue;
                }
                used[from] = true;
                used[to] = true;
                match edit {
                    Edit::Move { zone, to } => {
                        self.move_zone(zone, to);
                        moved += 1;
                    }
                    Edit::Swap { a, b } => {
                        let (sa, sb) = (from, to);
                        self.move_zone(a, sb);
                        self.move_zone(b, sa);
                        moved += 2;
                    }
                }
                self.refresh(from);
                self.refresh(to);
                made += 1;
            }
            if made == 0 {
                break;
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::{Cohort, School, SchoolKind, Sector, Shape, Zone};
    use crate::plan::{Objective, allocate, allocate_with_companion, check, utilization_figures};
    use crate::solve::Settings;
    use geo::{LineString, MultiPolygon, Point, Polygon};

    /// A strip of ten square zones (0.01 degree, about 1.1 km, on the
    /// equator), 20 first-graders each, and two primary schools: A in
    /// zone 3 with 100 seats, B in zone 8 with 200. By distance, A fills
    /// up (zones 0-4) and B, with zones 5-9, sits at 50 %.
    fn strip() -> Region {
        let zones = (0..10)
            .map(|i| {
                let x = i as f64 * 0.01;
                let ring = LineString::from(vec![
                    (x, 0.0),
                    (x + 0.01, 0.0),
                    (x + 0.01, 0.01),
                    (x, 0.01),
                    (x, 0.0),
                ]);
                Zone {
                    id: format!("Z{i}"),
                    name: format!("zone {i}"),
                    shape: Shape::Area(MultiPolygon(vec![Polygon::new(ring, vec![])])),
                    centroid: Point::new(x + 0.005, 0.005),
                    children: [
                        Cohort {
                            local: 20,
                            migrant: 0,
                        },
                        Cohort::default(),
                    ],
                    current: [None, None],
                    special: [0, 0],
                    county: Some("c".into()),
                    properties: Default::default(),
                }
            })
            .collect();
        let school = |id: &str, x: f64, seats: u32| School {
            id: id.into(),
            name: id.into(),
            location: Point::new(x, 0.005),
            kind: SchoolKind::Primary,
            sector: Sector::Public,
            county: Some("c".into()),
            classes: [Some(5), None],
            enrolled: [0, 0],
            capacity: [Some(seats), None],
            properties: Default::default(),
        };
        Region {
            zones,
            schools: vec![school("A", 0.035, 100), school("B", 0.085, 200)],
            ..Region::default()
        }
    }

    #[test]
    fn balance_evens_a_full_school_and_its_half_empty_neighbour() {
        let region = strip();
        let policy = Policy::default();
        let adjacency = Adjacency::build(&region.zones, crate::spatial::DEFAULT_TOLERANCE_M);
        let preferences = Preferences {
            objective: Objective::Balance,
            balance_km: 20.0,
            ..Preferences::default()
        };
        let plan =
            allocate_with_companion(&region, &policy, &Settings::default(), &preferences, &())
                .unwrap();
        let distance = plan.objective.distance_only.as_deref().expect("companion");
        let intake = |p: &Plan| {
            p.school_figures(&region, &policy, Stage::Primary)
                .iter()
                .map(|f| f.intake)
                .collect::<Vec<_>>()
        };
        assert_eq!(intake(distance), [100, 100]);
        // Zone 4 (20 children, 3.3 km farther from B) is worth moving at
        // 20 km per child from full to empty: 100 % / 50 % becomes 80 % /
        // 60 %; zone 3 holds school A and stays.
        assert_eq!(intake(&plan), [80, 120]);
        assert_eq!(plan.objective.zones_moved, [1, 0]);
        let f = |p: &Plan| {
            utilization_figures(
                p,
                &region,
                &p.school_figures(&region, &policy, Stage::Primary),
                &adjacency,
                Stage::Primary,
            )
        };
        let (even, plain) = (f(&plan), f(distance));
        assert!(even.spread < plain.spread, "{even:?} {plain:?}");
        // Mean 2/3: A a third above, B a sixth below, weighted by seats.
        assert!((plain.spread - (50.0f64 / 900.0).sqrt()).abs() < 1e-4);
        assert_eq!((plain.max, plain.min), (1.0, 0.5));
        assert_eq!(
            (plain.uneven_pairs, even.uneven_pairs, even.pairs),
            (1, 0, 1)
        );
        assert!(even.travel_km > plain.travel_km);
        assert!(check(&plan, &region, &policy).is_empty());
        plan.conservation(&region).unwrap();
        let pieces = super::super::contiguity::pieces(&plan, &region, &adjacency, Stage::Primary);
        assert!(pieces.broken.is_empty());
        // The default weight (8 km) does not find 3.3 km for each of 20
        // children worth the 7 units it buys: the plan stays as it was.
        let modest = allocate(
            &region,
            &policy,
            &Settings::default(),
            &Preferences {
                objective: Objective::Balance,
                ..Preferences::default()
            },
            &(),
        )
        .unwrap();
        assert_eq!(intake(&modest), [100, 100]);
    }

    #[test]
    fn a_pin_or_a_seat_limit_is_never_broken_for_balance() {
        let mut region = strip();
        let policy = Policy::default();
        // B has exactly its 100 children's seats: nothing may move there.
        region.schools[1].capacity[0] = Some(100);
        let preferences = Preferences {
            objective: Objective::Balance,
            balance_km: 1000.0,
            ..Preferences::default()
        };
        let plan = allocate(&region, &policy, &Settings::default(), &preferences, &()).unwrap();
        assert!(check(&plan, &region, &policy).is_empty());
        assert_eq!(plan.objective.zones_moved, [0, 0]);
        // With room at B but zone 4 pinned to A, zone 4 stays.
        let region = strip();
        let pinned = Preferences {
            locks: vec![crate::model::Lock {
                zone: 4,
                school: 0,
                stage: Stage::Primary,
                kind: crate::model::LockKind::Pin,
            }],
            ..preferences
        };
        let plan = allocate(&region, &policy, &Settings::default(), &pinned, &()).unwrap();
        assert_eq!(plan.stage(Stage::Primary).zones[4].school, Some(0));
        assert!(check(&plan, &region, &policy).is_empty());
    }

    #[test]
    fn balance_on_generated_counties_lowers_the_spread_and_keeps_every_limit_and_piece() {
        use crate::generate::{Params, generate};
        for seed in 1..=3 {
            let region = generate(&Params {
                seed,
                zones: 600,
                schools: 20,
                counties: 2,
            });
            let policy = Policy::default();
            let preferences = Preferences {
                objective: Objective::Balance,
                ..Preferences::default()
            };
            let plan =
                allocate_with_companion(&region, &policy, &Settings::default(), &preferences, &())
                    .unwrap();
            let distance = plan.objective.distance_only.as_deref().unwrap();
            assert!(check(&plan, &region, &policy).is_empty(), "seed {seed}");
            plan.conservation(&region).unwrap();
            let adjacency = Adjacency::build(&region.zones, crate::spatial::DEFAULT_TOLERANCE_M);
            for stage in Stage::ALL {
                // Counted afresh: the contiguity report predates the pass.
                let pieces = |p: &Plan| {
                    super::super::contiguity::pieces(p, &region, &adjacency, stage)
                        .broken
                        .len()
                };
                assert!(pieces(&plan) <= pieces(distance), "seed {seed} {stage:?}");
                let f = |p: &Plan| {
                    utilization_figures(
                        p,
                        &region,
                        &p.school_figures(&region, &policy, stage),
                        &adjacency,
                        stage,
                    )
                };
                let (even, plain) = (f(&plan), f(distance));
                assert!(even.spread <= plain.spread, "seed {seed} {stage:?}");
                assert!(even.travel_km >= plain.travel_km, "seed {seed} {stage:?}");
                for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
                    if let Some(s) = zp.school {
                        assert_eq!(region.schools[s as usize].county, region.zones[z].county);
                    }
                }
            }
            assert!(
                plan.objective.zones_moved.iter().sum::<usize>() > 0,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn balance_never_pushes_a_school_further_outside_its_migrant_band() {
        use crate::generate::{Params, generate};
        for seed in 1..=3 {
            let region = generate(&Params {
                seed,
                zones: 600,
                schools: 20,
                counties: 1,
            });
            let policy = Policy {
                migrant_max_share: 0.25,
                ..Policy::default()
            };
            let outside = |p: &Plan| -> f64 {
                Stage::ALL
                    .into_iter()
                    .flat_map(|stage| p.school_figures(&region, &policy, stage))
                    .filter(|f| region.schools[f.school].takes_catchment(f.stage))
                    .map(|f| (f.migrant as f64 - 0.25 * f.intake as f64).max(0.0))
                    .sum()
            };
            let preferences = Preferences {
                objective: Objective::Balance,
                balance_km: 20.0,
                ..Preferences::default()
            };
            let plan =
                allocate_with_companion(&region, &policy, &Settings::default(), &preferences, &())
                    .unwrap();
            let distance = plan.objective.distance_only.as_deref().unwrap();
            assert!(
                outside(&plan) <= outside(distance) + 1e-9,
                "seed {seed}: {} > {}",
                outside(&plan),
                outside(distance)
            );
            assert!(check(&plan, &region, &policy).is_empty(), "seed {seed}");
        }
    }
}
