//! Rendering: Markdown bodies to HTML (in parallel), then every output file
//! from the theme's templates (in parallel), written through a [`Sink`].
//! Reads the model only; shared data is serialized once per build.

pub mod charts;
pub mod markdown;
pub mod search;
pub mod stats;
pub mod templates;
pub mod views;

use crate::content::Source;
use crate::diagnostics::Diagnostic;
use crate::output::Sink;
use crate::site::stats::Stats;
use crate::site::{pages_for, Site};
use crate::text;
use crate::theme::{StaticSrc, ThemeFiles};
use markdown::{LinkContext, Rendered};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use templates::Templates;
use views::{Item, Link, Paginator, SiteView, Views};

/// Rendered Markdown of every document, index-aligned with the model.
pub struct Bodies {
    pub reports: Vec<Rendered>,
    pub articles: Vec<Rendered>,
    pub pages: Vec<Rendered>,
    pub units: Vec<Rendered>,
}

impl Bodies {
    /// Frees the plain texts once the search index no longer needs them.
    pub fn release_plain(&mut self) {
        for r in [
            &mut self.reports,
            &mut self.articles,
            &mut self.pages,
            &mut self.units,
        ] {
            for m in r.iter_mut() {
                m.plain = String::new();
            }
        }
    }
}

fn findings_to_diags(src: &Source, r: &Rendered, out: &mut Vec<Diagnostic>) {
    for f in &r.findings {
        let (l, c) = markdown::line_col(&src.body, f.offset);
        let line = l + src.body_line - 1;
        let mut d = if f.error {
            Diagnostic::error(&src.shown, line, c, f.message.clone())
        } else {
            Diagnostic::warning(&src.shown, line, c, f.message.clone())
        };
        d.hint = f.hint.clone();
        out.push(d);
    }
}

/// Every site path the build will produce, for link checking.
pub fn known_paths(site: &Site, theme: &ThemeFiles) -> BTreeSet<String> {
    let mut known = site.content_paths();
    known.extend(theme.statics.keys().cloned());
    known
}

/// Renders all Markdown bodies; broken links are errors, images without alt text warnings.
pub fn bodies(site: &Site, known: &BTreeSet<String>) -> (Bodies, Vec<Diagnostic>) {
    let assets: BTreeSet<String> = site.assets.iter().map(|a| a.rel.clone()).collect();
    let unsafe_html = site.config.unsafe_html;
    fn ctx_for<'a>(
        site: &'a Site,
        src: &'a Source,
        known: &'a BTreeSet<String>,
        assets: &'a BTreeSet<String>,
    ) -> LinkContext<'a> {
        LinkContext {
            base_path: &site.config.base_path,
            source_dir: src.dir(),
            by_source: &site.by_source,
            known,
            assets,
        }
    }
    let one = |src: &Source| {
        markdown::render(&src.body, unsafe_html, &ctx_for(site, src, known, &assets))
    };
    let reports: Vec<Rendered> = site
        .reports
        .par_iter()
        .map(|r| one(&r.doc.common.src))
        .collect();
    let mut articles: Vec<Rendered> = site
        .articles
        .par_iter()
        .map(|a| one(&a.doc.common.src))
        .collect();
    let mut diags = Vec::new();
    for (a, m) in site.articles.iter().zip(articles.iter_mut()) {
        let Some(cover) = &a.doc.cover else { continue };
        match markdown::resolve_path(
            &cover.value,
            &ctx_for(site, &a.doc.common.src, known, &assets),
        ) {
            Ok(url) => m.cover = Some(url),
            Err((message, hint)) => {
                let mut d =
                    Diagnostic::error(&a.doc.common.src.shown, cover.line, cover.col, message);
                d.hint = hint;
                diags.push(d);
            }
        }
    }
    let pages: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| one(&p.doc.common.src))
        .collect();
    let units: Vec<Rendered> = site
        .units
        .par_iter()
        .map(|u| u.src.as_ref().map(one).unwrap_or_default())
        .collect();
    for (r, m) in site.reports.iter().zip(&reports) {
        findings_to_diags(&r.doc.common.src, m, &mut diags);
    }
    for (a, m) in site.articles.iter().zip(&articles) {
        findings_to_diags(&a.doc.common.src, m, &mut diags);
    }
    for (p, m) in site.pages.iter().zip(&pages) {
        findings_to_diags(&p.doc.common.src, m, &mut diags);
    }
    for (u, m) in site.units.iter().zip(&units) {
        if let Some(src) = &u.src {
            findings_to_diags(src, m, &mut diags);
        }
    }
    (
        Bodies {
            reports,
            articles,
            pages,
            units,
        },
        diags,
    )
}

