//! The batch's buffers in one place: every input and working buffer with its size class, its
//! bytes per cell and which epochs need it. `upload_batch` makes the buffers from these tables,
//! and `Footprint` sizes a batch from the same tables before it is packed (to split batches
//! that would pass GPU memory or the adapter's limits).

use super::batch::{Class, Sizes, CLASSES};
use super::{Signature, WbKind, RESULTS};
use crate::gpu::layout::Shape;
use crate::gpu::params::EpochParams;
use crate::snapshot::Snapshot;

/// The input buffers, their size class, bytes per cell and which epochs need it, in the order
/// in which `Job::write` fills them (`pack::PARTS`).
pub(super) const INPUTS: [(&str, Class, u64, Need); 18] = [
    (
        "params",
        Class::Epoch,
        std::mem::size_of::<EpochParams>() as u64,
        Need::Always,
    ),
    ("view_csr", Class::Epoch, 16, Need::Always),
    ("view_dense", Class::Epoch, 16, Need::Always),
    ("alpha_stake", Class::N, 8, Need::Always),
    ("tao_stake", Class::N, 8, Need::Always),
    ("last_update", Class::N, 8, Need::Always),
    ("registered", Class::N, 8, Need::Always),
    ("commit_block", Class::N, 8, Need::CommitReveal),
    ("old_permit", Class::N, 4, Need::Always),
    ("w_row_ptr", Class::N1, 4, Need::Always),
    ("w_entry", Class::E, 4, Need::Always),
    ("w_sorted", Class::E, 4, Need::Liquid),
    ("w_distinct", Class::N, 4, Need::Always),
    ("b_row_ptr", Class::N1, 4, Need::Always),
    ("b_entry", Class::E, 4, Need::Always),
    ("b_distinct", Class::N, 4, Need::Always),
    ("slot_rows", Class::S, 4, Need::Always),
    ("row_slot", Class::N, 4, Need::Always),
];

/// Launch tables: the whole batch's, and one per signature present.
pub(super) const TABLE_ALL: &str = "launch_all";
pub(super) const TABLES: [&str; 9] = [
    "launch_0", "launch_1", "launch_2", "launch_3", "launch_4", "launch_5", "launch_6", "launch_7",
    "launch_8",
];

/// Which epochs need a working buffer; a batch makes it when one of its epochs does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    Always,
    Yuma2,
    Yuma3,
    Interpolated,
    Liquid,
    InterpolatedOrLiquid,
    /// Read only under commit-reveal (the weights' mask): the commit blocks.
    CommitReveal,
}

