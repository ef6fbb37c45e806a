//! `build` and `check` in bounded memory. Documents are taken in batches
//! of [`BATCH`], in the search index's id order ([`search::order`]); per
//! batch their Markdown is rendered and its findings collected, their own
//! pages written and the search index fed (spilling to files), and then
//! their HTML, plain text and sources are dropped, keeping only what list
//! pages show of them (summary, cover). List pages, unit pages and the
//! other files are written at the end ([`Batched::finish`]). `serve`'s
//! first build is this one; the rebuild filling its caches goes through
//! [`super::bodies_cached`] instead.

use super::markdown::Rendered;
use super::pages::{document_job, is_document, jobs, Job};
use super::search::{self, DocRef};
use super::templates::Templates;
use super::views::SiteView;
use super::write::{context, Writer};
use super::{findings_to_diags, stats, Bodies, MarkdownCtx, Written};
use crate::content::{Located, Source};
use crate::diagnostics::Diagnostic;
use crate::output::Sink;
use crate::site::stats::Stats;
use crate::site::Site;
use crate::theme::{StaticSrc, ThemeFiles};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Documents per batch. Peak memory grows with it by about 12 KB a
/// document (HTML, plain text and search postings of the batch); fewer
/// than a few hundred cost time in per-batch overheads.
pub const BATCH: usize = 2000;

/// Pages per page context in the final render (lists, units, terms), and
/// in `serve`'s cached render: the list entries a context converts for
/// Tera stay until it is dropped, and 2,000 unit pages show most of the
/// site's reports (50k: +177 MB; 500: peak 484 → 349 MB, render CPU no
/// higher).
pub const LIST_BATCH: usize = 500;

/// A build rendering in batches (see the module's header).
pub struct Batched<'a> {
    writer: Writer<'a>,
    /// The compiled templates, or what is wrong with them.
    tpl: Result<Templates, Vec<Diagnostic>>,
    stats_json: stats::StatsJson,
    statics: BTreeMap<String, StaticSrc>,
    md: MarkdownCtx,
    /// Every document's body: in full for units and the current batch,
    /// only what lists show for the rest.
    bodies: Bodies,
    feed: Option<search::Feed>,
    pages: usize,
    /// An error was found: nothing more needs writing.
    failing: bool,
    /// The checks run on each file's text while it is read for rendering.
    scans: Scans,
    /// Files per page context in the final render ([`Batched::per_context`]).
    per_ctx: usize,
}

/// The checks on a source's text run while its batch is rendered, so the
/// file is read again once ([`Batched::scanning`]).
#[derive(Default)]
struct Scans {
    /// Personal data (`privacy`), under this allow list.
    privacy: Option<crate::privacy::scan::Allow>,
    /// Figures stated in a report's text (`site::figures`).
    figures: bool,
}

/// A document of a batch read, checked and rendered: its rendering (None:
/// the file could not be read again) and the checks' findings, in the order
/// the separate checks give them (personal data, figures, Markdown).
fn read_and_render(
    site: &Site,
    known: &BTreeSet<String>,
    (md, scans): (&MarkdownCtx, &Scans),
    doc: DocRef,
) -> Option<(Option<Rendered>, Vec<Diagnostic>)> {
    let (src, cover) = source(site, doc)?;
    let text = match src.texts() {
        Ok(t) => t,
        Err(d) => return Some((None, vec![d])),
    };
    let mut diags = match &scans.privacy {
        Some(allow) => crate::privacy::scan_source_text(src, &text, allow),
        None => Vec::new(),
    };
    if let (true, DocRef::Report(i)) = (scans.figures, doc) {
        let r = &site.reports[i].doc;
        let metrics = &site.config.metrics;
        diags.extend(crate::site::figures::check_report_text(
            metrics,
            r,
            text.body(),
        ));
    }
    let m = md.render_text(site, known, (src, text.body()), cover);
    findings_to_diags(src, Some(text.body()), &m, &mut diags);
    Some((Some(m), diags))
}

