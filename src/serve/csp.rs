//! The page's Content-Security-Policy: its own bundled script and styles,
//! and images from itself and, where the scenario names a basemap, from
//! that tile host alone. Offline (no basemap) the page can load nothing
//! from elsewhere, so no request leaves the machine.

/// The policy for a basemap tile URL template (`tiles`), or none.
pub fn content_security_policy(tiles: Option<&str>) -> String {
    let images = match tiles.and_then(tile_source) {
        Some(source) => format!("'self' data: {source}"),
        None => "'self' data:".to_string(),
    };
    format!(
        "default-src 'self'; img-src {images}; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    )
}

/// The CSP source of a tile URL template: its scheme and host (with its
/// port), a subdomain placeholder such as `{s}` (Leaflet's a/b/c,
/// Tianditu's t0-t7, Amap's webrd01-04) becoming `*` for its label only.
fn tile_source(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let labels: Vec<&str> = authority
        .split('.')
        .map(|label| if label.contains('{') { "*" } else { label })
        .collect();
    // A wildcard is allowed only as the leftmost label in CSP.
    if labels.iter().skip(1).any(|l| *l == "*") {
        return None;
    }
    Some(format!("{scheme}://{}", labels.join(".")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_come_from_the_page_and_the_tile_host_alone() {
        let offline = content_security_policy(None);
        assert!(offline.contains("img-src 'self' data:;"), "{offline}");
        assert!(!offline.contains("http"), "{offline}");
        let osm = content_security_policy(Some("https://tile.openstreetmap.org/{z}/{x}/{y}.png"));
        assert!(
            osm.contains("img-src 'self' data: https://tile.openstreetmap.org;"),
            "{osm}"
        );
        assert_eq!(
            tile_source("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"),
            Some("https://*.is.autonavi.com".into())
        );
        assert_eq!(
            tile_source("http://localhost:8080/{z}/{x}/{y}.png"),
            Some("http://localhost:8080".into())
        );
        assert_eq!(tile_source("https://a.{s}.example.org/{z}"), None);
        assert_eq!(tile_source("file:///etc/passwd"), None);
    }
}
