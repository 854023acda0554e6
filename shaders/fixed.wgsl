// fixed.wgsl — substrate-fixed 0.6.0 fixed-point arithmetic in WGSL, exact to the bit.
//
// This file holds declarations only (structs, consts, fns; no bindings, no entry points). It is
// prepended to every kernel: concat!(include_str!("fixed.wgsl"), include_str!("<stage>.wgsl")).
//
// Why native 64-bit integers: every adapter we target exposes wgpu::Features::SHADER_INT64
// (Mesa lavapipe, NVIDIA and AMD through Vulkan's shaderInt64, Apple through Metal's 64-bit
// integers), and naga accepts i64/u64 (literal suffixes `li`/`lu`) once that feature is on. The
// alternative, emulating every 64-bit value as a pair of u32 with manual carries, costs 3-4x the
// instructions and registers. WGSL `+ - *` on i64/u64 wrap (two's complement); the wrapping
// operations below rely on that.
//
// Representations (raw bits, as `to_bits()` on the Rust side):
//   I32F32 (FixedI64<U32>)   : i64, value x 2^32.
//   I128                     : two's-complement 128-bit integer, lo = bits 0..63, hi = bits 64..127.
//     I64F64 (FixedI128<U64>): I128, value x 2^64.
//     I96F32 (FixedI128<U32>): I128, value x 2^32 (only used inside fx_rao).
//     U64F64 / unsigned 128  : I128 read as unsigned (internal helpers prefixed fx_u128_).
//
// Rounding, as substrate-fixed does it:
//   multiplication: exact double-width product, then an arithmetic shift (floor, toward -inf);
//   division: (a << frac) / b on the double-width integers, truncated toward zero (sign-magnitude);
//   narrowing conversions and to_num: floor; every overflow check is exact (no false positives).

struct I128 {
    lo: u64,
    hi: u64,
}

struct FxChecked {
    value: i64,
    ok: bool,
}

struct I128Checked {
    value: I128,
    ok: bool,
}

// Private: an unsigned 64-bit result with an ok flag.
struct FxU64Checked {
    value: u64,
    ok: bool,
}

const FX_MAX: i64 = 9223372036854775807li;
const FX_MIN: i64 = i64(0x8000000000000000lu);
const FX_ONE: i64 = 4294967296li;
const FX_LO32: u64 = 0xFFFFFFFFlu;
const FX_U64_MAX: u64 = 0xFFFFFFFFFFFFFFFFlu;
const FX_SIGN64: u64 = 0x8000000000000000lu;
// exp(1) as substrate-fixed returns it: transcendental::E is an I9F23 (e truncated to 23
// fractional bits, 0x15bf0a8), converted to I32F32: 0x2_b7e1_5000 (2.71828174591064453125).
const FX_E_BITS: i64 = 0x2b7e15000li;
// exp_safe clamps its input to [-20, 20].
const FX_EXP_CLAMP: i64 = 85899345920li; // 20 << 32
const FX_EXP_CLAMP_NEG: i64 = -85899345920li;
// I32F32::MAX - 1.0: the largest operand for which operand + 1 does not overflow.
const FX_MAX_MINUS_ONE: u64 = 0x7FFFFFFEFFFFFFFFlu;
const FX_I128_MAX_HI: u64 = 0x7FFFFFFFFFFFFFFFlu;

// ---------------------------------------------------------------------------------------------
// 64 x 64 -> 128-bit products (from 32-bit limbs, no loops)
// ---------------------------------------------------------------------------------------------

// Unsigned full product a * b as a 128-bit value.
fn fx_mul_wide_u64(a: u64, b: u64) -> I128 {
    let a0 = a & FX_LO32;
    let a1 = a >> 32u;
    let b0 = b & FX_LO32;
    let b1 = b >> 32u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // < 3 * 2^32: no overflow.
    let mid = (p00 >> 32u) + (p01 & FX_LO32) + (p10 & FX_LO32);
    return I128((mid << 32u) | (p00 & FX_LO32), p11 + (p01 >> 32u) + (p10 >> 32u) + (mid >> 32u));
}

