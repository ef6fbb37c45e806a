//! Which files a build renders (one [`Job`] per output file) and the
//! context each template receives: the page frame (section, title,
//! breadcrumbs, canonical URL) plus that page's views.

use super::stats;
use super::templates::{Shared, Templates};
use super::views::{self, Link, Paginator, Views};
use super::{feeds, Bodies};
use crate::diagnostics::Diagnostic;
use crate::hash::HashedMap;
use crate::site::stats::Stats;
use crate::site::{pages_for, Site};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One output file to render.
#[derive(Clone, Copy)]
pub(super) enum Job {
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
struct ListData {
    items: Vec<Shared>,
    paginator: Paginator,
}

pub(super) struct Ctx<'a> {
    pub(super) site: &'a Site,
    pub(super) stats: &'a Stats,
    pub(super) stats_json: &'a str,
    pub(super) views: Views<'a>,
    pub(super) bodies: &'a Bodies,
    pub(super) tpl: &'a Templates,
    /// `0..reports` and `0..articles`, for the full listings.
    pub(super) all_reports: Vec<usize>,
    pub(super) all_articles: Vec<usize>,
    /// Outputs of the previous build, for [`Ctx::render`] to reuse.
    pub(super) cache: Option<&'a CacheRun>,
    /// Each unit's figures and charts, made once for all its list pages.
    pub(super) unit_stats: Vec<std::sync::OnceLock<Shared>>,
}

/// A rendered file: fresh bytes, or bytes shared with the render cache.
pub(super) enum Out {
    Bytes(Vec<u8>),
    /// With the context hash it was found or stored under.
    Shared(Arc<[u8]>, u64),
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Bytes(s.into_bytes())
    }
}

