//! Metrics and validation reports as flat rows for Parquet (`records::write_records`).
//!
//! - metrics: the long form of `metrics_csv` (`netuid, block, scope, uid, metric`), with the
//!   value twice: `value` (float) and `integer` (exact u64, when the value is an integer, e.g. a
//!   total in rao), so no total loses precision;
//! - validation: one row per (folder, field) summary and one row per mismatch.

use serde_json::{json, Value};

use crate::analysis::metrics::{metrics_csv, SequenceMetrics};
use crate::validate::{FolderOutcome, ReportDocument, Value as Compared};

fn cell(text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    text.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(text))
}

/// One row per value of the metrics, in the order of `metrics_csv`.
pub fn metrics_rows(m: &SequenceMetrics) -> Vec<Value> {
    let csv = metrics_csv(m);
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(6, ',').collect();
            let [netuid, block, scope, uid, metric, value] = f.as_slice() else {
                return None;
            };
            let integer = value.parse::<u64>().ok();
            let float = value.parse::<f64>().ok();
            Some(json!({
                "netuid": cell(netuid),
                "block": cell(block),
                "scope": scope,
                "uid": cell(uid),
                "metric": metric,
                "value": float,
                "integer": integer,
            }))
        })
        .collect()
}

fn compared(v: &Compared) -> Value {
    match v {
        Compared::Bool(b) => json!(b),
        Compared::Int(x) => json!(x),
        Compared::Row(r) => json!(r),
    }
}

fn folder(o: &FolderOutcome) -> Value {
    json!({"snapshot": o.snapshot, "recorded": o.recorded, "status": o.status()})
}

/// `(fields, mismatches)` rows of a validation run: per folder and recorded field its counts;
/// per differing value its uid, mechanism, bonds column, both sides (integers, bools, or a row as
/// JSON text) and `yuma − chain` as text (exact, may be negative).
pub fn validation_rows(doc: &ReportDocument) -> (Vec<Value>, Vec<Value>) {
    let (mut fields, mut mismatches) = (Vec::new(), Vec::new());
    for o in &doc.outcomes {
        let Ok(r) = &o.result else {
            let mut row = folder(o);
            row["error"] = json!(o.result.as_ref().err());
            fields.push(row);
            continue;
        };
        for f in &r.fields {
            let mut row = folder(o);
            row["netuid"] = json!(r.netuid);
            row["block"] = json!(r.block);
            row["field"] = json!(f.field);
            row["mechanism"] = json!(f.mechanism);
            row["recorded_field"] = json!(f.recorded);
            row["compared"] = json!(f.compared);
            row["equal"] = json!(f.equal);
            row["differ"] = json!(f.differ);
            row["skipped"] = json!(f.skipped);
            row["fitted"] = json!(f.fitted);
            fields.push(row);
        }
        for m in &r.mismatches {
            let mut row = folder(o);
            row["netuid"] = json!(r.netuid);
            row["block"] = json!(r.block);
            row["uid"] = json!(m.uid);
            row["mechanism"] = json!(m.mechanism);
            row["field"] = json!(m.field);
            row["target"] = json!(m.target);
            row["chain"] = compared(&m.chain);
            row["yuma"] = compared(&m.yuma);
            row["difference"] = json!(m.difference().map(|d| d.to_string()));
            mismatches.push(row);
        }
    }
    (fields, mismatches)
}
