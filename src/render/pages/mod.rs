//! Which files a build renders (one [`Job`] per output file) and the
//! context each template receives: the page frame (section, title,
//! breadcrumbs, canonical URL) plus that page's views.
//!
//! Every kind of file is one [`Kind`] in [`KINDS`], declared in the file of
//! its family (`home`, `lists`, `documents`, `units`, `terms`, `stats`,
//! `feeds`, `misc`): its template, its output paths, the top-level names it
//! reserves, its context and what of the model that context reads (the
//! signature `serve` reuses a page by, see [`reuse`]). The site paths the
//! build produces (for link checking) are the jobs' paths.

mod documents;
mod feeds;
mod home;
mod lists;
mod misc;
pub(super) mod reuse;
mod stats;
mod terms;
mod units;

use super::search::DocRef;
use super::templates::{Shared, Templates};
use super::views::{Link, Paginator, Views};
use super::Bodies;
use crate::diagnostics::Diagnostic;
use crate::output::Blob;
use crate::site::paths::pages_for;
use crate::site::stats::Stats;
use crate::site::Site;
use reuse::{json_hash, CacheRun, Sig, Versions};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Every kind of output file, one line each. A job's kind is its index
/// here; the order is the order jobs are listed in.
pub(super) static KINDS: &[&Kind] = &[
    &home::HOME,
    &units::UNITS,
    &terms::TAGS,
    &terms::CATEGORIES,
    &misc::NOT_FOUND,
    &feeds::SITEMAP,
    &misc::ROBOTS,
    &stats::STATS,
    &stats::STATS_JSON,
    &stats::STATS_CSV,
    &feeds::FEED,
    &misc::SEARCH,
    &lists::REPORTS,
    &lists::ARTICLES,
    &documents::REPORT,
    &documents::ARTICLE,
    &documents::PAGE,
    &units::UNIT,
    &terms::TAG,
    &terms::CATEGORY,
];

/// Top-level names of the site that are not a page kind's: the list pages'
/// `page/`, the theme's `static/`, the home page's file and `serve`'s
/// live-reload endpoint.
const OTHER_RESERVED: &[&str] = &["page", "static", "index.html", "livereload"];

/// Top-level names generated files use; a standalone page's slug may not
/// take them.
pub fn reserved() -> Vec<&'static str> {
    let mut names: Vec<&str> = KINDS
        .iter()
        .flat_map(|k| k.reserved.iter().copied())
        .collect();
    names.extend(OTHER_RESERVED);
    names
}

/// One kind of output file (see [`KINDS`]).
pub(super) struct Kind {
    /// The template rendered; None for files made without one.
    pub(super) template: Option<&'static str>,
    /// An HTML page (counted in [`super::Written::pages`]).
    pub(super) page: bool,
    /// Top-level site path names its files take.
    pub(super) reserved: &'static [&'static str],
    /// Its jobs for a site: `(entity index, list page)` each.
    pub(super) jobs: fn(&Site) -> Vec<(usize, usize)>,
    /// The site path of a job's file.
    pub(super) path: fn(&Site, Job) -> String,
    /// Renders a job's file, given its path.
    pub(super) render: fn(&Ctx, Job, &str) -> Result<Out, Diagnostic>,
    /// Adds the versions of everything `render` reads to the job's
    /// signature; false for files always rendered afresh.
    pub(super) reads: fn(&Ctx, Job, &Versions, &mut Sig) -> bool,
}

/// One output file to render: a [`Kind`] and which of its files.
#[derive(Clone, Copy)]
pub(super) struct Job {
    /// Index into [`KINDS`].
    pub(super) kind: usize,
    /// The report, article, page, unit or term (0 for single files).
    pub(super) i: usize,
    /// The list page, from 1 (0 for files that are not lists).
    pub(super) n: usize,
}

impl Job {
    pub(super) fn kind(self) -> &'static Kind {
        KINDS[self.kind]
    }

    pub(super) fn path(self, site: &Site) -> String {
        (self.kind().path)(site, self)
    }
}

/// Every file the site renders, kind by kind.
pub(super) fn jobs(site: &Site) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (kind, k) in KINDS.iter().enumerate() {
        jobs.extend((k.jobs)(site).into_iter().map(|(i, n)| Job { kind, i, n }));
    }
    jobs
}

/// The templates of the kinds of a document's own page.
const DOCUMENT_TEMPLATES: [&str; 3] = ["report.html", "article.html", "page.html"];

fn kind_of(template: &str) -> usize {
    KINDS
        .iter()
        .position(|k| k.template == Some(template))
        .unwrap_or(usize::MAX)
}

/// The job of a report's, article's or standalone page's own page; None
/// for a unit, whose page is a list.
pub(super) fn document_job(doc: DocRef) -> Option<Job> {
    let (t, i) = match doc {
        DocRef::Report(i) => (DOCUMENT_TEMPLATES[0], i),
        DocRef::Article(i) => (DOCUMENT_TEMPLATES[1], i),
        DocRef::Page(i) => (DOCUMENT_TEMPLATES[2], i),
        DocRef::Unit(_) => return None,
    };
    Some(Job {
        kind: kind_of(t),
        i,
        n: 0,
    })
}

