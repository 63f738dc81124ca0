//! The exact connected optimum of a plan's catchments: how far the
//! connected-catchment repair stands from the best plan that keeps the same
//! zones' children, the same seats and every catchment in one piece around
//! the own zone it kept.
//!
//! The zones' placed children are taken as the plan has them and each zone
//! may go to any school that may take it (locks, `max_km`), so the optimum
//! is of the very problem the repair solves. It counts travel as the repair
//! does (with the stability and barrier charges), not the compactness or
//! class-cost weights. A check for tests and benchmarks, through HiGHS.

use crate::model::{Region, Stage};
use crate::plan::zone_moves::{County, CountyEdit};
use crate::plan::{Plan, Preferences};
use crate::policy::Policy;
use crate::solve::connected::{self, ConnectedModel};
use crate::solve::mip::{MipError, MipOptions};
use crate::spatial::{BarrierIndex, DEFAULT_TOLERANCE_M};

/// One county's stage: the plan's child-metres and the connected optimum's.
#[derive(Clone, Debug, PartialEq)]
pub struct CountyOptimum {
    pub stage: Stage,
    pub zones: usize,
    pub schools: usize,
    /// Child-metres of the plan's catchments.
    pub plan_m: i128,
    /// Child-metres of the exact connected optimum; `None` where the solver
    /// proved that no connected plan keeps every seat limit and kept own
    /// zone (the check of a plan left in pieces with a proof).
    pub optimum_m: Option<i128>,
    /// Whether the solver proved `optimum_m` optimal (or infeasible).
    pub proven: bool,
}

impl County<'_> {
    /// Each unit's neighbours among the units, by their local index
    /// (`local`: a zone's index among the units, `u32::MAX` outside them).
    pub(in crate::plan) fn local_neighbours(
        &self,
        units: &[usize],
        local: &[u32],
    ) -> Vec<Vec<u32>> {
        units
            .iter()
            .map(|&z| {
                self.neighbours[z]
                    .iter()
                    .map(|&w| local[w as usize])
                    .filter(|&w| w != u32::MAX)
                    .collect()
            })
            .collect()
    }

    /// The connected model of this county's catchments as they stand.
    fn connected_model(&self) -> (Vec<usize>, ConnectedModel) {
        let units: Vec<usize> = (0..self.zones.len())
            .filter(|&z| self.school_of[z].is_some())
            .collect();
        let mut local = vec![u32::MAX; self.zones.len()];
        for (i, &z) in units.iter().enumerate() {
            local[z] = i as u32;
        }
        let allowed = units
            .iter()
            .map(|&z| {
                (0..self.schools.len())
                    .filter(|&s| self.school_of[z] == Some(s as u32) || self.may_take(z, s))
                    .map(|s| (s as u32, self.cost(z, s)))
                    .collect()
            })
            .collect();
        let neighbours = self.local_neighbours(&units, &local);
        // Seats for this stage's catchments: the stage's, and the school's
        // less what the other stage already takes there.
        let seats = (0..self.schools.len())
            .map(|s| self.stage_cap[s].min(self.school_cap[s] - (self.total[s] - self.load[s])))
            .collect();
        let root = (0..self.schools.len())
            .map(|s| {
                self.home[s]
                    .filter(|&h| self.school_of[h as usize] == Some(s as u32))
                    .map(|h| local[h as usize])
            })
            .collect();
        let model = ConnectedModel {
            demand: units.iter().map(|&z| self.placed[z]).collect(),
            allowed,
            neighbours,
            seats,
            root,
        };
        (units, model)
    }

    fn optimum(&self, options: MipOptions) -> Result<CountyOptimum, MipError> {
        let (units, model) = self.connected_model();
        let today: Vec<u32> = units
            .iter()
            .map(|&z| self.school_of[z].expect("a unit has a school"))
            .collect();
        let plan_m = model.cost(&today).expect("today's schools are allowed");
        if units.is_empty() {
            return Ok(CountyOptimum {
                stage: self.stage,
                zones: 0,
                schools: self.schools.len(),
                plan_m,
                optimum_m: Some(plan_m),
                proven: true,
            });
        }
        let (optimum_m, proven) = match connected::solve(&model, options, Some(&today)) {
            Ok(best) => (
                Some(best.cost),
                best.proven && model.check(&best.school).is_ok(),
            ),
            Err(MipError::Solver(good_lp::ResolutionError::Infeasible)) => (None, true),
            Err(e) => return Err(e),
        };
        Ok(CountyOptimum {
            stage: self.stage,
            zones: units.len(),
            schools: self.schools.len(),
            plan_m,
            optimum_m,
            proven,
        })
    }
}

/// The connected optimum of every county and stage of `plan` (left as it
/// is; made with `preferences`), in county order per stage, over the
/// adjacency the plan was made with.
pub fn connected_optimum(
    plan: &Plan,
    region: &Region,
    policy: &Policy,
    preferences: &Preferences,
    options: MipOptions,
) -> Result<Vec<CountyOptimum>, MipError> {
    let built;
    let adjacency = match &plan.adjacency {
        Some(a) => a.as_ref(),
        None => {
            built = preferences
                .neighbours
                .adjacency(&region.zones, DEFAULT_TOLERANCE_M);
            &built
        }
    };
    let barriers = BarrierIndex::new(&preferences.barriers);
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers: &barriers,
        connected: true,
    };
    let mut scratch = plan.clone();
    let [primary, junior] = edit.apply(&mut scratch, |county| county.optimum(options));
    primary.into_iter().chain(junior).collect()
}
