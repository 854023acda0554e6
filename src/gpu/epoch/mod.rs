//! Epochs on the GPU: uploads (upload.rs), the stage kernels in the chain's order (encode.rs,
//! encode_bonds.rs), and the readback into the same `EpochOutput` the CPU reference produces.
//! A batch of epochs (mechanisms, subnets) shares its buffers and its launches (batch.rs): each
//! kernel is launched once for the whole batch, or once per signature (Yuma 2 / 3, which
//! weights feed the bonds, liquid alpha) for the stages whose buffers differ between them, so a
//! batch takes a fixed number of launches however many epochs it holds. lists.rs builds the
//! matrices' column lists on the GPU; capture.rs reads the intermediate stages back for the
//! per-stage checks.

#[cfg(test)]
mod awkward;
mod batch;
mod capture;
mod encode;
mod encode_bonds;
mod footprint;
mod limits;
mod lists;
mod pack;
mod rehearse;
mod stats;
mod upload;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use lists::Listed;
pub use stats::BatchStats;
use stats::Counters;

pub use batch::{Launch, Sizes};
pub use footprint::{Branches, Footprint};
pub use pack::InputPacker;

use super::buffers::{
    grid, map_readback, read_buffers_with, record_readback, BufferPool, Uploader,
};
use super::kernels::Kernels;
use super::layout::{EpochLayout, Shape, Wanted};
use super::params::{EpochParams, MatView, NONE};
use super::{GpuContext, GpuError};
use crate::epoch::permits::old_permits;
use crate::epoch::trace::Trace;
use crate::output::{EpochOutput, RawOutput, Rows};
use crate::snapshot::{MechanismInput, Snapshot};

/// Which buffers hold a matrix, and in which form.
#[derive(Clone, Copy, Debug)]
struct Matrix {
    val: &'static str,
    live: &'static str,
    form: Form,
}

/// The layout of a matrix's entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// The weight matrix's CSR entries (storage order, with column lists).
    Csr,
    /// One row of n cells per slot (a row holding weights or bonds).
    Dense,
    /// Either, as the liquid-alpha decision wrote it on the GPU into `view_ema`.
    Decided,
}

impl Form {
    /// The `MatView` buffer that tells a kernel this form.
    fn view(self) -> &'static str {
        match self {
            Form::Csr => "view_csr",
            Form::Dense => "view_dense",
            Form::Decided => "view_ema",
        }
    }
}

/// The GPU path: a context, its pipelines, and the batch's buffers, reused from one batch to
/// the next.
pub struct GpuEpoch {
    pub ctx: Arc<GpuContext>,
    kernels: Kernels,
    pool: BufferPool,
    /// One packer per worker thread, reused from epoch to epoch (an epoch's rows are packed in
    /// its scratch lists and copied into the mapped upload while still in cache).
    scratch: Vec<Mutex<pack::Packer>>,
    staging: Option<wgpu::Buffer>,
    /// A second readback buffer, mapped while `staging` still is (the packed bonds).
    staging_bonds: Option<wgpu::Buffer>,
    /// The batch's inputs go through it (see `buffers::Uploader`).
    uploader: Uploader,
    timer: Option<Timer>,
    /// GPU time of the last batch's kernels (timestamp queries), when timing is on.
    pub last_kernel_time: Option<std::time::Duration>,
    counters: Counters,
    /// What the last batch cost (launches, bind groups, host and GPU time).
    pub last_stats: BatchStats,
    /// Host rehearsals after each batch, and their figures (rehearse.rs).
    rehearsals: usize,
    rehearsed: Vec<BatchStats>,
}

/// Timestamps at the start and the end of a batch's kernels, and where they are read back.
struct Timer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    staging: Option<wgpu::Buffer>,
}

const TIMESTAMPS: u32 = 2;

/// Validators whose column values fit in the consensus kernel's workgroup memory
/// (`SHARED_VALIDATORS` in shaders/consensus.wgsl).
const SHARED_VALIDATORS: usize = 1024;

/// One mechanism's epoch in flight (sized first; packed while its inputs are written).
struct Job {
    params: EpochParams,
    sig: Signature,
    /// More validators than the consensus kernel's workgroup memory holds may be found (else
    /// `weighted_median_wide` would do nothing, and is not launched).
    wide_median: bool,
}

