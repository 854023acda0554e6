//! `yuma replay`: consecutive epochs of one subnet, each fed the state the previous one stored.

use std::path::{Path, PathBuf};

use clap::Args;

use super::backend::{make_engine, Backend};
use super::CliError;
use yuma::compare::compare;
use yuma::engine::Engine;
use yuma::jobs::write_atomic;
use yuma::json::Compact;
use yuma::output::{read_epoch, result_json, EpochResult};
use yuma::recorded::read_recorded;
use yuma::replay::{carry_into, epoch_name, next_snapshot, sequence_folders};
use yuma::snapshot::{read_snapshot, write_snapshot, Snapshot};
use yuma::validate::validate;

/// Run consecutive epochs, chaining bonds, permits and the last step block.
///
/// Two forms:
///
/// `yuma replay SEQUENCE_DIR -o OUTDIR [--check]`: SEQUENCE_DIR holds one folder per epoch
/// (epoch_00/, epoch_01/, … in natural order), each with a snapshot.json. Every epoch uses its
/// own snapshot's block, weights, stakes and last_update, but takes `bonds` (per mechanism for a
/// multi-mechanism snapshot), `validator_permit` (= the previous new_validator_permit) and
/// `last_mechanism_step_block` (= the previous block) from the epoch yuma computed before it;
/// only the first epoch uses its file's. Writes OUTDIR/<epoch folder>/epoch.json.
///
/// `yuma replay SNAPSHOT --epochs K -o OUTDIR`: runs K epochs from one snapshot. Epoch k+1 has
/// block = block_k + tempo + 1, last_mechanism_step_block = block_k, the bonds and new permits of
/// epoch k, and every other field repeated — last_update included, so validators go inactive
/// once block > last_update + activity_cutoff. Writes OUTDIR/epoch_NN/epoch.json, NN = 00 …
/// K−1 zero-padded to max(2, digits of K−1) (epoch_000 … epoch_100 for K = 101).
///
/// `--check` compares every computed epoch with the epoch.json beside its snapshot (bit for
/// bit) or, in a folder that holds recorded.json instead (a history fetched from a node), with
/// what the chain recorded, by the rules of `yuma validate`. It prints pass/FAIL per epoch with
/// the first differences, names the first epoch that diverges, then `N passed, M failed`, and
/// exits non-zero when any epoch fails; with --check, -o is optional.
#[derive(Args)]
pub struct ReplayArgs {
    /// A sequence folder (epoch_00/snapshot.json, epoch_01/snapshot.json, …) or, with
    /// --epochs, one snapshot file.
    pub input: PathBuf,
    /// Run K epochs forward from the snapshot file INPUT.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: Option<u32>,
    /// Folder to write OUTDIR/<epoch>/epoch.json into (created if missing).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: Option<PathBuf>,
    /// Compare each epoch with the epoch.json (or recorded.json) beside its snapshot (sequence
    /// folders only).
    #[arg(long)]
    pub check: bool,
    /// How many differences to print for a failing epoch.
    #[arg(long, default_value_t = 5)]
    pub show: usize,
    /// Also write each epoch's input (with the carried fields) as OUTDIR/<epoch>/snapshot.json,
    /// so OUTDIR is itself a sequence folder that `yuma replay --check` accepts.
    #[arg(long)]
    pub write_snapshots: bool,
    /// Which engine computes the epochs.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Also write the metrics of the written epochs (JSON, or CSV when FILE ends in .csv;
    /// needs -o).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

pub fn run(a: ReplayArgs) -> Result<(), CliError> {
    if a.output.is_none() && !a.check {
        return Err(CliError::new(
            "nothing to do: give -o OUTDIR to write the epochs (and/or --check)",
        ));
    }
    let mut engine = make_engine(a.backend)?;
    match a.epochs {
        Some(k) => forward(&a, engine.as_mut(), k as usize),
        None => sequence(&a, engine.as_mut()),
    }?;
    metrics_after(&a)
}

/// `--metrics FILE`: the metrics of the epochs written to OUTDIR.
fn metrics_after(a: &ReplayArgs) -> Result<(), CliError> {
    match &a.metrics {
        Some(file) => super::metrics::metrics_of_output(a.output.as_deref(), file),
        None => Ok(()),
    }
}

fn compute(engine: &mut dyn Engine, s: &Snapshot, file: &Path) -> Result<EpochResult, CliError> {
    engine
        .run(s)
        .map_err(|e| CliError::new(format!("{}: engine: {e}", file.display())))
}

/// Writes one epoch's outputs below OUTDIR/name when an output folder was given.
fn write_epoch(
    a: &ReplayArgs,
    name: &str,
    snapshot: &Snapshot,
    result: &EpochResult,
) -> Result<(), CliError> {
    let Some(out) = &a.output else {
        return Ok(());
    };
    let dir = out.join(name);
    if a.write_snapshots {
        write_atomic(&dir.join("snapshot.json"), &write_snapshot(snapshot))
            .map_err(CliError::new)?;
    }
    write_atomic(&dir.join("epoch.json"), &result_json(result, false)).map_err(CliError::new)
}

/// `--epochs K` from one snapshot file.
fn forward(a: &ReplayArgs, engine: &mut dyn Engine, count: usize) -> Result<(), CliError> {
    if a.check {
        return Err(CliError::new(
            "--check needs a sequence folder (epoch_00/, epoch_01/, … each with snapshot.json \
and epoch.json); --epochs has nothing to compare with",
        ));
    }
    if a.input.is_dir() {
        return Err(CliError::new(format!(
            "{}: --epochs runs forward from one snapshot file, not a folder",
            a.input.display()
        )));
    }
    let mut snapshot = read_snapshot(&a.input)?;
    let first_block = snapshot.block;
    for k in 0..count {
        let result = compute(engine, &snapshot, &a.input)?;
        write_epoch(a, &epoch_name(k, count), &snapshot, &result)?;
        if k + 1 < count {
            snapshot = next_snapshot(&snapshot, &result)
                .map_err(|e| CliError::new(format!("{}: {e}", a.input.display())))?;
        }
    }
    if let Some(out) = &a.output {
        eprintln!(
            "{count} epochs (blocks {first_block} to {}) written to {}",
            snapshot.block,
            out.display()
        );
    }
    Ok(())
}

/// A sequence folder, each epoch chained to the one yuma computed before it.
fn sequence(a: &ReplayArgs, engine: &mut dyn Engine) -> Result<(), CliError> {
    if !a.input.is_dir() {
        return Err(CliError::new(format!(
            "{}: a single snapshot needs --epochs K (or give a sequence folder)",
            a.input.display()
        )));
    }
    if let Some(out) = &a.output {
        let same = |p: &Path| std::fs::canonicalize(p).ok();
        if a.check && same(out).is_some() && same(out) == same(&a.input) {
            return Err(CliError::new(format!(
                "-o {}: that is the sequence folder itself; its epoch.json files are the expected \
results --check compares with (choose another OUTDIR)",
                out.display()
            )));
        }
    }
    let folders = sequence_folders(&a.input).map_err(CliError::new)?;
    if folders.is_empty() {
        let hint = if a.input.join("snapshot.json").is_file() {
            format!(
                " (it is one epoch's folder: use {} --epochs K)",
                a.input.join("snapshot.json").display()
            )
        } else {
            String::new()
        };
        return Err(CliError::new(format!(
            "{}: no epoch folders with a snapshot.json{hint}",
            a.input.display()
        )));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut previous: Option<EpochResult> = None;
    let mut first_failure: Option<String> = None;
    for (name, dir) in &folders {
        let file = dir.join("snapshot.json");
        let mut snapshot = read_snapshot(&file)?;
        if let Some(prev) = &previous {
            carry_into(&mut snapshot, prev)
                .map_err(|e| CliError::new(format!("{}: {e}", file.display())))?;
        }
        let result = compute(engine, &snapshot, &file)?;
        // Compare before writing, so that an OUTDIR overlapping the sequence cannot replace an
        // expected file with the result it is compared with.
        if a.check {
            let verdict = check_epoch(dir, &result);
            if !matches!(verdict, Ok(ref d) if d.is_empty()) && first_failure.is_none() {
                first_failure = Some(name.clone());
            }
            match verdict {
                Ok(diffs) if diffs.is_empty() => {
                    passed += 1;
                    say!("pass {name}");
                }
                Ok(diffs) => {
                    failed += 1;
                    say!("FAIL {name} ({} differences)", diffs.len());
                    for d in diffs.iter().take(a.show) {
                        say!("    {d}");
                    }
                }
                Err(e) => {
                    failed += 1;
                    say!("FAIL {name}: {e}");
                }
            }
        }
        write_epoch(a, name, &snapshot, &result)?;
        previous = Some(result);
    }
    if let Some(out) = &a.output {
        eprintln!("{} epochs written to {}", folders.len(), out.display());
    }
    if a.check {
        if let Some(name) = &first_failure {
            say!("first divergence: {name} (the epochs before it follow from the first state)");
        }
        say!("{passed} passed, {failed} failed");
        if failed > 0 {
            return Err(CliError::failed(format!(
                "{failed} of {} epochs failed",
                passed + failed
            )));
        }
    }
    Ok(())
}

/// The differences between `result` and what the epoch folder `dir` expects: its epoch.json
/// (every field, bit for bit) or, without one, its recorded.json (the `yuma validate` rules).
fn check_epoch(dir: &Path, result: &EpochResult) -> Result<Vec<String>, String> {
    let expected_file = dir.join("epoch.json");
    if expected_file.is_file() || !dir.join("recorded.json").is_file() {
        return read_epoch(&expected_file)
            .map(|expected| {
                compare(&expected, result)
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            })
            .map_err(|e| e.to_string());
    }
    let recorded_file = dir.join("recorded.json");
    let recorded = read_recorded(&recorded_file).map_err(|e| e.to_string())?;
    let report =
        validate(result, &recorded).map_err(|e| format!("{}: {e}", recorded_file.display()))?;
    Ok(report
        .mismatches
        .iter()
        .map(|m| {
            let mech = m
                .mechanism
                .map(|m| format!(" mechanism {m}"))
                .unwrap_or_default();
            let target = m.target.map(|j| format!(" → {j}")).unwrap_or_default();
            format!(
                "recorded {} uid {}{mech}{target}: chain {} yuma {}",
                m.field,
                m.uid,
                m.chain.compact(),
                m.yuma.compact()
            )
        })
        .collect())
}
