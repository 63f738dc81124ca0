//! What the bureau publishes, all written into one folder at once:
//!
//! - `zones.geojson`: the input zones with their school, distance and any
//!   children left without a seat, per stage;
//! - `catchments.geojson`: one dissolved area per school and stage;
//! - `schools.csv`: intake, classes, seats and limits per school and stage;
//! - `catchment-lists.csv` / `.md`: the compounds of each catchment (对口小区名单);
//! - `unplaced.csv`: every zone with children without a seat, and why;
//! - `migrant-placements.csv`: where each zone's migrant children went;
//! - `special-placements.csv`: where each zone's children with
//!   disabilities went (resource room, regular class, no seat);
//! - `feeders.csv`: which primary catchment goes on to which junior school;
//! - `summary.json` and `report.md`: totals, objective, bound, gap, checks;
//! - `map-primary.png`, `map-junior.png`: the catchments at a glance.
//!
//! Multi-school lotteries (`catchment lottery`), comparisons of two
//! scenarios (`compare`), projections (`project`) and the seat and site
//! analysis (`site`) write their own folders, see [`lottery`], [`compare`],
//! [`projection`] and [`site`].
//!
//! CSV files start with a UTF-8 byte-order mark so that Excel shows Chinese
//! names; GeoJSON is RFC 7946 (WGS84, no BOM) so that QGIS opens it.

mod catchments;
mod change_map;
pub mod chart;
mod colors;
pub mod command_lines;
pub mod compare;
pub mod comparison;
mod console;
pub mod distance;
mod fonts;

pub mod html;
mod interrupt;
pub mod lottery;
pub(crate) mod map;
pub mod markdown;
mod output_dir;
pub mod outside_china;
pub mod print_map;
pub mod projection;
pub mod reasons;
pub mod report_md;
mod shapefiles;
pub mod site;
mod streamed_workbook;
mod summary;
mod tables;
mod workbooks;
mod zones;

use std::path::{Path, PathBuf};

pub use catchments::{Catchment, dissolve, polsby_popper};
pub use colors::school_colors;
pub use console::console_summary;
pub use fonts::cjk_font;
pub use map::{Caption, missing_font_note, render_map};
pub use output_dir::{OutputDir, recover as recover_output};
pub use summary::{StageSummary, Summary};

use crate::i18n::Lang;
use crate::model::{Region, Stage};
use crate::plan::Plan;
use crate::policy::Policy;
use crate::solve::Settings;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} exists and is not an earlier plan (no summary.json in it): refusing to replace it; choose another --out folder or remove it"
    )]
    NotOurs { path: PathBuf },
    #[error("{path}: left by an interrupted run; {message}")]
    Leftover {
        path: PathBuf,
        message: &'static str,
    },
    #[error(
        "{path} is not a file of the earlier plan (not in its manifest) and this run writes a file of that name: move or rename it, then run again"
    )]
    Clash { path: PathBuf },
    #[error("{path}: cannot draw the picture: {message}")]
    Map { path: PathBuf, message: String },
}

impl ReportError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Facts about the run that the outputs record.
#[derive(Clone, Debug)]
pub struct RunInfo<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    pub settings: &'a Settings,
    pub seconds: f64,
    /// The language of the documents people read.
    pub lang: Lang,
    /// Calendar year of the intake, when the scenario gives it (map titles).
    pub year: Option<i32>,
    /// The coordinate system and formats of the map files.
    pub output: MapOutput,
    /// The coordinate systems the zones and schools were read in.
    pub input_crs: crate::run::InputCrs,
}

pub use crate::run::MapOutput;

