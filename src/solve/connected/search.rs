//! Our own branch and bound for a small [`ConnectedModel`] (the window of a
//! few dozen zones and a handful of schools around a stray piece).
//!
//! good_lp's pure-Rust branch and bound spends its node budget on the
//! relaxation of the flow or cut model and, on tight windows, finds neither
//! a plan nor a proof. This search works on the assignment itself, where
//! the rules that make tight windows hard are cheap to propagate:
//!
//! - seats: a school's seats left bar every zone with more children, and a
//!   transport of the children still unassigned to the seats left (each
//!   zone only to the schools still open to it) must exist;
//! - filling: every child must be seated, so a school may end with no more
//!   seats empty than its group of schools (those sharing zones still
//!   open) has spare; its open zones must add up to the rest;
//! - pieces: a zone can only go to a school whose root reaches it through
//!   zones still open to that school, so a zone closed off is taken out of
//!   its options, and a zone without which the root would be cut off from
//!   the school's own zones or from the children it must still take is
//!   given to it.
//!
//! Every node splits one zone's options in two (this school, or not), both
//! propagated to a fixpoint, so no plan is lost and a search that ends
//! without a plan is a proof. Catchments are grown one at a time from their
//! roots; which school grows first and which bordering zone it tries first
//! depends on the order, and the orders take turns side by side (see
//! [`ORDERS`] and [`Space::round`]). A node budget, not a clock, and rounds
//! whose plans are compared in order, so the answer is the same on any
//! machine and any number of threads.

use rayon::prelude::*;

use super::{Budgeted, ConnectedModel, ConnectedPlan};
use crate::generate::rng::mix;

/// The most schools a model may have (options are bit sets).
const MAX_SCHOOLS: usize = 64;

/// What a search keeps and how long it may look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Search {
    /// Nodes at most; past them the best plan found is returned unproven.
    pub nodes: u64,
    /// Whether every catchment must be one piece around its root (else only
    /// the seats and roots are kept: the fallback where no connected plan
    /// exists).
    pub connected: bool,
    /// Only plans cheaper than this are sought: an improvement step.
    pub below: Option<i128>,
    /// Once a plan is found, the nodes the search may spend without finding
    /// a cheaper one before it stops (`None`: the whole budget). A repair
    /// needs a plan, not its proof of optimality, which on tight windows
    /// takes the whole budget and rarely changes the plan.
    pub settle: Option<u64>,
}

impl Search {
    /// A connected plan, the cheapest within `nodes` nodes.
    pub fn exact(nodes: u64) -> Self {
        Search {
            nodes,
            connected: true,
            below: None,
            settle: None,
        }
    }
}

/// The orders in which a search grows the catchments. A depth-first
/// search that takes a wrong turn early spends any budget below it, and on
/// tight maps each order decides windows the others do not: the fullest
/// school first packs the small schools tightly (the bin packer's rule),
/// the emptiest first keeps the large catchment whole that the small ones
/// would cut; most children first finds most plans and proofs, cheapest
/// first the rest, and good plans.
const ORDERS: [Order; 4] = [
    Order {
        fill: Fill::FewestSeats,
        pick: Pick::MostChildren,
    },
    Order {
        fill: Fill::FewestSeats,
        pick: Pick::Cheapest,
    },
    Order {
        fill: Fill::MostSeats,
        pick: Pick::MostChildren,
    },
    Order {
        fill: Fill::MostSeats,
        pick: Pick::Cheapest,
    },
];

/// Nodes of one order's turn: the orders take turns, each going on where
/// it stopped, so a window one order decides quickly costs little
/// whichever order it is.
const TURN_NODES: u64 = 500;
/// Nodes of each order's first turn; each round doubles them up to
/// [`TURN_NODES`]. The orders of a round search side by side, so a window
/// the first order decides at once costs the others only a short turn.
const FIRST_TURN_NODES: u64 = 16;

/// Which catchment grows next, and which unit on its border is tried first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Order {
    fill: Fill,
    pick: Pick,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fill {
    FewestSeats,
    MostSeats,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    MostChildren,
    Cheapest,
    /// In an order of its own, drawn from the seed.
    Shuffled(u64),
}

/// Searches `model` as `search` says: a plan (proven optimal when the
/// search finished), a proof that none exists (cheaper than `below`, if
/// given), or nothing within the budget.
pub fn search(model: &ConnectedModel, search: Search) -> Budgeted {
    let Some(space) = Space::new(model, search.connected) else {
        return Budgeted::Unknown;
    };
    let Some(start) = space.start() else {
        return Budgeted::Infeasible;
    };
    let mut dives: Vec<Dive> = ORDERS
        .into_iter()
        .map(|order| Dive {
            order,
            stack: vec![(start.clone(), true)],
            buffers: Buffers::default(),
        })
        .collect();
    let mut found = Found::new(
        search.below.unwrap_or(i128::MAX),
        search.settle.unwrap_or(u64::MAX),
    );
    let mut turn = FIRST_TURN_NODES;
    while found.spent < search.nodes && !found.settled() {
        if space.round(&mut dives, turn, search.nodes, &mut found) {
            return match found.best {
                Some(school) => space.plan(school, true),
                None => Budgeted::Infeasible,
            };
        }
        turn = (2 * turn).min(TURN_NODES);
    }
    match found.best {
        Some(school) => space.plan(school, false),
        None => Budgeted::Unknown,
    }
}

/// Nodes of each dive of a [`hunt`], and dives side by side in a round.
const HUNT_DIVE_NODES: u64 = 100;
const HUNT_ROUND: u64 = 8;

