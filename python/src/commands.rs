//! The CLI's capabilities as functions: `gen`, `check`, `validate`, `explain`, `replay`,
//! `batch`, and the planning / chunk functions the Ray glue uses. Every one calls the library;
//! documents come back as plain Python values.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use yuma::compare::compare;
use yuma::gen::{generate, GenParams, Mode};
use yuma::jobs::{pending, plan, run_jobs, Job, Shard};
use yuma::output::{read_epoch, result_json, EpochResult};
use yuma::recorded::read_recorded;
use yuma::replay::{carry_into, epoch_name, next_snapshot, sequence_folders};
use yuma::snapshot::read_snapshot;
use yuma::validate::{
    find_pairs, report_json, validate_pairs, FolderOutcome, Pair, ReportDocument,
};

use crate::engines::with_engine;
use crate::epoch::Epoch;
use crate::errors::{input_error, yuma_error};
use crate::snapshot::{loads, Snapshot};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gen, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(plan_batch, m)?)?;
    m.add_function(wrap_pyfunction!(run_batch_jobs, m)?)?;
    m.add_function(wrap_pyfunction!(validation_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(time_epoch, m)?)?;
    Ok(())
}

/// A deterministic synthetic subnet, as `yuma gen` makes it.
#[pyfunction]
#[pyo3(signature = (n, validators, seed=0, yuma3=false, liquid_alpha=false, density=None,
    mechanisms=None, split=None, netuid=1))]
#[allow(clippy::too_many_arguments)]
fn gen(
    n: u32,
    validators: u32,
    seed: u64,
    yuma3: bool,
    liquid_alpha: bool,
    density: Option<f64>,
    mechanisms: Option<usize>,
    split: Option<Vec<u16>>,
    netuid: u16,
) -> PyResult<Snapshot> {
    let mode = match (yuma3, liquid_alpha) {
        (false, _) => Mode::Yuma2,
        (true, false) => Mode::Yuma3,
        (true, true) => Mode::Yuma3LiquidAlpha,
    };
    let mut p = GenParams::new(n, validators, seed, mode);
    p.liquid_alpha = liquid_alpha;
    p.netuid = netuid;
    if let Some(d) = density {
        p.density = d;
    }
    p.mechanisms = mechanisms;
    p.split = split;
    generate(&p)
        .map(|inner| Snapshot { inner })
        .map_err(|e| yuma_error(e.to_string()))
}

/// Every snapshot.json below the paths computed and compared with the epoch.json beside it:
/// `{"passed": N, "failed": M, "cases": [{"case", "passed", "differences": [str]}]}`.
#[pyfunction]
#[pyo3(signature = (*paths, backend="auto"))]
fn check<'py>(py: Python<'py>, paths: Vec<PathBuf>, backend: &str) -> PyResult<Bound<'py, PyDict>> {
    let mut cases = Vec::new();
    for p in &paths {
        let (jobs, _) = plan(std::slice::from_ref(p), Path::new("/")).map_err(yuma_error)?;
        cases.extend(
            jobs.into_iter()
                .map(|j| j.input)
                .filter(|f| f.file_name().is_some_and(|n| n == "snapshot.json")),
        );
    }
    if cases.is_empty() {
        return Err(yuma_error(
            "check: no snapshot.json found below the given paths",
        ));
    }
    let verdicts: Vec<(String, Result<Vec<String>, String>)> = py
        .detach(|| {
            with_engine(backend, |engine| {
                cases
                    .iter()
                    .map(|snap| {
                        let dir = snap.parent().unwrap_or(Path::new("."));
                        let verdict = (|| {
                            let s = read_snapshot(snap).map_err(|e| e.to_string())?;
                            let expected =
                                read_epoch(&dir.join("epoch.json")).map_err(|e| e.to_string())?;
                            let got = engine.run(&s).map_err(|e| e.to_string())?;
                            Ok(compare(&expected, &got)
                                .iter()
                                .map(ToString::to_string)
                                .collect())
                        })();
                        (dir.display().to_string(), verdict)
                    })
                    .collect()
            })
        })
        .map_err(yuma_error)?;
    let out = PyDict::new(py);
    let list = pyo3::types::PyList::empty(py);
    let mut passed = 0;
    for (case, v) in &verdicts {
        let d = PyDict::new(py);
        d.set_item("case", case)?;
        match v {
            Ok(diffs) => {
                d.set_item("passed", diffs.is_empty())?;
                d.set_item("differences", diffs)?;
                passed += usize::from(diffs.is_empty());
            }
            Err(e) => {
                d.set_item("passed", false)?;
                d.set_item("differences", vec![e])?;
            }
        }
        list.append(d)?;
    }
    out.set_item("passed", passed)?;
    out.set_item("failed", verdicts.len() - passed)?;
    out.set_item("cases", list)?;
    Ok(out)
}

