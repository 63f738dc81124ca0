//! `catchment serve`: the officers' map. A small synchronous HTTP server on
//! the officer's own machine that serves the bundled page (Leaflet, built
//! from `web/` and embedded in the binary) and a JSON API over one editing
//! [`Session`].
//!
//! Requests are handled by a few threads; the session sits behind one
//! mutex, so changes are applied one at a time in the order they arrive and
//! a page never sees half a change. The page itself and the zone shapes are
//! outside the mutex, so they load while a re-optimization runs.
//!
//! Safety rules, each tested in `tests/serve.rs`:
//! - request bodies are limited ([`BODY_LIMIT`], [`IMPORT_LIMIT`] for
//!   imports): 413 beyond;
//! - static files come only from the bundled assets, looked up by exact
//!   name: a request path is never joined onto the file system;
//! - exports are written only into the session's output folder, under
//!   names from a fixed list;
//! - when listening on a loopback address, requests must name a loopback
//!   host (a web page elsewhere cannot reach the API through DNS
//!   rebinding), and a POST from another origin is refused.

mod api;
mod assets;
mod geometry;

use std::io::{Cursor, Read};
use std::net::{IpAddr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use serde_json::{Value, json};
use tiny_http::{Header, Method, Response};

pub use api::{EXPORTS, History, Info, Session, StartError};
pub use assets::{ASSETS, Asset, SOURCE_HASH};

use crate::model::Stage;

/// Largest JSON request body: a lock change names zones, and even a lasso
/// over a whole county's 20,000 zone ids stays far below this.
pub const BODY_LIMIT: usize = 1 << 20;

/// Largest CSV import: a zone -> school list of a 100,000-zone region with
/// both stages fits.
pub const IMPORT_LIMIT: usize = 16 << 20;

/// Threads answering requests: the page loads its assets in parallel while
/// one of them may be waiting for a re-optimization.
const WORKERS: usize = 4;

/// What a response carries.
pub enum Body {
    Static(&'static [u8]),
    Shared(Arc<Vec<u8>>),
    Owned(Vec<u8>),
    File(std::fs::File),
}

/// A handler's answer, turned into an HTTP response by the server.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Body,
    /// Offered as a download under this name.
    pub attachment: Option<&'static str>,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: Body::Owned(serde_json::to_vec(value).expect("JSON values serialize")),
            attachment: None,
        }
    }

    /// `{"error": message}`: every 4xx and 5xx says what was wrong.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "error": message }))
    }
}

/// `Cursor` wants `AsRef<[u8]>`; the zones' bytes are shared, not copied,
/// between requests.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// State every worker thread reaches.
struct Shared {
    session: Mutex<Session>,
    /// `GET /api/zones`, built once.
    zones: Arc<Vec<u8>>,
    /// Listening on loopback: only loopback host names are accepted.
    loopback: bool,
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
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    workers: Vec<JoinHandle<()>>,
}

