//! Exact re-solves of the catchments around a stray piece.
//!
//! Where the moves of the connected repair leave a piece (or an own zone
//! given away) on a tight map, a connected plan often still exists, but
//! only by rearranging several catchments at once. The window is the
//! catchments touching the piece and, while it stays small, their
//! neighbours: a few dozen zones, whole catchments only, so every school
//! of the window keeps exactly the seats the rest of the map leaves it and
//! no catchment outside it changes. That window is solved exactly as the
//! connected model (`solve::connected`), every own zone its school's root,
//! within a node budget. A plan found replaces the window's catchments; a
//! model proven infeasible is the proof that no connected plan of those
//! catchments holds the piece, with the rest of the map as it stands.

use std::ops::ControlFlow;

use crate::plan::passes::apart::Apart;
use crate::plan::zone_moves::County;
use crate::solve::connected::memo::Memo;
use crate::solve::connected::pieces;
use crate::solve::connected::search::Search;
use crate::solve::connected::{self, Budgeted, ConnectedModel, ConnectedPlan, Contiguity};
use crate::solve::in_order::in_order;
use crate::solve::mip::MipSolver;

/// Zones a window grows to with its neighbouring catchments; the
/// catchments touching the piece are always in it.
const MAX_WINDOW_ZONES: usize = 64;
/// A window larger than this (its first ring alone) is not tried; the
/// wide windows grow up to it.
const MAX_RING_ZONES: usize = 96;
/// Branch-and-bound nodes of the exact solve of a window: first few for
/// every window, then many for the windows of the pieces still left
/// without a proof. Most windows are decided within the first budget, and
/// a window left undecided there is often made moot by another's plan.
const NODES: [u64; 2] = [3_000, 20_000];
/// Zones of the small windows tried first (see [`PASSES`]).
const SMALL_WINDOW_ZONES: usize = 25;

/// One pass of the repair's windows: windows of at most `zones` zones
/// around the pieces `skip` does not leave alone, each searched
/// exhaustively within `nodes` nodes and, where that finds no plan and
/// proves none impossible, hunted for one by short dives in many orders
/// within `hunt` nodes (see [`hunt`]).
#[derive(Clone, Copy)]
struct Pass {
    zones: usize,
    nodes: u64,
    hunt: u64,
    skip: Skip,
    /// Whether the windows are balls (module `ball_window`) rather than
    /// whole catchments.
    ball: bool,
}

impl Pass {
    /// Nodes a window gets in this pass in all: one searched as it stands
    /// with as many before is not searched again.
    fn effort(self) -> u64 {
        self.nodes + self.hunt
    }
}

/// The pieces a pass leaves alone.
#[derive(Clone, Copy, PartialEq)]
enum Skip {
    Nothing,
    /// Pieces with a full window's proof.
    FullyProven,
    /// Pieces with any window's proof (as the report certifies them).
    Proven,
}

/// The small and the full windows' first passes (see [`PASSES`]).
const SMALL: Pass = Pass {
    zones: SMALL_WINDOW_ZONES,
    nodes: NODES[0],
    hunt: 0,
    skip: Skip::Nothing,
    ball: false,
};
const FULL: Pass = Pass {
    zones: MAX_WINDOW_ZONES,
    nodes: NODES[0],
    hunt: 0,
    skip: Skip::Nothing,
    ball: false,
};

