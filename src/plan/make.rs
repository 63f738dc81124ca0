//! The one entry point of every command: the plan a run asks for, with
//! every pass and companion plan it calls for.

use super::far::{FarList, far_zones};
use super::utilization::Objective;
use super::{Observer, Plan, PlanError, Preferences, allocate, moved_cap};
use crate::model::Region;
use crate::policy::Policy;
use crate::solve::Settings;

/// The plan the preferences ask for (through [`crate::run::Run::plan`]).
/// Zones beyond the longest trip allowed stop the run first, unless the
/// run allows them; a cap on moved children then searches the stability
/// weight that meets it; otherwise the objective's plan is made, with the
/// distance-only plan beside it for `balance`.
pub fn make(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    observer: &dyn Observer,
) -> Result<Plan, PlanError> {
    if !preferences.allow_far {
        let far = far_zones(region, policy);
        if !far.is_empty() {
            let list = FarList {
                region,
                far: &far,
                max_trip_km: policy.max_trip_km,
            };
            return Err(PlanError::Far(list.to_string()));
        }
    }
    match preferences.max_moved {
        Some(cap) => {
            moved_cap::allocate_with_moved_cap(region, policy, settings, preferences, cap, observer)
        }
        None => allocate_with_companion(region, policy, settings, preferences, observer),
    }
}

/// Allocates as asked and, with `objective = "balance"`, also makes the
/// distance-only plan (same everything else) and keeps it on the plan, so
/// that the report can set the two side by side.
pub fn allocate_with_companion(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    observer: &dyn Observer,
) -> Result<Plan, PlanError> {
    let mut plan = allocate(region, policy, settings, preferences, observer)?;
    if preferences.objective == Objective::Balance {
        let distance = Preferences {
            objective: Objective::Distance,
            ..preferences.clone()
        };
        let companion = allocate(region, policy, settings, &distance, &())?;
        plan.objective.distance_only = Some(Box::new(companion));
    }
    Ok(plan)
}
