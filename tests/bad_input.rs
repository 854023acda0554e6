//! Invalid snapshots: each validation rule of FORMAT.md gives an `InputError` naming the file,
//! the field and (for per-uid data) the uid; the CLI reports it on one line without a panic.
//! The valid-but-odd states the chain accepts are in `odd_input.rs`.

mod common;

use std::process::Command;

use common::{
    multi_snapshot, single_snapshot, small_snapshot_text, temp_dir, HYPERPARAMS, PER_MECHANISM,
    PER_UID, TOP,
};
use serde_json::{json, Value};
use yuma::snapshot::{parse_snapshot, InputError};

fn edit(mut v: Value, f: impl FnOnce(&mut Value)) -> String {
    f(&mut v);
    v.to_string()
}

fn remove(v: &mut Value, key: &str) {
    v.as_object_mut().expect("object").remove(key);
}

/// Parses `text` as `x.json` and checks the error's field, uid, message and Display.
#[track_caller]
fn expect_err(text: &str, field: &str, uid: Option<usize>, message: &str) -> InputError {
    let e = match parse_snapshot(text, "x.json") {
        Ok(_) => panic!("accepted a snapshot that should fail on `{field}` ({message})"),
        Err(e) => e,
    };
    assert_eq!(
        (e.file.as_str(), e.field.as_str(), e.uid),
        ("x.json", field, uid),
        "wrong place for {e}"
    );
    assert!(
        e.message.contains(message),
        "`{e}` does not say {message:?}"
    );
    let shown = e.to_string();
    assert!(shown.starts_with("x.json: "), "{shown}");
    if !field.is_empty() {
        assert!(shown.contains(&format!("`{field}`")), "{shown}");
    }
    if let Some(u) = uid {
        assert!(shown.contains(&format!("uid {u}")), "{shown}");
    }
    assert!(!shown.contains('\n'), "one line: {shown:?}");
    e
}

#[track_caller]
fn expect_ok(text: &str) {
    if let Err(e) = parse_snapshot(text, "x.json") {
        panic!("rejected a valid snapshot: {e}");
    }
}

#[test]
fn the_base_snapshots_are_valid() {
    expect_ok(&single_snapshot().to_string());
    expect_ok(&multi_snapshot().to_string());
}

#[test]
fn malformed_json() {
    let text = small_snapshot_text();
    expect_err(&text[..text.len() / 2], "", None, "malformed JSON");
    expect_err("", "", None, "malformed JSON");
    expect_err(&format!("{text} {{}}"), "", None, "malformed JSON");
    expect_err("[1, 2]", "", None, "expected an object");
    expect_err("null", "", None, "expected an object");
}

#[test]
fn wrong_or_missing_format() {
    for bad in [
        json!("yuma-snapshot/2"),
        json!("yuma-epoch/1"),
        json!(1),
        Value::Null,
    ] {
        let text = edit(single_snapshot(), |v| v["format"] = bad.clone());
        expect_err(&text, "format", None, "yuma-snapshot/1");
    }
    expect_err(
        &edit(single_snapshot(), |v| remove(v, "format")),
        "format",
        None,
        "missing field",
    );
}

#[test]
fn every_missing_field_is_named() {
    for key in TOP {
        let text = edit(single_snapshot(), |v| remove(v, key));
        expect_err(&text, key, None, "missing field");
    }
    for key in HYPERPARAMS {
        let text = edit(single_snapshot(), |v| remove(&mut v["hyperparams"], key));
        expect_err(&text, &format!("hyperparams.{key}"), None, "missing field");
    }
    for key in PER_MECHANISM {
        let text = edit(multi_snapshot(), |v| remove(&mut v["mechanisms"][1], key));
        expect_err(
            &text,
            &format!("mechanisms[1].{key}"),
            None,
            "missing field",
        );
    }
}

