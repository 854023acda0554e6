//! A whole report: the series found below the inputs, laid out as sections of charts.
//!
//! Two to four series (e.g. one scenario run under Yuma 2 and Yuma 3) are compared side by
//! side: one section per chart kind, the series next to each other. Otherwise every series has
//! a section of its own.

use std::path::PathBuf;

use super::build::{chart, Kind, KINDS};
use super::charts::{grouped, Chart};
use super::html::{page, Section};
use super::load::{load_series, Series};
use super::sweep::{read_sweep, sweep_section};
use super::ReportError;

/// Most series compared side by side.
const SIDE_BY_SIDE: usize = 4;

/// A report ready to be written as HTML, SVG or PNG files.
#[derive(Clone, Debug)]
pub struct Report {
    pub title: String,
    pub meta: Vec<String>,
    pub sections: Vec<Section>,
}

impl Report {
    /// Loads every series below the inputs and draws its charts.
    pub fn from_inputs(inputs: &[PathBuf], title: &str) -> Result<Report, ReportError> {
        let mut sweeps = Vec::new();
        let mut epoch_inputs = Vec::new();
        for input in inputs {
            match read_sweep(input)? {
                Some(t) => sweeps.push(t),
                None => epoch_inputs.push(input.clone()),
            }
        }
        let loaded = if epoch_inputs.is_empty() {
            Default::default()
        } else {
            load_series(&epoch_inputs)?
        };
        let list: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        let epochs: usize = loaded.series.iter().map(|s| s.epochs.len()).sum();
        let meta = vec![format!("Inputs: {}", list.join(", ")), {
            let mut parts = Vec::new();
            if !sweeps.is_empty() {
                parts.push(format!("{} sweep table(s)", sweeps.len()));
            }
            if !loaded.series.is_empty() {
                parts.push(format!("{} series, {epochs} epochs", loaded.series.len()));
            }
            format!(
                "{}. Made by yuma {} from its outputs; shares are of the subnet's total, \
emissions in α (10⁹ rao).",
                parts.join(", "),
                env!("CARGO_PKG_VERSION")
            )
        }];
        let series = &loaded.series;
        let mut sections: Vec<Section> = Vec::new();
        sections.extend(if (2..=SIDE_BY_SIDE).contains(&series.len()) {
            side_by_side(series)
        } else {
            series
                .iter()
                .enumerate()
                .map(|(i, s)| one_series(s, i))
                .collect()
        });
        sections.extend(sweeps.iter().enumerate().map(|(i, t)| sweep_section(t, i)));
        Ok(Report {
            title: title.to_string(),
            meta,
            sections,
        })
    }

    /// Every chart, in page order.
    pub fn charts(&self) -> impl Iterator<Item = &Chart> {
        self.sections.iter().flat_map(|s| s.charts.iter())
    }

    /// The self-contained HTML page.
    pub fn html(&self) -> Result<String, ReportError> {
        page(&self.title, &self.meta, &self.sections)
    }
}

/// One line about a series: epochs, blocks, size, validators, emission.
fn summary(s: &Series) -> String {
    let (Some(first), Some(last)) = (s.epochs.first(), s.epochs.last()) else {
        return String::new();
    };
    let emitted: u128 = s
        .epochs
        .iter()
        .flat_map(|e| e.emission.iter())
        .map(|&x| u128::from(x))
        .sum();
    let validators = last.new_validator_permit.iter().filter(|&&p| p).count();
    let mech = if s.mechanisms > 1 {
        format!(", {} mechanisms", s.mechanisms)
    } else {
        String::new()
    };
    format!(
        "{} epoch(s), blocks {} to {}; n = {}{mech}; {validators} validator permits after the \
last epoch; {} α emitted in all.",
        s.epochs.len(),
        first.block,
        last.block,
        last.n,
        grouped(emitted as f64 / 1e9, 3)
    )
}

fn missing(kind: Kind, s: &Series) -> String {
    let what = match kind {
        Kind::Bonds => "no bonds stored after the last epoch",
        Kind::StakeVsDividends => "no validator holds stake",
        Kind::Lorenz => "every emission and stake is zero",
        _ => "nothing to show",
    };
    format!("{}: {} chart left out ({what}).", s.label(), kind.slug())
}

fn one_series(s: &Series, index: usize) -> Section {
    let prefix = format!("s{:02}", index + 1);
    let mut charts = Vec::new();
    let mut notes = Vec::new();
    for kind in KINDS {
        match chart(s, kind, &prefix) {
            Some(c) => charts.push(c),
            None => notes.push(missing(kind, s)),
        }
    }
    Section {
        title: s.label(),
        summary: summary(s),
        columns: 2,
        charts,
        notes,
    }
}

fn side_by_side(series: &[Series]) -> Vec<Section> {
    let names: Vec<String> = series.iter().map(Series::label).collect();
    let mut sections = vec![Section {
        title: "The series compared".to_string(),
        summary: series
            .iter()
            .map(|s| format!("{}: {}", s.label(), summary(s)))
            .collect::<Vec<_>>()
            .join("  ·  "),
        columns: 1,
        charts: Vec::new(),
        notes: Vec::new(),
    }];
    for kind in KINDS {
        let mut charts = Vec::new();
        let mut notes = Vec::new();
        for (i, s) in series.iter().enumerate() {
            match chart(s, kind, &format!("s{:02}", i + 1)) {
                Some(c) => charts.push(c),
                None => notes.push(missing(kind, s)),
            }
        }
        let title = charts.first().map_or_else(
            || kind.slug().to_string(),
            |c| c.title.split(" — ").next().unwrap_or("").to_string(),
        );
        sections.push(Section {
            title: format!("{title}: {}", names.join(" | ")),
            summary: String::new(),
            columns: series.len().min(2),
            charts,
            notes,
        });
    }
    sections
}
