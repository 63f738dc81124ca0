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

use super::markdown::not_formula;
use super::tables::csv_writer;
use super::{OutputDir, ReportError};
use crate::model::{School, Stage};
use crate::planning::Solved;
use crate::planning::site_choice::{ClassRow, SiteChoiceSummary, SiteSummary};

/// Writes the seat ranking and (with candidates) the chosen sites into
/// `dir` atomically.
pub fn write(
    solved: &Solved,
    summary: &SiteSummary,
    candidates: Option<&[School]>,
    dir: &Path,
) -> Result<(), ReportError> {
    let out = OutputDir::create(dir)?;
    out.write("add-classes.csv", |w| classes_csv(w, &summary.classes))?;
    out.write("add-classes.md", |w| {
        classes_md(w, solved, &summary.classes, None)
    })?;
    if let (Some(s), Some(list)) = (&summary.sites, candidates) {
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
        serde_json::to_writer_pretty(&mut *w, summary)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(())
}

fn opt(x: Option<impl ToString>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

fn classes_csv(w: &mut dyn Write, rows: &[ClassRow]) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
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
    let mut csv = csv_writer(w)?;
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
