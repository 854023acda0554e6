//! `yuma explain` output: plain text for people, `yuma-explain/1` JSON for tools (schema in the
//! README).

use std::fmt::Write;

use super::{BondEntry, Explanation, Item, Raw};
use crate::json::{Compact, ObjectWriter};

/// I32F32 bits as a decimal for people (exact bits are in the JSON).
fn fixed_text(bits: i64) -> String {
    format!("{:.9}", bits as f64 / 4_294_967_296.0)
}

fn raw_text(r: &Raw) -> String {
    match r {
        Raw::Fixed(b) => fixed_text(*b),
        Raw::Fixed64(b) => format!("{:.9}", *b as f64 / 18_446_744_073_709_551_616.0),
        Raw::Int(x) => x.to_string(),
        Raw::Bool(b) => b.to_string(),
    }
}

fn opt_fixed(x: Option<i64>) -> String {
    x.map_or_else(|| "-".to_string(), fixed_text)
}

/// Most rows of a list printed as text; the JSON has all of them.
const TEXT_ROWS: usize = 40;

fn more(s: &mut String, total: usize) {
    if total > TEXT_ROWS {
        let _ = writeln!(
            s,
            "  … {} more (all of them with --json)",
            total - TEXT_ROWS
        );
    }
}

fn bonds_table(s: &mut String, title: &str, entries: &[BondEntry], liquid: bool) {
    let _ = writeln!(s, "\n{title}: {} entries", entries.len());
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "  {:>9} {:>6} {:>7} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "validator",
        "miner",
        "stored",
        "masked",
        "w_for_bonds",
        if liquid { "alpha" } else { "" },
        "ema",
        "after"
    );
    for b in entries.iter().take(TEXT_ROWS) {
        let _ = writeln!(
            s,
            "  {:>9} {:>6} {:>7} {:>12} {:>12} {:>12} {:>12} {:>7}",
            b.validator,
            b.miner,
            b.stored.map_or_else(|| "-".to_string(), |x| x.to_string()),
            opt_fixed(b.masked),
            opt_fixed(b.weight_for_bonds),
            if liquid {
                opt_fixed(b.alpha)
            } else {
                String::new()
            },
            opt_fixed(b.ema),
            b.stored_after
                .map_or_else(|| "-".to_string(), |x| x.to_string()),
        );
    }
    more(s, entries.len());
}

/// The explanation as text: sections of labelled numbers, each with its stage in brackets,
/// then the weight and bond tables.
pub fn explain_text(e: &Explanation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "uid {} of netuid {} at block {} (n = {}), mechanism {} of {}; {}{}; rao_emission {} (this mechanism)",
        e.uid,
        e.netuid,
        e.block,
        e.n,
        e.mechanism,
        e.mechanisms,
        if e.yuma3 { "Yuma 3" } else { "Yuma 2" },
        if e.liquid_alpha { " with liquid alpha" } else { "" },
        e.rao_emission
    );
    let mut section = "";
    for it in &e.items {
        if it.section != section {
            section = it.section;
            let _ = writeln!(s, "\n{section}");
        }
        let _ = writeln!(
            s,
            "  {:<58} {:>22}  [{}]",
            it.name,
            raw_text(&it.raw),
            it.stage.unwrap_or("derived from hyperparams")
        );
    }
    let removed = e
        .weights_in
        .iter()
        .filter(|w| w.removed_by.is_some())
        .count();
    let _ = writeln!(
        s,
        "\nweights it receives (column {}): {} entries, {removed} removed by a mask  [Weights … Weights (mask+norm), Clipped Weights]",
        e.uid,
        e.weights_in.len()
    );
    if !e.weights_in.is_empty() {
        let _ = writeln!(
            s,
            "  {:>9} {:>12} {:>7} {:>12} {:>12} {:>12}  removed by",
            "validator", "active stake", "stored", "normalized", "clipped", "clipped off"
        );
    }
    for w in e.weights_in.iter().take(TEXT_ROWS) {
        let off = match (w.normalized, w.clipped) {
            (Some(n), Some(c)) => fixed_text(n.wrapping_sub(c)),
            (Some(n), None) => fixed_text(n),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "  {:>9} {:>12} {:>7} {:>12} {:>12} {:>12}  {}",
            w.validator,
            fixed_text(w.validator_active_stake),
            w.stored >> 32,
            opt_fixed(w.normalized),
            opt_fixed(w.clipped),
            off,
            w.removed_by.unwrap_or("")
        );
    }
    more(&mut s, e.weights_in.len());
    let _ = writeln!(
        s,
        "\nweights it sets (row {}): {} entries  [Weights (mask+norm), Clipped Weights, Consensus]",
        e.uid,
        e.weights_out.len()
    );
    if !e.weights_out.is_empty() {
        let _ = writeln!(
            s,
            "  {:>6} {:>12} {:>12} {:>12}",
            "miner", "normalized", "clipped", "consensus"
        );
    }
    for w in e.weights_out.iter().take(TEXT_ROWS) {
        let _ = writeln!(
            s,
            "  {:>6} {:>12} {:>12} {:>12}",
            w.miner,
            fixed_text(w.normalized),
            opt_fixed(w.clipped),
            fixed_text(w.consensus)
        );
    }
    more(&mut s, e.weights_out.len());
    let mask = if e.yuma3 {
        "Bonds: (mask)"
    } else {
        "B (outdatedmask)"
    };
    let stages = format!(
        "[{mask}, yuma: weights_for_bonds,{} yuma: ema_bonds final]",
        if e.liquid_alpha { " alphas," } else { "" }
    );
    bonds_table(
        &mut s,
        &format!("bonds it holds (row {}) {stages}", e.uid),
        &e.bonds_held,
        e.liquid_alpha,
    );
    bonds_table(
        &mut s,
        &format!("bonds it receives (column {}) {stages}", e.uid),
        &e.bonds_received,
        e.liquid_alpha,
    );
    s
}

