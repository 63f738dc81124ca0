//! Lumpy counties: few, large zones per school and seats only a little
//! above the children (1-15 %), as in a rural county of big villages or a
//! city district of large compounds.
//!
//! There whole zones matter most: a school's last seats can rarely be
//! filled exactly by whole zones, so the split relaxation's bound is weak
//! and a plan's rounding costs more. The county is generated as usual
//! (`--zones` / `--schools` set the zones per school), then each county's
//! children of each stage are scaled so that its public seats stand a
//! drawn 1-15 % above them.

use super::rng::Rng;
use super::{Params, generate};
use crate::model::{Region, Stage};
use crate::policy::Policy;

/// Public seats per child a lumpy county is scaled to, drawn per county
/// and stage.
pub const SEAT_RATIO: (f64, f64) = (1.01, 1.15);

/// Stream tag of the drawn ratios (the generator's own use 1 and 2).
const LUMPY_STREAM: u64 = 3;

/// A lumpy region: the generated one with its children scaled.
pub fn generate_lumpy(params: &Params) -> Region {
    let mut region = generate(params);
    tighten_seats(&mut region, params.seed);
    region
}

/// Scales each county's children of each stage (local and migrant alike,
/// zone by zone) so that its public seats are a drawn [`SEAT_RATIO`] of
/// them.
fn tighten_seats(region: &mut Region, seed: u64) {
    let policy = Policy::default();
    let mut counties: Vec<Option<String>> = Vec::new();
    for z in &region.zones {
        if !counties.contains(&z.county) {
            counties.push(z.county.clone());
        }
    }
    for (index, county) in counties.iter().enumerate() {
        let mut rng = Rng::new(seed, LUMPY_STREAM, index as u64);
        for stage in Stage::ALL {
            let ratio = rng.range(SEAT_RATIO.0, SEAT_RATIO.1);
            let seats: u64 = region
                .schools
                .iter()
                .filter(|s| &s.county == county && s.takes_catchment(stage))
                .map(|s| {
                    let seats = policy.seats(s);
                    seats.stage[stage.index()].map_or(seats.school, |c| c.min(seats.school)) as u64
                })
                .sum();
            let children: u64 = region
                .zones
                .iter()
                .filter(|z| &z.county == county)
                .map(|z| z.cohort(stage).total() as u64)
                .sum();
            if seats == 0 || children == 0 {
                continue;
            }
            let factor = seats as f64 / (ratio * children as f64);
            for zone in region.zones.iter_mut().filter(|z| &z.county == county) {
                let cohort = &mut zone.children[stage.index()];
                let total = (cohort.total() as f64 * factor).round() as u32;
                let migrant = ((cohort.migrant as f64 * factor).round() as u32).min(total);
                cohort.local = total - migrant;
                cohort.migrant = migrant;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_seats_stand_1_to_15_percent_above_the_children() {
        let params = Params {
            seed: 7,
            zones: 300,
            schools: 50,
            counties: 1,
        };
        let region = generate_lumpy(&params);
        let policy = Policy::default();
        for stage in Stage::ALL {
            let seats: u64 = region
                .schools
                .iter()
                .filter(|s| s.takes_catchment(stage))
                .map(|s| {
                    let seats = policy.seats(s);
                    seats.stage[stage.index()].map_or(seats.school, |c| c.min(seats.school)) as u64
                })
                .sum();
            let children: u64 = region
                .zones
                .iter()
                .map(|z| z.cohort(stage).total() as u64)
                .sum();
            let ratio = seats as f64 / children as f64;
            // Rounding zone by zone moves the ratio a little.
            assert!((1.0..=1.16).contains(&ratio), "{stage:?}: {ratio}");
        }
        // Deterministic: the same parameters, the same children.
        let again = generate_lumpy(&params);
        let children = |r: &Region| r.zones.iter().map(|z| z.children).collect::<Vec<_>>();
        assert_eq!(children(&region), children(&again));
    }
}
