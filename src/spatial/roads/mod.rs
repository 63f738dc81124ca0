//! Distance along roads and paths: the ways a reader gives (GeoJSON or
//! OpenStreetMap), the network a travel profile makes of them, where zones
//! and schools join it, and shortest paths over it.
//!
//! Readers produce [`Way`]s (coordinates, string tags, optional shared node
//! ids); everything after that is the same whatever the file format.

mod chains;
mod joining;
mod network;
mod profile;
mod shortest;

pub use chains::{Chain, Chains, Edge};
pub use network::{Network, Snap, Weight};
pub use profile::{DRIVE_DEFAULT_KMH, DRIVE_KMH, Profile, WALK_KMH, Way};
pub use shortest::{Departure, Field, Search, between, chain_ends, measure, path};
