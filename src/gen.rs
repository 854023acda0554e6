//! Synthetic `yuma-snapshot/1` networks: deterministic, realistic subnets of any size for
//! benches, batch runs and tests.
//!
//! The same [`GenParams`] always give the same [`Snapshot`] (and so the same bytes from
//! [`crate::snapshot::write_snapshot`]) on every platform: randomness comes from
//! [`Rng`] (xoshiro256** seeded by splitmix64), one independent stream per part of the network,
//! and the only floating-point operations are `+ − × ÷`, `ceil` and integer conversions (all
//! exactly specified by IEEE 754), never `pow`/`exp`/`ln`.
//!
//! What a generated subnet looks like:
//! - `validators` uids at scattered positions hold `validator_permit`; their alpha stake is
//!   heavy-tailed (`2·10¹² / u²` rao, `u` uniform in [0.01, 1]: a few validators hold most of
//!   it), about half also hold TAO stake; every other uid (a miner) holds less than
//!   `stake_threshold` = 10¹² rao, so the top-k permits stay with the validators;
//!   `max_allowed_validators` = max(V, min(n, 64)).
//! - Each validator weights `ceil(density · miners)` miners (other validators when there are no
//!   miners): each pick is the next most popular miner with probability 0.85, otherwise a random
//!   one, so validators agree on most popular miners; values follow a Zipf-like popularity
//!   `10⁹ / (rank + 8)` times noise in [0.6, 1.4), max-upscaled to u16 per row as the chain
//!   stores them (row max 65535), sorted by uid. Popularity ranks are re-drawn per mechanism.
//! - About 10% of validators (at least one when V ≥ 4) are stale: `last_update` older than
//!   `activity_cutoff`, so they are inactive; the others set weights within the last two tempos.
//!   1% of miners (at most V/4) carry a weight row from a time they held a permit (masked by
//!   permits).
//! - About 4% of miners (at least one when there are ≥ 8 miners) re-registered within the last
//!   three tempos: their `block_at_registration` is recent, so the outdated-weights mask and the
//!   recently-registered bonds mask both bite.
//! - Bonds exist for every validator on the miners it weights, as after a few epochs: Yuma 2
//!   column max-upscaled `stake_i · w_ij`; Yuma 3 about 19% (two EMA steps at α = 0.1) of the
//!   row-normalized weight, jittered.
//! - Multiple mechanisms ([`GenParams::mechanisms`]): each has its own weights, bonds,
//!   `last_update` and stale validators; stakes, permits and registrations are shared.

use crate::snapshot::{Hyperparams, Layout, MechanismInput, Snapshot, SparseRowU16};

mod rng;
pub use rng::{splitmix64, Rng};

/// Default fraction of miners each validator weights.
pub const DEFAULT_DENSITY: f64 = 0.2;

/// Most mechanisms a subnet can have.
pub const MAX_MECHANISMS: usize = 16;
/// With mechanisms, `netuid + 4096·m` must fit a u16, so netuid < 4096.
pub const MAX_MECHANISM_NETUID: u16 = 4096;

/// Blocks per tempo in generated subnets.
pub const TEMPO: u16 = 360;
/// `activity_cutoff` in generated subnets (blocks).
pub const ACTIVITY_CUTOFF: u64 = 5000;
/// `stake_threshold` in generated subnets (rao): validators are above it, miners below.
pub const STAKE_THRESHOLD: u64 = 1_000_000_000_000;
/// The chain's default `tao_weight` (≈ 0.18 as a fraction of `u64::MAX`).
pub const TAO_WEIGHT: u64 = 3_320_413_933_267_719_290;

/// Which bonds/dividends branch a generated subnet uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Yuma2,
    Yuma3,
    /// Yuma 3 with liquid alpha.
    Yuma3LiquidAlpha,
}

impl Mode {
    /// Every mode, in table order.
    pub const ALL: [Mode; 3] = [Mode::Yuma2, Mode::Yuma3, Mode::Yuma3LiquidAlpha];

