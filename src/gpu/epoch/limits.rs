//! What Mesa's software adapter (llvmpipe) cannot run. It ends any shader invocation after 65,535
//! loop iterations in total, silently; where one invocation walks a whole column or row, an epoch
//! whose column or row is long enough to pass that is refused there, never computed wrong. A
//! hardware GPU has no such limit. The walks:
//! - the weighted median, with more validators than fit in workgroup memory: a whole column per
//!   round;
//! - the liquid-alpha merge: two rows;
//! - building the column lists: a row whose columns repeat;
//! - the column-wise kernels (`col_normalize` and `col_max_upscale`, two passes each; `ranks`):
//!   a column, i.e. every slot row in the dense form, the column's entries in the sparse form
//!   (the weights' always, the bonds' for Yuma 2).

use super::{GpuError, Signature, SHARED_VALIDATORS};
use crate::gpu::layout::Shape;
use crate::snapshot::{MechanismInput, SparseRowU16};

const MAX_VALIDATORS: usize = SHARED_VALIDATORS;
/// Each of the two rows the liquid-alpha merge walks.
const MAX_MERGED_ROW: usize = 30_000;
/// A row whose columns repeat, walked once.
const MAX_REPEATING_ROW: usize = 60_000;
/// A column, walked twice.
const MAX_COLUMN: usize = 30_000;

/// Refuses the epoch (`validators` bounding its validators, `shape` its sizes) when one of its
/// walks would pass what the software adapter runs.
pub(super) fn software_limits(
    sig: Signature,
    validators: usize,
    shape: &Shape,
    m: &MechanismInput,
) -> Result<(), GpuError> {
    let refuse = |what: String, limit: usize, walk: &str| {
        Err(GpuError::TooLarge(format!(
            "{what}: past {limit} {walk} loops longer per invocation than the software adapter \
             (llvmpipe) allows (65,535 iterations); use a hardware GPU or --backend cpu"
        )))
    };
    if validators > MAX_VALIDATORS {
        let what = format!("{validators} active validators");
        return refuse(what, MAX_VALIDATORS, "the consensus kernel");
    }
    let row = shape.longest_row;
    if sig.liquid && row > MAX_MERGED_ROW {
        let what = format!("a row of {row} weight or bond entries");
        return refuse(what, MAX_MERGED_ROW, "the liquid-alpha merge");
    }
    if shape.slots > MAX_COLUMN {
        let what = format!("{} rows holding weights or bonds", shape.slots);
        return refuse(what, MAX_COLUMN, "a column-wise kernel");
    }
    // The matrices whose column lists are built and walked; each is looked at only when it is
    // long enough to hold a row or a column past the limits.
    let listed = [
        (&m.weights, shape.nnz_w, "weight"),
        (&m.bonds, shape.nnz_b, "bond"),
    ];
    for (rows, entries, what) in listed.into_iter().take(if sig.yuma3 { 1 } else { 2 }) {
        if row > MAX_REPEATING_ROW {
            if let Some(r) = longest_repeating_row(rows) {
                let what =
                    format!("a row of {r} {what} entries whose columns do not strictly increase");
                return refuse(what, MAX_REPEATING_ROW, "building its column lists");
            }
        }
        if entries > MAX_COLUMN {
            let c = longest_column(rows);
            if c > MAX_COLUMN {
                let what = format!("a column of {c} {what} entries");
                return refuse(what, MAX_COLUMN, "a column-wise kernel");
            }
        }
    }
    Ok(())
}

/// The longest row past `MAX_REPEATING_ROW` entries whose columns do not strictly increase (only
/// such a row can repeat one).
fn longest_repeating_row(rows: &[SparseRowU16]) -> Option<usize> {
    let increasing = |r: &SparseRowU16| r.windows(2).all(|w| w[0].0 < w[1].0);
    rows.iter()
        .filter(|r| r.len() > MAX_REPEATING_ROW && !increasing(r))
        .map(Vec::len)
        .max()
}

/// The most entries any column below n holds (n = the number of rows).
fn longest_column(rows: &[SparseRowU16]) -> usize {
    let mut count = vec![0usize; rows.len()];
    for &(j, _) in rows.iter().flatten() {
        if let Some(c) = count.get_mut(usize::from(j)) {
            *c += 1;
        }
    }
    count.into_iter().max().unwrap_or(0)
}
