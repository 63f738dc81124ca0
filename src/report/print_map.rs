//! Maps ready to print: `map-primary.svg` / `map-junior.svg`, A3 landscape,
//! with title, legend, scale bar, north arrow and school names placed
//! without overlaps (the least important name is dropped where two would
//! collide); an inset enlarges the dense core when its names would not fit
//! on the main map. Text stays SVG text in a CJK-capable font list, so it
//! is sharp in print and searchable.

use std::fmt::Write as _;
use std::io::Write;

use geo::{Coord, LineString, MultiPolygon, Rect};

use super::colors::hex;
use super::map::bounds_of;
use super::{Catchment, RunInfo};
use crate::i18n::Lang;
use crate::model::{Region, Shape, Stage};
use crate::plan::Plan;
use crate::tr;

/// A3 landscape in CSS pixels (96 per inch): 420 x 297 mm.
pub const PAGE: (f64, f64) = (1587.0, 1123.0);
/// The main map's frame: left of the legend panel, under the title.
const MAP: Frame = Frame {
    x: 30.0,
    y: 90.0,
    w: 1150.0,
    h: 1000.0,
};
/// The legend panel on the right.
const PANEL_X: f64 = 1210.0;
const PANEL_W: f64 = 350.0;
/// Where the inset goes, inside the panel.
const INSET: Frame = Frame {
    x: PANEL_X,
    y: 470.0,
    w: PANEL_W,
    h: 560.0,
};
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC','SimHei',sans-serif";
/// Size of school names, in pixels.
pub const LABEL_SIZE: f64 = 11.0;
/// Metres per degree of latitude on the great circle.
const METRES_PER_DEGREE: f64 = 6_371_000.0 * std::f64::consts::PI / 180.0;

#[derive(Clone, Copy, Debug)]
struct Frame {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// A box on the page: x0, y0, x1, y1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl LabelBox {
    pub fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, f: &Frame) -> bool {
        self.x0 >= f.x && self.y0 >= f.y && self.x1 <= f.x + f.w && self.y1 <= f.y + f.h
    }

    /// The square of half-side `r` around `(x, y)`: a dot, or with `r` 0
    /// a point.
    fn square(x: f64, y: f64, r: f64) -> LabelBox {
        LabelBox {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        }
    }
}

/// Boxes on the page binned on a grid, so that the boxes near one are
/// found from the few in its cells: placing a province's 6,000 names
/// against every name and dot placed before, and counting the dropped
/// names near each dropped name, were quadratic.
struct BoxGrid {
    /// A cell's side in pixels.
    cell: f64,
    bins: std::collections::HashMap<(i64, i64), Vec<usize>>,
    /// Each box with its owner (a school, a dropped name).
    boxes: Vec<(usize, LabelBox)>,
}

/// The label grid's cell side in pixels, about a name's width.
const LABEL_CELL: f64 = 48.0;

impl BoxGrid {
    fn new(cell: f64) -> BoxGrid {
        BoxGrid {
            cell,
            bins: Default::default(),
            boxes: Vec::new(),
        }
    }

    /// The cells a box touches, its edges included: two boxes that overlap
    /// share one, and a point is in one only.
    fn cells(&self, b: &LabelBox) -> impl Iterator<Item = (i64, i64)> + use<> {
        let side = self.cell;
        let cell = |v: f64| (v / side).floor() as i64;
        let (cx0, cx1, cy0, cy1) = (cell(b.x0), cell(b.x1), cell(b.y0), cell(b.y1));
        (cx0..=cx1).flat_map(move |x| (cy0..=cy1).map(move |y| (x, y)))
    }

    fn insert(&mut self, owner: usize, b: LabelBox) {
        let index = self.boxes.len();
        self.boxes.push((owner, b));
        for cell in self.cells(&b) {
            self.bins.entry(cell).or_default().push(index);
        }
    }

