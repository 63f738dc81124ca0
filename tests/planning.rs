//! Planning on the real binary: every scenario in scenarios/ runs, the
//! comparison report agrees with the two plans it compares and is one
//! self-contained page, projections keep every pupil, site selection runs,
//! and bad changes are refused with errors that say where and why.

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::{catchment, read_json as json, root, rows as csv, s};

fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(format!("{name}.toml"))
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn num(row: &HashMap<String, String>, key: &str) -> i64 {
    let v = &row[key];
    if v.is_empty() {
        0
    } else {
        v.parse().unwrap_or_else(|_| panic!("{key} = {v:?}"))
    }
}

#[test]
fn every_scenario_runs_without_violations() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "baseline",
        "new-school",
        "closure",
        "housing-growth",
        "six-year",
    ] {
        let out = tmp.path().join(name);
        let o = catchment(&["run", s(&scenario(name)), "--out", s(&out)]);
        ok(&o);
        let summary = json(&out.join("summary.json"));
        assert_eq!(summary["violations"], Value::Array(vec![]), "{name}");
        for stage in ["primary", "junior"] {
            let st = &summary["stages"][stage];
            assert_eq!(
                st["children"].as_u64(),
                Some(st["placed"].as_u64().unwrap() + st["unplaced"].as_u64().unwrap()),
                "{name} {stage}"
            );
        }
        let schools = summary["schools"].as_u64().unwrap();
        let zones = summary["zones"].as_u64().unwrap();
        match name {
            "new-school" => assert_eq!(schools, 81),
            // P050 opens, P031 closes.
            "closure" => assert_eq!(schools, 80),
            // Seven compounds on the land of one village.
            "housing-growth" | "six-year" => assert_eq!(zones, 3006),
            _ => assert_eq!((zones, schools), (3000, 80)),
        }
    }
}

/// Zone id -> (school, children) for a stage, from a plan's zones.geojson.
fn schools_of(plan: &Path, stage: &str) -> HashMap<String, (String, u64)> {
    let zones = json(&plan.join("zones.geojson"));
    zones["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let children = p[format!("{stage}_local")].as_u64().unwrap_or(0)
                + p[format!("{stage}_migrant")].as_u64().unwrap_or(0);
            (
                p["id"].as_str().unwrap().to_string(),
                (
                    p[format!("school_{stage}")]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    children,
                ),
            )
        })
        .collect()
}

