//! How `serve` reuses a rendered file without building its context: the
//! [`Versions`] of the model's entities in one build, and per job a
//! signature ([`Sig`]) combining the versions of exactly what its kind's
//! context reads (each [`super::Kind`]'s `reads`, next to its `render`).

use super::{Ctx, ListPage, KINDS};
use crate::hash::HashedMap;
use crate::output::Blob;
use crate::render::markdown::Rendered;
use crate::render::Bodies;
use crate::site::Site;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;

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
pub(crate) fn json_hash<T: Serialize + ?Sized>(seed: u64, value: &T) -> Option<u64> {
    let mut h = HashWriter(xxhash_rust::xxh3::Xxh3::with_seed(seed));
    serde_json::to_writer(&mut h, value).ok()?;
    Some(h.0.digest())
}

/// A file rendered in an earlier build: site path, bytes, is an HTML page,
/// context hash (see [`CacheRun::prev`]).
pub(crate) type Signed = (String, Blob, bool, Option<u64>);

/// One build's use of a [`super::RenderCache`]: the previous build's
/// outputs by input hash, and this build's, filled as jobs run.
pub(crate) struct CacheRun {
    /// Versions of this build's entities, for job signatures.
    pub(crate) versions: Versions,
    /// This build's outputs by job signature ([`Ctx::signature`]); the
    /// previous build's are looked up before any context is built.
    pub(crate) next_signed: Mutex<HashedMap<Signed>>,
    /// Hash of everything every template sees: template sources, the
    /// `site` global, `stats()`.
    pub(crate) global: u64,
    pub(crate) prev: HashedMap<Blob>,
    pub(crate) next: Mutex<HashedMap<Blob>>,
    pub(crate) rendered: AtomicUsize,
    pub(crate) reused: AtomicUsize,
    /// The sink starts from the files of the build the previous outputs
    /// are from ([`Sink::carries`](crate::output::Sink::carries)): a file
    /// reused unchanged is not written again, and a previous output no
    /// job of this build has is forgotten.
    pub(crate) carry: bool,
}

impl CacheRun {
    /// Keeps a written file for the next build: by context hash (the
    /// last of `signed`) and by job signature `sig`, as the handle its
    /// sink returned.
    pub(crate) fn keep(&self, sig: Option<u64>, signed: Signed) {
        if let Some(key) = signed.3 {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            next.insert(key, signed.1.clone());
        }
        if let Some(sig) = sig {
            let mut next = self.next_signed.lock().unwrap_or_else(|p| p.into_inner());
            next.insert(sig, signed);
        }
    }
}

/// The pieces of a dependency signature, gathered as bytes and hashed
/// (xxh3) once at the end: the same digest as a running xxh3 over them,
/// without its state (a copy of its secret per signature, a buffered
/// copy per piece), which cost more than the hashing for tens of
/// thousands of small signatures per rebuild.
pub(crate) struct Sig(Vec<u8>);

