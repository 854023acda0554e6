//! The network-scale commands end to end: `gen`, `replay`, `batch` (including a killed and
//! resumed run), through the real `yuma` binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use yuma::gen::{generate, GenParams, Mode};
use yuma::output::{read_epoch, result_json};
use yuma::replay::carry_into;
use yuma::snapshot::{parse_snapshot, read_snapshot, write_snapshot};

use common::{path_str as s, yuma};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs yuma and asserts it succeeded; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = yuma(args);
    assert!(
        out.status.success(),
        "yuma {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scale-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn goldens() -> PathBuf {
    let dir = std::env::var_os("YUMA_GOLDENS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/goldens"));
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "golden cases not found at {} — set YUMA_GOLDENS to the goldens folder",
        dir.display()
    );
    dir
}

/// FNV-1a 64: a fixed fingerprint of the generator's bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn gen_is_deterministic_and_valid() {
    let args = ["gen", "--n", "300", "--validators", "32", "--seed", "7"];
    let a = ok(&args);
    assert_eq!(a, ok(&args), "same seed, different bytes");
    assert_ne!(
        a,
        ok(&["gen", "--n", "300", "--validators", "32", "--seed", "8"])
    );
    let snap = parse_snapshot(&a, "gen").expect("valid snapshot");
    assert_eq!(snap.n, 300);
    assert_eq!(snap.validator_permit.iter().filter(|&&p| p).count(), 32);
    assert!(snap.hyperparams.max_allowed_validators >= 32);
    // The library and the command write the same document.
    let lib = generate(&GenParams::new(300, 32, 7, Mode::Yuma2)).unwrap();
    assert_eq!(write_snapshot(&lib), a);
    // Pinned: a change to the generator's output is a deliberate, visible change.
    let pinned = ok(&[
        "gen",
        "--n",
        "64",
        "--validators",
        "8",
        "--seed",
        "1",
        "--yuma3",
    ]);
    assert_eq!(
        fnv1a(pinned.as_bytes()),
        9_236_557_554_730_177_392,
        "the generator's output changed: snapshots from earlier versions no longer reproduce"
    );
}

#[test]
fn gen_edges_n1_and_n65535() {
    let dir = scratch("gen-edges");
    for v in ["0", "1"] {
        let file = dir.join(format!("one_{v}.json"));
        ok(&["gen", "--n", "1", "--validators", v, "-o", s(&file)]);
        let snap = read_snapshot(&file).expect("n = 1 is valid");
        assert_eq!(snap.n, 1);
        assert_eq!(snap.validator_permit, vec![v == "1"]);
        ok(&["epoch", s(&file)]);
    }
    let big = dir.join("big.json");
    let start = Instant::now();
    ok(&[
        "gen",
        "--n",
        "65535",
        "--validators",
        "64",
        "--density",
        "0.01",
        "-o",
        s(&big),
    ]);
    let snap = read_snapshot(&big).expect("n = 65535 is valid");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "gen n=65535 is slow"
    );
    assert_eq!(snap.n, 65535);
    assert_eq!(snap.validator_permit.iter().filter(|&&p| p).count(), 64);
}

#[test]
fn gen_mechanisms_and_argument_errors() {
    let args =
        "gen --n 40 --validators 8 --mechanisms 3 --split 30000,20000 --yuma3 --liquid-alpha";
    let multi = ok(&args.split(' ').collect::<Vec<_>>());
    let snap = parse_snapshot(&multi, "multi").expect("valid multi-mechanism snapshot");
    assert_eq!(snap.mechanisms.len(), 3);
    assert_eq!(snap.split(), Some(&[30000u16, 20000][..]));
    assert_ne!(snap.mechanisms[0].weights, snap.mechanisms[1].weights);
    for (args, says) in [
        ("--n 0 --validators 0", "--n 0"),
        ("--n 70000 --validators 0", "--n 70000"),
        ("--n 10 --validators 11", "--validators 11"),
        ("--n 10 --validators 2 --mechanisms 17", "--mechanisms 17"),
        ("--n 10 --validators 2 --mechanisms 0", "--mechanisms 0"),
        ("--n 10 --validators 2 --split 1,2", "--split"),
        (
            "--n 10 --validators 2 --mechanisms 2 --split 1,70000",
            "70000",
        ),
        ("--n 10 --validators 2 --density 2", "--density"),
    ] {
        let argv: Vec<&str> = ["gen"].into_iter().chain(args.split(' ')).collect();
        let out = yuma(&argv);
        assert!(!out.status.success(), "gen {args} should fail");
        let err = text(&out.stderr);
        assert!(
            err.contains(says),
            "gen {args}: error {err:?} should mention {says}"
        );
    }
}

