//! Metrics of epoch results: the library API behind `yuma metrics` and `--metrics FILE`.
//!
//! ```text
//! let m = epoch_metrics(&result);                    // one subnet-epoch
//! let s = sequence_metrics(&results, Some(&roles));   // a chained sequence (scenario, replay)
//! let json = metrics_json(&s);  let csv = metrics_csv(&s);
//! ```
//!
//! Which vectors are measured (for a multi-mechanism result, the aggregated subnet terms):
//! - `incentive`: the u16 `incentive`; `dividends`: the u16 `dividend`;
//! - `emission`: the rao `emission` (server + validator);
//! - `stake`: the u64 `stake_weight` (alpha + tao · tao_weight, truncated).
//!
//! Each is summarised by a [`Concentration`] (Gini, Nakamoto, top-1/top-10 share, Herfindahl;
//! `null` for an all-zero vector). Every validator (uid with `new_validator_permit`) gets
//! `dividend_share = dividend_i / Σ dividend`, `stake_share = stake_weight_i / Σ stake_weight`
//! over all uids, and `ratio = dividend_share / stake_share` (1 = paid exactly in proportion to
//! stake; `null` when either total or its own stake is zero).
//!
//! Over a sequence: per uid the cumulative u16 dividends (Σ over epochs) and cumulative
//! validator emission in rao; per copier (see [`Roles`]) its yield `Σ validator_emission /
//! stake_weight` over the honest validators' `Σ validator_emission / Σ stake_weight` (stakes of
//! the first epoch); and, where miner quality is known, Spearman's rank correlation between each
//! epoch's miner incentive and quality (uids with a known quality only), plus the same for the
//! cumulative incentive against the mean quality over the sequence.

use serde::Serialize;

use super::concentration::{concentration, concentration_u16, spearman, Concentration};
use crate::output::EpochResult;

/// One validator's pay against its stake in one epoch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidatorShare {
    pub uid: u16,
    pub dividend: u16,
    pub stake_weight: u64,
    pub dividend_share: Option<f64>,
    pub stake_share: Option<f64>,
    /// `dividend_share / stake_share`.
    pub ratio: Option<f64>,
}

/// The metrics of one subnet-epoch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochMetrics {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub incentive: Concentration,
    pub dividends: Concentration,
    pub emission: Concentration,
    pub stake: Concentration,
    pub validators: Vec<ValidatorShare>,
    /// Spearman(incentive, quality) over the uids whose quality is known (sequence metrics with
    /// [`Roles::quality`] only; `null` otherwise).
    pub spearman_incentive_quality: Option<f64>,
}

/// The metrics of one epoch result.
pub fn epoch_metrics(result: &EpochResult) -> EpochMetrics {
    let t = result.terms();
    let d_total: u128 = t.dividend.iter().map(|&d| u128::from(d)).sum();
    let s_total: u128 = t.stake_weight.iter().map(|&s| u128::from(s)).sum();
    let share = |x: u128, total: u128| (total > 0).then(|| x as f64 / total as f64);
    let validators = (0..usize::from(t.n))
        .filter(|&u| t.new_validator_permit.get(u).copied().unwrap_or(false))
        .map(|u| {
            let (d, s) = (t.dividend[u], t.stake_weight[u]);
            // (d / D) / (s / S) = d·S / (s·D): both products exact in u128.
            let ratio = (d_total > 0 && s > 0 && s_total > 0)
                .then(|| (u128::from(d) * s_total) as f64 / (u128::from(s) * d_total) as f64);
            ValidatorShare {
                uid: u as u16,
                dividend: d,
                stake_weight: s,
                dividend_share: share(u128::from(d), d_total),
                stake_share: share(u128::from(s), s_total),
                ratio,
            }
        })
        .collect();
    EpochMetrics {
        netuid: t.netuid,
        block: t.block,
        n: t.n,
        incentive: concentration_u16(t.incentive),
        dividends: concentration_u16(t.dividend),
        emission: concentration(t.emission),
        stake: concentration(t.stake_weight),
        validators,
        spearman_incentive_quality: None,
    }
}

/// What a scenario knows about its uids (empty when unknown, e.g. for a replay).
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Roles {
    /// Honest validators (weights = true quality + noise).
    pub honest: Vec<u16>,
    /// Copying validators.
    pub copiers: Vec<u16>,
    /// `quality[k][uid]`: the true quality of the miner in uid at epoch k (`None`: not a miner
    /// with a known quality at that epoch, e.g. a validator or an empty slot).
    pub quality: Vec<Vec<Option<f64>>>,
}

