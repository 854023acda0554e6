//! Finding epoch documents below output folders and grouping them into series.
//!
//! A *series* is one subnet's epochs in block order, from one folder: the epoch files
//! `F/epoch_NN/epoch.json` (replay, scenario, a batch of a sequence) form the series of folder
//! `F`; any other epoch file (`F/x.epoch.json`, `F/case/epoch.json`) belongs to the folder it is
//! in. Epochs of different netuids in one folder are different series. Files whose `"format"`
//! is not `"yuma-epoch/1"` (snapshots, traces, summaries) are skipped; a malformed epoch file is
//! an error naming it.
//!
//! Each epoch is reduced on load to the per-uid terms the charts use; bonds are kept for the
//! last epoch of a series only, so memory stays bounded by one epoch's bonds per series.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ReportError;
use crate::output::{parse_epoch, EpochOutput, EpochResult, Rows};
use crate::replay::natural_cmp;

/// The per-uid terms of one epoch (the aggregated terms of a multi-mechanism epoch).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochTerms {
    pub block: u64,
    pub n: u16,
    /// u16 normalized stake (`StakeWeight`).
    pub stake: Vec<u16>,
    pub new_validator_permit: Vec<bool>,
    pub incentive: Vec<u16>,
    pub dividend: Vec<u16>,
    /// Rao.
    pub emission: Vec<u64>,
    pub server_emission: Vec<u64>,
    pub validator_emission: Vec<u64>,
}

/// One subnet's epochs from one folder, in block order.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// The folder, relative to the input it was found under (the input's own name for itself).
    pub folder: String,
    pub netuid: u16,
    pub epochs: Vec<EpochTerms>,
    /// Stored bonds of the last epoch (mechanism 0's for a multi-mechanism epoch).
    pub last_bonds: Rows<u16>,
    /// How many mechanisms the last epoch had.
    pub mechanisms: usize,
    /// What `summary.json` beside the epochs says, for a scenario run.
    pub scenario: Option<ScenarioInfo>,
}

/// A scenario run's name, Yuma version and the role of each uid (`summary.json`,
/// `yuma-scenario-summary/1`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub name: String,
    /// `2`, `3` or `3la`.
    pub yuma: String,
    /// `role[uid]`: `honest`, `copier`, `stale`, `cabal`, `weights`, `miner` (empty: unknown).
    pub roles: Vec<String>,
}

impl Series {
    /// `folder · netuid N`, or for a scenario `name · Yuma V (folder)`.
    pub fn label(&self) -> String {
        match &self.scenario {
            Some(s) => {
                let yuma = match s.yuma.as_str() {
                    "3la" => "Yuma 3 + liquid alpha".to_string(),
                    v => format!("Yuma {v}"),
                };
                format!("{} · {yuma} ({})", s.name, self.folder)
            }
            None => format!("{} · netuid {}", self.folder, self.netuid),
        }
    }

    /// `uid U`, with its scenario role when known (`uid 3 · copier`).
    pub fn uid_label(&self, uid: usize) -> String {
        match self.role(uid) {
            Some(role) => format!("uid {uid} · {role}"),
            None => format!("uid {uid}"),
        }
    }

    /// The scenario role of a uid, if known.
    pub fn role(&self, uid: usize) -> Option<&str> {
        let s = self.scenario.as_ref()?;
        s.roles
            .get(uid)
            .map(String::as_str)
            .filter(|r| !r.is_empty())
    }
}

/// Reads `summary.json` in `folder` when it is a scenario summary; `None` otherwise.
pub fn scenario_info(folder: &Path) -> Result<Option<ScenarioInfo>, ReportError> {
    let file = folder.join("summary.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let bad = |what: &str| ReportError::new(format!("{}: {what}", file.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(&format!("malformed JSON: {e}")))?;
    if v["format"].as_str() != Some("yuma-scenario-summary/1") {
        return Ok(None);
    }
    let text_of = |k: &str| {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| bad(&format!("field `{k}`: expected a string")))
    };
    let mut roles = Vec::new();
    for (i, u) in v["uids"].as_array().into_iter().flatten().enumerate() {
        let uid = u["uid"]
            .as_u64()
            .ok_or_else(|| bad(&format!("field `uids[{i}].uid`: expected an integer")))?;
        let uid = usize::try_from(uid).unwrap_or(usize::MAX).min(1 << 16);
        if roles.len() <= uid {
            roles.resize(uid + 1, String::new());
        }
        roles[uid] = u["role"].as_str().unwrap_or("").to_string();
    }
    Ok(Some(ScenarioInfo {
        name: text_of("name")?,
        yuma: text_of("yuma")?,
        roles,
    }))
}

impl EpochTerms {
    fn of(result: &EpochResult) -> Self {
        match result {
            EpochResult::Single(e) => Self::of_single(e),
            EpochResult::Multi(m) => EpochTerms {
                block: m.block,
                n: m.n,
                stake: m.stake.clone(),
                new_validator_permit: m.new_validator_permit.clone(),
                incentive: m.incentive.clone(),
                dividend: m.dividend.clone(),
                emission: m.emission.clone(),
                server_emission: m.server_emission.clone(),
                validator_emission: m.validator_emission.clone(),
            },
        }
    }