/// Looks for any connected plan of `model` by short dives (at most `nodes`
/// nodes in all), each growing the catchments in an order of its own: its
/// bordering zones shuffled by a seed of its own, the fullest and the
/// emptiest school first in turn. The first plan found, unproven;
/// `Infeasible` if a dive ends its whole tree without one; else `Unknown`.
///
/// For the rare window [`search`] leaves undecided though a plan exists:
/// its depth-first dives spend any budget below an early wrong turn,
/// while one short dive in a few hundred, in some order, goes straight to
/// a plan (the 56-zone window of the tight map of seed 219519: no plan in
/// 400,000 nodes of the four orders; in trials, one shuffled dive in 60
/// to 1,900, depending on the seeds, found one within 100 nodes, with the
/// fullest school first). The dives of a round run side by side and the first plan in
/// their order is kept, so the answer is the same on any number of
/// threads.
pub fn hunt(model: &ConnectedModel, nodes: u64) -> Budgeted {
    let Some(space) = Space::new(model, true) else {
        return Budgeted::Unknown;
    };
    let Some(start) = space.start() else {
        return Budgeted::Infeasible;
    };
    let dives = nodes / HUNT_DIVE_NODES;
    for first in (0..dives).step_by(HUNT_ROUND as usize) {
        let round: Vec<(Option<Vec<u32>>, bool)> = (first..dives.min(first + HUNT_ROUND))
            .into_par_iter()
            .map_init(Buffers::default, |buffers, d| {
                let fill = [Fill::MostSeats, Fill::FewestSeats][d as usize % 2];
                let mut dive = Dive {
                    order: Order {
                        fill,
                        pick: Pick::Shuffled(d),
                    },
                    stack: vec![(start.clone(), true)],
                    buffers: std::mem::take(buffers),
                };
                let mut found = Found::new(i128::MAX, 0);
                let finished = space.dive(&mut dive, HUNT_DIVE_NODES, &mut found);
                *buffers = dive.buffers;
                (found.best, finished)
            })
            .collect();
        for (best, finished) in round {
            match best {
                Some(school) => return space.plan(school, false),
                None if finished => return Budgeted::Infeasible,
                None => {}
            }
        }
    }
    Budgeted::Unknown
}

/// One order's depth-first search, paused between its turns, with the
/// working memory of its propagation.
struct Dive {
    order: Order,
    /// The nodes left to visit, each with whether it is propagated yet: a
    /// node is propagated when it is visited, not when it is made, since a
    /// dive stopped by its budget (a hunt's dive after a hundred nodes)
    /// never visits the siblings along its path.
    stack: Vec<(Node, bool)>,
    buffers: Buffers,
}

/// What the dives of one search found between them.
struct Found {
    /// The cost any plan must now beat, and the plan that set it.
    bar: i128,
    best: Option<Vec<u32>>,
    /// Nodes spent in all, and by the time the best plan was found.
    spent: u64,
    found_at: Option<u64>,
    /// Nodes the search goes on for without a cheaper plan.
    settle: u64,
}

impl Found {
    /// Nothing found yet: plans must cost less than `bar`, and the search
    /// stops `settle` nodes after its last better plan.
    fn new(bar: i128, settle: u64) -> Self {
        Found {
            bar,
            best: None,
            spent: 0,
            found_at: None,
            settle,
        }
    }

    fn settled(&self) -> bool {
        self.found_at
            .is_some_and(|at| self.spent - at >= self.settle)
    }
}

/// The model in the dense form the search reads.
struct Space<'a> {
    model: &'a ConnectedModel,
    schools: usize,
    /// Cost per child of unit `u` at school `s`, `price[u * schools + s]`.
    price: Vec<i64>,
    connected: bool,
    /// Words of a set of units, and each unit's neighbours as such a set.
    words: usize,
    neighbour_bits: Vec<u64>,
}

/// The working memory of the propagation, kept between nodes: the search
/// spends most of its time there, and fresh vectors at every node cost it
/// a fifth of that.
#[derive(Default)]
struct Buffers {
    reach: Reach,
    /// Children sums a school's open units reach, as bits.
    sums: Vec<u64>,
    /// The transport of the unassigned children, and the search for an
    /// augmenting path.
    transport: Transport,
    paths: Paths,
    tree: CutTree,
    /// The units open to one school, as a bit set.
    open: Vec<u64>,
    /// Each school's slack, and its groups of schools with their children.
    slack: Vec<i64>,
    groups: Vec<(u64, i64)>,
}

/// The transport of the unassigned children to the seats left. Children
/// may be shared out, so the units open to the same schools send as one:
/// sender `i` is open to `open[i]` with `children[i]` (units open to one
/// school alone are taken from its seats outright). Then the seats left,
/// the children of sender `i` sent to school `s` at `flow[i * schools +
/// s]`, and the `i` that have sent any to each school (a path back from a
/// school looks at those alone, not at every sender).
#[derive(Default)]
struct Transport {
    open: Vec<u64>,
    children: Vec<i64>,
    left: Vec<i64>,
    flow: Vec<i64>,
    senders: Vec<Vec<usize>>,
}

/// A breadth-first search over sets of units, a word of bits at a time:
/// the units of a set (`Space::words` words), those reached from a start
/// through them, and the last and next rings of them.
#[derive(Default)]
struct Reach {
    set: Vec<u64>,
    reached: Vec<u64>,
    frontier: Vec<u64>,
    next: Vec<u64>,
}

/// A depth-first search of the units open to one school from its root,
/// with what each unit cuts off: the units beyond it that no other path
/// from the root reaches (Tarjan's cut vertices).
#[derive(Default)]
struct CutTree {
    units: Vec<TreeUnit>,
    /// Unassigned children reached in all.
    total: i64,
    /// Units reached so far.
    reached: u32,
    /// The units open to the school not yet reached, as a bit set
    /// (`Space::words` words).
    unseen: Vec<u64>,
    /// The path of the search.
    stack: Vec<u32>,
}

/// A unit in a [`CutTree`].
#[derive(Clone, Copy)]
struct TreeUnit {
    /// Visit order (`UNSET`: not reached), and the earliest order its
    /// subtree reaches by one edge back.
    order: u32,
    low: u32,
    /// Unassigned children and units of the school in its subtree.
    below_children: i64,
    below_own: u32,
    /// The same, of the subtrees the unit alone connects to the root.
    cut_children: i64,
    cut_own: u32,
}

impl CutTree {
    const UNREACHED: TreeUnit = TreeUnit {
        order: UNSET,
        low: UNSET,
        below_children: 0,
        below_own: 0,
        cut_children: 0,
        cut_own: 0,
    };

