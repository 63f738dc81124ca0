//! Two scenarios side by side: `catchment compare A.toml B.toml --out DIR`.
//!
//! Both are allocated as `catchment run` would (connected catchments
//! unless a scenario says otherwise) and written in full to `DIR/A/` and
//! `DIR/B/`. Beside them:
//!
//! - `compare.md`: the figures a planner weighs — distance, children
//!   without a seat, classes and large classes, migrant children in public
//!   schools, balance CVs — for each stage, A against B; the children
//!   moved (zones whose school differs, weighted by their children) and the
//!   largest flows between schools; utilization per school;
//! - `compare.html`: the same as one self-contained page (inline CSS, the
//!   maps and charts embedded as data URIs), to mail or open offline;
//! - `changed-primary.png`, `changed-junior.png`: zones whose school
//!   changed, in their new school's colour;
//! - `distance.png`: share of children within each distance, A and B;
//! - `utilization.png`: schools' utilization, fullest first, A and B;
//! - `summary.json`: every figure of the report, for machines.
//!
//! The figures are computed in [`super::comparison`].

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use super::change_map::changes_map;
use super::chart::{Axes, Series, line_chart, missing_chart_font_note};
use super::comparison::{
    Comparison, Load, Moved, NO_SCHOOL, SideFigures, StageFigures, Utilization, compare,
    distance_curve, round, utilization_curve,
};
use super::html::{escape_html, escape_html_with_code, png_data_uri};
use super::markdown::md;
use super::{OutputDir, ReportError, RunInfo, write_all};
use crate::i18n::Lang;
use crate::model::Stage;
use crate::planning::Solved;
use crate::policy::Policy;
use crate::tr;

/// Runs the comparison end to end and writes `dir` (atomically: the folder
/// appears whole or not at all).
pub fn write(a: &Solved, b: &Solved, dir: &Path) -> Result<Comparison, ReportError> {
    let out = OutputDir::create(dir)?;
    let mut summaries = Vec::with_capacity(2);
    for (label, s) in [("A", a), ("B", b)] {
        let start = Instant::now();
        let info = RunInfo {
            scenario: &s.scenario.name,
            description: &s.scenario.description,
            settings: &s.settings,
            seconds: round(s.seconds + start.elapsed().as_secs_f64(), 3),
            lang: s.lang,
            year: s.scenario.projection.start_year,
            output: s.output,
            input_crs: s.input_crs,
        };
        summaries.push(write_all(
            &out.path(label),
            &s.region,
            &s.scenario.policy,
            &s.plan,
            &info,
        )?);
    }
    let cmp = compare(a, &summaries[0], b, &summaries[1]);
    for stage in Stage::ALL {
        let name = format!("changed-{}.png", stage.key());
        changes_map(
            &out.path(&name),
            &a.region,
            &b.region,
            &b.plan
                .stage(stage)
                .zones
                .iter()
                .map(|zp| zp.school)
                .collect::<Vec<_>>(),
            stage,
            &cmp.zone_change[stage.index()],
        )?;
    }
    let max_km = Stage::ALL
        .iter()
        .flat_map(|&st| [cmp.a.stage(st).max_km, cmp.b.stage(st).max_km])
        .fold(1.0, f64::max);
    let mut distance = Vec::new();
    let mut util = Vec::new();
    for stage in Stage::ALL {
        for (label, s, is_b) in [("A", a, false), ("B", b, true)] {
            let name = format!("{label} {}", a.lang.stage(stage));
            distance.push(Series {
                name: name.clone(),
                points: distance_curve(s, stage, max_km, 60),
            });
            util.push(Series {
                name,
                points: utilization_curve(&cmp.utilization, stage, is_b),
            });
        }
    }
    distance.retain(|s| !s.points.is_empty());
    util.retain(|s| !s.points.is_empty());
    let l = a.lang;
    let charts = [
        (
            "distance.png",
            Axes {
                title: tr!(l, "compare.chart_distance_title"),
                x: tr!(l, "compare.chart_distance_x"),
                y: tr!(l, "compare.chart_distance_y"),
                log: false,
            },
            distance,
        ),
        (
            "utilization.png",
            Axes {
                title: tr!(l, "compare.chart_utilization_title"),
                x: tr!(l, "compare.chart_utilization_x"),
                y: tr!(l, "compare.chart_utilization_y"),
                log: false,
            },
            util,
        ),
    ];
    let mut chart_files = Vec::new();
    for (name, axes, series) in &charts {
        if !series.is_empty() {
            line_chart(&out.path(name), axes, series)?;
            chart_files.push(*name);
        }
    }
    let policy_a = &a.scenario.policy;
    out.write("compare.md", |w| {
        markdown(w, a.lang, &cmp, policy_a, &chart_files)
    })?;
    let mut images: Vec<(String, Vec<u8>)> = Vec::new();
    let read = |file: &str| -> Result<Vec<u8>, ReportError> {
        let p = out.path(file);
        std::fs::read(&p).map_err(|e| ReportError::io(&p, e))
    };
    for stage in Stage::ALL {
        for label in ["A", "B"] {
            images.push((
                format!("{label}/map-{}.png", stage.key()),
                read(&format!("{label}/map-{}.png", stage.key()))?,
            ));
        }
        let name = format!("changed-{}.png", stage.key());
        images.push((name.clone(), read(&name)?));
    }
    for name in &chart_files {
        images.push((name.to_string(), read(name)?));
    }
    out.write("compare.html", |w| html(w, a.lang, &cmp, policy_a, &images))?;
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &cmp)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(cmp)
}

