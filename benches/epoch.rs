//! Criterion benches: the whole epoch per engine, and the heaviest CPU stages.
//!
//! Groups:
//! - `epoch/cpu`: `CpuEngine::run` on generated subnets, n = 256 (64 validators), 1,024 (128),
//!   4,096 (256), each in Yuma 2, Yuma 3 and Yuma 3 + liquid alpha, and `run_many` over a batch
//!   of 128 subnets × n = 256. A GPU group is one more [`bench_engine`] call with its engine and
//!   sizes (65,535 included).
//! - `epoch/chain_eq_cpu`: the reference recording a trace (the chain-equivalent computation with
//!   its dense n×n liquid-alpha matrix), n ≤ 4,096.
//! - `epoch/gpu` and `epoch/gpu_kernels`: the GPU engine upload to result, and its kernel time
//!   from timestamp queries (hardware: n up to 65,535; a software adapter stops at 4,096).
//! - `epoch/gpu_batch_host`: the host's share (packing + encoding + readback, `BatchStats::host`)
//!   of a GPU batch of subnet-epochs (n = 256, Yuma 2 and 3 alternating): 2,550 (a network-day)
//!   on a hardware GPU, 8 on a software adapter; throughput in subnet-epochs.
//! - `stage/consensus`: `epoch::consensus::weighted_median_cols`.
//! - `stage/bonds_ema`: the Yuma 3 bonds EMA with a fixed α (`ema_fixed_alpha`) and with liquid
//!   alpha (`ema_liquid_alpha`).
//!
//! `cargo bench --bench epoch` runs them all with bounded samples (about two minutes on two
//! cores). `YUMA_BENCH_QUICK=1` keeps n = 256 and a batch of 8 with short measurements;
//! `cargo bench --bench epoch -- --test` runs every bench once (the CI smoke).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use yuma::engine::{CpuEngine, Engine};
use yuma::epoch::bonds::liquid_alpha::{ema_liquid_alpha, LiquidAlphaParams};
use yuma::epoch::bonds::{self, yuma3};
use yuma::epoch::{consensus, incentive, permits, stake, weights};
use yuma::fixed::{u16_proportion, Sparse, I32F32};
use yuma::gen::{generate, GenParams, Mode};
use yuma::gpu::epoch::InputPacker;
use yuma::gpu::layout::{EpochLayout, Wanted};
use yuma::gpu::{AdapterChoice, GpuEngine};
use yuma::snapshot::Snapshot;

/// `(n, validators)` of the single-subnet benches.
fn sizes() -> Vec<(u32, u32)> {
    if common::quick() {
        vec![(256, 64)]
    } else {
        vec![(256, 64), (1024, 128), (4096, 256)]
    }
}

/// Subnets in the batch bench (each n = 256, 64 validators).
fn batch_size() -> usize {
    if common::quick() {
        8
    } else {
        128
    }
}

fn subnet(n: u32, validators: u32, seed: u64, mode: Mode) -> Snapshot {
    generate(&GenParams::new(n, validators, seed, mode)).expect("valid generator parameters")
}

/// Benches one engine on every size and mode, and on the batch.
fn bench_engine(c: &mut Criterion, name: &str, engine: &mut dyn Engine, sizes: &[(u32, u32)]) {
    bench_engine_rows(c, name, engine, sizes, true);
}

/// `bench_engine`, with the 128-subnet batch only when `batch` is set.
fn bench_engine_rows(
    c: &mut Criterion,
    name: &str,
    engine: &mut dyn Engine,
    sizes: &[(u32, u32)],
    batch: bool,
) {
    let mut group = c.benchmark_group(format!("epoch/{name}"));
    for &(n, v) in sizes {
        for mode in Mode::ALL {
            let s = subnet(n, v, 1, mode);
            group.throughput(Throughput::Elements(1));
            group.bench_with_input(
                BenchmarkId::new(mode.label(), format!("n{n}_v{v}")),
                &s,
                |b, s| b.iter(|| engine.run(black_box(s)).expect("engine runs")),
            );
        }
    }
    let count = batch_size();
    for mode in Mode::ALL.into_iter().filter(|_| batch) {
        let snaps: Vec<Snapshot> = (0..count)
            .map(|i| subnet(256, 64, 1 + i as u64, mode))
            .collect();
        let refs: Vec<&Snapshot> = snaps.iter().collect();
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(
            BenchmarkId::new(mode.label(), format!("batch{count}_n256_v64")),
            &refs,
            |b, refs| b.iter(|| engine.run_many(black_box(refs))),
        );
    }
    group.finish();
}

/// CPU sizes: the common sizes plus n = 16,384 (256 validators).
fn cpu_sizes() -> Vec<(u32, u32)> {
    let mut v = sizes();
    if !common::quick() {
        v.push((16384, 256));
    }
    v
}

