//! An output folder that appears whole or not at all.
//!
//! Files are written into a hidden sibling folder and renamed into place at
//! the end, so an error (or a kill) never leaves a half-written plan where a
//! bureau might publish it. An existing folder is replaced only if it is
//! empty or holds an earlier plan (it has `summary.json`): pointing `--out`
//! at a home directory by mistake must not delete it.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ReportError;

/// Marks a folder as ours, safe to replace.
pub const MARKER: &str = "summary.json";

pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    pub fn create(target: &Path) -> Result<OutputDir, ReportError> {
        if target.exists() && !replaceable(target) {
            return Err(ReportError::NotOurs {
                path: target.to_path_buf(),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| ReportError::io(parent, e))?;
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| ReportError::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| ReportError::io(&staging, e))?;
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

    /// Moves the finished folder into place.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        if self.target.exists() {
            let old = self.staging.with_extension("old");
            fs::rename(&self.target, &old).map_err(|e| ReportError::io(&self.target, e))?;
            fs::rename(&self.staging, &self.target)
                .map_err(|e| ReportError::io(&self.target, e))?;
            fs::remove_dir_all(&old).map_err(|e| ReportError::io(&old, e))?;
        } else {
            fs::rename(&self.staging, &self.target)
                .map_err(|e| ReportError::io(&self.target, e))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn replaceable(dir: &Path) -> bool {
    dir.is_dir()
        && (dir.join(MARKER).is_file()
            || fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_our_folders_and_cleans_up_on_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        let dir = OutputDir::create(&out).unwrap();
        dir.write(MARKER, |w| w.write_all(b"{}")).unwrap();
        dir.commit().unwrap();
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
}
