//! A workbook of long plain lists, written row by row into its zip as the
//! rows are made.
//!
//! rust_xlsxwriter keeps every cell of a sheet in memory until it saves: a
//! province's lists (400,000 rows) took 4.3 s of one core, and 700,000
//! compounds 25 s, the slowest file of the plan folder by far. Its
//! streaming mode drops the rows' outline levels, which the lists need. So
//! the lists are written here, with only what they use: text and whole
//! numbers, a bold header row with a rule under it, bold and italic rows,
//! outline levels, the header frozen and repeated on every printed page,
//! column widths, A4 fitted to the page width and a page header. A list
//! longer than a sheet goes on over further sheets.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// A cell's look, an index into the styles part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain = 0,
    Header = 1,
    Bold = 2,
    Italic = 3,
}

/// One cell's value; an empty text leaves the cell out.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Text(&'a str),
    Count(u64),
}

/// What every sheet of a list repeats.
pub struct ListLayout<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    /// Column widths in Excel's units (characters).
    pub widths: &'a [usize],
    /// The deepest outline level of the list's rows.
    pub levels: u8,
    /// The page header of every printed page.
    pub title: &'a str,
}

/// The list being written.
struct Open {
    name: String,
    headers: Vec<String>,
    /// The `<cols>` element of its sheets.
    cols: String,
    levels: u8,
    title: String,
    /// Its sheets so far.
    parts: usize,
    /// The next row of the last sheet (1-based, as the file counts).
    row: u32,
}

/// The book being written: the lists done are in the zip, the current
/// one's last sheet is open.
pub struct StreamedWorkbook {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    options: SimpleFileOptions,
    /// Rows a sheet holds, its header included.
    limit: u32,
    /// The names of the sheets of the lists done.
    names: Vec<String>,
    open: Option<Open>,
    /// Rows gathered before they go to the compressor.
    buffer: Vec<u8>,
}

/// Bytes gathered before they go to the compressor.
const CHUNK: usize = 1 << 16;

/// The longest text Excel holds in a cell, in UTF-16 units.
const MAX_TEXT: usize = 32_767;

impl StreamedWorkbook {
    /// A book whose sheets hold at most `limit` rows each, the header
    /// included (Excel's limit is 1,048,576).
    pub fn new(limit: u32) -> StreamedWorkbook {
        // The fastest deflate, as for the other workbooks; a fixed date, so
        // that the bytes do not depend on the day.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o600);
        StreamedWorkbook {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
            options,
            limit: limit.max(2),
            names: Vec::new(),
            open: None,
            buffer: Vec::with_capacity(2 * CHUNK),
        }
    }

    /// Starts a list on a fresh sheet, with its header row.
    pub fn start_list(&mut self, layout: &ListLayout) -> std::io::Result<()> {
        self.end_list()?;
        self.open = Some(Open {
            name: layout.name.to_string(),
            headers: layout.headers.iter().map(|h| h.to_string()).collect(),
            cols: cols(layout.widths),
            levels: layout.levels,
            title: layout.title.to_string(),
            parts: 0,
            row: 1,
        });
        self.open_sheet()
    }

    /// Goes on to a fresh sheet unless `rows` more rows fit on this one
    /// (or it has none but its header), so that a block of rows stays on
    /// one sheet where it can.
    pub fn keep_together(&mut self, rows: usize) -> std::io::Result<()> {
        let next = self.list().row as usize;
        if next > 2 && next - 1 + rows > self.limit as usize {
            self.next_sheet()?;
        }
        Ok(())
    }

    /// A row of the list at outline `level` (0: none), on a fresh sheet
    /// when this one is full.
    pub fn row(&mut self, cells: &[Value], style: Style, level: u8) -> std::io::Result<()> {
        if self.list().row > self.limit {
            self.next_sheet()?;
        }
        self.write_row(cells, style, level)
    }

    /// The workbook's bytes.
    pub fn finish(mut self) -> std::io::Result<Vec<u8>> {
        self.end_list()?;
        let sheets = &self.names;
        let parts: [(&str, String); 7] = [
            ("[Content_Types].xml", content_types(sheets.len())),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("docProps/app.xml", app(sheets)),
            ("docProps/core.xml", CORE.to_string()),
            ("xl/workbook.xml", workbook(sheets)),
            ("xl/_rels/workbook.xml.rels", workbook_rels(sheets.len())),
            ("xl/styles.xml", STYLES.to_string()),
        ];
        for (name, text) in parts {
            self.zip.start_file(name, self.options)?;
            self.zip.write_all(text.as_bytes())?;
        }
        Ok(self.zip.finish()?.into_inner())
    }

