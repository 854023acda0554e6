//! The good-path reader of `yuma-recorded/1`: one typed serde pass with every rule checked on the
//! typed values. It only says yes or no; a document it declines goes to the explaining reader
//! (`read.rs`), so every error message comes from one place.

use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{Recorded, RecordedMechanism};
use crate::snapshot::SparseRowU16;

/// A field that must be present and may be `null`. (serde fills a missing `Option` field with
/// `None`; this reads through `deserialize_any`, which a missing field answers with an error.)
struct Nullable<T>(Option<T>);

struct NullableVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for NullableVisitor<T> {
    type Value = Nullable<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("null, an array or an object")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Nullable(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(seq)).map(|v| Nullable(Some(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|v| Nullable(Some(v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NullableVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mechanism {
    incentive: Nullable<Vec<u16>>,
    bonds: Nullable<Vec<SparseRowU16>>,
    server_emission: Nullable<Vec<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    format: String,
    netuid: u16,
    block: u64,
    n: u16,
    active: Nullable<Vec<bool>>,
    stake: Nullable<Vec<u16>>,
    validator_permit: Nullable<Vec<bool>>,
    consensus: Nullable<Vec<u16>>,
    validator_trust: Nullable<Vec<u16>>,
    dividend: Nullable<Vec<u16>>,
    emission: Nullable<Vec<u64>>,
    mechanisms: Vec<Mechanism>,
    skip_uids: Vec<u16>,
    source: Nullable<Map<String, Value>>,
}

fn len_ok<T>(v: &Nullable<Vec<T>>, n: usize) -> bool {
    v.0.as_ref().is_none_or(|x| x.len() == n)
}

/// The document, when it is valid; `None` sends it to the explaining reader.
pub fn parse_valid(text: &str, max_mechanisms: usize) -> Option<Recorded> {
    let d: Doc = serde_json::from_str(text).ok()?;
    let n = usize::from(d.n);
    let lengths = len_ok(&d.active, n)
        && len_ok(&d.stake, n)
        && len_ok(&d.validator_permit, n)
        && len_ok(&d.consensus, n)
        && len_ok(&d.validator_trust, n)
        && len_ok(&d.dividend, n)
        && len_ok(&d.emission, n)
        && d.mechanisms.iter().all(|m| {
            len_ok(&m.incentive, n) && len_ok(&m.bonds, n) && len_ok(&m.server_emission, n)
        });
    let skips = d.skip_uids.windows(2).all(|w| w[0] < w[1])
        && d.skip_uids.iter().all(|&u| usize::from(u) < n);
    let valid = d.format == "yuma-recorded/1"
        && n > 0
        && lengths
        && skips
        && (1..=max_mechanisms).contains(&d.mechanisms.len());
    valid.then(|| Recorded {
        netuid: d.netuid,
        block: d.block,
        n: d.n,
        active: d.active.0,
        stake: d.stake.0,
        validator_permit: d.validator_permit.0,
        consensus: d.consensus.0,
        validator_trust: d.validator_trust.0,
        dividend: d.dividend.0,
        emission: d.emission.0,
        mechanisms: d
            .mechanisms
            .into_iter()
            .map(|m| RecordedMechanism {
                incentive: m.incentive.0,
                bonds: m.bonds.0,
                server_emission: m.server_emission.0,
            })
            .collect(),
        skip_uids: d.skip_uids,
        source: d.source.0,
    })
}