/// One output file to render.
#[derive(Clone, Copy)]
enum Job {
    Index,
    Reports(usize),
    Report(usize),
    Articles(usize),
    Article(usize),
    Page(usize),
    Units,
    Unit(usize, usize),
    Tags,
    Tag(usize, usize),
    Categories,
    Category(usize, usize),
    NotFound,
    Feed,
    Sitemap,
    Robots,
    Stats,
    StatsJson,
    StatsCsv,
    Search,
}

/// Common keys of every page's context.
#[derive(Serialize)]
struct Frame<'a, P: Serialize> {
    /// The nav entry to mark as current.
    section: &'static str,
    /// `<title>` text (without the site title).
    page_title: &'a str,
    breadcrumbs: Vec<Link>,
    /// Full URL of this page.
    canonical: String,
    /// Meta description.
    description: &'a str,
    #[serde(flatten)]
    data: P,
}

#[derive(Serialize)]
struct ListData<'a> {
    items: Vec<Item<'a>>,
    paginator: Paginator,
}

/// What a build produced.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub pages: usize,
    pub files: usize,
}

struct Ctx<'a> {
    site: &'a Site,
    stats: &'a Stats,
    stats_json: &'a str,
    views: Views<'a>,
    bodies: &'a Bodies,
    tpl: &'a Templates,
    /// `0..reports` and `0..articles`, for the full listings.
    all_reports: Vec<usize>,
    all_articles: Vec<usize>,
}

impl<'a> Ctx<'a> {
    fn crumb(&self, name: &str, path: &str) -> Link {
        Link {
            name: name.to_string(),
            url: self.site.config.url(path),
        }
    }

    fn home(&self) -> Link {
        self.crumb("首页", "")
    }

