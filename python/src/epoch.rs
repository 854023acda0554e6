//! `yuma.Epoch` and `yuma.epoch()`: a computed yuma-epoch/1 with every field as a numpy array of
//! its exact dtype.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use yuma::epoch::trace::{trace_json, Trace};
use yuma::output::{result_json, EpochOutput, EpochResult};

use crate::arrays::rows_to_csr;
use crate::engines::with_engine;
use crate::errors::yuma_error;
use crate::snapshot::{loads, Snapshot};

/// One computed epoch (yuma-epoch/1): the aggregated terms for a multi-mechanism snapshot, with
/// each mechanism's own epoch in `mechanisms`.
#[pyclass(module = "yuma._yuma", frozen)]
pub struct Epoch {
    result: EpochResult,
    traces: Option<Vec<Trace>>,
}

fn single(e: &EpochOutput) -> Epoch {
    Epoch {
        result: EpochResult::Single(e.clone()),
        traces: None,
    }
}

#[pymethods]
impl Epoch {
    /// `!(last_update + activity_cutoff < block)` per uid (bool).
    #[getter]
    fn active<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        PyArray1::from_slice(py, self.result.terms().active)
    }

    /// Normalized stake as the chain stores it (`StakeWeight`, uint16).
    #[getter]
    fn stake<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u16>> {
        PyArray1::from_slice(py, self.result.terms().stake)
    }

    /// Total stake `alpha + tao·tao_weight` truncated to u64 (uint64).
    #[getter]
    fn stake_weight<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.result.terms().stake_weight)
    }

    /// Validator permits after the epoch (bool).
    #[getter]
    fn new_validator_permit<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        PyArray1::from_slice(py, self.result.terms().new_validator_permit)
    }

    /// Consensus, `x·65535` truncated (uint16).
    #[getter]
    fn consensus<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u16>> {
        PyArray1::from_slice(py, self.result.terms().consensus)
    }

    /// Validator trust (uint16).
    #[getter]
    fn validator_trust<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u16>> {
        PyArray1::from_slice(py, self.result.terms().validator_trust)
    }

    /// Incentive (uint16; for several mechanisms mechanism 0's, weighted).
    #[getter]
    fn incentive<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u16>> {
        PyArray1::from_slice(py, self.result.terms().incentive)
    }

    /// Dividends (uint16).
    #[getter]
    fn dividend<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u16>> {
        PyArray1::from_slice(py, self.result.terms().dividend)
    }

    /// Miner emission in rao (uint64).
    #[getter]
    fn server_emission<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.result.terms().server_emission)
    }

    /// Validator emission in rao (uint64).
    #[getter]
    fn validator_emission<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.result.terms().validator_emission)
    }

    /// Combined emission in rao (uint64).
    #[getter]
    fn emission<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.result.terms().emission)
    }

    #[getter]
    fn netuid(&self) -> u16 {
        self.result.terms().netuid
    }
    #[getter]
    fn block(&self) -> u64 {
        yuma::replay::result_block(&self.result)
    }
    #[getter]
    fn n(&self) -> u16 {
        yuma::replay::result_n(&self.result)
    }

    /// Stored bonds after the epoch as CSR `(indptr int64, indices uint16, data uint16)`, rows
    /// in the chain's order; for several mechanisms, a list with one CSR per mechanism.
    #[getter]
    fn bonds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.result {
            EpochResult::Single(e) => Ok(rows_to_csr(py, &e.bonds)?.into_any()),
            EpochResult::Multi(m) => {
                let list = PyList::empty(py);
                for e in &m.mechanisms {
                    list.append(rows_to_csr(py, &e.bonds)?)?;
                }
                Ok(list.into_any())
            }
        }
    }

    /// I32F32 raw bits (value × 2^32, int64): `stake`, `active_stake`, `consensus`,
    /// `validator_trust`, `incentive`, `dividends`, and `ema_bonds` as CSR with int64 data.
    /// None for a multi-mechanism epoch (each mechanism has its own).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let EpochResult::Single(e) = &self.result else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("stake", PyArray1::from_slice(py, &e.raw.stake))?;
        d.set_item(
            "active_stake",
            PyArray1::from_slice(py, &e.raw.active_stake),
        )?;
        d.set_item("consensus", PyArray1::from_slice(py, &e.raw.consensus))?;
        d.set_item(
            "validator_trust",
            PyArray1::from_slice(py, &e.raw.validator_trust),
        )?;
        d.set_item("incentive", PyArray1::from_slice(py, &e.raw.incentive))?;
        d.set_item("dividends", PyArray1::from_slice(py, &e.raw.dividends))?;
        d.set_item("ema_bonds", rows_to_csr(py, &e.raw.ema_bonds)?)?;
        Ok(Some(d))
    }

    /// Each mechanism's own epoch (a list of `Epoch`; `[self]`-like single list for one).
    #[getter]
    fn mechanisms(&self) -> Vec<Epoch> {
        self.result
            .mechanism_outputs()
            .into_iter()
            .map(single)
            .collect()
    }

    /// `e_m`, the rao each mechanism's epoch split (uint64); None for one mechanism.
    #[getter]
    fn mechanism_emission<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<u64>>> {
        match &self.result {
            EpochResult::Multi(m) => Some(PyArray1::from_slice(py, &m.mechanism_emission)),
            EpochResult::Single(_) => None,
        }
    }

    /// `w_m = e_m / E` as U64F64 raw bits (value × 2^64), Python ints; None for one mechanism.
    #[getter]
    fn mechanism_weight(&self) -> Option<Vec<u128>> {
        match &self.result {
            EpochResult::Multi(m) => Some(m.mechanism_weight.clone()),
            EpochResult::Single(_) => None,
        }
    }

    /// The yuma-epoch/1 document as JSON text, byte-identical to `yuma epoch`.
    fn to_json(&self) -> String {
        result_json(&self.result, false)
    }

    /// The document as plain Python values: `to_dict() == json.load(open(epoch_json))`
    /// (lists, exact ints, `mechanism_weight` as decimal strings as in the file).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &result_json(&self.result, false))
    }

    /// The yuma-trace/1 document as plain Python values, when computed with `trace=True`.
    #[getter]
    fn trace<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.traces {
            Some(t) => loads(py, &trace_json(&self.result, t)).map(Some),
            None => Ok(None),
        }
    }

    /// The per-uid terms as a pandas DataFrame indexed by uid (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pd = py
            .import("pandas")
            .map_err(|_| yuma_error("Epoch.to_pandas needs pandas: pip install pandas"))?;
        let d = PyDict::new(py);
        let n = self.n();
        d.set_item("uid", PyArray1::from_vec(py, (0..n).collect::<Vec<u16>>()))?;
        let this = Bound::new(
            py,
            Epoch {
                result: self.result.clone(),
                traces: None,
            },
        )?;
        for name in [
            "active",
            "stake",
            "stake_weight",
            "new_validator_permit",
            "consensus",
            "validator_trust",
            "incentive",
            "dividend",
            "server_emission",
            "validator_emission",
            "emission",
        ] {
            d.set_item(name, this.getattr(name)?)?;
        }
        pd.call_method1("DataFrame", (d,))?
            .call_method1("set_index", ("uid",))
    }

    fn __repr__(&self) -> String {
        format!(
            "Epoch(netuid={}, block={}, n={}, mechanisms={})",
            self.netuid(),
            self.block(),
            self.n(),
            self.result.mechanism_outputs().len()
        )
    }
}

