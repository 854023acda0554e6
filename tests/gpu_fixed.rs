//! `shaders/fixed.wgsl` against substrate-fixed 0.6.0, bit for bit.
//!
//! * `wgsl_validates`: naga parses and validates the library alone and with the test kernel.
//! * `fixed_ops_match_substrate_fixed`: runs `tests/wgsl/fixed_ops.wgsl` on a Vulkan adapter
//!   (llvmpipe is fine) over ≥ 100,000 random and edge inputs per operation and compares every
//!   result with substrate-fixed on the CPU. Without an adapter it prints a skip line, or fails
//!   when `YUMA_REQUIRE_GPU=1`.

use std::time::Instant;

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::{I32F32, I64F64, I96F32};
use wgpu::util::DeviceExt;

const FIXED: &str = include_str!("../shaders/fixed.wgsl");
const KERNEL: &str = concat!(
    include_str!("../shaders/fixed.wgsl"),
    include_str!("wgsl/fixed_ops.wgsl")
);

/// Random cases per operation (on top of all pairs of edge values).
const RANDOM_CASES: usize = 100_000;
/// Evenly spaced exp_safe inputs over [−21, 21].
const EXP_DENSE: usize = 200_000;

// ---------------------------------------------------------------------------------------------
// naga
// ---------------------------------------------------------------------------------------------

fn validate(name: &str, src: &str) {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: WGSL parse error:\n{}", e.emit_to_string(src)));
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::SHADER_INT64,
    );
    validator
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: WGSL validation error:\n{}", e.emit_to_string(src)));
}

#[test]
fn wgsl_validates() {
    validate("shaders/fixed.wgsl", FIXED);
    validate("shaders/fixed.wgsl + tests/wgsl/fixed_ops.wgsl", KERNEL);
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    fn sign(&mut self, x: i64) -> i64 {
        if self.next() & 1 == 0 {
            x
        } else {
            x.wrapping_neg()
        }
    }

    /// A value with a random bit length (log-uniform magnitude) and sign.
    fn log_uniform_i64(&mut self) -> i64 {
        let bits = self.below(65) as u32;
        let v = if bits == 64 {
            self.next()
        } else {
            self.next() & ((1u64 << bits) - 1)
        };
        self.sign(v as i64)
    }

    fn log_uniform_i128(&mut self) -> i128 {
        let bits = self.below(129) as u32;
        let v = (u128::from(self.next()) << 64) | u128::from(self.next());
        let v = if bits == 128 {
            v
        } else {
            v & ((1u128 << bits) - 1)
        };
        if self.next() & 1 == 0 {
            v as i128
        } else {
            (v as i128).wrapping_neg()
        }
    }
}

const ONE: i64 = 1 << 32;
const EXP_BOUND: i64 = 20 << 32;

/// Edge values for I32F32 operands.
fn edges_i64() -> Vec<i64> {
    let mut v = vec![
        0,
        1,
        -1,
        2,
        -2,
        ONE,
        -ONE,
        ONE + 1,
        ONE - 1,
        -ONE + 1,
        -ONE - 1,
        1 << 31,
        -(1 << 31),
        (1 << 31) - 1,
        2 * ONE,
        -2 * ONE,
        65535 * ONE,
        EXP_BOUND,
        -EXP_BOUND,
        EXP_BOUND + 1,
        -EXP_BOUND - 1,
        EXP_BOUND - 1,
        -EXP_BOUND + 1,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
        i64::MAX - 1,
        1 << 62,
        -(1 << 62),
        (1 << 63) / 3,
        3 << 32 | 0x5555_5555,
    ];
    for k in [16, 24, 33, 40, 48, 56] {
        v.push(1 << k);
        v.push(-(1 << k));
    }
    v
}

