//! Children with disabilities (随班就读): none may be refused. Zones give
//! `primary_special` / `junior_special` (a subset of their children);
//! schools declare a resource room (资源教室) with `resource_room = true`.
//!
//! Order, and why: special children have the strongest claim to a resource
//! room, so they are placed first, before any catchment is drawn, at the
//! public schools of their stage and county that have one, nearest first
//! (a transportation problem solved exactly by the same flow relaxation as
//! purchased seats). Their seats count against the school like any pupil's:
//! the catchment allocation then sees only the seats they left. A special
//! child no resource room can take (none in the county, none within reach,
//! all full) stays with the zone's other children and goes to the zone's
//! catchment school, in a regular class; only if that has no seat either is
//! the child unplaced, with the zone's reason. The plan reports the
//! enrollment rate of these children against the policy's target (95 %).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Region, School, Stage, Zone};
use crate::plan::{Plan, ZonePlan};
use crate::policy::Policy;

/// Special children of a zone and stage, never more than the zone's
/// children (a projected year may have fewer children than the file).
pub fn special_children(zone: &Zone, stage: Stage) -> u32 {
    zone.special[stage.index()].min(zone.cohort(stage).total())
}

/// Whether the school declares a resource room (`resource_room: true`).
pub fn has_resource_room(school: &School) -> bool {
    school
        .properties
        .get("resource_room")
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether any zone of the region has special children (then the outputs
/// report them).
pub fn any_special(region: &Region) -> bool {
    region
        .zones
        .iter()
        .any(|z| Stage::ALL.iter().any(|&s| special_children(z, s) > 0))
}

/// Where one zone's special children of one stage are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZoneSpecial {
    /// In resource rooms: (school, children).
    pub resource_room: Vec<(u32, u32)>,
    /// In regular classes (随班就读): (school, children), the catchment
    /// school first, then purchased seats.
    pub regular_class: Vec<(u32, u32)>,
    pub unplaced: u32,
}

/// Special children are admitted first wherever the zone's children go
/// (none may be refused): those not in a resource room take the first
/// seats at the catchment school, then any purchased seats.
pub fn zone_special(zone: &Zone, zp: &ZonePlan, stage: Stage) -> ZoneSpecial {
    zone_special_of(special_children(zone, stage), zp)
}

/// As [`zone_special`], for `special` children placed by `zp` (one pass of
/// separate migrant catchments holds only some of the zone's children).
pub fn zone_special_of(special: u32, zp: &ZonePlan) -> ZoneSpecial {
    let mut left = special - zp.in_resource_rooms().min(special);
    let mut regular_class = Vec::new();
    let places = zp.school.map(|s| (s, zp.placed)).into_iter();
    for (s, n) in places.chain(zp.purchased.iter().copied()) {
        let k = n.min(left);
        if k > 0 {
            regular_class.push((s, k));
            left -= k;
        }
    }
    ZoneSpecial {
        resource_room: zp.resource_room.clone(),
        regular_class,
        unplaced: left,
    }
}

/// Splits a zone's children in resource rooms into local and migrant, local
/// first (the convention of the whole plan: 户籍优先), as (school, local,
/// migrant); also returns the local children left for the catchment school.
pub fn split_resource_rooms(zp: &ZonePlan, local: u32) -> (Vec<(u32, u32, u32)>, u32) {
    let mut left = local;
    let rows = zp
        .resource_room
        .iter()
        .map(|&(s, n)| {
            let l = n.min(left);
            left -= l;
            (s, l, n - l)
        })
        .collect();
    (rows, left)
}

/// Special children of one stage in one county (or all counties).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SpecialFigures {
    pub children: u64,
    /// In a resource room (资源教室).
    pub resource_room: u64,
    /// In a regular class without a resource room (随班就读).
    pub regular_class: u64,
    pub unplaced: u64,
    /// (resource_room + regular_class) / children; null without children.
    pub rate: Option<f64>,
    pub target: f64,
    pub pass: bool,
}

impl SpecialFigures {
    fn add(&mut self, other: &SpecialFigures) {
        self.children += other.children;
        self.resource_room += other.resource_room;
        self.regular_class += other.regular_class;
        self.unplaced += other.unplaced;
    }

    fn finish(mut self, target: f64) -> SpecialFigures {
        self.target = target;
        self.rate = (self.children > 0).then(|| {
            ((self.resource_room + self.regular_class) as f64 / self.children as f64 * 1e6).round()
                / 1e6
        });
        self.pass = self.rate.is_none_or(|r| r >= target);
        self
    }
}

