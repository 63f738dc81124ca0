//! The Excel workbooks a bureau opens, prints and publishes:
//! `catchment-lists.xlsx` (对口小区名单, one sheet per stage and list, school
//! -> community -> compound, over further sheets past Excel's row limit;
//! streamed, see [`super::streamed_workbook`]) and `schools.xlsx` (the
//! per-school table with numbers as numbers). Ids are written as text, so
//! a long numeric compound id keeps its leading zeros; every text is a
//! string cell, never a formula.

use std::io::Write;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::i18n::Lang;
use crate::model::{Region, Stage};
use crate::plan::{Children, Plan, SchoolFigures, StagePlan};
use crate::policy::Policy;
use crate::tr;

use super::RunInfo;
use super::streamed_workbook::{ListLayout, StreamedWorkbook, Style, Value};
use super::tables::{Cell, Communities, SCHOOL_COLUMNS, catchment_members, header};

/// Excel's paper size code for A4.
const A4: u8 = 9;
/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

fn xlsx_error(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A workbook whose bytes do not depend on the day it was written.
fn workbook() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // The fastest deflate: the city's lists workbook is written in a
    // fraction of the time for a file a little larger.
    book.set_zip_compression_level(1);
    let fixed_date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed_date));
    Ok(book)
}

fn save(w: &mut dyn Write, mut book: Workbook) -> std::io::Result<()> {
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    w.write_all(&bytes)
}

/// Columns of Excel's width units wide enough for their longest text (a
/// Chinese character takes two).
struct Widths(Vec<usize>);

impl Widths {
    fn new(columns: usize) -> Widths {
        Widths(vec![6; columns])
    }

    fn fit(&mut self, col: usize, text: &str) {
        let shown: usize = text
            .chars()
            .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
            .sum();
        self.0[col] = self.0[col].max(shown.min(MAX_WIDTH));
    }

    /// Each column's width with its margin.
    fn columns(&self) -> Vec<usize> {
        self.0.iter().map(|w| w + 2).collect()
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, width) in self.columns().into_iter().enumerate() {
            sheet.set_column_width(col as u16, width as f64)?;
        }
        Ok(())
    }
}

/// Bold header in row 0, frozen, repeated on every printed page; A4 with
/// the scenario's name in the page header.
fn page_setup(
    sheet: &mut Worksheet,
    headers: &[&str],
    title: &str,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
        widths.fit(col, h);
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_paper_size(A4);
    // `&` starts a control code in Excel's page header.
    sheet.set_header(format!("&C{}", title.replace('&', "&&")));
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The sheet's name: the stage, and the list with separate migrant
/// catchments.
fn sheet_name(lang: Lang, stage: Stage, which: Children, two_lists: bool) -> String {
    let stage_name = lang.stage(stage);
    if !two_lists {
        return stage_name.to_string();
    }
    let list = match which {
        Children::Migrant => tr!(lang, "workbook.migrant_list"),
        _ => tr!(lang, "workbook.local_list"),
    };
    format!("{stage_name}-{list}")
}

/// The columns of the lists workbook.
const LIST_COLUMNS: [&str; 8] = [
    "school_id",
    "school_name",
    "community",
    "zone_id",
    "zone_name",
    "children",
    "placed",
    "unplaced",
];

/// Rows a sheet holds, its header included (Excel's limit): a longer list
/// goes on over further sheets, where one sheet would fail the whole plan
/// folder.
const SHEET_ROWS: u32 = 1_048_576;

/// catchment-lists.xlsx: per stage (and list), each school's row with its
/// totals, then its communities (zone property `community`) with theirs,
/// then the compounds, grouped as an outline.
pub fn lists_xlsx(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
    communities: &Communities,
    info: &RunInfo,
) -> std::io::Result<()> {
    let title = tr!(info.lang, "workbook.lists_title", scenario = info.scenario);
    let lists = Lists {
        region,
        plan,
        communities,
        lang: info.lang,
        title: &title,
    };
    w.write_all(&lists.book(SHEET_ROWS)?)
}

/// What the lists workbook shows.
struct Lists<'a> {
    region: &'a Region,
    plan: &'a Plan,
    communities: &'a Communities<'a>,
    lang: Lang,
    title: &'a str,
}

impl Lists<'_> {
    /// The workbook's bytes, with at most `limit` rows a sheet.
    fn book(&self, limit: u32) -> std::io::Result<Vec<u8>> {
        let Lists { region, plan, .. } = *self;
        let mut book = StreamedWorkbook::new(limit);
        let headers = header(self.lang, &LIST_COLUMNS);
        for stage in Stage::ALL {
            for (sp, which) in plan.passes(stage) {
                let list = List {
                    region,
                    communities: self.communities,
                    sp,
                    which,
                    stage,
                };
                let name = sheet_name(self.lang, stage, which, plan.migrant.is_some());
                book.start_list(&ListLayout {
                    name: &name,
                    headers: &headers,
                    widths: &list.widths(&headers)?.columns(),
                    levels: if self.communities.grouped() { 2 } else { 1 },
                    title: self.title,
                })?;
                list.each_row(|row| {
                    if let Some(rows) = row.block {
                        book.keep_together(rows)?;
                    }
                    let [a, b, c, d, e] = row.texts.map(Value::Text);
                    let Counts {
                        children,
                        placed,
                        unplaced,
                    } = row.counts;
                    let [f, g, h] = [children, placed, unplaced].map(Value::Count);
                    book.row(&[a, b, c, d, e, f, g, h], row.style, row.level)
                })?;
            }
        }
        book.finish()
    }
}