/// An I32F32 operand mixing uniform bits, small values, values near 0, integers, powers of two,
/// edge values and values near the exp clamp bounds.
fn gen_i64(rng: &mut Rng, edges: &[i64]) -> i64 {
    match rng.below(12) {
        0 | 1 => rng.next() as i64,
        2 | 3 => rng.log_uniform_i64(),
        4 => rng.below(33) as i64 - 16,
        5 => rng.pick(edges),
        6 => {
            let e = rng.pick(edges);
            e.wrapping_add(rng.below(9) as i64 - 4)
        }
        7 => {
            let v = 1 << rng.below(63);
            rng.sign(v)
        }
        8 => {
            let v = rng.below(1 << 33) as i64; // |x| < 2.0
            rng.sign(v)
        }
        9 => {
            let v = (rng.below(1 << 20) as i64) << 32; // integers
            rng.sign(v)
        }
        10 => {
            let v = EXP_BOUND + rng.below(1 << 34) as i64 - (1 << 33); // near ±20
            rng.sign(v)
        }
        _ => {
            let v = rng.below(1 << 32) as i64; // proportions in (-1, 1)
            rng.sign(v)
        }
    }
}

/// A divisor: the operand mix plus 0, ±1 raw and ±1.0 more often.
fn gen_divisor(rng: &mut Rng, edges: &[i64]) -> i64 {
    match rng.below(10) {
        0 => rng.pick(&[0, 1, -1, ONE, -ONE, 2, -2]),
        _ => gen_i64(rng, edges),
    }
}

/// Which path `fx_udiv_shl32` in fixed.wgsl takes for `(a << 32) / b` (a mirror of its branch
/// conditions, used to check that the inputs cover every path). `Digit(k)`: the Knuth step with
/// `k` q-hat corrections.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum DivPath {
    ByZero,
    Small,
    One,
    QuotientTooBig,
    TwoDivisions,
    Digit(u32),
}

fn div_path(a: i64, b: i64) -> DivPath {
    const LO32: u64 = 0xFFFF_FFFF;
    if b == 0 {
        return DivPath::ByZero;
    }
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    if ua <= LO32 {
        return DivPath::Small;
    }
    if ua == 1 << 32 {
        return DivPath::One;
    }
    let qh = ua / ub;
    if qh > LO32 {
        return DivPath::QuotientTooBig;
    }
    let rh = ua - qh * ub;
    if rh <= LO32 {
        return DivPath::TwoDivisions;
    }
    // fx_div_digit
    let s = ub.leading_zeros();
    let (dn, rn) = (ub << s, rh << s);
    let (dh, dl) = (dn >> 32, dn & LO32);
    let mut qhat = (rn / dh).min(LO32);
    let mut rhat = rn - qhat * dh;
    let mut corrections = 0;
    while corrections < 2 && rhat <= LO32 && qhat * dl > rhat << 32 {
        qhat -= 1;
        rhat += dh;
        corrections += 1;
    }
    assert_eq!(
        u128::from(qhat),
        (u128::from(rh) << 32) / u128::from(ub),
        "CPU mirror of fx_div_digit"
    );
    DivPath::Digit(corrections)
}

/// Division operands that reach the Knuth step of fx_div_digit with 0, 1 and 2 q-hat
/// corrections: normalized divisors with a high digit just above 2^31, a low digit near 2^32,
/// and a remainder just below the divisor (the q-hat estimate is off by up to 2 there).
fn knuth_hard_cases(rng: &mut Rng) -> Vec<Case> {
    let mut found = [0usize; 3];
    let mut cases = Vec::new();
    for _ in 0..400_000 {
        let s = 1 + rng.below(8) as u32;
        let dh = (1u64 << 31) + rng.below(64);
        let dl = ((1u64 << 32) - 1 - rng.below(1 << 20)) & !((1u64 << s) - 1);
        let d = ((dh << 32) | dl) >> s;
        let span = 1 << rng.below(41);
        let r = d - 1 - rng.below(span);
        let qh = if d < 1 << 62 { rng.below(2) } else { 0 };
        let ua = qh * d + r;
        let a = rng.sign(ua as i64);
        let b = rng.sign(d as i64);
        if let DivPath::Digit(k) = div_path(a, b) {
            let slot = &mut found[k as usize];
            if *slot < 500 {
                *slot += 1;
                cases.push(Case {
                    a: a.into(),
                    b: b.into(),
                });
            }
        }
    }
    cases
}

