//! A small HTTP/1.1 server over `std::net`: one thread per connection, a
//! cap on connections, read timeouts and bounded heads and bodies.
//!
//! Why our own: a slow client must only ever hold its own thread. Four
//! uploads trickling in at 1 KB/s used to occupy every worker of a shared
//! pool, so that `GET /api/plan` waited for them. Here each connection
//! reads its request (head, then body) on its own thread, under a timeout
//! per read and a deadline per request, and only a complete request
//! reaches the handler.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connections served at once; beyond, a new one is answered 503 at once.
/// A browser opens at most six per server, so this leaves room for many
/// officers and for stray or slow clients.
pub const MAX_CONNECTIONS: usize = 256;

/// Longest wait for the next bytes from a client (and idle time on a kept
/// connection).
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest time a whole request (head and body) may take to arrive: a
/// client trickling a byte every few seconds is cut off here.
const REQUEST_DEADLINE: Duration = Duration::from_secs(60);

/// Longest time an answer may take to be taken by the client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest request head (request line and headers).
const HEAD_LIMIT: usize = 16 << 10;

/// A complete request.
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
}

/// An answer: status, headers (Content-Length is added) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Arc<dyn AsRef<[u8]> + Send + Sync>,
}

/// What the server asks of the application.
pub trait Handler: Send + Sync + 'static {
    /// The largest body accepted for this method and path (413 beyond).
    fn body_limit(&self, method: &str, path: &str) -> usize;
    /// The answer to a complete request.
    fn handle(&self, request: &Request) -> Response;
    /// Wraps a refusal of the server itself (timeout, oversize, too many
    /// connections) in the application's error format.
    fn refusal(&self, status: u16, message: &str) -> Response;
}

/// A listening server.
pub struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts accepting connections on a bound listener.
    pub fn start<H: Handler>(listener: TcpListener, handler: Arc<H>) -> std::io::Result<Server> {
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let stop = Arc::clone(&stopping);
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    open.fetch_sub(1, Ordering::SeqCst);
                    let busy =
                        handler.refusal(503, "too many connections at once; try again in a moment");
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = write_response(&mut &stream, &busy, false);
                    continue;
                }
                let (handler, open) = (Arc::clone(&handler), Arc::clone(&open));
                std::thread::spawn(move || {
                    serve_connection(stream, &*handler);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Server {
            addr,
            stopping,
            acceptor: Some(acceptor),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }

    /// Stops accepting connections (those open finish their request).
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the acceptor so that it sees the flag.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

/// Why a request could not be read.
enum ReadError {
    /// The client closed the connection (or went idle) between requests.
    Closed,
    /// A reason to answer before closing: status and message.
    Refuse(u16, String),
}

/// Reads with a timeout per read that never runs past the request's
/// deadline.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Option<Instant>,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let timeout = match self.until {
            Some(until) => {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(std::io::ErrorKind::TimedOut.into());
                }
                left.min(READ_TIMEOUT)
            }
            None => READ_TIMEOUT,
        };
        self.stream.set_read_timeout(Some(timeout))?;
        (&*self.stream).read(buf)
    }
}

fn serve_connection(stream: TcpStream, handler: &dyn Handler) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(Deadline {
        stream: &stream,
        until: None,
    });
    loop {
        match read_request(&mut reader, handler) {
            Ok((request, keep_alive)) => {
                let response = handler.handle(&request);
                if write_response(&mut &stream, &response, keep_alive).is_err() || !keep_alive {
                    return;
                }
            }
            Err(ReadError::Closed) => return,
            Err(ReadError::Refuse(status, message)) => {
                let _ = write_response(&mut &stream, &handler.refusal(status, &message), false);
                drain(&stream);
                return;
            }
        }
    }
}

/// Reads what the client is still sending (briefly) after a refusal, so
/// that closing does not reset the connection before it reads the answer.
fn drain(stream: &TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let mut buf = [0u8; 16 << 10];
    while Instant::now() < until {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
        match (&*stream).read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// Reads one request: the head line by line (bounded), then exactly
/// Content-Length bytes of body (bounded by the handler's limit).
fn read_request(
    reader: &mut BufReader<Deadline<'_>>,
    handler: &dyn Handler,
) -> Result<(Request, bool), ReadError> {
    // Waiting for the first byte of a request is idle time, not the
    // request's: the deadline starts when it arrives.
    reader.get_mut().until = None;
    match reader.fill_buf() {
        Ok([]) | Err(_) => return Err(ReadError::Closed),
        Ok(_) => {}
    }
    reader.get_mut().until = Some(Instant::now() + REQUEST_DEADLINE);
    let slow = || {
        ReadError::Refuse(
            408,
            "the request did not arrive in time; send it again".into(),
        )
    };
    let mut head = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader)
            .take((HEAD_LIMIT + 1 - head.len().min(HEAD_LIMIT)) as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| {
                if timed_out(&e) {
                    slow()
                } else {
                    ReadError::Closed
                }
            })?;
        head.extend_from_slice(&line);
        if head.len() > HEAD_LIMIT {
            return Err(ReadError::Refuse(
                431,
                format!("request head over {HEAD_LIMIT} bytes"),
            ));
        }
        if n == 0 || !line.ends_with(b"\n") {
            return Err(ReadError::Closed);
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if text.is_empty() {
            if lines.is_empty() {
                // Blank lines before a request line are tolerated (RFC 9112).
                continue;
            }
            break;
        }
        lines.push(text);
    }
    let mut words = lines[0].split_whitespace();
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return Err(ReadError::Refuse(
            400,
            format!("bad request line \"{}\"", lines[0]),
        ));
    };
    let mut headers = Vec::new();
    for l in &lines[1..] {
        let Some((k, v)) = l.split_once(':') else {
            return Err(ReadError::Refuse(400, format!("bad header line \"{l}\"")));
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    };
    let connection = request
        .header("Connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    if request.header("Transfer-Encoding").is_some() {
        return Err(ReadError::Refuse(
            411,
            "chunked bodies are not accepted; send Content-Length".into(),
        ));
    }
    let length = match request.header("Content-Length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| {
            ReadError::Refuse(400, format!("Content-Length \"{v}\" is not a number"))
        })?,
    };
    let limit = handler.body_limit(&request.method, request.path());
    if length > limit {
        return Err(ReadError::Refuse(
            413,
            format!("request body over the limit of {limit} bytes"),
        ));
    }
    if length > 0
        && request
            .header("Expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        let mut s = reader.get_ref().stream;
        let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    request.body.resize(length, 0);
    reader.read_exact(&mut request.body).map_err(|e| {
        if timed_out(&e) {
            slow()
        } else {
            ReadError::Closed
        }
    })?;
    Ok((request, keep_alive))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_response(
    stream: &mut impl Write,
    response: &Response,
    keep_alive: bool,
) -> std::io::Result<()> {
    let body = (*response.body).as_ref();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}
