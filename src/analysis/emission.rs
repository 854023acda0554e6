//! The TAO (and alpha) block emission as subtensor computes it, and its halving schedule.
//!
//! Chain: `get_block_emission_for_issuance` (coinbase/block_emission.rs at the FORMAT.md commit),
//! recomputed here in the same I96F32 operations:
//!
//! ```text
//! if issuance ≥ 21·10¹⁵ rao: 0
//! residual = log2(1 / (1 − issuance / (2 · 10.5·10¹⁵)))      (substrate-fixed log2)
//! k        = floor(residual)
//! emission = u64(1 / 2^k · 10⁹)                              (rao per block)
//! ```
//!
//! The same function of a subnet's alpha issuance gives its alpha emission per block
//! (run_coinbase). The schedule is piecewise constant in issuance, so projecting forward is a
//! closed form per step: issuance grows by exactly the block emission each block (the
//! projection ignores recycling and burns), and the k-th halving happens at the first block
//! whose issuance reaches the threshold `T_k`, found exactly by bisection on the function itself.

use serde::Serialize;
use substrate_fixed::transcendental::log2;
use substrate_fixed::types::I96F32;

/// The 21 M TAO cap in rao (`TotalSupply`).
pub const TOTAL_SUPPLY: u64 = 21_000_000_000_000_000;
/// The block emission before any halving (`DefaultBlockEmission`), rao.
pub const DEFAULT_BLOCK_EMISSION: u64 = 1_000_000_000;
/// Seconds per block.
pub const BLOCK_SECONDS: u64 = 12;
/// Blocks per day at 12 s.
pub const BLOCKS_PER_DAY: u64 = 7_200;
/// Days per year in projections.
pub const DAYS_PER_YEAR: u64 = 365;

/// The chain's error string (`Logarithm calculation failed`) when the fixed-point steps fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EmissionError(pub &'static str);

/// Rao emitted per block for a total issuance of `issuance` rao, bit for bit as the chain.
pub fn block_emission_for_issuance(issuance: u64) -> Result<u64, EmissionError> {
    const FAILED: EmissionError = EmissionError("Logarithm calculation failed");
    let total = I96F32::saturating_from_num(issuance);
    if total >= I96F32::saturating_from_num(TOTAL_SUPPLY) {
        return Ok(0);
    }
    let one = I96F32::saturating_from_num(1.0);
    let half_supply_doubled = I96F32::saturating_from_num(2.0)
        .saturating_mul(I96F32::saturating_from_num(10_500_000_000_000_000.0));
    let fraction = total.checked_div(half_supply_doubled).ok_or(FAILED)?;
    let remaining = one.checked_sub(fraction).ok_or(FAILED)?;
    let inverse = one.checked_div(remaining).ok_or(FAILED)?;
    let residual: I96F32 = log2(inverse).map_err(|_| FAILED)?;
    let k: u64 = residual.floor().saturating_to_num::<u64>();
    let mut multiplier = one;
    for _ in 0..k {
        multiplier = multiplier.saturating_mul(I96F32::saturating_from_num(2.0));
    }
    let percentage = if multiplier == I96F32::from_num(0) {
        I96F32::from_num(0)
    } else {
        one / multiplier
    };
    let emission = percentage.saturating_mul(I96F32::saturating_from_num(DEFAULT_BLOCK_EMISSION));
    Ok(emission.saturating_to_num::<u64>())
}

/// One step of the schedule: from `block_offset` blocks after the start, `block_emission` rao
/// per block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Halving {
    /// Blocks after the starting block at which this emission first applies.
    pub blocks_from_start: u64,
    /// The absolute block (when the starting block is known).
    pub block: Option<u64>,
    /// The date at 12 s per block, `YYYY-MM-DD HH:MM:SS` UTC (when the starting date is known).
    pub date: Option<String>,
    /// Issuance (rao) at that block.
    pub issuance: u64,
    /// Rao per block from that block on.
    pub block_emission: u64,
}

/// The projected schedule from one issuance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub issuance: u64,
    pub block_emission: u64,
    /// Rao per day (7,200 blocks) at the current emission.
    pub per_day: u64,
    /// Rao per year (365 days) at the current emission.
    pub per_year: u64,
    /// Every change of the block emission within the horizon, in order.
    pub halvings: Vec<Halving>,
    /// The horizon in blocks and the issuance reached there.
    pub horizon_blocks: u64,
    pub issuance_at_horizon: u64,
}

/// The smallest issuance ≥ `from` whose emission is below `emission` (monotone bisection),
/// or `None` if none ≤ u64::MAX.
fn next_threshold(from: u64, emission: u64) -> Result<Option<u64>, EmissionError> {
    let below = |i: u64| block_emission_for_issuance(i).map(|e| e < emission);
    if !below(u64::MAX)? {
        return Ok(None);
    }
    let (mut lo, mut hi) = (from, u64::MAX); // below(hi) holds, below(lo) does not
    if below(lo)? {
        return Ok(Some(lo));
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if below(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

/// Projects the schedule from `issuance` for `horizon_blocks` blocks; `start` = (block, unix
/// seconds of that block) when known.
pub fn project(
    issuance: u64,
    horizon_blocks: u64,
    start: Option<(u64, i64)>,
) -> Result<Schedule, EmissionError> {
    let first = block_emission_for_issuance(issuance)?;
    let mut halvings = Vec::new();
    let (mut at, mut iss, mut e) = (0u64, issuance, first);
    while e > 0 {
        let Some(t) = next_threshold(iss, e)? else {
            break;
        };
        let blocks = (t - iss).div_ceil(e);
        let Some(next_at) = at.checked_add(blocks).filter(|&b| b <= horizon_blocks) else {
            break;
        };
        at = next_at;
        iss += blocks * e;
        e = block_emission_for_issuance(iss)?;
        halvings.push(Halving {
            blocks_from_start: at,
            block: start.map(|(b, _)| b + at),
            date: start.map(|(_, secs)| format_date(secs + (at * BLOCK_SECONDS) as i64)),
            issuance: iss,
            block_emission: e,
        });
    }
    let rest = horizon_blocks - at;
    let issuance_at_horizon = iss.saturating_add(rest.saturating_mul(e));
    Ok(Schedule {
        issuance,
        block_emission: first,
        per_day: first * BLOCKS_PER_DAY,
        per_year: first * BLOCKS_PER_DAY * DAYS_PER_YEAR,
        halvings,
        horizon_blocks,
        issuance_at_horizon,
    })
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a Unix time.
pub fn format_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| format!("@{secs}"))
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (UTC) into Unix seconds.
pub fn parse_date(text: &str) -> Option<i64> {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Ok(d) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(d.and_utc().timestamp());
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        return Some(d.and_utc().timestamp());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
}
