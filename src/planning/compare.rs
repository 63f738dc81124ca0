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
//! Zones and schools are matched by id. "Moved" counts B's children of a
//! zone present in both whose catchment school differs; zones only in B
//! (new housing) are counted apart.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::render::{ZoneChange, changes_map, escape_html, png_data_uri};
use super::{PlanningError, Solved};
use crate::model::Stage;
use crate::policy::Policy;
use crate::report::chart::{Axes, Series, line_chart};
use crate::report::{OutputDir, ReportError, RunInfo, Summary, write_all};

/// The figures of one scenario's stage.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StageFigures {
    pub children: u64,
    pub placed: u64,
    /// Children without a seat (seats short).
    pub unplaced: u64,
    pub unplaced_bound: u64,
    pub travel_km: f64,
    pub objective_km: f64,
    pub bound_km: f64,
    pub gap: Option<f64>,
    pub mean_km: f64,
    pub max_km: f64,
    pub classes: u64,
    pub largest_class: u32,
    /// Classes at or over the large-class size (大班额).
    pub large_classes: u64,
    /// Classes at or over the oversize threshold (超大班额).
    pub oversize_classes: u64,
    pub migrant_children: u64,
    pub migrant_placed: u64,
    /// Migrant children with a public seat, as a share (None: no migrant
    /// children).
    pub migrant_public_share: Option<f64>,
    /// Schools whose intake fills every seat.
    pub full_schools: usize,
    /// Enrollment-weighted CV of each balance indicator R1-R7 (None: data
    /// missing at some school).
    pub balance_cv: [Option<f64>; 7],
    pub balance_cv_limit: f64,
    pub violations: usize,
}

/// One scenario of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct SideFigures {
    /// "A" or "B": where its full outputs are.
    pub label: String,
    pub scenario: String,
    pub description: String,
    /// The scenario files, base first.
    pub chain: Vec<String>,
    /// What its changes did, in order.
    pub changes: Vec<String>,
    pub zones: usize,
    pub schools: usize,
    pub migrant_target: f64,
    pub primary: StageFigures,
    pub junior: StageFigures,
}

impl SideFigures {
    pub fn stage(&self, stage: Stage) -> &StageFigures {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }
}

/// Children whose school differs between A and B.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Moved {
    /// B's children of zones in both scenarios whose school differs.
    pub children: u64,
    pub zones: usize,
    /// Children of zones that exist only in B (new housing).
    pub new_zone_children: u64,
    pub new_zones: usize,
    /// Zones of A missing from B.
    pub zones_only_in_a: usize,
    /// The largest flows, from A's school to B's, most children first.
    pub flows: Vec<Flow>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub zones: usize,
    pub children: u64,
}

/// A school's intake and seats in a stage, in A and in B (None where it
/// does not exist or take a catchment there).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Utilization {
    pub id: String,
    pub name: String,
    pub stage: &'static str,
    pub a: Option<Load>,
    pub b: Option<Load>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Load {
    pub intake: u32,
    pub seats: u32,
}

impl Load {
    pub fn share(&self) -> Option<f64> {
        (self.seats > 0).then(|| self.intake as f64 / self.seats as f64)
    }
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub a: SideFigures,
    pub b: SideFigures,
    pub moved_primary: Moved,
    pub moved_junior: Moved,
    pub utilization: Vec<Utilization>,
    /// Per zone of B and stage, how its school changed (for the maps).
    #[serde(skip)]
    pub zone_change: [Vec<ZoneChange>; 2],
}

impl Comparison {
    pub fn moved(&self, stage: Stage) -> &Moved {
        match stage {
            Stage::Primary => &self.moved_primary,
            Stage::Junior => &self.moved_junior,
        }
    }
}