fn edges_i128() -> Vec<i128> {
    let one = 1i128 << 64;
    let mut v = vec![
        0,
        1,
        -1,
        one,
        -one,
        one + 1,
        one - 1,
        -one + 1,
        i128::MAX,
        i128::MIN,
        i128::MIN + 1,
        i128::MAX - 1,
        i128::from(i64::MAX),
        i128::from(i64::MIN),
        i128::from(u64::MAX),
        (i128::from(i64::MAX)) << 64,
        1 << 126,
        -(1 << 126),
        1 << 63,
        -(1 << 63),
        1 << 96,
        -(1 << 96),
        1 << 95,
        (1 << 95) - 1,
        -(1 << 95),
        -(1 << 95) - 1,
    ];
    for k in [1, 32, 65, 100, 127] {
        v.push(1 << k >> 1);
        v.push(-(1 << k >> 1));
    }
    v
}

/// A 128-bit operand (I64F64 raw bits).
fn gen_i128(rng: &mut Rng, edges: &[i128]) -> i128 {
    match rng.below(10) {
        0 => ((u128::from(rng.next()) << 64) | u128::from(rng.next())) as i128,
        1..=3 => rng.log_uniform_i128(),
        4 => rng.pick(edges),
        5 => rng.pick(edges).wrapping_add(i128::from(rng.below(9)) - 4),
        6 => i128::from(rng.next() as i64), // sign-extended 64-bit
        7 => i128::from(rng.below(1 << 40)) << 64, // integer stakes
        8 => {
            let v = i128::from(rng.next() >> 1);
            if rng.next() & 1 == 0 {
                v
            } else {
                -v
            }
        } // |x| < 0.5
        _ => {
            let k = rng.below(127) as u32;
            if rng.next() & 1 == 0 {
                1 << k
            } else {
                -(1 << k)
            }
        }
    }
}

fn gen_u64(rng: &mut Rng) -> u64 {
    match rng.below(6) {
        0 => rng.next(),
        1 => rng.log_uniform_i64().unsigned_abs(),
        2 => rng.pick(&[
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
            (1 << 63) - 1,
            (1 << 63) + 1,
        ]),
        3 => (1 << 63) + rng.below(16) - 8,
        4 => rng.below(1_000_000_000_000_000_000),
        _ => 1 << rng.below(64),
    }
}

// ---------------------------------------------------------------------------------------------
// Operations and their CPU reference
// ---------------------------------------------------------------------------------------------

/// One test case: operands as 128-bit raw bits (64-bit operands in the low word).
#[derive(Clone, Copy)]
struct Case {
    a: i128,
    b: i128,
}

/// The kernel's result for one case. For checked operations `value` only matters when `ok`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Out {
    value: u128,
    ok: bool,
}

#[derive(Clone, Copy)]
enum Kind {
    /// Saturating/infallible: compare value and flag (flag is always true).
    Value,
    /// Checked: compare the flag, and the value when the flag is set.
    Checked,
    /// Predicate: the result is the flag.
    Flag,
}

struct Op {
    id: u32,
    name: &'static str,
    kind: Kind,
    reference: fn(Case) -> Out,
    cases: Vec<Case>,
}

fn fx(x: i128) -> I32F32 {
    I32F32::from_bits(x as i64)
}

fn wide(x: i128) -> I64F64 {
    I64F64::from_bits(x)
}

fn v64(x: i64) -> Out {
    Out {
        value: u128::from(x as u64),
        ok: true,
    }
}

fn v128(x: i128) -> Out {
    Out {
        value: x as u128,
        ok: true,
    }
}

fn checked64(x: Option<I32F32>) -> Out {
    match x {
        Some(v) => v64(v.to_bits()),
        None => Out {
            value: 0,
            ok: false,
        },
    }
}

fn flag(ok: bool) -> Out {
    Out { value: 0, ok }
}

fn exp_safe(x: I32F32) -> I32F32 {
    let x = x.clamp(I32F32::from_num(-20), I32F32::from_num(20));
    match exp::<I32F32, I32F32>(x) {
        Ok(v) => v,
        Err(()) if x <= I32F32::from_num(0) => I32F32::from_num(0),
        Err(()) => I32F32::max_value(),
    }
}

