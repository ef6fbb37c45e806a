//! The audit's output: a summary by indicator and the findings, as text
//! (`path:line:col: severity[indicator]: message` + hint), as JSON with a
//! stable schema, or as one self-contained HTML page an editor can send on.

use super::{Finding, Indicator, Report};
use crate::diagnostics::{Lang, Severity};
use serde_json::json;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Html,
}

/// Per indicator: (errors, warnings).
fn counts(r: &Report) -> Vec<(Indicator, usize, usize)> {
    Indicator::ALL
        .iter()
        .map(|&i| {
            let of = r.findings.iter().filter(|f| f.indicator == i);
            let errors = of.clone().filter(|f| f.diag.is_error()).count();
            (i, errors, of.count() - errors)
        })
        // `build` is listed only when the build reported something.
        .filter(|&(i, e, w)| i != Indicator::Build || e + w > 0)
        .collect()
}

fn severity_word(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::En) => "warning",
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Info, Lang::En) => "note",
        (Severity::Info, Lang::Zh) => "说明",
    }
}

fn worst(e: usize, w: usize, lang: Lang) -> &'static str {
    if e > 0 {
        severity_word(Severity::Error, lang)
    } else if w > 0 {
        severity_word(Severity::Warning, lang)
    } else {
        "—"
    }
}

fn shown_path(f: &Finding) -> String {
    f.diag.path.to_string_lossy().replace('\\', "/")
}

/// `path:line:col: severity[indicator]: message` and the hint below it.
pub fn finding_line(f: &Finding, lang: Lang) -> String {
    let d = &f.diag;
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let mut s = format!(
        "{}:{}:{}: {}[{}]{colon}{}",
        shown_path(f),
        d.line.max(1),
        d.col.max(1),
        severity_word(d.severity, lang),
        f.indicator.id(),
        d.message.get(lang)
    );
    if let Some(h) = &d.hint {
        let label = if lang == Lang::Zh {
            "提示："
        } else {
            "hint: "
        };
        let _ = write!(s, "\n  {label}{}", h.get(lang));
    }
    s
}

fn totals(r: &Report) -> (usize, usize) {
    let e = r.findings.iter().filter(|f| f.diag.is_error()).count();
    (e, r.findings.len() - e)
}

/// One line for `serve`: `audit: 2 error(s), 5 warning(s)`.
pub fn one_line(r: &Report, lang: Lang) -> String {
    let (e, w) = totals(r);
    match lang {
        Lang::En => {
            format!("audit: {e} error(s), {w} warning(s) — run `jianbao audit` for the list")
        }
        Lang::Zh => format!("网站检查：{e} 个错误，{w} 个警告 —— 运行 `jianbao audit` 查看详情"),
    }
}

