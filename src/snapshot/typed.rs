//! The good path of snapshot reading: one streaming pass straight into the snapshot's vectors —
//! objects walked key by key, the bulk arrays read by [`Scan`]'s integer scanner, every other
//! value (scalars, strings, the hyperparams object) deserialized by `serde_json` into its own
//! type — with no `Value` tree, no formatting and no per-value allocation; then the FORMAT.md
//! rules that need the whole document (lengths = n, layout).
//!
//! Contract: [`parse_typed`] either returns exactly the snapshot that the explaining reader
//! ([`super::read`]) returns for the same text, or declines (`None`) without saying why. It
//! declines everything that reader rejects (every type is the field's own type, every field is
//! required or checked for absence, unknown fields end the pass) and, to stay simple, a few
//! valid oddities too (duplicate keys, keys written with escapes); the explaining reader then
//! gives the verdict and, for an invalid file, the error that names file, field and uid.

use serde::Deserialize;

use super::scan::Scan;

use super::read::{MAX_MECHANISMS, MAX_MECHANISM_NETUID};
use super::{Hyperparams, Layout, MechanismInput, Snapshot, SparseRowU16};

/// The snapshot, or `None` when the text is not a valid snapshot written plainly.
pub(super) fn parse_typed(text: &str) -> Option<Snapshot> {
    let mut s = Scan::new(text);
    let t = top(&mut s)?;
    s.end()?;
    t.into_snapshot()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HyperparamsDe {
    kappa: u16,
    bonds_moving_average: u64,
    bonds_penalty: u16,
    liquid_alpha_enabled: bool,
    alpha_low: u16,
    alpha_high: u16,
    alpha_sigmoid_steepness: i16,
    yuma3_enabled: bool,
    activity_cutoff: u64,
    tempo: u16,
    max_allowed_validators: u16,
    stake_threshold: u64,
    commit_reveal_enabled: bool,
    tao_weight: u64,
}

impl From<HyperparamsDe> for Hyperparams {
    fn from(h: HyperparamsDe) -> Self {
        Hyperparams {
            kappa: h.kappa,
            bonds_moving_average: h.bonds_moving_average,
            bonds_penalty: h.bonds_penalty,
            liquid_alpha_enabled: h.liquid_alpha_enabled,
            alpha_low: h.alpha_low,
            alpha_high: h.alpha_high,
            alpha_sigmoid_steepness: h.alpha_sigmoid_steepness,
            yuma3_enabled: h.yuma3_enabled,
            activity_cutoff: h.activity_cutoff,
            tempo: h.tempo,
            max_allowed_validators: h.max_allowed_validators,
            stake_threshold: h.stake_threshold,
            commit_reveal_enabled: h.commit_reveal_enabled,
            tao_weight: h.tao_weight,
        }
    }
}

/// The four per-mechanism fields as read (`None` = absent), of a `mechanisms` element or of
/// the top level.
#[derive(Default)]
struct MechanismDe {
    last_update: Option<Vec<u64>>,
    commit_block: Option<Vec<Option<u64>>>,
    weights: Option<Vec<SparseRowU16>>,
    bonds: Option<Vec<SparseRowU16>>,
}

impl MechanismDe {
    /// All four present with n entries each.
    fn into_input(self, n: usize) -> Option<MechanismInput> {
        let input = MechanismInput {
            last_update: self.last_update?,
            commit_block: self.commit_block?,
            weights: self.weights?,
            bonds: self.bonds?,
        };
        let ok = input.last_update.len() == n
            && input.commit_block.len() == n
            && input.weights.len() == n
            && input.bonds.len() == n;
        ok.then_some(input)
    }

    /// Each of the four absent or `[]` (the top level beside `mechanisms`).
    fn all_empty_or_absent(&self) -> bool {
        self.last_update.as_ref().is_none_or(|v| v.is_empty())
            && self.commit_block.as_ref().is_none_or(|v| v.is_empty())
            && self.weights.as_ref().is_none_or(|v| v.is_empty())
            && self.bonds.as_ref().is_none_or(|v| v.is_empty())
    }
}

/// Every top-level field as read; `None` = absent. `split` is `Some(None)` for an explicit null.
#[derive(Default)]
struct Top<'a> {
    format: Option<&'a str>,
    netuid: Option<u16>,
    block: Option<u64>,
    n: Option<u16>,
    hyperparams: Option<HyperparamsDe>,
    owner_uid: Option<Option<u16>>,
    last_mechanism_step_block: Option<u64>,
    rao_emission: Option<u64>,
    alpha_stake: Option<Vec<u64>>,
    tao_stake: Option<Vec<u64>>,
    validator_permit: Option<Vec<bool>>,
    block_at_registration: Option<Vec<u64>>,
    /// The per-mechanism fields written at top level.
    m: MechanismDe,
    mechanisms: Option<Vec<MechanismDe>>,
    split: Option<Option<Vec<u16>>>,
}

