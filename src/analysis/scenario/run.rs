//! Running a scenario: the snapshot of each epoch, chained exactly as the chain carries state.
//!
//! Epoch k's snapshot is epoch k−1's with `block` = [`Scenario::block`]`(k)` and the carried
//! fields of `yuma replay` ([`crate::replay::carry_into`]: bonds, `validator_permit` = the new
//! permits, `last_mechanism_step_block`). Then, in this order:
//!
//! 1. Registrations (a miner joins or leaves at k): at block `b_k − ⌈(tempo+1)/2⌉` the uid is
//!    re-registered as the chain's `replace_neuron` does: `block_at_registration` and
//!    `last_update` = that block, its own weight and bond rows removed, every weight *to* it set
//!    to 0 (entries kept), its validator permit cleared.
//! 2. Bond resets at k: every bond entry toward the named miners (or every bond) removed.
//! 3. Weights: each validator that sets weights at k gets a new row and `last_update = b_k − 1`;
//!    the others keep their row and `last_update`. Float weights become u16 by
//!    `round-half-even(w / max · 65535)` (the Python SDK's max-upscale; the chain stores the row
//!    as given since its max is 65535), zeros dropped, sorted by uid.
//!
//! Epoch 0 starts from: no bonds, permits for the validators, every uid registered at block 1,
//! `last_update` and `last_mechanism_step_block` = `b_0 − tempo − 1`.

use super::model::{Behaviour, CopySource, Scenario};
use crate::analysis::units::u16_fraction;
use crate::engine::Engine;
use crate::gen::Rng;
use crate::output::EpochResult;
use crate::replay::carry_into;
use crate::snapshot::{Layout, MechanismInput, Snapshot, SparseRowU16};

/// A scenario being run one epoch at a time (several runs can advance in lockstep, e.g. the
/// grid points of a sweep submitted together with `Engine::run_many`).
pub struct ScenarioRun<'a> {
    sc: &'a Scenario,
    k: usize,
    previous: Option<(Snapshot, EpochResult)>,
    /// Weight rows of every epoch run so far (for copiers of a validator).
    weights: Vec<Vec<SparseRowU16>>,
    /// Consensus of every epoch run so far (for copiers of consensus).
    consensus: Vec<Vec<u16>>,
}

impl<'a> ScenarioRun<'a> {
    pub fn new(sc: &'a Scenario) -> Self {
        ScenarioRun {
            sc,
            k: 0,
            previous: None,
            weights: Vec::new(),
            consensus: Vec::new(),
        }
    }

    /// The next epoch's index.
    pub fn epoch(&self) -> usize {
        self.k
    }

    /// Whether every epoch has run.
    pub fn done(&self) -> bool {
        self.k >= self.sc.epochs
    }

    /// The snapshot of the next epoch.
    pub fn snapshot(&self) -> Result<Snapshot, String> {
        let sc = self.sc;
        let k = self.k;
        let block = sc.block(k);
        let tempo1 = u64::from(sc.hyperparams.tempo) + 1;
        let mut s = match &self.previous {
            None => initial(sc),
            Some((prev_s, prev_r)) => {
                let mut s = prev_s.clone();
                s.block = block;
                carry_into(&mut s, prev_r).map_err(|e| format!("epoch {k}: {e}"))?;
                s
            }
        };
        s.hyperparams = sc.hyperparams.clone();
        let reg_block = block - tempo1.div_ceil(2);
        for m in sc.miners.iter().filter(|m| m.registers_at(k)) {
            register(&mut s, m.uid, reg_block);
        }
        for (_, targets) in sc.resets.iter().filter(|(e, _)| *e == k) {
            let mech = &mut s.mechanisms[0];
            for row in &mut mech.bonds {
                match targets {
                    None => row.clear(),
                    Some(t) => row.retain(|(j, _)| !t.contains(j)),
                }
            }
        }
        let quality = sc.quality_at(k);
        for v in &sc.validators {
            if let Some(row) = self.row(v.uid, &v.behaviour, &quality)? {
                let u = usize::from(v.uid);
                s.mechanisms[0].weights[u] = row;
                s.mechanisms[0].last_update[u] = block - 1;
            }
        }
        Ok(s)
    }

