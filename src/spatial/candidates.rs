//! The nearest schools of each zone, per county and stage, from an R-tree.

use std::collections::HashMap;

use geo::Point;
use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::geodesy::{chord_for_m, metres_of_chord2, unit_vector};
use crate::model::{School, Stage};

type Entry = GeomWithData<[f64; 3], u32>;

/// A school within reach of a zone and the distance to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub school: u32,
    /// Great-circle metres, rounded: integer so that costs compare exactly.
    pub metres: i64,
}

/// The public schools of each county and stage, ready for nearest queries.
pub struct SchoolIndex<'a> {
    trees: HashMap<(Option<&'a str>, Stage), RTree<Entry>>,
    _schools: std::marker::PhantomData<&'a [School]>,
}

/// The answer to a nearest query.
#[derive(Clone, Debug, Default)]
pub struct Nearest {
    /// Sorted by distance, then by school index.
    pub candidates: Vec<Candidate>,
    /// More eligible schools exist beyond the last one returned.
    pub truncated: bool,
}

impl<'a> SchoolIndex<'a> {
    /// Indexes the schools that take a catchment (public, teaching the stage).
    pub fn new(schools: &'a [School]) -> Self {
        Self::with(schools, |s, stage| s.takes_catchment(stage))
    }

    /// Indexes the schools `eligible` admits for each stage.
    pub fn with(schools: &'a [School], eligible: impl Fn(&School, Stage) -> bool) -> Self {
        let mut groups: HashMap<(Option<&str>, Stage), Vec<Entry>> = HashMap::new();
        for (i, s) in schools.iter().enumerate() {
            for stage in Stage::ALL {
                if eligible(s, stage) {
                    groups
                        .entry((s.county.as_deref(), stage))
                        .or_default()
                        .push(GeomWithData::new(unit_vector(s.location), i as u32));
                }
            }
        }
        let trees = groups
            .into_iter()
            .map(|(k, v)| (k, RTree::bulk_load(v)))
            .collect();
        SchoolIndex {
            trees,
            _schools: std::marker::PhantomData,
        }
    }

    /// Schools of this county that take a catchment for the stage.
    pub fn count(&self, county: Option<&str>, stage: Stage) -> usize {
        self.trees.get(&(county, stage)).map_or(0, |t| t.size())
    }

    /// The counties that have an eligible school of the stage, sorted.
    pub fn counties(&self, stage: Stage) -> Vec<&'a str> {
        let mut counties: Vec<&str> = self
            .trees
            .keys()
            .filter(|(_, s)| *s == stage)
            .filter_map(|(c, _)| *c)
            .collect();
        counties.sort_unstable();
        counties
    }

    /// Eligible schools in order of distance, without end: the caller stops
    /// where it has seen enough (distances only grow).
    pub fn by_distance<'s>(
        &'s self,
        county: Option<&'s str>,
        stage: Stage,
        at: Point<f64>,
    ) -> impl Iterator<Item = Candidate> + 's {
        let query = unit_vector(at);
        self.trees
            .get(&(county, stage))
            .into_iter()
            .flat_map(move |tree| tree.nearest_neighbor_iter_with_distance_2(&query))
            .map(|(entry, chord2)| Candidate {
                school: entry.data,
                metres: metres_of_chord2(chord2),
            })
    }

    /// The `k` nearest eligible schools within `max_m` metres.
    pub fn nearest(
        &self,
        county: Option<&str>,
        stage: Stage,
        at: Point<f64>,
        k: usize,
        max_m: Option<f64>,
    ) -> Nearest {
        let Some(tree) = self.trees.get(&(county, stage)) else {
            return Nearest::default();
        };
        let query = unit_vector(at);
        let max_chord2 = max_m.map(|m| chord_for_m(m).powi(2));
        let mut out = Vec::with_capacity(k.min(tree.size()));
        let mut truncated = false;
        for (entry, chord2) in tree.nearest_neighbor_iter_with_distance_2(&query) {
            if max_chord2.is_some_and(|m| chord2 > m) {
                break;
            }
            if out.len() == k {
                truncated = true;
                break;
            }
            out.push(Candidate {
                school: entry.data,
                metres: metres_of_chord2(chord2),
            });
        }
        out.sort_by_key(|c| (c.metres, c.school));
        Nearest {
            candidates: out,
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SchoolKind, Sector};

    fn school(x: f64, y: f64, kind: SchoolKind, sector: Sector, county: Option<&str>) -> School {
        School {
            sector,
            county: county.map(String::from),
            ..School::public(&format!("{x},{y}"), kind, Point::new(x, y))
        }
    }

    #[test]
    fn nearest_respects_stage_county_sector_and_reach() {
        let schools = vec![
            school(120.00, 30.0, SchoolKind::Primary, Sector::Public, Some("a")),
            school(
                120.01,
                30.0,
                SchoolKind::NineYear,
                Sector::Public,
                Some("a"),
            ),
            school(120.02, 30.0, SchoolKind::Junior, Sector::Public, Some("a")),
            school(
                120.001,
                30.0,
                SchoolKind::Primary,
                Sector::Private,
                Some("a"),
            ),
            school(
                120.0005,
                30.0,
                SchoolKind::Primary,
                Sector::Public,
                Some("b"),
            ),
            school(120.2, 30.0, SchoolKind::Primary, Sector::Public, Some("a")),
        ];
        let index = SchoolIndex::new(&schools);
        let at = Point::new(120.0, 30.0);
        let n = index.nearest(Some("a"), Stage::Primary, at, 10, None);
        assert_eq!(
            n.candidates.iter().map(|c| c.school).collect::<Vec<_>>(),
            vec![0, 1, 5]
        );
        assert!(!n.truncated);
        let n = index.nearest(Some("a"), Stage::Primary, at, 1, None);
        assert!(n.truncated);
        let n = index.nearest(Some("a"), Stage::Primary, at, 10, Some(5_000.0));
        assert_eq!(n.candidates.len(), 2);
        assert!(
            (n.candidates[1].metres - 963).abs() <= 2,
            "{:?}",
            n.candidates
        );
        let n = index.nearest(Some("a"), Stage::Junior, at, 10, None);
        assert_eq!(
            n.candidates.iter().map(|c| c.school).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(index.count(Some("c"), Stage::Primary), 0);
    }
}
