//! The `yuma` binary: `epoch` (JSON, `-o`, CSV, `--trace`, `--mechanism`), `check`, `--help`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{case_dirs, first_difference, golden, path_str, read, temp_dir, yuma};
use serde_json::Value;
use yuma::output::{parse_epoch, result_json, EpochResult};

const CASE: &str = "edge/baseline_yuma2";
const MULTI: &str = "mechanisms/m3_split_yuma3_la";
const CSV_HEADER: &str = "uid,active,stake,stake_weight,new_validator_permit,consensus,\
validator_trust,incentive,dividend,server_emission,validator_emission,emission";

/// stdout of a command that must succeed.
#[track_caller]
fn ok_stdout(args: &[&str]) -> String {
    let out = yuma(args);
    assert!(
        out.status.success(),
        "yuma {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// stderr of a command that must fail with one line and no panic.
#[track_caller]
fn err_line(args: &[&str]) -> String {
    let out = yuma(args);
    assert!(!out.status.success(), "yuma {args:?} should fail");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.trim().is_empty(), "yuma {args:?}: no message");
    stderr
}

#[track_caller]
fn assert_same_text(expected: &str, got: &str, what: &str) {
    assert!(
        expected == got,
        "{what}: {}",
        first_difference(expected, got)
    );
}

/// The CSV the epoch object `e` should give, built here from the JSON values.
fn expected_csv(e: &Value) -> String {
    let columns: Vec<&str> = CSV_HEADER.split(',').skip(1).collect();
    let n = e["active"].as_array().expect("active").len();
    let mut s = format!("{CSV_HEADER}\n");
    for uid in 0..n {
        let cells: Vec<String> = columns.iter().map(|c| e[*c][uid].to_string()).collect();
        s += &format!("{uid},{}\n", cells.join(","));
    }
    s
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&read(path)).expect("golden JSON")
}

#[test]
fn epoch_json_to_stdout_is_the_golden_bytes() {
    for case in [CASE, "edge/u64_max_stake_single", MULTI] {
        let dir = golden(case);
        let got = ok_stdout(&["epoch", path_str(&dir.join("snapshot.json"))]);
        assert_same_text(&read(&dir.join("epoch.json")), &got, case);
    }
}

#[test]
fn epoch_output_file() {
    let dir = golden(CASE);
    let out_dir = temp_dir("cli-out");
    let out = out_dir.join("epoch.json");
    let stdout = ok_stdout(&[
        "epoch",
        path_str(&dir.join("snapshot.json")),
        "-o",
        path_str(&out),
    ]);
    assert!(stdout.is_empty(), "-o also wrote to stdout");
    assert_same_text(&read(&dir.join("epoch.json")), &read(&out), "-o FILE");
    let long = out_dir.join("long.json");
    ok_stdout(&[
        "epoch",
        path_str(&dir.join("snapshot.json")),
        "--output",
        path_str(&long),
    ]);
    assert_same_text(
        &read(&dir.join("epoch.json")),
        &read(&long),
        "--output FILE",
    );
    let dash = ok_stdout(&["epoch", path_str(&dir.join("snapshot.json")), "-o", "-"]);
    assert_same_text(&read(&dir.join("epoch.json")), &dash, "-o -");
}

#[test]
fn epoch_csv() {
    for case in [CASE, MULTI] {
        let dir = golden(case);
        let got = ok_stdout(&[
            "epoch",
            path_str(&dir.join("snapshot.json")),
            "--format",
            "csv",
        ]);
        let e = json_of(&dir.join("epoch.json"));
        let n = e["n"].as_u64().expect("n") as usize;
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines[0], CSV_HEADER, "{case}");
        assert_eq!(lines.len(), n + 1, "{case}: header and n rows");
        for line in &lines[1..] {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 12, "{case}: {line}");
            for b in [cells[1], cells[4]] {
                assert!(b == "true" || b == "false", "{case}: bool cell {b:?}");
            }
        }
        assert_same_text(&expected_csv(&e), &got, case);
    }
}

#[test]
fn epoch_trace_is_the_golden_trace() {
    for case in [CASE, MULTI] {
        let dir = golden(case);
        let got = ok_stdout(&["epoch", path_str(&dir.join("snapshot.json")), "--trace"]);
        assert_same_text(&read(&dir.join("trace.json")), &got, case);
    }
}

#[test]
fn trace_with_csv_is_an_error() {
    let snap = golden(CASE).join("snapshot.json");
    let stderr = err_line(&["epoch", path_str(&snap), "--trace", "--format", "csv"]);
    assert!(
        stderr.contains("--trace") && stderr.contains("csv"),
        "{stderr}"
    );
}

