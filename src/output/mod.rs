//! `yuma-epoch/1`: what one epoch produces (FORMAT.md), for one mechanism or aggregated over
//! several, and its JSON / CSV writers.

mod csv;
mod json;
mod read;
mod rows;
mod terms;

pub use self::csv::{write_csv, CSV_HEADER};
pub use self::json::{epoch_json, mechanism_object_json, result_json};
pub use self::read::{parse_epoch, read_epoch};
pub use self::rows::Rows;
pub use self::terms::Terms;

/// I32F32 raw bits of the vectors and the final bonds matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawOutput {
    pub stake: Vec<i64>,
    pub active_stake: Vec<i64>,
    pub consensus: Vec<i64>,
    pub validator_trust: Vec<i64>,
    pub incentive: Vec<i64>,
    pub dividends: Vec<i64>,
    /// Final bonds before u16 conversion, every row.
    pub ema_bonds: Rows<i64>,
}

/// The per-uid terms the chain stores, plus bonds and raw bits: one mechanism's epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochOutput {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub active: Vec<bool>,
    /// Normalized stake as u16 (`StakeWeight`).
    pub stake: Vec<u16>,
    /// Total stake weight `alpha + tao·tao_weight` truncated to u64.
    pub stake_weight: Vec<u64>,
    pub new_validator_permit: Vec<bool>,
    pub consensus: Vec<u16>,
    pub validator_trust: Vec<u16>,
    pub incentive: Vec<u16>,
    pub dividend: Vec<u16>,
    pub server_emission: Vec<u64>,
    pub validator_emission: Vec<u64>,
    pub emission: Vec<u64>,
    /// Bonds as stored after the epoch (empty rows for uids without a new permit).
    pub bonds: Rows<u16>,
    pub raw: RawOutput,
}

/// The subnet terms folded over mechanisms (`epoch_with_mechanisms`), and each mechanism's own
/// epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultiOutput {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub active: Vec<bool>,
    pub stake: Vec<u16>,
    pub stake_weight: Vec<u64>,
    pub new_validator_permit: Vec<bool>,
    pub consensus: Vec<u16>,
    pub validator_trust: Vec<u16>,
    pub incentive: Vec<u16>,
    pub dividend: Vec<u16>,
    pub server_emission: Vec<u64>,
    pub validator_emission: Vec<u64>,
    pub emission: Vec<u64>,
    /// `e_m`: rao given to mechanism m by the split.
    pub mechanism_emission: Vec<u64>,
    /// `w_m = e_m / E` as U64F64 raw bits.
    pub mechanism_weight: Vec<u128>,
    pub mechanisms: Vec<EpochOutput>,
}

/// The result of a snapshot: single-mechanism layout, or the `mechanisms` layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EpochResult {
    Single(EpochOutput),
    Multi(MultiOutput),
}

impl EpochResult {
    /// The stored bonds of every mechanism, in mechanism order.
    pub fn mechanism_outputs(&self) -> Vec<&EpochOutput> {
        match self {
            EpochResult::Single(e) => vec![e],
            EpochResult::Multi(m) => m.mechanisms.iter().collect(),
        }
    }

    /// The (aggregated) new validator permits.
    pub fn new_validator_permit(&self) -> &[bool] {
        match self {
            EpochResult::Single(e) => &e.new_validator_permit,
            EpochResult::Multi(m) => &m.new_validator_permit,
        }
    }
}
