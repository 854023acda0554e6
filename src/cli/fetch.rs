//! `yuma fetch`: a subnet's exact epoch input (`snapshot.json`) and what the chain recorded
//! (`recorded.json`), straight from a subtensor node. Layouts: one epoch → `DIR/`; `--epochs K`
//! → `DIR/epoch_000 …` oldest first; `--all-subnets` → `DIR/netuid_N/`. Every file is written
//! to a temporary name and renamed; `recorded.json` last, so a folder holding it is complete.
//! A walk keeps its progress in `DIR/.yuma-fetch.json` until it ends, for `--resume`.

use super::progress::progress_bar;
use super::CliError;
use clap::{ArgGroup, Args};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use yuma::chain::{walk, ChainError, FetchOptions, Fetched, Node, NodeOptions};
use yuma::replay::epoch_name;

/// Fetch a subnet's epoch input and recorded outputs from a subtensor node.
///
/// For the epoch that ran at block B writes DIR/snapshot.json (yuma-snapshot/1: the state after
/// B-1 plus B's in-block edits, every mechanism) and DIR/recorded.json (yuma-recorded/1: what the
/// chain stored at B; rao_emission pinned to the recorded Emission, server_emission null).
/// --epochs K writes DIR/epoch_000 … oldest first (`yuma validate DIR`, `yuma replay DIR
/// --check`); --all-subnets writes DIR/netuid_N/. Runtimes spec_version 422-425. Exact integers
/// throughout. Refusals (no epoch at B, unknown netuid, pruned state, runtime, unreachable node)
/// are one line saying what to do.
#[derive(Args)]
#[command(group(ArgGroup::new("at").required(true).args(["block", "last"])))]
#[command(group(ArgGroup::new("what").required(true).args(["netuid", "all_subnets"])))]
pub struct FetchArgs {
    /// Node URL: ws://, wss://, http:// or https:// (an archive node for blocks older than ~300).
    #[arg(long)]
    url: String,
    /// The subnet.
    #[arg(long)]
    netuid: Option<u16>,
    /// The block whose epoch to fetch (must be one where the subnet's epoch ran; with
    /// --all-subnets: each subnet's newest epoch at or before it).
    #[arg(long)]
    block: Option<u64>,
    /// The newest epoch (at the node's best block).
    #[arg(long)]
    last: bool,
    /// Walk back K epochs of the subnet: DIR/epoch_000 … (oldest first).
    #[arg(long, default_value_t = 1, conflicts_with = "all_subnets")]
    epochs: usize,
    /// Every subnet's newest epoch at or before the block: DIR/netuid_N/.
    #[arg(long)]
    all_subnets: bool,
    /// Output folder.
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    /// Continue an interrupted --epochs or --all-subnets fetch in the same folder.
    #[arg(long)]
    resume: bool,
    /// Fetch under a runtime newer than spec_version 425 (a warning goes into source).
    #[arg(long)]
    allow_newer_runtime: bool,
    /// Seconds before one request to the node times out.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Tries per request (with exponential backoff from 0.5 s) before giving up.
    #[arg(long, default_value_t = 4)]
    tries: u32,
}

const PROGRESS_FILE: &str = ".yuma-fetch.json";

fn io_err(path: &Path, e: std::io::Error) -> CliError {
    CliError::new(format!("{}: {e}", path.display()))
}

/// Writes `text` atomically (temporary file + rename).
fn write_atomic(path: &Path, text: &str) -> Result<(), CliError> {
    yuma::jobs::write_atomic(path, text).map_err(CliError::new)
}

fn write_epoch(dir: &Path, f: &Fetched) -> Result<(), CliError> {
    yuma::chain::write_fetched(dir, f).map_err(CliError::new)
}

fn complete(dir: &Path) -> bool {
    yuma::chain::is_complete(dir)
}

