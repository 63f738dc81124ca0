//! Schools of one county: where they stand, who runs them, and how many
//! classes they can open against the children around them.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::land::{Cells, Kind, P, dist};
use super::rng::Rng;
use crate::model::{SchoolKind, Sector, Stage};
use crate::policy::Policy;

/// A school being generated, in the county's kilometre frame.
#[derive(Clone, Debug)]
pub struct Draft {
    pub kind: SchoolKind,
    pub sector: Sector,
    /// The zone it stands in, if the county has zones.
    pub host: Option<usize>,
    pub at: P,
    pub classes: [Option<u32>; 2],
    pub enrolled: [u32; 2],
    pub capacity: [Option<u32>; 2],
}

/// What placement needs to know about the zones.
pub struct Zones<'a> {
    pub kinds: &'a [Kind],
    pub population: &'a [f64],
    pub centroids: &'a [P],
    /// Land of each zone, km².
    pub areas: &'a [f64],
    pub cells: &'a Cells,
}

/// How strongly a school of this kind is drawn to people in this kind of
/// place: junior schools sit in towns and the seat, nine-year schools are
/// the countryside's answer to small cohorts.
fn pull(kind: SchoolKind, place: Kind) -> f64 {
    match (kind, place) {
        (SchoolKind::Primary, _) => 1.0,
        (SchoolKind::Junior, Kind::Urban) => 1.0,
        (SchoolKind::Junior, Kind::Town(_)) => 1.4,
        (SchoolKind::Junior, Kind::Village) => 0.5,
        (SchoolKind::NineYear, Kind::Urban) => 0.4,
        (SchoolKind::NineYear, Kind::Town(_)) => 1.3,
        (SchoolKind::NineYear, Kind::Village) => 1.6,
    }
}

/// Places schools of the given kinds, in that order, where people live.
///
/// Every market town first gets its own schools (中心小学, 镇中学) while no
/// more than 40 % of a stage's schools go that way; the others go to zones
/// drawn with probability proportional to population^0.85 x area^0.15, a
/// little less than population, as counties keep small schools in the
/// countryside. A zone is refused while another school of a shared stage
/// stands in it or next to it (two rings for junior stages, which serve
/// wider areas), so schools spread out instead of piling up in the densest
/// blocks. After repeated refusals the spacing rule is dropped, so the
/// requested number of schools is always placed.
pub fn place(rng: &mut Rng, kinds: &[SchoolKind], zones: &Zones, outline: &[P]) -> Vec<Draft> {
    let n = zones.kinds.len();
    let mut hosted = vec![false; n];
    let mut near = [vec![false; n], vec![false; n]];
    let mut drafts = Vec::with_capacity(kinds.len());
    let mut cumulative = vec![0.0; n];
    let mut last_kind = None;
    let mut towns = town_anchors(rng, zones);
    let teaching = Stage::ALL.map(|st| kinds.iter().filter(|k| k.teaches(st)).count());
    let mut anchored = [0usize; 2];
    for &kind in kinds {
        if last_kind != Some(kind) {
            let mut sum = 0.0;
            for (z, c) in cumulative.iter_mut().enumerate() {
                let w = zones.population[z].powf(0.85) * zones.areas[z].max(0.0).powf(0.15);
                sum += w * pull(kind, zones.kinds[z]);
                *c = sum;
            }
            last_kind = Some(kind);
        }
        let stages: Vec<Stage> = Stage::ALL
            .into_iter()
            .filter(|&st| kind.teaches(st))
            .collect();
        let room = stages
            .iter()
            .all(|st| (anchored[st.index()] + 1) * 10 <= teaching[st.index()] * 4);
        let anchor = if room {
            towns.iter_mut().find_map(|t| {
                let zone = if kind.teaches(Stage::Primary) {
                    t.zones[0]
                } else {
                    t.zones[1]
                };
                let open = stages.iter().all(|st| !t.served[st.index()]) && !hosted[zone];
                open.then(|| {
                    for st in &stages {
                        t.served[st.index()] = true;
                    }
                    zone
                })
            })
        } else {
            None
        };
        if anchor.is_some() {
            for st in &stages {
                anchored[st.index()] += 1;
            }
        }
        let host = anchor.or_else(|| pick_host(rng, kind, &cumulative, &hosted, &near, zones));
        let at = match host {
            Some(z) => {
                hosted[z] = true;
                for stage in Stage::ALL {
                    if kind.teaches(stage) {
                        let rings = if stage == Stage::Junior { 2 } else { 1 };
                        mark(&mut near[stage.index()], zones.cells, z, rings);
                    }
                }
                // Inside the (convex) cell, towards one of its corners.
                let cell = zones.cells.cell(z);
                let c = zones.centroids[z];
                if cell.is_empty() {
                    c
                } else {
                    let corner = *rng.pick(cell);
                    let t = rng.range(0.0, 0.4);
                    [c[0] + t * (corner[0] - c[0]), c[1] + t * (corner[1] - c[1])]
                }
            }
            None => random_point(rng, outline),
        };
        drafts.push(Draft {
            kind,
            sector: Sector::Public,
            host,
            at,
            classes: [None, None],
            enrolled: [0, 0],
            capacity: [None, None],
        });
    }
    drafts
}

