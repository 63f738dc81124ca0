//! Which schools share a multi-school zone, and what the group holds: its
//! zones (the union of its schools' catchments in the plan) and its seats.
//!
//! Groups come from the bureau's `groups.csv` ([`groups_from_specs`]) or
//! are formed from the plan ([`auto_groups`]): public schools of one stage
//! and county whose catchments touch are merged, nearest pairs of schools
//! first, into groups of at most `size` schools. The result depends only on
//! the plan and the map, never on hash order or threads.

use std::collections::BTreeSet;

use crate::io::GroupSpec;
use crate::model::{Region, SchoolKind, Stage};
use crate::plan::Plan;
use crate::spatial::Adjacency;

/// A multi-school zone for one stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The bureau's name, or `primary-01`, `junior-03`... when formed here.
    pub id: String,
    pub stage: Stage,
    /// Member schools (region indices).
    pub schools: Vec<usize>,
    /// Seats of each member for this stage, in the order of `schools`.
    pub seats: Vec<u32>,
    /// Zones whose catchment school in the plan is a member, ascending.
    pub zones: Vec<usize>,
}

impl Group {
    pub fn seats_total(&self) -> u64 {
        self.seats.iter().map(|&s| s as u64).sum()
    }

    pub fn children(&self, region: &Region) -> u64 {
        self.zones
            .iter()
            .map(|&z| region.zones[z].cohort(self.stage).total() as u64)
            .sum()
    }
}

/// Seats of every school for one stage's lottery: the policy's seats (as
/// the plan counted them: classes x class limit, explicit cap, school
/// limit minus pupils who stay).
///
/// A nine-year school shares one school limit between its stages, and the
/// two lotteries are drawn apart; so that together they can never exceed
/// it, the shared limit is split before any draw: each stage keeps at
/// least what the plan gave it, and the slack goes to primary first, the
/// stage where nearby enrollment must reach 100 % (junior: 95 %).
pub fn lottery_seats(region: &Region, plan: &Plan, stage: Stage) -> Vec<u32> {
    let intake = |st: Stage| {
        let mut v = vec![0u32; region.schools.len()];
        for zp in &plan.stage(st).zones {
            if let Some(s) = zp.school {
                v[s as usize] += zp.placed;
            }
        }
        v
    };
    let junior_plan = intake(Stage::Junior);
    region
        .schools
        .iter()
        .enumerate()
        .map(|(i, school)| {
            let seats = plan.seats[i];
            if school.kind != SchoolKind::NineYear {
                return seats.of(stage);
            }
            let primary = seats
                .of(Stage::Primary)
                .min(seats.school.saturating_sub(junior_plan[i]));
            match stage {
                Stage::Primary => primary,
                Stage::Junior => seats
                    .of(Stage::Junior)
                    .min(seats.school.saturating_sub(primary)),
            }
        })
        .collect()
}

/// Groups of one stage with their zones and seats, from member lists.
fn build(
    region: &Region,
    plan: &Plan,
    stage: Stage,
    members: Vec<(String, Vec<usize>)>,
) -> Vec<Group> {
    let seats = lottery_seats(region, plan, stage);
    let mut group_of: Vec<Option<usize>> = vec![None; region.schools.len()];
    let mut groups: Vec<Group> = members
        .into_iter()
        .enumerate()
        .map(|(g, (id, schools))| {
            for &s in &schools {
                group_of[s] = Some(g);
            }
            Group {
                id,
                stage,
                seats: schools.iter().map(|&s| seats[s]).collect(),
                schools,
                zones: Vec::new(),
            }
        })
        .collect();
    for (z, zp) in plan.stage(stage).zones.iter().enumerate() {
        if let Some(g) = zp.school.and_then(|s| group_of[s as usize]) {
            groups[g].zones.push(z);
        }
    }
    groups
}

/// The bureau's groups, per stage: each group's members that take a
/// catchment of the stage (a group of a primary and a nine-year school is a
/// primary group of two and a junior group of one). Stages come in order,
/// groups in the file's order.
pub fn groups_from_specs(region: &Region, plan: &Plan, specs: &[GroupSpec]) -> Vec<Group> {
    Stage::ALL
        .into_iter()
        .flat_map(|stage| {
            let members = specs
                .iter()
                .filter_map(|spec| {
                    let schools: Vec<usize> = spec
                        .schools
                        .iter()
                        .copied()
                        .filter(|&s| region.schools[s].takes_catchment(stage))
                        .collect();
                    (!schools.is_empty()).then(|| (spec.id.clone(), schools))
                })
                .collect();
            build(region, plan, stage, members)
        })
        .collect()
}

/// Groups formed from the plan: two public schools of a stage are
/// neighbours when a zone of one's catchment touches a zone of the other's
/// and both are in one county. Pairs of neighbours are taken nearest first
/// (distance between the schools, then school order) and merged when the
/// merged group has at most `size` schools; schools left alone keep their
/// single-school catchment. Near schools first because a child who loses
/// the lottery goes to another school of the group: the nearer the
/// schools, the shorter that trip.
pub fn auto_groups(region: &Region, plan: &Plan, adjacency: &Adjacency, size: usize) -> Vec<Group> {
    Stage::ALL
        .into_iter()
        .flat_map(|stage| {
            let school_of: Vec<Option<usize>> = plan
                .stage(stage)
                .zones
                .iter()
                .map(|zp| zp.school.map(|s| s as usize))
                .collect();
            let eligible = |s: usize| region.schools[s].takes_catchment(stage);
            let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
            for (z, &a) in school_of.iter().enumerate() {
                let Some(a) = a.filter(|&a| eligible(a)) else {
                    continue;
                };
                for &w in adjacency.neighbours(z) {
                    if let Some(b) = school_of[w as usize]
                        && b != a
                        && eligible(b)
                        && region.schools[a].county == region.schools[b].county
                    {
                        pairs.insert((a.min(b), a.max(b)));
                    }
                }
            }
            let mut edges: Vec<(i64, usize, usize)> = pairs
                .into_iter()
                .map(|(a, b)| {
                    let d = region
                        .distances
                        .metres(region.schools[a].location, region.schools[b].location);
                    (d, a, b)
                })
                .collect();
            edges.sort_unstable();
            let mut sets = DisjointSets::new(region.schools.len());
            for (_, a, b) in edges {
                let (ra, rb) = (sets.find(a), sets.find(b));
                if ra != rb && sets.size[ra] + sets.size[rb] <= size {
                    sets.union(ra, rb);
                }
            }
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); region.schools.len()];
            for s in 0..region.schools.len() {
                if eligible(s) {
                    members[sets.find(s)].push(s);
                }
            }
            // Members ascend, so sorting by the first member orders groups
            // by their lowest school index.
            let mut lists: Vec<Vec<usize>> = members.into_iter().filter(|m| m.len() > 1).collect();
            lists.sort_unstable_by_key(|m| m[0]);
            let named = lists
                .into_iter()
                .enumerate()
                .map(|(n, m)| (format!("{}-{:02}", stage.key(), n + 1), m))
                .collect();
            build(region, plan, stage, named)
        })
        .collect()
}

/// Union-find with sizes; roots are the lower index, so the result does
/// not depend on the order of unions beyond the edges' own order.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins two roots.
    fn union(&mut self, a: usize, b: usize) {
        let (root, child) = (a.min(b), a.max(b));
        self.parent[child] = root;
        self.size[root] += self.size[child];
    }
}