/// Small windows first: their search decides within few nodes where a
/// full one's often does not, and their plans are as good; on 146 tight
/// 300-zone maps they leave 59 catchments in pieces instead of 78, and one
/// map with a piece unproven instead of four. A small window's proof is
/// kept, but the full window is still searched: its seats may hold the
/// piece. Only a full window gives an own zone back without a plan.
///
/// Then the wide windows (up to [`MAX_RING_ZONES`] zones) around every
/// piece left, proven or not: a full window's proof holds only with the
/// catchments around it as they stand, and half as many zones again often
/// hold a connected plan that is found at once. On the 146 tight 300-zone
/// maps they join 24 of the 54 catchments the full windows had proven
/// impossible. A plan there moves catchments other pieces' proofs stood
/// on, so the full windows are searched again where the map changed (not
/// the small ones: a small window's proof would keep the long hunt
/// ([`LONG_HUNT`]) from a piece whose full window is undecided, as on the
/// map of seed 219519, whose connected plan only the hunt finds).
///
/// Last, the pieces still without any proof are hunted for a plan briefly
/// in the wider windows of [`DEEPEN`]. The long hunt of their full windows
/// ([`LONG_HUNT`]) waits for the county's other starts and wider windows.
const PASSES: [Pass; 8] = [
    SMALL,
    FULL,
    Pass {
        zones: MAX_RING_ZONES,
        nodes: WIDE_NODES[0],
        hunt: WIDE_NODES[1],
        skip: Skip::Nothing,
        ball: false,
    },
    AFTER_WIDE[0],
    AFTER_WIDE[1],
    AFTER_WIDE[2],
    AFTER_WIDE[3],
    AFTER_WIDE[4],
];
/// The passes after the wide windows' (see [`PASSES`]), which also follow
/// the wider windows of [`DEEPEN`].
const AFTER_WIDE: [Pass; 5] = [
    FULL,
    Pass {
        zones: MAX_WINDOW_ZONES,
        nodes: NODES[1],
        hunt: 0,
        skip: Skip::FullyProven,
        ball: false,
    },
    unproven(DEEPEN[0]),
    unproven(DEEPEN[1]),
    unproven(DEEPEN[2]),
];
/// The hunt of the full windows of the pieces still without any proof,
/// once a county's starts and their wider windows are done (each repair
/// that may join yet, the best first; see `contiguity::deepened`). A
/// window the search leaves undecided may hold a plan that only a long
/// hunt finds (the whole-map window of seed 219519: its plan within
/// 200,000 nodes), but on tight 300-zone maps the other routes mostly join
/// such pieces first. When each start's repair ended with this hunt, on
/// 745 tight maps it ran five times on four maps (one run each, traced):
/// a plan once (seed 366, in 0.1 s) and 0.7-1.6 s in vain four times
/// (seeds 252 and 335, and 279 twice, whose piece the wider windows then
/// joined). Coming last, it leaves every plan of the 745 as it was, and
/// the whole command takes 2.55 -> 1.40 s on seed 252, 8.19 -> 3.80 s on
/// 279, 3.78 -> 1.82 s on 335, but 2.44 -> 4.59 s on 366 (its wider
/// windows run in vain first; median of 3, 5 December 2026).
const LONG_HUNT: Pass = Pass {
    zones: MAX_WINDOW_ZONES,
    nodes: 0,
    hunt: HUNT_NODES,
    skip: Skip::Proven,
    ball: false,
};
/// Nodes of the search and of the hunt in a wide window: where it holds a
/// plan, one is nearly always found within them. On the 146 maps (with
/// the small windows searched again after them) 1,000 and 300 join as
/// many pieces, 2,000 and 500 one more; the search alone (2,000 nodes)
/// eight fewer and the hunt alone (500) five fewer: each finds plans the
/// other misses.
const WIDE_NODES: [u64; 2] = [500, 300];
/// Nodes of the hunt for a plan of a window the search left undecided.
const HUNT_NODES: u64 = 200_000;

/// The passes a county's repairs left with pieces proven only locally
/// get last: windows wider than the wide ones, hunted far longer. Which
/// size holds a plan the hunt finds varies from map to map, so there are
/// three. On tight 300-zone maps of seeds 146-445 the repairs left 16
/// maps with such pieces (28 catchments); these passes join every
/// catchment of 11 of them (hunts in 112-zone windows alone 8, in 96- and
/// 112-zone ones 10; 160-zone windows with 20,000 nodes of search and
/// 20,000 of hunt 7); on fresh seeds 446-745, 4 of 16.
const DEEPEN: [Pass; 3] = [hunted(96, 10_000), hunted(104, 10_000), hunted(112, 10_000)];
/// Nodes the windows of [`DEEPEN`] (and the passes after them) may spend
/// on a county in all, over every repair deepened: ten windows. Without
/// it, seed 460, left in five pieces by three repairs, took 15 s (one
/// run, beside another job); with it, 2.6 s, and the passes join one map
/// of seeds 146-445 fewer (362).
const DEEPEN_NODES: u64 = 100_000;
/// The same with `--deep-join`: longer hunts, and wider windows searched.
const DEEP_JOIN: [Pass; 5] = [
    hunted(96, 30_000),
    hunted(104, 30_000),
    hunted(112, 30_000),
    hunted(128, 30_000),
    Pass {
        zones: 160,
        nodes: 20_000,
        hunt: 20_000,
        skip: Skip::Nothing,
        ball: false,
    },
];
/// Nodes of [`DEEP_JOIN`] on a county in all: up to about a minute on a
/// tight 300-zone map.
const DEEP_JOIN_NODES: u64 = 3_000_000;

/// The balls around the pieces a county's starts left (module
/// `ball_window`), searched and then hunted: they come before the wider
/// windows of [`DEEPEN`], whose seconds they spare where they join every
/// piece. On 23 slow tight 300-zone maps (18 of them left in pieces),
/// one size of 64 zones leaves 23 catchments in pieces where the
/// windows alone left 46, in 55.2 s against 51.6 s in all (one run each,
/// 6 December 2026); sizes 48, 64 and 80 in turn 22 in 90 s, and with
/// 1,000 nodes of search and of hunt instead of 3,000, 27 in 74 s.
const BALL: Pass = Pass {
    zones: MAX_WINDOW_ZONES,
    nodes: BALL_NODES,
    hunt: BALL_NODES,
    skip: Skip::Nothing,
    ball: true,
};
/// Nodes of a ball's search, and of its hunt where the search leaves it
/// undecided.
const BALL_NODES: u64 = 3_000;

