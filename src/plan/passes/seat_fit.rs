//! Connected catchments within their seats on tight maps.
//!
//! Where seats are only a few per cent above the children and zones are
//! large, a stray piece rarely fits whole into a neighbour's leftover
//! seats, and no single chain of moves makes room. Connectivity and seats
//! are then handled one after the other: every piece is joined to its
//! cheapest neighbouring catchment whatever its seats (the plan is now
//! connected), and a tabu search takes the overload apart. Each step moves
//! one boundary zone out of a school over its seats into a neighbouring
//! catchment, or swaps it for a smaller boundary zone of that neighbour
//! (only the difference moves, which fits where the seats left are fewer
//! than any zone's children), never cutting either catchment in two nor
//! touching an own zone; the overload thus travels catchment by catchment to wherever
//! seats are left, and a zone just moved may not go straight back, so the
//! search does not circle. The best plan seen (least overload, the first
//! one at that level) is kept; if it is still over somewhere, the caller
//! falls back to a plan within every limit.
//!
//! Pieces left in the end are explained, with a proof where one exists: an
//! area of the map cut off from the rest (the county's zone graph splits
//! into components) holds more children than the seats of the schools
//! standing in it, or no school standing in it may take the zone.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::plan::passes::apart::Apart;
use crate::plan::zone_moves::County;
use crate::spatial::grow;

/// States an ejection chain search may open, and links a chain may have.
const MAX_STATES: usize = 20_000;
const MAX_DEPTH: usize = 12;
/// Iterations a zone may not return to the school it just left.
const TENURE: usize = 7;
/// Iterations without a new best before the search stops. On 82 tight
/// maps of 20-1,300 zones no search found a better plan more than 157
/// steps after its last; one that cannot fit runs to this limit, so a
/// larger one only costs time (3,000 took a fifth of seed 22's run).
const PATIENCE: usize = 600;

/// One step of the search: a zone from one school to another, with a
/// zone of the other school back in exchange (a swap) or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    zone: usize,
    from: usize,
    to: usize,
    swap: Option<usize>,
    /// Change in the total overload.
    delta: i64,
}

impl Step {
    fn new(zone: usize, from: usize, to: usize, swap: Option<usize>, delta: i64) -> Self {
        Step {
            zone,
            from,
            to,
            swap,
            delta,
        }
    }

    /// The zone moves it makes: (zone, from, to).
    fn moves(&self) -> Vec<(usize, usize, usize)> {
        let mut moves = vec![(self.zone, self.from, self.to)];
        moves.extend(self.swap.map(|y| (y, self.to, self.from)));
        moves
    }
}

/// A zone that may be swapped into a neighbouring school: its children,
/// its one zone of that school next to it (if only one), and the travel
/// its move there saves.
#[derive(Clone)]
struct Partner {
    zone: usize,
    children: i64,
    only_neighbour: Option<usize>,
    back: i64,
}

impl Partner {
    /// Whether it may come back for zone `z` of `q` children: it must have
    /// fewer (the swap must relieve the school), and stay next to the
    /// school once `z` has left.
    fn swaps_for(&self, z: usize, q: i64) -> bool {
        self.children < q && self.only_neighbour != Some(z)
    }
}

