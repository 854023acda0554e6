//! `yuma explain` agrees with the epoch's trace: on every golden that has a trace.json (the
//! chain's own stage values), every number an explanation gives equals element U, row U or
//! column U of the stage it names — for every uid and every mechanism.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use yuma::explain::{explain, explain_json, Raw};

fn stages_of(trace: &Value, m: usize) -> Vec<(String, Value)> {
    let list = match trace.get("mechanisms") {
        Some(ms) => &ms[m]["stages"],
        None => &trace["stages"],
    };
    list.as_array()
        .expect("stages")
        .iter()
        .map(|s| (s["stage"].as_str().unwrap().to_string(), s["value"].clone()))
        .collect()
}

fn stage<'a>(stages: &'a [(String, Value)], label: &str) -> Option<&'a Value> {
    stages.iter().find(|(l, _)| l == label).map(|(_, v)| v)
}

fn raw_json(r: &Raw) -> Value {
    match r {
        Raw::Fixed(b) => Value::from(*b),
        Raw::Fixed64(b) => Value::from(b.to_string()),
        Raw::Int(x) => Value::from(*x),
        Raw::Bool(b) => Value::from(*b),
    }
}

/// The first entry of column `j` in row `i` of a sparse stage.
fn sparse(v: &Value, i: usize, j: u16) -> Option<i64> {
    v[i].as_array()?
        .iter()
        .find(|e| e[0].as_u64() == Some(u64::from(j)))
        .and_then(|e| e[1].as_i64())
}

fn check_case(name: &str, dir: &Path, failures: &mut Vec<String>) {
    let snapshot = common::load_snapshot(dir);
    let trace: Value = serde_json::from_str(&common::read(&dir.join("trace.json"))).unwrap();
    for m in 0..snapshot.mechanisms.len() {
        let st = stages_of(&trace, m);
        for uid in 0..snapshot.n {
            let u = usize::from(uid);
            let e = explain(&snapshot, uid, m).unwrap_or_else(|err| panic!("{name}: {err}"));
            let mut fail =
                |what: String| failures.push(format!("{name} mechanism {m} uid {uid}: {what}"));
            for it in &e.items {
                let Some(label) = it.stage else { continue };
                let Some(v) = stage(&st, label) else {
                    if !matches!(it.section, "output" | "subnet") {
                        fail(format!("stage `{label}` is not in the trace"));
                    }
                    continue;
                };
                let expected = if v.is_array() { &v[u] } else { v };
                if *expected != raw_json(&it.raw) {
                    fail(format!(
                        "{} [{label}]: trace {expected} explain {:?}",
                        it.name, it.raw
                    ));
                }
            }
            let read = stage(&st, "Weights").unwrap();
            let norm = stage(&st, "Weights (mask+norm)").unwrap();
            for w in &e.weights_in {
                let i = usize::from(w.validator);
                let occ: Vec<i64> = read[i]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|x| x[0].as_u64() == Some(u.try_into().unwrap()))
                    .map(|x| x[1].as_i64().unwrap())
                    .collect();
                if occ.get(w.occurrence) != Some(&w.stored) {
                    fail(format!(
                        "weights_in from {i}: stored {} vs trace {occ:?}",
                        w.stored
                    ));
                }
                if w.removed_by.is_none()
                    && w.occurrence == 0
                    && w.normalized != sparse(norm, i, uid)
                {
                    fail(format!(
                        "weights_in from {i}: normalized {:?}",
                        w.normalized
                    ));
                }
                if w.removed_by.is_some() && w.normalized.is_some() {
                    fail(format!("weights_in from {i}: removed yet normalized"));
                }
            }
            for w in &e.weights_out {
                if sparse(norm, u, w.miner).is_none() {
                    fail(format!("weights_out to {}: not in row {u}", w.miner));
                }
            }
            let mask = stage(&st, "Bonds: (mask)")
                .or_else(|| stage(&st, "B (outdatedmask)"))
                .unwrap();
            let wb = stage(&st, "yuma: weights_for_bonds").unwrap();
            let ema = stage(&st, "yuma: ema_bonds final").unwrap();
            let alphas = stage(&st, "alphas");
            for b in e.bonds_held.iter().chain(&e.bonds_received) {
                let i = usize::from(b.validator);
                let want = (
                    sparse(mask, i, b.miner),
                    sparse(wb, i, b.miner),
                    sparse(ema, i, b.miner),
                    alphas.map(|a| a[i][usize::from(b.miner)].as_i64().unwrap()),
                );
                if (b.masked, b.weight_for_bonds, b.ema, b.alpha) != want {
                    fail(format!("bond {i}→{}: {b:?} vs trace {want:?}", b.miner));
                }
            }
            if e.bonds_held.iter().any(|b| usize::from(b.validator) != u)
                || e.bonds_received.iter().any(|b| b.miner != uid)
            {
                fail("bonds outside row/column U".into());
            }
        }
    }
}

#[test]
fn explain_agrees_with_the_trace_on_every_golden_that_has_one() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, dir) in common::golden_cases() {
        if dir.join("trace.json").is_file() {
            check_case(&name, &dir, &mut failures);
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} goldens with a trace");
    failures.truncate(20);
    common::assert_no_failures("explain vs trace", &failures);
}

#[test]
fn the_cli_prints_text_and_json_and_refuses_a_uid_out_of_range() {
    let dir = common::golden("mechanisms/m3_commit_reveal_yuma3_la");
    let snap = dir.join("snapshot.json");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yuma"))
            .arg("explain")
            .arg(&snap)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--uid", "2", "--mechanism", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "[Consensus]",
        "[Incentive (=Rank)]",
        "[Dividends]",
        "weights it receives",
        "bonds it holds",
        "mechanism 1 of 3",
        "subnet emission",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
    let out = run(&["--uid", "2", "--mechanism", "1", "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["format"], "yuma-explain/1");
    let e = explain(&common::load_snapshot(&dir), 2, 1).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), explain_json(&e));
    for (args, needle) in [
        (&["--uid", "999"][..], "--uid 999"),
        (&["--uid", "1", "--mechanism", "3"][..], "--mechanism 3"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle) && err.contains("snapshot.json") && err.lines().count() == 1,
            "{err}"
        );
    }
}