#[test]
fn replay_check_passes_the_golden_sequences() {
    let root = goldens().join("sequences");
    for name in ["seq_yuma2", "seq_yuma3_la"] {
        let seq = root.join(name);
        let out = scratch(&format!("replay-{name}"));
        let stdout = ok(&["replay", s(&seq), "--check", "-o", s(&out)]);
        assert!(stdout.contains("10 passed, 0 failed"), "{name}:\n{stdout}");
        for k in 0..10 {
            let epoch = format!("epoch_{k:02}/epoch.json");
            let got = std::fs::read(out.join(&epoch)).unwrap();
            assert_eq!(
                got,
                std::fs::read(seq.join(&epoch)).unwrap(),
                "{name} {epoch}"
            );
        }
    }
}

#[test]
fn carried_state_equals_the_stored_sequence_fields() {
    let seq = goldens().join("sequences/seq_yuma3_la");
    let mut previous = None;
    for k in 0..10 {
        let file = seq.join(format!("epoch_{k:02}/snapshot.json"));
        let stored = read_snapshot(&file).unwrap();
        let mut snap = stored.clone();
        if let Some(prev) = &previous {
            carry_into(&mut snap, prev).unwrap();
            assert_eq!(
                snap, stored,
                "epoch {k}: carried fields differ from the stored ones"
            );
        }
        previous = Some(yuma::epoch::run_snapshot(&snap, None));
    }
}

#[test]
fn replay_check_reports_a_wrong_epoch() {
    let src = goldens().join("sequences/seq_yuma2");
    let seq = scratch("replay-wrong");
    for k in 0..3 {
        let name = format!("epoch_{k:02}");
        std::fs::create_dir_all(seq.join(&name)).unwrap();
        for f in ["snapshot.json", "epoch.json"] {
            std::fs::copy(src.join(&name).join(f), seq.join(&name).join(f)).unwrap();
        }
    }
    // Epoch 1's expected file is epoch 2's: it must fail, the others pass.
    std::fs::copy(
        src.join("epoch_02/epoch.json"),
        seq.join("epoch_01/epoch.json"),
    )
    .unwrap();
    let out = yuma(&["replay", s(&seq), "--check"]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("pass epoch_00") && stdout.contains("FAIL epoch_01"),
        "{stdout}"
    );
    assert!(stdout.contains("2 passed, 1 failed"), "{stdout}");
    // Writing into the sequence being checked would replace what it is compared with.
    let same = yuma(&["replay", s(&seq), "--check", "-o", s(&seq)]);
    assert!(!same.status.success());
    assert!(text(&same.stderr).contains("sequence folder itself"));
    assert!(text(&same.stdout).is_empty(), "nothing may run");
}

#[test]
fn replay_epochs_names_and_chains() {
    let dir = scratch("replay-epochs");
    let snap = dir.join("s.json");
    ok(&[
        "gen",
        "--n",
        "24",
        "--validators",
        "6",
        "--seed",
        "3",
        "--yuma3",
        "-o",
        s(&snap),
    ]);
    let first = read_snapshot(&snap).unwrap();
    let out = dir.join("out");
    ok(&["replay", s(&snap), "--epochs", "16", "-o", s(&out)]);
    let tempo = u64::from(first.hyperparams.tempo);
    let epochs: Vec<_> = (0..16)
        .map(|k| read_epoch(&out.join(format!("epoch_{k:02}/epoch.json"))).unwrap())
        .collect();
    for (k, e) in epochs.iter().enumerate() {
        assert_eq!(
            yuma::replay::result_block(e),
            first.block + k as u64 * (tempo + 1)
        );
    }
    // last_update is repeated, so every validator is inactive once the cutoff has passed.
    let last = &epochs[15].mechanism_outputs()[0].active;
    assert!((0..24).all(|u| !first.validator_permit[u] || !last[u]));
    assert!(epochs[0].mechanism_outputs()[0].active.iter().any(|&a| a));

    let wide = dir.join("wide");
    ok(&["replay", s(&snap), "--epochs", "101", "-o", s(&wide)]);
    assert!(wide.join("epoch_000/epoch.json").is_file());
    assert!(wide.join("epoch_100/epoch.json").is_file());
    assert!(!wide.join("epoch_101").exists());

    // A multi-mechanism run written with its snapshots is a sequence folder that checks.
    let multi = dir.join("multi.json");
    let args = "gen --n 30 --validators 6 --mechanisms 2 --split 40000,25535 --yuma3 -o";
    let mut argv: Vec<&str> = args.split(' ').collect();
    argv.push(s(&multi));
    ok(&argv);
    let seq = dir.join("multi-seq");
    ok(&[
        "replay",
        s(&multi),
        "--epochs",
        "4",
        "--write-snapshots",
        "-o",
        s(&seq),
    ]);
    let third = read_snapshot(&seq.join("epoch_03/snapshot.json")).unwrap();
    let second = read_epoch(&seq.join("epoch_02/epoch.json")).unwrap();
    for (m, out) in second.mechanism_outputs().iter().enumerate() {
        assert_eq!(third.mechanisms[m].bonds, out.bonds, "mechanism {m} bonds");
    }
    let checked = ok(&["replay", s(&seq), "--check"]);
    assert!(checked.contains("4 passed, 0 failed"), "{checked}");

    let no_epochs = yuma(&["replay", s(&snap), "-o", s(&out)]);
    assert!(text(&no_epochs.stderr).contains("--epochs"));
}

