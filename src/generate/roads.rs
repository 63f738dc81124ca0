//! A county's roads, for road distances: a street grid in the county seat,
//! smaller grids in the market towns, village roads and footpaths over the
//! countryside, a river crossed by few bridges and an expressway crossed
//! only at its interchanges.
//!
//! Ways meet where they share a vertex. Streets and village roads come from
//! the grids and one Delaunay triangulation of the countryside, so they
//! meet at their ends and not in mid-air; the river is a line no way
//! crosses except a bridge, kept only where the county needs it (on the
//! seat's main streets, about every few kilometres along the river, and
//! wherever a bank would otherwise be cut off); the expressway shares a
//! vertex only with its interchange links, and every street that crosses it
//! passes over or under it (a short bridge or tunnel piece whose ends stand
//! off the expressway), as a router must not turn there.
//!
//! All work is in the county's kilometre plane, with its own random stream,
//! so that adding roads changes nothing else the generator draws.

use std::collections::HashMap;

use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use super::land::{self, Frame, Kind, P, Settlement, dist};
use super::names::numeral;
use super::rng::Rng;

/// Stream tag of a county's roads.
pub const ROADS_STREAM: u64 = 0x0052_4F41_4453;

/// Street spacing in the county seat and in the towns, km.
const SEAT_STREETS_KM: f64 = 0.3;
const TOWN_STREETS_KM: f64 = 0.4;
/// A zone centre or school this close to a street node needs no road of
/// its own, km (the farthest it can then be from a street is this plus
/// half a block, well under the 500 m a router snaps).
const COVERED_KM: f64 = 0.3;
/// Half the length of a bridge over the river or of a street's bridge or
/// tunnel across the expressway, km.
const RIVER_HALF_SPAN_KM: f64 = 0.06;
const CROSSING_HALF_SPAN_KM: f64 = 0.03;
/// Rural bridges stand about this far apart along the river, km.
const RURAL_BRIDGE_SPACING_KM: f64 = 6.0;
/// Interchanges away from the seat and towns stand at least this far apart, km.
const INTERCHANGE_SPACING_KM: f64 = 10.0;
/// An interchange link reaches at most this far to a road, km.
const LINK_REACH_KM: f64 = 1.5;

const MAIN_STREETS: [&str; 16] = [
    "人民", "解放", "建设", "中山", "文化", "和平", "胜利", "新华", "长江", "黄河", "迎宾", "振兴",
    "光明", "朝阳", "东风", "友谊",
];
const EXPRESSWAYS: [&str; 8] = [
    "沪渝高速",
    "合安高速",
    "京台高速",
    "沪蓉高速",
    "济广高速",
    "德上高速",
    "溧宁高速",
    "岳武高速",
];

/// One way of the generated network, in lon/lat.
#[derive(Clone, Debug, PartialEq)]
pub struct RoadWay {
    pub coords: Vec<P>,
    /// OpenStreetMap's `highway` value.
    pub highway: &'static str,
    pub name: Option<String>,
    pub oneway: bool,
    pub bridge: bool,
    pub tunnel: bool,
}

impl RoadWay {
    /// Whether people may walk it (expressways and their links excluded).
    pub fn walkable(&self) -> bool {
        !matches!(self.highway, "motorway" | "motorway_link")
    }
}

/// A county's roads, and the river and expressway they respect.
#[derive(Clone, Debug, Default)]
pub struct CountyRoads {
    pub ways: Vec<RoadWay>,
    /// The river's centre line, lon/lat.
    pub river: Vec<P>,
}

/// What the roads are built around, all in the county's km plane.
pub struct Land<'a> {
    pub index: usize,
    pub outline: &'a [P],
    pub seat: Option<&'a Settlement>,
    pub towns: &'a [Settlement],
    pub town_names: &'a [String],
    pub kinds: &'a [Kind],
    pub centroids: &'a [P],
    pub schools: &'a [P],
    pub frame: Frame,
}

/// A polyline indexed by 1 km cells, to find what an edge crosses.
struct Line {
    points: Vec<P>,
    cells: HashMap<(i64, i64), Vec<u32>>,
}

impl Line {
    fn new(points: Vec<P>) -> Line {
        let mut cells: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for k in 0..points.len().saturating_sub(1) {
            for cell in cells_of(points[k], points[k + 1]) {
                cells.entry(cell).or_default().push(k as u32);
            }
        }
        Line { points, cells }
    }

    /// Where segment p-q crosses the line, as fractions along p-q, sorted.
    fn crossings(&self, p: P, q: P) -> Vec<f64> {
        let mut segments: Vec<u32> = cells_of(p, q)
            .flat_map(|c| self.cells.get(&c).into_iter().flatten().copied())
            .collect();
        segments.sort_unstable();
        segments.dedup();
        let mut ts: Vec<f64> = segments
            .iter()
            .filter_map(|&k| {
                let k = k as usize;
                crossing(p, q, self.points[k], self.points[k + 1])
            })
            .collect();
        ts.sort_by(f64::total_cmp);
        ts
    }
}

