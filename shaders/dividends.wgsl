// Dividends from the final bonds matrix (CSR entries or dense slot rows), one thread per row.
//   Yuma 2: d_i = Σ_j b_ij · incentive_j                (saturating, in row order)
//   Yuma 3: t_i = Σ_j bnorm_ij · incentive_j (wrapping),  d_i = t_i · S_i (0 on overflow)
// Columns ≥ n read incentive 0 (Yuma 2) or are skipped (Yuma 3). normalize.wgsl follows.

@group(0) @binding(7) var<storage, read> incentive: array<i64>;
@group(0) @binding(8) var<storage, read> active_stake: array<i64>;
@group(0) @binding(9) var<storage, read_write> dividends: array<i64>;

@compute @workgroup_size(256)
fn dividends_yuma2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_id(gid, nwg);
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var acc = 0li;
    for (var k = r.begin; k < r.end; k++) {
        if m_live[k] != 0u {
            let j = entry_col(k, r.base);
            var inc = 0li;
            if j < params.n {
                inc = incentive[j];
            }
            acc = fx_add_sat(acc, fx_mul_sat(inc, m_val[k]));
        }
    }
    dividends[i] = acc;
}

@compute @workgroup_size(256)
fn dividends_yuma3(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_id(gid, nwg);
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var total = 0li;
    for (var k = r.begin; k < r.end; k++) {
        let j = entry_col(k, r.base);
        if m_live[k] != 0u && j < params.n {
            total += fx_mul_sat(m_val[k], incentive[j]);
        }
    }
    let d = fx_mul_checked(total, active_stake[i]);
    dividends[i] = select(0li, d.value, d.ok);
}
