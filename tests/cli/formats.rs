//! The bureau's own files: the same county as GCJ-02 GeoJSON, as GBK
//! shapefiles with short column names mapped by `[columns]`, and schools
//! as an Excel point table, each gives the plan of the WGS84 GeoJSON;
//! Hangzhou's GCJ-02 schools read with their `district` as the county.

use std::collections::BTreeMap;
use std::path::Path;

use catchment::spatial::Crs;
use serde_json::Value;

use super::real_data::hangzhou_compounds;
use super::{catchment, collection, features, read_json, s, shared_data, stderr};

/// A generated county (polygon zones, about 200 of them) in `dir`.
pub(super) fn county(dir: &Path) {
    let o = catchment(&[
        "generate",
        "--zones",
        "200",
        "--schools",
        "12",
        "--seed",
        "7",
        "--out",
        s(dir),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Runs the binary and returns each zone's (primary, junior) school.
fn assignments(args: &[&str], out: &Path) -> BTreeMap<String, (Value, Value)> {
    let o = catchment(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    planned(out)
}

/// Each zone's (primary, junior) school in the plan written to `out`.
fn planned(out: &Path) -> BTreeMap<String, (Value, Value)> {
    features(&out.join("zones.geojson"))
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().to_string(),
                (p["school_primary"].clone(), p["school_junior"].clone()),
            )
        })
        .collect()
}

fn allocate(
    zones: &Path,
    schools: &Path,
    out: &Path,
    extra: &[&str],
) -> BTreeMap<String, (Value, Value)> {
    let mut args = vec![
        "allocate",
        "--zones",
        s(zones),
        "--schools",
        s(schools),
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    assignments(&args, out)
}

/// Every position of a GeoJSON file converted from WGS84 to `crs`.
fn convert_file(from: &Path, to: &Path, crs: Crs) {
    let mut collection: geojson::FeatureCollection =
        serde_json::from_value(read_json(from)).unwrap();
    for f in &mut collection.features {
        if let Some(g) = f.geometry.as_mut() {
            crs.geometry_from_wgs84(&mut g.value);
        }
    }
    std::fs::write(to, serde_json::to_string(&collection).unwrap()).unwrap();
}

#[test]
fn gcj02_geojson_gives_the_wgs84_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let (zones, schools) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    let wgs = allocate(&zones, &schools, &dir.join("wgs"), &[]);
    let (gz, gs) = (
        dir.join("gcj-zones.geojson"),
        dir.join("gcj-schools.geojson"),
    );
    convert_file(&zones, &gz, Crs::Gcj02);
    convert_file(&schools, &gs, Crs::Gcj02);
    // Read as WGS84 the plan moves (the shift is about 500 m here)...
    let gcj = allocate(&gz, &gs, &dir.join("gcj"), &["--crs", "gcj02"]);
    assert_eq!(gcj, wgs);
    // ...and the zones written back are where the WGS84 file has them.
    let back = features(&dir.join("gcj/zones.geojson"));
    let original = features(&zones);
    for (a, b) in back.iter().zip(&original) {
        let pa = &a["geometry"]["coordinates"][0][0];
        let pb = &b["geometry"]["coordinates"][0][0];
        let m = catchment::spatial::haversine_m(
            geo::Point::new(pa[0].as_f64().unwrap(), pa[1].as_f64().unwrap()),
            geo::Point::new(pb[0].as_f64().unwrap(), pb[1].as_f64().unwrap()),
        );
        assert!(m < 0.5, "{m} m");
    }
    // --output-crs gcj02 writes the zones back in the file's own system.
    allocate(
        &gz,
        &gs,
        &dir.join("gcj-out"),
        &["--crs", "gcj02", "--output-crs", "gcj02"],
    );
    let out = features(&dir.join("gcj-out/zones.geojson"));
    let given = features(&gz);
    let (pa, pb) = (
        &out[0]["geometry"]["coordinates"][0][0],
        &given[0]["geometry"]["coordinates"][0][0],
    );
    assert!((pa[0].as_f64().unwrap() - pb[0].as_f64().unwrap()).abs() < 1e-6);
}

/// A GBK shapefile without .cpg, fields named as a bureau names them.
fn write_shapefile(path: &Path, source: &Path, fields: &[(&str, &str, bool)]) {
    use dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    use shapefile::{Point, Polygon, PolygonRing};
    let mut builder =
        TableWriterBuilder::new().set_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK));
    for (ours, theirs, numeric) in fields {
        let name = FieldName::try_from(*theirs).unwrap();
        builder = if *numeric {
            builder.add_numeric_field(name, 10, 0)
        } else {
            let _ = ours;
            builder.add_character_field(name, 60)
        };
    }
    let features = features(source);
    let is_point = features[0]["geometry"]["type"] == "Point";
    let record = |f: &Value| {
        let mut r = Record::default();
        for (ours, theirs, numeric) in fields {
            let v = &f["properties"][*ours];
            let value = if *numeric {
                FieldValue::Numeric(v.as_f64())
            } else {
                FieldValue::Character(v.as_str().map(str::to_string))
            };
            r.insert(theirs.to_string(), value);
        }
        r
    };
    let xy = |p: &Value| Point::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
    if is_point {
        let mut w = shapefile::Writer::from_path(path, builder).unwrap();
        for f in &features {
            w.write_shape_and_record(&xy(&f["geometry"]["coordinates"]), &record(f))
                .unwrap();
        }
    } else {
        let mut w = shapefile::Writer::from_path(path, builder).unwrap();
        for f in &features {
            let ring: Vec<Point> = f["geometry"]["coordinates"][0]
                .as_array()
                .unwrap()
                .iter()
                .map(xy)
                .collect();
            let polygon = Polygon::with_rings(vec![PolygonRing::Outer(ring)]);
            w.write_shape_and_record(&polygon, &record(f)).unwrap();
        }
    }
}

