//! `yuma bench`'s GPU batch table: what one GPU submission of many subnet-epochs costs —
//! kernel launches per batch, and the host's time per subnet-epoch (packing + encoding +
//! readback) beside the GPU's (waiting for the kernels; their timestamp time where the adapter
//! has timestamp queries). Every result is compared with the CPU engine's bit for bit.

use std::time::{Duration, Instant};

use super::{difference, format_time, CliError};
use crate::cli::backend::gpu_engine;
use yuma::engine::{CpuEngine, Engine};
use yuma::gen::{generate, GenParams, Mode};
use yuma::gpu::{AdapterChoice, BatchStats, GpuEngine};
use yuma::snapshot::Snapshot;

/// Subnet-epochs in a network-day's batch (≈ 2,550 subnet-mechanism epochs).
pub const NETWORK_BATCH: usize = 2550;

/// Batch sizes timed: one epoch, then `big` (a network-day unless overridden; smaller on a
/// software adapter, which emulates the GPU on the CPU cores).
fn sizes(big: Option<usize>, quick: bool, software: bool) -> Vec<usize> {
    let big = big.unwrap_or(match (quick, software) {
        (true, true) => 64,
        (false, true) => 255,
        (true, false) => 255,
        (false, false) => NETWORK_BATCH,
    });
    if big <= 1 {
        vec![1]
    } else {
        vec![1, big]
    }
}

/// The subnets of a batch: n = 256 with 64 validators, seeds 1 … k, Yuma 3 on even seeds.
fn subnets(k: usize) -> Result<Vec<Snapshot>, CliError> {
    (0..k)
        .map(|i| {
            let seed = 1 + i as u64;
            let mode = if seed.is_multiple_of(2) {
                Mode::Yuma3
            } else {
                Mode::Yuma2
            };
            let mut p = GenParams::new(256, 64, seed, mode);
            p.netuid = (i % 4096) as u16;
            Ok(generate(&p)?)
        })
        .collect()
}

/// What the table times: the large batch (`big`, else `sizes`' default), `reps` timed runs per
/// batch, and `host_reps` host rehearsals of each batch's warm-up run.
pub struct Sizes {
    pub big: Option<usize>,
    pub quick: bool,
    pub reps: Option<u32>,
    pub host_reps: usize,
}

/// One row: the median run's figures (by wall time) of `reps` runs after a warm-up, and the
/// warm-up run's host rehearsals (one `BatchStats` each, its encoding the warm-up run's).
struct Row {
    epochs: usize,
    wall: Duration,
    stats: BatchStats,
    mismatch: Option<String>,
    rehearsed: Vec<BatchStats>,
}

fn time_batch(
    gpu: &mut GpuEngine,
    snaps: &[Snapshot],
    reps: usize,
    host_reps: usize,
) -> Result<Row, CliError> {
    let refs: Vec<&Snapshot> = snaps.iter().collect();
    let reference: Vec<_> = CpuEngine
        .run_many(&refs)
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| CliError::new(e.0))?;
    let mut runs = Vec::with_capacity(reps);
    let mut mismatch = None;
    let mut rehearsed = Vec::new();
    for rep in 0..=reps {
        let _ = gpu.take_stats();
        gpu.epoch_mut()
            .set_rehearsals(if rep == 0 { host_reps } else { 0 });
        let start = Instant::now();
        let got: Vec<_> = gpu
            .run_many(&refs)
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| CliError::new(format!("GPU batch of {}: {}", snaps.len(), e.0)))?;
        let wall = start.elapsed();
        let stats = gpu.take_stats();
        if rep == 0 {
            mismatch = difference(&reference, &got);
            rehearsed = gpu.epoch_mut().take_rehearsals();
        } else {
            runs.push((wall, stats));
        }
    }
    gpu.epoch_mut().set_rehearsals(0);
    runs.sort_by_key(|r| r.0);
    let (wall, stats) = runs[runs.len() / 2];
    Ok(Row {
        epochs: snaps.len(),
        wall,
        stats,
        mismatch,
        rehearsed,
    })
}