    /// The boxes in the cells `b` touches: every box that overlaps it,
    /// and others; a box over several of those cells once for each.
    fn near(&self, b: &LabelBox) -> impl Iterator<Item = &(usize, LabelBox)> + use<'_> {
        self.cells(b)
            .filter_map(|cell| self.bins.get(&cell))
            .flatten()
            .map(|&i| &self.boxes[i])
    }

    /// Whether `b` overlaps a box of an owner other than `except`.
    fn overlaps(&self, b: &LabelBox, except: Option<usize>) -> bool {
        self.near(b)
            .any(|(owner, other)| Some(*owner) != except && other.overlaps(b))
    }
}

/// Width of a text in pixels, taken generously (a Chinese character is one
/// em wide, others about 0.62 em) so that placed names never touch.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c >= '\u{1100}' { 1.0 } else { 0.62 })
        .sum::<f64>()
        * size
}

/// The box of a name written at (x, y) (baseline, start anchored).
pub fn label_box(text: &str, x: f64, y: f64, size: f64) -> LabelBox {
    LabelBox {
        x0: x,
        y0: y - 0.9 * size,
        x1: x + text_width(text, size),
        y1: y + 0.25 * size,
    }
}

/// Equirectangular projection of the region's box into a frame, centred.
#[derive(Clone, Copy, Debug)]
struct Projection {
    min_x: f64,
    max_y: f64,
    cos_lat: f64,
    /// Pixels per degree of latitude.
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Projection {
    fn new(b: Rect<f64>, f: &Frame) -> Projection {
        let cos_lat = ((b.min().y + b.max().y) / 2.0).to_radians().cos();
        let w = (b.width() * cos_lat).max(1e-9);
        let h = b.height().max(1e-9);
        let scale = (f.w / w).min(f.h / h);
        Projection {
            min_x: b.min().x,
            max_y: b.max().y,
            cos_lat,
            scale,
            dx: f.x + (f.w - w * scale) / 2.0,
            dy: f.y + (f.h - h * scale) / 2.0,
        }
    }

    fn xy(&self, c: Coord<f64>) -> (f64, f64) {
        (
            self.dx + (c.x - self.min_x) * self.cos_lat * self.scale,
            self.dy + (self.max_y - c.y) * self.scale,
        )
    }

    fn metres_per_pixel(&self) -> f64 {
        METRES_PER_DEGREE / self.scale
    }
}

/// Characters that would end an attribute or start markup.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn ring(d: &mut String, p: &Projection, ring: &LineString<f64>) {
    for (i, c) in ring.coords().enumerate() {
        let (x, y) = p.xy(*c);
        d.push(if i == 0 { 'M' } else { 'L' });
        push_tenths(d, x);
        d.push(' ');
        push_tenths(d, y);
    }
    d.push('Z');
}

/// `x` as `{:.1}` writes it, without `fmt`'s exact decimal expansion for
/// every one of a province's millions of points; the rare value within a
/// hair of a tie (where that expansion decides) still goes through `fmt`.
fn push_tenths(d: &mut String, x: f64) {
    let tenths = x.abs() * 10.0;
    let near_tie = (tenths.fract() - 0.5).abs() < 1e-6;
    if tenths.is_nan() || tenths >= 1e12 || near_tie {
        let _ = write!(d, "{x:.1}");
        return;
    }
    let n = tenths.round() as u64;
    if x.is_sign_negative() {
        d.push('-');
    }
    d.push_str(itoa::Buffer::new().format(n / 10));
    d.push('.');
    d.push(char::from(b'0' + (n % 10) as u8));
}

fn path_data(p: &Projection, mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in mp {
        ring(&mut d, p, poly.exterior());
        for hole in poly.interiors() {
            ring(&mut d, p, hole);
        }
    }
    d
}

/// A school dot to draw and perhaps to name.
#[derive(Clone, Debug)]
struct Site {
    school: usize,
    x: f64,
    y: f64,
    radius: f64,
    /// Takes a catchment in this stage (filled dot, named).
    public: bool,
    intake: u32,
}

/// A name placed on the page.
#[derive(Clone, Debug)]
pub struct Label {
    pub school: usize,
    pub text: String,
    pub x: f64,
    pub y: f64,
}

