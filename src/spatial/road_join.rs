//! Joining a region to the roads file it is planned with: the network of
//! the chosen profile, every zone and school snapped to it, and the checks
//! that the file is the county's (usable ways, near the zones, most zones
//! on it).

use std::path::{Path, PathBuf};

use geo::{Coord, Rect};

use super::distances::RoadDistances;
use super::roads::{Network, Profile, Way, Weight};
use crate::model::Region;

/// How the network is made and joined.
#[derive(Clone, Copy, Debug)]
pub struct RoadSettings {
    pub profile: Profile,
    /// Length, or travel time (`objective_unit = "minutes"`).
    pub weight: Weight,
    pub max_snap_m: f64,
    /// More than half of the zones may fall back to straight lines.
    pub allow_fallback: bool,
}

/// A roads file that cannot serve the region.
#[derive(Debug, thiserror::Error)]
pub enum RoadsError {
    #[error(
        "{path}: no way is usable for distance = \"{profile}\" ({ways} ways read); expected roads or paths with a `highway` open to it (walk: not motorway/trunk, not foot=no or access=no|private; drive: motorway..residential, unclassified, living_street, service)"
    )]
    NoUsableWays {
        path: PathBuf,
        profile: &'static str,
        ways: usize,
    },
    #[error(
        "{path}: lies outside the zones' area: no zone is within max_snap_m = {max_snap_m} m of its roads (roads span lon {roads}, zones lon {zones}); expected the road layer of the same county, in WGS84 lon/lat"
    )]
    Outside {
        path: PathBuf,
        max_snap_m: f64,
        roads: String,
        zones: String,
    },
    #[error(
        "{path}: {fallback} of {zones} zones cannot use the road network and would fall back to straight lines (first: {first}); check the roads file covers the county, raise --max-snap-m, or give --allow-fallback to plan anyway"
    )]
    MostFallBack {
        path: PathBuf,
        fallback: usize,
        zones: usize,
        first: String,
    },
}

/// The zones' bounding box widened by `margin_m` (for clipping extracts).
pub fn zones_area(region: &Region, margin_m: f64) -> Rect<f64> {
    let (mut lo, mut hi) = (
        Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        },
        Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        },
    );
    let points = region
        .zones
        .iter()
        .map(|z| z.centroid)
        .chain(region.schools.iter().map(|s| s.location));
    for p in points {
        lo.x = lo.x.min(p.x());
        lo.y = lo.y.min(p.y());
        hi.x = hi.x.max(p.x());
        hi.y = hi.y.max(p.y());
    }
    if !lo.x.is_finite() {
        return Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 });
    }
    let dlat = margin_m / 111_195.0;
    let dlon = dlat / hi.y.abs().max(lo.y.abs()).to_radians().cos().max(0.01);
    Rect::new(
        Coord {
            x: (lo.x - dlon).max(-180.0),
            y: (lo.y - dlat).max(-90.0),
        },
        Coord {
            x: (hi.x + dlon).min(180.0),
            y: (hi.y + dlat).min(90.0),
        },
    )
}

/// The region measured along the ways of `path`, checked.
pub fn join(
    path: &Path,
    ways: &[Way],
    region: &Region,
    settings: &RoadSettings,
) -> Result<RoadDistances, RoadsError> {
    join_network(path, network(path, ways, settings)?, region, settings)
}

/// The network of the usable ways of `path` for the settings' profile.
pub fn network(path: &Path, ways: &[Way], settings: &RoadSettings) -> Result<Network, RoadsError> {
    let network = Network::build_weighted(ways, settings.profile, settings.weight);
    if network.edges.is_empty() {
        return Err(RoadsError::NoUsableWays {
            path: path.to_path_buf(),
            profile: settings.profile.key(),
            ways: ways.len(),
        });
    }
    Ok(network)
}

/// The region measured along the network of `path`, checked: near the
/// zones, and most zones on it.
pub fn join_network(
    path: &Path,
    network: Network,
    region: &Region,
    settings: &RoadSettings,
) -> Result<RoadDistances, RoadsError> {
    let span = |xs: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        format!("{lo:.4}..{hi:.4}")
    };
    let roads_span = span(&mut network.coords.iter().map(|c| c.x));
    let road = RoadDistances::build(path.to_path_buf(), network, region, settings.max_snap_m);
    if road.zones_snapped == 0 && !region.zones.is_empty() {
        return Err(RoadsError::Outside {
            path: path.to_path_buf(),
            max_snap_m: settings.max_snap_m,
            roads: roads_span,
            zones: span(&mut region.zones.iter().map(|z| z.centroid.x())),
        });
    }
    let fallback: Vec<_> = road.fallback_zones().collect();
    if !settings.allow_fallback && fallback.len() * 2 > region.zones.len() {
        const SHOWN: usize = 5;
        let first = fallback
            .iter()
            .take(SHOWN)
            .map(|f| format!("zone {} ({})", f.id, f.reason))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(RoadsError::MostFallBack {
            path: path.to_path_buf(),
            fallback: fallback.len(),
            zones: region.zones.len(),
            first,
        });
    }
    Ok(road)
}
