//! What templates see: borrowed, serializable views of the model, built once
//! per page. Site-wide data (`site`) is built once per build and shared.
//! Every URL here already carries the base path.

use crate::config::{Config, Metric};
use crate::content::Stat;
use crate::render::markdown::{Attachment, Rendered, TocEntry};
use crate::render::templates::Shared;
use crate::site::paths::list_page_path;
use crate::site::{ArticleEntry, PageEntry, ReportEntry, Site, Term, UnitEntry};
use serde::Serialize;
use std::sync::{Arc, OnceLock};

#[derive(Serialize, Clone)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct NavItem {
    /// Matches the page's `section` for the current-page marker.
    pub key: &'static str,
    pub title: &'static str,
    pub url: String,
}

#[derive(Serialize)]
pub struct Counts {
    pub reports: usize,
    pub articles: usize,
    pub units: usize,
    pub tags: usize,
}

/// `site` in every template.
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub base_path: &'a str,
    pub language: &'a str,
    pub nav: Vec<NavItem>,
    pub search: bool,
    pub search_url: String,
    pub feed: bool,
    pub feed_url: String,
    pub metrics: &'a [Metric],
    /// Standalone pages (关于本站…), for the footer.
    pub pages: Vec<Link>,
    pub counts: Counts,
    pub generator: &'static str,
    pub extra: &'a serde_json::Value,
    /// `identity:` of site.yaml (footer, `SiteIDCode`).
    pub identity: &'a crate::config::Identity,
    /// The host of `base_url` (`SiteDomain`).
    pub domain: &'a str,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> Self {
        let c = &site.config;
        let mut nav = vec![
            NavItem {
                key: "home",
                title: "首页",
                url: c.url(""),
            },
            NavItem {
                key: "reports",
                title: "工作总结",
                url: c.url("reports/"),
            },
            NavItem {
                key: "articles",
                title: "健康教育",
                url: c.url("articles/"),
            },
            NavItem {
                key: "units",
                title: "单位",
                url: c.url("units/"),
            },
            NavItem {
                key: "stats",
                title: "统计",
                url: c.url("stats/"),
            },
            NavItem {
                key: "tags",
                title: "标签",
                url: c.url("tags/"),
            },
        ];
        if c.search {
            nav.push(NavItem {
                key: "search",
                title: "搜索",
                url: c.url("search/"),
            });
        }
        SiteView {
            title: &c.title,
            description: &c.description,
            base_url: &c.base_url,
            base_path: &c.base_path,
            language: &c.language,
            nav,
            search: c.search,
            search_url: c.url("search/"),
            feed: c.feed,
            feed_url: c.url("feed.xml"),
            metrics: &c.metrics,
            pages: site
                .pages
                .iter()
                .map(|p| Link {
                    name: p.doc.common.title.clone(),
                    url: c.url(&p.path),
                })
                .collect(),
            counts: Counts {
                reports: site.reports.len(),
                articles: site.articles.len(),
                units: site.units.len(),
                tags: site.tags.len(),
            },
            generator: concat!("jianbao ", env!("CARGO_PKG_VERSION")),
            extra: &c.extra,
            identity: &c.identity,
            domain: c.host(),
        }
    }
}

/// One entry of a list page (reports, articles, a unit's or tag's pages).
#[derive(Serialize)]
pub struct Item<'a> {
    /// `report` or `article`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: &'a str,
    pub url: String,
    pub date: String,
    pub summary: &'a str,
    pub unit: Option<Link>,
    pub category: Option<Link>,
    pub period: Option<String>,
    pub tags: Vec<Link>,
}

#[derive(Serialize)]
pub struct StatView<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub unit: &'a str,
    /// Exact decimal as text (`1518.2`).
    pub value: String,
    pub approx: bool,
    /// As readers see it: `600余`.
    pub display: String,
}

#[derive(Serialize)]
pub struct UnitLink<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub url: String,
}

/// `page` in report.html.
#[derive(Serialize)]
pub struct ReportView<'a> {
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: String,
    /// `YYYY-MM-DD HH:MM` when a time was given, else the date (`PubDate`).
    pub pubdate: String,
    pub period: String,
    pub period_label: String,
    pub unit: UnitLink<'a>,
    pub tags: Vec<Link>,
    pub stats: Vec<StatView<'a>>,
    pub summary: &'a str,
    pub author: Option<&'a str>,
    pub editor: Option<&'a str>,
    pub source: Option<&'a str>,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub attachments: &'a [Attachment],
    /// The unit's previous (older) and next (newer) report.
    pub earlier: Option<Link>,
    pub later: Option<Link>,
    pub draft: bool,
    pub review: ReviewView<'a>,
    pub extra: &'a serde_json::Value,
}