/// Classes of at least `threshold` pupils when `intake` is spread evenly
/// over `classes` (sizes differ by at most one).
fn classes_at_least(intake: u32, classes: u32, threshold: u32) -> u64 {
    if classes == 0 {
        return 0;
    }
    let (q, r) = (intake / classes, intake % classes);
    let mut n = 0;
    if q + 1 >= threshold {
        n += r as u64;
    }
    if q >= threshold {
        n += (classes - r) as u64;
    }
    n
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn stage_figures(solved: &Solved, summary: &Summary, stage: Stage) -> StageFigures {
    let policy = &solved.scenario.policy;
    let s = summary.stage(stage);
    let figures = solved.plan.school_figures(&solved.region, policy, stage);
    let mut large = 0;
    let mut oversize = 0;
    let mut full = 0;
    for f in &figures {
        large += classes_at_least(f.intake, f.classes.opened, policy.large_class);
        oversize += classes_at_least(f.intake, f.classes.opened, policy.oversize_class);
        if solved.region.schools[f.school].takes_catchment(stage)
            && f.seats > 0
            && f.intake >= f.seats
        {
            full += 1;
        }
    }
    let spreads = solved.plan.balance(&solved.region, policy, stage);
    StageFigures {
        children: s.children,
        placed: s.placed,
        unplaced: s.unplaced,
        unplaced_bound: s.unplaced_bound,
        travel_km: round(s.travel_km, 3),
        objective_km: round(s.objective_km, 3),
        bound_km: round(s.bound_km, 3),
        gap: s.gap,
        mean_km: s.mean_km,
        max_km: round(s.max_km, 3),
        classes: s.classes,
        largest_class: s.largest_class,
        large_classes: large,
        oversize_classes: oversize,
        migrant_children: s.migrant_children,
        migrant_placed: s.migrant_placed,
        migrant_public_share: (s.migrant_children > 0)
            .then(|| round(s.migrant_placed as f64 / s.migrant_children as f64, 4)),
        full_schools: full,
        balance_cv: spreads.map(|x| x.map(|x| round(x.cv, 4))),
        balance_cv_limit: policy.balance.cv_limit(stage),
        violations: s.violations,
    }
}

fn side(label: &str, solved: &Solved, summary: &Summary) -> SideFigures {
    SideFigures {
        label: label.to_string(),
        scenario: solved.scenario.name.clone(),
        description: solved.scenario.description.clone(),
        chain: solved
            .scenario
            .chain
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        changes: solved.log.clone(),
        zones: solved.region.zones.len(),
        schools: solved.region.schools.len(),
        migrant_target: solved.scenario.policy.migrant_target,
        primary: stage_figures(solved, summary, Stage::Primary),
        junior: stage_figures(solved, summary, Stage::Junior),
    }
}

fn moved(a: &Solved, b: &Solved, stage: Stage) -> (Moved, Vec<ZoneChange>) {
    let index_a: BTreeMap<&str, usize> = a
        .region
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i))
        .collect();
    let school_id = |s: &Solved, x: Option<u32>| x.map(|x| s.region.schools[x as usize].id.clone());
    let za = &a.plan.stage(stage).zones;
    let zb = &b.plan.stage(stage).zones;
    let mut m = Moved::default();
    let mut flows: BTreeMap<(String, String), (usize, u64)> = BTreeMap::new();
    let mut change = Vec::with_capacity(b.region.zones.len());
    let mut seen = 0;
    for (z, zone) in b.region.zones.iter().enumerate() {
        let children = zone.cohort(stage).total() as u64;
        let Some(&za_index) = index_a.get(zone.id.as_str()) else {
            m.new_zones += 1;
            m.new_zone_children += children;
            change.push(ZoneChange::New);
            continue;
        };
        seen += 1;
        let (from, to) = (
            school_id(a, za[za_index].school),
            school_id(b, zb[z].school),
        );
        if from == to {
            change.push(ZoneChange::Same);
            continue;
        }
        change.push(ZoneChange::Moved);
        m.zones += 1;
        m.children += children;
        let key = (
            from.unwrap_or_else(|| "(none)".into()),
            to.unwrap_or_else(|| "(none)".into()),
        );
        let e = flows.entry(key).or_default();
        e.0 += 1;
        e.1 += children;
    }
    m.zones_only_in_a = a.region.zones.len() - seen;
    let mut flows: Vec<Flow> = flows
        .into_iter()
        .filter(|(_, (_, c))| *c > 0)
        .map(|((from, to), (zones, children))| Flow {
            from,
            to,
            zones,
            children,
        })
        .collect();
    flows.sort_by(|x, y| {
        y.children
            .cmp(&x.children)
            .then_with(|| x.from.cmp(&y.from))
            .then_with(|| x.to.cmp(&y.to))
    });
    flows.truncate(20);
    m.flows = flows;
    (m, change)
}