/// Which weights feed the bonds: W (bonds_penalty 0), the clipped W (65535), or their
/// interpolation (a dense matrix the kernels build).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum WbKind {
    Weights,
    Clipped,
    Interpolated,
}

impl WbKind {
    /// The weights for bonds that `bonds_penalty` selects (0: W, 65535: the clipped W).
    fn of(bonds_penalty: u16) -> WbKind {
        match bonds_penalty {
            0 => WbKind::Weights,
            u16::MAX => WbKind::Clipped,
            _ => WbKind::Interpolated,
        }
    }
}

/// What decides an epoch's bond-side launches and their buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Signature {
    yuma3: bool,
    wb: WbKind,
    /// Yuma 3 with liquid alpha enabled.
    liquid: bool,
}

impl Signature {
    /// The signature `s`'s hyperparameters give its epochs.
    fn of(s: &Snapshot) -> Signature {
        let h = &s.hyperparams;
        Signature {
            yuma3: h.yuma3_enabled,
            wb: WbKind::of(h.bonds_penalty),
            liquid: h.yuma3_enabled && h.liquid_alpha_enabled,
        }
    }

    /// The optional lists packing builds for these epochs: the weight rows in column order for
    /// liquid alpha's merge (the column lists are built on the GPU).
    fn wanted(self) -> Wanted {
        Wanted {
            sorted_weights: self.liquid,
            columns: false,
        }
    }

    /// A distinct index below 9.
    fn index(self) -> usize {
        let wb = self.wb as usize;
        if self.yuma3 {
            3 + 2 * wb + usize::from(self.liquid)
        } else {
            wb
        }
    }

    /// The weights for bonds' buffers and form.
    fn wb(self) -> Matrix {
        match self.wb {
            WbKind::Weights => Matrix {
                val: "w_val",
                live: "w_live",
                form: Form::Csr,
            },
            WbKind::Clipped => Matrix {
                val: "c_val",
                live: "c_live",
                form: Form::Csr,
            },
            WbKind::Interpolated => Matrix {
                val: "wb_val",
                live: "wb_live",
                form: Form::Dense,
            },
        }
    }

    /// The final bonds EMA: Yuma 2's dense slot rows, Yuma 3's in the form the liquid-alpha
    /// decision chose.
    fn ema(self) -> Matrix {
        Matrix {
            val: "ema_val",
            live: "ema_live",
            form: if self.yuma3 {
                Form::Decided
            } else {
                Form::Dense
            },
        }
    }
}

/// Epochs launched together: a launch table, the workgroups per launch class, and (for a
/// signature's subset) what its epochs share.
struct Subset {
    table: &'static str,
    groups: [u64; batch::CLASSES],
    sig: Signature,
}

/// What to run: a snapshot, one of its mechanisms and that mechanism's emission.
pub type MechanismJob<'a> = (&'a Snapshot, &'a MechanismInput, u64);

fn u8s_to<T: bytemuck::Pod>(bytes: &[u8]) -> Vec<T> {
    bytemuck::pod_collect_to_vec(bytes)
}

/// `bytes` seen as `T`s: in place when aligned (mapped readbacks are), else copied.
fn typed<T: bytemuck::Pod>(bytes: &[u8]) -> std::borrow::Cow<'_, [T]> {
    match bytemuck::try_cast_slice(bytes) {
        Ok(v) => std::borrow::Cow::Borrowed(v),
        Err(_) => std::borrow::Cow::Owned(bytemuck::pod_collect_to_vec(bytes)),
    }
}

/// Per-uid results read back for every epoch: (buffer, bytes per uid). `terms` holds three words
/// per uid (shaders/emission.wgsl): consensus | trust << 16, incentive | dividends << 16,
/// stake_u16 | new_permit << 16 | inactive << 17.
const RESULTS: [(&str, u64); 9] = [
    ("stake", 8),
    ("active_stake", 8),
    ("consensus", 8),
    ("trust", 8),
    ("incentive", 8),
    ("dividends", 8),
    ("stake_weight", 8),
    ("rao", 24),
    ("terms", 12),
];

impl GpuEpoch {
    pub fn new(ctx: Arc<GpuContext>) -> Result<GpuEpoch, GpuError> {
        let kernels = Kernels::new(&ctx)?;
        Ok(GpuEpoch {
            ctx,
            kernels,
            pool: BufferPool::default(),
            scratch: Vec::new(),
            staging: None,
            staging_bonds: None,
            uploader: Uploader::default(),
            timer: None,
            last_kernel_time: None,
            counters: Counters::default(),
            last_stats: BatchStats::default(),
            rehearsals: 0,
            rehearsed: Vec::new(),
        })
    }

