//! `run` and `allocate` on the test county: every output, every check.

use super::*;

const OUTPUTS: &[&str] = &[
    "zones.geojson",
    "catchments.geojson",
    "schools.csv",
    "catchment-lists.csv",
    "catchment-lists.md",
    "unplaced.csv",
    "migrant-placements.csv",
    "special-placements.csv",
    "feeders.csv",
    "summary.json",
    "report.md",
    "map-primary.png",
    "map-junior.png",
    "map-primary.svg",
    "map-junior.svg",
    "schools.xlsx",
    "catchment-lists.xlsx",
];

#[test]
fn run_writes_every_output_with_zero_violations() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let o = catchment(&["run", s(&tiny().join("scenario.toml")), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in OUTPUTS {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let summary = read_json(&out.join("summary.json"));
    for stage in ["primary", "junior"] {
        let st = &summary["stages"][stage];
        assert_eq!(st["violations"], 0, "{stage}");
        let children = st["children"].as_u64().unwrap();
        let placed = st["placed"].as_u64().unwrap();
        let unplaced = st["unplaced"].as_u64().unwrap();
        assert_eq!(children, placed + unplaced, "conservation, {stage}");
        let (obj, bound) = (
            st["objective_km"].as_f64().unwrap(),
            st["bound_km"].as_f64().unwrap(),
        );
        assert!(bound <= obj + 1e-9, "bound {bound} above objective {obj}");
        assert!(st["gap"].as_f64().is_some());
    }
    assert!(summary["seconds"].as_f64().is_some());
    assert!(stdout(&o).contains("gap"), "{}", stdout(&o));

    // Every zone has a school for each stage, and its unplaced children a reason.
    let zones = read_json(&out.join("zones.geojson"));
    let features = zones["features"].as_array().unwrap();
    assert_eq!(features.len(), 30);
    let mut unplaced = 0;
    for f in features {
        let p = &f["properties"];
        assert_eq!(p["source_note"], "fixture", "input properties pass through");
        for stage in ["primary", "junior"] {
            assert!(p[format!("school_{stage}")].is_string(), "{p}");
            let u = p[format!("unplaced_{stage}")].as_u64().unwrap();
            unplaced += u;
            if u > 0 {
                assert!(p[format!("unplaced_reason_{stage}")].is_string());
            }
        }
    }
    let st = &summary["stages"];
    assert_eq!(
        unplaced,
        st["primary"]["unplaced"].as_u64().unwrap() + st["junior"]["unplaced"].as_u64().unwrap()
    );

    // The private school takes no catchment.
    let catchments = std::fs::read_to_string(out.join("catchments.geojson")).unwrap();
    assert!(!catchments.contains("\"X1\""));
    assert!(catchments.contains("东湖九年一贯制学校"));

    // CSV files open in Excel with Chinese names: UTF-8 with a BOM.
    for f in ["schools.csv", "catchment-lists.csv", "unplaced.csv"] {
        let bytes = std::fs::read(out.join(f)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f} has no BOM");
    }
    let lists = std::fs::read_to_string(out.join("catchment-lists.md")).unwrap();
    assert!(lists.contains("城东第一小学") && lists.contains("、"));
    let png = std::fs::read(out.join("map-primary.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn allocate_takes_maps_and_a_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    std::fs::write(&policy, "[primary]\nclass_limit = 40\n").unwrap();
    let out = tmp.path().join("plan");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&tiny().join("zones.geojson")),
        "--schools",
        s(&tiny().join("schools.geojson")),
        "--policy",
        s(&policy),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let schools = std::fs::read_to_string(out.join("schools.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(schools.trim_start_matches('\u{feff}').as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for r in rows.records() {
        let r = r.unwrap();
        if &r[col("stage")] == "primary" {
            let largest: u32 = r[col("largest_class")].parse().unwrap();
            assert!(largest <= 40, "class of {largest} under a limit of 40");
        }
    }
}

#[test]
fn rerun_replaces_an_earlier_plan_but_never_a_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let scenario = tiny().join("scenario.toml");
    for _ in 0..2 {
        let o = catchment(&["run", s(&scenario), "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let foreign = tmp.path().join("documents");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("letter.txt"), "keep me").unwrap();
    let o = catchment(&["run", s(&scenario), "--out", s(&foreign)]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("refusing to replace"), "{}", stderr(&o));
    assert!(foreign.join("letter.txt").is_file());
}

#[test]
fn balance_indicators_are_reported_per_school_and_county() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let o = catchment(&["run", s(&tiny().join("scenario.toml")), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    for stage in ["primary", "junior"] {
        let b = &summary["balance"][stage];
        for i in 1..=7 {
            let r = &b[format!("R{i}")];
            let cv = r["cv"].as_f64().unwrap();
            assert!(
                cv >= 0.0 && r["limit"].as_f64().unwrap() > 0.0,
                "{stage} R{i}: {r}"
            );
            assert_eq!(
                r["pass"].as_bool().unwrap(),
                cv <= r["limit"].as_f64().unwrap()
            );
        }
        assert!(b["schools_judged"].as_u64().unwrap() >= 1);
    }
    // P3 is thinly staffed: it fails, and says so in schools.csv.
    let csv = std::fs::read_to_string(out.join("schools.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let pass = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "balance_pass")
        .unwrap();
    let p3 = rows
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "primary" && &r[1] == "P3")
        .unwrap();
    assert_eq!(&p3[pass], "false");
}

/// Candidate lists never cut off the optimum silently: with one candidate
/// per zone the lists must grow (and say so), and the bound is the same as
/// with long lists, because after widening the relaxation covers all schools.
#[test]
fn full_candidate_lists_are_widened_and_the_bound_does_not_move() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |k: &str| {
        let out = tmp.path().join(format!("k{k}"));
        let o = catchment(&[
            "run",
            s(&tiny().join("scenario.toml")),
            "--candidates",
            k,
            "--allow-pieces",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))
    };
    let short = run("1");
    let long = run("12");
    assert!(
        short["solver"]["widened_units"].as_u64().unwrap() > 0,
        "{}",
        short["solver"]
    );
    assert_eq!(long["solver"]["widened_units"], 0);
    for stage in ["primary", "junior"] {
        let (a, b) = (&short["stages"][stage], &long["stages"][stage]);
        // The relaxation's bound: branch and bound proves more only over
        // complete lists, so the stronger bound may differ.
        assert_eq!(
            a["relaxation_bound_km"], b["relaxation_bound_km"],
            "{stage}"
        );
        assert!(a["bound_km"].as_f64() <= b["bound_km"].as_f64(), "{stage}");
        assert_eq!(a["unplaced"], b["unplaced"], "{stage}");
        assert_eq!(a["violations"], 0);
    }
    let report = std::fs::read_to_string(tmp.path().join("k1/report.md")).unwrap();
    assert!(
        report.contains("candidate lists widened"),
        "the report says so"
    );
}

/// The exact backend: on the test county HiGHS proves its plan optimal, and
/// our own search (branch and bound on small parts) finds the same cost.
#[cfg(feature = "highs")]
#[test]
fn the_highs_backend_proves_the_same_optimum() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |solver: &str| {
        let out = tmp.path().join(solver);
        let o = catchment(&[
            "run",
            s(&tiny().join("scenario.toml")),
            "--solver",
            solver,
            "--allow-pieces",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))
    };
    let (flow, highs) = (run("flow"), run("highs"));
    assert_eq!(highs["solver"]["backend"], "highs");
    for stage in ["primary", "junior"] {
        assert_eq!(highs["stages"][stage]["violations"], 0);
        assert_eq!(highs["stages"][stage]["gap"], 0.0, "{stage}");
        assert_eq!(
            highs["stages"][stage]["objective_km"], flow["stages"][stage]["objective_km"],
            "{stage}"
        );
    }
}

/// Without the feature, asking for HiGHS is a clear error, not a fallback.
#[cfg(not(feature = "highs"))]
#[test]
fn asking_for_highs_in_a_build_without_it_says_how_to_get_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = catchment(&[
        "run",
        s(&tiny().join("scenario.toml")),
        "--solver",
        "highs",
        "--out",
        s(&tmp.path().join("plan")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--features highs"), "{}", stderr(&o));
}

/// The compactness weight trades a little distance for rounder catchments,
/// which stay connected and within every limit.
#[test]
fn the_compactness_weight_makes_catchments_rounder() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |weight: &str| {
        let out = tmp.path().join(format!("c{weight}"));
        let o = catchment(&[
            "run",
            s(&root().join("scenarios/baseline.toml")),
            "--compactness-km",
            weight,
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))["stages"]["primary"].clone()
    };
    let (plain, compact) = (run("0"), run("1"));
    let pp = |v: &serde_json::Value| v["compactness_mean"].as_f64().unwrap();
    assert!(
        pp(&compact) > pp(&plain),
        "{} vs {}",
        pp(&compact),
        pp(&plain)
    );
    assert!(compact["travel_km"].as_f64().unwrap() >= plain["travel_km"].as_f64().unwrap());
    assert_eq!(compact["violations"], 0);
    assert_eq!(compact["contiguity"]["catchments_in_pieces"], 0);
}

/// Migrant children a catchment school cannot take go to the seats the
/// bureau bought at the private school, never beyond them; every migrant
/// child is accounted for in migrant-placements.csv.
#[test]
fn migrant_children_fill_purchased_seats_and_are_all_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let o = catchment(&["run", s(&tiny().join("scenario.toml")), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    let csv = std::fs::read_to_string(out.join("migrant-placements.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut by_kind: std::collections::HashMap<(String, String), u64> = Default::default();
    for r in rows.records() {
        let r = r.unwrap();
        *by_kind
            .entry((r[col("stage")].to_string(), r[col("placement")].to_string()))
            .or_default() += r[col("children")].parse::<u64>().unwrap();
    }
    for (stage, seats) in [("primary", 10), ("junior", 5)] {
        let m = &summary["stages"][stage]["migrants"];
        let get = |k: &str| {
            by_kind
                .get(&(stage.to_string(), k.to_string()))
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(get("catchment school"), m["public"].as_u64().unwrap());
        assert_eq!(get("purchased seat"), m["purchased"].as_u64().unwrap());
        assert_eq!(get("no seat"), m["unplaced"].as_u64().unwrap());
        assert_eq!(
            m["children"].as_u64().unwrap(),
            get("catchment school") + get("purchased seat") + get("no seat")
        );
        // The test county is short of seats: purchased seats take the
        // migrant children left over, up to the seats sold and no further.
        let purchased = m["purchased"].as_u64().unwrap();
        assert!(purchased > 0 && purchased <= seats, "{stage}: {purchased}");
        assert!(purchased == seats || m["unplaced"] == 0, "{stage}: {m}");
        assert_eq!(m["target"], 0.85);
        assert_eq!(summary["stages"][stage]["violations"], 0);
    }
}

/// A cost per class opened makes the plan shed nearly empty classes where a
/// few zones can move at small cost in distance.
#[test]
fn a_class_cost_opens_fewer_classes() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |cost: &str| {
        let out = tmp.path().join(format!("c{cost}"));
        let o = catchment(&[
            "run",
            s(&root().join("scenarios/baseline.toml")),
            "--class-cost-km",
            cost,
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))["stages"].clone()
    };
    let (free, costly) = (run("0"), run("5"));
    let classes = |v: &serde_json::Value| {
        v["primary"]["classes"].as_u64().unwrap() + v["junior"]["classes"].as_u64().unwrap()
    };
    assert!(
        classes(&costly) < classes(&free),
        "{} vs {}",
        classes(&costly),
        classes(&free)
    );
    for stage in ["primary", "junior"] {
        assert_eq!(costly[stage]["violations"], 0);
        assert!(
            costly[stage]["travel_km"].as_f64().unwrap()
                >= free[stage]["travel_km"].as_f64().unwrap()
        );
    }
}

/// Aligned feeders: every primary catchment inside exactly one junior
/// catchment, a nine-year school's primary catchment feeding itself; the
/// price shows in the junior gap against the plain bound.
#[test]
fn aligned_feeders_never_split_a_primary_catchment() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/baseline.toml");
    let run = |extra: &[&str], name: &str| {
        let out = tmp.path().join(name);
        let mut args = vec!["run", s(&scenario), "--out", s(&out)];
        args.extend_from_slice(extra);
        let o = catchment(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        (read_json(&out.join("summary.json")), out)
    };
    let (plain, _) = run(&[], "plain");
    let (aligned, out) = run(&["--feeders", "aligned"], "aligned");
    assert!(
        plain["feeders"]["split_primary_catchments"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(aligned["feeders"]["aligned"], true);
    assert_eq!(aligned["feeders"]["split_primary_catchments"], 0);
    let j = &aligned["stages"]["junior"];
    assert_eq!(j["violations"], 0);
    assert_eq!(
        j["children"],
        j["placed"].as_u64().unwrap() + j["unplaced"].as_u64().unwrap()
    );
    assert!(
        j["objective_km"].as_f64().unwrap()
            >= plain["stages"]["junior"]["objective_km"].as_f64().unwrap()
    );
    // Nine-year schools feed themselves.
    let csv = std::fs::read_to_string(out.join("feeders.csv")).unwrap();
    for line in csv.lines().skip(1).filter(|l| l.starts_with('N')) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], cells[2], "{line}");
    }
}

/// A ceiling on the migrant share of a public school's intake: the plan
/// moves zones between neighbouring catchments until schools fit, keeps
/// every limit and every catchment in one piece, names the schools no move
/// can bring inside, and shows the price in the gap.
#[test]
fn the_migrant_share_band_pulls_schools_inside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = root().join("scenarios/baseline.toml");
    let scenario = tmp.path().join("band.toml");
    std::fs::write(
        &scenario,
        format!(
            "extends = {:?}\nname = \"band\"\n[policy]\nmigrant_max_share = 0.3\n",
            s(&baseline)
        ),
    )
    .unwrap();
    let run = |file: &Path, name: &str| {
        let out = tmp.path().join(name);
        let o = catchment(&["run", s(file), "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let free = run(&baseline, "free");
    let band = run(&scenario, "band");
    let shares = |dir: &Path| -> Vec<(String, String, f64)> {
        let csv = std::fs::read_to_string(dir.join("schools.csv")).unwrap();
        let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let headers = rows.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        rows.records()
            .map(|r| r.unwrap())
            .filter(|r| &r[col("sector")] == "public" && !r[col("migrant_share")].is_empty())
            .map(|r| {
                (
                    r[col("stage")].to_string(),
                    r[col("school_id")].to_string(),
                    r[col("migrant_share")].parse().unwrap(),
                )
            })
            .collect()
    };
    let over = |dir: &Path, stage: &str| {
        shares(dir)
            .into_iter()
            .filter(|(st, _, x)| st == stage && *x > 0.3005)
            .count()
    };
    let summary = read_json(&band.join("summary.json"));
    let plain = read_json(&free.join("summary.json"));
    for stage in ["primary", "junior"] {
        let st = &summary["stages"][stage];
        let named = st["migrants"]["schools_outside_band"].as_array().unwrap();
        assert!(over(&band, stage) < over(&free, stage), "{stage}");
        assert_eq!(named.len(), over(&band, stage), "{stage}: {named:?}");
        assert!(st["migrants"]["zones_moved_for_band"].as_u64().unwrap() > 0);
        assert_eq!(st["violations"], 0);
        assert_eq!(st["contiguity"]["catchments_in_pieces"], 0);
        assert_eq!(
            st["children"],
            st["placed"].as_u64().unwrap() + st["unplaced"].as_u64().unwrap()
        );
        assert!(st["gap"].as_f64().unwrap() > plain["stages"][stage]["gap"].as_f64().unwrap());
    }
    assert_eq!(
        plain["stages"]["primary"]["migrants"]["zones_moved_for_band"],
        0
    );
}

/// A hard cap on children moved from today's school: the plan is made with
/// the least stability weight that meets it, and says so; a cap below what
/// today's seats allow is reported as missed, never silently broken.
#[test]
fn a_cap_on_moved_children_is_met_or_reported_missed() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = root().join("scenarios/baseline.toml");
    let run = |cap: &str, name: &str| {
        let out = tmp.path().join(name);
        let o = catchment(&["run", s(&baseline), "--max-moved", cap, "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        (
            read_json(&out.join("summary.json")),
            std::fs::read_to_string(out.join("report.md")).unwrap(),
        )
    };
    let (summary, report) = run("400", "cap");
    let cap = &summary["moved_cap"];
    assert_eq!(cap["met"], true, "{cap}");
    assert!(cap["stability_km"].as_f64().unwrap() > 0.0);
    for stage in ["primary", "junior"] {
        let st = &summary["stages"][stage];
        assert!(
            st["moved"].as_u64().unwrap() <= 400,
            "{stage}: {}",
            st["moved"]
        );
        assert_eq!(st["violations"], 0);
    }
    assert!(
        report.contains("at most 400 per stage asked; met"),
        "{report}"
    );
    let (summary, report) = run("10", "tight");
    assert_eq!(summary["moved_cap"]["met"], false);
    assert!(report.contains("NOT MET"), "{report}");
    let plain = read_json(&{
        let out = tmp.path().join("plain");
        let o = catchment(&["run", s(&baseline), "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        out.join("summary.json")
    });
    assert!(plain["moved_cap"].is_null());
}
