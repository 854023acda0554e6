//! Liquid alpha: a per-entry EMA rate from a sigmoid of how far a validator's weight sits from
//! consensus (Yuma 3 only).

use rayon::prelude::*;

use crate::fixed::{u16_proportion, Sparse, SparseRow, I32F32, ONE, ZERO};
use substrate_fixed::transcendental::exp;

/// The hyperparameters of the sigmoid, as I32F32.
#[derive(Clone, Copy, Debug)]
pub struct LiquidAlphaParams {
    pub low: I32F32,
    pub high: I32F32,
    pub steepness: I32F32,
    /// `steepness / (−100)` (saturating), the sigmoid's slope: the same for every entry.
    pub slope: I32F32,
}

impl LiquidAlphaParams {
    pub fn new(alpha_low: u16, alpha_high: u16, steepness: i16) -> Self {
        LiquidAlphaParams {
            low: u16_proportion(alpha_low),
            high: u16_proportion(alpha_high),
            steepness: I32F32::from_num(steepness),
            slope: I32F32::from_num(steepness).saturating_div(I32F32::from_num(-100)),
        }
    }
}

/// `exp(x)` with x clamped to [−20, 20] (substrate-fixed's series); on failure 0 or MAX.
pub fn exp_safe(x: I32F32) -> I32F32 {
    let x = x.clamp(I32F32::from_num(-20), I32F32::from_num(20));
    match exp_series(x) {
        Ok(v) => v,
        Err(()) if x <= ZERO => ZERO,
        Err(()) => I32F32::max_value(),
    }
}

