//! One engine per backend for the whole process: the GPU context is built once and reused.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use yuma::backend::{open_engine, Backend};
use yuma::engine::Engine;

type Engines = HashMap<&'static str, Box<dyn Engine + Send>>;

fn engines() -> &'static Mutex<Engines> {
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    ENGINES.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(b: Backend) -> &'static str {
    match b {
        Backend::Auto => "auto",
        Backend::Cpu => "cpu",
        Backend::Gpu => "gpu",
    }
}

/// Runs `f` with the engine of `backend` (opened on first use; `auto` prints its one-line
/// notice to stderr when it falls back to the CPU).
pub fn with_engine<T>(backend: &str, f: impl FnOnce(&mut dyn Engine) -> T) -> Result<T, String> {
    let b = Backend::parse(backend)?;
    let mut all = engines()
        .lock()
        .map_err(|_| "the engine lock is poisoned".to_string())?;
    if !all.contains_key(key(b)) {
        let (engine, note) = open_engine(b)?;
        if let Some(note) = note {
            eprintln!("note: {note}");
        }
        all.insert(key(b), engine);
    }
    let engine = all
        .get_mut(key(b))
        .ok_or_else(|| "engine missing".to_string())?;
    Ok(f(engine.as_mut()))
}