fn epoch_cpu(c: &mut Criterion) {
    bench_engine(c, "cpu", &mut CpuEngine, &cpu_sizes());
}

/// The chain-equivalent computation: the reference recording a trace, which builds the dense
/// n×n liquid-alpha matrix as the chain does. Only up to n = 4,096.
fn epoch_chain_equivalent(c: &mut Criterion) {
    let mut group = c.benchmark_group("epoch/chain_eq_cpu");
    for (n, v) in sizes().into_iter().filter(|&(n, _)| n <= 4096) {
        for mode in Mode::ALL {
            let s = subnet(n, v, 1, mode);
            group.bench_with_input(
                BenchmarkId::new(mode.label(), format!("n{n}_v{v}")),
                &s,
                |b, s| {
                    b.iter(|| {
                        let mut traces = Vec::new();
                        yuma::epoch::run_snapshot(black_box(s), Some(&mut traces))
                    })
                },
            );
        }
    }
    group.finish();
}

/// The GPU engine: whole epochs, upload to result (submit and poll to completion), and where the
/// adapter has timestamp queries the kernels' own time. On a software adapter the rows above
/// n = 4,096 are left out.
fn epoch_gpu(c: &mut Criterion) {
    let mut engine = match GpuEngine::new(AdapterChoice::Any) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("epoch/gpu: skipped: {e}");
            return;
        }
    };
    let mut sizes = sizes();
    let software = engine.context().is_software();
    if software {
        eprintln!(
            "epoch/gpu: {} is a software adapter (the GPU emulated on the CPU): rows above n = 4,096, \
             the 128-subnet batch and the kernel-time group are left out",
            engine.context().describe()
        );
    } else if !common::quick() {
        sizes.extend([(16384, 256), (65535, 1024)]);
    }
    bench_engine_rows(c, "gpu", &mut engine, &sizes, !software || common::quick());
    gpu_batch_host(
        c,
        &mut engine,
        if software || common::quick() { 8 } else { 2550 },
    );
    if software {
        return;
    }
    if !engine.epoch_mut().set_timing(true) {
        eprintln!("epoch/gpu_kernels: skipped: the adapter has no timestamp queries");
        return;
    }
    let mut group = c.benchmark_group("epoch/gpu_kernels");
    for &(n, v) in &sizes {
        for mode in Mode::ALL {
            let s = subnet(n, v, 1, mode);
            group.bench_with_input(
                BenchmarkId::new(mode.label(), format!("n{n}_v{v}")),
                &s,
                |b, s| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            engine.run_snapshot(black_box(s)).expect("gpu engine runs");
                            total += engine.epoch_mut().last_kernel_time.unwrap_or_default();
                        }
                        total
                    })
                },
            );
        }
    }
    group.finish();
    engine.epoch_mut().set_timing(false);
}

/// The host time of a GPU batch of `k` subnet-epochs (the GPU's time is not counted).
fn gpu_batch_host(c: &mut Criterion, engine: &mut GpuEngine, k: usize) {
    let snaps: Vec<Snapshot> = (0..k as u64)
        .map(|i| {
            let mode = if i % 2 == 0 { Mode::Yuma2 } else { Mode::Yuma3 };
            subnet(256, 64, 1 + i, mode)
        })
        .collect();
    let refs: Vec<&Snapshot> = snaps.iter().collect();
    let mut group = c.benchmark_group("epoch/gpu_batch_host");
    group.throughput(Throughput::Elements(k as u64));
    group.bench_function(format!("batch{k}_n256_v64"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = engine.take_stats();
                for r in engine.run_many(black_box(&refs)) {
                    r.expect("gpu engine runs");
                }
                total += engine.take_stats().host();
            }
            total
        })
    });
    group.finish();
}

/// The inputs of the consensus and bonds stages, computed with the epoch's own stage functions.
struct StageInputs {
    n: usize,
    active_stake: Vec<I32F32>,
    weights: Sparse,
    kappa: I32F32,
    consensus: Vec<I32F32>,
    weights_for_bonds: Sparse,
    bonds: Sparse,
    alpha: I32F32,
    liquid: LiquidAlphaParams,
}

