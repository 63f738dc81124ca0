//! A region joined to a road network: the road measure behind the
//! region's [`Distances`] (see `model::Distances`), with what joining found
//! (zones and schools off the roads, detours) for the reports.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use geo::{Coord, Point};
use rayon::prelude::*;

use super::candidates::NearestMemo;
use super::roads::{Departure, Network, Search, Snap, Weight, chain_ends, measure, path};
use crate::model::geodesy::rounded_metres;
use crate::model::{Distances, Region, RoadMeasure, Stage};

/// How distance is measured: on foot or by car along the roads, or
/// straight (great-circle).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum DistanceKind {
    Walk,
    Drive,
    Straight,
}

impl crate::options::OptionValue for DistanceKind {}

impl DistanceKind {
    pub fn key(self) -> &'static str {
        match self {
            DistanceKind::Walk => "walk",
            DistanceKind::Drive => "drive",
            DistanceKind::Straight => "straight",
        }
    }
}

/// What the objective counts: km of travel, or minutes of travel along
/// the roads (each way at its speed for the profile).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ObjectiveUnit {
    #[default]
    Km,
    Minutes,
}

impl crate::options::OptionValue for ObjectiveUnit {}

impl ObjectiveUnit {
    pub fn key(self) -> &'static str {
        match self {
            ObjectiveUnit::Km => "km",
            ObjectiveUnit::Minutes => "minutes",
        }
    }
}

/// A zone or school that could not use the network, and why: its
/// distances are straight-line times its county's median detour.
#[derive(Clone, Debug, PartialEq)]
pub struct Fallback {
    pub place: Place,
    /// Index in the region's zones or schools.
    pub index: usize,
    pub id: String,
    pub reason: FallbackReason,
    /// The factor its straight-line distances are multiplied by.
    pub detour: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Zone,
    School,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FallbackReason {
    /// No usable road within `max_snap_m`.
    NoRoadNear { max_snap_m: f64 },
    /// On a piece of network that reaches no school of this stage of its
    /// county.
    Cut { stage: Stage },
}

impl FallbackReason {
    pub fn key(&self) -> &'static str {
        match self {
            FallbackReason::NoRoadNear { .. } => "no_road_near",
            FallbackReason::Cut { .. } => "cut_off",
        }
    }
}

impl std::fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            FallbackReason::NoRoadNear { max_snap_m } => {
                write!(f, "no usable road within max_snap_m = {max_snap_m} m")
            }
            FallbackReason::Cut { stage } => {
                write!(f, "its roads reach no {} school of its county", stage.key())
            }
        }
    }
}

/// How much longer the way by road is than the straight line: road /
/// straight from each zone to its nearest school by road (zones that fall
/// back not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Detour {
    pub median: f64,
    pub p95: f64,
    /// Zone-stage pairs measured.
    pub pairs: usize,
}

type Key = (u64, u64);

/// No county or row.
const NONE: u32 = u32::MAX;
/// A table's cell for a zone whose way does not reach the school.
const UNREACHED: u32 = u32::MAX;

/// Hashes a point's bits by one multiply per word: every distance asked
/// of the region looks its zone and school up, so the lookup must cost
/// little. Keys are exact coordinates, not chosen by an adversary.
#[derive(Clone, Copy, Default)]
struct PointHasher(u64);

impl std::hash::Hasher for PointHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type ByPoint = HashMap<Key, u32, std::hash::BuildHasherDefault<PointHasher>>;

/// What a search to one point leaves: cost and metres from every node.
struct SearchField {
    dist: Vec<f64>,
    len: Vec<f64>,
}

fn key(p: Point<f64>) -> Key {
    (p.x().to_bits(), p.y().to_bits())
}

