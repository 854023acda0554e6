//! Engines that run whole snapshots: the CPU reference, and (with a GPU context) the GPU path.
//! Commands that process many snapshots (`check`, `batch`, `replay`, `bench`) take an engine,
//! so every backend is driven the same way.

use crate::output::EpochResult;
use crate::snapshot::Snapshot;

/// Why an engine could not compute a snapshot (the snapshot itself was valid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(pub String);

/// Something that computes epochs.
pub trait Engine {
    /// A short name for reports, e.g. `cpu` or `gpu (llvmpipe, Vulkan)`.
    fn name(&self) -> String;

    /// Whether this engine is a GPU path on a software adapter (llvmpipe): benches leave out
    /// its large rows, which time the CPU emulating a GPU.
    fn is_software_adapter(&self) -> bool {
        false
    }

    /// Computes one snapshot.
    fn run(&mut self, snapshot: &Snapshot) -> Result<EpochResult, EngineError>;

    /// Computes several snapshots together (a GPU engine submits them as one batch).
    fn run_many(&mut self, snapshots: &[&Snapshot]) -> Vec<Result<EpochResult, EngineError>> {
        snapshots.iter().map(|s| self.run(s)).collect()
    }
}

/// The exact CPU reference (`epoch::run_snapshot`).
#[derive(Debug, Default, Clone, Copy)]
pub struct CpuEngine;

impl Engine for CpuEngine {
    fn name(&self) -> String {
        "cpu".to_string()
    }

    fn run(&mut self, snapshot: &Snapshot) -> Result<EpochResult, EngineError> {
        Ok(crate::epoch::run_snapshot(snapshot, None))
    }

    /// Snapshots are independent: they run in parallel on every core.
    fn run_many(&mut self, snapshots: &[&Snapshot]) -> Vec<Result<EpochResult, EngineError>> {
        use rayon::prelude::*;
        snapshots
            .par_iter()
            .map(|s| Ok(crate::epoch::run_snapshot(s, None)))
            .collect()
    }
}