fn utilization(a: &Solved, b: &Solved) -> Vec<Utilization> {
    let mut rows: BTreeMap<(Stage, String), Utilization> = BTreeMap::new();
    for (which, s) in [(0, a), (1, b)] {
        for stage in Stage::ALL {
            for f in s.plan.school_figures(&s.region, &s.scenario.policy, stage) {
                let school = &s.region.schools[f.school];
                if !school.takes_catchment(stage) {
                    continue;
                }
                let row = rows
                    .entry((stage, school.id.clone()))
                    .or_insert_with(|| Utilization {
                        id: school.id.clone(),
                        name: school.name.clone(),
                        stage: stage.key(),
                        a: None,
                        b: None,
                    });
                let load = Some(Load {
                    intake: f.intake,
                    seats: f.seats,
                });
                if which == 0 {
                    row.a = load;
                } else {
                    row.name = school.name.clone();
                    row.b = load;
                }
            }
        }
    }
    rows.into_values().collect()
}

/// Computes the comparison of two allocated scenarios.
pub fn compare(a: &Solved, sa: &Summary, b: &Solved, sb: &Summary) -> Comparison {
    let (mp, cp) = moved(a, b, Stage::Primary);
    let (mj, cj) = moved(a, b, Stage::Junior);
    Comparison {
        a: side("A", a, sa),
        b: side("B", b, sb),
        moved_primary: mp,
        moved_junior: mj,
        utilization: utilization(a, b),
        zone_change: [cp, cj],
    }
}

/// Share of placed children within each distance, in percent, sampled at
/// `steps` distances up to `max_km`.
fn distance_curve(solved: &Solved, stage: Stage, max_km: f64, steps: usize) -> Vec<(f64, f64)> {
    let mut trips: Vec<(f64, u32)> = solved
        .plan
        .stage(stage)
        .zones
        .iter()
        .filter(|zp| zp.placed > 0)
        .map(|zp| (zp.metres.unwrap_or(0) as f64 / 1000.0, zp.placed))
        .collect();
    trips.sort_by(|x, y| x.0.total_cmp(&y.0));
    let total: u64 = trips.iter().map(|t| t.1 as u64).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(steps + 1);
    let mut k = 0;
    let mut within = 0u64;
    for i in 0..=steps {
        let x = max_km * i as f64 / steps as f64;
        while k < trips.len() && trips[k].0 <= x {
            within += trips[k].1 as u64;
            k += 1;
        }
        out.push((round(x, 3), round(100.0 * within as f64 / total as f64, 3)));
    }
    out
}

fn utilization_curve(rows: &[Utilization], stage: Stage, b: bool) -> Vec<(f64, f64)> {
    let mut shares: Vec<f64> = rows
        .iter()
        .filter(|r| r.stage == stage.key())
        .filter_map(|r| if b { r.b } else { r.a })
        .filter_map(|l| l.share())
        .map(|s| round(100.0 * s, 3))
        .collect();
    shares.sort_by(|x, y| y.total_cmp(x));
    shares
        .into_iter()
        .enumerate()
        .map(|(i, s)| ((i + 1) as f64, s))
        .collect()
}

