//! Slug claims: a document's slug (front matter or file name), a unique
//! slug among taken ones (`-2`, `-3`…), and the claim that reports a
//! located error when two documents of a kind want one URL.

use super::slug::slugify;
use crate::config::SlugMode;
use crate::content::{Located, Source};
use crate::diagnostics::{text, Diagnostic};
use crate::hash::{FxHashMap, HashedMap};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// The front matter's `slug:`, or the file name made a slug.
pub(super) fn doc_slug(slug: &Option<Located<String>>, stem: &str, mode: SlugMode) -> String {
    match slug {
        Some(s) => s.value.clone(),
        None => slugify(stem, mode),
    }
}

/// Picks a unique slug from `wanted` among `taken`, adding `-2`, `-3`…
pub(super) fn unique(wanted: String, taken: &mut HashMap<String, String>, owner: &str) -> String {
    let mut s = wanted.clone();
    let mut n = 2;
    while let Some(o) = taken.get(&s) {
        if o == owner {
            return s;
        }
        s = format!("{wanted}-{n}");
        n += 1;
    }
    taken.insert(s.clone(), owner.to_string());
    s
}

/// The slugs of one kind of document claimed so far.
pub(super) struct Slugger<'a> {
    kind: &'static str,
    /// Slug hash → the first claim of a slug with that hash.
    by_hash: HashedMap<(&'a str, &'a Source)>,
    /// Slugs whose hash an earlier, different slug has (next to never).
    collided: FxHashMap<&'a str, &'a Source>,
}

impl<'a> Slugger<'a> {
    pub(super) fn new(kind: &'static str, capacity: usize) -> Self {
        Slugger {
            kind,
            by_hash: HashedMap::with_capacity_and_hasher(capacity, Default::default()),
            collided: FxHashMap::default(),
        }
    }

    /// Claims `slug` (whose `hash_str` is `hash`) for `src`.
    pub(super) fn claim(
        &mut self,
        slug: &'a str,
        hash: u64,
        src: &'a Source,
        // The front matter's `slug:`, read only to place an error.
        at: &Option<Located<String>>,
        diags: &mut Vec<Diagnostic>,
    ) {
        if slug.is_empty() {
            diags.push(Diagnostic::error(&src.shown, 1, 1, text!("cannot make a URL slug from the file name `{}`", src.stem;
                "无法从文件名 `{}` 生成网址", src.stem)).with_hint(text!("add `slug: some-name` to the front matter"; "请在元数据中添加 `slug: some-name`")));
            return;
        }
        // Strings are compared only when hashes are equal.
        let other = match self.by_hash.entry(hash) {
            Entry::Vacant(v) => {
                v.insert((slug, src));
                return;
            }
            Entry::Occupied(o) if o.get().0 == slug => o.get().1,
            Entry::Occupied(_) => match self.collided.entry(slug) {
                Entry::Vacant(v) => {
                    v.insert(src);
                    return;
                }
                Entry::Occupied(o) => *o.get(),
            },
        };
        let (line, col) = at.as_ref().map(|l| (l.line, l.col)).unwrap_or((1, 1));
        diags.push(Diagnostic::error(&src.shown, line, col, text!(
            "{} URL `{}` is already used by {}", self.kind, slug, other.shown.display();
            "{}网址 `{}` 已被 {} 使用", self.kind_zh(), slug, other.shown.display()))
        .with_hint(text!("give one of the two files a different `slug:`"; "请为其中一个文件设置不同的 `slug:`")));
    }

    fn kind_zh(&self) -> &'static str {
        match self.kind {
            "report" => "报告",
            "article" => "文章",
            _ => "页面",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::hash_str;

    fn source(name: &str) -> Source {
        Source::in_memory(
            format!("content/reports/{name}.md").into(),
            format!("reports/{name}.md"),
            name.into(),
            Default::default(),
        )
    }

    #[test]
    fn slug_claims_compare_strings_when_hashes_meet() {
        let srcs: Vec<Source> = ["a", "b", "c", "d"].into_iter().map(source).collect();
        let mut slugger = Slugger::new("report", 4);
        let mut diags = Vec::new();
        // Different slugs, one hash: no conflict; equal slugs: one, naming
        // the first claimant, whichever way the slug was filed.
        slugger.claim("x", 7, &srcs[0], &None, &mut diags);
        slugger.claim("y", 7, &srcs[1], &None, &mut diags);
        assert!(diags.is_empty());
        slugger.claim("y", 7, &srcs[2], &None, &mut diags);
        slugger.claim("x", 7, &srcs[3], &None, &mut diags);
        let said: Vec<String> = diags
            .iter()
            .map(|d| format!("{} {}", d.path.display(), d.message.en))
            .collect();
        assert_eq!(
            said,
            [
                "content/reports/c.md report URL `y` is already used by content/reports/b.md",
                "content/reports/d.md report URL `x` is already used by content/reports/a.md",
            ]
        );
        // Real hashes of different slugs differ; equal ones conflict.
        let mut slugger = Slugger::new("report", 4);
        let mut diags = Vec::new();
        for (slug, src) in [("r1", &srcs[0]), ("r2", &srcs[1]), ("r1", &srcs[2])] {
            slugger.claim(slug, hash_str(slug), src, &None, &mut diags);
        }
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn unique_slugs_count_up_and_keep_an_owners_own() {
        let mut taken = HashMap::new();
        assert_eq!(unique("a".into(), &mut taken, "A"), "a");
        assert_eq!(unique("a".into(), &mut taken, "a"), "a-2");
        assert_eq!(unique("a".into(), &mut taken, "A"), "a");
        assert_eq!(unique("a".into(), &mut taken, "á"), "a-3");
    }
}