fn cells_of(a: P, b: P) -> impl Iterator<Item = (i64, i64)> {
    let (x0, x1) = (a[0].min(b[0]).floor() as i64, a[0].max(b[0]).floor() as i64);
    let (y0, y1) = (a[1].min(b[1]).floor() as i64, a[1].max(b[1]).floor() as i64);
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

/// Where segment p-q properly crosses segment a-b, as the fraction along
/// p-q; touching at an end of p-q does not count.
fn crossing(p: P, q: P, a: P, b: P) -> Option<f64> {
    let r = [q[0] - p[0], q[1] - p[1]];
    let s = [b[0] - a[0], b[1] - a[1]];
    let denom = r[0] * s[1] - r[1] * s[0];
    if denom == 0.0 {
        return None;
    }
    let w = [a[0] - p[0], a[1] - p[1]];
    let t = (w[0] * s[1] - w[1] * s[0]) / denom;
    let u = (w[0] * r[1] - w[1] * r[0]) / denom;
    (t > 1e-9 && t < 1.0 - 1e-9 && (0.0..=1.0).contains(&u)).then_some(t)
}

/// What an edge of the network is.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Class {
    highway: &'static str,
    /// Index into the names, or `NO_NAME`.
    name: u32,
    oneway: bool,
}

const NO_NAME: u32 = u32::MAX;

struct Edge {
    a: u32,
    b: u32,
    class: Class,
}

/// The network being built: nodes in km, edges between them.
#[derive(Default)]
struct Net {
    nodes: Vec<P>,
    names: Vec<String>,
    /// Street nodes of the grids by 0.4 km cell, to tell what they cover.
    street_cells: HashMap<(i64, i64), Vec<u32>>,
}

impl Net {
    fn node(&mut self, p: P) -> u32 {
        self.nodes.push(p);
        (self.nodes.len() - 1) as u32
    }

    fn name(&mut self, name: String) -> u32 {
        self.names.push(name);
        (self.names.len() - 1) as u32
    }

    fn covered(&self, p: P) -> bool {
        let (cx, cy) = cell04(p);
        (-1..=1).any(|dx| {
            (-1..=1).any(|dy| {
                self.street_cells.get(&(cx + dx, cy + dy)).is_some_and(|v| {
                    v.iter()
                        .any(|&n| dist(self.nodes[n as usize], p) <= COVERED_KM)
                })
            })
        })
    }
}

fn cell04(p: P) -> (i64, i64) {
    (
        (p[0] / TOWN_STREETS_KM).floor() as i64,
        (p[1] / TOWN_STREETS_KM).floor() as i64,
    )
}

/// A settlement's street grid.
struct Grid {
    /// Nodes at the edge of the grid, where country roads come in.
    gates: Vec<u32>,
    centre: Option<u32>,
}

/// Lays a rotated street grid over a settlement; every node is inside the
/// county and within half a block of the built-up area.
fn grid(
    rng: &mut Rng,
    net: &mut Net,
    edges: &mut Vec<Edge>,
    land: &Land,
    town: &Settlement,
    spacing: f64,
    classify: &mut dyn FnMut(&mut Net, usize, i64) -> Class,
) -> Grid {
    let angle = rng.range(0.0, std::f64::consts::FRAC_PI_2);
    let (sin, cos) = angle.sin_cos();
    let m = (town.extent() / spacing).ceil() as i64 + 1;
    let mut at: HashMap<(i64, i64), u32> = HashMap::new();
    for j in -m..=m {
        for i in -m..=m {
            let (u, v) = (i as f64 * spacing, j as f64 * spacing);
            let p = [
                town.center[0] + u * cos - v * sin,
                town.center[1] + u * sin + v * cos,
            ];
            if town.covers(p, 0.5 * spacing) && land::inside(land.outline, p, 0.0) {
                let n = net.node(p);
                net.street_cells.entry(cell04(p)).or_default().push(n);
                at.insert((i, j), n);
            }
        }
    }
    // Line classes once per line, so that a street keeps its name.
    // Along each line in turn, so that a street's blocks follow each other.
    for dir in 0..2 {
        for line in -m..=m {
            let mut class = None;
            for k in -m..m {
                let (from, to) = if dir == 0 {
                    ((k, line), (k + 1, line))
                } else {
                    ((line, k), (line, k + 1))
                };
                if let (Some(&a), Some(&b)) = (at.get(&from), at.get(&to)) {
                    let class = *class.get_or_insert_with(|| classify(net, dir, line));
                    edges.push(Edge { a, b, class });
                }
            }
        }
    }
    let mut gates = Vec::new();
    for j in -m..=m {
        for i in -m..=m {
            let Some(&n) = at.get(&(i, j)) else { continue };
            let degree = [(1, 0), (-1, 0), (0, 1), (0, -1)]
                .iter()
                .filter(|d| at.contains_key(&(i + d.0, j + d.1)))
                .count();
            if degree < 4 {
                gates.push(n);
            }
        }
    }
    Grid {
        gates,
        centre: at.get(&(0, 0)).copied(),
    }
}