/// Last, the whole county as one window, searched briefly: every catchment
/// free, nothing held outside, so a proof that it has no connected plan is
/// the map's own (no plan within every limit keeps every catchment in one
/// piece), and a plan found joins every piece. On the 13 tight 300-zone
/// maps of 745 the passes before leave in pieces (each proven only
/// locally), 3,000 nodes prove it for seed 542 (in 2 ms), find a plan for
/// seed 518, and decide none of the 11 others (0.15-0.4 s each).
/// 20,000 nodes decide no more of them, in 0.75-1.8 s each.
const WHOLE_COUNTY: Pass = Pass {
    zones: usize::MAX,
    nodes: 3_000,
    hunt: 0,
    skip: Skip::Nothing,
    ball: false,
};
/// Zones a county may have for [`WHOLE_COUNTY`]: a search's nodes grow
/// with the zones, and larger counties are seldom this tight all over.
const WHOLE_COUNTY_ZONES: usize = 400;

/// `pass` for the pieces without any proof only.
const fn unproven(pass: Pass) -> Pass {
    Pass {
        skip: Skip::Proven,
        ..pass
    }
}

/// A pass of windows of up to `zones` zones around every piece left,
/// each hunted for a plan within `nodes` nodes.
const fn hunted(zones: usize, nodes: u64) -> Pass {
    Pass {
        zones,
        nodes: 0,
        hunt: nodes,
        skip: Skip::Nothing,
        ball: false,
    }
}
/// Nodes a repair's search goes on for without a cheaper plan, once it has
/// one (the improvement step polishes the plan after).
const SETTLE_NODES: u64 = 2_000;

/// Rounds of windows over the pieces left, while one helps.
const ROUNDS: usize = 8;

/// How far a round of improvement windows goes: around how many of the
/// costliest catchments, each window's search nodes, and the MIP solver
/// that searches the window too (none: our search alone).
#[derive(Clone, Copy)]
pub(in crate::plan) struct Effort {
    windows: usize,
    nodes: u64,
    mips: Option<MipSolver>,
}

/// Catchments whose window is re-solved as the first improvement step,
/// the costliest first.
const IMPROVE: usize = 3;
/// Nodes of each of those searches: `IMPROVE_WORK` over the county's
/// zones, within `IMPROVE_NODES`. A small county is cheap to plan and often
/// whole in its windows, where more nodes find the connected optimum (a
/// 50-zone map 4.7 % above it with 400); a large one keeps its time (the
/// whole command on 300 zones within 0.5 s).
const IMPROVE_WORK: u64 = 1_000_000;
const IMPROVE_NODES: std::ops::RangeInclusive<u64> = 400..=20_000;
/// Then sweeps: the window of every catchment whose trips differ from the
/// whole-zone plan, by short searches alone (a window as a sweep before
/// left it is answered from the memo), in rounds while one shortens a trip
/// (`contiguity::SWEEPS`). The first step's three windows leave the price
/// of contiguity far above what is in reach: on 745 tight 300-zone maps
/// the sweeps shorten 604 plans and lengthen one (by 0.07 %), 1.61 % fewer
/// child-km in all (16.2 % on seed 626), the price's median 3.43 -> 2.14
/// %, with the same pieces left; on 50 of them (every fifteenth) the whole
/// command takes 23 % longer (12.8 -> 15.7 s, medians 0.18 -> 0.24 s,
/// alternating runs, 6 December 2026). Variants, on the same 50 against no
/// sweeps, measured earlier that day with the machine slower: sweeping
/// only the catchments costlier than in the whole-zone plan, 1.04 % fewer
/// child-km for 11 % more time (0.34 % more child-km than now over the
/// 745), and so with 150 nodes a window 0.74 % for 7 %; without the first
/// step, rounds of every costlier catchment's window within 1,000 nodes
/// 1.7 % for 24 %, or searched as the first step's (3,333 nodes and the
/// MIPs) 1.9 % for three times the time.
pub(in crate::plan) const SWEEP: Effort = Effort {
    windows: usize::MAX,
    nodes: 300,
    mips: None,
};
/// Schools each zone may go to in the improvement step's restricted MIP
/// (its own and the cheapest others of the window), and its nodes.
const CHOICES: usize = 4;
const RESTRICTED_NODES: u64 = 100;
/// Rounds of the improvement step's MIP by cuts (with HiGHS), and nodes
/// per round.
const CUT_ROUNDS: usize = 12;
const CUT_NODES: u64 = 400;

