//! Flat JSON records (rows of a `yuma sweep` table, metrics rows) as one Parquet table.
//!
//! Nested objects flatten into `parent.child` columns (`params.kappa`). A column's type comes
//! from all its values: every non-null value a JSON integer ≥ 0 → UINT_64, else every value an
//! integer → INT_64, else integers → their decimal text (exact), else numbers → DOUBLE, booleans → BOOLEAN, anything else → its JSON text
//! as a string; null (or a missing key) → a null cell.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use serde_json::{Map, Value};

use super::ReportError;

fn flatten(prefix: &str, obj: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (k, v) in obj {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten(&name, inner, out),
            other => out.push((name, other.clone())),
        }
    }
}

fn column_type(values: &[Option<&Value>]) -> DataType {
    let present: Vec<&Value> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| !v.is_null())
        .collect();
    if present.iter().all(|v| v.is_u64()) {
        DataType::UInt64
    } else if present.iter().all(|v| v.as_i64().is_some()) {
        DataType::Int64
    } else if present.iter().all(|v| v.is_i64() || v.is_u64()) {
        // Integers that fit neither i64 nor u64 together: exact decimal strings.
        DataType::Utf8
    } else if present.iter().all(|v| v.is_number()) {
        DataType::Float64
    } else if present.iter().all(|v| v.is_boolean()) {
        DataType::Boolean
    } else {
        DataType::Utf8
    }
}

fn column(t: &DataType, values: &[Option<&Value>]) -> ArrayRef {
    let cells = values.iter().map(|v| v.filter(|v| !v.is_null()));
    match t {
        DataType::UInt64 => {
            let mut b = UInt64Builder::new();
            cells.for_each(|v| b.append_option(v.and_then(Value::as_u64)));
            Arc::new(b.finish())
        }
        DataType::Int64 => {
            let mut b = Int64Builder::new();
            cells.for_each(|v| b.append_option(v.and_then(Value::as_i64)));
            Arc::new(b.finish())
        }
        DataType::Float64 => {
            let mut b = Float64Builder::new();
            cells.for_each(|v| b.append_option(v.and_then(Value::as_f64)));
            Arc::new(b.finish())
        }
        DataType::Boolean => {
            let mut b = BooleanBuilder::new();
            cells.for_each(|v| b.append_option(v.and_then(Value::as_bool)));
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::new();
            cells.for_each(|v| {
                b.append_option(v.map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }))
            });
            Arc::new(b.finish())
        }
    }
}

/// Writes `rows` (JSON objects) to `path` as one table, through `.NAME.tmp` and a rename;
/// the number of rows.
pub fn write_records(path: &Path, rows: &[Value]) -> Result<usize, ReportError> {
    let err = |e: &dyn std::fmt::Display| ReportError::new(format!("{}: {e}", path.display()));
    let mut names: Vec<String> = Vec::new();
    let mut flat: Vec<Vec<(String, Value)>> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let obj = row
            .as_object()
            .ok_or_else(|| err(&format!("row {i} is not an object")))?;
        let mut cells = Vec::new();
        flatten("", obj, &mut cells);
        for (k, _) in &cells {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
        flat.push(cells);
    }
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for name in &names {
        let values: Vec<Option<&Value>> = flat
            .iter()
            .map(|cells| cells.iter().find(|(k, _)| k == name).map(|(_, v)| v))
            .collect();
        let t = column_type(&values);
        fields.push(Field::new(name, t.clone(), true));
        columns.push(column(&t, &values));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| err(&e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let written = (|| -> Result<(), ReportError> {
        let file = File::create(&tmp).map_err(|e| err(&e))?;
        let mut writer = ArrowWriter::try_new(file, schema, None).map_err(|e| err(&e))?;
        writer.write(&batch).map_err(|e| err(&e))?;
        writer.close().map_err(|e| err(&e))?;
        std::fs::rename(&tmp, path).map_err(|e| err(&e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_values() {
        let v = |j: &str| serde_json::from_str::<Value>(j).unwrap();
        let (a, b, c) = (v("1"), v("-1"), v("0.5"));
        assert_eq!(column_type(&[Some(&a), None]), DataType::UInt64);
        assert_eq!(column_type(&[Some(&a), Some(&b)]), DataType::Int64);
        assert_eq!(column_type(&[Some(&a), Some(&c)]), DataType::Float64);
        let big = v("18446744073709551615");
        assert_eq!(column_type(&[Some(&big), Some(&b)]), DataType::Utf8);
    }
}
