//! Each GPU kernel against its CPU twin on the same inputs: the GPU's intermediate stages,
//! read back and labelled as the CPU trace labels them, must equal the CPU trace stage by stage
//! (the first differing stage is the failing kernel, since every earlier stage fed it the same
//! inputs). Awkward sizes around the 64/256-wide workgroups, duplicate and out-of-range uids.

mod common;

use yuma::epoch::epoch_mechanism;
use yuma::epoch::trace::Trace;
use yuma::snapshot::{Layout, Snapshot};

const STAGES: [&str; 11] = [
    "Normalised Stake",
    "new_validator_permits",
    "Active Stake",
    "Weights (mask+norm)",
    "Consensus",
    "Clipped Weights",
    "Validator Trust",
    "Incentive (=Rank)",
    "yuma: weights_for_bonds",
    "Dividends",
    "yuma: ema_bonds final",
];

/// A random single-mechanism snapshot of exactly `n` uids.
fn snapshot_of_size(seed: u64, n: usize) -> Snapshot {
    let mut s = common::random::random_snapshot(seed, n);
    let mut tries = seed;
    while usize::from(s.n) != n {
        tries = tries.wrapping_add(0x1000);
        s = common::random::random_snapshot(tries, n);
    }
    s.mechanisms.truncate(1);
    s.layout = Layout::Single;
    s
}

fn stage_value<'a>(t: &'a Trace, label: &str) -> &'a str {
    &t.stages
        .iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("CPU trace has no stage {label}"))
        .1
}

#[test]
fn every_kernel_matches_its_cpu_twin_on_awkward_sizes() {
    let Some(mut gpu) =
        common::gpu::gpu_engine("every_kernel_matches_its_cpu_twin_on_awkward_sizes")
    else {
        return;
    };
    let epoch = gpu.epoch_mut();
    let mut checked = 0;
    for (k, &n) in [1usize, 2, 63, 64, 65, 255, 256, 257, 4097]
        .iter()
        .enumerate()
    {
        let variants = if n > 1000 { 2 } else { 6 };
        for v in 0..variants {
            let mut s = snapshot_of_size(1000 * k as u64 + v, n);
            if n > 1000 {
                // The CPU trace of liquid alpha is a dense n×n matrix; keep this size cheap.
                s.hyperparams.liquid_alpha_enabled = false;
                // At most 900 validators: the software adapter refuses more (see
                // `software_limits`); the kernel for more is checked by the test below.
                let mut kept = 0;
                for p in s.validator_permit.iter_mut() {
                    kept += usize::from(*p);
                    *p &= kept <= 900;
                }
            }
            let m = &s.mechanisms[0];
            let mut cpu = Trace::default();
            epoch_mechanism(&s, m, s.rao_emission, Some(&mut cpu));
            let mut gpu_trace = Trace::default();
            epoch
                .run_mechanism_captured(&s, m, s.rao_emission, Some(&mut gpu_trace))
                .unwrap_or_else(|e| panic!("n = {n}, variant {v}: {e}"));
            for label in STAGES {
                let want = stage_value(&cpu, label);
                let got = stage_value(&gpu_trace, label);
                assert!(
                    want == got,
                    "n = {n}, variant {v} (yuma3 = {}, liquid = {}, penalty = {}): first differing stage `{label}`\n  cpu: {}\n  gpu: {}",
                    s.hyperparams.yuma3_enabled,
                    s.hyperparams.liquid_alpha_enabled,
                    s.hyperparams.bonds_penalty,
                    &want[..want.len().min(400)],
                    &got[..got.len().min(400)]
                );
            }
            checked += 1;
        }
    }
    eprintln!("{checked} snapshots: every stage equal");
}

/// `s` on the GPU: on a hardware GPU equal to the CPU; on the software adapter refused with an
/// error containing `why` (`must_refuse`: it may not run there at all), never computed wrong.
fn exact_or_refused(gpu: &mut yuma::gpu::GpuEngine, s: &Snapshot, why: &str, must_refuse: bool) {
    let cpu = yuma::epoch::run_snapshot(s, None);
    match gpu.run_snapshot(s) {
        Ok(got) => {
            assert!(
                !(must_refuse && gpu.context().is_software()),
                "{why}: the software adapter must refuse it"
            );
            let diffs = yuma::compare::compare(&cpu, &got);
            assert!(diffs.is_empty(), "{why}: first difference: {}", diffs[0]);
        }
        Err(e) => {
            assert!(
                gpu.context().is_software(),
                "{why}: a hardware GPU must compute it: {e}"
            );
            assert!(e.to_string().contains(why), "the refusal says why: {e}");
        }
    }
}

/// More than 1,024 validators: on a hardware GPU the thread-per-column consensus kernel runs and
/// must equal the CPU; on the software adapter the epoch is refused with a clear error, never
/// computed wrong.
#[test]
fn many_validators_are_exact_or_refused() {
    let Some(mut gpu) = common::gpu::gpu_engine("many_validators_are_exact_or_refused") else {
        return;
    };
    let mut s = yuma::gen::generate(&yuma::gen::GenParams::new(
        2048,
        1400,
        7,
        yuma::gen::Mode::Yuma2,
    ))
    .expect("valid");
    s.hyperparams.max_allowed_validators = 2048;
    exact_or_refused(&mut gpu, &s, "validators", false);
}

/// Rows whose columns repeat, so long that one invocation would walk past what the software
/// adapter allows: 60,001 entries naming column 0 (the column lists' walk of the row), and 40,000
/// (the column-wise kernels' two passes over column 0). llvmpipe refuses each epoch, saying why;
/// a hardware GPU computes it exactly.
#[test]
fn long_repeating_rows_are_exact_or_refused() {
    let Some(mut gpu) = common::gpu::gpu_engine("long_repeating_rows_are_exact_or_refused") else {
        return;
    };
    for (len, why) in [
        (60_001, "do not strictly increase"),
        (40_000, "a column of 40000 weight entries"),
    ] {
        let mut s =
            yuma::gen::generate(&yuma::gen::GenParams::new(4, 2, 3, yuma::gen::Mode::Yuma2))
                .expect("valid");
        s.mechanisms[0].weights[0] = vec![(0, 1); len];
        exact_or_refused(&mut gpu, &s, why, true);
    }
}
