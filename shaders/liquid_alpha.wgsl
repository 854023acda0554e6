// Liquid alpha (Yuma 3, when enabled and some consensus ≠ 0, as bonds_branch.wgsl decides;
// otherwise these kernels do nothing and ema.wgsl's fixed-rate EMA runs): a per-entry EMA rate
//   α_ij = clamp(low + σ·(high − low), low, high),
//   σ    = 1 / (1 + exp_safe(steepness/(−100) · (d − ½))),
//   d    = clamp(w − c_j, 0, 1) if w ≥ b, else clamp(b − w, 0, 1),
// where w and b are what the chain's ascending merge of the W_b row and the bond row reads at
// column j (it assumes sorted rows, so an unsorted row can read 0). α is computed only at the
// columns of W_b's row, the only ones the EMA reads. Then (`mat_ema_alpha_sparse`)
//   decayed_j = (1 − α_ij)·b_ij (last live bond on j wins),
//   ema_ij    = min(decayed_j + max(α_ij·w_ij, 0), 1) for each W_b entry, kept when > 0.

@group(0) @binding(1) var<storage, read> view: array<MatView>;
@group(0) @binding(2) var<storage, read> m_val: array<i64>;
@group(0) @binding(3) var<storage, read> m_live: array<u32>;
@group(0) @binding(4) var<storage, read> m_row_ptr: array<u32>;
@group(0) @binding(5) var<storage, read> m_entry: array<u32>;
@group(0) @binding(6) var<storage, read> m_sorted: array<u32>;
@group(0) @binding(7) var<storage, read> slot_rows: array<u32>;
@group(0) @binding(8) var<storage, read> consensus: array<i64>;
@group(0) @binding(9) var<storage, read> b_entry: array<u32>;
@group(0) @binding(10) var<storage, read> b_val: array<i64>;
@group(0) @binding(11) var<storage, read> b_live: array<u32>;
@group(0) @binding(12) var<storage, read> b_row_ptr: array<u32>;
@group(0) @binding(13) var<storage, read_write> alpha_dense: array<i64>;
@group(0) @binding(14) var<storage, read_write> decayed: array<i64>;
@group(0) @binding(15) var<storage, read_write> o_val: array<i64>;
@group(0) @binding(16) var<storage, read_write> o_live: array<u32>;
@group(0) @binding(17) var<storage, read> scal: array<i64>;
@group(0) @binding(18) var<storage, read> b_distinct: array<u32>;
@group(0) @binding(19) var<storage, read_write> merged_w: array<i64>;

const ONE: i64 = 4294967296li;
const HALF: i64 = 2147483648li;

fn clamp_fx(v: i64, lo: i64, hi: i64) -> i64 {
    return max(min(v, hi), lo);
}

fn alpha_sigmoid(c: i64, w: i64, b: i64) -> i64 {
    let buy = clamp_fx(fx_sub_sat(w, c), 0li, ONE);
    let sell = clamp_fx(fx_sub_sat(b, w), 0li, ONE);
    let d = select(sell, buy, w >= b);
    let slope = fx_div_sat(params.steepness, -429496729600li);
    let e = fx_exp_safe(fx_mul_sat(slope, fx_sub_sat(d, HALF)));
    let sigmoid = fx_div_sat(ONE, fx_add_sat(ONE, e));
    let a = fx_add_sat(params.alpha_low, fx_mul_sat(sigmoid, fx_sub_sat(params.alpha_high, params.alpha_low)));
    return clamp_fx(a, params.alpha_low, params.alpha_high);
}

// The bond row's value at column j for the chain's forward merge (live entries only).
fn merged_bond(cursor: ptr<function, u32>, end: u32, j: u32) -> i64 {
    loop {
        if *cursor >= end {
            return 0li;
        }
        let e = *cursor;
        if b_live[params.o_x + e] == 0u || col_of(b_entry[params.o_e + e]) < j {
            *cursor += 1u;
            continue;
        }
        return select(0li, b_val[params.o_x + e], col_of(b_entry[params.o_e + e]) == j);
    }
    return 0li;
}

// The W_b row's value at column j for the forward merge (CSR entries, live only).
fn merged_weight(cursor: ptr<function, u32>, end: u32, j: u32) -> i64 {
    loop {
        if *cursor >= end {
            return 0li;
        }
        let e = *cursor;
        if m_live[params.o_x + e] == 0u || col_of(m_entry[params.o_e + e]) < j {
            *cursor += 1u;
            continue;
        }
        return select(0li, m_val[params.o_x + e], col_of(m_entry[params.o_e + e]) == j);
    }
    return 0li;
}