/// A document's source and, for an article, its cover; None for a unit
/// (rendered up front and kept).
fn source(site: &Site, doc: DocRef) -> Option<(&Source, Option<&Located<String>>)> {
    match doc {
        DocRef::Unit(_) => None,
        doc => super::doc_source(site, doc),
    }
}

/// Frees the kept Markdown texts of `docs` (rendered and checked).
fn release_sources(site: &mut Site, docs: &[DocRef]) {
    for &doc in docs {
        let src = match doc {
            DocRef::Report(i) => Arc::get_mut(&mut site.reports[i].doc).map(|d| &mut d.common.src),
            DocRef::Article(i) => {
                Arc::get_mut(&mut site.articles[i].doc).map(|d| &mut d.common.src)
            }
            DocRef::Page(i) => Arc::get_mut(&mut site.pages[i].doc).map(|d| &mut d.common.src),
            DocRef::Unit(_) => None,
        };
        if let Some(src) = src {
            src.release();
        }
    }
}

/// A folder for the search index's spill files: inside the sink's
/// scratch folder, or a fresh one in the system's temporary folder.
fn spill_dir(sink: &dyn Sink) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("jianbao-search-{}-{n}", std::process::id());
    match sink.scratch() {
        Some(dir) => dir.join(name),
        None => std::env::temp_dir().join(name),
    }
}

impl<'a> Batched<'a> {
    /// Compiles the templates and renders the units' bodies (kept for the
    /// unit and home pages) and those of documents left out of the model;
    /// their findings go to `diags`.
    pub fn new(
        site: &Site,
        known: &BTreeSet<String>,
        stats: &Stats,
        theme: ThemeFiles,
        sink: &'a dyn Sink,
        progress: Option<&'a crate::ProgressFn>,
        diags: &mut Vec<Diagnostic>,
    ) -> crate::fs::Result<Self> {
        let md = MarkdownCtx::new(site, known);
        let units: Vec<Arc<Rendered>> = site
            .units
            .par_iter()
            .map(|u| match &u.src {
                Some(s) => Arc::new(md.render(site, known, s, None)),
                None => Arc::default(),
            })
            .collect();
        for (u, m) in site.units.iter().zip(&units) {
            if let Some(src) = &u.src {
                findings_to_diags(src, None, m, diags);
            }
        }
        // Left out of the model for an error: checked, never published.
        for src in &site.unplaced {
            findings_to_diags(src, None, &md.render(site, known, src, None), diags);
        }
        let none = Arc::new(Rendered::default());
        let bodies = Bodies {
            reports: vec![none.clone(); site.reports.len()],
            articles: vec![none.clone(); site.articles.len()],
            pages: vec![none; site.pages.len()],
            units,
        };
        let stats_json = stats::StatsJson::of(site, stats);
        let feed = match site.config.search {
            true => Some(search::Feed::new(spill_dir(sink))?),
            false => None,
        };
        Ok(Batched {
            writer: Writer::new(sink, progress, jobs(site).len()),
            tpl: Templates::new(
                theme.templates,
                &SiteView::new(site),
                stats_json.text(site, stats).clone(),
            ),
            stats_json,
            statics: theme.statics,
            md,
            bodies,
            feed,
            pages: 0,
            failing: diags.iter().any(Diagnostic::is_error),
            scans: Scans::default(),
            per_ctx: LIST_BATCH,
        })
    }

    /// Checks each document's text for personal data (not the units', which
    /// [`crate::privacy::check_units_and_assets`] checks, nor attachments) and, with
    /// `figures`, each report's figures, while it is read for rendering;
    /// the findings go with the Markdown's.
    pub fn scanning(mut self, site: &Site, figures: bool) -> Self {
        self.scans = Scans {
            privacy: Some(crate::privacy::allow_list(site)),
            figures,
        };
        self
    }

    /// Renders the final pages `batch` files per page context at most
    /// (fewer than [`LIST_BATCH`] in tests: many contexts on a small site).
    pub fn per_context(mut self, batch: usize) -> Self {
        self.per_ctx = batch;
        self
    }