/// One passed review step, for themes that choose to show reviewers.
#[derive(Serialize)]
pub struct StepView<'a> {
    pub step: &'a str,
    pub by: &'a str,
    pub date: String,
}

/// `page.review` on reports and articles.
#[derive(Serialize)]
pub struct ReviewView<'a> {
    /// Some required step is missing: only `serve` and `--drafts` show it.
    pub pending: bool,
    pub missing: &'a [String],
    pub steps: Vec<StepView<'a>>,
}

impl<'a> ReviewView<'a> {
    pub fn new(r: &'a crate::content::Review) -> Self {
        ReviewView {
            pending: !r.missing.is_empty(),
            missing: &r.missing,
            steps: r
                .steps
                .iter()
                .map(|s| StepView {
                    step: &s.name,
                    by: &s.by,
                    date: s.date.ymd(),
                })
                .collect(),
        }
    }
}

/// `page` in article.html.
#[derive(Serialize)]
pub struct ArticleView<'a> {
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: String,
    pub pubdate: String,
    pub unit: Option<UnitLink<'a>>,
    pub category: Option<Link>,
    pub tags: Vec<Link>,
    pub summary: &'a str,
    pub author: Option<&'a str>,
    pub editor: Option<&'a str>,
    pub source: Option<&'a str>,
    pub cover: Option<String>,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub attachments: &'a [Attachment],
    pub draft: bool,
    pub review: ReviewView<'a>,
    pub extra: &'a serde_json::Value,
}

/// `page` in page.html.
#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub extra: &'a serde_json::Value,
}

/// `unit` in unit.html, and each entry of units.html.
#[derive(Serialize)]
pub struct UnitView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub parent: Option<&'a str>,
    pub aliases: &'a [String],
    pub url: String,
    /// The registry file's body as HTML (empty for derived units).
    pub intro: &'a str,
    pub report_count: usize,
    pub article_count: usize,
    pub latest_date: Option<String>,
    pub extra: &'a serde_json::Value,
}

/// `term` in tag.html / category.html, and each entry of tags.html.
#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: String,
    pub count: usize,
    pub report_count: usize,
    pub article_count: usize,
}

#[derive(Serialize)]
pub struct PageNumber {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Page numbers were left out just before this one (show `…`).
    pub gap_before: bool,
}

/// Up to this many pages every number is linked; beyond, the first, the
/// last and [`PAGE_WINDOW`] either side of the current one, so a listing of
/// 2,500 pages does not carry 2,500 links on each (quadratic output).
pub const ALL_PAGE_LINKS: usize = 9;
pub const PAGE_WINDOW: usize = 2;

/// `paginator` on list pages.
#[derive(Serialize)]
pub struct Paginator {
    pub current: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub per_page: usize,
    pub first_url: String,
    pub last_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub pages: Vec<PageNumber>,
}

impl Paginator {
    pub fn new(
        config: &Config,
        base: &str,
        current: usize,
        total_pages: usize,
        total_items: usize,
    ) -> Self {
        let url = |n: usize| config.url(&list_page_path(base, n));
        Paginator {
            current,
            total_pages,
            total_items,
            per_page: config.paginate,
            first_url: url(1),
            last_url: url(total_pages),
            prev_url: (current > 1).then(|| url(current - 1)),
            next_url: (current < total_pages).then(|| url(current + 1)),
            pages: {
                let numbers: Vec<usize> = if total_pages <= ALL_PAGE_LINKS {
                    (1..=total_pages).collect()
                } else {
                    let lo = current.saturating_sub(PAGE_WINDOW).max(1);
                    let hi = (current + PAGE_WINDOW).min(total_pages);
                    let mut v = vec![1];
                    v.extend(lo..=hi);
                    v.push(total_pages);
                    v.dedup();
                    v
                };
                let mut last = 0;
                numbers
                    .into_iter()
                    .map(|n| {
                        let gap_before = n > last + 1;
                        last = n;
                        PageNumber {
                            number: n,
                            url: url(n),
                            current: n == current,
                            gap_before,
                        }
                    })
                    .collect()
            },
        }
    }
}

