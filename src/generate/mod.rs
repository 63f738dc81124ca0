//! Realistic synthetic counties for demos, tests and benchmarks.
//!
//! A region is `counties` counties side by side in east-central China. Each
//! county has a dense county seat (compounds about 150-300 m across), market
//! towns (blocks of 300-600 m) and villages (1-2 km) over the rest; its zones
//! are Voronoi cells that tile it. Schools stand where people live, each new
//! one where the schools so far are most crowded or farthest, so that seats
//! can follow children. Each public school's classes are sized from the
//! children of its catchment (the zones it is nearest to), some a little
//! under, most over, and then so that every neighbourhood of a few
//! kilometres has seats for its children and the county 10-25 % more
//! public seats than children overall. About a third of the schools are
//! oversubscribed, but their overflow has somewhere near to go: the
//! allocation problem this makes is neither trivial nor infeasible, and
//! its answer looks like a real county's.
//!
//! Everything is drawn from per-county random streams and collected in
//! county order, so the same parameters give the same region on any number
//! of threads.

mod communities;
mod land;
mod lumpy;
mod names;
pub mod rng;
pub mod roads;
mod schools;
mod tight;

use geo::{Centroid, Coord, LineString, MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use serde_json::Map;

use crate::model::{Cohort, Region, School, SchoolKind, Sector, Shape, Stage, Zone};
use crate::policy::Policy;
use land::{Frame, Kind, Layout, P};
use names::{Namer, Place, Teaches};
use rng::Rng;
use schools::Draft;
pub use tight::{TightParams, generate_tight};

pub use lumpy::{SEAT_RATIO as LUMPY_SEAT_RATIO, generate_lumpy};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    /// Zones in the whole region, split evenly over the counties. The region
    /// has exactly this many zones; when there are fewer zones than counties,
    /// it has one county per zone instead.
    pub zones: usize,
    /// Schools in the whole region, exactly, split evenly over the counties.
    pub schools: usize,
    pub counties: usize,
}

/// Stream tags, so that planning and each county draw independent numbers.
const PLAN_STREAM: u64 = 1;
const COUNTY_STREAM: u64 = 2;

/// A typical county's mix: most schools primary, a quarter junior, the rest
/// nine-year; about one school in eleven private.
const NINE_YEAR_SHARE: f64 = 0.15;
const JUNIOR_SHARE: f64 = 0.25;
const PRIVATE_SHARE: f64 = 0.09;

/// Entry classes an average public school of the stage opens; the county's
/// children are scaled to them, since class counts are what bureaus plan.
const MEAN_CLASSES: [f64; 2] = [3.4, 4.4];
/// Public seats per child the county is sized to (drawn per county and
/// stage), and the band sizing must land in.
const SEAT_RATIO: (f64, f64) = (1.12, 1.22);
const SEAT_BAND: (f64, f64) = (1.11, 1.24);
/// Times the children of a stage are drawn again to land in the band.
const ATTEMPTS: usize = 5;

/// One county's share of the region, fixed before any county is built so
/// that counties can be built in any order.
#[derive(Clone, Debug)]
struct CountyPlan {
    index: usize,
    name: String,
    zones: usize,
    zone_offset: usize,
    /// Schools per kind: primary, junior, nine-year.
    kinds: [usize; 3],
    school_offset: usize,
    /// Number of the county's first school of each kind, region-wide.
    kind_offsets: [usize; 3],
}

const KINDS: [SchoolKind; 3] = [
    SchoolKind::Primary,
    SchoolKind::Junior,
    SchoolKind::NineYear,
];
const ID_LETTERS: [char; 3] = ['P', 'J', 'N'];

/// Generates a region deterministically from its parameters.
pub fn generate(params: &Params) -> Region {
    build(params, false).0
}

/// Generates a region and its roads, county by county (the region is the
/// one [`generate`] makes).
pub fn generate_with_roads(params: &Params) -> (Region, Vec<roads::CountyRoads>) {
    build(params, true)
}

