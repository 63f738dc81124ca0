//! The nearest schools of each zone, per county and stage, from an R-tree:
//! by great-circle distance, or by road where the region's distances are.
//! The straight line never exceeds the road, so schools are visited in
//! straight order and the search stops once no farther one can be nearer
//! by road.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use geo::Point;
use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::model::geodesy::{chord_for_m, metres_of_chord2, unit_vector};
use crate::model::{Distances, Region, School, Stage};

type Entry = GeomWithData<[f64; 3], u32>;

/// A school within reach of a zone and the distance to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub school: u32,
    /// Metres as the region measures them (by road or great-circle),
    /// rounded: integer so that costs compare exactly.
    pub metres: i64,
}

/// The public schools of each county and stage, ready for nearest queries.
pub struct SchoolIndex<'a> {
    trees: HashMap<(Option<&'a str>, Stage), Tree>,
    schools: &'a [School],
    distances: Option<&'a Distances>,
    /// Lists already found by road, kept by the road measure.
    memo: Option<&'a NearestMemo>,
}

/// One county's schools of a stage, and a fingerprint of them (each
/// school's index and location) that tells one set of schools from another
/// in the [`NearestMemo`].
struct Tree {
    tree: RTree<Entry>,
    fingerprint: u64,
}

/// Nearest lists found by road, kept with the road measure that priced
/// them. The officers' map makes a plan again on every edit with the same
/// schools and the same measure, and by road each list walks the school
/// tables: asked again, a list is cloned from here. Keyed by the schools'
/// fingerprint, the point, `k` and the reach, so an index of other
/// schools (a closure, a new site, a different stage's schools) never
/// shares an answer. Emptied when full, so that trying many sets of
/// schools (`site`) does not grow it without end.
pub struct NearestMemo {
    lists: Mutex<HashMap<MemoKey, Nearest>>,
    limit: usize,
}

/// (schools' fingerprint, point's bits, k, reach's bits).
type MemoKey = (u64, (u64, u64), usize, Option<u64>);

impl NearestMemo {
    /// A memo of at most `limit` lists.
    pub fn new(limit: usize) -> Self {
        NearestMemo {
            lists: Mutex::new(HashMap::new()),
            limit,
        }
    }

    /// Lists kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lists.lock().expect("nearest memo").len()
    }

    fn get(&self, key: &MemoKey) -> Option<Nearest> {
        self.lists.lock().expect("nearest memo").get(key).cloned()
    }

    fn keep(&self, key: MemoKey, found: &Nearest) {
        let mut lists = self.lists.lock().expect("nearest memo");
        if lists.len() >= self.limit {
            lists.clear();
        }
        lists.insert(key, found.clone());
    }
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
    /// Indexes the region's schools that take a catchment (public,
    /// teaching the stage), measured as the region measures.
    pub fn of(region: &'a Region) -> Self {
        Self::new(&region.schools).measured_by(&region.distances)
    }

    /// Indexes the region's schools `eligible` admits for each stage,
    /// measured as the region measures.
    pub fn of_with(region: &'a Region, eligible: impl Fn(&School, Stage) -> bool) -> Self {
        Self::with(&region.schools, eligible).measured_by(&region.distances)
    }

    /// The same schools with distances measured by `distances` (by road
    /// where it holds a network).
    pub fn measured_by(mut self, distances: &'a Distances) -> Self {
        self.distances = distances.road().is_some().then_some(distances);
        self.memo = distances
            .road()
            .and_then(|r| r.nearest_memo())
            .and_then(|m| m.downcast_ref());
        self
    }

    /// Indexes the schools that take a catchment (public, teaching the stage).
    pub fn new(schools: &'a [School]) -> Self {
        Self::with(schools, |s, stage| s.takes_catchment(stage))
    }

    /// Indexes the schools `eligible` admits for each stage, by
    /// great-circle distance.
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
            .map(|(k, v)| {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                for e in &v {
                    let p = schools[e.data as usize].location;
                    (e.data, p.x().to_bits(), p.y().to_bits()).hash(&mut hasher);
                }
                let fingerprint = hasher.finish();
                let tree = RTree::bulk_load(v);
                (k, Tree { tree, fingerprint })
            })
            .collect();
        SchoolIndex {
            trees,
            schools,
            distances: None,
            memo: None,
        }
    }

    /// Schools of this county that take a catchment for the stage.
    pub fn count(&self, county: Option<&str>, stage: Stage) -> usize {
        self.trees
            .get(&(county, stage))
            .map_or(0, |t| t.tree.size())
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
    ) -> Box<dyn Iterator<Item = Candidate> + 's> {
        let query = unit_vector(at);
        let straight = self
            .trees
            .get(&(county, stage))
            .into_iter()
            .flat_map(move |t| t.tree.nearest_neighbor_iter_with_distance_2(&query))
            .map(|(entry, chord2)| Candidate {
                school: entry.data,
                metres: metres_of_chord2(chord2),
            });
        match self.distances {
            None => Box::new(straight),
            Some(d) => Box::new(ByRoad {
                straight: straight.peekable(),
                measured: BinaryHeap::new(),
                at,
                schools: self.schools,
                distances: d,
            }),
        }
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
        let Some(Tree { tree, fingerprint }) = self.trees.get(&(county, stage)) else {
            return Nearest::default();
        };
        if let Some(distances) = self.distances {
            let key = (
                *fingerprint,
                (at.x().to_bits(), at.y().to_bits()),
                k,
                max_m.map(f64::to_bits),
            );
            if let Some(found) = self.memo.and_then(|m| m.get(&key)) {
                return found;
            }
            let found = self.nearest_by_road(tree, distances, at, k, max_m);
            if let Some(m) = self.memo {
                m.keep(key, &found);
            }
            return found;
        }
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

