//! Shortest paths to a point of the network (Dijkstra over the arriving
//! edges), and the distance from another point of the network to it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::network::{Network, Snap};

/// Metres from every junction to one target point: what a search leaves.
pub trait Field {
    /// Metres from junction `node` to the target; infinite where unreached.
    fn to_target(&self, node: u32) -> f64;
}

impl Field for [f64] {
    fn to_target(&self, node: u32) -> f64 {
        self[node as usize]
    }
}

impl Field for Vec<f64> {
    fn to_target(&self, node: u32) -> f64 {
        self[node as usize]
    }
}

#[derive(PartialEq)]
struct Label(f64, u32);

impl Eq for Label {}

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One search's buffers, kept between searches so that a thread running
/// searches from many schools allocates once. A search runs over the
/// junctions (see [`super::Chains`]): its field holds metres from each
/// junction to the target.
pub struct Search {
    pub dist: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<Label>>,
    /// Junctions a search waits for are marked with its number.
    wanted: Vec<u32>,
    round: u32,
}

impl Search {
    pub fn new(network: &Network) -> Search {
        let n = network.chains.junctions();
        Search {
            dist: vec![f64::INFINITY; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            wanted: vec![0; n],
            round: 0,
        }
    }

    /// Metres from every junction to `target` (its snap length not
    /// counted), for junctions nearer than `bound_m`; the others stay
    /// infinite.
    pub fn run(&mut self, network: &Network, target: &Snap, bound_m: f64) -> &[f64] {
        self.search(network, target, bound_m, None)
    }

    /// Metres to `target` from the junctions `ends` (and from those nearer
    /// than the farthest of them): the search stops once it has settled
    /// every one it can reach, so a school's search ends at the edge of its
    /// county however large the network. Other junctions' figures are not
    /// to be read.
    pub fn run_to(&mut self, network: &Network, target: &Snap, ends: &[u32]) -> &[f64] {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.wanted.fill(0);
            self.round = 1;
        }
        let mut waiting = 0usize;
        for &j in ends {
            if self.wanted[j as usize] != self.round {
                self.wanted[j as usize] = self.round;
                waiting += 1;
            }
        }
        self.search(network, target, f64::INFINITY, Some(waiting))
    }

