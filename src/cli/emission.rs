//! `yuma emission`: the chain's block emission for an issuance, and its halving schedule.

use clap::Args;

use super::CliError;
use yuma::analysis::emission::{parse_date, project, BLOCKS_PER_DAY, DAYS_PER_YEAR};

/// The chain's block emission for an issuance, and the halvings ahead.
///
/// The block emission subtensor computes for a total issuance (`get_block_emission_for_issuance`:
/// 1 TAO per block halved each time issuance passes 1/2, 3/4, 7/8, … of the 21 M cap), and the
/// halvings ahead: issuance grows by the block emission each block (recycling and burns ignored),
/// 12 s per block. The same function of a subnet's alpha issuance gives its alpha emission per
/// block.
#[derive(Args)]
pub struct EmissionArgs {
    /// Total issuance in rao (1 TAO = 10⁹ rao), or a subnet's alpha issuance.
    #[arg(long, value_name = "RAO")]
    pub issuance: u64,
    /// How far to project, in years of 365 days.
    #[arg(long, default_value_t = 20)]
    pub years: u32,
    /// The block at which the issuance was read (halvings then get absolute blocks).
    #[arg(long, value_name = "B", requires = "date")]
    pub at_block: Option<u64>,
    /// The date of that block, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC).
    #[arg(long, value_name = "D", requires = "at_block")]
    pub date: Option<String>,
    /// JSON with exact integers: {"issuance", "block_emission", "per_day", "per_year",
    /// "halvings": [{blocks_from_start, block, date, issuance, block_emission}], …}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: EmissionArgs) -> Result<(), CliError> {
    let start = match (a.at_block, &a.date) {
        (Some(b), Some(d)) => Some((
            b,
            parse_date(d).ok_or_else(|| {
                CliError::new(format!(
                    "--date {d}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
                ))
            })?,
        )),
        _ => None,
    };
    let horizon = u64::from(a.years) * DAYS_PER_YEAR * BLOCKS_PER_DAY;
    let s = project(a.issuance, horizon, start).map_err(|e| CliError::new(e.to_string()))?;
    if a.json {
        let mut text =
            serde_json::to_string_pretty(&s).map_err(|e| CliError::new(e.to_string()))?;
        text.push('\n');
        return super::write_out(None, &text);
    }
    let tao = |rao: u64| rao as f64 / 1e9;
    say!(
        "issuance        {} rao ({:.9} TAO)",
        s.issuance,
        tao(s.issuance)
    );
    say!(
        "block emission  {} rao ({:.9} TAO per block)",
        s.block_emission,
        tao(s.block_emission)
    );
    say!("per day         {:.3} TAO (7,200 blocks)", tao(s.per_day));
    say!("per year        {:.3} TAO (365 days)", tao(s.per_year));
    if s.halvings.is_empty() {
        say!("no change of the block emission within {} years", a.years);
    }
    for h in &s.halvings {
        let when = match (&h.block, &h.date) {
            (Some(b), Some(d)) => format!("block {b}, {d} UTC"),
            _ => format!(
                "in {} blocks ({:.1} days)",
                h.blocks_from_start,
                h.blocks_from_start as f64 / BLOCKS_PER_DAY as f64
            ),
        };
        say!(
            "halving         {when}: issuance {:.3} TAO, then {} rao per block ({:.3} TAO per day)",
            tao(h.issuance),
            h.block_emission,
            tao(h.block_emission * BLOCKS_PER_DAY)
        );
    }
    say!(
        "issuance after {} years: {:.3} TAO",
        a.years,
        tao(s.issuance_at_horizon)
    );
    Ok(())
}
