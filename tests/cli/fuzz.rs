//! Fuzzing on stable Rust: proptest mutates the test county's GeoJSON,
//! scenario TOML and locks CSV, runs the real binary on each case and
//! holds it to the contract: no panic, an error leaves no output folder,
//! and a plan keeps children = placed + unplaced with no hard limit broken.
//! Failing cases proptest finds are kept as regression tests at the end.
//!
//! Each case is one run of the binary on 30 zones (tens of milliseconds);
//! the case counts keep the whole harness well under a minute in CI.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// Runs `allocate` or `run` on the files in `dir` and checks the contract.
fn holds_contract(args: &[&str], out: &Path) -> Result<(), TestCaseError> {
    let o = catchment(args);
    let err = stderr(&o);
    prop_assert!(!err.contains("panicked"), "panic: {}", err);
    match o.status.code() {
        Some(0) => {
            let summary = read_json(&out.join("summary.json"));
            for stage in ["primary", "junior"] {
                let x = &summary["stages"][stage];
                let n = |k: &str| x[k].as_u64().unwrap();
                prop_assert_eq!(n("children"), n("placed") + n("unplaced"), "{}", stage);
                prop_assert_eq!(n("violations"), 0, "{}", stage);
            }
            prop_assert_eq!(&summary["violations"], &json!([]));
            let zones = read_json(&out.join("zones.geojson"));
            for stage in ["primary", "junior"] {
                let children: u64 = zones["features"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        let p = &f["properties"];
                        p[format!("{stage}_local")].as_u64().unwrap()
                            + p[format!("{stage}_migrant")].as_u64().unwrap()
                    })
                    .sum();
                prop_assert_eq!(
                    children,
                    summary["stages"][stage]["children"].as_u64().unwrap()
                );
            }
        }
        Some(1) => {
            prop_assert!(err.contains("error:"), "unnamed failure: {}", err);
            prop_assert!(!out.exists(), "a failed run left {}", out.display());
        }
        other => prop_assert!(false, "exit {:?}: {}", other, err),
    }
    let hidden: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(".plan")
        })
        .collect();
    prop_assert!(hidden.is_empty(), "staging left behind");
    Ok(())
}

/// A JSON value of the kinds hostile files hold.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..200).prop_map(Value::from),
        prop_oneof![
            Just(4294967295u64),
            Just(4294967296u64),
            Just(10_000_001u64),
            Just(u64::MAX)
        ]
        .prop_map(Value::from),
        prop_oneof![Just(-0.5), Just(2.5), Just(1e300), Just(-1e-9), Just(3.0)]
            .prop_map(Value::from),
        prop_oneof![
            Just("P1"),
            Just("Z001"),
            Just(""),
            Just("=1+1"),
            Just("a\nb|c"),
            Just("nine_year"),
            Just("private"),
            Just("12"),
        ]
        .prop_map(Value::from),
        Just(json!([118.0, 31.0])),
        Just(json!({"x": 1})),
    ]
}

const ZONE_FIELDS: &[&str] = &[
    "id",
    "name",
    "primary_local",
    "primary_migrant",
    "junior_local",
    "junior_migrant",
    "primary_special",
    "current_primary",
    "current_junior",
    "county",
];
const SCHOOL_FIELDS: &[&str] = &[
    "id",
    "name",
    "stage",
    "sector",
    "county",
    "classes_primary",
    "classes_junior",
    "enrolled_primary",
    "enrolled_junior",
    "capacity_primary",
    "purchased_primary",
    "resource_room",
];

