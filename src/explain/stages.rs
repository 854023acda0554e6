//! Reading one uid's values out of a mechanism's trace.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use super::{BondEntry, Explanation, Item, Raw, WeightIn, WeightOut};
use crate::epoch::bonds::{alpha_saturating, alpha_wrapping};
use crate::epoch::trace::Trace;
use crate::output::{EpochOutput, EpochResult};
use crate::snapshot::Snapshot;

type SparseBits = Vec<Vec<(u16, i64)>>;

/// The stages of one mechanism's trace by label; values parsed on demand (exact integers).
pub struct Stages<'a> {
    by_label: HashMap<&'a str, &'a str>,
}

impl<'a> Stages<'a> {
    pub fn new(trace: &'a Trace) -> Self {
        Stages {
            by_label: trace
                .stages
                .iter()
                .map(|(l, v)| (l.as_str(), v.as_str()))
                .collect(),
        }
    }

    /// The stage's value, or `None` when this epoch did not record it.
    pub fn get<T: DeserializeOwned>(&self, label: &str) -> Result<Option<T>, String> {
        self.by_label
            .get(label)
            .map(|text| {
                serde_json::from_str(text).map_err(|e| format!("trace stage `{label}`: {e}"))
            })
            .transpose()
    }

    /// A stage every epoch records.
    pub fn must<T: DeserializeOwned>(&self, label: &str) -> Result<T, String> {
        self.get(label)?
            .ok_or_else(|| format!("the trace has no stage `{label}`"))
    }
}

/// The first entry of `row` in column `j`.
fn entry<T: Copy>(row: &[(u16, T)], j: u16) -> Option<T> {
    row.iter().find(|e| e.0 == j).map(|e| e.1)
}

/// How many times column `j` appears in `row`.
fn occurrences<T>(row: &[(u16, T)], j: u16) -> usize {
    row.iter().filter(|e| e.0 == j).count()
}

/// Pairs each entry of a normalized row with its clipped value: clipping keeps the order and
/// drops an entry exactly when `c_j < w_ij` and `c_j <= 0` (`clip_weights`).
fn align_clipped(
    normalized: &[(u16, i64)],
    clipped: &[(u16, i64)],
    consensus: &[i64],
) -> Vec<Option<i64>> {
    let mut p = 0;
    normalized
        .iter()
        .map(|&(j, v)| {
            let c = consensus.get(usize::from(j)).copied().unwrap_or(0);
            if c < v && c <= 0 {
                None
            } else {
                let out = clipped.get(p).map(|e| e.1);
                p += 1;
                out
            }
        })
        .collect()
}

const MASK_STAGES: [&str; 4] = [
    "Weights (permit)",
    "Weights (permit+diag)",
    "Weights (permit+diag+outdate)",
    "Weights (permit+diag+outdate+commit-reveal)",
];

/// Output values the chain stores, for uid `u`.
fn output_items(items: &mut Vec<Item>, e: &EpochOutput, u: usize, label: &'static str) {
    let stage = Some(label);
    let mut push = |name: &'static str, raw: Raw| {
        items.push(Item {
            section: "output",
            name,
            stage,
            raw,
        })
    };
    push("stake (u16)", Raw::Int(e.stake[u].into()));
    push("stake_weight (rao)", Raw::Int(e.stake_weight[u]));
    push("consensus (u16)", Raw::Int(e.consensus[u].into()));
    push("incentive (u16)", Raw::Int(e.incentive[u].into()));
    push(
        "validator_trust (u16)",
        Raw::Int(e.validator_trust[u].into()),
    );
    push("dividend (u16)", Raw::Int(e.dividend[u].into()));
    push("server_emission (rao)", Raw::Int(e.server_emission[u]));
    push(
        "validator_emission (rao)",
        Raw::Int(e.validator_emission[u]),
    );
    push("emission (rao)", Raw::Int(e.emission[u]));
}

