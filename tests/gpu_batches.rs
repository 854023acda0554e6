//! GPU batches: many snapshots of mixed sizes (n = 1, 2, 63, 64, 65, 257, …), Yuma 2 and 3,
//! liquid alpha on and off, one to four mechanisms, submitted together through `run_many`;
//! each epoch of the batch must equal the CPU reference bit for bit, whatever its neighbours
//! and its place in the batch. Also: a repeated batch builds no new bind group.

mod common;

use yuma::compare::compare;
use yuma::engine::Engine;
use yuma::epoch::run_snapshot;
use yuma::gen::{generate, GenParams, Mode};
use yuma::snapshot::Snapshot;

/// Random snapshots (seeds from `start` on) until the batch holds every size in `sizes`, Yuma 2,
/// Yuma 3 without and with liquid alpha, and multi-mechanism snapshots; then the generator's
/// n = 256 subnets in the three modes.
fn mixed_batch(start: u64, sizes: &[u16]) -> Vec<Snapshot> {
    let mut batch = Vec::new();
    let mut missing: Vec<u16> = sizes.to_vec();
    let (mut y2, mut y3, mut la, mut multi) = (false, false, false, false);
    let mut seed = start;
    while !(missing.is_empty() && y2 && y3 && la && multi) || batch.len() < 24 {
        assert!(seed < start + 5000, "no seed gave sizes {missing:?}");
        let s = common::random::random_snapshot(0xBA7C4 ^ seed.wrapping_mul(0x9E37_79B9), 300);
        seed += 1;
        let wanted = missing.contains(&s.n);
        let h = &s.hyperparams;
        let adds = wanted
            || (!h.yuma3_enabled && !y2)
            || (h.yuma3_enabled && !h.liquid_alpha_enabled && !y3)
            || (h.yuma3_enabled && h.liquid_alpha_enabled && !la)
            || (s.mechanisms.len() > 1 && !multi)
            || batch.len() < 24;
        if !adds {
            continue;
        }
        missing.retain(|&n| n != s.n);
        y2 |= !h.yuma3_enabled;
        y3 |= h.yuma3_enabled && !h.liquid_alpha_enabled;
        la |= h.yuma3_enabled && h.liquid_alpha_enabled;
        multi |= s.mechanisms.len() > 1;
        batch.push(s);
    }
    for (k, mode) in Mode::ALL.into_iter().enumerate() {
        batch.push(generate(&GenParams::new(256, 64, 7 + k as u64, mode)).expect("gen"));
    }
    batch
}

fn check_batch(gpu: &mut dyn Engine, batch: &[&Snapshot], what: &str) -> Vec<String> {
    let got = gpu.run_many(batch);
    assert_eq!(got.len(), batch.len(), "{what}: one result per snapshot");
    let mut failures = Vec::new();
    for (k, (s, r)) in batch.iter().zip(got).enumerate() {
        let cpu = run_snapshot(s, None);
        match r {
            Ok(g) => {
                let diffs = compare(&cpu, &g);
                if let Some(d) = diffs.first() {
                    failures.push(format!(
                        "{what}: epoch {k} (n = {}, yuma3 = {}, liquid = {}, mechanisms = {}): {} differences, first: {d}",
                        s.n,
                        s.hyperparams.yuma3_enabled,
                        s.hyperparams.liquid_alpha_enabled,
                        s.mechanisms.len(),
                        diffs.len()
                    ));
                }
            }
            Err(e) => failures.push(format!("{what}: epoch {k} (n = {}): {}", s.n, e.0)),
        }
    }
    failures
}

#[test]
fn mixed_batches_equal_the_cpu_epoch_by_epoch() {
    let Some(mut gpu) = common::gpu::gpu_engine("mixed_batches_equal_the_cpu_epoch_by_epoch")
    else {
        return;
    };
    let batch = mixed_batch(0, &[1, 2, 63, 64, 65, 257]);
    let refs: Vec<&Snapshot> = batch.iter().collect();
    let mut failures = check_batch(&mut gpu, &refs, "the batch");
    // The same epochs in reverse order, and every other one: other neighbours, other places.
    let reversed: Vec<&Snapshot> = refs.iter().rev().copied().collect();
    failures.extend(check_batch(&mut gpu, &reversed, "reversed"));
    let halves: Vec<&Snapshot> = refs.iter().step_by(2).copied().collect();
    failures.extend(check_batch(&mut gpu, &halves, "every other"));
    assert!(
        failures.is_empty(),
        "{} epochs differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "batches of {} mixed snapshots: every epoch equals the CPU",
        batch.len()
    );
}

