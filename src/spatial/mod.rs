//! Geography: distances on the globe and the nearest schools of each zone.

mod adjacency;
mod barriers;
mod candidates;
pub mod crs;
mod geodesy;

pub use adjacency::{Adjacency, DEFAULT_TOLERANCE_M};
pub use barriers::{Barrier, BarrierIndex, lines_of};
pub use candidates::{Candidate, Nearest, SchoolIndex};
pub use crs::Crs;
pub use geodesy::{
    EARTH_RADIUS_M, chord_for_m, haversine_m, m_for_chord, metres_of_chord2, rounded_metres,
    unit_vector,
};
