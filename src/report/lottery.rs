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

use super::markdown::not_formula;
use super::tables::{csv_writer, fixed};
use super::{OutputDir, ReportError, output_dir};
use crate::model::{Region, Stage};
use crate::plan::lottery::{GroupLottery, Lottery};

/// Zones listed in `lottery.md` as the least certain.
pub const UNCERTAIN_ZONES_LISTED: usize = 20;

/// What the run was, for the files.
#[derive(Clone, Debug)]
pub struct LotteryInfo<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    /// Where the groups came from, in words.
    pub groups_from: String,
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
    out.write("lottery-groups.csv", |w| groups_csv(w, region, lottery))?;
    out.write("lottery-schools.csv", |w| schools_csv(w, region, lottery))?;
    out.write("lottery-chances.csv", |w| chances_csv(w, region, lottery))?;
    out.write(&seed_file(lottery.seed), |w| seed_csv(w, region, lottery))?;
    out.write("lottery.md", |w| report_md(w, region, lottery, &summary))?;
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

fn groups_csv(w: &mut dyn Write, region: &Region, lottery: &Lottery) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "group",
        "stage",
        "schools",
        "school_names",
        "zones",
        "children",
        "seats",
        "unplaced_in_draw",
    ])?;
    for gl in &lottery.groups {
        let (ids, names) = school_ids(region, gl);
        csv.write_record([
            gl.group.id.clone(),
            gl.group.stage.key().to_string(),
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

fn schools_csv(w: &mut dyn Write, region: &Region, lottery: &Lottery) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
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
    ])?;
    for gl in &lottery.groups {
        for (m, &s) in gl.group.schools.iter().enumerate() {
            let d = &gl.published;
            csv.write_record([
                gl.group.id.clone(),
                gl.group.stage.key().to_string(),
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

fn chances_csv(w: &mut dyn Write, region: &Region, lottery: &Lottery) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
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
    ])?;
    for gl in &lottery.groups {
        for zc in &gl.chances {
            let ez = &gl.entrants.zones[zc.pos];
            let zone = &region.zones[ez.zone];
            let head = [
                gl.group.id.clone(),
                gl.group.stage.key().to_string(),
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
                            "school".to_string(),
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
                        .chain(["unplaced".to_string(), String::new(), String::new()])
                        .chain([String::new(), String::new()])
                        .chain(stats(&zc.unplaced)),
                )?;
            }
        }
    }
    csv.flush()
}

fn seed_csv(w: &mut dyn Write, region: &Region, lottery: &Lottery) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
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
    ])?;
    for gl in &lottery.groups {
        let d = &gl.published;
        for (pos, ez) in gl.entrants.zones.iter().enumerate() {
            let zone = &region.zones[ez.zone];
            let head = [
                gl.group.id.clone(),
                gl.group.stage.key().to_string(),
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
                    gl.entrants.reason(pos).to_string(),
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
    region: &Region,
    lottery: &Lottery,
    summary: &LotterySummary,
) -> std::io::Result<()> {
    writeln!(w, "# 多校划片 Multi-school zones: {}\n", summary.scenario)?;
    if !summary.description.is_empty() {
        writeln!(w, "{}\n", summary.description)?;
    }
    writeln!(
        w,
        "Groups: {}. Published draw: seed {}; chances over {} draws (seeds {}..{}).\n",
        summary.groups_from,
        lottery.seed,
        lottery.seeds,
        lottery.seed,
        lottery.seed + lottery.seeds as u64 - 1
    )?;
    writeln!(
        w,
        "Each child applies to the nearest school of the group. A school with more \
         applicants than seats admits them in lottery order (随机派位); those it cannot \
         take apply, in the next round, to their nearest school of the group that still \
         has seats. Children no school of the group can take are listed without a seat, \
         with the reason. In every draw, children = placed + unplaced for every zone and \
         group, and no school takes more than its seats.\n"
    )?;
    writeln!(
        w,
        "| stage | groups | schools | zones | children | seats | at nearest school | at another | without a seat | oversubscribed schools |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for s in &summary.stages {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.stage,
            s.groups,
            s.schools,
            s.zones,
            s.children,
            s.seats,
            s.placed_nearest,
            s.placed_other,
            s.unplaced,
            s.oversubscribed_schools
        )?;
    }

    writeln!(w, "\n## Groups\n")?;
    if lottery.groups.is_empty() {
        writeln!(
            w,
            "No group: every school keeps its single-school catchment."
        )?;
    } else {
        writeln!(
            w,
            "| group | stage | schools | zones | children | seats | without a seat (draw {}) |",
            lottery.seed
        )?;
        writeln!(w, "|---|---|---|---:|---:|---:|---:|")?;
        for (gl, row) in lottery.groups.iter().zip(&summary.groups) {
            let names: Vec<String> = gl
                .group
                .schools
                .iter()
                .map(|&s| format!("{} {}", region.schools[s].id, region.schools[s].name))
                .collect();
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.group,
                row.stage,
                names.join("; "),
                row.zones,
                row.children,
                row.seats,
                row.unplaced
            )?;
        }
    }

    writeln!(w, "\n## Oversubscribed schools\n")?;
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
        writeln!(
            w,
            "None: every child has a seat at the nearest school of the group."
        )?;
    } else {
        writeln!(
            w,
            "| school | stage | group | first-choice applicants | seats | applicants per seat | admitted (first choice) | admitted from other schools (draw {}) |",
            lottery.seed
        )?;
        writeln!(w, "|---|---|---|---:|---:|---:|---:|---:|")?;
        for (r, gl, m) in &over {
            let s = &region.schools[gl.group.schools[*m]];
            writeln!(
                w,
                "| {} {} | {} | {} | {} | {} | {} | {} | {} |",
                s.id,
                s.name,
                gl.group.stage.key(),
                gl.group.id,
                gl.applicants[*m],
                gl.group.seats[*m],
                if r.is_finite() {
                    fixed(*r, 2)
                } else {
                    "no seats".into()
                },
                gl.published.admitted_first[*m],
                gl.published.admitted_other[*m]
            )?;
        }
    }

    writeln!(w, "\n## Zones with the least certain outcome\n")?;
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
        writeln!(
            w,
            "None: every zone's children get the same school in every draw."
        )?;
    } else {
        writeln!(
            w,
            "Uncertainty = the chance that a child of the zone does not get the outcome most likely for it, over the {} draws. Shares: mean (5th-95th percentile).\n",
            lottery.seeds
        )?;
        writeln!(
            w,
            "| zone | stage | group | children | uncertainty | nearest school | its share | most likely |"
        )?;
        writeln!(w, "|---|---|---|---:|---:|---|---:|---|")?;
        for (u, gl, i) in zones.iter().take(UNCERTAIN_ZONES_LISTED) {
            let zc = &gl.chances[*i];
            let ez = &gl.entrants.zones[zc.pos];
            let zone = &region.zones[ez.zone];
            let school = |m: usize| {
                let s = &region.schools[gl.group.schools[m]];
                format!("{} {}", s.id, s.name)
            };
            let (nearest, share) = match ez.choices.first() {
                Some(c) => {
                    let ch = &zc.schools[c.member];
                    (
                        school(c.member),
                        format!("{} ({}-{})", pct(ch.mean), pct(ch.p5), pct(ch.p95)),
                    )
                }
                None => ("(none within reach)".into(), String::new()),
            };
            let likeliest = zc.likeliest();
            let most = (0..gl.group.schools.len())
                .find(|&m| zc.schools[m].mean == likeliest)
                .map_or_else(|| "no seat".to_string(), school);
            writeln!(
                w,
                "| {} {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
                zone.id,
                zone.name,
                gl.group.stage.key(),
                gl.group.id,
                ez.children,
                pct(*u),
                nearest,
                share,
                most,
                pct(likeliest)
            )?;
        }
        if zones.len() > UNCERTAIN_ZONES_LISTED {
            writeln!(
                w,
                "\n{} more zones have an uncertain outcome; every zone is in lottery-chances.csv.",
                zones.len() - UNCERTAIN_ZONES_LISTED
            )?;
        }
    }
    writeln!(
        w,
        "\nFiles: {}.",
        summary
            .files
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(())
}
