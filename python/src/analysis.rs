//! The analysis commands as functions: `scenario`, `scenarios`, `sweep`, `metrics`, `emission`.
//! Every computation is `yuma::analysis`'s; results come back as plain Python values (the
//! documents the CLI writes) and `Epoch` objects.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use yuma::analysis::emission::{parse_date, project, BLOCKS_PER_DAY, DAYS_PER_YEAR};
use yuma::analysis::metrics::{metrics_json, sequence_metrics};
use yuma::analysis::scenario as scenarios_lib;
use yuma::analysis::scenario::{library::LIBRARY, run_scenario, summarize, YumaVersion};
use yuma::analysis::sweep::{parse_axis, run_sweep_shard, sweep_json, Base};
use yuma::jobs::write_atomic;
use yuma::jobs::Shard;
use yuma::output::{read_epoch, result_json, EpochResult};
use yuma::replay::epoch_name;
use yuma::snapshot::{read_snapshot, write_snapshot};

use crate::engines::with_engine;
use crate::epoch::Epoch;
use crate::errors::{input_error, yuma_error};
use crate::snapshot::loads;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(scenario, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    m.add_function(wrap_pyfunction!(emission, m)?)?;
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| yuma_error(e.to_string()))
}

fn yuma_version(v: Option<&str>) -> PyResult<Option<YumaVersion>> {
    v.map(|s| {
        YumaVersion::parse(s)
            .ok_or_else(|| yuma_error(format!("yuma={s:?}: expected \"2\", \"3\" or \"3la\"")))
    })
    .transpose()
}

/// The built-in scenarios as `(name, description)` pairs (`yuma scenario --list`).
#[pyfunction]
fn scenarios() -> Vec<(String, String)> {
    LIBRARY
        .iter()
        .map(|(name, text)| {
            let desc = scenarios_lib::parse_scenario(text, name)
                .map(|f| f.description)
                .unwrap_or_default();
            (name.to_string(), desc)
        })
        .collect()
}

