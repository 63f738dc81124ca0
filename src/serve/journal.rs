//! The journal of an editing session: `edits.jsonl` in the output folder,
//! one JSON line per change of the plan (pin, forbid, release, import,
//! undo, redo), written and fsynced before the change is answered.
//!
//! Officers spend days on a county; a restart, a crash or a power cut must
//! not take their work. `serve` on the same scenario and folder reads the
//! journal back and replays the lock changes (cheap: no solve per edit),
//! then makes the one plan of the final locks, which is the plan the
//! officer last saw (plans depend only on their inputs). A journal whose
//! first line names other inputs is refused rather than replayed onto a
//! map it was not made on. A kill in the middle of a write leaves at most a
//! partial last line: it was never answered, so it is dropped.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The journal's file name in the output folder.
pub const JOURNAL: &str = "edits.jsonl";

/// What the first line says.
const KIND: &str = "catchment edits";
const FORMAT: u32 = 1;

/// The journal's first line: whose edits these are.
#[derive(Serialize, Deserialize)]
struct Header {
    journal: String,
    format: u32,
    scenario: String,
    fingerprint: String,
    started: String,
}

/// A lock as journalled (an import's lock set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockRow {
    pub zone: String,
    pub school: String,
    pub action: String,
    pub stage: String,
}

/// One change of the plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub time: String,
    /// pin, forbid, release, import, undo or redo.
    pub action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// An import's whole lock set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locks: Option<Vec<LockRow>>,
    /// The plan version the change made.
    pub version: u64,
    /// Locks in force after the change, and their digest: replay checks
    /// that it arrives at the same set.
    pub lock_count: usize,
    pub lock_digest: String,
    /// The resulting child-km of travel per stage, and the change.
    pub child_km: StageKm,
    pub delta_km: StageKm,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageKm {
    pub primary: f64,
    pub junior: f64,
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error(
        "{path} holds the edits of scenario \"{scenario}\" on other inputs (fingerprint {found}, these inputs {expected}): the maps, the policy, the locks file or the scenario changed since. Its edits cannot be replayed on this plan. To go on with them, serve the scenario they were made on; to start afresh, move {path} away or give another --out folder"
    )]
    Foreign {
        path: PathBuf,
        scenario: String,
        found: String,
        expected: String,
    },
    #[error(
        "{path} line {line}: {message}; the journal is damaged: move it away or give another --out folder"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The journal of one output folder.
pub struct Journal {
    path: PathBuf,
    scenario: String,
    fingerprint: String,
    entries: Vec<Entry>,
    /// Open for appending once the file exists.
    file: Option<File>,
}

impl Journal {
    /// Reads `dir/edits.jsonl` if there is one, checking that it was made
    /// on these inputs. A partial last line (a kill during a write) is cut
    /// off the file.
    pub fn open(dir: &Path, scenario: &str, fingerprint: &str) -> Result<Journal, JournalError> {
        let path = dir.join(JOURNAL);
        let mut journal = Journal {
            path: path.clone(),
            scenario: scenario.to_string(),
            fingerprint: fingerprint.to_string(),
            entries: Vec::new(),
            file: None,
        };
        let io = |e: std::io::Error| JournalError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(journal),
            Err(e) => return Err(io(e)),
        };
        // Only lines ending in a newline were acknowledged.
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let damaged = |line: usize, message: String| JournalError::Damaged {
            path: path.clone(),
            line,
            message,
        };
        let text = std::str::from_utf8(&bytes[..whole])
            .map_err(|e| damaged(0, format!("not UTF-8 text ({e})")))?;
        for (i, line) in text.lines().enumerate() {
            if i == 0 {
                let h: Header = serde_json::from_str(line)
                    .map_err(|e| damaged(1, format!("not a journal header ({e})")))?;
                if h.journal != KIND || h.format != FORMAT {
                    return Err(damaged(
                        1,
                        format!(
                            "a journal \"{}\" format {}, expected \"{KIND}\" format {FORMAT}",
                            h.journal, h.format
                        ),
                    ));
                }
                if h.fingerprint != fingerprint || h.scenario != scenario {
                    return Err(JournalError::Foreign {
                        path: path.clone(),
                        scenario: h.scenario,
                        found: h.fingerprint,
                        expected: fingerprint.to_string(),
                    });
                }
                continue;
            }
            let e: Entry = serde_json::from_str(line).map_err(|e| damaged(i + 1, e.to_string()))?;
            journal.entries.push(e);
        }
        if whole == 0 && !bytes.is_empty() {
            // Not even the header was finished: nothing was acknowledged.
            fs::remove_file(&path).map_err(io)?;
            return Ok(journal);
        }
        let file = OpenOptions::new().append(true).open(&path).map_err(io)?;
        if whole < bytes.len() {
            file.set_len(whole as u64).map_err(io)?;
            file.sync_all().map_err(io)?;
            eprintln!(
                "{}: dropped an unfinished last line (a change that was never answered)",
                path.display()
            );
        }
        journal.file = Some(file);
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The next entry's sequence number.
    pub fn next_seq(&self) -> u64 {
        self.entries.last().map_or(1, |e| e.seq + 1)
    }

