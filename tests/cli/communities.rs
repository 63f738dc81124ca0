//! Whole communities (`keep_communities_whole`) on the demo county, whose
//! zones carry the communities `generate` gives them.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Each (stage, community)'s schools in a plan's zones.geojson.
fn communities(out: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut map: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in read_json(&out.join("zones.geojson"))["features"]
        .as_array()
        .unwrap()
    {
        let p = &f["properties"];
        let community = p["community"]
            .as_str()
            .expect("demo zones have a community");
        for stage in ["primary", "junior"] {
            if let Some(s) = p[format!("school_{stage}")].as_str() {
                map.entry((stage.to_string(), community.to_string()))
                    .or_default()
                    .insert(s.to_string());
            }
        }
    }
    map
}

#[test]
fn the_demo_keeps_every_community_whole_or_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = root().join("scenarios/baseline.toml");
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut args = vec!["run", s(&baseline), "--out", s(&out)];
        args.extend_from_slice(extra);
        let o = catchment(&args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        out
    };
    let free = run("free", &[]);
    let whole = run("whole", &["--keep-communities-whole"]);
    let split = |out: &Path| -> BTreeSet<(String, String)> {
        communities(out)
            .into_iter()
            .filter(|(_, schools)| schools.len() > 1)
            .map(|(k, _)| k)
            .collect()
    };
    let summary = read_json(&whole.join("summary.json"));
    let named: BTreeSet<(String, String)> = summary["split_communities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["stage"].as_str().unwrap().to_string(),
                        c["community"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        split(&whole),
        named,
        "split communities are exactly those named"
    );
    assert!(
        split(&whole).len() < split(&free).len(),
        "the rule keeps communities whole"
    );
    for stage in ["primary", "junior"] {
        let st = &summary["stages"][stage];
        assert_eq!(st["violations"], 0, "{stage}");
        assert_eq!(
            st["placed"].as_u64().unwrap() + st["unplaced"].as_u64().unwrap(),
            st["children"].as_u64().unwrap(),
            "{stage}"
        );
        assert!(st["bound_km"].as_f64().unwrap() <= st["objective_km"].as_f64().unwrap());
    }
    // Each named community is in report.md with its reason.
    let report = std::fs::read_to_string(whole.join("report.md")).unwrap();
    for (_, community) in &named {
        assert!(
            report.contains(community.as_str()),
            "{community} not in report.md"
        );
    }
    if !named.is_empty() {
        assert!(report.contains("Communities not kept whole"), "{report}");
    }
}

