//! The coordinate systems of Chinese web maps and their conversion to WGS84.
//!
//! Coordinates picked on Amap or Tencent maps are GCJ-02 and on Baidu maps
//! BD-09: WGS84 shifted by a few hundred metres inside mainland China (a
//! third of a typical trip to school), unchanged outside it. All work is
//! done in WGS84; files are converted on reading and, where the bureau
//! wants to overlay a web basemap, on writing.
//!
//! The shift is a published closed formula one way only, so WGS84 is found
//! from GCJ-02 by fixed-point iteration (below 1 mm after a few steps, not
//! the few metres of the one-step inverse). Whether a point is shifted
//! depends on a simplified outline of mainland China (Hong Kong, Macau and
//! Taiwan are outside, as on the web maps), not a rectangle that would
//! shift Seoul or Ulaanbaatar.

use geo::{Contains, Coord, LineString, MapCoordsInPlace, Point, Polygon};
use geojson::GeometryValue;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::sync::OnceLock;

/// A coordinate system of longitude/latitude degrees.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// GPS, OpenStreetMap, Tianditu (CGCS2000 agrees within centimetres).
    #[default]
    Wgs84,
    /// 国测局 GCJ-02: Amap (高德), Tencent maps.
    Gcj02,
    /// Baidu's BD-09.
    Bd09,
}

impl crate::options::OptionValue for Crs {}

impl Crs {
    pub fn key(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }

    /// `(lon, lat)` in this system, in WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lon, lat),
            Crs::Gcj02 => gcj02_to_wgs84(lon, lat),
            Crs::Bd09 => {
                let (x, y) = bd09_to_gcj02(lon, lat);
                gcj02_to_wgs84(x, y)
            }
        }
    }

    /// WGS84 `(lon, lat)` in this system.
    pub fn from_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lon, lat),
            Crs::Gcj02 => wgs84_to_gcj02(lon, lat),
            Crs::Bd09 => {
                let (x, y) = wgs84_to_gcj02(lon, lat);
                gcj02_to_bd09(x, y)
            }
        }
    }

    /// Every position of a GeoJSON geometry in this system converted to
    /// WGS84. Positions that are not finite degrees on the globe are left
    /// as they are, for the reader's coordinate check to name them.
    pub fn geometry_to_wgs84(self, value: &mut GeometryValue) {
        if self != Crs::Wgs84 {
            for_each_position(value, &mut |p| convert(p, |x, y| self.to_wgs84(x, y)));
        }
    }

    /// Every position of a WGS84 GeoJSON geometry converted to this system.
    pub fn geometry_from_wgs84(self, value: &mut GeometryValue) {
        if self != Crs::Wgs84 {
            for_each_position(value, &mut |p| convert(p, |x, y| self.from_wgs84(x, y)));
        }
    }

    /// A WGS84 `geo` geometry converted to this system (shapefile output).
    pub fn geo_from_wgs84<G: MapCoordsInPlace<f64>>(self, g: &mut G) {
        if self != Crs::Wgs84 {
            g.map_coords_in_place(|Coord { x, y }| {
                let (x, y) = self.from_wgs84(x, y);
                Coord { x, y }
            });
        }
    }

    /// Whether the system shifts `(lon, lat)`: only inside mainland China.
    /// Always false for WGS84.
    pub fn shifts(self, lon: f64, lat: f64) -> bool {
        self != Crs::Wgs84 && in_mainland_china(lon, lat)
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

fn convert(p: &mut [f64], f: impl Fn(f64, f64) -> (f64, f64)) {
    let on_globe =
        p.len() >= 2 && (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1]);
    if on_globe {
        let (x, y) = f(p[0], p[1]);
        p[0] = x;
        p[1] = y;
    }
}

