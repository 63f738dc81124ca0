//! Multi-year projection: cohorts move up a grade each year, the top grade
//! leaves, and each year's entrants are placed — so a bureau sees which
//! school runs short of seats first (学位预警), years ahead.
//!
//! # The model
//!
//! Year 1 is the scenario as given: its zones' entry cohorts, its schools'
//! pupils. Each later year t:
//!
//! - **Primary entrants** of a zone are the births six years before t
//!   (`births` array property: element i feeds year i + 1; or `births_YYYY`
//!   with `[projection] start_year`), else the year-1 cohort grown by the
//!   zone's `growth` rate (default the scenario's `[projection] growth`)
//!   per year; years past the last birth record grow from it at that rate.
//! - **Junior entrants** are the grade-6 pupils of the public primary
//!   schools of year t − 1, through the feeders: each primary school's
//!   grade 6 goes back to the zones of its catchment (in proportion to the
//!   children each zone sent it last year) and on to each zone's junior
//!   catchment. `junior_transition` is the share of grade-6 pupils who
//!   enter a public junior school of the county (the rest go private or
//!   away); by default it is observed from the data: year-1 junior
//!   entrants over the public primaries' year-1 leavers.
//! - Both entry cohorts are multiplied by the `migration` factor (net
//!   families moving in or out before school age or between the stages).
//!   Grades 2-6 and 8-9 are closed: pupils move up, none appear or vanish,
//!   so pupils(t) = pupils(t − 1) + entrants placed(t) − leavers(t) holds
//!   exactly at every school.
//! - Real-valued expectations are made whole over the whole region at once
//!   (largest remainders), so that small compounds with one child a year
//!   still add up to the right county total.
//! - **Placement**: with fixed catchments (default) every zone keeps last
//!   year's school, full or not — that is what shows a school running
//!   short. With `reoptimize`, each year is allocated again under the seat
//!   limits, weighing each child moved away from last year's school by
//!   the stability weight; children without a seat are then counted
//!   against the school whose catchment they live in.
//! - **Private schools** take no catchment; they admit a steady entry class
//!   (the mean of their current grades, at most their classes' seats).
//!
//! # Shortage (学位预警)
//!
//! A public school runs short in a year when its entry grade needs more
//! classes than it can open, its grades together need more classes than it
//! has classrooms for (those it uses in year 1, or one per grade for each
//! entry class it can open where that is more: the data give no room
//! count, and a school can always run the classes it runs today), its pupils
//! exceed the school size limit, its entrants exceed an explicit intake
//! cap, or (re-optimised years) children of its catchment are left without
//! a seat.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::grades::{self, GRADES, StageGrades};
use crate::model::{Region, Sector, Stage};
use crate::plan::{Preferences, make};
use crate::policy::{Classes, Policy};
use crate::run::ProjectionSettings;
use crate::run::changes::apportion;
use crate::solve::Settings;
use crate::spatial::rounded_metres;

/// A problem with the data a projection needs.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("school \"{id}\": field `{field}` {message}")]
    School {
        id: String,
        field: String,
        message: String,
    },
    #[error("zone \"{id}\": field `{field}` is {found}; expected {expected}")]
    Zone {
        id: String,
        field: String,
        found: String,
        expected: String,
    },
    #[error(
        "zone \"{id}\" gives `{field}`, but the scenario sets no [projection] start_year; expected start_year (the calendar year of the first intake) to place births in time"
    )]
    NoStartYear { id: String, field: String },
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
}

/// One school in one year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolYear {
    /// Pupils per grade of each stage after this year's intake, lowest
    /// grade first (empty for a stage the school does not teach).
    pub grades: [Vec<u32>; 2],
    /// Entrants placed (public) or admitted (private) this year.
    pub intake: [u32; 2],
    /// Pupils who left the top grade at the end of last year; None in
    /// year 1 when the school gave no grades.
    pub leavers: [Option<u32>; 2],
    /// Children of its catchment left without a seat.
    pub unplaced: [u32; 2],
}

impl SchoolYear {
    pub fn pupils(&self, stage: Stage) -> u32 {
        self.grades[stage.index()].iter().sum()
    }

