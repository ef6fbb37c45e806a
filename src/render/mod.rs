//! Rendering: Markdown bodies to HTML (in parallel), then every output file
//! from the theme's templates (in parallel, one job per file: `pages`),
//! written through a [`Sink`]. Reads the model only; shared data is
//! serialized once per build.

pub mod charts;
mod feeds;
pub mod markdown;
mod pages;
pub mod search;
pub mod stats;
pub mod templates;
pub mod views;

use crate::content::Source;
use crate::diagnostics::Diagnostic;
use crate::output::Sink;
use crate::site::stats::Stats;
use crate::site::Site;
use crate::text;
use crate::theme::{StaticSrc, ThemeFiles};
use markdown::{LinkContext, Rendered};
use pages::{jobs, json_hash, CacheRun, Ctx, Out};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use templates::Templates;
use views::{SiteView, Views};

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

/// A hash of everything a body's rendering depends on besides its own
/// text: the site paths links resolve against, assets, base path, options.
pub fn link_context_hash(site: &Site, known: &BTreeSet<String>, assets: &BTreeSet<String>) -> u64 {
    // The texts end to end, hashed at once: the same value as feeding
    // them to the streaming hasher one by one, at a fraction of the cost.
    let mut sources: Vec<(&String, &String)> = site.by_source.iter().collect();
    sources.sort_unstable();
    let texts = [
        site.config.base_path.as_str(),
        if site.config.unsafe_html { "1" } else { "0" },
    ];
    let all = || {
        texts
            .into_iter()
            .chain(known.iter().chain(assets).map(String::as_str))
            .chain(sources.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
    };
    let mut buf = Vec::with_capacity(all().map(|s| s.len() + 1).sum());
    for s in all() {
        buf.extend_from_slice(s.as_bytes());
        buf.push(0xff);
    }
    xxhash_rust::xxh3::xxh3_64(&buf)
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
    let links = link_context_hash(site, known, &assets);
    let one = |src: &Source| {
        let mut m = markdown::render(&src.body, unsafe_html, &ctx_for(site, src, known, &assets));
        m.key = xxhash_rust::xxh3::xxh3_64_with_seed(&src.hash.to_le_bytes(), links);
        m
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

/// Rendered outputs kept between builds (by `serve`): a page whose
/// template inputs hash the same as in the previous build is not rendered
/// again. Correct by construction: the hash covers everything a template
/// can see (its sources, the `site` global, `stats()`, the page context).
#[derive(Default)]
pub struct RenderCache {
    outputs: HashMap<u64, Arc<[u8]>>,
    /// Template renders in the last build: (rendered, reused).
    pub last: (usize, usize),
}

/// What a build produced.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub pages: usize,
    pub files: usize,
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

/// Where and how rendered files go.
pub struct Target<'a> {
    pub sink: &'a dyn Sink,
    /// Progress reports (files rendered, files to render).
    pub progress: Option<&'a crate::ProgressFn>,
    /// Outputs of the previous build to reuse (see [`RenderCache`]).
    pub cache: Option<&'a mut RenderCache>,
}

/// Renders every page and copies static files and assets through the
/// target's sink. `search_files`: the number of search index files already
/// written by [`write_search`] (counted in [`Written::files`]).
pub fn write_site(
    site: &Site,
    stats: &Stats,
    bodies: &Bodies,
    search_files: usize,
    theme: ThemeFiles,
    target: Target,
) -> Result<Written, Vec<Diagnostic>> {
    let Target {
        sink,
        progress,
        mut cache,
    } = target;
    let site_view = SiteView::new(site);
    let statics: BTreeMap<String, StaticSrc> = theme.statics;
    let stats_value = stats::json(site, stats);
    let stats_json = serde_json::to_string_pretty(&stats_value).unwrap_or_default();
    let run = cache.as_deref_mut().and_then(|c| {
        let sources: Vec<(&String, &str)> = theme
            .templates
            .iter()
            .map(|(n, s)| (n, s.text.as_str()))
            .collect();
        let global = json_hash(0, &(sources, &site_view, &stats_json))?;
        Some(CacheRun {
            global,
            prev: std::mem::take(&mut c.outputs),
            next: Mutex::default(),
            rendered: Default::default(),
            reused: Default::default(),
        })
    });
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
        cache: run.as_ref(),
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
            Ok((path, out, is_page)) => match match out {
                Out::Text(s) => sink.write(&path, s.as_bytes()),
                Out::Shared(b) => sink.write_shared(&path, b),
            } {
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
    if let (Some(c), Some(run)) = (cache, run) {
        c.last = (
            run.rendered.load(Ordering::Relaxed),
            run.reused.load(Ordering::Relaxed),
        );
        // A failed build keeps the outputs of the last good one.
        c.outputs = if errors.is_empty() {
            run.next.into_inner().unwrap_or_else(|p| p.into_inner())
        } else {
            run.prev
        };
    }
    if errors.is_empty() {
        let files = total + copied + search_files;
        Ok(Written { pages, files })
    } else {
        Err(errors)
    }
}
