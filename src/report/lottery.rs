//! What a multi-school lottery publishes (`catchment lottery`), all written
//! into one folder at once:
//!
//! - `lottery-groups.csv`: each group and stage, its schools, zones,
//!   children and seats;
//! - `lottery-schools.csv`: per school, first-choice applicants, seats,
//!   oversubscription, and who it admitted in the published draw;
//! - `lottery-chances.csv`: per zone, the spread over all draws of the
//!   share of its children placed at each school of its group (or left
//!   without a seat);
//! - `lottery-seed-S.csv`: the published draw, zone by zone;
//! - `lottery.md` for a person, `summary.json` for machines.
//!
//! Nothing in these files depends on the clock or the thread count, so the
//! same inputs give the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::markdown::{md, not_formula};
use super::reasons;
use super::tables::header_of;
use super::tables::{csv_writer, fixed};
use super::{OutputDir, ReportError, output_dir};
use crate::i18n::Lang;
use crate::model::{Region, Stage};
use crate::plan::lottery::{GroupLottery, Lottery};
use crate::tr;

/// Zones listed in `lottery.md` as the least certain.
pub const UNCERTAIN_ZONES_LISTED: usize = 20;

/// What the run was, for the files.
#[derive(Clone, Debug)]
pub struct LotteryInfo<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    /// Where the groups came from, in words (English, for summary.json).
    pub groups_from: String,
    /// The same in the document language.
    pub groups_from_text: String,
    pub lang: Lang,
}

#[derive(Clone, Debug, Serialize)]
pub struct LotterySummary {
    pub scenario: String,
    pub description: String,
    pub groups_from: String,
    pub seed: u64,
    pub seeds: usize,
    pub stages: Vec<StageLottery>,
    pub groups: Vec<GroupRow>,
    /// Checked in every draw: children = placed + unplaced per zone and
    /// per group, and no school over its seats.
    pub conservation: &'static str,
    pub files: Vec<String>,
}