    /// Searches the units open to school `s` from `start`. A unit's
    /// neighbours are taken from bit sets: the first one not yet reached is
    /// the next to visit, and once none is left, all its open neighbours
    /// have their order, the least of which is its edge back.
    fn search(&mut self, space: &Space, node: &Node, s: usize, start: usize) {
        let w = space.words;
        self.units.clear();
        self.units.resize(node.options.len(), Self::UNREACHED);
        self.total = 0;
        self.reached = 0;
        self.stack.clear();
        self.unseen.clear();
        self.unseen.extend_from_slice(node.open_to(s));
        self.visit(space, node, s, start);
        while let Some(&v) = self.stack.last() {
            let v = v as usize;
            let around = &space.neighbour_bits[v * w..(v + 1) * w];
            let next = (0..w).find_map(|i| {
                let bits = around[i] & self.unseen[i];
                (bits != 0).then(|| i * 64 + bits.trailing_zeros() as usize)
            });
            if let Some(u) = next {
                self.visit(space, node, s, u);
                continue;
            }
            let mut low = self.units[v].low;
            for (i, (&near, &open)) in around.iter().zip(node.open_to(s)).enumerate() {
                let mut bits = near & open;
                while bits != 0 {
                    low = low.min(self.units[i * 64 + bits.trailing_zeros() as usize].order);
                    bits &= bits - 1;
                }
            }
            self.units[v].low = low;
            self.stack.pop();
            if let Some(&p) = self.stack.last() {
                let (child, parent) = (self.units[v], &mut self.units[p as usize]);
                parent.low = parent.low.min(child.low);
                parent.below_children += child.below_children;
                parent.below_own += child.below_own;
                if child.low >= parent.order {
                    parent.cut_children += child.below_children;
                    parent.cut_own += child.below_own;
                }
            }
        }
    }

    fn visit(&mut self, space: &Space, node: &Node, s: usize, u: usize) {
        let children = match node.school[u] {
            UNSET => space.model.demand[u] as i64,
            _ => 0,
        };
        self.units[u] = TreeUnit {
            order: self.reached,
            low: self.reached,
            below_children: children,
            below_own: u32::from(node.school[u] == s as u32),
            ..Self::UNREACHED
        };
        self.reached += 1;
        self.total += children;
        self.unseen[u / 64] &= !(1 << (u % 64));
        self.stack.push(u as u32);
    }
}

/// An augmenting path search's marks, reset before each.
#[derive(Default)]
struct Paths {
    /// Per school reached, the unit index it was reached from.
    via: Vec<Option<usize>>,
    /// Per unit index reached, the school it was reached from.
    back: Vec<Option<usize>>,
    reached: Vec<bool>,
    queue: std::collections::VecDeque<usize>,
    /// The path found, as (unit index, school) steps from its end.
    steps: Vec<(usize, usize)>,
}

/// One node: the schools still open to each unit (one once assigned).
#[derive(Clone)]
struct Node {
    options: Vec<u64>,
    /// The same by school: the units open to school `s`, as a bit set at
    /// `open[s * words..(s + 1) * words]` ([`Node::words`]). The reach and
    /// cut-vertex checks read it for every school at every node.
    open: Vec<u64>,
    /// Each unit's school, `UNSET` while it has a choice.
    school: Vec<u32>,
    /// Seats left per school.
    room: Vec<i64>,
    /// Child-metres of the assigned units.
    cost: i128,
    /// Schools whose pieces must be checked again: fewer units are open to
    /// them (or, without a root, their first unit was assigned) since the
    /// last check. The check of the others would find what it found then.
    unchecked: u64,
    /// Schools whose cut units must be sought again (see
    /// [`Space::force_cut_units`]): fewer units are open to them or one
    /// more is theirs since the last search, and the children each needed
    /// then (`i64::MIN` before the first).
    uncut: u64,
    needed: Vec<i64>,
    /// Schools whose seats left fell since [`Space::close_full`] last
    /// ran: the only ones it may close to more units.
    filled: u64,
}

const UNSET: u32 = u32::MAX;

impl Node {
    /// Takes the schools of `mask` out of unit `u`'s options.
    fn close(&mut self, u: usize, mask: u64) {
        let mut closed = self.options[u] & mask;
        self.unchecked |= closed;
        self.uncut |= closed;
        while closed != 0 {
            let s = closed.trailing_zeros() as usize;
            closed &= closed - 1;
            self.shut(u, s);
        }
    }

    /// Takes school `s` out of unit `u`'s options, and nothing else.
    fn shut(&mut self, u: usize, s: usize) {
        let words = self.words();
        self.options[u] &= !(1 << s);
        self.open[s * words + u / 64] &= !(1 << (u % 64));
    }

    /// Words of a bit set over the units.
    fn words(&self) -> usize {
        self.options.len().div_ceil(64)
    }

    /// The units open to school `s`, as a bit set.
    fn open_to(&self, s: usize) -> &[u64] {
        let words = self.words();
        &self.open[s * words..(s + 1) * words]
    }

    /// Builds `open` from `options`, for `schools` schools.
    fn index_open(&mut self, schools: usize) {
        let words = self.words();
        self.open.clear();
        self.open.resize(schools * words, 0);
        let open = &mut self.open;
        for (u, &bits) in self.options.iter().enumerate() {
            members(&[bits]).for_each(|s| open[s * words + u / 64] |= 1 << (u % 64));
        }
    }
}

impl<'a> Space<'a> {
    fn new(model: &'a ConnectedModel, connected: bool) -> Option<Self> {
        let schools = model.seats.len();
        if schools > MAX_SCHOOLS {
            return None;
        }
        let mut price = vec![i64::MAX; model.demand.len() * schools];
        for (u, allowed) in model.allowed.iter().enumerate() {
            for &(s, c) in allowed {
                price[u * schools + s as usize] = c;
            }
        }
        let words = model.demand.len().div_ceil(64);
        let mut neighbour_bits = vec![0; model.demand.len() * words];
        for (u, around) in model.neighbours.iter().enumerate() {
            for &v in around {
                neighbour_bits[u * words + v as usize / 64] |= 1 << (v % 64);
            }
        }
        Some(Space {
            model,
            schools,
            price,
            connected,
            words,
            neighbour_bits,
        })
    }

    /// One turn of every dive, side by side, each of at most `turn` nodes
    /// and all within `budget`; true if a dive finished. Each dive starts
    /// from the bar and plan as they stood before the round, and the
    /// cheapest plan of the round (the first dive's among equals) is then
    /// kept, so the result is the same on any number of threads. A dive
    /// that finished proved that no plan is cheaper than its bar, which
    /// the kept plan then meets.
    fn round(&self, dives: &mut [Dive], turn: u64, budget: u64, found: &mut Found) -> bool {
        let start = found.spent;
        let mut left = budget - start;
        let allotted: Vec<u64> = dives
            .iter()
            .map(|_| {
                let nodes = turn.min(left);
                left -= nodes;
                nodes
            })
            .collect();
        let turns: Vec<(Found, bool)> = dives
            .par_iter_mut()
            .zip(allotted)
            .map(|(dive, nodes)| {
                let mut own = Found {
                    best: None,
                    ..*found
                };
                let finished = self.dive(dive, nodes, &mut own);
                (own, finished)
            })
            .collect();
        let mut finished = false;
        for (own, done) in turns {
            found.spent += own.spent - start;
            finished |= done;
            if own.bar < found.bar {
                found.bar = own.bar;
                found.best = own.best;
                found.found_at = own.found_at;
            }
        }
        finished
    }

