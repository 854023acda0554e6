//! Analysis: what-if scenarios, hyperparameter sweeps, concentration metrics and the emission
//! schedule. This room reads epoch outputs and drives engines; it never changes `yuma-epoch/1`,
//! and nothing below it (formats, epoch, engines) imports it.
//!
//! Output folders (stable: the report reads them):
//!
//! ```text
//! scenario DIR/                       (`yuma scenario NAME -o DIR`)
//!   scenario.toml                     the scenario as run (after --yuma / --seed overrides)
//!   roles.json                        metrics::Roles: honest and copier uids, quality[epoch][uid]
//!   summary.json                      yuma-scenario-summary/1 (see scenario::Summary)
//!   epoch_NN/snapshot.json            the input of epoch NN, carried fields included
//!   epoch_NN/epoch.json               its yuma-epoch/1 output (`yuma replay DIR --check` passes)
//! sweep DIR/                          (`yuma sweep … -o DIR`)
//!   sweep.csv, sweep.json             one row per grid point (see sweep::SweepRow)
//! ```
//!
//! Float quantities become the chain's integers by [`units`]' one rule:
//! round-half-even(x · scale), exact on the f64's value.

pub mod concentration;
pub mod emission;
pub mod metrics;
pub mod scenario;
pub mod sweep;
pub mod units;