    pub fn total(&self) -> u32 {
        self.pupils(Stage::Primary) + self.pupils(Stage::Junior)
    }
}

/// Region totals of one stage in one year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StageYear {
    /// Entry-age children in the zones (public catchment demand).
    pub entrants: u64,
    pub placed: u64,
    pub unplaced: u64,
    /// Private schools' own entry classes.
    pub private_intake: u64,
    /// Pupils who left the stage's top grade (None: not known in year 1).
    pub leavers: Option<u64>,
    pub public_leavers: Option<u64>,
    pub public_pupils: u64,
    pub private_pupils: u64,
    /// Child-km of travel of this year's entrants.
    pub travel_km: f64,
}

impl StageYear {
    pub fn pupils(&self) -> u64 {
        self.public_pupils + self.private_pupils
    }
}

/// One projected year.
#[derive(Clone, Debug)]
pub struct Year {
    /// 1 for the scenario's own year.
    pub index: usize,
    /// The calendar year (start_year + index - 1), or the index.
    pub label: i32,
    pub schools: Vec<SchoolYear>,
    pub totals: [StageYear; 2],
    /// Catchment school of each zone per stage this year.
    pub catchment: [Vec<Option<u32>>; 2],
    /// Entrants of each zone placed this year, per stage.
    pub placed: [Vec<u32>; 2],
}

/// Why a school runs short in a year.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortage {
    pub stage: Stage,
    pub reason: ShortReason,
}

/// What runs short; shown in English here (summary.json), in the document
/// language by [`crate::report::projection`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortReason {
    EntryClasses {
        entrants: u32,
        needed: u32,
        available: u32,
    },
    Classrooms {
        pupils: u32,
        needed: u32,
        rooms: u32,
    },
    IntakeCap {
        entrants: u32,
        cap: u32,
    },
    Unplaced {
        children: u32,
    },
    SchoolLimit {
        pupils: u32,
        limit: u32,
    },
}

impl std::fmt::Display for ShortReason {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match *self {
            ShortReason::EntryClasses {
                entrants,
                needed,
                available,
            } => write!(
                f,
                "{entrants} entrants need {needed} classes, {available} can open"
            ),
            ShortReason::Classrooms {
                pupils,
                needed,
                rooms,
            } => write!(
                f,
                "{pupils} pupils need {needed} classes, {rooms} classrooms"
            ),
            ShortReason::IntakeCap { entrants, cap } => {
                write!(f, "{entrants} entrants over the intake cap of {cap}")
            }
            ShortReason::Unplaced { children } => {
                write!(f, "{children} children of its catchment without a seat")
            }
            ShortReason::SchoolLimit { pupils, limit } => {
                write!(f, "{pupils} pupils over the school limit of {limit}")
            }
        }
    }
}

/// A whole projection.
#[derive(Clone, Debug)]
pub struct Projection {
    pub settings: ProjectionSettings,
    /// The junior transition share used (given or observed).
    pub transition: f64,
    /// Km per moved child in re-optimised years.
    pub stability_km: f64,
    pub years: Vec<Year>,
    /// [`crate::plan::Plan::digest`] of year 1's plan (the scenario's own,
    /// as `catchment run` makes it).
    pub plan_digest: String,
    /// Classrooms of each school's stage (see [`Projection::shortages`]).
    pub rooms: Vec<[Option<u32>; 2]>,
}

/// Where one zone's entrants of a stage went in a year.
struct Placed {
    school: Option<u32>,
    placed: u32,
    unplaced: u32,
    metres: i64,
}

/// Per-zone inputs of the entrant model, read once.
struct ZoneModel {
    /// Yearly growth rate.
    growth: f64,
    /// Births feeding year t (index t - 1), where known.
    births: Vec<Option<f64>>,
    /// Migrant share of each stage's year-1 cohort (None: no children).
    migrant_share: [Option<f64>; 2],
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite() && *x >= 0.0)
}