impl County<'_> {
    /// Children over the seats of school `s`.
    fn over(&self, s: usize) -> i64 {
        (-self.room(s)).max(0)
    }

    /// Joins every stray piece to a neighbouring catchment, then moves
    /// zones until every school fits its seats. True when it does (every
    /// catchment that could be joined is then connected).
    pub(in crate::plan) fn attach_and_fit(&mut self) -> bool {
        self.attach_strays();
        self.fit()
    }

    /// Moves zones of the schools' main pieces until every school fits
    /// its seats, stray pieces left where they are. True when all fit.
    pub(in crate::plan) fn fit(&mut self) -> bool {
        self.eject_overload() || (self.fit_seats(), self.eject_overload()).1
    }

    /// Relieves schools over their seats by ejection chains, the most
    /// overloaded first, while any chain helps. True when all fit.
    fn eject_overload(&mut self) -> bool {
        loop {
            let mut over: Vec<(i64, usize)> = (0..self.schools.len())
                .map(|s| (self.over(s), s))
                .filter(|&(x, _)| x > 0)
                .collect();
            if over.is_empty() {
                return true;
            }
            over.sort_unstable_by_key(|&(x, s)| (std::cmp::Reverse(x), s));
            let mut progress = false;
            for (_, s) in over {
                if self.over(s) == 0 {
                    continue;
                }
                for full in [true, false] {
                    if let Some(chain) = self.ejection_chain(s, full)
                        && self.apply_chain(&chain)
                    {
                        progress = true;
                        break;
                    }
                }
            }
            if !progress {
                return false;
            }
        }
    }

    /// Moves a chain's zones (last link first); undoes it and returns false
    /// if a catchment it touched came apart.
    fn apply_chain(&mut self, chain: &[(usize, usize)]) -> bool {
        let mut journal = Vec::new();
        let mut touched = Vec::new();
        for &(z, to) in chain {
            let from = self.school_of[z].expect("assigned") as usize;
            journal.push((z, from));
            touched.extend([from, to]);
            self.move_zone(z, to);
        }
        for &s in &touched {
            self.refresh(s);
        }
        let whole = touched
            .iter()
            .all(|&s| self.members[s].iter().all(|&z| self.main[z as usize]));
        if !whole {
            self.undo(&journal);
        }
        whole
    }

    /// An ejection chain out of school `s`: it gives a boundary zone to a
    /// neighbouring catchment, which gives one on if the zone does not fit
    /// its seats, and so on until a school has room; every school on the
    /// chain ends within its seats and in one piece. `full`: the first zone
    /// covers all of `s`'s overload (else any part of it). Breadth first
    /// over (school, zone received) with the cheapest moves first; the
    /// moves returned from the end of the chain.
    fn ejection_chain(&mut self, s: usize, full: bool) -> Option<Vec<(usize, usize)>> {
        const NONE: usize = usize::MAX;
        // (school, zone received, parent state, depth)
        let mut states: Vec<(usize, usize, usize, usize)> = vec![(s, NONE, NONE, 0)];
        let mut seen = std::collections::HashSet::new();
        let mut i = 0;
        while i < states.len() && states.len() < MAX_STATES {
            let (t, z_in, _, depth) = states[i];
            let mut path = vec![];
            let mut k = i;
            while k != NONE {
                path.push(states[k].0);
                k = states[k].2;
            }
            let q_in = if z_in == NONE {
                0
            } else {
                self.placed[z_in] as i64
            };
            let need = q_in - self.room(t);
            let mut moves: Vec<(i64, usize, usize)> = Vec::new();
            for &z in &self.members[t] {
                let z = z as usize;
                let q = self.placed[z] as i64;
                let enough = q >= need || (i == 0 && !full);
                if z == z_in
                    || q == 0
                    || !enough
                    || !self.main[z]
                    || self.pinned[z]
                    || self.home[t] == Some(z as u32)
                    || (z_in != NONE && self.holds_alone(z_in, z, t))
                {
                    continue;
                }
                for &w in &self.neighbours[z] {
                    let w = w as usize;
                    let Some(u) = self.school_of[w].map(|u| u as usize) else {
                        continue;
                    };
                    if path.contains(&u) || !self.main[w] || !self.may_take(z, u) {
                        continue;
                    }
                    moves.push((q * (self.cost(z, u) - self.cost(z, t)), z, u));
                }
            }
            moves.sort_unstable();
            moves.dedup();
            for (_, z, u) in moves {
                if !seen.insert((z, u)) || !self.stays_connected_without(z, t as u32) {
                    continue;
                }
                states.push((u, z, i, depth + 1));
                if self.room(u) >= self.placed[z] as i64 {
                    let mut chain = Vec::new();
                    let mut k = states.len() - 1;
                    while states[k].1 != NONE {
                        chain.push((states[k].1, states[k].0));
                        k = states[k].2;
                    }
                    return Some(chain);
                }
                if depth + 1 >= MAX_DEPTH {
                    states.pop();
                }
            }
            i += 1;
        }
        None
    }

    /// Whether zone `z_in`, just received by school `t`, touches `t` only
    /// through zone `z` (so `z` may not leave).
    fn holds_alone(&self, z_in: usize, z: usize, t: usize) -> bool {
        !self.neighbours[z_in]
            .iter()
            .any(|&w| w as usize != z && self.school_of[w as usize] == Some(t as u32))
    }

    /// Each stray piece to the cheapest neighbouring catchment that may
    /// take it, whatever its seats; round after round, as a piece may only
    /// border other pieces at first.
    fn attach_strays(&mut self) {
        for _ in 0..self.zones.len().max(1) {
            let mut progress = false;
            for piece in self.strays() {
                if !self.still_stray(&piece) {
                    continue;
                }
                if let Some(&(_, r)) = self.receivers(&piece).first() {
                    self.move_piece(&piece, r, &mut Vec::new());
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
    }

    /// Tabu search on the total overload; keeps the best plan seen.
    fn fit_seats(&mut self) -> bool {
        let mut over: i64 = (0..self.schools.len()).map(|s| self.over(s)).sum();
        if over == 0 {
            return true;
        }
        let n = self.zones.len();
        let mut journal: Vec<(usize, usize)> = Vec::new();
        let (mut best, mut best_len, mut since_best) = (over, 0, 0);
        let mut tabu_until = vec![0usize; n];
        let mut tabu_from = vec![u32::MAX; n];
        let limit = (40 * n).clamp(4000, 100_000);
        for iter in 1..=limit {
            let tabu = |z: usize, r: usize| tabu_from[z] == r as u32 && tabu_until[z] > iter;
            let Some(step) = self.best_step(over, best, tabu) else {
                break;
            };
            for (z, from, to) in step.moves() {
                journal.push((z, from));
                self.move_zone(z, to);
                tabu_from[z] = from as u32;
                tabu_until[z] = iter + TENURE + iter % 5;
            }
            self.refresh(step.from);
            self.refresh(step.to);
            over += step.delta;
            if over < best {
                (best, best_len, since_best) = (over, journal.len(), 0);
                if over == 0 {
                    break;
                }
            } else {
                since_best += 1;
                if since_best > PATIENCE {
                    break;
                }
            }
        }
        self.undo(&journal[best_len..]);
        best == 0
    }

    /// The best step out of a school over its seats: a boundary zone to a
    /// neighbouring catchment, or that zone swapped for a smaller boundary
    /// zone of the neighbour (where seats are tighter than a zone, only the
    /// difference of two zones fits). Least overload after it, then least
    /// added travel; a tabu step only if it reaches a new best.
    fn best_step(
        &mut self,
        over: i64,
        best: i64,
        tabu: impl Fn(usize, usize) -> bool,
    ) -> Option<Step> {
        let mut steps: Vec<Reverse<(i64, i64, Step)>> = Vec::new();
        for s in 0..self.schools.len() {
            let excess = self.over(s);
            if excess == 0 {
                continue;
            }
            let mut partners: Vec<Option<Vec<Partner>>> = vec![None; self.schools.len()];
            for &z in &self.members[s] {
                let z = z as usize;
                let q = self.placed[z] as i64;
                if q == 0 || !self.main[z] || self.pinned[z] || self.home[s] == Some(z as u32) {
                    continue;
                }
                let mut receivers: Vec<usize> = self.neighbours[z]
                    .iter()
                    .filter(|&&w| self.main[w as usize])
                    .filter_map(|&w| self.school_of[w as usize].map(|r| r as usize))
                    .filter(|&r| r != s && self.may_take(z, r))
                    .collect();
                receivers.sort_unstable();
                receivers.dedup();
                let here = self.cost(z, s);
                for r in receivers {
                    let room = self.room(r);
                    let shift =
                        |d: i64| (excess - d).max(0) - excess + (d - room).max(0) - (-room).max(0);
                    let out = q * (self.cost(z, r) - here);
                    let delta = shift(q);
                    if !(tabu(z, r) && over + delta >= best) {
                        let step = Step::new(z, s, r, None, delta);
                        steps.push(Reverse((delta, out, step)));
                    }
                    let partners = partners[r].get_or_insert_with(|| self.swap_partners(s, r));
                    for p in partners.iter().filter(|p| p.swaps_for(z, q)) {
                        let y = p.zone;
                        let delta = shift(q - self.placed[y] as i64);
                        if (tabu(z, r) || tabu(y, s)) && over + delta >= best {
                            continue;
                        }
                        let step = Step::new(z, s, r, Some(y), delta);
                        steps.push(Reverse((delta, out + p.back, step)));
                    }
                }
            }
        }
        // Only the first steps in order are usually looked at: a heap
        // gives them without sorting all.
        let mut steps = BinaryHeap::from(steps);
        let mut last = None;
        while let Some(Reverse(next)) = steps.pop() {
            if last.replace(next) == Some(next) {
                continue;
            }
            if self.keeps_whole(&next.2) {
                return Some(next.2);
            }
        }
        None
    }

    /// Zones of school `r` that may go to school `s` in exchange for one
    /// of `s`'s: on `r`'s boundary with `s`, free to leave and to be taken.
    fn swap_partners(&self, s: usize, r: usize) -> Vec<Partner> {
        self.members[r]
            .iter()
            .map(|&y| y as usize)
            .filter(|&y| {
                self.main[y]
                    && !self.pinned[y]
                    && self.home[r] != Some(y as u32)
                    && self.may_take(y, s)
            })
            .filter_map(|y| {
                let mut at_s = self.neighbours[y].iter().filter(|&&w| {
                    self.main[w as usize] && self.school_of[w as usize] == Some(s as u32)
                });
                let first = *at_s.next()? as usize;
                Some(Partner {
                    zone: y,
                    children: self.placed[y] as i64,
                    only_neighbour: at_s.next().is_none().then_some(first),
                    back: self.placed[y] as i64 * (self.cost(y, s) - self.cost(y, r)),
                })
            })
            .collect()
    }

    /// Whether a step leaves both its catchments in one piece: a move is
    /// checked as it stands, a swap by making it and undoing it.
    fn keeps_whole(&mut self, step: &Step) -> bool {
        if step.swap.is_none() {
            return self.stays_connected_without(step.zone, step.from as u32);
        }
        let mut journal = Vec::new();
        for (z, from, to) in step.moves() {
            journal.push((z, from));
            self.move_zone(z, to);
        }
        self.refresh(step.from);
        self.refresh(step.to);
        let whole = [step.from, step.to]
            .iter()
            .all(|&s| self.members[s].iter().all(|&z| self.main[z as usize]));
        self.undo(&journal);
        whole
    }

    /// Why a stray piece is left, as far as the map alone shows (a lock,
    /// an island, a short area, an unreachable zone); `NotFound` otherwise.
    pub(in crate::plan) fn why_apart(&self, piece: &[usize]) -> Apart {
        if piece.iter().any(|&z| self.pinned[z]) {
            return Apart::Locked;
        }
        let area = self.component(piece[0]);
        let mut inside = vec![false; self.zones.len()];
        for &z in &area {
            inside[z] = true;
        }
        // Schools whose catchment may reach the area: those standing in it,
        // and those with no own zone (their catchment may lie anywhere).
        let reach: Vec<usize> = (0..self.schools.len())
            .filter(|&t| self.takes[t] && self.home[t].is_none_or(|h| inside[h as usize]))
            .collect();
        let children: i64 = area.iter().map(|&z| self.placed[z] as i64).sum();
        let seats: i64 = reach
            .iter()
            .map(|&t| {
                self.stage_cap[t]
                    .min(self.school_cap[t] - (self.total[t] - self.load[t]))
                    .max(0)
            })
            .sum();
        if reach.is_empty() {
            return Apart::Island { zones: area.len() };
        }
        if children > seats {
            return Apart::Short {
                zones: area.len(),
                children,
                seats,
                schools: reach.len(),
            };
        }
        if let Some(&z) = piece
            .iter()
            .find(|&&z| reach.iter().all(|&t| !self.may_take(z, t)))
        {
            return Apart::Unreachable {
                zone: self.zones[z],
            };
        }
        Apart::NotFound
    }

    /// The zones connected to `start` in the county's zone graph.
    fn component(&self, start: usize) -> Vec<usize> {
        let mut seen = vec![false; self.zones.len()];
        seen[start] = true;
        grow(start, &self.neighbours, |w| {
            !std::mem::replace(&mut seen[w], true)
        })
    }
}
