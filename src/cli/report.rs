//! `yuma report`: charts of epoch outputs as one self-contained HTML page, SVG or PNG files,
//! and the outputs as Parquet tables.

use std::path::{Path, PathBuf};

use clap::Args;

use super::CliError;
use yuma::jobs::write_atomic;
use yuma::report::assemble::Report;
use yuma::report::load::{json_files, read_if_epoch};
use yuma::report::parquet::{RowCounts, TableWriter, TABLES};
use yuma::report::records::write_records;
use yuma::report::sweep::read_sweep;

/// Draw the charts of epoch outputs: one HTML page, and/or one SVG or PNG file per chart.
///
/// INPUT is an output folder of `yuma replay`, `yuma batch`, `yuma scenario` or `yuma sweep` (or
/// a single epoch file). Every `*.json` below it whose "format" is "yuma-epoch/1" is read; other JSON
/// (snapshots, traces, summaries) is skipped. Epochs group into series, one per subnet and
/// folder (`DIR/epoch_NN/epoch.json` files are the series of DIR), in block order.
///
/// For each series: dividends, incentive and emission per epoch (the top 8 uids and the rest),
/// the bonds after the last epoch as a heatmap, validators' stake share against their dividend
/// share, and the Lorenz curves of emission and stake with their Gini coefficients. Two to four
/// series (e.g. a scenario under Yuma 2 and Yuma 3) are shown side by side.
///
/// The HTML file works offline: inline SVG and stylesheet, no script, nothing fetched. Chart
/// text is laid out with a TrueType font (Debian: fonts-dejavu-core; or YUMA_FONT=FILE).
///
/// A `yuma sweep` output folder (sweep.json) gives one heatmap per metric: the first swept
/// parameter across, the second down, a panel per value of the others.
///
/// `--parquet DIR` writes the epochs as tables instead of (or as well as) charts, and sweep
/// tables as DIR/sweep.parquet: see the README, "Reports and tables".
#[derive(Args)]
pub struct ReportArgs {
    /// Output folders (or epoch files) to read.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The HTML report to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write each chart as DIR/<id>.svg.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
    /// Also write each chart as DIR/<id>.png (720 × 420).
    #[arg(long, value_name = "DIR")]
    pub png: Option<PathBuf>,
    /// Write the epochs as Parquet tables into DIR (terms, bonds, ema_bonds, epochs).
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// The page title.
    #[arg(long, default_value = "yuma report")]
    pub title: String,
}

pub fn run(a: ReportArgs) -> Result<(), CliError> {
    if a.output.is_none() && a.svg.is_none() && a.png.is_none() && a.parquet.is_none() {
        return Err(CliError::new(
            "nothing to do: give -o report.html, --svg DIR, --png DIR and/or --parquet DIR",
        ));
    }
    if let Some(dir) = &a.parquet {
        let counts = parquet_from_outputs(&a.inputs, dir)?;
        if counts.iter().any(|&c| c > 0) {
            eprintln!("{}", table_summary(dir, &counts));
        }
    }
    if a.output.is_none() && a.svg.is_none() && a.png.is_none() {
        return Ok(());
    }
    let report = Report::from_inputs(&a.inputs, &a.title)?;
    if let Some(out) = &a.output {
        write_atomic(out, &report.html()?).map_err(CliError::new)?;
        eprintln!(
            "{}: {} charts in {} sections",
            out.display(),
            report.charts().count(),
            report.sections.len()
        );
    }
    if let Some(dir) = &a.svg {
        for chart in report.charts() {
            write_atomic(&dir.join(format!("{}.svg", chart.id)), &chart.svg()?)
                .map_err(CliError::new)?;
        }
        eprintln!("{}: {} SVG files", dir.display(), report.charts().count());
    }
    if let Some(dir) = &a.png {
        for chart in report.charts() {
            write_file_atomic(&dir.join(format!("{}.png", chart.id)), &chart.png()?)?;
        }
        eprintln!("{}: {} PNG files", dir.display(), report.charts().count());
    }
    Ok(())
}

/// Bytes to `path` through a temporary file beside it.
fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::new(format!("{}: cannot create: {e}", dir.display())))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CliError::new(format!("{}: cannot write: {e}", path.display()))
        })
}

/// Every epoch document below the inputs into the tables of `dir`; `source` is the file's
/// path relative to its input.
pub fn parquet_from_outputs(inputs: &[PathBuf], dir: &Path) -> Result<RowCounts, CliError> {
    let mut sweep_rows = Vec::new();
    let mut epoch_inputs = Vec::new();
    for input in inputs {
        match read_sweep(input)? {
            Some(t) => sweep_rows.extend(t.rows.into_iter().map(|(_, mut row)| {
                if let Some(obj) = row.as_object_mut() {
                    obj.insert("source".into(), t.label.clone().into());
                }
                row
            })),
            None => epoch_inputs.push(input.clone()),
        }
    }
    if !sweep_rows.is_empty() {
        let file = dir.join("sweep.parquet");
        let rows = write_records(&file, &sweep_rows)?;
        eprintln!("{}: {rows} grid points", file.display());
        if epoch_inputs.is_empty() {
            return Ok([0; 4]);
        }
    }
    let mut tables = TableWriter::create(dir)?;
    let mut epochs = 0usize;
    for input in &epoch_inputs {
        let root = if input.is_dir() {
            input.as_path()
        } else {
            input.parent().unwrap_or(Path::new(""))
        };
        for file in json_files(input)? {
            if let Some(result) = read_if_epoch(&file)? {
                let rel = file.strip_prefix(root).unwrap_or(&file);
                tables.write(&rel.to_string_lossy(), &result)?;
                epochs += 1;
            }
        }
    }
    if epochs == 0 {
        return Err(CliError::new(
            "no yuma-epoch/1 documents found in the inputs",
        ));
    }
    Ok(tables.finish()?)
}

/// `--parquet DIR` of a command that wrote its epochs to `output`: their tables, and a line
/// saying how many rows each has.
pub fn tables_of_output(output: &Path, dir: &Path) -> Result<(), CliError> {
    let counts = parquet_from_outputs(&[output.to_path_buf()], dir)?;
    eprintln!("{}", table_summary(dir, &counts));
    Ok(())
}

/// `DIR: terms N rows, bonds N rows, …`.
pub fn table_summary(dir: &Path, counts: &RowCounts) -> String {
    let parts: Vec<String> = TABLES
        .iter()
        .zip(counts)
        .map(|(t, c)| format!("{t}.parquet {c} rows"))
        .collect();
    format!("{}: {}", dir.display(), parts.join(", "))
}
