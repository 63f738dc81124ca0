//! Shortest paths to a point of the network (Dijkstra over the arriving
//! edges), and the distance from another point of the network to it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::network::{Network, Snap};

/// Metres from every node to one target point: what a search leaves.
pub trait Field {
    /// Metres from `node` to the target; infinite where unreached.
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
/// searches from many schools allocates once.
pub struct Search {
    pub dist: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<Label>>,
}

impl Search {
    pub fn new(network: &Network) -> Search {
        Search {
            dist: vec![f64::INFINITY; network.coords.len()],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Metres from every node to `target` (its snap length not counted),
    /// for nodes nearer than `bound_m`; the others stay infinite.
    pub fn run(&mut self, network: &Network, target: &Snap, bound_m: f64) -> &[f64] {
        for &n in &self.touched {
            self.dist[n as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        let e = &network.edges[target.edge as usize];
        let along = target.t * e.metres;
        if e.forward {
            self.offer(e.a, along);
        }
        if e.backward {
            self.offer(e.b, e.metres - along);
        }
        while let Some(Reverse(Label(d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            if d > bound_m {
                break;
            }
            let (from, to) = (
                network.arrival_start[v as usize] as usize,
                network.arrival_start[v as usize + 1] as usize,
            );
            for &(u, metres) in &network.arrivals[from..to] {
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

/// Metres along the network from `from` to the target of `field`, with
/// both snap lengths; infinite where the target is not reached.
pub fn between(
    network: &Network,
    field: &(impl Field + ?Sized),
    from: &Snap,
    target: &Snap,
) -> f64 {
    let e = &network.edges[from.edge as usize];
    let along = from.t * e.metres;
    let mut best = f64::INFINITY;
    if e.forward {
        best = best.min(e.metres - along + field.to_target(e.b));
    }
    if e.backward {
        best = best.min(along + field.to_target(e.a));
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
    let total = between(network, &dist, from, target);
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
