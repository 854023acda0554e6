//! Per-stage tests driven by the goldens' `trace.json` (every single-mechanism trace and every
//! mechanism of the `mechanisms/` traces): each stage function of `yuma::epoch` is fed the
//! inputs recorded by earlier stages and must give the value the chain recorded for its stage.
//! Stake, permits, weights, consensus, incentive, emission and the stored outputs are here; the
//! bonds stages and the mechanism split/fold are in `stages_bonds.rs`.

mod common;

use common::trace::{j_fixed, j_fixed64, j_sparse, traces, Checker, MechTrace};
use serde_json::{json, Value};
use yuma::epoch::{consensus, emission, incentive, permits, stake, weights};
use yuma::fixed::{proportion_to_u16, I32F32, ZERO};

/// Runs `f` on every traced mechanism, then reports every mismatch at once.
fn each_trace(what: &str, mut f: impl FnMut(&MechTrace, &mut Checker)) {
    let mut c = Checker::default();
    for t in traces() {
        f(t, &mut c);
    }
    c.finish(what);
}

/// The owner uid when it names a uid of the subnet (`owner_uid < n`).
fn owner(t: &MechTrace) -> Option<u16> {
    t.snapshot.owner_in_range()
}

/// The labels FORMAT.md ("yuma-trace/1") lists for this run, in order.
fn expected_labels(t: &MechTrace) -> Vec<&'static str> {
    let h = &t.snapshot.hyperparams;
    let mut l = vec![
        "Number of Neurons in Network",
        "current_block",
        "activity_cutoff",
        "Last update",
        "Inactive",
        "Block at registration",
        "tao_weight",
        "alpha_stake",
        "tao_stake",
        "total_stake",
        "Filtered stake",
        "Normalised Stake",
        "validator_permits",
        "max_allowed_validators",
        "new_validator_permits",
        "Active Stake",
        "Weights",
        "Weights (permit)",
        "Weights (permit+diag)",
        "Weights (permit+diag+outdate)",
    ];
    if h.commit_reveal_enabled {
        l.push("Commit-reveal column mask applied (");
    }
    l.extend([
        "Weights (permit+diag+outdate+commit-reveal)",
        "Weights (mask+norm)",
        "Consensus",
        "Clipped Weights",
        "Validator Trust",
        "Incentive (=Rank)",
        "yuma: weights_for_bonds",
    ]);
    if h.yuma3_enabled {
        l.extend(["Bonds", "Bonds: (mask)", "weights_for_bonds"]);
        if h.liquid_alpha_enabled && t.fixed("Consensus").iter().any(|&c| c != ZERO) {
            l.push("alphas");
        }
        l.extend(["emaB", "emaB norm", "total_bonds_per_validator"]);
    } else {
        l.extend([
            "B",
            "B (outdatedmask)",
            "B (mask+norm)",
            "ΔB",
            "ΔB (norm)",
            "Exponential Moving Average Bonds Normal",
            "Exponential Moving Average Bonds",
        ]);
    }
    l.extend([
        "Dividends",
        "yuma: ema_bonds final",
        "Normalized Server Emission",
        "Server Emission",
        "Normalized Validator Emission",
        "Validator Emission",
        "Normalized Combined Emission",
        "Combined Emission",
    ]);
    l
}

#[test]
fn trace_labels_are_formats_list_in_order() {
    each_trace("stage labels", |t, c| {
        let got: Vec<&str> = t.stages.iter().map(|(l, _)| l.as_str()).collect();
        c.expect_eq(t, "stage labels", expected_labels(t), got);
    });
}

#[test]
fn echoed_inputs() {
    each_trace("echoed inputs", |t, c| {
        let s = &t.snapshot;
        c.check(t, "Number of Neurons in Network", json!(s.n));
        c.check(t, "current_block", json!(s.block));
        c.check(t, "activity_cutoff", json!(s.hyperparams.activity_cutoff));
        c.check(t, "Last update", json!(t.input().last_update));
        c.check(t, "Block at registration", json!(s.block_at_registration));
        let k = s.hyperparams.max_allowed_validators;
        c.check(t, "max_allowed_validators", json!(k));
    });
}

#[test]
fn inactive_from_last_update() {
    each_trace("Inactive", |t, c| {
        let cutoff = t.val("activity_cutoff").as_u64().expect("u64");
        let block = t.val("current_block").as_u64().expect("u64");
        let got = stake::inactive(&t.u64s("Last update"), cutoff, block);
        c.check(t, "Inactive", json!(got));
    });
}

