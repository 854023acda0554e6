//! Validating many snapshot / recorded pairs: finding them below folders, reading in parallel,
//! one engine submission per chunk, one outcome per pair.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{validate, FolderOutcome};
use crate::engine::Engine;
use crate::recorded::{read_recorded, Recorded};
use crate::replay::natural_cmp;
use crate::snapshot::{read_snapshot, Snapshot};

/// One snapshot / recorded pair to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub snapshot: PathBuf,
    pub recorded: PathBuf,
}

/// Folders below `root` (itself included) holding both snapshot.json and recorded.json, as
/// pairs, in natural path order (`epoch_2` before `epoch_10`).
pub fn find_pairs(root: &Path) -> Result<Vec<Pair>, String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("snapshot.json").is_file() && dir.join("recorded.json").is_file() {
            found.push(dir.clone());
        }
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(found
        .into_iter()
        .map(|dir| Pair {
            snapshot: dir.join("snapshot.json"),
            recorded: dir.join("recorded.json"),
        })
        .collect())
}

fn read_pair(p: &Pair) -> Result<(Snapshot, Recorded), String> {
    let snapshot = read_snapshot(&p.snapshot).map_err(|e| e.to_string())?;
    let recorded = read_recorded(&p.recorded).map_err(|e| e.to_string())?;
    Ok((snapshot, recorded))
}

/// Validates every pair with `engine`, 32 at a time: the files read in parallel, each chunk one
/// engine submission. `each` sees every outcome as it is decided; outcomes come back in order.
pub fn validate_pairs(
    pairs: &[Pair],
    engine: &mut dyn Engine,
    mut each: impl FnMut(&FolderOutcome),
) -> Vec<FolderOutcome> {
    const CHUNK: usize = 32;
    let mut outcomes = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(CHUNK) {
        let inputs: Vec<Result<(Snapshot, Recorded), String>> =
            chunk.par_iter().map(read_pair).collect();
        let snapshots: Vec<&Snapshot> = inputs
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(s, _)| s))
            .collect();
        let mut computed = engine.run_many(&snapshots).into_iter();
        for (pair, input) in chunk.iter().zip(&inputs) {
            let result = match input {
                Err(e) => Err(e.clone()),
                Ok((_, recorded)) => match computed.next() {
                    Some(Ok(epoch)) => validate(&epoch, recorded)
                        .map_err(|e| format!("{}: {e}", pair.recorded.display())),
                    Some(Err(e)) => Err(format!(
                        "{}: {} engine: {e}",
                        pair.snapshot.display(),
                        engine.name()
                    )),
                    None => Err(format!(
                        "{}: the engine returned no result",
                        pair.snapshot.display()
                    )),
                },
            };
            let outcome = FolderOutcome {
                snapshot: pair.snapshot.display().to_string(),
                recorded: pair.recorded.display().to_string(),
                result,
            };
            each(&outcome);
            outcomes.push(outcome);
        }
    }
    outcomes
}
