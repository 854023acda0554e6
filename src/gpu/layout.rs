//! Host-side packing of one mechanism's snapshot into the arrays the kernels read: the weight
//! and bond matrices as CSR in storage order, and the "slots": the rows that hold weights or
//! bonds, which get a dense row of n cells in the bond-side kernels (as the chain densifies
//! those rows). The column lists (the same entries ordered by column, then row) are built on the
//! GPU (shaders/column_lists.wgsl); `Csr::column_lists` is their host twin.
//!
//! Reading the weights (dropping entries whose column is ≥ n, keeping order and duplicates) is
//! done here, while packing; every other rule runs in the kernels. The row rules (`pack_row`,
//! `sorted_row`, `find_slots`) are shared by `EpochLayout`, the plain packing the per-stage
//! checks read, and the GPU engine's writer (gpu/epoch/pack.rs), which packs straight into the
//! mapped upload.

use crate::snapshot::{MechanismInput, Snapshot, SparseRowU16};

/// A sparse matrix's structure: CSR rows in storage order and, for columns < n and when asked
/// for, the entries of each column in (row, position) order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    pub row_ptr: Vec<u32>,
    /// Each entry packed as the kernels read it: column j in the low 16 bits, the stored u16
    /// value v in the high 16 bits (`j | v << 16`).
    pub entry: Vec<u32>,
    /// Per row: 1 when no column repeats, so the row's entries can be written into a dense row
    /// in parallel (a repeated column must be accumulated in storage order).
    pub distinct: Vec<u32>,
    /// Column j's entries are `col_idx[col_ptr[j]..col_ptr[j + 1]]` (both empty unless asked
    /// for).
    pub col_ptr: Vec<u32>,
    pub col_idx: Vec<u32>,
    /// Entries of each row ordered by (column, position): the ascending column walk that
    /// liquid alpha's merge needs (filled only when asked for).
    pub sorted: Vec<u32>,
}

/// The column of a packed entry.
fn col_of(entry: u32) -> u32 {
    entry & 0xFFFF
}

impl Csr {
    /// Packs `rows`, keeping entries whose column is below `limit` (at least n: the column
    /// lists count every column below n); `columns` also fills the column lists, `sorted` also
    /// fills `sorted`.
    pub fn pack(rows: &[SparseRowU16], n: usize, limit: usize, columns: bool, sorted: bool) -> Csr {
        let mut m = Csr::default();
        m.repack(rows, n, limit, columns, sorted);
        m
    }

    /// `pack` into this matrix's existing allocations (no page faults when epochs repeat).
    pub fn repack(
        &mut self,
        rows: &[SparseRowU16],
        n: usize,
        limit: usize,
        columns: bool,
        sorted: bool,
    ) {
        debug_assert!(limit >= n, "packing keeps every column below n");
        let m = self;
        for v in [
            &mut m.row_ptr,
            &mut m.entry,
            &mut m.col_ptr,
            &mut m.col_idx,
            &mut m.sorted,
            &mut m.distinct,
        ] {
            v.clear();
        }
        m.row_ptr.reserve(rows.len() + 1);
        m.distinct.reserve(rows.len());
        m.entry.reserve(rows.iter().map(|r| r.len()).sum());
        m.row_ptr.push(0u32);
        for r in rows {
            let start = m.entry.len();
            let order = pack_row(r, limit, &mut m.entry);
            m.distinct.push(u32::from(order.distinct));
            if sorted {
                sorted_row(
                    &m.entry[start..],
                    start as u32,
                    order.unsorted,
                    &mut m.sorted,
                );
            }
            m.row_ptr.push(m.entry.len() as u32);
        }
        if columns {
            m.column_lists(n);
        }
    }

    /// The column lists (the host twin of shaders/column_lists.wgsl) of the columns below n, by a
    /// stable counting sort (row order, then storage order): column j's count goes to
    /// `col_ptr[j + 1]`, the running sums make `col_ptr[j]` walk column j's slots, ending at column
    /// j + 1's start, and the offsets are then shifted back.
    fn column_lists(&mut self, n: usize) {
        let m = self;
        m.col_ptr.resize(n + 1, 0);
        for &e in &m.entry {
            if let Some(c) = m.col_ptr.get_mut(col_of(e) as usize + 1) {
                *c += 1;
            }
        }
        for j in 0..n {
            m.col_ptr[j + 1] += m.col_ptr[j];
        }
        m.col_idx.resize(m.col_ptr[n] as usize, 0);
        let (next, col_idx) = (&mut m.col_ptr[..n], &mut m.col_idx[..]);
        for (k, &e) in m.entry.iter().enumerate() {
            if let Some(at) = next.get_mut(col_of(e) as usize) {
                col_idx[*at as usize] = k as u32;
                *at += 1;
            }
        }
        m.col_ptr.copy_within(0..n, 1);
        m.col_ptr[0] = 0;
    }

    pub fn nnz(&self) -> usize {
        self.entry.len()
    }

    /// The column of entry `k`.
    pub fn col(&self, k: usize) -> u16 {
        col_of(self.entry[k]) as u16
    }
}

