//! Talking to a subtensor node: one subnet's exact epoch input (`yuma-snapshot/1`) and what the
//! chain recorded after it (`yuma-recorded/1`), read from storage and one runtime API
//! (CHAIN_EXPORT.md). A room of its own on top of the library: nothing below imports it.
//!
//! For the epoch that ran in `on_initialize` of block B the input is the post-state S of B−1
//! plus B's in-block edits before the epoch (timelocked reveals: the `Weights` rows at S_B of
//! the hotkeys whose commits block B consumed; the block's own emission, part of
//! `rao_emission`; the epoch counter + 1 for commit expiry). The recorded outputs are read at
//! S_B. [`fetch_epoch`] does one epoch; [`walk`] finds epoch blocks and walks back.

mod assemble;
mod emission;
mod files;
pub mod keys;
mod read;
mod resets;
pub mod rpc;
pub mod scale;
mod subnet;
pub mod walk;

pub use emission::{estimate_emission, pin_emission, Pinned};
pub use files::{is_complete, write_fetched};
pub use read::{fetch_epoch, FetchOptions, Fetched};
pub use rpc::{At, Node, NodeOptions};

/// Oldest runtime whose epoch this tool reproduces (legacy mappings up to 422).
pub const MIN_SPEC: u32 = 422;
/// Newest runtime checked against the tool's semantics.
pub const MAX_SPEC: u32 = 425;
/// The last runtime with the legacy epoch schedule, activity cutoff and commit expiry.
pub const LEGACY_SPEC: u32 = 422;

/// Why a fetch stopped: one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Transport failures outlasted the retries.
    #[error("{url}: the node is unreachable or dropped the connection after {tries} tries ({detail}); check the URL and the network, then run the same command with --resume to continue")]
    Unreachable {
        url: String,
        tries: u32,
        detail: String,
    },
    /// The node no longer keeps the state asked for.
    #[error("{url}: the node has pruned the state of block {block} (\"{detail}\"): use an archive node, e.g. wss://archive.chain.opentensor.ai:443")]
    Pruned {
        url: String,
        block: String,
        detail: String,
    },
    /// The request makes no sense for this chain (unknown netuid, no epoch at B, runtime).
    #[error("{0}")]
    Refused(String),
    /// The node answered something this tool cannot read.
    #[error("{0}")]
    Node(String),
}
