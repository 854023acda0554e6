//! Hints read from the pattern of differences: which input is the likely culprit.
//!
//! | pattern | likely cause |
//! |---|---|
//! | only `emission` / `server_emission` differ | `rao_emission` (it includes block B's own increment) |
//! | with M > 1, also aggregated u16 terms, per-mechanism ones equal | `rao_emission` or the split (they set the aggregation weights) |
//! | most fields differ for most uids | wrong block, wrong runtime, or stale stakes |
//! | `stake` / `validator_permit` | stakes at B−1, `tao_weight`, `stake_threshold`, `max_allowed_validators` |
//! | `active` | `last_update`, `activity_cutoff`, `block` |
//! | only some validators' bonds rows / trust / dividends | their weights at B (a reveal inside the epoch block) |
//! | the same bonds columns in many rows | those uids' registration block or the commit-reveal mask |

use std::collections::BTreeSet;

use super::{Mismatch, Report};
use crate::recorded::EmissionSource;

const SUBNET_FIELDS: [&str; 7] = [
    "active",
    "stake",
    "validator_permit",
    "consensus",
    "validator_trust",
    "dividend",
    "emission",
];

fn uids_of<'a>(ms: impl Iterator<Item = &'a Mismatch>) -> BTreeSet<u16> {
    ms.map(|m| m.uid).collect()
}

fn list(uids: &BTreeSet<u16>) -> String {
    const SHOW: usize = 8;
    let mut parts: Vec<String> = uids.iter().take(SHOW).map(u16::to_string).collect();
    if uids.len() > SHOW {
        parts.push(format!("… ({} uids)", uids.len()));
    }
    parts.join(", ")
}

/// Sentences naming the likely cause of the differences in `r`; empty when nothing differs.
pub fn hints(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if r.mismatches.is_empty() {
        return out;
    }
    let differing: BTreeSet<&str> = r.mismatches.iter().map(|m| m.field).collect();
    let in_field = |f: &'static str| r.mismatches.iter().filter(move |m| m.field == f);
    let is_emission = |f: &str| f == "emission" || f == "server_emission";
    let estimate = match r.emission_source {
        Some(EmissionSource::Estimate) => " (source.rao_emission says \"estimate\")",
        Some(EmissionSource::Pinned) => {
            " (source.rao_emission says \"pinned\", yet they differ: the fit did not hold)"
        }
        _ => "",
    };

    if differing.iter().all(|f| is_emission(f)) {
        out.push(format!(
            "Only the emissions differ; every u16 term and bond agrees: the snapshot's `rao_emission`{estimate} \
is not what the chain drained at block {} (pending server + validator + root alpha at B−1 plus \
block B's own increment, CHAIN_EXPORT.md §2).",
            r.block
        ));
        return out;
    }
    let per_mechanism_equal = !differing
        .iter()
        .any(|f| matches!(*f, "incentive" | "bonds"));
    if r.mechanisms > 1
        && per_mechanism_equal
        && differing.iter().all(|f| {
            is_emission(f) || matches!(*f, "stake" | "consensus" | "validator_trust" | "dividend")
        })
    {
        out.push(format!(
            "Every mechanism's own incentive and bonds agree; only emission-weighted aggregates differ: with {} \
mechanisms the subnet terms are folded with weights e_m / E, so check `rao_emission`{estimate} and \
`mechanism_emission_split`.",
            r.mechanisms
        ));
        return out;
    }

    let compared = |f: &str| {
        r.fields
            .iter()
            .filter(|s| s.field == f)
            .map(|s| s.compared)
            .sum::<usize>()
    };
    let widespread = SUBNET_FIELDS
        .iter()
        .filter(|f| {
            let d = in_field(f).count();
            d > 0 && 2 * d > compared(f)
        })
        .count();
    if widespread >= 4 {
        out.push(format!(
            "Almost everything differs for most uids: the snapshot is probably not the input of this epoch — \
wrong block (inputs are the state of B−1 = {}, the recorded values the state of B = {}), a runtime \
whose epoch differs (spec_version), or stale stakes.",
            r.block.saturating_sub(1),
            r.block
        ));
        return out;
    }

    let stake = uids_of(in_field("stake"));
    if !stake.is_empty() {
        out.push(format!(
            "`stake` differs for uids {}: the snapshot's alpha_stake / tao_stake (get_selective_metagraph at \
hash(B−1)), tao_weight or stake_threshold are not the chain's.",
            list(&stake)
        ));
    }
    let permits = uids_of(in_field("validator_permit"));
    if !permits.is_empty() && stake.is_empty() {
        out.push(format!(
            "`validator_permit` differs for uids {} while stake agrees: max_allowed_validators or the owner uid.",
            list(&permits)
        ));
    }
    let active = uids_of(in_field("active"));
    if !active.is_empty() {
        out.push(format!(
            "`active` differs for uids {}: their last_update, the activity_cutoff (spec ≥ 423: \
ActivityCutoffFactorMilli × tempo / 1000) or the block.",
            list(&active)
        ));
    }

    let upstream_equal = stake.is_empty() && permits.is_empty() && active.is_empty();
    let column_terms = uids_of(in_field("consensus").chain(in_field("incentive")));
    let targets: BTreeSet<u16> = in_field("bonds").filter_map(|m| m.target).collect();
    let rows: BTreeSet<u16> = uids_of(in_field("bonds"));
    if upstream_equal && column_terms.is_empty() {
        let validator_rows = uids_of(
            in_field("bonds")
                .chain(in_field("validator_trust"))
                .chain(in_field("dividend")),
        );
        if !validator_rows.is_empty() {
            out.push(format!(
                "Only the rows of validators {} differ (their bonds, validator trust or dividends): their \
weights at B — e.g. a timelocked reveal inside the epoch block (the rows at B of the hotkeys whose \
commits B consumed, CHAIN_EXPORT.md §1.3) or a weight set by B's own extrinsics.",
                list(&validator_rows)
            ));
        }
    } else if upstream_equal && !column_terms.is_empty() {
        let columns: BTreeSet<u16> = column_terms.union(&targets).copied().collect();
        if rows.len() > 1 || !targets.is_empty() {
            out.push(format!(
                "The columns of uids {} differ (consensus / incentive / bonds held in them): the weights they \
receive — their block_at_registration (outdated-weight and bond masks) or the commit-reveal mask \
(commit_block), or weights revealed at B.",
                list(&columns)
            ));
        } else {
            out.push(format!(
                "consensus / incentive differ for uids {}: the weights at B (a reveal inside the epoch block, \
CHAIN_EXPORT.md §1.3), block_at_registration or commit_block.",
                list(&columns)
            ));
        }
    }
    if out.is_empty() {
        let fields: Vec<&str> = differing.iter().copied().collect();
        out.push(format!(
            "Differences in {}: no single input explains the pattern.",
            fields.join(", ")
        ));
    }
    out
}
