// Bonds EMA with a fixed rate α (`mat_ema_sparse`), and ΔB for Yuma 2.
//   hadamard:  ΔB_ij = W_b,ij · S_i                       (saturating)
//   ema_fixed: per row, acc_j = Σ α·new_ij (in order) + Σ (1−α)·old_ij (in order), saturating,
//              new entries first; columns ≥ n dropped; entries with acc_j > 0 kept (dense row).
// `new` (binding 2..6) is either CSR entries of the weight structure or dense slot rows.

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> view: MatView;
@group(0) @binding(2) var<storage, read> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_row: array<u32>;
@group(0) @binding(5) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(6) var<storage, read> m_col: array<u32>;
@group(0) @binding(7) var<storage, read> slot_rows: array<u32>;
@group(0) @binding(8) var<storage, read> active_stake: array<i64>;
@group(0) @binding(9) var<storage, read> b_col: array<u32>;
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
fn hadamard(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = linear_id(gid, nwg);
    var count = params.nnz_w;
    if view.dense != 0u {
        count = params.n_slots * params.n;
    }
    if k >= count {
        return;
    }
    var row = 0u;
    if view.dense != 0u {
        row = slot_rows[k / params.n];
    } else {
        row = m_row[k];
    }
    let live = m_live[k] != 0u;
    o_live[k] = m_live[k];
    o_val[k] = select(0li, fx_mul_sat(m_val[k], active_stake[row]), live);
}

// One workgroup per slot row; the output is a dense slot row. Does nothing when liquid alpha
// applies (liquid_alpha.wgsl computes the EMA then).
@compute @workgroup_size(256)
fn ema_fixed(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let s = group_index(wid, nwg);
    let lid = lid3.x;
    if s >= params.n_slots || scal[S_LIQUID] != 0li {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[s];
    let alpha = params.alpha;
    let keep = fx_sub_sat(ONE, alpha);
    // New entries: a dense row has one entry per column, so its columns accumulate in parallel.
    for (var j = lid; j < n; j += WG) {
        var acc = 0li;
        if view.dense != 0u && m_live[base + j] != 0u {
            acc = fx_mul_sat(alpha, m_val[base + j]);
        }
        o_val[base + j] = acc;
    }
    storageBarrier();
    // CSR new entries: in parallel when the row's columns are distinct, else in storage order
    // (repeated columns add up in that order).
    if view.dense == 0u {
        let begin = m_row_ptr[r];
        let end = m_row_ptr[r + 1u];
        if m_distinct[r] != 0u {
            for (var e = begin + lid; e < end; e += WG) {
                if m_live[e] != 0u {
                    let j = m_col[e];
                    o_val[base + j] = fx_add_sat(o_val[base + j], fx_mul_sat(alpha, m_val[e]));
                }
            }
        } else if lid == 0u {
            for (var e = begin; e < end; e++) {
                if m_live[e] != 0u {
                    let j = m_col[e];
                    o_val[base + j] = fx_add_sat(o_val[base + j], fx_mul_sat(alpha, m_val[e]));
                }
            }
        }
    }
    storageBarrier();
    // Old bonds, after every new entry, likewise.
    let b_begin = b_row_ptr[r];
    let b_end = b_row_ptr[r + 1u];
    if b_distinct[r] != 0u {
        for (var e = b_begin + lid; e < b_end; e += WG) {
            let j = b_col[e];
            if b_live[e] != 0u && j < n {
                o_val[base + j] = fx_add_sat(o_val[base + j], fx_mul_sat(keep, b_val[e]));
            }
        }
    } else if lid == 0u {
        for (var e = b_begin; e < b_end; e++) {
            let j = b_col[e];
            if b_live[e] != 0u && j < n {
                o_val[base + j] = fx_add_sat(o_val[base + j], fx_mul_sat(keep, b_val[e]));
            }
        }
    }
    storageBarrier();
    for (var j = lid; j < n; j += WG) {
        let v = o_val[base + j];
        o_live[base + j] = select(0u, 1u, v > 0li);
        o_val[base + j] = select(0li, v, v > 0li);
    }
}
