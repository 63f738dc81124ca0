//! Children with disabilities (随班就读): resource rooms first, nearest
//! first, under the schools' seats; the rest in regular classes with their
//! zone; the enrollment rate against 95 %; every child accounted for.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;

/// The test county with special children in its first zones (`primary` and
/// `junior` per zone) and resource rooms at the given schools, written to
/// `dir` with a scenario; returns the scenario's path.
fn county(dir: &Path, special: &[(u32, u32)], rooms: &[&str]) -> PathBuf {
    let mut zones = read_json(&tiny().join("zones.geojson"));
    let mut schools = read_json(&tiny().join("schools.geojson"));
    for (f, &(primary, junior)) in zones["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(special)
    {
        f["properties"]["primary_special"] = primary.into();
        f["properties"]["junior_special"] = junior.into();
    }
    for f in schools["features"].as_array_mut().unwrap() {
        let id = f["properties"]["id"].as_str().unwrap().to_string();
        f["properties"]["resource_room"] = rooms.contains(&id.as_str()).into();
    }
    std::fs::write(dir.join("zones.geojson"), zones.to_string()).unwrap();
    std::fs::write(dir.join("schools.geojson"), schools.to_string()).unwrap();
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        "name = \"special\"\nzones = \"zones.geojson\"\nschools = \"schools.geojson\"\n",
    )
    .unwrap();
    scenario
}

