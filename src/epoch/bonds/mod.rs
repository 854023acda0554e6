//! Bonds: the weights they follow, the stored bonds, the EMA, and dividends (Yuma 2 and Yuma 3).

pub mod liquid_alpha;
pub mod yuma2;
pub mod yuma3;

use rayon::prelude::*;

use crate::fixed::{Sparse, SparseRow, I32F32, I64F64, ONE, ZERO};
use crate::output::Rows;

/// Fewest rows one parallel task takes: a small subnet's rows stay on one thread (splitting
/// them costs more than it saves, and batches already run subnets in parallel).
pub const MIN_ROWS_PER_TASK: usize = 64;

/// `weights_for_bonds = w + p · (clipped − w)` with `p = bonds_penalty / 65535`.
/// `p = 0` returns `w` and `p = 1` returns `clipped` untouched (order and duplicates kept);
/// otherwise each row is densified (last duplicate wins), interpolated, and the entries > 0
/// kept in column order.
pub fn weights_for_bonds(
    w: &[SparseRow],
    clipped: &[SparseRow],
    n: usize,
    penalty: I32F32,
) -> Sparse {
    if penalty == ZERO {
        return w.to_vec();
    }
    if penalty == ONE {
        return clipped.to_vec();
    }
    let dense = |row: &SparseRow| {
        let mut d = vec![ZERO; n];
        for &(j, v) in row {
            if let Some(c) = d.get_mut(usize::from(j)) {
                *c = v;
            }
        }
        d
    };
    w.par_iter()
        .with_min_len(MIN_ROWS_PER_TASK)
        .zip(clipped)
        .map(|(r1, r2)| {
            let (d1, d2) = (dense(r1), dense(r2));
            (0..n)
                .filter_map(|j| {
                    let v =
                        d1[j].saturating_add(penalty.saturating_mul(d2[j].saturating_sub(d1[j])));
                    (v > ZERO).then_some((j as u16, v))
                })
                .collect()
        })
        .collect()
}

/// The block the bonds' "registered since last tempo" mask compares against:
/// `last_mechanism_step_block + 1`, or `block − tempo` (saturating) when it is 0.
pub fn last_tempo(last_mechanism_step_block: u64, block: u64, tempo: u16) -> u64 {
    if last_mechanism_step_block == 0 {
        block.saturating_sub(u64::from(tempo))
    } else {
        last_mechanism_step_block.saturating_add(1)
    }
}

/// Bond column j is dropped when `last_tempo <= block_at_registration[j]` (uid ≥ n reads 0).
pub fn mask_recently_registered(bonds: &[SparseRow], last_tempo: u64, reg: &[u64]) -> Sparse {
    bonds
        .iter()
        .map(|row| {
            row.iter()
                .filter(|&&(j, _)| last_tempo > reg.get(usize::from(j)).copied().unwrap_or(0))
                .copied()
                .collect()
        })
        .collect()
}

/// The fixed EMA rate as Yuma 2 computes it: `1 − I32F32(I64F64(bma) / 1e6)`, all saturating.
pub fn alpha_saturating(bonds_moving_average: u64) -> I32F32 {
    let bma = crate::fixed::safe_div_64(
        I64F64::saturating_from_num(bonds_moving_average),
        I64F64::from_num(1_000_000),
    );
    ONE.saturating_sub(I32F32::saturating_from_num(bma))
}

/// The fixed EMA rate as Yuma 3 computes it (`compute_disabled_liquid_alpha`): the same formula
/// with the runtime's wrapping `from_num` conversions.
pub fn alpha_wrapping(bonds_moving_average: u64) -> I32F32 {
    let bma =
        I64F64::wrapping_from_num(bonds_moving_average).saturating_div(I64F64::from_num(1_000_000));
    ONE.saturating_sub(I32F32::wrapping_from_num(bma))
}

/// `mat_ema_sparse`: per row, `α·new + (1−α)·old` accumulated (saturating) into a dense row of
/// length n — new entries first, then old, duplicates adding up, columns ≥ n dropped — and the
/// entries > 0 emitted in column order.
///
/// The dense row is a scratch buffer reused across rows: only the columns a row touches are
/// accumulated, emitted (sorted, each once) and reset, which emits exactly the entries a full
/// sweep over 0..n would (every other entry is 0 and is skipped by `> 0`).
pub fn ema_fixed_alpha(new: &[SparseRow], old: &[SparseRow], alpha: I32F32) -> Sparse {
    let n = new.len();
    let keep = ONE.saturating_sub(alpha);
    // Rows are independent: computed in parallel (each worker with its own scratch row),
    // collected in row order.
    new.par_iter()
        .with_min_len(MIN_ROWS_PER_TASK)
        .enumerate()
        .map_init(
            || (vec![ZERO; n], Vec::new()),
            |(acc, touched): &mut (Vec<I32F32>, Vec<u16>), (i, new_row)| {
                let old_row = old.get(i).map(Vec::as_slice).unwrap_or(&[]);
                touched.clear();
                let terms = new_row
                    .iter()
                    .map(|&(j, v)| (j, alpha.saturating_mul(v)))
                    .chain(old_row.iter().map(|&(j, v)| (j, keep.saturating_mul(v))));
                for (j, x) in terms {
                    if let Some(c) = acc.get_mut(usize::from(j)) {
                        *c = c.saturating_add(x);
                        touched.push(j);
                    }
                }
                let mut row = Vec::with_capacity(touched.len().min(n));
                let mut emit = |j: u16, acc: &mut [I32F32]| {
                    let v = std::mem::replace(&mut acc[usize::from(j)], ZERO);
                    if v > ZERO {
                        row.push((j, v));
                    }
                };
                if touched.len() * 8 > n {
                    // A dense row: the full sweep (untouched entries are 0 and skipped).
                    (0..n).for_each(|j| emit(j as u16, acc));
                } else {
                    touched.sort_unstable();
                    touched.dedup();
                    touched.iter().for_each(|&j| emit(j, acc));
                }
                row
            },
        )
        .collect()
}

/// Bonds as stored after the epoch: `u16(ema · 65535)` for uids with the new permit, every
/// entry kept; an empty row for everyone else.
pub fn stored_bonds(ema: &[SparseRow], new_permits: &[bool]) -> Rows<u16> {
    ema.iter()
        .zip(new_permits)
        .map(|(row, &permit)| {
            let kept = if permit { row.as_slice() } else { &[] };
            kept.iter()
                .map(|&(j, v)| (j, crate::fixed::proportion_to_u16(v)))
        })
        .collect()
}
