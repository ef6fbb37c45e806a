//! Per-document work, in parallel: each report's and article's slug, site
//! path, registry unit and tag spellings, read once into compact records,
//! returned newest first.

use super::paths::site_path;
use super::slugs::doc_slug;
use crate::config::SlugMode;
use crate::content::{Article, Common, Report};
use crate::hash::{hash_str, FxHashMap};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::Arc;

/// `Date::sort_key`.
type DateKey = (i32, u32, u32, u32);

/// A document's tags: (part, range of `TagSpellings::uses` of that part).
pub(super) type TagRef = (usize, Range<usize>);

/// A report or article with what the model derives from it alone.
pub(super) struct Prepared<T> {
    pub(super) doc: Arc<T>,
    date: DateKey,
    pub(super) slug: String,
    /// Site path: `prefix` + slug + `/`.
    pub(super) path: String,
    /// The source's `rel` and the site path again, for `Site::by_source`.
    pub(super) rel: String,
    pub(super) source_path: String,
    /// The unit, where a lookup settles it.
    pub(super) unit: Option<usize>,
    pub(super) tags: TagRef,
    /// `hash_str(slug)`, for claiming it without reading it again.
    pub(super) slug_hash: u64,
}

/// Tag spellings of a run of documents, each held once: documents refer
/// to them by number, so resolving tags later reads no text from the
/// documents (spread over the heap) and compares no strings.
#[derive(Default)]
pub(super) struct TagSpellings {
    pub(super) names: Vec<String>,
    /// The documents' spellings, as indices into `names`, end to end.
    pub(super) uses: Vec<usize>,
}

/// Prepared documents of one kind, newest first, and the spellings their
/// `tags` refer to (one per parallel part).
pub(super) struct PreparedSet<T> {
    pub(super) docs: Vec<Prepared<T>>,
    pub(super) spellings: Vec<TagSpellings>,
}

impl<T> PreparedSet<T> {
    /// The documents' `Site::by_source` entries, taken out.
    pub(super) fn take_sources(&mut self) -> Vec<(String, String)> {
        let take = std::mem::take;
        let docs = self.docs.iter_mut();
        docs.map(|p| (take(&mut p.rel), take(&mut p.source_path)))
            .collect()
    }
}

/// Reports and articles prepared: articles while reports are sorted.
/// `unit_of` finds a unit name in the registry.
pub(super) fn documents(
    reports: Vec<Arc<Report>>,
    articles: Vec<Arc<Article>>,
    unit_of: &FxHashMap<String, usize>,
    mode: SlugMode,
) -> (PreparedSet<Report>, PreparedSet<Article>) {
    rayon::join(
        || {
            prepare(
                reports,
                |r| &r.common,
                |r| r.date.sort_key(),
                |r| unit_of.get(&r.unit.value).copied(),
                |r| &r.tags,
                "reports/",
                mode,
            )
        },
        || {
            prepare(
                articles,
                |a| &a.common,
                |a| a.date.sort_key(),
                |a| a.unit.as_ref().and_then(|u| unit_of.get(&u.value).copied()),
                |a| &a.tags,
                "articles/",
                mode,
            )
        },
    )
}

/// Documents per parallel job of [`prepare`].
const PREPARE_CHUNK: usize = 1024;

