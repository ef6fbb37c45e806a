//! Rendering: Markdown bodies to HTML (in parallel), then every output file
//! from the theme's templates (in parallel, one job per file: `pages`),
//! written through a [`Sink`]. Reads the model only; shared data is
//! serialized once per build.

mod batch;
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
mod write;

pub use batch::{Batched, BATCH};
pub use write::write_site;

use crate::content::{Located, Source};
use crate::diagnostics::{text, Diagnostic};
use crate::hash::HashedMap;
use crate::output::{Blob, Sink};
use crate::site::Site;
use crate::theme::ThemeFiles;
use markdown::{LinkContext, Rendered};
use pages::reuse::Signed;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Rendered Markdown of every document, index-aligned with the model.
/// Shared, so `serve` can keep unchanged bodies between rebuilds.
pub struct Bodies {
    pub reports: Vec<Arc<Rendered>>,
    pub articles: Vec<Arc<Rendered>>,
    pub pages: Vec<Arc<Rendered>>,
    pub units: Vec<Arc<Rendered>>,
}

impl Bodies {
    /// The rendered body of `doc`.
    pub fn of(&self, doc: search::DocRef) -> &Arc<Rendered> {
        use search::DocRef::*;
        match doc {
            Report(i) => &self.reports[i],
            Article(i) => &self.articles[i],
            Page(i) => &self.pages[i],
            Unit(i) => &self.units[i],
        }
    }

    /// The same, to replace or trim.
    fn of_mut(&mut self, doc: search::DocRef) -> &mut Arc<Rendered> {
        use search::DocRef::*;
        match doc {
            Report(i) => &mut self.reports[i],
            Article(i) => &mut self.articles[i],
            Page(i) => &mut self.pages[i],
            Unit(i) => &mut self.units[i],
        }
    }

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

/// An output file that could not be written, as a located error.
pub(crate) fn write_error(e: &crate::fs::FsError) -> Diagnostic {
    Diagnostic::error(
        &e.path,
        0,
        0,
        text!("cannot write: {}", e.source; "无法写入：{}", e.source),
    )
    .with_hint(text!(
        "check that the output folder is writable and the disk has space, then build again";
        "请检查输出文件夹是否可写、磁盘空间是否足够，然后重新构建"
    ))
}

/// `r`'s findings as diagnostics on `src`, whose body is `body` (None:
/// read when a finding needs it for its position).
pub(crate) fn findings_to_diags(
    src: &Source,
    body: Option<&str>,
    r: &Rendered,
    out: &mut Vec<Diagnostic>,
) {
    if r.findings.is_empty() {
        return;
    }
    let text;
    let body = match body {
        Some(b) => b,
        None if r.findings.iter().all(|f| f.at.is_some()) => "",
        None => match src.texts() {
            Ok(t) => {
                text = t;
                text.body()
            }
            Err(d) => {
                out.push(d);
                return;
            }
        },
    };
    let lines = crate::source::LineIndex::new(body);
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
    let texts = [
        site.config.base_path.as_str(),
        if site.config.unsafe_html { "1" } else { "0" },
    ];
    let all = || {
        texts
            .into_iter()
            .chain(known.iter().chain(assets).map(String::as_str))
    };
    let mut buf = Vec::with_capacity(all().map(|s| s.len() + 1).sum::<usize>() + 8);
    for s in all() {
        buf.extend_from_slice(s.as_bytes());
        buf.push(0xff);
    }
    buf.extend_from_slice(&sources_hash(&site.by_source).to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&buf)
}

/// The (source, site path) pairs of `Site::by_source`, each hashed on its
/// own (the path seeded with its source's hash) and the hashes added: the
/// same value whatever order the map holds them in, without sorting them
/// first (at 50k, sorting 60k pairs of paths was the costliest part of
/// the link context, twice per rebuild).
fn sources_hash(by_source: &HashMap<String, String>) -> u64 {
    use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};
    by_source
        .par_iter()
        .map(|(k, v)| xxh3_64_with_seed(v.as_bytes(), xxh3_64(k.as_bytes())))
        .reduce(|| 0, u64::wrapping_add)
}

