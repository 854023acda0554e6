//! A batch's inputs into the shared buffers: each epoch sized on its own (in parallel, from its
//! rows' lengths), given its offsets, then packed straight into its parts of the mapped upload
//! (in parallel, by worker threads with reused scratch lists: pack.rs), and the launch tables
//! last, for the sizes packing gave: every input buffer is one region holding all epochs' parts.

use super::batch::{assign_offsets, launch_table, Class, Launch, Sizes, CLASSES};
use super::footprint::{table_bytes, Branches, INPUTS, TABLES, TABLE_ALL, WORKING};
use super::limits::software_limits;
use super::*;
use crate::gpu::layout::Shape;

pub(super) const VIEW_CSR: MatView = MatView {
    dense: 0,
    _pad: [0; 3],
};
pub(super) const VIEW_DENSE: MatView = MatView {
    dense: 1,
    _pad: [0; 3],
};

impl Job {
    /// Mechanism `m`'s epoch of `s`, sized from `shape` (`Shape::of` its matrices: bounds,
    /// until packing gives the exact sizes), with `rao` as its emission; its offsets are set by
    /// `upload_batch`.
    pub(super) fn new(s: &Snapshot, rao: u64, shape: &Shape, wide_median: bool) -> Job {
        Job {
            params: EpochParams::new(s, rao, shape.nnz_w, shape.nnz_b, shape.slots),
            sig: Signature::of(s),
            wide_median,
        }
    }
}

impl GpuEpoch {
    /// Sizes one mechanism's epoch from `shape` (`Shape::of` its matrices: bounds, until
    /// packing gives the exact sizes); its offsets are set later, by `upload_batch`, which also
    /// packs it.
    pub(super) fn size(
        ctx: &GpuContext,
        (s, m, rao): MechanismJob<'_>,
        shape: &Shape,
    ) -> Result<Job, GpuError> {
        let sig = Signature::of(s);
        // Only a subnet of more uids than the consensus kernel's workgroup memory holds can have
        // too many validators for it: only then are they counted (else n bounds them).
        let validators = if s.len() > SHARED_VALIDATORS {
            validator_bound(s, m, &old_permits(&s.validator_permit, s.owner_in_range()))
        } else {
            s.len()
        };
        if ctx.is_software() {
            software_limits(sig, validators, shape, m)?;
        }
        Ok(Job::new(s, rao, shape, validators > SHARED_VALIDATORS))
    }

    /// Gives the sized epochs their offsets (their parts are cut for the sizes `Shape::of`
    /// bounds), makes every buffer of the batch, packs each epoch and writes its inputs (with
    /// the sizes packing gave), then the launch tables for those sizes; returns the subsets to
    /// launch: the whole batch, then one per signature present (in signature order). Packing
    /// past its sizing (which `Shape::of`'s test rules out) fails the whole batch.
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
        let mut signatures: Vec<Signature> = jobs.iter().map(|j| j.sig).collect();
        signatures.sort();
        signatures.dedup();
        let tables: Vec<&'static str> = std::iter::once(TABLE_ALL)
            .chain(signatures.iter().map(|sig| TABLES[sig.index()]))
            .collect();

        // The branches some epoch takes: the optional buffers are made only for them.
        let branches = specs
            .iter()
            .fold(Branches::default(), |b, &(s, _, _)| b.or(Branches::of(s)));
        // Bytes per cell of each input (0 for an input no epoch of the batch reads).
        let cells: Vec<(Class, u64)> = INPUTS
            .iter()
            .map(|&(_, class, cell, need)| (class, if branches.needs(need) { cell } else { 0 }))
            .collect();

