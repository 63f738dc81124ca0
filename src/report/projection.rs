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

use super::chart::{Axes, Series, line_chart, missing_chart_font_note};
use super::markdown::{md, not_formula};
use super::tables::{csv_writer, header_of};
use super::{OutputDir, ReportError};
use crate::i18n::Lang;
use crate::model::grades::{GRADES, first_grade};
use crate::model::{Region, Sector, Stage};
use crate::planning::projection::{Projection, ShortReason, Shortage, StageYear, Year};
use crate::planning::warnings::{Warning, warnings};
use crate::policy::{Classes, Policy};
use crate::run::{ProjectionSettings, Scenario};
use crate::tr;

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

/// A shortage in the document language (English: as the projection says
/// it).
fn short_reason(l: Lang, r: &ShortReason) -> String {
    if l == Lang::En {
        return r.to_string();
    }
    match *r {
        ShortReason::EntryClasses {
            entrants,
            needed,
            available,
        } => tr!(
            l,
            "project.short_entry_classes",
            entrants = l.count(entrants),
            needed = needed,
            available = available
        ),
        ShortReason::Classrooms {
            pupils,
            needed,
            rooms,
        } => tr!(
            l,
            "project.short_classrooms",
            pupils = l.count(pupils),
            needed = needed,
            rooms = rooms
        ),
        ShortReason::IntakeCap { entrants, cap } => tr!(
            l,
            "project.short_intake_cap",
            entrants = l.count(entrants),
            cap = l.count(cap)
        ),
        ShortReason::Unplaced { children } => {
            tr!(l, "project.short_unplaced", children = l.count(children))
        }
        ShortReason::SchoolLimit { pupils, limit } => tr!(
            l,
            "project.short_school_limit",
            pupils = l.count(pupils),
            limit = l.count(limit)
        ),
    }
}

/// A warning's reasons, "stage: reason; …", in the document language.
fn warning_reasons(l: Lang, x: &Warning) -> String {
    if l == Lang::En {
        return x.reasons.join("; ");
    }
    x.causes
        .iter()
        .map(|c| format!("{}：{}", l.stage(c.stage), short_reason(l, &c.reason)))
        .collect::<Vec<_>>()
        .join("；")
}

fn yes_no(l: Lang, yes: bool) -> &'static str {
    if yes {
        tr!(l, "project.yes")
    } else {
        tr!(l, "project.no")
    }
}

fn projection_csv(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    policy: &Policy,
    p: &Projection,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    let grades: Vec<String> = (1..=9).map(|g| format!("grade_{g}")).collect();
    let mut keys: Vec<&str> = vec![
        "year",
        "school_id",
        "school_name",
        "kind",
        "sector",
        "stage",
    ];
    keys.extend(grades.iter().map(String::as_str));
    keys.extend([
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
    ]);
    csv.write_record(header_of(l, "project_csv", &keys))?;
    for year in &p.years {
        for (s, school) in region.schools.iter().enumerate() {
            let short = p.shortages(region, policy, year, s);
            for stage in Stage::ALL {
                if school.kind.teaches(stage) {
                    csv.write_record(school_year_row(
                        l, region, policy, p, year, s, stage, &short,
                    ))?;
                }
            }
        }
    }
    csv.flush()
}

/// One row of projection.csv: a school's stage in one year.
#[allow(clippy::too_many_arguments)]
fn school_year_row(
    l: Lang,
    region: &Region,
    policy: &Policy,
    p: &Projection,
    year: &Year,
    s: usize,
    stage: Stage,
    short: &[Shortage],
) -> Vec<String> {
    let school = &region.schools[s];
    let sy = &year.schools[s];
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
    let reasons: Vec<String> = short
        .iter()
        .filter(|x| x.stage == stage)
        .map(|x| short_reason(l, &x.reason))
        .collect();
    let mut row: Vec<String> = vec![
        year.label.to_string(),
        school.id.clone(),
        not_formula(&school.name).into_owned(),
        tr!(l, &format!("project.kind_{}", school.kind.key())).into(),
        tr!(l, &format!("project.sector_{}", school.sector.key())).into(),
        l.stage(stage).into(),
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
        yes_no(l, !reasons.is_empty()).into(),
        reasons.join(tr!(l, "project.reason_separator")),
    ]);
    row
}

fn totals_csv(w: &mut dyn Write, l: Lang, p: &Projection) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "project_csv",
        &[
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
        ],
    ))?;
    for year in &p.years {
        for stage in Stage::ALL {
            let t = &year.totals[stage.index()];
            csv.write_record([
                year.label.to_string(),
                l.stage(stage).to_string(),
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

fn warnings_csv(w: &mut dyn Write, l: Lang, warnings: &[Warning]) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "project_csv",
        &[
            "school_id",
            "school_name",
            "first_short_year",
            "years_short",
            "reasons",
        ],
    ))?;
    for x in warnings {
        csv.write_record([
            x.school_id.clone(),
            not_formula(&x.school_name).into_owned(),
            x.first_year.to_string(),
            x.years_short.to_string(),
            warning_reasons(l, x),
        ])?;
    }
    csv.flush()
}

fn markdown(
    w: &mut dyn Write,
    l: Lang,
    scenario: &Scenario,
    region: &Region,
    policy: &Policy,
    p: &Projection,
    warnings: &[Warning],
) -> std::io::Result<()> {
    md_intro(w, l, scenario, p)?;
    md_years(w, l, region, policy, p)?;
    md_warnings(w, l, p, warnings)?;
    md_schools(w, l, region, policy, p)
}

fn md_intro(
    w: &mut dyn Write,
    l: Lang,
    scenario: &Scenario,
    p: &Projection,
) -> std::io::Result<()> {
    let s = &p.settings;
    writeln!(
        w,
        "# {}",
        tr!(
            l,
            "project.title",
            years = p.years.len(),
            scenario = md(&scenario.name)
        )
    )?;
    writeln!(w)?;
    if !scenario.description.is_empty() {
        writeln!(w, "{}", scenario.description)?;
        writeln!(w)?;
    }
    let catchments = if s.reoptimize {
        tr!(l, "project.reoptimised", km = p.stability_km)
    } else {
        tr!(l, "project.fixed").to_string()
    };
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "project.method",
            catchments = catchments,
            growth = format!("{:+.1}", s.growth * 100.0),
            transition = format!("{:.4}", p.transition),
            observed = if s.junior_transition.is_none() {
                tr!(l, "project.observed")
            } else {
                ""
            },
            migration = s.migration
        )
    )?;
    writeln!(w)
}

