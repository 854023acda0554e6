//! One mechanism's epoch on the GPU: uploads, the stage kernels in the chain's order, and the
//! readback into the same `EpochOutput` the CPU reference produces.

use std::sync::Arc;

use super::buffers::{grid, read_buffers, BufferPool};
use super::kernels::Kernels;
use super::layout::EpochLayout;
use super::params::{EpochParams, MatView, NONE};
use super::{GpuContext, GpuError};
use crate::epoch::permits::old_permits;
use crate::epoch::trace::Trace;
use crate::fixed::{ONE, ZERO};
use crate::output::{EpochOutput, RawOutput};
use crate::snapshot::{MechanismInput, Snapshot};

/// How a kernel is launched.
#[derive(Clone, Copy, Debug)]
pub enum Launch {
    /// One invocation per item, 256 per workgroup.
    Items(u64),
    /// One workgroup per item.
    Groups(u64),
    /// One thread per item, 64 per workgroup.
    Items64(u64),
    /// A single workgroup.
    One,
}

/// Which buffers hold a matrix, and in which form.
#[derive(Clone, Copy, Debug)]
struct Matrix {
    val: &'static str,
    live: &'static str,
    /// The `MatView` buffer that says its form: `view_csr`, `view_dense`, or `view_ema` (written
    /// on the GPU by the liquid-alpha decision).
    view: &'static str,
}

/// The GPU path: a context, its pipelines, and buffers reused from one epoch to the next (one
/// pool per epoch of a batch).
pub struct GpuEpoch {
    pub ctx: Arc<GpuContext>,
    kernels: Kernels,
    pools: Vec<BufferPool>,
    /// Host layouts of the last batch, kept for their allocations.
    layouts: Vec<EpochLayout>,
    staging: Option<wgpu::Buffer>,
    timer: Option<Timer>,
    /// GPU time of the last batch's kernels (timestamp queries), when timing is on.
    pub last_kernel_time: Option<std::time::Duration>,
}

/// Timestamps at the start and the end of a batch's command buffer.
struct Timer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
}

const TIMESTAMPS: u32 = 2;

/// One mechanism's epoch in flight.
struct Job {
    lay: EpochLayout,
    params: EpochParams,
    yuma3: bool,
    wb: Matrix,
    ema: Matrix,
}

/// What to run: a snapshot, one of its mechanisms and that mechanism's emission.
pub type MechanismJob<'a> = (&'a Snapshot, &'a MechanismInput, u64);

fn u8s_to<T: bytemuck::Pod>(bytes: &[u8]) -> Vec<T> {
    bytemuck::pod_collect_to_vec(bytes)
}

/// Per-uid results read back for every epoch: (buffer, bytes per uid).
const RESULTS: [(&str, u64); 12] = [
    ("stake", 8),
    ("active_stake", 8),
    ("consensus", 8),
    ("trust", 8),
    ("incentive", 8),
    ("dividends", 8),
    ("stake_weight", 8),
    ("stake_u16", 4),
    ("new_permit", 4),
    ("inactive", 4),
    ("rao", 24),
    ("terms_u16", 16),
];