/// A triangulation vertex that remembers its network node.
struct Vertex {
    at: Point2<f64>,
    node: u32,
}

impl HasPosition for Vertex {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.at
    }
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n as u32).collect())
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let up = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = up;
            x = up;
        }
        x
    }

    /// Joins the sets of a and b; whether they were apart.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        self.0[a.max(b) as usize] = a.min(b);
        true
    }
}

/// The river: a meandering line across the county through (or beside) the
/// county seat, so that the seat has districts on both banks.
fn river(rng: &mut Rng, land: &Land) -> (Vec<P>, P, P) {
    let (_, centre) = land::area_centroid(land.outline);
    let through = land.seat.map_or(centre, |s| {
        let off = rng.range(-0.3, 0.3) * s.radius;
        [s.center[0] + off, s.center[1] - off]
    });
    let angle = rng.range(0.0, std::f64::consts::PI);
    let along = [angle.cos(), angle.sin()];
    let across = [-along[1], along[0]];
    let reach = land
        .outline
        .iter()
        .map(|&p| dist(p, through))
        .fold(1.0, f64::max)
        + 1.0;
    let (wave, phase) = (rng.range(3.0, 6.0), rng.range(0.0, std::f64::consts::TAU));
    let amplitude = rng.range(0.3, 0.8);
    let steps = (2.0 * reach / 0.2).ceil() as usize;
    let points = (0..=steps)
        .map(|k| {
            let s = -reach + k as f64 * 0.2;
            let w = amplitude * (s / wave * std::f64::consts::TAU + phase).sin();
            [
                through[0] + s * along[0] + w * across[0],
                through[1] + s * along[1] + w * across[1],
            ]
        })
        .collect();
    (points, through, along)
}

/// The expressway: straight across the county, skirting the seat.
fn expressway(rng: &mut Rng, land: &Land, river_along: P) -> Vec<P> {
    let (_, centre) = land::area_centroid(land.outline);
    let river_angle = river_along[1].atan2(river_along[0]);
    let angle = river_angle + rng.range(0.6, 1.2) * if rng.chance(0.5) { 1.0 } else { -1.0 };
    let along = [angle.cos(), angle.sin()];
    let across = [-along[1], along[0]];
    let (middle, clearance) = land
        .seat
        .map_or((centre, 0.0), |s| (s.center, s.extent() + 0.8));
    let side = if rng.chance(0.5) { 1.0 } else { -1.0 };
    let base = [
        middle[0] + side * clearance * across[0],
        middle[1] + side * clearance * across[1],
    ];
    let reach = land
        .outline
        .iter()
        .map(|&p| dist(p, base))
        .fold(1.0, f64::max);
    let steps = (2.0 * reach / 0.5).ceil() as i64;
    (0..=steps)
        .map(|k| {
            let s = -reach + k as f64 * 0.5;
            [base[0] + s * along[0], base[1] + s * along[1]]
        })
        .filter(|&p| land::inside(land.outline, p, 0.0))
        .collect()
}

