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
//!   sweep.csv                         point,<param>…,epochs,block,<metric>… (sweep::sweep_csv)
//!   sweep.json                        yuma-sweep/1: {format, input, axes: [{name, values}],
//!                                     rows: [sweep::SweepRow, params as {name: integer}]}
//! --metrics FILE / yuma metrics       yuma-metrics/1 JSON (metrics::metrics_json) or the long
//!                                     CSV netuid,block,scope,uid,metric,value (metrics_csv)
//! ```
//!
//! A reader of a scenario folder takes the epochs in natural order of `epoch_NN`, reads
//! `roles.json` with serde into [`metrics::Roles`] and calls [`metrics::sequence_metrics`].
//!
//! Float quantities become the chain's integers by [`units`]' one rule:
//! round-half-even(x · scale), exact on the f64's value.

pub mod concentration;
pub mod emission;
pub mod metrics;
pub mod scenario;
pub mod sweep;
pub mod units;
