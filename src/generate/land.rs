//! The land: where counties lie, where people settle inside one, and the
//! zones as Voronoi cells that tile the county exactly.
//!
//! Counties are the Voronoi cells of a jittered lattice defined for every
//! lattice point (not only the counties asked for), so that each county's
//! outline is computed on its own, in parallel, and neighbours still share
//! their border. Inside a county all work is in a local plane in kilometres,
//! which is an affine image of lon/lat: straight lines, convexity, areas
//! ratios and centroids carry over to degrees unchanged.

use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use super::rng::Rng;

/// A position: lon/lat degrees or local kilometres, depending on the context.
pub type P = [f64; 2];

/// Stream tag of the lattice jitter.
const LAYOUT_STREAM: u64 = 0x4C41_594F_5554;
/// Largest jitter of a county's lattice point, in lattice steps: large
/// enough for irregular outlines, small enough that the 5 x 5 neighbourhood
/// decides every cell.
const COUNTY_JITTER: f64 = 0.3;

/// Kilometres per degree of longitude and of latitude at a latitude
/// (WGS84 series), so that county sizes and walking distances are true.
pub fn km_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let lon = 111.412_84 * phi.cos() - 0.093_5 * (3.0 * phi).cos() + 0.000_118 * (5.0 * phi).cos();
    let lat = 111.132_954 - 0.559_822 * (2.0 * phi).cos() + 0.001_175 * (4.0 * phi).cos();
    (lon, lat)
}

/// Where the counties of a region lie.
#[derive(Clone, Debug)]
pub struct Layout {
    seed: u64,
    cols: usize,
    /// Lon/lat of lattice point (0, 0).
    origin: P,
    /// One lattice step in degrees (lon, lat).
    step: P,
}

impl Layout {
    /// Lays `counties` counties of about `county_km2` each on a near-square
    /// lattice centred in east-central China (Anhui), moving west as the
    /// region grows so that it stays on land rather than in the East China
    /// Sea.
    pub fn new(seed: u64, counties: usize, county_km2: f64) -> Layout {
        let counties = counties.max(1);
        let cols = (counties as f64).sqrt().ceil() as usize;
        let rows = counties.div_ceil(cols);
        let lat_c = 31.5;
        let (kx, ky) = km_per_degree(lat_c);
        let side = county_km2.max(1.0).sqrt();
        let step = [side / kx, side / ky];
        let half_width = cols as f64 * step[0] / 2.0;
        let lon_c = (121.0 - half_width).min(117.8);
        let origin = [
            lon_c - (cols as f64 - 1.0) * step[0] / 2.0,
            lat_c - (rows as f64 - 1.0) * step[1] / 2.0,
        ];
        Layout {
            seed,
            cols,
            origin,
            step,
        }
    }

    /// The jittered lattice point (i, j), in lattice units.
    fn site(&self, i: i64, j: i64) -> P {
        let key = ((i as u64) << 32) ^ (j as u64 & 0xFFFF_FFFF);
        let mut rng = Rng::new(self.seed, LAYOUT_STREAM, key);
        [
            i as f64 + rng.range(-COUNTY_JITTER, COUNTY_JITTER),
            j as f64 + rng.range(-COUNTY_JITTER, COUNTY_JITTER),
        ]
    }

    /// The outline of county `k` (row-major on the lattice), counter-clockwise
    /// in lon/lat degrees.
    pub fn outline(&self, k: usize) -> Vec<P> {
        let (i, j) = ((k % self.cols) as i64, (k / self.cols) as i64);
        let p = self.site(i, j);
        let mut cell = vec![
            [p[0] - 1.5, p[1] - 1.5],
            [p[0] + 1.5, p[1] - 1.5],
            [p[0] + 1.5, p[1] + 1.5],
            [p[0] - 1.5, p[1] + 1.5],
        ];
        for dj in -2..=2 {
            for di in -2..=2 {
                if di == 0 && dj == 0 {
                    continue;
                }
                let q = self.site(i + di, j + dj);
                // Keep the side of the bisector nearer to p: a left-of test
                // against the bisector directed so that p lies on its left.
                let m = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
                let d = [q[0] - p[0], q[1] - p[1]];
                let a = m;
                let b = [m[0] - d[1], m[1] + d[0]];
                cell = clip_half_plane(&cell, a, b);
            }
        }
        cell.iter()
            .map(|c| {
                [
                    self.origin[0] + c[0] * self.step[0],
                    self.origin[1] + c[1] * self.step[1],
                ]
            })
            .collect()
    }
}

