//! The network one profile makes of the ways: nodes where ways meet, edges
//! with their length and the directions they may be travelled, and an
//! R-tree over the edges to join zones and schools to it.

use std::collections::HashMap;

use geo::{Coord, Point};
use rstar::RTree;
use rstar::primitives::{CachedEnvelope, GeomWithData, Line};

use super::chains::{Chains, Edge};
use super::joining::Joiner;
use super::profile::{Profile, Way};
use crate::model::geodesy::{chord_for_m, haversine_m, m_for_chord, unit_vector};

/// Vertices of different ways closer than this are one junction.
const JOIN_M: f64 = 1.0;

/// Where a point joins the network: the nearest point of the nearest
/// usable edge, `t` of the way from its `a` to its `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    pub edge: u32,
    pub t: f64,
    /// Straight metres from the point to the edge (a compound's gate to its
    /// street): they count in every distance.
    pub metres: f64,
}

/// An edge's line with its bounding box computed once: loading the R-tree
/// asks for a box many times per edge, and a line works its box out anew
/// each time (most of the network's build on the city). The tree is the
/// same either way.
type Segment = GeomWithData<CachedEnvelope<Line<[f64; 3]>>, u32>;

/// What a search along the network minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Weight {
    /// Metres.
    #[default]
    Length,
    /// Travel time at each way's speed for the profile, counted as the
    /// metres the network's fastest way would cover in that time
    /// ([`Network::reference_kmh`]): never less than the metres, so the
    /// great-circle distance still bounds it from below.
    Time,
}

/// The usable part of the ways for one profile.
pub struct Network {
    pub profile: Profile,
    pub weight: Weight,
    pub coords: Vec<Coord<f64>>,
    pub edges: Vec<Edge>,
    /// Per edge, what one metre of it costs (1 by length; by time, the
    /// reference speed over the edge's speed, at least 1).
    pub factor: Vec<f64>,
    /// The speed a cost metre is travelled at, km/h: the fastest edge's
    /// (by length, 0: costs are plain metres).
    pub reference_kmh: f64,
    /// Edges arriving at each node, as (from node, cost, metres): node
    /// `v`'s are `arrivals[arrival_start[v]..arrival_start[v + 1]]`. A
    /// search from a school over them finds how far every node is *to* the
    /// school.
    pub(super) arrival_start: Vec<u32>,
    pub(super) arrivals: Vec<(u32, f64, f64)>,
    /// Weakly connected piece of each node.
    pub piece: Vec<u32>,
    /// The junctions and the chains between them, which searches run over.
    pub chains: Chains,
    segments: RTree<Segment>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "Network({:?}, {} nodes, {} edges, {} junctions)",
            self.profile,
            self.coords.len(),
            self.edges.len(),
            self.chains.junctions()
        )
    }
}

impl Network {
    /// The network of the ways `profile` may use, by length.
    pub fn build(ways: &[Way], profile: Profile) -> Network {
        Self::build_weighted(ways, profile, Weight::Length)
    }

    /// The network of the ways `profile` may use, searched by `weight`.
    pub fn build_weighted(ways: &[Way], profile: Profile, weight: Weight) -> Network {
        let mut speeds = Vec::new();
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let mut joiner = Joiner::new(chord_for_m(JOIN_M));
        let mut by_id: HashMap<i64, u32> = HashMap::new();
        let mut edges = Vec::new();
        for way in ways {
            let Some((forward, backward)) = profile.directions(&way.tags) else {
                continue;
            };
            let speed = profile.speed_kmh(&way.tags);
            let mut previous: Option<u32> = None;
            for (i, &c) in way.coords.iter().enumerate() {
                let id = way.node_ids.as_ref().and_then(|ids| ids.get(i).copied());
                let node = match id {
                    Some(id) => *by_id.entry(id).or_insert_with(|| {
                        coords.push(c);
                        coords.len() as u32 - 1
                    }),
                    None => {
                        let v = unit_vector(Point::from(c));
                        joiner.near(&v).unwrap_or_else(|| {
                            coords.push(c);
                            let n = coords.len() as u32 - 1;
                            joiner.insert(v, n);
                            n
                        })
                    }
                };
                if let Some(p) = previous
                    && p != node
                {
                    edges.push(Edge {
                        a: p,
                        b: node,
                        metres: haversine_m(
                            Point::from(coords[p as usize]),
                            Point::from(coords[node as usize]),
                        ),
                        forward,
                        backward,
                    });
                    speeds.push(speed);
                }
                previous = Some(node);
            }
        }
        match weight {
            Weight::Length => Self::from_parts(profile, coords, edges),
            Weight::Time => Self::timed(profile, coords, edges, &speeds),
        }
    }

    /// A network of given nodes and edges, by length.
    pub fn from_parts(profile: Profile, coords: Vec<Coord<f64>>, edges: Vec<Edge>) -> Network {
        let factor = vec![1.0; edges.len()];
        Self::assemble(profile, Weight::Length, 0.0, coords, edges, factor)
    }

    /// A network of given nodes and edges searched by travel time at the
    /// edges' speeds, km/h.
    pub fn timed(
        profile: Profile,
        coords: Vec<Coord<f64>>,
        edges: Vec<Edge>,
        speeds: &[f64],
    ) -> Network {
        let reference = speeds.iter().copied().fold(0.0f64, f64::max);
        let factor = speeds.iter().map(|&v| (reference / v).max(1.0)).collect();
        Self::assemble(profile, Weight::Time, reference, coords, edges, factor)
    }