impl GpuEpoch {
    pub fn new(ctx: Arc<GpuContext>) -> Result<GpuEpoch, GpuError> {
        let kernels = Kernels::new(&ctx)?;
        Ok(GpuEpoch {
            ctx,
            kernels,
            pools: Vec::new(),
            layouts: Vec::new(),
            staging: None,
            timer: None,
            last_kernel_time: None,
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
            self.timer = Some(Timer { queries, resolve });
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

    fn dispatch(
        &self,
        pool: &BufferPool,
        enc: &mut wgpu::CommandEncoder,
        stage: &'static str,
        entry: &str,
        binds: &[(u32, &'static str)],
        launch: Launch,
    ) -> Result<(), GpuError> {
        let module = &self.kernels.stages[stage];
        let pipeline = module.pipelines.get(entry).ok_or_else(|| {
            GpuError::Shader(format!("{stage}.wgsl has no entry point `{entry}`"))
        })?;
        let entries: Vec<wgpu::BindGroupEntry> = module
            .bindings
            .iter()
            .map(|&b| {
                let name = binds
                    .iter()
                    .find(|&&(i, _)| i == b)
                    .map(|&(_, name)| name)
                    .ok_or_else(|| {
                        GpuError::Shader(format!("{stage}.wgsl: binding {b} has no buffer"))
                    })?;
                Ok(wgpu::BindGroupEntry {
                    binding: b,
                    resource: pool.buf(name).as_entire_binding(),
                })
            })
            .collect::<Result<_, GpuError>>()?;
        let group = self
            .ctx
            .device
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(entry),
                layout: &module.layout,
                entries: &entries,
            });
        let (x, y) = match launch {
            Launch::Items(n) => grid(&self.ctx, n.div_ceil(256))?,
            Launch::Items64(n) => grid(&self.ctx, n.div_ceil(64))?,
            Launch::Groups(n) => grid(&self.ctx, n)?,
            Launch::One => (1, 1),
        };
        if x == 0 {
            return Ok(());
        }
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(entry),
            timestamp_writes: None,
        });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        Ok(())
    }

    /// Uploads one mechanism's inputs into `pool`.
    /// `lay` is a recycled layout whose allocations are reused.
    fn upload(
        ctx: &GpuContext,
        pool: &mut BufferPool,
        mut lay: EpochLayout,
        (s, m, rao): MechanismJob<'_>,
    ) -> Result<Job, GpuError> {
        let n = s.len();
        lay.repack(&m.weights, &m.bonds, n);
        let slots = lay.slot_rows.len();
        let p = EpochParams::new(s, rao, lay.weights.nnz(), lay.bonds.nnz(), slots);
        pool.upload(ctx, "params", &[p])?;
        pool.upload(
            ctx,
            "view_csr",
            &[MatView {
                dense: 0,
                _pad: [0; 3],
            }],
        )?;
        pool.upload(
            ctx,
            "view_dense",
            &[MatView {
                dense: 1,
                _pad: [0; 3],
            }],
        )?;
        pool.upload(ctx, "alpha_stake", &s.alpha_stake)?;
        pool.upload(ctx, "tao_stake", &s.tao_stake)?;
        pool.upload(ctx, "last_update", &m.last_update)?;
        pool.upload(ctx, "registered", &s.block_at_registration)?;
        let commits: Vec<u64> = m
            .commit_block
            .iter()
            .map(|c| c.unwrap_or(u64::MAX))
            .collect();
        pool.upload(ctx, "commit_block", &commits)?;
        let old: Vec<u32> = old_permits(&s.validator_permit, s.owner_in_range())
            .iter()
            .map(|&b| u32::from(b))
            .collect();
        pool.upload(ctx, "old_permit", &old)?;
        let w = &lay.weights;
        pool.upload(ctx, "w_row_ptr", &w.row_ptr)?;
        pool.upload(ctx, "w_col", &w.col)?;
        pool.upload(ctx, "w_raw", &w.raw)?;
        pool.upload(ctx, "w_row", &w.row)?;
        pool.upload(ctx, "w_col_ptr", &w.col_ptr)?;
        pool.upload(ctx, "w_col_idx", &w.col_idx)?;
        pool.upload(ctx, "w_sorted", &w.sorted)?;
        let b = &lay.bonds;
        pool.upload(ctx, "b_row_ptr", &b.row_ptr)?;
        pool.upload(ctx, "b_col", &b.col)?;
        pool.upload(ctx, "b_raw", &b.raw)?;
        pool.upload(ctx, "b_col_ptr", &b.col_ptr)?;
        pool.upload(ctx, "b_col_idx", &b.col_idx)?;
        pool.upload(ctx, "slot_rows", &lay.slot_rows)?;
        pool.upload(ctx, "row_slot", &lay.row_slot)?;
        let (n8, n4, nw, nb, dense) = (
            8 * n as u64,
            4 * n as u64,
            w.nnz() as u64,
            b.nnz() as u64,
            (slots * n) as u64,
        );
        let wide = dense.max(nw);
        // Dense scratch only for the branches this epoch can take (the others get a token buffer
        // to bind): interpolated weights for bonds, liquid alpha, Yuma 2's ΔB, Yuma 3's norm.
        let h = &s.hyperparams;
        let interpolated = p.penalty != ZERO.to_bits() && p.penalty != ONE.to_bits();
        let liquid = h.yuma3_enabled && h.liquid_alpha_enabled;
        let when = |on: bool, bytes: u64| if on { bytes } else { 0 };
        for (name, bytes) in [
            ("scal", 64),
            ("view_ema", 16),
            ("filtered", 16 * n as u64),
            ("stake", n8),
            ("stake_weight", n8),
            ("inactive", n4),
            ("stake_u16", n4),
            ("new_permit", n4),
            ("active_stake", n8),
            ("median_stake", n8),
            ("validator_pos", n4),
            ("consensus", n8),
            ("trust", n8),
            ("incentive", n8),
            ("dividends", n8),
            ("server_share", n8),
            ("validator_share", n8),
            ("combined_share", n8),
            ("rao", 3 * n8),
            ("terms_u16", 4 * n4),
            ("row_offset", n4 + 4),
            ("w_val", 8 * nw),
            ("w_live", 4 * nw),
            ("c_val", 8 * nw),
            ("c_live", 4 * nw),
            ("b_val", 8 * nb),
            ("b_live", 4 * nb),
            ("wb_val", when(interpolated, 8 * dense)),
            ("wb_live", when(interpolated, 4 * dense)),
            ("scratch", when(interpolated || liquid, 8 * dense)),
            ("alpha_dense", when(liquid, 8 * dense)),
            ("delta_val", when(!h.yuma3_enabled, 8 * wide)),
            ("ema_val", 8 * wide),
            ("ema_live", 4 * wide),
            ("ema_norm", when(h.yuma3_enabled, 8 * wide)),
            ("out_col", 4 * wide),
            ("out_val", 8 * wide),
            ("out_u16", 4 * wide),
        ] {
            pool.get(ctx, name, bytes)?;
        }
        Ok(Job {
            lay,
            params: p,
            yuma3: h.yuma3_enabled,
            wb: Matrix {
                val: "w_val",
                live: "w_live",
                view: "view_csr",
            },
            ema: Matrix {
                val: "ema_val",
                live: "ema_live",
                view: "view_dense",
            },
        })
    }

    /// Column normalize (or max-upscale) of matrix `m` whose column lists are `cols`.
    fn columns(
        &self,
        pool: &BufferPool,
        enc: &mut wgpu::CommandEncoder,
        entry: &str,
        m: Matrix,
        cols: (&'static str, &'static str),
        n: u64,
    ) -> Result<(), GpuError> {
        self.dispatch(
            pool,
            enc,
            "columns",
            entry,
            &[
                (0, "params"),
                (1, m.view),
                (2, m.val),
                (3, m.live),
                (4, cols.0),
                (5, cols.1),
            ],
            Launch::Items(n),
        )
    }

    fn dividends(
        &self,
        pool: &BufferPool,
        enc: &mut wgpu::CommandEncoder,
        entry: &str,
        m: Matrix,
        n: u64,
    ) -> Result<(), GpuError> {
        self.dispatch(
            pool,
            enc,
            "dividends",
            entry,
            &[
                (0, "params"),
                (1, m.view),
                (2, m.val),
                (3, m.live),
                (4, "w_row_ptr"),
                (5, "w_col"),
                (6, "row_slot"),
                (7, "incentive"),
                (8, "active_stake"),
                (9, "dividends"),
            ],
            Launch::Items(n),
        )
    }

    /// Stake through incentive.
    fn encode_front(
        &self,
        pool: &BufferPool,
        e: &mut wgpu::CommandEncoder,
        job: &Job,
    ) -> Result<(), GpuError> {
        let (nu, nw) = (u64::from(job.params.n), u64::from(job.params.nnz_w));
        // == Stake, activity, permits ==
        let stake_binds = [
            (0, "params"),
            (1, "scal"),
            (2, "alpha_stake"),
            (3, "tao_stake"),
            (4, "last_update"),
            (5, "filtered"),
            (6, "stake"),
            (7, "stake_weight"),
            (8, "inactive"),
            (9, "stake_u16"),
        ];
        self.dispatch(
            pool,
            e,
            "stake",
            "stake_total",
            &stake_binds,
            Launch::Items(nu),
        )?;
        self.dispatch(pool, e, "stake", "stake_sum", &stake_binds, Launch::One)?;
        self.dispatch(
            pool,
            e,
            "stake",
            "stake_normalize",
            &stake_binds,
            Launch::Items(nu),
        )?;
        let permit_binds = [
            (0, "params"),
            (1, "stake"),
            (2, "inactive"),
            (3, "old_permit"),
            (4, "new_permit"),
            (5, "active_stake"),
        ];
        self.dispatch(
            pool,
            e,
            "permits",
            "new_permits",
            &permit_binds,
            Launch::One,
        )?;
        self.dispatch(
            pool,
            e,
            "permits",
            "active_stake_normalize",
            &permit_binds,
            Launch::One,
        )?;

        // == Weights ==
        let weight_binds = [
            (0, "params"),
            (1, "w_col"),
            (2, "w_raw"),
            (3, "w_row"),
            (4, "w_row_ptr"),
            (5, "old_permit"),
            (6, "last_update"),
            (7, "registered"),
            (8, "commit_block"),
            (9, "w_val"),
            (10, "w_live"),
        ];
        self.dispatch(
            pool,
            e,
            "weights",
            "mask_weights",
            &weight_binds,
            Launch::Items(nw),
        )?;
        self.dispatch(
            pool,
            e,
            "weights",
            "row_normalize",
            &weight_binds,
            Launch::Groups(nu),
        )?;

        // == Consensus, trust, incentive ==
        let consensus_binds = [
            (0, "params"),
            (1, "scal"),
            (2, "active_stake"),
            (3, "median_stake"),
            (4, "validator_pos"),
            (5, "w_val"),
            (6, "w_live"),
            (7, "w_row"),
            (8, "w_col_ptr"),
            (9, "w_col_idx"),
            (10, "consensus"),
        ];
        self.dispatch(
            pool,
            e,
            "consensus",
            "median_stakes",
            &consensus_binds,
            Launch::One,
        )?;
        self.dispatch(
            pool,
            e,
            "consensus",
            "weighted_median",
            &consensus_binds,
            Launch::Groups(nu),
        )?;
        self.dispatch(
            pool,
            e,
            "consensus",
            "weighted_median_wide",
            &consensus_binds,
            Launch::Items(nu),
        )?;
        let incentive_binds = [
            (0, "params"),
            (1, "w_val"),
            (2, "w_live"),
            (3, "w_col"),
            (4, "w_row"),
            (5, "w_row_ptr"),
            (6, "w_col_ptr"),
            (7, "w_col_idx"),
            (8, "consensus"),
            (9, "active_stake"),
            (10, "c_val"),
            (11, "c_live"),
            (12, "trust"),
            (13, "incentive"),
        ];
        self.dispatch(
            pool,
            e,
            "incentive",
            "clip",
            &incentive_binds,
            Launch::Items(nw),
        )?;
        self.dispatch(
            pool,
            e,
            "incentive",
            "validator_trust",
            &incentive_binds,
            Launch::Groups(nu),
        )?;
        self.dispatch(
            pool,
            e,
            "incentive",
            "ranks",
            &incentive_binds,
            Launch::Items(nu),
        )?;
        self.dispatch(
            pool,
            e,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "incentive")],
            Launch::One,
        )?;