// Signed full product a * b (two's complement 128-bit): unsigned product of the bit patterns,
// minus 2^64 * (b if a < 0) and 2^64 * (a if b < 0), modulo 2^128.
fn fx_mul_wide_i64(a: i64, b: i64) -> I128 {
    let p = fx_mul_wide_u64(u64(a), u64(b));
    let corr = select(0lu, u64(b), a < 0li) + select(0lu, u64(a), b < 0li);
    return I128(p.lo, p.hi - corr);
}

// |x| as u64 (|i64::MIN| = 2^63).
fn fx_abs_u64(x: i64) -> u64 {
    return select(u64(x), 0lu - u64(x), x < 0li);
}

// Leading zeros of a u64.
fn fx_clz64(x: u64) -> u32 {
    let hi = u32(x >> 32u);
    if hi != 0u {
        return countLeadingZeros(hi);
    }
    return 32u + countLeadingZeros(u32(x & FX_LO32));
}

// ---------------------------------------------------------------------------------------------
// I32F32
// ---------------------------------------------------------------------------------------------

fn fx_add_sat(a: i64, b: i64) -> i64 {
    let r = a + b;
    // Overflow iff a and b have the same sign and r has the other one.
    if (a < 0li) == (b < 0li) && (r < 0li) != (a < 0li) {
        return select(FX_MAX, FX_MIN, a < 0li);
    }
    return r;
}

fn fx_sub_sat(a: i64, b: i64) -> i64 {
    let r = a - b;
    if (a < 0li) != (b < 0li) && (r < 0li) != (a < 0li) {
        return select(FX_MAX, FX_MIN, a < 0li);
    }
    return r;
}

// checked_mul: bits 32..95 of the exact product (floor), ok iff bits 95..127 are all equal.
fn fx_mul_checked(a: i64, b: i64) -> FxChecked {
    let p = fx_mul_wide_i64(a, b);
    let v = i64((p.hi << 32u) | (p.lo >> 32u));
    let top = i64(p.hi) >> 31u;
    return FxChecked(v, top == 0li || top == -1li);
}

// saturating_mul: on overflow MIN if the operand signs differ, else MAX.
fn fx_mul_sat(a: i64, b: i64) -> i64 {
    let c = fx_mul_checked(a, b);
    if c.ok {
        return c.value;
    }
    return select(FX_MAX, FX_MIN, (a < 0li) != (b < 0li));
}

// floor(r * 2^32 / d) for r < d, d > 2^32 (so r << 32 does not fit in 64 bits); result < 2^32.
// One step of Knuth's algorithm D with 32-bit digits and a normalized two-digit divisor, where
// the q-hat correction test is exact.
fn fx_div_digit(r: u64, d: u64) -> u64 {
    let s = fx_clz64(d); // 0..31
    let dn = d << s;
    let rn = r << s; // < dn, no overflow
    let dh = dn >> 32u;
    let dl = dn & FX_LO32;
    var qhat = rn / dh;
    if qhat > FX_LO32 {
        qhat = FX_LO32;
    }
    var rhat = rn - qhat * dh;
    // numerator = rn * 2^32 (its low digit is 0); at most two corrections.
    if rhat <= FX_LO32 && qhat * dl > (rhat << 32u) {
        qhat = qhat - 1lu;
        rhat = rhat + dh;
        if rhat <= FX_LO32 && qhat * dl > (rhat << 32u) {
            qhat = qhat - 1lu;
        }
    }
    return qhat;
}

