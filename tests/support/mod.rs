//! What every test crate needs to run the real binary on real files: the
//! project root, the shared real data (skipped with a message where it is
//! absent), the binary with English documents unless asked otherwise, and
//! readers of the JSON and CSV it writes. Each crate takes what it uses.
#![allow(dead_code)]

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
const WITH_LANG: [&str; 6] = ["run", "allocate", "compare", "project", "site", "lottery"];

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

/// `catchment allocate` of a zones and a schools file into `out`, with
/// `extra` flags after.
pub fn allocate_files(zones: &Path, schools: &Path, out: &Path, extra: &[&str]) -> Output {
    allocate_files_env(zones, schools, out, extra, &[])
}

/// As [`allocate_files`], with environment variables set.
pub fn allocate_files_env(
    zones: &Path,
    schools: &Path,
    out: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut args = vec![
        "allocate",
        "--zones",
        s(zones),
        "--schools",
        s(schools),
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    catchment_env(&args, env)
}

/// `catchment generate --tight` into `dir`; its zones and schools files.
pub fn generate_tight(dir: &Path, seed: u64, zones: usize, schools: usize) -> (PathBuf, PathBuf) {
    let (seed, zones, schools) = (seed.to_string(), zones.to_string(), schools.to_string());
    let o = catchment(&[
        "generate",
        "--tight",
        "--seed",
        &seed,
        "--zones",
        &zones,
        "--schools",
        &schools,
        "--out",
        s(dir),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir.join("zones.geojson"), dir.join("schools.geojson"))
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

/// The features of a GeoJSON FeatureCollection file.
pub fn features(p: &Path) -> Vec<serde_json::Value> {
    read_json(p)["features"]
        .as_array()
        .expect("a FeatureCollection")
        .clone()
}

/// Each feature's id and one of its properties, in the file's order.
pub fn by_id(p: &Path, field: &str) -> Vec<(String, serde_json::Value)> {
    features(p)
        .into_iter()
        .map(|f| {
            let id = f["properties"]["id"].as_str().expect("an id").to_string();
            (id, f["properties"][field].clone())
        })
        .collect()
}

/// The row of `instance` in the table `catchment bench` wrote into `out`.
pub fn bench_row(out: &Path, instance: &str) -> String {
    let report = std::fs::read_to_string(out.join("bench.md")).expect("bench.md");
    let start = format!("| {instance} |");
    report
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no {instance} row in {report}"))
        .to_string()
}

/// A FeatureCollection's text, to write as a GeoJSON file.
pub fn collection(features: Vec<serde_json::Value>) -> String {
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
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
