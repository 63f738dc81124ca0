//! What `catchment project` writes: per school and year the pupils by
//! grade, classes needed against classes available, school size against
//! its limit, and the first year each school runs short (学位预警) — as
//! CSV tables (UTF-8 with a byte-order mark, for Excel), a Markdown report,
//! charts and `summary.json`.
//!
//! - `projection.csv`: one row per school, stage and year;
//! - `totals.csv`: one row per stage and year: entrants, placed, without a
//!   seat, leavers, pupils — the books that must balance;
//! - `warnings.csv`: every public school that runs short, its first year
//!   and why;
//! - `projection.md`: the same for a person;
//! - `pupils.png`: pupils and classroom seats per stage and year;
//!   `short.png`: schools running short per year;
//! - `summary.json`: settings, totals per year and warnings.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::chart::{Axes, Series, line_chart};
use super::markdown::not_formula;
use super::tables::csv_writer;
use super::{OutputDir, ReportError};
use crate::io::Scenario;
use crate::model::{Region, Sector, Stage};
use crate::planning::grades::{GRADES, first_grade};
use crate::planning::projection::{Projection, ProjectionSettings, StageYear};
use crate::planning::warnings::{Warning, warnings};
use crate::policy::{Classes, Policy};

#[derive(Clone, Debug, Serialize)]
pub struct YearSummary {
    pub year: i32,
    pub primary: StageYear,
    pub junior: StageYear,
    pub schools_short: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProjectionSummary {
    pub scenario: String,
    pub settings: ProjectionSettings,
    /// Share of public grade-6 pupils entering a public junior school.
    pub junior_transition: f64,
    pub stability_km: f64,
    pub years: Vec<YearSummary>,
    pub warnings: Vec<Warning>,
}

fn opt(x: Option<impl ToString>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

fn projection_csv(
    w: &mut dyn Write,
    region: &Region,
    policy: &Policy,
    p: &Projection,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    let mut header: Vec<String> = [
        "year",
        "school_id",
        "school_name",
        "kind",
        "sector",
        "stage",
    ]
    .map(String::from)
    .to_vec();
    header.extend((1..=9).map(|g| format!("grade_{g}")));
    header.extend(
        [
            "pupils",
            "intake",
            "leavers",
            "unplaced_in_catchment",
            "entry_classes_needed",
            "entry_classes_available",
            "classes_needed",
            "classes_available",
            "school_total",
            "school_limit",
            "short",
            "reasons",
        ]
        .map(String::from),
    );
    csv.write_record(&header)?;
    for year in &p.years {
        for (s, school) in region.schools.iter().enumerate() {
            let sy = &year.schools[s];
            let short = p.shortages(region, policy, year, s);
            for stage in Stage::ALL {
                if !school.kind.teaches(stage) {
                    continue;
                }
                let i = stage.index();
                let limit = policy.stage(stage).class_limit;
                let mut grades = vec![String::new(); 9];
                for (k, g) in sy.grades[i].iter().enumerate() {
                    grades[first_grade(stage) - 1 + k] = g.to_string();
                }
                let needed: u32 = sy.grades[i]
                    .iter()
                    .map(|&g| Classes::for_intake(g, limit).opened)
                    .sum();
                let reasons: Vec<&str> = short
                    .iter()
                    .filter(|x| x.stage == stage)
                    .map(|x| x.reason.as_str())
                    .collect();
                let mut row: Vec<String> = vec![
                    year.label.to_string(),
                    school.id.clone(),
                    not_formula(&school.name).into_owned(),
                    school.kind.key().into(),
                    school.sector.key().into(),
                    stage.key().into(),
                ];
                row.extend(grades);
                row.extend([
                    sy.pupils(stage).to_string(),
                    sy.intake[i].to_string(),
                    opt(sy.leavers[i]),
                    sy.unplaced[i].to_string(),
                    Classes::for_intake(sy.intake[i], limit).opened.to_string(),
                    opt(school.classes[i]),
                    needed.to_string(),
                    opt(p.rooms[s][i]),
                    sy.total().to_string(),
                    policy.school_limit_of(school).to_string(),
                    if reasons.is_empty() { "no" } else { "yes" }.into(),
                    reasons.join("; "),
                ]);
                csv.write_record(&row)?;
            }
        }
    }
    csv.flush()
}

fn totals_csv(w: &mut dyn Write, p: &Projection) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "year",
        "stage",
        "entrants",
        "placed",
        "unplaced",
        "private_intake",
        "intake",
        "leavers",
        "public_leavers",
        "public_pupils",
        "private_pupils",
        "pupils",
        "travel_km",
    ])?;
    for year in &p.years {
        for stage in Stage::ALL {
            let t = &year.totals[stage.index()];
            csv.write_record([
                year.label.to_string(),
                stage.key().to_string(),
                t.entrants.to_string(),
                t.placed.to_string(),
                t.unplaced.to_string(),
                t.private_intake.to_string(),
                (t.placed + t.private_intake).to_string(),
                opt(t.leavers),
                opt(t.public_leavers),
                t.public_pupils.to_string(),
                t.private_pupils.to_string(),
                t.pupils().to_string(),
                format!("{:.3}", t.travel_km),
            ])?;
        }
    }
    csv.flush()
}

