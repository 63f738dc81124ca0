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