#[test]
fn compare_report_agrees_with_both_plans_and_is_self_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = catchment(&[
        "compare",
        s(&scenario("baseline")),
        s(&scenario("new-school")),
        "--out",
        s(&out),
    ]);
    ok(&o);
    for f in [
        "compare.md",
        "compare.html",
        "summary.json",
        "changed-primary.png",
        "changed-junior.png",
        "distance.png",
        "utilization.png",
        "A/summary.json",
        "A/zones.geojson",
        "A/map-primary.png",
        "B/summary.json",
        "B/report.md",
        "B/map-junior.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let cmp = json(&out.join("summary.json"));
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    for (side, dir) in [("a", "A"), ("b", "B")] {
        let plan = json(&out.join(dir).join("summary.json"));
        for stage in ["primary", "junior"] {
            let (c, p) = (&cmp[side][stage], &plan["stages"][stage]);
            for key in [
                "children",
                "placed",
                "unplaced",
                "mean_km",
                "largest_class",
                "migrant_children",
                "migrant_placed",
                "classes",
            ] {
                assert_eq!(c[key], p[key], "{side} {stage} {key}");
            }
            let max = (c["max_km"].as_f64().unwrap(), p["max_km"].as_f64().unwrap());
            assert!(
                (max.0 - max.1).abs() < 1e-3,
                "{side} {stage} max_km {max:?}"
            );
            let travel = (
                c["travel_km"].as_f64().unwrap(),
                p["travel_km"].as_f64().unwrap(),
            );
            assert!((travel.0 - travel.1).abs() < 1e-3, "{side} {stage} travel");
            let share = c["migrant_public_share"].as_f64().unwrap();
            let expected =
                p["migrant_placed"].as_f64().unwrap() / p["migrant_children"].as_f64().unwrap();
            assert!((share - expected).abs() < 1e-4);
            // The Markdown shows the same figure.
            assert!(
                md.contains(&format!("{:.3}", c["mean_km"].as_f64().unwrap())),
                "mean km of {side} {stage} not in compare.md"
            );
        }
    }
    // The new school draws children nearer: less travel for primary,
    // junior untouched.
    let travel = |side: &str, stage: &str| cmp[side][stage]["travel_km"].as_f64().unwrap();
    assert!(travel("b", "primary") < travel("a", "primary"));
    assert_eq!(travel("b", "junior"), travel("a", "junior"));

    // Children moved, recounted from the two plans' zones.
    for stage in ["primary", "junior"] {
        let a = schools_of(&out.join("A"), stage);
        let b = schools_of(&out.join("B"), stage);
        let (mut zones, mut children) = (0u64, 0u64);
        for (id, (school, n)) in &b {
            if a[id].0 != *school {
                zones += 1;
                children += n;
            }
        }
        let moved = &cmp[format!("moved_{stage}")];
        assert_eq!(moved["zones"].as_u64(), Some(zones), "{stage}");
        assert_eq!(moved["children"].as_u64(), Some(children), "{stage}");
        if stage == "primary" {
            assert!(children > 0);
        }
    }
    // The new school appears only in B, with an intake.
    let p049 = cmp["utilization"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "P049")
        .expect("P049 in the utilization table");
    assert!(p049["a"].is_null());
    assert!(p049["b"]["intake"].as_u64().unwrap() > 0);

    // One self-contained page: images inline, nothing fetched.
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(
        !html.contains("src=\"http"),
        "external source in compare.html"
    );
    assert!(!html.contains("<script"), "compare.html needs no script");
    assert!(
        !html.contains("<link"),
        "compare.html needs no stylesheet file"
    );
    assert!(html.contains("<style>"));
    assert!(html.matches("src=\"data:image/png;base64,").count() >= 8);
    assert!(html.contains("丰陵县第二十小学"));

    // Same input, same report.
    let again = tmp.path().join("again");
    ok(&catchment(&[
        "compare",
        s(&scenario("baseline")),
        s(&scenario("new-school")),
        "--out",
        s(&again),
    ]));
    for f in [
        "compare.md",
        "compare.html",
        "changed-primary.png",
        "A/zones.geojson",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
}

#[test]
fn compare_shows_closures_and_new_housing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("closure");
    ok(&catchment(&[
        "compare",
        s(&scenario("baseline")),
        s(&scenario("closure")),
        "--out",
        s(&out),
    ]));
    let cmp = json(&out.join("summary.json"));
    let row = |id: &str| {
        cmp["utilization"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in the utilization table"))
    };
    assert!(row("P031")["b"].is_null() && !row("P031")["a"].is_null());
    assert!(row("P050")["a"].is_null() && row("P050")["b"]["intake"].as_u64().unwrap() > 0);
    let changes = cmp["b"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.as_str().unwrap().contains("closed P031"))
    );
    // Nobody loses a seat by the move.
    assert_eq!(cmp["b"]["primary"]["unplaced"], 0);

    let out = tmp.path().join("housing");
    ok(&catchment(&[
        "compare",
        s(&scenario("baseline")),
        s(&scenario("housing-growth")),
        "--out",
        s(&out),
    ]));
    let cmp = json(&out.join("summary.json"));
    let moved = &cmp["moved_primary"];
    assert_eq!(moved["new_zones"], 7);
    assert_eq!(moved["zones_only_in_a"], 1);
    let new_children = moved["new_zone_children"].as_u64().unwrap();
    let (a, b) = (
        cmp["a"]["primary"]["children"].as_u64().unwrap(),
        cmp["b"]["primary"]["children"].as_u64().unwrap(),
    );
    assert!(
        new_children > 100 && b > a + new_children - 5,
        "{a} {b} {new_children}"
    );
}

