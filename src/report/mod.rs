//! Reports: what epochs computed, as pictures (an HTML page of inline SVG charts, single SVG or
//! PNG files) and as tables for data tools (Parquet).
//!
//! This room only reads outputs (`yuma-epoch/1` documents or [`EpochResult`] values); nothing
//! below it imports it.
//!
//! - [`load`] finds the epoch documents below output folders (replay, batch, scenario) and
//!   groups them into series: one subnet's epochs in block order.
//! - [`stats`] holds the few figures the charts show (shares, Lorenz curve, Gini).
//! - [`charts`] draws each chart with `plotters` on any backend (SVG string, RGB bitmap).
//! - [`html`] lays the charts out as one self-contained page: inline SVG and an inline
//!   stylesheet, no script, nothing fetched.
//! - [`sweep`] draws a `yuma sweep` table as heatmaps, one per metric.
//! - [`parquet`] streams epoch results into Parquet tables; [`records`] writes flat JSON rows
//!   (a sweep table) as one.
//!
//! [`EpochResult`]: crate::output::EpochResult

pub mod assemble;
pub mod build;
pub mod charts;
pub mod font;
pub mod html;
pub mod load;
pub mod metrics_table;
pub mod parquet;
pub mod records;
pub mod stats;
pub mod sweep;

/// A report that cannot be made: one line naming the file and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReportError(pub String);

impl ReportError {
    pub fn new(message: impl Into<String>) -> Self {
        ReportError(message.into())
    }
}
