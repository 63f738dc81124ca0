//! `catchment serve`: the officers' map. A small synchronous HTTP server on
//! the officer's own machine that serves the bundled page (Leaflet, built
//! from `web/` and embedded in the binary) and a JSON API over one editing
//! [`Session`].
//!
//! Each connection has its own thread (see [`http`]), so a slow client
//! holds only its own; the session sits behind one mutex, so changes are
//! applied one at a time in the order they arrive and a page never sees
//! half a change. The page itself and the zone shapes are outside the
//! mutex, so they load while a re-optimization runs.
//!
//! Safety rules, each tested in `tests/serve.rs`:
//! - request bodies are limited ([`BODY_LIMIT`], [`IMPORT_LIMIT`] for
//!   imports): 413 beyond; a request must arrive within a deadline;
//! - static files come only from the bundled assets, looked up by exact
//!   name: a request path is never joined onto the file system;
//! - only POST changes anything: a GET never writes a file; exports go
//!   into new folders of their own under the session's output folder;
//! - who may ask is decided in [`access`]: loopback host names on
//!   loopback, an access token on the network, and on every POST the
//!   page's own origin, media type and session token.

mod access;
mod api;
mod assets;
mod csp;
mod exports;
mod geometry;
mod http;
mod journal;
mod query;
mod strings;
mod warnings;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{Value, json};

pub use access::{ACCESS_COOKIE, Admission, TOKEN_HEADER, random_token};
pub use api::{EXPORTS, History, Info, Session, StartError};
pub use assets::{ASSETS, Asset, SOURCE_HASH};
pub use exports::{EXPORTS_DIR, MANIFEST};
pub use journal::JOURNAL;
pub use strings::{Lang, web_strings};

use crate::model::Stage;
use access::{Admit, admit, check_post};
use http::Request;

/// Largest JSON request body: a lock change names zones, and even a lasso
/// over a whole county's 20,000 zone ids stays far below this.
pub const BODY_LIMIT: usize = 1 << 20;

/// Largest CSV import: a zone -> school list of a 100,000-zone region with
/// both stages fits.
pub const IMPORT_LIMIT: usize = 16 << 20;

/// What a response carries.
pub enum Body {
    Static(&'static [u8]),
    Shared(Arc<Vec<u8>>),
    Owned(Vec<u8>),
}

/// A handler's answer, turned into an HTTP response by the server.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Body,
    /// Offered as a download under this name.
    pub attachment: Option<&'static str>,
    /// Further headers (a cookie, a redirect).
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: Body::Owned(serde_json::to_vec(value).expect("JSON values serialize")),
            attachment: None,
            headers: Vec::new(),
        }
    }

    /// `{"error": message}`: every 4xx and 5xx says what was wrong.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "error": message }))
    }

    /// The error message of an error reply.
    pub fn message(&self) -> String {
        let bytes: &[u8] = match &self.body {
            Body::Static(b) => b,
            Body::Owned(b) => b,
            Body::Shared(b) => b,
        };
        serde_json::from_slice::<Value>(bytes)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("status {}", self.status))
    }
}

/// State every connection reaches.
struct Shared {
    session: Mutex<Session>,
    /// `GET /api/zones`, built once, and gzipped once (8 MB at 20,000
    /// zones, a tenth of it compressed).
    zones: Arc<Vec<u8>>,
    zones_gz: Arc<Vec<u8>>,
    /// The page with this start's session token in it.
    index: Arc<Vec<u8>>,
    admission: Admission,
    session_token: String,
    /// The page's language unless it asks for another (`?lang=`).
    lang: Lang,
    /// The page's Content-Security-Policy (the basemap's tile host only).
    csp: String,
}

