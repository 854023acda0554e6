//! Per-stage tests of the bonds part (Yuma 2, Yuma 3, liquid alpha) and of the mechanism split
//! and fold, driven by the goldens' `trace.json` and `epoch.json` (see `stages.rs`).

mod common;

use common::trace::{j_dense, j_fixed, j_sparse, traces, Checker, MechTrace};
use common::{assert_no_failures, golden_cases, load_epoch, load_snapshot};
use yuma::epoch::bonds::liquid_alpha::{
    alphas_dense, alphas_for_row, ema_liquid_alpha, LiquidAlphaParams,
};
use yuma::epoch::bonds::{self, yuma2, yuma3};
use yuma::epoch::mechanisms;
use yuma::fixed::{col_normalize, row_sums, u16_proportion, ZERO};
use yuma::output::EpochResult;

/// Runs `f` on every traced mechanism whose `yuma3_enabled` is `yuma3`.
fn each_trace(what: &str, yuma3: bool, mut f: impl FnMut(&MechTrace, &mut Checker)) {
    let mut c = Checker::default();
    for t in traces() {
        if t.snapshot.hyperparams.yuma3_enabled == yuma3 {
            f(t, &mut c);
        }
    }
    c.finish(what);
}

fn last_tempo(t: &MechTrace) -> u64 {
    let s = &t.snapshot;
    bonds::last_tempo(s.last_mechanism_step_block, s.block, s.hyperparams.tempo)
}

fn liquid_params(t: &MechTrace) -> LiquidAlphaParams {
    let h = &t.snapshot.hyperparams;
    LiquidAlphaParams::new(h.alpha_low, h.alpha_high, h.alpha_sigmoid_steepness)
}

#[test]
fn weights_for_bonds_interpolation() {
    for yuma3 in [false, true] {
        each_trace("yuma: weights_for_bonds", yuma3, |t, c| {
            let penalty = u16_proportion(t.snapshot.hyperparams.bonds_penalty);
            let got = bonds::weights_for_bonds(
                &t.sparse("Weights (mask+norm)"),
                &t.sparse("Clipped Weights"),
                t.n(),
                penalty,
            );
            c.check(t, "yuma: weights_for_bonds", j_sparse(&got));
        });
    }
}

#[test]
fn yuma2_bonds_read_and_deregistration_mask() {
    each_trace("yuma2 B", false, |t, c| {
        c.check(t, "B", j_sparse(&yuma2::read_bonds(&t.input().bonds)));
        let reg = t.u64s("Block at registration");
        let got = bonds::mask_recently_registered(&t.sparse("B"), last_tempo(t), &reg);
        c.check(t, "B (outdatedmask)", j_sparse(&got));
    });
}

#[test]
fn yuma2_bonds_column_normalization() {
    each_trace("yuma2 B (mask+norm)", false, |t, c| {
        let mut b = t.sparse("B (outdatedmask)");
        col_normalize(&mut b, t.n());
        c.check(t, "B (mask+norm)", j_sparse(&b));
    });
}

#[test]
fn yuma2_bonds_delta() {
    each_trace("yuma2 ΔB", false, |t, c| {
        let delta = yuma2::bonds_delta(
            &t.sparse("yuma: weights_for_bonds"),
            &t.fixed("Active Stake"),
        );
        c.check(t, "ΔB", j_sparse(&delta));
        let mut norm = t.sparse("ΔB");
        col_normalize(&mut norm, t.n());
        c.check(t, "ΔB (norm)", j_sparse(&norm));
    });
}

#[test]
fn yuma2_ema_and_normalization() {
    each_trace("yuma2 EMA", false, |t, c| {
        let alpha = bonds::alpha_saturating(t.snapshot.hyperparams.bonds_moving_average);
        let ema = bonds::ema_fixed_alpha(&t.sparse("ΔB (norm)"), &t.sparse("B (mask+norm)"), alpha);
        c.check(t, "Exponential Moving Average Bonds Normal", j_sparse(&ema));
        let mut norm = t.sparse("Exponential Moving Average Bonds Normal");
        col_normalize(&mut norm, t.n());
        c.check(t, "Exponential Moving Average Bonds", j_sparse(&norm));
    });
}