impl Top<'_> {
    /// FORMAT.md's whole-document rules; `None` on any violation.
    fn into_snapshot(self) -> Option<Snapshot> {
        if self.format? != "yuma-snapshot/1" {
            return None;
        }
        let n16 = self.n.filter(|&n| n > 0)?;
        let n = usize::from(n16);
        let netuid = self.netuid?;
        let per_uid = |len: usize| len == n;
        let alpha_stake = self.alpha_stake.filter(|v| per_uid(v.len()))?;
        let tao_stake = self.tao_stake.filter(|v| per_uid(v.len()))?;
        let block_at_registration = self.block_at_registration.filter(|v| per_uid(v.len()))?;
        let validator_permit = self.validator_permit.filter(|v| per_uid(v.len()))?;
        let (mechanisms, layout) = match self.mechanisms {
            None => {
                if self.split.is_some() {
                    return None;
                }
                (vec![self.m.into_input(n)?], Layout::Single)
            }
            Some(list) => {
                if !self.m.all_empty_or_absent()
                    || netuid >= MAX_MECHANISM_NETUID
                    || list.is_empty()
                    || list.len() > MAX_MECHANISMS
                {
                    return None;
                }
                let mechanisms = list
                    .into_iter()
                    .map(|m| m.into_input(n))
                    .collect::<Option<Vec<_>>>()?;
                (
                    mechanisms,
                    Layout::Multi {
                        split: self.split.flatten(),
                    },
                )
            }
        };
        Some(Snapshot {
            netuid,
            block: self.block?,
            n: n16,
            hyperparams: self.hyperparams?.into(),
            owner_uid: self.owner_uid?,
            last_mechanism_step_block: self.last_mechanism_step_block?,
            rao_emission: self.rao_emission?,
            alpha_stake,
            tao_stake,
            validator_permit,
            block_at_registration,
            mechanisms,
            layout,
        })
    }
}

/// Stores a field once; a second occurrence declines (the explaining reader decides).
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

/// The top-level object, field by field.
fn top<'a>(s: &mut Scan<'a>) -> Option<Top<'a>> {
    let mut t = Top::default();
    s.object(|key, s| match key {
        b"format" => once(&mut t.format, s.typed()),
        b"netuid" => once(&mut t.netuid, s.typed()),
        b"block" => once(&mut t.block, s.typed()),
        b"n" => once(&mut t.n, s.typed()),
        b"hyperparams" => once(&mut t.hyperparams, s.typed()),
        b"owner_uid" => once(&mut t.owner_uid, s.typed()),
        b"last_mechanism_step_block" => once(&mut t.last_mechanism_step_block, s.typed()),
        b"rao_emission" => once(&mut t.rao_emission, s.typed()),
        b"alpha_stake" => once(&mut t.alpha_stake, s.u64s()),
        b"tao_stake" => once(&mut t.tao_stake, s.u64s()),
        b"validator_permit" => once(&mut t.validator_permit, s.bools()),
        b"block_at_registration" => once(&mut t.block_at_registration, s.u64s()),
        b"last_update" => once(&mut t.m.last_update, s.u64s()),
        b"commit_block" => once(&mut t.m.commit_block, s.optional_u64s()),
        b"weights" => once(&mut t.m.weights, s.sparse_rows()),
        b"bonds" => once(&mut t.m.bonds, s.sparse_rows()),
        b"mechanisms" => once(&mut t.mechanisms, mechanisms(s)),
        b"mechanism_emission_split" => once(&mut t.split, s.typed()),
        _ => None,
    })?;
    Some(t)
}

/// The `mechanisms` array: objects of the four per-mechanism fields.
fn mechanisms(s: &mut Scan) -> Option<Vec<MechanismDe>> {
    let mut list = Vec::new();
    s.array(|s| {
        let mut m = MechanismDe::default();
        s.object(|key, s| match key {
            b"last_update" => once(&mut m.last_update, s.u64s()),
            b"commit_block" => once(&mut m.commit_block, s.optional_u64s()),
            b"weights" => once(&mut m.weights, s.sparse_rows()),
            b"bonds" => once(&mut m.bonds, s.sparse_rows()),
            _ => None,
        })?;
        list.push(m);
        Some(())
    })?;
    Some(list)
}
