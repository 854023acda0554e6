//! The column lists, built on the GPU for every epoch of a batch (shaders/column_lists.wgsl):
//! each matrix's entries ordered by column, then row, which the column-wise kernels walk
//! (consensus, incentive, column normalisation).

use super::*;

/// A matrix whose column lists the GPU builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Listed {
    Weights,
    Bonds,
}

impl Listed {
    /// Its entries, row pointers, distinct-row flags, and the column lists built.
    fn buffers(self) -> [&'static str; 5] {
        match self {
            Listed::Weights => [
                "w_entry",
                "w_row_ptr",
                "w_distinct",
                "w_col_ptr",
                "w_col_idx",
            ],
            Listed::Bonds => [
                "b_entry",
                "b_row_ptr",
                "b_distinct",
                "b_col_ptr",
                "b_col_idx",
            ],
        }
    }
}

impl GpuEpoch {
    /// Builds a matrix's column lists for every epoch of `sub` (shaders/column_lists.wgsl: five
    /// launches, through the per-slot counters in `col_hist`).
    pub(super) fn column_lists(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        sub: &Subset,
        m: Listed,
    ) -> Result<(), GpuError> {
        let (per_entry, count, scatter) = match m {
            Listed::Weights => (Launch::ItemsW, "lists_count_w", "lists_scatter_w"),
            Listed::Bonds => (Launch::ItemsB, "lists_count_b", "lists_scatter_b"),
        };
        let [entry, row_ptr, distinct, col_ptr, col_idx] = m.buffers();
        let binds = [
            (0, "params"),
            (1, entry),
            (2, row_ptr),
            (3, distinct),
            (4, "row_slot"),
            (5, "col_hist"),
            (6, col_ptr),
            (7, col_idx),
        ];
        self.dispatch(
            pass,
            sub,
            "column_lists",
            "lists_clear",
            &binds,
            Launch::ItemsX,
        )?;
        self.dispatch(pass, sub, "column_lists", count, &binds, per_entry)?;
        self.dispatch(
            pass,
            sub,
            "column_lists",
            "lists_scan",
            &binds,
            Launch::ItemsN,
        )?;
        self.offsets(pass, sub, col_ptr)?;
        self.dispatch(pass, sub, "column_lists", scatter, &binds, per_entry)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::awkward::awkward_batch;
    use super::super::batch::assign_offsets;
    use super::*;
    use crate::gpu::layout::Wanted;
    use crate::gpu::{AdapterChoice, GpuEngine};

    #[test]
    fn column_lists_equal_the_host_twin() {
        let test = "column_lists_equal_the_host_twin";
        let mut engine = match GpuEngine::new(AdapterChoice::Any) {
            Ok(g) => g,
            Err(e) if std::env::var("YUMA_REQUIRE_GPU").is_ok_and(|v| v == "1") => {
                panic!("{test}: YUMA_REQUIRE_GPU=1 but the GPU engine is unavailable: {e}")
            }
            Err(e) => {
                eprintln!("{test}: skipped: no GPU adapter ({e})");
                return;
            }
        };
        let gpu = engine.epoch_mut();
        let batch = awkward_batch();
        let specs: Vec<MechanismJob<'_>> = batch
            .iter()
            .map(|s| (s, &s.mechanisms[0], 1_000_000_000))
            .collect();
        let shapes: Vec<Shape> = batch
            .iter()
            .map(|s| Shape::of_mechanism(s, &s.mechanisms[0]))
            .collect();
        for (k, out) in gpu.run_batch(&specs, &shapes).iter().enumerate() {
            assert!(out.is_ok(), "epoch {k}: {:?}", out.as_ref().err());
        }
        let mut params: Vec<EpochParams> = batch
            .iter()
            .zip(&shapes)
            .map(|(s, sh)| EpochParams::new(s, 0, sh.nnz_w, sh.nnz_b, sh.slots))
            .collect();
        let total = assign_offsets(&mut params.iter_mut().collect::<Vec<_>>()).expect("offsets");
        let read = gpu
            .pool
            .read(
                &gpu.ctx,
                &[
                    ("w_col_ptr", 4 * total.n1),
                    ("w_col_idx", 4 * total.e),
                    ("b_col_ptr", 4 * total.n1),
                    ("b_col_idx", 4 * total.e),
                ],
            )
            .expect("read back");
        let read: Vec<Vec<u32>> = read.iter().map(|b| u8s_to(b)).collect();
        for (k, (s, p)) in batch.iter().zip(&params).enumerate() {
            let m = &s.mechanisms[0];
            let host = EpochLayout::new(&m.weights, &m.bonds, s.len(), Wanted::ALL);
            let mut matrices = vec![("weights", &host.weights, &read[0], &read[1])];
            if !s.hyperparams.yuma3_enabled {
                matrices.push(("bonds", &host.bonds, &read[2], &read[3]));
            }
            for (what, csr, ptr, idx) in matrices {
                let (o_n1, o_e) = (p.o_n1 as usize, p.o_e as usize);
                let gpu_ptr = &ptr[o_n1..o_n1 + s.len() + 1];
                assert_eq!(
                    gpu_ptr, csr.col_ptr,
                    "epoch {k} (n = {}): {what} col_ptr",
                    s.n
                );
                let gpu_idx = &idx[o_e..o_e + csr.col_idx.len()];
                assert_eq!(
                    gpu_idx, csr.col_idx,
                    "epoch {k} (n = {}): {what} col_idx",
                    s.n
                );
            }
        }
    }
}
