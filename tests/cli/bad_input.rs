//! Bad input: each gives an error naming the file, the feature, the field
//! and what is expected; the exit code is non-zero; no output folder appears.

use serde_json::{Value, json};

use super::*;

/// Copies the test county into a temporary folder, lets `edit` change it,
/// runs `allocate` and returns stderr after checking the failure.
fn fails_with(edit: impl FnOnce(&mut Value, &mut Value), expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let mut zones = read_json(&tiny().join("zones.geojson"));
    let mut schools = read_json(&tiny().join("schools.geojson"));
    edit(&mut zones, &mut schools);
    let (zp, sp) = (
        tmp.path().join("zones.geojson"),
        tmp.path().join("schools.geojson"),
    );
    for (p, v) in [(&zp, &zones), (&sp, &schools)] {
        if !v.is_null() {
            std::fs::write(p, v.to_string()).unwrap();
        }
    }
    check_failure(
        &["allocate", "--zones", s(&zp), "--schools", s(&sp), "--out"],
        tmp.path(),
        expected,
    );
}

fn check_failure(args: &[&str], tmp: &Path, expected: &[&str]) {
    let out = tmp.join("plan");
    let mut all: Vec<&str> = args.to_vec();
    if all.last() == Some(&"--out") {
        all.push(s(&out));
    }
    let o = catchment(&all);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert!(!out.exists(), "a failed run left {}", out.display());
    let leftovers: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind");
}

fn zone(z: &mut Value, i: usize) -> &mut Value {
    &mut z["features"][i]["properties"]
}

fn school(s: &mut Value, i: usize) -> &mut Value {
    &mut s["features"][i]["properties"]
}

#[test]
fn duplicate_zone_id() {
    fails_with(
        |z, _| zone(z, 2)["id"] = json!("Z001"),
        &[
            "zones.geojson",
            "features[2]",
            "\"Z001\"",
            "used again",
            "features[0]",
        ],
    );
}

#[test]
fn duplicate_school_id() {
    fails_with(
        |_, s| school(s, 1)["id"] = json!("P1"),
        &["schools.geojson", "features[1]", "\"P1\"", "used again"],
    );
}

#[test]
fn unknown_stage() {
    fails_with(
        |_, s| school(s, 0)["stage"] = json!("high"),
        &[
            "schools.geojson",
            "features[0]",
            "(id \"P1\")",
            "`stage`",
            "\"high\"",
            "\"primary\", \"junior\" or \"nine_year\"",
        ],
    );
}

#[test]
fn school_not_a_point() {
    fails_with(
        |_, s| s["features"][3]["geometry"] = json!({"type": "Polygon", "coordinates": [[[118.0, 31.0], [118.1, 31.0], [118.1, 31.1], [118.0, 31.0]]]}),
        &[
            "schools.geojson",
            "features[3]",
            "(id \"J1\")",
            "`geometry`",
            "a Polygon",
            "a Point",
        ],
    );
}

#[test]
fn coordinates_out_of_range() {
    fails_with(
        |z, _| z["features"][4]["geometry"]["coordinates"][0][1] = json!([218.0, 31.0]),
        &[
            "zones.geojson",
            "features[4]",
            "(id \"Z005\")",
            "geometry.coordinates",
            "218",
            "longitude -180..180",
        ],
    );
}

#[test]
fn latitude_out_of_range() {
    fails_with(
        |_, s| s["features"][0]["geometry"]["coordinates"] = json!([118.0, 95.0]),
        &["schools.geojson", "features[0]", "latitude -90..90"],
    );
}

#[test]
fn nan_coordinates() {
    // JSON has no NaN; a file that writes one is not valid JSON.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(tiny().join("schools.geojson"))
        .unwrap()
        .replacen("118.0045", "NaN", 1);
    let sp = tmp.path().join("schools.geojson");
    std::fs::write(&sp, text).unwrap();
    check_failure(
        &[
            "allocate",
            "--zones",
            s(&tiny().join("zones.geojson")),
            "--schools",
            s(&sp),
            "--out",
        ],
        tmp.path(),
        &["schools.geojson", "not valid GeoJSON", "line 1"],
    );
}

#[test]
fn negative_count() {
    fails_with(
        |z, _| zone(z, 5)["primary_local"] = json!(-3),
        &[
            "zones.geojson",
            "features[5]",
            "(id \"Z006\")",
            "`primary_local`",
            "-3",
            "a whole number >= 0",
        ],
    );
}

#[test]
fn fractional_count() {
    fails_with(
        |z, _| zone(z, 6)["junior_migrant"] = json!(2.5),
        &[
            "zones.geojson",
            "features[6]",
            "`junior_migrant`",
            "2.5",
            "a whole number >= 0",
        ],
    );
}

