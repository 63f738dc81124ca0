//! Barriers children should not cross on their way to school: rivers,
//! expressways, railways. A trip crosses a barrier when the straight line
//! from the zone to the school meets one of its lines.

use geo::{Intersects, Line, LineString, MultiLineString, Point};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// One barrier as read: its name (for reports) and its lines.
#[derive(Clone, Debug)]
pub struct Barrier {
    pub name: String,
    pub lines: MultiLineString<f64>,
}

type Segment = GeomWithData<rstar::primitives::Line<[f64; 2]>, u32>;

/// All barrier segments in an R-tree, for fast crossing tests.
#[derive(Default)]
pub struct BarrierIndex {
    tree: RTree<Segment>,
    names: Vec<String>,
}

impl BarrierIndex {
    pub fn new(barriers: &[Barrier]) -> BarrierIndex {
        let mut segments = Vec::new();
        for (b, barrier) in barriers.iter().enumerate() {
            for line in &barrier.lines {
                for seg in line.lines() {
                    segments.push(GeomWithData::new(
                        rstar::primitives::Line::new(
                            [seg.start.x, seg.start.y],
                            [seg.end.x, seg.end.y],
                        ),
                        b as u32,
                    ));
                }
            }
        }
        BarrierIndex {
            tree: RTree::bulk_load(segments),
            names: barriers.iter().map(|b| b.name.clone()).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The first barrier (in input order) the trip from `a` to `b` crosses.
    pub fn crossed(&self, a: Point<f64>, b: Point<f64>) -> Option<&str> {
        if self.is_empty() {
            return None;
        }
        let trip = Line::new(a.0, b.0);
        let envelope = AABB::from_corners([a.x(), a.y()], [b.x(), b.y()]);
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .filter(|s| {
                let [p, q] = [s.geom().from, s.geom().to];
                trip.intersects(&Line::new(
                    geo::coord! { x: p[0], y: p[1] },
                    geo::coord! { x: q[0], y: q[1] },
                ))
            })
            .map(|s| s.data)
            .min()
            .map(|b| self.names[b as usize].as_str())
    }
}

/// Lines of a barrier geometry: lines as they are, polygons by their rings
/// (a lake or a wide river drawn as an area).
pub fn lines_of(geometry: &geo::Geometry<f64>) -> MultiLineString<f64> {
    let mut out: Vec<LineString<f64>> = Vec::new();
    let mut push_polygon = |p: &geo::Polygon<f64>| {
        out.push(p.exterior().clone());
        out.extend(p.interiors().iter().cloned());
    };
    match geometry {
        geo::Geometry::LineString(l) => out.push(l.clone()),
        geo::Geometry::MultiLineString(m) => out.extend(m.0.iter().cloned()),
        geo::Geometry::Polygon(p) => push_polygon(p),
        geo::Geometry::MultiPolygon(m) => m.iter().for_each(&mut push_polygon),
        geo::Geometry::Line(l) => out.push(LineString::from(vec![l.start, l.end])),
        _ => {}
    }
    MultiLineString::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_river_between_zone_and_school_is_crossed() {
        let river = Barrier {
            name: "清溪河".into(),
            lines: MultiLineString::new(vec![LineString::from(vec![(118.0, 30.0), (118.0, 31.0)])]),
        };
        let index = BarrierIndex::new(&[river]);
        assert_eq!(
            index.crossed(Point::new(117.9, 30.5), Point::new(118.1, 30.5)),
            Some("清溪河")
        );
        assert_eq!(
            index.crossed(Point::new(117.9, 30.5), Point::new(117.95, 30.6)),
            None
        );
        assert_eq!(
            BarrierIndex::default().crossed(Point::new(0.0, 0.0), Point::new(1.0, 1.0)),
            None
        );
    }
}
