//! Options given wrong, in a scenario file or on the command line: the
//! error names the key or flag, the line and the fix; usage errors exit 2,
//! failed runs 1, and nothing is written.

use super::{catchment, s, stderr, tiny};

fn scenario(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let t = tiny();
    let p = dir.join("s.toml");
    std::fs::write(
        &p,
        format!(
            "zones = \"{}\"\nschools = \"{}\"\n{text}",
            s(&t.join("zones.geojson")),
            s(&t.join("schools.geojson"))
        ),
    )
    .unwrap();
    p
}

#[test]
fn negative_numbers_are_values_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "");
    let out = tmp.path().join("out");
    for (flag, value) in [
        ("--stability-km", "-1"),
        ("--balance-km", "-8"),
        ("--compactness-km", "-0.5"),
    ] {
        let o = catchment(&["run", s(&file), flag, value, "--out", s(&out)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("{flag} is {value}")) && err.contains("expected a distance >= 0"),
            "{err}"
        );
        assert!(!out.exists());
    }
    let o = catchment(&["run", s(&file), "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2), "usage errors stay clap's");
}

#[test]
fn a_wrong_type_names_the_key_and_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (text, expect) in [
        ("stability_km = \"2\"\n", "line 3"),
        ("\n[policy.primary]\nclass_limit = \"45\"\n", "line 5"),
        ("[solver]\ncandidates = 0\n", "candidates is 0"),
    ] {
        let file = scenario(tmp.path(), text);
        let o = catchment(&["run", s(&file), "--out", s(&tmp.path().join("out"))]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("s.toml") && err.contains(expect),
            "{text}: {err}"
        );
    }
}

#[test]
fn a_name_is_not_a_path() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["../../escaped", "/abs", "a/b", ".."] {
        let file = scenario(tmp.path(), &format!("name = \"{name}\"\n"));
        let o = catchment(&["run", s(&file)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("name is") && err.contains("without path characters"),
            "{err}"
        );
    }
}

#[test]
fn a_policy_file_names_the_key_and_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        "school_limit = 2000\n\n[primary]\nclass_limit = \"45\"\n",
    )
    .unwrap();
    let t = tiny();
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&t.join("zones.geojson")),
        "--schools",
        s(&t.join("schools.geojson")),
        "--policy",
        s(&policy),
        "--out",
        s(&tmp.path().join("out")),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("policy.toml")
            && err.contains("line 4")
            && err.contains("`primary.class_limit`"),
        "{err}"
    );
}
