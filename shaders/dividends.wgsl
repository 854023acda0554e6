// Dividends from the final bonds matrix (CSR entries or dense slot rows), one thread per row.
//   Yuma 2: d_i = Σ_j b_ij · incentive_j                (saturating, in row order)
//   Yuma 3: t_i = Σ_j bnorm_ij · incentive_j (wrapping),  d_i = t_i · S_i (0 on overflow)
// Columns ≥ n read incentive 0 (Yuma 2) or are skipped (Yuma 3). normalize.wgsl follows.

@group(0) @binding(7) var<storage, read> incentive: array<i64>;
@group(0) @binding(8) var<storage, read> active_stake: array<i64>;
@group(0) @binding(9) var<storage, read_write> dividends: array<i64>;

@compute @workgroup_size(256)
fn dividends_yuma2(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let i = group * WG + lid3.x;
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var acc = 0li;
    for (var k = r.begin; k < r.end; k++) {
        if m_live[params.o_x + k] != 0u {
            let j = entry_col(k, r.base);
            var inc = 0li;
            if j < params.n {
                inc = incentive[params.o_n + j];
            }
            acc = fx_add_sat(acc, fx_mul_sat(inc, m_val[params.o_x + k]));
        }
    }
    dividends[params.o_n + i] = acc;
}

@compute @workgroup_size(256)
fn dividends_yuma3(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let i = group * WG + lid3.x;
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var total = 0li;
    for (var k = r.begin; k < r.end; k++) {
        let j = entry_col(k, r.base);
        if m_live[params.o_x + k] != 0u && j < params.n {
            total += fx_mul_sat(m_val[params.o_x + k], incentive[params.o_n + j]);
        }
    }
    let d = fx_mul_checked(total, active_stake[params.o_n + i]);
    dividends[params.o_n + i] = select(0li, d.value, d.ok);
}
