//! Starting the fake subtensor node (`tests/node/fake_node.py`, Python, written apart from the
//! code under test) and running `yuma` against it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// A running fake node; killed when dropped.
pub struct FakeNode {
    child: Child,
    pub url: String,
}

impl FakeNode {
    /// Starts `fake_node.py ARGS…` and waits for its "listening on URL" line.
    pub fn start(args: &[String]) -> FakeNode {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/fake_node.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "python3 {}: {e} (the fetch tests need python3)",
                    script.display()
                )
            });
        let stdout = child.stdout.take().expect("fake node stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("fake node: no first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("fake node did not start: {line:?} (args {args:?})"))
            .to_string();
        FakeNode { child, url }
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A golden case folder as a fake-node argument.
pub fn case(goldens: &Path, name: &str) -> String {
    goldens.join(name).display().to_string()
}

/// Runs the yuma binary.
pub fn yuma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("run yuma")
}

/// stdout + stderr of a run, for messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `yuma fetch --url URL ARGS… -o DIR` (fast retries so refusals of dead nodes come quickly).
pub fn fetch(url: &str, out: &Path, args: &[&str]) -> Output {
    let out = out.display().to_string();
    let mut all = vec![
        "fetch",
        "--url",
        url,
        "-o",
        &out,
        "--tries",
        "2",
        "--timeout",
        "20",
    ];
    all.extend_from_slice(args);
    yuma(&all)
}

/// `path` as a String.
pub fn s(path: &Path) -> String {
    path.display().to_string()
}
