//! Utilization balance (`objective = "balance"`): no school full while
//! its neighbour sits half empty.
//!
//! A school's utilization is its intake over its seats for the stage. The
//! distance-optimal plan fills the schools in dense quarters to the last
//! seat and leaves those at the edge of town half empty; a bureau would
//! rather share the load and accept some travel for it. The spread it is
//! judged by is the seat-weighted standard deviation of utilization around
//! the county's mean (counties never share children, so each has its own
//! mean): `spread² = Σ seats_s (u_s − ū)² / Σ seats_s`. The plan minimises
//!
//! ```text
//! child-km + balance_km × ½ Σ seats_s (u_s − ū)²
//! ```
//!
//! The penalty is convex in every school's intake, and moving one child
//! from a school at utilization `u_a` to one at `u_b` changes it by about
//! `u_b − u_a`: `balance_km` is the travel, in km, worth moving one child
//! from a full school to an empty one (half that from 100 % to 50 %).
//! Because the county's children are fixed, `ū` does not move and the
//! penalty is `½ Σ intake_s² / seats_s` plus a constant, which is what the
//! search evaluates.
//!
//! Whole zones, locks and connected catchments make this a combinatorial
//! edit, not part of the flow relaxation, so (as for the migrant share
//! band) the distance-optimal plan is edited afterwards: boundary zones
//! move, or two are swapped, between neighbouring catchments while that
//! lowers the combined objective, the steepest edit first and, in the same
//! round, every next-best edit on schools no earlier one touched (their
//! gains do not interact), so large counties need few rounds. Edits never
//! break a limit (seats, school size), a lock, a county line or the reach,
//! never add children outside the migrant share bands, and, where
//! catchments are connected, keep every catchment in one piece. The pass
//! runs after the band and before feeder alignment (which redraws junior
//! catchments over primary ones).
//!
//! The plan's objective and gap stay in child-km against the distance-only
//! bound, so the gap shows what balance costs; a run also makes the
//! distance-only plan and reports both side by side.

use std::collections::BTreeSet;

use super::{Plan, Preferences, SchoolFigures};
use crate::model::{Region, Stage};
use crate::spatial::Adjacency;

/// Km of travel worth moving one child from a full school to an empty one
/// when `objective = "balance"` gives no `balance_km`. On the demo county
/// it roughly halves the spread for a few per cent more child-km.
pub const DEFAULT_BALANCE_KM: f64 = 8.0;

/// Two neighbouring catchments whose utilizations differ by more than this
/// (30 points: one school at 100 % next to one at 70 % or less) are counted
/// as an uneven pair in the report.
pub const UNEVEN_PAIR_GAP: f64 = 0.30;

/// What the plan minimises beyond the hard limits.
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
pub enum Objective {
    /// Child-km of travel (plus stability, barrier and other weights).
    #[default]
    Distance,
    /// Child-km plus `balance_km` × the utilization spread penalty.
    Balance,
}

impl crate::options::OptionValue for Objective {}

impl Objective {
    pub fn key(self) -> &'static str {
        match self {
            Objective::Distance => "distance",
            Objective::Balance => "balance",
        }
    }
}

/// What the objective did to the plan, and the distance-only plan to set
/// beside it.
#[derive(Clone, Debug, Default)]
pub struct ObjectiveReport {
    pub objective: Objective,
    /// The weight used (km per unit of penalty); 0 with `Distance`.
    pub balance_km: f64,
    /// Zones moved per stage to even out utilization.
    pub zones_moved: [usize; 2],
    /// With `Balance`, the plan made the same way with `Distance`.
    pub distance_only: Option<Box<Plan>>,
}

impl ObjectiveReport {
    pub fn new(preferences: &Preferences) -> ObjectiveReport {
        ObjectiveReport {
            objective: preferences.objective,
            balance_km: match preferences.objective {
                Objective::Distance => 0.0,
                Objective::Balance => preferences.balance_km,
            },
            ..ObjectiveReport::default()
        }
    }
}

/// One catchment school's fill of one stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fill<'a> {
    pub county: Option<&'a str>,
    pub intake: f64,
    pub seats: f64,
}

impl Fill<'_> {
    pub fn utilization(&self) -> f64 {
        self.intake / self.seats
    }
}

/// `Σ seats_s (u_s − ū_c)²` over schools with seats, `ū_c` the
/// seat-weighted mean utilization of the school's county (its intake over
/// its seats).
pub fn squared_deviation(fills: &[Fill]) -> f64 {
    let mut mean: std::collections::BTreeMap<Option<&str>, (f64, f64)> = Default::default();
    for f in fills.iter().filter(|f| f.seats > 0.0) {
        let m = mean.entry(f.county).or_default();
        m.0 += f.intake;
        m.1 += f.seats;
    }
    fills
        .iter()
        .filter(|f| f.seats > 0.0)
        .map(|f| {
            let (intake, seats) = mean[&f.county];
            f.seats * (f.utilization() - intake / seats).powi(2)
        })
        .sum()
}

/// The spread: seat-weighted standard deviation of utilization around
/// each county's mean (0.1 = 10 points); 0 without seats.
pub fn spread(fills: &[Fill]) -> f64 {
    let seats: f64 = fills.iter().map(|f| f.seats.max(0.0)).sum();
    if seats > 0.0 {
        (squared_deviation(fills) / seats).sqrt()
    } else {
        0.0
    }
}

