//! A checked scenario: every uid with its role, stake in rao and behaviour, the hyperparameters
//! in the chain's integers. Built from a [`ScenarioFile`] by [`Scenario::from_file`].

use super::spec::{Quantity, ScenarioFile, YumaVersion};
use crate::analysis::emission::block_emission_for_issuance;
use crate::analysis::metrics::Roles;
use crate::analysis::units::{fraction_to_units, tao_to_rao};
use crate::snapshot::Hyperparams;

/// Where a copier takes its weights from.
#[derive(Clone, Debug, PartialEq)]
pub enum CopySource {
    /// The consensus vector the chain computed `lag` epochs earlier.
    Consensus,
    /// The stored weight row of this uid `lag` epochs earlier.
    Validator(u16),
}

/// How a validator sets weights each epoch.
#[derive(Clone, Debug, PartialEq)]
pub enum Behaviour {
    /// `max(0, quality + noise · u)`, u uniform in [−1, 1) from the seed.
    Honest { noise: f64 },
    /// Copies `source` from `lag` ≥ 1 epochs earlier (sets nothing before that exists).
    Copier { lag: usize, source: CopySource },
    /// Honest until epoch `stop`, then never sets weights again.
    Stale { noise: f64, stop: usize },
    /// Weights these miner uids equally.
    Cabal { targets: Vec<u16> },
    /// `(from, one weight per miner)`, sorted by `from`.
    Weights { schedule: Vec<(usize, Vec<f64>)> },
}

impl Behaviour {
    /// `honest`, `copier`, `stale`, `cabal`, `weights`.
    pub fn role(&self) -> &'static str {
        match self {
            Behaviour::Honest { .. } => "honest",
            Behaviour::Copier { .. } => "copier",
            Behaviour::Stale { .. } => "stale",
            Behaviour::Cabal { .. } => "cabal",
            Behaviour::Weights { .. } => "weights",
        }
    }
}

/// One validator uid.
#[derive(Clone, Debug, PartialEq)]
pub struct Validator {
    pub uid: u16,
    /// `group` for a group of one, else `group#i` (i from 0).
    pub name: String,
    pub group: String,
    pub stake_rao: u64,
    pub behaviour: Behaviour,
}

/// One miner uid.
#[derive(Clone, Debug, PartialEq)]
pub struct Miner {
    pub uid: u16,
    pub name: String,
    pub group: String,
    pub quality: f64,
    /// Registers at this epoch (0: present from the start).
    pub join: usize,
    /// Deregistered (its slot re-registered by an unknown neuron) at this epoch.
    pub leave: Option<usize>,
}

impl Miner {
    /// Whether this miner holds its uid at epoch `k`.
    pub fn present(&self, k: usize) -> bool {
        k >= self.join && self.leave.is_none_or(|l| k < l)
    }

    /// Whether the uid is re-registered just before epoch `k`.
    pub fn registers_at(&self, k: usize) -> bool {
        k > 0 && (self.join == k || self.leave == Some(k))
    }
}

/// A checked scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub follows: Option<String>,
    pub epochs: usize,
    pub seed: u64,
    pub yuma: YumaVersion,
    pub netuid: u16,
    pub n: u16,
    pub start_block: u64,
    pub rao_emission: u64,
    pub hyperparams: Hyperparams,
    pub validators: Vec<Validator>,
    pub miners: Vec<Miner>,
    /// Bond resets: `(epoch, target uids)`, `None` = every bond.
    pub resets: Vec<(usize, Option<Vec<u16>>)>,
}

/// The chain's `tao_weight` default (≈ 0.18 of u64::MAX); scenarios hold no TAO stake.
const TAO_WEIGHT: u64 = crate::gen::TAO_WEIGHT;

fn quantity(
    q: Option<Quantity>,
    default: u64,
    scale: u128,
    max: u64,
    field: &str,
) -> Result<u64, String> {
    match q {
        None => Ok(default),
        Some(Quantity::Int(v)) if v <= max => Ok(v),
        Some(Quantity::Int(v)) => Err(format!("hyperparams.{field} = {v}: above {max}")),
        Some(Quantity::Float(x)) => fraction_to_units(x, scale, u128::from(max))
            .map(|v| v as u64)
            .map_err(|e| format!("hyperparams.{field}: {e}")),
    }
}

