//! Random snapshots in every state the chain can hold, for the GPU == CPU property tests.

use yuma::snapshot::{Hyperparams, Layout, MechanismInput, Snapshot};

/// splitmix64: a small deterministic generator.
pub struct Rng(pub u64);

impl Rng {
    /// Picks one of `xs` or, one time in (len + 1), `fresh`.
    pub fn pick_or<T: Copy>(&mut self, xs: &[T], fresh: T) -> T {
        let i = self.below(xs.len() as u64 + 1) as usize;
        if i == xs.len() {
            fresh
        } else {
            xs[i]
        }
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn u16(&mut self) -> u16 {
        self.next() as u16
    }
}

fn extreme_u64(r: &mut Rng, typical: u64) -> u64 {
    match r.below(10) {
        0 => 0,
        1 => u64::MAX,
        2 => r.next(),
        3 => 1u64 << 63,
        _ => r.below(typical.max(1)),
    }
}

fn sparse_rows(
    r: &mut Rng,
    n: usize,
    rows_with_data: &[bool],
    value_max: u16,
) -> Vec<Vec<(u16, u16)>> {
    (0..n)
        .map(|i| {
            if !rows_with_data[i] {
                return Vec::new();
            }
            let len = r.below((n as u64).min(40) + 3) as usize;
            let mut row: Vec<(u16, u16)> = (0..len)
                .map(|_| {
                    let j = if r.chance(5) {
                        (n as u64 + r.below(5)) as u16
                    } else {
                        r.below(n as u64) as u16
                    };
                    let v = if r.chance(8) {
                        0
                    } else {
                        (r.below(u64::from(value_max)) + 1) as u16
                    };
                    (j, v)
                })
                .collect();
            if r.chance(70) {
                row.sort_by_key(|&(j, _)| j);
                if r.chance(80) {
                    row.dedup_by_key(|e| e.0);
                }
            }
            row
        })
        .collect()
}

/// A random snapshot (n ≤ `max_n`) mixing realistic and extreme states: unsorted rows,
/// duplicates, uids ≥ n, owners ≥ n, huge stakes, every hyperparameter at its edges.
pub fn random_snapshot(seed: u64, max_n: usize) -> Snapshot {
    let r = &mut Rng(seed);
    let awkward = [1usize, 2, 3, 63, 64, 65, 255, 257];
    let n = if r.chance(30) {
        r.pick(&awkward).min(max_n)
    } else {
        1 + r.below(max_n as u64) as usize
    };
    let block = 10_000 + r.below(1_000_000);
    let validators: Vec<bool> = (0..n).map(|_| r.chance(35)).collect();
    let hp = Hyperparams {
        kappa: {
            let fresh = r.u16();
            r.pick_or(&[0, 1, 32767, 32768, 65535], fresh)
        },
        bonds_moving_average: {
            let fresh = r.below(1_000_000);
            r.pick_or(
                &[
                    0,
                    500_000,
                    900_000,
                    975_000,
                    1_000_000,
                    1_000_001,
                    2_500_000,
                    u64::MAX,
                ],
                fresh,
            )
        },
        bonds_penalty: {
            let fresh = r.u16();
            r.pick_or(&[0, 65535, 32767, 1], fresh)
        },
        liquid_alpha_enabled: r.chance(50),
        alpha_low: {
            let fresh = r.u16();
            r.pick_or(&[45875, 0, 1638, 65535], fresh)
        },
        alpha_high: {
            let fresh = r.u16();
            r.pick_or(&[58982, 65535, 1638], fresh)
        },
        alpha_sigmoid_steepness: {
            let fresh = r.u16() as i16;
            r.pick_or(&[1000, 10, 0, 1, -1, -500, i16::MAX, i16::MIN], fresh)
        },
        yuma3_enabled: r.chance(50),
        activity_cutoff: r.pick(&[5000, 1, 0, 100, u64::MAX]),
        tempo: r.pick(&[360, 0, 1, 99, u16::MAX]),
        max_allowed_validators: {
            let fresh = r.below(n as u64 + 2) as u16;
            r.pick_or(&[64, 0, 1, 4, 256, u16::MAX], fresh)
        },
        stake_threshold: {
            let fresh = r.next() >> 20;
            r.pick_or(&[0, 0, 1_000_000, 1 << 40, u64::MAX], fresh)
        },
        commit_reveal_enabled: r.chance(30),
        tao_weight: {
            let fresh = r.next();
            r.pick_or(&[0, 1, u64::MAX, 3320413933267719290], fresh)
        },
    };
    let stake = |r: &mut Rng, v: bool| {
        if v {
            extreme_u64(r, 1 << 50)
        } else {
            r.below(1 << 30)
        }
    };
    let alpha_stake: Vec<u64> = (0..n)
        .map(|i| {
            let big = validators[i] || r.chance(10);
            stake(r, big)
        })
        .collect();
    let tao_stake: Vec<u64> = (0..n)
        .map(|_| {
            if r.chance(30) {
                extreme_u64(r, 1 << 45)
            } else {
                0
            }
        })
        .collect();
    let block_at_registration: Vec<u64> = (0..n)
        .map(|_| match r.below(6) {
            0 => block - r.below(400).min(block),
            1 => block + r.below(50),
            2 => 0,
            _ => r.below(block),
        })
        .collect();
    let mech_count = if r.chance(70) {
        1
    } else {
        1 + r.below(4) as usize
    };
    let multi = mech_count > 1 || r.chance(10);
    let mechanisms = (0..mech_count)
        .map(|_| {
            let last_update = (0..n)
                .map(|_| match r.below(8) {
                    0 => 0,
                    1 => u64::MAX,
                    2 => block - r.below(10_000).min(block),
                    _ => block - r.below(300).min(block),
                })
                .collect();
            let commit_block = (0..n)
                .map(|_| match r.below(5) {
                    0 => Some(r.below(block + 100)),
                    1 => Some(u64::MAX),
                    _ => None,
                })
                .collect();
            let weight_rows: Vec<bool> = (0..n).map(|i| validators[i] || r.chance(5)).collect();
            let bond_rows: Vec<bool> = (0..n)
                .map(|i| validators[i] && r.chance(80) || r.chance(3))
                .collect();
            MechanismInput {
                last_update,
                commit_block,
                weights: sparse_rows(r, n, &weight_rows, u16::MAX),
                bonds: sparse_rows(r, n, &bond_rows, u16::MAX),
            }
        })
        .collect();
    let layout = if multi {
        let split = if r.chance(50) {
            None
        } else {
            Some(
                (0..r.below(mech_count as u64 + 2))
                    .map(|_| r.u16())
                    .collect(),
            )
        };
        Layout::Multi { split }
    } else {
        Layout::Single
    };
    Snapshot {
        netuid: r.below(4096) as u16,
        block,
        n: n as u16,
        hyperparams: hp,
        owner_uid: match r.below(4) {
            0 => None,
            1 => Some((n as u64 + r.below(10)) as u16),
            _ => Some(r.below(n as u64) as u16),
        },
        last_mechanism_step_block: if r.chance(15) {
            0
        } else {
            block - r.below(400).min(block)
        },
        rao_emission: {
            let fresh = r.next() >> 10;
            r.pick_or(&[0, 1_000_000_000, u64::MAX], fresh)
        },
        alpha_stake,
        tao_stake,
        validator_permit: validators,
        block_at_registration,
        mechanisms,
        layout,
    }
}
