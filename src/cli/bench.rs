//! `yuma bench`: epoch timings over generated subnets, one column per engine.

mod gpu_batches;
mod process;

use std::time::{Duration, Instant};

use clap::Args;

use super::backend::{make_engine, Backend};
use super::CliError;
use yuma::compare::compare;
use yuma::engine::{CpuEngine, Engine};
use yuma::epoch::trace::Trace;
use yuma::gen::{generate, GenParams, Mode};
use yuma::output::EpochResult;
use yuma::snapshot::Snapshot;

/// Time whole epochs on generated subnets.
///
/// Prints one row per size and mode (Yuma 2, Yuma 3, Yuma 3 + liquid alpha) for n = 256 (64
/// validators), 1,024 (128), 4,096 (256), 16,384 (256), 65,535 (1,024; GPU only) and a batch
/// of 128 subnets × n = 256, with the median time per epoch and epochs per second of:
///
/// - chain-eq cpu (n ≤ 4,096): `epoch::run_snapshot` recording a trace — the chain-equivalent
///   computation: the dense n×n liquid-alpha matrix is built as `--trace` builds it and every
///   stage is serialized;
///
/// - each engine: `Engine::run` (`run_many` with all subnets for the batch rows) on snapshots
///   already in memory — JSON reading and writing are not timed. The first engine is the exact
///   CPU engine; another engine (the GPU) also gets a speedup column (cpu time ÷ its time), and
///   its results are compared with the CPU's bit for bit (a difference prints MISMATCH).
///
/// Then two file-in, file-out tables: reading + validating a snapshot and writing its epoch.json
/// (MB/s on one thread, n = 4,096), and whole `yuma epoch --backend cpu FILE -o OUT` processes
/// on issue 10's inputs (a 4,096-uid golden and `yuma gen` subnets) with `RAYON_NUM_THREADS=1`
/// and with every core, next to the chain's own whole-process time on the same file.
///
/// Snapshots come from `yuma gen` with fixed seeds. Each cell is the median of up to 15 runs
/// after one warm-up, within a few seconds per cell. --quick: n = 256 and 1,024 and the batch of
/// 128 subnets, 3 runs per cell.
#[derive(Args)]
pub struct BenchArgs {
    /// Small sizes and few runs (well under a minute on two CPU cores).
    #[arg(long)]
    pub quick: bool,
    /// Engines to time next to the CPU engine: auto (the GPU when available), cpu (CPU only),
    /// gpu (fail if the GPU engine is not available).
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Runs per cell (after the warm-up), overriding the default.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub reps: Option<u32>,
    /// Subnet-epochs in the large GPU batch of the GPU batch table (default 2,550, a
    /// network-day; 255 on a software adapter, 64 with --quick there).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub gpu_batch: Option<u64>,
    /// Only the GPU batch table (no per-size table).
    #[arg(long)]
    pub gpu_batches_only: bool,
    /// Host rehearsals per GPU batch size: the batch's host steps (sizing, packing into the
    /// mapped upload, reading the results back into outputs) run again this many times on the
    /// buffers of its warm-up run, without the kernels, for a median host time per subnet-epoch
    /// (0: none).
    #[arg(long, default_value_t = 15)]
    pub host_reps: u32,
}

/// One row group: a subnet size, or a batch of subnets of one size.
#[derive(Clone, Debug)]
struct Case {
    n: u32,
    validators: u32,
    subnets: usize,
    /// Too large for the CPU at bench time: only non-CPU engines run it.
    gpu_only: bool,
}

impl Case {
    fn label(&self) -> String {
        let base = format!("n={} v={}", self.n, self.validators);
        if self.subnets > 1 {
            format!("{} × {base}", self.subnets)
        } else {
            base
        }
    }
}

/// Largest n at which the chain-equivalent (dense) computation is timed.
const CHAIN_EQ_MAX_N: u32 = 4096;

/// Largest n timed on a software adapter (llvmpipe emulates the GPU on the CPU cores).
const SOFTWARE_ADAPTER_MAX_N: u32 = 4096;

fn cases(quick: bool) -> Vec<Case> {
    let one = |n, validators, gpu_only| Case {
        n,
        validators,
        subnets: 1,
        gpu_only,
    };
    let batch = |subnets| Case {
        n: 256,
        validators: 64,
        subnets,
        gpu_only: false,
    };
    if quick {
        return vec![one(256, 64, false), one(1024, 128, false), batch(128)];
    }
    vec![
        one(256, 64, false),
        one(1024, 128, false),
        one(4096, 256, false),
        one(16_384, 256, false),
        one(65_535, 1024, true),
        batch(128),
    ]
}

/// Repetition policy: `reps` timed runs after a warm-up, fewer once `budget` is spent.
#[derive(Clone, Copy)]
struct Policy {
    reps: usize,
    budget: Duration,
}

