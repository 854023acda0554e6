//! The GPU path: every stage of the epoch as WGSL compute kernels (shaders/), bit-identical to
//! the CPU reference. Integers are native 64-bit in the shaders (see shaders/fixed.wgsl).

pub mod buffers;
pub mod context;
pub mod epoch;
pub mod kernels;
pub mod layout;
pub mod params;

pub use context::{list_adapters, AdapterChoice, AdapterReport, GpuContext};
pub use epoch::{BatchStats, Footprint, GpuEpoch};

use rayon::prelude::*;

use crate::engine::{Engine, EngineError};
use crate::output::EpochResult;
use crate::snapshot::Snapshot;
use layout::Shape;

/// Why the GPU path could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No usable adapter; the message says what was found and points to the CPU path.
    #[error("{0}")]
    NoAdapter(String),
    /// A WGSL or pipeline error (a bug in yuma, or an adapter that rejects a kernel).
    #[error("shader error: {0}")]
    Shader(String),
    /// A buffer or dispatch past the adapter's limits; names the limit.
    #[error("problem too large for this adapter: {0}")]
    TooLarge(String),
    /// The device failed or reported a validation error while running.
    #[error("GPU device error: {0}")]
    Device(String),
}

/// GPU memory one batch may use (all its epochs' buffers together).
pub const BATCH_BYTES: u64 = 6 << 30;

/// The GPU engine: runs each mechanism's epoch with the kernels; the emission split and the
/// fold over mechanisms stay on the host.
pub struct GpuEngine {
    epoch: GpuEpoch,
    /// The figures of the batches run since the last `take_stats`.
    stats: BatchStats,
}

impl GpuEngine {
    pub fn new(choice: AdapterChoice) -> Result<GpuEngine, GpuError> {
        let ctx = GpuContext::new(choice)?;
        Ok(GpuEngine {
            epoch: GpuEpoch::new(ctx)?,
            stats: BatchStats::default(),
        })
    }

    /// The per-mechanism runner (for stage-by-stage checks).
    pub fn epoch_mut(&mut self) -> &mut GpuEpoch {
        &mut self.epoch
    }

    /// What the batches run since the last call cost (launches, bind groups, host and GPU
    /// time), and a fresh start.
    pub fn take_stats(&mut self) -> BatchStats {
        std::mem::take(&mut self.stats)
    }

    /// The context the engine runs on.
    pub fn context(&self) -> &GpuContext {
        &self.epoch.ctx
    }

    /// Runs several snapshots as one batch: the emission split of each on the host, every
    /// mechanism's epoch in one GPU submission, then each snapshot's fold on the host.
    pub fn run_snapshots(&mut self, snapshots: &[&Snapshot]) -> Vec<Result<EpochResult, GpuError>> {
        let shapes = self.snapshot_shapes(snapshots);
        self.run_shaped(snapshots, &shapes)
    }

    /// Each snapshot's mechanisms' `Shape`s (bounds on the sizes packing will give), found in
    /// parallel; the time this takes counts as packing.
    fn snapshot_shapes(&mut self, snapshots: &[&Snapshot]) -> Vec<Vec<Shape>> {
        let start = std::time::Instant::now();
        let shapes = snapshots
            .par_iter()
            .map(|s| {
                s.mechanisms
                    .iter()
                    .map(|m| Shape::of_mechanism(s, m))
                    .collect()
            })
            .collect();
        self.stats.pack += start.elapsed();
        shapes
    }