// floor(ua * 2^32 / ub) for ub != 0; ok = false when the quotient is >= 2^64.
fn fx_udiv_shl32(ua: u64, ub: u64) -> FxU64Checked {
    if ua <= FX_LO32 {
        // Common case (|a| < 1.0): ua << 32 fits, one native division.
        return FxU64Checked((ua << 32u) / ub, true);
    }
    if ua == 0x100000000lu {
        // |a| == 1.0 (reciprocals): floor(2^64 / ub) from floor((2^64 - 1) / ub).
        if ub == 1lu {
            return FxU64Checked(0lu, false); // 2^64
        }
        let q = FX_U64_MAX / ub;
        let r = FX_U64_MAX - q * ub;
        return FxU64Checked(q + select(0lu, 1lu, r == ub - 1lu), true);
    }
    // ua * 2^32 = (qh * ub + rh) * 2^32.
    let qh = ua / ub;
    if qh > FX_LO32 {
        return FxU64Checked(0lu, false);
    }
    let rh = ua - qh * ub;
    var ql: u64;
    if rh <= FX_LO32 {
        ql = (rh << 32u) / ub;
    } else {
        ql = fx_div_digit(rh, ub);
    }
    return FxU64Checked((qh << 32u) | ql, true);
}

// checked_div: (a << 32) / b truncated toward zero; ok = false when b == 0 or the quotient does
// not fit in i64.
fn fx_div_checked(a: i64, b: i64) -> FxChecked {
    if b == 0li {
        return FxChecked(0li, false);
    }
    let neg = (a < 0li) != (b < 0li);
    let q = fx_udiv_shl32(fx_abs_u64(a), fx_abs_u64(b));
    if !q.ok {
        return FxChecked(0li, false);
    }
    if neg {
        return FxChecked(i64(0lu - q.value), q.value <= FX_SIGN64);
    }
    return FxChecked(i64(q.value), q.value < FX_SIGN64);
}

// The chain's safe_div: checked_div or 0.
fn fx_safe_div(a: i64, b: i64) -> i64 {
    let c = fx_div_checked(a, b);
    return select(0li, c.value, c.ok);
}

// saturating_div: on overflow MIN if the operand signs differ, else MAX. substrate-fixed panics
// on b == 0; here b == 0 follows the same sign rule (a < 0 -> MIN, else MAX).
fn fx_div_sat(a: i64, b: i64) -> i64 {
    let c = fx_div_checked(a, b);
    if c.ok {
        return c.value;
    }
    return select(FX_MAX, FX_MIN, (a < 0li) != (b < 0li));
}

// saturating_to_num::<u16>(a.saturating_mul(I32F32::from_num(65535))). The product a * 65535
// is exact (the raw multiplier 65535 << 32 cancels the >> 32), so this is
// clamp(floor(a * 65535 / 2^32), 0, 65535); saturated products clamp the same way.
fn fx_to_u16_proportion(a: i64) -> u32 {
    if a <= 0li {
        return 0u;
    }
    if a >= FX_ONE {
        return 65535u;
    }
    return u32((u64(a) * 65535lu) >> 32u);
}

// substrate_fixed::transcendental::exp::<I32F32, I32F32>.
fn fx_exp(x: i64) -> FxChecked {
    if x == 0li {
        return FxChecked(FX_ONE, true);
    }
    if x == FX_ONE {
        return FxChecked(FX_E_BITS, true);
    }
    if x == FX_MIN {
        return FxChecked(0li, false); // checked_neg fails
    }
    let neg = x < 0li;
    let op = fx_abs_u64(x); // < 2^63
    if op > FX_MAX_MINUS_ONE {
        return FxChecked(0li, false); // operand + 1 overflows
    }
    var result = op + u64(FX_ONE);
    var term = op;
    for (var i = 2lu; i < 32lu; i = i + 1lu) {
        // term.checked_mul(operand): both non-negative, floor of the product >> 32.
        let p = fx_mul_wide_u64(term, op);
        if (p.hi >> 31u) != 0lu {
            return FxChecked(0li, false);
        }
        term = (p.hi << 32u) | (p.lo >> 32u);
        if term == 0lu {
            break; // every later term is 0 and adds nothing
        }
        // term.checked_div(from_num(i)): (term << 32) / (i << 32) == term / i (term >= 0).
        term = term / i;
        // result.checked_add(term), both non-negative.
        result = result + term;
        if result >= FX_SIGN64 {
            return FxChecked(0li, false);
        }
    }
    if neg {
        return fx_div_checked(FX_ONE, i64(result));
    }
    return FxChecked(i64(result), true);
}

