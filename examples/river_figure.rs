//! The README's river figure: the demo county's primary catchments along
//! the roads on foot, drawn over its streets and river, with the
//! straight-line plan's catchment borders dashed on top, so a reader sees
//! where measuring the way parents walk moves a border to the river.
//!
//! ```sh
//! catchment run scenarios/baseline.toml --out out/baseline
//! catchment run scenarios/roads.toml --out out/roads
//! cargo run --release --example river_figure -- out/baseline out/roads \
//!     maps/demo/roads.geojson docs/river.png
//! ```
//!
//! The river is not in the roads file (the roads only respect it), so it
//! is drawn from the generator that made the demo county, with the same
//! parameters as `maps/demo` (README, Synthetic counties); the schools come
//! from the `schools.geojson` beside the roads file. `RIVER_FIGURE_CENTRE=
//! "lon,lat"` moves the window (default: the middle of the river).

use std::path::{Path, PathBuf};

use catchment::generate::{Params, generate_with_roads};
use geo::{Coord, MultiPolygon, Rect};
use geojson::{GeoJson, Geometry};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Stroke, StrokeDash, Transform};

/// Width of the picture, pixels.
const WIDTH: f64 = 1100.0;
/// Half the side of the window around the chosen point, degrees of latitude
/// (about 5 km).
const HALF_DEG: f64 = 0.045;

struct View {
    window: Rect<f64>,
    cos_lat: f64,
    scale: f64,
    height: f64,
}

impl View {
    fn new(window: Rect<f64>) -> View {
        let cos_lat = window.center().y.to_radians().cos();
        let scale = WIDTH / (window.width() * cos_lat);
        let height = window.height() * scale;
        View {
            window,
            cos_lat,
            scale,
            height,
        }
    }

    fn xy(&self, c: Coord<f64>) -> (f32, f32) {
        let x = (c.x - self.window.min().x) * self.cos_lat * self.scale;
        let y = self.height - (c.y - self.window.min().y) * self.scale;
        (x as f32, y as f32)
    }

    fn line(&self, pb: &mut PathBuilder, coords: &[Coord<f64>]) {
        for (i, &c) in coords.iter().enumerate() {
            let (x, y) = self.xy(c);
            if i == 0 {
                pb.move_to(x, y);
            } else {
                pb.line_to(x, y);
            }
        }
    }
}

fn read(path: &Path) -> Vec<geojson::Feature> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the two scenarios first)", path.display()));
    match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc.features,
        _ => panic!("{}: not a GeoJSON feature collection", path.display()),
    }
}

/// Primary catchments of a run: (colour, area).
fn catchments(run: &Path) -> Vec<(String, MultiPolygon<f64>)> {
    read(&run.join("catchments.geojson"))
        .into_iter()
        .filter(|f| f.property("stage").and_then(|s| s.as_str()) == Some("primary"))
        .filter_map(|f| {
            let colour = f.property("color")?.as_str()?.to_string();
            let area: MultiPolygon<f64> = geometry(f.geometry.as_ref()?)?;
            Some((colour, area))
        })
        .collect()
}

fn geometry(g: &Geometry) -> Option<MultiPolygon<f64>> {
    match geo::Geometry::<f64>::try_from(g.clone()).ok()? {
        geo::Geometry::MultiPolygon(mp) => Some(mp),
        geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        _ => None,
    }
}

fn paint(hex: &str, alpha: u8) -> Paint<'static> {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x888888);
    let mut p = Paint::default();
    p.set_color_rgba8((v >> 16) as u8, (v >> 8) as u8, v as u8, alpha);
    p.anti_alias = true;
    p
}

fn area_path(view: &View, area: &MultiPolygon<f64>) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for p in &area.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            view.line(&mut pb, &ring.0);
            pb.close();
        }
    }
    pb.finish()
}

fn stroke(width: f32, dash: Option<[f32; 2]>) -> Stroke {
    Stroke {
        width,
        dash: dash.and_then(|d| StrokeDash::new(d.to_vec(), 0.0)),
        ..Stroke::default()
    }
}

/// Street width by OpenStreetMap class, pixels (paths and tracks thin).
fn street_width(highway: &str) -> f32 {
    match highway {
        "motorway" | "motorway_link" | "trunk" => 3.5,
        "primary" | "secondary" => 2.2,
        "tertiary" => 1.6,
        "residential" | "unclassified" => 1.0,
        _ => 0.6,
    }
}

