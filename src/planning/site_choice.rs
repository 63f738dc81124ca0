//! Where seats would help most (`catchment site`): one more entry class
//! at each public school valued in the relaxation, and with candidate
//! sites the choice of new schools, checked with the whole-zone plan.
//! [`crate::report::site`] writes the results.

use std::path::Path;

use serde::Serialize;

use super::relaxed::Score;
use super::seats::{ClassValue, rank_classes};
use super::site::{SiteSearch, choose};
use super::{PlanningError, Solved};
use crate::model::{School, Sector, Stage};
use crate::plan::make;
use crate::run::changes::county_near;

/// Exhaustive search is run beside the heuristic (and wins ties with it)
/// when there are at most this many sets to try.
pub const EXHAUSTIVE_SETS: u128 = 100;

#[derive(Clone, Debug, Serialize)]
pub struct ClassRow {
    pub rank: usize,
    pub school_id: String,
    pub school_name: String,
    pub stage: &'static str,
    pub classes: Option<u32>,
    /// Dual price of one seat in km of travel (None: a shortage price, one
    /// more seat would seat a child who has none).
    pub seat_price_km: Option<f64>,
    pub dual_km_per_class: Option<f64>,
    pub shortage_removed: u64,
    pub km_saved: f64,
    pub limited_by_school_size: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub stage: &'static str,
    pub lon: f64,
    pub lat: f64,
    pub classes_primary: Option<u32>,
    pub classes_junior: Option<u32>,
    /// What the site adds to the other chosen sites (relaxation).
    pub shortage_removed: u64,
    pub km_saved: f64,
    /// Its entrants in the whole-zone plan with all chosen sites.
    pub intake_primary: u32,
    pub intake_junior: u32,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Totals {
    pub unplaced: u64,
    pub travel_km: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteChoiceSummary {
    pub candidates: usize,
    pub sites: usize,
    /// How the sites were chosen, in English (summary.json).
    pub method: String,
    /// The same, for documents in any language.
    #[serde(skip)]
    pub search: Search,
    /// Relaxation without and with the chosen sites.
    pub relaxation_before: Totals,
    pub relaxation_after: Totals,
    /// Whole-zone plans without and with the chosen sites.
    pub plan_before: Totals,
    pub plan_after: Totals,
    pub chosen: Vec<SiteRow>,
}

/// How the chosen set was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Exhaustive search over `sets` beat greedy + swaps.
    Exhaustive { sets: u128 },
    /// Greedy + swaps, equal to exhaustive search over `sets`.
    GreedyProven { sets: u128 },
    /// Greedy + swaps alone, `scored` sets scored.
    Greedy { scored: usize },
}

impl std::fmt::Display for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Search::Exhaustive { sets } => {
                write!(
                    f,
                    "exhaustive over {sets} sets (better than greedy + swaps)"
                )
            }
            Search::GreedyProven { sets } => write!(
                f,
                "greedy + swaps, equal to exhaustive search over {sets} sets"
            ),
            Search::Greedy { scored } => write!(f, "greedy + swaps ({scored} sets scored)"),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteSummary {
    pub scenario: String,
    pub classes: Vec<ClassRow>,
    pub sites: Option<SiteChoiceSummary>,
}

fn totals(score: Score) -> Totals {
    Totals {
        unplaced: score.unplaced,
        travel_km: round(score.travel_m as f64 / 1000.0, 3),
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Candidate sites read as schools, checked against the region: new ids,
/// public, given a county (the nearest zone's) where they name none.
pub fn check_candidates(
    path: &Path,
    solved: &Solved,
    mut candidates: Vec<School>,
) -> Result<Vec<School>, PlanningError> {
    let error = |message: String| PlanningError::Candidates {
        path: path.to_path_buf(),
        message,
    };
    for (i, c) in candidates.iter_mut().enumerate() {
        if solved.region.schools.iter().any(|s| s.id == c.id) {
            return Err(error(format!(
                "features[{i}] (id \"{}\"): the id is already a school of the scenario; expected new ids for candidate sites",
                c.id
            )));
        }
        if c.sector != Sector::Public {
            return Err(error(format!(
                "features[{i}] (id \"{}\"): field `sector` is \"private\"; expected public sites (a private school takes no catchment)",
                c.id
            )));
        }
        if c.county.is_none() {
            c.county = county_near(&solved.region, c.location);
        }
    }
    Ok(candidates)
}

fn class_rows(solved: &Solved, values: &[ClassValue]) -> Vec<ClassRow> {
    let policy = &solved.scenario.policy;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let school = &solved.region.schools[v.school];
            let limit = policy.stage(v.stage).class_limit;
            let dual = v.dual_km_per_class(limit);
            ClassRow {
                rank: i + 1,
                school_id: school.id.clone(),
                school_name: school.name.clone(),
                stage: v.stage.key(),
                classes: v.classes,
                seat_price_km: dual.map(|_| round(v.seat_price_m as f64 / 1000.0, 3)),
                dual_km_per_class: dual.map(|d| round(d, 3)),
                shortage_removed: v.shortage_removed,
                km_saved: round(v.travel_saved_m as f64 / 1000.0, 3),
                limited_by_school_size: v.limited_by_size,
            }
        })
        .collect()
}

/// Ranks one more class at every public school and (with candidates)
/// chooses `p` sites.
pub fn analyse(
    solved: &Solved,
    candidates: Option<(&Path, &[School])>,
    p: usize,
) -> Result<SiteSummary, PlanningError> {
    let policy = &solved.scenario.policy;
    let k = solved.settings.candidates.max(1);
    let (_, values) = rank_classes(&solved.region, policy, k);
    let classes = class_rows(solved, &values);
    let sites = match candidates {
        None => None,
        Some((path, list)) => {
            if p == 0 || p > list.len() {
                return Err(PlanningError::Candidates {
                    path: path.to_path_buf(),
                    message: format!(
                        "--k is {p} but the file holds {} candidate sites; expected 1 to {}",
                        list.len(),
                        list.len()
                    ),
                });
            }
            Some(choose_sites(solved, list, p)?)
        }
    };
    Ok(SiteSummary {
        scenario: solved.scenario.name.clone(),
        classes,
        sites,
    })
}

fn choose_sites(
    solved: &Solved,
    candidates: &[School],
    p: usize,
) -> Result<SiteChoiceSummary, PlanningError> {
    let policy = &solved.scenario.policy;
    let k = solved.settings.candidates.max(1);
    let search = SiteSearch::new(
        &solved.region.zones,
        &solved.region.schools,
        candidates,
        &solved.region.distances,
        policy,
        k,
    );
    let none = search.score(&[]);
    let mut choice = search.greedy_swap(p);
    let sets = choose(candidates.len(), p);
    let method = if sets <= EXHAUSTIVE_SETS {
        let exact = search.exhaustive(p);
        if exact.score.penalised() < choice.score.penalised() {
            choice = exact;
            Search::Exhaustive { sets }
        } else {
            Search::GreedyProven { sets }
        }
    } else {
        Search::Greedy {
            scored: search.evaluations(),
        }
    };
    let gains = search.gains(&choice);
    // The whole-zone plan with the chosen sites.
    let mut region = solved.region.clone();
    region
        .schools
        .extend(choice.sites.iter().map(|&c| candidates[c].clone()));
    let plan = make(&region, policy, &solved.settings, &solved.preferences, &())?;
    let plan_totals = |plan: &crate::plan::Plan| Totals {
        unplaced: Stage::ALL
            .iter()
            .map(|&st| plan.totals(&region, st).unplaced)
            .sum(),
        travel_km: round(plan.stats.total.travel_km(), 3),
    };
    let before = Totals {
        unplaced: Stage::ALL
            .iter()
            .map(|&st| solved.plan.totals(&solved.region, st).unplaced)
            .sum(),
        travel_km: round(solved.plan.stats.total.travel_km(), 3),
    };
    let after = plan_totals(&plan);
    let base = solved.region.schools.len();
    let chosen = choice
        .sites
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let s = &candidates[c];
            let g = gains.iter().find(|g| g.site == c).copied();
            let intake = |stage: Stage| -> u32 {
                plan.stage(stage)
                    .zones
                    .iter()
                    .filter(|zp| zp.school == Some((base + i) as u32))
                    .map(|zp| zp.placed)
                    .sum()
            };
            SiteRow {
                id: s.id.clone(),
                name: s.name.clone(),
                stage: s.kind.key(),
                lon: s.location.x(),
                lat: s.location.y(),
                classes_primary: s.classes[0],
                classes_junior: s.classes[1],
                shortage_removed: g.map_or(0, |g| g.shortage_removed),
                km_saved: g.map_or(0.0, |g| round(g.travel_saved_m as f64 / 1000.0, 3)),
                intake_primary: intake(Stage::Primary),
                intake_junior: intake(Stage::Junior),
            }
        })
        .collect();
    Ok(SiteChoiceSummary {
        candidates: candidates.len(),
        sites: p,
        method: method.to_string(),
        search: method,
        relaxation_before: totals(none),
        relaxation_after: totals(choice.score),
        plan_before: before,
        plan_after: after,
        chosen,
    })
}
