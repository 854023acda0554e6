//! A batch's inputs into the shared buffers: each epoch packed on its own (in parallel), given
//! its offsets, then every input buffer written as one region holding all epochs' parts.

use super::batch::{assign_offsets, launch_table, Class, Launch, Sizes, CLASSES};
use super::*;

/// The input buffers, their size class and bytes per cell, in the order of `Job::inputs`.
const INPUTS: [(&str, Class, u64); 22] = [
    (
        "params",
        Class::Epoch,
        std::mem::size_of::<EpochParams>() as u64,
    ),
    ("view_csr", Class::Epoch, 16),
    ("view_dense", Class::Epoch, 16),
    ("alpha_stake", Class::N, 8),
    ("tao_stake", Class::N, 8),
    ("last_update", Class::N, 8),
    ("registered", Class::N, 8),
    ("commit_block", Class::N, 8),
    ("old_permit", Class::N, 4),
    ("w_row_ptr", Class::N1, 4),
    ("w_entry", Class::E, 4),
    ("w_col_ptr", Class::N1, 4),
    ("w_col_idx", Class::E, 4),
    ("w_sorted", Class::E, 4),
    ("w_distinct", Class::N, 4),
    ("b_row_ptr", Class::N1, 4),
    ("b_entry", Class::E, 4),
    ("b_col_ptr", Class::N1, 4),
    ("b_col_idx", Class::E, 4),
    ("b_distinct", Class::N, 4),
    ("slot_rows", Class::S, 4),
    ("row_slot", Class::N, 4),
];

/// Launch tables: the whole batch's, and one per signature present.
pub(super) const TABLE_ALL: &str = "launch_all";
const TABLES: [&str; 9] = [
    "launch_0", "launch_1", "launch_2", "launch_3", "launch_4", "launch_5", "launch_6", "launch_7",
    "launch_8",
];

const VIEW_CSR: MatView = MatView {
    dense: 0,
    _pad: [0; 3],
};
const VIEW_DENSE: MatView = MatView {
    dense: 1,
    _pad: [0; 3],
};

impl Job {
    /// This epoch's part of each input buffer, in `INPUTS` order.
    fn inputs<'a>(&'a self, s: &'a Snapshot, m: &'a MechanismInput) -> [&'a [u8]; 22] {
        use bytemuck::{bytes_of, cast_slice};
        let (w, b) = (&self.lay.weights, &self.lay.bonds);
        [
            bytes_of(&self.params),
            bytes_of(&VIEW_CSR),
            bytes_of(&VIEW_DENSE),
            cast_slice(&s.alpha_stake),
            cast_slice(&s.tao_stake),
            cast_slice(&m.last_update),
            cast_slice(&s.block_at_registration),
            cast_slice(&self.commits),
            cast_slice(&self.old_permit),
            cast_slice(&w.row_ptr),
            cast_slice(&w.entry),
            cast_slice(&w.col_ptr),
            cast_slice(&w.col_idx),
            // Empty unless liquid alpha (only its merge reads the column order).
            cast_slice(&w.sorted),
            cast_slice(&w.distinct),
            cast_slice(&b.row_ptr),
            cast_slice(&b.entry),
            cast_slice(&b.col_ptr),
            cast_slice(&b.col_idx),
            cast_slice(&b.distinct),
            cast_slice(&self.lay.slot_rows),
            cast_slice(&self.lay.row_slot),
        ]
    }
}

impl GpuEpoch {
    /// Packs one mechanism's epoch (its offsets are set later, by `upload_batch`). `lay` is a
    /// recycled layout whose allocations are reused.
    pub(super) fn pack(
        ctx: &GpuContext,
        mut lay: EpochLayout,
        (s, m, rao): MechanismJob<'_>,
    ) -> Result<Job, GpuError> {
        let n = s.len();
        let h = &s.hyperparams;
        let liquid = h.yuma3_enabled && h.liquid_alpha_enabled;
        lay.repack(&m.weights, &m.bonds, n, liquid);
        let old = old_permits(&s.validator_permit, s.owner_in_range());
        let validators = validator_bound(s, m, &old);
        if ctx.is_software() {
            software_limits(s, validators, &lay)?;
        }
        let params = EpochParams::new(
            s,
            rao,
            lay.weights.nnz(),
            lay.bonds.nnz(),
            lay.slot_rows.len(),
        );
        Ok(Job {
            lay,
            params,
            sig: Signature {
                yuma3: h.yuma3_enabled,
                wb: WbKind::of(h.bonds_penalty),
                liquid,
            },
            wide_median: validators > SHARED_VALIDATORS,
            commits: m
                .commit_block
                .iter()
                .map(|c| c.unwrap_or(u64::MAX))
                .collect(),
            old_permit: old.iter().map(|&b| u32::from(b)).collect(),
        })
    }

