//! Connected catchments on tight maps (`generate --tight`: point zones,
//! each a large share of a school, seats 1-5 % above the children): every
//! school's own zone is in its catchment or the summary says why, every
//! catchment left in pieces is reported with its reason, and no hard limit
//! is broken on the way.

use std::collections::BTreeMap;

use catchment::generate::{TightParams, generate_tight};
use catchment::model::{Region, Stage};
use catchment::plan::{Apart, Plan, Preferences, allocate, check, home_zones};
use catchment::policy::Policy;
use catchment::solve::Settings;
use catchment::spatial::{Adjacency, DEFAULT_TOLERANCE_M};
use proptest::prelude::*;

fn plan(seed: u64, zones: usize, schools: usize) -> (Region, Plan) {
    let region = generate_tight(&TightParams {
        seed,
        zones,
        schools,
    });
    let plan = allocate(
        &region,
        &Policy::default(),
        &Settings::default(),
        &Preferences::default(),
        &(),
    )
    .unwrap();
    (region, plan)
}

/// Schools whose catchment is in more than one piece over the zones'
/// adjacency, counted afresh from the plan.
fn schools_in_pieces(region: &Region, plan: &Plan, stage: Stage) -> Vec<usize> {
    let adjacency = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
        if let Some(s) = zp.school {
            members.entry(s).or_default().push(z as u32);
        }
    }
    members
        .into_iter()
        .filter(|(_, zones)| adjacency.components_of(zones).iter().any(|&l| l != 0))
        .map(|(s, _)| s as usize)
        .collect()
}

/// What must hold of every connected plan, tight or not.
fn assert_reported_truthfully(region: &Region, plan: &Plan) {
    assert!(check(plan, region, &Policy::default()).is_empty());
    plan.conservation(region).unwrap();
    let homes = home_zones(region);
    for stage in Stage::ALL {
        let report = &plan.contiguity[stage.index()];
        let kept = region
            .schools
            .iter()
            .enumerate()
            .filter(|(s, school)| {
                school.takes_catchment(stage)
                    && homes[*s]
                        .is_some_and(|h| plan.stage(stage).zones[h].school == Some(*s as u32))
            })
            .count();
        assert_eq!(kept, report.own_zones_kept, "{stage:?}");
        assert_eq!(
            report.own_zones,
            report.own_zones_kept
                + report.own_zones_locked
                + report.own_zones_shared
                + report.own_zones_not_fitting
        );
        let mut reported: Vec<usize> = report.broken.iter().map(|b| b.school).collect();
        reported.sort_unstable();
        reported.dedup();
        assert_eq!(
            schools_in_pieces(region, plan, stage),
            reported,
            "{stage:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn tight_plans_report_own_zones_and_pieces_truthfully(
        seed in 0u64..1_000_000,
        zones in 40usize..140,
        per_school in 6usize..12,
    ) {
        let (region, plan) = plan(seed, zones, (zones / per_school).max(2));
        assert_reported_truthfully(&region, &plan);
    }
}

#[test]
fn tight_counties_are_connected_and_every_school_keeps_its_zone() {
    // 1,300 and 800 zones: seats 1-5 % above the children, and the
    // distance-optimal plans leave 3 and 4 stray pieces.
    for (seed, zones, schools) in [(7, 1300, 41), (8, 800, 25)] {
        let (region, plan) = plan(seed, zones, schools);
        assert_reported_truthfully(&region, &plan);
        let report = &plan.contiguity[Stage::Primary.index()];
        assert!(report.strays_before > 0, "seed {seed}: nothing to repair");
        assert!(report.broken.is_empty(), "seed {seed}: {:?}", report.broken);
        assert_eq!(report.own_zones_kept, schools, "seed {seed}");
    }
}

/// A 300-zone map whose windows prove its pieces impossible to join: the
/// polish after the windows (boundary moves, improvement windows) once
/// moved zones of the proven windows and left every piece unexplained.
/// (Seed 22 showed it first; the repair from the windowed start now joins its
/// pieces, and seed 125, once left with four, keeps one since the balls.)
#[test]
fn the_polish_after_the_windows_keeps_their_proofs() {
    let (region, plan) = plan(125, 300, 37);
    assert_connected_around_own_zones(&region, &plan, "seed 125");
    let report = &plan.contiguity[Stage::Primary.index()];
    assert!(!report.broken.is_empty(), "nothing left to prove");
}

/// Issue 18's promise on one plan: every school keeps its own zone (unless
/// a lock or a shared site says otherwise) and no catchment is left in
/// pieces unless the report proves that no connected plan can join it.
fn assert_connected_around_own_zones(region: &Region, plan: &Plan, case: &str) {
    assert_reported_truthfully(region, plan);
    for stage in Stage::ALL {
        let report = &plan.contiguity[stage.index()];
        assert_eq!(
            report.own_zones_not_fitting, 0,
            "{case} {stage:?}: an own zone given away: {report:?}"
        );
        let uncertified: Vec<_> = report
            .broken
            .iter()
            .filter(|b| !b.reason.certified())
            .collect();
        assert!(
            uncertified.is_empty(),
            "{case} {stage:?}: pieces left without proof: {uncertified:?}"
        );
    }
}

proptest! {
    // A fixed seed, so the suite is the same 64 maps on every run. Before
    // the hunt for plans of undecided windows, about one random map in 300
    // ended with a piece left without a proof; with it, none of 3,000
    // (two runs on other fixed seeds).
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(18),
        ..ProptestConfig::default()
    })]

    /// Issue 18's property over small tight maps: the windows around every
    /// piece and own zone given away are decided exactly (a connected plan
    /// or a proof that the window has none).
    #[test]
    fn tight_plans_keep_own_zones_and_leave_only_certified_pieces(
        seed in 0u64..1_000_000,
        zones in 20usize..70,
        per_school in 6usize..12,
    ) {
        let schools = (zones / per_school).max(2);
        let (region, plan) = plan(seed, zones, schools);
        assert_connected_around_own_zones(&region, &plan, &format!("seed {seed}, {zones} zones, {schools} schools"));
    }
}

