//! Every golden case on the CPU path: field by field with `yuma::compare`, byte for byte with
//! the golden `epoch.json` (and MANIFEST.tsv's sha256), and `--trace` output against every
//! `trace.json`. Also the bundled fixture, which must pass without the goldens.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{
    assert_no_failures, case_dirs, first_difference, fixtures_dir, golden, golden_cases,
    goldens_dir, load_epoch, load_snapshot, manifest, mismatch_report, read, sha256_hex,
};
use yuma::compare::compare;
use yuma::epoch::run_snapshot;
use yuma::epoch::trace::trace_json;
use yuma::output::{result_json, EpochResult};
use yuma::snapshot::write_snapshot;

/// The top-level folders of the goldens; every case lies in one of them.
const GROUPS: [&str; 5] = ["chain_tests", "edge", "random", "sequences", "mechanisms"];

/// Runs one case folder and returns what is wrong with it (empty when it matches).
fn check_case(name: &str, dir: &Path, sha256: Option<&str>) -> Vec<String> {
    let snapshot = load_snapshot(dir);
    let got = run_snapshot(&snapshot, None);
    let mut problems = Vec::new();
    let mismatches = compare(&load_epoch(dir), &got);
    if !mismatches.is_empty() {
        problems.push(mismatch_report(name, &mismatches));
    }
    let text = result_json(&got, false);
    let expected = read(&dir.join("epoch.json"));
    if text != expected {
        problems.push(format!(
            "{name}: epoch.json bytes differ: {}",
            first_difference(&expected, &text)
        ));
    }
    if let Some(sha) = sha256 {
        let ours = sha256_hex(text.as_bytes());
        if ours != sha {
            problems.push(format!(
                "{name}: sha256 of our output {ours} ≠ MANIFEST {sha}"
            ));
        }
    }
    problems
}

/// Checks every MANIFEST case of one group folder.
fn check_group(group: &str) {
    let rows: Vec<_> = manifest()
        .into_iter()
        .filter(|r| r.case.split('/').next() == Some(group))
        .collect();
    assert!(
        !rows.is_empty(),
        "MANIFEST.tsv lists no case under {group}/"
    );
    let failures: Vec<String> = rows
        .iter()
        .flat_map(|r| check_case(&r.case, &golden(&r.case), Some(&r.sha256)))
        .collect();
    assert_no_failures(&format!("{group}: {} cases", rows.len()), &failures);
}

#[test]
fn chain_tests_match_bit_for_bit() {
    check_group("chain_tests");
}

#[test]
fn edge_cases_match_bit_for_bit() {
    check_group("edge");
}

#[test]
fn random_networks_match_bit_for_bit() {
    check_group("random");
}

#[test]
fn sequences_match_bit_for_bit() {
    check_group("sequences");
}

#[test]
fn mechanisms_match_bit_for_bit() {
    check_group("mechanisms");
}

#[test]
fn case_folders_are_exactly_the_manifest_rows() {
    let rows = manifest();
    let listed: BTreeSet<String> = rows.iter().map(|r| r.case.clone()).collect();
    assert_eq!(listed.len(), rows.len(), "MANIFEST.tsv lists a case twice");
    let found: BTreeSet<String> = golden_cases().into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        found.len(),
        rows.len(),
        "{} case folders found, MANIFEST.tsv has {} rows; missing folders: {:?}; unlisted folders: {:?}",
        found.len(),
        rows.len(),
        listed.difference(&found).collect::<Vec<_>>(),
        found.difference(&listed).collect::<Vec<_>>()
    );
    assert_eq!(found, listed);
    for case in &found {
        let group = case.split('/').next().unwrap_or_default();
        assert!(GROUPS.contains(&group), "{case} is in no tested group");
    }
}

/// With `YUMA_GOLDENS` pointing nowhere, a goldens test fails (it must never skip or pass).
#[test]
fn missing_goldens_fail_loudly() {
    let nowhere = common::temp_dir("no-goldens").join("missing");
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "case_folders_are_exactly_the_manifest_rows",
            "--test-threads=1",
        ])
        .env("YUMA_GOLDENS", &nowhere)
        .output()
        .expect("re-run this test binary");
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "passed without goldens:\n{text}");
    assert!(text.contains("golden cases not found"), "{text}");
    assert!(text.contains("1 failed"), "{text}");
}

