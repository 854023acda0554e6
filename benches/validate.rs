//! Criterion benches of validation: what checking a recorded epoch costs on top of computing it.
//!
//! Group `validate` on one generated 256-uid subnet (64 validators; Yuma 2 and Yuma 3):
//! - `epoch`: the CPU epoch alone;
//! - `epoch+validate`: the epoch, the comparison with its recorded cut, and both report forms
//!   (text and JSON) — the work `yuma validate` does per folder after reading its files;
//! - `compare+report`: the comparison and both report forms alone, on an epoch computed before;
//! - `read_recorded`: parsing and validating the recorded document.
//!
//! `cargo bench --bench validate`; `-- --test` runs each once (the CI smoke).
//! Whole-process timing over 100 folders: `scripts/bench-validate.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use yuma::engine::{CpuEngine, Engine};
use yuma::gen::{generate, GenParams, Mode};
use yuma::recorded::{parse_recorded, recorded_from_epoch, recorded_json};
use yuma::validate::{report_json, report_text, validate, FolderOutcome, ReportDocument};

/// The comparison and both report forms (text and JSON) of one computed epoch.
fn compare_and_report(
    computed: &yuma::output::EpochResult,
    recorded: &yuma::recorded::Recorded,
) -> (String, String) {
    let report = validate(computed, recorded).expect("same epoch");
    let shown = report_text(&report, 20);
    let doc = ReportDocument {
        backend: "cpu".into(),
        outcomes: vec![FolderOutcome {
            snapshot: "snapshot.json".into(),
            recorded: "recorded.json".into(),
            result: Ok(report),
        }],
    };
    (shown, report_json(&doc))
}

fn bench_validate(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate");
    for (label, mode) in [("yuma2", Mode::Yuma2), ("yuma3", Mode::Yuma3)] {
        let s = generate(&GenParams::new(256, 64, 1, mode)).expect("valid generator parameters");
        let recorded = recorded_from_epoch(&CpuEngine.run(&s).expect("cpu"));
        let text = recorded_json(&recorded);
        g.bench_function(BenchmarkId::new("epoch", label), |b| {
            b.iter(|| black_box(CpuEngine.run(black_box(&s)).expect("cpu")))
        });
        g.bench_function(BenchmarkId::new("epoch+validate", label), |b| {
            b.iter(|| {
                let computed = CpuEngine.run(black_box(&s)).expect("cpu");
                black_box(compare_and_report(&computed, &recorded))
            })
        });
        let computed = CpuEngine.run(&s).expect("cpu");
        g.bench_function(BenchmarkId::new("compare+report", label), |b| {
            b.iter(|| black_box(compare_and_report(black_box(&computed), &recorded)))
        });
        g.bench_function(BenchmarkId::new("read_recorded", label), |b| {
            b.iter(|| black_box(parse_recorded(black_box(&text), "recorded.json").expect("valid")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
