//! `yuma explain`: why did uid U get this?

use std::path::PathBuf;

use clap::Args;

use super::{write_out, CliError};
use yuma::explain::{explain, explain_json, explain_text};
use yuma::snapshot::read_snapshot;

/// Explain one uid's epoch: every number with the stage it comes from.
///
/// Computes the epoch of SNAPSHOT on the CPU reference with its trace (the same computation as
/// `yuma epoch --trace`) and prints, for uid U of mechanism M: its stake and permits, whether it
/// is active, the validators that weight it (stored, masked, normalized, clipped at the
/// consensus of its column), its incentive, the weights it sets and its validator trust, the
/// bonds it holds and receives with the EMA rate (liquid alpha's per-entry value where enabled),
/// its dividends and emissions, and the values the chain stores for it.
#[derive(Args)]
pub struct ExplainArgs {
    /// The yuma-snapshot/1 file.
    pub snapshot: PathBuf,
    /// The uid to explain.
    #[arg(long)]
    pub uid: u16,
    /// The mechanism (default 0).
    #[arg(long, default_value_t = 0)]
    pub mechanism: usize,
    /// Write the yuma-explain/1 JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// Where to write (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(a: ExplainArgs) -> Result<(), CliError> {
    let snapshot = read_snapshot(&a.snapshot)?;
    let e = explain(&snapshot, a.uid, a.mechanism)
        .map_err(|e| CliError::new(format!("{}: {e}", a.snapshot.display())))?;
    let text = if a.json {
        explain_json(&e)
    } else {
        explain_text(&e)
    };
    write_out(a.output.as_deref(), &text)
}