    /// Goes on with `dive`'s branch and bound for at most `nodes` nodes;
    /// each plan cheaper than the bar becomes the best and the new bar.
    /// True if the dive finished (nothing cheaper than the bar is left in
    /// its part of the tree).
    fn dive(&self, dive: &mut Dive, nodes: u64, found: &mut Found) -> bool {
        for _ in 0..nodes {
            if found.settled() {
                return false;
            }
            let Some(node) = self.next_node(dive) else {
                return true;
            };
            found.spent += 1;
            if self.bound(&node) >= found.bar {
                continue;
            }
            let Some((u, s)) = self.branch(&node, dive.order) else {
                found.bar = node.cost;
                found.best = Some(node.school);
                found.found_at = Some(found.spent);
                continue;
            };
            let mut without = node.clone();
            without.close(u, 1 << s);
            dive.stack.push((without, false));
            let mut with = node;
            with.close(u, !(1 << s));
            dive.stack.push((with, false));
        }
        // Finished only if no node left propagates.
        match self.next_node(dive) {
            Some(node) => {
                dive.stack.push((node, true));
                false
            }
            None => true,
        }
    }

    /// The next node of `dive` that propagates to a fixpoint; those above
    /// it in the stack that do not are dropped, uncounted, as if they had
    /// been propagated when made.
    fn next_node(&self, dive: &mut Dive) -> Option<Node> {
        while let Some((mut node, propagated)) = dive.stack.pop() {
            if propagated || self.propagate(&mut node, &mut dive.buffers) {
                return Some(node);
            }
        }
        None
    }

    /// The root node, propagated; `None` if that alone proves the model
    /// infeasible.
    fn start(&self) -> Option<Node> {
        let mut options: Vec<u64> = self
            .model
            .allowed
            .iter()
            .map(|a| a.iter().fold(0, |m, &(s, _)| m | 1 << s))
            .collect();
        for (s, root) in self.model.root.iter().enumerate() {
            if let Some(r) = root {
                options[*r as usize] &= 1 << s;
            }
        }
        let all = (0..self.schools).fold(0, |all, s| all | 1 << s);
        let mut node = Node {
            school: vec![UNSET; options.len()],
            options,
            open: Vec::new(),
            room: self.model.seats.clone(),
            cost: 0,
            unchecked: all,
            uncut: all,
            needed: vec![i64::MIN; self.schools],
            filled: all,
        };
        node.index_open(self.schools);
        self.propagate(&mut node, &mut Buffers::default())
            .then_some(node)
    }

    fn price(&self, u: usize, s: usize) -> i64 {
        self.price[u * self.schools + s]
    }

    /// Narrows every unit's options by the seats left and the pieces,
    /// assigning units left one option, until nothing changes; false if a
    /// unit is left without one or the children cannot all be seated.
    fn propagate(&self, node: &mut Node, buffers: &mut Buffers) -> bool {
        loop {
            let Some(mut changed) = self.assign_forced(node) else {
                return false;
            };
            changed |= self.close_full(node);
            if self.connected {
                let Some(cut) = self.close_cut_off(node, buffers) else {
                    return false;
                };
                changed |= cut;
            }
            if changed {
                continue;
            }
            let mut slack = std::mem::take(&mut buffers.slack);
            let outcome = self.judge_fixpoint(node, &mut slack, buffers);
            buffers.slack = slack;
            match outcome {
                None => return false,
                Some(false) => return true,
                Some(true) => {}
            }
        }
    }

    /// The checks of a node where the cheap rules change nothing more:
    /// `None` if it is infeasible, else whether a school was given a unit
    /// it cannot do without.
    fn judge_fixpoint(
        &self,
        node: &mut Node,
        slack: &mut Vec<i64>,
        buffers: &mut Buffers,
    ) -> Option<bool> {
        if !(self.slack(node, slack, &mut buffers.groups)
            && self.seats_suffice(node, buffers)
            && self.each_school_fills(node, slack, buffers))
        {
            return None;
        }
        if !self.connected {
            return Some(false);
        }
        self.force_cut_units(node, slack, buffers)
    }

    /// Gives each school the units it cannot do without: a unit whose loss
    /// would cut the school's root off from a unit already its own, or
    /// from so many children that the school could no longer be filled to
    /// within the slack (see [`Space::each_school_fills`]). These are the
    /// cut vertices of the units open to the school, found in one depth
    /// first search from its root. `None` if a unit is so given to two
    /// schools, else whether any was given.
    fn force_cut_units(
        &self,
        node: &mut Node,
        slack: &[i64],
        buffers: &mut Buffers,
    ) -> Option<bool> {
        let mut changed = false;
        for (s, &spare) in slack.iter().enumerate() {
            let need = node.room[s] - spare;
            if node.uncut & 1 << s == 0 && need <= node.needed[s] {
                continue;
            }
            node.uncut &= !(1 << s);
            node.needed[s] = need;
            let Some(start) = self.start_of(node, s) else {
                continue;
            };
            if need <= 0 && self.own_units_joined(node, s, start, &mut buffers.reach) {
                continue;
            }
            let tree = &mut buffers.tree;
            tree.search(self, node, s, start);
            // The tree holds the start and units open to the school alone.
            let open = &mut buffers.open;
            open.clear();
            open.extend_from_slice(node.open_to(s));
            for v in members(open) {
                let at = tree.units[v];
                if node.school[v] != UNSET || at.order == UNSET || v == start {
                    continue;
                }
                let kept = tree.total - self.model.demand[v] as i64 - at.cut_children;
                if at.cut_own > 0 || kept < need {
                    if node.options[v] & 1 << s == 0 {
                        return None;
                    }
                    node.close(v, !(1 << s));
                    changed = true;
                }
            }
        }
        Some(changed)
    }

