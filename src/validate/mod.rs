//! Validation: a computed epoch against what the chain recorded (`yuma-recorded/1`), field by
//! field and uid by uid, exactly (FORMAT.md "yuma-recorded/1", comparison rules).
//!
//! - Header (`netuid`, `block`, `n`) and the number of mechanisms must agree, else the pair is an
//!   error ([`ValidateError`]), not a mismatch.
//! - A `null` field is "not recorded": listed, never compared.
//! - A skipped uid u is left out of every per-uid vector, of its own bonds row, and of the
//!   entries for column u in every other bonds row.
//! - Bonds rows are ordered lists of `[uid, value]` pairs, zero values included.
//! - Subnet-wide vectors compare with the (aggregated) top-level terms; per-mechanism ones with a
//!   single-mechanism epoch's top level, or with `mechanisms[m]` of a multi-mechanism epoch.

mod compare;
mod hints;
mod report;
mod run;

pub use compare::validate;
pub use hints::hints;
pub use report::{report_json, report_text, FolderOutcome, ReportDocument};
pub use run::{find_pairs, validate_pairs, Pair};

use crate::recorded::EmissionSource;

/// A recorded document that cannot be compared with this snapshot's epoch at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValidateError(pub String);

/// A compared value as it appears in the report: a number, a bool or a bonds row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(u64),
    Row(Vec<(u16, u16)>),
}

/// One differing value: the uid (or bonds row), its mechanism for per-mechanism fields, the
/// field, the bonds column where one entry differs, and both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub uid: u16,
    /// `Some(m)` for `incentive`, `bonds`, `server_emission`; `None` for subnet-wide fields.
    pub mechanism: Option<usize>,
    pub field: &'static str,
    /// For bonds: the column (target uid) of the differing entry; `None` when the rows differ
    /// in shape (length or order of targets) and are reported whole.
    pub target: Option<u16>,
    pub chain: Value,
    pub yuma: Value,
}

impl Mismatch {
    /// `yuma − chain` for integers (never overflows: both fit u64).
    pub fn difference(&self) -> Option<i128> {
        match (&self.chain, &self.yuma) {
            (Value::Int(c), Value::Int(y)) => Some(i128::from(*y) - i128::from(*c)),
            _ => None,
        }
    }
}

/// What happened to one recorded field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSummary {
    pub field: &'static str,
    pub mechanism: Option<usize>,
    /// `false`: the document has `null` here (not recorded), nothing compared.
    pub recorded: bool,
    /// Values compared: uids (or bonds rows) after leaving out the skipped ones.
    pub compared: usize,
    pub equal: usize,
    pub differ: usize,
    /// Uids left out because of `skip_uids`.
    pub skipped: usize,
    /// The field was used to pin `rao_emission` (`source.rao_emission = "pinned"`): equal by
    /// construction, not independent evidence.
    pub fitted: bool,
}

/// The whole comparison of one snapshot's epoch with one recorded document.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub mechanisms: usize,
    pub fields: Vec<FieldSummary>,
    /// Every differing value, in field order then uid order.
    pub mismatches: Vec<Mismatch>,
    pub skip_uids: Vec<u16>,
    pub emission_source: Option<EmissionSource>,
    pub source: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Report {
    /// True when some field was recorded (and so compared).
    pub fn compared_anything(&self) -> bool {
        self.fields.iter().any(|f| f.recorded)
    }

    /// True when every compared value is equal.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}
