//! Storage keys of the `SubtensorModule` items an epoch reads (CHAIN_EXPORT.md §1, §3).
//!
//! A key is `twox128("SubtensorModule") ++ twox128(item) ++ k1 ++ k2`, where each map key part is
//! encoded by its hasher: Identity = the SCALE bytes, `Blake2_128Concat` = `blake2_128(b) ++ b`,
//! `Twox64Concat` = `twox64(b) ++ b`. `NetUid`/`NetUidStorageIndex` and uids are u16
//! little-endian, epochs u64 little-endian, accounts 32 raw bytes.

use sp_crypto_hashing::{blake2_128, twox_128, twox_64};

/// The pallet's name in the runtime metadata.
pub const PALLET: &str = "SubtensorModule";

/// The storage index of mechanism `m` of `netuid`: `netuid + 4096·m`.
pub fn storage_index(netuid: u16, m: u8) -> u16 {
    netuid.wrapping_add(4096u16.wrapping_mul(u16::from(m)))
}

/// The commitments pallet's name in the runtime metadata (`construct_runtime!` index 18).
pub const COMMITMENTS: &str = "Commitments";

/// `twox128(pallet) ++ twox128(item)`: the prefix every key of `pallet`'s `item` starts with.
pub fn pallet_prefix(pallet: &str, item: &str) -> Vec<u8> {
    let mut k = twox_128(pallet.as_bytes()).to_vec();
    k.extend_from_slice(&twox_128(item.as_bytes()));
    k
}

/// `twox128("SubtensorModule") ++ twox128(item)`: the prefix every key of `item` starts with.
pub fn prefix(item: &str) -> Vec<u8> {
    pallet_prefix(PALLET, item)
}

/// `blake2_128(data) ++ data`.
pub fn blake2_128_concat(data: &[u8]) -> Vec<u8> {
    let mut k = blake2_128(data).to_vec();
    k.extend_from_slice(data);
    k
}

/// `twox64(data) ++ data`.
pub fn twox64_concat(data: &[u8]) -> Vec<u8> {
    let mut k = twox_64(data).to_vec();
    k.extend_from_slice(data);
    k
}

/// A global `StorageValue` (e.g. `TaoWeight`, `StakeThreshold`).
pub fn value(item: &str) -> Vec<u8> {
    prefix(item)
}

/// A map keyed by a u16 with the Identity hasher (`SubnetworkN(netuid)`, `Incentive(idx)`, …).
pub fn by_u16(item: &str, key: u16) -> Vec<u8> {
    let mut k = prefix(item);
    k.extend_from_slice(&key.to_le_bytes());
    k
}

/// A map keyed by a u16 with `Blake2_128Concat` (`LiquidAlphaOn`, `Yuma3On`).
pub fn by_u16_blake2(item: &str, key: u16) -> Vec<u8> {
    let mut k = prefix(item);
    k.extend_from_slice(&blake2_128_concat(&key.to_le_bytes()));
    k
}

/// A map keyed by a u16 with `Twox64Concat` (`MechanismCountCurrent`, `RevealPeriodEpochs`, …).
pub fn by_u16_twox(item: &str, key: u16) -> Vec<u8> {
    let mut k = prefix(item);
    k.extend_from_slice(&twox64_concat(&key.to_le_bytes()));
    k
}

/// A double map with Identity u16 keys (`Keys`, `BlockAtRegistration`, `Weights`, `Bonds`).
pub fn by_u16_u16(item: &str, k1: u16, k2: u16) -> Vec<u8> {
    let mut k = by_u16(item, k1);
    k.extend_from_slice(&k2.to_le_bytes());
    k
}

/// `Uids(netuid, hotkey)`: Identity netuid, `Blake2_128Concat` account.
pub fn uids(netuid: u16, hotkey: &[u8; 32]) -> Vec<u8> {
    let mut k = by_u16("Uids", netuid);
    k.extend_from_slice(&blake2_128_concat(hotkey));
    k
}

/// `Commitments::LastBondsReset(netuid, hotkey)`: Identity netuid, `Twox64Concat` account; the
/// value is the u32 block of the hotkey's last commitment carrying a `ResetBondsFlag`.
pub fn last_bonds_reset(netuid: u16, hotkey: &[u8; 32]) -> Vec<u8> {
    let mut k = pallet_prefix(COMMITMENTS, "LastBondsReset");
    k.extend_from_slice(&netuid.to_le_bytes());
    k.extend_from_slice(&twox64_concat(hotkey));
    k
}

/// `WeightCommits(idx, hotkey)`: both `Twox64Concat`.
pub fn weight_commits(idx: u16, hotkey: &[u8; 32]) -> Vec<u8> {
    let mut k = by_u16_twox("WeightCommits", idx);
    k.extend_from_slice(&twox64_concat(hotkey));
    k
}

/// The prefix of every `TimelockedWeightCommits(idx, ·)` key.
pub fn timelocked_prefix(idx: u16) -> Vec<u8> {
    by_u16_twox("TimelockedWeightCommits", idx)
}

/// `TimelockedWeightCommits(idx, epoch)`: both `Twox64Concat`.
pub fn timelocked(idx: u16, epoch: u64) -> Vec<u8> {
    let mut k = timelocked_prefix(idx);
    k.extend_from_slice(&twox64_concat(&epoch.to_le_bytes()));
    k
}

/// The epoch a `TimelockedWeightCommits(idx, epoch)` key names (its last 8 bytes).
pub fn timelocked_epoch(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_le_bytes(tail))
}

/// The netuid a `NetworksAdded(netuid)` key names (its last 2 bytes).
pub fn netuid_of(key: &[u8]) -> Option<u16> {
    let tail: [u8; 2] = key.get(key.len().checked_sub(2)?..)?.try_into().ok()?;
    Some(u16::from_le_bytes(tail))
}

/// Lower-case hex with a `0x` prefix, as JSON-RPC wants keys and data.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Parses `0x…` hex (the prefix is optional); `None` on odd length or a non-hex digit.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
