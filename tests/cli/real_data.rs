//! Real data: Santa Rosa's census blocks and elementary schools.

use super::*;

#[test]
fn santa_rosa_loads_and_allocates() {
    let Some(data) = shared_data() else { return };
    let sr = data.join("santa-rosa");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sr");
    let (zones, schools) = (sr.join("zones-2025.geojson"), sr.join("schools.geojson"));
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "allocate",
            "--zones",
            s(&zones),
            "--schools",
            s(&schools),
            "--out",
            s(out),
        ];
        args.extend_from_slice(extra);
        let o = catchment(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        read_json(&out.join("summary.json"))["stages"]["primary"].clone()
    };
    // Without capacities and without contiguity every block goes to its
    // nearest school: the relaxation is already whole, the gap zero.
    let p = run(&out, &["--allow-pieces"]);
    assert_eq!(p["children"], 2861);
    assert_eq!(p["placed"], 2861);
    assert_eq!(p["violations"], 0);
    assert_eq!(p["gap"], 0.0);
    let catchments = read_json(&out.join("catchments.geojson"));
    assert_eq!(catchments["features"].as_array().unwrap().len(), 7);
    // Connected catchments cost a little over the bound, and every one is
    // a single piece.
    let connected = run(&tmp.path().join("sr-connected"), &[]);
    assert_eq!(
        connected["contiguity"]["catchments_in_pieces"], 0,
        "{connected}"
    );
    assert_eq!(connected["placed"], 2861);
    assert!(connected["gap"].as_f64().unwrap() < 0.02, "{connected}");
}