/// The affine map between a county's lon/lat and its local kilometres.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    center: P,
    km: P,
}

impl Frame {
    pub fn new(center: P) -> Frame {
        let (kx, ky) = km_per_degree(center[1]);
        Frame {
            center,
            km: [kx, ky],
        }
    }

    pub fn km(self, p: P) -> P {
        [
            (p[0] - self.center[0]) * self.km[0],
            (p[1] - self.center[1]) * self.km[1],
        ]
    }

    pub fn degrees(self, p: P) -> P {
        [
            self.center[0] + p[0] / self.km[0],
            self.center[1] + p[1] / self.km[1],
        ]
    }
}

/// Signed area (positive when counter-clockwise) and area centroid of a ring
/// given without its closing point.
pub fn area_centroid(ring: &[P]) -> (f64, P) {
    let n = ring.len();
    if n < 3 {
        return (0.0, ring.first().copied().unwrap_or([0.0, 0.0]));
    }
    // Relative to the first corner, so that far-from-origin rings lose no
    // precision.
    let o = ring[0];
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for k in 1..n - 1 {
        let p = [ring[k][0] - o[0], ring[k][1] - o[1]];
        let q = [ring[k + 1][0] - o[0], ring[k + 1][1] - o[1]];
        let cross = p[0] * q[1] - q[0] * p[1];
        a += cross;
        cx += (p[0] + q[0]) * cross;
        cy += (p[1] + q[1]) * cross;
    }
    if a == 0.0 {
        return (0.0, o);
    }
    (a / 2.0, [o[0] + cx / (3.0 * a), o[1] + cy / (3.0 * a)])
}

/// Which side of line a->b the point is on: positive to the left.
fn side(a: P, b: P, p: P) -> f64 {
    (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
}

/// Where segment p-q crosses line a->b. The endpoints are put in a fixed
/// order first, so that the two cells sharing a Voronoi edge compute the
/// very same point where it crosses the county border.
fn crossing(a: P, b: P, p: P, q: P) -> P {
    let (p, q) = if (p[0], p[1]) <= (q[0], q[1]) {
        (p, q)
    } else {
        (q, p)
    };
    let (sp, sq) = (side(a, b, p), side(a, b, q));
    let t = sp / (sp - sq);
    [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]
}

/// Sutherland-Hodgman against one half-plane: keeps the part left of a->b.
fn clip_half_plane(poly: &[P], a: P, b: P) -> Vec<P> {
    let mut out = Vec::with_capacity(poly.len() + 2);
    for k in 0..poly.len() {
        let p = poly[k];
        let q = poly[(k + 1) % poly.len()];
        let (sp, sq) = (side(a, b, p), side(a, b, q));
        if sp >= 0.0 {
            out.push(p);
        }
        if (sp >= 0.0) != (sq >= 0.0) && sp != sq {
            out.push(crossing(a, b, p, q));
        }
    }
    out
}

/// Clips a convex polygon to a convex counter-clockwise outline.
fn clip_convex(poly: Vec<P>, outline: &[P]) -> Vec<P> {
    let inside = |p: P| {
        (0..outline.len()).all(|k| side(outline[k], outline[(k + 1) % outline.len()], p) >= 0.0)
    };
    if poly.iter().all(|&p| inside(p)) {
        return poly;
    }
    let mut poly = poly;
    for k in 0..outline.len() {
        poly = clip_half_plane(&poly, outline[k], outline[(k + 1) % outline.len()]);
        if poly.is_empty() {
            break;
        }
    }
    poly
}

/// Whether p lies inside a convex counter-clockwise outline, at least
/// `margin` from every edge.
pub fn inside(outline: &[P], p: P, margin: f64) -> bool {
    (0..outline.len()).all(|k| {
        let (a, b) = (outline[k], outline[(k + 1) % outline.len()]);
        let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        side(a, b, p) >= margin * len
    })
}

/// What kind of settlement a zone belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The county seat's built-up core (城区): compounds.
    Urban,
    /// A market town (镇) with its index in the county.
    Town(u16),
    /// The countryside: villages and their fields.
    Village,
}

