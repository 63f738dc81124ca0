//! Line charts as PNG (plotters with an embedded font, so no system font or
//! library is needed): the scaling curve of the benchmark, and the year by
//! year charts of projections.

use std::path::Path;
use std::sync::Once;

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
    // Log axes are drawn as linear axes over log10 values, labelled back.
    let t = |v: f64| if axes.log { v.max(1e-9).log10() } else { v };
    let series: Vec<Series> = series
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            points: s.points.iter().map(|&(x, y)| (t(x), t(y))).collect(),
        })
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in series.iter().flat_map(|s| s.points.iter()) {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return Err(error(&"no points to draw"));
    }
    let xpad = ((x1 - x0) * 0.05).max(0.1);
    let ypad = ((y1 - y0) * 0.1).max(0.1);
    let (ylo, yhi) = if axes.log {
        (y0 - ypad, y1 + ypad)
    } else {
        // Counts start at zero, not below it.
        (if y0 >= 0.0 { 0.0 } else { y0 - ypad }, y1 + ypad)
    };
    // Years and counts along x get whole-number ticks only (no "2026.5").
    let whole_x = !axes.log
        && x1 - x0 <= 20.0
        && series
            .iter()
            .flat_map(|s| s.points.iter())
            .all(|&(x, _)| x.fract() == 0.0);
    let x_ticks = if whole_x { (x1 - x0) as usize + 1 } else { 10 };
    let label = |v: &f64| {
        if axes.log {
            let x = 10f64.powf(*v);
            if x >= 1.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.2}")
            }
        } else {
            format!("{v}")
        }
    };
    let root = BitMapBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(axes.title, ("sans-serif", 24))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0 - xpad..x1 + xpad, ylo..yhi)
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .x_desc(axes.x)
        .y_desc(axes.y)
        .x_labels(x_ticks)
        .x_label_formatter(&|v: &f64| {
            if whole_x {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{}", v.round())
                } else {
                    String::new()
                }
            } else {
                label(v)
            }
        })
        .y_label_formatter(&label)
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
    root.present().map_err(|e| error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        let series = [Series {
            name: "ours".into(),
            points: vec![(1000.0, 0.01), (10000.0, 0.1), (100000.0, 1.5)],
        }];
        let axes = Axes {
            title: "time vs zones",
            x: "zones",
            y: "seconds",
            log: true,
        };
        line_chart(&path, &axes, &series).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 5000);
    }
}