/// A job of [`document_job`].
pub(super) fn is_document(job: Job) -> bool {
    DOCUMENT_TEMPLATES.contains(&job.kind().template.unwrap_or_default())
}

/// The jobs of a kind made once per site.
pub(super) fn one(_: &Site) -> Vec<(usize, usize)> {
    vec![(0, 0)]
}

/// The jobs of a list of `len(i)` items for each of `count` entities.
pub(super) fn lists(
    site: &Site,
    count: usize,
    len: impl Fn(usize) -> usize,
) -> Vec<(usize, usize)> {
    let per = site.config.paginate;
    (0..count)
        .flat_map(|i| (1..=pages_for(len(i), per)).map(move |n| (i, n)))
        .collect()
}

/// A signature reading only the template and the globals.
pub(super) fn reads_nothing(_: &Ctx, _: Job, _: &Versions, _: &mut Sig) -> bool {
    true
}

/// Every site path the build renders.
pub(super) fn paths(site: &Site) -> Vec<String> {
    jobs(site).into_iter().map(|j| j.path(site)).collect()
}

/// Common keys of every page's context.
#[derive(Serialize)]
pub(super) struct Frame<'a, P: Serialize> {
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
pub(super) struct ListData {
    items: Vec<Shared>,
    paginator: Paginator,
}

/// Items `from..to` of a list of reports followed by articles.
pub(super) struct ListPage<'l> {
    pub(super) reports: &'l [usize],
    pub(super) articles: &'l [usize],
    pub(super) from: usize,
    pub(super) to: usize,
}

impl<'l> ListPage<'l> {
    /// Page `page` of the reports `reports` followed by the articles
    /// `articles`: only the page's slice is looked at, so a listing of n
    /// items costs O(n) over all its pages, not O(n²).
    pub(super) fn of(
        site: &Site,
        page: usize,
        reports: &'l [usize],
        articles: &'l [usize],
    ) -> Self {
        let per = site.config.paginate;
        let len = reports.len() + articles.len();
        let from = ((page - 1) * per).min(len);
        let to = (from + per).min(len);
        ListPage {
            reports,
            articles,
            from,
            to,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.reports.len() + self.articles.len()
    }

    /// The page's items: `Ok(report)` or `Err(article)` indices.
    pub(super) fn items(&self) -> impl Iterator<Item = Result<usize, usize>> + '_ {
        (self.from..self.to).map(|k| match self.reports.get(k) {
            Some(&i) => Ok(i),
            None => Err(self.articles[k - self.reports.len()]),
        })
    }
}

pub(super) struct Ctx<'a> {
    pub(super) site: &'a Site,
    pub(super) stats: &'a Stats,
    pub(super) stats_json: &'a crate::render::stats::StatsJson,
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
    /// Renders light bodies again (see [`Ctx::body`]).
    pub(super) refill: Option<&'a crate::render::Refill<'a>>,
}

/// A rendered file: fresh bytes, or a file to keep in the render cache.
pub(super) enum Out {
    Bytes(Vec<u8>),
    /// With the context hash it was found or made under (None: made
    /// without a template).
    Kept(Blob, Option<u64>),
    /// Bytes made without a template, already shared: kept as they are
    /// (`stats.json`, tens of megabytes at city scale, not copied again).
    Made(Arc<[u8]>),
    /// Bytes a cache run keeps, handed to the sink as they are
    /// ([`Sink::write_job_bytes`](crate::output::Sink::write_job_bytes)).
    Keep(Vec<u8>),
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Bytes(s.into_bytes())
    }
}