#[test]
fn unknown_fields_are_named() {
    let text = edit(single_snapshot(), |v| v["weight"] = json!([]));
    expect_err(&text, "weight", None, "unknown field");
    let text = edit(single_snapshot(), |v| v["hyperparams"]["kapa"] = json!(1));
    expect_err(&text, "hyperparams.kapa", None, "unknown field");
    let text = edit(multi_snapshot(), |v| {
        v["mechanisms"][1]["alpha_stake"] = json!([])
    });
    expect_err(&text, "mechanisms[1].alpha_stake", None, "unknown field");
    let text = edit(multi_snapshot(), |v| {
        v["mechanisms"][0]["extra"] = json!(null)
    });
    expect_err(&text, "mechanisms[0].extra", None, "unknown field");
}

#[test]
fn per_uid_arrays_must_have_n_entries() {
    for key in PER_UID {
        let longer = edit(single_snapshot(), |v| {
            let first = v[key][0].clone();
            v[key].as_array_mut().expect("array").push(first);
        });
        expect_err(&longer, key, None, "has 9 entries, expected n = 8");
        let shorter = edit(single_snapshot(), |v| {
            v[key].as_array_mut().expect("array").pop();
        });
        expect_err(&shorter, key, None, "has 7 entries, expected n = 8");
        expect_err(
            &edit(single_snapshot(), |v| v[key] = json!(5)),
            key,
            None,
            "a number",
        );
    }
    for key in PER_MECHANISM {
        let field = format!("mechanisms[1].{key}");
        let shorter = edit(multi_snapshot(), |v| {
            v["mechanisms"][1][key].as_array_mut().expect("array").pop();
        });
        expect_err(&shorter, &field, None, "has 15 entries, expected n = 16");
    }
    // A larger n than the arrays: the first per-uid array read is named.
    expect_err(
        &edit(single_snapshot(), |v| v["n"] = json!(9)),
        "alpha_stake",
        None,
        "expected n = 9",
    );
}

#[test]
fn n_zero_is_an_error() {
    let text = edit(single_snapshot(), |v| {
        v["n"] = json!(0);
        for key in PER_UID {
            v[key] = json!([]);
        }
    });
    expect_err(&text, "n", None, "n = 0");
}

#[test]
fn scalars_outside_their_type() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("kappa", json!(65536), "65536 is not a u16"),
        ("kappa", json!(-1), "is not a u16"),
        ("kappa", json!(1.5), "1.5 is not a u16"),
        ("kappa", json!("1"), "is not a u16"),
        ("tempo", json!(65536), "is not a u16"),
        ("max_allowed_validators", json!(-1), "is not a u16"),
        (
            "alpha_sigmoid_steepness",
            json!(40000),
            "40000 is not an i16",
        ),
        ("alpha_sigmoid_steepness", json!(-32769), "is not an i16"),
        ("alpha_sigmoid_steepness", json!(0.5), "is not an i16"),
        ("bonds_moving_average", json!(-1), "-1 is not a u64"),
        ("tao_weight", json!(1.5), "1.5 is not a u64"),
        ("stake_threshold", json!("5"), "is not a u64"),
        ("liquid_alpha_enabled", json!(1), "is not a bool"),
        ("yuma3_enabled", json!("true"), "is not a bool"),
        ("commit_reveal_enabled", Value::Null, "is not a bool"),
    ];
    for (key, bad, message) in cases {
        let text = edit(single_snapshot(), |v| v["hyperparams"][key] = bad.clone());
        expect_err(&text, &format!("hyperparams.{key}"), None, message);
    }
    let top: Vec<(&str, Value, &str)> = vec![
        ("netuid", json!(65536), "is not a u16"),
        ("n", json!(65536), "is not a u16"),
        ("n", json!(-8), "is not a u16"),
        ("block", json!(1.5), "1.5 is not a u64"),
        ("block", json!(-1), "is not a u64"),
        ("rao_emission", json!("1000"), "is not a u64"),
        ("last_mechanism_step_block", json!(true), "is not a u64"),
        ("owner_uid", json!(65536), "is not a u16"),
        ("owner_uid", json!(-1), "is not a u16"),
        ("hyperparams", json!([]), "expected an object"),
    ];
    for (key, bad, message) in top {
        expect_err(
            &edit(single_snapshot(), |v| v[key] = bad.clone()),
            key,
            None,
            message,
        );
    }
    // Edge values of each type are accepted.
    expect_ok(&edit(single_snapshot(), |v| {
        v["hyperparams"]["alpha_sigmoid_steepness"] = json!(-32768);
        v["hyperparams"]["kappa"] = json!(65535);
        v["rao_emission"] = json!(u64::MAX);
    }));
}

