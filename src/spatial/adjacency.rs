//! Which zones touch which: the graph that catchments must be connected in.
//!
//! # The neighbour rule
//!
//! Two polygon zones are neighbours when they share boundary, not just a
//! corner. Real data is not a perfect tiling (digitised compounds leave
//! slivers of gap and overlap between them), so the rule allows a tolerance
//! `T` (metres):
//!
//! 1. **Exact edges.** Zones with an identical ring edge (endpoints equal
//!    after rounding to 1e-9 degree, about 0.1 mm, in either orientation)
//!    are neighbours at once, whatever the edge's length: tilings made from
//!    one topology (census blocks, Voronoi cells) share their edges vertex
//!    for vertex, and this settles almost every pair without geometry.
//! 2. **Contact within the tolerance.** Otherwise, call the *contact* of A
//!    with B the points of A's boundary (holes included) that lie inside B
//!    or within `T` of B's boundary. A and B are neighbours when the
//!    contact of A with B and that of B with A *both* hold a stretch
//!    running continuously along the boundary for at least `4 T`, or when
//!    the contact of either covers a whole exterior ring of it that is at
//!    least `4 T` long.
//!
//! Why `4 T`: where two zones meet only at a corner, the boundary of one
//! stays within `T` of the other for `T` on each side of the corner (square
//! corners), so about `2 T`; corners that overlap by up to `T` reach `4 T`.
//! A longer stretch therefore holds about `2 T` or more of boundary that
//! truly runs along the other zone, across a gap or an overlap narrower
//! than `T`, or across T-junctions where the two sides were digitised with
//! different vertices. Why both sides: a narrow spike of one zone whose tip
//! touches another's corner (real census blocks have them) runs within `T`
//! of it for a long way, but the blunt corner it touches does not; a true
//! shared boundary is long seen from either side. The whole-ring clause
//! attaches zones lying entirely inside another (hand-drawn compounds inside
//! a village outline) and zero-area slivers along another's side, whose
//! partner sees only a short or distant contact; counting "inside B" makes
//! zones that overlap deeply neighbours too. Parts with a perimeter under
//! `4 T` cannot show a side from a corner at this scale (census blocks have
//! detached slivers of a square metre at street corners) and join only by
//! exact edges. Two corners that both narrow to under about 20 degrees can
//! still pass: at that angle a corner and a shared edge with a sliver gap
//! look the same at the scale of `T`.
//!
//! A tolerance of zero asks for contact of positive length: boundaries that
//! coincide along a stretch, or any overlap at all, so that corners which
//! overlap by rounding noise count; real data needs a tolerance.
//!
//! A zone filling another's hole touches the hole's ring, so it is that
//! zone's neighbour; a MultiPolygon zone is the neighbour of whatever any of
//! its parts touches.
//!
//! # Point zones
//!
//! Zones known only by an address get the neighbours of the Delaunay
//! triangulation of their points (in degrees with longitude scaled by the
//! cosine of the points' mean latitude): the standard contiguity for point
//! data. Zones at identical coordinates are neighbours of each other and
//! share the neighbours of their common vertex. When a region mixes points
//! and polygons, each point zone is also joined to every polygon zone that
//! contains it (boundary included) or, when none does, to the nearest one,
//! so that the two kinds form one graph.
//!
//! # Counties
//!
//! The graph is pure geography: zones of different counties that touch are
//! neighbours. Callers that plan within a county keep to its zones (for
//! example with [`Adjacency::components_of`]).

use std::f64::consts::PI;

use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use crate::model::geodesy::EARTH_RADIUS_M;
use crate::model::{Shape, Zone};

/// Suits surveyed data such as census blocks, whose neighbours share exact
/// edges, and hand-digitised compounds, whose slivers are usually well under
/// a metre wide; raise it for coarse drawings, where a gap of a few metres
/// still means "next door".
pub const DEFAULT_TOLERANCE_M: f64 = 2.0;

/// Metres per degree of latitude on the sphere that distances use elsewhere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * PI / 180.0;

/// Edge endpoints are compared on this grid (per degree): about 0.1 mm, far
/// below any survey's precision, far above floating-point noise.
const KEY_SCALE: f64 = 1e9;

/// A contact stretch must be this many tolerances long (see module docs).
const RUN_FACTOR: f64 = 4.0;

/// Above this many nearby segments of the other zone, a per-pair R-tree
/// beats testing every segment pair.
const SEGMENT_TREE_MIN: usize = 48;

/// Slack on interval ends along a segment (fraction of its length).
const EPS_U: f64 = 1e-9;

/// Which zones touch which: an undirected graph in CSR form, neighbours of
/// each zone sorted ascending, no self loops, symmetric.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Adjacency {
    /// Zone z's neighbours are `neighbours[offsets[z]..offsets[z + 1]]`.
    offsets: Vec<usize>,
    neighbours: Vec<u32>,
}

impl Adjacency {
    /// The neighbour graph of `zones` under the rule of the module docs.
    /// The result does not depend on the number of threads.
    pub fn build(zones: &[Zone], tolerance_m: f64) -> Adjacency {
        let tolerance_m = if tolerance_m.is_finite() {
            tolerance_m.max(0.0)
        } else {
            DEFAULT_TOLERANCE_M
        };
        let areas: Vec<Option<AreaZone>> = zones
            .par_iter()
            .enumerate()
            .map(|(z, zone)| match &zone.shape {
                Shape::Area(mp) => AreaZone::new(z as u32, mp),
                Shape::Point(_) => None,
            })
            .collect();
        let tree: RTree<Entry> = RTree::bulk_load(
            areas
                .iter()
                .flatten()
                .map(|a| GeomWithData::new(Rectangle::from_corners(a.lo, a.hi), a.zone))
                .collect(),
        );
        let mut pairs = polygon_pairs(&areas, &tree, tolerance_m);
        pairs.extend(point_pairs(zones, &areas, &tree));
        Adjacency::from_edges(zones.len(), pairs)
    }

