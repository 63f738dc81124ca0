//! Geography: distances on the globe and the nearest schools of each zone.

mod candidates;
mod geodesy;

pub use candidates::{Candidate, Nearest, SchoolIndex};
pub use geodesy::{EARTH_RADIUS_M, chord_for_m, haversine_m, m_for_chord, unit_vector};
