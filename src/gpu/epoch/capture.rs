//! The intermediate stages read back, labelled as the CPU trace labels them.

use super::*;

impl GpuEpoch {
    /// Reads a matrix back as sparse rows of raw bits (live entries, storage or column order).
    pub(super) fn read_matrix(
        &mut self,
        lay: &EpochLayout,
        m: Matrix,
    ) -> Result<Vec<Vec<(u16, i64)>>, GpuError> {
        let n = lay.row_slot.len();
        let dense = match m.form {
            Form::Dense => true,
            Form::Csr => false,
            Form::Decided => {
                let view: Vec<MatView> =
                    u8s_to(&self.pool.read(&self.ctx, &[(Form::Decided.view(), 16)])?[0]);
                view[0].dense != 0
            }
        };
        let count = if dense {
            lay.slot_rows.len() * n
        } else {
            lay.weights.nnz()
        } as u64;
        let parts = self
            .pool
            .read(&self.ctx, &[(m.val, 8 * count), (m.live, 4 * count)])?;
        let (val, live): (Vec<i64>, Vec<u32>) = (u8s_to(&parts[0]), u8s_to(&parts[1]));
        Ok((0..n)
            .map(|i| {
                if dense {
                    let s = lay.row_slot[i];
                    if s == NONE {
                        return Vec::new();
                    }
                    let base = s as usize * n;
                    (0..n)
                        .filter(|&j| live[base + j] != 0)
                        .map(|j| (j as u16, val[base + j]))
                        .collect()
                } else {
                    let w = &lay.weights;
                    (w.row_ptr[i] as usize..w.row_ptr[i + 1] as usize)
                        .filter(|&e| live[e] != 0)
                        .map(|e| (w.col(e), val[e]))
                        .collect()
                }
            })
            .collect())
    }

    /// The intermediate stages of the single job in pool 0, labelled as in the CPU trace.
    pub(super) fn capture(
        &mut self,
        t: &mut Trace,
        job: &Job,
        lay: &EpochLayout,
    ) -> Result<(), GpuError> {
        let n = u64::from(job.params.n);
        let vec_parts: Vec<(&'static str, u64)> = [
            "stake",
            "active_stake",
            "consensus",
            "trust",
            "incentive",
            "dividends",
        ]
        .iter()
        .map(|&b| (b, 8 * n))
        .collect();
        let v = self.pool.read(&self.ctx, &vec_parts)?;
        let permits: Vec<u32> = u8s_to(&self.pool.read(&self.ctx, &[("new_permit", 4 * n)])?[0]);
        let i64s = |k: usize| u8s_to::<i64>(&v[k]);
        t.plain("Normalised Stake", &i64s(0));
        t.plain(
            "new_validator_permits",
            &permits.iter().map(|&x| x != 0).collect::<Vec<bool>>(),
        );
        t.plain("Active Stake", &i64s(1));
        let w = self.read_matrix(
            lay,
            Matrix {
                val: "w_val",
                live: "w_live",
                form: Form::Csr,
            },
        )?;
        t.plain("Weights (mask+norm)", &w);
        t.plain("Consensus", &i64s(2));
        let clipped = self.read_matrix(
            lay,
            Matrix {
                val: "c_val",
                live: "c_live",
                form: Form::Csr,
            },
        )?;
        t.plain("Clipped Weights", &clipped);
        t.plain("Validator Trust", &i64s(3));
        t.plain("Incentive (=Rank)", &i64s(4));
        let wb = self.read_matrix(lay, job.sig.wb())?;
        t.plain("yuma: weights_for_bonds", &wb);
        t.plain("Dividends", &i64s(5));
        let ema = self.read_matrix(lay, job.sig.ema())?;
        t.plain("yuma: ema_bonds final", &ema);
        Ok(())
    }
}
