//! What the criterion benches share: the quick switch and the measurement settings.

use std::time::Duration;

use criterion::Criterion;

/// `YUMA_BENCH_QUICK` set (and not `0`): small sizes and short measurements.
pub fn quick() -> bool {
    std::env::var_os("YUMA_BENCH_QUICK").is_some_and(|v| v != "0" && !v.is_empty())
}

/// 10 samples; 1 s warm-up and 3 s measurement (0.2 s and 0.5 s when quick).
pub fn config() -> Criterion {
    let (warm, measure) = if quick() { (0.2, 0.5) } else { (1.0, 3.0) };
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs_f64(warm))
        .measurement_time(Duration::from_secs_f64(measure))
}
