//! The figures of two scenarios side by side (`catchment compare`): each
//! stage's distance, children without a seat, classes and large classes,
//! migrant children in public schools and balance CVs, A against B; the
//! children moved (zones whose school differs, weighted by their
//! children) and the largest flows between schools; utilization per
//! school. [`crate::report::compare`] writes them.
//!
//! Zones and schools are matched by id. "Moved" counts B's children of a
//! zone present in both whose catchment school differs; zones only in B
//! (new housing) are counted apart.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Summary;
use crate::model::Stage;
use crate::planning::Solved;

/// What the changed-zones map shows, per zone of scenario B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneChange {
    /// Same school in A and B.
    Same,
    /// Another school in B than in A.
    Moved,
    /// The zone exists only in B (new housing).
    New,
}

/// The end of a flow for children without a school (in summary.json as
/// written; the documents translate it).
pub const NO_SCHOOL: &str = "(none)";

/// The figures of one scenario's stage.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StageFigures {
    pub children: u64,
    pub placed: u64,
    /// Children without a seat (seats short).
    pub unplaced: u64,
    pub unplaced_bound: u64,
    pub travel_km: f64,
    pub objective_km: f64,
    pub bound_km: f64,
    pub gap: Option<f64>,
    pub mean_km: f64,
    pub max_km: f64,
    pub classes: u64,
    pub largest_class: u32,
    /// Classes at or over the large-class size (大班额).
    pub large_classes: u64,
    /// Classes at or over the oversize threshold (超大班额).
    pub oversize_classes: u64,
    pub migrant_children: u64,
    pub migrant_placed: u64,
    /// Migrant children with a public seat, as a share (None: no migrant
    /// children).
    pub migrant_public_share: Option<f64>,
    /// Schools whose intake fills every seat.
    pub full_schools: usize,
    /// Enrollment-weighted CV of each balance indicator R1-R7 (None: data
    /// missing at some school).
    pub balance_cv: [Option<f64>; 7],
    pub balance_cv_limit: f64,
    pub violations: usize,
}

/// One scenario of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct SideFigures {
    /// "A" or "B": where its full outputs are.
    pub label: String,
    pub scenario: String,
    pub description: String,
    /// The scenario files, base first.
    pub chain: Vec<String>,
    /// What its changes did, in order.
    pub changes: Vec<crate::run::change_notes::ChangeNote>,
    pub zones: usize,
    pub schools: usize,
    pub migrant_target: f64,
    pub primary: StageFigures,
    pub junior: StageFigures,
}

impl SideFigures {
    pub fn stage(&self, stage: Stage) -> &StageFigures {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }
}

/// Children whose school differs between A and B.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Moved {
    /// B's children of zones in both scenarios whose school differs.
    pub children: u64,
    pub zones: usize,
    /// Children of zones that exist only in B (new housing).
    pub new_zone_children: u64,
    pub new_zones: usize,
    /// Zones of A missing from B.
    pub zones_only_in_a: usize,
    /// The largest flows, from A's school to B's, most children first.
    pub flows: Vec<Flow>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub zones: usize,
    pub children: u64,
}

/// A school's intake and seats in a stage, in A and in B (None where it
/// does not exist or take a catchment there).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Utilization {
    pub id: String,
    pub name: String,
    pub stage: &'static str,
    pub a: Option<Load>,
    pub b: Option<Load>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Load {
    pub intake: u32,
    pub seats: u32,
}

impl Load {
    pub fn share(&self) -> Option<f64> {
        (self.seats > 0).then(|| self.intake as f64 / self.seats as f64)
    }
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub a: SideFigures,
    pub b: SideFigures,
    pub moved_primary: Moved,
    pub moved_junior: Moved,
    pub utilization: Vec<Utilization>,
    /// Per zone of B and stage, how its school changed (for the maps).
    #[serde(skip)]
    pub zone_change: [Vec<ZoneChange>; 2],
}

impl Comparison {
    pub fn moved(&self, stage: Stage) -> &Moved {
        match stage {
            Stage::Primary => &self.moved_primary,
            Stage::Junior => &self.moved_junior,
        }
    }
}