/// How a packed row's columns are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowOrder {
    /// No column repeats: the row's entries can be written into a dense row in parallel (a
    /// repeated column must be accumulated in storage order).
    pub distinct: bool,
    /// Some column is followed by a smaller one.
    pub unsorted: bool,
}

/// Appends row `r`'s entries whose column is below `limit` to `out`, in storage order, packed as
/// the kernels read them (`j | v << 16`), and tells how their columns are ordered.
pub fn pack_row(r: &SparseRowU16, limit: usize, out: &mut Vec<u32>) -> RowOrder {
    let mut last = -1i32;
    let mut increasing = true;
    for &(j, _) in r {
        increasing &= i32::from(j) > last;
        last = i32::from(j);
    }
    if increasing && last < limit.min(1 << 16) as i32 {
        // The common row: every entry kept, its columns strictly increasing.
        out.extend(r.iter().map(|&(j, v)| u32::from(j) | u32::from(v) << 16));
        return RowOrder {
            distinct: true,
            unsorted: false,
        };
    }
    let start = out.len();
    out.extend(
        r.iter()
            .filter(|&&(j, _)| usize::from(j) < limit)
            .map(|&(j, v)| u32::from(j) | u32::from(v) << 16),
    );
    let row = &out[start..];
    let increasing = row.windows(2).all(|w| col_of(w[0]) < col_of(w[1]));
    let unsorted = row.windows(2).any(|w| col_of(w[1]) < col_of(w[0]));
    let distinct = increasing || {
        let mut cols: Vec<u32> = row.iter().map(|&e| col_of(e)).collect();
        cols.sort_unstable();
        cols.windows(2).all(|w| w[0] != w[1])
    };
    RowOrder { distinct, unsorted }
}

/// Appends the positions of a packed row's entries (`row`, starting at position `start` of its
/// matrix) in (column, position) order: `start, start + 1, …`, stably sorted by column when
/// `unsorted` (sorting a row already in order leaves it so).
pub fn sorted_row(row: &[u32], start: u32, unsorted: bool, out: &mut Vec<u32>) {
    let at = out.len();
    out.extend(start..start + row.len() as u32);
    if unsorted {
        out[at..].sort_by_key(|&k| col_of(row[(k - start) as usize]));
    }
}

/// The slots: rows below n that hold weights or bonds (`w_ptr`, `b_ptr`: the matrices' row
/// offsets), ascending, into `slot_rows`, and each row's slot (or `u32::MAX`) into `row_slot`.
pub fn find_slots(
    w_ptr: &[u32],
    b_ptr: &[u32],
    n: usize,
    slot_rows: &mut Vec<u32>,
    row_slot: &mut Vec<u32>,
) {
    slot_rows.clear();
    row_slot.clear();
    row_slot.resize(n, u32::MAX);
    for (i, slot) in row_slot.iter_mut().enumerate() {
        let has_w = w_ptr[i + 1] > w_ptr[i];
        let has_b = b_ptr[i + 1] > b_ptr[i];
        if has_w || has_b {
            *slot = slot_rows.len() as u32;
            slot_rows.push(i as u32);
        }
    }
}

/// Bounds on the sizes packing gives a mechanism, read off its rows' lengths alone (a batch is
/// sized by them before it is cut into submissions, and its epochs' parts of each buffer are cut
/// for them before they are packed): entries in each matrix, slot rows, and the longest row.
/// Packing drops only weight entries whose column is ≥ n, so the bounds are exact unless some
/// weight row holds such an entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Weight entries (packing keeps those whose column is below n).
    pub nnz_w: usize,
    /// Bond entries (packing keeps them all).
    pub nnz_b: usize,
    /// Rows below n holding weight or bond entries.
    pub slots: usize,
    /// The longest row of either matrix.
    pub longest_row: usize,
}

impl Shape {
    /// The bounds on what `EpochLayout::repack(weights, bonds, n, _)` gives.
    pub fn of(weights: &[SparseRowU16], bonds: &[SparseRowU16], n: usize) -> Shape {
        let mut shape = Shape::default();
        for i in 0..weights.len().max(bonds.len()) {
            let w = weights.get(i).map_or(0, Vec::len);
            let b = bonds.get(i).map_or(0, Vec::len);
            shape.nnz_w += w;
            shape.nnz_b += b;
            shape.longest_row = shape.longest_row.max(w).max(b);
            shape.slots += usize::from(i < n && (w > 0 || b > 0));
        }
        shape
    }

    /// The shape of mechanism `m` of snapshot `s`.
    pub fn of_mechanism(s: &Snapshot, m: &MechanismInput) -> Shape {
        Shape::of(&m.weights, &m.bonds, s.len())
    }
}

/// Which of packing's optional lists an epoch's kernels read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// Each weight row's entries in (column, position) order: liquid alpha's merge.
    pub sorted_weights: bool,
    /// Both matrices' column lists (the GPU builds its own; the host's are its twin).
    pub columns: bool,
}

impl Wanted {
    /// Every list.
    pub const ALL: Wanted = Wanted {
        sorted_weights: true,
        columns: true,
    };
}

