//! From a region to a plan: split by county (children never cross a county
//! line), find candidates, solve each county's core instance in parallel, and
//! put the answers back on the zones.
//!
//! Candidate lists start with the `k` nearest schools and grow by column
//! generation: after each relaxation, a school beyond a zone's list can
//! only improve it if its distance plus its seat price is below the zone's
//! value; prices are never negative, so only schools nearer than that value
//! need a look, and usually none qualifies. When no zone has such a school,
//! the relaxation over the lists is the relaxation over all schools, and the
//! bound holds for the full problem.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;

use std::collections::{HashMap, HashSet};

use super::{
    Observer, Plan, PlanError, Preferences, Quality, Shortage, SolveStats, StagePlan, Unplaced,
    ZonePlan, make_contiguous,
};
use crate::model::{LockKind, Region, Stage};
use crate::policy::{Policy, Seats};
use crate::solve::{
    self, Arc, Component, Instance, Outcome, Relaxation, Settings, SolveError, Target,
    UNPLACED_COST_M, relax, relax_again,
};
use crate::spatial::{
    BarrierIndex, Candidate, DEFAULT_TOLERANCE_M, Nearest, SchoolIndex, unit_vector,
};

/// A component solved: its plan and per-stage bounds (penalised cost,
/// unplaced children).
type Solved = (Component, Outcome, [(i128, u64); 2]);

/// One county: its zones and schools (indices into the region).
struct Part<'a> {
    county: Option<&'a str>,
    zones: Vec<usize>,
    schools: Vec<usize>,
}

/// One unit of the core instance: a zone's children of one stage.
struct Unit {
    zone: usize,
    stage: Stage,
    demand: u32,
    /// The nearest schools within reach (the first candidates).
    nearest: Nearest,
    /// Schools beyond those, added because their price made them attractive.
    extra: Vec<Candidate>,
    /// Every school nearer than this is listed (0: only the nearest list).
    complete_below: i64,
}

impl Unit {
    fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.nearest.candidates.iter().chain(&self.extra)
    }
}

struct PartResult {
    zones: Vec<(usize, Stage, ZonePlan)>,
    quality: [Quality; 2],
    total: Quality,
    widened: usize,
    rounds: usize,
    split: usize,
    nodes: usize,
}