        Ok(())
    }

    /// Bonds, dividends, emission and the packed final bonds; sets `job.wb` and `job.ema`.
    fn encode_back(
        &self,
        pool: &BufferPool,
        e: &mut wgpu::CommandEncoder,
        job: &mut Job,
    ) -> Result<(), GpuError> {
        let p = job.params;
        let (nu, nw, nb, slots) = (
            u64::from(p.n),
            u64::from(p.nnz_w),
            u64::from(p.nnz_b),
            u64::from(p.n_slots),
        );
        // == Bonds ==
        let w_cols = ("w_col_ptr", "w_col_idx");
        let wb = match p.penalty {
            x if x == ZERO.to_bits() => Matrix {
                val: "w_val",
                live: "w_live",
                view: "view_csr",
            },
            x if x == ONE.to_bits() => Matrix {
                val: "c_val",
                live: "c_live",
                view: "view_csr",
            },
            _ => {
                self.dispatch(
                    pool,
                    e,
                    "weights_for_bonds",
                    "interpolate",
                    &[
                        (0, "params"),
                        (1, "w_val"),
                        (2, "w_live"),
                        (3, "c_val"),
                        (4, "c_live"),
                        (5, "w_col"),
                        (6, "w_row_ptr"),
                        (7, "slot_rows"),
                        (8, "wb_val"),
                        (9, "wb_live"),
                        (10, "scratch"),
                    ],
                    Launch::Groups(slots),
                )?;
                Matrix {
                    val: "wb_val",
                    live: "wb_live",
                    view: "view_dense",
                }
            }
        };
        self.dispatch(
            pool,
            e,
            "bonds_read",
            "read_bonds",
            &[
                (0, "params"),
                (1, "b_col"),
                (2, "b_raw"),
                (3, "registered"),
                (4, "b_val"),
                (5, "b_live"),
            ],
            Launch::Items(nb),
        )?;

        let ema_binds = |m: Matrix, out: Matrix| {
            [
                (0, "params"),
                (1, m.view),
                (2, m.val),
                (3, m.live),
                (4, "w_row"),
                (5, "w_row_ptr"),
                (6, "w_col"),
                (7, "slot_rows"),
                (8, "active_stake"),
                (9, "b_col"),
                (10, "b_val"),
                (11, "b_live"),
                (12, "b_row_ptr"),
                (13, out.val),
                (14, out.live),
                (15, "scal"),
            ]
        };
        let ema_dense = Matrix {
            val: "ema_val",
            live: "ema_live",
            view: "view_dense",
        };
        self.dispatch(
            pool,
            e,
            "bonds_branch",
            "liquid_decision",
            &[
                (0, "params"),
                (1, wb.view),
                (2, "consensus"),
                (3, "scal"),
                (4, "view_ema"),
            ],
            Launch::One,
        )?;
        let final_ema = if !job.yuma3 {
            let bonds = Matrix {
                val: "b_val",
                live: "b_live",
                view: "view_csr",
            };
            self.columns(
                pool,
                e,
                "col_normalize",
                bonds,
                ("b_col_ptr", "b_col_idx"),
                nu,
            )?;
            let delta = Matrix {
                val: "delta_val",
                live: wb.live,
                view: wb.view,
            };
            let count = if wb.view == "view_dense" {
                slots * nu
            } else {
                nw
            };
            // hadamard writes o_live = m_live; point it at a scratch live buffer to keep W_b's.
            let delta_out = Matrix {
                val: "delta_val",
                live: "ema_live",
                view: wb.view,
            };
            self.dispatch(
                pool,
                e,
                "ema",
                "hadamard",
                &ema_binds(wb, delta_out),
                Launch::Items(count),
            )?;
            self.columns(pool, e, "col_normalize", delta, w_cols, nu)?;
            self.dispatch(
                pool,
                e,
                "ema",
                "ema_fixed",
                &ema_binds(delta, ema_dense),
                Launch::Groups(slots),
            )?;
            self.columns(pool, e, "col_normalize", ema_dense, w_cols, nu)?;
            self.dividends(pool, e, "dividends_yuma2", ema_dense, nu)?;
            self.columns(pool, e, "col_max_upscale", ema_dense, w_cols, nu)?;
            ema_dense
        } else {
            // Both EMA forms are encoded; the liquid-alpha decision (above) makes one of them
            // a no-op and says in `view_ema` which form the EMA buffers hold.
            let ema = Matrix {
                val: "ema_val",
                live: "ema_live",
                view: "view_ema",
            };
            let binds = [
                (0, "params"),
                (1, wb.view),
                (2, wb.val),
                (3, wb.live),
                (4, "w_row_ptr"),
                (5, "w_col"),
                (6, "w_sorted"),
                (7, "slot_rows"),
                (8, "consensus"),
                (9, "b_col"),
                (10, "b_val"),
                (11, "b_live"),
                (12, "b_row_ptr"),
                (13, "alpha_dense"),
                (14, "scratch"),
                (15, ema.val),
                (16, ema.live),
                (17, "scal"),
            ];
            self.dispatch(
                pool,
                e,
                "liquid_alpha",
                "liquid_alpha",
                &binds,
                Launch::Items64(slots),
            )?;
            self.dispatch(
                pool,
                e,
                "liquid_alpha",
                "ema_liquid",
                &binds,
                Launch::Groups(slots),
            )?;
            self.dispatch(
                pool,
                e,
                "ema",
                "ema_fixed",
                &ema_binds(wb, ema_dense),
                Launch::Groups(slots),
            )?;
            let bytes = pool.buf("ema_val").size().min(pool.buf("ema_norm").size());
            e.copy_buffer_to_buffer(pool.buf("ema_val"), 0, pool.buf("ema_norm"), 0, bytes);
            let norm = Matrix {
                val: "ema_norm",
                live: ema.live,
                view: ema.view,
            };
            self.columns(pool, e, "col_normalize", norm, w_cols, nu)?;
            self.dividends(pool, e, "dividends_yuma3", norm, nu)?;
            ema
        };
        self.dispatch(
            pool,
            e,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "dividends")],
            Launch::One,
        )?;

        // == Emission ==
        self.dispatch(
            pool,
            e,
            "emission",
            "emission",
            &[
                (0, "params"),
                (1, "incentive"),
                (2, "dividends"),
                (3, "active_stake"),
                (4, "stake"),
                (5, "consensus"),
                (6, "trust"),
                (7, "server_share"),
                (8, "validator_share"),
                (9, "combined_share"),
                (10, "rao"),
                (11, "terms_u16"),
            ],
            Launch::One,
        )?;

        // == Final bonds, packed ==
        let compact_binds = [
            (0, "params"),
            (1, final_ema.view),
            (2, final_ema.val),
            (3, final_ema.live),
            (4, "w_row_ptr"),
            (5, "w_col"),
            (6, "row_slot"),
            (7, "row_offset"),
            (8, "out_col"),
            (9, "out_val"),
            (10, "out_u16"),
        ];
        self.dispatch(
            pool,
            e,
            "compact",
            "count_rows",
            &compact_binds,
            Launch::Groups(nu),
        )?;
        self.dispatch(pool, e, "compact", "scan_rows", &compact_binds, Launch::One)?;
        self.dispatch(
            pool,
            e,
            "compact",
            "compact_rows",
            &compact_binds,
            Launch::Groups(nu),
        )?;
        job.wb = wb;
        job.ema = final_ema;
        Ok(())
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
        self.run_batch_captured(&[(s, m, rao)], capture).remove(0)
    }

    /// Runs several mechanisms' epochs (of one or many subnets) together: one upload each, one
    /// command submission for all of them, and two readbacks (the results, then the packed
    /// bonds whose size the first gives), instead of a round trip per epoch.
    pub fn run_batch(&mut self, jobs: &[MechanismJob<'_>]) -> Vec<Result<EpochOutput, GpuError>> {
        self.run_batch_captured(jobs, None)
    }

    fn run_batch_captured(
        &mut self,
        specs: &[MechanismJob<'_>],
        capture: Option<&mut Trace>,
    ) -> Vec<Result<EpochOutput, GpuError>> {
        // One pool per epoch of the batch; pools beyond this batch's size are let go.
        self.pools.truncate(specs.len().max(1));
        while self.pools.len() < specs.len() {
            self.pools.push(BufferPool::default());
        }
        let ctx = Arc::clone(&self.ctx);
        let mut spare = std::mem::take(&mut self.layouts);
        let mut jobs: Vec<Result<Job, GpuError>> = specs
            .iter()
            .zip(self.pools.iter_mut())
            .map(|(&spec, pool)| Self::upload(&ctx, pool, spare.pop().unwrap_or_default(), spec))
            .collect();
        let mut outputs = match self
            .execute(&mut jobs)
            .and_then(|()| self.collect(specs, &jobs))
        {
            Ok(o) => o,
            Err(e) => specs.iter().map(|_| Err(e.clone())).collect(),
        };
        if let (Some(t), [Ok(job)]) = (capture, jobs.as_slice()) {
            if let Err(e) = self.capture(t, job) {
                outputs[0] = Err(e);
            }
        }
        self.layouts = jobs
            .into_iter()
            .filter_map(|j| j.ok().map(|j| j.lay))
            .collect();
        outputs
    }

    /// Encodes and submits every uploaded job.
    fn execute(&mut self, jobs: &mut [Result<Job, GpuError>]) -> Result<(), GpuError> {
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
        self.stamp(&mut enc, 0);
        for (job, pool) in jobs.iter().zip(&self.pools) {
            if let Ok(job) = job {
                self.encode_front(pool, &mut enc, job)?;
            }
        }
        for (job, pool) in jobs.iter_mut().zip(&self.pools) {
            if let Ok(job) = job {
                self.encode_back(pool, &mut enc, job)?;
            }
        }
        self.stamp(&mut enc, 1);
        if let Some(t) = &self.timer {
            enc.resolve_query_set(&t.queries, 0..TIMESTAMPS, &t.resolve, 0);
        }
        self.ctx.queue.submit([enc.finish()]);
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device(format!("epoch kernels: {err}")));
        }
        if let Some(err) = pollster::block_on(memory.pop()) {
            return Err(GpuError::TooLarge(format!("out of GPU memory: {err}")));
        }
        self.ctx.take_uncaptured()?;
        self.last_kernel_time = match &self.timer {
            Some(t) => {
                let ticks: Vec<u64> = u8s_to(
                    &read_buffers(
                        &self.ctx,
                        &mut self.staging,
                        &[(&t.resolve, 8 * u64::from(TIMESTAMPS))],
                    )?[0],
                );
                let span = |a: usize, b: usize| ticks[b].saturating_sub(ticks[a]);
                let total = span(0, 1);
                let ns = total as f64 * f64::from(self.ctx.queue.get_timestamp_period());
                Some(std::time::Duration::from_nanos(ns as u64))
            }
            None => None,
        };
        Ok(())
    }

    /// Reads every job's results back (two maps for the whole batch) and builds the outputs.
    fn collect(
        &mut self,
        specs: &[MechanismJob<'_>],
        jobs: &[Result<Job, GpuError>],
    ) -> Result<Vec<Result<EpochOutput, GpuError>>, GpuError> {
        let mut parts: Vec<(&wgpu::Buffer, u64)> = Vec::new();
        for (job, pool) in jobs.iter().zip(&self.pools) {
            if let Ok(job) = job {
                let n = u64::from(job.params.n);
                parts.extend(
                    RESULTS
                        .iter()
                        .map(|&(name, per_uid)| (pool.buf(name), per_uid * n)),
                );
                parts.push((pool.buf("row_offset"), 4 * n + 4));
            }
        }
        let read = read_buffers(&self.ctx, &mut self.staging, &parts)?;
        let per_job = RESULTS.len() + 1;
        let mut totals = Vec::new();
        let mut packed_parts: Vec<(&wgpu::Buffer, u64)> = Vec::new();
        let mut k = 0;
        for (job, pool) in jobs.iter().zip(&self.pools) {
            if let Ok(job) = job {
                let offsets: Vec<u32> = u8s_to(&read[k + RESULTS.len()]);
                let total = u64::from(offsets[job.params.n as usize]);
                totals.push(total);
                packed_parts.push((pool.buf("out_col"), 4 * total));
                packed_parts.push((pool.buf("out_val"), 8 * total));
                packed_parts.push((pool.buf("out_u16"), 4 * total));
                k += per_job;
            }
        }
        let packed = read_buffers(&self.ctx, &mut self.staging, &packed_parts)?;
        let mut out = Vec::with_capacity(jobs.len());
        let (mut k, mut q) = (0, 0);
        for (job, &(s, _, _)) in jobs.iter().zip(specs) {
            match job {
                Ok(_) => {
                    out.push(Ok(build_output(
                        s,
                        &read[k..k + per_job],
                        &packed[q..q + 3],
                    )));
                    k += per_job;
                    q += 3;
                }
                Err(e) => out.push(Err(e.clone())),
            }
        }
        Ok(out)
    }

    /// Reads a matrix back as sparse rows of raw bits (live entries, storage or column order).
    fn read_matrix(
        &mut self,
        lay: &EpochLayout,
        m: Matrix,
    ) -> Result<Vec<Vec<(u16, i64)>>, GpuError> {
        let n = lay.row_slot.len();
        let dense = match m.view {
            "view_dense" => true,
            "view_csr" => false,
            other => {
                let view: Vec<MatView> = u8s_to(&self.pools[0].read(&self.ctx, &[(other, 16)])?[0]);
                view[0].dense != 0
            }
        };
        let count = if dense {
            lay.slot_rows.len() * n
        } else {
            lay.weights.nnz()
        } as u64;
        let parts = self.pools[0].read(&self.ctx, &[(m.val, 8 * count), (m.live, 4 * count)])?;
        let (val, live): (Vec<i64>, Vec<u32>) = (u8s_to(&parts[0]), u8s_to(&parts[1]));
        Ok((0..n)
            .map(|i| {
                if dense {
                    let s = lay.row_slot[i];
                    if s == NONE {
                        return Vec::new();
                    }
                    let base = s as usize * n;
                    (0..n)
                        .filter(|&j| live[base + j] != 0)
                        .map(|j| (j as u16, val[base + j]))
                        .collect()
                } else {
                    let w = &lay.weights;
                    (w.row_ptr[i] as usize..w.row_ptr[i + 1] as usize)
                        .filter(|&e| live[e] != 0)
                        .map(|e| (w.col[e] as u16, val[e]))
                        .collect()
                }
            })
            .collect())
    }

    /// The intermediate stages of the single job in pool 0, labelled as in the CPU trace.
    fn capture(&mut self, t: &mut Trace, job: &Job) -> Result<(), GpuError> {
        let n = u64::from(job.params.n);
        let vec_parts: Vec<(&'static str, u64)> = [
            "stake",
            "active_stake",
            "consensus",
            "trust",
            "incentive",
            "dividends",
        ]
        .iter()
        .map(|&b| (b, 8 * n))
        .collect();
        let v = self.pools[0].read(&self.ctx, &vec_parts)?;
        let permits: Vec<u32> =
            u8s_to(&self.pools[0].read(&self.ctx, &[("new_permit", 4 * n)])?[0]);
        let i64s = |k: usize| u8s_to::<i64>(&v[k]);
        t.plain("Normalised Stake", &i64s(0));
        t.plain(
            "new_validator_permits",
            &permits.iter().map(|&x| x != 0).collect::<Vec<bool>>(),
        );
        t.plain("Active Stake", &i64s(1));
        let w = self.read_matrix(
            &job.lay,
            Matrix {
                val: "w_val",
                live: "w_live",
                view: "view_csr",
            },
        )?;
        t.plain("Weights (mask+norm)", &w);
        t.plain("Consensus", &i64s(2));
        let clipped = self.read_matrix(
            &job.lay,
            Matrix {
                val: "c_val",
                live: "c_live",
                view: "view_csr",
            },
        )?;
        t.plain("Clipped Weights", &clipped);
        t.plain("Validator Trust", &i64s(3));
        t.plain("Incentive (=Rank)", &i64s(4));
        let wb = self.read_matrix(&job.lay, job.wb)?;
        t.plain("yuma: weights_for_bonds", &wb);
        t.plain("Dividends", &i64s(5));
        let ema = self.read_matrix(&job.lay, job.ema)?;
        t.plain("yuma: ema_bonds final", &ema);
        Ok(())
    }
}