fn div_sat(a: I32F32, b: I32F32) -> I32F32 {
    if b == I32F32::from_num(0) {
        // substrate-fixed panics; the library's documented choice follows the sign rule.
        if a < 0 {
            I32F32::min_value()
        } else {
            I32F32::max_value()
        }
    } else {
        a.saturating_div(b)
    }
}

fn ops() -> Vec<Op> {
    let mut rng = Rng(0x5EED_F1DE_D0CA_FE01);
    let e64 = edges_i64();
    let e128 = edges_i128();

    // All pairs of edge values, then random pairs.
    let pairs64 = |rng: &mut Rng, divisor: bool| -> Vec<Case> {
        let mut v = Vec::new();
        for &a in &e64 {
            for &b in &e64 {
                v.push(Case {
                    a: a.into(),
                    b: b.into(),
                });
            }
        }
        if divisor {
            v.extend(knuth_hard_cases(rng));
        }
        for _ in 0..RANDOM_CASES {
            let a = gen_i64(rng, &e64);
            let b = if divisor {
                gen_divisor(rng, &e64)
            } else {
                gen_i64(rng, &e64)
            };
            v.push(Case {
                a: a.into(),
                b: b.into(),
            });
        }
        v
    };
    let pairs128 = |rng: &mut Rng| -> Vec<Case> {
        let mut v = Vec::new();
        for &a in &e128 {
            for &b in &e128 {
                v.push(Case { a, b });
            }
        }
        for _ in 0..RANDOM_CASES {
            v.push(Case {
                a: gen_i128(rng, &e128),
                b: gen_i128(rng, &e128),
            });
        }
        v
    };
    let singles64 = |rng: &mut Rng| -> Vec<Case> {
        let mut v: Vec<Case> = e64.iter().map(|&a| Case { a: a.into(), b: 0 }).collect();
        for _ in 0..RANDOM_CASES {
            v.push(Case {
                a: gen_i64(rng, &e64).into(),
                b: 0,
            });
        }
        v
    };
    let singles128 = |rng: &mut Rng| -> Vec<Case> {
        let mut v: Vec<Case> = e128.iter().map(|&a| Case { a, b: 0 }).collect();
        for _ in 0..RANDOM_CASES {
            v.push(Case {
                a: gen_i128(rng, &e128),
                b: 0,
            });
        }
        v
    };

    // exp_safe: evenly spaced over [−21, 21], then random operands.
    let mut exp_cases = Vec::with_capacity(EXP_DENSE + RANDOM_CASES);
    let lo = -21i128 << 32;
    let hi = 21i128 << 32;
    for k in 0..EXP_DENSE as i128 {
        exp_cases.push(Case {
            a: lo + (hi - lo) * k / (EXP_DENSE as i128 - 1),
            b: 0,
        });
    }
    exp_cases.extend(singles64(&mut rng));

    // rao: x an I32F32 operand, rao a u64.
    let mut rao_cases = Vec::new();
    for &a in &e64 {
        for r in [
            0u64,
            1,
            1_000_000_000,
            u64::MAX,
            1 << 63,
            (1 << 32) - 1,
            1 << 32,
        ] {
            rao_cases.push(Case {
                a: a.into(),
                b: r.into(),
            });
        }
    }
    for _ in 0..RANDOM_CASES {
        rao_cases.push(Case {
            a: gen_i64(&mut rng, &e64).into(),
            b: gen_u64(&mut rng).into(),
        });
    }

    let mut from_u64_cases = Vec::new();
    for _ in 0..RANDOM_CASES {
        from_u64_cases.push(Case {
            a: gen_u64(&mut rng).into(),
            b: 0,
        });
    }

    vec![
        Op {
            id: 0,
            name: "fx_add_sat",
            kind: Kind::Value,
            reference: |c| v64(fx(c.a).saturating_add(fx(c.b)).to_bits()),
            cases: pairs64(&mut rng, false),
        },
        Op {
            id: 1,
            name: "fx_sub_sat",
            kind: Kind::Value,
            reference: |c| v64(fx(c.a).saturating_sub(fx(c.b)).to_bits()),
            cases: pairs64(&mut rng, false),
        },
        Op {
            id: 2,
            name: "fx_mul_sat",
            kind: Kind::Value,
            reference: |c| v64(fx(c.a).saturating_mul(fx(c.b)).to_bits()),
            cases: pairs64(&mut rng, false),
        },
        Op {
            id: 3,
            name: "fx_mul_checked",
            kind: Kind::Checked,
            reference: |c| checked64(fx(c.a).checked_mul(fx(c.b))),
            cases: pairs64(&mut rng, false),
        },
        Op {
            id: 4,
            name: "fx_div_checked",
            kind: Kind::Checked,
            reference: |c| checked64(fx(c.a).checked_div(fx(c.b))),
            cases: pairs64(&mut rng, true),
        },
        Op {
            id: 5,
            name: "fx_safe_div",
            kind: Kind::Value,
            reference: |c| v64(fx(c.a).checked_div(fx(c.b)).map_or(0, |v| v.to_bits())),
            cases: pairs64(&mut rng, true),
        },
        Op {
            id: 6,
            name: "fx_div_sat",
            kind: Kind::Value,
            reference: |c| v64(div_sat(fx(c.a), fx(c.b)).to_bits()),
            cases: pairs64(&mut rng, true),
        },
        Op {
            id: 7,
            name: "fx_to_u16_proportion",
            kind: Kind::Value,
            reference: |c| {
                let p = fx(c.a)
                    .saturating_mul(I32F32::from_num(65535))
                    .saturating_to_num::<u16>();
                v64(i64::from(p))
            },
            cases: singles64(&mut rng),
        },
        Op {
            id: 8,
            name: "fx_exp_safe",
            kind: Kind::Value,
            reference: |c| v64(exp_safe(fx(c.a)).to_bits()),
            cases: exp_cases,
        },
        Op {
            id: 9,
            name: "i128_from_i64",
            kind: Kind::Value,
            reference: |c| v128(i128::from(c.a as i64)),
            cases: singles64(&mut rng),
        },
        Op {
            id: 10,
            name: "i128_add_wrap",
            kind: Kind::Value,
            reference: |c| v128(c.a.wrapping_add(c.b)),
            cases: pairs128(&mut rng),
        },
        Op {
            id: 11,
            name: "i128_add_sat",
            kind: Kind::Value,
            reference: |c| v128(wide(c.a).saturating_add(wide(c.b)).to_bits()),
            cases: pairs128(&mut rng),
        },
        Op {
            id: 12,
            name: "i128_is_zero",
            kind: Kind::Flag,
            reference: |c| flag(c.a == 0),
            cases: singles128(&mut rng),
        },
        Op {
            id: 13,
            name: "i128_is_neg",
            kind: Kind::Flag,
            reference: |c| flag(c.a < 0),
            cases: singles128(&mut rng),
        },
        Op {
            id: 14,
            name: "i128_lt",
            kind: Kind::Flag,
            reference: |c| flag(c.a < c.b),
            cases: pairs128(&mut rng),
        },
        Op {
            id: 15,
            name: "i64f64_from_u64_sat",
            kind: Kind::Value,
            reference: |c| v128(I64F64::saturating_from_num(c.a as u64).to_bits()),
            cases: from_u64_cases,
        },
        Op {
            id: 16,
            name: "i64f64_mul_sat",
            kind: Kind::Value,
            reference: |c| v128(wide(c.a).saturating_mul(wide(c.b)).to_bits()),
            cases: pairs128(&mut rng),
        },
        Op {
            id: 17,
            name: "i64f64_div_checked",
            kind: Kind::Checked,
            reference: |c| match wide(c.a).checked_div(wide(c.b)) {
                Some(v) => v128(v.to_bits()),
                None => Out {
                    value: 0,
                    ok: false,
                },
            },
            cases: pairs128(&mut rng),
        },
        Op {
            id: 18,
            name: "i64f64_to_i32f32_sat",
            kind: Kind::Value,
            reference: |c| v64(I32F32::saturating_from_num(wide(c.a)).to_bits()),
            cases: singles128(&mut rng),
        },
        Op {
            id: 19,
            name: "i64f64_to_u64_sat",
            kind: Kind::Value,
            reference: |c| {
                let v = wide(c.a).saturating_to_num::<u64>();
                Out {
                    value: u128::from(v),
                    ok: true,
                }
            },
            cases: singles128(&mut rng),
        },
        Op {
            id: 20,
            name: "fx_rao",
            kind: Kind::Value,
            reference: |c| {
                let x = I96F32::saturating_from_num(fx(c.a));
                let e = I96F32::saturating_from_num(c.b as u64);
                Out {
                    value: u128::from(x.saturating_mul(e).saturating_to_num::<u64>()),
                    ok: true,
                }
            },
            cases: rao_cases,
        },
    ]
}