impl Shared {
    fn session(&self) -> MutexGuard<'_, Session> {
        // A handler that panicked has left no half-made change behind (the
        // plan is replaced only as the last step), so the session is usable.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running server.
pub struct Server {
    http: http::Server,
    admission: Admission,
    session_token: String,
}

/// Binds `host:port` (port 0: any free port). Done before the plan is
/// made, so that a busy port fails at once.
pub fn bind(host: &str, port: u16) -> Result<TcpListener, StartError> {
    let bind = format!("{host}:{port}");
    let bind_error = |message: String| StartError::Bind {
        addr: bind.clone(),
        message,
    };
    let ip: IpAddr = host.parse().map_err(|_| {
        bind_error(format!(
            "\"{host}\" is not an IP address; expected e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
        ))
    })?;
    TcpListener::bind(SocketAddr::new(ip, port)).map_err(|e| {
        bind_error(if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("{e}; another program (perhaps another catchment serve) uses port {port}: stop it or choose another with --port")
        } else {
            e.to_string()
        })
    })
}

/// Starts serving `session` on `host:port` (port 0: any free port), with
/// an access token when the host is not loopback.
pub fn start(session: Session, host: &str, port: u16) -> Result<Server, StartError> {
    let listener = bind(host, port)?;
    let admission = if listener.local_addr().is_ok_and(|a| a.ip().is_loopback()) {
        Admission::Loopback
    } else {
        Admission::Token(random_token())
    };
    serve(listener, session, admission, Lang::default())
}

/// Serves `session` on a bound listener.
pub fn serve(
    listener: TcpListener,
    session: Session,
    admission: Admission,
    lang: Lang,
) -> Result<Server, StartError> {
    let session_token = random_token();
    let page = assets::get("/").expect("the page is bundled");
    let index = String::from_utf8_lossy(page.bytes)
        .replace("%SESSION_TOKEN%", &session_token)
        .into_bytes();
    let zones = session.zones_json();
    let zones_gz = gzip(&zones);
    let csp =
        csp::content_security_policy(session.info().tiles.as_ref().map(|t| t.source.as_str()));
    let shared = Arc::new(Shared {
        csp,
        zones,
        zones_gz: Arc::new(zones_gz),
        index: Arc::new(index),
        session: Mutex::new(session),
        admission: admission.clone(),
        session_token: session_token.clone(),
        lang,
    });
    let addr = listener.local_addr().ok();
    let http = http::Server::start(listener, shared).map_err(|e| StartError::Bind {
        addr: addr.map_or_else(String::new, |a| a.to_string()),
        message: e.to_string(),
    })?;
    Ok(Server {
        http,
        admission,
        session_token,
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory")
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.http.addr()
    }

    /// The access token on the network (None on loopback or without
    /// authentication).
    pub fn access_token(&self) -> Option<&str> {
        match &self.admission {
            Admission::Token(t) => Some(t),
            _ => None,
        }
    }

    /// The token the page sends with every POST.
    pub fn session_token(&self) -> &str {
        &self.session_token
    }

    /// The page's addresses, as printed for the officer: one that works in
    /// a browser (never 0.0.0.0), with the access token where one is
    /// needed. On every network interface, this machine's own address and
    /// the one other machines reach it by.
    pub fn urls(&self) -> Vec<String> {
        let addr = self.addr();
        let query = self
            .access_token()
            .map_or_else(String::new, |t| format!("?token={t}"));
        let url = |ip: IpAddr| format!("http://{}/{query}", SocketAddr::new(ip, addr.port()));
        if !addr.ip().is_unspecified() {
            return vec![url(addr.ip())];
        }
        let mut urls = vec![url(Ipv4Addr::LOCALHOST.into())];
        if let Some(ip) = network_address() {
            urls.push(url(ip));
        }
        urls
    }

    /// The first of [`Server::urls`].
    pub fn url(&self) -> String {
        self.urls().remove(0)
    }

    /// Serves until the process ends.
    pub fn wait(self) {
        self.http.wait();
    }

    /// Stops accepting connections.
    pub fn stop(self) {
        self.http.stop();
    }
}

/// This machine's address on its main network, without sending anything:
/// a UDP socket "connected" to a documentation address takes the route's
/// source address.
fn network_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

impl http::Handler for Shared {
    fn body_limit(&self, method: &str, path: &str) -> usize {
        match (method, path) {
            ("POST", "/api/import") => IMPORT_LIMIT,
            ("POST", _) => BODY_LIMIT,
            // A GET has no business sending a body.
            _ => 0,
        }
    }

    fn handle(&self, rq: &Request) -> http::Response {
        let started = Instant::now();
        let reply = match admit(&self.admission, rq) {
            Admit::No(r) => r,
            Admit::SetCookie { location, token } => {
                let mut r = Reply::json(303, &json!({"location": location}));
                r.headers.push(("Location", location));
                r.headers.push((
                    "Set-Cookie",
                    format!("{ACCESS_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
                ));
                r
            }
            Admit::Yes => catch_unwind(AssertUnwindSafe(|| route(self, rq))).unwrap_or_else(|_| {
                Reply::error(
                    500,
                    "internal error, please report: the request failed; the loaded plan is unchanged",
                )
            }),
        };
        let status = reply.status;
        if rq.method == "POST" || status >= 400 {
            eprintln!(
                "{} {} -> {status} ({:.3} s)",
                rq.method,
                rq.path(),
                started.elapsed().as_secs_f64()
            );
        }
        let gzip_ok = rq
            .header("Accept-Encoding")
            .is_some_and(|e| e.split(',').any(|x| x.trim().starts_with("gzip")));
        response(reply, gzip_ok.then_some(&self.zones_gz), &self.csp)
    }

    fn refusal(&self, status: u16, message: &str) -> http::Response {
        eprintln!("refused a request: {status} {message}");
        response(Reply::error(status, message), None, &self.csp)
    }
}

/// The HTTP response of a reply. `zones_gz`: the client takes gzip, and
/// this is the compressed form of the zones body, used where the reply is
/// the zones.
fn response(reply: Reply, zones_gz: Option<&Arc<Vec<u8>>>, csp: &str) -> http::Response {
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), reply.content_type.into()),
        ("X-Content-Type-Options".into(), "nosniff".into()),
        ("Referrer-Policy".into(), "no-referrer".into()),
    ];
    if reply.content_type.starts_with("text/html") {
        // The page runs only its own bundled script; a basemap's tiles are
        // the one thing it may load from elsewhere, from their host alone.
        headers.push(("Content-Security-Policy".into(), csp.to_string()));
        headers.push(("Cache-Control".into(), "no-cache".into()));
    } else {
        headers.push(("Cache-Control".into(), "no-store".into()));
    }
    if let Some(name) = reply.attachment {
        headers.push((
            "Content-Disposition".into(),
            format!("attachment; filename=\"{name}\""),
        ));
    }
    for (k, v) in reply.headers {
        headers.push((k.into(), v));
    }
    let body: Arc<dyn AsRef<[u8]> + Send + Sync> = match reply.body {
        Body::Static(b) => Arc::new(b),
        Body::Owned(b) => Arc::new(b),
        Body::Shared(b) => match zones_gz {
            Some(gz) if reply.content_type == ZONES_MEDIA => {
                headers.push(("Content-Encoding".into(), "gzip".into()));
                headers.push(("Vary".into(), "Accept-Encoding".into()));
                Arc::clone(gz) as Arc<dyn AsRef<[u8]> + Send + Sync>
            }
            _ => b,
        },
    };
    http::Response {
        status: reply.status,
        headers,
        body,
    }
}

