//! One epoch's inputs written straight into its parts of the mapped upload by the thread that
//! packs it: the per-uid inputs copied as they lie in the snapshot, each matrix row packed
//! (`layout::pack_row`) into a scratch row that stays in cache and copied to its place, and the
//! per-row lists (row offsets, distinct flags, slots) gathered in scratch lists and copied once.
//! The bytes are those of `EpochLayout` (the plain packing, which the per-stage checks read);
//! the test below compares them byte for byte.

use bytemuck::{bytes_of, cast_slice};
use wgpu::WriteOnly;

use super::footprint::INPUTS;
use super::upload::{VIEW_CSR, VIEW_DENSE};
use super::*;
use crate::gpu::layout::{find_slots, pack_row, sorted_row};
use crate::gpu::params::FLAG_COMMIT_REVEAL;
use crate::snapshot::SparseRowU16;

/// A worker thread's scratch lists, reused from epoch to epoch.
#[derive(Default)]
pub(super) struct Packer {
    /// One row's packed entries, then its (column, position) order.
    row: Vec<u32>,
    order: Vec<u32>,
    /// Each matrix's row offsets and distinct flags (weights, bonds).
    row_ptr: [Vec<u32>; 2],
    distinct: [Vec<u32>; 2],
    slot_rows: Vec<u32>,
    row_slot: Vec<u32>,
    /// The per-uid inputs the kernels read in another form than the snapshot's.
    commits: Vec<u64>,
    old_permit: Vec<u32>,
}

/// Bytes written front to back into one part of the mapped upload.
struct Cursor<'a> {
    part: WriteOnly<'a, [u8]>,
    at: usize,
    name: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(part: WriteOnly<'a, [u8]>, name: &'static str) -> Cursor<'a> {
        Cursor { part, at: 0, name }
    }

    /// Writes `bytes` next; a part too small for them (it was cut for `Shape::of`'s bounds) is
    /// an internal error.
    fn put(&mut self, bytes: &[u8]) -> Result<(), GpuError> {
        let end = self.at + bytes.len();
        if end > self.part.len() {
            return Err(GpuError::Device(format!(
                "internal: input `{}` needs {end} bytes, its part holds {}",
                self.name,
                self.part.len()
            )));
        }
        self.part.slice(self.at..end).copy_from_slice(bytes);
        self.at = end;
        Ok(())
    }
}

/// The names of the parts `Job::write` fills, in the order it takes them (`INPUTS` order).
pub(super) const PARTS: [&str; 18] = [
    "params",
    "view_csr",
    "view_dense",
    "alpha_stake",
    "tao_stake",
    "last_update",
    "registered",
    "commit_block",
    "old_permit",
    "w_row_ptr",
    "w_entry",
    "w_sorted",
    "w_distinct",
    "b_row_ptr",
    "b_entry",
    "b_distinct",
    "slot_rows",
    "row_slot",
];