/// The 64-bit operations return their value in the low word; the kernel leaves hi = 0.
fn normalize(op: &Op, out: Out) -> Out {
    match op.kind {
        Kind::Flag => Out {
            value: 0,
            ok: out.ok,
        },
        Kind::Checked if !out.ok => Out {
            value: 0,
            ok: false,
        },
        _ => out,
    }
}

// ---------------------------------------------------------------------------------------------
// GPU
// ---------------------------------------------------------------------------------------------

struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
}

fn open_gpu() -> Result<Gpu, String> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = wgpu::Backends::VULKAN;
    let instance = wgpu::Instance::new(desc);
    let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        ..Default::default()
    }))
    .map_err(|e| format!("no Vulkan adapter ({e})"))?;
    let info = adapter.get_info();
    let name = format!("{} ({:?}, {:?})", info.name, info.device_type, info.backend);
    if !adapter.features().contains(wgpu::Features::SHADER_INT64) {
        return Err(format!("adapter {name} lacks SHADER_INT64"));
    }
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("gpu_fixed"),
        required_features: wgpu::Features::SHADER_INT64,
        required_limits: adapter.limits(),
        ..Default::default()
    }))
    .map_err(|e| format!("request_device failed on {name}: {e}"))?;
    Ok(Gpu {
        device,
        queue,
        name,
    })
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    op: u32,
    count: u32,
    row_pitch: u32,
    pad: u32,
}

