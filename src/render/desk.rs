//! The editor's desk (`<base path>_desk/`), a private page only `serve`
//! asks for ([`BuildOptions::desk`](crate::BuildOptions)): who has reported
//! this year, what awaits review and which steps it lacks, drafts, and the
//! latest findings of `check` with links to the pages. One self-contained
//! HTML file (styles inline, nothing from other hosts) in the site's look;
//! `build` never writes it.

use crate::diagnostics::{Diagnostic, Lang, Severity};
use crate::render::status::{self, StatusView};
use crate::render::templates::escape_html as esc;
use crate::site::reporting::{self, Coverage};
use crate::site::Site;
use rayon::prelude::*;
use std::fmt::Write as _;

/// The desk's output path below the base path.
pub const PATH: &str = "_desk/index.html";

/// Where `serve` fills in the findings of `jianbao audit`, which it runs
/// in the background after each rebuild.
pub const AUDIT_START: &str = "<!--jianbao-audit-->";
pub const AUDIT_END: &str = "<!--/jianbao-audit-->";

const STYLE: &str = "
:root { --red: #b31b1b; --red-dark: #8c1010; --ink: #1f1f1f; --muted: #595959; --line: #d0d0d0; --bg-soft: #f5f3ef; --link: #0b4f9c; }
body { margin: 0; color: var(--ink); font: 1rem/1.7 \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif; }
header { background: var(--red); color: #fff; border-top: 4px solid var(--red-dark); padding: .8rem 1.5rem; }
header h1 { margin: 0; font-size: 1.4rem; } header p { margin: .2rem 0 0; font-size: .9rem; }
header a { color: #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
a { color: var(--link); }
h2 { border-left: 4px solid var(--red); padding-left: .5rem; font-size: 1.2rem; margin-top: 2rem; }
.counts { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
.counts li { background: var(--bg-soft); border: 1px solid var(--line); padding: .5rem 1rem; }
.counts strong { display: block; font-size: 1.6rem; color: var(--red-dark); }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
.overdue, .error { color: #a40000; font-weight: bold; }
.not_due, .muted { color: var(--muted); }
.findings li { margin: .2rem 0; } .findings pre { margin: 0; white-space: pre-wrap; font: inherit; }
";

/// Site URL of the page built from the file shown as `shown`, if any.
fn page_url(site: &Site, shown: &std::path::Path) -> Option<String> {
    let rel = shown
        .to_string_lossy()
        .replace('\\', "/")
        .strip_prefix("content/")?
        .to_string();
    site.by_source.get(&rel).map(|p| site.config.url(p))
}

fn link(url: Option<&str>, text: &str) -> String {
    match url {
        Some(u) => format!("<a href=\"{}\">{}</a>", esc(u), esc(text)),
        None => esc(text),
    }
}

fn counts(out: &mut String, site: &Site) {
    let pending = site
        .held
        .iter()
        .filter(|h| !h.missing.is_empty() && !h.draft);
    let drafts = site.held.iter().filter(|h| h.draft).count();
    let published = |n: usize, kept: usize| n.saturating_sub(kept);
    let kept_reports = site
        .held
        .iter()
        .filter(|h| h.kept && h.report.is_some())
        .count();
    let kept_articles = site
        .held
        .iter()
        .filter(|h| h.kept && h.report.is_none() && h.rel.starts_with("articles/"))
        .count();
    let _ = write!(
        out,
        "<ul class=\"counts\" id=\"desk-counts\">\
         <li>已发布工作总结<strong id=\"count-reports\">{}</strong></li>\
         <li>已发布健康教育文章<strong id=\"count-articles\">{}</strong></li>\
         <li>待审核<strong id=\"count-pending\">{}</strong></li>\
         <li>草稿<strong id=\"count-drafts\">{}</strong></li></ul>",
        published(site.reports.len(), kept_reports),
        published(site.articles.len(), kept_articles),
        pending.count(),
        drafts
    );
}

fn review_section(out: &mut String, site: &Site) {
    out.push_str("<h2 id=\"review\">待审核（三审三校）</h2>");
    let waiting: Vec<_> = site
        .held
        .iter()
        .filter(|h| !h.missing.is_empty() && !h.draft)
        .collect();
    if site.config.review.is_empty() {
        out.push_str("<p class=\"muted\">site.yaml 未设置 <code>review.required</code>：不检查审核环节。</p>");
        return;
    }
    if waiting.is_empty() {
        out.push_str("<p id=\"review-none\">没有待审核的文档。</p>");
        return;
    }
    out.push_str("<table id=\"review-table\"><thead><tr><th scope=\"col\">文档</th><th scope=\"col\">文件</th><th scope=\"col\">缺少环节</th><th scope=\"col\">已完成</th></tr></thead><tbody>");
    for h in waiting {
        let url = page_url(site, &h.shown);
        // A private page: reviewers' names are the editors' business.
        let steps = h
            .steps
            .iter()
            .map(|s| format!("{} {} {}", s.name, s.by, s.date.ymd()))
            .collect::<Vec<_>>()
            .join("；");
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"overdue\">{}</td><td>{}</td></tr>",
            link(url.as_deref(), &h.title),
            esc(&h.shown.to_string_lossy()),
            esc(&h.missing.join("、")),
            esc(&steps)
        );
    }
    out.push_str("</tbody></table>");
}

fn drafts_section(out: &mut String, site: &Site) {
    let drafts: Vec<_> = site.held.iter().filter(|h| h.draft).collect();
    if drafts.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"drafts\">草稿</h2><ul>");
    for h in drafts {
        let url = page_url(site, &h.shown);
        let _ = write!(
            out,
            "<li>{} <code>{}</code></li>",
            link(url.as_deref(), &h.title),
            esc(&h.shown.to_string_lossy())
        );
    }
    out.push_str("</ul>");
}

fn status_section(out: &mut String, v: &StatusView) {
    let _ = write!(
        out,
        "<h2 id=\"reporting\">报送情况（{}年，截至 {}）</h2>",
        v.year, v.today
    );
    if v.groups.is_empty() {
        out.push_str("<p class=\"muted\">没有适用报送规则的单位：请在 site.yaml 的 <code>reporting:</code> 中设置。</p>");
        return;
    }
    for g in &v.groups {
        let _ = write!(
            out,
            "<table class=\"reporting\"><caption>{}报送</caption><thead><tr><th scope=\"col\">单位</th><th scope=\"col\">类型</th>",
            g.every_label
        );
        for c in &g.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(&c.label));
        }
        out.push_str("</tr></thead><tbody>");
        for r in &g.rows {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td>",
                link(Some(&r.unit.url), r.unit.name),
                esc(r.unit.kind)
            );
            for c in &r.cells {
                let _ = write!(
                    out,
                    "<td class=\"{}\" title=\"截止 {}\">{}</td>",
                    c.status,
                    c.due,
                    link(c.url.as_deref(), &c.text)
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }
    if !v.overdue.is_empty() {
        out.push_str("<table id=\"overdue\"><caption>逾期未报</caption><thead><tr><th scope=\"col\">单位</th><th scope=\"col\">报告期</th><th scope=\"col\">截止日期</th><th scope=\"col\">逾期天数</th></tr></thead><tbody>");
        for o in &v.overdue {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"overdue\">{}</td></tr>",
                link(Some(&o.unit.url), o.unit.name),
                esc(&o.label),
                o.due,
                o.days
            );
        }
        out.push_str("</tbody></table>");
    }
}

/// The findings section of the last desk `serve` made and what it was
/// made from, so a save that changes no warning (most) does not render
/// thousands of them again (at 50k reports, 30k warnings: 45 ms of CPU
/// against 3 ms to hash them and their pages' addresses).
#[derive(Default)]
pub struct Cache {
    key: u64,
    html: String,
}

/// The key of the findings section made from `diags` with `urls` (each
/// finding's page) in `lang`.
fn findings_key(diags: &[&Diagnostic], urls: &[Option<String>], lang: Lang) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::hash::FxHasher::default();
    (lang as u8).hash(&mut h);
    diags.hash(&mut h);
    urls.hash(&mut h);
    h.finish()
}

fn findings_section(
    out: &mut String,
    site: &Site,
    diags: &[Diagnostic],
    (lang, cache): (Lang, Option<&mut Cache>),
) {
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    // The page of each finding, looked up once per file (sorted by file).
    let mut urls: Vec<Option<String>> = Vec::with_capacity(shown.len());
    for (i, d) in shown.iter().enumerate() {
        let url = match i.checked_sub(1).map(|j| shown[j]) {
            Some(prev) if prev.path == d.path => urls[i - 1].clone(),
            _ => page_url(site, &d.path),
        };
        urls.push(url);
    }
    let key = cache.as_ref().map(|_| findings_key(&shown, &urls, lang));
    if let (Some(c), Some(k)) = (cache.as_deref(), key) {
        if c.key == k && !c.html.is_empty() {
            out.push_str(&c.html);
            return;
        }
    }
    let start = out.len();
    let _ = write!(
        out,
        "<h2 id=\"findings\">检查结果（{} 条）</h2>",
        shown.len()
    );
    if shown.is_empty() {
        out.push_str("<p id=\"findings-none\">最近一次构建没有警告。</p>");
    } else {
        out.push_str("<ul class=\"findings\" id=\"findings-list\">");
        // Thousands at city scale: the items made in parallel, kept in order.
        let items: Vec<String> = shown
            .par_iter()
            .zip(urls.par_iter())
            .map(|(d, url)| {
                let class = if d.is_error() { "error" } else { "warning" };
                let page = url
                    .as_ref()
                    .map(|u| format!(" <a href=\"{}\">查看页面</a>", esc(u)))
                    .unwrap_or_default();
                format!(
                    "<li class=\"{class}\"><pre>{}</pre>{page}</li>",
                    esc(&d.render(lang))
                )
            })
            .collect();
        items.iter().for_each(|i| out.push_str(i));
        out.push_str("</ul>");
    }
    if let (Some(c), Some(k)) = (cache, key) {
        c.key = k;
        c.html = out[start..].to_string();
    }
}

/// The desk page for the site as just built, with the build's findings
/// (with `serve`'s `cache`, made again only when they changed).
pub fn page(site: &Site, diags: &[Diagnostic], lang: Lang, cache: Option<&mut Cache>) -> String {
    let today = reporting::today();
    // The findings, the longest part, beside the reporting status.
    let mut findings = String::new();
    let (cov, ()) = rayon::join(
        || Coverage::compute(site, today.year, today),
        || findings_section(&mut findings, site, diags, (lang, cache)),
    );
    let v = status::view(site, &cov);
    let c = &site.config;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>编辑工作台 · {}</title><style>{STYLE}</style></head><body>\
         <header><h1>编辑工作台</h1><p>{} · 仅在 <code>jianbao serve</code> 预览中可见，<code>build</code> 不会发布此页 · <a href=\"{}\">返回网站首页</a></p></header><main>",
        esc(&c.language),
        esc(&c.title),
        esc(&c.title),
        esc(&c.base_path)
    );
    counts(&mut out, site);
    review_section(&mut out, site);
    status_section(&mut out, &v);
    out.push_str(&findings);
    let _ = write!(
        out,
        "<h2 id=\"audit\">审计（jianbao audit）</h2><div id=\"audit-findings\">{AUDIT_START}<p class=\"muted\">正在审计……</p>{AUDIT_END}</div>"
    );
    drafts_section(&mut out, site);
    // `serve` sends `desk` on its live-reload stream when the audit's
    // findings change (other pages ignore that event), and the key of the
    // findings served in `hello`: a desk loaded just before they came
    // reloads once.
    out.push_str(DESK_SCRIPT);
    out
}

