//! Connected catchments: every school's catchment one piece of land around
//! the school, unless the map makes that impossible.
//!
//! The distance-optimal plan leaves stray pieces where seats run short: a few
//! compounds sent across another catchment to a school with room. Strays are
//! handed, whole, to a neighbouring catchment with room (the cheapest such
//! move first); where no neighbour has room, the piece goes to the cheapest
//! neighbour anyway and room is made there by passing boundary zones on along
//! a chain of catchments to one with seats left; failing that, its zones go
//! one by one from the edge. Zones without children move freely.
//!
//! A school's own zone (where it stands) is the root of its catchment: it
//! is given to the school first, unless a lock forbids it. Where seats are
//! tight (a few per cent above the children, zones large), the moves above
//! may find no room; then every piece is joined to its cheapest neighbour
//! whatever its seats, and a tabu search moves boundary zones out of the
//! schools over their seats, one catchment to the next, never breaking one
//! apart, until every school fits. Only what that cannot fix is left in
//! pieces, with the proof where there is one (an area of the map whose
//! children exceed the seats of the schools standing in it, a lock).
//!
//! A local search then moves boundary zones to neighbouring catchments
//! wherever that shortens trips without breaking any catchment apart. The
//! relaxation bound stays the yardstick, so the price of contiguity shows
//! in the gap.
//!
//! Counties never share a catchment, so each county is repaired on its own,
//! in parallel, with local indices; each catchment remembers its main piece
//! and only the catchments a move touches are looked at again.

use std::collections::{BTreeMap, VecDeque};

use geo::{BoundingRect, Contains};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::figures::split_placed;
use super::{Plan, Preferences, ZonePlan};
use crate::model::{LockKind, Region, Shape, Stage};
use crate::policy::Policy;
use crate::spatial::{Adjacency, BarrierIndex, metres_of_chord2, unit_vector};

/// What making catchments connected did for one stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContiguityReport {
    /// Stray pieces found in the distance-optimal plan.
    pub strays_before: usize,
    /// Zones moved to make catchments connected or shorter.
    pub zones_moved: usize,
    /// Catchments still in more than one piece, with the zones outside the
    /// school's piece and why.
    pub broken: Vec<Broken>,
    /// Schools of the stage with an own zone (the root of the catchment).
    pub own_zones: usize,
    /// Own zones in their school's catchment after the repair.
    pub own_zones_kept: usize,
    /// Own zones a lock keeps out of their school's catchment.
    pub own_zones_locked: usize,
    /// Own zones shared with another school of the stage (the first one in
    /// input order keeps it).
    pub own_zones_shared: usize,
    /// Own zones not kept because their children alone exceed the school's
    /// seats, or no plan keeping them within every limit was found.
    pub own_zones_not_fitting: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    pub school: usize,
    pub zones: Vec<usize>,
    pub reason: String,
    /// Whether the reason proves that no connected plan can hold the piece
    /// (a lock, an island, an area with more children than seats).
    pub certified: bool,
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
        .par_iter()
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

/// One county's catchments of one stage, in local indices: zone `i` is
/// `zones[i]` of the region, school `j` is `schools[j]`.
pub(super) struct County<'a> {
    pub(super) stage: Stage,
    pub(super) barriers: &'a BarrierIndex,
    /// The region's distances (by road where it has roads).
    pub(super) distances: &'a crate::spatial::Distances,
    pub(super) zone_point: Vec<geo::Point<f64>>,
    pub(super) school_point: Vec<geo::Point<f64>>,
    pub(super) barrier_m: i64,
    pub(super) zones: Vec<usize>,
    pub(super) schools: Vec<usize>,
    /// Neighbours within the county, local.
    pub(super) neighbours: Vec<Vec<u32>>,
    pub(super) school_of: Vec<Option<u32>>,
    pub(super) placed: Vec<u32>,
    pub(super) pinned: Vec<bool>,
    /// Forbidden (zone, school) pairs, local.
    pub(super) forbidden: std::collections::HashSet<(u32, u32)>,
    pub(super) load: Vec<i64>,
    pub(super) total: Vec<i64>,
    pub(super) stage_cap: Vec<i64>,
    pub(super) school_cap: Vec<i64>,
    pub(super) home: Vec<Option<u32>>,
    pub(super) takes: Vec<bool>,
    pub(super) max_m: Option<f64>,
    pub(super) stability_m: i64,
    /// Metres of travel one edge of catchment boundary is worth.
    pub(super) compactness_m: i64,
    /// Metres of child travel one more entry class is worth, and the size
    /// of a class.
    pub(super) class_cost_m: i64,
    pub(super) class_limit: i64,
    pub(super) today: Vec<Option<u32>>,
    /// Migrant children placed per zone (local children are admitted
    /// first), per school, and each school's band of migrant share.
    pub(super) migrant: Vec<u32>,
    pub(super) migrant_load: Vec<i64>,
    pub(super) band: Vec<(f64, f64)>,
    /// Whether moves must keep every catchment in one piece.
    pub(super) connected: bool,
    pub(super) zone_at: Vec<[f64; 3]>,
    pub(super) school_at: Vec<[f64; 3]>,
    pub(super) members: Vec<Vec<u32>>,
    /// Whether a zone lies in its school's main piece.
    pub(super) main: Vec<bool>,
    pub(super) mark: Vec<u32>,
    pub(super) epoch: u32,
}

