//! `yuma check`: run every snapshot under some folders and compare with the epoch.json beside it.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::backend::{make_engine, Backend};
use super::CliError;
use yuma::compare::compare;
use yuma::engine::Engine;
use yuma::output::read_epoch;
use yuma::snapshot::read_snapshot;

/// Check computed epochs against expected ones.
///
/// Finds every `snapshot.json` below the given folders (recursively), computes its epoch and
/// compares it with the `epoch.json` beside it, field by field and bit for bit. Prints one line
/// per case (`pass` or `FAIL` with the first differences as stage/field/uid/expected/got), then
/// `N passed, M failed`. Exits non-zero when any case fails.
#[derive(Args)]
pub struct CheckArgs {
    /// Folders (or snapshot files) to search for snapshot.json / epoch.json pairs.
    #[arg(required = true)]
    pub cases: Vec<PathBuf>,
    /// How many differences to print for a failing case.
    #[arg(long, default_value_t = 5)]
    pub show: usize,
    /// Which engine(s) to check: `both` runs every case on the CPU reference and on the GPU.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: CheckBackend,
    /// Check only share I of N of the cases (positions ≡ I mod N of the sorted list).
    #[arg(long, value_name = "I/N", value_parser = yuma::jobs::Shard::parse)]
    pub shard: Option<yuma::jobs::Shard>,
}

/// Engines `yuma check` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckBackend {
    /// the GPU when a hardware adapter exists, otherwise the CPU (with a one-line notice)
    Auto,
    /// the exact CPU reference
    Cpu,
    /// the GPU path on any adapter (llvmpipe included)
    Gpu,
    /// the CPU reference and the GPU path, each case on both
    Both,
}

/// Every `snapshot.json` below `root`, sorted.
pub fn find_snapshots(root: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    if root.is_file() {
        found.push(root.to_path_buf());
        return Ok(found);
    }
    if !root.is_dir() {
        return Err(CliError::new(format!(
            "{}: no such file or folder",
            root.display()
        )));
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|f| f == "snapshot.json") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

pub fn run(a: CheckArgs) -> Result<(), CliError> {
    let mut cases = Vec::new();
    for root in &a.cases {
        cases.extend(find_snapshots(root)?);
    }
    if let Some(shard) = a.shard {
        cases = shard.take(cases);
    }
    if cases.is_empty() {
        let paths: Vec<String> = a.cases.iter().map(|p| p.display().to_string()).collect();
        return Err(CliError::new(format!(
            "no snapshot.json found under {}",
            paths.join(", ")
        )));
    }
    let mut engines: Vec<Box<dyn Engine>> = match a.backend {
        CheckBackend::Auto => vec![make_engine(Backend::Auto)?],
        CheckBackend::Cpu => vec![make_engine(Backend::Cpu)?],
        CheckBackend::Gpu => vec![make_engine(Backend::Gpu)?],
        CheckBackend::Both => vec![make_engine(Backend::Cpu)?, make_engine(Backend::Gpu)?],
    };
    let tag = engines.len() > 1;
    let (mut passed, mut failed) = (0usize, 0usize);
    for snap_path in &cases {
        let case = snap_path.parent().unwrap_or(Path::new("."));
        let inputs = read_snapshot(snap_path)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                read_epoch(&case.join("epoch.json"))
                    .map(|e| (s, e))
                    .map_err(|e| e.to_string())
            });
        for engine in engines.iter_mut() {
            let label = if tag {
                format!("[{}] ", engine.name())
            } else {
                String::new()
            };
            let outcome = match &inputs {
                Ok((snapshot, expected)) => engine
                    .run(snapshot)
                    .map(|got| {
                        compare(expected, &got)
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            match outcome {
                Ok(diffs) if diffs.is_empty() => {
                    passed += 1;
                    say!("pass {label}{}", case.display());
                }
                Ok(diffs) => {
                    failed += 1;
                    say!(
                        "FAIL {label}{} ({} differences)",
                        case.display(),
                        diffs.len()
                    );
                    for d in diffs.iter().take(a.show) {
                        say!("    {d}");
                    }
                }
                Err(e) => {
                    failed += 1;
                    say!("FAIL {label}{}: {e}", case.display());
                }
            }
        }
    }
    say!("{passed} passed, {failed} failed");
    if failed > 0 {
        return Err(CliError::failed(format!(
            "{failed} of {} cases failed",
            passed + failed
        )));
    }
    Ok(())
}