/// Builds one county's roads.
pub fn county_roads(seed: u64, land: &Land) -> CountyRoads {
    let mut rng = Rng::new(seed, ROADS_STREAM, land.index as u64);
    let mut net = Net::default();
    let mut edges: Vec<Edge> = Vec::new();

    // Streets: the seat's grid, main streets every fourth line, the
    // others numbered as 经/纬 roads; towns with a main street each way.
    let mut grids = Vec::new();
    if let Some(seat) = land.seat {
        let mut main_names = MAIN_STREETS.to_vec();
        let first = rng.below(main_names.len());
        main_names.rotate_left(first);
        let mut used = 0usize;
        let mut classify = |net: &mut Net, dir: usize, line: i64| {
            let main = line.rem_euclid(4) == 0;
            let name = if main {
                let base = main_names[used % main_names.len()];
                used += 1;
                let suffix = match (dir, line == 0) {
                    (0, true) => "大道",
                    (1, true) => "大街",
                    (0, false) => "路",
                    _ => "街",
                };
                format!("{base}{suffix}")
            } else {
                let axis = if dir == 0 { "纬" } else { "经" };
                let side = if line < 0 { "南" } else { "北" };
                let side = if dir == 0 {
                    side
                } else if line < 0 {
                    "西"
                } else {
                    "东"
                };
                format!("{side}{axis}{}路", numeral(line.unsigned_abs() as usize))
            };
            Class {
                highway: match (main, line == 0) {
                    (true, true) => "primary",
                    (true, false) => "secondary",
                    _ => "residential",
                },
                name: net.name(name),
                oneway: false,
            }
        };
        grids.push(grid(
            &mut rng,
            &mut net,
            &mut edges,
            land,
            seat,
            SEAT_STREETS_KM,
            &mut classify,
        ));
    }
    for (t, town) in land.towns.iter().enumerate() {
        let town_name = &land.town_names[t];
        let mut classify = |net: &mut Net, dir: usize, line: i64| {
            let main = line == 0;
            let name = if main {
                Some(format!(
                    "{town_name}{}",
                    if dir == 0 { "大街" } else { "中街" }
                ))
            } else if dir == 0 && line.unsigned_abs() <= 2 {
                let (north, south) = (["北街", "后街"], ["南街", "前街"]);
                let k = line.unsigned_abs() as usize - 1;
                Some(format!(
                    "{town_name}{}",
                    if line > 0 { north[k] } else { south[k] }
                ))
            } else {
                None
            };
            Class {
                highway: if main { "tertiary" } else { "residential" },
                name: name.map_or(NO_NAME, |n| net.name(n)),
                oneway: false,
            }
        };
        grids.push(grid(
            &mut rng,
            &mut net,
            &mut edges,
            land,
            town,
            TOWN_STREETS_KM,
            &mut classify,
        ));
    }

    // The countryside: village centres, and every zone centre or school the
    // streets do not reach, triangulated with the grids' gates.
    let mut rural: Vec<u32> = Vec::new();
    let mut gate_of: HashMap<u32, usize> = HashMap::new();
    for (g, grid) in grids.iter().enumerate() {
        for &n in &grid.gates {
            gate_of.insert(n, g);
            rural.push(n);
        }
    }
    let points: Vec<P> = land
        .centroids
        .iter()
        .zip(land.kinds)
        .filter(|(p, kind)| **kind == Kind::Village || !net.covered(**p))
        .map(|(p, _)| *p)
        .chain(land.schools.iter().copied().filter(|p| !net.covered(*p)))
        .collect();
    for p in points {
        rural.push(net.node(p));
    }
    let vertices: Vec<Vertex> = rural
        .iter()
        .map(|&n| {
            let p = net.nodes[n as usize];
            Vertex {
                at: Point2::new(p[0], p[1]),
                node: n,
            }
        })
        .collect();
    let mut candidates: Vec<(f64, u32, u32)> = Vec::new();
    if vertices.len() >= 2 {
        let t: DelaunayTriangulation<Vertex> =
            DelaunayTriangulation::bulk_load_stable(vertices).expect("finite coordinates");
        for e in t.undirected_edges() {
            let [a, b] = e.vertices();
            let (a, b) = (a.data().node, b.data().node);
            let same_grid =
                matches!((gate_of.get(&a), gate_of.get(&b)), (Some(x), Some(y)) if x == y);
            let (pa, pb) = (net.nodes[a as usize], net.nodes[b as usize]);
            let mid = [(pa[0] + pb[0]) / 2.0, (pa[1] + pb[1]) / 2.0];
            let through_town = land
                .seat
                .into_iter()
                .chain(land.towns)
                .any(|s| s.covers(mid, 0.0));
            if !same_grid && !through_town {
                candidates.push((dist(pa, pb), a.min(b), a.max(b)));
            }
        }
    }
    candidates.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));

    let (river_points, _, river_along) = river(&mut rng, land);
    let river = Line::new(river_points);
    let crosses_river = |a: u32, b: u32, net: &Net| {
        !river
            .crossings(net.nodes[a as usize], net.nodes[b as usize])
            .is_empty()
    };

    // Streets first, then country roads shortest first (a spanning forest
    // of villages, plus some shorter links as tracks and paths); nothing
    // crosses the river yet.
    let mut joined = UnionFind::new(net.nodes.len());
    let mut kept: Vec<Edge> = Vec::new();
    let mut river_crossing: Vec<(Edge, bool)> = Vec::new();
    for e in edges {
        if crosses_river(e.a, e.b, &net) {
            // Only the seat's main streets bridge the river at once.
            let main = matches!(e.class.highway, "primary" | "secondary");
            river_crossing.push((e, main));
        } else {
            joined.union(e.a, e.b);
            kept.push(e);
        }
    }
    let village_road = Class {
        highway: "unclassified",
        name: NO_NAME,
        oneway: false,
    };
    let short = candidates
        .get(candidates.len() / 2)
        .map_or(0.0, |c| 1.3 * c.0);
    for &(length, a, b) in &candidates {
        let class = if joined.find(a) != joined.find(b) {
            village_road
        } else if length <= short && rng.chance(0.45) {
            let highway = match rng.below(3) {
                0 => "unclassified",
                1 => "track",
                _ => "path",
            };
            Class {
                highway,
                ..village_road
            }
        } else {
            continue;
        };
        let edge = Edge { a, b, class };
        if crosses_river(a, b, &net) {
            river_crossing.push((edge, false));
        } else {
            joined.union(a, b);
            kept.push(edge);
        }
    }

    // Bridges: the main streets', then one every few kilometres along the
    // river, then wherever a bank would be cut off.
    let mut spans: Vec<P> = Vec::new();
    let mut later = Vec::new();
    for (e, main) in river_crossing {
        if main {
            spans.push(net.nodes[e.a as usize]);
            joined.union(e.a, e.b);
            kept.push(e);
        } else {
            later.push(e);
        }
    }
    let mut rest = Vec::new();
    for e in later {
        let at = net.nodes[e.a as usize];
        let apart = spans
            .iter()
            .all(|&s| dist(s, at) >= RURAL_BRIDGE_SPACING_KM);
        if apart && e.class.highway == "unclassified" {
            spans.push(at);
            joined.union(e.a, e.b);
            kept.push(e);
        } else {
            rest.push(e);
        }
    }
    for e in rest {
        if joined.union(e.a, e.b) {
            kept.push(e);
        }
    }

    // The expressway and its interchanges: links from the expressway
    // points nearest the seat and the towns to the nearest road node.
    let motorway_points = expressway(&mut rng, land, river_along);
    let name = EXPRESSWAYS[rng.below(EXPRESSWAYS.len())].to_string();
    let motorway = Line::new(motorway_points.clone());
    let mut used = vec![false; net.nodes.len()];
    for e in &kept {
        used[e.a as usize] = true;
        used[e.b as usize] = true;
    }
    let mut links: Vec<(usize, u32)> = Vec::new();
    // The seat's and the towns' first, then more along the way.
    let hubs = grids
        .iter()
        .filter_map(|g| g.centre.map(|c| (net.nodes[c as usize], 4.0)))
        .chain(motorway_points.iter().map(|&p| (p, 0.0)));
    for (hub, reach) in hubs {
        let Some((m, mp)) = motorway_points
            .iter()
            .enumerate()
            .min_by(|x, y| dist(*x.1, hub).total_cmp(&dist(*y.1, hub)))
        else {
            continue;
        };
        let crowded = links
            .iter()
            .any(|l| dist(motorway_points[l.0], *mp) < INTERCHANGE_SPACING_KM);
        if crowded && reach == 0.0 || links.iter().any(|l| l.0 == m) || dist(*mp, hub) > reach {
            continue;
        }
        let nearest = (0..net.nodes.len() as u32)
            .filter(|&n| used[n as usize])
            .map(|n| (dist(net.nodes[n as usize], *mp), n))
            .filter(|&(d, n)| {
                d <= LINK_REACH_KM
                    && river.crossings(*mp, net.nodes[n as usize]).is_empty()
                    && motorway.crossings(*mp, net.nodes[n as usize]).is_empty()
            })
            .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        if let Some((_, n)) = nearest {
            links.push((m, n));
        }
    }

    // Ways, each cut where it crosses the river or the expressway.
    let frame = land.frame;
    let mut ways: Vec<RoadWay> = Vec::new();
    let motorway_name = net.name(name);
    let mut emit = |coords: Vec<P>, class: Class, bridge: bool, tunnel: bool| {
        ways.push(RoadWay {
            coords: coords.iter().map(|&p| frame.degrees(p)).collect(),
            highway: class.highway,
            name: (class.name != NO_NAME).then(|| net.names[class.name as usize].clone()),
            oneway: class.oneway,
            bridge,
            tunnel,
        });
    };
    for e in &kept {
        let (p, q) = (net.nodes[e.a as usize], net.nodes[e.b as usize]);
        let over = matches!(e.class.highway, "primary" | "secondary" | "tertiary");
        let mut cuts: Vec<(f64, f64, Span)> = Vec::new();
        let length = dist(p, q).max(1e-9);
        for t in river.crossings(p, q) {
            cuts.push((t, RIVER_HALF_SPAN_KM / length, Span::Bridge));
        }
        for t in motorway.crossings(p, q) {
            let span = if over { Span::Bridge } else { Span::Tunnel };
            cuts.push((t, CROSSING_HALF_SPAN_KM / length, span));
        }
        if cuts.is_empty() {
            let rural = matches!(e.class.highway, "unclassified" | "track" | "path");
            let bend = if rural { rng.range(-0.04, 0.04) } else { 0.0 };
            let mut line = course(p, q, bend);
            let clear = line.windows(2).all(|w| {
                river.crossings(w[0], w[1]).is_empty() && motorway.crossings(w[0], w[1]).is_empty()
            });
            if !clear {
                line = course(p, q, 0.0);
            }
            emit(line, e.class, false, false);
            continue;
        }
        for (piece, span) in pieces(p, q, cuts) {
            emit(piece, e.class, span == Span::Bridge, span == Span::Tunnel);
        }
    }
    let motorway_class = Class {
        highway: "motorway",
        name: motorway_name,
        oneway: false,
    };
    for k in 0..motorway_points.len().saturating_sub(1) {
        let (p, q) = (motorway_points[k], motorway_points[k + 1]);
        let length = dist(p, q).max(1e-9);
        let cuts = river
            .crossings(p, q)
            .into_iter()
            .map(|t| (t, RIVER_HALF_SPAN_KM / length, Span::Bridge))
            .collect();
        for (piece, span) in pieces(p, q, cuts) {
            emit(piece, motorway_class, span == Span::Bridge, false);
        }
    }
    for (m, n) in links {
        let link = Class {
            highway: "motorway_link",
            name: NO_NAME,
            oneway: false,
        };
        emit(
            vec![motorway_points[m], net.nodes[n as usize]],
            link,
            false,
            false,
        );
    }
    CountyRoads {
        ways: merge_runs(ways),
        river: river.points.iter().map(|&p| frame.degrees(p)).collect(),
    }
}

