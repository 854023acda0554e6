//! Clipping at consensus, validator trust and incentive.

use crate::fixed::{normalize, row_sums, Sparse, SparseRow, I32F32, ZERO};

/// `w_ij` kept when `w_ij <= c_j`; otherwise replaced by `c_j` when `c_j > 0`, else dropped.
pub fn clip_weights(w: &[SparseRow], consensus: &[I32F32]) -> Sparse {
    w.iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let c = consensus.get(usize::from(j)).copied().unwrap_or(ZERO);
                    if c < v {
                        (c > ZERO).then_some((j, c))
                    } else {
                        Some((j, v))
                    }
                })
                .collect()
        })
        .collect()
}

/// `trust_i = Σ_j clipped_ij` (wrapping).
pub fn validator_trust(clipped: &[SparseRow]) -> Vec<I32F32> {
    row_sums(clipped)
}

/// `rank_j = Σ_i clipped_ij · active_stake_i` (saturating, in row order);
/// `incentive = normalize(rank)`.
pub fn incentive(clipped: &[SparseRow], active_stake: &[I32F32], n: usize) -> Vec<I32F32> {
    let mut rank = vec![ZERO; n];
    for (row, &s) in clipped.iter().zip(active_stake) {
        for &(j, v) in row {
            if let Some(r) = rank.get_mut(usize::from(j)) {
                *r = r.saturating_add(s.saturating_mul(v));
            }
        }
    }
    normalize(&mut rank);
    rank
}
