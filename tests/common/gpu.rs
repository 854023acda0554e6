//! The GPU engine for tests: present, or a loud skip (a failure when `YUMA_REQUIRE_GPU=1`).

use yuma::gpu::{AdapterChoice, GpuEngine};

/// The GPU engine on any adapter. Without one: a failure when `YUMA_REQUIRE_GPU=1` (as CI sets
/// it), otherwise `None` after printing why the test is skipped.
pub fn gpu_engine(test: &str) -> Option<GpuEngine> {
    match GpuEngine::new(AdapterChoice::Any) {
        Ok(g) => Some(g),
        Err(e) if std::env::var("YUMA_REQUIRE_GPU").is_ok_and(|v| v == "1") => {
            panic!("{test}: YUMA_REQUIRE_GPU=1 but the GPU engine is unavailable: {e}")
        }
        Err(e) => {
            eprintln!(
                "{test}: skipped: no GPU adapter ({e}); set YUMA_REQUIRE_GPU=1 to fail instead"
            );
            None
        }
    }
}