/// Assembles the explanation of uid `uid` from the trace of mechanism `m`.
pub fn build(
    s: &Snapshot,
    result: &EpochResult,
    st: &Stages<'_>,
    uid: u16,
    m: usize,
) -> Result<Explanation, String> {
    let u = usize::from(uid);
    let mut items: Vec<Item> = Vec::new();
    let mut item = |section, name, stage: &'static str, raw| {
        items.push(Item {
            section,
            name,
            stage: Some(stage),
            raw,
        })
    };
    let wide = |label: &str| -> Result<Raw, String> {
        let v: Vec<String> = st.must(label)?;
        v[u].parse()
            .map(Raw::Fixed64)
            .map_err(|e| format!("trace stage `{label}`: {e}"))
    };
    let fixed = |label: &str| -> Result<Vec<i64>, String> { st.must(label) };

    // Activity, stake, permits.
    let block: u64 = st.must("current_block")?;
    let cutoff: u64 = st.must("activity_cutoff")?;
    item(
        "activity",
        "current block",
        "current_block",
        Raw::Int(block),
    );
    item(
        "activity",
        "activity cutoff (blocks)",
        "activity_cutoff",
        Raw::Int(cutoff),
    );
    item(
        "activity",
        "last weight set (block)",
        "Last update",
        Raw::Int(st.must::<Vec<u64>>("Last update")?[u]),
    );
    item(
        "activity",
        "registered at (block)",
        "Block at registration",
        Raw::Int(st.must::<Vec<u64>>("Block at registration")?[u]),
    );
    item(
        "activity",
        "inactive",
        "Inactive",
        Raw::Bool(st.must::<Vec<bool>>("Inactive")?[u]),
    );
    item("stake", "alpha stake", "alpha_stake", wide("alpha_stake")?);
    item("stake", "tao stake", "tao_stake", wide("tao_stake")?);
    item(
        "stake",
        "total stake (alpha + tao·tao_weight)",
        "total_stake",
        wide("total_stake")?,
    );
    item(
        "stake",
        "stake after the threshold",
        "Filtered stake",
        wide("Filtered stake")?,
    );
    let active_stake = fixed("Active Stake")?;
    item(
        "stake",
        "normalized stake",
        "Normalised Stake",
        Raw::Fixed(fixed("Normalised Stake")?[u]),
    );
    item(
        "stake",
        "active stake",
        "Active Stake",
        Raw::Fixed(active_stake[u]),
    );
    item(
        "permit",
        "permit before the epoch",
        "validator_permits",
        Raw::Bool(st.must::<Vec<bool>>("validator_permits")?[u]),
    );
    item(
        "permit",
        "new permit",
        "new_validator_permits",
        Raw::Bool(st.must::<Vec<bool>>("new_validator_permits")?[u]),
    );

    // This uid as a miner: column U of the weights, consensus, incentive.
    let consensus = fixed("Consensus")?;
    item(
        "miner",
        "consensus (clipping point of its column)",
        "Consensus",
        Raw::Fixed(consensus[u]),
    );
    item(
        "miner",
        "incentive (share of the clipped, stake-weighted weights)",
        "Incentive (=Rank)",
        Raw::Fixed(fixed("Incentive (=Rank)")?[u]),
    );

    let read: SparseBits = st.must("Weights")?;
    let masks: Vec<SparseBits> = MASK_STAGES
        .iter()
        .map(|l| st.must(l))
        .collect::<Result<_, _>>()?;
    let norm: SparseBits = st.must("Weights (mask+norm)")?;
    let clipped: SparseBits = st.must("Clipped Weights")?;
    let mut weights_in = Vec::new();
    for (i, row) in read.iter().enumerate() {
        let clipped_row = align_clipped(&norm[i], &clipped[i], &consensus);
        let in_norm: Vec<(i64, Option<i64>)> = norm[i]
            .iter()
            .zip(&clipped_row)
            .filter(|(e, _)| e.0 == uid)
            .map(|(e, c)| (e.1, *c))
            .collect();
        for (k, &(_, stored)) in row.iter().filter(|e| e.0 == uid).enumerate() {
            let removed_by = MASK_STAGES
                .iter()
                .zip(&masks)
                .find(|(_, mask)| occurrences(&mask[i], uid) <= k)
                .map(|(label, _)| *label);
            let kept = removed_by.is_none().then(|| in_norm.get(k)).flatten();
            weights_in.push(WeightIn {
                validator: i as u16,
                occurrence: k,
                stored,
                removed_by,
                normalized: kept.map(|e| e.0),
                clipped: kept.and_then(|e| e.1),
                validator_active_stake: active_stake[i],
            });
        }
    }

    // This uid as a validator: row U.
    let clipped_u = align_clipped(&norm[u], &clipped[u], &consensus);
    let weights_out: Vec<WeightOut> = norm[u]
        .iter()
        .zip(clipped_u)
        .map(|(&(j, v), c)| WeightOut {
            miner: j,
            normalized: v,
            clipped: c,
            consensus: consensus.get(usize::from(j)).copied().unwrap_or(0),
        })
        .collect();
    item(
        "validator",
        "validator trust (sum of its clipped weights)",
        "Validator Trust",
        Raw::Fixed(fixed("Validator Trust")?[u]),
    );
    if s.hyperparams.yuma3_enabled {
        item(
            "validator",
            "total bonds (EMA bonds · incentive)",
            "total_bonds_per_validator",
            Raw::Fixed(fixed("total_bonds_per_validator")?[u]),
        );
    }
    item(
        "validator",
        "dividends",
        "Dividends",
        Raw::Fixed(fixed("Dividends")?[u]),
    );

    // Emission.
    for (name, label) in [
        ("server share", "Normalized Server Emission"),
        ("validator share", "Normalized Validator Emission"),
        ("combined share", "Normalized Combined Emission"),
    ] {
        item("emission", name, label, Raw::Fixed(fixed(label)?[u]));
    }
    for (name, label) in [
        ("server emission (rao)", "Server Emission"),
        ("validator emission (rao)", "Validator Emission"),
        ("combined emission (rao)", "Combined Emission"),
    ] {
        item(
            "emission",
            name,
            label,
            Raw::Int(st.must::<Vec<u64>>(label)?[u]),
        );
    }

    // Bonds.
    let yuma3 = s.hyperparams.yuma3_enabled;
    let masked: SparseBits = st.must(if yuma3 {
        "Bonds: (mask)"
    } else {
        "B (outdatedmask)"
    })?;
    let wb: SparseBits = st.must("yuma: weights_for_bonds")?;
    let ema: SparseBits = st.must("yuma: ema_bonds final")?;
    let alphas: Option<Vec<Vec<i64>>> = st.get("alphas")?;
    let outputs = result.mechanism_outputs();
    let out = outputs[m];
    let stored = &s.mechanisms[m].bonds;
    let bond = |i: usize, j: u16| BondEntry {
        validator: i as u16,
        miner: j,
        stored: entry(&stored[i], j),
        masked: entry(&masked[i], j),
        weight_for_bonds: entry(&wb[i], j),
        alpha: alphas
            .as_ref()
            .and_then(|a| a.get(i)?.get(usize::from(j)).copied()),
        ema: entry(&ema[i], j),
        stored_after: entry(&out.bonds[i], j),
    };
    let mut held: Vec<u16> = masked[u]
        .iter()
        .chain(&wb[u])
        .chain(&ema[u])
        .map(|e| e.0)
        .collect();
    held.sort_unstable();
    held.dedup();
    let bonds_held: Vec<BondEntry> = held.into_iter().map(|j| bond(u, j)).collect();
    let bonds_received: Vec<BondEntry> = (0..s.len())
        .filter(|&i| {
            [&masked[i], &wb[i], &ema[i]]
                .iter()
                .any(|r| entry(r, uid).is_some())
        })
        .map(|i| bond(i, uid))
        .collect();
    let liquid = alphas.is_some();
    if !liquid {
        let (alpha, label) = if yuma3 {
            (
                alpha_wrapping(s.hyperparams.bonds_moving_average),
                "bonds EMA rate α = 1 − bonds_moving_average / 10^6",
            )
        } else {
            (
                alpha_saturating(s.hyperparams.bonds_moving_average),
                "bonds EMA rate α = 1 − bonds_moving_average / 10^6",
            )
        };
        items.push(Item {
            section: "bonds",
            name: label,
            stage: None,
            raw: Raw::Fixed(alpha.to_bits()),
        });
    }

    // What the chain stores for this uid.
    output_items(&mut items, out, u, "yuma-epoch/1 (this mechanism)");
    if let EpochResult::Multi(agg) = result {
        let terms = [
            ("subnet stake (u16)", Raw::Int(agg.stake[u].into())),
            ("subnet consensus (u16)", Raw::Int(agg.consensus[u].into())),
            (
                "subnet incentive (u16, mechanism 0 only)",
                Raw::Int(agg.incentive[u].into()),
            ),
            (
                "subnet validator_trust (u16)",
                Raw::Int(agg.validator_trust[u].into()),
            ),
            ("subnet dividend (u16)", Raw::Int(agg.dividend[u].into())),
            (
                "subnet server_emission (rao)",
                Raw::Int(agg.server_emission[u]),
            ),
            (
                "subnet validator_emission (rao)",
                Raw::Int(agg.validator_emission[u]),
            ),
            ("subnet emission (rao)", Raw::Int(agg.emission[u])),
        ];
        for (name, raw) in terms {
            items.push(Item {
                section: "subnet",
                name,
                stage: Some("yuma-epoch/1 (aggregated over mechanisms)"),
                raw,
            });
        }
    }

    let rao_emission = match result {
        EpochResult::Single(_) => s.rao_emission,
        EpochResult::Multi(agg) => agg.mechanism_emission[m],
    };
    Ok(Explanation {
        netuid: s.netuid,
        block: s.block,
        n: s.n,
        uid,
        mechanism: m,
        mechanisms: s.mechanisms.len(),
        yuma3,
        liquid_alpha: liquid,
        rao_emission,
        items,
        weights_in,
        weights_out,
        bonds_held,
        bonds_received,
    })
}
