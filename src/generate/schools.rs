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
        (SchoolKind::Junior, Kind::Town(_)) => 1.1,
        (SchoolKind::Junior, Kind::Village) => 0.5,
        (SchoolKind::NineYear, Kind::Urban) => 0.5,
        (SchoolKind::NineYear, Kind::Town(_)) => 1.2,
        (SchoolKind::NineYear, Kind::Village) => 1.6,
    }
}

/// Places schools of the given kinds, `private` of them private (民办),
/// where people live.
///
/// Public schools come first, in the order given. Every market town large
/// enough (see [`ANCHOR_PEOPLE`]) first gets its own schools (中心小学,
/// 镇中学) while no more than 40 % of a stage's schools go that way. The
/// others go to zones drawn with probability proportional to
/// population^0.95 x area^0.05 and a pull by kind of school and place; a
/// drawn zone is refused while another school of a shared stage stands
/// within [`SPACING`] of the typical distance between that stage's schools
/// there. Of [`CHOICES`] zones drawn, the school goes to the one whose
/// nearest school of the stage is most crowded (serves the most people for
/// its kind of place, see [`served_share`]) or farthest (see [`WALK_KM`]):
/// a bureau builds where schools are crowded or missing, so catchments in
/// the county seat serve about as many people each and nobody is left
/// without a school for tens of kilometres. After repeated refusals the
/// spacing rule is dropped, so the requested number of schools is always
/// placed. Private schools then stand where people live, mostly in the
/// county seat; they take no catchment.
pub fn place(
    rng: &mut Rng,
    kinds: &[SchoolKind],
    private: usize,
    zones: &Zones,
    outline: &[P],
) -> Vec<Draft> {
    let n = zones.kinds.len();
    let sectors = choose_sectors(rng, kinds, private);
    let public: Vec<SchoolKind> = (0..kinds.len())
        .filter(|&s| sectors[s] == Sector::Public)
        .map(|s| kinds[s])
        .collect();
    let mut hosted = vec![false; n];
    let mut near = [vec![false; n], vec![false; n]];
    let reach = exclusion(&public, zones);
    let mut seen = vec![0u32; n];
    let mut stamp = 0u32;
    let mut served = [
        Catchments::new(n, kinds.len()),
        Catchments::new(n, kinds.len()),
    ];
    let people: f64 = zones.population.iter().sum();
    let teaching = Stage::ALL.map(|st| public.iter().filter(|k| k.teaches(st)).count());
    let share = Stage::ALL.map(|st| people / teaching[st.index()].max(1) as f64);
    let mut drafts = Vec::with_capacity(kinds.len());
    let mut cumulative = vec![0.0; n];
    let mut last = None;
    let mut towns = town_anchors(rng, zones);
    let mut anchored = [0usize; 2];
    let order = (0..kinds.len())
        .filter(|&s| sectors[s] == Sector::Public)
        .chain((0..kinds.len()).filter(|&s| sectors[s] == Sector::Private));
    for s in order {
        let (kind, sector) = (kinds[s], sectors[s]);
        if last != Some((kind, sector)) {
            let mut sum = 0.0;
            for (z, c) in cumulative.iter_mut().enumerate() {
                let w = weight(zones, z) * pull(kind, zones.kinds[z]);
                sum += match sector {
                    Sector::Public => w,
                    Sector::Private => w * privacy(zones.kinds[z]),
                };
                *c = sum;
            }
            last = Some((kind, sector));
        }
        let stages: Vec<Stage> = Stage::ALL
            .into_iter()
            .filter(|&st| kind.teaches(st))
            .collect();
        let host = if sector == Sector::Private {
            pick_host(rng, &cumulative, &hosted, zones, 1, |_, _| true, |_| 0.0)
        } else {
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
                    let open = stages.iter().all(|st| {
                        !t.served[st.index()] && t.people >= ANCHOR_PEOPLE * share[st.index()]
                    }) && !hosted[zone];
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
            // How crowded the nearest school of each stage is, against
            // what a school here should serve.
            let crowding = |z: usize| {
                stages
                    .iter()
                    .map(|st| {
                        let c = &served[st.index()];
                        c.crowding(z) / share[st.index()] * (1.0 + c.gap[z] / WALK_KM[st.index()])
                    })
                    .fold(0.0, f64::max)
            };
            let spaced = |z: usize, attempt: usize| {
                attempt >= 60 || stages.iter().all(|st| !near[st.index()][z])
            };
            anchor
                .or_else(|| pick_host(rng, &cumulative, &hosted, zones, CHOICES, spaced, crowding))
        };
        let at = match host {
            Some(z) => {
                hosted[z] = true;
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
        if sector == Sector::Public {
            for st in &stages {
                let i = st.index();
                if let Some(z) = host {
                    stamp += 1;
                    mark(&mut near[i], &mut seen, stamp, zones, z, &reach[i]);
                }
                served[i].add(drafts.len(), at, host, zones);
            }
        }
        drafts.push(Draft {
            kind,
            sector,
            host,
            at,
            classes: [None, None],
            enrolled: [0, 0],
            capacity: [None, None],
        });
    }
    drafts
}

/// Share of an average school's people a town needs to get its own
/// school of a stage before any school is drawn: smaller towns' children
/// go to a neighbouring town's or the county seat's school, as after the
/// consolidation of rural schools (撤点并校).
const ANCHOR_PEOPLE: f64 = 0.6;

/// Zones drawn for each public school, of which the one whose nearest
/// schools are most crowded gets it.
const CHOICES: usize = 8;

/// Distance (km) from its school at which a zone counts twice as crowded
/// as it is, per stage: children far from any school need one too.
const WALK_KM: [f64; 2] = [5.0, 8.0];

/// How many of the people an average school of a stage serves a school in
/// this kind of place should serve before the next one is built near it:
/// schools in the countryside are small, as children cannot walk far.
fn served_share(place: Kind) -> f64 {
    match place {
        Kind::Urban => 1.0,
        Kind::Town(_) => 0.8,
        Kind::Village => 0.5,
    }
}

/// How much more likely than elsewhere a private school is in this kind
/// of place, per person: they open mostly in the county seat.
fn privacy(place: Kind) -> f64 {
    match place {
        Kind::Urban => 4.0,
        Kind::Town(_) => 1.0,
        Kind::Village => 0.15,
    }
}

/// Which schools are private: about `count` of them, never the last
/// public school of a stage, as every child must keep a public school to
/// be assigned to.
fn choose_sectors(rng: &mut Rng, kinds: &[SchoolKind], count: usize) -> Vec<Sector> {
    let mut sectors = vec![Sector::Public; kinds.len()];
    let mut public = Stage::ALL.map(|st| kinds.iter().filter(|k| k.teaches(st)).count());
    let (mut made, mut tries) = (0, 0);
    while made < count && tries < 100 * (count + 10) && !kinds.is_empty() {
        tries += 1;
        let s = rng.below(kinds.len());
        let keeps_a_public_school = Stage::ALL
            .iter()
            .all(|st| !kinds[s].teaches(*st) || public[st.index()] > 1);
        if sectors[s] == Sector::Public && keeps_a_public_school {
            sectors[s] = Sector::Private;
            for st in Stage::ALL {
                if kinds[s].teaches(st) {
                    public[st.index()] -= 1;
                }
            }
            made += 1;
        }
    }
    sectors
}

/// The catchments of one stage's public schools while they are placed:
/// each zone's nearest school so far and the people each school serves.
struct Catchments {
    nearest: Vec<u32>,
    gap: Vec<f64>,
    /// People served, by draft.
    load: Vec<f64>,
    /// Share of an average school's people each draft should serve.
    size: Vec<f64>,
    seen: Vec<u32>,
    stamp: u32,
}

impl Catchments {
    fn new(zones: usize, schools: usize) -> Catchments {
        Catchments {
            nearest: vec![u32::MAX; zones],
            gap: vec![f64::INFINITY; zones],
            load: vec![0.0; schools],
            size: vec![1.0; schools],
            seen: vec![0; zones],
            stamp: 0,
        }
    }

    /// People served by the school nearest to zone z over the share it
    /// should serve for its kind of place; infinite while the stage has no
    /// school.
    fn crowding(&self, z: usize) -> f64 {
        match self.nearest[z] {
            u32::MAX => f64::INFINITY,
            s => self.load[s as usize] / self.size[s as usize],
        }
    }

    /// Adds school s at `at`: the zones now nearer to it than to their
    /// school, found by a walk from its host over neighbouring zones (a
    /// catchment is connected), move to it. A school with no host (a
    /// county without zones) serves no one.
    fn add(&mut self, s: usize, at: P, host: Option<usize>, zones: &Zones) {
        let Some(z0) = host else { return };
        self.size[s] = served_share(zones.kinds[z0]);
        self.stamp += 1;
        self.seen[z0] = self.stamp;
        let mut stack = vec![z0];
        while let Some(z) = stack.pop() {
            let d = dist(zones.centroids[z], at);
            if d >= self.gap[z] && z != z0 {
                continue;
            }
            if self.nearest[z] != u32::MAX {
                self.load[self.nearest[z] as usize] -= zones.population[z];
            }
            self.nearest[z] = s as u32;
            self.gap[z] = d;
            self.load[s] += zones.population[z];
            for &nb in zones.cells.neighbours(z) {
                let nb = nb as usize;
                if self.seen[nb] != self.stamp {
                    self.seen[nb] = self.stamp;
                    stack.push(nb);
                }
            }
        }
    }
}

/// How far apart two schools of a stage must stand, as a share of the
/// typical distance between that stage's schools where they stand. Well
/// below the jamming distance of random packing (about 0.83), so the rule
/// rarely has to be dropped.
const SPACING: f64 = 0.45;

/// A zone's pull on schools before the kind of school is known.
fn weight(zones: &Zones, z: usize) -> f64 {
    zones.population[z].powf(0.95) * zones.areas[z].max(0.0).powf(0.05)
}

/// For each stage and zone, how far (km) from a school standing there the
/// next school of the stage must stay: [`SPACING`] times the side of the
/// land each school of the stage serves at that zone's density of schools,
/// which placement sets by the zone's weight and pull.
fn exclusion(kinds: &[SchoolKind], zones: &Zones) -> [Vec<f64>; 2] {
    let n = zones.kinds.len();
    let all = [
        SchoolKind::Primary,
        SchoolKind::Junior,
        SchoolKind::NineYear,
    ];
    let count = all.map(|k| kinds.iter().filter(|&&x| x == k).count() as f64);
    let total = all.map(|k| {
        (0..n)
            .map(|z| weight(zones, z) * pull(k, zones.kinds[z]))
            .sum::<f64>()
    });
    Stage::ALL.map(|st| {
        // Schools of the stage per zone.
        let density: Vec<f64> = (0..n)
            .map(|z| {
                let w = weight(zones, z);
                (0..3)
                    .filter(|&k| all[k].teaches(st) && total[k] > 0.0)
                    .map(|k| count[k] * w * pull(all[k], zones.kinds[z]) / total[k])
                    .sum()
            })
            .collect();
        // Averaged over the zone and its neighbours: one small compound
        // must not push schools kilometres away.
        (0..n)
            .map(|z| {
                let (mut schools, mut land) = (density[z], zones.areas[z].max(0.0));
                for &nb in zones.cells.neighbours(z) {
                    schools += density[nb as usize];
                    land += zones.areas[nb as usize].max(0.0);
                }
                if schools > 0.0 {
                    SPACING * (land / schools).sqrt()
                } else {
                    0.0
                }
            })
            .collect()
    })
}

/// A town's two most populous zones, where its primary and its junior
/// school stand, and which of its stages already have a school.
struct Anchor {
    zones: [usize; 2],
    served: [bool; 2],
    people: f64,
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
                    people: total,
                },
            )
        })
        .collect();
    anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    anchors.into_iter().map(|(_, _, a)| a).collect()
}

