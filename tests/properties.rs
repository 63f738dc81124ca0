//! Invariants on random instances: no hard limit is ever exceeded, no child
//! is ever lost, the bound never exceeds the plan, and on small instances the
//! plan is checked against the exact MIP optimum.

use catchment::model::{Cohort, Region, School, SchoolKind, Sector, Shape, Stage, Zone};
use catchment::plan::lottery::draw::{EntrantZone, draw};
use catchment::plan::lottery::{Choice, Entrants, Group, auto_groups, study};
use catchment::plan::{
    Children, MigrantCatchments, Objective, Preferences, allocate, check, migrants, special,
};
use catchment::policy::Policy;
use catchment::solve::mip::{self, MipOptions, MipSolver};
use catchment::solve::{Arc, Instance, Settings, Target, solve};
use catchment::spatial::{Adjacency, DEFAULT_TOLERANCE_M};
use geo::Point;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// A small xorshift generator: the instances are derived from one proptest
/// seed, so proptest can still shrink the seed and the sizes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn below(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m.max(1)
    }
}

/// A random core instance: units with candidate lists over targets grouped
/// in pools (some pools hold two targets, like nine-year schools).
fn instance() -> impl Strategy<Value = Instance> {
    (1usize..7, 1usize..30, any::<u64>()).prop_map(|(targets, units, seed)| {
        let mut r = Rng::new(seed);
        let mut pools = Vec::new();
        let mut target_list = Vec::new();
        let mut t = 0;
        while t < targets {
            let pool = pools.len() as u32;
            pools.push(20 + r.below(120) as u32);
            let shared = t + 1 < targets && r.below(3) == 0;
            for _ in 0..if shared { 2 } else { 1 } {
                let cap = if r.below(4) == 0 {
                    None
                } else {
                    Some(10 + r.below(90) as u32)
                };
                target_list.push(Target { cap, pool });
                t += 1;
            }
        }
        let demand: Vec<u32> = (0..units).map(|_| r.below(35) as u32).collect();
        let lists: Vec<Vec<Arc>> = (0..units)
            .map(|_| {
                let mut arcs = Vec::new();
                for target in 0..targets as u32 {
                    if r.below(4) != 0 {
                        arcs.push(Arc {
                            target,
                            cost: 50 + r.below(5000) as i64,
                        });
                    }
                }
                if arcs.is_empty() {
                    arcs.push(Arc {
                        target: r.below(targets as u64) as u32,
                        cost: 100,
                    });
                }
                arcs.sort_by_key(|a| (a.cost, a.target));
                arcs
            })
            .collect();
        Instance::new(demand, lists, target_list, pools, 100_000)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn core_plans_respect_every_limit_and_the_bound(inst in instance()) {
        let outcome = solve(&inst, &Settings::default()).unwrap();
        prop_assert_eq!(outcome.assignment.check(&inst), Ok(()));
        prop_assert!(outcome.bound() <= outcome.cost(&inst));
        for u in 0..inst.units() {
            prop_assert!(outcome.assignment.placed[u] <= inst.demand[u]);
        }
    }
}

/// A random region: zones as points, schools of every kind, some private,
/// in one or two counties, with classes, continuing pupils and caps.
fn region() -> impl Strategy<Value = (Region, Policy)> {
    (
        2usize..9,
        5usize..60,
        any::<u64>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(n_schools, n_zones, seed, two_counties, max_km, band)| {
            let mut r = Rng::new(seed);
            let county = |r: u64| two_counties.then(|| format!("县{}", r % 2));
            let coord = |r: &mut Rng| {
                Point::new(
                    118.0 + r.below(2000) as f64 * 1e-5,
                    31.0 + r.below(2000) as f64 * 1e-5,
                )
            };
            let mut schools = Vec::new();
            for i in 0..n_schools {
                let kind = [
                    SchoolKind::Primary,
                    SchoolKind::Junior,
                    SchoolKind::NineYear,
                ][r.below(3) as usize];
                let sector = if r.below(6) == 0 {
                    Sector::Private
                } else {
                    Sector::Public
                };
                let per_stage = |stage: Stage, r: u64| kind.teaches(stage).then_some(r as u32);
                let classes = [
                    per_stage(Stage::Primary, 1 + r.below(4)),
                    per_stage(Stage::Junior, 1 + r.below(4)),
                ];
                let capacity = [
                    per_stage(Stage::Primary, 30 + r.below(150)).filter(|_| r.below(3) == 0),
                    None,
                ];
                let enrolled = [
                    if kind.teaches(Stage::Primary) {
                        r.below(2100) as u32
                    } else {
                        0
                    },
                    if kind.teaches(Stage::Junior) {
                        r.below(700) as u32
                    } else {
                        0
                    },
                ];
                schools.push(School {
                    id: format!("S{i}"),
                    name: format!("学校{i}"),
                    location: coord(&mut r),
                    kind,
                    sector,
                    county: county(r.below(2)),
                    classes,
                    enrolled,
                    capacity,
                    properties: [("resource_room".to_string(), (r.below(3) == 0).into())]
                        .into_iter()
                        .collect(),
                });
            }
            let zones = (0..n_zones)
                .map(|i| {
                    let p = coord(&mut r);
                    let c = |local: u64, migrant: u64| Cohort {
                        local: local as u32,
                        migrant: migrant as u32,
                    };
                    let children = [c(r.below(40), r.below(20)), c(r.below(40), r.below(20))];
                    // Children with disabilities: a few, some of the zone's.
                    let special =
                        Stage::ALL.map(|st| (r.below(4) as u32).min(children[st.index()].total()));
                    let properties = Stage::ALL
                        .iter()
                        .map(|st| (format!("{}_special", st.key()), special[st.index()].into()))
                        .collect();
                    Zone {
                        id: format!("Z{i}"),
                        name: format!("小区{i}"),
                        shape: Shape::Point(p),
                        centroid: p,
                        children,
                        current: [None, None],
                        special,
                        county: county(r.below(2)),
                        properties,
                    }
                })
                .collect();
            let mut policy = Policy::default();
            if max_km {
                policy.primary.max_km = Some(1.0);
            }
            if band {
                // Zones are points here, so the band's moves go between
                // Delaunay neighbours.
                policy.migrant_min_share = 0.1;
                policy.migrant_max_share = 0.3;
            }
            (
                Region {
                    zones,
                    schools,
                    ..Region::default()
                },
                policy,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn region_plans_never_break_a_limit_or_lose_a_child(
        (region, mut policy) in region(),
        balance_km in prop_oneof![2 => Just(None), 1 => (0u32..60).prop_map(Some)],
        separate in proptest::bool::weighted(0.3),
        migrant_reach in proptest::bool::ANY,
    ) {
        // On a third of the cases, the utilization balance objective with
        // a random weight (0-59 km): its moves must keep every rule too.
        // On a share of cases, separate migrant catchments: both passes
        // together must keep every limit (check counts them together).
        let mut preferences = match balance_km {
            Some(km) => Preferences {
                objective: Objective::Balance,
                balance_km: km as f64,
                ..Preferences::default()
            },
            None => Preferences::default(),
        };
        if separate {
            preferences.migrant_catchments = MigrantCatchments::Separate;
        }
        if separate && migrant_reach {
            policy.primary.migrant_max_km = Some(1.5);
        }
        let plan = allocate(&region, &policy, &Settings::default(), &preferences, &()).unwrap();
        prop_assert_eq!(plan.conservation(&region), Ok(()));
        prop_assert_eq!(plan.migrant.is_some(), separate);
        let found = check(&plan, &region, &policy);
        prop_assert!(found.is_empty(), "{:?}", found);
        let reach = |stage: Stage, children: Children| match children {
            Children::Migrant => policy.stage(stage).migrant_max_km,
            _ => policy.stage(stage).max_km,
        };
        for stage in Stage::ALL {
            for (sp, children) in plan.passes(stage) {
                let q = sp.quality;
                prop_assert!(q.bound_m <= q.objective_m);
                for (z, zp) in sp.zones.iter().enumerate() {
                    let zone = &region.zones[z];
                    // Migrant catchments cover the land like local ones.
                    prop_assert_eq!(zp.school.is_some(), plan.stage(stage).zones[z].school.is_some());
                    if let Some(s) = zp.school {
                        let school = &region.schools[s as usize];
                        prop_assert!(school.takes_catchment(stage));
                        prop_assert_eq!(&school.county, &zone.county, "children cross a county line");
                        if zp.placed > 0 && let Some(max) = reach(stage, children) {
                            prop_assert!(zp.metres.unwrap() as f64 <= max * 1000.0 + 0.5);
                        }
                    }
                    prop_assert!(zp.in_resource_rooms() <= children.special(zone, stage));
                }
            }
            let (_, m) = migrants::migrant_figures(&plan, &region, &policy, stage);
            prop_assert_eq!(m.public + m.purchased + m.unplaced, m.children);
            let q = plan.stage(stage).quality;
            prop_assert!(q.bound_m <= q.objective_m);
            for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
                let zone = &region.zones[z];
                if let Some(s) = zp.school {
                    let school = &region.schools[s as usize];
                    prop_assert!(school.takes_catchment(stage));
                    prop_assert_eq!(&school.county, &zone.county, "children cross a county line");
                    if zp.placed > 0 && let Some(max) = policy.stage(stage).max_km {
                        prop_assert!(zp.metres.unwrap() as f64 <= max * 1000.0 + 0.5);
                    }
                }
                // Resource rooms: in the zone's county, within reach, never
                // more than its special children.
                for &(s, _) in &zp.resource_room {
                    let school = &region.schools[s as usize];
                    prop_assert!(school.takes_catchment(stage) && special::has_resource_room(school));
                    prop_assert_eq!(&school.county, &zone.county, "a resource room across a county line");
                }
                prop_assert!(zp.in_resource_rooms() <= special::special_children(zone, stage));
            }
            let (_, f) = special::special_figures(&plan, &region, &policy, stage);
            prop_assert_eq!(f.resource_room + f.regular_class + f.unplaced, f.children);
        }
    }
}

/// A random small multi-school group: 1-4 schools with 0-60 seats, 1-8
/// zones of 0-40 children, each with some of the schools (within reach) in
/// a random distance order.
fn lottery_group() -> impl Strategy<Value = (Group, Entrants, u64)> {
    (1usize..5, 1usize..9, any::<u64>(), any::<u64>()).prop_map(|(members, zones, data, seed)| {
        let mut r = Rng::new(data);
        let group = Group {
            id: format!("g{}", r.below(100)),
            stage: if r.below(2) == 0 {
                Stage::Primary
            } else {
                Stage::Junior
            },
            schools: (0..members).collect(),
            seats: (0..members).map(|_| r.below(61) as u32).collect(),
            zones: (0..zones).collect(),
        };
        let zones = (0..zones)
            .map(|z| {
                let mut order: Vec<usize> = (0..members).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, r.below(i as u64 + 1) as usize);
                }
                // Sometimes schools are out of reach, now and then all.
                let reach = if r.below(4) == 0 {
                    r.below(members as u64 + 1) as usize
                } else {
                    members
                };
                order.truncate(reach);
                EntrantZone {
                    zone: z,
                    children: r.below(41) as u32,
                    choices: order
                        .into_iter()
                        .enumerate()
                        .map(|(rank, member)| Choice {
                            member,
                            metres: 100 * (rank as i64 + 1),
                        })
                        .collect(),
                }
            })
            .collect();
        (
            group,
            Entrants {
                zones,
                max_km: None,
            },
            seed,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Capacity, conservation, reproducibility, and the promise of nearby
    /// enrollment: a school admits min(first-choice applicants, seats) of
    /// those who chose it first, and nobody is left without a seat while a
    /// school they could reach has one free.
    #[test]
    fn lottery_draws_keep_every_rule((group, entrants, seed) in lottery_group()) {
        let d = draw(&group, &entrants, seed).unwrap();
        prop_assert_eq!(&d, &draw(&group, &entrants, seed).unwrap());
        let applicants = entrants.first_choices(group.schools.len());
        for (m, &seats) in group.seats.iter().enumerate() {
            let at: u32 = d.placed.iter().map(|p| p[m]).sum();
            prop_assert!(at <= seats);
            prop_assert_eq!(at, d.admitted(m));
            prop_assert_eq!(d.admitted_first[m], applicants[m].min(seats));
        }
        let oversubscribed = (0..group.seats.len()).any(|m| applicants[m] > group.seats[m]);
        for (pos, ez) in entrants.zones.iter().enumerate() {
            let placed: u32 = d.placed[pos].iter().sum();
            prop_assert_eq!(placed + d.unplaced[pos], ez.children);
            if d.unplaced[pos] > 0 {
                for c in &ez.choices {
                    prop_assert_eq!(d.admitted(c.member), group.seats[c.member], "a reachable seat left free");
                }
            }
            if !oversubscribed && let Some(first) = ez.choices.first() {
                prop_assert_eq!(d.placed[pos][first.member], ez.children);
            }
            // Children only go to schools they can reach.
            for (m, &n) in d.placed[pos].iter().enumerate() {
                prop_assert!(n == 0 || ez.choices.iter().any(|c| c.member == m));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// The whole path on random regions: plan, groups from neighbouring
    /// catchments, the study; every group's schools are of one stage and
    /// county, and every zone's chances sum to one.
    #[test]
    fn lottery_studies_on_random_regions((region, policy) in region(), size in 2usize..5) {
        let plan = allocate(&region, &policy, &Settings::default(), &Preferences::default(), &()).unwrap();
        let adjacency = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
        let groups = auto_groups(&region, &plan, &adjacency, size);
        for g in &groups {
            prop_assert!(g.schools.len() >= 2 && g.schools.len() <= size);
            let county = &region.schools[g.schools[0]].county;
            for &s in &g.schools {
                prop_assert!(region.schools[s].takes_catchment(g.stage));
                prop_assert_eq!(&region.schools[s].county, county);
            }
        }
        let lottery = study(&region, &policy, groups, 1, 5).unwrap();
        for gl in &lottery.groups {
            for zc in &gl.chances {
                let sum: f64 = zc.schools.iter().map(|c| c.mean).sum::<f64>() + zc.unplaced.mean;
                prop_assert!((sum - 1.0).abs() < 1e-9, "{}", sum);
            }
        }
    }
}

/// Small instances against the exact MIP (good_lp + microlp): the bound is
/// never above the optimum, the plan never below it, and the plan is the
/// optimum itself on nearly every instance.
#[test]
fn small_instances_match_the_exact_mip() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = instance();
    let (mut cases, mut exact) = (0, 0);
    let mut worst: f64 = 0.0;
    while cases < 120 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        if inst.units() > 12 || inst.targets.len() > 4 {
            continue;
        }
        cases += 1;
        let ours = solve(&inst, &Settings::default()).unwrap();
        let mip = mip::solve(&inst, MipOptions::exact(MipSolver::MicroLp)).unwrap();
        assert_eq!(mip.assignment.check(&inst), Ok(()));
        let (opt, cost, bound) = (mip.assignment.cost(&inst), ours.cost(&inst), ours.bound());
        assert!(bound <= opt, "bound {bound} above the optimum {opt}");
        assert!(
            opt <= cost,
            "MIP optimum {opt} above our plan {cost}: the MIP is wrong"
        );
        if cost == opt {
            exact += 1;
        } else {
            worst = worst.max((cost - opt) as f64 / opt as f64);
        }
    }
    eprintln!(
        "exact on {exact} of {cases} instances; worst excess {:.3} %",
        worst * 100.0
    );
    assert!(exact * 10 >= cases * 9, "exact on only {exact} of {cases}");
}

#[test]
#[ignore]
fn debug_print_mismatches() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = instance();
    let mut shown = 0;
    while shown < 4 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        if inst.units() > 12 || inst.targets.len() > 4 {
            continue;
        }
        let ours = solve(&inst, &Settings::default()).unwrap();
        let mip = mip::solve(&inst, MipOptions::exact(MipSolver::MicroLp)).unwrap();
        let (opt, cost) = (mip.assignment.cost(&inst), ours.cost(&inst));
        if cost != opt {
            shown += 1;
            eprintln!("--- cost {cost} opt {opt} bound {}", ours.bound());
            eprintln!("targets {:?} pools {:?}", inst.targets, inst.pools);
            for u in 0..inst.units() {
                eprintln!(
                    "u{u} d={} arcs={:?} ours={:?}/{} mip={:?}/{}",
                    inst.demand[u],
                    inst.arcs_of(u)
                        .iter()
                        .map(|a| (a.target, a.cost))
                        .collect::<Vec<_>>(),
                    ours.assignment.target[u],
                    ours.assignment.placed[u],
                    mip.assignment.target[u],
                    mip.assignment.placed[u]
                );
            }
        }
    }
}

/// HiGHS as the exact backend agrees with good_lp's own branch and bound on
/// small instances, and its optimum is never below our bound.
#[cfg(feature = "highs")]
#[test]
fn highs_finds_the_same_optimum() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = instance();
    let mut cases = 0;
    while cases < 60 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        if inst.units() > 12 || inst.targets.len() > 4 {
            continue;
        }
        cases += 1;
        let exact = mip::solve(&inst, MipOptions::exact(MipSolver::MicroLp)).unwrap();
        let highs = mip::solve(&inst, MipOptions::exact(MipSolver::Highs)).unwrap();
        assert!(highs.proven);
        assert_eq!(highs.assignment.check(&inst), Ok(()));
        // HiGHS works in floating point with tolerances: where the penalty
        // of unplaced children dominates the objective, it can stop a few
        // millionths short; equal within 1e-5 of the objective.
        let (h, e) = (
            highs.assignment.cost(&inst) as f64,
            exact.assignment.cost(&inst) as f64,
        );
        assert!((h - e).abs() <= 1e-5 * e.max(1.0), "HiGHS {h} vs exact {e}");
        let ours = solve(&inst, &Settings::default()).unwrap();
        assert!(ours.bound() <= highs.assignment.cost(&inst));
    }
}

/// A lumpy instance, where whole zones matter: few large zones per school,
/// seats only a few per cent above the children, each zone listing its
/// three to five nearest schools on a line (so lists overlap as on a map).
fn lumpy(seed: u64) -> Instance {
    // Rng keeps odd seeds only: spread the small seeds first.
    let mut r = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let targets = 4 + r.below(3) as usize;
    let units = targets * (5 + r.below(4) as usize);
    let demand: Vec<u32> = (0..units).map(|_| 20 + r.below(160) as u32).collect();
    let total: u64 = demand.iter().map(|&d| d as u64).sum();
    // Seats 6-11 % above the children, shared unevenly.
    let seats = total * (106 + r.below(6)) / 100;
    let weights: Vec<u64> = (0..targets).map(|_| 2 + r.below(4)).collect();
    let sum: u64 = weights.iter().sum();
    let mut caps: Vec<u32> = weights.iter().map(|w| (seats * w / sum) as u32).collect();
    caps[0] += (seats - caps.iter().map(|&c| c as u64).sum::<u64>()) as u32;
    let school_at: Vec<i64> = (0..targets as i64).map(|t| t * 2000).collect();
    let lists: Vec<Vec<Arc>> = (0..units)
        .map(|_| {
            let x = r.below(2000 * targets as u64) as i64;
            let mut arcs: Vec<Arc> = school_at
                .iter()
                .enumerate()
                .map(|(t, &s)| Arc {
                    target: t as u32,
                    cost: (x - s).abs() + 100,
                })
                .collect();
            arcs.sort_by_key(|a| (a.cost, a.target));
            arcs.truncate(3 + r.below(3) as usize);
            arcs
        })
        .collect();
    let target_list = (0..targets)
        .map(|t| Target {
            cap: Some(caps[t]),
            pool: t as u32,
        })
        .collect();
    let pools = caps.clone();
    Instance::new(demand, lists, target_list, pools, 100_000)
}

/// On lumpy instances the Lagrangian bound is what proves the gap: it must
/// never pass the optimum HiGHS proves, and our plan never beats it.
#[cfg(feature = "highs")]
#[test]
fn lumpy_bounds_never_pass_the_highs_optimum() {
    let mut lagrangian_used = 0;
    for seed in 1..=40 {
        let inst = lumpy(seed);
        let highs = mip::solve(&inst, MipOptions::exact(MipSolver::Highs)).unwrap();
        assert!(highs.proven, "seed {seed}: HiGHS did not prove its optimum");
        let optimum = highs.assignment.cost(&inst) as f64;
        let ours = solve(&inst, &Settings::default()).unwrap();
        lagrangian_used += usize::from(ours.lagrangian.is_some());
        // HiGHS stops within its tolerances: 1e-6 of the optimum.
        assert!(
            ours.bound() as f64 <= optimum * (1.0 + 1e-6),
            "seed {seed}: bound {} above the optimum {optimum}",
            ours.bound()
        );
        assert!(
            ours.cost(&inst) as f64 >= optimum * (1.0 - 1e-6),
            "seed {seed}: our plan {} below HiGHS's optimum {optimum} (bound {})",
            ours.cost(&inst),
            ours.bound()
        );
        if let Some(l) = &ours.lagrangian {
            assert!(l.bound as f64 <= optimum * (1.0 + 1e-6), "seed {seed}");
        }
    }
    assert!(
        lagrangian_used > 0,
        "no lumpy instance used the Lagrangian bound"
    );
}

/// The HiGHS backend stopped at a relative gap (`--mip-gap`) turns that gap
/// into a bound: it must hold against the optimum HiGHS proves when run to
/// the end. (An objective written with a constant, the penalty of every
/// child, once let HiGHS stop far above what the gap claimed.)
#[cfg(feature = "highs")]
#[test]
fn a_highs_run_stopped_at_a_gap_proves_no_more_than_the_optimum() {
    use catchment::solve::Backend;
    for seed in 1..=12 {
        let inst = lumpy(seed);
        let optimum = mip::solve(&inst, MipOptions::exact(MipSolver::Highs))
            .unwrap()
            .assignment
            .cost(&inst) as f64;
        for gap in [0.005, 0.05] {
            let settings = Settings {
                backend: Backend::Highs,
                mip_gap: Some(gap),
                ..Settings::default()
            };
            let stopped = solve(&inst, &settings).unwrap();
            assert!(
                stopped.bound() as f64 <= optimum * (1.0 + 1e-6),
                "seed {seed}, gap {gap}: bound {} above the optimum {optimum}",
                stopped.bound()
            );
        }
    }
}

/// Without HiGHS, the same lumpy instances against good_lp's exact branch
/// and bound where they are small enough: the bound holds, the plan keeps
/// every limit.
#[test]
fn lumpy_bounds_never_pass_the_exact_optimum() {
    for seed in 1..=12 {
        let inst = lumpy(seed);
        let ours = solve(&inst, &Settings::default()).unwrap();
        assert_eq!(ours.assignment.check(&inst), Ok(()));
        assert!(ours.bound() <= ours.cost(&inst));
        if inst.units() <= 24 {
            let exact = mip::solve(&inst, MipOptions::exact(MipSolver::MicroLp)).unwrap();
            assert!(exact.proven);
            let optimum = exact.assignment.cost(&inst);
            assert!(ours.bound() <= optimum, "seed {seed}");
            assert!(ours.cost(&inst) >= optimum, "seed {seed}");
        }
    }
}

/// The plan of `region` under the default policy and solver settings.
fn planned_by_default(region: &Region, preferences: &Preferences) -> catchment::plan::Plan {
    allocate(
        region,
        &Policy::default(),
        &Settings::default(),
        preferences,
        &(),
    )
    .unwrap()
}

/// On the lumpy county of seed 3 (300 zones, 50 schools) the primary
/// plan lay 5.7 % above a Lagrangian bound whose steps, aimed at that
/// plan, stalled short of the best values; the second ascent, aimed
/// nearer the bound, lifts it 1.5 % (gap 4.1 %).
#[test]
fn a_second_ascent_lifts_the_lumpy_bound_where_the_first_stalls() {
    use catchment::generate::{Params, generate_lumpy};
    let region = generate_lumpy(&Params {
        seed: 3,
        zones: 300,
        schools: 50,
        counties: 1,
    });
    let preferences = Preferences {
        contiguous: false,
        ..Preferences::default()
    };
    let plan = planned_by_default(&region, &preferences);
    let q = &plan.stages[Stage::Primary.index()].quality;
    let lift = q.lagrangian_bound_m as f64 / q.relaxation_bound_m as f64 - 1.0;
    assert!(
        lift > 0.02,
        "Lagrangian bound only {:.2} % above the relaxation's",
        lift * 100.0
    );
    assert!(q.gap() < 0.045, "gap {:.2} %", q.gap() * 100.0);
}

/// The connected repair on small tight counties against the exact connected
/// optimum (the same zones' children, seats and own zones kept, every
/// catchment one piece): the optimum is never above the plan, a plan is
/// left in pieces only where the exact model has no plan, and no plan lies
/// more than 0.5 % above its optimum. Returns the cases compared.
fn against_the_connected_optimum(
    solver: MipSolver,
    seeds: std::ops::RangeInclusive<u64>,
    size: impl Fn(u64) -> (usize, usize),
) -> usize {
    use catchment::generate::{TightParams, generate_tight};
    use catchment::plan::connected_optimum::connected_optimum;
    let (mut worst, mut exact, mut cases) = (0.0f64, 0, 0);
    for seed in seeds {
        let (zones, schools) = size(seed);
        let region = generate_tight(&TightParams {
            seed,
            zones,
            schools,
        });
        let preferences = Preferences::default();
        let plan = planned_by_default(&region, &preferences);
        let optima = connected_optimum(
            &plan,
            &region,
            &Policy::default(),
            &preferences,
            MipOptions::exact(solver),
        )
        .unwrap();
        for o in optima.iter().filter(|o| o.zones > 0) {
            assert!(o.proven, "seed {seed}: not proven: {o:?}");
            let broken = &plan.contiguity[o.stage.index()].broken;
            // Issue 18: a plan is left in pieces only where no connected
            // plan of the same children, seats and own zones exists.
            let Some(optimum_m) = o.optimum_m else {
                assert!(
                    !broken.is_empty(),
                    "seed {seed}: our plan is connected, yet the model has none: {o:?}"
                );
                eprintln!("seed {seed}: left in pieces, and no connected plan exists");
                continue;
            };
            assert!(
                broken.is_empty(),
                "seed {seed}: pieces left where a connected plan exists: {o:?}, {broken:?}"
            );
            let (plan_m, optimum_m) = (o.plan_m as f64, optimum_m as f64);
            assert!(
                optimum_m <= plan_m * (1.0 + 1e-6),
                "seed {seed}: the optimum above our plan: {o:?}"
            );
            let excess = (plan_m - optimum_m).max(0.0) / optimum_m.max(1.0);
            eprintln!(
                "seed {seed} ({zones} zones, {schools} schools): {:.3} % above the connected optimum",
                excess * 100.0
            );
            cases += 1;
            exact += usize::from(excess < 1e-6);
            worst = worst.max(excess);
        }
    }
    eprintln!(
        "{solver:?}: connected plans optimal on {exact} of {cases}; worst {:.3} % above the connected optimum",
        worst * 100.0
    );
    // Issue 17's target for the connected heuristic.
    assert!(
        worst <= 0.005,
        "{:.3} % above the connected optimum",
        worst * 100.0
    );
    cases
}

/// A handful of zones, solved by good_lp's own branch and bound. Seed 6
/// (10 zones, 2 schools: an own zone's children beyond its school's seats
/// left without one) was 12.7 % above the optimum while the improvement
/// windows looked only at catchments costlier than in the whole-zone plan.
#[test]
fn connected_plans_against_the_exact_connected_optimum() {
    let cases = against_the_connected_optimum(MipSolver::MicroLp, 1..=6, |seed| {
        (10 + 2 * (seed as usize % 3), 2 + seed as usize % 2)
    });
    assert!(cases >= 4, "only {cases} connected plans to compare");
}

/// Tight counties of 30-60 zones and 4-6 schools through HiGHS.
#[cfg(feature = "highs")]
#[test]
fn connected_plans_against_the_highs_connected_optimum() {
    let cases = against_the_connected_optimum(MipSolver::Highs, 1..=12, |seed| {
        (30 + 10 * (seed as usize % 4), 4 + seed as usize % 3)
    });
    assert!(cases >= 8, "only {cases} connected plans to compare");
}
