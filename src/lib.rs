//! yuma: Bittensor's Yuma Consensus epoch, bit for bit as the chain computes it.
//!
//! Data flows one way: [`snapshot`] (input) → [`epoch`] stages → [`output`] (result and
//! writers). [`compare`] checks two results field by field. [`gen`] makes synthetic subnets and
//! [`replay`] chains one epoch's stored state into the next.

pub mod analysis;
pub mod backend;
pub mod compare;
pub mod engine;
pub mod epoch;
pub mod explain;
pub mod fixed;
pub mod gen;
pub mod gpu;
pub mod jobs;
pub mod json;
pub mod output;
pub mod recorded;
pub mod replay;
pub mod snapshot;
pub mod validate;
