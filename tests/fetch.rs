//! `yuma fetch` end to end against a fake node on 127.0.0.1 that serves golden cases as chain
//! state: the fetched snapshot must equal the golden snapshot field by field (and byte for
//! byte), the fetched record must equal the recorded cut of the golden epoch, and
//! `yuma validate` must pass. The node is `tests/node/fake_node.py` (its own hashing and SCALE).

mod common;
#[path = "node/mod.rs"]
mod node;

use node::{case, fetch, s, text, yuma, FakeNode};
use std::fmt::Debug;
use std::path::Path;
use yuma::output::read_epoch;
use yuma::recorded::{read_recorded, recorded_from_epoch, Recorded};
use yuma::snapshot::{read_snapshot, Snapshot};

fn same<T: PartialEq + Debug>(what: &str, field: &str, want: &[T], got: &[T], skip: &[u16]) {
    assert_eq!(want.len(), got.len(), "{what}: field `{field}`: length");
    for (uid, (w, g)) in want.iter().zip(got).enumerate() {
        if skip.contains(&(uid as u16)) {
            continue;
        }
        assert_eq!(w, g, "{what}: field `{field}`: uid {uid}");
    }
}

/// Field by field, naming the field and uid of the first difference.
fn assert_same_snapshot(what: &str, want: &Snapshot, got: &Snapshot) {
    assert_eq!(want.netuid, got.netuid, "{what}: netuid");
    assert_eq!(want.block, got.block, "{what}: block");
    assert_eq!(want.n, got.n, "{what}: n");
    assert_eq!(want.hyperparams, got.hyperparams, "{what}: hyperparams");
    assert_eq!(want.owner_uid, got.owner_uid, "{what}: owner_uid");
    assert_eq!(
        want.last_mechanism_step_block, got.last_mechanism_step_block,
        "{what}: last_mechanism_step_block"
    );
    assert_eq!(want.rao_emission, got.rao_emission, "{what}: rao_emission");
    same(
        what,
        "alpha_stake",
        &want.alpha_stake,
        &got.alpha_stake,
        &[],
    );
    same(what, "tao_stake", &want.tao_stake, &got.tao_stake, &[]);
    same(
        what,
        "validator_permit",
        &want.validator_permit,
        &got.validator_permit,
        &[],
    );
    let (wb, gb) = (&want.block_at_registration, &got.block_at_registration);
    same(what, "block_at_registration", wb, gb, &[]);
    assert_eq!(
        want.layout, got.layout,
        "{what}: layout / mechanism_emission_split"
    );
    assert_eq!(
        want.mechanisms.len(),
        got.mechanisms.len(),
        "{what}: mechanisms"
    );
    for (m, (w, g)) in want.mechanisms.iter().zip(&got.mechanisms).enumerate() {
        let f = |name: &str| format!("mechanisms[{m}].{name}");
        same(what, &f("last_update"), &w.last_update, &g.last_update, &[]);
        same(
            what,
            &f("commit_block"),
            &w.commit_block,
            &g.commit_block,
            &[],
        );
        same(what, &f("weights"), &w.weights, &g.weights, &[]);
        same(what, &f("bonds"), &w.bonds, &g.bonds, &[]);
    }
    assert_eq!(want, got, "{what}: snapshot");
}

fn opt_same<T: PartialEq + Debug>(
    what: &str,
    field: &str,
    want: &Option<Vec<T>>,
    got: &Option<Vec<T>>,
    skip: &[u16],
) {
    let want = want
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: {field}: golden has none"));
    let got = got
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: {field}: not recorded"));
    same(what, field, want, got, skip);
}

/// Bonds rows with the skipped uids' columns left out (FORMAT.md: a skipped uid's column goes
/// from every row; its own row is skipped by [`same`]).
fn without_columns(
    rows: &Option<Vec<Vec<(u16, u16)>>>,
    skip: &[u16],
) -> Option<Vec<Vec<(u16, u16)>>> {
    rows.as_ref().map(|rows| {
        rows.iter()
            .map(|row| {
                row.iter()
                    .copied()
                    .filter(|(j, _)| !skip.contains(j))
                    .collect()
            })
            .collect()
    })
}