    /// The documents in batches of `size`, in search index order.
    pub fn batches(site: &Site, size: usize) -> Vec<Vec<DocRef>> {
        let order = search::order(site);
        order.chunks(size.max(1)).map(<[DocRef]>::to_vec).collect()
    }

    /// Renders the Markdown of `docs`, writes their pages and indexes
    /// them, then keeps only what list pages show of them; findings go to
    /// `diags`. After an error, only the findings are still gathered.
    pub fn add(
        &mut self,
        site: &mut Site,
        known: &BTreeSet<String>,
        stats: &Stats,
        docs: &[DocRef],
        diags: &mut Vec<Diagnostic>,
    ) {
        let s: &Site = site;
        let with = (&self.md, &self.scans);
        let rendered: Vec<_> = docs
            .par_iter()
            .map(|&d| read_and_render(s, known, with, d))
            .collect();
        let from = diags.len();
        for (&d, done) in docs.iter().zip(rendered) {
            let Some((m, mut found)) = done else { continue };
            diags.append(&mut found);
            if let Some(m) = m {
                *self.bodies.of_mut(d) = Arc::new(m);
            }
        }
        self.failing |= diags[from..].iter().any(Diagnostic::is_error);
        if !self.failing {
            self.write_documents(s, stats, docs);
            if let Some(feed) = &mut self.feed {
                let b = &self.bodies;
                let fed: Vec<(DocRef, &Rendered)> = docs.iter().map(|&d| (d, &**b.of(d))).collect();
                feed.add(s, &fed);
            }
        }
        for &d in docs.iter().filter(|d| !matches!(d, DocRef::Unit(_))) {
            let m = Arc::make_mut(self.bodies.of_mut(d));
            (m.html, m.plain) = (String::new(), String::new());
            (m.toc, m.attachments, m.findings) = (Vec::new(), Vec::new(), Vec::new());
        }
        release_sources(site, docs);
    }

    /// The own pages of `docs`.
    fn write_documents(&mut self, site: &Site, stats: &Stats, docs: &[DocRef]) {
        let Ok(tpl) = &self.tpl else {
            return;
        };
        let ctx = context(site, stats, &self.stats_json, &self.bodies, tpl, None);
        let jobs = docs
            .iter()
            .filter_map(|&d| document_job(d))
            .map(|j| (j, None))
            .collect();
        self.pages += self.writer.render_jobs(&ctx, jobs, None);
        crate::release::drop_aside(ctx.views.into_shared());
    }

    /// Writes the search index fed by the batches; returns how many files
    /// it has (0 when the site has no search).
    pub fn write_search(&mut self, site: &Site) -> Result<usize, Vec<Diagnostic>> {
        let Some(feed) = self.feed.take() else {
            return Ok(0);
        };
        feed.finish(site, self.writer.sink)
            .map_err(|e| vec![super::write_error(&e)])
    }

    /// Writes every other page (lists, units, terms, feeds, stats) and
    /// copies static files and assets. `search_files`: the number of
    /// search index files written (counted in [`Written::files`]).
    pub fn finish(
        self,
        site: &Site,
        stats: &Stats,
        search_files: usize,
    ) -> Result<Written, Vec<Diagnostic>> {
        let tpl = self.tpl?;
        let w = self.writer;
        let rest: Vec<Job> = jobs(site)
            .into_iter()
            .filter(|&j| !is_document(j))
            .collect();
        let ctx = || context(site, stats, &self.stats_json, &self.bodies, &tpl, None);
        let rest = rest.into_iter().map(|j| (j, None)).collect();
        let pages = self.pages + w.render_in_batches(&ctx, rest, (self.per_ctx, None));
        let copied = w.copy_files(site, self.statics, None);
        crate::release::drop_aside((tpl, self.bodies));
        let files = w.total + copied + search_files;
        if w.failed() {
            Err(w.into_errors())
        } else {
            Ok(Written { pages, files })
        }
    }
}