const WORKGROUP: u32 = 64;

fn run_op(gpu: &Gpu, pipeline: &wgpu::ComputePipeline, op: &Op) -> Vec<Out> {
    let device = &gpu.device;
    let count = op.cases.len() as u32;
    let groups = count.div_ceil(WORKGROUP);
    let groups_x = groups.min(65_535);
    let groups_y = groups.div_ceil(groups_x);
    let params = Params {
        op: op.id,
        count,
        row_pitch: groups_x * WORKGROUP,
        pad: 0,
    };
    let inputs: Vec<u64> = op
        .cases
        .iter()
        .flat_map(|c| {
            let (a, b) = (c.a as u128, c.b as u128);
            [a as u64, (a >> 64) as u64, b as u64, (b >> 64) as u64]
        })
        .collect();
    let out_size = u64::from(count) * 3 * 8;

    let params_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("params"),
        contents: bytemuck::bytes_of(&params),
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let input_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("inputs"),
        contents: bytemuck::cast_slice(&inputs),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let output_buf = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("outputs"),
        size: out_size,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: out_size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("fixed_ops"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: params_buf.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: input_buf.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: output_buf.as_entire_binding(),
            },
        ],
    });

    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
    }
    encoder.copy_buffer_to_buffer(&output_buf, 0, &readback, 0, out_size);
    gpu.queue.submit([encoder.finish()]);

    let slice = readback.slice(..);
    slice.map_async(wgpu::MapMode::Read, |r| r.expect("map readback buffer"));
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("device poll");
    let words: Vec<u64> = {
        let view = slice.get_mapped_range().expect("mapped range");
        bytemuck::cast_slice(&view).to_vec()
    };
    readback.unmap();
    words
        .chunks_exact(3)
        .map(|w| Out {
            value: u128::from(w[0]) | (u128::from(w[1]) << 64),
            ok: w[2] != 0,
        })
        .collect()
}