#[test]
fn gbk_shapefiles_with_mapped_columns_give_the_geojson_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let (zones, schools) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    let wgs = allocate(&zones, &schools, &dir.join("wgs"), &[]);
    write_shapefile(
        &dir.join("xq.shp"),
        &zones,
        &[
            ("id", "ID", false),
            ("name", "MC", false),
            ("county", "XQ", false),
            ("primary_local", "XX_HJ", true),
            ("primary_migrant", "XX_SQ", true),
            ("junior_local", "CZ_HJ", true),
            ("junior_migrant", "CZ_SQ", true),
            ("current_primary", "DQ_XX", false),
            ("current_junior", "DQ_CZ", false),
        ],
    );
    write_shapefile(
        &dir.join("xx.shp"),
        &schools,
        &[
            ("id", "ID", false),
            ("name", "MC", false),
            ("county", "XQ", false),
            ("stage", "XD", false),
            ("sector", "XZ", false),
            ("classes_primary", "BJ_XX", true),
            ("classes_junior", "BJ_CZ", true),
            ("enrolled_primary", "ZX_XX", true),
            ("enrolled_junior", "ZX_CZ", true),
            ("capacity_primary", "RL_XX", true),
        ],
    );
    assert!(!dir.join("xq.cpg").exists());
    let scenario = dir.join("shp.toml");
    std::fs::write(
        &scenario,
        r#"zones = "xq.shp"
schools = "xx.shp"
out = "shp"
[columns]
name = "MC"
county = "XQ"
[columns.zones]
primary_local = "XX_HJ"
primary_migrant = "XX_SQ"
junior_local = "CZ_HJ"
junior_migrant = "CZ_SQ"
current_primary = "DQ_XX"
current_junior = "DQ_CZ"
[columns.schools]
stage = "XD"
sector = "XZ"
classes_primary = "BJ_XX"
classes_junior = "BJ_CZ"
enrolled_primary = "ZX_XX"
enrolled_junior = "ZX_CZ"
capacity_primary = "RL_XX"
"#,
    )
    .unwrap();
    let o = catchment(&["run", s(&scenario), "--formats", "geojson,shp"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("GBK"),
        "says which encoding: {}",
        stderr(&o)
    );
    let shp = planned(&dir.join("shp"));
    assert_eq!(shp, wgs);
    // The plan's own shapefiles, listed in the output folder's manifest.
    let manifest = std::fs::read_to_string(dir.join("shp/.catchment-files")).unwrap();
    for file in ["zones", "catchments"] {
        for ext in ["shp", "shx", "dbf", "cpg", "prj"] {
            let name = format!("{file}.{ext}");
            assert!(dir.join("shp").join(&name).is_file(), "{name}");
            assert!(
                manifest.lines().any(|l| l == name),
                "{name} in the manifest"
            );
        }
    }
    let records = dbase::read(dir.join("shp/zones.dbf")).unwrap();
    assert_eq!(records.len(), shp.len());
    let first = shp.values().next().unwrap();
    let Some(dbase::FieldValue::Character(Some(school))) = records[0].get("SCHOOL_PRI") else {
        panic!("SCHOOL_PRI is text")
    };
    assert_eq!(Some(school.as_str()), first.0.as_str());
    let zones_out = features(&dir.join("shp/zones.geojson"));
    let original = features(&zones);
    assert_eq!(
        zones_out[0]["properties"]["name"],
        original[0]["properties"]["name"]
    );

    // A mapping that names no column of the file lists the file's columns.
    let bad = dir.join("bad.toml");
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&bad, text.replace("= \"XX_HJ\"", "= \"XX_LOCAL\"")).unwrap();
    let o = catchment(&["run", s(&bad), "--out", s(&dir.join("bad"))]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("xq.shp") && e.contains("XX_LOCAL") && e.contains("\"XX_HJ\""),
        "{e}"
    );
}

