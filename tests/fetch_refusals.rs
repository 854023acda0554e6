//! Every refusal of `yuma fetch`, each one line saying what to do: a block where the epoch did
//! not run, an unknown netuid, pruned state, runtimes outside 422–425, an unreachable node, a
//! bad URL. Against the fake node (`tests/node/fake_node.py`).

mod common;
#[path = "node/mod.rs"]
mod node;

use node::{case, fetch, text, FakeNode};

const CASE: &str = "edge/owner_exempt_below_threshold";

fn refused(args: &[String], fetch_args: &[&str], expect: &[&str]) -> String {
    let node = FakeNode::start(args);
    let dir = common::temp_dir("fetch-refuse");
    let o = fetch(&node.url, &dir, fetch_args);
    let out = text(&o);
    assert!(
        !o.status.success(),
        "expected a refusal for {fetch_args:?}: {out}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line: {out}"))
        .to_string();
    for e in expect {
        assert!(
            line.contains(e),
            "{fetch_args:?}: expected {e:?} in {line:?}"
        );
    }
    assert!(
        !dir.join("snapshot.json").exists(),
        "a refusal wrote output"
    );
    line
}

#[test]
fn refuses_a_block_without_an_epoch_naming_the_nearest() {
    let goldens = common::goldens_dir();
    refused(
        &[case(&goldens, CASE)],
        &["--netuid", "1", "--block", "10001"],
        &["epoch did not run there", "before 10000", "--block"],
    );
}

#[test]
fn refuses_an_unknown_netuid() {
    let goldens = common::goldens_dir();
    refused(
        &[case(&goldens, CASE)],
        &["--netuid", "77", "--block", "10000"],
        &["netuid 77 does not exist"],
    );
}

#[test]
fn refuses_pruned_state_pointing_at_an_archive_node() {
    let goldens = common::goldens_dir();
    let args = [case(&goldens, CASE), "--prune-below".into(), "10001".into()];
    refused(
        &args,
        &["--netuid", "1", "--block", "10000"],
        &["pruned", "archive node"],
    );
}

#[test]
fn runtimes_outside_422_to_425() {
    let goldens = common::goldens_dir();
    let older = [case(&goldens, CASE), "--spec".into(), "421".into()];
    refused(
        &older,
        &["--netuid", "1", "--block", "10000"],
        &["spec_version 421", "older than 422"],
    );
    let newer = [case(&goldens, CASE), "--spec".into(), "426".into()];
    refused(
        &newer,
        &["--netuid", "1", "--block", "10000"],
        &["--allow-newer-runtime"],
    );
    let node = FakeNode::start(&newer);
    let dir = common::temp_dir("fetch-newer");
    let o = fetch(
        &node.url,
        &dir,
        &["--netuid", "1", "--block", "10000", "--allow-newer-runtime"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let rec = yuma::recorded::read_recorded(&dir.join("recorded.json")).unwrap();
    let src = rec.source.unwrap();
    assert_eq!(src["spec_version"], 426);
    let warnings = src["warnings"].to_string();
    assert!(
        warnings.contains("spec_version 426 is newer than 425"),
        "{warnings}"
    );
}

#[test]
fn refuses_an_unreachable_node_and_a_bad_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = common::temp_dir("fetch-unreachable");
    for url in [
        format!("http://127.0.0.1:{port}"),
        format!("ws://127.0.0.1:{port}"),
    ] {
        let o = fetch(&url, &dir, &["--netuid", "1", "--block", "10000"]);
        let out = text(&o);
        assert!(!o.status.success());
        assert!(
            out.contains("unreachable") && out.contains("after 2 tries"),
            "{out}"
        );
    }
    let o = fetch(
        "ftp://example",
        &dir,
        &["--netuid", "1", "--block", "10000"],
    );
    assert!(
        text(&o).contains("expected ws://, wss://, http:// or https://"),
        "{}",
        text(&o)
    );
}