    /// A graph of `zones` zones from undirected edges given in any order,
    /// either orientation, possibly repeated; self loops are dropped. Lets
    /// callers and tests state a graph directly.
    ///
    /// # Panics
    /// When an edge names a zone `>= zones`.
    pub fn from_edges(zones: usize, edges: impl IntoIterator<Item = (u32, u32)>) -> Adjacency {
        let mut directed: Vec<(u32, u32)> = Vec::new();
        for (a, b) in edges {
            assert!(
                (a as usize) < zones && (b as usize) < zones,
                "edge ({a}, {b}) names a zone outside 0..{zones}"
            );
            if a != b {
                directed.push((a, b));
                directed.push((b, a));
            }
        }
        directed.par_sort_unstable();
        directed.dedup();
        let mut offsets = vec![0usize; zones + 1];
        for &(a, _) in &directed {
            offsets[a as usize + 1] += 1;
        }
        for z in 0..zones {
            offsets[z + 1] += offsets[z];
        }
        Adjacency {
            offsets,
            neighbours: directed.into_iter().map(|(_, b)| b).collect(),
        }
    }

    /// The zones touching `zone`, ascending.
    pub fn neighbours(&self, zone: usize) -> &[u32] {
        &self.neighbours[self.offsets[zone]..self.offsets[zone + 1]]
    }

    /// Number of zones.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        self.neighbours.len() / 2
    }

    /// Connected pieces of a set of zones (e.g. one catchment) in this graph:
    /// returns, for the given members, a component label per member (labels
    /// 0..k, ordered by first member). Only edges between members count; a
    /// zone listed twice gets the same label both times.
    ///
    /// # Panics
    /// When a member is not a zone of the graph.
    pub fn components_of(&self, members: &[u32]) -> Vec<u32> {
        // Sorted (zone, position) pairs: membership by binary search costs
        // O(m log m) whatever the size of the whole graph.
        let mut sorted: Vec<(u32, u32)> = members
            .iter()
            .enumerate()
            .map(|(p, &z)| (z, p as u32))
            .collect();
        sorted.sort_unstable();
        let mut parent: Vec<u32> = (0..members.len() as u32).collect();
        for w in sorted.windows(2) {
            if w[0].0 == w[1].0 {
                union(&mut parent, w[0].1, w[1].1);
            }
        }
        for (p, &z) in members.iter().enumerate() {
            for &n in self.neighbours(z as usize) {
                let at = sorted.partition_point(|&(m, _)| m < n);
                if sorted.get(at).is_some_and(|&(m, _)| m == n) {
                    union(&mut parent, p as u32, sorted[at].1);
                }
            }
        }
        let mut label = vec![u32::MAX; members.len()];
        let mut next = 0;
        (0..members.len())
            .map(|p| {
                let root = find(&mut parent, p as u32) as usize;
                if label[root] == u32::MAX {
                    label[root] = next;
                    next += 1;
                }
                label[root]
            })
            .collect()
    }
}

/// The part of a graph (`neighbours` per node) grown breadth first from
/// `start`, through the nodes `take` accepts; `take` also marks a node as
/// taken, so that it refuses it the next time. The start is the caller's to
/// mark. Catchments, their pieces and the parts of the map are all such
/// parts, each with its own rule and marks.
pub fn grow(
    start: usize,
    neighbours: &[Vec<u32>],
    mut take: impl FnMut(usize) -> bool,
) -> Vec<usize> {
    let mut part = vec![start];
    let mut next = 0;
    while next < part.len() {
        let v = part[next];
        next += 1;
        for &w in &neighbours[v] {
            if take(w as usize) {
                part.push(w as usize);
            }
        }
    }
    part
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // The smaller root wins, so labels do not depend on the union order.
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi as usize] = lo;
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A polygon zone with its envelope in degrees.
struct AreaZone<'a> {
    zone: u32,
    shape: &'a MultiPolygon<f64>,
    lo: [f64; 2],
    hi: [f64; 2],
}

impl<'a> AreaZone<'a> {
    fn new(zone: u32, shape: &'a MultiPolygon<f64>) -> Option<Self> {
        let r = shape.bounding_rect()?;
        let (lo, hi) = ([r.min().x, r.min().y], [r.max().x, r.max().y]);
        lo.iter()
            .chain(&hi)
            .all(|v| v.is_finite())
            .then_some(AreaZone {
                zone,
                shape,
                lo,
                hi,
            })
    }

    /// The envelope grown by `metres` on every side, generously: longitude
    /// degrees are shortest at the envelope's latitude farthest from the
    /// equator.
    fn reach(&self, metres: f64) -> AABB<[f64; 2]> {
        let lat = self.lo[1].abs().max(self.hi[1].abs()).min(89.9);
        let dy = 1.01 * metres / M_PER_DEG + 1e-12;
        let dx = dy / lat.to_radians().cos().max(1e-3);
        AABB::from_corners(
            [self.lo[0] - dx, self.lo[1] - dy],
            [self.hi[0] + dx, self.hi[1] + dy],
        )
    }

    fn centre_lat(&self) -> f64 {
        (self.lo[1] + self.hi[1]) / 2.0
    }
}

/// Every ring of a zone, exteriors and holes alike: contact through a hole
/// counts as much as contact outside.
fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &[Coord<f64>]> {
    mp.iter().flat_map(|p| {
        std::iter::once(p.exterior().0.as_slice())
            .chain(p.interiors().iter().map(|r| r.0.as_slice()))
    })
}

type Key = [i64; 4];

fn corner_key(c: Coord<f64>) -> (i64, i64) {
    (
        (c.x * KEY_SCALE).round() as i64,
        (c.y * KEY_SCALE).round() as i64,
    )
}

/// The edges of a zone as orientation-free keys, edges shorter than the
/// key grid left out (they would make corners look like shared edges).
fn edge_keys(mp: &MultiPolygon<f64>, out: &mut Vec<Key>) {
    for ring in rings(mp) {
        let closing = match (ring.first(), ring.last()) {
            (Some(&f), Some(&l)) if f != l => Some([l, f]),
            _ => None,
        };
        let segs = ring.windows(2).map(|w| [w[0], w[1]]).chain(closing);
        for [p, q] in segs {
            let (a, b) = (corner_key(p), corner_key(q));
            if a == b {
                continue;
            }
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            out.push([a.0, a.1, b.0, b.1]);
        }
    }
}

