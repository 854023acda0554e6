//! `yuma bench`'s file-in, file-out tables: snapshot reading and epoch writing throughput (one
//! thread), and whole `yuma epoch --backend cpu FILE -o OUT` processes on issue 10's inputs, on
//! one thread and on all cores, next to the chain's own time for the same file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use yuma::gen::{generate, GenParams, Mode};
use yuma::output::result_json;
use yuma::snapshot::{parse_snapshot, parse_snapshot_explaining, write_snapshot};

use super::{format_time, measure, Policy};
use crate::cli::CliError;

/// One whole-process input: `yuma gen` arguments (or a golden case) and the chain's own
/// whole-process time on it (median, this machine kind, as measured for issue 10).
struct ProcessCase {
    label: &'static str,
    /// `yuma gen` arguments, space-separated; empty for the golden case.
    gen: &'static str,
    chain_ms: f64,
}

/// The golden of the first row, read from `$YUMA_GOLDENS` or `../shared/goldens`.
const GOLDEN: &str = "random/r15_n4096_v64_yuma2";

const CASES: [ProcessCase; 6] = [
    ProcessCase {
        label: "golden random/r15_n4096_v64_yuma2",
        gen: "",
        chain_ms: 27.0,
    },
    ProcessCase {
        label: "gen --n 4096 --validators 256 --seed 1",
        gen: "--n 4096 --validators 256 --seed 1",
        chain_ms: 286.0,
    },
    ProcessCase {
        label: "  … --yuma3",
        gen: "--n 4096 --validators 256 --seed 1 --yuma3",
        chain_ms: 229.0,
    },
    ProcessCase {
        label: "gen --n 4096 --validators 128 --seed 1 --yuma3",
        gen: "--n 4096 --validators 128 --seed 1 --yuma3",
        chain_ms: 132.0,
    },
    ProcessCase {
        label: "  … --liquid-alpha (128 validators)",
        gen: "--n 4096 --validators 128 --seed 1 --yuma3 --liquid-alpha",
        chain_ms: 7400.0,
    },
    ProcessCase {
        label: "  … --liquid-alpha (256 validators)",
        gen: "--n 4096 --validators 256 --seed 1 --yuma3 --liquid-alpha",
        chain_ms: 7000.0,
    },
];

/// Median and fastest of `reps` timed runs of `f` after one warm-up (fewer after `budget`).
fn times<T>(p: Policy, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let first = f();
    let start = Instant::now();
    let mut t = Vec::new();
    while t.len() < p.reps.max(3) && (t.len() < 3 || start.elapsed() < p.budget) {
        let s = Instant::now();
        std::hint::black_box(f());
        t.push(s.elapsed());
    }
    t.sort();
    (t[t.len() / 2], t[0], first)
}

/// Read + validate and write throughput on a generated n = 4,096 subnet (256 validators),
/// each mode, on this thread: the typed reader (`parse_snapshot`), the explaining `Value`
/// reader it falls back to on a bad file, and `result_json`. MB/s of the median run and of
/// the fastest run (the least disturbed by other processes).
pub fn io_table(p: Policy) -> Result<(), CliError> {
    say!(
        "file formats, one thread (n = 4096, 256 validators): MB/s = file bytes / time, \
median run (fastest run)"
    );
    say!(
        "{:<10} {:>9} {:>22} {:>22} {:>10} {:>22}",
        "mode",
        "snapshot",
        "read+validate",
        "explaining reader",
        "epoch.json",
        "write"
    );
    let mbs = |bytes: usize, t: Duration| bytes as f64 / 1e6 / t.as_secs_f64().max(1e-9);
    let cell = |bytes: usize, (median, best): (Duration, Duration)| {
        format!("{:.0} ({:.0}) MB/s", mbs(bytes, median), mbs(bytes, best))
    };
    for mode in Mode::ALL {
        let s = generate(&GenParams::new(4096, 256, 1, mode))?;
        let text = write_snapshot(&s);
        let (rm, rb, parsed) = times(p, || parse_snapshot(&text, "bench"));
        if parsed.as_ref() != Ok(&s) {
            return Err(CliError::new("bench: the snapshot read back differs"));
        }
        let (sm, sb, _) = times(p, || parse_snapshot_explaining(&text, "bench"));
        let result = yuma::epoch::run_snapshot(&s, None);
        let (wm, wb, out) = times(p, || result_json(&result, false));
        say!(
            "{:<10} {:>6.2} MB {:>22} {:>22} {:>7.2} MB {:>22}",
            mode.label(),
            text.len() as f64 / 1e6,
            cell(text.len(), (rm, rb)),
            cell(text.len(), (sm, sb)),
            out.len() as f64 / 1e6,
            cell(out.len(), (wm, wb))
        );
    }
    say!();
    Ok(())
}

