//! Warnings where an officer's edits do harm that "violations 0" does not
//! show: catchments cut into pieces, children sent far away, and the price
//! of the locks.
//!
//! The plan's own gap is measured against a bound made under the same
//! locks, so a lock that costs 10 % more travel can even make it fall. The
//! price of the officers' decisions is the plan's objective against the
//! bound of the plan WITHOUT any lock, made once when the session starts.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::i18n::Lang;
use crate::model::{Region, Stage};
use crate::plan::Plan;
use crate::policy::Policy;
use crate::report::reasons;

/// Far zones listed at most (the count says how many there are).
const FAR_LISTED: usize = 50;

/// The share of children whose trip sets the "far" line where the stage
/// has no `max_km`.
const FAR_PERCENTILE: f64 = 0.99;

/// What the session's plans are measured against.
pub struct Baseline {
    /// Per stage: objective and bound (child-metres) of the plan made
    /// without any lock.
    unlocked: [(i128, i128); 2],
    /// Per stage: the far line in metres per county, and where it comes
    /// from.
    far: [(HashMap<Option<String>, i64>, &'static str); 2],
    /// Per stage: catchments in pieces in the session's first plan.
    start_pieces: [usize; 2],
}

impl Baseline {
    /// `start`: the session's first plan; `unlocked`: the plan without any
    /// lock (the same plan where the scenario has none).
    pub fn new(region: &Region, policy: &Policy, start: &Plan, unlocked: &Plan) -> Baseline {
        Baseline {
            unlocked: Stage::ALL.map(|st| {
                let q = &unlocked.stage(st).quality;
                (q.objective_m, q.bound_m)
            }),
            far: Stage::ALL.map(|st| match policy.stage(st).max_km {
                Some(km) => {
                    let m = (km * 1000.0).round() as i64;
                    let lines = region.zones.iter().map(|z| (z.county.clone(), m)).collect();
                    (lines, "max_km")
                }
                None => (percentile_lines(region, start, st), "p99"),
            }),
            start_pieces: Stage::ALL.map(|st| start.contiguity[st.index()].broken.len()),
        }
    }

    /// The warnings of `plan`. `start`: each zone's school in the session's
    /// first plan (with the p99 line, only zones the edits moved are far:
    /// the first plan has its 1 % by definition).
    pub fn warnings(&self, region: &Region, plan: &Plan, start: &[Vec<Option<u32>>; 2]) -> Value {
        let stage = |st: Stage| {
            let i = st.index();
            let (lines, basis) = &self.far[i];
            let mut far: Vec<(i64, usize)> = plan
                .stage(st)
                .zones
                .iter()
                .enumerate()
                .filter(|(z, zp)| {
                    zp.placed > 0
                        && (*basis == "max_km" || zp.school != start[i][*z])
                        && zp
                            .metres
                            .zip(lines.get(&region.zones[*z].county))
                            .is_some_and(|(m, line)| m > *line)
                })
                .map(|(z, zp)| (zp.metres.unwrap_or(0), z))
                .collect();
            far.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let far_children: u64 = far
                .iter()
                .map(|&(_, z)| u64::from(plan.stage(st).zones[z].placed))
                .sum();
            let far_list: Vec<Value> = far
                .iter()
                .take(FAR_LISTED)
                .map(|&(m, z)| {
                    let zp = &plan.stage(st).zones[z];
                    json!({
                        "zone": z,
                        "id": region.zones[z].id,
                        "name": region.zones[z].name,
                        "school": zp.school,
                        "km": round3(m as f64 / 1000.0),
                        "line_km": round3(lines.get(&region.zones[z].county).copied().unwrap_or(0) as f64 / 1000.0),
                        "children": zp.placed,
                    })
                })
                .collect();
            let broken = &plan.contiguity[i].broken;
            let pieces: Vec<Value> = broken
                .iter()
                .map(|b| {
                    json!({
                        "school": b.school,
                        "id": region.schools[b.school].id,
                        "name": region.schools[b.school].name,
                        "zones_apart": b.zones,
                        "reason": reasons::apart(Lang::En, &b.reason, region),
                    })
                })
                .collect();
            let q = &plan.stage(st).quality;
            let (unlocked_objective, unlocked_bound) = self.unlocked[i];
            let price_m = q.objective_m - unlocked_bound;
            let share =
                |m: i128| (unlocked_bound > 0).then(|| round6(m as f64 / unlocked_bound as f64));
            json!({
                "pieces": pieces,
                "pieces_at_start": self.start_pieces[i],
                "contiguity_checked": plan.contiguous,
                "far": far_list,
                "far_zones": far.len(),
                "far_children": far_children,
                "far_basis": basis,
                "gap_with_locks": q.gap(),
                "without_locks": {
                    "objective_km": round3(unlocked_objective as f64 / 1000.0),
                    "bound_km": round3(unlocked_bound as f64 / 1000.0),
                    "gap": share(price_m),
                    "price_km": round3(price_m as f64 / 1000.0),
                    "price_over_unlocked_plan_km": round3((q.objective_m - unlocked_objective) as f64 / 1000.0),
                },
            })
        };
        json!({"primary": stage(Stage::Primary), "junior": stage(Stage::Junior)})
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Per county, the trip length (metres) that all but 1 % of the placed
/// children of the plan stay within (nearest rank over children).
fn percentile_lines(region: &Region, plan: &Plan, stage: Stage) -> HashMap<Option<String>, i64> {
    let mut trips: HashMap<Option<String>, Vec<(i64, u64)>> = HashMap::new();
    for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
        if let (Some(m), true) = (zp.metres, zp.placed > 0) {
            trips
                .entry(region.zones[z].county.clone())
                .or_default()
                .push((m, u64::from(zp.placed)));
        }
    }
    trips
        .into_iter()
        .map(|(county, mut t)| {
            t.sort_unstable();
            let total: u64 = t.iter().map(|&(_, c)| c).sum();
            let rank = ((total as f64) * FAR_PERCENTILE).ceil() as u64;
            let mut seen = 0;
            let line = t
                .iter()
                .find(|&&(_, c)| {
                    seen += c;
                    seen >= rank
                })
                .map_or(0, |&(m, _)| m);
            (county, line)
        })
        .collect()
}
