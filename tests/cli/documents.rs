//! The documents a bureau publishes: their language, the Excel workbooks
//! and the print maps.

use std::collections::HashMap;

use calamine::{Data, Reader, Xlsx, open_workbook};

use super::*;

#[test]
fn documents_are_chinese_by_default_and_english_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny().join("scenario.toml");
    let zh = tmp.path().join("zh");
    let o = catchment(&["run", s(&scenario), "--out", s(&zh), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("个小区"), "{}", stdout(&o));
    let report = std::fs::read_to_string(zh.join("report.md")).unwrap();
    assert!(
        report.starts_with("# 义务教育学校划片方案：tiny"),
        "{report}"
    );
    assert!(report.contains("## 核验"), "{report}");
    let lists = std::fs::read_to_string(zh.join("catchment-lists.md")).unwrap();
    assert!(lists.contains("施教区名单"), "{lists}");
    let header = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        text.trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(header(&zh.join("schools.csv")).starts_with("学段,学校编号,学校名称"));
    assert!(header(&zh.join("catchment-lists.csv")).contains("小区名称"));
    // JSON keys stay English whatever the language.
    assert!(read_json(&zh.join("summary.json"))["stages"]["primary"]["children"].is_u64());

    let en = tmp.path().join("en");
    let o = catchment(&["run", s(&scenario), "--out", s(&en), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(en.join("report.md")).unwrap();
    assert!(report.starts_with("# Catchment plan: tiny"), "{report}");
    assert!(header(&en.join("schools.csv")).starts_with("stage,school_id,school_name"));
}

#[test]
fn a_scenario_can_ask_for_english_and_a_bad_language_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, lang: &str| {
        let path = tmp.path().join(name);
        std::fs::write(
            &path,
            format!(
                "extends = \"{}\"\nlang = \"{lang}\"\n",
                s(&tiny().join("scenario.toml"))
            ),
        )
        .unwrap();
        path
    };
    let english = write("english.toml", "en");
    let out = tmp.path().join("out");
    // No --lang here: the scenario's key decides.
    let o = Command::new(env!("CARGO_BIN_EXE_catchment"))
        .args(["run", s(&english), "--out", s(&out)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.starts_with("# Catchment plan"), "{report}");

    let bad = write("bad.toml", "fr");
    let o = catchment(&["run", s(&bad), "--out", s(&out)]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("`lang`") && e.contains("fr") && e.contains("`en`"),
        "{e}"
    );
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

fn string(d: &Data) -> &str {
    match d {
        Data::String(t) => t,
        other => panic!("expected text, got {other:?}"),
    }
}

/// The test county with a `community` on each zone and a numeric-looking
/// id with a leading zero, allocated in English.
fn county_with_communities(tmp: &Path) -> PathBuf {
    let mut zones = read_json(&tiny().join("zones.geojson"));
    for (i, f) in zones["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let p = &mut f["properties"];
        p["community"] = format!("社区{}", i % 3).into();
        if i == 0 {
            p["id"] = "060971514031000".into();
            p["name"] = "=HYPERLINK(\"x\")".into();
        }
    }
    let zp = tmp.join("zones.geojson");
    std::fs::write(&zp, serde_json::to_string(&zones).unwrap()).unwrap();
    let out = tmp.join("plan");
    let o = catchment(&[
        "allocate",
        "--zones",
        s(&zp),
        "--schools",
        s(&tiny().join("schools.geojson")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn the_schools_workbook_holds_schools_csv_with_numbers_as_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = county_with_communities(tmp.path());
    let csv = rows(&out.join("schools.csv"));
    let sheet = sheet_rows(&out.join("schools.xlsx"), "schools");
    let header: Vec<&str> = sheet[0].iter().map(string).collect();
    let text = std::fs::read_to_string(out.join("schools.csv")).unwrap();
    let csv_header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(header.join(","), csv_header);
    assert_eq!(sheet.len() - 1, csv.len());
    let col = |key: &str| header.iter().position(|h| *h == key).unwrap();
    for (row, want) in sheet[1..].iter().zip(&csv) {
        assert_eq!(string(&row[col("school_id")]), want["school_id"]);
        assert_eq!(string(&row[col("stage")]), want["stage"]);
        for key in ["intake", "seats", "classes_opened", "school_total"] {
            assert_eq!(
                number(&row[col(key)]),
                want[key].parse::<f64>().unwrap(),
                "{key}"
            );
        }
        let utilization: f64 = want["utilization"].parse().unwrap();
        assert!((number(&row[col("utilization")]) - utilization).abs() < 5e-4);
    }
}

#[test]
fn the_lists_workbook_groups_school_community_compound_and_adds_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = county_with_communities(tmp.path());
    let intake: HashMap<(String, String), f64> = rows(&out.join("schools.csv"))
        .into_iter()
        .map(|r| {
            let n = r["intake"].parse().unwrap();
            ((r["stage"].clone(), r["school_id"].clone()), n)
        })
        .collect();
    let mut compounds = 0;
    for stage in ["primary", "junior"] {
        let sheet = sheet_rows(&out.join("catchment-lists.xlsx"), stage);
        let header: Vec<&str> = sheet[0].iter().map(string).collect();
        assert_eq!(
            header,
            [
                "school_id",
                "school_name",
                "community",
                "zone_id",
                "zone_name",
                "children",
                "placed",
                "unplaced"
            ]
        );
        // Per school: its own row's total, its communities' rows, and the
        // sum of its compounds' rows.
        let mut school_total: HashMap<String, f64> = HashMap::new();
        let mut compound_sum: HashMap<String, f64> = HashMap::new();
        let mut community_sum: HashMap<String, f64> = HashMap::new();
        for row in &sheet[1..] {
            let school = string(&row[0]).to_string();
            let placed = number(&row[6]);
            let is_compound = !matches!(row[3], Data::Empty);
            let is_community = !is_compound && !matches!(row[2], Data::Empty);
            if is_compound {
                // Ids stay text, with their leading zeros.
                let id = string(&row[3]);
                assert!(!id.is_empty());
                if id.starts_with('0') {
                    assert_eq!(id, "060971514031000");
                    assert_eq!(string(&row[4]), "=HYPERLINK(\"x\")");
                }
                *compound_sum.entry(school).or_default() += placed;
                compounds += 1;
            } else if is_community {
                *community_sum.entry(school).or_default() += placed;
            } else {
                school_total.insert(school, placed);
            }
        }
        for (school, total) in &school_total {
            assert_eq!(compound_sum[school], *total, "{stage} {school}");
            assert_eq!(community_sum[school], *total, "{stage} {school}");
            assert_eq!(intake[&(stage.to_string(), school.clone())], *total);
        }
        let with_intake = intake
            .iter()
            .filter(|((st, _), n)| st == stage && **n > 0.0)
            .count();
        assert!(school_total.len() >= with_intake, "{stage}");
    }
    let zones = read_json(&tiny().join("zones.geojson"));
    assert_eq!(compounds, 2 * zones["features"].as_array().unwrap().len());
    // The same formula-looking name is plain text in the CSV too.
    let lists = std::fs::read_to_string(out.join("catchment-lists.csv")).unwrap();
    assert!(lists.contains("'=HYPERLINK"), "{lists}");
}

/// Labels of one group of the SVG: (text, x, y).
fn svg_labels(svg: &str, class: &str) -> Vec<(String, f64, f64)> {
    let Some(start) = svg.find(&format!("<g class=\"{class}\"")) else {
        return Vec::new();
    };
    let group = &svg[start..start + svg[start..].find("</g>").unwrap()];
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    group
        .split("<text ")
        .skip(1)
        .map(|t| {
            let open_end = t.find('>').unwrap();
            let text = &t[open_end + 1..t.find("</text>").unwrap()];
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            let tag = format!(" {}", &t[..open_end]);
            (text, attr(&tag, "x"), attr(&tag, "y"))
        })
        .collect()
}

#[test]
fn print_maps_name_the_largest_schools_without_overlaps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let scenario = root().join("scenarios/baseline.toml");
    let o = catchment(&["run", s(&scenario), "--out", s(&out), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let schools = rows(&out.join("schools.csv"));
    for (stage, key) in [("小学", "primary"), ("初中", "junior")] {
        let svg = std::fs::read_to_string(out.join(format!("map-{key}.svg"))).unwrap();
        assert!(svg.contains("viewBox=\"0 0 1587 1123\""), "A3 landscape");
        assert!(svg.contains("WenQuanYi Micro Hei"), "a CJK font family");
        assert!(svg.contains(&format!("{stage}施教区图")), "title");
        for part in [
            "class=\"legend\"",
            "class=\"scale-bar\"",
            "class=\"north-arrow\"",
        ] {
            assert!(svg.contains(part), "{part}");
        }
        let main = svg_labels(&svg, "labels");
        let inset = svg_labels(&svg, "inset-labels");
        for labels in [&main, &inset] {
            let boxes: Vec<(f64, f64, f64, f64)> = labels
                .iter()
                .map(|(t, x, y)| {
                    let w: f64 = t
                        .chars()
                        .map(|c| if c >= '\u{1100}' { 11.0 } else { 0.62 * 11.0 })
                        .sum();
                    (*x, y - 0.9 * 11.0, x + w, y + 0.25 * 11.0)
                })
                .collect();
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
                    assert!(!overlap, "{key}: labels {a:?} and {b:?} overlap");
                }
            }
        }
        // The five largest schools of the stage are named somewhere.
        let mut by_intake: Vec<(u64, &str)> = schools
            .iter()
            .filter(|r| r["学段"] == stage)
            .map(|r| (r["新生人数"].parse().unwrap(), r["学校名称"].as_str()))
            .collect();
        by_intake.sort_by_key(|b| std::cmp::Reverse(b.0));
        for (_, name) in by_intake.iter().take(5) {
            assert!(
                main.iter().chain(&inset).any(|(t, _, _)| t == name),
                "{key}: {name} has no label"
            );
        }
    }
}

/// Words of four or more ASCII letters in a document's prose: code spans
/// (Markdown's and HTML's), HTML tags and styles, embedded images, link
/// targets, ids (with digits), file names and keys (with `.`, `/` or `_`)
/// and the `allowed` names (scenario names given by the user) are not
/// prose.
fn english_words(text: &str, allowed: &[&str]) -> Vec<String> {
    let mut prose = String::with_capacity(text.len());
    let mut rest = text;
    // Cut out spans between the given delimiters.
    let cut = |text: &str, open: &str, close: &str| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            out.push_str(&rest[..i]);
            out.push(' ');
            match rest[i + open.len()..].find(close) {
                Some(j) => rest = &rest[i + open.len() + j + close.len()..],
                None => rest = "",
            }
        }
        out.push_str(rest);
        out
    };
    while let Some(i) = rest.find('`') {
        prose.push_str(&rest[..i]);
        match rest[i + 1..].find('`') {
            Some(j) => rest = &rest[i + 1 + j + 1..],
            None => rest = "",
        }
    }
    prose.push_str(rest);
    let prose = cut(&prose, "<style>", "</style>");
    let prose = cut(&prose, "<code>", "</code>");
    let prose = cut(&prose, "data:image/png;base64,", "\"");
    let prose = cut(&prose, "<", ">");
    let prose = cut(&prose, "](", ")");
    let mut words = Vec::new();
    for token in prose.split(|c: char| !(c.is_ascii_alphanumeric() || "_./-".contains(c))) {
        if token.contains(|c: char| c.is_ascii_digit() || "_./".contains(c))
            || allowed.contains(&token)
        {
            continue;
        }
        for word in token.split('-') {
            if word.len() >= 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                words.push(word.to_string());
            }
        }
    }
    words
}

/// Every listed file of `dir` is Chinese prose: no English word in it.
fn assert_chinese(dir: &Path, files: &[&str], allowed: &[&str]) {
    for f in files {
        let text = std::fs::read_to_string(dir.join(f))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()));
        let words = english_words(&text, allowed);
        assert!(
            words.is_empty(),
            "{f} has English words in Chinese: {words:?}\n{}",
            text.chars().take(3000).collect::<String>()
        );
    }
}

