//! Rendering: Markdown bodies to HTML (in parallel), then every output file
//! from the theme's templates (in parallel, one job per file: `pages`),
//! written through a [`Sink`]. Reads the model only; shared data is
//! serialized once per build.

pub mod charts;
pub mod desk;
pub mod markdown;
mod pages;
pub mod schemes;
pub mod search;
pub mod slugs;
pub mod stats;
pub mod status;
pub mod templates;
pub mod views;

use crate::content::{Located, Source};
use crate::diagnostics::{text, Diagnostic};
use crate::hash::HashedMap;
use crate::output::{Blob, Sink};
use crate::site::stats::Stats;
use crate::site::Site;
use crate::theme::{StaticSrc, ThemeFiles};
use markdown::{LinkContext, Rendered};
use pages::reuse::{json_hash, CacheRun, Signed, Versions};
use pages::{jobs, Ctx, Job, Out};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use templates::Templates;
use views::{SiteView, Views};

/// Rendered Markdown of every document, index-aligned with the model.
/// Shared, so `serve` can keep unchanged bodies between rebuilds.
pub struct Bodies {
    pub reports: Vec<Arc<Rendered>>,
    pub articles: Vec<Arc<Rendered>>,
    pub pages: Vec<Arc<Rendered>>,
    pub units: Vec<Arc<Rendered>>,
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
            // Bodies kept by a `serve` session keep their texts.
            for m in r.iter_mut().filter_map(Arc::get_mut) {
                m.plain = String::new();
            }
        }
    }
}

fn findings_to_diags(src: &Source, r: &Rendered, out: &mut Vec<Diagnostic>) {
    if r.findings.is_empty() {
        return;
    }
    let lines = crate::source::LineIndex::new(&src.body);
    for f in &r.findings {
        let (line, c) = f.at.unwrap_or_else(|| {
            let (l, c) = lines.line_col(f.offset);
            (l + src.body_line - 1, c)
        });
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
    let mut known = pages::paths(site);
    known.extend(site.assets.iter().map(|a| a.rel.clone()));
    // Gathered, sorted and deduplicated as a list, then built into the set
    // in one go (from sorted input, in linear time): inserting one by one
    // costs several times more.
    known.sort_unstable();
    known.dedup();
    let mut known: BTreeSet<String> = known.into_iter().collect();
    known.extend(theme.statics.keys().cloned());
    known
}

pub use pages::reserved;

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
    bodies_cached(site, known, &mut BodyCache::default())
}

/// Rendered bodies kept between builds by `serve`, by [`Rendered::key`]:
/// a body whose source and link context are unchanged is not rendered again.
#[derive(Default)]
pub struct BodyCache {
    bodies: HashedMap<Arc<Rendered>>,
}

/// [`bodies`], reusing what `cache` holds; the cache then holds this
/// build's bodies only.
pub fn bodies_cached(
    site: &Site,
    known: &BTreeSet<String>,
    cache: &mut BodyCache,
) -> (Bodies, Vec<Diagnostic>) {
    let assets: BTreeSet<String> = site.assets.iter().map(|a| a.rel.clone()).collect();
    let unsafe_html = site.config.unsafe_html;
    let links = link_context_hash(site, known, &assets);
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
    let prev = std::mem::take(&mut cache.bodies);
    cache.bodies.reserve(prev.len());
    // `cover`: an article's cover image, resolved like a link.
    let one = |src: &Source, cover: Option<&Located<String>>| -> Arc<Rendered> {
        // The file's own path too: relative links resolve from its folder.
        let key = xxhash_rust::xxh3::xxh3_64_with_seed(src.rel.as_bytes(), links ^ src.hash);
        if let Some(m) = prev.get(&key) {
            return m.clone();
        }
        let _processing = crate::current::processing(&src.shown);
        let ctx = ctx_for(site, src, known, &assets);
        let mut m = markdown::render(&src.body, unsafe_html, &ctx);
        m.key = key;
        if let Some(cover) = cover {
            let (url, finding) =
                markdown::resolve_cover(&cover.value, &ctx, (cover.line, cover.col));
            m.cover = url;
            m.findings.extend(finding);
        }
        Arc::new(m)
    };
    let reports: Vec<Arc<Rendered>> = site
        .reports
        .par_iter()
        .map(|r| one(&r.doc.common.src, None))
        .collect();
    let articles: Vec<Arc<Rendered>> = site
        .articles
        .par_iter()
        .map(|a| one(&a.doc.common.src, a.doc.cover.as_ref()))
        .collect();
    let pages: Vec<Arc<Rendered>> = site
        .pages
        .par_iter()
        .map(|p| one(&p.doc.common.src, None))
        .collect();
    let units: Vec<Arc<Rendered>> = site
        .units
        .par_iter()
        .map(|u| u.src.as_ref().map(|s| one(s, None)).unwrap_or_default())
        .collect();
    let mut diags = Vec::new();
    let sources = site
        .reports
        .iter()
        .map(|r| &r.doc.common.src)
        .zip(&reports)
        .chain(
            site.articles
                .iter()
                .map(|a| &a.doc.common.src)
                .zip(&articles),
        )
        .chain(site.pages.iter().map(|p| &p.doc.common.src).zip(&pages))
        .chain(
            site.units
                .iter()
                .zip(&units)
                .filter_map(|(u, m)| u.src.as_ref().map(|s| (s, m))),
        );
    for (src, m) in sources {
        findings_to_diags(src, m, &mut diags);
        cache.bodies.insert(m.key, m.clone());
    }
    // Left out of the model for an error: checked, never published.
    for src in &site.unplaced {
        findings_to_diags(src, &one(src, None), &mut diags);
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
    outputs: HashedMap<Blob>,
    /// The same outputs by job signature (see `pages::Versions`).
    signed: HashedMap<Signed>,
    /// Static files and assets read from disk, by path.
    copies: HashMap<PathBuf, Copied>,
    /// Template renders in the last build: (rendered, reused).
    pub last: (usize, usize),
}

/// A file copied from disk: (size, modification time) when read, bytes.
type Copied = ((u64, Option<std::time::SystemTime>), Blob);

/// What a build produced.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub pages: usize,
    pub files: usize,
}