fn md_years(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    policy: &Policy,
    p: &Projection,
) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "project.years_heading"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "project.years_head"))?;
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
            l.count(a.entrants),
            l.count(a.placed),
            l.count(a.unplaced),
            l.count(a.pupils()),
            l.count(b.entrants),
            l.count(b.placed),
            l.count(b.unplaced),
            l.count(b.pupils())
        )?;
    }
    writeln!(w)
}

fn md_warnings(
    w: &mut dyn Write,
    l: Lang,
    p: &Projection,
    warnings: &[Warning],
) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "project.warnings_heading"))?;
    writeln!(w)?;
    if warnings.is_empty() {
        writeln!(
            w,
            "{}",
            tr!(l, "project.no_warnings", years = p.years.len())
        )?;
    } else {
        writeln!(w, "{}", tr!(l, "project.warnings_head"))?;
        writeln!(w, "|---|---:|---:|---|")?;
        for x in warnings {
            writeln!(
                w,
                "| {} {} | {} | {} | {} |",
                md(&x.school_id),
                md(&x.school_name),
                x.first_year,
                x.years_short,
                md(&warning_reasons(l, x))
            )?;
        }
    }
    writeln!(w)?;
    writeln!(w, "![{}](pupils.png)", tr!(l, "project.pupils_alt"))?;
    writeln!(w)?;
    writeln!(w, "![{}](short.png)", tr!(l, "project.short_alt"))?;
    writeln!(w)?;
    if let Some(note) = missing_chart_font_note(l) {
        writeln!(w, "{}{}", tr!(l, "report.warning"), md(&note))?;
        writeln!(w)?;
    }
    Ok(())
}

fn md_schools(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    policy: &Policy,
    p: &Projection,
) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "project.schools_heading"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "project.schools_intro"))?;
    writeln!(w)?;
    let labels: Vec<String> = p.years.iter().map(|y| y.label.to_string()).collect();
    writeln!(
        w,
        "| {} | {} | {} | {} | {} |",
        tr!(l, "project.school"),
        tr!(l, "project.stage"),
        labels.join(" | "),
        tr!(l, "project.school_limit"),
        tr!(l, "project.entry_classes", years = labels.join(" / "))
    )?;
    writeln!(w, "|---|---|{}---:|---|", "---:|".repeat(labels.len()))?;
    for (s, school) in region.schools.iter().enumerate() {
        for stage in Stage::ALL {
            if school.kind.teaches(stage) {
                school_md_row(w, l, region, policy, p, s, stage)?;
            }
        }
    }
    Ok(())
}

/// One school's stage over the years: pupils (⚠ where short) and entry
/// classes needed / available.
fn school_md_row(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    policy: &Policy,
    p: &Projection,
    s: usize,
    stage: Stage,
) -> std::io::Result<()> {
    let school = &region.schools[s];
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
        let pupils = l.count(sy.pupils(stage));
        cells.push(if short {
            format!("**{pupils} ⚠**")
        } else {
            pupils
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
        md(&school.id),
        md(&school.name),
        if school.sector == Sector::Private {
            tr!(l, "project.private")
        } else {
            ""
        },
        l.stage(stage),
        cells.join(" | "),
        l.count(policy.school_limit_of(school)),
        classes.join(" ")
    )
}

/// Writes every output of a projection into `dir` (atomically) and returns
/// its summary.
pub fn write(
    dir: &Path,
    scenario: &Scenario,
    region: &Region,
    policy: &Policy,
    p: &Projection,
    l: Lang,
) -> Result<ProjectionSummary, ReportError> {
    let out = OutputDir::create(dir)?;
    let warnings = warnings(region, policy, p);
    out.write("projection.csv", |w| {
        projection_csv(w, l, region, policy, p)
    })?;
    out.write("totals.csv", |w| totals_csv(w, l, p))?;
    out.write("warnings.csv", |w| warnings_csv(w, l, &warnings))?;
    out.write("projection.md", |w| {
        markdown(w, l, scenario, region, policy, p, &warnings)
    })?;
    let x = |y: &Year| y.label as f64;
    let mut series = Vec::new();
    for stage in Stage::ALL {
        let i = stage.index();
        series.push(Series {
            name: tr!(l, "project.series_pupils", stage = l.stage(stage)),
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
            name: tr!(l, "project.series_seats", stage = l.stage(stage)),
            points: p.years.iter().map(|y| (x(y), seats)).collect(),
        });
    }
    line_chart(
        &out.path("pupils.png"),
        &Axes {
            title: tr!(l, "project.chart_pupils_title"),
            x: tr!(l, "project.chart_year"),
            y: tr!(l, "project.chart_pupils_y"),
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
            title: tr!(l, "project.chart_short_title"),
            x: tr!(l, "project.chart_year"),
            y: tr!(l, "project.chart_short_y"),
            log: false,
        },
        &[Series {
            name: tr!(l, "project.series_short").into(),
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