/// Per-thread buffers, reused across zones and pairs.
#[derive(Default)]
struct Scratch {
    keys: Vec<Key>,
    other_keys: Vec<Key>,
    a: Local,
    b: Local,
    segments: Vec<[[f64; 2]; 2]>,
    intervals: Vec<(f64, f64)>,
    gaps: Vec<(f64, f64)>,
}

/// Pairs `(i, j)`, `i < j`, of polygon zones that are neighbours.
fn polygon_pairs(areas: &[Option<AreaZone>], tree: &RTree<Entry>, tol: f64) -> Vec<(u32, u32)> {
    areas
        .par_iter()
        .map_init(Scratch::default, |s, area| {
            let Some(a) = area else {
                return Vec::new();
            };
            s.keys.clear();
            edge_keys(a.shape, &mut s.keys);
            s.keys.sort_unstable();
            s.keys.dedup();
            let mut candidates: Vec<u32> = tree
                .locate_in_envelope_intersecting(&a.reach(tol))
                .map(|e| e.data)
                .filter(|&j| j > a.zone)
                .collect();
            candidates.sort_unstable();
            candidates
                .into_iter()
                .filter(|&j| {
                    let b = areas[j as usize]
                        .as_ref()
                        .expect("the tree holds polygon zones only");
                    shares_edge(s, b) || touches(s, a, b, tol)
                })
                .map(|j| (a.zone, j))
                .collect()
        })
        .flatten_iter()
        .collect()
}

/// Whether `b` has an edge among the (sorted) keys of the current zone.
fn shares_edge(s: &mut Scratch, b: &AreaZone) -> bool {
    s.other_keys.clear();
    edge_keys(b.shape, &mut s.other_keys);
    s.other_keys.iter().any(|k| s.keys.binary_search(k).is_ok())
}

/// The tolerant test of rule 2, in local metres around the pair.
fn touches(s: &mut Scratch, a: &AreaZone, b: &AreaZone, tol: f64) -> bool {
    let frame = Frame::new(a.lo, (a.centre_lat() + b.centre_lat()) / 2.0);
    s.a.load(a.shape, frame);
    s.b.load(b.shape, frame);
    let needed = RUN_FACTOR * tol;
    let Scratch {
        a: la,
        b: lb,
        segments,
        intervals,
        gaps,
        ..
    } = s;
    let mut bufs = Buffers {
        segments,
        intervals,
        gaps,
    };
    let ab = contact(la, lb, tol, needed, true, &mut bufs);
    if ab.whole {
        return true;
    }
    let ba = contact(lb, la, tol, needed, ab.long, &mut bufs);
    ba.whole || (ab.long && ba.long)
}

struct Buffers<'s> {
    segments: &'s mut Vec<[[f64; 2]; 2]>,
    intervals: &'s mut Vec<(f64, f64)>,
    gaps: &'s mut Vec<(f64, f64)>,
}

/// What the contact of one zone with another holds (module docs, rule 2).
#[derive(Clone, Copy, Debug, Default)]
struct Contact {
    /// A stretch of at least the needed length.
    long: bool,
    /// A whole exterior ring.
    whole: bool,
}

/// Equirectangular metres around a reference point: exact enough over the
/// few kilometres that two touching zones span.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    origin: [f64; 2],
    kx: f64,
}

impl Frame {
    fn new(origin: [f64; 2], lat: f64) -> Frame {
        Frame {
            origin,
            kx: M_PER_DEG * lat.to_radians().cos(),
        }
    }

    fn metres(self, c: Coord<f64>) -> [f64; 2] {
        [
            (c.x - self.origin[0]) * self.kx,
            (c.y - self.origin[1]) * M_PER_DEG,
        ]
    }
}

/// A zone's closed rings in local metres.
#[derive(Default)]
struct Local {
    points: Vec<[f64; 2]>,
    /// Each ring's range in `points` and whether it is an exterior (the
    /// holes of a polygon follow its exterior).
    rings: Vec<(usize, usize, bool)>,
    lo: [f64; 2],
    hi: [f64; 2],
}

impl Local {
    fn load(&mut self, mp: &MultiPolygon<f64>, frame: Frame) {
        self.points.clear();
        self.rings.clear();
        self.lo = [f64::INFINITY; 2];
        self.hi = [f64::NEG_INFINITY; 2];
        for polygon in mp.iter().filter(|p| !p.exterior().0.is_empty()) {
            let all = std::iter::once(polygon.exterior()).chain(polygon.interiors());
            for (h, ring) in all.enumerate() {
                let Some(&first) = ring.0.first() else {
                    continue;
                };
                let start = self.points.len();
                self.points.extend(ring.0.iter().map(|&c| frame.metres(c)));
                if ring.0.last() != Some(&first) {
                    self.points.push(frame.metres(first));
                }
                self.rings.push((start, self.points.len(), h == 0));
            }
        }
        for &[x, y] in &self.points {
            self.lo = [self.lo[0].min(x), self.lo[1].min(y)];
            self.hi = [self.hi[0].max(x), self.hi[1].max(y)];
        }
    }

    fn ring(&self, r: usize) -> &[[f64; 2]] {
        let (start, end, _) = self.rings[r];
        &self.points[start..end]
    }

    /// Whether `p` is inside the zone (even-odd per polygon, so holes are
    /// outside). Only asked of points farther than the tolerance from the
    /// boundary, where ray casting cannot be fooled by rounding.
    fn contains(&self, p: [f64; 2]) -> bool {
        if p[0] < self.lo[0] || p[0] > self.hi[0] || p[1] < self.lo[1] || p[1] > self.hi[1] {
            return false;
        }
        // Rings come polygon by polygon, exterior first: the parity is
        // settled when the next exterior starts.
        let mut odd = false;
        for (r, &(_, _, exterior)) in self.rings.iter().enumerate() {
            if exterior && odd {
                return true;
            }
            if exterior {
                odd = false;
            }
            for w in self.ring(r).windows(2) {
                let (u, v) = (w[0], w[1]);
                if (u[1] > p[1]) != (v[1] > p[1]) {
                    let x = u[0] + (p[1] - u[1]) / (v[1] - u[1]) * (v[0] - u[0]);
                    if p[0] < x {
                        odd = !odd;
                    }
                }
            }
        }
        odd
    }
}

