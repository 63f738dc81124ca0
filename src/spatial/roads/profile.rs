//! Who may use which way, and in which direction: the OpenStreetMap rules
//! for walking and driving.

use std::collections::BTreeMap;

use geo::Coord;

/// One road or path as read from a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Way {
    pub coords: Vec<Coord<f64>>,
    /// Node ids of `coords` (same length) where the source has them
    /// (OpenStreetMap): ways then meet exactly where they share an id, so a
    /// bridge over a street is no junction even where their vertices touch.
    /// Without ids, ways meet where vertices lie within 1 m.
    pub node_ids: Option<Vec<i64>>,
    /// `highway`, `oneway`, `foot`, `access`, `junction`, `speed_kmh`, ...
    pub tags: BTreeMap<String, String>,
}

/// How children travel: on foot (every way both directions, except those
/// closed to walkers) or by car (roads only, one-way streets respected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    Walk,
    Drive,
}

/// Ways closed to walkers whatever their other tags.
const NOT_WALKABLE: [&str; 6] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "construction",
    "proposed",
];

/// Ways a car may use.
const DRIVABLE: [&str; 16] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "residential",
    "unclassified",
    "living_street",
    "service",
    "road",
    "road_link",
];

/// Walking speed on every way, km/h (a child's pace with a parent).
pub const WALK_KMH: f64 = 4.5;

/// Driving speed by `highway`, km/h, where a way gives no `speed_kmh`:
/// typical urban speeds of Chinese county roads, not legal limits.
pub const DRIVE_KMH: [(&str, f64); 16] = [
    ("motorway", 100.0),
    ("motorway_link", 100.0),
    ("trunk", 80.0),
    ("trunk_link", 80.0),
    ("primary", 60.0),
    ("primary_link", 60.0),
    ("secondary", 50.0),
    ("secondary_link", 50.0),
    ("tertiary", 40.0),
    ("tertiary_link", 40.0),
    ("residential", 30.0),
    ("unclassified", 30.0),
    ("road", 30.0),
    ("road_link", 30.0),
    ("living_street", 15.0),
    ("service", 15.0),
];

/// Driving speed of a way without `highway` or `speed_kmh` (a bureau's own
/// road layer): a town street.
pub const DRIVE_DEFAULT_KMH: f64 = 30.0;

impl Profile {
    /// The speed this profile travels a way at, km/h: walking, one pace
    /// everywhere; driving, the way's `speed_kmh` where it gives a positive
    /// number, else [`DRIVE_KMH`] for its `highway`.
    pub fn speed_kmh(self, tags: &BTreeMap<String, String>) -> f64 {
        match self {
            Profile::Walk => WALK_KMH,
            Profile::Drive => {
                let given = tags
                    .get("speed_kmh")
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v > 0.0);
                given.unwrap_or_else(|| {
                    let highway = tags.get("highway").map(|h| h.trim().to_ascii_lowercase());
                    DRIVE_KMH
                        .iter()
                        .find(|(h, _)| Some(*h) == highway.as_deref())
                        .map_or(DRIVE_DEFAULT_KMH, |&(_, v)| v)
                })
            }
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Profile::Walk => "walk",
            Profile::Drive => "drive",
        }
    }

    /// The directions this profile may travel a way, (along its
    /// coordinates, against them); `None` where it may not use it. A way
    /// without `highway` (a bureau's own road layer often has none) is a
    /// road open to both.
    pub fn directions(self, tags: &BTreeMap<String, String>) -> Option<(bool, bool)> {
        let tag = |k: &str| tags.get(k).map(|v| v.trim().to_ascii_lowercase());
        let highway = tag("highway");
        let access = tag("access");
        let closed = matches!(access.as_deref(), Some("no" | "private"));
        match self {
            Profile::Walk => {
                if highway
                    .as_deref()
                    .is_some_and(|h| NOT_WALKABLE.contains(&h))
                {
                    return None;
                }
                let foot = tag("foot");
                let open = match foot.as_deref() {
                    Some("yes" | "designated") => true,
                    Some("no") => false,
                    _ => !closed,
                };
                open.then_some((true, true))
            }
            Profile::Drive => {
                if closed || highway.as_deref().is_some_and(|h| !DRIVABLE.contains(&h)) {
                    return None;
                }
                Some(match tag("oneway").as_deref() {
                    Some("yes" | "true" | "1") => (true, false),
                    Some("-1" | "reverse") => (false, true),
                    Some(_) => (true, true),
                    None => {
                        let implied = highway.as_deref() == Some("motorway")
                            || tag("junction").as_deref() == Some("roundabout");
                        (true, !implied)
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn walking_follows_the_osm_rules() {
        let walk = |p: &[(&str, &str)]| Profile::Walk.directions(&tags(p));
        assert_eq!(walk(&[("highway", "residential")]), Some((true, true)));
        assert_eq!(walk(&[]), Some((true, true)));
        assert_eq!(walk(&[("highway", "motorway")]), None);
        assert_eq!(walk(&[("highway", "trunk_link")]), None);
        assert_eq!(walk(&[("highway", "footway"), ("foot", "no")]), None);
        assert_eq!(walk(&[("highway", "service"), ("access", "private")]), None);
        assert_eq!(
            walk(&[("highway", "service"), ("access", "no"), ("foot", "yes")]),
            Some((true, true))
        );
        assert_eq!(
            walk(&[("highway", "primary"), ("oneway", "yes")]),
            Some((true, true))
        );
    }

    #[test]
    fn speeds_come_from_the_way_or_its_highway() {
        let drive = |p: &[(&str, &str)]| Profile::Drive.speed_kmh(&tags(p));
        assert_eq!(drive(&[("highway", "primary")]), 60.0);
        assert_eq!(drive(&[("highway", "residential")]), 30.0);
        assert_eq!(drive(&[("highway", "primary"), ("speed_kmh", "45")]), 45.0);
        assert_eq!(
            drive(&[("highway", "primary"), ("speed_kmh", "fast")]),
            60.0
        );
        assert_eq!(drive(&[]), DRIVE_DEFAULT_KMH);
        let walk = Profile::Walk.speed_kmh(&tags(&[("highway", "primary"), ("speed_kmh", "60")]));
        assert_eq!(walk, WALK_KMH);
    }

    #[test]
    fn driving_keeps_to_roads_and_one_way_streets() {
        let drive = |p: &[(&str, &str)]| Profile::Drive.directions(&tags(p));
        assert_eq!(drive(&[("highway", "footway")]), None);
        assert_eq!(drive(&[("highway", "residential")]), Some((true, true)));
        assert_eq!(
            drive(&[("highway", "residential"), ("oneway", "yes")]),
            Some((true, false))
        );
        assert_eq!(
            drive(&[("highway", "residential"), ("oneway", "-1")]),
            Some((false, true))
        );
        assert_eq!(drive(&[("highway", "motorway")]), Some((true, false)));
        assert_eq!(
            drive(&[("highway", "motorway"), ("oneway", "no")]),
            Some((true, true))
        );
        assert_eq!(drive(&[("highway", "service"), ("access", "no")]), None);
    }
}
