//! Field-by-field comparison of two epoch results; a difference names the stage, the field,
//! the uid, and both values.

use crate::json::Compact;
use crate::output::{EpochOutput, EpochResult, Rows, Terms};

/// One differing value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The epoch stage that produces the field.
    pub stage: &'static str,
    /// Field path, e.g. `raw.consensus` or `mechanisms[1].bonds`.
    pub field: String,
    /// The uid (row) that differs; `None` for whole-field differences such as lengths.
    pub uid: Option<usize>,
    pub expected: String,
    pub got: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stage {}: {}", self.stage, self.field)?;
        if let Some(uid) = self.uid {
            write!(f, " uid {uid}")?;
        }
        write!(f, ": expected {} got {}", self.expected, self.got)
    }
}

/// The stage of the epoch that computes each output field.
pub fn stage_of(field: &str) -> &'static str {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last {
        "active" => "activity",
        "stake" | "stake_weight" | "active_stake" => "stake",
        "new_validator_permit" => "permits",
        "consensus" => "consensus",
        "validator_trust" | "incentive" => "incentive",
        "dividend" | "dividends" | "bonds" | "ema_bonds" => "bonds",
        "server_emission" | "validator_emission" | "emission" => "emission",
        "mechanism_emission" | "mechanism_weight" => "mechanisms",
        _ => "header",
    }
}

struct Collector {
    out: Vec<Mismatch>,
}

impl Collector {
    fn vec<T: Compact + PartialEq>(&mut self, field: &str, expected: &[T], got: &[T]) {
        self.each(field, expected.iter(), got.iter());
    }

    /// Row by row, the uid being the row.
    fn rows<T: Compact + PartialEq>(&mut self, field: &str, expected: &Rows<T>, got: &Rows<T>) {
        self.each(field, expected.iter(), got.iter());
    }

    /// Item by item, the uid being the position.
    fn each<'a, T: Compact + PartialEq + ?Sized + 'a>(
        &mut self,
        field: &str,
        expected: impl ExactSizeIterator<Item = &'a T>,
        got: impl ExactSizeIterator<Item = &'a T>,
    ) {
        if expected.len() != got.len() {
            self.out.push(Mismatch {
                stage: stage_of(field),
                field: field.to_string(),
                uid: None,
                expected: format!("{} entries", expected.len()),
                got: format!("{} entries", got.len()),
            });
            return;
        }
        for (uid, (e, g)) in expected.zip(got).enumerate() {
            if e != g {
                self.out.push(Mismatch {
                    stage: stage_of(field),
                    field: field.to_string(),
                    uid: Some(uid),
                    expected: e.compact(),
                    got: g.compact(),
                });
            }
        }
    }

    fn scalar<T: Compact + PartialEq>(&mut self, field: &str, expected: &T, got: &T) {
        if expected != got {
            self.out.push(Mismatch {
                stage: stage_of(field),
                field: field.to_string(),
                uid: None,
                expected: expected.compact(),
                got: got.compact(),
            });
        }
    }

    fn terms(&mut self, p: &str, e: Terms<'_>, g: Terms<'_>) {
        let f = |name: &str| format!("{p}{name}");
        self.scalar(&f("netuid"), &e.netuid, &g.netuid);
        self.scalar(&f("block"), &e.block, &g.block);
        self.scalar(&f("n"), &e.n, &g.n);
        self.vec(&f("active"), e.active, g.active);
        self.vec(&f("stake"), e.stake, g.stake);
        self.vec(&f("stake_weight"), e.stake_weight, g.stake_weight);
        self.vec(
            &f("new_validator_permit"),
            e.new_validator_permit,
            g.new_validator_permit,
        );
        self.vec(&f("consensus"), e.consensus, g.consensus);
        self.vec(&f("validator_trust"), e.validator_trust, g.validator_trust);
        self.vec(&f("incentive"), e.incentive, g.incentive);
        self.vec(&f("dividend"), e.dividend, g.dividend);
        self.vec(&f("server_emission"), e.server_emission, g.server_emission);
        self.vec(
            &f("validator_emission"),
            e.validator_emission,
            g.validator_emission,
        );
        self.vec(&f("emission"), e.emission, g.emission);
    }

    fn epoch(&mut self, p: &str, e: &EpochOutput, g: &EpochOutput) {
        self.terms(p, Terms::from(e), Terms::from(g));
        let f = |name: &str| format!("{p}{name}");
        self.rows(&f("bonds"), &e.bonds, &g.bonds);
        self.vec(&f("raw.stake"), &e.raw.stake, &g.raw.stake);
        self.vec(
            &f("raw.active_stake"),
            &e.raw.active_stake,
            &g.raw.active_stake,
        );
        self.vec(&f("raw.consensus"), &e.raw.consensus, &g.raw.consensus);
        self.vec(
            &f("raw.validator_trust"),
            &e.raw.validator_trust,
            &g.raw.validator_trust,
        );
        self.vec(&f("raw.incentive"), &e.raw.incentive, &g.raw.incentive);
        self.vec(&f("raw.dividends"), &e.raw.dividends, &g.raw.dividends);
        self.rows(&f("raw.ema_bonds"), &e.raw.ema_bonds, &g.raw.ema_bonds);
    }
}

/// Every difference between `expected` and `got`, in field order.
pub fn compare(expected: &EpochResult, got: &EpochResult) -> Vec<Mismatch> {
    let mut c = Collector { out: Vec::new() };
    match (expected, got) {
        (EpochResult::Single(e), EpochResult::Single(g)) => c.epoch("", e, g),
        (EpochResult::Multi(e), EpochResult::Multi(g)) => {
            c.terms("", Terms::from(e), Terms::from(g));
            c.vec(
                "mechanism_emission",
                &e.mechanism_emission,
                &g.mechanism_emission,
            );
            c.vec("mechanism_weight", &e.mechanism_weight, &g.mechanism_weight);
            c.scalar("mechanisms.len", &e.mechanisms.len(), &g.mechanisms.len());
            for (m, (em, gm)) in e.mechanisms.iter().zip(&g.mechanisms).enumerate() {
                c.epoch(&format!("mechanisms[{m}]."), em, gm);
            }
        }
        _ => c.out.push(Mismatch {
            stage: "header",
            field: "layout".to_string(),
            uid: None,
            expected: layout_name(expected).to_string(),
            got: layout_name(got).to_string(),
        }),
    }
    c.out
}

fn layout_name(r: &EpochResult) -> &'static str {
    match r {
        EpochResult::Single(_) => "single-mechanism",
        EpochResult::Multi(_) => "multi-mechanism",
    }
}
