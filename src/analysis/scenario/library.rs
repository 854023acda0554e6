//! The scenarios that ship with yuma, embedded from the `scenarios/` folder.

/// `(name, TOML text)` of every built-in scenario, in `--list` order.
pub const LIBRARY: &[(&str, &str)] = &[
    ("cabal_stake_heavy", include_str!("../../../scenarios/cabal_stake_heavy.toml")),
    ("case1_kappa_moves_first", include_str!("../../../scenarios/case1_kappa_moves_first.toml")),
    ("case2_kappa_moves_second", include_str!("../../../scenarios/case2_kappa_moves_second.toml")),
    ("case3_kappa_moves_third", include_str!("../../../scenarios/case3_kappa_moves_third.toml")),
    ("case4_all_switch", include_str!("../../../scenarios/case4_all_switch.toml")),
    ("case5_move_second_then_third", include_str!("../../../scenarios/case5_move_second_then_third.toml")),
    ("copier_lag1", include_str!("../../../scenarios/copier_lag1.toml")),
    ("copier_lag2", include_str!("../../../scenarios/copier_lag2.toml")),
    ("copier_lag5", include_str!("../../../scenarios/copier_lag5.toml")),
    ("copier_of_validator", include_str!("../../../scenarios/copier_of_validator.toml")),
    ("honest_baseline", include_str!("../../../scenarios/honest_baseline.toml")),
    ("large_subnet", include_str!("../../../scenarios/large_subnet.toml")),
    ("miner_churn", include_str!("../../../scenarios/miner_churn.toml")),
    ("stale_validator", include_str!("../../../scenarios/stale_validator.toml")),
];

/// The TOML text of the built-in scenario `name`.
pub fn builtin(name: &str) -> Option<&'static str> {
    LIBRARY.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
