//! The goldens' `trace.json` files, one entry per mechanism, decoded for the per-stage tests:
//! I32F32 raw bits, I64F64 decimal strings and sparse `[[[uid, raw], …], …]` matrices become
//! the crate's fixed-point types, and a stage's computed value is compared with the recorded one.

use std::sync::OnceLock;

use serde_json::Value;
use yuma::fixed::{bits, bits_64, sparse_bits, Sparse, I32F32, I64F64};
use yuma::snapshot::{MechanismInput, Snapshot};

use super::{golden_cases, load_snapshot, read};

/// One mechanism's stage list from a golden trace.
pub struct MechTrace {
    /// `edge/baseline_yuma2`, or `mechanisms/NAME mechanism M` for a multi-mechanism case.
    pub name: String,
    pub mechanism: usize,
    pub snapshot: Snapshot,
    /// The emission this mechanism's epoch ran with.
    pub rao_emission: u64,
    pub stages: Vec<(String, Value)>,
    /// This mechanism's own yuma-epoch/1 object.
    pub epoch: Value,
}

/// Every mechanism of every golden case that has a `trace.json` (loaded once per test binary).
pub fn traces() -> &'static [MechTrace] {
    static ALL: OnceLock<Vec<MechTrace>> = OnceLock::new();
    ALL.get_or_init(load_all)
}

fn load_all() -> Vec<MechTrace> {
    let mut all = Vec::new();
    for (case, dir) in golden_cases() {
        let path = dir.join("trace.json");
        if !path.is_file() {
            continue;
        }
        let snapshot = load_snapshot(&dir);
        let doc: Value = serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{}: malformed JSON: {e}", path.display()));
        assert_eq!(doc["format"], "yuma-trace/1", "{}", path.display());
        match doc.get("mechanisms") {
            None => all.push(MechTrace {
                name: case,
                mechanism: 0,
                rao_emission: snapshot.rao_emission,
                snapshot,
                stages: stage_list(&doc["stages"], &path.display().to_string()),
                epoch: doc["epoch"].clone(),
            }),
            Some(list) => {
                let list = list.as_array().expect("trace mechanisms is an array");
                assert_eq!(
                    list.len(),
                    snapshot.mechanisms.len(),
                    "{case}: trace mechanisms ≠ snapshot mechanisms"
                );
                for (m, item) in list.iter().enumerate() {
                    assert_eq!(item["mechanism"].as_u64(), Some(m as u64), "{case}");
                    all.push(MechTrace {
                        name: format!("{case} mechanism {m}"),
                        mechanism: m,
                        rao_emission: item["rao_emission"].as_u64().expect("rao_emission"),
                        snapshot: snapshot.clone(),
                        stages: stage_list(&item["stages"], &case),
                        epoch: doc["epoch"]["mechanisms"][m].clone(),
                    });
                }
            }
        }
    }
    assert!(!all.is_empty(), "no trace.json found in the goldens");
    all
}

fn stage_list(v: &Value, file: &str) -> Vec<(String, Value)> {
    v.as_array()
        .unwrap_or_else(|| panic!("{file}: `stages` is not an array"))
        .iter()
        .map(|s| {
            let label = s["stage"].as_str().expect("stage label").to_string();
            (label, s["value"].clone())
        })
        .collect()
}

impl MechTrace {
    /// This mechanism's weights, bonds, last_update and commit_block.
    pub fn input(&self) -> &MechanismInput {
        &self.snapshot.mechanisms[self.mechanism]
    }

    pub fn n(&self) -> usize {
        self.snapshot.len()
    }

    pub fn has(&self, label: &str) -> bool {
        self.stages.iter().any(|(l, _)| l == label)
    }

    /// The recorded value of a stage; panics naming the case when it is missing.
    pub fn val(&self, label: &str) -> &Value {
        self.stages
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{}: trace has no stage `{label}`", self.name))
    }

    fn array(&self, label: &str) -> &Vec<Value> {
        self.val(label)
            .as_array()
            .unwrap_or_else(|| panic!("{}: stage `{label}` is not an array", self.name))
    }

    /// An I32F32 vector (raw bits).
    pub fn fixed(&self, label: &str) -> Vec<I32F32> {
        self.array(label)
            .iter()
            .map(|x| fixed_of(x, label))
            .collect()
    }

    /// An I64F64 vector (decimal strings of the raw bits).
    pub fn fixed64(&self, label: &str) -> Vec<I64F64> {
        self.array(label)
            .iter()
            .map(|x| fixed64_of(x).unwrap_or_else(|| panic!("{label}: bad I64F64 {x}")))
            .collect()
    }