/// The `EpochOutput` of one job from its readback (`parts` in `RESULTS` order, then the row
/// offsets; `packed` = columns, raw bits, u16 of the final bonds).
fn build_output(s: &Snapshot, parts: &[Vec<u8>], packed: &[Vec<u8>]) -> EpochOutput {
    let n = s.len();
    let i64s = |k: usize| u8s_to::<i64>(&parts[k]);
    let u32s = |k: usize| u8s_to::<u32>(&parts[k]);
    let rao: Vec<u64> = u8s_to(&parts[10]);
    let terms = u32s(11);
    let offsets = u32s(12);
    let (cols, vals, u16s): (Vec<u32>, Vec<i64>, Vec<u32>) =
        (u8s_to(&packed[0]), u8s_to(&packed[1]), u8s_to(&packed[2]));
    let new_permit: Vec<bool> = u32s(8).iter().map(|&x| x != 0).collect();
    let mut ema_bonds = Vec::with_capacity(n);
    let mut bonds = Vec::with_capacity(n);
    for i in 0..n {
        let range = offsets[i] as usize..offsets[i + 1] as usize;
        ema_bonds.push(
            range
                .clone()
                .map(|k| (cols[k] as u16, vals[k]))
                .collect::<Vec<_>>(),
        );
        bonds.push(if new_permit[i] {
            range.map(|k| (cols[k] as u16, u16s[k] as u16)).collect()
        } else {
            Vec::new()
        });
    }
    let to_u16 = |v: &[u32]| v.iter().map(|&x| x as u16).collect::<Vec<u16>>();
    EpochOutput {
        netuid: s.netuid,
        block: s.block,
        n: s.n,
        active: u32s(9).iter().map(|&x| x == 0).collect(),
        stake: to_u16(&u32s(7)),
        stake_weight: u8s_to(&parts[6]),
        new_validator_permit: new_permit,
        consensus: to_u16(&terms[..n]),
        validator_trust: to_u16(&terms[n..2 * n]),
        incentive: to_u16(&terms[2 * n..3 * n]),
        dividend: to_u16(&terms[3 * n..]),
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