/// Checks a projection's books: at every school and in total, pupils of
/// year t = pupils of year t - 1 + entrants - leavers; each grade is last
/// year's grade below; entrants = placed + without a seat.
fn check_books(dir: &Path) {
    let rows = csv(&dir.join("projection.csv"));
    let mut by_key: HashMap<(String, String), Vec<&HashMap<String, String>>> = HashMap::new();
    for r in &rows {
        by_key
            .entry((r["school_id"].clone(), r["stage"].clone()))
            .or_default()
            .push(r);
    }
    assert!(by_key.len() > 80);
    for ((school, stage), years) in &by_key {
        let (first, last) = if stage == "primary" { (1, 6) } else { (7, 9) };
        for w in years.windows(2) {
            let (before, now) = (w[0], w[1]);
            assert_eq!(num(now, "year"), num(before, "year") + 1);
            assert_eq!(
                num(now, "pupils"),
                num(before, "pupils") + num(now, "intake") - num(now, "leavers"),
                "{school} {stage} in {}",
                now["year"]
            );
            assert_eq!(num(now, "leavers"), num(before, &format!("grade_{last}")));
            assert_eq!(num(now, &format!("grade_{first}")), num(now, "intake"));
            for g in first + 1..=last {
                assert_eq!(
                    num(now, &format!("grade_{g}")),
                    num(before, &format!("grade_{}", g - 1)),
                    "{school} grade {g} in {}",
                    now["year"]
                );
            }
        }
    }
    let totals = csv(&dir.join("totals.csv"));
    for stage in ["primary", "junior"] {
        let t: Vec<_> = totals.iter().filter(|r| r["stage"] == stage).collect();
        assert_eq!(t.len(), 6);
        for r in &t {
            assert_eq!(num(r, "entrants"), num(r, "placed") + num(r, "unplaced"));
            assert_eq!(
                num(r, "intake"),
                num(r, "placed") + num(r, "private_intake")
            );
            assert_eq!(
                num(r, "pupils"),
                num(r, "public_pupils") + num(r, "private_pupils")
            );
        }
        for w in t.windows(2) {
            assert_eq!(
                num(w[1], "pupils"),
                num(w[0], "pupils") + num(w[1], "intake") - num(w[1], "leavers"),
                "{stage} total in {}",
                w[1]["year"]
            );
        }
        // The school rows add up to the totals.
        for r in &t {
            let sum: i64 = rows
                .iter()
                .filter(|x| x["year"] == r["year"] && x["stage"] == stage)
                .map(|x| num(x, "pupils"))
                .sum();
            assert_eq!(sum, num(r, "pupils"));
        }
    }
}

#[test]
fn projection_keeps_every_pupil_year_to_year() {
    let tmp = tempfile::tempdir().unwrap();
    let fixed = tmp.path().join("fixed");
    ok(&catchment(&[
        "project",
        s(&scenario("six-year")),
        "--out",
        s(&fixed),
    ]));
    for f in [
        "projection.csv",
        "totals.csv",
        "warnings.csv",
        "projection.md",
        "pupils.png",
        "short.png",
        "summary.json",
    ] {
        assert!(fixed.join(f).is_file(), "{f} missing");
    }
    check_books(&fixed);
    let summary = json(&fixed.join("summary.json"));
    assert_eq!(summary["years"].as_array().unwrap().len(), 6);
    assert_eq!(summary["years"][0]["year"], 2026);
    // The new district fills up while births fall: some school runs short,
    // and the warning names its first year.
    let warnings = csv(&fixed.join("warnings.csv"));
    assert!(!warnings.is_empty());
    assert!(
        warnings
            .iter()
            .all(|w| (2026..=2031).contains(&num(w, "first_short_year")))
    );
    let md = std::fs::read_to_string(fixed.join("projection.md")).unwrap();
    assert!(md.contains("学位预警"));

    let again = tmp.path().join("reoptimized");
    ok(&catchment(&[
        "project",
        s(&scenario("six-year")),
        "--reoptimize",
        "--years",
        "6",
        "--out",
        s(&again),
    ]));
    check_books(&again);
}

