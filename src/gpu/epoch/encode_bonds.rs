//! The stages from weights-for-bonds to the packed final bonds, for Yuma 2 and Yuma 3.

use super::*;

impl GpuEpoch {
    /// Bonds up to the EMA (and Yuma 2's dividends) for the epochs of one signature's subset.
    /// Yuma 3 goes on in `encode_copy` (outside the pass) and `encode_yuma3_dividends`.
    pub(super) fn encode_back(
        &self,
        e: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
    ) -> Result<(), GpuError> {
        let sig = sub.sig;
        // == Bonds ==
        let w_cols = ("w_col_ptr", "w_col_idx");
        let wb = sig.wb();
        if sig.wb == WbKind::Interpolated {
            self.dispatch(
                e,
                sub,
                "weights_for_bonds",
                "interpolate",
                &[
                    (0, "params"),
                    (1, "w_val"),
                    (2, "w_live"),
                    (3, "c_val"),
                    (4, "c_live"),
                    (5, "w_entry"),
                    (6, "w_row_ptr"),
                    (7, "slot_rows"),
                    (8, "wb_val"),
                    (9, "wb_live"),
                    (10, "scratch"),
                    (11, "w_distinct"),
                ],
                Launch::GroupsS,
            )?;
        }
        self.dispatch(
            e,
            sub,
            "bonds_read",
            "read_bonds",
            &[
                (0, "params"),
                (1, "b_entry"),
                (3, "registered"),
                (4, "b_val"),
                (5, "b_live"),
            ],
            Launch::ItemsB,
        )?;

        let ema_binds = |m: Matrix, out: Matrix| {
            [
                (0, "params"),
                (1, m.form.view()),
                (2, m.val),
                (3, m.live),
                (4, "w_row"),
                (5, "w_row_ptr"),
                (6, "w_entry"),
                (7, "slot_rows"),
                (8, "active_stake"),
                (9, "b_entry"),
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
            e,
            sub,
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
        if !sig.yuma3 {
            let bonds = Matrix {
                val: "b_val",
                live: "b_live",
                form: Form::Csr,
            };
            self.column_lists(e, sub, Listed::Bonds)?;
            self.columns(e, sub, "col_normalize", bonds, ("b_col_ptr", "b_col_idx"))?;
            let delta = Matrix {
                val: "delta_val",
                live: wb.live,
                form: wb.form,
            };
            // hadamard writes o_live = m_live; point it at a scratch live buffer to keep W_b's.
            let delta_out = Matrix {
                val: "delta_val",
                live: "ema_live",
                form: wb.form,
            };
            self.dispatch(
                e,
                sub,
                "ema",
                "hadamard",
                &ema_binds(wb, delta_out),
                Launch::ItemsX,
            )?;
            self.columns(e, sub, "col_normalize", delta, w_cols)?;
            self.dispatch(
                e,
                sub,
                "ema",
                "ema_fixed",
                &ema_binds(delta, ema_dense),
                Launch::GroupsS,
            )?;
            self.columns(e, sub, "col_normalize", ema_dense, w_cols)?;
            self.dividends(e, sub, "dividends_yuma2", ema_dense)?;
            self.columns(e, sub, "col_max_upscale", ema_dense, w_cols)?;
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
                (5, "w_entry"),
                (6, "w_sorted"),
                (7, "slot_rows"),
                (8, "consensus"),
                (9, "b_entry"),
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
            if sig.liquid {
                self.dispatch(
                    e,
                    sub,
                    "liquid_alpha",
                    "liquid_merge",
                    &binds,
                    Launch::Items64S,
                )?;
                self.dispatch(
                    e,
                    sub,
                    "liquid_alpha",
                    "liquid_alpha",
                    &binds,
                    Launch::GroupsS,
                )?;
                self.dispatch(
                    e,
                    sub,
                    "liquid_alpha",
                    "ema_liquid",
                    &binds,
                    Launch::GroupsS,
                )?;
            }
            self.dispatch(
                e,
                sub,
                "ema",
                "ema_fixed",
                &ema_binds(wb, ema_dense),
                Launch::GroupsS,
            )?;
        }
        Ok(())
    }

    /// Yuma 3: the EMA copied into `ema_norm` (the whole batch's; only Yuma 3 epochs read
    /// it), which `encode_yuma3_dividends` normalizes by column.
    pub(super) fn encode_copy(&self, enc: &mut wgpu::CommandEncoder) {
        let (from, to) = (self.pool.buf("ema_val"), self.pool.buf("ema_norm"));
        enc.copy_buffer_to_buffer(from, 0, to, 0, from.size().min(to.size()));
    }

    /// Yuma 3's dividends for the epochs of one Yuma 3 signature's subset.
    pub(super) fn encode_yuma3_dividends(
        &self,
        e: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
    ) -> Result<(), GpuError> {
        let ema = sub.sig.ema();
        let norm = Matrix {
            val: "ema_norm",
            live: ema.live,
            form: ema.form,
        };
        self.columns(e, sub, "col_normalize", norm, ("w_col_ptr", "w_col_idx"))?;
        self.dividends(e, sub, "dividends_yuma3", norm)
    }

    /// For the whole batch: the dividend normalization, emission and the packed final bonds
    /// (`view_ema` says each epoch's EMA form: the liquid-alpha decision set it dense for Yuma 2).
    pub(super) fn encode_tail(
        &self,
        e: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
    ) -> Result<(), GpuError> {
        let final_ema = Matrix {
            val: "ema_val",
            live: "ema_live",
            form: Form::Decided,
        };
        self.dispatch(
            e,
            sub,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "dividends")],
            Launch::One,
        )?;

        // == Emission ==
        self.dispatch(
            e,
            sub,
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
                (11, "terms"),
                (12, "stake_u16"),
                (13, "new_permit"),
                (14, "inactive"),
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
            (5, "w_entry"),
            (6, "row_slot"),
            (7, "row_offset"),
            (8, "out_entry"),
            (9, "out_val"),
            (11, "bond_base"),
        ];
        self.dispatch(
            e,
            sub,
            "compact",
            "count_rows",
            &compact_binds,
            Launch::GroupsN,
        )?;
        self.offsets(e, sub, "row_offset")?;
        self.dispatch(
            e,
            sub,
            "compact",
            "scan_epochs",
            &compact_binds,
            Launch::Batch,
        )?;
        self.dispatch(
            e,
            sub,
            "compact",
            "compact_rows",
            &compact_binds,
            Launch::GroupsN,
        )?;
        Ok(())
    }
}
