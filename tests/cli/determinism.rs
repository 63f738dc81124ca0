//! Same input, same output bytes, whatever the thread count.

use super::*;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let mut bytes = std::fs::read(e.path()).unwrap();
            if name == "summary.json" {
                // The run time is the one value allowed to differ.
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v["seconds"] = 0.into();
                bytes = serde_json::to_vec(&v).unwrap();
            }
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn outputs_are_identical_across_runs_and_thread_counts() {
    same_bytes(&tiny().join("scenario.toml"));
}

/// The demo county has many components and parallel parts: a better test of
/// thread-count independence than the small county.
#[test]
fn the_demo_is_identical_with_one_and_two_threads() {
    same_bytes(&root().join("scenarios/baseline.toml"));
}

/// A tight county: windows of the whole-zone core and of the connected
/// repair are solved side by side and committed in order, and seed 22
/// changes the map by many of them (own zones fitted, pieces proven), and
/// is repaired again from several starts side by side.
#[test]
fn a_tight_county_is_identical_with_one_two_and_three_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (zones, schools) = generate_tight(&tmp.path().join("maps"), 22, 300, 37);
    let mut runs = Vec::new();
    for threads in ["1", "2", "3"] {
        // One folder name for all: it is the plan's name in its outputs.
        let out = tmp.path().join(threads).join("tight");
        let env = [("RAYON_NUM_THREADS", threads)];
        let o = allocate_files_env(&zones, &schools, &out, &[], &env);
        assert!(o.status.success(), "{}", stderr(&o));
        runs.push(files(&out));
    }
    for run in &runs[1..] {
        for (a, b) in runs[0].iter().zip(run) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs between thread counts", a.0);
        }
    }
}

/// `generate` writes the demo county and its roads the same on any number
/// of threads; the roads file is a FeatureCollection of LineStrings.
#[test]
fn generated_roads_are_identical_with_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let o = catchment_env(
            &[
                "generate",
                "--seed",
                "1",
                "--zones",
                "3000",
                "--schools",
                "80",
                "--out",
                s(&out),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        runs.push(files(&out));
    }
    assert_eq!(runs[0], runs[1]);
    let names: Vec<&str> = runs[0].iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["roads.geojson", "schools.geojson", "zones.geojson"]);
    // The demo's roads are these very bytes.
    let demo = std::fs::read(root().join("maps/demo/roads.geojson")).unwrap();
    assert!(
        runs[0][0].1 == demo,
        "maps/demo/roads.geojson is out of date"
    );
    let roads = read_json(&tmp.path().join("1/roads.geojson"));
    let features = roads["features"].as_array().unwrap();
    assert!(features.len() > 1000);
    for f in features {
        assert_eq!(f["geometry"]["type"], "LineString");
        assert!(f["properties"]["highway"].is_string());
    }
}

pub fn same_bytes(scenario: &Path) {
    same_bytes_with(scenario, &[]);
}

/// As [`same_bytes`], with more options on the command line.
pub fn same_bytes_with(scenario: &Path, options: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let out = tmp.path().join(format!("run{i}"));
        let mut args = vec!["run", s(scenario), "--out", s(&out)];
        args.extend_from_slice(options);
        let o = catchment_env(&args, &[("RAYON_NUM_THREADS", threads)]);
        assert!(o.status.success(), "{}", stderr(&o));
        runs.push(files(&out));
    }
    // 17 outputs and the manifest naming them.
    assert_eq!(runs[0].len(), 18);
    for run in &runs[1..] {
        for (a, b) in runs[0].iter().zip(run) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs between runs", a.0);
        }
    }
}