#[test]
fn no_grade_six_pupil_is_lost_on_the_way_to_junior_school() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("whole.toml");
    std::fs::write(
        &file,
        format!(
            "extends = \"{}\"\n[projection]\njunior_transition = 1.0\nmigration = 1.0\n",
            s(&scenario("six-year"))
        ),
    )
    .unwrap();
    let out = tmp.path().join("p");
    ok(&catchment(&["project", s(&file), "--out", s(&out)]));
    let totals = csv(&out.join("totals.csv"));
    let year = |y: &str, stage: &str| -> &HashMap<String, String> {
        totals
            .iter()
            .find(|r| r["year"] == y && r["stage"] == stage)
            .unwrap()
    };
    for y in 2027..=2031 {
        let y = y.to_string();
        // Every public primary leaver enters a public junior school.
        assert_eq!(
            num(year(&y, "junior"), "entrants"),
            num(year(&y, "primary"), "public_leavers"),
            "{y}"
        );
    }
    check_books(&out);
}

#[test]
fn site_ranks_classes_and_chooses_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sites");
    let candidates = root().join("maps/demo-growth/sites.geojson");
    ok(&catchment(&[
        "site",
        s(&scenario("housing-growth")),
        "--candidates",
        s(&candidates),
        "--k",
        "2",
        "--out",
        s(&out),
    ]));
    let classes = csv(&out.join("add-classes.csv"));
    assert!(!classes.is_empty());
    // Best first: shortage removed, then km saved.
    for w in classes.windows(2) {
        let key = |r: &HashMap<String, String>| {
            (
                num(r, "shortage_removed"),
                (r["km_saved"].parse::<f64>().unwrap() * 1000.0).round() as i64,
            )
        };
        assert!(key(&w[0]) >= key(&w[1]));
    }
    let sites = csv(&out.join("sites.csv"));
    assert_eq!(sites.len(), 2);
    let summary = json(&out.join("summary.json"));
    let choice = &summary["sites"];
    assert!(
        choice["method"].as_str().unwrap().contains("exhaustive"),
        "{}",
        choice["method"]
    );
    let before = choice["plan_before"]["travel_km"].as_f64().unwrap();
    let after = choice["plan_after"]["travel_km"].as_f64().unwrap();
    assert!(after < before, "{before} -> {after}");
    // The new district's site is among the chosen.
    assert!(sites.iter().any(|r| r["id"] == "S01" || r["id"] == "S02"));
    let toml = std::fs::read_to_string(out.join("sites.toml")).unwrap();
    assert_eq!(toml.lines().filter(|l| *l == "[[add_school]]").count(), 2);
}

