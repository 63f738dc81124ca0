//! Exports that touch only their own files.
//!
//! The output folder is the officer's: they keep notes and signed copies
//! there. Each export is a new folder `exports/2026-12-03T10-15-00/`
//! (`-2`, `-3` … within one second) holding every output of the plan, and
//! `exports/manifest.json` lists the exports made and the files in each.
//! Nothing else in the folder is ever written, renamed or deleted; earlier
//! exports stay as they were.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::journal::{folder_stamp, utc_now};

/// The folder under the output folder that holds the exports.
pub const EXPORTS_DIR: &str = "exports";
/// The manifest in it.
pub const MANIFEST: &str = "manifest.json";

/// One export, as the manifest lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Export {
    /// The folder's name under `exports/`.
    pub folder: String,
    pub time: String,
    pub scenario: String,
    /// The plan version exported and the journal entries it includes.
    pub version: u64,
    pub edits: usize,
    pub files: Vec<String>,
}

#[derive(Default, Serialize, Deserialize)]
struct Manifest {
    about: String,
    exports: Vec<Export>,
}

const ABOUT: &str = "Exports written by catchment serve: one folder per export, each holding every output of the plan as it was. catchment writes only these folders and this file.";

/// A folder for a new export under `out/exports/` that does not exist yet.
pub fn new_folder(out: &Path) -> (String, PathBuf) {
    let stamp = folder_stamp();
    let root = out.join(EXPORTS_DIR);
    let mut n = 1;
    loop {
        let name = if n == 1 {
            stamp.clone()
        } else {
            format!("{stamp}-{n}")
        };
        let path = root.join(&name);
        if !path.exists() {
            return (name, path);
        }
        n += 1;
    }
}

/// Adds a finished export to the manifest (written aside and renamed into
/// place, so a reader never sees half of it). An unreadable manifest is
/// refused rather than overwritten: it lists exports an officer may need.
pub fn record(
    out: &Path,
    folder: &str,
    scenario: &str,
    version: u64,
    edits: usize,
) -> Result<Export, String> {
    let root = out.join(EXPORTS_DIR);
    let path = root.join(MANIFEST);
    let mut manifest = match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<Manifest>(&bytes).map_err(|e| {
            format!(
                "{}: {e}; it is not a manifest this program wrote: move it away",
                path.display()
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut files: Vec<String> = fs::read_dir(root.join(folder))
        .map_err(|e| format!("{}: {e}", root.join(folder).display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let export = Export {
        folder: folder.to_string(),
        time: utc_now(),
        scenario: scenario.to_string(),
        version,
        edits,
        files,
    };
    manifest.about = ABOUT.into();
    manifest.exports.push(export.clone());
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("manifests serialize");
    bytes.push(b'\n');
    let tmp = root.join(format!(".{MANIFEST}.tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(export)
}

/// The exports the manifest lists, oldest first (none where there is no
/// manifest or it cannot be read).
pub fn list(out: &Path) -> Vec<Export> {
    fs::read(out.join(EXPORTS_DIR).join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .map_or_else(Vec::new, |m| m.exports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_new_and_the_manifest_keeps_every_export() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        fs::write(out.join("my-notes.txt"), "mine").unwrap();
        let (a, pa) = new_folder(out);
        fs::create_dir_all(&pa).unwrap();
        fs::write(pa.join("summary.json"), "{}").unwrap();
        record(out, &a, "demo", 2, 1).unwrap();
        let (b, pb) = new_folder(out);
        assert_ne!(a, b);
        fs::create_dir_all(&pb).unwrap();
        record(out, &b, "demo", 3, 2).unwrap();
        let listed = list(out);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].files, ["summary.json"]);
        assert_eq!(
            fs::read_to_string(out.join("my-notes.txt")).unwrap(),
            "mine"
        );
        // A manifest someone else wrote is not overwritten.
        fs::write(out.join(EXPORTS_DIR).join(MANIFEST), "not json").unwrap();
        assert!(record(out, &b, "demo", 3, 2).is_err());
        assert_eq!(
            fs::read_to_string(out.join(EXPORTS_DIR).join(MANIFEST)).unwrap(),
            "not json"
        );
    }
}
