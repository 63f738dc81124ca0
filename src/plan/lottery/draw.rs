//! One lottery: a group's children of one stage, one seed (the rule is in
//! the [module docs](super)).

use super::{Group, LotteryError};
use crate::generate::rng::Rng;
use crate::model::Region;
use crate::plan::Unplaced;
use crate::policy::Policy;

/// A school of the group a zone's children may go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Position of the school in [`Group::schools`].
    pub member: usize,
    /// Great-circle metres from the zone's centroid.
    pub metres: i64,
}

/// One zone of a group: its children and its choices, nearest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrantZone {
    pub zone: usize,
    pub children: u32,
    /// The group's schools within the policy's reach, nearest first (ties:
    /// the group's order), so every draw sees the same preferences.
    pub choices: Vec<Choice>,
}

/// Everything about a group's lottery that no seed changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Entrants {
    /// The group's zones, in the group's order.
    pub zones: Vec<EntrantZone>,
    /// The policy's reach for the stage, for the reason of those left out.
    pub max_km: Option<f64>,
}

impl Entrants {
    pub fn new(region: &Region, policy: &Policy, group: &Group) -> Entrants {
        let max_km = policy.stage(group.stage).max_km;
        let zones = group
            .zones
            .iter()
            .map(|&z| {
                let zone = &region.zones[z];
                let mut choices: Vec<Choice> = group
                    .schools
                    .iter()
                    .enumerate()
                    .map(|(member, &s)| Choice {
                        member,
                        metres: region
                            .distances
                            .metres(zone.centroid, region.schools[s].location),
                    })
                    .filter(|c| max_km.is_none_or(|km| c.metres as f64 <= km * 1000.0))
                    .collect();
                choices.sort_by_key(|c| (c.metres, c.member));
                EntrantZone {
                    zone: z,
                    children: zone.cohort(group.stage).total(),
                    choices,
                }
            })
            .collect();
        Entrants { zones, max_km }
    }

    /// Children whose nearest school of the group is each member.
    pub fn first_choices(&self, members: usize) -> Vec<u32> {
        let mut v = vec![0u32; members];
        for ez in &self.zones {
            if let Some(c) = ez.choices.first() {
                v[c.member] += ez.children;
            }
        }
        v
    }

    /// Why children of the zone at `pos` can be left without a seat.
    pub fn reason(&self, pos: usize) -> Unplaced {
        let ez = &self.zones[pos];
        match ez.choices.last() {
            None => Unplaced::NoneWithinReach {
                max_km: self.max_km.unwrap_or(0.0),
            },
            Some(far) => Unplaced::AllFull {
                schools: ez.choices.len(),
                farthest_km: far.metres as f64 / 1000.0,
            },
        }
    }
}

/// The outcome of one draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    pub seed: u64,
    /// Children of each zone (in [`Entrants::zones`] order) placed at each
    /// member school.
    pub placed: Vec<Vec<u32>>,
    /// Children of each zone no school of the group could take.
    pub unplaced: Vec<u32>,
    /// Per member: children admitted whose nearest school it is.
    pub admitted_first: Vec<u32>,
    /// Per member: children admitted after losing at a nearer school.
    pub admitted_other: Vec<u32>,
    pub rounds: usize,
}

impl Draw {
    pub fn admitted(&self, member: usize) -> u32 {
        self.admitted_first[member] + self.admitted_other[member]
    }
}

/// A stable 64-bit name of a group (FNV-1a), so that its random stream
/// does not depend on where it sits in a list or on std's hasher.
fn stream_of(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Draws the lottery of `group` with `seed`, and checks what it drew: no
/// school over its seats, every child placed or unplaced exactly once.
pub fn draw(group: &Group, entrants: &Entrants, seed: u64) -> Result<Draw, LotteryError> {
    let members = group.schools.len();
    let mut rng = Rng::new(seed, stream_of(&group.id), group.stage.index() as u64);
    // One ticket per child, then a Fisher-Yates shuffle: the lottery order.
    let mut order: Vec<u32> = Vec::new();
    for (pos, ez) in entrants.zones.iter().enumerate() {
        order.extend(std::iter::repeat_n(pos as u32, ez.children as usize));
    }
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut d = Draw {
        seed,
        placed: vec![vec![0; members]; entrants.zones.len()],
        unplaced: vec![0; entrants.zones.len()],
        admitted_first: vec![0; members],
        admitted_other: vec![0; members],
        rounds: 0,
    };
    let mut free = group.seats.clone();
    let mut waiting = order;
    while !waiting.is_empty() {
        d.rounds += 1;
        let open: Vec<bool> = free.iter().map(|&f| f > 0).collect();
        let mut next = Vec::new();
        for pos in waiting {
            let ez = &entrants.zones[pos as usize];
            // First round: the nearest school, even one without seats
            // (so that its applicants never take a seat from another
            // school's first choices); later: the nearest with seats left.
            let choice = if d.rounds == 1 {
                ez.choices.first()
            } else {
                ez.choices.iter().find(|c| open[c.member])
            };
            match choice {
                None => d.unplaced[pos as usize] += 1,
                Some(c) if free[c.member] > 0 => {
                    free[c.member] -= 1;
                    d.placed[pos as usize][c.member] += 1;
                    if ez.choices[0].member == c.member {
                        d.admitted_first[c.member] += 1;
                    } else {
                        d.admitted_other[c.member] += 1;
                    }
                }
                Some(_) => next.push(pos),
            }
        }
        waiting = next;
    }
    check(group, entrants, &d).map_err(|message| LotteryError::Broken {
        group: group.id.clone(),
        stage: group.stage.key(),
        seed,
        message,
    })?;
    Ok(d)
}

/// Capacity and conservation, per zone, per school and for the group.
fn check(group: &Group, entrants: &Entrants, d: &Draw) -> Result<(), String> {
    let mut at = vec![0u64; group.schools.len()];
    for (pos, ez) in entrants.zones.iter().enumerate() {
        let placed: u32 = d.placed[pos].iter().sum();
        if placed + d.unplaced[pos] != ez.children {
            return Err(format!(
                "zone #{}: {} children, {placed} placed + {} unplaced",
                ez.zone, ez.children, d.unplaced[pos]
            ));
        }
        for (m, &n) in d.placed[pos].iter().enumerate() {
            at[m] += n as u64;
        }
    }
    for (m, &n) in at.iter().enumerate() {
        if n > group.seats[m] as u64 || n != d.admitted(m) as u64 {
            return Err(format!(
                "school #{}: {n} placed, {} admitted, {} seats",
                group.schools[m],
                d.admitted(m),
                group.seats[m]
            ));
        }
    }
    let children: u64 = entrants.zones.iter().map(|z| z.children as u64).sum();
    let total: u64 = at.iter().sum::<u64>() + d.unplaced.iter().map(|&u| u as u64).sum::<u64>();
    if total != children {
        return Err(format!("{children} children, {total} placed or unplaced"));
    }
    Ok(())
}
