//! Where one more class helps most: every public school ranked by the
//! shortage it would remove and the child-km it would save with one extra
//! entry class.
//!
//! The relaxation's dual price of a school's seat is the marginal value of
//! one seat there (metres of travel, or a whole child's seat when it is
//! [`UNPLACED_COST_M`] or more). Prices are exact only at the margin: a
//! class adds 45 or 50 seats, and the relaxation's value is convex in the
//! seats, so the price times the class size is an upper bound on what the
//! class gains. Each school with a positive price is therefore solved again
//! with the extra class, which gives the exact gain in the relaxation; a
//! school with price 0 gains nothing from it (convexity again), so it is
//! not solved again.
//!
//! One class more means: `classes + 1`, and an explicit intake cap (where
//! given) raised by the class size, as a new classroom brings its seats. A
//! school whose size limit binds (its limit's own price is positive) gains
//! nothing from classes alone; it is marked so the planner knows why.

use rayon::prelude::*;

use super::relaxed::{Relaxed, Score};
use crate::model::{Region, Stage};
use crate::policy::Policy;
use crate::solve::UNPLACED_COST_M;

/// The value of one more entry class at a school's stage.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassValue {
    pub school: usize,
    pub stage: Stage,
    /// Entry classes the school can open today.
    pub classes: Option<u32>,
    /// Dual price of one seat, metres (>= [`UNPLACED_COST_M`]: a child
    /// without a seat would get one).
    pub seat_price_m: i64,
    /// The school size limit binds: extra classes alone do not help.
    pub limited_by_size: bool,
    /// Children without a seat who would get one (relaxation re-solved).
    pub shortage_removed: u64,
    /// Child-metres of travel saved (negative when newly placed children
    /// travel).
    pub travel_saved_m: i128,
}

impl ClassValue {
    /// The dual estimate of one class's gain: seat price times seats, in
    /// km (None when the price is a shortage price, whose km mean nothing).
    pub fn dual_km_per_class(&self, class_limit: u32) -> Option<f64> {
        (self.seat_price_m < UNPLACED_COST_M / 2)
            .then(|| self.seat_price_m as f64 * class_limit as f64 / 1000.0)
    }
}

/// Ranks every public school's stage that has a class or seat limit, best
/// first, and returns the base relaxation's score with it.
pub fn rank_classes(region: &Region, policy: &Policy, k: usize) -> (Score, Vec<ClassValue>) {
    let base = Relaxed::solve(region, policy, k);
    let before = base.score();
    let mut items: Vec<(usize, Stage)> = Vec::new();
    for (s, school) in region.schools.iter().enumerate() {
        for stage in Stage::ALL {
            let i = stage.index();
            if school.takes_catchment(stage)
                && (school.classes[i].is_some() || school.capacity[i].is_some())
            {
                items.push((s, stage));
            }
        }
    }
    let mut values: Vec<ClassValue> = items
        .par_iter()
        .map(|&(s, stage)| {
            let i = stage.index();
            let price = base.seat_price(s, stage).unwrap_or(0);
            let limited_by_size = base.limit_price(s, stage).unwrap_or(0) > 0;
            let (shortage_removed, travel_saved_m) = if price > 0 {
                let mut schools = region.schools.clone();
                let school = &mut schools[s];
                let limit = policy.stage(stage).class_limit;
                school.classes[i] = school.classes[i].map(|c| c + 1);
                school.capacity[i] = school.capacity[i].map(|c| c + limit);
                let after =
                    Relaxed::solve_parts(&region.zones, &schools, &region.distances, policy, k)
                        .score();
                (
                    before.unplaced.saturating_sub(after.unplaced),
                    before.travel_m - after.travel_m,
                )
            } else {
                (0, 0)
            };
            ClassValue {
                school: s,
                stage,
                classes: region.schools[s].classes[i],
                seat_price_m: price,
                limited_by_size,
                shortage_removed,
                travel_saved_m,
            }
        })
        .collect();
    values.sort_by(|a, b| {
        b.shortage_removed
            .cmp(&a.shortage_removed)
            .then(b.travel_saved_m.cmp(&a.travel_saved_m))
            .then(b.seat_price_m.cmp(&a.seat_price_m))
            .then(a.school.cmp(&b.school))
            .then(a.stage.cmp(&b.stage))
    });
    (before, values)
}