    /// The units of `reach.set` reached from `start` through units of it,
    /// into `reach.reached`.
    fn reach(&self, start: usize, reach: &mut Reach) {
        let w = self.words;
        let Reach {
            set,
            reached,
            frontier,
            next,
        } = reach;
        reached.clear();
        reached.resize(w, 0);
        reached[start / 64] |= 1 << (start % 64);
        frontier.clone_from(reached);
        loop {
            next.clear();
            next.resize(w, 0);
            members(frontier).for_each(|v| {
                let around = &self.neighbour_bits[v * w..(v + 1) * w];
                for i in 0..w {
                    next[i] |= around[i];
                }
            });
            let mut grew = false;
            for i in 0..w {
                next[i] &= set[i] & !reached[i];
                reached[i] |= next[i];
                grew |= next[i] != 0;
            }
            if !grew {
                return;
            }
            std::mem::swap(frontier, next);
        }
    }

    /// The units `within` says, as a bit set into `set`.
    fn set_of(&self, within: impl Fn(usize) -> bool, set: &mut Vec<u64>) {
        set.clear();
        set.resize(self.words, 0);
        for u in (0..self.model.demand.len()).filter(|&u| within(u)) {
            set[u / 64] |= 1 << (u % 64);
        }
    }

    /// The unit a school's catchment grows from: its root or, without one,
    /// its first assigned unit.
    fn start_of(&self, node: &Node, s: usize) -> Option<usize> {
        self.model.root[s]
            .map(|r| r as usize)
            .or_else(|| node.school.iter().position(|&t| t == s as u32))
    }

    /// Whether school `s`'s own units are joined to `start` through its own
    /// units alone (then no unit can cut it off from them).
    fn own_units_joined(&self, node: &Node, s: usize, start: usize, reach: &mut Reach) -> bool {
        self.set_of(|u| node.school[u] == s as u32, &mut reach.set);
        self.reach(start, reach);
        reach.set == reach.reached
    }

    /// Assigns the units left one option; `None` on a unit without any or
    /// a school over its seats, else whether any was assigned.
    fn assign_forced(&self, node: &mut Node) -> Option<bool> {
        let mut changed = false;
        for u in 0..node.options.len() {
            if node.school[u] != UNSET {
                continue;
            }
            match node.options[u].count_ones() {
                0 => return None,
                1 => {
                    let s = node.options[u].trailing_zeros() as usize;
                    let d = self.model.demand[u];
                    node.school[u] = s as u32;
                    node.uncut |= 1 << s;
                    if self.model.root[s].is_none() {
                        node.unchecked |= 1 << s;
                    }
                    node.room[s] -= d as i64;
                    node.filled |= 1 << s;
                    node.cost += d as i128 * self.price(u, s) as i128;
                    if node.room[s] < 0 {
                        return None;
                    }
                    changed = true;
                }
                _ => {}
            }
        }
        Some(changed)
    }