fn stage_inputs(s: &Snapshot) -> StageInputs {
    let (n, h, m) = (s.len(), &s.hyperparams, &s.mechanisms[0]);
    let owner = s.owner_in_range();
    let inactive = stake::inactive(&m.last_update, h.activity_cutoff, s.block);
    let total = stake::total_stake(
        &s.alpha_stake,
        &s.tao_stake,
        stake::tao_weight(h.tao_weight),
    );
    let normalized = stake::normalize_stake(&stake::filter_stake(&total, h.stake_threshold, owner));
    let old_permits = permits::old_permits(&s.validator_permit, owner);
    let active_stake = stake::active_stake(&normalized, &inactive, &old_permits);
    let w = weights::read_weights(&m.weights, n);
    let w = weights::mask_rows(&w, &old_permits);
    let w = weights::mask_diagonal(&w, s.owner_uid);
    let mut w = weights::mask_outdated(&w, &m.last_update, &s.block_at_registration);
    weights::row_normalize(&mut w);
    let kappa = consensus::kappa_fraction(h.kappa);
    let cons = consensus::weighted_median_cols(&active_stake, &w, n, kappa);
    let clipped = incentive::clip_weights(&w, &cons);
    let wb = bonds::weights_for_bonds(&w, &clipped, n, u16_proportion(h.bonds_penalty));
    let stored = yuma3::read_bonds(&m.bonds);
    let last_tempo = bonds::last_tempo(s.last_mechanism_step_block, s.block, h.tempo);
    StageInputs {
        n,
        active_stake,
        weights: w,
        kappa,
        consensus: cons,
        weights_for_bonds: wb,
        bonds: bonds::mask_recently_registered(&stored, last_tempo, &s.block_at_registration),
        alpha: bonds::alpha_wrapping(h.bonds_moving_average),
        liquid: LiquidAlphaParams::new(h.alpha_low, h.alpha_high, h.alpha_sigmoid_steepness),
    }
}

fn stages(c: &mut Criterion) {
    let inputs: Vec<(String, StageInputs)> = sizes()
        .into_iter()
        .map(|(n, v)| {
            let s = subnet(n, v, 1, Mode::Yuma3LiquidAlpha);
            let x = stage_inputs(&s);
            // The stage inputs must be the epoch's own: check consensus against a whole run.
            let whole = CpuEngine.run(&s).expect("cpu engine");
            let expected = &whole.mechanism_outputs()[0].raw.consensus;
            let got: Vec<i64> = x.consensus.iter().map(|c| c.to_bits()).collect();
            assert_eq!(&got, expected, "bench stage inputs diverge from the epoch");
            (format!("n{n}_v{v}"), x)
        })
        .collect();

    let mut group = c.benchmark_group("stage/consensus");
    for (id, x) in &inputs {
        group.bench_with_input(BenchmarkId::new("weighted_median_cols", id), x, |b, x| {
            b.iter(|| {
                consensus::weighted_median_cols(
                    black_box(&x.active_stake),
                    black_box(&x.weights),
                    x.n,
                    x.kappa,
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("stage/bonds_ema");
    for (id, x) in &inputs {
        group.bench_with_input(BenchmarkId::new("fixed_alpha", id), x, |b, x| {
            b.iter(|| bonds::ema_fixed_alpha(black_box(&x.weights_for_bonds), &x.bonds, x.alpha))
        });
        group.bench_with_input(BenchmarkId::new("liquid_alpha", id), x, |b, x| {
            b.iter(|| {
                ema_liquid_alpha(
                    black_box(&x.weights_for_bonds),
                    &x.bonds,
                    &x.consensus,
                    &x.liquid,
                )
            })
        });
    }
    group.finish();
}

/// The host side of the GPU path that is not a kernel: packing one mechanism's weights and bonds
/// into CSR, and (liquid alpha) each weight row's column order, into the allocations of the epoch
/// before. `layout` is the plain packing the per-stage checks read (it also builds the column
/// lists, which the GPU builds for itself); `engine_writer` is what every GPU epoch does before
/// its upload: every input written into its parts (here plain memory, in a batch the mapped
/// upload).
fn gpu_host_packing(c: &mut Criterion) {
    let mut group = c.benchmark_group("stage/gpu_host_packing");
    for (n, v) in cpu_sizes() {
        let s = subnet(n, v, 1, Mode::Yuma3LiquidAlpha);
        let m = &s.mechanisms[0];
        let mut lay = EpochLayout::default();
        group.bench_with_input(
            BenchmarkId::new("layout", format!("n{n}_v{v}")),
            &s,
            |b, s| b.iter(|| lay.repack(black_box(&m.weights), &m.bonds, s.len(), Wanted::ALL)),
        );
        // What the GPU engine packs for these Yuma 3 + liquid alpha subnets: no column lists
        // (the GPU builds them).
        let yuma3 = Wanted {
            sorted_weights: true,
            columns: false,
        };
        group.bench_with_input(
            BenchmarkId::new("layout_yuma3_liquid", format!("n{n}_v{v}")),
            &s,
            |b, s| b.iter(|| lay.repack(black_box(&m.weights), &m.bonds, s.len(), yuma3)),
        );
        let mut writer = InputPacker::default();
        group.bench_with_input(
            BenchmarkId::new("engine_writer", format!("n{n}_v{v}")),
            &s,
            |b, s| b.iter(|| writer.pack(black_box(s), m).expect("pack")),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = epoch_cpu, epoch_chain_equivalent, epoch_gpu, gpu_host_packing, stages
}
criterion_main!(benches);