#[test]
fn schools_as_an_excel_point_table_give_the_geojson_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let (zones, schools) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    let wgs = allocate(&zones, &schools, &dir.join("wgs"), &[]);
    let keys = [
        "stage",
        "sector",
        "county",
        "classes_primary",
        "classes_junior",
        "enrolled_primary",
        "enrolled_junior",
        "capacity_primary",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    // Chinese headers for the id and name, our keys for the rest.
    let headers = [&["学校编号", "学校名称", "lon", "lat"][..], &keys[..]].concat();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, f) in features(&schools).iter().enumerate() {
        let row = r as u32 + 1;
        let p = &f["properties"];
        sheet
            .write_string(row, 0, p["id"].as_str().unwrap())
            .unwrap();
        sheet
            .write_string(row, 1, p["name"].as_str().unwrap())
            .unwrap();
        for i in 0..2 {
            let x = f["geometry"]["coordinates"][i].as_f64().unwrap();
            sheet.write_number(row, 2 + i as u16, x).unwrap();
        }
        for (k, key) in keys.iter().enumerate() {
            let col = 4 + k as u16;
            match &p[*key] {
                Value::Number(n) => {
                    sheet.write_number(row, col, n.as_f64().unwrap()).unwrap();
                }
                Value::String(t) => {
                    sheet.write_string(row, col, t).unwrap();
                }
                _ => {}
            }
        }
    }
    let xlsx = dir.join("schools.xlsx");
    book.save(&xlsx).unwrap();
    let table = allocate(&zones, &xlsx, &dir.join("xlsx"), &[]);
    assert_eq!(table, wgs);

    // The same table as a CSV without lat: the error lists the columns.
    let csv = dir.join("schools.csv");
    std::fs::write(
        &csv,
        "学校编号,学校名称,lon,stage\nP001,一小,120.1,primary\n",
    )
    .unwrap();
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&zones),
        "--schools",
        s(&csv),
        "--out",
        s(&dir.join("csv")),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("schools.csv") && e.contains("`lat`") && e.contains("\"学校编号\""),
        "{e}"
    );
    // An extension no reader takes lists the ones that are read.
    let kml = dir.join("schools.kml");
    std::fs::write(&kml, "<kml/>").unwrap();
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&zones),
        "--schools",
        s(&kml),
        "--out",
        s(&dir.join("kml")),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("schools.kml") && e.contains(".shp") && e.contains(".xlsx"),
        "{e}"
    );
}