fn zone_model(
    region: &Region,
    z: usize,
    settings: &ProjectionSettings,
) -> Result<ZoneModel, ProjectionError> {
    let zone = &region.zones[z];
    let growth = match zone.properties.get("growth") {
        None | Some(Value::Null) => settings.growth,
        Some(v) => match v.as_f64() {
            Some(g) if g.is_finite() && g > -1.0 => g,
            _ => {
                return Err(ProjectionError::Zone {
                    id: zone.id.clone(),
                    field: "growth".into(),
                    found: v.to_string(),
                    expected: "a yearly growth rate above -1 (0.02: 2 % more a year)".into(),
                });
            }
        },
    };
    let mut births = vec![None; settings.years];
    if let Some(v) = zone.properties.get("births")
        && !v.is_null()
    {
        let bad = || {
            ProjectionError::Zone {
            id: zone.id.clone(),
            field: "births".into(),
            found: v.to_string(),
            expected: "an array of birth counts >= 0, the first six years before the first projected intake".into(),
        }
        };
        let Value::Array(items) = v else {
            return Err(bad());
        };
        for (i, item) in items.iter().enumerate() {
            let b = number(item).ok_or_else(bad)?;
            if i < births.len() {
                births[i] = Some(b);
            }
        }
    }
    for (key, v) in &zone.properties {
        let Some(year) = key
            .strip_prefix("births_")
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse::<i32>().ok())
        else {
            continue;
        };
        let Some(start) = settings.start_year else {
            return Err(ProjectionError::NoStartYear {
                id: zone.id.clone(),
                field: key.clone(),
            });
        };
        let b = number(v).ok_or_else(|| ProjectionError::Zone {
            id: zone.id.clone(),
            field: key.clone(),
            found: v.to_string(),
            expected: "a birth count >= 0".into(),
        })?;
        // Born in `year`, they enter grade 1 six years later: projected
        // year t is calendar year start + t - 1.
        let t = year + 6 - start + 1;
        if t >= 1 && (t as usize) <= births.len() {
            births[t as usize - 1] = Some(b);
        }
    }
    let migrant_share = Stage::ALL.map(|stage| {
        let c = zone.cohort(stage);
        (c.total() > 0).then(|| c.migrant as f64 / c.total() as f64)
    });
    Ok(ZoneModel {
        growth,
        births,
        migrant_share,
    })
}

impl ZoneModel {
    /// Expected primary entrants in year t (before migration).
    fn primary(&self, t: usize, year1: u32) -> f64 {
        let known = (1..=t)
            .rev()
            .find_map(|y| self.births[y - 1].map(|b| (y, b)));
        match known {
            Some((y, b)) if y == t => b,
            Some((y, b)) => b * (1.0 + self.growth).powi((t - y) as i32),
            None => year1 as f64 * (1.0 + self.growth).powi(t as i32 - 1),
        }
    }
}

/// Whole entrants per zone from expectations, with the migrant share of
/// each zone (or the region's where the zone had none): totals and
/// migrants are each made whole over the region at once.
fn whole_cohorts(expected: &[f64], shares: &[Option<f64>], region_share: f64) -> Vec<(u32, u32)> {
    let total = expected.iter().sum::<f64>().round() as u64;
    let totals = apportion(expected, total);
    let migrant_expected: Vec<f64> = totals
        .iter()
        .zip(shares)
        .map(|(&n, s)| n as f64 * s.unwrap_or(region_share))
        .collect();
    let migrants = apportion(
        &migrant_expected,
        migrant_expected.iter().sum::<f64>().round() as u64,
    );
    totals
        .iter()
        .zip(&migrants)
        .map(|(&n, &m)| {
            let m = m.min(n);
            ((n - m) as u32, m as u32)
        })
        .collect()
}

