//! Parquet tables (`yuma::report::parquet`): every golden epoch written, read back with the
//! parquet crate's own reader and compared value by value; the column types are exact integers.

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt16Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use common::{golden_cases, read, temp_dir};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{ConvertedType, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use yuma::output::{parse_epoch, EpochOutput, EpochResult};
use yuma::report::parquet::{bonds_schema, epochs_schema, terms_schema, TableWriter};

/// One cell, typed as the tables hold them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Null,
    Bool(bool),
    U16(u16),
    U64(u64),
    I64(i64),
    Text(String),
}

/// Every row of a table file, as cells in schema order, and the schema's column names.
fn read_table(path: &Path) -> (Vec<String>, Vec<Vec<Cell>>) {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .build()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = Vec::new();
    let mut rows = Vec::new();
    for batch in reader {
        let batch: RecordBatch = batch.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        names = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let start = rows.len();
        rows.resize(start + batch.num_rows(), Vec::new());
        for col in batch.columns() {
            for (r, row) in rows[start..].iter_mut().enumerate() {
                row.push(cell(col.as_ref(), r));
            }
        }
    }
    (names, rows)
}

fn cell(col: &dyn Array, r: usize) -> Cell {
    use arrow_schema::DataType as D;
    if col.is_null(r) {
        return Cell::Null;
    }
    match col.data_type() {
        D::Boolean => Cell::Bool(col.as_boolean().value(r)),
        D::UInt16 => Cell::U16(col.as_primitive::<UInt16Type>().value(r)),
        D::UInt64 => Cell::U64(col.as_primitive::<UInt64Type>().value(r)),
        D::Int64 => Cell::I64(col.as_primitive::<Int64Type>().value(r)),
        D::Utf8 => Cell::Text(col.as_string::<i32>().value(r).to_string()),
        other => panic!("unexpected column type {other}"),
    }
}

/// The rows the tables must hold for one epoch, built from the epoch document directly.
#[derive(Default)]
struct Expected {
    terms: Vec<Vec<Cell>>,
    bonds: Vec<Vec<Cell>>,
    ema: Vec<Vec<Cell>>,
    epochs: Vec<Vec<Cell>>,
}

fn keys(source: &str, netuid: u16, block: u64, mech: Option<u16>) -> Vec<Cell> {
    vec![
        Cell::Text(source.to_string()),
        Cell::U16(netuid),
        Cell::U64(block),
        mech.map_or(Cell::Null, Cell::U16),
    ]
}

#[allow(clippy::too_many_arguments)]
fn term_rows(
    out: &mut Vec<Vec<Cell>>,
    key: &[Cell],
    n: u16,
    active: &[bool],
    stake: &[u16],
    stake_weight: &[u64],
    permit: &[bool],
    u16s: [&[u16]; 4],
    u64s: [&[u64]; 3],
    raw: Option<&EpochOutput>,
) {
    for uid in 0..usize::from(n) {
        let mut row = key.to_vec();
        row.push(Cell::U16(uid as u16));
        row.push(Cell::Bool(active[uid]));
        row.push(Cell::U16(stake[uid]));
        row.push(Cell::U64(stake_weight[uid]));
        row.push(Cell::Bool(permit[uid]));
        row.extend(u16s.iter().map(|v| Cell::U16(v[uid])));
        row.extend(u64s.iter().map(|v| Cell::U64(v[uid])));
        match raw {
            Some(e) => {
                let r = &e.raw;
                for v in [
                    &r.stake,
                    &r.active_stake,
                    &r.consensus,
                    &r.validator_trust,
                    &r.incentive,
                    &r.dividends,
                ] {
                    row.push(Cell::I64(v[uid]));
                }
            }
            None => row.extend(std::iter::repeat_n(Cell::Null, 6)),
        }
        out.push(row);
    }
}

fn single_terms(out: &mut Vec<Vec<Cell>>, key: &[Cell], e: &EpochOutput) {
    term_rows(
        out,
        key,
        e.n,
        &e.active,
        &e.stake,
        &e.stake_weight,
        &e.new_validator_permit,
        [&e.consensus, &e.validator_trust, &e.incentive, &e.dividend],
        [&e.server_emission, &e.validator_emission, &e.emission],
        Some(e),
    );
}

