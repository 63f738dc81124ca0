//! Great-circle distances.
//!
//! Points are also kept as unit vectors in 3-D: the straight-line (chord)
//! distance between two unit vectors grows strictly with the great-circle
//! distance, so an R-tree over them finds the truly nearest schools at any
//! latitude, which a tree over raw degrees would not (a degree of longitude
//! shrinks towards the poles).

use geo::Point;

/// Mean Earth radius (IUGG), as used by the haversine formula.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Unit vector of a lon/lat point (degrees).
pub fn unit_vector(p: Point<f64>) -> [f64; 3] {
    let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance in metres (haversine).
pub fn haversine_m(a: Point<f64>, b: Point<f64>) -> f64 {
    let (lat1, lat2) = (a.y().to_radians(), b.y().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.x() - a.x()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Chord length (on the unit sphere) of a great-circle distance in metres.
pub fn chord_for_m(m: f64) -> f64 {
    let angle = (m / EARTH_RADIUS_M).min(std::f64::consts::PI);
    2.0 * (angle / 2.0).sin()
}

/// Great-circle metres of a chord length on the unit sphere.
pub fn m_for_chord(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_M * (chord / 2.0).min(1.0).asin()
}

/// Great-circle metres between two points, rounded, computed the way every
/// candidate distance is (through the chord), so that the same pair always
/// gets the same integer cost.
pub fn rounded_metres(a: Point<f64>, b: Point<f64>) -> i64 {
    let (va, vb) = (unit_vector(a), unit_vector(b));
    let chord2 = (va[0] - vb[0]).powi(2) + (va[1] - vb[1]).powi(2) + (va[2] - vb[2]).powi(2);
    metres_of_chord2(chord2)
}

/// Rounded great-circle metres of a squared chord on the unit sphere.
pub fn metres_of_chord2(chord2: f64) -> i64 {
    m_for_chord(chord2.sqrt()).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distance() {
        // Hangzhou West Lake to Shanghai People's Square: about 165 km.
        let d = haversine_m(Point::new(120.1551, 30.2741), Point::new(121.4737, 31.2304));
        assert!((d - 164_500.0).abs() < 1_500.0, "{d}");
    }

    #[test]
    fn chord_round_trip_and_agreement() {
        let a = Point::new(116.4, 39.9);
        let b = Point::new(116.5, 40.0);
        let (va, vb) = (unit_vector(a), unit_vector(b));
        let chord =
            ((va[0] - vb[0]).powi(2) + (va[1] - vb[1]).powi(2) + (va[2] - vb[2]).powi(2)).sqrt();
        let m = haversine_m(a, b);
        assert!(
            (m_for_chord(chord) - m).abs() < 1e-3,
            "{} {m}",
            m_for_chord(chord)
        );
        assert!((chord_for_m(m) - chord).abs() < 1e-12);
    }
}