fn build(params: &Params, with_roads: bool) -> (Region, Vec<roads::CountyRoads>) {
    let (counties, zones_per_school, layout) = layout(params);
    let plans = plan(params, counties);
    let kind_totals = plans.last().map_or([0; 3], |p| {
        [0, 1, 2].map(|k| p.kind_offsets[k] + p.kinds[k])
    });
    let ids = Ids {
        zone_width: digits(params.zones).max(6),
        school_width: kind_totals.map(|t| digits(t).max(3)),
    };
    let policy = Policy::default();
    let parts: Vec<County> = plans
        .par_iter()
        .map(|p| {
            let build = Build {
                seed: params.seed,
                layout: &layout,
                zones_per_school,
                ids: &ids,
                policy: &policy,
                with_roads,
            };
            build_county(p, &build)
        })
        .collect();
    let mut region = Region {
        zones: Vec::with_capacity(params.zones),
        schools: Vec::with_capacity(params.schools),
        ..Region::default()
    };
    let mut all_roads = Vec::new();
    for county in parts {
        region.zones.extend(county.zones);
        region.schools.extend(county.schools);
        all_roads.extend(county.roads);
    }
    (region, all_roads)
}

/// What every county is built with.
struct Build<'a> {
    seed: u64,
    layout: &'a Layout,
    zones_per_school: f64,
    ids: &'a Ids,
    policy: &'a Policy,
    with_roads: bool,
}

/// One county, built.
struct County {
    zones: Vec<Zone>,
    schools: Vec<School>,
    roads: Option<roads::CountyRoads>,
}

/// The number of counties actually made, the zones per school that set
/// their character, and where they lie.
fn layout(params: &Params) -> (usize, f64, Layout) {
    let counties = params.counties.max(1).min(params.zones.max(1));
    let zones_per_school = params.zones as f64 / params.schools.max(1) as f64;
    let mix = land::zone_mix(params.zones / counties, zones_per_school);
    let layout = Layout::new(params.seed, counties, land::design_area(mix));
    (counties, zones_per_school, layout)
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len()
}

struct Ids {
    zone_width: usize,
    school_width: [usize; 3],
}

/// Splits zones and schools over the counties and fixes each county's mix
/// of school kinds.
fn plan(params: &Params, counties: usize) -> Vec<CountyPlan> {
    let names = names::county_names(params.seed, counties);
    let mut rng = Rng::new(params.seed, PLAN_STREAM, 0);
    let (mut zone_offset, mut school_offset) = (0, 0);
    let mut kind_offsets = [0usize; 3];
    names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let zones = params.zones / counties + usize::from(index < params.zones % counties);
            let schools =
                params.schools / counties + usize::from(index < params.schools % counties);
            let kinds = match schools {
                0 => [0, 0, 0],
                // One school must teach both stages.
                1 => [0, 0, 1],
                n => {
                    let nine = rng.round(NINE_YEAR_SHARE * n as f64) as usize;
                    let junior = (rng.round(JUNIOR_SHARE * n as f64) as usize)
                        .max(usize::from(nine == 0))
                        .min(n - nine);
                    let primary = n - nine - junior;
                    if primary + nine == 0 {
                        [1, junior - 1, nine]
                    } else {
                        [primary, junior, nine]
                    }
                }
            };
            let plan = CountyPlan {
                index,
                name,
                zones,
                zone_offset,
                kinds,
                school_offset,
                kind_offsets,
            };
            zone_offset += zones;
            school_offset += schools;
            for k in 0..3 {
                kind_offsets[k] += kinds[k];
            }
            plan
        })
        .collect()
}

/// What a zone is while its county is being built.
struct ZoneDraft {
    kind: Kind,
    population: f64,
    migrant_share: f64,
    centroid: P,
    area: f64,
    children: [Cohort; 2],
    name: String,
}