/// Places the names of `sites` (most intake first) at the first of four
/// positions around the dot that stays in `frame` and overlaps no name
/// placed before and no other dot; a name that fits nowhere is dropped.
fn place_labels(
    region: &Region,
    sites: &[Site],
    frame: &Frame,
    at: &dyn Fn(&Site) -> (f64, f64),
) -> (Vec<Label>, Vec<usize>) {
    let mut order: Vec<&Site> = sites.iter().filter(|s| s.public).collect();
    order.sort_by(|a, b| b.intake.cmp(&a.intake).then(a.school.cmp(&b.school)));
    let mut dots = BoxGrid::new(LABEL_CELL);
    for s in sites {
        let (x, y) = at(s);
        dots.insert(s.school, LabelBox::square(x, y, s.radius));
    }
    let mut placed = BoxGrid::new(LABEL_CELL);
    let (mut labels, mut dropped) = (Vec::new(), Vec::new());
    let size = LABEL_SIZE;
    for site in order {
        let text = region.schools[site.school].name.replace(['\n', '\r'], " ");
        let (x, y) = at(site);
        let (w, r) = (text_width(&text, size), site.radius + 2.0);
        let candidates = [
            (x + r, y + 0.35 * size),
            (x - r - w, y + 0.35 * size),
            (x - w / 2.0, y - r - 0.3 * size),
            (x - w / 2.0, y + r + 0.95 * size),
        ];
        let fits = |&(lx, ly): &(f64, f64)| {
            let b = label_box(&text, lx, ly, size);
            b.inside(frame) && !placed.overlaps(&b, None) && !dots.overlaps(&b, Some(site.school))
        };
        match candidates.iter().find(|c| fits(c)) {
            Some(&(lx, ly)) => {
                placed.insert(site.school, label_box(&text, lx, ly, size));
                labels.push(Label {
                    school: site.school,
                    text,
                    x: lx,
                    y: ly,
                });
            }
            None => dropped.push(site.school),
        }
    }
    (labels, dropped)
}

/// The part of the main map the inset enlarges: around the dropped name
/// with most dropped names near it, shaped like the inset frame; None when
/// no name was dropped.
fn inset_area(sites: &[Site], dropped: &[usize]) -> Option<LabelBox> {
    const NEAR: f64 = 110.0;
    let mut at: std::collections::HashMap<usize, (f64, f64)> = Default::default();
    for x in sites {
        at.entry(x.school).or_insert((x.x, x.y));
    }
    let points: Vec<(f64, f64)> = dropped.iter().filter_map(|s| at.get(s).copied()).collect();
    let is_near = |p: &(f64, f64), c: (f64, f64)| (p.0 - c.0).hypot(p.1 - c.1) <= NEAR;
    // Each point a box of no size, so in one cell of the grid only.
    let square = |(x, y): (f64, f64), r: f64| LabelBox::square(x, y, r);
    let mut grid = BoxGrid::new(NEAR);
    for (i, &p) in points.iter().enumerate() {
        grid.insert(i, square(p, 0.0));
    }
    let near = |c: (f64, f64)| {
        let candidates = grid.near(&square(c, NEAR));
        candidates
            .filter(|(_, b)| is_near(&(b.x0, b.y0), c))
            .count()
    };
    let counts: Vec<usize> = points.iter().map(|&p| near(p)).collect();
    let (centre, _) = points
        .iter()
        .zip(&counts)
        .max_by(|(a, na), (b, nb)| na.cmp(nb).then(b.0.total_cmp(&a.0)))?;
    // In the order the dropped names come, as the box below was measured.
    let cluster: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| is_near(p, *centre))
        .copied()
        .collect();
    let pad = 25.0;
    let (mut x0, mut y0, mut x1, mut y1) = cluster.iter().fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(a, b, c, d), p| (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1)),
    );
    x0 -= pad;
    y0 -= pad;
    x1 += pad;
    y1 += pad;
    // The inset's proportions, centred on the cluster.
    let aspect = INSET.w / INSET.h;
    let (w, h) = (x1 - x0, y1 - y0);
    let (w, h) = if w / h > aspect {
        (w, w / aspect)
    } else {
        (h * aspect, h)
    };
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    Some(LabelBox {
        x0: cx - w / 2.0,
        y0: cy - h / 2.0,
        x1: cx + w / 2.0,
        y1: cy + h / 2.0,
    })
}

