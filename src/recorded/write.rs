//! Writing `yuma-recorded/1` in table order with the layout rules of `yuma-epoch/1`: one
//! top-level field per line, compact values, `mechanisms` one compact object per line.

use super::{Recorded, RecordedMechanism};
use crate::json::{Compact, ObjectWriter};

fn mechanism_json(m: &RecordedMechanism) -> String {
    let mut w = ObjectWriter::compact();
    w.field("incentive", &m.incentive)
        .field("bonds", &m.bonds)
        .field("server_emission", &m.server_emission);
    w.finish()
}

/// The whole document, with its trailing newline.
pub fn recorded_json(r: &Recorded) -> String {
    let mut w = ObjectWriter::pretty(2);
    w.field("format", "yuma-recorded/1")
        .field("netuid", &r.netuid)
        .field("block", &r.block)
        .field("n", &r.n)
        .field("active", &r.active)
        .field("stake", &r.stake)
        .field("validator_permit", &r.validator_permit)
        .field("consensus", &r.consensus)
        .field("validator_trust", &r.validator_trust)
        .field("dividend", &r.dividend)
        .field("emission", &r.emission);
    let objects: Vec<String> = r.mechanisms.iter().map(mechanism_json).collect();
    w.raw(
        "mechanisms",
        &format!("[\n    {}\n  ]", objects.join(",\n    ")),
    );
    w.field("skip_uids", &r.skip_uids);
    // serde_json keeps integers exact (u64 / i64 as written), never through a double.
    let source = match &r.source {
        Some(obj) => serde_json::Value::Object(obj.clone()).to_string(),
        None => "null".to_string(),
    };
    w.raw("source", &source);
    w.finish() + "\n"
}

impl Compact for RecordedMechanism {
    fn write_compact(&self, out: &mut String) {
        out.push_str(&mechanism_json(self));
    }
}
