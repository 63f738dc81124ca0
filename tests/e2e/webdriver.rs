//! A small WebDriver client: Debian's chromedriver driving Debian's
//! headless Chromium, spoken to over plain HTTP (W3C WebDriver protocol).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http;

/// Chromium's flags on this kind of machine (see shared/webmap.md): no
/// sandbox as root, software rendering, and no call leaves the machine.
const CHROMIUM_ARGS: [&str; 11] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1400,900",
];

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver, when installed.
pub fn browser() -> Result<(PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| which("chromium"))
        .or_else(|| which("chromium-browser"));
    let driver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which("chromedriver"));
    match (chromium, driver) {
        (Some(c), Some(d)) => Ok((c, d)),
        _ => Err(
            "headless Chromium is absent; install it with `apt-get install -y chromium chromium-driver fonts-wqy-microhei`"
                .into(),
        ),
    }
}

/// A browser session; the browser and the driver end with it.
pub struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
}

pub type Element = String;

impl Driver {
    pub fn start(chromium: &Path, chromedriver: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http::raw(
                addr,
                format!("GET /status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .is_ok_and(|r| r.json()["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut d = Driver {
            child,
            addr,
            session: String::new(),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": CHROMIUM_ARGS,
            },
        }}});
        let v = d.call("POST", "/session", &caps);
        d.session = v["sessionId"].as_str().expect("a session id").to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let path = if path.starts_with("/session") && !self.session.is_empty() {
            format!("/session/{}{}", self.session, &path["/session".len()..])
        } else {
            path.to_string()
        };
        let body = if method == "GET" || method == "DELETE" {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let r = http::request_as_is(
            self.addr,
            method,
            &path,
            &[("Content-Type", "application/json")],
            &body,
        );
        let v = r.json();
        assert_eq!(r.status, 200, "WebDriver {method} {path}: {v}");
        v["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/session/url", &json!({ "url": url }));
    }

    /// Runs a script in the page (`return …` gives its value).
    pub fn js(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/session/execute/sync",
            &json!({"script": script, "args": args}),
        )
    }

    /// Polls a script until it returns something truthy.
    pub fn wait_for(&self, what: &str, script: &str, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.js(script, json!([]));
            if !(v.is_null() || v == false) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn find(&self, css: &str) -> Element {
        let v = self.call(
            "POST",
            "/session/element",
            &json!({"using": "css selector", "value": css}),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(|e| e.as_str())
            .expect("an element reference")
            .to_string()
    }

    pub fn click(&self, element: &Element) {
        self.call(
            "POST",
            &format!("/session/element/{element}/click"),
            &json!({}),
        );
    }

    /// Types into an element; for a file input, the text is the file's path.
    pub fn send_keys(&self, element: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/session/element/{element}/value"),
            &json!({ "text": text }),
        );
    }

    /// Moves the mouse to page pixel (x, y), optionally clicking there, as a
    /// person's hand would.
    pub fn pointer(&self, x: i64, y: i64, click: bool) {
        let mut actions = vec![
            json!({"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"}),
        ];
        if click {
            actions.push(json!({"type": "pointerDown", "button": 0}));
            actions.push(json!({"type": "pointerUp", "button": 0}));
        }
        self.actions(actions);
    }

    /// A mouse action sequence (moves, presses, releases) through the
    /// Actions API.
    pub fn actions(&self, actions: Vec<Value>) {
        self.call(
            "POST",
            "/session/actions",
            &json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]}),
        );
        self.call("DELETE", "/session/actions", &json!({}));
    }

    /// Resizes the browser window (the page gets a little less: the
    /// window's own frame).
    pub fn window(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/session/window/rect",
            &json!({"width": width, "height": height}),
        );
    }

    /// The page as PNG bytes.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.call("GET", "/session/screenshot", &json!({}));
        base64(v.as_str().expect("base64 PNG"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http::raw(
                self.addr,
                format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                    self.session, self.addr
                )
                .as_bytes(),
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64 (RFC 4648), as WebDriver sends screenshots.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64("aGVsbG8="), b"hello");
    assert_eq!(base64("aGVsbG8h"), b"hello!");
    assert_eq!(base64("aA=="), b"h");
}
