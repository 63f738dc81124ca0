//! Ball windows: the zones nearest a stray piece, whichever catchments they
//! lie in, re-solved exactly with the rest of each catchment held.
//!
//! A window of whole catchments (module `window`) frees every zone of a
//! few schools; on a tight map the seats a piece lacks are often spread
//! over more schools than such a window holds, a zone or two at each
//! border. A ball frees only the zones within a few hops of the piece, so
//! a window of the same size reaches more schools (on seed 125, balls of
//! 64 zones reach 10-19 schools; its whole-catchment windows, 11).
//! The part of each of their catchments outside the ball stays theirs,
//! contracted into fixed units (one per connected part), which the freed
//! zones must join to their school's root, so the model is still exactly
//! the connected model of those catchments: a plan found is connected
//! and within every seat limit. A school's pieces outside the ball stay
//! where they are, their children kept off its seats.
//!
//! Over 745 tight 300-zone maps, balls of 64 zones join every catchment of
//! five maps that whole-catchment windows of up to 112 zones, hunted for
//! seconds, left in pieces, and 23 of the 46 catchments left in all. A
//! ball with no plan proves nothing about the catchments' whole shapes,
//! so no proof is taken from it.

use std::collections::VecDeque;

use crate::plan::zone_moves::County;
use crate::solve::connected::ConnectedModel;
use crate::spatial::grow;