#[test]
fn the_english_word_check_finds_english_and_skips_ids_and_code() {
    let found = english_words(
        "共 3 所学校 `max_km` P001 map-primary.png [A](A/map.png) Children moved",
        &[],
    );
    assert_eq!(found, ["Children", "moved"]);
    assert!(english_words("方案 tiny-growth：A", &["tiny-growth"]).is_empty());
    assert!(english_words("可安装 <code>fonts-noto-cjk</code>", &[]).is_empty());
}

/// A scenario over the test county, written beside its maps.
fn tiny_scenario(dir: &Path, name: &str, extra: &str) -> PathBuf {
    for f in ["zones.geojson", "schools.geojson"] {
        if !dir.join(f).exists() {
            std::fs::copy(tiny().join(f), dir.join(f)).unwrap();
        }
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "name = \"{name}\"\nzones = \"zones.geojson\"\nschools = \"schools.geojson\"\n{extra}"
        ),
    )
    .unwrap();
    path
}

#[test]
fn compare_documents_are_chinese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tiny_scenario(tmp.path(), "tiny", "");
    let b = tiny_scenario(
        tmp.path(),
        "smaller",
        "[policy.primary]\nclass_limit = 40\n",
    );
    let out = tmp.path().join("cmp");
    let o = catchment(&["compare", s(&a), s(&b), "--out", s(&out), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_chinese(&out, &["compare.md", "compare.html"], &["tiny", "smaller"]);
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.starts_with("# 方案对比：tiny（A）与 smaller（B）"),
        "{md}"
    );
}

