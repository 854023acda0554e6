//! Stacked columns, one per epoch: a term's top uids and the rest.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_legend, grouped, DrawResult, FAINT, INK, PALETTE, REST};

/// One stacked layer: a label and one value per column.
#[derive(Clone, Debug)]
pub struct Layer {
    pub label: String,
    pub values: Vec<f64>,
}

/// Columns at blocks `blocks`, layers bottom to top; the last layer is drawn grey when
/// `rest_last` (the "other uids" layer).
#[derive(Clone, Debug)]
pub struct Columns {
    pub blocks: Vec<u64>,
    pub layers: Vec<Layer>,
    pub rest_last: bool,
    pub y_desc: String,
    pub legend_title: String,
    /// Fixed top of the y axis (e.g. 100 for shares in %), or `None` for the tallest column.
    pub y_max: Option<f64>,
}

impl Columns {
    fn colour(&self, k: usize) -> RGBColor {
        if self.rest_last && k + 1 == self.layers.len() {
            REST
        } else {
            PALETTE[k % PALETTE.len()]
        }
    }

    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, _) = area.dim_in_pixel();
        let (plot, legend) = area.split_horizontally(w.saturating_sub(150));
        let count = self.blocks.len();
        let tallest = (0..count)
            .map(|i| self.layers.iter().map(|l| l.values[i]).sum::<f64>())
            .fold(0.0f64, f64::max);
        let y_max = self
            .y_max
            .unwrap_or(if tallest > 0.0 { tallest * 1.05 } else { 1.0 });
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..count as f64 - 0.5, 0f64..y_max)?;
        let blocks = &self.blocks;
        let label_block = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < blocks.len() {
                blocks[i as usize].to_string()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(FAINT)
            .x_labels(count.clamp(1, 8))
            .x_label_formatter(&label_block)
            .y_label_formatter(&|y| grouped(*y, 2))
            .x_desc("epoch (block)")
            .y_desc(self.y_desc.as_str())
            .axis_desc_style(("sans-serif", 14).into_font().color(&INK))
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .draw()?;
        let half = if count > 60 { 0.5 } else { 0.4 };
        let mut base = vec![0.0f64; count];
        for (k, layer) in self.layers.iter().enumerate() {
            let colour = self.colour(k);
            let bars: Vec<Rectangle<(f64, f64)>> = (0..count)
                .filter(|&i| layer.values[i] > 0.0)
                .map(|i| {
                    let (lo, hi) = (base[i], base[i] + layer.values[i]);
                    let x = i as f64;
                    Rectangle::new([(x - half, lo), (x + half, hi)], colour.filled())
                })
                .collect();
            chart.draw_series(bars)?;
            for (b, v) in base.iter_mut().zip(&layer.values) {
                *b += v;
            }
        }
        let entries: Vec<(String, RGBColor)> = self
            .layers
            .iter()
            .enumerate()
            .rev()
            .map(|(k, l)| (l.label.clone(), self.colour(k)))
            .collect();
        draw_legend(&legend, &self.legend_title, &entries)
    }
}
