//! The model: documents resolved into a lookup table — slugs and site paths,
//! units (registry or derived), tags and categories with their members,
//! newest-first orderings — checked for collisions and unknown names.
//! Nothing here renders; templates see it through `render::views`.

mod cache;
pub mod figures;
pub mod paths;
pub mod pinyin;
mod place;
mod prepare;
pub mod reporting;
pub mod slug;
mod slugs;
pub mod stats;
mod terms;
mod units;

pub use cache::ModelCache;

use crate::config::{Config, SlugMode};
use crate::content::{Article, Asset, Common, Content, Date, Held, Page, Report, Source};
use crate::diagnostics::Diagnostic;
use place::{index_members, place_articles, place_pages, place_reports, Placing};
use prepare::PreparedSet;
use std::collections::HashMap;
use std::sync::Arc;
use terms::sort_terms;
use units::{sort_units, Units};

#[derive(Debug)]
pub struct ReportEntry {
    pub doc: Arc<Report>,
    pub slug: String,
    /// Site path without base, with trailing slash: `reports/tao-le-zhen/`.
    pub path: String,
    /// Index into `Site::units`.
    pub unit: usize,
}

#[derive(Debug)]
pub struct ArticleEntry {
    pub doc: Arc<Article>,
    pub slug: String,
    pub path: String,
    pub unit: Option<usize>,
    /// Index into `Site::categories`.
    pub category: Option<usize>,
}

#[derive(Debug)]
pub struct PageEntry {
    pub doc: Arc<Page>,
    pub slug: String,
    pub path: String,
}

#[derive(Debug)]
pub struct UnitEntry {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub order: Option<u64>,
    /// The unit's own `reporting:` override.
    pub reporting: Option<crate::schedule::UnitReporting>,
    /// The registry file (its body is the introduction), if any.
    pub src: Option<Source>,
    pub extra: serde_json::Value,
    pub path: String,
    /// Report indices, newest first.
    pub reports: Vec<usize>,
    pub articles: Vec<usize>,
}

/// A tag or a category: a name with its slug and members (newest first).
#[derive(Debug)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub reports: Vec<usize>,
    pub articles: Vec<usize>,
}

/// The whole site, resolved.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first.
    pub reports: Vec<ReportEntry>,
    /// Newest first.
    pub articles: Vec<ArticleEntry>,
    pub pages: Vec<PageEntry>,
    /// Ordered by type (SPEC order), then `order`, then name.
    pub units: Vec<UnitEntry>,
    /// Most used first, then by name.
    pub tags: Vec<Term>,
    pub categories: Vec<Term>,
    pub assets: Vec<Asset>,
    /// Drafts and documents awaiting review (kept in the site or not).
    pub held: Vec<Held>,
    /// `content/`-relative Markdown path → site path (for relative links).
    pub by_source: HashMap<String, String>,
    /// Documents not in the model because of an error already reported
    /// (an unknown unit); kept so their bodies' links are checked too.
    pub unplaced: Vec<Source>,
}

/// A report or an article, for code that treats them alike. Fields are
/// read only when asked for (each document lives apart in memory).
#[derive(Debug, Clone, Copy)]
pub enum Document<'a> {
    Report(&'a ReportEntry),
    Article(&'a ArticleEntry),
}

impl<'a> Document<'a> {
    /// `report` or `article`.
    pub fn kind(self) -> &'static str {
        match self {
            Document::Report(_) => "report",
            Document::Article(_) => "article",
        }
    }

    pub fn common(self) -> &'a Common {
        match self {
            Document::Report(r) => &r.doc.common,
            Document::Article(a) => &a.doc.common,
        }
    }

    pub fn src(self) -> &'a Source {
        &self.common().src
    }

    pub fn slug(self) -> &'a str {
        match self {
            Document::Report(r) => &r.slug,
            Document::Article(a) => &a.slug,
        }
    }

    pub fn path(self) -> &'a str {
        match self {
            Document::Report(r) => &r.path,
            Document::Article(a) => &a.path,
        }
    }

    pub fn date(self) -> Date {
        match self {
            Document::Report(r) => r.doc.date,
            Document::Article(a) => a.doc.date,
        }
    }

    pub fn tags(self) -> &'a [String] {
        match self {
            Document::Report(r) => &r.doc.tags,
            Document::Article(a) => &a.doc.tags,
        }
    }

    /// Index into `Site::units` (always there for a report).
    pub fn unit(self) -> Option<usize> {
        match self {
            Document::Report(r) => Some(r.unit),
            Document::Article(a) => a.unit,
        }
    }

    /// `summary`, `author` and `source` from the front matter.
    pub fn extras(self) -> [Option<&'a str>; 3] {
        let [s, a, src] = match self {
            Document::Report(r) => [&r.doc.summary, &r.doc.author, &r.doc.source],
            Document::Article(a) => [&a.doc.summary, &a.doc.author, &a.doc.source],
        };
        [s, a, src].map(Option::as_deref)
    }
}