impl County<'_> {
    pub(super) fn metres(&self, z: usize, s: usize) -> i64 {
        if self.distances.road().is_some() {
            return self
                .distances
                .metres(self.zone_point[z], self.school_point[s]);
        }
        let (a, b) = (self.zone_at[z], self.school_at[s]);
        metres_of_chord2((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))
    }

    /// Cost per child as the allocation counts it: travel plus the
    /// stability weight away from today's school.
    pub(super) fn cost(&self, z: usize, s: usize) -> i64 {
        let moved = self.today[z].is_some_and(|t| t as usize != s);
        let crosses = !self.barriers.is_empty()
            && self
                .barriers
                .crossed(self.zone_point[z], self.school_point[s])
                .is_some();
        self.metres(z, s)
            + if moved { self.stability_m } else { 0 }
            + if crosses { self.barrier_m } else { 0 }
    }

    pub(super) fn room(&self, s: usize) -> i64 {
        (self.stage_cap[s] - self.load[s]).min(self.school_cap[s] - self.total[s])
    }

    pub(super) fn may_take(&self, z: usize, s: usize) -> bool {
        !self.pinned[z]
            && self.takes[s]
            && !self.forbidden.contains(&(z as u32, s as u32))
            && (self.placed[z] == 0 || self.max_m.is_none_or(|m| self.metres(z, s) as f64 <= m))
    }

    fn next_epoch(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.fill(0);
            self.epoch = 1;
        }
        self.epoch
    }

    pub(super) fn move_zone(&mut self, z: usize, to: usize) {
        let q = self.placed[z] as i64;
        let m = self.migrant[z] as i64;
        if let Some(from) = self.school_of[z] {
            let from = from as usize;
            self.load[from] -= q;
            self.total[from] -= q;
            self.migrant_load[from] -= m;
            let list = &mut self.members[from];
            if let Some(i) = list.iter().position(|&m| m as usize == z) {
                list.swap_remove(i);
            }
        }
        self.load[to] += q;
        self.total[to] += q;
        self.migrant_load[to] += m;
        self.members[to].push(z as u32);
        self.school_of[z] = Some(to as u32);
    }

    /// Recomputes which of school `s`'s zones form its main piece: the one
    /// holding its home zone, or else the largest.
    pub(super) fn refresh(&mut self, s: usize) {
        let members = std::mem::take(&mut self.members[s]);
        for &z in &members {
            self.main[z as usize] = false;
        }
        let start = match self.home[s].filter(|&h| self.school_of[h as usize] == Some(s as u32)) {
            Some(h) => Some(h),
            None => self.largest_piece_seed(s, &members),
        };
        if let Some(start) = start {
            let epoch = self.next_epoch();
            self.mark[start as usize] = epoch;
            self.main[start as usize] = true;
            let mut queue = VecDeque::from([start as usize]);
            while let Some(v) = queue.pop_front() {
                for i in 0..self.neighbours[v].len() {
                    let w = self.neighbours[v][i] as usize;
                    if self.school_of[w] == Some(s as u32) && self.mark[w] != epoch {
                        self.mark[w] = epoch;
                        self.main[w] = true;
                        queue.push_back(w);
                    }
                }
            }
        }
        self.members[s] = members;
    }

    /// A zone of the largest piece of `s` (lowest index among equals).
    fn largest_piece_seed(&mut self, s: usize, members: &[u32]) -> Option<u32> {
        let epoch = self.next_epoch();
        let mut best: Option<(usize, u32)> = None;
        let mut sorted = members.to_vec();
        sorted.sort_unstable();
        for &start in &sorted {
            if self.mark[start as usize] == epoch {
                continue;
            }
            self.mark[start as usize] = epoch;
            let mut size = 0;
            let mut queue = VecDeque::from([start as usize]);
            while let Some(v) = queue.pop_front() {
                size += 1;
                for &w in &self.neighbours[v] {
                    let w = w as usize;
                    if self.school_of[w] == Some(s as u32) && self.mark[w] != epoch {
                        self.mark[w] = epoch;
                        queue.push_back(w);
                    }
                }
            }
            if best.is_none_or(|(b, _)| size > b) {
                best = Some((size, start));
            }
        }
        best.map(|(_, z)| z)
    }

    /// Stray pieces: connected groups of zones outside their school's main
    /// piece, in zone order.
    pub(super) fn strays(&mut self) -> Vec<Vec<usize>> {
        let n = self.zones.len();
        let epoch = self.next_epoch();
        let mut pieces = Vec::new();
        for start in 0..n {
            if self.mark[start] == epoch || self.main[start] || self.school_of[start].is_none() {
                continue;
            }
            let s = self.school_of[start];
            let mut piece = vec![start];
            self.mark[start] = epoch;
            let mut i = 0;
            while i < piece.len() {
                let z = piece[i];
                i += 1;
                for &w in &self.neighbours[z] {
                    let w = w as usize;
                    if self.mark[w] != epoch && !self.main[w] && self.school_of[w] == s {
                        self.mark[w] = epoch;
                        piece.push(w);
                    }
                }
            }
            piece.sort_unstable();
            pieces.push(piece);
        }
        pieces
    }

    /// Whether a piece is still a stray of one school.
    pub(super) fn still_stray(&self, piece: &[usize]) -> bool {
        let s = self.school_of[piece[0]];
        piece
            .iter()
            .all(|&z| !self.main[z] && self.school_of[z] == s)
    }

    /// Schools whose main piece borders the piece, each with what moving the
    /// whole piece there would cost, cheapest first.
    pub(super) fn receivers(&self, piece: &[usize]) -> Vec<(i64, usize)> {
        let from = self.school_of[piece[0]].expect("assigned") as usize;
        let mut schools: Vec<usize> = piece
            .iter()
            .flat_map(|&z| self.neighbours[z].iter())
            .filter(|&&w| self.main[w as usize])
            .filter_map(|&w| self.school_of[w as usize].map(|s| s as usize))
            .filter(|&r| r != from)
            .collect();
        schools.sort_unstable();
        schools.dedup();
        let mut out: Vec<(i64, usize)> = schools
            .into_iter()
            .filter(|&r| piece.iter().all(|&z| self.may_take(z, r)))
            .map(|r| {
                let delta = piece
                    .iter()
                    .map(|&z| self.placed[z] as i64 * (self.cost(z, r) - self.cost(z, from)))
                    .sum();
                (delta, r)
            })
            .collect();
        out.sort_unstable();
        out
    }

    pub(super) fn move_piece(
        &mut self,
        piece: &[usize],
        to: usize,
        journal: &mut Vec<(usize, usize)>,
    ) {
        let from = self.school_of[piece[0]].expect("assigned") as usize;
        for &z in piece {
            journal.push((z, from));
            self.move_zone(z, to);
        }
        self.refresh(from);
        self.refresh(to);
    }

    pub(super) fn undo(&mut self, journal: &[(usize, usize)]) {
        let mut touched = Vec::new();
        for &(z, back) in journal.iter().rev() {
            touched.push(self.school_of[z].expect("assigned") as usize);
            touched.push(back);
            self.move_zone(z, back);
        }
        touched.sort_unstable();
        touched.dedup();
        for s in touched {
            self.refresh(s);
        }
    }

    /// Joins a stray piece to a neighbouring catchment; true on success.
    fn resolve(&mut self, piece: &[usize]) -> bool {
        let receivers = self.receivers(piece);
        let demand: i64 = piece.iter().map(|&z| self.placed[z] as i64).sum();
        let mut journal = Vec::new();
        if let Some(&(_, r)) = receivers.iter().find(|&&(_, r)| self.room(r) >= demand) {
            self.move_piece(piece, r, &mut journal);
            return true;
        }
        for &(_, r) in receivers.iter().take(3) {
            journal.clear();
            self.move_piece(piece, r, &mut journal);
            if self.relieve(r, &mut journal) {
                return true;
            }
            self.undo(&journal);
        }
        // One zone from the edge of the piece, to the cheapest neighbour
        // with room for it.
        let from = self.school_of[piece[0]].expect("assigned") as usize;
        let mut best: Option<(i64, usize, usize)> = None;
        for &z in piece {
            for &w in &self.neighbours[z] {
                let w = w as usize;
                let Some(r) = self.school_of[w].map(|s| s as usize) else {
                    continue;
                };
                if !self.main[w]
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
                journal.clear();
                self.move_piece(&[z], r, &mut journal);
                true
            }
            None => false,
        }
    }

    /// Brings school `r` (and every school a chain touches) back within its
    /// seats by chains of boundary moves towards catchments with room.
    fn relieve(&mut self, r: usize, journal: &mut Vec<(usize, usize)>) -> bool {
        for _ in 0..64 {
            let over = if self.room(r) < 0 {
                Some(r)
            } else {
                journal
                    .iter()
                    .flat_map(|&(z, s)| [s, self.school_of[z].expect("assigned") as usize])
                    .find(|&s| self.room(s) < 0)
            };
            let Some(over) = over else { return true };
            let Some(path) = self.chain_from(over) else {
                return false;
            };
            for (z, to) in path {
                let from = self.school_of[z].expect("assigned") as usize;
                journal.push((z, from));
                self.move_zone(z, to);
                self.refresh(from);
                self.refresh(to);
            }
        }
        false
    }

    /// Classes opened in all (both schools) if zone `z` moves from `from`
    /// to `to`: negative when the move empties a nearly empty class.
    fn classes_change(&self, z: usize, from: usize, to: usize) -> i64 {
        if self.class_cost_m == 0 {
            return 0;
        }
        let q = self.placed[z] as i64;
        let classes = |load: i64| (load + self.class_limit - 1).div_euclid(self.class_limit);
        classes(self.load[from] - q) - classes(self.load[from]) + classes(self.load[to] + q)
            - classes(self.load[to])
    }

    /// Whether school `s` stays in one piece without zone `z`.
    pub(super) fn stays_connected_without(&mut self, z: usize, s: u32) -> bool {
        let same: Vec<usize> = self.neighbours[z]
            .iter()
            .map(|&w| w as usize)
            .filter(|&w| self.school_of[w] == Some(s))
            .collect();
        if same.len() <= 1 {
            return true;
        }
        let epoch = self.next_epoch();
        self.mark[z] = epoch;
        self.mark[same[0]] = epoch;
        let mut queue = VecDeque::from([same[0]]);
        let mut found = 1;
        while let Some(v) = queue.pop_front() {
            for i in 0..self.neighbours[v].len() {
                let w = self.neighbours[v][i] as usize;
                if self.school_of[w] == Some(s) && self.mark[w] != epoch {
                    self.mark[w] = epoch;
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

    /// The cheapest chain of boundary moves from school `start` to a school
    /// with room, breadth first over catchments: each step moves one zone
    /// with children from the edge of one main piece into the adjacent main
    /// piece of the next, without splitting the first. Listed from the end of
    /// the chain, so each school receives before it gives.
    fn chain_from(&mut self, start: usize) -> Option<Vec<(usize, usize)>> {
        let n = self.schools.len();
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut visited = vec![false; n];
        visited[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(t) = queue.pop_front() {
            let mut edges: Vec<(i64, usize, usize)> = Vec::new();
            for &z in &self.members[t] {
                let z = z as usize;
                if !self.main[z]
                    || self.placed[z] == 0
                    || self.pinned[z]
                    || self.home[t] == Some(z as u32)
                {
                    continue;
                }
                for &w in &self.neighbours[z] {
                    let w = w as usize;
                    let Some(u) = self.school_of[w].map(|s| s as usize) else {
                        continue;
                    };
                    if u == t || visited[u] || !self.main[w] || !self.may_take(z, u) {
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

    /// Boundary moves that shorten trips and keep every catchment whole.
    /// With a compactness weight, a move is also charged for the boundary
    /// it adds: each edge between the zone and its old catchment becomes a
    /// catchment boundary, each edge to the new one stops being one. That
    /// pulls in tendrils and fills notches, including with zones that have
    /// no children this year.
    fn polish(&mut self) -> usize {
        let mut moves = 0;
        for _ in 0..20 {
            let mut improved = false;
            for z in 0..self.zones.len() {
                let Some(s) = self.school_of[z] else { continue };
                let movable = self.placed[z] > 0 || self.compactness_m > 0;
                if !movable || self.home[s as usize] == Some(z as u32) || self.pinned[z] {
                    continue;
                }
                let here = self.cost(z, s as usize);
                let same = |school: u32| {
                    self.neighbours[z]
                        .iter()
                        .filter(|&&w| self.school_of[w as usize] == Some(school))
                        .count() as i64
                };
                let mut best: Option<(i64, usize)> = None;
                for &w in &self.neighbours[z] {
                    let Some(r) = self.school_of[w as usize] else {
                        continue;
                    };
                    if r == s {
                        continue;
                    }
                    let boundary = self.compactness_m * (same(s) - same(r));
                    let r = r as usize;
                    let classes = self.class_cost_m * self.classes_change(z, s as usize, r);
                    let delta =
                        self.placed[z] as i64 * (self.cost(z, r) - here) + boundary + classes;
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
                    self.refresh(s as usize);
                    self.refresh(r);
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

    fn run(&mut self) -> ContiguityReport {
        let mut report = ContiguityReport::default();
        self.share_homes(&mut report);
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
        report.strays_before = self.strays().len();
        let start = self.school_of.clone();
        self.claim_homes(false);
        self.join_strays();
        if !self.attach_and_fit() {
            // No plan within every limit holds every own zone and piece:
            // back to the start, keeping only the own zones that fit.
            self.restore(&start);
            self.claim_homes(true);
            self.join_strays();
        }
        self.polish();
        report.zones_moved = (0..self.zones.len())
            .filter(|&z| self.school_of[z] != start[z])
            .count();
        self.count_homes(&mut report);
        for piece in self.strays() {
            let school = self.school_of[piece[0]].expect("assigned") as usize;
            let (reason, certified) = self.why_apart(&piece);
            report.broken.push(Broken {
                school: self.schools[school],
                zones: piece.iter().map(|&z| self.zones[z]).collect(),
                reason,
                certified,
            });
        }
        report
    }

    /// Joins stray pieces to neighbouring catchments with room (or made
    /// room), round after round while that helps.
    fn join_strays(&mut self) {
        for _ in 0..50 {
            let mut progress = false;
            for piece in &self.strays() {
                if self.still_stray(piece) && self.resolve(piece) {
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
    }

    /// Where two schools of the stage stand in (or nearest to) the same
    /// zone, the first in input order keeps it as its own.
    fn share_homes(&mut self, report: &mut ContiguityReport) {
        let mut owned = std::collections::BTreeSet::new();
        for s in 0..self.schools.len() {
            if let Some(h) = self.home[s] {
                report.own_zones += 1;
                if !owned.insert(h) {
                    report.own_zones_shared += 1;
                    self.home[s] = None;
                }
            }
        }
    }

    /// Whether a lock keeps school `s`'s own zone `h` out of its catchment.
    fn home_locked(&self, h: usize, s: usize) -> bool {
        (self.pinned[h] && self.school_of[h] != Some(s as u32))
            || self.forbidden.contains(&(h as u32, s as u32))
    }

    /// Gives every school its own zone. With `strict`, only where the
    /// school has (or can make) room for it; otherwise whatever its seats,
    /// for [`Self::attach_and_fit`] to repair.
    fn claim_homes(&mut self, strict: bool) {
        for s in 0..self.schools.len() {
            let Some(h) = self.home[s].map(|h| h as usize) else {
                continue;
            };
            let Some(from) = self.school_of[h].map(|f| f as usize) else {
                continue;
            };
            // A lock, or the policy's reach (a point zone can be the
            // nearest to a school yet beyond max_km), keeps it out.
            if from == s || self.home_locked(h, s) || !self.may_take(h, s) {
                continue;
            }
            // Seats of the stage with nothing else in the catchment.
            let alone = self.stage_cap[s].min(self.school_cap[s] - (self.total[s] - self.load[s]));
            if self.placed[h] as i64 > alone {
                continue;
            }
            let mut journal = Vec::new();
            self.move_piece(&[h], s, &mut journal);
            if strict && self.room(s) < 0 && !self.relieve(s, &mut journal) {
                self.undo(&journal);
            }
        }
    }

    fn count_homes(&self, report: &mut ContiguityReport) {
        for s in 0..self.schools.len() {
            let Some(h) = self.home[s].map(|h| h as usize) else {
                continue;
            };
            if self.school_of[h] == Some(s as u32) {
                report.own_zones_kept += 1;
            } else if self.home_locked(h, s) {
                report.own_zones_locked += 1;
            } else {
                report.own_zones_not_fitting += 1;
            }
        }
    }

    /// Puts every zone back in the school it had in `start`.
    fn restore(&mut self, start: &[Option<u32>]) {
        for (z, &s) in start.iter().enumerate() {
            if let Some(s) = s
                && self.school_of[z] != Some(s)
            {
                self.move_zone(z, s as usize);
            }
        }
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
    }
}

/// The pieces of a stage's catchments as they are, without moving anything:
/// each catchment's zones outside the piece that holds its school's zone.
pub fn pieces(
    plan: &Plan,
    region: &Region,
    adjacency: &Adjacency,
    stage: Stage,
) -> ContiguityReport {
    let homes = home_zones(region);
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
        if let Some(s) = zp.school {
            members.entry(s).or_default().push(z as u32);
        }
    }
    let mut report = ContiguityReport::default();
    for (s, zones) in members {
        let labels = adjacency.components_of(&zones);
        let home = homes[s as usize]
            .and_then(|h| zones.iter().position(|&z| z as usize == h))
            .map_or(0, |i| labels[i]);
        let apart: Vec<usize> = zones
            .iter()
            .zip(&labels)
            .filter(|&(_, &l)| l != home)
            .map(|(&z, _)| z as usize)
            .collect();
        if !apart.is_empty() {
            report.strays_before += 1;
            report.broken.push(Broken {
                school: s as usize,
                zones: apart,
                reason: "feeders aligned: the primary catchments it takes do not all touch".into(),
                // Joining them would split a primary catchment again.
                certified: true,
            });
        }
    }
    report
}

/// What one county's edit gives back: moved zones (zone, school, metres),
/// school totals after the moves, and what the job reports.
type CountyResult<R> = (Vec<(usize, usize, i64)>, Vec<(usize, i64)>, R);

pub fn make_contiguous(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &Preferences,
    barriers: &BarrierIndex,
) -> [ContiguityReport; 2] {
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers,
        connected: true,
    };
    edit.apply(plan, |county| county.run()).map(|counties| {
        let mut report = ContiguityReport::default();
        for r in counties {
            report.strays_before += r.strays_before;
            report.zones_moved += r.zones_moved;
            report.broken.extend(r.broken);
            report.own_zones += r.own_zones;
            report.own_zones_kept += r.own_zones_kept;
            report.own_zones_locked += r.own_zones_locked;
            report.own_zones_shared += r.own_zones_shared;
            report.own_zones_not_fitting += r.own_zones_not_fitting;
        }
        report
    })
}

/// Everything a county-by-county edit of a plan's catchments needs.
pub(super) struct CountyEdit<'a> {
    pub(super) region: &'a Region,
    pub(super) policy: &'a Policy,
    pub(super) adjacency: &'a Adjacency,
    pub(super) preferences: &'a Preferences,
    pub(super) barriers: &'a BarrierIndex,
    /// Whether moves must keep every catchment in one piece.
    pub(super) connected: bool,
}

impl CountyEdit<'_> {
    /// Runs `job` on every county's catchments of each stage, in parallel,
    /// and writes the zones it moved back into the plan (with their new
    /// distance; the caller recounts the plan's quality). Stages go in
    /// order because nine-year schools share one school total.
    pub(super) fn apply<R: Send>(
        &self,
        plan: &mut Plan,
        job: impl Fn(&mut County) -> R + Sync,
    ) -> [Vec<R>; 2] {
        let CountyEdit {
            region,
            policy,
            adjacency,
            preferences,
            barriers,
            connected,
        } = *self;
        let homes = home_zones(region);
        let stability_m = (preferences.stability_km * 1000.0).round() as i64;
        let zone_at: Vec<[f64; 3]> = region
            .zones
            .iter()
            .map(|z| unit_vector(z.centroid))
            .collect();
        let school_at: Vec<[f64; 3]> = region
            .schools
            .iter()
            .map(|s| unit_vector(s.location))
            .collect();
        // Counties, with each zone's and school's position in its county.
        let mut counties: std::collections::BTreeMap<Option<&str>, (Vec<usize>, Vec<usize>)> =
            Default::default();
        for (z, zone) in region.zones.iter().enumerate() {
            counties
                .entry(zone.county.as_deref())
                .or_default()
                .0
                .push(z);
        }
        for (s, school) in region.schools.iter().enumerate() {
            if let Some(c) = counties.get_mut(&school.county.as_deref()) {
                c.1.push(s);
            }
        }
        let mut local_zone = vec![u32::MAX; region.zones.len()];
        let mut local_school = vec![u32::MAX; region.schools.len()];
        for (zones, schools) in counties.values() {
            for (i, &z) in zones.iter().enumerate() {
                local_zone[z] = i as u32;
            }
            for (i, &s) in schools.iter().enumerate() {
                local_school[s] = i as u32;
            }
        }
        // Children placed in each school this year: the school seats
        // (`Seats::school`) already leave out the pupils who stay.
        let mut totals: Vec<i64> = vec![0; region.schools.len()];
        for stage in Stage::ALL {
            for zp in &plan.stage(stage).zones {
                if let Some(s) = zp.school {
                    totals[s as usize] += zp.placed as i64;
                }
            }
        }
        let mut reports: [Vec<R>; 2] = Default::default();
        for stage in Stage::ALL {
            let zones_plan = &plan.stages[stage.index()].zones;
            let results: Vec<CountyResult<R>> = counties
                .par_iter()
                .map(|(_, (zones, schools))| {
                    let mut county = County {
                        stage,
                        barriers,
                        distances: &region.distances,
                        zone_point: zones.iter().map(|&z| region.zones[z].centroid).collect(),
                        school_point: schools
                            .iter()
                            .map(|&s| region.schools[s].location)
                            .collect(),
                        barrier_m: (preferences.barrier_penalty_km * 1000.0).round() as i64,
                        zones: zones.clone(),
                        schools: schools.clone(),
                        neighbours: zones
                            .iter()
                            .map(|&z| {
                                adjacency
                                    .neighbours(z)
                                    .iter()
                                    .filter(|&&w| {
                                        region.zones[w as usize].county == region.zones[z].county
                                    })
                                    .map(|&w| local_zone[w as usize])
                                    .collect()
                            })
                            .collect(),
                        school_of: zones
                            .iter()
                            .map(|&z| zones_plan[z].school.map(|s| local_school[s as usize]))
                            .collect(),
                        placed: zones.iter().map(|&z| zones_plan[z].placed).collect(),
                        pinned: vec![false; zones.len()],
                        forbidden: Default::default(),
                        load: vec![0; schools.len()],
                        total: schools.iter().map(|&s| totals[s]).collect(),
                        stage_cap: schools
                            .iter()
                            .map(|&s| {
                                plan.seats[s].stage[stage.index()]
                                    .map_or(i64::MAX / 4, |c| c as i64)
                            })
                            .collect(),
                        school_cap: schools
                            .iter()
                            .map(|&s| plan.seats[s].school as i64)
                            .collect(),
                        home: schools
                            .iter()
                            .map(|&s| {
                                homes[s]
                                    .filter(|_| region.schools[s].takes_catchment(stage))
                                    .filter(|&h| {
                                        local_zone[h] != u32::MAX
                                            && region.zones[h].county == region.schools[s].county
                                    })
                                    .map(|h| local_zone[h])
                            })
                            .collect(),
                        takes: schools
                            .iter()
                            .map(|&s| region.schools[s].takes_catchment(stage))
                            .collect(),
                        max_m: policy.stage(stage).max_km.map(|km| km * 1000.0),
                        stability_m,
                        compactness_m: (preferences.compactness_km * 1000.0).round() as i64,
                        class_cost_m: (preferences.class_cost_km * 1000.0).round() as i64,
                        class_limit: policy.stage(stage).class_limit as i64,
                        today: zones
                            .iter()
                            .map(|&z| {
                                region.zones[z].current[stage.index()]
                                    .map(|s| local_school[s])
                                    .filter(|&s| s != u32::MAX)
                            })
                            .collect(),
                        migrant: zones
                            .iter()
                            .map(|&z| {
                                let local = region.zones[z].cohort(stage).local;
                                // Resource rooms took their (local-first) share.
                                let (_, local) =
                                    super::special::split_resource_rooms(&zones_plan[z], local);
                                split_placed(zones_plan[z].placed, local).1
                            })
                            .collect(),
                        migrant_load: vec![0; schools.len()],
                        band: schools
                            .iter()
                            .map(|&s| policy.migrant_band(&region.schools[s]))
                            .collect(),
                        connected,
                        zone_at: zones.iter().map(|&z| zone_at[z]).collect(),
                        school_at: schools.iter().map(|&s| school_at[s]).collect(),
                        members: vec![Vec::new(); schools.len()],
                        main: vec![false; zones.len()],
                        mark: vec![0; zones.len()],
                        epoch: 0,
                    };
                    for (i, s) in county.school_of.clone().into_iter().enumerate() {
                        if let Some(s) = s {
                            county.load[s as usize] += county.placed[i] as i64;
                            county.migrant_load[s as usize] += county.migrant[i] as i64;
                            county.members[s as usize].push(i as u32);
                        }
                    }
                    for l in preferences.locks.iter().filter(|l| l.stage == stage) {
                        let (z, s) = (local_zone[l.zone], local_school[l.school]);
                        if region.zones[l.zone].county != region.schools[l.school].county {
                            continue;
                        }
                        match l.kind {
                            LockKind::Pin => county.pinned[z as usize] = true,
                            LockKind::Forbid => {
                                county.forbidden.insert((z, s));
                            }
                        }
                    }
                    let report = job(&mut county);
                    let moved: Vec<(usize, usize, i64)> = (0..county.zones.len())
                        .filter(|&i| {
                            zones_plan[county.zones[i]]
                                .school
                                .map(|s| local_school[s as usize])
                                != county.school_of[i]
                        })
                        .map(|i| {
                            let s = county.school_of[i].expect("moves keep a school") as usize;
                            (county.zones[i], county.schools[s], county.metres(i, s))
                        })
                        .collect();
                    let totals: Vec<(usize, i64)> = county
                        .schools
                        .iter()
                        .zip(&county.total)
                        .map(|(&s, &t)| (s, t))
                        .collect();
                    (moved, totals, report)
                })
                .collect();
            // Write the moves back; school totals carry over to the next stage
            // (nine-year schools share them).
            let report = &mut reports[stage.index()];
            let zones = &mut plan.stages[stage.index()].zones;
            for (moved, county_totals, r) in results {
                for (z, s, metres) in moved {
                    zones[z] = ZonePlan {
                        school: Some(s as u32),
                        metres: Some(metres),
                        ..zones[z].clone()
                    };
                }
                for (s, t) in county_totals {
                    totals[s] = t;
                }
                report.push(r);
            }
        }
        reports
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_region;
    use crate::plan::{Preferences, allocate};
    use crate::solve::Settings;

    #[test]
    fn every_catchment_of_the_test_county_is_one_piece() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny");
        let region = read_region(&dir.join("zones.geojson"), &dir.join("schools.geojson")).unwrap();
        let plan = allocate(
            &region,
            &Policy::default(),
            &Settings::default(),
            &Preferences::default(),
            &(),
        )
        .unwrap();
        let adjacency = Adjacency::build(&region.zones, crate::spatial::DEFAULT_TOLERANCE_M);
        for stage in Stage::ALL {
            let mut members: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
            for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
                members
                    .entry(zp.school.unwrap())
                    .or_default()
                    .push(z as u32);
            }
            for (s, zones) in members {
                let labels = adjacency.components_of(&zones);
                assert!(
                    labels.iter().all(|&l| l == 0),
                    "school {s} in pieces ({stage:?})"
                );
            }
        }
    }
}
