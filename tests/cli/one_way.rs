//! One scenario, one plan: every command that makes a plan from a scenario
//! makes the one `catchment run` makes, whatever plan option it sets.

use std::path::Path;

use catchment::run::PlanOptions;
use catchment::run::Scenario;
use catchment::serve::Session;

use super::{catchment, read_json, s, stderr, stdout};

/// Every plan option with a value that changes the plan of the test county
/// (all but `allow_far`, which only matters where a zone is absurdly far,
/// and `deep_join`, which only matters where a piece is left).
const CASES: &[(&str, &str)] = &[
    ("locks", "locks = \"locks.csv\""),
    ("stability_km", "stability_km = 3.0"),
    ("max_moved", "max_moved = {half_moved}"),
    ("contiguous", "contiguous = false"),
    ("deep_join", "deep_join = true"),
    ("barriers", "barriers = \"river.geojson\""),
    ("compactness_km", "compactness_km = 2.0"),
    ("class_cost_km", "class_cost_km = 5.0"),
    ("feeders", "feeders = \"aligned\""),
    ("objective", "objective = \"balance\""),
    ("balance_km", "objective = \"balance\"\nbalance_km = 30.0"),
    ("migrant_catchments", "migrant_catchments = \"separate\""),
    ("allow_far", "allow_far = true"),
    ("adjacency", "adjacency = \"adjacency.csv\""),
    ("keep_communities_whole", "keep_communities_whole = true"),
    ("roads", "roads = \"roads.geojson\""),
    (
        "distance",
        "roads = \"roads.geojson\"\ndistance = \"drive\"",
    ),
    (
        "max_snap_m",
        "roads = \"roads.geojson\"\nmax_snap_m = 300.0",
    ),
    (
        "allow_fallback",
        "roads = \"roads.geojson\"\nallow_fallback = true",
    ),
    (
        "objective_unit",
        "roads = \"roads.geojson\"\ndistance = \"drive\"\nobjective_unit = \"minutes\"",
    ),
];

/// The digest a command prints (`plan HEX`), or B's for compare.
fn digest(out: &std::process::Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}", stderr(out));
    let text = stdout(out);
    let line = text
        .lines()
        .find(|l| l.starts_with("plan "))
        .unwrap_or_else(|| panic!("{what} prints no plan digest:\n{text}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[1] {
        "A" => words[4].to_string(),
        d => d.to_string(),
    }
}

