//! The block emission schedule (`get_block_emission_for_issuance`) and its projection.

use yuma::analysis::emission::{block_emission_for_issuance, project, TOTAL_SUPPLY};

const TAO: u64 = 1_000_000_000;

#[test]
fn emission_halves_at_each_fraction_of_the_cap() {
    assert_eq!(block_emission_for_issuance(0).unwrap(), TAO);
    assert_eq!(block_emission_for_issuance(10_499_999 * TAO).unwrap(), TAO);
    assert_eq!(block_emission_for_issuance(10_500_000 * TAO).unwrap(), TAO / 2);
    assert_eq!(block_emission_for_issuance(15_749_999 * TAO).unwrap(), TAO / 2);
    assert_eq!(block_emission_for_issuance(15_750_000 * TAO).unwrap(), TAO / 4);
    assert_eq!(block_emission_for_issuance(18_375_000 * TAO).unwrap(), TAO / 8);
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
    assert_eq!(block_emission_for_issuance(first.issuance - TAO).unwrap(), TAO);
    let second = &s.halvings[1];
    assert_eq!(second.blocks_from_start, 10_500_000 + 10_500_000);
    assert_eq!(second.block_emission, TAO / 4);
    assert_eq!(first.date.as_deref(), Some("1973-12-29 08:00:00"));
}