    fn frame<P: Serialize>(
        &self,
        section: &'static str,
        title: &'a str,
        path: &str,
        crumbs: Vec<Link>,
        description: &'a str,
        data: P,
    ) -> Frame<'a, P> {
        Frame {
            section,
            page_title: title,
            breadcrumbs: crumbs,
            canonical: self.site.config.full_url(path),
            description,
            data,
        }
    }

    /// List page `page` of the reports `reports` followed by the articles
    /// `articles`: only the page's slice is looked at, so a listing of n
    /// items costs O(n) over all its pages, not O(n²).
    fn list(&self, base: &str, page: usize, reports: &[usize], articles: &[usize]) -> ListData<'a> {
        let per = self.site.config.paginate;
        let len = reports.len() + articles.len();
        let total = pages_for(len, per);
        let from = ((page - 1) * per).min(len);
        let to = (from + per).min(len);
        ListData {
            items: (from..to)
                .map(|k| match reports.get(k) {
                    Some(&i) => self.views.report_item(i),
                    None => self.views.article_item(articles[k - reports.len()]),
                })
                .collect(),
            paginator: Paginator::new(&self.site.config, base, page, total, len),
        }
    }

    /// Renders one job: (site path, bytes, is an HTML page).
    fn run(&self, job: Job) -> Result<(String, String, bool), Diagnostic> {
        let s = self.site;
        let v = &self.views;
        let t = self.tpl;
        let desc = s.config.description.as_str();
        Ok(match job {
            Job::Index => {
                #[derive(Serialize)]
                struct D<'a> {
                    latest_reports: Vec<Item<'a>>,
                    latest_articles: Vec<Item<'a>>,
                    units: Vec<views::UnitView<'a>>,
                    tags: Vec<views::TermView<'a>>,
                    headline: Vec<stats::MetricValue<'a>>,
                }
                let d = D {
                    headline: stats::totals(&s.config, self.stats)
                        .into_iter()
                        .filter(|m| m.value.is_some())
                        .collect(),
                    latest_reports: (0..s.reports.len().min(10))
                        .map(|i| v.report_item(i))
                        .collect(),
                    latest_articles: (0..s.articles.len().min(6))
                        .map(|i| v.article_item(i))
                        .collect(),
                    units: s
                        .units
                        .iter()
                        .zip(&self.bodies.units)
                        .map(|(u, m)| v.unit(u, &m.html))
                        .collect(),
                    tags: s.tags.iter().take(20).map(|x| v.term(x)).collect(),
                };
                (
                    String::new(),
                    t.render(
                        "index.html",
                        &self.frame("home", &s.config.title, "", vec![], desc, d),
                    )?,
                    true,
                )
            }
            Job::Reports(n) => {
                let path = views::list_page_path("reports/", n);
                let d = self.list("reports/", n, &self.all_reports, &[]);
                let f = self.frame(
                    "reports",
                    "工作总结",
                    &path,
                    vec![self.home(), self.crumb("工作总结", "reports/")],
                    desc,
                    d,
                );
                (path, t.render("reports.html", &f)?, true)
            }
            Job::Report(i) => {
                let r = &s.reports[i];
                let u = &s.units[r.unit];
                #[derive(Serialize)]
                struct D<'a> {
                    page: views::ReportView<'a>,
                }
                let page = v.report(i);
                let crumbs = vec![
                    self.home(),
                    self.crumb("工作总结", "reports/"),
                    self.crumb(&u.name, &u.path),
                ];
                let f = self.frame(
                    "reports",
                    &r.doc.common.title,
                    &r.path,
                    crumbs,
                    page.summary,
                    D { page },
                );
                (r.path.clone(), t.render("report.html", &f)?, true)
            }
            Job::Articles(n) => {
                let path = views::list_page_path("articles/", n);
                #[derive(Serialize)]
                struct D<'a> {
                    #[serde(flatten)]
                    list: ListData<'a>,
                    categories: Vec<views::TermView<'a>>,
                }
                let d = D {
                    list: self.list("articles/", n, &[], &self.all_articles),
                    categories: s.categories.iter().map(|c| v.term(c)).collect(),
                };
                let f = self.frame(
                    "articles",
                    "健康教育",
                    &path,
                    vec![self.home(), self.crumb("健康教育", "articles/")],
                    desc,
                    d,
                );
                (path, t.render("articles.html", &f)?, true)
            }
            Job::Article(i) => {
                let a = &s.articles[i];
                #[derive(Serialize)]
                struct D<'a> {
                    page: views::ArticleView<'a>,
                }
                let page = v.article(i);
                let mut crumbs = vec![self.home(), self.crumb("健康教育", "articles/")];
                if let Some(c) = a.category {
                    crumbs.push(self.crumb(&s.categories[c].name, &s.categories[c].path));
                }
                let f = self.frame(
                    "articles",
                    &a.doc.common.title,
                    &a.path,
                    crumbs,
                    page.summary,
                    D { page },
                );
                (a.path.clone(), t.render("article.html", &f)?, true)
            }
            Job::Page(i) => {
                let p = &s.pages[i];
                #[derive(Serialize)]
                struct D<'a> {
                    page: views::PageView<'a>,
                }
                let page = v.page(p, &self.bodies.pages[i]);
                let f = self.frame(
                    "pages",
                    &p.doc.common.title,
                    &p.path,
                    vec![self.home()],
                    desc,
                    D { page },
                );
                (p.path.clone(), t.render("page.html", &f)?, true)
            }
            Job::Units => {
                #[derive(Serialize)]
                struct Group<'a> {
                    kind: &'a str,
                    units: Vec<views::UnitView<'a>>,
                }
                #[derive(Serialize)]
                struct D<'a> {
                    groups: Vec<Group<'a>>,
                }
                let mut groups: Vec<Group> = Vec::new();
                for (u, m) in s.units.iter().zip(&self.bodies.units) {
                    if groups.last().is_none_or(|g| g.kind != u.kind) {
                        groups.push(Group {
                            kind: &u.kind,
                            units: Vec::new(),
                        });
                    }
                    groups
                        .last_mut()
                        .expect("pushed above")
                        .units
                        .push(v.unit(u, &m.html));
                }
                let f = self.frame(
                    "units",
                    "单位",
                    "units/",
                    vec![self.home(), self.crumb("单位", "units/")],
                    desc,
                    D { groups },
                );
                ("units/".into(), t.render("units.html", &f)?, true)
            }
            Job::Unit(ui, n) => {
                let u = &s.units[ui];
                let path = views::list_page_path(&u.path, n);
                #[derive(Serialize)]
                struct D<'a> {
                    unit: views::UnitView<'a>,
                    unit_stats: stats::UnitStats<'a>,
                    #[serde(flatten)]
                    list: ListData<'a>,
                }
                let d = D {
                    unit: v.unit(u, &self.bodies.units[ui].html),
                    unit_stats: stats::unit(s, self.stats, ui),
                    list: self.list(&u.path, n, &u.reports, &u.articles),
                };
                let crumbs = vec![
                    self.home(),
                    self.crumb("单位", "units/"),
                    self.crumb(&u.name, &u.path),
                ];
                let f = self.frame("units", &u.name, &path, crumbs, desc, d);
                (path, t.render("unit.html", &f)?, true)
            }
            Job::Tags => {
                #[derive(Serialize)]
                struct D<'a> {
                    terms: Vec<views::TermView<'a>>,
                }
                let d = D {
                    terms: s.tags.iter().map(|x| v.term(x)).collect(),
                };
                let f = self.frame(
                    "tags",
                    "标签",
                    "tags/",
                    vec![self.home(), self.crumb("标签", "tags/")],
                    desc,
                    d,
                );
                ("tags/".into(), t.render("tags.html", &f)?, true)
            }
            Job::Tag(ti, n) | Job::Category(ti, n) => {
                let is_tag = matches!(job, Job::Tag(..));
                let term = if is_tag {
                    &s.tags[ti]
                } else {
                    &s.categories[ti]
                };
                let path = views::list_page_path(&term.path, n);
                #[derive(Serialize)]
                struct D<'a> {
                    term: views::TermView<'a>,
                    #[serde(flatten)]
                    list: ListData<'a>,
                }
                let d = D {
                    term: v.term(term),
                    list: self.list(&term.path, n, &term.reports, &term.articles),
                };
                let (section, tpl, crumb) = if is_tag {
                    ("tags", "tag.html", self.crumb("标签", "tags/"))
                } else {
                    (
                        "articles",
                        "category.html",
                        self.crumb("健康教育", "articles/"),
                    )
                };
                let crumbs = vec![self.home(), crumb, self.crumb(&term.name, &term.path)];
                let f = self.frame(section, &term.name, &path, crumbs, desc, d);
                (path, t.render(tpl, &f)?, true)
            }
            Job::Categories => {
                #[derive(Serialize)]
                struct D<'a> {
                    terms: Vec<views::TermView<'a>>,
                }
                let d = D {
                    terms: s.categories.iter().map(|x| v.term(x)).collect(),
                };
                let crumbs = vec![
                    self.home(),
                    self.crumb("健康教育", "articles/"),
                    self.crumb("分类", "categories/"),
                ];
                let f = self.frame("articles", "分类", "categories/", crumbs, desc, d);
                ("categories/".into(), t.render("categories.html", &f)?, true)
            }
            Job::NotFound => {
                let f = self.frame("", "页面未找到", "404.html", vec![self.home()], desc, ());
                ("404.html".into(), t.render("404.html", &f)?, false)
            }
            Job::Feed => {
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
                let mut entries: Vec<(crate::content::Date, Entry)> = Vec::new();
                for (i, r) in s.reports.iter().enumerate().take(30) {
                    let it = v.report_item(i);
                    entries.push((
                        r.doc.date,
                        Entry {
                            title: it.title,
                            url: s.config.full_url(&r.path),
                            updated: r.doc.date.rfc3339(),
                            summary: it.summary,
                            author: &s.units[r.unit].name,
                            kind: "report",
                        },
                    ));
                }
                for (i, a) in s.articles.iter().enumerate().take(30) {
                    let it = v.article_item(i);
                    let author = a.doc.author.as_deref().unwrap_or(&s.config.title);
                    entries.push((
                        a.doc.date,
                        Entry {
                            title: it.title,
                            url: s.config.full_url(&a.path),
                            updated: a.doc.date.rfc3339(),
                            summary: it.summary,
                            author,
                            kind: "article",
                        },
                    ));
                }
                entries.sort_by_key(|e| std::cmp::Reverse(e.0.sort_key()));
                entries.truncate(30);
                let updated = entries
                    .first()
                    .map(|e| e.0.rfc3339())
                    .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into());
                let d = D {
                    feed_url: s.config.full_url("feed.xml"),
                    home_url: s.config.full_url(""),
                    updated,
                    entries: entries.into_iter().map(|e| e.1).collect(),
                };
                ("feed.xml".into(), t.render("feed.xml", &d)?, false)
            }
            Job::Sitemap => {
                #[derive(Serialize)]
                struct Entry {
                    loc: String,
                    lastmod: Option<String>,
                }
                let mut entries = vec![Entry {
                    loc: s.config.full_url(""),
                    lastmod: s.reports.first().map(|r| r.doc.date.ymd()),
                }];
                for p in ["reports/", "articles/", "units/", "tags/"] {
                    entries.push(Entry {
                        loc: s.config.full_url(p),
                        lastmod: None,
                    });
                }
                entries.extend(s.reports.iter().map(|r| Entry {
                    loc: s.config.full_url(&r.path),
                    lastmod: Some(r.doc.date.ymd()),
                }));
                entries.extend(s.articles.iter().map(|a| Entry {
                    loc: s.config.full_url(&a.path),
                    lastmod: Some(a.doc.date.ymd()),
                }));
                entries.extend(s.pages.iter().map(|p| Entry {
                    loc: s.config.full_url(&p.path),
                    lastmod: None,
                }));
                entries.extend(s.units.iter().map(|u| Entry {
                    loc: s.config.full_url(&u.path),
                    lastmod: u.reports.first().map(|&r| s.reports[r].doc.date.ymd()),
                }));
                entries.extend(s.tags.iter().map(|x| Entry {
                    loc: s.config.full_url(&x.path),
                    lastmod: None,
                }));
                entries.extend(s.categories.iter().map(|x| Entry {
                    loc: s.config.full_url(&x.path),
                    lastmod: None,
                }));
                #[derive(Serialize)]
                struct D {
                    entries: Vec<Entry>,
                }
                (
                    "sitemap.xml".into(),
                    t.render("sitemap.xml", &D { entries })?,
                    false,
                )
            }
            Job::Stats => {
                #[derive(Serialize)]
                struct D<'a> {
                    stats: stats::StatsPage<'a>,
                }
                let d = D {
                    stats: stats::page(s, self.stats),
                };
                let f = self.frame(
                    "stats",
                    "统计",
                    "stats/",
                    vec![self.home(), self.crumb("统计", "stats/")],
                    desc,
                    d,
                );
                ("stats/".into(), t.render("stats.html", &f)?, true)
            }
            Job::StatsJson => (
                "stats/stats.json".into(),
                self.stats_json.to_string(),
                false,
            ),
            Job::StatsCsv => ("stats/stats.csv".into(), stats::csv(self.stats), false),
            Job::Search => {
                let f = self.frame(
                    "search",
                    "搜索",
                    "search/",
                    vec![self.home(), self.crumb("搜索", "search/")],
                    desc,
                    (),
                );
                ("search/".into(), t.render("search.html", &f)?, true)
            }
            Job::Robots => {
                #[derive(Serialize)]
                struct D {
                    sitemap_url: String,
                }
                (
                    "robots.txt".into(),
                    t.render(
                        "robots.txt",
                        &D {
                            sitemap_url: s.config.full_url("sitemap.xml"),
                        },
                    )?,
                    false,
                )
            }
        })
    }
}

