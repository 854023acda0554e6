//! `yuma metrics`: concentration and fairness metrics of epoch outputs.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{write_out, CliError};
use yuma::analysis::metrics::{metrics_csv, metrics_json, sequence_metrics, Roles};
use yuma::output::{read_epoch, EpochResult};
use yuma::replay::natural_cmp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// yuma-metrics/1 JSON
    Json,
    /// one value per row: netuid,block,scope,uid,metric,value
    Csv,
}

/// Concentration and fairness metrics of epoch outputs.
///
/// Per subnet-epoch: Gini, Nakamoto coefficient, top-1/top-10 share
/// and Herfindahl of incentive, dividends, emission and stake, each validator's dividend share ÷
/// stake share; over the inputs taken as one sequence, cumulative dividends per uid, and — for a
/// scenario folder (its roles.json) — copier ÷ honest yield and the Spearman correlation of
/// miner incentive with true quality. Formulas: README "Metrics".
///
/// INPUT: epoch.json files and/or folders; a folder is searched recursively for `epoch.json`
/// and `*.epoch.json`, taken in natural path order (epoch_2 before epoch_10).
#[derive(Args)]
pub struct MetricsArgs {
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Where to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the metrics as one Parquet table (the long form of --format csv: netuid,
    /// block, scope, uid, metric, value as a float and, for integers, exactly as `integer`).
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
}

pub fn run(a: MetricsArgs) -> Result<(), CliError> {
    let (results, roles) = collect(&a.inputs)?;
    let m = sequence_metrics(&results, roles.as_ref());
    if let Some(file) = &a.parquet {
        let rows = yuma::report::metrics_table::metrics_rows(&m);
        yuma::report::records::write_records(file, &rows)
            .map_err(|e| CliError::new(e.to_string()))?;
    }
    let text = match a.format {
        Format::Json => metrics_json(&m),
        Format::Csv => metrics_csv(&m),
    };
    match &a.output {
        Some(p) if p.as_os_str() != "-" => {
            yuma::jobs::write_atomic(p, &text).map_err(CliError::new)
        }
        _ => write_out(None, &text),
    }
}

/// Every epoch output the inputs name, in order, and the roles of a single scenario folder.
pub fn collect(inputs: &[PathBuf]) -> Result<(Vec<EpochResult>, Option<Roles>), CliError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            find_epochs(input, &mut found)?;
            found.sort_by(|x, y| natural_cmp(&x.to_string_lossy(), &y.to_string_lossy()));
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        return Err(CliError::new("no epoch.json files in the given inputs"));
    }
    let results = files
        .iter()
        .map(|f| read_epoch(f).map_err(CliError::from))
        .collect::<Result<Vec<_>, _>>()?;
    let roles = match inputs {
        [one] if one.join("roles.json").is_file() => {
            let file = one.join("roles.json");
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::new(format!("{}: {e}", file.display())))?;
            let roles: Roles = serde_json::from_str(&text)
                .map_err(|e| CliError::new(format!("{}: {e}", file.display())))?;
            Some(roles)
        }
        _ => None,
    };
    Ok((results, roles))
}

fn find_epochs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry
            .map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?
            .path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            find_epochs(&path, out)?;
        } else if name == "epoch.json" || name.ends_with(".epoch.json") {
            out.push(path);
        }
    }
    Ok(())
}

/// `--metrics FILE` of `replay` and `batch`: the metrics of the epoch outputs written below
/// `outdir` (JSON, or CSV when FILE ends in .csv).
pub fn metrics_of_output(outdir: Option<&Path>, file: &Path) -> Result<(), CliError> {
    let Some(dir) = outdir else {
        return Err(CliError::new(
            "--metrics reads the epochs written to -o OUTDIR: give -o as well",
        ));
    };
    let (results, roles) = collect(&[dir.to_path_buf()])?;
    super::scenario::write_metrics(file, &sequence_metrics(&results, roles.as_ref()))
}
