//! Scenarios and sweeps on the GPU engine give the CPU reference's bits (every epoch, every
//! grid point; the sweep's grid points go to the GPU in one `run_many` submission per epoch).

mod common;

use yuma::analysis::scenario::{load, run_scenario, YumaVersion};
use yuma::analysis::sweep::{parse_axis, run_sweep, Base};
use yuma::engine::CpuEngine;

#[test]
fn scenario_epochs_match_the_cpu_reference() {
    let Some(mut gpu) = common::gpu::gpu_engine("scenario_epochs_match_the_cpu_reference") else {
        return;
    };
    for (name, yuma) in [
        ("case5_move_second_then_third", YumaVersion::Yuma3),
        ("miner_churn", YumaVersion::Yuma3LiquidAlpha),
        ("cabal_stake_heavy", YumaVersion::Yuma2),
    ] {
        let (mut sc, _) = load(name).unwrap();
        sc.set_yuma(yuma);
        sc.epochs = sc.epochs.min(24);
        let cpu = run_scenario(&sc, &mut CpuEngine, |_, _, _| Ok(())).unwrap();
        let got = run_scenario(&sc, &mut gpu, |_, _, _| Ok(())).unwrap();
        for (k, (c, g)) in cpu.iter().zip(&got).enumerate() {
            let diffs = yuma::compare::compare(c, g);
            assert!(diffs.is_empty(), "{name} {yuma:?} epoch {k}: {}", diffs[0]);
        }
    }
}

#[test]
fn sweep_rows_match_the_cpu_reference() {
    let Some(mut gpu) = common::gpu::gpu_engine("sweep_rows_match_the_cpu_reference") else {
        return;
    };
    let (mut sc, _) = load("copier_lag2").unwrap();
    sc.epochs = 6;
    let axes = [
        parse_axis("yuma3=false,true").unwrap(),
        parse_axis("bonds_penalty=0,1").unwrap(),
        parse_axis("liquid_alpha=false,true").unwrap(),
    ];
    let cpu = run_sweep(Base::Scenario(&sc), &axes, &mut CpuEngine, |_| {}).unwrap();
    let got = run_sweep(Base::Scenario(&sc), &axes, &mut gpu, |_| {}).unwrap();
    assert_eq!(cpu, got);
}