    fn list(&mut self) -> &mut Open {
        self.open.as_mut().expect("a list is started")
    }

    /// A fresh sheet of the current list, with the list's header row.
    fn open_sheet(&mut self) -> std::io::Result<()> {
        let first = self.names.is_empty() && self.list().parts == 0;
        let open = self.open.as_mut().expect("a list is started");
        open.parts += 1;
        open.row = 1;
        let number = self.names.len() + open.parts;
        let head = sheet_head(&open.cols, open.levels, first);
        let headers = open.headers.clone();
        self.zip
            .start_file(format!("xl/worksheets/sheet{number}.xml"), self.options)?;
        self.buffer.extend_from_slice(head.as_bytes());
        let header: Vec<Value> = headers.iter().map(|h| Value::Text(h)).collect();
        self.write_row(&header, Style::Header, 0)
    }

    fn close_sheet(&mut self) -> std::io::Result<()> {
        let tail = sheet_tail(&self.list().title);
        self.buffer.extend_from_slice(tail.as_bytes());
        self.flush()
    }

    fn next_sheet(&mut self) -> std::io::Result<()> {
        self.close_sheet()?;
        self.open_sheet()
    }

    /// Closes the current list's last sheet and names its sheets: `name`,
    /// or `name (1)`, `name (2)`, ... when it took more than one.
    fn end_list(&mut self) -> std::io::Result<()> {
        if self.open.is_none() {
            return Ok(());
        }
        self.close_sheet()?;
        let open = self.open.take().expect("a list is open");
        if open.parts == 1 {
            self.names.push(open.name);
        } else {
            let parts = (1..=open.parts).map(|k| format!("{} ({k})", open.name));
            self.names.extend(parts);
        }
        Ok(())
    }

    fn write_row(&mut self, cells: &[Value], style: Style, level: u8) -> std::io::Result<()> {
        let open = self.open.as_mut().expect("a list is started");
        let r = open.row;
        open.row += 1;
        // Millions of rows: numbers and names written without `fmt`.
        let mut number = itoa::Buffer::new();
        let r = number.format(r).as_bytes();
        let out = &mut self.buffer;
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(r);
        out.push(b'"');
        if level > 0 {
            out.extend_from_slice(b" outlineLevel=\"");
            out.extend_from_slice(itoa::Buffer::new().format(level).as_bytes());
            out.push(b'"');
        }
        out.push(b'>');
        for (col, value) in cells.iter().enumerate() {
            if let Value::Text("") = value {
                continue;
            }
            out.extend_from_slice(b"<c r=\"");
            push_column_name(out, col);
            out.extend_from_slice(r);
            out.push(b'"');
            if style != Style::Plain {
                out.extend_from_slice(b" s=\"");
                out.push(b'0' + style as u8);
                out.push(b'"');
            }
            match value {
                Value::Text(text) => {
                    // As rust_xlsxwriter refuses it: Excel would call the
                    // file damaged.
                    if text.len() > MAX_TEXT && text.encode_utf16().count() > MAX_TEXT {
                        let start: String = text.chars().take(40).collect();
                        return Err(std::io::Error::other(format!(
                            "a text of {} characters, more than the {MAX_TEXT} Excel holds in a cell: \"{start}…\"; shorten it in the input",
                            text.chars().count()
                        )));
                    }
                    out.extend_from_slice(b" t=\"inlineStr\"><is><t");
                    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace)
                    {
                        out.extend_from_slice(b" xml:space=\"preserve\"");
                    }
                    out.push(b'>');
                    escape_text(out, text);
                    out.extend_from_slice(b"</t></is></c>");
                }
                Value::Count(n) => {
                    out.extend_from_slice(b"><v>");
                    out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes());
                    out.extend_from_slice(b"</v></c>");
                }
            }
        }
        out.extend_from_slice(b"</row>");
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.zip.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
}

/// Excel's name of a column (A, B, ..., Z, AA, ...), added to `out`.
fn push_column_name(out: &mut Vec<u8>, col: usize) {
    let start = out.len();
    let mut n = col + 1;
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out[start..].reverse();
}

