//! Officers' locks and the stability weight, through the real binary.

use super::*;

fn zones_props(out: &Path) -> Vec<serde_json::Value> {
    read_json(&out.join("zones.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"].clone())
        .collect()
}

fn school_of(out: &Path, zone: &str, stage: &str) -> String {
    zones_props(out)
        .into_iter()
        .find(|p| p["id"] == zone)
        .unwrap()[format!("school_{stage}")]
    .as_str()
    .unwrap()
    .to_string()
}

fn allocate_with(tmp: &Path, extra: &[&str]) -> (Output, PathBuf) {
    let out = tmp.join("plan");
    let (zones, schools) = (tiny().join("zones.geojson"), tiny().join("schools.geojson"));
    (allocate_files(&zones, &schools, &out, extra), out)
}

#[test]
fn pins_and_forbids_are_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, out) = allocate_with(tmp.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = school_of(&out, "Z001", "primary");
    assert_eq!(before, "P1", "Z001 lies next to P1");

    let locks = tmp.path().join("locks.csv");
    std::fs::write(
        &locks,
        "zone,school,action,stage\nZ001,P3,pin,primary\nZ002,P1,forbid,\n",
    )
    .unwrap();
    let (o, out) = allocate_with(tmp.path(), &["--locks", s(&locks)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(school_of(&out, "Z001", "primary"), "P3");
    assert_ne!(school_of(&out, "Z002", "primary"), "P1");
    assert_eq!(
        read_json(&out.join("summary.json"))["stages"]["primary"]["violations"],
        0
    );
}

#[test]
fn a_lock_set_no_plan_can_meet_names_the_school_and_the_shortage() {
    let tmp = tempfile::tempdir().unwrap();
    // P2 has 2 classes (90 seats); pin enough zones to need more.
    let mut text = String::from("zone,school,action,stage\n");
    for z in 1..=20 {
        text.push_str(&format!("Z{z:03},P2,pin,primary\n"));
    }
    let locks = tmp.path().join("locks.csv");
    std::fs::write(&locks, text).unwrap();
    let (o, out) = allocate_with(tmp.path(), &["--locks", s(&locks)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("school \"P2\"") && err.contains("it has 90") && err.contains("short"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_bad_lock_is_named_by_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let locks = tmp.path().join("locks.csv");
    std::fs::write(&locks, "zone,school,action\nZ001,P1,pin\nZ404,P1,pin\n").unwrap();
    let (o, _) = allocate_with(tmp.path(), &["--locks", s(&locks)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("locks.csv: line 3") && err.contains("\"Z404\" is not in the zones file"),
        "{err}"
    );
}

#[test]
fn the_stability_weight_keeps_children_at_todays_school() {
    let tmp = tempfile::tempdir().unwrap();
    // Today's catchments: a plan drawn without P1. With P1 back, the free
    // plan moves many children to it; a heavy stability weight keeps them.
    let mut forbid = String::from("zone,school,action\n");
    for z in 1..=30 {
        forbid.push_str(&format!("Z{z:03},P1,forbid\n"));
    }
    let locks = tmp.path().join("no-p1.csv");
    std::fs::write(&locks, forbid).unwrap();
    let (o, today) = allocate_with(tmp.path(), &["--locks", s(&locks)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut zones = read_json(&tiny().join("zones.geojson"));
    for (f, p) in zones["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(zones_props(&today))
    {
        f["properties"]["current_primary"] = p["school_primary"].clone();
    }
    let zp = tmp.path().join("zones.geojson");
    std::fs::write(&zp, zones.to_string()).unwrap();
    let run = |weight: &str, name: &str| {
        let out = tmp.path().join(name);
        let o = catchment(&[
            "allocate",
            "--zones",
            s(&zp),
            "--schools",
            s(&tiny().join("schools.geojson")),
            "--stability-km",
            weight,
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))["stages"]["primary"].clone()
    };
    let free = run("0", "free");
    let stable = run("50", "stable");
    let moved = |v: &serde_json::Value| v["moved"].as_u64().unwrap();
    assert!(moved(&free) > 0);
    assert!(
        moved(&stable) < moved(&free),
        "{} vs {}",
        moved(&stable),
        moved(&free)
    );
    assert!(stable["travel_km"].as_f64().unwrap() >= free["travel_km"].as_f64().unwrap());
    assert_eq!(stable["violations"], 0);
    assert!(stable["bound_km"].as_f64().unwrap() <= stable["objective_km"].as_f64().unwrap());
}

/// A river down the middle of the test county (at 118.009 E): with it, fewer
/// children cross to a school on the other bank, and every crossing is
/// reported with the river's name.
#[test]
fn barriers_are_crossed_only_where_seats_force_it() {
    let tmp = tempfile::tempdir().unwrap();
    let schools_lon: std::collections::HashMap<String, f64> =
        read_json(&tiny().join("schools.geojson"))["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["properties"]["id"].as_str().unwrap().to_string(),
                    f["geometry"]["coordinates"][0].as_f64().unwrap(),
                )
            })
            .collect();
    let crossing_children = |out: &Path| -> (u64, u64) {
        let (mut geometric, mut reported) = (0, 0);
        for f in read_json(&out.join("zones.geojson"))["features"]
            .as_array()
            .unwrap()
        {
            let p = &f["properties"];
            let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
            let x = (ring[0][0].as_f64().unwrap() + ring[1][0].as_f64().unwrap()) / 2.0;
            let school = p["school_primary"].as_str().unwrap();
            let children = p["primary_local"].as_u64().unwrap()
                + p["primary_migrant"].as_u64().unwrap()
                - p["unplaced_primary"].as_u64().unwrap();
            if (x < 118.009) != (schools_lon[school] < 118.009) {
                geometric += children;
            }
            if p.get("barrier_primary").is_some() {
                assert_eq!(p["barrier_primary"], "清溪河");
                reported += children;
            }
        }
        (geometric, reported)
    };
    let (_, free) = allocate_with(tmp.path(), &["--allow-pieces"]);
    let free_crossing = crossing_children(&free).0;
    let barriers = tiny().join("barriers.geojson");
    let out = tmp.path().join("river");
    let (zones, schools) = (tiny().join("zones.geojson"), tiny().join("schools.geojson"));
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&zones),
        "--schools",
        s(&schools),
        "--barriers",
        s(&barriers),
        "--allow-pieces",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (geometric, reported) = crossing_children(&out);
    assert!(
        free_crossing > 0,
        "the test needs crossings without the river"
    );
    assert!(geometric < free_crossing, "{geometric} vs {free_crossing}");
    assert_eq!(geometric, reported, "every crossing is reported");
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["stages"]["primary"]["barrier_crossings"], reported);
    assert_eq!(summary["stages"]["primary"]["violations"], 0);
}