    /// Appends one entry and makes it durable before returning.
    pub fn append(&mut self, entry: Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&entry).expect("entries serialize");
        line.push(b'\n');
        if self.file.is_none() {
            self.create()?;
        }
        let file = self.file.as_mut().expect("created above");
        file.write_all(&line)?;
        file.sync_data()?;
        self.entries.push(entry);
        Ok(())
    }

    /// Writes the header of a new journal, durably (the folder entry too).
    fn create(&mut self) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let header = Header {
            journal: KIND.into(),
            format: FORMAT,
            scenario: self.scenario.clone(),
            fingerprint: self.fingerprint.clone(),
            started: utc_now(),
        };
        let mut line = serde_json::to_vec(&header).expect("headers serialize");
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(&line)?;
        file.sync_all()?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        self.file = Some(file);
        Ok(())
    }
}

/// FNV-1a, 64 bits, over the parts, each preceded by its length: a stable
/// digest that needs no dependency (not a defence against forgery: the
/// journal guards against mistakes, not attackers).
pub fn digest(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for p in parts {
        feed(&(p.len() as u64).to_le_bytes());
        feed(p);
    }
    format!("fnv1a64:{h:016x}")
}

/// Seconds since 1970 as (year, month, day, hour, minute, second) UTC.
fn civil(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rem / 3600, rem / 60 % 60, rem % 60)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Now as RFC 3339 UTC: `2026-12-03T10:15:00Z`.
pub fn utc_now() -> String {
    let (y, mo, d, h, mi, s) = civil(now_secs());
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Now as a folder name (no colons, which Windows refuses):
/// `2026-12-03T10-15-00`.
pub fn folder_stamp() -> String {
    let (y, mo, d, h, mi, s) = civil(now_secs());
    format!("{y:04}-{mo:02}-{d:02}T{h:02}-{mi:02}-{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            time: utc_now(),
            action: "pin".into(),
            zones: vec!["Z1".into()],
            school: Some("P1".into()),
            stage: None,
            locks: None,
            version: seq + 1,
            lock_count: 1,
            lock_digest: digest(&[b"x"]),
            child_km: StageKm::default(),
            delta_km: StageKm::default(),
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        // 2026-12-03T10:15:00Z
        assert_eq!(civil(1_796_292_900), (2026, 12, 3, 10, 15, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }

    #[test]
    fn entries_survive_reopening_and_a_torn_last_line_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let mut j = Journal::open(tmp.path(), "demo", "f1").unwrap();
        assert!(j.entries().is_empty() && !tmp.path().join(JOURNAL).exists());
        j.append(entry(1)).unwrap();
        j.append(entry(2)).unwrap();
        drop(j);
        // A kill in the middle of the third write.
        let path = tmp.path().join(JOURNAL);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":3,\"ti").unwrap();
        drop(f);
        let mut j = Journal::open(tmp.path(), "demo", "f1").unwrap();
        assert_eq!(j.entries().len(), 2);
        assert_eq!(j.next_seq(), 3);
        j.append(entry(3)).unwrap();
        drop(j);
        let j = Journal::open(tmp.path(), "demo", "f1").unwrap();
        assert_eq!(
            j.entries().iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn a_journal_of_other_inputs_is_refused_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        let mut j = Journal::open(tmp.path(), "demo", "f1").unwrap();
        j.append(entry(1)).unwrap();
        let e = Journal::open(tmp.path(), "demo", "f2")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("other inputs") && e.contains("edits.jsonl"),
            "{e}"
        );
        let e = Journal::open(tmp.path(), "other", "f1")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("\"demo\""), "{e}");
    }

    #[test]
    fn digests_separate_parts() {
        assert_ne!(digest(&[b"ab", b"c"]), digest(&[b"a", b"bc"]));
        assert_eq!(digest(&[b"ab"]), digest(&[b"ab"]));
    }
}
