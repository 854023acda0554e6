//! `rao_emission` of a fetched epoch (CHAIN_EXPORT.md §2).
//!
//! The chain drains `PendingServerEmission + PendingValidatorEmission + PendingRootAlphaDivs`
//! at B, after adding block B's own share: the amount is not stored anywhere afterwards. The
//! estimate is pending@S + B's increment (read as the pending amount at B+1, which starts from
//! zero after the drain). It is then **pinned**: every uid's `emission` is a truncation of a
//! normalized share times E, nondecreasing in E, so the E that reproduce the recorded
//! `Emission@S_B` form an interval `[lo, hi]`, found by galloping from the estimate and
//! bisecting, each probe one run of the CPU epoch. The estimate clamped into that interval
//! reproduces every recorded field.

use crate::epoch::run_snapshot;
use crate::output::EpochResult;
use crate::recorded::{EmissionSource, Recorded};
use crate::snapshot::Snapshot;

/// Most epoch runs one pinning may spend.
const MAX_PROBES: u32 = 400;

/// The chosen `rao_emission` and how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    pub value: u64,
    pub source: EmissionSource,
    /// Every E in `[lo, hi]` reproduces the recorded `Emission` (when pinned).
    pub interval: Option<(u64, u64)>,
    pub warning: Option<String>,
}

/// `pending@S + increment of block B`.
pub fn estimate_emission(pending_at_s: u64, increment: u64) -> u64 {
    pending_at_s.saturating_add(increment)
}

struct Probe<'a> {
    snapshot: Snapshot,
    recorded: &'a [u64],
    skip: &'a [u16],
    runs: u32,
}

impl Probe<'_> {
    /// (some uid got less than recorded, some uid got more) at `e`.
    fn compare(&mut self, e: u64) -> Option<(bool, bool)> {
        if self.runs >= MAX_PROBES {
            return None;
        }
        self.runs += 1;
        self.snapshot.rao_emission = e;
        let result = run_snapshot(&self.snapshot, None);
        let got = match &result {
            EpochResult::Single(o) => &o.emission,
            EpochResult::Multi(m) => &m.emission,
        };
        let mut less = false;
        let mut more = false;
        for (uid, (g, r)) in got.iter().zip(self.recorded).enumerate() {
            if self.skip.binary_search(&(uid as u16)).is_ok() {
                continue;
            }
            less |= g < r;
            more |= g > r;
        }
        Some((less, more))
    }
}

/// The first E where `pred` turns false, for `pred` true on `[0, t)` and false from `t` on,
/// galloping from `start`; `Ok(None)` when `pred` is true everywhere, `Err` when out of probes.
fn first_false(mut pred: impl FnMut(u64) -> Option<bool>, start: u64) -> Result<Option<u64>, ()> {
    let (mut lo, mut hi);
    let mut step = 1u64;
    if pred(start).ok_or(())? {
        lo = start;
        loop {
            let x = lo.saturating_add(step);
            if !pred(x).ok_or(())? {
                hi = x;
                break;
            }
            if x == u64::MAX {
                return Ok(None);
            }
            lo = x;
            step = step.saturating_mul(2);
        }
    } else {
        hi = start;
        loop {
            if hi == 0 {
                return Ok(Some(0));
            }
            let x = hi.saturating_sub(step);
            if pred(x).ok_or(())? {
                lo = x;
                break;
            }
            hi = x;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if pred(mid).ok_or(())? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some(hi))
}

fn estimate_only(estimate: u64, warning: Option<String>) -> Pinned {
    Pinned {
        value: estimate,
        source: EmissionSource::Estimate,
        interval: None,
        warning,
    }
}

/// Pins `estimate` to the recorded `Emission` (skipped uids left out). Falls back to the
/// estimate, with a warning, where the record cannot pin it.
pub fn pin_emission(snapshot: &Snapshot, recorded: &Recorded, estimate: u64) -> Pinned {
    let Some(rec) = recorded.emission.as_deref() else {
        return estimate_only(
            estimate,
            Some("Emission not recorded: rao_emission is the estimate".into()),
        );
    };
    let skip = &recorded.skip_uids;
    let informative = rec
        .iter()
        .enumerate()
        .any(|(u, &e)| e > 0 && skip.binary_search(&(u as u16)).is_err());
    if !informative {
        return estimate_only(
            estimate,
            Some(
                "Emission at B is all zero: it does not pin rao_emission; the estimate is kept"
                    .into(),
            ),
        );
    }
    let mut probe = Probe {
        snapshot: snapshot.clone(),
        recorded: rec,
        skip,
        runs: 0,
    };
    let lo = first_false(|e| probe.compare(e).map(|(less, _)| less), estimate);
    let above = first_false(|e| probe.compare(e).map(|(_, more)| !more), estimate);
    let fail = |why: &str| {
        estimate_only(
            estimate,
            Some(format!(
                "no rao_emission reproduces Emission at B ({why}): the estimate is kept"
            )),
        )
    };
    let (lo, hi) = match (lo, above) {
        (Ok(Some(lo)), Ok(Some(0))) => return fail(&format!("even 0 over-pays; lower bound {lo}")),
        (Ok(Some(lo)), Ok(Some(above))) => (lo, above - 1),
        (Ok(Some(lo)), Ok(None)) => (lo, u64::MAX),
        (Ok(None), _) => return fail("no E pays enough"),
        _ => return fail("search ran out of probes"),
    };
    if lo > hi {
        return fail(&format!("the bounds cross: {lo} > {hi}"));
    }
    let value = estimate.clamp(lo, hi);
    match probe.compare(value) {
        Some((false, false)) => Pinned {
            value,
            source: EmissionSource::Pinned,
            interval: Some((lo, hi)),
            warning: None,
        },
        _ => fail(&format!(
            "E = {value} in [{lo}, {hi}] does not match every uid"
        )),
    }
}
