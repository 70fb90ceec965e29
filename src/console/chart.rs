//! Bar charts drawn on the server as inline SVG: no script library, nothing
//! fetched, the same in every browser and readable without colour (each
//! series has a legend and the page shows the numbers as a table beside
//! it). Colours come from the stylesheet's classes, so the chart follows the
//! light or dark scheme. Every text is escaped here, since the markup is
//! inserted as is.

use std::fmt::Write;

/// One series of bars: its legend, its stylesheet class, one value per label.
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    pub values: Vec<u64>,
}

const WIDTH: u64 = 720;
const HEIGHT: u64 = 260;
const LEFT: u64 = 48;
const BOTTOM: u64 = 44;
const TOP: u64 = 28;
/// Labels written under the axis at most; the others are skipped.
const MAX_LABELS: usize = 16;

/// Text made safe inside SVG markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Grouped vertical bars: one group per label, one bar per series.
pub fn bars(title: &str, labels: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let groups = labels.len().max(1) as u64;
    let group_w = plot_w / groups;
    let bar_w = (group_w * 4 / 5 / (series.len().max(1) as u64)).max(1);
    let every = labels.len().div_ceil(MAX_LABELS).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let base = TOP + plot_h;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/><text class="tick" x="{}" y="{}" text-anchor="end">{max}</text><text class="tick" x="{}" y="{base}" text-anchor="end">0</text>"#,
        WIDTH - 8,
        LEFT - 6,
        TOP + 4,
        LEFT - 6,
    );
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + i as u64 * group_w + group_w / 10;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            let h = v * plot_h / max;
            let _ = write!(
                svg,
                r#"<rect class="{}" x="{}" y="{}" width="{bar_w}" height="{h}"><title>{}: {} {v}</title></rect>"#,
                s.class,
                x0 + k as u64 * bar_w,
                base - h,
                escape(label),
                escape(s.name),
            );
        }
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                LEFT + i as u64 * group_w + group_w / 2,
                base + 16,
                escape(label)
            );
        }
    }
    for (k, s) in series.iter().enumerate() {
        let x = LEFT + k as u64 * 140;
        let _ = write!(
            svg,
            r#"<rect class="{}" x="{x}" y="{}" width="12" height="12"/><text class="legend" x="{}" y="{}">{}</text>"#,
            s.class,
            HEIGHT - 16,
            x + 18,
            HEIGHT - 6,
            escape(s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_largest_value() {
        let svg = bars(
            "a <b>",
            &["x&y".to_owned(), "z".to_owned()],
            &[Series {
                name: "n",
                class: "one",
                values: vec![2, 4],
            }],
        );
        assert!(
            svg.contains("a &lt;b&gt;") && svg.contains("x&amp;y"),
            "{svg}"
        );
        assert!(!svg.contains("<b>"), "{svg}");
        let full = HEIGHT - TOP - BOTTOM;
        assert!(svg.contains(&format!(r#"height="{full}""#)), "{svg}");
        assert!(svg.contains(&format!(r#"height="{}""#, full / 2)), "{svg}");
    }
}
