// Incentive stage: clipping at consensus, validator trust and ranks.
//   clipped_ij = w_ij if w_ij <= c_j; c_j if c_j > 0; dropped otherwise
//   trust_i    = Σ_j clipped_ij                       (wrapping)
//   rank_j     = Σ_i clipped_ij · active_stake_i      (saturating, in row order)
// incentive = normalize(rank) runs in normalize.wgsl.

@group(0) @binding(1) var<storage, read> w_val: array<i64>;
@group(0) @binding(2) var<storage, read> w_live: array<u32>;
@group(0) @binding(3) var<storage, read> w_entry: array<u32>;
@group(0) @binding(4) var<storage, read> w_row: array<u32>;
@group(0) @binding(5) var<storage, read> w_row_ptr: array<u32>;
@group(0) @binding(6) var<storage, read> w_col_ptr: array<u32>;
@group(0) @binding(7) var<storage, read> w_col_idx: array<u32>;
@group(0) @binding(8) var<storage, read> consensus: array<i64>;
@group(0) @binding(9) var<storage, read> active_stake: array<i64>;
@group(0) @binding(10) var<storage, read_write> c_val: array<i64>;
@group(0) @binding(11) var<storage, read_write> c_live: array<u32>;
@group(0) @binding(12) var<storage, read_write> trust: array<i64>;
@group(0) @binding(13) var<storage, read_write> rank: array<i64>;


@compute @workgroup_size(256)
fn clip(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_W, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let e = group * WG + lid3.x;
    if e >= params.nnz_w {
        return;
    }
    let v = w_val[params.o_x + e];
    let c = consensus[params.o_n + col_of(w_entry[params.o_e + e])];
    var live = w_live[params.o_x + e] != 0u;
    var out = v;
    if c < v {
        out = c;
        if c <= 0li {
            live = false;
        }
    }
    c_live[params.o_x + e] = select(0u, 1u, live);
    c_val[params.o_x + e] = select(0li, out, live);
}

// One workgroup per row.
@compute @workgroup_size(256)
fn validator_trust(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let i = enter(L_GROUPS_N, wid, nwg, lid3.x);
    if i == NONE {
        return;
    }
    let lid = lid3.x;
    if i >= params.n {
        return;
    }
    var acc = 0li;
    for (var e = w_row_ptr[params.o_n1 + i] + lid; e < w_row_ptr[params.o_n1 + i + 1u]; e += WG) {
        acc += c_val[params.o_x + e];
    }
    let total = workgroup_sum(lid, acc);
    if lid == 0u {
        trust[params.o_n + i] = total;
    }
}

// One thread per column, folding its entries in row order.
@compute @workgroup_size(256)
fn ranks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let j = group * WG + lid3.x;
    if j >= params.n {
        return;
    }
    var acc = 0li;
    for (var p = w_col_ptr[params.o_n1 + j]; p < w_col_ptr[params.o_n1 + j + 1u]; p++) {
        let e = w_col_idx[params.o_e + p];
        if c_live[params.o_x + e] != 0u {
            acc = fx_add_sat(acc, fx_mul_sat(active_stake[params.o_n + w_row[params.o_e + e]], c_val[params.o_x + e]));
        }
    }
    rank[params.o_n + j] = acc;
}