/// One allocation of the region's children; `migrant_band`: whether the
/// migrant share band post-pass may move zones (not over separate lists).
pub(super) fn allocate_pass(
    region: &Region,
    policy: &Policy,
    settings: &Settings,
    preferences: &Preferences,
    observer: &dyn Observer,
    migrant_band: bool,
) -> Result<Plan, PlanError> {
    let seats: Vec<Seats> = region.schools.iter().map(|s| policy.seats(s)).collect();
    // Special children take their resource-room seats first; catchments
    // are drawn over the children and seats left (see `special`).
    let resource_rooms =
        super::passes::resource_rooms::place_in_resource_rooms(region, policy, &seats);
    let regular_seats = super::passes::resource_rooms::seats_left(&seats, &resource_rooms);
    let demand = super::passes::resource_rooms::regular_demand(region, &resource_rooms);
    let index = SchoolIndex::of(region);
    let locks = LockIndex::new(preferences);
    locks.check_seats(region, &regular_seats, &demand)?;
    let parts = split_by_county(region);
    observer.parts(parts.len());
    let units = demand
        .iter()
        .map(|d| d.iter().filter(|&&n| n > 0).count())
        .sum();
    let barriers = BarrierIndex::new(&preferences.barriers);
    let ctx = Context {
        region,
        policy,
        settings,
        seats: &regular_seats,
        demand: &demand,
        index: &index,
        units,
        locks: &locks,
        stability_m: (preferences.stability_km * 1000.0).round() as i64,
        barriers: &barriers,
        barrier_m: (preferences.barrier_penalty_km * 1000.0).round() as i64,
    };
    let results: Vec<PartResult> = parts
        .par_iter()
        .map(|part| {
            let r = ctx.solve_part(part);
            observer.part_done();
            r
        })
        .collect::<Result<_, _>>()?;

    let empty = ZonePlan {
        school: None,
        metres: None,
        placed: 0,
        purchased: Vec::new(),
        resource_room: Vec::new(),
        unplaced: 0,
        reason: None,
    };
    let mut stages = Stage::ALL.map(|stage| StagePlan {
        stage,
        zones: vec![empty.clone(); region.zones.len()],
        quality: Quality::default(),
    });
    let mut stats = SolveStats {
        parts: parts.len(),
        ..Default::default()
    };
    for r in results {
        for (z, stage, zp) in r.zones {
            stages[stage.index()].zones[z] = zp;
        }
        for stage in Stage::ALL {
            stages[stage.index()].quality.add(&r.quality[stage.index()]);
        }
        stats.total.add(&r.total);
        stats.widened_units += r.widened;
        stats.widening_rounds = stats.widening_rounds.max(r.rounds);
        stats.split_units += r.split;
        stats.nodes += r.nodes;
    }
    for stage in Stage::ALL {
        for (zp, rr) in stages[stage.index()]
            .zones
            .iter_mut()
            .zip(&resource_rooms[stage.index()])
        {
            zp.resource_room.clone_from(rr);
        }
        label_empty_zones(
            region,
            &index,
            &locks,
            stage,
            &mut stages[stage.index()].zones,
        );
    }
    // Until the catchments are final, the plan's seats are those left
    // after resource rooms (what contiguity repair and feeder alignment may
    // fill); then the school's full seats again, against which the whole
    // intake (resource rooms included) is checked.
    let mut plan = Plan {
        stages,
        seats: regular_seats,
        stats,
        contiguous: preferences.contiguous,
        objective: super::ObjectiveReport::new(preferences),
        contiguity: Default::default(),
        crossings: Default::default(),
        feeders_aligned: false,
        migrant_band_moves: [0, 0],
        moved_cap: None,
        adjacency: None,
        migrant: None,
        split_communities: Default::default(),
    };
    let band = migrant_band && super::passes::migrant_band::band_active(region, policy);
    let balance = preferences.objective == super::Objective::Balance;
    // A given neighbour list is kept with the plan even where no pass needs
    // it, so that reports and lottery groups read the bureau's graph.
    let given = !preferences.neighbours.is_empty();
    let whole = preferences.keep_communities_whole;
    if preferences.contiguous || preferences.feeders_aligned || band || balance || given || whole {
        let adjacency = preferences
            .neighbours
            .adjacency(&region.zones, DEFAULT_TOLERANCE_M);
        if preferences.contiguous {
            plan.contiguity = make_contiguous(
                &mut plan,
                region,
                policy,
                &adjacency,
                preferences,
                &barriers,
                settings.backend.mip_solver(),
            );
        }
        if band {
            plan.migrant_band_moves = super::passes::migrant_band::fit_migrant_band(
                &mut plan,
                region,
                policy,
                &adjacency,
                preferences,
                &barriers,
            );
        }
        if balance {
            plan.objective.zones_moved = super::passes::balance::even_out(
                &mut plan,
                region,
                policy,
                &adjacency,
                preferences,
                &barriers,
            );
        }
        if whole {
            plan.split_communities = super::passes::communities::keep_whole(
                &mut plan,
                region,
                policy,
                &adjacency,
                preferences,
                &barriers,
            );
        }
        if preferences.feeders_aligned {
            super::passes::feeders::align(&mut plan, region, policy, settings)?;
            // Junior catchments are now unions of primary ones: what is
            // left in pieces is reported, not moved (moving would split a
            // primary catchment again).
            plan.contiguity[Stage::Junior.index()] =
                super::passes::contiguity::pieces(&plan, region, &adjacency, Stage::Junior);
        }
        plan.adjacency = Some(std::sync::Arc::new(adjacency));
    }
    plan.seats = seats;
    plan.crossings = Stage::ALL.map(|stage| crossings(region, &plan, &barriers, stage));
    plan.recount(region, preferences);
    super::passes::purchased_seats::place_in_purchased_seats(&mut plan, region, policy);
    Ok(plan)
}

fn split_by_county(region: &Region) -> Vec<Part<'_>> {
    let mut parts: BTreeMap<Option<&str>, Part> = BTreeMap::new();
    for (z, zone) in region.zones.iter().enumerate() {
        let county = zone.county.as_deref();
        parts
            .entry(county)
            .or_insert_with(|| Part {
                county,
                zones: Vec::new(),
                schools: Vec::new(),
            })
            .zones
            .push(z);
    }
    for (s, school) in region.schools.iter().enumerate() {
        if let Some(part) = parts.get_mut(&school.county.as_deref()) {
            part.schools.push(s);
        }
    }
    parts.into_values().collect()
}

struct Context<'a> {
    region: &'a Region,
    policy: &'a Policy,
    settings: &'a Settings,
    seats: &'a [Seats],
    /// Children of each zone and stage to place (those not in resource rooms).
    demand: &'a [[u32; 2]],
    index: &'a SchoolIndex<'a>,
    /// Zone-stages with children in the whole region: the MIP backend's time
    /// budget is shared out in proportion.
    units: usize,
    locks: &'a LockIndex,
    /// Cost of one moved child, metres.
    stability_m: i64,
    barriers: &'a BarrierIndex,
    barrier_m: i64,
}

