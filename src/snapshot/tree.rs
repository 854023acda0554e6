//! What the explaining readers of every document (snapshot, epoch, recorded) share: reading a
//! file, parsing it into a JSON tree, and describing a value in an error message.

use std::path::Path;

use serde_json::Value;

use super::{InputError, SparseRowU16};

/// An error about the document as a whole.
fn document_error(file: &str, message: String) -> InputError {
    InputError {
        file: file.to_string(),
        field: String::new(),
        uid: None,
        message,
    }
}

/// The file's text and the name errors give it.
pub fn read_text(path: &Path) -> Result<(String, String), InputError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((text, file)),
        Err(e) => Err(document_error(&file, format!("cannot read: {e}"))),
    }
}

/// The JSON tree of `text` (exact integers), or "malformed JSON" naming `file`.
pub fn parse_tree(text: &str, file: &str) -> Result<Value, InputError> {
    serde_json::from_str(text).map_err(|e| document_error(file, format!("malformed JSON: {e}")))
}

/// `prefix.key`, or `key` at top level.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The kind of a value, with its article (`an array`).
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value as compact JSON, cut after 40 characters.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

/// The errors an explaining reader raises about the document `file()`.
pub trait TreeErrors {
    /// The name errors give the document.
    fn file(&self) -> &str;

    /// An error naming the field and, for per-uid data, the uid.
    fn err(&self, field: &str, uid: Option<usize>, message: impl Into<String>) -> InputError {
        InputError {
            file: self.file().to_string(),
            field: field.to_string(),
            uid,
            message: message.into(),
        }
    }

    /// `v` as an object, or an error naming `field` and what `v` is instead.
    fn object<'v>(
        &self,
        v: &'v Value,
        field: &str,
    ) -> Result<&'v serde_json::Map<String, Value>, InputError> {
        v.as_object()
            .ok_or_else(|| self.err(field, None, format!("expected an object, got {}", kind(v))))
    }

    /// An error naming the first key of `obj` that is not among `allowed` (under `prefix`).
    fn known_fields(
        &self,
        obj: &serde_json::Map<String, Value>,
        allowed: &[&str],
        prefix: &str,
    ) -> Result<(), InputError> {
        match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => Err(self.err(&join(prefix, unknown), None, "unknown field")),
            None => Ok(()),
        }
    }

    /// Row `uid` of a sparse matrix: an array of `[uid, value]` pairs, each read by
    /// `pair(target, value, at)` where `at` names the pair (`field[uid][k]`).
    fn sparse_row(
        &self,
        row: &Value,
        field: &str,
        uid: usize,
        pair: impl Fn(&Value, &Value, &str) -> Result<(u16, u16), InputError>,
    ) -> Result<SparseRowU16, InputError> {
        let entries = row.as_array().ok_or_else(|| {
            self.err(
                field,
                Some(uid),
                format!(
                    "row is {}, expected an array of [uid, value] pairs",
                    kind(row)
                ),
            )
        })?;
        entries
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let at = format!("{field}[{uid}][{k}]");
                match e.as_array().map(Vec::as_slice) {
                    Some([j, w]) => pair(j, w, &at),
                    _ => Err(self.err(
                        &at,
                        Some(uid),
                        format!("{} is not a [uid, value] pair", show(e)),
                    )),
                }
            })
            .collect()
    }

    /// `v` as a bool.
    fn bool_of(&self, v: &Value, field: &str, uid: Option<usize>) -> Result<bool, InputError> {
        v.as_bool()
            .ok_or_else(|| self.err(field, uid, format!("{} is not a bool", show(v))))
    }

    /// An array of exactly `n` entries, each read by `item(value, uid)`; `expected` says what
    /// `v` should have been when it is no array ("an array", "null or an array").
    fn per_uid<T>(
        &self,
        v: &Value,
        field: &str,
        n: usize,
        expected: &str,
        mut item: impl FnMut(&Value, usize) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let arr = v.as_array().ok_or_else(|| {
            self.err(
                field,
                None,
                format!("expected {expected} of {n} entries, got {}", kind(v)),
            )
        })?;
        if arr.len() != n {
            return Err(self.err(
                field,
                None,
                format!("has {} entries, expected n = {n}", arr.len()),
            ));
        }
        arr.iter()
            .enumerate()
            .map(|(uid, x)| item(x, uid))
            .collect()
    }
}
