//! `exp_series` (the liquid-alpha sigmoid's exponential on integer arithmetic) equals
//! substrate-fixed's `exp::<I32F32, I32F32>` bit for bit, result or error, over the whole range
//! the sigmoid can ask for ([−20, 20] after clamping) and beyond it.

use substrate_fixed::transcendental::exp;
use yuma::epoch::bonds::liquid_alpha::exp_series;
use yuma::fixed::I32F32;

#[track_caller]
fn same(bits: i64) {
    let x = I32F32::from_bits(bits);
    assert_eq!(
        exp_series(x),
        exp::<I32F32, I32F32>(x),
        "exp at raw bits {bits} ({x})"
    );
}

#[test]
fn exp_series_is_the_library_exp() {
    let one = 1i64 << 32;
    // Every special and boundary value, and their neighbours.
    for centre in [
        0,
        one,
        -one,
        20 * one,
        -20 * one,
        21 * one,
        -21 * one,
        one / 2,
        -one / 2,
    ] {
        for d in -3..=3 {
            same(centre + d);
        }
    }
    for b in [i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1, 1, -1] {
        same(b);
    }
    // A dense sweep of [−22, 22] with a stride that is not a power of two, plus a
    // pseudo-random walk over all bits (xorshift, deterministic).
    let mut b = -22 * one;
    while b <= 22 * one {
        same(b);
        b += 1_234_567;
    }
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..200_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let range = 44 * one;
        same((s % range as u64) as i64 - 22 * one);
    }
}
