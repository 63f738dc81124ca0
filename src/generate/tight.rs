//! Tight counties: the hard case for connected catchments.
//!
//! Point zones (villages known only by an address), few of them per school
//! and each a large share of a school's intake, and public seats only 1-5 %
//! above the children: the shape of the public capacitated p-median
//! benchmarks on which catchments are hardest to keep in one piece, because
//! a whole zone rarely fits in the few seats a neighbour has left. Primary
//! schools only, one county; every school stands beside one zone (its own
//! zone), and its seats follow the children nearest to it, more or less.

use geo::Point;
use serde_json::Map;

use super::land::{Frame, P};
use super::names::{self, Namer, Place, Teaches};
use super::rng::Rng;
use crate::model::{Cohort, Region, School, SchoolKind, Sector, Shape, Zone};

/// What to generate.
#[derive(Clone, Debug)]
pub struct TightParams {
    pub seed: u64,
    pub zones: usize,
    /// Public primary schools.
    pub schools: usize,
}

const TIGHT_STREAM: u64 = 3;
/// Where the county lies (east-central China).
const CENTRE: P = [117.3, 31.8];
/// Km² of county per zone: villages a little over a kilometre apart.
const KM2_PER_ZONE: f64 = 1.6;
/// Seats per child of the whole county, drawn between these.
const SLACK: (f64, f64) = (1.01, 1.05);
/// Entry-grade children of a typical school (eight classes), and the
/// spread of a zone's children's logarithm: a heavy tail of large villages
/// and compounds.
const TYPICAL_INTAKE: f64 = 360.0;
const SPREAD: f64 = 0.9;
const CLASS_LIMIT: u32 = 45;

/// Generates a tight county deterministically from its parameters.
pub fn generate_tight(params: &TightParams) -> Region {
    let mut rng = Rng::new(params.seed, TIGHT_STREAM, 0);
    let n = params.zones.max(1);
    let side = (n as f64 * KM2_PER_ZONE).sqrt();
    let county = names::county_names(params.seed, 1).remove(0);
    let mut namer = Namer::new();
    let points = zone_points(&mut rng, n, side);
    // The mean of exp(SPREAD x N(0, 1)) is exp(SPREAD² / 2).
    let typical =
        TYPICAL_INTAKE * params.schools.max(1) as f64 / n as f64 / (SPREAD * SPREAD / 2.0).exp();
    let children: Vec<u32> = (0..n)
        .map(|_| {
            let c = typical * (SPREAD * rng.normal()).exp();
            rng.round(c.clamp(1.0, 12.0 * typical))
        })
        .collect();
    let hosts = spread_hosts(&mut rng, &points, params.schools.min(n));
    let seats = seats(&mut rng, &points, &children, &hosts);
    let frame = Frame::new(CENTRE);
    let zone_names: Vec<String> = (0..n).map(|_| namer.village(&mut rng, false)).collect();
    let width = n.to_string().len().max(6);
    let zones = (0..n)
        .map(|z| {
            let [x, y] = frame.degrees(points[z]);
            let at = Point::new(x, y);
            let share = rng.range(0.0, 0.1);
            let migrant = rng.round(children[z] as f64 * share);
            Zone {
                id: format!("Z{:0width$}", z + 1),
                name: zone_names[z].clone(),
                shape: Shape::Point(at),
                centroid: at,
                children: [
                    Cohort {
                        local: children[z] - migrant,
                        migrant,
                    },
                    Cohort::default(),
                ],
                current: [None, None],
                special: [0, 0],
                county: Some(county.clone()),
                properties: Map::new(),
            }
        })
        .collect();
    let school_width = hosts.len().to_string().len().max(3);
    let schools = hosts
        .iter()
        .zip(&seats)
        .enumerate()
        .map(|(k, (&z, &cap))| {
            // Beside the zone, a hundred metres at most.
            let at = [
                points[z][0] + rng.range(-0.07, 0.07),
                points[z][1] + rng.range(-0.07, 0.07),
            ];
            let [x, y] = frame.degrees(at);
            let name =
                names::public_school(&county, Teaches::Primary, Place::Village(&zone_names[z]));
            // Five older grades about as large as this one, within the
            // school limit.
            let enrolled = (5 * cap).min(2000_u32.saturating_sub(cap));
            School {
                id: format!("P{:0school_width$}", k + 1),
                name: namer.school(name, &zone_names[z]),
                location: Point::new(x, y),
                kind: SchoolKind::Primary,
                sector: Sector::Public,
                county: Some(county.clone()),
                classes: [Some(cap.div_ceil(CLASS_LIMIT)), None],
                enrolled: [enrolled, 0],
                capacity: [Some(cap), None],
                properties: Map::new(),
            }
        })
        .collect();
    Region {
        zones,
        schools,
        ..Region::default()
    }
}

