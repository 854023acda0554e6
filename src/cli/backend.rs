//! `--backend`: which engine computes the epochs.

use clap::ValueEnum;

use super::CliError;
use yuma::engine::{CpuEngine, Engine};

/// Which engine runs the epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// the GPU when a hardware adapter exists, otherwise the CPU (with a one-line notice)
    Auto,
    /// the exact CPU reference
    Cpu,
    /// the WGSL compute path on any adapter (software adapters such as llvmpipe included)
    Gpu,
}

/// Builds the engine for a backend choice.
pub fn make_engine(backend: Backend) -> Result<Box<dyn Engine>, CliError> {
    match backend {
        Backend::Cpu | Backend::Auto => Ok(Box::new(CpuEngine)),
        Backend::Gpu => Err(CliError::new(
            "the GPU backend is not available in this build; use --backend cpu",
        )),
    }
}