/// A settlement: a disc-like blob filled with zone sites.
#[derive(Clone, Debug)]
pub struct Settlement {
    pub center: P,
    /// Radius of the equal-area disc, km.
    pub radius: f64,
    /// Radial shape harmonics (amplitude, phase) for 2 and 3 lobes.
    shape: [(f64, f64); 2],
    pub sites: usize,
}

impl Settlement {
    fn new(rng: &mut Rng, center: P, sites: usize, cell_km2: f64, wobble: f64) -> Settlement {
        let radius = (sites as f64 * cell_km2 / std::f64::consts::PI).sqrt();
        Settlement {
            center,
            radius,
            shape: [
                (
                    rng.range(0.4, 1.0) * wobble,
                    rng.range(0.0, std::f64::consts::TAU),
                ),
                (
                    rng.range(0.0, 0.6) * wobble,
                    rng.range(0.0, std::f64::consts::TAU),
                ),
            ],
            sites,
        }
    }

    /// Radius factor towards angle theta, normalised so that the blob keeps
    /// the disc's area.
    fn reach(&self, theta: f64) -> f64 {
        let [(a2, p2), (a3, p3)] = self.shape;
        let norm = (1.0 + (a2 * a2 + a3 * a3) / 2.0).sqrt();
        (1.0 + a2 * (2.0 * theta + p2).sin() + a3 * (3.0 * theta + p3).sin()) / norm
    }

    /// Whether p lies within `margin` of the blob, in the blob's own shape:
    /// villages start right where the built-up edge is, not at a circle
    /// around its farthest lobe.
    pub fn covers(&self, p: P, margin: f64) -> bool {
        let (dx, dy) = (p[0] - self.center[0], p[1] - self.center[1]);
        (dx * dx + dy * dy).sqrt() < self.radius * self.reach(dy.atan2(dx)) + margin
    }

    /// The farthest the blob reaches from its centre, km.
    pub fn extent(&self) -> f64 {
        let [(a2, _), (a3, _)] = self.shape;
        self.radius * (1.0 + a2 + a3) / (1.0 + (a2 * a2 + a3 * a3) / 2.0).sqrt()
    }

    /// Sites on a sunflower (Vogel) spiral: exactly `sites` points, evenly
    /// spread, slightly denser towards the old centre, jittered so that the
    /// cells look like compounds rather than a pattern.
    fn fill(&self, rng: &mut Rng, outline: &[P], out: &mut Vec<P>) {
        const GOLDEN: f64 = 2.399_963_229_728_653;
        let n = self.sites as f64;
        let spacing = (std::f64::consts::PI * self.radius * self.radius / n.max(1.0)).sqrt();
        let turn = rng.range(0.0, std::f64::consts::TAU);
        for k in 0..self.sites {
            let t = (k as f64 + 0.5) / n;
            let theta = turn + k as f64 * GOLDEN;
            let rho = self.radius * t.powf(0.6) * self.reach(theta);
            let mut p = [
                self.center[0] + rho * theta.cos() + rng.range(-0.3, 0.3) * spacing,
                self.center[1] + rho * theta.sin() + rng.range(-0.3, 0.3) * spacing,
            ];
            // A blob reaching past the county border is pulled back inside.
            let mut pull = 0;
            while !inside(outline, p, 1e-3) && pull < 40 {
                p = [
                    (p[0] + self.center[0]) / 2.0 + rng.range(-1e-3, 1e-3),
                    (p[1] + self.center[1]) / 2.0 + rng.range(-1e-3, 1e-3),
                ];
                pull += 1;
            }
            out.push(p);
        }
    }
}