/// What the windows did in one county's stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub(in crate::plan) struct WindowProofs {
    /// Windows whose catchments were replaced.
    pub(in crate::plan) solved: usize,
    /// Windows proven to admit no connected plan.
    proofs: Vec<Proof>,
    /// Windows searched without a plan, as a hash of their zones, schools
    /// and catchments, with the nodes spent (`u64::MAX` where proven to
    /// have none): the pieces of one window would each search it again
    /// unchanged.
    searched: Vec<(u64, u64)>,
    /// Children of own zones given back where no plan seats them all.
    pub(in crate::plan) overflow: u32,
    /// Nodes the windows may still spend, where they are limited (the
    /// wider windows of [`DEEPEN`]): a window whose budget does not fit is
    /// not searched.
    nodes_left: Option<u64>,
}

/// A window whose connected model is infeasible.
#[derive(Clone, Debug, PartialEq)]
struct Proof {
    /// Its zones, in order, and schools.
    units: Vec<usize>,
    schools: Vec<usize>,
    reason: Apart,
    /// Whether the window was of the full size or wider (a smaller one's
    /// proof does not stop the search of the full one).
    full: bool,
}

impl County<'_> {
    /// The proof that `piece` cannot be joined, if a window gave one that
    /// still holds: the piece lies in the window and the window's schools
    /// hold exactly its zones (so each has the seats it had then).
    pub(in crate::plan) fn proof_of(
        &self,
        proofs: &WindowProofs,
        piece: &[usize],
    ) -> Option<Apart> {
        self.proof_among(proofs, piece, false)
    }

    /// As [`County::proof_of`], of full-size windows only if `full`.
    fn proof_among(&self, proofs: &WindowProofs, piece: &[usize], full: bool) -> Option<Apart> {
        proofs
            .proofs
            .iter()
            .filter(|p| p.full || !full)
            .filter(|p| {
                let mut now: Vec<usize> = p
                    .schools
                    .iter()
                    .flat_map(|&s| self.members[s].iter().map(|&z| z as usize))
                    .collect();
                now.sort_unstable();
                now == p.units && piece.iter().all(|z| p.units.binary_search(z).is_ok())
            })
            // A proof of the whole area before one that holds only with
            // the rest of the map as it stands.
            .min_by_key(|p| p.reason.proven_locally())
            .map(|p| p.reason.clone())
    }

    /// Re-solves exactly the window around every own zone given away and
    /// every stray piece left, round after round while a window helps.
    /// Where no connected plan of an own zone's window is found, the zone
    /// is still given back to its school, the window's schools fitted
    /// around their own zones within their seats, pieces allowed; those
    /// pieces then get windows of their own. Where no such fit is found,
    /// the zone is given back and the children its school has no seat for
    /// are left without one (`WindowProofs::overflow`).
    pub(in crate::plan) fn repair_by_windows(&mut self, out: &mut WindowProofs) {
        self.window_passes(&PASSES, out);
    }

    /// The wider windows ([`DEEPEN`], or [`DEEP_JOIN`] with `--deep-join`)
    /// around the pieces a repair left, then the passes that follow the
    /// wide one, where those changed the map.
    pub(in crate::plan) fn deepen_by_windows(&mut self, out: &mut WindowProofs, nodes: &mut u64) {
        let deeper: &[Pass] = if self.deep_join { &DEEP_JOIN } else { &DEEPEN };
        out.nodes_left = Some(*nodes);
        self.window_passes(deeper, out);
        self.window_passes(&AFTER_WIDE, out);
        *nodes = out.nodes_left.take().expect("set above");
    }

    /// The balls ([`BALL`]) around the pieces a repair left, then the full
    /// windows again where those changed the map: a ball proves nothing, and
    /// a plan there may move the catchments another piece's proof stood on.
    pub(in crate::plan) fn join_by_balls(&mut self, out: &mut WindowProofs) {
        self.window_passes(&[BALL], out);
        self.window_passes(&AFTER_WIDE[..2], out);
    }

    /// The long hunt ([`LONG_HUNT`]) around the pieces left without any
    /// proof, then, on a county small enough, the whole county as one
    /// window ([`WHOLE_COUNTY`]).
    pub(in crate::plan) fn hunt_long(&mut self, out: &mut WindowProofs) {
        self.window_passes(&[LONG_HUNT], out);
        if self.zones.len() <= WHOLE_COUNTY_ZONES {
            self.window_passes(&[WHOLE_COUNTY], out);
        }
    }

    /// Nodes the wider windows may spend on a county's repairs in all.
    pub(in crate::plan) fn deepen_nodes(&self) -> u64 {
        if self.deep_join {
            DEEP_JOIN_NODES
        } else {
            DEEPEN_NODES
        }
    }

    /// Each of `passes` in turn, in rounds while one helps.
    fn window_passes(&mut self, passes: &[Pass], out: &mut WindowProofs) {
        for &pass in passes {
            for _ in 0..ROUNDS {
                if !self.window_round(pass, out) {
                    break;
                }
            }
        }
    }

    /// One round of windows as `pass` says, around the own zones given
    /// away and then the pieces; true if one helped. Windows are solved
    /// several side by side, each committed in turn as one thread would
    /// ([`in_order`]).
    fn window_round(&mut self, pass: Pass, out: &mut WindowProofs) -> bool {
        let mut round = Round {
            county: self,
            proofs: out,
            progress: false,
        };
        // Own zones given away get windows of whole catchments only: a
        // ball's model cannot give one back without a plan.
        if !pass.ball {
            let schools: Vec<usize> = (0..round.county.schools.len()).collect();
            round.windows(&schools, pass, |r, &s| {
                let h = r.county.home_to_claim(s)?;
                r.county.due(&[h], Some((h, s)), pass, r.proofs)
            });
        }
        let pieces = round.county.strays();
        round.windows(&pieces, pass, |r, piece| {
            if !r.county.still_stray(piece) {
                return None;
            }
            let proven = |full| r.county.proof_among(r.proofs, piece, full).is_some();
            let left_alone = match pass.skip {
                Skip::Nothing => false,
                Skip::FullyProven => proven(true),
                Skip::Proven => proven(false),
            };
            if left_alone {
                return None;
            }
            r.county
                .due(piece, None, pass, r.proofs)
                .filter(|w| w.search)
        });
        round.progress
    }

    /// The window around `focus` (a stray piece, or own zone `h` given
    /// away by its school `s`), unless too large; its exact search is due
    /// unless it was searched as it stands with as many nodes before.
    fn due(
        &self,
        focus: &[usize],
        home: Option<(usize, usize)>,
        pass: Pass,
        proofs: &WindowProofs,
    ) -> Option<Due> {
        if proofs.nodes_left.is_some_and(|left| left < pass.effort()) {
            return None;
        }
        let (units, schools, model) = if pass.ball {
            let units = self.ball(focus, pass.zones);
            let (model, schools) = self.ball_model(&units);
            (units, schools, model)
        } else {
            let (units, schools) = self.window(focus, home.map(|(_, s)| s), pass.zones)?;
            let model = self.window_model(&units, &schools, usize::MAX);
            (units, schools, model)
        };
        let full = !pass.ball && pass.zones >= MAX_WINDOW_ZONES;
        let key = self.window_key(pass.ball, &units, &schools);
        let search = !proofs
            .searched
            .iter()
            .any(|&(k, spent)| k == key && spent >= pass.effort());
        Some(Due {
            units,
            schools,
            key,
            model,
            search,
            proves: !pass.ball,
            // Only a full window gives an own zone back without a
            // connected plan: a small one has too few seats around it.
            home: home.filter(|_| full),
            full,
        })
    }

    /// Takes a window's outcome: a connected plan replaces its catchments;
    /// a proof or an undecided search is recorded. An own zone's window
    /// without a connected plan is fitted around its roots, pieces allowed,
    /// or else the zone is given back all the same (see
    /// [`County::give_home_over_seats`]). True if the map changed.
    fn commit_window(
        &mut self,
        due: Due,
        outcome: Outcome,
        nodes: u64,
        proofs: &mut WindowProofs,
    ) -> bool {
        if outcome.searched.is_some()
            && let Some(left) = &mut proofs.nodes_left
        {
            *left -= nodes;
        }
        match outcome.searched {
            Some(Budgeted::Plan(plan)) => {
                self.apply_window(&due.units, &due.schools, &plan.school);
                proofs.solved += 1;
                return true;
            }
            Some(Budgeted::Infeasible) => {
                proofs.searched.push((due.key, u64::MAX));
                if due.proves {
                    let whole_area = self.holds_whole_area(&due.units);
                    proofs.proofs.push(Proof {
                        units: due.units.clone(),
                        schools: due.schools.clone(),
                        reason: Apart::NoConnectedPlan {
                            zones: due.units.len(),
                            schools: due.schools.len(),
                            whole_area,
                        },
                        full: due.full,
                    });
                }
            }
            Some(Budgeted::Unknown) => proofs.searched.push((due.key, nodes)),
            None => {}
        }
        let Some((h, s)) = due.home else {
            return false;
        };
        if let Some(plan) = outcome.fit {
            self.apply_window(&due.units, &due.schools, &plan.school);
            return true;
        }
        let Some(cut) = self.give_home_over_seats(h, s) else {
            return false;
        };
        proofs.overflow += cut;
        true
    }

    /// The first improvement step: the windows of the costliest
    /// catchments, searched long and by the MIPs of `solver`.
    pub(in crate::plan) fn first_improvement(&self, solver: MipSolver) -> Effort {
        let nodes = (IMPROVE_WORK / self.zones.len().max(1) as u64)
            .clamp(*IMPROVE_NODES.start(), *IMPROVE_NODES.end());
        Effort {
            windows: IMPROVE,
            nodes,
            mips: Some(solver),
        }
    }

    /// Re-solves the windows around the catchments whose trips differ from
    /// the whole-zone plan `start`, those that cost most above it first
    /// (child-metres of their zones there against at their school in
    /// `start`), as far as `effort` says, keeping a window's answer only
    /// where it is connected and shorter. A catchment that costs less than
    /// in `start` is looked at too: where an own zone's children beyond its
    /// seats were left without one, `start` is no longer a plan of the same
    /// children, and a cheaper catchment may still be shortened (a 10-zone
    /// map of two schools was left 12.7 % above its connected optimum).
    /// Returns the windows improved.
    pub(in crate::plan) fn improve_by_windows(
        &mut self,
        start: &[Option<u32>],
        effort: Effort,
    ) -> usize {
        let mut excess = vec![0i64; self.schools.len()];
        for (z, &was) in start.iter().enumerate() {
            if let (Some(s), Some(t)) = (self.school_of[z], was) {
                let (s, t) = (s as usize, t as usize);
                excess[s] += self.placed[z] as i64 * (self.cost(z, s) - self.cost(z, t));
            }
        }
        let mut worst: Vec<(i64, usize)> = excess
            .iter()
            .enumerate()
            .filter(|&(_, &e)| e != 0)
            .map(|(s, &e)| (-e, s))
            .collect();
        worst.sort_unstable();
        worst.truncate(effort.windows);
        let schools: Vec<usize> = worst.into_iter().map(|(_, s)| s).collect();
        let mut better = 0;
        let memo = self.searches.clone();
        let _ = in_order(
            self,
            &schools,
            |county, &s| county.improvement_due(s, effort),
            |a, b| apart(&a.schools, &b.schools),
            |due| due.solve(&memo),
            |county, _, due, found| {
                if let Some(school) = found {
                    county.apply_window(&due.units, &due.schools, &school);
                    better += 1;
                }
                ControlFlow::Continue(())
            },
        );
        better
    }

    /// The window around school `s`'s catchment as it stands, if its
    /// plan is connected and within every limit.
    fn improvement_due(&self, s: usize, effort: Effort) -> Option<Improvement> {
        let mut focus: Vec<usize> = self.members[s].iter().map(|&z| z as usize).collect();
        focus.sort_unstable();
        let (units, schools) = self.window(&focus, None, MAX_WINDOW_ZONES)?;
        let model = self.window_model(&units, &schools, usize::MAX);
        let now: Vec<u32> = units
            .iter()
            .map(|&z| {
                let s = self.school_of[z].expect("a window zone has a school") as usize;
                schools
                    .iter()
                    .position(|&t| t == s)
                    .expect("a window school") as u32
            })
            .collect();
        let cost = model.cost(&now).filter(|_| model.check(&now).is_ok())?;
        let mips = effort
            .mips
            .map(|solver| (self.window_model(&units, &schools, CHOICES), solver));
        Some(Improvement {
            units,
            schools,
            model,
            cost,
            nodes: effort.nodes,
            mips,
        })
    }

    /// School `s`'s own zone, if it is in another catchment though nothing
    /// keeps it out (a lock, the distance limit, more children than seats).
    fn home_to_claim(&self, s: usize) -> Option<usize> {
        let h = self.home[s]? as usize;
        let elsewhere = self.school_of[h].is_some_and(|t| t as usize != s);
        (elsewhere
            && !self.home_locked(h, s)
            && self.may_take(h, s)
            && self.placed[h] as i64 <= self.alone(s))
        .then_some(h)
    }

    /// A hash of the window's shape (a ball or not), zones, schools and the
    /// school of each zone.
    fn window_key(&self, ball: bool, units: &[usize], schools: &[usize]) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        ball.hash(&mut hasher);
        units.hash(&mut hasher);
        schools.hash(&mut hasher);
        for &z in units {
            self.school_of[z].hash(&mut hasher);
        }
        hasher.finish()
    }

    /// The zones and schools of the window around `focus`, zones in order;
    /// `None` if it is too large.
    fn window(
        &self,
        focus: &[usize],
        extra: Option<usize>,
        cap: usize,
    ) -> Option<(Vec<usize>, Vec<usize>)> {
        let schools = self.window_schools(focus, extra, cap);
        let mut units: Vec<usize> = schools
            .iter()
            .flat_map(|&s| self.members[s].iter().map(|&z| z as usize))
            .collect();
        if units.is_empty() || units.len() > cap.max(MAX_RING_ZONES) {
            return None;
        }
        units.sort_unstable();
        Some((units, schools))
    }

    /// The schools of the window: those whose catchment holds or touches
    /// the focus, then ring after ring of their neighbours while the window
    /// stays small (those with most seats left first, as the seats are what
    /// the focus lacks).
    fn window_schools(&self, focus: &[usize], extra: Option<usize>, cap: usize) -> Vec<usize> {
        let mut inside = vec![false; self.schools.len()];
        let mut ring: Vec<usize> = focus
            .iter()
            .flat_map(|&z| std::iter::once(z).chain(self.neighbours[z].iter().map(|&w| w as usize)))
            .filter_map(|z| self.school_of[z].map(|s| s as usize))
            .chain(extra)
            .collect();
        ring.sort_unstable();
        ring.dedup();
        for &s in &ring {
            inside[s] = true;
        }
        let mut size: usize = ring.iter().map(|&s| self.members[s].len()).sum();
        let mut layer = ring.clone();
        while !layer.is_empty() {
            let mut next: Vec<(i64, usize)> = layer
                .iter()
                .flat_map(|&s| self.members[s].iter())
                .flat_map(|&z| self.neighbours[z as usize].iter())
                .filter_map(|&w| self.school_of[w as usize].map(|s| s as usize))
                .filter(|&t| !inside[t])
                .map(|t| (-self.room(t), t))
                .collect();
            next.sort_unstable();
            next.dedup();
            layer.clear();
            for (_, t) in next {
                if !inside[t] && size + self.members[t].len() <= cap {
                    size += self.members[t].len();
                    inside[t] = true;
                    layer.push(t);
                }
            }
            ring.extend(&layer);
        }
        ring.sort_unstable();
        ring
    }

    /// The connected model of the window's catchments in local indices:
    /// each zone may stay or go to one of the `choices - 1` cheapest other
    /// schools of the window that may take it (`usize::MAX`: any); each
    /// school's seats are what the rest of the map leaves it; each own zone
    /// in the window is its school's root.
    pub(in crate::plan) fn window_model(
        &self,
        units: &[usize],
        schools: &[usize],
        choices: usize,
    ) -> ConnectedModel {
        let mut local = vec![u32::MAX; self.zones.len()];
        for (i, &z) in units.iter().enumerate() {
            local[z] = i as u32;
        }
        let roots: Vec<Option<u32>> = schools
            .iter()
            .map(|&s| {
                let h = self.home[s]? as usize;
                let kept = self.school_of[h] == Some(s as u32) || self.may_take(h, s);
                (local[h] != u32::MAX && kept && !self.home_locked(h, s)).then_some(local[h])
            })
            .collect();
        let allowed = units
            .iter()
            .map(|&z| {
                // A zone may always stay where it is (a pinned zone only
                // there), and may go to the school whose root it is.
                let now = self.school_of[z].map(|t| t as usize);
                let owner = roots
                    .iter()
                    .position(|&r| r == Some(local[z]))
                    .map(|i| schools[i]);
                let mut others: Vec<(i64, usize)> = schools
                    .iter()
                    .filter(|&&t| Some(t) != now && Some(t) != owner && self.may_take(z, t))
                    .map(|&t| (self.cost(z, t), t))
                    .collect();
                others.sort_unstable();
                others.truncate(choices.saturating_sub(1));
                schools
                    .iter()
                    .enumerate()
                    .filter(|&(_, &t)| {
                        Some(t) == now || Some(t) == owner || others.iter().any(|&(_, o)| o == t)
                    })
                    .map(|(i, &t)| (i as u32, self.cost(z, t)))
                    .collect()
            })
            .collect();
        let neighbours = self.local_neighbours(units, &local);
        let seats = schools.iter().map(|&s| self.alone(s)).collect();
        ConnectedModel {
            demand: units.iter().map(|&z| self.placed[z]).collect(),
            allowed,
            neighbours,
            seats,
            root: roots,
        }
    }

    /// Gives each zone of the window its school in `plan` (local indices).
    pub(in crate::plan) fn apply_window(
        &mut self,
        units: &[usize],
        schools: &[usize],
        plan: &[u32],
    ) {
        for (&z, &s) in units.iter().zip(plan) {
            let to = schools[s as usize];
            if self.school_of[z] != Some(to as u32) {
                self.move_zone(z, to);
            }
        }
        for &s in schools {
            self.refresh(s);
        }
    }

    /// Whether `units` hold the whole part of the map (component of the
    /// zone graph) of each of them.
    fn holds_whole_area(&self, units: &[usize]) -> bool {
        let mut inside = vec![false; self.zones.len()];
        for &z in units {
            inside[z] = true;
        }
        units
            .iter()
            .all(|&z| self.neighbours[z].iter().all(|&w| inside[w as usize]))
    }
}

