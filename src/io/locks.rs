//! `locks.csv`: the officers' hand decisions — this zone goes to that school
//! (pin), or never to that one (forbid) — which every plan honours.
//!
//! Columns: `zone`, `school`, `action` (`pin` or `forbid`) and optionally
//! `stage` (`primary` or `junior`; empty: every stage the school teaches).
//! A UTF-8 byte-order mark (as Excel writes) is accepted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{Lock, LockKind, Region, Stage};

#[derive(Debug, thiserror::Error)]
pub enum LocksError {
    #[error("{path}: cannot read the locks: {source}")]
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

/// One lock as written, before its ids are checked.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockRecord {
    pub zone: String,
    pub school: String,
    pub action: String,
    #[serde(default)]
    pub stage: Option<String>,
}

/// Reads and checks a locks file against the region.
pub fn read_locks(path: &Path, region: &Region) -> Result<Vec<Lock>, LocksError> {
    let text = std::fs::read_to_string(path).map_err(|source| LocksError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (i, row) in reader.deserialize::<LockRecord>().enumerate() {
        // Line 1 is the header.
        let line = i + 2;
        let record = row.map_err(|e| LocksError::Line {
            path: path.to_path_buf(),
            line,
            message: format!("{e}; expected the columns zone,school,action[,stage]"),
        })?;
        records.push((line, record));
    }
    resolve(&records, region).map_err(|(line, message)| LocksError::Line {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Checks lock records (with the line or position each came from) against
/// the region and expands a missing stage to every stage the school teaches.
/// Errors name the line and say what is wrong and what would be right.
pub fn resolve(
    records: &[(usize, LockRecord)],
    region: &Region,
) -> Result<Vec<Lock>, (usize, String)> {
    let zones: HashMap<&str, usize> = region
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i))
        .collect();
    let schools: HashMap<&str, usize> = region
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut locks: Vec<Lock> = Vec::new();
    let mut pins: HashMap<(usize, Stage), (usize, usize)> = HashMap::new();
    for (line, r) in records {
        let line = *line;
        let fail = |message: String| Err((line, message));
        let Some(&zone) = zones.get(r.zone.as_str()) else {
            return fail(format!("zone \"{}\" is not in the zones file", r.zone));
        };
        let Some(&school) = schools.get(r.school.as_str()) else {
            return fail(format!(
                "school \"{}\" is not in the schools file",
                r.school
            ));
        };
        let kind = match r.action.as_str() {
            "pin" => LockKind::Pin,
            "forbid" => LockKind::Forbid,
            other => {
                return fail(format!(
                    "action \"{other}\"; expected \"pin\" or \"forbid\""
                ));
            }
        };
        let s = &region.schools[school];
        let stages: Vec<Stage> = match r.stage.as_deref() {
            None | Some("") => Stage::ALL
                .into_iter()
                .filter(|&st| s.kind.teaches(st))
                .collect(),
            // The key, or the Chinese name a Chinese catchment-lists.csv
            // carries (小学 / 初中).
            Some(name) => match Stage::ALL
                .into_iter()
                .find(|st| st.key() == name || st.chinese() == name)
            {
                Some(stage) => vec![stage],
                None => {
                    return fail(format!(
                        "stage \"{name}\"; expected \"primary\", \"junior\" (小学, 初中) or empty"
                    ));
                }
            },
        };
        for stage in stages {
            if kind == LockKind::Pin {
                if !s.takes_catchment(stage) {
                    return fail(format!(
                        "school \"{}\" takes no {} catchment ({} {} school); pin to a public school that teaches {}",
                        s.id,
                        stage.key(),
                        s.sector.key(),
                        s.kind.key(),
                        stage.key()
                    ));
                }
                if s.county != region.zones[zone].county {
                    return fail(format!(
                        "zone \"{}\" and school \"{}\" are in different counties; children are placed in their own county",
                        r.zone, s.id
                    ));
                }
                if let Some(&(other, first)) = pins.get(&(zone, stage))
                    && other != school
                {
                    return fail(format!(
                        "zone \"{}\" is already pinned to \"{}\" for {} (line {first}); a zone goes to one school",
                        r.zone,
                        region.schools[other].id,
                        stage.key()
                    ));
                }
                pins.insert((zone, stage), (school, line));
            }
            locks.push(Lock {
                zone,
                school,
                stage,
                kind,
            });
        }
    }
    for lock in &locks {
        if lock.kind == LockKind::Forbid
            && pins
                .get(&(lock.zone, lock.stage))
                .is_some_and(|&(s, _)| s == lock.school)
        {
            let (_, line) = pins[&(lock.zone, lock.stage)];
            return Err((
                line,
                format!(
                    "zone \"{}\" is both pinned to and forbidden from \"{}\"",
                    region.zones[lock.zone].id, region.schools[lock.school].id
                ),
            ));
        }
    }
    Ok(locks)
}

/// Writes locks as CSV (UTF-8 with BOM), the format `read_locks` reads.
pub fn write_locks(
    w: &mut dyn std::io::Write,
    locks: &[Lock],
    region: &Region,
) -> std::io::Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(["zone", "school", "action", "stage"])?;
    for l in locks {
        csv.write_record([
            region.zones[l.zone].id.as_str(),
            region.schools[l.school].id.as_str(),
            match l.kind {
                LockKind::Pin => "pin",
                LockKind::Forbid => "forbid",
            },
            l.stage.key(),
        ])?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_region;

    fn tiny() -> Region {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny");
        read_region(&dir.join("zones.geojson"), &dir.join("schools.geojson")).unwrap()
    }

    fn record(zone: &str, school: &str, action: &str, stage: Option<&str>) -> (usize, LockRecord) {
        (
            2,
            LockRecord {
                zone: zone.into(),
                school: school.into(),
                action: action.into(),
                stage: stage.map(String::from),
            },
        )
    }

    #[test]
    fn a_missing_stage_means_every_stage_taught() {
        let region = tiny();
        let locks = resolve(&[record("Z001", "N1", "pin", None)], &region).unwrap();
        assert_eq!(locks.len(), 2);
        let locks = resolve(&[record("Z001", "P1", "forbid", None)], &region).unwrap();
        assert_eq!(locks.len(), 1);
    }

    #[test]
    fn bad_locks_are_named() {
        let region = tiny();
        let err = |r: Vec<(usize, LockRecord)>| resolve(&r, &region).unwrap_err().1;
        assert!(
            err(vec![record("Z999", "P1", "pin", None)])
                .contains("\"Z999\" is not in the zones file")
        );
        assert!(
            err(vec![record("Z001", "P9", "pin", None)])
                .contains("\"P9\" is not in the schools file")
        );
        assert!(
            err(vec![record("Z001", "P1", "keep", None)])
                .contains("expected \"pin\" or \"forbid\"")
        );
        assert!(
            err(vec![record("Z001", "X1", "pin", None)]).contains("takes no primary catchment")
        );
        assert!(
            err(vec![
                record("Z001", "P1", "pin", None),
                record("Z001", "P2", "pin", None)
            ])
            .contains("already pinned")
        );
        assert!(
            err(vec![
                record("Z001", "P1", "pin", None),
                record("Z001", "P1", "forbid", None)
            ])
            .contains("both pinned to and forbidden")
        );
    }

    #[test]
    fn round_trip_through_csv() {
        let region = tiny();
        let locks = resolve(
            &[
                record("Z001", "N1", "pin", Some("junior")),
                record("Z002", "P2", "forbid", None),
            ],
            &region,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks.csv");
        let mut bytes = Vec::new();
        write_locks(&mut bytes, &locks, &region).unwrap();
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read_locks(&path, &region).unwrap(), locks);
    }
}
