// Bonds EMA with a fixed rate α (`mat_ema_sparse`), and ΔB for Yuma 2.
//   hadamard:  ΔB_ij = W_b,ij · S_i                       (saturating)
//   ema_fixed: per row, acc_j = Σ α·new_ij (in order) + Σ (1−α)·old_ij (in order), saturating,
//              new entries first; columns ≥ n dropped; entries with acc_j > 0 kept (dense row).
// `new` (binding 2..6) is either CSR entries of the weight structure or dense slot rows.

@group(0) @binding(1) var<storage, read> view: array<MatView>;
@group(0) @binding(2) var<storage, read> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_row: array<u32>;
@group(0) @binding(5) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(6) var<storage, read> m_entry: array<u32>;
@group(0) @binding(7) var<storage, read> slot_rows: array<u32>;
@group(0) @binding(8) var<storage, read> active_stake: array<i64>;
@group(0) @binding(9) var<storage, read> b_entry: array<u32>;
@group(0) @binding(10) var<storage, read> b_val: array<i64>;
@group(0) @binding(11) var<storage, read> b_live: array<u32>;
@group(0) @binding(12) var<storage, read> b_row_ptr: array<u32>;
@group(0) @binding(13) var<storage, read_write> o_val: array<i64>;
@group(0) @binding(14) var<storage, read_write> o_live: array<u32>;
@group(0) @binding(15) var<storage, read> scal: array<i64>;
@group(0) @binding(16) var<storage, read> m_distinct: array<u32>;
@group(0) @binding(17) var<storage, read> b_distinct: array<u32>;

const ONE: i64 = 4294967296li;

@compute @workgroup_size(256)
fn hadamard(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_X, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let k = group * WG + lid3.x;
    var count = params.nnz_w;
    if view[params.epoch].dense != 0u {
        count = params.n_slots * params.n;
    }
    if k >= count {
        return;
    }
    var row = 0u;
    if view[params.epoch].dense != 0u {
        row = slot_rows[params.o_s + k / params.n];
    } else {
        row = m_row[params.o_e + k];
    }
    let live = m_live[params.o_x + k] != 0u;
    o_live[params.o_x + k] = m_live[params.o_x + k];
    o_val[params.o_x + k] = select(0li, fx_mul_sat(m_val[params.o_x + k], active_stake[params.o_n + row]), live);
}

// One workgroup per slot row; the output is a dense slot row. Does nothing when liquid alpha
// applies (liquid_alpha.wgsl computes the EMA then).
@compute @workgroup_size(256)
fn ema_fixed(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let s = enter(L_GROUPS_S, wid, nwg, lid3.x);
    if s == NONE {
        return;
    }
    let lid = lid3.x;
    if s >= params.n_slots || scal[params.epoch * SCAL_CELLS + S_LIQUID] != 0li {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[params.o_s + s];
    let alpha = params.alpha;
    let keep = fx_sub_sat(ONE, alpha);
    // New entries: a dense row has one entry per column, so its columns accumulate in parallel.
    for (var j = lid; j < n; j += WG) {
        var acc = 0li;
        if view[params.epoch].dense != 0u && m_live[params.o_x + base + j] != 0u {
            acc = fx_mul_sat(alpha, m_val[params.o_x + base + j]);
        }
        o_val[params.o_x + base + j] = acc;
    }
    storageBarrier();
    // CSR new entries: in parallel when the row's columns are distinct, else in storage order
    // (repeated columns add up in that order).
    if view[params.epoch].dense == 0u {
        let begin = m_row_ptr[params.o_n1 + r];
        let end = m_row_ptr[params.o_n1 + r + 1u];
        if m_distinct[params.o_n + r] != 0u {
            for (var e = begin + lid; e < end; e += WG) {
                if m_live[params.o_x + e] != 0u {
                    let j = col_of(m_entry[params.o_e + e]);
                    o_val[params.o_x + base + j] = fx_add_sat(o_val[params.o_x + base + j], fx_mul_sat(alpha, m_val[params.o_x + e]));
                }
            }
        } else if lid == 0u {
            for (var e = begin; e < end; e++) {
                if m_live[params.o_x + e] != 0u {
                    let j = col_of(m_entry[params.o_e + e]);
                    o_val[params.o_x + base + j] = fx_add_sat(o_val[params.o_x + base + j], fx_mul_sat(alpha, m_val[params.o_x + e]));
                }
            }
        }
    }
    storageBarrier();
    // Old bonds, after every new entry, likewise.
    let b_begin = b_row_ptr[params.o_n1 + r];
    let b_end = b_row_ptr[params.o_n1 + r + 1u];
    if b_distinct[params.o_n + r] != 0u {
        for (var e = b_begin + lid; e < b_end; e += WG) {
            let j = col_of(b_entry[params.o_e + e]);
            if b_live[params.o_x + e] != 0u && j < n {
                o_val[params.o_x + base + j] = fx_add_sat(o_val[params.o_x + base + j], fx_mul_sat(keep, b_val[params.o_x + e]));
            }
        }
    } else if lid == 0u {
        for (var e = b_begin; e < b_end; e++) {
            let j = col_of(b_entry[params.o_e + e]);
            if b_live[params.o_x + e] != 0u && j < n {
                o_val[params.o_x + base + j] = fx_add_sat(o_val[params.o_x + base + j], fx_mul_sat(keep, b_val[params.o_x + e]));
            }
        }
    }
    storageBarrier();
    for (var j = lid; j < n; j += WG) {
        let v = o_val[params.o_x + base + j];
        o_live[params.o_x + base + j] = select(0u, 1u, v > 0li);
        o_val[params.o_x + base + j] = select(0li, v, v > 0li);
    }
}
