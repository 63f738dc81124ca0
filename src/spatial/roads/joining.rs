//! Vertices of different ways that lie within a metre of each other are
//! one node. Each new vertex asks for the nearest node placed so far within
//! that reach; a grid of cubes a few metres a side over the unit-sphere
//! vectors answers with one or a few hash look-ups, where an R-tree grown
//! one insertion at a time took most of the network's build (a fifth of
//! the demo's whole run).

use std::collections::HashMap;

/// The cube's side, in reaches: large enough that most reaches fall in one
/// cube, small enough that a cube holds few vertices.
const CELL_REACHES: f64 = 8.0;

/// Nodes placed so far, by cube.
pub(super) struct Joiner {
    reach2: f64,
    reach: f64,
    cell: f64,
    /// First point of each cube; the rest follow through `next`.
    first: HashMap<[i64; 3], u32>,
    next: Vec<u32>,
    points: Vec<([f64; 3], u32)>,
}

const END: u32 = u32::MAX;

impl Joiner {
    /// Joins points whose chord (on the unit sphere) is at most `reach`.
    pub fn new(reach: f64) -> Joiner {
        Joiner {
            reach2: reach * reach,
            reach,
            cell: reach * CELL_REACHES,
            first: HashMap::new(),
            next: Vec::new(),
            points: Vec::new(),
        }
    }

    /// The node nearest to `v` within reach (the lower number where two
    /// are as near), if any.
    pub fn near(&self, v: &[f64; 3]) -> Option<u32> {
        let span = |x: f64| {
            (
                ((x - self.reach) / self.cell).floor() as i64,
                ((x + self.reach) / self.cell).floor() as i64,
            )
        };
        let (sx, sy, sz) = (span(v[0]), span(v[1]), span(v[2]));
        let mut best: Option<(f64, u32)> = None;
        for i in sx.0..=sx.1 {
            for j in sy.0..=sy.1 {
                for k in sz.0..=sz.1 {
                    let mut p = self.first.get(&[i, j, k]).copied().unwrap_or(END);
                    while p != END {
                        let (w, node) = self.points[p as usize];
                        let d2 = (0..3).map(|a| (w[a] - v[a]).powi(2)).sum::<f64>();
                        if d2 <= self.reach2 && best.is_none_or(|b| (d2, node) < b) {
                            best = Some((d2, node));
                        }
                        p = self.next[p as usize];
                    }
                }
            }
        }
        best.map(|(_, node)| node)
    }

    /// Places `node` at `v`.
    pub fn insert(&mut self, v: [f64; 3], node: u32) {
        let cube = v.map(|x| (x / self.cell).floor() as i64);
        let p = self.points.len() as u32;
        self.points.push((v, node));
        let first = self.first.entry(cube).or_insert(END);
        self.next.push(*first);
        *first = p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_within_reach_across_cube_faces() {
        // Binary fractions, so that distances tie exactly: cubes are 2^-7
        // a side and 2^-4 lies on a face.
        let reach = 2f64.powi(-10);
        let face = 2f64.powi(-4);
        let step = 2f64.powi(-12);
        let mut j = Joiner::new(reach);
        j.insert([face + step, 0.0, 0.0], 0);
        j.insert([face - step, 0.0, 0.0], 1);
        assert_eq!(j.near(&[face, 0.0, 0.0]), Some(0), "a tie: the lower node");
        assert_eq!(j.near(&[face - 2.0 * step, 0.0, 0.0]), Some(1));
        assert_eq!(j.near(&[face + 3.0 * step, 0.0, 0.0]), Some(0));
        assert_eq!(j.near(&[face + 6.0 * step, 0.0, 0.0]), None);
        assert_eq!(j.near(&[-face, 0.0, 0.0]), None);
    }
}
