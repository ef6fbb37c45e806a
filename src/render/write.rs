//! Writing rendered files through a [`Sink`]: the jobs of a build rendered
//! in parallel ([`Writer::render_jobs`]), static files and assets copied
//! ([`Writer::copy_files`]), and with `serve`'s [`RenderCache`] the files
//! whose inputs are unchanged written from the previous build.

use super::batch::LIST_BATCH;
use super::pages::reuse::{json_hash, CacheRun, Signed, Versions};
use super::pages::{jobs, Ctx, Job, Out};
use super::templates::Templates;
use super::views::{SiteView, Views};
use super::{stats, Bodies, Copied, RenderCache, Target, Written};
use crate::diagnostics::Diagnostic;
use crate::hash::HashedMap;
use crate::output::{Blob, Sink};
use crate::site::stats::Stats;
use crate::site::Site;
use crate::theme::{StaticSrc, ThemeFiles};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the writing of one build's files shares: where they go, the
/// problems found, and progress.
pub(super) struct Writer<'a> {
    pub(super) sink: &'a dyn Sink,
    progress: Option<&'a crate::ProgressFn>,
    errors: Mutex<Vec<Diagnostic>>,
    /// Files rendered so far, of `total`.
    done: AtomicUsize,
    pub(super) total: usize,
}

impl<'a> Writer<'a> {
    pub(super) fn new(
        sink: &'a dyn Sink,
        progress: Option<&'a crate::ProgressFn>,
        total: usize,
    ) -> Self {
        Writer {
            sink,
            progress,
            errors: Mutex::default(),
            done: AtomicUsize::new(0),
            total,
        }
    }

    /// Records a problem; the same template error on every page is one.
    pub(super) fn fail(&self, d: Diagnostic) {
        let mut e = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        if !e.iter().any(|x| x.path == d.path && x.message == d.message) {
            e.push(d);
        }
    }

    pub(super) fn io_fail(&self, e: crate::fs::FsError) {
        self.fail(super::write_error(&e));
    }

