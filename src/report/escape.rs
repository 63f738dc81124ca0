//! Names as they may safely go into documents.
//!
//! Zone and school names come from the bureau's files and may hold
//! anything: a line break splits a Markdown table row or heading, a `|`
//! opens a column, and a name starting with `=` becomes a formula when the
//! CSV is opened in Excel (CSV injection). Names are kept as given in the
//! data outputs (GeoJSON, JSON); only the documents escape them.

use std::borrow::Cow;

/// Text for one Markdown table cell, list item or heading: line breaks and
/// other control characters become spaces, `|` is escaped.
pub fn markdown_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || c == '|') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell that a spreadsheet shows as the text it is: cells starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`
/// (OWASP's advice against formula injection), unless the cell is a number.
pub fn csv_cell(cell: &[u8]) -> Cow<'_, [u8]> {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = || {
        std::str::from_utf8(cell)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .is_some_and(f64::is_finite)
    };
    if !risky || number() {
        return Cow::Borrowed(cell);
    }
    let mut out = Vec::with_capacity(cell.len() + 1);
    out.push(b'\'');
    out.extend_from_slice(cell);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_a_name_on_its_line_and_in_its_cell() {
        assert_eq!(markdown_text("城东小学"), "城东小学");
        assert_eq!(markdown_text("A\nB|C\r\nD"), "A B\\|C  D");
    }

    #[test]
    fn formulas_are_neutralised_but_numbers_stay_numbers() {
        for (cell, out) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+cmd", "'+cmd"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-name", "'-name"),
            ("-1.5", "-1.5"),
            ("12", "12"),
            ("城东", "城东"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell.as_bytes()).as_ref(), out.as_bytes(), "{cell}");
        }
    }
}
