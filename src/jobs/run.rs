//! Computing a plan with an engine in a bounded three-stage pipeline: a reader thread parses
//! chunk k+1 (its files in parallel) while the engine computes chunk k on the calling thread (a
//! GPU context stays where it was made) and a writer thread serializes and writes chunk k−1 (in
//! parallel, each output atomically). Memory is bounded by about `(2·QUEUE + 3)·chunk`
//! snapshots whatever the number of jobs.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{write_atomic, Job};
use crate::engine::{Engine, EngineError};
use crate::output::{result_json, EpochResult};
use crate::snapshot::{read_snapshot, Snapshot};

/// What became of one job: its output written, or the one-line reason it was not (without the
/// input's file name, which the caller has).
pub type JobOutcome = Result<(), String>;

/// Input bytes after which a chunk is closed, whatever its count.
pub const CHUNK_BYTES: u64 = 256 << 20;

/// Chunks in flight between two stages.
const QUEUE: usize = 2;

type Loaded = Vec<Result<Snapshot, String>>;
type Computed = Vec<Result<EpochResult, String>>;

/// Consecutive jobs, at most `count` and about [`CHUNK_BYTES`] of input per chunk.
pub fn chunks(jobs: &[Job], count: usize) -> Vec<&[Job]> {
    let count = count.max(1);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, j) in jobs.iter().enumerate() {
        if i > start && (i - start == count || bytes + j.bytes > CHUNK_BYTES) {
            out.push(&jobs[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += j.bytes;
    }
    if start < jobs.len() {
        out.push(&jobs[start..]);
    }
    out
}

/// The reason of a read error without the file name it starts with.
fn reason(job: &Job, message: &str) -> String {
    let prefix = format!("{}: ", job.input.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

/// One engine submission for the snapshots of a chunk that were read; read failures pass
/// through in place.
fn compute(engine: &mut dyn Engine, loaded: Loaded) -> Computed {
    let ok: Vec<&Snapshot> = loaded.iter().filter_map(|r| r.as_ref().ok()).collect();
    let mut results = engine.run_many(&ok);
    if results.len() != ok.len() {
        let msg = format!(
            "engine returned {} results for {} snapshots",
            results.len(),
            ok.len()
        );
        results = vec![Err(EngineError(msg)); ok.len()];
    }
    drop(ok);
    let mut results = results.into_iter();
    loaded
        .into_iter()
        .map(|l| match l {
            Ok(_) => match results.next() {
                Some(r) => r.map_err(|e| format!("engine: {e}")),
                None => Err("engine: no result".to_string()),
            },
            Err(e) => Err(e),
        })
        .collect()
}

/// Computes `jobs` with `engine`, `chunk` snapshots per engine submission, writing each output
/// atomically. `each(job, outcome)` is called (on the writer thread) as every job is decided.
/// Returns the outcomes in job order and the time spent in the engine.
pub fn run_jobs(
    jobs: &[Job],
    engine: &mut dyn Engine,
    chunk: usize,
    each: impl Fn(&Job, &JobOutcome) + Sync,
) -> (Vec<JobOutcome>, Duration) {
    let parts = chunks(jobs, chunk);
    let parts = &parts;
    let each = &each;
    let (to_engine, from_reader) = mpsc::sync_channel::<(usize, Loaded)>(QUEUE);
    let (to_writer, from_engine) = mpsc::sync_channel::<(usize, Computed)>(QUEUE);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (k, part) in parts.iter().enumerate() {
                let loaded: Loaded = part
                    .par_iter()
                    .map(|j| read_snapshot(&j.input).map_err(|e| reason(j, &e.to_string())))
                    .collect();
                if to_engine.send((k, loaded)).is_err() {
                    return;
                }
            }
        });
        let writer = scope.spawn(move || {
            let mut outcomes: Vec<JobOutcome> = Vec::with_capacity(jobs.len());
            for (k, computed) in from_engine {
                let part = parts[k];
                let written: Vec<JobOutcome> = part
                    .par_iter()
                    .zip(computed.into_par_iter())
                    .map(|(j, r)| write_atomic(&j.output, &result_json(&r?, false)))
                    .collect();
                for (j, w) in part.iter().zip(written) {
                    each(j, &w);
                    outcomes.push(w);
                }
            }
            outcomes
        });
        let mut engine_time = Duration::ZERO;
        for (k, loaded) in from_reader {
            let t = Instant::now();
            let computed = compute(engine, loaded);
            engine_time += t.elapsed();
            if to_writer.send((k, computed)).is_err() {
                break;
            }
        }
        drop(to_writer);
        let mut outcomes = writer.join().unwrap_or_default();
        // A writer that stopped early leaves the remaining jobs undecided: say so, never drop.
        outcomes.resize(
            jobs.len(),
            Err("not written: the writer stopped".to_string()),
        );
        (outcomes, engine_time)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn chunks_respect_count_and_bytes() {
        let job = |b| Job {
            input: PathBuf::new(),
            output: PathBuf::new(),
            bytes: b,
        };
        let jobs: Vec<Job> = (0..7).map(|_| job(1)).collect();
        let sizes: Vec<usize> = chunks(&jobs, 3).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![3, 3, 1]);
        let big = vec![job(CHUNK_BYTES), job(1), job(1)];
        let sizes: Vec<usize> = chunks(&big, 3).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![1, 2]);
    }
}
