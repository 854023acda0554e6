// Bonds read: stored u16 bonds as I32F32 (Yuma 2: the integer b; Yuma 3: b / 65535), and the
// "registered since the last step" mask: column j is dropped when last_tempo <= registered_j
// (a column ≥ n reads registration 0). Columns ≥ n are kept, as the chain keeps them.

@group(0) @binding(1) var<storage, read> b_entry: array<u32>;
@group(0) @binding(3) var<storage, read> registered: array<u64>;
@group(0) @binding(4) var<storage, read_write> b_val: array<i64>;
@group(0) @binding(5) var<storage, read_write> b_live: array<u32>;

@compute @workgroup_size(256)
fn read_bonds(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_B, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let e = group * WG + lid3.x;
    if e >= params.nnz_b {
        return;
    }
    let j = col_of(b_entry[params.o_e + e]);
    var reg = 0lu;
    if j < params.n {
        reg = registered[params.o_n + j];
    }
    let live = params.last_tempo > reg;
    var v = bitcast<i64>(u64(raw_of(b_entry[params.o_e + e])) << 32u);
    if (params.flags & FLAG_YUMA3) != 0u {
        v = fx_safe_div(v, bitcast<i64>(65535lu << 32u));
    }
    b_live[params.o_x + e] = select(0u, 1u, live);
    b_val[params.o_x + e] = select(0li, v, live);
}