/// Builds one county: land, people, schools, today's catchments.
fn build_county(plan: &CountyPlan, build: &Build) -> County {
    let Build {
        seed,
        layout,
        zones_per_school,
        ids,
        policy,
        with_roads,
    } = *build;
    let mut rng = Rng::new(seed, COUNTY_STREAM, plan.index as u64);
    let outline_deg = layout.outline(plan.index);
    let frame = Frame::new(land::area_centroid(&outline_deg).1);
    let outline: Vec<P> = outline_deg.iter().map(|&p| frame.km(p)).collect();

    // Land.
    let mix = land::zone_mix(plan.zones, zones_per_school);
    let mut sites = land::place_sites(&mut rng, &outline, mix);
    let cells = land::voronoi(&mut sites.points, &outline);
    drop(sites.points);

    // People and names.
    let mut namer = Namer::new();
    let town_names: Vec<String> = sites.towns.iter().map(|_| namer.town(&mut rng)).collect();
    let mut zones: Vec<ZoneDraft> = (0..cells.len())
        .map(|z| {
            let kind = sites.kinds[z];
            let (area, centroid) = land::area_centroid(cells.cell(z));
            let (typical, spread, empty, migrants) = match kind {
                Kind::Urban => (2000.0, 0.5, 0.07, (0.2, 0.4)),
                Kind::Town(_) => (800.0, 0.45, 0.05, (0.02, 0.1)),
                Kind::Village => (
                    280.0 * (area / land::VILLAGE_KM2).powf(0.3),
                    0.5,
                    0.05,
                    (0.0, 0.05),
                ),
            };
            let is_empty = rng.chance(empty);
            let population = if is_empty {
                0.0
            } else {
                (typical * (spread * rng.normal()).exp()).clamp(typical * 0.15, typical * 5.0)
            };
            let name = match kind {
                Kind::Urban => namer.compound(&mut rng, is_empty),
                Kind::Town(t) => namer.town_block(&mut rng, &town_names[t as usize], is_empty),
                Kind::Village => namer.village(&mut rng, is_empty),
            };
            ZoneDraft {
                kind,
                population,
                migrant_share: rng.range(migrants.0, migrants.1),
                centroid,
                area,
                children: [Cohort::default(); 2],
                name,
            }
        })
        .collect();
    let kinds: Vec<Kind> = zones.iter().map(|z| z.kind).collect();
    let population: Vec<f64> = zones.iter().map(|z| z.population).collect();
    let centroids: Vec<P> = zones.iter().map(|z| z.centroid).collect();
    let areas: Vec<f64> = zones.iter().map(|z| z.area).collect();

    // Schools: nine-year first (they space out both stages), then junior,
    // then primary; some of them private, placed last.
    let order: Vec<SchoolKind> = [2, 1, 0]
        .iter()
        .flat_map(|&k| std::iter::repeat_n(KINDS[k], plan.kinds[k]))
        .collect();
    let view = schools::Zones {
        kinds: &kinds,
        population: &population,
        centroids: &centroids,
        areas: &areas,
        cells: &cells,
    };
    let private = rng.round(PRIVATE_SHARE * order.len() as f64) as usize;
    let mut drafts = schools::place(&mut rng, &order, private, &view, &outline);
    drafts.sort_by_key(|d| kind_rank(d.kind));

    // Children, and the classes sized against today's catchments (each
    // zone's nearest public school). Children are scaled so that the
    // county's public schools, at their mean class count, have the planned
    // seats per child, with fewer where the catchments are so unequal that
    // the largest would outgrow what one school may open; then more (or
    // fewer) if sizing still leaves the county outside the planned seats
    // per child, as small schools in the countryside cannot shed their last
    // classes (or crowded ones open no more).
    let current = Stage::ALL.map(|stage| schools::nearest(&drafts, &centroids, stage));
    let mut catchment = [vec![0u32; drafts.len()], vec![0u32; drafts.len()]];
    for stage in Stage::ALL {
        let i = stage.index();
        let rate = child_rate(&drafts, &population, &current[i], stage, policy);
        let ratio = rng.range(SEAT_RATIO.0, SEAT_RATIO.1);
        let saved = rng.clone();
        let mut boost = 1.0;
        // The boost that came closest to the band, and by how much it missed.
        let mut best = (f64::INFINITY, 1.0);
        let mut last = boost;
        for attempt in 0..=ATTEMPTS {
            if attempt == ATTEMPTS {
                // Out of attempts: the best one again, unless it was the last.
                if best.1 == last {
                    break;
                }
                boost = best.1;
            }
            rng = saved.clone();
            for z in &mut zones {
                let expected = z.population * rate * boost * rng.range(0.8, 1.2);
                let total = rng.round(expected);
                let migrant = rng.round(total as f64 * z.migrant_share).min(total);
                z.children[i] = Cohort {
                    local: total - migrant,
                    migrant,
                };
            }
            let children: Vec<u32> = zones.iter().map(|z| z.children[i].total()).collect();
            let mut nearest = vec![0u32; drafts.len()];
            for (z, s) in current[i].iter().enumerate() {
                if let Some(s) = s {
                    nearest[*s] += children[z];
                }
            }
            let demand = schools::Demand {
                kinds: &kinds,
                centroids: &centroids,
                children: &children,
                nearest: &nearest,
            };
            let got = schools::size_stage(&mut rng, &mut drafts, &demand, stage, ratio, policy);
            catchment[i] = nearest;
            last = boost;
            let miss = (SEAT_BAND.0 - got).max(got - SEAT_BAND.1).max(0.0);
            if miss < best.0 {
                best = (miss, boost);
            }
            if miss == 0.0 || rate == 0.0 || attempt == ATTEMPTS {
                break;
            }
            // Seats per child fall about as the square of the boost.
            boost *= (got / ratio).powi(2);
        }
    }
    for (s, d) in drafts.iter_mut().enumerate() {
        if d.sector == Sector::Private {
            schools::size_private(&mut rng, d);
        }
        let children = [catchment[0][s], catchment[1][s]];
        schools::continuing(&mut rng, d, children, policy);
    }

    let schools = finish_schools(
        &mut rng,
        plan,
        &drafts,
        &zones,
        &town_names,
        &mut namer,
        &frame,
        ids,
    );
    let places: Vec<communities::Place> = zones
        .iter()
        .map(|z| communities::Place {
            kind: z.kind,
            centroid: z.centroid,
            name: &z.name,
            inhabited: z.population > 0.0,
        })
        .collect();
    let community = communities::communities(&places, &town_names);
    drop(places);
    let roads = with_roads.then(|| {
        let school_points: Vec<P> = drafts.iter().map(|d| d.at).collect();
        roads::county_roads(
            seed,
            &roads::Land {
                index: plan.index,
                outline: &outline,
                seat: sites.seat.as_ref(),
                towns: &sites.towns,
                town_names: &town_names,
                kinds: &kinds,
                centroids: &centroids,
                schools: &school_points,
                frame,
            },
        )
    });
    let mut zones = finish_zones(plan, zones, &cells, &current, &frame, ids);
    for (zone, c) in zones.iter_mut().zip(community) {
        zone.properties.insert("community".into(), c.into());
    }
    County {
        zones,
        schools,
        roads,
    }
}