/// Everything the kernels read about one mechanism's structure.
#[derive(Clone, Debug, Default)]
pub struct EpochLayout {
    pub weights: Csr,
    pub bonds: Csr,
    /// Rows (ascending) that hold weights or bonds.
    pub slot_rows: Vec<u32>,
    /// Slot of each row, or `u32::MAX`.
    pub row_slot: Vec<u32>,
}

impl EpochLayout {
    /// Packs one mechanism, with the optional lists `wanted` names.
    pub fn new(
        weights: &[SparseRowU16],
        bonds: &[SparseRowU16],
        n: usize,
        wanted: Wanted,
    ) -> EpochLayout {
        let mut lay = EpochLayout::default();
        lay.repack(weights, bonds, n, wanted);
        lay
    }

    /// Packs one mechanism into this layout's existing allocations.
    pub fn repack(
        &mut self,
        weights: &[SparseRowU16],
        bonds: &[SparseRowU16],
        n: usize,
        wanted: Wanted,
    ) {
        self.weights
            .repack(weights, n, n, wanted.columns, wanted.sorted_weights);
        self.bonds
            .repack(bonds, n, usize::MAX, wanted.columns, false);
        find_slots(
            &self.weights.row_ptr,
            &self.bonds.row_ptr,
            n,
            &mut self.slot_rows,
            &mut self.row_slot,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_entries_columns_and_row_orders() {
        // n = 3; row 1 is empty; row 2 repeats column 0, out of order, and has a column ≥ n.
        let rows: Vec<SparseRowU16> = vec![
            vec![(0, 7), (2, u16::MAX)],
            vec![],
            vec![(2, 1), (0, 2), (5, 3), (0, 4)],
        ];
        let bonds = Csr::pack(&rows, 3, usize::MAX, true, false);
        assert_eq!(bonds.row_ptr, [0, 2, 2, 6]);
        assert_eq!(
            bonds.entry,
            [
                7 << 16,
                2 | 0xFFFF << 16,
                2 | 1 << 16,
                2 << 16,
                5 | 3 << 16,
                4 << 16
            ]
        );
        assert_eq!((bonds.col(4), bonds.col(5)), (5, 0));
        assert_eq!(bonds.distinct, [1, 1, 0]);
        // Column lists skip columns ≥ n and keep (row, position) order.
        assert_eq!(bonds.col_ptr, [0, 3, 3, 5]);
        assert_eq!(bonds.col_idx, [0, 3, 5, 1, 2]);
        assert!(bonds.sorted.is_empty());

        let weights = Csr::pack(&rows, 3, 3, true, true);
        assert_eq!(weights.row_ptr, [0, 2, 2, 5]);
        assert_eq!(weights.nnz(), 5);
        // Row 2 by (column, position): (0, 2) at 3, (0, 4) at 4, (2, 1) at 2.
        assert_eq!(weights.sorted, [0, 1, 3, 4, 2]);

        // Without column lists the rest is the same.
        let plain = Csr::pack(&rows, 3, usize::MAX, false, false);
        assert!(plain.col_ptr.is_empty() && plain.col_idx.is_empty());
        let listed = Csr {
            col_ptr: Vec::new(),
            col_idx: Vec::new(),
            ..bonds
        };
        assert_eq!(plain, listed);
    }

    #[test]
    fn shape_bounds_what_packing_gives() {
        let packed = |lay: &EpochLayout| Shape {
            nnz_w: lay.weights.nnz(),
            nnz_b: lay.bonds.nnz(),
            slots: lay.slot_rows.len(),
            longest_row: [&lay.weights, &lay.bonds]
                .iter()
                .flat_map(|m| m.row_ptr.windows(2).map(|w| (w[1] - w[0]) as usize))
                .max()
                .unwrap_or(0),
        };
        // n = 3: every column below n, a bond-only row, and a bond column past n (kept): exact.
        let weights: Vec<SparseRowU16> = vec![vec![(1, 1)], vec![], vec![(2, 1), (0, 2), (2, 3)]];
        let bonds: Vec<SparseRowU16> = vec![vec![], vec![(1, 9), (4, 1)], vec![]];
        let lay = EpochLayout::new(&weights, &bonds, 3, Wanted::ALL);
        let shape = Shape::of(&weights, &bonds, 3);
        assert_eq!(shape, packed(&lay));
        assert_eq!(
            (shape.nnz_w, shape.nnz_b, shape.slots, shape.longest_row),
            (4, 2, 3, 3)
        );

        // Weight columns past n are dropped by packing: a row whose only entry is past n is no
        // slot, and another row gets shorter; the shape bounds both.
        let weights: Vec<SparseRowU16> = vec![vec![(4, 1)], vec![], vec![(2, 1), (0, 2), (5, 3)]];
        let lay = EpochLayout::new(&weights, &bonds, 3, Wanted::ALL);
        let (shape, got) = (Shape::of(&weights, &bonds, 3), packed(&lay));
        assert_eq!((got.nnz_w, got.slots, got.longest_row), (2, 2, 2));
        assert_eq!((shape.nnz_w, shape.slots, shape.longest_row), (4, 3, 3));
        assert_eq!(shape.nnz_b, got.nnz_b);
    }
}