/// Special figures per county (in county order, "" for zones without one)
/// and for the whole region.
pub fn special_figures(
    plan: &Plan,
    region: &Region,
    policy: &Policy,
    stage: Stage,
) -> (BTreeMap<String, SpecialFigures>, SpecialFigures) {
    let mut by_county: BTreeMap<String, SpecialFigures> = BTreeMap::new();
    for (sp, which) in plan.passes(stage) {
        for (z, zp) in sp.zones.iter().enumerate() {
            let zone = &region.zones[z];
            let children = which.special(zone, stage);
            if children == 0 {
                continue;
            }
            let s = zone_special_of(children, zp);
            let f = by_county
                .entry(zone.county.clone().unwrap_or_default())
                .or_default();
            f.children += children as u64;
            f.resource_room += s.resource_room.iter().map(|p| p.1 as u64).sum::<u64>();
            f.regular_class += s.regular_class.iter().map(|p| p.1 as u64).sum::<u64>();
            f.unplaced += s.unplaced as u64;
        }
    }
    let mut total = SpecialFigures::default();
    for f in by_county.values() {
        total.add(f);
    }
    let target = policy.special_target;
    (
        by_county
            .into_iter()
            .map(|(k, v)| (k, v.finish(target)))
            .collect(),
        total.finish(target),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, SchoolKind};
    use crate::plan::passes::resource_rooms::{
        ResourceRooms, place_in_resource_rooms, regular_demand, seats_left,
    };
    use crate::policy::Seats;
    use geo::Point;
    use serde_json::json;

    fn school(id: &str, x: f64, classes: u32, resource_room: bool) -> School {
        let mut school = School::public(id, SchoolKind::Primary, Point::new(x, 0.0))
            .with_classes([Some(classes), None]);
        school
            .properties
            .insert("resource_room".into(), json!(resource_room));
        school
    }

    fn zone(id: &str, x: f64, local: u32, special: u32) -> Zone {
        let children = [Cohort { local, migrant: 0 }, Cohort::default()];
        let mut zone = Zone::at_point(id, Point::new(x, 0.0), children);
        zone.special = [special, 0];
        zone
    }

    fn place(region: &Region, policy: &Policy) -> (ResourceRooms, Vec<Seats>) {
        let seats: Vec<Seats> = region.schools.iter().map(|s| policy.seats(s)).collect();
        let placed = place_in_resource_rooms(region, policy, &seats);
        let left = seats_left(&seats, &placed);
        (placed, left)
    }

    #[test]
    fn special_children_go_to_the_nearest_resource_room_with_seats() {
        let policy = Policy {
            primary: crate::policy::StagePolicy {
                class_limit: 3,
                ..Policy::default().primary
            },
            ..Policy::default()
        };
        // Resource rooms at x = 0.01 (1 class of 3) and x = 0.05; the
        // nearer school without one is never used.
        let region = Region {
            zones: vec![zone("a", 0.0, 10, 2), zone("b", 0.011, 10, 2)],
            schools: vec![
                school("near", 0.01, 1, true),
                school("plain", 0.0, 9, false),
                school("far", 0.05, 9, true),
            ],
            ..Region::default()
        };
        let (placed, left) = place(&region, &policy);
        let p = &placed[Stage::Primary.index()];
        // Three seats at "near" for four children: the one who goes on to
        // "far" is b's, whose detour is the shorter (least child-km overall).
        assert_eq!(p[0], vec![(0, 2)]);
        assert_eq!(p[1], vec![(0, 1), (2, 1)]);
        assert_eq!(left[0].stage[0], Some(0));
        assert_eq!(left[0].school, 2000 - 3);
        assert_eq!(left[2].stage[0], Some(26));
        assert_eq!(left[1], policy.seats(&region.schools[1]));
        assert_eq!(regular_demand(&region, &placed), vec![[8, 0], [8, 0]]);
    }

    #[test]
    fn without_a_resource_room_special_children_stay_regular() {
        let policy = Policy::default();
        let region = Region {
            zones: vec![zone("a", 0.0, 10, 2)],
            schools: vec![school("plain", 0.0, 9, false)],
            ..Region::default()
        };
        let (placed, left) = place(&region, &policy);
        assert!(placed[0][0].is_empty());
        assert_eq!(left[0], policy.seats(&region.schools[0]));
        assert_eq!(regular_demand(&region, &placed), vec![[10, 0]]);
        // The zone's catchment school seats them first, in a regular class.
        let zp = ZonePlan {
            school: Some(0),
            metres: Some(0),
            placed: 1,
            purchased: Vec::new(),
            resource_room: Vec::new(),
            unplaced: 9,
            reason: None,
        };
        let s = zone_special(&region.zones[0], &zp, Stage::Primary);
        assert_eq!(s.regular_class, vec![(0, 1)]);
        assert_eq!(s.unplaced, 1);
    }

    #[test]
    fn beyond_special_max_km_the_regular_class_is_nearer() {
        let policy = Policy {
            special_max_km: Some(1.0),
            ..Policy::default()
        };
        // The resource room is ~5.5 km away.
        let region = Region {
            zones: vec![zone("a", 0.0, 10, 2)],
            schools: vec![school("far", 0.05, 9, true)],
            ..Region::default()
        };
        let (placed, _) = place(&region, &policy);
        assert!(placed[0][0].is_empty());
    }

    #[test]
    fn counts_are_clamped_and_resource_rooms_split_local_first() {
        let z = zone("a", 0.0, 1, 5);
        assert_eq!(special_children(&z, Stage::Primary), 1);
        assert_eq!(special_children(&z, Stage::Junior), 0);
        let zp = ZonePlan {
            school: Some(0),
            metres: Some(0),
            placed: 0,
            purchased: Vec::new(),
            resource_room: vec![(1, 2), (2, 1)],
            unplaced: 0,
            reason: None,
        };
        assert_eq!(
            split_resource_rooms(&zp, 2),
            (vec![(1, 2, 0), (2, 0, 1)], 0)
        );
    }
}
