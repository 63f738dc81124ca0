//! The lines compare, project, site and lottery print when they are done,
//! in the documents' language: the person who ran the command reads them
//! before opening any file. `plan HEX` lines stay as they are (scripts and
//! tests read them).

use std::path::Path;

use crate::i18n::Lang;
use crate::model::Stage;
use crate::planning::site_choice::SiteSummary;
use crate::tr;

use super::comparison::Comparison;
use super::console::{columns, pad};
use super::lottery::LotterySummary;
use super::projection::ProjectionSummary;
use super::site::{search, stage_of};

/// Lines gathered with a newline each.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn push(&mut self, line: impl AsRef<str>) {
        self.0.push_str(line.as_ref());
        self.0.push('\n');
    }
}

/// A column header row from `console.KEY` texts.
fn header(l: Lang, keys: &[&str], widths: &[usize]) -> String {
    let cells: Vec<String> = keys
        .iter()
        .map(|k| l.text(&format!("console.{k}")).to_string())
        .collect();
    columns(&cells, widths)
}

/// `wrote PATH` after a command's outputs.
pub fn wrote(l: Lang, path: &Path) -> String {
    tr!(l, "console.wrote", path = path.display())
}

/// compare: the two scenarios' distances, shortages and moved children.
pub fn compare_lines(c: &Comparison, l: Lang) -> String {
    let mut out = Lines::default();
    out.push(tr!(
        l,
        "console.compare_head",
        a = c.a.scenario,
        b = c.b.scenario
    ));
    let widths = [8, 12, 12, 12, 12, 10];
    out.push(header(
        l,
        &[
            "stage",
            "mean_km_a",
            "mean_km_b",
            "short_a",
            "short_b",
            "moved",
        ],
        &widths,
    ));
    for stage in Stage::ALL {
        let (x, y) = (c.a.stage(stage), c.b.stage(stage));
        let cells = [
            l.stage(stage).to_string(),
            format!("{:.3}", x.mean_km),
            format!("{:.3}", y.mean_km),
            l.count(x.unplaced),
            l.count(y.unplaced),
            l.count(c.moved(stage).children),
        ];
        out.push(columns(&cells, &widths));
    }
    out.0
}

/// compare's closing error when either plan breaks a hard limit.
pub fn compare_violations(l: Lang, violations: usize) -> String {
    tr!(
        l,
        "console.compare_violations",
        n = l.count(violations as u64)
    )
}

/// project: entrants, shortages and pupils year by year, and the first
/// school that runs short (学位预警).
pub fn projection_lines(p: &ProjectionSummary, reoptimize: bool, l: Lang) -> String {
    let mut out = Lines::default();
    let how = if reoptimize {
        tr!(l, "console.project_reoptimised")
    } else {
        tr!(l, "console.project_fixed")
    };
    out.push(tr!(
        l,
        "console.project_head",
        scenario = p.scenario,
        years = p.years.len(),
        how = how
    ));
    let widths = [6, 10, 10, 10, 10, 8];
    out.push(header(
        l,
        &["year", "primary", "junior", "unplaced", "pupils", "short"],
        &widths,
    ));
    for y in &p.years {
        let cells = [
            y.year.to_string(),
            l.count(y.primary.entrants),
            l.count(y.junior.entrants),
            l.count(y.primary.unplaced + y.junior.unplaced),
            l.count(y.primary.pupils() + y.junior.pupils()),
            l.count(y.schools_short as u64),
        ];
        out.push(columns(&cells, &widths));
    }
    out.push(match p.warnings.first() {
        Some(w) => tr!(
            l,
            "console.project_warning",
            n = l.count(p.warnings.len() as u64),
            year = w.first_year,
            id = w.school_id,
            name = w.school_name
        ),
        None => tr!(l, "console.project_no_warning").to_string(),
    });
    out.0
}

/// project's digest line: the plan of the first year.
pub fn projection_digest(l: Lang, digest: &str) -> String {
    tr!(l, "console.project_digest", digest = digest)
}

/// site: the best five schools for one more class and the chosen sites.
pub fn site_lines(s: &SiteSummary, l: Lang) -> String {
    let mut out = Lines::default();
    out.push(tr!(l, "console.site_head", scenario = s.scenario));
    for r in s.classes.iter().take(5) {
        out.push(tr!(
            l,
            "console.site_class",
            rank = pad(&r.rank.to_string(), 2, true),
            id = r.school_id,
            name = r.school_name,
            stage = stage_of(l, r.stage),
            seated = l.count(r.shortage_removed),
            km = format!("{:.1}", r.km_saved)
        ));
    }
    if let Some(c) = &s.sites {
        let method = match l {
            Lang::En => c.method.clone(),
            Lang::Zh => search(l, &c.search),
        };
        out.push(tr!(
            l,
            "console.site_sites",
            sites = c.sites,
            candidates = c.candidates,
            method = method,
            before = l.count(c.plan_before.unplaced),
            after = l.count(c.plan_after.unplaced),
            km_before = format!("{:.1}", c.plan_before.travel_km),
            km_after = format!("{:.1}", c.plan_after.travel_km)
        ));
        for r in &c.chosen {
            out.push(tr!(
                l,
                "console.site_chosen",
                id = r.id,
                name = r.name,
                seated = l.count(r.shortage_removed),
                km = format!("{:.1}", r.km_saved),
                primary = l.count(r.intake_primary),
                junior = l.count(r.intake_junior)
            ));
        }
    }
    out.0
}

/// lottery: the published draw per stage. `groups_from` says where the
/// groups came from in `l`.
pub fn lottery_lines(s: &LotterySummary, groups_from: &str, l: Lang) -> String {
    let mut out = Lines::default();
    out.push(tr!(
        l,
        "console.lottery_head",
        scenario = s.scenario,
        seed = s.seed,
        draws = l.count(s.seeds as u64),
        groups = groups_from
    ));
    let widths = [8, 6, 7, 9, 7, 8, 8, 9, 15];
    out.push(header(
        l,
        &[
            "stage",
            "groups",
            "schools",
            "children",
            "seats",
            "nearest",
            "other",
            "unplaced",
            "oversubscribed",
        ],
        &widths,
    ));
    for x in &s.stages {
        let stage = Stage::ALL
            .into_iter()
            .find(|st| st.key() == x.stage)
            .map_or(x.stage, |st| l.stage(st));
        let cells = [
            stage.to_string(),
            l.count(x.groups as u64),
            l.count(x.schools as u64),
            l.count(x.children),
            l.count(x.seats),
            l.count(x.placed_nearest),
            l.count(x.placed_other),
            l.count(x.unplaced),
            l.count(x.oversubscribed_schools as u64),
        ];
        out.push(columns(&cells, &widths));
    }
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_line_up_in_both_languages() {
        let widths = [8, 12];
        let en = header(Lang::En, &["stage", "mean_km_a"], &widths);
        assert_eq!(en, format!("{:<8} {:>12}", "stage", "mean km A"));
        let zh = header(Lang::Zh, &["stage", "mean_km_a"], &widths);
        assert!(zh.starts_with("学段"), "{zh}");
    }
}
