//! The Excel workbooks a bureau opens, prints and publishes:
//! `catchment-lists.xlsx` (对口小区名单, one sheet per stage and list, school
//! -> community -> compound) and `schools.xlsx` (the per-school table with
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
    let lang = info.lang;
    let mut book = workbook().map_err(xlsx_error)?;
    let title = tr!(lang, "workbook.lists_title", scenario = info.scenario);
    for stage in Stage::ALL {
        for (sp, which) in plan.passes(stage) {
            let sheet = book.add_worksheet();
            sheet
                .set_name(sheet_name(lang, stage, which, plan.migrant.is_some()))
                .map_err(xlsx_error)?;
            let list = List {
                region,
                communities,
                sp,
                which,
                stage,
            };
            list_sheet(sheet, &list, lang, &title).map_err(xlsx_error)?;
        }
    }
    save(w, book)
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

fn list_sheet(
    sheet: &mut Worksheet,
    list: &List,
    lang: Lang,
    title: &str,
) -> Result<(), XlsxError> {
    let List {
        region,
        communities,
        sp,
        which,
        stage,
    } = *list;
    let mut widths = Widths::new(LIST_COLUMNS.len());
    page_setup(sheet, &header(lang, &LIST_COLUMNS), title, &mut widths)?;
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
    let mut row: u32 = 1;
    for (s, zones) in catchment_members(region, sp) {
        let school = &region.schools[s];
        let counts = |z: usize| Counts {
            children: which.cohort(&region.zones[z], stage).total().into(),
            placed: sp.zones[z].placed.into(),
            unplaced: sp.zones[z].unplaced.into(),
        };
        let mut total = Counts::default();
        zones.iter().for_each(|&z| total.add(counts(z)));
        let school_row = row;
        let cells = [school.id.as_str(), school.name.as_str(), "", "", ""];
        write_counted_row(sheet, row, &cells, total, Some(&bold), &mut widths)?;
        row += 1;
        for (community, members) in communities.group(&zones) {
            let community_row = row;
            if let Some(name) = community {
                let mut sub = Counts::default();
                members.iter().for_each(|&z| sub.add(counts(z)));
                let cells = [school.id.as_str(), school.name.as_str(), name, "", ""];
                write_counted_row(sheet, row, &cells, sub, Some(&italic), &mut widths)?;
                row += 1;
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
                write_counted_row(sheet, row, &cells, counts(z), None, &mut widths)?;
                row += 1;
            }
            if community.is_some() && row > community_row + 1 {
                sheet.group_rows(community_row + 1, row - 1)?;
            }
        }
        if row > school_row + 1 {
            sheet.group_rows(school_row + 1, row - 1)?;
        }
    }
    widths.apply(sheet)
}

fn write_counted_row(
    sheet: &mut Worksheet,
    row: u32,
    texts: &[&str; 5],
    counts: Counts,
    format: Option<&Format>,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
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
    Ok(())
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
