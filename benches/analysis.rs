//! Speed of the analysis commands' cores: a 100-epoch scenario of a 256-uid subnet, and a
//! 1,001-point kappa sweep of one 256-uid epoch (CPU engine, no file I/O).

use criterion::{criterion_group, criterion_main, Criterion};
use yuma::analysis::scenario::{load, run_scenario};
use yuma::analysis::sweep::{parse_axis, run_sweep, Base};
use yuma::engine::CpuEngine;
use yuma::gen::{generate, GenParams, Mode};

fn scenario(c: &mut Criterion) {
    let (sc, _) = load("large_subnet").expect("built-in scenario");
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10);
    g.bench_function("scenario/large_subnet_256uids_100epochs", |b| {
        b.iter(|| run_scenario(&sc, &mut CpuEngine, |_, _, _| Ok(())).expect("runs"))
    });
    let s = generate(&GenParams::new(256, 64, 3, Mode::Yuma3)).expect("generates");
    let axes = [parse_axis("kappa=0:1:0.001").expect("parses")];
    g.bench_function("sweep/kappa_1001_points_256uids", |b| {
        b.iter(|| run_sweep(Base::Snapshot(&s, 1), &axes, &mut CpuEngine, |_| {}).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, scenario);
criterion_main!(benches);