    fn of_single(e: &EpochOutput) -> Self {
        EpochTerms {
            block: e.block,
            n: e.n,
            stake: e.stake.clone(),
            new_validator_permit: e.new_validator_permit.clone(),
            incentive: e.incentive.clone(),
            dividend: e.dividend.clone(),
            emission: e.emission.clone(),
            server_emission: e.server_emission.clone(),
            validator_emission: e.validator_emission.clone(),
        }
    }
}

/// Every `*.json` file below `dir` (or `dir` itself when it is a file), in natural path order.
pub fn json_files(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let meta =
        std::fs::metadata(dir).map_err(|e| ReportError::new(format!("{}: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| ReportError::new(format!("{}: {e}", d.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| ReportError::new(format!("{}: {e}", d.display())))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                found.push(path);
            }
        }
    }
    found.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(found)
}

/// The folder whose series an epoch file belongs to (see the module doc).
fn series_folder(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new(""));
    let is_epoch_dir = parent
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("epoch_"))
        .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()));
    if file.file_name().is_some_and(|n| n == "epoch.json") && is_epoch_dir {
        parent.parent().unwrap_or(Path::new("")).to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

/// Reads one file: `Ok(None)` when it is JSON of another format (skipped).
pub fn read_if_epoch(file: &Path) -> Result<Option<EpochResult>, ReportError> {
    let base = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if [
        "snapshot.json",
        "trace.json",
        "summary.json",
        "roles.json",
        "sweep.json",
    ]
    .contains(&base)
    {
        // Inputs, traces and analysis documents that sit beside epochs: not read at all.
        return Ok(None);
    }
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| ReportError::new(format!("{name}: cannot read: {e}")))?;
    match parse_epoch(&text, &name) {
        Ok(r) => Ok(Some(r)),
        // Not an epoch document: another yuma format, a summary or a table.
        Err(e) if e.field == "format" || e.message == "expected a yuma-epoch/1 object" => Ok(None),
        Err(e) if e.field.is_empty() && file_is_not_ours(file) => Ok(None),
        Err(e) => Err(ReportError::new(e.to_string())),
    }
}

/// Non-epoch JSON that may sit beside epochs and need not even be an object.
fn file_is_not_ours(file: &Path) -> bool {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !(name == "epoch.json" || name.ends_with(".epoch.json"))
}

/// What [`load_series`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub series: Vec<Series>,
    /// JSON files that were not epoch documents.
    pub skipped: usize,
}

/// Every series below the inputs. An input that holds no epoch document is an error.
pub fn load_series(inputs: &[PathBuf]) -> Result<Loaded, ReportError> {
    let mut loaded = Loaded::default();
    for input in inputs {
        let root = if input.is_dir() {
            input.clone()
        } else {
            input.parent().unwrap_or(Path::new("")).to_path_buf()
        };
        let root_name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| input.display().to_string());
        let mut groups: BTreeMap<(String, u16), Series> = BTreeMap::new();
        let mut last_block: BTreeMap<(String, u16), u64> = BTreeMap::new();
        for file in json_files(input)? {
            let Some(result) = read_if_epoch(&file)? else {
                loaded.skipped += 1;
                continue;
            };
            let folder = series_folder(&file);
            let rel = folder.strip_prefix(&root).unwrap_or(&folder);
            let folder = if rel.as_os_str().is_empty() || !input.is_dir() {
                root_name.clone()
            } else {
                format!("{root_name}/{}", rel.display())
            };
            let terms = EpochTerms::of(&result);
            let key = (folder.clone(), result_netuid(&result));
            let series = match groups.entry(key.clone()) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(Series {
                    folder,
                    netuid: key.1,
                    scenario: scenario_info(&series_folder(&file))?,
                    ..Series::default()
                }),
            };
            if last_block.get(&key).is_none_or(|&b| terms.block >= b) {
                last_block.insert(key, terms.block);
                let outputs = result.mechanism_outputs();
                series.mechanisms = outputs.len();
                series.last_bonds = outputs.first().map(|o| o.bonds.clone()).unwrap_or_default();
            }
            series.epochs.push(terms);
        }
        if groups.is_empty() {
            return Err(ReportError::new(format!(
                "{}: no yuma-epoch/1 documents found (give a replay, batch or scenario output \
folder)",
                input.display()
            )));
        }
        for mut s in groups.into_values() {
            s.epochs.sort_by_key(|e| e.block);
            loaded.series.push(s);
        }
    }
    Ok(loaded)
}

fn result_netuid(r: &EpochResult) -> u16 {
    match r {
        EpochResult::Single(e) => e.netuid,
        EpochResult::Multi(m) => m.netuid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_folders_belong_to_their_parent() {
        assert_eq!(
            series_folder(Path::new("out/epoch_03/epoch.json")),
            Path::new("out")
        );
        assert_eq!(
            series_folder(Path::new("out/case/epoch.json")),
            Path::new("out/case")
        );
        assert_eq!(
            series_folder(Path::new("out/sn1.epoch.json")),
            Path::new("out")
        );
    }
}