/// A zone drawn from the cumulative weights that `accept` takes (given
/// the attempt number, so that it can relax its rules), and is neither
/// hosting a school yet nor empty: of the first `choices` such zones drawn,
/// the one with the highest `score`.
fn pick_host(
    rng: &mut Rng,
    cumulative: &[f64],
    hosted: &[bool],
    zones: &Zones,
    choices: usize,
    mut accept: impl FnMut(usize, usize) -> bool,
    score: impl Fn(usize) -> f64,
) -> Option<usize> {
    let n = cumulative.len();
    if n == 0 {
        return None;
    }
    let total = cumulative[n - 1];
    let mut best: Option<(f64, usize)> = None;
    let mut found = 0;
    for attempt in 0..120 {
        let z = if total > 0.0 {
            let x = rng.f64() * total;
            cumulative.partition_point(|&c| c <= x).min(n - 1)
        } else {
            rng.below(n)
        };
        if !hosted[z] && (total == 0.0 || zones.population[z] > 0.0) && accept(z, attempt) {
            let sc = score(z);
            if best.is_none_or(|(b, _)| sc > b) {
                best = Some((sc, z));
            }
            found += 1;
            if found == choices {
                break;
            }
        }
    }
    if let Some((_, z)) = best {
        return Some(z);
    }
    // A county with more schools than inhabited zones: any free zone, then
    // any zone at all.
    let start = rng.below(n);
    (0..n)
        .map(|k| (start + k) % n)
        .find(|&z| !hosted[z])
        .or(Some(start))
}

