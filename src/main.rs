//! The `yuma` command line: parses arguments and calls the library.

mod cli;

fn main() {
    if let Err(e) = cli::run() {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
