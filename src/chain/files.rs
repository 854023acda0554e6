//! A fetched epoch on disk: one folder with `snapshot.json` (yuma-snapshot/1) and
//! `recorded.json` (yuma-recorded/1), the layout `yuma validate DIR` and `yuma replay DIR
//! --check` read. Each file is written atomically, recorded.json last, so a folder holding both
//! is complete.

use std::path::Path;

use super::Fetched;
use crate::jobs::write_atomic;
use crate::recorded::recorded_json;
use crate::snapshot::write_snapshot;

/// Writes the fetched epoch into `dir` (created if missing).
pub fn write_fetched(dir: &Path, f: &Fetched) -> Result<(), String> {
    write_atomic(&dir.join("snapshot.json"), &write_snapshot(&f.snapshot))?;
    write_atomic(&dir.join("recorded.json"), &recorded_json(&f.recorded))
}

/// True when `dir` holds a complete fetched epoch.
pub fn is_complete(dir: &Path) -> bool {
    dir.join("snapshot.json").is_file() && dir.join("recorded.json").is_file()
}
