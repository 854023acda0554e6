//! Weights: reading the stored rows, the four masks and row normalization.

use crate::fixed::{safe_div, wrapping_sum, Sparse, SparseRow, I32F32, ZERO};

/// Stored rows as I32F32 integers (`w`, not `w/65535`); entries with a column ≥ n are dropped,
/// order and duplicates kept.
pub fn read_weights(rows: &[Vec<(u16, u16)>], n: usize) -> Sparse {
    rows.iter()
        .map(|row| {
            row.iter()
                .filter(|&&(j, _)| usize::from(j) < n)
                .map(|&(j, w)| (j, I32F32::from_num(w)))
                .collect()
        })
        .collect()
}

/// Rows of uids without an (old) permit are emptied.
pub fn mask_rows(w: &[SparseRow], permits: &[bool]) -> Sparse {
    w.iter()
        .zip(permits)
        .map(|(row, &ok)| if ok { row.clone() } else { Vec::new() })
        .collect()
}

/// Self-weights `(i, i)` are dropped, except the owner's own (when `owner` is given, even ≥ n).
pub fn mask_diagonal(w: &[SparseRow], owner: Option<u16>) -> Sparse {
    w.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .filter(|&&(j, _)| {
                    usize::from(j) != i || owner.is_some_and(|o| usize::from(o) == i)
                })
                .copied()
                .collect()
        })
        .collect()
}

/// `(i, j)` is dropped when `row_block[i] (≤ or <) block_at_registration[j]`, as `drop` says:
/// the outdated mask (`last_update[i] <= reg[j]`) and the commit-reveal mask
/// (`commit_block[i] < reg[j]`).
pub fn mask_by_registration(
    w: &[SparseRow],
    row_block: &[u64],
    block_at_registration: &[u64],
    drop: impl Fn(u64, u64) -> bool,
) -> Sparse {
    w.iter()
        .zip(row_block)
        .map(|(row, &b)| {
            row.iter()
                .filter(|&&(j, _)| {
                    let reg = block_at_registration
                        .get(usize::from(j))
                        .copied()
                        .unwrap_or(0);
                    !drop(b, reg)
                })
                .copied()
                .collect()
        })
        .collect()
}

/// The outdated mask: `(i, j)` dropped iff `last_update[i] <= block_at_registration[j]`.
pub fn mask_outdated(w: &[SparseRow], last_update: &[u64], reg: &[u64]) -> Sparse {
    mask_by_registration(w, last_update, reg, |updated, registered| {
        updated <= registered
    })
}

/// Commit blocks as the chain uses them: `u64::MAX` for "no pending commit".
pub fn commit_blocks(commit_block: &[Option<u64>]) -> Vec<u64> {
    commit_block.iter().map(|c| c.unwrap_or(u64::MAX)).collect()
}

/// The commit-reveal mask: `(i, j)` dropped iff `commit_block[i] < block_at_registration[j]`.
pub fn mask_commit_reveal(w: &[SparseRow], commit_blocks: &[u64], reg: &[u64]) -> Sparse {
    mask_by_registration(w, commit_blocks, reg, |commit, registered| {
        commit < registered
    })
}

/// `w_ij / Σ_j w_ij` with the wrapping row sum, only for rows whose sum is > 0.
pub fn row_normalize(w: &mut [SparseRow]) {
    for row in w.iter_mut() {
        let sum = wrapping_sum(row.iter().map(|&(_, v)| v));
        if sum > ZERO {
            row.iter_mut().for_each(|(_, v)| *v = safe_div(*v, sum));
        }
    }
}
