//! `yuma report` opened in a real browser: headless Chromium (driven by playwright-core from
//! tests/browser/check_report.mjs) loads the HTML file from disk; every chart must render
//! (a non-blank region in the screenshot), with no console error and no network request.
//!
//! Needs /usr/bin/chromium (or $YUMA_CHROMIUM), node and `npm install --prefix tests/browser`.
//! When any is missing the test fails if YUMA_REQUIRE_BROWSER=1 or CI is set, and otherwise
//! prints why and passes without checking.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{goldens_dir, temp_dir};
use serde_json::Value;

fn required() -> bool {
    std::env::var_os("YUMA_REQUIRE_BROWSER").is_some_and(|v| v == "1")
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// What the browser check needs and is missing, if anything.
fn missing() -> Option<String> {
    let chromium = std::env::var("YUMA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        return Some(format!(
            "{chromium} not found (Debian: apt-get install chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    let module = browser_dir().join("node_modules/playwright-core");
    if !module.is_dir() {
        return Some(format!(
            "{} not found (npm install --prefix tests/browser)",
            module.display()
        ));
    }
    None
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn yuma(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("run yuma");
    assert!(
        out.status.success(),
        "yuma {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// An RGB or RGBA screenshot.
struct Image {
    width: usize,
    height: usize,
    channels: usize,
    pixels: Vec<u8>,
}

fn decode(path: &Path) -> Image {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut pixels).expect("png frame");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    Image {
        width: info.width as usize,
        height: info.height as usize,
        channels,
        pixels,
    }
}

impl Image {
    /// Share of pixels in the box that are not near-white, and how many distinct colours.
    fn ink(&self, x: f64, y: f64, w: f64, h: f64) -> (f64, usize) {
        let (x0, y0) = (x.max(0.0) as usize, y.max(0.0) as usize);
        let x1 = ((x + w) as usize).min(self.width);
        let y1 = ((y + h) as usize).min(self.height);
        let (mut inked, mut total) = (0usize, 0usize);
        let mut colours = std::collections::HashSet::new();
        for row in y0..y1 {
            for col in x0..x1 {
                let i = (row * self.width + col) * self.channels;
                let px = &self.pixels[i..i + 3];
                total += 1;
                if px.iter().any(|&c| c < 225) {
                    inked += 1;
                }
                if colours.len() < 64 {
                    colours.insert([px[0], px[1], px[2]]);
                }
            }
        }
        (inked as f64 / total.max(1) as f64, colours.len())
    }
}

/// Opens `report` in Chromium and checks what it shows; returns the number of charts.
fn check_in_browser(report: &Path, screenshot: &Path) -> usize {
    let out = Command::new("node")
        .arg(browser_dir().join("check_report.mjs"))
        .arg(report)
        .arg(screenshot)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser check failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "browser check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let name = report.display();
    assert_eq!(
        seen["console_errors"],
        Value::Array(vec![]),
        "{name}: console errors"
    );
    assert_eq!(
        seen["page_errors"],
        Value::Array(vec![]),
        "{name}: page errors"
    );
    assert_eq!(
        seen["requests"],
        Value::Array(vec![]),
        "{name}: network requests"
    );
    let html = std::fs::read_to_string(report).expect("report");
    let figures = html.matches("<figure class=\"chart\"").count();
    let charts = seen["charts"].as_array().expect("charts");
    assert_eq!(charts.len(), figures, "{name}: charts found by the browser");
    assert!(figures > 0, "{name}: no charts");
    let image = decode(screenshot);
    for c in charts {
        let id = c["id"].as_str().unwrap_or("?");
        assert_eq!(
            c["has_svg"],
            Value::Bool(true),
            "{name}: chart {id} has no <svg>"
        );
        let f = |k: &str| c[k].as_f64().unwrap_or(0.0);
        let (w, h) = (f("width"), f("height"));
        assert!(w > 300.0 && h > 150.0, "{name}: chart {id} is {w}×{h} px");
        let (ink, colours) = image.ink(f("x"), f("y"), w, h);
        assert!(
            ink > 0.03 && colours >= 4,
            "{name}: chart {id} looks blank in the screenshot ({:.1}% inked, {colours} colours)",
            ink * 100.0
        );
    }
    figures
}

#[test]
fn reports_render_in_chromium() {
    if let Some(why) = missing() {
        assert!(
            !required(),
            "browser check required (YUMA_REQUIRE_BROWSER=1 or CI) but {why}"
        );
        eprintln!("SKIPPED reports_render_in_chromium: {why}");
        return;
    }
    let dir = temp_dir("report-browser");
    let g = goldens_dir();
    // Two replays side by side (the layout of a scenario under Yuma 2 and Yuma 3) …
    let (y2, y3) = (dir.join("seq_yuma2"), dir.join("seq_yuma3_la"));
    for (seq, out) in [
        ("sequences/seq_yuma2", &y2),
        ("sequences/seq_yuma3_la", &y3),
    ] {
        yuma(&["replay", p(&g.join(seq)), "-o", p(out), "--backend", "cpu"]);
    }
    let pair = dir.join("pair.html");
    yuma(&["report", p(&y2), p(&y3), "-o", p(&pair)]);
    let n = check_in_browser(&pair, &dir.join("pair.png"));
    assert_eq!(n, 12, "six chart kinds for each of two series");
    // … a scenario under Yuma 2 and Yuma 3 side by side, with a sweep's heatmaps …
    let (s2, s3, sweep) = (
        dir.join("copier_y2"),
        dir.join("copier_y3"),
        dir.join("sweep"),
    );
    for (yuma_version, out) in [("2", &s2), ("3", &s3)] {
        yuma(&[
            "scenario",
            "copier_lag1",
            "--yuma",
            yuma_version,
            "-o",
            p(out),
            "--backend",
            "cpu",
        ]);
    }
    let snapshot =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/r03_n96_v12_yuma2/snapshot.json");
    yuma(&[
        "sweep",
        p(&snapshot),
        "--set",
        "kappa=0.3:0.7:0.1",
        "--set",
        "bonds_penalty=0,0.5,1",
        "--set",
        "yuma3=false,true",
        "-o",
        p(&sweep),
        "--backend",
        "cpu",
    ]);
    let scenario = dir.join("scenario.html");
    yuma(&["report", p(&s2), p(&s3), p(&sweep), "-o", p(&scenario)]);
    let html = std::fs::read_to_string(&scenario).expect("report");
    for expected in [
        "copier_lag1 · Yuma 2",
        "copier_lag1 · Yuma 3",
        "copier",
        "Sweep sweep",
        "yuma3 = true",
    ] {
        assert!(
            html.contains(expected),
            "{}: lacks {expected:?}",
            scenario.display()
        );
    }
    check_in_browser(&scenario, &dir.join("scenario.png"));
    // … and a batch of many subnets, one section each.
    let batch = dir.join("batch");
    yuma(&[
        "batch",
        p(&g.join("mechanisms")),
        "-o",
        p(&batch),
        "--backend",
        "cpu",
    ]);
    let many = dir.join("many.html");
    yuma(&["report", p(&batch), "-o", p(&many)]);
    check_in_browser(&many, &dir.join("many.png"));
}
