//! What the index reads of the model: one [`DocInput`] per report, article,
//! page and unit, in id order (newest first, then pages, then units).

use super::format::{Row, BODY, TAGS, TITLE, UNIT};
use crate::render::markdown::Rendered;
use crate::render::Bodies;
use crate::site::Site;

/// One document's contribution to the index, borrowed from the model
/// (nothing is copied: `serve` gathers these on every rebuild). Its
/// `text/<n>.json` row is title, site path, date, tags and `text`, cut to a
/// snippet only when its chunk is written, so a large site's snippets never
/// all sit in memory.
pub(super) struct DocInput<'a> {
    pub(super) title: &'a str,
    pub(super) path: &'a str,
    /// Reports and articles; shown as [`Date::ymd`](crate::content::Date::ymd).
    pub(super) date: Option<crate::content::Date>,
    pub(super) tags: &'a [String],
    pub(super) category: Option<&'a str>,
    pub(super) unit: Option<&'a crate::site::UnitEntry>,
    /// Summary, author and source, found as body text.
    pub(super) extras: [Option<&'a str>; 3],
    /// `(unit + 1) * 4 + kind` (kind 3: the unit's own page).
    pub(super) ku: usize,
    /// The body's plain text ([`BODY`]).
    pub(super) text: &'a str,
    /// [`super::markdown::Rendered::key`] of the body: equal keys, equal
    /// `text`; 0 when unknown.
    pub(super) key: u64,
    /// Of a light body (no `text`): the hash of its plain text.
    pub(super) text_hash: Option<u64>,
}

impl DocInput<'_> {
    /// The date as rows show it; empty for pages.
    pub(super) fn ymd(&self) -> String {
        self.date.map(|d| d.ymd()).unwrap_or_default()
    }

    /// Calls `f` with the document's row of a text chunk (see [`Row`]).
    pub(super) fn with_row<R>(&self, f: impl FnOnce(&Row) -> R) -> R {
        let (date, more) = (self.ymd(), self.more_text());
        f(&Row {
            title: self.title,
            path: self.path,
            date: &date,
            tags: self.tags,
            more: &more,
        })
    }

    /// The texts the document is found by that its row has no place for.
    fn more_text(&self) -> String {
        let aliases = self
            .unit
            .into_iter()
            .flat_map(|u| u.aliases.iter().map(String::as_str));
        let all: Vec<&str> = aliases
            .chain(self.category)
            .chain(self.extras.into_iter().flatten())
            .collect();
        all.join("\n")
    }

    /// Calls `f` with every text the document is found by and its field:
    /// title, unit names, tags and category, body text and the year of the
    /// date. Tokenizing pieces one by one equals tokenizing them joined by
    /// spaces or newlines (both end a CJK run and a word), so nothing is
    /// concatenated; a document's postings (field bits, body term
    /// frequency) do not depend on the order.
    pub(super) fn each_text(&self, mut f: impl FnMut(&str, u8)) {
        f(self.title, TITLE);
        if let Some(u) = self.unit {
            f(&u.name, UNIT);
            for a in &u.aliases {
                f(a, UNIT);
            }
        }
        for t in self.tags.iter().map(String::as_str).chain(self.category) {
            f(t, TAGS);
        }
        for x in self.extras.into_iter().flatten() {
            f(x, BODY);
        }
        f(self.text, BODY);
        // Reports and articles are found by their year too.
        if let Some(year) = self.ymd().get(..4) {
            f(year, BODY);
        }
    }
}

/// A document of the index: which report, article, page or unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocRef {
    Report(usize),
    Article(usize),
    Page(usize),
    Unit(usize),
}

/// The documents of the index in id order: reports and articles merged
/// newest first (each list already is), then pages, then units.
pub fn order(site: &Site) -> Vec<DocRef> {
    let mut dated: Vec<(crate::content::Date, DocRef)> = site
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.doc.date, DocRef::Report(i)))
        .chain(
            site.articles
                .iter()
                .enumerate()
                .map(|(i, a)| (a.doc.date, DocRef::Article(i))),
        )
        .collect();
    dated.sort_by_key(|d| std::cmp::Reverse(d.0.sort_key()));
    let mut order: Vec<DocRef> =
        Vec::with_capacity(dated.len() + site.pages.len() + site.units.len());
    order.extend(dated.into_iter().map(|d| d.1));
    order.extend((0..site.pages.len()).map(DocRef::Page));
    // Unit pages last: found by name, aliases (UNIT) and introduction.
    order.extend((0..site.units.len()).map(DocRef::Unit));
    order
}

/// The index's input of document `doc`, whose rendered body is `m`.
pub(super) fn input<'a>(site: &'a Site, doc: DocRef, m: &'a Rendered) -> DocInput<'a> {
    match doc {
        DocRef::Report(i) => {
            let r = &site.reports[i];
            let d = &r.doc;
            DocInput {
                title: &d.common.title,
                path: &r.path,
                date: Some(d.date),
                tags: &d.tags,
                category: None,
                unit: Some(&site.units[r.unit]),
                extras: [&d.summary, &d.author, &d.source].map(Option::as_deref),
                ku: (r.unit + 1) * 4,
                text: &m.plain,
                key: m.key,
                text_hash: m.light.then_some(m.plain_hash),
            }
        }
        DocRef::Article(i) => {
            let a = &site.articles[i];
            let d = &a.doc;
            DocInput {
                title: &d.common.title,
                path: &a.path,
                date: Some(d.date),
                tags: &d.tags,
                category: d.category.as_deref(),
                unit: a.unit.map(|u| &site.units[u]),
                extras: [&d.summary, &d.author, &d.source].map(Option::as_deref),
                ku: a.unit.map_or(0, |u| u + 1) * 4 + 1,
                text: &m.plain,
                key: m.key,
                text_hash: m.light.then_some(m.plain_hash),
            }
        }
        DocRef::Page(i) => DocInput {
            title: &site.pages[i].doc.common.title,
            path: &site.pages[i].path,
            date: None,
            tags: &[],
            category: None,
            unit: None,
            extras: [None; 3],
            ku: 2,
            text: &m.plain,
            key: m.key,
            text_hash: m.light.then_some(m.plain_hash),
        },
        DocRef::Unit(i) => {
            let u = &site.units[i];
            DocInput {
                title: &u.name,
                path: &u.path,
                date: None,
                tags: &[],
                category: None,
                unit: Some(u),
                extras: [None; 3],
                ku: (i + 1) * 4 + 3,
                text: &m.plain,
                key: m.key,
                text_hash: m.light.then_some(m.plain_hash),
            }
        }
    }
}

/// The documents of the index in id order, and the unit names.
pub(super) fn inputs<'a>(site: &'a Site, bodies: &'a Bodies) -> (Vec<&'a str>, Vec<DocInput<'a>>) {
    let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
    let inputs = order(site)
        .into_iter()
        .map(|doc| input(site, doc, bodies.of(doc)))
        .collect();
    (units, inputs)
}