/// The desk's own live-reload listener (see [`page`]).
const DESK_SCRIPT: &str = concat!(
    "</main><script>(function(){var es=new EventSource(\"/__jianbao/events\");",
    "es.addEventListener(\"desk\",function(){location.reload()});",
    "es.addEventListener(\"hello\",function(e){var k=JSON.parse(e.data).desk||\"\",",
    "s=document.getElementById(\"audit-summary\");",
    "if(!k||(s&&s.getAttribute(\"data-audit\")===k))return;",
    "try{if(sessionStorage.getItem(\"jianbao-desk\")===k)return;sessionStorage.setItem(\"jianbao-desk\",k)}catch(x){}",
    "location.reload()})})()</script></body></html>\n"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::text;

    fn site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let config = crate::config::Config::load(&root, None).unwrap();
        let (content, _) = crate::content::load(&root, &config, Default::default());
        Site::build(config, content, &crate::render::pages::reserved()).0
    }

    fn warning(path: &str, line: usize, what: &str) -> Diagnostic {
        Diagnostic::warning(path, line, 1, text!("{}", what; "{}", what))
    }

    /// The findings a cached desk shows are those of the build it is made
    /// for: equal findings reuse the section, any change makes it again.
    #[test]
    fn cached_findings_follow_the_warnings() {
        let site = site();
        let mut cache = Cache::default();
        let first = vec![warning("content/reports/a.md", 3, "甲")];
        let fresh = |d: &[Diagnostic]| page(&site, d, Lang::Zh, None);
        let cached = page(&site, &first, Lang::Zh, Some(&mut cache));
        assert_eq!(cached, fresh(&first));
        assert!(cache.html.contains("甲"));
        let key = cache.key;
        assert_eq!(
            page(&site, &first, Lang::Zh, Some(&mut cache)),
            fresh(&first)
        );
        assert_eq!(cache.key, key, "the same findings keep their key");
        for next in [
            vec![warning("content/reports/a.md", 4, "甲")],
            vec![warning("content/reports/a.md", 3, "乙")],
            vec![warning("content/articles/kong-yan.md", 3, "甲")],
            vec![first[0].clone(), warning("content/reports/a.md", 9, "丙")],
            Vec::new(),
        ] {
            assert_eq!(page(&site, &next, Lang::Zh, Some(&mut cache)), fresh(&next));
        }
        assert_eq!(
            page(&site, &first, Lang::En, Some(&mut cache)),
            page(&site, &first, Lang::En, None)
        );
        // A finding on a page links to it.
        let linked = vec![warning("content/articles/kong-yan.md", 3, "甲")];
        page(&site, &linked, Lang::Zh, Some(&mut cache));
        assert!(cache.html.contains("查看页面"), "{}", cache.html);
    }
}
