//! Tables of points: `.csv` (UTF-8 with or without BOM, or GBK as Excel
//! saves it on a Chinese Windows) and `.xlsx` (the first sheet), one row per
//! zone or school with `lon` / `lat` columns and the GeoJSON properties.
//!
//! Rows become features without geometry, cells kept as the file gives
//! them (text, or numbers in a workbook); [`typed`] reads numbers in text
//! once the columns are known, and [`points_from_lon_lat`] makes the
//! points.

use std::path::Path;

use geojson::{Feature, Geometry, GeometryValue};
use serde_json::{Map, Value};

use super::InputError;
use super::features::{FeatureReader, Loaded, Place, describe};

/// Keys whose values stay text even where they look like numbers (an id
/// `007` keeps its zeros).
pub const TEXT_KEYS: &[&str] = &[
    "id",
    "name",
    "county",
    "community",
    "stage",
    "sector",
    "current_primary",
    "current_junior",
];

/// The text of a CSV file: UTF-8 (a BOM dropped) or else GBK; neither is
/// an error naming the first line that is not UTF-8.
pub fn decode_text(
    path: &Path,
    bytes: &[u8],
) -> Result<(String, Option<&'static str>), InputError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(e) => {
            if let Some(text) =
                encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)
            {
                return Ok((text.into_owned(), Some("GBK")));
            }
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(InputError::Encoding {
                path: path.to_path_buf(),
                message: format!(
                    "line {line} is neither UTF-8 nor GBK text; expected the table saved as CSV UTF-8 (or GBK)"
                ),
            })
        }
    }
}

