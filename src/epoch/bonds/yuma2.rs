//! Yuma 2 bonds: column-normalized bonds, ΔB = W_b ∘ S, EMA with a fixed α, dividends from the
//! EMA, and a column max-upscale for storage.

use super::{alpha_saturating, ema_fixed_alpha, last_tempo, mask_recently_registered};
use crate::epoch::trace::{record, Trace};
use crate::fixed::{col_normalize, normalize, safe_div, Sparse, SparseRow, I32F32, ZERO};

/// Stored bonds read as raw u16 integers in I32F32 (columns ≥ n kept).
pub fn read_bonds(rows: &[Vec<(u16, u16)>]) -> Sparse {
    rows.iter()
        .map(|row| row.iter().map(|&(j, b)| (j, I32F32::from_num(b))).collect())
        .collect()
}

/// `ΔB_ij = W_b,ij · S_i` (saturating).
pub fn bonds_delta(wb: &[SparseRow], active_stake: &[I32F32]) -> Sparse {
    wb.iter()
        .zip(active_stake)
        .map(|(row, &s)| row.iter().map(|&(j, v)| (j, v.saturating_mul(s))).collect())
        .collect()
}

/// `d_i = Σ_j B_ij · incentive_j` (saturating, row order; columns ≥ n read 0), normalized.
pub fn dividends(ema: &[SparseRow], incentive: &[I32F32]) -> Vec<I32F32> {
    let mut d: Vec<I32F32> = ema
        .iter()
        .map(|row| {
            row.iter().fold(ZERO, |acc, &(j, b)| {
                let inc = incentive.get(usize::from(j)).copied().unwrap_or(ZERO);
                acc.saturating_add(inc.saturating_mul(b))
            })
        })
        .collect();
    normalize(&mut d);
    d
}

/// Each column divided by its maximum (when the maximum ≠ 0): `max_i B_ij = 1`.
pub fn col_max_upscale(m: &mut [SparseRow], n: usize) {
    let mut max = vec![ZERO; n];
    for row in m.iter() {
        for &(j, v) in row {
            if let Some(c) = max.get_mut(usize::from(j)) {
                if *c < v {
                    *c = v;
                }
            }
        }
    }
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            let c = max.get(usize::from(*j)).copied().unwrap_or(ZERO);
            if c != ZERO {
                *v = safe_div(*v, c);
            }
        }
    }
}

/// Inputs of the bonds stage.
pub struct BondsInput<'a> {
    pub stored: &'a [Vec<(u16, u16)>],
    pub weights_for_bonds: &'a [SparseRow],
    pub active_stake: &'a [I32F32],
    pub incentive: &'a [I32F32],
    pub block_at_registration: &'a [u64],
    pub last_mechanism_step_block: u64,
    pub block: u64,
    pub tempo: u16,
    pub bonds_moving_average: u64,
}

/// Runs the Yuma 2 bonds branch: returns (dividends, final ema bonds).
pub fn bonds_and_dividends(
    x: &BondsInput<'_>,
    mut trace: Option<&mut Trace>,
) -> (Vec<I32F32>, Sparse) {
    let n = x.active_stake.len();
    let bonds = read_bonds(x.stored);
    record(&mut trace, |t| t.sparse("B", &bonds));
    let mut bonds = mask_recently_registered(
        &bonds,
        last_tempo(x.last_mechanism_step_block, x.block, x.tempo),
        x.block_at_registration,
    );
    record(&mut trace, |t| t.sparse("B (outdatedmask)", &bonds));
    col_normalize(&mut bonds, n);
    record(&mut trace, |t| t.sparse("B (mask+norm)", &bonds));
    let mut delta = bonds_delta(x.weights_for_bonds, x.active_stake);
    record(&mut trace, |t| t.sparse("ΔB", &delta));
    col_normalize(&mut delta, n);
    record(&mut trace, |t| t.sparse("ΔB (norm)", &delta));
    let mut ema = ema_fixed_alpha(&delta, &bonds, alpha_saturating(x.bonds_moving_average));
    record(&mut trace, |t| {
        t.sparse("Exponential Moving Average Bonds Normal", &ema)
    });
    col_normalize(&mut ema, n);
    record(&mut trace, |t| {
        t.sparse("Exponential Moving Average Bonds", &ema)
    });
    let dividends = dividends(&ema, x.incentive);
    record(&mut trace, |t| t.fixed("Dividends", &dividends));
    col_max_upscale(&mut ema, n);
    (dividends, ema)
}
