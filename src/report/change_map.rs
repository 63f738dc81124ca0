//! The map of zones whose school changed between two scenarios (for
//! `catchment compare`).

use std::path::Path;

use geo::{BoundingRect, Coord, Point, Rect};
use tiny_skia::{Color, FillRule, PathBuilder, Pixmap, Stroke, Transform};

use super::comparison::ZoneChange;
use super::map::{Projection, area_path, bounds_of, paint};
use super::{ReportError, school_colors};
use crate::model::{Region, Shape, Stage};

/// Longest side of the change map in pixels (it sits in a page).
const SIZE: f64 = 1200.0;

fn shape_path(proj: &Projection, shape: &Shape) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    match shape {
        Shape::Area(mp) => return area_path(proj, mp),
        Shape::Point(p) => {
            let (x, y) = proj.xy(p.0);
            pb.push_circle(x, y, 3.0);
        }
    }
    pb.finish()
}

/// Where the changes are: the box around the zones whose school changed,
/// new zones and schools opened or closed, widened by a third on each side
/// (at least about a kilometre) so that the schools around stay in view.
/// None when nothing changed.
fn focus(a: &Region, b: &Region, stage: Stage, change: &[ZoneChange]) -> Option<Rect<f64>> {
    let mut points: Vec<Coord<f64>> = Vec::new();
    for (z, zone) in b.zones.iter().enumerate() {
        if change[z] == ZoneChange::Same {
            continue;
        }
        match &zone.shape {
            Shape::Area(mp) => {
                if let Some(r) = mp.bounding_rect() {
                    points.extend([r.min(), r.max()]);
                }
            }
            Shape::Point(p) => points.push(p.0),
        }
    }
    for (x, y) in [(a, b), (b, a)] {
        for school in x.schools.iter().filter(|s| s.takes_catchment(stage)) {
            if !y.schools.iter().any(|o| o.id == school.id) {
                points.push(school.location.0);
            }
        }
    }
    let first = *points.first()?;
    let (mut lo, mut hi) = (first, first);
    for p in &points {
        lo = Coord {
            x: lo.x.min(p.x),
            y: lo.y.min(p.y),
        };
        hi = Coord {
            x: hi.x.max(p.x),
            y: hi.y.max(p.y),
        };
    }
    let pad_x = ((hi.x - lo.x) / 3.0).max(0.01);
    let pad_y = ((hi.y - lo.y) / 3.0).max(0.01);
    Some(Rect::new(
        Coord {
            x: lo.x - pad_x,
            y: lo.y - pad_y,
        },
        Coord {
            x: hi.x + pad_x,
            y: hi.y + pad_y,
        },
    ))
}

/// Draws B's zones around the changes (see [`focus`]): unchanged ones light grey, zones whose school changed
/// in the colour of their new school, new zones the same with a blue
/// outline; B's schools as dark dots, schools opened in B as red rings,
/// schools closed in B (present in A only) as black crosses.
pub fn changes_map(
    path: &Path,
    a: &Region,
    b: &Region,
    b_school: &[Option<u32>],
    stage: Stage,
    change: &[ZoneChange],
) -> Result<(), ReportError> {
    let error = |m: &str| ReportError::Map {
        path: path.to_path_buf(),
        message: m.to_string(),
    };
    let Some(county) = bounds_of(&[a, b]) else {
        return Err(error("no zones to draw"));
    };
    let bounds = focus(a, b, stage, change).unwrap_or(county);
    let (proj, width, height) = Projection::new(bounds, SIZE);
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| error("empty picture"))?;
    pixmap.fill(Color::WHITE);
    let colors = school_colors(b, stage);
    let grey = paint([0xe6, 0xe6, 0xe6], 255);
    let seam = Stroke {
        width: 0.4,
        ..Stroke::default()
    };
    let edge = paint([0xbb, 0xbb, 0xbb], 255);
    for (z, zone) in b.zones.iter().enumerate() {
        let Some(p) = shape_path(&proj, &zone.shape) else {
            continue;
        };
        let fill = match (change[z], b_school[z]) {
            (ZoneChange::Same, _) | (_, None) => grey.clone(),
            (_, Some(s)) => paint(colors[s as usize], 255),
        };
        pixmap.fill_path(&p, &fill, FillRule::EvenOdd, Transform::identity(), None);
        if change[z] == ZoneChange::Same {
            pixmap.stroke_path(&p, &edge, &seam, Transform::identity(), None);
        }
    }
    let dark = paint([0x33, 0x33, 0x33], 255);
    let blue = paint([0x1f, 0x5f, 0xd0], 255);
    let thin = Stroke {
        width: 1.0,
        ..Stroke::default()
    };
    let thick = Stroke {
        width: 2.0,
        ..Stroke::default()
    };
    for (z, zone) in b.zones.iter().enumerate() {
        let Some(p) = shape_path(&proj, &zone.shape) else {
            continue;
        };
        match change[z] {
            ZoneChange::Moved => pixmap.stroke_path(&p, &dark, &thin, Transform::identity(), None),
            ZoneChange::New => pixmap.stroke_path(&p, &blue, &thick, Transform::identity(), None),
            ZoneChange::Same => {}
        }
    }
    let dot = |at: Point<f64>, r: f32| {
        let (x, y) = proj.xy(at.0);
        let mut pb = PathBuilder::new();
        pb.push_circle(x, y, r);
        pb.finish()
    };
    let white = paint([0xff, 0xff, 0xff], 255);
    let red = paint([0xd7, 0x19, 0x1c], 255);
    for school in b.schools.iter().filter(|s| s.takes_catchment(stage)) {
        let new = !a.schools.iter().any(|x| x.id == school.id);
        if let Some(p) = dot(school.location, if new { 7.0 } else { 3.5 }) {
            if new {
                pixmap.fill_path(&p, &white, FillRule::Winding, Transform::identity(), None);
                let ring = Stroke {
                    width: 3.0,
                    ..Stroke::default()
                };
                pixmap.stroke_path(&p, &red, &ring, Transform::identity(), None);
            } else {
                pixmap.fill_path(&p, &dark, FillRule::Winding, Transform::identity(), None);
                pixmap.stroke_path(&p, &white, &thin, Transform::identity(), None);
            }
        }
    }
    for school in a.schools.iter().filter(|s| s.takes_catchment(stage)) {
        if b.schools.iter().any(|x| x.id == school.id) {
            continue;
        }
        let (x, y) = proj.xy(school.location.0);
        let mut pb = PathBuilder::new();
        pb.move_to(x - 6.0, y - 6.0);
        pb.line_to(x + 6.0, y + 6.0);
        pb.move_to(x - 6.0, y + 6.0);
        pb.line_to(x + 6.0, y - 6.0);
        if let Some(p) = pb.finish() {
            let cross = Stroke {
                width: 3.0,
                ..Stroke::default()
            };
            pixmap.stroke_path(&p, &dark, &cross, Transform::identity(), None);
        }
    }
    super::map::save_png(&pixmap, path).map_err(|e| error(&e.to_string()))
}
