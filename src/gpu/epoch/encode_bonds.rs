//! The stages from weights-for-bonds to the packed final bonds, for Yuma 2 and Yuma 3.

use super::*;

impl GpuEpoch {
    /// Bonds up to the EMA (and Yuma 2's dividends); sets `job.wb` and `job.ema`. Yuma 3 goes
    /// on in `encode_copy` (outside the pass) and `encode_tail`.
    pub(super) fn encode_back(
        &self,
        pool: &BufferPool,
        e: &mut wgpu::ComputePass<'_>,
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
                form: Form::Csr,
            },
            x if x == ONE.to_bits() => Matrix {
                val: "c_val",
                live: "c_live",
                form: Form::Csr,
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
                        (11, "w_distinct"),
                    ],
                    Launch::Groups(slots),
                )?;
                Matrix {
                    val: "wb_val",
                    live: "wb_live",
                    form: Form::Dense,
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
                (1, m.form.view()),
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
                (16, "w_distinct"),
                (17, "b_distinct"),
            ]
        };
        let ema_dense = Matrix {
            val: "ema_val",
            live: "ema_live",
            form: Form::Dense,
        };
        self.dispatch(
            pool,
            e,
            "bonds_branch",
            "liquid_decision",
            &[
                (0, "params"),
                (1, wb.form.view()),
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
                form: Form::Csr,
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
                form: wb.form,
            };
            let count = if wb.form == Form::Dense {
                slots * nu
            } else {
                nw
            };
            // hadamard writes o_live = m_live; point it at a scratch live buffer to keep W_b's.
            let delta_out = Matrix {
                val: "delta_val",
                live: "ema_live",
                form: wb.form,
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
                form: Form::Decided,
            };
            let binds = [
                (0, "params"),
                (1, wb.form.view()),
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
                (18, "b_distinct"),
                (19, "merged_w"),
            ];
            // Without liquid alpha enabled its kernels would do nothing: not launched.
            if p.flags & FLAG_LIQUID != 0 {
                self.dispatch(
                    pool,
                    e,
                    "liquid_alpha",
                    "liquid_merge",
                    &binds,
                    Launch::Items64(slots),
                )?;
                self.dispatch(
                    pool,
                    e,
                    "liquid_alpha",
                    "liquid_alpha",
                    &binds,
                    Launch::Groups(slots),
                )?;
                self.dispatch(
                    pool,
                    e,
                    "liquid_alpha",
                    "ema_liquid",
                    &binds,
                    Launch::Groups(slots),
                )?;
            }
            self.dispatch(
                pool,
                e,
                "ema",
                "ema_fixed",
                &ema_binds(wb, ema_dense),
                Launch::Groups(slots),
            )?;
            ema
        };
        job.wb = wb;
        job.ema = final_ema;
        Ok(())
    }

    /// Yuma 3: the EMA copied into `ema_norm`, which `encode_tail` normalizes by column.
    pub(super) fn encode_copy(&self, pool: &BufferPool, enc: &mut wgpu::CommandEncoder, job: &Job) {
        if job.yuma3 {
            let bytes = pool.buf("ema_val").size().min(pool.buf("ema_norm").size());
            enc.copy_buffer_to_buffer(pool.buf("ema_val"), 0, pool.buf("ema_norm"), 0, bytes);
        }
    }

    /// Yuma 3's dividends, then (both) the dividend normalization, emission and the packed
    /// final bonds.
    pub(super) fn encode_tail(
        &self,
        pool: &BufferPool,
        e: &mut wgpu::ComputePass<'_>,
        job: &Job,
    ) -> Result<(), GpuError> {
        let nu = u64::from(job.params.n);
        let final_ema = job.ema;
        if job.yuma3 {
            let norm = Matrix {
                val: "ema_norm",
                live: final_ema.live,
                form: final_ema.form,
            };
            self.columns(
                pool,
                e,
                "col_normalize",
                norm,
                ("w_col_ptr", "w_col_idx"),
                nu,
            )?;
            self.dividends(pool, e, "dividends_yuma3", norm, nu)?;
        }
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
            (1, final_ema.form.view()),
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
        Ok(())
    }
}