/// A uid's totals over a sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cumulative {
    pub uid: u16,
    /// Σ of the u16 `dividend` over the epochs.
    pub dividends: u64,
    /// Σ of `validator_emission` (rao).
    pub validator_emission: u128,
    /// Σ of `emission` (rao).
    pub emission: u128,
}

/// A copier's yield against the honest validators'.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CopierRatio {
    pub uid: u16,
    pub validator_emission: u128,
    pub stake_weight: u64,
    /// `(E_c / s_c) / (Σ_h E_h / Σ_h s_h)`; `null` without honest yield or copier stake.
    pub ratio_to_honest: Option<f64>,
}

/// The metrics of a chained sequence of epochs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SequenceMetrics {
    pub epochs: Vec<EpochMetrics>,
    /// Uids that were ever validators (held a new permit) or earned emission, by uid.
    pub cumulative: Vec<Cumulative>,
    pub copiers: Vec<CopierRatio>,
    /// Spearman(Σ incentive over the sequence, mean known quality) over uids with a known
    /// quality in some epoch.
    pub spearman_cumulative_incentive_quality: Option<f64>,
}

/// The metrics of `results` (one subnet's epochs in order), with scenario `roles` if known.
pub fn sequence_metrics(results: &[EpochResult], roles: Option<&Roles>) -> SequenceMetrics {
    let mut epochs: Vec<EpochMetrics> = results.iter().map(epoch_metrics).collect();
    let n = results
        .iter()
        .map(|r| usize::from(r.terms().n))
        .max()
        .unwrap_or(0);
    let mut sums = vec![(0u64, 0u128, 0u128, false); n];
    let mut incentive_sum = vec![0u64; n];
    for r in results {
        let t = r.terms();
        for u in 0..usize::from(t.n) {
            let s = &mut sums[u];
            s.0 += u64::from(t.dividend[u]);
            s.1 += u128::from(t.validator_emission[u]);
            s.2 += u128::from(t.emission[u]);
            s.3 |= t.new_validator_permit[u] || t.emission[u] > 0;
            incentive_sum[u] += u64::from(t.incentive[u]);
        }
    }
    let cumulative = sums
        .iter()
        .enumerate()
        .filter(|(_, s)| s.3)
        .map(|(u, s)| Cumulative {
            uid: u as u16,
            dividends: s.0,
            validator_emission: s.1,
            emission: s.2,
        })
        .collect();
    let mut copiers = Vec::new();
    let mut spearman_cumulative = None;
    if let (Some(roles), Some(first)) = (roles, results.first()) {
        let stake = first.terms().stake_weight;
        let stake_of = |u: u16| stake.get(usize::from(u)).copied().unwrap_or(0);
        let emitted = |u: u16| sums.get(usize::from(u)).map_or(0, |s| s.1);
        let honest_e: u128 = roles.honest.iter().map(|&u| emitted(u)).sum();
        let honest_s: u128 = roles.honest.iter().map(|&u| u128::from(stake_of(u))).sum();
        let honest_yield =
            (honest_s > 0 && honest_e > 0).then(|| honest_e as f64 / honest_s as f64);
        for &c in &roles.copiers {
            let (e, s) = (emitted(c), stake_of(c));
            copiers.push(CopierRatio {
                uid: c,
                validator_emission: e,
                stake_weight: s,
                ratio_to_honest: honest_yield
                    .filter(|_| s > 0)
                    .map(|h| (e as f64 / s as f64) / h),
            });
        }
        for (k, (m, r)) in epochs.iter_mut().zip(results).enumerate() {
            if let Some(q) = roles.quality.get(k) {
                let inc = r.terms().incentive;
                let (a, b): (Vec<u16>, Vec<f64>) = q
                    .iter()
                    .enumerate()
                    .filter_map(|(u, q)| Some((*inc.get(u)?, (*q)?)))
                    .unzip();
                m.spearman_incentive_quality = spearman(&a, &b);
            }
        }
        let mut pairs = (Vec::new(), Vec::new());
        for (u, &total) in incentive_sum.iter().enumerate() {
            let known: Vec<f64> = roles
                .quality
                .iter()
                .filter_map(|q| q.get(u).copied().flatten())
                .collect();
            if !known.is_empty() {
                pairs.0.push(total);
                pairs.1.push(known.iter().sum::<f64>() / known.len() as f64);
            }
        }
        spearman_cumulative = spearman(&pairs.0, &pairs.1);
    }
    SequenceMetrics {
        epochs,
        cumulative,
        copiers,
        spearman_cumulative_incentive_quality: spearman_cumulative,
    }
}

