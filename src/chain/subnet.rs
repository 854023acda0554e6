//! The subnet-wide reads of a fetch: scalars and hyperparameters at S, the recorded subnet
//! vectors at S_B, the pending emission; and the small decoding helpers every read uses.

use super::assemble::activity_cutoff;
use super::keys;
use super::rpc::{At, Node};
use super::scale::{decode, Account};
use super::ChainError;
use crate::snapshot::Hyperparams;
use parity_scale_codec::Decode;

/// Keys of one `state_queryStorageAt` batch, remembered by position.
#[derive(Default)]
pub(super) struct Batch(pub(super) Vec<Vec<u8>>);

impl Batch {
    pub(super) fn add(&mut self, key: Vec<u8>) -> usize {
        self.0.push(key);
        self.0.len() - 1
    }
    pub(super) fn range(
        &mut self,
        keys: impl IntoIterator<Item = Vec<u8>>,
    ) -> std::ops::Range<usize> {
        let start = self.0.len();
        self.0.extend(keys);
        start..self.0.len()
    }
}

pub(super) fn bad(e: String) -> ChainError {
    ChainError::Node(e)
}

/// A ValueQuery item: its default when absent.
pub(super) fn val<T: Decode>(v: &Option<Vec<u8>>, default: T, what: &str) -> Result<T, ChainError> {
    v.as_deref()
        .map_or(Ok(default), |b| decode(b, what).map_err(bad))
}

/// An OptionQuery item.
pub(super) fn opt<T: Decode>(v: &Option<Vec<u8>>, what: &str) -> Result<Option<T>, ChainError> {
    v.as_deref()
        .map(|b| decode(b, what).map_err(bad))
        .transpose()
}

pub(super) fn rows(v: &[Option<Vec<u8>>], what: &str) -> Result<Vec<Vec<(u16, u16)>>, ChainError> {
    v.iter().map(|x| val(x, Vec::new(), what)).collect()
}

/// The subnet-wide values at S.
pub(super) struct AtS {
    pub(super) exists: bool,
    pub(super) n: u16,
    pub(super) mechs: u8,
    pub(super) split: Option<Vec<u16>>,
    pub(super) hyper: Hyperparams,
    pub(super) owner_hotkey: Option<Account>,
    pub(super) last_step: u64,
    pub(super) epoch_index: u64,
    pub(super) reveal_period: u64,
    pub(super) permit: Vec<bool>,
    pub(super) pending: u64,
}

pub(super) async fn read_s(
    node: &Node,
    netuid: u16,
    spec: u32,
    at: &At,
) -> Result<AtS, ChainError> {
    let mut b = Batch::default();
    let by = |item: &str| keys::by_u16(item, netuid);
    let i_added = b.add(by("NetworksAdded"));
    let i_n = b.add(by("SubnetworkN"));
    let i_mechs = b.add(keys::by_u16_twox("MechanismCountCurrent", netuid));
    let i_split = b.add(keys::by_u16_twox("MechanismEmissionSplit", netuid));
    let i_kappa = b.add(by("Kappa"));
    let i_bma = b.add(by("BondsMovingAverage"));
    let i_penalty = b.add(by("BondsPenalty"));
    let i_liquid = b.add(keys::by_u16_blake2("LiquidAlphaOn", netuid));
    let i_alpha = b.add(by("AlphaValues"));
    let i_steep = b.add(by("AlphaSigmoidSteepness"));
    let i_yuma3 = b.add(keys::by_u16_blake2("Yuma3On", netuid));
    let i_factor = b.add(by("ActivityCutoffFactorMilli"));
    let i_cutoff = b.add(by("ActivityCutoff"));
    let i_tempo = b.add(by("Tempo"));
    let i_maxval = b.add(by("MaxAllowedValidators"));
    let i_cr = b.add(by("CommitRevealWeightsEnabled"));
    let i_tw = b.add(keys::value("TaoWeight"));
    let i_st = b.add(keys::value("StakeThreshold"));
    let i_owner = b.add(by("SubnetOwnerHotkey"));
    let i_step = b.add(by("LastMechansimStepBlock"));
    let i_index = b.add(by("SubnetEpochIndex"));
    let i_rp = b.add(keys::by_u16_twox("RevealPeriodEpochs", netuid));
    let i_permit = b.add(by("ValidatorPermit"));
    let pend = b.range(PENDING.map(by));
    let v = node.query(&b.0, at).await?;
    let (low, high) = val(&v[i_alpha], (45875u16, 58982u16), "AlphaValues")?;
    let tempo = val(&v[i_tempo], 360u16, "Tempo")?;
    let hyper = Hyperparams {
        kappa: val(&v[i_kappa], 32_767u16, "Kappa")?,
        bonds_moving_average: val(&v[i_bma], 900_000u64, "BondsMovingAverage")?,
        bonds_penalty: val(&v[i_penalty], u16::MAX, "BondsPenalty")?,
        liquid_alpha_enabled: val(&v[i_liquid], false, "LiquidAlphaOn")?,
        alpha_low: low,
        alpha_high: high,
        alpha_sigmoid_steepness: val(&v[i_steep], 1000i16, "AlphaSigmoidSteepness")?,
        yuma3_enabled: val(&v[i_yuma3], false, "Yuma3On")?,
        activity_cutoff: activity_cutoff(
            spec,
            val(&v[i_factor], 13_889u32, "ActivityCutoffFactorMilli")?,
            tempo,
            val(&v[i_cutoff], 5000u16, "ActivityCutoff")?,
        ),
        tempo,
        max_allowed_validators: val(&v[i_maxval], 128u16, "MaxAllowedValidators")?,
        stake_threshold: val(&v[i_st], 0u64, "StakeThreshold")?,
        commit_reveal_enabled: val(&v[i_cr], true, "CommitRevealWeightsEnabled")?,
        tao_weight: val(&v[i_tw], 971_718_665_099_567_868u64, "TaoWeight")?,
    };
    let pending = pending_sum(&v[pend])?;
    Ok(AtS {
        exists: val(&v[i_added], false, "NetworksAdded")?,
        n: val(&v[i_n], 0u16, "SubnetworkN")?,
        mechs: val(&v[i_mechs], 1u8, "MechanismCountCurrent")?,
        split: opt(&v[i_split], "MechanismEmissionSplit")?,
        hyper,
        owner_hotkey: opt(&v[i_owner], "SubnetOwnerHotkey")?,
        last_step: val(&v[i_step], 0u64, "LastMechansimStepBlock")?,
        epoch_index: val(&v[i_index], 0u64, "SubnetEpochIndex")?,
        reveal_period: val(&v[i_rp], 1u64, "RevealPeriodEpochs")?,
        permit: val(&v[i_permit], Vec::new(), "ValidatorPermit")?,
        pending,
    })
}

