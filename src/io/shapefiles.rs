//! Shapefiles (`.shp` + `.shx` + `.dbf`, with `.prj` and `.cpg` where
//! given) as the planning bureau exports them: records become features,
//! attributes their properties.
//!
//! Chinese `.dbf` files are often GBK (code page 936) without a `.cpg`
//! saying so: without one, UTF-8 is tried first and GBK after, and which
//! was used is said on stderr. A `.prj` with a projected CRS (metres) is
//! refused, naming it: the positions must be longitude/latitude degrees.

use std::path::Path;

use ::shapefile::record::traits::HasXY;
use ::shapefile::{PolygonRing, Shape, ShapeReader};
use dbase::FieldValue;
use geo::{Contains, LineString, Polygon};
use geojson::{Feature, Geometry, GeometryValue};
use serde_json::{Map, Value};

use super::InputError;
use super::features::{Loaded, Place};
use super::tables::number;

pub fn read(path: &Path) -> Result<Loaded, InputError> {
    check_prj(path)?;
    let shapes = ShapeReader::from_path(path)
        .and_then(|r| r.read())
        .map_err(|e| broken(path, e.to_string()))?;
    let dbf = path.with_extension("dbf");
    if !dbf.is_file() {
        return Err(broken(
            path,
            format!(
                "{} is missing; expected the .dbf beside the .shp (the attributes: id, name, …)",
                dbf.display()
            ),
        ));
    }
    let records = read_dbf(&dbf)?;
    if records.len() != shapes.len() {
        return Err(broken(
            path,
            format!(
                "{} shapes but {} records in {}; expected one record per shape",
                shapes.len(),
                records.len(),
                dbf.display()
            ),
        ));
    }
    let mut loaded = Loaded::indexed(Vec::new());
    for (i, (shape, properties)) in shapes.into_iter().zip(records).enumerate() {
        loaded.features.push(Feature {
            geometry: geometry(shape).map(Geometry::new),
            properties: Some(properties),
            ..Default::default()
        });
        loaded.places.push(Place::Record(i + 1));
    }
    Ok(loaded)
}

fn broken(path: &Path, message: String) -> InputError {
    InputError::Malformed {
        path: path.to_path_buf(),
        message,
    }
}

/// Refuses a projected CRS: its positions are metres, not degrees.
fn check_prj(path: &Path) -> Result<(), InputError> {
    let Ok(wkt) = std::fs::read_to_string(path.with_extension("prj")) else {
        return Ok(());
    };
    let wkt = wkt.trim();
    if wkt.starts_with("PROJCS") || wkt.starts_with("PROJCRS") {
        let name = wkt.split('"').nth(1).unwrap_or(wkt).to_string();
        return Err(InputError::Projected {
            path: path.to_path_buf(),
            crs: name,
        });
    }
    Ok(())
}

/// The encoding a `.cpg` names (`UTF-8`, `GBK`, `936`, `CP936`, …).
fn cpg_encoding(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let label = label.trim();
    let digits = label.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    let by_code_page = match digits {
        "65001" => Some(encoding_rs::UTF_8),
        "936" => Some(encoding_rs::GBK),
        "54936" => Some(encoding_rs::GB18030),
        "950" => Some(encoding_rs::BIG5),
        "1252" => Some(encoding_rs::WINDOWS_1252),
        _ => None,
    };
    by_code_page.or_else(|| encoding_rs::Encoding::for_label(label.as_bytes()))
}

/// The `.dbf`'s records, in the encoding its `.cpg` names, else UTF-8,
/// else GBK; neither is an error naming the first record that fails.
fn read_dbf(dbf: &Path) -> Result<Vec<Map<String, Value>>, InputError> {
    let cpg = dbf.with_extension("cpg");
    if let Ok(label) = std::fs::read_to_string(&cpg) {
        let Some(encoding) = cpg_encoding(&label) else {
            return Err(InputError::Encoding {
                path: cpg,
                message: format!(
                    "names the encoding \"{}\", which is not known; expected e.g. UTF-8 or GBK",
                    label.trim()
                ),
            });
        };
        return records(dbf, dbase::encoding::EncodingRs::from(encoding))
            .map_err(|(place, message)| bad_dbf(dbf, place, message));
    }
    let not_utf8 = match records(dbf, dbase::Unicode) {
        Ok(r) => return Ok(r),
        Err(e) => e,
    };
    match records(dbf, dbase::encoding::EncodingRs::from(encoding_rs::GBK)) {
        Ok(r) => {
            eprintln!(
                "note: {}: no .cpg; the attributes are not UTF-8 and were read as GBK (code page 936)",
                dbf.display()
            );
            Ok(r)
        }
        Err((place, message)) => Err(InputError::Encoding {
            path: dbf.to_path_buf(),
            message: format!(
                "{} is neither UTF-8 nor GBK text ({message}; as UTF-8, {}: {}); expected a .cpg file naming the encoding (e.g. a file {} holding \"GBK\")",
                place_of(place),
                place_of(not_utf8.0),
                not_utf8.1,
                cpg.display()
            ),
        }),
    }
}