/// A stage's groups together, in the published draw.
#[derive(Clone, Debug, Serialize)]
pub struct StageLottery {
    pub stage: &'static str,
    pub groups: usize,
    pub schools: usize,
    pub zones: usize,
    pub children: u64,
    pub seats: u64,
    pub placed_nearest: u64,
    pub placed_other: u64,
    pub unplaced: u64,
    pub oversubscribed_schools: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupRow {
    pub group: String,
    pub stage: &'static str,
    pub schools: Vec<String>,
    pub zones: usize,
    pub children: u64,
    pub seats: u64,
    pub unplaced: u64,
}

fn seed_file(seed: u64) -> String {
    format!("lottery-seed-{seed}.csv")
}

impl LotterySummary {
    pub fn build(region: &Region, lottery: &Lottery, info: &LotteryInfo) -> LotterySummary {
        let groups: Vec<GroupRow> = lottery
            .groups
            .iter()
            .map(|gl| GroupRow {
                group: gl.group.id.clone(),
                stage: gl.group.stage.key(),
                schools: gl
                    .group
                    .schools
                    .iter()
                    .map(|&s| region.schools[s].id.clone())
                    .collect(),
                zones: gl.group.zones.len(),
                children: gl.group.children(region),
                seats: gl.group.seats_total(),
                unplaced: gl.published.unplaced.iter().map(|&u| u as u64).sum(),
            })
            .collect();
        let stages = Stage::ALL
            .into_iter()
            .map(|stage| {
                let of: Vec<&GroupLottery> = lottery
                    .groups
                    .iter()
                    .filter(|gl| gl.group.stage == stage)
                    .collect();
                let sum = |f: &dyn Fn(&GroupLottery) -> u64| of.iter().map(|gl| f(gl)).sum();
                StageLottery {
                    stage: stage.key(),
                    groups: of.len(),
                    schools: of.iter().map(|gl| gl.group.schools.len()).sum(),
                    zones: of.iter().map(|gl| gl.group.zones.len()).sum(),
                    children: sum(&|gl| gl.group.children(region)),
                    seats: sum(&|gl| gl.group.seats_total()),
                    placed_nearest: sum(&|gl| {
                        gl.published.admitted_first.iter().map(|&n| n as u64).sum()
                    }),
                    placed_other: sum(&|gl| {
                        gl.published.admitted_other.iter().map(|&n| n as u64).sum()
                    }),
                    unplaced: sum(&|gl| gl.published.unplaced.iter().map(|&n| n as u64).sum()),
                    oversubscribed_schools: of
                        .iter()
                        .map(|gl| {
                            (0..gl.group.schools.len())
                                .filter(|&m| gl.applicants[m] > gl.group.seats[m])
                                .count()
                        })
                        .sum(),
                }
            })
            .collect();
        LotterySummary {
            scenario: info.scenario.to_string(),
            description: info.description.to_string(),
            groups_from: info.groups_from.clone(),
            seed: lottery.seed,
            seeds: lottery.seeds,
            stages,
            groups,
            conservation: "ok",
            files: [
                "lottery-groups.csv",
                "lottery-schools.csv",
                "lottery-chances.csv",
                &seed_file(lottery.seed),
                "lottery.md",
                output_dir::MARKER,
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// Writes every lottery file into `dir` (replacing an earlier output there)
/// and returns the summary it wrote.
pub fn write_lottery(
    dir: &Path,
    region: &Region,
    lottery: &Lottery,
    info: &LotteryInfo,
) -> Result<(LotterySummary, PathBuf), ReportError> {
    let out = OutputDir::create(dir)?;
    let summary = LotterySummary::build(region, lottery, info);
    let l = info.lang;
    out.write("lottery-groups.csv", |w| groups_csv(w, l, region, lottery))?;
    out.write("lottery-schools.csv", |w| {
        schools_csv(w, l, region, lottery)
    })?;
    out.write("lottery-chances.csv", |w| {
        chances_csv(w, l, region, lottery)
    })?;
    out.write(&seed_file(lottery.seed), |w| {
        seed_csv(w, l, region, lottery)
    })?;
    out.write("lottery.md", |w| {
        report_md(w, l, region, lottery, &summary, info)
    })?;
    // Last: its presence marks a complete output folder.
    out.write(output_dir::MARKER, |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")
    })?;
    let path = out.commit()?;
    Ok((summary, path))
}

fn school_ids(region: &Region, gl: &GroupLottery) -> (String, String) {
    let ids: Vec<&str> = gl
        .group
        .schools
        .iter()
        .map(|&s| region.schools[s].id.as_str())
        .collect();
    let names: Vec<&str> = gl
        .group
        .schools
        .iter()
        .map(|&s| region.schools[s].name.as_str())
        .collect();
    (ids.join(";"), not_formula(&names.join(";")).into_owned())
}

fn groups_csv(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "lottery_csv",
        &[
            "group",
            "stage",
            "schools",
            "school_names",
            "zones",
            "children",
            "seats",
            "unplaced_in_draw",
        ],
    ))?;
    for gl in &lottery.groups {
        let (ids, names) = school_ids(region, gl);
        csv.write_record([
            gl.group.id.clone(),
            l.stage(gl.group.stage).to_string(),
            ids,
            names,
            gl.group.zones.len().to_string(),
            gl.group.children(region).to_string(),
            gl.group.seats_total().to_string(),
            gl.published.unplaced.iter().sum::<u32>().to_string(),
        ])?;
    }
    csv.flush()
}

fn ratio(x: Option<f64>) -> String {
    x.map_or(String::new(), |r| fixed(r, 3))
}

fn schools_csv(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "lottery_csv",
        &[
            "group",
            "stage",
            "school_id",
            "school_name",
            "first_choice_applicants",
            "seats",
            "oversubscription",
            "admitted_first_choice",
            "admitted_from_others",
            "admitted",
            "free_seats",
        ],
    ))?;
    for gl in &lottery.groups {
        for (m, &s) in gl.group.schools.iter().enumerate() {
            let d = &gl.published;
            csv.write_record([
                gl.group.id.clone(),
                l.stage(gl.group.stage).to_string(),
                region.schools[s].id.clone(),
                not_formula(&region.schools[s].name).into_owned(),
                gl.applicants[m].to_string(),
                gl.group.seats[m].to_string(),
                ratio(gl.oversubscription(m)),
                d.admitted_first[m].to_string(),
                d.admitted_other[m].to_string(),
                d.admitted(m).to_string(),
                (gl.group.seats[m] - d.admitted(m)).to_string(),
            ])?;
        }
    }
    csv.flush()
}