/// Every position of a GeoJSON file shifted from WGS84 to GCJ-02.
fn to_gcj02(from: &Path, to: &Path) {
    fn shift(v: &mut Value) {
        match v {
            Value::Array(a) if a.len() == 2 && a.iter().all(Value::is_number) => {
                let (x, y) = catchment::spatial::Crs::Gcj02
                    .from_wgs84(a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                *v = serde_json::json!([x, y]);
            }
            Value::Array(a) => a.iter_mut().for_each(shift),
            _ => {}
        }
    }
    let mut fc = json(from);
    for f in fc["features"].as_array_mut().unwrap() {
        shift(&mut f["geometry"]["coordinates"]);
    }
    std::fs::write(to, fc.to_string()).unwrap();
}

/// With the schools picked on Amap (`schools_crs = "gcj02"`), candidate
/// sites are read in that system too and chosen as in WGS84, and the
/// `[[add_school]]` tables of sites.toml are written in it, as a scenario
/// reads them.
#[test]
fn site_reads_candidates_and_writes_new_schools_in_the_schools_crs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    to_gcj02(
        &root().join("maps/demo/schools.geojson"),
        &dir.join("schools.geojson"),
    );
    let candidates = root().join("maps/demo-growth/sites.geojson");
    to_gcj02(&candidates, &dir.join("sites.geojson"));
    let amap = dir.join("amap.toml");
    std::fs::write(
        &amap,
        format!(
            "extends = \"{}\"\nschools = \"schools.geojson\"\nschools_crs = \"gcj02\"\n",
            s(&scenario("housing-growth"))
        ),
    )
    .unwrap();
    let site = |scenario: &Path, candidates: &Path, out: &str| {
        let out = dir.join(out);
        ok(&catchment(&[
            "site",
            s(scenario),
            "--candidates",
            s(candidates),
            "--k",
            "2",
            "--out",
            s(&out),
        ]));
        out
    };
    let wgs84 = site(&scenario("housing-growth"), &candidates, "wgs84");
    let gcj02 = site(&amap, &dir.join("sites.geojson"), "gcj02");
    let ids = |out: &Path| -> Vec<String> {
        csv(&out.join("sites.csv"))
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(ids(&wgs84), ids(&gcj02));
    let location = |out: &Path| -> Vec<f64> {
        let toml: toml::Table = std::fs::read_to_string(out.join("sites.toml"))
            .unwrap()
            .parse()
            .unwrap();
        toml["add_school"][0]["location"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap())
            .collect()
    };
    let (w, g) = (location(&wgs84), location(&gcj02));
    let (x, y) = catchment::spatial::Crs::Gcj02.from_wgs84(w[0], w[1]);
    assert!(
        (g[0] - x).abs() < 2e-6 && (g[1] - y).abs() < 2e-6,
        "{g:?} written, expected {:?}",
        [x, y]
    );
}

/// Writes a scenario extending the baseline with `extra` and runs it;
/// returns stderr after checking the failure.
fn refused(extra: &str, expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        format!("extends = \"{}\"\n{extra}", s(&scenario("baseline"))),
    )
    .unwrap();
    let out = tmp.path().join("plan");
    let o = catchment(&["run", s(&file), "--out", s(&out)]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert!(!out.exists(), "a refused scenario left an output folder");
}

#[test]
fn bad_changes_are_refused_with_clear_errors() {
    // Closing a school that does not exist.
    refused(
        "[[close_school]]\nid = \"P999\"\n",
        &[
            "bad.toml",
            "close_school[0]",
            "`id`",
            "\"P999\"",
            "not a school",
        ],
    );
    // Closing without opening the replacement first (先建后撤).
    refused(
        "[[close_school]]\nid = \"P031\"\n",
        &[
            "bad.toml",
            "close_school[0]",
            "P031",
            "先建后撤",
            "replaced_by",
        ],
    );
    // An existing school without the seats for both catchments.
    refused(
        "[[change_school]]\nid = \"P030\"\nclasses_primary = 1\n\
         [[close_school]]\nid = \"P031\"\nreplaced_by = \"P030\"\n",
        &[
            "close_school[0]",
            "`replaced_by`",
            "into P030",
            "45 primary seats",
            "seats short",
        ],
    );
    // A replacement of the wrong stage.
    refused(
        "[[add_school]]\nid = \"J100\"\nlocation = [117.73, 31.60]\nstage = \"junior\"\nclasses_junior = 4\n\
         [[close_school]]\nid = \"P031\"\nreplaced_by = \"J100\"\n",
        &["close_school[0]", "teaching primary"],
    );
    // An opened school whose id is taken.
    refused(
        "[[add_school]]\nid = \"P001\"\nlocation = [117.73, 31.60]\nstage = \"primary\"\n",
        &["add_school[0]", "`id`", "already a school"],
    );
    refused(
        "[[add_school]]\nid = \"P100\"\nlocation = [117.73, 31.60]\nstage = \"primery\"\n",
        &["add_school[0]", "`stage`", "\"primery\"", "nine_year"],
    );
    refused(
        "[[add_school]]\nid = \"P100\"\nlocation = [117.73, 31.60]\nstage = \"primary\"\nclasses_junior = 3\n",
        &["add_school[0]", "classes_junior"],
    );
    refused(
        "[[new_housing]]\nfactor = 1.5\nzones = [\"Z000001\", \"Z999999\"]\n",
        &["new_housing[0]", "`zones`", "Z999999"],
    );
    refused(
        "[[new_housing]]\nfactor = 1.5\ncentre = [117.75, 31.6]\n",
        &["new_housing[0]", "`radius_km`", "missing"],
    );
    refused(
        "[[change_school]]\nid = \"P001\"\nclasses_primary = 3\nclases_junior = 2\n",
        &["bad.toml", "clases_junior"],
    );
}

#[test]
fn an_extends_cycle_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.toml");
    std::fs::write(&a, "extends = \"b.toml\"\n").unwrap();
    std::fs::write(tmp.path().join("b.toml"), "extends = \"a.toml\"\n").unwrap();
    let o = catchment(&["run", s(&a), "--out", s(&tmp.path().join("plan"))]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cycle"), "{err}");
    assert!(
        err.contains("a.toml extends") && err.contains("b.toml"),
        "{err}"
    );
}