/// Hangzhou's real schools are GCJ-02 with a `district`. Zones are placed
/// around each school's published compounds (as in real_data.rs), also
/// GCJ-02: read with crs = "gcj02" and county_field = "district", no
/// compound is given a school of another district.
#[test]
fn hangzhou_with_districts_assigns_no_compound_across_districts() {
    let Some(data) = shared_data() else { return };
    let schools = data.join("hangzhou/schools.geojson");
    let file = read_json(&schools);
    let district_of: BTreeMap<&str, &Value> = file["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["id"].as_str().unwrap(),
                &f["properties"]["district"],
            )
        })
        .collect();
    let zones = hangzhou_compounds(&file, |school, zone| {
        zone["district"] = school["district"].clone();
    });
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("zones.geojson"), collection(zones.clone())).unwrap();
    let scenario = tmp.path().join("hangzhou.toml");
    std::fs::write(
        &scenario,
        format!(
            "zones = \"zones.geojson\"\nschools = \"{}\"\nout = \"out\"\ncrs = \"gcj02\"\ncounty_field = \"district\"\ncontiguous = false\n",
            s(&schools)
        ),
    )
    .unwrap();
    let o = catchment(&["run", s(&scenario)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = features(&tmp.path().join("out/zones.geojson"));
    assert_eq!(out.len(), zones.len());
    let mut across = 0;
    for f in &out {
        let p = &f["properties"];
        for stage in ["primary", "junior"] {
            if let Some(school) = p[format!("school_{stage}")].as_str()
                && *district_of[school] != p["district"]
            {
                across += 1;
            }
        }
    }
    assert_eq!(across, 0, "compounds assigned across district lines");
}

/// Every position of a GeoJSON file moved by `(dx, dy)` degrees.
fn shift_file(from: &Path, to: &Path, dx: f64, dy: f64) {
    let mut collection: geojson::FeatureCollection =
        serde_json::from_value(read_json(from)).unwrap();
    for f in &mut collection.features {
        if let Some(g) = f.geometry.as_mut() {
            catchment::spatial::crs::for_each_position(&mut g.value, &mut |p| {
                p[0] += dx;
                p[1] += dy;
            });
        }
    }
    std::fs::write(to, serde_json::to_string(&collection).unwrap()).unwrap();
}

#[test]
fn gcj02_features_outside_china_are_named_in_report_and_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let (zones, schools) = (dir.join("zones.geojson"), dir.join("schools.geojson"));
    // The county moved to South Korea, where GCJ-02 equals WGS84.
    let first = &features(&zones)[0]["geometry"]["coordinates"][0][0];
    let (dx, dy) = (
        127.5 - first[0].as_f64().unwrap(),
        36.5 - first[1].as_f64().unwrap(),
    );
    let (az, as_) = (
        dir.join("abroad-zones.geojson"),
        dir.join("abroad-schools.geojson"),
    );
    shift_file(&zones, &az, dx, dy);
    shift_file(&schools, &as_, dx, dy);
    let out = dir.join("abroad");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&az),
        "--schools",
        s(&as_),
        "--out",
        s(&out),
        "--crs",
        "gcj02",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outside mainland China"),
        "{}",
        stderr(&o)
    );
    let ids: Vec<String> = features(&az)
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect();
    let n_schools = features(&as_).len();
    let summary = read_json(&out.join("summary.json"));
    let warnings = summary["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let (z, sc) = (&warnings[0], &warnings[1]);
    assert_eq!(
        (&z["kind"], &z["file"], &z["crs"]),
        (&"outside_china".into(), &"zones".into(), &"gcj02".into())
    );
    assert_eq!(z["count"].as_u64().unwrap() as usize, ids.len());
    assert_eq!(z["ids"], serde_json::json!(ids[..10]));
    assert_eq!(sc["file"], "schools");
    assert_eq!(sc["count"].as_u64().unwrap() as usize, n_schools);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    let line = format!(
        "{} feature(s) of the zones file are declared gcj02 but lie outside mainland China",
        ids.len()
    );
    assert!(report.contains(&line), "{report}");
    assert!(
        report.contains(&format!("{}, {}", ids[0], ids[1])),
        "{report}"
    );
    assert!(
        report.contains(&format!("… and {} more", ids.len() - 10)),
        "{report}"
    );
    // In China the same files give no warning, and summary.json no key.
    let home = dir.join("home");
    allocate(&zones, &schools, &home, &["--crs", "gcj02"]);
    assert!(
        read_json(&home.join("summary.json"))
            .get("warnings")
            .is_none()
    );
}