/// `yuma validate` as a function: `validate(snapshot, recorded)` (two files, or a `Snapshot`
/// and a recorded file) or `validate(dir, …)` (folders holding snapshot.json + recorded.json).
/// Returns the yuma-validation/1 report as plain Python values (schema in the README).
#[pyfunction]
#[pyo3(signature = (*inputs, backend="auto"))]
fn validate<'py>(
    py: Python<'py>,
    inputs: Vec<Bound<'py, PyAny>>,
    backend: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut given: Option<yuma::snapshot::Snapshot> = None;
    let first_is_snapshot = inputs
        .first()
        .is_some_and(|x| x.is_instance_of::<Snapshot>());
    let paths = |xs: &[Bound<'py, PyAny>]| -> PyResult<Vec<PathBuf>> {
        xs.iter().map(|x| x.extract::<PathBuf>()).collect()
    };
    if first_is_snapshot {
        if inputs.len() != 2 {
            return Err(yuma_error(
                "validate(snapshot, recorded): give the recorded file after the Snapshot",
            ));
        }
        given = Some(inputs[0].cast::<Snapshot>()?.get().inner.clone());
        let rec: PathBuf = inputs[1].extract()?;
        pairs.push(Pair {
            snapshot: PathBuf::from("<snapshot>"),
            recorded: rec,
        });
    } else {
        let ps = paths(&inputs)?;
        if ps.len() == 2 && ps.iter().all(|p| !p.is_dir()) {
            pairs.push(Pair {
                snapshot: ps[0].clone(),
                recorded: ps[1].clone(),
            });
        } else {
            for p in &ps {
                if !p.is_dir() {
                    return Err(yuma_error(format!(
                        "{}: not a folder (give SNAPSHOT, RECORDED or folders)",
                        p.display()
                    )));
                }
                let found = find_pairs(p).map_err(yuma_error)?;
                if found.is_empty() {
                    return Err(yuma_error(format!(
                        "{}: no folder below it holds both snapshot.json and recorded.json",
                        p.display()
                    )));
                }
                pairs.extend(found);
            }
        }
    }
    let (name, outcomes) = py
        .detach(|| {
            with_engine(backend, |engine| {
                let outcomes = match &given {
                    Some(s) => {
                        let rec = &pairs[0].recorded;
                        let result = read_recorded(rec).map_err(|e| e.to_string()).and_then(|r| {
                            let got = engine.run(s).map_err(|e| e.to_string())?;
                            yuma::validate::validate(&got, &r).map_err(|e| e.to_string())
                        });
                        vec![FolderOutcome {
                            snapshot: "<snapshot>".into(),
                            recorded: rec.display().to_string(),
                            result,
                        }]
                    }
                    None => validate_pairs(&pairs, engine, |_| {}),
                };
                (engine.name(), outcomes)
            })
        })
        .map_err(yuma_error)?;
    loads(
        py,
        &report_json(&ReportDocument {
            backend: name,
            outcomes,
        }),
    )
}

/// `yuma explain` as a function: uid `uid`'s path through the epoch, as the yuma-explain/1
/// document in plain Python values.
#[pyfunction]
#[pyo3(signature = (snapshot, uid, mechanism=0))]
fn explain<'py>(
    py: Python<'py>,
    snapshot: &Snapshot,
    uid: u16,
    mechanism: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let s = &snapshot.inner;
    let e = py
        .detach(|| yuma::explain::explain(s, uid, mechanism))
        .map_err(|e| yuma_error(e.to_string()))?;
    loads(py, &yuma::explain::explain_json(&e))
}

