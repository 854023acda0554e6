//! Host-side packing of one mechanism's snapshot into the arrays the kernels read: the weight
//! and bond matrices as CSR in storage order (with a column index list, i.e. the same entries
//! ordered by column then row), and the "slots": the rows that hold weights or bonds, which get
//! a dense row of n cells in the bond-side kernels (as the chain densifies those rows).
//!
//! Reading the weights (dropping entries whose column is ≥ n, keeping order and duplicates) is
//! done here, while packing; every other rule runs in the kernels.

use crate::snapshot::SparseRowU16;

/// A sparse matrix's structure: CSR rows in storage order and, for columns < n, the entries of
/// each column in (row, position) order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    pub row_ptr: Vec<u32>,
    pub col: Vec<u32>,
    pub raw: Vec<u32>,
    /// Row of each entry (weights only).
    pub row: Vec<u32>,
    /// Per row: 1 when no column repeats, so the row's entries can be written into a dense row
    /// in parallel (a repeated column must be accumulated in storage order).
    pub distinct: Vec<u32>,
    pub col_ptr: Vec<u32>,
    pub col_idx: Vec<u32>,
    /// Entries of each row ordered by (column, position): the ascending column walk that
    /// liquid alpha's merge needs (weights only).
    pub sorted: Vec<u32>,
}

impl Csr {
    /// Packs `rows`, keeping entries whose column is below `limit`; `per_entry` also fills
    /// `row` and `sorted` (the weights need them, the bonds do not).
    pub fn pack(rows: &[SparseRowU16], n: usize, limit: usize, per_entry: bool) -> Csr {
        let mut m = Csr::default();
        m.repack(rows, n, limit, per_entry);
        m
    }

    /// `pack` into this matrix's existing allocations (no page faults when epochs repeat).
    pub fn repack(&mut self, rows: &[SparseRowU16], n: usize, limit: usize, per_entry: bool) {
        let m = self;
        for v in [
            &mut m.row_ptr,
            &mut m.col,
            &mut m.raw,
            &mut m.row,
            &mut m.col_ptr,
            &mut m.col_idx,
            &mut m.sorted,
            &mut m.distinct,
        ] {
            v.clear();
        }
        m.row_ptr.push(0u32);
        m.col_ptr.resize(n + 1, 0);
        let mut any_unsorted = false;
        for (i, r) in rows.iter().enumerate() {
            let start = m.col.len();
            let mut prev = 0u32;
            // Strictly increasing columns are distinct; other rows are checked below.
            let mut increasing = true;
            for &(j, v) in r {
                let j = u32::from(j);
                if (j as usize) < limit {
                    if m.col.len() > start && j <= prev {
                        increasing = false;
                        any_unsorted |= j < prev;
                    }
                    prev = j;
                    m.col.push(j);
                    m.raw.push(u32::from(v));
                    if per_entry {
                        m.row.push(i as u32);
                    }
                    if (j as usize) < n {
                        m.col_ptr[j as usize + 1] += 1;
                    }
                }
            }
            m.row_ptr.push(m.col.len() as u32);
            let distinct = increasing || {
                let mut cols = m.col[start..].to_vec();
                cols.sort_unstable();
                cols.windows(2).all(|w| w[0] != w[1])
            };
            m.distinct.push(u32::from(distinct));
        }
        // Column lists by a stable counting sort (row order, then storage order).
        for j in 0..n {
            m.col_ptr[j + 1] += m.col_ptr[j];
        }
        m.col_idx.resize(m.col_ptr[n] as usize, 0);
        let mut next = m.col_ptr.clone();
        for (e, &j) in m.col.iter().enumerate() {
            if (j as usize) < n {
                let at = &mut next[j as usize];
                m.col_idx[*at as usize] = e as u32;
                *at += 1;
            }
        }
        if per_entry {
            m.sorted.extend(0..m.col.len() as u32);
            if any_unsorted {
                for i in 0..rows.len() {
                    let seg = &mut m.sorted[m.row_ptr[i] as usize..m.row_ptr[i + 1] as usize];
                    let col = &m.col;
                    seg.sort_by_key(|&e| col[e as usize]);
                }
            }
        }
    }

    pub fn nnz(&self) -> usize {
        self.col.len()
    }
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
    pub fn new(weights: &[SparseRowU16], bonds: &[SparseRowU16], n: usize) -> EpochLayout {
        let mut lay = EpochLayout::default();
        lay.repack(weights, bonds, n);
        lay
    }

    /// Packs one mechanism into this layout's existing allocations.
    pub fn repack(&mut self, weights: &[SparseRowU16], bonds: &[SparseRowU16], n: usize) {
        self.weights.repack(weights, n, n, true);
        self.bonds.repack(bonds, n, usize::MAX, false);
        self.slot_rows.clear();
        self.row_slot.clear();
        self.row_slot.resize(n, u32::MAX);
        for (i, slot) in self.row_slot.iter_mut().enumerate() {
            let has_w = self.weights.row_ptr[i + 1] > self.weights.row_ptr[i];
            let has_b = self.bonds.row_ptr[i + 1] > self.bonds.row_ptr[i];
            if has_w || has_b {
                *slot = self.slot_rows.len() as u32;
                self.slot_rows.push(i as u32);
            }
        }
    }
}
