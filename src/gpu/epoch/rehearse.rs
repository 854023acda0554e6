//! Host rehearsals: the host's steps of a batch run again on the buffers its GPU run left, so
//! that the host's time per subnet-epoch can be given as a median of many runs without running
//! the kernels again. A rehearsal sizes every epoch afresh (`Shape::of_mechanism`, then
//! `size`), packs the batch into the mapped upload buffer (`upload_batch`: the same bytes the run
//! wrote), and reads the run's results back into outputs (`collect`), which it then drops. The
//! kernels are not submitted again, so a rehearsal's encoding time is the run's.

use std::time::Instant;

use super::*;

impl GpuEpoch {
    /// After every batch, rehearse its host steps `reps` times (0: never, the default); the
    /// figures are summed over the batches until `take_rehearsals`.
    pub fn set_rehearsals(&mut self, reps: usize) {
        self.rehearsals = reps;
        self.rehearsed.clear();
    }

    /// Each rehearsal's figures (pack, the run's encode, readback; `batches` and `epochs`
    /// counted), summed over the batches since the last call, and a fresh start.
    pub fn take_rehearsals(&mut self) -> Vec<BatchStats> {
        std::mem::take(&mut self.rehearsed)
    }

    /// Rehearses the batch `specs` whose run just ended with `run`'s figures, `self.rehearsals`
    /// times, adding each rehearsal's figures to `self.rehearsed`.
    pub(super) fn rehearse(
        &mut self,
        specs: &[MechanismJob<'_>],
        run: &BatchStats,
    ) -> Result<(), GpuError> {
        if self.rehearsed.len() < self.rehearsals {
            self.rehearsed
                .resize(self.rehearsals, BatchStats::default());
        }
        for k in 0..self.rehearsals {
            let figures = self.rehearse_once(specs, run)?;
            self.rehearsed[k].add(&figures);
        }
        Ok(())
    }

    fn rehearse_once(
        &mut self,
        specs: &[MechanismJob<'_>],
        run: &BatchStats,
    ) -> Result<BatchStats, GpuError> {
        let start = Instant::now();
        let ctx = Arc::clone(&self.ctx);
        let mut jobs: Vec<Job> = specs
            .par_iter()
            .map(|&spec| Self::size(&ctx, spec, &Shape::of_mechanism(spec.0, spec.1)))
            .collect::<Result<_, _>>()?;
        let mut sized: Vec<&mut Job> = jobs.iter_mut().collect();
        self.upload_batch(&mut sized, specs)?;
        let pack = start.elapsed();
        let start = Instant::now();
        let packed: Vec<&Job> = jobs.iter().collect();
        let outputs = self.collect(specs, &packed)?;
        let readback = start.elapsed();
        if let Some(Err(e)) = outputs.into_iter().find(Result::is_err) {
            return Err(e);
        }
        Ok(BatchStats {
            batches: 1,
            epochs: specs.len() as u64,
            pack,
            encode: run.encode,
            readback,
            ..BatchStats::default()
        })
    }
}
