//! The package's exceptions: `SnapshotError` (a bad input document or array, with `file`,
//! `field` and `uid` attributes) and `YumaError` (anything else that stops a command).

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use yuma::snapshot::InputError;

create_exception!(
    _yuma,
    SnapshotError,
    PyValueError,
    "A snapshot (or recorded document) that breaks a rule of its format. Attributes: `file`, \
`field` (dotted path, e.g. `mechanisms[1].weights`; empty for the document as a whole) and \
`uid` (int or None). The message is the CLI's one-line error."
);
create_exception!(
    _yuma,
    YumaError,
    PyException,
    "A command that could not run: no such file, no GPU for backend=\"gpu\", a pair that is not \
the same epoch, …"
);

/// `SnapshotError` from the library's input error, attributes set.
pub fn input_error(py: Python<'_>, e: &InputError) -> PyErr {
    snapshot_error(py, &e.to_string(), &e.file, &e.field, e.uid)
}

/// `SnapshotError(message)` with its attributes.
pub fn snapshot_error(
    py: Python<'_>,
    message: &str,
    file: &str,
    field: &str,
    uid: Option<usize>,
) -> PyErr {
    let err = SnapshotError::new_err(message.to_string());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail for these plain values.
    let _ = value.setattr("file", file);
    let _ = value.setattr("field", field);
    let _ = value.setattr("uid", uid);
    err
}

/// `YumaError(message)`.
pub fn yuma_error(message: impl Into<String>) -> PyErr {
    YumaError::new_err(message.into())
}