impl Job {
    /// Writes this epoch's inputs into `parts` (its part of each input buffer, in `PARTS`
    /// order), and takes the sizes packing gave (`nnz_w`, `n_slots`: at most the bounds the
    /// parts were cut for; the bond entries exactly).
    pub(super) fn write(
        &mut self,
        packer: &mut Packer,
        s: &Snapshot,
        m: &MechanismInput,
        parts: [WriteOnly<'_, [u8]>; 18],
    ) -> Result<(), GpuError> {
        let mut names = PARTS.into_iter();
        let [params, view_csr, view_dense, alpha, tao, last_update, registered, commits, old_permit, w_row_ptr, w_entry, w_sorted, w_distinct, b_row_ptr, b_entry, b_distinct, slot_rows, row_slot] =
            parts.map(|part| Cursor::new(part, names.next().unwrap_or("?")));
        let n = self.params.n as usize;
        let p = packer;
        put(alpha, cast_slice(&s.alpha_stake))?;
        put(tao, cast_slice(&s.tao_stake))?;
        put(last_update, cast_slice(&m.last_update))?;
        put(registered, cast_slice(&s.block_at_registration))?;
        // The weights' mask reads the commit blocks only under commit-reveal.
        if self.params.flags & FLAG_COMMIT_REVEAL != 0 {
            p.commits.clear();
            p.commits
                .extend(m.commit_block.iter().map(|c| c.unwrap_or(u64::MAX)));
            put(commits, cast_slice(&p.commits))?;
        }
        p.old_permit.clear();
        p.old_permit.extend(
            old_permits(&s.validator_permit, s.owner_in_range())
                .iter()
                .map(|&b| u32::from(b)),
        );
        put(old_permit, cast_slice(&p.old_permit))?;

        // Liquid alpha's merge reads the weight rows in column order; no other epoch does.
        let sorted = self.sig.liquid.then_some(w_sorted);
        let nnz_w = write_matrix(&m.weights, n, w_entry, sorted, p, 0)?;
        let nnz_b = write_matrix(&m.bonds, usize::MAX, b_entry, None, p, 1)?;
        put(w_row_ptr, cast_slice(&p.row_ptr[0]))?;
        put(w_distinct, cast_slice(&p.distinct[0]))?;
        put(b_row_ptr, cast_slice(&p.row_ptr[1]))?;
        put(b_distinct, cast_slice(&p.distinct[1]))?;
        find_slots(
            &p.row_ptr[0],
            &p.row_ptr[1],
            n,
            &mut p.slot_rows,
            &mut p.row_slot,
        );
        put(slot_rows, cast_slice(&p.slot_rows))?;
        put(row_slot, cast_slice(&p.row_slot))?;

        let q = &mut self.params;
        let packed = (nnz_w, nnz_b, p.slot_rows.len());
        let sized = (q.nnz_w as usize, q.nnz_b as usize, q.n_slots as usize);
        if packed.0 > sized.0 || packed.1 != sized.1 || packed.2 > sized.2 {
            return Err(GpuError::Device(format!(
                "internal: packing gave (weights, bonds, slots) = {packed:?}, sizing {sized:?}"
            )));
        }
        (q.nnz_w, q.n_slots) = (packed.0 as u32, packed.2 as u32);
        put(params, bytes_of(&self.params))?;
        put(view_csr, bytes_of(&VIEW_CSR))?;
        put(view_dense, bytes_of(&VIEW_DENSE))
    }
}

/// Writes `bytes` at the start of a part.
fn put(mut part: Cursor<'_>, bytes: &[u8]) -> Result<(), GpuError> {
    part.put(bytes)
}

/// Writes a matrix's rows, keeping the entries whose column is below `limit`, into `entry`,
/// and each row's (column, position) order into `sorted` when given; leaves its row offsets and
/// distinct flags in `p.row_ptr[k]` and `p.distinct[k]` (k = 0: weights, 1: bonds); returns the
/// entries written.
fn write_matrix(
    rows: &[SparseRowU16],
    limit: usize,
    mut entry: Cursor<'_>,
    mut sorted: Option<Cursor<'_>>,
    p: &mut Packer,
    k: usize,
) -> Result<usize, GpuError> {
    let (row_ptr, distinct) = (&mut p.row_ptr[k], &mut p.distinct[k]);
    row_ptr.clear();
    distinct.clear();
    row_ptr.push(0);
    let mut total = 0u32;
    for r in rows {
        p.row.clear();
        let order = pack_row(r, limit, &mut p.row);
        entry.put(cast_slice(&p.row))?;
        if let Some(sorted) = &mut sorted {
            p.order.clear();
            sorted_row(&p.row, total, order.unsorted, &mut p.order);
            sorted.put(cast_slice(&p.order))?;
        }
        total += p.row.len() as u32;
        row_ptr.push(total);
        distinct.push(u32::from(order.distinct));
    }
    Ok(total as usize)
}

/// One epoch's inputs packed as the GPU engine writes them before its upload, into parts of
/// plain memory reused from call to call: the host's share of each GPU epoch, on its own (for the
/// benches, and the test below).
#[derive(Default)]
pub struct InputPacker {
    packer: Packer,
    parts: Vec<Vec<u8>>,
    params: EpochParams,
}

impl InputPacker {
    /// Packs mechanism `m` of `s`, sized as a batch sizes it (`Shape::of`), into this packer's
    /// parts; returns the bytes those parts were cut for.
    pub fn pack(&mut self, s: &Snapshot, m: &MechanismInput) -> Result<u64, GpuError> {
        let shape = crate::gpu::layout::Shape::of_mechanism(s, m);
        let mut job = Job::new(s, 0, &shape, false);
        let sizes = super::batch::Sizes::of(&job.params);
        self.parts.resize_with(INPUTS.len(), Vec::new);
        let mut bytes = 0;
        for (part, &(_, class, cell, _)) in self.parts.iter_mut().zip(&INPUTS) {
            let len = cell * sizes.get(class);
            part.resize(len as usize, 0);
            bytes += len;
        }
        let views: Vec<WriteOnly<'_, [u8]>> = self
            .parts
            .iter_mut()
            .map(|p| WriteOnly::from(&mut p[..]))
            .collect();
        let views: [WriteOnly<'_, [u8]>; 18] = views
            .try_into()
            .map_err(|_| GpuError::Device("internal: one part per input".into()))?;
        job.write(&mut self.packer, s, m, views)?;
        self.params = job.params;
        Ok(bytes)
    }

    /// The parts of the last `pack`, in `INPUTS` order (each as cut; the bytes past what was
    /// written hold earlier calls').
    pub fn parts(&self) -> &[Vec<u8>] {
        &self.parts
    }

    /// The parameters of the last `pack`, with the sizes packing gave.
    pub fn params(&self) -> &EpochParams {
        &self.params
    }
}

#[cfg(test)]
mod tests {
    use super::super::awkward::awkward_batch;
    use super::*;
    use crate::gpu::layout::Shape;