/// Runs the projection. `base` is the scenario's run: year 1 is its plan
/// (the one `catchment run` makes); re-optimised years keep its options
/// and locks and weigh each child moved from last year's school.
pub fn project(
    region: &Region,
    policy: &Policy,
    solver: &Settings,
    base: &Preferences,
    settings: &ProjectionSettings,
) -> Result<Projection, ProjectionError> {
    let stability_km = base.stability_km;
    let n_schools = region.schools.len();
    let mut year0: Vec<[StageGrades; 2]> = Vec::with_capacity(n_schools);
    for school in &region.schools {
        year0.push(
            grades::of_school(school).map_err(|message| ProjectionError::School {
                id: school.id.clone(),
                field: grades::BY_GRADE.into(),
                message,
            })?,
        );
    }
    let models: Vec<ZoneModel> = (0..region.zones.len())
        .map(|z| zone_model(region, z, settings))
        .collect::<Result<_, _>>()?;
    let region_share = Stage::ALL.map(|stage| {
        let (m, t) = region.zones.iter().fold((0u64, 0u64), |(m, t), z| {
            let c = z.cohort(stage);
            (m + c.migrant as u64, t + c.total() as u64)
        });
        if t > 0 { m as f64 / t as f64 } else { 0.0 }
    });
    let public_primary: Vec<usize> = (0..n_schools)
        .filter(|&s| region.schools[s].takes_catchment(Stage::Primary))
        .collect();
    let transition = settings.junior_transition.unwrap_or_else(|| {
        let leaving: f64 = public_primary
            .iter()
            .map(|&s| year0[s][0].top_or_mean())
            .sum();
        let entering: u64 = region
            .zones
            .iter()
            .map(|z| z.cohort(Stage::Junior).total() as u64)
            .sum();
        if leaving > 0.0 {
            ((entering as f64 / leaving) * 1e4).round() / 1e4
        } else {
            1.0
        }
    });
    let moved_km = settings.stability_km.unwrap_or(if stability_km > 0.0 {
        stability_km
    } else {
        1.0
    });
    // Private schools admit a steady entry class of their own.
    let private_intake: Vec<[u32; 2]> = (0..n_schools)
        .map(|s| {
            let school = &region.schools[s];
            Stage::ALL.map(|stage| {
                if school.sector != Sector::Private || !school.kind.teaches(stage) {
                    return 0;
                }
                let g = &year0[s][stage.index()];
                let mean = if g.staying.is_empty() {
                    0.0
                } else {
                    g.staying_total() as f64 / g.staying.len() as f64
                };
                let seats = school.classes[stage.index()]
                    .map(|c| c * policy.stage(stage).class_limit)
                    .into_iter()
                    .chain(school.capacity[stage.index()])
                    .min();
                let n = mean.round() as u32;
                seats.map_or(n, |s| n.min(s))
            })
        })
        .collect();

    let mut years: Vec<Year> = Vec::with_capacity(settings.years);
    let mut plan_digest = String::new();
    for t in 1..=settings.years {
        let previous = years.last();
        // Pupils who stay this year (promoted), and those who left.
        let mut continuing: Vec<[Vec<u32>; 2]> = Vec::with_capacity(n_schools);
        let mut leavers: Vec<[Option<u32>; 2]> = Vec::with_capacity(n_schools);
        for (s, (school, first)) in region.schools.iter().zip(&year0).enumerate() {
            let mut c: [Vec<u32>; 2] = Default::default();
            let mut l = [None, None];
            for stage in Stage::ALL {
                if !school.kind.teaches(stage) {
                    continue;
                }
                let i = stage.index();
                match previous {
                    None => {
                        c[i] = first[i].staying.clone();
                        l[i] = first[i].top;
                    }
                    Some(p) => {
                        let g = &p.schools[s].grades[i];
                        c[i] = g[..g.len() - 1].to_vec();
                        l[i] = g.last().copied();
                    }
                }
            }
            continuing.push(c);
            leavers.push(l);
        }
        // This year's entrants per zone.
        let cohorts: [Vec<(u32, u32)>; 2] = match previous {
            None => Stage::ALL.map(|stage| {
                region
                    .zones
                    .iter()
                    .map(|z| (z.cohort(stage).local, z.cohort(stage).migrant))
                    .collect()
            }),
            Some(p) => {
                let primary: Vec<f64> = models
                    .iter()
                    .zip(&region.zones)
                    .map(|(m, z)| {
                        m.primary(t, z.cohort(Stage::Primary).total()) * settings.migration
                    })
                    .collect();
                let junior = feeder_entrants(
                    region,
                    &public_primary,
                    p,
                    &leavers,
                    transition * settings.migration,
                );
                let shares = |stage: Stage| -> Vec<Option<f64>> {
                    models
                        .iter()
                        .map(|m| m.migrant_share[stage.index()])
                        .collect()
                };
                [
                    whole_cohorts(&primary, &shares(Stage::Primary), region_share[0]),
                    whole_cohorts(&junior, &shares(Stage::Junior), region_share[1]),
                ]
            }
        };
        let mut this = region.clone();
        for (z, zone) in this.zones.iter_mut().enumerate() {
            for stage in Stage::ALL {
                let (local, migrant) = cohorts[stage.index()][z];
                zone.children[stage.index()].local = local;
                zone.children[stage.index()].migrant = migrant;
            }
        }
        for (s, school) in this.schools.iter_mut().enumerate() {
            for stage in Stage::ALL {
                school.enrolled[stage.index()] = continuing[s][stage.index()].iter().sum();
            }
        }
        // Place them.
        let placement: [Vec<Placed>; 2] = match previous {
            Some(p) if !settings.reoptimize => Stage::ALL.map(|stage| {
                (0..this.zones.len())
                    .map(|z| {
                        let n = this.zones[z].cohort(stage).total();
                        match p.catchment[stage.index()][z] {
                            Some(s) => Placed {
                                school: Some(s),
                                placed: n,
                                unplaced: 0,
                                metres: this.distances.metres(
                                    this.zones[z].centroid,
                                    this.schools[s as usize].location,
                                ),
                            },
                            None => Placed {
                                school: None,
                                placed: 0,
                                unplaced: n,
                                metres: 0,
                            },
                        }
                    })
                    .collect()
            }),
            _ => {
                let preferences = match previous {
                    None => base.clone(),
                    Some(p) => {
                        for (z, zone) in this.zones.iter_mut().enumerate() {
                            for stage in Stage::ALL {
                                zone.current[stage.index()] =
                                    p.catchment[stage.index()][z].map(|s| s as usize);
                            }
                        }
                        Preferences {
                            stability_km: moved_km,
                            max_moved: None,
                            ..base.clone()
                        }
                    }
                };
                let plan = make(&this, policy, solver, &preferences, &())?;
                if years.is_empty() {
                    plan_digest = plan.digest();
                }
                Stage::ALL.map(|stage| {
                    plan.stage(stage)
                        .zones
                        .iter()
                        .map(|zp| Placed {
                            school: zp.school,
                            placed: zp.placed,
                            unplaced: zp.unplaced,
                            metres: zp.metres.unwrap_or(0),
                        })
                        .collect()
                })
            }
        };
        let mut schools: Vec<SchoolYear> = (0..n_schools)
            .map(|s| SchoolYear {
                leavers: leavers[s],
                ..Default::default()
            })
            .collect();
        let mut totals = [StageYear::default(); 2];
        for stage in Stage::ALL {
            let i = stage.index();
            for (z, p) in placement[i].iter().enumerate() {
                totals[i].entrants += this.zones[z].cohort(stage).total() as u64;
                totals[i].placed += p.placed as u64;
                totals[i].unplaced += p.unplaced as u64;
                totals[i].travel_km += p.placed as f64 * p.metres as f64 / 1000.0;
                if let Some(s) = p.school {
                    schools[s as usize].intake[i] += p.placed;
                    schools[s as usize].unplaced[i] += p.unplaced;
                }
            }
            totals[i].travel_km = (totals[i].travel_km * 1000.0).round() / 1000.0;
        }
        let mut public_leavers = [Some(0u64); 2];
        let mut all_leavers = [Some(0u64); 2];
        for s in 0..n_schools {
            let school = &region.schools[s];
            let sy = &mut schools[s];
            for stage in Stage::ALL {
                let i = stage.index();
                if !school.kind.teaches(stage) {
                    continue;
                }
                sy.intake[i] += private_intake[s][i];
                totals[i].private_intake += private_intake[s][i] as u64;
                let mut g = Vec::with_capacity(GRADES[i]);
                g.push(sy.intake[i]);
                g.extend(&continuing[s][i]);
                sy.grades[i] = g;
                let pupils = sy.pupils(stage) as u64;
                let public = school.sector == Sector::Public;
                if public {
                    totals[i].public_pupils += pupils;
                } else {
                    totals[i].private_pupils += pupils;
                }
                let add = |acc: &mut Option<u64>| {
                    *acc = match (*acc, sy.leavers[i]) {
                        (Some(a), Some(l)) => Some(a + l as u64),
                        _ => None,
                    }
                };
                add(&mut all_leavers[i]);
                if public {
                    add(&mut public_leavers[i]);
                }
            }
        }
        for i in 0..2 {
            totals[i].leavers = all_leavers[i];
            totals[i].public_leavers = public_leavers[i];
        }
        years.push(Year {
            index: t,
            label: settings.start_year.map_or(t as i32, |y| y + t as i32 - 1),
            schools,
            totals,
            catchment: Stage::ALL
                .map(|stage| placement[stage.index()].iter().map(|p| p.school).collect()),
            placed: Stage::ALL
                .map(|stage| placement[stage.index()].iter().map(|p| p.placed).collect()),
        });
    }
    let rooms = rooms_of(region, policy, &years[0]);
    Ok(Projection {
        settings: settings.clone(),
        transition,
        stability_km: moved_km,
        years,
        plan_digest,
        rooms,
    })
}

