//! The report page: one self-contained HTML file. Charts are inline SVG, the stylesheet is
//! inline, there is no script, and nothing is fetched (no `src` or `href` pointing anywhere).

use super::charts::Chart;
use super::ReportError;

/// A titled group of charts with a line of context.
#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub summary: String,
    /// Charts side by side in rows of `columns` (1 = one per row at full width … 4).
    pub columns: usize,
    pub charts: Vec<Chart>,
    /// Lines shown instead of missing charts ("no bonds stored").
    pub notes: Vec<String>,
}

/// `<`, `>`, `&`, `"` and `'` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta, p.summary { margin: 2px 0 10px; color: #555; font-size: 14px; }
div.row { display: grid; gap: 14px; margin-bottom: 14px; }
figure.chart { margin: 0; background: #fff; border: 1px solid #e2e2e2; padding: 6px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 12px; color: #666; padding: 4px 2px 0; }
ul.notes { color: #666; font-size: 13px; }
";

/// The whole page.
pub fn page(title: &str, meta: &[String], sections: &[Section]) -> Result<String, ReportError> {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&format!("<h1>{}</h1>\n", escape(title)));
    for line in meta {
        out.push_str(&format!("<p class=\"meta\">{}</p>\n", escape(line)));
    }
    for section in sections {
        out.push_str(&format!(
            "<section>\n<h2>{}</h2>\n<p class=\"summary\">{}</p>\n",
            escape(&section.title),
            escape(&section.summary)
        ));
        let columns = section.columns.clamp(1, 4);
        for row in section.charts.chunks(columns) {
            out.push_str(&format!(
                "<div class=\"row\" style=\"grid-template-columns: repeat({columns}, minmax(0, 1fr))\">\n"
            ));
            for chart in row {
                out.push_str(&format!(
                    "<figure class=\"chart\" id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape(&chart.id),
                    chart.svg()?,
                    escape(&chart.caption)
                ));
            }
            out.push_str("</div>\n");
        }
        if !section.notes.is_empty() {
            out.push_str("<ul class=\"notes\">\n");
            for note in &section.notes {
                out.push_str(&format!("<li>{}</li>\n", escape(note)));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}