/// One change to the maps.
#[derive(Clone, Debug)]
enum Mutation {
    Zone(usize, &'static str, Value),
    School(usize, &'static str, Value),
    ZoneAt(usize, f64, f64),
    DropZoneGeometry(usize),
    DropSchool(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0..30usize, prop::sample::select(ZONE_FIELDS), any_value())
            .prop_map(|(i, f, v)| Mutation::Zone(i, f, v)),
        3 => (0..6usize, prop::sample::select(SCHOOL_FIELDS), any_value())
            .prop_map(|(i, f, v)| Mutation::School(i, f, v)),
        1 => (0..30usize, -200.0..200.0f64, -100.0..100.0f64)
            .prop_map(|(i, x, y)| Mutation::ZoneAt(i, x, y)),
        1 => (0..30usize).prop_map(Mutation::DropZoneGeometry),
        1 => (0..6usize).prop_map(Mutation::DropSchool),
    ]
}

/// Applies a mutation; an index past the end (after a school was dropped)
/// wraps around, so that every mutation touches a feature.
fn apply(m: &Mutation, zones: &mut Value, schools: &mut Value) {
    let wrap = |v: &Value, i: usize| i % v["features"].as_array().map_or(1, |a| a.len().max(1));
    let m = &match m.clone() {
        Mutation::Zone(i, f, v) => Mutation::Zone(wrap(zones, i), f, v),
        Mutation::School(i, f, v) => Mutation::School(wrap(schools, i), f, v),
        Mutation::ZoneAt(i, x, y) => Mutation::ZoneAt(wrap(zones, i), x, y),
        Mutation::DropZoneGeometry(i) => Mutation::DropZoneGeometry(wrap(zones, i)),
        Mutation::DropSchool(i) => Mutation::DropSchool(wrap(schools, i)),
    };
    match m {
        Mutation::Zone(i, f, v) => zones["features"][*i]["properties"][*f] = v.clone(),
        Mutation::School(i, f, v) => schools["features"][*i]["properties"][*f] = v.clone(),
        Mutation::ZoneAt(i, x, y) => {
            zones["features"][*i]["geometry"] = json!({"type": "Point", "coordinates": [x, y]})
        }
        Mutation::DropZoneGeometry(i) => zones["features"][*i]["geometry"] = Value::Null,
        Mutation::DropSchool(i) => {
            schools["features"].as_array_mut().unwrap().remove(*i);
        }
    }
}

/// A byte-level damage to a file's text: cut it, repeat a key, insert junk.
#[derive(Clone, Debug)]
enum Damage {
    None,
    Truncate(f64),
    RepeatKey,
    Insert(f64, &'static str),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        6 => Just(Damage::None),
        1 => (0.0..1.0f64).prop_map(Damage::Truncate),
        1 => Just(Damage::RepeatKey),
        1 => (0.0..1.0f64, prop::sample::select(&["{", "]", ",", "\"", "\u{feff}", "NaN", "\n"][..]))
            .prop_map(|(at, s)| Damage::Insert(at, s)),
    ]
}

fn damaged(text: String, d: &Damage) -> String {
    let at = |f: f64| {
        let mut i = (text.len() as f64 * f) as usize;
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match d {
        Damage::None => text,
        Damage::Truncate(f) => text[..at(*f)].to_string(),
        Damage::RepeatKey => text.replacen("\"name\":", "\"name\":\"x\",\"name\":", 1),
        Damage::Insert(f, s) => {
            let i = at(*f);
            format!("{}{s}{}", &text[..i], &text[i..])
        }
    }
}

fn write_maps(dir: &Path, mutations: &[Mutation], zd: &Damage, sd: &Damage) {
    let mut zones = read_json(&tiny().join("zones.geojson"));
    let mut schools = read_json(&tiny().join("schools.geojson"));
    for m in mutations {
        apply(m, &mut zones, &mut schools);
    }
    std::fs::write(dir.join("zones.geojson"), damaged(zones.to_string(), zd)).unwrap();
    std::fs::write(
        dir.join("schools.geojson"),
        damaged(schools.to_string(), sd),
    )
    .unwrap();
}

/// A scenario line: policy, solver and change tables with odd values.
fn scenario_extra() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("0"),
        Just("-1"),
        Just("1"),
        Just("3.5"),
        Just("1e12"),
        Just("\"45\""),
        Just("nan"),
        Just("100"),
        Just("2000"),
    ];
    let policy_key = prop::sample::select(
        &[
            "school_limit",
            "nine_year_school_limit",
            "large_class",
            "oversize_class",
            "migrant_target",
            "special_target",
            "max_trip_km",
            "primary.class_limit",
            "junior.max_km",
            "primary.max_km",
        ][..],
    );
    prop_oneof![
        (policy_key, value.clone()).prop_map(|(k, v)| match k.split_once('.') {
            Some((stage, key)) => format!("[policy.{stage}]\n{key} = {v}\n"),
            None => format!("[policy]\n{k} = {v}\n"),
        }),
        value
            .clone()
            .prop_map(|v| format!("[solver]\ncandidates = {v}\n")),
        (value, prop::sample::select(&["Z001", "Z404", "P1"][..]))
            .prop_map(|(v, z)| format!("[[new_housing]]\nfactor = {v}\nzones = [\"{z}\"]\n")),
        prop::sample::select(&["P1", "P2", "J1", "N1", "X1", "nope"][..])
            .prop_map(|id| format!("[[close_school]]\nid = \"{id}\"\n")),
        Just("stability_km = -2.0\n".to_string()),
        Just("name = \"../../escaped\"\n".to_string()),
    ]
}

