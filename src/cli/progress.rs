//! The progress bar of long commands: shown on a terminal, hidden otherwise (logs, pipes, tests).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `len` items called `unit` (e.g. `epochs`, `folders`), with the rate and an ETA.
pub fn progress_bar(len: u64, unit: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(&format!(
        "{{elapsed_precise}} [{{wide_bar}}] {{pos}}/{{len}} {unit}  {{rate}}  ETA {{eta}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1} {unit}/s", state.per_sec());
        },
    );
    ProgressBar::new(len).with_style(style.progress_chars("=> "))
}
