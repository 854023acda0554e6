//! Reading `yuma-recorded/1` with the snapshot reader's strictness: every key present, no
//! unknown key, exact integers, per-uid vectors of exactly `n` entries; `null` = not recorded.
//! A violation names the file, the field and the uid.

use std::path::Path;

use serde_json::{Map, Value};

use super::{Recorded, RecordedMechanism};
use crate::snapshot::tree::{join, kind, parse_tree, read_text, show, TreeErrors};
use crate::snapshot::{InputError, SparseRowU16};

const TOP_FIELDS: [&str; 14] = [
    "format",
    "netuid",
    "block",
    "n",
    "active",
    "stake",
    "validator_permit",
    "consensus",
    "validator_trust",
    "dividend",
    "emission",
    "mechanisms",
    "skip_uids",
    "source",
];
/// A subnet runs 1 … 16 mechanisms (`MechanismCountCurrent`).
const MAX_MECHANISMS: usize = 16;
const MECHANISM_FIELDS: [&str; 3] = ["incentive", "bonds", "server_emission"];

/// Reads and validates a recorded document.
pub fn read_recorded(path: &Path) -> Result<Recorded, InputError> {
    let (text, file) = read_text(path)?;
    parse_recorded(&text, &file)
}

/// Parses and validates recorded text; `file` names it in errors. A valid document takes one
/// typed pass; only a document that breaks a rule is read again, as a JSON tree, to say which.
pub fn parse_recorded(text: &str, file: &str) -> Result<Recorded, InputError> {
    if let Some(r) = super::fast::parse_valid(text, MAX_MECHANISMS) {
        return Ok(r);
    }
    let value = parse_tree(text, file)?;
    Reader { file }.recorded(&value)
}

struct Reader<'a> {
    file: &'a str,
}

impl TreeErrors for Reader<'_> {
    fn file(&self) -> &str {
        self.file
    }
}