/// Children per inhabitant of a stage: the county's public schools at
/// their mean class count give the planned seats per child, unless that
/// makes the largest catchments outgrow their schools (see
/// [`schools::fitting_rate`]). Zero in a county without people or schools.
fn child_rate(
    drafts: &[Draft],
    population: &[f64],
    current: &[Option<usize>],
    stage: Stage,
    policy: &Policy,
) -> f64 {
    let public = drafts
        .iter()
        .filter(|d| d.sector == Sector::Public && d.kind.teaches(stage))
        .count();
    let people: f64 = population.iter().sum();
    if people <= 0.0 || public == 0 {
        return 0.0;
    }
    let budget =
        public as f64 * MEAN_CLASSES[stage.index()] * policy.stage(stage).class_limit as f64
            / ((SEAT_RATIO.0 + SEAT_RATIO.1) / 2.0);
    let mut served = vec![0.0; drafts.len()];
    for (z, s) in current.iter().enumerate() {
        if let Some(s) = s {
            served[*s] += population[z];
        }
    }
    (budget / people).min(schools::fitting_rate(drafts, &served, stage, policy))
}

fn kind_rank(kind: SchoolKind) -> usize {
    KINDS.iter().position(|&k| k == kind).unwrap_or(0)
}

/// The county's zones as the model holds them, in lon/lat.
fn finish_zones(
    plan: &CountyPlan,
    drafts: Vec<ZoneDraft>,
    cells: &land::Cells,
    current: &[Vec<Option<usize>>; 2],
    frame: &Frame,
    ids: &Ids,
) -> Vec<Zone> {
    drafts
        .into_iter()
        .enumerate()
        .map(|(z, d)| {
            // Closed here, at its final capacity: `Polygon::new` would
            // otherwise close it by a push that doubles the allocation,
            // which for two million zones is a quarter gigabyte.
            let cell = cells.cell(z);
            let mut ring: Vec<Coord<f64>> = Vec::with_capacity(cell.len() + 1);
            ring.extend(cell.iter().map(|&p| {
                let [x, y] = frame.degrees(p);
                Coord { x, y }
            }));
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
            let area = MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])]);
            let centroid = area.centroid().unwrap_or_else(|| {
                let [x, y] = frame.degrees(d.centroid);
                Point::new(x, y)
            });
            Zone {
                id: format!("Z{:0w$}", plan.zone_offset + z + 1, w = ids.zone_width),
                name: d.name,
                shape: Shape::Area(area),
                centroid,
                children: d.children,
                current: [0, 1].map(|i| current[i][z].map(|s| plan.school_offset + s)),
                special: [0, 0],
                county: Some(plan.name.clone()),
                properties: Map::new(),
            }
        })
        .collect()
}