/// The course of a road from p to q: a vertex every 70 m or so, as
/// surveyed roads have, bowed sideways by `bend` of its length at the
/// middle (country roads wind; streets run straight).
fn course(p: P, q: P, bend: f64) -> Vec<P> {
    let length = dist(p, q);
    let steps = ((length / 0.07).ceil() as usize).max(1);
    let normal = if length > 0.0 {
        [-(q[1] - p[1]) / length, (q[0] - p[0]) / length]
    } else {
        [0.0, 0.0]
    };
    (0..=steps)
        .map(|k| {
            if k == steps {
                return q;
            }
            let t = k as f64 / steps as f64;
            let off = bend * length * (std::f64::consts::PI * t).sin();
            [
                p[0] + t * (q[0] - p[0]) + off * normal[0],
                p[1] + t * (q[1] - p[1]) + off * normal[1],
            ]
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Span {
    Ground,
    Bridge,
    Tunnel,
}

/// Cuts segment p-q into pieces: around each crossing (a fraction along
/// it, a half-width in fractions) a bridge or tunnel piece, on the ground
/// between them. Overlapping spans merge.
fn pieces(p: P, q: P, mut cuts: Vec<(f64, f64, Span)>) -> Vec<(Vec<P>, Span)> {
    let at = |t: f64| [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
    cuts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut spans: Vec<(f64, f64, Span)> = Vec::new();
    for (t, half, span) in cuts {
        let (lo, hi) = ((t - half).max(0.0), (t + half).min(1.0));
        match spans.last_mut() {
            Some(last) if lo <= last.1 => {
                last.1 = last.1.max(hi);
                if span == Span::Bridge {
                    last.2 = Span::Bridge;
                }
            }
            _ => spans.push((lo, hi, span)),
        }
    }
    let mut out = Vec::new();
    let mut from = 0.0;
    for (lo, hi, span) in spans {
        if lo > from {
            out.push((vec![at(from), at(lo)], Span::Ground));
        }
        out.push((vec![at(lo), at(hi)], span));
        from = hi;
    }
    if from < 1.0 {
        out.push((vec![at(from), at(1.0)], Span::Ground));
    }
    out
}

/// Joins consecutive ways of the same kind end to end where nothing else
/// meets them (a street's blocks become one way), so that the file is
/// smaller and reads like OpenStreetMap. Junctions stay shared vertices.
fn merge_runs(ways: Vec<RoadWay>) -> Vec<RoadWay> {
    let key = |p: P| ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64);
    let mut degree: HashMap<(i64, i64), u32> = HashMap::new();
    for w in &ways {
        for &p in [w.coords[0], w.coords[w.coords.len() - 1]].iter() {
            *degree.entry(key(p)).or_default() += 1;
        }
    }
    let same = |a: &RoadWay, b: &RoadWay| {
        a.highway == b.highway
            && a.name == b.name
            && a.oneway == b.oneway
            && a.bridge == b.bridge
            && a.tunnel == b.tunnel
    };
    let mut out: Vec<RoadWay> = Vec::with_capacity(ways.len());
    for w in ways {
        if let Some(last) = out.last_mut() {
            let end = last.coords[last.coords.len() - 1];
            if same(last, &w) && key(end) == key(w.coords[0]) && degree[&key(end)] == 2 {
                last.coords.extend_from_slice(&w.coords[1..]);
                continue;
            }
        }
        out.push(w);
    }
    out
}

/// One GeoJSON feature of a way, coordinates to 6 decimals (about 0.1 m).
pub fn feature(way: &RoadWay, out: &mut String) {
    use std::fmt::Write;
    out.push_str("{\"type\":\"Feature\",\"properties\":{\"highway\":\"");
    out.push_str(way.highway);
    out.push('"');
    if let Some(name) = &way.name {
        out.push_str(",\"name\":");
        out.push_str(&serde_json::to_string(name).unwrap_or_default());
    }
    for (key, on) in [
        ("oneway", way.oneway),
        ("bridge", way.bridge),
        ("tunnel", way.tunnel),
    ] {
        if on {
            let _ = write!(out, ",\"{key}\":true");
        }
    }
    out.push_str("},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (k, p) in way.coords.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{:.6},{:.6}]", p[0], p[1]);
    }
    out.push_str("]}}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Params, generate, generate_with_roads};
    use crate::model::Region;

    fn region(
        seed: u64,
        zones: usize,
        schools: usize,
        counties: usize,
    ) -> (Region, Vec<CountyRoads>) {
        generate_with_roads(&Params {
            seed,
            zones,
            schools,
            counties,
        })
    }

    fn key(p: P) -> (i64, i64) {
        // As written: 6 decimals.
        ((p[0] * 1e6).round() as i64, (p[1] * 1e6).round() as i64)
    }

    fn segments(way: &RoadWay) -> impl Iterator<Item = (P, P)> + '_ {
        way.coords.windows(2).map(|w| (w[0], w[1]))
    }

    fn crosses(way: &RoadWay, line: &[P]) -> bool {
        segments(way).any(|(p, q)| {
            line.windows(2)
                .any(|l| crossing(p, q, l[0], l[1]).is_some())
        })
    }

    #[test]
    fn the_file_is_geojson_line_strings() {
        let (_, counties) = region(1, 3000, 80, 1);
        let ways: Vec<&RoadWay> = counties.iter().flat_map(|c| &c.ways).collect();
        let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
        for (k, w) in ways.iter().enumerate() {
            if k > 0 {
                text.push(',');
            }
            feature(w, &mut text);
        }
        text.push_str("]}");
        let parsed: geojson::GeoJson = text.parse().unwrap();
        let geojson::GeoJson::FeatureCollection(fc) = parsed else {
            panic!("not a FeatureCollection")
        };
        assert_eq!(fc.features.len(), ways.len());
        let highways = [
            "motorway",
            "motorway_link",
            "primary",
            "secondary",
            "tertiary",
            "residential",
            "unclassified",
            "track",
            "path",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for f in &fc.features {
            let geometry = f.geometry.as_ref().unwrap();
            assert!(matches!(
                geometry.value,
                geojson::GeometryValue::LineString { .. }
            ));
            let highway = f.property("highway").and_then(|v| v.as_str()).unwrap();
            assert!(highways.contains(&highway), "{highway}");
            seen.insert(highway.to_string());
            if let Some(name) = f.property("name") {
                assert!(crate::generate::names::is_chinese(name.as_str().unwrap()));
            }
        }
        assert_eq!(seen.len(), highways.len(), "{seen:?}");
        assert!(
            ways.iter()
                .any(|w| w.name.as_deref().is_some_and(|n| n.ends_with("大道")))
        );
    }

    #[test]
    fn the_river_is_crossed_only_by_bridges_and_by_few() {
        for (seed, zones, schools, counties) in [(1, 3000, 80, 1), (7, 6000, 200, 3)] {
            let (_, roads) = region(seed, zones, schools, counties);
            for county in &roads {
                let mut bridges = 0;
                for way in &county.ways {
                    if crosses(way, &county.river) {
                        assert!(way.bridge, "{way:?} crosses the river");
                        bridges += 1;
                    }
                }
                // Few: fewer than one per kilometre of river in the county
                // (its 200 m steps within the roads' extent).
                let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
                for p in county.ways.iter().flat_map(|w| &w.coords) {
                    for d in 0..2 {
                        lo[d] = lo[d].min(p[d]);
                        hi[d] = hi[d].max(p[d]);
                    }
                }
                let within = |p: &P| (0..2).all(|d| (lo[d]..=hi[d]).contains(&p[d]));
                let river_km = 0.2 * county.river.iter().filter(|p| within(p)).count() as f64;
                assert!(
                    bridges >= 1 && (bridges as f64) < river_km,
                    "{bridges} bridges over {river_km} km of river"
                );
            }
        }
    }

    #[test]
    fn the_expressway_is_joined_only_at_interchanges() {
        for (seed, zones, schools, counties) in [(1, 3000, 80, 1), (7, 6000, 200, 3)] {
            let (_, roads) = region(seed, zones, schools, counties);
            for county in &roads {
                let motorway: Vec<&RoadWay> = county
                    .ways
                    .iter()
                    .filter(|w| w.highway == "motorway")
                    .collect();
                assert!(!motorway.is_empty());
                let vertices: std::collections::HashSet<(i64, i64)> = motorway
                    .iter()
                    .flat_map(|w| w.coords.iter().map(|&p| key(p)))
                    .collect();
                let mut links = 0;
                let mut over_or_under = 0;
                for way in county.ways.iter().filter(|w| w.highway != "motorway") {
                    let shared = way
                        .coords
                        .iter()
                        .filter(|&&p| vertices.contains(&key(p)))
                        .count();
                    if way.highway == "motorway_link" {
                        assert_eq!(shared, 1, "{way:?}");
                        links += 1;
                        continue;
                    }
                    assert_eq!(shared, 0, "{way:?} joins the expressway");
                    for m in &motorway {
                        if crosses(way, &m.coords) {
                            assert!(way.bridge || way.tunnel, "{way:?} crosses at grade");
                            over_or_under += 1;
                        }
                    }
                }
                assert!(links >= 1);
                assert!(over_or_under >= 1);
            }
        }
    }

    /// Walkable ways joined where they share a vertex: one network per county.
    fn walking_components(ways: &[RoadWay]) -> usize {
        let mut ids: HashMap<(i64, i64), u32> = HashMap::new();
        let mut pairs = Vec::new();
        for way in ways.iter().filter(|w| w.walkable()) {
            let mut last = None;
            for &p in &way.coords {
                let next = ids.len() as u32;
                let id = *ids.entry(key(p)).or_insert(next);
                if let Some(prev) = last {
                    pairs.push((prev, id));
                }
                last = Some(id);
            }
        }
        let mut uf = UnionFind::new(ids.len());
        let mut components = ids.len();
        for (a, b) in pairs {
            components -= usize::from(uf.union(a, b));
        }
        components
    }

    #[test]
    fn every_county_is_one_walking_network() {
        for (seed, zones, schools, counties) in [(1, 3000, 80, 1), (7, 6000, 200, 3)] {
            let (_, roads) = region(seed, zones, schools, counties);
            assert_eq!(roads.len(), counties);
            for county in &roads {
                assert_eq!(walking_components(&county.ways), 1);
            }
        }
    }

    fn km_to_segment(p: P, a: P, b: P, k: (f64, f64)) -> f64 {
        let to_km = |x: P| [x[0] * k.0, x[1] * k.1];
        let (p, a, b) = (to_km(p), to_km(a), to_km(b));
        let d = [b[0] - a[0], b[1] - a[1]];
        let len2 = d[0] * d[0] + d[1] * d[1];
        let t = if len2 == 0.0 {
            0.0
        } else {
            (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
        };
        dist(p, [a[0] + t * d[0], a[1] + t * d[1]])
    }

    #[test]
    fn every_zone_and_school_is_near_a_walkable_road() {
        for (seed, zones, schools, counties) in [(1, 3000, 80, 1), (7, 6000, 200, 3)] {
            let (region, roads) = region(seed, zones, schools, counties);
            let k = land::km_per_degree(region.zones[0].centroid.y());
            // Segments by 0.01-degree cell (about 1 km), for the look-up.
            let mut cells: HashMap<(i64, i64), Vec<(P, P)>> = HashMap::new();
            let cell = |p: P| ((p[0] * 100.0).floor() as i64, (p[1] * 100.0).floor() as i64);
            for way in roads.iter().flat_map(|c| &c.ways).filter(|w| w.walkable()) {
                for (a, b) in segments(way) {
                    let (lo, hi) = (cell(a), cell(b));
                    for x in lo.0.min(hi.0)..=lo.0.max(hi.0) {
                        for y in lo.1.min(hi.1)..=lo.1.max(hi.1) {
                            cells.entry((x, y)).or_default().push((a, b));
                        }
                    }
                }
            }
            let nearest = |p: P| {
                let (cx, cy) = cell(p);
                let mut best = f64::INFINITY;
                for x in cx - 1..=cx + 1 {
                    for y in cy - 1..=cy + 1 {
                        for &(a, b) in cells.get(&(x, y)).into_iter().flatten() {
                            best = best.min(km_to_segment(p, a, b, k));
                        }
                    }
                }
                best
            };
            for z in &region.zones {
                let d = nearest([z.centroid.x(), z.centroid.y()]);
                assert!(d <= 0.5, "zone {} is {d:.3} km from a walkable road", z.id);
            }
            for s in &region.schools {
                let d = nearest([s.location.x(), s.location.y()]);
                assert!(
                    d <= 0.5,
                    "school {} is {d:.3} km from a walkable road",
                    s.id
                );
            }
        }
    }

    #[test]
    fn same_roads_on_any_thread_count_and_the_same_region() {
        let p = Params {
            seed: 3,
            zones: 4000,
            schools: 100,
            counties: 2,
        };
        let (region, a) = generate_with_roads(&p);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (_, b) = pool.install(|| generate_with_roads(&p));
        let ways = |r: &[CountyRoads]| r.iter().flat_map(|c| c.ways.clone()).collect::<Vec<_>>();
        assert_eq!(ways(&a), ways(&b));
        // Roads draw from their own stream: the region is unchanged.
        let plain = generate(&p);
        assert_eq!(format!("{:?}", plain.zones), format!("{:?}", region.zones));
        assert_eq!(
            format!("{:?}", plain.schools),
            format!("{:?}", region.schools)
        );
    }

    #[test]
    fn pieces_stand_off_the_crossing() {
        let cuts = vec![(0.5, 0.1, Span::Tunnel)];
        let out = pieces([0.0, 0.0], [1.0, 0.0], cuts);
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].1, Span::Tunnel);
        assert!((out[1].0[0][0] - 0.4).abs() < 1e-12 && (out[1].0[1][0] - 0.6).abs() < 1e-12);
        // Overlapping spans merge; a bridge wins.
        let out = pieces(
            [0.0, 0.0],
            [1.0, 0.0],
            vec![(0.5, 0.1, Span::Tunnel), (0.55, 0.1, Span::Bridge)],
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].1, Span::Bridge);
    }
}
