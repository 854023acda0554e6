//! What-if scenarios: a TOML file ([`spec`]) describes a subnet and its validators' behaviour
//! over E epochs; [`model`] checks it and resolves it into uids and chain integers; [`run`]
//! builds each epoch's snapshot and chains the epochs exactly; [`summary`] reports who gained.

pub mod library;
pub mod model;
pub mod run;
pub mod spec;
pub mod summary;

pub use model::{Behaviour, CopySource, Scenario};
pub use run::{run_scenario, ScenarioRun};
pub use spec::{parse_scenario, ScenarioFile, YumaVersion};
pub use summary::{summarize, Summary};

/// Loads a built-in scenario by name, or a scenario file by path.
pub fn load(name_or_file: &str) -> Result<(Scenario, String), String> {
    let (text, file) = match library::builtin(name_or_file) {
        Some(t) => (t.to_string(), format!("built-in scenario `{name_or_file}`")),
        None => {
            let path = std::path::Path::new(name_or_file);
            if !path.is_file() {
                return Err(format!(
                    "{name_or_file}: neither a built-in scenario (see `yuma scenario --list`) nor a file"
                ));
            }
            let t = std::fs::read_to_string(path).map_err(|e| format!("{name_or_file}: {e}"))?;
            (t, name_or_file.to_string())
        }
    };
    let f = parse_scenario(&text, &file)?;
    let sc = Scenario::from_file(&f).map_err(|e| format!("{file}: {e}"))?;
    Ok((sc, text))
}