/// The texts of one map in the run's language.
struct Texts {
    title: String,
    lang: Lang,
}

/// Writes the print map of one stage.
pub fn write_svg(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
    stage: Stage,
    catchments: &[Catchment],
    colors: &[[u8; 3]],
    info: &RunInfo,
) -> std::io::Result<()> {
    let lang = info.lang;
    let Some(bounds) = bounds_of(&[region]) else {
        return Err(std::io::Error::other("no zones to draw"));
    };
    let proj = Projection::new(bounds, &MAP);
    let texts = Texts {
        title: title(info, stage),
        lang,
    };
    let sites = sites(region, plan, stage, &proj);
    let (labels, dropped) = place_labels(region, &sites, &MAP, &|s| (s.x, s.y));
    let inset = inset_area(&sites, &dropped);

    let mut svg = String::with_capacity(1 << 20);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="420mm" height="297mm" viewBox="0 0 {} {}" font-family="{FONT_FAMILY}">"#,
        PAGE.0, PAGE.1
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    map_layers(&mut svg, region, plan, stage, catchments, colors, &proj);
    let _ = writeln!(svg, r##"<use xlink:href="#map"/>"##);
    dots(&mut svg, &sites, &|s| (s.x, s.y));
    label_group(&mut svg, "labels", &labels);
    if let Some(area) = inset {
        inset_view(&mut svg, region, &sites, area, lang);
    }
    header(&mut svg, &texts, info);
    legend(&mut svg, &texts);
    scale_bar(&mut svg, &proj, lang, PANEL_X, 380.0);
    north_arrow(&mut svg, lang, PANEL_X + PANEL_W - 30.0, 350.0);
    svg.push_str("</svg>\n");
    w.write_all(svg.as_bytes())
}

/// "{scenario}: primary catchments (2026)".
pub fn title(info: &RunInfo, stage: Stage) -> String {
    let lang = info.lang;
    match info.year {
        Some(year) => tr!(
            lang,
            "map.title_year",
            scenario = info.scenario,
            stage = lang.stage(stage),
            year = year
        ),
        None => tr!(
            lang,
            "map.title",
            scenario = info.scenario,
            stage = lang.stage(stage)
        ),
    }
}

fn sites(region: &Region, plan: &Plan, stage: Stage, proj: &Projection) -> Vec<Site> {
    let mut intake = vec![0u32; region.schools.len()];
    for zp in &plan.stage(stage).zones {
        if let Some(s) = zp.school {
            intake[s as usize] += zp.placed;
        }
    }
    let max_intake = intake.iter().copied().max().unwrap_or(1).max(1) as f64;
    region
        .schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind.teaches(stage))
        .map(|(i, s)| {
            let (x, y) = proj.xy(s.location.0);
            let public = s.takes_catchment(stage);
            Site {
                school: i,
                x,
                y,
                radius: if public {
                    2.5 + 4.5 * (intake[i] as f64 / max_intake).sqrt()
                } else {
                    2.5
                },
                public,
                intake: intake[i],
            }
        })
        .collect()
}

