//! The cheapest plan of a [`ConnectedModel`] in pieces: every seat limit
//! and root kept, catchments free to lie in pieces. The connected repair
//! needs it where no connected plan of a window is found: the window's
//! schools are fitted around their own zones, and the pieces that leaves
//! get windows of their own, so the fit's cost is what the rest of the
//! repair builds on.
//!
//! Without the pieces rule the model is the county's own whole-zone
//! problem on a few dozen zones, so the whole-zone core solves it
//! (relaxation, rounding, Lagrangian bound, windows, branch and bound).
//! The connected search, given no pieces to prune by, kept finding cheaper
//! plans to the end of its 50,000 nodes: on the first own-zone window of a
//! tight 300-zone map (63 zones, 11 schools) the core's plan is 11 %
//! cheaper than the search's best.

use super::{ConnectedModel, ConnectedPlan};
use crate::solve::{
    Arc, Assignment, Instance, Settings, Target, UNPLACED_COST_M, relax, solve, whole, window,
};

/// How far the core takes a plan in pieces. Each ends somewhere else, and
/// the connected repairs started from them join different catchments. On
/// the ten of 146 tight 300-zone maps that a first repair leaves in pieces,
/// the full core's start joins seeds 52, 60, 66 and 67, the windowed one
/// 22, 30, 60, 66 and 109, the rounded one 18; with all three, 5
/// catchments are left in pieces instead of the full core's 14.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The core as for a county: relaxation, rounding, Lagrangian bound,
    /// windows, branch and bound.
    Solved,
    /// The relaxation rounded to whole zones and polished.
    Rounded,
    /// The rounded plan improved by windows.
    Windowed,
}

/// The core's plan of `model` in pieces; `None` where it leaves a child
/// without a seat (the seats may still admit a plan it did not find).
pub fn in_pieces(model: &ConnectedModel) -> Option<ConnectedPlan> {
    fitted(model, Fit::Solved)
}

/// The plan of `model` in pieces as far as `fit` takes it; `None` where
/// it leaves a child without a seat.
pub fn fitted(model: &ConnectedModel, fit: Fit) -> Option<ConnectedPlan> {
    let inst = instance(model);
    let (assignment, bound) = match fit {
        Fit::Solved => {
            let outcome = solve(&inst, &Settings::default()).ok()?;
            let bound = outcome.bound();
            (outcome.assignment, bound)
        }
        Fit::Rounded | Fit::Windowed => {
            let relaxation = relax(&inst);
            let mut rounded = whole::make_whole(&inst, &relaxation);
            if fit == Fit::Windowed {
                rounded = window::improve(&inst, rounded);
            }
            rounded.check(&inst).ok()?;
            (rounded, relaxation.cost)
        }
    };
    plan_of(model, &inst, &assignment, bound)
}

/// `assignment` as a plan of `model`, proven where `bound` reaches its
/// cost; `None` where a child is left without a seat.
fn plan_of(
    model: &ConnectedModel,
    inst: &Instance,
    assignment: &Assignment,
    bound: i128,
) -> Option<ConnectedPlan> {
    // A unit without children weighs nothing: where the core left it
    // unassigned, its cheapest arc (a root's only one) takes it.
    let school = (0..inst.units())
        .map(|u| {
            let whole = assignment.placed[u] == inst.demand[u];
            match assignment.target[u] {
                Some(t) if whole => Some(t),
                None if inst.demand[u] == 0 => inst.arcs_of(u).first().map(|a| a.target),
                _ => None,
            }
        })
        .collect::<Option<Vec<u32>>>()?;
    let cost = model.cost(&school)?;
    Some(ConnectedPlan {
        school,
        cost,
        proven: bound >= cost,
    })
}

/// The model as a core instance: one target and pool per school with its
/// seats, each root's arcs only to its school.
fn instance(model: &ConnectedModel) -> Instance {
    let arcs = model.allowed.iter().enumerate().map(|(u, allowed)| {
        let owner = model.root.iter().position(|&r| r == Some(u as u32));
        let mut arcs: Vec<Arc> = allowed
            .iter()
            .filter(|&&(s, _)| owner.is_none_or(|o| o == s as usize))
            .map(|&(target, cost)| Arc { target, cost })
            .collect();
        arcs.sort_unstable_by_key(|a| (a.cost, a.target));
        arcs
    });
    let seats: Vec<u32> = model
        .seats
        .iter()
        .map(|&s| s.clamp(0, u32::MAX as i64) as u32)
        .collect();
    let targets = (0..seats.len())
        .map(|s| Target {
            cap: Some(seats[s]),
            pool: s as u32,
        })
        .collect();
    Instance::new(model.demand.clone(), arcs, targets, seats, UNPLACED_COST_M)
}

#[cfg(test)]
mod tests {
    use super::super::tests::cut_off;
    use super::*;

    #[test]
    fn fits_a_map_without_a_connected_plan_in_pieces() {
        let plan = in_pieces(&cut_off()).expect("a plan in pieces");
        assert_eq!(plan.school, vec![0, 1, 0]);
        assert!(plan.proven);
    }

    #[test]
    fn gives_no_plan_where_a_child_would_have_no_seat() {
        let mut model = cut_off();
        model.seats = vec![20, 9];
        for fit in [Fit::Solved, Fit::Rounded, Fit::Windowed] {
            assert_eq!(fitted(&model, fit), None, "{fit:?}");
        }
    }

    #[test]
    fn the_cheaper_fits_keep_the_roots_and_seats() {
        for fit in [Fit::Rounded, Fit::Windowed] {
            let plan = fitted(&cut_off(), fit).expect("a plan in pieces");
            assert_eq!(plan.school, vec![0, 1, 0], "{fit:?}");
            assert!(plan.proven, "{fit:?}");
        }
    }
}
