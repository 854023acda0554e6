//! A heatmap: rows × columns of values on a viridis-like scale, with a colour bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{grouped, DrawResult, INK};

/// Rows (top to bottom) × columns of values; `None` is a cell with no entry (drawn light grey).
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub values: Vec<Vec<Option<f64>>>,
    pub x_desc: String,
    pub y_desc: String,
    /// What the colour means, with its unit.
    pub scale_desc: String,
    pub range: (f64, f64),
    /// Write each cell's value in it (for small grids).
    pub annotate: bool,
}

const STOPS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];
const EMPTY: RGBColor = RGBColor(238, 238, 238);

/// The colour of `t` in [0, 1] on the scale (clamped).
pub fn scale(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let k = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Heatmap {
    fn unit(&self, v: f64) -> f64 {
        let (lo, hi) = self.range;
        if hi > lo {
            (v - lo) / (hi - lo)
        } else {
            1.0
        }
    }

    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, _) = area.dim_in_pixel();
        let (plot, bar) = area.split_horizontally(w.saturating_sub(110));
        let (nr, nc) = (self.rows.len(), self.cols.len());
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..nc as f64 - 0.5, -0.5f64..nr as f64 - 0.5)?;
        let at = |labels: &[String], x: f64, flip: bool| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 || i as usize >= labels.len() {
                return String::new();
            }
            let i = i as usize;
            labels[if flip { labels.len() - 1 - i } else { i }].clone()
        };
        let x_fmt = |x: &f64| at(&self.cols, *x, false);
        let y_fmt = |y: &f64| at(&self.rows, *y, true);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nc.clamp(1, 16))
            .y_labels(nr.clamp(1, 16))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .axis_desc_style(("sans-serif", 14).into_font().color(&INK))
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .draw()?;
        let mut cells = Vec::with_capacity(nr * nc);
        for (r, row) in self.values.iter().enumerate() {
            let y = (nr - 1 - r) as f64;
            for (c, v) in row.iter().enumerate() {
                let colour = v.map_or(EMPTY, |v| scale(self.unit(v)));
                let x = c as f64;
                cells.push(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    colour.filled(),
                ));
            }
        }
        chart.draw_series(cells)?;
        if self.annotate {
            let (black, white) = (RGBColor(20, 20, 20), RGBColor(250, 250, 250));
            let mut labels = Vec::new();
            for (r, row) in self.values.iter().enumerate() {
                let y = (nr - 1 - r) as f64;
                for (c, v) in row.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let ink = if self.unit(*v) > 0.6 { black } else { white };
                    let style = ("sans-serif", 11)
                        .into_font()
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    labels.push(Text::new(format!("{v:.3}"), (c as f64, y), style));
                }
            }
            chart.draw_series(labels)?;
        }
        self.draw_bar(&bar)
    }

    /// The colour bar: the scale bottom (low) to top (high), with its ends and middle labelled.
    fn draw_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = (40i32, h as i32 - 60);
        let steps = 64;
        let span = (bottom - top).max(1);
        for s in 0..steps {
            let y0 = bottom - span * (s + 1) / steps;
            let y1 = bottom - span * s / steps;
            let colour = scale((s as f64 + 0.5) / steps as f64);
            area.draw(&Rectangle::new([(10, y0), (30, y1)], colour.filled()))?;
        }
        let style = ("sans-serif", 12).into_font().color(&INK);
        let (lo, hi) = self.range;
        let digits = if (hi - lo).abs() >= 100.0 { 0 } else { 3 };
        for (frac, v) in [(0.0, lo), (0.5, (lo + hi) / 2.0), (1.0, hi)] {
            let y = bottom - (span as f64 * frac) as i32;
            area.draw(&Text::new(grouped(v, digits), (34, y - 6), style.clone()))?;
        }
        area.draw(&Text::new(
            self.scale_desc.clone(),
            (4, 12),
            ("sans-serif", 12).into_font().color(&INK),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_ends() {
        assert_eq!(scale(0.0), RGBColor(68, 1, 84));
        assert_eq!(scale(1.0), RGBColor(253, 231, 37));
        assert_eq!(scale(f64::NAN), RGBColor(68, 1, 84));
    }
}