fn expected(source: &str, result: &EpochResult, x: &mut Expected) {
    let outputs = result.mechanism_outputs();
    match result {
        EpochResult::Single(e) => {
            single_terms(&mut x.terms, &keys(source, e.netuid, e.block, None), e);
            let mut row = keys(source, e.netuid, e.block, None);
            row.extend([Cell::U16(e.n), Cell::U16(1), Cell::Null, Cell::Null]);
            x.epochs.push(row);
        }
        EpochResult::Multi(m) => {
            term_rows(
                &mut x.terms,
                &keys(source, m.netuid, m.block, None),
                m.n,
                &m.active,
                &m.stake,
                &m.stake_weight,
                &m.new_validator_permit,
                [&m.consensus, &m.validator_trust, &m.incentive, &m.dividend],
                [&m.server_emission, &m.validator_emission, &m.emission],
                None,
            );
            let count = m.mechanisms.len() as u16;
            let mut row = keys(source, m.netuid, m.block, None);
            row.extend([Cell::U16(m.n), Cell::U16(count), Cell::Null, Cell::Null]);
            x.epochs.push(row);
            for (k, e) in m.mechanisms.iter().enumerate() {
                let key = keys(source, m.netuid, m.block, Some(k as u16));
                single_terms(&mut x.terms, &key, e);
                let mut row = key;
                row.extend([
                    Cell::U16(e.n),
                    Cell::U16(count),
                    Cell::U64(m.mechanism_emission[k]),
                    Cell::Text(m.mechanism_weight[k].to_string()),
                ]);
                x.epochs.push(row);
            }
        }
    }
    for (k, e) in outputs.iter().enumerate() {
        let key = keys(source, e.netuid, e.block, Some(k as u16));
        for (uid, row) in e.bonds.iter().enumerate() {
            for &(t, b) in row {
                let mut r = key.clone();
                r.extend([Cell::U16(uid as u16), Cell::U16(t), Cell::U16(b)]);
                x.bonds.push(r);
            }
        }
        for (uid, row) in e.raw.ema_bonds.iter().enumerate() {
            for &(t, b) in row {
                let mut r = key.clone();
                r.extend([Cell::U16(uid as u16), Cell::U16(t), Cell::I64(b)]);
                x.ema.push(r);
            }
        }
    }
}

/// Compares a table with the expected rows, naming table, row, source, uid and column.
fn compare(table: &str, names: &[String], got: &[Vec<Cell>], want: &[Vec<Cell>]) {
    assert_eq!(got.len(), want.len(), "{table}: row count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (c, (gv, wv)) in g.iter().zip(w).enumerate() {
            assert_eq!(
                gv,
                wv,
                "{table}: row {i} (source {:?}, mechanism {:?}, uid {:?}): column {}",
                w[0],
                w[3],
                w.get(4),
                names[c]
            );
        }
        assert_eq!(g.len(), w.len(), "{table}: row {i}: column count");
    }
}

#[test]
fn every_golden_round_trips_exactly() {
    let dir = temp_dir("parquet-goldens");
    let mut writer = TableWriter::create(&dir).expect("create tables");
    let mut want = Expected::default();
    let cases = golden_cases();
    assert!(
        cases.len() > 100,
        "expected the whole golden set, found {}",
        cases.len()
    );
    for (name, case) in &cases {
        let file = case.join("epoch.json");
        let result = parse_epoch(&read(&file), &file.display().to_string()).expect("golden epoch");
        writer.write(name, &result).expect("write epoch");
        expected(name, &result, &mut want);
    }
    let counts = writer.finish().expect("finish");
    let tables = [
        ("terms", &want.terms, terms_schema()),
        ("bonds", &want.bonds, bonds_schema(false)),
        ("ema_bonds", &want.ema, bonds_schema(true)),
        ("epochs", &want.epochs, epochs_schema()),
    ];
    for (k, (table, rows, schema)) in tables.into_iter().enumerate() {
        let path = dir.join(format!("{table}.parquet"));
        let (names, got) = read_table(&path);
        let schema_names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, schema_names, "{table}: columns");
        compare(table, &names, &got, rows);
        assert_eq!(counts[k], rows.len() as u64, "{table}: reported row count");
        assert!(
            !dir.join(format!(".{table}.parquet.tmp")).exists(),
            "{table}: temp file left"
        );
    }
}