/// Expected junior entrants per zone: each public primary school's leavers
/// (last year's grade 6) shared over the zones it took children from last
/// year (in proportion to them; where it took none, over the zones of its
/// catchment; where it has none, to the zone nearest to it), times `factor`.
fn feeder_entrants(
    region: &Region,
    public_primary: &[usize],
    previous: &Year,
    leavers: &[[Option<u32>; 2]],
    factor: f64,
) -> Vec<f64> {
    let mut by_school: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
    for (z, school) in previous.catchment[0].iter().enumerate() {
        if let Some(s) = school {
            by_school
                .entry(*s as usize)
                .or_default()
                .push((z, previous.placed[0][z] as f64));
        }
    }
    let mut out = vec![0.0; region.zones.len()];
    for &s in public_primary {
        let l = leavers[s][0].unwrap_or(0) as f64 * factor;
        if l == 0.0 {
            continue;
        }
        let mut zones = by_school.get(&s).cloned().unwrap_or_default();
        if zones.iter().all(|&(_, w)| w == 0.0) {
            for entry in &mut zones {
                entry.1 = 1.0;
            }
        }
        if zones.is_empty() {
            let at = region.schools[s].location;
            if let Some(z) = (0..region.zones.len())
                .min_by_key(|&z| (rounded_metres(region.zones[z].centroid, at), z))
            {
                zones.push((z, 1.0));
            }
        }
        let sum: f64 = zones.iter().map(|&(_, w)| w).sum();
        for (z, w) in zones {
            out[z] += l * w / sum;
        }
    }
    out
}

