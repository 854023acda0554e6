//! `summary.json` of a scenario run (`yuma-scenario-summary/1`): who each uid is, and what each
//! validator and miner group earned.

use serde::Serialize;

use super::model::Scenario;
use crate::analysis::metrics::SequenceMetrics;
use crate::analysis::emission::BLOCKS_PER_DAY;

/// One uid's identity and totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UidSummary {
    pub uid: u16,
    pub name: String,
    pub group: String,
    /// `honest`, `copier`, `stale`, `cabal`, `weights`, or `miner`.
    pub role: String,
    pub stake_rao: u64,
    /// Miners: the true quality (while registered).
    pub quality: Option<f64>,
    /// Σ emission (rao) over the run.
    pub emission: u128,
    /// Σ validator emission (rao) over the run.
    pub validator_emission: u128,
    /// Mean emission per day: `emission / epochs · 7200 / (tempo + 1)` (rao of the subnet's
    /// token per day).
    pub emission_per_day: f64,
}

/// The summary document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub format: &'static str,
    pub name: String,
    pub description: String,
    pub follows: Option<String>,
    /// `2`, `3` or `3la`.
    pub yuma: &'static str,
    pub seed: u64,
    pub epochs: usize,
    pub n: u16,
    pub tempo: u16,
    pub first_block: u64,
    pub last_block: u64,
    /// Rao distributed per epoch.
    pub rao_emission: u64,
    /// `rao_emission · 7200 / (tempo + 1)`: the subnet's emission per day (rao of its token;
    /// `subnet.alpha_issuance` sets the block emission by the chain's function).
    pub emission_per_day: f64,
    pub uids: Vec<UidSummary>,
    /// Copier yield ÷ honest yield (see the metrics).
    pub copier_ratio_to_honest: Vec<(u16, Option<f64>)>,
    pub spearman_cumulative_incentive_quality: Option<f64>,
    /// Gini of the last epoch's dividends and incentive.
    pub final_dividend_gini: Option<f64>,
    pub final_incentive_gini: Option<f64>,
}

/// The summary of a run of `sc` whose metrics are `m`.
pub fn summarize(sc: &Scenario, m: &SequenceMetrics) -> Summary {
    let per_day = |e: u128| {
        e as f64 / sc.epochs as f64 * BLOCKS_PER_DAY as f64 / (f64::from(sc.hyperparams.tempo) + 1.0)
    };
    let totals = |uid: u16| {
        m.cumulative
            .iter()
            .find(|c| c.uid == uid)
            .map_or((0, 0), |c| (c.emission, c.validator_emission))
    };
    let mut uids = Vec::new();
    for v in &sc.validators {
        let (e, ve) = totals(v.uid);
        uids.push(UidSummary {
            uid: v.uid,
            name: v.name.clone(),
            group: v.group.clone(),
            role: v.behaviour.role().to_string(),
            stake_rao: v.stake_rao,
            quality: None,
            emission: e,
            validator_emission: ve,
            emission_per_day: per_day(e),
        });
    }
    for mi in &sc.miners {
        let (e, ve) = totals(mi.uid);
        uids.push(UidSummary {
            uid: mi.uid,
            name: mi.name.clone(),
            group: mi.group.clone(),
            role: "miner".into(),
            stake_rao: 0,
            quality: Some(mi.quality),
            emission: e,
            validator_emission: ve,
            emission_per_day: per_day(e),
        });
    }
    let last = m.epochs.last();
    Summary {
        format: "yuma-scenario-summary/1",
        name: sc.name.clone(),
        description: sc.description.clone(),
        follows: sc.follows.clone(),
        yuma: sc.yuma.label(),
        seed: sc.seed,
        epochs: sc.epochs,
        n: sc.n,
        tempo: sc.hyperparams.tempo,
        first_block: sc.block(0),
        last_block: sc.block(sc.epochs - 1),
        rao_emission: sc.rao_emission,
        emission_per_day: per_day(u128::from(sc.rao_emission) * sc.epochs as u128),
        uids,
        copier_ratio_to_honest: m.copiers.iter().map(|c| (c.uid, c.ratio_to_honest)).collect(),
        spearman_cumulative_incentive_quality: m.spearman_cumulative_incentive_quality,
        final_dividend_gini: last.and_then(|e| e.dividends.gini),
        final_incentive_gini: last.and_then(|e| e.incentive.gini),
    }
}