/// A region joined to a road network: where each zone and school joins
/// it, the metres from every zone to every school of its county, and the
/// zones and schools that fall back to straight lines.
pub struct RoadDistances {
    pub file: PathBuf,
    pub network: Network,
    pub max_snap_m: f64,
    pub zones_snapped: usize,
    pub schools_snapped: usize,
    pub fallback: Vec<Fallback>,
    pub detour: Detour,
    zone_of: ByPoint,
    zone_snap: Vec<Option<Snap>>,
    /// The factor of a zone that falls back.
    zone_fallback: Vec<Option<f64>>,
    school_of: ByPoint,
    school_snap: Vec<Option<Snap>>,
    /// Median detour of each school's county (for a school that falls back).
    school_detour: Vec<f64>,
    /// The zones of each county that join the network, in order.
    county_zones: Vec<Vec<u32>>,
    /// Each zone's county and its row in that county's list; `NONE` for
    /// both where the zone joins no road.
    zone_row: Vec<(u32, u32)>,
    /// Each school's county (`NONE`: no zone of its county joins a road).
    school_county: Vec<u32>,
    /// Per school, the cost from each zone of its county, by the zone's
    /// row (`UNREACHED` where its way does not reach the school): one
    /// dense row of 4 bytes a zone, looked up without a search.
    cost: Vec<Vec<u32>>,
    /// Per school, by travel time: the metres of each way, as `cost`.
    /// Empty by length, where the metres are the cost.
    metres: Vec<Vec<u32>>,
    /// The detour of points the region does not hold.
    overall_detour: f64,
    /// Road metres over straight metres (median), for the length of a way
    /// that falls back when costs are times.
    length_detour: f64,
    /// Searches from points the region does not hold (a candidate site, a
    /// school added later), kept: one search per point, however many ask.
    fields: Mutex<HashMap<Key, Arc<SearchField>>>,
    /// Nearest lists by this measure, kept for the plans made again.
    pub nearest_memo: NearestMemo,
}

/// The road measure of a region's distances, where they are by road.
pub fn road_distances(distances: &Distances) -> Option<&RoadDistances> {
    distances.road()?.as_any().downcast_ref()
}

impl RoadMeasure for RoadDistances {
    fn metres(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64 {
        self.road_metres(from, to, straight)
    }

    fn length(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64 {
        self.road_length(from, to, straight)
    }

    fn metres_per_minute(&self) -> Option<f64> {
        (self.network.weight == Weight::Time).then(|| self.network.metres_per_minute())
    }

    fn kind(&self) -> &'static str {
        self.network.profile.key()
    }

    fn way(&self, from: Point<f64>, to: Point<f64>) -> Option<Vec<Coord<f64>>> {
        self.road_way(from, to)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn nearest_memo(&self) -> Option<&dyn std::any::Any> {
        Some(&self.nearest_memo)
    }
}

impl std::fmt::Debug for RoadDistances {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "RoadDistances({}, {:?})",
            self.file.display(),
            self.network
        )
    }
}

