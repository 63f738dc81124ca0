//! Separate migrant catchments (`migrant_catchments = "separate"`): local
//! catchments first, then migrant catchments over the seats locals leave;
//! both passes together within every limit, every zone with a migrant
//! school, every migrant child accounted for, the same bytes whatever the
//! thread count.

use std::collections::HashMap;

use serde_json::Value;

use super::*;

/// A scenario extending `base` with separate migrant catchments (and any
/// further lines), written to `dir`.
fn separate(dir: &Path, base: &Path, more: &str) -> PathBuf {
    let path = dir.join("separate.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\nname = \"separate\"\nmigrant_catchments = \"separate\"\n{more}",
            s(base)
        ),
    )
    .unwrap();
    path
}

fn run(scenario: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["run", s(scenario), "--out", s(out)];
    args.extend_from_slice(extra);
    let o = catchment(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    read_json(&out.join("summary.json"))
}

/// Children in = placed + unplaced per stage, no violation (both passes
/// counted together against each school), and every migrant child in
/// migrant-placements.csv at the zone's migrant school, a purchased seat,
/// a resource room or no seat.
fn assert_sound(out: &Path, summary: &Value) {
    assert_eq!(
        summary["violations"].as_array().unwrap().len(),
        0,
        "{summary}"
    );
    assert_eq!(summary["migrant_catchments"], "separate");
    for stage in ["primary", "junior"] {
        let x = &summary["stages"][stage];
        assert_eq!(
            x["children"].as_u64().unwrap(),
            x["placed"].as_u64().unwrap() + x["unplaced"].as_u64().unwrap(),
            "{stage}"
        );
        assert_eq!(x["violations"], 0);
    }
    let zones = read_json(&out.join("zones.geojson"));
    let mut migrant_school = HashMap::new();
    let mut migrant_children = HashMap::new();
    for f in zones["features"].as_array().unwrap() {
        let p = &f["properties"];
        for stage in ["primary", "junior"] {
            let school = p[format!("school_{stage}_migrant")].as_str();
            assert!(
                school.is_some(),
                "zone {} has no {stage} migrant school",
                p["id"]
            );
            assert!(p[format!("km_{stage}_migrant")].is_number());
            let id = p["id"].as_str().unwrap().to_string();
            migrant_school.insert((stage, id.clone()), school.unwrap().to_string());
            migrant_children.insert(
                (stage, id),
                p[format!("{stage}_migrant")].as_u64().unwrap_or(0),
            );
        }
    }
    let mut accounted: HashMap<(&str, String), u64> = HashMap::new();
    for r in rows(&out.join("migrant-placements.csv")) {
        let stage = if r["stage"] == "primary" {
            "primary"
        } else {
            "junior"
        };
        let key = (stage, r["zone_id"].clone());
        if r["placement"] == "catchment school" {
            assert_eq!(r["school_id"], migrant_school[&key], "{r:?}");
        }
        *accounted.entry(key).or_default() += r["children"].parse::<u64>().unwrap();
    }
    for (key, n) in migrant_children {
        assert_eq!(accounted.get(&key).copied().unwrap_or(0), n, "{key:?}");
    }
}

#[test]
fn migrant_catchments_on_the_demo_are_sound_wider_and_published() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = separate(tmp.path(), &root().join("scenarios/baseline.toml"), "");
    let out = tmp.path().join("out");
    let summary = run(&scenario, &out, &[]);
    assert_sound(&out, &summary);
    for stage in ["primary", "junior"] {
        let l = &summary["migrant_lists"][stage];
        // Fewer schools take the demo's migrant children, each from more
        // compounds: the migrant lists are wider.
        assert!(
            l["mean_zones_migrant_list"].as_f64().unwrap()
                >= l["mean_zones_local_list"].as_f64().unwrap(),
            "{l}"
        );
        assert!(l["zones_with_other_school"].as_u64().unwrap() > 0, "{l}");
        assert!(l["gap"].as_f64().unwrap() < 0.01, "{l}");
    }
    let lists = rows(&out.join("catchment-lists.csv"));
    let zones = read_json(&out.join("zones.geojson"))["features"]
        .as_array()
        .unwrap()
        .len();
    for list in ["local", "migrant"] {
        for stage in ["primary", "junior"] {
            let n = lists
                .iter()
                .filter(|r| r["list"] == list && r["stage"] == stage)
                .count();
            assert_eq!(n, zones, "every zone is on one {stage} {list} list");
        }
    }
    let md = std::fs::read_to_string(out.join("catchment-lists.md")).unwrap();
    assert!(md.contains("**户籍 local**") && md.contains("**随迁子女 migrant**"));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("migrant share band is not applied"),
        "{report}"
    );
}