/// The fetched record equals the recorded cut of the golden epoch, skipped uids aside.
fn assert_same_record(what: &str, want: &Recorded, got: &Recorded, skip: &[u16]) {
    assert_eq!(
        (want.netuid, want.block, want.n),
        (got.netuid, got.block, got.n),
        "{what}: header"
    );
    assert_eq!(got.skip_uids, skip, "{what}: skip_uids");
    opt_same(what, "active", &want.active, &got.active, skip);
    opt_same(what, "stake", &want.stake, &got.stake, skip);
    opt_same(
        what,
        "validator_permit",
        &want.validator_permit,
        &got.validator_permit,
        skip,
    );
    opt_same(what, "consensus", &want.consensus, &got.consensus, skip);
    opt_same(
        what,
        "validator_trust",
        &want.validator_trust,
        &got.validator_trust,
        skip,
    );
    opt_same(what, "dividend", &want.dividend, &got.dividend, skip);
    opt_same(what, "emission", &want.emission, &got.emission, skip);
    assert_eq!(
        want.mechanisms.len(),
        got.mechanisms.len(),
        "{what}: mechanisms"
    );
    for (m, (w, g)) in want.mechanisms.iter().zip(&got.mechanisms).enumerate() {
        opt_same(
            what,
            &format!("mechanisms[{m}].incentive"),
            &w.incentive,
            &g.incentive,
            skip,
        );
        opt_same(
            what,
            &format!("mechanisms[{m}].bonds"),
            &without_columns(&w.bonds, skip),
            &without_columns(&g.bonds, skip),
            skip,
        );
        assert_eq!(
            g.server_emission, None,
            "{what}: server_emission is not read"
        );
    }
    let src = got.source.as_ref().expect("source");
    assert_eq!(src["rao_emission"], "pinned", "{what}: source.rao_emission");
    assert!(
        src["server_emission"]
            .as_str()
            .unwrap_or("")
            .starts_with("not read"),
        "{what}: source"
    );
}