    /// A short label: `yuma2`, `yuma3`, `yuma3+la`.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Yuma2 => "yuma2",
            Mode::Yuma3 => "yuma3",
            Mode::Yuma3LiquidAlpha => "yuma3+la",
        }
    }

    /// `(yuma3_enabled, liquid_alpha_enabled)`.
    pub fn flags(self) -> (bool, bool) {
        match self {
            Mode::Yuma2 => (false, false),
            Mode::Yuma3 => (true, false),
            Mode::Yuma3LiquidAlpha => (true, true),
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenParams {
    /// Subnet size, 1 … 65535.
    pub n: u32,
    /// Number of uids with `validator_permit`, 0 … n.
    pub validators: u32,
    pub seed: u64,
    pub netuid: u16,
    pub yuma3: bool,
    pub liquid_alpha: bool,
    /// Fraction of miners each validator weights, in [0, 1].
    pub density: f64,
    /// `Some(M)`: write a `mechanisms` array of M (1 … 16) mechanisms.
    pub mechanisms: Option<usize>,
    /// `mechanism_emission_split` (needs `mechanisms`).
    pub split: Option<Vec<u16>>,
}

impl GenParams {
    /// A single-mechanism subnet with the default density, netuid 1.
    pub fn new(n: u32, validators: u32, seed: u64, mode: Mode) -> Self {
        let (yuma3, liquid_alpha) = mode.flags();
        GenParams {
            n,
            validators,
            seed,
            netuid: 1,
            yuma3,
            liquid_alpha,
            density: DEFAULT_DENSITY,
            mechanisms: None,
            split: None,
        }
    }

    /// Checks every parameter; the error names the command-line option.
    pub fn validate(&self) -> Result<(), GenError> {
        if !(1..=65_535).contains(&self.n) {
            return Err(GenError(format!(
                "--n {}: a subnet has 1 to 65535 uids",
                self.n
            )));
        }
        if self.validators > self.n {
            return Err(GenError(format!(
                "--validators {}: more validators than uids (--n {})",
                self.validators, self.n
            )));
        }
        if !(0.0..=1.0).contains(&self.density) {
            return Err(GenError(format!(
                "--density {}: must be a fraction between 0 and 1",
                self.density
            )));
        }
        if let Some(m) = self.mechanisms {
            if !(1..=MAX_MECHANISMS).contains(&m) {
                return Err(GenError(format!(
                    "--mechanisms {m}: a subnet has 1 to 16 mechanisms"
                )));
            }
            if self.netuid >= MAX_MECHANISM_NETUID {
                return Err(GenError(format!(
                    "--netuid {}: with --mechanisms the netuid must be below 4096",
                    self.netuid
                )));
            }
        } else if self.split.is_some() {
            return Err(GenError(
                "--split needs --mechanisms (a split only exists for a `mechanisms` array)".into(),
            ));
        }
        Ok(())
    }
}

/// A parameter that cannot describe a subnet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GenError(pub String);

// Stream tags: one per part of the network, so each part is independent of the others.
const STREAM_HEADER: u64 = 1;
const STREAM_ROLES: u64 = 2;
const STREAM_STAKE: u64 = 3;
const STREAM_REGISTRATION: u64 = 4;
const STREAM_MECHANISM: u64 = 100;

/// Generates the subnet described by `p`.
pub fn generate(p: &GenParams) -> Result<Snapshot, GenError> {
    p.validate()?;
    let n = p.n as usize;
    let mut header = Rng::stream(p.seed, STREAM_HEADER);
    let block = 4_000_000 + header.below(1_000_000);
    let rao_emission = 100_000_000_000 + header.below(100_000_000_000);

    let mut roles = Rng::stream(p.seed, STREAM_ROLES);
    let mut uids: Vec<u16> = (0..n).map(|u| u as u16).collect();
    let mut validators = roles.pick(&mut uids, p.validators as usize);
    validators.sort_unstable();
    let mut is_validator = vec![false; n];
    for &v in &validators {
        is_validator[usize::from(v)] = true;
    }
    let owner_uid =
        (!validators.is_empty()).then(|| validators[roles.below(validators.len() as u64) as usize]);

    let (alpha_stake, tao_stake) = stakes(p.seed, &is_validator);
    let block_at_registration = registrations(p.seed, &is_validator, block);
    let net = Network {
        block,
        density: p.density,
        yuma3: p.yuma3,
        validators: &validators,
        is_validator: &is_validator,
        alpha_stake: &alpha_stake,
        block_at_registration: &block_at_registration,
    };
    let count = p.mechanisms.unwrap_or(1);
    let mechanisms = (0..count)
        .map(|m| net.mechanism(Rng::stream(p.seed, STREAM_MECHANISM + m as u64)))
        .collect();

    let k = (p.validators).max(p.n.min(64));
    Ok(Snapshot {
        netuid: p.netuid,
        block,
        n: p.n as u16,
        hyperparams: Hyperparams {
            kappa: 32_767,
            bonds_moving_average: 900_000,
            bonds_penalty: 0,
            liquid_alpha_enabled: p.liquid_alpha,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1000,
            yuma3_enabled: p.yuma3,
            activity_cutoff: ACTIVITY_CUTOFF,
            tempo: TEMPO,
            max_allowed_validators: k as u16,
            stake_threshold: STAKE_THRESHOLD,
            commit_reveal_enabled: false,
            tao_weight: TAO_WEIGHT,
        },
        owner_uid,
        last_mechanism_step_block: block - u64::from(TEMPO) - 1,
        rao_emission,
        alpha_stake,
        tao_stake,
        validator_permit: is_validator,
        block_at_registration,
        mechanisms,
        layout: match p.mechanisms {
            None => Layout::Single,
            Some(_) => Layout::Multi {
                split: p.split.clone(),
            },
        },
    })
}

/// Alpha and TAO stake per uid: heavy-tailed for validators, below the threshold for miners.
fn stakes(seed: u64, is_validator: &[bool]) -> (Vec<u64>, Vec<u64>) {
    let mut rng = Rng::stream(seed, STREAM_STAKE);
    is_validator
        .iter()
        .map(|&v| {
            if v {
                let u = 0.01 + 0.99 * rng.unit();
                let alpha = (2.0e12 / (u * u)) as u64;
                let tao = if rng.chance(0.5) {
                    (alpha as f64 * 0.5 * rng.unit()) as u64
                } else {
                    0
                };
                (alpha, tao)
            } else if rng.chance(0.7) {
                (rng.below(STAKE_THRESHOLD / 2), 0)
            } else {
                (0, 0)
            }
        })
        .unzip()
}

/// Registration blocks: long ago for most uids, within the last three tempos for re-registered
/// miners.
fn registrations(seed: u64, is_validator: &[bool], block: u64) -> Vec<u64> {
    let mut rng = Rng::stream(seed, STREAM_REGISTRATION);
    let long_ago = block - 20 * u64::from(TEMPO);
    let mut reg: Vec<u64> = is_validator
        .iter()
        .map(|_| rng.range(1000, long_ago))
        .collect();
    let mut miners: Vec<usize> = (0..reg.len()).filter(|&u| !is_validator[u]).collect();
    let recent = if miners.len() >= 8 {
        (miners.len() / 25).max(1)
    } else {
        0
    };
    for u in rng.pick(&mut miners, recent) {
        reg[u] = block - rng.range(1, 3 * u64::from(TEMPO));
    }
    reg
}

/// The shared parts of a subnet that every mechanism reads.
struct Network<'a> {
    block: u64,
    density: f64,
    yuma3: bool,
    validators: &'a [u16],
    is_validator: &'a [bool],
    alpha_stake: &'a [u64],
    block_at_registration: &'a [u64],
}

impl Network<'_> {
    /// One mechanism's weights, bonds, activity and (empty) commits.
    fn mechanism(&self, mut rng: Rng) -> MechanismInput {
        let n = self.is_validator.len();
        let block = self.block;
        // Miners (or, without miners, the validators) ranked by popularity.
        let mut targets: Vec<u16> = (0..n)
            .filter(|&u| !self.is_validator[u])
            .map(|u| u as u16)
            .collect();
        if targets.is_empty() {
            targets = self.validators.to_vec();
        }
        let count = targets.len();
        let ranked = rng.pick(&mut targets, count);
        let per_row = (self.density * ranked.len() as f64).ceil() as usize;

        let v = self.validators.len();
        let stale_count = if v >= 4 { ((v + 5) / 10).max(1) } else { 0 };
        let mut order: Vec<usize> = (0..v).collect();
        let stale = rng.pick(&mut order, stale_count);
        let mut is_stale = vec![false; v];
        for s in stale {
            is_stale[s] = true;
        }

        let mut last_update = self.block_at_registration.to_vec();
        let mut weights: Vec<SparseRowU16> = vec![Vec::new(); n];
        for (k, &uid) in self.validators.iter().enumerate() {
            let u = usize::from(uid);
            last_update[u] = if is_stale[k] {
                block.saturating_sub(ACTIVITY_CUTOFF + rng.range(1, 50_000))
            } else {
                block - rng.range(1, 2 * u64::from(TEMPO))
            };
            weights[u] = weight_row(&mut rng, &ranked, per_row, uid);
        }
        // Former validators that still have a stored row (masked: no permit).
        let mut miners: Vec<usize> = (0..n).filter(|&u| !self.is_validator[u]).collect();
        let former = (miners.len() / 100).min(v / 4);
        for u in rng.pick(&mut miners, former) {
            weights[u] = weight_row(&mut rng, &ranked, per_row, u as u16);
        }
        let bonds = if self.yuma3 {
            bonds_yuma3(&mut rng, &weights, self.validators)
        } else {
            bonds_yuma2(&weights, self.validators, self.alpha_stake)
        };
        MechanismInput {
            last_update,
            commit_block: vec![None; n],
            weights,
            bonds,
        }
    }
}