/// substrate-fixed's `exp::<I32F32, I32F32>`, step for step on raw bits: for |x| ≠ 0, 1 it
/// sums the series `1 + x + Σ_{i=2}^{31} term_i` with `term_i = (term_{i−1} · |x|) / i` (every
/// product and quotient floored, each step checked for overflow) and takes `1 / sum` for x < 0.
/// All operands are ≥ 0, so each fixed-point multiply (`(a·b) >> 32`) and each division by the
/// integer i (`(t·2^32)/(i·2^32) = t / i`) is the library's result exactly, with integer
/// arithmetic in place of its 128-bit division. Whenever a step would overflow, and for
/// x = 0 or 1, the library itself is called, so its `Err` and constants are kept.
/// `tests/liquid_alpha_exp.rs` compares the two over the whole clamped range.
// The library's own result type, kept so the two compare directly.
#[allow(clippy::result_unit_err)]
pub fn exp_series(x: I32F32) -> Result<I32F32, ()> {
    let library = || exp::<I32F32, I32F32>(x);
    if x == ZERO || x == ONE {
        return library();
    }
    let Some(op) = x.checked_abs() else {
        return library();
    };
    // Both ≥ 0: unsigned arithmetic gives the same floors.
    let o = op.to_bits() as u64;
    let Some(mut result) = o.checked_add(ONE.to_bits() as u64) else {
        return library();
    };
    let mut term = o;
    // One step per literal divisor, so each division by i compiles to a multiply.
    macro_rules! steps {
        ($($i:literal)*) => {$(
            let product = (u128::from(term) * u128::from(o)) >> 32;
            if product > i64::MAX as u128 {
                return library();
            }
            term = product as u64 / $i;
            result += term;
            if result > i64::MAX as u64 {
                return library();
            }
        )*};
    }
    steps!(2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
    let result = result as i64;
    let sum = I32F32::from_bits(result);
    if x < ZERO {
        ONE.checked_div(sum).ok_or(())
    } else {
        Ok(sum)
    }
}

/// `clamp_value`: `min(high)` then `max(low)`, so low > high yields low.
pub fn clamp(v: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    v.min(high).max(low)
}

/// α = clamp(low + σ·(high − low), low, high) with σ = 1 / (1 + exp_safe(steepness/(−100)·(d − ½)))
/// and d = clamp(w − c, 0, 1) when w ≥ b, else clamp(b − w, 0, 1).
pub fn alpha_sigmoid(
    consensus: I32F32,
    weight: I32F32,
    bond: I32F32,
    p: &LiquidAlphaParams,
) -> I32F32 {
    let buy = clamp(weight.saturating_sub(consensus), ZERO, ONE);
    let sell = clamp(bond.saturating_sub(weight), ZERO, ONE);
    let d = if weight >= bond { buy } else { sell };
    let half = I32F32::from_bits(1 << 31);
    let sigmoid = ONE.saturating_div(
        ONE.saturating_add(exp_safe(p.slope.saturating_mul(d.saturating_sub(half)))),
    );
    let alpha = p
        .low
        .saturating_add(sigmoid.saturating_mul(p.high.saturating_sub(p.low)));
    clamp(alpha, p.low, p.high)
}

/// The value the chain's ascending merge reads at column `j` of a row it assumes sorted:
/// entries below `j` are skipped from `*pos` on, and the head counts only if its column is `j`.
/// `j` must not decrease between calls on the same `pos`.
pub fn merged_value(row: &[(u16, I32F32)], pos: &mut usize, j: u16) -> I32F32 {
    while let Some(&(c, v)) = row.get(*pos) {
        if c < j {
            *pos += 1;
        } else {
            return if c == j { v } else { ZERO };
        }
    }
    ZERO
}

/// The dense n×n alpha matrix the chain builds (for `--trace` only).
pub fn alphas_dense(
    wb: &[SparseRow],
    bonds: &[SparseRow],
    consensus: &[I32F32],
    p: &LiquidAlphaParams,
) -> Vec<Vec<I32F32>> {
    wb.iter()
        .zip(bonds)
        .map(|(w_row, b_row)| {
            let (mut wp, mut bp) = (0, 0);
            consensus
                .iter()
                .enumerate()
                .map(|(j, &c)| {
                    let w = merged_value(w_row, &mut wp, j as u16);
                    let b = merged_value(b_row, &mut bp, j as u16);
                    alpha_sigmoid(c, w, b, p)
                })
                .collect()
        })
        .collect()
}

/// α at the distinct columns of one W_b row, ascending: only these entries are ever read by the
/// EMA, so the other entries of the chain's dense row are never computed. Because the merge only
/// moves forward, reading the distinct columns in ascending order gives the same values as the
/// chain's full sweep over 0..n.
pub fn alphas_for_row(
    w_row: &SparseRow,
    b_row: &SparseRow,
    consensus: &[I32F32],
    p: &LiquidAlphaParams,
) -> Vec<(u16, I32F32)> {
    let mut cols: Vec<u16> = w_row.iter().map(|&(j, _)| j).collect();
    cols.sort_unstable();
    cols.dedup();
    let (mut wp, mut bp) = (0, 0);
    cols.iter()
        .map(|&j| {
            let w = merged_value(w_row, &mut wp, j);
            let b = merged_value(b_row, &mut bp, j);
            (j, alpha_sigmoid(consensus[usize::from(j)], w, b, p))
        })
        .collect()
}

/// `mat_ema_alpha_sparse`: per row, old bonds decay into a dense row (`(1 − α_ij)·b_ij`, last
/// duplicate wins); then each W_b entry in order gives `min(decayed_j + max(α_ij·w_ij, 0), 1)`,
/// kept when > 0. Old bonds on columns absent from W_b's row are dropped, not decayed.
pub fn ema_liquid_alpha(
    wb: &[SparseRow],
    bonds: &[SparseRow],
    consensus: &[I32F32],
    p: &LiquidAlphaParams,
) -> Sparse {
    let n = consensus.len();
    // Rows are independent: computed in parallel (each worker with its own dense scratch
    // rows), collected in row order.
    wb.par_iter()
        .with_min_len(super::MIN_ROWS_PER_TASK)
        .zip(bonds)
        .map_init(
            || (vec![ZERO; n], vec![ZERO; n]),
            |(alpha, decayed), (w_row, b_row)| {
                let cols = alphas_for_row(w_row, b_row, consensus, p);
                for &(j, a) in &cols {
                    alpha[usize::from(j)] = a;
                    decayed[usize::from(j)] = ZERO;
                }
                for &(j, old) in b_row {
                    if cols.binary_search_by_key(&j, |&(c, _)| c).is_ok() {
                        decayed[usize::from(j)] = ONE
                            .saturating_sub(alpha[usize::from(j)])
                            .saturating_mul(old);
                    }
                }
                w_row
                    .iter()
                    .filter_map(|&(j, new)| {
                        let (a, d) = (alpha[usize::from(j)], decayed[usize::from(j)]);
                        let v = d.saturating_add(a.saturating_mul(new).max(ZERO)).min(ONE);
                        (v > ZERO).then_some((j, v))
                    })
                    .collect()
            },
        )
        .collect()
}