/// The subnet-wide recorded outputs at S_B, and the epoch marker.
pub(super) struct AtB {
    pub(super) last_step: u64,
    pub(super) owner_hotkey: Option<Account>,
    pub(super) active: Vec<bool>,
    pub(super) stake: Vec<u16>,
    pub(super) permit: Vec<bool>,
    pub(super) consensus: Vec<u16>,
    pub(super) trust: Vec<u16>,
    pub(super) dividend: Vec<u16>,
    pub(super) emission: Vec<u64>,
}

pub(super) async fn read_b(node: &Node, netuid: u16, at: &At) -> Result<AtB, ChainError> {
    let items = [
        "LastMechansimStepBlock",
        "SubnetOwnerHotkey",
        "Active",
        "StakeWeight",
        "ValidatorPermit",
        "Consensus",
        "ValidatorTrust",
        "Dividends",
        "Emission",
    ];
    let v = node
        .query(&items.map(|i| keys::by_u16(i, netuid)), at)
        .await?;
    Ok(AtB {
        last_step: val(&v[0], 0u64, items[0])?,
        owner_hotkey: opt(&v[1], items[1])?,
        active: val(&v[2], Vec::new(), items[2])?,
        stake: val(&v[3], Vec::new(), items[3])?,
        permit: val(&v[4], Vec::new(), items[4])?,
        consensus: val(&v[5], Vec::new(), items[5])?,
        trust: val(&v[6], Vec::new(), items[6])?,
        dividend: val(&v[7], Vec::new(), items[7])?,
        emission: val(&v[8], Vec::new(), items[8])?,
    })
}

/// The pending amounts drained at an epoch: `rao_emission` is their sum (owner cut excluded).
pub(super) const PENDING: [&str; 3] = [
    "PendingServerEmission",
    "PendingValidatorEmission",
    "PendingRootAlphaDivs",
];

/// The saturating sum of pending amounts.
fn pending_sum<'a>(
    values: impl IntoIterator<Item = &'a Option<Vec<u8>>>,
) -> Result<u64, ChainError> {
    let mut sum = 0u64;
    for x in values {
        sum = sum.saturating_add(val(x, 0u64, "Pending*Emission")?);
    }
    Ok(sum)
}

/// `PendingServerEmission + PendingValidatorEmission + PendingRootAlphaDivs` at `at`.
pub(super) async fn read_pending(node: &Node, netuid: u16, at: &At) -> Result<u64, ChainError> {
    let v = node
        .query(&PENDING.map(|i| keys::by_u16(i, netuid)), at)
        .await?;
    pending_sum(&v)
}