fn place_of(record: Option<usize>) -> String {
    record.map_or("the header (field names)".into(), |r| {
        Place::Record(r).to_string()
    })
}

fn bad_dbf(dbf: &Path, record: Option<usize>, message: String) -> InputError {
    InputError::Encoding {
        path: dbf.to_path_buf(),
        message: format!("{}: {message}", place_of(record)),
    }
}

/// The record that failed to decode (from 1; None: the header) and why.
type DecodeFailure = (Option<usize>, String);

/// Reads every record; an error gives the record (from 1; None: the
/// header) and the reason. Text decoded with replacement characters (a
/// lossy decoder's sign of a wrong guess) is an error too.
fn records<E: Into<dbase::encoding::DynEncoding>>(
    dbf: &Path,
    encoding: E,
) -> Result<Vec<Map<String, Value>>, DecodeFailure> {
    let mut reader = dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .open(dbf)
        .map_err(|e| (None, e.to_string()))?;
    let names: Vec<String> = reader
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    if names.iter().any(|n| n.contains('\u{fffd}')) {
        return Err((None, "a field name does not decode".into()));
    }
    let mut out = Vec::new();
    for (i, record) in reader.iter_records().enumerate() {
        let mut record = record.map_err(|e| (Some(i + 1), e.to_string()))?;
        let mut properties = Map::new();
        for name in &names {
            let value = match record.remove(name) {
                Some(v) => value(v),
                None => Value::Null,
            };
            if matches!(&value, Value::String(s) if s.contains('\u{fffd}')) {
                return Err((Some(i + 1), format!("field `{name}` does not decode")));
            }
            if !value.is_null() {
                properties.insert(name.clone(), value);
            }
        }
        out.push(properties);
    }
    Ok(out)
}