impl<'a> Ctx<'a> {
    /// The body of `doc` whole: a light one (`serve`) rendered again.
    pub(super) fn body(&self, doc: DocRef) -> Arc<super::markdown::Rendered> {
        let m = self.bodies.of(doc);
        match self.refill {
            Some(r) if m.light => r.get(doc).map_or_else(|| m.clone(), Arc::new),
            _ => m.clone(),
        }
    }

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
        if let Some(out) = c.prev.get(&key) {
            c.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(Out::Kept(out.clone(), Some(key)));
        }
        let out = Blob::Bytes(Arc::from(self.tpl.render(name, page)?));
        c.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(Out::Kept(out, Some(key)))
    }

    /// Renders the job's kind's template with `page`.
    pub(super) fn template<P: Serialize>(&self, job: Job, page: &P) -> Result<Out, Diagnostic> {
        self.render(job.kind().template.unwrap_or_default(), page)
    }

    pub(super) fn crumb(&self, name: &str, path: &str) -> Link {
        Link {
            name: name.to_string(),
            url: self.site.config.url(path),
        }
    }

    pub(super) fn home(&self) -> Link {
        self.crumb("首页", "")
    }

    /// The site's description, the meta description of most pages.
    pub(super) fn desc(&self) -> &'a str {
        &self.site.config.description
    }

    pub(super) fn frame<P: Serialize>(
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

    /// List page `page` under `base` (see [`ListPage::of`]).
    pub(super) fn list(
        &self,
        base: &str,
        page: usize,
        reports: &[usize],
        articles: &[usize],
    ) -> ListData {
        let l = ListPage::of(self.site, page, reports, articles);
        let total = pages_for(l.len(), self.site.config.paginate);
        ListData {
            items: l
                .items()
                .map(|it| match it {
                    Ok(i) => self.views.shared_report_item(i),
                    Err(i) => self.views.shared_article_item(i),
                })
                .collect(),
            paginator: Paginator::new(&self.site.config, base, page, total, l.len()),
        }
    }

    /// [`Ctx::run`]; with a cache and a signature `sig` (see
    /// [`Ctx::signature`]), every output is one to keep (see [`CacheRun::keep`]).
    pub(super) fn run_signed(
        &self,
        job: Job,
        sig: Option<u64>,
    ) -> Result<(String, Out, bool), Diagnostic> {
        let (path, out, is_page) = self.run(job)?;
        let out = match (out, self.cache, sig) {
            (Out::Bytes(t), Some(c), Some(_)) => {
                // Made without a template (and so not counted by `render`).
                c.rendered.fetch_add(1, Ordering::Relaxed);
                Out::Keep(t)
            }
            (Out::Made(b), Some(c), Some(_)) => {
                c.rendered.fetch_add(1, Ordering::Relaxed);
                Out::Kept(Blob::Bytes(b), None)
            }
            (out, ..) => out,
        };
        Ok((path, out, is_page))
    }

    /// Renders one job: (site path, bytes, is an HTML page).
    pub(super) fn run(&self, job: Job) -> Result<(String, Out, bool), Diagnostic> {
        let k = job.kind();
        let path = (k.path)(self.site, job);
        let out = (k.render)(self, job, &path)?;
        Ok((path, out, k.page))
    }

    /// The dependency signature of `job`: equal signatures in two builds
    /// mean equal outputs. None for jobs that are always rendered.
    pub(super) fn signature(&self, job: Job, v: &Versions) -> Option<u64> {
        let mut h = Sig::new(v.global);
        // The entity itself is known by its version (read by `reads`), not by
        // its index, which an earlier document's arrival shifts.
        h.u(v.template[job.kind]).u(job.kind as u64).u(job.n as u64);
        (job.kind().reads)(self, job, v, &mut h).then(|| h.done())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn site(fixture: &str) -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let config = crate::config::Config::load(&root, None).unwrap();
        let (content, _) = crate::content::load(&root, &config, Default::default());
        Site::build(config, content, &reserved()).0
    }

    #[test]
    fn pages_reserved_names_are_the_kinds_top_level_names() {
        let mut names = reserved();
        names.sort_unstable();
        let mut want = vec![
            "reports",
            "articles",
            "units",
            "tags",
            "categories",
            "stats",
            "search",
            "page",
            "static",
            "feed.xml",
            "sitemap.xml",
            "404.html",
            "robots.txt",
            "index.html",
            "livereload",
        ];
        want.sort_unstable();
        assert_eq!(names, want);
    }

    /// Every file a kind writes lies under a reserved name, or is a
    /// document's, unit's or term's own (list) path: a new kind cannot
    /// take a standalone page's URL without reserving it.
    #[test]
    fn pages_every_output_path_is_reserved_or_the_models() {
        for fixture in [".", "tests/fixtures/basic", "tests/fixtures/search-site"] {
            let s = site(fixture);
            let reserved = reserved();
            let own: BTreeSet<&str> = s
                .units
                .iter()
                .map(|u| u.path.as_str())
                .chain(s.tags.iter().chain(&s.categories).map(|t| t.path.as_str()))
                .chain(s.documents().map(|d| d.path()))
                .chain(s.pages.iter().map(|p| p.path.as_str()))
                .collect();
            let all = jobs(&s);
            assert!(all.len() > 20, "{fixture}: {} jobs", all.len());
            for job in all {
                let path = job.path(&s);
                let top = path.split('/').next().unwrap_or_default();
                let base = path.split("page/").next().unwrap_or_default();
                assert!(
                    path.is_empty() || reserved.contains(&top) || own.contains(base),
                    "{fixture}: `{path}` (kind {}) is outside its kind's names",
                    job.kind
                );
            }
        }
    }

    /// A document's own page is the job of its kind, and only those are.
    #[test]
    fn pages_document_jobs_are_the_documents_kinds() {
        let s = site(".");
        let docs = super::super::search::order(&s);
        let mine: BTreeSet<String> = docs
            .iter()
            .filter_map(|&d| document_job(d))
            .map(|j| j.path(&s))
            .collect();
        let all: BTreeSet<String> = jobs(&s)
            .into_iter()
            .filter(|&j| is_document(j))
            .map(|j| j.path(&s))
            .collect();
        assert_eq!(
            mine.len(),
            s.reports.len() + s.articles.len() + s.pages.len()
        );
        assert_eq!(mine, all);
    }

    /// Each job is one file: no two jobs write the same path.
    #[test]
    fn pages_job_paths_are_distinct() {
        let s = site(".");
        let paths = paths(&s);
        let distinct: BTreeSet<&String> = paths.iter().collect();
        assert_eq!(distinct.len(), paths.len());
    }
}