/// compare writes each scenario's plan as run does: its `output_crs` and
/// `formats` apply to A/ and B/.
#[test]
fn compare_honours_output_crs_and_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    for (name, extra) in [("a", ""), ("b", "compactness_km = 0.5\n")] {
        std::fs::write(
            dir.join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\nzones = \"zones.geojson\"\nschools = \"schools.geojson\"\noutput_crs = \"gcj02\"\nformats = [\"geojson\", \"shp\"]\n{extra}"
            ),
        )
        .unwrap();
    }
    let out = dir.join("cmp");
    let o = catchment(&[
        "compare",
        s(&dir.join("a.toml")),
        s(&dir.join("b.toml")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let given = features(&dir.join("zones.geojson"));
    for side in ["A", "B"] {
        let written = features(&out.join(side).join("zones.geojson"));
        let (pw, pg) = (
            &written[0]["geometry"]["coordinates"][0][0],
            &given[0]["geometry"]["coordinates"][0][0],
        );
        let gcj = Crs::Gcj02.from_wgs84(pg[0].as_f64().unwrap(), pg[1].as_f64().unwrap());
        assert!((pw[0].as_f64().unwrap() - gcj.0).abs() < 1e-6, "{side}");
        assert!((pw[1].as_f64().unwrap() - gcj.1).abs() < 1e-6, "{side}");
        for file in ["zones.shp", "catchments.shp", "catchments.prj"] {
            assert!(out.join(side).join(file).is_file(), "{side}/{file}");
        }
    }
}

/// The zones of `from` picked by `keep` (by index), written to `to` in
/// `crs`; in GCJ-02 with `primary_local` renamed to the bureau's `XX_HJ`.
fn bureau_zones(from: &Path, to: &Path, crs: Crs, keep: impl Fn(usize) -> bool) {
    let mut collection: geojson::FeatureCollection =
        serde_json::from_value(read_json(from)).unwrap();
    collection.features = std::mem::take(&mut collection.features)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, mut f)| {
            if let Some(g) = f.geometry.as_mut() {
                crs.geometry_from_wgs84(&mut g.value);
            }
            if crs == Crs::Gcj02 {
                let p = f.properties.as_mut().unwrap();
                let local = p.remove("primary_local").unwrap();
                p.insert("XX_HJ".into(), local);
            }
            f
        })
        .collect();
    std::fs::write(to, serde_json::to_string(&collection).unwrap()).unwrap();
}