#[test]
fn tao_weight_and_total_stake() {
    each_trace("stake totals", |t, c| {
        let s = &t.snapshot;
        let tao_weight = stake::tao_weight(s.hyperparams.tao_weight);
        c.check(t, "tao_weight", json!(tao_weight.to_bits().to_string()));
        let alpha: Vec<_> = s.alpha_stake.iter().map(|&x| stake::stake_64(x)).collect();
        let tao: Vec<_> = s.tao_stake.iter().map(|&x| stake::stake_64(x)).collect();
        c.check(t, "alpha_stake", j_fixed64(&alpha));
        c.check(t, "tao_stake", j_fixed64(&tao));
        let recorded_weight = t.fixed64_scalar("tao_weight");
        let total = stake::total_stake(&s.alpha_stake, &s.tao_stake, recorded_weight);
        c.check(t, "total_stake", j_fixed64(&total));
    });
}

#[test]
fn stake_threshold_filter() {
    each_trace("Filtered stake", |t, c| {
        let threshold = t.snapshot.hyperparams.stake_threshold;
        let got = stake::filter_stake(&t.fixed64("total_stake"), threshold, owner(t));
        c.check(t, "Filtered stake", j_fixed64(&got));
    });
}

#[test]
fn stake_normalization() {
    each_trace("Normalised Stake", |t, c| {
        let got = stake::normalize_stake(&t.fixed64("Filtered stake"));
        c.check(t, "Normalised Stake", j_fixed(&got));
    });
}

#[test]
fn old_permits_force_the_owner() {
    each_trace("validator_permits", |t, c| {
        let got = permits::old_permits(&t.snapshot.validator_permit, owner(t));
        c.check(t, "validator_permits", json!(got));
    });
}

#[test]
fn new_permits_top_k() {
    each_trace("new_validator_permits", |t, c| {
        let k = t.val("max_allowed_validators").as_u64().expect("u64");
        let k = u16::try_from(k).expect("u16");
        let got = permits::new_permits(&t.fixed("Normalised Stake"), k, owner(t));
        c.check(t, "new_validator_permits", json!(got));
    });
}

#[test]
fn active_stake() {
    each_trace("Active Stake", |t, c| {
        let got = stake::active_stake(
            &t.fixed("Normalised Stake"),
            &t.bools("Inactive"),
            &t.bools("validator_permits"),
        );
        c.check(t, "Active Stake", j_fixed(&got));
    });
}

#[test]
fn weights_as_read() {
    each_trace("Weights", |t, c| {
        let got = weights::read_weights(&t.input().weights, t.n());
        c.check(t, "Weights", j_sparse(&got));
    });
}

#[test]
fn weights_permit_mask() {
    each_trace("Weights (permit)", |t, c| {
        let got = weights::mask_rows(&t.sparse("Weights"), &t.bools("validator_permits"));
        c.check(t, "Weights (permit)", j_sparse(&got));
    });
}

#[test]
fn weights_diagonal_mask() {
    each_trace("Weights (permit+diag)", |t, c| {
        let got = weights::mask_diagonal(&t.sparse("Weights (permit)"), t.snapshot.owner_uid);
        c.check(t, "Weights (permit+diag)", j_sparse(&got));
    });
}

#[test]
fn weights_outdated_mask() {
    each_trace("Weights (permit+diag+outdate)", |t, c| {
        let got = weights::mask_outdated(
            &t.sparse("Weights (permit+diag)"),
            &t.u64s("Last update"),
            &t.u64s("Block at registration"),
        );
        c.check(t, "Weights (permit+diag+outdate)", j_sparse(&got));
    });
}

#[test]
fn weights_commit_reveal_mask() {
    const LABEL: &str = "Weights (permit+diag+outdate+commit-reveal)";
    let mut enabled = 0;
    each_trace(LABEL, |t, c| {
        let before = t.sparse("Weights (permit+diag+outdate)");
        if !t.snapshot.hyperparams.commit_reveal_enabled {
            c.check(t, LABEL, j_sparse(&before));
            return;
        }
        enabled += 1;
        let commits = weights::commit_blocks(&t.input().commit_block);
        let pending = commits.iter().filter(|&&b| b != u64::MAX).count();
        c.check(t, "Commit-reveal column mask applied (", json!(pending));
        let got = weights::mask_commit_reveal(&before, &commits, &t.u64s("Block at registration"));
        c.check(t, LABEL, j_sparse(&got));
    });
    assert!(enabled > 0, "no traced case enables commit-reveal");
}

#[test]
fn weights_row_normalization() {
    each_trace("Weights (mask+norm)", |t, c| {
        let mut w = t.sparse("Weights (permit+diag+outdate+commit-reveal)");
        weights::row_normalize(&mut w);
        c.check(t, "Weights (mask+norm)", j_sparse(&w));
    });
}

#[test]
fn consensus_weighted_median() {
    each_trace("Consensus", |t, c| {
        let kappa = consensus::kappa_fraction(t.snapshot.hyperparams.kappa);
        let got = consensus::weighted_median_cols(
            &t.fixed("Active Stake"),
            &t.sparse("Weights (mask+norm)"),
            t.n(),
            kappa,
        );
        c.check(t, "Consensus", j_fixed(&got));
    });
}