/// Checks one fetched folder against a golden case.
fn check_case(goldens: &Path, name: &str, dir: &Path, netuid: Option<u16>, skip: &[u16]) {
    let gdir = goldens.join(name);
    let mut want = read_snapshot(&gdir.join("snapshot.json")).expect("golden snapshot");
    let got = read_snapshot(&dir.join("snapshot.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(u) = netuid {
        want.netuid = u;
    } else {
        let g = std::fs::read(gdir.join("snapshot.json")).unwrap();
        let f = std::fs::read(dir.join("snapshot.json")).unwrap();
        assert!(
            g == f,
            "{name}: snapshot.json differs from the golden's bytes"
        );
    }
    assert_same_snapshot(name, &want, &got);
    let mut cut = recorded_from_epoch(&read_epoch(&gdir.join("epoch.json")).expect("golden epoch"));
    cut.netuid = want.netuid;
    let rec = read_recorded(&dir.join("recorded.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_same_record(name, &cut, &rec, skip);
}

fn validate_passes(dir: &Path, folders: usize) {
    let o = yuma(&["validate", &dir.display().to_string(), "--backend", "cpu"]);
    let out = text(&o);
    assert!(o.status.success(), "yuma validate {}: {out}", dir.display());
    assert!(
        out.contains(&format!("{folders} passed, 0 failed")),
        "{out}"
    );
}

/// A golden case, the fake node's options, netuid, block and the expected skip_uids.
type Scenario = (
    &'static str,
    &'static [&'static str],
    u16,
    u64,
    &'static [u16],
);

/// Every single-epoch scenario: commit-reveal with reveals inside B (http and ws), several
/// mechanisms with a split, liquid alpha + owner + threshold with a uid re-registered in B, an
/// owner exempt below the threshold, the legacy runtime 422.
#[test]
fn fetch_single_epochs_match_the_goldens_and_validate() {
    let goldens = common::goldens_dir();
    let cases: [Scenario; 6] = [
        ("random/r00_n64_v8_yuma2", &["--reveal"], 106, 4889691, &[]),
        (
            "mechanisms/m3_commit_reveal_yuma3_la",
            &["--reveal", "--transport", "ws"],
            10,
            4676812,
            &[],
        ),
        (
            "random/r02_n64_v16_yuma3_la",
            &["--reregister", "5"],
            58,
            4928718,
            &[5],
        ),
        (
            "mechanisms/m2_even_yuma2",
            &["--transport", "ws"],
            96,
            4926795,
            &[],
        ),
        ("edge/owner_exempt_below_threshold", &[], 1, 10000, &[]),
        (
            "edge/last_step_block_zero",
            &["--spec", "422"],
            1,
            10000,
            &[],
        ),
    ];
    for scenario in cases {
        let dir = fetch_scenario(&goldens, &scenario, "fetch-one");
        check_case(&goldens, scenario.0, &dir, None, scenario.4);
        validate_passes(&dir, 1);
    }
}

/// Serves one scenario's golden case and fetches its epoch into a new temporary folder.
fn fetch_scenario(goldens: &Path, scenario: &Scenario, tag: &str) -> std::path::PathBuf {
    let (name, extra, netuid, block, _) = *scenario;
    let mut args = vec![case(goldens, name)];
    args.extend(extra.iter().map(|a| a.to_string()));
    let node = FakeNode::start(&args);
    let dir = common::temp_dir(tag);
    let (netuid, block) = (netuid.to_string(), block.to_string());
    let o = fetch(&node.url, &dir, &["--netuid", &netuid, "--block", &block]);
    assert!(o.status.success(), "{name}: {}", text(&o));
    dir
}

/// A 256-uid subnet costs a handful of round trips (counted by the fake node).
#[test]
fn fetch_256_uids_in_a_few_round_trips() {
    let goldens = common::goldens_dir();
    let dir = common::temp_dir("fetch-256");
    let log = dir.join("requests.log");
    let node = FakeNode::start(&[
        case(&goldens, "random/r07_n256_v32_yuma2"),
        "--log".into(),
        s(&log),
    ]);
    let out = dir.join("out");
    let o = fetch(&node.url, &out, &["--netuid", "66", "--last"]);
    assert!(o.status.success(), "{}", text(&o));
    check_case(&goldens, "random/r07_n256_v32_yuma2", &out, None, &[]);
    let requests = common::read(&log).lines().count();
    println!("round trips for one epoch of a 256-uid subnet (--last): {requests}");
    assert!(requests <= 24, "{requests} round trips for 256 uids");
}

/// `--epochs 10` over a sequence, with a node that dies mid-walk, then `--resume`.
#[test]
fn fetch_sequence_survives_a_dying_node_with_resume() {
    let goldens = common::goldens_dir();
    let seq = goldens.join("sequences/seq_yuma2");
    let epochs: Vec<String> = (0..10)
        .map(|k| s(&seq.join(format!("epoch_{k:02}"))))
        .collect();
    let dir = common::temp_dir("fetch-seq");
    let mut dying = epochs.clone();
    dying.extend(["--die-after".to_string(), "50".to_string()]);
    {
        let node = FakeNode::start(&dying);
        let o = fetch(
            &node.url,
            &dir,
            &["--netuid", "75", "--last", "--epochs", "10"],
        );
        let out = text(&o);
        assert!(
            !o.status.success(),
            "the walk should fail when the node dies: {out}"
        );
        assert!(
            out.contains("unreachable or dropped the connection") && out.contains("--resume"),
            "{out}"
        );
        let again = fetch(
            &node.url,
            &dir,
            &["--netuid", "75", "--last", "--epochs", "10"],
        );
        assert!(text(&again).contains("add --resume"), "{}", text(&again));
    }
    let node = FakeNode::start(&epochs);
    let o = fetch(
        &node.url,
        &dir,
        &["--netuid", "75", "--last", "--epochs", "10", "--resume"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !dir.join(".yuma-fetch.json").exists(),
        "progress file left behind"
    );
    for k in 0..10 {
        let name = format!("sequences/seq_yuma2/epoch_{k:02}");
        check_case(
            &goldens,
            &name,
            &dir.join(format!("epoch_{k:02}")),
            None,
            &[],
        );
    }
    validate_passes(&dir, 10);
    let o = yuma(&["replay", &s(&dir), "--check"]);
    assert!(o.status.success(), "replay --check: {}", text(&o));
}

/// `--all-subnets`: every subnet's newest epoch, one folder per netuid.
#[test]
fn fetch_all_subnets() {
    let goldens = common::goldens_dir();
    let names = [
        "random/r07_n256_v32_yuma2",
        "random/r02_n64_v16_yuma3_la",
        "mechanisms/m2_even_yuma2",
    ];
    let node = FakeNode::start(&names.map(|n| case(&goldens, n)));
    let dir = common::temp_dir("fetch-all");
    let o = fetch(&node.url, &dir, &["--all-subnets", "--last"]);
    assert!(o.status.success(), "{}", text(&o));
    for (name, netuid) in names.iter().zip([66, 58, 96]) {
        check_case(
            &goldens,
            name,
            &dir.join(format!("netuid_{netuid}")),
            None,
            &[],
        );
    }
    validate_passes(&dir, 3);
}

/// A uid whose hotkey resets its bonds inside B (a commitment with ResetBondsFlag while
/// BondsResetOn): its column is gone from every Bonds row at B, so fetch lists it in skip_uids
/// (with a uid re-registered in B, sorted), `yuma validate` passes, and the same record without
/// the skip fails on the bonds. With BondsResetOn off the flag strips nothing: no skip, a warning.
#[test]
fn fetch_skips_a_uid_whose_bonds_b_reset() {
    let goldens = common::goldens_dir();
    let cases: [Scenario; 2] = [
        (
            "random/r02_n64_v16_yuma3_la",
            &["--reregister", "5", "--bonds-reset", "7"],
            58,
            4928718,
            &[5, 7],
        ),
        (
            "mechanisms/m3_commit_reveal_yuma3_la",
            &["--reveal", "--bonds-reset", "3", "--transport", "ws"],
            10,
            4676812,
            &[3],
        ),
    ];
    for scenario in cases {
        let (name, skip) = (scenario.0, scenario.4);
        let dir = fetch_scenario(&goldens, &scenario, "fetch-reset");
        check_case(&goldens, name, &dir, None, skip);
        let rec = read_recorded(&dir.join("recorded.json")).expect("recorded");
        let src = rec.source.as_ref().expect("source");
        let reset = *skip.last().unwrap();
        assert_eq!(
            src["skip_uids"]["bonds_reset"],
            serde_json::json!([reset]),
            "{name}: source.skip_uids"
        );
        validate_passes(&dir, 1);

        // The same record without the reset uid in skip_uids mismatches on the bonds.
        let path = dir.join("recorded.json");
        let mut doc: serde_json::Value = serde_json::from_str(&common::read(&path)).unwrap();
        let kept: Vec<u16> = skip.iter().copied().filter(|&u| u != reset).collect();
        doc["skip_uids"] = serde_json::json!(kept);
        std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
        let o = yuma(&["validate", &s(&dir), "--backend", "cpu"]);
        let out = text(&o);
        assert!(
            !o.status.success(),
            "{name}: validate without the skip passed: {out}"
        );
        assert!(
            out.contains("0 passed, 1 failed") && out.contains("bonds"),
            "{name}: {out}"
        );
    }

    // BondsResetOn off: LastBondsReset == B strips nothing; compared, with a warning.
    let name = "random/r02_n64_v16_yuma3_la";
    let off: Scenario = (
        name,
        &["--bonds-reset", "7", "--bonds-reset-off"],
        58,
        4928718,
        &[],
    );
    let dir = fetch_scenario(&goldens, &off, "fetch-reset-off");
    check_case(&goldens, name, &dir, None, &[]);
    let rec = read_recorded(&dir.join("recorded.json")).expect("recorded");
    let warnings = rec.source.as_ref().expect("source")["warnings"].to_string();
    assert!(
        warnings.contains("ResetBondsFlag") && warnings.contains("[7]"),
        "{warnings}"
    );
    validate_passes(&dir, 1);
}
