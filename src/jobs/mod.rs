//! Many-input work planned the same way everywhere (`yuma batch`, Python, the Ray glue): which
//! snapshot files the inputs name, where each one's epoch goes, which 1/N share a worker takes
//! (`--shard I/N`), which outputs already exist (resume), and the atomic write that makes an
//! existing output a complete one.
//!
//! - Discovery: a file named as an input is always taken; a folder is searched recursively for
//!   `*.json` whose top-level `"format"` is `"yuma-snapshot/1"`.
//! - Outputs mirror the inputs below their deepest common folder (a folder input counts as
//!   itself, a file input as its folder): `A/B/snapshot.json` → `OUT/A/B/epoch.json`, any other
//!   `A/x.json` → `OUT/A/x.epoch.json`; two inputs mapping to one output are an error.
//! - Shard `I/N` (0 ≤ I < N) takes the jobs at positions `k ≡ I (mod N)` of the sorted plan, so
//!   N workers given the same inputs split them exactly, with no coordination.

mod discover;
mod run;

pub use discover::{discover, plan, probe_format, Discovered};
pub use run::{chunks, run_jobs, JobOutcome, CHUNK_BYTES};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One input snapshot and where its epoch goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub input: PathBuf,
    pub output: PathBuf,
    /// Input size in bytes (chunks are bounded by it).
    pub bytes: u64,
}

/// Which share of a plan one worker takes: `index` of `count` (`--shard I/N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with 0 ≤ I < N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected I/N with 0 ≤ I < N, e.g. 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The items at positions ≡ index (mod count), in order.
    pub fn take<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % self.count == self.index)
            .map(|(_, x)| x)
            .collect()
    }
}

/// Splits a plan into the jobs still to do and those whose output already exists.
pub fn pending(jobs: Vec<Job>) -> (Vec<Job>, Vec<Job>) {
    jobs.into_iter().partition(|j| !j.output.is_file())
}

/// Writes `text` to a temporary file beside `path` (`.NAME.PID.tmp`: one per writing process, so
/// two processes writing the same output — a retried task beside its lost original — never
/// share one) and renames it into place, so that a file at `path` is always complete. Creates
/// missing folders. After the rename, temporary files of the same output left by processes that
/// no longer run (a killed batch) are removed. Each folder is listed once per process (its
/// temporary files remembered by output name), so writing N files into one folder costs O(N),
/// not O(N²).
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: cannot write: {e}", path.display())
    })?;
    remove_orphaned_temps(dir, &name);
    Ok(())
}

/// Per folder this process writes into: its `.NAME.PID.tmp` files when first listed, by NAME.
type TempFiles = HashMap<PathBuf, HashMap<String, Vec<(u32, PathBuf)>>>;

/// Removes the `.NAME.PID.tmp` files of output `name` in `dir` whose process is gone (Linux: no
/// `/proc/PID`), from the folder's listing taken at the process's first write into it.
fn remove_orphaned_temps(dir: &Path, name: &str) {
    static LISTED: Mutex<Option<TempFiles>> = Mutex::new(None);
    if !Path::new("/proc/self").exists() {
        return;
    }
    let candidates = {
        let mut listed = LISTED.lock().unwrap_or_else(|e| e.into_inner());
        let folders = listed.get_or_insert_with(HashMap::new);
        let temps = folders
            .entry(dir.to_path_buf())
            .or_insert_with(|| temp_files(dir));
        temps.remove(name).unwrap_or_default()
    };
    for (pid, file) in candidates {
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// The `.NAME.PID.tmp` files in `dir`, by NAME.
fn temp_files(dir: &Path) -> HashMap<String, Vec<(u32, PathBuf)>> {
    let mut out: HashMap<String, Vec<(u32, PathBuf)>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some((name, pid)) = file
            .to_str()
            .and_then(|f| f.strip_prefix('.'))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit_once('.'))
            .and_then(|(name, pid)| Some((name, pid.parse::<u32>().ok()?)))
        else {
            continue;
        };
        out.entry(name.to_string())
            .or_default()
            .push((pid, entry.path()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_of_dead_writers_are_removed() {
        let dir = std::env::temp_dir().join(format!("yuma-jobs-tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // PID 0 never names a user process; the own PID does.
        let dead = dir.join(".epoch.json.0.tmp");
        let live = dir.join(format!(".epoch.json.{}.tmp", std::process::id()));
        // Another output's temporary file is left alone (its writer may run elsewhere).
        let other = dir.join(".other.json.0.tmp");
        std::fs::write(&dead, "partial").unwrap();
        std::fs::write(&other, "partial").unwrap();
        write_atomic(&dir.join("epoch.json"), "{}").unwrap();
        assert!(
            other.exists(),
            "another output's temporary file was removed"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("epoch.json")).unwrap(),
            "{}"
        );
        assert!(!dead.exists() || !Path::new("/proc/self").exists());
        assert!(
            !live.exists(),
            "the own temporary file was renamed into place"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn shards_split_a_plan_exactly() {
        let items: Vec<usize> = (0..10).collect();
        let mut all: Vec<usize> = (0..3)
            .flat_map(|i| Shard { index: i, count: 3 }.take(items.clone()))
            .collect();
        all.sort_unstable();
        assert_eq!(all, items);
        assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
        for bad in ["4/4", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
