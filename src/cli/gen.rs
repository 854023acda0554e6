//! `yuma gen`: a synthetic, deterministic yuma-snapshot/1.

use std::path::PathBuf;

use clap::Args;

use super::{write_out, CliError};
use yuma::gen::{generate, GenParams, DEFAULT_DENSITY};
use yuma::snapshot::write_snapshot;

/// Generate a synthetic subnet snapshot.
///
/// Writes a yuma-snapshot/1 document for a realistic subnet of N uids: V validators (the uids
/// with `validator_permit`) at scattered uids hold heavy-tailed stake; the other uids are miners
/// below the stake threshold. Each validator weights a fraction of the miners (--density) with
/// Zipf-like concentration on popular miners, stored as max-upscaled u16 rows like the chain's;
/// about 10% of validators are stale (inactive), a few miners re-registered recently (so the
/// outdated-weights and bonds masks apply) and validators hold bonds as after a few epochs.
///
/// The output depends only on the arguments: the same arguments give the same bytes on every
/// machine (a private PRNG, no platform-dependent math).
#[derive(Args)]
pub struct GenArgs {
    /// Number of uids (1 to 65535).
    #[arg(long)]
    pub n: u32,
    /// Number of validators: uids holding a validator permit (0 to N).
    #[arg(long)]
    pub validators: u32,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Subnet id written to the snapshot (below 4096 with --mechanisms).
    #[arg(long, default_value_t = 1)]
    pub netuid: u16,
    /// Enable Yuma 3 (`yuma3_enabled`).
    #[arg(long)]
    pub yuma3: bool,
    /// Enable liquid alpha (`liquid_alpha_enabled`; only the Yuma 3 branch reads it).
    #[arg(long)]
    pub liquid_alpha: bool,
    /// Fraction of the miners each validator weights (0 to 1).
    #[arg(long, default_value_t = DEFAULT_DENSITY)]
    pub density: f64,
    /// Write a `mechanisms` array with M mechanisms (1 to 16), each with its own weights, bonds
    /// and activity.
    #[arg(long, value_name = "M")]
    pub mechanisms: Option<usize>,
    /// `mechanism_emission_split`: comma-separated u16 shares, e.g. 40000,25535 (needs
    /// --mechanisms; unset means an even split).
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub split: Option<Vec<u16>>,
    /// Where to write (default: standard output; `-` also means standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(a: GenArgs) -> Result<(), CliError> {
    let params = GenParams {
        n: a.n,
        validators: a.validators,
        seed: a.seed,
        netuid: a.netuid,
        yuma3: a.yuma3,
        liquid_alpha: a.liquid_alpha,
        density: a.density,
        mechanisms: a.mechanisms,
        split: a.split,
    };
    let snapshot = generate(&params)?;
    write_out(a.output.as_deref(), &write_snapshot(&snapshot))
}