/// Locks by zone and stage, for quick questions while building units.
#[derive(Default)]
struct LockIndex {
    pins: HashMap<(usize, Stage), usize>,
    forbidden: HashSet<(usize, Stage, usize)>,
    forbidden_count: HashMap<(usize, Stage), usize>,
}

impl LockIndex {
    fn new(preferences: &Preferences) -> LockIndex {
        let mut index = LockIndex::default();
        for l in &preferences.locks {
            match l.kind {
                LockKind::Pin => {
                    index.pins.insert((l.zone, l.stage), l.school);
                }
                LockKind::Forbid => {
                    if index.forbidden.insert((l.zone, l.stage, l.school)) {
                        *index.forbidden_count.entry((l.zone, l.stage)).or_default() += 1;
                    }
                }
            }
        }
        index
    }

    fn pin(&self, zone: usize, stage: Stage) -> Option<usize> {
        self.pins.get(&(zone, stage)).copied()
    }

    fn forbids(&self, zone: usize, stage: Stage, school: usize) -> bool {
        self.forbidden.contains(&(zone, stage, school))
    }

    fn forbidden_count(&self, zone: usize, stage: Stage) -> usize {
        self.forbidden_count
            .get(&(zone, stage))
            .copied()
            .unwrap_or(0)
    }

    /// Pinned children per school against its seats: a lock set that no
    /// plan can meet is refused with every school it overfills.
    fn check_seats(
        &self,
        region: &Region,
        seats: &[Seats],
        demand: &[[u32; 2]],
    ) -> Result<(), PlanError> {
        let mut stage_need: HashMap<(usize, Stage), u64> = HashMap::new();
        let mut school_need: HashMap<usize, u64> = HashMap::new();
        for (&(zone, stage), &school) in &self.pins {
            let children = demand[zone][stage.index()] as u64;
            *stage_need.entry((school, stage)).or_default() += children;
            *school_need.entry(school).or_default() += children;
        }
        let mut shortages = Vec::new();
        let mut keys: Vec<_> = stage_need.keys().copied().collect();
        keys.sort();
        for (school, stage) in keys {
            let need = stage_need[&(school, stage)];
            if let Some(cap) = seats[school].stage[stage.index()]
                && need > cap as u64
            {
                shortages.push(Shortage {
                    school: region.schools[school].id.clone(),
                    stage: Some(stage),
                    needed: need,
                    seats: cap as u64,
                });
            }
        }
        let mut schools: Vec<_> = school_need.keys().copied().collect();
        schools.sort();
        for school in schools {
            let need = school_need[&school];
            let cap = seats[school].school as u64;
            if need > cap
                && !shortages
                    .iter()
                    .any(|s| s.school == region.schools[school].id)
            {
                shortages.push(Shortage {
                    school: region.schools[school].id.clone(),
                    stage: None,
                    needed: need,
                    seats: cap,
                });
            }
        }
        if shortages.is_empty() {
            Ok(())
        } else {
            Err(PlanError::Infeasible(shortages))
        }
    }
}

/// The targets and pools of one county: which core index each school and
/// stage has.
struct Layout {
    targets: Vec<Target>,
    pools: Vec<u32>,
    /// (school, stage) of each target.
    target_school: Vec<(usize, Stage)>,
    /// Target index per region school and stage (only this county's set).
    target_of: std::collections::HashMap<(usize, Stage), u32>,
}