/// Calls `f` on every position of a geometry.
pub fn for_each_position(value: &mut GeometryValue, f: &mut impl FnMut(&mut [f64])) {
    match value {
        GeometryValue::Point { coordinates } => f(coordinates.as_slice_mut()),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.iter_mut().for_each(|p| f(p.as_slice_mut()))
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates
                .iter_mut()
                .flatten()
                .for_each(|p| f(p.as_slice_mut()))
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter_mut()
            .flatten()
            .flatten()
            .for_each(|p| f(p.as_slice_mut())),
        GeometryValue::GeometryCollection { geometries } => geometries
            .iter_mut()
            .for_each(|g| for_each_position(&mut g.value, f)),
    }
}

/// Semi-major axis and eccentricity² of the Krasovsky 1940 ellipsoid, as
/// the published GCJ-02 formula uses them.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 offset (degrees) of a WGS84 point, without the outline test.
fn gcj02_offset(lon: f64, lat: f64) -> (f64, f64) {
    let d_lat = shift_lat(lon - 105.0, lat - 35.0);
    let d_lon = shift_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat =
        (d_lat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    (d_lon, d_lat)
}

pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    let (d_lon, d_lat) = gcj02_offset(lon, lat);
    (lon + d_lon, lat + d_lat)
}

/// The WGS84 point whose GCJ-02 image is `(lon, lat)`: the offset varies
/// slowly, so `w = g - offset(w)` converges by fixed-point iteration. The
/// outline is asked of the point found, as the forward transform asks it,
/// so that points near the border come back where they were.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (d_lon, d_lat) = gcj02_offset(x, y);
        let (ex, ey) = (x + d_lon - lon, y + d_lat - lat);
        x -= ex;
        y -= ey;
        if ex.abs() < 1e-10 && ey.abs() < 1e-10 {
            break;
        }
    }
    if in_mainland_china(x, y) {
        (x, y)
    } else {
        (lon, lat)
    }
}

const X_PI: f64 = PI * 3000.0 / 180.0;

pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// The GCJ-02 point whose BD-09 image is `(lon, lat)`, refined by the same
/// fixed-point iteration from Baidu's one-step inverse.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    let (mut gx, mut gy) = (z * theta.cos(), z * theta.sin());
    for _ in 0..10 {
        let (bx, by) = gcj02_to_bd09(gx, gy);
        let (ex, ey) = (bx - lon, by - lat);
        gx -= ex;
        gy -= ey;
        if ex.abs() < 1e-10 && ey.abs() < 1e-10 {
            break;
        }
    }
    (gx, gy)
}

