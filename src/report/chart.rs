//! Line charts as PNG (plotters with an embedded font, so no system font or
//! library is needed): the scaling curve of the benchmark, the year by
//! year charts of projections and compare's curves.
//!
//! The embedded font has no Chinese characters. Chinese words are drawn
//! with the system's CJK font (the one the maps use, see `fonts`); where
//! there is none the chart keeps its lines and numbers but no words, and
//! the command says so ([`missing_chart_font_note`]) rather than drawing a
//! box for every character.

use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

use super::ReportError;
use super::fonts::cjk_font_file;
use crate::i18n::Lang;
use crate::tr;

/// DejaVu Sans (free licence, see assets/fonts): drawn text needs a font,
/// and a fresh machine may have none.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// The family name the system's CJK font is registered under.
const CJK: &str = "cjk";

fn register_font() {
    REGISTER.call_once(|| {
        // The font is embedded and valid; failure would be a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
        if let Some(file) = cjk_font_file() {
            let _ = plotters::style::register_font(CJK, FontStyle::Normal, file);
        }
    });
}

/// The family for a chart's words: the embedded font for ASCII text, the
/// system's CJK font for the rest, none where there is no such font.
fn words_family(texts: &[&str]) -> Option<&'static str> {
    if texts.iter().all(|t| t.is_ascii()) {
        Some("sans-serif")
    } else {
        cjk_font_file().map(|_| CJK)
    }
}

/// The note for the document and stderr when charts in `lang` have no
/// words: Chinese needs a CJK font and none was found.
pub fn missing_chart_font_note(lang: Lang) -> Option<String> {
    (lang == Lang::Zh && cjk_font_file().is_none())
        .then(|| tr!(lang, "report.no_cjk_font_charts").to_string())
}

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Axes of a chart.
#[derive(Clone, Debug)]
pub struct Axes<'a> {
    pub title: &'a str,
    pub x: &'a str,
    pub y: &'a str,
    /// Logarithmic axes (for scaling curves over decades).
    pub log: bool,
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
];

/// Draws the series as lines with points into a 1000 x 640 PNG.
pub fn line_chart(path: &Path, axes: &Axes, series: &[Series]) -> Result<(), ReportError> {
    register_font();
    let error = |e: &dyn std::fmt::Display| ReportError::Map {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points() {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return Err(error(&"no points to draw"));
    }
    let mut texts = vec![axes.title, axes.x, axes.y];
    texts.extend(series.iter().map(|s| s.name.as_str()));
    let words = words_family(&texts);
    let root = BitMapBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut builder = ChartBuilder::on(&root);
    if let Some(family) = words {
        builder.caption(axes.title, (family, 24));
    }
    builder
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70);
    if axes.log {
        // Log axes put their ticks on 1-2-5 steps of each decade.
        let (x0, y0) = (x0.max(1e-9), y0.max(1e-9));
        let chart = builder
            .build_cartesian_2d(
                (x0 / 1.2..x1 * 1.2).log_scale(),
                (y0 / 1.5..y1 * 1.5).log_scale(),
            )
            .map_err(|e| error(&e))?;
        let label = |v: &f64| {
            if *v >= 1.0 {
                format!("{v:.0}")
            } else {
                tick(*v)
            }
        };
        draw(chart, axes, words, series, 10, &label, &label).map_err(|e| error(&e))?;
    } else {
        let xpad = ((x1 - x0) * 0.05).max(0.1);
        let ypad = ((y1 - y0) * 0.1).max(0.1);
        // Counts start at zero, not below it.
        let ylo = if y0 >= 0.0 { 0.0 } else { y0 - ypad };
        let chart = builder
            .build_cartesian_2d(x0 - xpad..x1 + xpad, ylo..y1 + ypad)
            .map_err(|e| error(&e))?;
        // Years and counts along x get whole-number ticks only (no "2026.5").
        let whole_x = x1 - x0 <= 20.0 && points().all(|&(x, _)| x.fract() == 0.0);
        let x_ticks = if whole_x { (x1 - x0) as usize + 1 } else { 10 };
        let x_label = |v: &f64| {
            if !whole_x {
                tick(*v)
            } else if (v - v.round()).abs() < 1e-6 {
                format!("{}", v.round())
            } else {
                String::new()
            }
        };
        draw(chart, axes, words, series, x_ticks, &x_label, &|v| tick(*v))
            .map_err(|e| error(&e))?;
    }
    root.present().map_err(|e| error(&e))?;
    Ok(())
}

/// A tick's number without the float noise of its step (`0.6`, never
/// `0.6000000000000001`).
fn tick(v: f64) -> String {
    format!("{}", (v * 1e9).round() / 1e9)
}

/// The mesh, the lines and the legend, on linear or logarithmic axes; the
/// axis names and the legend only with a font for their words.
fn draw<'a, X, Y>(
    mut chart: ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
    axes: &Axes,
    words: Option<&'static str>,
    series: &[Series],
    x_ticks: usize,
    x_label: &dyn Fn(&f64) -> String,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let error = |e: &dyn std::fmt::Display| e.to_string();
    let mut mesh = chart.configure_mesh();
    if let Some(family) = words {
        mesh.x_desc(axes.x)
            .y_desc(axes.y)
            .axis_desc_style((family, 16));
    }
    // Tick labels are numbers: the embedded font has them.
    mesh.x_labels(x_ticks)
        .x_label_formatter(x_label)
        .y_label_formatter(y_label)
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| error(&e))?;
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let drawn = chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| error(&e))?;
        if words.is_some() {
            drawn.label(s.name.clone()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        }
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, colour.filled())))
            .map_err(|e| error(&e))?;
    }
    if let Some(family) = words {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((family, 16))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| error(&e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(tick(0.1 + 0.2 + 0.3), "0.6");
        assert_eq!(tick(2026.0), "2026");
        assert_eq!(tick(-0.25), "-0.25");
    }

    #[test]
    fn chinese_words_are_drawn_only_with_a_chinese_font() {
        assert_eq!(words_family(&["km", "A primary"]), Some("sans-serif"));
        let family = words_family(&["公里", "A 小学"]);
        assert_eq!(family.is_some(), cjk_font_file().is_some());
        assert_eq!(
            missing_chart_font_note(Lang::Zh).is_some(),
            cjk_font_file().is_none()
        );
        assert!(missing_chart_font_note(Lang::En).is_none());
    }
}
