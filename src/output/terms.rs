//! A borrowed view of the per-uid terms of either result layout.

use super::{EpochOutput, EpochResult, MultiOutput};

/// The per-uid terms both layouts share, borrowed: the single mechanism's, or the aggregate of
/// several (`EpochResult::terms`).
#[derive(Clone, Copy, Debug)]
pub struct Terms<'a> {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub active: &'a [bool],
    pub stake: &'a [u16],
    pub stake_weight: &'a [u64],
    pub new_validator_permit: &'a [bool],
    pub consensus: &'a [u16],
    pub validator_trust: &'a [u16],
    pub incentive: &'a [u16],
    pub dividend: &'a [u16],
    pub server_emission: &'a [u64],
    pub validator_emission: &'a [u64],
    pub emission: &'a [u64],
}

macro_rules! terms_from {
    ($t:ty) => {
        impl<'a> From<&'a $t> for Terms<'a> {
            fn from(x: &'a $t) -> Self {
                Terms {
                    netuid: x.netuid,
                    block: x.block,
                    n: x.n,
                    active: &x.active,
                    stake: &x.stake,
                    stake_weight: &x.stake_weight,
                    new_validator_permit: &x.new_validator_permit,
                    consensus: &x.consensus,
                    validator_trust: &x.validator_trust,
                    incentive: &x.incentive,
                    dividend: &x.dividend,
                    server_emission: &x.server_emission,
                    validator_emission: &x.validator_emission,
                    emission: &x.emission,
                }
            }
        }
    };
}
terms_from!(EpochOutput);
terms_from!(MultiOutput);

impl EpochResult {
    /// The subnet's per-uid terms (the aggregated ones for several mechanisms).
    pub fn terms(&self) -> Terms<'_> {
        match self {
            EpochResult::Single(e) => Terms::from(e),
            EpochResult::Multi(m) => Terms::from(m),
        }
    }
}
