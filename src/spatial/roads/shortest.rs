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
    /// Cost from every node to the target (metres by length; by time, see
    /// [`super::Weight::Time`]).
    pub dist: Vec<f64>,
    /// Metres of the cheapest way from every node to the target.
    pub len: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<Label>>,
}

impl Search {
    pub fn new(network: &Network) -> Search {
        Search {
            dist: vec![f64::INFINITY; network.coords.len()],
            len: vec![f64::INFINITY; network.coords.len()],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Metres from every node to `target` (its snap length not counted),
    /// for nodes nearer than `bound_m`; the others stay infinite.
    pub fn run(&mut self, network: &Network, target: &Snap, bound_m: f64) -> &[f64] {
        for &n in &self.touched {
            self.dist[n as usize] = f64::INFINITY;
            self.len[n as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        let e = &network.edges[target.edge as usize];
        let f = network.factor[target.edge as usize];
        let along = target.t * e.metres;
        if e.forward {
            self.offer(e.a, along * f, along);
        }
        if e.backward {
            self.offer(e.b, (e.metres - along) * f, e.metres - along);
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
            let len = self.len[v as usize];
            for &(u, cost, metres) in &network.arrivals[from..to] {
                self.offer(u, d + cost, len + metres);
            }
        }
        &self.dist
    }

    fn offer(&mut self, node: u32, d: f64, len: f64) {
        let slot = &mut self.dist[node as usize];
        if d < *slot {
            if slot.is_infinite() {
                self.touched.push(node);
            }
            *slot = d;
            self.len[node as usize] = len;
            self.heap.push(Reverse(Label(d, node)));
        }
    }
}

/// Cost along the network from `from` to the target of `field`, with
/// both snap lengths (metres by length); infinite where the target is not
/// reached.
pub fn between(
    network: &Network,
    field: &(impl Field + ?Sized),
    from: &Snap,
    target: &Snap,
) -> f64 {
    measure(network, field, None, from, target).0
}

/// Cost and metres of the cheapest way from `from` to the target of a
/// search (`len`: the search's metres per node; without it the metres are
/// the cost), both snap lengths included; infinite where not reached.
pub fn measure(
    network: &Network,
    field: &(impl Field + ?Sized),
    len: Option<&[f64]>,
    from: &Snap,
    target: &Snap,
) -> (f64, f64) {
    let e = &network.edges[from.edge as usize];
    let f = network.factor[from.edge as usize];
    let metres_to = |node: u32| len.map_or(field.to_target(node), |l| l[node as usize]);
    let along = from.t * e.metres;
    let mut best = (f64::INFINITY, f64::INFINITY);
    let mut offer = |cost: f64, metres: f64| {
        if cost < best.0 {
            best = (cost, metres);
        }
    };
    if e.forward {
        offer(
            (e.metres - along) * f + field.to_target(e.b),
            e.metres - along + metres_to(e.b),
        );
    }
    if e.backward {
        offer(along * f + field.to_target(e.a), along + metres_to(e.a));
    }
    if from.edge == target.edge {
        let there = target.t * e.metres;
        if e.forward && along <= there {
            offer((there - along) * f, there - along);
        }
        if e.backward && along >= there {
            offer((along - there) * f, along - there);
        }
    }
    let snaps = from.metres + target.metres;
    let snap_cost = from.metres * f + target.metres * network.factor[target.edge as usize];
    (best.0 + snap_cost, best.1 + snaps)
}

/// The way along the network from `from` to `target`, the cheapest for
/// the network's weight: the nodes passed, in order, and its metres with
/// both snap lengths; `None` where the target is not reached.
pub fn path(network: &Network, from: &Snap, target: &Snap) -> Option<(Vec<u32>, f64)> {
    const TARGET: u32 = u32::MAX;
    let n = network.coords.len();
    let mut dist = vec![f64::INFINITY; n];
    let mut len = vec![f64::INFINITY; n];
    // The next node on the way to the target; TARGET: the target's edge.
    let mut next = vec![TARGET; n];
    let mut heap = BinaryHeap::new();
    let e = &network.edges[target.edge as usize];
    let f = network.factor[target.edge as usize];
    let along = target.t * e.metres;
    if e.forward {
        dist[e.a as usize] = along * f;
        len[e.a as usize] = along;
        heap.push(Reverse(Label(along * f, e.a)));
    }
    if e.backward && (e.metres - along) * f < dist[e.b as usize] {
        dist[e.b as usize] = (e.metres - along) * f;
        len[e.b as usize] = e.metres - along;
        heap.push(Reverse(Label(dist[e.b as usize], e.b)));
    }
    while let Some(Reverse(Label(d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        let (lo, hi) = (
            network.arrival_start[v as usize] as usize,
            network.arrival_start[v as usize + 1] as usize,
        );
        for &(u, cost, metres) in &network.arrivals[lo..hi] {
            if d + cost < dist[u as usize] {
                dist[u as usize] = d + cost;
                len[u as usize] = len[v as usize] + metres;
                next[u as usize] = v;
                heap.push(Reverse(Label(d + cost, u)));
            }
        }
    }
    let (total, metres) = measure(network, &dist, Some(&len), from, target);
    if !total.is_finite() {
        return None;
    }
    let fe = &network.edges[from.edge as usize];
    let ff = network.factor[from.edge as usize];
    let snaps = from.metres * ff + target.metres * network.factor[target.edge as usize];
    let along = from.t * fe.metres;
    let via_b = fe.forward && ((fe.metres - along) * ff + dist[fe.b as usize] + snaps) == total;
    let via_a = fe.backward && (along * ff + dist[fe.a as usize] + snaps) == total;
    let mut nodes = Vec::new();
    let mut node = if via_b {
        fe.b
    } else if via_a {
        fe.a
    } else {
        return Some((nodes, metres));
    };
    loop {
        nodes.push(node);
        node = next[node as usize];
        if node == TARGET {
            return Some((nodes, metres));
        }
    }
}