/// Writes every output into `dir` (replacing an earlier plan there) and
/// returns the summary it wrote.
pub fn write_all(
    dir: &Path,
    region: &Region,
    policy: &Policy,
    plan: &Plan,
    info: &RunInfo,
) -> Result<Summary, ReportError> {
    let out = OutputDir::create(dir)?;
    // The summary (which may build the zones' adjacency) beside the
    // catchments' shapes: each keeps a core busy for a few tenths of a
    // second on a province.
    let ((colors, catchments), summary) = rayon::join(
        || {
            (
                Stage::ALL.map(|stage| school_colors(region, stage)),
                Stage::ALL.map(|stage| dissolve(region, policy, plan, stage)),
            )
        },
        || Summary::build(region, policy, plan, info),
    );
    let summary = summary.with_compactness(&catchments);

    let crs = info.output.crs;
    let compactness = catchments.each_ref().map(|stage| {
        stage
            .iter()
            .filter_map(|c| c.polsby_popper.map(|pp| (c.figures.school, pp)))
            .collect::<std::collections::HashMap<usize, f64>>()
    });
    let school_rows = tables::school_rows(region, policy, plan, &compactness, info.lang);
    let titles = Stage::ALL.map(|stage| print_map::title(info, stage));
    let png = |stage: Stage| {
        let caption = Caption {
            title: &titles[stage.index()],
            lang: info.lang,
        };
        let (c, k) = (&catchments[stage.index()], &colors[stage.index()]);
        let path = out.path(&format!("map-{}.png", stage.key()));
        render_map(&path, region, plan, stage, c, k, &caption)
    };
    let svg = |stage: Stage, w: &mut dyn std::io::Write| {
        let (c, k) = (&catchments[stage.index()], &colors[stage.index()]);
        print_map::write_svg(w, region, plan, stage, c, k, info)
    };
    let lang = info.lang;
    let communities = tables::Communities::of(region);
    let files: Vec<(&str, Writer)> = vec![
        (
            "zones.geojson",
            Box::new(|w| zones::write(w, region, plan, crs)),
        ),
        (
            "catchment-lists.xlsx",
            Box::new(|w| workbooks::lists_xlsx(w, region, plan, &communities, info)),
        ),
        (
            "catchment-lists.csv",
            Box::new(|w| tables::lists_csv(w, lang, region, plan, &communities)),
        ),
        ("map-primary.svg", Box::new(|w| svg(Stage::Primary, w))),
        ("map-junior.svg", Box::new(|w| svg(Stage::Junior, w))),
        (
            "catchments.geojson",
            Box::new(|w| catchments::write(w, region, &catchments, &colors, crs)),
        ),
        (
            "catchment-lists.md",
            Box::new(|w| tables::lists_md(w, region, plan, &communities, info)),
        ),
        (
            "schools.csv",
            Box::new(|w| tables::schools_csv(w, lang, &school_rows)),
        ),
        (
            "schools.xlsx",
            Box::new(|w| workbooks::schools_xlsx(w, info, policy, &school_rows)),
        ),
        (
            "unplaced.csv",
            Box::new(|w| tables::unplaced_csv(w, lang, region, plan)),
        ),
        (
            "feeders.csv",
            Box::new(|w| tables::feeders_csv(w, lang, region, plan)),
        ),
        (
            "migrant-placements.csv",
            Box::new(|w| tables::migrant_placements_csv(w, lang, region, plan)),
        ),
        (
            "special-placements.csv",
            Box::new(|w| tables::special_placements_csv(w, lang, region, plan)),
        ),
    ];
    // Every file is written on its own, so they are written side by side,
    // the slowest first: the largest files, the PNG maps, then the rest;
    // each file's bytes are the same in any order.
    let dir = &out;
    let mut jobs: Vec<Job> = files
        .iter()
        .map(|(name, write)| -> Job { Box::new(move || dir.write(name, |w| write(w))) })
        .collect();
    let pngs: [Job; 2] = [
        Box::new(|| png(Stage::Primary)),
        Box::new(|| png(Stage::Junior)),
    ];
    jobs.splice(LARGEST_FILES..LARGEST_FILES, pngs);
    if info.output.formats.shp {
        jobs.push(Box::new(|| {
            shapefiles::write_zones(&out, region, plan, crs)
        }));
        jobs.push(Box::new(|| {
            shapefiles::write_catchments(&out, region, &catchments, crs)
        }));
    }
    run_jobs(&jobs)?;
    drop(jobs); // they borrow the folder `commit` takes
    let doc = report_md::Doc {
        region,
        policy,
        plan,
        summary: &summary,
        lang: info.lang,
        map_note: missing_font_note(info.lang),
    };
    out.write("report.md", |w| report_md::write(w, &doc))?;
    // Last: its presence marks a complete plan folder.
    out.write(output_dir::MARKER, |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")
    })?;
    out.commit()?;
    Ok(summary)
}

/// The files at the head of `write_all`'s list that take longer than a PNG
/// map: zones.geojson and the two catchment lists (workbook, CSV).
const LARGEST_FILES: usize = 3;

/// One piece of a plan folder's writing.
type Job<'a> = Box<dyn Fn() -> Result<(), ReportError> + Send + Sync + 'a>;

/// What writes one file's bytes.
type Writer<'a> = Box<dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + Send + Sync + 'a>;

/// Runs the jobs on the thread pool, each thread taking the next job not
/// yet taken, so that the longest (first) start first and the short ones
/// fill in at the end; the first failure in the jobs' order is the one
/// reported, whatever finished first.
fn run_jobs(jobs: &[Job]) -> Result<(), ReportError> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let done: Vec<std::sync::OnceLock<Result<(), ReportError>>> =
        jobs.iter().map(|_| std::sync::OnceLock::new()).collect();
    (0..rayon::current_num_threads().min(jobs.len()))
        .into_par_iter()
        .for_each(|_| {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let _ = done[i].set(job());
            }
        });
    done.into_iter()
        .try_for_each(|d| d.into_inner().expect("every job ran"))
}

/// Writes a CSV file's UTF-8 byte-order mark.
fn bom(w: &mut dyn std::io::Write) -> std::io::Result<()> {
    w.write_all(b"\xEF\xBB\xBF")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_job_runs_and_the_first_failure_in_order_is_reported() {
        let ran = AtomicUsize::new(0);
        let job = |fails: bool, path: &'static str| -> Job {
            let ran = &ran;
            Box::new(move || {
                ran.fetch_add(1, Ordering::Relaxed);
                match fails {
                    true => Err(ReportError::io(Path::new(path), std::io::Error::other("x"))),
                    false => Ok(()),
                }
            })
        };
        let jobs: Vec<Job> = (0..9)
            .map(|i| {
                job(
                    i == 4 || i == 7,
                    ["a", "b", "c", "d", "e", "f", "g", "h", "i"][i],
                )
            })
            .collect();
        let err = run_jobs(&jobs).unwrap_err();
        assert_eq!(err.to_string(), "e: x");
        assert_eq!(ran.load(Ordering::Relaxed), 9);
        assert!(run_jobs(&jobs[..4]).is_ok());
    }
}
