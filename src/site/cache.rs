//! What `serve` keeps of the last model ([`ModelCache`]): the site itself
//! and the statistics aggregated on it, reused whole by a rebuild whose
//! documents all read as they did.

use super::stats::Stats;
use super::Site;
use crate::config::Config;
use crate::content::{Article, Common, Content, Located, Page, Report, Source, Stat};
use crate::diagnostics::Diagnostic;
use std::sync::Arc;

/// The last model of a `serve` session, its diagnostics (the model's and
/// [`super::reporting::check`]'s) and its statistics. A rebuild reuses them
/// when the configuration, the unit registry's front matter and the list
/// of documents are the same, each document either the value the last
/// load shared (the load cache keeps one `Arc` per unchanged file) or one
/// read again with the same [`Source::fields`] hash (a body edit: same
/// path and front matter) or else the same fields the model reads
/// ([`Modelled::same_model`]: a title or summary edit) and no problem the
/// model found in it. Anything else — a document added, removed, with
/// another slug, unit, date, tag or figure, a unit's fields, site.yaml —
/// builds the model again.
#[derive(Default)]
pub struct ModelCache {
    kept: Option<(Site, Key)>,
    /// The key of the model just built or reused, kept with it by
    /// [`ModelCache::keep`] (None: a model not to keep).
    pending: Option<Key>,
    /// Aggregated on the kept model (None: not yet).
    stats: Option<Arc<Stats>>,
    /// Whether the last model was reused.
    reused: bool,
}

/// What a kept model was built from.
struct Key {
    /// `Config`'s `Debug` text: the model reads its slug mode, and the
    /// site carries it all (the statistics read its metrics).
    config: String,
    reserved: Vec<String>,
    has_registry: bool,
    /// The loaded documents' addresses, in load order (each held by the
    /// kept site, so no other document can take its address meanwhile).
    reports: Vec<usize>,
    articles: Vec<usize>,
    pages: Vec<usize>,
    /// Registry units in load order: (`content/`-relative path, fields
    /// hash, index into `Site::units`).
    units: Vec<(String, u64, usize)>,
    diags: Vec<Diagnostic>,
}

/// Documents read again (new `Arc`s) a reused model takes in: beyond it,
/// finding each in the kept site costs more than building anew.
const MAX_SWAPS: usize = 64;

fn addresses<T>(docs: &[Arc<T>]) -> Vec<usize> {
    docs.iter().map(|d| Arc::as_ptr(d) as usize).collect()
}

impl ModelCache {
    /// [`super::model`] through the cache: the kept model when the content
    /// reads as it did, else a new one.
    pub(crate) fn build(
        &mut self,
        config: Config,
        content: Content,
        reserved: &[&str],
    ) -> (Site, Vec<Diagnostic>) {
        let config_text = format!("{config:?}");
        self.pending = None;
        self.reused = false;
        if let Some((mut site, mut key)) = self.kept.take() {
            if reuse(&mut site, &mut key, &config_text, &content, reserved) {
                let Content { assets, held, .. } = content;
                (site.config, site.assets, site.held) = (config, assets, held);
                let diags = key.diags.clone();
                self.pending = Some(key);
                self.reused = true;
                return (site, diags);
            }
            // Freed before the new model is built beside it.
            crate::release::drop_aside(site);
        }
        self.stats = None;
        let mut key = Key {
            config: config_text,
            reserved: reserved.iter().map(|s| s.to_string()).collect(),
            has_registry: content.has_registry,
            reports: addresses(&content.reports),
            articles: addresses(&content.articles),
            pages: addresses(&content.pages),
            units: Vec::new(),
            diags: Vec::new(),
        };
        let rels: Vec<(String, u64)> = (content.units.iter())
            .map(|u| (u.src.rel.clone(), u.src.fields))
            .collect();
        let (site, diags) = super::model(config, content, reserved);
        key.units = unit_indices(&site, rels);
        // Only a site holding every loaded document (none left out for an
        // error) keeps their addresses from being taken by others.
        let whole = key.reports.len() == site.reports.len()
            && key.articles.len() == site.articles.len()
            && key.pages.len() == site.pages.len()
            && key.units.len() == key.units.iter().filter(|u| u.2 != usize::MAX).count();
        if whole && site.unplaced.is_empty() {
            key.diags = diags.clone();
            self.pending = Some(key);
        }
        (site, diags)
    }

    /// Keeps `site`, the model last returned by [`ModelCache::build`], for
    /// the next rebuild (after a build that succeeded).
    pub(crate) fn keep(&mut self, site: Site) {
        match self.pending.take() {
            Some(key) => self.kept = Some((site, key)),
            None => crate::release::drop_aside(site),
        }
    }

    /// The statistics of `site`, the model last returned: the kept ones
    /// when the model was reused (its figures, slugs, units and tags are
    /// the same), else aggregated and kept.
    pub(crate) fn stats(&mut self, site: &Site) -> Arc<Stats> {
        if let (true, Some(s)) = (self.reused, &self.stats) {
            return s.clone();
        }
        let s = Arc::new(Stats::compute(site));
        self.stats = Some(s.clone());
        s
    }

    /// Whether the last model was the kept one.
    pub fn reused(&self) -> bool {
        self.reused
    }
}

/// Each registry unit's index into `site.units` (`usize::MAX`: not there).
fn unit_indices(site: &Site, rels: Vec<(String, u64)>) -> Vec<(String, u64, usize)> {
    let at: std::collections::HashMap<&str, usize> = (site.units.iter().enumerate())
        .filter_map(|(i, u)| u.src.as_ref().map(|s| (s.rel.as_str(), i)))
        .collect();
    rels.into_iter()
        .map(|(rel, fields)| {
            let i = at.get(rel.as_str()).copied().unwrap_or(usize::MAX);
            (rel, fields, i)
        })
        .collect()
}

