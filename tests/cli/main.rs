//! Command-line tests: the real binary on real files.

mod bad_input;
mod balance;
mod determinism;
mod documents;
mod formats;
mod fuzz;
mod locks;
mod lottery;
mod migrant;
mod one_way;
mod options;
mod real_data;
mod robust;
mod run;
mod special;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn tiny() -> PathBuf {
    root().join("tests/data/tiny")
}

/// `../shared/data`, present in the development workspace and in CI, absent
/// from a user's fresh clone.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} is absent (real data ships with the development workspace, not the repository)",
            p.display()
        );
        None
    }
}

pub fn catchment(args: &[&str]) -> Output {
    catchment_env(args, &[])
}

/// Commands that write documents in a language (Chinese by default).
const WITH_LANG: [&str; 3] = ["run", "allocate", "compare"];

/// Runs the binary. The tests read English documents: `--lang en` is added
/// to commands that write documents unless the test asks for a language.
pub fn catchment_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_catchment"));
    cmd.args(args);
    if args.first().is_some_and(|a| WITH_LANG.contains(a)) && !args.contains(&"--lang") {
        cmd.args(["--lang", "en"]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

pub fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("file exists")).expect("valid JSON")
}

/// Rows of a CSV file (BOM stripped) as maps from header to value.
pub fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "{} has no BOM",
        path.display()
    );
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}
