//! Lorenz curves, each with its Gini coefficient in the legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_series_legend, DrawResult, FAINT, INK, PALETTE};

/// One curve: points `(share of uids, share of the total)`, both in [0, 1].
#[derive(Clone, Debug)]
pub struct LorenzCurve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub gini: f64,
}

/// Curves over the line of equality.
#[derive(Clone, Debug)]
pub struct Lorenz {
    pub curves: Vec<LorenzCurve>,
    pub x_desc: String,
    pub y_desc: String,
}

impl Lorenz {
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..100.0, 0f64..100.0)?;
        chart
            .configure_mesh()
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .axis_desc_style(("sans-serif", 14).into_font().color(&INK))
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .light_line_style(FAINT)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (100.0, 100.0)], grey))?
            .label("equality (Gini 0)")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey));
        for (k, curve) in self.curves.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let points = curve.points.iter().map(|&(x, y)| (x * 100.0, y * 100.0));
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(format!("{} (Gini {:.3})", curve.label, curve.gini))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
                });
        }
        draw_series_legend(&mut chart)
    }
}