/// The catalogue key of each headline figure and its cell, one row per
/// figure.
type Row = (&'static str, fn(Lang, &StageFigures) -> String);

fn opt_pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
}

const ROWS: [Row; 15] = [
    ("children", |l, f| l.count(f.children)),
    ("placed", |l, f| l.count(f.placed)),
    ("unplaced", |l, f| l.count(f.unplaced)),
    ("mean_km", |_, f| format!("{:.3}", f.mean_km)),
    ("max_km", |_, f| format!("{:.2}", f.max_km)),
    ("travel", |_, f| format!("{:.1}", f.travel_km)),
    ("gap", |_, f| {
        f.gap.map_or("–".into(), |g| format!("{:.3} %", g * 100.0))
    }),
    ("classes", |l, f| l.count(f.classes)),
    ("largest_class", |_, f| f.largest_class.to_string()),
    ("large_classes", |l, f| l.count(f.large_classes)),
    ("oversize_classes", |l, f| l.count(f.oversize_classes)),
    ("full_schools", |_, f| f.full_schools.to_string()),
    ("migrants_placed", |l, f| {
        tr!(
            l,
            "report.n_of_m",
            n = l.count(f.migrant_placed),
            m = l.count(f.migrant_children)
        )
    }),
    ("migrant_share", |_, f| opt_pct(f.migrant_public_share)),
    ("violations", |_, f| f.violations.to_string()),
];

/// Figures where a smaller B is better (distance, shortage, large classes).
const SMALLER_IS_BETTER: [&str; 7] = [
    "unplaced",
    "mean_km",
    "max_km",
    "travel",
    "large_classes",
    "oversize_classes",
    "violations",
];

/// A difference B - A of a number cell, where both parse (thousands
/// separators aside).
fn delta(a: &str, b: &str) -> String {
    let num = |s: &str| {
        s.trim_end_matches(" %")
            .split(' ')
            .next()
            .and_then(|x| x.replace(',', "").parse::<f64>().ok())
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) if a.split(' ').count() <= 2 => {
            let d = y - x;
            if d == 0.0 {
                "=".into()
            } else if a.contains('.') {
                let digits = a
                    .split('.')
                    .nth(1)
                    .map_or(0, |t| t.chars().take_while(|c| c.is_ascii_digit()).count());
                format!("{d:+.digits$}")
            } else {
                format!("{d:+}")
            }
        }
        _ => String::new(),
    }
}

fn delta_class(key: &str, d: &str) -> &'static str {
    let sign = d.chars().next();
    match (SMALLER_IS_BETTER.contains(&key), sign) {
        (true, Some('-')) => " better",
        (true, Some('+')) => " worse",
        (false, _) if key == "migrant_share" && sign == Some('+') => " better",
        (false, _) if key == "migrant_share" && sign == Some('-') => " worse",
        _ => "",
    }
}

/// The headline figures of one row: A and B per stage, with B − A.
struct Cells {
    ap: String,
    bp: String,
    dp: String,
    aj: String,
    bj: String,
    dj: String,
}

fn cells(l: Lang, c: &Comparison, cell: fn(Lang, &StageFigures) -> String) -> Cells {
    let (ap, bp, aj, bj) = (
        cell(l, &c.a.primary),
        cell(l, &c.b.primary),
        cell(l, &c.a.junior),
        cell(l, &c.b.junior),
    );
    Cells {
        dp: delta(&ap, &bp),
        dj: delta(&aj, &bj),
        ap,
        bp,
        aj,
        bj,
    }
}

