//! "Why did uid U get this?": one uid's path through the epoch, every number labelled with the
//! stage that produced it.
//!
//! The numbers are read out of the trace the CPU reference records while it computes the epoch
//! (the same computation as `yuma epoch --trace`), so an explanation can never disagree with
//! the epoch: it only selects row U, column U and element U of the recorded stages.

mod render;
mod stages;

pub use render::{explain_json, explain_text};

use crate::epoch::trace::Trace;
use crate::snapshot::Snapshot;
use stages::Stages;

/// A value as the trace holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Raw {
    /// I32F32 raw bits (value × 2^32).
    Fixed(i64),
    /// I64F64 raw bits (value × 2^64).
    Fixed64(i128),
    Int(u64),
    Bool(bool),
}

/// One labelled number about the uid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// `stake`, `permit`, `activity`, `miner`, `validator`, `bonds`, `emission`, `output`.
    pub section: &'static str,
    /// What the number is, in words.
    pub name: &'static str,
    /// The trace stage it is element U of (`None` for values not in the trace, e.g. the fixed
    /// EMA rate, derived from the hyperparameters by the epoch's own function, or the aggregate
    /// of a multi-mechanism output).
    pub stage: Option<&'static str>,
    pub raw: Raw,
}

/// One entry of weight matrix column U (a validator's weight on this uid), through the masks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightIn {
    /// The validator (row).
    pub validator: u16,
    /// Which occurrence of column U in that row (rows may repeat a column).
    pub occurrence: usize,
    /// `Weights`: the stored u16 as read (I32F32 bits).
    pub stored: i64,
    /// The first mask stage that removed the entry, if any.
    pub removed_by: Option<&'static str>,
    /// `Weights (mask+norm)`.
    pub normalized: Option<i64>,
    /// `Clipped Weights`.
    pub clipped: Option<i64>,
    /// The validator's `Active Stake`.
    pub validator_active_stake: i64,
}

/// One entry of row U of the normalized weights (this uid as a validator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightOut {
    pub miner: u16,
    pub normalized: i64,
    pub clipped: Option<i64>,
    /// `Consensus` of the miner's column.
    pub consensus: i64,
}

/// One bond entry (row = validator, column = miner) through the bonds stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BondEntry {
    pub validator: u16,
    pub miner: u16,
    /// The stored u16 bond in the snapshot (first entry of that column).
    pub stored: Option<u16>,
    /// After the recently-registered mask (`Bonds: (mask)` / `B (outdatedmask)`).
    pub masked: Option<i64>,
    /// `yuma: weights_for_bonds`.
    pub weight_for_bonds: Option<i64>,
    /// Liquid alpha's per-entry rate (`alphas`), when the chain computed it.
    pub alpha: Option<i64>,
    /// `yuma: ema_bonds final`.
    pub ema: Option<i64>,
    /// The u16 stored after the epoch (`bonds` of the output).
    pub stored_after: Option<u16>,
}

/// Everything about one uid in one mechanism's epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub uid: u16,
    pub mechanism: usize,
    pub mechanisms: usize,
    pub yuma3: bool,
    pub liquid_alpha: bool,
    /// The emission this mechanism's epoch split (`e_m`; the snapshot's for one mechanism).
    pub rao_emission: u64,
    pub items: Vec<Item>,
    pub weights_in: Vec<WeightIn>,
    pub weights_out: Vec<WeightOut>,
    pub bonds_held: Vec<BondEntry>,
    pub bonds_received: Vec<BondEntry>,
}

/// A request `explain` cannot answer (uid or mechanism out of range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExplainError(pub String);

/// Explains uid `uid` of mechanism `mechanism` of `snapshot`, computing the epoch on the CPU
/// reference with its trace.
pub fn explain(
    snapshot: &Snapshot,
    uid: u16,
    mechanism: usize,
) -> Result<Explanation, ExplainError> {
    if uid >= snapshot.n {
        return Err(ExplainError(format!(
            "--uid {uid}: the subnet has n = {} (uids 0 to {})",
            snapshot.n,
            snapshot.n - 1
        )));
    }
    let count = snapshot.mechanisms.len();
    if mechanism >= count {
        return Err(ExplainError(format!(
            "--mechanism {mechanism}: the snapshot has {count} mechanism{} (0 to {})",
            if count == 1 { "" } else { "s" },
            count - 1
        )));
    }
    let mut traces: Vec<Trace> = Vec::new();
    let result = crate::epoch::run_snapshot(snapshot, Some(&mut traces));
    let stages = Stages::new(&traces[mechanism]);
    stages::build(snapshot, &result, &stages, uid, mechanism).map_err(ExplainError)
}