/// Text as a cell's XML: markup escaped; characters XML cannot hold, and
/// text that would read as such an escape (`_x0001_`), as Excel's
/// `_xHHHH_`.
fn escape_text(out: &mut Vec<u8>, text: &str) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '_' if looks_escaped(rest) => out.extend_from_slice(b"_x005F_"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.extend_from_slice(format!("_x{:04X}_", c as u32).as_bytes())
            }
            '\u{FFFE}' | '\u{FFFF}' => {
                out.extend_from_slice(format!("_x{:04X}_", c as u32).as_bytes())
            }
            c => {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// Whether `text` starts with `_xHHHH_`.
fn looks_escaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// Markup escaped for an attribute or element of the book's parts.
fn escape_markup(text: &str) -> String {
    let mut out = Vec::new();
    escape_text(&mut out, text);
    String::from_utf8(out)
        .expect("escaped UTF-8")
        .replace('"', "&quot;")
}

/// The `<cols>` element: each width as Excel stores it (a whole number of
/// pixels at 7 a character, plus 5 of padding), as rust_xlsxwriter writes
/// the other workbooks' columns.
fn cols(widths: &[usize]) -> String {
    let mut out = String::from("<cols>");
    for (i, w) in widths.iter().enumerate() {
        let pixels = (*w as f64 * 7.0 + 5.0).trunc();
        let width = (pixels / 7.0 * 256.0).trunc() / 256.0;
        let col = i + 1;
        out += &format!("<col min=\"{col}\" max=\"{col}\" width=\"{width}\" customWidth=\"1\"/>");
    }
    out + "</cols>"
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A sheet's XML before its rows: fitted to the page width, the header row
/// frozen, the first sheet's tab selected.
fn sheet_head(cols: &str, levels: u8, selected: bool) -> String {
    let tab = if selected { " tabSelected=\"1\"" } else { "" };
    let outline = if levels > 0 {
        format!(" outlineLevelRow=\"{levels}\"")
    } else {
        String::new()
    };
    format!(
        "{XML_HEAD}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>\
         <sheetViews><sheetView{tab} workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
         <selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"{outline}/>{cols}<sheetData>"
    )
}

/// A sheet's XML after its rows: A4, one page wide, the title in the page
/// header (`&` starts a control code there).
fn sheet_tail(title: &str) -> String {
    let header = escape_markup(&format!("&C{}", title.replace('&', "&&")));
    format!(
        "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
         <pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"portrait\" horizontalDpi=\"200\" verticalDpi=\"200\"/>\
         <headerFooter><oddHeader>{header}</oddHeader></headerFooter></worksheet>"
    )
}

fn content_types(sheets: usize) -> String {
    let mut out = format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    );
    for n in 1..=sheets {
        out += &format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    out + "</Types>"
}

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

/// The same fixed date as the other workbooks.
const CORE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>";

/// The sheet name as a formula reads it.
fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

fn app(sheets: &[String]) -> String {
    let n = sheets.len();
    let mut titles = String::new();
    for name in sheets {
        titles += &format!("<vt:lpstr>{}</vt:lpstr>", escape_markup(name));
    }
    for name in sheets {
        let title = format!("{}!Print_Titles", quoted(name));
        titles += &format!("<vt:lpstr>{}</vt:lpstr>", escape_markup(&title));
    }
    format!(
        "{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
         <HeadingPairs><vt:vector size=\"4\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>\
         <vt:variant><vt:i4>{n}</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant>\
         <vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"{}\" baseType=\"lpstr\">{titles}</vt:vector></TitlesOfParts>\
         <Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
         <HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>",
        2 * n
    )
}

/// The sheets, and each one's header row repeated on every printed page.
fn workbook(sheets: &[String]) -> String {
    let mut list = String::new();
    let mut titles = String::new();
    for (i, name) in sheets.iter().enumerate() {
        let name_attr = escape_markup(name);
        list += &format!(
            "<sheet name=\"{name_attr}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
            i + 1,
            i + 1
        );
        let rows = escape_markup(&format!("{}!$1:$1", quoted(name)));
        titles += &format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{rows}</definedName>"
        );
    }
    format!(
        "{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">\
         <fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
         <workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" \
         windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>{list}</sheets>\
         <definedNames>{titles}</definedNames><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>"
    )
}

fn workbook_rels(sheets: usize) -> String {
    let mut out = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for n in 1..=sheets {
        out += &format!(
            "<Relationship Id=\"rId{n}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    out += &format!(
        "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/></Relationships>",
        sheets + 1
    );
    out
}

/// The four looks of [`Style`], in its order: plain, bold with a thin rule
/// under it, bold, italic (Calibri 11, no theme).
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><fonts count=\"3\">\
<font><sz val=\"11\"/><color rgb=\"FF000000\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><color rgb=\"FF000000\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><i/><sz val=\"11\"/><color rgb=\"FF000000\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"4\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles><dxfs count=\"0\"/>\
<tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>";

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn columns_are_named_as_excel_names_them() {
        let names = [0, 7, 25, 26, 27, 701, 702].map(|col| {
            let mut name = b"x".to_vec();
            push_column_name(&mut name, col);
            String::from_utf8(name).unwrap()
        });
        assert_eq!(names, ["xA", "xH", "xZ", "xAA", "xAB", "xZZ", "xAAA"]);
    }

    /// A book with one list started: `name`, these headers, 8 characters
    /// a column, two outline levels.
    fn started(limit: u32, name: &str, headers: &[&str]) -> StreamedWorkbook {
        let mut book = StreamedWorkbook::new(limit);
        let widths = vec![8; headers.len()];
        let layout = ListLayout {
            name,
            headers,
            widths: &widths,
            levels: 2,
            title: "A & B",
        };
        book.start_list(&layout).unwrap();
        book
    }

    /// A sheet's XML as written in the book.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
    }

    #[test]
    fn rows_keep_their_outline_levels_and_styles_across_sheets() {
        let mut book = started(3, "小学", &["a", "b"]);
        let cells = [Value::Text("x"), Value::Count(7)];
        for (style, level) in [(Style::Bold, 0), (Style::Italic, 1), (Style::Plain, 2)] {
            book.row(&cells, style, level).unwrap();
        }
        let bytes = book.finish().unwrap();
        let first = part(&bytes, "xl/worksheets/sheet1.xml");
        let second = part(&bytes, "xl/worksheets/sheet2.xml");
        assert!(
            first.contains(r#"<row r="2"><c r="A2" s="2" t="inlineStr">"#),
            "{first}"
        );
        assert!(
            first.contains(r#"<row r="3" outlineLevel="1"><c r="A3" s="3""#),
            "{first}"
        );
        assert!(second.contains(r#"<row r="2" outlineLevel="2"><c r="A2" t="inlineStr">"#));
        assert!(second.contains(r#"<c r="B2"><v>7</v></c>"#), "{second}");
        assert!(first.contains("tabSelected") && !second.contains("tabSelected"));
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(workbook.contains(r#"<sheet name="小学 (2)" sheetId="2" r:id="rId2"/>"#));
        assert!(
            workbook.contains(r#"localSheetId="1">'小学 (2)'!$1:$1<"#),
            "{workbook}"
        );
    }

    #[test]
    fn a_text_longer_than_a_cell_holds_is_refused() {
        let mut book = started(1_048_576, "s", &["a"]);
        let longest = "名".repeat(MAX_TEXT);
        book.row(&[Value::Text(&longest)], Style::Plain, 0).unwrap();
        let err = book
            .row(&[Value::Text(&"x".repeat(MAX_TEXT + 1))], Style::Plain, 0)
            .unwrap_err();
        assert!(err.to_string().contains("32768 characters"), "{err}");
    }

    #[test]
    fn any_text_reads_back_as_written() {
        let texts = [
            "A&B <x> \"q\" 'a'",
            "  two spaces ahead",
            "_x0041_ is not an A",
            "bell\u{7} and tab\t",
            "=HYPERLINK(\"x\")",
            "东城街道",
        ];
        let mut book = started(1_048_576, "O'Brien & 名单", &["text", "n"]);
        for (i, t) in texts.iter().enumerate() {
            let cells = [Value::Text(t), Value::Count(i as u64)];
            book.row(&cells, Style::Plain, 1).unwrap();
        }
        let bytes = book.finish().unwrap();
        let mut xlsx = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(xlsx.sheet_names(), ["O'Brien & 名单"]);
        let range = xlsx.worksheet_range("O'Brien & 名单").unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0], ["text", "n"]);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(rows[i + 1], [t.to_string(), i.to_string()]);
        }
    }
}
