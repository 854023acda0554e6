//! Emission: incentive and dividends normalized on their joint sum, and converted to rao.

use crate::fixed::{normalize, normalize_using_sum, wrapping_sum, I32F32, I96F32, ZERO};

/// Normalized emission shares.
pub struct Shares {
    pub server: Vec<I32F32>,
    pub validator: Vec<I32F32>,
    pub combined: Vec<I32F32>,
}

/// `server = incentive / Σ(incentive + dividends)`, `validator = dividends / Σ(…)`,
/// `combined = normalize(incentive + dividends)`; when the sum is 0 the validator and combined
/// shares fall back to active stake, or to stake if active stake sums to 0.
pub fn shares(
    incentive: &[I32F32],
    dividends: &[I32F32],
    active_stake: &[I32F32],
    stake: &[I32F32],
) -> Shares {
    let mut combined: Vec<I32F32> = incentive
        .iter()
        .zip(dividends)
        .map(|(&i, &d)| i.saturating_add(d))
        .collect();
    let sum = wrapping_sum(combined.iter().copied());
    let mut server = incentive.to_vec();
    let mut validator = dividends.to_vec();
    normalize_using_sum(&mut server, sum);
    normalize_using_sum(&mut validator, sum);
    normalize(&mut combined);
    if sum == ZERO {
        let fallback = if wrapping_sum(active_stake.iter().copied()) == ZERO {
            stake
        } else {
            active_stake
        };
        validator = fallback.to_vec();
        combined = fallback.to_vec();
    }
    Shares {
        server,
        validator,
        combined,
    }
}

/// `rao_i = u64(I96F32(x_i) · I96F32(rao_emission))`, saturating and truncating.
pub fn to_rao(x: &[I32F32], rao_emission: u64) -> Vec<u64> {
    let e = I96F32::saturating_from_num(rao_emission);
    x.iter()
        .map(|&v| {
            I96F32::saturating_from_num(v)
                .saturating_mul(e)
                .saturating_to_num::<u64>()
        })
        .collect()
}