/// A town's two most populous zones, where its primary and its junior
/// school stand, and which of its stages already have a school.
struct Anchor {
    zones: [usize; 2],
    served: [bool; 2],
}

/// The towns' anchors, largest towns first (they get schools first when
/// schools are too few for every town), ties in random order.
fn town_anchors(rng: &mut Rng, zones: &Zones) -> Vec<Anchor> {
    let mut best: Vec<([usize; 2], f64)> = Vec::new();
    for (z, kind) in zones.kinds.iter().enumerate() {
        let Kind::Town(t) = *kind else { continue };
        let t = t as usize;
        if best.len() <= t {
            best.resize(t + 1, ([usize::MAX; 2], 0.0));
        }
        let ([first, second], total) = &mut best[t];
        *total += zones.population[z];
        let pop = |z: usize| {
            if z == usize::MAX {
                -1.0
            } else {
                zones.population[z]
            }
        };
        if pop(z) > pop(*first) {
            *second = *first;
            *first = z;
        } else if pop(z) > pop(*second) {
            *second = z;
        }
    }
    let mut anchors: Vec<(f64, u64, Anchor)> = best
        .into_iter()
        .filter(|([a, b], _)| *a != usize::MAX && *b != usize::MAX)
        .map(|(zones, total)| {
            (
                total,
                rng.next_u64(),
                Anchor {
                    zones,
                    served: [false; 2],
                },
            )
        })
        .collect();
    anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    anchors.into_iter().map(|(_, _, a)| a).collect()
}

fn pick_host(
    rng: &mut Rng,
    kind: SchoolKind,
    cumulative: &[f64],
    hosted: &[bool],
    near: &[Vec<bool>; 2],
    zones: &Zones,
) -> Option<usize> {
    let n = cumulative.len();
    if n == 0 {
        return None;
    }
    let total = cumulative[n - 1];
    let crowded = |z: usize| {
        Stage::ALL
            .iter()
            .any(|s| kind.teaches(*s) && near[s.index()][z])
    };
    for attempt in 0..120 {
        let z = if total > 0.0 {
            let x = rng.f64() * total;
            cumulative.partition_point(|&c| c <= x).min(n - 1)
        } else {
            rng.below(n)
        };
        let spaced = attempt >= 60 || !crowded(z);
        if !hosted[z] && spaced && (total == 0.0 || zones.population[z] > 0.0) {
            return Some(z);
        }
    }
    // A county with more schools than inhabited zones: any free zone, then
    // any zone at all.
    let start = rng.below(n);
    (0..n)
        .map(|k| (start + k) % n)
        .find(|&z| !hosted[z])
        .or(Some(start))
}

/// Marks zone z and its neighbours up to `rings` steps away.
fn mark(flags: &mut [bool], cells: &Cells, z: usize, rings: usize) {
    flags[z] = true;
    let mut frontier = vec![z];
    for _ in 0..rings {
        let mut next = Vec::new();
        for &f in &frontier {
            for &nb in cells.neighbours(f) {
                let nb = nb as usize;
                if !flags[nb] {
                    flags[nb] = true;
                    next.push(nb);
                }
            }
        }
        frontier = next;
    }
}