fn jobs(site: &Site) -> Vec<Job> {
    let per = site.config.paginate;
    let mut jobs = vec![
        Job::Index,
        Job::Units,
        Job::Tags,
        Job::Categories,
        Job::NotFound,
        Job::Sitemap,
        Job::Robots,
        Job::Stats,
        Job::StatsJson,
        Job::StatsCsv,
    ];
    if site.config.feed {
        jobs.push(Job::Feed);
    }
    if site.config.search {
        jobs.push(Job::Search);
    }
    jobs.extend((1..=pages_for(site.reports.len(), per)).map(Job::Reports));
    jobs.extend((1..=pages_for(site.articles.len(), per)).map(Job::Articles));
    jobs.extend((0..site.reports.len()).map(Job::Report));
    jobs.extend((0..site.articles.len()).map(Job::Article));
    jobs.extend((0..site.pages.len()).map(Job::Page));
    for (i, u) in site.units.iter().enumerate() {
        jobs.extend(
            (1..=pages_for(u.reports.len() + u.articles.len(), per)).map(|n| Job::Unit(i, n)),
        );
    }
    for (i, t) in site.tags.iter().enumerate() {
        jobs.extend(
            (1..=pages_for(t.reports.len() + t.articles.len(), per)).map(|n| Job::Tag(i, n)),
        );
    }
    for (i, c) in site.categories.iter().enumerate() {
        jobs.extend((1..=pages_for(c.articles.len(), per)).map(|n| Job::Category(i, n)));
    }
    jobs
}