/// Renders all Markdown bodies; broken links are errors, images without alt text warnings.
pub fn bodies(site: &Site, known: &BTreeSet<String>) -> (Bodies, Vec<Diagnostic>) {
    bodies_cached(site, known, &mut BodyCache::default(), usize::MAX)
}

/// Rendered bodies kept between builds by `serve`, by [`Rendered::key`]:
/// a body whose source and link context are unchanged is not rendered again.
#[derive(Default)]
pub struct BodyCache {
    bodies: HashedMap<Arc<Rendered>>,
    /// The last build rendered more than its batch of documents afresh
    /// and kept their bodies light (see [`bodies_cached`]).
    pub lean: bool,
}

/// What every document's Markdown rendering depends on besides its own
/// text and the model's paths: the assets, and a hash of all of it.
pub(crate) struct MarkdownCtx {
    assets: BTreeSet<String>,
    /// [`link_context_hash`].
    links: u64,
}

impl MarkdownCtx {
    pub(crate) fn new(site: &Site, known: &BTreeSet<String>) -> Self {
        let assets: BTreeSet<String> = site.assets.iter().map(|a| a.rel.clone()).collect();
        let links = link_context_hash(site, known, &assets);
        MarkdownCtx { assets, links }
    }

    /// The key of `src`'s rendering (see [`Rendered::key`]): the file's
    /// own path too, as relative links resolve from its folder.
    fn key(&self, src: &Source) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_seed(src.rel.as_bytes(), self.links ^ src.hash)
    }

    /// Renders `src` of `site`, whose paths are `known`; `cover`: an
    /// article's cover image, resolved like a link. A file that cannot be
    /// read again renders to nothing but that error.
    pub(crate) fn render(
        &self,
        site: &Site,
        known: &BTreeSet<String>,
        src: &Source,
        cover: Option<&Located<String>>,
    ) -> Rendered {
        match src.texts() {
            Ok(t) => self.render_text(site, known, (src, t.body()), cover),
            Err(d) => Rendered {
                findings: vec![markdown::Finding {
                    offset: 0,
                    at: Some((d.line, d.col)),
                    error: true,
                    message: d.message,
                    hint: d.hint,
                }],
                ..Rendered::default()
            },
        }
    }

    /// [`MarkdownCtx::render`] of `src` whose body is `body`.
    pub(crate) fn render_text(
        &self,
        site: &Site,
        known: &BTreeSet<String>,
        (src, body): (&Source, &str),
        cover: Option<&Located<String>>,
    ) -> Rendered {
        let _processing = crate::current::processing(&src.shown);
        let ctx = LinkContext {
            base_path: &site.config.base_path,
            source_dir: src.dir(),
            by_source: &site.by_source,
            known,
            assets: &self.assets,
        };
        let mut m = markdown::render(body, site.config.unsafe_html, &ctx);
        m.key = self.key(src);
        if let Some(cover) = cover {
            let (url, finding) =
                markdown::resolve_cover(&cover.value, &ctx, (cover.line, cover.col));
            m.cover = url;
            m.findings.extend(finding);
        }
        m
    }
}

/// Renders a document's body again, the same as when its light copy was
/// made (equal [`Rendered::key`], equal output): for the pages and search
/// rows `serve` must make again of documents whose body it kept light.
pub struct Refill<'a> {
    site: &'a Site,
    known: &'a BTreeSet<String>,
    md: MarkdownCtx,
}

impl<'a> Refill<'a> {
    pub fn new(site: &'a Site, known: &'a BTreeSet<String>) -> Self {
        let md = MarkdownCtx::new(site, known);
        Refill { site, known, md }
    }