fn chances_csv(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "lottery_csv",
        &[
            "group",
            "stage",
            "zone_id",
            "zone_name",
            "children",
            "outcome",
            "school_id",
            "school_name",
            "choice",
            "km",
            "mean",
            "min",
            "p5",
            "p95",
            "max",
        ],
    ))?;
    for gl in &lottery.groups {
        for zc in &gl.chances {
            let ez = &gl.entrants.zones[zc.pos];
            let zone = &region.zones[ez.zone];
            let head = [
                gl.group.id.clone(),
                l.stage(gl.group.stage).to_string(),
                zone.id.clone(),
                not_formula(&zone.name).into_owned(),
                ez.children.to_string(),
            ];
            let stats = |c: &crate::plan::lottery::Chance| {
                [c.mean, c.min, c.p5, c.p95, c.max].map(|x| fixed(x, 4))
            };
            for (rank, choice) in ez.choices.iter().enumerate() {
                let s = &region.schools[gl.group.schools[choice.member]];
                csv.write_record(
                    head.iter()
                        .cloned()
                        .chain([
                            tr!(l, "lottery_csv.outcome_school").to_string(),
                            s.id.clone(),
                            not_formula(&s.name).into_owned(),
                            (rank + 1).to_string(),
                            fixed(choice.metres as f64 / 1000.0, 3),
                        ])
                        .chain(stats(&zc.schools[choice.member])),
                )?;
            }
            if zc.unplaced.max > 0.0 {
                csv.write_record(
                    head.iter()
                        .cloned()
                        .chain([
                            tr!(l, "lottery_csv.outcome_unplaced").to_string(),
                            String::new(),
                            String::new(),
                        ])
                        .chain([String::new(), String::new()])
                        .chain(stats(&zc.unplaced)),
                )?;
            }
        }
    }
    csv.flush()
}

