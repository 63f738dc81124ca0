//! `summary.json` for machines and `report.md` for people: the same figures.

use std::io::Write;

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
    /// Child-km of travel alone.
    pub travel_km: f64,
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
    pub moved: u64,
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
    pub zones: usize,
    pub schools: usize,
    pub stages: Stages,
    /// Both stages together: nine-year schools couple them, and this bound
    /// is the one the solver proves jointly.
    pub total: Total,
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
            let travel_km: f64 = plan
                .passes(stage)
                .iter()
                .map(|(sp, _)| sp.quality.travel_km())
                .sum();
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
                travel_km: t.travel_km(),
                moved: t.moved,
            },
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

pub fn percent(gap: Option<f64>) -> String {
    gap.map_or("n/a (bound 0)".into(), |g| format!("{:.3} %", g * 100.0))
}

pub fn report_md(
    w: &mut dyn Write,
    region: &Region,
    policy: &Policy,
    plan: &Plan,
    s: &Summary,
) -> std::io::Result<()> {
    writeln!(w, "# Catchment plan: {}", s.scenario)?;
    writeln!(w)?;
    writeln!(
        w,
        "{} zones, {} schools. Policy: class limit {} (primary) / {} (junior), school limit {} ({} for nine-year schools).",
        s.zones,
        s.schools,
        policy.primary.class_limit,
        policy.junior.class_limit,
        policy.school_limit,
        policy.nine_year_school_limit
    )?;
    writeln!(w)?;
    writeln!(w, "| | primary 小学 | junior 初中 |")?;
    writeln!(w, "|---|---:|---:|")?;
    let row = |w: &mut dyn Write, label: &str, f: &dyn Fn(&StageSummary) -> String| {
        writeln!(
            w,
            "| {label} | {} | {} |",
            f(&s.stages.primary),
            f(&s.stages.junior)
        )
    };
    row(w, "children", &|x| x.children.to_string())?;
    row(w, "placed", &|x| x.placed.to_string())?;
    row(w, "unplaced (bound)", &|x| {
        format!("{} ({})", x.unplaced, x.unplaced_bound)
    })?;
    row(w, "migrant children placed", &|x| {
        format!("{} of {}", x.migrant_placed, x.migrant_children)
    })?;
    row(w, "… in public schools / purchased seats", &|x| {
        format!(
            "{} / {}",
            x.migrants.total.public, x.migrants.total.purchased
        )
    })?;
    row(
        w,
        "migrant share in public or purchased seats (target)",
        &|x| match x.migrants.total.share {
            Some(share) => format!(
                "{:.1} % ({:.0} %) {}",
                share * 100.0,
                x.migrants.total.target * 100.0,
                if x.migrants.total.met {
                    "met"
                } else {
                    "NOT MET"
                }
            ),
            None => "no migrant children".into(),
        },
    )?;
    row(w, "schools with intake", &|x| x.schools.to_string())?;
    row(w, "classes opened", &|x| x.classes.to_string())?;
    row(w, "largest class", &|x| x.largest_class.to_string())?;
    row(w, "child-km (objective)", &|x| {
        format!("{:.1}", x.objective_km)
    })?;
    row(w, "lower bound", &|x| format!("{:.1}", x.bound_km))?;
    row(w, "gap", &|x| percent(x.gap))?;
    row(w, "mean / max km", &|x| {
        format!("{:.2} / {:.2}", x.mean_km, x.max_km)
    })?;
    row(w, "violations", &|x| x.violations.to_string())?;
    row(w, "compactness (Polsby-Popper mean / least)", &|x| match (
        x.compactness_mean,
        x.compactness_min,
    ) {
        (Some(m), Some(l)) => format!("{m:.2} / {l:.2}"),
        _ => "n/a".into(),
    })?;
    writeln!(w)?;
    writeln!(
        w,
        "Both stages: {:.1} child-km against a bound of {:.1} (gap {}). The bound is the optimum of the relaxation in which zones may be split between schools; no plan that keeps zones whole can do better.",
        s.total.objective_km,
        s.total.bound_km,
        percent(s.total.gap)
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "Solver: {} backend, {} nearest schools per zone first, {} part(s); {} candidate lists widened in {} round(s) where the relaxation's prices showed a farther school might be better; {} zones split by the relaxation were made whole.",
        s.solver.backend,
        s.solver.candidates,
        s.solver.parts,
        s.solver.widened_units,
        s.solver.widening_rounds,
        s.solver.split_units
    )?;
    writeln!(w)?;
    if let Some(cap) = &s.moved_cap {
        writeln!(
            w,
            "Children moved from today's school: at most {} per stage asked; {} (primary {}, junior {}) with a stability weight of {:.3} km per moved child, found in {} plans.",
            cap.max_moved,
            if cap.met {
                "met"
            } else {
                "NOT MET: no weight keeps more children at today's school; this plan moves the fewest"
            },
            s.stages.primary.moved,
            s.stages.junior.moved,
            cap.stability_km,
            cap.plans_tried
        )?;
        writeln!(w)?;
    }
    writeln!(w, "## Balance (优质均衡)")?;
    writeln!(w)?;
    writeln!(
        w,
        "Enrollment-weighted coefficient of variation between public schools, after this intake:"
    )?;
    writeln!(w)?;
    writeln!(w, "| indicator | primary CV (limit) | junior CV (limit) |")?;
    writeln!(w, "|---|---:|---:|")?;
    const NAMES: [&str; 7] = [
        "R1 qualified teachers /100 pupils",
        "R2 backbone teachers /100 pupils",
        "R3 PE and arts teachers /100 pupils",
        "R4 teaching area m² /pupil",
        "R5 sports area m² /pupil",
        "R6 equipment CNY /pupil",
        "R7 multimedia rooms /100 pupils",
    ];
    for (i, name) in NAMES.iter().enumerate() {
        let cell = |m: &serde_json::Map<String, serde_json::Value>| match &m[&format!("R{}", i + 1)]
        {
            serde_json::Value::Null => "no data".to_string(),
            v => format!(
                "{:.3} ({}) {}",
                v["cv"].as_f64().unwrap_or(0.0),
                v["limit"],
                if v["pass"] == true { "pass" } else { "FAIL" }
            ),
        };
        writeln!(
            w,
            "| {name} | {} | {} |",
            cell(&s.balance.primary),
            cell(&s.balance.junior)
        )?;
    }
    writeln!(w)?;
    utilization_md(w, s)?;
    writeln!(w, "## Migrant children (随迁子女)")?;
    writeln!(w)?;
    writeln!(
        w,
        "Public schools first: catchment schools admit local children first; migrant children a catchment school cannot take go to seats the bureau bought at private schools (政府购买学位), nearest first. Every migrant child's placement is in migrant-placements.csv."
    )?;
    if s.migrant_lists.is_some() {
        writeln!(w)?;
        writeln!(
            w,
            "Migrant catchments are separate from local ones (`migrant_catchments = \"separate\"`): local catchments were drawn for local children alone, then migrant catchments, usually wider, over the seats locals left (each school's local and migrant intake together stay within its seats and limits). Each school has a local and a migrant list in catchment-lists.md; zones.geojson gives each zone's `school_primary_migrant` / `school_junior_migrant`. The migrant share band is not applied to separate lists: the migrant list decides where migrant children go."
        )?;
    }
    for stage in Stage::ALL {
        let m = &s.stage(stage).migrants;
        if m.total.children == 0 {
            continue;
        }
        writeln!(w)?;
        writeln!(w, "{}:", stage.key())?;
        writeln!(w)?;
        writeln!(
            w,
            "| county | migrant children | public | purchased | no seat | share | target |"
        )?;
        writeln!(w, "|---|---:|---:|---:|---:|---:|---:|")?;
        let rows = m
            .counties
            .iter()
            .map(|(c, f)| (c.as_str(), f))
            .chain([("all", &m.total)]);
        for (county, f) in rows {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {:.0} % {} |",
                if county.is_empty() { "-" } else { county },
                f.children,
                f.public,
                f.purchased,
                f.unplaced,
                f.share
                    .map_or("-".into(), |x| format!("{:.1} %", x * 100.0)),
                f.target * 100.0,
                if f.met { "met" } else { "NOT MET" }
            )?;
        }
        if let Some(lists) = &s.migrant_lists {
            let l = lists.stage(stage);
            writeln!(
                w,
                "\nMigrant catchments (separate lists): {} schools with a migrant list of {:.1} compounds on average (local lists: {} schools, {:.1} compounds); {} zones have a migrant school other than their local one. Migrant pass: {:.1} child-km, bound {:.1}, gap {}.",
                l.migrant_lists,
                l.mean_zones_migrant_list,
                l.local_lists,
                l.mean_zones_local_list,
                l.zones_with_other_school,
                l.objective_km,
                l.bound_km,
                percent(l.gap)
            )?;
        }
        if !m.schools_outside_band.is_empty() {
            writeln!(
                w,
                "\nSchools whose migrant share of the intake lies outside their band ({:.0}-{:.0} % unless the school sets its own): {}.",
                policy.migrant_min_share * 100.0,
                policy.migrant_max_share * 100.0,
                m.schools_outside_band.join(", ")
            )?;
        }
    }
    writeln!(w)?;
    writeln!(w, "## Children with disabilities (随班就读)")?;
    writeln!(w)?;
    match &s.special {
        None => writeln!(
            w,
            "No zone gives children with disabilities (`primary_special`, `junior_special`)."
        )?,
        Some(special) => {
            writeln!(
                w,
                "None may be refused. Mild cases go first to the nearest public school of their stage and county with a resource room (资源教室, `resource_room`) that has seats{}; the others join their zone's children at the catchment school, in a regular class. Target: {:.0} % enrolled. Every placement is in special-placements.csv.",
                policy
                    .special_max_km
                    .map_or(String::new(), |km| format!(" within {km} km")),
                policy.special_target * 100.0
            )?;
            for stage in Stage::ALL {
                let sp = special.stage(stage);
                if sp.total.children == 0 {
                    continue;
                }
                writeln!(w)?;
                writeln!(w, "{}:", stage.key())?;
                writeln!(w)?;
                writeln!(
                    w,
                    "| county | children | resource room | regular class | no seat | rate | target |"
                )?;
                writeln!(w, "|---|---:|---:|---:|---:|---:|---:|")?;
                let rows = sp
                    .counties
                    .iter()
                    .map(|(c, f)| (c.as_str(), f))
                    .chain([("all", &sp.total)]);
                for (county, f) in rows {
                    writeln!(
                        w,
                        "| {} | {} | {} | {} | {} | {} | {:.0} % {} |",
                        if county.is_empty() { "-" } else { county },
                        f.children,
                        f.resource_room,
                        f.regular_class,
                        f.unplaced,
                        f.rate.map_or("-".into(), |x| format!("{:.1} %", x * 100.0)),
                        f.target * 100.0,
                        if f.pass { "met" } else { "NOT MET" }
                    )?;
                }
            }
        }
    }
    writeln!(w)?;
    writeln!(w, "## Feeders (对口直升)")?;
    writeln!(w)?;
    writeln!(
        w,
        "{} primary catchments; {} of them feed more than one junior school{}. The full table is in feeders.csv.",
        s.feeders.primary_catchments,
        s.feeders.split_primary_catchments,
        if s.feeders.aligned {
            " (junior catchments drawn over whole primary catchments)"
        } else {
            " (run with --feeders-aligned to draw junior catchments over whole primary ones)"
        }
    )?;
    writeln!(w)?;
    writeln!(w, "## Checks")?;
    writeln!(w)?;
    writeln!(
        w,
        "Conservation: for every zone and stage, children = placed + unplaced ({}).",
        match plan.conservation(region) {
            Ok(()) => "holds".to_string(),
            Err(e) => format!("BROKEN: {e}"),
        }
    )?;
    for stage in Stage::ALL {
        let c = &s.stage(stage).contiguity;
        if !c.enforced {
            writeln!(
                w,
                "Contiguity ({}): not enforced (`--allow-pieces`).",
                stage.key()
            )?;
            continue;
        }
        writeln!(
            w,
            "Contiguity ({}): {} stray pieces in the distance-optimal plan; {} zone moves made catchments connected; {} catchments remain in pieces.",
            stage.key(),
            c.strays_before,
            c.zones_moved,
            c.catchments_in_pieces
        )?;
        for b in &plan.contiguity[stage.index()].broken {
            let ids: Vec<&str> = b
                .zones
                .iter()
                .take(10)
                .map(|&z| region.zones[z].id.as_str())
                .collect();
            writeln!(
                w,
                "- {} {}: {} zones apart ({}{}): {}",
                region.schools[b.school].id,
                region.schools[b.school].name,
                b.zones.len(),
                ids.join(", "),
                if b.zones.len() > 10 { ", …" } else { "" },
                b.reason
            )?;
        }
    }
    for stage in Stage::ALL {
        let crossings = &plan.crossings[stage.index()];
        if crossings.is_empty() {
            continue;
        }
        writeln!(
            w,
            "Barriers ({}): {} children in {} zones cross one on the way to school, where no school on their side had seats:",
            stage.key(),
            s.stage(stage).barrier_crossings,
            crossings.len()
        )?;
        for (z, school, barrier) in crossings.iter().take(50) {
            writeln!(
                w,
                "- {} {} -> {} {} across {}",
                region.zones[*z].id,
                region.zones[*z].name,
                region.schools[*school].id,
                region.schools[*school].name,
                barrier
            )?;
        }
    }
    if s.violations.is_empty() {
        writeln!(
            w,
            "Hard limits: no class over its limit, no large class, no school over its seats or size limit."
        )?;
    } else {
        writeln!(w, "Hard limits broken:")?;
        for v in &s.violations {
            writeln!(w, "- {} ({}): {}", v.school_id, v.stage, v.problem)?;
        }
    }
    for stage in Stage::ALL {
        let mut rows: Vec<(usize, &crate::plan::ZonePlan)> = plan
            .stage(stage)
            .zones
            .iter()
            .enumerate()
            .filter(|(_, zp)| zp.unplaced > 0)
            .collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(w)?;
        writeln!(
            w,
            "## Children without a seat: {} ({} zones)",
            stage.key(),
            rows.len()
        )?;
        writeln!(w)?;
        writeln!(w, "| zone | name | unplaced | reason |")?;
        writeln!(w, "|---|---|---:|---|")?;
        const SHOWN: usize = 50;
        for (z, zp) in rows.iter().take(SHOWN) {
            let zone = &region.zones[*z];
            let reason = zp.reason.as_ref().map_or(String::new(), |r| r.to_string());
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                zone.id, zone.name, zp.unplaced, reason
            )?;
        }
        if rows.len() > SHOWN {
            writeln!(
                w,
                "\n… and {} more zones: see unplaced.csv.",
                rows.len() - SHOWN
            )?;
        }
        rows.clear();
    }
    writeln!(w)?;
    writeln!(w, "## Fullest schools")?;
    for stage in Stage::ALL {
        let mut figures = plan.school_figures(region, policy, stage);
        figures.retain(|f| f.seats > 0);
        figures.sort_by(|a, b| {
            b.utilization()
                .total_cmp(&a.utilization())
                .then(a.school.cmp(&b.school))
        });
        writeln!(w)?;
        writeln!(w, "{}:", stage.key())?;
        writeln!(w)?;
        writeln!(
            w,
            "| school | intake / seats | classes | largest class | total / limit |"
        )?;
        writeln!(w, "|---|---:|---:|---:|---:|")?;
        for f in figures.iter().take(10) {
            let school = &region.schools[f.school];
            writeln!(
                w,
                "| {} {} | {} / {} | {} | {} | {} / {} |",
                school.id,
                school.name,
                f.intake,
                f.seats,
                f.classes.opened,
                f.classes.largest,
                f.school_total,
                f.school_limit
            )?;
        }
    }
    Ok(())
}