fn boxes_meet(lo: [f64; 2], hi: [f64; 2], p: [f64; 2], q: [f64; 2], margin: f64) -> bool {
    p[0].min(q[0]) <= hi[0] + margin
        && p[0].max(q[0]) >= lo[0] - margin
        && p[1].min(q[1]) <= hi[1] + margin
        && p[1].max(q[1]) >= lo[1] - margin
}

fn segment_box(s: [[f64; 2]; 2], margin: f64) -> AABB<[f64; 2]> {
    AABB::from_corners(
        [s[0][0].min(s[1][0]) - margin, s[0][1].min(s[1][1]) - margin],
        [s[0][0].max(s[1][0]) + margin, s[0][1].max(s[1][1]) + margin],
    )
}

/// The contact of `a` with `b`: whether it has a stretch of at least
/// `needed` metres (looked for only when `want_long`) and whether it covers
/// a whole exterior ring of `a`.
fn contact(
    a: &Local,
    b: &Local,
    tol: f64,
    needed: f64,
    want_long: bool,
    bufs: &mut Buffers,
) -> Contact {
    let Buffers {
        segments,
        intervals,
        gaps,
    } = bufs;
    let mut found = Contact::default();
    // Only b's segments near a's envelope can come within `tol` of a.
    segments.clear();
    for r in 0..b.rings.len() {
        for w in b.ring(r).windows(2) {
            if boxes_meet(a.lo, a.hi, w[0], w[1], tol) {
                segments.push([w[0], w[1]]);
            }
        }
    }
    let tree = (segments.len() > SEGMENT_TREE_MIN).then(|| {
        RTree::bulk_load(
            segments
                .iter()
                .enumerate()
                .map(|(k, &s)| GeomWithData::new(Rectangle::from_aabb(segment_box(s, tol)), k))
                .collect::<Vec<_>>(),
        )
    });
    for r in 0..a.rings.len() {
        let exterior = a.rings[r].2;
        // Holes never count whole: a zone filling a hole shows as that
        // zone's own exterior, and a hole that small is a digitising flaw.
        if !exterior && (found.long || !want_long) {
            continue;
        }
        let ring = a.ring(r);
        let mut run = Run::default();
        for w in ring.windows(2) {
            let (p, q) = (w[0], w[1]);
            let len = (q[0] - p[0]).hypot(q[1] - p[1]);
            if len == 0.0 {
                continue;
            }
            intervals.clear();
            if boxes_meet(b.lo, b.hi, p, q, tol) {
                let mut near = |t: &[[f64; 2]; 2]| {
                    if let Some(iv) = capsule(p, q, t[0], t[1], tol) {
                        intervals.push(iv);
                    }
                };
                match &tree {
                    Some(tree) => {
                        let query = segment_box([p, q], 0.0);
                        for e in tree.locate_in_envelope_intersecting(&query) {
                            near(&segments[e.data]);
                        }
                    }
                    None => segments.iter().for_each(&mut near),
                }
                merge(intervals);
                // What is left lies farther than `tol` from b's boundary,
                // so each piece is wholly inside b or wholly outside.
                gaps.clear();
                let mut at = 0.0;
                for &(s, e) in intervals.iter().chain([(1.0, 1.0)].iter()) {
                    if s > at + EPS_U {
                        let mid = (at + s) / 2.0;
                        let m = [p[0] + mid * (q[0] - p[0]), p[1] + mid * (q[1] - p[1])];
                        if b.contains(m) {
                            gaps.push((at, s));
                        }
                    }
                    at = at.max(e);
                }
                if !gaps.is_empty() {
                    intervals.append(gaps);
                    merge(intervals);
                }
            }
            run.segment(intervals, len);
            if !exterior && run.reaches(needed) {
                break;
            }
        }
        if run.finish() && exterior && run.reaches(needed) {
            found.whole = true;
            return found;
        }
        found.long |= run.reaches(needed);
    }
    found
}

/// Sorts intervals and merges those that overlap or touch.
fn merge(intervals: &mut Vec<(f64, f64)>) {
    if intervals.len() < 2 {
        return;
    }
    intervals.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut out = 0;
    for k in 1..intervals.len() {
        let (s, e) = intervals[k];
        if s <= intervals[out].1 + EPS_U {
            intervals[out].1 = intervals[out].1.max(e);
        } else {
            out += 1;
            intervals[out] = (s, e);
        }
    }
    intervals.truncate(out + 1);
}

/// Walks one ring's contact, segment by segment, keeping the longest
/// continuous stretch; the stretch open at the ring's start is joined to
/// the one open at its end.
#[derive(Default)]
struct Run {
    current: f64,
    best: f64,
    head: f64,
    broken: bool,
}

impl Run {
    fn segment(&mut self, covered: &[(f64, f64)], len: f64) {
        let mut at = 0.0;
        for &(s, e) in covered {
            if s > at + EPS_U {
                self.interrupt();
            }
            self.current += (e - s.max(at)).max(0.0) * len;
            at = e;
        }
        if at < 1.0 - EPS_U {
            self.interrupt();
        }
    }

    /// A stretch of `needed` metres, and of some length even when the
    /// tolerance is zero (a corner is a stretch of none).
    fn reaches(&self, needed: f64) -> bool {
        self.best > 0.0 && self.best >= needed
    }

    fn interrupt(&mut self) {
        if !self.broken {
            self.head = self.current;
            self.broken = true;
        }
        self.best = self.best.max(self.current);
        self.current = 0.0;
    }

    /// Closes the ring; true when the contact covers all of it.
    fn finish(&mut self) -> bool {
        if !self.broken {
            self.best = self.current;
            return true;
        }
        self.best = self.best.max(self.head + self.current);
        false
    }
}