#[test]
fn lottery_documents_and_reasons_are_chinese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(tmp.path(), "tiny", "");
    let out = tmp.path().join("lottery");
    let o = catchment(&["lottery", s(&scenario), "--out", s(&out), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let seed = read_json(&out.join("summary.json"))["seed"]
        .as_u64()
        .unwrap();
    let seed_file = format!("lottery-seed-{seed}.csv");
    assert_chinese(
        &out,
        &[
            "lottery.md",
            "lottery-groups.csv",
            "lottery-schools.csv",
            "lottery-chances.csv",
            &seed_file,
        ],
        &["tiny"],
    );
    assert!(rows(&out.join("lottery-schools.csv"))[0].contains_key("学校名称"));
}

#[test]
fn projection_documents_are_chinese_by_default_and_english_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(tmp.path(), "tiny", "");
    let zh = tmp.path().join("zh");
    let o = catchment(&["project", s(&scenario), "--out", s(&zh), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = [
        "projection.md",
        "projection.csv",
        "totals.csv",
        "warnings.csv",
    ];
    assert_chinese(&zh, &files, &["tiny"]);
    assert!(rows(&zh.join("totals.csv"))[0].contains_key("年份"));
    let en = tmp.path().join("en");
    let o = catchment(&["project", s(&scenario), "--out", s(&en), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(en.join("projection.md")).unwrap();
    assert!(md.starts_with("# 6-year projection: tiny"), "{md}");
    assert!(rows(&en.join("totals.csv"))[0].contains_key("year"));
}

#[test]
fn site_documents_are_chinese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(tmp.path(), "tiny", "");
    let schools = read_json(&tiny().join("schools.geojson"));
    let first = &schools["features"][0];
    let [x, y] = [0, 1].map(|i| first["geometry"]["coordinates"][i].as_f64().unwrap() + 0.01);
    let candidates = tmp.path().join("sites.geojson");
    std::fs::write(
        &candidates,
        serde_json::json!({"type": "FeatureCollection", "features": [{
            "type": "Feature",
            "properties": {"id": "NEW1", "name": "城北新校", "stage": "primary", "classes_primary": 2},
            "geometry": {"type": "Point", "coordinates": [x, y]},
        }]})
        .to_string(),
    )
    .unwrap();
    let out = tmp.path().join("site");
    let o = catchment(&[
        "site",
        s(&scenario),
        "--candidates",
        s(&candidates),
        "--out",
        s(&out),
        "--lang",
        "zh",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_chinese(
        &out,
        &["add-classes.md", "add-classes.csv", "sites.md", "sites.csv"],
        &["tiny"],
    );
}

#[test]
fn reasons_in_csv_cells_follow_the_language() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny().join("scenario.toml");
    for (lang, full) in [("zh", "均已满额"), ("en", "are full")] {
        let out = tmp.path().join(lang);
        let o = catchment(&["run", s(&scenario), "--out", s(&out), "--lang", lang]);
        assert!(o.status.success(), "{}", stderr(&o));
        let key = if lang == "zh" { "原因" } else { "reason" };
        let unplaced = rows(&out.join("unplaced.csv"));
        assert!(!unplaced.is_empty());
        for row in &unplaced {
            assert!(row[key].contains(full), "{lang}: {row:?}");
        }
        if lang == "zh" {
            for row in rows(&out.join("migrant-placements.csv")) {
                let words = english_words(&row["原因"], &[]);
                assert!(words.is_empty(), "{row:?}");
            }
        }
    }
}

/// The CSV files of an output folder.
fn csv_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".csv"))
        .collect();
    files.sort();
    files
}

#[test]
fn run_tables_hold_chinese_values_and_english_keys_in_en() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(tmp.path(), "tiny", "");
    let mut outs = Vec::new();
    for lang in ["zh", "en"] {
        let out = tmp.path().join(lang);
        let o = catchment(&[
            "run",
            s(&scenario),
            "--out",
            s(&out),
            "--lang",
            lang,
            "--migrant-catchments",
            "separate",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(out);
    }
    let (zh, en) = (&outs[0], &outs[1]);
    let files = csv_files(zh);
    assert!(files.len() >= 5, "{files:?}");
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    assert_chinese(zh, &names, &["tiny"]);
    // The words themselves, in CSV and workbook alike.
    let schools = rows(&zh.join("schools.csv"));
    let kinds: Vec<&str> = schools.iter().map(|r| r["学校类型"].as_str()).collect();
    assert!(kinds.contains(&"九年一贯制"), "{kinds:?}");
    assert!(
        schools
            .iter()
            .all(|r| ["小学", "初中"].contains(&r["学段"].as_str()))
    );
    let lists = rows(&zh.join("catchment-lists.csv"));
    assert!(
        lists.iter().any(|r| r["名单"] == "随迁子女"),
        "{:?}",
        lists[0]
    );
    let sheet = sheet_rows(&zh.join("schools.xlsx"), "学校");
    let header: Vec<&str> = sheet[0].iter().map(string).collect();
    let col = |key: &str| header.iter().position(|h| *h == key).unwrap();
    for row in &sheet[1..] {
        assert!(["小学", "初中"].contains(&string(&row[col("学段")])));
        assert!(["公办", "民办"].contains(&string(&row[col("办学性质")])));
        let pass = &row[col("均衡达标")];
        assert!(
            matches!(pass, Data::Empty) || ["是", "否"].contains(&string(pass)),
            "{pass:?}"
        );
    }
    // English keeps its keys and booleans.
    let schools = rows(&en.join("schools.csv"));
    assert!(schools.iter().any(|r| r["kind"] == "nine_year"));
    assert!(
        schools
            .iter()
            .any(|r| r["balance_pass"] == "true" || r["balance_pass"] == "false")
    );
    let lists = rows(&en.join("catchment-lists.csv"));
    assert!(lists.iter().any(|r| r["list"] == "migrant"));
}

/// compare's change log in a tiny scenario that opens a school and closes
/// another into it.
fn tiny_with_changes(dir: &Path) -> PathBuf {
    tiny_scenario(
        dir,
        "moved",
        "[[add_school]]\nid = \"P9\"\nname = \"城北新校\"\nlocation = [118.0050, 31.0140]\nstage = \"primary\"\nclasses_primary = 3\n\
         [[close_school]]\nid = \"P3\"\nreplaced_by = \"P9\"\n",
    )
}

#[test]
fn compare_change_log_follows_the_language() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tiny_scenario(tmp.path(), "tiny", "");
    let b = tiny_with_changes(tmp.path());
    let zh = tmp.path().join("zh");
    let o = catchment(&["compare", s(&a), s(&b), "--out", s(&zh), "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_chinese(&zh, &["compare.md", "compare.html"], &["tiny", "moved"]);
    let md = std::fs::read_to_string(zh.join("compare.md")).unwrap();
    assert!(
        md.contains("- 新开办 P9 城北新校（小学，公办，小学 3 个班）"),
        "{md}"
    );
    assert!(md.contains("- 撤并 P3 城西小学：其小学施教区和"), "{md}");
    // summary.json keeps the English line machines read.
    let changes = read_json(&zh.join("summary.json"))["b"]["changes"].clone();
    assert_eq!(
        changes[0],
        "opened P9 城北新校 (primary, public, classes_primary 3)"
    );
    let en = tmp.path().join("en");
    let o = catchment(&["compare", s(&a), s(&b), "--out", s(&en), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(en.join("compare.md")).unwrap();
    assert!(
        md.contains("- closed P3 城西小学; its primary catchment and 400 pupils go to P9"),
        "{md}"
    );
}

/// stdout of a command without its `plan HEX` lines (read by scripts).
fn console_words(o: &Output) -> Vec<String> {
    let text: String = stdout(o)
        .lines()
        .filter(|l| !l.starts_with("plan "))
        .map(|l| format!("{l}\n"))
        .collect();
    english_words(&text, &["tiny", "moved"])
}

#[test]
fn end_of_run_lines_follow_the_language() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tiny_scenario(tmp.path(), "tiny", "");
    let b = tiny_with_changes(tmp.path());
    let out = |name: &str| tmp.path().join(name);
    let commands: [Vec<&str>; 5] = [
        vec!["run", s(&a)],
        vec!["compare", s(&a), s(&b)],
        vec!["project", s(&a)],
        vec!["site", s(&a)],
        vec!["lottery", s(&a)],
    ];
    for (i, command) in commands.iter().enumerate() {
        let dir = out(&format!("zh{i}"));
        let mut args = command.clone();
        args.extend(["--out", s(&dir), "--lang", "zh"]);
        let o = catchment(&args);
        assert!(o.status.success(), "{command:?}: {}", stderr(&o));
        let words = console_words(&o);
        assert!(words.is_empty(), "{command:?}: {words:?}\n{}", stdout(&o));
        assert!(stdout(&o).contains("已写入"), "{}", stdout(&o));
        // English as before.
        let dir = out(&format!("en{i}"));
        let mut args = command.clone();
        args.extend(["--out", s(&dir), "--lang", "en"]);
        let o = catchment(&args);
        assert!(o.status.success(), "{command:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("wrote "), "{}", stdout(&o));
    }
}

/// A fontconfig file whose one folder holds a Latin font only: the
/// program then finds no font with Chinese characters, whatever the
/// machine has.
fn latin_fonts_only(dir: &Path) -> PathBuf {
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::copy(
        root().join("assets/fonts/DejaVuSans.ttf"),
        fonts.join("DejaVuSans.ttf"),
    )
    .unwrap();
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir></fontconfig>\n",
            fonts.display()
        ),
    )
    .unwrap();
    conf
}

#[test]
fn charts_have_chinese_words_only_with_a_chinese_font() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tiny_scenario(tmp.path(), "tiny", "");
    let b = tiny_with_changes(tmp.path());
    let zh = catchment::i18n::Lang::Zh;
    let note = catchment::report::chart::missing_chart_font_note(zh).unwrap_or_default();
    let conf = latin_fonts_only(tmp.path());
    // This machine's fonts, whatever they are, then none with Chinese.
    for (name, env, without) in [
        (
            "system",
            vec![],
            catchment::report::chart::missing_chart_font_note(zh).is_some(),
        ),
        ("latin", vec![("FONTCONFIG_FILE", s(&conf))], true),
    ] {
        let out = tmp.path().join(name);
        let o = catchment_env(
            &["compare", s(&a), s(&b), "--out", s(&out), "--lang", "zh"],
            &env,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
        let said = md.contains("fonts-wqy-microhei") && stderr(&o).contains("fonts-wqy-microhei");
        assert_eq!(said, without, "{name}: {md}\n{}", stderr(&o));
        if without && !note.is_empty() {
            assert!(md.contains(&note), "{md}");
        }
        for chart in ["distance.png", "utilization.png"] {
            let bytes = std::fs::read(out.join(chart)).unwrap();
            assert!(bytes.starts_with(b"\x89PNG"), "{chart}");
        }
    }
    // Without a Chinese font the maps say so too, in report.md and on stderr.
    let out = tmp.path().join("run");
    let o = catchment_env(
        &["run", s(&a), "--out", s(&out), "--lang", "zh"],
        &[("FONTCONFIG_FILE", s(&conf))],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("fonts-wqy-microhei"), "{report}");
    assert!(stderr(&o).contains("fonts-wqy-microhei"), "{}", stderr(&o));
    // English charts never need the note.
    assert!(catchment::report::chart::missing_chart_font_note(catchment::i18n::Lang::En).is_none());
}

#[test]
fn documents_name_only_flags_the_program_has() {
    let mut flags = std::collections::BTreeSet::new();
    let commands = [
        "run", "allocate", "compare", "project", "site", "lottery", "serve", "generate", "bench",
    ];
    for command in commands {
        let o = catchment(&[command, "--help"]);
        for word in stdout(&o).split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if word.starts_with("--") {
                flags.insert(word.to_string());
            }
        }
    }
    // cargo's own, in the build and test recipes.
    let cargo = [
        "--release",
        "--test",
        "--features",
        "--nocapture",
        "--ignored",
        "--all",
        "--all-targets",
        "--bench",
        "--example",
    ];
    for file in [
        "README.md",
        "CONTRIBUTING.md",
        "src/i18n/zh.toml",
        "src/i18n/en.toml",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            let Some(name) = word.strip_prefix("--") else {
                continue;
            };
            if name.starts_with(|c: char| c.is_ascii_lowercase())
                && !flags.contains(word)
                && !cargo.contains(&word)
            {
                panic!("{file} names {word}, which is no flag of the program");
            }
        }
    }
}
