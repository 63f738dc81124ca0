//! The lottery under many seeds: one draw is what a family gets, the spread
//! over draws is what a bureau must explain before it publishes the rule
//! ("how likely is my compound to get school A?").

use rayon::prelude::*;

use super::draw::{Draw, Entrants, draw};
use super::{Group, LotteryError};
use crate::model::Region;
use crate::policy::Policy;

/// The spread of one share (children placed there / the zone's children)
/// over the draws. Percentiles are nearest-rank: the value at rank
/// ceil(p N) of the N sorted draws, always a share some draw gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chance {
    pub mean: f64,
    pub min: f64,
    pub p5: f64,
    pub p95: f64,
    pub max: f64,
}

impl Chance {
    /// The spread of `values` (one per draw, in seed order; at least one).
    pub fn of(values: &[f64]) -> Chance {
        let n = values.len();
        assert!(n > 0, "a chance needs at least one draw");
        // Summed in seed order: the same bytes on any number of threads.
        let mean = values.iter().sum::<f64>() / n as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |percent: usize| sorted[((percent * n).div_ceil(100)).clamp(1, n) - 1];
        Chance {
            mean,
            min: sorted[0],
            p5: rank(5),
            p95: rank(95),
            max: sorted[n - 1],
        }
    }
}

/// One zone's chances over the draws.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneChances {
    /// Position of the zone in [`Entrants::zones`].
    pub pos: usize,
    /// Per member school of the group.
    pub schools: Vec<Chance>,
    /// Of being left without a seat in the group.
    pub unplaced: Chance,
}

impl ZoneChances {
    /// The chance of the outcome most likely for this zone's children
    /// (a school, or no seat); 1 - this is how uncertain the zone's
    /// outcome is.
    pub fn likeliest(&self) -> f64 {
        self.schools
            .iter()
            .map(|c| c.mean)
            .fold(self.unplaced.mean, f64::max)
    }
}

/// One group's lottery: the published draw and the study.
#[derive(Clone, Debug)]
pub struct GroupLottery {
    pub group: Group,
    pub entrants: Entrants,
    /// Per member: children whose nearest school of the group it is.
    pub applicants: Vec<u32>,
    /// The draw with the first seed.
    pub published: Draw,
    /// Per zone with children (zones without children have no chance).
    pub chances: Vec<ZoneChances>,
}

impl GroupLottery {
    /// First-choice applicants per seat; None for a school without seats.
    pub fn oversubscription(&self, member: usize) -> Option<f64> {
        let seats = self.group.seats[member];
        (seats > 0).then(|| self.applicants[member] as f64 / seats as f64)
    }
}

/// Every group drawn with seeds `seed..seed + seeds`.
#[derive(Clone, Debug)]
pub struct Lottery {
    pub seed: u64,
    pub seeds: usize,
    pub groups: Vec<GroupLottery>,
}

/// Draws every group under each seed (in parallel) and combines the draws
/// in seed order.
pub fn study(
    region: &Region,
    policy: &Policy,
    groups: Vec<Group>,
    seed: u64,
    seeds: usize,
) -> Result<Lottery, LotteryError> {
    if seeds == 0 || seed.checked_add(seeds as u64 - 1).is_none() {
        return Err(LotteryError::Settings(format!(
            "{seeds} draws from seed {seed}; expected at least one draw, seeds below 2^64"
        )));
    }
    let entrants: Vec<Entrants> = groups
        .iter()
        .map(|g| Entrants::new(region, policy, g))
        .collect();
    // draws[i][g]: seed + i, group g.
    let draws: Vec<Vec<Draw>> = (0..seeds as u64)
        .into_par_iter()
        .map(|i| {
            groups
                .iter()
                .zip(&entrants)
                .map(|(g, e)| draw(g, e, seed + i))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let groups = groups
        .into_iter()
        .zip(entrants)
        .enumerate()
        .map(|(g, (group, entrants))| {
            let chances = entrants
                .zones
                .iter()
                .enumerate()
                .filter(|(_, ez)| ez.children > 0)
                .map(|(pos, ez)| {
                    let share = |n: u32| n as f64 / ez.children as f64;
                    let spread = |count: &dyn Fn(&Draw) -> u32| {
                        let values: Vec<f64> = draws.iter().map(|d| share(count(&d[g]))).collect();
                        Chance::of(&values)
                    };
                    ZoneChances {
                        pos,
                        schools: (0..group.schools.len())
                            .map(|m| spread(&|d| d.placed[pos][m]))
                            .collect(),
                        unplaced: spread(&|d| d.unplaced[pos]),
                    }
                })
                .collect();
            GroupLottery {
                applicants: entrants.first_choices(group.schools.len()),
                published: draws[0][g].clone(),
                group,
                entrants,
                chances,
            }
        })
        .collect();
    Ok(Lottery {
        seed,
        seeds,
        groups,
    })
}