/// Few seats: locals fill schools, migrant children take what is left
/// (including a nine-year school's shared limit), then purchased seats,
/// and the rest are listed without a seat; nothing breaks a limit.
#[test]
fn with_short_seats_both_passes_stay_within_every_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = separate(
        tmp.path(),
        &tiny().join("scenario.toml"),
        "[policy]\nschool_limit = 700\nnine_year_school_limit = 700\n[policy.primary]\nclass_limit = 30\n[policy.junior]\nclass_limit = 30\n",
    );
    let out = tmp.path().join("out");
    let summary = run(&scenario, &out, &[]);
    assert_sound(&out, &summary);
    let unplaced: u64 = ["primary", "junior"]
        .iter()
        .map(|st| summary["stages"][st]["unplaced"].as_u64().unwrap())
        .sum();
    assert!(unplaced > 0, "the test needs a shortage: {summary}");
    let rows = rows(&out.join("unplaced.csv"));
    assert!(
        rows.iter()
            .all(|r| r["list"] == "local" || r["list"] == "migrant")
    );
}

#[test]
fn migrant_max_km_limits_the_migrant_catchments_only() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = separate(
        tmp.path(),
        &tiny().join("scenario.toml"),
        "[policy.primary]\nmigrant_max_km = 0.001\n",
    );
    let out = tmp.path().join("out");
    let summary = run(&scenario, &out, &[]);
    assert_sound(&out, &summary);
    let p = &summary["stages"]["primary"];
    // Only migrant children living at a school (0 km) have a public seat;
    // purchased seats are farther too; local children are all placed.
    assert_eq!(p["migrants"]["purchased"], 0);
    assert!(p["migrants"]["unplaced"].as_u64().unwrap() > 0);
    assert_eq!(p["unplaced"], p["migrants"]["unplaced"]);
    for r in rows(&out.join("migrant-placements.csv")) {
        if r["stage"] == "primary" && r["placement"] != "no seat" {
            assert_eq!(r["km"], "0.000", "{r:?}");
        }
    }
    assert!(
        rows(&out.join("unplaced.csv"))
            .iter()
            .filter(|r| r["stage"] == "primary")
            .all(|r| r["list"] == "migrant"
                && (r["reason"].contains("no school within 0.001 km")
                    || r["reason"].contains("within 0.0 km are full")))
    );
    // The junior stage has no migrant reach: its migrant children travel.
    assert!(
        rows(&out.join("migrant-placements.csv"))
            .iter()
            .any(|r| r["stage"] == "junior"
                && r["placement"] == "catchment school"
                && r["km"].parse::<f64>().unwrap() > 0.5)
    );
}

#[test]
fn the_flag_turns_separate_catchments_on_and_same_keeps_the_default() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny().join("scenario.toml");
    let out = tmp.path().join("flag");
    let summary = run(&scenario, &out, &["--migrant-catchments", "separate"]);
    assert_sound(&out, &summary);
    let out = tmp.path().join("same");
    let summary = run(&scenario, &out, &["--migrant-catchments", "same"]);
    assert_eq!(summary["migrant_catchments"], "same");
    assert!(summary.get("migrant_lists").is_none());
    let zones = read_json(&out.join("zones.geojson"));
    assert!(
        zones["features"][0]["properties"]
            .get("school_primary_migrant")
            .is_none()
    );
    let o = catchment(&[
        "run",
        s(&scenario),
        "--out",
        s(&tmp.path().join("bad")),
        "--migrant-catchments",
        "wider",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("separate"), "{}", stderr(&o));
}

#[test]
fn a_bad_migrant_catchments_key_names_the_file_and_the_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("bad.toml");
    std::fs::write(
        &scenario,
        format!(
            "extends = {:?}\nmigrant_catchments = \"wide\"\n",
            s(&tiny().join("scenario.toml"))
        ),
    )
    .unwrap();
    let o = catchment(&["run", s(&scenario), "--out", s(&tmp.path().join("o"))]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("bad.toml")
            && e.contains("`migrant_catchments`")
            && e.contains("wide")
            && e.contains("`same` or `separate`"),
        "{e}"
    );
}

#[test]
fn separate_migrant_catchments_are_identical_with_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = separate(tmp.path(), &root().join("scenarios/baseline.toml"), "");
    super::determinism::same_bytes(&scenario);
}