#[test]
fn manifest_describes_each_golden() {
    let mut failures = Vec::new();
    for row in manifest() {
        let dir = golden(&row.case);
        let s = load_snapshot(&dir);
        let h = &s.hyperparams;
        let mut flags = vec![if h.yuma3_enabled { "yuma3" } else { "yuma2" }.to_string()];
        let named = [
            (h.liquid_alpha_enabled, "liquid_alpha"),
            (h.commit_reveal_enabled, "commit_reveal"),
            (s.owner_uid.is_some(), "owner"),
            (h.stake_threshold > 0, "threshold"),
        ];
        flags.extend(
            named
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, f)| f.to_string()),
        );
        if s.is_multi() {
            flags.push(format!("mech{}", s.mechanisms.len()));
        }
        if s.split().is_some() {
            flags.push("split".to_string());
        }
        let validators = s.validator_permit.iter().filter(|&&p| p).count();
        let file_sha = sha256_hex(read(&dir.join("epoch.json")).as_bytes());
        let seen = (s.len(), validators, flags.join(","), file_sha);
        let listed = (row.n, row.validators, row.flags.clone(), row.sha256.clone());
        if seen != listed {
            failures.push(format!(
                "{}: files say {seen:?}, MANIFEST {listed:?}",
                row.case
            ));
        }
        let has_trace = dir.join("trace.json").is_file();
        if has_trace != (s.len() <= 64) {
            failures.push(format!(
                "{}: n = {}, trace.json present: {has_trace}",
                row.case, s.n
            ));
        }
    }
    assert_no_failures("MANIFEST rows", &failures);
}

#[test]
fn traces_match_every_trace_json() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, dir) in golden_cases() {
        let path = dir.join("trace.json");
        if !path.is_file() {
            continue;
        }
        count += 1;
        let snapshot = load_snapshot(&dir);
        let mut traces = Vec::new();
        let result = run_snapshot(&snapshot, Some(&mut traces));
        assert_eq!(
            traces.len(),
            snapshot.mechanisms.len(),
            "{name}: one trace per mechanism"
        );
        let text = trace_json(&result, &traces);
        let expected = read(&path);
        if text != expected {
            failures.push(format!(
                "{name}: trace.json: {}",
                first_difference(&expected, &text)
            ));
        }
    }
    assert!(count > 0, "no trace.json in the goldens");
    assert_no_failures(&format!("{count} traces"), &failures);
}

#[test]
fn snapshots_round_trip_byte_for_byte() {
    let mut failures = Vec::new();
    for (name, dir) in golden_cases() {
        let mut text = read(&dir.join("snapshot.json"));
        // An explicit `null` split means the same as an absent one (FORMAT.md), and the
        // snapshot model keeps no difference between them: the writer omits the field.
        text = text.replace(",\n  \"mechanism_emission_split\": null\n}", "\n}");
        let written = write_snapshot(&load_snapshot(&dir));
        if written != text {
            failures.push(format!("{name}: {}", first_difference(&text, &written)));
        }
    }
    assert_no_failures("snapshot writer", &failures);
}

/// Each sequence epoch's snapshot carries the previous epoch's stored bonds and new permits
/// (FORMAT.md "Sequences"): feeding our own output forward gives the stored snapshot fields.
#[test]
fn sequences_chain_our_bonds_and_permits() {
    let root = goldens_dir().join("sequences");
    let mut sequences: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    sequences.sort();
    assert!(!sequences.is_empty(), "no sequences in {}", root.display());
    for seq in sequences {
        let epochs = case_dirs(&seq);
        assert_eq!(epochs.len(), 10, "{}: expected 10 epochs", seq.display());
        for pair in epochs.windows(2) {
            let (prev, next) = (load_snapshot(&pair[0]), load_snapshot(&pair[1]));
            let EpochResult::Single(out) = run_snapshot(&prev, None) else {
                panic!(
                    "{}: a sequence epoch is single-mechanism",
                    pair[0].display()
                );
            };
            let at = pair[1].display();
            assert_eq!(next.mechanisms[0].bonds, out.bonds, "{at}: bonds");
            assert_eq!(
                next.validator_permit, out.new_validator_permit,
                "{at}: permits"
            );
            assert_eq!(next.last_mechanism_step_block, prev.block, "{at}");
            let tempo = u64::from(prev.hyperparams.tempo);
            assert_eq!(next.block, prev.block + tempo + 1, "{at}: block");
        }
    }
}

const FIXTURE: &str = "r03_n96_v12_yuma2";

/// The bundled fixture (a copy of a golden: its expected output comes from the chain's code)
/// needs no goldens folder.
#[test]
fn bundled_fixture_matches_chain_output() {
    let dir = fixtures_dir().join(FIXTURE);
    let problems = check_case(FIXTURE, &dir, None);
    assert_no_failures("fixture", &problems);
}

#[test]
fn bundled_fixture_is_the_golden_copy() {
    let golden = golden(&format!("random/{FIXTURE}"));
    let fixture = fixtures_dir().join(FIXTURE);
    for file in ["snapshot.json", "epoch.json"] {
        assert!(
            read(&golden.join(file)) == read(&fixture.join(file)),
            "fixtures/{FIXTURE}/{file} differs from the golden"
        );
    }
}

#[test]
fn sha256_helper_is_right() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_eq!(
        sha256_hex(long.as_bytes()),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}
