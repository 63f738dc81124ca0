//! An output folder that appears whole or not at all, and that holds files
//! of the user's own beside ours.
//!
//! Files are written into a hidden sibling folder (`.NAME.tmp-PID`) and
//! moved into place at the end, so an error (or a kill) never leaves a
//! half-written plan where a bureau might publish it. The folder keeps a
//! manifest of the files the run wrote ([`MANIFEST`]); a later run replaces
//! exactly those and moves every other entry (an officer's notes, an
//! export) into the new folder. An existing folder is replaced only if it
//! is empty or holds an earlier plan (a manifest or `summary.json`):
//! pointing `--out` at a home directory by mistake must not touch it.
//!
//! The swap is: the old folder becomes `.NAME.old`, the staging folder
//! becomes NAME, the user's entries move from `.NAME.old` into it, and
//! `.NAME.old` is removed. A run killed anywhere in this leaves folders
//! that the next run recognises by name and content and puts right before
//! it starts ([`recover`]).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{ReportError, interrupt};

/// Marks a folder as an earlier plan, safe to replace.
pub const MARKER: &str = "summary.json";

/// The names of the entries a run wrote, one a line.
pub const MANIFEST: &str = ".catchment-files";

pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

/// The hidden sibling names of an output folder.
struct Siblings {
    parent: PathBuf,
    name: String,
}

impl Siblings {
    fn of(target: &Path) -> Siblings {
        Siblings {
            parent: target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
            name: target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "out".into()),
        }
    }

    fn staging(&self, pid: u32) -> PathBuf {
        self.parent.join(format!(".{}.tmp-{pid}", self.name))
    }

    fn old(&self) -> PathBuf {
        self.parent.join(format!(".{}.old", self.name))
    }

    /// Staging folders of processes that no longer run.
    fn dead_staging(&self) -> Vec<PathBuf> {
        let prefix = format!(".{}.tmp-", self.name);
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return Vec::new();
        };
        let mut dead: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let pid: u32 = name.strip_prefix(&prefix)?.parse().ok()?;
                (pid != std::process::id() && !process_alive(pid)).then(|| e.path())
            })
            .filter(|p| p.is_dir())
            .collect();
        dead.sort();
        dead
    }
}

/// Whether a process runs. Only Linux says so without a system call
/// (`/proc`); elsewhere every process is taken as running, so that a
/// folder is never removed on a guess.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Puts right what a killed run left beside `target`, before a new run
/// starts: removes staging folders of dead processes, and finishes or
/// undoes an interrupted swap (`.NAME.old`). Only folders named as ours
/// and holding a plan are touched; an error names the folder to look at.
pub fn recover(target: &Path) -> Result<(), ReportError> {
    let siblings = Siblings::of(target);
    for dir in siblings.dead_staging() {
        fs::remove_dir_all(&dir).map_err(|e| ReportError::io(&dir, e))?;
    }
    let old = siblings.old();
    if !old.is_dir() {
        return Ok(());
    }
    if !is_plan(&old) {
        return Err(ReportError::Leftover {
            path: old,
            message: "it holds no plan (no manifest, no summary.json), so it is not ours to remove",
        });
    }
    if !target.exists() {
        // Killed after the old plan was set aside: put it back whole.
        return fs::rename(&old, target).map_err(|e| ReportError::io(&old, e));
    }
    // Killed after the new plan was in place: hand over the user's entries.
    let ours = manifest(&old)
        .or_else(|| manifest(target))
        .unwrap_or_default();
    for entry in user_entries(&old, &ours)? {
        let to = target.join(&entry);
        if to.exists() {
            return Err(ReportError::Leftover {
                path: old.join(&entry),
                message: "a file of the user's left from an interrupted run, and the plan folder has one of the same name; move one of them",
            });
        }
        fs::rename(old.join(&entry), &to).map_err(|e| ReportError::io(&to, e))?;
    }
    fs::remove_dir_all(&old).map_err(|e| ReportError::io(&old, e))
}

/// A folder holding a plan of ours.
fn is_plan(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file() || dir.join(MARKER).is_file()
}