/// Locks CSV rows: real and unknown ids, real and unknown actions.
fn locks_rows() -> impl Strategy<Value = Vec<String>> {
    let zone = prop::sample::select(&["Z001", "Z002", "Z004", "Z030", "Z999", ""][..]);
    let school = prop::sample::select(&["P1", "P2", "P3", "N1", "J1", "X1", "Q9"][..]);
    let action = prop::sample::select(&["pin", "forbid", "PIN", "allow", ""][..]);
    let stage = prop::sample::select(&["", ",primary", ",junior", ",both"][..]);
    prop::collection::vec(
        (zone, school, action, stage).prop_map(|(z, s, a, st)| format!("{z},{s},{a}{st}")),
        0..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_maps_give_a_plan_or_a_named_error(
        mutations in prop::collection::vec(mutation(), 1..4),
        zd in damage(),
        sd in damage(),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        write_maps(tmp.path(), &mutations, &zd, &sd);
        let (z, sc, out) = (tmp.path().join("zones.geojson"), tmp.path().join("schools.geojson"), tmp.path().join("plan"));
        holds_contract(&["allocate", "--zones", s(&z), "--schools", s(&sc), "--out", s(&out)], &out)?;
    }

    #[test]
    fn odd_scenarios_give_a_plan_or_a_named_error(extra in prop::collection::vec(scenario_extra(), 1..3)) {
        let tmp = tempfile::tempdir().unwrap();
        write_maps(tmp.path(), &[], &Damage::None, &Damage::None);
        // Tables may repeat (two [policy] headers): TOML refuses that by name.
        let scenario = tmp.path().join("scenario.toml");
        std::fs::write(
            &scenario,
            format!("zones = \"zones.geojson\"\nschools = \"schools.geojson\"\n{}", extra.concat()),
        )
        .unwrap();
        let out = tmp.path().join("plan");
        holds_contract(&["run", s(&scenario), "--out", s(&out)], &out)?;
    }

    #[test]
    fn odd_locks_give_a_plan_or_a_named_error(rows in locks_rows(), header in any::<bool>()) {
        let tmp = tempfile::tempdir().unwrap();
        write_maps(tmp.path(), &[], &Damage::None, &Damage::None);
        let locks = tmp.path().join("locks.csv");
        let head = if header { "zone,school,action,stage\n" } else { "" };
        std::fs::write(&locks, format!("{head}{}\n", rows.join("\n"))).unwrap();
        let (z, sc, out) = (tmp.path().join("zones.geojson"), tmp.path().join("schools.geojson"), tmp.path().join("plan"));
        holds_contract(
            &["allocate", "--zones", s(&z), "--schools", s(&sc), "--locks", s(&locks), "--out", s(&out)],
            &out,
        )?;
    }
}
