// Dividends from the final bonds matrix (CSR entries or dense slot rows), one thread per row.
//   Yuma 2: d_i = Σ_j b_ij · incentive_j                (saturating, in row order)
//   Yuma 3: t_i = Σ_j bnorm_ij · incentive_j (wrapping),  d_i = t_i · S_i (0 on overflow)
// Columns ≥ n read incentive 0 (Yuma 2) or are skipped (Yuma 3). normalize.wgsl follows.

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> view: MatView;
@group(0) @binding(2) var<storage, read> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(5) var<storage, read> m_col: array<u32>;
@group(0) @binding(6) var<storage, read> row_slot: array<u32>;
@group(0) @binding(7) var<storage, read> incentive: array<i64>;
@group(0) @binding(8) var<storage, read> active_stake: array<i64>;
@group(0) @binding(9) var<storage, read_write> dividends: array<i64>;

struct RowRange {
    begin: u32,
    end: u32,
    base: u32,
}

fn row_range(i: u32) -> RowRange {
    if view.dense != 0u {
        let s = row_slot[i];
        if s == NONE {
            return RowRange(0u, 0u, 0u);
        }
        return RowRange(s * params.n, s * params.n + params.n, s * params.n);
    }
    return RowRange(m_row_ptr[i], m_row_ptr[i + 1u], 0u);
}

fn entry_col(k: u32, base: u32) -> u32 {
    if view.dense != 0u {
        return k - base;
    }
    return m_col[k];
}

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
