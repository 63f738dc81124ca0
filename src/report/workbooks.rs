//! The Excel workbooks a bureau opens, prints and publishes:
//! `catchment-lists.xlsx` (对口小区名单, one sheet per stage and list, school
//! -> community -> compound, over further sheets past Excel's row limit) and `schools.xlsx` (the per-school table with
//! numbers as numbers). Ids are written as text, so a long numeric compound
//! id keeps its leading zeros; every text is a string cell, never a
//! formula.

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

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, width) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (*width + 2) as f64)?;
        }
        Ok(())
    }
}

/// Rows a sheet holds, its header included (Excel's limit): a longer list
/// goes on over further sheets, where one sheet would fail the whole plan
/// folder.
const SHEET_ROWS: u32 = 1_048_576;

/// What every sheet of a list repeats.
struct Layout<'a> {
    headers: &'a [&'a str],
    /// The page header of every printed page.
    title: &'a str,
    landscape: bool,
}

/// One list's sheets: rows go on the current sheet until it is full, then
/// on a fresh one with the same header and page setup. The sheets of a list
/// that needed more than one are named `name (1)`, `name (2)`, ...
struct Pages<'b> {
    book: &'b mut Workbook,
    name: String,
    layout: Layout<'b>,
    /// Rows per sheet, the header included.
    limit: u32,
    /// The book's indices of this list's sheets.
    sheets: Vec<usize>,
    /// The next row of the last sheet.
    row: u32,
    widths: Widths,
}

/// Where one row goes.
struct Line<'p> {
    sheet: &'p mut Worksheet,
    widths: &'p mut Widths,
    row: u32,
}

impl<'b> Pages<'b> {
    fn new(
        book: &'b mut Workbook,
        name: String,
        layout: Layout<'b>,
        limit: u32,
    ) -> Result<Self, XlsxError> {
        let widths = Widths::new(layout.headers.len());
        let mut pages = Pages {
            book,
            name,
            layout,
            limit,
            sheets: Vec::new(),
            row: 0,
            widths,
        };
        pages.add_sheet()?;
        Ok(pages)
    }

    /// Bold header in row 0, frozen, repeated on every printed page; A4
    /// with the scenario's name in the page header.
    fn add_sheet(&mut self) -> Result<(), XlsxError> {
        self.sheets.push(self.book.worksheets().len());
        let sheet = self.book.add_worksheet();
        let bold = Format::new()
            .set_bold()
            .set_border_bottom(FormatBorder::Thin);
        for (col, h) in self.layout.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *h, &bold)?;
            self.widths.fit(col, h);
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.set_repeat_rows(0, 0)?;
        sheet.set_paper_size(A4);
        if self.layout.landscape {
            sheet.set_landscape();
        }
        // `&` starts a control code in Excel's page header.
        sheet.set_header(format!("&C{}", self.layout.title.replace('&', "&&")));
        sheet.set_print_fit_to_pages(1, 0);
        self.row = 1;
        Ok(())
    }

    /// Starts a fresh sheet unless `rows` more rows fit on this one (or it
    /// has none yet), so that a school's rows stay on one sheet where they
    /// can.
    fn keep_together(&mut self, rows: usize) -> Result<(), XlsxError> {
        if self.row > 1 && self.row as usize + rows > self.limit as usize {
            self.add_sheet()?;
        }
        Ok(())
    }

    /// The next row, on a fresh sheet when this one is full.
    fn line(&mut self) -> Result<Line<'_>, XlsxError> {
        if self.row >= self.limit {
            self.add_sheet()?;
        }
        let row = self.row;
        self.row += 1;
        let last = *self.sheets.last().expect("a list has a sheet");
        Ok(Line {
            sheet: self.book.worksheet_from_index(last)?,
            widths: &mut self.widths,
            row,
        })
    }

    /// Names the sheets and sets every one's columns to the widest text of
    /// the list.
    fn finish(self) -> Result<(), XlsxError> {
        let parts = self.sheets.len();
        for (k, &index) in self.sheets.iter().enumerate() {
            let sheet = self.book.worksheet_from_index(index)?;
            if parts == 1 {
                sheet.set_name(&self.name)?;
            } else {
                sheet.set_name(format!("{} ({})", self.name, k + 1))?;
            }
            self.widths.apply(sheet)?;
        }
        Ok(())
    }
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
    let book = lists.book(SHEET_ROWS).map_err(xlsx_error)?;
    save(w, book)
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
    /// The workbook, with at most `limit` rows a sheet.
    fn book(&self, limit: u32) -> Result<Workbook, XlsxError> {
        let Lists { region, plan, .. } = *self;
        let mut book = workbook()?;
        let headers = header(self.lang, &LIST_COLUMNS);
        for stage in Stage::ALL {
            for (sp, which) in plan.passes(stage) {
                let layout = Layout {
                    headers: &headers,
                    title: self.title,
                    landscape: false,
                };
                let name = sheet_name(self.lang, stage, which, plan.migrant.is_some());
                let mut pages = Pages::new(&mut book, name, layout, limit)?;
                let list = List {
                    region,
                    communities: self.communities,
                    sp,
                    which,
                    stage,
                };
                list_rows(&mut pages, &list)?;
                pages.finish()?;
            }
        }
        Ok(book)
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

fn list_rows(pages: &mut Pages, list: &List) -> Result<(), XlsxError> {
    let List {
        region,
        communities,
        sp,
        which,
        stage,
    } = *list;
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
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
        pages.keep_together(1 + named + zones.len())?;
        let cells = [school.id.as_str(), school.name.as_str(), "", "", ""];
        pages.line()?.counted(&cells, total, Some(&bold), 0)?;
        for (community, members) in groups {
            let mut level = 1;
            if let Some(name) = community {
                let mut sub = Counts::default();
                members.iter().for_each(|&z| sub.add(counts(z)));
                let cells = [school.id.as_str(), school.name.as_str(), name, "", ""];
                pages.line()?.counted(&cells, sub, Some(&italic), 1)?;
                level = 2;
            }
            for &z in &members {
                let zone = &region.zones[z];
                let cells = [
                    school.id.as_str(),
                    school.name.as_str(),
                    community.unwrap_or(""),
                    zone.id.as_str(),
                    zone.name.as_str(),
                ];
                // The default format: written without one, Excel's bytes are the
                // same and no format is looked up per cell.
                pages.line()?.counted(&cells, counts(z), None, level)?;
            }
        }
    }
    Ok(())
}

