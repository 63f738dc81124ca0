//! The officers' map's JSON API, tested over real HTTP on an ephemeral port:
//! every endpoint, each bad request (bad JSON, unknown ids, oversize
//! bodies, locks no plan can meet, path traversal), and that a failed
//! request never changes the loaded plan.

#[path = "e2e/http.rs"]
mod http;
#[path = "support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::root;

use catchment::run::Scenario;
use catchment::serve::{
    BODY_LIMIT, EXPORTS, EXPORTS_DIR, JOURNAL, MANIFEST, SOURCE_HASH, Server, Session, start,
};

use http::{get, page_token, post_json, raw, request, request_as_is};

/// A server on the demo county (3,000 zones) with exports into `out`.
struct Demo {
    server: Option<Server>,
    addr: SocketAddr,
    out: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Demo {
    fn start() -> Demo {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let server = Demo::serve(&out).unwrap();
        Demo {
            addr: server.addr(),
            server: Some(server),
            out,
            _tmp: tmp,
        }
    }

    fn serve(out: &Path) -> Result<Server, catchment::serve::StartError> {
        let scenario = Scenario::load(&root().join("scenarios/baseline.toml")).unwrap();
        let session = Session::from_scenario(&scenario, out.to_path_buf())?;
        Ok(start(session, "127.0.0.1", 0).unwrap())
    }

    /// Stops the server and serves the same scenario and folder again.
    fn restart(mut self) -> Demo {
        self.server.take().unwrap().stop();
        let server = Demo::serve(&self.out).unwrap();
        self.addr = server.addr();
        self.server = Some(server);
        self
    }

    fn plan(&self) -> Value {
        let r = get(self.addr, "/api/plan");
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    fn plan_bytes(&self) -> Vec<u8> {
        get(self.addr, "/api/plan").body
    }

    fn locks(&self, body: Value) -> http::Response {
        post_json(self.addr, "/api/locks", &body)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}

fn zone_school(plan: &Value, stage: &str, zone: usize) -> i64 {
    plan["stages"][stage]["school"][zone].as_i64().unwrap()
}

/// A public primary school near zone 0 other than its own: a pin that
/// surely changes the plan and that seats allow.
fn other_school(d: &Demo, plan: &Value) -> (usize, String) {
    let schools = get(d.addr, "/api/schools").json();
    let zones = get(d.addr, "/api/zones").json();
    let c = &zones["features"][0]["properties"]["centroid"];
    let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
    let current = zone_school(plan, "primary", 0) as usize;
    let figures = plan["stages"]["primary"]["schools"].as_array().unwrap();
    let mut best: Option<(f64, usize)> = None;
    for (i, s) in schools.as_array().unwrap().iter().enumerate() {
        let free = figures.iter().find(|f| f["school"] == i).map_or(0, |f| {
            f["seats"].as_i64().unwrap() - f["intake"].as_i64().unwrap()
        });
        if i == current || s["catchment"]["primary"] != true || free < 10 {
            continue;
        }
        let l = &s["location"];
        let d2 = (l[0].as_f64().unwrap() - x).powi(2) + (l[1].as_f64().unwrap() - y).powi(2);
        if best.is_none_or(|(b, _)| d2 < b) {
            best = Some((d2, i));
        }
    }
    let i = best.unwrap().1;
    (i, schools[i]["id"].as_str().unwrap().to_string())
}

#[test]
fn page_and_bundled_assets_are_served() {
    let d = Demo::start();
    let page = get(d.addr, "/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("Content-Type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().contains("/app.js") && page.text().contains("/app.css"));
    assert!(page.header("Content-Security-Policy").is_some());
    let js = get(d.addr, "/app.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("Content-Type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        js.text().contains("preferCanvas"),
        "the bundle holds the page's code"
    );
    let css = get(d.addr, "/app.css");
    assert_eq!(css.status, 200);
    assert!(
        css.text().contains(".leaflet-container"),
        "Leaflet's CSS is bundled"
    );
    assert_eq!(get(d.addr, "/index.html").body, page.body);
}

#[test]
fn static_files_come_only_from_the_bundle() {
    let d = Demo::start();
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/..%2fCargo.toml",
        "/..\\Cargo.toml",
        "//etc/passwd",
        "/Cargo.toml",
        "/src/main.rs",
        "/web/src/main.js",
        "/web/dist/app.js",
        "/index.html/../../Cargo.toml",
        "/api/export/../Cargo.toml",
        "/api/export/..%2f..%2fCargo.toml",
        "/api/export/%2e%2e/Cargo.toml",
        "/api/export/",
        "/api/export/summary.json/../../../Cargo.toml",
    ] {
        let r = get(d.addr, path);
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        assert!(!r.text().contains("[package]"), "{path} leaked a file");
        assert!(r.json()["error"].is_string(), "{path}");
    }
    // A request line that is not even a path.
    let r = raw(
        d.addr,
        format!(
            "GET ../../Cargo.toml HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            d.addr
        )
        .as_bytes(),
    );
    if let Ok(r) = r {
        assert_ne!(r.status, 200);
        assert!(!r.text().contains("[package]"));
    }
    // Nothing was written by those requests.
    assert!(!d.out.exists());
}

#[test]
fn config_schools_zones_outlines_and_plan() {
    let d = Demo::start();
    let config = get(d.addr, "/api/config").json();
    assert_eq!(config["name"], "baseline");
    assert_eq!(config["zones"], 3000);
    assert_eq!(config["basemap"], Value::Null);
    assert_eq!(config["limits"]["primary"]["class_limit"], 45);
    assert_eq!(config["exports"].as_array().unwrap().len(), EXPORTS.len());

    let schools = get(d.addr, "/api/schools").json();
    assert_eq!(schools.as_array().unwrap().len(), 80);
    assert!(
        schools[0]["color"]["primary"]
            .as_str()
            .unwrap()
            .starts_with('#')
    );

    let zones = get(d.addr, "/api/zones");
    assert_eq!(zones.header("Content-Type"), Some("application/geo+json"));
    let zones = zones.json();
    let features = zones["features"].as_array().unwrap();
    assert_eq!(features.len(), 3000);
    assert_eq!(features[0]["id"], 0);
    assert_eq!(features[0]["properties"]["id"], "Z000001");
    assert!(features[0]["properties"]["name"].as_str().is_some());
    assert_eq!(features[0]["geometry"]["type"], "Polygon");
    assert_eq!(
        features[0]["properties"]["children"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let plan = d.plan();
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["undo"], 0);
    for stage in ["primary", "junior"] {
        let s = &plan["stages"][stage];
        assert_eq!(s["school"].as_array().unwrap().len(), 3000);
        assert_eq!(s["metres"].as_array().unwrap().len(), 3000);
        assert_eq!(plan["summary"]["stages"][stage]["violations"], 0);
        assert_eq!(s["changed_since_start"]["zones"], 0);
        let f = &s["schools"][0];
        for key in [
            "intake",
            "classes",
            "largest_class",
            "seats",
            "utilization",
            "school_total",
            "school_limit",
            "migrant_share",
            "moved_in",
            "indicators",
            "indicator_pass",
            "balance_pass",
            "violations",
        ] {
            assert!(f.get(key).is_some(), "{stage} figures lack {key}");
        }
        let outlines = get(d.addr, &format!("/api/outlines?stage={stage}")).json();
        let n = outlines["features"].as_array().unwrap().len();
        assert_eq!(
            n as u64,
            plan["summary"]["stages"][stage]["schools"]
                .as_u64()
                .unwrap()
        );
    }
    assert!(plan["summary"]["violations"].as_array().unwrap().is_empty());
    // The same state answers the same bytes.
    assert_eq!(d.plan_bytes(), d.plan_bytes());
    let r = get(d.addr, "/api/outlines?stage=middle");
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("stage=primary")
    );
}

#[test]
fn pin_reoptimizes_and_undo_redo_restore() {
    let d = Demo::start();
    let before = d.plan();
    let first = zone_school(&before, "primary", 0);
    let (target, target_id) = other_school(&d, &before);

    let r = d.locks(
        json!({"action": "pin", "zones": ["Z000001"], "school": target_id, "stage": "primary"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let after = r.json();
    assert_eq!(zone_school(&after, "primary", 0), target as i64);
    assert_eq!(after["version"], 2);
    assert_eq!(after["undo"], 1);
    assert_eq!(after["redo"], 0);
    assert_eq!(
        after["locks"],
        json!([{"zone": "Z000001", "school": target_id, "action": "pin", "stage": "primary"}])
    );
    let changed = after["stages"]["primary"]["changed"].as_array().unwrap();
    assert!(
        changed.contains(&json!(0)),
        "the pinned zone is listed as changed"
    );
    assert!(
        after["stages"]["junior"]["changed"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        after["summary"]["violations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Only the outlines of the catchments that changed come along.
    assert_eq!(after["outlines"]["from"], 1);
    let redrawn = after["outlines"]["primary"].as_object().unwrap();
    assert!(redrawn.contains_key(&target.to_string()));
    assert!(redrawn.contains_key(&first.to_string()));
    assert!(redrawn.len() < 20, "{} outlines resent", redrawn.len());
    assert!(after["outlines"]["junior"].as_object().unwrap().is_empty());
    // GET answers the same plan as the POST did.
    let mut got = d.plan();
    let mut posted = after.clone();
    posted.as_object_mut().unwrap().remove("outlines");
    got.as_object_mut().unwrap().remove("outlines");
    assert_eq!(got, posted);

    let r = post_json(d.addr, "/api/undo", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    let undone = r.json();
    assert_eq!(zone_school(&undone, "primary", 0), first);
    assert_eq!(undone["locks"], json!([]));
    assert_eq!(
        (undone["undo"].as_u64(), undone["redo"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(
        undone["stages"]["primary"]["school"],
        before["stages"]["primary"]["school"]
    );
    assert_eq!(
        undone["stages"]["primary"]["changed_since_start"]["zones"],
        0
    );

    let r = post_json(d.addr, "/api/redo", &json!({}));
    assert_eq!(r.status, 200);
    let redone = r.json();
    assert_eq!(zone_school(&redone, "primary", 0), target as i64);
    assert_eq!(
        redone["stages"]["primary"]["school"],
        after["stages"]["primary"]["school"]
    );
    assert_eq!(
        (redone["undo"].as_u64(), redone["redo"].as_u64()),
        (Some(1), Some(0))
    );

    let r = post_json(d.addr, "/api/redo", &json!({}));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "nothing to redo");
    post_json(d.addr, "/api/undo", &json!({}));
    let r = post_json(d.addr, "/api/undo", &json!({}));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "nothing to undo");
}

#[test]
fn forbid_then_release_returns_to_the_first_plan() {
    let d = Demo::start();
    let before = d.plan();
    let first = zone_school(&before, "primary", 0);
    let schools = get(d.addr, "/api/schools").json();
    let first_id = schools[first as usize]["id"].as_str().unwrap();

    let r = d.locks(
        json!({"action": "forbid", "zones": ["Z000001"], "school": first_id, "stage": "primary"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_ne!(zone_school(&p, "primary", 0), first);
    assert_eq!(p["locks"][0]["action"], "forbid");

    // A pin of the forbidden school replaces the forbid: the latest word wins.
    let r = d.locks(
        json!({"action": "pin", "zones": ["Z000001"], "school": first_id, "stage": "primary"}),
    );
    assert_eq!(r.status, 200);
    let p = r.json();
    assert_eq!(p["locks"].as_array().unwrap().len(), 1);
    assert_eq!(p["locks"][0]["action"], "pin");

    let r = d.locks(json!({"action": "release", "zones": ["Z000001"]}));
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_eq!(p["locks"], json!([]));
    // Same locks as at the start: the same plan (allocation is deterministic).
    assert_eq!(
        p["stages"]["primary"]["school"],
        before["stages"]["primary"]["school"]
    );
    assert_eq!(
        p["stages"]["junior"]["school"],
        before["stages"]["junior"]["school"]
    );
    assert_eq!(p["undo"], 3);

    // Releasing what is not locked changes nothing and adds no undo step.
    let r = d.locks(json!({"action": "release", "zones": ["Z000002"], "stage": "junior"}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["undo"], 3);
    assert_eq!(r.json()["version"], p["version"]);
}

#[test]
fn a_lock_that_breaks_a_limit_is_refused_and_the_plan_stays() {
    let d = Demo::start();
    let before = d.plan_bytes();
    let zones: Vec<String> = (1..=400).map(|i| format!("Z{i:06}")).collect();
    let r = d.locks(json!({"action": "pin", "zones": zones, "school": "P001", "stage": "primary"}));
    assert_eq!(r.status, 409, "{}", r.text());
    let e = r.json();
    assert!(
        e["error"].as_str().unwrap().contains("cannot all be met"),
        "{e}"
    );
    let s = &e["shortages"][0];
    assert_eq!(s["school"], "P001");
    assert_eq!(s["school_index"], 0);
    assert_eq!(s["stage"], "primary");
    assert!(s["short"].as_u64().unwrap() > 0);
    assert_eq!(
        s["short"].as_u64().unwrap(),
        s["needed"].as_u64().unwrap() - s["seats"].as_u64().unwrap()
    );
    assert_eq!(
        d.plan_bytes(),
        before,
        "a refused lock leaves the plan as it was"
    );
}

#[test]
fn bad_requests_are_named_and_change_nothing() {
    let d = Demo::start();
    let before = d.plan_bytes();
    let bad = |body: &[u8], status: u16, needle: &str| {
        let r = request(
            d.addr,
            "POST",
            "/api/locks",
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(
            r.status,
            status,
            "{}: {}",
            String::from_utf8_lossy(body),
            r.text()
        );
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    };
    bad(
        b"{\"action\": \"pin\", \"zones\": [",
        400,
        "bad request body",
    );
    bad(b"not json", 400, "bad request body");
    bad(b"", 400, "bad request body");
    bad(b"[1, 2]", 400, "bad request body");
    bad(
        br#"{"action": "move", "zones": ["Z000001"], "school": "P001"}"#,
        400,
        "unknown variant `move`",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001"], "school": "P001", "colour": "red"}"#,
        400,
        "unknown field `colour`",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001"], "school": "P001", "stage": "senior"}"#,
        400,
        "unknown variant `senior`",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001", "Z999999"], "school": "P001"}"#,
        400,
        "zone \"Z999999\" is not in the zones file",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001"], "school": "P999"}"#,
        400,
        "school \"P999\" is not in the schools file",
    );
    bad(
        br#"{"action": "release", "zones": ["Z000001"], "school": "P999"}"#,
        400,
        "school \"P999\" is not in the schools file",
    );
    bad(
        br#"{"action": "pin", "zones": [], "school": "P001"}"#,
        400,
        "`zones` is empty",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001"]}"#,
        400,
        "`school` is missing",
    );
    // Known ids, but a pin no rule allows.
    bad(
        br#"{"action": "pin", "zones": ["Z000001"], "school": "P042", "stage": "primary"}"#,
        422,
        "takes no primary catchment",
    );
    bad(
        br#"{"action": "pin", "zones": ["Z000001"], "school": "P001", "stage": "junior"}"#,
        422,
        "takes no junior catchment",
    );
    // Wrong methods and unknown routes.
    let r = get(d.addr, "/api/locks");
    assert_eq!(r.status, 405);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("expected POST")
    );
    let r = post_json(d.addr, "/api/plan", &json!({}));
    assert_eq!(r.status, 405);
    let r = request(d.addr, "DELETE", "/api/locks", &[], b"");
    assert_eq!(r.status, 405);
    assert_eq!(get(d.addr, "/api/nothing").status, 404);
    assert_eq!(d.plan_bytes(), before, "no bad request changed the plan");
}

#[test]
fn oversize_bodies_get_413() {
    let d = Demo::start();
    let before = d.plan_bytes();
    // Announced too large: refused before reading.
    let r = raw(
        d.addr,
        format!(
            "POST /api/locks HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
            d.addr,
            BODY_LIMIT + 1
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("over the limit")
    );
    // Without a length (chunked): refused, whatever its size.
    let body = vec![b' '; BODY_LIMIT + 10];
    let mut req = format!(
        "POST /api/locks HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        d.addr,
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    let r = raw(d.addr, &req).unwrap();
    assert_eq!(r.status, 411, "{}", r.text());
    // Exactly at the limit is read (and then judged on its content).
    let mut at_limit = br#"{"action": "release", "zones": ["Z000001"]}"#.to_vec();
    at_limit.resize(BODY_LIMIT, b' ');
    let r = request(
        d.addr,
        "POST",
        "/api/locks",
        &[("Content-Type", "application/json")],
        &at_limit,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(d.plan_bytes(), before);
}

#[test]
fn export_writes_the_folder_and_serves_every_file() {
    let d = Demo::start();
    let (_, target_id) = other_school(&d, &d.plan());
    let r = d.locks(
        json!({"action": "pin", "zones": ["Z000001"], "school": target_id, "stage": "primary"}),
    );
    assert_eq!(r.status, 200);
    // Nothing is exported until asked for: a GET never writes.
    let r = get(d.addr, "/api/export/report.md");
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("POST /api/export")
    );
    let r = post_json(d.addr, "/api/export", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    let listing = r.json();
    let folder = PathBuf::from(listing["folder"].as_str().unwrap());
    assert_eq!(folder.parent().unwrap(), d.out.join(EXPORTS_DIR));
    assert_eq!(listing["files"].as_array().unwrap().len(), EXPORTS.len());
    for (name, media) in EXPORTS {
        let r = get(d.addr, &format!("/api/export/{name}"));
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some(media), "{name}");
        assert_eq!(
            r.header("Content-Disposition"),
            Some(format!("attachment; filename=\"{name}\"").as_str())
        );
        assert!(!r.body.is_empty(), "{name}");
        assert_eq!(r.body, std::fs::read(folder.join(name)).unwrap(), "{name}");
    }
    let locks = get(d.addr, "/api/export/locks.csv").text();
    assert!(
        locks.contains(&format!("Z000001,{target_id},pin,primary")),
        "{locks}"
    );
    let summary: Value = get(d.addr, "/api/export/summary.json").json();
    assert_eq!(summary["stages"]["primary"]["violations"], 0);
    let lists = get(d.addr, "/api/export/catchment-lists.csv").text();
    // Chinese by default: the stage as the bureau writes it.
    assert!(lists.contains(&format!("小学,{target_id},")), "{lists}");
    // Exporting the same plan again makes no second folder.
    let again = post_json(d.addr, "/api/export", &json!({})).json();
    assert_eq!(again["folder"], listing["folder"]);
    // Nothing but the output folder was left beside it.
    let parent = d.out.parent().unwrap();
    let entries: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(entries, vec!["out".to_string()]);
    let r = get(d.addr, "/api/export/secrets.txt");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("report.md"));
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn exports_keep_the_officers_files_and_every_earlier_export() {
    let d = Demo::start();
    std::fs::create_dir_all(d.out.join("signed")).unwrap();
    std::fs::write(d.out.join("my-notes.txt"), "mine").unwrap();
    std::fs::write(d.out.join("signed/approved.pdf"), "%PDF signed").unwrap();
    let first = post_json(d.addr, "/api/export", &json!({}));
    assert_eq!(first.status, 200, "{}", first.text());
    let (_, target_id) = other_school(&d, &d.plan());
    let r = d.locks(json!({"action": "pin", "zones": ["Z000001"], "school": target_id}));
    assert_eq!(r.status, 200);
    let second = post_json(d.addr, "/api/export", &json!({}));
    assert_eq!(second.status, 200, "{}", second.text());
    assert_ne!(first.json()["folder"], second.json()["folder"]);
    assert_eq!(
        std::fs::read_to_string(d.out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(d.out.join("signed/approved.pdf")).unwrap(),
        "%PDF signed"
    );
    // The first export is as it was: no locks; the second has the pin.
    let locks_of = |r: &http::Response| {
        let folder = PathBuf::from(r.json()["folder"].as_str().unwrap());
        std::fs::read_to_string(folder.join("locks.csv")).unwrap()
    };
    assert!(!locks_of(&first).contains(",pin,"));
    assert!(locks_of(&second).contains(",pin,"));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(d.out.join(EXPORTS_DIR).join(MANIFEST)).unwrap())
            .unwrap();
    let listed = manifest["exports"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["version"], 2);
    assert_eq!(listed[1]["edits"], 1);
    assert!(
        listed[1]["files"]
            .as_array()
            .unwrap()
            .contains(&json!("locks.csv"))
    );
    // Ours: the journal, the exports and their manifest; nothing else
    // changed.
    let files = tree(&d.out);
    let foreign: Vec<&String> = files
        .iter()
        .filter(|f| !(f.starts_with("exports/") || *f == JOURNAL))
        .collect();
    assert_eq!(foreign, ["my-notes.txt", "signed/approved.pdf"]);
}

#[test]
fn a_get_never_writes() {
    let d = Demo::start();
    // What an <img> on any website sends, and every other GET.
    for (name, _) in EXPORTS {
        let r = request_as_is(
            d.addr,
            "GET",
            &format!("/api/export/{name}"),
            &[
                ("Origin", "http://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
            b"",
        );
        assert_eq!(r.status, 409, "{name}: {}", r.text());
    }
    for path in [
        "/",
        "/api/config",
        "/api/plan",
        "/api/history",
        "/api/zones",
        "/api/schools",
        "/api/outlines?stage=primary",
        "/api/outlines?stage=junior&of=today",
        "/api/locks",
        "/api/export",
        "/favicon.ico",
    ] {
        get(d.addr, path);
    }
    assert!(!d.out.exists(), "a GET wrote {:?}", tree(&d.out));
}

#[test]
fn a_post_needs_the_media_type_and_the_session_token() {
    let d = Demo::start();
    let before = d.plan_bytes();
    let token = page_token(d.addr);
    let body = br#"{"action": "release", "zones": ["Z000001"]}"#;
    let post = |path: &str, headers: &[(&str, &str)], body: &[u8]| {
        request_as_is(d.addr, "POST", path, headers, body)
    };
    // JSON sent as text/plain (what a cross-site form can send).
    let r = post(
        "/api/locks",
        &[
            ("Content-Type", "text/plain"),
            ("X-Catchment-Token", &token),
        ],
        body,
    );
    assert_eq!(r.status, 415, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    let r = post("/api/locks", &[("X-Catchment-Token", &token)], body);
    assert_eq!(r.status, 415, "{}", r.text());
    // An import is CSV, and only CSV.
    let r = post(
        "/api/import",
        &[
            ("Content-Type", "application/json"),
            ("X-Catchment-Token", &token),
        ],
        b"zone,school\n",
    );
    assert_eq!(r.status, 415, "{}", r.text());
    // No token, a wrong one, a cross-site fetch.
    let r = post("/api/locks", &[("Content-Type", "application/json")], body);
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("X-Catchment-Token")
    );
    let r = post(
        "/api/export",
        &[
            ("Content-Type", "application/json"),
            ("X-Catchment-Token", "0123456789abcdef0123456789abcdef"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = post(
        "/api/locks",
        &[
            ("Content-Type", "application/json"),
            ("X-Catchment-Token", &token),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        body,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    // The page's own request goes through.
    let r = post(
        "/api/locks",
        &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-Catchment-Token", &token),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(d.plan_bytes(), before);
    assert!(!d.out.exists(), "a refused POST wrote something");
}

#[test]
fn network_mode_needs_the_access_token() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Scenario::load(&root().join("scenarios/baseline.toml")).unwrap();
    let session = Session::from_scenario(&scenario, tmp.path().join("out")).unwrap();
    let server = start(session, "0.0.0.0", 0).unwrap();
    let token = server
        .access_token()
        .expect("a token on the network")
        .to_string();
    let url = server.url();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with(&format!("/?token={token}")),
        "{url}"
    );
    let addr: SocketAddr = format!("127.0.0.1:{}", server.addr().port())
        .parse()
        .unwrap();
    // Without the token: nothing, whatever the Host and Origin.
    for path in ["/", "/api/plan", "/api/zones", "/api/export/locks.csv"] {
        let r = request_as_is(addr, "GET", path, &[("Origin", "http://evil.example")], b"");
        assert_eq!(r.status, 401, "{path}: {}", r.text());
    }
    let r = raw(
        addr,
        b"POST /api/export HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
    let r = get(addr, "/?token=wrong");
    assert_eq!(r.status, 401);
    // The printed URL sets the cookie and sends the browser on without
    // the token in the address.
    let r = get(addr, &format!("/?token={token}"));
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("Location"), Some("/"));
    let cookie = r.header("Set-Cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let cookie = cookie.split(';').next().unwrap().to_string();
    let r = request_as_is(addr, "GET", "/api/plan", &[("Cookie", &cookie)], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    // With the cookie, a POST still needs the page's session token.
    let page = request_as_is(addr, "GET", "/", &[("Cookie", &cookie)], b"").text();
    let session_token = page
        .split_once(r#"name="catchment-token" content=""#)
        .unwrap()
        .1
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = request_as_is(
        addr,
        "POST",
        "/api/undo",
        &[("Cookie", &cookie), ("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = request_as_is(
        addr,
        "POST",
        "/api/undo",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/json"),
            ("X-Catchment-Token", &session_token),
        ],
        b"{}",
    );
    assert_eq!(r.status, 409, "nothing to undo yet: {}", r.text());
    server.stop();
}

#[test]
fn the_binary_on_the_network_prints_a_usable_url_or_refuses_without_auth() {
    let out = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
        .arg("serve")
        .arg(root().join("scenarios/baseline.toml"))
        .args(["--host", "0.0.0.0", "--port", "0", "--out"])
        .arg(out.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let url = line
        .trim()
        .strip_prefix("serving the officers' map at ")
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.contains("0.0.0.0"), "{url}");
    let token = url.split_once("?token=").unwrap().1;
    assert_eq!(token.len(), 32, "{url}");
    // --insecure-no-auth is refused where it means nothing.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
        .arg("serve")
        .arg(root().join("scenarios/baseline.toml"))
        .args(["--port", "0", "--insecure-no-auth"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--insecure-no-auth"));
}

#[test]
fn a_busy_port_fails_at_once() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
        .arg("serve")
        .arg(root().join("scenarios/baseline.toml"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot listen") && err.contains("--port"),
        "{err}"
    );
    // Refused before the plan is made (the demo takes longer to plan).
    assert!(!err.contains("making its plan"), "{err}");
}

#[test]
fn import_locks_and_zone_lists() {
    let d = Demo::start();
    let start = d.plan();
    let (target, target_id) = other_school(&d, &start);
    let r = d.locks(
        json!({"action": "pin", "zones": ["Z000001"], "school": target_id, "stage": "primary"}),
    );
    assert_eq!(r.status, 200);
    let pinned = r.json();
    post_json(d.addr, "/api/export", &json!({}));
    let locks_csv = get(d.addr, "/api/export/locks.csv").body;
    let lists_csv = get(d.addr, "/api/export/catchment-lists.csv").body;

    // Back to no locks, then the exported locks.csv brings the pin back.
    assert_eq!(post_json(d.addr, "/api/undo", &json!({})).status, 200);
    let import = |body: &[u8]| {
        request(
            d.addr,
            "POST",
            "/api/import",
            &[("Content-Type", "text/csv")],
            body,
        )
    };
    let r = import(&locks_csv);
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_eq!(zone_school(&p, "primary", 0), target as i64);
    assert_eq!(p["locks"], pinned["locks"]);
    assert_eq!(
        p["stages"]["primary"]["school"],
        pinned["stages"]["primary"]["school"]
    );

    // A zone -> school list (someone's catchment-lists.csv) pins every zone
    // to its school: the plan under review is reproduced exactly.
    let r = import(&lists_csv);
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_eq!(p["locks"].as_array().unwrap().len(), 6000);
    for stage in ["primary", "junior"] {
        assert_eq!(
            p["stages"][stage]["school"],
            pinned["stages"][stage]["school"]
        );
        assert_eq!(p["summary"]["stages"][stage]["violations"], 0);
    }
    let r = import(b"zone,school\nZ000002,P011\n");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["locks"].as_array().unwrap().len(), 1);

    let before = d.plan_bytes();
    for (body, status, needle) in [
        (&b"a,b\n1,2\n"[..], 400, "the header is \"a,b\""),
        (
            b"zone,school,action\nZ000001,P011,pin\nZ999999,P011,pin\n",
            400,
            "line 3: zone \"Z999999\" is not in the zones file",
        ),
        (
            b"zone,school,action\nZ000001,P999,pin\n",
            400,
            "line 2: school \"P999\"",
        ),
        (
            b"zone,school,action\nZ000001,P011,keep\n",
            422,
            "expected \"pin\" or \"forbid\"",
        ),
        (
            b"zone,school,action,stage\nZ000001,P042,pin,primary\n",
            422,
            "takes no primary catchment",
        ),
        (
            b"zone,school\nZ000001,P011\nZ000001,P016\n",
            422,
            "already pinned",
        ),
        (b"\xff\xfe", 400, "not UTF-8"),
    ] {
        let r = import(body);
        assert_eq!(
            r.status,
            status,
            "{}: {}",
            String::from_utf8_lossy(body),
            r.text()
        );
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    }
    // Pinning every zone to one school overfills it: 409 with the shortage.
    let mut all = String::from("zone,school,stage\n");
    for i in 1..=3000 {
        all.push_str(&format!("Z{i:06},P001,primary\n"));
    }
    let r = import(all.as_bytes());
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["shortages"][0]["school"], "P001");
    assert_eq!(d.plan_bytes(), before, "failed imports change nothing");
}

#[test]
fn requests_from_other_sites_are_refused() {
    let d = Demo::start();
    let before = d.plan_bytes();
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1.
    let r = raw(
        d.addr,
        b"GET /api/plan HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].as_str().unwrap().contains("loopback"));
    // A form or fetch from another origin.
    let r = request(
        d.addr,
        "POST",
        "/api/locks",
        &[
            ("Origin", "http://evil.example"),
            ("Content-Type", "application/json"),
        ],
        br#"{"action": "release", "zones": ["Z000001"]}"#,
    );
    assert_eq!(r.status, 403);
    // The page's own origin is fine.
    let origin = format!("http://{}", d.addr);
    let r = request(
        d.addr,
        "POST",
        "/api/undo",
        &[
            ("Origin", origin.as_str()),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let r = raw(
        d.addr,
        format!(
            "GET /api/config HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            d.addr.port()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(d.plan_bytes(), before);
}

/// FNV-1a (64 bits) over "path\n<length>\n<bytes>" of each source file in
/// path order: the same as web/build.mjs writes to web/dist/SOURCE_HASH.
fn web_source_hash(web: &Path) -> String {
    let mut files: Vec<String> = [
        "build.mjs",
        "favicon.svg",
        "index.html",
        "package-lock.json",
        "package.json",
        "style.css",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for e in std::fs::read_dir(web.join("src")).unwrap() {
        files.push(format!(
            "src/{}",
            e.unwrap().file_name().into_string().unwrap()
        ));
    }
    files.sort();
    let mut h: u64 = 0xcbf29ce484222325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    };
    for f in files {
        let bytes = std::fs::read(web.join(&f)).unwrap();
        feed(format!("{f}\n{}\n", bytes.len()).as_bytes());
        feed(&bytes);
    }
    format!("fnv1a64:{h:016x}\n")
}

#[test]
fn the_bundled_page_is_built_from_the_current_sources() {
    let web = root().join("web");
    let on_disk = std::fs::read_to_string(web.join("dist/SOURCE_HASH")).unwrap();
    assert_eq!(
        web_source_hash(&web),
        on_disk,
        "web/dist is older than web/src: rebuild it with `cd web && npm ci && npm run build`"
    );
    assert_eq!(
        SOURCE_HASH, on_disk,
        "the binary embeds another web/dist than the one on disk: rebuild the crate"
    );
}

#[test]
fn the_binary_serves_and_prints_its_url() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
        .args(["serve", "scenarios/baseline.toml", "--port", "0", "--out"])
        .arg(tmp.path().join("out"))
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("serving the officers' map at ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let config = get(addr, "/api/config");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(config.status, 200);
    assert_eq!(config.json()["name"], "baseline");
}

/// A scenario over the tiny county with `extra` appended; the error of
/// loading it, or of starting its session, as text.
fn basemap_scenario(dir: &Path, extra: &str) -> Result<Session, String> {
    let path = dir.join("s.toml");
    std::fs::write(
        &path,
        format!(
            "zones = \"{}\"\nschools = \"{}\"\n{extra}",
            support::tiny().join("zones.geojson").display(),
            support::tiny().join("schools.geojson").display()
        ),
    )
    .unwrap();
    let scenario = Scenario::load(&path).map_err(|e| e.to_string())?;
    Session::from_scenario(&scenario, dir.join("out")).map_err(|e| e.to_string())
}

#[test]
fn a_scenario_basemap_reaches_the_page_and_a_bad_one_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let amap = "[basemap]\nurl = \"https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}\"\ncrs = \"gcj02\"\nsubdomains = \"1234\"\nattribution = \"高德地图\"\n";
    let session = basemap_scenario(tmp.path(), amap).unwrap();
    assert_eq!(
        session.config()["basemap"],
        json!({
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
            "crs": "gcj02",
            "attribution": "高德地图",
            "subdomains": ["1", "2", "3", "4"],
            "max_zoom": 18,
        })
    );
    let err = |extra: &str| basemap_scenario(tmp.path(), extra).err().unwrap();
    let bad = err("[basemap]\nurl = \"file:///etc/passwd\"\n");
    assert!(
        bad.contains("s.toml") && bad.contains("url = \"file:///etc/passwd\""),
        "{bad}"
    );
    let baidu = err("[basemap]\nurl = \"https://a.org/{z}/{x}/{y}\"\ncrs = \"bd09\"\n");
    assert!(
        baidu.contains("crs = \"bd09\"") && baidu.contains("Baidu"),
        "{baidu}"
    );
    let old = err("tiles = \"https://a.org/{z}/{x}/{y}\"\n");
    assert!(old.contains("[basemap] url"), "{old}");
    // The key is never in the scenario: the variable it names must be set.
    let unset = err(
        "[basemap]\nurl = \"https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}\"\nsubdomains = \"01234567\"\nkey_env = \"CATCHMENT_TEST_UNSET_TIANDITU_KEY\"\n",
    );
    assert!(
        unset.contains("s.toml") && unset.contains("CATCHMENT_TEST_UNSET_TIANDITU_KEY is not set"),
        "{unset}"
    );
}

/// The page may load images from the basemap's tile host and nowhere else;
/// offline (no basemap) from no other host at all.
#[test]
fn the_page_policy_allows_the_tile_host_only_when_a_basemap_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let csp = |extra: &str| {
        let session = basemap_scenario(tmp.path(), extra).unwrap();
        let server = start(session, "127.0.0.1", 0).unwrap();
        let page = get(server.addr(), "/");
        server.stop();
        page.header("Content-Security-Policy").unwrap().to_string()
    };
    let offline = csp("");
    assert!(offline.contains("img-src 'self' data:;"), "{offline}");
    assert!(!offline.contains("http"), "{offline}");
    let online = csp("[basemap]\nurl = \"https://tiles.example.org/{z}/{x}/{y}.png\"\n");
    assert!(
        online.contains("img-src 'self' data: https://tiles.example.org;"),
        "{online}"
    );
    assert_eq!(online.matches("http").count(), 1, "{online}");
}

/// The tiny county moved to Hangzhou (its first school by West Lake), as
/// GeoJSON files in `dir`, WGS84.
fn hangzhou_county(dir: &Path) -> (PathBuf, PathBuf) {
    fn shift(v: &mut Value) {
        match v {
            Value::Array(a) if a.len() == 2 && a.iter().all(Value::is_f64) => {
                let (x, y) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                *v = json!([x + 2.155, y - 0.73]);
            }
            Value::Array(a) => a.iter_mut().for_each(shift),
            _ => {}
        }
    }
    let moved = |name: &str| {
        let mut fc = support::read_json(&support::tiny().join(name));
        for f in fc["features"].as_array_mut().unwrap() {
            shift(&mut f["geometry"]["coordinates"]);
        }
        let path = dir.join(name);
        std::fs::write(&path, fc.to_string()).unwrap();
        path
    };
    (moved("zones.geojson"), moved("schools.geojson"))
}

/// Every position a page gets over the API, in order: zone rings,
/// centroids and inside points, school locations, outlines, today's
/// outlines and one route.
fn positions(addr: SocketAddr) -> Vec<[f64; 2]> {
    fn collect(v: &Value, out: &mut Vec<[f64; 2]>) {
        match v {
            Value::Array(a) if a.len() == 2 && a.iter().all(Value::is_f64) => {
                out.push([a[0].as_f64().unwrap(), a[1].as_f64().unwrap()])
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let zones = get(addr, "/api/zones").json();
    for f in zones["features"].as_array().unwrap() {
        collect(&f["geometry"]["coordinates"], &mut out);
        collect(&f["properties"]["centroid"], &mut out);
        collect(&f["properties"]["inside"], &mut out);
    }
    for s in get(addr, "/api/schools").json().as_array().unwrap() {
        collect(&s["location"], &mut out);
    }
    for path in [
        "/api/outlines?stage=primary",
        "/api/outlines?stage=junior&of=today",
        "/api/route?zone=Z001&stage=primary",
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v = r.json();
        match v["features"].as_array() {
            Some(fs) => fs
                .iter()
                .for_each(|f| collect(&f["geometry"]["coordinates"], &mut out)),
            None => collect(&v["geometry"]["coordinates"], &mut out),
        }
    }
    out
}

/// With an Amap basemap (GCJ-02) every position the page draws is the
/// WGS84 one shifted to GCJ-02: in Hangzhou about 500 m, so schools and
/// compounds sit on Amap's streets; the plan is the same.
#[test]
fn with_an_amap_basemap_every_position_the_page_gets_is_gcj02() {
    use catchment::spatial::Crs;
    let tmp = tempfile::tempdir().unwrap();
    let (zones, schools) = hangzhou_county(tmp.path());
    let serve = |name: &str, extra: &str| {
        let path = tmp.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "zones = \"{}\"\nschools = \"{}\"\n{extra}",
                zones.display(),
                schools.display()
            ),
        )
        .unwrap();
        let scenario = Scenario::load(&path).unwrap();
        let session = Session::from_scenario(&scenario, tmp.path().join(name)).unwrap();
        start(session, "127.0.0.1", 0).unwrap()
    };
    let plain = serve("plain", "");
    let amap = serve(
        "amap",
        "[basemap]\nurl = \"http://127.0.0.1:9/{z}/{x}/{y}.png\"\ncrs = \"gcj02\"\n",
    );
    let (wgs84, gcj02) = (positions(plain.addr()), positions(amap.addr()));
    assert_eq!(wgs84.len(), gcj02.len());
    assert!(wgs84.len() > 150, "{}", wgs84.len());
    for (w, g) in wgs84.iter().zip(&gcj02) {
        let (x, y) = Crs::Gcj02.from_wgs84(w[0], w[1]);
        assert!(
            (x - g[0]).abs() < 2e-6 && (y - g[1]).abs() < 2e-6,
            "{w:?} drawn at {g:?}, expected ({x}, {y})"
        );
    }
    // The first school, by West Lake: the known offset of GCJ-02 there.
    let school = |addr| get(addr, "/api/schools").json()[0]["location"].clone();
    let (w, g) = (school(plain.addr()), school(amap.addr()));
    assert_eq!(w, json!([120.1595, 30.2745]));
    let metres = catchment::spatial::Distances::straight_metres(
        geo::Point::new(w[0].as_f64().unwrap(), w[1].as_f64().unwrap()),
        geo::Point::new(g[0].as_f64().unwrap(), g[1].as_f64().unwrap()),
    );
    assert!((450..=600).contains(&metres), "{metres} m");
    // Drawn elsewhere, planned the same: the plan sends no positions.
    let plan = |addr| {
        let mut p = get(addr, "/api/plan").json();
        p.as_object_mut().unwrap().remove("seconds");
        p["stages"].clone()
    };
    assert_eq!(plan(plain.addr()), plan(amap.addr()));
    plain.stop();
    amap.stop();
}

/// What a restart must bring back: the plan, the locks, the version and
/// the undo / redo steps (not the timings).
fn lasting(plan: &Value) -> Value {
    json!({
        "version": plan["version"],
        "undo": plan["undo"],
        "redo": plan["redo"],
        "locks": plan["locks"],
        "edits": plan["edits"],
        "primary": plan["stages"]["primary"]["school"],
        "junior": plan["stages"]["junior"]["school"],
        "metres": plan["stages"]["primary"]["metres"],
        "summary": plan["summary"]["stages"],
    })
}

#[test]
fn a_restart_on_the_same_folder_replays_every_edit() {
    let d = Demo::start();
    let start_plan = d.plan();
    let (_, target) = other_school(&d, &start_plan);
    let pin = |zones: &[&str]| {
        let r =
            d.locks(json!({"action": "pin", "zones": zones, "school": target, "stage": "primary"}));
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    pin(&["Z000001"]);
    let after_two = pin(&["Z000002"]);
    let r = d.locks(json!({"action": "forbid", "zones": ["Z000003"], "school": target}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(post_json(d.addr, "/api/undo", &json!({})).status, 200);
    let r = request(
        d.addr,
        "POST",
        "/api/import",
        &[("Content-Type", "text/csv")],
        format!(
            "zone,school,action,stage\nZ000004,{target},pin,primary\nZ000001,{target},pin,primary\n"
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(post_json(d.addr, "/api/undo", &json!({})).status, 200);
    assert_eq!(post_json(d.addr, "/api/redo", &json!({})).status, 200);
    let before = d.plan();
    let history = get(d.addr, "/api/history").json();
    assert_eq!(history["edits"].as_array().unwrap().len(), 7);
    assert_eq!(history["edits"][0]["action"], "redo", "newest first");
    assert_eq!(history["edits"][6]["action"], "pin");
    assert_eq!(history["edits"][6]["school"], json!(target));

    let d = d.restart();
    let after = d.plan();
    assert_eq!(lasting(&after), lasting(&before));
    assert_eq!(
        get(d.addr, "/api/history").json()["edits"],
        history["edits"]
    );
    // The undo steps come back too; their plans are made again, the same.
    let r = post_json(d.addr, "/api/undo", &json!({}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["locks"], after_two["locks"]);
    assert_eq!(
        r.json()["stages"]["primary"]["school"],
        after_two["stages"]["primary"]["school"]
    );
    // A new edit after a restart goes on the same journal.
    assert_eq!(post_json(d.addr, "/api/undo", &json!({})).status, 200);
    let d = d.restart();
    assert_eq!(d.plan()["edits"], 9);

    // Another scenario's plan is not replayed onto this folder's edits.
    let other = Scenario::load(&root().join("scenarios/new-school.toml")).unwrap();
    let e = Session::from_scenario(&other, d.out.clone())
        .err()
        .expect("refused");
    let e = e.to_string();
    assert!(
        e.contains("edits.jsonl") && e.contains("other inputs") && e.contains("--out"),
        "{e}"
    );
}

/// `catchment serve` as a child process on a free port.
struct Running {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Running {
    fn start(out: &Path) -> Running {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_catchment"))
            .args(["serve", "scenarios/baseline.toml", "--port", "0", "--out"])
            .arg(out)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("serving the officers' map at ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Running { child, addr }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_kill_during_an_edit_loses_at_most_that_edit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = Running::start(&out);
    let plan = get(s.addr, "/api/plan").json();
    let school = |z: usize| plan["stages"]["primary"]["school"][z].as_u64().unwrap() as usize;
    let schools = get(s.addr, "/api/schools").json();
    let id = |z: usize| schools[school(z)]["id"].as_str().unwrap().to_string();
    // Each acknowledged edit pins one more compound to its school.
    let mut acknowledged = Value::Null;
    for z in 0..6 {
        let r = post_json(
            s.addr,
            "/api/locks",
            &json!({"action": "pin", "zones": [format!("Z{:06}", z + 1)], "school": id(z), "stage": "primary"}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        acknowledged = r.json()["locks"].clone();
    }
    // The seventh is in flight when the process is killed (SIGKILL).
    let addr = s.addr;
    let body = json!({"action": "pin", "zones": ["Z000007"], "school": id(6), "stage": "primary"});
    let token = page_token(addr);
    let in_flight = std::thread::spawn(move || {
        request_as_is(
            addr,
            "POST",
            "/api/locks",
            &[
                ("Content-Type", "application/json"),
                ("X-Catchment-Token", &token),
            ],
            body.to_string().as_bytes(),
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    drop(s);
    let _ = in_flight.join();

    let s = Running::start(&out);
    let plan = get(s.addr, "/api/plan").json();
    let locks = plan["locks"].as_array().unwrap();
    for l in acknowledged.as_array().unwrap() {
        assert!(locks.contains(l), "acknowledged lock {l} lost");
    }
    assert!(
        locks.len() == 6 || locks.len() == 7,
        "{} locks after the restart",
        locks.len()
    );
    assert_eq!(plan["edits"], locks.len());
}

#[test]
fn twenty_slow_uploads_do_not_delay_the_plan() {
    use std::io::Write;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let d = Demo::start();
    let addr = d.addr;
    let median_get = || {
        let mut t: Vec<Duration> = (0..7)
            .map(|_| {
                let t = Instant::now();
                let r = get(addr, "/api/plan");
                assert_eq!(r.status, 200);
                t.elapsed()
            })
            .collect();
        t.sort();
        t[3]
    };
    let quiet = median_get();
    // Twenty clients announce 500 KB and send 1 KB a second.
    let stop = Arc::new(AtomicBool::new(false));
    let uploads: Vec<_> = (0..20)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                let head = format!(
                    "POST /api/locks HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n"
                );
                s.write_all(head.as_bytes()).unwrap();
                for _ in 0..30 {
                    if stop.load(Ordering::SeqCst) || s.write_all(&[b' '; 1024]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(1000));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let busy = median_get();
    stop.store(true, Ordering::SeqCst);
    for u in uploads {
        u.join().unwrap();
    }
    eprintln!("GET /api/plan median: quiet {quiet:?}, during 20 slow uploads {busy:?}");
    assert!(
        busy <= quiet + Duration::from_millis(100),
        "GET /api/plan took {busy:?} during slow uploads against {quiet:?} without"
    );
}

#[test]
fn zones_gzipped_today_outlined_strings_per_language_and_an_icon() {
    let d = Demo::start();
    let plain = get(d.addr, "/api/zones");
    let r = request_as_is(
        d.addr,
        "GET",
        "/api/zones",
        &[("Accept-Encoding", "gzip, deflate")],
        b"",
    );
    assert_eq!(r.header("Content-Encoding"), Some("gzip"));
    assert!(
        r.body.len() * 4 < plain.body.len(),
        "{} vs {}",
        r.body.len(),
        plain.body.len()
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&r.body[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain.body);
    // Today's catchments (the zones' current_*) as outlines for the overlay.
    let today = get(d.addr, "/api/outlines?stage=primary&of=today").json();
    assert!(today["features"].as_array().unwrap().len() > 10, "{today}");
    // The page's words: Chinese unless asked for English.
    let zh = get(d.addr, "/api/strings").json();
    assert_eq!(zh["lasso"], "套索");
    assert_eq!(get(d.addr, "/api/strings?lang=en").json()["lasso"], "Lasso");
    let r = get(d.addr, "/api/strings?lang=fr");
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("lang=en"));
    let icon = get(d.addr, "/favicon.ico");
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("Content-Type"), Some("image/svg+xml"));
}

#[test]
fn warnings_show_pieces_far_zones_and_the_price_of_locks() {
    let d = Demo::start();
    let plan = d.plan();
    for st in ["primary", "junior"] {
        let w = &plan["warnings"][st];
        assert_eq!(
            w["far_zones"], 0,
            "{st}: the first plan is its own 99th percentile"
        );
        assert!(w["without_locks"]["price_km"].as_f64().unwrap() >= 0.0);
        let (gap, shown) = (
            w["gap_with_locks"].as_f64().unwrap(),
            plan["summary"]["stages"][st]["gap"].as_f64().unwrap(),
        );
        assert!((gap - shown).abs() < 1e-6, "{gap} vs {shown}");
    }
    // Pin a compound to the farthest school of its county: far, and the
    // locks cost child-km.
    let schools = get(d.addr, "/api/schools").json();
    let zones = get(d.addr, "/api/zones").json();
    let c = &zones["features"][0]["properties"]["centroid"];
    let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
    let far = schools
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["catchment"]["primary"] == true)
        .max_by(|a, b| {
            let d = |s: &Value| {
                let l = &s["location"];
                (l[0].as_f64().unwrap() - x).powi(2) + (l[1].as_f64().unwrap() - y).powi(2)
            };
            d(a).total_cmp(&d(b))
        })
        .unwrap();
    let r = d.locks(
        json!({"action": "pin", "zones": ["Z000001"], "school": far["id"], "stage": "primary"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let w = &r.json()["warnings"]["primary"];
    assert_eq!(w["far_zones"], 1, "{w}");
    assert_eq!(w["far"][0]["id"], "Z000001");
    assert!(
        w["without_locks"]["price_km"].as_f64().unwrap() > 0.0,
        "{w}"
    );
    assert!(
        w["without_locks"]["gap"].as_f64().unwrap() > w["gap_with_locks"].as_f64().unwrap(),
        "{w}"
    );
    // Far from its school's other zones, the pinned compound is a piece of
    // its own.
    assert!(!w["pieces"].as_array().unwrap().is_empty(), "{w}");
    assert_eq!(w["pieces"][0]["zones_apart"], json!([0]));
}

/// A small generated county with its road layer, served with roads or
/// without.
fn small_county(dir: &Path, roads: bool) -> Server {
    if !dir.join("roads.geojson").is_file() {
        let o = support::catchment(&[
            "generate",
            "--zones",
            "120",
            "--schools",
            "8",
            "--seed",
            "4",
            "--out",
            support::s(dir),
        ]);
        assert!(o.status.success(), "{}", support::stderr(&o));
    }
    let name = if roads { "roads" } else { "straight" };
    let scenario = dir.join(format!("{name}.toml"));
    let mut text =
        format!("name = \"{name}\"\nzones = \"zones.geojson\"\nschools = \"schools.geojson\"\n");
    if roads {
        text.push_str("roads = \"roads.geojson\"\nallow_fallback = true\n");
    }
    std::fs::write(&scenario, text).unwrap();
    let scenario = Scenario::load(&scenario).unwrap();
    let session = Session::from_scenario(&scenario, dir.join(format!("out-{name}"))).unwrap();
    start(session, "127.0.0.1", 0).unwrap()
}

/// `GET /api/route`: the way from a compound to its school as a GeoJSON
/// LineString whose km are the plan's own road km for that zone (to the
/// metre), to another school on request; unknown zones and schools are
/// 404, a bad or missing stage 400; without roads, a straight line said
/// so.
#[test]
fn a_route_is_the_plans_way_along_the_roads() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let server = small_county(d, true);
    let addr = server.addr();
    let plan = get(addr, "/api/plan").json();
    assert_eq!(plan["summary"]["distance"]["kind"], "walk");
    let zones = get(addr, "/api/zones").json();
    let schools = get(addr, "/api/schools").json();
    let id = |z: usize| {
        zones["features"][z]["properties"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let metres = plan["stages"]["primary"]["metres"].as_array().unwrap();
    let mut along_roads = 0;
    for z in 0..metres.len().min(40) {
        let m = metres[z].as_i64().unwrap();
        if m < 0 {
            continue;
        }
        let r = get(addr, &format!("/api/route?zone={}&stage=primary", id(z)));
        assert_eq!(r.status, 200, "{}", r.text());
        let f = r.json();
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "LineString");
        let points = f["geometry"]["coordinates"].as_array().unwrap();
        assert!(points.len() >= 2, "{f}");
        let school = plan["stages"]["primary"]["school"][z].as_i64().unwrap() as usize;
        assert_eq!(f["properties"]["school"], schools[school]["id"]);
        assert_eq!(f["properties"]["distance"], "walk");
        let km = f["properties"]["km"].as_f64().unwrap();
        assert!(
            (km * 1000.0 - m as f64).abs() <= 1.0,
            "zone {z}: {km} km vs {m} m"
        );
        assert!(km >= f["properties"]["straight_km"].as_f64().unwrap() - 1e-9);
        if points.len() > 2 {
            along_roads += 1;
        }
    }
    assert!(along_roads > 10, "{along_roads} routes follow roads");
    // Another school on request.
    let other = schools
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|s| s["catchment"]["primary"] == true)
        .unwrap();
    let r = get(
        addr,
        &format!(
            "/api/route?zone={}&stage=primary&school={}",
            id(0),
            other["id"].as_str().unwrap()
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["properties"]["school"], other["id"]);
    // Unknown zone or school: 404; a bad or missing stage or zone: 400.
    for (path, status) in [
        ("/api/route?zone=NOPE&stage=primary".to_string(), 404),
        (
            format!("/api/route?zone={}&stage=primary&school=NOPE", id(0)),
            404,
        ),
        (format!("/api/route?zone={}&stage=senior", id(0)), 400),
        (format!("/api/route?zone={}", id(0)), 400),
        ("/api/route?stage=primary".to_string(), 400),
    ] {
        let r = get(addr, &path);
        assert_eq!(r.status, status, "{path}: {}", r.text());
        assert!(r.json()["error"].is_string(), "{path}");
    }
    server.stop();

    // Without roads: the straight line, said so.
    let server = small_county(d, false);
    let addr = server.addr();
    let f = get(addr, &format!("/api/route?zone={}&stage=primary", id(0))).json();
    assert_eq!(f["properties"]["distance"], "straight");
    assert_eq!(f["geometry"]["coordinates"].as_array().unwrap().len(), 2);
    assert_eq!(f["properties"]["km"], f["properties"]["straight_km"]);
    server.stop();
}

/// `GET /api/nearby`: the eight schools of the stage nearest a selection,
/// by the plan's own measure (the road km `/api/route` gives, each school
/// asked), in that order; ids arrive percent-encoded as the page writes
/// them; unknown zones 404, zones of several counties or a bad stage 400.
#[test]
fn nearby_schools_are_the_nearest_along_the_roads() {
    let tmp = tempfile::tempdir().unwrap();
    let server = small_county(tmp.path(), true);
    let addr = server.addr();
    let zones = get(addr, "/api/zones").json();
    let schools = get(addr, "/api/schools").json();
    let schools = schools.as_array().unwrap();
    let id = |z: usize| {
        zones["features"][z]["properties"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let encoded = |text: &str| {
        text.bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    };
    let mut differs = 0;
    for z in [0, 7, 23] {
        let r = get(
            addr,
            &format!("/api/nearby?zones={}&stage=primary", encoded(&id(z))),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let near = r.json();
        assert_eq!(near["distance"], "walk");
        let listed: Vec<(usize, f64)> = near["schools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["school"].as_u64().unwrap() as usize,
                    s["km"].as_f64().unwrap(),
                )
            })
            .collect();
        let mut by_route: Vec<(f64, usize)> = schools
            .iter()
            .enumerate()
            .filter(|(_, s)| s["catchment"]["primary"] == true)
            .map(|(i, s)| {
                let path = format!(
                    "/api/route?zone={}&stage=primary&school={}",
                    id(z),
                    s["id"].as_str().unwrap()
                );
                (
                    get(addr, &path).json()["properties"]["km"]
                        .as_f64()
                        .unwrap(),
                    i,
                )
            })
            .collect();
        by_route.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        by_route.truncate(8);
        assert_eq!(listed.len(), by_route.len().min(8));
        for ((school, km), (route_km, i)) in listed.iter().zip(&by_route) {
            assert!((km - route_km).abs() < 2e-3, "zone {z}: {km} vs {route_km}");
            let tied = by_route
                .iter()
                .filter(|(k, _)| (k - route_km).abs() < 2e-3)
                .count();
            assert!(
                school == i || tied > 1,
                "zone {z}: school {school} listed for {i}"
            );
        }
        let straight: Vec<f64> = near["schools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["straight_km"].as_f64().unwrap())
            .collect();
        if straight.windows(2).any(|w| w[0] > w[1]) {
            differs += 1;
        }
    }
    // Along the roads the order is not the straight-line order somewhere.
    assert!(differs > 0, "the roads never reorder the nearby schools");
    for (path, status) in [
        ("/api/nearby?zones=NOPE&stage=primary".to_string(), 404),
        (format!("/api/nearby?zones={}&stage=senior", id(0)), 400),
        ("/api/nearby?stage=primary".to_string(), 400),
    ] {
        let r = get(addr, &path);
        assert_eq!(r.status, status, "{path}: {}", r.text());
    }
    server.stop();
}
