//! `adjacency.csv`: neighbours the bureau states itself (see
//! [`crate::spatial::GivenNeighbours`]).
//!
//! Columns: `zone_a`, `zone_b` and optionally `action` (`add`, the default,
//! or `remove`). A UTF-8 byte-order mark (as Excel writes) is accepted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::Region;
use crate::spatial::GivenNeighbours;

#[derive(Debug, thiserror::Error)]
pub enum NeighboursError {
    #[error("{path}: cannot read the neighbours (adjacency): {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    zone_a: String,
    zone_b: String,
    #[serde(default)]
    action: Option<String>,
}

/// Reads an adjacency file and checks its ids against the region's zones.
pub fn read_neighbours(path: &Path, region: &Region) -> Result<GivenNeighbours, NeighboursError> {
    let text = std::fs::read_to_string(path).map_err(|source| NeighboursError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let zones: HashMap<&str, u32> = region
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i as u32))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut given = GivenNeighbours::default();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        // Line 1 is the header.
        let line = i + 2;
        let fail = |message: String| NeighboursError::Line {
            path: path.to_path_buf(),
            line,
            message,
        };
        let row = row.map_err(|e| {
            fail(format!(
                "{e}; expected the columns zone_a,zone_b[,action] (action \"add\" or \"remove\")"
            ))
        })?;
        let zone = |column: &str, id: &str| {
            zones.get(id).copied().ok_or_else(|| {
                fail(format!(
                    "{column} \"{id}\" is not a zone of the zones file; expected the `id` of a zone (check the spelling, or remove the row)"
                ))
            })
        };
        let (a, b) = (zone("zone_a", &row.zone_a)?, zone("zone_b", &row.zone_b)?);
        if a == b {
            return Err(fail(format!(
                "zone_a and zone_b are both \"{}\"; expected two different zones",
                row.zone_a
            )));
        }
        match row.action.as_deref() {
            None | Some("") | Some("add") => given.add.push((a, b)),
            Some("remove") => given.remove.push((a, b)),
            Some(other) => {
                return Err(fail(format!(
                    "action \"{other}\" (zones \"{}\", \"{}\"); expected \"add\" (neighbours the map cannot see), \"remove\" (neighbours the map must not see) or empty (add)",
                    row.zone_a, row.zone_b
                )));
            }
        }
    }
    Ok(given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, Zone};
    use geo::Point;

    fn region() -> Region {
        let z = |id: &str, x: f64| Zone::at_point(id, Point::new(x, 31.0), [Cohort::default(); 2]);
        Region {
            zones: vec![z("a", 117.0), z("b", 117.1), z("c", 117.2)],
            schools: Vec::new(),
            ..Region::default()
        }
    }

    fn read(text: &str) -> Result<GivenNeighbours, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adjacency.csv");
        std::fs::write(&path, text).unwrap();
        read_neighbours(&path, &region()).map_err(|e| e.to_string())
    }

    #[test]
    fn rows_add_by_default_and_remove_when_asked() {
        let g = read("\u{feff}zone_a,zone_b,action\na,c,\nb , a,remove\nc,b,add\n").unwrap();
        assert_eq!(g.add, vec![(0, 2), (2, 1)]);
        assert_eq!(g.remove, vec![(1, 0)]);
        let g = read("zone_a,zone_b\na,b\n").unwrap();
        assert_eq!(g.add, vec![(0, 1)]);
    }

    #[test]
    fn errors_name_the_file_line_id_and_fix() {
        let e = read("zone_a,zone_b,action\na,b,add\na,x,add\n").unwrap_err();
        assert!(
            e.contains("adjacency.csv: line 3: zone_b \"x\" is not a zone"),
            "{e}"
        );
        let e = read("zone_a,zone_b,action\na,b,join\n").unwrap_err();
        assert!(
            e.contains("line 2: action \"join\"") && e.contains("\"remove\""),
            "{e}"
        );
        let e = read("zone,school\na,b\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("zone_a,zone_b"), "{e}");
        let e = read("zone_a,zone_b\nb,b\n").unwrap_err();
        assert!(e.contains("two different zones"), "{e}");
    }
}
