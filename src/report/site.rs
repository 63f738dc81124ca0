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
//! The figures come from [`crate::planning::site_choice`].

use std::io::Write;
use std::path::Path;

use super::markdown::{md, not_formula};
use super::tables::{csv_writer, header_of};
use super::{OutputDir, ReportError};
use crate::i18n::Lang;
use crate::model::{School, Stage};
use crate::planning::Solved;
use crate::planning::site_choice::{ClassRow, Search, SiteChoiceSummary, SiteSummary};
use crate::tr;

/// Writes the seat ranking and (with candidates) the chosen sites into
/// `dir` atomically.
pub fn write(
    solved: &Solved,
    summary: &SiteSummary,
    candidates: Option<&[School]>,
    dir: &Path,
) -> Result<(), ReportError> {
    let l = solved.lang;
    let out = OutputDir::create(dir)?;
    out.write("add-classes.csv", |w| classes_csv(w, l, &summary.classes))?;
    out.write("add-classes.md", |w| {
        classes_md(w, l, solved, &summary.classes, None)
    })?;
    if let (Some(s), Some(list)) = (&summary.sites, candidates) {
        out.write("sites.csv", |w| sites_csv(w, l, s))?;
        out.write("sites.geojson", |w| sites_geojson(w, s, solved.output.crs))?;
        out.write("sites.toml", |w| sites_toml(w, solved, s, list))?;
    }
    out.write("sites.md", |w| {
        classes_md(w, l, solved, &summary.classes, Some(20))?;
        if let Some(s) = &summary.sites {
            sites_md(w, l, s)?;
        }
        Ok(())
    })?;
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, summary)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(())
}

fn opt(x: Option<impl ToString>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

/// A stage key of the rows in the document language.
pub(super) fn stage_of(l: Lang, key: &str) -> &'static str {
    match Stage::ALL.into_iter().find(|s| s.key() == key) {
        Some(stage) => l.stage(stage),
        None => l.text(&format!("project.kind_{key}")),
    }
}

fn classes_csv(w: &mut dyn Write, l: Lang, rows: &[ClassRow]) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "site_csv",
        &[
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
        ],
    ))?;
    for r in rows {
        csv.write_record([
            r.rank.to_string(),
            r.school_id.clone(),
            not_formula(&r.school_name).into_owned(),
            stage_of(l, r.stage).to_string(),
            opt(r.classes),
            r.seat_price_km
                .map_or(tr!(l, "site.shortage").into(), |x| format!("{x:.3}")),
            opt(r.dual_km_per_class.map(|x| format!("{x:.3}"))),
            r.shortage_removed.to_string(),
            format!("{:.3}", r.km_saved),
            if r.limited_by_school_size {
                tr!(l, "project.yes")
            } else {
                tr!(l, "project.no")
            }
            .into(),
        ])?;
    }
    csv.flush()
}

fn classes_md(
    w: &mut dyn Write,
    l: Lang,
    solved: &Solved,
    rows: &[ClassRow],
    top: Option<usize>,
) -> std::io::Result<()> {
    writeln!(
        w,
        "# {}",
        tr!(l, "site.title", scenario = md(&solved.scenario.name))
    )?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.classes_intro"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.classes_head"))?;
    writeln!(w, "|---:|---|---|---:|---:|---:|---:|---:|---|")?;
    let useful = rows.iter().filter(|r| {
        r.shortage_removed > 0 || r.km_saved != 0.0 || r.seat_price_km.is_none_or(|p| p > 0.0)
    });
    for r in useful.take(top.unwrap_or(usize::MAX)) {
        writeln!(
            w,
            "| {} | {} {} | {} | {} | {} | {} | {} | {:.1} | {} |",
            r.rank,
            md(&r.school_id),
            md(&r.school_name),
            stage_of(l, r.stage),
            opt(r.classes),
            r.seat_price_km
                .map_or(tr!(l, "site.shortage").into(), |x| format!("{x:.3}")),
            r.dual_km_per_class
                .map_or("–".into(), |x| format!("{x:.1}")),
            l.count(r.shortage_removed),
            r.km_saved,
            if r.limited_by_school_size {
                tr!(l, "project.yes")
            } else {
                ""
            }
        )?;
    }
    let idle = rows
        .iter()
        .filter(|r| r.shortage_removed == 0 && r.km_saved == 0.0 && r.seat_price_km == Some(0.0))
        .count();
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.idle", n = l.count(idle as u64)))?;
    writeln!(w)?;
    Ok(())
}

pub(super) fn search(l: Lang, s: &Search) -> String {
    match *s {
        Search::Exhaustive { sets } => tr!(l, "site.search_exhaustive", sets = sets),
        Search::GreedyProven { sets } => tr!(l, "site.search_proven", sets = sets),
        Search::Greedy { scored } => tr!(l, "site.search_greedy", scored = scored),
    }
}

fn sites_md(w: &mut dyn Write, l: Lang, s: &SiteChoiceSummary) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "site.sites_heading"))?;
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "site.chosen",
            sites = s.sites,
            candidates = s.candidates,
            method = search(l, &s.search)
        )
    )?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.totals_head"))?;
    writeln!(w, "|---|---:|---:|")?;
    for (key, t) in [
        ("site.relaxation_before", s.relaxation_before),
        ("site.relaxation_after", s.relaxation_after),
        ("site.plan_before", s.plan_before),
        ("site.plan_after", s.plan_after),
    ] {
        writeln!(
            w,
            "| {} | {} | {:.1} |",
            l.text(key),
            l.count(t.unplaced),
            t.travel_km
        )?;
    }
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.gain"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "site.sites_head"))?;
    writeln!(w, "|---|---|---|---|---:|---:|---:|---:|")?;
    for r in &s.chosen {
        writeln!(
            w,
            "| {} {} | {} | {:.5}, {:.5} | {} | {} | {:.1} | {} | {} |",
            md(&r.id),
            md(&r.name),
            stage_of(l, r.stage),
            r.lon,
            r.lat,
            [r.classes_primary, r.classes_junior]
                .iter()
                .flatten()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            l.count(r.shortage_removed),
            r.km_saved,
            l.count(r.intake_primary),
            l.count(r.intake_junior)
        )?;
    }
    Ok(())
}

fn sites_csv(w: &mut dyn Write, l: Lang, s: &SiteChoiceSummary) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "site_csv",
        &[
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
        ],
    ))?;
    for r in &s.chosen {
        csv.write_record([
            r.id.clone(),
            not_formula(&r.name).into_owned(),
            stage_of(l, r.stage).to_string(),
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

/// The chosen sites as points in the run's `output_crs`, like its other
/// map files (their properties keep the WGS84 `lon`/`lat` of sites.csv).
fn sites_geojson(
    w: &mut dyn Write,
    s: &SiteChoiceSummary,
    crs: crate::spatial::Crs,
) -> std::io::Result<()> {
    let features: Vec<serde_json::Value> = s
        .chosen
        .iter()
        .map(|r| {
            let (x, y) = crs.from_wgs84(r.lon, r.lat);
            serde_json::json!({
                "type": "Feature",
                "id": r.id,
                "properties": r,
                "geometry": {"type": "Point", "coordinates": [x, y]},
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
        // A scenario reads an added school's location in the schools
        // file's crs, so that is how it is written back.
        let (x, y) = solved
            .input_crs
            .schools
            .from_wgs84(c.location.x(), c.location.y());
        writeln!(w, "location = [{x:.6}, {y:.6}]")?;
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
