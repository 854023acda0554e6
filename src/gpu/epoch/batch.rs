//! How a batch's epochs share buffers and launches.
//!
//! Every buffer has a size class; epoch e's part of a buffer of class C starts at the sum of
//! C's sizes over the epochs before e (its offset, in cells, is in e's `EpochParams`), and the
//! kernels index within that part. A kernel is launched once for a whole subset of the batch's
//! epochs: its launch table holds, per launch class, the prefix sums of the workgroups each
//! epoch takes (0 for epochs outside the subset), and each workgroup finds its epoch by binary
//! search (`enter` in shaders/epoch_params.wgsl).

use super::super::params::EpochParams;

/// The size classes of the batch's buffers (cells per epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// One cell per epoch.
    Epoch,
    /// n: one cell per uid.
    N,
    /// n + 1: row or column pointers.
    N1,
    /// max(nnz_w, nnz_b): entry index lists.
    E,
    /// n_slots: per slot row.
    S,
    /// max(n_slots·n, nnz_w, nnz_b): matrix values, as CSR entries or dense slot rows.
    X,
}

/// Cells of each class one epoch takes (or, summed, a batch). From an epoch's parameters: before
/// packing, the bounds its parts are cut for (`assign_offsets`); after, its exact sizes (the
/// launch tables).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    /// Epochs: 1 for one epoch.
    pub epochs: u64,
    pub n: u64,
    pub n1: u64,
    pub e: u64,
    pub s: u64,
    pub x: u64,
}

impl Sizes {
    pub fn of(p: &EpochParams) -> Sizes {
        Sizes::new(
            u64::from(p.n),
            u64::from(p.nnz_w),
            u64::from(p.nnz_b),
            u64::from(p.n_slots),
        )
    }

    /// The cells of an epoch with n uids, `nw` weight and `nb` bond entries and `s` slot rows.
    pub fn new(n: u64, nw: u64, nb: u64, s: u64) -> Sizes {
        Sizes {
            epochs: 1,
            n,
            n1: n + 1,
            e: nw.max(nb),
            s,
            x: (s * n).max(nw).max(nb),
        }
    }

    pub fn get(&self, c: Class) -> u64 {
        match c {
            Class::Epoch => self.epochs,
            Class::N => self.n,
            Class::N1 => self.n1,
            Class::E => self.e,
            Class::S => self.s,
            Class::X => self.x,
        }
    }

    pub fn add(&mut self, o: &Sizes) {
        self.epochs += o.epochs;
        self.n += o.n;
        self.n1 += o.n1;
        self.e += o.e;
        self.s += o.s;
        self.x += o.x;
    }
}

/// Gives each epoch its offsets (and position) and returns the batch's totals per class.
/// Errs (naming the class) when a total passes the 32-bit indices the kernels use.
pub fn assign_offsets(params: &mut [&mut EpochParams]) -> Result<Sizes, String> {
    let mut total = Sizes::default();
    for (k, p) in params.iter_mut().enumerate() {
        let mine = Sizes::of(p);
        let fits = |v: u64, what: &str| {
            u32::try_from(v).map_err(|_| format!("{what} cells past 2^32 in one batch"))
        };
        p.epoch = k as u32;
        p.o_n = fits(total.n, "per-uid")?;
        p.o_n1 = fits(total.n1, "pointer")?;
        p.o_e = fits(total.e, "entry")?;
        p.o_s = fits(total.s, "slot")?;
        p.o_x = fits(total.x, "matrix")?;
        total.add(&mine);
        fits(total.x, "matrix")?;
    }
    Ok(total)
}

/// How a kernel is launched: its launch class (`L_*` in shaders/epoch_params.wgsl), i.e. how
/// many workgroups it takes per epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Launch {
    /// One workgroup per epoch.
    One = 0,
    /// One invocation per uid, 256 per workgroup.
    ItemsN = 1,
    /// One workgroup per uid.
    GroupsN = 2,
    /// One invocation per weight entry.
    ItemsW = 3,
    /// One invocation per bond entry.
    ItemsB = 4,
    /// One invocation per matrix cell (class X).
    ItemsX = 5,
    /// One workgroup per slot row.
    GroupsS = 6,
    /// One invocation per slot row, 64 per workgroup.
    Items64S = 7,
    /// One workgroup for the whole batch.
    Batch = 8,
}

/// Launch classes with a row in the launch table (all but `Batch`).
pub const CLASSES: usize = 8;

impl Launch {
    /// Workgroups each per-epoch class takes for epoch `p`.
    pub fn per_epoch(p: &EpochParams) -> [u64; CLASSES] {
        let z = Sizes::of(p);
        let nw = u64::from(p.nnz_w);
        let nb = u64::from(p.nnz_b);
        [
            1,
            z.n.div_ceil(256),
            z.n,
            nw.div_ceil(256),
            nb.div_ceil(256),
            z.x.div_ceil(256),
            z.s,
            z.s.div_ceil(64),
        ]
    }
}

/// A launch table over `epochs` epochs, `member(k)` saying which are in the subset:
/// `[epochs, then per class: epochs + 1 prefix sums]`, and the workgroups per class.
pub fn launch_table(
    groups: &[[u64; CLASSES]],
    member: impl Fn(usize) -> bool,
) -> Result<(Vec<u32>, [u64; CLASSES]), String> {
    let epochs = groups.len();
    let mut table = Vec::with_capacity(1 + CLASSES * (epochs + 1));
    table.push(epochs as u32);
    let mut totals = [0u64; CLASSES];
    for (c, total) in totals.iter_mut().enumerate() {
        table.push(0);
        for (k, g) in groups.iter().enumerate() {
            if member(k) {
                *total += g[c];
            }
            table.push(
                u32::try_from(*total)
                    .map_err(|_| "more than 2^32 workgroups in one launch".to_string())?,
            );
        }
    }
    Ok((table, totals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_each_other_by_class() {
        let mut a = EpochParams {
            n: 10,
            nnz_w: 30,
            nnz_b: 40,
            n_slots: 3,
            ..EpochParams::default()
        };
        let mut b = EpochParams {
            n: 5,
            nnz_w: 2,
            nnz_b: 1,
            n_slots: 2,
            ..EpochParams::default()
        };
        let total = assign_offsets(&mut [&mut a, &mut b]).unwrap();
        assert_eq!(
            (b.epoch, b.o_n, b.o_n1, b.o_e, b.o_s, b.o_x),
            (1, 10, 11, 40, 3, 40)
        );
        assert_eq!(
            total,
            Sizes {
                epochs: 2,
                n: 15,
                n1: 17,
                e: 42,
                s: 5,
                x: 50
            }
        );
    }

    #[test]
    fn launch_tables_skip_epochs_outside_the_subset() {
        let g = [
            [1, 2, 3, 4, 5, 6, 7, 8],
            [1, 1, 1, 1, 1, 1, 1, 1],
            [1, 3, 3, 3, 3, 3, 3, 3],
        ];
        let (t, totals) = launch_table(&g, |k| k != 1).unwrap();
        assert_eq!(t[0], 3);
        // class 1: prefix sums 0, 2, 2, 5
        assert_eq!(&t[1 + 4..1 + 8], &[0, 2, 2, 5]);
        assert_eq!(totals[1], 5);
        assert_eq!(totals[0], 2);
    }
}