/// A simplified outline of mainland China (lon, lat), drawn for this
/// purpose from the land borders and a line offshore: it leaves out Hong
/// Kong, Macau and Taiwan and keeps Hainan. Points near a land border may
/// fall on the wrong side by a few kilometres; no county seat does.
const MAINLAND_OUTLINE: &[(f64, f64)] = &[
    // South coast, Vietnam border to Hainan and on to Macau.
    (108.05, 21.45),
    (108.30, 18.30),
    (109.60, 17.85),
    (111.30, 19.50),
    (111.40, 21.30),
    (113.20, 21.70),
    (113.54, 22.00),
    // Between Hengqin and Macau, then across the Pearl River estuary.
    (113.555, 22.10),
    (113.53, 22.16),
    (113.533, 22.213),
    (113.555, 22.217),
    (113.60, 22.235),
    (113.86, 22.44),
    // Shenzhen Bay and the Shenzhen River.
    (113.95, 22.505),
    (114.03, 22.505),
    (114.10, 22.535),
    (114.16, 22.555),
    (114.23, 22.556),
    (114.40, 22.57),
    (114.50, 22.40),
    // East coast, west of the Taiwan Strait's median.
    (116.60, 22.60),
    (117.60, 23.20),
    (118.60, 24.20),
    (119.50, 25.00),
    (120.10, 25.60),
    (120.50, 26.60),
    (121.50, 28.00),
    (122.50, 29.70),
    (123.00, 30.60),
    (122.20, 31.80),
    (121.30, 33.00),
    (120.70, 34.60),
    (121.00, 35.60),
    (122.90, 36.80),
    (122.90, 37.60),
    (123.30, 38.60),
    // The Yalu and Tumen rivers (North Korea).
    (124.30, 39.85),
    (125.00, 40.45),
    (126.00, 40.95),
    (126.90, 41.75),
    (128.10, 41.40),
    (128.40, 42.00),
    (129.70, 42.40),
    (129.90, 42.95),
    (130.60, 42.42),
    // Russia: Ussuri and Amur.
    (131.20, 42.95),
    (131.20, 44.90),
    (133.10, 45.10),
    (134.70, 48.30),
    (132.50, 47.70),
    (130.95, 47.75),
    (130.60, 48.90),
    (127.60, 49.80),
    (125.60, 53.10),
    (123.30, 53.60),
    (120.80, 53.30),
    (119.20, 50.30),
    (117.80, 49.55),
    // Mongolia.
    (116.60, 49.90),
    (115.50, 48.10),
    (118.20, 47.70),
    (119.70, 47.20),
    (118.40, 46.70),
    (116.00, 45.70),
    (113.60, 44.75),
    (112.00, 43.70),
    (110.00, 42.60),
    (107.00, 42.40),
    (105.00, 41.60),
    (100.00, 42.65),
    (96.40, 42.75),
    (95.30, 44.30),
    (93.50, 45.00),
    (91.00, 45.40),
    (90.70, 47.00),
    (88.00, 48.50),
    (87.30, 49.15),
    // Kazakhstan, Kyrgyzstan, Tajikistan, Pakistan.
    (86.00, 48.50),
    (85.50, 47.00),
    (83.00, 47.20),
    (82.50, 45.50),
    (80.00, 45.00),
    (80.20, 42.90),
    (78.50, 41.50),
    (75.50, 40.60),
    (73.60, 39.60),
    (73.70, 38.50),
    (74.90, 37.20),
    (75.50, 36.80),
    (77.80, 35.60),
    // India, Nepal, Bhutan, Myanmar.
    (79.50, 35.00),
    (78.80, 32.50),
    (79.00, 31.20),
    (81.00, 30.20),
    (84.00, 28.60),
    (86.00, 27.95),
    (88.10, 27.90),
    (89.00, 27.30),
    (92.00, 27.80),
    (95.00, 29.20),
    (97.00, 28.30),
    (98.70, 27.50),
    (97.60, 24.80),
    (98.90, 23.60),
    (99.50, 22.30),
    // Laos and Vietnam.
    (101.20, 21.20),
    (101.80, 22.40),
    (102.50, 22.75),
    (103.90, 22.50),
    (105.50, 23.30),
    (106.70, 22.80),
    (107.40, 21.70),
];

fn outline() -> &'static Polygon<f64> {
    static OUTLINE: OnceLock<Polygon<f64>> = OnceLock::new();
    OUTLINE.get_or_init(|| {
        let mut ring: Vec<(f64, f64)> = MAINLAND_OUTLINE.to_vec();
        ring.push(ring[0]);
        Polygon::new(LineString::from(ring), vec![])
    })
}

