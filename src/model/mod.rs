//! The county as the bureau sees it: residential zones with their entry-grade
//! children, and schools with the classes they can open.
//!
//! These types hold what was read, already validated; every later stage can
//! rely on them (ids unique, counts whole and non-negative, coordinates on the
//! globe, `current_*` naming a real school).

mod distances;
pub mod geodesy;
pub mod grades;

pub use distances::{Distances, RoadMeasure};

use geo::{MultiPolygon, Point};
use serde_json::{Map, Value};

/// An entry grade of compulsory education. Children are assigned per stage:
/// grade 1 (primary) and grade 7 (junior middle school).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    #[default]
    Primary,
    Junior,
}

impl Stage {
    pub const ALL: [Stage; 2] = [Stage::Primary, Stage::Junior];

    /// The word used in file fields (`primary_local`, `school_junior`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Stage::Primary => "primary",
            Stage::Junior => "junior",
        }
    }

    /// The name a Chinese reader expects in published lists.
    pub fn chinese(self) -> &'static str {
        match self {
            Stage::Primary => "小学",
            Stage::Junior => "初中",
        }
    }

    /// Position in per-stage arrays (`[T; 2]`).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a school teaches, from its `stage` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolKind {
    Primary,
    Junior,
    /// 九年一贯制: both stages under one school limit.
    NineYear,
}

impl SchoolKind {
    pub fn teaches(self, stage: Stage) -> bool {
        matches!(
            (self, stage),
            (SchoolKind::NineYear, _)
                | (SchoolKind::Primary, Stage::Primary)
                | (SchoolKind::Junior, Stage::Junior)
        )
    }

    pub fn key(self) -> &'static str {
        match self {
            SchoolKind::Primary => "primary",
            SchoolKind::Junior => "junior",
            SchoolKind::NineYear => "nine_year",
        }
    }
}

/// Public schools take catchments; private (民办) schools enroll by their own
/// lottery and get none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sector {
    Public,
    Private,
}

impl Sector {
    pub fn key(self) -> &'static str {
        match self {
            Sector::Public => "public",
            Sector::Private => "private",
        }
    }
}

/// Entry-cohort children of one stage living in a zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cohort {
    /// 户籍: children with local household registration.
    pub local: u32,
    /// 随迁子女: migrant children living here.
    pub migrant: u32,
}

/// Most children of one stage in one zone. A compound or village never
/// holds ten million entry-age children: a larger count is a data error
/// (a sum pasted in a cell, a growth factor meant as a percentage), and
/// refusing it keeps every sum of children far from overflow.
pub const MAX_ZONE_CHILDREN: u32 = 10_000_000;

impl Cohort {
    /// Local and migrant children together. Readers and scenario changes
    /// refuse more than [`MAX_ZONE_CHILDREN`], so the sum cannot overflow;
    /// if that ever broke, this stops the run rather than wrap around.
    pub fn total(self) -> u32 {
        self.local
            .checked_add(self.migrant)
            .expect("zone counts are limited to MAX_ZONE_CHILDREN when read")
    }
}

/// The land of a zone: polygons for compounds and blocks, a point where only
/// an address is known.
#[derive(Clone, Debug)]
pub enum Shape {
    Area(MultiPolygon<f64>),
    Point(Point<f64>),
}

/// A residential zone (小区, village, census block): the unit a catchment is
/// made of. A zone's children of one stage all go to one school.
#[derive(Clone, Debug)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub shape: Shape,
    /// Area-weighted centroid (or the point): where distances are measured from.
    pub centroid: Point<f64>,
    pub children: [Cohort; 2],
    /// Index of today's catchment school per stage, when given.
    pub current: [Option<usize>; 2],
    /// Children with disabilities (随班就读) among the children, per stage
    /// (`primary_special`, `junior_special`). A field and not only a
    /// property: every figure, table and check asks for it zone by zone.
    pub special: [u32; 2],
    pub county: Option<String>,
    /// Input properties, kept so that outputs pass them through.
    pub properties: Map<String, Value>,
}

impl Zone {
    /// A zone known by one point (an address without an outline) and its
    /// children; no county, today's schools or other properties until
    /// whoever knows them sets them.
    pub fn at_point(id: &str, location: Point<f64>, children: [Cohort; 2]) -> Zone {
        Zone {
            id: id.into(),
            name: id.into(),
            shape: Shape::Point(location),
            centroid: location,
            children,
            current: [None, None],
            special: [0, 0],
            county: None,
            properties: Map::new(),
        }
    }

