//! The validation report: plain text for people, one JSON document (`yuma-validation/1`) for
//! tools. The JSON schema is documented in the README ("Validate what the chain paid").

use std::fmt::Write;

use super::{hints, FieldSummary, Mismatch, Report, Value};
use crate::json::{Compact, ObjectWriter};

impl Compact for Value {
    fn write_compact(&self, out: &mut String) {
        match self {
            Value::Bool(b) => b.write_compact(out),
            Value::Int(x) => x.write_compact(out),
            Value::Row(r) => r.write_compact(out),
        }
    }
}

/// The warnings of a report that passed without evidence.
pub fn warnings(r: &Report) -> Vec<String> {
    let mut w = Vec::new();
    if !r.compared_anything() {
        w.push("nothing was compared: every recorded field is null".to_string());
    }
    if r.fields.iter().any(|f| f.fitted) {
        w.push(
            "emission and server_emission were used to pin rao_emission (source.rao_emission = \
\"pinned\"): their agreement is fitted, not independent"
                .to_string(),
        );
    }
    w
}

/// One folder (or one snapshot/recorded pair) and what came of it.
#[derive(Clone, Debug)]
pub struct FolderOutcome {
    pub snapshot: String,
    pub recorded: String,
    /// The report, or the one-line error that stopped the comparison.
    pub result: Result<Report, String>,
}

impl FolderOutcome {
    /// `pass`, `fail` (some mismatch) or `error`.
    pub fn status(&self) -> &'static str {
        match &self.result {
            Ok(r) if r.passed() => "pass",
            Ok(_) => "fail",
            Err(_) => "error",
        }
    }
}

/// Everything `yuma validate` did in one run.
#[derive(Clone, Debug)]
pub struct ReportDocument {
    /// The engine that computed the epochs.
    pub backend: String,
    pub outcomes: Vec<FolderOutcome>,
}

fn mechanism_label(m: Option<usize>) -> String {
    m.map_or_else(|| "-".to_string(), |m| m.to_string())
}

fn field_label(m: &Mismatch) -> String {
    match m.target {
        Some(j) => format!("{}[{}][→{j}]", m.field, m.uid),
        None => m.field.to_string(),
    }
}

fn difference_text(m: &Mismatch) -> String {
    match m.difference() {
        Some(d) if d > 0 => format!("+{d}"),
        Some(d) => d.to_string(),
        None => String::new(),
    }
}

fn summary_note(f: &FieldSummary) -> &'static str {
    if !f.recorded {
        "not recorded"
    } else if f.fitted {
        "fitted, not independent"
    } else {
        ""
    }
}

/// The human report of one comparison, with at most `show` mismatch rows.
pub fn report_text(r: &Report, show: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "netuid {}, block {}, n = {}, {} mechanism{}",
        r.netuid,
        r.block,
        r.n,
        r.mechanisms,
        if r.mechanisms == 1 { "" } else { "s" }
    );
    if let Some(src) = &r.source {
        let _ = writeln!(s, "source: {}", serde_json::Value::Object(src.clone()));
    }
    if !r.skip_uids.is_empty() {
        let _ = writeln!(
            s,
            "skipped uids (changed by block B's own extrinsics): {}",
            r.skip_uids.compact()
        );
    }
    let _ = writeln!(
        s,
        "\n{:<18} {:>4} {:>9} {:>9} {:>7} {:>8}  note",
        "field", "mech", "compared", "equal", "differ", "skipped"
    );
    for f in &r.fields {
        let _ = writeln!(
            s,
            "{:<18} {:>4} {:>9} {:>9} {:>7} {:>8}  {}",
            f.field,
            mechanism_label(f.mechanism),
            f.compared,
            f.equal,
            f.differ,
            f.skipped,
            summary_note(f)
        );
    }
    if !r.mismatches.is_empty() {
        let shown = r.mismatches.len().min(show);
        let _ = writeln!(
            s,
            "\nmismatches ({shown} of {}{}):",
            r.mismatches.len(),
            if shown < r.mismatches.len() {
                "; all of them with --json FILE"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "{:>5} {:>4}  {:<22} {:>22} {:>22} {:>14}",
            "uid", "mech", "field", "chain", "yuma", "difference"
        );
        for m in &r.mismatches[..shown] {
            let _ = writeln!(
                s,
                "{:>5} {:>4}  {:<22} {:>22} {:>22} {:>14}",
                m.uid,
                mechanism_label(m.mechanism),
                field_label(m),
                m.chain.compact(),
                m.yuma.compact(),
                difference_text(m)
            );
        }
        let _ = writeln!(s, "\nhints:");
        for h in hints(r) {
            let _ = writeln!(s, "  - {h}");
        }
        let _ = writeln!(
            s,
            "  - `yuma explain SNAPSHOT --uid {}` shows every stage of the first differing uid.",
            r.mismatches[0].uid
        );
    }
    for w in warnings(r) {
        let _ = writeln!(s, "warning: {w}");
    }
    let compared: usize = r.fields.iter().map(|f| f.compared).sum();
    if r.passed() {
        let _ = writeln!(s, "\nequal: all {compared} compared values match the chain");
    } else {
        let fields = r.fields.iter().filter(|f| f.differ > 0).count();
        let _ = writeln!(
            s,
            "\nMISMATCH: {} differing values in {fields} field{} ({compared} compared)",
            r.mismatches.len(),
            if fields == 1 { "" } else { "s" }
        );
    }
    s
}