/// Maps where earlier versions gave an own zone away: the first and third
/// found by the property test above, the second among 24 generated tight
/// maps of 300 and 1,300 zones. On the third no plan seats every child
/// with every own zone at home; the own zones are kept all the same.
#[test]
fn tight_maps_that_lost_an_own_zone_keep_it() {
    for (seed, zones, schools) in [(375_435, 103, 17), (7, 300, 37), (260_458, 59, 9)] {
        let (region, plan) = plan(seed, zones, schools);
        assert_connected_around_own_zones(&region, &plan, &format!("seed {seed}"));
        let report = &plan.contiguity[Stage::Primary.index()];
        assert_eq!(report.own_zones_kept, schools, "seed {seed}");
    }
}

/// Small tight maps whose whole-map window one order of the search could
/// not decide within its budget: on the first no connected plan exists
/// (HiGHS agrees), on the other two one does.
#[test]
fn windows_one_search_order_left_undecided_are_decided() {
    for (seed, zones, schools) in [(529_987, 49, 8), (755_570, 57, 9), (491_902, 56, 9)] {
        let (region, plan) = plan(seed, zones, schools);
        assert_connected_around_own_zones(&region, &plan, &format!("seed {seed}"));
        let broken = &plan.contiguity[Stage::Primary.index()].broken;
        assert_eq!(
            broken.is_empty(),
            seed != 529_987,
            "seed {seed}: {broken:?}"
        );
    }
}

/// Maps random seeds of the property test found (about one in 300) where
/// the search left a window undecided within its budget: decided since
/// the orders take turns and a school is given the units it cannot do
/// without.
#[test]
fn tight_maps_once_left_undecided_are_decided() {
    for (seed, zones, schools) in [(393_757, 64, 9), (918_860, 66, 11)] {
        let (region, plan) = plan(seed, zones, schools);
        assert_connected_around_own_zones(&region, &plan, &format!("seed {seed}"));
    }
}

