//! One mechanism's epoch on the GPU: uploads, the stage kernels in the chain's order, and the
//! readback into the same `EpochOutput` the CPU reference produces.

use std::sync::Arc;

use super::buffers::{grid, BufferPool};
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
    dense: bool,
}

/// The GPU path: a context, its pipelines, and buffers reused from one epoch to the next.
pub struct GpuEpoch {
    pub ctx: Arc<GpuContext>,
    kernels: Kernels,
    pool: BufferPool,
}

fn u8s_to<T: bytemuck::Pod>(bytes: &[u8]) -> Vec<T> {
    bytemuck::pod_collect_to_vec(bytes)
}

impl GpuEpoch {
    pub fn new(ctx: Arc<GpuContext>) -> Result<GpuEpoch, GpuError> {
        let kernels = Kernels::new(&ctx)?;
        Ok(GpuEpoch {
            ctx,
            kernels,
            pool: BufferPool::default(),
        })
    }

    fn dispatch(
        &self,
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
                    resource: self.pool.buf(name).as_entire_binding(),
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

    /// Uploads one mechanism's inputs; returns its parameters.
    fn upload(
        &mut self,
        s: &Snapshot,
        m: &MechanismInput,
        rao: u64,
        lay: &EpochLayout,
    ) -> Result<EpochParams, GpuError> {
        let ctx = Arc::clone(&self.ctx);
        let n = s.len();
        let slots = lay.slot_rows.len();
        let p = EpochParams::new(s, rao, lay.weights.nnz(), lay.bonds.nnz(), slots);
        let pool = &mut self.pool;
        pool.upload(&ctx, "params", &[p])?;
        pool.upload(
            &ctx,
            "view_csr",
            &[MatView {
                dense: 0,
                _pad: [0; 3],
            }],
        )?;
        pool.upload(
            &ctx,
            "view_dense",
            &[MatView {
                dense: 1,
                _pad: [0; 3],
            }],
        )?;
        pool.upload(&ctx, "alpha_stake", &s.alpha_stake)?;
        pool.upload(&ctx, "tao_stake", &s.tao_stake)?;
        pool.upload(&ctx, "last_update", &m.last_update)?;
        pool.upload(&ctx, "registered", &s.block_at_registration)?;
        let commits: Vec<u64> = m
            .commit_block
            .iter()
            .map(|c| c.unwrap_or(u64::MAX))
            .collect();
        pool.upload(&ctx, "commit_block", &commits)?;
        let old: Vec<u32> = old_permits(&s.validator_permit, s.owner_in_range())
            .iter()
            .map(|&b| u32::from(b))
            .collect();
        pool.upload(&ctx, "old_permit", &old)?;
        let w = &lay.weights;
        pool.upload(&ctx, "w_row_ptr", &w.row_ptr)?;
        pool.upload(&ctx, "w_col", &w.col)?;
        pool.upload(&ctx, "w_raw", &w.raw)?;
        pool.upload(&ctx, "w_row", &w.row)?;
        pool.upload(&ctx, "w_col_ptr", &w.col_ptr)?;
        pool.upload(&ctx, "w_col_idx", &w.col_idx)?;
        pool.upload(&ctx, "w_sorted", &w.sorted)?;
        let b = &lay.bonds;
        pool.upload(&ctx, "b_row_ptr", &b.row_ptr)?;
        pool.upload(&ctx, "b_col", &b.col)?;
        pool.upload(&ctx, "b_raw", &b.raw)?;
        pool.upload(&ctx, "b_col_ptr", &b.col_ptr)?;
        pool.upload(&ctx, "b_col_idx", &b.col_idx)?;
        pool.upload(&ctx, "slot_rows", &lay.slot_rows)?;
        pool.upload(&ctx, "row_slot", &lay.row_slot)?;
        let (n8, n4, nw, nb, dense) = (
            8 * n as u64,
            4 * n as u64,
            w.nnz() as u64,
            b.nnz() as u64,
            (slots * n) as u64,
        );
        for (name, bytes) in [
            ("scal", 64),
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
            ("wb_val", 8 * dense),
            ("wb_live", 4 * dense),
            ("scratch", 8 * dense),
            ("alpha_dense", 8 * dense),
            ("delta_val", 8 * dense.max(nw)),
            ("ema_val", 8 * dense.max(nw)),
            ("ema_live", 4 * dense.max(nw)),
            ("ema_norm", 8 * dense.max(nw)),
            ("out_col", 4 * dense.max(nw)),
            ("out_val", 8 * dense.max(nw)),
            ("out_u16", 4 * dense.max(nw)),
        ] {
            pool.get(&ctx, name, bytes)?;
        }
        Ok(p)
    }

    /// Column normalize (or max-upscale) of matrix `m` whose column lists are `cols`.
    fn columns(
        &self,
        enc: &mut wgpu::CommandEncoder,
        entry: &str,
        m: Matrix,
        cols: (&'static str, &'static str),
        n: u64,
    ) -> Result<(), GpuError> {
        let view = if m.dense { "view_dense" } else { "view_csr" };
        self.dispatch(
            enc,
            "columns",
            entry,
            &[
                (0, "params"),
                (1, view),
                (2, m.val),
                (3, m.live),
                (4, cols.0),
                (5, cols.1),
            ],
            Launch::Items(n),
        )
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
        let n = s.len();
        let lay = EpochLayout::new(&m.weights, &m.bonds, n);
        let p = self.upload(s, m, rao, &lay)?;
        let (nu, nw, nb, slots) = (
            n as u64,
            lay.weights.nnz() as u64,
            lay.bonds.nnz() as u64,
            lay.slot_rows.len() as u64,
        );
        let h = &s.hyperparams;
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
        let e = &mut enc;

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
        self.dispatch(e, "stake", "stake_total", &stake_binds, Launch::Items(nu))?;
        self.dispatch(e, "stake", "stake_sum", &stake_binds, Launch::One)?;
        self.dispatch(
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
        self.dispatch(e, "permits", "new_permits", &permit_binds, Launch::One)?;
        self.dispatch(
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
            e,
            "weights",
            "mask_weights",
            &weight_binds,
            Launch::Items(nw),
        )?;
        self.dispatch(
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
            e,
            "consensus",
            "median_stakes",
            &consensus_binds,
            Launch::One,
        )?;
        self.dispatch(
            e,
            "consensus",
            "weighted_median",
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
        self.dispatch(e, "incentive", "clip", &incentive_binds, Launch::Items(nw))?;
        self.dispatch(
            e,
            "incentive",
            "validator_trust",
            &incentive_binds,
            Launch::Groups(nu),
        )?;
        self.dispatch(e, "incentive", "ranks", &incentive_binds, Launch::Items(nu))?;
        self.dispatch(
            e,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "incentive")],
            Launch::One,
        )?;

        // Liquid alpha applies only when some consensus is non-zero: a data-dependent branch, so
        // the consensus comes back first (it is part of the result anyway).
        let mut consensus_bits: Option<Vec<i64>> = None;
        let liquid = if h.yuma3_enabled && h.liquid_alpha_enabled {
            self.ctx.queue.submit([enc.finish()]);
            let c: Vec<i64> = u8s_to(&self.pool.read(&self.ctx, &[("consensus", 8 * nu)])?[0]);
            let any = c.iter().any(|&x| x != 0);
            consensus_bits = Some(c);
            enc = self
                .ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("epoch-bonds"),
                });
            any
        } else {
            false
        };
        let e = &mut enc;

