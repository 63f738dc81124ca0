//! The network searched: junctions joined by chains. Most vertices of a
//! road layer only bend a street (a generated county of 20,000 zones has
//! 220,000 vertices and 16,000 junctions), and a search that visits each
//! of them pays for every bend. A chain is a run of edges through vertices
//! that join exactly two edges, travelled the same ways along its whole
//! length; searches run over the junctions alone, and a point on an edge is
//! placed by its chain and its metres along it. Distances are those of the
//! full network: a chain's length is the sum of its edges. A chain's edges
//! share one cost per metre (see [`super::Weight`]), so a point's cost along
//! it is its metres times that factor.

/// A stretch of way between two vertices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    /// Great-circle metres from `a` to `b`.
    pub metres: f64,
    /// May be travelled from `a` to `b`.
    pub forward: bool,
    /// May be travelled from `b` to `a`.
    pub backward: bool,
}

/// Not a junction.
const NONE: u32 = u32::MAX;

/// A run of edges between two junctions `p` and `q` (equal for a loop).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chain {
    pub p: u32,
    pub q: u32,
    pub metres: f64,
    /// Cost of one metre of the chain (1 by length).
    pub factor: f64,
    /// May be travelled from `p` to `q`.
    pub forward: bool,
    /// May be travelled from `q` to `p`.
    pub backward: bool,
}

/// Where an edge lies on its chain.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Place {
    chain: u32,
    /// Metres from the chain's `p` to the edge's `a`.
    at_a: f64,
    /// The edge runs from `a` to `b` in the chain's direction `p` to `q`.
    along: bool,
}

/// Junctions, the chains between them and the edges arriving at each
/// junction (for searches towards a target).
#[derive(Clone, Debug, Default)]
pub struct Chains {
    /// Junction number of each vertex; `NONE` inside a chain.
    junction_of: Vec<u32>,
    pub chains: Vec<Chain>,
    places: Vec<Place>,
    /// Chains arriving at each junction, as (from junction, cost, metres):
    /// junction `j`'s are `arrivals[arrival_start[j]..arrival_start[j + 1]]`.
    pub arrival_start: Vec<u32>,
    pub arrivals: Vec<(u32, f64, f64)>,
}

impl Chains {
    /// The chains of a network of `n` vertices whose edges cost `factor`
    /// per metre.
    pub fn build(n: usize, edges: &[Edge], factor: &[f64]) -> Chains {
        let incident = Incidence::new(n, edges);
        let mut junction = vec![false; n];
        for (v, j) in junction.iter_mut().enumerate() {
            *j = !incident.passes_through(v as u32, edges, factor);
        }
        let mut places: Vec<Option<Place>> = vec![None; edges.len()];
        let mut raw: Vec<Chain> = Vec::new();
        for first in 0..edges.len() {
            if places[first].is_some() {
                continue;
            }
            let e = &edges[first];
            let start = if junction[e.a as usize] {
                e.a
            } else if junction[e.b as usize] {
                e.b
            } else {
                // A ring of bends without a junction: one of its vertices
                // becomes one.
                junction[e.a as usize] = true;
                e.a
            };
            let graph = Graph {
                edges,
                incident: &incident,
                junction: &junction,
            };
            raw.push(walk(
                &graph,
                start,
                first,
                factor[first],
                raw.len() as u32,
                &mut places,
            ));
        }
        let mut junction_of = vec![NONE; n];
        let mut count = 0u32;
        for (v, &j) in junction.iter().enumerate() {
            if j {
                junction_of[v] = count;
                count += 1;
            }
        }
        let chains: Vec<Chain> = raw
            .into_iter()
            .map(|c| Chain {
                p: junction_of[c.p as usize],
                q: junction_of[c.q as usize],
                ..c
            })
            .collect();
        let (arrival_start, arrivals) = arrivals(count as usize, &chains);
        Chains {
            junction_of,
            chains,
            places: places
                .into_iter()
                .map(|p| p.expect("every edge lies on a chain"))
                .collect(),
            arrival_start,
            arrivals,
        }
    }

    /// Junctions searched.
    pub fn junctions(&self) -> usize {
        self.arrival_start.len().saturating_sub(1)
    }

    /// The junction a vertex is, if it is one.
    pub fn junction(&self, vertex: u32) -> Option<u32> {
        let j = self.junction_of[vertex as usize];
        (j != NONE).then_some(j)
    }

    /// The chain an edge lies on.
    pub fn chain_of(&self, edge: u32) -> &Chain {
        &self.chains[self.places[edge as usize].chain as usize]
    }

    /// The chain of a point `t` of the way along `edge` (of `metres`), and
    /// its metres from the chain's `p`.
    pub fn locate(&self, edge: u32, t: f64, metres: f64) -> (u32, f64) {
        let place = &self.places[edge as usize];
        let at = if place.along {
            place.at_a + t * metres
        } else {
            place.at_a - t * metres
        };
        (place.chain, at)
    }
}

/// The edges at each vertex.
struct Incidence {
    start: Vec<u32>,
    edges: Vec<u32>,
}