/// Mean land per zone of each kind, km²: compounds about 210 m across,
/// town blocks about 420 m, villages with their fields about 1.35 km.
pub const URBAN_KM2: f64 = 0.045;
pub const TOWN_KM2: f64 = 0.18;
pub const VILLAGE_KM2: f64 = 1.8;

/// How many zones of each kind a county of `zones` zones has, given how many
/// zones share a school: counties with many zones per school are rural ones
/// cut into natural villages.
pub fn zone_mix(zones: usize, zones_per_school: f64) -> (usize, usize, usize) {
    let rural = ((zones_per_school - 15.0) / 25.0).clamp(0.0, 1.0);
    let share = 0.35 + 0.2 * rural;
    let villages = ((zones as f64 * share).round() as usize).min(1500 + zones / 20);
    let rest = zones - villages;
    let (urban, towns) = if zones < 40 {
        (rest, 0)
    } else {
        let urban = (rest as f64 * 0.62).round() as usize;
        (urban, rest - urban)
    };
    (urban, towns, villages)
}

/// The land a county of this mix needs, km².
pub fn design_area(mix: (usize, usize, usize)) -> f64 {
    mix.0 as f64 * URBAN_KM2 + mix.1 as f64 * TOWN_KM2 + mix.2 as f64 * VILLAGE_KM2
}

/// The zone sites of a county and their kinds, plus its settlements.
pub struct Sites {
    pub points: Vec<P>,
    pub kinds: Vec<Kind>,
    /// The county seat's built-up core, if the county has one.
    pub seat: Option<Settlement>,
    pub towns: Vec<Settlement>,
}

