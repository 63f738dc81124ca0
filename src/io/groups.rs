//! `groups.csv`: the bureau's multi-school zones (多校划片), one row per
//! school: `group,school`. A group takes the catchments of its schools as
//! one area whose seats go by lottery (see [`crate::plan::lottery`]).
//!
//! A school belongs to at most one group, must be public (private schools
//! take no catchment: they run their own lottery) and every school of a
//! group must be in the same county, because children are placed in their
//! own county. Schools in no group keep their single-school catchment.
//! A UTF-8 byte-order mark (as Excel writes) is accepted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{Region, Sector};

#[derive(Debug, thiserror::Error)]
pub enum GroupsError {
    #[error("{path}: cannot read the groups: {source}")]
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
    #[error(
        "{path}: holds no groups; expected a header `group,school` and one row per school of a group"
    )]
    Empty { path: PathBuf },
}

/// A group as the bureau named it, its schools as region indices in the
/// order first listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSpec {
    pub id: String,
    pub schools: Vec<usize>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRecord {
    group: String,
    school: String,
}

/// Reads and checks a groups file against the region; groups come in the
/// order they first appear in the file.
pub fn read_groups(path: &Path, region: &Region) -> Result<Vec<GroupSpec>, GroupsError> {
    let text = std::fs::read_to_string(path).map_err(|source| GroupsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let fail = |line: usize, message: String| GroupsError::Line {
        path: path.to_path_buf(),
        line,
        message,
    };
    let schools: HashMap<&str, usize> = region
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut groups: Vec<GroupSpec> = Vec::new();
    // School -> (group, line) where it was first listed.
    let mut seen: HashMap<usize, (String, usize)> = HashMap::new();
    for (i, row) in reader.deserialize::<GroupRecord>().enumerate() {
        // Line 1 is the header.
        let line = i + 2;
        let r = row.map_err(|e| fail(line, format!("{e}; expected the columns group,school")))?;
        if r.group.is_empty() {
            return Err(fail(
                line,
                "field `group` is empty; expected the name of the group".into(),
            ));
        }
        let Some(&school) = schools.get(r.school.as_str()) else {
            return Err(fail(
                line,
                format!(
                    "field `school`: school \"{}\" is not in the schools file; expected a school id",
                    r.school
                ),
            ));
        };
        let s = &region.schools[school];
        if s.sector != Sector::Public {
            return Err(fail(
                line,
                format!(
                    "field `school`: school \"{}\" is private and takes no catchment; a multi-school zone groups public schools",
                    s.id
                ),
            ));
        }
        if let Some((other, first)) = seen.get(&school) {
            return Err(fail(
                line,
                if *other == r.group {
                    format!(
                        "field `school`: school \"{}\" is listed twice in group \"{other}\" (first at line {first}); expected each school once",
                        s.id
                    )
                } else {
                    format!(
                        "field `school`: school \"{}\" is already in group \"{other}\" (line {first}); a school belongs to one group only",
                        s.id
                    )
                },
            ));
        }
        seen.insert(school, (r.group.clone(), line));
        match groups.iter_mut().find(|g| g.id == r.group) {
            Some(g) => {
                let first = &region.schools[g.schools[0]];
                if first.county != s.county {
                    return Err(fail(
                        line,
                        format!(
                            "field `school`: school \"{}\" is in county {}, group \"{}\" in county {} (school \"{}\"); children are placed in their own county",
                            s.id,
                            s.county.as_deref().unwrap_or("(none)"),
                            g.id,
                            first.county.as_deref().unwrap_or("(none)"),
                            first.id
                        ),
                    ));
                }
                g.schools.push(school);
            }
            None => groups.push(GroupSpec {
                id: r.group,
                schools: vec![school],
            }),
        }
    }
    if groups.is_empty() {
        return Err(GroupsError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use geo::Point;

    use super::*;
    use crate::model::{School, SchoolKind};

    fn region() -> Region {
        let school = |id: &str, sector, county: &str| School {
            id: id.into(),
            name: id.into(),
            location: Point::new(0.0, 0.0),
            kind: SchoolKind::Primary,
            sector,
            county: Some(county.into()),
            classes: [Some(2), None],
            enrolled: [0, 0],
            capacity: [None, None],
            properties: Default::default(),
        };
        Region {
            zones: Vec::new(),
            schools: vec![
                school("A", Sector::Public, "c"),
                school("B", Sector::Public, "c"),
                school("C", Sector::Public, "c"),
                school("P", Sector::Private, "c"),
                school("X", Sector::Public, "other"),
            ],
            ..Region::default()
        }
    }

    fn read(text: &str) -> Result<Vec<GroupSpec>, GroupsError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups.csv");
        std::fs::write(&path, text).unwrap();
        read_groups(&path, &region())
    }

    #[test]
    fn reads_groups_in_file_order_with_a_bom() {
        let g = read("\u{feff}group,school\nnorth, B\nnorth,A\nsouth,C\n").unwrap();
        assert_eq!(
            g,
            vec![
                GroupSpec {
                    id: "north".into(),
                    schools: vec![1, 0]
                },
                GroupSpec {
                    id: "south".into(),
                    schools: vec![2]
                },
            ]
        );
    }

    #[test]
    fn errors_name_the_line_the_field_and_the_fix() {
        let err = |text: &str| read(text).unwrap_err().to_string();
        let e = err("group,school\nn,A\nn,Q\n");
        assert!(
            e.contains("line 3")
                && e.contains("`school`")
                && e.contains("\"Q\" is not in the schools file"),
            "{e}"
        );
        let e = err("group,school\nn,A\ns,B\ns,A\n");
        assert!(
            e.contains("line 4") && e.contains("already in group \"n\" (line 2)"),
            "{e}"
        );
        let e = err("group,school\nn,A\nn,A\n");
        assert!(e.contains("listed twice"), "{e}");
        let e = err("group,school\nn,P\n");
        assert!(e.contains("private"), "{e}");
        let e = err("group,school\nn,A\nn,X\n");
        assert!(e.contains("own county"), "{e}");
        let e = err("group,school\n,A\n");
        assert!(e.contains("`group` is empty"), "{e}");
        let e = err("grp,school\nn,A\n");
        assert!(e.contains("line 2") && e.contains("group,school"), "{e}");
        let e = err("group,school\n");
        assert!(e.contains("holds no groups"), "{e}");
    }
}