#[test]
fn yuma2_dividends_and_upscale() {
    each_trace("yuma2 dividends", false, |t, c| {
        let ema = t.sparse("Exponential Moving Average Bonds");
        let d = yuma2::dividends(&ema, &t.fixed("Incentive (=Rank)"));
        c.check(t, "Dividends", j_fixed(&d));
        let mut up = ema;
        yuma2::col_max_upscale(&mut up, t.n());
        c.check(t, "yuma: ema_bonds final", j_sparse(&up));
    });
}

#[test]
fn yuma3_bonds_read_and_deregistration_mask() {
    each_trace("yuma3 Bonds", true, |t, c| {
        c.check(t, "Bonds", j_sparse(&yuma3::read_bonds(&t.input().bonds)));
        let reg = t.u64s("Block at registration");
        let got = bonds::mask_recently_registered(&t.sparse("Bonds"), last_tempo(t), &reg);
        c.check(t, "Bonds: (mask)", j_sparse(&got));
        let wb = t.val("yuma: weights_for_bonds").clone();
        c.check(t, "weights_for_bonds", wb);
    });
}

#[test]
fn yuma3_liquid_alpha_matrix() {
    let mut seen = 0;
    each_trace("yuma3 alphas", true, |t, c| {
        let consensus = t.fixed("Consensus");
        let liquid = t.snapshot.hyperparams.liquid_alpha_enabled;
        let applies = liquid && consensus.iter().any(|&x| x != ZERO);
        c.expect_eq(t, "`alphas` recorded", applies, t.has("alphas"));
        if applies {
            seen += 1;
            let (wb, old) = (t.sparse("weights_for_bonds"), t.sparse("Bonds: (mask)"));
            let got = alphas_dense(&wb, &old, &consensus, &liquid_params(t));
            c.check(t, "alphas", j_dense(&got));
            // The EMA reads α only at W_b's columns; the per-row shortcut gives those entries.
            let recorded = t.dense("alphas");
            for (i, (w_row, b_row)) in wb.iter().zip(&old).enumerate() {
                for (j, a) in alphas_for_row(w_row, b_row, &consensus, &liquid_params(t)) {
                    let want = recorded[i][usize::from(j)];
                    c.expect_eq(t, &format!("alphas_for_row uid {i} column {j}"), want, a);
                }
            }
        }
    });
    assert!(seen > 0, "no traced case uses liquid alpha");
}

#[test]
fn yuma3_ema() {
    let (mut fixed, mut liquid) = (0, 0);
    each_trace("yuma3 emaB", true, |t, c| {
        let wb = t.sparse("weights_for_bonds");
        let old = t.sparse("Bonds: (mask)");
        let ema = if t.has("alphas") {
            liquid += 1;
            ema_liquid_alpha(&wb, &old, &t.fixed("Consensus"), &liquid_params(t))
        } else {
            fixed += 1;
            let alpha = bonds::alpha_wrapping(t.snapshot.hyperparams.bonds_moving_average);
            bonds::ema_fixed_alpha(&wb, &old, alpha)
        };
        c.check(t, "emaB", j_sparse(&ema));
    });
    assert!(
        fixed > 0 && liquid > 0,
        "fixed α: {fixed} traces, liquid α: {liquid}"
    );
}

#[test]
fn yuma3_normalized_ema_and_bonds_per_validator() {
    each_trace("yuma3 emaB norm", true, |t, c| {
        let mut norm = t.sparse("emaB");
        col_normalize(&mut norm, t.n());
        c.check(t, "emaB norm", j_sparse(&norm));
        let scaled = yuma3::scale_columns(&t.sparse("emaB norm"), &t.fixed("Incentive (=Rank)"));
        c.check(t, "total_bonds_per_validator", j_fixed(&row_sums(&scaled)));
    });
}