/// The goldens folder: `$YUMA_GOLDENS`, else `../shared/goldens`.
fn goldens() -> PathBuf {
    std::env::var_os("YUMA_GOLDENS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/goldens"))
}

/// Runs this executable with `args` (and `RAYON_NUM_THREADS=1` when `one_thread`); fails with
/// its stderr.
fn run_self(args: &[&std::ffi::OsStr], one_thread: bool) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(args);
    if one_thread {
        cmd.env("RAYON_NUM_THREADS", "1");
    } else {
        cmd.env_remove("RAYON_NUM_THREADS");
    }
    let out = cmd.output().map_err(|e| format!("cannot run yuma: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Whole processes: `yuma epoch --backend cpu FILE -o OUT` timed from spawn to exit (median),
/// with `RAYON_NUM_THREADS=1` and with every core; inputs made by `yuma gen` in a temporary
/// folder (removed afterwards).
pub fn process_table(p: Policy) -> Result<(), CliError> {
    let dir = std::env::temp_dir().join(format!("yuma-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
    let result = process_rows(p, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn process_rows(p: Policy, dir: &Path) -> Result<(), CliError> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    say!(
        "whole process, file in → file out: yuma epoch --backend cpu FILE -o OUT (median wall time)"
    );
    say!(
        "{:<48} {:>10} {:>12} {:>8} {:>12} {:>8} {:>10}",
        "input",
        "chain",
        "1 thread",
        "× chain",
        format!("{cpus} threads"),
        "× chain",
        "MB"
    );
    for (i, case) in CASES.iter().enumerate() {
        let input = if case.gen.is_empty() {
            let golden = goldens().join(GOLDEN).join("snapshot.json");
            if !golden.is_file() {
                say!(
                    "{:<48} skipped: {} not found (set YUMA_GOLDENS)",
                    case.label,
                    golden.display()
                );
                continue;
            }
            golden
        } else {
            let file = dir.join(format!("case{i}.json"));
            let mut args: Vec<&std::ffi::OsStr> = vec!["gen".as_ref()];
            args.extend(case.gen.split_whitespace().map(std::ffi::OsStr::new));
            args.extend(["-o".as_ref(), file.as_os_str()]);
            run_self(&args, false).map_err(CliError::new)?;
            file
        };
        let out = dir.join(format!("case{i}.epoch.json"));
        let args: Vec<&std::ffi::OsStr> = vec![
            "epoch".as_ref(),
            "--backend".as_ref(),
            "cpu".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        let mut cells = Vec::new();
        for one_thread in [true, false] {
            let (t, ()) = measure(p, || run_self(&args, one_thread)).map_err(CliError::new)?;
            cells.push(t);
        }
        let ratio = |t: Duration| case.chain_ms / (t.as_secs_f64() * 1e3);
        let mb = std::fs::metadata(&input).map_or(0.0, |m| m.len() as f64 / 1e6);
        say!(
            "{:<48} {:>10} {:>12} {:>7.1}× {:>12} {:>7.1}× {:>10.2}",
            case.label,
            format_time(Duration::from_secs_f64(case.chain_ms / 1e3)),
            format_time(cells[0]),
            ratio(cells[0]),
            format_time(cells[1]),
            ratio(cells[1]),
            mb
        );
    }
    say!(
        "chain = the chain's own epoch code as a whole process on the same file (median, 2-core \
VM, issue 10); × chain = chain time ÷ yuma time"
    );
    say!();
    Ok(())
}