fn field_json(f: &FieldSummary) -> String {
    let mut w = ObjectWriter::compact();
    w.field("field", f.field)
        .field("mechanism", &f.mechanism)
        .field("recorded", &f.recorded)
        .field("compared", &f.compared)
        .field("equal", &f.equal)
        .field("differ", &f.differ)
        .field("skipped", &f.skipped)
        .field("fitted", &f.fitted);
    w.finish()
}

fn mismatch_json(m: &Mismatch) -> String {
    let mut w = ObjectWriter::compact();
    w.field("uid", &m.uid)
        .field("mechanism", &m.mechanism)
        .field("field", m.field)
        .field("target", &m.target)
        .field("chain", &m.chain)
        .field("yuma", &m.yuma)
        .raw(
            "difference",
            &m.difference()
                .map_or_else(|| "null".to_string(), |d| d.to_string()),
        );
    w.finish()
}

fn lines(items: Vec<String>, indent: &str) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    let close = &indent[..indent.len().saturating_sub(2)];
    format!(
        "[\n{indent}{}\n{close}]",
        items.join(&format!(",\n{indent}"))
    )
}

fn report_object(r: &Report) -> String {
    let mut w = ObjectWriter::pretty(8);
    let source = r.source.as_ref().map_or_else(
        || "null".to_string(),
        |s| serde_json::Value::Object(s.clone()).to_string(),
    );
    w.field("netuid", &r.netuid)
        .field("block", &r.block)
        .field("n", &r.n)
        .field("mechanisms", &r.mechanisms)
        .raw("source", &source)
        .field("skip_uids", &r.skip_uids)
        .raw(
            "fields",
            &lines(r.fields.iter().map(field_json).collect(), "          "),
        )
        .raw(
            "mismatches",
            &lines(
                r.mismatches.iter().map(mismatch_json).collect(),
                "          ",
            ),
        )
        .field("hints", &hints(r))
        .field("warnings", &warnings(r));
    w.finish()
}

/// The whole run as one `yuma-validation/1` document, with its trailing newline.
pub fn report_json(doc: &ReportDocument) -> String {
    let count = |s: &str| doc.outcomes.iter().filter(|o| o.status() == s).count();
    let folders: Vec<String> = doc
        .outcomes
        .iter()
        .map(|o| {
            let mut w = ObjectWriter::pretty(6);
            w.field("snapshot", &o.snapshot)
                .field("recorded", &o.recorded)
                .field("status", o.status());
            match &o.result {
                Ok(r) => w.raw("error", "null").raw("report", &report_object(r)),
                Err(e) => w.field("error", e).raw("report", "null"),
            };
            w.finish()
        })
        .collect();
    let mut w = ObjectWriter::pretty(2);
    w.field("format", "yuma-validation/1")
        .field("backend", &doc.backend)
        .field("passed", &count("pass"))
        .field("failed", &count("fail"))
        .field("errors", &count("error"))
        .raw("folders", &lines(folders, "    "));
    w.finish() + "\n"
}
