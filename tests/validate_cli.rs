//! `yuma validate`, `yuma epoch --recorded` and `yuma replay --check` on recorded documents, as a
//! user runs them: exit codes (0 equal, 1 mismatch, 2 error), one-line errors naming file,
//! field and uid, the folder search, the summary line and the JSON report.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{golden, path_str as s, read, temp_dir, yuma};
use serde_json::{json, Value};

const SINGLE: &str = "edge/baseline_yuma3";
const MULTI: &str = "mechanisms/m3_split_yuma3_la";

/// A folder with the golden's snapshot and the recorded cut `yuma epoch --recorded` writes.
fn case_folder(case: &str, into: &Path) -> PathBuf {
    let dir = into.join(case.replace('/', "_"));
    std::fs::create_dir_all(&dir).unwrap();
    let snap = dir.join("snapshot.json");
    std::fs::copy(golden(case).join("snapshot.json"), &snap).unwrap();
    let out = yuma(&[
        "epoch",
        s(&snap),
        "--backend",
        "cpu",
        "-o",
        "/dev/null",
        "--recorded",
        s(&dir.join("recorded.json")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn edit(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&read(path)).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_string(&v).unwrap()).unwrap();
}

#[track_caller]
fn expect_exit(out: &Output, code: i32) -> (String, String) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

#[test]
fn the_recorded_cut_of_a_golden_validates_with_exit_0() {
    let tmp = temp_dir("validate-ok");
    for case in [SINGLE, MULTI] {
        let dir = case_folder(case, &tmp);
        let out = yuma(&[
            "validate",
            s(&dir.join("snapshot.json")),
            s(&dir.join("recorded.json")),
            "--backend",
            "cpu",
        ]);
        let (stdout, _) = expect_exit(&out, 0);
        assert!(stdout.contains("equal: all"), "{stdout}");
        for field in [
            "active",
            "stake",
            "validator_permit",
            "consensus",
            "dividend",
            "emission",
            "incentive",
            "bonds",
            "server_emission",
        ] {
            assert!(
                stdout.lines().any(|l| l.starts_with(field)),
                "{field} in the summary:\n{stdout}"
            );
        }
    }
}

#[test]
fn a_mismatch_exits_1_with_the_table_the_hint_and_a_complete_json_report() {
    let tmp = temp_dir("validate-mismatch");
    let dir = case_folder(MULTI, &tmp);
    let rec = dir.join("recorded.json");
    edit(&rec, |v| {
        for u in 0..20 {
            let x = v["mechanisms"][1]["server_emission"][u].as_u64().unwrap();
            v["mechanisms"][1]["server_emission"][u] = json!(x + 1);
        }
    });
    let report = tmp.join("report.json");
    let out = yuma(&[
        "validate",
        s(&dir.join("snapshot.json")),
        s(&rec),
        "--backend",
        "cpu",
        "--show",
        "3",
        "--json",
        s(&report),
    ]);
    let (stdout, stderr) = expect_exit(&out, 1);
    assert!(
        stdout.contains("mismatches (3 of 20; all of them with --json FILE)"),
        "{stdout}"
    );
    assert!(stdout.contains("server_emission"), "{stdout}");
    assert!(
        stdout.contains("rao_emission"),
        "the emissions hint: {stdout}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let doc: Value = serde_json::from_str(&read(&report)).expect("the report is JSON");
    assert_eq!(doc["format"], "yuma-validation/1");
    assert_eq!(
        (
            doc["passed"].as_u64(),
            doc["failed"].as_u64(),
            doc["errors"].as_u64()
        ),
        (Some(0), Some(1), Some(0))
    );
    let r = &doc["folders"][0]["report"];
    let ms = r["mismatches"].as_array().unwrap();
    assert_eq!(ms.len(), 20, "complete in the JSON");
    assert_eq!(ms[0]["field"], "server_emission");
    assert_eq!(ms[0]["mechanism"], 1);
    assert_eq!(ms[0]["uid"], 0);
    assert_eq!(ms[0]["difference"], -1);
    assert_eq!(
        ms[0]["chain"].as_u64().unwrap(),
        ms[0]["yuma"].as_u64().unwrap() + 1
    );
}

#[test]
fn folders_are_searched_and_each_validated_on_its_own() {
    let tmp = temp_dir("validate-folders");
    let root = tmp.join("history");
    let a = case_folder(SINGLE, &root.join("a"));
    case_folder(MULTI, &root.join("b/deeper"));
    case_folder("edge/baseline_yuma2", &root);
    std::fs::create_dir_all(root.join("stray")).unwrap();
    std::fs::write(root.join("stray/snapshot.json"), "not a pair").unwrap();
    let out = yuma(&["validate", s(&root), "--backend", "cpu"]);
    let (stdout, _) = expect_exit(&out, 0);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("pass ")).count(),
        3,
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("3 passed, 0 failed"));

    edit(&a.join("recorded.json"), |v| {
        let x = v["dividend"][0].as_u64().unwrap();
        v["dividend"][0] = json!(x ^ 1);
    });
    let out = yuma(&["validate", s(&root), "--backend", "cpu"]);
    let (stdout, _) = expect_exit(&out, 1);
    assert!(
        stdout.contains("FAIL") && stdout.contains("uid 0: dividend"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("2 passed, 1 failed"));

    // An error in one folder: exit 2, the others still validated.
    edit(&a.join("recorded.json"), |v| v["n"] = json!(7));
    let out = yuma(&["validate", s(&root), "--backend", "cpu"]);
    let (stdout, _) = expect_exit(&out, 2);
    assert!(
        stdout.contains("ERROR") && stdout.contains("recorded.json"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("2 passed, 1 failed"));

    let out = yuma(&["validate", s(&tmp.join("nothing-here")), "--backend", "cpu"]);
    expect_exit(&out, 2);
    std::fs::create_dir_all(tmp.join("empty")).unwrap();
    let (_, stderr) = expect_exit(
        &yuma(&["validate", s(&tmp.join("empty")), "--backend", "cpu"]),
        2,
    );
    assert!(
        stderr.contains("snapshot.json and recorded.json"),
        "{stderr}"
    );
}

/// Each error rule of FORMAT.md: exit 2 and one line naming the file, the field and the uid.
#[test]
fn every_error_rule_exits_2_with_one_line_naming_file_field_and_uid() {
    let tmp = temp_dir("validate-errors");
    let dir = case_folder(MULTI, &tmp);
    let snap = dir.join("snapshot.json");
    let good = read(&dir.join("recorded.json"));
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, &[&str])> = vec![
        (
            "short vector",
            |v| {
                v["consensus"].as_array_mut().unwrap().pop();
            },
            &["`consensus`", "expected n = "],
        ),
        (
            "short mechanism vector",
            |v| {
                v["mechanisms"][2]["incentive"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            &["`mechanisms[2].incentive`"],
        ),
        (
            "wrong n",
            |v| v["n"] = json!(5),
            &["has 24 entries, expected n = 5"],
        ),
        (
            "wrong netuid",
            |v| v["netuid"] = json!(9),
            &["`netuid`", "not the same epoch"],
        ),
        ("wrong block", |v| v["block"] = json!(1), &["`block`"]),
        (
            "mechanisms ≠ M",
            |v| {
                v["mechanisms"].as_array_mut().unwrap().pop();
            },
            &["`mechanisms`", "runs 3"],
        ),
        (
            "u16 out of range",
            |v| v["stake"][4] = json!(65536),
            &["`stake`", "uid 4", "65536 is not a u16"],
        ),
        (
            "negative",
            |v| v["emission"][2] = json!(-1),
            &["`emission`", "uid 2"],
        ),
        (
            "u64 out of range",
            |v| v["mechanisms"][0]["server_emission"][1] = json!("2^64"),
            &["`mechanisms[0].server_emission`", "uid 1"],
        ),
        (
            "float",
            |v| v["dividend"][3] = json!(1.5),
            &["`dividend`", "uid 3"],
        ),
        (
            "bool as int",
            |v| v["active"][0] = json!(1),
            &["`active`", "uid 0", "not a bool"],
        ),
        (
            "bond pair",
            |v| v["mechanisms"][1]["bonds"][0] = json!([[1]]),
            &["`mechanisms[1].bonds[0][0]`", "uid 0"],
        ),
        (
            "bond target",
            |v| v["mechanisms"][1]["bonds"][2] = json!([[70000, 1]]),
            &["`mechanisms[1].bonds[2][0]`", "uid 2"],
        ),
        (
            "unknown key",
            |v| v["incentive"] = json!([]),
            &["`incentive`", "unknown field"],
        ),
        (
            "unknown mechanism key",
            |v| v["mechanisms"][0]["dividend"] = json!(null),
            &["`mechanisms[0].dividend`", "unknown field"],
        ),
        (
            "missing key",
            |v| {
                v.as_object_mut().unwrap().remove("emission");
            },
            &["`emission`", "missing field"],
        ),
        (
            "skip not increasing",
            |v| v["skip_uids"] = json!([3, 3]),
            &["`skip_uids[1]`", "strictly increasing"],
        ),
        (
            "skip ≥ n",
            |v| v["skip_uids"] = json!([1, 99]),
            &["`skip_uids[1]`", "uid 99"],
        ),
        (
            "format",
            |v| v["format"] = json!("yuma-epoch/1"),
            &["`format`"],
        ),
        (
            "source type",
            |v| v["source"] = json!("node"),
            &["`source`"],
        ),
    ];
    for (what, f, needles) in cases {
        let rec = tmp.join("bad.json");
        let mut v: Value = serde_json::from_str(&good).unwrap();
        f(&mut v);
        // `"2^64"` stands for a number one past u64::MAX (serde_json cannot hold it).
        let text = serde_json::to_string(&v)
            .unwrap()
            .replace("\"2^64\"", "18446744073709551616");
        std::fs::write(&rec, text).unwrap();
        let out = yuma(&["validate", s(&snap), s(&rec), "--backend", "cpu"]);
        let (_, stderr) = expect_exit(&out, 2);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{what}: {stderr}");
        assert!(
            stderr.contains("bad.json"),
            "{what}: names the file: {stderr}"
        );
        for n in needles {
            assert!(stderr.contains(n), "{what}: expected {n:?} in {stderr}");
        }
    }
    std::fs::write(tmp.join("bad.json"), "{\"format\": ").unwrap();
    let (_, stderr) = expect_exit(
        &yuma(&[
            "validate",
            s(&snap),
            s(&tmp.join("bad.json")),
            "--backend",
            "cpu",
        ]),
        2,
    );
    assert!(stderr.contains("malformed JSON"), "{stderr}");
    let (_, stderr) = expect_exit(
        &yuma(&[
            "validate",
            s(&snap),
            s(&tmp.join("missing.json")),
            "--backend",
            "cpu",
        ]),
        2,
    );
    assert!(stderr.contains("missing.json"), "{stderr}");
    std::fs::write(tmp.join("bad_snapshot.json"), "{}").unwrap();
    let (_, stderr) = expect_exit(
        &yuma(&[
            "validate",
            s(&tmp.join("bad_snapshot.json")),
            s(&dir.join("recorded.json")),
            "--backend",
            "cpu",
        ]),
        2,
    );
    assert!(stderr.contains("bad_snapshot.json"), "{stderr}");
}

#[test]
fn nothing_recorded_passes_with_a_warning() {
    let tmp = temp_dir("validate-null");
    let dir = case_folder(SINGLE, &tmp);
    let rec = dir.join("recorded.json");
    edit(&rec, |v| {
        for k in [
            "active",
            "stake",
            "validator_permit",
            "consensus",
            "validator_trust",
            "dividend",
            "emission",
        ] {
            v[k] = Value::Null;
        }
        v["mechanisms"] = json!([{"incentive": null, "bonds": null, "server_emission": null}]);
    });
    let (stdout, _) = expect_exit(
        &yuma(&[
            "validate",
            s(&dir.join("snapshot.json")),
            s(&rec),
            "--backend",
            "cpu",
        ]),
        0,
    );
    assert!(stdout.contains("warning: nothing was compared"), "{stdout}");
    assert!(stdout.contains("not recorded"), "{stdout}");
}

#[test]
fn replay_check_follows_a_recorded_history_and_names_the_first_divergence() {
    let tmp = temp_dir("replay-recorded");
    let seq = common::goldens_dir().join("sequences/seq_yuma3_la");
    let dirs = common::case_dirs(&seq);
    assert_eq!(dirs.len(), 10);
    for d in &dirs {
        let to = tmp.join(d.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(d.join("snapshot.json"), to.join("snapshot.json")).unwrap();
        // The chain's stored outputs: the golden epoch's recorded cut.
        let epoch = yuma::output::read_epoch(&d.join("epoch.json")).unwrap();
        let rec = yuma::recorded::recorded_json(&yuma::recorded::recorded_from_epoch(&epoch));
        std::fs::write(to.join("recorded.json"), rec).unwrap();
    }
    let (stdout, _) = expect_exit(
        &yuma(&["replay", s(&tmp), "--check", "--backend", "cpu"]),
        0,
    );
    assert_eq!(
        stdout.lines().last(),
        Some("10 passed, 0 failed"),
        "{stdout}"
    );
    edit(&tmp.join("epoch_04/recorded.json"), |v| {
        let row = &mut v["mechanisms"][0]["bonds"][1][0][1];
        *row = json!(row.as_u64().unwrap() ^ 1);
    });
    let (stdout, _) = expect_exit(
        &yuma(&["replay", s(&tmp), "--check", "--backend", "cpu"]),
        1,
    );
    assert!(
        stdout.contains("FAIL epoch_04") && stdout.contains("recorded bonds uid 1"),
        "{stdout}"
    );
    assert!(stdout.contains("first divergence: epoch_04"), "{stdout}");
}
