//! The figures the charts show, from exact integers to fractions only at the end (the Gini
//! coefficient comes from `crate::analysis::concentration`).

/// `x_i / Σx` for every entry (sums in u128, so u64 emissions cannot overflow); `None` when
/// every entry is zero.
pub fn shares(values: &[u128]) -> Option<Vec<f64>> {
    let total: u128 = values.iter().sum();
    if total == 0 {
        return None;
    }
    Some(values.iter().map(|&v| v as f64 / total as f64).collect())
}

/// The Lorenz curve: points `(k/n, Σ_{i≤k} x_(i) / Σx)` for k = 0 … n, values ascending.
/// `None` when all are zero.
pub fn lorenz(values: &[u128]) -> Option<Vec<(f64, f64)>> {
    let n = values.len();
    let total: u128 = values.iter().sum();
    if n == 0 || total == 0 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut points = Vec::with_capacity(n + 1);
    points.push((0.0, 0.0));
    let mut acc: u128 = 0;
    for (k, x) in sorted.iter().enumerate() {
        acc += x;
        points.push(((k + 1) as f64 / n as f64, acc as f64 / total as f64));
    }
    Some(points)
}

/// Indices of the `k` largest values (ties: lower index first), largest first; zeros left out.
pub fn top_indices(values: &[u128], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| values[i] > 0).collect();
    idx.sort_by(|&a, &b| values[b].cmp(&values[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lorenz_ends_at_one() {
        let l = lorenz(&[1, 3]).unwrap();
        assert_eq!(l, vec![(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]);
        assert!(lorenz(&[0]).is_none());
    }

    #[test]
    fn top_skips_zeros() {
        assert_eq!(top_indices(&[3, 0, 7, 3], 3), vec![2, 0, 3]);
        assert_eq!(top_indices(&[0, 0], 2), Vec::<usize>::new());
    }
}
