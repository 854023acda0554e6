//! Consensus: the stake-weighted median of each column over validators with active stake,
//! implicit zeros included (`weighted_median_col_sparse`).

use rayon::prelude::*;

use crate::fixed::{normalize, wrapping_sum, SparseRow, I32F32, ZERO};

/// `kappa / 65535` as I32F32 (safe division).
pub fn kappa_fraction(kappa: u16) -> I32F32 {
    crate::fixed::u16_proportion(kappa)
}

/// The validators' stakes `s_k` (active stake > 0, renormalized with a wrapping sum) and the
/// `minority = Σ s_k − kappa` (saturating) the median compares against.
pub fn median_stakes(active_stake: &[I32F32], kappa: I32F32) -> (Vec<I32F32>, I32F32, I32F32) {
    let mut s: Vec<I32F32> = active_stake.iter().copied().filter(|&x| x > ZERO).collect();
    normalize(&mut s);
    let total = wrapping_sum(s.iter().copied());
    (s, total.saturating_sub(kappa), total)
}

/// consensus_j = weighted median of column j: the values `v_k` are validator k's weight on j
/// (the last duplicate in its row, 0 when absent), weighted by `s_k`; the result is the smallest
/// `v` with `Σ_{v_k ≤ v} s_k > minority`, or `max v_k` if there is none, 0 without validators.
///
/// Computed exactly as the chain does, by repeated three-way partitioning around the middle
/// element with saturating partial sums, so that even wrapped (negative or huge) stakes give the
/// chain's answer.
pub fn weighted_median_cols(
    active_stake: &[I32F32],
    w: &[SparseRow],
    n: usize,
    kappa: I32F32,
) -> Vec<I32F32> {
    let (stakes, minority, total) = median_stakes(active_stake, kappa);
    let mut columns: Vec<Vec<I32F32>> = vec![vec![ZERO; stakes.len()]; n];
    let mut k = 0usize;
    for (&s, row) in active_stake.iter().zip(w) {
        if s > ZERO {
            for &(j, v) in row {
                if let Some(col) = columns.get_mut(usize::from(j)) {
                    col[k] = v;
                }
            }
            k += 1;
        }
    }
    let all: Vec<usize> = (0..stakes.len()).collect();
    // Columns are independent: computed in parallel, collected in column order.
    columns
        .par_iter()
        .map(|values| weighted_median(&stakes, values, &all, minority, ZERO, total))
        .collect()
}

/// The chain's partition search: keep the part (below / above the pivot) whose stake range
/// contains `minority`, until the pivot itself straddles it.
pub fn weighted_median(
    stake: &[I32F32],
    value: &[I32F32],
    start: &[usize],
    minority: I32F32,
    mut lo: I32F32,
    mut hi: I32F32,
) -> I32F32 {
    let mut current: Vec<usize> = start.to_vec();
    let limit = start.len();
    let mut rounds = 0usize;
    loop {
        match current.len() {
            0 => return ZERO,
            1 => return value[current[0]],
            len => {
                let pivot = value[current[len / 2]];
                let (mut below, mut above) = (Vec::new(), Vec::new());
                let (mut below_stake, mut above_stake) = (ZERO, ZERO);
                for &k in &current {
                    if value[k] < pivot {
                        below_stake = below_stake.saturating_add(stake[k]);
                        below.push(k);
                    } else if value[k] > pivot {
                        above_stake = above_stake.saturating_add(stake[k]);
                        above.push(k);
                    }
                }
                if minority < lo.saturating_add(below_stake) && !below.is_empty() {
                    hi = lo.saturating_add(below_stake);
                    current = below;
                } else if hi.saturating_sub(above_stake) <= minority && !above.is_empty() {
                    lo = hi.saturating_sub(above_stake);
                    current = above;
                } else {
                    return pivot;
                }
            }
        }
        rounds += 1;
        if rounds > limit {
            return ZERO;
        }
    }
}