    pub(super) fn failed(&self) -> bool {
        !self
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    pub(super) fn into_errors(self) -> Vec<Diagnostic> {
        self.errors.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts `n` files as done without rendering them.
    fn skip(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    fn tick(&self) {
        if let Some(p) = self.progress {
            let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            if n % 64 == 0 || n == self.total {
                p(n, self.total);
            }
        }
    }

    /// Renders `jobs` in parallel and writes them (with a cache run, each
    /// kept under its signature); returns the number of HTML pages.
    pub(super) fn render_jobs(
        &self,
        ctx: &Ctx,
        jobs: Vec<(Job, Option<u64>)>,
        run: Option<&CacheRun>,
    ) -> usize {
        let sink = self.sink;
        // A file to keep is kept as the handle its sink returns.
        let write = |sig: Option<u64>, path: String, out: Out, is_page: bool| match (out, run) {
            // A job's file, forgotten when a later build has no such job.
            (Out::Kept(blob, key), Some(c)) if sig.is_some() => sink
                .write_job(&path, blob)
                .map(|blob| c.keep(sig, (path, blob, is_page, key))),
            (Out::Kept(blob, key), Some(c)) => sink
                .write_blob(&path, blob)
                .map(|blob| c.keep(sig, (path, blob, is_page, key))),
            (Out::Keep(b), Some(c)) => sink
                .write_job_bytes(&path, b)
                .map(|blob| c.keep(sig, (path, blob, is_page, None))),
            (Out::Kept(blob, _), None) => sink.write_blob(&path, blob).map(drop),
            (Out::Bytes(b), _) | (Out::Keep(b), None) => sink.write(&path, &b),
            (Out::Made(b), _) => sink.write(&path, &b),
        };
        jobs.into_par_iter()
            .inspect(|_| self.tick())
            .map(|(job, sig)| match ctx.run_signed(job, sig) {
                Ok((path, out, is_page)) => match write(sig, path, out, is_page) {
                    Ok(()) => usize::from(is_page),
                    Err(e) => {
                        self.io_fail(e);
                        0
                    }
                },
                Err(d) => {
                    self.fail(d);
                    0
                }
            })
            .sum()
    }

    /// [`Writer::render_jobs`] `per` jobs at a time (at most
    /// [`LIST_BATCH`]), each batch in a fresh page context from `ctx`: the
    /// list entries a context converts for Tera (shared by the lists it
    /// renders) and the units' figures are dropped with it, not held until
    /// the last file.
    pub(super) fn render_in_batches<'c>(
        &self,
        ctx: &dyn Fn() -> Ctx<'c>,
        jobs: Vec<(Job, Option<u64>)>,
        (per, run): (usize, Option<&CacheRun>),
    ) -> usize {
        let per = per.clamp(1, LIST_BATCH);
        let mut jobs = jobs.into_iter().peekable();
        let mut pages = 0;
        while jobs.peek().is_some() {
            let batch: Vec<(Job, Option<u64>)> = jobs.by_ref().take(per).collect();
            let ctx = ctx();
            pages += self.render_jobs(&ctx, batch, run);
            crate::release::drop_aside((ctx.views.into_shared(), ctx.unit_stats));
        }
        pages
    }

    /// Copies the theme's static files and the site's assets; with a
    /// cache, a file on disk whose size and modification time are
    /// unchanged is not read again. Returns the number of files.
    pub(super) fn copy_files(
        &self,
        site: &Site,
        statics: BTreeMap<String, StaticSrc>,
        cache: Option<&mut RenderCache>,
    ) -> usize {
        let sink = self.sink;
        let copies: Vec<(String, StaticSrc)> = statics
            .into_iter()
            .chain(
                site.assets
                    .iter()
                    .map(|a| (a.rel.clone(), StaticSrc::Disk(a.path.clone()))),
            )
            .collect();
        let copied = copies.len();
        let prev_copies = cache.as_ref().map(|c| &c.copies);
        let next_copies: Mutex<HashMap<PathBuf, Copied>> = Mutex::default();
        let copy = |rel: &str, src: &StaticSrc| -> crate::fs::Result<()> {
            let (StaticSrc::Disk(path), Some(prev)) = (src, prev_copies) else {
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
                self.io_fail(e);
            }
        });
        if let Some(c) = cache {
            c.copies = next_copies.into_inner().unwrap_or_else(|p| p.into_inner());
        }
        copied
    }

    /// With a cache run, writes each job whose signature is that of a
    /// previous output from it, without building its context; returns
    /// the jobs left to render and the HTML pages written.
    fn write_reused(
        &self,
        ctx: &Ctx,
        c: &CacheRun,
        jobs: Vec<Job>,
        prev_signed: &mut HashedMap<Signed>,
    ) -> (Vec<(Job, Option<u64>)>, usize) {
        let total = jobs.len();
        let sigs: Vec<Option<u64>> = jobs
            .par_iter()
            .map(|&j| ctx.signature(j, &c.versions))
            .collect();
        let mut next = c.next.lock().unwrap_or_else(|p| p.into_inner());
        let mut next_signed = c.next_signed.lock().unwrap_or_else(|p| p.into_inner());
        let (mut misses, mut pages) = (Vec::new(), 0);
        for (job, sig) in jobs.into_iter().zip(sigs) {
            let Some(hit) = sig.and_then(|s| prev_signed.remove(&s).map(|h| (s, h))) else {
                misses.push((job, sig));
                continue;
            };
            let (sig, (path, blob, is_page, key)) = hit;
            // The sink holds the previous build's files (see `carry`).
            let blob = match c.carry {
                true => blob,
                false => match self.sink.write_job(&path, blob) {
                    Ok(b) => b,
                    Err(e) => {
                        self.io_fail(e);
                        continue;
                    }
                },
            };
            pages += usize::from(is_page);
            if let Some(k) = key {
                next.insert(k, blob.clone());
            }
            next_signed.insert(sig, (path, blob, is_page, key));
        }
        c.reused.fetch_add(total - misses.len(), Ordering::Relaxed);
        self.skip(total - misses.len());
        (misses, pages)
    }
}

/// The cache run of a build with `serve`'s cache: the versions of the
/// model's entities and the previous build's outputs (taken from `c`).
fn cache_run(
    (site, stats, sink): (&Site, &Stats, &dyn Sink),
    bodies: &Bodies,
    theme: &ThemeFiles,
    (stats_hash, stats_fn): (u64, bool),
    c: &mut RenderCache,
    prev_signed: usize,
) -> Option<CacheRun> {
    let site_view = SiteView::new(site);
    let sources: Vec<(&String, &str)> = theme
        .templates
        .iter()
        .map(|(n, s)| (n, s.text.as_str()))
        .collect();
    let global = json_hash(stats_hash, &(&sources, &site_view))?;
    let sig_global = json_hash(1, &site_view)?;
    Some(CacheRun {
        versions: Versions::new(
            (site, stats),
            bodies,
            sig_global,
            &sources,
            stats_hash,
            stats_fn,
        ),
        next_signed: Mutex::new(HashedMap::with_capacity_and_hasher(
            prev_signed,
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
        carry: c.signed_run != 0 && sink.carries() == Some(c.signed_run),
    })
}

/// Keeps this build's outputs in the cache for the next; a failed build
/// keeps the outputs of the last good one.
fn keep_outputs(c: &mut RenderCache, run: CacheRun, prev_signed: HashedMap<Signed>, ok: bool) {
    c.last = (
        run.rendered.load(Ordering::Relaxed),
        run.reused.load(Ordering::Relaxed),
    );
    let next_signed = run
        .next_signed
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    // A failed build's outputs are not the files of the build they are
    // kept with: no sink carries them over.
    c.signed_run = if ok { c.run } else { 0 };
    (c.outputs, c.signed) = if ok {
        (
            run.next.into_inner().unwrap_or_else(|p| p.into_inner()),
            next_signed,
        )
    } else {
        // What was not reused is still the last good build's.
        let mut signed = next_signed;
        signed.extend(prev_signed);
        (run.prev, signed)
    };
}

/// The page context of a build: the model, its figures, the bodies.
pub(super) fn context<'a>(
    site: &'a Site,
    stats: &'a Stats,
    stats_json: &'a stats::StatsJson,
    bodies: &'a Bodies,
    tpl: &'a Templates,
    cache: Option<&'a CacheRun>,
) -> Ctx<'a> {
    Ctx {
        site,
        stats,
        stats_json,
        views: Views::new(site, &bodies.reports, &bodies.articles),
        bodies,
        tpl,
        all_reports: (0..site.reports.len()).collect(),
        all_articles: (0..site.articles.len()).collect(),
        cache,
        unit_stats: (0..site.units.len()).map(|_| Default::default()).collect(),
        refill: None,
    }
}

/// Renders every page and copies static files and assets through the
/// target's sink, the bodies of every document at hand (`serve`; `build`
/// renders in batches, see [`super::batch`]). `search_files`: the number
/// of search index files already written by [`super::write_search`]
/// (counted in [`Written::files`]).
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
        refill,
        batch,
    } = target;
    // stats.json as written; `stats()` in templates parses it when called
    // (the text made only for templates that call it, and where written).
    let stats_fn = theme
        .templates
        .values()
        .any(|t| stats::calls_stats(&t.text));
    let stats_json = match cache.as_deref_mut() {
        Some(c) => stats::json_reusing(site, stats, &mut c.stats_text, stats_fn),
        None => stats::StatsJson::of(site, stats),
    };
    let mut prev_signed = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.signed))
        .unwrap_or_default();
    let run = cache.as_deref_mut().and_then(|c| {
        cache_run(
            (site, stats, sink),
            bodies,
            &theme,
            (stats_json.key(), stats_fn),
            c,
            prev_signed.len(),
        )
    });
    let tpl_stats = match stats_fn {
        true => stats_json.text(site, stats).clone(),
        // No template calls `stats()`.
        false => Arc::default(),
    };
    let tpl = Templates::new(theme.templates, &SiteView::new(site), tpl_stats)?;
    let ctx = || {
        let mut ctx = context(site, stats, &stats_json, bodies, &tpl, run.as_ref());
        ctx.refill = refill;
        ctx
    };
    let jobs = jobs(site);
    let w = Writer::new(sink, progress, jobs.len());
    let (jobs, mut pages) = match &run {
        Some(c) => w.write_reused(&ctx(), c, jobs, &mut prev_signed),
        None => (jobs.into_iter().map(|j| (j, None)).collect(), 0),
    };
    pages += w.render_in_batches(&ctx, jobs, (batch, run.as_ref()));
    let copied = w.copy_files(site, theme.statics, cache.as_deref_mut());
    crate::release::drop_aside(tpl);
    let total = w.total;
    let errors = w.into_errors();
    if run.as_ref().is_some_and(|r| r.carry) {
        // Previous outputs no job of this build had: gone, unless written.
        for (path, ..) in prev_signed.values() {
            sink.forget(path);
        }
    }
    if let (Some(c), Some(run)) = (cache, run) {
        keep_outputs(c, run, prev_signed, errors.is_empty());
    }
    if errors.is_empty() {
        let files = total + copied + search_files;
        Ok(Written { pages, files })
    } else {
        Err(errors)
    }
}
