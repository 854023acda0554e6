// Stake stage: total stake weight, threshold filter, activity, and the normalized stake.
//   total_i    = alpha_i + tao_i · tao_weight            (I64F64, saturating)
//   filtered_i = 0 if u64(total_i) < threshold and i ≠ owner, else total_i
//   stake_i    = I32F32(filtered_i / Σ filtered)          (wrapping sum, safe division)
//   inactive_i = last_update_i + activity_cutoff < block  (saturating add)

@group(0) @binding(1) var<storage, read_write> scal: array<i64>;
@group(0) @binding(2) var<storage, read> alpha_stake: array<u64>;
@group(0) @binding(3) var<storage, read> tao_stake: array<u64>;
@group(0) @binding(4) var<storage, read> last_update: array<u64>;
@group(0) @binding(5) var<storage, read_write> filtered: array<I128>;
@group(0) @binding(6) var<storage, read_write> stake: array<i64>;
@group(0) @binding(7) var<storage, read_write> stake_weight: array<u64>;
@group(0) @binding(8) var<storage, read_write> inactive: array<u32>;
@group(0) @binding(9) var<storage, read_write> stake_u16: array<u32>;

var<workgroup> sum_lo: array<u64, 256>;
var<workgroup> sum_hi: array<u64, 256>;

@compute @workgroup_size(256)
fn stake_total(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let i = group * WG + lid3.x;
    if i >= params.n {
        return;
    }
    let total = i128_add_sat(
        i64f64_from_u64_sat(alpha_stake[params.o_n + i]),
        i64f64_mul_sat(i64f64_from_u64_sat(tao_stake[params.o_n + i]), params.tao_weight),
    );
    let as_u64 = i64f64_to_u64_sat(total);
    stake_weight[params.o_n + i] = as_u64;
    var f = total;
    if i != params.owner && as_u64 < params.stake_threshold {
        f = I128(0lu, 0lu);
    }
    filtered[params.o_n + i] = f;
    var until = last_update[params.o_n + i] + params.activity_cutoff;
    if until < last_update[params.o_n + i] {
        until = 0xFFFFFFFFFFFFFFFFlu;
    }
    inactive[params.o_n + i] = select(0u, 1u, until < params.block);
}

// One workgroup: the wrapping I64F64 sum of the filtered stakes into scal[S_STAKE_SUM_*].
@compute @workgroup_size(256)
fn stake_sum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid.x) == NONE {
        return;
    }
    var acc = I128(0lu, 0lu);
    for (var i = lid.x; i < params.n; i += WG) {
        acc = i128_add_wrap(acc, filtered[params.o_n + i]);
    }
    sum_lo[lid.x] = acc.lo;
    sum_hi[lid.x] = acc.hi;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step /= 2u) {
        if lid.x < step {
            let s = i128_add_wrap(I128(sum_lo[lid.x], sum_hi[lid.x]), I128(sum_lo[lid.x + step], sum_hi[lid.x + step]));
            sum_lo[lid.x] = s.lo;
            sum_hi[lid.x] = s.hi;
        }
        workgroupBarrier();
    }
    if lid.x == 0u {
        scal[params.epoch * SCAL_CELLS + S_STAKE_SUM_LO] = bitcast<i64>(sum_lo[0]);
        scal[params.epoch * SCAL_CELLS + S_STAKE_SUM_HI] = bitcast<i64>(sum_hi[0]);
    }
}

@compute @workgroup_size(256)
fn stake_normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let group = enter(L_ITEMS_N, wid, nwg, lid3.x);
    if group == NONE {
        return;
    }
    let i = group * WG + lid3.x;
    if i >= params.n {
        return;
    }
    let sum = I128(bitcast<u64>(scal[params.epoch * SCAL_CELLS + S_STAKE_SUM_LO]), bitcast<u64>(scal[params.epoch * SCAL_CELLS + S_STAKE_SUM_HI]));
    var v = filtered[params.o_n + i];
    if !i128_is_zero(sum) {
        let q = i64f64_div_checked(v, sum);
        if q.ok {
            v = q.value;
        } else {
            v = I128(0lu, 0lu);
        }
    }
    let s = i64f64_to_i32f32_sat(v);
    stake[params.o_n + i] = s;
    stake_u16[params.o_n + i] = fx_to_u16_proportion(s);
}