/// `yuma scenario` as a function: runs a built-in scenario (by name) or a TOML file, chained
/// exactly. With `out_dir`, writes the same sequence folder as the CLI (epoch_NN/snapshot.json
/// + epoch.json). Returns `{"summary": …, "metrics": …, "roles": …, "epochs": [Epoch]}`.
#[pyfunction]
#[pyo3(signature = (name_or_file, out_dir=None, yuma=None, seed=None, epochs=None, backend="auto"))]
fn scenario<'py>(
    py: Python<'py>,
    name_or_file: &str,
    out_dir: Option<PathBuf>,
    yuma: Option<&str>,
    seed: Option<u64>,
    epochs: Option<usize>,
    backend: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let (mut sc, _) = scenarios_lib::load(name_or_file).map_err(yuma_error)?;
    if let Some(y) = yuma_version(yuma)? {
        sc.set_yuma(y);
    }
    if let Some(s) = seed {
        sc.seed = s;
    }
    if let Some(e) = epochs {
        sc.epochs = e;
    }
    let count = sc.epochs;
    let results = py
        .detach(|| {
            with_engine(backend, |engine| {
                run_scenario(&sc, engine, |k, s, r| match &out_dir {
                    Some(o) => {
                        let dir = o.join(epoch_name(k, count));
                        write_atomic(&dir.join("snapshot.json"), &write_snapshot(s))?;
                        write_atomic(&dir.join("epoch.json"), &result_json(r, false))
                    }
                    None => Ok(()),
                })
            })
        })
        .map_err(yuma_error)?
        .map_err(|e| yuma_error(format!("{name_or_file}: {e}")))?;
    let roles = sc.roles();
    let m = sequence_metrics(&results, Some(&roles));
    let d = PyDict::new(py);
    d.set_item("summary", loads(py, &json(&summarize(&sc, &m))?)?)?;
    d.set_item("metrics", loads(py, &metrics_json(&m))?)?;
    d.set_item("roles", loads(py, &json(&roles)?)?)?;
    d.set_item(
        "epochs",
        results
            .into_iter()
            .map(Epoch::from_result)
            .collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// `yuma sweep` as a function: `input` is a snapshot file (`.json`) or a scenario; `sets` the
/// `--set` strings (`"kappa=0.3:0.7:0.05"`, …). Returns the yuma-sweep/1 document (axes and one
/// row of metrics per grid point, with the integers actually used). `shard="I/N"` runs only the
/// grid points at positions ≡ I (mod N); rows keep their point numbers.
#[pyfunction]
#[pyo3(signature = (input, sets, epochs=None, yuma=None, backend="auto", shard=None))]
fn sweep<'py>(
    py: Python<'py>,
    input: &str,
    sets: Vec<String>,
    epochs: Option<usize>,
    yuma: Option<&str>,
    backend: &str,
    shard: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let shard = shard.map(Shard::parse).transpose().map_err(yuma_error)?;
    let axes = sets
        .iter()
        .map(|s| parse_axis(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| yuma_error(e.0))?;
    let rows = if input.ends_with(".json") {
        let s = read_snapshot(std::path::Path::new(input)).map_err(|e| input_error(py, &e))?;
        let k = epochs.unwrap_or(1);
        py.detach(|| {
            with_engine(backend, |engine| {
                run_sweep_shard(Base::Snapshot(&s, k), &axes, shard, engine, |_| {})
            })
        })
    } else {
        let (mut sc, _) = scenarios_lib::load(input).map_err(yuma_error)?;
        if let Some(y) = yuma_version(yuma)? {
            sc.set_yuma(y);
        }
        if let Some(e) = epochs {
            sc.epochs = e;
        }
        py.detach(|| {
            with_engine(backend, |engine| {
                run_sweep_shard(Base::Scenario(&sc), &axes, shard, engine, |_| {})
            })
        })
    }
    .map_err(yuma_error)?
    .map_err(|e| yuma_error(e.0))?;
    loads(py, &sweep_json(input, &axes, &rows))
}

/// `yuma metrics` as a function: per-epoch concentration metrics and sequence totals of epoch
/// documents (paths) or `Epoch` objects, in the given order. Returns the JSON document.
#[pyfunction]
#[pyo3(signature = (*inputs))]
fn metrics<'py>(py: Python<'py>, inputs: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let mut results: Vec<EpochResult> = Vec::with_capacity(inputs.len());
    for x in &inputs {
        if let Ok(e) = x.cast::<Epoch>() {
            results.push(e.get().result().clone());
        } else {
            let p: PathBuf = x.extract()?;
            results.push(read_epoch(&p).map_err(|e| input_error(py, &e))?);
        }
    }
    if results.is_empty() {
        return Err(yuma_error("metrics: give epoch documents or Epoch objects"));
    }
    loads(py, &metrics_json(&sequence_metrics(&results, None)))
}

/// `yuma emission` as a function: the block emission for a total issuance (rao) exactly as
/// subtensor computes it, and the halvings within `years` (dated when `at_block` and `date` are
/// given). Returns `{"issuance", "block_emission", "halvings": [...], …}` with exact ints.
#[pyfunction]
#[pyo3(signature = (issuance, years=10, at_block=None, date=None))]
fn emission<'py>(
    py: Python<'py>,
    issuance: u64,
    years: u64,
    at_block: Option<u64>,
    date: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let start = match (at_block, date) {
        (Some(b), Some(d)) => Some((
            b,
            parse_date(d).ok_or_else(|| {
                yuma_error(format!(
                    "date={d:?}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
                ))
            })?,
        )),
        (None, None) => None,
        _ => return Err(yuma_error("give at_block and date together")),
    };
    let s = project(
        issuance,
        years.saturating_mul(DAYS_PER_YEAR * BLOCKS_PER_DAY),
        start,
    )
    .map_err(|e| yuma_error(e.to_string()))?;
    loads(py, &json(&s)?)
}
