//! The officers' map's online basemap: the scenario's `[basemap]` table.
//!
//! A tile service draws its streets in one coordinate system: Tianditu in
//! CGCS2000 (WGS84 within centimetres), Amap and Tencent in GCJ-02, 300-600
//! m away inside mainland China. The basemap names that system, so the map
//! can draw every zone, school and route in it and they sit on the streets
//! they belong to. Baidu's tiles are BD-09 on a tile grid of their own
//! (not Web Mercator's), which the map cannot draw: refused by name.
//!
//! A tile key is never written in the scenario (scenarios are shared and
//! kept in version control): the URL says `{key}` and `key_env` names the
//! environment variable that holds it, read when the map starts.

use serde::{Deserialize, Deserializer};

use crate::spatial::Crs;

/// The deepest zoom Leaflet is told tiles exist for, unless `max_zoom`
/// says otherwise: most Chinese tile services stop at 18.
const MAX_ZOOM: u8 = 18;

/// The `{…}` placeholders a URL may hold: Leaflet's own (`{-y}`: TMS
/// rows, `{r}`: `@2x` on high-density screens) and the key.
const PLACEHOLDERS: [&str; 7] = ["z", "x", "y", "-y", "s", "r", "key"];

/// `[basemap]` as written in a scenario.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// Tile URL template with `{z}`, `{x}`, `{y}`; `{s}` takes one of
    /// `subdomains`, `{key}` the value of `key_env`.
    pub url: String,
    /// The system the tiles are drawn in: `wgs84` (Tianditu,
    /// OpenStreetMap) or `gcj02` (Amap, Tencent).
    #[serde(default)]
    pub crs: Crs,
    /// The credit shown in the map's corner; by default the tile host.
    pub attribution: Option<String>,
    /// The values of `{s}`: a list, or a string of one-character values
    /// (`"1234"`).
    #[serde(default, deserialize_with = "subdomains")]
    pub subdomains: Vec<String>,
    /// The deepest zoom the service has tiles for.
    #[serde(default = "max_zoom")]
    pub max_zoom: u8,
    /// The environment variable holding the service's key (`{key}`).
    pub key_env: Option<String>,
}

fn max_zoom() -> u8 {
    MAX_ZOOM
}

fn subdomains<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Letters(String),
        List(Vec<String>),
    }
    Ok(match Given::deserialize(d)? {
        Given::Letters(s) => s.chars().map(String::from).collect(),
        Given::List(l) => l,
    })
}

/// The basemap as the page gets it: the key filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Tiles {
    pub url: String,
    pub crs: Crs,
    pub attribution: String,
    pub subdomains: Vec<String>,
    pub max_zoom: u8,
    /// The Content-Security-Policy source the tiles come from.
    pub source: String,
}

impl Basemap {
    /// Whether the table can be drawn; the error says which key and how to
    /// fix it.
    pub fn check(&self) -> Result<(), String> {
        let url = &self.url;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!(
                "[basemap] url = \"{url}\": expected an http:// or https:// tile URL, e.g. \"https://tile.example.org/{{z}}/{{x}}/{{y}}.png\""
            ));
        }
        let names = placeholders(url);
        let has = |p: &str| names.iter().any(|n| n == p);
        if !(has("z") && has("x") && (has("y") || has("-y"))) {
            return Err(format!(
                "[basemap] url = \"{url}\": expected {{z}}, {{x}} and {{y}} where the tile's zoom, column and row go"
            ));
        }
        if let Some(n) = names.iter().find(|n| !PLACEHOLDERS.contains(&n.as_str())) {
            return Err(format!(
                "[basemap] url = \"{url}\": unknown placeholder {{{n}}}; expected only {{z}}, {{x}}, {{y}}, {{-y}}, {{s}}, {{r}} and {{key}}"
            ));
        }
        if tile_source(url).is_none() {
            return Err(format!(
                "[basemap] url = \"{url}\": the host must be a plain name with {{s}} in its first label at most (e.g. \"https://t{{s}}.tianditu.gov.cn/…\")"
            ));
        }
        self.check_subdomains(&names)?;
        self.check_key(has("key"))?;
        if self.crs == Crs::Bd09 {
            return Err(
                "[basemap] crs = \"bd09\": Baidu's tiles use a grid of their own (BD-09 Mercator), which the map cannot draw; expected crs = \"gcj02\" with Amap or Tencent tiles, or \"wgs84\" with Tianditu".into(),
            );
        }
        if !(1..=22).contains(&self.max_zoom) {
            return Err(format!(
                "[basemap] max_zoom = {}: expected a zoom from 1 to 22",
                self.max_zoom
            ));
        }
        Ok(())
    }

    fn check_subdomains(&self, names: &[String]) -> Result<(), String> {
        let uses = names.iter().any(|n| n == "s");
        if uses && self.subdomains.is_empty() {
            return Err(format!(
                "[basemap] url = \"{}\" has {{s}} but no subdomains; expected e.g. subdomains = \"1234\" (Amap) or \"01234567\" (Tianditu)",
                self.url
            ));
        }
        if !uses && !self.subdomains.is_empty() {
            return Err(format!(
                "[basemap] subdomains are given but url = \"{}\" has no {{s}} to put them in",
                self.url
            ));
        }
        match self.subdomains.iter().find(|s| !is_label(s)) {
            Some(bad) => Err(format!(
                "[basemap] subdomains: \"{bad}\" is not a host label; expected letters, digits and '-'"
            )),
            None => Ok(()),
        }
    }

    fn check_key(&self, uses: bool) -> Result<(), String> {
        match (&self.key_env, uses) {
            (None, true) => Err(format!(
                "[basemap] url = \"{}\" has {{key}} but no key_env; expected key_env = \"NAME\", the environment variable holding the key",
                self.url
            )),
            (Some(v), false) => Err(format!(
                "[basemap] key_env = \"{v}\" is given but url = \"{}\" has no {{key}} to put the key in (e.g. …&tk={{key}})",
                self.url
            )),
            (Some(v), true) if !is_env_name(v) => Err(format!(
                "[basemap] key_env = \"{v}\": expected the name of an environment variable (letters, digits and '_'), e.g. \"TIANDITU_KEY\""
            )),
            _ => Ok(()),
        }
    }

    /// The tiles the page loads, with `{key}` filled from the variable
    /// `key_env` names, looked up by `env`. A checked table (see
    /// [`Basemap::check`]) fails only for an unset or empty variable.
    pub fn tiles(&self, env: impl Fn(&str) -> Option<String>) -> Result<Tiles, String> {
        self.check()?;
        let url = match &self.key_env {
            Some(var) => match env(var).filter(|k| !k.trim().is_empty()) {
                Some(key) => self.url.replace("{key}", &encode(key.trim())),
                None => {
                    return Err(format!(
                        "[basemap] key_env = \"{var}\": the environment variable {var} is not set; expected the tile service's key in it (e.g. `{var}=… catchment serve …`), or remove [basemap] to keep the map offline"
                    ));
                }
            },
            None => self.url.clone(),
        };
        let source = tile_source(&self.url).expect("checked");
        let host = source.split_once("://").map_or("", |(_, h)| h);
        Ok(Tiles {
            attribution: self.attribution.clone().unwrap_or_else(|| host.into()),
            url,
            crs: self.crs,
            subdomains: self.subdomains.clone(),
            max_zoom: self.max_zoom,
            source,
        })
    }
}