/// The Parquet types a data tool sees: unsigned 16/64-bit integers stay unsigned and exact.
#[test]
fn columns_have_exact_integer_types() {
    let dir = temp_dir("parquet-types");
    let mut writer = TableWriter::create(&dir).expect("create tables");
    let file = common::golden("mechanisms/m3_split_yuma3_la").join("epoch.json");
    let result = parse_epoch(&read(&file), "m3").expect("golden epoch");
    writer.write("m3", &result).expect("write");
    writer.finish().expect("finish");
    let path = dir.join("terms.parquet");
    let reader = SerializedFileReader::new(File::open(&path).expect("open")).expect("parquet");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut seen = BTreeMap::new();
    for col in schema.columns() {
        seen.insert(
            col.name().to_string(),
            (col.physical_type(), col.converted_type()),
        );
    }
    let (u16_col, u64_col) = (
        (Physical::INT32, ConvertedType::UINT_16),
        (Physical::INT64, ConvertedType::UINT_64),
    );
    for name in [
        "netuid",
        "mechanism",
        "uid",
        "stake",
        "dividend",
        "incentive",
    ] {
        assert_eq!(seen[name], u16_col, "column {name}");
    }
    for name in ["block", "stake_weight", "emission", "server_emission"] {
        assert_eq!(seen[name], u64_col, "column {name}");
    }
    assert_eq!(
        seen["raw_dividends"],
        (Physical::INT64, ConvertedType::NONE)
    );
}

/// `yuma replay --parquet` and `yuma batch --parquet` write the same rows as
/// `yuma report --parquet` does from their output folders.
#[test]
fn commands_write_the_tables_of_their_outputs() {
    let yuma = env!("CARGO_BIN_EXE_yuma");
    let dir = temp_dir("parquet-cli");
    let run = |args: &[&str]| {
        let out = Command::new(yuma).args(args).output().expect("run yuma");
        assert!(
            out.status.success(),
            "yuma {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let seq = common::goldens_dir().join("sequences/seq_yuma3_la");
    let mechs = common::goldens_dir().join("mechanisms");
    let p = |x: &Path| x.to_str().expect("utf-8 path").to_string();
    let (replay, batch) = (dir.join("replay"), dir.join("batch"));
    run(&[
        "replay",
        &p(&seq),
        "-o",
        &p(&replay),
        "--backend",
        "cpu",
        "--parquet",
        &p(&dir.join("t-replay")),
    ]);
    run(&[
        "batch",
        &p(&mechs),
        "-o",
        &p(&batch),
        "--backend",
        "cpu",
        "--parquet",
        &p(&dir.join("t-batch")),
    ]);
    run(&[
        "report",
        &p(&replay),
        "--parquet",
        &p(&dir.join("r-replay")),
    ]);
    run(&["report", &p(&batch), "--parquet", &p(&dir.join("r-batch"))]);
    for (cmd, from_report) in [("t-replay", "r-replay"), ("t-batch", "r-batch")] {
        for table in ["terms", "bonds", "ema_bonds", "epochs"] {
            let f = format!("{table}.parquet");
            let (names, mut a) = read_table(&dir.join(cmd).join(&f));
            let (_, mut b) = read_table(&dir.join(from_report).join(&f));
            assert!(!a.is_empty(), "{cmd}/{f}: no rows");
            // The commands write in computation order, report in path order: compare as sets.
            a.sort();
            b.sort();
            compare(&format!("{cmd}/{f}"), &names, &a, &b);
        }
    }
}