pub fn read_csv(path: &Path) -> Result<Loaded, InputError> {
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let (text, encoding) = decode_text(path, &bytes)?;
    if let Some(encoding) = encoding {
        eprintln!("note: {}: read as {encoding} (not UTF-8)", path.display());
    }
    let malformed = |e: csv::Error| InputError::Malformed {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(malformed)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut loaded = Loaded {
        features: Vec::new(),
        places: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = record.iter().map(|c| Value::String(c.trim().to_string()));
        loaded.features.push(row_feature(&headers, cells));
        loaded.places.push(Place::Row(line));
    }
    Ok(loaded)
}

pub fn read_xlsx(path: &Path) -> Result<Loaded, InputError> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let malformed = |message: String| InputError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e: calamine::XlsxError| malformed(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| malformed("the workbook has no sheet".into()))?
        .map_err(|e| malformed(e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range.rows().enumerate();
    let Some((_, header)) = rows.next() else {
        return Ok(Loaded::indexed(Vec::new()));
    };
    let headers: Vec<String> = header
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    let mut loaded = Loaded::indexed(Vec::new());
    for (i, row) in rows {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let cells = row.iter().cloned().map(|cell| match cell {
            Data::Int(n) => Value::from(n),
            Data::Float(x) => number(x),
            Data::Bool(b) => Value::Bool(b),
            Data::Empty => Value::Null,
            other => Value::String(other.to_string().trim().to_string()),
        });
        loaded.features.push(row_feature(&headers, cells));
        loaded.places.push(Place::Row(first_row + i + 1));
    }
    Ok(loaded)
}

/// A number as JSON: whole numbers as integers, so that an id or a count
/// stored as 1001.0 reads as 1001.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// A row as a feature without geometry; empty cells are left out, so
/// that they read as missing.
fn row_feature(headers: &[String], cells: impl Iterator<Item = Value>) -> Feature {
    let mut properties = Map::new();
    for (header, cell) in headers.iter().zip(cells) {
        let empty =
            matches!(&cell, Value::Null) || matches!(&cell, Value::String(s) if s.is_empty());
        if !header.is_empty() && !empty {
            properties.insert(header.clone(), cell);
        }
    }
    Feature {
        properties: Some(properties),
        ..Default::default()
    }
}

/// Text cells read as what they hold: numbers (without leading zeros, so
/// a code `0571` stays text) and `true` / `false`, except in `text_keys`.
pub fn typed(loaded: &mut Loaded, text_keys: &[&str]) {
    for props in loaded
        .features
        .iter_mut()
        .flat_map(|f| f.properties.as_mut())
    {
        for (key, value) in props.iter_mut() {
            if text_keys.contains(&key.as_str()) {
                if let Value::Number(n) = value {
                    *value = Value::String(n.to_string());
                }
                continue;
            }
            if let Value::String(s) = value
                && let Some(v) = parse_cell(s)
            {
                *value = v;
            }
        }
    }
}

fn parse_cell(s: &str) -> Option<Value> {
    match s {
        "true" | "TRUE" | "True" | "是" => return Some(Value::Bool(true)),
        "false" | "FALSE" | "False" | "否" => return Some(Value::Bool(false)),
        _ => {}
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(whole.len() > 1 && whole.starts_with('0'))
        && !(digits.contains('.') && fraction.is_empty());
    if !plain {
        return None;
    }
    if fraction.is_empty() {
        s.parse::<i64>().ok().map(Value::from)
    } else {
        s.parse::<f64>().ok().map(number)
    }
}

/// Each row's `lon` / `lat` made its Point (removed from the properties,
/// so that no stale coordinate rides along after a conversion).
pub fn points_from_lon_lat(path: &Path, loaded: &mut Loaded) -> Result<(), InputError> {
    for (feature, place) in loaded.features.iter_mut().zip(&loaded.places) {
        let mut position = [0.0; 2];
        for (i, (key, expected)) in [
            ("lon", "a longitude in degrees (经度), e.g. 120.16"),
            ("lat", "a latitude in degrees (纬度), e.g. 30.27"),
        ]
        .into_iter()
        .enumerate()
        {
            let props = feature.properties.get_or_insert_default();
            let value = props.remove(key);
            let x = match &value {
                Some(Value::Number(n)) => n.as_f64(),
                _ => None,
            };
            let Some(x) = x else {
                let mut f = feature.clone();
                let r = FeatureReader::new(path, *place, &mut f);
                return Err(r.error(key, describe(value.as_ref()), expected));
            };
            position[i] = x;
        }
        feature.geometry = Some(Geometry::new(GeometryValue::Point {
            coordinates: position.to_vec().into(),
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_numbers_only_where_they_are_plain_numbers() {
        assert_eq!(parse_cell("12"), Some(Value::from(12)));
        assert_eq!(parse_cell("-3.5"), Some(Value::from(-3.5)));
        assert_eq!(parse_cell("12.0"), Some(Value::from(12)));
        assert_eq!(parse_cell("是"), Some(Value::Bool(true)));
        for text in ["0571", "1e5", "12.", ".5", "12 ", "abc", "", "-"] {
            assert_eq!(parse_cell(text), None, "{text:?}");
        }
    }

    #[test]
    fn gbk_text_is_read_and_bad_bytes_name_their_line() {
        let (gbk, _, _) = encoding_rs::GBK.encode("id,名称\n1,西湖小区\n");
        let (text, enc) = decode_text(Path::new("a.csv"), &gbk).unwrap();
        assert_eq!((text.as_str(), enc), ("id,名称\n1,西湖小区\n", Some("GBK")));
        let (text, enc) = decode_text(Path::new("a.csv"), "\u{feff}id\n".as_bytes()).unwrap();
        assert_eq!((text.as_str(), enc), ("id\n", None));
        let err = decode_text(Path::new("a.csv"), b"id\nx\n\xff\xff\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.csv") && err.contains("line 3"), "{err}");
    }

    #[test]
    fn a_row_without_a_longitude_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schools.csv");
        std::fs::write(&path, "id,lon,lat\nS1,120.1,30.2\nS2,,30.3\n").unwrap();
        let mut loaded = read_csv(&path).unwrap();
        typed(&mut loaded, TEXT_KEYS);
        let err = points_from_lon_lat(&path, &mut loaded)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 3") && err.contains("S2") && err.contains("`lon` is missing"),
            "{err}"
        );
    }
}
