//! Every golden case on the GPU path, bit for bit (CI runs this on lavapipe).

mod common;

use yuma::compare::compare;
use yuma::output::read_epoch;
use yuma::snapshot::read_snapshot;

#[test]
fn every_golden_is_bit_identical_on_the_gpu() {
    let Some(mut gpu) = common::gpu::gpu_engine("every_golden_is_bit_identical_on_the_gpu") else {
        return;
    };
    let cases = common::case_dirs(&common::goldens_dir());
    assert!(
        cases.len() >= 161,
        "expected every golden case, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let snapshot = read_snapshot(&case.join("snapshot.json")).expect("valid golden snapshot");
        let expected = read_epoch(&case.join("epoch.json")).expect("valid golden epoch");
        match gpu.run_snapshot(&snapshot) {
            Ok(got) => {
                let diffs = compare(&expected, &got);
                if let Some(first) = diffs.first() {
                    failures.push(format!(
                        "{}: {} differences, first: {first}",
                        case.display(),
                        diffs.len()
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", case.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ on the GPU:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn batched_submission_equals_the_goldens() {
    let Some(mut gpu) = common::gpu::gpu_engine("batched_submission_equals_the_goldens") else {
        return;
    };
    let cases = common::case_dirs(&common::goldens_dir());
    let loaded: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c.clone(),
                read_snapshot(&c.join("snapshot.json")).expect("valid golden snapshot"),
                read_epoch(&c.join("epoch.json")).expect("valid golden epoch"),
            )
        })
        .collect();
    let mut failures = Vec::new();
    for chunk in loaded.chunks(40) {
        let snaps: Vec<&_> = chunk.iter().map(|(_, s, _)| s).collect();
        for ((case, _, expected), got) in chunk.iter().zip(gpu.run_snapshots(&snaps)) {
            match got {
                Ok(got) => {
                    if let Some(first) = compare(expected, &got).first() {
                        failures.push(format!("{}: {first}", case.display()));
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", case.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "batched GPU results differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn kernel_timing_does_not_change_results() {
    let Some(mut gpu) = common::gpu::gpu_engine("kernel_timing_does_not_change_results") else {
        return;
    };
    let has = gpu.epoch_mut().set_timing(true);
    let case = common::goldens_dir().join("edge/liquid_alpha_on_yuma3");
    let snapshot = read_snapshot(&case.join("snapshot.json")).expect("valid");
    let expected = read_epoch(&case.join("epoch.json")).expect("valid");
    let got = gpu.run_snapshot(&snapshot).expect("runs");
    assert!(compare(&expected, &got).is_empty());
    assert_eq!(
        gpu.epoch_mut().last_kernel_time.is_some(),
        has,
        "a kernel time exactly when the adapter has timestamps"
    );
}