/// The median of the timed runs of `f` (its warm-up result is returned for comparison). A
/// warm-up longer than the budget is the only sample.
fn measure<T>(
    p: Policy,
    mut f: impl FnMut() -> Result<T, String>,
) -> Result<(Duration, T), String> {
    let t = Instant::now();
    let first = f()?;
    let warm = t.elapsed();
    if warm >= p.budget {
        return Ok((warm, first));
    }
    let start = Instant::now();
    let mut times = Vec::with_capacity(p.reps);
    while times.len() < p.reps && (times.len() < 3 || start.elapsed() < p.budget) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], first))
}

/// A timed cell: the median for the whole case (all subnets), or why there is none.
enum Cell {
    Time(Duration),
    Mismatch(String),
    Skipped(String),
    Absent,
}

fn run_engine(engine: &mut dyn Engine, snaps: &[Snapshot]) -> Result<Vec<EpochResult>, String> {
    if snaps.len() == 1 {
        return engine.run(&snaps[0]).map(|r| vec![r]).map_err(|e| e.0);
    }
    let refs: Vec<&Snapshot> = snaps.iter().collect();
    engine
        .run_many(&refs)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.0)
}

fn chain_equivalent(snaps: &[Snapshot]) -> Result<Vec<EpochResult>, String> {
    Ok(snaps
        .iter()
        .map(|s| {
            let mut traces: Vec<Trace> = Vec::new();
            yuma::epoch::run_snapshot(s, Some(&mut traces))
        })
        .collect())
}

/// The first difference between two runs of the same snapshots, if any.
fn difference(reference: &[EpochResult], got: &[EpochResult]) -> Option<String> {
    if reference.len() != got.len() {
        return Some(format!("{} results for {}", got.len(), reference.len()));
    }
    reference
        .iter()
        .zip(got)
        .enumerate()
        .find_map(|(i, (r, g))| compare(r, g).first().map(|d| format!("subnet {i}: {d}")))
}

pub fn run(a: BenchArgs) -> Result<(), CliError> {
    if a.gpu_batches_only {
        return gpu_batch_table(&a);
    }
    let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(CpuEngine)];
    if a.backend != Backend::Cpu {
        let other = make_engine(a.backend)?;
        if a.backend == Backend::Gpu || other.name() != engines[0].name() {
            engines.push(other);
        }
    }
    let policy = Policy {
        reps: a.reps.map_or(if a.quick { 3 } else { 15 }, |r| r as usize),
        budget: Duration::from_secs_f64(if a.quick { 0.5 } else { 4.0 }),
    };
    let names: Vec<String> = engines.iter().map(|e| e.name()).collect();
    print_preamble(&names, policy, a.quick);
    let mut table = Table::new(&names);
    for case in cases(a.quick) {
        for mode in Mode::ALL {
            let runnable = !case.gpu_only || engines.len() > 1;
            if !runnable {
                table.skipped_row(&case, mode, "GPU only, and no GPU engine is available");
                continue;
            }
            let snaps: Vec<Snapshot> = (0..case.subnets)
                .map(|i| {
                    let mut p = GenParams::new(case.n, case.validators, 1 + i as u64, mode);
                    p.netuid = (i % 4096) as u16;
                    generate(&p)
                })
                .collect::<Result<_, _>>()?;
            let row = time_case(&case, &snaps, &mut engines, policy);
            table.row(&case, mode, row);
        }
    }
    table.print();
    say!();
    process::io_table(policy)?;
    process::process_table(policy)?;
    gpu_batch_table(&a)
}

/// The GPU part: the batch table (dispatches per batch, host and GPU time per subnet-epoch) of
/// the GPU engine, when one was asked for and is available.
fn gpu_batch_table(a: &BenchArgs) -> Result<(), CliError> {
    use yuma::gpu::AdapterChoice;
    let choice = match a.backend {
        Backend::Cpu => return Ok(()),
        Backend::Gpu => AdapterChoice::Any,
        Backend::Auto => AdapterChoice::HardwareOnly,
    };
    let sizes = gpu_batches::Sizes {
        big: a.gpu_batch.map(|k| k as usize),
        quick: a.quick,
        reps: a.reps,
        host_reps: a.host_reps as usize,
    };
    match gpu_batches::run(choice, &sizes) {
        Err(e) if a.backend == Backend::Auto => {
            say!("GPU batches: skipped ({e})");
            Ok(())
        }
        r => r,
    }
}