impl RoadDistances {
    /// Joins the region to the network and measures every zone to every
    /// school of its county (a search from each school, in parallel).
    pub fn build(file: PathBuf, network: Network, region: &Region, max_snap_m: f64) -> Self {
        let zone_snap: Vec<Option<Snap>> = region
            .zones
            .par_iter()
            .map(|z| network.snap(z.centroid, max_snap_m))
            .collect();
        let school_snap: Vec<Option<Snap>> = region
            .schools
            .par_iter()
            .map(|s| network.snap(s.location, max_snap_m))
            .collect();
        let mut county_of: HashMap<Option<&str>, u32> = HashMap::new();
        let mut county_zones: Vec<Vec<u32>> = Vec::new();
        let mut zone_row = vec![(NONE, NONE); region.zones.len()];
        for (z, zone) in region.zones.iter().enumerate() {
            if zone_snap[z].is_some() {
                let c = *county_of.entry(zone.county.as_deref()).or_insert_with(|| {
                    county_zones.push(Vec::new());
                    county_zones.len() as u32 - 1
                });
                zone_row[z] = (c, county_zones[c as usize].len() as u32);
                county_zones[c as usize].push(z as u32);
            }
        }
        let school_county: Vec<u32> = region
            .schools
            .iter()
            .map(|s| county_of.get(&s.county.as_deref()).copied().unwrap_or(NONE))
            .collect();
        // The junctions each county's searches must settle: the chain
        // ends of its zones.
        let county_ends: Vec<Vec<u32>> = county_zones
            .iter()
            .map(|zones| {
                let mut ends: Vec<u32> = zones
                    .iter()
                    .filter_map(|&z| zone_snap[z as usize].as_ref())
                    .flat_map(|s| chain_ends(&network, s.edge))
                    .collect();
                ends.sort_unstable();
                ends.dedup();
                ends
            })
            .collect();
        let departures: Vec<Option<Departure>> = zone_snap
            .iter()
            .map(|s| s.as_ref().map(|s| Departure::new(&network, s)))
            .collect();
        let by_time = network.weight == Weight::Time;
        let rows: Vec<(Vec<u32>, Vec<u32>)> = (0..region.schools.len())
            .into_par_iter()
            .map_init(
                || Search::new(&network),
                |search, s| {
                    let (Some(target), Some(zones)) =
                        (&school_snap[s], county_zones.get(school_county[s] as usize))
                    else {
                        return (Vec::new(), Vec::new());
                    };
                    search.run_to(&network, target, &county_ends[school_county[s] as usize]);
                    let arrival = Departure::new(&network, target);
                    let rounded = |m: f64| m.round().min(f64::from(UNREACHED - 1)) as u32;
                    let mut cost = Vec::with_capacity(zones.len());
                    let mut metres = Vec::with_capacity(if by_time { zones.len() } else { 0 });
                    for &z in zones {
                        let way = departures[z as usize]
                            .map(|d| d.to(search.dist.as_slice(), Some(&search.len), &arrival));
                        let (c, m) = match way {
                            Some((c, m)) if c.is_finite() => (rounded(c), rounded(m)),
                            _ => (UNREACHED, UNREACHED),
                        };
                        cost.push(c);
                        if by_time {
                            metres.push(m);
                        }
                    }
                    (cost, metres)
                },
            )
            .collect();
        let (cost, metres): (Vec<Vec<u32>>, Vec<Vec<u32>>) = rows.into_iter().unzip();
        let mut road = RoadDistances {
            file,
            max_snap_m,
            zones_snapped: zone_snap.iter().filter(|s| s.is_some()).count(),
            schools_snapped: school_snap.iter().filter(|s| s.is_some()).count(),
            fallback: Vec::new(),
            detour: Detour::default(),
            zone_of: ByPoint::default(),
            zone_fallback: vec![None; region.zones.len()],
            school_of: ByPoint::default(),
            school_detour: vec![1.0; region.schools.len()],
            zone_snap,
            school_snap,
            county_zones,
            zone_row,
            school_county,
            cost,
            metres,
            overall_detour: 1.0,
            length_detour: 1.0,
            fields: Mutex::new(HashMap::new()),
            // Each zone's lists for both stages, twice over (forbidden
            // schools ask for longer lists).
            nearest_memo: NearestMemo::new(4 * region.zones.len() + 1024),
            network,
        };
        for (z, zone) in region.zones.iter().enumerate() {
            road.zone_of.entry(key(zone.centroid)).or_insert(z as u32);
        }
        for (s, school) in region.schools.iter().enumerate() {
            road.school_of
                .entry(key(school.location))
                .or_insert(s as u32);
        }
        road.find_fallbacks(region);
        road
    }

