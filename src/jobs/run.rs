//! Computing a list of jobs with an engine: read in parallel, one engine submission per chunk,
//! outputs written atomically.

use rayon::prelude::*;

use super::{write_atomic, Job};
use crate::engine::Engine;
use crate::output::result_json;
use crate::snapshot::{read_snapshot, Snapshot};

/// What became of one job: its output written, or the one-line reason it was not.
pub type JobOutcome = Result<(), String>;

/// Computes `jobs` with `engine` in chunks of at most `chunk` snapshots and writes each output
/// atomically; `done(k)` is called after each chunk with the number of jobs it finished.
/// Outcomes come back in job order.
pub fn run_jobs(
    jobs: &[Job],
    engine: &mut dyn Engine,
    chunk: usize,
    mut done: impl FnMut(usize),
) -> Vec<JobOutcome> {
    let mut out = Vec::with_capacity(jobs.len());
    for part in jobs.chunks(chunk.max(1)) {
        let loaded: Vec<Result<Snapshot, String>> = part
            .par_iter()
            .map(|j| read_snapshot(&j.input).map_err(|e| e.to_string()))
            .collect();
        let ok: Vec<&Snapshot> = loaded.iter().filter_map(|r| r.as_ref().ok()).collect();
        let mut results = engine.run_many(&ok).into_iter();
        let computed: Vec<Result<_, String>> = loaded
            .iter()
            .zip(part)
            .map(|(l, j)| match l {
                Err(e) => Err(e.clone()),
                Ok(_) => match results.next() {
                    Some(r) => r.map_err(|e| format!("{}: engine: {e}", j.input.display())),
                    None => Err(format!("{}: engine: no result", j.input.display())),
                },
            })
            .collect();
        let written: Vec<JobOutcome> = part
            .par_iter()
            .zip(computed.into_par_iter())
            .map(|(j, r)| write_atomic(&j.output, &result_json(&r?, false)))
            .collect();
        done(part.len());
        out.extend(written);
    }
    out
}
