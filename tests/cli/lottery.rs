//! `catchment lottery`: multi-school zones on the demo county.

use std::collections::HashMap;

use super::*;

/// Rows of a CSV file (the BOM checked and removed), header first.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{} has no BOM",
        path.display()
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Rows as maps from the header's names.
fn table(path: &Path) -> Vec<HashMap<String, String>> {
    let rows = rows(path);
    rows[1..]
        .iter()
        .map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn num(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key} = {:?}", row[key]))
}

fn run_lottery(out: &Path, threads: &str) {
    let o = catchment_env(
        &[
            "lottery",
            s(&root().join("scenarios/baseline.toml")),
            "--seeds",
            "20",
            "--seed",
            "7",
            "--out",
            s(out),
        ],
        &[("RAYON_NUM_THREADS", threads)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("lottery.md"), "{}", stdout(&o));
}

#[test]
fn lottery_on_the_demo_county_conserves_children_and_repeats_to_the_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_lottery(&a, "1");
    run_lottery(&b, "2");
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".catchment-files",
            "lottery-chances.csv",
            "lottery-groups.csv",
            "lottery-schools.csv",
            "lottery-seed-7.csv",
            "lottery.md",
            "summary.json"
        ]
    );
    for name in &names {
        assert!(
            std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
            "{name} differs between runs"
        );
    }

    // Groups: at most 3 schools, each school in one group per stage.
    let groups = table(&a.join("lottery-groups.csv"));
    assert!(!groups.is_empty());
    let mut seen = std::collections::HashSet::new();
    let mut group_children: HashMap<(String, String), f64> = HashMap::new();
    for g in &groups {
        let schools: Vec<&str> = g["schools"].split(';').collect();
        assert!((2..=3).contains(&schools.len()), "{g:?}");
        for s in schools {
            assert!(
                seen.insert((g["stage"].clone(), s.to_string())),
                "{s} twice"
            );
        }
        group_children.insert((g["group"].clone(), g["stage"].clone()), num(g, "children"));
    }

    // Schools: never over their seats; first choices get min(applicants, seats).
    let schools = table(&a.join("lottery-schools.csv"));
    let mut oversubscribed = 0;
    for r in &schools {
        let (applicants, seats) = (num(r, "first_choice_applicants"), num(r, "seats"));
        let admitted = num(r, "admitted");
        assert!(admitted <= seats, "{r:?}");
        assert_eq!(
            num(r, "admitted_first_choice"),
            applicants.min(seats),
            "{r:?}"
        );
        assert_eq!(
            admitted,
            num(r, "admitted_first_choice") + num(r, "admitted_from_others")
        );
        if applicants > seats {
            oversubscribed += 1;
            assert!(num(r, "oversubscription") > 1.0);
        }
    }
    assert!(
        oversubscribed > 0,
        "the demo should have oversubscribed schools"
    );

    // The published draw: children = placed + unplaced per zone and group.
    let draw = table(&a.join("lottery-seed-7.csv"));
    let zones = read_json(&root().join("maps/demo/zones.geojson"));
    let children_of: HashMap<String, [f64; 2]> = zones["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let n = |k: &str| p[k].as_f64().unwrap_or(0.0);
            (
                p["id"].as_str().unwrap().to_string(),
                [
                    n("primary_local") + n("primary_migrant"),
                    n("junior_local") + n("junior_migrant"),
                ],
            )
        })
        .collect();
    let mut per_zone: HashMap<(String, String), f64> = HashMap::new();
    let mut per_group: HashMap<(String, String), f64> = HashMap::new();
    for r in &draw {
        *per_zone
            .entry((r["zone_id"].clone(), r["stage"].clone()))
            .or_default() += num(r, "children");
        *per_group
            .entry((r["group"].clone(), r["stage"].clone()))
            .or_default() += num(r, "children");
        if r["school_id"].is_empty() {
            assert!(!r["reason"].is_empty(), "{r:?}");
        }
    }
    for ((zone, stage), n) in &per_zone {
        let i = usize::from(stage == "junior");
        assert_eq!(*n, children_of[zone][i], "zone {zone} {stage}");
    }
    assert_eq!(per_group, group_children);

    // Chances: every zone's shares sum to 1.
    let mut sums: HashMap<(String, String), f64> = HashMap::new();
    for r in table(&a.join("lottery-chances.csv")) {
        assert!(num(&r, "min") <= num(&r, "p5") && num(&r, "p95") <= num(&r, "max"));
        *sums
            .entry((r["zone_id"].clone(), r["stage"].clone()))
            .or_default() += num(&r, "mean");
    }
    assert!(!sums.is_empty());
    for (k, sum) in sums {
        assert!((sum - 1.0).abs() < 1e-3, "{k:?}: {sum}");
    }

    let summary = read_json(&a.join("summary.json"));
    assert_eq!(summary["seeds"], 20);
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["conservation"], "ok");
    let md = std::fs::read_to_string(a.join("lottery.md")).unwrap();
    assert!(md.contains("## Oversubscribed schools") && md.contains("least certain"));
}

