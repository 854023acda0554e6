//! Yuma 3 bonds: bonds as proportions, an EMA of W_b itself (fixed or liquid α), stored without
//! upscaling; dividends from the column-normalized EMA weighted by incentive and active stake.

use super::liquid_alpha::{alphas_dense, ema_liquid_alpha, LiquidAlphaParams};
use super::{alpha_wrapping, ema_fixed_alpha, last_tempo, mask_recently_registered};
use crate::epoch::trace::{record, Trace};
use crate::fixed::{
    col_normalize, normalize, row_sums, u16_proportion, Sparse, SparseRow, I32F32, ZERO,
};

/// Stored bonds read as `u16 / 65535` (columns ≥ n kept).
pub fn read_bonds(rows: &[Vec<(u16, u16)>]) -> Sparse {
    rows.iter()
        .map(|row| row.iter().map(|&(j, b)| (j, u16_proportion(b))).collect())
        .collect()
}

/// `B_ij · incentive_j` (saturating) for columns < n, zero products dropped (`mat_vec_mul_sparse`).
pub fn scale_columns(m: &[SparseRow], incentive: &[I32F32]) -> Sparse {
    m.iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let x = v.saturating_mul(*incentive.get(usize::from(j))?);
                    (x != ZERO).then_some((j, x))
                })
                .collect()
        })
        .collect()
}

/// `d_i = t_i · S_i` with `checked_mul` (0 on overflow), normalized.
pub fn dividends(total_bonds: &[I32F32], active_stake: &[I32F32]) -> Vec<I32F32> {
    let mut d: Vec<I32F32> = total_bonds
        .iter()
        .zip(active_stake)
        .map(|(&t, &s)| t.checked_mul(s).unwrap_or(ZERO))
        .collect();
    normalize(&mut d);
    d
}

/// Inputs of the Yuma 3 bonds stage.
pub struct BondsInput<'a> {
    pub stored: &'a [Vec<(u16, u16)>],
    pub weights_for_bonds: &'a [SparseRow],
    pub consensus: &'a [I32F32],
    pub active_stake: &'a [I32F32],
    pub incentive: &'a [I32F32],
    pub block_at_registration: &'a [u64],
    pub last_mechanism_step_block: u64,
    pub block: u64,
    pub tempo: u16,
    pub bonds_moving_average: u64,
    /// `Some` when liquid alpha is enabled.
    pub liquid_alpha: Option<LiquidAlphaParams>,
}

/// Liquid alpha applies when enabled and some consensus value is non-zero.
pub fn uses_liquid_alpha(x: &BondsInput<'_>) -> Option<LiquidAlphaParams> {
    x.liquid_alpha
        .filter(|_| x.consensus.iter().any(|&c| c != ZERO))
}

/// Runs the Yuma 3 bonds branch: returns (dividends, ema bonds).
pub fn bonds_and_dividends(
    x: &BondsInput<'_>,
    mut trace: Option<&mut Trace>,
) -> (Vec<I32F32>, Sparse) {
    let n = x.active_stake.len();
    let mut bonds = read_bonds(x.stored);
    record(&mut trace, |t| t.sparse("Bonds", &bonds));
    bonds = mask_recently_registered(
        &bonds,
        last_tempo(x.last_mechanism_step_block, x.block, x.tempo),
        x.block_at_registration,
    );
    record(&mut trace, |t| t.sparse("Bonds: (mask)", &bonds));
    record(&mut trace, |t| {
        t.sparse("weights_for_bonds", x.weights_for_bonds)
    });
    let ema = match uses_liquid_alpha(x) {
        Some(p) => {
            record(&mut trace, |t| {
                t.dense(
                    "alphas",
                    &alphas_dense(x.weights_for_bonds, &bonds, x.consensus, &p),
                )
            });
            ema_liquid_alpha(x.weights_for_bonds, &bonds, x.consensus, &p)
        }
        None => ema_fixed_alpha(
            x.weights_for_bonds,
            &bonds,
            alpha_wrapping(x.bonds_moving_average),
        ),
    };
    record(&mut trace, |t| t.sparse("emaB", &ema));
    drop(bonds);
    let mut ema_norm = ema.clone();
    col_normalize(&mut ema_norm, n);
    record(&mut trace, |t| t.sparse("emaB norm", &ema_norm));
    let total_bonds = row_sums(&scale_columns(&ema_norm, x.incentive));
    record(&mut trace, |t| {
        t.fixed("total_bonds_per_validator", &total_bonds)
    });
    let dividends = dividends(&total_bonds, x.active_stake);
    record(&mut trace, |t| t.fixed("Dividends", &dividends));
    (dividends, ema)
}