fn warnings_csv(w: &mut dyn Write, warnings: &[Warning]) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "school_id",
        "school_name",
        "first_short_year",
        "years_short",
        "reasons",
    ])?;
    for x in warnings {
        csv.write_record([
            x.school_id.clone(),
            not_formula(&x.school_name).into_owned(),
            x.first_year.to_string(),
            x.years_short.to_string(),
            x.reasons.join("; "),
        ])?;
    }
    csv.flush()
}

fn markdown(
    w: &mut dyn Write,
    scenario: &Scenario,
    region: &Region,
    policy: &Policy,
    p: &Projection,
    warnings: &[Warning],
) -> std::io::Result<()> {
    let s = &p.settings;
    writeln!(w, "# {}-year projection: {}", p.years.len(), scenario.name)?;
    writeln!(w)?;
    if !scenario.description.is_empty() {
        writeln!(w, "{}", scenario.description)?;
        writeln!(w)?;
    }
    writeln!(
        w,
        "Catchments: {}. Primary entrants from births six years earlier where zones give them, else the year-1 cohort grown by {:+.1} % a year (zones' own `growth` where given); junior entrants from the public primaries' grade 6 through the feeders, times the transition share {:.4}{}; migration factor {} on both. Grades 2-6 and 8-9 move up whole: pupils(t) = pupils(t − 1) + entrants(t) − leavers(t) at every school.",
        if s.reoptimize {
            format!(
                "re-optimised every year under the seat limits, {} km per child moved from last year's school",
                p.stability_km
            )
        } else {
            "fixed (each zone keeps last year's school, full or not)".to_string()
        },
        s.growth * 100.0,
        p.transition,
        if s.junior_transition.is_none() {
            " (observed: year-1 junior entrants over the year-1 leavers of public primaries)"
        } else {
            ""
        },
        s.migration
    )?;
    writeln!(w)?;
    writeln!(w, "## Children and pupils per year")?;
    writeln!(w)?;
    writeln!(
        w,
        "| year | primary entrants | placed | without a seat | primary pupils | junior entrants | placed | without a seat | junior pupils | schools short |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for year in &p.years {
        let (a, b) = (&year.totals[0], &year.totals[1]);
        let short = (0..region.schools.len())
            .filter(|&x| !p.shortages(region, policy, year, x).is_empty())
            .count();
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {short} |",
            year.label,
            a.entrants,
            a.placed,
            a.unplaced,
            a.pupils(),
            b.entrants,
            b.placed,
            b.unplaced,
            b.pupils()
        )?;
    }
    writeln!(w)?;
    writeln!(w, "## 学位预警: the first year each school runs short")?;
    writeln!(w)?;
    if warnings.is_empty() {
        writeln!(
            w,
            "No public school runs short within {} years.",
            p.years.len()
        )?;
    } else {
        writeln!(
            w,
            "| school | first year | years short | why (first year) |"
        )?;
        writeln!(w, "|---|---:|---:|---|")?;
        for x in warnings {
            writeln!(
                w,
                "| {} {} | {} | {} | {} |",
                x.school_id,
                x.school_name,
                x.first_year,
                x.years_short,
                x.reasons.join("; ")
            )?;
        }
    }
    writeln!(w)?;
    writeln!(w, "![pupils and seats per year](pupils.png)")?;
    writeln!(w)?;
    writeln!(w, "![schools short per year](short.png)")?;
    writeln!(w)?;
    writeln!(w, "## Pupils per school and year")?;
    writeln!(w)?;
    writeln!(
        w,
        "Pupils of the stage after each year's intake; ⚠ where the school runs short that year. Entry classes: needed / available."
    )?;
    writeln!(w)?;
    let labels: Vec<String> = p.years.iter().map(|y| y.label.to_string()).collect();
    writeln!(
        w,
        "| school | stage | {} | school limit | entry classes {} |",
        labels.join(" | "),
        labels.join(" / ")
    )?;
    writeln!(w, "|---|---|{}---:|---|", "---:|".repeat(labels.len()))?;
    for (s, school) in region.schools.iter().enumerate() {
        for stage in Stage::ALL {
            if !school.kind.teaches(stage) {
                continue;
            }
            let i = stage.index();
            let limit = policy.stage(stage).class_limit;
            let mut cells = Vec::new();
            let mut classes = Vec::new();
            for year in &p.years {
                let sy = &year.schools[s];
                let short = p
                    .shortages(region, policy, year, s)
                    .iter()
                    .any(|x| x.stage == stage);
                cells.push(if short {
                    format!("**{} ⚠**", sy.pupils(stage))
                } else {
                    sy.pupils(stage).to_string()
                });
                classes.push(format!(
                    "{}/{}",
                    Classes::for_intake(sy.intake[i], limit).opened,
                    opt(school.classes[i])
                ));
            }
            writeln!(
                w,
                "| {} {}{} | {} | {} | {} | {} |",
                school.id,
                school.name,
                if school.sector == Sector::Private {
                    " (private)"
                } else {
                    ""
                },
                stage.key(),
                cells.join(" | "),
                policy.school_limit_of(school),
                classes.join(" ")
            )?;
        }
    }
    Ok(())
}