fn random_point(rng: &mut Rng, outline: &[P]) -> P {
    let (area, c) = super::land::area_centroid(outline);
    let r = area.max(0.0).sqrt() / 2.0;
    for _ in 0..1000 {
        let p = [c[0] + rng.range(-r, r), c[1] + rng.range(-r, r)];
        if super::land::inside(outline, p, 0.0) {
            return p;
        }
    }
    c
}

/// Turns about `count` schools private (民办), mostly in the county seat,
/// never the last public school of a stage: every child must keep a public
/// school to be assigned to.
pub fn privatise(rng: &mut Rng, drafts: &mut [Draft], kinds: &[Kind], count: usize) {
    let weight = |d: &Draft| match d.host.map(|z| kinds[z]) {
        Some(Kind::Urban) => 4.0,
        Some(Kind::Town(_)) => 1.0,
        Some(Kind::Village) => 0.15,
        None => 1.0,
    };
    let mut cumulative = Vec::with_capacity(drafts.len());
    let mut sum = 0.0;
    for d in drafts.iter() {
        sum += weight(d);
        cumulative.push(sum);
    }
    let mut public = Stage::ALL.map(|st| drafts.iter().filter(|d| d.kind.teaches(st)).count());
    let mut made = 0;
    let mut tries = 0;
    while made < count && tries < 100 * (count + 10) && !drafts.is_empty() {
        tries += 1;
        let x = rng.f64() * sum;
        let s = cumulative
            .partition_point(|&c| c <= x)
            .min(drafts.len() - 1);
        let d = &mut drafts[s];
        let keeps_a_public_school = Stage::ALL
            .iter()
            .all(|st| !d.kind.teaches(*st) || public[st.index()] > 1);
        if d.sector == Sector::Public && keeps_a_public_school {
            d.sector = Sector::Private;
            for st in Stage::ALL {
                if d.kind.teaches(st) {
                    public[st.index()] -= 1;
                }
            }
            made += 1;
        }
    }
}

/// The nearest public school of a stage for every zone centroid.
pub fn nearest(drafts: &[Draft], centroids: &[P], stage: Stage) -> Vec<Option<usize>> {
    let points: Vec<GeomWithData<[f64; 2], usize>> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.sector == Sector::Public && d.kind.teaches(stage))
        .map(|(s, d)| GeomWithData::new(d.at, s))
        .collect();
    if points.is_empty() {
        return vec![None; centroids.len()];
    }
    if points.len() <= 16 {
        return centroids
            .iter()
            .map(|&c| {
                points
                    .iter()
                    .min_by(|a, b| dist(*a.geom(), c).total_cmp(&dist(*b.geom(), c)))
                    .map(|p| p.data)
            })
            .collect();
    }
    let tree = RTree::bulk_load(points);
    centroids
        .iter()
        .map(|c| tree.nearest_neighbor(c).map(|p| p.data))
        .collect()
}

/// Largest entry classes per kind: nine-year schools stop at five tracks so
/// that both parts fit their shared 2,500 limit.
fn most_classes(kind: SchoolKind) -> u32 {
    match kind {
        SchoolKind::NineYear => 5,
        _ => 6,
    }
}
const FEWEST_CLASSES: u32 = 2;

