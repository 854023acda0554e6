//! `--parquet` on validate, metrics, scenario and sweep: the tables exist, have the rows the
//! JSON documents have, and keep integers exact.

mod common;

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use arrow_array::{Array, RecordBatch};
use common::{golden, path_str as s, temp_dir, yuma};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn table(path: &Path) -> Vec<RecordBatch> {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches")
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> &'a dyn Array {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_ref()
}

#[test]
fn validate_writes_its_fields_and_mismatches() {
    let tmp = temp_dir("pq-validate");
    let dir = tmp.join("case");
    std::fs::create_dir_all(&dir).unwrap();
    let case = golden("mechanisms/m3_split_yuma3_la");
    std::fs::copy(case.join("snapshot.json"), dir.join("snapshot.json")).unwrap();
    let rec = dir.join("recorded.json");
    let o = yuma(&[
        "epoch",
        s(&dir.join("snapshot.json")),
        "--backend",
        "cpu",
        "-o",
        "/dev/null",
        "--recorded",
        s(&rec),
    ]);
    assert!(o.status.success());
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let e = v["emission"][1].as_u64().unwrap();
    v["emission"][1] = serde_json::json!(e + 5);
    std::fs::write(&rec, v.to_string()).unwrap();
    let out = tmp.join("pq");
    let o = yuma(&[
        "validate",
        s(&tmp),
        "--backend",
        "cpu",
        "--parquet",
        s(&out),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let fields = table(&out.join("validation_fields.parquet"));
    assert_eq!(rows(&fields), 7 + 3 * 3, "one row per recorded field");
    let mism = table(&out.join("validation_mismatches.parquet"));
    assert_eq!(rows(&mism), 1);
    let b = &mism[0];
    assert_eq!(column(b, "field").as_string::<i32>().value(0), "emission");
    assert_eq!(column(b, "uid").as_primitive::<UInt64Type>().value(0), 1);
    assert_eq!(
        column(b, "chain").as_primitive::<UInt64Type>().value(0),
        e + 5
    );
    assert_eq!(column(b, "difference").as_string::<i32>().value(0), "-5");
}

#[test]
fn metrics_scenario_and_sweep_write_tables() {
    let tmp = temp_dir("pq-analysis");
    let run = tmp.join("run");
    let o = yuma(&[
        "scenario",
        "honest_baseline",
        "-o",
        s(&run),
        "--epochs",
        "4",
        "--backend",
        "cpu",
        "--parquet",
        s(&tmp.join("scenario_pq")),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for t in ["terms", "bonds", "epochs"] {
        assert!(
            rows(&table(
                &tmp.join("scenario_pq").join(format!("{t}.parquet"))
            )) > 0,
            "{t}"
        );
    }
    let mcsv = tmp.join("m.csv");
    let o = yuma(&[
        "metrics",
        s(&run),
        "--format",
        "csv",
        "-o",
        s(&mcsv),
        "--parquet",
        s(&tmp.join("m.parquet")),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv_rows = std::fs::read_to_string(&mcsv).unwrap().lines().count() - 1;
    let m = table(&tmp.join("m.parquet"));
    assert_eq!(rows(&m), csv_rows, "one Parquet row per CSV value");
    // Totals stay exact in `integer`.
    let text = std::fs::read_to_string(&mcsv).unwrap();
    let total: u64 = text
        .lines()
        .find(|l| l.contains(",emission,,total,"))
        .and_then(|l| l.rsplit(',').next())
        .and_then(|v| v.parse().ok())
        .expect("an emission total");
    let found = m.iter().any(|b| {
        let ints = column(b, "integer").as_primitive::<UInt64Type>();
        (0..b.num_rows()).any(|i| ints.is_valid(i) && ints.value(i) == total)
    });
    assert!(found, "the exact total {total} is in the table");
    let snap = tmp.join("g.json");
    assert!(yuma(&[
        "gen",
        "--n",
        "64",
        "--validators",
        "8",
        "--seed",
        "2",
        "-o",
        s(&snap)
    ])
    .status
    .success());
    let o = yuma(&[
        "sweep",
        s(&snap),
        "--set",
        "kappa=0.3:0.5:0.1",
        "--set",
        "yuma3=false,true",
        "-o",
        s(&tmp.join("sw")),
        "--backend",
        "cpu",
        "--parquet",
        s(&tmp.join("sw.parquet")),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(rows(&table(&tmp.join("sw.parquet"))), 6);
}
