//! `Rows<T>`: a sparse matrix's rows of `(column, value)` entries, stored end to end — one
//! allocation for every entry and one for the row ends, however many rows hold entries. An
//! epoch's bonds are kept this way.

use std::ops::Index;

use crate::json::{write_list, Compact};

/// Row i is `entries[ends[i - 1]..ends[i]]` (row 0 starts at 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rows<T> {
    ends: Vec<u32>,
    entries: Vec<(u16, T)>,
}

impl<T> Default for Rows<T> {
    fn default() -> Rows<T> {
        Rows::with_capacity(0, 0)
    }
}

impl<T> Rows<T> {
    /// No rows, with room for `rows` rows and `entries` entries.
    pub fn with_capacity(rows: usize, entries: usize) -> Rows<T> {
        Rows {
            ends: Vec::with_capacity(rows),
            entries: Vec::with_capacity(entries),
        }
    }

    /// Rows from their parts: row i ends at `ends[i]` in `entries` (`ends` non-decreasing, its
    /// last value `entries.len()`; panics otherwise).
    pub fn from_parts(ends: Vec<u32>, entries: Vec<(u16, T)>) -> Rows<T> {
        let last = ends.last().map_or(0, |&e| e as usize);
        assert!(
            ends.windows(2).all(|w| w[0] <= w[1]) && last == entries.len(),
            "row ends must rise to the {} entries",
            entries.len()
        );
        Rows { ends, entries }
    }

    /// Appends a row holding `row`'s entries, in order.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = (u16, T)>) {
        self.entries.extend(row);
        self.ends.push(self.entries.len() as u32);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where each row ends in `entries()`.
    pub fn ends(&self) -> &[u32] {
        &self.ends
    }

    /// Every row's entries, end to end.
    pub fn entries(&self) -> &[(u16, T)] {
        &self.entries
    }

    /// The rows in order, each as a slice.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[(u16, T)]> + '_ {
        (0..self.len()).map(|i| &self[i])
    }

    /// The rows as one vector each.
    pub fn to_vecs(&self) -> Vec<Vec<(u16, T)>>
    where
        T: Clone,
    {
        self.iter().map(<[_]>::to_vec).collect()
    }
}

impl<T> Index<usize> for Rows<T> {
    type Output = [(u16, T)];

    /// Row `i` (panics when there is no row `i`, as a slice index does).
    fn index(&self, i: usize) -> &[(u16, T)] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.entries[start as usize..self.ends[i] as usize]
    }
}

impl<T> From<Vec<Vec<(u16, T)>>> for Rows<T> {
    fn from(rows: Vec<Vec<(u16, T)>>) -> Rows<T> {
        let mut out = Rows::with_capacity(rows.len(), rows.iter().map(Vec::len).sum());
        for row in rows {
            out.push_row(row);
        }
        out
    }
}

/// Rows from rows of entries, in order.
impl<T, R: IntoIterator<Item = (u16, T)>> FromIterator<R> for Rows<T> {
    fn from_iter<I: IntoIterator<Item = R>>(rows: I) -> Rows<T> {
        let mut out = Rows::default();
        for row in rows {
            out.push_row(row);
        }
        out
    }
}

impl<T: PartialEq> PartialEq<Vec<Vec<(u16, T)>>> for Rows<T> {
    fn eq(&self, other: &Vec<Vec<(u16, T)>>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_slice())
    }
}

impl<T: PartialEq> PartialEq<Rows<T>> for Vec<Vec<(u16, T)>> {
    fn eq(&self, other: &Rows<T>) -> bool {
        other == self
    }
}

/// Written as the nested lists FORMAT.md gives: `[[[j, v], …], …]`.
impl<T: Compact> Compact for Rows<T> {
    fn write_compact(&self, out: &mut String) {
        write_list(out, self.iter());
    }
}

/// Serialized as nested sequences, like `Vec<Vec<(u16, T)>>`.
impl<T: serde::Serialize> serde::Serialize for Rows<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_order_and_empty_rows() {
        let vecs: Vec<Vec<(u16, i64)>> = vec![vec![], vec![(3, -1), (0, 7)], vec![], vec![(2, 5)]];
        let rows = Rows::from(vecs.clone());
        assert_eq!(rows.len(), 4);
        assert_eq!(&rows[1], &[(3, -1), (0, 7)]);
        assert!(rows[0].is_empty() && rows[2].is_empty());
        assert_eq!(rows.entries().len(), 3);
        assert_eq!(rows.ends(), [0, 2, 2, 3]);
        assert_eq!(rows.to_vecs(), vecs);
        assert_eq!(rows, vecs);
        assert_eq!(vecs, rows);
        let mut json = String::new();
        rows.write_compact(&mut json);
        let mut want = String::new();
        vecs.write_compact(&mut want);
        assert_eq!(json, want);
        assert_eq!(json, "[[],[[3,-1],[0,7]],[],[[2,5]]]");
        assert_eq!(serde_json::to_string(&rows).unwrap(), json);
        let parts = Rows::from_parts(rows.ends().to_vec(), rows.entries().to_vec());
        assert_eq!(parts, rows);
    }

    #[test]
    #[should_panic(expected = "row ends must rise")]
    fn parts_whose_ends_miss_the_entries_are_refused() {
        Rows::from_parts(vec![1, 3], vec![(0, 1u16), (1, 2)]);
    }
}
