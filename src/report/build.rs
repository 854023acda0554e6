//! From loaded series to the charts a person expects for each.

use super::charts::{
    Chart, ChartData, Columns, Heatmap, Layer, Lorenz, LorenzCurve, Point, Scatter,
};
use super::load::{EpochTerms, Series};
use super::stats::{lorenz, shares, top_indices};
use crate::analysis::concentration::concentration;

/// How many uids get a colour of their own in the stacked charts.
pub const TOP_UIDS: usize = 8;
/// Most validator rows and miner columns in a bonds heatmap.
pub const HEATMAP_ROWS: usize = 32;
pub const HEATMAP_COLS: usize = 48;
/// Validators labelled with their uid in the stake/dividend scatter.
const LABELLED: usize = 6;

/// What one series' charts are about, in the order a page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dividends,
    Incentive,
    Emission,
    Bonds,
    StakeVsDividends,
    Lorenz,
}

pub const KINDS: [Kind; 6] = [
    Kind::Dividends,
    Kind::Incentive,
    Kind::Emission,
    Kind::Bonds,
    Kind::StakeVsDividends,
    Kind::Lorenz,
];

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Dividends => "dividends",
            Kind::Incentive => "incentive",
            Kind::Emission => "emission",
            Kind::Bonds => "bonds",
            Kind::StakeVsDividends => "stake-vs-dividends",
            Kind::Lorenz => "lorenz",
        }
    }
}

/// The chart of `kind` for `series` (`prefix` makes the id unique in a report); `None` when
/// the series has nothing to show (e.g. no stored bonds, every emission zero).
pub fn chart(series: &Series, kind: Kind, prefix: &str) -> Option<Chart> {
    let id = format!("{prefix}-{}", kind.slug());
    let name = series.label();
    let (title, data) = match kind {
        Kind::Dividends => (
            format!("Dividends per epoch — {name}"),
            stacked(
                series,
                |e| &e.dividend,
                "dividend share (% of subnet)",
                100.0 / 65535.0,
            ),
        ),
        Kind::Incentive => (
            format!("Incentive per epoch — {name}"),
            stacked(
                series,
                |e| &e.incentive,
                "incentive share (% of subnet)",
                100.0 / 65535.0,
            ),
        ),
        Kind::Emission => (
            format!("Emission per epoch — {name}"),
            stacked(series, |e| &e.emission, "emission (α per epoch)", 1e-9),
        ),
        Kind::Bonds => (
            format!("Bonds after the last epoch — {name}"),
            bonds(series)?,
        ),
        Kind::StakeVsDividends => (
            format!("Stake share vs dividend share — {name}"),
            stake_vs_dividends(series)?,
        ),
        Kind::Lorenz => (
            format!("Concentration (Lorenz) — {name}"),
            lorenz_curves(series)?,
        ),
    };
    Some(Chart {
        id,
        title,
        caption: caption(kind, series).to_string(),
        data,
    })
}

/// How to read a chart of `kind`.
fn caption(kind: Kind, series: &Series) -> &'static str {
    match kind {
        Kind::Dividends => "Each column is one epoch: the share of the subnet's dividends (u16 ÷ 65535) of the 8 uids with the most dividends over the series, the rest in grey.",
        Kind::Incentive => "Each column is one epoch: the share of the subnet's incentive of the 8 uids with the most incentive over the series, the rest in grey.",
        Kind::Emission => "Each column is one epoch: the emission (rao ÷ 10⁹) of the 8 uids with the most emission over the series, the rest in grey.",
        Kind::Bonds if series.mechanisms > 1 => "Mechanism 0's stored bonds after the last epoch: one row per validator, one column per miner, colour = bond ÷ 65535; grey = no entry.",
        Kind::Bonds => "The stored bonds after the last epoch: one row per validator, one column per miner, colour = bond ÷ 65535; grey = no entry.",
        Kind::StakeVsDividends => "One dot per validator: above the line it earns a larger share of dividends than it holds of the stake, below it a smaller one.",
        Kind::Lorenz => "The further a curve sags below the diagonal, the more concentrated the quantity; Gini 0 = equal, near 1 = one uid holds everything.",
    }
}