/// Where zones carry a community, catchment-lists.csv and .md group each
/// school's compounds by community (as the xlsx does): every community of
/// a school is one block of rows, and the Markdown has a line per community.
#[test]
fn catchment_lists_group_school_community_compound() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    super::formats::county(dir);
    let out = dir.join("plan");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&dir.join("zones.geojson")),
        "--schools",
        s(&dir.join("schools.geojson")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zones: BTreeMap<String, String> = by_id(&dir.join("zones.geojson"), "community")
        .into_iter()
        .map(|(id, c)| (id, c.as_str().unwrap().to_string()))
        .collect();
    let lists = rows(&out.join("catchment-lists.csv"));
    assert_eq!(lists.len(), 2 * zones.len(), "every zone once per stage");
    // Each (stage, school)'s communities in the order their blocks come.
    let mut blocks: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &lists {
        assert_eq!(r["community"], zones[&r["zone_id"]], "{r:?}");
        let seen = blocks
            .entry((r["stage"].clone(), r["school_id"].clone()))
            .or_default();
        if seen.last() != Some(&r["community"]) {
            assert!(
                !seen.contains(&r["community"]),
                "{} comes in two blocks of {}",
                r["community"],
                r["school_id"]
            );
            seen.push(r["community"].clone());
        }
    }
    let md = std::fs::read_to_string(out.join("catchment-lists.md")).unwrap();
    let lines = md.lines().filter(|l| l.starts_with("- **")).count();
    let expected: usize = blocks.values().map(Vec::len).sum();
    assert_eq!(lines, expected, "one line per school and community\n{md}");

    // Without communities the lists keep their columns.
    let tiny_out = dir.join("tiny");
    let o = catchment(&[
        "run",
        s(&tiny().join("scenario.toml")),
        "--out",
        s(&tiny_out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tiny_lists = rows(&tiny_out.join("catchment-lists.csv"));
    assert!(!tiny_lists[0].contains_key("community"));
    let md = std::fs::read_to_string(tiny_out.join("catchment-lists.md")).unwrap();
    assert!(!md.contains("- **"), "{md}");
}

/// A community with more children than any school has seats cannot go
/// whole: it is named with the reason `seats`, and split no more than the
/// plan without the rule splits it (as few schools, as few children away
/// from the school holding most of them).
#[test]
fn a_community_larger_than_any_school_is_split_least_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    super::formats::county(dir);
    let schools = dir.join("schools.geojson");
    let free_out = dir.join("free");
    let allocate = |zones: &Path, out: &Path, extra: &[&str]| {
        let o = allocate_files(zones, &schools, out, extra);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    allocate(&dir.join("zones.geojson"), &free_out, &[]);
    let most_seats: u64 = rows(&free_out.join("schools.csv"))
        .iter()
        .filter(|r| r["stage"] == "primary")
        .map(|r| r["seats"].parse::<u64>().unwrap())
        .max()
        .unwrap();
    // The zones nearest the first zone, until their primary children
    // exceed the most seats of any school, become one community.
    let mut collection: geojson::FeatureCollection =
        serde_json::from_value(read_json(&dir.join("zones.geojson"))).unwrap();
    let corner = |f: &geojson::Feature| -> (f64, f64) {
        let v = serde_json::to_value(f.geometry.as_ref().unwrap()).unwrap();
        let mut c = &v["coordinates"];
        while c[0].is_array() {
            c = &c[0];
        }
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    };
    let origin = corner(&collection.features[0]);
    let mut order: Vec<usize> = (0..collection.features.len()).collect();
    let far = |i: usize| {
        let (x, y) = corner(&collection.features[i]);
        (x - origin.0).powi(2) + (y - origin.1).powi(2)
    };
    order.sort_by(|&a, &b| far(a).total_cmp(&far(b)));
    let mut children = 0u64;
    for i in order {
        if children > most_seats * 5 / 4 {
            break;
        }
        let p = collection.features[i].properties.as_mut().unwrap();
        for key in ["primary_local", "primary_migrant"] {
            children += p.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
        }
        p.insert("community".into(), "大社区".into());
    }
    let zones = dir.join("big.geojson");
    std::fs::write(&zones, serde_json::to_string(&collection).unwrap()).unwrap();
    let (free, whole) = (dir.join("big-free"), dir.join("big-whole"));
    allocate(&zones, &free, &[]);
    allocate(&zones, &whole, &["--keep-communities-whole"]);

    // The community's primary children per school.
    let shares = |out: &Path| -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for f in read_json(&out.join("zones.geojson"))["features"]
            .as_array()
            .unwrap()
        {
            let p = &f["properties"];
            if p["community"] == "大社区"
                && let Some(school) = p["school_primary"].as_str()
            {
                let n = p["primary_local"].as_u64().unwrap_or(0)
                    + p["primary_migrant"].as_u64().unwrap_or(0);
                *m.entry(school.to_string()).or_default() += n;
            }
        }
        m
    };
    let away = |m: &BTreeMap<String, u64>| m.values().sum::<u64>() - m.values().max().unwrap();
    let (f, w) = (shares(&free), shares(&whole));
    assert!(w.len() >= 2, "more children than any school's seats: {w:?}");
    assert!(
        w.len() <= f.len(),
        "no more schools than without the rule: {w:?} {f:?}"
    );
    assert!(away(&w) <= away(&f), "no more children away: {w:?} {f:?}");
    let summary = read_json(&whole.join("summary.json"));
    let named = summary["split_communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"] == "大社区" && c["stage"] == "primary")
        .expect("the community is named");
    assert_eq!(named["reason"], "seats");
    assert_eq!(named["schools"].as_array().unwrap().len(), w.len());
    let report = std::fs::read_to_string(whole.join("report.md")).unwrap();
    assert!(report.contains("大社区"), "{report}");
}