#[test]
fn yuma3_dividends_and_final_bonds() {
    each_trace("yuma3 dividends", true, |t, c| {
        let d = yuma3::dividends(
            &t.fixed("total_bonds_per_validator"),
            &t.fixed("Active Stake"),
        );
        c.check(t, "Dividends", j_fixed(&d));
        c.check(t, "yuma: ema_bonds final", t.val("emaB").clone());
    });
}

/// Every multi-mechanism golden (traced or not): the split, the weights and the fold.
fn each_multi(mut f: impl FnMut(&str, &yuma::snapshot::Snapshot, &yuma::output::MultiOutput)) {
    let mut count = 0;
    for (name, dir) in golden_cases() {
        let s = load_snapshot(&dir);
        if !s.is_multi() {
            continue;
        }
        let EpochResult::Multi(expected) = load_epoch(&dir) else {
            panic!("{name}: a mechanisms snapshot needs a multi-mechanism epoch.json");
        };
        count += 1;
        f(&name, &s, &expected);
    }
    assert!(count > 0, "no multi-mechanism golden");
}

#[test]
fn mechanism_emission_split_and_weights() {
    let mut failures = Vec::new();
    each_multi(|name, s, expected| {
        let e = mechanisms::split_emission(s.rao_emission, s.mechanisms.len(), s.split());
        if e != expected.mechanism_emission {
            failures.push(format!(
                "{name}: mechanism_emission: expected {:?} got {e:?}",
                expected.mechanism_emission
            ));
        }
        let w: Vec<u128> = (0..e.len())
            .map(|m| mechanisms::mechanism_weight(e[m], s.rao_emission, m).to_bits())
            .collect();
        if w != expected.mechanism_weight {
            failures.push(format!(
                "{name}: mechanism_weight: expected {:?} got {w:?}",
                expected.mechanism_weight
            ));
        }
    });
    // Each traced mechanism ran with its share of the split.
    for t in traces().iter().filter(|t| t.snapshot.is_multi()) {
        let s = &t.snapshot;
        let e = mechanisms::split_emission(s.rao_emission, s.mechanisms.len(), s.split());
        if e[t.mechanism] != t.rao_emission {
            failures.push(format!(
                "{}: rao_emission {} ≠ split {}",
                t.name, t.rao_emission, e[t.mechanism]
            ));
        }
    }
    assert_no_failures("emission split", &failures);
}

#[test]
fn mechanism_fold_of_the_chains_mechanism_outputs() {
    let mut failures = Vec::new();
    each_multi(|name, s, expected| {
        let got = mechanisms::aggregate(
            expected.mechanisms.clone(),
            expected.mechanism_emission.clone(),
            s.rao_emission,
        );
        let mismatches = yuma::compare::compare(
            &EpochResult::Multi(expected.clone()),
            &EpochResult::Multi(got),
        );
        if !mismatches.is_empty() {
            failures.push(common::mismatch_report(name, &mismatches));
        }
    });
    assert_no_failures("mechanism fold", &failures);
}

#[test]
fn split_rules() {
    use mechanisms::split_emission as split;
    assert_eq!(
        split(10, 3, None),
        vec![4, 3, 3],
        "remainder goes to mechanism 0"
    );
    assert_eq!(
        split(100, 2, Some(&[65535])),
        vec![100, 0],
        "short split pads with 0"
    );
    assert_eq!(
        split(100, 1, Some(&[0, 65535])),
        vec![100],
        "extra entries ignored"
    );
    assert_eq!(
        split(100, 2, Some(&[65535, 65535])),
        vec![100, 100],
        "over-emits"
    );
    assert_eq!(
        split(u64::MAX, 2, Some(&[65535, 1])),
        vec![u64::MAX, u64::MAX / 65535]
    );
    assert_eq!(mechanisms::mechanism_weight(0, 0, 0).to_bits(), 1u128 << 64);
    assert_eq!(mechanisms::mechanism_weight(0, 0, 1).to_bits(), 0);
}
