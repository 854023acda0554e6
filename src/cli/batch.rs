//! `yuma batch`: many snapshots in, one epoch.json each out, streamed in chunks through an engine.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use super::backend::{make_engine, Backend};
use super::progress::progress_bar;
use super::CliError;
use yuma::jobs::{plan, run_jobs, Shard};

/// Compute the epochs of many snapshots.
///
/// INPUTS are snapshot files and/or folders. A folder is searched recursively for `*.json`
/// files whose top-level `"format"` is `"yuma-snapshot/1"` (other JSON such as epoch.json and
/// trace.json is ignored; the count of each is printed). A file named on the command line is
/// always taken, and reported as failed if it is not a valid snapshot.
///
/// Outputs mirror the inputs below their deepest common folder (a folder input counts as
/// itself, a file input as its folder): `A/B/snapshot.json` → `OUTDIR/A/B/epoch.json`, any
/// other name `A/x.json` → `OUTDIR/A/x.epoch.json`. Two inputs that map to one output are an
/// error before any work.
///
/// Snapshots are streamed in chunks through a bounded pipeline — chunk k+1 is read while chunk
/// k is computed and chunk k−1 written, so memory does not grow with the number of inputs — and
/// each chunk goes to the engine as one submission. Every output is written to a temporary file beside it and renamed,
/// so an output that exists is complete: after an interruption, `--resume` skips the inputs
/// whose output exists. An input that cannot be read or computed is reported (file and reason)
/// and skipped; the others continue. Ends with a summary (done / skipped / failed, epochs per
/// second) and exits non-zero if any input failed.
#[derive(Args)]
pub struct BatchArgs {
    /// Snapshot files and/or folders to search.
    #[arg(required = true, value_name = "INPUTS")]
    pub inputs: Vec<PathBuf>,
    /// Folder to write the epoch.json files into (created if missing).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// Skip inputs whose output file already exists (outputs are only ever complete).
    #[arg(long)]
    pub resume: bool,
    /// Which engine computes the epochs.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Most snapshots per engine submission (a chunk also stops at 256 MiB of input files).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk: u32,
    /// Compute only share I of N of the inputs (positions ≡ I mod N of the sorted plan), so N
    /// jobs (Slurm or Kubernetes array tasks) split one batch with no coordination; --resume
    /// works per shard.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Also write the metrics of every epoch written to OUTDIR (JSON, or CSV when FILE ends in
    /// .csv); the sequence totals take the outputs in natural path order.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

pub fn run(a: BatchArgs) -> Result<(), CliError> {
    let metrics = a.metrics.clone();
    let output = a.output.clone();
    compute_all(a)?;
    metrics_after(&output, metrics.as_deref())
}

/// `--metrics FILE`: the metrics of the epochs written to OUTDIR.
fn metrics_after(output: &Path, file: Option<&Path>) -> Result<(), CliError> {
    match file {
        Some(f) => super::metrics::metrics_of_output(Some(output), f),
        None => Ok(()),
    }
}

fn compute_all(a: BatchArgs) -> Result<(), CliError> {
    let (mut jobs, notes) = plan(&a.inputs, &a.output).map_err(CliError::new)?;
    for note in notes {
        eprintln!("{note}");
    }
    if jobs.is_empty() {
        return Err(CliError::new("no snapshot files found in the given inputs"));
    }
    if let Some(shard) = a.shard {
        jobs = shard.take(jobs);
    }
    let mut engine = make_engine(a.backend)?;
    let total = jobs.len();
    let (todo, skipped): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|j| !(a.resume && j.output.is_file()));

    let bar = progress_bar(todo.len() as u64, "epochs");
    let start = Instant::now();
    let (outcomes, engine_time) = run_jobs(&todo, engine.as_mut(), a.chunk as usize, |j, w| {
        if let Err(e) = w {
            bar.suspend(|| eprintln!("failed: {}: {e}", j.input.display()));
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    let failed: Vec<(PathBuf, String)> = todo
        .iter()
        .zip(outcomes)
        .filter_map(|(j, o)| o.err().map(|e| (j.input.clone(), e)))
        .collect();
    let s = Summary {
        total,
        done: todo.len() - failed.len(),
        skipped: skipped.len(),
        failed,
        wall: start.elapsed(),
        engine_time,
        engine: engine.name(),
        outdir: &a.output,
    };
    s.print();
    if s.failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "{} of {total} inputs failed",
            s.failed.len()
        )))
    }
}

struct Summary<'a> {
    total: usize,
    done: usize,
    skipped: usize,
    failed: Vec<(PathBuf, String)>,
    wall: Duration,
    engine_time: Duration,
    engine: String,
    outdir: &'a Path,
}

impl Summary<'_> {
    fn print(&self) {
        let rate = |count: usize, t: Duration| count as f64 / t.as_secs_f64().max(1e-9);
        say!(
            "{} inputs, outputs in {}",
            self.total,
            self.outdir.display()
        );
        say!("  done     {}", self.done);
        if self.skipped > 0 {
            say!("  skipped  {} (output exists; --resume)", self.skipped);
        } else {
            say!("  skipped  0");
        }
        say!("  failed   {}", self.failed.len());
        for (file, why) in &self.failed {
            say!("    {}: {why}", file.display());
        }
        say!(
            "{} subnet-epochs in {:.2} s: {:.1} subnet-epochs/s end to end (reading, computing \
and writing overlapped), {:.1} subnet-epochs/s of {} engine time",
            self.done,
            self.wall.as_secs_f64(),
            rate(self.done, self.wall),
            rate(self.done, self.engine_time),
            self.engine
        );
    }
}
