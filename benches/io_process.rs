//! Criterion benches of the file-in, file-out path (issue 10):
//!
//! - `io/read_snapshot`, `io/write_epoch`: `parse_snapshot` (read + validate) and `result_json`
//!   on a generated n = 4,096 subnet (256 validators), each mode, one thread, as bytes/s.
//! - `process/epoch_cpu_1thread`, `process/epoch_cpu_all`: whole `yuma epoch --backend cpu FILE
//!   -o OUT` processes on issue 10's inputs (the golden `random/r15_n4096_v64_yuma2` and five
//!   `yuma gen` subnets), with `RAYON_NUM_THREADS=1` and with every core.
//! - `process/batch_cpu`: `yuma batch --backend cpu` over 1,000 `yuma gen --n 256 --validators
//!   64 --seed S` files (`--yuma3` on even S), as subnet-epochs/s.
//!
//! `YUMA_BENCH_QUICK=1` keeps the I/O groups, two process inputs and a batch of 100 files.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use yuma::gen::{generate, GenParams, Mode};
use yuma::output::result_json;
use yuma::snapshot::{parse_snapshot, write_snapshot};

const YUMA: &str = env!("CARGO_BIN_EXE_yuma");

fn io(c: &mut Criterion) {
    let mut read = c.benchmark_group("io/read_snapshot");
    let mut texts = Vec::new();
    for mode in Mode::ALL {
        let s = generate(&GenParams::new(4096, 256, 1, mode)).expect("valid parameters");
        let text = write_snapshot(&s);
        read.throughput(Throughput::Bytes(text.len() as u64));
        read.bench_with_input(
            BenchmarkId::new(mode.label(), "n4096_v256"),
            &text,
            |b, t| b.iter(|| parse_snapshot(black_box(t), "bench").expect("valid")),
        );
        texts.push((mode, s));
    }
    read.finish();
    let mut write = c.benchmark_group("io/write_epoch");
    for (mode, s) in &texts {
        let result = yuma::epoch::run_snapshot(s, None);
        let bytes = result_json(&result, false).len();
        write.throughput(Throughput::Bytes(bytes as u64));
        write.bench_with_input(
            BenchmarkId::new(mode.label(), "n4096_v256"),
            &result,
            |b, r| b.iter(|| result_json(black_box(r), false)),
        );
    }
    write.finish();
}

/// Runs the yuma binary; panics with its stderr on failure.
fn yuma(args: &[&str], one_thread: bool) {
    let mut cmd = Command::new(YUMA);
    cmd.args(args);
    if one_thread {
        cmd.env("RAYON_NUM_THREADS", "1");
    } else {
        cmd.env_remove("RAYON_NUM_THREADS");
    }
    let out = cmd.output().expect("run yuma");
    assert!(
        out.status.success(),
        "yuma {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yuma-bench-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Issue 10's whole-process inputs: (id, `yuma gen` args; empty = the golden).
fn process_inputs() -> Vec<(&'static str, Vec<&'static str>)> {
    let gen = |v: &'static str, extra: &[&'static str]| {
        let mut a = vec!["--n", "4096", "--validators", v, "--seed", "1"];
        a.extend_from_slice(extra);
        a
    };
    let all = vec![
        ("golden_r15_n4096_v64_yuma2", vec![]),
        ("gen_n4096_v256", gen("256", &[])),
        ("gen_n4096_v256_yuma3", gen("256", &["--yuma3"])),
        ("gen_n4096_v128_yuma3", gen("128", &["--yuma3"])),
        (
            "gen_n4096_v128_yuma3_la",
            gen("128", &["--yuma3", "--liquid-alpha"]),
        ),
        (
            "gen_n4096_v256_yuma3_la",
            gen("256", &["--yuma3", "--liquid-alpha"]),
        ),
    ];
    if common::quick() {
        all.into_iter().skip(1).take(2).collect()
    } else {
        all
    }
}

fn golden() -> PathBuf {
    std::env::var_os("YUMA_GOLDENS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/goldens"))
        .join("random/r15_n4096_v64_yuma2/snapshot.json")
}

fn process(c: &mut Criterion) {
    let dir = scratch("process");
    let mut inputs = Vec::new();
    for (id, args) in process_inputs() {
        let file = if args.is_empty() {
            golden()
        } else {
            let file = dir.join(format!("{id}.json"));
            let mut a = vec!["gen"];
            a.extend(args);
            a.extend(["-o", s(&file)]);
            yuma(&a, false);
            file
        };
        assert!(file.is_file(), "{} missing", file.display());
        inputs.push((id, file));
    }
    for (group, one_thread) in [("epoch_cpu_1thread", true), ("epoch_cpu_all", false)] {
        let mut g = c.benchmark_group(format!("process/{group}"));
        for (id, file) in &inputs {
            let out = dir.join(format!("{id}.epoch.json"));
            let args = ["epoch", "--backend", "cpu", s(file), "-o", s(&out)];
            g.bench_function(*id, |b| b.iter(|| yuma(&args, one_thread)));
        }
        g.finish();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn batch(c: &mut Criterion) {
    let count: u64 = if common::quick() { 100 } else { 1000 };
    let dir = scratch("batch");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).expect("input dir");
    for seed in 1..=count {
        let file = inputs.join(format!("s{seed}.json"));
        let seed_text = seed.to_string();
        let mut a = vec![
            "gen",
            "--n",
            "256",
            "--validators",
            "64",
            "--seed",
            &seed_text,
            "-o",
            s(&file),
        ];
        if seed % 2 == 0 {
            a.push("--yuma3");
        }
        yuma(&a, false);
    }
    let mut g = c.benchmark_group("process/batch_cpu");
    g.throughput(Throughput::Elements(count));
    let out = dir.join("out");
    g.bench_function(format!("{count}_n256_v64"), |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&out);
            yuma(
                &["batch", "--backend", "cpu", s(&inputs), "-o", s(&out)],
                false,
            )
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = io, process, batch
}
criterion_main!(benches);
