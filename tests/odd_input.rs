//! Valid but odd snapshots (FORMAT.md accepts them; the chain computes them): unsorted rows,
//! duplicates, uids ≥ n, an owner ≥ n, empty rows, u64::MAX everywhere, n = 1, k = 0, tempo 0.
//! Each is parsed and computed in Yuma 2, Yuma 3 and Yuma 3 + liquid alpha, with and without a
//! trace, as one mechanism and as two: no panic, and outputs of the right shape.

mod common;

use common::{single_snapshot, PER_MECHANISM};
use serde_json::{json, Value};
use yuma::epoch::run_snapshot;
use yuma::output::{EpochOutput, EpochResult};
use yuma::snapshot::{parse_snapshot, Snapshot};

fn parse(v: &Value, what: &str) -> Snapshot {
    parse_snapshot(&v.to_string(), "odd.json")
        .unwrap_or_else(|e| panic!("{what}: a valid snapshot was rejected: {e}"))
}

/// The same subnet as two mechanisms (each with the single mechanism's fields), split set.
fn as_two_mechanisms(v: &Value) -> Value {
    let mut m = v.clone();
    let obj = m.as_object_mut().expect("object");
    let mut mech = serde_json::Map::new();
    for key in PER_MECHANISM {
        mech.insert(
            key.to_string(),
            obj.remove(key).expect("per-mechanism field"),
        );
    }
    obj.insert("mechanisms".into(), json!([mech.clone(), mech]));
    obj.insert("mechanism_emission_split".into(), json!([20000, 45535]));
    m
}

fn check_shape(e: &EpochOutput, n: usize, what: &str) {
    let lens = [
        e.active.len(),
        e.stake.len(),
        e.stake_weight.len(),
        e.new_validator_permit.len(),
        e.consensus.len(),
        e.validator_trust.len(),
        e.incentive.len(),
        e.dividend.len(),
        e.server_emission.len(),
        e.validator_emission.len(),
        e.emission.len(),
        e.bonds.len(),
        e.raw.stake.len(),
        e.raw.active_stake.len(),
        e.raw.consensus.len(),
        e.raw.validator_trust.len(),
        e.raw.incentive.len(),
        e.raw.dividends.len(),
        e.raw.ema_bonds.len(),
    ];
    assert!(
        lens.iter().all(|&l| l == n),
        "{what}: output lengths {lens:?}, n = {n}"
    );
    for row in e.bonds.iter() {
        assert!(
            row.iter().all(|&(j, _)| usize::from(j) < n),
            "{what}: stored bond uid ≥ n"
        );
    }
}

/// Computes `v` in every mode and layout; returns the six results, single-mechanism Yuma 2 first.
fn compute_everywhere(v: &Value, what: &str) -> Vec<EpochResult> {
    let mut all = Vec::new();
    for (yuma3, liquid) in [(false, false), (true, false), (true, true)] {
        let mut v = v.clone();
        v["hyperparams"]["yuma3_enabled"] = json!(yuma3);
        v["hyperparams"]["liquid_alpha_enabled"] = json!(liquid);
        for layout in [v.clone(), as_two_mechanisms(&v)] {
            let what = format!("{what} (yuma3 {yuma3}, liquid {liquid})");
            let s = parse(&layout, &what);
            let mut traces = Vec::new();
            let traced = run_snapshot(&s, Some(&mut traces));
            let plain = run_snapshot(&s, None);
            assert_eq!(traced, plain, "{what}: a trace changed the result");
            let _ = yuma::epoch::trace::trace_json(&traced, &traces);
            let _ = yuma::output::result_json(&plain, false);
            match &plain {
                EpochResult::Single(e) => check_shape(e, s.len(), &what),
                EpochResult::Multi(m) => {
                    assert_eq!(m.mechanisms.len(), 2, "{what}");
                    m.mechanisms
                        .iter()
                        .for_each(|e| check_shape(e, s.len(), &what));
                }
            }
            all.push(plain);
        }
    }
    all
}

