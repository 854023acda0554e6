//! `yuma-trace/1`: every intermediate stage of an epoch, labelled as the chain logs it.

use crate::fixed::{bits, bits_64, sparse_bits, SparseRow, I32F32, I64F64};
use crate::json::Compact;

/// The stages of one mechanism's epoch: `(label, compact JSON value)` in the chain's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub stages: Vec<(String, String)>,
}

impl Trace {
    /// Records a value that is already plain JSON (bools, u16, u64 vectors and scalars).
    pub fn plain<T: Compact + ?Sized>(&mut self, label: &str, value: &T) {
        self.stages.push((label.to_string(), value.compact()));
    }

    /// Records an I32F32 vector as raw bits.
    pub fn fixed(&mut self, label: &str, value: &[I32F32]) {
        self.plain(label, &bits(value));
    }

    /// Records an I64F64 vector as decimal strings of its raw bits.
    pub fn fixed64(&mut self, label: &str, value: &[I64F64]) {
        self.plain(label, &bits_64(value));
    }

    /// Records a sparse I32F32 matrix as `[[[uid, raw], …], …]`.
    pub fn sparse(&mut self, label: &str, value: &[SparseRow]) {
        self.plain(label, &sparse_bits(value));
    }

    /// Records a dense I32F32 matrix as `[[raw, …], …]`.
    pub fn dense(&mut self, label: &str, value: &[Vec<I32F32>]) {
        let rows: Vec<Vec<i64>> = value.iter().map(|r| bits(r)).collect();
        self.plain(label, &rows);
    }
}

/// Records into the trace when one is being kept; a no-op otherwise.
pub(crate) fn record(trace: &mut Option<&mut Trace>, f: impl FnOnce(&mut Trace)) {
    if let Some(t) = trace.as_deref_mut() {
        f(t);
    }
}

/// The `yuma-trace/1` document: the epoch (compact) and every mechanism's stages.
pub fn trace_json(result: &crate::output::EpochResult, traces: &[Trace]) -> String {
    use crate::output::{result_json, EpochResult};
    let stage_lines = |t: &Trace, indent: &str| -> String {
        t.stages
            .iter()
            .map(|(label, value)| {
                format!(
                    "{indent}{{\"stage\": {}, \"value\": {value}}}",
                    label.compact()
                )
            })
            .collect::<Vec<_>>()
            .join(",\n")
    };
    let (netuid, block, n) = match result {
        EpochResult::Single(e) => (e.netuid, e.block, e.n),
        EpochResult::Multi(m) => (m.netuid, m.block, m.n),
    };
    let mut out = format!(
        "{{\n  \"format\": \"yuma-trace/1\",\n  \"netuid\": {netuid},\n  \"block\": {block},\n  \"n\": {n},\n  \"epoch\": {},\n",
        result_json(result, true)
    );
    match result {
        EpochResult::Single(_) => {
            out += &format!(
                "  \"stages\": [\n{}\n  ]\n}}\n",
                stage_lines(&traces[0], "    ")
            );
        }
        EpochResult::Multi(m) => {
            let items: Vec<String> = traces
                .iter()
                .zip(&m.mechanism_emission)
                .enumerate()
                .map(|(i, (t, e))| {
                    format!(
                        "    {{\"mechanism\": {i}, \"rao_emission\": {e}, \"stages\": [\n{}\n    ]}}",
                        stage_lines(t, "      ")
                    )
                })
                .collect();
            out += &format!("  \"mechanisms\": [\n{}\n  ]\n}}\n", items.join(",\n"));
        }
    }
    out
}
