// Test-only kernel for shaders/fixed.wgsl (prepended): applies one library function, chosen
// by `params.op`, to every case. Case i reads a = (inputs[4i], inputs[4i+1]) and
// b = (inputs[4i+2], inputs[4i+3]) as (lo, hi) words; 64-bit operands use the lo word.
// It writes (lo, hi, ok) to outputs[3i..3i+3].

struct Params {
    op: u32,
    count: u32,
    row_pitch: u32, // invocations per row of the 2-D dispatch
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> inputs: array<u64>;
@group(0) @binding(2) var<storage, read_write> outputs: array<u64>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let idx = gid.x + gid.y * params.row_pitch;
    if idx >= params.count {
        return;
    }
    let a = I128(inputs[4u * idx], inputs[4u * idx + 1u]);
    let b = I128(inputs[4u * idx + 2u], inputs[4u * idx + 3u]);
    let ai = i64(a.lo);
    let bi = i64(b.lo);
    var r = I128(0lu, 0lu);
    var ok = true;
    switch params.op {
        case 0u: { r.lo = u64(fx_add_sat(ai, bi)); }
        case 1u: { r.lo = u64(fx_sub_sat(ai, bi)); }
        case 2u: { r.lo = u64(fx_mul_sat(ai, bi)); }
        case 3u: {
            let c = fx_mul_checked(ai, bi);
            r.lo = u64(c.value);
            ok = c.ok;
        }
        case 4u: {
            let c = fx_div_checked(ai, bi);
            r.lo = u64(c.value);
            ok = c.ok;
        }
        case 5u: { r.lo = u64(fx_safe_div(ai, bi)); }
        case 6u: { r.lo = u64(fx_div_sat(ai, bi)); }
        case 7u: { r.lo = u64(fx_to_u16_proportion(ai)); }
        case 8u: { r.lo = u64(fx_exp_safe(ai)); }
        case 9u: { r = i128_from_i64(ai); }
        case 10u: { r = i128_add_wrap(a, b); }
        case 11u: { r = i128_add_sat(a, b); }
        case 12u: { ok = i128_is_zero(a); }
        case 13u: { ok = i128_is_neg(a); }
        case 14u: { ok = i128_lt(a, b); }
        case 15u: { r = i64f64_from_u64_sat(a.lo); }
        case 16u: { r = i64f64_mul_sat(a, b); }
        case 17u: {
            let c = i64f64_div_checked(a, b);
            r = c.value;
            ok = c.ok;
        }
        case 18u: { r.lo = u64(i64f64_to_i32f32_sat(a)); }
        case 19u: { r.lo = i64f64_to_u64_sat(a); }
        case 20u: { r.lo = fx_rao(ai, b.lo); }
        default: { ok = false; }
    }
    outputs[3u * idx] = r.lo;
    outputs[3u * idx + 1u] = r.hi;
    outputs[3u * idx + 2u] = select(0lu, 1lu, ok);
}
