//! Zones implausibly far from every school of their county.
//!
//! Coordinates can be valid and still wrong: longitude and latitude swapped
//! (lon 31 / lat 18 is on the globe), a zone drawn around the whole world,
//! a county code that puts a compound in another province. The plan would
//! then send children thousands of km, exit 0 and look normal. A zone whose
//! nearest school of its county (for a stage) is farther than the policy's
//! `max_trip_km` stops the run with the zones named, unless the user says
//! the distances are real (`--allow-far`), in which case they are reported.

use std::fmt;

use rayon::prelude::*;

use crate::model::{Region, Stage};
use crate::policy::Policy;
use crate::spatial::SchoolIndex;

/// A zone whose nearest school of a stage (in its county) is beyond the limit.
#[derive(Clone, Debug, PartialEq)]
pub struct FarZone {
    pub zone: usize,
    pub stage: Stage,
    /// The nearest school of the stage in the zone's county, and its distance.
    pub school: usize,
    pub km: f64,
}

/// Every zone farther than `policy.max_trip_km` from every school of its
/// county that teaches a stage (zones of a county without such a school
/// are not far: they get their own reason), in zone then stage order.
pub fn far_zones(region: &Region, policy: &Policy) -> Vec<FarZone> {
    let index = SchoolIndex::of(region);
    let limit_m = policy.max_trip_km * 1000.0;
    (0..region.zones.len())
        .into_par_iter()
        .flat_map_iter(|z| {
            let zone = &region.zones[z];
            let index = &index;
            Stage::ALL.into_iter().filter_map(move |stage| {
                let nearest = index
                    .nearest(zone.county.as_deref(), stage, zone.centroid, 1, None)
                    .candidates
                    .into_iter()
                    .next()?;
                (nearest.metres as f64 > limit_m).then_some(FarZone {
                    zone: z,
                    stage,
                    school: nearest.school as usize,
                    km: nearest.metres as f64 / 1000.0,
                })
            })
        })
        .collect()
}

/// The far zones as an error message names them: the first few with their
/// distance, and what to fix.
pub struct FarList<'a> {
    pub region: &'a Region,
    pub far: &'a [FarZone],
    pub max_trip_km: f64,
}

impl fmt::Display for FarList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        const SHOWN: usize = 10;
        let mut zones: Vec<usize> = self.far.iter().map(|x| x.zone).collect();
        zones.dedup();
        write!(
            f,
            "{} zone(s) lie farther than max_trip_km = {} km from every school of their county: ",
            zones.len(),
            self.max_trip_km
        )?;
        for (k, x) in self.far.iter().take(SHOWN).enumerate() {
            let zone = &self.region.zones[x.zone];
            let school = &self.region.schools[x.school];
            if k > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "zone \"{}\" at ({:.4}, {:.4}) is {:.0} km from the nearest {} school \"{}\"",
                zone.id,
                zone.centroid.x(),
                zone.centroid.y(),
                x.km,
                x.stage.key(),
                school.id
            )?;
        }
        if self.far.len() > SHOWN {
            write!(f, "; and {} more", self.far.len() - SHOWN)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use geo::Point;

    use super::*;
    use crate::model::{Cohort, School, SchoolKind, Sector, Shape, Zone};

    fn zone(id: &str, at: Point<f64>) -> Zone {
        Zone {
            id: id.into(),
            name: id.into(),
            shape: Shape::Point(at),
            centroid: at,
            children: [Cohort {
                local: 5,
                migrant: 0,
            }; 2],
            current: [None, None],
            special: [0, 0],
            county: None,
            properties: Default::default(),
        }
    }

    #[test]
    fn a_zone_with_longitude_and_latitude_swapped_is_far() {
        let school = School {
            id: "P1".into(),
            name: "P1".into(),
            location: Point::new(118.0, 31.0),
            kind: SchoolKind::Primary,
            sector: Sector::Public,
            county: None,
            classes: [Some(2), None],
            enrolled: [0, 0],
            capacity: [None, None],
            properties: Default::default(),
        };
        let region = Region {
            zones: vec![
                zone("near", Point::new(118.01, 31.01)),
                zone("swapped", Point::new(31.0, 18.0)),
            ],
            schools: vec![school],
            ..Region::default()
        };
        let far = far_zones(&region, &Policy::default());
        assert_eq!(far.len(), 1, "junior has no school: not far, unplaced");
        assert_eq!((far[0].zone, far[0].stage), (1, Stage::Primary));
        assert!(far[0].km > 8000.0, "{}", far[0].km);
        let text = FarList {
            region: &region,
            far: &far,
            max_trip_km: 100.0,
        }
        .to_string();
        assert!(
            text.contains("\"swapped\"") && text.contains("max_trip_km = 100 km"),
            "{text}"
        );
        let lenient = Policy {
            max_trip_km: 10_000.0,
            ..Policy::default()
        };
        assert!(far_zones(&region, &lenient).is_empty());
    }
}
