//! Geography: distances on the globe and along roads, the nearest schools
//! of each zone, zone adjacency, barriers.

mod adjacency;
mod barriers;
mod candidates;
pub mod crs;
mod distances;
mod given_neighbours;
mod road_join;
pub mod roads;

pub use crate::model::Distances;
pub use crate::model::geodesy::{
    EARTH_RADIUS_M, chord_for_m, haversine_m, m_for_chord, metres_of_chord2, rounded_metres,
    unit_vector,
};
pub use adjacency::{Adjacency, DEFAULT_TOLERANCE_M, grow};
pub use barriers::{Barrier, BarrierIndex, lines_of};
pub use candidates::{Candidate, Nearest, SchoolIndex};
pub use crs::Crs;
pub use distances::{
    Detour, DistanceKind, Fallback, FallbackReason, ObjectiveUnit, Place, RoadDistances,
    road_distances,
};
pub use given_neighbours::GivenNeighbours;
pub use road_join::{RoadSettings, RoadsError, join, join_network, network, zones_area};
