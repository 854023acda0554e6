//! Metrics formulas on hand-computed vectors (all-zero and single-uid included).

use yuma::analysis::concentration::{concentration, spearman};
use yuma::analysis::metrics::{epoch_metrics, sequence_metrics, Roles};
use yuma::output::{EpochOutput, EpochResult};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn all_zero_vector_gives_null_not_a_division_error() {
    let c = concentration(&[0, 0, 0]);
    assert_eq!(c.total, 0);
    assert_eq!(
        (c.gini, c.nakamoto, c.top1_share, c.herfindahl),
        (None, None, None, None)
    );
    assert_eq!(concentration(&[]).gini, None);
}

#[test]
fn single_uid_is_fully_concentrated_with_gini_zero() {
    let c = concentration(&[42]);
    assert!(close(c.gini, 0.0), "gini {:?}", c.gini);
    assert_eq!(c.nakamoto, Some(1));
    assert!(close(c.top1_share, 1.0) && close(c.top10_share, 1.0) && close(c.herfindahl, 1.0));
}

#[test]
fn hand_computed_vector() {
    // x = [0, 1, 2, 3, 4]: S = 10; sorted, Σ(2i−n−1)x = (−4·0) + (−2·1) + 0·2 + 2·3 + 4·4 = 20
    // → gini = 20 / (5·10) = 0.4; Herfindahl = (0+1+4+9+16)/100 = 0.3; top1 = 0.4;
    // Nakamoto: 4 (40%) is not > half, 4+3 = 7 (70%) is → 2.
    let c = concentration(&[3, 0, 4, 1, 2]);
    assert!(close(c.gini, 0.4), "gini {:?}", c.gini);
    assert!(close(c.herfindahl, 0.3), "herfindahl {:?}", c.herfindahl);
    assert!(close(c.top1_share, 0.4));
    assert!(close(c.top10_share, 1.0));
    assert_eq!(c.nakamoto, Some(2));
    assert_eq!(c.nonzero, 4);
    // Exactly half is not more than half: [1, 1] needs both uids.
    assert_eq!(concentration(&[1, 1]).nakamoto, Some(2));
    // Equal shares: gini 0, Herfindahl 1/n.
    let e = concentration(&[7; 4]);
    assert!(close(e.gini, 0.0) && close(e.herfindahl, 0.25));
}

#[test]
fn large_u64_values_stay_exact() {
    let big = u64::MAX;
    let c = concentration(&[big, big]);
    assert!(close(c.herfindahl, 0.5), "herfindahl {:?}", c.herfindahl);
    assert!(close(c.gini, 0.0));
}

#[test]
fn spearman_with_ties_and_constants() {
    assert!(close(
        spearman(&[1, 2, 3, 4], &[10.0, 20.0, 30.0, 40.0]),
        1.0
    ));
    assert!(close(
        spearman(&[4, 3, 2, 1], &[10.0, 20.0, 30.0, 40.0]),
        -1.0
    ));
    // ranks a = [1.5, 1.5, 3], b = [1, 2, 3]: r = 0.5 / (√0.5·√2)… = √3/2
    let r = spearman(&[5, 5, 9], &[1.0, 2.0, 3.0]).unwrap();
    assert!((r - 3f64.sqrt() / 2.0).abs() < 1e-12, "{r}");
    assert_eq!(spearman(&[1, 1, 1], &[1.0, 2.0, 3.0]), None);
    assert_eq!(spearman(&[1], &[1.0]), None);
}

fn epoch(dividend: Vec<u16>, stake: Vec<u64>, permit: Vec<bool>, ve: Vec<u64>) -> EpochResult {
    let n = dividend.len();
    EpochResult::Single(EpochOutput {
        netuid: 3,
        block: 100,
        n: n as u16,
        incentive: vec![0; n],
        dividend,
        stake_weight: stake,
        new_validator_permit: permit,
        emission: ve.clone(),
        validator_emission: ve,
        ..Default::default()
    })
}

#[test]
fn validator_ratio_is_dividend_share_over_stake_share() {
    // dividends 3:1, stakes 1:1 → ratios 1.5 and 0.5; uid 2 has no permit.
    let r = epoch(
        vec![30000, 10000, 0],
        vec![50, 50, 0],
        vec![true, true, false],
        vec![3, 1, 0],
    );
    let m = epoch_metrics(&r);
    assert_eq!(m.validators.len(), 2);
    assert!(close(m.validators[0].ratio, 1.5) && close(m.validators[1].ratio, 0.5));
    assert!(close(m.validators[0].dividend_share, 0.75));
    // No dividends at all: every share and ratio is null.
    let z = epoch_metrics(&epoch(vec![0, 0], vec![1, 1], vec![true, true], vec![0, 0]));
    assert_eq!(z.validators[0].ratio, None);
    assert_eq!(z.dividends.gini, None);
}

#[test]
fn sequence_totals_and_copier_ratio() {
    let e = epoch(
        vec![30000, 10000, 0],
        vec![50, 50, 0],
        vec![true, true, false],
        vec![300, 100, 0],
    );
    let roles = Roles {
        honest: vec![0],
        copiers: vec![1],
        quality: vec![],
    };
    let s = sequence_metrics(&[e.clone(), e], Some(&roles));
    assert_eq!(s.cumulative.len(), 2);
    assert_eq!(s.cumulative[0].dividends, 60000);
    assert_eq!(s.cumulative[0].validator_emission, 600);
    // copier yield 200/50 over honest 600/50.
    assert!(close(s.copiers[0].ratio_to_honest, 1.0 / 3.0));
}