/// `[[new_housing]]` reads its file like the zones file (crs, [columns])
/// and takes its `centre` in the zones' coordinate system: a GCJ-02
/// scenario with renamed columns gives the plan of the WGS84 one, the last
/// 20 zones coming as new housing in both.
#[test]
fn new_housing_honours_columns_and_crs_like_the_zones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let zones = dir.join("zones.geojson");
    let n = features(&zones).len();
    let first = &features(&zones)[0]["geometry"]["coordinates"][0][0];
    let centre = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
    let gcj = Crs::Gcj02.from_wgs84(centre.0, centre.1);
    for (crs, name) in [(Crs::Wgs84, "wgs"), (Crs::Gcj02, "xq")] {
        bureau_zones(&zones, &dir.join(format!("{name}.geojson")), crs, |i| {
            i < n - 20
        });
        bureau_zones(&zones, &dir.join(format!("{name}-new.geojson")), crs, |i| {
            i >= n - 20
        });
    }
    let growth = |(x, y): (f64, f64)| {
        format!("[[new_housing]]\nfactor = 2\ncentre = [{x}, {y}]\nradius_km = 2\n")
    };
    std::fs::write(
        dir.join("wgs.toml"),
        format!(
            "zones = \"wgs.geojson\"\nschools = \"schools.geojson\"\n\
             [[new_housing]]\nzones_file = \"wgs-new.geojson\"\n\n{}",
            growth(centre)
        ),
    )
    .unwrap();
    let schools = dir.join("schools.geojson");
    convert_file(&schools, &dir.join("gcj-schools.geojson"), Crs::Gcj02);
    std::fs::write(
        dir.join("gcj.toml"),
        format!(
            "zones = \"xq.geojson\"\nschools = \"gcj-schools.geojson\"\ncrs = \"gcj02\"\n\
             [columns.zones]\nprimary_local = \"XX_HJ\"\n\n\
             [[new_housing]]\nzones_file = \"xq-new.geojson\"\n\n{}",
            growth(gcj)
        ),
    )
    .unwrap();
    let plan = |name: &str| {
        let out = dir.join(name);
        let scenario = dir.join(format!("{name}.toml"));
        assignments(&["run", s(&scenario), "--out", s(&out)], &out)
    };
    let (wgs, gcj) = (plan("wgs"), plan("gcj"));
    assert_eq!(wgs.len(), n);
    assert_eq!(gcj, wgs);
    let children = |name: &str| {
        read_json(&dir.join(name).join("summary.json"))["stages"]["primary"]["children"].clone()
    };
    assert_eq!(children("gcj"), children("wgs"));
}

/// A roads file in `crs` with `highway` renamed to the bureau's `DLDJ`.
fn bureau_roads(from: &Path, to: &Path, crs: Crs) {
    let mut collection: geojson::FeatureCollection =
        serde_json::from_value(read_json(from)).unwrap();
    for f in &mut collection.features {
        crs.geometry_from_wgs84(&mut f.geometry.as_mut().unwrap().value);
        let p = f.properties.as_mut().unwrap();
        let highway = p.remove("highway").unwrap();
        p.insert("DLDJ".into(), highway);
    }
    std::fs::write(to, serde_json::to_string(&collection).unwrap()).unwrap();
}

/// A river line across the county from south to north, in `crs`.
fn river(zones: &Path, to: &Path, crs: Crs) {
    let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for f in features(zones) {
        for p in f["geometry"]["coordinates"][0].as_array().unwrap() {
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            bounds = [
                bounds[0].min(x),
                bounds[1].min(y),
                bounds[2].max(x),
                bounds[3].max(y),
            ];
        }
    }
    let [x0, y0, x1, y1] = bounds;
    let x = (x0 + x1) / 2.0;
    let line: Vec<[f64; 2]> = (0..=50)
        .map(|i| {
            let y = y0 + (y1 - y0) * f64::from(i) / 50.0;
            let (a, b) = crs.from_wgs84(x + 0.004 * (y * 200.0).sin(), y);
            [a, b]
        })
        .collect();
    let text = serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "河"}, "geometry": {"type": "LineString", "coordinates": line}}]});
    std::fs::write(to, text.to_string()).unwrap();
}

