//! Which map formats a run writes: GeoJSON always, shapefiles on request
//! (`--formats geojson,shp`, or `formats = ["geojson", "shp"]`).

use std::str::FromStr;

/// The map formats of catchments and zones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Formats {
    /// Shapefiles (`catchments-primary.shp`, `zones.shp`, …) beside the
    /// GeoJSON.
    pub shp: bool,
}

impl crate::options::OptionValue for Formats {}

/// How a command writes its map files (zones, catchments, sites): one
/// value resolved from the run, so that every command writing geometry
/// honours `output_crs` and `formats` alike.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MapOutput {
    /// Their coordinate system (WGS84 unless the bureau overlays a web map).
    pub crs: crate::spatial::Crs,
    pub formats: Formats,
}

const EXPECTED: &str = "formats separated by commas, from geojson and shp (e.g. geojson,shp)";

impl FromStr for Formats {
    type Err = String;

    fn from_str(s: &str) -> Result<Formats, String> {
        let mut formats = Formats::default();
        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.to_lowercase().as_str() {
                "geojson" => {}
                "shp" | "shapefile" => formats.shp = true,
                other => return Err(format!("\"{other}\" is not a format; expected {EXPECTED}")),
            }
        }
        Ok(formats)
    }
}

impl std::fmt::Display for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.shp { "geojson,shp" } else { "geojson" })
    }
}

impl serde::Serialize for Formats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Formats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Formats, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Given {
            Text(String),
            List(Vec<String>),
        }
        let text = match Given::deserialize(d)
            .map_err(|_| serde::de::Error::custom(format!("expected {EXPECTED}")))?
        {
            Given::Text(t) => t,
            Given::List(l) => l.join(","),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_flags_and_scenario_keys() {
        assert_eq!("geojson,shp".parse(), Ok(Formats { shp: true }));
        assert_eq!("geojson".parse(), Ok(Formats { shp: false }));
        assert!("kml".parse::<Formats>().unwrap_err().contains("\"kml\""));
        #[derive(serde::Deserialize)]
        struct T {
            formats: Formats,
        }
        let t: T = toml::from_str("formats = [\"geojson\", \"shp\"]").unwrap();
        assert!(t.formats.shp);
        let t: T = toml::from_str("formats = \"shp\"").unwrap();
        assert!(t.formats.shp);
    }
}