fn lines(g: &Geometry) -> Vec<Vec<Coord<f64>>> {
    match geo::Geometry::<f64>::try_from(g.clone()) {
        Ok(geo::Geometry::LineString(l)) => vec![l.0],
        Ok(geo::Geometry::MultiLineString(m)) => m.0.into_iter().map(|l| l.0).collect(),
        _ => Vec::new(),
    }
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [straight, roads, roads_file, out] = args.as_slice() else {
        eprintln!("usage: river_figure STRAIGHT_RUN_DIR ROADS_RUN_DIR ROADS.geojson OUT.png");
        std::process::exit(2);
    };
    let (_, county_roads) = generate_with_roads(&Params {
        seed: 1,
        zones: 3000,
        schools: 80,
        counties: 1,
    });
    let river: Vec<Coord<f64>> = county_roads[0]
        .river
        .iter()
        .map(|p| Coord { x: p[0], y: p[1] })
        .collect();
    // The window: around a point given as "lon,lat", else the river's middle.
    let centre = std::env::var("RIVER_FIGURE_CENTRE")
        .ok()
        .and_then(|v| {
            let (x, y) = v.split_once(',')?;
            Some(Coord {
                x: x.trim().parse().ok()?,
                y: y.trim().parse().ok()?,
            })
        })
        .unwrap_or(river[river.len() / 2]);
    let half_x = HALF_DEG / centre.y.to_radians().cos();
    let view = View::new(Rect::new(
        Coord {
            x: centre.x - half_x,
            y: centre.y - HALF_DEG,
        },
        Coord {
            x: centre.x + half_x,
            y: centre.y + HALF_DEG,
        },
    ));
    let mut pixmap = Pixmap::new(WIDTH as u32, view.height.ceil() as u32).expect("picture");
    pixmap.fill(Color::WHITE);
    let id = Transform::identity();
    let by_road = catchments(roads);
    for (colour, area) in &by_road {
        if let Some(p) = area_path(&view, area) {
            pixmap.fill_path(&p, &paint(colour, 150), FillRule::EvenOdd, id, None);
        }
    }
    let grey = paint("#6b6b6b", 200);
    for f in read(roads_file) {
        let highway = f
            .property("highway")
            .and_then(|h| h.as_str())
            .unwrap_or("")
            .to_string();
        let Some(g) = &f.geometry else { continue };
        let mut pb = PathBuilder::new();
        for l in lines(g) {
            view.line(&mut pb, &l);
        }
        if let Some(p) = pb.finish() {
            pixmap.stroke_path(&p, &grey, &stroke(street_width(&highway), None), id, None);
        }
    }
    let mut pb = PathBuilder::new();
    view.line(&mut pb, &river);
    if let Some(p) = pb.finish() {
        pixmap.stroke_path(&p, &paint("#2b7bba", 255), &stroke(9.0, None), id, None);
    }
    // Borders: along the roads solid black, straight-line dashed red.
    for (run, colour, dash) in [
        (roads, "#111111", None),
        (straight, "#d7191c", Some([10.0, 7.0])),
    ] {
        for (_, area) in catchments(run) {
            if let Some(p) = area_path(&view, &area) {
                let width = if dash.is_some() { 2.6 } else { 3.2 };
                pixmap.stroke_path(&p, &paint(colour, 255), &stroke(width, dash), id, None);
            }
        }
    }
    // Schools teaching grade 1, from the schools file beside the roads.
    let schools = roads_file.with_file_name("schools.geojson");
    let mut dots = PathBuilder::new();
    for f in read(&schools) {
        let stage = f.property("stage").and_then(|s| s.as_str()).unwrap_or("");
        if stage == "junior" {
            continue;
        }
        if let Some(g) = &f.geometry
            && let Ok(geo::Geometry::Point(p)) = geo::Geometry::<f64>::try_from(g.clone())
        {
            let (x, y) = view.xy(p.0);
            dots.push_circle(x, y, 6.0);
        }
    }
    if let Some(p) = dots.finish() {
        pixmap.fill_path(&p, &paint("#111111", 255), FillRule::Winding, id, None);
        pixmap.stroke_path(&p, &paint("#ffffff", 255), &stroke(2.0, None), id, None);
    }
    pixmap
        .save_png(out)
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    println!("wrote {}", out.display());
}
