//! Sweep grid parsing, the fraction → integer rule, and a run over a scenario.

use yuma::analysis::scenario::load;
use yuma::analysis::sweep::{grid, parse_axis, run_sweep, Base};
use yuma::engine::CpuEngine;

#[test]
fn ranges_are_inclusive_and_fractions_round_half_even() {
    let a = parse_axis("kappa=0.3:0.7:0.05").unwrap();
    assert_eq!(a.values.len(), 9);
    assert_eq!(a.values[0], 19660); // 0.3 · 65535 = 19660.4999… (0.3 is below 3/10 in binary)
    assert_eq!(a.values[8], 45874); // 0.7 is 0.69999… in binary: 45874.4999… rounds down
    let b = parse_axis("bonds_penalty=0,0.5,1").unwrap();
    assert_eq!(b.values, vec![0, 32768, 65535]); // 32767.5 → even 32768
    let raw = parse_axis("kappa=32767,0.5").unwrap();
    assert_eq!(raw.values, vec![32767, 32768]);
    assert_eq!(parse_axis("yuma3=false,true").unwrap().values, vec![0, 1]);
    assert_eq!(
        parse_axis("bonds_moving_average=0.9,975000")
            .unwrap()
            .values,
        vec![900000, 975000]
    );
    assert_eq!(
        parse_axis("activity_cutoff=100:300:100").unwrap().values,
        vec![100, 200, 300]
    );
}

#[test]
fn bad_sets_are_named() {
    for (arg, part) in [
        ("kappa", "NAME=VALUES"),
        ("kapa=1", "unknown parameter"),
        ("kappa=70000", "above 1"),
        ("kappa=2.5", "above 1"),
        ("yuma3=maybe", "true or false"),
        ("kappa=0.7:0.3:0.1", "a ≤ b"),
        ("activity_cutoff=1.5", "integer"),
    ] {
        let e = parse_axis(arg).unwrap_err().0;
        assert!(e.contains(arg) && e.contains(part), "{arg}: {e}");
    }
}

#[test]
fn grid_is_the_cartesian_product_last_axis_fastest() {
    let axes = [
        parse_axis("kappa=0,1").unwrap(),
        parse_axis("yuma3=false,true").unwrap(),
    ];
    assert_eq!(
        grid(&axes),
        vec![vec![0, 0], vec![0, 1], vec![65535, 0], vec![65535, 1]]
    );
}

#[test]
fn sweep_rows_record_the_integers_and_match_single_runs() {
    let (mut sc, _) = load("copier_lag1").unwrap();
    sc.epochs = 5;
    let axes = [parse_axis("yuma3=false,true").unwrap()];
    let rows = run_sweep(Base::Scenario(&sc), &axes, &mut CpuEngine, |_| {}).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].params, vec![("yuma3".to_string(), 1)]);
    // Point 1 equals running the scenario under Yuma 3 directly.
    sc.set_yuma(yuma::analysis::scenario::YumaVersion::Yuma3);
    let direct =
        yuma::analysis::scenario::run_scenario(&sc, &mut CpuEngine, |_, _, _| Ok(())).unwrap();
    let m = yuma::analysis::metrics::sequence_metrics(&direct, Some(&sc.roles()));
    assert_eq!(
        rows[1].dividends_gini,
        m.epochs.last().unwrap().dividends.gini
    );
    assert!(rows[1].copier_ratio_to_honest.is_some());
}
