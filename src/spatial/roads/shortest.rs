//! Shortest paths to a point of the network (Dijkstra over the arriving
//! edges), and the distance from another point of the network to it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::network::{Network, Snap};

/// Cost from every junction to one target point: what a search leaves.
pub trait Field {
    /// Cost from junction `node` to the target (metres by length; by time,
    /// see [`super::Weight::Time`]); infinite where unreached.
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
/// junctions (see [`super::Chains`]).
pub struct Search {
    /// Cost from every junction to the target.
    pub dist: Vec<f64>,
    /// Metres of the cheapest way from every junction to the target.
    pub len: Vec<f64>,
    touched: Vec<u32>,
    /// (cost's bits, junction): costs are never negative, so their bits
    /// order as they do, and integers compare faster than floats.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Junctions a search waits for are marked with its number.
    wanted: Vec<u32>,
    round: u32,
}

impl Search {
    pub fn new(network: &Network) -> Search {
        let n = network.chains.junctions();
        Search {
            dist: vec![f64::INFINITY; n],
            len: vec![f64::INFINITY; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            wanted: vec![0; n],
            round: 0,
        }
    }

    /// Cost from every junction to `target` (its snap length not
    /// counted), for junctions costing less than `bound_m`; the others stay
    /// infinite.
    pub fn run(&mut self, network: &Network, target: &Snap, bound_m: f64) -> &[f64] {
        self.search(network, target, bound_m, None)
    }

    /// Cost to `target` from the junctions `ends` (and from those nearer
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
            self.len[n as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        let chains = &network.chains;
        let e = &network.edges[target.edge as usize];
        let (c, at) = chains.locate(target.edge, target.t, e.metres);
        let chain = chains.chains[c as usize];
        if chain.forward {
            self.offer(chain.p, at * chain.factor, at);
        }
        if chain.backward {
            let rest = chain.metres - at;
            self.offer(chain.q, rest * chain.factor, rest);
        }
        while let Some(Reverse((bits, v))) = self.heap.pop() {
            let d = f64::from_bits(bits);
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
            let len = self.len[v as usize];
            for &(u, cost, metres) in &chains.arrivals[from..to] {
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
            debug_assert!(d.is_sign_positive());
            self.heap.push(Reverse((d.to_bits(), node)));
        }
    }
}

/// The junctions a search must settle for [`between`] to measure from a
/// point on `edge`: the two ends of its chain.
pub fn chain_ends(network: &Network, edge: u32) -> [u32; 2] {
    let chain = network.chains.chain_of(edge);
    [chain.p, chain.q]
}

/// Cost along the network from `from` to the target of `field` (a
/// search's costs from each junction), with both snap lengths; infinite
/// where the target is not reached.
pub fn between(
    network: &Network,
    field: &(impl Field + ?Sized),
    from: &Snap,
    target: &Snap,
) -> f64 {
    measure(network, field, None, from, target).0
}

/// Cost and metres of the cheapest way from `from` to the target of a
/// search (`len`: the search's metres per junction; without it the metres
/// are the cost), both snap lengths included; infinite where not reached.
pub fn measure(
    network: &Network,
    field: &(impl Field + ?Sized),
    len: Option<&[f64]>,
    from: &Snap,
    target: &Snap,
) -> (f64, f64) {
    Departure::new(network, from).to(field, len, &Departure::new(network, target))
}

/// A point of the network placed once for many measures to it from
/// different targets (a zone measured to every school of its county):
/// [`Departure::to`] gives what [`measure`] gives, without looking up the
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
    factor: f64,
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
            factor: chain.factor,
            snap_m: from.metres,
        }
    }

    /// Cost and metres from this point to the target of `field`, placed
    /// at `target` (from [`Departure::new`] too), as [`measure`].
    pub fn to(
        &self,
        field: &(impl Field + ?Sized),
        len: Option<&[f64]>,
        target: &Departure,
    ) -> (f64, f64) {
        let metres_to = |j: u32| len.map_or_else(|| field.to_target(j), |l| l[j as usize]);
        let f = self.factor;
        let mut best = (f64::INFINITY, f64::INFINITY);
        let mut offer = |cost: f64, metres: f64| {
            if cost < best.0 {
                best = (cost, metres);
            }
        };
        if self.forward {
            offer(
                self.to_q * f + field.to_target(self.q),
                self.to_q + metres_to(self.q),
            );
        }
        if self.backward {
            offer(
                self.to_p * f + field.to_target(self.p),
                self.to_p + metres_to(self.p),
            );
        }
        if target.chain == self.chain {
            let (at, there) = (self.at, target.at);
            if self.forward && at <= there {
                offer((there - at) * f, there - at);
            }
            if self.backward && at >= there {
                offer((at - there) * f, at - there);
            }
        }
        // Added one by one, in this order, as every figure before was.
        (
            best.0 + self.snap_m * f + target.snap_m * target.factor,
            best.1 + self.snap_m + target.snap_m,
        )
    }
}

/// [`measure`] over a search of every vertex (the full network), for
/// [`path`], which needs the vertices passed.
fn measure_vertices(
    network: &Network,
    dist: &[f64],
    len: &[f64],
    from: &Snap,
    target: &Snap,
) -> (f64, f64) {
    let e = &network.edges[from.edge as usize];
    let f = network.factor[from.edge as usize];
    let along = from.t * e.metres;
    let mut best = (f64::INFINITY, f64::INFINITY);
    let mut offer = |cost: f64, metres: f64| {
        if cost < best.0 {
            best = (cost, metres);
        }
    };
    if e.forward {
        offer(
            (e.metres - along) * f + dist[e.b as usize],
            e.metres - along + len[e.b as usize],
        );
    }
    if e.backward {
        offer(along * f + dist[e.a as usize], along + len[e.a as usize]);
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
    (
        best.0 + from.metres * f + target.metres * network.factor[target.edge as usize],
        best.1 + from.metres + target.metres,
    )
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
    let (total, metres) = measure_vertices(network, &dist, &len, from, target);
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