/// Zone points in km: two thirds around a few centres (towns and their
/// villages), the rest spread evenly.
fn zone_points(rng: &mut Rng, n: usize, side: f64) -> Vec<P> {
    let centres: Vec<P> = (0..(n / 60).max(1))
        .map(|_| [rng.range(0.0, side), rng.range(0.0, side)])
        .collect();
    (0..n)
        .map(|_| {
            if rng.chance(2.0 / 3.0) {
                let c = *rng.pick(&centres);
                let r = side / 8.0;
                [
                    (c[0] + r * rng.normal()).clamp(0.0, side),
                    (c[1] + r * rng.normal()).clamp(0.0, side),
                ]
            } else {
                [rng.range(0.0, side), rng.range(0.0, side)]
            }
        })
        .collect()
}

fn dist2(a: P, b: P) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The zones schools stand beside, spread like k-means++ seeds: each next
/// one drawn with chance growing with the squared distance to the nearest
/// school so far.
fn spread_hosts(rng: &mut Rng, points: &[P], k: usize) -> Vec<usize> {
    if k == 0 {
        return Vec::new();
    }
    let mut hosts = vec![rng.below(points.len())];
    let mut near: Vec<f64> = points.iter().map(|&p| dist2(p, points[hosts[0]])).collect();
    while hosts.len() < k {
        let total: f64 = near.iter().sum();
        let mut x = rng.range(0.0, total);
        let next = near
            .iter()
            .position(|&d| {
                x -= d;
                x <= 0.0 && d > 0.0
            })
            .or_else(|| near.iter().position(|&d| d > 0.0))
            .unwrap_or(0);
        if hosts.contains(&next) {
            break;
        }
        hosts.push(next);
        for (d, &p) in near.iter_mut().zip(points) {
            *d = d.min(dist2(p, points[next]));
        }
    }
    hosts
}

/// Seats of each school: the children nearest to it, some schools a little
/// short and some with room, scaled so that the county has 1-5 % more seats
/// than children (exactly, after rounding).
fn seats(rng: &mut Rng, points: &[P], children: &[u32], hosts: &[usize]) -> Vec<u32> {
    if hosts.is_empty() {
        return Vec::new();
    }
    let mut nearest = vec![0.0; hosts.len()];
    for (z, &p) in points.iter().enumerate() {
        let s = (0..hosts.len())
            .min_by(|&a, &b| dist2(p, points[hosts[a]]).total_cmp(&dist2(p, points[hosts[b]])))
            .expect("some school");
        nearest[s] += children[z] as f64;
    }
    let wish: Vec<f64> = nearest
        .iter()
        .map(|&c| (c * rng.range(0.85, 1.2)).max(CLASS_LIMIT as f64))
        .collect();
    let demand: u64 = children.iter().map(|&c| c as u64).sum();
    let target = (demand as f64 * rng.range(SLACK.0, SLACK.1)).round();
    let scale = target / wish.iter().sum::<f64>();
    let mut seats: Vec<u32> = wish.iter().map(|w| (w * scale).round() as u32).collect();
    // The rounding's remainder goes to (or comes from) the largest school.
    let sum: i64 = seats.iter().map(|&s| s as i64).sum();
    let largest = (0..seats.len())
        .max_by_key(|&s| (seats[s], std::cmp::Reverse(s)))
        .expect("some school");
    seats[largest] = (seats[largest] as i64 + target as i64 - sum).max(1) as u32;
    seats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: u64, zones: usize, schools: usize) -> TightParams {
        TightParams {
            seed,
            zones,
            schools,
        }
    }

    #[test]
    fn seats_are_one_to_five_percent_above_the_children() {
        for (seed, zones, schools) in [(1, 300, 40), (2, 1300, 41), (3, 500, 13)] {
            let region = generate_tight(&params(seed, zones, schools));
            assert_eq!(region.zones.len(), zones);
            assert_eq!(region.schools.len(), schools);
            let children: u32 = region.zones.iter().map(|z| z.children[0].total()).sum();
            let seats: u32 = region.schools.iter().map(|s| s.capacity[0].unwrap()).sum();
            let ratio = seats as f64 / children as f64;
            assert!((1.009..=1.051).contains(&ratio), "{ratio}");
            for s in &region.schools {
                let cap = s.capacity[0].unwrap();
                assert!(s.classes[0].unwrap() * CLASS_LIMIT >= cap);
                assert!(s.enrolled[0] + cap <= 2000, "{} {cap}", s.id);
            }
            assert!(
                region
                    .zones
                    .iter()
                    .all(|z| matches!(z.shape, Shape::Point(_)))
            );
        }
    }

    #[test]
    fn zones_are_a_large_share_of_a_school() {
        let region = generate_tight(&params(4, 300, 40));
        let largest = region
            .zones
            .iter()
            .map(|z| z.children[0].total())
            .max()
            .unwrap();
        let mean_seats = region
            .schools
            .iter()
            .map(|s| s.capacity[0].unwrap())
            .sum::<u32>()
            / region.schools.len() as u32;
        assert!(largest * 2 > mean_seats, "{largest} vs {mean_seats}");
    }
}
