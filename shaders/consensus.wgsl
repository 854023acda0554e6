// Consensus stage: the stake-weighted median of each weight column over the validators
// (uids with active stake > 0, in uid order), implicit zeros included.
//   s_k      = active_stake_k / Σ active_stake (over validators; wrapping sum, safe division)
//   minority = Σ s_k − kappa                  (saturating)
//   c_j      = the chain's partition search: pivot = middle element of the current list (in
//              validator order); keep the values below the pivot while their stake (plus what
//              lies below them) exceeds the minority, the values above while what lies below
//              them stays ≤ the minority; else the pivot is the median.
// The current list is always {k : L < v_k < H} in validator order, so a round needs only the
// bounds (validator k's value is its last live entry in column j, 0 when absent). Saturating
// partial sums follow the chain's order exactly.

@group(0) @binding(1) var<storage, read_write> scal: array<i64>;
@group(0) @binding(2) var<storage, read> active_stake: array<i64>;
@group(0) @binding(3) var<storage, read_write> median_stake: array<i64>;
@group(0) @binding(4) var<storage, read_write> validator_pos: array<u32>;
@group(0) @binding(5) var<storage, read> w_val: array<i64>;
@group(0) @binding(6) var<storage, read> w_live: array<u32>;
@group(0) @binding(7) var<storage, read> w_row: array<u32>;
@group(0) @binding(8) var<storage, read> w_col_ptr: array<u32>;
@group(0) @binding(9) var<storage, read> w_col_idx: array<u32>;
@group(0) @binding(10) var<storage, read_write> consensus: array<i64>;


// One workgroup: validators compacted in uid order, their stakes normalized, the minority.
@compute @workgroup_size(256)
fn median_stakes(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    let n = params.n;
    let share = contiguous_chunk(lid, n);
    let begin = share.x;
    let end = share.y;
    var c = 0u;
    for (var i = begin; i < end; i++) {
        if active_stake[params.o_n + i] > 0li {
            c += 1u;
        }
    }
    var pos = workgroup_scan(lid, c) - c;
    let total_count = wg_scan[WG - 1u];
    for (var i = begin; i < end; i++) {
        if active_stake[params.o_n + i] > 0li {
            validator_pos[params.o_n + i] = pos;
            median_stake[params.o_n + pos] = active_stake[params.o_n + i];
            pos += 1u;
        } else {
            validator_pos[params.o_n + i] = NONE;
        }
    }
    // Other invocations read the compacted stakes next: make the storage writes visible.
    storageBarrier();
    var acc = 0li;
    for (var p = lid; p < total_count; p += WG) {
        acc += median_stake[params.o_n + p];
    }
    let stake_total = workgroup_sum(lid, acc);
    let sum = stake_total;
    workgroupBarrier();
    var acc2 = 0li;
    for (var p = lid; p < total_count; p += WG) {
        var s = median_stake[params.o_n + p];
        if sum != 0li {
            s = fx_safe_div(s, sum);
            median_stake[params.o_n + p] = s;
        }
        acc2 += s;
    }
    let median_total = workgroup_sum(lid, acc2);
    if lid == 0u {
        scal[params.epoch * SCAL_CELLS + S_N_VALIDATORS] = i64(total_count);
        scal[params.epoch * SCAL_CELLS + S_MEDIAN_TOTAL] = median_total;
        scal[params.epoch * SCAL_CELLS + S_MINORITY] = fx_sub_sat(median_total, params.kappa);
    }
}

// Walks column j in validator order. `next_value` returns validator p's value (call with p
// increasing from 0); `cursor` is the position in the column's entry list.
fn next_value(p: u32, cursor: ptr<function, u32>, end: u32) -> i64 {
    var v = 0li;
    loop {
        if *cursor >= end {
            break;
        }
        let e = w_col_idx[params.o_e + *cursor];
        let q = validator_pos[params.o_n + w_row[params.o_e + e]];
        if q == NONE || w_live[params.o_x + e] == 0u || q < p {
            *cursor += 1u;
            continue;
        }
        if q == p {
            v = w_val[params.o_x + e];
            *cursor += 1u;
            continue;
        }
        break;
    }
    return v;
}