#[test]
fn integers_beyond_u64_are_not_rounded_through_a_double() {
    let text = small_snapshot_text().replace(
        "\"rao_emission\": 1000000000,",
        "\"rao_emission\": 18446744073709551616,",
    );
    assert_ne!(text, small_snapshot_text(), "edit did not apply");
    expect_err(&text, "rao_emission", None, "is not a u64");
}

#[test]
fn per_uid_values_outside_their_type_name_the_uid() {
    let cases: Vec<(&str, usize, Value, &str)> = vec![
        ("alpha_stake", 3, json!(-1), "-1 is not a u64"),
        ("tao_stake", 5, json!(1.5), "1.5 is not a u64"),
        ("block_at_registration", 2, json!("100"), "is not a u64"),
        ("last_update", 7, json!(null), "is not a u64"),
        ("validator_permit", 1, json!(1), "is not a bool"),
        ("commit_block", 4, json!(true), "is not a u64"),
        ("commit_block", 6, json!(-5), "is not a u64"),
        (
            "weights",
            2,
            json!({}),
            "expected an array of [uid, value] pairs",
        ),
        (
            "bonds",
            0,
            json!(7),
            "expected an array of [uid, value] pairs",
        ),
    ];
    for (key, uid, bad, message) in cases {
        let text = edit(single_snapshot(), |v| v[key][uid] = bad.clone());
        expect_err(&text, key, Some(uid), message);
    }
    let text = edit(multi_snapshot(), |v| {
        v["mechanisms"][1]["last_update"][9] = json!(-1)
    });
    expect_err(&text, "mechanisms[1].last_update", Some(9), "is not a u64");
}

#[test]
fn sparse_entries_must_be_u16_pairs() {
    let cases: Vec<(Value, &str)> = vec![
        (json!([4]), "is not a [uid, value] pair"),
        (json!([4, 5, 6]), "is not a [uid, value] pair"),
        (json!({"uid": 4}), "is not a [uid, value] pair"),
        (json!(4), "is not a [uid, value] pair"),
        (json!([65536, 5]), "target uid 65536 is not a u16"),
        (json!([4, 65536]), "value 65536 is not a u16"),
        (json!([-1, 5]), "is not a u16"),
        (json!([4, 0.5]), "is not a u16"),
        (json!(["4", 5]), "is not a u16"),
    ];
    for key in ["weights", "bonds"] {
        for (bad, message) in &cases {
            let text = edit(single_snapshot(), |v| v[key][1][0] = bad.clone());
            expect_err(&text, &format!("{key}[1][0]"), Some(1), message);
        }
    }
    let text = edit(multi_snapshot(), |v| {
        v["mechanisms"][1]["weights"][3] = json!([[1, 2], [70000, 1]])
    });
    expect_err(
        &text,
        "mechanisms[1].weights[3][1]",
        Some(3),
        "70000 is not a u16",
    );
}

#[test]
fn mechanisms_count_must_be_1_to_16() {
    expect_err(
        &edit(multi_snapshot(), |v| v["mechanisms"] = json!([])),
        "mechanisms",
        None,
        "has 0 elements",
    );
    let with = |count: usize| {
        edit(multi_snapshot(), |v| {
            let first = v["mechanisms"][0].clone();
            v["mechanisms"] = Value::Array(vec![first; count]);
        })
    };
    expect_err(
        &with(17),
        "mechanisms",
        None,
        "has 17 elements, expected 1 to 16",
    );
    expect_ok(&with(16));
    expect_ok(&with(1));
    let text = edit(multi_snapshot(), |v| v["mechanisms"] = json!({}));
    expect_err(&text, "mechanisms", None, "expected an array");
    let text = edit(multi_snapshot(), |v| v["mechanisms"][1] = json!([]));
    expect_err(&text, "mechanisms[1]", None, "expected an object");
}

