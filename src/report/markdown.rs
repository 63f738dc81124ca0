//! Text taken from the input (school and compound names, ids) put safely
//! into a Markdown document or a spreadsheet cell.

use std::borrow::Cow;

/// A name as one Markdown table cell or heading: a `|` cannot end the cell
/// and a line break cannot end the row or heading.
pub fn md(text: &str) -> Cow<'_, str> {
    if !text.contains(['|', '\n', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A text as a spreadsheet shows it, never as a formula: text starting
/// with `=`, `+`, `-` or `@` gets a leading apostrophe in CSV files (the
/// apostrophe tells Excel and LibreOffice "text"). Workbooks write such
/// text as a string cell and need no mark.
pub fn not_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_line_breaks_stay_inside_the_cell() {
        assert_eq!(md("第一小学"), "第一小学");
        assert_eq!(md("A|B"), "A\\|B");
        assert_eq!(md("A\nB\r\nC\rD"), "A B C D");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(not_formula("=1+1"), "'=1+1");
        assert_eq!(not_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(not_formula("-3"), "'-3");
        assert_eq!(not_formula("+86"), "'+86");
        assert_eq!(not_formula("第一小学"), "第一小学");
    }
}
