//! Connected catchments: every school's catchment one piece of land around
//! the school, unless the map makes that impossible.
//!
//! The distance-optimal plan leaves stray pieces where seats run short: a few
//! compounds sent across another catchment to a school with room. Strays are
//! handed, whole, to a neighbouring catchment with room (the cheapest such
//! move first); where no neighbour has room for a whole piece, its zones go
//! one by one from the edge inwards. Zones without children move freely.
//! A local search then moves boundary zones to neighbouring catchments
//! wherever that shortens trips without breaking any catchment apart. The
//! relaxation bound stays the yardstick, so the price of contiguity shows in
//! the gap.

use std::collections::VecDeque;

use geo::{BoundingRect, Contains};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::{Plan, ZonePlan};
use crate::model::{LockKind, Region, Shape, Stage};
use crate::policy::{Policy, Seats};
use crate::spatial::{Adjacency, metres_of_chord2, unit_vector};

/// What contiguity could not be reached for, per stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContiguityReport {
    /// Stray pieces found in the distance-optimal plan.
    pub strays_before: usize,
    /// Zones moved to make catchments connected or shorter.
    pub zones_moved: usize,
    /// Catchments still in more than one piece, with the zones outside the
    /// school's piece and why.
    pub broken: Vec<Broken>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    pub school: usize,
    pub zones: Vec<usize>,
    pub reason: String,
}

/// Shared state of one stage.
struct Catchments<'a> {
    region: &'a Region,
    adjacency: &'a Adjacency,
    stage: Stage,
    school_of: Vec<Option<u32>>,
    placed: Vec<u32>,
    /// Zones whose school an officer fixed.
    pinned: Vec<bool>,
    forbidden: std::collections::HashSet<(usize, usize)>,
    load: Vec<i64>,
    /// Pupils of the school in all stages after this intake.
    total: Vec<i64>,
    stage_cap: Vec<i64>,
    school_cap: Vec<i64>,
    home: Vec<Option<usize>>,
    max_m: Option<f64>,
    stability_m: i64,
    /// Unit vectors of zone centroids and schools, computed once.
    zone_at: Vec<[f64; 3]>,
    school_at: Vec<[f64; 3]>,
    /// Scratch marks for walks: a zone is seen when its mark equals the
    /// current epoch, so a walk needs no clearing.
    marks: std::cell::RefCell<(Vec<u32>, u32)>,
}

