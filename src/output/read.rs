//! Reading `yuma-epoch/1` documents (the expected side of `yuma check` and `replay --check`).

use std::path::Path;

use serde_json::{Map, Value};

use super::{EpochOutput, EpochResult, MultiOutput, RawOutput, Rows};
use crate::snapshot::tree::{parse_tree, read_text};
use crate::snapshot::InputError;

struct Fields<'a> {
    file: &'a str,
    prefix: String,
    obj: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn err(&self, key: &str, uid: Option<usize>, msg: impl Into<String>) -> InputError {
        InputError {
            file: self.file.to_string(),
            field: format!("{}{key}", self.prefix),
            uid,
            message: msg.into(),
        }
    }

    fn get(&self, key: &str) -> Result<&'a Value, InputError> {
        self.obj
            .get(key)
            .ok_or_else(|| self.err(key, None, "missing field"))
    }

    fn list<T>(&self, key: &str, item: impl Fn(&Value) -> Option<T>) -> Result<Vec<T>, InputError> {
        let arr = self
            .get(key)?
            .as_array()
            .ok_or_else(|| self.err(key, None, "expected an array"))?;
        arr.iter()
            .enumerate()
            .map(|(uid, v)| {
                item(v).ok_or_else(|| self.err(key, Some(uid), format!("unexpected value {v}")))
            })
            .collect()
    }

    fn int<T: TryFrom<u64> + TryFrom<i64>>(v: &Value) -> Option<T> {
        v.as_u64()
            .and_then(|u| T::try_from(u).ok())
            .or_else(|| v.as_i64().and_then(|i| T::try_from(i).ok()))
    }

    fn scalar<T: TryFrom<u64> + TryFrom<i64>>(&self, key: &str) -> Result<T, InputError> {
        Self::int(self.get(key)?)
            .ok_or_else(|| self.err(key, None, "not an integer of the expected type"))
    }

    fn rows<T: TryFrom<u64> + TryFrom<i64>>(&self, key: &str) -> Result<Rows<T>, InputError> {
        let rows: Vec<Vec<(u16, T)>> = self.list(key, |row| {
            row.as_array()?
                .iter()
                .map(|e| match e.as_array()?.as_slice() {
                    [j, v] => Some((Self::int(j)?, Self::int(v)?)),
                    _ => None,
                })
                .collect()
        })?;
        Ok(Rows::from(rows))
    }

    fn sub(&self, key: &str) -> Result<Fields<'a>, InputError> {
        let obj = self
            .get(key)?
            .as_object()
            .ok_or_else(|| self.err(key, None, "expected an object"))?;
        Ok(Fields {
            file: self.file,
            prefix: format!("{}{key}.", self.prefix),
            obj,
        })
    }
}

fn epoch_output(f: &Fields<'_>) -> Result<EpochOutput, InputError> {
    let raw = f.sub("raw")?;
    Ok(EpochOutput {
        netuid: f.scalar("netuid")?,
        block: f.scalar("block")?,
        n: f.scalar("n")?,
        active: f.list("active", Value::as_bool)?,
        stake: f.list("stake", Fields::int)?,
        stake_weight: f.list("stake_weight", Fields::int)?,
        new_validator_permit: f.list("new_validator_permit", Value::as_bool)?,
        consensus: f.list("consensus", Fields::int)?,
        validator_trust: f.list("validator_trust", Fields::int)?,
        incentive: f.list("incentive", Fields::int)?,
        dividend: f.list("dividend", Fields::int)?,
        server_emission: f.list("server_emission", Fields::int)?,
        validator_emission: f.list("validator_emission", Fields::int)?,
        emission: f.list("emission", Fields::int)?,
        bonds: f.rows("bonds")?,
        raw: RawOutput {
            stake: raw.list("stake", Fields::int)?,
            active_stake: raw.list("active_stake", Fields::int)?,
            consensus: raw.list("consensus", Fields::int)?,
            validator_trust: raw.list("validator_trust", Fields::int)?,
            incentive: raw.list("incentive", Fields::int)?,
            dividends: raw.list("dividends", Fields::int)?,
            ema_bonds: raw.rows("ema_bonds")?,
        },
    })
}

/// Parses an epoch document of either layout; `file` names it in errors.
pub fn parse_epoch(text: &str, file: &str) -> Result<EpochResult, InputError> {
    let value = parse_tree(text, file)?;
    let obj = value.as_object().ok_or_else(|| InputError {
        file: file.to_string(),
        field: String::new(),
        uid: None,
        message: "expected a yuma-epoch/1 object".to_string(),
    })?;
    let f = Fields {
        file,
        prefix: String::new(),
        obj,
    };
    if f.get("format")?.as_str() != Some("yuma-epoch/1") {
        return Err(f.err("format", None, "is not \"yuma-epoch/1\""));
    }
    let Some(mechs) = obj.get("mechanisms") else {
        return epoch_output(&f).map(EpochResult::Single);
    };
    let list = mechs
        .as_array()
        .ok_or_else(|| f.err("mechanisms", None, "expected an array"))?;
    let mechanisms = list
        .iter()
        .enumerate()
        .map(|(m, v)| {
            let obj = v
                .as_object()
                .ok_or_else(|| f.err("mechanisms", None, "expected objects"))?;
            epoch_output(&Fields {
                file,
                prefix: format!("mechanisms[{m}]."),
                obj,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EpochResult::Multi(MultiOutput {
        netuid: f.scalar("netuid")?,
        block: f.scalar("block")?,
        n: f.scalar("n")?,
        active: f.list("active", Value::as_bool)?,
        stake: f.list("stake", Fields::int)?,
        stake_weight: f.list("stake_weight", Fields::int)?,
        new_validator_permit: f.list("new_validator_permit", Value::as_bool)?,
        consensus: f.list("consensus", Fields::int)?,
        validator_trust: f.list("validator_trust", Fields::int)?,
        incentive: f.list("incentive", Fields::int)?,
        dividend: f.list("dividend", Fields::int)?,
        server_emission: f.list("server_emission", Fields::int)?,
        validator_emission: f.list("validator_emission", Fields::int)?,
        emission: f.list("emission", Fields::int)?,
        mechanism_emission: f.list("mechanism_emission", Fields::int)?,
        mechanism_weight: f.list("mechanism_weight", |v| v.as_str()?.parse().ok())?,
        mechanisms,
    }))
}

/// Reads an epoch document from a file.
pub fn read_epoch(path: &Path) -> Result<EpochResult, InputError> {
    let (text, file) = read_text(path)?;
    parse_epoch(&text, &file)
}