/// A whole map (56 zones, 7 schools, seats 1.1 % above the children) with
/// a connected plan (HiGHS finds one in 9 s) that the exhaustive search
/// does not find within 400,000 nodes: the hunt's short dives in shuffled
/// orders find it, and every catchment is one piece.
#[test]
fn a_window_the_search_leaves_undecided_is_hunted_for_its_plan() {
    assert_every_catchment_in_one_piece(219_519, 56, 7);
}

/// Small tight maps where the moves left a piece (and, on the second, an
/// own zone given away) and the exact re-solve of the catchments around it
/// finds a connected plan.
#[test]
fn the_window_around_a_stray_piece_is_solved_exactly() {
    for (seed, zones, schools) in [(690_897, 41, 5), (323_236, 62, 10)] {
        assert_every_catchment_in_one_piece(seed, zones, schools);
    }
}

/// A 300-zone map where the full windows (64 zones) prove eight
/// catchments impossible to join, each with the catchments around it as
/// they stand: the wide windows (96 zones) around them hold connected
/// plans, and every catchment ends in one piece.
#[test]
fn wide_windows_join_pieces_the_full_windows_proved_stuck() {
    assert_every_catchment_in_one_piece(60, 300, 37);
}

/// 300-zone maps whose starts and windows of whole catchments (up to 112
/// zones, hunted 10,000 nodes each) left three and four catchments in
/// pieces, each proven apart with the catchments around it as they stood:
/// balls of the zones nearest each piece, across a dozen or more
/// catchments, join them all.
#[test]
fn balls_join_pieces_that_windows_of_whole_catchments_left() {
    for seed in [433, 738] {
        assert_every_catchment_in_one_piece(seed, 300, 37);
    }
}

/// Tight 300-zone maps whose balls and wider windows still left pieces,
/// each proven apart only with the catchments around it as they stood: the
/// whole county as one window finds a connected plan of seed 518, and on
/// seed 542 proves that none exists, a proof of the whole map.
#[test]
fn the_whole_county_as_one_window_joins_or_proves_what_is_left() {
    assert_every_catchment_in_one_piece(518, 300, 37);
    let (region, plan) = plan(542, 300, 37);
    assert_connected_around_own_zones(&region, &plan, "seed 542");
    let broken = &plan.contiguity[Stage::Primary.index()].broken;
    assert!(!broken.is_empty(), "seed 542 joined: update the doc above");
    for piece in broken {
        assert!(
            matches!(
                piece.reason,
                Apart::NoConnectedPlan {
                    whole_area: true,
                    ..
                }
            ),
            "seed 542: {piece:?}"
        );
    }
}

/// The sweeps of improvement windows after the first step: on the tight
/// map of seed 1 (the bench's) the first step left the connected plan
/// 5.9 % longer than the whole-zone plan; the sweeps bring it within 2.0 %.
#[test]
fn sweeps_of_windows_shorten_the_connected_plan() {
    let (region, plan) = plan(1, 300, 37);
    assert_connected_around_own_zones(&region, &plan, "seed 1");
    let report = &plan.contiguity[Stage::Primary.index()];
    assert!(report.broken.is_empty(), "seed 1: {:?}", report.broken);
    let price = report.connected_m as f64 / report.whole_zone_m as f64 - 1.0;
    assert!(
        price < 0.025,
        "seed 1: {:.2} % over the whole-zone plan",
        price * 100.0
    );
}

/// The tight map of `seed` planned: every own zone kept and no catchment
/// left in pieces.
fn assert_every_catchment_in_one_piece(seed: u64, zones: usize, schools: usize) {
    let (region, plan) = plan(seed, zones, schools);
    assert_connected_around_own_zones(&region, &plan, &format!("seed {seed}"));
    let broken = &plan.contiguity[Stage::Primary.index()].broken;
    assert!(broken.is_empty(), "seed {seed}: {broken:?}");
}
