//! `--parquet DIR` for the commands that compute epochs: the epochs they write, also as the
//! Parquet tables of `yuma::report::parquet` (each epoch's `source` is its output file's path
//! below the command's output folder, as `yuma report --parquet` on that folder gives).

use std::path::Path;

use super::CliError;
use yuma::output::EpochResult;
use yuma::report::parquet::TableWriter;

/// Tables being written, or none when the flag was not given.
pub struct Tables {
    writer: Option<(TableWriter, std::path::PathBuf)>,
}

impl Tables {
    /// Starts the tables in `dir` when given.
    pub fn open(dir: Option<&Path>) -> Result<Self, CliError> {
        let writer = match dir {
            Some(d) => Some((TableWriter::create(d)?, d.to_path_buf())),
            None => None,
        };
        Ok(Tables { writer })
    }

    /// Adds one epoch, named by `output` relative to `outdir`.
    pub fn add(
        &mut self,
        outdir: &Path,
        output: &Path,
        result: &EpochResult,
    ) -> Result<(), CliError> {
        if let Some((w, _)) = &mut self.writer {
            let rel = output.strip_prefix(outdir).unwrap_or(output);
            w.write(&rel.to_string_lossy(), result)?;
        }
        Ok(())
    }

    /// Closes the tables and says how many rows each has.
    pub fn close(self) -> Result<(), CliError> {
        if let Some((w, dir)) = self.writer {
            let counts = w.finish()?;
            eprintln!("{}", super::report::table_summary(&dir, &counts));
        }
        Ok(())
    }
}
