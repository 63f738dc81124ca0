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
//! schools over their seats (or swaps them for smaller zones of the
//! neighbour, where the seats left are fewer than any zone's children),
//! one catchment to the next, never breaking one apart, until every school
//! fits. If that fails, the own zones come first: the schools are fitted
//! around them with the pieces that did not fit left aside, and those
//! joined afterwards where room was made. Exact re-solves of windows of
//! catchments around each piece follow (module `window`); where their
//! proofs hold only with the catchments around the window fixed, balls of
//! the zones nearest each piece across a dozen catchments are re-solved,
//! the rest of each held (module `ball_window`); failing that, the repair
//! starts again from plans that hold every own zone, whose pieces get
//! balls in turn and then wider windows hunted longer, and last (on a
//! county of a few hundred zones) the whole county as one window, whose
//! proof is the map's own. Window searches met again are answered from a
//! memo the repairs share. Only what that cannot fix is left in pieces,
//! with the proof
//! where there is one (an area of the map whose
//! children exceed the seats of the schools standing in it, a lock, a
//! window with no connected plan).
//!
//! A local search then moves boundary zones to neighbouring catchments, or
//! swaps two neighbouring boundary zones between catchments (on tight maps
//! no school has room for one more zone), wherever that shortens trips
//! without breaking any catchment apart, and the windows of the catchments
//! that cost most above the whole-zone plan are re-solved, then swept over
//! every catchment whose trips differ from it while that shortens trips. The
//! relaxation bound stays the yardstick, so the price of contiguity shows
//! in the gap.
//!
//! Counties never share a catchment, so each county is repaired on its own,
//! in parallel, with local indices; each catchment remembers its main piece
//! and only the catchments a move touches are looked at again.

use std::collections::{BTreeMap, VecDeque};

use rayon::prelude::*;

use crate::model::{Region, Stage};
use crate::plan::passes::apart::Apart;
use crate::plan::passes::window::{Effort, SWEEP, WindowProofs};
use crate::plan::zone_moves::{County, CountyEdit, Edit, home_zones};
use crate::plan::{Plan, Preferences};
use crate::policy::Policy;
use crate::solve::connected::pieces::{Fit, fitted};
use crate::solve::mip::MipSolver;
use crate::spatial::{Adjacency, BarrierIndex};

/// Schools each zone may go to in the start that holds every own zone
/// (its own, its root's and the cheapest others): the whole-zone core
/// over the county, kept small on a city of hundreds of schools.
const HOLDING_HOMES_CHOICES: usize = 12;

/// Sweeps of improvement windows after the first step, at most (see
/// `window::SWEEP`): on the bench's tight map more than five find no more.
const SWEEPS: usize = 5;

/// The starts holding every own zone that a county left in pieces is
/// repaired from again, in rounds: the next only while a piece another
/// start might join is left, and within a round the earlier start wins
/// ties. Each joins other maps (see [`Fit`]); the windowed start joins
/// most and costs half the full core's, so it goes first, alone.
const HOLDING_HOMES_STARTS: [&[Fit]; 2] = [&[Fit::Windowed], &[Fit::Solved, Fit::Rounded]];

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
    /// Own zones not kept because no plan keeping them within every limit
    /// was found (or the school has no seat left for this stage at all).
    pub own_zones_not_fitting: usize,
    /// Children of own zones kept as the root although they alone exceed
    /// their school's seats: those beyond the seats are left without one,
    /// with the reason, as any shortage.
    pub own_zone_overflow: u32,
    /// Child-metres of the catchments before the repair (the whole-zone
    /// plan) and after it, as the repair counts them (travel with any
    /// stability and barrier charges): their difference is the price of
    /// connectedness.
    pub whole_zone_m: i128,
    pub connected_m: i128,
    /// Whether the run asked for the longer hunts of `--deep-join` (the
    /// report then has no hint to it).
    pub deep_join: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    pub school: usize,
    pub zones: Vec<usize>,
    pub reason: Apart,
}

/// A county's repair before its trips are shortened: what is left, the
/// whole-zone plan it started from, and its windows' proofs.
#[derive(Clone)]
struct Joined {
    report: ContiguityReport,
    start: Vec<Option<u32>>,
    proofs: WindowProofs,
}

