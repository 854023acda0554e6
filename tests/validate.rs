//! `yuma-recorded/1` and `yuma validate`: every golden's recorded cut validates clean on both
//! backends; each single changed value is caught and named (field, uid, mechanism); skip_uids
//! leave out exactly what FORMAT.md says; the document round-trips through its writer.

mod common;

use common::{golden, golden_cases, load_epoch, load_snapshot};
use yuma::engine::{CpuEngine, Engine};
use yuma::output::EpochResult;
use yuma::recorded::{parse_recorded, recorded_from_epoch, recorded_json, Recorded};
use yuma::validate::{hints, validate, Report, Value};

const SINGLE: &str = "edge/baseline_yuma3";
const MULTI: &str = "mechanisms/m3_split_yuma3_la";

/// The recorded cut of a golden's expected epoch (the chain's own output).
fn golden_recorded(case: &str) -> (EpochResult, Recorded) {
    let dir = golden(case);
    let expected = load_epoch(&dir);
    let computed = CpuEngine.run(&load_snapshot(&dir)).expect("cpu epoch");
    (computed, recorded_from_epoch(&expected))
}

fn report(computed: &EpochResult, recorded: &Recorded) -> Report {
    validate(computed, recorded).unwrap_or_else(|e| panic!("not comparable: {e}"))
}

#[test]
fn every_golden_recorded_cut_validates_clean_on_the_cpu() {
    let mut failures = Vec::new();
    let cases = golden_cases();
    assert!(
        cases.len() >= 161,
        "expected every golden, found {}",
        cases.len()
    );
    for (name, dir) in &cases {
        let recorded = recorded_from_epoch(&load_epoch(dir));
        let computed = CpuEngine.run(&load_snapshot(dir)).expect("cpu epoch");
        let r = report(&computed, &recorded);
        if let Some(m) = r.mismatches.first() {
            failures.push(format!(
                "{name}: {} mismatches, first {m:?}",
                r.mismatches.len()
            ));
        }
        assert!(
            r.fields.iter().all(|f| f.recorded && f.skipped == 0),
            "{name}"
        );
        let compared: usize = r.fields.iter().map(|f| f.compared).sum();
        assert_eq!(
            compared,
            (7 + 3 * r.mechanisms) * usize::from(r.n),
            "{name}: compared count"
        );
    }
    common::assert_no_failures("recorded cut (cpu)", &failures);
}

