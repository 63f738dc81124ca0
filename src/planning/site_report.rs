//! `catchment site`: where seats would help most. Writes
//!
//! - `add-classes.csv` / `.md`: every public school ranked by the shortage
//!   one more entry class would remove and the child-km it would save
//!   (relaxation re-solved), with the dual price that flagged it;
//! - with `--candidates`: `sites.csv`, `sites.geojson` (the chosen sites
//!   with their gains) and `sites.toml` (the chosen sites as
//!   `[[add_school]]` tables, to paste into a scenario that extends this
//!   one);
//! - `sites.md`: both for a person; `summary.json` for machines.
//!
//! The chosen sites are checked with the whole-zone allocation too (zones
//! kept whole, catchments connected as the scenario asks): children
//! without a seat and child-km before and after, and each site's intake.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::relaxed::Score;
use super::seats::{ClassValue, rank_classes};
use super::site::{SiteSearch, choose};
use super::{PlanningError, Solved};
use crate::model::{School, Sector, Stage};
use crate::plan::make;
use crate::report::OutputDir;
use crate::report::markdown::not_formula;
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
    pub method: String,
    /// Relaxation without and with the chosen sites.
    pub relaxation_before: Totals,
    pub relaxation_after: Totals,
    /// Whole-zone plans without and with the chosen sites.
    pub plan_before: Totals,
    pub plan_after: Totals,
    pub chosen: Vec<SiteRow>,
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

/// Runs the seat ranking and (with candidates) the site choice of `p`
/// sites, and writes `dir` atomically.
pub fn run(
    solved: &Solved,
    candidates: Option<(PathBuf, Vec<School>)>,
    p: usize,
    dir: &Path,
) -> Result<SiteSummary, PlanningError> {
    let policy = &solved.scenario.policy;
    let k = solved.settings.candidates.max(1);
    let (_, values) = rank_classes(&solved.region, policy, k);
    let classes = class_rows(solved, &values);
    let sites = match &candidates {
        None => None,
        Some((path, list)) => {
            if p == 0 || p > list.len() {
                return Err(PlanningError::Candidates {
                    path: path.clone(),
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
    let summary = SiteSummary {
        scenario: solved.scenario.name.clone(),
        classes,
        sites,
    };
    let out = OutputDir::create(dir)?;
    out.write("add-classes.csv", |w| classes_csv(w, &summary.classes))?;
    out.write("add-classes.md", |w| {
        classes_md(w, solved, &summary.classes, None)
    })?;
    if let (Some(s), Some((_, list))) = (&summary.sites, &candidates) {
        out.write("sites.csv", |w| sites_csv(w, s))?;
        out.write("sites.geojson", |w| sites_geojson(w, s))?;
        out.write("sites.toml", |w| sites_toml(w, solved, s, list))?;
    }
    out.write("sites.md", |w| {
        classes_md(w, solved, &summary.classes, Some(20))?;
        if let Some(s) = &summary.sites {
            sites_md(w, s)?;
        }
        Ok(())
    })?;
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(summary)
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
            format!("exhaustive over {sets} sets (better than greedy + swaps)")
        } else {
            format!("greedy + swaps, equal to exhaustive search over {sets} sets")
        }
    } else {
        format!("greedy + swaps ({} sets scored)", search.evaluations())
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
        method,
        relaxation_before: totals(none),
        relaxation_after: totals(choice.score),
        plan_before: before,
        plan_after: after,
        chosen,
    })
}

fn opt(x: Option<impl ToString>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

fn classes_csv(w: &mut dyn Write, rows: &[ClassRow]) -> std::io::Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "rank",
        "school_id",
        "school_name",
        "stage",
        "classes",
        "seat_price_km",
        "dual_km_per_class",
        "shortage_removed",
        "km_saved",
        "limited_by_school_size",
    ])?;
    for r in rows {
        csv.write_record([
            r.rank.to_string(),
            r.school_id.clone(),
            not_formula(&r.school_name).into_owned(),
            r.stage.to_string(),
            opt(r.classes),
            r.seat_price_km
                .map_or("shortage".into(), |x| format!("{x:.3}")),
            opt(r.dual_km_per_class.map(|x| format!("{x:.3}"))),
            r.shortage_removed.to_string(),
            format!("{:.3}", r.km_saved),
            if r.limited_by_school_size {
                "yes"
            } else {
                "no"
            }
            .into(),
        ])?;
    }
    csv.flush()
}

