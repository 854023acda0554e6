// Reading a matrix row by row, whichever form it has: CSR entries of the weight structure, or
// dense slot rows (row i in slot row_slot[i], n cells). Bindings 0–6; prepended to the stage
// files that walk rows (dividends.wgsl, compact.wgsl), which declare their own from 7 on.

@group(0) @binding(1) var<storage, read> view: array<MatView>;
@group(0) @binding(2) var<storage, read> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(5) var<storage, read> m_entry: array<u32>;
@group(0) @binding(6) var<storage, read> row_slot: array<u32>;

// The entries of row i: [begin, end), and `base`, the first cell of a dense row.
struct RowRange {
    begin: u32,
    end: u32,
    base: u32,
}

fn row_range(i: u32) -> RowRange {
    if view[params.epoch].dense != 0u {
        let s = row_slot[params.o_n + i];
        if s == NONE {
            return RowRange(0u, 0u, 0u);
        }
        return RowRange(s * params.n, s * params.n + params.n, s * params.n);
    }
    return RowRange(m_row_ptr[params.o_n1 + i], m_row_ptr[params.o_n1 + i + 1u], 0u);
}

// The column of entry k of a row starting at `base`.
fn entry_col(k: u32, base: u32) -> u32 {
    if view[params.epoch].dense != 0u {
        return k - base;
    }
    return col_of(m_entry[params.o_e + k]);
}
