//! `summary.json` for machines and `report.md` for people: the same figures.

use serde::Serialize;

use crate::model::{Region, Stage};
use std::collections::BTreeMap;

use crate::plan::SchoolFigures;
use crate::plan::migrants::{MigrantFigures, migrant_figures};
use crate::plan::moved_cap::MovedCap;
use crate::plan::special::{SpecialFigures, any_special, special_figures};
use crate::plan::{
    MigrantCatchments, Objective, Plan, Quality, UNEVEN_PAIR_GAP, UtilizationFigures, check,
    utilization_figures,
};
use crate::policy::Policy;
use crate::spatial::{Adjacency, DEFAULT_TOLERANCE_M};

use super::RunInfo;

#[derive(Clone, Debug, Serialize)]
pub struct StageSummary {
    pub children: u64,
    pub placed: u64,
    pub unplaced: u64,
    /// No plan can leave fewer children without a seat.
    pub unplaced_bound: u64,
    /// What the plan minimises: child-km of travel, plus the stability
    /// weight of moved children when one is set.
    pub objective_km: f64,
    /// The stronger of the two bounds below (raised by branch and bound
    /// where that proves more): the one the gap is measured against.
    pub bound_km: f64,
    /// The split relaxation's bound (zones may be split).
    pub relaxation_bound_km: f64,
    /// The Lagrangian bound for whole zones.
    pub lagrangian_bound_km: f64,
    /// (objective - bound) / bound; null when the bound is 0 and the
    /// objective is not.
    pub gap: Option<f64>,
    /// Child-km of travel alone (road km along the roads, also when the
    /// objective counts minutes).
    pub travel_km: f64,
    /// With `objective_unit = "minutes"`: the objective, bound and travel
    /// in child-minutes (the `*_km` objective and bounds are then the same
    /// costs counted as km at `distance.reference_kmh`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Minutes>,
    /// Children placed at another school than today's (`current_*`).
    pub moved: u64,
    pub violations: usize,
    pub migrant_children: u64,
    pub migrant_placed: u64,
    pub schools: usize,
    pub classes: u64,
    pub largest_class: u32,
    pub mean_km: f64,
    pub max_km: f64,
    pub contiguity: ContiguitySummary,
    /// Placed children whose trip crosses a barrier (river, expressway).
    pub barrier_crossings: u64,
    /// Polsby-Popper compactness of the catchments (1: a disc): mean and
    /// least, over catchments drawn as areas.
    pub compactness_mean: Option<f64>,
    pub compactness_min: Option<f64>,
    /// Migrant children (随迁子女) in public schools or purchased seats
    /// against the target, for the region and per county.
    pub migrants: MigrantSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct MigrantSummary {
    #[serde(flatten)]
    pub total: MigrantFigures,
    pub counties: BTreeMap<String, MigrantFigures>,
    /// Public schools whose migrant share of the intake lies outside their band.
    pub schools_outside_band: Vec<String>,
    /// Zones moved between neighbouring catchments to fit the bands.
    pub zones_moved_for_band: usize,
}

/// How connected the catchments are.
#[derive(Clone, Debug, Serialize)]
pub struct ContiguitySummary {
    /// Whether catchments were made connected at all (`contiguous`).
    pub enforced: bool,
    /// Stray pieces in the distance-optimal plan, before repair.
    pub strays_before: usize,
    pub zones_moved: usize,
    /// Catchments still in more than one piece (each explained in report.md).
    pub catchments_in_pieces: usize,
    pub zones_outside_their_schools_piece: usize,
    /// Of the pieces left, those proven impossible to join (a lock, an
    /// area of the map with more children than seats).
    pub pieces_certified: usize,
    /// Of those, the ones proven only with the rest of the map as it
    /// stands (a window around them re-solved exactly, the catchments
    /// outside it fixed): a plan that also changes those might still join
    /// them.
    pub pieces_certified_locally: usize,
    /// Whether the run asked for the longer hunts of `--deep-join` for
    /// pieces proven only locally.
    pub deep_join: bool,
    /// Each school's own zone (where it stands), the root of its catchment.
    pub own_zones: OwnZones,
    /// What connectedness costs: the whole-zone plan before the repair
    /// against the connected plan after it, both against the bound.
    pub price: Option<Price>,
}

impl ContiguitySummary {
    /// The pieces proven only locally, where `--deep-join` was not given
    /// and might join them: what the console and report.md point it to.
    pub fn deep_join_may_join(&self) -> Option<usize> {
        (self.pieces_certified_locally > 0 && !self.deep_join)
            .then_some(self.pieces_certified_locally)
    }
}

/// The price of connectedness of one stage.
#[derive(Clone, Debug, Serialize)]
pub struct Price {
    /// Child-km of the catchments before the repair and after it, as the
    /// repair counts them (travel with any stability and barrier charges).
    pub whole_zone_km: f64,
    pub connected_km: f64,
    /// (connected − whole-zone) / whole-zone.
    pub extra: Option<f64>,
    /// The stage's gap had the repair not run (its objective less the
    /// price), beside `gap`, the connected plan's.
    pub whole_zone_gap: Option<f64>,
}

impl Price {
    fn of(c: &crate::plan::ContiguityReport, q: &Quality) -> Option<Price> {
        if c.whole_zone_m == 0 && c.connected_m == 0 {
            return None;
        }
        let (whole, connected) = (
            c.whole_zone_m as f64 / 1000.0,
            c.connected_m as f64 / 1000.0,
        );
        let bound = q.bound_km();
        let before = q.objective_km() - (connected - whole);
        Some(Price {
            whole_zone_km: whole,
            connected_km: connected,
            extra: (whole > 0.0).then(|| (connected - whole) / whole),
            whole_zone_gap: (bound > 0.0).then(|| (before - bound) / bound),
        })
    }
}

/// Schools' own zones in a connected plan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OwnZones {
    /// Schools of the stage with an own zone.
    pub schools: usize,
    /// Own zones in their school's catchment.
    pub kept: usize,
    /// Kept out by a lock.
    pub locked: usize,
    /// Shared with another school of the stage (the first one keeps it).
    pub shared: usize,
    /// Not kept: no plan within every limit keeping it was found.
    pub not_fitting: usize,
    /// Children of own zones kept although they alone exceed their
    /// school's seats: those beyond the seats, left without one (counted
    /// in `unplaced`, with the reason).
    pub overflow_children: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stages {
    pub primary: StageSummary,
    pub junior: StageSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct Total {
    pub objective_km: f64,
    pub bound_km: f64,
    pub relaxation_bound_km: f64,
    pub lagrangian_bound_km: f64,
    pub gap: Option<f64>,
    pub travel_km: f64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Minutes>,
    pub moved: u64,
}

/// Child-minutes, where the objective counts minutes.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Minutes {
    pub objective_min: f64,
    pub bound_min: f64,
    pub travel_min: f64,
}

impl Minutes {
    fn of(distances: &crate::model::Distances, q: &Quality) -> Option<Minutes> {
        let per = distances.metres_per_minute()?;
        let min = |m: i128| round(m as f64 / per, 3);
        Some(Minutes {
            objective_min: min(q.objective_m),
            bound_min: min(q.bound_m),
            travel_min: min(q.travel_m),
        })
    }
}

/// Child-km of road travel of a stage's placed children (both passes),
/// where the plan's costs are minutes.
fn road_travel_km(region: &Region, plan: &Plan, stage: Stage) -> f64 {
    let mut metres = 0.0;
    for (sp, _) in plan.passes(stage).iter() {
        for (z, zp) in sp.zones.iter().enumerate() {
            if let (Some(s), true) = (zp.school, zp.placed > 0) {
                let m = region.distances.length(
                    region.zones[z].centroid,
                    region.schools[s as usize].location,
                );
                metres += m as f64 * zp.placed as f64;
            }
        }
    }
    metres / 1000.0
}

#[derive(Clone, Debug, Serialize)]
pub struct SolverSummary {
    pub backend: String,
    pub candidates: usize,
    pub parts: usize,
    pub widened_units: usize,
    pub widening_rounds: usize,
    pub split_units: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ViolationSummary {
    pub school_id: String,
    pub stage: &'static str,
    pub problem: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PreExistingSummary {
    pub school_id: String,
    pub continuing: u32,
    pub limit: u32,
    pub problem: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FarZoneSummary {
    pub zone_id: String,
    pub stage: &'static str,
    pub nearest_school: String,
    pub km: f64,
}

/// A warning about the input maps, kept with the plan.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputWarning {
    OutsideChina(super::outside_china::OutsideChina),
}

/// A community `keep_communities_whole` could not keep whole.
#[derive(Clone, Debug, Serialize)]
pub struct SplitCommunitySummary {
    pub community: String,
    pub county: Option<String>,
    pub stage: &'static str,
    pub schools: Vec<String>,
    pub zones: usize,
    pub children: u64,
    /// `seats`, `pieces` or `locks` (see report.md for the words).
    pub reason: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct BalanceSummary {
    pub primary: serde_json::Map<String, serde_json::Value>,
    pub junior: serde_json::Map<String, serde_json::Value>,
}

fn balance_of(
    region: &Region,
    policy: &Policy,
    plan: &Plan,
    figures: &[SchoolFigures],
    stage: Stage,
) -> serde_json::Map<String, serde_json::Value> {
    let spreads = plan.balance(region, policy, stage);
    let mut out = serde_json::Map::new();
    for (i, spread) in spreads.iter().enumerate() {
        let value = match spread {
            Some(s) => serde_json::json!({"cv": round(s.cv, 4), "limit": s.limit, "pass": s.pass}),
            None => serde_json::Value::Null,
        };
        out.insert(format!("R{}", i + 1), value);
    }
    let judged: Vec<bool> = figures
        .iter()
        .filter(|f| region.schools[f.school].takes_catchment(stage))
        .filter_map(|f| f.balance_pass)
        .collect();
    out.insert("schools_judged".into(), judged.len().into());
    out.insert(
        "schools_passing".into(),
        judged.iter().filter(|&&p| p).count().into(),
    );
    out
}

/// Children with disabilities (随班就读) of one stage: the enrollment rate
/// against the target, for the region and per county.
#[derive(Clone, Debug, Serialize)]
pub struct SpecialStage {
    #[serde(flatten)]
    pub total: SpecialFigures,
    pub counties: BTreeMap<String, SpecialFigures>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpecialSummary {
    pub primary: SpecialStage,
    pub junior: SpecialStage,
}

impl SpecialSummary {
    pub fn stage(&self, stage: Stage) -> &SpecialStage {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }
}

/// The migrant catchments of one stage, when separate from local ones.
#[derive(Clone, Debug, Serialize)]
pub struct MigrantListStage {
    /// The migrant pass: child-km it minimises, its relaxation's bound, gap.
    pub objective_km: f64,
    pub bound_km: f64,
    pub gap: Option<f64>,
    pub travel_km: f64,
    /// No plan of the migrant pass leaves fewer migrant children without
    /// a public seat (before purchased seats).
    pub unplaced_bound: u64,
    /// Zones whose migrant school is not their local school.
    pub zones_with_other_school: usize,
    /// Schools with a local list and with a migrant list (of compounds).
    pub local_lists: usize,
    pub migrant_lists: usize,
    /// Compounds per list, on average: migrant lists are usually wider.
    pub mean_zones_local_list: f64,
    pub mean_zones_migrant_list: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MigrantListsSummary {
    pub primary: MigrantListStage,
    pub junior: MigrantListStage,
}

impl MigrantListsSummary {
    pub fn stage(&self, stage: Stage) -> &MigrantListStage {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }

    fn build(plan: &Plan) -> Option<MigrantListsSummary> {
        let m = plan.migrant.as_ref()?;
        let lists = |sp: &crate::plan::StagePlan| {
            let mut schools: Vec<u32> = sp.zones.iter().filter_map(|zp| zp.school).collect();
            let zones = schools.len();
            schools.sort_unstable();
            schools.dedup();
            let mean = if schools.is_empty() {
                0.0
            } else {
                round(zones as f64 / schools.len() as f64, 3)
            };
            (schools.len(), mean)
        };
        let stage = |stage: Stage| {
            let sp = &m.stages[stage.index()];
            let q = sp.quality;
            let (local_lists, mean_zones_local_list) = lists(plan.stage(stage));
            let (migrant_lists, mean_zones_migrant_list) = lists(sp);
            MigrantListStage {
                objective_km: q.objective_km(),
                bound_km: q.bound_km(),
                gap: gap(&q),
                travel_km: q.travel_km(),
                unplaced_bound: q.unplaced_bound,
                zones_with_other_school:
                    crate::plan::migrant_catchments::zones_with_other_migrant_school(plan, stage),
                local_lists,
                migrant_lists,
                mean_zones_local_list,
                mean_zones_migrant_list,
            }
        };
        Some(MigrantListsSummary {
            primary: stage(Stage::Primary),
            junior: stage(Stage::Junior),
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FeederSummary {
    pub aligned: bool,
    pub primary_catchments: usize,
    pub split_primary_catchments: usize,
}

/// How evenly the plan fills its schools' seats, per stage: the plan's
/// figures and, when it was drawn for balance, the distance-only plan's.
#[derive(Clone, Debug, Serialize)]
pub struct UtilizationSummary {
    /// Utilization difference beyond which two neighbouring catchments
    /// count as an uneven pair.
    pub uneven_pair_gap: f64,
    /// The weight of the spread (km per child moved from a full school to
    /// an empty one); null with the distance objective.
    pub balance_km: Option<f64>,
    pub primary: StageUtilization,
    pub junior: StageUtilization,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageUtilization {
    pub plan: UtilizationFigures,
    /// Null when the plan is itself the distance-only plan.
    pub distance_only: Option<UtilizationFigures>,
}

impl UtilizationSummary {
    pub fn stage(&self, stage: Stage) -> &StageUtilization {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }
}

/// Everything `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    /// What the plan minimises: `"distance"` or `"balance"`.
    pub objective: Objective,
    /// What its travel counts: `"km"` or `"minutes"`.
    pub objective_unit: &'static str,
    pub zones: usize,
    pub schools: usize,
    pub stages: Stages,
    /// Both stages together: nine-year schools couple them, and this bound
    /// is the one the solver proves jointly.
    pub total: Total,
    /// How distances were measured (straight, or along which roads).
    pub distance: super::distance::DistanceSummary,
    pub solver: SolverSummary,
    /// Balance indicators: per stage, each indicator's enrollment-weighted
    /// coefficient of variation between schools against its limit (null
    /// where some school lacks the data).
    pub balance: BalanceSummary,
    /// 对口直升: primary catchments and how many feed more than one junior school.
    pub feeders: FeederSummary,
    /// `"same"`: migrant children in the local catchments; `"separate"`:
    /// in their own, described in `migrant_lists` (then the stages'
    /// objective, bound and gap are those of the local catchments).
    pub migrant_catchments: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrant_lists: Option<MigrantListsSummary>,
    /// Children with disabilities per stage (and county); null when no zone
    /// has any (`primary_special` / `junior_special`).
    pub special: Option<SpecialSummary>,
    /// The cap on children moved from today's school (`--max-moved`):
    /// null when none was asked.
    pub moved_cap: Option<MovedCap>,
    pub utilization: UtilizationSummary,
    pub violations: Vec<ViolationSummary>,
    /// Schools over a limit before the plan (continuing pupils above the
    /// school limit): not the plan's violations, listed so none is missed.
    pub pre_existing_violations: Vec<PreExistingSummary>,
    /// Zones farther than `max_trip_km` from every school of their county
    /// for a stage: only with `--allow-far` (otherwise the run stops).
    pub far_zones: Vec<FarZoneSummary>,
    /// With `keep_communities_whole`: the communities left split (absent
    /// when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub split_communities: Vec<SplitCommunitySummary>,
    /// What the reading of the maps warned about (features declared
    /// GCJ-02 or BD-09 outside mainland China); absent when nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<InputWarning>,
    /// Wall-clock seconds of the run: the one value that differs between
    /// otherwise byte-identical runs.
    pub seconds: f64,
}

fn gap(q: &Quality) -> Option<f64> {
    let g = q.gap();
    g.is_finite().then_some(round(g, 8))
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

impl Summary {
    pub fn build(region: &Region, policy: &Policy, plan: &Plan, info: &RunInfo) -> Summary {
        let found = check(plan, region, policy);
        // Each stage's school figures, computed once for every block below.
        let all_figures = Stage::ALL.map(|stage| plan.school_figures(region, policy, stage));
        let stage = |stage: Stage| {
            let totals = plan.totals(region, stage);
            let figures = &all_figures[stage.index()];
            let q = plan.stage(stage).quality;
            // Travel of every placed child, over both passes when migrant
            // catchments are separate.
            let travel_km: f64 = if region.distances.metres_per_minute().is_some() {
                road_travel_km(region, plan, stage)
            } else {
                plan.passes(stage)
                    .iter()
                    .map(|(sp, _)| sp.quality.travel_km())
                    .sum()
            };
            StageSummary {
                children: totals.children,
                placed: totals.placed,
                unplaced: totals.unplaced,
                unplaced_bound: q.unplaced_bound,
                objective_km: q.objective_km(),
                bound_km: q.bound_km(),
                relaxation_bound_km: q.relaxation_bound_km(),
                lagrangian_bound_km: q.lagrangian_bound_km(),
                gap: gap(&q),
                travel_km,
                minutes: Minutes::of(&region.distances, &q),
                moved: q.moved,
                violations: found.iter().filter(|f| f.stage == stage).count(),
                migrant_children: totals.migrant,
                migrant_placed: totals.migrant_placed,
                schools: figures.iter().filter(|f| f.intake > 0).count(),
                classes: figures.iter().map(|f| f.classes.opened as u64).sum(),
                largest_class: figures.iter().map(|f| f.classes.largest).max().unwrap_or(0),
                mean_km: if totals.placed > 0 {
                    round(travel_km / totals.placed as f64, 3)
                } else {
                    0.0
                },
                max_km: figures.iter().map(|f| f.max_km).fold(0.0, f64::max),
                compactness_mean: None,
                compactness_min: None,
                migrants: {
                    let (counties, total) = migrant_figures(plan, region, policy, stage);
                    MigrantSummary {
                        total,
                        counties,
                        schools_outside_band: figures
                            .iter()
                            .filter(|f| region.schools[f.school].takes_catchment(stage))
                            .filter(|f| {
                                let (lo, hi) = policy.migrant_band(&region.schools[f.school]);
                                f.migrant_share().is_some_and(|x| x < lo || x > hi)
                            })
                            .map(|f| region.schools[f.school].id.clone())
                            .collect(),
                        zones_moved_for_band: plan.migrant_band_moves[stage.index()],
                    }
                },
                barrier_crossings: plan.crossings[stage.index()]
                    .iter()
                    .map(|&(z, _, _)| plan.stage(stage).zones[z].placed as u64)
                    .sum(),
                contiguity: {
                    let c = &plan.contiguity[stage.index()];
                    let mut schools: Vec<usize> = c.broken.iter().map(|b| b.school).collect();
                    schools.sort_unstable();
                    schools.dedup();
                    ContiguitySummary {
                        enforced: plan.contiguous,
                        strays_before: c.strays_before,
                        zones_moved: c.zones_moved,
                        catchments_in_pieces: schools.len(),
                        zones_outside_their_schools_piece: c
                            .broken
                            .iter()
                            .map(|b| b.zones.len())
                            .sum(),
                        pieces_certified: c.broken.iter().filter(|b| b.reason.certified()).count(),
                        pieces_certified_locally: c
                            .broken
                            .iter()
                            .filter(|b| b.reason.proven_locally())
                            .count(),
                        deep_join: c.deep_join,
                        own_zones: OwnZones {
                            schools: c.own_zones,
                            kept: c.own_zones_kept,
                            locked: c.own_zones_locked,
                            shared: c.own_zones_shared,
                            not_fitting: c.own_zones_not_fitting,
                            overflow_children: c.own_zone_overflow,
                        },
                        price: plan.contiguous.then(|| Price::of(c, &q)).flatten(),
                    }
                },
            }
        };
        let t = plan.stats.total;
        // The plan's own adjacency where it made one (building it again
        // would cost a 20,000-zone county a tenth of a second per summary).
        let built;
        let adjacency = match &plan.adjacency {
            Some(a) => a.as_ref(),
            None => {
                built = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
                &built
            }
        };
        let utilization = |stage: Stage| StageUtilization {
            plan: utilization_figures(plan, region, &all_figures[stage.index()], adjacency, stage),
            distance_only: plan.objective.distance_only.as_deref().map(|d| {
                let figures = d.school_figures(region, policy, stage);
                utilization_figures(d, region, &figures, adjacency, stage)
            }),
        };
        Summary {
            scenario: info.scenario.to_string(),
            objective: plan.objective.objective,
            objective_unit: region.distances.unit(),
            zones: region.zones.len(),
            schools: region.schools.len(),
            stages: Stages {
                primary: stage(Stage::Primary),
                junior: stage(Stage::Junior),
            },
            total: Total {
                objective_km: t.objective_km(),
                bound_km: t.bound_km(),
                relaxation_bound_km: t.relaxation_bound_km(),
                lagrangian_bound_km: t.lagrangian_bound_km(),
                gap: gap(&t),
                travel_km: if region.distances.metres_per_minute().is_some() {
                    Stage::ALL
                        .iter()
                        .map(|&stage| road_travel_km(region, plan, stage))
                        .sum()
                } else {
                    t.travel_km()
                },
                minutes: Minutes::of(&region.distances, &t),
                moved: t.moved,
            },
            distance: super::distance::DistanceSummary::build(region),
            solver: SolverSummary {
                backend: format!("{:?}", info.settings.backend).to_lowercase(),
                candidates: info.settings.candidates,
                parts: plan.stats.parts,
                widened_units: plan.stats.widened_units,
                widening_rounds: plan.stats.widening_rounds,
                split_units: plan.stats.split_units,
            },
            balance: BalanceSummary {
                primary: balance_of(region, policy, plan, &all_figures[0], Stage::Primary),
                junior: balance_of(region, policy, plan, &all_figures[1], Stage::Junior),
            },
            feeders: {
                let table = crate::plan::feeders::feeder_table(plan, region);
                let mut primaries: Vec<usize> = table.iter().filter_map(|f| f.primary).collect();
                primaries.sort_unstable();
                primaries.dedup();
                FeederSummary {
                    aligned: plan.feeders_aligned,
                    primary_catchments: primaries.len(),
                    split_primary_catchments: crate::plan::feeders::split_primary_catchments(
                        &table,
                    ),
                }
            },
            migrant_catchments: if plan.migrant.is_some() {
                MigrantCatchments::Separate.key()
            } else {
                MigrantCatchments::Same.key()
            },
            migrant_lists: MigrantListsSummary::build(plan),
            special: any_special(region).then(|| {
                let stage = |stage: Stage| {
                    let (counties, total) = special_figures(plan, region, policy, stage);
                    SpecialStage { total, counties }
                };
                SpecialSummary {
                    primary: stage(Stage::Primary),
                    junior: stage(Stage::Junior),
                }
            }),
            moved_cap: plan.moved_cap.clone(),
            utilization: UtilizationSummary {
                uneven_pair_gap: UNEVEN_PAIR_GAP,
                balance_km: (plan.objective.objective == Objective::Balance)
                    .then_some(plan.objective.balance_km),
                primary: utilization(Stage::Primary),
                junior: utilization(Stage::Junior),
            },
            violations: found
                .iter()
                .map(|f| ViolationSummary {
                    school_id: region.schools[f.school].id.clone(),
                    stage: f.stage.key(),
                    problem: f.violation.to_string(),
                })
                .collect(),
            pre_existing_violations: crate::plan::pre_existing(region, policy)
                .into_iter()
                .map(|p| PreExistingSummary {
                    school_id: region.schools[p.school].id.clone(),
                    continuing: p.continuing,
                    limit: p.limit,
                    problem: p.to_string(),
                })
                .collect(),
            far_zones: crate::plan::far::far_zones(region, policy)
                .into_iter()
                .map(|f| FarZoneSummary {
                    zone_id: region.zones[f.zone].id.clone(),
                    stage: f.stage.key(),
                    nearest_school: region.schools[f.school].id.clone(),
                    km: round(f.km, 3),
                })
                .collect(),
            split_communities: Stage::ALL
                .into_iter()
                .flat_map(|stage| {
                    plan.split_communities[stage.index()].iter().map(move |c| {
                        SplitCommunitySummary {
                            community: c.community.clone(),
                            county: c.county.clone(),
                            stage: stage.key(),
                            schools: c
                                .schools
                                .iter()
                                .map(|&s| region.schools[s].id.clone())
                                .collect(),
                            zones: c.zones,
                            children: c.children,
                            reason: c.reason.key(),
                        }
                    })
                })
                .collect(),
            warnings: super::outside_china::outside_china(region, info.input_crs)
                .into_iter()
                .map(InputWarning::OutsideChina)
                .collect(),
            seconds: info.seconds,
        }
    }

    /// Adds the compactness of the dissolved catchments.
    pub fn with_compactness(mut self, catchments: &[Vec<super::Catchment>; 2]) -> Summary {
        for stage in Stage::ALL {
            let pp: Vec<f64> = catchments[stage.index()]
                .iter()
                .filter_map(|c| c.polsby_popper)
                .collect();
            let s = match stage {
                Stage::Primary => &mut self.stages.primary,
                Stage::Junior => &mut self.stages.junior,
            };
            if !pp.is_empty() {
                s.compactness_mean = Some(round(pp.iter().sum::<f64>() / pp.len() as f64, 3));
                s.compactness_min =
                    Some(round(pp.iter().copied().fold(f64::INFINITY, f64::min), 3));
            }
        }
        self
    }

    pub fn stage(&self, stage: Stage) -> &StageSummary {
        match stage {
            Stage::Primary => &self.stages.primary,
            Stage::Junior => &self.stages.junior,
        }
    }

    /// Violations over both stages.
    pub fn violation_count(&self) -> usize {
        self.violations.len()
    }
}
