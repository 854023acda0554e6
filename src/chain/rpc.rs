//! The JSON-RPC face of a subtensor node (jsonrpsee, over ws://, wss://, http:// or https://).
//!
//! Only these methods are called: `chain_getBlockHash`, `chain_getHeader`,
//! `state_getRuntimeVersion`, `state_getStorage`, `state_queryStorageAt`, `state_getKeysPaged`
//! and `state_call`. Transport failures (refused or dropped connections, timeouts) are retried
//! with exponential backoff, reconnecting a websocket each time; a node's own error answer is
//! never retried. Storage reads are batched: [`Node::query`] sends up to [`KEYS_PER_QUERY`]
//! keys per `state_queryStorageAt` and runs the batches concurrently.

use super::keys::{hex, unhex};
use super::ChainError;
use jsonrpsee::core::client::{ClientT, Error as RpcError};
use jsonrpsee::core::params::ArrayParams;
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee::rpc_params;
use jsonrpsee::ws_client::{WsClient, WsClientBuilder};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Keys per `state_queryStorageAt` call.
pub const KEYS_PER_QUERY: usize = 1000;
/// `state_queryStorageAt` calls in flight at once.
pub const CONCURRENT_QUERIES: usize = 8;
/// Keys per `state_getKeysPaged` page (nodes refuse more than 1000).
pub const KEYS_PER_PAGE: u32 = 1000;
/// Largest answer accepted from the node (a 4096-uid subnet's weights fit many times over).
const MAX_RESPONSE_BYTES: u32 = 1 << 30;

/// A block: its number (for messages) and its hash (for the node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub number: u64,
    pub hash: String,
}

/// How to reach the node.
#[derive(Clone, Debug)]
pub struct NodeOptions {
    pub url: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Tries per request (the first included) before the node is declared unreachable.
    pub tries: u32,
    /// Wait before the second try; doubled before each further one.
    pub backoff: Duration,
}

enum Client {
    Http(HttpClient),
    Ws(WsClient),
}

impl Client {
    async fn request(&self, method: &str, params: ArrayParams) -> Result<Value, RpcError> {
        match self {
            Client::Http(c) => c.request(method, params).await,
            Client::Ws(c) => c.request(method, params).await,
        }
    }
}

/// A connection to one node, counting its round trips.
pub struct Node {
    opts: NodeOptions,
    client: Mutex<Option<Arc<Client>>>,
    calls: AtomicU64,
}

fn retryable(e: &RpcError) -> bool {
    !matches!(e, RpcError::Call(_) | RpcError::ParseError(_))
}

impl Node {
    /// Checks the URL's scheme; the connection itself is made on the first request.
    pub fn new(opts: NodeOptions) -> Result<Self, ChainError> {
        let ok = ["ws://", "wss://", "http://", "https://"]
            .iter()
            .any(|s| opts.url.starts_with(s));
        if !ok {
            return Err(ChainError::Refused(format!(
                "--url {}: expected ws://, wss://, http:// or https://",
                opts.url
            )));
        }
        Ok(Node {
            opts,
            client: Mutex::new(None),
            calls: AtomicU64::new(0),
        })
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.opts.url
    }

