//! Sweep heatmaps: a `yuma sweep` table (`sweep.json`, `yuma-sweep/1`) as one heatmap per
//! metric, the first swept parameter across, the second down, one panel per value of the others.

use std::path::Path;

use serde_json::Value;

use super::charts::{Chart, ChartData, Heatmap};
use super::html::Section;
use super::ReportError;

/// The metrics drawn, with what they mean; those null at every grid point are left out.
pub const METRICS: [(&str, &str); 8] = [
    ("dividends_gini", "Gini of the last epoch's dividends"),
    ("incentive_gini", "Gini of the last epoch's incentive"),
    ("emission_gini", "Gini of the last epoch's emission"),
    (
        "dividends_top1_share",
        "largest dividend share (last epoch)",
    ),
    ("dividends_nakamoto", "Nakamoto coefficient of dividends"),
    ("copier_ratio_to_honest", "copier yield ÷ honest yield"),
    (
        "spearman_cumulative_incentive_quality",
        "Spearman(incentive, true quality)",
    ),
    (
        "max_validator_ratio",
        "largest validator dividend share ÷ stake share",
    ),
];

/// Most panels (values of the third and later parameters) per metric.
const MAX_PANELS: usize = 6;

/// A swept parameter: its name and the integers it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    pub name: String,
    pub values: Vec<i64>,
}

/// A sweep table: its axes and, per grid point, the integers used and the metrics.
#[derive(Clone, Debug)]
pub struct SweepTable {
    pub label: String,
    pub input: String,
    pub axes: Vec<Axis>,
    /// `(params in axis order, row object)`.
    pub rows: Vec<(Vec<i64>, Value)>,
}

/// Reads `DIR/sweep.json` (or the file itself); `None` when there is none.
pub fn read_sweep(input: &Path) -> Result<Option<SweepTable>, ReportError> {
    let file = if input.is_dir() {
        input.join("sweep.json")
    } else {
        input.to_path_buf()
    };
    if !file.is_file() {
        return Ok(None);
    }
    let name = file.display().to_string();
    let bad = |what: String| ReportError::new(format!("{name}: {what}"));
    let text = std::fs::read_to_string(&file).map_err(|e| bad(format!("cannot read: {e}")))?;
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    if doc["format"].as_str() != Some("yuma-sweep/1") {
        return Ok(None);
    }
    let mut axes = Vec::new();
    for (i, a) in doc["axes"].as_array().into_iter().flatten().enumerate() {
        let name = a["name"]
            .as_str()
            .ok_or_else(|| bad(format!("field `axes[{i}].name`: expected a string")))?;
        let values = a["values"]
            .as_array()
            .and_then(|v| v.iter().map(Value::as_i64).collect::<Option<Vec<_>>>())
            .ok_or_else(|| bad(format!("field `axes[{i}].values`: expected integers")))?;
        axes.push(Axis {
            name: name.to_string(),
            values,
        });
    }
    let mut rows = Vec::new();
    for (i, r) in doc["rows"].as_array().into_iter().flatten().enumerate() {
        let params = axes
            .iter()
            .map(|a| r["params"][a.name.as_str()].as_i64())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                bad(format!(
                    "field `rows[{i}].params`: a swept parameter is missing"
                ))
            })?;
        rows.push((params, r.clone()));
    }
    let label = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.clone());
    Ok(Some(SweepTable {
        label,
        input: doc["input"].as_str().unwrap_or("").to_string(),
        axes,
        rows,
    }))
}