/// An improvement window: its zones and schools, its connected model, the
/// cost of its plan now, our search's nodes, and where the MIPs search too,
/// the model with few choices per zone and the MIP solver of the run (HiGHS
/// only where the run asked for it: its cuts find more but can take
/// seconds per window).
#[derive(PartialEq)]
struct Improvement {
    units: Vec<usize>,
    schools: Vec<usize>,
    model: ConnectedModel,
    cost: i128,
    nodes: u64,
    mips: Option<(ConnectedModel, MipSolver)>,
}

impl Improvement {
    /// A shorter connected plan of the window, if one is found. Three
    /// searches find different improvements: our branch and bound over the
    /// whole window (answered from `memo` where the window is as a round
    /// before left it), the MIP of the shortest-path restriction with few
    /// choices per zone, and (with HiGHS) the exact MIP by cuts. They run
    /// side by side; their answers are compared in a fixed order.
    fn solve(&self, memo: &Memo) -> Option<Vec<u32>> {
        let ours = || {
            let how = Search {
                below: Some(self.cost),
                ..Search::exact(self.nodes)
            };
            memo.search(&self.model, how)
        };
        let (ours, (nearer, by_cuts)) = match &self.mips {
            None => (ours(), (None, None)),
            Some((restricted, solver)) => rayon::join(ours, || {
                rayon::join(
                    || {
                        Some(connected::solve_budgeted(
                            restricted,
                            Contiguity::Nearer,
                            *solver,
                            RESTRICTED_NODES,
                        ))
                    },
                    || {
                        (*solver == MipSolver::Highs).then(|| {
                            connected::solve_by_cuts(&self.model, *solver, CUT_NODES, CUT_ROUNDS)
                        })
                    },
                )
            }),
        };
        let mut best: Option<ConnectedPlan> = None;
        for found in [Some(ours), nearer, by_cuts].into_iter().flatten() {
            if let Budgeted::Plan(plan) = found
                && plan.cost < best.as_ref().map_or(self.cost, |b| b.cost)
            {
                best = Some(plan);
            }
        }
        best.map(|plan| plan.school)
    }
}

