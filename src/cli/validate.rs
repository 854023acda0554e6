//! `yuma validate`: did the chain pay what Yuma Consensus says? A snapshot's epoch against the
//! chain's recorded outputs (`yuma-recorded/1`), uid by uid.

use std::path::{Path, PathBuf};

use clap::Args;

use super::backend::{make_engine, Backend};
use super::progress::progress_bar;
use super::CliError;
use yuma::jobs::write_atomic;
use yuma::jobs::Shard;
use yuma::validate::{
    find_pairs, hints, report_json, report_text, validate_pairs, FolderOutcome, Pair, Report,
    ReportDocument,
};

/// Exit status when some compared value differs.
pub const EXIT_MISMATCH: i32 = 1;
/// Exit status for an error: bad input, unreadable file, a pair that is not the same epoch.
pub const EXIT_ERROR: i32 = 2;

/// Validate what the chain recorded against the epoch yuma computes.
///
/// `yuma validate SNAPSHOT RECORDED`: computes the epoch of SNAPSHOT (yuma-snapshot/1, the input
/// state of block B) and compares every recorded field of RECORDED (yuma-recorded/1, what the
/// chain stored at B) exactly. Prints a summary per field (compared, equal, differ, skipped
/// uids, not recorded), the per-uid mismatch table (uid, mechanism, field, chain, yuma,
/// difference; capped by --show, complete in --json) and hints read from the pattern of
/// differences.
///
/// `yuma validate DIR...`: searches each DIR recursively for folders holding both
/// snapshot.json and recorded.json and validates each folder on its own (not chained; use
/// `yuma replay DIR --check` for a chained history). One line per folder, then
/// `N passed, M failed`.
///
/// Exit status: 0 every compared value equal (also when nothing was recorded, with a warning);
/// 1 some mismatch; 2 an error (bad input, unreadable file, header or mechanism count not
/// matching). Over many folders: 2 if any folder errored, else 1 if any mismatched, else 0.
#[derive(Args)]
pub struct ValidateArgs {
    /// SNAPSHOT RECORDED (two files), or folders to search.
    #[arg(required = true, value_name = "SNAPSHOT RECORDED | DIR")]
    pub inputs: Vec<PathBuf>,
    /// Which engine computes the epochs.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Also write the whole report (every mismatch) as one yuma-validation/1 JSON document.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// How many mismatch rows to print (per folder when validating folders).
    #[arg(long, default_value_t = 20)]
    pub show: usize,
    /// Also write the report as Parquet tables into DIR: validation_fields.parquet (per folder
    /// and recorded field: compared, equal, differ, skipped) and validation_mismatches.parquet
    /// (one row per differing value).
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// Validate only share I of N of the folders (positions ≡ I mod N of the sorted list), so N
    /// jobs (Slurm or Kubernetes array tasks) split a history with no coordination.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
}

/// Two paths, neither a folder: the `SNAPSHOT RECORDED` form (a missing file is then reported
/// by name when it is read).
fn is_pair(inputs: &[PathBuf]) -> bool {
    inputs.len() == 2 && inputs.iter().all(|p| !p.is_dir())
}

fn pairs_of(inputs: &[PathBuf]) -> Result<Vec<Pair>, CliError> {
    let usage = || {
        CliError::with_code(
            "give SNAPSHOT RECORDED (two files) or folders holding snapshot.json and recorded.json",
            EXIT_ERROR,
        )
    };
    if is_pair(inputs) {
        return Ok(vec![Pair {
            snapshot: inputs[0].clone(),
            recorded: inputs[1].clone(),
        }]);
    }
    let mut pairs = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            if input.exists() {
                return Err(usage());
            }
            return Err(CliError::with_code(
                format!("{}: no such file or folder", input.display()),
                EXIT_ERROR,
            ));
        }
        let found = find_pairs(input).map_err(|e| CliError::with_code(e, EXIT_ERROR))?;
        if found.is_empty() {
            return Err(CliError::with_code(
                format!(
                    "{}: no folder below it holds both snapshot.json and recorded.json",
                    input.display()
                ),
                EXIT_ERROR,
            ));
        }
        pairs.extend(found);
    }
    Ok(pairs)
}