/// Places the sites of one county inside its (km) outline: the county seat
/// near the middle, towns spread around it, villages over the rest.
pub fn place_sites(rng: &mut Rng, outline: &[P], mix: (usize, usize, usize)) -> Sites {
    let (n_urban, n_town, n_village) = mix;
    let (area, centre) = area_centroid(outline);
    let scale = area.sqrt();
    let mut points = Vec::with_capacity(n_urban + n_town + n_village);
    let mut kinds = Vec::with_capacity(points.capacity());

    let mut seat_centre = [
        centre[0] + rng.range(-0.08, 0.08) * scale,
        centre[1] + rng.range(-0.08, 0.08) * scale,
    ];
    if !inside(outline, seat_centre, 0.0) {
        seat_centre = centre;
    }
    let seat = Settlement::new(rng, seat_centre, n_urban, URBAN_KM2, 0.25);
    if n_urban > 0 {
        seat.fill(rng, outline, &mut points);
        kinds.resize(points.len(), Kind::Urban);
    }

    // Towns: a few dozen blocks each, sizes varying, kept apart from the
    // seat and from each other by open country.
    let mut towns: Vec<Settlement> = Vec::new();
    if n_town > 0 {
        let count = ((n_town as f64 / 45.0).round() as usize)
            .clamp(1, 30)
            .min(n_town);
        let weights: Vec<f64> = (0..count).map(|_| rng.range(0.5, 1.6)).collect();
        let sizes = split(n_town, &weights);
        let (lo, hi) = bbox(outline);
        for (t, &size) in sizes.iter().enumerate() {
            let probe = Settlement::new(rng, [0.0, 0.0], size, TOWN_KM2, 0.15);
            let reach = probe.extent();
            let mut slack = 1.0;
            let mut attempts = 0;
            let at = loop {
                let p = [rng.range(lo[0], hi[0]), rng.range(lo[1], hi[1])];
                attempts += 1;
                if attempts % 60 == 0 {
                    slack *= 0.7;
                }
                if !inside(outline, p, 0.0) {
                    continue;
                }
                if attempts > 600 {
                    break p;
                }
                let gap = 2.5 * slack;
                let clear = inside(outline, p, (1.1 * reach + 0.8) * slack)
                    && dist(p, seat.center) >= seat.extent() + reach + gap
                    && towns
                        .iter()
                        .all(|o| dist(p, o.center) >= o.extent() + reach + gap);
                if clear {
                    break p;
                }
            };
            let mut town = probe;
            town.center = at;
            town.fill(rng, outline, &mut points);
            kinds.resize(points.len(), Kind::Town(t as u16));
            towns.push(town);
        }
    }

    // Villages: a rotated, jittered lattice over what the settlements leave.
    if n_village > 0 {
        let mut keep_out: Vec<&Settlement> = towns.iter().collect();
        if n_urban > 0 {
            keep_out.push(&seat);
        }
        let built: f64 = keep_out
            .iter()
            .map(|s| std::f64::consts::PI * s.radius * s.radius)
            .sum();
        let free = (area - 1.2 * built).max(0.15 * area);
        let mut h = (free / n_village as f64).sqrt();
        let angle = rng.range(0.0, std::f64::consts::FRAC_PI_2);
        let (sin, cos) = angle.sin_cos();
        let offset = [rng.f64(), rng.f64()];
        let reach = outline.iter().map(|&p| dist(p, centre)).fold(0.0, f64::max);
        let mut villages = Vec::new();
        for _ in 0..5 {
            villages.clear();
            let m = (reach / h).ceil() as i64 + 1;
            for j in -m..=m {
                for i in -m..=m {
                    let u = (i as f64 + offset[0] + rng.range(-0.35, 0.35)) * h;
                    let v = (j as f64 + offset[1] + rng.range(-0.35, 0.35)) * h;
                    let p = [centre[0] + u * cos - v * sin, centre[1] + u * sin + v * cos];
                    if inside(outline, p, 1e-3) && !keep_out.iter().any(|s| s.covers(p, 0.3 * h)) {
                        villages.push(p);
                    }
                }
            }
            let ratio = villages.len() as f64 / n_village as f64;
            if (ratio - 1.0).abs() <= 0.08 || villages.is_empty() && h < 1e-3 {
                break;
            }
            h *= ratio.max(0.05).sqrt().min(3.0);
        }
        while villages.len() > n_village {
            let k = rng.below(villages.len());
            villages.swap_remove(k);
        }
        let (lo, hi) = bbox(outline);
        let mut tries = 0usize;
        while villages.len() < n_village {
            let p = [rng.range(lo[0], hi[0]), rng.range(lo[1], hi[1])];
            tries += 1;
            let open = tries > 50 * n_village || !keep_out.iter().any(|s| s.covers(p, 0.2 * h));
            if inside(outline, p, 1e-3) && open {
                villages.push(p);
            }
        }
        points.extend_from_slice(&villages);
        kinds.resize(points.len(), Kind::Village);
    }
    Sites {
        points,
        kinds,
        seat: (n_urban > 0).then_some(seat),
        towns,
    }
}

/// Splits `total` into parts proportional to the weights (largest remainder).
pub fn split(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| total as f64 * w / sum.max(f64::MIN_POSITIVE))
        .collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut left = total - parts.iter().sum::<usize>().min(total);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &k in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[k] += 1;
        left -= 1;
    }
    parts
}

pub fn dist(a: P, b: P) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

fn bbox(points: &[P]) -> (P, P) {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in points {
        for d in 0..2 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    (lo, hi)
}

/// A triangulation vertex that remembers which site it is.
struct Vertex {
    at: Point2<f64>,
    site: u32,
}

impl HasPosition for Vertex {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.at
    }
}

