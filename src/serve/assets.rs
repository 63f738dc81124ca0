//! The page, built from `web/` by esbuild (`cd web && npm ci && npm run
//! build`) into `web/dist/`, which is committed and compiled into the
//! binary: `catchment serve` needs neither Node nor the network, and no
//! request path is ever looked up on the file system.

/// One bundled file.
pub struct Asset {
    /// The URL path it is served at.
    pub path: &'static str,
    pub media: &'static str,
    pub bytes: &'static [u8],
}

/// Every file the server serves outside `/api/`.
pub const ASSETS: [Asset; 4] = [
    Asset {
        path: "/index.html",
        media: "text/html; charset=utf-8",
        bytes: include_bytes!("../../web/dist/index.html"),
    },
    Asset {
        path: "/app.js",
        media: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/dist/app.js"),
    },
    Asset {
        path: "/app.css",
        media: "text/css; charset=utf-8",
        bytes: include_bytes!("../../web/dist/app.css"),
    },
    Asset {
        path: "/favicon.svg",
        media: "image/svg+xml",
        bytes: include_bytes!("../../web/dist/favicon.svg"),
    },
];

/// The hash of `web/`'s sources the bundle was built from (written by
/// `web/build.mjs`); a test recomputes it to catch a stale bundle.
pub const SOURCE_HASH: &str = include_str!("../../web/dist/SOURCE_HASH");

/// The asset at exactly this path (`/` is the page).
pub fn get(path: &str) -> Option<&'static Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    ASSETS.iter().find(|a| a.path == path)
}
