//! The policy passes, in the order the allocation core runs them after the
//! distance-optimal solve (special children take their resource-room seats
//! before it: [`super::special`]): connected catchments (`contiguity`, with
//! `seat_fit` for tight maps), the migrant share band (`migrant_band`),
//! utilization balance (`balance`), feeder alignment (`feeders`) and last
//! the purchased seats for migrant children left without a public seat
//! (`purchased_seats`). Each pass edits the plan through the zone-move
//! engine ([`super::zone_moves`]) or its own exact sub-problem, never breaking
//! a hard limit.

pub mod balance;
pub mod contiguity;
pub mod feeders;
pub mod migrant_band;
pub mod purchased_seats;
mod seat_fit;