    /// Turns kernel timing (timestamp queries) on or off; returns whether the adapter has them.
    pub fn set_timing(&mut self, on: bool) -> bool {
        if !on || !self.ctx.has_timestamps() {
            self.timer = None;
            return on && self.ctx.has_timestamps();
        }
        if self.timer.is_none() {
            let queries = self.ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("kernel time"),
                ty: wgpu::QueryType::Timestamp,
                count: TIMESTAMPS,
            });
            let resolve = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("kernel time"),
                size: 8 * u64::from(TIMESTAMPS),
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            self.timer = Some(Timer {
                queries,
                resolve,
                staging: None,
            });
        }
        true
    }

    /// Writes timestamp `index` into the timer's query set (an empty pass), when timing.
    fn stamp(&self, enc: &mut wgpu::CommandEncoder, index: u32) {
        if let Some(t) = &self.timer {
            let _ = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("timestamp"),
                timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                    query_set: &t.queries,
                    beginning_of_pass_write_index: Some(index),
                    end_of_pass_write_index: None,
                }),
            });
        }
    }

    /// Runs one mechanism's epoch with `rao` as its emission.
    pub fn run_mechanism(
        &mut self,
        s: &Snapshot,
        m: &MechanismInput,
        rao: u64,
    ) -> Result<EpochOutput, GpuError> {
        self.run_mechanism_captured(s, m, rao, None)
    }

    /// Like `run_mechanism`, and with `capture` also reads back the intermediate stages, labelled
    /// as the CPU trace labels them, so each kernel can be checked against its CPU twin.
    pub fn run_mechanism_captured(
        &mut self,
        s: &Snapshot,
        m: &MechanismInput,
        rao: u64,
        capture: Option<&mut Trace>,
    ) -> Result<EpochOutput, GpuError> {
        let start = Instant::now();
        let shape = Shape::of_mechanism(s, m);
        let sizing = start.elapsed();
        let out = self
            .run_batch_captured(&[(s, m, rao)], &[shape], capture)
            .remove(0);
        self.last_stats.pack += sizing;
        out
    }

    /// Runs several mechanisms' epochs (of one or many subnets) together: one upload and one
    /// command submission with a fixed number of launches that also copies the results (and the
    /// packed bonds, as far as `bonds_expected`) for reading; a second copy only when the bonds
    /// run past that. `shapes` holds each job's `Shape::of_mechanism`, which the caller has
    /// already found to size its submissions.
    pub fn run_batch(
        &mut self,
        jobs: &[MechanismJob<'_>],
        shapes: &[Shape],
    ) -> Vec<Result<EpochOutput, GpuError>> {
        self.run_batch_captured(jobs, shapes, None)
    }

    fn run_batch_captured(
        &mut self,
        specs: &[MechanismJob<'_>],
        shapes: &[Shape],
        capture: Option<&mut Trace>,
    ) -> Vec<Result<EpochOutput, GpuError>> {
        assert_eq!(specs.len(), shapes.len(), "one shape per job");
        let mut stats = BatchStats {
            batches: 1,
            epochs: specs.len() as u64,
            ..BatchStats::default()
        };
        let start = Instant::now();
        let ctx = Arc::clone(&self.ctx);
        // Sizing in parallel; an epoch that cannot run here fails alone.
        let mut jobs: Vec<Result<Job, GpuError>> = specs
            .par_iter()
            .zip(shapes)
            .map(|(&spec, shape)| Self::size(&ctx, spec, shape))
            .collect();
        let ran = self.run_packed(specs, &mut jobs, &mut stats, start);
        let mut outputs: Vec<Result<EpochOutput, GpuError>> = match ran {
            Ok(mut done) => jobs
                .iter()
                .map(|j| match j {
                    Ok(_) => done
                        .next()
                        .unwrap_or_else(|| Err(GpuError::Device("no output for an epoch".into()))),
                    Err(e) => Err(e.clone()),
                })
                .collect(),
            Err(e) => jobs
                .iter()
                .map(|j| Err(j.as_ref().err().unwrap_or(&e).clone()))
                .collect(),
        };
        (stats.dispatches, stats.bind_groups_made) = self.counters.take();
        stats.kernel = self.last_kernel_time;
        self.last_stats = stats;
        if let (Some(t), [Ok(job)], [(s, m, _)]) = (capture, jobs.as_slice(), specs) {
            let lay = EpochLayout::new(&m.weights, &m.bonds, s.len(), job.sig.wanted());
            if let Err(e) = self.capture(t, job, &lay) {
                outputs[0] = Err(e);
            }
        } else if self.rehearsals > 0 && outputs.iter().all(Result::is_ok) {
            if let Err(e) = self.rehearse(specs, &stats) {
                let failed = GpuError::Device(format!("host rehearsal: {e}"));
                outputs.iter_mut().for_each(|o| *o = Err(failed.clone()));
            }
        }
        outputs
    }

    /// Packs, uploads, runs and reads back the sized epochs (`Ok` ones); returns their outputs
    /// in order.
    fn run_packed(
        &mut self,
        specs: &[MechanismJob<'_>],
        jobs: &mut [Result<Job, GpuError>],
        stats: &mut BatchStats,
        start: Instant,
    ) -> Result<std::vec::IntoIter<Result<EpochOutput, GpuError>>, GpuError> {
        self.last_kernel_time = None;
        let (mut ok, ok_specs): (Vec<&mut Job>, Vec<MechanismJob<'_>>) = jobs
            .iter_mut()
            .zip(specs)
            .filter_map(|(j, &spec)| j.as_mut().ok().map(|j| (j, spec)))
            .unzip();
        if ok.is_empty() {
            stats.pack = start.elapsed();
            return Ok(Vec::new().into_iter());
        }
        let (all, subsets) = self.upload_batch(&mut ok, &ok_specs)?;
        stats.pack = start.elapsed();
        let ok: Vec<&Job> = ok.into_iter().map(|j| &*j).collect();
        self.execute(&ok, &all, &subsets, stats)?;
        let start = Instant::now();
        let out = self.collect(&ok_specs, &ok)?;
        stats.readback = start.elapsed();
        Ok(out.into_iter())
    }

    /// Encodes and submits the batch as one command buffer: the inputs' copies from the upload
    /// buffer, one compute pass with every kernel up to the bonds EMA (the front for the whole
    /// batch, the bond side per signature), the Yuma 3 copy, one pass with the rest, then the
    /// copies into the readback buffers: the timestamps (when timing), the per-uid results, and
    /// the packed bonds as far as `bonds_expected`; then waits for the GPU.
    fn execute(
        &mut self,
        jobs: &[&Job],
        all: &Subset,
        subsets: &[Subset],
        stats: &mut BatchStats,
    ) -> Result<(), GpuError> {
        let start = Instant::now();
        let memory = self
            .ctx
            .device
            .push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let scope = self
            .ctx
            .device
            .push_error_scope(wgpu::ErrorFilter::Validation);
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("epoch"),
            });
        self.uploader.record(&self.pool, &mut enc);
        self.stamp(&mut enc, 0);
        let wide = jobs.iter().any(|j| j.wide_median);
        {
            let mut pass = compute_pass(&mut enc, "epoch kernels");
            self.encode_front(&mut pass, all, wide)?;
            for sub in subsets {
                self.encode_back(&mut pass, sub)?;
            }
        }
        if subsets.iter().any(|s| s.sig.yuma3) {
            self.encode_copy(&mut enc);
        }
        {
            let mut pass = compute_pass(&mut enc, "epoch kernels, end");
            for sub in subsets.iter().filter(|s| s.sig.yuma3) {
                self.encode_yuma3_dividends(&mut pass, sub)?;
            }
            self.encode_tail(&mut pass, all)?;
        }
        self.stamp(&mut enc, 1);
        if let Some(t) = &mut self.timer {
            enc.resolve_query_set(&t.queries, 0..TIMESTAMPS, &t.resolve, 0);
            let ticks = [(&t.resolve, 8 * u64::from(TIMESTAMPS))];
            record_readback(&self.ctx, &mut t.staging, &ticks, &mut enc)?;
        }
        let results: Vec<(&wgpu::Buffer, u64)> = result_parts(jobs)
            .into_iter()
            .map(|(name, bytes)| (self.pool.buf(name), bytes))
            .collect();
        record_readback(&self.ctx, &mut self.staging, &results, &mut enc)?;
        let bonds = bond_parts(bonds_expected(jobs)).map(|(name, b)| (self.pool.buf(name), b));
        record_readback(&self.ctx, &mut self.staging_bonds, &bonds, &mut enc)?;
        self.ctx.queue.submit([enc.finish()]);
        stats.encode = start.elapsed();
        let start = Instant::now();
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Device(format!("waiting for the GPU: {e}")))?;
        stats.gpu_wait = start.elapsed();
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device(format!("epoch kernels: {err}")));
        }
        if let Some(err) = pollster::block_on(memory.pop()) {
            return Err(GpuError::TooLarge(format!("out of GPU memory: {err}")));
        }
        self.ctx.take_uncaptured()?;
        self.last_kernel_time = match &self.timer {
            Some(t) => {
                let bytes = [8 * u64::from(TIMESTAMPS)];
                let ticks: Vec<u64> =
                    map_readback(&self.ctx, &t.staging, &bytes, |v| u8s_to(v[0]))?;
                let span = |a: usize, b: usize| ticks[b].saturating_sub(ticks[a]);
                let total = span(0, 1);
                let ns = total as f64 * f64::from(self.ctx.queue.get_timestamp_period());
                Some(std::time::Duration::from_nanos(ns as u64))
            }
            None => None,
        };
        Ok(())
    }

    /// Reads the batch's results back (two maps: the per-uid results with the row offsets and
    /// each epoch's start in the packed bonds, then the packed bonds; `execute` copied both, the
    /// bonds as far as `bonds_expected`, and only when they run past it are they copied again)
    /// and builds each epoch's output (in parallel) from the mapped bytes.
    fn collect(
        &mut self,
        specs: &[MechanismJob<'_>],
        jobs: &[&Job],
    ) -> Result<Vec<Result<EpochOutput, GpuError>>, GpuError> {
        let lengths: Vec<u64> = result_parts(jobs).iter().map(|&(_, b)| b).collect();
        let (ctx, pool) = (&self.ctx, &self.pool);
        let (staging, staging_bonds) = (&self.staging, &mut self.staging_bonds);
        map_readback(ctx, staging, &lengths, |read| {
            let bond_base: Vec<u32> = u8s_to(read[RESULTS.len() + 1]);
            let total = u64::from(bond_base[jobs.len()]);
            let build = |packed: &[&[u8]]| {
                jobs.par_iter()
                    .zip(specs.par_iter())
                    .enumerate()
                    .map(|(k, (job, &(s, _, _)))| {
                        let p = &job.params;
                        let (at, n) = (p.o_n as usize, p.n as usize);
                        let mut mine: Vec<&[u8]> = RESULTS
                            .iter()
                            .zip(read)
                            .map(|(&(_, per_uid), bytes)| {
                                let b = per_uid as usize;
                                &bytes[at * b..(at + n) * b]
                            })
                            .collect();
                        let ptr = p.o_n1 as usize;
                        mine.push(&read[RESULTS.len()][4 * ptr..4 * (ptr + n + 1)]);
                        let (b0, b1) = (bond_base[k] as usize, bond_base[k + 1] as usize);
                        let bonds = [&packed[0][4 * b0..4 * b1], &packed[1][8 * b0..8 * b1]];
                        Ok(build_output(s, &mine, &bonds))
                    })
                    .collect()
            };
            let expected = bonds_expected(jobs);
            if total <= expected {
                map_readback(
                    ctx,
                    staging_bonds,
                    &bond_parts(expected).map(|(_, b)| b),
                    build,
                )
            } else {
                let bonds = bond_parts(total).map(|(name, b)| (pool.buf(name), b));
                read_buffers_with(ctx, staging_bonds, &bonds, build)
            }
        })?
    }
}