    /// An I64F64 scalar.
    pub fn fixed64_scalar(&self, label: &str) -> I64F64 {
        let v = self.val(label);
        fixed64_of(v).unwrap_or_else(|| panic!("{}: {label}: bad I64F64 {v}", self.name))
    }

    /// A sparse I32F32 matrix.
    pub fn sparse(&self, label: &str) -> Sparse {
        self.array(label)
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap_or_else(|| panic!("{label}: row is not an array"))
                    .iter()
                    .map(|e| {
                        let uid = e[0].as_u64().and_then(|u| u16::try_from(u).ok());
                        (uid.expect("sparse uid"), fixed_of(&e[1], label))
                    })
                    .collect()
            })
            .collect()
    }

    /// A dense I32F32 matrix.
    pub fn dense(&self, label: &str) -> Vec<Vec<I32F32>> {
        self.array(label)
            .iter()
            .map(|row| {
                let row = row.as_array();
                let row = row.unwrap_or_else(|| panic!("{label}: row is not an array"));
                row.iter().map(|x| fixed_of(x, label)).collect()
            })
            .collect()
    }

    pub fn bools(&self, label: &str) -> Vec<bool> {
        self.array(label)
            .iter()
            .map(|x| x.as_bool().expect("bool"))
            .collect()
    }

    pub fn u64s(&self, label: &str) -> Vec<u64> {
        self.array(label)
            .iter()
            .map(|x| x.as_u64().expect("u64"))
            .collect()
    }
}

fn fixed_of(x: &Value, label: &str) -> I32F32 {
    I32F32::from_bits(
        x.as_i64()
            .unwrap_or_else(|| panic!("{label}: {x} is not I32F32 raw bits")),
    )
}

fn fixed64_of(x: &Value) -> Option<I64F64> {
    x.as_str()?.parse::<i128>().ok().map(I64F64::from_bits)
}

/// JSON forms of computed values, as the trace encodes them.
pub fn j_fixed(x: &[I32F32]) -> Value {
    serde_json::json!(bits(x))
}

pub fn j_fixed64(x: &[I64F64]) -> Value {
    Value::from(
        bits_64(x)
            .iter()
            .map(|b| Value::from(b.to_string()))
            .collect::<Vec<_>>(),
    )
}

pub fn j_sparse(m: &[Vec<(u16, I32F32)>]) -> Value {
    serde_json::json!(sparse_bits(m))
}

pub fn j_dense(m: &[Vec<I32F32>]) -> Value {
    Value::from(m.iter().map(|r| j_fixed(r)).collect::<Vec<_>>())
}

/// Collects stage mismatches over many traces and reports them all at the end.
#[derive(Default)]
pub struct Checker {
    failures: Vec<String>,
    checked: usize,
}

impl Checker {
    /// Compares a computed stage value with the trace's; a mismatch names the case, the stage
    /// label and the first differing uid (row), with both values.
    pub fn check(&mut self, t: &MechTrace, label: &str, got: Value) {
        self.checked += 1;
        let expected = t.val(label);
        if *expected != got {
            self.failures.push(format!(
                "{}: stage `{label}`: {}",
                t.name,
                describe(expected, &got)
            ));
        }
    }

    /// Compares two values that are not a recorded stage value (named by `what`).
    pub fn expect_eq<T: PartialEq + std::fmt::Debug>(
        &mut self,
        t: &MechTrace,
        what: &str,
        expected: T,
        got: T,
    ) {
        self.checked += 1;
        if expected != got {
            self.failures.push(format!(
                "{}: {what}: expected {expected:?} got {got:?}",
                t.name
            ));
        }
    }

    /// Panics with every mismatch; also fails when nothing at all was compared.
    pub fn finish(self, what: &str) {
        assert!(self.checked > 0, "{what}: no stage value was compared");
        super::assert_no_failures(what, &self.failures);
    }
}

/// Where two JSON values differ: the first differing element of an array is the uid (row).
fn describe(expected: &Value, got: &Value) -> String {
    match (expected.as_array(), got.as_array()) {
        (Some(e), Some(g)) if e.len() == g.len() => {
            let diff: Vec<usize> = (0..e.len()).filter(|&i| e[i] != g[i]).collect();
            let uid = diff[0];
            format!(
                "uid {uid}: expected {} got {} ({} of {} uids differ)",
                short(&e[uid]),
                short(&g[uid]),
                diff.len(),
                e.len()
            )
        }
        (Some(e), Some(g)) => format!("expected {} entries, got {}", e.len(), g.len()),
        _ => format!("expected {} got {}", short(expected), short(got)),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}
