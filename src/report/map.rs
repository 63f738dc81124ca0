//! A picture of a stage's catchments: zones filled with their school's
//! colour, catchment outlines, schools as dots sized by intake, zones with
//! children left without a seat outlined in red; a title above, a legend
//! and a scale bar below. Drawn with tiny-skia (pure Rust); the text uses a
//! Chinese font of the system ([`super::fonts`]) and is left out where
//! there is none.

use std::path::Path;

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Rect};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, PixmapMut, Stroke, Transform};

use super::fonts::{cjk_font, draw_text, text_width};
use super::{Catchment, ReportError};
use crate::i18n::Lang;
use crate::model::{Region, Shape, Stage};
use crate::plan::Plan;
use crate::tr;

/// Longest side of the published map in pixels.
const SIZE: f64 = 1600.0;
const MARGIN: f64 = 20.0;

/// Equirectangular projection around the region's centre: at county scale
/// the distortion is far below a pixel.
pub(crate) struct Projection {
    min: Coord<f64>,
    cos_lat: f64,
    scale: f64,
    height: f64,
}

impl Projection {
    /// The projection of `bounds` onto a picture whose longest side is
    /// `size` pixels, with the picture's width and height.
    pub(crate) fn new(bounds: Rect<f64>, size: f64) -> (Projection, u32, u32) {
        let cos_lat = ((bounds.min().y + bounds.max().y) / 2.0).to_radians().cos();
        let w = (bounds.width() * cos_lat).max(1e-9);
        let h = bounds.height().max(1e-9);
        let scale = (size - 2.0 * MARGIN) / w.max(h);
        let width = (w * scale + 2.0 * MARGIN).ceil();
        let height = (h * scale + 2.0 * MARGIN).ceil();
        (
            Projection {
                min: bounds.min(),
                cos_lat,
                scale,
                height,
            },
            width as u32,
            height as u32,
        )
    }

    /// Metres on the ground per pixel.
    pub(crate) fn metres_per_pixel(&self) -> f64 {
        6_371_000.0 * std::f64::consts::PI / 180.0 / self.scale
    }

    pub(crate) fn xy(&self, c: Coord<f64>) -> (f32, f32) {
        let x = MARGIN + (c.x - self.min.x) * self.cos_lat * self.scale;
        let y = self.height - MARGIN - (c.y - self.min.y) * self.scale;
        (x as f32, y as f32)
    }
}

fn ring(pb: &mut PathBuilder, proj: &Projection, ring: &LineString<f64>) {
    for (i, c) in ring.coords().enumerate() {
        let (x, y) = proj.xy(*c);
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
}

pub(crate) fn area_path(proj: &Projection, mp: &MultiPolygon<f64>) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for p in mp {
        ring(&mut pb, proj, p.exterior());
        for hole in p.interiors() {
            ring(&mut pb, proj, hole);
        }
    }
    pb.finish()
}

pub(crate) fn paint(c: [u8; 3], alpha: u8) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(Color::from_rgba8(c[0], c[1], c[2], alpha));
    p.anti_alias = true;
    p
}

/// The box around every zone of the regions (two scenarios' maps share
/// one picture frame).
pub(crate) fn bounds_of(regions: &[&Region]) -> Option<Rect<f64>> {
    let mut rects = regions.iter().flat_map(|r| {
        r.zones.iter().filter_map(|z| match &z.shape {
            Shape::Area(mp) => mp.bounding_rect(),
            Shape::Point(p) => Some(Rect::new(p.0, p.0)),
        })
    });
    let first = rects.next()?;
    Some(rects.fold(first, |a, b| {
        Rect::new(
            Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    }))
}

/// Height of the title band above the map and of the legend band below.
const TITLE_BAND: u32 = 56;
const LEGEND_BAND: u32 = 44;

/// What the picture says around the map.
pub struct Caption<'a> {
    pub title: &'a str,
    pub lang: Lang,
}

/// The note for report.md and stderr when the PNG maps have no text.
pub fn missing_font_note(lang: Lang) -> Option<String> {
    cjk_font()
        .is_none()
        .then(|| tr!(lang, "report.no_cjk_font").to_string())
}

