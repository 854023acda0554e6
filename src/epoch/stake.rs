//! Stake: total stake weight, threshold filter, normalization, activity and active stake.

use crate::fixed::{normalize, safe_div_64, wrapping_sum_64, I32F32, I64F64, U96F32, ZERO};

/// `tao_weight = U96F32(raw) / U96F32(u64::MAX)` (32 fractional bits), widened to I64F64.
pub fn tao_weight(raw: u64) -> I64F64 {
    let w = U96F32::from_num(raw)
        .checked_div(U96F32::from_num(u64::MAX))
        .unwrap_or(U96F32::from_bits(0));
    I64F64::saturating_from_num(w)
}

/// A u64 balance as I64F64, saturating at I64F64::MAX (≈ 2^63).
pub fn stake_64(x: u64) -> I64F64 {
    I64F64::saturating_from_num(x)
}

/// `total_i = alpha_i + tao_i · tao_weight`, saturating, in I64F64.
pub fn total_stake(alpha: &[u64], tao: &[u64], tao_weight: I64F64) -> Vec<I64F64> {
    alpha
        .iter()
        .zip(tao)
        .map(|(&a, &t)| stake_64(a).saturating_add(stake_64(t).saturating_mul(tao_weight)))
        .collect()
}

/// Total stake truncated to u64 (the `stake_weight` output).
pub fn stake_weight_u64(total: &[I64F64]) -> Vec<u64> {
    total.iter().map(|s| s.saturating_to_num::<u64>()).collect()
}

/// `filtered_i = 0` when `u64(total_i) < threshold`, except for the owner uid.
pub fn filter_stake(total: &[I64F64], threshold: u64, owner: Option<u16>) -> Vec<I64F64> {
    total
        .iter()
        .enumerate()
        .map(|(uid, &s)| {
            let is_owner = owner.is_some_and(|o| usize::from(o) == uid);
            if !is_owner && s.saturating_to_num::<u64>() < threshold {
                I64F64::from_bits(0)
            } else {
                s
            }
        })
        .collect()
}

/// `stake_i = I32F32(filtered_i / Σ filtered)`: wrapping sum, safe division, skipped when the sum
/// is 0, then a saturating narrowing to I32F32 (`inplace_normalize_64` + `vec_fixed64_to_fixed32`).
pub fn normalize_stake(filtered: &[I64F64]) -> Vec<I32F32> {
    let sum = wrapping_sum_64(filtered.iter().copied());
    filtered
        .iter()
        .map(|&s| {
            let v = if sum == I64F64::from_bits(0) {
                s
            } else {
                safe_div_64(s, sum)
            };
            I32F32::saturating_from_num(v)
        })
        .collect()
}

/// `inactive_i = last_update_i + activity_cutoff < block` (saturating add).
pub fn inactive(last_update: &[u64], activity_cutoff: u64, block: u64) -> Vec<bool> {
    last_update
        .iter()
        .map(|&u| u.saturating_add(activity_cutoff) < block)
        .collect()
}

/// `active_stake = normalize(stake ∘ ¬inactive ∘ old_permit)`.
pub fn active_stake(stake: &[I32F32], inactive: &[bool], old_permits: &[bool]) -> Vec<I32F32> {
    let mut active: Vec<I32F32> = stake
        .iter()
        .zip(inactive.iter().zip(old_permits))
        .map(|(&s, (&off, &permit))| if off || !permit { ZERO } else { s })
        .collect();
    normalize(&mut active);
    active
}
