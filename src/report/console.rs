//! The one-screen summary a run prints when it is done.

use std::fmt::Write;

use crate::i18n::Lang;
use crate::model::Stage;
use crate::tr;

use super::Summary;

/// The end-of-run summary: both stages' figures, gap, spread of
/// utilization and children without a seat, in the run's language.
pub fn console_summary(s: &Summary, lang: Lang) -> String {
    let l = lang;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(tr!(
        l,
        "console.head",
        scenario = s.scenario,
        zones = l.count(s.zones as u64),
        schools = l.count(s.schools as u64)
    ));
    let widths = [8, 9, 9, 9, 13, 13, 9, 10];
    let header = [
        "stage",
        "children",
        "placed",
        "unplaced",
        "child_km",
        "bound",
        "gap",
        "violations",
    ]
    .map(|key| l.text(&format!("console.{key}")).to_string());
    line(columns(&header, &widths));
    for stage in Stage::ALL {
        let x = s.stage(stage);
        let cells = [
            stage_name(l, stage).to_string(),
            l.count(x.children),
            l.count(x.placed),
            l.count(x.unplaced),
            format!("{:.1}", x.objective_km),
            format!("{:.1}", x.bound_km),
            gap(l, x.gap),
            x.violations.to_string(),
        ];
        line(columns(&cells, &widths));
    }
    line(format!(
        "{} {}",
        pad(tr!(l, "console.both"), 8, false),
        tr!(
            l,
            "console.totals",
            gap = gap(l, s.total.gap),
            split = s.solver.split_units,
            widened = s.solver.widened_units
        )
    ));
    for stage in Stage::ALL {
        let u = s.utilization.stage(stage);
        let beside = u.distance_only.as_ref().map_or(String::new(), |d| {
            tr!(
                l,
                "console.distance_only",
                spread = format!("{:.1}", d.spread * 100.0)
            )
        });
        line(format!(
            "{} {}",
            pad(stage_name(l, stage), 8, false),
            tr!(
                l,
                "console.spread",
                spread = format!("{:.1}", u.plan.spread * 100.0),
                beside = beside,
                pairs = u.plan.uneven_pairs,
                gap = format!("{:.0}", s.utilization.uneven_pair_gap * 100.0)
            )
        ));
    }
    if let Some(lists) = &s.migrant_lists {
        for stage in Stage::ALL {
            let m = lists.stage(stage);
            line(format!(
                "{} {}",
                pad(stage_name(l, stage), 8, false),
                tr!(
                    l,
                    "console.migrant_lists",
                    objective = format!("{:.1}", m.objective_km),
                    bound = format!("{:.1}", m.bound_km),
                    gap = gap(l, m.gap),
                    other = m.zones_with_other_school
                )
            ));
        }
    }
    for stage in Stage::ALL {
        let c = &s.stage(stage).contiguity;
        if c.catchments_in_pieces == 0 {
            continue;
        }
        let (stage, n) = (stage_name(l, stage), c.catchments_in_pieces);
        line(tr!(l, "console.pieces_note", stage = stage, n = n));
        if let Some(local) = c.deep_join_may_join() {
            line(tr!(l, "console.deep_join_hint", local = local));
        }
    }
    let unplaced: u64 = Stage::ALL.iter().map(|&st| s.stage(st).unplaced).sum();
    if unplaced > 0 {
        line(tr!(l, "console.unplaced_note", n = l.count(unplaced)));
    }
    out
}

fn stage_name(lang: Lang, stage: Stage) -> &'static str {
    match lang {
        Lang::En => stage.key(),
        Lang::Zh => lang.stage(stage),
    }
}

fn gap(lang: Lang, g: Option<f64>) -> String {
    g.map_or(tr!(lang, "report.na").into(), |g| {
        format!("{:.3}%", g * 100.0)
    })
}

/// Cells padded to their column: the first left-aligned, the rest right.
pub(super) fn columns(cells: &[String], widths: &[usize]) -> String {
    let mut row = String::new();
    for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            row.push(' ');
        }
        let _ = write!(row, "{}", pad(cell, width, i > 0));
    }
    row
}

/// `text` padded with spaces to `width` terminal columns (a Chinese
/// character takes two).
pub(super) fn pad(text: &str, width: usize, right: bool) -> String {
    let shown: usize = text
        .chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum();
    let fill = " ".repeat(width.saturating_sub(shown));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_take_two_columns() {
        assert_eq!(pad("小学", 8, false), "小学    ");
        assert_eq!(pad("12", 5, true), "   12");
        assert_eq!(pad("primary", 8, false), "primary ");
    }
}