/// The roads and barriers a bureau traced on Amap are GCJ-02 like its
/// compounds, and its road layer names the road class its own way: read
/// with `crs = "gcj02"` and `[columns.roads]`, they give the plan of the
/// WGS84 files (the road class decides where walking is allowed, the river
/// which trips cross it).
#[test]
fn gcj02_roads_and_barriers_with_the_bureaus_columns_give_the_wgs84_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county(dir);
    let zones = dir.join("zones.geojson");
    river(&zones, &dir.join("river.geojson"), Crs::Wgs84);
    river(&zones, &dir.join("gcj-river.geojson"), Crs::Gcj02);
    for name in ["zones", "schools"] {
        let from = dir.join(format!("{name}.geojson"));
        convert_file(&from, &dir.join(format!("gcj-{name}.geojson")), Crs::Gcj02);
    }
    bureau_roads(
        &dir.join("roads.geojson"),
        &dir.join("gcj-roads.geojson"),
        Crs::Gcj02,
    );
    bureau_roads(
        &dir.join("roads.geojson"),
        &dir.join("dl-roads.geojson"),
        Crs::Wgs84,
    );
    for name in ["zones", "schools", "river"] {
        let file = format!("{name}.geojson");
        std::fs::copy(dir.join(&file), dir.join(format!("dl-{file}"))).unwrap();
    }
    let scenario = |name: &str, prefix: &str, extra: &str| {
        let text = format!(
            "zones = \"{prefix}zones.geojson\"\nschools = \"{prefix}schools.geojson\"\n\
             roads = \"{prefix}roads.geojson\"\nbarriers = \"{prefix}river.geojson\"\n{extra}"
        );
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    };
    let columns = "[columns.roads]\nhighway = \"DLDJ\"\n";
    scenario("wgs", "", "");
    scenario("gcj", "gcj-", &format!("crs = \"gcj02\"\n{columns}"));
    scenario("unmapped", "dl-", "");
    let plan = |name: &str| {
        let out = dir.join(name);
        let scenario = dir.join(format!("{name}.toml"));
        let o = catchment(&["run", s(&scenario), "--out", s(&out)]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        (planned(&out), read_json(&out.join("summary.json")))
    };
    let (wgs, wgs_summary) = plan("wgs");
    let (gcj, gcj_summary) = plan("gcj");
    assert_eq!(gcj, wgs);
    for stage in ["primary", "junior"] {
        let crossings = |s: &Value| s["stages"][stage]["barrier_crossings"].clone();
        assert_eq!(crossings(&gcj_summary), crossings(&wgs_summary), "{stage}");
        let km = |s: &Value| s["stages"][stage]["travel_km"].as_f64().unwrap();
        assert!((km(&gcj_summary) - km(&wgs_summary)).abs() < 1e-3 * km(&wgs_summary));
    }
    assert_eq!(
        gcj_summary["distance"]["network"],
        wgs_summary["distance"]["network"]
    );
    // Without the mapping the expressway is a road anyone may walk.
    let (_, unmapped) = plan("unmapped");
    assert_ne!(
        unmapped["distance"]["network"],
        wgs_summary["distance"]["network"]
    );

    // A mapped name the file lacks lists its columns; a key no roads file
    // has is refused by name; an extract's tags cannot be renamed.
    scenario("missing", "dl-", "[columns.roads]\nhighway = \"DLJB\"\n");
    scenario(
        "wrong",
        "dl-",
        "[columns.roads]\nprimary_local = \"DLDJ\"\n",
    );
    for (name, expected) in [
        ("missing", "DLJB"),
        ("wrong", "columns.roads.primary_local"),
    ] {
        let out = dir.join(name);
        let o = catchment(&[
            "run",
            s(&dir.join(format!("{name}.toml"))),
            "--out",
            s(&out),
        ]);
        assert!(!o.status.success() && !out.exists(), "{name}");
        assert!(stderr(&o).contains(expected), "{name}: {}", stderr(&o));
    }
    let o = catchment(&[
        "run",
        s(&dir.join("missing.toml")),
        "--out",
        s(&dir.join("m")),
    ]);
    assert!(stderr(&o).contains("\"DLDJ\""), "{}", stderr(&o));
}
