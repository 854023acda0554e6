//! The font chart text is measured with (and drawn with, in PNGs).
//!
//! `plotters` lays text out with `ab_glyph`, which needs a TrueType/OpenType file. yuma looks
//! for one at `$YUMA_FONT`, then at the usual places of DejaVu Sans (Debian's
//! `fonts-dejavu-core`), Liberation Sans, Arial and Helvetica. In SVG the browser draws the
//! text with its own `sans-serif`; the file only sizes the layout.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use super::ReportError;

const CANDIDATES: [&str; 9] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

static LOADED: OnceLock<Result<String, String>> = OnceLock::new();

/// Registers the font as `sans-serif` once; the path used, or an error saying what to install.
pub fn ensure() -> Result<&'static str, ReportError> {
    let loaded = LOADED.get_or_init(|| {
        let from_env = std::env::var("YUMA_FONT").ok().filter(|p| !p.is_empty());
        let candidates: Vec<String> = match &from_env {
            Some(p) => vec![p.clone()],
            None => CANDIDATES.iter().map(|s| s.to_string()).collect(),
        };
        for path in candidates {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            // The font lives as long as the program: plotters keeps a 'static reference.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                return Ok(path);
            }
            if from_env.is_some() {
                return Err(format!(
                    "YUMA_FONT={path}: not a TrueType/OpenType font file"
                ));
            }
        }
        Err(match from_env {
            Some(p) => format!("YUMA_FONT={p}: cannot read the font file"),
            None => "charts need a TrueType font for their text: install one (Debian: apt-get \
install fonts-dejavu-core) or set YUMA_FONT=/path/to/font.ttf"
                .to_string(),
        })
    });
    loaded.as_deref().map_err(|e| ReportError::new(e.clone()))
}