    /// Detours from each zone's nearest school by road, the zones and
    /// schools that cannot use the network, and their factors.
    fn find_fallbacks(&mut self, region: &Region) {
        let n = region.zones.len();
        // Each zone's nearest school by road per stage: (metres, school).
        let mut nearest: Vec<[Option<(u32, u32)>; 2]> = vec![[None; 2]; n];
        let mut has_school: HashMap<(Option<&str>, Stage), bool> = HashMap::new();
        for (s, school) in region.schools.iter().enumerate() {
            for stage in Stage::ALL {
                if !school.takes_catchment(stage) {
                    continue;
                }
                has_school.insert((school.county.as_deref(), stage), true);
                let Some(zones) = self.county_zones.get(self.school_county[s] as usize) else {
                    continue;
                };
                for (&z, &m) in zones.iter().zip(&self.cost[s]) {
                    if m == UNREACHED {
                        continue;
                    }
                    let best = &mut nearest[z as usize][stage.index()];
                    if best.is_none_or(|b| (m, s as u32) < b) {
                        *best = Some((m, s as u32));
                    }
                }
            }
        }
        let mut ratios: HashMap<Option<&str>, Vec<f64>> = HashMap::new();
        let mut all = Vec::new();
        let mut lengths = Vec::new();
        let mut reasons: Vec<Option<FallbackReason>> = vec![None; n];
        for (z, zone) in region.zones.iter().enumerate() {
            if self.zone_snap[z].is_none() {
                reasons[z] = Some(FallbackReason::NoRoadNear {
                    max_snap_m: self.max_snap_m,
                });
                continue;
            }
            for stage in Stage::ALL {
                let county = zone.county.as_deref();
                match nearest[z][stage.index()] {
                    None if has_school.contains_key(&(county, stage)) => {
                        reasons[z].get_or_insert(FallbackReason::Cut { stage });
                    }
                    None => {}
                    Some((m, s)) => {
                        let school = &region.schools[s as usize];
                        let straight = rounded_metres(zone.centroid, school.location) as f64;
                        if straight > 0.0 {
                            let r = (m as f64 / straight).max(1.0);
                            ratios.entry(county).or_default().push(r);
                            all.push(r);
                            let metres = self.table_entry(s as usize, z).map_or(m, |e| e.1);
                            lengths.push((metres as f64 / straight).max(1.0));
                        }
                    }
                }
            }
        }
        self.detour = Detour {
            median: quantile(&mut all, 0.5).unwrap_or(1.0),
            p95: quantile(&mut all, 0.95).unwrap_or(1.0),
            pairs: all.len(),
        };
        self.overall_detour = self.detour.median;
        self.length_detour = quantile(&mut lengths, 0.5).unwrap_or(1.0);
        let county_detour: HashMap<Option<&str>, f64> = ratios
            .into_iter()
            .map(|(c, mut v)| (c, quantile(&mut v, 0.5).unwrap_or(1.0)))
            .collect();
        let of = |county: Option<&str>| {
            county_detour
                .get(&county)
                .copied()
                .unwrap_or(self.overall_detour)
        };
        for (z, reason) in reasons.into_iter().enumerate() {
            if let Some(reason) = reason {
                let detour = of(region.zones[z].county.as_deref());
                self.zone_fallback[z] = Some(detour);
                self.fallback.push(Fallback {
                    place: Place::Zone,
                    index: z,
                    id: region.zones[z].id.clone(),
                    reason,
                    detour,
                });
            }
        }
        for (s, school) in region.schools.iter().enumerate() {
            self.school_detour[s] = of(school.county.as_deref());
            if self.school_snap[s].is_none() {
                self.fallback.push(Fallback {
                    place: Place::School,
                    index: s,
                    id: school.id.clone(),
                    reason: FallbackReason::NoRoadNear {
                        max_snap_m: self.max_snap_m,
                    },
                    detour: self.school_detour[s],
                });
            }
        }
    }

    /// Zones that fall back.
    pub fn fallback_zones(&self) -> impl Iterator<Item = &Fallback> {
        self.fallback.iter().filter(|f| f.place == Place::Zone)
    }

