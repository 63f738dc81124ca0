//! The page's Content-Security-Policy: its own bundled script and styles,
//! and images from itself and, where the scenario names a basemap, from
//! that tile host alone. Offline (no basemap) the page can load nothing
//! from elsewhere, so no request leaves the machine.

/// The policy for a basemap's tile source (scheme and host, see
/// [`crate::run::Tiles`]), or none.
pub fn content_security_policy(tiles: Option<&str>) -> String {
    let images = match tiles {
        Some(source) => format!("'self' data: {source}"),
        None => "'self' data:".to_string(),
    };
    format!(
        "default-src 'self'; img-src {images}; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_come_from_the_page_and_the_tile_host_alone() {
        let offline = content_security_policy(None);
        assert!(offline.contains("img-src 'self' data:;"), "{offline}");
        assert!(!offline.contains("http"), "{offline}");
        let amap = content_security_policy(Some("https://*.is.autonavi.com"));
        assert!(
            amap.contains("img-src 'self' data: https://*.is.autonavi.com;"),
            "{amap}"
        );
    }
}
