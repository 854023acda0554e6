//! Epoch results as Parquet tables, streamed: each epoch becomes record batches that the
//! writer gathers into row groups of at most [`ROW_GROUP_ROWS`] rows, so memory stays bounded
//! whatever the length of the history.
//!
//! A folder of four tables (schema in the README, "Reports and tables"):
//!
//! - `terms.parquet`: one row per (source, netuid, block, mechanism, uid) with the per-uid
//!   terms; `mechanism` is null on the subnet's row (the only row of a single-mechanism epoch,
//!   the aggregated terms of a multi-mechanism one) and m on mechanism m's own row. The `raw_*`
//!   I32F32 bits are null on aggregated rows (the chain keeps no raw aggregate).
//! - `bonds.parquet`: the stored bonds, one row per (source, netuid, block, mechanism, uid,
//!   target) in storage order; `mechanism` is 0 for a single-mechanism epoch.
//! - `ema_bonds.parquet`: the same keys with `raw`, the final bonds matrix's I32F32 bits
//!   (every row, before the u16 conversion).
//! - `epochs.parquet`: one row per (source, netuid, block, mechanism): `n`, the mechanism
//!   count, and per mechanism its `mechanism_emission` (rao) and `mechanism_weight` (U64F64 raw
//!   bits as a decimal string: they do not fit a u64).
//!
//! Integers keep their exact type: u16 → UINT_16, u64 → UINT_64, i64 → INT_64. `source` names
//! the epoch document (its path below the output folder) so that epochs of one netuid and block
//! from different runs stay apart. Files are written as `.NAME.tmp` and renamed by
//! [`TableWriter::finish`], so a table that exists is complete.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Int64Builder, StringBuilder, UInt16Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::ReportError;
use crate::output::{EpochOutput, EpochResult, MultiOutput, Rows};

/// Rows per row group (and the most rows a table holds in memory).
pub const ROW_GROUP_ROWS: usize = 1 << 17;

/// The table files, in the order [`TableWriter`] writes them.
pub const TABLES: [&str; 4] = ["terms", "bonds", "ema_bonds", "epochs"];

fn field(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

fn keys(mechanism_nullable: bool) -> Vec<Field> {
    vec![
        field("source", DataType::Utf8, false),
        field("netuid", DataType::UInt16, false),
        field("block", DataType::UInt64, false),
        field("mechanism", DataType::UInt16, mechanism_nullable),
    ]
}

/// `terms.parquet`.
pub fn terms_schema() -> SchemaRef {
    use DataType::{Boolean, Int64, UInt16, UInt64};
    let mut f = keys(true);
    f.push(field("uid", UInt16, false));
    f.push(field("active", Boolean, false));
    f.push(field("stake", UInt16, false));
    f.push(field("stake_weight", UInt64, false));
    f.push(field("new_validator_permit", Boolean, false));
    for name in ["consensus", "validator_trust", "incentive", "dividend"] {
        f.push(field(name, UInt16, false));
    }
    for name in ["server_emission", "validator_emission", "emission"] {
        f.push(field(name, UInt64, false));
    }
    for name in RAW_VECTORS {
        f.push(field(&format!("raw_{name}"), Int64, true));
    }
    Arc::new(Schema::new(f))
}

const RAW_VECTORS: [&str; 6] = [
    "stake",
    "active_stake",
    "consensus",
    "validator_trust",
    "incentive",
    "dividends",
];

/// `bonds.parquet` (`bond`: u16) or `ema_bonds.parquet` (`raw`: I32F32 bits).
pub fn bonds_schema(raw: bool) -> SchemaRef {
    let mut f = keys(false);
    f.push(field("uid", DataType::UInt16, false));
    f.push(field("target", DataType::UInt16, false));
    f.push(if raw {
        field("raw", DataType::Int64, false)
    } else {
        field("bond", DataType::UInt16, false)
    });
    Arc::new(Schema::new(f))
}

/// `epochs.parquet`.
pub fn epochs_schema() -> SchemaRef {
    let mut f = keys(true);
    f.push(field("n", DataType::UInt16, false));
    f.push(field("mechanisms", DataType::UInt16, false));
    f.push(field("mechanism_emission", DataType::UInt64, true));
    f.push(field("mechanism_weight", DataType::Utf8, true));
    Arc::new(Schema::new(f))
}

fn err(what: impl std::fmt::Display) -> ReportError {
    ReportError::new(what.to_string())
}

/// The key columns of one table being filled.
#[derive(Default)]
struct Keys {
    source: StringBuilder,
    netuid: UInt16Builder,
    block: UInt64Builder,
    mechanism: UInt16Builder,
}

impl Keys {
    fn push(&mut self, source: &str, netuid: u16, block: u64, mechanism: Option<u16>) {
        self.source.append_value(source);
        self.netuid.append_value(netuid);
        self.block.append_value(block);
        self.mechanism.append_option(mechanism);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.source.finish()),
            Arc::new(self.netuid.finish()),
            Arc::new(self.block.finish()),
            Arc::new(self.mechanism.finish()),
        ]
    }
}

