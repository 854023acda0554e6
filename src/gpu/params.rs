//! The per-epoch parameter block the kernels read (`Params` in shaders/epoch_params.wgsl) and
//! the matrix view (which form a generic matrix kernel reads; one per epoch). Scalar hyperparameter conversions (kappa/65535, the EMA rate,
//! tao_weight, last_tempo) are O(1) and happen here, with the same CPU functions the reference
//! uses.

use bytemuck::{Pod, Zeroable};

use crate::epoch::bonds::liquid_alpha::LiquidAlphaParams;
use crate::epoch::{bonds, consensus, stake};
use crate::fixed::u16_proportion;
use crate::snapshot::Snapshot;

pub const FLAG_COMMIT_REVEAL: u32 = 1;
pub const FLAG_YUMA3: u32 = 2;
/// Yuma 3 with liquid alpha enabled (it applies when some consensus is also non-zero).
pub const FLAG_LIQUID: u32 = 4;
/// "No uid" in u32 fields.
pub const NONE: u32 = u32::MAX;

/// Mirrors `struct Params` of epoch_params.wgsl (storage buffer layout; checked by a test).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct EpochParams {
    pub n: u32,
    pub nnz_w: u32,
    pub nnz_b: u32,
    pub n_slots: u32,
    pub owner: u32,
    pub k: u32,
    pub flags: u32,
    /// This epoch's position in its batch.
    pub epoch: u32,
    /// Offsets of this epoch's part of the batch's shared buffers, per size class (cells): per
    /// uid (n), pointers (n + 1), entry indices (max(nnz_w, nnz_b)), slots (n_slots), matrix
    /// values (max(n_slots·n, nnz_w, nnz_b)). The parts are cut for the sizes `Shape::of`
    /// bounds; `nnz_w` and `n_slots` hold the exact sizes packing gave, which may be smaller.
    pub o_n: u32,
    pub o_n1: u32,
    pub o_e: u32,
    pub o_s: u32,
    pub o_x: u32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
    pub block: u64,
    pub activity_cutoff: u64,
    pub stake_threshold: u64,
    pub last_tempo: u64,
    pub rao_emission: u64,
    pub _pad3: u64,
    pub tao_weight_lo: u64,
    pub tao_weight_hi: u64,
    pub kappa: i64,
    pub penalty: i64,
    pub alpha: i64,
    pub alpha_low: i64,
    pub alpha_high: i64,
    pub steepness: i64,
}

/// Mirrors `struct MatView`: which form a generic matrix kernel reads.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct MatView {
    pub dense: u32,
    pub _pad: [u32; 3],
}

impl EpochParams {
    /// The parameters of one mechanism's epoch with `rao_emission` as its emission.
    pub fn new(
        s: &Snapshot,
        rao_emission: u64,
        nnz_w: usize,
        nnz_b: usize,
        n_slots: usize,
    ) -> EpochParams {
        let h = &s.hyperparams;
        let tw = stake::tao_weight(h.tao_weight).to_bits() as u128;
        let alpha = if h.yuma3_enabled {
            bonds::alpha_wrapping(h.bonds_moving_average)
        } else {
            bonds::alpha_saturating(h.bonds_moving_average)
        };
        let la = LiquidAlphaParams::new(h.alpha_low, h.alpha_high, h.alpha_sigmoid_steepness);
        let mut flags = 0;
        if h.commit_reveal_enabled {
            flags |= FLAG_COMMIT_REVEAL;
        }
        if h.yuma3_enabled {
            flags |= FLAG_YUMA3;
            if h.liquid_alpha_enabled {
                flags |= FLAG_LIQUID;
            }
        }
        EpochParams {
            n: u32::from(s.n),
            nnz_w: nnz_w as u32,
            nnz_b: nnz_b as u32,
            n_slots: n_slots as u32,
            owner: s.owner_uid.map_or(NONE, u32::from),
            k: u32::from(h.max_allowed_validators),
            flags,
            epoch: 0,
            o_n: 0,
            o_n1: 0,
            o_e: 0,
            o_s: 0,
            o_x: 0,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
            block: s.block,
            activity_cutoff: h.activity_cutoff,
            stake_threshold: h.stake_threshold,
            last_tempo: bonds::last_tempo(s.last_mechanism_step_block, s.block, h.tempo),
            rao_emission,
            _pad3: 0,
            tao_weight_lo: tw as u64,
            tao_weight_hi: (tw >> 64) as u64,
            kappa: consensus::kappa_fraction(h.kappa).to_bits(),
            penalty: u16_proportion(h.bonds_penalty).to_bits(),
            alpha: alpha.to_bits(),
            alpha_low: la.low.to_bits(),
            alpha_high: la.high.to_bits(),
            steepness: la.steepness.to_bits(),
        }
    }
}
