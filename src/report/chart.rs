//! Line charts as PNG (plotters with an embedded font, so no system font or
//! library is needed): the scaling curve of the benchmark, and the year by
//! year charts of projections.

use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

use super::ReportError;

/// DejaVu Sans (free licence, see assets/fonts): drawn text needs a font,
/// and a fresh machine may have none.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The font is embedded and valid; failure would be a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
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
    let root = BitMapBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(axes.title, ("sans-serif", 24))
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
                format!("{v}")
            }
        };
        draw(chart, axes, series, 10, &label, &label).map_err(|e| error(&e))?;
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
                format!("{v}")
            } else if (v - v.round()).abs() < 1e-6 {
                format!("{}", v.round())
            } else {
                String::new()
            }
        };
        draw(chart, axes, series, x_ticks, &x_label, &|v| format!("{v}")).map_err(|e| error(&e))?;
    }
    root.present().map_err(|e| error(&e))?;
    Ok(())
}

/// The mesh, the lines and the legend, on linear or logarithmic axes.
fn draw<'a, X, Y>(
    mut chart: ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
    axes: &Axes,
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
    chart
        .configure_mesh()
        .x_desc(axes.x)
        .y_desc(axes.y)
        .x_labels(x_ticks)
        .x_label_formatter(x_label)
        .y_label_formatter(y_label)
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| error(&e))?;
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| error(&e))?
            .label(s.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, colour.filled())))
            .map_err(|e| error(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| error(&e))?;
    Ok(())
}
