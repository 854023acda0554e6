//! Chaining epochs: the state one epoch hands to the next (FORMAT.md "Sequences").
//!
//! After an epoch at block `b`, the chain stores the new bonds (per mechanism), the new validator
//! permits and `b` as the last step block; the next epoch reads them back. So epoch k+1 runs on
//!
//! - `mechanisms[m].bonds` = epoch k's output `bonds` of mechanism m (the top-level `bonds` for a
//!   single-mechanism snapshot),
//! - `validator_permit` = epoch k's (aggregated) `new_validator_permit`,
//! - `last_mechanism_step_block` = epoch k's `block`,
//!
//! and everything else from its own snapshot ([`carry_into`]), or — when a single snapshot is
//! run forward ([`next_snapshot`]) — from epoch k's snapshot with `block` advanced by
//! `tempo + 1`. In the second form `last_update` is repeated too, so a validator goes inactive
//! once `block > last_update + activity_cutoff`.

use std::path::{Path, PathBuf};

use crate::output::EpochResult;
use crate::snapshot::Snapshot;

/// Two epochs that cannot follow each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReplayError(pub String);

/// The block an epoch result was computed at.
pub fn result_block(result: &EpochResult) -> u64 {
    match result {
        EpochResult::Single(e) => e.block,
        EpochResult::Multi(m) => m.block,
    }
}

/// The subnet size of an epoch result.
pub fn result_n(result: &EpochResult) -> u16 {
    match result {
        EpochResult::Single(e) => e.n,
        EpochResult::Multi(m) => m.n,
    }
}

/// Replaces `snapshot`'s bonds (every mechanism), `validator_permit` and
/// `last_mechanism_step_block` with the state `previous` stored. Fails, leaving `snapshot`
/// unchanged, when the two do not describe the same subnet shape (n, number of mechanisms).
pub fn carry_into(snapshot: &mut Snapshot, previous: &EpochResult) -> Result<(), ReplayError> {
    let prev_n = result_n(previous);
    if prev_n != snapshot.n {
        return Err(ReplayError(format!(
            "the previous epoch has n = {prev_n}, this snapshot n = {}",
            snapshot.n
        )));
    }
    let outputs = previous.mechanism_outputs();
    if outputs.len() != snapshot.mechanisms.len() {
        return Err(ReplayError(format!(
            "the previous epoch has {} mechanism(s), this snapshot {}",
            outputs.len(),
            snapshot.mechanisms.len()
        )));
    }
    for (mechanism, output) in snapshot.mechanisms.iter_mut().zip(outputs) {
        mechanism.bonds = output.bonds.to_vecs();
    }
    snapshot.validator_permit = previous.new_validator_permit().to_vec();
    snapshot.last_mechanism_step_block = result_block(previous);
    Ok(())
}

/// The block of the epoch after one at `block`: `block + tempo + 1` (saturating).
pub fn next_block(block: u64, tempo: u16) -> u64 {
    block.saturating_add(u64::from(tempo)).saturating_add(1)
}

/// The snapshot of the epoch after `prev_snapshot`, whose result was `prev_result`: the same
/// subnet one tempo later (`block + tempo + 1`) with the carried bonds, permits and last step
/// block; every other field (weights, stakes, `last_update`, …) repeated.
pub fn next_snapshot(
    prev_snapshot: &Snapshot,
    prev_result: &EpochResult,
) -> Result<Snapshot, ReplayError> {
    let mut next = prev_snapshot.clone();
    next.block = next_block(prev_snapshot.block, prev_snapshot.hyperparams.tempo);
    carry_into(&mut next, prev_result)?;
    Ok(next)
}

/// The name of epoch `k` in a run of `count` epochs: `epoch_NN`, zero-padded to
/// max(2, digits of count − 1).
pub fn epoch_name(k: usize, count: usize) -> String {
    let width = count.saturating_sub(1).to_string().len().max(2);
    format!("epoch_{k:0width$}")
}

/// The epoch folders of a sequence: the subfolders of `dir` holding a snapshot.json, as
/// (name, path) in natural order (`epoch_2` before `epoch_10`).
pub fn sequence_folders(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut folders = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.join("snapshot.json").is_file() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            folders.push((name, path));
        }
    }
    folders.sort_by(|x, y| natural_cmp(&x.0, &y.0));
    Ok(folders)
}

/// Orders folder names naturally: digit runs compare as numbers (`epoch_2` < `epoch_10`),
/// the rest as text.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let key = |(digits, text): (bool, &str)| {
        let trimmed = text.trim_start_matches('0');
        if digits {
            (trimmed.len(), trimmed.to_string())
        } else {
            (0, text.to_string())
        }
    };
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(&cb) {
        let ord = match (x.0, y.0) {
            (true, true) => key(*x).cmp(&key(*y)),
            _ => x.1.cmp(y.1),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{generate, GenParams, Mode};

    #[test]
    fn next_snapshot_carries_bonds_permits_and_block() {
        let s = generate(&GenParams::new(40, 8, 3, Mode::Yuma3)).unwrap();
        let r = crate::epoch::run_snapshot(&s, None);
        let next = next_snapshot(&s, &r).unwrap();
        assert_eq!(next.block, s.block + 361);
        assert_eq!(next.last_mechanism_step_block, s.block);
        assert_eq!(next.validator_permit, r.new_validator_permit());
        assert_eq!(next.mechanisms[0].bonds, r.mechanism_outputs()[0].bonds);
        assert_eq!(next.mechanisms[0].weights, s.mechanisms[0].weights);
        assert_eq!(next.mechanisms[0].last_update, s.mechanisms[0].last_update);
        assert_eq!(next.alpha_stake, s.alpha_stake);
    }

    #[test]
    fn every_mechanism_gets_its_own_bonds() {
        let mut p = GenParams::new(30, 6, 5, Mode::Yuma2);
        p.mechanisms = Some(3);
        p.split = Some(vec![30000, 20000, 15535]);
        let s = generate(&p).unwrap();
        let r = crate::epoch::run_snapshot(&s, None);
        let next = next_snapshot(&s, &r).unwrap();
        for (m, out) in r.mechanism_outputs().iter().enumerate() {
            assert_eq!(next.mechanisms[m].bonds, out.bonds);
        }
        assert_eq!(next.split(), s.split());
    }

    #[test]
    fn mismatched_shapes_are_refused() {
        let a = generate(&GenParams::new(20, 4, 1, Mode::Yuma2)).unwrap();
        let mut b = generate(&GenParams::new(21, 4, 1, Mode::Yuma2)).unwrap();
        let r = crate::epoch::run_snapshot(&a, None);
        let before = b.clone();
        assert!(carry_into(&mut b, &r).unwrap_err().0.contains("n = 20"));
        assert_eq!(b, before);
        let mut p = GenParams::new(20, 4, 1, Mode::Yuma2);
        p.mechanisms = Some(2);
        let mut c = generate(&p).unwrap();
        assert!(carry_into(&mut c, &r).unwrap_err().0.contains("mechanism"));
    }

    #[test]
    fn names_are_padded_and_sorted_naturally() {
        assert_eq!(epoch_name(3, 5), "epoch_03");
        assert_eq!(epoch_name(7, 101), "epoch_007");
        assert_eq!(epoch_name(99, 100), "epoch_99");
        assert_eq!(epoch_name(0, 1), "epoch_00");
        let mut v = vec!["epoch_10", "epoch_2", "epoch_01", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["a", "epoch_01", "epoch_2", "epoch_10"]);
    }
}