/// The names between `{` and `}` in a URL template.
fn placeholders(url: &str) -> Vec<String> {
    url.split('{')
        .skip(1)
        .map(|part| part.split('}').next().unwrap_or(part).to_string())
        .collect()
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A key percent-encoded for a URL's query (keys are hex, but a stray `&`
/// must not add a parameter).
fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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

    const TIANDITU: &str = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";
    const AMAP: &str = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}";

    fn table(text: &str) -> Basemap {
        toml::from_str(text).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_tianditu_key_comes_from_the_named_variable() {
        let b = table(&format!(
            "url = \"{TIANDITU}\"\nsubdomains = \"01234567\"\nkey_env = \"TIANDITU_KEY\"\nattribution = \"天地图\""
        ));
        assert_eq!(b.crs, Crs::Wgs84);
        let tiles = b
            .tiles(|v| (v == "TIANDITU_KEY").then(|| "ab12&x".into()))
            .unwrap();
        assert!(tiles.url.ends_with("&tk=ab12%26x"), "{}", tiles.url);
        assert_eq!(tiles.subdomains.len(), 8);
        assert_eq!(tiles.source, "https://*.tianditu.gov.cn");
        assert_eq!(tiles.attribution, "天地图");
        let err = b.tiles(no_env).unwrap_err();
        assert!(
            err.contains("TIANDITU_KEY is not set") && err.contains("key_env"),
            "{err}"
        );
    }

    #[test]
    fn amap_is_gcj02_with_its_host_as_credit() {
        let b = table(&format!(
            "url = \"{AMAP}\"\ncrs = \"gcj02\"\nsubdomains = [\"1\", \"2\", \"3\", \"4\"]"
        ));
        let tiles = b.tiles(no_env).unwrap();
        assert_eq!(tiles.crs, Crs::Gcj02);
        assert_eq!(tiles.attribution, "*.is.autonavi.com");
        assert_eq!(tiles.max_zoom, MAX_ZOOM);
        assert_eq!(tiles.url, AMAP);
    }

    #[test]
    fn a_table_that_cannot_be_drawn_is_named_with_its_fix() {
        let err = |text: &str| table(text).check().unwrap_err();
        assert!(err("url = \"file:///etc/passwd\"").contains("http://"));
        assert!(err("url = \"https://a.org/{z}/{x}.png\"").contains("{y}"));
        assert!(err("url = \"https://a.org/{z}/{x}/{y}{q}.png\"").contains("{q}"));
        assert!(
            err("url = \"https://a.{s}.org/{z}/{x}/{y}\"\nsubdomains = \"ab\"")
                .contains("first label")
        );
        assert!(err("url = \"https://{s}.a.org/{z}/{x}/{y}\"").contains("no subdomains"));
        assert!(err("url = \"https://a.org/{z}/{x}/{y}\"\nsubdomains = \"ab\"").contains("no {s}"));
        assert!(err("url = \"https://a.org/{z}/{x}/{y}?k={key}\"").contains("no key_env"));
        assert!(err("url = \"https://a.org/{z}/{x}/{y}\"\nkey_env = \"K\"").contains("no {key}"));
        assert!(
            err("url = \"https://a.org/{z}/{x}/{y}?k={key}\"\nkey_env = \"my key\"")
                .contains("environment variable")
        );
        assert!(err("url = \"https://a.org/{z}/{x}/{y}\"\ncrs = \"bd09\"").contains("Baidu"));
        assert!(err("url = \"https://a.org/{z}/{x}/{y}\"\nmax_zoom = 30").contains("1 to 22"));
    }

    #[test]
    fn the_source_is_scheme_and_host_with_a_wildcard_for_the_subdomain() {
        assert_eq!(
            tile_source("http://127.0.0.1:8080/{z}/{x}/{y}.png"),
            Some("http://127.0.0.1:8080".into())
        );
        assert_eq!(tile_source("https://a.{s}.example.org/{z}"), None);
        assert_eq!(tile_source("https://u@a.org/{z}"), None);
        assert_eq!(tile_source("ftp://a.org/{z}"), None);
    }
}
