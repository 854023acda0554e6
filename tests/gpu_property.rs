//! GPU == CPU on hundreds of random snapshots in every state the chain can hold (duplicates,
//! unsorted rows, uids ≥ n, huge stakes, extreme hyperparameters, 1–4 mechanisms), on every
//! output field.

mod common;

use yuma::compare::compare;
use yuma::epoch::run_snapshot;

/// How many random snapshots; `YUMA_PROPERTY_CASES` raises it for longer runs.
fn cases() -> u64 {
    std::env::var("YUMA_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

#[test]
fn gpu_equals_cpu_on_random_snapshots() {
    let Some(mut gpu) = common::gpu::gpu_engine("gpu_equals_cpu_on_random_snapshots") else {
        return;
    };
    let mut failures = Vec::new();
    let count = cases();
    for seed in 0..count {
        let s = common::random::random_snapshot(0xC0FFEE ^ seed.wrapping_mul(0x9E37_79B9), 300);
        let text = yuma::snapshot::write_snapshot(&s);
        let parsed = yuma::snapshot::parse_snapshot(&text, "random")
            .expect("the writer's output reads back");
        assert_eq!(parsed, s, "seed {seed}: snapshot round trip");
        let cpu = run_snapshot(&s, None);
        match gpu.run_snapshot(&s) {
            Ok(got) => {
                let diffs = compare(&cpu, &got);
                if !diffs.is_empty() {
                    failures.push(format!(
                        "seed {seed} (n = {}, yuma3 = {}, liquid = {}, mechanisms = {}): {} differences, first: {}",
                        s.n,
                        s.hyperparams.yuma3_enabled,
                        s.hyperparams.liquid_alpha_enabled,
                        s.mechanisms.len(),
                        diffs.len(),
                        diffs[0]
                    ));
                }
            }
            Err(e) => failures.push(format!("seed {seed}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} random snapshots differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{count} random snapshots: GPU == CPU on every field");
}