/// The operands of a case, as raw bits and as numbers.
fn show_inputs(op: &Op, c: Case) -> String {
    let operand = |x: i128| -> String {
        match op.id {
            // 128-bit operands
            10..=14 | 16..=19 => format!("{x} ({:.6e})", x as f64 / 2f64.powi(64)),
            15 => format!("{}", x as u64),
            _ => format!("{} ({:.9})", x as i64, x as i64 as f64 / 2f64.powi(32)),
        }
    };
    match op.id {
        20 => format!("a = {}, rao = {}", operand(c.a), c.b as u64),
        7..=9 | 12 | 13 | 15 | 18 | 19 => format!("a = {}", operand(c.a)),
        _ => format!("a = {}, b = {}", operand(c.a), operand(c.b)),
    }
}

/// A result: raw value (in the operation's type) and flag.
fn show_out(op: &Op, o: Out) -> String {
    let value = match op.id {
        9..=11 | 15..=17 => format!("{}", o.value as i128),
        19 | 20 => format!("{}", o.value as u64),
        _ => format!("{}", o.value as u64 as i64),
    };
    match op.kind {
        Kind::Value => value,
        Kind::Checked if o.ok => format!("Some({value})"),
        Kind::Checked => "None".to_string(),
        Kind::Flag => format!("{}", o.ok),
    }
}

/// The division inputs reach every branch of fx_udiv_shl32 / fx_div_digit (CPU only).
#[test]
fn division_inputs_cover_every_path() {
    for op in ops().iter().filter(|op| matches!(op.id, 4..=6)) {
        let mut counts = std::collections::BTreeMap::new();
        for c in &op.cases {
            *counts
                .entry(div_path(c.a as i64, c.b as i64))
                .or_insert(0usize) += 1;
        }
        println!("{}: {counts:?}", op.name);
        for path in [
            DivPath::ByZero,
            DivPath::Small,
            DivPath::One,
            DivPath::QuotientTooBig,
            DivPath::TwoDivisions,
            DivPath::Digit(0),
            DivPath::Digit(1),
            DivPath::Digit(2),
        ] {
            let n = counts.get(&path).copied().unwrap_or(0);
            assert!(n >= 50, "{}: only {n} inputs take {path:?}", op.name);
        }
    }
}

#[test]
fn fixed_ops_match_substrate_fixed() {
    let gpu = match open_gpu() {
        Ok(gpu) => gpu,
        Err(why) => {
            if std::env::var("YUMA_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("YUMA_REQUIRE_GPU=1 but no usable GPU adapter: {why}");
            }
            println!("skipped: no GPU adapter (set YUMA_REQUIRE_GPU=1 to fail instead): {why}");
            return;
        }
    };
    println!("adapter: {}", gpu.name);

    let start = Instant::now();
    let module = gpu
        .device
        .create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("fixed_ops"),
            source: wgpu::ShaderSource::Wgsl(KERNEL.into()),
        });
    let pipeline = gpu
        .device
        .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("fixed_ops"),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
    println!("pipeline: {:.2?}", start.elapsed());

    let mut failures = 0usize;
    let mut total = 0usize;
    for op in ops() {
        let t = Instant::now();
        assert!(op.cases.len() >= RANDOM_CASES, "{}: too few cases", op.name);
        let got = run_op(&gpu, &pipeline, &op);
        assert_eq!(got.len(), op.cases.len(), "{}: output length", op.name);
        let mut op_failures = 0usize;
        for (&c, &g) in op.cases.iter().zip(&got) {
            let expected = normalize(&op, (op.reference)(c));
            let g = normalize(&op, g);
            if g != expected {
                if op_failures < 10 {
                    println!(
                        "MISMATCH {}: {}: expected {}, got {}",
                        op.name,
                        show_inputs(&op, c),
                        show_out(&op, expected),
                        show_out(&op, g)
                    );
                }
                op_failures += 1;
            }
        }
        println!(
            "{:<22} {:>7} cases, {:>3} mismatches, {:.2?}",
            op.name,
            op.cases.len(),
            op_failures,
            t.elapsed()
        );
        failures += op_failures;
        total += op.cases.len();
    }
    println!("{total} cases in {:.2?}", start.elapsed());
    assert_eq!(
        failures, 0,
        "{failures} mismatches between fixed.wgsl and substrate-fixed"
    );
}
