//! Choosing the engine: `auto` (a hardware GPU when there is one, else the CPU reference),
//! `cpu`, or `gpu` (any adapter, software ones included). Shared by the CLI and Python.

use crate::engine::{CpuEngine, Engine};
use crate::gpu::{AdapterChoice, GpuEngine};

/// Which engine computes the epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Auto,
    Cpu,
    Gpu,
}

impl Backend {
    /// `auto`, `cpu` or `gpu`.
    pub fn parse(name: &str) -> Result<Backend, String> {
        match name {
            "auto" => Ok(Backend::Auto),
            "cpu" => Ok(Backend::Cpu),
            "gpu" => Ok(Backend::Gpu),
            other => Err(format!(
                "backend {other:?}: expected \"auto\", \"cpu\" or \"gpu\""
            )),
        }
    }
}

/// The engine for `backend`, and for `auto` without a hardware GPU a note saying why the CPU
/// reference is used. `gpu` without any adapter is an error.
pub fn open_engine(backend: Backend) -> Result<(Box<dyn Engine + Send>, Option<String>), String> {
    match backend {
        Backend::Cpu => Ok((Box::new(CpuEngine), None)),
        Backend::Gpu => GpuEngine::new(AdapterChoice::Any)
            .map(|g| (Box::new(g) as Box<dyn Engine + Send>, None))
            .map_err(|e| e.to_string()),
        Backend::Auto => match GpuEngine::new(AdapterChoice::HardwareOnly) {
            Ok(g) => Ok((Box::new(g), None)),
            Err(e) => Ok((
                Box::new(CpuEngine),
                Some(format!("using the CPU reference ({e})")),
            )),
        },
    }
}