    fn road_metres(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64 {
        let scaled = |f: f64| ((straight as f64 * f).round() as i64).max(straight);
        let zone = self.zone_of.get(&key(from)).map(|&z| z as usize);
        let school = self.school_of.get(&key(to)).map(|&s| s as usize);
        if let Some(z) = zone
            && let Some(f) = self.zone_fallback[z]
        {
            return scaled(f);
        }
        if let Some(s) = school {
            if self.school_snap[s].is_none() {
                return scaled(self.school_detour[s]);
            }
            if let Some(z) = zone
                && let Some((cost, _)) = self.table_entry(s, z)
            {
                return i64::from(cost).max(straight);
            }
        }
        let from_snap = match zone {
            Some(z) => self.zone_snap[z],
            None => self.network.snap(from, self.max_snap_m),
        };
        let to_snap = match school {
            Some(s) => self.school_snap[s],
            None => self.network.snap(to, self.max_snap_m),
        };
        let detour = school.map_or(self.overall_detour, |s| self.school_detour[s]);
        let (Some(from_snap), Some(to_snap)) = (from_snap, to_snap) else {
            return scaled(detour);
        };
        if self.network.piece_of(&from_snap) != self.network.piece_of(&to_snap) {
            return scaled(detour);
        }
        let field = self.field(to, &to_snap);
        let (m, _) = measure(
            &self.network,
            field.dist.as_slice(),
            None,
            &from_snap,
            &to_snap,
        );
        if m.is_finite() {
            (m.round() as i64).max(straight)
        } else {
            scaled(detour)
        }
    }

    /// A school's table entry for a zone of its county: (cost, metres).
    fn table_entry(&self, s: usize, z: usize) -> Option<(u32, u32)> {
        let (county, row) = self.zone_row[z];
        if county == NONE || self.school_county[s] != county {
            return None;
        }
        let row = row as usize;
        let cost = *self.cost[s].get(row)?;
        let metres = self.metres[s].get(row).copied().unwrap_or(cost);
        (cost != UNREACHED).then_some((cost, metres))
    }

    /// Metres of the way [`Self::road_metres`] prices: the same as its
    /// cost by length; by time, the metres of the fastest way (straight
    /// times the median detour where it falls back).
    fn road_length(&self, from: Point<f64>, to: Point<f64>, straight: i64) -> i64 {
        if self.network.weight == Weight::Length {
            return self.road_metres(from, to, straight);
        }
        let fallback = ((straight as f64 * self.length_detour).round() as i64).max(straight);
        let zone = self.zone_of.get(&key(from)).map(|&z| z as usize);
        let school = self.school_of.get(&key(to)).map(|&s| s as usize);
        if zone.is_some_and(|z| self.zone_fallback[z].is_some()) {
            return fallback;
        }
        if let (Some(z), Some(s)) = (zone, school)
            && self.school_snap[s].is_some()
            && let Some((_, metres)) = self.table_entry(s, z)
        {
            return i64::from(metres).max(straight);
        }
        let snap = |p: Point<f64>| self.network.snap(p, self.max_snap_m);
        let (Some(from_snap), Some(to_snap)) = (snap(from), snap(to)) else {
            return fallback;
        };
        if self.network.piece_of(&from_snap) != self.network.piece_of(&to_snap) {
            return fallback;
        }
        let field = self.field(to, &to_snap);
        let (cost, m) = measure(
            &self.network,
            field.dist.as_slice(),
            Some(&field.len),
            &from_snap,
            &to_snap,
        );
        if cost.is_finite() {
            (m.round() as i64).max(straight)
        } else {
            fallback
        }
    }

    /// The line along the network from a point to another, where both join
    /// it on one piece and neither falls back.
    fn road_way(&self, from: Point<f64>, to: Point<f64>) -> Option<Vec<Coord<f64>>> {
        let zone = self.zone_of.get(&key(from)).map(|&z| z as usize);
        if zone.is_some_and(|z| self.zone_fallback[z].is_some()) {
            return None;
        }
        let from_snap = self.network.snap(from, self.max_snap_m)?;
        let to_snap = self.network.snap(to, self.max_snap_m)?;
        let (nodes, _) = path(&self.network, &from_snap, &to_snap)?;
        let on_edge = |s: &Snap| {
            let e = &self.network.edges[s.edge as usize];
            let (a, b) = (
                self.network.coords[e.a as usize],
                self.network.coords[e.b as usize],
            );
            Coord {
                x: a.x + (b.x - a.x) * s.t,
                y: a.y + (b.y - a.y) * s.t,
            }
        };
        let mut line = vec![from.0, on_edge(&from_snap)];
        line.extend(nodes.iter().map(|&n| self.network.coords[n as usize]));
        line.push(on_edge(&to_snap));
        line.push(to.0);
        line.dedup();
        Some(line)
    }

    /// Metres from every node to a point, searched once per point.
    fn field(&self, at: Point<f64>, snap: &Snap) -> Arc<SearchField> {
        if let Some(f) = self.fields.lock().expect("distance cache").get(&key(at)) {
            return f.clone();
        }
        let mut search = Search::new(&self.network);
        search.run(&self.network, snap, f64::INFINITY);
        let field = Arc::new(SearchField {
            dist: std::mem::take(&mut search.dist),
            len: std::mem::take(&mut search.len),
        });
        self.fields
            .lock()
            .expect("distance cache")
            .entry(key(at))
            .or_insert(field)
            .clone()
    }
}

/// The `q` quantile (nearest rank) of the values, sorted in place.
fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, School, SchoolKind, Zone};
    use crate::spatial::roads::{Profile, Way};

    /// One straight road along latitude 30 from lon 120.00 to 120.10;
    /// county `a` in its west, county `b` in its east, and a zone of `a`
    /// 5 km off the road.
    fn two_counties() -> (Region, RoadDistances) {
        let ways = [Way {
            coords: (0..=10)
                .map(|i| Coord {
                    x: 120.0 + f64::from(i) * 0.01,
                    y: 30.0,
                })
                .collect(),
            node_ids: None,
            tags: Default::default(),
        }];
        let in_county = |mut zone: Zone, county: &str| {
            zone.county = Some(county.into());
            zone
        };
        let zone =
            |id: &str, x: f64, y: f64| Zone::at_point(id, Point::new(x, y), [Cohort::default(); 2]);
        let school = |id: &str, x: f64, county: &str| School {
            county: Some(county.into()),
            ..School::public(id, SchoolKind::Primary, Point::new(x, 30.0))
        };
        let region = Region {
            zones: vec![
                in_county(zone("a1", 120.01, 30.0), "a"),
                in_county(zone("b1", 120.08, 30.0), "b"),
                in_county(zone("a2", 120.03, 30.0), "a"),
                in_county(zone("far", 120.02, 30.05), "a"),
            ],
            schools: vec![school("A", 120.02, "a"), school("B", 120.09, "b")],
            ..Region::default()
        };
        let network = Network::build(&ways, Profile::Walk);
        let road = RoadDistances::build(PathBuf::from("roads.geojson"), network, &region, 500.0);
        (region, road)
    }

    #[test]
    fn tables_answer_each_county_and_other_pairs_are_searched() {
        let (region, road) = two_counties();
        let metres = |z: usize, s: usize| {
            let (from, to) = (region.zones[z].centroid, region.schools[s].location);
            road.road_metres(from, to, rounded_metres(from, to))
        };
        let along = |x0: f64, x1: f64| rounded_metres(Point::new(x0, 30.0), Point::new(x1, 30.0));
        // From the tables: each zone's row of its own county's school.
        assert!(road.table_entry(0, 0).is_some() && road.table_entry(1, 1).is_some());
        assert!((metres(0, 0) - along(120.01, 120.02)).abs() <= 1);
        assert!((metres(2, 0) - along(120.03, 120.02)).abs() <= 1);
        assert!((metres(1, 1) - along(120.08, 120.09)).abs() <= 1);
        // Across the county line there is no row (zone b1 is row 0 of `b`,
        // as a1 is of `a`): searched from the school instead.
        assert!(road.table_entry(0, 1).is_none() && road.table_entry(1, 0).is_none());
        assert!((metres(1, 0) - along(120.08, 120.02)).abs() <= 1);
        assert!((metres(0, 1) - along(120.01, 120.09)).abs() <= 1);
        // The zone off the road falls back, and has no row.
        assert!(road.table_entry(0, 3).is_none());
        assert_eq!(road.fallback_zones().count(), 1);
    }

    #[test]
    fn by_time_the_tables_keep_metres_apart_from_costs() {
        let (region, _) = two_counties();
        let drive = |kmh: u32| {
            [
                ("highway", "residential".to_string()),
                ("speed_kmh", kmh.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
        };
        let mut ways = vec![Way {
            coords: vec![Coord { x: 120.0, y: 30.0 }, Coord { x: 120.05, y: 30.0 }],
            node_ids: None,
            tags: drive(20),
        }];
        ways.push(Way {
            coords: vec![Coord { x: 120.05, y: 30.0 }, Coord { x: 120.10, y: 30.0 }],
            node_ids: None,
            tags: drive(40),
        });
        let network = Network::build_weighted(&ways, Profile::Drive, Weight::Time);
        let road = RoadDistances::build(PathBuf::from("roads.geojson"), network, &region, 500.0);
        // a1 and A lie on the slow half: each metre costs two.
        let (cost, metres) = road.table_entry(0, 0).expect("a1 to A by road");
        assert!(
            (i64::from(cost) - 2 * i64::from(metres)).abs() <= 1,
            "{cost} {metres}"
        );
        let (from, to) = (region.zones[0].centroid, region.schools[0].location);
        let straight = rounded_metres(from, to);
        assert_eq!(road.road_length(from, to, straight), i64::from(metres));
        assert_eq!(road.road_metres(from, to, straight), i64::from(cost));
    }

    /// The officers' map asks the same nearest lists on every edit: kept
    /// by the measure, they come back the same, and an index of other
    /// schools on the same measure never gets another index's answer.
    #[test]
    fn nearest_lists_are_kept_per_set_of_schools() {
        use crate::spatial::SchoolIndex;
        let (mut region, _) = two_counties();
        for s in &mut region.schools {
            s.county = Some("a".into());
        }
        let ways = [Way {
            coords: vec![Coord { x: 120.0, y: 30.0 }, Coord { x: 120.1, y: 30.0 }],
            node_ids: None,
            tags: Default::default(),
        }];
        let network = Network::build(&ways, Profile::Walk);
        let road = RoadDistances::build(PathBuf::from("roads.geojson"), network, &region, 500.0);
        region.distances = Distances::by_road(Arc::new(road));
        let at = region.zones[1].centroid; // b1, nearer school B
        let nearest = |index: &SchoolIndex| {
            let found = index.nearest(Some("a"), Stage::Primary, at, 1, None);
            found
                .candidates
                .iter()
                .map(|c| c.school)
                .collect::<Vec<_>>()
        };
        let both = SchoolIndex::of(&region);
        assert_eq!(nearest(&both), vec![1]);
        assert_eq!(nearest(&both), vec![1]);
        assert_eq!(nearest(&SchoolIndex::of(&region)), vec![1]);
        let without_b = SchoolIndex::of_with(&region, |s, _| s.id != "B");
        assert_eq!(nearest(&without_b), vec![0]);
        let memo = &road_distances(&region.distances).unwrap().nearest_memo;
        assert_eq!(memo.len(), 2);
    }
}