        // == Bonds ==
        let w_cols = ("w_col_ptr", "w_col_idx");
        let wb = match p.penalty {
            x if x == ZERO.to_bits() => Matrix {
                val: "w_val",
                live: "w_live",
                dense: false,
            },
            x if x == ONE.to_bits() => Matrix {
                val: "c_val",
                live: "c_live",
                dense: false,
            },
            _ => {
                self.dispatch(
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
                    dense: true,
                }
            }
        };
        self.dispatch(
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
        let view_of = |m: Matrix| if m.dense { "view_dense" } else { "view_csr" };
        let ema_binds = |m: Matrix, out: Matrix| {
            [
                (0, "params"),
                (1, view_of(m)),
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
            ]
        };
        let ema_dense = Matrix {
            val: "ema_val",
            live: "ema_live",
            dense: true,
        };
        let final_ema = if !h.yuma3_enabled {
            let bonds = Matrix {
                val: "b_val",
                live: "b_live",
                dense: false,
            };
            self.columns(e, "col_normalize", bonds, ("b_col_ptr", "b_col_idx"), nu)?;
            let delta = Matrix {
                val: "delta_val",
                live: wb.live,
                dense: wb.dense,
            };
            let count = if wb.dense { slots * nu } else { nw };
            // hadamard writes o_live = m_live; point it at a scratch live buffer to keep W_b's.
            let delta_out = Matrix {
                val: "delta_val",
                live: "ema_live",
                dense: wb.dense,
            };
            self.dispatch(
                e,
                "ema",
                "hadamard",
                &ema_binds(wb, delta_out),
                Launch::Items(count),
            )?;
            self.columns(e, "col_normalize", delta, w_cols, nu)?;
            self.dispatch(
                e,
                "ema",
                "ema_fixed",
                &ema_binds(delta, ema_dense),
                Launch::Groups(slots),
            )?;
            self.columns(e, "col_normalize", ema_dense, w_cols, nu)?;
            self.dividends(e, "dividends_yuma2", ema_dense, nu)?;
            self.columns(e, "col_max_upscale", ema_dense, w_cols, nu)?;
            ema_dense
        } else {
            let ema = if liquid {
                let out = if wb.dense {
                    ema_dense
                } else {
                    Matrix {
                        val: "ema_val",
                        live: "ema_live",
                        dense: false,
                    }
                };
                let binds = [
                    (0, "params"),
                    (1, view_of(wb)),
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
                    (15, out.val),
                    (16, out.live),
                ];
                self.dispatch(
                    e,
                    "liquid_alpha",
                    "liquid_alpha",
                    &binds,
                    Launch::Items64(slots),
                )?;
                self.dispatch(
                    e,
                    "liquid_alpha",
                    "ema_liquid",
                    &binds,
                    Launch::Groups(slots),
                )?;
                out
            } else {
                self.dispatch(
                    e,
                    "ema",
                    "ema_fixed",
                    &ema_binds(wb, ema_dense),
                    Launch::Groups(slots),
                )?;
                ema_dense
            };
            let bytes = self
                .pool
                .buf("ema_val")
                .size()
                .min(self.pool.buf("ema_norm").size());
            e.copy_buffer_to_buffer(
                self.pool.buf("ema_val"),
                0,
                self.pool.buf("ema_norm"),
                0,
                bytes,
            );
            let norm = Matrix {
                val: "ema_norm",
                live: ema.live,
                dense: ema.dense,
            };
            self.columns(e, "col_normalize", norm, w_cols, nu)?;
            self.dividends(e, "dividends_yuma3", norm, nu)?;
            ema
        };
        self.dispatch(
            e,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "dividends")],
            Launch::One,
        )?;

        // == Emission ==
        self.dispatch(
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
            (1, view_of(final_ema)),
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
            e,
            "compact",
            "count_rows",
            &compact_binds,
            Launch::Groups(nu),
        )?;
        self.dispatch(e, "compact", "scan_rows", &compact_binds, Launch::One)?;
        self.dispatch(
            e,
            "compact",
            "compact_rows",
            &compact_binds,
            Launch::Groups(nu),
        )?;
        self.ctx.queue.submit([enc.finish()]);
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device(format!("epoch kernels: {err}")));
        }

        let parts = self.pool.read(
            &self.ctx,
            &[
                ("stake", 8 * nu),
                ("active_stake", 8 * nu),
                ("consensus", 8 * nu),
                ("trust", 8 * nu),
                ("incentive", 8 * nu),
                ("dividends", 8 * nu),
                ("stake_weight", 8 * nu),
                ("stake_u16", 4 * nu),
                ("new_permit", 4 * nu),
                ("inactive", 4 * nu),
                ("rao", 24 * nu),
                ("terms_u16", 16 * nu),
                ("row_offset", 4 * nu + 4),
            ],
        )?;
        let i64s = |k: usize| u8s_to::<i64>(&parts[k]);
        let u32s = |k: usize| u8s_to::<u32>(&parts[k]);
        let rao_all: Vec<u64> = u8s_to(&parts[10]);
        let terms: Vec<u32> = u32s(11);
        let offsets: Vec<u32> = u32s(12);
        let total = u64::from(offsets[n]);
        let packed = self.pool.read(
            &self.ctx,
            &[
                ("out_col", 4 * total),
                ("out_val", 8 * total),
                ("out_u16", 4 * total),
            ],
        )?;
        let (cols, vals, u16s): (Vec<u32>, Vec<i64>, Vec<u32>) =
            (u8s_to(&packed[0]), u8s_to(&packed[1]), u8s_to(&packed[2]));
        let new_permit: Vec<bool> = u32s(8).iter().map(|&x| x != 0).collect();
        let mut ema_bonds = Vec::with_capacity(n);
        let mut bonds = Vec::with_capacity(n);
        for i in 0..n {
            let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
            ema_bonds.push(
                (a..b)
                    .map(|k| (cols[k] as u16, vals[k]))
                    .collect::<Vec<_>>(),
            );
            bonds.push(if new_permit[i] {
                (a..b).map(|k| (cols[k] as u16, u16s[k] as u16)).collect()
            } else {
                Vec::new()
            });
        }
        if let Some(t) = capture {
            self.capture(t, &lay, &parts, wb, final_ema)?;
        }
        let to_u16 = |v: &[u32]| v.iter().map(|&x| x as u16).collect::<Vec<u16>>();
        let consensus = consensus_bits.unwrap_or_else(|| i64s(2));
        Ok(EpochOutput {
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
            server_emission: rao_all[..n].to_vec(),
            validator_emission: rao_all[n..2 * n].to_vec(),
            emission: rao_all[2 * n..].to_vec(),
            bonds,
            raw: RawOutput {
                stake: i64s(0),
                active_stake: i64s(1),
                consensus,
                validator_trust: i64s(3),
                incentive: i64s(4),
                dividends: i64s(5),
                ema_bonds,
            },
        })
    }

    /// Reads a matrix back as sparse rows of raw bits (live entries, storage or column order).
    fn read_matrix(
        &mut self,
        lay: &EpochLayout,
        m: Matrix,
    ) -> Result<Vec<Vec<(u16, i64)>>, GpuError> {
        let n = lay.row_slot.len();
        let count = if m.dense {
            lay.slot_rows.len() * n
        } else {
            lay.weights.nnz()
        } as u64;
        let parts = self
            .pool
            .read(&self.ctx, &[(m.val, 8 * count), (m.live, 4 * count)])?;
        let (val, live): (Vec<i64>, Vec<u32>) = (u8s_to(&parts[0]), u8s_to(&parts[1]));
        Ok((0..n)
            .map(|i| {
                if m.dense {
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

    fn capture(
        &mut self,
        t: &mut Trace,
        lay: &EpochLayout,
        parts: &[Vec<u8>],
        wb: Matrix,
        ema: Matrix,
    ) -> Result<(), GpuError> {
        let n = lay.row_slot.len();
        let i64s = |k: usize| u8s_to::<i64>(&parts[k]);
        t.plain("Normalised Stake", &i64s(0));
        let permits: Vec<bool> = u8s_to::<u32>(&parts[8]).iter().map(|&x| x != 0).collect();
        t.plain("new_validator_permits", &permits);
        t.plain("Active Stake", &i64s(1));
        let w = self.read_matrix(
            lay,
            Matrix {
                val: "w_val",
                live: "w_live",
                dense: false,
            },
        )?;
        t.plain("Weights (mask+norm)", &w);
        let c: Vec<i64> = u8s_to(&self.pool.read(&self.ctx, &[("consensus", 8 * n as u64)])?[0]);
        t.plain("Consensus", &c);
        let clipped = self.read_matrix(
            lay,
            Matrix {
                val: "c_val",
                live: "c_live",
                dense: false,
            },
        )?;
        t.plain("Clipped Weights", &clipped);
        t.plain("Validator Trust", &i64s(3));
        t.plain("Incentive (=Rank)", &i64s(4));
        let wb = self.read_matrix(lay, wb)?;
        t.plain("yuma: weights_for_bonds", &wb);
        t.plain("Dividends", &i64s(5));
        let ema = self.read_matrix(lay, ema)?;
        t.plain("yuma: ema_bonds final", &ema);
        Ok(())
    }

    fn dividends(
        &self,
        enc: &mut wgpu::CommandEncoder,
        entry: &str,
        m: Matrix,
        n: u64,
    ) -> Result<(), GpuError> {
        let view = if m.dense { "view_dense" } else { "view_csr" };
        self.dispatch(
            enc,
            "dividends",
            entry,
            &[
                (0, "params"),
                (1, view),
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
}
