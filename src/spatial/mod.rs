//! Geography: distances on the globe and along roads, the nearest schools
//! of each zone, zone adjacency, barriers.

mod adjacency;
mod barriers;
mod candidates;
mod distances;
mod geodesy;
pub mod roads;

pub use adjacency::{Adjacency, DEFAULT_TOLERANCE_M};
pub use barriers::{Barrier, BarrierIndex, lines_of};
pub use candidates::{Candidate, Nearest, SchoolIndex};
pub use distances::{
    Detour, DistanceKind, Distances, Fallback, FallbackReason, Place, RoadDistances,
};
pub use geodesy::{
    EARTH_RADIUS_M, chord_for_m, haversine_m, m_for_chord, metres_of_chord2, rounded_metres,
    unit_vector,
};