impl Scenario {
    /// Checks `f` and resolves names, uids and units. Errors name the field.
    pub fn from_file(f: &ScenarioFile) -> Result<Scenario, String> {
        if f.epochs == 0 {
            return Err("epochs = 0: a scenario runs at least one epoch".into());
        }
        let nv: usize = f.validators.iter().map(|v| usize::from(v.count)).sum();
        let nm: usize = f.miners.iter().map(|m| usize::from(m.count)).sum();
        if nv + nm == 0 || nv + nm > 65_535 {
            return Err(format!("{} uids: a subnet has 1 to 65535", nv + nm));
        }
        let tempo = f.subnet.tempo.unwrap_or(360);
        let total_stake = f.subnet.total_stake_tao.unwrap_or(1_000_000.0);
        let mut miners = Vec::new();
        for m in &f.miners {
            let qualities = match (&m.quality, &m.qualities) {
                (Some(q), None) => vec![*q; usize::from(m.count)],
                (None, Some(qs)) if qs.len() == usize::from(m.count) => qs.clone(),
                (None, Some(qs)) => {
                    return Err(format!(
                        "miners `{}`: {} qualities for count = {}",
                        m.name,
                        qs.len(),
                        m.count
                    ))
                }
                _ => {
                    return Err(format!(
                        "miners `{}`: give quality or qualities (one of them)",
                        m.name
                    ))
                }
            };
            if m.leave.is_some_and(|l| l <= m.join) {
                return Err(format!("miners `{}`: leave must come after join", m.name));
            }
            for (i, q) in qualities.into_iter().enumerate() {
                if !q.is_finite() || q < 0.0 {
                    return Err(format!("miners `{}`: quality {q} must be ≥ 0", m.name));
                }
                miners.push(Miner {
                    uid: (nv + miners.len()) as u16,
                    name: member(&m.name, m.count, i),
                    group: m.name.clone(),
                    quality: q,
                    join: m.join,
                    leave: m.leave,
                });
            }
        }
        let group_uids = |name: &str| -> Option<Vec<u16>> {
            let u: Vec<u16> = miners
                .iter()
                .filter(|m| m.group == name)
                .map(|m| m.uid)
                .collect();
            (!u.is_empty()).then_some(u)
        };
        let mut validators = Vec::new();
        for v in &f.validators {
            let stake_rao = tao_to_rao(v.stake * total_stake)
                .map_err(|e| format!("validators `{}`: stake: {e}", v.name))?;
            let need = |field: &str| {
                format!(
                    "validators `{}`: behaviour `{}` needs `{field}`",
                    v.name, v.behaviour
                )
            };
            check_fields(v)?;
            let behaviour = match v.behaviour.as_str() {
                "honest" => Behaviour::Honest { noise: v.noise },
                "stale" => Behaviour::Stale {
                    noise: v.noise,
                    stop: v.stop.ok_or_else(|| need("stop"))?,
                },
                "copier" => {
                    let lag = v.lag.unwrap_or(1);
                    if lag == 0 {
                        return Err(format!("validators `{}`: lag must be ≥ 1", v.name));
                    }
                    let source = match v.source.as_deref().unwrap_or("consensus") {
                        "consensus" => CopySource::Consensus,
                        other if other == v.name => {
                            return Err(format!("validators `{}`: a copier cannot copy its own group", v.name))
                        }
                        other => {
                            let first = f
                                .validators
                                .iter()
                                .take_while(|g| g.name != other)
                                .map(|g| g.count)
                                .sum::<u16>();
                            if !f.validators.iter().any(|g| g.name == other) {
                                return Err(format!(
                                    "validators `{}`: source `{other}` is neither `consensus` nor a validator group",
                                    v.name
                                ));
                            }
                            CopySource::Validator(first)
                        }
                    };
                    Behaviour::Copier { lag, source }
                }
                "cabal" => {
                    let mut targets = Vec::new();
                    for t in v.targets.as_ref().ok_or_else(|| need("targets"))? {
                        targets.extend(group_uids(t).ok_or_else(|| {
                            format!("validators `{}`: target `{t}` is not a miner group", v.name)
                        })?);
                    }
                    Behaviour::Cabal { targets }
                }
                "weights" => {
                    let mut schedule: Vec<(usize, Vec<f64>)> = v
                        .schedule
                        .as_ref()
                        .ok_or_else(|| need("schedule"))?
                        .iter()
                        .map(|e| (e.from, e.weights.clone()))
                        .collect();
                    schedule.sort_by_key(|e| e.0);
                    for (from, w) in &schedule {
                        if w.len() != miners.len() {
                            return Err(format!(
                                "validators `{}`: schedule from {from}: {} weights for {} miners",
                                v.name,
                                w.len(),
                                miners.len()
                            ));
                        }
                        if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
                            return Err(format!("validators `{}`: schedule from {from}: weights must be ≥ 0", v.name));
                        }
                    }
                    Behaviour::Weights { schedule }
                }
                other => {
                    return Err(format!(
                        "validators `{}`: behaviour `{other}` is not one of honest, copier, stale, cabal, weights",
                        v.name
                    ))
                }
            };
            if !v.noise.is_finite() || v.noise < 0.0 {
                return Err(format!("validators `{}`: noise must be ≥ 0", v.name));
            }
            for i in 0..usize::from(v.count) {
                validators.push(Validator {
                    uid: validators.len() as u16,
                    name: member(&v.name, v.count, i),
                    group: v.name.clone(),
                    stake_rao,
                    behaviour: behaviour.clone(),
                });
            }
        }
        let mut resets = Vec::new();
        for e in &f.events {
            if e.kind != "bonds_reset" {
                return Err(format!("events: kind `{}` is not `bonds_reset`", e.kind));
            }
            let targets = match &e.miners {
                None => None,
                Some(groups) => {
                    let mut t = Vec::new();
                    for g in groups {
                        t.extend(
                            group_uids(g)
                                .ok_or_else(|| format!("events: `{g}` is not a miner group"))?,
                        );
                    }
                    Some(t)
                }
            };
            resets.push((e.epoch, targets));
        }
        let h = &f.hyperparams;
        let (yuma3, la) = f.yuma.flags();
        let block_emission = match f.subnet.alpha_issuance {
            Some(i) => {
                block_emission_for_issuance(i).map_err(|e| format!("subnet.alpha_issuance: {e}"))?
            }
            None => crate::analysis::emission::DEFAULT_BLOCK_EMISSION,
        };
        let hyperparams = Hyperparams {
            kappa: quantity(h.kappa, 32_767, 65_535, 65_535, "kappa")? as u16,
            bonds_moving_average: quantity(
                h.bonds_moving_average,
                900_000,
                1_000_000,
                1_000_000,
                "bonds_moving_average",
            )?,
            bonds_penalty: quantity(h.bonds_penalty, 0, 65_535, 65_535, "bonds_penalty")? as u16,
            liquid_alpha_enabled: la,
            alpha_low: quantity(h.alpha_low, 45_875, 65_535, 65_535, "alpha_low")? as u16,
            alpha_high: quantity(h.alpha_high, 58_982, 65_535, 65_535, "alpha_high")? as u16,
            alpha_sigmoid_steepness: h.alpha_sigmoid_steepness.unwrap_or(1000),
            yuma3_enabled: yuma3,
            activity_cutoff: h.activity_cutoff.unwrap_or(5000),
            tempo,
            max_allowed_validators: h.max_allowed_validators.unwrap_or(nv.max(1) as u16),
            stake_threshold: h.stake_threshold.unwrap_or(0),
            commit_reveal_enabled: false,
            tao_weight: TAO_WEIGHT,
        };
        Ok(Scenario {
            name: f.name.clone(),
            description: f.description.clone(),
            follows: f.follows.clone(),
            epochs: f.epochs,
            seed: f.seed,
            yuma: f.yuma,
            netuid: f.subnet.netuid.unwrap_or(1),
            n: (nv + nm) as u16,
            start_block: f.subnet.start_block.unwrap_or(1_000_000),
            rao_emission: f
                .subnet
                .rao_emission
                .unwrap_or(block_emission * (u64::from(tempo) + 1)),
            hyperparams,
            validators,
            miners,
            resets,
        })
    }

    /// Switches between Yuma 2, Yuma 3 and Yuma 3 + liquid alpha.
    pub fn set_yuma(&mut self, v: YumaVersion) {
        self.yuma = v;
        let (y3, la) = v.flags();
        self.hyperparams.yuma3_enabled = y3;
        self.hyperparams.liquid_alpha_enabled = la;
    }

    /// The block epoch `k` runs at: `start_block + k · (tempo + 1)`.
    pub fn block(&self, k: usize) -> u64 {
        self.start_block + k as u64 * (u64::from(self.hyperparams.tempo) + 1)
    }

    /// True quality per uid at epoch `k` (`None`: validators, absent miners).
    pub fn quality_at(&self, k: usize) -> Vec<Option<f64>> {
        let mut q = vec![None; usize::from(self.n)];
        for m in self.miners.iter().filter(|m| m.present(k)) {
            q[usize::from(m.uid)] = Some(m.quality);
        }
        q
    }

    /// Honest and copier uids, and quality per epoch, for the metrics.
    pub fn roles(&self) -> Roles {
        let with = |role: &str| {
            self.validators
                .iter()
                .filter(|v| v.behaviour.role() == role)
                .map(|v| v.uid)
                .collect()
        };
        Roles {
            honest: with("honest"),
            copiers: with("copier"),
            quality: (0..self.epochs).map(|k| self.quality_at(k)).collect(),
        }
    }
}

/// Refuses fields that the validator's behaviour does not read (they would be silently ignored).
fn check_fields(v: &super::spec::ValidatorSpec) -> Result<(), String> {
    let allowed: &[&str] = match v.behaviour.as_str() {
        "honest" => &["noise"],
        "stale" => &["noise", "stop"],
        "copier" => &["lag", "source"],
        "cabal" => &["targets"],
        "weights" => &["schedule"],
        _ => return Ok(()), // the unknown behaviour is reported by the caller
    };
    let given = [
        ("noise", v.noise != 0.0),
        ("lag", v.lag.is_some()),
        ("source", v.source.is_some()),
        ("stop", v.stop.is_some()),
        ("targets", v.targets.is_some()),
        ("schedule", v.schedule.is_some()),
    ];
    match given
        .iter()
        .find(|(f, present)| *present && !allowed.contains(f))
    {
        Some((f, _)) => Err(format!(
            "validators `{}`: `{f}` does not apply to behaviour `{}` (it reads {})",
            v.name,
            v.behaviour,
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn member(group: &str, count: u16, i: usize) -> String {
    if count == 1 {
        group.to_string()
    } else {
        format!("{group}#{i}")
    }
}