/// A generated county with a river across it, one pin away from the
/// nearest school, and today's primary catchments shuffled in a quarter of
/// the zones (so that a cap on moved children has work to do).
fn county(dir: &Path) {
    let o = catchment(&[
        "generate",
        "--zones",
        "240",
        "--schools",
        "14",
        "--seed",
        "10",
        "--out",
        s(dir),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut zones = read_json(&dir.join("zones.geojson"));
    let features = zones["features"].as_array_mut().unwrap();
    let n = features.len();
    let today: Vec<serde_json::Value> = features
        .iter()
        .map(|f| f["properties"]["current_primary"].clone())
        .collect();
    for (i, f) in features.iter_mut().enumerate().filter(|(i, _)| i % 4 == 1) {
        f["properties"]["current_primary"] = today[(i + 7) % n].clone();
    }
    std::fs::write(dir.join("zones.geojson"), zones.to_string()).unwrap();
    let lons: Vec<f64> = zones["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| catchment_lon(&f["geometry"]))
        .collect();
    let mid = lons.iter().sum::<f64>() / lons.len() as f64;
    let river = serde_json::json!({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "river"},
        "geometry": {"type": "LineString", "coordinates": [[mid, -89.0], [mid, 89.0]]}}]});
    std::fs::write(dir.join("river.geojson"), river.to_string()).unwrap();
    // The same line as a fence the neighbour graph must not cross: every
    // pair of nearby zones on either side of it is parted.
    let ids: Vec<&str> = zones["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap())
        .collect();
    let mut fence = String::from("zone_a,zone_b,action\n");
    for (a, &la) in lons.iter().enumerate() {
        for (b, &lb) in lons.iter().enumerate() {
            if la < mid && lb >= mid && lb - la < 0.03 {
                fence.push_str(&format!("{},{},remove\n", ids[a], ids[b]));
            }
        }
    }
    std::fs::write(dir.join("adjacency.csv"), fence).unwrap();
    std::fs::write(
        dir.join("roads.geojson"),
        street_grid(&zones, mid).to_string(),
    )
    .unwrap();
    let zone = &zones["features"][0]["properties"];
    let schools = read_json(&dir.join("schools.geojson"));
    let other = schools["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"])
        .find(|p| {
            p["stage"] == "primary"
                && p["sector"] != "private"
                && p["id"] != zone["current_primary"]
        })
        .expect("a second primary school");
    std::fs::write(
        dir.join("locks.csv"),
        format!(
            "zone,school,action,stage\n{},{},pin,primary\n",
            zone["id"].as_str().unwrap(),
            other["id"].as_str().unwrap()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("base.toml"),
        "zones = \"zones.geojson\"\nschools = \"schools.geojson\"\n",
    )
    .unwrap();
}

/// Streets every 0.004 degree over the zones, east-west ones broken at
/// the river (lon `mid`) except every fifth, which bridges it.
fn street_grid(zones: &serde_json::Value, mid: f64) -> serde_json::Value {
    let mut all = Vec::new();
    for f in zones["features"].as_array().unwrap() {
        positions(&f["geometry"]["coordinates"], &mut all);
    }
    let (x0, x1, y0, y1) = all.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), p| (a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])),
    );
    let step = 0.004;
    let xs: Vec<f64> = (0..=((x1 - x0) / step).ceil() as usize)
        .map(|i| x0 + i as f64 * step)
        .collect();
    let ys: Vec<f64> = (0..=((y1 - y0) / step).ceil() as usize)
        .map(|j| y0 + j as f64 * step)
        .collect();
    let mut lines: Vec<Vec<[f64; 2]>> = xs
        .iter()
        .map(|&x| ys.iter().map(|&y| [x, y]).collect())
        .collect();
    for (j, &y) in ys.iter().enumerate() {
        let line: Vec<[f64; 2]> = xs.iter().map(|&x| [x, y]).collect();
        if j % 5 == 0 {
            lines.push(line);
        } else {
            let (west, east): (Vec<_>, Vec<_>) = line.into_iter().partition(|p| p[0] < mid);
            lines.extend([west, east].into_iter().filter(|l| l.len() > 1));
        }
    }
    let features: Vec<serde_json::Value> = lines
        .into_iter()
        .map(|l| {
            serde_json::json!({"type": "Feature", "properties": {"highway": "residential"},
            "geometry": {"type": "LineString", "coordinates": l}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

fn positions(c: &serde_json::Value, out: &mut Vec<[f64; 2]>) {
    match c[0].as_f64() {
        Some(x) => out.push([x, c[1].as_f64().unwrap()]),
        None => c.as_array().unwrap().iter().for_each(|c| positions(c, out)),
    }
}

/// The first longitude of a geometry.
fn catchment_lon(g: &serde_json::Value) -> f64 {
    let mut c = &g["coordinates"];
    while c[0].is_array() {
        c = &c[0];
    }
    c[0].as_f64().unwrap()
}

#[test]
fn every_command_makes_the_plan_run_makes_for_every_plan_option() {
    let keys: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(
        keys,
        PlanOptions::KEYS,
        "every plan option needs a case here"
    );
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    county(d);
    let base = digest(
        &catchment(&["run", s(&d.join("base.toml")), "--out", s(&d.join("base"))]),
        "run base",
    );
    let moved = read_json(&d.join("base/summary.json"))["stages"]["primary"]["moved"]
        .as_u64()
        .unwrap();
    for (key, line) in CASES {
        let file = d.join(format!("{key}.toml"));
        let line = line.replace("{half_moved}", &(moved / 2).to_string());
        std::fs::write(&file, format!("extends = \"base.toml\"\n{line}\n")).unwrap();
        let out = d.join(key);
        let run = digest(
            &catchment(&["run", s(&file), "--out", s(&out.join("run"))]),
            key,
        );
        if !["allow_far", "deep_join"].contains(key) {
            assert_ne!(run, base, "{key}: the option does not change the plan");
        }
        let zones = std::fs::read(out.join("run/zones.geojson")).unwrap();
        let cmp = catchment(&[
            "compare",
            s(&d.join("base.toml")),
            s(&file),
            "--out",
            s(&out.join("compare")),
        ]);
        assert_eq!(digest(&cmp, "compare"), run, "{key}: compare");
        assert_eq!(
            std::fs::read(out.join("compare/B/zones.geojson")).unwrap(),
            zones,
            "{key}: compare's B/zones.geojson"
        );
        for command in ["lottery", "project", "site"] {
            let o = catchment(&[command, s(&file), "--out", s(&out.join(command))]);
            assert_eq!(digest(&o, command), run, "{key}: {command}");
        }
        let scenario = Scenario::load(&file).unwrap();
        let session = Session::from_scenario(&scenario, out.join("serve")).unwrap();
        assert_eq!(session.plan.digest(), run, "{key}: serve");
    }
}