/// Marks zone z, its neighbours, and every zone around it whose centroid
/// lies within `reach` of z's, where reach is the smaller of z's and the
/// zone's own: a village school keeps other village schools kilometres
/// away but not the county seat's (a walk over neighbours that stops at
/// the reach; `seen` holds the walk's `stamp`).
fn mark(flags: &mut [bool], seen: &mut [u32], stamp: u32, zones: &Zones, z: usize, reach: &[f64]) {
    let centre = zones.centroids[z];
    flags[z] = true;
    seen[z] = stamp;
    let mut frontier = vec![z];
    let mut first = true;
    while let Some(f) = frontier.pop() {
        for &nb in zones.cells.neighbours(f) {
            let nb = nb as usize;
            let d = dist(zones.centroids[nb], centre);
            if seen[nb] != stamp && (first || d <= reach[z].min(reach[nb])) {
                seen[nb] = stamp;
                flags[nb] = true;
                frontier.push(nb);
            }
        }
        first = false;
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

/// Share of its largest class count a school's own catchment may fill, at
/// one seat per child, for all but [`OUTGROWN`] of the county's people.
const FILL: f64 = 0.8;
const OUTGROWN: f64 = 0.1;

/// Children per inhabitant of a stage at which the public schools'
/// catchments (`served`: people whose nearest school of the stage each
/// draft is) hold no more than [`FILL`] of their largest intake, except for
/// catchments with [`OUTGROWN`] of the people.
pub fn fitting_rate(drafts: &[Draft], served: &[f64], stage: Stage, policy: &Policy) -> f64 {
    let limit = policy.stage(stage).class_limit as f64;
    let mut rates: Vec<(f64, f64)> = (0..drafts.len())
        .filter(|&s| served[s] > 0.0 && drafts[s].kind.teaches(stage))
        .map(|s| {
            (
                FILL * most_classes(drafts[s].kind) as f64 * limit / served[s],
                served[s],
            )
        })
        .collect();
    rates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let people: f64 = rates.iter().map(|r| r.1).sum();
    let mut outgrown = 0.0;
    for (rate, p) in rates {
        outgrown += p;
        if outgrown > OUTGROWN * people {
            return rate;
        }
    }
    f64::INFINITY
}

/// Radius (km) of the neighbourhoods in which sizing keeps seats level
/// with children: the schools within it of each school must seat their
/// catchments' children together, so an oversubscribed school's overflow
/// goes to schools a few kilometres away at most.
const LOCAL_KM: f64 = 2.5;
/// Farthest (km) a school's overflow may go to its nearest neighbour when
/// that is beyond [`LOCAL_KM`], as in the countryside; a school farther
/// from any other seats its whole catchment.
const OVERFLOW_KM: f64 = 8.0;
/// Radius (km) of the discs around each school whose children the
/// schools in the disc must seat, however the catchments run.
const DISC_KM: f64 = 3.0;
/// Seats per child every neighbourhood of schools and catchments gets, at
/// least, where its schools have room for the classes.
const LOCAL_SEATS: f64 = 1.0;
/// Seats per child living in every disc, at least, where its schools have
/// room.
const DISC_SEATS: f64 = 1.0;
/// How far above its floor a neighbourhood stays while the county sheds
/// classes, unless there is no other way to shed them.
const LOCAL_KEEP: f64 = 1.05;

/// What sizing needs to know about the zones and the schools' places.
pub struct Demand<'a> {
    pub kinds: &'a [Kind],
    pub centroids: &'a [P],
    /// Children of the stage in each zone.
    pub children: &'a [u32],
    /// Children of the stage whose nearest public school each draft is.
    pub nearest: &'a [u32],
}

/// Schools that must seat some children together: at least `floor` seats
/// per child.
struct Group {
    schools: Vec<usize>,
    children: f64,
    floor: f64,
}

impl Group {
    /// Seats the group must have.
    fn needs(&self) -> f64 {
        self.floor * self.children
    }
}

/// Share of a stage's public schools that sizing aims to leave
/// oversubscribed (more children in their catchment than seats); sizing
/// is tried again with more or fewer crowded schools outside this band.
const CROWDED: (f64, f64) = (0.27, 0.37);

/// Chance that a school starts out oversubscribed, by place: popular
/// schools in the county seat most often.
fn crowded_chance(place: Option<Kind>) -> f64 {
    match place {
        Some(Kind::Urban) => 0.65,
        Some(Kind::Town(_)) => 0.5,
        Some(Kind::Village) => 0.3,
        None => 0.5,
    }
}

/// Sizes the entry classes of the public schools of one stage from the
/// children they serve locally, and returns the seats per child it gave
/// the county (zero if the stage has no public school).
///
/// Each school first gets classes for its own catchment's children (the
/// zones it is nearest to) times a factor drawn for it: a little under one
/// for the schools that are oversubscribed, as popular and crowded ones
/// are, well over one for the others. Then every neighbourhood that has
/// fewer seats than children gets classes at its schools with spare seats,
/// so shortages stay local and a crowded school's overflow is taken by its
/// neighbours; a neighbourhood is the schools within [`LOCAL_KM`] of a
/// school with their catchments' children, and the schools within
/// [`DISC_KM`] with the children living there. Last, the county is brought
/// to `ratio` seats per child by opening classes where seats are scarcest
/// and closing them where they are most plentiful, but never below
/// [`LOCAL_KEEP`] seats per child in any neighbourhood if it can be helped
/// and preferably at schools that stay uncrowded: capacity must bind for
/// the allocation problem to be worth solving, but only locally. Sizing is
/// repeated (up to three times) until the share of oversubscribed schools
/// is within [`CROWDED`].
pub fn size_stage(
    rng: &mut Rng,
    drafts: &mut [Draft],
    zones: &Demand,
    stage: Stage,
    ratio: f64,
    policy: &Policy,
) -> f64 {
    let Some(sizing) = Sizing::new(drafts, zones, stage, policy) else {
        return 0.0;
    };
    let n = sizing.members.len();
    let saved = rng.clone();
    let mut boost = 1.0;
    let mut best: Option<(f64, Vec<u32>, Vec<u32>)> = None;
    for _ in 0..3 {
        *rng = saved.clone();
        let (classes, cut) = sizing.run(rng, boost, ratio);
        let crowded = (0..n)
            .filter(|&m| sizing.seats(&cut, m, classes[m]) < sizing.demand[m])
            .count() as f64
            / n as f64;
        let miss = (CROWDED.0 - crowded).max(crowded - CROWDED.1).max(0.0);
        if best.as_ref().is_none_or(|b| miss < b.0) {
            best = Some((miss, classes, cut));
        }
        if miss == 0.0 {
            break;
        }
        boost *= (CROWDED.0 + CROWDED.1) / 2.0 / crowded.max(0.05);
    }
    let (_, classes, cut) = best.expect("sized at least once");
    let i = stage.index();
    let (mut seats, mut children) = (0.0, 0.0);
    for (m, &s) in sizing.members.iter().enumerate() {
        let given = sizing.seats(&cut, m, classes[m]);
        seats += given as f64;
        children += sizing.demand[m] as f64;
        drafts[s].classes[i] = Some(classes[m]);
        drafts[s].capacity[i] = (cut[m] > 0).then_some(given);
    }
    seats / children.max(1.0)
}

/// What sizing one stage of a county works with.
struct Sizing {
    /// Seats per class.
    limit: u32,
    /// The stage's public schools (drafts).
    members: Vec<usize>,
    /// Children whose nearest school each member is.
    demand: Vec<u32>,
    place: Vec<Option<Kind>>,
    /// Fewest and most classes per member.
    lo: Vec<u32>,
    hi: Vec<u32>,
    groups: Vec<Group>,
    /// The groups each member is in.
    member_of: Vec<Vec<usize>>,
}

impl Sizing {
    fn new(drafts: &[Draft], zones: &Demand, stage: Stage, policy: &Policy) -> Option<Sizing> {
        let members: Vec<usize> = (0..drafts.len())
            .filter(|&s| drafts[s].sector == Sector::Public && drafts[s].kind.teaches(stage))
            .collect();
        if members.is_empty() {
            return None;
        }
        let n = members.len();
        let place: Vec<Option<Kind>> = members
            .iter()
            .map(|&s| drafts[s].host.map(|z| zones.kinds[z]))
            .collect();
        let demand: Vec<u32> = members.iter().map(|&s| zones.nearest[s]).collect();
        // A village school may keep a single class per grade.
        let lo = place
            .iter()
            .map(|p| match p {
                Some(Kind::Village) => 1,
                _ => FEWEST_CLASSES,
            })
            .collect();
        let hi = members
            .iter()
            .map(|&s| most_classes(drafts[s].kind))
            .collect();

        // Neighbourhoods, two per school: group m is the schools within
        // LOCAL_KM of school m, or up to its nearest neighbour if that is
        // farther (but within OVERFLOW_KM), with their catchments; group
        // n + m the schools and the children within DISC_KM.
        let tree = RTree::bulk_load(
            (0..n)
                .map(|m| GeomWithData::new(drafts[members[m]].at, m))
                .collect::<Vec<_>>(),
        );
        let within = |m: usize, km: f64| {
            let mut near: Vec<usize> = tree
                .locate_within_distance(drafts[members[m]].at, km * km)
                .map(|p| p.data)
                .collect();
            near.sort_unstable();
            near
        };
        let zone_tree = RTree::bulk_load(
            (0..zones.centroids.len())
                .filter(|&z| zones.children[z] > 0)
                .map(|z| GeomWithData::new(zones.centroids[z], z))
                .collect::<Vec<_>>(),
        );
        let mut groups: Vec<Group> = Vec::with_capacity(2 * n);
        for m in 0..n {
            let at = drafts[members[m]].at;
            let neighbour = tree
                .nearest_neighbor_iter(&at)
                .find(|p| p.data != m)
                .map_or(0.0, |p| dist(*p.geom(), at));
            let km = if neighbour <= OVERFLOW_KM {
                LOCAL_KM.max(neighbour * 1.001)
            } else {
                LOCAL_KM
            };
            let schools = within(m, km);
            let children = schools.iter().map(|&t| demand[t] as f64).sum();
            groups.push(Group {
                schools,
                children,
                floor: LOCAL_SEATS,
            });
        }
        for m in 0..n {
            let at = drafts[members[m]].at;
            let children = zone_tree
                .locate_within_distance(at, DISC_KM * DISC_KM)
                .map(|p| zones.children[p.data] as f64)
                .sum();
            groups.push(Group {
                schools: within(m, DISC_KM),
                children,
                floor: DISC_SEATS,
            });
        }
        let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (g, group) in groups.iter().enumerate() {
            for &t in &group.schools {
                member_of[t].push(g);
            }
        }
        Some(Sizing {
            limit: policy.stage(stage).class_limit,
            members,
            demand,
            place,
            lo,
            hi,
            groups,
            member_of,
        })
    }

    /// Seats of member m with c classes and an intake plan `cut` under them.
    fn seats(&self, cut: &[u32], m: usize, c: u32) -> u32 {
        (c * self.limit).saturating_sub(cut[m])
    }

    /// One sizing, with each school's chance of starting crowded times
    /// `boost`: the classes and the intake-plan cut of every member.
    fn run(&self, rng: &mut Rng, boost: f64, ratio: f64) -> (Vec<u32>, Vec<u32>) {
        let n = self.members.len();
        let limit = self.limit;
        let demand = &self.demand;
        // Some schools publish an intake plan (招生计划) a little under
        // their classes' seats; `cut` is how much under.
        let cut: Vec<u32> = (0..n)
            .map(|_| {
                if rng.chance(0.1) {
                    rng.range(5.0, limit as f64 / 2.0) as u32
                } else {
                    0
                }
            })
            .collect();
        let seats = |m: usize, c: u32| self.seats(&cut, m, c);
        let mut classes: Vec<u32> = (0..n)
            .map(|m| {
                let d = demand[m] as f64;
                let crowded = rng.chance((crowded_chance(self.place[m]) * boost).min(0.95));
                let factor = if crowded {
                    rng.range(0.7, 0.95)
                } else {
                    rng.range(1.1, 1.6)
                };
                let fits = ((d + cut[m] as f64) / limit as f64).ceil() as u32;
                let c = (d * factor / limit as f64).round() as u32;
                let c = if crowded {
                    c.min(fits.saturating_sub(1))
                } else {
                    c.max(fits)
                };
                c.clamp(self.lo[m], self.hi[m])
            })
            .collect();
        let mut held: Vec<f64> = self
            .groups
            .iter()
            .map(|g| g.schools.iter().map(|&t| seats(t, classes[t]) as f64).sum())
            .collect();
        let level = |held: &[f64], g: usize| held[g] / self.groups[g].needs().max(1.0);
        // How short of seats the neighbourhoods of school t are.
        let need = |held: &[f64], t: usize| {
            self.member_of[t]
                .iter()
                .map(|&g| level(held, g))
                .fold(f64::INFINITY, f64::min)
        };
        let step = limit as f64;
        // Opens (or closes) one class at school t; the seats it adds.
        let change = |held: &mut [f64], classes: &mut [u32], t: usize, up: bool| {
            let delta = if up { step } else { -step };
            if up {
                classes[t] += 1;
            } else {
                classes[t] -= 1;
            }
            for &g in &self.member_of[t] {
                held[g] += delta;
            }
            delta
        };

        // Local shortages: classes at the neighbours with room, uncrowded
        // first, then where seats are scarcest.
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by(|&a, &b| level(&held, a).total_cmp(&level(&held, b)).then(a.cmp(&b)));
        for &g in &order {
            while held[g] < self.groups[g].needs() {
                let best = self.groups[g]
                    .schools
                    .iter()
                    .copied()
                    .filter(|&t| classes[t] < self.hi[t])
                    .map(|t| (seats(t, classes[t]) < demand[t], need(&held, t), t))
                    .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
                let Some((_, _, t)) = best else { break };
                change(&mut held, &mut classes, t, true);
            }
        }

        // The county's seats per child: classes where seats are scarcest,
        // or off where they are most plentiful.
        let target = ratio * demand.iter().map(|&d| d as f64).sum::<f64>();
        let mut total = (0..n).map(|m| seats(m, classes[m]) as f64).sum::<f64>();
        for spare_only in [true, false] {
            while total < target {
                let mut keyed: Vec<(f64, usize)> = (0..n).map(|t| (need(&held, t), t)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let before = total;
                for &(_, t) in &keyed {
                    if total >= target {
                        break;
                    }
                    let spare = seats(t, classes[t]) >= demand[t];
                    if classes[t] < self.hi[t] && (spare || !spare_only) {
                        total += change(&mut held, &mut classes, t, true);
                    }
                }
                if total == before {
                    break;
                }
            }
        }
        for (spare_only, keep) in [(true, LOCAL_KEEP), (false, LOCAL_KEEP), (false, 1.0)] {
            while total - step >= target {
                let mut keyed: Vec<(f64, usize)> = (0..n).map(|t| (need(&held, t), t)).collect();
                keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let before = total;
                for &(_, t) in &keyed {
                    if total - step < target {
                        break;
                    }
                    let still_spare = seats(t, classes[t] - 1) >= demand[t];
                    let keeps = self.member_of[t]
                        .iter()
                        .all(|&g| held[g] - step >= keep * self.groups[g].needs());
                    if classes[t] > self.lo[t] && keeps && (still_spare || !spare_only) {
                        total += change(&mut held, &mut classes, t, false);
                    }
                }
                if total == before {
                    break;
                }
            }
        }
        (classes, cut)
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
/// two junior grades of about as many classes as the entry grade, trimmed
/// so that the whole school with a full intake stays within its limit.
/// Classes are nearly full where this year's catchment (`children` of each
/// stage) fills the entry classes, as it did in past years, and as small
/// as it is where it does not: a village school's classes are small. A
/// private school fills its classes.
pub fn continuing(rng: &mut Rng, draft: &mut Draft, children: [u32; 2], policy: &Policy) {
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
        let tracks = (classes as i64 + [-1, 0, 0, 1][rng.below(4)]).clamp(
            FEWEST_CLASSES.min(classes) as i64,
            most_classes(draft.kind) as i64,
        ) as f64;
        let full = rng.range(limit as f64 - 5.0, limit as f64);
        let size = match draft.sector {
            Sector::Private => full,
            Sector::Public => {
                let per_class = children[stage.index()] as f64 / classes.max(1) as f64;
                full.min((per_class * rng.range(0.85, 1.1)).max(8.0))
            }
        };
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
