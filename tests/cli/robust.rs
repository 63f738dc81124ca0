//! Inputs that once gave a silent wrong result: each now gives a correct
//! plan or an error naming the file, the feature or row, the field and the fix.

use serde_json::{Value, json};

use super::*;

/// The test county copied into `dir` after `edit`, with a scenario over it
/// holding `extra` (TOML); returns the scenario's path.
fn county(dir: &Path, edit: impl FnOnce(&mut Value, &mut Value), extra: &str) -> PathBuf {
    let mut zones = read_json(&tiny().join("zones.geojson"));
    let mut schools = read_json(&tiny().join("schools.geojson"));
    edit(&mut zones, &mut schools);
    std::fs::write(dir.join("zones.geojson"), zones.to_string()).unwrap();
    std::fs::write(dir.join("schools.geojson"), schools.to_string()).unwrap();
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"t\"\nzones = \"zones.geojson\"\nschools = \"schools.geojson\"\n{extra}\n"
        ),
    )
    .unwrap();
    scenario
}

fn zone(z: &mut Value, i: usize) -> &mut Value {
    &mut z["features"][i]["properties"]
}

fn school(s: &mut Value, i: usize) -> &mut Value {
    &mut s["features"][i]["properties"]
}

/// Runs the scenario into `dir/plan` and returns the outcome.
fn run(scenario: &Path, extra: &[&str]) -> (Output, PathBuf) {
    let out = scenario.parent().unwrap().join("plan");
    let mut args = vec!["run", s(scenario), "--out", s(&out)];
    args.extend_from_slice(extra);
    (catchment(&args), out)
}

/// A run that must fail with every `expected` part in its error and leave
/// no output folder.
fn refused(scenario: &Path, extra: &[&str], expected: &[&str]) {
    let (o, out) = run(scenario, extra);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}

fn succeeded(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

#[test]
fn growth_and_closures_are_published_in_zones_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, _| {
            for i in 0..30 {
                zone(z, i)["current_primary"] = json!(if i < 10 { "P3" } else { "P1" });
            }
        },
        r#"
[[new_housing]]
factor = 2.0
zones = ["Z001", "Z002"]

[[add_school]]
id = "P9"
name = "新校区"
location = [118.0016, 31.0134]
stage = "primary"
classes_primary = 4

[[close_school]]
id = "P3"
replaced_by = "P9"
"#,
    );
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    let zones = read_json(&out.join("zones.geojson"));
    let summary = read_json(&out.join("summary.json"));
    for stage in ["primary", "junior"] {
        let mut children = 0;
        let mut placed_or_not = 0;
        for f in zones["features"].as_array().unwrap() {
            let p = &f["properties"];
            let n = |k: &str| p[k].as_u64().unwrap_or(0);
            children += n(&format!("{stage}_local")) + n(&format!("{stage}_migrant"));
            placed_or_not += n(&format!("unplaced_{stage}"));
        }
        assert_eq!(
            children,
            summary["stages"][stage]["children"].as_u64().unwrap(),
            "{stage}: zones.geojson children against summary.json"
        );
        assert!(placed_or_not <= children);
    }
    let z1 = &zones["features"][0]["properties"];
    assert_eq!(z1["primary_local"], json!(14), "Z001 doubled");
    for f in zones["features"].as_array().unwrap() {
        assert_ne!(
            f["properties"]["current_primary"],
            json!("P3"),
            "closed school"
        );
    }
    assert_eq!(
        zones["features"][0]["properties"]["current_primary"],
        json!("P9")
    );
}

#[test]
fn counts_that_would_wrap_around_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, _| {
            zone(z, 2)["primary_local"] = json!(4294967295u64);
            zone(z, 2)["primary_migrant"] = json!(4294967295u64);
        },
        "",
    );
    refused(
        &scenario,
        &[],
        &[
            "zones.geojson",
            "features[2]",
            "Z003",
            "`primary_",
            "at most 10000000",
        ],
    );
    let scenario = county(
        tmp.path(),
        |_, _| {},
        "[[new_housing]]\nfactor = 1e12\nzones = [\"Z003\"]\n",
    );
    refused(
        &scenario,
        &[],
        &["scenario.toml", "`factor`", "Z003", "10000000"],
    );
}

#[test]
fn a_zone_with_every_school_forbidden_is_in_no_catchment() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), |_, _| {}, "locks = \"locks.csv\"");
    std::fs::write(
        tmp.path().join("locks.csv"),
        "zone,school,action,stage\nZ004,P1,forbid,primary\nZ004,P2,forbid,primary\nZ004,P3,forbid,primary\nZ004,N1,forbid,primary\n",
    )
    .unwrap();
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    let unplaced = rows(&out.join("unplaced.csv"));
    let z4 = unplaced
        .iter()
        .find(|r| r["zone_id"] == "Z004" && r["stage"] == "primary")
        .expect("Z004 has no primary seat");
    assert!(
        z4["reason"].contains("every school forbidden by locks"),
        "{z4:?}"
    );
    let listed = rows(&out.join("catchment-lists.csv"))
        .into_iter()
        .any(|r| r["zone_id"] == "Z004" && r["stage"] == "primary");
    assert!(!listed, "Z004 published in a primary catchment");
}

#[test]
fn a_zone_without_county_is_told_which_counties_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, s| {
            for i in 1..30 {
                zone(z, i)["county"] = json!("东城县");
            }
            for i in 0..6 {
                school(s, i)["county"] = json!("东城县");
            }
        },
        "",
    );
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    let unplaced = rows(&out.join("unplaced.csv"));
    let z1 = unplaced
        .iter()
        .find(|r| r["zone_id"] == "Z001")
        .expect("Z001 has no seat");
    assert!(
        z1["reason"].contains("no county") && z1["reason"].contains("东城县"),
        "{z1:?}"
    );
}

