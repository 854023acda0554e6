//! CSV view of an epoch: one row per uid with the per-uid terms.

use super::Terms;

/// Column names, in order.
pub const CSV_HEADER: &str = "uid,active,stake,stake_weight,new_validator_permit,consensus,validator_trust,incentive,dividend,server_emission,validator_emission,emission";

/// The CSV document: header, then one line per uid.
pub fn write_csv(c: &Terms<'_>) -> String {
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
