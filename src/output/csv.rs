//! CSV view of an epoch: one row per uid with the per-uid terms.

use super::{EpochOutput, MultiOutput};

/// Column names, in order.
pub const CSV_HEADER: &str = "uid,active,stake,stake_weight,new_validator_permit,consensus,validator_trust,incentive,dividend,server_emission,validator_emission,emission";

/// Per-uid columns shared by both layouts.
pub struct CsvColumns<'a> {
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

impl<'a> From<&'a EpochOutput> for CsvColumns<'a> {
    fn from(e: &'a EpochOutput) -> Self {
        CsvColumns {
            active: &e.active,
            stake: &e.stake,
            stake_weight: &e.stake_weight,
            new_validator_permit: &e.new_validator_permit,
            consensus: &e.consensus,
            validator_trust: &e.validator_trust,
            incentive: &e.incentive,
            dividend: &e.dividend,
            server_emission: &e.server_emission,
            validator_emission: &e.validator_emission,
            emission: &e.emission,
        }
    }
}

impl<'a> From<&'a MultiOutput> for CsvColumns<'a> {
    fn from(m: &'a MultiOutput) -> Self {
        CsvColumns {
            active: &m.active,
            stake: &m.stake,
            stake_weight: &m.stake_weight,
            new_validator_permit: &m.new_validator_permit,
            consensus: &m.consensus,
            validator_trust: &m.validator_trust,
            incentive: &m.incentive,
            dividend: &m.dividend,
            server_emission: &m.server_emission,
            validator_emission: &m.validator_emission,
            emission: &m.emission,
        }
    }
}

/// The CSV document: header, then one line per uid.
pub fn write_csv(c: &CsvColumns<'_>) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for uid in 0..c.active.len() {
        out.push_str(&format!(
            "{uid},{},{},{},{},{},{},{},{},{},{},{}\n",
            c.active[uid],
            c.stake[uid],
            c.stake_weight[uid],
            c.new_validator_permit[uid],
            c.consensus[uid],
            c.validator_trust[uid],
            c.incentive[uid],
            c.dividend[uid],
            c.server_emission[uid],
            c.validator_emission[uid],
            c.emission[uid],
        ));
    }
    out
}