/// What `execute` copies back for every epoch of `jobs`: `(buffer, bytes)` for the per-uid
/// results (in `RESULTS` order), the row offsets into the packed bonds, and each epoch's start
/// in them.
fn result_parts(jobs: &[&Job]) -> Vec<(&'static str, u64)> {
    let uids: u64 = jobs.iter().map(|j| u64::from(j.params.n)).sum();
    let epochs = jobs.len() as u64;
    let mut parts: Vec<(&'static str, u64)> = RESULTS
        .iter()
        .map(|&(name, per_uid)| (name, per_uid * uids))
        .collect();
    parts.push(("row_offset", 4 * (uids + epochs)));
    parts.push(("bond_base", 4 * (epochs + 1)));
    parts
}

/// The final bonds entries `execute` copies back with the results: per epoch, the entries of
/// its larger matrix (weights or bonds). The final bonds lie on the old bonds' and the weights'
/// entries and usually number about as many as the larger of the two; when they are more,
/// `collect` copies them again in full.
fn bonds_expected(jobs: &[&Job]) -> u64 {
    jobs.iter()
        .map(|j| u64::from(j.params.nnz_w.max(j.params.nnz_b)))
        .sum()
}

/// The packed final bonds' buffers and bytes for `entries` entries: `(column | u16 << 16, raw)`.
fn bond_parts(entries: u64) -> [(&'static str, u64); 2] {
    [("out_entry", 4 * entries), ("out_val", 8 * entries)]
}

/// A compute pass without timestamps.
fn compute_pass<'e>(enc: &'e mut wgpu::CommandEncoder, label: &str) -> wgpu::ComputePass<'e> {
    enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some(label),
        timestamp_writes: None,
    })
}