impl Compact for Raw {
    fn write_compact(&self, out: &mut String) {
        match self {
            Raw::Fixed(b) => b.write_compact(out),
            Raw::Fixed64(b) => b.write_compact(out),
            Raw::Int(x) => x.write_compact(out),
            Raw::Bool(b) => b.write_compact(out),
        }
    }
}

fn kind(r: &Raw) -> &'static str {
    match r {
        Raw::Fixed(_) => "i32f32",
        Raw::Fixed64(_) => "i64f64",
        Raw::Int(_) => "int",
        Raw::Bool(_) => "bool",
    }
}

fn item_json(it: &Item) -> String {
    let mut w = ObjectWriter::compact();
    w.field("section", it.section)
        .field("name", it.name)
        .field("stage", &it.stage.map(str::to_string))
        .field("kind", kind(&it.raw))
        .field("raw", &it.raw);
    w.finish()
}

fn bond_json(b: &BondEntry) -> String {
    let mut w = ObjectWriter::compact();
    w.field("validator", &b.validator)
        .field("miner", &b.miner)
        .field("stored", &b.stored)
        .field("masked", &b.masked)
        .field("weight_for_bonds", &b.weight_for_bonds)
        .field("alpha", &b.alpha)
        .field("ema", &b.ema)
        .field("stored_after", &b.stored_after);
    w.finish()
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n    {}\n  ]", items.join(",\n    "))
    }
}

/// The explanation as one `yuma-explain/1` document, with its trailing newline. Fixed-point
/// values are raw bits: I32F32 as integers (value × 2^32), I64F64 as decimal strings
/// (value × 2^64), as in `yuma-trace/1`.
pub fn explain_json(e: &Explanation) -> String {
    let mut w = ObjectWriter::pretty(2);
    w.field("format", "yuma-explain/1")
        .field("netuid", &e.netuid)
        .field("block", &e.block)
        .field("n", &e.n)
        .field("uid", &e.uid)
        .field("mechanism", &e.mechanism)
        .field("mechanisms", &e.mechanisms)
        .field("yuma3", &e.yuma3)
        .field("liquid_alpha", &e.liquid_alpha)
        .field("rao_emission", &e.rao_emission)
        .raw("items", &list(e.items.iter().map(item_json).collect()))
        .raw(
            "weights_in",
            &list(
                e.weights_in
                    .iter()
                    .map(|x| {
                        let mut o = ObjectWriter::compact();
                        o.field("validator", &x.validator)
                            .field("occurrence", &x.occurrence)
                            .field("stored", &x.stored)
                            .field("removed_by", &x.removed_by.map(str::to_string))
                            .field("normalized", &x.normalized)
                            .field("clipped", &x.clipped)
                            .field("validator_active_stake", &x.validator_active_stake);
                        o.finish()
                    })
                    .collect(),
            ),
        )
        .raw(
            "weights_out",
            &list(
                e.weights_out
                    .iter()
                    .map(|x| {
                        let mut o = ObjectWriter::compact();
                        o.field("miner", &x.miner)
                            .field("normalized", &x.normalized)
                            .field("clipped", &x.clipped)
                            .field("consensus", &x.consensus);
                        o.finish()
                    })
                    .collect(),
            ),
        )
        .raw(
            "bonds_held",
            &list(e.bonds_held.iter().map(bond_json).collect()),
        )
        .raw(
            "bonds_received",
            &list(e.bonds_received.iter().map(bond_json).collect()),
        );
    w.finish() + "\n"
}