    /// `run_snapshots` with each snapshot's mechanisms' shapes (`snapshot_shapes`) already found.
    fn run_shaped(
        &mut self,
        snapshots: &[&Snapshot],
        shapes: &[Vec<Shape>],
    ) -> Vec<Result<EpochResult, GpuError>> {
        debug_assert_eq!(shapes.len(), snapshots.len(), "shapes per snapshot");
        let mut jobs = Vec::new();
        for s in snapshots {
            let emissions = if s.is_multi() {
                crate::epoch::mechanisms::split_emission(
                    s.rao_emission,
                    s.mechanisms.len(),
                    s.split(),
                )
            } else {
                vec![s.rao_emission]
            };
            for (m, e) in emissions.into_iter().enumerate() {
                jobs.push((*s, &s.mechanisms[m], e));
            }
        }
        let shapes: Vec<Shape> = shapes.iter().flatten().copied().collect();
        let mut outputs = self.epoch.run_batch(&jobs, &shapes).into_iter();
        self.stats.add(&self.epoch.last_stats);
        let start = std::time::Instant::now();
        let results = snapshots
            .iter()
            .map(|s| {
                let mine: Vec<Result<crate::output::EpochOutput, GpuError>> =
                    outputs.by_ref().take(s.mechanisms.len()).collect();
                if let Some(Err(e)) = mine.iter().find(|r| r.is_err()) {
                    return Err(e.clone());
                }
                let mut done = mine.into_iter().map(|r| r.expect("checked above"));
                Ok(crate::epoch::run_with(s, |_, _| {
                    done.next().expect("one output per mechanism")
                }))
            })
            .collect();
        // Folding the mechanisms into each snapshot's result is host work on the readback.
        self.stats.readback += start.elapsed();
        results
    }

    /// Runs a whole snapshot.
    pub fn run_snapshot(&mut self, s: &Snapshot) -> Result<EpochResult, GpuError> {
        let mut failure = None;
        let result = crate::epoch::run_with(s, |m, e| {
            let out = self.epoch.run_mechanism(s, &s.mechanisms[m], e);
            self.stats.add(&self.epoch.last_stats);
            match out {
                Ok(out) => out,
                Err(err) => {
                    failure.get_or_insert(err);
                    Default::default()
                }
            }
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(result),
        }
    }
}

impl Engine for GpuEngine {
    fn is_software_adapter(&self) -> bool {
        self.epoch.ctx.is_software()
    }

    fn name(&self) -> String {
        format!("gpu ({})", self.epoch.ctx.describe())
    }

    fn run(&mut self, snapshot: &Snapshot) -> Result<EpochResult, EngineError> {
        self.run_snapshot(snapshot)
            .map_err(|e| EngineError(e.to_string()))
    }
    /// Several snapshots per GPU submission, in groups whose buffers stay within
    /// [`BATCH_BYTES`], whose largest buffer stays within the adapter's binding and buffer
    /// limits, and whose inputs and readbacks fit one buffer. A group that fails as a whole (out
    /// of GPU memory, say) is run again in halves, down to single snapshots, so one bad snapshot
    /// does not fail the others.
    fn run_many(&mut self, snapshots: &[&Snapshot]) -> Vec<Result<EpochResult, EngineError>> {
        let limits = &self.epoch.ctx.limits;
        let max_buffer = limits.max_buffer_size;
        let largest = limits.max_storage_buffer_binding_size.min(max_buffer);
        // Sizing every epoch (in parallel) is the first host work of the batches.
        let shapes = self.snapshot_shapes(snapshots);
        let footprints: Vec<Footprint> = snapshots
            .iter()
            .zip(&shapes)
            .map(|(s, shapes)| Footprint::of(s, shapes))
            .collect();
        let mut out = Vec::with_capacity(snapshots.len());
        let mut start = 0;
        while start < snapshots.len() {
            let mut end = start;
            let mut group = Footprint::default();
            while end < snapshots.len() {
                let mut next = group;
                next.add(&footprints[end]);
                let over = next.bytes() > BATCH_BYTES
                    || next.largest_buffer() > largest
                    || next.input_bytes() > max_buffer
                    || next.largest_readback() > max_buffer;
                if end > start && over {
                    break;
                }
                group = next;
                end += 1;
            }
            out.extend(self.run_halving(&snapshots[start..end], &shapes[start..end]));
            start = end;
        }
        out.into_iter()
            .map(|r| r.map_err(|e| EngineError(e.to_string())))
            .collect()
    }
}

impl GpuEngine {
    /// Runs `group` (its mechanisms of `shapes`) in one submission; if every snapshot fails,
    /// runs each half on its own.
    fn run_halving(
        &mut self,
        group: &[&Snapshot],
        shapes: &[Vec<Shape>],
    ) -> Vec<Result<EpochResult, GpuError>> {
        let results = self.run_shaped(group, shapes);
        if group.len() > 1 && results.iter().all(|r| r.is_err()) {
            let half = group.len() / 2;
            let mut out = self.run_halving(&group[..half], &shapes[..half]);
            out.extend(self.run_halving(&group[half..], &shapes[half..]));
            return out;
        }
        results
    }
}