fn classes_md(
    w: &mut dyn Write,
    solved: &Solved,
    rows: &[ClassRow],
    top: Option<usize>,
) -> std::io::Result<()> {
    writeln!(w, "# Where to add seats: {}", solved.scenario.name)?;
    writeln!(w)?;
    writeln!(
        w,
        "One more entry class at each public school, valued in the relaxation (zones may be split; solved exactly over all schools): children without a seat who would get one, and child-km saved. The seat price is the relaxation's dual price of one seat (km of travel one more seat saves at the margin; \"shortage\": it would seat a child who has none); price × class size bounds a class's gain from above, and schools with a positive price were solved again with the extra class for the exact gain. Limited by school size: the school's size limit binds, so classes alone do not help."
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "| rank | school | stage | classes | seat price km | dual km / class | shortage removed | km saved | limited by size |"
    )?;
    writeln!(w, "|---:|---|---|---:|---:|---:|---:|---:|---|")?;
    let useful = rows.iter().filter(|r| {
        r.shortage_removed > 0 || r.km_saved != 0.0 || r.seat_price_km.is_none_or(|p| p > 0.0)
    });
    for r in useful.take(top.unwrap_or(usize::MAX)) {
        writeln!(
            w,
            "| {} | {} {} | {} | {} | {} | {} | {} | {:.1} | {} |",
            r.rank,
            r.school_id,
            r.school_name,
            r.stage,
            opt(r.classes),
            r.seat_price_km
                .map_or("shortage".into(), |x| format!("{x:.3}")),
            r.dual_km_per_class
                .map_or("–".into(), |x| format!("{x:.1}")),
            r.shortage_removed,
            r.km_saved,
            if r.limited_by_school_size { "yes" } else { "" }
        )?;
    }
    let idle = rows
        .iter()
        .filter(|r| r.shortage_removed == 0 && r.km_saved == 0.0 && r.seat_price_km == Some(0.0))
        .count();
    writeln!(w)?;
    writeln!(
        w,
        "{idle} school stages have seats to spare (price 0): one more class there gains nothing."
    )?;
    writeln!(w)?;
    Ok(())
}

fn sites_md(w: &mut dyn Write, s: &SiteChoiceSummary) -> std::io::Result<()> {
    writeln!(w, "## New school sites")?;
    writeln!(w)?;
    writeln!(
        w,
        "{} of {} candidate sites chosen ({}), scored by the relaxation: children without a seat first, then child-km.",
        s.sites, s.candidates, s.method
    )?;
    writeln!(w)?;
    writeln!(w, "| | without a seat | child-km |")?;
    writeln!(w, "|---|---:|---:|")?;
    for (label, t) in [
        ("relaxation, no new site", s.relaxation_before),
        ("relaxation, chosen sites", s.relaxation_after),
        ("whole-zone plan, no new site", s.plan_before),
        ("whole-zone plan, chosen sites", s.plan_after),
    ] {
        writeln!(w, "| {label} | {} | {:.1} |", t.unplaced, t.travel_km)?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "Gain of each site: what it adds to the other chosen sites (the relaxation without it minus with all); intake: its entrants in the whole-zone plan."
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "| site | stage | location | classes | shortage removed | km saved | intake primary | intake junior |"
    )?;
    writeln!(w, "|---|---|---|---|---:|---:|---:|---:|")?;
    for r in &s.chosen {
        writeln!(
            w,
            "| {} {} | {} | {:.5}, {:.5} | {} | {} | {:.1} | {} | {} |",
            r.id,
            r.name,
            r.stage,
            r.lon,
            r.lat,
            [r.classes_primary, r.classes_junior]
                .iter()
                .flatten()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            r.shortage_removed,
            r.km_saved,
            r.intake_primary,
            r.intake_junior
        )?;
    }
    Ok(())
}

fn sites_csv(w: &mut dyn Write, s: &SiteChoiceSummary) -> std::io::Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "id",
        "name",
        "stage",
        "lon",
        "lat",
        "classes_primary",
        "classes_junior",
        "shortage_removed",
        "km_saved",
        "intake_primary",
        "intake_junior",
    ])?;
    for r in &s.chosen {
        csv.write_record([
            r.id.clone(),
            not_formula(&r.name).into_owned(),
            r.stage.to_string(),
            format!("{:.6}", r.lon),
            format!("{:.6}", r.lat),
            opt(r.classes_primary),
            opt(r.classes_junior),
            r.shortage_removed.to_string(),
            format!("{:.3}", r.km_saved),
            r.intake_primary.to_string(),
            r.intake_junior.to_string(),
        ])?;
    }
    csv.flush()
}

fn sites_geojson(w: &mut dyn Write, s: &SiteChoiceSummary) -> std::io::Result<()> {
    let features: Vec<serde_json::Value> = s
        .chosen
        .iter()
        .map(|r| {
            serde_json::json!({
                "type": "Feature",
                "id": r.id,
                "properties": r,
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            })
        })
        .collect();
    serde_json::to_writer(
        &mut *w,
        &serde_json::json!({"type": "FeatureCollection", "features": features}),
    )?;
    w.write_all(b"\n")
}

/// TOML string with quotes and backslashes escaped.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn sites_toml(
    w: &mut dyn Write,
    solved: &Solved,
    s: &SiteChoiceSummary,
    candidates: &[School],
) -> std::io::Result<()> {
    writeln!(
        w,
        "# The chosen sites as [[add_school]] tables: paste them into a scenario that"
    )?;
    writeln!(w, "# extends {}.", solved.scenario.path.display())?;
    for r in &s.chosen {
        let Some(c) = candidates.iter().find(|c| c.id == r.id) else {
            continue;
        };
        writeln!(w)?;
        writeln!(w, "[[add_school]]")?;
        writeln!(w, "id = {}", toml_string(&c.id))?;
        writeln!(w, "name = {}", toml_string(&c.name))?;
        writeln!(
            w,
            "location = [{:.6}, {:.6}]",
            c.location.x(),
            c.location.y()
        )?;
        writeln!(w, "stage = \"{}\"", c.kind.key())?;
        for stage in Stage::ALL {
            if let Some(n) = c.classes[stage.index()] {
                writeln!(w, "classes_{} = {n}", stage.key())?;
            }
            if let Some(n) = c.capacity[stage.index()] {
                writeln!(w, "capacity_{} = {n}", stage.key())?;
            }
        }
    }
    Ok(())
}