fn cv(l: Lang, x: Option<f64>) -> String {
    x.map_or(tr!(l, "compare.no_data").into(), |x| format!("{x:.3}"))
}

fn load_cell(l: Lang, load: Option<Load>) -> String {
    match load {
        None => "–".into(),
        Some(x) => format!(
            "{} / {} ({})",
            l.count(x.intake),
            l.count(x.seats),
            x.share()
                .map_or("–".into(), |s| format!("{:.0} %", s * 100.0))
        ),
    }
}

/// Intake B − A of a school, or its intake where it exists in one only.
fn intake_change(l: Lang, r: &Utilization) -> String {
    match (r.a, r.b) {
        (Some(a), Some(b)) => format!("{:+}", b.intake as i64 - a.intake as i64),
        (None, Some(b)) => tr!(l, "compare.new", n = l.count(b.intake)),
        (Some(a), None) => tr!(l, "compare.closed", n = l.count(a.intake)),
        (None, None) => String::new(),
    }
}

/// "A primary", "B junior": a side and a stage as a column head.
fn side_stage(l: Lang, side: &str, stage: Stage) -> String {
    tr!(l, "compare.side_stage", side = side, stage = l.stage(stage))
}

/// A school id shown in a flow: `(none)` for children without a school.
fn flow_end(l: Lang, id: &str) -> String {
    if id == NO_SCHOOL {
        tr!(l, "compare.no_school").into()
    } else {
        id.into()
    }
}

fn description(l: Lang, s: &SideFigures) -> &str {
    if s.description.is_empty() {
        tr!(l, "compare.no_description")
    } else {
        &s.description
    }
}

fn side_facts(l: Lang, s: &SideFigures) -> String {
    tr!(
        l,
        "compare.side_facts",
        zones = l.count(s.zones as u64),
        schools = l.count(s.schools as u64),
        files = s.chain.join(" → ")
    )
}

fn moved_rest(l: Lang, m: &Moved) -> String {
    tr!(
        l,
        "compare.moved_rest",
        zones = l.count(m.zones as u64),
        new_zones = l.count(m.new_zones as u64),
        new_children = l.count(m.new_zone_children),
        only_a = l.count(m.zones_only_in_a as u64)
    )
}

fn limits(l: Lang, c: &Comparison) -> String {
    tr!(
        l,
        "compare.limits",
        primary = c.a.primary.balance_cv_limit,
        junior = c.a.junior.balance_cv_limit
    )
}

fn markdown(
    w: &mut dyn Write,
    l: Lang,
    c: &Comparison,
    policy: &Policy,
    charts: &[&str],
) -> std::io::Result<()> {
    md_sides(w, l, c)?;
    md_figures(w, l, c, policy)?;
    md_moved(w, l, c)?;
    md_balance(w, l, c)?;
    md_maps(w, l, charts)?;
    md_utilization(w, l, c)
}

fn md_sides(w: &mut dyn Write, l: Lang, c: &Comparison) -> std::io::Result<()> {
    let title = tr!(
        l,
        "compare.title",
        a = md(&c.a.scenario),
        b = md(&c.b.scenario)
    );
    writeln!(w, "# {title}")?;
    writeln!(w)?;
    for s in [&c.a, &c.b] {
        writeln!(
            w,
            "**{}: {}** — {}",
            s.label,
            md(&s.scenario),
            tr!(
                l,
                "compare.side",
                description = md(description(l, s)),
                facts = side_facts(l, s),
                outputs = tr!(l, "compare.full_outputs", label = s.label)
            )
        )?;
        writeln!(w)?;
        for note in &s.changes {
            writeln!(w, "- {}", md(&note.text(l)))?;
        }
        if !s.changes.is_empty() {
            writeln!(w)?;
        }
    }
    Ok(())
}