impl Projection {
    /// Whether and why a public school runs short in a year.
    pub fn shortages(
        &self,
        region: &Region,
        policy: &Policy,
        year: &Year,
        school: usize,
    ) -> Vec<Shortage> {
        shortages(region, policy, year, school, self.rooms[school])
    }
}

/// Classrooms each school's stage can use: the classes it runs in year 1
/// (a school can always run what it runs today), or one class per grade
/// for each entry class it can open where that is more. None where the
/// school gives no classes.
fn rooms_of(region: &Region, policy: &Policy, year1: &Year) -> Vec<[Option<u32>; 2]> {
    region
        .schools
        .iter()
        .zip(&year1.schools)
        .map(|(s, sy)| {
            Stage::ALL.map(|stage| {
                let i = stage.index();
                let limit = policy.stage(stage).class_limit;
                s.classes[i].map(|c| {
                    let in_use: u32 = sy.grades[i]
                        .iter()
                        .map(|&g| Classes::for_intake(g, limit).opened)
                        .sum();
                    in_use.max(c * GRADES[i] as u32)
                })
            })
        })
        .collect()
}

fn shortages(
    region: &Region,
    policy: &Policy,
    year: &Year,
    school: usize,
    rooms: [Option<u32>; 2],
) -> Vec<Shortage> {
    let s = &region.schools[school];
    let sy = &year.schools[school];
    let mut out = Vec::new();
    if s.sector != Sector::Public {
        return out;
    }
    for stage in Stage::ALL {
        if !s.takes_catchment(stage) {
            continue;
        }
        let i = stage.index();
        let limit = policy.stage(stage).class_limit;
        let entry = Classes::for_intake(sy.intake[i], limit).opened;
        if let Some(available) = s.classes[i]
            && entry > available
        {
            out.push(Shortage {
                stage,
                reason: ShortReason::EntryClasses {
                    entrants: sy.intake[i],
                    needed: entry,
                    available,
                },
            });
        }
        if let Some(rooms) = rooms[i] {
            let needed: u32 = sy.grades[i]
                .iter()
                .map(|&g| Classes::for_intake(g, limit).opened)
                .sum();
            if needed > rooms {
                out.push(Shortage {
                    stage,
                    reason: ShortReason::Classrooms {
                        pupils: sy.pupils(stage),
                        needed,
                        rooms,
                    },
                });
            }
        }
        if let Some(cap) = s.capacity[i]
            && sy.intake[i] > cap
        {
            out.push(Shortage {
                stage,
                reason: ShortReason::IntakeCap {
                    entrants: sy.intake[i],
                    cap,
                },
            });
        }
        if sy.unplaced[i] > 0 {
            out.push(Shortage {
                stage,
                reason: ShortReason::Unplaced {
                    children: sy.unplaced[i],
                },
            });
        }
    }
    let limit = policy.school_limit_of(s);
    if sy.total() > limit {
        let stage = if s.kind.teaches(Stage::Primary) {
            Stage::Primary
        } else {
            Stage::Junior
        };
        out.push(Shortage {
            stage,
            reason: ShortReason::SchoolLimit {
                pupils: sy.total(),
                limit,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, Shape, Zone};
    use geo::Point;

    fn region(properties: serde_json::Value) -> Region {
        Region {
            zones: vec![Zone {
                id: "Z".into(),
                name: "Z".into(),
                shape: Shape::Point(Point::new(117.7, 31.6)),
                centroid: Point::new(117.7, 31.6),
                children: [
                    Cohort {
                        local: 30,
                        migrant: 10,
                    },
                    Cohort::default(),
                ],
                current: [None, None],
                special: [0, 0],
                county: None,
                properties: properties.as_object().cloned().unwrap_or_default(),
            }],
            schools: Vec::new(),
            ..Region::default()
        }
    }

    #[test]
    fn entrants_come_from_births_six_years_earlier_then_grow() {
        let settings = ProjectionSettings {
            start_year: Some(2026),
            growth: -0.1,
            ..ProjectionSettings::default()
        };
        // Born in 2021, they enter in 2027: projected year 2.
        let r = region(serde_json::json!({"births_2021": 50, "births_2019": 99}));
        let m = zone_model(&r, 0, &settings).unwrap();
        assert_eq!(m.primary(1, 40), 40.0);
        assert_eq!(m.primary(2, 40), 50.0);
        assert!((m.primary(3, 40) - 45.0).abs() < 1e-9);
        // A zone's own growth rate; the births array by projected year.
        let r = region(serde_json::json!({"growth": 0.5, "births": [40, 60]}));
        let m = zone_model(&r, 0, &settings).unwrap();
        assert_eq!(m.primary(2, 40), 60.0);
        assert_eq!(m.primary(3, 40), 90.0);
        let r = region(serde_json::json!({"growth": 0.5}));
        assert_eq!(zone_model(&r, 0, &settings).unwrap().primary(3, 40), 90.0);
        // births_YYYY need the calendar.
        let r = region(serde_json::json!({"births_2021": 50}));
        let err = zone_model(&r, 0, &ProjectionSettings::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("start_year"), "{err}");
    }

    #[test]
    fn whole_cohorts_keep_the_region_total() {
        let expected = vec![0.6; 10];
        let cohorts = whole_cohorts(&expected, &[Some(0.5); 10], 0.3);
        let total: u32 = cohorts.iter().map(|(l, m)| l + m).sum();
        assert_eq!(total, 6);
        let migrants: u32 = cohorts.iter().map(|c| c.1).sum();
        assert_eq!(migrants, 3);
    }
}