#[test]
fn lottery_takes_the_bureaus_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let groups = tmp.path().join("groups.csv");
    std::fs::write(
        &groups,
        "\u{feff}group,school\n城区东片,P011\n城区东片,P012\n城区东片,P013\n城区中学,J001\n城区中学,J003\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = catchment(&[
        "lottery",
        s(&root().join("scenarios/baseline.toml")),
        "--groups",
        s(&groups),
        "--seeds",
        "5",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let groups = table(&out.join("lottery-groups.csv"));
    let names: Vec<(&str, &str, &str)> = groups
        .iter()
        .map(|g| {
            (
                g["group"].as_str(),
                g["stage"].as_str(),
                g["schools"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("城区东片", "primary", "P011;P012;P013"),
            ("城区中学", "junior", "J001;J003")
        ]
    );
    assert!(out.join("lottery-seed-1.csv").is_file());
}

#[test]
fn a_bad_groups_file_names_the_file_the_line_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/baseline.toml");
    let check = |text: &str, expect: &[&str]| {
        let groups = tmp.path().join("groups.csv");
        std::fs::write(&groups, text).unwrap();
        let out = tmp.path().join("out");
        let o = catchment(&[
            "lottery",
            s(&scenario),
            "--groups",
            s(&groups),
            "--out",
            s(&out),
        ]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains("groups.csv"), "{e}");
        for x in expect {
            assert!(e.contains(x), "expected {x:?} in {e}");
        }
        assert!(!out.exists(), "no output folder after an error");
    };
    check(
        "group,school\na,P011\na,NOPE\n",
        &["line 3", "`school`", "\"NOPE\" is not in the schools file"],
    );
    check(
        "group,school\na,P011\nb,P012\nb,P011\n",
        &[
            "line 4",
            "already in group \"a\" (line 2)",
            "one group only",
        ],
    );
    let o = catchment(&[
        "lottery",
        s(&scenario),
        "--group-size",
        "1",
        "--out",
        s(&tmp.path().join("x")),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("group_size is 1"), "{}", stderr(&o));
}

/// A school or compound name that looks like a formula stays text in the
/// lottery's, the projection's and the site analysis's CSV files, as in
/// the plan's.
#[test]
fn formula_like_names_stay_text_in_the_lottery_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut schools = read_json(&tiny().join("schools.geojson"));
    schools["features"][0]["properties"]["name"] = "=HYPERLINK(\"x\")".into();
    std::fs::write(d.join("schools.geojson"), schools.to_string()).unwrap();
    std::fs::copy(tiny().join("zones.geojson"), d.join("zones.geojson")).unwrap();
    std::fs::write(
        d.join("s.toml"),
        "zones = \"zones.geojson\"\nschools = \"schools.geojson\"\n",
    )
    .unwrap();
    let out = d.join("lottery");
    let o = catchment(&["lottery", s(&d.join("s.toml")), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text: String = ["lottery-schools.csv", "lottery-groups.csv"]
        .iter()
        .map(|f| std::fs::read_to_string(out.join(f)).unwrap())
        .collect();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.contains(",=HYPERLINK") && !text.contains(";=HYPERLINK"));
    for (command, file) in [("project", "projection.csv"), ("site", "add-classes.csv")] {
        let out = d.join(command);
        let o = catchment(&[command, s(&d.join("s.toml")), "--out", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{command}: {text}");
    }
}
