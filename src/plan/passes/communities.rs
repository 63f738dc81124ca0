//! Whole communities (`keep_communities_whole`): every residents'
//! committee or village (zone property `community`, 社区/居委/村) sends
//! all its zones of a stage to one school, as a bureau that publishes its
//! lists by community must.
//!
//! The pass runs on the plan the other passes made. Each community split
//! between schools goes whole to the one of them where that costs least
//! and every hard limit still holds: that school's seats (stage and school
//! limits), locks and the maximum distance, and connected catchments (no
//! school's catchment is left in more pieces than before). Where no school
//! of the community can take it all, it is split as little as the limits
//! allow: first over the fewest schools (one school's whole part merged
//! into another of its schools while any fits), then with the fewest
//! children away from the school holding most of them (its other zones
//! moved there one by one); the community is reported with the reason, so
//! that the list names it.
//!
//! Moving zones only constrains the plan: the bound of the plan without
//! the rule is a lower bound of every plan with it, so the gap reported
//! stays valid (it is measured against the looser model).

use std::collections::BTreeMap;

use crate::model::{Region, Zone};
use crate::plan::Plan;
use crate::plan::Preferences;
use crate::plan::zone_moves::{County, CountyEdit};
use crate::policy::Policy;
use crate::spatial::{Adjacency, BarrierIndex};

/// A community the plan could not keep whole.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitCommunity {
    pub community: String,
    pub county: Option<String>,
    /// Region indices of the schools its zones go to, ascending.
    pub schools: Vec<usize>,
    pub zones: usize,
    pub children: u64,
    pub reason: SplitReason,
}

/// Why a community stays split, from the attempts to move it whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitReason {
    /// None of its schools has the seats for all its children.
    Seats,
    /// Moving it whole would cut a catchment in pieces (or take a school's
    /// own zone from it).
    Pieces,
    /// Locks or the maximum distance keep some of its zones from each of
    /// its schools.
    Locks,
}

impl SplitReason {
    /// The key in summary.json and the catalogue (`communities.KEY`).
    pub fn key(self) -> &'static str {
        match self {
            SplitReason::Seats => "seats",
            SplitReason::Pieces => "pieces",
            SplitReason::Locks => "locks",
        }
    }
}

