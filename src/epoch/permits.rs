//! Validator permits: the stored ones (owner forced) and the new top-k selection.

use crate::fixed::{I32F32, ZERO};

/// The permits stored before this epoch, with the owner forced to true.
pub fn old_permits(stored: &[bool], owner: Option<u16>) -> Vec<bool> {
    let mut p = stored.to_vec();
    force_owner(&mut p, owner);
    p
}

fn force_owner(p: &mut [bool], owner: Option<u16>) {
    if let Some(cell) = owner.and_then(|o| p.get_mut(usize::from(o))) {
        *cell = true;
    }
}

/// `is_topk_nonzero(stake, k)` plus the owner: start from `stake_i ≠ 0`; when n ≥ k, sort uids by
/// stake ascending (stable, so ties rank the lower uid first) and clear the first n − k.
pub fn new_permits(stake: &[I32F32], k: u16, owner: Option<u16>) -> Vec<bool> {
    let n = stake.len();
    let k = usize::from(k);
    let mut permits: Vec<bool> = stake.iter().map(|&s| s != ZERO).collect();
    if n >= k {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| stake[i]);
        for &i in order.iter().take(n - k) {
            permits[i] = false;
        }
    }
    force_owner(&mut permits, owner);
    permits
}