impl Line<'_> {
    /// A row of the lists at `level` of the outline (0: a school's own).
    fn counted(
        self,
        texts: &[&str; 5],
        counts: Counts,
        format: Option<&Format>,
        level: u8,
    ) -> Result<(), XlsxError> {
        let Line { sheet, widths, row } = self;
        for (col, text) in texts.iter().enumerate() {
            if !text.is_empty() {
                match format {
                    Some(f) => sheet.write_string_with_format(row, col as u16, *text, f)?,
                    None => sheet.write_string(row, col as u16, *text)?,
                };
                widths.fit(col, text);
            }
        }
        for (i, n) in [counts.children, counts.placed, counts.unplaced]
            .into_iter()
            .enumerate()
        {
            let col = (5 + i) as u16;
            match format {
                Some(f) => sheet.write_number_with_format(row, col, n as f64, f)?,
                None => sheet.write_number(row, col, n as f64)?,
            };
        }
        // Each call is one level deeper.
        for _ in 0..level {
            sheet.group_rows(row, row)?;
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
    let lang = info.lang;
    let mut book = workbook().map_err(xlsx_error)?;
    let title = tr!(lang, "workbook.schools_title", scenario = info.scenario);
    let headers = header(lang, &SCHOOL_COLUMNS);
    let layout = Layout {
        headers: &headers,
        title: &title,
        landscape: true,
    };
    let name = tr!(lang, "workbook.schools_sheet").to_string();
    let written = Pages::new(&mut book, name, layout, SHEET_ROWS).and_then(|mut pages| {
        school_rows(&mut pages, policy, rows)?;
        pages.finish()
    });
    written.map_err(xlsx_error)?;
    save(w, book)
}

/// Fills of the per-school sheet.
struct Fills {
    full: Format,
    over_limit: Format,
    failing: Format,
}

fn school_rows(
    pages: &mut Pages,
    policy: &Policy,
    rows: &[(SchoolFigures, Vec<Cell>)],
) -> Result<(), XlsxError> {
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
    for (f, cells) in rows {
        let Line { sheet, widths, row } = pages.line()?;
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
            write_cell(sheet, row, col as u16, cell, fill, widths)?;
        }
    }
    Ok(())
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
    fn sheets(mut book: Workbook) -> Vec<(String, Vec<Vec<String>>)> {
        let bytes = book.save_to_buffer().unwrap();
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