/// Zones filled with their school's colour and lightly outlined, then the
/// catchment boundaries in bold, then zones with children left without a
/// seat in red: defined once, shown on the main map and in the inset.
fn map_layers(
    svg: &mut String,
    region: &Region,
    plan: &Plan,
    stage: Stage,
    catchments: &[Catchment],
    colors: &[[u8; 3]],
    proj: &Projection,
) {
    let zones = &plan.stage(stage).zones;
    svg.push_str("<defs><g id=\"map\">\n");
    let _ = writeln!(
        svg,
        r##"<g id="zones" stroke="#ffffff" stroke-opacity="0.7" stroke-width="0.4" vector-effect="non-scaling-stroke">"##
    );
    for (z, zone) in region.zones.iter().enumerate() {
        let fill = zones[z]
            .school
            .map_or("#f4f4f4".to_string(), |s| hex(colors[s as usize]));
        match &zone.shape {
            Shape::Area(mp) => {
                let _ = writeln!(
                    svg,
                    r#"<path fill="{fill}" vector-effect="non-scaling-stroke" d="{}"/>"#,
                    path_data(proj, mp)
                );
            }
            Shape::Point(p) => {
                let (x, y) = proj.xy(p.0);
                let _ = writeln!(
                    svg,
                    r#"<circle fill="{fill}" cx="{x:.1}" cy="{y:.1}" r="2"/>"#
                );
            }
        }
    }
    svg.push_str("</g>\n");
    let _ = writeln!(
        svg,
        r##"<g id="catchments" fill="none" stroke="#333333" stroke-width="1.6" stroke-linejoin="round">"##
    );
    for c in catchments {
        if c.area.0.is_empty() {
            continue;
        }
        let _ = writeln!(
            svg,
            r#"<path vector-effect="non-scaling-stroke" d="{}"/>"#,
            path_data(proj, &c.area)
        );
    }
    svg.push_str("</g>\n");
    let unplaced: Vec<String> = region
        .zones
        .iter()
        .enumerate()
        .filter(|(z, _)| zones[*z].unplaced > 0)
        .filter_map(|(_, zone)| match &zone.shape {
            Shape::Area(mp) => Some(path_data(proj, mp)),
            Shape::Point(_) => None,
        })
        .collect();
    if !unplaced.is_empty() {
        let _ = writeln!(
            svg,
            r##"<g id="unplaced" fill="none" stroke="#d7191c" stroke-width="2">"##
        );
        for d in unplaced {
            let _ = writeln!(svg, r#"<path vector-effect="non-scaling-stroke" d="{d}"/>"#);
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</g></defs>\n");
}

fn dots(svg: &mut String, sites: &[Site], at: &dyn Fn(&Site) -> (f64, f64)) {
    svg.push_str("<g class=\"schools\" stroke-width=\"1\">\n");
    for s in sites {
        let (x, y) = at(s);
        let (fill, stroke) = if s.public {
            ("#222222", "#ffffff")
        } else {
            ("#ffffff", "#222222")
        };
        let _ = writeln!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="{fill}" stroke="{stroke}"/>"#,
            s.radius
        );
    }
    svg.push_str("</g>\n");
}

fn label_group(svg: &mut String, class: &str, labels: &[Label]) {
    let _ = writeln!(
        svg,
        r##"<g class="{class}" font-size="{LABEL_SIZE}" fill="#111111" stroke="#ffffff" stroke-width="2.5" paint-order="stroke">"##
    );
    for l in labels {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            l.x,
            l.y,
            xml(&l.text)
        );
    }
    svg.push_str("</g>\n");
}

/// The dense core enlarged in the panel, its area marked on the main map.
fn inset_view(svg: &mut String, region: &Region, sites: &[Site], area: LabelBox, lang: Lang) {
    let k = INSET.w / (area.x1 - area.x0);
    let (tx, ty) = (INSET.x - k * area.x0, INSET.y - k * area.y0);
    let at = |s: &Site| (tx + k * s.x, ty + k * s.y);
    let _ = writeln!(
        svg,
        r##"<rect class="inset-area" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#1f4e9a" stroke-width="1.5" stroke-dasharray="6 3"/>"##,
        area.x0,
        area.y0,
        area.x1 - area.x0,
        area.y1 - area.y0
    );
    let _ = writeln!(
        svg,
        r#"<clipPath id="inset-clip"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
        INSET.x, INSET.y, INSET.w, INSET.h
    );
    let _ = writeln!(
        svg,
        r##"<g clip-path="url(#inset-clip)"><rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff"/><use xlink:href="#map" transform="translate({tx:.2} {ty:.2}) scale({k:.4})"/>"##,
        INSET.x, INSET.y, INSET.w, INSET.h
    );
    let inside: Vec<Site> = sites
        .iter()
        .filter(|s| s.x >= area.x0 && s.x <= area.x1 && s.y >= area.y0 && s.y <= area.y1)
        .cloned()
        .collect();
    dots(svg, &inside, &at);
    svg.push_str("</g>\n");
    let (labels, _) = place_labels(region, &inside, &INSET, &at);
    label_group(svg, "inset-labels", &labels);
    let _ = writeln!(
        svg,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#1f4e9a" stroke-width="1.5"/>"##,
        INSET.x, INSET.y, INSET.w, INSET.h
    );
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="{:.1}" font-size="13" fill="#1f4e9a">{}</text>"##,
        INSET.x,
        INSET.y - 8.0,
        xml(tr!(lang, "map.inset"))
    );
}

