//! The block emission schedule (`get_block_emission_for_issuance`) and its projection.

use yuma::analysis::emission::{block_emission_for_issuance, project, TOTAL_SUPPLY};

const TAO: u64 = 1_000_000_000;

#[test]
fn emission_halves_at_each_fraction_of_the_cap() {
    assert_eq!(block_emission_for_issuance(0).unwrap(), TAO);
    assert_eq!(block_emission_for_issuance(10_499_999 * TAO).unwrap(), TAO);
    assert_eq!(
        block_emission_for_issuance(10_500_000 * TAO).unwrap(),
        TAO / 2
    );
    assert_eq!(
        block_emission_for_issuance(15_749_999 * TAO).unwrap(),
        TAO / 2
    );
    assert_eq!(
        block_emission_for_issuance(15_750_000 * TAO).unwrap(),
        TAO / 4
    );
    assert_eq!(
        block_emission_for_issuance(18_375_000 * TAO).unwrap(),
        TAO / 8
    );
    assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY - 1).unwrap(), 0);
    assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY).unwrap(), 0);
    assert_eq!(block_emission_for_issuance(u64::MAX).unwrap(), 0);
}

#[test]
fn projection_finds_the_exact_halving_blocks() {
    let s = project(0, 20 * 365 * 7200, Some((0, 0))).unwrap();
    assert_eq!(s.block_emission, TAO);
    assert_eq!(s.per_day, 7200 * TAO);
    let first = &s.halvings[0];
    // 10,500,000 blocks · 12 s = 126,000,000 s after the epoch.
    // 10.5 M TAO at 1 TAO per block.
    assert_eq!(first.blocks_from_start, 10_500_000);
    assert_eq!(first.block_emission, TAO / 2);
    assert_eq!(
        block_emission_for_issuance(first.issuance - TAO).unwrap(),
        TAO
    );
    let second = &s.halvings[1];
    assert_eq!(second.blocks_from_start, 10_500_000 + 10_500_000);
    assert_eq!(second.block_emission, TAO / 4);
    assert_eq!(first.date.as_deref(), Some("1973-12-29 08:00:00"));
}

#[test]
fn alpha_issuance_at_the_cap_emits_nothing() {
    // The chain's own test (coinbase.rs, test_coinbase_alpha_issuance_with_cap_trigger_and_block_emission)
    // sets SubnetAlphaOut to 21 M (21_000_000_000_000_000 rao) and expects no alpha emitted; the
    // chain's tests hold no other literal value of this function at the FORMAT.md commit, so the
    // halving values above follow from its definition (1 TAO halved at 1/2, 3/4, 7/8 of the cap).
    assert_eq!(
        block_emission_for_issuance(21_000_000_000_000_000).unwrap(),
        0
    );
    let s = project(21_000_000_000_000_000, 7200, None).unwrap();
    assert_eq!((s.block_emission, s.halvings.len()), (0, 0));
    assert_eq!(s.issuance_at_horizon, 21_000_000_000_000_000);
}

#[test]
fn json_has_exact_integers() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args([
            "emission",
            "--issuance",
            "10600000000000000",
            "--json",
            "--years",
            "5",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["issuance"].as_u64(), Some(10_600_000_000_000_000));
    assert_eq!(v["block_emission"].as_u64(), Some(500_000_000));
    // 15.75 M − 10.6 M = 5.15 M TAO at 0.5 TAO per block: 10,300,000 blocks (~3.9 years).
    assert_eq!(
        v["halvings"][0]["blocks_from_start"].as_u64(),
        Some(10_300_000)
    );
    assert_eq!(
        v["halvings"][0]["block_emission"].as_u64(),
        Some(250_000_000)
    );
}
