// Weights for bonds when 0 < bonds_penalty < 65535 (otherwise the host binds the weights or
// the clipped weights themselves): per bond row, both matrices are densified (the last live
// duplicate wins) and  wb_ij = w_ij + p·(clipped_ij − w_ij)  kept where > 0, in column order.
// One workgroup per slot row; the result is a dense slot row.

@group(0) @binding(1) var<storage, read> w_val: array<i64>;
@group(0) @binding(2) var<storage, read> w_live: array<u32>;
@group(0) @binding(3) var<storage, read> c_val: array<i64>;
@group(0) @binding(4) var<storage, read> c_live: array<u32>;
@group(0) @binding(5) var<storage, read> w_entry: array<u32>;
@group(0) @binding(6) var<storage, read> w_row_ptr: array<u32>;
@group(0) @binding(7) var<storage, read> slot_rows: array<u32>;
@group(0) @binding(8) var<storage, read_write> o_val: array<i64>;
@group(0) @binding(9) var<storage, read_write> o_live: array<u32>;
@group(0) @binding(10) var<storage, read_write> clipped_dense: array<i64>;
@group(0) @binding(11) var<storage, read> w_distinct: array<u32>;

@compute @workgroup_size(256)
fn interpolate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let s = enter(L_GROUPS_S, wid, nwg, lid3.x);
    if s == NONE {
        return;
    }
    let lid = lid3.x;
    if s >= params.n_slots {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[params.o_s + s];
    for (var j = lid; j < n; j += WG) {
        o_val[params.o_x + base + j] = 0li;
        clipped_dense[params.o_x + base + j] = 0li;
    }
    storageBarrier();
    // Distinct columns scatter in parallel; a repeated column keeps its last live entry, so
    // such a row is written in storage order by one invocation.
    let parallel = w_distinct[params.o_n + r] != 0u;
    if parallel || lid == 0u {
        var e = w_row_ptr[params.o_n1 + r];
        var step = 1u;
        if parallel {
            e += lid;
            step = WG;
        }
        for (; e < w_row_ptr[params.o_n1 + r + 1u]; e += step) {
            if w_live[params.o_x + e] != 0u {
                o_val[params.o_x + base + col_of(w_entry[params.o_e + e])] = w_val[params.o_x + e];
            }
            if c_live[params.o_x + e] != 0u {
                clipped_dense[params.o_x + base + col_of(w_entry[params.o_e + e])] = c_val[params.o_x + e];
            }
        }
    }
    storageBarrier();
    for (var j = lid; j < n; j += WG) {
        let w = o_val[params.o_x + base + j];
        let v = fx_add_sat(w, fx_mul_sat(params.penalty, fx_sub_sat(clipped_dense[params.o_x + base + j], w)));
        o_live[params.o_x + base + j] = select(0u, 1u, v > 0li);
        o_val[params.o_x + base + j] = select(0li, v, v > 0li);
    }
}
