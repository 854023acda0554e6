//! The scenario file (TOML): a subnet, its validators and miners, and E epochs.
//!
//! ```toml
//! name = "copier_lag1"
//! description = "…"
//! follows = "yuma-simulation Case 1"      # optional: which published case it re-expresses
//! epochs = 40
//! seed = 1                                # honest noise; --seed overrides
//! yuma = "3"                              # "2", "3" or "3la" (Yuma 3 + liquid alpha); --yuma overrides
//!
//! [subnet]                                # all optional
//! netuid = 1
//! tempo = 360                             # epoch k runs at start_block + k·(tempo + 1)
//! start_block = 1000000
//! total_stake_tao = 1000000.0             # validator stake shares are fractions of this
//! rao_emission = 361000000000             # per epoch; default (tempo + 1) · block emission
//! alpha_issuance = 0                      # block emission = the chain's function of this
//!
//! [hyperparams]                           # optional; integer = chain units, float = fraction
//! kappa = 0.5                             # → round-half-even(0.5 · 65535) = 32768
//! bonds_moving_average = 900000           # millionths (a float uses scale 10⁶)
//! bonds_penalty = 1.0
//! alpha_low = 0.7
//! alpha_high = 0.9
//! alpha_sigmoid_steepness = 1000
//! activity_cutoff = 5000
//! max_allowed_validators = 64             # default: the number of validators
//! stake_threshold = 0                     # rao
//!
//! [[validators]]
//! name = "honest"
//! count = 3                               # a group of identical validators (default 1)
//! stake = 0.2                             # each one's share of total_stake_tao
//! behaviour = "honest"                    # honest | copier | stale | cabal | weights
//! noise = 0.05                            # honest/stale: weight = max(0, quality + noise·u), u ∈ [−1, 1)
//! # copier: lag = 1, source = "consensus" | "<validator group name>"
//! # stale:  stop = 10 (sets no weights from epoch 10 on)
//! # cabal:  targets = ["cabal_miners"] (weights these miner groups equally)
//! # weights: schedule = [{ from = 0, weights = [1.0, 0.0] }, { from = 1, weights = [0.0, 1.0] }]
//!
//! [[miners]]
//! name = "good"
//! count = 10
//! quality = 1.0                           # or qualities = [..] (one per miner)
//! join = 0                                # registers at epoch join (> 0: the slot is re-registered)
//! leave = 30                              # deregistered at epoch leave (the slot is re-registered)
//!
//! [[events]]
//! epoch = 20
//! kind = "bonds_reset"                    # clears bonds toward `miners` (all bonds if absent)
//! miners = ["good"]
//! ```
//!
//! Uids: the validators in file order (groups expanded), then the miners.

use serde::Deserialize;

/// Which Yuma a scenario runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum YumaVersion {
    #[serde(rename = "2")]
    Yuma2,
    #[serde(rename = "3")]
    Yuma3,
    #[serde(rename = "3la")]
    Yuma3LiquidAlpha,
}

impl YumaVersion {
    /// `2`, `3`, `3la`.
    pub fn label(self) -> &'static str {
        match self {
            YumaVersion::Yuma2 => "2",
            YumaVersion::Yuma3 => "3",
            YumaVersion::Yuma3LiquidAlpha => "3la",
        }
    }

    /// Parses `2`, `3` or `3la`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "2" => Some(YumaVersion::Yuma2),
            "3" => Some(YumaVersion::Yuma3),
            "3la" => Some(YumaVersion::Yuma3LiquidAlpha),
            _ => None,
        }
    }

    /// `(yuma3_enabled, liquid_alpha_enabled)`.
    pub fn flags(self) -> (bool, bool) {
        match self {
            YumaVersion::Yuma2 => (false, false),
            YumaVersion::Yuma3 => (true, false),
            YumaVersion::Yuma3LiquidAlpha => (true, true),
        }
    }
}

/// A number in a scenario: a TOML integer is in the chain's units, a float is a fraction
/// (converted by [`crate::analysis::units`]).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Quantity {
    Int(u64),
    Float(f64),
}

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub follows: Option<String>,
    pub epochs: usize,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_yuma")]
    pub yuma: YumaVersion,
    #[serde(default)]
    pub subnet: SubnetSpec,
    #[serde(default)]
    pub hyperparams: HyperSpec,
    pub validators: Vec<ValidatorSpec>,
    pub miners: Vec<MinerSpec>,
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

fn default_yuma() -> YumaVersion {
    YumaVersion::Yuma3
}

/// `[subnet]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetSpec {
    pub netuid: Option<u16>,
    pub tempo: Option<u16>,
    pub start_block: Option<u64>,
    pub total_stake_tao: Option<f64>,
    pub rao_emission: Option<u64>,
    pub alpha_issuance: Option<u64>,
}

/// `[hyperparams]`: every field optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HyperSpec {
    pub kappa: Option<Quantity>,
    pub bonds_moving_average: Option<Quantity>,
    pub bonds_penalty: Option<Quantity>,
    pub alpha_low: Option<Quantity>,
    pub alpha_high: Option<Quantity>,
    pub alpha_sigmoid_steepness: Option<i16>,
    pub activity_cutoff: Option<u64>,
    pub max_allowed_validators: Option<u16>,
    pub stake_threshold: Option<u64>,
}

/// One `[[validators]]` group.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorSpec {
    pub name: String,
    #[serde(default = "one")]
    pub count: u16,
    pub stake: f64,
    pub behaviour: String,
    #[serde(default)]
    pub noise: f64,
    pub lag: Option<usize>,
    pub source: Option<String>,
    pub stop: Option<usize>,
    pub targets: Option<Vec<String>>,
    pub schedule: Option<Vec<ScheduleEntry>>,
}

fn one() -> u16 {
    1
}

/// Explicit weights from epoch `from` on (until the next entry).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    pub from: usize,
    /// One weight per miner uid, in miner order.
    pub weights: Vec<f64>,
}

/// One `[[miners]]` group.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerSpec {
    pub name: String,
    #[serde(default = "one")]
    pub count: u16,
    pub quality: Option<f64>,
    pub qualities: Option<Vec<f64>>,
    #[serde(default)]
    pub join: usize,
    pub leave: Option<usize>,
}

/// One `[[events]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    pub epoch: usize,
    pub kind: String,
    pub miners: Option<Vec<String>>,
}

/// Parses a scenario; the error names the file and the TOML problem.
pub fn parse_scenario(text: &str, file: &str) -> Result<ScenarioFile, String> {
    toml::from_str(text).map_err(|e| {
        let at = match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("line {line}, column {column}: ")
            }
            None => String::new(),
        };
        format!("{file}: {at}{}", e.message().trim_end())
    })
}