    pub fn cohort(&self, stage: Stage) -> Cohort {
        self.children[stage.index()]
    }
}

/// A school and what it can take this year.
#[derive(Clone, Debug)]
pub struct School {
    pub id: String,
    pub name: String,
    pub location: Point<f64>,
    pub kind: SchoolKind,
    pub sector: Sector,
    pub county: Option<String>,
    /// Entry classes the school can open this year, per stage.
    pub classes: [Option<u32>; 2],
    /// Pupils of the other grades who stay next year, per stage.
    pub enrolled: [u32; 2],
    /// An explicit seat cap for this intake, per stage.
    pub capacity: [Option<u32>; 2],
    pub properties: Map<String, Value>,
}

impl School {
    /// A public school known by its kind and place only: classes, pupils,
    /// seat caps and county are set by whoever knows them.
    pub fn public(id: &str, kind: SchoolKind, location: Point<f64>) -> School {
        School {
            id: id.into(),
            name: id.into(),
            location,
            kind,
            sector: Sector::Public,
            county: None,
            classes: [None, None],
            enrolled: [0, 0],
            capacity: [None, None],
            properties: Map::new(),
        }
    }

    /// The same school with these entry classes per stage.
    pub fn with_classes(self, classes: [Option<u32>; 2]) -> School {
        School { classes, ..self }
    }

    /// The same school in this county.
    pub fn in_county(self, county: &str) -> School {
        School {
            county: Some(county.into()),
            ..self
        }
    }

    /// Whether the school takes a catchment for this stage.
    pub fn takes_catchment(&self, stage: Stage) -> bool {
        self.sector == Sector::Public && self.kind.teaches(stage)
    }

    /// Pupils staying next year across the stages this school teaches.
    pub fn continuing(&self) -> u32 {
        Stage::ALL
            .iter()
            .filter(|s| self.kind.teaches(**s))
            .map(|s| self.enrolled[s.index()])
            .sum()
    }
}

/// An officer's decision about a zone and a school for one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockKind {
    /// The zone's children go to this school, whatever it costs.
    Pin,
    /// The zone's children never go to this school.
    Forbid,
}

/// A lock (indices into the region's zones and schools).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    pub zone: usize,
    pub school: usize,
    pub stage: Stage,
    pub kind: LockKind,
}

/// Everything read for one run: the zones and schools of a county, a city or
/// a whole country (children never cross a county line).
#[derive(Clone, Debug, Default)]
pub struct Region {
    pub zones: Vec<Zone>,
    pub schools: Vec<School>,
    /// How far each zone is from each school: every distance a plan uses
    /// comes from here (straight unless a road network is given).
    pub distances: Distances,
}

/// Most children of a stage in a whole region: many times the entry cohort
/// of any country, and the bound under which every sum of children over
/// any set of zones fits the `u32` the solver counts in.
pub const MAX_REGION_CHILDREN: u64 = u32::MAX as u64;

impl Region {
    /// The stage whose children, over all zones, exceed
    /// [`MAX_REGION_CHILDREN`], with their number (summed in `u64`).
    pub fn too_many_children(&self) -> Option<(Stage, u64)> {
        Stage::ALL.into_iter().find_map(|stage| {
            let total: u64 = self
                .zones
                .iter()
                .map(|z| u64::from(z.cohort(stage).total()))
                .sum();
            (total > MAX_REGION_CHILDREN).then_some((stage, total))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_past_the_u32_range_of_children_is_caught() {
        let zone = |local| Zone {
            id: "z".into(),
            name: "z".into(),
            shape: Shape::Point(Point::new(118.0, 31.0)),
            centroid: Point::new(118.0, 31.0),
            children: [Cohort { local, migrant: 0 }, Cohort::default()],
            current: [None, None],
            special: [0, 0],
            county: None,
            properties: Map::new(),
        };
        let mut region = Region {
            zones: vec![zone(MAX_ZONE_CHILDREN); 429],
            schools: Vec::new(),
            ..Region::default()
        };
        assert_eq!(region.too_many_children(), None);
        region.zones.push(zone(MAX_ZONE_CHILDREN));
        assert_eq!(
            region.too_many_children(),
            Some((Stage::Primary, 430 * u64::from(MAX_ZONE_CHILDREN)))
        );
    }
}
