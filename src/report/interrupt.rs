//! Ctrl-C and SIGTERM while outputs are written: the staging folders of
//! this process are removed before it exits, so that an interrupted run
//! leaves no hidden `.NAME.tmp-PID` folder (some hold hundreds of MB).
//!
//! A kill -9 cannot be caught; the next run removes what it leaves (see
//! `output_dir::recover`). Folders are registered and their commit runs
//! under one lock, so the handler never removes a folder half-renamed.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// Exit status of a run stopped by a signal (128 + SIGINT, as shells give).
const INTERRUPTED: i32 = 130;

/// The registry's lock: hold it while creating, renaming or removing a
/// staging folder.
pub fn guard() -> MutexGuard<'static, Vec<PathBuf>> {
    STAGING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler once per process. Where another part of the
/// program installed one first, ours is not installed and the next run's
/// recovery cleans up instead.
pub fn install() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let staging = guard();
            for dir in staging.iter() {
                let _ = std::fs::remove_dir_all(dir);
            }
            eprintln!("interrupted: no output written");
            std::process::exit(INTERRUPTED);
        });
    });
}

/// Forgets a folder (committed or removed); call with the guard held.
pub fn forget(staging: &mut Vec<PathBuf>, dir: &Path) {
    staging.retain(|d| d != dir);
}