impl Reader<'_> {
    /// The object's keys are exactly `fields` (all present, none other).
    fn exact_fields(
        &self,
        obj: &Map<String, Value>,
        fields: &[&str],
        prefix: &str,
    ) -> Result<(), InputError> {
        self.known_fields(obj, fields, prefix)?;
        match fields.iter().find(|k| !obj.contains_key(**k)) {
            Some(missing) => Err(self.err(
                &join(prefix, missing),
                None,
                "missing field (write null when it was not recorded)",
            )),
            None => Ok(()),
        }
    }

    fn int<T: TryFrom<u64>>(
        &self,
        v: &Value,
        field: &str,
        uid: Option<usize>,
        type_name: &str,
    ) -> Result<T, InputError> {
        v.as_u64()
            .and_then(|u| T::try_from(u).ok())
            .ok_or_else(|| self.err(field, uid, format!("{} is not a {type_name}", show(v))))
    }

    /// `null`, or an array of exactly `n` entries read by `item(value, uid)`.
    fn nullable_per_uid<T>(
        &self,
        v: &Value,
        field: &str,
        n: usize,
        item: impl FnMut(&Value, usize) -> Result<T, InputError>,
    ) -> Result<Option<Vec<T>>, InputError> {
        if v.is_null() {
            return Ok(None);
        }
        self.per_uid(v, field, n, "null or an array", item)
            .map(Some)
    }

    fn u16s(&self, v: &Value, field: &str, n: usize) -> Result<Option<Vec<u16>>, InputError> {
        self.nullable_per_uid(v, field, n, |x, uid| self.int(x, field, Some(uid), "u16"))
    }

    fn u64s(&self, v: &Value, field: &str, n: usize) -> Result<Option<Vec<u64>>, InputError> {
        self.nullable_per_uid(v, field, n, |x, uid| self.int(x, field, Some(uid), "u64"))
    }

    fn bools(&self, v: &Value, field: &str, n: usize) -> Result<Option<Vec<bool>>, InputError> {
        self.nullable_per_uid(v, field, n, |x, uid| self.bool_of(x, field, Some(uid)))
    }

    /// `null`, or n rows of `[uid, u16]` pairs.
    fn bond_rows(
        &self,
        v: &Value,
        field: &str,
        n: usize,
    ) -> Result<Option<Vec<SparseRowU16>>, InputError> {
        self.nullable_per_uid(v, field, n, |row, uid| {
            self.sparse_row(row, field, uid, |j, b, at| {
                Ok((
                    self.int(j, at, Some(uid), "u16 target uid")?,
                    self.int(b, at, Some(uid), "u16 bond value")?,
                ))
            })
        })
    }

    fn mechanism(
        &self,
        v: &Value,
        prefix: &str,
        n: usize,
    ) -> Result<RecordedMechanism, InputError> {
        let obj = self.object(v, prefix)?;
        self.exact_fields(obj, &MECHANISM_FIELDS, prefix)?;
        let f = |key: &str| join(prefix, key);
        Ok(RecordedMechanism {
            incentive: self.u16s(&obj["incentive"], &f("incentive"), n)?,
            bonds: self.bond_rows(&obj["bonds"], &f("bonds"), n)?,
            server_emission: self.u64s(&obj["server_emission"], &f("server_emission"), n)?,
        })
    }

    fn recorded(&self, v: &Value) -> Result<Recorded, InputError> {
        let obj = self.object(v, "")?;
        self.exact_fields(obj, &TOP_FIELDS, "")?;
        match &obj["format"] {
            Value::String(s) if s == "yuma-recorded/1" => {}
            other => {
                return Err(self.err(
                    "format",
                    None,
                    format!("{} is not \"yuma-recorded/1\"", show(other)),
                ))
            }
        }
        let netuid = self.int(&obj["netuid"], "netuid", None, "u16")?;
        let block = self.int(&obj["block"], "block", None, "u64")?;
        let n16: u16 = self.int(&obj["n"], "n", None, "u16")?;
        if n16 == 0 {
            return Err(self.err("n", None, "n = 0: a subnet needs at least one uid"));
        }
        let n = usize::from(n16);
        let list = obj["mechanisms"].as_array().ok_or_else(|| {
            self.err(
                "mechanisms",
                None,
                format!(
                    "expected an array of mechanism objects, got {}",
                    kind(&obj["mechanisms"])
                ),
            )
        })?;
        if list.is_empty() || list.len() > MAX_MECHANISMS {
            return Err(self.err(
                "mechanisms",
                None,
                format!(
                    "has {} elements, expected 1 to {}",
                    list.len(),
                    MAX_MECHANISMS
                ),
            ));
        }
        let mechanisms = list
            .iter()
            .enumerate()
            .map(|(m, item)| self.mechanism(item, &format!("mechanisms[{m}]"), n))
            .collect::<Result<Vec<_>, _>>()?;
        let source = match &obj["source"] {
            Value::Null => None,
            Value::Object(o) => Some(o.clone()),
            other => {
                return Err(self.err(
                    "source",
                    None,
                    format!("expected an object or null, got {}", kind(other)),
                ))
            }
        };
        Ok(Recorded {
            netuid,
            block,
            n: n16,
            active: self.bools(&obj["active"], "active", n)?,
            stake: self.u16s(&obj["stake"], "stake", n)?,
            validator_permit: self.bools(&obj["validator_permit"], "validator_permit", n)?,
            consensus: self.u16s(&obj["consensus"], "consensus", n)?,
            validator_trust: self.u16s(&obj["validator_trust"], "validator_trust", n)?,
            dividend: self.u16s(&obj["dividend"], "dividend", n)?,
            emission: self.u64s(&obj["emission"], "emission", n)?,
            mechanisms,
            skip_uids: self.skip_uids(&obj["skip_uids"], n)?,
            source,
        })
    }

    fn skip_uids(&self, v: &Value, n: usize) -> Result<Vec<u16>, InputError> {
        let arr = v.as_array().ok_or_else(|| {
            self.err(
                "skip_uids",
                None,
                format!("expected an array of uids, got {}", kind(v)),
            )
        })?;
        let mut out: Vec<u16> = Vec::with_capacity(arr.len());
        for (k, x) in arr.iter().enumerate() {
            let at = format!("skip_uids[{k}]");
            let uid: u16 = self.int(x, &at, None, "u16")?;
            if usize::from(uid) >= n {
                return Err(self.err(&at, Some(uid.into()), format!("is not a uid of n = {n}")));
            }
            if out.last().is_some_and(|&prev| prev >= uid) {
                return Err(self.err(
                    &at,
                    Some(uid.into()),
                    "skip_uids must be strictly increasing",
                ));
            }
            out.push(uid);
        }
        Ok(out)
    }
}
