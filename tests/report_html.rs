//! `yuma report`: a self-contained page (inline SVG, nothing fetched), single SVG and PNG
//! charts, and one-line errors. tests/report_browser.rs opens the page in Chromium.

mod common;

use std::path::Path;

use common::{goldens_dir, temp_dir, yuma};

fn ok(args: &[&str]) {
    let out = yuma(args);
    assert!(
        out.status.success(),
        "yuma {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Every value of `attr="…"` in the page.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn report_is_self_contained_and_complete() {
    let dir = temp_dir("report-html");
    let replay = dir.join("replay");
    let seq = goldens_dir().join("sequences/seq_yuma3_la");
    ok(&[
        "replay",
        p(&seq),
        "-o",
        p(&replay),
        "--backend",
        "cpu",
        "--write-snapshots",
    ]);
    let html_file = dir.join("report.html");
    let (svg, png) = (dir.join("svg"), dir.join("png"));
    ok(&[
        "report",
        p(&replay),
        "-o",
        p(&html_file),
        "--svg",
        p(&svg),
        "--png",
        p(&png),
    ]);
    let html = std::fs::read_to_string(&html_file).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"), "not an HTML5 page");
    for forbidden in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(forbidden), "the page contains {forbidden:?}");
    }
    for attr in ["src", "href", "xlink:href"] {
        for v in attribute_values(&html, attr) {
            let lower = v.to_ascii_lowercase();
            assert!(
                !(lower.starts_with("http:")
                    || lower.starts_with("https:")
                    || lower.starts_with("//")),
                "{attr}=\"{v}\" fetches from the network"
            );
        }
    }
    let figures = html.matches("<figure class=\"chart\"").count();
    assert_eq!(figures, 6, "one series: six charts");
    assert_eq!(
        html.matches("<svg").count(),
        figures,
        "every chart is inline SVG"
    );
    for expected in [
        "Dividends per epoch",
        "Incentive per epoch",
        "Emission per epoch",
        "Bonds after the last epoch",
        "Stake share vs dividend share",
        "Gini",
        "dividend share (% of subnet)",
        "epoch (block)",
        "miner uid",
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}");
    }
    let files = |d: &Path, ext: &str| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .expect("chart folder")
            .map(|e| e.expect("entry").path())
            .filter(|f| f.extension().is_some_and(|x| x == ext))
            .collect();
        v.sort();
        v
    };
    assert_eq!(files(&svg, "svg").len(), figures, "one SVG per chart");
    let pngs = files(&png, "png");
    assert_eq!(pngs.len(), figures, "one PNG per chart");
    for f in pngs {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&f).unwrap()));
        let mut reader = decoder.read_info().expect("png");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut buf).expect("frame");
        let dark = buf
            .chunks(3)
            .filter(|px| px.iter().any(|&c| c < 128))
            .count();
        assert!(
            dark * 100 > buf.len() / 3,
            "{}: under 1% dark pixels",
            f.display()
        );
    }
}

#[test]
fn report_errors_are_one_line() {
    let dir = temp_dir("report-errors");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = yuma(&["report", p(&empty), "-o", p(&dir.join("r.html"))]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no yuma-epoch/1 documents found"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let bad = dir.join("bad/epoch_00");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("epoch.json"),
        "{\"format\": \"yuma-epoch/1\", \"netuid\": 1}",
    )
    .unwrap();
    let out = yuma(&["report", p(&dir.join("bad")), "-o", p(&dir.join("r.html"))]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("epoch.json") && err.contains("missing field"),
        "{err}"
    );
    assert!(!dir.join("r.html").exists(), "no half-written report");

    let out = yuma(&["report", p(&empty)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
}
