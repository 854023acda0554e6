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
    pub row: Vec<u32>,
    pub col_ptr: Vec<u32>,
    pub col_idx: Vec<u32>,
    /// Entries of each row ordered by (column, position): the ascending column walk that
    /// liquid alpha's merge needs.
    pub sorted: Vec<u32>,
}

impl Csr {
    /// Packs `rows`, keeping entries with `keep(column)`.
    pub fn pack(rows: &[SparseRowU16], n: usize, keep: impl Fn(u16) -> bool) -> Csr {
        let mut m = Csr {
            row_ptr: Vec::with_capacity(n + 1),
            ..Csr::default()
        };
        m.row_ptr.push(0);
        for (i, r) in rows.iter().enumerate() {
            for &(j, v) in r.iter().filter(|&&(j, _)| keep(j)) {
                m.col.push(u32::from(j));
                m.raw.push(u32::from(v));
                m.row.push(i as u32);
            }
            m.row_ptr.push(m.col.len() as u32);
        }
        // Column lists by a stable counting sort (row order, then storage order).
        let mut counts = vec![0u32; n + 1];
        for &j in &m.col {
            if (j as usize) < n {
                counts[j as usize + 1] += 1;
            }
        }
        for j in 0..n {
            counts[j + 1] += counts[j];
        }
        m.col_ptr = counts.clone();
        m.col_idx = vec![0; counts[n] as usize];
        for (e, &j) in m.col.iter().enumerate() {
            if (j as usize) < n {
                let at = &mut counts[j as usize];
                m.col_idx[*at as usize] = e as u32;
                *at += 1;
            }
        }
        m.sorted = (0..m.col.len() as u32).collect();
        for i in 0..rows.len() {
            let (a, b) = (m.row_ptr[i] as usize, m.row_ptr[i + 1] as usize);
            let seg = &mut m.sorted[a..b];
            if m.col[a..b].windows(2).any(|w| w[0] > w[1]) {
                seg.sort_by_key(|&e| m.col[e as usize]);
            }
        }
        m
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
        let weights = Csr::pack(weights, n, |j| usize::from(j) < n);
        let bonds = Csr::pack(bonds, n, |_| true);
        let mut slot_rows = Vec::new();
        let mut row_slot = vec![u32::MAX; n];
        for (i, slot) in row_slot.iter_mut().enumerate() {
            let has_w = weights.row_ptr[i + 1] > weights.row_ptr[i];
            let has_b = bonds.row_ptr[i + 1] > bonds.row_ptr[i];
            if has_w || has_b {
                *slot = slot_rows.len() as u32;
                slot_rows.push(i as u32);
            }
        }
        EpochLayout {
            weights,
            bonds,
            slot_rows,
            row_slot,
        }
    }
}
