//! The migrant share band: no public school may become a school of migrant
//! children only (nor, where the bureau sets a minimum, take none). Each
//! public school's migrant share of its intake must lie within
//! `migrant_min_share ..= migrant_max_share` (policy default, per-school
//! override).
//!
//! The share is a ratio over whole zones, so it is not part of the flow
//! relaxation; the distance-optimal plan is edited afterwards instead. Zones
//! move between neighbouring catchments (one zone, or two swapped) wherever
//! that shrinks the children outside the bands, the move that costs the
//! least travel per child brought inside a band first, until every school
//! fits or no move helps. Moves keep every limit (seats, school size, locks,
//! reach) and, where catchments are connected, keep each one in one piece.
//! The gap against the distance-only bound shows what the band costs; the
//! schools still outside it are named in the report.

use crate::model::{Region, Stage};
use crate::plan::zone_moves::{County, CountyEdit, Edit, Effect};
use crate::plan::{Plan, Preferences};
use crate::policy::Policy;
use crate::spatial::{Adjacency, BarrierIndex};

/// Whether any public school's band is narrower than "any share".
pub fn band_active(region: &Region, policy: &Policy) -> bool {
    region
        .schools
        .iter()
        .filter(|s| Stage::ALL.into_iter().any(|st| s.takes_catchment(st)))
        .any(|s| {
            let (lo, hi) = policy.migrant_band(s);
            lo > 0.0 || hi < 1.0
        })
}

/// Moves zones so that public schools' migrant shares fit their bands;
/// returns the zones moved per stage.
pub fn fit_migrant_band(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &Preferences,
    barriers: &BarrierIndex,
) -> [usize; 2] {
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers,
        connected: preferences.contiguous,
    };
    edit.apply(plan, |county| county.fit_band())
        .map(|moves| moves.into_iter().sum())
}

/// Shares are compared with this slack so that rounding never makes a
/// school that fits look outside its band.
const EPS: f64 = 1e-9;

impl County<'_> {
    /// Children outside school `s`'s band with `migrant` of `load` children
    /// migrant: those beyond the maximum, or short of the minimum.
    fn outside(&self, s: usize, migrant: i64, load: i64) -> f64 {
        if !self.takes[s] || load <= 0 {
            return 0.0;
        }
        let (lo, hi) = self.band[s];
        let (m, n) = (migrant as f64, load as f64);
        (m - hi * n).max(0.0) + (lo * n - m).max(0.0)
    }

    fn outside_now(&self, s: usize) -> f64 {
        self.outside(s, self.migrant_load[s], self.load[s])
    }

    /// Children outside the bands of the schools an edit touches: now,
    /// and after it.
    pub(in crate::plan) fn outside_change(&self, effect: &Effect) -> (f64, f64) {
        let before: f64 = effect.schools.iter().map(|&s| self.outside_now(s)).sum();
        let after: f64 = effect
            .schools
            .iter()
            .enumerate()
            .map(|(i, &s)| self.outside(s, effect.migrant[i], effect.load[i]))
            .sum();
        (before, after)
    }

    /// Children brought inside a band and the travel it costs, or None
    /// where the edit breaks a limit or does not help.
    fn score(&self, edit: Edit) -> Option<(f64, i64)> {
        let effect = self.effect(edit)?;
        let (before, after) = self.outside_change(&effect);
        (before - after > EPS).then_some((before - after, effect.travel))
    }

    /// Edits zones until every school fits its band or no edit helps;
    /// returns the zones moved.
    pub(in crate::plan) fn fit_band(&mut self) -> usize {
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
        let mut moved = 0;
        let limit = 4 * self.zones.len() + 16;
        for _ in 0..limit {
            let outside: Vec<usize> = (0..self.schools.len())
                .filter(|&s| self.outside_now(s) > EPS)
                .collect();
            if outside.is_empty() {
                break;
            }
            // Cheapest travel per child brought inside a band; ties by the
            // edit, so the result does not depend on the order of search.
            let mut scored: Vec<(f64, Edit)> = outside
                .iter()
                .flat_map(|&s| self.candidates(s))
                .filter_map(|e| {
                    self.score(e)
                        .map(|(gain, travel)| (travel as f64 / gain, e))
                })
                .collect();
            scored.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
            scored.dedup();
            let Some(edit) = scored
                .into_iter()
                .map(|(_, e)| e)
                .find(|&e| self.keeps_pieces(e))
            else {
                break;
            };
            let touched = match edit {
                Edit::Move { zone, to } => {
                    let from = self.school_of[zone].expect("assigned") as usize;
                    self.move_zone(zone, to);
                    moved += 1;
                    vec![from, to]
                }
                Edit::Swap { a, b } => {
                    let (sa, sb) = (
                        self.school_of[a].expect("assigned") as usize,
                        self.school_of[b].expect("assigned") as usize,
                    );
                    self.move_zone(a, sb);
                    self.move_zone(b, sa);
                    moved += 2;
                    vec![sa, sb]
                }
            };
            for s in touched {
                self.refresh(s);
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Params, generate};
    use crate::plan::{allocate, check};
    use crate::solve::Settings;
    use crate::spatial::DEFAULT_TOLERANCE_M;

    /// Children outside the bands, summed over public schools and stages.
    fn outside(plan: &Plan, region: &Region, policy: &Policy) -> f64 {
        Stage::ALL
            .into_iter()
            .flat_map(|stage| plan.school_figures(region, policy, stage))
            .filter(|f| region.schools[f.school].takes_catchment(f.stage))
            .map(|f| {
                let (lo, hi) = policy.migrant_band(&region.schools[f.school]);
                let (m, n) = (f.migrant as f64, f.intake as f64);
                (m - hi * n).max(0.0) + (lo * n - m).max(0.0)
            })
            .sum()
    }

    #[test]
    fn the_band_pulls_schools_in_and_keeps_every_limit_and_piece() {
        for seed in 1..=4 {
            let region = generate(&Params {
                seed,
                zones: 600,
                schools: 20,
                counties: 1,
            });
            let plain = Policy::default();
            let free = allocate(
                &region,
                &plain,
                &Settings::default(),
                &Preferences::default(),
                &(),
            )
            .unwrap();
            // A ceiling just under the highest share of the free plan.
            let highest = Stage::ALL
                .into_iter()
                .flat_map(|stage| free.school_figures(&region, &plain, stage))
                .filter_map(|f| f.migrant_share())
                .fold(0.0, f64::max);
            let policy = Policy {
                migrant_max_share: highest * 0.95,
                ..Policy::default()
            };
            assert!(band_active(&region, &policy));
            let before = outside(&free, &region, &policy);
            assert!(before > 0.0, "seed {seed}");
            let plan = allocate(
                &region,
                &policy,
                &Settings::default(),
                &Preferences::default(),
                &(),
            )
            .unwrap();
            let after = outside(&plan, &region, &policy);
            assert!(after < before, "seed {seed}: {after} >= {before}");
            assert!(plan.migrant_band_moves.iter().sum::<usize>() > 0);
            assert!(check(&plan, &region, &policy).is_empty(), "seed {seed}");
            plan.conservation(&region).unwrap();
            let adjacency = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
            for stage in Stage::ALL {
                let pieces = |p: &Plan| {
                    super::super::contiguity::pieces(p, &region, &adjacency, stage)
                        .broken
                        .len()
                };
                assert!(
                    pieces(&plan) <= pieces(&free),
                    "seed {seed} {stage:?}: {} pieces, {} before",
                    pieces(&plan),
                    pieces(&free)
                );
            }
        }
    }
}
