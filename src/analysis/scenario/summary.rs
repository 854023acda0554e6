//! `summary.json` of a scenario run (`yuma-scenario-summary/1`): who each uid is, and what each
//! validator and miner group earned.

use serde::Serialize;

use super::model::Scenario;
use crate::analysis::emission::BLOCKS_PER_DAY;
use crate::analysis::metrics::SequenceMetrics;

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

/// One group of the scenario file (validators or miners of one `name`) and its share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSummary {
    pub group: String,
    pub role: String,
    pub uids: Vec<u16>,
    /// Σ stake of the group / Σ stake of every uid.
    pub stake_share: f64,
    /// Σ emission of the group over the run / Σ emission of every uid over the run.
    pub emission_share: Option<f64>,
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
    /// Per group, in file order: who holds the stake and who gets the emission.
    pub groups: Vec<GroupSummary>,
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
        e as f64 / sc.epochs as f64 * BLOCKS_PER_DAY as f64
            / (f64::from(sc.hyperparams.tempo) + 1.0)
    };
    let entry = |uid: u16, name: &str, group: &str, role: &str, stake_rao: u64, quality| {
        let (emission, validator_emission) = m
            .cumulative
            .iter()
            .find(|c| c.uid == uid)
            .map_or((0, 0), |c| (c.emission, c.validator_emission));
        UidSummary {
            uid,
            name: name.to_string(),
            group: group.to_string(),
            role: role.to_string(),
            stake_rao,
            quality,
            emission,
            validator_emission,
            emission_per_day: per_day(emission),
        }
    };
    let validators = sc.validators.iter().map(|v| {
        let role = v.behaviour.role();
        entry(v.uid, &v.name, &v.group, role, v.stake_rao, None)
    });
    let miners = sc
        .miners
        .iter()
        .map(|mi| entry(mi.uid, &mi.name, &mi.group, "miner", 0, Some(mi.quality)));
    let uids: Vec<UidSummary> = validators.chain(miners).collect();
    let groups = group_shares(&uids);
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
        groups,
        copier_ratio_to_honest: m
            .copiers
            .iter()
            .map(|c| (c.uid, c.ratio_to_honest))
            .collect(),
        spearman_cumulative_incentive_quality: m.spearman_cumulative_incentive_quality,
        final_dividend_gini: last.and_then(|e| e.dividends.gini),
        final_incentive_gini: last.and_then(|e| e.incentive.gini),
    }
}

/// Stake and emission shares per group (groups in order of first appearance).
fn group_shares(uids: &[UidSummary]) -> Vec<GroupSummary> {
    let stake_total: u128 = uids.iter().map(|u| u128::from(u.stake_rao)).sum();
    let emission_total: u128 = uids.iter().map(|u| u.emission).sum();
    let mut groups: Vec<GroupSummary> = Vec::new();
    let mut sums: Vec<(u128, u128)> = Vec::new();
    for u in uids {
        let i = match groups.iter().position(|g| g.group == u.group) {
            Some(i) => i,
            None => {
                groups.push(GroupSummary {
                    group: u.group.clone(),
                    role: u.role.clone(),
                    uids: Vec::new(),
                    stake_share: 0.0,
                    emission_share: None,
                });
                sums.push((0, 0));
                groups.len() - 1
            }
        };
        groups[i].uids.push(u.uid);
        sums[i].0 += u128::from(u.stake_rao);
        sums[i].1 += u.emission;
    }
    for (g, (stake, emission)) in groups.iter_mut().zip(sums) {
        g.stake_share = if stake_total > 0 {
            stake as f64 / stake_total as f64
        } else {
            0.0
        };
        g.emission_share = (emission_total > 0).then(|| emission as f64 / emission_total as f64);
    }
    groups
}