        // Inputs: one region per buffer, epochs in order within it; then the launch tables.
        let mut regions: Vec<(&'static str, u64)> = INPUTS
            .iter()
            .zip(&cells)
            .map(|(input, &(class, cell))| (input.0, cell * total.get(class)))
            .collect();
        let table_bytes = table_bytes(jobs.len() as u64);
        regions.extend(tables.iter().map(|&name| (name, table_bytes)));
        for &(name, bytes) in &regions {
            self.pool.get(&ctx, name, bytes)?;
        }
        let sizes: Vec<Sizes> = jobs.iter().map(|j| Sizes::of(&j.params)).collect();
        let threads = rayon::current_num_threads().max(1);
        self.scratch.resize_with(threads, Default::default);
        let scratch = &self.scratch;
        let mut launches = None;
        // The mapped bytes are cut into each epoch's parts; the epochs are then packed and
        // written in parallel, and the launch tables written for the sizes they were packed to.
        self.uploader.upload(&ctx, &regions, |mut rest| {
            let mut parts: Vec<Vec<MappedPart<'_>>> = (0..jobs.len())
                .map(|_| Vec::with_capacity(INPUTS.len()))
                .collect();
            for &(class, cell) in &cells {
                for (part, size) in parts.iter_mut().zip(&sizes) {
                    let (mine, tail) = rest.split_at((cell * size.get(class)) as usize);
                    part.push(MappedPart(mine));
                    rest = tail;
                }
            }
            parts
                .into_par_iter()
                .zip(jobs.par_iter_mut().zip(specs))
                .try_for_each(|(part, (job, &(s, m, _)))| {
                    let mine = rayon::current_thread_index().unwrap_or(0) % threads;
                    // A poisoned packer is still sound: each list is cleared before use.
                    let mut packer = scratch[mine]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let part: [wgpu::WriteOnly<'_, [u8]>; 18] = part
                        .into_iter()
                        .map(|MappedPart(p)| p)
                        .collect::<Vec<_>>()
                        .try_into()
                        .map_err(|_| GpuError::Device("internal: one part per input".into()))?;
                    job.write(&mut packer, s, m, part)
                })?;
            let groups: Vec<[u64; CLASSES]> =
                jobs.iter().map(|j| Launch::per_epoch(&j.params)).collect();
            let mut subsets = Vec::with_capacity(signatures.len());
            let mut all = None;
            for (k, &name) in tables.iter().enumerate() {
                let sig = signatures.get(k.wrapping_sub(1)).copied();
                let (table, totals) =
                    launch_table(&groups, |e| sig.is_none_or(|sig| jobs[e].sig == sig))
                        .map_err(GpuError::TooLarge)?;
                let (mut mine, tail) = rest.split_at(table_bytes as usize);
                mine.copy_from_slice(bytemuck::cast_slice(&table));
                rest = tail;
                let subset = Subset {
                    table: name,
                    groups: totals,
                    sig: sig.unwrap_or(jobs[0].sig),
                };
                match sig {
                    None => all = Some(subset),
                    Some(_) => subsets.push(subset),
                }
            }
            launches = all.map(|all| (all, subsets));
            Ok(())
        })?;

        // Working buffers, the optional ones only for the branches some epoch takes.
        for &(name, class, cell, need) in &WORKING {
            if branches.needs(need) {
                self.pool.get(&ctx, name, cell * total.get(class))?;
            }
        }
        launches.ok_or_else(|| GpuError::Device("internal: no launch table was written".into()))
    }
}

/// One epoch's part of one mapped input region, handed to the thread that writes it.
struct MappedPart<'a>(wgpu::WriteOnly<'a, [u8]>);

// SAFETY: a `WriteOnly<[u8]>` is an exclusive, write-only borrow of bytes, like `&mut [u8]`,
// which is `Send`; wgpu-types implements `Send` only for sized `T` (`impl<T: Send> Send`), which
// leaves byte slices out. The parts are disjoint (cut by `split_at`) and each moves to one
// thread.
unsafe impl Send for MappedPart<'_> {}

/// Validators the consensus stage can see at most: uids with an old permit (`old`), active, and
/// some stake (those with active stake > 0 are among them).
fn validator_bound(s: &Snapshot, m: &MechanismInput, old: &[bool]) -> usize {
    let h = &s.hyperparams;
    let inactive = crate::epoch::stake::inactive(&m.last_update, h.activity_cutoff, s.block);
    (0..s.len())
        .filter(|&i| old[i] && !inactive[i] && (s.alpha_stake[i] > 0 || s.tao_stake[i] > 0))
        .count()
}