/// `yuma replay` as a function. `replay(snapshot_file_or_Snapshot, epochs=K)` runs K epochs
/// forward from one snapshot; `replay(sequence_dir)` chains the epoch folders. With `out_dir`,
/// writes OUT/<epoch>/epoch.json as the CLI does. Returns the list of `Epoch`s.
#[pyfunction]
#[pyo3(signature = (input, epochs=None, out_dir=None, backend="auto"))]
fn replay(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    epochs: Option<usize>,
    out_dir: Option<PathBuf>,
    backend: &str,
) -> PyResult<Vec<Epoch>> {
    let write = |name: &str, r: &EpochResult| -> Result<(), String> {
        match &out_dir {
            Some(o) => {
                yuma::jobs::write_atomic(&o.join(name).join("epoch.json"), &result_json(r, false))
            }
            None => Ok(()),
        }
    };
    let results: Vec<EpochResult> = if let Some(k) = epochs {
        let mut s = if let Ok(snap) = input.cast::<Snapshot>() {
            snap.get().inner.clone()
        } else {
            let p: PathBuf = input.extract()?;
            read_snapshot(&p).map_err(|e| input_error(py, &e))?
        };
        py.detach(|| {
            with_engine(backend, |engine| -> Result<Vec<EpochResult>, String> {
                let mut out = Vec::with_capacity(k);
                for i in 0..k {
                    let r = engine.run(&s).map_err(|e| e.to_string())?;
                    write(&epoch_name(i, k), &r)?;
                    if i + 1 < k {
                        s = next_snapshot(&s, &r).map_err(|e| e.to_string())?;
                    }
                    out.push(r);
                }
                Ok(out)
            })
        })
        .map_err(yuma_error)?
        .map_err(yuma_error)?
    } else {
        let dir: PathBuf = input.extract()?;
        let folders = sequence_folders(&dir).map_err(yuma_error)?;
        if folders.is_empty() {
            return Err(yuma_error(format!(
                "{}: no epoch folders with a snapshot.json (give epochs=K for one snapshot)",
                dir.display()
            )));
        }
        py.detach(|| {
            with_engine(backend, |engine| -> Result<Vec<EpochResult>, String> {
                let mut out: Vec<EpochResult> = Vec::with_capacity(folders.len());
                for (name, d) in &folders {
                    let file = d.join("snapshot.json");
                    let mut s = read_snapshot(&file).map_err(|e| e.to_string())?;
                    if let Some(prev) = out.last() {
                        carry_into(&mut s, prev).map_err(|e| format!("{}: {e}", file.display()))?;
                    }
                    let r = engine.run(&s).map_err(|e| e.to_string())?;
                    write(name, &r)?;
                    out.push(r);
                }
                Ok(out)
            })
        })
        .map_err(yuma_error)?
        .map_err(yuma_error)?
    };
    Ok(results.into_iter().map(Epoch::from_result).collect())
}

fn summary<'py>(
    py: Python<'py>,
    jobs: &[Job],
    outcomes: &[Result<(), String>],
    skipped: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let failed: Vec<(String, String)> = jobs
        .iter()
        .zip(outcomes)
        .filter_map(|(j, o)| {
            o.as_ref()
                .err()
                .map(|e| (j.input.display().to_string(), e.clone()))
        })
        .collect();
    d.set_item("done", outcomes.len() - failed.len())?;
    d.set_item("failed", failed)?;
    d.set_item("skipped", skipped)?;
    Ok(d)
}

fn planned(inputs: &[PathBuf], out_dir: &Path, shard: Option<&str>) -> PyResult<Vec<Job>> {
    let (jobs, _notes) = plan(inputs, out_dir).map_err(yuma_error)?;
    match shard {
        Some(s) => Ok(Shard::parse(s).map_err(yuma_error)?.take(jobs)),
        None => Ok(jobs),
    }
}