fn seed_csv(w: &mut dyn Write, l: Lang, region: &Region, lottery: &Lottery) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header_of(
        l,
        "lottery_csv",
        &[
            "group",
            "stage",
            "zone_id",
            "zone_name",
            "school_id",
            "school_name",
            "choice",
            "km",
            "children",
            "reason",
        ],
    ))?;
    for gl in &lottery.groups {
        let d = &gl.published;
        for (pos, ez) in gl.entrants.zones.iter().enumerate() {
            let zone = &region.zones[ez.zone];
            let head = [
                gl.group.id.clone(),
                l.stage(gl.group.stage).to_string(),
                zone.id.clone(),
                not_formula(&zone.name).into_owned(),
            ];
            for (rank, choice) in ez.choices.iter().enumerate() {
                let n = d.placed[pos][choice.member];
                if n == 0 {
                    continue;
                }
                let s = &region.schools[gl.group.schools[choice.member]];
                csv.write_record(head.iter().cloned().chain([
                    s.id.clone(),
                    not_formula(&s.name).into_owned(),
                    (rank + 1).to_string(),
                    fixed(choice.metres as f64 / 1000.0, 3),
                    n.to_string(),
                    String::new(),
                ]))?;
            }
            if d.unplaced[pos] > 0 {
                csv.write_record(head.iter().cloned().chain([
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    d.unplaced[pos].to_string(),
                    reasons::unplaced(l, &gl.entrants.reason(pos)),
                ]))?;
            }
        }
    }
    csv.flush()
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn report_md(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
    summary: &LotterySummary,
    info: &LotteryInfo,
) -> std::io::Result<()> {
    md_intro(w, l, lottery, summary, info)?;
    md_stages(w, l, summary)?;
    md_groups(w, l, region, lottery, summary)?;
    md_oversubscribed(w, l, region, lottery)?;
    md_uncertain(w, l, region, lottery)?;
    writeln!(
        w,
        "\n{}",
        tr!(
            l,
            "lottery.files",
            files = summary
                .files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    )
}

fn md_intro(
    w: &mut dyn Write,
    l: Lang,
    lottery: &Lottery,
    summary: &LotterySummary,
    info: &LotteryInfo,
) -> std::io::Result<()> {
    writeln!(
        w,
        "# {}\n",
        tr!(l, "lottery.title", scenario = md(&summary.scenario))
    )?;
    if !summary.description.is_empty() {
        writeln!(w, "{}\n", summary.description)?;
    }
    writeln!(
        w,
        "{}\n",
        tr!(
            l,
            "lottery.draws",
            groups = info.groups_from_text,
            seed = lottery.seed,
            seeds = l.count(lottery.seeds as u64),
            last = lottery.seed + lottery.seeds as u64 - 1
        )
    )?;
    writeln!(w, "{}\n", tr!(l, "lottery.rules"))
}

fn md_stages(w: &mut dyn Write, l: Lang, summary: &LotterySummary) -> std::io::Result<()> {
    writeln!(w, "{}", tr!(l, "lottery.stages_head"))?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for s in &summary.stages {
        let stage = Stage::ALL
            .into_iter()
            .find(|x| x.key() == s.stage)
            .map_or(s.stage, |x| l.stage(x));
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            stage,
            l.count(s.groups as u64),
            l.count(s.schools as u64),
            l.count(s.zones as u64),
            l.count(s.children),
            l.count(s.seats),
            l.count(s.placed_nearest),
            l.count(s.placed_other),
            l.count(s.unplaced),
            l.count(s.oversubscribed_schools as u64)
        )?;
    }
    Ok(())
}

/// "P001 第一小学" for a member of a group.
fn school_name(region: &Region, gl: &GroupLottery, member: usize) -> String {
    let s = &region.schools[gl.group.schools[member]];
    format!("{} {}", md(&s.id), md(&s.name))
}

fn md_groups(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
    summary: &LotterySummary,
) -> std::io::Result<()> {
    writeln!(w, "\n## {}\n", tr!(l, "lottery.groups_heading"))?;
    if lottery.groups.is_empty() {
        return writeln!(w, "{}", tr!(l, "lottery.no_group"));
    }
    writeln!(w, "{}", tr!(l, "lottery.groups_head", seed = lottery.seed))?;
    writeln!(w, "|---|---|---|---:|---:|---:|---:|")?;
    for (gl, row) in lottery.groups.iter().zip(&summary.groups) {
        let names: Vec<String> = (0..gl.group.schools.len())
            .map(|m| school_name(region, gl, m))
            .collect();
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&row.group),
            l.stage(gl.group.stage),
            names.join("; "),
            l.count(row.zones as u64),
            l.count(row.children),
            l.count(row.seats),
            l.count(row.unplaced)
        )?;
    }
    Ok(())
}