// The chain's exp_safe: clamp to [-20, 20], exp; on error 0 if x <= 0, else MAX.
fn fx_exp_safe(x: i64) -> i64 {
    let c = select(select(x, FX_EXP_CLAMP_NEG, x < FX_EXP_CLAMP_NEG), FX_EXP_CLAMP, x > FX_EXP_CLAMP);
    let r = fx_exp(c);
    if r.ok {
        return r.value;
    }
    return select(FX_MAX, 0li, c <= 0li);
}

// ---------------------------------------------------------------------------------------------
// 128-bit integers
// ---------------------------------------------------------------------------------------------

fn fx_i128_max() -> I128 {
    return I128(FX_U64_MAX, FX_I128_MAX_HI);
}

fn fx_i128_min() -> I128 {
    return I128(0lu, FX_SIGN64);
}

// Saturation bound: MIN when neg, else MAX.
fn fx_i128_sat(neg: bool) -> I128 {
    return I128(select(FX_U64_MAX, 0lu, neg), select(FX_I128_MAX_HI, FX_SIGN64, neg));
}

fn i128_from_i64(x: i64) -> I128 {
    return I128(u64(x), u64(x >> 63u));
}

fn i128_add_wrap(a: I128, b: I128) -> I128 {
    let lo = a.lo + b.lo;
    return I128(lo, a.hi + b.hi + select(0lu, 1lu, lo < a.lo));
}

fn fx_i128_sub_wrap(a: I128, b: I128) -> I128 {
    return I128(a.lo - b.lo, a.hi - b.hi - select(0lu, 1lu, a.lo < b.lo));
}

fn fx_i128_neg(a: I128) -> I128 {
    return fx_i128_sub_wrap(I128(0lu, 0lu), a);
}

fn i128_is_zero(a: I128) -> bool {
    return (a.lo | a.hi) == 0lu;
}

fn i128_is_neg(a: I128) -> bool {
    return (a.hi & FX_SIGN64) != 0lu;
}

fn i128_add_sat(a: I128, b: I128) -> I128 {
    let r = i128_add_wrap(a, b);
    let na = i128_is_neg(a);
    if na == i128_is_neg(b) && i128_is_neg(r) != na {
        return fx_i128_sat(na);
    }
    return r;
}

fn i128_lt(a: I128, b: I128) -> bool {
    if a.hi != b.hi {
        return i64(a.hi) < i64(b.hi);
    }
    return a.lo < b.lo;
}

// Unsigned comparison a >= b.
fn fx_u128_ge(a: I128, b: I128) -> bool {
    if a.hi != b.hi {
        return a.hi > b.hi;
    }
    return a.lo >= b.lo;
}

// |a| as an unsigned 128-bit value (|i128::MIN| = 2^127).
fn fx_i128_abs(a: I128) -> I128 {
    if i128_is_neg(a) {
        return fx_i128_neg(a);
    }
    return a;
}

// ---------------------------------------------------------------------------------------------
// I64F64
// ---------------------------------------------------------------------------------------------

// I64F64::saturating_from_num(u64): x >= 2^63 saturates to I64F64::MAX.
fn i64f64_from_u64_sat(x: u64) -> I128 {
    if x >= FX_SIGN64 {
        return fx_i128_max();
    }
    return I128(0lu, x);
}