impl Context<'_> {
    fn max_m(&self, stage: Stage) -> Option<f64> {
        self.policy.stage(stage).max_km.map(|km| km * 1000.0)
    }

    fn layout(&self, part: &Part) -> Layout {
        let mut layout = Layout {
            targets: Vec::new(),
            pools: Vec::new(),
            target_school: Vec::new(),
            target_of: Default::default(),
        };
        for &s in &part.schools {
            let school = &self.region.schools[s];
            let stages: Vec<Stage> = Stage::ALL
                .into_iter()
                .filter(|&st| school.takes_catchment(st))
                .collect();
            if stages.is_empty() {
                continue;
            }
            // A nine-year school whose stage seats fit within its school
            // limit together cannot be bound by that limit: its stages are
            // then independent, which lets each stage be solved and bounded
            // on its own.
            let seats = &self.seats[s];
            let fits_together = stages
                .iter()
                .map(|st| seats.stage[st.index()].map(u64::from))
                .sum::<Option<u64>>()
                .is_some_and(|sum| sum <= u64::from(seats.school));
            let shared = stages.len() > 1 && !fits_together;
            let mut pool = layout.pools.len() as u32;
            layout.pools.push(seats.school);
            for (i, stage) in stages.into_iter().enumerate() {
                if i > 0 && !shared {
                    pool = layout.pools.len() as u32;
                    layout.pools.push(seats.school);
                }
                layout
                    .target_of
                    .insert((s, stage), layout.targets.len() as u32);
                layout.targets.push(Target {
                    cap: self.seats[s].stage[stage.index()],
                    pool,
                });
                layout.target_school.push((s, stage));
            }
        }
        layout
    }

    /// The unit's first candidates: its pinned school alone, or the `k`
    /// nearest schools within reach that are not forbidden to it.
    fn nearest(&self, part: &Part, zone: usize, stage: Stage, k: usize) -> Nearest {
        if let Some(school) = self.locks.pin(zone, stage) {
            let metres = self.region.distances.metres(
                self.region.zones[zone].centroid,
                self.region.schools[school].location,
            );
            return Nearest {
                candidates: vec![Candidate {
                    school: school as u32,
                    metres,
                }],
                truncated: false,
            };
        }
        let forbidden = self.locks.forbidden_count(zone, stage);
        let mut nearest = self.index.nearest(
            part.county,
            stage,
            self.region.zones[zone].centroid,
            k + forbidden,
            self.max_m(stage),
        );
        if forbidden > 0 {
            nearest
                .candidates
                .retain(|c| !self.locks.forbids(zone, stage, c.school as usize));
            // Schools cut off here lie beyond the list like those never fetched.
            nearest.truncated |= nearest.candidates.len() > k;
            nearest.candidates.truncate(k);
        }
        nearest
    }

    /// Why a zone has no school to go to at all: none in its county (or it
    /// gives no county while the schools do), none within reach, or locks
    /// forbid every one within reach.
    fn no_candidate_reason(&self, part: &Part, zone: usize, stage: Stage) -> Unplaced {
        if self.index.count(part.county, stage) == 0 {
            let counties = self.index.counties(stage);
            return if part.county.is_none() && !counties.is_empty() {
                Unplaced::NoCounty {
                    counties: counties.into_iter().map(String::from).collect(),
                }
            } else {
                Unplaced::NoSchoolInCounty {
                    county: part.county.map(String::from),
                }
            };
        }
        let (reachable, _) = self.reach(zone, stage, false);
        if reachable > 0 {
            Unplaced::AllForbidden { schools: reachable }
        } else {
            Unplaced::NoneWithinReach {
                max_km: self.policy.stage(stage).max_km.unwrap_or(f64::INFINITY),
            }
        }
    }

    /// The schools a zone may reach (its county's, within `max_km`; with
    /// `allowed` only those no lock forbids; a pin is the whole reach) and
    /// the distance that reach spans: what an unplaced reason must state,
    /// whatever the solver's candidate lists held.
    fn reach(&self, zone: usize, stage: Stage, allowed: bool) -> (usize, f64) {
        let centroid = self.region.zones[zone].centroid;
        if let Some(school) = self.locks.pin(zone, stage) {
            let m = self
                .region
                .distances
                .metres(centroid, self.region.schools[school].location);
            return (1, m as f64 / 1000.0);
        }
        let county = self.region.zones[zone].county.as_deref();
        let within = self.index.nearest(
            county,
            stage,
            centroid,
            self.index.count(county, stage),
            self.max_m(stage),
        );
        let schools: Vec<Candidate> = within
            .candidates
            .into_iter()
            .filter(|c| !allowed || !self.locks.forbids(zone, stage, c.school as usize))
            .collect();
        let farthest = schools.iter().map(|c| c.metres).max().unwrap_or(0) as f64 / 1000.0;
        let km = self.policy.stage(stage).max_km.unwrap_or(farthest);
        (schools.len(), km)
    }

    /// Cost per child of a unit at a school: metres of travel, plus the
    /// stability weight when the school is not the zone's school today.
    fn cost(&self, unit: &Unit, c: &Candidate) -> i64 {
        let today = self.region.zones[unit.zone].current[unit.stage.index()];
        let moved = today.is_some_and(|s| s != c.school as usize);
        let crosses = !self.barriers.is_empty()
            && self
                .barriers
                .crossed(
                    self.region.zones[unit.zone].centroid,
                    self.region.schools[c.school as usize].location,
                )
                .is_some();
        c.metres
            + if moved { self.stability_m } else { 0 }
            + if crosses { self.barrier_m } else { 0 }
    }

    /// The least a unit's children can cost per child at a school beyond
    /// its nearest list: no less than the last listed school's distance
    /// (stability and barrier weights only add). `i64::MAX` where the list
    /// holds every school the unit may go to.
    fn outside_cost(&self, unit: &Unit) -> i64 {
        match unit.nearest.candidates.last() {
            Some(last) if unit.nearest.truncated => {
                last.metres.max(unit.complete_below)
                    + self.stability_m.min(0)
                    + self.barrier_m.min(0)
            }
            _ => i64::MAX,
        }
    }

    /// Where a unit's value lies beyond its nearest list: the allowed
    /// schools nearer than the value that are not listed yet, and the
    /// distance below which the list is then complete.
    fn schools_below_value(
        &self,
        part: &Part,
        unit: &Unit,
        value: i64,
    ) -> Option<(Vec<Candidate>, i64)> {
        let last = unit.nearest.candidates.last()?.metres;
        if !unit.nearest.truncated || value <= last || value >= UNPLACED_COST_M {
            return None;
        }
        let max_m = self.max_m(unit.stage);
        let mut more = Vec::new();
        for c in self.index.by_distance(
            part.county,
            unit.stage,
            self.region.zones[unit.zone].centroid,
        ) {
            if c.metres >= value || max_m.is_some_and(|m| c.metres as f64 > m) {
                break;
            }
            if !self.locks.forbids(unit.zone, unit.stage, c.school as usize)
                && !unit.candidates().any(|l| l.school == c.school)
            {
                more.push(c);
            }
        }
        Some((more, value))
    }

    fn instance(&self, units: &[Unit], layout: &Layout) -> Instance {
        Instance::new(
            units.iter().map(|u| u.demand).collect(),
            units.iter().map(|u| {
                let mut arcs: Vec<Arc> = u
                    .candidates()
                    .map(|c| Arc {
                        target: layout.target_of[&(c.school as usize, u.stage)],
                        cost: self.cost(u, c),
                    })
                    .collect();
                arcs.sort_by_key(|a| (a.cost, a.target));
                arcs
            }),
            layout.targets.clone(),
            layout.pools.clone(),
            UNPLACED_COST_M,
        )
        .with_outside_cost(units.iter().map(|u| self.outside_cost(u)).collect())
    }

    fn solve_part(&self, part: &Part) -> Result<PartResult, SolveError> {
        let layout = self.layout(part);
        let k0 = self.settings.candidates.max(1);
        let mut result = PartResult {
            zones: Vec::new(),
            quality: [Quality::default(); 2],
            total: Quality::default(),
            widened: 0,
            rounds: 0,
            split: 0,
            nodes: 0,
        };
        // Units, and children nobody can take at all. The first lists are
        // found side by side: by road each walks the school tables.
        let wanted: Vec<(usize, Stage)> = part
            .zones
            .iter()
            .flat_map(|&z| Stage::ALL.map(|stage| (z, stage)))
            .filter(|&(z, stage)| self.demand[z][stage.index()] > 0)
            .collect();
        let lists: Vec<Nearest> = wanted
            .par_iter()
            .map(|&(z, stage)| self.nearest(part, z, stage, k0))
            .collect();
        let mut units: Vec<Unit> = Vec::new();
        for ((z, stage), nearest) in wanted.into_iter().zip(lists) {
            let demand = self.demand[z][stage.index()];
            if nearest.candidates.is_empty() {
                let reason = self.no_candidate_reason(part, z, stage);
                // Out of reach, it still lies in its nearest school's
                // catchment on the map; forbidden everywhere, in none.
                let label = match reason {
                    Unplaced::AllForbidden { .. } => Default::default(),
                    _ => self.index.nearest(
                        part.county,
                        stage,
                        self.region.zones[z].centroid,
                        1,
                        None,
                    ),
                };
                let school = label.candidates.first();
                result.zones.push((
                    z,
                    stage,
                    ZonePlan {
                        school: school.map(|c| c.school),
                        metres: school.map(|c| c.metres),
                        placed: 0,
                        purchased: Vec::new(),
                        resource_room: Vec::new(),
                        unplaced: demand,
                        reason: Some(reason),
                    },
                ));
                result.quality[stage.index()].unplaced_bound += demand as u64;
                continue;
            }
            units.push(Unit {
                zone: z,
                stage,
                demand,
                nearest,
                extra: Vec::new(),
                complete_below: 0,
            });
        }
        if units.is_empty() {
            return Ok(result);
        }

        // Relaxation, with columns added until no school beyond the lists
        // could improve it.
        let mut widened = vec![false; units.len()];
        let mut previous: Option<(Instance, Relaxation)> = None;
        let (inst, relaxation) = loop {
            let inst = self.instance(&units, &layout);
            let relaxation = match &previous {
                None => relax(&inst),
                Some((before, r)) => relax_again(&inst, before, r),
            };
            let added: Vec<(usize, Vec<Candidate>)> = (0..units.len())
                .into_par_iter()
                .filter_map(|u| {
                    let more = self.improving_schools(part, &units[u], &layout, &relaxation, u);
                    (!more.is_empty()).then_some((u, more))
                })
                .collect();
            if added.is_empty() {
                break (inst, relaxation);
            }
            previous = Some((inst, relaxation));
            result.rounds += 1;
            for (u, more) in added {
                widened[u] = true;
                units[u].extra.extend(more);
            }
        };
        // The Lagrangian bound values a unit's children up to what its
        // dearest school nearer than its value costs: where that value lies
        // beyond the list, the rest of those schools join it (their reduced
        // costs are not negative, so the relaxation stays optimal).
        let completed: Vec<(usize, Vec<Candidate>, i64)> = (0..units.len())
            .into_par_iter()
            .filter_map(|u| {
                let (more, below) =
                    self.schools_below_value(part, &units[u], relaxation.value[u])?;
                Some((u, more, below))
            })
            .collect();
        let (inst, relaxation) = if completed.is_empty() {
            (inst, relaxation)
        } else {
            for (u, more, below) in completed {
                widened[u] |= !more.is_empty();
                units[u].extra.extend(more);
                units[u].complete_below = below;
            }
            let wider = self.instance(&units, &layout);
            let r = relax_again(&wider, &inst, &relaxation);
            (wider, r)
        };
        result.widened = widened.iter().filter(|&&w| w).count();
        result.split = relaxation.split_units(&inst);

        // Independent components are made whole, branched on and bounded
        // separately: a component serving one stage bounds that stage.
        let solved: Vec<Solved> = inst
            .components()
            .into_par_iter()
            .map(|c| {
                let r = relaxation.restrict(&inst, &c);
                let stage_of: Vec<Stage> = c.units.iter().map(|&u| units[u].stage).collect();
                let bounds = stage_bounds(&c.instance, &r, &stage_of);
                let settings = Settings {
                    time_limit_s: self.settings.time_limit_s * c.units.len() as f64
                        / self.units.max(1) as f64,
                    ..self.settings.clone()
                };
                let outcome = solve::complete(&c.instance, r, &settings)?;
                Ok((c, outcome, bounds))
            })
            .collect::<Result<_, SolveError>>()?;

        let mut objective = [0i128; 2];
        let mut travel = [0i128; 2];
        let mut moved = [0u64; 2];
        let mut unplaced = [0u64; 2];
        let mut bound_pen = [PenalisedBounds::default(); 2];
        let mut total_bound = PenalisedBounds::default();
        let mut total_unplaced_bound = 0u64;
        for (c, outcome, bounds) in &solved {
            let a = &outcome.assignment;
            let ci = &c.instance;
            let proven = outcome.bound() >= outcome.cost(ci);
            let mut stages_here = [false; 2];
            for (i, &u) in c.units.iter().enumerate() {
                let unit = &units[u];
                let s = unit.stage.index();
                stages_here[s] = true;
                let placed = a.placed[i];
                let target = a.target[i].map(|t| c.targets[t as usize]);
                let school = target.map(|t| layout.target_school[t as usize].0);
                let metres = school.map(|sc| {
                    unit.candidates()
                        .find(|c| c.school as usize == sc)
                        .expect("assigned to a candidate")
                        .metres
                });
                let cost = a.target[i].map(|t| ci.cost(i, t).expect("candidate"));
                objective[s] += cost.unwrap_or(0) as i128 * placed as i128;
                travel[s] += metres.unwrap_or(0) as i128 * placed as i128;
                let today = self.region.zones[unit.zone].current[s];
                if today.is_some() && school.is_some() && today != school {
                    moved[s] += placed as u64;
                }
                unplaced[s] += (unit.demand - placed) as u64;
                result.zones.push((
                    unit.zone,
                    unit.stage,
                    self.zone_plan(unit, school, placed, metres),
                ));
            }
            let plan_unplaced: u64 = (0..ci.units())
                .map(|i| (ci.demand[i] - a.placed[i]) as u64)
                .sum();
            let relaxed_unplaced: u64 = outcome.relaxation.unplaced.iter().map(|&x| x as u64).sum();
            let relaxation = outcome.relaxation.cost;
            total_bound.add(
                outcome.bound(),
                relaxation,
                outcome.lagrangian.as_ref().map_or(relaxation, |l| l.bound),
            );
            total_unplaced_bound += if proven {
                plan_unplaced
            } else {
                relaxed_unplaced
            };
            match stages_here {
                // One stage only: the component's bound (raised by branch
                // and bound) is that stage's.
                [true, false] | [false, true] => {
                    let s = if stages_here[0] { 0 } else { 1 };
                    bound_pen[s].add(
                        outcome.bound(),
                        relaxation,
                        outcome.lagrangian.as_ref().map_or(relaxation, |l| l.bound),
                    );
                    result.quality[s].unplaced_bound += if proven {
                        plan_unplaced
                    } else {
                        relaxed_unplaced
                    };
                }
                _ => {
                    // The Lagrangian bound splits by stage: a nine-year
                    // school's stages are separate targets in it.
                    let stage_of: Vec<usize> =
                        c.units.iter().map(|&u| units[u].stage.index()).collect();
                    let lagrangian = outcome
                        .lagrangian
                        .as_ref()
                        .and_then(|l| l.by_group(ci, &stage_of, 2));
                    for s in 0..2 {
                        let l = lagrangian.as_ref().map_or(bounds[s].0, |l| l[s]);
                        bound_pen[s].add(bounds[s].0.max(l), bounds[s].0, l);
                        result.quality[s].unplaced_bound += bounds[s].1;
                    }
                }
            }
        }
        for stage in Stage::ALL {
            let i = stage.index();
            let q = &mut result.quality[i];
            q.objective_m = objective[i];
            q.travel_m = travel[i];
            q.moved = moved[i];
            bound_pen[i].set(q, unplaced[i]);
        }
        let all_unplaced = unplaced[0] + unplaced[1];
        result.total = Quality {
            objective_m: objective[0] + objective[1],
            travel_m: travel[0] + travel[1],
            moved: moved[0] + moved[1],
            unplaced_bound: total_unplaced_bound,
            ..Quality::default()
        };
        total_bound.set(&mut result.total, all_unplaced);
        result.nodes = solved.iter().map(|(_, o, _)| o.nodes).sum();
        Ok(result)
    }

    /// The zone's answer for one stage. Without a seat it still lies in its
    /// nearest school's catchment.
    fn zone_plan(
        &self,
        unit: &Unit,
        school: Option<usize>,
        placed: u32,
        metres: Option<i64>,
    ) -> ZonePlan {
        let nearest = &unit.nearest.candidates;
        let (school, metres) = match school {
            Some(s) => (Some(s as u32), metres),
            None => (Some(nearest[0].school), Some(nearest[0].metres)),
        };
        let reason = (placed < unit.demand).then(|| {
            let (schools, farthest_km) = self.reach(unit.zone, unit.stage, true);
            Unplaced::AllFull {
                schools,
                farthest_km,
            }
        });
        ZonePlan {
            school,
            metres,
            placed,
            purchased: Vec::new(),
            resource_room: Vec::new(),
            unplaced: unit.demand - placed,
            reason,
        }
    }

    /// Schools beyond a unit's list whose arc would lower the relaxation
    /// (negative reduced cost), nearest first, at most a few per round so
    /// that lists stay short. Schools are visited in order of distance and
    /// the walk stops at the unit's value: with prices >= 0, no farther
    /// school can be cheaper than that.
    fn improving_schools(
        &self,
        part: &Part,
        unit: &Unit,
        layout: &Layout,
        r: &Relaxation,
        u: usize,
    ) -> Vec<Candidate> {
        const PER_ROUND: usize = 8;
        let last = unit.nearest.candidates.last().map_or(0, |c| c.metres);
        let value = r.value[u];
        if !unit.nearest.truncated || value <= last {
            return Vec::new();
        }
        let max_m = self.max_m(unit.stage);
        let listed = |school: u32| unit.candidates().any(|c| c.school == school);
        let mut found = Vec::new();
        for c in self.index.by_distance(
            part.county,
            unit.stage,
            self.region.zones[unit.zone].centroid,
        ) {
            if c.metres >= value || max_m.is_some_and(|m| c.metres as f64 > m) {
                break;
            }
            if self.locks.forbids(unit.zone, unit.stage, c.school as usize) {
                continue;
            }
            let t = layout.target_of[&(c.school as usize, unit.stage)] as usize;
            if r.reduced_cost(u, t, self.cost(unit, &c)) < 0 && !listed(c.school) {
                found.push(c);
                if found.len() == PER_ROUND {
                    break;
                }
            }
        }
        found
    }
}