/// The part of segment p-q (as fractions of it) within `r` of segment a-b:
/// the segment's crossing with the capsule around a-b, which is convex, so
/// it is one interval, the hull of the crossings with its two end discs and
/// its middle rectangle.
fn capsule(p: [f64; 2], q: [f64; 2], a: [f64; 2], b: [f64; 2], r: f64) -> Option<(f64, f64)> {
    let d = [q[0] - p[0], q[1] - p[1]];
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut add = |iv: Option<(f64, f64)>| {
        if let Some((s, e)) = iv {
            lo = lo.min(s);
            hi = hi.max(e);
        }
    };
    add(disc(p, d, a, r));
    add(disc(p, d, b, r));
    let e = [b[0] - a[0], b[1] - a[1]];
    let l = e[0].hypot(e[1]);
    if l > 0.0 {
        let u = [e[0] / l, e[1] / l];
        let n = [-u[1], u[0]];
        let w = [p[0] - a[0], p[1] - a[1]];
        let dot = |x: [f64; 2], y: [f64; 2]| x[0] * y[0] + x[1] * y[1];
        let along = between(dot(w, u), dot(d, u), 0.0, l);
        let across = between(dot(w, n), dot(d, n), -r, r);
        if let (Some(x), Some(y)) = (along, across) {
            let (s, e) = (x.0.max(y.0), x.1.min(y.1));
            if s <= e {
                add(Some((s, e)));
            }
        }
    }
    let (s, e) = (lo.max(0.0), hi.min(1.0));
    (s <= e).then_some((s, e))
}

