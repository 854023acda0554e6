//! A scatter of validators: stake share against dividend share, with the line y = x.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_series_legend, grouped, DrawResult, FAINT, INK, PALETTE};

/// One point; `label` is written beside it.
#[derive(Clone, Debug)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub label: Option<String>,
}

/// Groups of points (e.g. validators by scenario role), in percent on both axes, with the
/// diagonal "share of dividends = share of stake".
#[derive(Clone, Debug)]
pub struct Scatter {
    pub groups: Vec<(String, Vec<Point>)>,
    pub x_desc: String,
    pub y_desc: String,
    pub diagonal_label: String,
}

impl Scatter {
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = self
            .groups
            .iter()
            .flat_map(|(_, g)| g.iter())
            .map(|p| p.x.max(p.y))
            .fold(0.0f64, f64::max);
        let top = if top > 0.0 {
            (top * 1.1).min(100.0)
        } else {
            100.0
        };
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..top, 0f64..top)?;
        chart
            .configure_mesh()
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .x_label_formatter(&|x| grouped(*x, 1))
            .y_label_formatter(&|y| grouped(*y, 1))
            .axis_desc_style(("sans-serif", 14).into_font().color(&INK))
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .light_line_style(FAINT)
            .draw()?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (top, top)],
                grey.stroke_width(1),
            ))?
            .label(self.diagonal_label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey));
        for (k, (name, points)) in self.groups.iter().enumerate() {
            let dot = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new((p.x, p.y), 4, dot.mix(0.8).filled())),
                )?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, dot.filled()));
        }
        let style = ("sans-serif", 11).into_font().color(&INK);
        let points = self.groups.iter().flat_map(|(_, g)| g.iter());
        chart.draw_series(points.filter_map(|p| {
            let label = p.label.clone()?;
            Some(Text::new(label, (p.x, p.y), style.clone()))
        }))?;
        draw_series_legend(&mut chart)
    }
}
