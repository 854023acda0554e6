//! Finding the blocks where a subnet's epoch ran (CHAIN_EXPORT.md §4).
//!
//! A successful epoch at B ⇔ `LastMechansimStepBlock(netuid)@S_B == B` (any runtime). The
//! newest epoch at or before a block X is `LastMechansimStepBlock@X`; the one before B is the
//! same item at B−1 (what [`super::Fetched::previous_epoch`] holds).

use super::keys;
use super::rpc::{At, Node};
use super::scale::decode;
use super::{ChainError, LEGACY_SPEC};

async fn at(node: &Node, block: u64) -> Result<At, ChainError> {
    node.block_hash(block).await?.ok_or_else(|| {
        ChainError::Refused(format!(
            "block {block} is not on the node yet: pick an older block"
        ))
    })
}

fn last_step(v: &Option<Vec<u8>>) -> Result<u64, ChainError> {
    v.as_deref()
        .map_or(Ok(0), |b| decode(b, "LastMechansimStepBlock"))
        .map_err(ChainError::Node)
}

/// The newest block ≤ `block` where `netuid`'s epoch ran (0: none yet).
pub async fn newest_epoch(node: &Node, netuid: u16, block: u64) -> Result<u64, ChainError> {
    let at = at(node, block).await?;
    let v = node
        .storage(&keys::by_u16("LastMechansimStepBlock", netuid), &at)
        .await?;
    last_step(&v)
}

/// The head block's number.
pub async fn head(node: &Node) -> Result<u64, ChainError> {
    node.head().await
}

/// Every netuid but root (0) with `NetworksAdded = true` at `block`, each with its newest epoch block ≤
/// `block` (0: none yet). Two batched reads, however many subnets.
pub async fn subnets_at(node: &Node, block: u64) -> Result<Vec<(u16, u64)>, ChainError> {
    let at = at(node, block).await?;
    let added = node.keys(&keys::prefix("NetworksAdded"), &at).await?;
    let flags = node.query(&added, &at).await?;
    let mut netuids: Vec<u16> = Vec::new();
    for (k, v) in added.iter().zip(&flags) {
        let on = v
            .as_deref()
            .map_or(Ok(false), |b| decode::<bool>(b, "NetworksAdded"));
        if on.map_err(ChainError::Node)? {
            // Root (netuid 0) runs no Yuma epoch (`run_coinbase` leaves it out).
            netuids.extend(keys::netuid_of(k).filter(|&u| u != 0));
        }
    }
    netuids.sort_unstable();
    let steps = node
        .query(
            &netuids
                .iter()
                .map(|&u| keys::by_u16("LastMechansimStepBlock", u))
                .collect::<Vec<_>>(),
            &at,
        )
        .await?;
    netuids
        .into_iter()
        .zip(&steps)
        .map(|(u, v)| Ok((u, last_step(v)?)))
        .collect()
}

/// The refusal for a block where the subnet's epoch did not run, naming the nearest epoch
/// blocks before and after it.
pub async fn not_an_epoch(
    node: &Node,
    netuid: u16,
    block: u64,
    before: u64,
    tempo: u16,
    spec: u32,
) -> ChainError {
    let period = u64::from(tempo) + u64::from(spec <= LEGACY_SPEC);
    let after = async {
        let head = node.head().await?;
        let probe = block.saturating_add(period.max(1)).min(head);
        let next = newest_epoch(node, netuid, probe).await?;
        Ok::<_, ChainError>((next > block).then_some(next))
    };
    let before_text = if before == 0 || before > block {
        "none recorded".to_string()
    } else {
        format!("{before}")
    };
    let after_text = match after.await {
        Ok(Some(b)) => format!("{b}"),
        Ok(None) => "not yet on the node".to_string(),
        Err(e) => format!("unknown ({e})"),
    };
    ChainError::Refused(format!(
        "block {block}: netuid {netuid}'s epoch did not run there (LastMechansimStepBlock at {block} is {before}); nearest epoch blocks: before {before_text}, after {after_text}: pass one of them to --block, or use --last"
    ))
}
