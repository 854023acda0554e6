//! Launching kernels, and the stages from stake to incentive.

use super::*;

/// The binding of the launch table in every stage (`launch` in shaders/epoch_params.wgsl).
const LAUNCH_BINDING: u32 = 31;

impl GpuEpoch {
    /// Records one launch of a kernel into `pass` for every epoch of `sub` (binding 31 is
    /// `sub`'s launch table). The bind group comes from the pool's cache (made once per set of
    /// buffers); every launch is counted in the batch statistics.
    pub(super) fn dispatch(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        stage: &'static str,
        entry: &'static str,
        binds: &[(u32, &'static str)],
        launch: Launch,
    ) -> Result<(), GpuError> {
        let pool = &self.pool;
        let module = &self.kernels.stages[stage];
        let pipeline = module.pipelines.get(entry).ok_or_else(|| {
            GpuError::Shader(format!("{stage}.wgsl has no entry point `{entry}`"))
        })?;
        let groups = match launch {
            Launch::Batch => 1,
            other => sub.groups[other as usize],
        };
        let (x, y) = grid(&self.ctx, groups)?;
        if x == 0 {
            return Ok(());
        }
        let binds: Vec<(u32, &'static str)> = binds
            .iter()
            .copied()
            .chain([(LAUNCH_BINDING, sub.table)])
            .collect();
        let binds = binds.as_slice();
        // The key names the module and, per binding, the buffer's name (static strings: their
        // addresses identify them).
        let mut key = Vec::with_capacity(2 + 2 * binds.len());
        key.push(stage.as_ptr() as usize);
        key.push(stage.len());
        for &(b, name) in binds {
            key.push(b as usize);
            key.push(name.as_ptr() as usize);
            key.push(name.len());
        }
        let (group, made) = pool.bind_group(key, || {
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
            Ok(self
                .ctx
                .device
                .create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(stage),
                    layout: &module.layout,
                    entries: &entries,
                }))
        })?;
        self.counters.count(made);
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        Ok(())
    }

    /// Column normalize (or max-upscale) of matrix `m` whose column lists are `cols`.
    pub(super) fn columns(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        entry: &'static str,
        m: Matrix,
        cols: (&'static str, &'static str),
    ) -> Result<(), GpuError> {
        self.dispatch(
            pass,
            sub,
            "columns",
            entry,
            &[
                (0, "params"),
                (1, m.form.view()),
                (2, m.val),
                (3, m.live),
                (4, cols.0),
                (5, cols.1),
            ],
            Launch::ItemsN,
        )
    }

    /// Turns per-row (or per-column) counts in `pointers` (cells 1..=n of each epoch's part)
    /// into offsets, for every epoch of `sub` (shaders/offsets.wgsl).
    pub(super) fn offsets(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        pointers: &'static str,
    ) -> Result<(), GpuError> {
        let binds = [(0, "params"), (1, pointers)];
        self.dispatch(pass, sub, "offsets", "offsets", &binds, Launch::One)
    }

    pub(super) fn dividends(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        entry: &'static str,
        m: Matrix,
    ) -> Result<(), GpuError> {
        self.dispatch(
            pass,
            sub,
            "dividends",
            entry,
            &[
                (0, "params"),
                (1, m.form.view()),
                (2, m.val),
                (3, m.live),
                (4, "w_row_ptr"),
                (5, "w_entry"),
                (6, "row_slot"),
                (7, "incentive"),
                (8, "active_stake"),
                (9, "dividends"),
            ],
            Launch::ItemsN,
        )
    }

    /// Stake through incentive, for every epoch of `sub`; `wide`: some epoch may have more
    /// validators than the consensus kernel's workgroup memory holds.
    pub(super) fn encode_front(
        &self,
        e: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        wide: bool,
    ) -> Result<(), GpuError> {
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
        self.dispatch(e, sub, "stake", "stake_total", &stake_binds, Launch::ItemsN)?;
        self.dispatch(e, sub, "stake", "stake_sum", &stake_binds, Launch::One)?;
        self.dispatch(
            e,
            sub,
            "stake",
            "stake_normalize",
            &stake_binds,
            Launch::ItemsN,
        )?;
        let permit_binds = [
            (0, "params"),
            (1, "stake"),
            (2, "inactive"),
            (3, "old_permit"),
            (4, "new_permit"),
            (5, "active_stake"),
        ];
        self.dispatch(e, sub, "permits", "new_permits", &permit_binds, Launch::One)?;
        self.dispatch(
            e,
            sub,
            "permits",
            "active_stake_normalize",
            &permit_binds,
            Launch::One,
        )?;

        // == Weights ==
        let weight_binds = [
            (0, "params"),
            (1, "w_entry"),
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
            sub,
            "weights",
            "mask_weights",
            &weight_binds,
            Launch::ItemsW,
        )?;
        self.dispatch(
            e,
            sub,
            "weights",
            "row_normalize",
            &weight_binds,
            Launch::GroupsN,
        )?;

        // == Consensus, trust, incentive ==
        self.column_lists(e, sub, Listed::Weights)?;
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
            sub,
            "consensus",
            "median_stakes",
            &consensus_binds,
            Launch::One,
        )?;
        self.dispatch(
            e,
            sub,
            "consensus",
            "weighted_median",
            &consensus_binds,
            Launch::GroupsN,
        )?;
        if wide {
            self.dispatch(
                e,
                sub,
                "consensus",
                "weighted_median_wide",
                &consensus_binds,
                Launch::ItemsN,
            )?;
        }
        let incentive_binds = [
            (0, "params"),
            (1, "w_val"),
            (2, "w_live"),
            (3, "w_entry"),
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
            e,
            sub,
            "incentive",
            "clip",
            &incentive_binds,
            Launch::ItemsW,
        )?;
        self.dispatch(
            e,
            sub,
            "incentive",
            "validator_trust",
            &incentive_binds,
            Launch::GroupsN,
        )?;
        self.dispatch(
            e,
            sub,
            "incentive",
            "ranks",
            &incentive_binds,
            Launch::ItemsN,
        )?;
        self.dispatch(
            e,
            sub,
            "normalize",
            "normalize",
            &[(0, "params"), (1, "incentive")],
            Launch::One,
        )?;

        Ok(())
    }
}