/// Builds the search index and writes its files (docs, postings shards,
/// text chunks) through `sink`, in parallel; returns how many were written.
/// Done before the pages, so the plain texts can be dropped first. With a
/// `cache` (kept by `serve` between builds) only what changed since its
/// last build is tokenized and serialized again; the files are the same.
pub fn write_search(
    site: &Site,
    bodies: &Bodies,
    sink: &dyn Sink,
    cache: Option<&mut search::SearchCache>,
) -> Result<usize, Vec<Diagnostic>> {
    let errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let fail = |e: crate::fs::FsError| {
        let mut errs = errors.lock().unwrap_or_else(|p| p.into_inner());
        errs.push(Diagnostic::error(
            &e.path,
            0,
            0,
            text!("cannot write: {}", e.source; "无法写入：{}", e.source),
        ));
    };
    let total = match cache {
        Some(cache) => {
            cache.build(site, bodies);
            // On one thread: the cache serves `serve`, whose in-memory sink
            // takes a file in a few hundred nanoseconds behind one lock
            // (10k: 1 ms; 3 ms from two threads contending).
            cache.write_files(&mut |path, blob| sink.write_blob(path, blob).map_err(&fail).ok());
            cache.last.files
        }
        None => {
            let idx = search::Index::build(site, bodies);
            let shards = idx.shard_count();
            let total = 1 + shards + idx.chunk_count();
            (0..total).into_par_iter().for_each(|n| {
                let (path, json) = match n {
                    0 => (search::DOCS_PATH.to_string(), idx.docs_json().into_bytes()),
                    n if n <= shards => idx.shard_json(n - 1),
                    n => idx.text_json(n - 1 - shards),
                };
                if let Err(e) = sink.write(&path, &json) {
                    fail(e);
                }
            });
            total
        }
    };
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
    // stats.json as written; `stats()` in templates parses it when called.
    let stats_json: Arc<String> = Arc::new(stats::json_text(site, stats));
    let mut prev_signed = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.signed))
        .unwrap_or_default();
    let run = cache.as_deref_mut().and_then(|c| {
        let sources: Vec<(&String, &str)> = theme
            .templates
            .iter()
            .map(|(n, s)| (n, s.text.as_str()))
            .collect();
        let global = json_hash(
            xxhash_rust::xxh3::xxh3_64(stats_json.as_bytes()),
            &(&sources, &site_view),
        )?;
        let sig_global = json_hash(1, &site_view)?;
        let stats_fn = sources.iter().any(|(_, s)| s.contains("stats("));
        Some(CacheRun {
            versions: Versions::new(site, bodies, sig_global, &sources, &stats_json, stats_fn),
            next_signed: Mutex::new(HashedMap::with_capacity_and_hasher(
                prev_signed.len(),
                Default::default(),
            )),
            global,
            next: Mutex::new(HashedMap::with_capacity_and_hasher(
                c.outputs.len(),
                Default::default(),
            )),
            prev: std::mem::take(&mut c.outputs),
            rendered: Default::default(),
            reused: Default::default(),
        })
    });
    let tpl = Templates::new(theme.templates, &site_view, stats_json.clone())?;
    let ctx = Ctx {
        site,
        stats,
        stats_json: &stats_json,
        views: Views::new(site, &bodies.reports, &bodies.articles),
        bodies,
        tpl: &tpl,
        all_reports: (0..site.reports.len()).collect(),
        all_articles: (0..site.articles.len()).collect(),
        cache: run.as_ref(),
        unit_stats: (0..site.units.len()).map(|_| Default::default()).collect(),
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
    // A file to keep is kept as the handle its sink returns.
    let write = |sig: Option<u64>, path: String, out: Out, is_page: bool| match (out, &run) {
        (Out::Kept(blob, key), Some(c)) => sink
            .write_blob(&path, blob)
            .map(|blob| c.keep(sig, (path, blob, is_page, key))),
        (Out::Kept(blob, _), None) => sink.write_blob(&path, blob).map(drop),
        (Out::Bytes(b), _) => sink.write(&path, &b),
    };
    // With a cache, a job whose signature is that of a previous output is
    // written from it without building its context; the rest are rendered.
    let mut pages = 0;
    let jobs: Vec<(Job, Option<u64>)> = match &run {
        Some(c) => {
            let sigs: Vec<Option<u64>> = jobs
                .par_iter()
                .map(|&j| ctx.signature(j, &c.versions))
                .collect();
            let mut next = c.next.lock().unwrap_or_else(|p| p.into_inner());
            let mut next_signed = c.next_signed.lock().unwrap_or_else(|p| p.into_inner());
            let mut misses = Vec::new();
            for (job, sig) in jobs.into_iter().zip(sigs) {
                let Some(hit) = sig.and_then(|s| prev_signed.remove(&s).map(|h| (s, h))) else {
                    misses.push((job, sig));
                    continue;
                };
                let (sig, (path, blob, is_page, key)) = hit;
                let blob = match sink.write_blob(&path, blob) {
                    Ok(b) => b,
                    Err(e) => {
                        io_fail(e);
                        continue;
                    }
                };
                pages += usize::from(is_page);
                if let Some(k) = key {
                    next.insert(k, blob.clone());
                }
                next_signed.insert(sig, (path, blob, is_page, key));
            }
            c.reused.fetch_add(total - misses.len(), Ordering::Relaxed);
            misses
        }
        None => jobs.into_iter().map(|j| (j, None)).collect(),
    };
    let done = std::sync::atomic::AtomicUsize::new(total - jobs.len());
    pages += jobs
        .into_par_iter()
        .inspect(|_| {
            if let Some(p) = progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n % 64 == 0 || n == total {
                    p(n, total);
                }
            }
        })
        .map(|(job, sig)| match ctx.run_signed(job, sig) {
            Ok((path, out, is_page)) => match write(sig, path, out, is_page) {
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
        .sum::<usize>();
    let copies: Vec<(String, StaticSrc)> = statics
        .into_iter()
        .chain(
            site.assets
                .iter()
                .map(|a| (a.rel.clone(), StaticSrc::Disk(a.path.clone()))),
        )
        .collect();
    let copied = copies.len();
    // With a cache, a file on disk whose size and modification time are
    // unchanged is not read again.
    let prev_copies = cache.as_deref_mut().map(|c| std::mem::take(&mut c.copies));
    let next_copies: Mutex<HashMap<PathBuf, Copied>> = Mutex::default();
    let copy = |rel: &str, src: &StaticSrc| -> crate::fs::Result<()> {
        let (StaticSrc::Disk(path), Some(prev)) = (src, &prev_copies) else {
            return src.bytes().and_then(|b| sink.write(rel, &b));
        };
        let stamp = std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        let blob = match prev.get(path) {
            Some((s, b)) if stamp.as_ref() == Some(s) => b.clone(),
            _ => Blob::Bytes(Arc::from(src.bytes()?.as_ref())),
        };
        let blob = sink.write_blob(rel, blob)?;
        if let Some(stamp) = stamp {
            let mut next = next_copies.lock().unwrap_or_else(|p| p.into_inner());
            next.insert(path.clone(), (stamp, blob));
        }
        Ok(())
    };
    copies.into_par_iter().for_each(|(rel, src)| {
        if let Err(e) = copy(&rel, &src) {
            io_fail(e);
        }
    });
    if let Some(c) = cache.as_deref_mut() {
        c.copies = next_copies.into_inner().unwrap_or_else(|p| p.into_inner());
    }
    crate::release::drop_aside((ctx.views.into_shared(), ctx.unit_stats, tpl));
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if let (Some(c), Some(run)) = (cache, run) {
        c.last = (
            run.rendered.load(Ordering::Relaxed),
            run.reused.load(Ordering::Relaxed),
        );
        // A failed build keeps the outputs of the last good one.
        (c.outputs, c.signed) = if errors.is_empty() {
            (
                run.next.into_inner().unwrap_or_else(|p| p.into_inner()),
                run.next_signed
                    .into_inner()
                    .unwrap_or_else(|p| p.into_inner()),
            )
        } else {
            // What was not reused is still the last good build's.
            let mut signed = run
                .next_signed
                .into_inner()
                .unwrap_or_else(|p| p.into_inner());
            signed.extend(prev_signed);
            (run.prev, signed)
        };
    }
    if errors.is_empty() {
        let files = total + copied + search_files;
        Ok(Written { pages, files })
    } else {
        Err(errors)
    }
}
