//! One mechanism's inputs into its buffer pool.

use super::*;

impl GpuEpoch {
    /// Uploads one mechanism's inputs into `pool`.
    /// `lay` is a recycled layout whose allocations are reused.
    pub(super) fn upload(
        ctx: &GpuContext,
        pool: &mut BufferPool,
        mut lay: EpochLayout,
        (s, m, rao): MechanismJob<'_>,
    ) -> Result<Job, GpuError> {
        let n = s.len();
        pool.clear_staged();
        lay.repack(&m.weights, &m.bonds, n);
        let validators = validator_bound(s, m);
        if ctx.is_software() {
            software_limits(s, validators, &lay)?;
        }
        let slots = lay.slot_rows.len();
        let p = EpochParams::new(s, rao, lay.weights.nnz(), lay.bonds.nnz(), slots);
        pool.stage(ctx, "params", &[p])?;
        pool.stage(
            ctx,
            "view_csr",
            &[MatView {
                dense: 0,
                _pad: [0; 3],
            }],
        )?;
        pool.stage(
            ctx,
            "view_dense",
            &[MatView {
                dense: 1,
                _pad: [0; 3],
            }],
        )?;
        pool.stage(ctx, "alpha_stake", &s.alpha_stake)?;
        pool.stage(ctx, "tao_stake", &s.tao_stake)?;
        pool.stage(ctx, "last_update", &m.last_update)?;
        pool.stage(ctx, "registered", &s.block_at_registration)?;
        let commits: Vec<u64> = m
            .commit_block
            .iter()
            .map(|c| c.unwrap_or(u64::MAX))
            .collect();
        pool.stage(ctx, "commit_block", &commits)?;
        let old: Vec<u32> = old_permits(&s.validator_permit, s.owner_in_range())
            .iter()
            .map(|&b| u32::from(b))
            .collect();
        pool.stage(ctx, "old_permit", &old)?;
        let (w, b) = (&lay.weights, &lay.bonds);
        for (name, data) in [
            ("w_row_ptr", &w.row_ptr),
            ("w_col", &w.col),
            ("w_raw", &w.raw),
            ("w_row", &w.row),
            ("w_col_ptr", &w.col_ptr),
            ("w_col_idx", &w.col_idx),
            ("w_sorted", &w.sorted),
            ("w_distinct", &w.distinct),
            ("b_row_ptr", &b.row_ptr),
            ("b_col", &b.col),
            ("b_raw", &b.raw),
            ("b_col_ptr", &b.col_ptr),
            ("b_col_idx", &b.col_idx),
            ("b_distinct", &b.distinct),
            ("slot_rows", &lay.slot_rows),
            ("row_slot", &lay.row_slot),
        ] {
            pool.stage(ctx, name, data)?;
        }
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
            ("merged_w", when(liquid, 8 * dense)),
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
            wide_median: validators > SHARED_VALIDATORS,
            wb: Matrix {
                val: "w_val",
                live: "w_live",
                form: Form::Csr,
            },
            ema: Matrix {
                val: "ema_val",
                live: "ema_live",
                form: Form::Dense,
            },
        })
    }
}

/// Validators the consensus stage can see at most: uids with an old permit, active, and some
/// stake (those with active stake > 0 are among them).
fn validator_bound(s: &Snapshot, m: &MechanismInput) -> usize {
    let h = &s.hyperparams;
    let old = old_permits(&s.validator_permit, s.owner_in_range());
    let inactive = crate::epoch::stake::inactive(&m.last_update, h.activity_cutoff, s.block);
    (0..s.len())
        .filter(|&i| old[i] && !inactive[i] && (s.alpha_stake[i] > 0 || s.tao_stake[i] > 0))
        .count()
}

/// Mesa's software adapter (llvmpipe) ends any shader invocation after 65,535 loop iterations in
/// total, silently. Two kernels can loop that long in one invocation: the weighted median with
/// more validators than fit in workgroup memory (one invocation walks a whole column per round),
/// and the liquid-alpha merge of a very long row. Such epochs are refused there, never computed
/// wrong; a hardware GPU has no such limit.
fn software_limits(s: &Snapshot, validators: usize, lay: &EpochLayout) -> Result<(), GpuError> {
    const MAX_VALIDATORS: usize = SHARED_VALIDATORS;
    const MAX_ROW: u32 = 30_000;
    let h = &s.hyperparams;
    if validators > MAX_VALIDATORS {
        return Err(GpuError::TooLarge(format!(
            "{validators} active validators: past {MAX_VALIDATORS} the consensus kernel loops longer per \
             invocation than the software adapter (llvmpipe) allows (65,535 iterations); use a hardware GPU or \
             --backend cpu"
        )));
    }
    let longest = |rp: &[u32]| rp.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let row = longest(&lay.weights.row_ptr).max(longest(&lay.bonds.row_ptr));
    if h.yuma3_enabled && h.liquid_alpha_enabled && row > MAX_ROW {
        return Err(GpuError::TooLarge(format!(
            "a row of {row} weight or bond entries: past {MAX_ROW} the liquid-alpha merge loops longer per \
             invocation than the software adapter (llvmpipe) allows (65,535 iterations); use a hardware GPU or \
             --backend cpu"
        )));
    }
    Ok(())
}