/// The entries a folder's manifest names as written by a run.
fn manifest(dir: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(dir.join(MANIFEST)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// Entry names of a folder, sorted.
fn entries(dir: &Path) -> Result<Vec<String>, ReportError> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| ReportError::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// The entries of an earlier plan folder that no run wrote: the user's.
fn user_entries(dir: &Path, ours: &BTreeSet<String>) -> Result<Vec<String>, ReportError> {
    Ok(entries(dir)?
        .into_iter()
        .filter(|n| n != MANIFEST && !ours.contains(n))
        .collect())
}

impl OutputDir {
    pub fn create(target: &Path) -> Result<OutputDir, ReportError> {
        recover(target)?;
        if target.exists() && !replaceable(target) {
            return Err(ReportError::NotOurs {
                path: target.to_path_buf(),
            });
        }
        let siblings = Siblings::of(target);
        fs::create_dir_all(&siblings.parent).map_err(|e| ReportError::io(&siblings.parent, e))?;
        let staging = siblings.staging(std::process::id());
        interrupt::install();
        let mut registry = interrupt::guard();
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| ReportError::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| ReportError::io(&staging, e))?;
        registry.push(staging.clone());
        Ok(OutputDir {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    /// Writes one file through a buffer; `write` gets the writer.
    pub fn write(
        &self,
        file: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), ReportError> {
        let path = self.path(file);
        let f = fs::File::create(&path).map_err(|e| ReportError::io(&path, e))?;
        let mut w = BufWriter::new(f);
        write(&mut w).map_err(|e| ReportError::io(&path, e))?;
        w.flush().map_err(|e| ReportError::io(&path, e))?;
        Ok(())
    }

    /// Moves the finished folder into place, keeping the user's entries of
    /// an earlier plan there.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        let ours: BTreeSet<String> = entries(&self.staging)?.into_iter().collect();
        let list: String = ours.iter().map(|n| format!("{n}\n")).collect();
        let manifest_path = self.staging.join(MANIFEST);
        fs::write(&manifest_path, list).map_err(|e| ReportError::io(&manifest_path, e))?;
        let kept = if self.target.exists() {
            self.kept_entries(&ours)?
        } else {
            Vec::new()
        };
        let mut registry = interrupt::guard();
        if self.target.exists() {
            let old = Siblings::of(&self.target).old();
            fs::rename(&self.target, &old).map_err(|e| ReportError::io(&self.target, e))?;
            fs::rename(&self.staging, &self.target)
                .map_err(|e| ReportError::io(&self.target, e))?;
            for entry in &kept {
                let to = self.target.join(entry);
                fs::rename(old.join(entry), &to).map_err(|e| ReportError::io(&to, e))?;
            }
            fs::remove_dir_all(&old).map_err(|e| ReportError::io(&old, e))?;
        } else {
            fs::rename(&self.staging, &self.target)
                .map_err(|e| ReportError::io(&self.target, e))?;
        }
        interrupt::forget(&mut registry, &self.staging);
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl OutputDir {
    /// The entries of the earlier plan at the target that no run wrote,
    /// to be moved into the new folder; one of the same name as a file of
    /// this run is refused rather than overwritten.
    fn kept_entries(&self, ours: &BTreeSet<String>) -> Result<Vec<String>, ReportError> {
        match manifest(&self.target) {
            Some(before) => {
                let user = user_entries(&self.target, &before)?;
                if let Some(clash) = user.iter().find(|n| ours.contains(*n)) {
                    return Err(ReportError::Clash {
                        path: self.target.join(clash),
                    });
                }
                Ok(user)
            }
            // An earlier plan of an older version, without a manifest:
            // what this run writes is ours, everything else is kept.
            None => user_entries(&self.target, ours),
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut registry = interrupt::guard();
            let _ = fs::remove_dir_all(&self.staging);
            interrupt::forget(&mut registry, &self.staging);
        }
    }
}

fn replaceable(dir: &Path) -> bool {
    dir.is_dir()
        && (is_plan(dir) || fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(out: &Path, files: &[&str]) {
        let dir = OutputDir::create(out).unwrap();
        for f in files {
            dir.write(f, |w| w.write_all(f.as_bytes())).unwrap();
        }
        dir.commit().unwrap();
    }

    fn hidden(parent: &Path) -> Vec<String> {
        entries(parent)
            .unwrap()
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn replaces_only_our_folders_and_cleans_up_on_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        plan(&out, &[MARKER]);
        assert!(out.join(MARKER).is_file());

        // A failed run leaves the old plan untouched and no staging folder.
        {
            let dir = OutputDir::create(&out).unwrap();
            dir.write("half.csv", |w| w.write_all(b"x")).unwrap();
        }
        assert!(out.join(MARKER).is_file() && !out.join("half.csv").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);

        let foreign = tmp.path().join("home");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            OutputDir::create(&foreign),
            Err(ReportError::NotOurs { .. })
        ));
    }

    #[test]
    fn the_users_files_survive_a_new_plan_and_stale_outputs_do_not() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        plan(&out, &[MARKER, "a.csv", "stale.csv"]);
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::create_dir(out.join("exports")).unwrap();
        fs::write(out.join("exports/map.kml"), "mine").unwrap();
        plan(&out, &[MARKER, "a.csv"]);
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(out.join("exports/map.kml").is_file());
        assert!(!out.join("stale.csv").exists(), "our own old output goes");
        assert_eq!(
            manifest(&out).unwrap(),
            [MARKER, "a.csv"].map(String::from).into()
        );
        assert!(hidden(tmp.path()).is_empty());
        // A user's file named like one of ours is not overwritten.
        fs::write(out.join("b.csv"), "mine").unwrap();
        let dir = OutputDir::create(&out).unwrap();
        dir.write("b.csv", |w| w.write_all(b"ours")).unwrap();
        assert!(matches!(dir.commit(), Err(ReportError::Clash { .. })));
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "mine");
    }

    #[test]
    fn leftovers_of_a_killed_run_are_recovered() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        let siblings = Siblings::of(&out);
        // Killed after the old plan was set aside: it is put back.
        plan(&out, &[MARKER]);
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::rename(&out, siblings.old()).unwrap();
        // A staging folder of a process that no longer runs.
        let dead = siblings.staging(u32::MAX - 1);
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("zones.geojson"), "half").unwrap();
        plan(&out, &[MARKER, "a.csv"]);
        assert!(out.join("notes.txt").is_file() && out.join("a.csv").is_file());
        assert!(hidden(tmp.path()).is_empty(), "{:?}", hidden(tmp.path()));

        // Killed after the new plan was in place: the user's files move in.
        fs::create_dir(siblings.old()).unwrap();
        fs::write(siblings.old().join(MANIFEST), "summary.json\n").unwrap();
        fs::write(siblings.old().join(MARKER), "{}").unwrap();
        fs::write(siblings.old().join("more-notes.txt"), "mine").unwrap();
        recover(&out).unwrap();
        assert!(out.join("more-notes.txt").is_file());
        assert!(hidden(tmp.path()).is_empty());

        // A folder of that name that holds no plan is not ours.
        fs::create_dir(siblings.old()).unwrap();
        fs::write(siblings.old().join("x"), "?").unwrap();
        let err = recover(&out).unwrap_err().to_string();
        assert!(
            err.contains(".plan.old") && err.contains("not ours"),
            "{err}"
        );
    }
}
