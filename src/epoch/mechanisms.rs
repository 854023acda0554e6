//! Several mechanisms in one subnet (`epoch_with_mechanisms`): the emission split, each
//! mechanism's epoch, and the fold of their terms into the subnet's.

use crate::fixed::U64F64;
use crate::output::{EpochOutput, MultiOutput};

/// `e_m`: an unset split gives `⌊E/M⌋` each; a set split gives `⌊E·s_m/65535⌋`, truncated or
/// zero-padded to M entries; the remainder `E − Σ e_m` (saturating) goes to mechanism 0.
pub fn split_emission(total: u64, count: usize, split: Option<&[u16]>) -> Vec<u64> {
    let mut e: Vec<u64> = match split {
        Some(s) => s
            .iter()
            .map(|&share| (u128::from(total) * u128::from(share) / u128::from(u16::MAX)) as u64)
            .collect(),
        None => vec![total / count as u64; count],
    };
    e.resize(count, 0);
    let given = e.iter().fold(0u64, |acc, &x| acc.wrapping_add(x));
    let rest = total.saturating_sub(given);
    e[0] = e[0].saturating_add(rest);
    e
}

/// `w_m = e_m / E` in U64F64 (truncating); with E = 0, mechanism 0 weighs 1 and the others 0.
pub fn mechanism_weight(e_m: u64, total: u64, m: usize) -> U64F64 {
    U64F64::from_num(e_m)
        .checked_div(U64F64::from_num(total))
        .unwrap_or(U64F64::from_num(u64::from(m == 0)))
}

/// `u16(U64F64(acc) + U64F64(x)·w)`, saturating and truncating.
pub fn acc_u16(acc: u16, x: u16, w: U64F64) -> u16 {
    U64F64::from_num(acc)
        .saturating_add(U64F64::from_num(x).saturating_mul(w))
        .saturating_to_num::<u16>()
}

/// `u64(U64F64(acc) + U64F64(x)·w)`, saturating and truncating.
pub fn acc_u64(acc: u64, x: u64, w: U64F64) -> u64 {
    U64F64::from_num(acc)
        .saturating_add(U64F64::from_num(x).saturating_mul(w))
        .saturating_to_num::<u64>()
}

/// Folds the mechanisms' epochs (in order) into the subnet terms.
pub fn aggregate(outputs: Vec<EpochOutput>, emissions: Vec<u64>, total: u64) -> MultiOutput {
    let first = &outputs[0];
    let n = first.active.len();
    let mut agg = MultiOutput {
        netuid: first.netuid,
        block: first.block,
        n: first.n,
        active: vec![false; n],
        stake: vec![0; n],
        stake_weight: vec![0; n],
        new_validator_permit: vec![false; n],
        consensus: vec![0; n],
        validator_trust: vec![0; n],
        incentive: vec![0; n],
        dividend: vec![0; n],
        server_emission: vec![0; n],
        validator_emission: vec![0; n],
        emission: vec![0; n],
        mechanism_emission: emissions.clone(),
        mechanism_weight: Vec::new(),
        mechanisms: Vec::new(),
    };
    for (m, (out, &e_m)) in outputs.iter().zip(&emissions).enumerate() {
        let w = mechanism_weight(e_m, total, m);
        agg.mechanism_weight.push(w.to_bits());
        for i in 0..n {
            agg.server_emission[i] = agg.server_emission[i].saturating_add(out.server_emission[i]);
            agg.validator_emission[i] =
                agg.validator_emission[i].saturating_add(out.validator_emission[i]);
            agg.stake_weight[i] = agg.stake_weight[i].saturating_add(out.stake_weight[i]);
            agg.emission[i] = acc_u64(agg.emission[i], out.emission[i], w);
            agg.stake[i] = acc_u16(agg.stake[i], out.stake[i], w);
            agg.consensus[i] = acc_u16(agg.consensus[i], out.consensus[i], w);
            agg.validator_trust[i] = acc_u16(agg.validator_trust[i], out.validator_trust[i], w);
            agg.dividend[i] = acc_u16(agg.dividend[i], out.dividend[i], w);
            if m == 0 {
                agg.incentive[i] = acc_u16(0, out.incentive[i], w);
            }
            agg.active[i] |= out.active[i];
            agg.new_validator_permit[i] |= out.new_validator_permit[i];
        }
    }
    agg.mechanisms = outputs;
    agg
}
