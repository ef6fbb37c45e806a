//! The machine-readable files a site publishes besides its pages: the Atom
//! feed and the sitemap, both with full URLs.

use super::reuse::{Sig, Versions};
use super::{one, Ctx, Job, Kind, Out};
use crate::content::Date;
use crate::diagnostics::Diagnostic;
use serde::Serialize;

/// Entries of the feed: the newest reports and articles together.
pub(super) const FEED_ENTRIES: usize = 30;

pub(super) const FEED: Kind = Kind {
    template: Some("feed.xml"),
    page: false,
    reserved: &["feed.xml"],
    jobs: |s| if s.config.feed { one(s) } else { vec![] },
    path: |_, _| "feed.xml".into(),
    render: feed,
    reads: feed_reads,
};

pub(super) const SITEMAP: Kind = Kind {
    template: Some("sitemap.xml"),
    page: false,
    reserved: &["sitemap.xml"],
    jobs: one,
    path: |_, _| "sitemap.xml".into(),
    render: sitemap,
    reads: |_, _, v, h| {
        h.all(&v.report_items).all(&v.article_items).all(&v.pages);
        h.all(&v.units).all(&v.tags).all(&v.categories);
        true
    },
};

/// The newest [`FEED_ENTRIES`] of the reports and of the articles, from
/// which the feed takes the newest [`FEED_ENTRIES`] of both.
fn candidates(c: &Ctx) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let s = c.site;
    (
        0..s.reports.len().min(FEED_ENTRIES),
        0..s.articles.len().min(FEED_ENTRIES),
    )
}

fn feed_reads(c: &Ctx, _: Job, v: &Versions, h: &mut Sig) -> bool {
    let (reports, articles) = candidates(c);
    // Without entries the feed is dated now: always rendered.
    if reports.is_empty() && articles.is_empty() {
        return false;
    }
    h.all(&v.report_items[reports]);
    h.all(&v.article_items[articles]);
    true
}

/// `feed.xml`: the newest [`FEED_ENTRIES`] reports and articles together.
fn feed(c: &Ctx, job: Job, _: &str) -> Result<Out, Diagnostic> {
    let (s, v) = (c.site, &c.views);
    let (reports, articles) = candidates(c);
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
    for (i, r) in s.reports[reports.clone()].iter().enumerate() {
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
    for (i, a) in s.articles[articles.clone()].iter().enumerate() {
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
    entries.truncate(FEED_ENTRIES);
    // Atom needs `updated`: the newest entry's date, or (empty site) the day
    // the feed was generated (`SOURCE_DATE_EPOCH`'s when set) — never a
    // made-up date, and the same for every build of that day (serve's
    // cached pages must equal a fresh build's).
    let updated = match entries.first() {
        Some(e) => e.0.rfc3339(),
        None => crate::site::reporting::today().rfc3339(),
    };
    let d = D {
        feed_url: s.config.full_url("feed.xml"),
        home_url: s.config.full_url(""),
        updated,
        entries: entries.into_iter().map(|e| e.1).collect(),
    };
    c.template(job, &d)
}

/// `sitemap.xml`: every page, with its date where it has one.
fn sitemap(c: &Ctx, job: Job, _: &str) -> Result<Out, Diagnostic> {
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
    entries.extend(s.documents().map(|d| entry(d.path(), Some(d.date().ymd()))));
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
    c.template(job, &D { entries })
}