    fn search(
        &mut self,
        network: &Network,
        target: &Snap,
        bound_m: f64,
        mut waiting: Option<usize>,
    ) -> &[f64] {
        for &n in &self.touched {
            self.dist[n as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        let chains = &network.chains;
        let e = &network.edges[target.edge as usize];
        let (c, at) = chains.locate(target.edge, target.t, e.metres);
        let chain = chains.chains[c as usize];
        if chain.forward {
            self.offer(chain.p, at);
        }
        if chain.backward {
            self.offer(chain.q, chain.metres - at);
        }
        while let Some(Reverse(Label(d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            if d > bound_m {
                break;
            }
            if let Some(w) = &mut waiting
                && self.wanted[v as usize] == self.round
            {
                *w -= 1;
                if *w == 0 {
                    break;
                }
            }
            let (from, to) = (
                chains.arrival_start[v as usize] as usize,
                chains.arrival_start[v as usize + 1] as usize,
            );
            for &(u, metres) in &chains.arrivals[from..to] {
                self.offer(u, d + metres);
            }
        }
        &self.dist
    }

    fn offer(&mut self, node: u32, d: f64) {
        let slot = &mut self.dist[node as usize];
        if d < *slot {
            if slot.is_infinite() {
                self.touched.push(node);
            }
            *slot = d;
            self.heap.push(Reverse(Label(d, node)));
        }
    }
}

/// The junctions a search must settle for [`between`] to measure from a
/// point on `edge`: the two ends of its chain.
pub fn chain_ends(network: &Network, edge: u32) -> [u32; 2] {
    let chain = network.chains.chain_of(edge);
    [chain.p, chain.q]
}

/// Metres along the network from `from` to the target of `field` (a
/// search's metres from each junction), with both snap lengths; infinite
/// where the target is not reached.
pub fn between(
    network: &Network,
    field: &(impl Field + ?Sized),
    from: &Snap,
    target: &Snap,
) -> f64 {
    let chains = &network.chains;
    let locate = |s: &Snap| chains.locate(s.edge, s.t, network.edges[s.edge as usize].metres);
    let (c, at) = locate(from);
    let chain = &chains.chains[c as usize];
    let mut best = f64::INFINITY;
    if chain.forward {
        best = best.min(chain.metres - at + field.to_target(chain.q));
    }
    if chain.backward {
        best = best.min(at + field.to_target(chain.p));
    }
    let (tc, there) = locate(target);
    if tc == c {
        if chain.forward && at <= there {
            best = best.min(there - at);
        }
        if chain.backward && at >= there {
            best = best.min(at - there);
        }
    }
    best + from.metres + target.metres
}

/// A point of the network placed once for many measures to it from
/// different targets (a zone measured to every school of its county):
/// [`Departure::to`] gives what [`between`] gives, without looking up the
/// point's edge and chain each time.
#[derive(Clone, Copy, Debug)]
pub struct Departure {
    chain: u32,
    at: f64,
    p: u32,
    q: u32,
    /// Metres to `q` along the chain, infinite where it may not be taken.
    to_q: f64,
    to_p: f64,
    forward: bool,
    backward: bool,
    snap_m: f64,
}

impl Departure {
    pub fn new(network: &Network, from: &Snap) -> Departure {
        let chains = &network.chains;
        let (c, at) = chains.locate(from.edge, from.t, network.edges[from.edge as usize].metres);
        let chain = &chains.chains[c as usize];
        Departure {
            chain: c,
            at,
            p: chain.p,
            q: chain.q,
            to_q: if chain.forward {
                chain.metres - at
            } else {
                f64::INFINITY
            },
            to_p: if chain.backward { at } else { f64::INFINITY },
            forward: chain.forward,
            backward: chain.backward,
            snap_m: from.metres,
        }
    }

    /// Metres from this point to the target of `field`, placed at
    /// `target` (from [`Departure::new`] too); as [`between`].
    pub fn to(&self, field: &[f64], target: &Departure) -> f64 {
        let mut best = f64::INFINITY;
        if self.forward {
            best = best.min(self.to_q + field[self.q as usize]);
        }
        if self.backward {
            best = best.min(self.to_p + field[self.p as usize]);
        }
        if target.chain == self.chain {
            let (at, there) = (self.at, target.at);
            if self.forward && at <= there {
                best = best.min(there - at);
            }
            if self.backward && at >= there {
                best = best.min(at - there);
            }
        }
        best + self.snap_m + target.snap_m
    }
}

/// [`between`] over a field of every vertex (the full network), for
/// [`path`], which needs the vertices passed.
fn between_vertices(network: &Network, dist: &[f64], from: &Snap, target: &Snap) -> f64 {
    let e = &network.edges[from.edge as usize];
    let along = from.t * e.metres;
    let mut best = f64::INFINITY;
    if e.forward {
        best = best.min(e.metres - along + dist[e.b as usize]);
    }
    if e.backward {
        best = best.min(along + dist[e.a as usize]);
    }
    if from.edge == target.edge {
        let there = target.t * e.metres;
        if e.forward && along <= there {
            best = best.min(there - along);
        }
        if e.backward && along >= there {
            best = best.min(along - there);
        }
    }
    best + from.metres + target.metres
}

/// The way along the network from `from` to `target`: the nodes passed, in
/// order, and its metres with both snap lengths; `None` where the target
/// is not reached.
pub fn path(network: &Network, from: &Snap, target: &Snap) -> Option<(Vec<u32>, f64)> {
    const TARGET: u32 = u32::MAX;
    let n = network.coords.len();
    let mut dist = vec![f64::INFINITY; n];
    // The next node on the way to the target; TARGET: the target's edge.
    let mut next = vec![TARGET; n];
    let mut heap = BinaryHeap::new();
    let e = &network.edges[target.edge as usize];
    let along = target.t * e.metres;
    let mut start = |node: u32, d: f64, heap: &mut BinaryHeap<Reverse<Label>>| {
        if d < dist[node as usize] {
            dist[node as usize] = d;
            heap.push(Reverse(Label(d, node)));
        }
    };
    if e.forward {
        start(e.a, along, &mut heap);
    }
    if e.backward {
        start(e.b, e.metres - along, &mut heap);
    }
    while let Some(Reverse(Label(d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        let (lo, hi) = (
            network.arrival_start[v as usize] as usize,
            network.arrival_start[v as usize + 1] as usize,
        );
        for &(u, metres) in &network.arrivals[lo..hi] {
            if d + metres < dist[u as usize] {
                dist[u as usize] = d + metres;
                next[u as usize] = v;
                heap.push(Reverse(Label(d + metres, u)));
            }
        }
    }
    let total = between_vertices(network, &dist, from, target);
    if !total.is_finite() {
        return None;
    }
    let f = &network.edges[from.edge as usize];
    let along = from.t * f.metres;
    let via_b =
        f.forward && (f.metres - along + dist[f.b as usize] + from.metres + target.metres) == total;
    let via_a = f.backward && (along + dist[f.a as usize] + from.metres + target.metres) == total;
    let mut nodes = Vec::new();
    let mut node = if via_b {
        f.b
    } else if via_a {
        f.a
    } else {
        return Some((nodes, total));
    };
    loop {
        nodes.push(node);
        node = next[node as usize];
        if node == TARGET {
            return Some((nodes, total));
        }
    }
}
