//! The zone-move engine every catchment pass edits plans with: one
//! county's catchments of one stage in local indices, with the loads,
//! limits, pieces and neighbours a move must respect, and the edits
//! (a zone moved, two swapped) the passes score in their own ways.
//!
//! Counties never share a catchment, so [`CountyEdit::apply`] runs a pass
//! on every county in parallel and writes the moved zones back.

use std::collections::VecDeque;

use geo::{BoundingRect, Contains};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::special;
use super::{Plan, Preferences, Unplaced, ZonePlan};
use crate::model::{LockKind, Region, Shape, Stage};
use crate::policy::{Policy, split_placed};
use crate::solve::connected::memo::Memo;
use crate::spatial::{Adjacency, BarrierIndex, grow, metres_of_chord2, unit_vector};

/// The zone each school stands in (or, where it stands in none, the zone
/// nearest to it, by road where the region's distances are): the seed of
/// its catchment.
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
            inside.or_else(|| nearest_zone(region, &centroids, p))
        })
        .collect()
}

/// The zone whose centroid is nearest to a point as the region measures
/// (the plan's own distance from the zone to the point). Zones are visited
/// in straight-line order and the walk stops once the straight line alone
/// is longer than the best so far, as a road is never shorter.
fn nearest_zone(
    region: &Region,
    centroids: &RTree<GeomWithData<[f64; 3], usize>>,
    p: geo::Point<f64>,
) -> Option<usize> {
    let mut by_line = centroids.nearest_neighbor_iter_with_distance_2(&unit_vector(p));
    if region.distances.road().is_none() {
        return by_line.next().map(|(e, _)| e.data);
    }
    let mut best: Option<(i64, usize)> = None;
    for (e, d2) in by_line {
        if best.is_some_and(|(m, _)| metres_of_chord2(d2) > m) {
            break;
        }
        let m = region.distances.metres(region.zones[e.data].centroid, p);
        if best.is_none_or(|b| (m, e.data) < b) {
            best = Some((m, e.data));
        }
    }
    best.map(|(_, z)| z)
}

/// One county's catchments of one stage, in local indices: zone `i` is
/// `zones[i]` of the region, school `j` is `schools[j]`.
#[derive(Clone)]
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
    /// Whether pieces proven only locally get the longer hunts of
    /// `--deep-join`.
    pub(super) deep_join: bool,
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
    /// The window searches made in the county, shared by every clone (a
    /// repair from each start) that meets the same window again.
    pub(super) searches: Memo,
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
            self.mark[start] = epoch;
            let (mark, main, school_of) = (&mut self.mark, &self.main, &self.school_of);
            let mut piece = grow(start, &self.neighbours, |w| {
                let take = mark[w] != epoch && !main[w] && school_of[w] == s;
                if take {
                    mark[w] = epoch;
                }
                take
            });
            piece.sort_unstable();
            pieces.push(piece);
        }
        pieces
    }

    /// The schools the zones go to, ascending.
    pub(super) fn schools_of(&self, zones: &[usize]) -> Vec<usize> {
        let mut used: Vec<usize> = zones
            .iter()
            .filter_map(|&z| self.school_of[z].map(|s| s as usize))
            .collect();
        used.sort_unstable();
        used.dedup();
        used
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
}

/// A zone an edit changed: (zone, school, metres, children placed).
type Moved = (usize, usize, i64, u32);