/// The single-mechanism Yuma 2 output of `compute_everywhere`.
fn yuma2_single(all: &[EpochResult]) -> &EpochOutput {
    match &all[0] {
        EpochResult::Single(e) => e,
        EpochResult::Multi(_) => panic!("the first result is single-mechanism"),
    }
}

/// The results of two `compute_everywhere` runs agree, mode by mode and field by field.
fn assert_same(expected: &[EpochResult], got: &[EpochResult], what: &str) {
    for (k, (e, g)) in expected.iter().zip(got).enumerate() {
        let mismatches = yuma::compare::compare(e, g);
        assert!(
            mismatches.is_empty(),
            "{}",
            common::mismatch_report(&format!("{what}, run {k}"), &mismatches)
        );
    }
}

fn rows_mut<'a>(v: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Vec<Value>> {
    v[key]
        .as_array_mut()
        .expect("rows")
        .iter_mut()
        .map(|r| r.as_array_mut().expect("row"))
}

#[test]
fn baseline_runs_everywhere() {
    compute_everywhere(&single_snapshot(), "baseline");
}

#[test]
fn unsorted_rows() {
    let mut v = single_snapshot();
    for key in ["weights", "bonds"] {
        rows_mut(&mut v, key).for_each(|r| r.reverse());
    }
    compute_everywhere(&v, "unsorted rows");
}

#[test]
fn duplicate_entries() {
    let mut v = single_snapshot();
    for key in ["weights", "bonds"] {
        for r in rows_mut(&mut v, key) {
            let copy = r.clone();
            r.extend(copy);
        }
    }
    compute_everywhere(&v, "duplicates");
}

#[test]
fn uids_at_or_beyond_n_in_weights_and_bonds() {
    let mut weights = single_snapshot();
    for r in rows_mut(&mut weights, "weights") {
        r.extend([json!([8, 65535]), json!([65535, 65535]), json!([1000, 1])]);
    }
    let got = compute_everywhere(&weights, "weights uid ≥ n");
    let baseline = compute_everywhere(&single_snapshot(), "baseline");
    assert_same(&baseline, &got, "weights uid ≥ n are dropped on read");

    let mut bonds = single_snapshot();
    for r in rows_mut(&mut bonds, "bonds") {
        r.extend([json!([8, 65535]), json!([65535, 40000])]);
    }
    // Kept on read, but the EMA (dense rows of length n) drops them: the outputs are unchanged.
    let got = compute_everywhere(&bonds, "bonds uid ≥ n");
    assert_same(&baseline, &got, "bonds uid ≥ n are dropped by the EMA");
}

#[test]
fn owner_at_or_beyond_n_is_like_no_owner() {
    let none = compute_everywhere(&single_snapshot(), "no owner");
    for owner in [8, 9, 65535] {
        let mut v = single_snapshot();
        v["owner_uid"] = json!(owner);
        let what = format!("owner_uid {owner}");
        assert_same(
            &none,
            &compute_everywhere(&v, &what),
            &format!("{what} is like null"),
        );
    }
    let mut v = single_snapshot();
    v["owner_uid"] = json!(7);
    compute_everywhere(&v, "owner in range");
}

#[test]
fn empty_rows() {
    let mut v = single_snapshot();
    v["weights"] = json!([[], [], [], [], [], [], [], []]);
    v["bonds"] = json!([[], [], [], [], [], [], [], []]);
    compute_everywhere(&v, "empty rows");
    let mut v = single_snapshot();
    v["weights"][0] = json!([]);
    v["bonds"][2] = json!([]);
    compute_everywhere(&v, "some empty rows");
}