    #[test]
    fn parts_are_taken_in_inputs_order() {
        assert_eq!(INPUTS.map(|input| input.0), PARTS);
    }

    /// Each part as the plain packing (`EpochLayout`) gives it, in `PARTS` order.
    fn expected<'a>(
        params: &'a EpochParams,
        lay: &'a EpochLayout,
        s: &'a Snapshot,
        m: &'a MechanismInput,
        commits: &'a [u64],
        old_permit: &'a [u32],
    ) -> [&'a [u8]; 18] {
        let (w, b) = (&lay.weights, &lay.bonds);
        [
            bytes_of(params),
            bytes_of(&VIEW_CSR),
            bytes_of(&VIEW_DENSE),
            cast_slice(&s.alpha_stake),
            cast_slice(&s.tao_stake),
            cast_slice(&m.last_update),
            cast_slice(&s.block_at_registration),
            cast_slice(commits),
            cast_slice(old_permit),
            cast_slice(&w.row_ptr),
            cast_slice(&w.entry),
            cast_slice(&w.sorted),
            cast_slice(&w.distinct),
            cast_slice(&b.row_ptr),
            cast_slice(&b.entry),
            cast_slice(&b.distinct),
            cast_slice(&lay.slot_rows),
            cast_slice(&lay.row_slot),
        ]
    }

    #[test]
    fn written_parts_equal_the_plain_layout() {
        // One packer for every epoch, as a worker thread reuses it; its parts are filled with
        // 0xAB first, to see what is written.
        let mut packer = InputPacker::default();
        for (k, s) in awkward_batch().iter().enumerate() {
            let m = &s.mechanisms[0];
            packer.pack(s, m).expect("size the parts");
            for part in &mut packer.parts {
                part.fill(0xAB);
            }
            packer.pack(s, m).expect("write");
            let (params, parts) = (packer.params(), packer.parts());
            let lay = EpochLayout::new(&m.weights, &m.bonds, s.len(), Signature::of(s).wanted());
            let got = (params.nnz_w, params.nnz_b, params.n_slots);
            let want = (lay.weights.nnz(), lay.bonds.nnz(), lay.slot_rows.len());
            let want = (want.0 as u32, want.1 as u32, want.2 as u32);
            assert_eq!(got, want, "epoch {k} (n = {}): exact sizes", s.n);
            // Written only where the kernels read them: under commit-reveal.
            let commits: Vec<u64> = if s.hyperparams.commit_reveal_enabled {
                m.commit_block
                    .iter()
                    .map(|c| c.unwrap_or(u64::MAX))
                    .collect()
            } else {
                Vec::new()
            };
            let old: Vec<u32> = old_permits(&s.validator_permit, s.owner_in_range())
                .iter()
                .map(|&p| u32::from(p))
                .collect();
            let want = expected(params, &lay, s, m, &commits, &old);
            for ((name, part), want) in PARTS.iter().zip(parts).zip(want) {
                assert!(
                    part.len() >= want.len(),
                    "epoch {k}: part `{name}` cut too small"
                );
                let (data, rest) = part.split_at(want.len());
                assert_eq!(data, want, "epoch {k} (n = {}): part `{name}`", s.n);
                assert!(
                    rest.iter().all(|&b| b == 0xAB),
                    "epoch {k}: part `{name}` written past its data"
                );
            }
        }
    }

    #[test]
    fn a_part_too_small_is_an_error() {
        let s = &awkward_batch()[2];
        let m = &s.mechanisms[0];
        let shape = Shape::of_mechanism(s, m);
        let mut job = Job::new(s, 0, &shape, false);
        let mut parts: Vec<Vec<u8>> = vec![vec![0; 1 << 20]; PARTS.len()];
        let entry = PARTS.iter().position(|&p| p == "w_entry").expect("w_entry");
        parts[entry].truncate(8);
        let views: Vec<WriteOnly<'_, [u8]>> = parts
            .iter_mut()
            .map(|p| WriteOnly::from(&mut p[..]))
            .collect();
        let views: [WriteOnly<'_, [u8]>; 18] = views.try_into().expect("18 parts");
        let err = job.write(&mut Packer::default(), s, m, views).unwrap_err();
        assert!(err.to_string().contains("`w_entry`"), "{err}");
    }
}