/// One cell of a utilization row, from a plan's figures.
type Cell<'a> = &'a dyn Fn(&UtilizationFigures) -> String;

/// How evenly the schools' seats are used; with the balance objective, set
/// beside the distance-only plan so that its price in travel shows.
fn utilization_md(w: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    let u = &s.utilization;
    writeln!(w, "## Utilization (intake / seats)")?;
    writeln!(w)?;
    let both = u.primary.distance_only.is_some();
    match u.balance_km {
        Some(km) => writeln!(
            w,
            "Objective: balance. Boundary zones were moved between neighbouring catchments wherever the travel added was worth less than {km} km per child moved from a full school to an empty one (half that from 100 % to 50 %); every limit, lock and connected catchment kept. {}",
            if both {
                "Balance vs distance-only:"
            } else {
                "(The distance-only plan was not made here: `catchment run` makes it.)"
            }
        )?,
        None => writeln!(
            w,
            "Objective: distance (run with `--objective balance` to trade child-km for an even use of seats)."
        )?,
    }
    writeln!(w)?;
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let rows: [(&str, Cell); 7] = [
        ("child-km (gap to the distance bound)", &|f| {
            format!("{:.1} ({})", f.travel_km, percent(f.gap))
        }),
        ("mean / max km", &|f| {
            format!("{:.2} / {:.2}", f.mean_km, f.max_km)
        }),
        ("spread (seat-weighted SD of utilization)", &|f| {
            format!("{:.1} points", f.spread * 100.0)
        }),
        ("CV of utilization between schools", &|f| {
            format!("{:.3}", f.cv)
        }),
        ("utilization max / min", &|f| {
            format!("{} / {}", pct(f.max), pct(f.min))
        }),
        ("neighbouring schools more than {gap} points apart", &|f| {
            format!("{} of {}", f.uneven_pairs, f.pairs)
        }),
        ("schools with seats", &|f| f.schools.to_string()),
    ];
    let gap = format!("{:.0}", u.uneven_pair_gap * 100.0);
    if both {
        writeln!(
            w,
            "| | primary balance | primary distance-only | junior balance | junior distance-only |"
        )?;
        writeln!(w, "|---|---:|---:|---:|---:|")?;
    } else {
        writeln!(w, "| | primary 小学 | junior 初中 |")?;
        writeln!(w, "|---|---:|---:|")?;
    }
    for (label, f) in rows {
        let label = label.replace("{gap}", &gap);
        let mut cells = Vec::new();
        for stage in Stage::ALL {
            let st = u.stage(stage);
            cells.push(f(&st.plan));
            if both {
                cells.push(st.distance_only.as_ref().map_or("-".into(), f));
            }
        }
        writeln!(w, "| {label} | {} |", cells.join(" | "))?;
    }
    writeln!(w)?;
    Ok(())
}
