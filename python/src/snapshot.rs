//! `yuma.Snapshot`: a validated yuma-snapshot/1 document, built from a file, a dict, or numpy
//! arrays — always through the library's reader, so every rule and every message is the CLI's.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{json, Map, Value};
use yuma::snapshot::{parse_snapshot, read_snapshot, write_snapshot};

use crate::arrays::{bool_vec, csr_rows, u64_vec, ARRAYS};
use crate::errors::input_error;

/// One subnet at the block where its epoch runs (yuma-snapshot/1), validated.
#[pyclass(module = "yuma._yuma", frozen)]
pub struct Snapshot {
    pub inner: yuma::snapshot::Snapshot,
}

/// Python's `json.dumps(obj)`: exact for Python ints (floats stay floats and are refused by the
/// reader, naming the field).
fn dumps(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    obj.py()
        .import("json")?
        .call_method1("dumps", (obj,))?
        .extract()
}

/// Python's `json.loads(text)`: plain dicts, lists and exact ints.
pub fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

fn parse(py: Python<'_>, text: &str, file: &str) -> PyResult<Snapshot> {
    parse_snapshot(text, file)
        .map(|inner| Snapshot { inner })
        .map_err(|e| input_error(py, &e))
}

/// The per-mechanism fields of `from_arrays` as JSON.
fn mechanism_json(
    prefix: &str,
    last_update: &Bound<'_, PyAny>,
    commit_block: Option<&Bound<'_, PyAny>>,
    weights: &Bound<'_, PyAny>,
    bonds: &Bound<'_, PyAny>,
    n: usize,
) -> PyResult<Map<String, Value>> {
    let f = |k: &str| format!("{prefix}{k}");
    let commits: Value = match commit_block {
        None => Value::Array(vec![Value::Null; n]),
        Some(c) => {
            let list = c
                .call_method0("tolist")
                .or_else(|_| Ok::<_, PyErr>(c.clone()))?;
            serde_json::from_str(&dumps(&list)?)
                .map_err(|e| crate::errors::yuma_error(e.to_string()))?
        }
    };
    let mut m = Map::new();
    m.insert(
        "last_update".into(),
        json!(u64_vec(last_update, &f("last_update"))?),
    );
    m.insert("commit_block".into(), commits);
    m.insert(
        "weights".into(),
        json!(csr_rows(weights, &f("weights"), n)?),
    );
    m.insert("bonds".into(), json!(csr_rows(bonds, &f("bonds"), n)?));
    Ok(m)
}