    /// Requests sent so far (every try counts).
    pub fn round_trips(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn connect(&self) -> Result<Arc<Client>, RpcError> {
        if let Some(c) = self.client.lock().map_err(|_| poisoned())?.as_ref() {
            return Ok(c.clone());
        }
        let url = &self.opts.url;
        let client = if url.starts_with("ws") {
            Client::Ws(
                WsClientBuilder::default()
                    .request_timeout(self.opts.timeout)
                    .connection_timeout(self.opts.timeout)
                    .max_response_size(MAX_RESPONSE_BYTES)
                    .max_request_size(MAX_RESPONSE_BYTES)
                    .build(url)
                    .await?,
            )
        } else {
            Client::Http(
                HttpClientBuilder::default()
                    .request_timeout(self.opts.timeout)
                    .max_response_size(MAX_RESPONSE_BYTES)
                    .max_request_size(MAX_RESPONSE_BYTES)
                    .build(url)?,
            )
        };
        let client = Arc::new(client);
        *self.client.lock().map_err(|_| poisoned())? = Some(client.clone());
        Ok(client)
    }

    fn forget(&self, failed: &Arc<Client>) {
        if let Ok(mut slot) = self.client.lock() {
            if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, failed)) {
                *slot = None;
            }
        }
    }

    /// One request with retries. `at` names the block for error messages.
    async fn call(
        &self,
        method: &str,
        params: ArrayParams,
        at: Option<&At>,
    ) -> Result<Value, ChainError> {
        let mut wait = self.opts.backoff;
        let mut last = String::new();
        for attempt in 0..self.opts.tries.max(1) {
            if attempt > 0 {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            self.calls.fetch_add(1, Ordering::Relaxed);
            let client = match self.connect().await {
                Ok(c) => c,
                Err(e) => {
                    last = e.to_string();
                    continue;
                }
            };
            match client.request(method, params.clone()).await {
                Ok(v) => return Ok(v),
                Err(e) if retryable(&e) => {
                    self.forget(&client);
                    last = e.to_string();
                }
                Err(e) => return Err(self.node_error(method, &e.to_string(), at)),
            }
        }
        Err(ChainError::Unreachable {
            url: self.opts.url.clone(),
            tries: self.opts.tries.max(1),
            detail: last,
        })
    }

    fn node_error(&self, method: &str, message: &str, at: Option<&At>) -> ChainError {
        let block = at.map(|a| a.number.to_string()).unwrap_or_default();
        if message.contains("State already discarded") || message.contains("UnknownBlock") {
            return ChainError::Pruned {
                url: self.opts.url.clone(),
                block,
                detail: message.to_string(),
            };
        }
        ChainError::Node(format!(
            "{}: {method} at block {block} failed: {message}",
            self.opts.url
        ))
    }

    fn bad_answer(&self, method: &str, what: &str) -> ChainError {
        ChainError::Node(format!(
            "{}: {method}: unexpected answer ({what})",
            self.opts.url
        ))
    }

    /// `chain_getBlockHash(n)`; `None` when the node has no such block yet.
    pub async fn block_hash(&self, number: u64) -> Result<Option<At>, ChainError> {
        let v = self
            .call("chain_getBlockHash", rpc_params![number], None)
            .await?;
        match v {
            Value::Null => Ok(None),
            Value::String(hash) => Ok(Some(At { number, hash })),
            _ => Err(self.bad_answer("chain_getBlockHash", "not a hash")),
        }
    }

    /// The best block's number (`chain_getHeader` without a hash).
    pub async fn head(&self) -> Result<u64, ChainError> {
        let v = self.call("chain_getHeader", rpc_params![], None).await?;
        let number = v.get("number").and_then(Value::as_str).unwrap_or("");
        u64::from_str_radix(number.trim_start_matches("0x"), 16)
            .map_err(|_| self.bad_answer("chain_getHeader", "no block number"))
    }

    /// `state_getRuntimeVersion(hash).specVersion`.
    pub async fn spec_version(&self, at: &At) -> Result<u32, ChainError> {
        let v = self
            .call("state_getRuntimeVersion", rpc_params![&at.hash], Some(at))
            .await?;
        v.get("specVersion")
            .and_then(Value::as_u64)
            .and_then(|s| u32::try_from(s).ok())
            .ok_or_else(|| self.bad_answer("state_getRuntimeVersion", "no specVersion"))
    }

    /// `state_getStorage(key, hash)`: the raw value, `None` when absent.
    pub async fn storage(&self, key: &[u8], at: &At) -> Result<Option<Vec<u8>>, ChainError> {
        let v = self
            .call(
                "state_getStorage",
                rpc_params![hex(key), &at.hash],
                Some(at),
            )
            .await?;
        self.opt_bytes("state_getStorage", &v)
    }

    fn opt_bytes(&self, method: &str, v: &Value) -> Result<Option<Vec<u8>>, ChainError> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => unhex(s)
                .map(Some)
                .ok_or_else(|| self.bad_answer(method, "bad hex")),
            _ => Err(self.bad_answer(method, "not hex")),
        }
    }

    async fn query_chunk(
        &self,
        keys: &[Vec<u8>],
        at: &At,
    ) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
        let hex_keys: Vec<String> = keys.iter().map(|k| hex(k)).collect();
        let v = self
            .call(
                "state_queryStorageAt",
                rpc_params![&hex_keys, &at.hash],
                Some(at),
            )
            .await?;
        let method = "state_queryStorageAt";
        let mut found = std::collections::HashMap::new();
        for set in v
            .as_array()
            .ok_or_else(|| self.bad_answer(method, "not a list"))?
        {
            let changes = set
                .get("changes")
                .and_then(Value::as_array)
                .ok_or_else(|| self.bad_answer(method, "no changes"))?;
            for pair in changes {
                let key = pair.get(0).and_then(Value::as_str).unwrap_or("");
                let value = self.opt_bytes(method, pair.get(1).unwrap_or(&Value::Null))?;
                found.insert(key.to_ascii_lowercase(), value);
            }
        }
        Ok(hex_keys
            .iter()
            .map(|k| found.get(k).cloned().flatten())
            .collect())
    }

    /// The values of `keys` at `at`, in order (`None` = absent): `state_queryStorageAt` with
    /// up to [`KEYS_PER_QUERY`] keys per call, at most [`CONCURRENT_QUERIES`] in flight.
    pub async fn query(
        &self,
        keys: &[Vec<u8>],
        at: &At,
    ) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let parts: Vec<Vec<Option<Vec<u8>>>> = stream::iter(keys.chunks(KEYS_PER_QUERY))
            .map(|c| self.query_chunk(c, at))
            .buffered(CONCURRENT_QUERIES)
            .try_collect()
            .await?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Every key under `prefix` at `at` (`state_getKeysPaged`, pages of [`KEYS_PER_PAGE`]).
    pub async fn keys(&self, prefix: &[u8], at: &At) -> Result<Vec<Vec<u8>>, ChainError> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        loop {
            let start = out.last().map(|k| hex(k)).unwrap_or_else(|| hex(prefix));
            let v = self
                .call(
                    "state_getKeysPaged",
                    rpc_params![hex(prefix), KEYS_PER_PAGE, start, &at.hash],
                    Some(at),
                )
                .await?;
            let page = v
                .as_array()
                .ok_or_else(|| self.bad_answer("state_getKeysPaged", "not a list"))?;
            for k in page {
                let k = k
                    .as_str()
                    .and_then(unhex)
                    .ok_or_else(|| self.bad_answer("state_getKeysPaged", "bad key"))?;
                out.push(k);
            }
            if page.len() < KEYS_PER_PAGE as usize {
                return Ok(out);
            }
        }
    }

    /// `state_call(method, data, hash)`: the SCALE answer of a runtime API.
    pub async fn runtime_call(
        &self,
        method: &str,
        data: &[u8],
        at: &At,
    ) -> Result<Vec<u8>, ChainError> {
        let v = self
            .call(
                "state_call",
                rpc_params![method, hex(data), &at.hash],
                Some(at),
            )
            .await?;
        self.opt_bytes("state_call", &v)?
            .ok_or_else(|| self.bad_answer("state_call", "null"))
    }
}

fn poisoned() -> RpcError {
    RpcError::Custom("connection slot poisoned".into())
}