/// Classes of at least `threshold` pupils when `intake` is spread evenly
/// over `classes` (sizes differ by at most one).
fn classes_at_least(intake: u32, classes: u32, threshold: u32) -> u64 {
    if classes == 0 {
        return 0;
    }
    let (q, r) = (intake / classes, intake % classes);
    let mut n = 0;
    if q + 1 >= threshold {
        n += r as u64;
    }
    if q >= threshold {
        n += (classes - r) as u64;
    }
    n
}

pub(crate) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn stage_figures(solved: &Solved, summary: &Summary, stage: Stage) -> StageFigures {
    let policy = &solved.scenario.policy;
    let s = summary.stage(stage);
    let figures = solved.plan.school_figures(&solved.region, policy, stage);
    let mut large = 0;
    let mut oversize = 0;
    let mut full = 0;
    for f in &figures {
        large += classes_at_least(f.intake, f.classes.opened, policy.large_class);
        oversize += classes_at_least(f.intake, f.classes.opened, policy.oversize_class);
        if solved.region.schools[f.school].takes_catchment(stage)
            && f.seats > 0
            && f.intake >= f.seats
        {
            full += 1;
        }
    }
    let spreads = solved.plan.balance(&solved.region, policy, stage);
    StageFigures {
        children: s.children,
        placed: s.placed,
        unplaced: s.unplaced,
        unplaced_bound: s.unplaced_bound,
        travel_km: round(s.travel_km, 3),
        objective_km: round(s.objective_km, 3),
        bound_km: round(s.bound_km, 3),
        gap: s.gap,
        mean_km: s.mean_km,
        max_km: round(s.max_km, 3),
        classes: s.classes,
        largest_class: s.largest_class,
        large_classes: large,
        oversize_classes: oversize,
        migrant_children: s.migrant_children,
        migrant_placed: s.migrant_placed,
        migrant_public_share: (s.migrant_children > 0)
            .then(|| round(s.migrant_placed as f64 / s.migrant_children as f64, 4)),
        full_schools: full,
        balance_cv: spreads.map(|x| x.map(|x| round(x.cv, 4))),
        balance_cv_limit: policy.balance.cv_limit(stage),
        violations: s.violations,
    }
}

fn side(label: &str, solved: &Solved, summary: &Summary) -> SideFigures {
    SideFigures {
        label: label.to_string(),
        scenario: solved.scenario.name.clone(),
        description: solved.scenario.description.clone(),
        chain: solved
            .scenario
            .chain
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        changes: solved.log.clone(),
        zones: solved.region.zones.len(),
        schools: solved.region.schools.len(),
        migrant_target: solved.scenario.policy.migrant_target,
        primary: stage_figures(solved, summary, Stage::Primary),
        junior: stage_figures(solved, summary, Stage::Junior),
    }
}

fn moved(a: &Solved, b: &Solved, stage: Stage) -> (Moved, Vec<ZoneChange>) {
    let index_a: BTreeMap<&str, usize> = a
        .region
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i))
        .collect();
    let school_id = |s: &Solved, x: Option<u32>| x.map(|x| s.region.schools[x as usize].id.clone());
    let za = &a.plan.stage(stage).zones;
    let zb = &b.plan.stage(stage).zones;
    let mut m = Moved::default();
    let mut flows: BTreeMap<(String, String), (usize, u64)> = BTreeMap::new();
    let mut change = Vec::with_capacity(b.region.zones.len());
    let mut seen = 0;
    for (z, zone) in b.region.zones.iter().enumerate() {
        let children = zone.cohort(stage).total() as u64;
        let Some(&za_index) = index_a.get(zone.id.as_str()) else {
            m.new_zones += 1;
            m.new_zone_children += children;
            change.push(ZoneChange::New);
            continue;
        };
        seen += 1;
        let (from, to) = (
            school_id(a, za[za_index].school),
            school_id(b, zb[z].school),
        );
        if from == to {
            change.push(ZoneChange::Same);
            continue;
        }
        change.push(ZoneChange::Moved);
        m.zones += 1;
        m.children += children;
        let key = (
            from.unwrap_or_else(|| NO_SCHOOL.into()),
            to.unwrap_or_else(|| NO_SCHOOL.into()),
        );
        let e = flows.entry(key).or_default();
        e.0 += 1;
        e.1 += children;
    }
    m.zones_only_in_a = a.region.zones.len() - seen;
    let mut flows: Vec<Flow> = flows
        .into_iter()
        .filter(|(_, (_, c))| *c > 0)
        .map(|((from, to), (zones, children))| Flow {
            from,
            to,
            zones,
            children,
        })
        .collect();
    flows.sort_by(|x, y| {
        y.children
            .cmp(&x.children)
            .then_with(|| x.from.cmp(&y.from))
            .then_with(|| x.to.cmp(&y.to))
    });
    flows.truncate(20);
    m.flows = flows;
    (m, change)
}

