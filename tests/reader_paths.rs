//! The snapshot reader's two paths agree: the typed streaming pass (`parse_snapshot`'s good
//! path) gives exactly the snapshot the explaining `Value` reader gives, on every golden and on
//! valid texts written in unusual ways (reordered keys, extra whitespace, duplicate keys,
//! escaped keys — the last two declined by the typed pass and read by the explaining one).
//! Errors are pinned in `bad_input.rs`.

mod common;

use common::{golden_cases, multi_snapshot, read, single_snapshot};
use yuma::snapshot::{parse_snapshot, parse_snapshot_explaining};

#[track_caller]
fn same(text: &str, what: &str) {
    let fast = parse_snapshot(text, "x.json");
    let slow = parse_snapshot_explaining(text, "x.json");
    assert_eq!(fast, slow, "{what}: the two readers differ");
}

#[test]
fn every_golden_snapshot_reads_the_same_on_both_paths() {
    let cases = golden_cases();
    assert!(!cases.is_empty());
    for (name, dir) in cases {
        let text = read(&dir.join("snapshot.json"));
        same(&text, &name);
        assert!(parse_snapshot(&text, &name).is_ok(), "{name}");
    }
}

#[test]
fn unusual_but_valid_layouts_read_the_same() {
    for base in [single_snapshot(), multi_snapshot()] {
        let compact = base.to_string();
        same(&compact, "compact");
        same(&serde_json::to_string_pretty(&base).unwrap(), "pretty");
        // Whitespace everywhere JSON allows it.
        let spaced = compact
            .replace(',', " ,\n\t")
            .replace(':', "\r\n: ")
            .replace('[', "[ ")
            .replace(']', " ]");
        same(&spaced, "spaced");
        // Keys in reverse order.
        let mut obj = base.as_object().unwrap().clone();
        let reversed: serde_json::Map<_, _> = std::mem::take(&mut obj).into_iter().rev().collect();
        same(&serde_json::Value::Object(reversed).to_string(), "reversed");
        // A duplicate key (the explaining reader keeps the last) and an escaped key.
        let dup = compact.replacen("{\"", "{\"netuid\":77,\"", 1);
        same(&dup, "duplicate key");
        assert!(parse_snapshot(&dup, "x.json").is_ok(), "duplicate key");
        let escaped = compact.replacen("\"netuid\"", "\"net\\u0075id\"", 1);
        same(&escaped, "escaped key");
        assert!(parse_snapshot(&escaped, "x.json").is_ok(), "escaped key");
    }
}

#[test]
fn invalid_numbers_are_declined_by_both() {
    let text = single_snapshot().to_string();
    for (from, to) in [
        (
            "\"rao_emission\":1000000000",
            "\"rao_emission\":18446744073709551616",
        ),
        ("\"alpha_stake\":[", "\"alpha_stake\":[01,"),
        ("\"alpha_stake\":[", "\"alpha_stake\":[-0,"),
        ("\"alpha_stake\":[", "\"alpha_stake\":[1e2,"),
        ("\"weights\":[[", "\"weights\":[[[1,2.0],"),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        same(&bad, to);
    }
}