/// Writes the search index files (docs, postings shards, text chunks)
/// through `sink`, in parallel; returns how many were written. Done before
/// the pages, so the index and the plain texts can be dropped first.
pub fn write_search(idx: &search::Index, sink: &dyn Sink) -> Result<usize, Vec<Diagnostic>> {
    let shards = idx.shard_count();
    let total = 1 + shards + idx.chunk_count();
    let errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    (0..total).into_par_iter().for_each(|n| {
        let (path, json) = match n {
            0 => ("search/docs.json".to_string(), idx.docs_json()),
            n if n <= shards => idx.shard_json(n - 1),
            n => idx.text_json(n - 1 - shards),
        };
        if let Err(e) = sink.write(&path, json.as_bytes()) {
            let mut errs = errors.lock().unwrap_or_else(|p| p.into_inner());
            errs.push(Diagnostic::error(
                &e.path,
                0,
                0,
                text!("cannot write: {}", e.source; "无法写入：{}", e.source),
            ));
        }
    });
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if errors.is_empty() {
        Ok(total)
    } else {
        Err(errors)
    }
}

/// Renders every page and copies static files and assets through `sink`.
/// `search_files`: the number of search index files already written by
/// [`write_search`] (counted in [`Written::files`]).
pub fn write_site(
    site: &Site,
    stats: &Stats,
    bodies: &Bodies,
    search_files: usize,
    theme: ThemeFiles,
    sink: &dyn Sink,
    progress: Option<&crate::ProgressFn>,
) -> Result<Written, Vec<Diagnostic>> {
    let site_view = SiteView::new(site);
    let statics: BTreeMap<String, StaticSrc> = theme.statics;
    let stats_json = stats::json(site, stats);
    let stats_value: serde_json::Value = serde_json::from_str(&stats_json).unwrap_or_default();
    let tpl = Templates::new(theme.templates, &site_view, stats_value)?;
    let ctx = Ctx {
        site,
        stats,
        stats_json: &stats_json,
        views: Views {
            site,
            report_md: &bodies.reports,
            article_md: &bodies.articles,
        },
        bodies,
        tpl: &tpl,
        all_reports: (0..site.reports.len()).collect(),
        all_articles: (0..site.articles.len()).collect(),
    };
    let errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let fail = |d: Diagnostic| {
        let mut e = errors.lock().unwrap_or_else(|p| p.into_inner());
        // The same template error on every page is one problem.
        if !e.iter().any(|x| x.path == d.path && x.message == d.message) {
            e.push(d);
        }
    };
    let io_fail = |e: crate::fs::FsError| {
        fail(Diagnostic::error(
            &e.path,
            0,
            0,
            text!("cannot write: {}", e.source; "无法写入：{}", e.source),
        ));
    };
    let jobs = jobs(site);
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let pages: usize = jobs
        .into_par_iter()
        .inspect(|_| {
            if let Some(p) = progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n % 64 == 0 || n == total {
                    p(n, total);
                }
            }
        })
        .map(|job| match ctx.run(job) {
            Ok((path, html, is_page)) => match sink.write(&path, html.as_bytes()) {
                Ok(()) => usize::from(is_page),
                Err(e) => {
                    io_fail(e);
                    0
                }
            },
            Err(d) => {
                fail(d);
                0
            }
        })
        .sum();
    let copies: Vec<(String, StaticSrc)> = statics
        .into_iter()
        .chain(
            site.assets
                .iter()
                .map(|a| (a.rel.clone(), StaticSrc::Disk(a.path.clone()))),
        )
        .collect();
    let copied = copies.len();
    copies.into_par_iter().for_each(|(rel, src)| {
        if let Err(e) = src.bytes().and_then(|b| sink.write(&rel, &b)) {
            io_fail(e);
        }
    });
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if errors.is_empty() {
        let files = total + copied + search_files;
        Ok(Written { pages, files })
    } else {
        Err(errors)
    }
}