#[pymethods]
impl Snapshot {
    /// Builds a snapshot from a dict shaped like the yuma-snapshot/1 JSON (ints, never floats).
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyDict>) -> PyResult<Snapshot> {
        parse(py, &dumps(d.as_any())?, "<dict>")
    }

    /// Parses yuma-snapshot/1 JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Snapshot> {
        parse(py, text, "<json>")
    }

    /// Builds a snapshot from numpy arrays, exactly, through the same reader as the CLI.
    ///
    /// Per-uid arrays (`alpha_stake`, `tao_stake`, `block_at_registration`, `last_update`) of
    /// any integer dtype (uint64 for stakes); `validator_permit` bool. Floats, bools where
    /// integers belong and negative values are refused with `SnapshotError` naming the field
    /// (and the uid). `weights` and `bonds` are CSR `(indptr, indices, data)` tuples, or objects
    /// with those attributes, taken AS THEY ARE: each row in the given order, duplicates kept,
    /// as the chain stores them (entries ≥ n are kept and treated as the chain does). scipy.sparse
    /// conversions may sum duplicate entries or sort the indices (`sum_duplicates`, `tocsr`,
    /// `sort_indices`), which changes the epoch: pass the raw arrays. `commit_block`: None (no
    /// pending commits) or one int-or-None per uid. With `mechanisms` (a list of dicts holding
    /// `last_update`, `weights`, `bonds` and an optional `commit_block`), the top-level
    /// per-mechanism arguments are not used. `hyperparams` is a dict with every field of the
    /// snapshot's `hyperparams` object (ints and bools).
    #[staticmethod]
    #[pyo3(signature = (*, netuid, block, hyperparams, alpha_stake, tao_stake, validator_permit,
        block_at_registration, last_update=None, weights=None, bonds=None, commit_block=None,
        owner_uid=None, last_mechanism_step_block=0, rao_emission=0, mechanisms=None,
        mechanism_emission_split=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_arrays(
        py: Python<'_>,
        netuid: u64,
        block: u64,
        hyperparams: &Bound<'_, PyDict>,
        alpha_stake: &Bound<'_, PyAny>,
        tao_stake: &Bound<'_, PyAny>,
        validator_permit: &Bound<'_, PyAny>,
        block_at_registration: &Bound<'_, PyAny>,
        last_update: Option<&Bound<'_, PyAny>>,
        weights: Option<&Bound<'_, PyAny>>,
        bonds: Option<&Bound<'_, PyAny>>,
        commit_block: Option<&Bound<'_, PyAny>>,
        owner_uid: Option<u64>,
        last_mechanism_step_block: u64,
        rao_emission: u64,
        mechanisms: Option<&Bound<'_, PyList>>,
        mechanism_emission_split: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Snapshot> {
        let alpha = u64_vec(alpha_stake, "alpha_stake")?;
        let n = alpha.len();
        let hp: Value = serde_json::from_str(&dumps(hyperparams.as_any())?)
            .map_err(|e| crate::errors::yuma_error(e.to_string()))?;
        let mut doc = Map::new();
        doc.insert("format".into(), json!("yuma-snapshot/1"));
        doc.insert("netuid".into(), json!(netuid));
        doc.insert("block".into(), json!(block));
        doc.insert("n".into(), json!(n));
        doc.insert("hyperparams".into(), hp);
        doc.insert("owner_uid".into(), json!(owner_uid));
        doc.insert(
            "last_mechanism_step_block".into(),
            json!(last_mechanism_step_block),
        );
        doc.insert("rao_emission".into(), json!(rao_emission));
        doc.insert("alpha_stake".into(), json!(alpha));
        doc.insert("tao_stake".into(), json!(u64_vec(tao_stake, "tao_stake")?));
        doc.insert(
            "validator_permit".into(),
            json!(bool_vec(validator_permit, "validator_permit")?),
        );
        doc.insert(
            "block_at_registration".into(),
            json!(u64_vec(block_at_registration, "block_at_registration")?),
        );
        let missing = |what: &str| {
            crate::errors::snapshot_error(
                py,
                &format!("{ARRAYS}: field `{what}`: missing (give it, or give `mechanisms`)"),
                ARRAYS,
                what,
                None,
            )
        };
        match mechanisms {
            None => {
                let m = mechanism_json(
                    "",
                    last_update.ok_or_else(|| missing("last_update"))?,
                    commit_block,
                    weights.ok_or_else(|| missing("weights"))?,
                    bonds.ok_or_else(|| missing("bonds"))?,
                    n,
                )?;
                doc.extend(m);
            }
            Some(list) => {
                let mut items = Vec::new();
                for (k, item) in list.iter().enumerate() {
                    let p = format!("mechanisms[{k}].");
                    let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
                        item.get_item(key)
                            .map_err(|_| missing(&format!("{p}{key}")))
                    };
                    let cb = item.get_item("commit_block").ok().filter(|c| !c.is_none());
                    items.push(Value::Object(mechanism_json(
                        &p,
                        &get("last_update")?,
                        cb.as_ref(),
                        &get("weights")?,
                        &get("bonds")?,
                        n,
                    )?));
                }
                doc.insert("mechanisms".into(), Value::Array(items));
                if let Some(split) = mechanism_emission_split.filter(|s| !s.is_none()) {
                    doc.insert(
                        "mechanism_emission_split".into(),
                        json!(u64_vec(split, "mechanism_emission_split")?),
                    );
                }
            }
        }
        parse(py, &Value::Object(doc).to_string(), ARRAYS)
    }

    #[getter]
    fn netuid(&self) -> u16 {
        self.inner.netuid
    }
    #[getter]
    fn block(&self) -> u64 {
        self.inner.block
    }
    #[getter]
    fn n(&self) -> u16 {
        self.inner.n
    }
    /// Number of mechanisms the snapshot runs (1 without a `mechanisms` array).
    #[getter]
    fn mechanism_count(&self) -> usize {
        self.inner.mechanisms.len()
    }

    /// The yuma-snapshot/1 document as JSON text (FORMAT.md byte layout).
    fn to_json(&self) -> String {
        write_snapshot(&self.inner)
    }

    /// The document as plain Python values (`json.loads(to_json())`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &write_snapshot(&self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "Snapshot(netuid={}, block={}, n={}, mechanisms={})",
            self.inner.netuid,
            self.inner.block,
            self.inner.n,
            self.inner.mechanisms.len()
        )
    }
}

/// Reads and validates a yuma-snapshot/1 file (raises `SnapshotError` naming file/field/uid).
#[pyfunction]
pub fn load_snapshot(py: Python<'_>, path: PathBuf) -> PyResult<Snapshot> {
    read_snapshot(&path)
        .map(|inner| Snapshot { inner })
        .map_err(|e| input_error(py, &e))
}