    /// Closes each school whose seats left fell to the unassigned units
    /// with more children than those seats.
    fn close_full(&self, node: &mut Node) -> bool {
        let filled = std::mem::take(&mut node.filled);
        if filled == 0 {
            return false;
        }
        let mut changed = false;
        for u in 0..node.options.len() {
            if node.school[u] != UNSET {
                continue;
            }
            let d = self.model.demand[u] as i64;
            let mut open = node.options[u];
            let mut bits = open & filled;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if d > node.room[s] {
                    open &= !(1 << s);
                }
            }
            changed |= open != node.options[u];
            node.close(u, !open);
        }
        changed
    }

    /// Closes each school not checked since its options shrank to the units
    /// its root (or, without one, its first assigned unit) cannot reach
    /// through units open to it; `None` if a unit assigned to it is among
    /// them. The reach is grown as sets of units, a word of bits at a time,
    /// as this runs at every step of the propagation.
    fn close_cut_off(&self, node: &mut Node, buffers: &mut Buffers) -> Option<bool> {
        let reach = &mut buffers.reach;
        let mut changed = false;
        let mut unchecked = std::mem::take(&mut node.unchecked);
        while unchecked != 0 {
            let s = unchecked.trailing_zeros() as usize;
            unchecked &= unchecked - 1;
            let Some(start) = self.start_of(node, s) else {
                continue;
            };
            reach.set.clear();
            reach.set.extend_from_slice(node.open_to(s));
            self.reach(start, reach);
            for (i, (&set, &reached)) in reach.set.iter().zip(&reach.reached).enumerate() {
                let mut closed = set & !reached;
                while closed != 0 {
                    let u = i * 64 + closed.trailing_zeros() as usize;
                    closed &= closed - 1;
                    if node.school[u] != UNSET {
                        return None;
                    }
                    node.shut(u, s);
                    changed = true;
                }
            }
        }
        Some(changed)
    }

    /// Whether every school can still be filled to within its slack (see
    /// [`Space::slack`]). On tight maps (seats a few
    /// per cent above the children, zones large) this is the subset sum
    /// that decides most windows: each school's open units must have a
    /// subset whose children fall between its seats less the slack and its
    /// seats.
    fn each_school_fills(&self, node: &Node, slack: &[i64], buffers: &mut Buffers) -> bool {
        (0..self.schools).all(|s| {
            let low = node.room[s] - slack[s];
            low <= 0 || self.reaches_between(node, s, low as usize, node.room[s] as usize, buffers)
        })
    }

    /// The seats each school may end with empty: the schools fall into
    /// groups that share no unassigned unit, and each group's units must
    /// all be seated within it, so a school may keep empty at most the
    /// seats of its group less the group's children. False if a group has
    /// more children than seats.
    fn slack(&self, node: &Node, slack: &mut Vec<i64>, groups: &mut Vec<(u64, i64)>) -> bool {
        // The groups as disjoint sets of schools with their children: each
        // unit's schools join every group they meet.
        groups.clear();
        for u in (0..node.options.len()).filter(|&u| node.school[u] == UNSET) {
            let (mut schools, mut children) = (node.options[u], self.model.demand[u] as i64);
            let mut i = 0;
            while i < groups.len() {
                if groups[i].0 & schools != 0 {
                    let (joined, more) = groups.swap_remove(i);
                    schools |= joined;
                    children += more;
                } else {
                    i += 1;
                }
            }
            groups.push((schools, children));
        }
        slack.clear();
        slack.extend_from_slice(&node.room);
        for &(schools, children) in groups.iter() {
            let mut seats = -children;
            members(&[schools]).for_each(|s| seats += node.room[s]);
            if seats < 0 {
                return false;
            }
            members(&[schools]).for_each(|s| slack[s] = seats);
        }
        true
    }

    /// Whether some subset of the units open to (and unassigned) school `s`
    /// has between `low` and `high` children: first a greedy subset (it
    /// usually answers), else the sums reachable, as bits.
    fn reaches_between(
        &self,
        node: &Node,
        s: usize,
        low: usize,
        high: usize,
        buffers: &mut Buffers,
    ) -> bool {
        let open = members(node.open_to(s))
            .filter(|&u| node.school[u] == UNSET)
            .map(|u| self.model.demand[u] as usize)
            .filter(|&d| d > 0 && d <= high);
        let mut greedy = 0;
        for d in open.clone() {
            if greedy + d <= high {
                greedy += d;
                if greedy >= low {
                    return true;
                }
            }
        }
        let sums = &mut buffers.sums;
        sums.clear();
        sums.resize(high / 64 + 1, 0);
        sums[0] = 1;
        for d in open {
            shift_or(sums, d);
        }
        (low..=high).any(|v| sums[v / 64] >> (v % 64) & 1 == 1)
    }

    /// Whether the unassigned children fit the seats left, each zone's
    /// children shared out among the schools open to it: a maximum flow
    /// from the zones to the schools, first greedily, then by augmenting
    /// paths for what the greedy flow left. The zones open to the same
    /// schools send as one, so the paths run over fewer senders than zones
    /// (on ten slow tight maps the whole command took 6 % less time).
    fn seats_suffice(&self, node: &Node, buffers: &mut Buffers) -> bool {
        let k = self.schools;
        let Buffers {
            transport: t,
            paths,
            ..
        } = buffers;
        t.left.clone_from(&node.room);
        t.open.clear();
        t.children.clear();
        for u in 0..node.options.len() {
            let (open, children) = (node.options[u], self.model.demand[u] as i64);
            if node.school[u] != UNSET || children == 0 {
                continue;
            }
            if open.count_ones() == 1 {
                let left = &mut t.left[open.trailing_zeros() as usize];
                *left -= children;
                if *left < 0 {
                    return false;
                }
            } else if let Some(i) = t.open.iter().position(|&o| o == open) {
                t.children[i] += children;
            } else {
                t.open.push(open);
                t.children.push(children);
            }
        }
        t.flow.clear();
        t.flow.resize(t.open.len() * k, 0);
        t.senders.resize_with(k, Vec::new);
        t.senders.iter_mut().for_each(Vec::clear);
        for i in 0..t.open.len() {
            let open = t.open[i];
            let row = &mut t.flow[i * k..(i + 1) * k];
            let mut need = greedy(open, t.children[i], &mut t.left, row);
            members(&[open]).for_each(|s| {
                if row[s] > 0 {
                    t.senders[s].push(i);
                }
            });
            while need > 0 {
                if !self.augmenting_path(t, i, paths) {
                    return false;
                }
                need -= self.push(t, &paths.steps, need);
            }
        }
        true
    }

    /// Breadth first from sender `from` over its open schools and back
    /// along sent children to other senders, to a school with seats left:
    /// true if found, the path in `paths.steps`.
    fn augmenting_path(&self, transport: &Transport, from: usize, paths: &mut Paths) -> bool {
        let k = self.schools;
        let Transport {
            open,
            left,
            flow,
            senders,
            ..
        } = transport;
        let Paths {
            via,
            back,
            reached,
            queue,
            steps,
        } = paths;
        via.clear();
        via.resize(k, None);
        back.clear();
        back.resize(open.len(), None);
        reached.clear();
        reached.resize(open.len(), false);
        queue.clear();
        queue.push_back(from);
        reached[from] = true;
        while let Some(i) = queue.pop_front() {
            let mut bits = open[i];
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if via[s].is_some() {
                    continue;
                }
                via[s] = Some(i);
                if left[s] > 0 {
                    steps.clear();
                    let (mut t, mut j) = (s, i);
                    loop {
                        steps.push((j, t));
                        let Some(p) = back[j] else { return true };
                        t = p;
                        j = via[p].expect("reached");
                    }
                }
                for &j in &senders[s] {
                    if !reached[j] && flow[j * k + s] > 0 {
                        reached[j] = true;
                        back[j] = Some(s);
                        queue.push_back(j);
                    }
                }
            }
        }
        false
    }

    /// Sends as many children as the path allows (at most `need`): each
    /// step (unit, school) sends more from the unit to the school, and the
    /// unit sends as much less to the school it was reached from.
    fn push(&self, transport: &mut Transport, path: &[(usize, usize)], need: i64) -> i64 {
        let k = self.schools;
        let Transport {
            left,
            flow,
            senders,
            ..
        } = transport;
        let end = path[0].1;
        let mut amount = need.min(left[end]);
        for pair in path.windows(2) {
            // pair[1] is the step before pair[0]: unit pair[0].0 was
            // reached back from school pair[1].1.
            let (j, _) = pair[0];
            let (_, t) = pair[1];
            amount = amount.min(flow[j * k + t]);
        }
        left[end] -= amount;
        for (n, &(j, s)) in path.iter().enumerate() {
            if flow[j * k + s] == 0 {
                senders[s].push(j);
            }
            flow[j * k + s] += amount;
            if let Some(&(_, t)) = path.get(n + 1) {
                flow[j * k + t] -= amount;
            }
        }
        amount
    }

    /// The assigned cost plus, for each unit left, its cheapest open school.
    fn bound(&self, node: &Node) -> i128 {
        let mut total = node.cost;
        for u in 0..node.options.len() {
            if node.school[u] != UNSET {
                continue;
            }
            let mut bits = node.options[u];
            let mut least = i64::MAX;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                least = least.min(self.price(u, s));
            }
            total += self.model.demand[u] as i128 * least as i128;
        }
        total
    }

    /// The unit and school to branch on, `None` when every unit is
    /// assigned. Catchments are grown one at a time from their roots: the
    /// school with fewest seats left that still borders a unit open to it,
    /// and of those units the first in `order`. A school is so filled
    /// until its border closes, when the seat checks judge it whole, which
    /// is where tight windows are decided. Without such a border (schools
    /// without a root), the unit with fewest options, most children first.
    fn branch(&self, node: &Node, order: Order) -> Option<(usize, usize)> {
        let mut best: Option<((i64, usize), (i64, usize))> = None;
        for u in 0..node.options.len() {
            if node.school[u] != UNSET {
                continue;
            }
            let mut bits = self.model.neighbours[u]
                .iter()
                .map(|&w| node.school[w as usize])
                .filter(|&t| t != UNSET)
                .fold(0u64, |m, t| m | 1 << t)
                & node.options[u];
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let first = match order.pick {
                    Pick::MostChildren => -(self.model.demand[u] as i64),
                    Pick::Cheapest => self.price(u, s),
                    Pick::Shuffled(seed) => shuffled(seed, u, s),
                };
                let seats = match order.fill {
                    Fill::FewestSeats => node.room[s],
                    Fill::MostSeats => -node.room[s],
                };
                let key = ((seats, s), (first, u));
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        if let Some(((_, s), (_, u))) = best {
            return Some((u, s));
        }
        let u = (0..node.options.len())
            .filter(|&u| node.school[u] == UNSET)
            .min_by_key(|&u| {
                (
                    node.options[u].count_ones(),
                    std::cmp::Reverse(self.model.demand[u]),
                    u,
                )
            })?;
        Some((u, self.cheapest(node, u)))
    }

    /// Unit `u`'s cheapest open school (lowest index among equals).
    fn cheapest(&self, node: &Node, u: usize) -> usize {
        let mut bits = node.options[u];
        let mut best = (i64::MAX, 0);
        while bits != 0 {
            let s = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            best = best.min((self.price(u, s), s));
        }
        best.1
    }

    fn plan(&self, school: Vec<u32>, proven: bool) -> Budgeted {
        debug_assert!(!self.connected || self.model.check(&school).is_ok());
        let cost = self.model.cost(&school).expect("only allowed schools");
        Budgeted::Plan(ConnectedPlan {
            school,
            cost,
            proven,
        })
    }
}