#[test]
fn count_as_text() {
    fails_with(
        |_, s| school(s, 0)["classes_primary"] = json!("three"),
        &[
            "schools.geojson",
            "features[0]",
            "`classes_primary`",
            "\"three\"",
            "a whole number",
        ],
    );
}

#[test]
fn unknown_current_school() {
    fails_with(
        |z, _| zone(z, 8)["current_primary"] = json!("P9"),
        &[
            "zones.geojson",
            "features[8]",
            "(id \"Z009\")",
            "`current_primary`",
            "\"P9\"",
            "not in the schools file",
        ],
    );
}

#[test]
fn current_school_of_the_wrong_stage() {
    fails_with(
        |z, _| zone(z, 8)["current_junior"] = json!("P1"),
        &[
            "zones.geojson",
            "features[8]",
            "`current_junior`",
            "a school that teaches junior",
        ],
    );
}

#[test]
fn missing_id() {
    fails_with(
        |z, _| {
            zone(z, 9).as_object_mut().unwrap().remove("id");
        },
        &["zones.geojson", "features[9]", "`id`", "missing", "unique"],
    );
}

#[test]
fn empty_collection() {
    fails_with(
        |z, _| z["features"] = json!([]),
        &["zones.geojson", "holds no features"],
    );
}

#[test]
fn empty_file() {
    let tmp = tempfile::tempdir().unwrap();
    let zp = tmp.path().join("zones.geojson");
    std::fs::write(&zp, "").unwrap();
    check_failure(
        &[
            "allocate",
            "--zones",
            s(&zp),
            "--schools",
            s(&tiny().join("schools.geojson")),
            "--out",
        ],
        tmp.path(),
        &["zones.geojson", "holds no features"],
    );
}

#[test]
fn malformed_file() {
    let tmp = tempfile::tempdir().unwrap();
    let zp = tmp.path().join("zones.geojson");
    let text = std::fs::read_to_string(tiny().join("zones.geojson")).unwrap();
    std::fs::write(&zp, &text[..text.len() / 2]).unwrap();
    check_failure(
        &[
            "allocate",
            "--zones",
            s(&zp),
            "--schools",
            s(&tiny().join("schools.geojson")),
            "--out",
        ],
        tmp.path(),
        &["zones.geojson", "not valid GeoJSON", "EOF"],
    );
}

#[test]
fn not_a_feature_collection() {
    fails_with(
        |_, s| *s = json!({"type": "Point", "coordinates": [118.0, 31.0]}),
        &["schools.geojson", "not valid GeoJSON"],
    );
}

#[test]
fn missing_input_file() {
    let tmp = tempfile::tempdir().unwrap();
    check_failure(
        &[
            "allocate",
            "--zones",
            s(&tmp.path().join("nope.geojson")),
            "--schools",
            s(&tiny().join("schools.geojson")),
            "--out",
        ],
        tmp.path(),
        &["nope.geojson", "cannot read the file"],
    );
}

#[test]
fn scenario_naming_a_missing_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("broken.toml");
    std::fs::write(
        &scenario,
        "zones = \"maps/none/zones.geojson\"\nschools = \"maps/none/schools.geojson\"\n",
    )
    .unwrap();
    check_failure(
        &["run", s(&scenario), "--out"],
        tmp.path(),
        &[
            "broken.toml",
            "`zones`",
            "maps/none/zones.geojson",
            "does not exist",
        ],
    );
}

#[test]
fn scenario_with_a_bad_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("bad.toml");
    std::fs::write(
        &scenario,
        format!(
            "zones = \"{}\"\nschools = \"{}\"\n[policy.primary]\nclass_limit = 0\n",
            s(&tiny().join("zones.geojson")),
            s(&tiny().join("schools.geojson"))
        ),
    )
    .unwrap();
    check_failure(
        &["run", s(&scenario), "--out"],
        tmp.path(),
        &["bad.toml", "primary.class_limit", "positive"],
    );
}

#[test]
fn classes_for_a_stage_the_school_does_not_teach() {
    fails_with(
        |_, s| school(s, 0)["classes_junior"] = json!(2),
        &[
            "schools.geojson",
            "features[0]",
            "classes_junior",
            "nine_year",
        ],
    );
}

#[test]
fn negative_resource() {
    fails_with(
        |_, s| school(s, 0)["sports_area_m2"] = json!(-5),
        &[
            "schools.geojson",
            "features[0]",
            "`sports_area_m2`",
            "-5",
            "a number >= 0",
        ],
    );
}

#[test]
fn purchased_seats_at_a_public_school() {
    fails_with(
        |_, s| school(s, 0)["purchased_primary"] = json!(10),
        &[
            "schools.geojson",
            "features[0]",
            "`purchased_primary`",
            "private schools",
        ],
    );
}