/// Per-uid sums over the series of one term.
fn totals<T: Copy + Into<u128>>(
    series: &Series,
    term: impl Fn(&EpochTerms) -> &Vec<T>,
) -> Vec<u128> {
    let n = series
        .epochs
        .iter()
        .map(|e| term(e).len())
        .max()
        .unwrap_or(0);
    let mut sums = vec![0u128; n];
    for e in &series.epochs {
        for (s, &v) in sums.iter_mut().zip(term(e)) {
            *s += v.into();
        }
    }
    sums
}

/// Stacked columns of a term: the top uids over the whole series, and the rest.
fn stacked<T: Copy + Into<u128>>(
    series: &Series,
    term: impl Fn(&EpochTerms) -> &Vec<T> + Copy,
    y_desc: &str,
    unit: f64,
) -> ChartData {
    let sums = totals(series, term);
    let top = top_indices(&sums, TOP_UIDS);
    let value = |e: &EpochTerms, uid: usize| term(e).get(uid).map_or(0.0, |&v| v.into() as f64);
    let mut layers: Vec<Layer> = top
        .iter()
        .map(|&uid| Layer {
            label: series.uid_label(uid),
            values: series.epochs.iter().map(|e| value(e, uid) * unit).collect(),
        })
        .collect();
    let rest: Vec<f64> = series
        .epochs
        .iter()
        .map(|e| {
            let all: u128 = term(e).iter().map(|&v| v.into()).sum();
            let shown: u128 = top
                .iter()
                .map(|&u| term(e).get(u).map_or(0, |&v| v.into()))
                .sum();
            (all - shown) as f64 * unit
        })
        .collect();
    let others = sums.iter().filter(|&&s| s > 0).count() - top.len();
    let has_rest = others > 0 || rest.iter().any(|&v| v > 0.0);
    if has_rest {
        layers.push(Layer {
            label: format!("other {others} uids"),
            values: rest,
        });
    }
    ChartData::Columns(Columns {
        blocks: series.epochs.iter().map(|e| e.block).collect(),
        layers,
        rest_last: has_rest,
        y_desc: y_desc.to_string(),
        legend_title: format!("top {} uids", top.len()),
        y_max: None,
    })
}

/// The stored bonds of the last epoch: validators (largest stake first) × their most-bonded
/// miners (uid order).
fn bonds(series: &Series) -> Option<ChartData> {
    let last = series.epochs.last()?;
    let mut rows: Vec<usize> = (0..series.last_bonds.len())
        .filter(|&i| !series.last_bonds[i].is_empty())
        .collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|&a, &b| {
        let s = |i: usize| last.stake.get(i).copied().unwrap_or(0);
        s(b).cmp(&s(a)).then(a.cmp(&b))
    });
    let hidden_rows = rows.len().saturating_sub(HEATMAP_ROWS);
    rows.truncate(HEATMAP_ROWS);
    // Bond targets are u16 (entries for uids ≥ n are stored too).
    let mut per_target = vec![0u128; 1 << 16];
    for &r in &rows {
        for &(j, b) in &series.last_bonds[r] {
            if let Some(t) = per_target.get_mut(usize::from(j)) {
                *t += u128::from(b);
            }
        }
    }
    let mut cols = top_indices(&per_target, HEATMAP_COLS);
    cols.sort_unstable();
    if cols.is_empty() {
        return None;
    }
    let values = rows
        .iter()
        .map(|&r| {
            cols.iter()
                .map(|&c| {
                    series.last_bonds[r]
                        .iter()
                        .rev()
                        .find(|&&(j, _)| usize::from(j) == c)
                        .map(|&(_, b)| f64::from(b) / 65535.0)
                })
                .collect()
        })
        .collect();
    let mut y_desc = "validator uid (by stake)".to_string();
    if hidden_rows > 0 {
        y_desc = format!("validator uid (top {} by stake)", rows.len());
    }
    let mech = if series.mechanisms > 1 {
        ", mechanism 0"
    } else {
        ""
    };
    Some(ChartData::Heatmap(Heatmap {
        rows: rows.iter().map(|r| r.to_string()).collect(),
        cols: cols.iter().map(|c| c.to_string()).collect(),
        values,
        x_desc: format!("miner uid (the {} most bonded{mech})", cols.len()),
        y_desc,
        scale_desc: "bond ÷ 65535".to_string(),
        range: (0.0, 1.0),
        annotate: false,
    }))
}

