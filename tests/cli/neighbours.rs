//! Neighbours given by the bureau (`--adjacency`, scenario key `adjacency`):
//! pairs added and removed change which catchments are connected.

use super::*;

/// Point zones in a row, 1 km apart, and two primary schools at its ends.
fn row_county(dir: &Path, zones: usize) -> (PathBuf, PathBuf) {
    let feature = |geometry: serde_json::Value, properties: serde_json::Value| serde_json::json!({"type": "Feature", "geometry": geometry, "properties": properties});
    let point =
        |x: f64| serde_json::json!({"type": "Point", "coordinates": [118.0 + x * 0.0105, 31.0]});
    let zone_features: Vec<_> = (0..zones)
        .map(|i| {
            feature(
                point(i as f64),
                serde_json::json!({"id": format!("Z{}", i + 1), "primary_local": 10}),
            )
        })
        .collect();
    let school = |id: &str, x: f64| {
        feature(
            point(x),
            serde_json::json!({"id": id, "stage": "primary", "classes_primary": 4}),
        )
    };
    let schools = vec![school("S1", -0.1), school("S2", zones as f64 - 0.9)];
    let collection = |f: Vec<serde_json::Value>| {
        serde_json::json!({"type": "FeatureCollection", "features": f}).to_string()
    };
    let (z, s) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    std::fs::write(&z, collection(zone_features)).unwrap();
    std::fs::write(&s, collection(schools)).unwrap();
    (z, s)
}

/// Each zone's primary school after `allocate` with these extra flags.
fn schools_of(dir: &Path, name: &str, extra: &[&str]) -> Vec<String> {
    let (zones, schools) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    let out = dir.join(name);
    let o = allocate_files(&zones, &schools, &out, extra);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(
        summary["stages"]["primary"]["contiguity"]["catchments_in_pieces"], 0,
        "{name}: {summary}"
    );
    read_json(&out.join("zones.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["properties"]["school_primary"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn a_removed_pair_parts_a_catchment_and_an_added_one_joins_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    row_county(d, 4);
    // Nearest school: Z1, Z2 to S1; Z3, Z4 to S2.
    let plain = schools_of(d, "plain", &[]);
    assert_eq!(plain, ["S1", "S1", "S2", "S2"]);
    // A fenced railway between Z1 and Z2: S1's catchment may not hold
    // both, so Z2 joins its other neighbour's school.
    let cut = d.join("cut.csv");
    std::fs::write(&cut, "zone_a,zone_b,action\nZ1,Z2,remove\n").unwrap();
    assert_eq!(
        schools_of(d, "cut", &["--adjacency", s(&cut)]),
        ["S1", "S2", "S2", "S2"]
    );
    // Point zones: the pairs a file adds are the whole graph. Z1-Z3 and
    // Z2-Z4 (two footbridges) and nothing else: Z2 goes with Z4, Z3 with Z1.
    let bridges = d.join("bridges.csv");
    std::fs::write(&bridges, "\u{feff}zone_a,zone_b\nZ1,Z3\nZ2,Z4\n").unwrap();
    assert_eq!(
        schools_of(d, "bridges", &["--adjacency", s(&bridges)]),
        ["S1", "S2", "S1", "S2"]
    );
}

#[test]
fn a_bad_adjacency_row_is_named_by_file_line_and_id() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (z, sc) = row_county(d, 3);
    let bad = d.join("adjacency.csv");
    for (text, expected) in [
        (
            "zone_a,zone_b\nZ1,Z2\nZ1,Z9\n",
            "line 3: zone_b \"Z9\" is not a zone",
        ),
        (
            "zone_a,zone_b,action\nZ1,Z2,cut\n",
            "line 2: action \"cut\"",
        ),
    ] {
        std::fs::write(&bad, text).unwrap();
        let o = catchment(&[
            "allocate",
            "--zones",
            s(&z),
            "--schools",
            s(&sc),
            "--out",
            s(&d.join("out")),
            "--adjacency",
            s(&bad),
        ]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains("adjacency.csv") && e.contains(expected), "{e}");
        assert!(!d.join("out").exists(), "nothing half-written");
    }
}