/// A number for unit `u` and school `s` that orders them at random, the
/// same for the same seed.
fn shuffled(seed: u64, u: usize, s: usize) -> i64 {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    let key = seed ^ (u as u64).wrapping_mul(GOLDEN) ^ (s as u64) << 48;
    // `mix` adds GOLDEN before it scrambles: the key is scrambled as it is,
    // which gives the orders the hunt was measured with.
    (mix(key.wrapping_sub(GOLDEN)) >> 1) as i64
}

/// The members of a bit set, in order.
fn members(set: &[u64]) -> Members<'_> {
    Members {
        set,
        word: 0,
        bits: set.first().copied().unwrap_or(0),
    }
}

#[derive(Clone)]
struct Members<'a> {
    set: &'a [u64],
    word: usize,
    bits: u64,
}

impl Iterator for Members<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            self.word += 1;
            self.bits = *self.set.get(self.word)?;
        }
        let bit = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(self.word * 64 + bit)
    }
}

/// `sums |= sums << by`, bits beyond the last word dropped.
fn shift_or(sums: &mut [u64], by: usize) {
    let (words, bits) = (by / 64, by % 64);
    for i in (words..sums.len()).rev() {
        let mut v = sums[i - words] << bits;
        if bits > 0 && i > words {
            v |= sums[i - words - 1] >> (64 - bits);
        }
        sums[i] |= v;
    }
}

