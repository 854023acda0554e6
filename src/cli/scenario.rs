//! `yuma scenario`: run a what-if scenario and write it as a sequence folder.

use std::path::{Path, PathBuf};

use clap::Args;

use super::backend::{make_engine, Backend};
use super::progress::progress_bar;
use super::CliError;
use yuma::analysis::metrics::{metrics_csv, metrics_json, sequence_metrics, SequenceMetrics};
use yuma::analysis::scenario::{self, library::LIBRARY, run_scenario, summarize, YumaVersion};
use yuma::jobs::write_atomic;
use yuma::output::result_json;
use yuma::replay::epoch_name;
use yuma::snapshot::write_snapshot;

/// Run a what-if scenario (a built-in one by name, or a TOML file).
///
/// Builds each epoch's snapshot from the scenario (validators' behaviour, miners' true quality,
/// registrations, bond resets), runs the epochs chained exactly as `yuma replay` chains them,
/// and writes OUTDIR/epoch_NN/snapshot.json + epoch.json (so `yuma replay OUTDIR --check`
/// accepts it), OUTDIR/scenario.toml, OUTDIR/roles.json and OUTDIR/summary.json.
#[derive(Args)]
pub struct ScenarioArgs {
    /// A built-in scenario name (see --list) or a scenario TOML file.
    #[arg(required_unless_present = "list")]
    pub scenario: Option<String>,
    /// Folder to write the run into (created if missing).
    #[arg(short, long, value_name = "OUTDIR", required_unless_present = "list")]
    pub output: Option<PathBuf>,
    /// Print the built-in scenarios, one per line: name, then description.
    #[arg(long)]
    pub list: bool,
    /// Run under Yuma 2, Yuma 3 or Yuma 3 + liquid alpha (overrides the file's `yuma`).
    #[arg(long, value_parser = ["2", "3", "3la"])]
    pub yuma: Option<String>,
    /// Seed of the honest validators' noise (overrides the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of epochs (overrides the file's `epochs`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: Option<u32>,
    /// Also write the run as Parquet tables into DIR (terms, bonds, ema_bonds, epochs; the
    /// schema of `yuma report --parquet`).
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// Also write the metrics (JSON, or CSV when FILE ends in .csv).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Which engine computes the epochs.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
}

pub fn run(a: ScenarioArgs) -> Result<(), CliError> {
    if a.list {
        for (name, text) in LIBRARY {
            let desc = scenario::parse_scenario(text, name)
                .map(|f| f.description)
                .unwrap_or_default();
            say!("{name}\t{desc}");
        }
        return Ok(());
    }
    let (Some(which), Some(out)) = (&a.scenario, &a.output) else {
        return Err(CliError::new("give a scenario and -o OUTDIR (or --list)"));
    };
    let (mut sc, text) = scenario::load(which).map_err(CliError::new)?;
    refuse_non_empty(out)?;
    if let Some(y) = a.yuma.as_deref().and_then(YumaVersion::parse) {
        sc.set_yuma(y);
    }
    if let Some(s) = a.seed {
        sc.seed = s;
    }
    if let Some(e) = a.epochs {
        sc.epochs = e as usize;
    }
    let mut engine = make_engine(a.backend)?;
    let count = sc.epochs;
    let bar = progress_bar(count as u64, "epochs");
    let results = run_scenario(&sc, engine.as_mut(), |k, s, r| {
        let dir = out.join(epoch_name(k, count));
        write_atomic(&dir.join("snapshot.json"), &write_snapshot(s))?;
        write_atomic(&dir.join("epoch.json"), &result_json(r, false))?;
        bar.inc(1);
        Ok(())
    })
    .map_err(|e| CliError::new(format!("{which}: {e}")))?;
    bar.finish_and_clear();
    let roles = sc.roles();
    let m = sequence_metrics(&results, Some(&roles));
    write_atomic(&out.join("scenario.toml"), &text).map_err(CliError::new)?;
    write_atomic(&out.join("roles.json"), &pretty(&roles)).map_err(CliError::new)?;
    let summary = summarize(&sc, &m);
    write_atomic(&out.join("summary.json"), &pretty(&summary)).map_err(CliError::new)?;
    if let Some(file) = &a.metrics {
        write_metrics(file, &m)?;
    }
    if let Some(dir) = &a.parquet {
        super::report::tables_of_output(out, dir)?;
    }
    eprintln!(
        "{}: {count} epochs under Yuma {} (seed {}) written to {}",
        sc.name,
        sc.yuma.label(),
        sc.seed,
        out.display()
    );
    if let Some((first, _)) = sc.resets.iter().min_by_key(|r| r.0) {
        eprintln!(
            "  note: the bonds reset before epoch {first} changes stored bonds between epochs, which \
`yuma replay` (it carries the previous output's bonds) cannot express: `replay --check` passes \
the epochs before it only"
        );
    }
    for c in &summary.copier_ratio_to_honest {
        let r = c.1.map_or("n/a".to_string(), |r| format!("{r:.4}"));
        eprintln!("  copier uid {}: yield / honest yield = {r}", c.0);
    }
    Ok(())
}

/// A run goes into a new or empty folder: epoch folders left from another run would make the
/// folder a different sequence.
fn refuse_non_empty(out: &Path) -> Result<(), CliError> {
    let busy = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if busy {
        return Err(CliError::new(format!(
            "-o {}: the folder is not empty; give a new or empty folder (epoch folders of another \
run would mix into this sequence)",
            out.display()
        )));
    }
    Ok(())
}

/// Writes metrics to `file`: CSV when it ends in `.csv`, JSON otherwise (`-`: standard output).
pub fn write_metrics(file: &Path, m: &SequenceMetrics) -> Result<(), CliError> {
    let csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let text = if csv { metrics_csv(m) } else { metrics_json(m) };
    if file.as_os_str() == "-" {
        return super::write_out(None, &text);
    }
    write_atomic(file, &text).map_err(CliError::new)
}

/// Pretty JSON of a serializable value, trailing newline.
pub fn pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
