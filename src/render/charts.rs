//! Charts drawn at build time as inline SVG: labelled in Chinese with units,
//! readable without JavaScript, with `<title>`/`<desc>` for screen readers.
//! Pure: numbers in, markup out. A data table always sits beside a chart.

use crate::render::templates::escape_html as esc;
use std::fmt::Write as _;

/// One bar: label, value for the length, text shown at the bar's end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const PALETTE: [&str; 6] = [
    "#b31b1b", "#0b4f9c", "#2e7d32", "#8d5b00", "#6a1b9a", "#37474f",
];

/// Width of a label in "em" units: CJK counts 1, others about 0.55.
fn text_em(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum()
}

fn truncate(s: &str, max_em: f64) -> String {
    if text_em(s) <= max_em {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        let cw = if c.is_ascii() { 0.55 } else { 1.0 };
        if w + cw > max_em - 1.0 {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

fn open_svg(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" font-size="13"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// Horizontal bars, largest first as given.
pub fn bar_chart(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let label_em = bars
        .iter()
        .map(|b| text_em(&b.label))
        .fold(4.0, f64::max)
        .min(11.0);
    let label_w = (label_em * 13.0 + 12.0).round();
    let (width, row, top) = (640.0, 28.0, 8.0);
    let bar_area = width - label_w - 90.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let height = top * 2.0 + row * bars.len().max(1) as f64;
    let mut out = String::new();
    open_svg(&mut out, id, width as u32, height as u32, title, desc);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = if max > 0.0 {
            (b.value / max * bar_area).max(1.0)
        } else {
            1.0
        };
        let _ = write!(
            out,
            r##"<text x="{:.0}" y="{:.1}" text-anchor="end" fill="#1f1f1f">{}</text><rect x="{label_w:.0}" y="{:.1}" width="{w:.1}" height="{:.0}" fill="{}"/><text x="{:.1}" y="{:.1}" fill="#1f1f1f">{}</text>"##,
            label_w - 8.0,
            y + row * 0.62,
            esc(&truncate(&b.label, label_em)),
            y + 4.0,
            row - 8.0,
            PALETTE[0],
            label_w + w + 6.0,
            y + row * 0.62,
            esc(&b.text)
        );
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns over time (years), oldest first.
pub fn column_chart(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let n = bars.len().max(1) as f64;
    let (width, height, bottom, top) = (640.0, 240.0, 28.0, 22.0);
    let slot = (width - 20.0) / n;
    let bw = (slot * 0.6).min(70.0);
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let area = height - bottom - top;
    let mut out = String::new();
    open_svg(&mut out, id, width as u32, height as u32, title, desc);
    let _ = write!(
        out,
        r##"<line x1="10" y1="{0}" x2="{1}" y2="{0}" stroke="#888"/>"##,
        height - bottom,
        width - 10.0
    );
    for (i, b) in bars.iter().enumerate() {
        let cx = 10.0 + slot * (i as f64 + 0.5);
        let h = if max > 0.0 {
            (b.value / max * area).max(1.0)
        } else {
            1.0
        };
        let y = height - bottom - h;
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}" fill="{}"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#1f1f1f">{}</text><text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#1f1f1f">{}</text>"##,
            cx - bw / 2.0,
            PALETTE[1],
            y - 6.0,
            esc(&b.text),
            height - 9.0,
            esc(&b.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// One 100% stacked bar with a legend: shares of a whole.
pub fn share_chart(id: &str, title: &str, desc: &str, parts: &[Bar]) -> String {
    let total: f64 = parts.iter().map(|p| p.value).sum();
    let (width, bar_h) = (640.0, 30.0);
    let legend_rows = parts.len().div_ceil(3).max(1) as f64;
    let height = bar_h + 16.0 + legend_rows * 22.0;
    let mut out = String::new();
    open_svg(&mut out, id, width as u32, height as u32, title, desc);
    let mut x = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let w = if total > 0.0 {
            p.value / total * width
        } else {
            0.0
        };
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="0" width="{w:.1}" height="{bar_h}" fill="{}"/>"#,
            PALETTE[i % PALETTE.len()]
        );
        x += w;
        let (col, row) = ((i % 3) as f64, (i / 3) as f64);
        let lx = col * (width / 3.0);
        let ly = bar_h + 14.0 + row * 22.0;
        let pct = if total > 0.0 {
            p.value / total * 100.0
        } else {
            0.0
        };
        let _ = write!(
            out,
            r##"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" fill="#1f1f1f">{} {} ({pct:.1}%)</text>"##,
            ly - 1.0,
            PALETTE[i % PALETTE.len()],
            lx + 18.0,
            ly + 10.0,
            esc(&p.label),
            esc(&p.text)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_and_escaped() {
        let bars = vec![
            Bar {
                label: "陶乐镇".into(),
                value: 600.0,
                text: "600余 吨".into(),
            },
            Bar {
                label: "<营根镇>".into(),
                value: 1960.0,
                text: "1960 吨".into(),
            },
        ];
        let svg = bar_chart("c1", "清理垃圾（吨）", "各单位清理垃圾", &bars);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"c1-t\">清理垃圾（吨）</title>"));
        assert!(svg.contains("&lt;营根镇&gt;"));
        assert!(svg.contains("600余 吨"));
        assert!(column_chart("c2", "t", "d", &bars).contains("1960 吨"));
        assert!(share_chart("c3", "t", "d", &bars).contains("(76.6%)"));
    }
}
