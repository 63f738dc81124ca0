//! Road distances against an independent shortest-path computation
//! (petgraph's Dijkstra) on random networks, to the millimetre, by length
//! and by travel time.

use catchment::spatial::roads::{
    Departure, Edge, Network, Profile, Search, Snap, between, measure,
};

use geo::Coord;
use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

/// A random network: nodes, edges (a, b, metres, forward, backward),
/// and two points on edges (edge, t, snap metres).
fn networks() -> impl Strategy<Value = (usize, Vec<Edge>, Snap, Snap)> {
    (2usize..12).prop_flat_map(|n| {
        let edge =
            (0..n as u32, 0..n as u32, 1.0f64..5_000.0, 0u8..3).prop_map(|(a, b, metres, dir)| {
                Edge {
                    a,
                    b,
                    metres,
                    forward: dir != 2,
                    backward: dir != 1,
                }
            });
        prop::collection::vec(edge, 1..30).prop_flat_map(move |edges| {
            let m = edges.len() as u32;
            let snap = (0..m, 0.0f64..=1.0, 0.0f64..400.0).prop_map(|(edge, t, metres)| Snap {
                edge,
                t,
                metres,
            });
            (Just(n), Just(edges), snap.clone(), snap)
        })
    })
}

/// The same cost by petgraph, each metre of edge `i` costing `factor[i]`:
/// the two points become nodes joined to the ends of their edges, in the
/// directions the edges allow.
fn by_petgraph(n: usize, edges: &[Edge], factor: &[f64], from: &Snap, to: &Snap) -> Option<f64> {
    let mut g = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..n + 2).map(|_| g.add_node(())).collect();
    let (s, t) = (nodes[n], nodes[n + 1]);
    for (e, f) in edges.iter().zip(factor) {
        if e.forward {
            g.add_edge(nodes[e.a as usize], nodes[e.b as usize], e.metres * f);
        }
        if e.backward {
            g.add_edge(nodes[e.b as usize], nodes[e.a as usize], e.metres * f);
        }
    }
    let (ef, et) = (&edges[from.edge as usize], &edges[to.edge as usize]);
    let (ff, tf) = (factor[from.edge as usize], factor[to.edge as usize]);
    if ef.forward {
        g.add_edge(s, nodes[ef.b as usize], (1.0 - from.t) * ef.metres * ff);
    }
    if ef.backward {
        g.add_edge(s, nodes[ef.a as usize], from.t * ef.metres * ff);
    }
    if et.forward {
        g.add_edge(nodes[et.a as usize], t, to.t * et.metres * tf);
    }
    if et.backward {
        g.add_edge(nodes[et.b as usize], t, (1.0 - to.t) * et.metres * tf);
    }
    if from.edge == to.edge {
        let d = (to.t - from.t) * ef.metres;
        if (d >= 0.0 && ef.forward) || (d <= 0.0 && ef.backward) {
            g.add_edge(s, t, d.abs() * ff);
        }
    }
    dijkstra(&g, s, Some(t), |e| *e.weight())
        .get(&t)
        .map(|d| d + from.metres * ff + to.metres * tf)
}

proptest! {
    #[test]
    fn road_metres_match_an_independent_shortest_path((n, edges, from, to) in networks()) {
        let coords = (0..n).map(|i| Coord { x: 120.0 + i as f64 * 1e-3, y: 30.0 }).collect();
        let network = Network::from_parts(Profile::Drive, coords, edges.clone());
        let mut search = Search::new(&network);
        // A search left over from another target must not leak into this one.
        search.run(&network, &from, f64::INFINITY);
        let field = search.run(&network, &to, f64::INFINITY);
        let ours = between(&network, field, &from, &to);
        // A zone placed once measures the same, bit for bit.
        let (placed, _) =
            Departure::new(&network, &from).to(field, None, &Departure::new(&network, &to));
        prop_assert!(placed == ours || (placed.is_infinite() && ours.is_infinite()));
        match by_petgraph(n, &edges, &vec![1.0; edges.len()], &from, &to) {
            Some(theirs) => prop_assert!(
                (ours - theirs).abs() < 1e-3,
                "ours {} m, petgraph {} m", ours, theirs
            ),
            None => prop_assert!(ours.is_infinite(), "ours {} m, petgraph none", ours),
        }
    }

    #[test]
    fn travel_times_match_an_independent_shortest_path(
        (n, edges, from, to) in networks(),
        pick in prop::collection::vec(0usize..3, 30),
    ) {
        // Few speeds, so that neighbouring edges often share one and bends
        // join into chains, and often do not.
        let speeds: Vec<f64> = (0..edges.len()).map(|i| [30.0, 30.0, 60.0][pick[i]]).collect();
        let coords = (0..n).map(|i| Coord { x: 120.0 + i as f64 * 1e-3, y: 30.0 }).collect();
        let network = Network::timed(Profile::Drive, coords, edges.clone(), &speeds);
        let mut search = Search::new(&network);
        let field = search.run(&network, &to, f64::INFINITY).to_vec();
        let (cost, metres) = measure(&network, &field, Some(&search.len), &from, &to);
        match by_petgraph(n, &edges, &network.factor, &from, &to) {
            Some(theirs) => {
                prop_assert!((cost - theirs).abs() < 1e-3, "ours {} , petgraph {}", cost, theirs);
                // The fastest way is never shorter than the shortest one,
                // and costs at least its metres.
                let shortest = by_petgraph(n, &edges, &vec![1.0; edges.len()], &from, &to).unwrap();
                prop_assert!(metres >= shortest - 1e-3 && cost >= metres - 1e-3);
            }
            None => prop_assert!(cost.is_infinite(), "ours {}, petgraph none", cost),
        }
    }
}