    fn assemble(
        profile: Profile,
        weight: Weight,
        reference_kmh: f64,
        coords: Vec<Coord<f64>>,
        edges: Vec<Edge>,
        factor: Vec<f64>,
    ) -> Network {
        let n = coords.len();
        let mut count = vec![0u32; n + 1];
        for e in &edges {
            if e.forward {
                count[e.b as usize + 1] += 1;
            }
            if e.backward {
                count[e.a as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut next = count.clone();
        let mut arrivals = vec![(0u32, 0.0, 0.0); count[n] as usize];
        for (e, f) in edges.iter().zip(&factor) {
            let cost = e.metres * f;
            if e.forward {
                arrivals[next[e.b as usize] as usize] = (e.a, cost, e.metres);
                next[e.b as usize] += 1;
            }
            if e.backward {
                arrivals[next[e.a as usize] as usize] = (e.b, cost, e.metres);
                next[e.a as usize] += 1;
            }
        }
        let segments = RTree::bulk_load(
            edges
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let a = unit_vector(Point::from(coords[e.a as usize]));
                    let b = unit_vector(Point::from(coords[e.b as usize]));
                    GeomWithData::new(CachedEnvelope::new(Line::new(a, b)), i as u32)
                })
                .collect(),
        );
        let piece = pieces(n, &edges);
        let chains = Chains::build(n, &edges, &factor);
        Network {
            chains,
            profile,
            weight,
            coords,
            edges,
            factor,
            reference_kmh,
            arrival_start: count,
            arrivals,
            piece,
            segments,
        }
    }

    /// Cost metres a minute of travel is worth ([`Weight::Time`]).
    pub fn metres_per_minute(&self) -> f64 {
        self.reference_kmh * 1000.0 / 60.0
    }

    /// Total length of the edges, km.
    pub fn km(&self) -> f64 {
        self.edges.iter().map(|e| e.metres).sum::<f64>() / 1000.0
    }

    /// Nodes that some edge uses.
    pub fn used_nodes(&self) -> usize {
        let mut used = vec![false; self.coords.len()];
        for e in &self.edges {
            used[e.a as usize] = true;
            used[e.b as usize] = true;
        }
        used.into_iter().filter(|&u| u).count()
    }

    /// Where a point joins the network, if an edge lies within `max_m`.
    pub fn snap(&self, at: Point<f64>, max_m: f64) -> Option<Snap> {
        let q = unit_vector(at);
        let (segment, d2) = self
            .segments
            .nearest_neighbor_iter_with_distance_2(&q)
            .next()?;
        let metres = m_for_chord(d2.sqrt());
        if metres > max_m {
            return None;
        }
        let line = segment.geom();
        let p = line.nearest_point(&q);
        let along = |x: &[f64; 3]| {
            (0..3)
                .map(|i| (x[i] - line.from[i]).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let length = along(&line.to);
        let t = if length > 0.0 {
            (along(&p) / length).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some(Snap {
            edge: segment.data,
            t,
            metres,
        })
    }

    /// The piece of network a snapped point is on.
    pub fn piece_of(&self, snap: &Snap) -> u32 {
        self.piece[self.edges[snap.edge as usize].a as usize]
    }
}

/// Weakly connected pieces (union-find), numbered by their least node.
fn pieces(n: usize, edges: &[Edge]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    for e in edges {
        let (ra, rb) = (root(&mut parent, e.a), root(&mut parent, e.b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            parent[hi as usize] = lo;
        }
    }
    (0..n as u32).map(|x| root(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn way(points: &[(f64, f64)], tags: &[(&str, &str)]) -> Way {
        Way {
            coords: points.iter().map(|&(x, y)| Coord { x, y }).collect(),
            node_ids: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn ways_meet_at_shared_vertices_and_within_a_metre_only() {
        let ways = [
            way(&[(120.0, 30.0), (120.01, 30.0)], &[]),
            // Starts 0.5 m from the first way's end: joined.
            way(&[(120.010005, 30.0), (120.02, 30.0)], &[]),
            // Crosses the first way without a shared vertex: no junction.
            way(&[(120.005, 29.99), (120.005, 30.01)], &[]),
        ];
        let net = Network::build(&ways, Profile::Walk);
        assert_eq!(net.coords.len(), 5);
        assert_eq!(net.edges.len(), 3);
        assert_eq!(net.piece[0], net.piece[2]);
        assert_ne!(net.piece[0], net.piece[3]);
    }

    #[test]
    fn osm_node_ids_decide_junctions() {
        let mut a = way(&[(120.0, 30.0), (120.01, 30.0)], &[]);
        a.node_ids = Some(vec![1, 2]);
        let mut b = way(&[(120.0, 30.0), (120.0, 30.01)], &[]);
        b.node_ids = Some(vec![3, 4]);
        let net = Network::build(&[a, b], Profile::Walk);
        assert_eq!(net.coords.len(), 4);
        assert_ne!(net.piece[0], net.piece[2]);
    }

    #[test]
    fn a_point_snaps_to_the_nearest_usable_edge() {
        let ways = [
            way(&[(120.0, 30.0), (120.01, 30.0)], &[("highway", "motorway")]),
            way(&[(120.0, 30.001), (120.01, 30.001)], &[]),
        ];
        let net = Network::build(&ways, Profile::Walk);
        assert_eq!(net.edges.len(), 1);
        let s = net.snap(Point::new(120.0025, 30.0), 500.0).unwrap();
        assert!((s.metres - 111.2).abs() < 0.5, "{s:?}");
        assert!((s.t - 0.25).abs() < 1e-3, "{s:?}");
        assert!(net.snap(Point::new(120.0025, 30.0), 100.0).is_none());
    }
}