/// The metrics as pretty JSON (`yuma-metrics/1`: `{"format", "epochs", "cumulative",
/// "copiers", "spearman_cumulative_incentive_quality"}`), trailing newline.
pub fn metrics_json(m: &SequenceMetrics) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        format: &'static str,
        #[serde(flatten)]
        metrics: &'a SequenceMetrics,
    }
    let doc = Doc {
        format: "yuma-metrics/1",
        metrics: m,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The header of [`metrics_csv`].
pub const METRICS_CSV_HEADER: &str = "netuid,block,scope,uid,metric,value";

/// The metrics as one long CSV table, one value per row: `netuid,block,scope,uid,metric,value`.
///
/// - scope `incentive` / `dividends` / `emission` / `stake`, uid empty: metric `count`, `total`,
///   `nonzero`, `gini`, `nakamoto`, `top1_share`, `top10_share`, `herfindahl`;
/// - scope `validator`, uid set: `dividend`, `stake_weight`, `dividend_share`, `stake_share`,
///   `ratio`;
/// - scope `epoch`: `spearman_incentive_quality`;
/// - scope `sequence` (block empty): per uid `cumulative_dividends`,
///   `cumulative_validator_emission`, `cumulative_emission`, `copier_ratio_to_honest`; without
///   uid `spearman_cumulative_incentive_quality`.
///
/// `null` is an empty value.
pub fn metrics_csv(m: &SequenceMetrics) -> String {
    let mut out = String::from(METRICS_CSV_HEADER);
    out.push('\n');
    let mut row =
        |netuid: u16, block: Option<u64>, scope: &str, uid: Option<u16>, k: &str, v: String| {
            let b = block.map(|b| b.to_string()).unwrap_or_default();
            let u = uid.map(|u| u.to_string()).unwrap_or_default();
            out.push_str(&format!("{netuid},{b},{scope},{u},{k},{v}\n"));
        };
    let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let netuid = m.epochs.first().map_or(0, |e| e.netuid);
    for e in &m.epochs {
        let b = Some(e.block);
        for (scope, c) in [
            ("incentive", &e.incentive),
            ("dividends", &e.dividends),
            ("emission", &e.emission),
            ("stake", &e.stake),
        ] {
            row(e.netuid, b, scope, None, "count", c.count.to_string());
            row(e.netuid, b, scope, None, "total", c.total.to_string());
            row(e.netuid, b, scope, None, "nonzero", c.nonzero.to_string());
            row(e.netuid, b, scope, None, "gini", f(c.gini));
            let nk = c.nakamoto.map(|v| v.to_string()).unwrap_or_default();
            row(e.netuid, b, scope, None, "nakamoto", nk);
            row(e.netuid, b, scope, None, "top1_share", f(c.top1_share));
            row(e.netuid, b, scope, None, "top10_share", f(c.top10_share));
            row(e.netuid, b, scope, None, "herfindahl", f(c.herfindahl));
        }
        for v in &e.validators {
            let u = Some(v.uid);
            row(
                e.netuid,
                b,
                "validator",
                u,
                "dividend",
                v.dividend.to_string(),
            );
            row(
                e.netuid,
                b,
                "validator",
                u,
                "stake_weight",
                v.stake_weight.to_string(),
            );
            row(
                e.netuid,
                b,
                "validator",
                u,
                "dividend_share",
                f(v.dividend_share),
            );
            row(e.netuid, b, "validator", u, "stake_share", f(v.stake_share));
            row(e.netuid, b, "validator", u, "ratio", f(v.ratio));
        }
        if e.spearman_incentive_quality.is_some() {
            let s = f(e.spearman_incentive_quality);
            row(e.netuid, b, "epoch", None, "spearman_incentive_quality", s);
        }
    }
    for c in &m.cumulative {
        let u = Some(c.uid);
        row(
            netuid,
            None,
            "sequence",
            u,
            "cumulative_dividends",
            c.dividends.to_string(),
        );
        let ve = c.validator_emission.to_string();
        row(
            netuid,
            None,
            "sequence",
            u,
            "cumulative_validator_emission",
            ve,
        );
        row(
            netuid,
            None,
            "sequence",
            u,
            "cumulative_emission",
            c.emission.to_string(),
        );
    }
    for c in &m.copiers {
        let r = f(c.ratio_to_honest);
        row(
            netuid,
            None,
            "sequence",
            Some(c.uid),
            "copier_ratio_to_honest",
            r,
        );
    }
    if let Some(s) = m.spearman_cumulative_incentive_quality {
        let v = s.to_string();
        row(
            netuid,
            None,
            "sequence",
            None,
            "spearman_cumulative_incentive_quality",
            v,
        );
    }
    out
}
