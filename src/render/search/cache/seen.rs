//! Which documents an edit left alone, known without reading them: the
//! model's documents and bodies are shared (`Arc`) between the rebuilds of
//! `serve`, a changed one is a new `Arc`, so the cache keeps a [`Weak`] of
//! each document and body the last build read and compares pointers (a
//! `Weak` keeps its allocation, so no other value can come to sit at that
//! address while it is kept; neither `Arc::get_mut` nor `Arc::make_mut`
//! changes a value a `Weak` points at in place). A pass over these costs
//! what a pass over one array does (50k: well under a millisecond), where
//! gathering every document's input and hashing it (see
//! [`meta`](super::docs::meta)) walks the whole model (50k: ≈ 40 ms).
//!
//! An unchanged document's input is all the same when, besides its `Arc`
//! and its body's, these are: its unit (index, and the unit's name,
//! aliases and path, hashed for every unit: a thousand at 50k) and its
//! site path. Paths are covered by the link context (the site paths of
//! all sources, [`Refill::links`]), kept as a whole.

use super::super::input::DocRef;
use crate::render::markdown::Rendered;
use crate::render::{Bodies, Refill};
use crate::site::{Site, UnitEntry};
use std::sync::{Arc, Weak};

/// One report, article or page as the last build read it.
struct Entry<T> {
    doc: Weak<T>,
    body: Weak<Rendered>,
    /// Its unit's index + 1; 0: none.
    unit: usize,
}

impl<T> Entry<T> {
    fn new(doc: &Arc<T>, body: &Arc<Rendered>, unit: Option<usize>) -> Entry<T> {
        Entry {
            doc: Arc::downgrade(doc),
            body: Arc::downgrade(body),
            unit: unit.map_or(0, |u| u + 1),
        }
    }

    fn same(&self, doc: &Arc<T>, body: &Arc<Rendered>, unit: Option<usize>) -> bool {
        same(&self.doc, doc) && same(&self.body, body) && self.unit == unit.map_or(0, |u| u + 1)
    }
}

/// Whether `a` is `w`'s value (a `Weak` made empty never is).
fn same<T>(w: &Weak<T>, a: &Arc<T>) -> bool {
    std::ptr::eq(w.as_ptr(), Arc::as_ptr(a))
}

/// What the last build read its documents' inputs from.
#[derive(Default)]
pub(super) struct Seen {
    /// [`Refill::links`].
    links: u64,
    /// Per unit: [`unit_hash`].
    units: Vec<u64>,
    reports: Vec<Entry<crate::content::Report>>,
    articles: Vec<Entry<crate::content::Article>>,
    pages: Vec<Entry<crate::content::Page>>,
    unit_bodies: Vec<Weak<Rendered>>,
    /// The documents in id order ([`super::super::input::order`]).
    pub(super) order: Vec<DocRef>,
}

impl Seen {
    /// What `site` and `bodies` are now; `order`: the documents' order.
    pub(super) fn of(site: &Site, bodies: &Bodies, refill: &Refill, order: Vec<DocRef>) -> Seen {
        Seen {
            links: refill.links(),
            units: site.units.iter().map(unit_hash).collect(),
            reports: (site.reports.iter().zip(&bodies.reports))
                .map(|(r, b)| Entry::new(&r.doc, b, Some(r.unit)))
                .collect(),
            articles: (site.articles.iter().zip(&bodies.articles))
                .map(|(a, b)| Entry::new(&a.doc, b, a.unit))
                .collect(),
            pages: (site.pages.iter().zip(&bodies.pages))
                .map(|(p, b)| Entry::new(&p.doc, b, None))
                .collect(),
            unit_bodies: bodies.units.iter().map(Arc::downgrade).collect(),
            order,
        }
    }

