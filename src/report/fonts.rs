//! Text on the PNG maps: a font with Chinese characters found on the
//! system (none is embedded: a CJK font is tens of megabytes). Where none
//! is found the PNGs carry no text at all, and the run says so, rather than
//! drawing boxes for every character.

use std::sync::OnceLock;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use tiny_skia::{Pixmap, PremultipliedColorU8};

/// Families tried first, in this order; then any face that has the
/// characters of 学校.
const PREFERRED: [&str; 7] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Droid Sans Fallback",
];

/// The system's font for Chinese text, looked up once.
pub fn cjk_font() -> Option<&'static FontVec> {
    static FONT: OnceLock<Option<FontVec>> = OnceLock::new();
    FONT.get_or_init(find).as_ref()
}

fn find() -> Option<FontVec> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let mut faces: Vec<&fontdb::FaceInfo> = db.faces().collect();
    // The same choice on every run, whatever order the folders list in.
    faces.sort_by(|a, b| {
        source_path(a)
            .cmp(&source_path(b))
            .then(a.index.cmp(&b.index))
    });
    let named = PREFERRED.iter().find_map(|family| {
        faces
            .iter()
            .find(|f| f.families.iter().any(|(name, _)| name == family))
    });
    let candidates = named.into_iter().chain(faces.iter());
    for face in candidates {
        let loaded = db
            .with_face_data(face.id, |data, index| {
                FontVec::try_from_vec_and_index(data.to_vec(), index).ok()
            })
            .flatten();
        if let Some(font) = loaded
            && "学校".chars().all(|c| font.glyph_id(c).0 != 0)
        {
            return Some(font);
        }
    }
    None
}

/// The file of the system's Chinese font, for the charts: their drawing
/// library reads the first face of a file only, so the file counts when
/// that face has the characters of 学校 (true of the usual CJK files).
pub fn cjk_font_file() -> Option<&'static [u8]> {
    static FILE: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    FILE.get_or_init(find_file).as_deref()
}

fn find_file() -> Option<Vec<u8>> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let mut faces: Vec<&fontdb::FaceInfo> = db.faces().filter(|f| f.index == 0).collect();
    faces.sort_by_key(|f| source_path(f));
    let named = PREFERRED.iter().find_map(|family| {
        faces
            .iter()
            .find(|f| f.families.iter().any(|(name, _)| name == family))
    });
    for face in named.into_iter().chain(faces.iter()) {
        let data = db.with_face_data(face.id, |data, _| data.to_vec());
        let has_chinese = data.as_deref().is_some_and(|d| {
            ab_glyph::FontRef::try_from_slice(d)
                .is_ok_and(|f| "学校".chars().all(|c| f.glyph_id(c).0 != 0))
        });
        if has_chinese {
            return data;
        }
    }
    None
}

fn source_path(face: &fontdb::FaceInfo) -> String {
    match &face.source {
        fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => {
            path.to_string_lossy().into_owned()
        }
        fontdb::Source::Binary(_) => String::new(),
    }
}

/// Width of `text` at `size` pixels.
pub fn text_width(font: &FontVec, text: &str, size: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars()
        .map(|c| scaled.h_advance(scaled.glyph_id(c)))
        .sum()
}

/// Draws `text` with its baseline starting at (x, y), blended onto the
/// picture in `color`.
pub fn draw_text(
    pixmap: &mut Pixmap,
    font: &FontVec,
    text: &str,
    (x, y): (f32, f32),
    size: f32,
    color: [u8; 3],
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let (width, height) = (pixmap.width() as i32, pixmap.height() as i32);
    let mut caret = x;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        let glyph = id.with_scale_and_position(size, point(caret, y));
        caret += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let pixels = pixmap.pixels_mut();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i32 + gx as i32;
            let py = bounds.min.y as i32 + gy as i32;
            if px < 0 || py < 0 || px >= width || py >= height {
                return;
            }
            let pixel = &mut pixels[(py * width + px) as usize];
            let a = coverage.clamp(0.0, 1.0);
            let mix = |old: u8, new: u8| (old as f32 * (1.0 - a) + new as f32 * a).round() as u8;
            if let Some(p) = PremultipliedColorU8::from_rgba(
                mix(pixel.red(), color[0]),
                mix(pixel.green(), color[1]),
                mix(pixel.blue(), color[2]),
                255,
            ) {
                *pixel = p;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_drawn_when_a_font_is_found() {
        let Some(font) = cjk_font() else {
            eprintln!("skipped: no font with Chinese characters on this system");
            return;
        };
        let mut pixmap = Pixmap::new(120, 40).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        draw_text(&mut pixmap, font, "第一小学", (4.0, 30.0), 24.0, [0, 0, 0]);
        let dark = pixmap.pixels().iter().filter(|p| p.red() < 128).count();
        assert!(dark > 50, "{dark} dark pixels");
        assert!(text_width(font, "第一小学", 24.0) > 80.0);
    }
}