/// A max-upscaled weight row over `count` targets, mostly the most popular, sorted by uid.
fn weight_row(rng: &mut Rng, ranked: &[u16], count: usize, own: u16) -> SparseRowU16 {
    let len = ranked.len();
    let mut positions: Vec<u32> = (0..len as u32).collect();
    let mut raw: Vec<(u16, u64)> = Vec::with_capacity(count);
    for i in 0..count.min(len) {
        // Partial Fisher–Yates that keeps the next most popular rank 85% of the time: validators
        // agree on most of the popular miners and differ on the rest.
        let j = if rng.chance(0.85) {
            i
        } else {
            i + rng.below((len - i) as u64) as usize
        };
        positions.swap(i, j);
        let rank = positions[i] as usize;
        let uid = ranked[rank];
        if uid == own {
            continue;
        }
        let noise = 0.6 + 0.8 * rng.unit();
        let value = (1.0e9 / (rank as f64 + 8.0) * noise) as u64 + 1;
        raw.push((uid, value));
    }
    max_upscale(raw)
}

/// `round(v · 65535 / max)` per entry (row max becomes 65535), zeros dropped, sorted by uid.
pub fn max_upscale(raw: Vec<(u16, u64)>) -> SparseRowU16 {
    let max = raw.iter().map(|&(_, v)| v).max().unwrap_or(0);
    if max == 0 {
        return Vec::new();
    }
    let mut row: SparseRowU16 = raw
        .into_iter()
        .filter_map(|(j, v)| {
            let w = (u128::from(v) * 65_535 + u128::from(max / 2)) / u128::from(max);
            (w > 0).then_some((j, w as u16))
        })
        .collect();
    row.sort_unstable_by_key(|&(j, _)| j);
    row
}