impl Incidence {
    fn new(n: usize, edges: &[Edge]) -> Incidence {
        let mut start = vec![0u32; n + 1];
        for e in edges {
            start[e.a as usize + 1] += 1;
            start[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut at = vec![0u32; start[n] as usize];
        for (i, e) in edges.iter().enumerate() {
            for v in [e.a, e.b] {
                at[next[v as usize] as usize] = i as u32;
                next[v as usize] += 1;
            }
        }
        Incidence { start, edges: at }
    }

    fn of(&self, v: u32) -> &[u32] {
        &self.edges[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }

    /// A vertex a chain may pass through: two edges, neither a loop, of
    /// one cost per metre, that can be travelled through it in the same
    /// directions.
    fn passes_through(&self, v: u32, edges: &[Edge], factor: &[f64]) -> bool {
        let [e1, e2] = self.of(v) else {
            return false;
        };
        if factor[*e1 as usize] != factor[*e2 as usize] {
            return false;
        }
        let (e1, e2) = (&edges[*e1 as usize], &edges[*e2 as usize]);
        if e1.a == e1.b || e2.a == e2.b {
            return false;
        }
        // (towards v, away from v) along each edge.
        let ways = |e: &Edge| {
            if e.b == v {
                (e.forward, e.backward)
            } else {
                (e.backward, e.forward)
            }
        };
        let ((in1, out1), (in2, out2)) = (ways(e1), ways(e2));
        in1 == out2 && out1 == in2
    }
}

/// The edges, which edges meet at each vertex and which vertices are
/// junctions: what a walk along a chain reads.
struct Graph<'a> {
    edges: &'a [Edge],
    incident: &'a Incidence,
    junction: &'a [bool],
}

/// The chain that leaves junction `start` by edge `first`: its edges get
/// their places, and it ends at the next junction.
fn walk(
    graph: &Graph,
    start: u32,
    first: usize,
    factor: f64,
    chain: u32,
    places: &mut [Option<Place>],
) -> Chain {
    let Graph {
        edges,
        incident,
        junction,
    } = *graph;
    let e = &edges[first];
    let (forward, backward) = if e.a == start {
        (e.forward, e.backward)
    } else {
        (e.backward, e.forward)
    };
    let (mut edge, mut at, mut vertex) = (first, 0.0, start);
    loop {
        let e = &edges[edge];
        let along = e.a == vertex;
        let (next, at_a, at_next) = if along {
            (e.b, at, at + e.metres)
        } else {
            (e.a, at + e.metres, at + e.metres)
        };
        places[edge] = Some(Place { chain, at_a, along });
        at = at_next;
        vertex = next;
        if junction[vertex as usize] {
            return Chain {
                p: start,
                q: vertex,
                metres: at,
                factor,
                forward,
                backward,
            };
        }
        let &[x, y] = incident.of(vertex) else {
            unreachable!("a vertex inside a chain joins two edges");
        };
        edge = if x as usize == edge { y } else { x } as usize;
    }
}

/// The chains arriving at each junction, as (from, cost, metres).
fn arrivals(n: usize, chains: &[Chain]) -> (Vec<u32>, Vec<(u32, f64, f64)>) {
    let mut start = vec![0u32; n + 1];
    for c in chains {
        if c.forward {
            start[c.q as usize + 1] += 1;
        }
        if c.backward {
            start[c.p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut out = vec![(0u32, 0.0, 0.0); start[n] as usize];
    for c in chains {
        let cost = c.metres * c.factor;
        if c.forward {
            out[next[c.q as usize] as usize] = (c.p, cost, c.metres);
            next[c.q as usize] += 1;
        }
        if c.backward {
            out[next[c.p as usize] as usize] = (c.q, cost, c.metres);
            next[c.p as usize] += 1;
        }
    }
    (start, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: u32, b: u32, metres: f64, forward: bool, backward: bool) -> Edge {
        Edge {
            a,
            b,
            metres,
            forward,
            backward,
        }
    }

    #[test]
    fn bends_join_their_edges_into_one_chain() {
        // 0 - 1 - 2 - 3 with a branch 2 - 4: junctions 0, 2, 3, 4.
        let edges = [
            edge(0, 1, 10.0, true, true),
            edge(2, 1, 5.0, true, true),
            edge(2, 3, 7.0, true, true),
            edge(2, 4, 1.0, true, true),
        ];
        let c = Chains::build(5, &edges, &[1.0; 4]);
        assert_eq!(c.junctions(), 4);
        assert_eq!(c.chains.len(), 3);
        assert_eq!(c.junction(1), None);
        let (chain, at) = c.locate(1, 0.2, 5.0);
        let ch = c.chains[chain as usize];
        assert_eq!(ch.metres, 15.0);
        // Edge 1 runs from 2 back towards 1: 0.2 of it from 2 is 4 m from 1.
        let from_0 = if ch.p == c.junction(0).unwrap() {
            at
        } else {
            ch.metres - at
        };
        assert!((from_0 - 14.0).abs() < 1e-9, "{from_0}");
    }

    #[test]
    fn a_change_of_direction_is_a_junction_and_a_ring_gets_one() {
        let edges = [
            edge(0, 1, 1.0, true, false),
            edge(1, 2, 1.0, true, true),
            // A ring 3 - 4 - 5 - 3 of bends only.
            edge(3, 4, 1.0, true, true),
            edge(4, 5, 1.0, true, true),
            edge(5, 3, 1.0, true, true),
        ];
        let c = Chains::build(6, &edges, &[1.0; 5]);
        assert!(c.junction(1).is_some());
        assert_eq!(c.chains.len(), 3);
        let ring = c.chains[2];
        assert_eq!((ring.p, ring.metres), (ring.q, 3.0));
    }
}
