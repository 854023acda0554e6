//! Fixed-point helpers the chain's epoch relies on, on top of `substrate-fixed` 0.6.0.
//!
//! The chain runs with overflow checks off, so `Iterator::sum()` and `from_num` wrap there;
//! these helpers spell that out (`wrapping_*`) so debug and release builds agree and never panic.

pub use substrate_fixed::types::{I32F32, I64F64, I96F32, U64F64, U96F32};

/// One sparse row: `(column uid, value)` in the order the chain holds it.
pub type SparseRow = Vec<(u16, I32F32)>;
/// A sparse matrix: one row per uid.
pub type Sparse = Vec<SparseRow>;

/// I32F32 zero.
pub const ZERO: I32F32 = I32F32::from_bits(0);
/// I32F32 one.
pub const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// `Σ x` with plain (wrapping) `+`, as `Iterator::sum()` in the runtime.
pub fn wrapping_sum(x: impl IntoIterator<Item = I32F32>) -> I32F32 {
    x.into_iter().fold(ZERO, |acc, v| acc.wrapping_add(v))
}

/// `Σ x` over I64F64 with wrapping `+`.
pub fn wrapping_sum_64(x: impl IntoIterator<Item = I64F64>) -> I64F64 {
    x.into_iter()
        .fold(I64F64::from_bits(0), |acc, v| acc.wrapping_add(v))
}

/// `a / b`, or 0 when the division fails (b = 0 or overflow): the chain's `safe_div`.
pub fn safe_div(a: I32F32, b: I32F32) -> I32F32 {
    a.checked_div(b).unwrap_or(ZERO)
}

/// `safe_div` for I64F64.
pub fn safe_div_64(a: I64F64, b: I64F64) -> I64F64 {
    a.checked_div(b).unwrap_or(I64F64::from_bits(0))
}

/// `x / Σx` with the wrapping sum; unchanged when the sum is exactly 0 (`inplace_normalize`).
pub fn normalize(x: &mut [I32F32]) {
    let sum = wrapping_sum(x.iter().copied());
    if sum != ZERO {
        x.iter_mut().for_each(|v| *v = safe_div(*v, sum));
    }
}

/// `x / s` for a given sum, unchanged when `s` is 0 (`inplace_normalize_using_sum`).
pub fn normalize_using_sum(x: &mut [I32F32], sum: I32F32) {
    if sum != ZERO {
        x.iter_mut().for_each(|v| *v = safe_div(*v, sum));
    }
}

/// `saturating_to_num::<u16>(x · 65535)`: a proportion as the chain stores it (truncating).
pub fn proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::from_num(u16::MAX))
        .saturating_to_num::<u16>()
}

/// `u16 / 65535` with safe division (`u16_proportion_to_fixed`).
pub fn u16_proportion(x: u16) -> I32F32 {
    safe_div(I32F32::from_num(x), I32F32::from_num(u16::MAX))
}

/// Raw bits of a vector, for `raw.*` outputs and traces.
pub fn bits(x: &[I32F32]) -> Vec<i64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Raw bits of a sparse matrix.
pub fn sparse_bits(m: &[SparseRow]) -> Vec<Vec<(u16, i64)>> {
    m.iter()
        .map(|row| row.iter().map(|&(j, v)| (j, v.to_bits())).collect())
        .collect()
}

/// Raw bits of I64F64 values (value × 2^64).
pub fn bits_64(x: &[I64F64]) -> Vec<i128> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Column sums with saturating `+`, in row order; entries with a column ≥ `columns` are ignored.
pub fn col_sums_saturating(m: &[SparseRow], columns: usize) -> Vec<I32F32> {
    let mut sums = vec![ZERO; columns];
    for row in m {
        for &(j, v) in row {
            if let Some(s) = sums.get_mut(usize::from(j)) {
                *s = s.saturating_add(v);
            }
        }
    }
    sums
}

/// `inplace_col_normalize_sparse`: each entry divided by its column's saturating sum (when ≠ 0).
pub fn col_normalize(m: &mut [SparseRow], columns: usize) {
    let sums = col_sums_saturating(m, columns);
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            let s = sums.get(usize::from(*j)).copied().unwrap_or(ZERO);
            if s != ZERO {
                *v = safe_div(*v, s);
            }
        }
    }
}

/// Wrapping sum of each row (`row_sum_sparse`).
pub fn row_sums(m: &[SparseRow]) -> Vec<I32F32> {
    m.iter()
        .map(|row| wrapping_sum(row.iter().map(|&(_, v)| v)))
        .collect()
}
