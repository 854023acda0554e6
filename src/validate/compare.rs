//! The comparison itself: recorded fields against the computed epoch.

use super::{FieldSummary, Mismatch, Report, ValidateError, Value};
use crate::output::{EpochResult, Rows};
use crate::recorded::{EmissionSource, Recorded};

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<u16> for Value {
    fn from(x: u16) -> Self {
        Value::Int(x.into())
    }
}
impl From<u64> for Value {
    fn from(x: u64) -> Self {
        Value::Int(x)
    }
}

struct Comparer {
    /// `skipped[u]`: uid u is in `skip_uids`.
    skipped: Vec<bool>,
    pinned: bool,
    fields: Vec<FieldSummary>,
    mismatches: Vec<Mismatch>,
}

impl Comparer {
    fn summary(&self, field: &'static str, mechanism: Option<usize>) -> FieldSummary {
        FieldSummary {
            field,
            mechanism,
            recorded: false,
            compared: 0,
            equal: 0,
            differ: 0,
            skipped: 0,
            fitted: false,
        }
    }

    /// A per-uid vector; `None` = not recorded.
    fn vector<T: Copy + PartialEq + Into<Value>>(
        &mut self,
        field: &'static str,
        mechanism: Option<usize>,
        chain: Option<&[T]>,
        yuma: &[T],
    ) {
        let mut s = self.summary(field, mechanism);
        if let Some(chain) = chain {
            s.recorded = true;
            s.fitted = self.pinned && matches!(field, "emission" | "server_emission");
            for (uid, (&c, &y)) in chain.iter().zip(yuma).enumerate() {
                if self.skipped[uid] {
                    s.skipped += 1;
                    continue;
                }
                s.compared += 1;
                if c == y {
                    s.equal += 1;
                } else {
                    s.differ += 1;
                    self.mismatches.push(Mismatch {
                        uid: uid as u16,
                        mechanism,
                        field,
                        target: None,
                        chain: c.into(),
                        yuma: y.into(),
                    });
                }
            }
        }
        self.fields.push(s);
    }

    /// Bonds rows: ordered `[uid, value]` lists with the skipped columns left out.
    fn bonds(&mut self, mechanism: usize, chain: Option<&[Vec<(u16, u16)>]>, yuma: &Rows<u16>) {
        let mut s = self.summary("bonds", Some(mechanism));
        if let Some(chain) = chain {
            s.recorded = true;
            for (uid, (c, y)) in chain.iter().zip(yuma.iter()).enumerate() {
                if self.skipped[uid] {
                    s.skipped += 1;
                    continue;
                }
                s.compared += 1;
                let skipped = &self.skipped;
                let kept =
                    |e: &&(u16, u16)| !skipped.get(usize::from(e.0)).copied().unwrap_or(false);
                if c.iter().filter(kept).eq(y.iter().filter(kept)) {
                    s.equal += 1;
                    continue;
                }
                let c: Vec<(u16, u16)> = c.iter().filter(kept).copied().collect();
                let y: Vec<(u16, u16)> = y.iter().filter(kept).copied().collect();
                s.differ += 1;
                let same_shape = c.len() == y.len() && c.iter().zip(&y).all(|(a, b)| a.0 == b.0);
                if same_shape {
                    for (&(j, cv), &(_, yv)) in c.iter().zip(&y) {
                        if cv != yv {
                            self.mismatches.push(Mismatch {
                                uid: uid as u16,
                                mechanism: Some(mechanism),
                                field: "bonds",
                                target: Some(j),
                                chain: cv.into(),
                                yuma: yv.into(),
                            });
                        }
                    }
                } else {
                    self.mismatches.push(Mismatch {
                        uid: uid as u16,
                        mechanism: Some(mechanism),
                        field: "bonds",
                        target: None,
                        chain: Value::Row(c),
                        yuma: Value::Row(y),
                    });
                }
            }
        }
        self.fields.push(s);
    }
}

/// Compares `recorded` with `computed`, the epoch yuma computed from the snapshot of the same
/// block. Errors when the two cannot describe the same epoch (netuid, block, n, number of
/// mechanisms).
pub fn validate(computed: &EpochResult, recorded: &Recorded) -> Result<Report, ValidateError> {
    let c = computed.terms();
    let mechanisms = computed.mechanism_outputs();
    let header = [
        ("netuid", u64::from(recorded.netuid), u64::from(c.netuid)),
        ("block", recorded.block, c.block),
        ("n", u64::from(recorded.n), u64::from(c.n)),
    ];
    for (field, rec, snap) in header {
        if rec != snap {
            return Err(ValidateError(format!(
                "field `{field}`: the recorded document has {rec}, the snapshot {snap}: they are not the same epoch"
            )));
        }
    }
    if recorded.mechanisms.len() != mechanisms.len() {
        return Err(ValidateError(format!(
            "field `mechanisms`: the recorded document has {} mechanism(s), the snapshot runs {}",
            recorded.mechanisms.len(),
            mechanisms.len()
        )));
    }
    let n = usize::from(c.n);
    let mut skipped = vec![false; n];
    for &u in &recorded.skip_uids {
        if let Some(s) = skipped.get_mut(usize::from(u)) {
            *s = true;
        }
    }
    let mut cmp = Comparer {
        skipped,
        pinned: recorded.emission_source() == Some(EmissionSource::Pinned),
        fields: Vec::new(),
        mismatches: Vec::new(),
    };
    let r = recorded;
    cmp.vector("active", None, r.active.as_deref(), c.active);
    cmp.vector("stake", None, r.stake.as_deref(), c.stake);
    cmp.vector(
        "validator_permit",
        None,
        r.validator_permit.as_deref(),
        c.new_validator_permit,
    );
    cmp.vector("consensus", None, r.consensus.as_deref(), c.consensus);
    cmp.vector(
        "validator_trust",
        None,
        r.validator_trust.as_deref(),
        c.validator_trust,
    );
    cmp.vector("dividend", None, r.dividend.as_deref(), c.dividend);
    cmp.vector("emission", None, r.emission.as_deref(), c.emission);
    for (m, (rm, cm)) in r.mechanisms.iter().zip(&mechanisms).enumerate() {
        cmp.vector("incentive", Some(m), rm.incentive.as_deref(), &cm.incentive);
        cmp.bonds(m, rm.bonds.as_deref(), &cm.bonds);
        cmp.vector(
            "server_emission",
            Some(m),
            rm.server_emission.as_deref(),
            &cm.server_emission,
        );
    }
    Ok(Report {
        netuid: c.netuid,
        block: c.block,
        n: c.n,
        mechanisms: mechanisms.len(),
        fields: cmp.fields,
        mismatches: cmp.mismatches,
        skip_uids: r.skip_uids.clone(),
        emission_source: r.emission_source(),
        source: r.source.clone(),
    })
}