impl County<'_> {
    /// The `size` zones nearest `focus` by hops (ties in breadth-first
    /// order), in order; only zones with a school.
    pub(in crate::plan) fn ball(&self, focus: &[usize], size: usize) -> Vec<usize> {
        let mut queued = vec![false; self.zones.len()];
        let mut queue: VecDeque<usize> = focus.iter().copied().collect();
        for &z in focus {
            queued[z] = true;
        }
        let mut ball = Vec::with_capacity(size);
        while let Some(z) = queue.pop_front() {
            ball.push(z);
            if ball.len() >= size {
                break;
            }
            for &w in &self.neighbours[z] {
                let w = w as usize;
                if !queued[w] && self.school_of[w].is_some() {
                    queued[w] = true;
                    queue.push_back(w);
                }
            }
        }
        ball.sort_unstable();
        ball
    }

    /// The connected model of the ball's schools: the ball's zones first
    /// (free among the schools that may take them), then each connected
    /// part of a school's main piece outside the ball as one unit held by
    /// that school. Each school's seats are what the rest of the map leaves
    /// it, less its pieces outside the ball. Returns the model and the
    /// schools, in order.
    pub(in crate::plan) fn ball_model(&self, ball: &[usize]) -> (ConnectedModel, Vec<usize>) {
        let schools = self.schools_of(ball);
        let mut local = vec![u32::MAX; self.zones.len()];
        for (i, &z) in ball.iter().enumerate() {
            local[z] = i as u32;
        }
        let mut allowed: Vec<Vec<(u32, i64)>> = ball
            .iter()
            .map(|&z| {
                schools
                    .iter()
                    .enumerate()
                    .filter(|&(_, &t)| self.school_of[z] == Some(t as u32) || self.may_take(z, t))
                    .map(|(i, &t)| (i as u32, self.cost(z, t)))
                    .collect()
            })
            .collect();
        let mut demand: Vec<u32> = ball.iter().map(|&z| self.placed[z]).collect();
        let mut held: Vec<Vec<usize>> = Vec::new();
        for (i, &s) in schools.iter().enumerate() {
            for &z in &self.members[s] {
                let z = z as usize;
                if local[z] == u32::MAX && self.main[z] {
                    let part = self.held_part(z, s, (ball.len() + held.len()) as u32, &mut local);
                    demand.push(part.iter().map(|&z| self.placed[z]).sum());
                    // The cost of a held part is the same in every plan.
                    allowed.push(vec![(i as u32, 0)]);
                    held.push(part);
                }
            }
        }
        let neighbours = ball
            .iter()
            .map(std::slice::from_ref)
            .chain(held.iter().map(Vec::as_slice))
            .enumerate()
            .map(|(u, zones)| {
                let mut list: Vec<u32> = zones
                    .iter()
                    .flat_map(|&z| self.neighbours[z].iter())
                    .map(|&w| local[w as usize])
                    .filter(|&l| l != u32::MAX && l != u as u32)
                    .collect();
                list.sort_unstable();
                list.dedup();
                list
            })
            .collect();
        let root = schools
            .iter()
            .map(|&s| self.ball_root(s, &local, ball.len()))
            .collect();
        let seats = schools
            .iter()
            .map(|&s| {
                let away: i64 = self.members[s]
                    .iter()
                    .map(|&z| z as usize)
                    .filter(|&z| !self.main[z] && local[z] == u32::MAX)
                    .map(|z| self.placed[z] as i64)
                    .sum();
                self.alone(s) - away
            })
            .collect();
        let model = ConnectedModel {
            demand,
            allowed,
            neighbours,
            seats,
            root,
        };
        (model, schools)
    }

    /// The connected part of school `s`'s main piece outside the ball that
    /// holds `start`, each of its zones given the unit `unit` in `local`.
    fn held_part(&self, start: usize, s: usize, unit: u32, local: &mut [u32]) -> Vec<usize> {
        local[start] = unit;
        grow(start, &self.neighbours, |w| {
            let take = local[w] == u32::MAX && self.main[w] && self.school_of[w] == Some(s as u32);
            if take {
                local[w] = unit;
            }
            take
        })
    }

    /// School `s`'s root unit in a ball's model: its own zone, where the
    /// school holds it or (in the ball, the first `free` units) may take it.
    fn ball_root(&self, s: usize, local: &[u32], free: usize) -> Option<u32> {
        let h = self.home[s]? as usize;
        if local[h] == u32::MAX || self.home_locked(h, s) {
            return None;
        }
        let holds = self.school_of[h] == Some(s as u32);
        (holds || (local[h] as usize) < free && self.may_take(h, s)).then_some(local[h])
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::{TightParams, generate_tight};
    use crate::plan::zone_moves::CountyEdit;
    use crate::plan::{Preferences, allocate};
    use crate::policy::Policy;
    use crate::solve::Settings;
    use crate::solve::connected::Budgeted;
    use crate::solve::connected::search::{Search, search};
    use crate::spatial::{Adjacency, BarrierIndex, DEFAULT_TOLERANCE_M};

    /// On a tight map's distance-optimal plan (catchments in pieces), the ball
    /// around each piece counts each child of its schools once (their
    /// pieces outside it aside), holds the rest of each catchment for its
    /// school, and a plan of it joins the piece within every seat limit.
    #[test]
    fn a_ball_counts_each_child_once_and_its_plans_join_the_piece() {
        let region = generate_tight(&TightParams {
            seed: 125,
            zones: 300,
            schools: 37,
        });
        let policy = Policy::default();
        let preferences = Preferences {
            contiguous: false,
            ..Preferences::default()
        };
        let mut plan = allocate(&region, &policy, &Settings::default(), &preferences, &()).unwrap();
        let adjacency = Adjacency::build(&region.zones, DEFAULT_TOLERANCE_M);
        let barriers = BarrierIndex::new(&preferences.barriers);
        let edit = CountyEdit {
            region: &region,
            policy: &policy,
            adjacency: &adjacency,
            preferences: &preferences,
            barriers: &barriers,
            connected: true,
        };
        let [primary, _] = edit.apply(&mut plan, |county| {
            for s in 0..county.schools.len() {
                county.refresh(s);
            }
            let pieces = county.strays();
            let mut joined = 0;
            for piece in &pieces {
                let ball = county.ball(piece, 48);
                let (model, schools) = county.ball_model(&ball);
                let children: u32 = schools
                    .iter()
                    .flat_map(|&s| county.members[s].iter().map(|&z| z as usize))
                    .filter(|&z| county.main[z] || ball.binary_search(&z).is_ok())
                    .map(|z| county.placed[z])
                    .sum();
                assert_eq!(model.demand.iter().sum::<u32>(), children);
                assert!(model.allowed[ball.len()..].iter().all(|a| a.len() == 1));
                let Budgeted::Plan(found) = search(&model, Search::exact(3_000)) else {
                    continue;
                };
                model.check(&found.school).unwrap();
                let mut after = county.clone();
                after.apply_window(&ball, &schools, &found.school);
                assert!(!after.still_stray(piece), "piece {piece:?} still apart");
                assert!(schools.iter().all(|&s| after.room(s) >= 0));
                joined += 1;
            }
            (pieces.len(), joined)
        });
        let (pieces, joined) = primary[0];
        assert!(joined > 0, "no ball joined any of {pieces} pieces");
    }
}
