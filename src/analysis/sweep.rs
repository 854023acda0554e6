//! Hyperparameter sweeps: a grid of `--set NAME=VALUES` over one snapshot or one scenario, every
//! grid point run for K epochs, all points of an epoch submitted together
//! (`Engine::run_many`), one table row of metrics per point.
//!
//! VALUES is `a,b,c` or an inclusive range `a:b:s` (value i = a + i·s while ≤ b + s·10⁻⁹).
//! Units, one rule: for the u16 fractions (`kappa`, `bonds_penalty`, `alpha_low`, `alpha_high`)
//! a value ≤ 1 is a fraction, converted by round-half-even(x · 65535) (exactly, see
//! [`crate::analysis::units`]), a value > 1 is already the chain's integer; likewise
//! `bonds_moving_average` with scale 10⁶. Integer parameters (`activity_cutoff`,
//! `max_allowed_validators`, `stake_threshold`, `alpha_sigmoid_steepness`) take integers;
//! `yuma3` and `liquid_alpha` take `true`/`false`. The table records the integer used.

use serde::Serialize;

use super::metrics::{sequence_metrics, Roles, SequenceMetrics};
use super::scenario::{Scenario, ScenarioRun};
use super::units::fraction_to_units;
use crate::engine::Engine;
use crate::jobs::Shard;
use crate::output::EpochResult;
use crate::replay::next_snapshot;
use crate::snapshot::{Hyperparams, Snapshot};

/// A sweep that cannot run: the message names the `--set` or the grid point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SweepError(pub String);

/// One swept parameter and the integers it takes (bools as 0/1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Axis {
    pub name: String,
    pub values: Vec<i64>,
}

/// The parameters a sweep can set: `(name, kind)`.
const PARAMS: &[(&str, Kind)] = &[
    ("kappa", Kind::Fraction(65_535)),
    ("bonds_penalty", Kind::Fraction(65_535)),
    ("alpha_low", Kind::Fraction(65_535)),
    ("alpha_high", Kind::Fraction(65_535)),
    ("bonds_moving_average", Kind::Fraction(1_000_000)),
    (
        "alpha_sigmoid_steepness",
        Kind::Int(i16::MIN as i64, i16::MAX as i64),
    ),
    ("activity_cutoff", Kind::Int(0, i64::MAX)),
    ("max_allowed_validators", Kind::Int(0, 65_535)),
    ("stake_threshold", Kind::Int(0, i64::MAX)),
    ("yuma3", Kind::Bool),
    ("liquid_alpha", Kind::Bool),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// ≤ 1: fraction of this scale; > 1: the integer itself, at most the scale.
    Fraction(u64),
    Int(i64, i64),
    Bool,
}

/// Parses one `NAME=VALUES` argument.
pub fn parse_axis(arg: &str) -> Result<Axis, SweepError> {
    let err = |m: String| SweepError(format!("--set {arg}: {m}"));
    let (name, spec) = arg
        .split_once('=')
        .ok_or_else(|| err("expected NAME=VALUES".into()))?;
    let name = name.trim();
    let kind = PARAMS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            let all: Vec<&str> = PARAMS.iter().map(|(n, _)| *n).collect();
            err(format!("unknown parameter (one of {})", all.join(", ")))
        })?;
    let texts: Vec<f64> = if kind == Kind::Bool {
        spec.split(',')
            .map(|t| match t.trim() {
                "true" => Ok(1.0),
                "false" => Ok(0.0),
                o => Err(err(format!("`{o}` is not true or false"))),
            })
            .collect::<Result<_, _>>()?
    } else if let Some((a, rest)) = spec.split_once(':') {
        let (b, s) = rest
            .split_once(':')
            .ok_or_else(|| err("a range is a:b:s".into()))?;
        let num = |t: &str| {
            t.trim()
                .parse::<f64>()
                .map_err(|_| err(format!("`{t}` is not a number")))
        };
        let (a, b, s) = (num(a)?, num(b)?, num(s)?);
        if ![a, b, s].iter().all(|x| x.is_finite()) || s <= 0.0 || b < a {
            return Err(err("a range a:b:s needs finite a ≤ b and s > 0".into()));
        }
        let mut v = Vec::new();
        let mut i = 0u32;
        loop {
            let x = a + f64::from(i) * s;
            if x > b + s * 1e-9 || v.len() > 1_000_000 {
                break;
            }
            v.push(x);
            i += 1;
        }
        v
    } else {
        spec.split(',')
            .map(|t| {
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| err(format!("`{t}` is not a number")))
            })
            .collect::<Result<_, _>>()?
    };
    let values = texts
        .into_iter()
        .map(|x| to_units(kind, x).map_err(&err))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Axis {
        name: name.to_string(),
        values,
    })
}

