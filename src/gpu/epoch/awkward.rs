//! Test batches with the rows a snapshot may hold but `yuma gen` does not write.

use crate::gen::{generate, GenParams, Mode};
use crate::snapshot::Snapshot;

/// Snapshots whose rows hold what packing and the column lists must order: repeated and
/// unordered columns (weights and bonds), columns ≥ n (weight ones dropped, bond ones kept),
/// empty rows; Yuma 2, Yuma 3 and Yuma 3 with liquid alpha, several sizes; commit blocks on every
/// other uid of the Yuma 3 ones.
pub(super) fn awkward_batch() -> Vec<Snapshot> {
    let sizes = [(1, 1), (7, 3), (256, 64), (257, 5), (300, 40)];
    sizes
        .iter()
        .enumerate()
        .map(|(k, &(n, v))| {
            let mode = Mode::ALL[k % Mode::ALL.len()];
            let mut s = generate(&GenParams::new(n, v, 11 + k as u64, mode)).expect("gen");
            let n = s.len() as u16;
            let m = &mut s.mechanisms[0];
            for (i, row) in m.weights.iter_mut().enumerate().step_by(3) {
                // A repeated column, then one out of order, and on every other such row a
                // column past n (dropped by packing: the epoch's parts are cut for more).
                row.push((i as u16 % n, 9));
                row.push((0, 5));
                if i % 2 == 0 {
                    row.push((n + 2, 7));
                }
            }
            for (i, row) in m.bonds.iter_mut().enumerate().step_by(2) {
                row.push((n + i as u16 % 3, 4));
                if i % 4 == 0 {
                    row.insert(0, (n - 1, 1));
                    row.push((n - 1, 2));
                }
            }
            if let Some(row) = m.weights.last_mut() {
                row.clear();
            }
            if mode != Mode::Yuma2 {
                for (i, c) in m.commit_block.iter_mut().enumerate().skip(1).step_by(2) {
                    *c = Some(s.block.saturating_sub(i as u64));
                }
                s.hyperparams.commit_reveal_enabled = true;
            }
            s
        })
        .collect()
}