/// Whether two windows' sorted lists of schools share none. Most repairs
/// and some improvements change their window's catchments, and with them
/// any window sharing a school; only windows apart are solved side by side.
fn apart(a: &[usize], b: &[usize]) -> bool {
    !a.iter().any(|s| b.binary_search(s).is_ok())
}

/// A repair round in progress: the county, what its windows proved so
/// far, and whether one changed the map.
struct Round<'r, 'c> {
    county: &'r mut County<'c>,
    proofs: &'r mut WindowProofs,
    progress: bool,
}

impl Round<'_, '_> {
    /// The windows `prepare` draws for `jobs`, solved side by side where
    /// apart and committed in order.
    fn windows<J>(&mut self, jobs: &[J], pass: Pass, prepare: impl Fn(&Self, &J) -> Option<Due>) {
        let memo = self.county.searches.clone();
        let _ = in_order(
            self,
            jobs,
            prepare,
            |a, b| apart(&a.schools, &b.schools),
            |due| due.solve(pass, &memo),
            |r, _, due, outcome| {
                r.progress |= r
                    .county
                    .commit_window(due, outcome, pass.effort(), r.proofs);
                ControlFlow::Continue(())
            },
        );
    }
}

/// A repair window as the map stands: its zones (in order) and schools,
/// its hash, its connected model, whether its search is due, and the own
/// zone and its school it may give back, if any (full windows only).
#[derive(PartialEq)]
struct Due {
    units: Vec<usize>,
    schools: Vec<usize>,
    key: u64,
    model: ConnectedModel,
    search: bool,
    /// Whether a model without a plan proves the piece apart (not a
    /// ball's: see module `ball_window`).
    proves: bool,
    home: Option<(usize, usize)>,
    /// Whether the window is of the full size or wider (see [`PASSES`]).
    full: bool,
}