/// Prints the GPU batch table for the GPU engine `choice` finds, then the host rehearsals.
pub fn run(choice: AdapterChoice, sizes_asked: &Sizes) -> Result<(), CliError> {
    let mut gpu = gpu_engine(choice)?;
    let timed = gpu.epoch_mut().set_timing(true);
    let software = gpu.is_software_adapter();
    let quick = sizes_asked.quick;
    say!();
    say!(
        "GPU batches on {}: n = 256, 64 validators, Yuma 2 on odd seeds and Yuma 3 on even ones;",
        gpu.name()
    );
    say!(
        "host = packing + encoding + readback; GPU wait = submit to finished{}; per subnet-epoch; median run{}",
        if timed { "; kernels = timestamp queries" } else { " (no timestamp queries on this adapter)" },
        if software { "; SOFTWARE ADAPTER: the GPU is emulated on the CPU cores, so its GPU times are not GPU speed" } else { "" }
    );
    let header = [
        "epochs",
        "batches",
        "dispatches/batch",
        "bind groups made",
        "host/epoch",
        "(pack",
        "encode",
        "readback)",
        "GPU wait/epoch",
        "kernels/epoch",
        "wall/epoch",
        "check",
    ];
    let mut lines = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut rehearsals = vec![[
        "epochs",
        "rehearsals",
        "host/epoch median",
        "(pack",
        "encode",
        "readback)",
        "min",
        "max",
    ]
    .map(String::from)
    .to_vec()];
    for k in sizes(sizes_asked.big, quick, software) {
        let snaps = subnets(k)?;
        let reps = sizes_asked
            .reps
            .map_or(if quick || software { 1 } else { 5 }, |r| r as usize);
        let r = time_batch(&mut gpu, &snaps, reps, sizes_asked.host_reps)?;
        let per = |d: Duration| format_time(d / r.epochs as u32);
        let s = &r.stats;
        lines.push(vec![
            r.epochs.to_string(),
            s.batches.to_string(),
            format!("{}", s.dispatches / s.batches.max(1)),
            s.bind_groups_made.to_string(),
            per(s.host()),
            per(s.pack),
            per(s.encode),
            per(s.readback),
            per(s.gpu_wait),
            s.kernel.map_or("—".into(), per),
            per(r.wall),
            r.mismatch
                .map_or("= cpu".into(), |d| format!("MISMATCH: {d}")),
        ]);
        // The warm-up run's encoding made the batch's bind groups: the median run's is the
        // steady state the rehearsals stand for.
        let mut rehearsed = r.rehearsed;
        rehearsed.iter_mut().for_each(|h| h.encode = s.encode);
        rehearsed.sort_by_key(BatchStats::host);
        if let (Some(first), Some(last)) = (rehearsed.first(), rehearsed.last()) {
            let m = &rehearsed[rehearsed.len() / 2];
            rehearsals.push(vec![
                r.epochs.to_string(),
                rehearsed.len().to_string(),
                per(m.host()),
                per(m.pack),
                per(m.encode),
                per(m.readback),
                per(first.host()),
                per(last.host()),
            ]);
        }
    }
    print_table(&lines);
    if rehearsals.len() > 1 {
        say!();
        say!(
            "Host rehearsals: each batch's host steps (sizing, packing into the mapped upload, reading the results back into outputs) run again on the buffers of its warm-up run, without the kernels; encode is the median run's; per subnet-epoch"
        );
        print_table(&rehearsals);
    }
    Ok(())
}

/// Prints `lines` as columns, the first line the header.
fn print_table(lines: &[Vec<String>]) {
    let mut width = vec![0usize; lines.first().map_or(0, Vec::len)];
    for l in lines {
        for (w, c) in width.iter_mut().zip(l) {
            *w = (*w).max(c.chars().count());
        }
    }
    for l in lines {
        let cells: Vec<String> = l
            .iter()
            .zip(&width)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        say!("{}", cells.join("  ").trim_end());
    }
}
