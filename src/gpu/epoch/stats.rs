//! What a GPU batch cost: kernel launches, bind groups made, and where the host's time went.
//! `yuma bench` prints these for the GPU engine.

use std::cell::Cell;
use std::time::Duration;

/// The figures of one or more batches (summed when an engine call ran several).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// GPU submissions (batches) run.
    pub batches: u64,
    /// Mechanism epochs computed.
    pub epochs: u64,
    /// Kernel launches (`dispatch_workgroups`) recorded.
    pub dispatches: u64,
    /// Bind groups made (the rest came from the pool's cache).
    pub bind_groups_made: u64,
    /// Host: sizing every epoch (and, in `run_many`, the submissions), packing the inputs and
    /// writing them to the GPU's buffers.
    pub pack: Duration,
    /// Host: recording and submitting the commands.
    pub encode: Duration,
    /// Waiting for the kernels to finish (the GPU's time, plus the submission's latency).
    pub gpu_wait: Duration,
    /// Host: copying the results back (with the GPU's short copy) and building the outputs.
    pub readback: Duration,
    /// The kernels' own GPU time (timestamp queries), when timing is on and the adapter has them.
    pub kernel: Option<Duration>,
}

impl BatchStats {
    /// The host's share: packing + encoding + readback.
    pub fn host(&self) -> Duration {
        self.pack + self.encode + self.readback
    }

    /// Adds another batch's figures.
    pub fn add(&mut self, o: &BatchStats) {
        self.batches += o.batches;
        self.epochs += o.epochs;
        self.dispatches += o.dispatches;
        self.bind_groups_made += o.bind_groups_made;
        self.pack += o.pack;
        self.encode += o.encode;
        self.gpu_wait += o.gpu_wait;
        self.readback += o.readback;
        self.kernel = match (self.kernel, o.kernel) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

/// Launch counters the encoders bump through `&self`.
#[derive(Debug, Default)]
pub(super) struct Counters {
    dispatches: Cell<u64>,
    made: Cell<u64>,
}

impl Counters {
    /// One launch; `made` when its bind group was built for it.
    pub(super) fn count(&self, made: bool) {
        self.dispatches.set(self.dispatches.get() + 1);
        if made {
            self.made.set(self.made.get() + 1);
        }
    }

    /// (dispatches, bind groups made) since the last call.
    pub(super) fn take(&self) -> (u64, u64) {
        (self.dispatches.take(), self.made.take())
    }
}