/// The zones of a county: one convex cell per site, stored flat.
pub struct Cells {
    /// Corners of all cells, counter-clockwise, without closing points.
    pub corners: Vec<P>,
    /// Cell k's corners are `corners[start[k]..start[k + 1]]`.
    pub start: Vec<usize>,
    /// Delaunay neighbours of site k: `neighbours[nstart[k]..nstart[k + 1]]`.
    pub neighbours: Vec<u32>,
    pub nstart: Vec<usize>,
}

impl Cells {
    pub fn cell(&self, k: usize) -> &[P] {
        &self.corners[self.start[k]..self.start[k + 1]]
    }

    pub fn neighbours(&self, k: usize) -> &[u32] {
        &self.neighbours[self.nstart[k]..self.nstart[k + 1]]
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }
}

/// The Voronoi cells of `sites`, clipped to the convex outline they lie in.
///
/// Eight far ghost points bound every real cell; they sit more than the
/// outline's diameter away from it, so no point of the county is nearer to a
/// ghost than to some site and the clipped real cells cover the county with
/// neither gap nor overlap. Sites that coincide (never in practice, but a
/// tiling must not silently lose a zone) are nudged apart.
pub fn voronoi(sites: &mut [P], outline: &[P]) -> Cells {
    let n = sites.len();
    let (_, centre) = area_centroid(outline);
    let reach = outline.iter().map(|&p| dist(p, centre)).fold(1.0, f64::max);
    let triangulation = loop {
        let mut vertices: Vec<Vertex> = sites
            .iter()
            .enumerate()
            .map(|(k, p)| Vertex {
                at: Point2::new(p[0], p[1]),
                site: k as u32,
            })
            .collect();
        for g in 0..8 {
            let a = g as f64 * std::f64::consts::FRAC_PI_4;
            vertices.push(Vertex {
                at: Point2::new(
                    centre[0] + 4.0 * reach * a.cos(),
                    centre[1] + 4.0 * reach * a.sin(),
                ),
                site: u32::MAX,
            });
        }
        let t: DelaunayTriangulation<Vertex> =
            DelaunayTriangulation::bulk_load(vertices).expect("finite coordinates");
        if t.num_vertices() == n + 8 {
            break t;
        }
        let mut seen = vec![false; n];
        for v in t.vertices() {
            if v.data().site != u32::MAX {
                seen[v.data().site as usize] = true;
            }
        }
        for (k, s) in seen.iter().enumerate() {
            if !s {
                sites[k][0] += 1e-6 * (1 + k % 7) as f64;
                sites[k][1] -= 1e-6 * (1 + k % 5) as f64;
            }
        }
    };

    let mut centres = vec![[0.0; 2]; triangulation.num_all_faces()];
    for face in triangulation.inner_faces() {
        let c = face.circumcenter();
        centres[face.fix().index()] = [c.x, c.y];
    }
    let mut by_site: Vec<usize> = vec![usize::MAX; n];
    for v in triangulation.vertices() {
        let s = v.data().site;
        if s != u32::MAX {
            by_site[s as usize] = v.fix().index();
        }
    }
    let mut cells = Cells {
        corners: Vec::with_capacity(n * 7),
        start: Vec::with_capacity(n + 1),
        neighbours: Vec::with_capacity(n * 6),
        nstart: Vec::with_capacity(n + 1),
    };
    cells.start.push(0);
    cells.nstart.push(0);
    let handles: Vec<_> = triangulation.fixed_vertices().collect();
    let mut ring: Vec<P> = Vec::with_capacity(12);
    for &vi in &by_site {
        let v = triangulation.vertex(handles[vi]);
        ring.clear();
        for e in v.out_edges() {
            ring.push(centres[e.face().fix().index()]);
            let other = e.to().data().site;
            if other != u32::MAX {
                cells.neighbours.push(other);
            }
        }
        let clipped = clip_convex(std::mem::take(&mut ring), outline);
        let first = cells.corners.len();
        for &p in &clipped {
            if cells.corners.len() == first
                || dist(p, cells.corners[cells.corners.len() - 1]) > 1e-9
            {
                cells.corners.push(p);
            }
        }
        while cells.corners.len() > first + 3
            && dist(cells.corners[first], cells.corners[cells.corners.len() - 1]) <= 1e-9
        {
            cells.corners.pop();
        }
        ring = clipped;
        cells.start.push(cells.corners.len());
        cells.nstart.push(cells.neighbours.len());
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn county(seed: u64, zones: usize) -> (Vec<P>, Sites, Cells) {
        let layout = Layout::new(seed, 4, design_area(zone_mix(zones, 30.0)));
        let deg = layout.outline(1);
        let (_, c) = area_centroid(&deg);
        let frame = Frame::new(c);
        let outline: Vec<P> = deg.iter().map(|&p| frame.km(p)).collect();
        let mut rng = Rng::new(seed, 9, 1);
        let mut sites = place_sites(&mut rng, &outline, zone_mix(zones, 30.0));
        let cells = voronoi(&mut sites.points, &outline);
        (outline, sites, cells)
    }

    #[test]
    fn cells_tile_the_county() {
        let (outline, sites, cells) = county(3, 2500);
        assert_eq!(sites.points.len(), 2500);
        assert_eq!(cells.len(), 2500);
        let (county_area, _) = area_centroid(&outline);
        let mut total = 0.0;
        let key = |p: P| ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64);
        type Corner = (i64, i64);
        let mut edges: HashMap<(Corner, Corner), u32> = HashMap::new();
        for k in 0..cells.len() {
            let cell = cells.cell(k);
            let (a, _) = area_centroid(cell);
            assert!(a > 0.0, "cell {k} has area {a}");
            total += a;
            for i in 0..cell.len() {
                let (p, q) = (key(cell[i]), key(cell[(i + 1) % cell.len()]));
                *edges
                    .entry(if p < q { (p, q) } else { (q, p) })
                    .or_default() += 1;
            }
        }
        assert!(
            (total / county_area - 1.0).abs() < 1e-6,
            "{total} vs {county_area}"
        );
        // Every edge is shared by exactly two cells, except on the border.
        let on_border = |p: (i64, i64)| {
            let p = [p.0 as f64 / 1e7, p.1 as f64 / 1e7];
            (0..outline.len()).any(|k| {
                let (a, b) = (outline[k], outline[(k + 1) % outline.len()]);
                side(a, b, p).abs() / dist(a, b) < 1e-6
            })
        };
        let mut shared = 0;
        for (&(p, q), &count) in &edges {
            if on_border(p) && on_border(q) {
                assert_eq!(count, 1);
            } else {
                assert_eq!(count, 2, "edge {p:?}-{q:?}");
                shared += 1;
            }
        }
        assert!(shared > 2 * cells.len());
    }

    #[test]
    fn neighbouring_counties_share_their_border() {
        let layout = Layout::new(5, 9, 800.0);
        let outlines: Vec<Vec<P>> = (0..9).map(|k| layout.outline(k)).collect();
        let area: f64 = outlines.iter().map(|o| area_centroid(o).0).sum();
        // The middle county's corners all lie on corners of its neighbours.
        let middle = &outlines[4];
        for p in middle {
            let shared = outlines
                .iter()
                .enumerate()
                .filter(|(k, o)| *k != 4 && o.iter().any(|q| dist(*p, *q) < 1e-9))
                .count();
            assert!(shared >= 2, "corner {p:?} shared by {shared}");
        }
        assert!(area > 0.0);
        // Lon/lat in east-central China.
        for p in middle {
            assert!(
                (110.0..123.0).contains(&p[0]) && (28.0..35.0).contains(&p[1]),
                "{p:?}"
            );
        }
    }

    #[test]
    fn split_is_exact() {
        assert_eq!(split(10, &[1.0, 1.0, 1.0]).iter().sum::<usize>(), 10);
        assert_eq!(split(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(
            split(3, &[0.5, 1.6, 1.0, 0.7, 1.2]).iter().sum::<usize>(),
            3
        );
    }
}
