//! The CPU reference of the chain's epoch (`epoch_mechanism`, sparse path, and
//! `epoch_with_mechanisms`), one module per stage in the chain's order. Every stage function is
//! plain fixed-point code on `substrate-fixed` types; its doc comment gives its formula.

pub mod bonds;
pub mod consensus;
pub mod emission;
pub mod incentive;
pub mod mechanisms;
pub mod permits;
pub mod stake;
pub mod trace;
pub mod weights;

use crate::fixed::{bits, proportion_to_u16, Sparse, I32F32};
use crate::output::{EpochOutput, EpochResult, RawOutput};
use crate::snapshot::{MechanismInput, Snapshot};
use bonds::liquid_alpha::LiquidAlphaParams;
use trace::{record, Trace};

/// Runs one mechanism's epoch on the CPU with `rao_emission` as its emission.
pub fn epoch_mechanism(
    s: &Snapshot,
    m: &MechanismInput,
    rao_emission: u64,
    mut trace: Option<&mut Trace>,
) -> EpochOutput {
    let n = s.len();
    let h = &s.hyperparams;
    let owner = s.owner_in_range();
    // The diagonal mask keeps the owner's self-weight only for an owner < n; an owner ≥ n
    // masks every diagonal entry, exactly like no owner.
    record(&mut trace, |t| {
        t.plain("Number of Neurons in Network", &s.n);
        t.plain("current_block", &s.block);
        t.plain("activity_cutoff", &h.activity_cutoff);
        t.plain("Last update", &m.last_update);
    });

    // == Active & stake ==
    let inactive = stake::inactive(&m.last_update, h.activity_cutoff, s.block);
    record(&mut trace, |t| {
        t.plain("Inactive", &inactive);
        t.plain("Block at registration", &s.block_at_registration);
    });
    let tao_weight = stake::tao_weight(h.tao_weight);
    let total = stake::total_stake(&s.alpha_stake, &s.tao_stake, tao_weight);
    record(&mut trace, |t| {
        t.plain("tao_weight", &tao_weight.to_bits());
        let alpha: Vec<_> = s.alpha_stake.iter().map(|&a| stake::stake_64(a)).collect();
        let tao: Vec<_> = s.tao_stake.iter().map(|&a| stake::stake_64(a)).collect();
        t.fixed64("alpha_stake", &alpha);
        t.fixed64("tao_stake", &tao);
        t.fixed64("total_stake", &total);
    });
    let filtered = stake::filter_stake(&total, h.stake_threshold, owner);
    record(&mut trace, |t| t.fixed64("Filtered stake", &filtered));
    let stake_v = stake::normalize_stake(&filtered);
    record(&mut trace, |t| t.fixed("Normalised Stake", &stake_v));

    // == Validator permits ==
    let old_permits = permits::old_permits(&s.validator_permit, owner);
    record(&mut trace, |t| {
        t.plain("validator_permits", &old_permits);
        t.plain("max_allowed_validators", &h.max_allowed_validators);
    });
    let new_permits = permits::new_permits(&stake_v, h.max_allowed_validators, owner);
    record(&mut trace, |t| {
        t.plain("new_validator_permits", &new_permits)
    });
    let active_stake = stake::active_stake(&stake_v, &inactive, &old_permits);
    record(&mut trace, |t| t.fixed("Active Stake", &active_stake));

    // == Weights ==
    // Each stage replaces `w`, so the previous matrix is freed as soon as the next exists.
    let mut w = weights::read_weights(&m.weights, n);
    record(&mut trace, |t| t.sparse("Weights", &w));
    w = weights::mask_rows(&w, &old_permits);
    record(&mut trace, |t| t.sparse("Weights (permit)", &w));
    w = weights::mask_diagonal(&w, s.owner_uid);
    record(&mut trace, |t| t.sparse("Weights (permit+diag)", &w));
    w = weights::mask_outdated(&w, &m.last_update, &s.block_at_registration);
    record(&mut trace, |t| {
        t.sparse("Weights (permit+diag+outdate)", &w)
    });
    if h.commit_reveal_enabled {
        let commits = weights::commit_blocks(&m.commit_block);
        w = weights::mask_commit_reveal(&w, &commits, &s.block_at_registration);
        let count = commits.iter().filter(|&&c| c != u64::MAX).count() as u64;
        record(&mut trace, |t| {
            t.plain("Commit-reveal column mask applied (", &count)
        });
    }
    record(&mut trace, |t| {
        t.sparse("Weights (permit+diag+outdate+commit-reveal)", &w)
    });
    weights::row_normalize(&mut w);
    record(&mut trace, |t| t.sparse("Weights (mask+norm)", &w));

    // == Consensus, trust, incentive ==
    let kappa = consensus::kappa_fraction(h.kappa);
    let consensus_v = consensus::weighted_median_cols(&active_stake, &w, n, kappa);
    record(&mut trace, |t| t.fixed("Consensus", &consensus_v));
    let clipped = incentive::clip_weights(&w, &consensus_v);
    record(&mut trace, |t| t.sparse("Clipped Weights", &clipped));
    let trust = incentive::validator_trust(&clipped);
    record(&mut trace, |t| t.fixed("Validator Trust", &trust));
    let incentive_v = incentive::incentive(&clipped, &active_stake, n);
    record(&mut trace, |t| t.fixed("Incentive (=Rank)", &incentive_v));

    // == Bonds and dividends ==
    let penalty = crate::fixed::u16_proportion(h.bonds_penalty);
    let wb: Sparse = bonds::weights_for_bonds(&w, &clipped, n, penalty);
    record(&mut trace, |t| t.sparse("yuma: weights_for_bonds", &wb));
    drop((w, clipped));
    let (dividends, ema) = if h.yuma3_enabled {
        let input = bonds::yuma3::BondsInput {
            stored: &m.bonds,
            weights_for_bonds: &wb,
            consensus: &consensus_v,
            active_stake: &active_stake,
            incentive: &incentive_v,
            block_at_registration: &s.block_at_registration,
            last_mechanism_step_block: s.last_mechanism_step_block,
            block: s.block,
            tempo: h.tempo,
            bonds_moving_average: h.bonds_moving_average,
            liquid_alpha: h.liquid_alpha_enabled.then(|| {
                LiquidAlphaParams::new(h.alpha_low, h.alpha_high, h.alpha_sigmoid_steepness)
            }),
        };
        bonds::yuma3::bonds_and_dividends(&input, trace.as_deref_mut())
    } else {
        let input = bonds::yuma2::BondsInput {
            stored: &m.bonds,
            weights_for_bonds: &wb,
            active_stake: &active_stake,
            incentive: &incentive_v,
            block_at_registration: &s.block_at_registration,
            last_mechanism_step_block: s.last_mechanism_step_block,
            block: s.block,
            tempo: h.tempo,
            bonds_moving_average: h.bonds_moving_average,
        };
        bonds::yuma2::bonds_and_dividends(&input, trace.as_deref_mut())
    };
    record(&mut trace, |t| t.sparse("yuma: ema_bonds final", &ema));

    // == Emission ==
    let shares = emission::shares(&incentive_v, &dividends, &active_stake, &stake_v);
    let server_emission = emission::to_rao(&shares.server, rao_emission);
    let validator_emission = emission::to_rao(&shares.validator, rao_emission);
    let combined_emission = emission::to_rao(&shares.combined, rao_emission);
    record(&mut trace, |t| {
        t.fixed("Normalized Server Emission", &shares.server);
        t.plain("Server Emission", &server_emission);
        t.fixed("Normalized Validator Emission", &shares.validator);
        t.plain("Validator Emission", &validator_emission);
        t.fixed("Normalized Combined Emission", &shares.combined);
        t.plain("Combined Emission", &combined_emission);
    });

    let u16s = |x: &[I32F32]| {
        x.iter()
            .map(|&v| proportion_to_u16(v))
            .collect::<Vec<u16>>()
    };
    EpochOutput {
        netuid: s.netuid,
        block: s.block,
        n: s.n,
        active: inactive.iter().map(|&b| !b).collect(),
        stake: u16s(&stake_v),
        stake_weight: stake::stake_weight_u64(&total),
        consensus: u16s(&consensus_v),
        validator_trust: u16s(&trust),
        incentive: u16s(&incentive_v),
        dividend: u16s(&dividends),
        server_emission,
        validator_emission,
        emission: combined_emission,
        bonds: bonds::stored_bonds(&ema, &new_permits),
        new_validator_permit: new_permits,
        raw: RawOutput {
            stake: bits(&stake_v),
            active_stake: bits(&active_stake),
            consensus: bits(&consensus_v),
            validator_trust: bits(&trust),
            incentive: bits(&incentive_v),
            dividends: bits(&dividends),
            ema_bonds: ema
                .iter()
                .map(|row| row.iter().map(|&(j, v)| (j, v.to_bits())))
                .collect(),
        },
    }
}

/// Runs a whole snapshot on the CPU: its single mechanism, or every mechanism with the split and
/// the fold. With `traces`, one trace per mechanism is recorded.
pub fn run_snapshot(s: &Snapshot, mut traces: Option<&mut Vec<Trace>>) -> EpochResult {
    run_with(s, |m, e| {
        let mut t = Trace::default();
        let out = epoch_mechanism(s, &s.mechanisms[m], e, traces.is_some().then_some(&mut t));
        if let Some(ts) = traces.as_deref_mut() {
            ts.push(t);
        }
        out
    })
}

/// Splits the emission, runs `epoch(m, e_m)` for each mechanism and assembles the result.
pub fn run_with(s: &Snapshot, mut epoch: impl FnMut(usize, u64) -> EpochOutput) -> EpochResult {
    if !s.is_multi() {
        return EpochResult::Single(epoch(0, s.rao_emission));
    }
    let emissions = mechanisms::split_emission(s.rao_emission, s.mechanisms.len(), s.split());
    let outputs = emissions
        .iter()
        .enumerate()
        .map(|(m, &e)| epoch(m, e))
        .collect();
    EpochResult::Multi(mechanisms::aggregate(outputs, emissions, s.rao_emission))
}