/// Lower bounds on the penalised cost (travel plus the unplaced penalty):
/// the best known, the split relaxation's and the Lagrangian one.
#[derive(Clone, Copy, Debug, Default)]
struct PenalisedBounds {
    best: i128,
    relaxation: i128,
    lagrangian: i128,
}

impl PenalisedBounds {
    fn add(&mut self, best: i128, relaxation: i128, lagrangian: i128) {
        self.best += best;
        self.relaxation += relaxation;
        self.lagrangian += lagrangian;
    }

    /// The bounds on travel of a plan that leaves `unplaced` children
    /// without a seat: the penalty of those children taken off, never
    /// below 0 or above the plan's objective.
    fn set(&self, q: &mut Quality, unplaced: u64) {
        let travel =
            |b: i128| (b - UNPLACED_COST_M as i128 * unplaced as i128).clamp(0, q.objective_m);
        q.bound_m = travel(self.best);
        q.relaxation_bound_m = travel(self.relaxation);
        q.lagrangian_bound_m = travel(self.lagrangian);
    }
}

/// Per-stage lower bounds (penalised cost, unplaced children) of a
/// component whose units serve both stages (through nine-year schools). The
/// relaxation's share of each stage is a bound for that stage when no
/// school limit shared by both stages is binding; otherwise each stage is
/// relaxed alone with the shared limits all to itself.
fn stage_bounds(inst: &Instance, r: &Relaxation, stage_of: &[Stage]) -> [(i128, u64); 2] {
    let mut stages_of_pool = vec![0u8; inst.pools.len()];
    for (u, stage) in stage_of.iter().enumerate() {
        for a in inst.arcs_of(u) {
            stages_of_pool[inst.targets[a.target as usize].pool as usize] |= 1 << stage.index();
        }
    }
    let coupled = (0..inst.pools.len()).any(|p| stages_of_pool[p] == 3 && r.pool_price[p] > 0);
    if !coupled {
        let mut out = [(0i128, 0u64); 2];
        for (u, stage) in stage_of.iter().enumerate() {
            let i = stage.index();
            out[i].0 += (inst.arc_start[u]..inst.arc_start[u + 1])
                .map(|a| r.flow[a] as i128 * inst.arcs[a].cost as i128)
                .sum::<i128>()
                + r.unplaced[u] as i128 * inst.unplaced_cost as i128;
            out[i].1 += r.unplaced[u] as u64;
        }
        return out;
    }
    Stage::ALL.map(|stage| {
        let mine: Vec<usize> = (0..inst.units())
            .filter(|&u| stage_of[u] == stage)
            .collect();
        let alone = Instance::new(
            mine.iter().map(|&u| inst.demand[u]).collect(),
            mine.iter().map(|&u| inst.arcs_of(u).to_vec()),
            inst.targets.clone(),
            inst.pools.clone(),
            inst.unplaced_cost,
        );
        let r = relax(&alone);
        (r.cost, r.unplaced.iter().map(|&x| x as u64).sum())
    })
}

