//! `--backend`: which engine computes the epochs.

use clap::ValueEnum;

use super::CliError;
use yuma::engine::{CpuEngine, Engine};
use yuma::gpu::{AdapterChoice, GpuEngine, GpuError};

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

/// Opens the GPU engine for `--backend gpu` (any adapter) or `auto` (hardware only).
pub fn gpu_engine(choice: AdapterChoice) -> Result<GpuEngine, GpuError> {
    GpuEngine::new(choice)
}

/// Builds the engine for a backend choice.
pub fn make_engine(backend: Backend) -> Result<Box<dyn Engine>, CliError> {
    match backend {
        Backend::Cpu => Ok(Box::new(CpuEngine)),
        Backend::Gpu => Ok(Box::new(gpu_engine(AdapterChoice::Any)?)),
        Backend::Auto => match gpu_engine(AdapterChoice::HardwareOnly) {
            Ok(g) => Ok(Box::new(g)),
            Err(e) => {
                eprintln!("note: using the CPU reference ({e})");
                Ok(Box::new(CpuEngine))
            }
        },
    }
}