/// Runs the comparison end to end and writes `dir` (atomically: the folder
/// appears whole or not at all).
pub fn run(a: &Solved, b: &Solved, dir: &Path) -> Result<Comparison, PlanningError> {
    let out = OutputDir::create(dir)?;
    let mut summaries = Vec::with_capacity(2);
    for (label, s) in [("A", a), ("B", b)] {
        let start = Instant::now();
        let info = RunInfo {
            output: Default::default(),
            scenario: &s.scenario.name,
            description: &s.scenario.description,
            settings: &s.settings,
            seconds: round(s.seconds + start.elapsed().as_secs_f64(), 3),
            lang: s.lang,
            year: s.scenario.projection.start_year,
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
            let name = format!("{label} {}", stage.key());
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
    let charts = [
        (
            "distance.png",
            Axes {
                title: "Children within each distance of their school",
                x: "km",
                y: "% of placed children",
                log: false,
            },
            distance,
        ),
        (
            "utilization.png",
            Axes {
                title: "Utilization per school, fullest first",
                x: "school rank",
                y: "% of seats taken",
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
    out.write("compare.md", |w| markdown(w, &cmp, policy_a, &chart_files))?;
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
    out.write("compare.html", |w| html(w, &cmp, policy_a, &images))?;
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &cmp)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(cmp)
}

/// The labels and cells of the headline table, one row per figure.
type Row = (&'static str, fn(&StageFigures) -> String);

fn opt_pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
}

const ROWS: [Row; 15] = [
    ("children", |f| f.children.to_string()),
    ("placed", |f| f.placed.to_string()),
    ("seats short (children without a seat)", |f| {
        f.unplaced.to_string()
    }),
    ("mean km", |f| format!("{:.3}", f.mean_km)),
    ("max km", |f| format!("{:.2}", f.max_km)),
    ("child-km (travel)", |f| format!("{:.1}", f.travel_km)),
    ("gap to the bound", |f| {
        f.gap.map_or("–".into(), |g| format!("{:.3} %", g * 100.0))
    }),
    ("classes opened", |f| f.classes.to_string()),
    ("largest class", |f| f.largest_class.to_string()),
    ("large classes (大班额)", |f| f.large_classes.to_string()),
    ("oversize classes (超大班额)", |f| {
        f.oversize_classes.to_string()
    }),
    ("schools full", |f| f.full_schools.to_string()),
    ("migrant children placed", |f| {
        format!("{} of {}", f.migrant_placed, f.migrant_children)
    }),
    ("migrant public share", |f| opt_pct(f.migrant_public_share)),
    ("hard-limit violations", |f| f.violations.to_string()),
];

/// A difference B - A of a number cell, where both parse.
fn delta(a: &str, b: &str) -> String {
    let num = |s: &str| {
        s.trim_end_matches(" %")
            .split(' ')
            .next()
            .and_then(|x| x.parse::<f64>().ok())
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

const INDICATORS: [&str; 7] = [
    "R1 qualified teachers",
    "R2 backbone teachers",
    "R3 PE and arts teachers",
    "R4 teaching area",
    "R5 sports area",
    "R6 equipment",
    "R7 multimedia rooms",
];

fn cv(x: Option<f64>) -> String {
    x.map_or("no data".into(), |x| format!("{x:.3}"))
}

fn load_cell(l: Option<Load>) -> String {
    match l {
        None => "–".into(),
        Some(l) => format!(
            "{} / {} ({})",
            l.intake,
            l.seats,
            l.share()
                .map_or("–".into(), |s| format!("{:.0} %", s * 100.0))
        ),
    }
}

fn markdown(
    w: &mut dyn Write,
    c: &Comparison,
    policy: &Policy,
    charts: &[&str],
) -> std::io::Result<()> {
    writeln!(
        w,
        "# Scenarios side by side: {} (A) and {} (B)",
        c.a.scenario, c.b.scenario
    )?;
    writeln!(w)?;
    for s in [&c.a, &c.b] {
        writeln!(
            w,
            "**{}: {}** — {} ({} zones, {} schools; files: {}; full outputs in `{}/`).",
            s.label,
            s.scenario,
            if s.description.is_empty() {
                "no description"
            } else {
                &s.description
            },
            s.zones,
            s.schools,
            s.chain.join(" → "),
            s.label
        )?;
        writeln!(w)?;
        for line in &s.changes {
            writeln!(w, "- {line}")?;
        }
        if !s.changes.is_empty() {
            writeln!(w)?;
        }
    }
    writeln!(w, "## Figures")?;
    writeln!(w)?;
    writeln!(
        w,
        "| | A primary | B primary | B − A | A junior | B junior | B − A |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|")?;
    for (label, cell) in ROWS {
        let (ap, bp, aj, bj) = (
            cell(&c.a.primary),
            cell(&c.b.primary),
            cell(&c.a.junior),
            cell(&c.b.junior),
        );
        writeln!(
            w,
            "| {label} | {ap} | {bp} | {} | {aj} | {bj} | {} |",
            delta(&ap, &bp),
            delta(&aj, &bj)
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "Large classes count classes of {} pupils or more ({} or more: oversize) when each school's entrants are spread evenly over the classes it opens. The migrant target is {} (A) / {} (B) of migrant children in public schools.",
        policy.large_class,
        policy.oversize_class,
        opt_pct(Some(c.a.migrant_target)),
        opt_pct(Some(c.b.migrant_target))
    )?;
    writeln!(w)?;
    writeln!(w, "## Children moved between A and B")?;
    writeln!(w)?;
    for stage in Stage::ALL {
        let m = c.moved(stage);
        writeln!(
            w,
            "{}: **{} children** in {} zones have another school in B than in A; {} new zones with {} children exist only in B; {} zones of A are not in B.",
            stage.key(),
            m.children,
            m.zones,
            m.new_zones,
            m.new_zone_children,
            m.zones_only_in_a
        )?;
        writeln!(w)?;
        if !m.flows.is_empty() {
            writeln!(w, "| from (A) | to (B) | zones | children |")?;
            writeln!(w, "|---|---|---:|---:|")?;
            for f in &m.flows {
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    f.from, f.to, f.zones, f.children
                )?;
            }
            writeln!(w)?;
        }
        writeln!(
            w,
            "![zones whose {} school changed](changed-{}.png)",
            stage.key(),
            stage.key()
        )?;
        writeln!(w)?;
    }
    writeln!(
        w,
        "## Balance (优质均衡): coefficient of variation between schools"
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "| indicator | A primary | B primary | A junior | B junior |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for (i, name) in INDICATORS.iter().enumerate() {
        writeln!(
            w,
            "| {name} | {} | {} | {} | {} |",
            cv(c.a.primary.balance_cv[i]),
            cv(c.b.primary.balance_cv[i]),
            cv(c.a.junior.balance_cv[i]),
            cv(c.b.junior.balance_cv[i])
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "Limits: {} (primary), {} (junior); \"no data\" where some school gives no resource figures.",
        c.a.primary.balance_cv_limit, c.a.junior.balance_cv_limit
    )?;
    writeln!(w)?;
    writeln!(w, "## Maps and charts")?;
    writeln!(w)?;
    for stage in Stage::ALL {
        writeln!(
            w,
            "{}: [A](A/map-{}.png) · [B](B/map-{}.png) · [zones that changed](changed-{}.png)",
            stage.key(),
            stage.key(),
            stage.key(),
            stage.key()
        )?;
        writeln!(w)?;
    }
    for chart in charts {
        writeln!(w, "![{chart}]({chart})")?;
        writeln!(w)?;
    }
    writeln!(w, "## Utilization per school")?;
    writeln!(w)?;
    writeln!(
        w,
        "Intake / seats (share of seats taken); – where the school does not exist or take a catchment in that scenario."
    )?;
    writeln!(w)?;
    writeln!(w, "| school | stage | A | B | intake B − A |")?;
    writeln!(w, "|---|---|---:|---:|---:|")?;
    for r in &c.utilization {
        let d = match (r.a, r.b) {
            (Some(a), Some(b)) => format!("{:+}", b.intake as i64 - a.intake as i64),
            (None, Some(b)) => format!("+{} (new)", b.intake),
            (Some(a), None) => format!("−{} (closed)", a.intake),
            (None, None) => String::new(),
        };
        writeln!(
            w,
            "| {} {} | {} | {} | {} | {d} |",
            r.id,
            r.name,
            r.stage,
            load_cell(r.a),
            load_cell(r.b)
        )?;
    }
    Ok(())
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}\
th{background:#f4f4f4}tr:nth-child(even) td{background:#fafafa}.better{color:#1a7f37}.worse{color:#c62828}\
.pair{display:flex;gap:1em;flex-wrap:wrap}.pair figure{flex:1 1 45%;margin:0}img{max-width:100%;border:1px solid #ddd}\
figcaption{font-size:.9em;color:#555}ul{margin-top:0}";

/// Figures where a smaller B is better (distance, shortage, large classes).
const SMALLER_IS_BETTER: [&str; 7] = [
    "seats short (children without a seat)",
    "mean km",
    "max km",
    "child-km (travel)",
    "large classes (大班额)",
    "oversize classes (超大班额)",
    "hard-limit violations",
];

fn delta_class(label: &str, d: &str) -> &'static str {
    let sign = d.chars().next();
    match (SMALLER_IS_BETTER.contains(&label), sign) {
        (true, Some('-')) => " better",
        (true, Some('+')) => " worse",
        (false, _) if label == "migrant public share" && sign == Some('+') => " better",
        (false, _) if label == "migrant public share" && sign == Some('-') => " worse",
        _ => "",
    }
}

fn html(
    w: &mut dyn Write,
    c: &Comparison,
    policy: &Policy,
    images: &[(String, Vec<u8>)],
) -> std::io::Result<()> {
    let e = escape_html;
    let mut h = String::new();
    let title = format!("{} (A) and {} (B)", c.a.scenario, c.b.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>Scenarios side by side: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>Scenarios side by side: {}</h1>\n",
        e(&title),
        e(&title)
    );
    for s in [&c.a, &c.b] {
        let _ = writeln!(
            h,
            "<p><b>{}: {}</b> — {} ({} zones, {} schools; files: {}).</p>",
            e(&s.label),
            e(&s.scenario),
            e(if s.description.is_empty() {
                "no description"
            } else {
                &s.description
            }),
            s.zones,
            s.schools,
            e(&s.chain.join(" → "))
        );
        if !s.changes.is_empty() {
            h.push_str("<ul>\n");
            for line in &s.changes {
                let _ = writeln!(h, "<li>{}</li>", e(line));
            }
            h.push_str("</ul>\n");
        }
    }
    h.push_str("<h2>Figures</h2>\n<table>\n<tr><th></th><th>A primary</th><th>B primary</th><th>B − A</th><th>A junior</th><th>B junior</th><th>B − A</th></tr>\n");
    for (label, cell) in ROWS {
        let (ap, bp, aj, bj) = (
            cell(&c.a.primary),
            cell(&c.b.primary),
            cell(&c.a.junior),
            cell(&c.b.junior),
        );
        let (dp, dj) = (delta(&ap, &bp), delta(&aj, &bj));
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td></tr>",
            e(label),
            e(&ap),
            e(&bp),
            delta_class(label, &dp),
            e(&dp),
            e(&aj),
            e(&bj),
            delta_class(label, &dj),
            e(&dj)
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p>Large classes: {} pupils or more ({} or more: oversize), entrants spread evenly over the classes opened. Migrant target: {} (A) / {} (B).</p>",
        policy.large_class,
        policy.oversize_class,
        opt_pct(Some(c.a.migrant_target)),
        opt_pct(Some(c.b.migrant_target))
    );
    let img = |name: &str| -> String {
        images
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| png_data_uri(bytes))
            .unwrap_or_default()
    };
    h.push_str("<h2>Children moved between A and B</h2>\n");
    for stage in Stage::ALL {
        let m = c.moved(stage);
        let _ = writeln!(
            h,
            "<p>{}: <b>{} children</b> in {} zones have another school in B than in A; {} new zones with {} children exist only in B; {} zones of A are not in B.</p>",
            stage.key(),
            m.children,
            m.zones,
            m.new_zones,
            m.new_zone_children,
            m.zones_only_in_a
        );
        if !m.flows.is_empty() {
            h.push_str("<table>\n<tr><th>from (A)</th><th>to (B)</th><th>zones</th><th>children</th></tr>\n");
            for f in &m.flows {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    e(&f.from),
                    e(&f.to),
                    f.zones,
                    f.children
                );
            }
            h.push_str("</table>\n");
        }
        let name = format!("changed-{}.png", stage.key());
        let _ = writeln!(
            h,
            "<figure><img alt=\"zones whose {} school changed\" src=\"{}\"><figcaption>Zones whose {} school changed, in their new school's colour; blue outline: new zones; red ring: school opened in B; cross: school closed in B.</figcaption></figure>",
            stage.key(),
            img(&name),
            stage.key()
        );
    }
    h.push_str("<h2>Maps</h2>\n");
    for stage in Stage::ALL {
        h.push_str("<div class=\"pair\">\n");
        for label in ["A", "B"] {
            let name = format!("{label}/map-{}.png", stage.key());
            let _ = writeln!(
                h,
                "<figure><img alt=\"{label} {}\" src=\"{}\"><figcaption>{label}: {} catchments</figcaption></figure>",
                stage.key(),
                img(&name),
                stage.key()
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str("<h2>Charts</h2>\n");
    for name in ["distance.png", "utilization.png"] {
        if images.iter().any(|(n, _)| n == name) {
            let _ = writeln!(
                h,
                "<figure><img alt=\"{name}\" src=\"{}\"></figure>",
                img(name)
            );
        }
    }
    h.push_str("<h2>Balance (优质均衡): coefficient of variation between schools</h2>\n<table>\n<tr><th>indicator</th><th>A primary</th><th>B primary</th><th>A junior</th><th>B junior</th></tr>\n");
    for (i, name) in INDICATORS.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            e(name),
            cv(c.a.primary.balance_cv[i]),
            cv(c.b.primary.balance_cv[i]),
            cv(c.a.junior.balance_cv[i]),
            cv(c.b.junior.balance_cv[i])
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p>Limits: {} (primary), {} (junior).</p>",
        c.a.primary.balance_cv_limit, c.a.junior.balance_cv_limit
    );
    h.push_str("<h2>Utilization per school</h2>\n<p>Intake / seats (share of seats taken).</p>\n<table>\n<tr><th>school</th><th>stage</th><th>A</th><th>B</th><th>intake B − A</th></tr>\n");
    for r in &c.utilization {
        let d = match (r.a, r.b) {
            (Some(a), Some(b)) => format!("{:+}", b.intake as i64 - a.intake as i64),
            (None, Some(b)) => format!("+{} (new)", b.intake),
            (Some(a), None) => format!("−{} (closed)", a.intake),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{} {}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            e(&r.id),
            e(&r.name),
            r.stage,
            e(&load_cell(r.a)),
            e(&load_cell(r.b)),
            e(&d)
        );
    }
    h.push_str("</table>\n</body>\n</html>\n");
    w.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_classes_are_counted_from_an_even_spread() {
        // 113 over 2 classes: 57 and 56, both large.
        assert_eq!(classes_at_least(113, 2, 56), 2);
        // 111 over 2: 56 and 55.
        assert_eq!(classes_at_least(111, 2, 56), 1);
        assert_eq!(classes_at_least(90, 2, 56), 0);
        assert_eq!(classes_at_least(0, 0, 56), 0);
    }

    #[test]
    fn deltas_keep_the_cell_precision() {
        assert_eq!(delta("1.360", "1.250"), "-0.110");
        assert_eq!(delta("5263", "5300"), "+37");
        assert_eq!(delta("12", "12"), "=");
        assert_eq!(delta("21.7 %", "22.0 %"), "+0.3");
        assert_eq!(delta("10 of 20", "11 of 20"), "");
    }
}