/// Sends a sender's `children` to its `open` schools with seats `left`,
/// lowest index first, into its row of the flow; the children left.
fn greedy(open: u64, children: i64, left: &mut [i64], row: &mut [i64]) -> i64 {
    let mut need = children;
    let mut bits = open;
    while bits != 0 && need > 0 {
        let s = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let sent = need.min(left[s]).max(0);
        row[s] += sent;
        left[s] -= sent;
        need -= sent;
    }
    need
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cut_off, line};
    use super::*;

    #[test]
    fn members_walks_every_word_in_order() {
        let set = [0b101, 0, 1 << 63];
        assert_eq!(members(&set).collect::<Vec<_>>(), vec![0, 2, 191]);
        assert_eq!(members(&[]).count(), 0);
        assert_eq!(members(&[0, 0]).count(), 0);
    }

    #[test]
    fn finds_and_proves_the_connected_optimum() {
        let Budgeted::Plan(plan) = search(&line(), Search::exact(100)) else {
            panic!("no plan")
        };
        assert_eq!(plan.school, vec![0, 0, 1, 1, 1]);
        assert_eq!(plan.cost, 12_000);
        assert!(plan.proven);
        // Nothing is cheaper than the optimum.
        let below = Search {
            below: Some(12_000),
            ..Search::exact(100)
        };
        assert_eq!(search(&line(), below), Budgeted::Infeasible);
    }

    #[test]
    fn a_settled_search_keeps_its_first_plan_unproven() {
        let first = Search {
            settle: Some(0),
            ..Search::exact(100)
        };
        let Budgeted::Plan(plan) = search(&line(), first) else {
            panic!("no plan")
        };
        assert!(!plan.proven);
        assert!(plan.cost >= 12_000);
    }

    #[test]
    fn proves_a_map_without_a_connected_plan_and_fits_it_in_pieces() {
        let model = cut_off();
        assert_eq!(search(&model, Search::exact(100)), Budgeted::Infeasible);
        let pieces = Search {
            connected: false,
            ..Search::exact(100)
        };
        let Budgeted::Plan(plan) = search(&model, pieces) else {
            panic!("no plan in pieces")
        };
        assert_eq!(plan.school, vec![0, 1, 0]);
    }

    #[test]
    fn proves_seats_that_no_subset_of_zones_fills() {
        // 20 children for 20 seats, but no zones add up to 10: the
        // children fit the seats shared out, never whole.
        let model = ConnectedModel {
            demand: vec![6, 7, 7],
            allowed: vec![vec![(0, 100), (1, 100)]; 3],
            neighbours: vec![vec![1, 2], vec![0, 2], vec![0, 1]],
            seats: vec![10, 10],
            root: vec![None, None],
        };
        let space = Space::new(&model, true).unwrap();
        let open = open_node(&model, &[]);
        let mut buffers = Buffers::default();
        assert!(space.seats_suffice(&open, &mut buffers));
        let slack = slack_of(&space, &open).unwrap();
        assert!(!space.each_school_fills(&open, &slack, &mut buffers));
        assert_eq!(search(&model, Search::exact(100)), Budgeted::Infeasible);
    }

    fn slack_of(space: &Space, node: &Node) -> Option<Vec<i64>> {
        let mut slack = Vec::new();
        space
            .slack(node, &mut slack, &mut Vec::new())
            .then_some(slack)
    }

    /// A node of `model` with units `fixed` assigned and every other unit
    /// open to every school.
    fn open_node(model: &ConnectedModel, fixed: &[(usize, u32)]) -> Node {
        let all = (1u64 << model.seats.len()) - 1;
        let mut node = Node {
            options: vec![all; model.demand.len()],
            open: Vec::new(),
            school: vec![UNSET; model.demand.len()],
            room: model.seats.clone(),
            cost: 0,
            unchecked: all,
            uncut: all,
            needed: vec![i64::MIN; model.seats.len()],
            filled: all,
        };
        for &(u, s) in fixed {
            node.options[u] = 1 << s;
            node.school[u] = s;
            node.room[s as usize] -= model.demand[u] as i64;
        }
        node.index_open(model.seats.len());
        node
    }

    #[test]
    fn units_a_school_cannot_do_without_are_given_to_it() {
        // A line 0-1-2-3-4, roots at its ends; 9 children for 10 seats.
        // School 0 must take 5 more children, only through units 1 and 2;
        // school 1 must take 1 more, only through unit 3.
        let model = ConnectedModel {
            demand: vec![1, 1, 5, 1, 1],
            allowed: vec![vec![(0, 100), (1, 100)]; 5],
            neighbours: vec![vec![1], vec![0, 2], vec![1, 3], vec![2, 4], vec![3]],
            seats: vec![7, 3],
            root: vec![Some(0), Some(4)],
        };
        let space = Space::new(&model, true).unwrap();
        let mut node = open_node(&model, &[(0, 0), (4, 1)]);
        let slack = slack_of(&space, &node).unwrap();
        assert_eq!(slack, vec![1, 1]);
        let mut buffers = Buffers::default();
        assert_eq!(
            space.force_cut_units(&mut node, &slack, &mut buffers),
            Some(true)
        );
        assert_eq!(node.options, vec![1, 1, 1, 2, 2]);

        // A unit of school 0 beyond unit 1: unit 1 is school 0's too.
        let mut node = open_node(&model, &[(0, 0), (2, 0), (4, 1)]);
        let slack = slack_of(&space, &node).unwrap();
        assert_eq!(
            space.force_cut_units(&mut node, &slack, &mut buffers),
            Some(true)
        );
        assert_eq!(node.options[1], 1);
    }

    #[test]
    fn each_group_of_schools_seats_its_own_children() {
        // No unit is open to both schools: 5 seats spare in all, but
        // school 0 can keep only 3 empty and school 1 only 2.
        let model = ConnectedModel {
            demand: vec![5, 5],
            allowed: vec![vec![(0, 100)], vec![(1, 100)]],
            neighbours: vec![vec![], vec![]],
            seats: vec![8, 7],
            root: vec![None, None],
        };
        let space = Space::new(&model, true).unwrap();
        let mut node = open_node(&model, &[]);
        node.options = vec![1, 2];
        assert_eq!(slack_of(&space, &node), Some(vec![3, 2]));
        node.room = vec![4, 7];
        assert_eq!(slack_of(&space, &node), None);
    }

    /// A tight grid of `side` x `side` units with a root for each of
    /// `schools` schools, children from a fixed sequence and seats 3 %
    /// above them.
    fn tight_grid(side: usize, schools: usize) -> ConnectedModel {
        let n = side * side;
        let mut rng = crate::generate::rng::Rng::new(12345, 0, 0);
        let demand: Vec<u32> = (0..n).map(|_| 20 + (rng.next_u64() % 80) as u32).collect();
        let at = |u: usize| ((u / side) as i64, (u % side) as i64);
        let roots: Vec<usize> = (0..schools).map(|s| s * n / schools + side / 2).collect();
        let allowed = (0..n)
            .map(|u| {
                let (r, c) = at(u);
                (0..schools)
                    .map(|s| {
                        let (rr, rc) = at(roots[s]);
                        (s as u32, 100 * ((r - rr).abs() + (c - rc).abs()) + 1)
                    })
                    .collect()
            })
            .collect();
        let neighbours = (0..n)
            .map(|u| {
                let (r, c) = at(u);
                [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
                    .into_iter()
                    .filter(|&(r, c)| {
                        (0..side as i64).contains(&r) && (0..side as i64).contains(&c)
                    })
                    .map(|(r, c)| (r as usize * side + c as usize) as u32)
                    .collect()
            })
            .collect();
        let total: i64 = demand.iter().map(|&d| d as i64).sum();
        let seats = (0..schools)
            .map(|s| (total * 103 / 100) / schools as i64 + i64::from(s == 0) * schools as i64)
            .collect();
        ConnectedModel {
            demand,
            allowed,
            neighbours,
            seats,
            root: roots.iter().map(|&r| Some(r as u32)).collect(),
        }
    }

    /// The answers of `find` on pools of one and two threads.
    fn on_one_and_two_threads(find: impl Fn() -> Budgeted + Sync) -> [Budgeted; 2] {
        [1, 2].map(|threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(&find)
        })
    }

    #[test]
    fn the_orders_side_by_side_give_one_answer_on_any_number_of_threads() {
        let model = tight_grid(7, 5);
        let [one, two] = on_one_and_two_threads(|| search(&model, Search::exact(3_000)));
        assert_eq!(one, two);
        let Budgeted::Plan(plan) = one else {
            panic!("no plan: {one:?}")
        };
        assert_eq!(model.check(&plan.school), Ok(()));
    }

    #[test]
    fn a_hunt_finds_a_connected_plan_the_same_on_any_number_of_threads() {
        let model = tight_grid(7, 5);
        let [one, two] = on_one_and_two_threads(|| hunt(&model, 20_000));
        assert_eq!(one, two);
        let Budgeted::Plan(plan) = one else {
            panic!("no plan: {one:?}")
        };
        assert_eq!(model.check(&plan.school), Ok(()));
        assert!(!plan.proven);
    }

    #[test]
    fn a_hunt_on_a_map_without_a_connected_plan_says_so() {
        assert_eq!(hunt(&cut_off(), 1_000), Budgeted::Infeasible);
    }

    #[test]
    fn shifted_sums_carry_across_words() {
        let mut sums = vec![1u64, 0];
        shift_or(&mut sums, 70);
        shift_or(&mut sums, 3);
        // {0} then {0, 70} then {0, 3, 70, 73}.
        assert_eq!(sums, vec![1 | 1 << 3, 1 << 6 | 1 << 9]);
    }
}