#[test]
fn u64_max_everywhere() {
    let max = json!(u64::MAX);
    let mut v = single_snapshot();
    for key in [
        "alpha_stake",
        "tao_stake",
        "last_update",
        "block_at_registration",
        "commit_block",
    ] {
        v[key] = json!(vec![u64::MAX; 8]);
    }
    for key in ["block", "last_mechanism_step_block", "rao_emission"] {
        v[key] = max.clone();
    }
    for key in [
        "bonds_moving_average",
        "tao_weight",
        "activity_cutoff",
        "stake_threshold",
    ] {
        v["hyperparams"][key] = max.clone();
    }
    v["hyperparams"]["commit_reveal_enabled"] = json!(true);
    let all = compute_everywhere(&v, "u64::MAX everywhere");
    let got = yuma2_single(&all);
    assert!(
        got.stake_weight.iter().all(|&w| w == i64::MAX as u64),
        "{:?}",
        got.stake_weight
    );

    // Only the stakes and emission huge, the rest ordinary: the wrapping sums are exercised.
    let mut v = single_snapshot();
    v["alpha_stake"] = json!(vec![u64::MAX; 8]);
    v["tao_stake"] = json!(vec![u64::MAX; 8]);
    v["rao_emission"] = max.clone();
    v["hyperparams"]["tao_weight"] = max.clone();
    v["hyperparams"]["bonds_moving_average"] = max;
    compute_everywhere(&v, "huge stakes");
}

#[test]
fn zero_everywhere() {
    let mut v = single_snapshot();
    for key in [
        "alpha_stake",
        "tao_stake",
        "last_update",
        "block_at_registration",
    ] {
        v[key] = json!([0, 0, 0, 0, 0, 0, 0, 0]);
    }
    for key in ["block", "last_mechanism_step_block", "rao_emission"] {
        v[key] = json!(0);
    }
    for key in [
        "kappa",
        "bonds_moving_average",
        "bonds_penalty",
        "alpha_low",
        "alpha_high",
    ] {
        v["hyperparams"][key] = json!(0);
    }
    v["hyperparams"]["activity_cutoff"] = json!(0);
    compute_everywhere(&v, "zero everywhere");
}

#[test]
fn a_single_uid() {
    let mut v = single_snapshot();
    v["n"] = json!(1);
    for key in [
        "alpha_stake",
        "tao_stake",
        "validator_permit",
        "last_update",
        "block_at_registration",
        "commit_block",
    ] {
        let first = v[key][0].clone();
        v[key] = json!([first]);
    }
    v["weights"] = json!([[[0, 65535], [3, 100]]]);
    v["bonds"] = json!([[[0, 65535], [1, 7]]]);
    compute_everywhere(&v, "n = 1");
    v["owner_uid"] = json!(0);
    compute_everywhere(&v, "n = 1 owner");
}

#[test]
fn max_allowed_validators_zero_clears_every_permit() {
    let mut v = single_snapshot();
    v["hyperparams"]["max_allowed_validators"] = json!(0);
    let all = compute_everywhere(&v, "k = 0");
    let got = yuma2_single(&all);
    assert!(
        got.new_validator_permit.iter().all(|&p| !p),
        "k = 0 keeps no permit"
    );
    assert!(
        got.bonds.iter().all(<[_]>::is_empty),
        "no permit, no stored bonds"
    );
}

#[test]
fn tempo_zero() {
    let mut v = single_snapshot();
    v["hyperparams"]["tempo"] = json!(0);
    compute_everywhere(&v, "tempo 0");
    v["last_mechanism_step_block"] = json!(0);
    compute_everywhere(&v, "tempo 0, no previous step");
}

#[test]
fn extreme_liquid_alpha_parameters() {
    for (low, high, steepness) in [(65535, 0, i16::MIN), (0, 65535, i16::MAX), (1, 1, 0)] {
        let mut v = single_snapshot();
        v["hyperparams"]["alpha_low"] = json!(low);
        v["hyperparams"]["alpha_high"] = json!(high);
        v["hyperparams"]["alpha_sigmoid_steepness"] = json!(steepness);
        compute_everywhere(&v, &format!("liquid alpha {low} {high} {steepness}"));
    }
}