/// The counts a row of the lists shows.
#[derive(Clone, Copy, Default)]
struct Counts {
    children: u64,
    placed: u64,
    unplaced: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.children += other.children;
        self.placed += other.placed;
        self.unplaced += other.unplaced;
    }
}

/// One list sheet's plan: a stage's pass (local, migrant or all children).
#[derive(Clone, Copy)]
struct List<'a> {
    region: &'a Region,
    communities: &'a Communities<'a>,
    sp: &'a StagePlan,
    which: Children,
    stage: Stage,
}

/// One row of a list.
struct ListRow<'a> {
    /// At a school's own row, the rows of its block: its own, its
    /// communities' and its compounds'.
    block: Option<usize>,
    texts: [&'a str; 5],
    counts: Counts,
    style: Style,
    /// 0 for a school's row, 1 under it, 2 under a community.
    level: u8,
}

impl List<'_> {
    /// The columns' widths: the sheet is streamed, so they are measured
    /// before its first row is written.
    fn widths(&self, headers: &[&str]) -> std::io::Result<Widths> {
        let mut widths = Widths::new(headers.len());
        for (col, text) in headers.iter().enumerate() {
            widths.fit(col, text);
        }
        self.each_row(|row| {
            for (col, text) in row.texts.iter().enumerate() {
                widths.fit(col, text);
            }
            Ok(())
        })?;
        Ok(widths)
    }

    /// Every row of the list in order, to `each`.
    fn each_row(
        &self,
        mut each: impl FnMut(ListRow) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let List {
            region,
            communities,
            sp,
            which,
            stage,
        } = *self;
        for (s, zones) in catchment_members(region, sp) {
            let school = &region.schools[s];
            let counts = |z: usize| Counts {
                children: which.cohort(&region.zones[z], stage).total().into(),
                placed: sp.zones[z].placed.into(),
                unplaced: sp.zones[z].unplaced.into(),
            };
            let mut total = Counts::default();
            zones.iter().for_each(|&z| total.add(counts(z)));
            let groups = communities.group(&zones);
            let named = groups.iter().filter(|g| g.0.is_some()).count();
            let (id, name) = (school.id.as_str(), school.name.as_str());
            each(ListRow {
                block: Some(1 + named + zones.len()),
                texts: [id, name, "", "", ""],
                counts: total,
                style: Style::Bold,
                level: 0,
            })?;
            for (community, members) in groups {
                let mut level = 1;
                if let Some(community) = community {
                    let mut sub = Counts::default();
                    members.iter().for_each(|&z| sub.add(counts(z)));
                    each(ListRow {
                        block: None,
                        texts: [id, name, community, "", ""],
                        counts: sub,
                        style: Style::Italic,
                        level: 1,
                    })?;
                    level = 2;
                }
                for &z in &members {
                    let zone = &region.zones[z];
                    let community = community.unwrap_or("");
                    each(ListRow {
                        block: None,
                        texts: [id, name, community, &zone.id, &zone.name],
                        counts: counts(z),
                        style: Style::Plain,
                        level,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// schools.xlsx: schools.csv's columns with numbers as numbers, shares as
/// percentages; filled where utilization reaches 100 %, a class is above
/// the limit (never expected) or the school fails the balance indicators.
pub fn schools_xlsx(
    w: &mut dyn Write,
    info: &RunInfo,
    policy: &Policy,
    rows: &[(SchoolFigures, Vec<Cell>)],
) -> std::io::Result<()> {
    let mut book = workbook().map_err(xlsx_error)?;
    let sheet = book.add_worksheet();
    let title = tr!(
        info.lang,
        "workbook.schools_title",
        scenario = info.scenario
    );
    school_sheet(sheet, info.lang, policy, rows, &title).map_err(xlsx_error)?;
    save(w, book)
}

/// Fills of the per-school sheet.
struct Fills {
    full: Format,
    over_limit: Format,
    failing: Format,
}

fn school_sheet(
    sheet: &mut Worksheet,
    lang: Lang,
    policy: &Policy,
    rows: &[(SchoolFigures, Vec<Cell>)],
    title: &str,
) -> Result<(), XlsxError> {
    sheet.set_name(tr!(lang, "workbook.schools_sheet"))?;
    sheet.set_landscape();
    let mut widths = Widths::new(SCHOOL_COLUMNS.len());
    page_setup(sheet, &header(lang, &SCHOOL_COLUMNS), title, &mut widths)?;
    let fills = Fills {
        full: Format::new().set_background_color(Color::RGB(0xFFC7CE)),
        over_limit: Format::new().set_background_color(Color::RGB(0xFF0000)),
        failing: Format::new().set_background_color(Color::RGB(0xFFEB9C)),
    };
    let column = |key: &str| SCHOOL_COLUMNS.iter().position(|c| *c == key);
    let (utilization, largest, pass) = (
        column("utilization"),
        column("largest_class"),
        column("balance_pass"),
    );
    for (i, (f, cells)) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        for (col, cell) in cells.iter().enumerate() {
            let fill = if Some(col) == utilization && f.seats > 0 && f.utilization() >= 1.0 {
                Some(&fills.full)
            } else if Some(col) == largest && f.classes.largest > policy.stage(f.stage).class_limit
            {
                Some(&fills.over_limit)
            } else if Some(col) == pass && f.balance_pass == Some(false) {
                Some(&fills.failing)
            } else {
                None
            };
            write_cell(sheet, row, col as u16, cell, fill, &mut widths)?;
        }
    }
    widths.apply(sheet)
}

/// One typed cell: text as a string (never a formula), counts and numbers
/// as numbers with their decimals, shares as percentages.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    fill: Option<&Format>,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let base = fill.cloned().unwrap_or_default();
    match cell {
        Cell::Text(t) => {
            sheet.write_string_with_format(row, col, t, &base)?;
            widths.fit(col as usize, t);
        }
        Cell::Count(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &base.set_num_format("0"))?;
        }
        Cell::Number(x, digits) => {
            let format = match digits {
                0 => "0".to_string(),
                d => format!("0.{}", "0".repeat(*d)),
            };
            sheet.write_number_with_format(row, col, *x, &base.set_num_format(format))?;
        }
        Cell::Share(x) => {
            sheet.write_number_with_format(row, col, *x, &base.set_num_format("0.0%"))?;
        }
        Cell::Flag(b) => {
            sheet.write_boolean_with_format(row, col, *b, &base)?;
        }
        Cell::Empty => {
            if fill.is_some() {
                sheet.write_blank(row, col, &base)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Params, generate};
    use crate::plan::{Preferences, make};
    use crate::solve::Settings;
    use calamine::{Reader, Xlsx};

    /// Every sheet of a book: its name and its rows as text, header first.
    fn sheets(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<String>>)> {
        let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = xlsx.sheet_names();
        let rows = |range: calamine::Range<calamine::Data>| {
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect());
            rows.collect()
        };
        names
            .into_iter()
            .map(|name| (name.clone(), rows(xlsx.worksheet_range(&name).unwrap())))
            .collect()
    }

    /// A school's own row: no community, no compound.
    fn is_school_row(row: &[String]) -> bool {
        row[2].is_empty() && row[3].is_empty()
    }

    #[test]
    fn a_list_longer_than_a_sheet_goes_on_over_further_sheets() {
        let params = Params {
            seed: 3,
            zones: 150,
            schools: 8,
            counties: 1,
        };
        let region = generate(&params);
        let policy = Policy::default();
        let preferences = Preferences::default();
        let plan = make(&region, &policy, &Settings::default(), &preferences, &()).unwrap();
        let communities = Communities::of(&region);
        let lists = Lists {
            region: &region,
            plan: &plan,
            communities: &communities,
            lang: Lang::Zh,
            title: "县",
        };
        let whole = sheets(lists.book(SHEET_ROWS).unwrap());
        assert_eq!(whole.len(), 2, "one sheet a stage");
        let longest_school = whole
            .iter()
            .flat_map(|(_, rows)| rows[1..].chunk_by(|_, next| !is_school_row(next)))
            .map(|block| block.len())
            .max()
            .unwrap();
        // Room for the longest school: every sheet starts with a school's
        // own row. Four rows: schools are cut across sheets.
        for limit in [longest_school + 1, 4] {
            let split = sheets(lists.book(limit as u32).unwrap());
            for (name, rows) in &whole {
                let parts: Vec<_> = split
                    .iter()
                    .filter(|(n, _)| n.starts_with(&format!("{name} (")))
                    .collect();
                assert!(parts.len() > 1, "{name}, {limit} rows a sheet");
                for (k, (part, part_rows)) in parts.iter().enumerate() {
                    assert_eq!(*part, format!("{name} ({})", k + 1));
                    assert_eq!(part_rows[0], rows[0], "the header on every sheet");
                    assert!(part_rows.len() <= limit);
                    if limit > 4 {
                        assert!(is_school_row(&part_rows[1]), "{part}");
                    }
                }
                let joined: Vec<&Vec<String>> = parts.iter().flat_map(|(_, r)| &r[1..]).collect();
                assert_eq!(joined, rows[1..].iter().collect::<Vec<_>>(), "{name}");
            }
        }
    }
}