/// Slugs, paths, units and tag spellings of documents, returned newest first.
/// Each document's fields live apart in memory, and reading them is what
/// costs (cache and TLB misses): they are read once, in parallel runs,
/// into compact records.
fn prepare<T: Send + Sync>(
    docs: Vec<Arc<T>>,
    common: impl Fn(&T) -> &Common + Sync,
    date: impl Fn(&T) -> DateKey + Sync,
    unit: impl Fn(&T) -> Option<usize> + Sync,
    tags: impl Fn(&T) -> &[String] + Sync,
    prefix: &str,
    mode: SlugMode,
) -> PreparedSet<T> {
    let parts: Vec<(Vec<Prepared<T>>, TagSpellings)> = docs
        .into_par_iter()
        .chunks(PREPARE_CHUNK)
        .enumerate()
        .map(|(part, chunk)| {
            let mut spellings = TagSpellings::default();
            let mut index: FxHashMap<String, usize> = FxHashMap::default();
            let prepared = chunk
                .into_iter()
                .map(|doc| {
                    let c = common(&doc);
                    let slug = doc_slug(&c.slug, &c.src.stem, mode);
                    let path = site_path(prefix, &slug);
                    let first = spellings.uses.len();
                    for t in tags(&doc) {
                        let n = match index.get(t.as_str()) {
                            Some(&n) => n,
                            None => {
                                spellings.names.push(t.clone());
                                index.insert(t.clone(), spellings.names.len() - 1);
                                spellings.names.len() - 1
                            }
                        };
                        spellings.uses.push(n);
                    }
                    Prepared {
                        date: date(&doc),
                        rel: c.src.rel.clone(),
                        source_path: path.clone(),
                        unit: unit(&doc),
                        tags: (part, first..spellings.uses.len()),
                        slug_hash: hash_str(&slug),
                        slug,
                        path,
                        doc,
                    }
                })
                .collect();
            (prepared, spellings)
        })
        .collect();
    let mut prepared = Vec::with_capacity(parts.iter().map(|(p, _)| p.len()).sum());
    let mut spellings = Vec::with_capacity(parts.len());
    for (p, s) in parts {
        prepared.extend(p.into_iter().map(Some));
        spellings.push(s);
    }
    let docs = newest_first(prepared, |p| p.date, |p| p.rel.as_str());
    PreparedSet { docs, spellings }
}

/// Orders newest date first, then by source path. Sorts compact (date,
/// index) keys; paths are compared only when the items do not already come
/// in path order (content is loaded in file-name order, which nearly always
/// is path order).
fn newest_first<T>(
    mut items: Vec<Option<T>>,
    date: impl Fn(&T) -> DateKey,
    rel: impl Fn(&T) -> &str,
) -> Vec<T> {
    // Items are all `Some`: each is taken out once, in order.
    let key = |x: &Option<T>| x.as_ref().map(&date);
    fn path_of<'a, T>(x: &'a Option<T>, rel: &impl Fn(&T) -> &str) -> &'a str {
        x.as_ref().map(rel).unwrap_or_default()
    }
    let path = |x| path_of(x, &rel);
    let mut keys: Vec<(Reverse<Option<DateKey>>, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, x)| (Reverse(key(x)), i))
        .collect();
    if items.windows(2).all(|w| path(&w[0]) < path(&w[1])) {
        // Index order is path order; keys are distinct.
        keys.sort_unstable();
    } else {
        keys.sort_by(|(da, a), (db, b)| {
            da.cmp(db)
                .then_with(|| path(&items[*a]).cmp(path(&items[*b])))
                .then(a.cmp(b))
        });
    }
    keys.into_iter()
        .filter_map(|(_, i)| items[i].take())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_then_by_path() {
        let items = vec![
            ((2024, 1, 1, 0), "b"),
            ((2024, 5, 1, 0), "z"),
            ((2024, 1, 1, 0), "a"),
            ((2024, 1, 1, 30), "c"),
            ((2023, 12, 31, 0), "d"),
        ];
        let sorted = newest_first(items.iter().copied().map(Some).collect(), |x| x.0, |x| x.1);
        let rels: Vec<&str> = sorted.iter().map(|x| x.1).collect();
        assert_eq!(rels, ["z", "c", "a", "b", "d"]);
        // Items already in path order take the index shortcut: same result.
        let mut by_path = items;
        by_path.sort_by_key(|x| x.1);
        let sorted = newest_first(by_path.into_iter().map(Some).collect(), |x| x.0, |x| x.1);
        let rels: Vec<&str> = sorted.iter().map(|x| x.1).collect();
        assert_eq!(rels, ["z", "c", "a", "b", "d"]);
    }
}
