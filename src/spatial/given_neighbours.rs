//! Neighbours the bureau states itself: pairs of zones the geometry cannot
//! see as neighbours (a footbridge, a village road between two compounds
//! that do not touch) or must not see (a fenced railway between two that
//! do). Contiguity, the balance and band passes, lottery groups and the
//! officers' map all read the one graph these edits give.
//!
//! With point zones only, the geometry knows no sides: the Delaunay guess
//! is then replaced by the pairs the file adds, since a bureau that writes
//! its own neighbour list for addresses means that list.

use super::adjacency::Adjacency;
use crate::model::{Shape, Zone};

/// Pairs of zone indices to join and to separate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GivenNeighbours {
    pub add: Vec<(u32, u32)>,
    pub remove: Vec<(u32, u32)>,
}

impl GivenNeighbours {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    /// The neighbour graph of `zones` with these edits: the geometry's
    /// graph plus `add` minus `remove` (a pair both added and removed is
    /// removed: a barrier outweighs a path), or, when every zone is a
    /// point and pairs are added, those pairs alone.
    pub fn adjacency(&self, zones: &[Zone], tolerance_m: f64) -> Adjacency {
        if self.is_empty() {
            return Adjacency::build(zones, tolerance_m);
        }
        let points_only = zones.iter().all(|z| matches!(z.shape, Shape::Point(_)));
        let mut edges: Vec<(u32, u32)> = if points_only && !self.add.is_empty() {
            Vec::new()
        } else {
            let geometry = Adjacency::build(zones, tolerance_m);
            (0..geometry.len())
                .flat_map(|z| {
                    let z32 = z as u32;
                    geometry
                        .neighbours(z)
                        .iter()
                        .filter(move |&&n| n > z32)
                        .map(move |&n| (z32, n))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        edges.extend(self.add.iter().map(|&(a, b)| ordered(a, b)));
        let mut removed: Vec<(u32, u32)> =
            self.remove.iter().map(|&(a, b)| ordered(a, b)).collect();
        removed.sort_unstable();
        edges.retain(|e| removed.binary_search(e).is_err());
        Adjacency::from_edges(zones.len(), edges)
    }
}

fn ordered(a: u32, b: u32) -> (u32, u32) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cohort;
    use geo::{LineString, MultiPolygon, Point, Polygon};

    fn square(id: &str, x: f64) -> Zone {
        let d = 0.001;
        let ring = LineString::from(vec![
            (x, 31.0),
            (x + d, 31.0),
            (x + d, 31.0 + d),
            (x, 31.0 + d),
            (x, 31.0),
        ]);
        let mut z = Zone::at_point(
            id,
            Point::new(x + d / 2.0, 31.0 + d / 2.0),
            [Cohort::default(); 2],
        );
        z.shape = Shape::Area(MultiPolygon::new(vec![Polygon::new(ring, vec![])]));
        z
    }

    #[test]
    fn added_pairs_join_removed_pairs_part() {
        // Three squares in a row, the third 1 km away from the second.
        let zones = vec![
            square("a", 117.0),
            square("b", 117.001),
            square("c", 117.011),
        ];
        let plain = GivenNeighbours::default().adjacency(&zones, 2.0);
        assert_eq!(plain.neighbours(0), &[1]);
        assert_eq!(plain.neighbours(2), &[] as &[u32]);
        let edits = GivenNeighbours {
            add: vec![(2, 1)],
            remove: vec![(1, 0)],
        };
        let a = edits.adjacency(&zones, 2.0);
        assert_eq!(a.neighbours(0), &[] as &[u32]);
        assert_eq!(a.neighbours(1), &[2]);
        // Added and removed: removed.
        let both = GivenNeighbours {
            add: vec![(0, 2)],
            remove: vec![(2, 0)],
        };
        assert_eq!(both.adjacency(&zones, 2.0).neighbours(2), &[] as &[u32]);
    }

    #[test]
    fn for_points_the_added_pairs_replace_the_delaunay_guess() {
        let p = |id: &str, x: f64| Zone::at_point(id, Point::new(x, 31.0), [Cohort::default(); 2]);
        let zones = vec![p("a", 117.0), p("b", 117.001), p("c", 117.002)];
        assert_eq!(GivenNeighbours::default().adjacency(&zones, 2.0).edges(), 2);
        let given = GivenNeighbours {
            add: vec![(0, 2)],
            remove: vec![],
        };
        let a = given.adjacency(&zones, 2.0);
        assert_eq!((a.edges(), a.neighbours(0)), (1, &[2u32][..]));
        // Only removals: the Delaunay graph without them.
        let cut = GivenNeighbours {
            add: vec![],
            remove: vec![(0, 1)],
        };
        assert_eq!(cut.adjacency(&zones, 2.0).neighbours(0), &[] as &[u32]);
    }
}