impl Site {
    /// Reports, then articles, each newest first.
    pub fn documents(&self) -> impl Iterator<Item = Document<'_>> + Clone + '_ {
        let reports = self.reports.iter().map(Document::Report);
        reports.chain(self.articles.iter().map(Document::Article))
    }

    /// Frees the kept Markdown texts of every source once
    /// they are rendered and checked; positions and paths stay.
    pub fn release_sources(&mut self) {
        // Documents shared with a `serve` session keep their sources.
        let srcs = self
            .reports
            .iter_mut()
            .filter_map(|r| Arc::get_mut(&mut r.doc).map(|d| &mut d.common.src))
            .chain(
                self.articles
                    .iter_mut()
                    .filter_map(|a| Arc::get_mut(&mut a.doc).map(|d| &mut d.common.src)),
            )
            .chain(
                self.pages
                    .iter_mut()
                    .filter_map(|p| Arc::get_mut(&mut p.doc).map(|d| &mut d.common.src)),
            )
            .chain(self.units.iter_mut().filter_map(|u| u.src.as_mut()));
        for src in srcs {
            src.release();
        }
    }

    /// Resolves loaded content into the model. `reserved`: the top-level
    /// names the site's own files take, which a page's slug may not
    /// (`render::reserved`).
    pub fn build(config: Config, content: Content, reserved: &[&str]) -> (Site, Vec<Diagnostic>) {
        let mode = config.slugs;
        let Content {
            reports,
            articles,
            pages,
            units: registry,
            has_registry,
            assets,
            held,
        } = content;
        let mut out = Placing::default();
        let units = Units::new(registry, has_registry, mode, &mut out.diags);
        let (mut reports, articles) = prepare::documents(reports, articles, &units.lookup, mode);
        let capacity = reports.docs.len() + articles.docs.len() + pages.len() + units.list.len();
        // The reports' `by_source` entries (most of them: hashing their
        // paths is the costliest serial step) go in while the rest is
        // placed (docs/decisions.md: it pays).
        let report_sources = reports.take_sources();
        let fill = move || {
            let mut m = HashMap::with_capacity(capacity);
            m.extend(report_sources);
            m
        };
        let place = || place(reports, articles, pages, units, reserved, mode, &mut out);
        let (mut by_source, placed) = rayon::join(fill, place);
        by_source.extend(std::mem::take(&mut out.sources));
        let site = Site {
            config,
            reports: placed.reports,
            articles: placed.articles,
            pages: placed.pages,
            units: placed.units,
            tags: placed.tags,
            categories: placed.categories,
            assets,
            held,
            by_source,
            unplaced: out.unplaced,
        };
        (site, out.diags)
    }
}

/// The model of `content` ([`Site::build`]) with every problem found
/// while making it, [`reporting::check`]'s included.
pub fn model(config: Config, content: Content, reserved: &[&str]) -> (Site, Vec<Diagnostic>) {
    let (site, mut diags) = Site::build(config, content, reserved);
    diags.extend(reporting::check(&site));
    (site, diags)
}

/// The model's lists, placed and sorted.
struct Placed {
    reports: Vec<ReportEntry>,
    articles: Vec<ArticleEntry>,
    pages: Vec<PageEntry>,
    units: Vec<UnitEntry>,
    tags: Vec<Term>,
    categories: Vec<Term>,
}

/// Every document placed (units resolved, slugs claimed), members listed,
/// units and terms sorted and pointed at.
fn place(
    reports: PreparedSet<Report>,
    articles: PreparedSet<Article>,
    pages: Vec<Arc<Page>>,
    mut units: Units,
    reserved: &[&str],
    mode: SlugMode,
    out: &mut Placing,
) -> Placed {
    let (mut report_list, report_tags) = place_reports(reports.docs, &mut units, out);
    let (mut article_list, article_tags, mut categories) =
        place_articles(articles.docs, &mut units, mode, out);
    let pages = place_pages(pages, reserved, mode, out);
    let mut units = units.list;
    index_members(
        &report_list,
        &article_list,
        &mut units,
        &mut categories,
        out,
    );
    sort_units(&mut units, &mut report_list, &mut article_list);
    let report_tags = (&report_tags[..], &reports.spellings[..]);
    let mut tags = terms::tags(report_tags, (&article_tags, &articles.spellings), mode);
    sort_terms(
        &mut tags,
        &mut categories,
        &mut article_list,
        &mut out.diags,
    );
    Placed {
        reports: report_list,
        articles: article_list,
        pages,
        units,
        tags,
        categories,
    }
}