fn utilization(a: &Solved, b: &Solved) -> Vec<Utilization> {
    let mut rows: BTreeMap<(Stage, String), Utilization> = BTreeMap::new();
    for (which, s) in [(0, a), (1, b)] {
        for stage in Stage::ALL {
            for f in s.plan.school_figures(&s.region, &s.scenario.policy, stage) {
                let school = &s.region.schools[f.school];
                if !school.takes_catchment(stage) {
                    continue;
                }
                let row = rows
                    .entry((stage, school.id.clone()))
                    .or_insert_with(|| Utilization {
                        id: school.id.clone(),
                        name: school.name.clone(),
                        stage: stage.key(),
                        a: None,
                        b: None,
                    });
                let load = Some(Load {
                    intake: f.intake,
                    seats: f.seats,
                });
                if which == 0 {
                    row.a = load;
                } else {
                    row.name = school.name.clone();
                    row.b = load;
                }
            }
        }
    }
    rows.into_values().collect()
}

/// Computes the comparison of two allocated scenarios.
pub fn compare(a: &Solved, sa: &Summary, b: &Solved, sb: &Summary) -> Comparison {
    let (mp, cp) = moved(a, b, Stage::Primary);
    let (mj, cj) = moved(a, b, Stage::Junior);
    Comparison {
        a: side("A", a, sa),
        b: side("B", b, sb),
        moved_primary: mp,
        moved_junior: mj,
        utilization: utilization(a, b),
        zone_change: [cp, cj],
    }
}

/// Share of placed children within each distance, in percent, sampled at
/// `steps` distances up to `max_km`.
pub fn distance_curve(solved: &Solved, stage: Stage, max_km: f64, steps: usize) -> Vec<(f64, f64)> {
    let mut trips: Vec<(f64, u32)> = solved
        .plan
        .stage(stage)
        .zones
        .iter()
        .filter(|zp| zp.placed > 0)
        .map(|zp| (zp.metres.unwrap_or(0) as f64 / 1000.0, zp.placed))
        .collect();
    trips.sort_by(|x, y| x.0.total_cmp(&y.0));
    let total: u64 = trips.iter().map(|t| t.1 as u64).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(steps + 1);
    let mut k = 0;
    let mut within = 0u64;
    for i in 0..=steps {
        let x = max_km * i as f64 / steps as f64;
        while k < trips.len() && trips[k].0 <= x {
            within += trips[k].1 as u64;
            k += 1;
        }
        out.push((round(x, 3), round(100.0 * within as f64 / total as f64, 3)));
    }
    out
}

pub fn utilization_curve(rows: &[Utilization], stage: Stage, b: bool) -> Vec<(f64, f64)> {
    let mut shares: Vec<f64> = rows
        .iter()
        .filter(|r| r.stage == stage.key())
        .filter_map(|r| if b { r.b } else { r.a })
        .filter_map(|l| l.share())
        .map(|s| round(100.0 * s, 3))
        .collect();
    shares.sort_by(|x, y| y.total_cmp(x));
    shares
        .into_iter()
        .enumerate()
        .map(|(i, s)| ((i + 1) as f64, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_classes_are_counted_from_an_even_spread() {
        // 113 over 2 classes: 57 and 56, both large.
        assert_eq!(classes_at_least(113, 2, 56), 2);
        // 111 over 2: 56 and 55.
        assert_eq!(classes_at_least(111, 2, 56), 1);
        assert_eq!(classes_at_least(90, 2, 56), 0);
        assert_eq!(classes_at_least(0, 0, 56), 0);
    }
}
