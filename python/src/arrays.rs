//! numpy arrays in and out: exact integer dtypes only, errors naming the field.

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use yuma::output::Rows;

use crate::errors::snapshot_error;

/// Where arrays come from in error messages.
pub const ARRAYS: &str = "<arrays>";

fn numpy(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("numpy")
}

/// A one-dimensional numpy view of `obj` and its dtype kind (`u`, `i`, `b`, `f`, …).
fn as_1d<'py>(obj: &Bound<'py, PyAny>, field: &str) -> PyResult<(Bound<'py, PyAny>, String)> {
    let py = obj.py();
    let arr = numpy(py)?.call_method1("asarray", (obj,))?;
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(snapshot_error(
            py,
            &format!("{ARRAYS}: field `{field}`: expected a one-dimensional array, got {ndim} dimensions"),
            ARRAYS,
            field,
            None,
        ));
    }
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    Ok((arr, kind))
}

/// An integer array as exact u64 values (any unsigned or signed integer dtype; negative
/// entries, floats and bools are errors naming the field and, for a value, the uid).
pub fn u64_vec(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<u64>> {
    let py = obj.py();
    let (arr, kind) = as_1d(obj, field)?;
    match kind.as_str() {
        "u" => {
            let a = arr.call_method1("astype", ("uint64",))?;
            let a: PyReadonlyArray1<'_, u64> = a.extract()?;
            Ok(a.as_array().to_vec())
        }
        "i" => {
            let a = arr.call_method1("astype", ("int64",))?;
            let a: PyReadonlyArray1<'_, i64> = a.extract()?;
            a.as_array()
                .iter()
                .enumerate()
                .map(|(uid, &x)| {
                    u64::try_from(x).map_err(|_| {
                        snapshot_error(
                            py,
                            &format!("{ARRAYS}: field `{field}`: uid {uid}: {x} is not a u64"),
                            ARRAYS,
                            field,
                            Some(uid),
                        )
                    })
                })
                .collect()
        }
        _ => {
            let dtype: String = arr.getattr("dtype")?.str()?.extract()?;
            Err(snapshot_error(
                py,
                &format!(
                    "{ARRAYS}: field `{field}`: dtype {dtype} is not an integer type: pass exact \
integers (e.g. numpy.uint64), never floats"
                ),
                ARRAYS,
                field,
                None,
            ))
        }
    }
}

/// A bool array.
pub fn bool_vec(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<bool>> {
    let py = obj.py();
    let (arr, kind) = as_1d(obj, field)?;
    if kind != "b" {
        let dtype: String = arr.getattr("dtype")?.str()?.extract()?;
        return Err(snapshot_error(
            py,
            &format!("{ARRAYS}: field `{field}`: dtype {dtype} is not bool"),
            ARRAYS,
            field,
            None,
        ));
    }
    let a: PyReadonlyArray1<'_, bool> = arr.extract()?;
    Ok(a.as_array().to_vec())
}

/// CSR `(indptr, indices, data)` — a tuple, or any object with those attributes — as rows of
/// `[target, value]` pairs exactly as given (order and duplicates kept), values still wide so
/// that the snapshot reader checks their range and names the uid.
pub fn csr_rows(obj: &Bound<'_, PyAny>, field: &str, n: usize) -> PyResult<Vec<Vec<(u64, u64)>>> {
    let py = obj.py();
    let part = |name: &str, k: usize| -> PyResult<Bound<'_, PyAny>> {
        if obj.hasattr(name)? {
            obj.getattr(name)
        } else {
            obj.get_item(k)
        }
    };
    let err = |msg: String| {
        snapshot_error(
            py,
            &format!("{ARRAYS}: field `{field}`: {msg}"),
            ARRAYS,
            field,
            None,
        )
    };
    let indptr = u64_vec(&part("indptr", 0)?, &format!("{field}.indptr"))?;
    let indices = u64_vec(&part("indices", 1)?, &format!("{field}.indices"))?;
    let data = u64_vec(&part("data", 2)?, &format!("{field}.data"))?;
    if indptr.len() != n + 1 {
        return Err(err(format!(
            "indptr has {} entries, expected n + 1 = {}",
            indptr.len(),
            n + 1
        )));
    }
    if indices.len() != data.len() {
        return Err(err(format!(
            "indices ({}) and data ({}) differ in length",
            indices.len(),
            data.len()
        )));
    }
    let mut rows = Vec::with_capacity(n);
    for uid in 0..n {
        let (a, b) = (indptr[uid], indptr[uid + 1]);
        let (a, b) = (
            usize::try_from(a).unwrap_or(usize::MAX),
            usize::try_from(b).unwrap_or(usize::MAX),
        );
        if a > b || b > data.len() {
            return Err(err(format!(
                "indptr[{uid}..{}] = {a}..{b} is not a range of the {} entries",
                uid + 1,
                data.len()
            )));
        }
        rows.push(
            indices[a..b]
                .iter()
                .copied()
                .zip(data[a..b].iter().copied())
                .collect(),
        );
    }
    Ok(rows)
}

/// Rows of `(target, value)` as a CSR tuple `(indptr int64, indices uint16, data T)`.
pub fn rows_to_csr<'py, T: numpy::Element + Copy>(
    py: Python<'py>,
    rows: &Rows<T>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut indptr: Vec<i64> = Vec::with_capacity(rows.len() + 1);
    indptr.push(0);
    indptr.extend(rows.ends().iter().map(|&end| i64::from(end)));
    let indices: Vec<u16> = rows.entries().iter().map(|&(j, _)| j).collect();
    let data: Vec<T> = rows.entries().iter().map(|&(_, v)| v).collect();
    PyTuple::new(
        py,
        [
            PyArray1::from_vec(py, indptr).into_any(),
            PyArray1::from_vec(py, indices).into_any(),
            PyArray1::from_vec(py, data).into_any(),
        ],
    )
}