fn to_units(kind: Kind, x: f64) -> Result<i64, String> {
    match kind {
        Kind::Bool => Ok(x as i64),
        Kind::Fraction(scale) if x <= 1.0 => {
            fraction_to_units(x, u128::from(scale), u128::from(scale))
                .map(|v| v as i64)
                .map_err(|e| e.0)
        }
        Kind::Fraction(scale) => {
            if x.fract() != 0.0 || x > scale as f64 {
                Err(format!(
                    "{x}: above 1 a value is the chain's integer, 2 … {scale}"
                ))
            } else {
                Ok(x as i64)
            }
        }
        Kind::Int(lo, hi) => {
            if x.fract() != 0.0 || x < lo as f64 || x > hi as f64 {
                Err(format!("{x}: expected an integer in {lo} … {hi}"))
            } else {
                Ok(x as i64)
            }
        }
    }
}

/// Sets parameter `name` to the integer `v` in `h`.
pub fn apply(h: &mut Hyperparams, name: &str, v: i64) {
    match name {
        "kappa" => h.kappa = v as u16,
        "bonds_penalty" => h.bonds_penalty = v as u16,
        "alpha_low" => h.alpha_low = v as u16,
        "alpha_high" => h.alpha_high = v as u16,
        "bonds_moving_average" => h.bonds_moving_average = v as u64,
        "alpha_sigmoid_steepness" => h.alpha_sigmoid_steepness = v as i16,
        "activity_cutoff" => h.activity_cutoff = v as u64,
        "max_allowed_validators" => h.max_allowed_validators = v as u16,
        "stake_threshold" => h.stake_threshold = v as u64,
        "yuma3" => h.yuma3_enabled = v != 0,
        "liquid_alpha" => h.liquid_alpha_enabled = v != 0,
        _ => {}
    }
}

/// Every grid point: one integer per axis, the last axis varying fastest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<i64>> {
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                a.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// One row of the sweep table: the parameters used and the metrics of the point's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    pub point: usize,
    /// `(name, integer used)` in `--set` order (JSON: an object in that order).
    #[serde(serialize_with = "as_map")]
    pub params: Vec<(String, i64)>,
    pub epochs: usize,
    /// Block of the last epoch.
    pub block: u64,
    // The last epoch's concentration:
    pub incentive_gini: Option<f64>,
    pub incentive_nakamoto: Option<usize>,
    pub incentive_top1_share: Option<f64>,
    pub dividends_gini: Option<f64>,
    pub dividends_nakamoto: Option<usize>,
    pub dividends_top1_share: Option<f64>,
    pub dividends_herfindahl: Option<f64>,
    pub emission_gini: Option<f64>,
    /// Smallest and largest validator dividend share ÷ stake share in the last epoch.
    pub min_validator_ratio: Option<f64>,
    pub max_validator_ratio: Option<f64>,
    /// Scenario only: Spearman(last epoch incentive, quality) and over the whole run.
    pub spearman_incentive_quality: Option<f64>,
    pub spearman_cumulative_incentive_quality: Option<f64>,
    /// Scenario only: mean over copiers of copier yield ÷ honest yield.
    pub copier_ratio_to_honest: Option<f64>,
    /// The last epoch's total emission scaled to a day: `Σ emission · 7200 / (tempo + 1)` (rao
    /// of the subnet's token per day).
    pub emission_per_day: f64,
}

