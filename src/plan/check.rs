//! Hard limits, checked on the finished plan by counting again from the
//! zones, independently of how the solver kept its books. A plan with any
//! violation is a bug, and every run reports the count.

use std::fmt;

use crate::model::{Region, Stage};
use crate::policy::Policy;

use super::{Plan, SchoolFigures};

#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    /// A class above the stage's class limit (班额).
    ClassOverLimit { largest: u32, limit: u32 },
    /// A class of the large-class size or more (大班额).
    LargeClass { largest: u32, threshold: u32 },
    /// More classes than the school can open.
    TooManyClasses { opened: u32, available: u32 },
    /// More pupils than seats for the stage.
    OverSeats { intake: u32, seats: u32 },
    /// The school total over its size limit (办学规模).
    SchoolOverLimit { total: u32, limit: u32 },
    /// Children placed at a school that takes no catchment for the stage.
    NotACatchmentSchool,
    /// More migrant children in a private school's purchased seats than it sold.
    OverPurchased { placed: u32, seats: u32 },
    /// Children placed for a resource room at a school that has none.
    NoResourceRoom { children: u32 },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Violation::ClassOverLimit { largest, limit } => {
                write!(f, "largest class {largest} over the class limit {limit}")
            }
            Violation::LargeClass { largest, threshold } => {
                write!(f, "large class of {largest} (>= {threshold})")
            }
            Violation::TooManyClasses { opened, available } => {
                write!(f, "{opened} classes opened, {available} available")
            }
            Violation::OverSeats { intake, seats } => {
                write!(f, "intake {intake} over {seats} seats")
            }
            Violation::SchoolOverLimit { total, limit } => {
                write!(f, "school total {total} over its limit {limit}")
            }
            Violation::OverPurchased { placed, seats } => {
                write!(f, "{placed} children in {seats} purchased seats")
            }
            Violation::NoResourceRoom { children } => write!(
                f,
                "{children} children placed for a resource room the school does not have"
            ),
            Violation::NotACatchmentSchool => write!(
                f,
                "children placed at a school without a catchment for this stage"
            ),
        }
    }
}

/// A violation at a school and stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub school: usize,
    pub stage: Stage,
    pub violation: Violation,
}

/// Every violated hard limit of a plan (empty for a valid plan).
pub fn check(plan: &Plan, region: &Region, policy: &Policy) -> Vec<Found> {
    let mut found = Vec::new();
    for stage in Stage::ALL {
        for f in plan.school_figures(region, policy, stage) {
            for violation in violations_of(&f, plan, region, policy) {
                found.push(Found {
                    school: f.school,
                    stage,
                    violation,
                });
            }
        }
    }
    found
}

/// A school already over its size limit with the pupils who stay, before
/// any child is assigned: not the plan's doing (the plan gives it no
/// intake), but the bureau must see it, so it is reported apart from the
/// plan's violations.
#[derive(Clone, Debug, PartialEq)]
pub struct PreExisting {
    pub school: usize,
    pub continuing: u32,
    pub limit: u32,
}

impl fmt::Display for PreExisting {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} continuing pupils already over the school limit {} ({} too many) before any intake",
            self.continuing,
            self.limit,
            self.continuing - self.limit
        )
    }
}

/// Every school whose continuing pupils alone break its size limit.
pub fn pre_existing(region: &Region, policy: &Policy) -> Vec<PreExisting> {
    region
        .schools
        .iter()
        .enumerate()
        .filter_map(|(school, s)| {
            let limit = policy.school_limit_of(s);
            let continuing = s.continuing();
            (continuing > limit).then_some(PreExisting {
                school,
                continuing,
                limit,
            })
        })
        .collect()
}

fn violations_of(
    f: &SchoolFigures,
    plan: &Plan,
    region: &Region,
    policy: &Policy,
) -> Vec<Violation> {
    let mut v = Vec::new();
    if f.purchased > f.purchased_seats {
        v.push(Violation::OverPurchased {
            placed: f.purchased,
            seats: f.purchased_seats,
        });
    }
    if f.intake == 0 {
        return v;
    }
    let school = &region.schools[f.school];
    if f.resource_room > 0 && !super::special::has_resource_room(school) {
        v.push(Violation::NoResourceRoom {
            children: f.resource_room,
        });
    }
    if !school.takes_catchment(f.stage) {
        v.push(Violation::NotACatchmentSchool);
    }
    let limit = policy.stage(f.stage).class_limit;
    if f.classes.largest > limit {
        v.push(Violation::ClassOverLimit {
            largest: f.classes.largest,
            limit,
        });
    }
    if f.classes.largest >= policy.large_class {
        v.push(Violation::LargeClass {
            largest: f.classes.largest,
            threshold: policy.large_class,
        });
    }
    if let Some(available) = f.classes_available
        && f.classes.opened > available
    {
        v.push(Violation::TooManyClasses {
            opened: f.classes.opened,
            available,
        });
    }
    if let Some(seats) = plan.seats[f.school].stage[f.stage.index()]
        && f.intake > seats
    {
        v.push(Violation::OverSeats {
            intake: f.intake,
            seats,
        });
    }
    // Only this year's placements can break the limit: a school already over
    // it with continuing pupils alone is reported by the seats (0), not here.
    if f.school_total > f.school_limit && f.intake > 0 {
        v.push(Violation::SchoolOverLimit {
            total: f.school_total,
            limit: f.school_limit,
        });
    }
    v
}