fn header(svg: &mut String, t: &Texts, info: &RunInfo) {
    let _ = writeln!(
        svg,
        r##"<text class="title" x="30" y="50" font-size="30" font-weight="bold" fill="#111111">{}</text>"##,
        xml(&t.title)
    );
    if !info.description.is_empty() {
        let _ = writeln!(
            svg,
            r##"<text x="30" y="76" font-size="14" fill="#444444">{}</text>"##,
            xml(info.description)
        );
    }
}

fn legend(svg: &mut String, t: &Texts) {
    let l = t.lang;
    let x = PANEL_X;
    let mut y = 110.0;
    let _ = writeln!(
        svg,
        r##"<g class="legend" font-size="14" fill="#111111"><text x="{x}" y="{y}" font-size="18" font-weight="bold">{}</text>"##,
        xml(tr!(l, "map.legend"))
    );
    let symbols: [(&str, String); 6] = [
        (
            "map.catchment",
            format!(
                r##"<rect x="{x}" y="{{y}}" width="24" height="14" fill="#8dd3c7"/><rect x="{}" y="{{y}}" width="24" height="14" fill="#fdb462"/>"##,
                x + 12.0
            ),
        ),
        (
            "map.catchment_boundary",
            format!(
                r##"<line x1="{x}" x2="{}" y1="{{m}}" y2="{{m}}" stroke="#333333" stroke-width="2"/>"##,
                x + 36.0
            ),
        ),
        (
            "map.zone_boundary",
            format!(
                r##"<rect x="{x}" y="{{y}}" width="36" height="14" fill="#bebada" stroke="#ffffff" stroke-width="1"/><line x1="{}" x2="{}" y1="{{y}}" y2="{{b}}" stroke="#ffffff" stroke-width="1"/>"##,
                x + 18.0,
                x + 18.0
            ),
        ),
        (
            "map.school",
            format!(
                r##"<circle cx="{}" cy="{{m}}" r="6" fill="#222222" stroke="#ffffff"/>"##,
                x + 18.0
            ),
        ),
        (
            "map.private_school",
            format!(
                r##"<circle cx="{}" cy="{{m}}" r="3" fill="#ffffff" stroke="#222222"/>"##,
                x + 18.0
            ),
        ),
        (
            "map.unplaced",
            format!(
                r##"<rect x="{x}" y="{{y}}" width="36" height="14" fill="none" stroke="#d7191c" stroke-width="2"/>"##
            ),
        ),
    ];
    for (key, symbol) in symbols {
        y += 28.0;
        let top = y - 11.0;
        let symbol = symbol
            .replace("{y}", &format!("{top:.1}"))
            .replace("{m}", &format!("{:.1}", top + 7.0))
            .replace("{b}", &format!("{:.1}", top + 14.0));
        let _ = writeln!(
            svg,
            r#"{symbol}<text x="{}" y="{y:.1}">{}</text>"#,
            x + 48.0,
            xml(l.text(key))
        );
    }
    svg.push_str("</g>\n");
}

/// The longest round distance that fits in 200 pixels.
fn scale_length(metres_per_pixel: f64) -> f64 {
    const STEPS: [f64; 12] = [
        50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5,
    ];
    STEPS
        .iter()
        .copied()
        .rev()
        .find(|m| m / metres_per_pixel <= 200.0)
        .unwrap_or(STEPS[0])
}

fn distance_text(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    }
}

fn scale_bar(svg: &mut String, proj: &Projection, lang: Lang, x: f64, y: f64) {
    let metres = scale_length(proj.metres_per_pixel());
    let px = metres / proj.metres_per_pixel();
    let half = px / 2.0;
    let _ = writeln!(
        svg,
        r##"<g class="scale-bar" font-size="12" fill="#111111"><text x="{x}" y="{:.1}" font-size="14">{}</text><rect x="{x}" y="{y}" width="{half:.1}" height="6" fill="#111111"/><rect x="{:.1}" y="{y}" width="{half:.1}" height="6" fill="#ffffff" stroke="#111111"/><text x="{x}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text></g>"##,
        y - 10.0,
        xml(tr!(lang, "map.scale")),
        x + half,
        y + 22.0,
        x + px,
        y + 22.0,
        distance_text(metres)
    );
}

