//! Who may read and change the plan: the checks every request passes
//! before it reaches the session.
//!
//! - On loopback, only requests addressed to localhost or 127.0.0.1 are
//!   answered: a web page elsewhere cannot reach the API through DNS
//!   rebinding.
//! - On a network address, every request needs the access token, printed
//!   once at start: `?token=` in the URL sets a cookie, and the cookie is
//!   what later requests carry. Without it the server refuses to start
//!   unless the officer says `--insecure-no-auth`.
//! - Every POST must come from the page itself: no other origin, the media
//!   type the route reads (a cross-site form can send neither
//!   `application/json` nor `text/csv`), and the session token the page
//!   was served with (random per start) in `X-Catchment-Token`.

use std::net::IpAddr;

use super::Reply;
use super::http::Request;

/// The cookie that carries the access token in network mode.
pub const ACCESS_COOKIE: &str = "catchment_access";

/// The header that carries the session token on every POST.
pub const TOKEN_HEADER: &str = "X-Catchment-Token";

/// How requests are admitted.
#[derive(Clone, Debug)]
pub enum Admission {
    /// Listening on loopback: only loopback host names.
    Loopback,
    /// On the network: every request needs this token.
    Token(String),
    /// On the network without any check (`--insecure-no-auth`).
    Open,
}

/// 32 random hex digits (128 bits) from the operating system.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// Compares secrets in time independent of where they first differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn cookie<'a>(rq: &'a Request, name: &str) -> Option<&'a str> {
    rq.header("Cookie")?.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The `token` parameter of a query string.
pub fn query_token(query: &str) -> Option<&str> {
    query.split('&').find_map(|kv| kv.strip_prefix("token="))
}

/// What admission decides about a request.
pub enum Admit {
    Yes,
    /// `?token=` was right: set the cookie and send the browser to the
    /// same address without the token (it stays out of history and logs).
    SetCookie {
        location: String,
        token: String,
    },
    No(Reply),
}

/// The host and access-token checks, for every request.
pub fn admit(admission: &Admission, rq: &Request) -> Admit {
    let host = rq.header("Host").unwrap_or("");
    match admission {
        Admission::Loopback => {
            let name = host_of(host);
            let local =
                name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !local {
                return Admit::No(Reply::error(
                    403,
                    &format!(
                        "Host \"{host}\" refused: this server listens on loopback and answers requests to localhost or 127.0.0.1 only"
                    ),
                ));
            }
            Admit::Yes
        }
        Admission::Open => Admit::Yes,
        Admission::Token(token) => {
            if let Some(given) = query_token(rq.query())
                && same_secret(given, token)
                && rq.method == "GET"
            {
                let rest: Vec<&str> = rq
                    .query()
                    .split('&')
                    .filter(|kv| !kv.starts_with("token=") && !kv.is_empty())
                    .collect();
                let location = if rest.is_empty() {
                    rq.path().to_string()
                } else {
                    format!("{}?{}", rq.path(), rest.join("&"))
                };
                return Admit::SetCookie {
                    location,
                    token: token.clone(),
                };
            }
            if cookie(rq, ACCESS_COOKIE).is_some_and(|c| same_secret(c, token)) {
                return Admit::Yes;
            }
            Admit::No(Reply::error(
                401,
                "this map needs its access token: open the address `catchment serve` printed at start (it ends in ?token=…)",
            ))
        }
    }
}

/// The origin, media type and session-token checks of a POST.
pub fn check_post(rq: &Request, session_token: &str, media: &str) -> Result<(), Reply> {
    let host = rq.header("Host").unwrap_or("");
    if let Some(origin) = rq.header("Origin")
        && origin.trim_start_matches("http://") != host
    {
        return Err(Reply::error(
            403,
            &format!("cross-origin request from {origin} refused"),
        ));
    }
    if let Some(site) = rq.header("Sec-Fetch-Site")
        && !(site == "same-origin" || site == "none")
    {
        return Err(Reply::error(
            403,
            &format!("request from another site (Sec-Fetch-Site: {site}) refused"),
        ));
    }
    let given = rq
        .header("Content-Type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if given != media {
        return Err(Reply::error(
            415,
            &format!(
                "Content-Type \"{given}\" refused: {} {} takes {media}",
                rq.method,
                rq.path()
            ),
        ));
    }
    if !rq
        .header(TOKEN_HEADER)
        .is_some_and(|t| same_secret(t, session_token))
    {
        return Err(Reply::error(
            403,
            &format!(
                "missing or wrong {TOKEN_HEADER}: changes are accepted only from the page this server served (reload it)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_authorities_and_origins() {
        assert_eq!(host_of("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://localhost:1"), "localhost");
        assert_eq!(host_of("[::1]:80"), "::1");
    }

    #[test]
    fn tokens_are_random_hex_and_compared_whole() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b) && !same_secret(&a, &a[1..]));
        assert_eq!(query_token("x=1&token=abc"), Some("abc"));
    }
}