impl ContiguityReport {
    /// Whether a piece is left that another start or wider windows might
    /// join: one without a proof, or proven only with the catchments
    /// around it as they stood.
    /// A piece a lock holds, or a part of the map short of seats, stays
    /// whatever the start, and a repair from elsewhere would only redraw
    /// the county (an officer's pin in the map would redraw every
    /// catchment around).
    fn may_join_yet(&self) -> bool {
        self.broken
            .iter()
            .any(|b| !b.reason.certified() || b.reason.proven_locally())
    }

    /// Whether this repair of a county is better than `other`: fewer
    /// children left without a seat, then fewer own zones given away, then
    /// fewer pieces without a proof, fewer pieces, fewer pieces proven
    /// only locally, shorter trips.
    fn better_than(&self, other: &ContiguityReport) -> bool {
        self.rank() < other.rank()
    }

    /// The order of [`ContiguityReport::better_than`]: the less, the better.
    fn rank(&self) -> (u32, usize, usize, usize, usize, i128) {
        let unproven = self.broken.iter().filter(|b| !b.reason.certified()).count();
        let local = self
            .broken
            .iter()
            .filter(|b| b.reason.proven_locally())
            .count();
        (
            self.own_zone_overflow,
            self.own_zones_not_fitting,
            unproven,
            self.broken.len(),
            local,
            self.connected_m,
        )
    }
}