/// Writes every output of a projection into `dir` (atomically) and returns
/// its summary.
pub fn write(
    dir: &Path,
    scenario: &Scenario,
    region: &Region,
    policy: &Policy,
    p: &Projection,
) -> Result<ProjectionSummary, ReportError> {
    let out = OutputDir::create(dir)?;
    let warnings = warnings(region, policy, p);
    out.write("projection.csv", |w| projection_csv(w, region, policy, p))?;
    out.write("totals.csv", |w| totals_csv(w, p))?;
    out.write("warnings.csv", |w| warnings_csv(w, &warnings))?;
    out.write("projection.md", |w| {
        markdown(w, scenario, region, policy, p, &warnings)
    })?;
    let x = |y: &crate::planning::projection::Year| y.label as f64;
    let mut series = Vec::new();
    for stage in Stage::ALL {
        let i = stage.index();
        series.push(Series {
            name: format!("{} pupils", stage.key()),
            points: p
                .years
                .iter()
                .map(|y| (x(y), y.totals[i].public_pupils as f64))
                .collect(),
        });
        // Classroom seats: one class per grade per entry class the school
        // can open, at the class limit (public schools that give classes).
        let seats: f64 = region
            .schools
            .iter()
            .filter(|s| s.takes_catchment(stage))
            .filter_map(|s| s.classes[i])
            .map(|c| (c * GRADES[i] as u32 * policy.stage(stage).class_limit) as f64)
            .sum();
        series.push(Series {
            name: format!("{} classroom seats", stage.key()),
            points: p.years.iter().map(|y| (x(y), seats)).collect(),
        });
    }
    line_chart(
        &out.path("pupils.png"),
        &Axes {
            title: "Public school pupils and classroom seats per year",
            x: "year",
            y: "pupils",
            log: false,
        },
        &series,
    )?;
    let short: Vec<(f64, f64)> = p
        .years
        .iter()
        .map(|y| {
            let n = (0..region.schools.len())
                .filter(|&s| !p.shortages(region, policy, y, s).is_empty())
                .count();
            (x(y), n as f64)
        })
        .collect();
    line_chart(
        &out.path("short.png"),
        &Axes {
            title: "Public schools running short per year",
            x: "year",
            y: "schools",
            log: false,
        },
        &[Series {
            name: "schools short".into(),
            points: short.clone(),
        }],
    )?;
    let summary = ProjectionSummary {
        scenario: scenario.name.clone(),
        settings: p.settings.clone(),
        junior_transition: p.transition,
        stability_km: p.stability_km,
        years: p
            .years
            .iter()
            .zip(&short)
            .map(|(y, s)| YearSummary {
                year: y.label,
                primary: y.totals[0],
                junior: y.totals[1],
                schools_short: s.1 as usize,
            })
            .collect(),
        warnings,
    };
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(summary)
}
