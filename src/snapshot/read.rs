//! Reading and validating `yuma-snapshot/1`. Every integer goes through `serde_json`'s exact
//! u64/i64 path (never a double); every rule of FORMAT.md is checked before any math, and a
//! violation names the file, the field and (for per-uid data) the uid.

use std::path::Path;

use serde_json::{Map, Value};

use super::tree::{join, kind, parse_tree, read_text, show, TreeErrors};
use super::{Hyperparams, InputError, Layout, MechanismInput, Snapshot, SparseRowU16};

/// Largest number of mechanisms a subnet can have.
pub const MAX_MECHANISMS: usize = 16;
/// With `mechanisms`, the storage index `netuid + 4096·m` must fit a u16.
pub const MAX_MECHANISM_NETUID: u16 = 4096;

const TOP_FIELDS: [&str; 18] = [
    "format",
    "netuid",
    "block",
    "n",
    "hyperparams",
    "owner_uid",
    "last_mechanism_step_block",
    "rao_emission",
    "alpha_stake",
    "tao_stake",
    "validator_permit",
    "last_update",
    "block_at_registration",
    "commit_block",
    "weights",
    "bonds",
    "mechanisms",
    "mechanism_emission_split",
];
const PER_MECHANISM: [&str; 4] = ["last_update", "commit_block", "weights", "bonds"];
const HYPERPARAMS: [&str; 14] = [
    "kappa",
    "bonds_moving_average",
    "bonds_penalty",
    "liquid_alpha_enabled",
    "alpha_low",
    "alpha_high",
    "alpha_sigmoid_steepness",
    "yuma3_enabled",
    "activity_cutoff",
    "tempo",
    "max_allowed_validators",
    "stake_threshold",
    "commit_reveal_enabled",
    "tao_weight",
];

/// Reads and validates a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, InputError> {
    let (text, file) = read_text(path)?;
    parse_snapshot(&text, &file)
}

/// Parses and validates snapshot text; `file` is the name used in errors.
///
/// The typed streaming pass ([`super::typed`]) reads every valid plainly written snapshot; only
/// when it declines does the explaining reader below build a `Value` tree, which accepts the
/// valid oddities the typed pass leaves to it and names file, field and uid of any error.
pub fn parse_snapshot(text: &str, file: &str) -> Result<Snapshot, InputError> {
    if let Some(snapshot) = super::typed::parse_typed(text) {
        return Ok(snapshot);
    }
    explain_snapshot(text, file)
}

