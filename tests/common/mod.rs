//! Shared helpers of the integration tests: where the goldens are, which cases they hold, and
//! small readers. Nothing here skips: a missing goldens folder or file fails the test loudly.
#![allow(dead_code)]

pub mod gpu;
pub mod random;
pub mod trace;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use yuma::compare::Mismatch;
use yuma::output::EpochResult;
use yuma::snapshot::{parse_snapshot, Snapshot};

/// The yuma-snapshot/1 fields of a single-mechanism snapshot, in table order.
pub const TOP: [&str; 16] = [
    "format",
    "netuid",
    "block",
    "n",
    "hyperparams",
    "owner_uid",
    "last_mechanism_step_block",
    "rao_emission",
    "alpha_stake",
    "tao_stake",
    "validator_permit",
    "last_update",
    "block_at_registration",
    "commit_block",
    "weights",
    "bonds",
];
/// The per-uid arrays of a single-mechanism snapshot.
pub const PER_UID: [&str; 8] = [
    "alpha_stake",
    "tao_stake",
    "validator_permit",
    "last_update",
    "block_at_registration",
    "commit_block",
    "weights",
    "bonds",
];
/// The fields of one `mechanisms` element.
pub const PER_MECHANISM: [&str; 4] = ["last_update", "commit_block", "weights", "bonds"];
/// The fields of `hyperparams`.
pub const HYPERPARAMS: [&str; 14] = [
    "kappa",
    "bonds_moving_average",
    "bonds_penalty",
    "liquid_alpha_enabled",
    "alpha_low",
    "alpha_high",
    "alpha_sigmoid_steepness",
    "yuma3_enabled",
    "activity_cutoff",
    "tempo",
    "max_allowed_validators",
    "stake_threshold",
    "commit_reveal_enabled",
    "tao_weight",
];

/// The goldens folder: `$YUMA_GOLDENS` when set, else `<CARGO_MANIFEST_DIR>/../shared/goldens`.
/// Panics (never skips) when the folder does not exist.
pub fn goldens_dir() -> PathBuf {
    let (dir, origin) = match std::env::var_os("YUMA_GOLDENS") {
        Some(d) => (PathBuf::from(d), "$YUMA_GOLDENS"),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/goldens"),
            "<CARGO_MANIFEST_DIR>/../shared/goldens (set YUMA_GOLDENS to use another copy)",
        ),
    };
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "golden cases not found: {} from {origin} has no MANIFEST.tsv; these tests need the goldens \
         and never skip",
        dir.display()
    );
    dir
}

/// The crate's bundled fixtures (`fixtures/`).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fresh, empty folder under cargo's per-target temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let k = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("yuma-{tag}-{}-{k}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// A file's text; panics naming the file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()))
}

/// One row of MANIFEST.tsv.
#[derive(Clone, Debug)]
pub struct ManifestRow {
    pub case: String,
    pub n: usize,
    pub validators: usize,
    pub flags: String,
    pub sha256: String,
}

/// The rows of MANIFEST.tsv (header skipped), in file order.
pub fn manifest() -> Vec<ManifestRow> {
    let path = goldens_dir().join("MANIFEST.tsv");
    let text = read(&path);
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    assert_eq!(
        header,
        "case\tn\tvalidators\tflags\tsha256_epoch_json",
        "{}: unexpected header",
        path.display()
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "{}: bad row {line:?}", path.display());
            let num = |s: &str| {
                s.parse()
                    .unwrap_or_else(|_| panic!("{}: bad number in {line:?}", path.display()))
            };
            ManifestRow {
                case: cols[0].to_string(),
                n: num(cols[1]),
                validators: num(cols[2]),
                flags: cols[3].to_string(),
                sha256: cols[4].to_string(),
            }
        })
        .collect()
}

/// Every folder below `root` (recursively) that holds a `snapshot.json`, sorted.
pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|f| f == "snapshot.json") {
                found.push(dir.clone());
            }
        }
    }
    found.sort();
    found
}

/// Every golden case, as (name relative to the goldens folder, folder).
pub fn golden_cases() -> Vec<(String, PathBuf)> {
    let root = goldens_dir();
    case_dirs(&root)
        .into_iter()
        .map(|dir| (case_name(&root, &dir), dir))
        .collect()
}

/// `dir` relative to `root`, with `/` separators (`edge/baseline_yuma2`).
fn case_name(root: &Path, dir: &Path) -> String {
    let rel = dir.strip_prefix(root).unwrap_or(dir);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The golden folder of one case, e.g. `golden("edge/baseline_yuma2")`.
pub fn golden(case: &str) -> PathBuf {
    let dir = goldens_dir().join(case);
    assert!(
        dir.join("snapshot.json").is_file(),
        "golden case {case} is missing ({})",
        dir.display()
    );
    dir
}

/// The validated snapshot of a case folder.
pub fn load_snapshot(dir: &Path) -> Snapshot {
    let path = dir.join("snapshot.json");
    parse_snapshot(&read(&path), &path.display().to_string())
        .unwrap_or_else(|e| panic!("valid golden snapshot rejected: {e}"))
}

/// The expected epoch of a case folder.
pub fn load_epoch(dir: &Path) -> EpochResult {
    yuma::output::read_epoch(&dir.join("epoch.json"))
        .unwrap_or_else(|e| panic!("golden epoch unreadable: {e}"))
}

/// A readable report of the first mismatches of a case.
pub fn mismatch_report(case: &str, mismatches: &[Mismatch]) -> String {
    let mut s = format!("{case}: {} differing values", mismatches.len());
    for m in mismatches.iter().take(8) {
        s.push_str(&format!(
            "\n    stage {} field {} uid {} expected {} got {}",
            m.stage,
            m.field,
            m.uid.map_or("-".to_string(), |u| u.to_string()),
            m.expected,
            m.got
        ));
    }
    s
}

/// Panics with every failure (one per line) when there is any.
pub fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The first byte offset where two texts differ, with a little context, for byte comparisons.
pub fn first_difference(expected: &str, got: &str) -> String {
    let at = expected
        .bytes()
        .zip(got.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(got.len()));
    let around = |s: &str| {
        let bytes = &s.as_bytes()[at.saturating_sub(40).min(s.len())..(at + 40).min(s.len())];
        String::from_utf8_lossy(bytes).into_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} / {}): expected …{:?}… got …{:?}…",
        expected.len(),
        got.len(),
        around(expected),
        around(got)
    )
}

/// SHA-256 of `data` as lowercase hex (FIPS 180-4), to check MANIFEST.tsv's column.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for (&k, &wi) in K.iter().zip(&w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(k)
                .wrapping_add(wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

/// The text of a small valid single-mechanism golden snapshot (`edge/baseline_yuma2`, n = 8).
pub fn small_snapshot_text() -> String {
    read(&golden("edge/baseline_yuma2").join("snapshot.json"))
}

/// `small_snapshot_text` as a JSON value, to edit.
pub fn single_snapshot() -> serde_json::Value {
    serde_json::from_str(&small_snapshot_text()).expect("golden JSON")
}

/// A small valid multi-mechanism golden snapshot (`mechanisms/m2_even_yuma2`, n = 16, two
/// mechanisms) as a JSON value, to edit.
pub fn multi_snapshot() -> serde_json::Value {
    let text = read(&golden("mechanisms/m2_even_yuma2").join("snapshot.json"));
    serde_json::from_str(&text).expect("golden JSON")
}

/// Runs the `yuma` binary under test with `args` and collects its output.
pub fn yuma(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("run yuma")
}

/// A path as a command-line argument.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}