/// The media type of `GET /api/zones`.
const ZONES_MEDIA: &str = "application/geo+json";

/// The API's routes: method, path and what answers.
const ROUTES: [(&str, &str); 15] = [
    ("GET", "/api/config"),
    ("GET", "/api/schools"),
    ("GET", "/api/zones"),
    ("GET", "/api/plan"),
    ("GET", "/api/outlines"),
    ("GET", "/api/route"),
    ("GET", "/api/nearby"),
    ("GET", "/api/history"),
    ("GET", "/api/strings"),
    ("POST", "/api/locks"),
    ("POST", "/api/undo"),
    ("POST", "/api/redo"),
    ("POST", "/api/import"),
    ("POST", "/api/export"),
    ("GET", "/api/export/{file}"),
];

fn stage_of(query: &str) -> Result<Stage, Reply> {
    query::stage(query).map_err(|(status, message)| Reply::error(status, &message))
}

/// The media type each POST route reads.
fn post_media(path: &str) -> &'static str {
    if path == "/api/import" {
        "text/csv"
    } else {
        "application/json"
    }
}

fn route(shared: &Shared, rq: &Request) -> Reply {
    let (path, query) = (rq.path(), rq.query());
    if rq.method == "POST"
        && ROUTES.iter().any(|(m, p)| *m == "POST" && *p == path)
        && let Err(r) = check_post(rq, &shared.session_token, post_media(path))
    {
        return r;
    }
    let body = rq.body.as_slice();
    match (rq.method.as_str(), path) {
        ("GET", "/api/config") => Reply::json(200, &shared.session().config()),
        ("GET", "/api/schools") => Reply::json(200, &shared.session().schools()),
        ("GET", "/api/zones") => Reply {
            status: 200,
            content_type: ZONES_MEDIA,
            body: Body::Shared(Arc::clone(&shared.zones)),
            attachment: None,
            headers: Vec::new(),
        },
        ("GET", "/api/plan") => Reply::json(200, &shared.session().plan_json()),
        ("GET", "/api/history") => Reply::json(200, &shared.session().history_json()),
        ("GET", "/api/route") => match shared.session().route(query) {
            Ok(v) => Reply::json(200, &v),
            Err((status, message)) => Reply::error(status, &message),
        },
        ("GET", "/api/nearby") => match shared.session().nearby(query) {
            Ok(v) => Reply::json(200, &v),
            Err((status, message)) => Reply::error(status, &message),
        },
        ("GET", "/api/strings") => {
            let asked = query.split('&').find_map(|kv| kv.strip_prefix("lang="));
            match asked.map(|l| Lang::parse(l).ok_or(l)) {
                None => Reply::json(200, &web_strings(shared.lang)),
                Some(Ok(lang)) => Reply::json(200, &web_strings(lang)),
                Some(Err(l)) => {
                    Reply::error(400, &format!("lang \"{l}\"; expected ?lang=zh or ?lang=en"))
                }
            }
        }
        ("GET", "/api/outlines") => match stage_of(query) {
            Ok(stage) if query.split('&').any(|kv| kv == "of=today") => {
                Reply::json(200, &shared.session().today_outlines(stage))
            }
            Ok(stage) => Reply::json(200, &shared.session().outlines(stage)),
            Err(r) => r,
        },
        ("POST", "/api/locks") => shared.session().change_locks(body),
        ("POST", "/api/undo") => shared.session().undo(),
        ("POST", "/api/redo") => shared.session().redo(),
        ("POST", "/api/import") => shared.session().import(body),
        ("POST", "/api/export") => shared.session().export_all(),
        ("GET", p) if p.starts_with("/api/export/") => {
            shared.session().export_file(&p["/api/export/".len()..])
        }
        ("GET", "/" | "/index.html") => Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: Body::Shared(Arc::clone(&shared.index)),
            attachment: None,
            headers: Vec::new(),
        },
        ("GET", "/favicon.ico") => {
            let a = assets::get("/favicon.svg").expect("the icon is bundled");
            Reply {
                status: 200,
                content_type: a.media,
                body: Body::Static(a.bytes),
                attachment: None,
                headers: Vec::new(),
            }
        }
        ("GET", p) if assets::get(p).is_some() => {
            let a = assets::get(p).expect("checked by the guard");
            Reply {
                status: 200,
                content_type: a.media,
                body: Body::Static(a.bytes),
                attachment: None,
                headers: Vec::new(),
            }
        }
        (m, p) => {
            let allowed: Vec<&str> = ROUTES
                .iter()
                .filter(|(_, r)| {
                    *r == p || (r.ends_with("{file}") && p.starts_with("/api/export/"))
                })
                .map(|(m, _)| *m)
                .collect();
            if allowed.is_empty() && assets::get(p).is_none() {
                not_found(p)
            } else {
                let allowed = if allowed.is_empty() {
                    vec!["GET"]
                } else {
                    allowed
                };
                Reply::error(
                    405,
                    &format!(
                        "{m} {p}: method not allowed; expected {}",
                        allowed.join(" or ")
                    ),
                )
            }
        }
    }
}

fn not_found(path: &str) -> Reply {
    let api: Vec<String> = ROUTES.iter().map(|(m, p)| format!("{m} {p}")).collect();
    Reply::error(
        404,
        &format!(
            "nothing at {path}; the page is at / and the API is {}",
            api.join(", ")
        ),
    )
}