/// The explaining reader: builds a `Value` tree and checks every rule of FORMAT.md in turn,
/// naming file, field and uid of the first violation.
pub(super) fn explain_snapshot(text: &str, file: &str) -> Result<Snapshot, InputError> {
    let value = parse_tree(text, file)?;
    Reader { file }.snapshot(&value)
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
    fn required<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        prefix: &str,
    ) -> Result<&'v Value, InputError> {
        obj.get(key)
            .ok_or_else(|| self.err(&join(prefix, key), None, "missing field"))
    }

    fn u64_of(&self, v: &Value, field: &str, uid: Option<usize>) -> Result<u64, InputError> {
        v.as_u64()
            .ok_or_else(|| self.err(field, uid, format!("{} is not a u64", show(v))))
    }

    fn int_in<T: TryFrom<i64> + TryFrom<u64>>(
        &self,
        v: &Value,
        field: &str,
        uid: Option<usize>,
        type_name: &str,
    ) -> Result<T, InputError> {
        let fits = match (v.as_u64(), v.as_i64()) {
            (Some(u), _) => T::try_from(u).ok(),
            (None, Some(i)) => T::try_from(i).ok(),
            _ => None,
        };
        let article = if type_name.starts_with('i') {
            "an"
        } else {
            "a"
        };
        fits.ok_or_else(|| {
            self.err(
                field,
                uid,
                format!("{} is not {article} {type_name}", show(v)),
            )
        })
    }

    fn u16_of(&self, v: &Value, field: &str, uid: Option<usize>) -> Result<u16, InputError> {
        self.int_in(v, field, uid, "u16")
    }

    fn sparse_rows(
        &self,
        v: &Value,
        field: &str,
        n: usize,
    ) -> Result<Vec<SparseRowU16>, InputError> {
        self.per_uid(v, field, n, "an array", |row, uid| {
            self.sparse_row(row, field, uid, |j, w, at| {
                // Which half is wrong: the row is uid's, the pair names another uid.
                let part = |what: &'static str| {
                    move |mut e: InputError| {
                        e.message = format!("{what} {}", e.message);
                        e
                    }
                };
                Ok((
                    self.u16_of(j, at, Some(uid)).map_err(part("target uid"))?,
                    self.u16_of(w, at, Some(uid)).map_err(part("value"))?,
                ))
            })
        })
    }

    fn hyperparams(&self, v: &Value) -> Result<Hyperparams, InputError> {
        let obj = self.object(v, "hyperparams")?;
        self.known_fields(obj, &HYPERPARAMS, "hyperparams")?;
        let get = |key: &str| self.required(obj, key, "hyperparams");
        let f = |key: &str| format!("hyperparams.{key}");
        Ok(Hyperparams {
            kappa: self.u16_of(get("kappa")?, &f("kappa"), None)?,
            bonds_moving_average: self.u64_of(
                get("bonds_moving_average")?,
                &f("bonds_moving_average"),
                None,
            )?,
            bonds_penalty: self.u16_of(get("bonds_penalty")?, &f("bonds_penalty"), None)?,
            liquid_alpha_enabled: self.bool_of(
                get("liquid_alpha_enabled")?,
                &f("liquid_alpha_enabled"),
                None,
            )?,
            alpha_low: self.u16_of(get("alpha_low")?, &f("alpha_low"), None)?,
            alpha_high: self.u16_of(get("alpha_high")?, &f("alpha_high"), None)?,
            alpha_sigmoid_steepness: self.int_in(
                get("alpha_sigmoid_steepness")?,
                &f("alpha_sigmoid_steepness"),
                None,
                "i16",
            )?,
            yuma3_enabled: self.bool_of(get("yuma3_enabled")?, &f("yuma3_enabled"), None)?,
            activity_cutoff: self.u64_of(get("activity_cutoff")?, &f("activity_cutoff"), None)?,
            tempo: self.u16_of(get("tempo")?, &f("tempo"), None)?,
            max_allowed_validators: self.u16_of(
                get("max_allowed_validators")?,
                &f("max_allowed_validators"),
                None,
            )?,
            stake_threshold: self.u64_of(get("stake_threshold")?, &f("stake_threshold"), None)?,
            commit_reveal_enabled: self.bool_of(
                get("commit_reveal_enabled")?,
                &f("commit_reveal_enabled"),
                None,
            )?,
            tao_weight: self.u64_of(get("tao_weight")?, &f("tao_weight"), None)?,
        })
    }

    /// The four per-mechanism fields of `obj`, named under `prefix`.
    fn mechanism(
        &self,
        obj: &Map<String, Value>,
        prefix: &str,
        n: usize,
    ) -> Result<MechanismInput, InputError> {
        let get = |key: &str| self.required(obj, key, prefix);
        let f = |key: &str| join(prefix, key);
        Ok(MechanismInput {
            last_update: self.per_uid(
                get("last_update")?,
                &f("last_update"),
                n,
                "an array",
                |x, uid| self.u64_of(x, &f("last_update"), Some(uid)),
            )?,
            commit_block: self.per_uid(
                get("commit_block")?,
                &f("commit_block"),
                n,
                "an array",
                |x, uid| {
                    if x.is_null() {
                        Ok(None)
                    } else {
                        self.u64_of(x, &f("commit_block"), Some(uid)).map(Some)
                    }
                },
            )?,
            weights: self.sparse_rows(get("weights")?, &f("weights"), n)?,
            bonds: self.sparse_rows(get("bonds")?, &f("bonds"), n)?,
        })
    }

    fn snapshot(&self, v: &Value) -> Result<Snapshot, InputError> {
        let obj = self.object(v, "")?;
        self.known_fields(obj, &TOP_FIELDS, "")?;
        let get = |key: &str| self.required(obj, key, "");
        match get("format")? {
            Value::String(s) if s == "yuma-snapshot/1" => {}
            other => {
                return Err(self.err(
                    "format",
                    None,
                    format!("{} is not \"yuma-snapshot/1\"", show(other)),
                ));
            }
        }
        let netuid = self.u16_of(get("netuid")?, "netuid", None)?;
        let block = self.u64_of(get("block")?, "block", None)?;
        let n16 = self.u16_of(get("n")?, "n", None)?;
        if n16 == 0 {
            return Err(self.err("n", None, "n = 0: a subnet needs at least one uid"));
        }
        let n = usize::from(n16);
        let hyperparams = self.hyperparams(get("hyperparams")?)?;
        let owner_uid = match get("owner_uid")? {
            Value::Null => None,
            x => Some(self.u16_of(x, "owner_uid", None)?),
        };
        let u64s = |key: &str| {
            self.per_uid(get(key)?, key, n, "an array", |x, uid| {
                self.u64_of(x, key, Some(uid))
            })
        };
        let alpha_stake = u64s("alpha_stake")?;
        let tao_stake = u64s("tao_stake")?;
        let block_at_registration = u64s("block_at_registration")?;
        let validator_permit = self.per_uid(
            get("validator_permit")?,
            "validator_permit",
            n,
            "an array",
            |x, uid| self.bool_of(x, "validator_permit", Some(uid)),
        )?;
        let last_mechanism_step_block = self.u64_of(
            get("last_mechanism_step_block")?,
            "last_mechanism_step_block",
            None,
        )?;
        let rao_emission = self.u64_of(get("rao_emission")?, "rao_emission", None)?;

        let (mechanisms, layout) = match obj.get("mechanisms") {
            None => {
                if obj.contains_key("mechanism_emission_split") {
                    return Err(self.err(
                        "mechanism_emission_split",
                        None,
                        "only allowed together with `mechanisms`",
                    ));
                }
                (vec![self.mechanism(obj, "", n)?], Layout::Single)
            }
            Some(list) => self.mechanisms(obj, list, netuid, n)?,
        };

        Ok(Snapshot {
            netuid,
            block,
            n: n16,
            hyperparams,
            owner_uid,
            last_mechanism_step_block,
            rao_emission,
            alpha_stake,
            tao_stake,
            validator_permit,
            block_at_registration,
            mechanisms,
            layout,
        })
    }

    fn mechanisms(
        &self,
        obj: &Map<String, Value>,
        list: &Value,
        netuid: u16,
        n: usize,
    ) -> Result<(Vec<MechanismInput>, Layout), InputError> {
        for key in PER_MECHANISM {
            match obj.get(key) {
                None => {}
                Some(Value::Array(a)) if a.is_empty() => {}
                Some(_) => {
                    return Err(self.err(
                        key,
                        None,
                        "must be absent (or []) when `mechanisms` is given: it is per mechanism",
                    ));
                }
            }
        }
        if netuid >= MAX_MECHANISM_NETUID {
            return Err(self.err(
                "netuid",
                None,
                format!(
                    "{netuid} ≥ {MAX_MECHANISM_NETUID}: no mechanism storage index exists for it"
                ),
            ));
        }
        let items = list.as_array().ok_or_else(|| {
            self.err(
                "mechanisms",
                None,
                format!("expected an array, got {}", kind(list)),
            )
        })?;
        if items.is_empty() || items.len() > MAX_MECHANISMS {
            return Err(self.err(
                "mechanisms",
                None,
                format!(
                    "has {} elements, expected 1 to {MAX_MECHANISMS}",
                    items.len()
                ),
            ));
        }
        let mechanisms = items
            .iter()
            .enumerate()
            .map(|(m, item)| {
                let prefix = format!("mechanisms[{m}]");
                let mobj = self.object(item, &prefix)?;
                self.known_fields(mobj, &PER_MECHANISM, &prefix)?;
                self.mechanism(mobj, &prefix, n)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let split = match obj.get("mechanism_emission_split") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| self.u16_of(x, &format!("mechanism_emission_split[{i}]"), None))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(other) => {
                return Err(self.err(
                    "mechanism_emission_split",
                    None,
                    format!("{} is neither null nor an array of u16", show(other)),
                ));
            }
        };
        Ok((mechanisms, Layout::Multi { split }))
    }
}
