//! A hard cap on the children moved away from today's school (`current_*`):
//! "no more than 300 families get a new school this year".
//!
//! Moving is priced by the stability weight (`stability_km`): the higher the
//! weight, the fewer children move. A cap is met by finding the smallest
//! weight whose plan moves no more than the cap in either stage, so that the
//! plan keeps as much of the distance optimum as the cap allows: the weight
//! doubles until the cap holds, then bisection narrows it. The number of
//! children moved is not strictly monotone in the weight (whole zones, class
//! and seat limits), so only plans that meet the cap are kept; where even a
//! prohibitive weight cannot meet it (new schools must be filled, old ones
//! are full), the plan with the fewest moves is returned and the report
//! says the cap was not met.

use serde::Serialize;

use super::{Observer, Plan, PlanError, Preferences, allocate};
use crate::model::{Region, Stage};
use crate::policy::Policy;
use crate::solve::Settings;

/// What the cap asked and what it took.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MovedCap {
    /// Most children of a stage moved away from today's school.
    pub max_moved: u64,
    /// The stability weight the plan was made with (km per moved child).
    pub stability_km: f64,
    /// Whether both stages move no more than `max_moved` children.
    pub met: bool,
    /// Plans made to find the weight.
    pub plans_tried: usize,
}

/// Weights are searched up to this many km per moved child: far beyond any
/// trip, so a cap missed here cannot be met by weighing stability alone.
const HIGHEST_KM: f64 = 4096.0;
/// Bisection steps once a weight that meets the cap is known.
const BISECTIONS: usize = 6;

fn moved(plan: &Plan) -> u64 {
    Stage::ALL
        .into_iter()
        .map(|s| plan.stage(s).quality.moved)
        .max()
        .unwrap_or(0)
}

/// Whether `a` moves fewer children than `b`: fewer in its worst stage,
/// or as many there and fewer in all (a cap no weight meets still gets the
/// plan that moves the fewest).
fn fewer_moved(a: &Plan, b: &Plan) -> bool {
    let all = |p: &Plan| -> u64 {
        Stage::ALL
            .into_iter()
            .map(|s| p.stage(s).quality.moved)
            .sum()
    };
    (moved(a), all(a)) < (moved(b), all(b))
}

/// Allocates with the smallest stability weight (at least the preferences')
/// whose plan moves at most `max_moved` children in each stage.
pub fn allocate_with_moved_cap(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    max_moved: u64,
    observer: &dyn Observer,
) -> Result<Plan, PlanError> {
    let mut tried = 0;
    let mut plan_at = |km: f64| {
        tried += 1;
        let p = Preferences {
            stability_km: km,
            ..preferences.clone()
        };
        allocate(region, policy, settings, &p, observer).map(|plan| (km, plan))
    };
    let first = plan_at(preferences.stability_km)?;
    let mut best_missed = first;
    let mut met = None;
    if moved(&best_missed.1) <= max_moved {
        met = Some(best_missed.clone());
    } else {
        let mut km = preferences.stability_km.max(0.25);
        while km < HIGHEST_KM {
            km *= 2.0;
            let (k, plan) = plan_at(km)?;
            if moved(&plan) <= max_moved {
                met = Some((k, plan));
                break;
            }
            if fewer_moved(&plan, &best_missed.1) {
                best_missed = (k, plan);
            }
        }
        if let Some((hi, _)) = &met {
            let (mut lo, mut hi) = (hi / 2.0, *hi);
            for _ in 0..BISECTIONS {
                let mid = (lo + hi) / 2.0;
                let (k, plan) = plan_at(mid)?;
                if moved(&plan) <= max_moved {
                    hi = mid;
                    met = Some((k, plan));
                } else {
                    lo = mid;
                }
            }
        }
    }
    let (km, mut plan, ok) = match met {
        Some((km, plan)) => (km, plan, true),
        None => (best_missed.0, best_missed.1, false),
    };
    plan.moved_cap = Some(MovedCap {
        max_moved,
        stability_km: km,
        met: ok,
        plans_tried: tried,
    });
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_region;

    fn demo() -> Region {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/demo");
        read_region(&dir.join("zones.geojson"), &dir.join("schools.geojson")).unwrap()
    }

    #[test]
    fn the_cap_holds_with_the_least_weight_that_meets_it() {
        let region = demo();
        let policy = Policy::default();
        let settings = Settings::default();
        let free = allocate(&region, &policy, &settings, &Preferences::default(), &()).unwrap();
        // Today's catchments do not all fit today's seats, so even a
        // prohibitive weight moves some children: caps above that floor
        // can be met, caps below it cannot.
        let floor = moved(
            &allocate(
                &region,
                &policy,
                &settings,
                &Preferences {
                    stability_km: 1000.0,
                    ..Preferences::default()
                },
                &(),
            )
            .unwrap(),
        );
        assert!(moved(&free) > floor + 20, "{} vs {floor}", moved(&free));
        let cap = (floor + moved(&free)) / 2;
        let plan = allocate_with_moved_cap(
            &region,
            &policy,
            &settings,
            &Preferences::default(),
            cap,
            &(),
        )
        .unwrap();
        let report = plan.moved_cap.clone().unwrap();
        assert!(report.met, "{report:?}");
        assert!(moved(&plan) <= cap);
        assert!(report.stability_km > 0.0);
        assert!(super::super::check(&plan, &region, &policy).is_empty());
        plan.conservation(&region).unwrap();
        // Moves are not monotone in the weight (a better whole-zone search
        // can meet the cap at half the weight too), so the least weight is
        // the least the doubling and bisection tried, not proven least.
        // Below the floor: the cap is reported as missed, with the plan
        // that moves the fewest children.
        let tight = allocate_with_moved_cap(
            &region,
            &policy,
            &settings,
            &Preferences::default(),
            floor / 2,
            &(),
        )
        .unwrap();
        assert!(!tight.moved_cap.as_ref().unwrap().met);
        assert!(
            moved(&tight) <= floor + floor / 50,
            "{} vs {floor}",
            moved(&tight)
        );
        assert!(super::super::check(&tight, &region, &policy).is_empty());
        // A cap the plan already meets costs nothing.
        let loose = allocate_with_moved_cap(
            &region,
            &policy,
            &settings,
            &Preferences::default(),
            moved(&free),
            &(),
        )
        .unwrap();
        assert_eq!(loose.moved_cap.as_ref().unwrap().plans_tried, 1);
        assert_eq!(
            loose.stage(Stage::Primary).zones,
            free.stage(Stage::Primary).zones
        );
    }
}