/// The county's schools as the model holds them: ids by kind, names by
/// where they stand.
#[allow(clippy::too_many_arguments)]
fn finish_schools(
    rng: &mut Rng,
    plan: &CountyPlan,
    drafts: &[Draft],
    zones: &[ZoneDraft],
    town_names: &[String],
    namer: &mut Namer,
    frame: &Frame,
    ids: &Ids,
) -> Vec<School> {
    let mut by_kind = [0usize; 3];
    let mut in_seat = [0usize; 3];
    let mut in_town = vec![[0usize; 3]; town_names.len()];
    drafts
        .iter()
        .map(|d| {
            let k = kind_rank(d.kind);
            by_kind[k] += 1;
            let id = format!(
                "{}{:0w$}",
                ID_LETTERS[k],
                plan.kind_offsets[k] + by_kind[k],
                w = ids.school_width[k]
            );
            let host = d.host.map(|z| &zones[z]);
            let host_name = host.map_or(plan.name.as_str(), |z| z.name.as_str());
            let name = if d.sector == Sector::Private {
                names::private_school(rng, &plan.name)
            } else {
                let teaches = match d.kind {
                    SchoolKind::Primary => Teaches::Primary,
                    SchoolKind::Junior => Teaches::Junior,
                    SchoolKind::NineYear => Teaches::NineYear,
                };
                let place = match host.map(|z| z.kind) {
                    Some(Kind::Town(t)) => {
                        let n = &mut in_town[t as usize][k];
                        *n += 1;
                        Place::Town(&town_names[t as usize], *n - 1)
                    }
                    Some(Kind::Village) => Place::Village(host_name),
                    _ => {
                        in_seat[k] += 1;
                        Place::Seat(in_seat[k] - 1)
                    }
                };
                names::public_school(&plan.name, teaches, place)
            };
            let name = namer.school(name, host_name);
            let [x, y] = frame.degrees(d.at);
            School {
                id,
                name,
                location: Point::new(x, y),
                kind: d.kind,
                sector: d.sector,
                county: Some(plan.name.clone()),
                classes: d.classes,
                enrolled: d.enrolled,
                capacity: d.capacity,
                properties: Map::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn params(seed: u64, zones: usize, schools: usize, counties: usize) -> Params {
        Params {
            seed,
            zones,
            schools,
            counties,
        }
    }

    /// Everything that defines a region, as text, to compare two of them.
    fn fingerprint(region: &Region) -> String {
        let mut s = String::new();
        for z in &region.zones {
            let Shape::Area(area) = &z.shape else {
                panic!("generated zones are areas")
            };
            s += &format!(
                "{} {} {:?} {:?} {:?} {:?} {:?}\n",
                z.id, z.name, z.children, z.current, z.county, z.centroid, area
            );
        }
        for x in &region.schools {
            s += &format!(
                "{} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n",
                x.id,
                x.name,
                x.location,
                x.kind,
                x.sector,
                x.county,
                x.classes,
                x.enrolled,
                x.capacity
            );
        }
        s
    }

    #[test]
    fn same_parameters_same_region_on_any_thread_count() {
        let p = params(42, 3000, 80, 3);
        let a = fingerprint(&generate(&p));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = fingerprint(&pool.install(|| generate(&p)));
        assert_eq!(a, b);
        let c = fingerprint(&generate(&params(43, 3000, 80, 3)));
        assert_ne!(a, c);
    }

    #[test]
    fn counts_are_exact() {
        for (zones, schools, counties) in [
            (100, 80, 1),
            (3000, 80, 1),
            (1001, 37, 7),
            (120, 300, 2),
            (50, 3, 80),
            (5, 0, 1),
        ] {
            let region = generate(&params(1, zones, schools, counties));
            assert_eq!(region.zones.len(), zones, "{zones}/{schools}/{counties}");
            assert_eq!(
                region.schools.len(),
                schools,
                "{zones}/{schools}/{counties}"
            );
            let ids: HashSet<&str> = region.zones.iter().map(|z| z.id.as_str()).collect();
            assert_eq!(ids.len(), zones);
            let ids: HashSet<&str> = region.schools.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids.len(), schools);
        }
        let region = generate(&params(1, 2000, 60, 4));
        assert_eq!(region.zones[0].id, "Z000001");
        assert!(region.schools.iter().any(|s| s.id == "P001"));
        let counties: HashSet<_> = region
            .zones
            .iter()
            .map(|z| z.county.clone().unwrap())
            .collect();
        assert_eq!(counties.len(), 4);
        assert!(region.schools.iter().all(|s| s.county.is_some()));
    }

    #[test]
    fn zones_tile_their_county() {
        let p = params(5, 4000, 120, 2);
        let region = generate(&p);
        let (counties, _, layout) = layout(&p);
        let names = names::county_names(p.seed, counties);
        for (k, name) in names.iter().enumerate() {
            let outline = layout.outline(k);
            let (county_area, _) = land::area_centroid(&outline);
            let zones_area: f64 = region
                .zones
                .iter()
                .filter(|z| z.county.as_ref() == Some(name))
                .map(|z| {
                    let Shape::Area(area) = &z.shape else {
                        unreachable!()
                    };
                    let ring: Vec<P> = area.0[0].exterior().0.iter().map(|c| [c.x, c.y]).collect();
                    let (a, _) = land::area_centroid(&ring[..ring.len() - 1]);
                    assert!(a > 0.0, "{} is counter-clockwise", z.id);
                    a
                })
                .sum();
            assert!(
                (zones_area / county_area - 1.0).abs() < 1e-6,
                "{zones_area} vs {county_area}"
            );
            for z in region
                .zones
                .iter()
                .filter(|z| z.county.as_ref() == Some(name))
            {
                assert!(land::inside(
                    &outline,
                    [z.centroid.x(), z.centroid.y()],
                    0.0
                ));
            }
        }
    }

    /// One county's public seats per child of each stage, and the share of
    /// its public schools that would be over capacity if every zone went to
    /// its nearest public school (today's catchments).
    fn seats_and_crowding(region: &Region, county: &str) -> ([f64; 2], f64) {
        let policy = Policy::default();
        let mut demand = vec![[0u32; 2]; region.schools.len()];
        let mut children = [0u32; 2];
        for z in region
            .zones
            .iter()
            .filter(|z| z.county.as_deref() == Some(county))
        {
            for stage in Stage::ALL {
                let i = stage.index();
                children[i] += z.children[i].total();
                if let Some(s) = z.current[i] {
                    demand[s][i] += z.children[i].total();
                }
            }
        }
        let mut seats = [0u32; 2];
        let (mut public, mut over) = (0, 0);
        for (s, school) in region.schools.iter().enumerate() {
            if school.county.as_deref() != Some(county) || school.sector != Sector::Public {
                continue;
            }
            let limit = policy.seats(school);
            for stage in Stage::ALL {
                seats[stage.index()] += limit.stage[stage.index()].unwrap_or(0);
            }
            public += 1;
            let wanted = demand[s][0] + demand[s][1];
            let short = Stage::ALL
                .iter()
                .any(|st| demand[s][st.index()] > limit.stage[st.index()].unwrap_or(u32::MAX))
                || wanted > limit.school;
            over += usize::from(short);
        }
        (
            [0, 1].map(|i| seats[i] as f64 / children[i] as f64),
            over as f64 / public as f64,
        )
    }

    fn county_names(region: &Region) -> Vec<String> {
        let mut names: Vec<String> = region
            .zones
            .iter()
            .filter_map(|z| z.county.clone())
            .collect();
        names.dedup();
        names
    }

    #[test]
    fn seats_exceed_children_but_crowded_schools_are_short() {
        for p in [
            params(7, 3000, 80, 1),
            params(8, 20_000, 600, 10),
            params(2, 20_000, 600, 1),
            params(3, 7100, 710, 10),
        ] {
            let region = generate(&p);
            let names = county_names(&region);
            assert_eq!(names.len(), p.counties);
            let mut shares = Vec::new();
            for name in &names {
                let (ratio, share) = seats_and_crowding(&region, name);
                for r in ratio {
                    assert!(
                        (1.10..=1.25).contains(&r),
                        "{p:?} {name}: seats per child {ratio:?}"
                    );
                }
                // Capacity binds in every county, if not always as often.
                assert!(
                    (0.15..=0.55).contains(&share),
                    "{p:?} {name}: {share} over capacity"
                );
                shares.push(share);
            }
            let mean = shares.iter().sum::<f64>() / shares.len() as f64;
            assert!(
                (0.25..=0.45).contains(&mean),
                "{p:?}: {mean} of the schools over capacity under nearest assignment"
            );
        }
    }

    /// Where each zone and school stands, in km on a plane around the
    /// region (exact enough over a county).
    fn plane(region: &Region) -> impl Fn(Point) -> P {
        let lat = region.zones[0].centroid.y();
        let (kx, ky) = land::km_per_degree(lat);
        move |p: Point| [p.x() * kx, p.y() * ky]
    }

    #[test]
    fn shortages_are_local() {
        // Around every public school, the schools within 3 km have seats
        // for the children living within 3 km (a few metres more for the
        // seats, as the plane here is not quite the generator's): an
        // oversubscribed school's overflow has somewhere near to go.
        for p in [params(7, 3000, 80, 1), params(2, 20_000, 600, 1)] {
            let region = generate(&p);
            let policy = Policy::default();
            let km = plane(&region);
            let zones: Vec<(P, [u32; 2])> = region
                .zones
                .iter()
                .map(|z| (km(z.centroid), [0, 1].map(|i| z.children[i].total())))
                .collect();
            let schools: Vec<(P, [u32; 2])> = region
                .schools
                .iter()
                .filter(|s| s.sector == Sector::Public)
                .map(|s| {
                    let seats = policy.seats(s);
                    (km(s.location), [0, 1].map(|i| seats.stage[i].unwrap_or(0)))
                })
                .collect();
            for stage in Stage::ALL {
                let i = stage.index();
                let mut levels = Vec::new();
                for &(at, seats) in &schools {
                    if seats[i] == 0 {
                        continue;
                    }
                    let children: u32 = zones
                        .iter()
                        .filter(|(z, _)| land::dist(*z, at) <= 3.0)
                        .map(|(_, c)| c[i])
                        .sum();
                    let near: u32 = schools
                        .iter()
                        .filter(|(s, _)| land::dist(*s, at) <= 3.02)
                        .map(|(_, s)| s[i])
                        .sum();
                    levels.push(children as f64 / near as f64);
                }
                levels.sort_by(f64::total_cmp);
                let worst = levels[levels.len() - 1];
                let p95 = levels[levels.len() * 95 / 100];
                assert!(
                    p95 <= 1.0,
                    "{p:?} {stage:?}: children per seat within 3 km, 95th percentile {p95}"
                );
                assert!(
                    worst <= 1.1,
                    "{p:?} {stage:?}: children per seat within 3 km up to {worst}"
                );
            }
        }
    }

    #[test]
    fn schools_follow_the_norms() {
        let region = generate(&params(9, 20_000, 600, 10));
        let policy = Policy::default();
        let mut kinds: HashMap<&str, usize> = HashMap::new();
        let mut private = 0;
        let (mut single, mut stages) = (0, 0);
        for s in &region.schools {
            *kinds.entry(s.kind.key()).or_default() += 1;
            private += usize::from(s.sector == Sector::Private);
            let mut total = s.continuing();
            for stage in Stage::ALL {
                let c = s.classes[stage.index()];
                assert_eq!(c.is_some(), s.kind.teaches(stage), "{}", s.id);
                if let Some(c) = c {
                    // One class per grade only for small public schools.
                    let fewest = if s.sector == Sector::Public { 1 } else { 2 };
                    assert!((fewest..=6).contains(&c), "{} has {c} classes", s.id);
                    single += usize::from(c == 1);
                    stages += 1;
                    total += c * policy.stage(stage).class_limit;
                }
            }
            assert!(total <= policy.school_limit_of(s), "{} holds {total}", s.id);
            if let Some(c) = s.classes[0] {
                // Five grades of at least a few pupils, at most full classes
                // of one track more than this year's.
                assert!(
                    s.enrolled[0] + 1 >= 5 * 8 * c.min(2),
                    "{} {:?}",
                    s.id,
                    s.enrolled
                );
                assert!(
                    s.enrolled[0] <= 5 * (c + 1) * 45,
                    "{} {:?}",
                    s.id,
                    s.enrolled
                );
            }
        }
        assert!(
            single * 5 < stages,
            "{single} of {stages} stages with one class"
        );
        let n = region.schools.len() as f64;
        let share = |k: &str| kinds.get(k).copied().unwrap_or(0) as f64 / n;
        assert!((0.5..0.7).contains(&share("primary")), "{kinds:?}");
        assert!((0.18..0.32).contains(&share("junior")), "{kinds:?}");
        assert!((0.1..0.2).contains(&share("nine_year")), "{kinds:?}");
        assert!((0.06..0.12).contains(&(private as f64 / n)), "{private}");
        assert!(
            region
                .schools
                .iter()
                .any(|s| s.capacity.iter().any(Option::is_some))
        );
    }

    #[test]
    fn children_look_like_a_county() {
        let region = generate(&params(10, 6000, 300, 4));
        let empty = region
            .zones
            .iter()
            .filter(|z| z.children[0].total() == 0)
            .count();
        assert!(empty > 0);
        let (mut local, mut migrant) = (0, 0);
        for z in &region.zones {
            local += z.children[0].local;
            migrant += z.children[0].migrant;
        }
        let share = migrant as f64 / (local + migrant) as f64;
        assert!((0.05..0.35).contains(&share), "migrant share {share}");
        // Today's catchment is a public school of the stage in the county.
        for z in &region.zones {
            for stage in Stage::ALL {
                let s = &region.schools[z.current[stage.index()].unwrap()];
                assert!(s.takes_catchment(stage));
                assert_eq!(s.county, z.county);
            }
        }
    }

    #[test]
    fn names_are_chinese() {
        let region = generate(&params(12, 3000, 80, 2));
        for name in region
            .zones
            .iter()
            .map(|z| &z.name)
            .chain(region.schools.iter().map(|s| &s.name))
            .chain(region.zones.iter().filter_map(|z| z.county.as_ref()))
        {
            assert!(names::is_chinese(name), "{name}");
        }
        let unique: HashSet<&str> = region.zones.iter().map(|z| z.name.as_str()).collect();
        assert!(unique.len() as f64 > 0.9 * region.zones.len() as f64);
        let unique: HashSet<&str> = region.schools.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(unique.len(), region.schools.len());
    }
}