/// The folder a pair lives in, for the one-line verdicts.
fn folder_of(o: &FolderOutcome) -> String {
    Path::new(&o.snapshot)
        .parent()
        .map_or_else(|| o.snapshot.clone(), |p| p.display().to_string())
}

fn one_line(o: &FolderOutcome, show: usize) {
    match &o.result {
        Ok(r) if r.passed() => {
            let note = if r.compared_anything() {
                ""
            } else {
                " (warning: nothing was compared)"
            };
            say!("pass {}{note}", folder_of(o));
        }
        Ok(r) => {
            let k = r.mismatches.len();
            say!(
                "FAIL {} ({k} mismatch{})",
                folder_of(o),
                if k == 1 { "" } else { "es" }
            );
            failing_detail(r, show);
        }
        Err(e) => say!("ERROR {e}"),
    }
}

fn failing_detail(r: &Report, show: usize) {
    for m in r.mismatches.iter().take(show.min(5)) {
        let mech = m
            .mechanism
            .map(|m| format!(" mechanism {m}"))
            .unwrap_or_default();
        let target = m.target.map(|j| format!(" → {j}")).unwrap_or_default();
        say!(
            "    uid {}{mech}: {}{target}: chain {} yuma {}",
            m.uid,
            m.field,
            yuma::json::Compact::compact(&m.chain),
            yuma::json::Compact::compact(&m.yuma)
        );
    }
    if let Some(h) = hints(r).first() {
        say!("    hint: {h}");
    }
}

pub fn run(a: ValidateArgs) -> Result<(), CliError> {
    let mut pairs = pairs_of(&a.inputs)?;
    if let Some(shard) = a.shard {
        pairs = shard.take(pairs);
    }
    let mut engine =
        make_engine(a.backend).map_err(|e| CliError::with_code(e.to_string(), EXIT_ERROR))?;
    let single = is_pair(&a.inputs);
    let bar = progress_bar(pairs.len() as u64, "folders");
    let outcomes = validate_pairs(&pairs, engine.as_mut(), |o| {
        if !single {
            bar.suspend(|| one_line(o, a.show));
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    if single {
        match &outcomes[0].result {
            Ok(r) => print!("{}", report_text(r, a.show)),
            Err(e) => {
                return Err(CliError::with_code(e.clone(), EXIT_ERROR));
            }
        }
    }
    let doc = ReportDocument {
        backend: engine.name(),
        outcomes,
    };
    if let Some(path) = &a.json {
        write_atomic(path, &report_json(&doc)).map_err(|e| CliError::with_code(e, EXIT_ERROR))?;
    }
    if let Some(dir) = &a.parquet {
        write_parquet(dir, &doc).map_err(|e| CliError::with_code(e, EXIT_ERROR))?;
    }
    let count = |s: &str| doc.outcomes.iter().filter(|o| o.status() == s).count();
    let (passed, failed, errors) = (count("pass"), count("fail"), count("error"));
    if !single {
        say!("{passed} passed, {} failed", failed + errors);
    }
    if errors > 0 {
        Err(CliError::with_code(
            format!(
                "{errors} of {} folders could not be validated",
                doc.outcomes.len()
            ),
            EXIT_ERROR,
        ))
    } else if failed > 0 {
        Err(CliError::with_code(
            if single {
                "the recorded values differ from the computed epoch".to_string()
            } else {
                format!(
                    "{failed} of {} folders differ from the chain",
                    doc.outcomes.len()
                )
            },
            EXIT_MISMATCH,
        ))
    } else {
        Ok(())
    }
}

/// `--parquet DIR`: the report's two tables.
fn write_parquet(dir: &Path, doc: &ReportDocument) -> Result<(), String> {
    let (fields, mismatches) = yuma::report::metrics_table::validation_rows(doc);
    for (name, rows) in [
        ("validation_fields.parquet", fields),
        ("validation_mismatches.parquet", mismatches),
    ] {
        yuma::report::records::write_records(&dir.join(name), &rows).map_err(|e| e.to_string())?;
    }
    Ok(())
}