/// Yuma 2 stored bonds: `stake_i · w_ij`, max-upscaled per column to 65535.
fn bonds_yuma2(weights: &[SparseRowU16], validators: &[u16], stake: &[u64]) -> Vec<SparseRowU16> {
    let n = weights.len();
    let product = |i: usize, w: u16| u128::from(stake[i] >> 16) * u128::from(w);
    let mut col_max = vec![0u128; n];
    for &v in validators {
        let i = usize::from(v);
        for &(j, w) in &weights[i] {
            let c = &mut col_max[usize::from(j)];
            *c = (*c).max(product(i, w));
        }
    }
    let mut bonds = vec![Vec::new(); n];
    for &v in validators {
        let i = usize::from(v);
        bonds[i] = weights[i]
            .iter()
            .map(|&(j, w)| {
                let max = col_max[usize::from(j)].max(1);
                (j, (product(i, w) * 65_535 / max) as u16)
            })
            .collect();
    }
    bonds
}

/// Yuma 3 stored bonds: about 19% (0.15 … 0.23 per row) of the row-normalized weight.
fn bonds_yuma3(rng: &mut Rng, weights: &[SparseRowU16], validators: &[u16]) -> Vec<SparseRowU16> {
    let mut bonds = vec![Vec::new(); weights.len()];
    for &v in validators {
        let row = &weights[usize::from(v)];
        let sum: u64 = row.iter().map(|&(_, w)| u64::from(w)).sum();
        let factor_milli = rng.range(150, 230);
        bonds[usize::from(v)] = row
            .iter()
            .map(|&(j, w)| {
                let b = u64::from(w) * 65_535 * factor_milli / (sum.max(1) * 1000);
                (j, b.min(65_535) as u16)
            })
            .collect();
    }
    bonds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_upscale_puts_the_row_max_at_65535() {
        let row = max_upscale(vec![(5, 10), (2, 20), (9, 5)]);
        assert_eq!(row, vec![(2, 65535), (5, 32768), (9, 16384)]);
        assert!(max_upscale(vec![]).is_empty());
    }

    #[test]
    fn validators_hold_the_permits_and_rows_are_upscaled() {
        let s = generate(&GenParams::new(300, 40, 9, Mode::Yuma3)).unwrap();
        assert_eq!(s.validator_permit.iter().filter(|&&b| b).count(), 40);
        assert!(usize::from(s.hyperparams.max_allowed_validators) >= 40);
        let m = &s.mechanisms[0];
        for (u, row) in m.weights.iter().enumerate() {
            if s.validator_permit[u] {
                assert_eq!(row.iter().map(|&(_, w)| w).max(), Some(65535));
                assert!(row.windows(2).all(|p| p[0].0 < p[1].0));
            }
        }
        let inactive = (0..300)
            .filter(|&u| s.validator_permit[u])
            .filter(|&u| m.last_update[u] + ACTIVITY_CUTOFF < s.block)
            .count();
        assert!(inactive >= 1);
        assert!(s.block_at_registration.iter().any(|&r| r > s.block - 1000));
    }

    #[test]
    fn bad_parameters_are_named() {
        let mut p = GenParams::new(0, 0, 1, Mode::Yuma2);
        assert!(generate(&p).unwrap_err().0.contains("--n 0"));
        p.n = 4;
        p.validators = 5;
        assert!(generate(&p).unwrap_err().0.contains("--validators 5"));
        p.validators = 2;
        p.mechanisms = Some(17);
        assert!(generate(&p).unwrap_err().0.contains("--mechanisms 17"));
        p.mechanisms = None;
        p.split = Some(vec![1]);
        assert!(generate(&p).unwrap_err().0.contains("--split"));
        p.split = None;
        p.density = 1.5;
        assert!(generate(&p).unwrap_err().0.contains("--density"));
    }
}
