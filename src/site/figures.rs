//! Consistency of figures: where a report's text states a figure for a
//! declared metric ("清理垃圾600多吨") that differs from its `stats:` value,
//! or that `stats:` lacks, warn with both places. Retyped figures are where
//! wrong numbers come from.

use super::Site;
use crate::content::number::{format_figure, parse_figure, Figure};
use crate::diagnostics::Diagnostic;
use crate::source::line_col;
use crate::text;

/// Characters allowed between a label and its number: "横幅8条", "清理垃圾共600多吨".
const GAP: &[char] = &['共', '了', '约', '达', '计', '：', ':', ' ', '为'];

/// Finds `<label><gap><number><万/亿><多/余><unit>` in `body`; returns (offset, figure).
fn stated(body: &str, label: &str, unit: &str) -> Vec<(usize, Figure)> {
    let mut out = Vec::new();
    for (at, _) in body.match_indices(label) {
        let rest = &body[at + label.len()..];
        let rest = rest.trim_start_matches(GAP);
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(rest.len());
        if num_len == 0 {
            continue;
        }
        let mut end = num_len;
        let mut tail = &rest[end..];
        for suffix in ["万", "亿"] {
            if let Some(t) = tail.strip_prefix(suffix) {
                end += suffix.len();
                tail = t;
            }
        }
        for suffix in ["多", "余"] {
            if let Some(t) = tail.strip_prefix(suffix) {
                end += suffix.len();
                tail = t;
            }
        }
        // Require the metric's unit right after the number when it has one,
        // so "横幅8条" counts but "横幅2024年" does not.
        if !unit.is_empty() && !tail.starts_with(unit) {
            continue;
        }
        if let Some(f) = parse_figure(&rest[..end]) {
            out.push((at, f));
        }
    }
    out
}

/// Warnings for every report whose text and `stats:` disagree.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let metrics = &site.config.metrics;
    let mut out = Vec::new();
    for r in &site.reports {
        let src = &r.doc.common.src;
        for (mi, m) in metrics.iter().enumerate() {
            let given = r.doc.stats.iter().find(|s| s.metric == mi);
            for (offset, f) in stated(&src.body, &m.label, &m.unit) {
                let (l, c) = line_col(&src.body, offset);
                let line = l + src.body_line - 1;
                let said = format_figure(&f);
                match given {
                    Some(s) if s.figure == f => {}
                    Some(s) => {
                        let value = format_figure(&s.figure);
                        out.push(Diagnostic::warning(&src.shown, line, c, text!(
                            "the text says {} {}{}, but `stats:` has {} {}{} (line {})", m.label, said, m.unit, m.label, value, m.unit, s.line;
                            "正文写的是{}{}{}，但 `stats:` 中是{}{}{}（第 {} 行）", m.label, said, m.unit, m.label, value, m.unit, s.line))
                        .with_hint(text!("make the two agree; the figures in `stats:` are what the statistics count";
                                         "请核对两处数字；统计只采用 `stats:` 中的数值")));
                    }
                    None => {
                        out.push(Diagnostic::warning(&src.shown, line, c, text!(
                            "the text states {} {}{}, but `stats:` has no `{}`", m.label, said, m.unit, m.label;
                            "正文写有{}{}{}，但 `stats:` 中没有 `{}`", m.label, said, m.unit, m.label))
                        .with_hint(text!("add `{}: {}` under `stats:` so it is counted", m.label, said;
                                         "请在 `stats:` 下添加 `{}: {}`，以便计入统计", m.label, said)));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_stated_figures() {
        let body = "共制作横幅8条、固定标语15条，清理垃圾600多吨，清理垃圾共1.2万吨，横幅2024年。";
        let v = stated(body, "横幅", "条");
        assert_eq!(v.len(), 1);
        assert_eq!(format_figure(&v[0].1), "8");
        let g = stated(body, "清理垃圾", "吨");
        assert_eq!(
            g.iter().map(|x| format_figure(&x.1)).collect::<Vec<_>>(),
            vec!["600余", "12000"]
        );
    }
}