/// Starts serving `session` on `host:port` (port 0: any free port).
pub fn start(session: Session, host: &str, port: u16) -> Result<Server, StartError> {
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
    let http = tiny_http::Server::http(SocketAddr::new(ip, port))
        .map_err(|e| bind_error(e.to_string()))?;
    let addr = http
        .server_addr()
        .to_ip()
        .ok_or_else(|| bind_error("not an IP socket".into()))?;
    let shared = Arc::new(Shared {
        zones: Arc::new(session.zones_json()),
        session: Mutex::new(session),
        loopback: ip.is_loopback(),
    });
    let http = Arc::new(http);
    let workers = (0..WORKERS)
        .map(|_| {
            let (http, shared) = (Arc::clone(&http), Arc::clone(&shared));
            std::thread::spawn(move || {
                while let Ok(rq) = http.recv() {
                    handle(&shared, rq);
                }
            })
        })
        .collect();
    Ok(Server {
        http,
        addr,
        workers,
    })
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address, as printed for the officer.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves until the process ends.
    pub fn wait(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops accepting requests and waits for the workers to finish.
    pub fn stop(self) {
        for _ in &self.workers {
            self.http.unblock();
        }
        self.wait();
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

fn header_value<'a>(rq: &'a tiny_http::Request, name: &'static str) -> Option<&'a str> {
    rq.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// The host part of a `Host` header or an origin (`http://host:port`).
fn host_of(authority: &str) -> &str {
    let a = authority
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    a.split(':').next().unwrap_or("")
}

/// Refuses requests a page on another site could have made: a non-loopback
/// `Host` (DNS rebinding) while we listen on loopback, and a POST whose
/// `Origin` is not this server.
fn refused(shared: &Shared, rq: &tiny_http::Request) -> Option<Reply> {
    let host = header_value(rq, "Host").unwrap_or("");
    if shared.loopback {
        let name = host_of(host);
        let local = name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if !local {
            return Some(Reply::error(
                403,
                &format!(
                    "Host \"{host}\" refused: this server listens on loopback and answers requests to localhost or 127.0.0.1 only"
                ),
            ));
        }
    }
    if *rq.method() == Method::Post
        && let Some(origin) = header_value(rq, "Origin")
        && origin.trim_start_matches("http://") != host
    {
        return Some(Reply::error(
            403,
            &format!("cross-origin request from {origin} refused"),
        ));
    }
    None
}

fn handle(shared: &Shared, mut rq: tiny_http::Request) {
    let started = Instant::now();
    let method = rq.method().clone();
    let url = rq.url().to_string();
    let reply = match refused(shared, &rq) {
        Some(r) => r,
        None => catch_unwind(AssertUnwindSafe(|| route(shared, &mut rq))).unwrap_or_else(|_| {
            Reply::error(
                500,
                "internal error, please report: the request failed; the loaded plan is unchanged",
            )
        }),
    };
    let status = reply.status;
    if method == Method::Post || status >= 400 {
        eprintln!(
            "{method} {url} -> {status} ({:.3} s)",
            started.elapsed().as_secs_f64()
        );
    }
    let _ = rq.respond(response(reply));
}

fn response(reply: Reply) -> tiny_http::ResponseBox {
    let mut headers = vec![
        header("Content-Type", reply.content_type),
        header("X-Content-Type-Options", "nosniff"),
        header("Referrer-Policy", "no-referrer"),
    ];
    if reply.content_type.starts_with("text/html") {
        // The page runs only its own bundled script; a basemap's tiles are
        // the one thing it may load from elsewhere.
        headers.push(header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https: http:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ));
        headers.push(header("Cache-Control", "no-cache"));
    } else {
        headers.push(header("Cache-Control", "no-store"));
    }
    if let Some(name) = reply.attachment {
        headers.push(header(
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        ));
    }
    let (reader, length): (Box<dyn Read + Send>, usize) = match reply.body {
        Body::Static(b) => (Box::new(Cursor::new(b)), b.len()),
        Body::Owned(b) => {
            let n = b.len();
            (Box::new(Cursor::new(b)), n)
        }
        Body::Shared(b) => {
            let n = b.len();
            (Box::new(Cursor::new(SharedBytes(b))), n)
        }
        Body::File(f) => {
            let n = f.metadata().map_or(0, |m| m.len() as usize);
            (Box::new(f.take(n as u64)), n)
        }
    };
    Response::new(reply.status.into(), headers, reader, Some(length), None)
        // Lengths are always known: send them, never chunks.
        .with_chunked_threshold(usize::MAX)
}

/// Reads a request body up to `limit` bytes; None when it is larger.
fn read_body(rq: &mut tiny_http::Request, limit: usize) -> Result<Vec<u8>, Reply> {
    let too_large = || {
        Reply::error(
            413,
            &format!("request body over the limit of {limit} bytes"),
        )
    };
    if rq.body_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    rq.as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Reply::error(400, &format!("cannot read the request body: {e}")))?;
    if body.len() > limit {
        return Err(too_large());
    }
    Ok(body)
}

/// The API's routes: method, path and what answers.
const ROUTES: [(&str, &str); 11] = [
    ("GET", "/api/config"),
    ("GET", "/api/schools"),
    ("GET", "/api/zones"),
    ("GET", "/api/plan"),
    ("GET", "/api/outlines"),
    ("POST", "/api/locks"),
    ("POST", "/api/undo"),
    ("POST", "/api/redo"),
    ("POST", "/api/import"),
    ("POST", "/api/export"),
    ("GET", "/api/export/{file}"),
];

fn stage_of(query: &str) -> Result<Stage, Reply> {
    let stage = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("stage="))
        .unwrap_or("");
    match stage {
        "primary" => Ok(Stage::Primary),
        "junior" => Ok(Stage::Junior),
        other => Err(Reply::error(
            400,
            &format!("stage \"{other}\"; expected ?stage=primary or ?stage=junior"),
        )),
    }
}

fn route(shared: &Shared, rq: &mut tiny_http::Request) -> Reply {
    let url = rq.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let method = rq.method().as_str().to_string();
    match (method.as_str(), path) {
        ("GET", "/api/config") => Reply::json(200, &shared.session().config()),
        ("GET", "/api/schools") => Reply::json(200, &shared.session().schools()),
        ("GET", "/api/zones") => Reply {
            status: 200,
            content_type: "application/geo+json",
            body: Body::Shared(Arc::clone(&shared.zones)),
            attachment: None,
        },
        ("GET", "/api/plan") => Reply::json(200, &shared.session().plan_json()),
        ("GET", "/api/outlines") => match stage_of(query) {
            Ok(stage) => Reply::json(200, &shared.session().outlines(stage)),
            Err(r) => r,
        },
        ("POST", "/api/locks") => match read_body(rq, BODY_LIMIT) {
            Ok(body) => shared.session().change_locks(&body),
            Err(r) => r,
        },
        ("POST", "/api/undo") => match read_body(rq, BODY_LIMIT) {
            Ok(_) => shared.session().undo(),
            Err(r) => r,
        },
        ("POST", "/api/redo") => match read_body(rq, BODY_LIMIT) {
            Ok(_) => shared.session().redo(),
            Err(r) => r,
        },
        ("POST", "/api/import") => match read_body(rq, IMPORT_LIMIT) {
            Ok(body) => shared.session().import(&body),
            Err(r) => r,
        },
        ("POST", "/api/export") => match read_body(rq, BODY_LIMIT) {
            Ok(_) => shared.session().export_all(),
            Err(r) => r,
        },
        ("GET", p) if p.starts_with("/api/export/") => {
            shared.session().export_file(&p["/api/export/".len()..])
        }
        ("GET", p) if assets::get(p).is_some() => {
            let a = assets::get(p).expect("checked by the guard");
            Reply {
                status: 200,
                content_type: a.media,
                body: Body::Static(a.bytes),
                attachment: None,
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