fn run(scenario: &Path, out: &Path) -> Value {
    let o = catchment(&["run", s(scenario), "--out", s(out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    read_json(&out.join("summary.json"))
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// Zone 7 has no children; the others have more than these.
const SPECIAL: &[(u32, u32)] = &[
    (2, 1),
    (1, 1),
    (3, 0),
    (1, 2),
    (0, 1),
    (2, 0),
    (0, 0),
    (1, 0),
];

#[test]
fn special_children_fill_resource_rooms_first_and_are_all_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), SPECIAL, &["P2", "N1"]);
    let out = tmp.path().join("plan");
    let summary = run(&scenario, &out);
    let placements = rows(&out.join("special-placements.csv"));
    let schools = rows(&out.join("schools.csv"));
    let unplaced = rows(&out.join("unplaced.csv"));
    for (stage, children) in [("primary", 10), ("junior", 5)] {
        let st = &summary["stages"][stage];
        assert_eq!(st["violations"], 0, "{stage}");
        assert_eq!(
            n(&st["children"]),
            n(&st["placed"]) + n(&st["unplaced"]),
            "conservation, {stage}"
        );
        let sp = &summary["special"][stage];
        assert_eq!(n(&sp["children"]), children, "{stage}: {sp}");
        let (rr, rc, un) = (
            n(&sp["resource_room"]),
            n(&sp["regular_class"]),
            n(&sp["unplaced"]),
        );
        assert_eq!(rr + rc + un, children, "{stage}: {sp}");
        assert!(rr > 0, "{stage}: the resource rooms have seats: {sp}");
        let rate = (rr + rc) as f64 / children as f64;
        assert!((sp["rate"].as_f64().unwrap() - rate).abs() < 1e-6, "{sp}");
        assert_eq!(sp["target"], 0.95);
        assert_eq!(sp["pass"], rate >= 0.95);
        // The test county has no counties: one row under "".
        assert_eq!(sp["counties"][""]["children"], children);

        // special-placements.csv: every child once, resource rooms only at
        // schools that have one.
        let mut by_kind: HashMap<&str, u64> = HashMap::new();
        for r in placements.iter().filter(|r| r["stage"] == stage) {
            *by_kind.entry(r["placement"].as_str()).or_default() +=
                r["children"].parse::<u64>().unwrap();
            match r["placement"].as_str() {
                "resource room" => assert!(["P2", "N1"].contains(&r["school_id"].as_str())),
                "no seat" => assert!(!r["reason"].is_empty(), "{r:?}"),
                _ => assert!(r["km"].parse::<f64>().is_ok(), "{r:?}"),
            }
        }
        let get = |k: &str| by_kind.get(k).copied().unwrap_or(0);
        assert_eq!(
            (get("resource room"), get("regular class"), get("no seat")),
            (rr, rc, un),
            "{stage}"
        );
        // schools.csv: each school's special intake.
        let in_schools: u64 = schools
            .iter()
            .filter(|r| r["stage"] == stage)
            .map(|r| r["special"].parse::<u64>().unwrap())
            .sum();
        assert_eq!(in_schools, rr + rc, "{stage}");
        // unplaced.csv carries the special children without a seat.
        let in_unplaced: u64 = unplaced
            .iter()
            .filter(|r| r["stage"] == stage)
            .map(|r| r["special"].parse::<u64>().unwrap())
            .sum();
        assert_eq!(in_unplaced, un, "{stage}");
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Children with disabilities (随班就读)"));
    assert!(report.contains("| resource room |"));
}

/// Resource-room seats are the school's seats: with special children in
/// resource rooms, the schools' intakes still fit their classes and limits
/// (the run's own check), and a school's intake counts them.
#[test]
fn resource_room_seats_are_shared_with_the_catchment() {
    let tmp = tempfile::tempdir().unwrap();
    // Many special children, one resource room: P2 (2 classes of 45) fills.
    let many: Vec<(u32, u32)> = read_json(&tiny().join("zones.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let primary = p["primary_local"].as_u64().unwrap_or(0)
                + p["primary_migrant"].as_u64().unwrap_or(0);
            (primary.min(4) as u32, 0)
        })
        .collect();
    let scenario = county(tmp.path(), &many, &["P2"]);
    let out = tmp.path().join("plan");
    let summary = run(&scenario, &out);
    assert_eq!(summary["stages"]["primary"]["violations"], 0);
    let p2 = rows(&out.join("schools.csv"))
        .into_iter()
        .find(|r| r["stage"] == "primary" && r["school_id"] == "P2")
        .unwrap();
    let intake: u64 = p2["intake"].parse().unwrap();
    let seats: u64 = p2["seats"].parse().unwrap();
    let special: u64 = p2["special"].parse().unwrap();
    assert!(intake <= seats, "{p2:?}");
    let sp = &summary["special"]["primary"];
    assert_eq!(n(&sp["resource_room"]), seats.min(n(&sp["children"])));
    assert!(special >= n(&sp["resource_room"]), "{p2:?}");
    // Tiny is short of seats: not every special child finds one, and the
    // rate says so.
    assert_eq!(
        n(&sp["resource_room"]) + n(&sp["regular_class"]) + n(&sp["unplaced"]),
        n(&sp["children"])
    );
}

#[test]
fn without_resource_rooms_special_children_go_with_their_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), SPECIAL, &[]);
    let out = tmp.path().join("plan");
    let summary = run(&scenario, &out);
    for stage in ["primary", "junior"] {
        let sp = &summary["special"][stage];
        assert_eq!(sp["resource_room"], 0, "{sp}");
        assert_eq!(
            n(&sp["regular_class"]) + n(&sp["unplaced"]),
            n(&sp["children"])
        );
    }
    // Without special children anywhere, the section is null.
    let plain = run(&tiny().join("scenario.toml"), &tmp.path().join("plain"));
    assert_eq!(plain["special"], Value::Null);
}

#[test]
fn special_children_give_byte_identical_outputs_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), SPECIAL, &["P2", "N1"]);
    super::determinism::same_bytes(&scenario);
}

#[test]
fn more_special_children_than_children_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = county(tmp.path(), &[(11, 0)], &["P2"]);
    let out = tmp.path().join("plan");
    let o = catchment(&["run", s(&scenario), "--out", s(&out)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for part in [
        "zones.geojson",
        "features[0]",
        "Z001",
        "`primary_special`",
        "11, more than the zone's 10 primary children",
        "at most 10",
    ] {
        assert!(err.contains(part), "{part:?} in {err}");
    }
    assert!(!out.exists());
    // A resource room is true or false.
    let mut schools = read_json(&tmp.path().join("schools.geojson"));
    schools["features"][0]["properties"]["resource_room"] = json!("yes");
    std::fs::write(tmp.path().join("schools.geojson"), schools.to_string()).unwrap();
    county_zones_only(tmp.path());
    let o = catchment(&["run", s(&scenario), "--out", s(&out)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`resource_room`") && err.contains("\"yes\""),
        "{err}"
    );
}

/// Restores the test county's zones (no special children).
fn county_zones_only(dir: &Path) {
    std::fs::copy(tiny().join("zones.geojson"), dir.join("zones.geojson")).unwrap();
}