#[test]
fn zones_far_from_every_school_stop_the_run_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, _| {
            z["features"][5]["geometry"] = json!({"type": "Point", "coordinates": [31.0, 18.0]});
        },
        "",
    );
    refused(
        &scenario,
        &[],
        &["Z006", "max_trip_km = 100 km", "--allow-far"],
    );
    let (o, out) = run(&scenario, &["--allow-far"]);
    succeeded(&o);
    let summary = read_json(&out.join("summary.json"));
    let far = summary["far_zones"].as_array().unwrap();
    assert!(far.iter().any(|f| f["zone_id"] == "Z006"), "{far:?}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("zone Z006"),
        "the report names the far zone"
    );
}

#[test]
fn unplaced_reasons_state_the_true_reach() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, _| zone(z, 0)["primary_local"] = json!(5000),
        "[policy.primary]\nmax_km = 3.0\n[solver]\ncandidates = 1\n",
    );
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    let unplaced = rows(&out.join("unplaced.csv"));
    let z1 = unplaced
        .iter()
        .find(|r| r["zone_id"] == "Z001" && r["stage"] == "primary")
        .expect("Z001 has children without a seat");
    assert_eq!(
        z1["reason"], "all 4 schools within 3.0 km are full",
        "P1, P2, P3 and N1 all lie within 3 km"
    );
}

#[test]
fn continuing_pupils_over_the_school_limit_are_reported_as_pre_existing() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |_, s| school(s, 0)["enrolled_primary"] = json!(2100),
        "",
    );
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["violations"], json!([]), "not the plan's violation");
    let pre = &summary["pre_existing_violations"];
    assert_eq!(pre[0]["school_id"], "P1", "{pre}");
    assert_eq!(
        (pre[0]["continuing"].as_u64(), pre[0]["limit"].as_u64()),
        (Some(2100), Some(2000))
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("P1: 2100 continuing pupils already over the school limit 2000"),
        "{report}"
    );
}

#[test]
fn hostile_names_neither_break_documents_nor_become_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(
        tmp.path(),
        |z, s| {
            school(s, 0)["name"] = json!("=HYPERLINK(\"http://x\")\n# 假标题 | col");
            zone(z, 0)["name"] = json!("@SUM(A1)\n## 假小区");
        },
        "",
    );
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    for doc in ["report.md", "catchment-lists.md"] {
        let text = std::fs::read_to_string(out.join(doc)).unwrap();
        for line in text.lines() {
            assert!(
                !line.starts_with("# 假标题") && !line.starts_with("## 假小区"),
                "{doc}: a name broke a line: {line}"
            );
        }
    }
    for csv in ["schools.csv", "catchment-lists.csv"] {
        for row in rows(&out.join(csv)) {
            for (k, v) in &row {
                assert!(
                    !v.starts_with('=') && !v.starts_with('@'),
                    "{csv}: {k} = {v} opens as a formula"
                );
            }
        }
    }
    let lists = rows(&out.join("catchment-lists.csv"));
    assert!(
        lists
            .iter()
            .any(|r| r["zone_name"].starts_with("'@SUM(A1)")),
        "name kept, guarded"
    );
}

#[test]
fn a_contradictory_policy_is_refused_before_planning() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), |_, _| {}, "[policy]\nlarge_class = 10\n");
    refused(
        &scenario,
        &[],
        &["scenario.toml", "`large_class`", "10", "class_limit"],
    );
    let scenario = county(
        tmp.path(),
        |_, _| {},
        "[policy]\nnine_year_school_limit = 1000\n",
    );
    refused(
        &scenario,
        &[],
        &["`nine_year_school_limit`", "school_limit (2000)"],
    );
}

#[test]
fn a_key_given_twice_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), |_, _| {}, "");
    let path = tmp.path().join("zones.geojson");
    let text = std::fs::read_to_string(&path).unwrap();
    let twice = text.replacen(
        "\"primary_local\":7,",
        "\"primary_local\":7,\"primary_local\":70,",
        1,
    );
    assert_ne!(text, twice);
    std::fs::write(&path, twice).unwrap();
    refused(
        &scenario,
        &[],
        &[
            "zones.geojson",
            "features[0].properties",
            "\"primary_local\" twice",
        ],
    );
}

#[test]
fn leftovers_of_a_killed_run_are_recovered_and_the_users_files_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), |_, _| {}, "");
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    std::fs::write(out.join("notes.txt"), "an officer's notes").unwrap();
    // kill -9 right after the plan was set aside, and another one while a
    // run was writing (its process is gone).
    std::fs::rename(&out, tmp.path().join(".plan.old")).unwrap();
    let stale = tmp.path().join(".plan.tmp-4294967294");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("zones.geojson"), "half a file").unwrap();
    let (o, out) = run(&scenario, &[]);
    succeeded(&o);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "an officer's notes",
        "the user's file is kept"
    );
    assert!(out.join("summary.json").is_file());
    let hidden: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
}

#[test]
fn sigterm_while_writing_leaves_no_staging_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
        .args([
            "run",
            s(&root().join("scenarios/baseline.toml")),
            "--out",
            s(&out),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let staging = tmp.path().join(format!(".plan.tmp-{}", child.id()));
    let seen = loop {
        if staging.exists() {
            break true;
        }
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    if !seen {
        eprintln!("skipped: the run finished before its staging folder was seen");
        return;
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "stopped by the handler");
    assert!(!staging.exists(), "staging folder left behind");
    assert!(!out.exists(), "a half plan was published");
}