fn describe(f: &Fetched) -> String {
    let src = f.recorded.source.as_ref();
    let how = src
        .and_then(|s| s.get("rao_emission"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    format!(
        "netuid {} block {}: n {}, {} mechanism(s), rao_emission {} ({how}), skip_uids {:?}",
        f.snapshot.netuid,
        f.snapshot.block,
        f.snapshot.n,
        f.snapshot.mechanisms.len(),
        f.snapshot.rao_emission,
        f.recorded.skip_uids
    )
}

fn load_progress(out: &Path) -> Result<Option<Value>, CliError> {
    let path = out.join(PROGRESS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(t) => serde_json::from_str(&t).map(Some).map_err(|e| {
            CliError::new(format!("{}: {e}; delete it to start over", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&path, e)),
    }
}

fn save_progress(out: &Path, v: &Value) -> Result<(), CliError> {
    write_atomic(&out.join(PROGRESS_FILE), &format!("{v}\n"))
}

/// Runs `yuma fetch`.
pub fn run(a: FetchArgs) -> Result<(), CliError> {
    let node = Node::new(NodeOptions {
        url: a.url.clone(),
        timeout: Duration::from_secs(a.timeout.max(1)),
        tries: a.tries.max(1),
        backoff: Duration::from_millis(500),
    })?;
    if a.epochs == 0 {
        return Err(CliError::new("--epochs must be at least 1"));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))?;
    std::fs::create_dir_all(&a.out).map_err(|e| io_err(&a.out, e))?;
    let progress = load_progress(&a.out)?;
    if progress.is_some() && !a.resume {
        return Err(CliError::new(format!(
            "{} holds an unfinished fetch ({PROGRESS_FILE}): add --resume to continue it, or choose another -o",
            a.out.display()
        )));
    }
    let result = rt.block_on(async {
        if a.all_subnets {
            all_subnets(&node, &a, progress).await
        } else if a.epochs > 1 {
            epochs(&node, &a, progress).await
        } else {
            one(&node, &a).await
        }
    });
    say!("{} request(s) to {}", node.round_trips(), node.url());
    result
}

fn opts(a: &FetchArgs) -> FetchOptions {
    FetchOptions {
        allow_newer_runtime: a.allow_newer_runtime,
    }
}

async fn start_block(node: &Node, netuid: u16, a: &FetchArgs) -> Result<u64, ChainError> {
    match a.block {
        Some(b) => Ok(b),
        None => {
            let head = walk::head(node).await?;
            let b = walk::newest_epoch(node, netuid, head).await?;
            if b == 0 {
                return Err(ChainError::Refused(format!(
                    "netuid {netuid} has no recorded epoch at the head (block {head})"
                )));
            }
            Ok(b)
        }
    }
}

async fn one(node: &Node, a: &FetchArgs) -> Result<(), CliError> {
    let netuid = a.netuid.unwrap_or(0);
    let block = start_block(node, netuid, a).await?;
    let f = yuma::chain::fetch_epoch(node, netuid, block, &opts(a)).await?;
    write_epoch(&a.out, &f)?;
    say!("wrote {}: {}", a.out.display(), describe(&f));
    Ok(())
}

async fn epochs(node: &Node, a: &FetchArgs, progress: Option<Value>) -> Result<(), CliError> {
    let netuid = a.netuid.unwrap_or(0);
    let k = a.epochs;
    let mut blocks: Vec<u64> = match &progress {
        Some(p) => {
            if p["netuid"] != json!(netuid) || p["epochs"] != json!(k) {
                return Err(CliError::new(format!(
                    "{}: the unfinished fetch there is for {p}; rerun it with the same --netuid and --epochs",
                    a.out.display()
                )));
            }
            serde_json::from_value(p["blocks"].clone())
                .map_err(|e| CliError::new(format!("{PROGRESS_FILE}: blocks: {e}")))?
        }
        None => vec![start_block(node, netuid, a).await?],
    };
    let pb = progress_bar(k as u64, "epochs");
    let mut fetched = k;
    for i in 0..k {
        let dir = a.out.join(epoch_name(k - 1 - i, k));
        let block = blocks[i];
        pb.set_message(format!("block {block}"));
        if !(complete(&dir) && blocks.len() > i + 1) {
            let f = yuma::chain::fetch_epoch(node, netuid, block, &opts(a)).await?;
            write_epoch(&dir, &f)?;
            blocks.truncate(i + 1);
            blocks.push(f.previous_epoch);
            save_progress(
                &a.out,
                &json!({"format": "yuma-fetch-progress/1", "netuid": netuid, "epochs": k, "blocks": blocks}),
            )?;
        }
        pb.inc(1);
        if i + 1 < k && blocks[i + 1] == 0 {
            fetched = i + 1;
            break;
        }
    }
    pb.finish_and_clear();
    if fetched < k {
        for i in (0..fetched).rev() {
            let from = a.out.join(epoch_name(k - 1 - i, k));
            let to = a.out.join(epoch_name(fetched - 1 - i, fetched));
            std::fs::rename(&from, &to).map_err(|e| io_err(&from, e))?;
        }
        say!(
            "netuid {netuid}: only {fetched} epoch(s) recorded before block {}",
            blocks[0]
        );
    }
    let _ = std::fs::remove_file(a.out.join(PROGRESS_FILE));
    say!(
        "wrote {} epoch(s) of netuid {netuid}, blocks {} … {}, to {}",
        fetched,
        blocks[fetched - 1],
        blocks[0],
        a.out.display()
    );
    Ok(())
}

async fn all_subnets(node: &Node, a: &FetchArgs, progress: Option<Value>) -> Result<(), CliError> {
    let list: Vec<(u16, u64)> = match &progress {
        Some(p) => serde_json::from_value(p["subnets"].clone())
            .map_err(|e| CliError::new(format!("{PROGRESS_FILE}: subnets: {e}")))?,
        None => {
            let block = match a.block {
                Some(b) => b,
                None => walk::head(node).await?,
            };
            let list = walk::subnets_at(node, block).await?;
            save_progress(
                &a.out,
                &json!({"format": "yuma-fetch-progress/1", "block": block, "subnets": list}),
            )?;
            list
        }
    };
    let pb = progress_bar(list.len() as u64, "subnets");
    let mut failed = Vec::new();
    for &(netuid, block) in &list {
        pb.set_message(format!("netuid {netuid}"));
        let dir = a.out.join(format!("netuid_{netuid}"));
        if block == 0 || complete(&dir) {
            pb.inc(1);
            continue;
        }
        match yuma::chain::fetch_epoch(node, netuid, block, &opts(a)).await {
            Ok(f) => write_epoch(&dir, &f)?,
            Err(e @ (ChainError::Unreachable { .. } | ChainError::Pruned { .. })) => {
                pb.abandon();
                return Err(e.into());
            }
            Err(e) => failed.push(format!("netuid {netuid}: {e}")),
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    let _ = std::fs::remove_file(a.out.join(PROGRESS_FILE));
    let done = list.iter().filter(|(_, b)| *b != 0).count() - failed.len();
    say!("wrote {done} subnet(s) to {}", a.out.display());
    for (netuid, _) in list.iter().filter(|(_, b)| *b == 0) {
        say!("netuid {netuid}: no epoch recorded yet, skipped");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(failed.join("; ")))
    }
}