fn value(v: FieldValue) -> Value {
    match v {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => {
            let s = s.trim();
            if s.is_empty() {
                Value::Null
            } else {
                Value::String(s.to_string())
            }
        }
        FieldValue::Numeric(Some(x)) | FieldValue::Double(x) | FieldValue::Currency(x) => number(x),
        FieldValue::Float(Some(x)) => number(f64::from(x)),
        FieldValue::Integer(n) => Value::from(n),
        FieldValue::Logical(Some(b)) => Value::Bool(b),
        FieldValue::Date(Some(d)) => {
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
        _ => Value::Null,
    }
}

fn position<P: HasXY>(p: &P) -> geojson::Position {
    vec![p.x(), p.y()].into()
}

fn ring<P: HasXY>(points: &[P]) -> Vec<geojson::Position> {
    points.iter().map(position).collect()
}

/// A shapefile polygon's rings grouped into polygons: each outer ring
/// (clockwise) starts one, each hole goes to the outer ring holding it.
fn polygons<P: HasXY>(rings: &[PolygonRing<P>]) -> GeometryValue {
    let mut outers: Vec<(Polygon<f64>, Vec<Vec<geojson::Position>>)> = Vec::new();
    let mut holes = Vec::new();
    for r in rings {
        match r {
            PolygonRing::Outer(points) => {
                let line: LineString<f64> = points.iter().map(|p| (p.x(), p.y())).collect();
                outers.push((Polygon::new(line, vec![]), vec![ring(points)]));
            }
            PolygonRing::Inner(points) => holes.push(points),
        }
    }
    for points in holes {
        let first = points.first().map(|p| geo::Point::new(p.x(), p.y()));
        let owner = outers
            .iter()
            .position(|(poly, _)| first.is_some_and(|p| poly.contains(&p)))
            .or(outers.len().checked_sub(1));
        if let Some(i) = owner {
            outers[i].1.push(ring(points));
        }
    }
    let mut parts: Vec<_> = outers.into_iter().map(|(_, rings)| rings).collect();
    if parts.len() == 1 {
        GeometryValue::Polygon {
            coordinates: parts.remove(0),
        }
    } else {
        GeometryValue::MultiPolygon { coordinates: parts }
    }
}

fn lines<P: HasXY>(parts: &[Vec<P>]) -> GeometryValue {
    if parts.len() == 1 {
        GeometryValue::LineString {
            coordinates: ring(&parts[0]),
        }
    } else {
        GeometryValue::MultiLineString {
            coordinates: parts.iter().map(|p| ring(p)).collect(),
        }
    }
}

fn points<P: HasXY>(points: &[P]) -> GeometryValue {
    if points.len() == 1 {
        GeometryValue::Point {
            coordinates: position(&points[0]),
        }
    } else {
        GeometryValue::MultiPoint {
            coordinates: ring(points),
        }
    }
}

/// The record's shape as GeoJSON; None for a null shape (the reader then
/// says the geometry is missing, naming the record).
fn geometry(shape: Shape) -> Option<GeometryValue> {
    Some(match shape {
        Shape::NullShape | Shape::Multipatch(_) => return None,
        Shape::Point(p) => points(&[p]),
        Shape::PointM(p) => points(&[p]),
        Shape::PointZ(p) => points(&[p]),
        Shape::Polygon(p) => polygons(p.rings()),
        Shape::PolygonM(p) => polygons(p.rings()),
        Shape::PolygonZ(p) => polygons(p.rings()),
        Shape::Polyline(l) => lines(l.parts()),
        Shape::PolylineM(l) => lines(l.parts()),
        Shape::PolylineZ(l) => lines(l.parts()),
        Shape::Multipoint(m) => points(m.points()),
        Shape::MultipointM(m) => points(m.points()),
        Shape::MultipointZ(m) => points(m.points()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_pages_and_labels_name_their_encodings() {
        assert_eq!(cpg_encoding("GBK\n"), Some(encoding_rs::GBK));
        assert_eq!(cpg_encoding("936"), Some(encoding_rs::GBK));
        assert_eq!(cpg_encoding("CP936"), Some(encoding_rs::GBK));
        assert_eq!(cpg_encoding("UTF-8"), Some(encoding_rs::UTF_8));
        assert_eq!(cpg_encoding("65001"), Some(encoding_rs::UTF_8));
        assert_eq!(cpg_encoding("nonsense"), None);
    }

    /// A .dbf whose text is GBK reads without a .cpg; bytes that are
    /// neither UTF-8 nor GBK name the first record that holds them.
    #[test]
    fn dbf_text_is_utf8_or_gbk_or_an_error_naming_the_record() {
        use dbase::{FieldName, Record, TableWriterBuilder};
        let dir = tempfile::tempdir().unwrap();
        let dbf = dir.path().join("zones.dbf");
        let write = |names: [&str; 2]| {
            let builder = TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(
                encoding_rs::GBK,
            ))
            .add_character_field(FieldName::try_from("MC").unwrap(), 20);
            let mut w = builder.build_with_file_dest(&dbf).unwrap();
            for name in names {
                let mut r = Record::default();
                r.insert("MC".into(), FieldValue::Character(Some(name.into())));
                w.write_record(&r).unwrap();
            }
        };
        write(["西湖小区", "QQQQ"]);
        let records = read_dbf(&dbf).unwrap();
        assert_eq!(records[0]["MC"], Value::from("西湖小区"));
        let mut bytes = std::fs::read(&dbf).unwrap();
        let at = bytes.windows(4).position(|w| w == b"QQQQ").unwrap();
        bytes[at..at + 2].copy_from_slice(b"\xff\xff");
        std::fs::write(&dbf, bytes).unwrap();
        let err = read_dbf(&dbf).unwrap_err().to_string();
        assert!(
            err.contains("zones.dbf")
                && err.starts_with(&format!("{}: record 2 is", dbf.display())),
            "{err}"
        );
    }

    #[test]
    fn a_projected_prj_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("zones.shp");
        std::fs::write(
            dir.path().join("zones.prj"),
            "PROJCS[\"CGCS2000_3_Degree_GK_CM_120E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\"]]",
        )
        .unwrap();
        let err = read(&shp).unwrap_err().to_string();
        assert!(err.contains("CGCS2000_3_Degree_GK_CM_120E"), "{err}");
    }
}