/// The `EpochOutput` of one job from its readback (`parts` in `RESULTS` order, then the row
/// offsets; `packed` = each final bond's column | u16 << 16, then its raw bits).
fn build_output(s: &Snapshot, parts: &[&[u8]], packed: &[&[u8]]) -> EpochOutput {
    let n = s.len();
    let i64s = |k: usize| typed::<i64>(parts[k]).into_owned();
    let rao = typed::<u64>(parts[7]);
    let terms = typed::<u32>(parts[8]);
    let offsets = typed::<u32>(parts[9]);
    let (entries, vals) = (typed::<u32>(packed[0]), typed::<i64>(packed[1]));
    let low = |word: usize| -> Vec<u16> { terms.chunks_exact(3).map(|t| t[word] as u16).collect() };
    let high = |word: usize| -> Vec<u16> {
        terms
            .chunks_exact(3)
            .map(|t| (t[word] >> 16) as u16)
            .collect()
    };
    let bit = |b: u32| -> Vec<bool> { terms.chunks_exact(3).map(|t| t[2] >> b & 1 != 0).collect() };
    let new_permit = bit(16);
    // Every row's final bonds lie end to end: one pass builds them all.
    let (first, last) = (offsets[0] as usize, offsets[n] as usize);
    let ema_bonds = Rows::from_parts(
        offsets[1..].iter().map(|&o| o - offsets[0]).collect(),
        entries[first..last]
            .iter()
            .zip(&vals[first..last])
            .map(|(&e, &v)| (e as u16, v))
            .collect(),
    );
    let mut bonds = Rows::with_capacity(n, entries.len());
    for (ends, &permit) in offsets.windows(2).zip(&new_permit) {
        let kept = if permit {
            &entries[ends[0] as usize..ends[1] as usize]
        } else {
            &[]
        };
        bonds.push_row(kept.iter().map(|&e| (e as u16, (e >> 16) as u16)));
    }
    EpochOutput {
        netuid: s.netuid,
        block: s.block,
        n: s.n,
        active: terms.chunks_exact(3).map(|t| t[2] >> 17 & 1 == 0).collect(),
        stake: low(2),
        stake_weight: typed(parts[6]).into_owned(),
        new_validator_permit: new_permit,
        consensus: low(0),
        validator_trust: high(0),
        incentive: low(1),
        dividend: high(1),
        server_emission: rao[..n].to_vec(),
        validator_emission: rao[n..2 * n].to_vec(),
        emission: rao[2 * n..].to_vec(),
        bonds,
        raw: RawOutput {
            stake: i64s(0),
            active_stake: i64s(1),
            consensus: i64s(2),
            validator_trust: i64s(3),
            incentive: i64s(4),
            dividends: i64s(5),
            ema_bonds,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shared_validators_matches_the_consensus_kernel() {
        let consensus = super::super::kernels::STAGES
            .iter()
            .find(|(name, _)| *name == "consensus")
            .expect("consensus stage")
            .1;
        let line = format!(
            "const SHARED_VALIDATORS: u32 = {}u;",
            super::SHARED_VALIDATORS
        );
        assert!(consensus.contains(&line), "consensus.wgsl lacks `{line}`");
    }
}