impl Catchments<'_> {
    fn room(&self, s: usize) -> i64 {
        (self.stage_cap[s] - self.load[s]).min(self.school_cap[s] - self.total[s])
    }

    fn may_take(&self, z: usize, s: usize) -> bool {
        !self.pinned[z]
            && !self.forbidden.contains(&(z, s))
            && self.region.schools[s].takes_catchment(self.stage)
            && self.region.schools[s].county == self.region.zones[z].county
            && (self.placed[z] == 0 || self.max_m.is_none_or(|m| self.metres(z, s) as f64 <= m))
    }

    fn metres(&self, z: usize, s: usize) -> i64 {
        let (a, b) = (self.zone_at[z], self.school_at[s]);
        metres_of_chord2((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))
    }

    /// Cost per child as the allocation counts it: travel plus the
    /// stability weight away from today's school.
    fn cost(&self, z: usize, s: usize) -> i64 {
        let today = self.region.zones[z].current[self.stage.index()];
        self.metres(z, s)
            + if today.is_some_and(|t| t != s) {
                self.stability_m
            } else {
                0
            }
    }

    fn move_zone(&mut self, z: usize, to: usize) {
        let q = self.placed[z] as i64;
        if let Some(from) = self.school_of[z] {
            self.load[from as usize] -= q;
            self.total[from as usize] -= q;
        }
        self.load[to] += q;
        self.total[to] += q;
        self.school_of[z] = Some(to as u32);
    }

    /// Pieces of each school's catchment: returns, per zone, whether it lies
    /// in its school's main piece (the one holding the school's home zone,
    /// or else the largest).
    fn main_pieces(&self) -> Vec<bool> {
        let n = self.region.zones.len();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); self.region.schools.len()];
        for z in 0..n {
            if let Some(s) = self.school_of[z] {
                members[s as usize].push(z as u32);
            }
        }
        let mut main = vec![false; n];
        for (s, zones) in members.iter().enumerate() {
            if zones.is_empty() {
                continue;
            }
            let labels = self.adjacency.components_of(zones);
            let pieces = labels.iter().copied().max().unwrap_or(0) as usize + 1;
            let chosen =
                match self.home[s].and_then(|h| zones.iter().position(|&z| z as usize == h)) {
                    Some(i) => labels[i],
                    None => {
                        let mut size = vec![0usize; pieces];
                        for &l in &labels {
                            size[l as usize] += 1;
                        }
                        (0..pieces)
                            .max_by_key(|&p| (size[p], std::cmp::Reverse(p)))
                            .unwrap_or(0) as u32
                    }
                };
            for (i, &z) in zones.iter().enumerate() {
                main[z as usize] = labels[i] == chosen;
            }
        }
        main
    }

    /// Stray pieces: connected groups of zones outside their school's main
    /// piece, in zone order.
    fn strays(&self, main: &[bool]) -> Vec<Vec<usize>> {
        let n = self.region.zones.len();
        let mut seen = vec![false; n];
        let mut pieces = Vec::new();
        for start in 0..n {
            if seen[start] || main[start] || self.school_of[start].is_none() {
                continue;
            }
            let s = self.school_of[start];
            let mut piece = vec![start];
            seen[start] = true;
            let mut i = 0;
            while i < piece.len() {
                let z = piece[i];
                i += 1;
                for &w in self.adjacency.neighbours(z) {
                    let w = w as usize;
                    if !seen[w] && !main[w] && self.school_of[w] == s {
                        seen[w] = true;
                        piece.push(w);
                    }
                }
            }
            piece.sort_unstable();
            pieces.push(piece);
        }
        pieces
    }

    /// Hands a stray piece to a neighbouring main piece with room: the whole
    /// piece where possible (cheapest first), else edge zones one by one.
    fn resolve(&mut self, piece: &[usize], main: &[bool]) -> bool {
        let from = self.school_of[piece[0]].expect("assigned") as usize;
        let mut receivers: Vec<usize> = piece
            .iter()
            .flat_map(|&z| self.adjacency.neighbours(z).iter())
            .filter(|&&w| main[w as usize])
            .filter_map(|&w| self.school_of[w as usize].map(|s| s as usize))
            .filter(|&r| r != from)
            .collect();
        receivers.sort_unstable();
        receivers.dedup();
        let demand: i64 = piece.iter().map(|&z| self.placed[z] as i64).sum();
        let whole = receivers
            .iter()
            .copied()
            .filter(|&r| self.room(r) >= demand && piece.iter().all(|&z| self.may_take(z, r)))
            .min_by_key(|&r| {
                let delta: i64 = piece
                    .iter()
                    .map(|&z| self.placed[z] as i64 * (self.cost(z, r) - self.cost(z, from)))
                    .sum();
                (delta, r)
            });
        if let Some(r) = whole {
            for &z in piece {
                self.move_zone(z, r);
            }
            return true;
        }
        // One zone at the edge of the piece, to the neighbour that has room
        // for it, cheapest first.
        let mut best: Option<(i64, usize, usize)> = None;
        for &z in piece {
            for &w in self.adjacency.neighbours(z) {
                let w = w as usize;
                let Some(r) = self.school_of[w].map(|s| s as usize) else {
                    continue;
                };
                if !main[w]
                    || r == from
                    || self.room(r) < self.placed[z] as i64
                    || !self.may_take(z, r)
                {
                    continue;
                }
                let delta = self.placed[z] as i64 * (self.cost(z, r) - self.cost(z, from));
                if best.is_none_or(|b| (delta, z, r) < b) {
                    best = Some((delta, z, r));
                }
            }
        }
        match best {
            Some((_, z, r)) => {
                self.move_zone(z, r);
                true
            }
            None => false,
        }
    }

    /// Hands a stray piece to the neighbouring catchment where it costs
    /// least, even one without room, and then makes room there by passing
    /// boundary zones on along a chain of catchments to one with seats
    /// left. Undone entirely if no such chain exists.
    fn resolve_by_chain(&mut self, piece: &[usize], main: &mut Vec<bool>) -> bool {
        let from = self.school_of[piece[0]].expect("assigned") as usize;
        let mut receivers: Vec<(i64, usize)> = piece
            .iter()
            .flat_map(|&z| self.adjacency.neighbours(z).iter())
            .filter(|&&w| main[w as usize])
            .filter_map(|&w| self.school_of[w as usize].map(|s| s as usize))
            .filter(|&r| r != from && piece.iter().all(|&z| self.may_take(z, r)))
            .map(|r| {
                let delta: i64 = piece
                    .iter()
                    .map(|&z| self.placed[z] as i64 * (self.cost(z, r) - self.cost(z, from)))
                    .sum();
                (delta, r)
            })
            .collect();
        receivers.sort_unstable();
        receivers.dedup();
        for &(_, r) in receivers.iter().take(3) {
            let mut journal: Vec<(usize, usize)> = Vec::new();
            for &z in piece {
                journal.push((z, from));
                self.move_zone(z, r);
                main[z] = true;
            }
            if self.relieve(r, main, &mut journal) {
                return true;
            }
            for &(z, back) in journal.iter().rev() {
                self.move_zone(z, back);
            }
            *main = self.main_pieces();
        }
        false
    }

    /// Brings school `r` back within its seats by chains of boundary moves
    /// towards catchments with room; records every move in `journal`.
    fn relieve(&mut self, r: usize, main: &mut [bool], journal: &mut Vec<(usize, usize)>) -> bool {
        let mut budget = 64;
        while self.room(r) < 0 || self.over_anywhere(journal) {
            if budget == 0 {
                return false;
            }
            budget -= 1;
            let over = if self.room(r) < 0 {
                r
            } else {
                match self.first_over(journal) {
                    Some(s) => s,
                    None => return true,
                }
            };
            let Some(path) = self.chain_from(over, main) else {
                return false;
            };
            for (z, to) in path {
                journal.push((z, self.school_of[z].expect("assigned") as usize));
                self.move_zone(z, to);
                main[z] = true;
            }
        }
        true
    }

    /// Schools touched by the journal that are over their seats.
    fn first_over(&self, journal: &[(usize, usize)]) -> Option<usize> {
        journal
            .iter()
            .flat_map(|&(z, s)| [s, self.school_of[z].expect("assigned") as usize])
            .find(|&s| self.room(s) < 0)
    }

    fn over_anywhere(&self, journal: &[(usize, usize)]) -> bool {
        self.first_over(journal).is_some()
    }

    /// The cheapest chain of boundary moves from school `start` to a school
    /// with room, breadth first over catchments: each step moves one zone
    /// with children from the edge of one catchment's main piece into the
    /// adjacent main piece of the next, without splitting the first.
    fn chain_from(&self, start: usize, main: &[bool]) -> Option<Vec<(usize, usize)>> {
        let n = self.region.schools.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
        for z in 0..self.region.zones.len() {
            if main[z]
                && let Some(s) = self.school_of[z]
            {
                members[s as usize].push(z);
            }
        }
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut visited = vec![false; n];
        visited[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(t) = queue.pop_front() {
            let mut edges: Vec<(i64, usize, usize)> = Vec::new();
            for &z in &members[t] {
                if self.placed[z] == 0 || self.pinned[z] || self.home[t] == Some(z) {
                    continue;
                }
                for &w in self.adjacency.neighbours(z) {
                    let w = w as usize;
                    let Some(u) = self.school_of[w].map(|s| s as usize) else {
                        continue;
                    };
                    if u == t || visited[u] || !main[w] || !self.may_take(z, u) {
                        continue;
                    }
                    let delta = self.placed[z] as i64 * (self.cost(z, u) - self.cost(z, t));
                    edges.push((delta, z, u));
                }
            }
            edges.sort_unstable();
            edges.dedup();
            for (_, z, u) in edges {
                if visited[u] || !self.stays_connected_without(z, t as u32) {
                    continue;
                }
                visited[u] = true;
                parent[u] = Some((t, z));
                if self.room(u) >= self.placed[z] as i64 {
                    // Walk back to the start: moves listed from the end of
                    // the chain, so each receives before it gives.
                    let mut path = Vec::new();
                    let mut v = u;
                    while let Some((p, z)) = parent[v] {
                        path.push((z, v));
                        v = p;
                    }
                    return Some(path);
                }
                queue.push_back(u);
            }
        }
        None
    }

    /// Whether school `s` stays in one piece without zone `z` (a breadth-
    /// first walk from one of `z`'s neighbours in `s` must reach the others).
    fn stays_connected_without(&self, z: usize, s: u32) -> bool {
        let same: Vec<usize> = self
            .adjacency
            .neighbours(z)
            .iter()
            .map(|&w| w as usize)
            .filter(|&w| self.school_of[w] == Some(s))
            .collect();
        if same.len() <= 1 {
            return true;
        }
        let mut marks = self.marks.borrow_mut();
        let (mark, epoch) = &mut *marks;
        *epoch = epoch.wrapping_add(1);
        if *epoch == 0 {
            mark.fill(0);
            *epoch = 1;
        }
        let epoch = *epoch;
        mark[z] = epoch;
        mark[same[0]] = epoch;
        let mut queue = VecDeque::from([same[0]]);
        let mut found = 1;
        while let Some(v) = queue.pop_front() {
            for &w in self.adjacency.neighbours(v) {
                let w = w as usize;
                if self.school_of[w] == Some(s) && mark[w] != epoch {
                    mark[w] = epoch;
                    if same.contains(&w) {
                        found += 1;
                        if found == same.len() {
                            return true;
                        }
                    }
                    queue.push_back(w);
                }
            }
        }
        false
    }

    /// Boundary moves that shorten trips and keep every catchment whole.
    fn polish(&mut self) -> usize {
        let mut moves = 0;
        for _ in 0..20 {
            let mut improved = false;
            for z in 0..self.region.zones.len() {
                let Some(s) = self.school_of[z] else { continue };
                if self.placed[z] == 0 || self.home[s as usize] == Some(z) || self.pinned[z] {
                    continue;
                }
                let here = self.cost(z, s as usize);
                let mut best: Option<(i64, usize)> = None;
                for &w in self.adjacency.neighbours(z) {
                    let Some(r) = self.school_of[w as usize] else {
                        continue;
                    };
                    if r == s {
                        continue;
                    }
                    let r = r as usize;
                    let delta = self.cost(z, r) - here;
                    if delta < 0
                        && self.room(r) >= self.placed[z] as i64
                        && self.may_take(z, r)
                        && best.is_none_or(|b| (delta, r) < b)
                    {
                        best = Some((delta, r));
                    }
                }
                if let Some((_, r)) = best
                    && self.stays_connected_without(z, s)
                {
                    self.move_zone(z, r);
                    moves += 1;
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
        moves
    }
}

/// The zone each school stands in (or, where it stands in none, the zone
/// nearest to it): the seed of its catchment.
pub fn home_zones(region: &Region) -> Vec<Option<usize>> {
    type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;
    let boxes: Vec<Entry> = region
        .zones
        .iter()
        .enumerate()
        .filter_map(|(z, zone)| match &zone.shape {
            Shape::Area(mp) => mp.bounding_rect().map(|r| {
                GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    z,
                )
            }),
            Shape::Point(_) => None,
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let centroids = RTree::bulk_load(
        region
            .zones
            .iter()
            .enumerate()
            .map(|(z, zone)| GeomWithData::new(unit_vector(zone.centroid), z))
            .collect(),
    );
    region
        .schools
        .iter()
        .map(|school| {
            let p = school.location;
            let inside = tree
                .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
                .map(|e| e.data)
                .filter(|&z| match &region.zones[z].shape {
                    Shape::Area(mp) => mp.contains(&p),
                    Shape::Point(_) => false,
                })
                .min();
            inside.or_else(|| centroids.nearest_neighbor(&unit_vector(p)).map(|e| e.data))
        })
        .collect()
}

/// Makes the catchments of a plan connected where the map allows, and
/// returns what it did and what it could not do. Distances, quality and
/// labels of the plan are updated by the caller from the zone plans.
pub fn make_contiguous(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &super::Preferences,
) -> [ContiguityReport; 2] {
    let locks = &preferences.locks;
    let stability_m = (preferences.stability_km * 1000.0).round() as i64;
    let homes = home_zones(region);
    let seats: Vec<Seats> = plan.seats.clone();
    let mut totals: Vec<i64> = region
        .schools
        .iter()
        .map(|s| s.continuing() as i64)
        .collect();
    for stage in Stage::ALL {
        for zp in &plan.stage(stage).zones {
            if let Some(s) = zp.school {
                totals[s as usize] += zp.placed as i64;
            }
        }
    }
    let mut reports: [ContiguityReport; 2] = Default::default();
    for stage in Stage::ALL {
        let zones = &plan.stages[stage.index()].zones;
        let mut home: Vec<Option<usize>> = homes.clone();
        for (s, h) in home.iter_mut().enumerate() {
            if !region.schools[s].takes_catchment(stage) {
                *h = None;
            }
        }
        let mut load = vec![0i64; region.schools.len()];
        for zp in zones {
            if let Some(s) = zp.school {
                load[s as usize] += zp.placed as i64;
            }
        }
        let mut state = Catchments {
            region,
            adjacency,
            stage,
            school_of: zones.iter().map(|zp| zp.school).collect(),
            placed: zones.iter().map(|zp| zp.placed).collect(),
            pinned: vec![false; region.zones.len()],
            forbidden: Default::default(),
            load,
            total: std::mem::take(&mut totals),
            stage_cap: seats
                .iter()
                .map(|s| s.stage[stage.index()].map_or(i64::MAX / 4, |c| c as i64))
                .collect(),
            school_cap: seats.iter().map(|s| s.school as i64).collect(),
            home,
            max_m: policy.stage(stage).max_km.map(|km| km * 1000.0),
            stability_m,
            zone_at: region
                .zones
                .iter()
                .map(|z| unit_vector(z.centroid))
                .collect(),
            school_at: region
                .schools
                .iter()
                .map(|s| unit_vector(s.location))
                .collect(),
            marks: std::cell::RefCell::new((vec![0; region.zones.len()], 0)),
        };
        for l in locks.iter().filter(|l| l.stage == stage) {
            match l.kind {
                LockKind::Pin => state.pinned[l.zone] = true,
                LockKind::Forbid => {
                    state.forbidden.insert((l.zone, l.school));
                }
            }
        }
        let mut report = ContiguityReport::default();
        let mut rounds = 0;
        loop {
            let main = state.main_pieces();
            let strays = state.strays(&main);
            if rounds == 0 {
                report.strays_before = strays.len();
            }
            rounds += 1;
            let mut progress = false;
            for piece in &strays {
                let mut main = state.main_pieces();
                if !piece.iter().all(|&z| !main[z]) {
                    continue;
                }
                if state.resolve(piece, &main) || state.resolve_by_chain(piece, &mut main) {
                    progress = true;
                    report.zones_moved += 1;
                }
            }
            if !progress || rounds > 200 {
                break;
            }
        }
        report.zones_moved += state.polish();
        let main = state.main_pieces();
        for piece in state.strays(&main) {
            let school = state.school_of[piece[0]].expect("assigned") as usize;
            let reason = if piece.iter().any(|&z| state.pinned[z]) {
                "pinned by a lock".to_string()
            } else if piece.iter().all(|&z| {
                state
                    .adjacency
                    .neighbours(z)
                    .iter()
                    .all(|&w| piece.contains(&(w as usize)))
            }) {
                "an island: no neighbouring zone".to_string()
            } else {
                "no neighbouring catchment has seats for it".to_string()
            };
            report.broken.push(Broken {
                school,
                zones: piece,
                reason,
            });
        }
        // Write the moves back into the plan; school totals carry over to
        // the next stage (nine-year schools share them).
        let moved: Vec<(usize, usize, i64)> = (0..region.zones.len())
            .filter(|&z| plan.stages[stage.index()].zones[z].school != state.school_of[z])
            .map(|z| {
                let s = state.school_of[z].expect("moves keep a school") as usize;
                (z, s, state.metres(z, s))
            })
            .collect();
        totals = state.total;
        let zones = &mut plan.stages[stage.index()].zones;
        for (z, s, metres) in moved {
            zones[z] = ZonePlan {
                school: Some(s as u32),
                metres: Some(metres),
                ..zones[z].clone()
            };
        }
        reports[stage.index()] = report;
    }
    reports
}