// One thread per slot row: the forward merge of the W_b row and the bond row, recording at
// each of the row's columns the weight (`merged_w`) and the bond (`decayed`, free until
// ema_liquid) the chain's merge reads there. Only the merge is sequential; α follows in
// parallel (liquid_alpha).
@compute @workgroup_size(64)
fn liquid_merge(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS64_S, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let s = group * 64u + lid3.x;
    if s >= params.n_slots || scal[params.epoch * SCAL_CELLS + S_LIQUID] == 0li {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[params.o_s + s];
    var bc = b_row_ptr[params.o_n1 + r];
    let b_end = b_row_ptr[params.o_n1 + r + 1u];
    if view[params.epoch].dense != 0u {
        for (var j = 0u; j < n; j++) {
            if m_live[params.o_x + base + j] != 0u {
                merged_w[params.o_x + base + j] = m_val[params.o_x + base + j];
                decayed[params.o_x + base + j] = merged_bond(&bc, b_end, j);
            }
        }
        return;
    }
    var wc = m_row_ptr[params.o_n1 + r];
    let w_end = m_row_ptr[params.o_n1 + r + 1u];
    var last = NONE;
    for (var t = m_row_ptr[params.o_n1 + r]; t < w_end; t++) {
        let j = col_of(m_entry[params.o_e + m_sorted[params.o_e + t]]);
        if j == last {
            continue;
        }
        last = j;
        merged_w[params.o_x + base + j] = merged_weight(&wc, w_end, j);
        decayed[params.o_x + base + j] = merged_bond(&bc, b_end, j);
    }
}

// One workgroup per slot row: α at each live W_b entry's column, from what the merge read there
// (repeated columns write the same value).
@compute @workgroup_size(256)
fn liquid_alpha(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let s = enter(L_GROUPS_S, wid, nwg, lid3.x);
    if s == NONE {
        return;
    }
    let lid = lid3.x;
    if s >= params.n_slots || scal[params.epoch * SCAL_CELLS + S_LIQUID] == 0li {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[params.o_s + s];
    var begin = base;
    var end = base + n;
    if view[params.epoch].dense == 0u {
        begin = m_row_ptr[params.o_n1 + r];
        end = m_row_ptr[params.o_n1 + r + 1u];
    }
    for (var k = begin + lid; k < end; k += WG) {
        if m_live[params.o_x + k] != 0u {
            var j = k - base;
            if view[params.epoch].dense == 0u {
                j = col_of(m_entry[params.o_e + k]);
            }
            alpha_dense[params.o_x + base + j] = alpha_sigmoid(consensus[params.o_n + j], merged_w[params.o_x + base + j], decayed[params.o_x + base + j]);
        }
    }
}

// One workgroup per slot row.
@compute @workgroup_size(256)
fn ema_liquid(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let s = enter(L_GROUPS_S, wid, nwg, lid3.x);
    if s == NONE {
        return;
    }
    let lid = lid3.x;
    if s >= params.n_slots || scal[params.epoch * SCAL_CELLS + S_LIQUID] == 0li {
        return;
    }
    let n = params.n;
    let base = s * n;
    let r = slot_rows[params.o_s + s];
    for (var j = lid; j < n; j += WG) {
        decayed[params.o_x + base + j] = 0li;
    }
    storageBarrier();
    // Distinct bond columns in parallel; a repeated column keeps its last live bond (one
    // invocation, storage order).
    let parallel = b_distinct[params.o_n + r] != 0u;
    if parallel || lid == 0u {
        var e = b_row_ptr[params.o_n1 + r];
        var step = 1u;
        if parallel {
            e += lid;
            step = WG;
        }
        for (; e < b_row_ptr[params.o_n1 + r + 1u]; e += step) {
            let j = col_of(b_entry[params.o_e + e]);
            if b_live[params.o_x + e] != 0u && j < n {
                decayed[params.o_x + base + j] = fx_mul_sat(fx_sub_sat(ONE, alpha_dense[params.o_x + base + j]), b_val[params.o_x + e]);
            }
        }
    }
    storageBarrier();
    var begin = base;
    var end = base + n;
    if view[params.epoch].dense == 0u {
        begin = m_row_ptr[params.o_n1 + r];
        end = m_row_ptr[params.o_n1 + r + 1u];
    }
    for (var k = begin + lid; k < end; k += WG) {
        var v = 0li;
        if m_live[params.o_x + k] != 0u {
            var j = k - base;
            if view[params.epoch].dense == 0u {
                j = col_of(m_entry[params.o_e + k]);
            }
            let a = alpha_dense[params.o_x + base + j];
            v = min(fx_add_sat(decayed[params.o_x + base + j], max(fx_mul_sat(a, m_val[params.o_x + k]), 0li)), ONE);
        }
        o_live[params.o_x + k] = select(0u, 1u, v > 0li);
        o_val[params.o_x + k] = select(0li, v, v > 0li);
    }
}
