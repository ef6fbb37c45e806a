//! Terms: tags over reports and articles (`Foo` and `foo` are one tag,
//! named as first spelled), then tags and categories ordered most used
//! first, and names that make no slug reported.

use super::paths::site_path;
use super::prepare::{TagRef, TagSpellings};
use super::slug::slugify;
use super::slugs::unique;
use super::{ArticleEntry, Term};
use crate::config::SlugMode;
use crate::diagnostics::{text, Diagnostic};
use crate::hash::FxHashMap;
use std::collections::HashMap;

/// The tags of the placed reports and then articles: each document's tags
/// are `TagRef`s into the spellings of its kind.
pub(super) fn tags(
    reports: (&[TagRef], &[TagSpellings]),
    articles: (&[TagRef], &[TagSpellings]),
    mode: SlugMode,
) -> Vec<Term> {
    let mut tags: Vec<Term> = Vec::new();
    let mut tag_index: HashMap<String, usize> = HashMap::new();
    let mut tag_slugs: HashMap<String, String> = HashMap::new();
    let mut tag_of = |name: &str, tags: &mut Vec<Term>| -> usize {
        let key = name.to_lowercase();
        if let Some(&i) = tag_index.get(&key) {
            return i;
        }
        let slug = unique(slugify(name, mode), &mut tag_slugs, &key);
        tags.push(Term {
            path: site_path("tags/", &slug),
            name: name.to_string(),
            slug,
            reports: vec![],
            articles: vec![],
        });
        tag_index.insert(key, tags.len() - 1);
        tags.len() - 1
    };
    // Keys: (reports or articles, part, spelling).
    let n_reports = reports.0.len();
    let spellings = [reports.1, articles.1];
    let uses = |kind: usize, (part, range): &TagRef| {
        let part = *part;
        spellings[kind][part].uses[range.clone()]
            .iter()
            .map(move |&n| (kind, part, n))
    };
    let docs = reports
        .0
        .iter()
        .map(|t| uses(0, t))
        .chain(articles.0.iter().map(|t| uses(1, t)));
    let name = |(kind, part, n): (usize, usize, usize)| spellings[kind][part].names[n].as_str();
    for (i, ti) in resolve_tags(docs, |k| tag_of(name(k), &mut tags)) {
        if i < n_reports {
            tags[ti].reports.push(i);
        } else {
            tags[ti].articles.push(i - n_reports);
        }
    }
    tags
}

/// (document, tag) for each document's distinct tags, documents in order,
/// tags as `tag_of` numbers them. Documents name tags by keys (a spelling,
/// or its number); `tag_of` is called on a key's first use, in document
/// order, so it can number tags as it meets them.
fn resolve_tags<K: Copy + Eq + std::hash::Hash>(
    docs: impl Iterator<Item = impl Iterator<Item = K>>,
    mut tag_of: impl FnMut(K) -> usize,
) -> Vec<(usize, usize)> {
    // Keys met so far, so a name is lowercased once, not per use.
    let mut spelled: FxHashMap<K, usize> = FxHashMap::default();
    let mut out = Vec::new();
    for (i, names) in docs.enumerate() {
        // A document's distinct tags are few: the tail of `out` is its set.
        let from = out.len();
        for t in names {
            let ti = *spelled.entry(t).or_insert_with(|| tag_of(t));
            if !out[from..].contains(&(i, ti)) {
                out.push((i, ti));
            }
        }
    }
    out
}

/// Tags and categories most used first, then by slug; articles point at
/// the sorted categories. A name that makes no slug is an error.
pub(super) fn sort_terms(
    tags: &mut [Term],
    categories: &mut [Term],
    articles: &mut [ArticleEntry],
    diags: &mut Vec<Diagnostic>,
) {
    tags.sort_by(|a, b| {
        (b.reports.len() + b.articles.len())
            .cmp(&(a.reports.len() + a.articles.len()))
            .then(a.slug.cmp(&b.slug))
    });
    categories.sort_by(|a, b| {
        b.articles
            .len()
            .cmp(&a.articles.len())
            .then(a.slug.cmp(&b.slug))
    });
    for (ci, c) in categories.iter().enumerate() {
        for &a in &c.articles {
            articles[a].category = Some(ci);
        }
    }
    for t in tags.iter().chain(categories.iter()) {
        if t.slug.is_empty() {
            diags.push(Diagnostic::error(crate::content::DIR, 0, 0, text!("cannot make a URL slug from the name `{}`", t.name; "无法从名称 `{}` 生成网址", t.name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags as a pass over the documents, in order, makes them.
    fn resolve_tags_serially(doc_tags: &[&[String]]) -> (Vec<String>, Vec<Vec<usize>>) {
        let mut names: Vec<String> = Vec::new();
        let ids = doc_tags
            .iter()
            .map(|tags| {
                let mut ids = Vec::new();
                for t in tags.iter() {
                    let key = t.to_lowercase();
                    let ti = match names.iter().position(|n| n.to_lowercase() == key) {
                        Some(i) => i,
                        None => {
                            names.push(t.clone());
                            names.len() - 1
                        }
                    };
                    if !ids.contains(&ti) {
                        ids.push(ti);
                    }
                }
                ids
            })
            .collect();
        (names, ids)
    }

    #[test]
    fn tags_resolve_in_first_use_order() {
        let spellings = [
            "控烟",
            "Foo",
            "foo",
            "FOO",
            "bar",
            "Bar",
            "病媒生物防制",
            "x",
        ];
        // A fixed pseudo-random mix, large enough to split across threads.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let docs: Vec<Vec<String>> = (0..5000)
            .map(|i| {
                // The rarest spellings first appear late.
                let pool = if i < 3000 { 4 } else { spellings.len() };
                (0..next() % 4)
                    .map(|_| spellings[next() % pool].to_string())
                    .collect()
            })
            .collect();
        let doc_tags: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
        let (want_names, want_ids) = resolve_tags_serially(&doc_tags);
        let want_ids: Vec<(usize, usize)> = want_ids
            .iter()
            .enumerate()
            .flat_map(|(i, ids)| ids.iter().map(move |&t| (i, t)))
            .collect();
        let mut names: Vec<String> = Vec::new();
        let docs_names = docs.iter().map(|d| d.iter().map(String::as_str));
        let ids = resolve_tags(docs_names, |t| {
            let key = t.to_lowercase();
            match names.iter().position(|n| n.to_lowercase() == key) {
                Some(i) => i,
                None => {
                    names.push(t.to_string());
                    names.len() - 1
                }
            }
        });
        assert_eq!(names, want_names);
        assert_eq!(ids, want_ids);
    }
}
