//! A cursor over snapshot text for the typed pass: objects walked key by key (plain keys
//! only), the bulk arrays (per-uid integers, sparse rows) read by a byte scanner for exactly the
//! JSON they may hold — decimal integers without sign, fraction or exponent, `true`/`false`,
//! `null`, JSON whitespace — and any other value handed to `serde_json` as a typed value.
//! Digits accumulate in the target integer with overflow checks, so a value is exact or
//! declined, never rounded. Anything else declines (`None`), and the typed pass hands the file
//! to the explaining reader.

use serde::Deserialize;

/// A cursor over JSON text.
pub(super) struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Scan {
            text,
            b: text.as_bytes(),
            i: 0,
        }
    }

    /// One value of type `T` read by `serde_json` at the cursor (e.g. a scalar, a string, the
    /// hyperparams object); the cursor moves past it.
    pub(super) fn typed<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.peek()?;
        let rest = self.text.get(self.i..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.i += values.byte_offset();
        Some(v)
    }

    /// `{"key": value, …}` with plain keys (no escapes); `field(key, self)` reads each value.
    pub(super) fn object(
        &mut self,
        mut field: impl FnMut(&'a [u8], &mut Self) -> Option<()>,
    ) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            if !self.eat(b'"') {
                return None;
            }
            let start = self.i;
            let len = self.b[start..].iter().position(|&c| c == b'"')?;
            let key = &self.b[start..start + len];
            if key.iter().any(|&c| c == b'\\' || c < 0x20) {
                return None;
            }
            self.i = start + len + 1;
            if !self.eat(b':') {
                return None;
            }
            field(key, self)?;
            if self.eat(b',') {
                continue;
            }
            return self.eat(b'}').then_some(());
        }
    }

    /// The next byte after JSON whitespace (not consumed).
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                return Some(c);
            }
        }
        None
    }

    /// Consumes `c` (after whitespace) if it is next.
    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `word` if it is next.
    fn word(&mut self, word: &[u8]) -> bool {
        self.peek();
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    /// An unsigned decimal integer ≤ `max` (JSON grammar: no leading zero unless it is "0").
    #[inline]
    fn uint(&mut self, max: u64) -> Option<u64> {
        self.peek();
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&c) = self.b.get(self.i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v.checked_mul(10)?.checked_add(u64::from(d))?;
            self.i += 1;
        }
        let digits = self.i - start;
        let leading_zero = digits > 1 && self.b[start] == b'0';
        (digits > 0 && !leading_zero && v <= max).then_some(v)
    }

    /// `[item, item, …]`, each item read by `item`.
    #[inline]
    pub(super) fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(());
        }
        loop {
            item(self)?;
            if self.eat(b',') {
                continue;
            }
            return self.eat(b']').then_some(());
        }
    }

    /// Succeeds when only whitespace is left.
    pub(super) fn end(mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// An array of u64.
    pub(super) fn u64s(&mut self) -> Option<Vec<u64>> {
        let mut out = Vec::new();
        self.array(|s| {
            out.push(s.uint(u64::MAX)?);
            Some(())
        })?;
        Some(out)
    }

    /// An array of u64 or null.
    pub(super) fn optional_u64s(&mut self) -> Option<Vec<Option<u64>>> {
        let mut out = Vec::new();
        self.array(|s| {
            let v = if s.word(b"null") {
                None
            } else {
                Some(s.uint(u64::MAX)?)
            };
            out.push(v);
            Some(())
        })?;
        Some(out)
    }

    /// An array of bools.
    pub(super) fn bools(&mut self) -> Option<Vec<bool>> {
        let mut out = Vec::new();
        self.array(|s| {
            let v = if s.word(b"true") {
                true
            } else if s.word(b"false") {
                false
            } else {
                return None;
            };
            out.push(v);
            Some(())
        })?;
        Some(out)
    }

    /// An array of rows of `[u16, u16]` pairs; each row gathered in one reused buffer and
    /// stored with its exact length.
    pub(super) fn sparse_rows(&mut self) -> Option<Vec<Vec<(u16, u16)>>> {
        const MAX: u64 = u16::MAX as u64;
        let mut rows = Vec::new();
        let mut row: Vec<(u16, u16)> = Vec::new();
        self.array(|s| {
            row.clear();
            s.array(|s| {
                if !s.eat(b'[') {
                    return None;
                }
                let j = s.uint(MAX)? as u16;
                if !s.eat(b',') {
                    return None;
                }
                let v = s.uint(MAX)? as u16;
                if !s.eat(b']') {
                    return None;
                }
                row.push((j, v));
                Some(())
            })?;
            rows.push(row.as_slice().to_vec());
            Some(())
        })?;
        Some(rows)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn whole<'a, T>(text: &'a str, f: impl FnOnce(&mut Scan<'a>) -> Option<T>) -> Option<T> {
        let mut s = Scan::new(text);
        let v = f(&mut s)?;
        s.end()?;
        Some(v)
    }
    fn u64s(t: &str) -> Option<Vec<u64>> {
        whole(t, Scan::u64s)
    }
    fn sparse_rows(t: &str) -> Option<Vec<Vec<(u16, u16)>>> {
        whole(t, Scan::sparse_rows)
    }
    fn bools(t: &str) -> Option<Vec<bool>> {
        whole(t, Scan::bools)
    }
    fn optional_u64s(t: &str) -> Option<Vec<Option<u64>>> {
        whole(t, Scan::optional_u64s)
    }

    #[test]
    fn integers_are_exact_or_declined() {
        assert_eq!(u64s("[0, 18446744073709551615]"), Some(vec![0, u64::MAX]));
        for bad in [
            "[18446744073709551616]",
            "[-1]",
            "[1.0]",
            "[1e3]",
            "[01]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[\"1\"]",
            "[1] x",
            "",
        ] {
            assert_eq!(u64s(bad), None, "{bad}");
        }
        assert_eq!(u64s(" [ ]\n"), Some(vec![]));
    }

    #[test]
    fn rows_pairs_bools_nulls() {
        assert_eq!(
            sparse_rows("[[],[[1,65535], [0,0]]]"),
            Some(vec![vec![], vec![(1, 65535), (0, 0)]])
        );
        for bad in [
            "[[[1]]]",
            "[[[1,2,3]]]",
            "[[[65536,1]]]",
            "[[1,2]]",
            "[[[1,-2]]]",
        ] {
            assert_eq!(sparse_rows(bad), None, "{bad}");
        }
        assert_eq!(bools("[true,false]"), Some(vec![true, false]));
        assert_eq!(bools("[1]"), None);
        assert_eq!(optional_u64s("[null,5]"), Some(vec![None, Some(5)]));
        assert_eq!(optional_u64s("[nul]"), None);
    }
}