/// Builds views from the model and the rendered Markdown.
pub struct Views<'a> {
    pub site: &'a Site,
    pub report_md: &'a [Arc<Rendered>],
    pub article_md: &'a [Arc<Rendered>],
    /// Lowercased tag name → index into `site.tags` (the first such tag).
    tag_index: std::collections::HashMap<String, usize>,
    /// [`Views::report_item`] and [`Views::article_item`] as shared by list
    /// pages, made on first use.
    report_items: Vec<OnceLock<Shared>>,
    article_items: Vec<OnceLock<Shared>>,
}

fn stat_view<'a>(metrics: &'a [Metric], s: &Stat) -> StatView<'a> {
    let m = &metrics[s.metric];
    StatView {
        id: &m.id,
        label: &m.label,
        unit: &m.unit,
        value: crate::content::number::format_decimal(s.figure.value),
        approx: s.figure.approx,
        display: crate::content::number::format_figure(&s.figure),
    }
}

/// The earlier and the later report of report `i`'s unit, linked from its
/// page.
pub fn neighbours(site: &Site, i: usize) -> [Option<usize>; 2] {
    let u = &site.units[site.reports[i].unit];
    // The unit's reports are newest first: the one after is earlier.
    let pos = u.reports.iter().position(|&x| x == i);
    let earlier = pos.and_then(|p| u.reports.get(p + 1));
    let later = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| u.reports.get(p));
    [earlier.copied(), later.copied()]
}

impl<'a> Views<'a> {
    pub fn new(
        site: &'a Site,
        report_md: &'a [Arc<Rendered>],
        article_md: &'a [Arc<Rendered>],
    ) -> Views<'a> {
        let mut tag_index = std::collections::HashMap::with_capacity(site.tags.len());
        for (i, t) in site.tags.iter().enumerate() {
            tag_index.entry(t.name.to_lowercase()).or_insert(i);
        }
        Views {
            site,
            report_md,
            article_md,
            tag_index,
            report_items: (0..site.reports.len()).map(|_| OnceLock::new()).collect(),
            article_items: (0..site.articles.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The list entries made, to be freed apart from the views.
    pub fn into_shared(self) -> (Vec<OnceLock<Shared>>, Vec<OnceLock<Shared>>) {
        (self.report_items, self.article_items)
    }

    /// [`Views::report_item`], converted once for all the lists showing it.
    pub fn shared_report_item(&self, i: usize) -> Shared {
        self.report_items[i]
            .get_or_init(|| Shared::of(&self.report_item(i)))
            .clone()
    }

    /// [`Views::article_item`], converted once for all the lists showing it.
    pub fn shared_article_item(&self, i: usize) -> Shared {
        self.article_items[i]
            .get_or_init(|| Shared::of(&self.article_item(i)))
            .clone()
    }

    fn c(&self) -> &'a Config {
        &self.site.config
    }

    pub fn term_link(&self, t: &Term) -> Link {
        Link {
            name: t.name.clone(),
            url: self.c().url(&t.path),
        }
    }

    fn tag_links(&self, names: &[String]) -> Vec<Link> {
        names
            .iter()
            .filter_map(|n| {
                let i = match self.tag_index.get(n) {
                    Some(&i) => i,
                    None => *self.tag_index.get(&n.to_lowercase())?,
                };
                Some(self.term_link(&self.site.tags[i]))
            })
            .collect()
    }

    pub fn unit_link(&self, u: &'a UnitEntry) -> UnitLink<'a> {
        UnitLink {
            id: &u.id,
            name: &u.name,
            kind: &u.kind,
            url: self.c().url(&u.path),
        }
    }

    fn summary_of(doc_summary: &'a Option<String>, md: &'a Rendered) -> &'a str {
        doc_summary.as_deref().unwrap_or(&md.summary)
    }

    pub fn report_item(&self, i: usize) -> Item<'a> {
        let r: &'a ReportEntry = &self.site.reports[i];
        let u = &self.site.units[r.unit];
        Item {
            kind: "report",
            kind_label: "工作总结",
            title: &r.doc.common.title,
            url: self.c().url(&r.path),
            date: r.doc.date.ymd(),
            summary: Self::summary_of(&r.doc.summary, &self.report_md[i]),
            unit: Some(Link {
                name: u.name.clone(),
                url: self.c().url(&u.path),
            }),
            category: None,
            period: Some(r.doc.period.label_zh()),
            tags: self.tag_links(&r.doc.tags),
        }
    }

