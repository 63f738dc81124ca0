//! The policy passes, in the order the allocation core runs them: special
//! children take their resource-room seats before the distance-optimal
//! solve (`resource_rooms`); after it, connected catchments (`contiguity`,
//! with `seat_fit` for tight maps, `window` and `ball_window` for exact
//! re-solves and `apart` for why a piece is left), the migrant share band
//! (`migrant_band`),
//! utilization balance (`balance`), whole communities (`communities`),
//! feeder alignment (`feeders`) and last
//! the purchased seats for migrant children left without a public seat
//! (`purchased_seats`). Each pass edits the plan through the zone-move
//! engine ([`super::zone_moves`]) or its own exact sub-problem, never breaking
//! a hard limit.

pub mod apart;
pub mod balance;
mod ball_window;
pub mod communities;
pub mod contiguity;
pub mod feeders;
pub mod migrant_band;
pub mod purchased_seats;
pub mod resource_rooms;
mod seat_fit;
mod window;
