//! `yuma-recorded/1`: what the chain stored after one subnet's epoch at block B (FORMAT.md,
//! "yuma-recorded/1"; CHAIN_EXPORT.md §3 says where each value lives on a node).
//!
//! Every field but the header may be `None` ("not recorded": not compared). Per-mechanism values
//! (`Incentive`, `Bonds` under the storage index `netuid + 4096·m`, and the
//! `IncentiveAlphaEmittedToMiners` event) sit in [`RecordedMechanism`]; the subnet-wide vectors
//! at top level. [`recorded_from_epoch`] cuts such a document from a computed epoch, so every
//! `yuma-epoch/1` doubles as a validation case.

mod fast;
mod read;
mod write;

pub use read::{parse_recorded, read_recorded};
pub use write::recorded_json;

use crate::output::{EpochOutput, EpochResult};
use crate::snapshot::SparseRowU16;

/// How `rao_emission` of the matching snapshot was obtained (`source.rao_emission`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmissionSource {
    /// Read exactly (e.g. from a replay of block B with runtime logs).
    Exact,
    /// Fitted so that the recorded emissions are reproduced: those emissions are then not
    /// independent evidence.
    Pinned,
    /// Estimated from the pending amounts around B.
    Estimate,
}

impl EmissionSource {
    /// The spelling used in `source.rao_emission`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmissionSource::Exact => "exact",
            EmissionSource::Pinned => "pinned",
            EmissionSource::Estimate => "estimate",
        }
    }

    /// Parses `exact` / `pinned` / `estimate`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exact" => Some(EmissionSource::Exact),
            "pinned" => Some(EmissionSource::Pinned),
            "estimate" => Some(EmissionSource::Estimate),
            _ => None,
        }
    }
}

/// What the chain stored for one mechanism (storage index `netuid + 4096·m`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedMechanism {
    /// `Incentive(idx)`: the mechanism's own u16 incentive.
    pub incentive: Option<Vec<u16>>,
    /// `Bonds(idx, uid)` rows in storage order.
    pub bonds: Option<Vec<SparseRowU16>>,
    /// The `IncentiveAlphaEmittedToMiners { netuid: idx }` event's vector (rao).
    pub server_emission: Option<Vec<u64>>,
}

/// A whole `yuma-recorded/1` document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    pub netuid: u16,
    /// B: the block whose `on_initialize` ran the epoch.
    pub block: u64,
    pub n: u16,
    /// `Active(netuid)`.
    pub active: Option<Vec<bool>>,
    /// `StakeWeight(netuid)`: the u16 normalized stake.
    pub stake: Option<Vec<u16>>,
    /// `ValidatorPermit(netuid)`: compared with `new_validator_permit`.
    pub validator_permit: Option<Vec<bool>>,
    /// `Consensus(netuid)`.
    pub consensus: Option<Vec<u16>>,
    /// `ValidatorTrust(netuid)`.
    pub validator_trust: Option<Vec<u16>>,
    /// `Dividends(netuid)`.
    pub dividend: Option<Vec<u16>>,
    /// `Emission(netuid)` (rao).
    pub emission: Option<Vec<u64>>,
    /// Element m = mechanism m.
    pub mechanisms: Vec<RecordedMechanism>,
    /// Uids whose recorded values block B's own extrinsics changed: never compared. Strictly
    /// increasing, each < n.
    pub skip_uids: Vec<u16>,
    /// Free-form provenance, echoed in reports and never compared.
    pub source: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Recorded {
    /// `source.rao_emission`, when it is one of the three known words.
    pub fn emission_source(&self) -> Option<EmissionSource> {
        self.source
            .as_ref()?
            .get("rao_emission")?
            .as_str()
            .and_then(EmissionSource::parse)
    }
}

fn mechanism_cut(e: &EpochOutput) -> RecordedMechanism {
    RecordedMechanism {
        incentive: Some(e.incentive.clone()),
        bonds: Some(e.bonds.to_vecs()),
        server_emission: Some(e.server_emission.clone()),
    }
}

/// The recorded cut of a computed epoch: exactly the values the chain stores, with no skipped
/// uid and no source. It validates against its own snapshot with no mismatch.
pub fn recorded_from_epoch(result: &EpochResult) -> Recorded {
    match result {
        EpochResult::Single(e) => Recorded {
            netuid: e.netuid,
            block: e.block,
            n: e.n,
            active: Some(e.active.clone()),
            stake: Some(e.stake.clone()),
            validator_permit: Some(e.new_validator_permit.clone()),
            consensus: Some(e.consensus.clone()),
            validator_trust: Some(e.validator_trust.clone()),
            dividend: Some(e.dividend.clone()),
            emission: Some(e.emission.clone()),
            mechanisms: vec![mechanism_cut(e)],
            skip_uids: Vec::new(),
            source: None,
        },
        EpochResult::Multi(m) => Recorded {
            netuid: m.netuid,
            block: m.block,
            n: m.n,
            active: Some(m.active.clone()),
            stake: Some(m.stake.clone()),
            validator_permit: Some(m.new_validator_permit.clone()),
            consensus: Some(m.consensus.clone()),
            validator_trust: Some(m.validator_trust.clone()),
            dividend: Some(m.dividend.clone()),
            emission: Some(m.emission.clone()),
            mechanisms: m.mechanisms.iter().map(mechanism_cut).collect(),
            skip_uids: Vec::new(),
            source: None,
        },
    }
}