/// Utilization figures of one stage's plan, as `summary.json` and
/// `report.md` give them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct UtilizationFigures {
    /// Child-km of travel, and against the distance-only bound.
    pub travel_km: f64,
    pub gap: Option<f64>,
    pub mean_km: f64,
    pub max_km: f64,
    /// Catchment schools with seats for the stage.
    pub schools: usize,
    /// Seat-weighted standard deviation of utilization (see [`spread`]).
    pub spread: f64,
    /// Coefficient of variation of utilization between schools, each school
    /// counting once (standard deviation over mean).
    pub cv: f64,
    pub max: f64,
    pub min: f64,
    /// Neighbouring catchments (of the same county) whose utilizations
    /// differ by more than [`UNEVEN_PAIR_GAP`].
    pub uneven_pairs: usize,
    /// Neighbouring catchment pairs in all.
    pub pairs: usize,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The utilization figures of `plan`'s stage (rounded for publishing),
/// from its school figures (the caller has them already).
pub fn utilization_figures(
    plan: &Plan,
    region: &Region,
    figures: &[SchoolFigures],
    adjacency: &Adjacency,
    stage: Stage,
) -> UtilizationFigures {
    let totals = plan.totals(region, stage);
    let q = plan.stage(stage).quality;
    let mut utilization: Vec<Option<f64>> = vec![None; region.schools.len()];
    let mut fills = Vec::new();
    for f in figures {
        if region.schools[f.school].takes_catchment(stage) && f.seats > 0 {
            utilization[f.school] = Some(f.utilization());
            fills.push(Fill {
                county: region.schools[f.school].county.as_deref(),
                intake: f.intake as f64,
                seats: f.seats as f64,
            });
        }
    }
    let u: Vec<f64> = utilization.iter().flatten().copied().collect();
    let n = u.len() as f64;
    let mean = u.iter().sum::<f64>() / n.max(1.0);
    let sd = (u.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.max(1.0)).sqrt();
    let mut pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
    let zones = &plan.stage(stage).zones;
    for (z, zp) in zones.iter().enumerate() {
        let Some(s) = zp.school else { continue };
        for &w in adjacency.neighbours(z) {
            let Some(t) = zones[w as usize].school else {
                continue;
            };
            let same_county =
                region.schools[s as usize].county == region.schools[t as usize].county;
            if s < t
                && same_county
                && utilization[s as usize].is_some()
                && utilization[t as usize].is_some()
            {
                pairs.insert((s, t));
            }
        }
    }
    let uneven = pairs
        .iter()
        .filter(|&&(s, t)| {
            let (a, b) = (utilization[s as usize], utilization[t as usize]);
            (a.unwrap_or(0.0) - b.unwrap_or(0.0)).abs() > UNEVEN_PAIR_GAP + 1e-12
        })
        .count();
    let gap = q.gap();
    UtilizationFigures {
        travel_km: round(q.travel_km(), 3),
        gap: gap.is_finite().then_some(round(gap, 8)),
        mean_km: if totals.placed > 0 {
            round(q.travel_km() / totals.placed as f64, 3)
        } else {
            0.0
        },
        max_km: round(figures.iter().map(|f| f.max_km).fold(0.0, f64::max), 3),
        schools: u.len(),
        spread: round(spread(&fills), 4),
        cv: if mean > 0.0 { round(sd / mean, 4) } else { 0.0 },
        max: round(u.iter().copied().fold(0.0, f64::max), 4),
        min: if u.is_empty() {
            0.0
        } else {
            round(u.iter().copied().fold(f64::INFINITY, f64::min), 4)
        },
        uneven_pairs: uneven,
        pairs: pairs.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(county: Option<&str>, intake: f64, seats: f64) -> Fill<'_> {
        Fill {
            county,
            intake,
            seats,
        }
    }

    #[test]
    fn spread_is_the_seat_weighted_deviation_around_the_county_mean() {
        // 100 % next to 50 %: mean 75 %, each 25 points off.
        let uneven = [fill(None, 100.0, 100.0), fill(None, 50.0, 100.0)];
        assert!((spread(&uneven) - 0.25).abs() < 1e-12);
        assert!((squared_deviation(&uneven) - 12.5).abs() < 1e-9);
        // The same children shared evenly: no spread.
        let even = [fill(None, 75.0, 100.0), fill(None, 75.0, 100.0)];
        assert_eq!(spread(&even), 0.0);
        // Seats weigh: 90 % of 300 seats and 70 % of 100, mean 85 %:
        // 300 × 0.05² + 100 × 0.15² = 3 over 400 seats.
        let weighted = [fill(None, 270.0, 300.0), fill(None, 70.0, 100.0)];
        assert!((squared_deviation(&weighted) - 3.0).abs() < 1e-9);
        assert!((spread(&weighted) - (3.0f64 / 400.0).sqrt()).abs() < 1e-12);
        // Each county has its own mean: two even counties, no spread.
        let counties = [
            fill(Some("a"), 100.0, 100.0),
            fill(Some("a"), 100.0, 100.0),
            fill(Some("b"), 50.0, 100.0),
            fill(Some("b"), 50.0, 100.0),
        ];
        assert_eq!(spread(&counties), 0.0);
        // Schools without seats are left out; no seats at all: 0.
        assert_eq!(spread(&[fill(None, 0.0, 0.0)]), 0.0);
    }

    #[test]
    fn objectives_parse_from_their_keys() {
        let parse = |k: &str| serde_json::from_value::<Objective>(serde_json::json!(k)).ok();
        for o in [Objective::Distance, Objective::Balance] {
            assert_eq!(parse(o.key()), Some(o));
        }
        assert_eq!(parse("fair"), None);
    }
}
