//! `yuma epoch`: one snapshot in, one yuma-epoch/1 (or CSV, or trace) out.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::backend::{make_engine, Backend};
use super::{write_out, CliError};
use yuma::compare::compare;
use yuma::epoch::trace::{trace_json, Trace};
use yuma::jobs::write_atomic;
use yuma::output::{result_json, write_csv, EpochResult, Terms};
use yuma::recorded::{recorded_from_epoch, recorded_json};
use yuma::snapshot::read_snapshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// yuma-epoch/1 JSON, laid out as FORMAT.md describes (byte-identical to the goldens)
    Json,
    /// one row per uid: uid,active,stake,stake_weight,new_validator_permit,consensus,
    /// validator_trust,incentive,dividend,server_emission,validator_emission,emission
    Csv,
}

/// Compute the epoch of one snapshot.
///
/// Reads a yuma-snapshot/1 file and writes the yuma-epoch/1 document: the per-uid terms the chain
/// stores (u16 stake, consensus, trust, incentive, dividend; rao emissions; new permits; bonds)
/// and the raw I32F32 bits. For a multi-mechanism snapshot the output holds the aggregated terms
/// and every mechanism's own epoch.
#[derive(Args)]
pub struct EpochArgs {
    /// The yuma-snapshot/1 file.
    pub snapshot: PathBuf,
    /// Where to write (default: standard output; `-` also means standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Write a yuma-trace/1 document instead: every intermediate stage as the chain logs it
    /// (JSON only).
    #[arg(long)]
    pub trace: bool,
    /// For a multi-mechanism snapshot: write mechanism M's own epoch instead of the aggregate.
    #[arg(long, value_name = "M")]
    pub mechanism: Option<usize>,
    /// Which engine computes the epoch (`--trace` always uses the CPU reference).
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Also write the recorded cut of the computed epoch (yuma-recorded/1: exactly the values the
    /// chain stores after an epoch, the input of `yuma validate`) to this file.
    #[arg(long, value_name = "FILE")]
    pub recorded: Option<PathBuf>,
    /// Also compute the epoch on the CPU reference and fail, naming stage/field/uid, on any
    /// difference.
    #[arg(long)]
    pub verify: bool,
}

pub fn run(a: EpochArgs) -> Result<(), CliError> {
    if a.trace && a.format == Format::Csv {
        return Err(CliError::new(
            "--trace writes a JSON document; it cannot be combined with --format csv",
        ));
    }
    let snapshot = read_snapshot(&a.snapshot)?;
    if let Some(m) = a.mechanism {
        if !snapshot.is_multi() {
            return Err(CliError::new(format!(
                "{}: --mechanism needs a multi-mechanism snapshot (one with a `mechanisms` array)",
                a.snapshot.display()
            )));
        }
        if m >= snapshot.mechanisms.len() {
            return Err(CliError::new(format!(
                "{}: --mechanism {m}: the snapshot has {} mechanisms (0 to {})",
                a.snapshot.display(),
                snapshot.mechanisms.len(),
                snapshot.mechanisms.len() - 1
            )));
        }
    }
    let mut traces: Vec<Trace> = Vec::new();
    let result = if a.trace {
        yuma::epoch::run_snapshot(&snapshot, Some(&mut traces))
    } else {
        let mut engine = make_engine(a.backend)?;
        engine.run(&snapshot).map_err(|e| {
            CliError::new(format!(
                "{}: {} backend: {e}",
                a.snapshot.display(),
                engine.name()
            ))
        })?
    };
    if a.verify {
        let reference = yuma::epoch::run_snapshot(&snapshot, None);
        let diffs = compare(&reference, &result);
        if !diffs.is_empty() {
            for d in diffs.iter().take(10) {
                eprintln!("  {d}");
            }
            return Err(CliError::failed(format!(
                "{}: --verify: {} differences from the CPU reference (expected = CPU, got = this backend)",
                a.snapshot.display(),
                diffs.len()
            )));
        }
    }
    if let Some(path) = &a.recorded {
        write_atomic(path, &recorded_json(&recorded_from_epoch(&result))).map_err(CliError::new)?;
    }
    let text = match (&result, a.mechanism) {
        (EpochResult::Multi(multi), Some(m)) => {
            let one = EpochResult::Single(multi.mechanisms[m].clone());
            if a.trace {
                trace_json(&one, &traces[m..=m])
            } else if a.format == Format::Csv {
                write_csv(&Terms::from(&multi.mechanisms[m]))
            } else {
                result_json(&one, false)
            }
        }
        _ if a.trace => trace_json(&result, &traces),
        _ if a.format == Format::Csv => write_csv(&result.terms()),
        _ => result_json(&result, false),
    };
    write_out(a.output.as_deref(), &text)
}