fn as_map<S: serde::Serializer>(v: &[(String, i64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, x) in v {
        m.serialize_entry(k, x)?;
    }
    m.end()
}

fn row(point: usize, params: Vec<(String, i64)>, m: &SequenceMetrics, tempo: u16) -> SweepRow {
    let last = m.epochs.last();
    let ratios: Vec<f64> = last
        .map(|e| e.validators.iter().filter_map(|v| v.ratio).collect())
        .unwrap_or_default();
    let copiers: Vec<f64> = m.copiers.iter().filter_map(|c| c.ratio_to_honest).collect();
    SweepRow {
        point,
        params,
        epochs: m.epochs.len(),
        block: last.map_or(0, |e| e.block),
        incentive_gini: last.and_then(|e| e.incentive.gini),
        incentive_nakamoto: last.and_then(|e| e.incentive.nakamoto),
        incentive_top1_share: last.and_then(|e| e.incentive.top1_share),
        dividends_gini: last.and_then(|e| e.dividends.gini),
        dividends_nakamoto: last.and_then(|e| e.dividends.nakamoto),
        dividends_top1_share: last.and_then(|e| e.dividends.top1_share),
        dividends_herfindahl: last.and_then(|e| e.dividends.herfindahl),
        emission_gini: last.and_then(|e| e.emission.gini),
        min_validator_ratio: ratios.iter().copied().reduce(f64::min),
        max_validator_ratio: ratios.iter().copied().reduce(f64::max),
        spearman_incentive_quality: last.and_then(|e| e.spearman_incentive_quality),
        spearman_cumulative_incentive_quality: m.spearman_cumulative_incentive_quality,
        copier_ratio_to_honest: (!copiers.is_empty())
            .then(|| copiers.iter().sum::<f64>() / copiers.len() as f64),
        emission_per_day: last.map_or(0.0, |e| e.emission.total as f64)
            * crate::analysis::emission::BLOCKS_PER_DAY as f64
            / (f64::from(tempo) + 1.0),
    }
}

/// What a sweep starts from.
pub enum Base<'a> {
    /// One snapshot, run forward `epochs` epochs as `yuma replay --epochs` does.
    Snapshot(&'a Snapshot, usize),
    /// A scenario (its own epoch count).
    Scenario(&'a Scenario),
}

/// Runs every grid point of `axes` on `base`, `progress` called after each epoch step with the
/// number of epochs computed so far.
pub fn run_sweep(
    base: Base<'_>,
    axes: &[Axis],
    engine: &mut dyn Engine,
    progress: impl FnMut(u64),
) -> Result<Vec<SweepRow>, SweepError> {
    run_sweep_shard(base, axes, None, engine, progress)
}

/// [`run_sweep`] on share `shard` of the grid only (points at positions ≡ I mod N); each row
/// keeps its point's position in the whole grid, so the shards' rows together are the table.
pub fn run_sweep_shard(
    base: Base<'_>,
    axes: &[Axis],
    shard: Option<Shard>,
    engine: &mut dyn Engine,
    mut progress: impl FnMut(u64),
) -> Result<Vec<SweepRow>, SweepError> {
    let indexed: Vec<(usize, Vec<i64>)> = grid(axes).into_iter().enumerate().collect();
    let indexed = match shard {
        Some(sh) => sh.take(indexed),
        None => indexed,
    };
    if indexed.is_empty() {
        return Ok(Vec::new());
    }
    let points: Vec<Vec<i64>> = indexed.iter().map(|(_, p)| p.clone()).collect();
    let params = |p: &[i64]| -> Vec<(String, i64)> {
        axes.iter()
            .map(|a| a.name.clone())
            .zip(p.iter().copied())
            .collect()
    };
    let mut done = 0u64;
    let mut results: Vec<Vec<EpochResult>> = vec![Vec::new(); points.len()];
    let mut run_step = |snaps: &[&Snapshot], results: &mut Vec<Vec<EpochResult>>| {
        let out = engine.run_many(snaps);
        for (i, r) in out.into_iter().enumerate() {
            let r = r.map_err(|e| SweepError(format!("grid point {i}: engine: {e}")))?;
            results[i].push(r);
        }
        done += snaps.len() as u64;
        progress(done);
        Ok::<(), SweepError>(())
    };
    let roles: Option<Roles>;
    let tempo;
    match base {
        Base::Snapshot(s, epochs) => {
            roles = None;
            tempo = s.hyperparams.tempo;
            let mut current: Vec<Snapshot> = points
                .iter()
                .map(|p| {
                    let mut s = s.clone();
                    for (a, &v) in axes.iter().zip(p) {
                        apply(&mut s.hyperparams, &a.name, v);
                    }
                    s
                })
                .collect();
            for k in 0..epochs {
                let refs: Vec<&Snapshot> = current.iter().collect();
                run_step(&refs, &mut results)?;
                if k + 1 < epochs {
                    for (i, s) in current.iter_mut().enumerate() {
                        let last = results[i].last().expect("one result per step");
                        *s = next_snapshot(s, last).map_err(|e| SweepError(e.0))?;
                    }
                }
            }
        }
        Base::Scenario(sc) => {
            roles = Some(sc.roles());
            tempo = sc.hyperparams.tempo;
            let scenarios: Vec<Scenario> = points
                .iter()
                .map(|p| {
                    let mut s = sc.clone();
                    for (a, &v) in axes.iter().zip(p) {
                        apply(&mut s.hyperparams, &a.name, v);
                    }
                    s
                })
                .collect();
            let mut runs: Vec<ScenarioRun> = scenarios.iter().map(ScenarioRun::new).collect();
            while !runs[0].done() {
                let snaps = runs
                    .iter()
                    .map(|r| r.snapshot().map_err(SweepError))
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&Snapshot> = snaps.iter().collect();
                run_step(&refs, &mut results)?;
                for ((run, s), res) in runs.iter_mut().zip(snaps).zip(&results) {
                    run.record(s, res.last().expect("one result per step").clone());
                }
            }
        }
    }
    Ok(indexed
        .iter()
        .enumerate()
        .map(|(k, (i, p))| {
            let m = sequence_metrics(&results[k], roles.as_ref());
            row(*i, params(p), &m, tempo)
        })
        .collect())
}

/// The table as CSV: `point,<param>…,epochs,block,<metric>…` (empty = null).
pub fn sweep_csv(axes: &[Axis], rows: &[SweepRow]) -> String {
    let names: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
    let mut out = format!(
        "point,{}{}epochs,block,incentive_gini,incentive_nakamoto,incentive_top1_share,\
dividends_gini,dividends_nakamoto,dividends_top1_share,dividends_herfindahl,emission_gini,\
min_validator_ratio,max_validator_ratio,spearman_incentive_quality,\
spearman_cumulative_incentive_quality,copier_ratio_to_honest,emission_per_day\n",
        names.join(","),
        if names.is_empty() { "" } else { "," }
    );
    let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let u = |x: Option<usize>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let params: Vec<String> = r.params.iter().map(|(_, v)| v.to_string()).collect();
        out.push_str(&format!(
            "{},{}{}{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.point,
            params.join(","),
            if params.is_empty() { "" } else { "," },
            r.epochs,
            r.block,
            f(r.incentive_gini),
            u(r.incentive_nakamoto),
            f(r.incentive_top1_share),
            f(r.dividends_gini),
            u(r.dividends_nakamoto),
            f(r.dividends_top1_share),
            f(r.dividends_herfindahl),
            f(r.emission_gini),
            f(r.min_validator_ratio),
            f(r.max_validator_ratio),
            f(r.spearman_incentive_quality),
            f(r.spearman_cumulative_incentive_quality),
            f(r.copier_ratio_to_honest),
            r.emission_per_day,
        ));
    }
    out
}

/// The yuma-sweep/1 document: the input's name, the axes and every row, pretty JSON with a
/// trailing newline (`sweep.json`).
pub fn sweep_json(input: &str, axes: &[Axis], rows: &[SweepRow]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        format: &'static str,
        input: &'a str,
        axes: &'a [Axis],
        rows: &'a [SweepRow],
    }
    let mut s = serde_json::to_string_pretty(&Doc {
        format: "yuma-sweep/1",
        input,
        axes,
        rows,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}