    pub fn article_item(&self, i: usize) -> Item<'a> {
        let a: &'a ArticleEntry = &self.site.articles[i];
        Item {
            kind: "article",
            kind_label: "健康教育",
            title: &a.doc.common.title,
            url: self.c().url(&a.path),
            date: a.doc.date.ymd(),
            summary: Self::summary_of(&a.doc.summary, &self.article_md[i]),
            unit: a.unit.map(|u| Link {
                name: self.site.units[u].name.clone(),
                url: self.c().url(&self.site.units[u].path),
            }),
            category: a.category.map(|c| self.term_link(&self.site.categories[c])),
            period: None,
            tags: self.tag_links(&a.doc.tags),
        }
    }

    fn report_link(&self, i: usize) -> Link {
        let r = &self.site.reports[i];
        Link {
            name: r.doc.common.title.clone(),
            url: self.c().url(&r.path),
        }
    }

    /// Report `i`'s page, its body `md` (whole).
    pub fn report<'b>(&'b self, i: usize, md: &'b Rendered) -> ReportView<'b> {
        let r: &'a ReportEntry = &self.site.reports[i];
        let u = &self.site.units[r.unit];
        let [earlier, later] = neighbours(self.site, i).map(|n| n.map(|x| self.report_link(x)));
        ReportView {
            title: &r.doc.common.title,
            url: self.c().url(&r.path),
            permalink: self.c().full_url(&r.path),
            date: r.doc.date.ymd(),
            pubdate: r.doc.date.pub_date(),
            period: r.doc.period.to_string(),
            period_label: r.doc.period.label_zh(),
            unit: self.unit_link(u),
            tags: self.tag_links(&r.doc.tags),
            stats: r
                .doc
                .stats
                .iter()
                .map(|s| stat_view(&self.c().metrics, s))
                .collect(),
            summary: Self::summary_of(&r.doc.summary, &self.report_md[i]),
            author: r.doc.author.as_deref(),
            editor: r.doc.editor.as_deref(),
            source: r.doc.source.as_deref(),
            content: &md.html,
            toc: &md.toc,
            attachments: &md.attachments,
            earlier,
            later,
            draft: r.doc.common.draft,
            review: ReviewView::new(&r.doc.review),
            extra: &r.doc.common.extra,
        }
    }

    /// Article `i`'s page, its body `md` (whole).
    pub fn article<'b>(&'b self, i: usize, md: &'b Rendered) -> ArticleView<'b> {
        let a: &'a ArticleEntry = &self.site.articles[i];
        ArticleView {
            title: &a.doc.common.title,
            url: self.c().url(&a.path),
            permalink: self.c().full_url(&a.path),
            date: a.doc.date.ymd(),
            pubdate: a.doc.date.pub_date(),
            unit: a.unit.map(|u| self.unit_link(&self.site.units[u])),
            category: a.category.map(|c| self.term_link(&self.site.categories[c])),
            tags: self.tag_links(&a.doc.tags),
            summary: Self::summary_of(&a.doc.summary, &self.article_md[i]),
            author: a.doc.author.as_deref(),
            editor: a.doc.editor.as_deref(),
            source: a.doc.source.as_deref(),
            cover: md.cover.clone(),
            content: &md.html,
            toc: &md.toc,
            attachments: &md.attachments,
            draft: a.doc.common.draft,
            review: ReviewView::new(&a.doc.review),
            extra: &a.doc.common.extra,
        }
    }

    pub fn page<'b>(&'b self, p: &'b PageEntry, md: &'b Rendered) -> PageView<'b> {
        PageView {
            title: &p.doc.common.title,
            url: self.c().url(&p.path),
            permalink: self.c().full_url(&p.path),
            content: &md.html,
            toc: &md.toc,
            extra: &p.doc.common.extra,
        }
    }

    pub fn unit(&self, u: &'a UnitEntry, intro: &'a str) -> UnitView<'a> {
        UnitView {
            id: &u.id,
            name: &u.name,
            kind: &u.kind,
            parent: u.parent.as_deref(),
            aliases: &u.aliases,
            url: self.c().url(&u.path),
            intro,
            report_count: u.reports.len(),
            article_count: u.articles.len(),
            latest_date: u
                .reports
                .first()
                .map(|&r| self.site.reports[r].doc.date.ymd()),
            extra: &u.extra,
        }
    }

    pub fn term(&self, t: &'a Term) -> TermView<'a> {
        TermView {
            name: &t.name,
            slug: &t.slug,
            url: self.c().url(&t.path),
            count: t.reports.len() + t.articles.len(),
            report_count: t.reports.len(),
            article_count: t.articles.len(),
        }
    }
}
