// Weights stage: the four masks and the row normalization, on the weight entries (CSR in
// storage order, columns ≥ n already dropped when read). An entry (i, j) stays live unless
//   i has no (old) permit; or j = i and i ≠ owner (the diagonal);
//   last_update_i <= registered_j (outdated);
//   commit-reveal is on and commit_block_i < registered_j.
// Live values are the stored u16 as I32F32 integers, then w_ij / Σ_j w_ij (wrapping sum) for
// rows whose sum is > 0. `mask_weights` also writes each entry's row into `w_row`, which the
// later stages read: the i with w_row_ptr[i] <= e < w_row_ptr[i + 1].

@group(0) @binding(1) var<storage, read> w_entry: array<u32>;
@group(0) @binding(3) var<storage, read_write> w_row: array<u32>;
@group(0) @binding(4) var<storage, read> w_row_ptr: array<u32>;
@group(0) @binding(5) var<storage, read> old_permit: array<u32>;
@group(0) @binding(6) var<storage, read> last_update: array<u64>;
@group(0) @binding(7) var<storage, read> registered: array<u64>;
@group(0) @binding(8) var<storage, read> commit_block: array<u64>;
@group(0) @binding(9) var<storage, read_write> w_val: array<i64>;
@group(0) @binding(10) var<storage, read_write> w_live: array<u32>;


@compute @workgroup_size(256)
fn mask_weights(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_W, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let e = group * WG + lid3.x;
    if e >= params.nnz_w {
        return;
    }
    // The last row starting at or before e (rows in between may be empty).
    var lo = 0u;
    var hi = params.n - 1u;
    while lo < hi {
        let mid = hi - (hi - lo) / 2u;
        if w_row_ptr[params.o_n1 + mid] <= e {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    let i = lo;
    w_row[params.o_e + e] = i;
    let j = col_of(w_entry[params.o_e + e]);
    var live = old_permit[params.o_n + i] != 0u;
    if j == i && i != params.owner {
        live = false;
    }
    if last_update[params.o_n + i] <= registered[params.o_n + j] {
        live = false;
    }
    if (params.flags & FLAG_COMMIT_REVEAL) != 0u && commit_block[params.o_n + i] < registered[params.o_n + j] {
        live = false;
    }
    w_live[params.o_x + e] = select(0u, 1u, live);
    w_val[params.o_x + e] = select(0li, bitcast<i64>(u64(raw_of(w_entry[params.o_e + e])) << 32u), live);
}

// One workgroup per row.
@compute @workgroup_size(256)
fn row_normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let i = enter(L_GROUPS_N, wid, nwg, lid3.x);
    if i == NONE {
        return;
    }
    let lid = lid3.x;
    if i >= params.n {
        return;
    }
    let begin = w_row_ptr[params.o_n1 + i];
    let end = w_row_ptr[params.o_n1 + i + 1u];
    var acc = 0li;
    for (var e = begin + lid; e < end; e += WG) {
        acc += w_val[params.o_x + e];
    }
    let total = workgroup_sum(lid, acc);
    let sum = total;
    if sum > 0li {
        for (var e = begin + lid; e < end; e += WG) {
            w_val[params.o_x + e] = fx_safe_div(w_val[params.o_x + e], sum);
        }
    }
}
