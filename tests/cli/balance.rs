//! `--objective balance`: an even use of seats between neighbouring
//! schools, paid for in child-km, and reported beside the distance-only plan.

use super::*;

fn run(out: &Path, options: &[&str]) -> serde_json::Value {
    let scenario = root().join("scenarios/baseline.toml");
    let mut args = vec!["run", s(&scenario), "--out", s(out)];
    args.extend_from_slice(options);
    let o = catchment(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    read_json(&out.join("summary.json"))
}

#[test]
fn balance_on_the_demo_lowers_the_spread_keeps_every_rule_and_reports_both_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let balanced = run(&tmp.path().join("balance"), &["--objective", "balance"]);
    let plain = run(&tmp.path().join("distance"), &[]);
    assert_eq!(balanced["objective"], "balance");
    assert_eq!(plain["objective"], "distance");
    assert_eq!(balanced["violations"].as_array().unwrap().len(), 0);
    assert_eq!(balanced["utilization"]["uneven_pair_gap"], 0.3);
    assert!(balanced["utilization"]["balance_km"].as_f64().unwrap() > 0.0);
    assert!(plain["utilization"]["balance_km"].is_null());
    for stage in ["primary", "junior"] {
        let st = &balanced["stages"][stage];
        assert_eq!(st["violations"], 0, "{stage}");
        assert_eq!(st["contiguity"]["catchments_in_pieces"], 0, "{stage}");
        assert_eq!(
            st["children"].as_u64().unwrap(),
            st["placed"].as_u64().unwrap() + st["unplaced"].as_u64().unwrap(),
            "{stage}"
        );
        assert_eq!(st["placed"], plain["stages"][stage]["placed"], "{stage}");
        let u = &balanced["utilization"][stage];
        let (mine, theirs) = (&u["plan"], &u["distance_only"]);
        let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap();
        assert!(
            f(mine, "spread") < f(theirs, "spread"),
            "{stage}: spread {} against {}",
            mine["spread"],
            theirs["spread"]
        );
        assert!(f(mine, "travel_km") >= f(theirs, "travel_km"), "{stage}");
        assert!(f(mine, "cv") < f(theirs, "cv"), "{stage}");
        assert!(
            mine["uneven_pairs"].as_u64().unwrap() <= theirs["uneven_pairs"].as_u64().unwrap(),
            "{stage}"
        );
        // The plan's own figures agree with the stage's, and the
        // distance-only plan is exactly the plan a plain run makes.
        assert_eq!(
            f(mine, "travel_km"),
            (f(st, "travel_km") * 1000.0).round() / 1000.0
        );
        assert_eq!(theirs, &plain["utilization"][stage]["plan"], "{stage}");
        assert!(plain["utilization"][stage]["distance_only"].is_null());
        assert!(f(st, "gap") > f(&plain["stages"][stage], "gap"), "{stage}");
    }
    let report = std::fs::read_to_string(tmp.path().join("balance/report.md")).unwrap();
    assert!(report.contains("Balance vs distance-only"), "{report}");
    assert!(report.contains("| primary balance | primary distance-only |"));
    assert!(report.contains("children = placed + unplaced (holds)"));
    let report = std::fs::read_to_string(tmp.path().join("distance/report.md")).unwrap();
    assert!(report.contains("## Utilization (intake / seats)"));
    assert!(report.contains("spread (seat-weighted SD of utilization)"));
}

#[test]
fn balance_is_identical_with_one_and_two_threads() {
    super::determinism::same_bytes_with(
        &root().join("scenarios/baseline.toml"),
        &["--objective", "balance", "--balance-km", "12"],
    );
}

#[test]
fn a_balance_weight_without_the_balance_objective_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/baseline.toml");
    let out = tmp.path().join("out");
    let o = catchment(&["run", s(&scenario), "--out", s(&out), "--balance-km", "5"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--objective balance"), "{}", stderr(&o));
    let o = catchment(&["run", s(&scenario), "--out", s(&out), "--objective", "fair"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("balance"), "{}", stderr(&o));
}

#[test]
fn the_scenario_key_asks_for_balance_and_allocate_takes_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let base = root().join("scenarios/baseline.toml");
    let scenario = tmp.path().join("even.toml");
    std::fs::write(
        &scenario,
        format!(
            "extends = {:?}\nname = \"even\"\nobjective = \"balance\"\nbalance_km = 12.0\n",
            s(&base)
        ),
    )
    .unwrap();
    let out = tmp.path().join("even");
    let o = catchment(&["run", s(&scenario), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(distance-only"), "{}", stdout(&o));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["objective"], "balance");
    assert_eq!(summary["utilization"]["balance_km"], 12.0);
    // The command line wins over the scenario.
    let plain = tmp.path().join("plain");
    let o = catchment(&[
        "run",
        s(&scenario),
        "--out",
        s(&plain),
        "--objective",
        "distance",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read_json(&plain.join("summary.json"))["objective"],
        "distance"
    );
    let maps = root().join("maps/demo");
    let out = tmp.path().join("allocate");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&maps.join("zones.geojson")),
        "--schools",
        s(&maps.join("schools.geojson")),
        "--out",
        s(&out),
        "--objective",
        "balance",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["objective"], "balance");
    assert!(!summary["utilization"]["junior"]["distance_only"].is_null());
}