#[test]
fn netuid_must_fit_the_mechanism_storage_index() {
    expect_err(
        &edit(multi_snapshot(), |v| v["netuid"] = json!(4096)),
        "netuid",
        None,
        "4096",
    );
    expect_err(
        &edit(multi_snapshot(), |v| v["netuid"] = json!(65535)),
        "netuid",
        None,
        "65535",
    );
    expect_ok(&edit(multi_snapshot(), |v| v["netuid"] = json!(4095)));
    expect_ok(&edit(single_snapshot(), |v| v["netuid"] = json!(65535)));
}

#[test]
fn per_mechanism_fields_at_top_level_only_as_empty_arrays() {
    for key in PER_MECHANISM {
        let copy = edit(multi_snapshot(), |v| {
            v[key] = v["mechanisms"][0][key].clone()
        });
        expect_err(&copy, key, None, "must be absent (or [])");
        expect_err(
            &edit(multi_snapshot(), |v| v[key] = Value::Null),
            key,
            None,
            "must be absent",
        );
        expect_ok(&edit(multi_snapshot(), |v| v[key] = json!([])));
    }
    expect_ok(&edit(multi_snapshot(), |v| {
        for key in PER_MECHANISM {
            v[key] = json!([]);
        }
    }));
}

#[test]
fn emission_split_must_be_u16s_and_needs_mechanisms() {
    let field = "mechanism_emission_split";
    for (bad, at, message) in [
        (
            json!("x"),
            field.to_string(),
            "neither null nor an array of u16",
        ),
        (
            json!(5),
            field.to_string(),
            "neither null nor an array of u16",
        ),
        (
            json!({}),
            field.to_string(),
            "neither null nor an array of u16",
        ),
        (json!([70000]), format!("{field}[0]"), "70000 is not a u16"),
        (json!([1, -1]), format!("{field}[1]"), "is not a u16"),
        (json!([1, 2, 1.5]), format!("{field}[2]"), "is not a u16"),
    ] {
        expect_err(
            &edit(multi_snapshot(), |v| v[field] = bad.clone()),
            &at,
            None,
            message,
        );
    }
    for ok in [
        json!(null),
        json!([]),
        json!([1]),
        Value::from(vec![0u16; 40]),
    ] {
        expect_ok(&edit(multi_snapshot(), |v| v[field] = ok.clone()));
    }
    let text = edit(single_snapshot(), |v| v[field] = json!([65535]));
    expect_err(
        &text,
        field,
        None,
        "only allowed together with `mechanisms`",
    );
}

/// The binary on a bad file: non-zero exit, one readable line naming the file, no panic.
#[test]
fn cli_reports_bad_input_on_one_line() {
    let dir = temp_dir("bad-input");
    let bad_kappa = dir.join("bad_kappa.json");
    let text = edit(single_snapshot(), |v| {
        v["hyperparams"]["kappa"] = json!(65536)
    });
    std::fs::write(&bad_kappa, text).expect("write");
    let truncated = dir.join("truncated.json");
    std::fs::write(&truncated, &small_snapshot_text()[..100]).expect("write");
    let bad_row = dir.join("bad_row.json");
    std::fs::write(
        &bad_row,
        edit(single_snapshot(), |v| v["weights"][2][0] = json!([1])),
    )
    .expect("write");
    let missing = dir.join("does_not_exist.json");
    for (path, needle) in [
        (&bad_kappa, "`hyperparams.kappa`"),
        (&truncated, "malformed JSON"),
        (&bad_row, "uid 2"),
        (&missing, "cannot read"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_yuma"))
            .arg("epoch")
            .arg(path)
            .env("RUST_BACKTRACE", "1")
            .output()
            .expect("run yuma");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{}: exit status {}",
            path.display(),
            out.status
        );
        assert!(out.stdout.is_empty(), "{}: wrote to stdout", path.display());
        assert_eq!(stderr.lines().count(), 1, "one line expected: {stderr:?}");
        let shown = path.display().to_string();
        assert!(
            stderr.contains(&shown),
            "stderr does not name the file: {stderr}"
        );
        assert!(stderr.contains(needle), "stderr lacks {needle:?}: {stderr}");
        let lower = stderr.to_lowercase();
        assert!(
            !lower.contains("panicked") && !lower.contains("backtrace"),
            "{stderr}"
        );
    }
}
