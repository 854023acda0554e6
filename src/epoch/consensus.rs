//! Consensus: the stake-weighted median of each column over validators with active stake,
//! implicit zeros included (`weighted_median_col_sparse`).

use rayon::prelude::*;

use crate::fixed::{normalize, wrapping_sum, SparseRow, I32F32, ZERO};

/// Fewest columns one parallel task takes (see `bonds::MIN_ROWS_PER_TASK`).
const MIN_COLUMNS_PER_TASK: usize = 256;

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
    let k = stakes.len();
    if k == 0 {
        // No validator: every column's median is 0.
        return vec![ZERO; n];
    }
    // The validators' entries gathered by column (validator index, value), each column in row
    // order and within a row in storage order: writing them in that order into a dense column
    // reproduces "the last duplicate wins".
    let validator_rows = || {
        active_stake
            .iter()
            .zip(w)
            .filter(|(&s, _)| s > ZERO)
            .map(|(_, row)| row)
            .enumerate()
    };
    let mut start = vec![0usize; n + 1];
    for (_, row) in validator_rows() {
        for &(j, _) in row {
            if usize::from(j) < n {
                start[usize::from(j) + 1] += 1;
            }
        }
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut entries = vec![(0u32, ZERO); start[n]];
    let mut next = start.clone();
    for (v, row) in validator_rows() {
        for &(j, x) in row {
            if let Some(at) = next.get_mut(usize::from(j)).filter(|_| usize::from(j) < n) {
                entries[*at] = (v as u32, x);
                *at += 1;
            }
        }
    }
    let all: Vec<usize> = (0..k).collect();
    // Columns are independent: computed in parallel, each worker filling and clearing its own
    // dense k-long column, collected in column order.
    (0..n)
        .into_par_iter()
        .with_min_len(MIN_COLUMNS_PER_TASK)
        .map_init(
            || (vec![ZERO; k], MedianScratch::default()),
            |(values, scratch), j| {
                let column = &entries[start[j]..start[j + 1]];
                for &(v, x) in column {
                    values[v as usize] = x;
                }
                let median =
                    weighted_median_in(scratch, &stakes, values, &all, minority, ZERO, total);
                for &(v, _) in column {
                    values[v as usize] = ZERO;
                }
                median
            },
        )
        .collect()
}

/// The index lists [`weighted_median_in`] partitions, reused from column to column.
#[derive(Default)]
pub struct MedianScratch {
    current: Vec<usize>,
    below: Vec<usize>,
    above: Vec<usize>,
}

/// The chain's partition search: keep the part (below / above the pivot) whose stake range
/// contains `minority`, until the pivot itself straddles it.
pub fn weighted_median(
    stake: &[I32F32],
    value: &[I32F32],
    start: &[usize],
    minority: I32F32,
    lo: I32F32,
    hi: I32F32,
) -> I32F32 {
    weighted_median_in(
        &mut MedianScratch::default(),
        stake,
        value,
        start,
        minority,
        lo,
        hi,
    )
}

/// [`weighted_median`] with its index lists in `scratch` (no allocation once they have grown).
pub fn weighted_median_in(
    scratch: &mut MedianScratch,
    stake: &[I32F32],
    value: &[I32F32],
    start: &[usize],
    minority: I32F32,
    mut lo: I32F32,
    mut hi: I32F32,
) -> I32F32 {
    let MedianScratch {
        current,
        below,
        above,
    } = scratch;
    current.clear();
    current.extend_from_slice(start);
    let limit = start.len();
    let mut rounds = 0usize;
    loop {
        match current.len() {
            0 => return ZERO,
            1 => return value[current[0]],
            len => {
                let pivot = value[current[len / 2]];
                below.clear();
                above.clear();
                let (mut below_stake, mut above_stake) = (ZERO, ZERO);
                for &k in current.iter() {
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
                    std::mem::swap(current, below);
                } else if hi.saturating_sub(above_stake) <= minority && !above.is_empty() {
                    lo = hi.saturating_sub(above_stake);
                    std::mem::swap(current, above);
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