    /// [`link_context_hash`] of the site: equal values, equal site paths
    /// of every source (the search cache's shortcut: `search::SearchCache`).
    pub(crate) fn links(&self) -> u64 {
        self.md.links
    }

    /// `doc`'s body, whole; None for a unit without an introduction.
    pub fn get(&self, doc: search::DocRef) -> Option<Rendered> {
        let (src, cover) = doc_source(self.site, doc)?;
        Some(self.md.render(self.site, self.known, src, cover))
    }
}

/// A document's source and, for an article, its cover; None for a unit
/// without an introduction.
pub(crate) fn doc_source(
    site: &Site,
    doc: search::DocRef,
) -> Option<(&Source, Option<&Located<String>>)> {
    use search::DocRef::*;
    match doc {
        Report(i) => Some((&site.reports[i].doc.common.src, None)),
        Article(i) => {
            let d = &site.articles[i].doc;
            Some((&d.common.src, d.cover.as_ref()))
        }
        Page(i) => Some((&site.pages[i].doc.common.src, None)),
        Unit(i) => Some((site.units[i].src.as_ref()?, None)),
    }
}

/// [`bodies`], reusing what `cache` holds; the cache then holds this
/// build's bodies only (documents' light: see [`Rendered::light`]). When
/// more than `whole` documents are rendered afresh (a first build, a new
/// link context), their bodies come back light too, so that the HTML and
/// plain text of every document never sit in memory at once (10k reports:
/// 165 MB); the search index and the pages render them again as they go
/// ([`Refill`]).
pub fn bodies_cached(
    site: &Site,
    known: &BTreeSet<String>,
    cache: &mut BodyCache,
    whole: usize,
) -> (Bodies, Vec<Diagnostic>) {
    let md = MarkdownCtx::new(site, known);
    let prev = std::mem::take(&mut cache.bodies);
    cache.bodies.reserve(prev.len());
    let fresh = site
        .documents()
        .map(|d| d.src())
        .chain(site.pages.iter().map(|p| &p.doc.common.src))
        .filter(|s| !prev.contains_key(&md.key(s)))
        .count();
    let lean = fresh > whole;
    cache.lean = lean;
    // A body reused or rendered; a new document's light when `lean`
    // (units and left-out files always whole).
    let one = |src: &Source, cover: Option<&Located<String>>, lean: bool| -> Arc<Rendered> {
        match prev.get(&md.key(src)) {
            Some(m) => m.clone(),
            None if lean => Arc::new(md.render(site, known, src, cover).into_light()),
            None => Arc::new(md.render(site, known, src, cover)),
        }
    };
    let doc = |src: &Source, cover: Option<&Located<String>>| one(src, cover, lean);
    let reports: Vec<Arc<Rendered>> = site
        .reports
        .par_iter()
        .map(|r| doc(&r.doc.common.src, None))
        .collect();
    let articles: Vec<Arc<Rendered>> = site
        .articles
        .par_iter()
        .map(|a| doc(&a.doc.common.src, a.doc.cover.as_ref()))
        .collect();
    let pages: Vec<Arc<Rendered>> = site
        .pages
        .par_iter()
        .map(|p| doc(&p.doc.common.src, None))
        .collect();
    let units: Vec<Arc<Rendered>> = site
        .units
        .par_iter()
        .map(|u| {
            u.src
                .as_ref()
                .map(|s| one(s, None, false))
                .unwrap_or_default()
        })
        .collect();
    let mut diags = Vec::new();
    let sources = site
        .documents()
        .map(|d| d.src())
        .zip(reports.iter().chain(&articles))
        .chain(site.pages.iter().map(|p| &p.doc.common.src).zip(&pages))
        .chain(
            site.units
                .iter()
                .zip(&units)
                .filter_map(|(u, m)| u.src.as_ref().map(|s| (s, m))),
        );
    for (src, m) in sources {
        findings_to_diags(src, None, m, &mut diags);
    }
    // Documents are kept light (their pages are mostly reused); units
    // whole, as every list of units shows their introductions.
    let light = |m: &Arc<Rendered>| match m.light {
        true => m.clone(),
        false => Arc::new(m.light()),
    };
    let docs = reports.iter().chain(&articles).chain(&pages);
    // A failed read (key 0) is not kept.
    for m in docs.map(light).chain(units.iter().cloned()) {
        if m.key != 0 {
            cache.bodies.insert(m.key, m);
        }
    }
    // Left out of the model for an error: checked, never published.
    for src in &site.unplaced {
        findings_to_diags(src, None, &one(src, None, false), &mut diags);
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
    /// The last `stats.json`.
    stats_text: stats::StatsText,
    /// Template renders in the last build: (rendered, reused).
    pub last: (usize, usize),
    /// The session's number of the build under way, and of the build the
    /// outputs in `signed` are from (0: none), which a sink that carries a
    /// build's files over must have started from (see `CacheRun::carry`).
    pub(crate) run: u64,
    signed_run: u64,
}

impl RenderCache {
    /// The build the outputs by signature are from (0: none).
    pub(crate) fn signed_run(&self) -> u64 {
        self.signed_run
    }
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
/// Its light bodies (`serve`) are rendered again through the [`Refill`],
/// `batch` documents at a time.
pub fn write_search(
    site: &Site,
    bodies: &Bodies,
    sink: &dyn Sink,
    cache: Option<(&mut search::SearchCache, &Refill, usize)>,
) -> Result<usize, Vec<Diagnostic>> {
    let errors: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let fail = |e: crate::fs::FsError| {
        let mut errs = errors.lock().unwrap_or_else(|p| p.into_inner());
        errs.push(write_error(&e));
    };
    let total = match cache {
        Some((cache, refill, batch)) => {
            if let Err(e) = cache.build(site, bodies, (refill, batch), sink) {
                // What it kept on disk (chunks, token lists) would not
                // read back; the cache is empty now.
                errors.lock().unwrap_or_else(|e| e.into_inner()).push(
                    Diagnostic::error(
                        &e.path,
                        0,
                        0,
                        text!("cannot read back the preview's search index: {}", e.source;
                              "无法读回预览的搜索索引：{}", e.source),
                    )
                    .with_hint(text!(
                        "check that the system's temporary folder is readable and has space; saving any file rebuilds the index";
                        "请检查系统临时文件夹是否可读、空间是否足够；保存任意文件即可重建索引"
                    )),
                );
            }
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
                let (path, bytes) = match n {
                    0 => (search::DOCS_PATH.to_string(), idx.docs_json().into_bytes()),
                    n if n <= shards => idx.shard_file(n - 1),
                    n => idx.text_file(n - 1 - shards),
                };
                if let Err(e) = sink.write(&path, &bytes) {
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
    /// Renders light bodies again for the pages that show them (`serve`).
    pub refill: Option<&'a Refill<'a>>,
    /// Files per page context, at most [`batch::LIST_BATCH`] (the
    /// document batch: fewer in tests).
    pub batch: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_hash_follows_pairs_not_their_order() {
        let map = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let ab = map(&[("a.md", "reports/a/"), ("b.md", "reports/b/")]);
        let mut ba = HashMap::with_capacity(64);
        ba.insert("b.md".to_string(), "reports/b/".to_string());
        ba.insert("a.md".to_string(), "reports/a/".to_string());
        assert_eq!(sources_hash(&ab), sources_hash(&ba));
        let swapped = map(&[("a.md", "reports/b/"), ("b.md", "reports/a/")]);
        assert_ne!(sources_hash(&ab), sources_hash(&swapped));
        let moved = map(&[("a.md", "reports/a/"), ("b.md", "reports/b2/")]);
        assert_ne!(sources_hash(&ab), sources_hash(&moved));
        let fewer = map(&[("a.md", "reports/a/")]);
        assert_ne!(sources_hash(&ab), sources_hash(&fewer));
    }
}