/// Validators' share of stake against their share of dividends, summed over the series.
fn stake_vs_dividends(series: &Series) -> Option<ChartData> {
    let stake = totals(series, |e| &e.stake);
    let dividend = totals(series, |e| &e.dividend);
    let permit = |uid: usize| {
        series
            .epochs
            .iter()
            .any(|e| e.new_validator_permit.get(uid).copied().unwrap_or(false))
    };
    let uids: Vec<usize> = (0..stake.len())
        .filter(|&u| dividend.get(u).is_some_and(|&d| d > 0) || (permit(u) && stake[u] > 0))
        .collect();
    let pick = |v: &[u128]| {
        uids.iter()
            .map(|&u| v.get(u).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    let (stake_v, div_v) = (pick(&stake), pick(&dividend));
    let stake_s = shares(&stake_v)?;
    let div_s = shares(&div_v).unwrap_or_else(|| vec![0.0; uids.len()]);
    let labelled = top_indices(&stake_v, LABELLED);
    // One group per scenario role (in order of first appearance), else one group.
    let mut groups: Vec<(String, Vec<Point>)> = Vec::new();
    for (k, &uid) in uids.iter().enumerate() {
        let name = match series.role(uid) {
            Some(role) => role.to_string(),
            None => "validator (uid)".to_string(),
        };
        let point = Point {
            x: stake_s[k] * 100.0,
            y: div_s[k] * 100.0,
            label: labelled.contains(&k).then(|| format!(" {uid}")),
        };
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, points)) => points.push(point),
            None => groups.push((name, vec![point])),
        }
    }
    let over = if series.epochs.len() > 1 {
        format!(", summed over {} epochs", series.epochs.len())
    } else {
        String::new()
    };
    Some(ChartData::Scatter(Scatter {
        groups,
        x_desc: format!("share of validators' stake (%{over})"),
        y_desc: "share of dividends (%)".to_string(),
        diagonal_label: "dividend share = stake share".to_string(),
    }))
}

/// Lorenz curves of emission (summed over the series) and of stake (last epoch).
fn lorenz_curves(series: &Series) -> Option<ChartData> {
    let emission = totals(series, |e| &e.emission);
    let last = series.epochs.last()?;
    let stake: Vec<u128> = last.stake.iter().map(|&s| u128::from(s)).collect();
    let mut curves = Vec::new();
    for (label, values) in [("emission", &emission), ("stake", &stake)] {
        let saturated: Vec<u64> = values
            .iter()
            .map(|&v| u64::try_from(v).unwrap_or(u64::MAX))
            .collect();
        if let (Some(points), Some(g)) = (lorenz(values), concentration(&saturated).gini) {
            curves.push(LorenzCurve {
                label: label.to_string(),
                points,
                gini: g,
            });
        }
    }
    if curves.is_empty() {
        return None;
    }
    Some(ChartData::Lorenz(Lorenz {
        curves,
        x_desc: "share of uids, smallest first (%)".to_string(),
        y_desc: "cumulative share (%)".to_string(),
    }))
}