    /// The new weight row of validator `uid` at this epoch, `None` when it sets none.
    fn row(
        &self,
        uid: u16,
        b: &Behaviour,
        quality: &[Option<f64>],
    ) -> Result<Option<SparseRowU16>, String> {
        let sc = self.sc;
        let k = self.k;
        let honest = |noise: f64| {
            let mut rng = Rng::stream(sc.seed, ((k as u64) << 16) | u64::from(uid));
            let raw: Vec<(u16, f64)> = quality
                .iter()
                .enumerate()
                .filter_map(|(j, q)| {
                    let q = (*q)?;
                    let u = 2.0 * rng.unit() - 1.0;
                    Some((j as u16, (q + noise * u).max(0.0)))
                })
                .collect();
            upscale(&raw)
        };
        Ok(match b {
            Behaviour::Honest { noise } => honest(*noise)?,
            Behaviour::Stale { noise, stop } if k < *stop => honest(*noise)?,
            Behaviour::Stale { .. } => None,
            Behaviour::Copier { lag, source } => match k.checked_sub(*lag) {
                None => None,
                Some(past) => match source {
                    CopySource::Validator(src) => {
                        Some(self.weights[past][usize::from(*src)].clone())
                    }
                    CopySource::Consensus => {
                        let raw: Vec<(u16, f64)> = sc
                            .miners
                            .iter()
                            .map(|m| (m.uid, f64::from(self.consensus[past][usize::from(m.uid)])))
                            .collect();
                        upscale(&raw)?
                    }
                },
            },
            Behaviour::Cabal { targets } => {
                upscale(&targets.iter().map(|&t| (t, 1.0)).collect::<Vec<_>>())?
            }
            Behaviour::Weights { schedule } => {
                match schedule.iter().rev().find(|(from, _)| *from <= k) {
                    None => None,
                    Some((_, w)) => {
                        let raw: Vec<(u16, f64)> =
                            sc.miners.iter().zip(w).map(|(m, &x)| (m.uid, x)).collect();
                        upscale(&raw)?
                    }
                }
            }
        })
    }

    /// Records the result of the snapshot [`Self::snapshot`] gave, and moves to the next epoch.
    pub fn record(&mut self, snapshot: Snapshot, result: EpochResult) {
        self.weights.push(snapshot.mechanisms[0].weights.clone());
        let consensus = match &result {
            EpochResult::Single(e) => e.consensus.clone(),
            EpochResult::Multi(m) => m.consensus.clone(),
        };
        self.consensus.push(consensus);
        self.previous = Some((snapshot, result));
        self.k += 1;
    }
}

/// `round-half-even(w / max · 65535)` per entry, zeros dropped, sorted by uid; `None` when
/// every weight is zero (the validator sets no weights).
fn upscale(raw: &[(u16, f64)]) -> Result<Option<SparseRowU16>, String> {
    let max = raw.iter().map(|&(_, w)| w).fold(0.0f64, f64::max);
    if max <= 0.0 {
        return Ok(None);
    }
    let mut row = Vec::with_capacity(raw.len());
    for &(j, w) in raw {
        let v = u16_fraction(w / max).map_err(|e| format!("weight of uid {j}: {e}"))?;
        if v > 0 {
            row.push((j, v));
        }
    }
    row.sort_unstable_by_key(|&(j, _)| j);
    Ok(Some(row))
}

/// `replace_neuron` at `block` for `uid` (see the module notes).
fn register(s: &mut Snapshot, uid: u16, block: u64) {
    let u = usize::from(uid);
    s.block_at_registration[u] = block;
    s.validator_permit[u] = false;
    for m in &mut s.mechanisms {
        m.weights[u].clear();
        m.bonds[u].clear();
        m.last_update[u] = block;
        for row in &mut m.weights {
            for (j, w) in row.iter_mut() {
                if *j == uid {
                    *w = 0;
                }
            }
        }
    }
}

/// The state before epoch 0.
fn initial(sc: &Scenario) -> Snapshot {
    let n = usize::from(sc.n);
    let block = sc.block(0);
    let before = block.saturating_sub(u64::from(sc.hyperparams.tempo) + 1);
    let mut alpha_stake = vec![0u64; n];
    let mut permit = vec![false; n];
    for v in &sc.validators {
        alpha_stake[usize::from(v.uid)] = v.stake_rao;
        permit[usize::from(v.uid)] = true;
    }
    Snapshot {
        netuid: sc.netuid,
        block,
        n: sc.n,
        hyperparams: sc.hyperparams.clone(),
        owner_uid: None,
        last_mechanism_step_block: before,
        rao_emission: sc.rao_emission,
        alpha_stake,
        tao_stake: vec![0; n],
        validator_permit: permit,
        block_at_registration: vec![1; n],
        mechanisms: vec![MechanismInput {
            last_update: vec![before; n],
            commit_block: vec![None; n],
            weights: vec![Vec::new(); n],
            bonds: vec![Vec::new(); n],
        }],
        layout: Layout::Single,
    }
}

/// Runs every epoch of `sc` on `engine`, handing each `(epoch, snapshot, result)` to `sink`
/// (e.g. to write it); returns the results in order.
pub fn run_scenario(
    sc: &Scenario,
    engine: &mut dyn Engine,
    mut sink: impl FnMut(usize, &Snapshot, &EpochResult) -> Result<(), String>,
) -> Result<Vec<EpochResult>, String> {
    let mut run = ScenarioRun::new(sc);
    let mut results = Vec::with_capacity(sc.epochs);
    while !run.done() {
        let k = run.epoch();
        let s = run.snapshot()?;
        let r = engine
            .run(&s)
            .map_err(|e| format!("epoch {k}: engine: {e}"))?;
        sink(k, &s, &r)?;
        results.push(r.clone());
        run.record(s, r);
    }
    Ok(results)
}
