//! `yuma sweep`: a grid of hyperparameters over one snapshot or scenario, one metrics row per
//! grid point.

use std::path::PathBuf;

use clap::Args;

use super::backend::{make_engine, Backend};
use super::progress::progress_bar;
use super::CliError;
use yuma::analysis::scenario::{self, YumaVersion};
use yuma::analysis::sweep::{grid, parse_axis, run_sweep_shard, sweep_csv, sweep_json, Base};
use yuma::jobs::write_atomic;
use yuma::snapshot::read_snapshot;

/// Sweep hyperparameters over a snapshot or a scenario.
///
/// Every combination of the --set values (the last --set varying fastest) runs for K epochs
/// (a snapshot: chained as `yuma replay --epochs K` does; a scenario: its own epochs, or K);
/// all grid points of an epoch go to the engine in one submission. Writes OUTDIR/sweep.csv and
/// OUTDIR/sweep.json: one row per grid point with the integers used and the last epoch's
/// metrics (Gini, Nakamoto, top-1 share, Herfindahl, validator dividend/stake ratios; for a
/// scenario also Spearman(incentive, quality) and copier ÷ honest yield).
///
/// VALUES: `a,b,c` or an inclusive range `a:b:s`. For kappa, bonds_penalty, alpha_low,
/// alpha_high a value ≤ 1 is a fraction → round-half-even(x · 65535), a value > 1 the chain's
/// u16; bonds_moving_average likewise with 10⁶. Integers for activity_cutoff,
/// max_allowed_validators, stake_threshold, alpha_sigmoid_steepness; true/false for yuma3 and
/// liquid_alpha.
#[derive(Args)]
pub struct SweepArgs {
    /// A yuma-snapshot/1 file, a built-in scenario name, or a scenario TOML file.
    pub input: String,
    /// NAME=VALUES, repeatable: kappa=0.3:0.7:0.05, bonds_penalty=0,0.5,1, yuma3=false,true.
    #[arg(long = "set", value_name = "NAME=VALUES", required = true)]
    pub set: Vec<String>,
    /// Epochs per grid point (default: 1 for a snapshot, the scenario's own count).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: Option<u32>,
    /// A scenario's Yuma version before the grid is applied (2, 3, 3la).
    #[arg(long, value_parser = ["2", "3", "3la"])]
    pub yuma: Option<String>,
    /// Folder to write sweep.csv and sweep.json into (created if missing).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// Also write the table to FILE (CSV when it ends in .csv, JSON otherwise).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Which engine computes the epochs.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Also write the table as Parquet (one row per grid point; parameters and metrics as
    /// columns, integers exact).
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
    /// Run only share I of N of the grid points (positions ≡ I mod N); the rows keep their
    /// point numbers, so the shards' tables concatenate into the whole one.
    #[arg(long, value_name = "I/N", value_parser = yuma::jobs::Shard::parse)]
    pub shard: Option<yuma::jobs::Shard>,
}

pub fn run(a: SweepArgs) -> Result<(), CliError> {
    let axes = a
        .set
        .iter()
        .map(|s| parse_axis(s))
        .collect::<Result<Vec<_>, _>>()?;
    let all_points = grid(&axes).len();
    let points = match a.shard {
        Some(sh) => sh.take((0..all_points).collect()).len(),
        None => all_points,
    };
    let is_snapshot = a.input.ends_with(".json");
    let snapshot;
    let sc;
    let (base, epochs) = if is_snapshot {
        snapshot = read_snapshot(std::path::Path::new(&a.input))?;
        let k = a.epochs.unwrap_or(1) as usize;
        (Base::Snapshot(&snapshot, k), k)
    } else {
        let (mut s, _) = scenario::load(&a.input).map_err(CliError::new)?;
        if let Some(y) = a.yuma.as_deref().and_then(YumaVersion::parse) {
            s.set_yuma(y);
        }
        if let Some(e) = a.epochs {
            s.epochs = e as usize;
        }
        sc = s;
        (Base::Scenario(&sc), sc.epochs)
    };
    let mut engine = make_engine(a.backend)?;
    let total = (points * epochs) as u64;
    let bar = progress_bar(total, "epochs");
    let start = std::time::Instant::now();
    let rows = run_sweep_shard(base, &axes, a.shard, engine.as_mut(), |d| {
        bar.set_position(d)
    })?;
    bar.finish_and_clear();
    let csv = sweep_csv(&axes, &rows);
    let json = sweep_json(&a.input, &axes, &rows);
    write_atomic(&a.output.join("sweep.csv"), &csv).map_err(CliError::new)?;
    write_atomic(&a.output.join("sweep.json"), &json).map_err(CliError::new)?;
    if let Some(f) = &a.parquet {
        let values: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::to_value(r).map_err(|e| CliError::new(e.to_string())))
            .collect::<Result<_, _>>()?;
        yuma::report::records::write_records(f, &values)
            .map_err(|e| CliError::new(e.to_string()))?;
    }
    if let Some(f) = &a.metrics {
        let csv_ext = f.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        write_atomic(f, if csv_ext { &csv } else { &json }).map_err(CliError::new)?;
    }
    eprintln!(
        "{points} grid points × {epochs} epoch(s) in {:.2} s ({}) written to {}",
        start.elapsed().as_secs_f64(),
        engine.name(),
        a.output.display()
    );
    Ok(())
}
