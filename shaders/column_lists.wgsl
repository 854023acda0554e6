// Column lists of a sparse matrix (CSR in storage order: `m_row_ptr`, `m_entry`), built on the
// GPU: column j's entries are `col_idx[col_ptr[j]..col_ptr[j + 1]]`, every entry k with column
// j < n in ascending k, i.e. in (row, position) order — a stable counting sort by column.
// Columns ≥ n are left out. The host twin is `Csr::column_lists` (src/gpu/layout.rs).
//
// Every row holding entries has a slot (`row_slot`), and `col_hist` one dense row of n counters
// per slot (class X). Per epoch, launched in this order:
//   lists_clear         col_hist = 0
//   lists_count_*       col_hist[s][j] = entries of column j in slot s's row
//   lists_scan          col_hist[s][j] = Σ_{s' < s} col_hist[s'][j] (exclusive, down the
//                       slots); col_ptr[j + 1] = the column's total
//   (offsets.wgsl)      col_ptr[j] = Σ_{j' < j} total_j'
//   lists_scatter_*     entry k at (slot s, column j): col_idx[col_ptr[j] + col_hist[s][j]] = k;
//                       a row whose columns repeat is walked in storage order by the invocation
//                       of its first entry, each entry taking the next place of its column.

@group(0) @binding(1) var<storage, read> m_entry: array<u32>;
@group(0) @binding(2) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> m_distinct: array<u32>;
@group(0) @binding(4) var<storage, read> row_slot: array<u32>;
@group(0) @binding(5) var<storage, read_write> col_hist: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> col_ptr: array<u32>;
@group(0) @binding(7) var<storage, read_write> col_idx: array<u32>;

@compute @workgroup_size(256)
fn lists_clear(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_X, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let c = group * WG + lid3.x;
    if c < params.n_slots * params.n {
        atomicStore(&col_hist[params.o_x + c], 0u);
    }
}

// The row holding entry k (< the matrix's entries): the last row i with row_ptr[i] <= k.
fn row_of(k: u32) -> u32 {
    var lo = 0u;
    var hi = params.n;
    while hi - lo > 1u {
        let mid = (lo + hi) / 2u;
        if m_row_ptr[params.o_n1 + mid] <= k {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// The counter of column j in row i's slot.
fn hist_cell(i: u32, j: u32) -> u32 {
    return params.o_x + row_slot[params.o_n + i] * params.n + j;
}

fn count(k: u32, nnz: u32) {
    if k >= nnz {
        return;
    }
    let j = col_of(m_entry[params.o_e + k]);
    if j < params.n {
        atomicAdd(&col_hist[hist_cell(row_of(k), j)], 1u);
    }
}

@compute @workgroup_size(256)
fn lists_count_w(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_W, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    count(group * WG + lid3.x, params.nnz_w);
}

@compute @workgroup_size(256)
fn lists_count_b(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_B, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    count(group * WG + lid3.x, params.nnz_b);
}

@compute @workgroup_size(256)
fn lists_scan(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let j = group * WG + lid3.x;
    if j >= params.n {
        return;
    }
    var run = 0u;
    for (var s = 0u; s < params.n_slots; s++) {
        let cell = params.o_x + s * params.n + j;
        let c = atomicLoad(&col_hist[cell]);
        atomicStore(&col_hist[cell], run);
        run += c;
    }
    col_ptr[params.o_n1 + j + 1u] = run;
}

fn scatter(k: u32, nnz: u32) {
    if k >= nnz {
        return;
    }
    let i = row_of(k);
    if m_distinct[params.o_n + i] != 0u {
        let j = col_of(m_entry[params.o_e + k]);
        if j < params.n {
            let at = col_ptr[params.o_n1 + j] + atomicLoad(&col_hist[hist_cell(i, j)]);
            col_idx[params.o_e + at] = k;
        }
    } else if k == m_row_ptr[params.o_n1 + i] {
        // A row whose columns repeat: walked in order by its first entry's invocation.
        for (var t = k; t < m_row_ptr[params.o_n1 + i + 1u]; t++) {
            let j = col_of(m_entry[params.o_e + t]);
            if j < params.n {
                let at = col_ptr[params.o_n1 + j] + atomicAdd(&col_hist[hist_cell(i, j)], 1u);
                col_idx[params.o_e + at] = t;
            }
        }
    }
}

@compute @workgroup_size(256)
fn lists_scatter_w(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_W, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    scatter(group * WG + lid3.x, params.nnz_w);
}

@compute @workgroup_size(256)
fn lists_scatter_b(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_B, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    scatter(group * WG + lid3.x, params.nnz_b);
}
