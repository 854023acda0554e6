//! Writing `yuma-snapshot/1` in FORMAT.md's byte layout.

use super::{Layout, MechanismInput, Snapshot};
use crate::json::{Compact, ObjectWriter};

fn mechanism_fields(w: &mut ObjectWriter, m: &MechanismInput) {
    w.field("last_update", &m.last_update)
        .field("commit_block", &m.commit_block)
        .field("weights", &m.weights)
        .field("bonds", &m.bonds);
}

/// The snapshot document, with its trailing newline.
pub fn write_snapshot(s: &Snapshot) -> String {
    let h = &s.hyperparams;
    let mut hp = ObjectWriter::pretty(4);
    hp.field("kappa", &h.kappa)
        .field("bonds_moving_average", &h.bonds_moving_average)
        .field("bonds_penalty", &h.bonds_penalty)
        .field("liquid_alpha_enabled", &h.liquid_alpha_enabled)
        .field("alpha_low", &h.alpha_low)
        .field("alpha_high", &h.alpha_high)
        .field(
            "alpha_sigmoid_steepness",
            &i64::from(h.alpha_sigmoid_steepness),
        )
        .field("yuma3_enabled", &h.yuma3_enabled)
        .field("activity_cutoff", &h.activity_cutoff)
        .field("tempo", &h.tempo)
        .field("max_allowed_validators", &h.max_allowed_validators)
        .field("stake_threshold", &h.stake_threshold)
        .field("commit_reveal_enabled", &h.commit_reveal_enabled)
        .field("tao_weight", &h.tao_weight);

    let mut w = ObjectWriter::pretty(2);
    w.field("format", "yuma-snapshot/1")
        .field("netuid", &s.netuid)
        .field("block", &s.block)
        .field("n", &s.n)
        .raw("hyperparams", &hp.finish())
        .field("owner_uid", &s.owner_uid)
        .field("last_mechanism_step_block", &s.last_mechanism_step_block)
        .field("rao_emission", &s.rao_emission)
        .field("alpha_stake", &s.alpha_stake)
        .field("tao_stake", &s.tao_stake)
        .field("validator_permit", &s.validator_permit);
    match &s.layout {
        Layout::Single => {
            let m = &s.mechanisms[0];
            w.field("last_update", &m.last_update)
                .field("block_at_registration", &s.block_at_registration)
                .field("commit_block", &m.commit_block)
                .field("weights", &m.weights)
                .field("bonds", &m.bonds);
        }
        Layout::Multi { split } => {
            w.field("block_at_registration", &s.block_at_registration);
            let objects: Vec<String> = s
                .mechanisms
                .iter()
                .map(|m| {
                    let mut o = ObjectWriter::compact();
                    mechanism_fields(&mut o, m);
                    o.finish()
                })
                .collect();
            w.raw("mechanisms", &format!("[{}]", objects.join(",")));
            if let Some(split) = split {
                w.raw("mechanism_emission_split", &split.compact());
            }
        }
    }
    w.finish() + "\n"
}