    /// Gives the packed epochs their offsets, makes every buffer of the batch and queues its
    /// inputs and launch tables; returns the subsets to launch: the whole batch, then one per
    /// signature present (in signature order).
    pub(super) fn upload_batch(
        &mut self,
        jobs: &mut [&mut Job],
        specs: &[MechanismJob<'_>],
    ) -> Result<(Subset, Vec<Subset>), GpuError> {
        let ctx = Arc::clone(&self.ctx);
        let total = {
            let mut params: Vec<&mut EpochParams> =
                jobs.iter_mut().map(|j| &mut j.params).collect();
            assign_offsets(&mut params).map_err(GpuError::TooLarge)?
        };
        let epochs = jobs.len() as u64;
        let groups: Vec<[u64; CLASSES]> =
            jobs.iter().map(|j| Launch::per_epoch(&j.params)).collect();
        let (all_table, all_groups) =
            launch_table(&groups, |_| true).map_err(GpuError::TooLarge)?;
        let mut signatures: Vec<Signature> = jobs.iter().map(|j| j.sig).collect();
        signatures.sort();
        signatures.dedup();
        let mut subsets = Vec::new();
        let mut tables = vec![(TABLE_ALL, all_table)];
        for sig in signatures {
            let name = TABLES[sig.index()];
            let (table, totals) =
                launch_table(&groups, |k| jobs[k].sig == sig).map_err(GpuError::TooLarge)?;
            tables.push((name, table));
            subsets.push(Subset {
                table: name,
                groups: totals,
                sig,
            });
        }
        let all = Subset {
            table: TABLE_ALL,
            groups: all_groups,
            sig: jobs[0].sig,
        };

        // Inputs: one region per buffer, epochs in order within it; then the launch tables.
        let mut regions: Vec<(&'static str, u64)> = INPUTS
            .iter()
            .map(|&(name, class, cell)| (name, cell * class_total(&total, class, epochs)))
            .collect();
        regions.extend(tables.iter().map(|(name, t)| (*name, 4 * t.len() as u64)));
        for &(name, bytes) in &regions {
            self.pool.get(&ctx, name, bytes)?;
        }
        let sizes: Vec<Sizes> = jobs.iter().map(|j| Sizes::of(&j.params)).collect();
        let jobs: &[&mut Job] = jobs;
        // The mapped bytes are cut into each epoch's parts, which the epochs then write in
        // parallel.
        self.uploader
            .upload(&ctx, &self.pool, &regions, |mut rest| {
                let mut parts: Vec<Vec<MappedPart<'_>>> = (0..jobs.len())
                    .map(|_| Vec::with_capacity(INPUTS.len()))
                    .collect();
                for &(_, class, cell) in &INPUTS {
                    for (part, size) in parts.iter_mut().zip(&sizes) {
                        let (mine, tail) = rest.split_at((cell * size.get(class)) as usize);
                        part.push(MappedPart(mine));
                        rest = tail;
                    }
                }
                for (_, table) in &tables {
                    let (mut mine, tail) = rest.split_at(4 * table.len());
                    mine.copy_from_slice(bytemuck::cast_slice(table));
                    rest = tail;
                }
                parts
                    .into_par_iter()
                    .zip(jobs.par_iter().zip(specs))
                    .for_each(|(part, (job, &(s, m, _)))| {
                        for (MappedPart(mut region), data) in part.into_iter().zip(job.inputs(s, m))
                        {
                            region.slice(..data.len()).copy_from_slice(data);
                        }
                    });
            })?;

        // Working buffers, dense scratch only for the branches some epoch takes.
        let any = |f: fn(&Signature) -> bool| jobs.iter().any(|j| f(&j.sig));
        let interpolated = any(|s| s.wb == WbKind::Interpolated);
        let liquid = any(|s| s.liquid);
        let yuma2 = any(|s| !s.yuma3);
        let yuma3 = any(|s| s.yuma3);
        let (n8, n4, x8, x4) = (8 * total.n, 4 * total.n, 8 * total.x, 4 * total.x);
        let when = |on: bool, bytes: u64| if on { bytes } else { 0 };
        for (name, bytes) in [
            ("scal", 64 * epochs),
            ("view_ema", 16 * epochs),
            ("filtered", 16 * total.n),
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
            ("row_offset", 4 * total.n1),
            ("w_row", 4 * total.e),
            ("bond_base", 4 * (epochs + 1)),
            ("w_val", x8),
            ("w_live", x4),
            ("c_val", x8),
            ("c_live", x4),
            ("b_val", x8),
            ("b_live", x4),
            ("wb_val", when(interpolated, x8)),
            ("wb_live", when(interpolated, x4)),
            ("scratch", when(interpolated || liquid, x8)),
            ("alpha_dense", when(liquid, x8)),
            ("merged_w", when(liquid, x8)),
            ("delta_val", when(yuma2, x8)),
            ("ema_val", x8),
            ("ema_live", x4),
            ("ema_norm", when(yuma3, x8)),
            ("out_entry", x4),
            ("out_val", x8),
        ] {
            self.pool.get(&ctx, name, bytes)?;
        }
        Ok((all, subsets))
    }
}

/// One epoch's part of one mapped input region, handed to the thread that writes it.
struct MappedPart<'a>(wgpu::WriteOnly<'a, [u8]>);

// SAFETY: a `WriteOnly<[u8]>` is an exclusive, write-only borrow of bytes, like `&mut [u8]`,
// which is `Send`; wgpu-types implements `Send` only for sized `T` (`impl<T: Send> Send`), which
// leaves byte slices out. The parts are disjoint (cut by `split_at`) and each moves to one
// thread.
unsafe impl Send for MappedPart<'_> {}

/// Cells of class `c` over the batch.
fn class_total(total: &Sizes, c: Class, epochs: u64) -> u64 {
    match c {
        Class::Epoch => epochs,
        _ => total.get(c),
    }
}

/// Validators the consensus stage can see at most: uids with an old permit (`old`), active, and
/// some stake (those with active stake > 0 are among them).
fn validator_bound(s: &Snapshot, m: &MechanismInput, old: &[bool]) -> usize {
    let h = &s.hyperparams;
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
