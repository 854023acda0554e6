//! The compact JSON pieces of FORMAT.md's byte layout, written by hand so that integers stay
//! exact (no double anywhere) and the bytes match the goldens' sha256.

use std::fmt::Write;

/// A value written as compact JSON (no spaces), e.g. `[[[3,6633]]]`.
pub trait Compact {
    fn write_compact(&self, out: &mut String);

    fn compact(&self) -> String {
        let mut s = String::new();
        self.write_compact(&mut s);
        s
    }
}

/// Integers in decimal through `itoa` (no formatter, no allocation).
macro_rules! compact_integer {
    ($($t:ty),*) => {$(
        impl Compact for $t {
            #[inline]
            fn write_compact(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
compact_integer!(u32, u64, i64, usize);

/// u16 digits pushed one by one: at most five bytes, cheaper than a copy call per value (sparse
/// rows write two u16 per entry).
impl Compact for u16 {
    #[inline]
    fn write_compact(&self, out: &mut String) {
        let v = *self;
        let mut started = false;
        for div in [10_000u16, 1_000, 100, 10] {
            let d = (v / div) % 10;
            if started || d != 0 {
                out.push(char::from(b'0' + d as u8));
                started = true;
            }
        }
        out.push(char::from(b'0' + (v % 10) as u8));
    }
}

impl Compact for bool {
    #[inline]
    fn write_compact(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Compact for str {
    fn write_compact(&self, out: &mut String) {
        out.push('"');
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

impl Compact for String {
    fn write_compact(&self, out: &mut String) {
        self.as_str().write_compact(out);
    }
}

/// Wide integers (I64F64 / U64F64 raw bits) are written as decimal strings.
impl Compact for i128 {
    fn write_compact(&self, out: &mut String) {
        out.push('"');
        out.push_str(itoa::Buffer::new().format(*self));
        out.push('"');
    }
}

impl Compact for u128 {
    fn write_compact(&self, out: &mut String) {
        out.push('"');
        out.push_str(itoa::Buffer::new().format(*self));
        out.push('"');
    }
}

impl<T: Compact> Compact for Option<T> {
    fn write_compact(&self, out: &mut String) {
        match self {
            Some(v) => v.write_compact(out),
            None => out.push_str("null"),
        }
    }
}

impl<A: Compact, B: Compact> Compact for (A, B) {
    fn write_compact(&self, out: &mut String) {
        out.push('[');
        self.0.write_compact(out);
        out.push(',');
        self.1.write_compact(out);
        out.push(']');
    }
}

/// `[a,b,…]`: the items written compact, comma-separated.
pub fn write_list<'a, T: Compact + ?Sized + 'a>(
    out: &mut String,
    items: impl IntoIterator<Item = &'a T>,
) {
    out.push('[');
    for (i, v) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        v.write_compact(out);
    }
    out.push(']');
}

impl<T: Compact> Compact for [T] {
    fn write_compact(&self, out: &mut String) {
        write_list(out, self);
    }
}

impl<T: Compact> Compact for Vec<T> {
    fn write_compact(&self, out: &mut String) {
        self.as_slice().write_compact(out);
    }
}

/// A JSON object written one field per line at a given indent (FORMAT.md "Byte layout"), or
/// compact on one line.
pub struct ObjectWriter {
    out: String,
    indent: usize,
    pretty: bool,
    first: bool,
}

impl ObjectWriter {
    /// An object laid out one `"key": value` per line, `indent` spaces deep.
    pub fn pretty(indent: usize) -> Self {
        ObjectWriter {
            out: String::from("{"),
            indent,
            pretty: true,
            first: true,
        }
    }

    /// An object appended to `out` (which keeps its capacity): pretty `indent` spaces deep, or
    /// compact for `None`. [`ObjectWriter::finish`] gives `out` back with the object written.
    pub fn append_to(mut out: String, indent: Option<usize>) -> Self {
        out.push('{');
        ObjectWriter {
            out,
            indent: indent.unwrap_or(0),
            pretty: indent.is_some(),
            first: true,
        }
    }

    /// An object on one line without spaces.
    pub fn compact() -> Self {
        ObjectWriter {
            out: String::from("{"),
            indent: 0,
            pretty: false,
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        if self.pretty {
            self.out.push('\n');
            self.out.extend(std::iter::repeat_n(' ', self.indent));
        }
        key.write_compact(&mut self.out);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// Adds a field with a compact value.
    pub fn field<T: Compact + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        self.key(key);
        value.write_compact(&mut self.out);
        self
    }

    /// Adds a field whose value is already-written JSON text.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    /// Adds a field whose value `write` appends to the document text it is handed (and hands
    /// back): nested objects and lists written in place, without an intermediate string.
    pub fn value_with(&mut self, key: &str, write: impl FnOnce(String) -> String) -> &mut Self {
        self.key(key);
        self.out = write(std::mem::take(&mut self.out));
        self
    }

    /// Closes the object; a pretty object closes on its own line, `indent − 2` deep.
    pub fn finish(mut self) -> String {
        if self.pretty {
            self.out.push('\n');
            self.out
                .extend(std::iter::repeat_n(' ', self.indent.saturating_sub(2)));
        }
        self.out.push('}');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::Compact;

    #[test]
    fn every_u16_is_written_as_its_decimal() {
        for v in 0..=u16::MAX {
            assert_eq!(v.compact(), v.to_string(), "u16 {v}");
        }
    }
}