/// A parameter value as people read it: fractions of 65535 (or 10⁶) as decimals, bools as
/// true/false, other integers as they are.
pub fn value_label(param: &str, v: i64) -> String {
    let fraction = |scale: f64| {
        let t = format!("{:.3}", v as f64 / scale);
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match param {
        "kappa" | "bonds_penalty" | "alpha_low" | "alpha_high" => fraction(65535.0),
        "bonds_moving_average" => fraction(1e6),
        "yuma3" | "liquid_alpha" => (v != 0).to_string(),
        _ => v.to_string(),
    }
}

fn axis_desc(param: &str) -> String {
    match param {
        "kappa" | "bonds_penalty" | "alpha_low" | "alpha_high" => {
            format!("{param} (integer ÷ 65535)")
        }
        "bonds_moving_average" => format!("{param} (integer ÷ 10⁶)"),
        _ => param.to_string(),
    }
}

/// The heatmaps of a sweep: per metric with a value somewhere, one panel per combination of the
/// parameters after the first two (at most [`MAX_PANELS`]).
pub fn sweep_section(t: &SweepTable, index: usize) -> Section {
    let varying: Vec<usize> = (0..t.axes.len())
        .filter(|&k| t.axes[k].values.len() > 1)
        .collect();
    let (x, y) = (varying.first().copied(), varying.get(1).copied());
    let rest: Vec<usize> = varying.iter().skip(2).copied().collect();
    let mut panels: Vec<Vec<i64>> = Vec::new();
    for (params, _) in &t.rows {
        let key: Vec<i64> = rest.iter().map(|&k| params[k]).collect();
        if !panels.contains(&key) {
            panels.push(key);
        }
    }
    let mut notes = Vec::new();
    if panels.len() > MAX_PANELS {
        notes.push(format!(
            "{} combinations of the parameters after the first two: the first {MAX_PANELS} are drawn.",
            panels.len()
        ));
        panels.truncate(MAX_PANELS);
    }
    let mut charts = Vec::new();
    for (metric, meaning) in METRICS {
        let value = |row: &Value| row[metric].as_f64();
        let all: Vec<f64> = t.rows.iter().filter_map(|(_, r)| value(r)).collect();
        if all.is_empty() {
            continue;
        }
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (p, panel) in panels.iter().enumerate() {
            let in_panel = |params: &[i64]| rest.iter().zip(panel).all(|(&k, v)| params[k] == *v);
            let xs: Vec<i64> = x.map_or(vec![0], |k| t.axes[k].values.clone());
            let ys: Vec<i64> = y.map_or(vec![0], |k| t.axes[k].values.clone());
            let cell = |xv: i64, yv: i64| {
                t.rows
                    .iter()
                    .find(|(params, _)| {
                        in_panel(params)
                            && x.is_none_or(|k| params[k] == xv)
                            && y.is_none_or(|k| params[k] == yv)
                    })
                    .and_then(|(_, r)| value(r))
            };
            // Rows top to bottom: the largest value of the second parameter first.
            let values = ys
                .iter()
                .rev()
                .map(|&yv| xs.iter().map(|&xv| cell(xv, yv)).collect())
                .collect();
            let label_of = |k: Option<usize>, v: i64| {
                k.map_or(String::new(), |k| value_label(&t.axes[k].name, v))
            };
            let panel_text: Vec<String> = rest
                .iter()
                .zip(panel)
                .map(|(&k, &v)| format!("{} = {}", t.axes[k].name, value_label(&t.axes[k].name, v)))
                .collect();
            let suffix = if panel_text.is_empty() {
                String::new()
            } else {
                format!(" ({})", panel_text.join(", "))
            };
            charts.push(Chart {
                id: format!("w{:02}-{}-{}", index + 1, metric.replace('_', "-"), p + 1),
                title: format!("{meaning}{suffix}"),
                caption: format!(
                    "Sweep {}: {metric} at each grid point (colour, and the number in each cell); the same scale in every panel.",
                    t.label
                ),
                data: ChartData::Heatmap(Heatmap {
                    rows: ys.iter().rev().map(|&v| label_of(y, v)).collect(),
                    cols: xs.iter().map(|&v| label_of(x, v)).collect(),
                    values,
                    x_desc: x.map_or("(one grid point)".to_string(), |k| axis_desc(&t.axes[k].name)),
                    y_desc: y.map_or(String::new(), |k| axis_desc(&t.axes[k].name)),
                    scale_desc: if metric.len() <= 16 { metric.to_string() } else { "value".to_string() },
                    range: (lo, hi),
                    annotate: xs.len() <= 12 && ys.len() <= 16,
                }),
            });
        }
    }
    if charts.is_empty() {
        notes.push("no metric has a value at any grid point".to_string());
    }
    let fixed: Vec<String> = t
        .axes
        .iter()
        .filter(|a| a.values.len() == 1)
        .map(|a| format!("{} = {}", a.name, value_label(&a.name, a.values[0])))
        .collect();
    let mut summary = format!("{} grid points over {}", t.rows.len(), t.input);
    if !fixed.is_empty() {
        summary.push_str(&format!("; fixed: {}", fixed.join(", ")));
    }
    Section {
        title: format!("Sweep {}", t.label),
        summary,
        columns: 2,
        charts,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::value_label;

    #[test]
    fn labels() {
        assert_eq!(value_label("kappa", 32768), "0.5");
        assert_eq!(value_label("kappa", 65535), "1");
        assert_eq!(value_label("yuma3", 1), "true");
        assert_eq!(value_label("max_allowed_validators", 64), "64");
    }
}
