//! `yuma._yuma`: the compiled half of the Python package. A thin face over the Rust library:
//! every computation is the library's; this crate converts arguments and results (numpy arrays
//! of the exact integer dtypes, JSON documents as plain Python values) and releases the GIL
//! while computing.

mod analysis;
mod arrays;
mod commands;
mod engines;
mod epoch;
mod errors;
mod snapshot;

use pyo3::prelude::*;

#[pymodule]
fn _yuma(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SnapshotError", py.get_type::<errors::SnapshotError>())?;
    m.add("YumaError", py.get_type::<errors::YumaError>())?;
    m.add_class::<snapshot::Snapshot>()?;
    m.add_class::<epoch::Epoch>()?;
    m.add_function(wrap_pyfunction!(snapshot::load_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(epoch::epoch, m)?)?;
    commands::register(m)?;
    analysis::register(m)?;
    Ok(())
}