/// `io::Write` into a hasher: hashes a context as it is serialized,
/// without building the JSON text.
struct HashWriter(xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hash of `value` serialized as JSON, seeded with `seed`.
pub(super) fn json_hash<T: Serialize + ?Sized>(seed: u64, value: &T) -> Option<u64> {
    let mut h = HashWriter(xxhash_rust::xxh3::Xxh3::with_seed(seed));
    serde_json::to_writer(&mut h, value).ok()?;
    Some(h.0.digest())
}

/// A file rendered in an earlier build: site path, bytes, is an HTML page,
/// context hash (see [`CacheRun::prev`]).
pub(super) type Signed = (String, Arc<[u8]>, bool, Option<u64>);

/// One build's use of a [`super::RenderCache`]: the previous build's
/// outputs by input hash, and this build's, filled as jobs run.
pub(super) struct CacheRun {
    /// Versions of this build's entities, for job signatures.
    pub(super) versions: Versions,
    /// This build's outputs by job signature ([`Ctx::signature`]); the
    /// previous build's are looked up before any context is built.
    pub(super) next_signed: Mutex<HashedMap<Signed>>,
    /// Hash of everything every template sees: template sources, the
    /// `site` global, `stats()`.
    pub(super) global: u64,
    pub(super) prev: HashedMap<Arc<[u8]>>,
    pub(super) next: Mutex<HashedMap<Arc<[u8]>>>,
    pub(super) rendered: AtomicUsize,
    pub(super) reused: AtomicUsize,
}

impl<'a> Ctx<'a> {
    /// Renders template `name` with `page`; with a cache, an output whose
    /// inputs (template sources, globals, template name, page context)
    /// hash the same as one of the previous build is reused as is.
    pub(super) fn render<P: Serialize>(&self, name: &str, page: &P) -> Result<Out, Diagnostic> {
        let Some(c) = self.cache else {
            return self.tpl.render(name, page).map(Out::Bytes);
        };
        let Some(key) = json_hash(c.global, &(name, page)) else {
            return self.tpl.render(name, page).map(Out::Bytes);
        };
        let lock = |m: &'a Mutex<HashedMap<Arc<[u8]>>>| m.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(out) = c.prev.get(&key) {
            c.reused.fetch_add(1, Ordering::Relaxed);
            lock(&c.next).insert(key, out.clone());
            return Ok(Out::Shared(out.clone(), key));
        }
        let out: Arc<[u8]> = Arc::from(self.tpl.render(name, page)?);
        c.rendered.fetch_add(1, Ordering::Relaxed);
        lock(&c.next).insert(key, out.clone());
        Ok(Out::Shared(out, key))
    }

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
    fn list(&self, base: &str, page: usize, reports: &[usize], articles: &[usize]) -> ListData {
        let per = self.site.config.paginate;
        let len = reports.len() + articles.len();
        let total = pages_for(len, per);
        let from = ((page - 1) * per).min(len);
        let to = (from + per).min(len);
        ListData {
            items: (from..to)
                .map(|k| match reports.get(k) {
                    Some(&i) => self.views.shared_report_item(i),
                    None => self.views.shared_article_item(articles[k - reports.len()]),
                })
                .collect(),
            paginator: Paginator::new(&self.site.config, base, page, total, len),
        }
    }

    /// [`Ctx::run`], keeping the output under its signature `sig` (see
    /// [`Ctx::signature`]) for the next build.
    pub(super) fn run_signed(
        &self,
        job: Job,
        sig: Option<u64>,
    ) -> Result<(String, Out, bool), Diagnostic> {
        let (Some(c), Some(sig)) = (self.cache, sig) else {
            return self.run(job);
        };
        let (path, out, is_page) = self.run(job)?;
        let (bytes, key): (Arc<[u8]>, Option<u64>) = match out {
            Out::Bytes(t) => {
                // Made without a template (and so not counted by `render`).
                c.rendered.fetch_add(1, Ordering::Relaxed);
                (Arc::from(t), None)
            }
            Out::Shared(b, k) => (b, Some(k)),
        };
        c.next_signed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(sig, (path.clone(), bytes.clone(), is_page, key));
        Ok((path, Out::Shared(bytes, key.unwrap_or(0)), is_page))
    }

    /// Renders one job: (site path, bytes, is an HTML page).
    pub(super) fn run(&self, job: Job) -> Result<(String, Out, bool), Diagnostic> {
        let s = self.site;
        let v = &self.views;
        let t = self;
        let desc = s.config.description.as_str();
        Ok(match job {
            Job::Index => {
                #[derive(Serialize)]
                struct D<'a> {
                    latest_reports: Vec<Shared>,
                    latest_articles: Vec<Shared>,
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
                        .map(|i| v.shared_report_item(i))
                        .collect(),
                    latest_articles: (0..s.articles.len().min(6))
                        .map(|i| v.shared_article_item(i))
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
                    list: ListData,
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
                    unit_stats: Shared,
                    #[serde(flatten)]
                    list: ListData,
                }
                let d = D {
                    unit: v.unit(u, &self.bodies.units[ui].html),
                    unit_stats: self.unit_stats[ui]
                        .get_or_init(|| Shared::of(&stats::unit(s, self.stats, ui)))
                        .clone(),
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
                    list: ListData,
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
            Job::Feed => feeds::feed(self)?,
            Job::Sitemap => feeds::sitemap(self)?,
            Job::Stats => {
                #[derive(Serialize)]
                struct D<'a> {
                    stats: stats::StatsPage<'a>,
                    reporting: Option<super::status::StatusView<'a>>,
                }
                let d = D {
                    stats: stats::page(s, self.stats),
                    reporting: super::status::stats_section(s),
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
                self.stats_json.to_string().into(),
                false,
            ),
            Job::StatsCsv => (
                "stats/stats.csv".into(),
                stats::csv(self.stats).into(),
                false,
            ),
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

pub(super) fn jobs(site: &Site) -> Vec<Job> {
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

/// The templates jobs render, by name (see [`template_of`]).
const PAGE_TEMPLATES: [&str; 18] = [
    "index.html",
    "reports.html",
    "report.html",
    "articles.html",
    "article.html",
    "page.html",
    "units.html",
    "unit.html",
    "tags.html",
    "tag.html",
    "categories.html",
    "category.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "stats.html",
    "search.html",
];

/// The template `job` renders, as an index into [`PAGE_TEMPLATES`]
/// (`PAGE_TEMPLATES.len()` for files made without one).
fn template_of(job: Job) -> usize {
    match job {
        Job::Index => 0,
        Job::Reports(_) => 1,
        Job::Report(_) => 2,
        Job::Articles(_) => 3,
        Job::Article(_) => 4,
        Job::Page(_) => 5,
        Job::Units => 6,
        Job::Unit(..) => 7,
        Job::Tags => 8,
        Job::Tag(..) => 9,
        Job::Categories => 10,
        Job::Category(..) => 11,
        Job::NotFound => 12,
        Job::Feed => 13,
        Job::Sitemap => 14,
        Job::Robots => 15,
        Job::Stats => 16,
        Job::Search => 17,
        Job::StatsJson | Job::StatsCsv => PAGE_TEMPLATES.len(),
    }
}

/// A running xxh3 over the pieces of a dependency signature.
struct Sig(xxhash_rust::xxh3::Xxh3);

impl Sig {
    fn new(seed: u64) -> Sig {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&seed.to_le_bytes());
        Sig(h)
    }
    fn u(&mut self, x: u64) -> &mut Sig {
        self.0.update(&x.to_le_bytes());
        self
    }
    fn s(&mut self, x: &str) -> &mut Sig {
        self.u(x.len() as u64);
        self.0.update(x.as_bytes());
        self
    }
    fn all(&mut self, xs: &[u64]) -> &mut Sig {
        self.u(xs.len() as u64);
        xs.iter().for_each(|&x| {
            self.u(x);
        });
        self
    }
    fn done(&self) -> u64 {
        self.0.digest()
    }
}

/// Versions of the model's entities in one build: a u64 per report,
/// article, page, unit and term that changes whenever anything a template
/// could show of it changes (its source file through [`Rendered::key`],
/// its path, its unit, the term table). A job's signature combines the
/// versions of exactly what its context reads (see [`Ctx::run`]), so `serve`
/// can reuse a page whose signature is unchanged without building its
/// context at all.
///
/// [`Rendered::key`]: super::markdown::Rendered::key
pub(super) struct Versions {
    /// Templates, the `site` global, configuration (and `stats()` when a
    /// template calls it).
    global: u64,
    /// The aggregated figures.
    stats: u64,
    /// Per [`PAGE_TEMPLATES`] entry: its source and all it may reach.
    template: Vec<u64>,
    reports: Vec<u64>,
    articles: Vec<u64>,
    /// A report or article as a list item, feed entry, neighbour link or
    /// sitemap entry: title, path, date, summary, period, tags, unit,
    /// category, author — not its body.
    report_items: Vec<u64>,
    article_items: Vec<u64>,
    pages: Vec<u64>,
    /// A unit as a card: link, introduction, counts, latest date.
    units: Vec<u64>,
    tags: Vec<u64>,
    categories: Vec<u64>,
}

impl Versions {
    /// `global` covers the template sources and the `site` global;
    /// `stats_fn`: some template calls `stats()`.
    pub(super) fn new(
        site: &Site,
        bodies: &Bodies,
        global: u64,
        templates: &[(&String, &str)],
        stats_json: &str,
        stats_fn: bool,
    ) -> Versions {
        // The 报送情况 section, when shown, depends on reports and the day.
        let stats =
            xxhash_rust::xxh3::xxh3_64(stats_json.as_bytes()) ^ super::status::section_hash(site);
        // A page template's output depends on its own source and on every
        // template it may reach: those no job renders directly (base.html,
        // components) and any page template named in another's source.
        let shared = |name: &str| {
            !PAGE_TEMPLATES.contains(&name)
                || templates
                    .iter()
                    .any(|(n, src)| n.as_str() != name && src.contains(&format!("\"{name}\"")))
        };
        let mut common = Sig::new(4);
        for (name, src) in templates.iter().filter(|(n, _)| shared(n)) {
            common.s(name).s(src);
        }
        let common = common.done();
        let template = PAGE_TEMPLATES
            .iter()
            .map(|&name| {
                let src = templates.iter().find(|(n, _)| n.as_str() == name);
                let mut h = Sig::new(common);
                h.s(name).s(src.map_or("\u{0}", |(_, s)| s));
                h.done()
            })
            .collect();
        let mut g = Sig::new(global);
        g.s(&format!("{:?}", site.config));
        if stats_fn {
            g.u(stats);
        }
        let global = g.done();
        // A unit as a link (id, name, kind, path…).
        let unit_links: Vec<u64> = site
            .units
            .iter()
            .map(|u| {
                let mut h = Sig::new(1);
                h.s(&u.id).s(&u.name).s(&u.kind).s(&u.path);
                h.s(u.parent.as_deref().unwrap_or("\u{0}"));
                u.aliases.iter().for_each(|a| {
                    h.s(a);
                });
                h.s(&u.extra.to_string());
                h.done()
            })
            .collect();
        let units = site
            .units
            .iter()
            .zip(&unit_links)
            .zip(&bodies.units)
            .map(|((u, &l), m)| {
                let mut h = Sig::new(l);
                h.u(m.key)
                    .s(&m.html)
                    .u(u.reports.len() as u64)
                    .u(u.articles.len() as u64);
                if let Some(&r) = u.reports.first() {
                    h.s(&site.reports[r].doc.date.ymd());
                }
                h.done()
            })
            .collect();
        let term = |t: &crate::site::Term| {
            Sig::new(2)
                .s(&t.name)
                .s(&t.slug)
                .s(&t.path)
                .u(t.reports.len() as u64)
                .u(t.articles.len() as u64)
                .done()
        };
        // Items show their tags and category as links: every term's name
        // and path (not their counts) is part of each document's version.
        let mut table = Sig::new(3);
        for t in site.tags.iter().chain(&site.categories) {
            table.s(&t.name).s(&t.path);
        }
        let table = table.done();
        let doc = |key: u64, path: &str, unit: Option<usize>| {
            let mut h = Sig::new(table);
            h.u(key).s(path);
            h.u(unit.map_or(0, |u| unit_links[u])).done()
        };
        let item = |d: &crate::content::Common,
                    path: &str,
                    date: &crate::content::Date,
                    summary: &str,
                    tags: &[String],
                    unit: Option<usize>,
                    more: &[&str]| {
            let mut h = Sig::new(table);
            h.s(&d.title).s(path).s(&date.rfc3339()).s(summary);
            h.u(unit.map_or(0, |u| unit_links[u]));
            h.u(u64::from(d.draft));
            for t in tags.iter().map(String::as_str).chain(more.iter().copied()) {
                h.s(t);
            }
            h.done()
        };
        let report_items = site
            .reports
            .par_iter()
            .zip(&bodies.reports)
            .map(|(r, m)| {
                let d = &r.doc;
                let summary = d.summary.as_deref().unwrap_or(&m.summary);
                let period = d.period.to_string();
                item(
                    &d.common,
                    &r.path,
                    &d.date,
                    summary,
                    &d.tags,
                    Some(r.unit),
                    &[&period],
                )
            })
            .collect();
        let article_items = site
            .articles
            .par_iter()
            .zip(&bodies.articles)
            .map(|(a, m)| {
                let d = &a.doc;
                let summary = d.summary.as_deref().unwrap_or(&m.summary);
                let more = [
                    "\u{0}",
                    d.category.as_deref().unwrap_or("\u{0}"),
                    d.author.as_deref().unwrap_or("\u{0}"),
                ];
                item(&d.common, &a.path, &d.date, summary, &d.tags, a.unit, &more)
            })
            .collect();
        Versions {
            global,
            stats,
            template,
            report_items,
            article_items,
            reports: site
                .reports
                .iter()
                .zip(&bodies.reports)
                .map(|(r, m)| doc(m.key, &r.path, Some(r.unit)))
                .collect(),
            articles: site
                .articles
                .iter()
                .zip(&bodies.articles)
                .map(|(a, m)| doc(m.key, &a.path, a.unit))
                .collect(),
            pages: site
                .pages
                .iter()
                .zip(&bodies.pages)
                .map(|(p, m)| doc(m.key, &p.path, None))
                .collect(),
            tags: site.tags.iter().map(term).collect(),
            categories: site.categories.iter().map(term).collect(),
            units,
        }
    }
}

impl Ctx<'_> {
    /// The versions of the items on list page `page` of `reports` then
    /// `articles`, with the list's length (the paginator).
    fn list_sig(
        &self,
        v: &Versions,
        h: &mut Sig,
        page: usize,
        reports: &[usize],
        articles: &[usize],
    ) {
        let per = self.site.config.paginate;
        let len = reports.len() + articles.len();
        let from = ((page - 1) * per).min(len);
        let to = (from + per).min(len);
        h.u(len as u64);
        for k in from..to {
            h.u(match reports.get(k) {
                Some(&i) => v.report_items[i],
                None => v.article_items[articles[k - reports.len()]],
            });
        }
    }

    /// The dependency signature of `job`: equal signatures in two builds
    /// mean equal outputs. None for jobs that are always rendered.
    pub(super) fn signature(&self, job: Job, v: &Versions) -> Option<u64> {
        let s = self.site;
        let mut h = Sig::new(v.global);
        h.u(v.template.get(template_of(job)).copied().unwrap_or(0));
        match job {
            Job::Index => {
                h.u(1).u(v.stats);
                h.all(&v.report_items[..s.reports.len().min(10)]);
                h.all(&v.article_items[..s.articles.len().min(6)]);
                h.all(&v.units);
                h.all(&v.tags[..s.tags.len().min(20)]);
            }
            Job::Reports(n) => {
                h.u(2).u(n as u64);
                self.list_sig(v, &mut h, n, &self.all_reports, &[]);
            }
            Job::Report(i) => {
                h.u(3).u(v.reports[i]);
                let u = &s.units[s.reports[i].unit];
                let pos = u.reports.iter().position(|&x| x == i);
                let earlier = pos.and_then(|p| u.reports.get(p + 1));
                let later = pos
                    .and_then(|p| p.checked_sub(1))
                    .and_then(|p| u.reports.get(p));
                for n in [earlier, later] {
                    h.u(n.map_or(0, |&x| v.report_items[x]));
                }
            }
            Job::Articles(n) => {
                h.u(4).u(n as u64).all(&v.categories);
                self.list_sig(v, &mut h, n, &[], &self.all_articles);
            }
            Job::Article(i) => {
                h.u(5).u(v.articles[i]);
            }
            Job::Page(i) => {
                h.u(6).u(v.pages[i]);
            }
            Job::Units => {
                h.u(7).all(&v.units);
            }
            Job::Unit(ui, n) => {
                let u = &s.units[ui];
                h.u(8).u(v.units[ui]).u(v.stats).u(n as u64);
                self.list_sig(v, &mut h, n, &u.reports, &u.articles);
            }
            Job::Tags => {
                h.u(9).all(&v.tags);
            }
            Job::Tag(ti, n) | Job::Category(ti, n) => {
                let is_tag = matches!(job, Job::Tag(..));
                let (term, tv) = if is_tag {
                    (&s.tags[ti], v.tags[ti])
                } else {
                    (&s.categories[ti], v.categories[ti])
                };
                h.u(if is_tag { 10 } else { 11 }).u(tv).u(n as u64);
                self.list_sig(v, &mut h, n, &term.reports, &term.articles);
            }
            Job::Categories => {
                h.u(12).all(&v.categories);
            }
            Job::NotFound => {
                h.u(13);
            }
            Job::Robots => {
                h.u(14);
            }
            Job::Search => {
                h.u(15);
            }
            Job::Feed => {
                h.u(16);
                h.all(&v.report_items[..s.reports.len().min(30)]);
                h.all(&v.article_items[..s.articles.len().min(30)]);
                // Without entries the feed is dated now.
                if s.reports.is_empty() && s.articles.is_empty() {
                    return None;
                }
            }
            Job::Sitemap => {
                h.u(17)
                    .all(&v.report_items)
                    .all(&v.article_items)
                    .all(&v.pages);
                h.all(&v.units).all(&v.tags).all(&v.categories);
            }
            Job::Stats => {
                h.u(18).u(v.stats);
            }
            // stats.json is the text hashed as `stats`; stats.csv holds its
            // `rows` (same fields) as CSV.
            Job::StatsJson => {
                h.u(19).u(v.stats);
            }
            Job::StatsCsv => {
                h.u(20).u(v.stats);
            }
        }
        Some(h.done())
    }
}