/// Writes a generated snapshot to `path` and returns its expected epoch.json text.
fn put_snapshot(path: &Path, n: u32, seed: u64) -> String {
    let snap = generate(&GenParams::new(n, 8, seed, Mode::Yuma3LiquidAlpha)).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, write_snapshot(&snap)).unwrap();
    result_json(&yuma::epoch::run_snapshot(&snap, None), false)
}

#[test]
fn batch_mirrors_paths_skips_bad_inputs_and_refuses_collisions() {
    let dir = scratch("batch-mirror");
    let input = dir.join("in");
    let a = put_snapshot(&input.join("A/B/snapshot.json"), 40, 1);
    let x = put_snapshot(&input.join("x.json"), 30, 2);
    std::fs::create_dir_all(input.join("C")).unwrap();
    std::fs::write(input.join("C/epoch.json"), &a).unwrap(); // not a snapshot: ignored
    std::fs::write(
        input.join("C/bad.json"),
        "{\"format\": \"yuma-snapshot/1\", \"n\": 3}",
    )
    .unwrap();
    let out = dir.join("out");
    let run = yuma(&["batch", s(&input), "-o", s(&out), "--backend", "cpu"]);
    assert!(!run.status.success(), "a failed input must fail the batch");
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("done     2") && stdout.contains("failed   1"),
        "{stdout}"
    );
    assert!(stdout.contains("bad.json"), "{stdout}");
    let stderr = text(&run.stderr);
    assert!(stderr.contains("3 snapshot files picked"), "{stderr}");
    assert!(stderr.contains("1 other .json files ignored"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("A/B/epoch.json")).unwrap(),
        a
    );
    assert_eq!(
        std::fs::read_to_string(out.join("x.epoch.json")).unwrap(),
        x
    );
    assert!(!out.join("C").exists());

    // The same snapshot twice (as a file and inside its folder) maps to one output.
    let out2 = dir.join("out2");
    let clash = yuma(&["batch", s(&input.join("x.json")), s(&input), "-o", s(&out2)]);
    assert!(!clash.status.success());
    assert!(
        text(&clash.stderr).contains("both map to"),
        "{}",
        text(&clash.stderr)
    );
    assert!(
        !out2.exists(),
        "a collision must stop the batch before any work"
    );
}

#[test]
fn killed_batch_resumes_to_complete_outputs() {
    let dir = scratch("batch-kill");
    let input = dir.join("in");
    let count = 300;
    let expected: Vec<String> = (0..count)
        .map(|i| put_snapshot(&input.join(format!("s{i:03}/snapshot.json")), 384, i))
        .collect();
    let out = dir.join("out");
    let outputs = |out: &Path| -> usize {
        (0..count)
            .filter(|i| out.join(format!("s{i:03}/epoch.json")).exists())
            .count()
    };

    let mut child = Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(["batch", s(&input), "-o", s(&out), "--chunk", "4"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while outputs(&out) < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "batch made no progress"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = outputs(&out);
    assert!(
        before < count as usize,
        "the batch finished before it was killed"
    );
    // Whatever exists is complete.
    for i in 0..count {
        let f = out.join(format!("s{i:03}/epoch.json"));
        if f.exists() {
            assert_eq!(std::fs::read_to_string(&f).unwrap(), expected[i as usize]);
        }
    }

    let stdout = ok(&["batch", s(&input), "-o", s(&out), "--resume"]);
    assert!(stdout.contains(&format!("skipped  {before}")), "{stdout}");
    assert_eq!(outputs(&out), count as usize);
    for i in 0..count {
        let f = out.join(format!("s{i:03}/epoch.json"));
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            expected[i as usize],
            "{}",
            f.display()
        );
    }
    // A fresh `yuma epoch` agrees, and no temporary file is left anywhere.
    for i in [0, count / 2, count - 1] {
        let snap = input.join(format!("s{i:03}/snapshot.json"));
        assert_eq!(ok(&["epoch", s(&snap)]), expected[i as usize]);
    }
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                assert_eq!(
                    p.file_name().unwrap(),
                    "epoch.json",
                    "left behind: {}",
                    p.display()
                );
            }
        }
    }
}