fn md_figures(w: &mut dyn Write, l: Lang, c: &Comparison, policy: &Policy) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "compare.figures"))?;
    writeln!(w)?;
    let d = tr!(l, "compare.delta");
    writeln!(
        w,
        "| | {} | {} | {d} | {} | {} | {d} |",
        side_stage(l, "A", Stage::Primary),
        side_stage(l, "B", Stage::Primary),
        side_stage(l, "A", Stage::Junior),
        side_stage(l, "B", Stage::Junior),
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|")?;
    for (key, cell) in ROWS {
        let x = cells(l, c, cell);
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            l.text(&format!("compare.row_{key}")),
            x.ap,
            x.bp,
            x.dp,
            x.aj,
            x.bj,
            x.dj
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "compare.large_classes_note",
            large = policy.large_class,
            oversize = policy.oversize_class,
            a = opt_pct(Some(c.a.migrant_target)),
            b = opt_pct(Some(c.b.migrant_target))
        )
    )?;
    writeln!(w)
}

fn md_moved(w: &mut dyn Write, l: Lang, c: &Comparison) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "compare.moved_heading"))?;
    writeln!(w)?;
    for stage in Stage::ALL {
        let m = c.moved(stage);
        writeln!(
            w,
            "{}: **{}** {}",
            l.stage(stage),
            tr!(l, "compare.moved_lead", children = l.count(m.children)),
            moved_rest(l, m)
        )?;
        writeln!(w)?;
        if !m.flows.is_empty() {
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                tr!(l, "compare.from"),
                tr!(l, "compare.to"),
                tr!(l, "compare.zones"),
                tr!(l, "compare.children")
            )?;
            writeln!(w, "|---|---|---:|---:|")?;
            for f in &m.flows {
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    md(&flow_end(l, &f.from)),
                    md(&flow_end(l, &f.to)),
                    l.count(f.zones as u64),
                    l.count(f.children)
                )?;
            }
            writeln!(w)?;
        }
        writeln!(
            w,
            "![{}](changed-{}.png)",
            tr!(l, "compare.changed_alt", stage = l.stage(stage)),
            stage.key()
        )?;
        writeln!(w)?;
    }
    Ok(())
}

fn md_balance(w: &mut dyn Write, l: Lang, c: &Comparison) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "compare.balance_heading"))?;
    writeln!(w)?;
    writeln!(
        w,
        "| {} | {} | {} | {} | {} |",
        tr!(l, "compare.indicator"),
        side_stage(l, "A", Stage::Primary),
        side_stage(l, "B", Stage::Primary),
        side_stage(l, "A", Stage::Junior),
        side_stage(l, "B", Stage::Junior),
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for i in 0..7 {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            l.text(&format!("compare.r{}", i + 1)),
            cv(l, c.a.primary.balance_cv[i]),
            cv(l, c.b.primary.balance_cv[i]),
            cv(l, c.a.junior.balance_cv[i]),
            cv(l, c.b.junior.balance_cv[i])
        )?;
    }
    writeln!(w)?;
    writeln!(w, "{}{}.", limits(l, c), tr!(l, "compare.no_data_note"))?;
    writeln!(w)
}

fn md_maps(w: &mut dyn Write, l: Lang, charts: &[&str]) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "compare.maps_and_charts"))?;
    writeln!(w)?;
    for stage in Stage::ALL {
        let k = stage.key();
        writeln!(
            w,
            "{}: [A](A/map-{k}.png) · [B](B/map-{k}.png) · [{}](changed-{k}.png)",
            l.stage(stage),
            tr!(l, "compare.zones_changed")
        )?;
        writeln!(w)?;
    }
    for chart in charts {
        writeln!(w, "![{chart}]({chart})")?;
        writeln!(w)?;
    }
    if let Some(note) = missing_chart_font_note(l).filter(|_| !charts.is_empty()) {
        writeln!(w, "{}{}", tr!(l, "report.warning"), md(&note))?;
        writeln!(w)?;
    }
    Ok(())
}

fn md_utilization(w: &mut dyn Write, l: Lang, c: &Comparison) -> std::io::Result<()> {
    writeln!(w, "## {}", tr!(l, "compare.utilization_heading"))?;
    writeln!(w)?;
    writeln!(
        w,
        "{}{}.",
        tr!(l, "compare.utilization_intro"),
        tr!(l, "compare.utilization_dash")
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "| {} | {} | A | B | {} |",
        tr!(l, "compare.school"),
        tr!(l, "compare.stage"),
        tr!(l, "compare.intake_change")
    )?;
    writeln!(w, "|---|---|---:|---:|---:|")?;
    for r in &c.utilization {
        writeln!(
            w,
            "| {} {} | {} | {} | {} | {} |",
            md(&r.id),
            md(&r.name),
            stage_of(l, r.stage),
            load_cell(l, r.a),
            load_cell(l, r.b),
            intake_change(l, r)
        )?;
    }
    Ok(())
}