#[test]
fn a_repeated_batch_builds_no_bind_group() {
    let Some(mut gpu) = common::gpu::gpu_engine("a_repeated_batch_builds_no_bind_group") else {
        return;
    };
    let batch: Vec<Snapshot> = (0..6)
        .map(|i| {
            let mode = Mode::ALL[i % 3];
            generate(&GenParams::new(64 + i as u32, 16, 1 + i as u64, mode)).expect("gen")
        })
        .collect();
    let refs: Vec<&Snapshot> = batch.iter().collect();
    assert!(check_batch(&mut gpu, &refs, "first run").is_empty());
    let first = gpu.take_stats();
    assert!(check_batch(&mut gpu, &refs, "second run").is_empty());
    let second = gpu.take_stats();
    assert_eq!(first.epochs, 6, "one epoch per mechanism");
    assert!(first.dispatches > 0 && first.bind_groups_made > 0);
    assert_eq!(second.dispatches, first.dispatches, "the same launches");
    assert_eq!(
        second.bind_groups_made, 0,
        "a repeated batch reuses every bind group"
    );
}

#[test]
fn launches_do_not_grow_with_the_batch() {
    let Some(mut gpu) = common::gpu::gpu_engine("launches_do_not_grow_with_the_batch") else {
        return;
    };
    // Yuma 2 on odd seeds, Yuma 3 on even ones, as `yuma bench`'s GPU batch rows.
    let subnet = |seed: u64| {
        let mode = if seed.is_multiple_of(2) {
            Mode::Yuma3
        } else {
            Mode::Yuma2
        };
        generate(&GenParams::new(48 + (seed % 5) as u32, 8, seed, mode)).expect("gen")
    };
    let launches = |gpu: &mut yuma::gpu::GpuEngine, batch: &[Snapshot]| {
        let refs: Vec<&Snapshot> = batch.iter().collect();
        let failures = check_batch(gpu, &refs, &format!("a batch of {}", batch.len()));
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        let stats = gpu.take_stats();
        assert_eq!(stats.batches, 1, "one submission");
        stats.dispatches
    };
    let one = launches(&mut gpu, &[subnet(1)]);
    let two = launches(&mut gpu, &[subnet(1), subnet(2)]);
    let many: Vec<Snapshot> = (1..=40).map(subnet).collect();
    let forty = launches(&mut gpu, &many);
    assert_eq!(
        forty, two,
        "40 epochs take the launches of 2 of the same kinds"
    );
    assert!(
        forty <= 2 * one,
        "{forty} launches for 40 mixed epochs, {one} for one Yuma 2 epoch"
    );
}

#[test]
fn host_rehearsals_leave_the_results_and_count_every_epoch() {
    let Some(mut gpu) = common::gpu::gpu_engine("host_rehearsals_leave_the_results") else {
        return;
    };
    let batch = mixed_batch(100, &[]);
    let refs: Vec<&Snapshot> = batch.iter().collect();
    gpu.epoch_mut().set_rehearsals(3);
    let failures = check_batch(&mut gpu, &refs, "the rehearsed batch");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let run = gpu.take_stats();
    let rehearsed = gpu.epoch_mut().take_rehearsals();
    assert_eq!(rehearsed.len(), 3, "one figure per rehearsal");
    for (k, r) in rehearsed.iter().enumerate() {
        assert_eq!(
            (r.batches, r.epochs, r.dispatches),
            (run.batches, run.epochs, 0),
            "rehearsal {k}: every submission's epochs, no launch"
        );
        assert!(r.pack > std::time::Duration::ZERO && r.readback > std::time::Duration::ZERO);
    }
    // The buffers the rehearsals packed into and read from serve the next batches as before.
    gpu.epoch_mut().set_rehearsals(0);
    let reversed: Vec<&Snapshot> = refs.iter().rev().copied().collect();
    let failures = check_batch(&mut gpu, &reversed, "the next batch");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(gpu.epoch_mut().take_rehearsals().is_empty());
}
