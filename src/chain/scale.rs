//! SCALE values of the storage items and runtime calls the fetch reads, decoded with
//! `parity-scale-codec`. Every decoder consumes the whole value (`DecodeAll`): trailing bytes
//! mean the node's layout differs from the one assumed, which is an error, never a guess.

use parity_scale_codec::{Compact, Decode, DecodeAll, Encode};
use std::collections::VecDeque;

/// A 32-byte account id (hotkey or coldkey).
pub type Account = [u8; 32];

/// A `WeightCommits` (commit-reveal v2) queue entry: `(hash, commit_epoch, commit_block, _)`
/// at spec ≥ 423; at spec ≤ 422 field 1 is the commit block.
pub type V2Commit = ([u8; 32], u64, u64, u64);

/// A `TimelockedWeightCommits` entry: `(who, commit_block, ciphertext, reveal_round)`.
pub type TimelockedCommit = (Account, u64, Vec<u8>, u64);

/// Decodes a whole value of type `T`, or says what it expected.
pub fn decode<T: Decode>(bytes: &[u8], what: &str) -> Result<T, String> {
    T::decode_all(&mut &bytes[..]).map_err(|e| {
        format!(
            "cannot decode {what} ({} bytes: {e}): the node's layout differs from runtime 422-425",
            bytes.len()
        )
    })
}

/// Decodes a `VecDeque<V2Commit>`.
pub fn v2_commits(bytes: &[u8]) -> Result<Vec<V2Commit>, String> {
    decode::<VecDeque<V2Commit>>(bytes, "WeightCommits").map(Vec::from)
}

/// Decodes a `VecDeque<TimelockedCommit>`.
pub fn timelocked_commits(bytes: &[u8]) -> Result<Vec<TimelockedCommit>, String> {
    decode::<VecDeque<TimelockedCommit>>(bytes, "TimelockedWeightCommits").map(Vec::from)
}

/// SCALE arguments of `SubnetInfoRuntimeApi_get_selective_metagraph(netuid, indexes)`.
pub fn selective_metagraph_args(netuid: u16, indexes: &[u16]) -> Vec<u8> {
    (netuid, indexes.to_vec()).encode()
}

/// Field indexes of `SelectiveMetagraph` (subtensor `rpc_info/metagraph.rs`,
/// `SelectiveMetagraphIndex`): the struct starts with a `Compact<NetUid>`, then one `Option`
/// per index 1 …; 67 = alpha_stake, 68 = tao_stake (`Vec<Compact<u64>>` each).
pub const ALPHA_STAKE_INDEX: u16 = 67;
/// See [`ALPHA_STAKE_INDEX`].
pub const TAO_STAKE_INDEX: u16 = 68;

/// What the fetch asks `get_selective_metagraph` for: the netuid echo and the two stakes.
pub const STAKE_INDEXES: [u16; 3] = [0, ALPHA_STAKE_INDEX, TAO_STAKE_INDEX];

/// The stakes of a subnet as `get_stake_weights_for_network` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stakes {
    pub netuid: u16,
    pub alpha: Vec<u64>,
    pub tao: Vec<u64>,
}

/// Decodes the answer of `get_selective_metagraph(netuid, [0, 67, 68])`:
/// `Option<SelectiveMetagraph>`. `Ok(None)` = the subnet does not exist. Every field other
/// than 67 and 68 must be `None` (one `0x00` byte); any number of trailing `None` fields is
/// accepted, so runtimes that appended fields after index 68 decode too.
pub fn selective_stakes(bytes: &[u8]) -> Result<Option<Stakes>, String> {
    let input = &mut &bytes[..];
    let err = |what: &str| format!("get_selective_metagraph answer: {what}");
    let present = u8::decode(input).map_err(|_| err("empty"))?;
    match present {
        0 => return Ok(None),
        1 => {}
        b => return Err(err(&format!("Option tag {b}"))),
    }
    let netuid = Compact::<u16>::decode(input)
        .map_err(|e| err(&format!("netuid: {e}")))?
        .0;
    let mut alpha = None;
    let mut tao = None;
    let mut index: u16 = 1;
    while !input.is_empty() {
        let tag = u8::decode(input).map_err(|e| err(&format!("field {index}: {e}")))?;
        match (tag, index) {
            (0, _) => {}
            (1, ALPHA_STAKE_INDEX | TAO_STAKE_INDEX) => {
                let v: Vec<Compact<u64>> =
                    Decode::decode(input).map_err(|e| err(&format!("field {index}: {e}")))?;
                let v: Vec<u64> = v.into_iter().map(|c| c.0).collect();
                if index == ALPHA_STAKE_INDEX {
                    alpha = Some(v);
                } else {
                    tao = Some(v);
                }
            }
            (1, _) => {
                return Err(err(&format!(
                    "field {index} is present but was not asked for"
                )))
            }
            (b, _) => return Err(err(&format!("field {index}: Option tag {b}"))),
        }
        index += 1;
    }
    match (alpha, tao) {
        (Some(alpha), Some(tao)) => Ok(Some(Stakes { netuid, alpha, tao })),
        _ => Err(err("alpha_stake (67) or tao_stake (68) missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selective_stakes_roundtrip() {
        let mut b = vec![1u8];
        b.extend(Compact(7u16).encode());
        b.extend(std::iter::repeat_n(0u8, 66));
        b.push(1);
        b.extend(vec![Compact(5u64), Compact(u64::MAX)].encode());
        b.push(1);
        b.extend(vec![Compact(0u64), Compact(1u64 << 40)].encode());
        b.extend([0u8; 5]);
        let s = selective_stakes(&b).unwrap().unwrap();
        assert_eq!(s.netuid, 7);
        assert_eq!(s.alpha, vec![5, u64::MAX]);
        assert_eq!(s.tao, vec![0, 1 << 40]);
        assert_eq!(selective_stakes(&[0]).unwrap(), None);
    }
}