// The partition search: the current list is {k : lo < v_k < hi} (each bound optional), in
// validator order, and its stakes span [part_lo, part_hi].
struct Search {
    lo: i64,
    hi: i64,
    has_lo: bool,
    has_hi: bool,
    part_lo: i64,
    part_hi: i64,
    done: bool,
    result: i64,
}

fn search_start(total: i64) -> Search {
    return Search(0li, 0li, false, false, 0li, total, false, 0li);
}

fn search_contains(s: Search, v: i64) -> bool {
    return (!s.has_lo || v > s.lo) && (!s.has_hi || v < s.hi);
}

// One round, as the chain decides it: keep the values below the pivot when the minority lies
// below their stake, else those above when it lies at or above what precedes them, else stop
// at the pivot.
fn search_step(s: Search, minority: i64, pivot: i64, lo_stake: i64, hi_stake: i64, any_lo: bool, any_hi: bool) -> Search {
    var next = s;
    if minority < fx_add_sat(s.part_lo, lo_stake) && any_lo {
        next.part_hi = fx_add_sat(s.part_lo, lo_stake);
        next.hi = pivot;
        next.has_hi = true;
    } else if fx_sub_sat(s.part_hi, hi_stake) <= minority && any_hi {
        next.part_lo = fx_sub_sat(s.part_hi, hi_stake);
        next.lo = pivot;
        next.has_lo = true;
    } else {
        next.done = true;
        next.result = pivot;
    }
    return next;
}

// The chain's search for column j by one invocation, reading the column list on every pass
// (used when there are more validators than fit in workgroup memory).
fn median_sequential(j: u32) -> i64 {
    let count = u32(scal[params.epoch * SCAL_CELLS + S_N_VALIDATORS]);
    let minority = scal[params.epoch * SCAL_CELLS + S_MINORITY];
    let col_begin = w_col_ptr[params.o_n1 + j];
    let col_end = w_col_ptr[params.o_n1 + j + 1u];
    var search = search_start(scal[params.epoch * SCAL_CELLS + S_MEDIAN_TOTAL]);
    var rounds = 0u;
    var result = 0li;
    loop {
        // Length of the current list.
        var len = 0u;
        var cur = col_begin;
        for (var p = 0u; p < count; p++) {
            if search_contains(search, next_value(p, &cur, col_end)) {
                len += 1u;
            }
        }
        if len == 0u {
            result = 0li;
            break;
        }
        // The pivot (middle element) and the stakes strictly below and above it.
        let mid = len / 2u;
        var pivot = 0li;
        var seen = 0u;
        cur = col_begin;
        for (var p = 0u; p < count; p++) {
            let v = next_value(p, &cur, col_end);
            if search_contains(search, v) {
                if seen == mid {
                    pivot = v;
                    break;
                }
                seen += 1u;
            }
        }
        if len == 1u {
            result = pivot;
            break;
        }
        var lo_stake = 0li;
        var hi_stake = 0li;
        var n_lo = 0u;
        var n_hi = 0u;
        cur = col_begin;
        for (var p = 0u; p < count; p++) {
            let v = next_value(p, &cur, col_end);
            if search_contains(search, v) {
                if v < pivot {
                    lo_stake = fx_add_sat(lo_stake, median_stake[params.o_n + p]);
                    n_lo += 1u;
                } else if v > pivot {
                    hi_stake = fx_add_sat(hi_stake, median_stake[params.o_n + p]);
                    n_hi += 1u;
                }
            }
        }
        search = search_step(search, minority, pivot, lo_stake, hi_stake, n_lo > 0u, n_hi > 0u);
        if search.done {
            result = search.result;
            break;
        }
        rounds += 1u;
        if rounds > count {
            result = 0li;
            break;
        }
    }
    return result;
}

const SHARED_VALIDATORS: u32 = 1024u;

// More validators than workgroup memory holds: one invocation per column (the kernel above
// does nothing then, and this one does nothing otherwise).
@compute @workgroup_size(256)
fn weighted_median_wide(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let j = group * WG + lid3.x;
    if j >= params.n || u32(scal[params.epoch * SCAL_CELLS + S_N_VALIDATORS]) <= SHARED_VALIDATORS {
        return;
    }
    consensus[params.o_n + j] = median_sequential(j);
}

var<workgroup> col_val: array<i64, 1024>;
var<workgroup> shared_value: i64;

