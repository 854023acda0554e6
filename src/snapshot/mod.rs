//! `yuma-snapshot/1`: one subnet at the block where its epoch runs (FORMAT.md).
//!
//! [`Snapshot`] holds the input exactly as the chain stores it (u16 weights and bonds, u64
//! blocks and stakes); every rule about dropping out-of-range uids or duplicates belongs to the
//! epoch stages, not to the reader, so that a snapshot written back is the snapshot read.

mod read;
mod scan;
pub(crate) mod tree;
mod typed;
mod write;

pub use read::{parse_snapshot, read_snapshot};

/// The explaining reader alone (a `Value` tree, every rule checked in turn): what
/// [`parse_snapshot`] falls back to when its typed pass declines. For tests and benches that
/// compare the two paths.
pub fn parse_snapshot_explaining(text: &str, file: &str) -> Result<Snapshot, InputError> {
    read::explain_snapshot(text, file)
}
pub use write::write_snapshot;

/// One stored sparse row: `(uid, u16 value)` pairs in storage order.
pub type SparseRowU16 = Vec<(u16, u16)>;

/// Subnet hyperparameters the epoch reads (all shared by every mechanism).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hyperparams {
    /// Consensus quantile, used as `kappa / 65535`.
    pub kappa: u16,
    /// Bonds EMA memory in millionths: alpha = `1 - bma / 1e6`.
    pub bonds_moving_average: u64,
    /// `/65535`: interpolates weights → clipped weights for the bonds input.
    pub bonds_penalty: u16,
    /// Per-entry sigmoid alpha; read by the Yuma 3 branch only.
    pub liquid_alpha_enabled: bool,
    /// Liquid-alpha lower bound, `/65535`.
    pub alpha_low: u16,
    /// Liquid-alpha upper bound, `/65535`.
    pub alpha_high: u16,
    /// Sigmoid steepness (divided by −100 inside the sigmoid).
    pub alpha_sigmoid_steepness: i16,
    /// Selects the Yuma 3 bonds/dividends branch.
    pub yuma3_enabled: bool,
    /// Activity cutoff in blocks.
    pub activity_cutoff: u64,
    /// Tempo; only read when `last_mechanism_step_block == 0`.
    pub tempo: u16,
    /// k of the top-k validator-permit selection.
    pub max_allowed_validators: u16,
    /// Minimum total stake (truncated to u64) a non-owner uid needs to keep its stake.
    pub stake_threshold: u64,
    /// Enables the commit-reveal column mask.
    pub commit_reveal_enabled: bool,
    /// Raw TAO weight: the fraction `tao_weight / u64::MAX`.
    pub tao_weight: u64,
}

/// What one mechanism reads under its own storage index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MechanismInput {
    /// Block of each uid's last weight set.
    pub last_update: Vec<u64>,
    /// Earliest unexpired pending commit per uid (`None`: no pending commit).
    pub commit_block: Vec<Option<u64>>,
    /// Stored weight rows, storage order, duplicates and uids ≥ n included.
    pub weights: Vec<SparseRowU16>,
    /// Stored bond rows, storage order, duplicates and uids ≥ n included.
    pub bonds: Vec<SparseRowU16>,
}

/// How the snapshot described its mechanisms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The four per-mechanism fields at top level: one mechanism, single-mechanism output.
    Single,
    /// A `mechanisms` array (1 … 16 elements) and an optional emission split.
    Multi {
        /// `mechanism_emission_split`; `None` = unset (even split).
        split: Option<Vec<u16>>,
    },
}

/// A whole `yuma-snapshot/1` document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub netuid: u16,
    pub block: u64,
    pub n: u16,
    pub hyperparams: Hyperparams,
    /// Subnet owner; a value ≥ n behaves like `None`.
    pub owner_uid: Option<u16>,
    pub last_mechanism_step_block: u64,
    pub rao_emission: u64,
    pub alpha_stake: Vec<u64>,
    pub tao_stake: Vec<u64>,
    pub validator_permit: Vec<bool>,
    pub block_at_registration: Vec<u64>,
    /// Element m is mechanism m; exactly one element for [`Layout::Single`].
    pub mechanisms: Vec<MechanismInput>,
    pub layout: Layout,
}

impl Snapshot {
    /// Number of uids as a `usize`.
    pub fn len(&self) -> usize {
        usize::from(self.n)
    }

    /// Always false: a valid snapshot has n ≥ 1.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The owner uid when it names a uid of this subnet (`owner_uid < n`).
    pub fn owner_in_range(&self) -> Option<u16> {
        self.owner_uid.filter(|&o| o < self.n)
    }

    /// The emission split, when the snapshot has a `mechanisms` array.
    pub fn split(&self) -> Option<&[u16]> {
        match &self.layout {
            Layout::Multi { split } => split.as_deref(),
            Layout::Single => None,
        }
    }

    /// True when the snapshot uses the `mechanisms` array.
    pub fn is_multi(&self) -> bool {
        matches!(self.layout, Layout::Multi { .. })
    }
}

/// A problem with an input file: which file, which field, which uid, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{}{message}", field_part(.field), uid_part(.uid))]
pub struct InputError {
    pub file: String,
    /// Dotted path of the field (`hyperparams.kappa`, `mechanisms[1].weights`), empty for the
    /// document as a whole.
    pub field: String,
    pub uid: Option<usize>,
    pub message: String,
}

fn field_part(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("field `{field}`: ")
    }
}

fn uid_part(uid: &Option<usize>) -> String {
    uid.map(|u| format!("uid {u}: ")).unwrap_or_default()
}
