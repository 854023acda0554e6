//! Concentration of one non-negative integer vector (incentive, dividends, emission, stake), and
//! the Spearman rank correlation. Every sum is exact (u128/i128 on the chain's integers); the
//! only floating-point step is the final division.

use serde::Serialize;

/// How concentrated a vector `x` (n ≥ 0 entries, total `S = Σ x_i`) is. Every share is `None`
/// (JSON `null`) when `S = 0` — an all-zero or empty vector — instead of a division by zero.
///
/// - `gini = Σ_i (2i − n − 1) · x_(i) / (n · S)`, `x_(1) ≤ … ≤ x_(n)` sorted ascending, zeros
///   included (0 = equal, (n−1)/n = one uid holds everything; 0 for a single uid).
/// - `nakamoto` = the fewest uids whose values sum to more than half of `S` (`2·Σ > S`), largest
///   first.
/// - `top1_share = max / S`; `top10_share` = sum of the 10 largest / S.
/// - `herfindahl = Σ x_i² / S²` (1/n = equal, 1 = one uid holds everything).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concentration {
    /// Number of entries (zeros included).
    pub count: usize,
    /// `S`, exact.
    pub total: u128,
    /// Entries above zero.
    pub nonzero: usize,
    pub gini: Option<f64>,
    pub nakamoto: Option<usize>,
    pub top1_share: Option<f64>,
    pub top10_share: Option<f64>,
    pub herfindahl: Option<f64>,
}

/// A 256-bit unsigned accumulator `(high, low)` for sums of squares of u64 values.
#[derive(Clone, Copy, Default)]
struct Wide(u128, u128);

impl Wide {
    fn add(&mut self, v: u128) {
        let (low, carry) = self.1.overflowing_add(v);
        self.1 = low;
        self.0 += u128::from(carry);
    }

    fn square(v: u128) -> Wide {
        // v < 2^80 (a sum of at most 65536 u64 values) or v < 2^64 (one value).
        let (hi, lo) = (v >> 64, v & u128::from(u64::MAX));
        let mut w = Wide(0, lo * lo);
        let cross = 2 * hi * lo; // < 2^81
        w.add_shifted(cross, 64);
        w.0 += hi * hi;
        w
    }

    fn add_shifted(&mut self, v: u128, shift: u32) {
        self.add(v << shift);
        self.0 += v >> (128 - shift);
    }

    fn to_f64(self) -> f64 {
        self.0 as f64 * 2f64.powi(128) + self.1 as f64
    }
}

/// The concentration of `values` (see [`Concentration`]).
pub fn concentration(values: &[u64]) -> Concentration {
    let count = values.len();
    let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
    let nonzero = values.iter().filter(|&&v| v > 0).count();
    if total == 0 {
        return Concentration {
            count,
            total,
            nonzero,
            gini: None,
            nakamoto: None,
            top1_share: None,
            top10_share: None,
            herfindahl: None,
        };
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = count as i128;
    // Σ (2i − n − 1) x_(i) with i from 1: |term| < 2^17 · 2^64, the sum < 2^97.
    let numerator: i128 = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| (2 * (i as i128 + 1) - n - 1) * i128::from(x))
        .sum();
    let gini = numerator as f64 / (n as f64 * total as f64);

    let mut running = 0u128;
    let mut nakamoto = count;
    for (k, &x) in sorted.iter().rev().enumerate() {
        running += u128::from(x);
        if 2 * running > total {
            nakamoto = k + 1;
            break;
        }
    }
    let top = |k: usize| -> f64 {
        let s: u128 = sorted.iter().rev().take(k).map(|&x| u128::from(x)).sum();
        s as f64 / total as f64
    };
    let mut squares = Wide::default();
    for &x in values {
        squares.add(u128::from(x) * u128::from(x));
    }
    let herfindahl = squares.to_f64() / Wide::square(total).to_f64();
    Concentration {
        count,
        total,
        nonzero,
        gini: Some(gini),
        nakamoto: Some(nakamoto),
        top1_share: Some(top(1)),
        top10_share: Some(top(10)),
        herfindahl: Some(herfindahl),
    }
}

/// Concentration of a u16 vector (incentive, dividends).
pub fn concentration_u16(values: &[u16]) -> Concentration {
    concentration(&values.iter().map(|&v| u64::from(v)).collect::<Vec<_>>())
}

/// Ranks 1…n of `values`, ties sharing the mean of their positions (so ranks are multiples of
/// ½; returned doubled to stay integral).
fn doubled_ranks<T: PartialOrd + Copy>(values: &[T]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[a]
            .partial_cmp(&values[b])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut ranks = vec![0u64; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // positions i+1 … j+1, mean (i + j + 2) / 2, doubled: i + j + 2.
        for &k in &order[i..=j] {
            ranks[k] = (i + j + 2) as u64;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation of paired samples: the Pearson correlation of their ranks (ties
/// get the mean rank). `None` when fewer than two pairs or either side is constant.
pub fn spearman<A: PartialOrd + Copy, B: PartialOrd + Copy>(a: &[A], b: &[B]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let (ra, rb) = (doubled_ranks(a), doubled_ranks(b));
    let n = a.len() as i128;
    let (sa, sb): (i128, i128) = (
        ra.iter().map(|&r| r as i128).sum(),
        rb.iter().map(|&r| r as i128).sum(),
    );
    // n·Σxy − Σx·Σy over n·Σx² − (Σx)², exact in i128 (ranks ≤ 2^17, n ≤ 2^16).
    let sxy: i128 = ra.iter().zip(&rb).map(|(&x, &y)| (x * y) as i128).sum();
    let sxx: i128 = ra.iter().map(|&x| (x * x) as i128).sum();
    let syy: i128 = rb.iter().map(|&y| (y * y) as i128).sum();
    let cov = n * sxy - sa * sb;
    let va = n * sxx - sa * sa;
    let vb = n * syy - sb * sb;
    if va == 0 || vb == 0 {
        return None;
    }
    Some(cov as f64 / ((va as f64).sqrt() * (vb as f64).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_squares_are_exact() {
        let v = (1u128 << 70) + 12345;
        let w = Wide::square(v);
        // (2^70 + c)^2 = 2^140 + 2·c·2^70 + c^2
        assert_eq!(w.0, 1 << 12);
        assert_eq!(w.1, ((2 * 12345u128) << 70) + 12345 * 12345);
    }

    #[test]
    fn ties_share_ranks() {
        assert_eq!(doubled_ranks(&[3, 1, 3, 2]), vec![7, 2, 7, 4]);
    }
}