/// Computes the epoch of `snapshot`: `backend` is `"auto"` (a hardware GPU, else the CPU
/// reference), `"cpu"` or `"gpu"`; `trace=True` runs the CPU reference and records every stage.
/// The GIL is released while computing.
#[pyfunction]
#[pyo3(signature = (snapshot, backend="auto", trace=false))]
pub fn epoch(py: Python<'_>, snapshot: &Snapshot, backend: &str, trace: bool) -> PyResult<Epoch> {
    let s = &snapshot.inner;
    if trace {
        let (result, traces) = py.detach(|| {
            let mut traces = Vec::new();
            let r = yuma::epoch::run_snapshot(s, Some(&mut traces));
            (r, traces)
        });
        return Ok(Epoch {
            result,
            traces: Some(traces),
        });
    }
    let result = py
        .detach(|| with_engine(backend, |engine| engine.run(s).map_err(|e| e.to_string())))
        .map_err(yuma_error)?
        .map_err(yuma_error)?;
    Ok(Epoch {
        result,
        traces: None,
    })
}

impl Epoch {
    /// The computed result.
    pub fn result(&self) -> &EpochResult {
        &self.result
    }

    /// Wraps a computed result (for the command functions).
    pub fn from_result(result: EpochResult) -> Epoch {
        Epoch {
            result,
            traces: None,
        }
    }
}