fn md_oversubscribed(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
) -> std::io::Result<()> {
    writeln!(w, "\n## {}\n", tr!(l, "lottery.oversubscribed_heading"))?;
    let mut over: Vec<(f64, &GroupLottery, usize)> = lottery
        .groups
        .iter()
        .flat_map(|gl| {
            (0..gl.group.schools.len())
                .filter(|&m| gl.applicants[m] > gl.group.seats[m])
                .map(move |m| (gl.oversubscription(m).unwrap_or(f64::INFINITY), gl, m))
        })
        .collect();
    // Most oversubscribed first; ties in group and school order (stable).
    over.sort_by(|a, b| b.0.total_cmp(&a.0));
    if over.is_empty() {
        return writeln!(w, "{}", tr!(l, "lottery.none_oversubscribed"));
    }
    writeln!(
        w,
        "{}",
        tr!(l, "lottery.oversubscribed_head", seed = lottery.seed)
    )?;
    writeln!(w, "|---|---|---|---:|---:|---:|---:|---:|")?;
    for (r, gl, m) in &over {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            school_name(region, gl, *m),
            l.stage(gl.group.stage),
            md(&gl.group.id),
            l.count(gl.applicants[*m]),
            l.count(gl.group.seats[*m]),
            if r.is_finite() {
                fixed(*r, 2)
            } else {
                tr!(l, "lottery.no_seats").into()
            },
            l.count(gl.published.admitted_first[*m]),
            l.count(gl.published.admitted_other[*m])
        )?;
    }
    Ok(())
}

fn md_uncertain(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    lottery: &Lottery,
) -> std::io::Result<()> {
    writeln!(w, "\n## {}\n", tr!(l, "lottery.uncertain_heading"))?;
    let mut zones: Vec<(f64, &GroupLottery, usize)> = lottery
        .groups
        .iter()
        .flat_map(|gl| {
            gl.chances
                .iter()
                .enumerate()
                .map(move |(i, zc)| (1.0 - zc.likeliest(), gl, i))
        })
        .filter(|z| z.0 > 0.0)
        .collect();
    zones.sort_by(|a, b| b.0.total_cmp(&a.0));
    if zones.is_empty() {
        return writeln!(w, "{}", tr!(l, "lottery.none_uncertain"));
    }
    writeln!(
        w,
        "{}\n",
        tr!(
            l,
            "lottery.uncertainty",
            seeds = l.count(lottery.seeds as u64)
        )
    )?;
    writeln!(w, "{}", tr!(l, "lottery.uncertain_head"))?;
    writeln!(w, "|---|---|---|---:|---:|---|---:|---|")?;
    for (u, gl, i) in zones.iter().take(UNCERTAIN_ZONES_LISTED) {
        uncertain_row(w, l, region, *u, gl, *i)?;
    }
    if zones.len() > UNCERTAIN_ZONES_LISTED {
        writeln!(
            w,
            "\n{}",
            tr!(
                l,
                "lottery.more_uncertain",
                n = l.count((zones.len() - UNCERTAIN_ZONES_LISTED) as u64)
            )
        )?;
    }
    Ok(())
}

/// One zone of the least certain: its nearest school and share there, and
/// its likeliest outcome.
fn uncertain_row(
    w: &mut dyn Write,
    l: Lang,
    region: &Region,
    uncertainty: f64,
    gl: &GroupLottery,
    i: usize,
) -> std::io::Result<()> {
    let zc = &gl.chances[i];
    let ez = &gl.entrants.zones[zc.pos];
    let zone = &region.zones[ez.zone];
    let (nearest, share) = match ez.choices.first() {
        Some(c) => {
            let ch = &zc.schools[c.member];
            (
                school_name(region, gl, c.member),
                format!("{} ({}-{})", pct(ch.mean), pct(ch.p5), pct(ch.p95)),
            )
        }
        None => (tr!(l, "lottery.none_within_reach").into(), String::new()),
    };
    let likeliest = zc.likeliest();
    let most = (0..gl.group.schools.len())
        .find(|&m| zc.schools[m].mean == likeliest)
        .map_or_else(
            || tr!(l, "lottery.no_seat").to_string(),
            |m| school_name(region, gl, m),
        );
    writeln!(
        w,
        "| {} {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
        md(&zone.id),
        md(&zone.name),
        l.stage(gl.group.stage),
        md(&gl.group.id),
        l.count(ez.children),
        pct(uncertainty),
        nearest,
        share,
        most,
        pct(likeliest)
    )
}
