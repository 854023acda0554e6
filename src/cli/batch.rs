//! `yuma batch`: many snapshots in, one epoch.json each out, streamed in chunks through an engine.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};

use super::backend::{make_engine, Backend};
use super::tables::Tables;
use super::CliError;
use yuma::output::{result_json, EpochResult};
use yuma::snapshot::{read_snapshot, Snapshot};

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
/// Snapshots are streamed in chunks (read, compute, write, drop) and each chunk goes to the
/// engine as one submission. Every output is written to a temporary file beside it and renamed,
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
    /// Also write the epochs as Parquet tables into DIR (README: "Reports and tables").
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// Also write the metrics of every epoch written to OUTDIR (JSON, or CSV when FILE ends in
    /// .csv); the sequence totals take the outputs in natural path order.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

/// Input bytes after which a chunk is closed, whatever its count.
const CHUNK_BYTES: u64 = 256 << 20;

/// One input and where its epoch goes.
#[derive(Clone, Debug)]
struct Job {
    input: PathBuf,
    output: PathBuf,
    bytes: u64,
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
    let found = discover(&a.inputs)?;
    if found.is_empty() {
        return Err(CliError::new("no snapshot files found in the given inputs"));
    }
    let jobs = map_outputs(&a.inputs, found, &a.output)?;
    let mut engine = make_engine(a.backend)?;
    let total = jobs.len();
    let (todo, skipped): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| !(a.resume && j.output.is_file()));

    let mut tables = Tables::open(a.parquet.as_deref())?;
    for j in &skipped {
        tables.add_existing(&a.output, &j.output)?;
    }
    let bar = progress_bar(todo.len() as u64);
    let start = Instant::now();
    let mut engine_time = Duration::ZERO;
    let mut done = 0usize;
    let mut failed: Vec<(PathBuf, String)> = Vec::new();
    for chunk in chunks(&todo, a.chunk as usize) {
        let loaded: Vec<Result<Snapshot, String>> = chunk
            .par_iter()
            .map(|j| read_snapshot(&j.input).map_err(|e| reason(&j.input, &e.to_string())))
            .collect();
        let ok: Vec<&Snapshot> = loaded.iter().filter_map(|r| r.as_ref().ok()).collect();
        let t = Instant::now();
        let mut results = engine.run_many(&ok);
        engine_time += t.elapsed();
        if results.len() != ok.len() {
            let msg = format!(
                "engine returned {} results for {} snapshots",
                results.len(),
                ok.len()
            );
            results = vec![Err(yuma::engine::EngineError(msg)); ok.len()];
        }
        drop(ok);
        let mut results = results.into_iter();
        let outcomes: Vec<Result<EpochResult, String>> = loaded
            .into_iter()
            .map(|l| match l {
                Ok(_) => match results.next() {
                    Some(r) => r.map_err(|e| format!("engine: {e}")),
                    None => Err("engine: no result".to_string()),
                },
                Err(e) => Err(e),
            })
            .collect();
        add_to_tables(&mut tables, &a.output, chunk, &outcomes)?;
        let written: Vec<Result<(), String>> = chunk
            .par_iter()
            .zip(outcomes.into_par_iter())
            .map(|(j, r)| write_atomic(&j.output, &result_json(&r?, false)))
            .collect();
        for (j, w) in chunk.iter().zip(written) {
            match w {
                Ok(()) => done += 1,
                Err(e) => {
                    bar.suspend(|| eprintln!("failed: {}: {e}", j.input.display()));
                    failed.push((j.input.clone(), e));
                }
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    tables.close()?;
    let s = Summary {
        total,
        done,
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

/// The computed epochs of a chunk, into the Parquet tables (when `--parquet` was given).
fn add_to_tables(
    tables: &mut Tables,
    outdir: &Path,
    chunk: &[Job],
    outcomes: &[Result<EpochResult, String>],
) -> Result<(), CliError> {
    for (j, r) in chunk.iter().zip(outcomes) {
        if let Ok(result) = r {
            tables.add(outdir, &j.output, result)?;
        }
    }
    Ok(())
}

/// The reason of a read error without the file name it starts with.
fn reason(file: &Path, message: &str) -> String {
    let prefix = format!("{}: ", file.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

/// Consecutive jobs, at most `count` and about `CHUNK_BYTES` of input per chunk.
fn chunks(jobs: &[Job], count: usize) -> Vec<&[Job]> {
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

pub(super) fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {pos}/{len} epochs  {rate}  ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1} epochs/s", state.per_sec());
        },
    );
    ProgressBar::new(len).with_style(style.progress_chars("=> "))
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
            "{} epochs in {:.2} s: {:.1} epochs/s overall, {:.1} epochs/s in the {} engine",
            self.done,
            self.wall.as_secs_f64(),
            rate(self.done, self.wall),
            rate(self.done, self.engine_time),
            self.engine
        );
    }
}

/// Writes `text` to a temporary file beside `path` (`.NAME.tmp`), then renames it onto `path`,
/// so `path` either does not exist or is complete. Creates missing folders.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: cannot write: {e}", path.display())
    })
}

