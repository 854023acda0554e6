//! Finding the snapshot files the inputs name and mapping each to its output.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};

use super::Job;

/// Snapshot files with their sizes in bytes, and one note per searched folder.
pub type Discovered = (Vec<(PathBuf, u64)>, Vec<String>);

/// Every snapshot the inputs name, with its size: files as given, folders searched for
/// snapshot JSON (sorted). Also returns one note per folder saying what was picked and ignored.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovered, String> {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| format!("{}: {e}", input.display()))?;
        if !meta.is_dir() {
            found.push((input.clone(), meta.len()));
            continue;
        }
        let (mut picked, mut other) = (Vec::new(), 0usize);
        let mut stack = vec![input.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries {
                let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
                let path = entry.path();
                let kind = entry
                    .file_type()
                    .map_err(|e| format!("{}: {e}", path.display()))?;
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
        notes.push(format!(
            "{}: {} snapshot files picked (*.json whose \"format\" is \"yuma-snapshot/1\"), \
{other} other .json files ignored",
            input.display(),
            picked.len()
        ));
        found.extend(picked);
    }
    Ok((found, notes))
}

/// The top-level `"format"` string of a JSON file, reading the file only up to that key.
pub fn probe_format(path: &Path) -> Option<String> {
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
fn clean_absolute(path: &Path) -> Result<PathBuf, String> {
    let abs = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
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

/// Every snapshot the inputs name, each with its output below `outdir`, in sorted input order;
/// plus the discovery notes. Two snapshots with one output are an error.
pub fn plan(inputs: &[PathBuf], outdir: &Path) -> Result<(Vec<Job>, Vec<String>), String> {
    let (found, notes) = discover(inputs)?;
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
        return Err(format!(
            "two inputs map to the same output (name each snapshot once):\n  {}{tail}",
            clashes.join("\n  ")
        ));
    }
    Ok((jobs, notes))
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
}