fn text(r: &Report, lang: Lang) -> String {
    let mut s = String::new();
    let (head, veto_word) = match lang {
        Lang::En => (
            ["indicator", "errors", "warnings", "worst", "veto"],
            "yes (单项否决)",
        ),
        Lang::Zh => (["检查指标", "错误", "警告", "最高级别", "单项否决"], "是"),
    };
    let rows: Vec<[String; 5]> = counts(r)
        .into_iter()
        .map(|(i, e, w)| {
            [
                format!("{} {}", i.id(), i.title().get(lang)),
                e.to_string(),
                w.to_string(),
                worst(e, w, lang).to_string(),
                if i.veto() && e + w > 0 {
                    veto_word.to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let width = |k: usize| {
        rows.iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r[k].as_str()))
            .chain([unicode_width::UnicodeWidthStr::width(head[k])])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let cells = |cols: [&str; 5]| -> String {
        let mut line = String::new();
        for (k, c) in cols.iter().enumerate() {
            let pad = widths[k] - unicode_width::UnicodeWidthStr::width(*c);
            let _ = write!(line, "{c}{}  ", " ".repeat(pad));
        }
        line.trim_end().to_string() + "\n"
    };
    s += &cells(head);
    for row in &rows {
        s += &cells([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    s.push('\n');
    if !r.built {
        s += match lang {
            Lang::En => "the site does not build: resources and external links of the pages were not checked\n",
            Lang::Zh => "站点构建失败：未检查页面引用的外部资源和外部链接\n",
        };
    }
    for f in &r.findings {
        s += &finding_line(f, lang);
        s.push('\n');
    }
    let (e, w) = totals(r);
    s += &match lang {
        Lang::En => format!(
            "audit of {} on {}: {e} error(s), {w} warning(s){}\n",
            r.site_title,
            r.today,
            if r.online {
                ""
            } else {
                " (external links not fetched: --online)"
            }
        ),
        Lang::Zh => format!(
            "{} 网站检查（{}）：{e} 个错误，{w} 个警告{}\n",
            r.site_title,
            r.today,
            if r.online {
                ""
            } else {
                "（未检查外部链接：加 --online）"
            }
        ),
    };
    s
}

fn json(r: &Report, lang: Lang) -> String {
    let indicators: Vec<_> = counts(r)
        .into_iter()
        .map(|(i, e, w)| {
            json!({
                "id": i.id(),
                "title": i.title().get(lang),
                "errors": e,
                "warnings": w,
                "worst": if e > 0 { Some("error") } else if w > 0 { Some("warning") } else { None },
                "veto": i.veto(),
            })
        })
        .collect();
    let findings: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "indicator": f.indicator.id(),
                "severity": if f.diag.is_error() { "error" } else { "warning" },
                "path": shown_path(f),
                "line": f.diag.line.max(1),
                "col": f.diag.col.max(1),
                "message": f.diag.message.get(lang),
                "hint": f.diag.hint.as_ref().map(|h| h.get(lang)),
            })
        })
        .collect();
    let doc = json!({
        "site": r.site_title,
        "today": r.today.format("%Y-%m-%d").to_string(),
        "online": r.online,
        "built": r.built,
        "indicators": indicators,
        "findings": findings,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font:16px/1.6 system-ui,\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;color:#1a1a1a;max-width:70rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.5rem;border-bottom:3px solid #b71c1c}table{border-collapse:collapse;width:100%;margin:1rem 0}\
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f2f2f2}\
.error{color:#b71c1c;font-weight:700}.warning{color:#7a4b00}.veto{color:#b71c1c}code{font-size:.9em;word-break:break-all}";

fn html(r: &Report, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let (title, summary, list, none) = if zh {
        ("网站检查报告", "检查指标汇总", "问题清单", "未发现问题。")
    } else {
        (
            "Website inspection report",
            "Indicators",
            "Findings",
            "Nothing found.",
        )
    };
    let mut s = String::new();
    let _ = write!(s, "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{} — {}</h1>\n",
        if zh { "zh-CN" } else { "en" }, title, esc(&r.site_title), esc(&r.site_title), title);
    let (e, w) = totals(r);
    let _ = writeln!(
        s,
        "<p>{}</p>",
        if zh {
            format!(
                "检查日期 {}；{e} 个错误，{w} 个警告{}",
                r.today,
                if r.online {
                    ""
                } else {
                    "；未联网检查外部链接"
                }
            )
        } else {
            format!(
                "Checked on {}: {e} error(s), {w} warning(s){}",
                r.today,
                if r.online {
                    ""
                } else {
                    "; external links not fetched"
                }
            )
        }
    );
    let head = if zh {
        ["检查指标", "错误", "警告", "单项否决"]
    } else {
        ["Indicator", "Errors", "Warnings", "Veto (单项否决)"]
    };
    let _ = write!(
        s,
        "<h2>{summary}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        head[0], head[1], head[2], head[3]
    );
    for (i, e, w) in counts(r) {
        let veto = if i.veto() {
            if zh {
                "是"
            } else {
                "yes"
            }
        } else {
            ""
        };
        let class = if e > 0 { " class=\"error\"" } else { "" };
        let _ = writeln!(s, "<tr><td>{} <code>{}</code></td><td{class}>{e}</td><td>{w}</td><td class=\"veto\">{veto}</td></tr>", esc(i.title().get(lang)), i.id());
    }
    s += "</table>\n";
    let _ = writeln!(s, "<h2>{list}</h2>");
    if r.findings.is_empty() {
        let _ = writeln!(s, "<p>{none}</p>");
    } else {
        let cols = if zh {
            ["位置", "级别", "指标", "问题与修改建议"]
        } else {
            ["Where", "Severity", "Indicator", "Problem and fix"]
        };
        let _ = writeln!(
            s,
            "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            cols[0], cols[1], cols[2], cols[3]
        );
        for f in &r.findings {
            let d = &f.diag;
            let sev = if d.is_error() { "error" } else { "warning" };
            let hint = d
                .hint
                .as_ref()
                .map(|h| format!("<br>{}", esc(h.get(lang))))
                .unwrap_or_default();
            let _ = writeln!(s, "<tr><td><code>{}:{}:{}</code></td><td class=\"{sev}\">{}</td><td>{}</td><td>{}{hint}</td></tr>",
                esc(&shown_path(f)), d.line.max(1), d.col.max(1), severity_word(d.severity, lang), esc(f.indicator.title().get(lang)), esc(d.message.get(lang)));
        }
        s += "</table>\n";
    }
    s += "</body>\n</html>\n";
    s
}

pub fn render(r: &Report, format: Format, lang: Lang) -> String {
    match format {
        Format::Text => text(r, lang),
        Format::Json => json(r, lang),
        Format::Html => html(r, lang),
    }
}