/// What a repair window's searches found.
struct Outcome {
    /// The exact search's answer, if it was due.
    searched: Option<Budgeted>,
    /// For an own zone's window without a connected plan: a plan of the
    /// window's catchments around their roots, pieces allowed (the
    /// whole-zone core's, else the search's with its largest budget: the
    /// children left without a seat otherwise are worth it).
    fit: Option<ConnectedPlan>,
}

impl Due {
    /// The exact search, if due, and for an own zone's window without a
    /// connected plan the fit around its roots; searches made before (by
    /// this repair or another of the county) are answered from `memo`.
    fn solve(&self, pass: Pass, memo: &Memo) -> Outcome {
        let searched = self.search.then(|| {
            let searched = match pass.nodes {
                0 => Budgeted::Unknown,
                nodes => memo.search(&self.model, repair(nodes)),
            };
            match searched {
                Budgeted::Unknown if pass.hunt > 0 => memo.hunt(&self.model, pass.hunt),
                decided => decided,
            }
        });
        let connected = matches!(searched, Some(Budgeted::Plan(_)));
        let fit = if self.home.is_some() && !connected {
            let fit = Search {
                connected: false,
                ..Search::exact(NODES[1])
            };
            pieces::in_pieces(&self.model).or_else(|| match memo.search(&self.model, fit) {
                Budgeted::Plan(plan) => Some(plan),
                _ => None,
            })
        } else {
            None
        };
        Outcome { searched, fit }
    }
}

/// The search of a repair's window: a connected plan within `nodes`
/// nodes, not necessarily the cheapest.
fn repair(nodes: u64) -> Search {
    Search {
        settle: Some(SETTLE_NODES),
        ..Search::exact(nodes)
    }
}