/// Whether `site`, built from `key`, is the model of `content`: if so,
/// documents and unit files read again are swapped in and `key` follows.
/// On false, `site` is left part swapped and must be dropped.
fn reuse(
    site: &mut Site,
    key: &mut Key,
    config: &str,
    content: &Content,
    reserved: &[&str],
) -> bool {
    if key.config != config
        || key.has_registry != content.has_registry
        || !key
            .reserved
            .iter()
            .map(String::as_str)
            .eq(reserved.iter().copied())
        || key.units.len() != content.units.len()
    {
        return false;
    }
    let same_units = (key.units.iter().zip(&content.units))
        .all(|((rel, fields, _), u)| *rel == u.src.rel && *fields == u.src.fields);
    if !same_units {
        return false;
    }
    let mut swaps = 0;
    let seen = (&mut swaps, &key.diags[..]);
    let ok = swap_in(
        &mut key.reports,
        &content.reports,
        &mut site.reports,
        |r| &mut r.doc,
        seen,
    );
    let seen = (&mut swaps, &key.diags[..]);
    let ok = ok
        && swap_in(
            &mut key.articles,
            &content.articles,
            &mut site.articles,
            |a| &mut a.doc,
            seen,
        );
    let seen = (&mut swaps, &key.diags[..]);
    let ok = ok
        && swap_in(
            &mut key.pages,
            &content.pages,
            &mut site.pages,
            |p| &mut p.doc,
            seen,
        );
    if !ok {
        return false;
    }
    for ((_, _, i), u) in key.units.iter().zip(&content.units) {
        if let Some(entry) = site.units.get_mut(*i) {
            entry.src = Some(u.src.clone());
        }
    }
    true
}

fn same_doc<T>(doc: &Arc<T>, address: usize) -> bool {
    Arc::as_ptr(doc) as usize == address
}

/// A loaded document as the model reads it.
trait Modelled {
    fn src(&self) -> &Source;

    /// Whether `other` (the same file read again) gives the model all
    /// `self` gave it: slug, unit, date, period, tags, category, figures
    /// and the positions of their errors (the title, summary… it takes
    /// from the document itself).
    fn same_model(&self, other: &Self) -> bool;
}

/// The slug, draft flag and file names the model reads of any document.
fn same_common(a: &Common, b: &Common) -> bool {
    let (x, y) = (&a.src, &b.src);
    x.rel == y.rel
        && x.shown == y.shown
        && x.stem == y.stem
        && a.draft == b.draft
        && a.slug.as_ref().map(located) == b.slug.as_ref().map(located)
}

fn located(l: &Located<String>) -> (&str, usize, usize) {
    (&l.value, l.line, l.col)
}

/// A figure as written (`Decimal`'s equality takes 1.5 for 1.50).
fn stat(s: &Stat) -> (usize, [u8; 16], bool, usize, usize) {
    let f = &s.figure;
    (s.metric, f.value.serialize(), f.approx, s.line, s.col)
}

impl Modelled for Report {
    fn src(&self) -> &Source {
        &self.common.src
    }

    fn same_model(&self, o: &Self) -> bool {
        same_common(&self.common, &o.common)
            && located(&self.unit) == located(&o.unit)
            && (self.date, self.period) == (o.date, o.period)
            && self.tags == o.tags
            && self.stats.iter().map(stat).eq(o.stats.iter().map(stat))
    }
}

impl Modelled for Article {
    fn src(&self) -> &Source {
        &self.common.src
    }

    fn same_model(&self, o: &Self) -> bool {
        same_common(&self.common, &o.common)
            && self.unit.as_ref().map(located) == o.unit.as_ref().map(located)
            && (self.date, &self.tags, &self.category) == (o.date, &o.tags, &o.category)
    }
}

impl Modelled for Page {
    fn src(&self) -> &Source {
        &self.common.src
    }

    fn same_model(&self, o: &Self) -> bool {
        same_common(&self.common, &o.common)
    }
}

/// Takes `docs` in place of the documents at `kept` (their addresses, in
/// load order): each the same `Arc`, or one read again that models as the
/// one it replaces, found among `entries` (`doc` reads an entry's); the
/// model's problems (`diags`) tell which files have any.
/// False when a document differs, or more than [`MAX_SWAPS`] were read
/// again.
fn swap_in<E, T: Modelled>(
    kept: &mut [usize],
    docs: &[Arc<T>],
    entries: &mut [E],
    doc: fn(&mut E) -> &mut Arc<T>,
    (swaps, diags): (&mut usize, &[Diagnostic]),
) -> bool {
    if kept.len() != docs.len() {
        return false;
    }
    for (old, new_doc) in kept.iter_mut().zip(docs) {
        let new = Arc::as_ptr(new_doc) as usize;
        if *old == new {
            continue;
        }
        *swaps += 1;
        if *swaps > MAX_SWAPS {
            return false;
        }
        let Some(slot) = entries.iter_mut().map(doc).find(|d| same_doc(d, *old)) else {
            return false;
        };
        let (was, now) = (slot.src(), new_doc.src());
        let same = was.fields == now.fields && was.rel == now.rel;
        // Other fields: the model's own problems are placed in the front
        // matter (a changed line moves them), so the file must have none.
        if !same && (!slot.same_model(new_doc) || diags.iter().any(|d| d.path == now.shown)) {
            return false;
        }
        *slot = new_doc.clone();
        *old = new;
    }
    true
}
