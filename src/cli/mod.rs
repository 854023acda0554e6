//! `yuma` subcommands. Each one parses its arguments here and calls into the library.

/// `println!` for command output: a closed pipe (`yuma check … | head`) ends the program
/// quietly instead of panicking.
macro_rules! say {
    () => {
        $crate::cli::say_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::say_line(format_args!($($arg)*))
    };
}

mod backend;
mod batch;
mod bench;
mod check;
mod emission;
mod epoch;
mod explain;
mod gen;
mod info;
mod metrics;
mod progress;
mod replay;
mod scenario;
mod sweep;
mod validate;

use clap::{Parser, Subcommand};

/// A failed command: one readable line, and the exit status.
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: i32,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }

    /// A failure that is a verdict (e.g. a check that found differences) rather than an error.
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }

    /// A failure with a chosen exit status (`yuma validate`: 1 = mismatch, 2 = error).
    pub fn with_code(message: impl Into<String>, code: i32) -> Self {
        CliError {
            message: message.into(),
            code,
        }
    }

    pub fn exit_code(&self) -> i32 {
        self.code
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::new(e.to_string())
    }
}

#[derive(Parser)]
#[command(
    name = "yuma",
    version,
    about = "Bittensor Yuma Consensus epochs, bit for bit as the chain computes them",
    long_about = "Computes subtensor's epoch (epoch_mechanism, sparse path, and epoch_with_mechanisms) \
from yuma-snapshot/1 files, exactly: the same I32F32 bits, u16 terms and rao emissions as the chain."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Epoch(epoch::EpochArgs),
    Check(check::CheckArgs),
    Info(info::InfoArgs),
    Gen(gen::GenArgs),
    Replay(replay::ReplayArgs),
    Batch(batch::BatchArgs),
    Bench(bench::BenchArgs),
    Scenario(scenario::ScenarioArgs),
    Metrics(metrics::MetricsArgs),
    Emission(emission::EmissionArgs),
    Sweep(sweep::SweepArgs),
    Validate(validate::ValidateArgs),
    Explain(explain::ExplainArgs),
}

/// Parses the command line and runs the chosen command.
pub fn run() -> Result<(), CliError> {
    quiet_wsi_probe();
    match Cli::parse().command {
        Command::Epoch(a) => epoch::run(a),
        Command::Check(a) => check::run(a),
        Command::Info(a) => info::run(a),
        Command::Gen(a) => gen::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Scenario(a) => scenario::run(a),
        Command::Metrics(a) => metrics::run(a),
        Command::Emission(a) => emission::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Explain(a) => explain::run(a),
    }
}

/// Writes `text` to `path`, or to standard output when `path` is `None` or `-`.
pub fn write_out(path: Option<&std::path::Path>, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    match path {
        Some(p) if p.as_os_str() != "-" => std::fs::write(p, text)
            .map_err(|e| CliError::new(format!("{}: cannot write: {e}", p.display()))),
        _ => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.map_err(|e| CliError::new(format!("stdout: {e}"))),
            }
        }
    }
}

/// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid" while probing for a display when
/// the variable is unset (headless machines, CI); yuma never presents, so give them a private
/// directory instead of a misleading error line.
fn quiet_wsi_probe() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        let dir = std::env::temp_dir().join("yuma-xdg-runtime");
        if std::fs::create_dir_all(&dir).is_ok() {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
            }
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    }
}

/// Writes one line to standard output (see `say!`).
pub fn say_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}
