//! Pure pieces of a fetch: commit blocks, the reveal key, vector lengths, activity cutoff.
//! No node here: the rules of CHAIN_EXPORT.md §1.3 and §3 on values already read.

use super::scale::{Account, TimelockedCommit, V2Commit};
use super::LEGACY_SPEC;
use std::collections::HashMap;

/// How commits expire: by the subnet's epoch counter (spec ≥ 423) or by the legacy modulo
/// epoch of the commit block (spec ≤ 422).
#[derive(Clone, Copy, Debug)]
pub enum Expiry {
    /// `E_B = SubnetEpochIndex@S + 1`; a commit tagged `e` is expired iff `E_B > e + rp`.
    Counter { e_b: u64, rp: u64 },
    /// `ep(b) = (b + netuid + 1) / (tempo + 1)`; expired iff `ep(B) > ep(commit_block) + rp`.
    Legacy {
        block: u64,
        netuid: u16,
        tempo: u16,
        rp: u64,
    },
}

impl Expiry {
    /// The rule block B runs under.
    pub fn new(spec: u32, block: u64, netuid: u16, tempo: u16, epoch_index: u64, rp: u64) -> Self {
        if spec <= LEGACY_SPEC {
            Expiry::Legacy {
                block,
                netuid,
                tempo,
                rp,
            }
        } else {
            Expiry::Counter {
                e_b: epoch_index.saturating_add(1),
                rp,
            }
        }
    }

    /// The `TimelockedWeightCommits` key whose entries block B's reveal step consumed.
    pub fn reveal_key(self) -> Option<u64> {
        match self {
            Expiry::Counter { e_b, rp } => e_b.checked_sub(rp),
            Expiry::Legacy {
                block,
                netuid,
                tempo,
                rp,
            } => legacy_epoch(block, netuid, tempo).checked_sub(rp),
        }
    }

    /// Whether a timelocked key `e` can still hold live commits (`e ≥ E_B − rp`).
    fn live_key(self, e: u64) -> bool {
        match self {
            Expiry::Counter { e_b, rp } => e.saturating_add(rp) >= e_b,
            Expiry::Legacy { .. } => true,
        }
    }

    /// Whether a commit made at `commit_block` (legacy) is expired.
    fn legacy_expired(self, commit_block: u64) -> bool {
        match self {
            Expiry::Legacy {
                block,
                netuid,
                tempo,
                rp,
            } => {
                legacy_epoch(block, netuid, tempo)
                    > legacy_epoch(commit_block, netuid, tempo).saturating_add(rp)
            }
            Expiry::Counter { .. } => false,
        }
    }

    /// The commit block of the first live v2 entry of a queue.
    fn v2_commit_block(self, queue: &[V2Commit]) -> Option<u64> {
        queue.iter().find_map(|&(_, f1, f2, _)| match self {
            Expiry::Counter { e_b, rp } => (f1.saturating_add(rp) >= e_b).then_some(f2),
            Expiry::Legacy { .. } => (!self.legacy_expired(f1)).then_some(f1),
        })
    }
}

/// The legacy epoch index of block `b`: `(b + netuid + 1) / (tempo + 1)`.
pub fn legacy_epoch(b: u64, netuid: u16, tempo: u16) -> u64 {
    b.saturating_add(u64::from(netuid) + 1) / (u64::from(tempo) + 1)
}

/// `commit_block` per uid: the minimum over the first live v2 entry of the hotkey's
/// `WeightCommits` queue at S and every live `TimelockedWeightCommits` entry at S_B with
/// `commit_block < B`; `None` where the hotkey has none or the uid has no hotkey.
pub fn commit_blocks(
    hotkeys: &[Option<Account>],
    v2: &[Option<Vec<V2Commit>>],
    timelocked_at_b: &[(u64, Vec<TimelockedCommit>)],
    block: u64,
    expiry: Expiry,
) -> Vec<Option<u64>> {
    let mut best: HashMap<Account, u64> = HashMap::new();
    let mut offer = |hk: Account, cb: u64| {
        best.entry(hk)
            .and_modify(|b| *b = (*b).min(cb))
            .or_insert(cb);
    };
    for (hk, queue) in hotkeys.iter().zip(v2) {
        if let (Some(hk), Some(q)) = (hk, queue) {
            if let Some(cb) = expiry.v2_commit_block(q) {
                offer(*hk, cb);
            }
        }
    }
    for (e, entries) in timelocked_at_b {
        if !expiry.live_key(*e) {
            continue;
        }
        for (who, cb, _, _) in entries {
            if *cb < block && !expiry.legacy_expired(*cb) {
                offer(*who, *cb);
            }
        }
    }
    hotkeys
        .iter()
        .map(|hk| hk.and_then(|h| best.get(&h).copied()))
        .collect()
}

/// `v` padded with `fill` or truncated to `n` entries (how the epoch reads `LastUpdate` and
/// `ValidatorPermit`).
pub fn fit<T: Clone>(mut v: Vec<T>, n: usize, fill: T) -> Vec<T> {
    v.resize(n, fill);
    v
}

/// A recorded subnet vector cut to `n` entries; `None` (not recorded) with a warning when the
/// chain stored fewer than `n`.
pub fn recorded_vec<T>(
    v: Vec<T>,
    n: usize,
    item: &str,
    warnings: &mut Vec<String>,
) -> Option<Vec<T>> {
    if v.len() < n {
        warnings.push(format!(
            "{item} at B holds {} entries for n = {n}: not recorded",
            v.len()
        ));
        return None;
    }
    let mut v = v;
    v.truncate(n);
    Some(v)
}

/// The activity cutoff the epoch used: spec ≥ 423 `max(1, factor·tempo/1000)`, legacy the
/// stored `ActivityCutoff`.
pub fn activity_cutoff(spec: u32, factor_milli: u32, tempo: u16, legacy_cutoff: u16) -> u64 {
    if spec <= LEGACY_SPEC {
        u64::from(legacy_cutoff)
    } else {
        (u64::from(factor_milli).saturating_mul(u64::from(tempo)) / 1000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_first_live_entry_wins_and_timelocked_takes_min() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let e = Expiry::Counter { e_b: 10, rp: 1 };
        let v2 = vec![
            Some(vec![
                ([0; 32], 8, 100, 0),
                ([0; 32], 9, 150, 0),
                ([0; 32], 10, 90, 0),
            ]),
            None,
        ];
        let tl = vec![
            (9, vec![(b, 170, vec![], 0), (a, 140, vec![], 0)]),
            (8, vec![(b, 10, vec![], 0)]),
            (10, vec![(b, 200, vec![], 0)]),
        ];
        let got = commit_blocks(&[Some(a), Some(b)], &v2, &tl, 200, e);
        assert_eq!(got, vec![Some(140), Some(170)]);
        assert_eq!(e.reveal_key(), Some(9));
    }

    #[test]
    fn cutoff_rules() {
        assert_eq!(activity_cutoff(425, 13889, 360, 0), 5000);
        assert_eq!(activity_cutoff(423, 0, 360, 0), 1);
        assert_eq!(activity_cutoff(422, 13889, 360, 777), 777);
    }
}