/// Every snapshot the inputs name: files as given, folders searched for snapshot JSON.
/// Prints what was picked in each folder.
fn discover(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, u64)>, CliError> {
    let mut found = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| CliError::new(format!("{}: {e}", input.display())))?;
        if !meta.is_dir() {
            found.push((input.clone(), meta.len()));
            continue;
        }
        let (mut picked, mut other) = (Vec::new(), 0usize);
        let mut stack = vec![input.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
            for entry in entries {
                let entry = entry.map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
                let path = entry.path();
                let kind = entry
                    .file_type()
                    .map_err(|e| CliError::new(e.to_string()))?;
                if kind.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "json") && path.is_file() {
                    if probe_format(&path).as_deref() == Some("yuma-snapshot/1") {
                        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
                        picked.push((path, bytes));
                    } else {
                        other += 1;
                    }
                }
            }
        }
        picked.sort();
        eprintln!(
            "{}: {} snapshot files picked (*.json whose \"format\" is \"yuma-snapshot/1\"), \
{other} other .json files ignored",
            input.display(),
            picked.len()
        );
        found.extend(picked);
    }
    Ok(found)
}

/// The top-level `"format"` string of a JSON file, reading the file only up to that key.
fn probe_format(path: &Path) -> Option<String> {
    struct Probe<'a>(&'a mut Option<String>);
    impl<'de> Visitor<'de> for Probe<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "format" {
                    *self.0 = map.next_value::<String>().ok();
                    // Stop reading: the rest of the file is not needed.
                    return Err(A::Error::custom("format found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Probe<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }
    let file = std::fs::File::open(path).ok()?;
    let mut format = None;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(file));
    let _ = Probe(&mut format).deserialize(&mut de);
    format
}

/// `path` made absolute and cleaned of `.` and `..` (lexically; symlinks are not resolved).
fn clean_absolute(path: &Path) -> Result<PathBuf, CliError> {
    let abs =
        std::path::absolute(path).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The deepest folder containing every path.
fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut common: Vec<Component> = match paths.first() {
        Some(p) => p.components().collect(),
        None => return PathBuf::new(),
    };
    for p in &paths[1..] {
        let same = common
            .iter()
            .zip(p.components())
            .take_while(|(a, b)| **a == *b)
            .count();
        common.truncate(same);
    }
    common.iter().collect()
}

/// The output file of `input` (absolute), mirrored from `base` into `outdir`.
fn mirrored(input: &Path, base: &Path, outdir: &Path) -> PathBuf {
    let rel = input.strip_prefix(base).unwrap_or(input);
    let name = match rel.file_name().and_then(|n| n.to_str()) {
        Some("snapshot.json") => "epoch.json".to_string(),
        _ => {
            let stem = rel.file_stem().unwrap_or_default().to_string_lossy();
            format!("{stem}.epoch.json")
        }
    };
    outdir
        .join(rel.parent().unwrap_or(Path::new("")))
        .join(name)
}

/// Assigns every snapshot its output; two snapshots with one output are an error.
fn map_outputs(
    inputs: &[PathBuf],
    found: Vec<(PathBuf, u64)>,
    outdir: &Path,
) -> Result<Vec<Job>, CliError> {
    let mut roots = Vec::new();
    for input in inputs {
        let abs = clean_absolute(input)?;
        roots.push(if input.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        });
    }
    let base = common_folder(&roots);
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut clashes = Vec::new();
    let mut jobs = Vec::with_capacity(found.len());
    for (input, bytes) in found {
        let output = mirrored(&clean_absolute(&input)?, &base, outdir);
        if let Some(first) = seen.get(&output) {
            clashes.push(format!(
                "{} and {} both map to {}",
                first.display(),
                input.display(),
                output.display()
            ));
            continue;
        }
        seen.insert(output.clone(), input.clone());
        jobs.push(Job {
            input,
            output,
            bytes,
        });
    }
    if !clashes.is_empty() {
        let more = clashes.len().saturating_sub(5);
        clashes.truncate(5);
        let tail = if more > 0 {
            format!("\n  … and {more} more")
        } else {
            String::new()
        };
        return Err(CliError::new(format!(
            "two inputs map to the same output (name each snapshot once):\n  {}{tail}",
            clashes.join("\n  ")
        )));
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_mirror_the_common_folder() {
        let base = Path::new("/d");
        let out = Path::new("/o");
        assert_eq!(
            mirrored(Path::new("/d/A/B/snapshot.json"), base, out),
            Path::new("/o/A/B/epoch.json")
        );
        assert_eq!(
            mirrored(Path::new("/d/x.json"), base, out),
            Path::new("/o/x.epoch.json")
        );
        let c = common_folder(&[PathBuf::from("/a/b/c"), PathBuf::from("/a/b/d/e")]);
        assert_eq!(c, Path::new("/a/b"));
    }

    #[test]
    fn chunks_respect_count() {
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