/// A stage key of the utilization rows in the document language.
fn stage_of(l: Lang, key: &str) -> &'static str {
    match Stage::ALL.into_iter().find(|s| s.key() == key) {
        Some(stage) => l.stage(stage),
        None => l.text("compare.stage"),
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}\
th{background:#f4f4f4}tr:nth-child(even) td{background:#fafafa}.better{color:#1a7f37}.worse{color:#c62828}\
.pair{display:flex;gap:1em;flex-wrap:wrap}.pair figure{flex:1 1 45%;margin:0}img{max-width:100%;border:1px solid #ddd}\
figcaption{font-size:.9em;color:#555}ul{margin-top:0}";

/// The images of the page by file name, as data URIs.
struct Images<'a>(&'a [(String, Vec<u8>)]);

impl Images<'_> {
    fn uri(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| png_data_uri(bytes))
            .unwrap_or_default()
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

fn html(
    w: &mut dyn Write,
    l: Lang,
    c: &Comparison,
    policy: &Policy,
    images: &[(String, Vec<u8>)],
) -> std::io::Result<()> {
    let images = Images(images);
    let mut h = String::new();
    html_sides(&mut h, l, c);
    html_figures(&mut h, l, c, policy);
    html_moved(&mut h, l, c, &images);
    html_maps(&mut h, l, &images);
    html_balance(&mut h, l, c);
    html_utilization(&mut h, l, c);
    h.push_str("</table>\n</body>\n</html>\n");
    w.write_all(h.as_bytes())
}

fn html_sides(h: &mut String, l: Lang, c: &Comparison) {
    let e = escape_html;
    let title = tr!(l, "compare.title", a = &c.a.scenario, b = &c.b.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        e(&title),
        e(&title)
    );
    for s in [&c.a, &c.b] {
        let _ = writeln!(
            h,
            "<p><b>{}: {}</b> — {}</p>",
            e(&s.label),
            e(&s.scenario),
            e(&tr!(
                l,
                "compare.side_short",
                description = description(l, s),
                facts = side_facts(l, s)
            ))
        );
        if !s.changes.is_empty() {
            h.push_str("<ul>\n");
            for note in &s.changes {
                let _ = writeln!(h, "<li>{}</li>", e(&note.text(l)));
            }
            h.push_str("</ul>\n");
        }
    }
}

fn html_figures(h: &mut String, l: Lang, c: &Comparison, policy: &Policy) {
    let e = escape_html;
    let d = e(tr!(l, "compare.delta"));
    let _ = write!(
        h,
        "<h2>{}</h2>\n<table>\n<tr><th></th><th>{}</th><th>{}</th><th>{d}</th><th>{}</th><th>{}</th><th>{d}</th></tr>\n",
        e(tr!(l, "compare.figures")),
        e(&side_stage(l, "A", Stage::Primary)),
        e(&side_stage(l, "B", Stage::Primary)),
        e(&side_stage(l, "A", Stage::Junior)),
        e(&side_stage(l, "B", Stage::Junior)),
    );
    for (key, cell) in ROWS {
        let x = cells(l, c, cell);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td></tr>",
            e(l.text(&format!("compare.row_{key}"))),
            e(&x.ap),
            e(&x.bp),
            delta_class(key, &x.dp),
            e(&x.dp),
            e(&x.aj),
            e(&x.bj),
            delta_class(key, &x.dj),
            e(&x.dj)
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p>{}</p>",
        e(&tr!(
            l,
            "compare.large_classes_short",
            large = policy.large_class,
            oversize = policy.oversize_class,
            a = opt_pct(Some(c.a.migrant_target)),
            b = opt_pct(Some(c.b.migrant_target))
        ))
    );
}

fn html_moved(h: &mut String, l: Lang, c: &Comparison, images: &Images) {
    let e = escape_html;
    let _ = writeln!(h, "<h2>{}</h2>", e(tr!(l, "compare.moved_heading")));
    for stage in Stage::ALL {
        let m = c.moved(stage);
        let _ = writeln!(
            h,
            "<p>{}: <b>{}</b> {}</p>",
            e(l.stage(stage)),
            e(&tr!(
                l,
                "compare.moved_lead",
                children = l.count(m.children)
            )),
            e(&moved_rest(l, m))
        );
        if !m.flows.is_empty() {
            let _ = writeln!(
                h,
                "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                e(tr!(l, "compare.from")),
                e(tr!(l, "compare.to")),
                e(tr!(l, "compare.zones")),
                e(tr!(l, "compare.children"))
            );
            for f in &m.flows {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    e(&flow_end(l, &f.from)),
                    e(&flow_end(l, &f.to)),
                    l.count(f.zones as u64),
                    l.count(f.children)
                );
            }
            h.push_str("</table>\n");
        }
        let name = format!("changed-{}.png", stage.key());
        let _ = writeln!(
            h,
            "<figure><img alt=\"{}\" src=\"{}\"><figcaption>{}</figcaption></figure>",
            e(&tr!(l, "compare.changed_alt", stage = l.stage(stage))),
            images.uri(&name),
            // The catalogue's own text: nothing to escape.
            tr!(l, "compare.changed_caption", stage = l.stage(stage))
        );
    }
}

fn html_maps(h: &mut String, l: Lang, images: &Images) {
    let e = escape_html;
    let _ = writeln!(h, "<h2>{}</h2>", e(tr!(l, "compare.maps")));
    for stage in Stage::ALL {
        h.push_str("<div class=\"pair\">\n");
        for label in ["A", "B"] {
            let name = format!("{label}/map-{}.png", stage.key());
            let _ = writeln!(
                h,
                "<figure><img alt=\"{}\" src=\"{}\"><figcaption>{}</figcaption></figure>",
                e(&side_stage(l, label, stage)),
                images.uri(&name),
                e(&tr!(
                    l,
                    "compare.map_caption",
                    side = label,
                    stage = l.stage(stage)
                ))
            );
        }
        h.push_str("</div>\n");
    }
    let _ = writeln!(h, "<h2>{}</h2>", e(tr!(l, "compare.charts")));
    for name in ["distance.png", "utilization.png"] {
        if images.has(name) {
            let _ = writeln!(
                h,
                "<figure><img alt=\"{name}\" src=\"{}\"></figure>",
                images.uri(name)
            );
        }
    }
    if let Some(note) = missing_chart_font_note(l) {
        let note = escape_html_with_code(&note);
        let _ = writeln!(h, "<p>{}{note}</p>", e(tr!(l, "report.warning")));
    }
}

fn html_balance(h: &mut String, l: Lang, c: &Comparison) {
    let e = escape_html;
    let _ = write!(
        h,
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        e(tr!(l, "compare.balance_heading")),
        e(tr!(l, "compare.indicator")),
        e(&side_stage(l, "A", Stage::Primary)),
        e(&side_stage(l, "B", Stage::Primary)),
        e(&side_stage(l, "A", Stage::Junior)),
        e(&side_stage(l, "B", Stage::Junior)),
    );
    for i in 0..7 {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            e(l.text(&format!("compare.r{}", i + 1))),
            e(&cv(l, c.a.primary.balance_cv[i])),
            e(&cv(l, c.b.primary.balance_cv[i])),
            e(&cv(l, c.a.junior.balance_cv[i])),
            e(&cv(l, c.b.junior.balance_cv[i]))
        );
    }
    let _ = writeln!(h, "</table>\n<p>{}.</p>", e(&limits(l, c)));
}

fn html_utilization(h: &mut String, l: Lang, c: &Comparison) {
    let e = escape_html;
    let _ = write!(
        h,
        "<h2>{}</h2>\n<p>{}.</p>\n<table>\n<tr><th>{}</th><th>{}</th><th>A</th><th>B</th><th>{}</th></tr>\n",
        e(tr!(l, "compare.utilization_heading")),
        e(tr!(l, "compare.utilization_intro")),
        e(tr!(l, "compare.school")),
        e(tr!(l, "compare.stage")),
        e(tr!(l, "compare.intake_change")),
    );
    for r in &c.utilization {
        let _ = writeln!(
            h,
            "<tr><td>{} {}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            e(&r.id),
            e(&r.name),
            e(stage_of(l, r.stage)),
            e(&load_cell(l, r.a)),
            e(&load_cell(l, r.b)),
            e(&intake_change(l, r))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_keep_the_cell_precision() {
        assert_eq!(delta("1.360", "1.250"), "-0.110");
        assert_eq!(delta("5263", "5300"), "+37");
        assert_eq!(delta("12", "12"), "=");
        assert_eq!(delta("21.7 %", "22.0 %"), "+0.3");
        assert_eq!(delta("10 of 20", "11 of 20"), "");
    }
}