/// `yuma batch` as a function: every snapshot the inputs name, its epoch written to the mirrored
/// path below `out_dir` (atomically). `resume=True` skips outputs that exist; `shard="I/N"`
/// takes a deterministic 1/N of the inputs. Returns `{"done", "failed": [(input, reason)],
/// "skipped"}`.
#[pyfunction]
#[pyo3(signature = (inputs, out_dir, backend="auto", resume=true, shard=None, chunk=32))]
fn batch<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    out_dir: PathBuf,
    backend: &str,
    resume: bool,
    shard: Option<&str>,
    chunk: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let jobs = planned(&inputs, &out_dir, shard)?;
    let (todo, skipped) = if resume {
        pending(jobs)
    } else {
        (jobs, Vec::new())
    };
    let outcomes = py
        .detach(|| {
            with_engine(backend, |engine| {
                run_jobs(&todo, engine, chunk, |_, _| {}).0
            })
        })
        .map_err(yuma_error)?;
    summary(py, &todo, &outcomes, skipped.len())
}

/// The batch plan without computing: `(todo, skipped)` where `todo` is a list of
/// `(input, output)` paths still to compute and `skipped` the number of outputs that exist.
/// The sharding and resume rules are `yuma batch`'s.
#[pyfunction]
#[pyo3(signature = (inputs, out_dir, shard=None, resume=true))]
fn plan_batch(
    inputs: Vec<PathBuf>,
    out_dir: PathBuf,
    shard: Option<&str>,
    resume: bool,
) -> PyResult<(Vec<(PathBuf, PathBuf)>, usize)> {
    let jobs = planned(&inputs, &out_dir, shard)?;
    let (todo, skipped) = if resume {
        pending(jobs)
    } else {
        (jobs, Vec::new())
    };
    Ok((
        todo.into_iter().map(|j| (j.input, j.output)).collect(),
        skipped.len(),
    ))
}

/// Computes the given `(input, output)` jobs (a chunk of a plan) and writes each output
/// atomically, skipping outputs that already exist. Returns one entry per job: None when written
/// (or already there), else the one-line reason.
#[pyfunction]
#[pyo3(signature = (jobs, backend="auto", chunk=32))]
fn run_batch_jobs(
    py: Python<'_>,
    jobs: Vec<(PathBuf, PathBuf)>,
    backend: &str,
    chunk: usize,
) -> PyResult<Vec<Option<String>>> {
    let all: Vec<Job> = jobs
        .into_iter()
        .map(|(input, output)| Job {
            input,
            output,
            bytes: 0,
        })
        .collect();
    let todo: Vec<(usize, Job)> = all
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, j)| !j.output.is_file())
        .collect();
    let list: Vec<Job> = todo.iter().map(|(_, j)| j.clone()).collect();
    let outcomes = py
        .detach(|| {
            with_engine(backend, |engine| {
                run_jobs(&list, engine, chunk, |_, _| {}).0
            })
        })
        .map_err(yuma_error)?;
    let mut out = vec![None; all.len()];
    for ((k, _), o) in todo.iter().zip(outcomes) {
        out[*k] = o.err();
    }
    Ok(out)
}

/// The snapshot.json / recorded.json pairs below the folders, in the order `yuma validate`
/// takes them.
#[pyfunction]
pub fn validation_pairs(dirs: Vec<PathBuf>) -> PyResult<Vec<(PathBuf, PathBuf)>> {
    let mut out = Vec::new();
    for d in &dirs {
        out.extend(
            find_pairs(d)
                .map_err(yuma_error)?
                .into_iter()
                .map(|p| (p.snapshot, p.recorded)),
        );
    }
    Ok(out)
}

/// Times the library call alone (`engine.run`, no Python objects): `repeats` wall-clock
/// durations in seconds, after one warm-up run. The reference for what `yuma.epoch` adds.
#[pyfunction]
#[pyo3(signature = (snapshot, backend="cpu", repeats=10))]
pub fn time_epoch(
    py: Python<'_>,
    snapshot: &Snapshot,
    backend: &str,
    repeats: usize,
) -> PyResult<Vec<f64>> {
    let s = &snapshot.inner;
    py.detach(|| {
        with_engine(backend, |engine| -> Result<Vec<f64>, String> {
            engine.run(s).map_err(|e| e.to_string())?;
            (0..repeats)
                .map(|_| {
                    let t = std::time::Instant::now();
                    engine.run(s).map_err(|e| e.to_string())?;
                    Ok(t.elapsed().as_secs_f64())
                })
                .collect()
        })
    })
    .map_err(yuma_error)?
    .map_err(yuma_error)
}