impl Sig {
    pub(crate) fn new(seed: u64) -> Sig {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(&seed.to_le_bytes());
        Sig(bytes)
    }
    pub(crate) fn u(&mut self, x: u64) -> &mut Sig {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }
    pub(crate) fn s(&mut self, x: &str) -> &mut Sig {
        self.u(x.len() as u64);
        self.0.extend_from_slice(x.as_bytes());
        self
    }
    pub(crate) fn all(&mut self, xs: &[u64]) -> &mut Sig {
        self.u(xs.len() as u64);
        xs.iter().for_each(|&x| {
            self.u(x);
        });
        self
    }
    pub(crate) fn done(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
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
pub(crate) struct Versions {
    /// Templates, the `site` global, configuration (and `stats()` when a
    /// template calls it).
    pub(crate) global: u64,
    /// The aggregated figures.
    pub(crate) stats: u64,
    /// Per [`KINDS`] entry: its template's source and all it may reach
    /// (0 for kinds without a template).
    pub(crate) template: Vec<u64>,
    pub(crate) reports: Vec<u64>,
    pub(crate) articles: Vec<u64>,
    /// A report or article as a list item, feed entry, neighbour link or
    /// sitemap entry: title, path, date, summary, period, tags, unit,
    /// category, author — not its body.
    pub(crate) report_items: Vec<u64>,
    pub(crate) article_items: Vec<u64>,
    pub(crate) pages: Vec<u64>,
    /// A unit as a card: link, introduction, counts, latest date.
    pub(crate) units: Vec<u64>,
    /// The figures a unit's page shows (`stats::unit_key`).
    pub(crate) unit_stats: Vec<u64>,
    pub(crate) tags: Vec<u64>,
    pub(crate) categories: Vec<u64>,
}

impl Versions {
    /// `global` covers the template sources and the `site` global;
    /// `stats_hash`: the key of stats.json (`StatsJson::key`); `stats_fn`: some template
    /// calls `stats()`.
    pub(crate) fn new(
        (site, figures): (&Site, &crate::site::stats::Stats),
        bodies: &Bodies,
        global: u64,
        templates: &[(&String, &str)],
        stats_hash: u64,
        stats_fn: bool,
    ) -> Versions {
        // The 报送情况 section, when shown, depends on reports and the day.
        let stats = stats_hash ^ crate::render::status::section_hash(site);
        let template = template_versions(templates);
        let mut g = Sig::new(global);
        g.s(&format!("{:?}", site.config));
        if stats_fn {
            g.u(stats);
        }
        let global = g.done();
        let unit_links = unit_links(site);
        let units = unit_versions(site, bodies, &unit_links);
        let unit_stats = (0..site.units.len())
            .map(|u| crate::render::stats::unit_key(figures, u))
            .collect();
        let table = term_table(site);
        let units_of = |u: Option<usize>| u.map_or(0, |u| unit_links[u]);
        let (reports, report_items) = site
            .reports
            .par_iter()
            .zip(&bodies.reports)
            .map(|(r, m)| {
                let d = &r.doc;
                let own = d.summary.is_some();
                doc_versions(table, (&d.common, &r.path, m), units_of(Some(r.unit)), own)
            })
            .unzip();
        let (articles, article_items) = site
            .articles
            .par_iter()
            .zip(&bodies.articles)
            .map(|(a, m)| {
                let d = &a.doc;
                let own = d.summary.is_some();
                doc_versions(table, (&d.common, &a.path, m), units_of(a.unit), own)
            })
            .unzip();
        let pages = site.pages.iter().zip(&bodies.pages);
        Versions {
            global,
            stats,
            template,
            report_items,
            article_items,
            reports,
            articles,
            pages: pages
                .map(|(p, m)| doc_versions(table, (&p.doc.common, &p.path, m), 0, true).0)
                .collect(),
            tags: site.tags.iter().map(term_version).collect(),
            categories: site.categories.iter().map(term_version).collect(),
            units,
            unit_stats,
        }
    }
}

/// Per [`KINDS`] entry, its template's version. A page template's output
/// depends on its own source and on every template it may reach: those no
/// job renders directly (base.html, components) and any page template
/// named in another's source.
fn template_versions(templates: &[(&String, &str)]) -> Vec<u64> {
    let shared = |name: &str| {
        !KINDS.iter().any(|k| k.template == Some(name))
            || templates
                .iter()
                .any(|(n, src)| n.as_str() != name && src.contains(&format!("\"{name}\"")))
    };
    let mut common = Sig::new(4);
    for (name, src) in templates.iter().filter(|(n, _)| shared(n)) {
        common.s(name).s(src);
    }
    let common = common.done();
    KINDS
        .iter()
        .map(|k| {
            let Some(name) = k.template else { return 0 };
            let src = templates.iter().find(|(n, _)| n.as_str() == name);
            let mut h = Sig::new(common);
            h.s(name).s(src.map_or("\u{0}", |(_, s)| s));
            h.done()
        })
        .collect()
}

/// Each unit as a link (id, name, kind, path…).
fn unit_links(site: &Site) -> Vec<u64> {
    site.units
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
        .collect()
}

/// Each unit as a card: its link, introduction, counts, latest date.
fn unit_versions(site: &Site, bodies: &Bodies, unit_links: &[u64]) -> Vec<u64> {
    site.units
        .iter()
        .zip(unit_links)
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
        .collect()
}

/// A tag or category: name, slug, path, counts.
fn term_version(t: &crate::site::Term) -> u64 {
    Sig::new(2)
        .s(&t.name)
        .s(&t.slug)
        .s(&t.path)
        .u(t.reports.len() as u64)
        .u(t.articles.len() as u64)
        .done()
}

/// Items show their tags and category as links: every term's name and
/// path (not their counts) is part of each document's version.
fn term_table(site: &Site) -> u64 {
    let mut table = Sig::new(3);
    for t in site.tags.iter().chain(&site.categories) {
        table.s(&t.name).s(&t.path);
    }
    table.done()
}

/// xxh3 of up to eight u64s seeded with `seed`, without a buffer on the
/// heap (as [`Sig`] would make).
fn mix<const N: usize>(seed: u64, xs: [u64; N]) -> u64 {
    let mut bytes = [0u8; 64];
    for (b, x) in bytes.chunks_exact_mut(8).zip(xs) {
        b.copy_from_slice(&x.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[..8 * N.min(8)], seed)
}

/// A document's version (see [`Versions::reports`]) and its version as a
/// list item ([`Versions::report_items`]), both seeded with the term
/// table. The document: its body's key (its text, path and the link
/// context), its site path and unit. The item: its fields by the hash of
/// the front matter they are read from ([`Source::fields`]: no field is
/// read, which at 50k cost 25–45 ms a rebuild, the fields spread over the
/// heap), its site path and unit, and its summary when the body's first
/// paragraph stands in for one (`own_summary` false).
///
/// [`Source::fields`]: crate::content::Source::fields
fn doc_versions(
    table: u64,
    (d, path, body): (&crate::content::Common, &str, &Rendered),
    unit_link: u64,
    own_summary: bool,
) -> (u64, u64) {
    let path = xxhash_rust::xxh3::xxh3_64(path.as_bytes());
    let doc = mix(table, [body.key, path, unit_link]);
    let summary = match own_summary {
        true => 0,
        false => xxhash_rust::xxh3::xxh3_64(body.summary.as_bytes()),
    };
    let item = mix(table, [d.src.fields, path, unit_link, summary]);
    (doc, item)
}

impl Ctx<'_> {
    /// Adds the versions of the items on list page `page` of `reports`
    /// then `articles` (chosen as [`ListPage::of`] chooses them for the
    /// context), with the list's length (the paginator).
    pub(crate) fn list_sig(
        &self,
        v: &Versions,
        h: &mut Sig,
        page: usize,
        reports: &[usize],
        articles: &[usize],
    ) {
        let l = ListPage::of(self.site, page, reports, articles);
        h.u(l.len() as u64);
        for it in l.items() {
            h.u(match it {
                Ok(i) => v.report_items[i],
                Err(i) => v.article_items[i],
            });
        }
    }
}