/// Sizes the entry classes of the public schools of one stage against
/// `demand` (children whose nearest school each is).
///
/// Each school first gets classes for its own demand times a factor: below
/// one in the county seat, where schools were built before the estates
/// around them, above one in the countryside, where cohorts shrank. The
/// county is then brought to `ratio` seats per child by adding classes
/// where seats are already spare and removing them where they are spare
/// twice over, so the crowded schools stay crowded: the allocation problem
/// must have capacity that binds.
pub fn size_stage(
    rng: &mut Rng,
    drafts: &mut [Draft],
    demand: &[u32],
    urban: &[bool],
    stage: Stage,
    ratio: f64,
    policy: &Policy,
) {
    let limit = policy.stage(stage).class_limit;
    let members: Vec<usize> = (0..drafts.len())
        .filter(|&s| drafts[s].sector == Sector::Public && drafts[s].kind.teaches(stage))
        .collect();
    if members.is_empty() {
        return;
    }
    let i = stage.index();
    // Some schools publish an intake plan (招生计划) a little under their
    // classes' seats; `cut` is how much under.
    let cut: Vec<u32> = members
        .iter()
        .map(|_| {
            if rng.chance(0.1) {
                rng.range(5.0, limit as f64 / 2.0) as u32
            } else {
                0
            }
        })
        .collect();
    let mut classes: Vec<u32> = members
        .iter()
        .map(|&s| {
            let factor = if urban[s] {
                rng.range(0.65, 1.15)
            } else {
                rng.range(0.9, 1.6)
            };
            let want = (demand[s] as f64 * factor / limit as f64).round() as u32;
            want.clamp(FEWEST_CLASSES, most_classes(drafts[s].kind))
        })
        .collect();
    let seats = |m: usize, c: u32| c * limit - cut[m];
    let total_demand: u32 = members.iter().map(|&s| demand[s]).sum();
    let target = ratio * total_demand as f64;
    let mut total: f64 = (0..members.len())
        .map(|m| seats(m, classes[m]) as f64)
        .sum();
    let mut order: Vec<usize> = (0..members.len()).collect();
    for k in (1..order.len()).rev() {
        order.swap(k, rng.below(k + 1));
    }
    // Grow: schools with seats to spare first, then any that can.
    for spare_only in [true, false] {
        loop {
            let before = total;
            for &m in &order {
                if total >= target {
                    break;
                }
                let s = members[m];
                let spare = seats(m, classes[m]) >= demand[s];
                if classes[m] < most_classes(drafts[s].kind) && (spare || !spare_only) {
                    classes[m] += 1;
                    total += limit as f64;
                }
            }
            if total >= target || total == before {
                break;
            }
        }
    }
    // Shrink: schools that keep spare seats after losing a class first.
    for spare_only in [true, false] {
        loop {
            let before = total;
            for &m in &order {
                if total - (limit as f64) < target {
                    break;
                }
                let s = members[m];
                let still_spare = seats(m, classes[m]).saturating_sub(limit) >= demand[s];
                if classes[m] > FEWEST_CLASSES && (still_spare || !spare_only) {
                    classes[m] -= 1;
                    total -= limit as f64;
                }
            }
            if total - (limit as f64) < target || total == before {
                break;
            }
        }
    }
    for (m, &s) in members.iter().enumerate() {
        drafts[s].classes[i] = Some(classes[m]);
        if cut[m] > 0 {
            drafts[s].capacity[i] = Some(seats(m, classes[m]));
        }
    }
}

/// Entry classes of a private school: it sets its own intake, small.
pub fn size_private(rng: &mut Rng, draft: &mut Draft) {
    for stage in Stage::ALL {
        if draft.kind.teaches(stage) {
            draft.classes[stage.index()] = Some(2 + rng.below(3) as u32);
        }
    }
}

/// Pupils of the other grades who stay next year: five primary grades and
/// two junior grades of about as many classes as the entry grade, nearly
/// full, trimmed so that the whole school with a full intake stays within
/// its limit.
pub fn continuing(rng: &mut Rng, draft: &mut Draft, policy: &Policy) {
    let mut staying = [0u32; 2];
    let mut intake = 0u32;
    for stage in Stage::ALL {
        let Some(classes) = draft.classes[stage.index()] else {
            continue;
        };
        let limit = policy.stage(stage).class_limit;
        let grades = match stage {
            Stage::Primary => 5.0,
            Stage::Junior => 2.0,
        };
        let tracks = (classes as i64 + [-1, 0, 0, 1][rng.below(4)])
            .clamp(FEWEST_CLASSES as i64, most_classes(draft.kind) as i64)
            as f64;
        let size = rng.range(limit as f64 - 5.0, limit as f64);
        staying[stage.index()] = (grades * tracks * size).round() as u32;
        intake += classes * limit;
    }
    let school_limit = match draft.kind {
        SchoolKind::NineYear => policy.nine_year_school_limit,
        _ => policy.school_limit,
    };
    let room = school_limit.saturating_sub(intake);
    let sum = staying[0] + staying[1];
    if sum > room {
        let scale = room as f64 / sum as f64;
        staying = staying.map(|e| (e as f64 * scale).floor() as u32);
    }
    draft.enrolled = staying;
}