/// The working buffers: name, size class, bytes per cell, and which epochs need it.
pub(super) const WORKING: [(&str, Class, u64, Need); 45] = [
    ("scal", Class::Epoch, 64, Need::Always),
    ("view_ema", Class::Epoch, 16, Need::Always),
    // epochs + 1 cells of 4 bytes; 8 bytes per epoch holds them.
    ("bond_base", Class::Epoch, 8, Need::Always),
    ("filtered", Class::N, 16, Need::Always),
    ("stake", Class::N, 8, Need::Always),
    ("stake_weight", Class::N, 8, Need::Always),
    ("inactive", Class::N, 4, Need::Always),
    ("stake_u16", Class::N, 4, Need::Always),
    ("new_permit", Class::N, 4, Need::Always),
    ("active_stake", Class::N, 8, Need::Always),
    ("median_stake", Class::N, 8, Need::Always),
    ("validator_pos", Class::N, 4, Need::Always),
    ("consensus", Class::N, 8, Need::Always),
    ("trust", Class::N, 8, Need::Always),
    ("incentive", Class::N, 8, Need::Always),
    ("dividends", Class::N, 8, Need::Always),
    ("server_share", Class::N, 8, Need::Always),
    ("validator_share", Class::N, 8, Need::Always),
    ("combined_share", Class::N, 8, Need::Always),
    ("rao", Class::N, 24, Need::Always),
    ("terms", Class::N, 12, Need::Always),
    ("row_offset", Class::N1, 4, Need::Always),
    ("w_row", Class::E, 4, Need::Always),
    // The column lists (shaders/column_lists.wgsl) and their per-slot counters.
    ("w_col_ptr", Class::N1, 4, Need::Always),
    ("w_col_idx", Class::E, 4, Need::Always),
    ("b_col_ptr", Class::N1, 4, Need::Yuma2),
    ("b_col_idx", Class::E, 4, Need::Yuma2),
    ("col_hist", Class::X, 4, Need::Always),
    ("w_val", Class::X, 8, Need::Always),
    ("w_live", Class::X, 4, Need::Always),
    ("c_val", Class::X, 8, Need::Always),
    ("c_live", Class::X, 4, Need::Always),
    ("b_val", Class::X, 8, Need::Always),
    ("b_live", Class::X, 4, Need::Always),
    ("wb_val", Class::X, 8, Need::Interpolated),
    ("wb_live", Class::X, 4, Need::Interpolated),
    ("scratch", Class::X, 8, Need::InterpolatedOrLiquid),
    ("alpha_dense", Class::X, 8, Need::Liquid),
    ("merged_w", Class::X, 8, Need::Liquid),
    ("delta_val", Class::X, 8, Need::Yuma2),
    ("ema_val", Class::X, 8, Need::Always),
    ("ema_live", Class::X, 4, Need::Always),
    ("ema_norm", Class::X, 8, Need::Yuma3),
    ("out_entry", Class::X, 4, Need::Always),
    ("out_val", Class::X, 8, Need::Always),
];

/// The final bonds read back per live entry: `out_entry` and `out_val`.
const BOND_READBACK: u64 = 4 + 8;

/// The branches some epoch of a batch takes (which optional working buffers it needs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Branches {
    pub yuma2: bool,
    pub yuma3: bool,
    pub interpolated: bool,
    pub liquid: bool,
    pub commit_reveal: bool,
}

impl Branches {
    /// The branches `s`'s epochs take (from their signature).
    pub fn of(s: &Snapshot) -> Branches {
        let sig = Signature::of(s);
        Branches {
            yuma2: !sig.yuma3,
            yuma3: sig.yuma3,
            interpolated: sig.wb == WbKind::Interpolated,
            liquid: sig.liquid,
            commit_reveal: s.hyperparams.commit_reveal_enabled,
        }
    }

    pub(super) fn or(self, o: Branches) -> Branches {
        Branches {
            yuma2: self.yuma2 || o.yuma2,
            yuma3: self.yuma3 || o.yuma3,
            interpolated: self.interpolated || o.interpolated,
            liquid: self.liquid || o.liquid,
            commit_reveal: self.commit_reveal || o.commit_reveal,
        }
    }

    pub(super) fn needs(self, need: Need) -> bool {
        match need {
            Need::Always => true,
            Need::Yuma2 => self.yuma2,
            Need::Yuma3 => self.yuma3,
            Need::Interpolated => self.interpolated,
            Need::Liquid => self.liquid,
            Need::InterpolatedOrLiquid => self.interpolated || self.liquid,
            Need::CommitReveal => self.commit_reveal,
        }
    }
}

/// The bytes of a launch table over `epochs` epochs (`batch::launch_table`).
pub(super) fn table_bytes(epochs: u64) -> u64 {
    4 * (1 + CLASSES as u64 * (epochs + 1))
}

/// What a group of snapshots' epochs take of a batch's buffers: their cells per size class
/// (epochs included) and the branches they take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub cells: Sizes,
    pub branches: Branches,
}