#[test]
fn every_golden_recorded_cut_validates_clean_on_the_gpu() {
    let Some(mut gpu) =
        common::gpu::gpu_engine("every_golden_recorded_cut_validates_clean_on_the_gpu")
    else {
        return;
    };
    let cases = golden_cases();
    let snapshots: Vec<_> = cases.iter().map(|(_, d)| load_snapshot(d)).collect();
    let refs: Vec<_> = snapshots.iter().collect();
    let mut failures = Vec::new();
    for ((name, dir), got) in cases.iter().zip(gpu.run_many(&refs)) {
        let recorded = recorded_from_epoch(&load_epoch(dir));
        match got {
            Ok(computed) => {
                let r = report(&computed, &recorded);
                if let Some(m) = r.mismatches.first() {
                    failures.push(format!(
                        "{name}: {} mismatches, first {m:?}",
                        r.mismatches.len()
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: gpu: {e}")),
        }
    }
    common::assert_no_failures("recorded cut (gpu)", &failures);
}

#[test]
fn the_recorded_document_round_trips_through_its_writer() {
    for case in [SINGLE, MULTI] {
        let (_, mut recorded) = golden_recorded(case);
        recorded.skip_uids = vec![1, 4];
        recorded.mechanisms[0].server_emission = None;
        let mut source = serde_json::Map::new();
        source.insert("rao_emission".into(), "pinned".into());
        source.insert("spec_version".into(), 425.into());
        source.insert("big".into(), serde_json::Value::from(u64::MAX));
        recorded.source = Some(source);
        let text = recorded_json(&recorded);
        let back = parse_recorded(&text, "recorded.json").expect("own output parses");
        assert_eq!(back, recorded, "{case}");
        assert_eq!(recorded_json(&back), text, "{case}: byte-stable");
        assert!(text.contains("18446744073709551615"), "u64 kept exact");
    }
}

/// One change to the recorded document and the mismatch it must produce.
struct Change {
    field: &'static str,
    uid: u16,
    mechanism: Option<usize>,
    target: Option<u16>,
    apply: fn(&mut Recorded, usize, usize),
}

fn bump16(v: &mut [u16], u: usize) {
    v[u] = v[u].wrapping_add(1);
}

fn changes(m: usize) -> Vec<Change> {
    let mut c = vec![
        Change {
            field: "active",
            uid: 2,
            mechanism: None,
            target: None,
            apply: |r, u, _| {
                let v = r.active.as_mut().unwrap();
                v[u] = !v[u];
            },
        },
        Change {
            field: "stake",
            uid: 3,
            mechanism: None,
            target: None,
            apply: |r, u, _| bump16(r.stake.as_mut().unwrap(), u),
        },
        Change {
            field: "validator_permit",
            uid: 4,
            mechanism: None,
            target: None,
            apply: |r, u, _| {
                let v = r.validator_permit.as_mut().unwrap();
                v[u] = !v[u];
            },
        },
        Change {
            field: "consensus",
            uid: 5,
            mechanism: None,
            target: None,
            apply: |r, u, _| bump16(r.consensus.as_mut().unwrap(), u),
        },
        Change {
            field: "validator_trust",
            uid: 0,
            mechanism: None,
            target: None,
            apply: |r, u, _| bump16(r.validator_trust.as_mut().unwrap(), u),
        },
        Change {
            field: "dividend",
            uid: 1,
            mechanism: None,
            target: None,
            apply: |r, u, _| bump16(r.dividend.as_mut().unwrap(), u),
        },
        Change {
            field: "emission",
            uid: 6,
            mechanism: None,
            target: None,
            apply: |r, u, _| {
                let v = r.emission.as_mut().unwrap();
                v[u] = v[u].wrapping_add(1);
            },
        },
    ];
    for mech in 0..m {
        c.push(Change {
            field: "incentive",
            uid: 7,
            mechanism: Some(mech),
            target: None,
            apply: |r, u, m| bump16(r.mechanisms[m].incentive.as_mut().unwrap(), u),
        });
        c.push(Change {
            field: "server_emission",
            uid: 2,
            mechanism: Some(mech),
            target: None,
            apply: |r, u, m| {
                let v = r.mechanisms[m].server_emission.as_mut().unwrap();
                v[u] = v[u].wrapping_add(1);
            },
        });
    }
    c
}

#[test]
fn each_single_changed_value_is_caught_and_named() {
    for case in [SINGLE, MULTI] {
        let (computed, base) = golden_recorded(case);
        let m = base.mechanisms.len();
        for change in changes(m) {
            let mut r = base.clone();
            (change.apply)(
                &mut r,
                usize::from(change.uid),
                change.mechanism.unwrap_or(0),
            );
            let rep = report(&computed, &r);
            assert_eq!(
                rep.mismatches.len(),
                1,
                "{case}: {}: {:?}",
                change.field,
                rep.mismatches
            );
            let got = &rep.mismatches[0];
            assert_eq!(
                (got.field, got.uid, got.mechanism, got.target),
                (change.field, change.uid, change.mechanism, change.target),
                "{case}"
            );
            let summary = rep
                .fields
                .iter()
                .find(|f| f.field == change.field && f.mechanism == change.mechanism)
                .expect("field summary");
            assert_eq!(
                (summary.differ, summary.equal + 1),
                (1, summary.compared),
                "{case}: {}",
                change.field
            );
            assert!(!hints(&rep).is_empty(), "{case}: {}: a hint", change.field);
        }
    }
}

/// The first (row, entry) of mechanism m's recorded bonds.
fn first_bond(r: &Recorded, m: usize) -> (usize, usize, u16) {
    let rows = r.mechanisms[m].bonds.as_ref().unwrap();
    let (i, row) = rows
        .iter()
        .enumerate()
        .find(|(_, row)| !row.is_empty())
        .expect("some bond");
    (i, 0, row[0].0)
}

#[test]
fn a_changed_bond_entry_is_named_with_row_column_and_mechanism() {
    for case in [SINGLE, MULTI] {
        let (computed, base) = golden_recorded(case);
        for m in 0..base.mechanisms.len() {
            let mut r = base.clone();
            let (i, k, j) = first_bond(&r, m);
            let rows = r.mechanisms[m].bonds.as_mut().unwrap();
            rows[i][k].1 = rows[i][k].1.wrapping_add(7);
            let rep = report(&computed, &r);
            assert_eq!(rep.mismatches.len(), 1, "{case} m{m}: {:?}", rep.mismatches);
            let got = &rep.mismatches[0];
            assert_eq!(
                (got.field, usize::from(got.uid), got.mechanism, got.target),
                ("bonds", i, Some(m), Some(j))
            );
            assert_eq!(got.difference(), Some(-7), "{case}: yuma − chain");
            // A row of another shape is reported whole.
            let mut r = base.clone();
            r.mechanisms[m].bonds.as_mut().unwrap()[i].push((0, 0));
            let rep = report(&computed, &r);
            assert_eq!(rep.mismatches.len(), 1, "{case}");
            assert!(
                matches!(rep.mismatches[0].chain, Value::Row(_))
                    && rep.mismatches[0].target.is_none()
            );
        }
    }
}

#[test]
fn skip_uids_leave_out_the_uid_its_row_and_its_column() {
    let (computed, base) = golden_recorded(SINGLE);
    let rows = base.mechanisms[0].bonds.as_ref().unwrap();
    // A uid u that some other row holds a bond in.
    let (holder, u) = rows
        .iter()
        .enumerate()
        .find_map(|(i, row)| row.iter().find(|e| usize::from(e.0) != i).map(|e| (i, e.0)))
        .expect("a bond in another uid's column");
    let ui = usize::from(u);
    let mut r = base.clone();
    r.skip_uids = vec![u];
    bump16(r.consensus.as_mut().unwrap(), ui);
    bump16(r.stake.as_mut().unwrap(), ui);
    r.emission.as_mut().unwrap()[ui] += 1;
    r.mechanisms[0].incentive.as_mut().unwrap()[ui] ^= 1;
    let own = &mut r.mechanisms[0].bonds.as_mut().unwrap()[ui];
    own.push((0, 1));
    for e in r.mechanisms[0].bonds.as_mut().unwrap()[holder].iter_mut() {
        if e.0 == u {
            e.1 ^= 0xff;
        }
    }
    let rep = report(&computed, &r);
    assert!(
        rep.passed(),
        "skipped uid {u} still compared: {:?}",
        rep.mismatches
    );
    for f in &rep.fields {
        assert_eq!(
            (f.skipped, f.compared),
            (1, usize::from(rep.n) - 1),
            "{}",
            f.field
        );
    }
    // A change in another uid's column is still caught.
    let other = rows[holder].iter().find(|e| e.0 != u).map(|e| e.0);
    if let Some(j) = other {
        for e in r.mechanisms[0].bonds.as_mut().unwrap()[holder].iter_mut() {
            if e.0 == j {
                e.1 ^= 1;
            }
        }
        let rep = report(&computed, &r);
        assert!(rep
            .mismatches
            .iter()
            .all(|m| m.field == "bonds" && m.target == Some(j)));
        assert!(!rep.mismatches.is_empty());
    }
}

#[test]
fn null_fields_are_not_compared_and_an_all_null_document_passes() {
    let (computed, mut r) = golden_recorded(MULTI);
    r.consensus = None;
    r.mechanisms[1].bonds = None;
    let rep = report(&computed, &r);
    assert!(rep.passed());
    let c = rep.fields.iter().find(|f| f.field == "consensus").unwrap();
    assert!(!c.recorded && c.compared == 0);
    let b = rep
        .fields
        .iter()
        .find(|f| f.field == "bonds" && f.mechanism == Some(1))
        .unwrap();
    assert!(!b.recorded);
    let mut empty = Recorded {
        mechanisms: vec![Default::default(); r.mechanisms.len()],
        ..r.clone()
    };
    empty.active = None;
    empty.stake = None;
    empty.validator_permit = None;
    empty.validator_trust = None;
    empty.dividend = None;
    empty.emission = None;
    let rep = report(&computed, &empty);
    assert!(rep.passed() && !rep.compared_anything());
    assert!(yuma::validate::report_text(&rep, 5).contains("nothing was compared"));
}

#[test]
fn pinned_emissions_are_marked_fitted() {
    let (computed, mut r) = golden_recorded(SINGLE);
    let mut source = serde_json::Map::new();
    source.insert("rao_emission".into(), "pinned".into());
    r.source = Some(source);
    let rep = report(&computed, &r);
    let fitted: Vec<&str> = rep
        .fields
        .iter()
        .filter(|f| f.fitted)
        .map(|f| f.field)
        .collect();
    assert_eq!(fitted, ["emission", "server_emission"]);
    assert!(yuma::validate::report_text(&rep, 5).contains("fitted, not independent"));
}

#[test]
fn header_and_mechanism_count_mismatches_are_errors_not_mismatches() {
    let (computed, base) = golden_recorded(MULTI);
    type Edit = fn(&mut Recorded);
    let cases: [(&str, Edit); 4] = [
        ("netuid", |r| r.netuid += 1),
        ("block", |r| r.block += 1),
        ("n", |r| r.n += 1),
        ("mechanisms", |r| {
            r.mechanisms.pop();
        }),
    ];
    for (field, f) in cases {
        let mut r = base.clone();
        f(&mut r);
        let e = validate(&computed, &r).expect_err(field);
        assert!(e.0.contains(&format!("`{field}`")), "{e}");
    }
}

#[test]
fn hints_follow_the_pattern_of_differences() {
    let (computed, base) = golden_recorded(SINGLE);
    // Only emissions: rao_emission.
    let mut r = base.clone();
    r.emission
        .as_mut()
        .unwrap()
        .iter_mut()
        .for_each(|e| *e = e.saturating_mul(2));
    r.mechanisms[0]
        .server_emission
        .as_mut()
        .unwrap()
        .iter_mut()
        .for_each(|e| *e = e.saturating_mul(2));
    let h = hints(&report(&computed, &r));
    assert!(h[0].contains("rao_emission"), "{h:?}");
    // Everything: wrong block / runtime / stakes.
    let mut r = base.clone();
    for v in [
        r.stake.as_mut(),
        r.consensus.as_mut(),
        r.validator_trust.as_mut(),
        r.dividend.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        v.iter_mut().for_each(|x| *x = x.wrapping_add(1));
    }
    r.active.as_mut().unwrap().iter_mut().for_each(|x| *x = !*x);
    let h = hints(&report(&computed, &r));
    assert!(h[0].contains("wrong block"), "{h:?}");
    // One validator's row: its weights at B.
    let mut r = base.clone();
    let (i, _, _) = first_bond(&r, 0);
    let rows = r.mechanisms[0].bonds.as_mut().unwrap();
    rows[i].iter_mut().for_each(|e| e.1 ^= 1);
    bump16(r.dividend.as_mut().unwrap(), i);
    let h = hints(&report(&computed, &r));
    assert!(
        h[0].contains(&format!("validators {i}")) && h[0].contains("reveal"),
        "{h:?}"
    );
}