pub fn render_map(
    path: &Path,
    region: &Region,
    plan: &Plan,
    stage: Stage,
    catchments: &[Catchment],
    colors: &[[u8; 3]],
    caption: &Caption,
) -> Result<(), ReportError> {
    let map_error = |message: &str| ReportError::Map {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let Some(b) = bounds_of(&[region]) else {
        return Err(map_error("no zones to draw"));
    };
    let (proj, width, height) = Projection::new(b, SIZE);
    let mut page = Pixmap::new(width, height + TITLE_BAND + LEGEND_BAND)
        .ok_or_else(|| map_error("empty picture"))?;
    page.fill(Color::WHITE);
    // The map is drawn straight into its rows of the page: a picture of
    // its own, copied in, cost a tenth of a 300-zone run in fresh memory.
    let top = TITLE_BAND as usize * width as usize * 4;
    let rows = height as usize * width as usize * 4;
    let mut pixmap = PixmapMut::from_bytes(&mut page.data_mut()[top..top + rows], width, height)
        .ok_or_else(|| map_error("empty picture"))?;
    let zones = &plan.stage(stage).zones;
    let dot = |pb: &mut PathBuilder, c: Coord<f64>, r: f32| {
        let (x, y) = proj.xy(c);
        pb.push_circle(x, y, r);
    };

    // Catchments in their school's colour (the dissolved areas: a few
    // thousand paths even for a province, and no seams between zones);
    // zones without a school in grey; zones given as points as dots.
    let seam = Stroke {
        width: 0.8,
        ..Stroke::default()
    };
    for c in catchments {
        let fill = paint(colors[c.figures.school], 255);
        if let Some(path) = area_path(&proj, &c.area) {
            pixmap.fill_path(&path, &fill, FillRule::EvenOdd, Transform::identity(), None);
            pixmap.stroke_path(&path, &fill, &seam, Transform::identity(), None);
        }
    }
    let mut unplaced = PathBuilder::new();
    for (z, zone) in region.zones.iter().enumerate() {
        let shape = match &zone.shape {
            Shape::Area(mp) if zones[z].school.is_none() || zones[z].unplaced > 0 => {
                area_path(&proj, mp)
            }
            Shape::Area(_) => None,
            Shape::Point(p) => {
                let mut pb = PathBuilder::new();
                dot(&mut pb, p.0, 2.5);
                pb.finish()
            }
        };
        let Some(shape) = shape else { continue };
        let colour = zones[z]
            .school
            .map_or([0xf4, 0xf4, 0xf4], |s| colors[s as usize]);
        if zones[z].school.is_none() || matches!(zone.shape, Shape::Point(_)) {
            pixmap.fill_path(
                &shape,
                &paint(colour, 255),
                FillRule::EvenOdd,
                Transform::identity(),
                None,
            );
        }
        if zones[z].unplaced > 0 {
            unplaced.push_path(&shape);
        }
    }
    // Catchment outlines.
    let outline = paint([0x44, 0x44, 0x44], 255);
    let thin = Stroke {
        width: 1.2,
        ..Stroke::default()
    };
    for c in catchments {
        if let Some(p) = area_path(&proj, &c.area) {
            pixmap.stroke_path(&p, &outline, &thin, Transform::identity(), None);
        }
    }
    if let Some(p) = unplaced.finish() {
        let red = paint([0xd7, 0x19, 0x1c], 255);
        let stroke = Stroke {
            width: 2.0,
            ..Stroke::default()
        };
        pixmap.stroke_path(&p, &red, &stroke, Transform::identity(), None);
    }
    // Schools: filled dots sized by intake; schools without a catchment in
    // this stage (private) as small hollow dots.
    let intake: Vec<u32> = {
        let mut v = vec![0u32; region.schools.len()];
        for zp in zones {
            if let Some(s) = zp.school {
                v[s as usize] += zp.placed;
            }
        }
        v
    };
    let max_intake = intake.iter().copied().max().unwrap_or(1).max(1) as f32;
    let dark = paint([0x22, 0x22, 0x22], 255);
    let white = paint([0xff, 0xff, 0xff], 255);
    for (s, school) in region.schools.iter().enumerate() {
        if !school.kind.teaches(stage) {
            continue;
        }
        let mut pb = PathBuilder::new();
        if school.takes_catchment(stage) {
            let r = 2.5 + 5.0 * (intake[s] as f32 / max_intake).sqrt();
            dot(&mut pb, school.location.0, r);
            if let Some(p) = pb.finish() {
                pixmap.fill_path(&p, &dark, FillRule::Winding, Transform::identity(), None);
                pixmap.stroke_path(&p, &white, &thin, Transform::identity(), None);
            }
        } else {
            dot(&mut pb, school.location.0, 3.0);
            if let Some(p) = pb.finish() {
                pixmap.fill_path(&p, &white, FillRule::Winding, Transform::identity(), None);
                pixmap.stroke_path(&p, &dark, &thin, Transform::identity(), None);
            }
        }
    }
    frame(&mut page, &proj, caption);
    save_png(&page, path).map_err(|e| map_error(&e.to_string()))
}

/// The title above the map, the legend and scale bar below.
fn frame(page: &mut Pixmap, proj: &Projection, caption: &Caption) {
    let height = page.height();
    let font = cjk_font();
    if let Some(font) = font {
        draw_text(
            page,
            font,
            caption.title,
            (MARGIN as f32, 38.0),
            26.0,
            [0x11; 3],
        );
    }
    let base = (height - LEGEND_BAND / 2) as f32;
    let right = scale_bar(page, proj, font, base);
    legend(page, font, caption.lang, base, right);
}

/// Writes an opaque picture as PNG straight from its pixels: for opaque
/// pixels premultiplied and straight RGBA are the same, so tiny-skia's
/// copy of the whole picture to take the alpha out again is not needed
/// (the same bytes). Pictures with any transparent pixel go through it.
pub(crate) fn save_png(picture: &Pixmap, path: &Path) -> Result<(), png::EncodingError> {
    if !picture.data().chunks_exact(4).all(|p| p[3] == u8::MAX) {
        return picture.save_png(path);
    }
    let mut data = Vec::new();
    let mut encoder = png::Encoder::new(&mut data, picture.width(), picture.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(picture.data())?;
    std::fs::write(path, data)?;
    Ok(())
}

/// Swatches of the legend along the bottom, left of `right`.
fn legend(page: &mut Pixmap, font: Option<&ab_glyph::FontVec>, lang: Lang, base: f32, right: f32) {
    let dark = paint([0x22, 0x22, 0x22], 255);
    let white = paint([0xff, 0xff, 0xff], 255);
    let thin = Stroke {
        width: 1.2,
        ..Stroke::default()
    };
    let mut x = MARGIN as f32;
    let items: [(&str, u8); 4] = [
        ("map.catchment", 0),
        ("map.catchment_boundary", 1),
        ("map.school", 2),
        ("map.unplaced", 3),
    ];
    for (key, symbol) in items {
        let mut pb = PathBuilder::new();
        match symbol {
            0 => {
                if let Some(r) = tiny_skia::Rect::from_xywh(x, base - 7.0, 14.0, 12.0) {
                    page.fill_rect(
                        r,
                        &paint([0x8d, 0xd3, 0xc7], 255),
                        Transform::identity(),
                        None,
                    );
                }
                if let Some(r) = tiny_skia::Rect::from_xywh(x + 12.0, base - 7.0, 14.0, 12.0) {
                    page.fill_rect(
                        r,
                        &paint([0xfd, 0xb4, 0x62], 255),
                        Transform::identity(),
                        None,
                    );
                }
            }
            1 => {
                pb.move_to(x, base - 1.0);
                pb.line_to(x + 26.0, base - 1.0);
                if let Some(p) = pb.finish() {
                    let stroke = Stroke {
                        width: 2.0,
                        ..Stroke::default()
                    };
                    page.stroke_path(&p, &dark, &stroke, Transform::identity(), None);
                }
            }
            2 => {
                pb.push_circle(x + 13.0, base - 1.0, 5.0);
                if let Some(p) = pb.finish() {
                    page.fill_path(&p, &dark, FillRule::Winding, Transform::identity(), None);
                    page.stroke_path(&p, &white, &thin, Transform::identity(), None);
                }
            }
            _ => {
                if let Some(r) = tiny_skia::Rect::from_xywh(x, base - 7.0, 26.0, 12.0) {
                    let p = PathBuilder::from_rect(r);
                    let stroke = Stroke {
                        width: 2.0,
                        ..Stroke::default()
                    };
                    let red = paint([0xd7, 0x19, 0x1c], 255);
                    page.stroke_path(&p, &red, &stroke, Transform::identity(), None);
                }
            }
        }
        x += 32.0;
        if let Some(font) = font {
            let text = lang.text(key);
            let w = text_width(font, text, 14.0);
            if x + w > right - 20.0 {
                break;
            }
            draw_text(page, font, text, (x, base + 4.0), 14.0, [0x11; 3]);
            x += w + 24.0;
        }
    }
}

/// A scale bar at the bottom right; returns where it starts.
fn scale_bar(
    page: &mut Pixmap,
    proj: &Projection,
    font: Option<&ab_glyph::FontVec>,
    base: f32,
) -> f32 {
    let metres_per_pixel = proj.metres_per_pixel();
    let metres = [
        50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5,
    ]
    .into_iter()
    .rev()
    .find(|m| m / metres_per_pixel <= 200.0)
    .unwrap_or(50.0);
    let length = (metres / metres_per_pixel) as f32;
    let label = if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    };
    let label_width = font.map_or(0.0, |f| text_width(f, &label, 14.0) + 8.0);
    let x1 = page.width() as f32 - MARGIN as f32 - label_width;
    let x0 = x1 - length;
    let dark = paint([0x11, 0x11, 0x11], 255);
    let white = paint([0xff, 0xff, 0xff], 255);
    let half = length / 2.0;
    if let (Some(a), Some(b)) = (
        tiny_skia::Rect::from_xywh(x0, base - 4.0, half, 6.0),
        tiny_skia::Rect::from_xywh(x0 + half, base - 4.0, half, 6.0),
    ) {
        page.fill_rect(a, &dark, Transform::identity(), None);
        page.fill_rect(b, &white, Transform::identity(), None);
        let stroke = Stroke {
            width: 1.0,
            ..Stroke::default()
        };
        page.stroke_path(
            &PathBuilder::from_rect(b),
            &dark,
            &stroke,
            Transform::identity(),
            None,
        );
    }
    if let Some(font) = font {
        draw_text(page, font, &label, (x1 + 8.0, base + 3.0), 14.0, [0x11; 3]);
    }
    x0
}
