//! Bonds resets inside block B, found from storage alone (CHAIN_EXPORT.md §3).
//!
//! The epoch runs in `on_initialize` of B; B's extrinsics run after it. A `set_commitment`
//! (commitments pallet) whose fields hold a `ResetBondsFlag` writes
//! `Commitments::LastBondsReset(netuid, who) = B` and, when `BondsResetOn(netuid)` is true at
//! that moment, strips `who`'s uid from every `Bonds` row of every mechanism (subtensor
//! `do_reset_bonds`). A failed extrinsic is rolled back, so at S_B:
//!
//! > uid u's bonds were reset in B ⇔ `LastBondsReset(netuid, hk) == B` for a hotkey `hk` that
//! > held u during B, and `BondsResetOn(netuid)` was true when the extrinsic ran.
//!
//! Only a registered hotkey may commit, so `hk` is `Keys(netuid, u)` at S (B−1) or at S_B; a
//! hotkey that came to u inside B by registration is already skipped (`BlockAtRegistration ==
//! B`), one that came by a swap is `Keys@S_B` (read in one more round trip, only then).
//! `BondsResetOn` is read at S and S_B; a flag set while it was false at both is reported as a
//! warning and the uid is compared (its bonds were left alone).

use super::keys;
use super::rpc::{At, Node};
use super::scale::Account;
use super::subnet::{opt, val, Batch};
use super::ChainError;
use std::ops::Range;

/// The key of `BondsResetOn(netuid)` (Identity netuid, bool, default false).
pub(super) fn on_key(netuid: u16) -> Vec<u8> {
    keys::by_u16("BondsResetOn", netuid)
}

/// Where the reset reads sit in the batch read at S_B.
pub(super) struct ResetReads {
    on_b: usize,
    keys_b: Range<usize>,
    /// (uid, position of `LastBondsReset(netuid, Keys@S(uid))`).
    last: Vec<(u16, usize)>,
}

/// What the reset check found.
pub(super) struct Resets {
    /// Uids whose bonds column B's extrinsics stripped, ascending.
    pub(super) uids: Vec<u16>,
    pub(super) warnings: Vec<String>,
}

impl ResetReads {
    /// Adds `BondsResetOn`, `Keys(netuid, ·)` and the `LastBondsReset` of the hotkeys at S
    /// to `d`, the batch read at S_B.
    pub(super) fn add(d: &mut Batch, netuid: u16, hotkeys_s: &[Option<Account>]) -> Self {
        let on_b = d.add(on_key(netuid));
        let n = hotkeys_s.len() as u16;
        let keys_b = d.range((0..n).map(|u| keys::by_u16_u16("Keys", netuid, u)));
        let last = (0..n)
            .zip(hotkeys_s)
            .filter_map(|(u, hk)| Some((u, d.add(keys::last_bonds_reset(netuid, hk.as_ref()?)))))
            .collect();
        ResetReads { on_b, keys_b, last }
    }

    /// The uids reset in `block`, from the batch's values `vd` at S_B (`hb`), `BondsResetOn`
    /// at S and the uids re-registered in B (already skipped, not re-read).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn resolve(
        self,
        node: &Node,
        netuid: u16,
        block: u64,
        hb: &At,
        vd: &[Option<Vec<u8>>],
        hotkeys_s: &[Option<Account>],
        on_s: bool,
        reregistered: &[u16],
    ) -> Result<Resets, ChainError> {
        let on_b: bool = val(&vd[self.on_b], false, "BondsResetOn")?;
        let mut hit = Vec::new();
        for &(u, i) in &self.last {
            if reset_in(&vd[i], block)? {
                hit.push(u);
            }
        }
        // Hotkeys that came to a uid inside B other than by registration (a swap).
        let mut swapped: Vec<(u16, Account)> = Vec::new();
        for (u, x) in (0u16..).zip(&vd[self.keys_b]) {
            let hk: Option<Account> = opt(x, "Keys")?;
            if let Some(hk) = hk {
                let s = hotkeys_s.get(usize::from(u)).copied().flatten();
                if s != Some(hk) && !reregistered.contains(&u) {
                    swapped.push((u, hk));
                }
            }
        }
        if !swapped.is_empty() {
            let ks: Vec<Vec<u8>> = swapped
                .iter()
                .map(|(_, hk)| keys::last_bonds_reset(netuid, hk))
                .collect();
            for ((u, _), x) in swapped.iter().zip(node.query(&ks, hb).await?) {
                if reset_in(&x, block)? {
                    hit.push(*u);
                }
            }
        }
        hit.sort_unstable();
        hit.dedup();
        if on_s || on_b || hit.is_empty() {
            return Ok(Resets {
                uids: hit,
                warnings: Vec::new(),
            });
        }
        Ok(Resets {
            warnings: vec![format!(
                "uid(s) {hit:?} set a commitment with ResetBondsFlag in block {block} while BondsResetOn({netuid}) was false at B-1 and B: their bonds are taken as untouched and compared"
            )],
            uids: Vec::new(),
        })
    }
}

/// `LastBondsReset` (OptionQuery, u32 block) equals `block`.
fn reset_in(x: &Option<Vec<u8>>, block: u64) -> Result<bool, ChainError> {
    let at: Option<u32> = opt(x, "LastBondsReset")?;
    Ok(at.is_some_and(|b| u64::from(b) == block))
}

/// Merges the re-registered and the reset uids: ascending, each once.
pub(super) fn merge(reregistered: &[u16], reset: &[u16]) -> Vec<u16> {
    let mut all: Vec<u16> = reregistered.iter().chain(reset).copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}