impl Footprint {
    /// A snapshot's epochs (one per mechanism, sized by the `shapes` `Shape::of` gives them),
    /// with the cells `assign_offsets` will give them.
    pub fn of(s: &Snapshot, shapes: &[Shape]) -> Footprint {
        debug_assert_eq!(shapes.len(), s.mechanisms.len(), "one shape per mechanism");
        let n = s.len() as u64;
        let mut f = Footprint {
            branches: Branches::of(s),
            ..Footprint::default()
        };
        for shape in shapes {
            let count = |c: usize| c as u64;
            f.cells.add(&Sizes::new(
                n,
                count(shape.nnz_w),
                count(shape.nnz_b),
                count(shape.slots),
            ));
        }
        f
    }

    /// Adds another group's epochs.
    pub fn add(&mut self, o: &Footprint) {
        self.cells.add(&o.cells);
        self.branches = self.branches.or(o.branches);
    }

    /// The bytes of each buffer of `table` that the branches need.
    fn sizes<'a>(
        &'a self,
        table: &'a [(&'static str, Class, u64, Need)],
    ) -> impl Iterator<Item = u64> + 'a {
        table
            .iter()
            .filter(|b| self.branches.needs(b.3))
            .map(|&(_, c, cell, _)| cell * self.cells.get(c))
    }

    /// The bytes of the inputs, launch tables included (one upload buffer holds them all).
    pub fn input_bytes(&self) -> u64 {
        let tables = (1 + TABLES.len() as u64) * table_bytes(self.cells.epochs);
        self.sizes(&INPUTS).sum::<u64>() + tables
    }

    /// The bytes of all the batch's buffers: the inputs and the working buffers its branches
    /// need.
    pub fn bytes(&self) -> u64 {
        self.input_bytes() + self.sizes(&WORKING).sum::<u64>()
    }

    /// The largest single buffer, in bytes.
    pub fn largest_buffer(&self) -> u64 {
        self.sizes(&INPUTS)
            .chain(self.sizes(&WORKING))
            .max()
            .unwrap_or(0)
    }

    /// The larger of the two readbacks (recorded by `GpuEpoch::execute`, or by `collect` when the
    /// packed bonds run past what `execute` copied): the per-uid results with the row
    /// offsets and the epochs' starts in the packed bonds, or the packed bonds (at most one live
    /// entry per matrix cell); each piece rounded up to 8 bytes.
    pub fn largest_readback(&self) -> u64 {
        let per_uid: u64 = RESULTS.iter().map(|&(_, b)| b).sum();
        let pieces = RESULTS.len() as u64 + 2;
        let (uids, epochs) = (self.cells.n, self.cells.epochs);
        let results = per_uid * uids + 4 * (uids + epochs) + 4 * (epochs + 1) + 8 * pieces;
        results.max(BOND_READBACK * self.cells.x + 16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_buffers_are_named_once() {
        let mut names: Vec<&str> = INPUTS
            .iter()
            .map(|i| i.0)
            .chain(WORKING.iter().map(|w| w.0))
            .chain(TABLES)
            .chain([TABLE_ALL])
            .collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all, "a buffer is listed twice");
    }

    #[test]
    fn optional_buffers_count_only_when_a_branch_needs_them() {
        let cells = Sizes::new(256, 2_000, 1_000, 64);
        let base = Footprint {
            cells,
            branches: Branches {
                yuma3: true,
                ..Branches::default()
            },
        };
        let liquid = Footprint {
            branches: Branches {
                yuma3: true,
                liquid: true,
                ..Branches::default()
            },
            ..base
        };
        // Liquid alpha adds scratch, alpha_dense and merged_w (24 bytes per matrix cell) and the
        // weight rows' column order (an input, 4 bytes per entry).
        assert_eq!(liquid.bytes() - base.bytes(), 24 * cells.x + 4 * cells.e);
        assert_eq!(liquid.input_bytes() - base.input_bytes(), 4 * cells.e);
        assert_eq!(base.largest_buffer(), 8 * cells.x);
        assert_eq!(base.largest_readback(), 12 * cells.x + 16);
    }
}