/// The chain-equivalent cell and one cell per engine for one case.
fn time_case(
    case: &Case,
    snaps: &[Snapshot],
    engines: &mut [Box<dyn Engine>],
    policy: Policy,
) -> (Cell, Vec<Cell>) {
    let mut reference: Option<Vec<EpochResult>> = None;
    let mut cells = Vec::with_capacity(engines.len());
    for (k, engine) in engines.iter_mut().enumerate() {
        if k == 0 && case.gpu_only {
            cells.push(Cell::Skipped("GPU only (n² work on the CPU)".into()));
            continue;
        }
        if engine.is_software_adapter() && case.n > SOFTWARE_ADAPTER_MAX_N {
            cells.push(Cell::Skipped(format!(
                "software adapter: rows above n = {SOFTWARE_ADAPTER_MAX_N} left out"
            )));
            continue;
        }
        let cell = match measure(policy, || run_engine(engine.as_mut(), snaps)) {
            Err(e) => Cell::Skipped(e),
            Ok((t, results)) => match reference.as_deref().and_then(|r| difference(r, &results)) {
                Some(d) => Cell::Mismatch(d),
                None => {
                    reference.get_or_insert(results);
                    Cell::Time(t)
                }
            },
        };
        cells.push(cell);
    }
    let chain = if case.n > CHAIN_EQ_MAX_N {
        Cell::Absent
    } else {
        match measure(policy, || chain_equivalent(snaps)) {
            Err(e) => Cell::Skipped(e),
            Ok((t, results)) => match reference.as_deref().and_then(|r| difference(r, &results)) {
                Some(d) => Cell::Mismatch(d),
                None => Cell::Time(t),
            },
        }
    };
    (chain, cells)
}

fn print_preamble(names: &[String], p: Policy, quick: bool) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    say!(
        "yuma bench{}: engines {}; {} CPU threads available",
        if quick { " --quick" } else { "" },
        names.join(", "),
        cpus
    );
    say!(
        "per cell: median of up to {} runs after a warm-up (fewer after {:.1} s); time per epoch",
        p.reps,
        p.budget.as_secs_f64()
    );
    say!(
        "chain-eq cpu = epoch::run_snapshot with a trace (dense n×n liquid alpha, every stage \
serialized), n ≤ {CHAIN_EQ_MAX_N}; engines = Engine::run / run_many on parsed snapshots"
    );
    say!();
}

fn format_time(t: Duration) -> String {
    let ms = t.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{:.1} µs", ms * 1e3)
    } else if ms < 1000.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

/// The text table: rows of cells, printed with padded columns.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    engines: usize,
}

impl Table {
    fn new(engines: &[String]) -> Self {
        let mut header: Vec<String> = ["case", "mode", "chain-eq cpu"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (k, name) in engines.iter().enumerate() {
            header.push(name.clone());
            header.push("epochs/s".into());
            if k > 0 {
                header.push(format!("speedup vs {}", engines[0]));
            }
        }
        Table {
            header,
            rows: Vec::new(),
            engines: engines.len(),
        }
    }

    fn skipped_row(&mut self, case: &Case, mode: Mode, why: &str) {
        self.rows.push(vec![
            case.label(),
            mode.label().into(),
            format!("skipped: {why}"),
        ]);
    }

    fn row(&mut self, case: &Case, mode: Mode, (chain, cells): (Cell, Vec<Cell>)) {
        let per_epoch = |t: Duration| t / case.subnets as u32;
        let text = |c: &Cell| match c {
            Cell::Time(t) => format_time(per_epoch(*t)),
            Cell::Mismatch(d) => format!("MISMATCH: {d}"),
            Cell::Skipped(why) => format!("skipped: {why}"),
            Cell::Absent => "—".into(),
        };
        let mut row = vec![case.label(), mode.label().into(), text(&chain)];
        let base = match cells.first() {
            Some(Cell::Time(t)) => Some(*t),
            _ => None,
        };
        for (k, c) in cells.iter().enumerate() {
            row.push(text(c));
            row.push(match c {
                Cell::Time(t) => format!("{:.1}", case.subnets as f64 / t.as_secs_f64()),
                _ => String::new(),
            });
            if k > 0 {
                row.push(match (base, c) {
                    (Some(b), Cell::Time(t)) => {
                        format!("{:.2}×", b.as_secs_f64() / t.as_secs_f64())
                    }
                    _ => String::new(),
                });
            }
        }
        debug_assert_eq!(row.len(), 3 + 3 * self.engines - 1);
        self.rows.push(row);
    }

    fn print(&self) {
        let cols = self.header.len();
        let mut width = vec![0usize; cols];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            // A skipped row's reason runs across the engine columns.
            if r.len() < cols {
                continue;
            }
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |r: &[String]| {
            let cells: Vec<String> = r
                .iter()
                .zip(&width)
                .map(|(c, &w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
                .collect();
            say!("{}", cells.join("  ").trim_end());
        };
        line(&self.header);
        for r in &self.rows {
            line(r);
        }
    }
}