// saturating_mul: bits 64..191 of the exact signed 256-bit product (floor), saturated.
fn i64f64_mul_sat(a: I128, b: I128) -> I128 {
    // Unsigned 128 x 128 -> 256 bits, words w0..w3.
    let ll = fx_mul_wide_u64(a.lo, b.lo);
    let lh = fx_mul_wide_u64(a.lo, b.hi);
    let hl = fx_mul_wide_u64(a.hi, b.lo);
    let hh = fx_mul_wide_u64(a.hi, b.hi);
    // w1 = ll.hi + lh.lo + hl.lo
    let s1 = ll.hi + lh.lo;
    let c1 = select(0lu, 1lu, s1 < ll.hi);
    let w1 = s1 + hl.lo;
    let c2 = c1 + select(0lu, 1lu, w1 < s1);
    // (w2, w3) = hh + lh.hi + hl.hi + carries, as a 128-bit sum (cannot exceed 2^128).
    var top = i128_add_wrap(hh, I128(lh.hi, 0lu));
    top = i128_add_wrap(top, I128(hl.hi, 0lu));
    top = i128_add_wrap(top, I128(c2, 0lu));
    // Signed correction of the top half: - (b if a < 0) - (a if b < 0), modulo 2^128.
    let an = i128_is_neg(a);
    let bn = i128_is_neg(b);
    if an {
        top = fx_i128_sub_wrap(top, b);
    }
    if bn {
        top = fx_i128_sub_wrap(top, a);
    }
    let w2 = top.lo;
    let w3 = top.hi;
    // Fits iff bits 191..255 are all equal.
    if w3 != u64(i64(w2) >> 63u) {
        return fx_i128_sat(an != bn);
    }
    return I128(w1, w2);
}

// checked_div: (a << 64) / b truncated toward zero (sign-magnitude, as substrate-fixed's
// wide_div); ok = false when b == 0 or the quotient does not fit in i128. Bit-serial long
// division of |a| * 2^64 (192 bits) by |b| (128 bits).
fn i64f64_div_checked(a: I128, b: I128) -> I128Checked {
    if i128_is_zero(b) {
        return I128Checked(I128(0lu, 0lu), false);
    }
    let neg = i128_is_neg(a) != i128_is_neg(b);
    let ua = fx_i128_abs(a);
    let ub = fx_i128_abs(b);
    // The quotient is < 2^128 iff floor(|a| / 2^64) = ua.hi < ub; otherwise it overflows.
    if ub.hi == 0lu && ua.hi >= ub.lo {
        return I128Checked(I128(0lu, 0lu), false);
    }
    // Remainder starts as ua.hi (< ub); shift in ua.lo then 64 zero bits.
    var r = I128(ua.hi, 0lu);
    var q = I128(0lu, 0lu);
    var next = ua.lo;
    for (var k = 0u; k < 128u; k = k + 1u) {
        let carry = r.hi >> 63u;
        r = I128((r.lo << 1u) | (next >> 63u), (r.hi << 1u) | (r.lo >> 63u));
        next = next << 1u;
        q = I128(q.lo << 1u, (q.hi << 1u) | (q.lo >> 63u));
        if carry != 0lu || fx_u128_ge(r, ub) {
            r = fx_i128_sub_wrap(r, ub);
            q.lo = q.lo | 1lu;
        }
    }
    if neg {
        return I128Checked(fx_i128_neg(q), fx_u128_ge(I128(0lu, FX_SIGN64), q));
    }
    return I128Checked(q, q.hi < FX_SIGN64);
}

// I32F32::saturating_from_num(I64F64): floor to 32 fractional bits, saturate to i64.
fn i64f64_to_i32f32_sat(a: I128) -> i64 {
    let top = i64(a.hi) >> 31u;
    if top == 0li || top == -1li {
        return i64((a.hi << 32u) | (a.lo >> 32u));
    }
    return select(FX_MAX, FX_MIN, i128_is_neg(a));
}

// saturating_to_num::<u64>(): floor, negatives -> 0 (the integer part always fits in u64).
fn i64f64_to_u64_sat(a: I128) -> u64 {
    return select(a.hi, 0lu, i128_is_neg(a));
}

// ---------------------------------------------------------------------------------------------
// Emission in rao
// ---------------------------------------------------------------------------------------------

// saturating_to_num::<u64>(I96F32(x) * I96F32(rao)). The I96F32 product of raw x and
// rao << 32 is exactly x * rao (raw, 32 fractional bits) and never overflows I96F32, so this
// is clamp(floor(x * rao / 2^32), 0, u64::MAX).
fn fx_rao(x: i64, rao: u64) -> u64 {
    if x <= 0li {
        return 0lu;
    }
    let p = fx_mul_wide_u64(u64(x), rao);
    if (p.hi >> 32u) != 0lu {
        return FX_U64_MAX;
    }
    return (p.hi << 32u) | (p.lo >> 32u);
}