/// Where `c0 + c1 t` lies in [lo, hi], over all real t.
fn between(c0: f64, c1: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    if c1 == 0.0 {
        return (lo <= c0 && c0 <= hi).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let (s, e) = ((lo - c0) / c1, (hi - c0) / c1);
    Some(if s <= e { (s, e) } else { (e, s) })
}

/// Where `p + t d` lies within `r` of `c`, over all real t.
fn disc(p: [f64; 2], d: [f64; 2], c: [f64; 2], r: f64) -> Option<(f64, f64)> {
    let w = [p[0] - c[0], p[1] - c[1]];
    let qa = d[0] * d[0] + d[1] * d[1];
    let qb = 2.0 * (w[0] * d[0] + w[1] * d[1]);
    let qc = w[0] * w[0] + w[1] * w[1] - r * r;
    if qa == 0.0 {
        return (qc <= 0.0).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let disc = qb * qb - 4.0 * qa * qc;
    if disc < 0.0 {
        return None;
    }
    let root = disc.sqrt();
    Some(((-qb - root) / (2.0 * qa), (-qb + root) / (2.0 * qa)))
}

/// A triangulation vertex standing for every point zone at its position.
struct Site {
    at: Point2<f64>,
    group: u32,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.at
    }
}

/// Edges of the point zones: Delaunay among themselves, and to the polygon
/// zones that hold them (or the nearest one).
fn point_pairs(zones: &[Zone], areas: &[Option<AreaZone>], tree: &RTree<Entry>) -> Vec<(u32, u32)> {
    let points: Vec<(u32, Point<f64>)> = zones
        .iter()
        .enumerate()
        .filter_map(|(z, zone)| match zone.shape {
            Shape::Point(p) if p.x().is_finite() && p.y().is_finite() => Some((z as u32, p)),
            _ => None,
        })
        .collect();
    if points.is_empty() {
        return Vec::new();
    }
    let mut pairs = delaunay_pairs(&points);
    if tree.size() > 0 {
        let c_min = areas
            .iter()
            .flatten()
            .map(|a| a.lo[1].abs().max(a.hi[1].abs()))
            .chain(points.iter().map(|(_, p)| p.y().abs()))
            .fold(0.0f64, f64::max)
            .min(89.9)
            .to_radians()
            .cos()
            .max(1e-3);
        let links: Vec<Vec<(u32, u32)>> = points
            .par_iter()
            .map(|&(z, p)| {
                let inside: Vec<(u32, u32)> = tree
                    .locate_all_at_point(&[p.x(), p.y()])
                    .filter(|e| {
                        let a = areas[e.data as usize].as_ref().expect("polygon zone");
                        a.shape.intersects(&p)
                    })
                    .map(|e| (z, e.data))
                    .collect();
                if !inside.is_empty() {
                    return inside;
                }
                nearest_area(tree, areas, p, c_min)
                    .map(|a| vec![(z, a)])
                    .unwrap_or_default()
            })
            .collect();
        pairs.extend(links.into_iter().flatten());
    }
    pairs
}

/// The polygon zone nearest to `p` (ties to the lower index). The tree
/// orders envelopes by distance in degrees; `c_min` turns that into a lower
/// bound in metres that holds anywhere in the region.
fn nearest_area(
    tree: &RTree<Entry>,
    areas: &[Option<AreaZone>],
    p: Point<f64>,
    c_min: f64,
) -> Option<u32> {
    let frame = Frame::new([p.x(), p.y()], p.y());
    let mut best: Option<(f64, u32)> = None;
    for (e, d2) in tree.nearest_neighbor_iter_with_distance_2(&[p.x(), p.y()]) {
        let bound = d2.sqrt() * M_PER_DEG * c_min;
        if best.is_some_and(|(m, _)| bound > m) {
            break;
        }
        let a = areas[e.data as usize].as_ref().expect("polygon zone");
        let mut m = f64::INFINITY;
        for ring in rings(a.shape) {
            let pts: Vec<[f64; 2]> = ring.iter().map(|&c| frame.metres(c)).collect();
            for w in pts.windows(2) {
                m = m.min(point_segment(w[0], w[1]));
            }
            if let [only] = pts.as_slice() {
                m = m.min(only[0].hypot(only[1]));
            }
        }
        if best.is_none_or(|(bm, bz)| (m, e.data) < (bm, bz)) {
            best = Some((m, e.data));
        }
    }
    best.map(|(_, z)| z)
}

/// Distance from the origin to segment a-b.
fn point_segment(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let l2 = d[0] * d[0] + d[1] * d[1];
    let t = if l2 > 0.0 {
        (-(a[0] * d[0] + a[1] * d[1]) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a[0] + t * d[0]).hypot(a[1] + t * d[1])
}

/// Delaunay neighbours of the point zones, with zones at one position
/// grouped onto one vertex (the triangulation keeps one vertex per
/// position, and would otherwise drop the rest).
fn delaunay_pairs(points: &[(u32, Point<f64>)]) -> Vec<(u32, u32)> {
    let mean_lat = points.iter().map(|(_, p)| p.y()).sum::<f64>() / points.len() as f64;
    let kx = mean_lat.to_radians().cos();
    let mut placed: Vec<(Point2<f64>, u32)> = points
        .iter()
        .map(|&(z, p)| {
            // `+ 0.0` turns -0.0 into 0.0, which spade deems the same place.
            let at = spade::mitigate_underflow(Point2::new(p.x() * kx + 0.0, p.y() + 0.0));
            (at, z)
        })
        .collect();
    placed.sort_by(|a, b| {
        (a.0.x, a.0.y, a.1)
            .partial_cmp(&(b.0.x, b.0.y, b.1))
            .expect("finite coordinates")
    });
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut sites: Vec<Site> = Vec::new();
    for (k, &(at, z)) in placed.iter().enumerate() {
        if k > 0 && placed[k - 1].0 == at {
            groups.last_mut().expect("a group is open").push(z);
        } else {
            sites.push(Site {
                at,
                group: groups.len() as u32,
            });
            groups.push(vec![z]);
        }
    }
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for g in &groups {
        for (k, &a) in g.iter().enumerate() {
            pairs.extend(g[k + 1..].iter().map(|&b| (a, b)));
        }
    }
    if sites.len() < 2 {
        return pairs;
    }
    let positions: Vec<Point2<f64>> = sites.iter().map(|s| s.at).collect();
    let Ok(t) = DelaunayTriangulation::<Site>::bulk_load(sites) else {
        return pairs;
    };
    // A position the triangulation merged into another (it never should,
    // after grouping) joins the group of the vertex that took its place.
    let mut owner: Vec<u32> = (0..groups.len() as u32).collect();
    if t.num_vertices() < groups.len() {
        let mut seen = vec![false; groups.len()];
        for v in t.vertices() {
            seen[v.data().group as usize] = true;
        }
        for (g, &s) in seen.iter().enumerate() {
            if !s && let Some(v) = t.nearest_neighbor(positions[g]) {
                owner[g] = v.data().group;
            }
        }
    }
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); groups.len()];
    for (g, zs) in groups.iter().enumerate() {
        members[owner[g] as usize].extend(zs);
    }
    for (g, &o) in owner.iter().enumerate() {
        if o as usize != g {
            for &a in &groups[g] {
                pairs.extend(groups[o as usize].iter().map(|&b| (a, b)));
            }
        }
    }
    for e in t.undirected_edges() {
        let [u, v] = e.vertices();
        let (gu, gv) = (u.data().group as usize, v.data().group as usize);
        for &a in &members[gu] {
            pairs.extend(members[gv].iter().map(|&b| (a, b)));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cohort;
    use geo::{LineString, Polygon};

    const LON: f64 = 120.0;
    const LAT: f64 = 30.0;

    /// Lon/lat of a point given in metres east and north of (LON, LAT).
    fn deg(x: f64, y: f64) -> (f64, f64) {
        (
            LON + x / (M_PER_DEG * LAT.to_radians().cos()),
            LAT + y / M_PER_DEG,
        )
    }

    fn ring(corners: &[(f64, f64)]) -> LineString<f64> {
        LineString::from(corners.iter().map(|&(x, y)| deg(x, y)).collect::<Vec<_>>())
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), vec![])
    }

    fn zone(shape: Shape) -> Zone {
        let centroid = match &shape {
            Shape::Area(mp) => geo::Centroid::centroid(mp).unwrap_or(Point::new(LON, LAT)),
            Shape::Point(p) => *p,
        };
        Zone {
            id: String::new(),
            name: String::new(),
            shape,
            centroid,
            children: [Cohort::default(); 2],
            current: [None, None],
            special: [0, 0],
            county: None,
            properties: Default::default(),
        }
    }

    fn area(polygons: Vec<Polygon<f64>>) -> Zone {
        zone(Shape::Area(MultiPolygon::new(polygons)))
    }

    fn point(x: f64, y: f64) -> Zone {
        let (lon, lat) = deg(x, y);
        zone(Shape::Point(Point::new(lon, lat)))
    }

    /// An n x n grid of `side`-metre squares, row by row; `jitter` moves
    /// each square's own corners by up to that many metres, so that no two
    /// squares share an exact vertex.
    fn grid(n: usize, side: f64, jitter: f64) -> Vec<Zone> {
        let mut zones = Vec::new();
        for r in 0..n {
            for c in 0..n {
                let k = (r * n + c) as f64;
                let j = |i: f64| jitter * ((k * 7.3 + i * 3.1).sin());
                let (x0, y0) = (c as f64 * side, r as f64 * side);
                zones.push(area(vec![Polygon::new(
                    ring(&[
                        (x0 + j(1.0), y0 + j(2.0)),
                        (x0 + side + j(3.0), y0 + j(4.0)),
                        (x0 + side + j(5.0), y0 + side + j(6.0)),
                        (x0 + j(7.0), y0 + side + j(8.0)),
                    ]),
                    vec![],
                )]));
            }
        }
        zones
    }

    fn edges(adj: &Adjacency) -> Vec<(u32, u32)> {
        (0..adj.len())
            .flat_map(|z| {
                adj.neighbours(z)
                    .iter()
                    .filter(move |&&n| n as usize > z)
                    .map(move |&n| (z as u32, n))
            })
            .collect()
    }

    fn rook(n: usize) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for r in 0..n {
            for c in 0..n {
                let z = (r * n + c) as u32;
                if c + 1 < n {
                    out.push((z, z + 1));
                }
                if r + 1 < n {
                    out.push((z, z + n as u32));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn check_graph(adj: &Adjacency) {
        for z in 0..adj.len() {
            let ns = adj.neighbours(z);
            assert!(ns.windows(2).all(|w| w[0] < w[1]), "{z}: {ns:?}");
            for &n in ns {
                assert_ne!(n as usize, z);
                assert!(
                    adj.neighbours(n as usize)
                        .binary_search(&(z as u32))
                        .is_ok()
                );
            }
        }
    }

    #[test]
    fn grids_join_sides_not_corners() {
        for n in [2, 3] {
            let adj = Adjacency::build(&grid(n, 100.0, 0.0), DEFAULT_TOLERANCE_M);
            check_graph(&adj);
            assert_eq!(edges(&adj), rook(n), "{n}x{n} exact");
            let adj = Adjacency::build(&grid(n, 100.0, 0.0), 0.0);
            assert_eq!(edges(&adj), rook(n), "{n}x{n} without tolerance");
            // Corners 5 cm apart everywhere: only the tolerant rule can
            // decide, and it must still leave the diagonals out.
            let adj = Adjacency::build(&grid(n, 100.0, 0.05), DEFAULT_TOLERANCE_M);
            assert_eq!(edges(&adj), rook(n), "{n}x{n} jittered");
        }
        // Corners that miss or overlap each other by up to 1.4 m.
        let adj = Adjacency::build(&grid(3, 100.0, 0.7), DEFAULT_TOLERANCE_M);
        assert_eq!(edges(&adj), rook(3), "3x3 rough");
    }

    #[test]
    fn gaps_and_overlaps_within_the_tolerance() {
        let pair = |x: f64| {
            vec![
                area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
                area(vec![rect(100.0 + x, 0.0, 200.0, 100.0)]),
            ]
        };
        for (x, touching) in [(0.5, true), (-0.5, true), (-1.9, true), (10.0, false)] {
            let adj = Adjacency::build(&pair(x), 2.0);
            assert_eq!(adj.edges(), usize::from(touching), "offset {x}");
        }
        // A 10 m gap is bridged by a tolerance that large, not by 2 m.
        assert_eq!(Adjacency::build(&pair(10.0), 12.0).edges(), 1);
        // Sides that overlap for less than the stretch the rule asks for
        // (offset squares touching over 3 m of their sides) are corners.
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(100.3, 97.0, 200.0, 197.0)]),
        ];
        assert_eq!(Adjacency::build(&zones, 2.0).edges(), 0);
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(100.3, 80.0, 200.0, 180.0)]),
        ];
        assert_eq!(Adjacency::build(&zones, 2.0).edges(), 1);
    }

    #[test]
    fn t_junctions_and_corner_contacts() {
        // One long side against two short ones: no shared exact edge.
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 200.0)]),
            area(vec![rect(100.0, 0.0, 200.0, 100.0)]),
            area(vec![rect(100.0, 100.0, 200.0, 200.0)]),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        assert_eq!(edges(&adj), vec![(0, 1), (0, 2), (1, 2)]);
        // A diamond standing on a square's side touches it at one point.
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![Polygon::new(
                ring(&[(50.0, 100.0), (100.0, 150.0), (50.0, 200.0), (0.0, 150.0)]),
                vec![],
            )]),
        ];
        assert_eq!(Adjacency::build(&zones, 2.0).edges(), 0);
    }

    #[test]
    fn holes_parts_and_containment() {
        let outer = Polygon::new(
            ring(&[(0.0, 0.0), (300.0, 0.0), (300.0, 300.0), (0.0, 300.0)]),
            vec![ring(&[
                (100.0, 100.0),
                (200.0, 100.0),
                (200.0, 200.0),
                (100.0, 200.0),
            ])],
        );
        let zones = vec![
            area(vec![outer.clone()]),
            // Fills the hole exactly.
            area(vec![rect(100.0, 100.0, 200.0, 200.0)]),
            // Fills it with other vertices and a 0.3 m gap.
            area(vec![Polygon::new(
                ring(&[
                    (100.3, 100.3),
                    (150.0, 100.3),
                    (199.7, 100.3),
                    (199.7, 199.7),
                    (100.3, 199.7),
                ]),
                vec![],
            )]),
            // A small island in the hole, touching nothing.
            area(vec![rect(140.0, 140.0, 160.0, 160.0)]),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        check_graph(&adj);
        assert_eq!(adj.neighbours(0), &[1, 2]);
        // 1 and 2 overlap almost entirely; 3 lies inside both.
        assert_eq!(adj.neighbours(3), &[1, 2]);

        // A zone in two parts is the neighbour of what either part touches.
        let zones = vec![
            area(vec![
                rect(0.0, 0.0, 100.0, 100.0),
                rect(500.0, 0.0, 600.0, 100.0),
            ]),
            area(vec![rect(100.0, 0.0, 200.0, 100.0)]),
            area(vec![rect(600.0, 0.0, 700.0, 100.0)]),
            area(vec![rect(300.0, 0.0, 400.0, 100.0)]),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        assert_eq!(edges(&adj), vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn small_and_degenerate_zones() {
        // Its whole ring is in contact, and long enough to show a side.
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(100.4, 50.0, 101.4, 54.0)]),
        ];
        assert_eq!(Adjacency::build(&zones, 2.0).edges(), 1);
        // Too small to tell a side from a corner: only an exact edge joins.
        let zones = vec![
            area(vec![Polygon::new(
                ring(&[
                    (0.0, 0.0),
                    (100.0, 0.0),
                    (100.0, 1.0),
                    (100.0, 100.0),
                    (0.0, 100.0),
                ]),
                vec![],
            )]),
            area(vec![rect(100.4, 50.0, 101.4, 51.0)]),
            area(vec![rect(100.0, 0.0, 101.0, 1.0)]),
        ];
        assert_eq!(edges(&Adjacency::build(&zones, 2.0)), vec![(0, 2)]);
        // A zero-area sliver along a shared side, a one-point polygon, an
        // empty zone: nothing crashes, and the sliver sits between both.
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(100.0, 0.0, 200.0, 100.0)]),
            area(vec![Polygon::new(
                ring(&[(100.0, 10.0), (100.0, 90.0), (100.0, 10.0)]),
                vec![],
            )]),
            area(vec![Polygon::new(ring(&[(5000.0, 0.0)]), vec![])]),
            area(vec![]),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        check_graph(&adj);
        assert_eq!(edges(&adj), vec![(0, 1), (0, 2), (1, 2)]);
        // One zone; zones far apart.
        let one = Adjacency::build(&zones[..1], 2.0);
        assert_eq!((one.len(), one.edges()), (1, 0));
        let far = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(1000.0, 0.0, 1100.0, 100.0)]),
        ];
        assert_eq!(Adjacency::build(&far, 2.0).edges(), 0);
        let none = Adjacency::build(&[], 2.0);
        assert!(none.is_empty());
        assert_eq!(none.edges(), 0);
    }

    #[test]
    fn points_use_delaunay() {
        let zones = vec![
            point(0.0, 0.0),
            point(100.0, 0.0),
            point(100.0, 100.0),
            point(0.0, 100.0),
            point(50.0, 50.0),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        check_graph(&adj);
        assert_eq!(
            edges(&adj),
            vec![
                (0, 1),
                (0, 3),
                (0, 4),
                (1, 2),
                (1, 4),
                (2, 3),
                (2, 4),
                (3, 4)
            ]
        );
        // Duplicates share their place and each other.
        let zones = vec![
            point(0.0, 0.0),
            point(100.0, 0.0),
            point(0.0, 0.0),
            point(50.0, 80.0),
            point(0.0, 0.0),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        check_graph(&adj);
        assert_eq!(adj.neighbours(0), &[1, 2, 3, 4]);
        assert_eq!(adj.neighbours(2), &[0, 1, 3, 4]);
        assert_eq!(adj.neighbours(1), &[0, 2, 3, 4]);
        // All at one place, or a single point.
        let same = vec![point(1.0, 1.0), point(1.0, 1.0)];
        assert_eq!(edges(&Adjacency::build(&same, 2.0)), vec![(0, 1)]);
        assert_eq!(Adjacency::build(&same[..1], 2.0).edges(), 0);
        // Collinear points make a chain.
        let line = vec![point(0.0, 0.0), point(200.0, 0.0), point(100.0, 0.0)];
        assert_eq!(edges(&Adjacency::build(&line, 2.0)), vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn points_join_the_polygons_they_fall_in_or_near() {
        let zones = vec![
            area(vec![rect(0.0, 0.0, 100.0, 100.0)]),
            area(vec![rect(100.0, 0.0, 200.0, 100.0)]),
            // Inside zone 0.
            point(30.0, 30.0),
            // On the shared side: in both.
            point(100.0, 50.0),
            // Outside everything, nearest to zone 1.
            point(260.0, 50.0),
            area(vec![rect(0.0, 1000.0, 100.0, 1100.0)]),
        ];
        let adj = Adjacency::build(&zones, 2.0);
        check_graph(&adj);
        assert_eq!(adj.neighbours(2), &[0, 3, 4]);
        assert_eq!(adj.neighbours(3), &[0, 1, 2, 4]);
        assert_eq!(adj.neighbours(4), &[1, 2, 3]);
        assert_eq!(adj.neighbours(5), &[] as &[u32]);
    }

    #[test]
    fn components_of_members() {
        // 0-1-2-3-4 in a path.
        let adj = Adjacency::from_edges(5, [(0, 1), (2, 1), (2, 3), (3, 4), (4, 4), (1, 0)]);
        assert_eq!(adj.edges(), 4);
        assert_eq!(adj.neighbours(1), &[0, 2]);
        assert_eq!(adj.components_of(&[4, 0, 1, 3]), vec![0, 1, 1, 0]);
        assert_eq!(adj.components_of(&[0, 2, 4]), vec![0, 1, 2]);
        assert_eq!(adj.components_of(&[2, 2, 3]), vec![0, 0, 0]);
        assert_eq!(adj.components_of(&[]), Vec::<u32>::new());
        let grid_adj = Adjacency::build(&grid(3, 100.0, 0.0), 2.0);
        // Left column and right column of the 3x3 grid, then the middle.
        assert_eq!(
            grid_adj.components_of(&[0, 3, 6, 2, 5, 8]),
            vec![0, 0, 0, 1, 1, 1]
        );
        assert_eq!(
            grid_adj.components_of(&[0, 3, 6, 2, 5, 8, 4]),
            vec![0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn generated_county_is_a_connected_tiling() {
        let region = crate::generate::generate(&crate::generate::Params {
            seed: 7,
            zones: 3000,
            schools: 90,
            counties: 2,
        });
        let zones = &region.zones;
        let adj = Adjacency::build(zones, DEFAULT_TOLERANCE_M);
        check_graph(&adj);
        assert_eq!(adj.len(), zones.len());
        let mut counties: Vec<&str> = zones.iter().filter_map(|z| z.county.as_deref()).collect();
        counties.sort_unstable();
        counties.dedup();
        assert_eq!(counties.len(), 2);
        for c in counties {
            let members: Vec<u32> = (0..zones.len() as u32)
                .filter(|&z| zones[z as usize].county.as_deref() == Some(c))
                .collect();
            let labels = adj.components_of(&members);
            assert!(labels.iter().all(|&l| l == 0), "county {c} is split");
        }
        let degrees: Vec<usize> = (0..adj.len()).map(|z| adj.neighbours(z).len()).collect();
        assert!(degrees.iter().all(|&d| d >= 1));
        let mean = 2.0 * adj.edges() as f64 / adj.len() as f64;
        assert!((5.0..=7.0).contains(&mean), "mean degree {mean}");
        // Every neighbour pair of a Voronoi tiling within a county shares an
        // exact edge; the tolerant rule adds only the pairs across the
        // county border.
        let keys = |z: u32| {
            let Shape::Area(mp) = &zones[z as usize].shape else {
                panic!("generated zones are polygons");
            };
            let mut k = Vec::new();
            edge_keys(mp, &mut k);
            k
        };
        let mut crossing = 0;
        for (a, b) in edges(&adj) {
            if zones[a as usize].county != zones[b as usize].county {
                crossing += 1;
            } else {
                let ka = keys(a);
                assert!(keys(b).iter().any(|k| ka.contains(k)), "{a}-{b}");
            }
        }
        assert!(crossing > 0);
    }
}