// scal[k], workgroup-uniform.
fn uniform_scal(lid: u32, k: u32) -> i64 {
    if lid == 0u {
        shared_value = scal[params.epoch * SCAL_CELLS + k];
    }
    let v = workgroupUniformLoad(&shared_value);
    workgroupBarrier();
    return v;
}

// One workgroup per column (up to 1,024 validators): the column's value of every validator in
// workgroup memory, and each round of the partition search as parallel counts, a scan for the
// pivot, and the stake sums.
@compute @workgroup_size(256)
fn weighted_median(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let j = enter(L_GROUPS_N, wid, nwg, lid3.x);
    if j == NONE {
        return;
    }
    let lid = lid3.x;
    if j >= params.n {
        return;
    }
    let count = u32(uniform_scal(lid, S_N_VALIDATORS));
    if count > SHARED_VALIDATORS {
        return;
    }
    let minority = uniform_scal(lid, S_MINORITY);
    let part_hi = uniform_scal(lid, S_MEDIAN_TOTAL);
    for (var p = lid; p < count; p += WG) {
        col_val[p] = 0li;
    }
    workgroupBarrier();
    // Validator k's value: the last live entry of its row in this column (duplicates of one row
    // are adjacent in the column list, and share liveness).
    let col_begin = w_col_ptr[params.o_n1 + j];
    let col_end = w_col_ptr[params.o_n1 + j + 1u];
    for (var t = col_begin + lid; t < col_end; t += WG) {
        let e = w_col_idx[params.o_e + t];
        let r = w_row[params.o_e + e];
        let q = validator_pos[params.o_n + r];
        let last_of_row = t + 1u == col_end || w_row[params.o_e + w_col_idx[params.o_e + t + 1u]] != r;
        if q != NONE && w_live[params.o_x + e] != 0u && last_of_row {
            col_val[q] = w_val[params.o_x + e];
        }
    }
    workgroupBarrier();

    var search = search_start(part_hi);
    var rounds = 0u;
    var result = 0li;
    loop {
        var c = 0li;
        for (var p = lid; p < count; p += WG) {
            if search_contains(search, col_val[p]) {
                c += 1li;
            }
        }
        let len = u32(workgroup_sum(lid, c));
        if len == 0u {
            result = 0li;
            break;
        }
        // The pivot: the (len/2)-th value of the current list, in validator order.
        let mid = len / 2u;
        var seen = 0u;
        for (var base = 0u; base < count; base += WG) {
            let p = base + lid;
            var flag = 0u;
            var v = 0li;
            if p < count {
                v = col_val[p];
                if search_contains(search, v) {
                    flag = 1u;
                }
            }
            let rank = workgroup_scan(lid, flag);
            if flag == 1u && seen + rank == mid + 1u {
                shared_value = v;
            }
            seen += workgroup_scan_total();
        }
        let pivot = workgroupUniformLoad(&shared_value);
        workgroupBarrier();
        if len == 1u {
            result = pivot;
            break;
        }
        var lo_count = 0li;
        var hi_count = 0li;
        var lo_part = 0li;
        var hi_part = 0li;
        for (var p = lid; p < count; p += WG) {
            let v = col_val[p];
            if search_contains(search, v) {
                if v < pivot {
                    lo_count += 1li;
                    lo_part = fx_add_sat(lo_part, median_stake[params.o_n + p]);
                } else if v > pivot {
                    hi_count += 1li;
                    hi_part = fx_add_sat(hi_part, median_stake[params.o_n + p]);
                }
            }
        }
        let n_lo = workgroup_sum(lid, lo_count);
        let n_hi = workgroup_sum(lid, hi_count);
        // The stakes s_k = x_k / S (x_k > 0) all have the sign of S, and a saturating sum of
        // same-sign terms is the clamped exact sum in any grouping: the tree equals the chain's
        // sequential sum.
        let lo_stake = workgroup_sat_sum(lid, lo_part);
        let hi_stake = workgroup_sat_sum(lid, hi_part);
        search = search_step(search, minority, pivot, lo_stake, hi_stake, n_lo > 0li, n_hi > 0li);
        if search.done {
            result = search.result;
            break;
        }
        rounds += 1u;
        if rounds > count {
            result = 0li;
            break;
        }
    }
    if lid == 0u {
        consensus[params.o_n + j] = result;
    }
}
