//! The machine-readable files a site publishes besides its pages: the Atom
//! feed and the sitemap, both with full URLs.

use super::pages::{Ctx, Out};
use crate::content::Date;
use crate::diagnostics::Diagnostic;
use serde::Serialize;

/// `feed.xml`: the newest 30 reports and articles together.
pub(super) fn feed(c: &Ctx) -> Result<(String, Out, bool), Diagnostic> {
    let (s, v) = (c.site, &c.views);
    #[derive(Serialize)]
    struct Entry<'a> {
        title: &'a str,
        url: String,
        updated: String,
        summary: &'a str,
        author: &'a str,
        kind: &'static str,
    }
    #[derive(Serialize)]
    struct D<'a> {
        feed_url: String,
        home_url: String,
        updated: String,
        entries: Vec<Entry<'a>>,
    }
    let mut entries: Vec<(Date, Entry)> = Vec::new();
    for (i, r) in s.reports.iter().enumerate().take(30) {
        let it = v.report_item(i);
        let author = &s.units[r.unit].name;
        let url = s.config.full_url(&r.path);
        let entry = Entry {
            title: it.title,
            url,
            updated: r.doc.date.rfc3339(),
            summary: it.summary,
            author,
            kind: "report",
        };
        entries.push((r.doc.date, entry));
    }
    for (i, a) in s.articles.iter().enumerate().take(30) {
        let it = v.article_item(i);
        let author = a.doc.author.as_deref().unwrap_or(&s.config.title);
        let url = s.config.full_url(&a.path);
        let entry = Entry {
            title: it.title,
            url,
            updated: a.doc.date.rfc3339(),
            summary: it.summary,
            author,
            kind: "article",
        };
        entries.push((a.doc.date, entry));
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0.sort_key()));
    entries.truncate(30);
    // Atom needs `updated`: the newest entry's date, or (empty site) the
    // time the feed was generated — never a made-up date.
    let updated = match entries.first() {
        Some(e) => e.0.rfc3339(),
        None => chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    };
    let d = D {
        feed_url: s.config.full_url("feed.xml"),
        home_url: s.config.full_url(""),
        updated,
        entries: entries.into_iter().map(|e| e.1).collect(),
    };
    Ok(("feed.xml".into(), c.render("feed.xml", &d)?, false))
}

/// `sitemap.xml`: every page, with its date where it has one.
pub(super) fn sitemap(c: &Ctx) -> Result<(String, Out, bool), Diagnostic> {
    let s = c.site;
    #[derive(Serialize)]
    struct Entry {
        loc: String,
        lastmod: Option<String>,
    }
    let entry = |path: &str, lastmod: Option<String>| Entry {
        loc: s.config.full_url(path),
        lastmod,
    };
    let mut entries = vec![entry("", s.reports.first().map(|r| r.doc.date.ymd()))];
    let mut lists = vec!["reports/", "articles/", "units/", "tags/", "stats/"];
    if s.config.search {
        lists.push("search/");
    }
    entries.extend(lists.into_iter().map(|p| entry(p, None)));
    entries.extend(
        s.reports
            .iter()
            .map(|r| entry(&r.path, Some(r.doc.date.ymd()))),
    );
    entries.extend(
        s.articles
            .iter()
            .map(|a| entry(&a.path, Some(a.doc.date.ymd()))),
    );
    entries.extend(s.pages.iter().map(|p| entry(&p.path, None)));
    entries.extend(s.units.iter().map(|u| {
        entry(
            &u.path,
            u.reports.first().map(|&r| s.reports[r].doc.date.ymd()),
        )
    }));
    entries.extend(
        s.tags
            .iter()
            .chain(&s.categories)
            .map(|x| entry(&x.path, None)),
    );
    #[derive(Serialize)]
    struct D {
        entries: Vec<Entry>,
    }
    Ok((
        "sitemap.xml".into(),
        c.render("sitemap.xml", &D { entries })?,
        false,
    ))
}
