//! JSON layout of `yuma-epoch/1` (FORMAT.md "Byte layout"): pretty at top level, one field per
//! line; compact inside `mechanisms` and inside traces.

use super::{EpochOutput, EpochResult, MultiOutput};
use crate::json::ObjectWriter;

/// The `raw` object, pretty (four spaces deep) or compact.
fn raw_json(e: &EpochOutput, pretty: bool) -> String {
    let mut w = if pretty {
        ObjectWriter::pretty(4)
    } else {
        ObjectWriter::compact()
    };
    w.field("stake", &e.raw.stake)
        .field("active_stake", &e.raw.active_stake)
        .field("consensus", &e.raw.consensus)
        .field("validator_trust", &e.raw.validator_trust)
        .field("incentive", &e.raw.incentive)
        .field("dividends", &e.raw.dividends)
        .field("ema_bonds", &e.raw.ema_bonds);
    w.finish()
}

fn epoch_object(e: &EpochOutput, pretty: bool) -> String {
    let mut w = if pretty {
        ObjectWriter::pretty(2)
    } else {
        ObjectWriter::compact()
    };
    w.field("format", "yuma-epoch/1")
        .field("netuid", &e.netuid)
        .field("block", &e.block)
        .field("n", &e.n)
        .field("active", &e.active)
        .field("stake", &e.stake)
        .field("stake_weight", &e.stake_weight)
        .field("new_validator_permit", &e.new_validator_permit)
        .field("consensus", &e.consensus)
        .field("validator_trust", &e.validator_trust)
        .field("incentive", &e.incentive)
        .field("dividend", &e.dividend)
        .field("server_emission", &e.server_emission)
        .field("validator_emission", &e.validator_emission)
        .field("emission", &e.emission)
        .field("bonds", &e.bonds)
        .raw("raw", &raw_json(e, pretty));
    w.finish()
}

/// One mechanism's epoch as a compact object (the form used inside `mechanisms` and traces).
pub fn mechanism_object_json(e: &EpochOutput) -> String {
    epoch_object(e, false)
}

fn multi_object(m: &MultiOutput, pretty: bool) -> String {
    let mut w = if pretty {
        ObjectWriter::pretty(2)
    } else {
        ObjectWriter::compact()
    };
    w.field("format", "yuma-epoch/1")
        .field("netuid", &m.netuid)
        .field("block", &m.block)
        .field("n", &m.n)
        .field("active", &m.active)
        .field("stake", &m.stake)
        .field("stake_weight", &m.stake_weight)
        .field("new_validator_permit", &m.new_validator_permit)
        .field("consensus", &m.consensus)
        .field("validator_trust", &m.validator_trust)
        .field("incentive", &m.incentive)
        .field("dividend", &m.dividend)
        .field("server_emission", &m.server_emission)
        .field("validator_emission", &m.validator_emission)
        .field("emission", &m.emission)
        .field("mechanism_emission", &m.mechanism_emission)
        .field("mechanism_weight", &m.mechanism_weight);
    let objects: Vec<String> = m.mechanisms.iter().map(mechanism_object_json).collect();
    let list = if pretty {
        format!("[\n    {}\n  ]", objects.join(",\n    "))
    } else {
        format!("[{}]", objects.join(","))
    };
    w.raw("mechanisms", &list);
    w.finish()
}

/// A whole `epoch.json` document for a single-mechanism epoch, with its trailing newline.
pub fn epoch_json(e: &EpochOutput) -> String {
    epoch_object(e, true) + "\n"
}

/// A whole `epoch.json` document (either layout), with its trailing newline; `compact` gives
/// the one-line form embedded in traces.
pub fn result_json(r: &EpochResult, compact: bool) -> String {
    match (r, compact) {
        (EpochResult::Single(e), false) => epoch_json(e),
        (EpochResult::Single(e), true) => epoch_object(e, false),
        (EpochResult::Multi(m), false) => multi_object(m, true) + "\n",
        (EpochResult::Multi(m), true) => multi_object(m, false),
    }
}