impl County<'_> {
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

    /// Swaps of two neighbouring boundary zones between catchments that
    /// shorten trips, keep both schools within their seats and both
    /// catchments in one piece: on tight maps, where no school has room
    /// for one more zone, the only way left to shorten trips. Travel only,
    /// so not with a compactness or class-cost weight (the moves above
    /// weigh those). Returns the swaps made.
    fn swap_polish(&mut self) -> usize {
        if self.compactness_m > 0 || self.class_cost_m > 0 {
            return 0;
        }
        let mut swaps = 0;
        for _ in 0..20 {
            let mut improved = false;
            for s in 0..self.schools.len() {
                for edit in self.candidates(s) {
                    let Edit::Swap { a, b } = edit else { continue };
                    let better = self.effect(edit).is_some_and(|e| e.travel < 0);
                    if !better || !self.keeps_pieces(edit) {
                        continue;
                    }
                    let (sa, sb) = (
                        self.school_of[a].expect("assigned") as usize,
                        self.school_of[b].expect("assigned") as usize,
                    );
                    self.move_zone(a, sb);
                    self.move_zone(b, sa);
                    self.refresh(sa);
                    self.refresh(sb);
                    swaps += 1;
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
        swaps
    }

    /// Repairs the county from the whole-zone plan; where that leaves a
    /// piece, repairs it again from starts that already hold every own
    /// zone, a round of them side by side at a time while such pieces are
    /// left ([`HOLDING_HOMES_STARTS`]). On tight maps the first repair's
    /// claims of own zones set off chains of moves that can end far from
    /// any connected plan (seed 67: 23,200 child-km with a piece left,
    /// where HiGHS found a connected plan of 21,478 for the whole map).
    /// Where pieces proven only locally are still left, the repairs get
    /// wider windows hunted longer, and then the pieces still without any
    /// proof a long hunt (see [`deepened`]); balls (module `ball_window`)
    /// come first, on every repair that may join yet. The best repair is
    /// kept (the earliest of equals), and its trips shortened.
    fn run(&mut self, solver: MipSolver) -> ContiguityReport {
        let mut repairs = self.repairs();
        deepened(&mut repairs, |county, proofs| county.join_by_balls(proofs));
        let mut nodes = self.deepen_nodes();
        deepened(&mut repairs, |county, proofs| {
            county.deepen_by_windows(proofs, &mut nodes)
        });
        let best = deepened(&mut repairs, |county, proofs| county.hunt_long(proofs));
        let (county, joined) = repairs.swap_remove(best);
        *self = county;
        self.shorten(joined, solver)
    }

    /// The repair from the whole-zone plan, then from the starts that hold
    /// every own zone while pieces another start might join are left, each
    /// with its county; `self` stays as it was. The first repair's pieces
    /// get balls before the other starts are made, which are then spared
    /// where the balls join every piece (on 745 tight 300-zone maps the
    /// same pieces are left; 14 plans change, 0.17 % fewer child-km between
    /// them, in 5.3 s instead of 8.6 s).
    fn repairs(&self) -> Vec<(Self, Joined)> {
        let mut first = self.clone();
        let joined = first.join(None);
        let mut repairs = vec![(first, joined)];
        deepened(&mut repairs, |county, proofs| county.join_by_balls(proofs));
        for starts in HOLDING_HOMES_STARTS {
            if !repairs[best_of(&repairs)].1.report.may_join_yet() {
                break;
            }
            repairs.par_extend(starts.par_iter().map(|&fit| {
                let mut county = self.clone();
                let joined = county.join(Some(fit));
                (county, joined)
            }));
        }
        repairs
    }

    /// Joins the pieces from the whole-zone plan (`homes_first`: from a
    /// start holding every own zone), as far as the repair's moves and
    /// windows go; the report says what is left, its trips before
    /// [`County::shorten`].
    fn join(&mut self, homes_first: Option<Fit>) -> Joined {
        let mut report = ContiguityReport::default();
        self.share_homes(&mut report);
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
        report.strays_before = self.strays().len();
        let start = self.school_of.clone();
        report.whole_zone_m = self.travel();
        let (placed, migrant) = (self.placed.clone(), self.migrant.clone());
        report.own_zone_overflow = self.cut_overflowing_homes();
        if let Some(fit) = homes_first {
            self.fit_holding_homes(fit);
        }
        self.claim_homes(false);
        self.join_strays();
        let homes = self.school_of.clone();
        if !self.attach_and_fit() && !self.fit_around_homes(&homes) {
            // No plan within every limit holds every own zone: back to the
            // start, keeping only the own zones that fit, and the pieces
            // joined again with that lighter load; failing that too, only
            // the pieces that fit are joined. No own zone is then claimed
            // over its school's seats, so no child is left without a seat
            // for it.
            self.restore(&start);
            self.restore_placed(&placed, &migrant);
            report.own_zone_overflow = 0;
            self.claim_homes(true);
            self.join_strays();
            let strict = self.school_of.clone();
            if !self.attach_and_fit() {
                self.restore(&strict);
            }
        }
        self.local_search();
        // The fallback above gave back the children of own zones larger
        // than their school's seats; the windows keep every own zone, so
        // those beyond the seats are left without one after all.
        report.own_zone_overflow += self.cut_overflowing_homes();
        let mut joined = Joined {
            report,
            start,
            proofs: WindowProofs::default(),
        };
        self.by_windows(&mut joined, |county, proofs| {
            county.repair_by_windows(proofs)
        });
        joined
    }

    /// Runs `windows` on the repair `joined` and takes what they did into
    /// its report: the children they left without a seat, the trips
    /// shortened where they replaced catchments, the pieces left.
    fn by_windows(
        &mut self,
        joined: &mut Joined,
        windows: impl FnOnce(&mut Self, &mut WindowProofs),
    ) {
        let (overflow, solved) = (joined.proofs.overflow, joined.proofs.solved);
        windows(self, &mut joined.proofs);
        joined.report.own_zone_overflow += joined.proofs.overflow - overflow;
        if joined.proofs.solved > solved {
            self.keeping_proofs(&joined.proofs, |county| county.local_search());
        }
        self.tally(&mut joined.report, &joined.start, &joined.proofs);
    }

    /// Shortens the trips of a joined county by windows around the
    /// costliest catchments, then by sweeps over every catchment whose trips
    /// differ from the whole-zone plan while one shortens a trip ([`SWEEPS`]);
    /// none left in more pieces than before. A step that would leave a
    /// piece's proof unchecked is undone alone. Only the repair kept is
    /// shortened: the windows do not decide which start joins most, and
    /// cost as much as a start's joining.
    fn shorten(&mut self, joined: Joined, solver: MipSolver) -> ContiguityReport {
        let Joined {
            mut report,
            start,
            proofs,
        } = joined;
        let first = self.first_improvement(solver);
        self.improve_keeping_proofs(&start, &proofs, first);
        for _ in 0..SWEEPS {
            if !self.improve_keeping_proofs(&start, &proofs, SWEEP) {
                break;
            }
        }
        self.tally(&mut report, &start, &proofs);
        report
    }

    /// One step of improvement windows as `effort` says, polished, undone
    /// if it leaves a piece's proof unchecked: true if it shortened a trip
    /// and was kept.
    fn improve_keeping_proofs(
        &mut self,
        start: &[Option<u32>],
        proofs: &WindowProofs,
        effort: Effort,
    ) -> bool {
        let mut improved = false;
        let kept = self.keeping_proofs(proofs, |county| {
            improved = county.improve_by_windows(start, effort) > 0;
            if improved {
                county.local_search();
            }
        });
        improved && kept
    }

    /// The report's own zones, trips, zones moved and pieces as the
    /// county stands.
    fn tally(
        &mut self,
        report: &mut ContiguityReport,
        start: &[Option<u32>],
        proofs: &WindowProofs,
    ) {
        self.count_homes(report);
        report.connected_m = self.travel();
        report.zones_moved = (0..self.zones.len())
            .filter(|&z| self.school_of[z] != start[z])
            .count();
        report.broken.clear();
        for piece in self.strays() {
            let school = self.school_of[piece[0]].expect("assigned") as usize;
            let reason = self.reason_apart(proofs, &piece);
            report.broken.push(Broken {
                school: self.schools[school],
                zones: piece.iter().map(|&z| self.zones[z]).collect(),
                reason,
            });
        }
    }

    /// Moves the county to the whole-zone core's plan of its catchments
    /// with every own zone held by its school (pieces allowed), as far as
    /// `fit` takes it, where it seats every child: a start for the repair
    /// that needs no own zone claimed.
    fn fit_holding_homes(&mut self, fit: Fit) {
        let units: Vec<usize> = (0..self.zones.len())
            .filter(|&z| self.school_of[z].is_some())
            .collect();
        let schools: Vec<usize> = (0..self.schools.len()).collect();
        let model = self.window_model(&units, &schools, HOLDING_HOMES_CHOICES);
        if let Some(plan) = fitted(&model, fit) {
            self.apply_window(&units, &schools, &plan.school);
        }
    }

    /// Runs `polish`, undone if it leaves more pieces without a reason
    /// than before: a window's proof holds only while its catchments stay
    /// as they were, and a shorter trip is not worth a piece left
    /// unexplained. True if kept.
    fn keeping_proofs(&mut self, proofs: &WindowProofs, polish: impl FnOnce(&mut Self)) -> bool {
        let before = self.school_of.clone();
        let unexplained = self.unexplained(proofs);
        polish(self);
        let kept = self.unexplained(proofs) <= unexplained;
        if !kept {
            self.restore(&before);
        }
        kept
    }

    /// Why `piece` is left: what the map shows, else a window's proof.
    fn reason_apart(&self, proofs: &WindowProofs, piece: &[usize]) -> Apart {
        match self.why_apart(piece) {
            Apart::NotFound => self.proof_of(proofs, piece).unwrap_or(Apart::NotFound),
            found => found,
        }
    }

    /// Pieces left without a certified reason.
    fn unexplained(&mut self, proofs: &WindowProofs) -> usize {
        self.strays()
            .iter()
            .filter(|piece| !self.reason_apart(proofs, piece).certified())
            .count()
    }

    /// Boundary moves and swaps that shorten trips, in turn while the
    /// swaps find something.
    fn local_search(&mut self) {
        for _ in 0..10 {
            self.polish();
            if self.swap_polish() == 0 {
                break;
            }
        }
    }

    /// The own zone is the harder rule: where no plan was found that holds
    /// every own zone and joins every piece, back to `homes` (every own
    /// zone claimed, the pieces that fitted joined), the schools brought
    /// within their seats with the remaining pieces left where they are,
    /// and those joined afterwards where room was made. True when every
    /// school fits.
    fn fit_around_homes(&mut self, homes: &[Option<u32>]) -> bool {
        self.restore(homes);
        if !self.fit() {
            return false;
        }
        self.join_strays();
        true
    }

    /// Child-metres of the catchments as they stand.
    fn travel(&self) -> i128 {
        (0..self.zones.len())
            .filter_map(|z| {
                let s = self.school_of[z]? as usize;
                Some(self.placed[z] as i128 * self.cost(z, s) as i128)
            })
            .sum()
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
    pub(in crate::plan) fn home_locked(&self, h: usize, s: usize) -> bool {
        (self.pinned[h] && self.school_of[h] != Some(s as u32))
            || self.forbidden.contains(&(h as u32, s as u32))
    }

    /// Seats of school `s`'s stage with nothing else in its catchment.
    pub(in crate::plan) fn alone(&self, s: usize) -> i64 {
        self.stage_cap[s].min(self.school_cap[s] - (self.total[s] - self.load[s]))
    }

    /// An own zone whose children alone exceed its school's seats stays the
    /// root of the catchment: the children beyond the seats (migrant
    /// children first, as local children are admitted first) are left
    /// without a seat, like any shortage, and the zone then fits. Returns
    /// the children so left.
    fn cut_overflowing_homes(&mut self) -> u32 {
        let mut cut_total = 0;
        for s in 0..self.schools.len() {
            let Some(h) = self.home[s].map(|h| h as usize) else {
                continue;
            };
            let Some(from) = self.school_of[h].map(|f| f as usize) else {
                continue;
            };
            let alone = self.alone(s);
            if from == s
                || alone <= 0
                || self.placed[h] as i64 <= alone
                || self.home_locked(h, s)
                || !self.may_take(h, s)
            {
                continue;
            }
            cut_total += self.cut_children(h, self.placed[h] - alone as u32);
        }
        cut_total
    }

    /// Gives own zone `h` back to school `s` where no plan of its window
    /// was found that seats every child with every own zone at home (the
    /// own zone is the harder rule): the school is brought within its seats
    /// by chains of boundary moves if it can be, and otherwise the children
    /// it has no seat for are taken from the own zone and left without one.
    /// Returns the children so left; `None` (nothing done) if the school
    /// is over its seats already.
    pub(in crate::plan) fn give_home_over_seats(&mut self, h: usize, s: usize) -> Option<u32> {
        if self.room(s) < 0 {
            return None;
        }
        let mut journal = Vec::new();
        self.move_piece(&[h], s, &mut journal);
        let moved = journal.len();
        if self.room(s) >= 0 || self.relieve(s, &mut journal) {
            return Some(0);
        }
        self.undo(&journal[moved..]);
        // The school had room before, so its own zone holds the excess.
        Some(self.cut_children(h, (-self.room(s)) as u32))
    }

    /// Leaves `cut` of zone `z`'s children (at most all of them) without a
    /// seat, migrant children first, as local children are admitted first;
    /// returns how many.
    pub(in crate::plan) fn cut_children(&mut self, z: usize, cut: u32) -> u32 {
        let cut = cut.min(self.placed[z]);
        let migrant = self.migrant[z].min(cut);
        self.placed[z] -= cut;
        self.migrant[z] -= migrant;
        if let Some(s) = self.school_of[z].map(|s| s as usize) {
            self.load[s] -= cut as i64;
            self.total[s] -= cut as i64;
            self.migrant_load[s] -= migrant as i64;
        }
        cut
    }

    /// Gives back the children [`Self::cut_overflowing_homes`] left without
    /// a seat: `placed` and `migrant` as they were, in whatever school each
    /// zone now is.
    fn restore_placed(&mut self, placed: &[u32], migrant: &[u32]) {
        for z in 0..self.zones.len() {
            let d = placed[z] as i64 - self.placed[z] as i64;
            let dm = migrant[z] as i64 - self.migrant[z] as i64;
            (self.placed[z], self.migrant[z]) = (placed[z], migrant[z]);
            if let Some(s) = self.school_of[z].map(|s| s as usize) {
                self.load[s] += d;
                self.total[s] += d;
                self.migrant_load[s] += dm;
            }
        }
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
            if self.placed[h] as i64 > self.alone(s) {
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
        report.own_zones_kept = 0;
        report.own_zones_locked = 0;
        report.own_zones_not_fitting = 0;
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

/// The best of `repairs`, the earlier on a tie.
fn best_of(repairs: &[(County, Joined)]) -> usize {
    let mut best = 0;
    for (i, (_, joined)) in repairs.iter().enumerate() {
        if joined.report.better_than(&repairs[best].1.report) {
            best = i;
        }
    }
    best
}

/// The best of `repairs` after `deepen`'s windows: each repair that may
/// join yet is deepened, the best first (a repair ending as another did is
/// not deepened again), until the best has no piece left that they might
/// join. A deepened repair is kept only where it is better than the best
/// so far: with the nodes spent, a window's plan may leave another
/// piece's proof unchecked.
fn deepened(
    repairs: &mut [(County, Joined)],
    mut deepen: impl FnMut(&mut County, &mut WindowProofs),
) -> usize {
    let mut best = best_of(repairs);
    let mut order: Vec<usize> = (0..repairs.len()).collect();
    order.sort_by_key(|&i| repairs[i].1.report.rank());
    let mut deepened: Vec<Vec<Option<u32>>> = Vec::new();
    for i in order {
        if !repairs[best].1.report.may_join_yet() {
            break;
        }
        let (county, joined) = &repairs[i];
        if !joined.report.may_join_yet() || deepened.contains(&county.school_of) {
            continue;
        }
        deepened.push(county.school_of.clone());
        let (mut county, mut joined) = (county.clone(), joined.clone());
        county.by_windows(&mut joined, &mut deepen);
        if joined.report.better_than(&repairs[best].1.report) {
            repairs[i] = (county, joined);
            best = i;
        }
    }
    best
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
                // Joining them would split a primary catchment again.
                reason: Apart::Feeders,
            });
        }
    }
    report
}

/// Makes every catchment one piece holding its school's own zone, where
/// the map allows; `solver` is the exact solver the run may spend time on.
pub fn make_contiguous(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &Preferences,
    barriers: &BarrierIndex,
    solver: MipSolver,
) -> [ContiguityReport; 2] {
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers,
        connected: true,
    };
    edit.apply(plan, |county| county.run(solver))
        .map(|counties| {
            let mut report = ContiguityReport {
                deep_join: preferences.deep_join,
                ..ContiguityReport::default()
            };
            for r in counties {
                report.strays_before += r.strays_before;
                report.zones_moved += r.zones_moved;
                report.broken.extend(r.broken);
                report.own_zones += r.own_zones;
                report.own_zones_kept += r.own_zones_kept;
                report.own_zones_locked += r.own_zones_locked;
                report.own_zones_shared += r.own_zones_shared;
                report.own_zones_not_fitting += r.own_zones_not_fitting;
                report.own_zone_overflow += r.own_zone_overflow;
                report.whole_zone_m += r.whole_zone_m;
                report.connected_m += r.connected_m;
            }
            report
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_region;
    use crate::plan::{Preferences, allocate};
    use crate::solve::Settings;

    /// Of two repairs, the one seating more children wins whatever its
    /// pieces; then fewer own zones given away, fewer unproven pieces,
    /// fewer pieces, fewer child-metres; a tie keeps the first.
    #[test]
    fn a_repair_is_judged_by_seats_then_own_zones_then_pieces_then_trips() {
        let piece = |reason: Apart| Broken {
            school: 0,
            zones: vec![1],
            reason,
        };
        let repair =
            |overflow: u32, not_fitting: usize, broken: Vec<Broken>, m: i128| ContiguityReport {
                own_zone_overflow: overflow,
                own_zones_not_fitting: not_fitting,
                broken,
                connected_m: m,
                ..Default::default()
            };
        let proven = || piece(Apart::Locked);
        let base = repair(0, 0, vec![proven()], 100);
        assert!(repair(0, 0, vec![proven(), proven()], 1).better_than(&repair(1, 0, vec![], 1)));
        assert!(repair(0, 0, vec![proven()], 500).better_than(&repair(0, 1, vec![], 1)));
        assert!(
            repair(0, 0, vec![proven(), proven()], 500).better_than(&repair(
                0,
                0,
                vec![piece(Apart::NotFound)],
                1
            ))
        );
        assert!(repair(0, 0, vec![], 500).better_than(&base));
        assert!(repair(0, 0, vec![proven()], 99).better_than(&base));
        assert!(!repair(0, 0, vec![proven()], 100).better_than(&base));
    }

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
