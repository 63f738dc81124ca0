//! Real data: Santa Rosa's census blocks and elementary schools.

use super::*;

#[test]
fn santa_rosa_loads_and_allocates() {
    let Some(data) = shared_data() else { return };
    let sr = data.join("santa-rosa");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sr");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&sr.join("zones-2025.geojson")),
        "--schools",
        s(&sr.join("schools.geojson")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&out.join("summary.json"));
    let p = &summary["stages"]["primary"];
    assert_eq!(p["children"], 2861);
    assert_eq!(p["placed"], 2861);
    assert_eq!(p["violations"], 0);
    // Without capacities every block goes to its nearest school: the
    // relaxation is already whole and the gap is zero.
    assert_eq!(p["gap"], 0.0);
    let catchments = read_json(&out.join("catchments.geojson"));
    assert_eq!(catchments["features"].as_array().unwrap().len(), 7);
}
