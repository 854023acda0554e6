//! `yuma.fetch`: one subnet epoch's exact input and what the chain recorded, from a subtensor
//! node, through the library's node room (`yuma::chain`).

use std::path::PathBuf;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use yuma::chain::{fetch_epoch, walk, write_fetched, FetchOptions, Node, NodeOptions};
use yuma::recorded::recorded_json;

use crate::errors::yuma_error;
use crate::snapshot::{loads, Snapshot};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fetch, m)?)?;
    Ok(())
}

/// `yuma fetch` for one epoch: the epoch of `netuid` that ran at `block` (None: the newest one
/// at the node's head). Returns `{"snapshot": Snapshot, "recorded": dict (yuma-recorded/1),
/// "block": B, "previous_epoch": the subnet's epoch before B (0 = none), "round_trips": n}`;
/// with `out_dir`, also writes `out_dir/snapshot.json` and `out_dir/recorded.json` as the CLI
/// does. A refusal (no epoch at that block, pruned state, unreachable node, …) raises
/// `YumaError` with the CLI's one-line message.
#[pyfunction]
#[pyo3(signature = (url, netuid, block=None, out_dir=None, timeout=60.0, tries=4, allow_newer_runtime=false))]
#[allow(clippy::too_many_arguments)]
pub fn fetch<'py>(
    py: Python<'py>,
    url: &str,
    netuid: u16,
    block: Option<u64>,
    out_dir: Option<PathBuf>,
    timeout: f64,
    tries: u32,
    allow_newer_runtime: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let node = Node::new(NodeOptions {
        url: url.to_string(),
        timeout: Duration::from_secs_f64(timeout.max(0.001)),
        tries: tries.max(1),
        backoff: Duration::from_millis(500),
    })
    .map_err(|e| yuma_error(e.to_string()))?;
    let opts = FetchOptions {
        allow_newer_runtime,
    };
    let fetched = py
        .detach(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))?;
            rt.block_on(async {
                let b = match block {
                    Some(b) => b,
                    None => {
                        let head = walk::head(&node).await?;
                        walk::newest_epoch(&node, netuid, head).await?
                    }
                };
                fetch_epoch(&node, netuid, b, &opts).await
            })
            .map_err(|e| e.to_string())
        })
        .map_err(yuma_error)?;
    if let Some(dir) = &out_dir {
        write_fetched(dir, &fetched).map_err(yuma_error)?;
    }
    let d = PyDict::new(py);
    d.set_item("block", fetched.snapshot.block)?;
    d.set_item("previous_epoch", fetched.previous_epoch)?;
    d.set_item("round_trips", node.round_trips())?;
    d.set_item("recorded", loads(py, &recorded_json(&fetched.recorded))?)?;
    d.set_item(
        "snapshot",
        Snapshot {
            inner: fetched.snapshot,
        },
    )?;
    Ok(d)
}