#[test]
fn epoch_of_one_mechanism() {
    let dir = golden(MULTI);
    let snap = dir.join("snapshot.json");
    let golden_epoch = json_of(&dir.join("epoch.json"));
    let EpochResult::Multi(expected) =
        parse_epoch(&read(&dir.join("epoch.json")), "golden").expect("golden epoch")
    else {
        panic!("{MULTI}: multi-mechanism epoch expected");
    };
    let count = expected.mechanisms.len();
    assert!(count >= 2, "{MULTI} has {count} mechanisms");
    for m in 0..count {
        let arg = m.to_string();
        let got = ok_stdout(&["epoch", path_str(&snap), "--mechanism", &arg]);
        let standalone = EpochResult::Single(expected.mechanisms[m].clone());
        assert_same_text(
            &result_json(&standalone, false),
            &got,
            &format!("mechanism {m}"),
        );
        let parsed = parse_epoch(&got, "stdout").expect("a yuma-epoch/1 document");
        assert_eq!(parsed, standalone, "mechanism {m}: values");
        let csv = ok_stdout(&[
            "epoch",
            path_str(&snap),
            "--mechanism",
            &arg,
            "--format",
            "csv",
        ]);
        let mech = &golden_epoch["mechanisms"][m];
        assert_same_text(&expected_csv(mech), &csv, &format!("mechanism {m} csv"));
    }
    let stderr = err_line(&["epoch", path_str(&snap), "--mechanism", &count.to_string()]);
    assert!(stderr.contains(&format!("{count} mechanisms")), "{stderr}");
}

#[test]
fn mechanism_on_a_single_mechanism_snapshot_is_an_error() {
    let snap = golden(CASE).join("snapshot.json");
    let stderr = err_line(&["epoch", path_str(&snap), "--mechanism", "0"]);
    assert!(stderr.contains("--mechanism"), "{stderr}");
    assert!(stderr.contains(path_str(&snap)), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn check_passes_a_goldens_folder() {
    let dir = golden("chain_tests/test_1_graph");
    let root = dir.parent().expect("group folder");
    let cases = case_dirs(root);
    let stdout = ok_stdout(&["check", path_str(root)]);
    let lines: Vec<&str> = stdout.lines().collect();
    let passes = lines.iter().filter(|l| l.starts_with("pass ")).count();
    assert_eq!(passes, cases.len(), "{stdout}");
    assert_eq!(
        lines.last().copied(),
        Some(format!("{} passed, 0 failed", cases.len()).as_str()),
        "{stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn check_reports_a_corrupted_epoch() {
    let src = golden(CASE);
    let tmp = temp_dir("cli-check").join("case");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    std::fs::copy(src.join("snapshot.json"), tmp.join("snapshot.json")).expect("copy");
    let mut epoch = json_of(&src.join("epoch.json"));
    let good = epoch["consensus"][4].as_u64().expect("u16");
    epoch["consensus"][4] = Value::from(good + 1);
    std::fs::write(tmp.join("epoch.json"), epoch.to_string()).expect("write");

    let out = yuma(&["check", path_str(&tmp)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "check passed a corrupted epoch: {stdout}"
    );
    assert!(stdout.contains("FAIL"), "{stdout}");
    let want = format!(
        "stage consensus: consensus uid 4: expected {} got {good}",
        good + 1
    );
    assert!(stdout.contains(&want), "no `{want}` in:\n{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("0 passed, 1 failed"),
        "{stdout}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn check_without_cases_is_an_error() {
    let empty = temp_dir("cli-empty");
    err_line(&["check", path_str(&empty)]);
    err_line(&["check", path_str(&empty.join("missing"))]);
}

#[test]
fn help_describes_inputs_and_outputs() {
    let epoch = ok_stdout(&["epoch", "--help"]);
    for word in [
        "yuma-snapshot/1",
        "yuma-epoch/1",
        "--output",
        "--format",
        "--trace",
        "--mechanism",
    ] {
        assert!(
            epoch.contains(word),
            "`yuma epoch --help` lacks {word}:\n{epoch}"
        );
    }
    let check = ok_stdout(&["check", "--help"]);
    for word in ["snapshot.json", "epoch.json", "passed", "failed"] {
        assert!(
            check.contains(word),
            "`yuma check --help` lacks {word}:\n{check}"
        );
    }
    let top = ok_stdout(&["--help"]);
    for word in ["epoch", "check"] {
        assert!(top.contains(word), "`yuma --help` lacks {word}:\n{top}");
    }
}

#[test]
fn a_closed_output_pipe_ends_check_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(["check", "--backend", "cpu"])
        .arg(common::goldens_dir().join("edge"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("yuma runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("one line");
    // The reader is dropped here: the pipe closes while `check` still has lines to print.
    let out = child.wait_with_output().expect("yuma ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.starts_with("pass "), "first line: {first}");
    assert!(
        !stderr.contains("panicked"),
        "a closed pipe must not panic: {stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
}