/// Whether `(lon, lat)` lies in mainland China, where GCJ-02 and BD-09
/// shift positions.
pub fn in_mainland_china(lon: f64, lat: f64) -> bool {
    lon.is_finite() && lat.is_finite() && outline().contains(&Point::new(lon, lat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::haversine_m;

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        haversine_m(Point::new(a.0, a.1), Point::new(b.0, b.1))
    }

    #[test]
    fn the_outline_holds_mainland_cities_and_leaves_out_their_neighbours() {
        let inside = [
            ("Beijing", 116.40, 39.90),
            ("Shanghai", 121.47, 31.23),
            ("Hangzhou", 120.16, 30.27),
            ("Shenzhen Futian", 114.06, 22.54),
            ("Zhuhai Gongbei", 113.55, 22.23),
            ("Xiamen", 118.09, 24.48),
            ("Haikou", 110.33, 20.03),
            ("Sanya", 109.51, 18.25),
            ("Harbin", 126.63, 45.75),
            ("Dandong", 124.38, 40.13),
            ("Urumqi", 87.62, 43.83),
            ("Kashgar", 75.99, 39.47),
            ("Lhasa", 91.11, 29.65),
            ("Kunming", 102.71, 25.04),
            ("Hohhot", 111.75, 40.84),
            ("Manzhouli", 117.43, 49.59),
            ("Mohe", 122.53, 52.97),
        ];
        for (name, lon, lat) in inside {
            assert!(in_mainland_china(lon, lat), "{name}");
        }
        let outside = [
            ("Hong Kong Central", 114.16, 22.28),
            ("Hong Kong Sheung Shui", 114.13, 22.50),
            ("Macau", 113.54, 22.19),
            ("Taipei", 121.56, 25.04),
            ("Kaohsiung", 120.30, 22.62),
            ("Seoul", 126.98, 37.57),
            ("Pyongyang", 125.75, 39.03),
            ("Ulaanbaatar", 106.91, 47.92),
            ("Vladivostok", 131.89, 43.12),
            ("Hanoi", 105.85, 21.03),
            ("Almaty", 76.89, 43.24),
            ("Kathmandu", 85.32, 27.72),
            ("Tokyo", 139.69, 35.69),
            ("Santa Rosa", -122.71, 38.44),
        ];
        for (name, lon, lat) in outside {
            assert!(!in_mainland_china(lon, lat), "{name}");
            assert_eq!(Crs::Gcj02.to_wgs84(lon, lat), (lon, lat), "{name}");
            assert_eq!(Crs::Gcj02.from_wgs84(lon, lat), (lon, lat), "{name}");
        }
    }

    /// Published values (the coordtransform library's examples) and the
    /// size of the shift in Hangzhou (about 500 m).
    #[test]
    fn forward_transforms_match_published_values() {
        let (x, y) = wgs84_to_gcj02(116.404, 39.915);
        assert!((x - 116.410_244_499_169_38).abs() < 1e-8, "{x}");
        assert!((y - 39.916_404_281_501_64).abs() < 1e-8, "{y}");
        let (x, y) = gcj02_to_bd09(116.404, 39.915);
        assert!((x - 116.410_369_493_710_29).abs() < 1e-8, "{x}");
        assert!((y - 39.921_336_993_510_21).abs() < 1e-8, "{y}");
        let shift = metres((120.16, 30.27), wgs84_to_gcj02(120.16, 30.27));
        assert!((400.0..650.0).contains(&shift), "{shift}");
    }

    #[test]
    fn round_trips_stay_within_half_a_metre_over_china() {
        let mut worst: f64 = 0.0;
        let mut shifted = 0;
        for i in 0..=60 {
            for j in 0..=40 {
                let (lon, lat) = (73.0 + i as f64 * 1.05, 18.0 + j as f64 * 0.9);
                if !in_mainland_china(lon, lat) {
                    continue;
                }
                shifted += 1;
                for crs in [Crs::Gcj02, Crs::Bd09] {
                    let (x, y) = crs.from_wgs84(lon, lat);
                    let back = crs.to_wgs84(x, y);
                    worst = worst.max(metres((lon, lat), back));
                }
            }
        }
        assert!(shifted > 800, "{shifted} grid points in China");
        assert!(worst < 0.01, "worst round trip {worst} m");
    }

    #[test]
    fn geometries_convert_every_position_and_leave_bad_ones_for_the_check() {
        let mut g = GeometryValue::Polygon {
            coordinates: vec![vec![
                vec![120.0, 30.0].into(),
                vec![120.01, 30.0].into(),
                vec![120.0, 30.01].into(),
                vec![120.0, 30.0].into(),
            ]],
        };
        Crs::Gcj02.geometry_from_wgs84(&mut g);
        Crs::Gcj02.geometry_to_wgs84(&mut g);
        let GeometryValue::Polygon { coordinates } = &g else {
            unreachable!()
        };
        assert!(metres((120.01, 30.0), (coordinates[0][1][0], coordinates[0][1][1])) < 0.01);
        let mut bad = GeometryValue::Point {
            coordinates: vec![f64::NAN, 300.0].into(),
        };
        Crs::Gcj02.geometry_to_wgs84(&mut bad);
        let GeometryValue::Point { coordinates } = &bad else {
            unreachable!()
        };
        assert_eq!(coordinates[1], 300.0);
    }
}