impl SchoolIndex<'_> {
    /// The `k` nearest by road within `max_m`: schools in straight order,
    /// until the straight line alone puts the rest beyond the `k`-th.
    fn nearest_by_road(
        &self,
        tree: &RTree<Entry>,
        distances: &Distances,
        at: Point<f64>,
        k: usize,
        max_m: Option<f64>,
    ) -> Nearest {
        let within = |m: i64| max_m.is_none_or(|max| m as f64 <= max);
        let mut found: Vec<Candidate> = Vec::with_capacity(k + 1);
        let mut truncated = false;
        for (entry, chord2) in tree.nearest_neighbor_iter_with_distance_2(&unit_vector(at)) {
            let straight = metres_of_chord2(chord2);
            if !within(straight) {
                break;
            }
            let metres = distances.metres(at, self.schools[entry.data as usize].location);
            let all_farther = k == 0 || (found.len() >= k && straight > found[k - 1].metres);
            if all_farther {
                // This school and every later one are farther by road than
                // the k listed: the list is cut if one of them is in reach.
                if found.len() > k || within(metres) {
                    truncated = true;
                    break;
                }
                continue;
            }
            if within(metres) {
                let c = Candidate {
                    school: entry.data,
                    metres,
                };
                let at = found.partition_point(|f| (f.metres, f.school) < (c.metres, c.school));
                found.insert(at, c);
                found.truncate(k + 1);
            }
        }
        if found.len() > k {
            truncated = true;
            found.truncate(k);
        }
        Nearest {
            candidates: found,
            truncated,
        }
    }
}

/// Schools in order of road distance, measured only as far as needed: a
/// school is given once no school not yet measured can come before it.
/// The straight line never exceeds the road, so every school after the
/// next in straight order is at least that far by road (less one metre, for
/// the two roundings of the straight metres).
struct ByRoad<'a, I: Iterator<Item = Candidate>> {
    straight: std::iter::Peekable<I>,
    /// (metres by road, school) of the schools measured, not yet given.
    measured: BinaryHeap<Reverse<(i64, u32)>>,
    at: Point<f64>,
    schools: &'a [School],
    distances: &'a Distances,
}

impl<I: Iterator<Item = Candidate>> Iterator for ByRoad<'_, I> {
    type Item = Candidate;

    fn next(&mut self) -> Option<Candidate> {
        loop {
            let settled = match (self.measured.peek(), self.straight.peek()) {
                (Some(Reverse((m, _))), Some(next)) => *m + 1 < next.metres,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            if settled {
                let Reverse((metres, school)) = self.measured.pop()?;
                return Some(Candidate { school, metres });
            }
            let c = self.straight.next()?;
            let location = self.schools[c.school as usize].location;
            let metres = self.distances.metres(self.at, location);
            self.measured.push(Reverse((metres, c.school)));
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