    /// The ids (ascending) of the documents that may have changed since
    /// the last build; None when any may have (or come, gone or moved):
    /// other numbers of documents, another link context, a unit changed,
    /// a changed document's date out of its place in the order.
    pub(super) fn changes(
        &self,
        site: &Site,
        bodies: &Bodies,
        refill: &Refill,
    ) -> Option<Vec<usize>> {
        let lens = |s: &Site, b: &Bodies| {
            [
                (s.reports.len(), b.reports.len()),
                (s.articles.len(), b.articles.len()),
                (s.pages.len(), b.pages.len()),
                (s.units.len(), b.units.len()),
            ]
        };
        let had = [
            self.reports.len(),
            self.articles.len(),
            self.pages.len(),
            self.units.len(),
        ];
        let same_lens = lens(site, bodies)
            .iter()
            .zip(had)
            .all(|(&(s, b), h)| s == h && b == h);
        if !same_lens
            || self.unit_bodies.len() != self.units.len()
            || self.links != refill.links()
            || !site
                .units
                .iter()
                .map(unit_hash)
                .eq(self.units.iter().copied())
        {
            return None;
        }
        let changed: Vec<usize> = self
            .order
            .iter()
            .enumerate()
            .filter(|&(_, &doc)| !self.same_doc(site, bodies, doc))
            .map(|(id, _)| id)
            .collect();
        changed
            .iter()
            .all(|&id| self.in_place(site, id))
            .then_some(changed)
    }

    /// Whether `doc` and its body are the ones last read (the kind lists
    /// are as long as they were).
    fn same_doc(&self, site: &Site, bodies: &Bodies, doc: DocRef) -> bool {
        match doc {
            DocRef::Report(i) => {
                let r = &site.reports[i];
                self.reports[i].same(&r.doc, &bodies.reports[i], Some(r.unit))
            }
            DocRef::Article(i) => {
                let a = &site.articles[i];
                self.articles[i].same(&a.doc, &bodies.articles[i], a.unit)
            }
            DocRef::Page(i) => self.pages[i].same(&site.pages[i].doc, &bodies.pages[i], None),
            DocRef::Unit(i) => same(&self.unit_bodies[i], &bodies.units[i]),
        }
    }

    /// Whether the document at `id` is still where [`order`] puts it: its
    /// date sorts it between its neighbours (the others' dates are as they
    /// were). Pages and units always are.
    ///
    /// [`order`]: super::super::input::order
    fn in_place(&self, site: &Site, id: usize) -> bool {
        // Newest first; equal dates in list order, reports first.
        let rank = |doc: DocRef| match doc {
            DocRef::Report(i) => Some((std::cmp::Reverse(site.reports[i].doc.date.sort_key()), i)),
            DocRef::Article(i) => Some((
                std::cmp::Reverse(site.articles[i].doc.date.sort_key()),
                site.reports.len() + i,
            )),
            DocRef::Page(_) | DocRef::Unit(_) => None,
        };
        let Some(me) = rank(self.order[id]) else {
            return true;
        };
        let before = id.checked_sub(1).and_then(|p| rank(self.order[p]));
        let after = self.order.get(id + 1).and_then(|&d| rank(d));
        before.is_none_or(|b| b < me) && after.is_none_or(|a| me < a)
    }

    /// Takes the documents at `ids` as they are now.
    pub(super) fn update(&mut self, site: &Site, bodies: &Bodies, ids: &[usize]) {
        for &id in ids {
            match self.order[id] {
                DocRef::Report(i) => {
                    let r = &site.reports[i];
                    self.reports[i] = Entry::new(&r.doc, &bodies.reports[i], Some(r.unit));
                }
                DocRef::Article(i) => {
                    let a = &site.articles[i];
                    self.articles[i] = Entry::new(&a.doc, &bodies.articles[i], a.unit);
                }
                DocRef::Page(i) => {
                    self.pages[i] = Entry::new(&site.pages[i].doc, &bodies.pages[i], None)
                }
                DocRef::Unit(i) => self.unit_bodies[i] = Arc::downgrade(&bodies.units[i]),
            }
        }
    }

    /// Heap bytes held.
    pub(super) fn held(&self) -> usize {
        let entry = size_of::<Entry<()>>();
        (self.reports.len() + self.articles.len() + self.pages.len()) * entry
            + self.unit_bodies.len() * 8
            + self.units.len() * 8
            + self.order.len() * size_of::<DocRef>()
    }
}

/// A hash of what the index reads of a unit for its documents and its own
/// page: name, aliases and site path.
fn unit_hash(u: &UnitEntry) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for s in std::iter::once(&u.name)
        .chain(&u.aliases)
        .chain(std::iter::once(&u.path))
    {
        h.update(s.as_bytes());
        h.update(&[0xff]);
    }
    h.update(&u.aliases.len().to_le_bytes());
    h.digest()
}