/// The per-uid vectors of one row set, borrowed from an output.
struct Terms<'a> {
    netuid: u16,
    block: u64,
    n: u16,
    active: &'a [bool],
    stake: &'a [u16],
    stake_weight: &'a [u64],
    permit: &'a [bool],
    u16s: [&'a [u16]; 4],
    u64s: [&'a [u64]; 3],
    raw: Option<[&'a [i64]; 6]>,
}

impl<'a> Terms<'a> {
    fn single(e: &'a EpochOutput) -> Self {
        let r = &e.raw;
        Terms {
            netuid: e.netuid,
            block: e.block,
            n: e.n,
            active: &e.active,
            stake: &e.stake,
            stake_weight: &e.stake_weight,
            permit: &e.new_validator_permit,
            u16s: [&e.consensus, &e.validator_trust, &e.incentive, &e.dividend],
            u64s: [&e.server_emission, &e.validator_emission, &e.emission],
            raw: Some([
                &r.stake,
                &r.active_stake,
                &r.consensus,
                &r.validator_trust,
                &r.incentive,
                &r.dividends,
            ]),
        }
    }

    fn aggregate(m: &'a MultiOutput) -> Self {
        Terms {
            netuid: m.netuid,
            block: m.block,
            n: m.n,
            active: &m.active,
            stake: &m.stake,
            stake_weight: &m.stake_weight,
            permit: &m.new_validator_permit,
            u16s: [&m.consensus, &m.validator_trust, &m.incentive, &m.dividend],
            u64s: [&m.server_emission, &m.validator_emission, &m.emission],
            raw: None,
        }
    }

    /// Every vector has n entries, or an error naming the first that does not.
    fn check(&self, source: &str) -> Result<(), ReportError> {
        let n = usize::from(self.n);
        let mut lens = vec![
            ("active", self.active.len()),
            ("stake", self.stake.len()),
            ("stake_weight", self.stake_weight.len()),
            ("new_validator_permit", self.permit.len()),
        ];
        let names16 = ["consensus", "validator_trust", "incentive", "dividend"];
        lens.extend(names16.iter().zip(self.u16s).map(|(k, v)| (*k, v.len())));
        let names64 = ["server_emission", "validator_emission", "emission"];
        lens.extend(names64.iter().zip(self.u64s).map(|(k, v)| (*k, v.len())));
        if let Some(raw) = self.raw {
            lens.extend(RAW_VECTORS.iter().zip(raw).map(|(k, v)| (*k, v.len())));
        }
        match lens.into_iter().find(|&(_, len)| len != n) {
            Some((name, len)) => Err(err(format!(
                "{source}: field `{name}` has {len} entries, n = {n}"
            ))),
            None => Ok(()),
        }
    }
}

/// Builds the per-uid table's rows.
#[derive(Default)]
struct TermsRows {
    keys: Keys,
    uid: UInt16Builder,
    active: BooleanBuilder,
    stake: UInt16Builder,
    stake_weight: UInt64Builder,
    permit: BooleanBuilder,
    u16s: [UInt16Builder; 4],
    u64s: [UInt64Builder; 3],
    raw: [Int64Builder; 6],
}

impl TermsRows {
    fn push(&mut self, source: &str, mechanism: Option<u16>, t: &Terms<'_>) {
        for uid in 0..usize::from(t.n) {
            self.keys.push(source, t.netuid, t.block, mechanism);
            self.uid.append_value(uid as u16);
            self.active.append_value(t.active[uid]);
            self.stake.append_value(t.stake[uid]);
            self.stake_weight.append_value(t.stake_weight[uid]);
            self.permit.append_value(t.permit[uid]);
            for (b, v) in self.u16s.iter_mut().zip(t.u16s) {
                b.append_value(v[uid]);
            }
            for (b, v) in self.u64s.iter_mut().zip(t.u64s) {
                b.append_value(v[uid]);
            }
            for (k, b) in self.raw.iter_mut().enumerate() {
                b.append_option(t.raw.map(|r| r[k][uid]));
            }
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        let mut cols = self.keys.finish();
        cols.push(Arc::new(self.uid.finish()));
        cols.push(Arc::new(self.active.finish()));
        cols.push(Arc::new(self.stake.finish()));
        cols.push(Arc::new(self.stake_weight.finish()));
        cols.push(Arc::new(self.permit.finish()));
        cols.extend(
            self.u16s
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        cols.extend(
            self.u64s
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        cols.extend(
            self.raw
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        cols
    }
}

/// Builds a bonds table's rows (stored u16 bonds or raw I32F32 bits).
#[derive(Default)]
struct BondRows {
    keys: Keys,
    uid: UInt16Builder,
    target: UInt16Builder,
    bond: UInt16Builder,
    raw: Int64Builder,
}

impl BondRows {
    fn push<T: Copy>(
        &mut self,
        (source, netuid, block, mechanism): (&str, u16, u64, u16),
        rows: &Rows<T>,
        mut value: impl FnMut(&mut Self, T),
    ) {
        for (uid, row) in rows.iter().enumerate() {
            for &(target, v) in row {
                self.keys.push(source, netuid, block, Some(mechanism));
                self.uid.append_value(uid as u16);
                self.target.append_value(target);
                value(self, v);
            }
        }
    }

    fn finish(&mut self, raw: bool) -> Vec<ArrayRef> {
        let mut cols = self.keys.finish();
        cols.push(Arc::new(self.uid.finish()));
        cols.push(Arc::new(self.target.finish()));
        cols.push(if raw {
            Arc::new(self.raw.finish())
        } else {
            Arc::new(self.bond.finish())
        });
        cols
    }
}

/// Builds `epochs.parquet` rows.
#[derive(Default)]
struct EpochRows {
    keys: Keys,
    n: UInt16Builder,
    mechanisms: UInt16Builder,
    emission: UInt64Builder,
    weight: StringBuilder,
}

/// One table file being written.
struct Table {
    tmp: PathBuf,
    path: PathBuf,
    schema: SchemaRef,
    writer: Option<ArrowWriter<File>>,
    rows: u64,
}

impl Table {
    fn create(dir: &Path, name: &str, schema: SchemaRef) -> Result<Self, ReportError> {
        let path = dir.join(format!("{name}.parquet"));
        let tmp = dir.join(format!(".{name}.parquet.tmp"));
        let file =
            File::create(&tmp).map_err(|e| err(format!("{}: cannot write: {e}", tmp.display())))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("yuma {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| err(format!("{}: {e}", path.display())))?;
        Ok(Table {
            tmp,
            path,
            schema,
            writer: Some(writer),
            rows: 0,
        })
    }

    fn write(&mut self, columns: Vec<ArrayRef>) -> Result<(), ReportError> {
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| err(format!("{}: {e}", self.path.display())))?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.rows += batch.num_rows() as u64;
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| err("table already closed"))?;
        writer
            .write(&batch)
            .map_err(|e| err(format!("{}: cannot write: {e}", self.path.display())))
    }

    fn finish(&mut self) -> Result<u64, ReportError> {
        if let Some(writer) = self.writer.take() {
            writer
                .close()
                .map_err(|e| err(format!("{}: cannot write: {e}", self.path.display())))?;
            std::fs::rename(&self.tmp, &self.path)
                .map_err(|e| err(format!("{}: cannot write: {e}", self.path.display())))?;
        }
        Ok(self.rows)
    }
}

impl Drop for Table {
    /// A table that was not finished leaves no file behind.
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Rows written to each table, in [`TABLES`] order.
pub type RowCounts = [u64; 4];

/// Streams epoch results into the four tables of a folder.
pub struct TableWriter {
    tables: [Table; 4],
}

impl TableWriter {
    /// Creates `dir` (if missing) and starts the four tables in it.
    pub fn create(dir: &Path) -> Result<Self, ReportError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| err(format!("{}: cannot create: {e}", dir.display())))?;
        Ok(TableWriter {
            tables: [
                Table::create(dir, TABLES[0], terms_schema())?,
                Table::create(dir, TABLES[1], bonds_schema(false))?,
                Table::create(dir, TABLES[2], bonds_schema(true))?,
                Table::create(dir, TABLES[3], epochs_schema())?,
            ],
        })
    }

    /// Adds one epoch; `source` names it (e.g. its output path below the output folder).
    pub fn write(&mut self, source: &str, result: &EpochResult) -> Result<(), ReportError> {
        let mut terms = TermsRows::default();
        let mut epochs = EpochRows::default();
        let outputs = result.mechanism_outputs();
        let count = outputs.len() as u16;
        match result {
            EpochResult::Single(e) => {
                let t = Terms::single(e);
                t.check(source)?;
                terms.push(source, None, &t);
                epochs.keys.push(source, e.netuid, e.block, None);
                epochs.n.append_value(e.n);
                epochs.mechanisms.append_value(1);
                epochs.emission.append_null();
                epochs.weight.append_null();
            }
            EpochResult::Multi(m) => {
                let t = Terms::aggregate(m);
                t.check(source)?;
                terms.push(source, None, &t);
                epochs.keys.push(source, m.netuid, m.block, None);
                epochs.n.append_value(m.n);
                epochs.mechanisms.append_value(count);
                epochs.emission.append_null();
                epochs.weight.append_null();
                for (k, e) in m.mechanisms.iter().enumerate() {
                    let mech = format!("{source}: mechanisms[{k}]");
                    let t = Terms::single(e);
                    t.check(&mech)?;
                    terms.push(source, Some(k as u16), &t);
                    epochs.keys.push(source, m.netuid, m.block, Some(k as u16));
                    epochs.n.append_value(e.n);
                    epochs.mechanisms.append_value(count);
                    epochs
                        .emission
                        .append_option(m.mechanism_emission.get(k).copied());
                    epochs
                        .weight
                        .append_option(m.mechanism_weight.get(k).map(|w| w.to_string()));
                }
            }
        }
        let mut bonds = BondRows::default();
        let mut ema = BondRows::default();
        for (k, e) in outputs.iter().enumerate() {
            let key = (source, e.netuid, e.block, k as u16);
            bonds.push(key, &e.bonds, |r, b| r.bond.append_value(b));
            ema.push(key, &e.raw.ema_bonds, |r, b| r.raw.append_value(b));
        }
        let [t_terms, t_bonds, t_ema, t_epochs] = &mut self.tables;
        t_terms.write(terms.finish())?;
        t_bonds.write(bonds.finish(false))?;
        t_ema.write(ema.finish(true))?;
        let mut cols = epochs.keys.finish();
        cols.push(Arc::new(epochs.n.finish()));
        cols.push(Arc::new(epochs.mechanisms.finish()));
        cols.push(Arc::new(epochs.emission.finish()));
        cols.push(Arc::new(epochs.weight.finish()));
        t_epochs.write(cols)
    }

    /// Closes every table and moves it into place; the rows written to each.
    pub fn finish(mut self) -> Result<RowCounts, ReportError> {
        let mut counts = [0u64; 4];
        for (c, t) in counts.iter_mut().zip(self.tables.iter_mut()) {
            *c = t.finish()?;
        }
        Ok(counts)
    }
}
