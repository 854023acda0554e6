//! The charts: each kind holds its data and draws itself with `plotters` on any backend, so
//! one chart becomes inline SVG (the HTML page, `--svg`) or a PNG (`--png`) alike.

mod columns;
mod heatmap;
mod lorenz;
mod scatter;

pub use columns::{Columns, Layer};
pub use heatmap::Heatmap;
pub use lorenz::{Lorenz, LorenzCurve};
pub use scatter::{Point, Scatter};

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{font, ReportError};

/// What a chart drawing returns on a backend.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The data of one chart, by kind.
#[derive(Clone, Debug)]
pub enum ChartData {
    Columns(Columns),
    Heatmap(Heatmap),
    Scatter(Scatter),
    Lorenz(Lorenz),
}

/// One chart: a file-safe id (also the SVG/PNG file stem), a title, a sentence saying how
/// to read it (the page's caption) and its data.
#[derive(Clone, Debug)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub data: ChartData,
}

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (720, 420);

/// Colours of the series, in order (colour-blind safe: Okabe–Ito, then Tol's muted), and the
/// grey of "the rest".
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(51, 34, 136),
    RGBColor(136, 204, 238),
    RGBColor(170, 68, 153),
];
pub const REST: RGBColor = RGBColor(190, 190, 190);
pub const INK: RGBColor = RGBColor(40, 40, 40);
/// The minor grid lines: barely there.
pub const FAINT: RGBColor = RGBColor(246, 246, 246);

impl Chart {
    /// Draws the chart (white background, title on top) on `area`.
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        area.fill(&WHITE)?;
        let area = area.titled(&self.title, ("sans-serif", 17).into_font().color(&INK))?;
        match &self.data {
            ChartData::Columns(c) => c.draw(&area),
            ChartData::Heatmap(h) => h.draw(&area),
            ChartData::Scatter(s) => s.draw(&area),
            ChartData::Lorenz(l) => l.draw(&area),
        }
    }

    /// The chart as an SVG document (`<svg …>…</svg>`).
    pub fn svg(&self) -> Result<String, ReportError> {
        font::ensure()?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
            self.draw(&root).map_err(|e| self.error(e))?;
            root.present().map_err(|e| self.error(e))?;
        }
        Ok(out)
    }

    /// The chart as a PNG file's bytes (RGB, 8 bits per channel).
    pub fn png(&self) -> Result<Vec<u8>, ReportError> {
        font::ensure()?;
        let (w, h) = SIZE;
        let mut pixels = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            self.draw(&root).map_err(|e| self.error(e))?;
            root.present().map_err(|e| self.error(e))?;
        }
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| ReportError::new(format!("chart {}: PNG: {e}", self.id)))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| ReportError::new(format!("chart {}: PNG: {e}", self.id)))?;
        writer
            .finish()
            .map_err(|e| ReportError::new(format!("chart {}: PNG: {e}", self.id)))?;
        Ok(bytes)
    }

    fn error(&self, e: impl std::fmt::Display) -> ReportError {
        ReportError::new(format!("chart {}: cannot draw: {e}", self.id))
    }
}

/// A legend in its own area: a colour square and a label per entry, top to bottom.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[(String, RGBColor)],
) -> DrawResult<DB> {
    let style = ("sans-serif", 13).into_font().color(&INK);
    area.draw(&Text::new(title.to_string(), (4, 8), style.clone()))?;
    for (k, (label, colour)) in entries.iter().enumerate() {
        let y = 30 + 19 * k as i32;
        area.draw(&Rectangle::new([(4, y), (16, y + 12)], colour.filled()))?;
        area.draw(&Text::new(label.clone(), (22, y), style.clone()))?;
    }
    Ok(())
}

/// The legend of the labelled series, boxed in the plot's upper left corner.
pub fn draw_series_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 12).into_font().color(&INK))
        .draw()
}

/// A number with thousands separators and at most `decimals` decimals (`12,345.6`).
pub fn grouped(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn grouping() {
        assert_eq!(grouped(1234567.0, 0), "1,234,567");
        assert_eq!(grouped(12.50, 2), "12.5");
        assert_eq!(grouped(-1000.0, 0), "-1,000");
        assert_eq!(grouped(0.0, 1), "0");
    }
}
