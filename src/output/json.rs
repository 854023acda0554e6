//! JSON layout of `yuma-epoch/1` (FORMAT.md "Byte layout"): pretty at top level, one field per
//! line; compact inside `mechanisms` and inside traces. Everything is written into one string,
//! reserved up front from the sizes of the vectors; integers go through `itoa`.

use super::{EpochOutput, EpochResult, MultiOutput};
use crate::json::ObjectWriter;

/// Indent of a top-level object's fields, or `None` for compact.
fn top_indent(pretty: bool) -> Option<usize> {
    pretty.then_some(2)
}

/// Generous byte count of one mechanism's object (to reserve once, not to be exact).
fn size_hint(e: &EpochOutput) -> usize {
    let entries = e.bonds.entries().len() + e.raw.ema_bonds.entries().len();
    1024 + e.active.len() * 200 + entries * 32
}

/// Appends the `raw` object, pretty (four spaces deep) or compact.
fn raw_into(out: String, e: &EpochOutput, pretty: bool) -> String {
    let mut w = ObjectWriter::append_to(out, pretty.then_some(4));
    w.field("stake", &e.raw.stake)
        .field("active_stake", &e.raw.active_stake)
        .field("consensus", &e.raw.consensus)
        .field("validator_trust", &e.raw.validator_trust)
        .field("incentive", &e.raw.incentive)
        .field("dividends", &e.raw.dividends)
        .field("ema_bonds", &e.raw.ema_bonds);
    w.finish()
}

/// Appends one mechanism's epoch object.
fn epoch_into(out: String, e: &EpochOutput, pretty: bool) -> String {
    let mut w = ObjectWriter::append_to(out, top_indent(pretty));
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
        .value_with("raw", |out| raw_into(out, e, pretty));
    w.finish()
}

/// One mechanism's epoch as a compact object (the form used inside `mechanisms` and traces).
pub fn mechanism_object_json(e: &EpochOutput) -> String {
    epoch_into(String::with_capacity(size_hint(e)), e, false)
}

/// Appends the aggregated object with its `mechanisms` list (compact objects; in the pretty
/// layout one per line, four spaces deep).
fn multi_into(out: String, m: &MultiOutput, pretty: bool) -> String {
    let mut w = ObjectWriter::append_to(out, top_indent(pretty));
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
        .field("mechanism_weight", &m.mechanism_weight)
        .value_with("mechanisms", |mut out| {
            let (open, sep, close) = if pretty {
                ("[\n    ", ",\n    ", "\n  ]")
            } else {
                ("[", ",", "]")
            };
            out.push_str(open);
            for (i, e) in m.mechanisms.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                out = epoch_into(out, e, false);
            }
            out.push_str(close);
            out
        });
    w.finish()
}

/// A whole `epoch.json` document for a single-mechanism epoch, with its trailing newline.
pub fn epoch_json(e: &EpochOutput) -> String {
    let mut out = epoch_into(String::with_capacity(size_hint(e)), e, true);
    out.push('\n');
    out
}

/// A whole `epoch.json` document (either layout), with its trailing newline; `compact` gives
/// the one-line form embedded in traces.
pub fn result_json(r: &EpochResult, compact: bool) -> String {
    match r {
        EpochResult::Single(e) if compact => {
            epoch_into(String::with_capacity(size_hint(e)), e, false)
        }
        EpochResult::Single(e) => epoch_json(e),
        EpochResult::Multi(m) => {
            let hint =
                1024 + m.active.len() * 200 + m.mechanisms.iter().map(size_hint).sum::<usize>();
            let mut out = multi_into(String::with_capacity(hint), m, !compact);
            if !compact {
                out.push('\n');
            }
            out
        }
    }
}