/// The community of a zone: the `community` property, text or number.
pub fn community_of(zone: &Zone) -> Option<String> {
    match zone.properties.get("community")? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Moves split communities whole where the limits allow; returns, per
/// stage, the communities left split.
pub fn keep_whole(
    plan: &mut Plan,
    region: &Region,
    policy: &Policy,
    adjacency: &Adjacency,
    preferences: &Preferences,
    barriers: &BarrierIndex,
) -> [Vec<SplitCommunity>; 2] {
    let community: Vec<Option<String>> = region.zones.iter().map(community_of).collect();
    let edit = CountyEdit {
        region,
        policy,
        adjacency,
        preferences,
        barriers,
        connected: preferences.contiguous,
    };
    let per_county = edit.apply(plan, |county| county.keep_communities_whole(&community));
    per_county.map(|lists| {
        lists
            .into_iter()
            .flatten()
            .map(|(name, schools, zones, children, reason)| SplitCommunity {
                county: region.zones[zones[0]].county.clone(),
                community: name,
                schools,
                zones: zones.len(),
                children,
                reason,
            })
            .collect()
    })
}

/// A community left split: name, region schools, region zones, children,
/// reason.
type Split = (String, Vec<usize>, Vec<usize>, u64, SplitReason);

/// What trying to move a set of zones to one school found.
enum Attempt {
    Done,
    Seats,
    Pieces,
    Locks,
}

impl County<'_> {
    fn keep_communities_whole(&mut self, community: &[Option<String>]) -> Vec<Split> {
        for s in 0..self.schools.len() {
            self.refresh(s);
        }
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, &z) in self.zones.iter().enumerate() {
            if let Some(c) = &community[z] {
                groups.entry(c.as_str()).or_default().push(i);
            }
        }
        let mut split = Vec::new();
        for (name, members) in groups {
            let used = self.schools_of(&members);
            if used.len() <= 1 {
                continue;
            }
            let mut reason = SplitReason::Locks;
            let mut options: Vec<(i64, usize)> =
                used.iter().map(|&r| (self.delta(&members, r), r)).collect();
            options.sort_unstable();
            let mut whole = false;
            for &(_, r) in &options {
                match self.try_move(&members, r) {
                    Attempt::Done => {
                        whole = true;
                        break;
                    }
                    Attempt::Pieces => reason = SplitReason::Pieces,
                    Attempt::Seats if reason != SplitReason::Pieces => reason = SplitReason::Seats,
                    _ => {}
                }
            }
            if whole {
                continue;
            }
            self.split_least(&members);
            let left = self.schools_of(&members);
            if left.len() > 1 {
                split.push((
                    name.to_string(),
                    left.iter().map(|&s| self.schools[s]).collect(),
                    members.iter().map(|&z| self.zones[z]).collect(),
                    members.iter().map(|&z| u64::from(self.placed[z])).sum(),
                    reason,
                ));
            }
        }
        split
    }

    /// Splits a community that cannot go whole as little as the limits
    /// allow: first fewest schools (a school's whole part merged into
    /// another school of the community, smallest part first, while any
    /// fits), then fewest children away from the school holding most of
    /// them (its other zones moved there one by one, most children first).
    fn split_least(&mut self, members: &[usize]) {
        while self.merge_a_part(members) {}
        let used = self.schools_of(members);
        if used.len() <= 1 {
            return;
        }
        let main = self.largest_share(members, &used);
        let mut away: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&z| self.school_of[z].is_some_and(|s| s as usize != main))
            .collect();
        away.sort_by_key(|&z| (std::cmp::Reverse(self.placed[z]), z));
        for z in away {
            let _ = self.try_move(&[z], main);
        }
    }

    /// Moves one school's whole part of the community to another of its
    /// schools (the part with fewest children first, to the school with
    /// most); false when no part fits anywhere.
    fn merge_a_part(&mut self, members: &[usize]) -> bool {
        let used = self.schools_of(members);
        let children = |s: usize| -> u64 {
            members
                .iter()
                .filter(|&&z| self.school_of[z] == Some(s as u32))
                .map(|&z| u64::from(self.placed[z]))
                .sum()
        };
        let mut by_size: Vec<(u64, usize)> = used.iter().map(|&s| (children(s), s)).collect();
        by_size.sort_unstable();
        for &(_, s) in &by_size {
            let part: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&z| self.school_of[z] == Some(s as u32))
                .collect();
            for &(_, t) in by_size.iter().rev().filter(|&&(_, t)| t != s) {
                if matches!(self.try_move(&part, t), Attempt::Done) {
                    return true;
                }
            }
        }
        false
    }

    /// The school with most of these zones' children (the lowest on ties).
    fn largest_share(&self, zones: &[usize], used: &[usize]) -> usize {
        let children = |s: usize| -> i64 {
            zones
                .iter()
                .filter(|&&z| self.school_of[z] == Some(s as u32))
                .map(|&z| i64::from(self.placed[z]))
                .sum()
        };
        used.iter()
            .copied()
            .max_by(|&a, &b| children(a).cmp(&children(b)).then(b.cmp(&a)))
            .expect("a split community has schools")
    }

    /// What sending these zones to `r` adds to the plan's cost.
    fn delta(&self, zones: &[usize], r: usize) -> i64 {
        zones
            .iter()
            .filter_map(|&z| {
                let from = self.school_of[z]? as usize;
                Some(i64::from(self.placed[z]) * (self.cost(z, r) - self.cost(z, from)))
            })
            .sum()
    }

    /// Zones outside their school's main piece, over these schools.
    fn strays_of(&self, schools: &[usize]) -> usize {
        schools
            .iter()
            .map(|&s| {
                self.members[s]
                    .iter()
                    .filter(|&&z| !self.main[z as usize])
                    .count()
            })
            .sum()
    }

    /// Sends every zone of `zones` not at `r` to `r` if the limits allow
    /// (kept), or says which limit stops it (nothing moved).
    fn try_move(&mut self, zones: &[usize], r: usize) -> Attempt {
        let moving: Vec<usize> = zones
            .iter()
            .copied()
            .filter(|&z| self.school_of[z].is_some_and(|s| s as usize != r))
            .collect();
        if moving.is_empty() {
            return Attempt::Done;
        }
        let locked = moving.iter().any(|&z| {
            let from = self.school_of[z].expect("moving zones have a school") as usize;
            !self.may_take(z, r) || self.home[from] == Some(z as u32)
        });
        if locked {
            return Attempt::Locks;
        }
        let mut touched: Vec<usize> = self.schools_of(&moving);
        touched.push(r);
        touched.sort_unstable();
        touched.dedup();
        let strays = self.strays_of(&touched);
        let mut journal = Vec::with_capacity(moving.len());
        for &z in &moving {
            journal.push((z, self.school_of[z].expect("assigned") as usize));
            self.move_zone(z, r);
        }
        for &s in &touched {
            self.refresh(s);
        }
        if self.room(r) < 0 {
            self.undo(&journal);
            return Attempt::Seats;
        }
        if self.connected && self.strays_of(&touched) > strays {
            self.undo(&journal);
            return Attempt::Pieces;
        }
        Attempt::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stage;
    use crate::plan::{Preferences, check, make};
    use crate::solve::Settings;

    /// Every community's schools per stage in a plan.
    fn schools_per_community(
        region: &Region,
        plan: &Plan,
        stage: Stage,
    ) -> BTreeMap<String, Vec<u32>> {
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (z, zone) in region.zones.iter().enumerate() {
            if let (Some(c), Some(s)) = (community_of(zone), plan.stage(stage).zones[z].school) {
                let list = out.entry(c).or_default();
                if !list.contains(&s) {
                    list.push(s);
                }
            }
        }
        out
    }

    fn plan_of(seed: u64, zones: usize, schools: usize, whole: bool) -> (Region, Plan) {
        let region = crate::generate::generate(&crate::generate::Params {
            seed,
            zones,
            schools,
            counties: 1,
        });
        let preferences = Preferences {
            keep_communities_whole: whole,
            ..Preferences::default()
        };
        let policy = Policy::default();
        let plan = make(&region, &policy, &Settings::default(), &preferences, &()).unwrap();
        (region, plan)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
        /// With the rule on, a community goes to more than one school of a
        /// stage only when the plan names it; every hard limit holds and
        /// every child is counted.
        #[test]
        fn no_community_is_split_unless_named(seed in 0u64..1000, zones in 80usize..260, schools in 6usize..14) {
            let (region, plan) = plan_of(seed, zones, schools, true);
            proptest::prop_assert!(check(&plan, &region, &Policy::default()).is_empty());
            proptest::prop_assert!(plan.conservation(&region).is_ok());
            for stage in Stage::ALL {
                let named: Vec<&str> = plan.split_communities[stage.index()]
                    .iter()
                    .map(|c| c.community.as_str())
                    .collect();
                for (community, schools) in schools_per_community(&region, &plan, stage) {
                    proptest::prop_assert!(
                        schools.len() == 1 || named.contains(&community.as_str()),
                        "{community} ({}) goes to {schools:?} unnamed", stage.key()
                    );
                }
            }
            let q = plan.stats.total;
            proptest::prop_assert!(q.bound_m <= q.objective_m);
        }
    }

    #[test]
    fn the_rule_makes_split_communities_whole() {
        let (region, free) = plan_of(3, 400, 12, false);
        let (_, whole) = plan_of(3, 400, 12, true);
        let split = |plan: &Plan| -> usize {
            Stage::ALL
                .iter()
                .map(|&st| {
                    schools_per_community(&region, plan, st)
                        .values()
                        .filter(|s| s.len() > 1)
                        .count()
                })
                .sum()
        };
        let named: usize = whole.split_communities.iter().map(Vec::len).sum();
        assert!(split(&free) > 0, "the free plan splits some community");
        assert_eq!(split(&whole), named);
        assert!(split(&whole) < split(&free));
        // Constraining a plan never lowers its cost below the free plan's
        // bound: the bound stays a bound.
        assert!(whole.stats.total.objective_m >= free.stats.total.bound_m);
    }
}