/// What one county's edit gives back: moved zones, school totals after the
/// moves, and what the job reports.
type CountyResult<R> = (Vec<Moved>, Vec<(usize, i64)>, R);

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
                        deep_join: preferences.deep_join,
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
                                    special::split_resource_rooms(&zones_plan[z], local);
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
                        searches: Memo::default(),
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
                    let moved: Vec<Moved> = (0..county.zones.len())
                        .filter(|&i| {
                            let before = &zones_plan[county.zones[i]];
                            before.school.map(|s| local_school[s as usize]) != county.school_of[i]
                                || before.placed != county.placed[i]
                        })
                        .map(|i| {
                            let s = county.school_of[i].expect("moves keep a school") as usize;
                            let metres = county.metres(i, s);
                            (county.zones[i], county.schools[s], metres, county.placed[i])
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
                for (z, s, metres, placed) in moved {
                    // Only a root own zone over its school's seats loses
                    // children (see the contiguity pass).
                    let cut = zones[z].placed - placed;
                    zones[z] = ZonePlan {
                        school: Some(s as u32),
                        metres: Some(metres),
                        placed,
                        unplaced: zones[z].unplaced + cut,
                        reason: if cut > 0 {
                            Some(Unplaced::OwnZoneOverflow { seats: placed })
                        } else {
                            zones[z].reason.clone()
                        },
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

/// A candidate edit: one zone to another school, or two zones swapped.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub(super) enum Edit {
    Move { zone: usize, to: usize },
    Swap { a: usize, b: usize },
}

/// What an edit does to the schools it touches (in school order): their
/// children and migrant children after it, and the travel it adds.
pub(super) struct Effect {
    pub(super) schools: Vec<usize>,
    pub(super) load: Vec<i64>,
    pub(super) migrant: Vec<i64>,
    pub(super) travel: i64,
}

impl County<'_> {
    /// Whether zone `z` may leave its school `s` at all.
    fn may_leave(&self, z: usize, s: usize) -> bool {
        self.placed[z] > 0 && !self.pinned[z] && self.home[s] != Some(z as u32)
    }

    /// Whether zone `z` touches school `r`'s catchment (its main piece when
    /// catchments are connected), not counting zone `except`.
    fn touches(&self, z: usize, r: usize, except: usize) -> bool {
        self.neighbours[z].iter().any(|&w| {
            let w = w as usize;
            w != except && self.school_of[w] == Some(r as u32) && (!self.connected || self.main[w])
        })
    }

    /// What an edit does to the schools it touches, or None where it
    /// breaks a limit (seats, school size, lock, reach, home zone).
    pub(super) fn effect(&self, edit: Edit) -> Option<Effect> {
        // (zone, from, to) for each zone the edit moves.
        let moves: Vec<(usize, usize, usize)> = match edit {
            Edit::Move { zone, to } => {
                vec![(zone, self.school_of[zone]? as usize, to)]
            }
            Edit::Swap { a, b } => {
                let (sa, sb) = (self.school_of[a]? as usize, self.school_of[b]? as usize);
                vec![(a, sa, sb), (b, sb, sa)]
            }
        };
        let mut schools: Vec<usize> = moves.iter().flat_map(|&(_, f, t)| [f, t]).collect();
        schools.sort_unstable();
        schools.dedup();
        let mut load: Vec<i64> = schools.iter().map(|&s| self.load[s]).collect();
        let mut total: Vec<i64> = schools.iter().map(|&s| self.total[s]).collect();
        let mut migrant: Vec<i64> = schools.iter().map(|&s| self.migrant_load[s]).collect();
        let at = |s: usize| schools.iter().position(|&x| x == s).expect("listed");
        let mut travel = 0;
        for &(z, from, to) in &moves {
            if from == to || !self.may_leave(z, from) || !self.may_take(z, to) {
                return None;
            }
            let (q, m) = (self.placed[z] as i64, self.migrant[z] as i64);
            let (f, t) = (at(from), at(to));
            load[f] -= q;
            total[f] -= q;
            migrant[f] -= m;
            load[t] += q;
            total[t] += q;
            migrant[t] += m;
            travel += q * (self.cost(z, to) - self.cost(z, from));
        }
        for (i, &s) in schools.iter().enumerate() {
            if load[i] > self.stage_cap[s] || total[i] > self.school_cap[s] {
                // Only where the edit adds children: a school already over
                // (never, after the allocation) would block every edit.
                if load[i] > self.load[s] || total[i] > self.total[s] {
                    return None;
                }
            }
        }
        Some(Effect {
            schools,
            load,
            migrant,
            travel,
        })
    }

    /// Whether the edit keeps every catchment it touches in one piece.
    pub(super) fn keeps_pieces(&mut self, edit: Edit) -> bool {
        if !self.connected {
            return true;
        }
        match edit {
            Edit::Move { zone, to } => {
                let from = self.school_of[zone].expect("assigned");
                self.touches(zone, to, usize::MAX) && self.stays_connected_without(zone, from)
            }
            Edit::Swap { a, b } => {
                let (sa, sb) = (
                    self.school_of[a].expect("assigned"),
                    self.school_of[b].expect("assigned"),
                );
                // Each zone joins the other catchment through a zone that
                // stays there, and neither catchment falls apart without
                // the zone it gives.
                self.touches(a, sb as usize, b)
                    && self.touches(b, sa as usize, a)
                    && self.stays_connected_without(a, sa)
                    && self.stays_connected_without(b, sb)
            }
        }
    }

    pub(super) fn candidates(&self, s: usize) -> Vec<Edit> {
        let mut edits = Vec::new();
        for &z in &self.members[s] {
            let z = z as usize;
            for &w in &self.neighbours[z] {
                let w = w as usize;
                let Some(r) = self.school_of[w] else { continue };
                let r = r as usize;
                if r == s {
                    continue;
                }
                // Out of s, into s, and the two swapped.
                edits.push(Edit::Move { zone: z, to: r });
                edits.push(Edit::Move { zone: w, to: s });
                edits.push(Edit::Swap {
                    a: z.min(w),
                    b: z.max(w),
                });
            }
        }
        edits.sort_by(|a, b| a.partial_cmp(b).expect("integers"));
        edits.dedup();
        edits
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use geo::{Coord, Point};

    use super::*;
    use crate::model::{Cohort, Distances, School, SchoolKind, Zone};
    use crate::spatial::roads::{Profile, Way, Weight};
    use crate::spatial::{RoadSettings, join};

    fn way(points: &[(f64, f64)]) -> Way {
        Way {
            coords: points.iter().map(|&(x, y)| Coord { x, y }).collect(),
            node_ids: None,
            tags: BTreeMap::from([("highway".to_string(), "residential".to_string())]),
        }
    }

    /// A school with no zone around it: A is nearer by straight line but
    /// its street reaches the school only by a 4.7 km loop; B's street
    /// runs straight to it. By road, B is the school's own zone.
    #[test]
    fn a_school_in_no_zone_seeds_from_the_nearest_zone_by_road() {
        let children = [
            Cohort {
                local: 10,
                migrant: 0,
            },
            Cohort::default(),
        ];
        let mut region = Region {
            zones: vec![
                Zone::at_point("A", Point::new(118.003, 31.0), children),
                Zone::at_point("B", Point::new(117.995, 31.0), children),
            ],
            schools: vec![
                School::public("S", SchoolKind::Primary, Point::new(118.0, 31.0))
                    .with_classes([Some(2), None]),
            ],
            ..Region::default()
        };
        assert_eq!(home_zones(&region), vec![Some(0)]);
        let ways = [
            way(&[(118.0, 31.0), (117.995, 31.0)]),
            way(&[
                (118.003, 31.0),
                (118.003, 31.02),
                (118.0, 31.02),
                (118.0, 31.0),
            ]),
        ];
        let settings = RoadSettings {
            profile: Profile::Walk,
            weight: Weight::Length,
            max_snap_m: 500.0,
            allow_fallback: false,
        };
        let road = join(
            std::path::Path::new("roads.geojson"),
            &ways,
            &region,
            &settings,
        )
        .unwrap();
        region.distances = Distances::by_road(Arc::new(road));
        assert!(
            region
                .distances
                .metres(region.zones[0].centroid, region.schools[0].location)
                > 4000
        );
        assert_eq!(home_zones(&region), vec![Some(1)]);
    }
}