/// Placed trips that cross a barrier, in zone order.
fn crossings(
    region: &Region,
    plan: &Plan,
    barriers: &BarrierIndex,
    stage: Stage,
) -> Vec<(usize, usize, String)> {
    if barriers.is_empty() {
        return Vec::new();
    }
    plan.stage(stage)
        .zones
        .par_iter()
        .enumerate()
        .filter(|(_, zp)| zp.placed > 0)
        .filter_map(|(z, zp)| {
            let s = zp.school? as usize;
            barriers
                .crossed(region.zones[z].centroid, region.schools[s].location)
                .map(|name| (z, s, name.to_string()))
        })
        .collect()
}

/// Gives every zone without children of the stage (or without any school in
/// reach) the catchment of its nearest zone that has one, so that the
/// catchments cover the land and a family moving in knows its school.
fn label_empty_zones(
    region: &Region,
    index: &SchoolIndex,
    locks: &LockIndex,
    stage: Stage,
    zones: &mut [ZonePlan],
) {
    type Entry = GeomWithData<[f64; 3], u32>;
    let mut by_county: BTreeMap<Option<&str>, Vec<Entry>> = BTreeMap::new();
    for (z, zp) in zones.iter().enumerate() {
        if zp.school.is_some() && zp.placed > 0 {
            by_county
                .entry(region.zones[z].county.as_deref())
                .or_default()
                .push(GeomWithData::new(
                    unit_vector(region.zones[z].centroid),
                    z as u32,
                ));
        }
    }
    let trees: BTreeMap<Option<&str>, RTree<Entry>> = by_county
        .into_iter()
        .map(|(k, v)| (k, RTree::bulk_load(v)))
        .collect();
    let labels: Vec<Option<(u32, i64)>> = (0..zones.len())
        .into_par_iter()
        .map(|z| {
            if zones[z].school.is_some() {
                return None;
            }
            let zone = &region.zones[z];
            let county = zone.county.as_deref();
            let allowed = |s: &u32| !locks.forbids(z, stage, *s as usize);
            let pinned = locks.pin(z, stage).map(|s| s as u32);
            let from_neighbour = trees
                .get(&county)
                .and_then(|t| t.nearest_neighbor(&unit_vector(zone.centroid)))
                .and_then(|e| zones[e.data as usize].school)
                .filter(allowed);
            let school = pinned.or(from_neighbour).or_else(|| {
                index
                    .by_distance(county, stage, zone.centroid)
                    .map(|c| c.school)
                    .find(allowed)
            })?;
            let metres = region
                .distances
                .metres(zone.centroid, region.schools[school as usize].location);
            Some((school, metres))
        })
        .collect();
    for (zp, label) in zones.iter_mut().zip(labels) {
        if let Some((school, metres)) = label {
            zp.school = Some(school);
            zp.metres = Some(metres);
        }
    }
}