fn north_arrow(svg: &mut String, lang: Lang, x: f64, y: f64) {
    let _ = writeln!(
        svg,
        r##"<g class="north-arrow"><path d="M{x} {:.1} L{:.1} {:.1} L{x} {:.1} Z" fill="#111111"/><path d="M{x} {:.1} L{:.1} {:.1} L{x} {:.1} Z" fill="#ffffff" stroke="#111111"/><text x="{x}" y="{:.1}" font-size="16" font-weight="bold" text-anchor="middle">{}</text></g>"##,
        y - 30.0,
        x + 10.0,
        y + 10.0,
        y,
        y - 30.0,
        x - 10.0,
        y + 10.0,
        y,
        y - 36.0,
        xml(tr!(lang, "map.north"))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_overlap_only_when_they_share_area() {
        let a = label_box("第一小学", 0.0, 10.0, 10.0);
        assert_eq!(a.x1, 40.0);
        let b = label_box("x", 40.0, 10.0, 10.0);
        assert!(!a.overlaps(&b));
        let c = label_box("x", 39.0, 10.0, 10.0);
        assert!(a.overlaps(&c));
    }

    proptest::proptest! {
        /// The grid finds an overlapping box exactly when a look at every
        /// box does, edges that only touch included.
        #[test]
        fn the_grid_finds_what_a_look_at_every_box_finds(
            boxes in proptest::collection::vec((0u8..40, 0u8..40, 1u8..30, 1u8..8), 0..40),
            probe in (0u8..40, 0u8..40, 1u8..30, 1u8..8),
            except in proptest::option::of(0usize..40),
        ) {
            let to_box = |(x, y, w, h): (u8, u8, u8, u8)| {
                // Steps of 8 px: edges fall on the grid's lines too.
                let (x, y) = (f64::from(x) * 8.0 - 16.0, f64::from(y) * 8.0 - 16.0);
                LabelBox { x0: x, y0: y, x1: x + f64::from(w) * 8.0, y1: y + f64::from(h) * 8.0 }
            };
            let mut grid = BoxGrid::new(LABEL_CELL);
            for (school, &b) in boxes.iter().enumerate() {
                grid.insert(school, to_box(b));
            }
            let probe = to_box(probe);
            let every = boxes
                .iter()
                .enumerate()
                .any(|(school, &b)| Some(school) != except && to_box(b).overlaps(&probe));
            proptest::prop_assert_eq!(grid.overlaps(&probe, except), every);
        }

        /// Coordinates are written as `{:.1}` writes them: page-sized
        /// values, values a hair from a tie (`n / 20` is a tie or next to
        /// one), negative ones and those that round to zero.
        #[test]
        fn tenths_are_written_as_fmt_writes_them(
            page in -5000.0f64..5000.0,
            twentieths in -200_000i64..200_000,
            ulps in -2i64..=2,
            huge in proptest::num::f64::ANY,
        ) {
            let near_tie = f64::from_bits((twentieths as f64 / 20.0).to_bits().wrapping_add_signed(ulps));
            for x in [page, near_tie, huge, page / 1e6, -0.0, 0.04, -0.04] {
                let mut d = String::new();
                push_tenths(&mut d, x);
                proptest::prop_assert_eq!(d, format!("{x:.1}"));
            }
        }
    }

    #[test]
    fn scale_bars_are_round_and_fit() {
        assert_eq!(scale_length(10.0), 2000.0);
        assert_eq!(scale_length(1.0), 200.0);
        assert_eq!(distance_text(2000.0), "2 km");
        assert_eq!(distance_text(500.0), "500 m");
    }

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(xml("A&B <x> \"q\""), "A&amp;B &lt;x&gt; &quot;q&quot;");
    }
}
