// Column operations on a sparse matrix (CSR entries with a column index list, or dense slot
// rows), one thread per column j < n, visiting the live entries in row order:
//   col_normalize:   m_ij / Σ_i m_ij   (saturating sum; only when the sum ≠ 0)
//   col_max_upscale: m_ij / max_i m_ij (max starting from 0; only when the max ≠ 0)
// Entries with a column ≥ n are untouched.

@group(0) @binding(1) var<storage, read> view: array<MatView>;
@group(0) @binding(2) var<storage, read_write> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_col_ptr: array<u32>;
@group(0) @binding(5) var<storage, read> m_col_idx: array<u32>;

// Entry index of the t-th entry of column j, and how many entries the column has.
fn col_len(j: u32) -> u32 {
    if view[params.epoch].dense != 0u {
        return params.n_slots;
    }
    return m_col_ptr[params.o_n1 + j + 1u] - m_col_ptr[params.o_n1 + j];
}

fn col_entry(j: u32, t: u32) -> u32 {
    if view[params.epoch].dense != 0u {
        return t * params.n + j;
    }
    return m_col_idx[params.o_e + m_col_ptr[params.o_n1 + j] + t];
}

@compute @workgroup_size(256)
fn col_normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let j = group * WG + lid3.x;
    if j >= params.n {
        return;
    }
    let len = col_len(j);
    var sum = 0li;
    for (var t = 0u; t < len; t++) {
        let e = col_entry(j, t);
        if m_live[params.o_x + e] != 0u {
            sum = fx_add_sat(sum, m_val[params.o_x + e]);
        }
    }
    if sum != 0li {
        for (var t = 0u; t < len; t++) {
            let e = col_entry(j, t);
            if m_live[params.o_x + e] != 0u {
                m_val[params.o_x + e] = fx_safe_div(m_val[params.o_x + e], sum);
            }
        }
    }
}

@compute @workgroup_size(256)
fn col_max_upscale(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let j = group * WG + lid3.x;
    if j >= params.n {
        return;
    }
    let len = col_len(j);
    var top = 0li;
    for (var t = 0u; t < len; t++) {
        let e = col_entry(j, t);
        if m_live[params.o_x + e] != 0u && top < m_val[params.o_x + e] {
            top = m_val[params.o_x + e];
        }
    }
    if top != 0li {
        for (var t = 0u; t < len; t++) {
            let e = col_entry(j, t);
            if m_live[params.o_x + e] != 0u {
                m_val[params.o_x + e] = fx_safe_div(m_val[params.o_x + e], top);
            }
        }
    }
}
