//! Distance along roads: a river crossed by one bridge and an expressway
//! crossed by one overpass keep zones on their side unless the way round is
//! shorter; bad roads files are refused by name with nothing written.

use std::path::Path;

use serde_json::{Value, json};

use super::{allocate_files, by_id, catchment, collection, features, read_json, s, stderr};

/// A zone: a small square around its centre, with children of both stages.
fn zone(id: &str, x: f64, y: f64) -> Value {
    let d = 0.0003;
    json!({"type": "Feature", "properties": {
        "id": id, "name": id, "primary_local": 20, "junior_local": 0},
        "geometry": {"type": "Polygon", "coordinates": [[
            [x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]]}})
}

fn school(id: &str, x: f64, y: f64) -> Value {
    json!({"type": "Feature", "properties": {
        "id": id, "name": id, "stage": "primary", "classes_primary": 4},
        "geometry": {"type": "Point", "coordinates": [x, y]}})
}

fn line(points: &[[f64; 2]], properties: Value) -> Value {
    json!({"type": "Feature", "properties": properties,
        "geometry": {"type": "LineString", "coordinates": points}})
}

/// West school W and east school E on either side of a gap at lon 118.01
/// (a river, or an expressway drawn in `gap`); the only way across is at
/// lat 31.03. Zone A lies east of the gap 700 m from W (straight) and
/// 1.7 km from E; B lies east too, by the crossing.
fn county(dir: &Path, gap: Option<Value>) {
    let zones = vec![zone("A", 118.012, 31.0), zone("B", 118.012, 31.0302)];
    let schools = vec![school("W", 118.005, 31.0), school("E", 118.03, 31.0)];
    let mut roads = vec![
        line(
            &[
                [118.005, 30.99],
                [118.005, 31.0],
                [118.005, 31.03],
                [118.005, 31.04],
            ],
            json!({"highway": "residential"}),
        ),
        line(
            &[
                [118.03, 30.99],
                [118.03, 31.0],
                [118.03, 31.03],
                [118.03, 31.04],
            ],
            json!({"highway": "residential"}),
        ),
        // Streets on each side ending at the gap.
        line(
            &[[118.005, 31.0], [118.0095, 31.0]],
            json!({"highway": "residential"}),
        ),
        line(
            &[[118.0105, 31.0], [118.012, 31.0], [118.03, 31.0]],
            json!({"highway": "residential"}),
        ),
        // The one crossing.
        line(
            &[[118.005, 31.03], [118.012, 31.03], [118.03, 31.03]],
            json!({"highway": "tertiary", "bridge": true}),
        ),
    ];
    roads.extend(gap);
    std::fs::write(dir.join("zones.geojson"), collection(zones)).unwrap();
    std::fs::write(dir.join("schools.geojson"), collection(schools)).unwrap();
    std::fs::write(dir.join("roads.geojson"), collection(roads)).unwrap();
}

fn schools_of(out: &Path) -> Vec<(String, String, f64, f64)> {
    features(&out.join("zones.geojson"))
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().to_string(),
                p["school_primary"].as_str().unwrap().to_string(),
                p["km_primary"].as_f64().unwrap(),
                p["straight_km_primary"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

fn allocate(d: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let (zones, schools, out) = (
        d.join("zones.geojson"),
        d.join("schools.geojson"),
        d.join(out),
    );
    // Two zones without neighbours: catchments are points, not areas.
    let extra = [&["--allow-pieces"], extra].concat();
    allocate_files(&zones, &schools, &out, &extra)
}

#[test]
fn a_river_keeps_zones_on_their_side_unless_the_bridge_is_nearer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    county(d, None);
    let o = allocate(d, "straight", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let straight = schools_of(&d.join("straight"));
    assert_eq!(
        straight[0].1, "W",
        "straight lines cross the river: {straight:?}"
    );
    let roads = d.join("roads.geojson");
    let o = allocate(d, "walk", &["--roads", s(&roads)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let walk = schools_of(&d.join("walk"));
    // A stays east: W is 3 km round by the bridge.
    assert_eq!(
        (walk[0].0.as_str(), walk[0].1.as_str()),
        ("A", "E"),
        "{walk:?}"
    );
    assert!((walk[0].2 - 1.71).abs() < 0.05, "{walk:?}");
    // Straight along the street to E: the straight line is no shorter.
    assert!(walk[0].3 <= walk[0].2, "{walk:?}");
    // B, by the bridge, crosses it: W is nearer by road.
    assert_eq!(
        (walk[1].0.as_str(), walk[1].1.as_str()),
        ("B", "W"),
        "{walk:?}"
    );
    let summary = read_json(&d.join("walk/summary.json"));
    let distance = &summary["distance"];
    assert_eq!(distance["kind"], "walk");
    assert_eq!(distance["snapped"]["zones"], 2);
    assert_eq!(distance["fallback_zones"], json!([]));
    assert!(distance["detour"]["median"].as_f64().unwrap() >= 1.0);
    assert_eq!(
        read_json(&d.join("straight/summary.json"))["distance"],
        json!({"kind": "straight"})
    );
    let report = std::fs::read_to_string(d.join("walk/report.md")).unwrap();
    assert!(
        report.contains("## Distance") && report.contains("on foot"),
        "{report}"
    );
}

#[test]
fn an_expressway_is_crossed_on_foot_only_where_a_street_crosses_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The expressway shares the streets' end vertices, but walkers may not
    // use it: only the overpass at lat 31.03 crosses.
    let expressway = line(
        &[
            [118.0095, 30.99],
            [118.0095, 31.0],
            [118.0105, 31.0],
            [118.0105, 31.04],
        ],
        json!({"highway": "motorway", "oneway": "no"}),
    );
    county(d, Some(expressway));
    let roads = d.join("roads.geojson");
    let o = allocate(d, "walk", &["--roads", s(&roads)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let walk = schools_of(&d.join("walk"));
    assert_eq!(walk[0].1, "E", "{walk:?}");
    assert_eq!(walk[1].1, "W", "{walk:?}");
    // By car the expressway joins the two streets: A goes west.
    let o = allocate(d, "drive", &["--roads", s(&roads), "--distance", "drive"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let drive = schools_of(&d.join("drive"));
    assert_eq!(drive[0].1, "W", "{drive:?}");
    assert_eq!(
        read_json(&d.join("drive/summary.json"))["distance"]["kind"],
        "drive"
    );
}

#[test]
fn bad_roads_files_are_refused_by_name_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    county(d, None);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "holds no features"),
        (
            "truncated",
            r#"{"type":"FeatureCollection","features":[{"type":"Fea"#.into(),
            "not valid GeoJSON",
        ),
        ("csv", "zone,school\nA,W\n".into(), "not valid GeoJSON"),
        (
            "footways",
            collection(vec![line(
                &[[118.0, 31.0], [118.03, 31.0]],
                json!({"highway": "footway"}),
            )]),
            "no way is usable for distance = \"drive\"",
        ),
        (
            "elsewhere",
            collection(vec![line(&[[100.0, 20.0], [100.1, 20.0]], json!({}))]),
            "lies outside the zones' area",
        ),
        (
            "half",
            collection(vec![line(
                &[[118.0, 31.0302], [118.04, 31.0302]],
                json!({}),
            )]),
            "2 of 2 zones cannot use the road network",
        ),
    ];
    for (name, text, expected) in cases {
        let file = d.join(format!("{name}.geojson"));
        std::fs::write(&file, text).unwrap();
        let out = format!("out-{name}");
        let o = allocate(d, &out, &["--roads", s(&file), "--distance", "drive"]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {e}");
        assert!(e.contains(s(&file)) && e.contains(expected), "{name}: {e}");
        assert!(!d.join(&out).exists(), "{name}: output written");
    }
    let o = allocate(d, "no-roads", &["--distance", "walk"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--roads FILE"), "{}", stderr(&o));
    // B joins a road that reaches no school, A no road at all: with
    // --allow-fallback both are planned by straight line, flagged.
    let half = d.join("half.geojson");
    let o = allocate(d, "allowed", &["--roads", s(&half), "--allow-fallback"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let distance = &read_json(&d.join("allowed/summary.json"))["distance"];
    let reasons: Vec<(&str, &str)> = distance["fallback_zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [("A", "no_road_near"), ("B", "cut_off")],
        "{distance}"
    );
    let zones = read_json(&d.join("allowed/zones.geojson"));
    assert_eq!(
        zones["features"][1]["properties"]["distance_fallback"],
        "cut_off"
    );
}

/// Every output of the demo measured on foot: the same bytes on one or two
/// threads (the searches from schools run in parallel).
#[test]
fn the_demo_on_foot_gives_the_same_bytes_on_one_or_two_threads() {
    super::determinism::same_bytes(&super::root().join("scenarios/roads.toml"));
}

/// A real OpenStreetMap extract (south-eastern Finland, tests/data/osm):
/// zones and schools along Hurukselantie are planned on its walking
/// network, every trip at least its straight line.
#[test]
fn an_openstreetmap_extract_gives_the_walking_distances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b) = ((26.9431029, 60.5257978), (26.9319389, 60.5381256));
    let at = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    let zones: Vec<Value> = [0.1, 0.3, 0.5, 0.7, 0.9]
        .iter()
        .enumerate()
        .map(|(i, &t)| zone(&format!("Z{i}"), at(t).0, at(t).1))
        .collect();
    let schools = vec![school("S", a.0, a.1), school("N", b.0, b.1)];
    std::fs::write(d.join("zones.geojson"), collection(zones)).unwrap();
    std::fs::write(d.join("schools.geojson"), collection(schools)).unwrap();
    let pbf = super::root().join("tests/data/osm/pyrosm-test.osm.pbf");
    let o = allocate(d, "osm", &["--roads", s(&pbf)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&d.join("osm/summary.json"));
    assert_eq!(summary["distance"]["kind"], "walk");
    assert!(summary["distance"]["network"]["edges"].as_u64().unwrap() > 100);
    for (zone, school, km, straight) in schools_of(&d.join("osm")) {
        assert!(
            km + 1e-9 >= straight,
            "{zone} -> {school}: {km} < {straight}"
        );
    }
}

/// One zone Z at a junction: a residential street 0.95 km east to school
/// N, a primary road 1.43 km west to school F.
fn slow_and_fast(d: &Path) {
    let zones = vec![zone("Z", 118.0, 31.0)];
    let schools = vec![school("N", 118.01, 31.0), school("F", 117.985, 31.0)];
    let roads = vec![
        line(
            &[[118.0, 31.0], [118.01, 31.0]],
            json!({"highway": "residential"}),
        ),
        line(
            &[[118.0, 31.0], [117.985, 31.0]],
            json!({"highway": "primary"}),
        ),
    ];
    std::fs::write(d.join("zones.geojson"), collection(zones)).unwrap();
    std::fs::write(d.join("schools.geojson"), collection(schools)).unwrap();
    std::fs::write(d.join("roads.geojson"), collection(roads)).unwrap();
}

/// A zone at a junction: a residential street runs 0.95 km east to N, a
/// primary road 1.43 km west to F. By km the zone goes to N; by minutes
/// driving (30 km/h against 60 km/h) to F, and its km are then F's road km.
#[test]
fn minutes_send_a_zone_down_the_longer_faster_road() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    slow_and_fast(d);
    let roads = d.join("roads.geojson");
    let base = ["--roads", s(&roads), "--distance", "drive"];
    let o = allocate(d, "km", &base);
    assert!(o.status.success(), "{}", stderr(&o));
    let by_km = schools_of(&d.join("km"));
    assert_eq!(by_km[0].1, "N", "{by_km:?}");
    let summary = read_json(&d.join("km/summary.json"));
    assert_eq!(summary["objective_unit"], "km");
    assert!(summary["total"].get("objective_min").is_none());

    let mut minutes = base.to_vec();
    minutes.extend(["--objective-unit", "minutes"]);
    let o = allocate(d, "minutes", &minutes);
    assert!(o.status.success(), "{}", stderr(&o));
    let by_time = schools_of(&d.join("minutes"));
    assert_eq!(by_time[0].1, "F", "{by_time:?}");
    // Road km of the fastest way, and its minutes at 60 km/h.
    assert!((by_time[0].2 - 1.43).abs() < 0.01, "{by_time:?}");
    let zones = read_json(&d.join("minutes/zones.geojson"));
    let min = zones["features"][0]["properties"]["min_primary"]
        .as_f64()
        .unwrap();
    assert!((min - by_time[0].2 / 60.0 * 60.0).abs() < 0.02, "{min}");
    let summary = read_json(&d.join("minutes/summary.json"));
    assert_eq!(summary["objective_unit"], "minutes");
    assert_eq!(summary["distance"]["reference_kmh"], 60.0);
    let objective = summary["stages"]["primary"]["objective_min"]
        .as_f64()
        .unwrap();
    assert!((objective - 20.0 * min).abs() < 0.1, "{summary}");
    assert!(
        (summary["stages"]["primary"]["travel_km"].as_f64().unwrap() - 20.0 * 1.43).abs() < 0.2
    );
    // The published lists give the same road km.
    let lists = super::rows(&d.join("minutes/catchment-lists.csv"));
    let km: f64 = lists[0]["km"].parse().unwrap();
    assert!((km - by_time[0].2).abs() < 1e-3, "{km}");
    let report = std::fs::read_to_string(d.join("minutes/report.md")).unwrap();
    assert!(report.contains("child-minutes"), "{report}");

    // Minutes need roads: refused by name without them.
    let o = allocate(d, "straight", &["--objective-unit", "minutes"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("objective_unit") && e.contains("--roads"), "{e}");
    assert!(!d.join("straight").exists());
}

/// summary.json names the roads file as the scenario reached it, with
/// `..` resolved by the text alone (still relative where it was given so).
#[test]
fn the_roads_file_is_named_without_dot_dot() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    slow_and_fast(d);
    std::fs::create_dir(d.join("scenarios")).unwrap();
    std::fs::write(
        d.join("scenarios/s.toml"),
        "zones = \"../zones.geojson\"\nschools = \"../schools.geojson\"\n\
         roads = \"../roads.geojson\"\ncontiguous = false\n",
    )
    .unwrap();
    let out = d.join("out");
    let o = catchment(&["run", s(&d.join("scenarios/s.toml")), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(
        summary["distance"]["roads"].as_str(),
        Some(s(&d.join("roads.geojson")))
    );
}

/// New housing `radius_km` around school W counts km along the roads: zone
/// A, 0.67 km from W as the crow flies but across the river (the bridge is
/// 3 km north), does not grow with roads and grows without them; C on W's
/// side grows either way.
#[test]
fn new_housing_near_a_point_is_near_by_road() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    county(d, None);
    let mut zones = read_json(&d.join("zones.geojson"));
    zones["features"]
        .as_array_mut()
        .unwrap()
        .push(zone("C", 118.004, 31.001));
    std::fs::write(d.join("zones.geojson"), zones.to_string()).unwrap();
    let grown = |roads: bool| {
        let name = if roads { "roads" } else { "straight" };
        let mut text = String::from(
            "zones = \"zones.geojson\"\nschools = \"schools.geojson\"\ncontiguous = false\n",
        );
        if roads {
            text.push_str("roads = \"roads.geojson\"\n");
        }
        text.push_str("[[new_housing]]\ncentre = [118.005, 31.0]\nradius_km = 1.0\nfactor = 2.0\n");
        std::fs::write(d.join(format!("{name}.toml")), text).unwrap();
        let out = d.join(format!("out-{name}"));
        let o = catchment(&["run", s(&d.join(format!("{name}.toml"))), "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        by_id(&out.join("zones.geojson"), "primary_local")
            .into_iter()
            .map(|(id, n)| (id, n.as_u64().unwrap()))
            .collect::<Vec<_>>()
    };
    let by_line = grown(false);
    let by_road = grown(true);
    let of = |v: &[(String, u64)], id: &str| v.iter().find(|z| z.0 == id).unwrap().1;
    assert_eq!(
        (of(&by_line, "A"), of(&by_line, "C")),
        (40, 40),
        "{by_line:?}"
    );
    assert_eq!(
        (of(&by_road, "A"), of(&by_road, "C")),
        (20, 40),
        "{by_road:?}"
    );
    assert_eq!(of(&by_road, "B"), 20);
}
