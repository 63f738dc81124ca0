//! The one source of every distance a plan uses: great-circle, or along
//! the roads where a road network is given. Whatever asks how far a zone
//! (or any point) is from a school — the solver's candidate lists and
//! costs, the bound, repairs, bands, the lottery, projections, reports and
//! the officers' map — asks the region's [`Distances`], so a plan never
//! mixes two notions of distance. The road measure itself lives with the
//! network (`spatial`); the region holds it behind [`RoadMeasure`].

use std::any::Any;
use std::sync::Arc;

use geo::{Coord, Point};

use super::geodesy::rounded_metres;

/// Distance along roads, as the region asks for it.
pub trait RoadMeasure: Send + Sync + std::fmt::Debug {
    /// Rounded metres from `from` to `to`, whose great-circle metres are
    /// `straight`; never less than `straight`.
    fn metres(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64;
    /// Rounded metres of the way [`RoadMeasure::metres`] prices (the same
    /// number unless its costs are travel times).
    fn length(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64;
    /// Where costs are travel times: the cost metres one minute is worth.
    fn metres_per_minute(&self) -> Option<f64>;
    /// `walk` or `drive`.
    fn kind(&self) -> &'static str;
    /// The way along the roads (lon/lat), where both ends join them.
    fn way(&self, from: Point<f64>, to: Point<f64>) -> Option<Vec<Coord<f64>>>;
    /// The measure itself, for the reports that describe it.
    fn as_any(&self) -> &dyn Any;
    /// Where the spatial index keeps the nearest lists it found by this
    /// measure, for as long as the measure lives (`spatial::NearestMemo`).
    fn nearest_memo(&self) -> Option<&dyn Any> {
        None
    }
}

/// Distances of one region: straight (great-circle) by default.
#[derive(Clone, Debug, Default)]
pub struct Distances {
    road: Option<Arc<dyn RoadMeasure>>,
}

impl Distances {
    pub fn by_road(road: Arc<dyn RoadMeasure>) -> Distances {
        Distances { road: Some(road) }
    }

    /// The road measure, where distances are by road.
    pub fn road(&self) -> Option<&dyn RoadMeasure> {
        self.road.as_deref()
    }

    /// `walk`, `drive` or `straight`.
    pub fn kind(&self) -> &'static str {
        self.road.as_ref().map_or("straight", |r| r.kind())
    }

    /// With `objective_unit = "minutes"`: the cost metres one minute of
    /// travel is worth (every cost is then a time, counted as the metres
    /// the network's fastest way covers in it).
    pub fn metres_per_minute(&self) -> Option<f64> {
        self.road.as_ref().and_then(|r| r.metres_per_minute())
    }

    /// `km` or `minutes`: what [`Distances::metres`] counts.
    pub fn unit(&self) -> &'static str {
        if self.metres_per_minute().is_some() {
            "minutes"
        } else {
            "km"
        }
    }

    /// Minutes of travel a cost is worth (by time), else `None`.
    pub fn minutes(&self, cost_metres: i64) -> Option<f64> {
        self.metres_per_minute().map(|m| cost_metres as f64 / m)
    }

    /// Metres of the way from a point to another as people travel it:
    /// [`Distances::metres`] itself, unless costs are travel times, then
    /// the road metres of the fastest way.
    pub fn length(&self, from: Point<f64>, to: Point<f64>) -> i64 {
        let straight = rounded_metres(from, to);
        match &self.road {
            None => straight,
            Some(road) => road.length(from, to, straight),
        }
    }

    /// The metres of a way whose cost [`Distances::metres`] gave: the cost
    /// itself by length (no second look-up), else [`Distances::length`].
    pub fn length_of(&self, from: Point<f64>, to: Point<f64>, cost: i64) -> i64 {
        match self.metres_per_minute() {
            None => cost,
            Some(_) => self.length(from, to),
        }
    }

    /// The cost of the way from a zone's centroid (or any point) to a
    /// school's location (or any point), rounded so that costs compare
    /// exactly: metres, or with `objective_unit = "minutes"` a travel time
    /// counted as the metres the network's fastest way covers in it. Never
    /// less than the great-circle metres, which therefore bound it from
    /// below.
    pub fn metres(&self, from: Point<f64>, to: Point<f64>) -> i64 {
        let straight = rounded_metres(from, to);
        match &self.road {
            None => straight,
            Some(road) => road.metres(from, to, straight),
        }
    }

    /// The way from a point to a school's location as a line (lon/lat) and
    /// its rounded metres ([`Distances::length`]): along the roads where
    /// the distances are by road and both ends join the network, else the
    /// straight line (its metres with the detour of a zone that falls
    /// back).
    pub fn route(&self, from: Point<f64>, to: Point<f64>) -> (Vec<Coord<f64>>, i64) {
        let metres = self.length(from, to);
        let line = self
            .road
            .as_ref()
            .and_then(|r| r.way(from, to))
            .unwrap_or_else(|| vec![from.0, to.0]);
        (line, metres)
    }

    /// Great-circle metres, whatever the distances are (for the
    /// `straight_km_*` figures beside the road ones).
    pub fn straight_metres(from: Point<f64>, to: Point<f64>) -> i64 {
        rounded_metres(from, to)
    }
}