#[test]
fn clipped_weights() {
    each_trace("Clipped Weights", |t, c| {
        let got = incentive::clip_weights(&t.sparse("Weights (mask+norm)"), &t.fixed("Consensus"));
        c.check(t, "Clipped Weights", j_sparse(&got));
    });
}

#[test]
fn validator_trust() {
    each_trace("Validator Trust", |t, c| {
        let got = incentive::validator_trust(&t.sparse("Clipped Weights"));
        c.check(t, "Validator Trust", j_fixed(&got));
    });
}

#[test]
fn incentive_from_clipped_weights() {
    each_trace("Incentive (=Rank)", |t, c| {
        let got = incentive::incentive(
            &t.sparse("Clipped Weights"),
            &t.fixed("Active Stake"),
            t.n(),
        );
        c.check(t, "Incentive (=Rank)", j_fixed(&got));
    });
}

#[test]
fn emission_shares() {
    each_trace("normalized emission", |t, c| {
        let shares = emission::shares(
            &t.fixed("Incentive (=Rank)"),
            &t.fixed("Dividends"),
            &t.fixed("Active Stake"),
            &t.fixed("Normalised Stake"),
        );
        c.check(t, "Normalized Server Emission", j_fixed(&shares.server));
        c.check(
            t,
            "Normalized Validator Emission",
            j_fixed(&shares.validator),
        );
        c.check(t, "Normalized Combined Emission", j_fixed(&shares.combined));
    });
}

#[test]
fn emission_to_rao() {
    each_trace("rao emission", |t, c| {
        for (share, rao) in [
            ("Normalized Server Emission", "Server Emission"),
            ("Normalized Validator Emission", "Validator Emission"),
            ("Normalized Combined Emission", "Combined Emission"),
        ] {
            let got = emission::to_rao(&t.fixed(share), t.rao_emission);
            c.check(t, rao, json!(got));
        }
    });
}

/// The mechanism's yuma-epoch/1 object is the stages' values converted for storage.
#[test]
fn stored_terms_from_stage_values() {
    let mut c = Checker::default();
    for t in traces() {
        let u16s = |label: &str| -> Value {
            let v: Vec<u16> = t
                .fixed(label)
                .iter()
                .map(|&x| proportion_to_u16(x))
                .collect();
            json!(v)
        };
        let e = &t.epoch;
        let expect = |c: &mut Checker, field: &str, got: Value| {
            c.expect_eq(t, &format!("epoch field {field}"), e[field].clone(), got);
        };
        let active: Vec<bool> = t.bools("Inactive").iter().map(|&b| !b).collect();
        expect(&mut c, "active", json!(active));
        expect(&mut c, "stake", u16s("Normalised Stake"));
        let weight = stake::stake_weight_u64(&t.fixed64("total_stake"));
        expect(&mut c, "stake_weight", json!(weight));
        expect(
            &mut c,
            "new_validator_permit",
            t.val("new_validator_permits").clone(),
        );
        expect(&mut c, "consensus", u16s("Consensus"));
        expect(&mut c, "validator_trust", u16s("Validator Trust"));
        expect(&mut c, "incentive", u16s("Incentive (=Rank)"));
        expect(&mut c, "dividend", u16s("Dividends"));
        expect(&mut c, "server_emission", t.val("Server Emission").clone());
        expect(
            &mut c,
            "validator_emission",
            t.val("Validator Emission").clone(),
        );
        expect(&mut c, "emission", t.val("Combined Emission").clone());
        let bonds = yuma::epoch::bonds::stored_bonds(
            &t.sparse("yuma: ema_bonds final"),
            &t.bools("new_validator_permits"),
        );
        expect(&mut c, "bonds", json!(bonds));
        let raw = &e["raw"];
        for (field, label) in [
            ("stake", "Normalised Stake"),
            ("active_stake", "Active Stake"),
            ("consensus", "Consensus"),
            ("validator_trust", "Validator Trust"),
            ("incentive", "Incentive (=Rank)"),
            ("dividends", "Dividends"),
            ("ema_bonds", "yuma: ema_bonds final"),
        ] {
            let what = format!("epoch field raw.{field}");
            c.expect_eq(t, &what, raw[field].clone(), t.val(label).clone());
        }
    }
    c.finish("stored terms");
}

#[test]
fn proportion_to_u16_truncates_and_saturates() {
    let raw = |b: i64| proportion_to_u16(I32F32::from_bits(b));
    assert_eq!(raw(1 << 32), 65535);
    assert_eq!(raw((1 << 32) - 1), 65534, "truncates, never rounds");
    assert_eq!(raw(-1), 0, "negative saturates to 0");
    assert_eq!(raw(i64::MAX), 65535, "> 1 saturates to 65535");
    assert_eq!(raw(0), 0);
}
