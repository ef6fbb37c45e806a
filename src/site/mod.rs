//! The model: documents resolved into a lookup table — slugs and site paths,
//! units (registry or derived), tags and categories with their members,
//! newest-first orderings — checked for collisions and unknown names.
//! Nothing here renders; templates see it through `render::views`.

pub mod figures;
pub mod paths;
pub mod pinyin;
pub mod reporting;
pub mod slug;
pub mod stats;

use crate::config::{Config, SlugMode};
use crate::content::{
    Article, Asset, Common, Content, Held, Located, Page, Report, Source, UNIT_TYPES,
};
use crate::diagnostics::{closest, text, Diagnostic};
use crate::hash::{hash_str, FxHashMap, HashedMap};
use rayon::prelude::*;
use slug::slugify;
use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug)]
pub struct ReportEntry {
    pub doc: Arc<Report>,
    pub slug: String,
    /// Site path without base, with trailing slash: `reports/tao-le-zhen/`.
    pub path: String,
    /// Index into `Site::units`.
    pub unit: usize,
}

#[derive(Debug)]
pub struct ArticleEntry {
    pub doc: Arc<Article>,
    pub slug: String,
    pub path: String,
    pub unit: Option<usize>,
    /// Index into `Site::categories`.
    pub category: Option<usize>,
}

#[derive(Debug)]
pub struct PageEntry {
    pub doc: Arc<Page>,
    pub slug: String,
    pub path: String,
}

#[derive(Debug)]
pub struct UnitEntry {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub order: Option<u64>,
    /// The unit's own `reporting:` override.
    pub reporting: Option<crate::schedule::UnitReporting>,
    /// The registry file (its body is the introduction), if any.
    pub src: Option<Source>,
    pub extra: serde_json::Value,
    pub path: String,
    /// Report indices, newest first.
    pub reports: Vec<usize>,
    pub articles: Vec<usize>,
}

/// A tag or a category: a name with its slug and members (newest first).
#[derive(Debug)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub reports: Vec<usize>,
    pub articles: Vec<usize>,
}

/// The whole site, resolved.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first.
    pub reports: Vec<ReportEntry>,
    /// Newest first.
    pub articles: Vec<ArticleEntry>,
    pub pages: Vec<PageEntry>,
    /// Ordered by type (SPEC order), then `order`, then name.
    pub units: Vec<UnitEntry>,
    /// Most used first, then by name.
    pub tags: Vec<Term>,
    pub categories: Vec<Term>,
    pub assets: Vec<Asset>,
    /// Drafts and documents awaiting review (kept in the site or not).
    pub held: Vec<Held>,
    /// `content/`-relative Markdown path → site path (for relative links).
    pub by_source: HashMap<String, String>,
    /// Documents not in the model because of an error already reported
    /// (an unknown unit); kept so their bodies' links are checked too.
    pub unplaced: Vec<Source>,
}

/// `Date::sort_key`.
type DateKey = (i32, u32, u32, u32);

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

/// A report or article with what the model derives from it alone.
struct Prepared<T> {
    doc: Arc<T>,
    date: DateKey,
    slug: String,
    /// Site path: `prefix` + slug + `/`.
    path: String,
    /// The source's `rel` and the site path again, for `Site::by_source`.
    rel: String,
    source_path: String,
    /// The unit, where a lookup settles it.
    unit: Option<usize>,
    /// Its tags: (part, range of `TagSpellings::uses` of that part).
    tags: (usize, std::ops::Range<usize>),
    /// `hash_str(slug)`, for claiming it without reading it again.
    slug_hash: u64,
}

/// Tag spellings of a run of documents, each held once: documents refer
/// to them by number, so resolving tags later reads no text from the
/// documents (spread over the heap) and compares no strings.
#[derive(Default)]
struct TagSpellings {
    names: Vec<String>,
    /// The documents' spellings, as indices into `names`, end to end.
    uses: Vec<usize>,
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
) -> (Vec<Prepared<T>>, Vec<TagSpellings>) {
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
    let prepared = newest_first(prepared, |p| p.date, |p| p.rel.as_str());
    (prepared, spellings)
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

/// `prefix` + `slug` + `/`, without the formatting machinery.
fn site_path(prefix: &str, slug: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + slug.len() + 1);
    p.push_str(prefix);
    p.push_str(slug);
    p.push('/');
    p
}

/// Picks a unique slug from `wanted` among `taken`, adding `-2`, `-3`…
fn unique(wanted: String, taken: &mut HashMap<String, String>, owner: &str) -> String {
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

struct Slugger<'a> {
    kind: &'static str,
    /// Slug hash → the first claim of a slug with that hash.
    by_hash: HashedMap<(&'a str, &'a Source)>,
    /// Slugs whose hash an earlier, different slug has (next to never).
    collided: FxHashMap<&'a str, &'a Source>,
}

impl<'a> Slugger<'a> {
    fn new(kind: &'static str, capacity: usize) -> Self {
        Slugger {
            kind,
            by_hash: HashedMap::with_capacity_and_hasher(capacity, Default::default()),
            collided: FxHashMap::default(),
        }
    }

    /// Claims `slug` (whose `hash_str` is `hash`) for `src`.
    fn claim(
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

fn doc_slug(slug: &Option<Located<String>>, stem: &str, mode: SlugMode) -> String {
    match slug {
        Some(s) => s.value.clone(),
        None => slugify(stem, mode),
    }
}

impl Site {
    /// Frees the Markdown bodies and front-matter texts of every source once
    /// they are rendered and checked; positions and paths stay.
    pub fn release_sources(&mut self) {
        // Documents shared with a `serve` session keep their sources.
        let srcs = self
            .reports
            .iter_mut()
            .filter_map(|r| Arc::get_mut(&mut r.doc).map(|d| &mut d.common.src))
            .chain(
                self.articles
                    .iter_mut()
                    .filter_map(|a| Arc::get_mut(&mut a.doc).map(|d| &mut d.common.src)),
            )
            .chain(
                self.pages
                    .iter_mut()
                    .filter_map(|p| Arc::get_mut(&mut p.doc).map(|d| &mut d.common.src)),
            )
            .chain(self.units.iter_mut().filter_map(|u| u.src.as_mut()));
        for src in srcs {
            src.body = String::new();
            src.front = String::new();
        }
    }

    /// Resolves loaded content into the model. `reserved`: the top-level
    /// names the site's own files take, which a page's slug may not
    /// (`render::reserved`).
    pub fn build(config: Config, content: Content, reserved: &[&str]) -> (Site, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mode = config.slugs;
        let Content {
            reports,
            articles,
            mut pages,
            units: registry,
            has_registry,
            assets,
            held,
        } = content;
        pages.sort_by(|a, b| a.common.src.rel.cmp(&b.common.src.rel));

        // Units: the registry, or derived from the names reports use.
        let mut units: Vec<UnitEntry> = Vec::new();
        let mut lookup: FxHashMap<String, usize> = FxHashMap::default();
        if has_registry {
            let mut registry = registry;
            registry.sort_by(|a, b| a.id.cmp(&b.id));
            for u in registry {
                let i = units.len();
                for name in std::iter::once(&u.id)
                    .chain(std::iter::once(&u.name))
                    .chain(u.aliases.iter())
                {
                    if let Some(&j) = lookup.get(name) {
                        if j != i {
                            let other: &UnitEntry = &units[j];
                            let other_file = other
                                .src
                                .as_ref()
                                .map(|s| s.shown.display().to_string())
                                .unwrap_or_default();
                            diags.push(Diagnostic::error(&u.src.shown, 1, 1, text!(
                                "unit name or alias `{}` is also used by {}", name, other_file;
                                "单位名称或别名 `{}` 与 {} 重复", name, other_file))
                            .with_hint(text!("each name may belong to one unit only"; "每个名称只能属于一个单位")));
                        }
                        continue;
                    }
                    lookup.insert(name.clone(), i);
                }
                units.push(UnitEntry {
                    path: format!("units/{}/", u.id),
                    id: u.id,
                    name: u.name,
                    kind: u.kind,
                    parent: u.parent,
                    aliases: u.aliases,
                    order: u.order,
                    reporting: u.reporting,
                    src: Some(u.src),
                    extra: u.extra,
                    reports: Vec::new(),
                    articles: Vec::new(),
                });
            }
        }
        // Per-document work (slugs, paths, registry units, tag spellings),
        // in parallel, newest first; articles while reports are sorted.
        let lookup_ref = &lookup;
        let ((reports, report_spellings), (articles, article_spellings)) = rayon::join(
            || {
                prepare(
                    reports,
                    |r| &r.common,
                    |r| r.date.sort_key(),
                    |r| lookup_ref.get(&r.unit.value).copied(),
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
                    |a| {
                        a.unit
                            .as_ref()
                            .and_then(|u| lookup_ref.get(&u.value).copied())
                    },
                    |a| &a.tags,
                    "articles/",
                    mode,
                )
            },
        );
        let mut unit_ids: HashMap<String, String> = units
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect();
        let mut resolve_unit = |name: &Located<String>,
                                src: &Source,
                                units: &mut Vec<UnitEntry>,
                                diags: &mut Vec<Diagnostic>|
         -> Option<usize> {
            if let Some(&i) = lookup.get(&name.value) {
                return Some(i);
            }
            // A missing `unit:`, already reported by content.
            if name.value.is_empty() {
                return None;
            }
            if has_registry {
                let known: Vec<&str> = units
                    .iter()
                    .flat_map(|u| {
                        std::iter::once(u.name.as_str())
                            .chain(u.aliases.iter().map(String::as_str))
                            .chain(std::iter::once(u.id.as_str()))
                    })
                    .collect();
                let hint = match closest(&name.value, known.iter().copied()) {
                    Some(c) => {
                        text!("did you mean `{}`? Units are listed in content/units/", c; "是否想写 `{}`？单位列表见 content/units/", c)
                    }
                    None => {
                        text!("add content/units/<id>.md with `name: {}`, or use a listed unit", name.value;
                                  "请新建 content/units/<id>.md 并写 `name: {}`，或改用已登记的单位", name.value)
                    }
                };
                diags.push(
                    Diagnostic::error(
                        &src.shown,
                        name.line,
                        name.col,
                        text!("unknown unit `{}`", name.value; "未知的单位 `{}`", name.value),
                    )
                    .with_hint(hint),
                );
                return None;
            }
            let id = unique(slugify(&name.value, mode), &mut unit_ids, &name.value);
            let i = units.len();
            units.push(UnitEntry {
                path: format!("units/{id}/"),
                id,
                name: name.value.clone(),
                kind: "其他".into(),
                parent: None,
                aliases: Vec::new(),
                order: None,
                reporting: None,
                src: None,
                extra: serde_json::Value::Null,
                reports: Vec::new(),
                articles: Vec::new(),
            });
            lookup.insert(name.value.clone(), i);
            Some(i)
        };

        let by_source_len = reports.len() + articles.len() + pages.len() + units.len();
        // The reports' `by_source` entries (most of them: hashing their
        // paths is the costliest serial step) go in while the rest is built.
        let mut reports = reports;
        let report_sources: Vec<(String, String)> = reports
            .iter_mut()
            .map(|p| {
                (
                    std::mem::take(&mut p.rel),
                    std::mem::take(&mut p.source_path),
                )
            })
            .collect();
        // Documents left out for a problem already reported (an unknown
        // unit): their bodies are still checked, so one run shows all.
        let mut unplaced: Vec<Source> = Vec::new();
        let rest = || {
            // `by_source` entries of articles, pages and units.
            let mut sources: Vec<(String, String)> = Vec::new();
            let mut report_slugs = Slugger::new("report", reports.len());
            // A registry unit was found in parallel; the rest (derived units,
            // unknown names) resolve here, in order.
            let report_units: Vec<Option<usize>> = reports
                .iter()
                .map(|p| {
                    p.unit.or_else(|| {
                        resolve_unit(&p.doc.unit, &p.doc.common.src, &mut units, &mut diags)
                    })
                })
                .collect();
            for p in &reports {
                let c = &p.doc.common;
                report_slugs.claim(&p.slug, p.slug_hash, &c.src, &c.slug, &mut diags);
            }
            let mut report_tags = Vec::with_capacity(reports.len());
            let reports: Vec<ReportEntry> = reports
                .into_iter()
                .zip(report_units)
                .filter_map(|(p, unit)| {
                    let Some(unit) = unit else {
                        unplaced.push(p.doc.common.src.clone());
                        return None;
                    };
                    report_tags.push(p.tags);
                    Some(ReportEntry {
                        doc: p.doc,
                        slug: p.slug,
                        path: p.path,
                        unit,
                    })
                })
                .collect();

            let mut categories: Vec<Term> = Vec::new();
            let mut cat_slugs: HashMap<String, String> = HashMap::new();
            let mut article_slugs = Slugger::new("article", articles.len());
            let mut article_entries = Vec::with_capacity(articles.len());
            for p in articles {
                let a = &p.doc;
                let unit = match &a.unit {
                    Some(u) => match p
                        .unit
                        .or_else(|| resolve_unit(u, &a.common.src, &mut units, &mut diags))
                    {
                        Some(i) => Some(i),
                        None => {
                            unplaced.push(a.common.src.clone());
                            continue;
                        }
                    },
                    None => None,
                };
                let category = a.category.as_ref().map(|c| {
                    match categories.iter().position(|t| &t.name == c) {
                        Some(i) => i,
                        None => {
                            let slug = unique(slugify(c, mode), &mut cat_slugs, c);
                            categories.push(Term {
                                path: format!("categories/{slug}/"),
                                name: c.clone(),
                                slug,
                                reports: vec![],
                                articles: vec![],
                            });
                            categories.len() - 1
                        }
                    }
                });
                article_entries.push((p, unit, category));
            }
            for (p, _, _) in &article_entries {
                let c = &p.doc.common;
                article_slugs.claim(&p.slug, p.slug_hash, &c.src, &c.slug, &mut diags);
            }
            let mut article_tags = Vec::with_capacity(article_entries.len());
            let articles: Vec<ArticleEntry> = article_entries
                .into_iter()
                .map(|(p, unit, category)| {
                    sources.push((p.rel, p.source_path));
                    article_tags.push(p.tags);
                    ArticleEntry {
                        doc: p.doc,
                        slug: p.slug,
                        path: p.path,
                        unit,
                        category,
                    }
                })
                .collect();

            let mut page_slugs = Slugger::new("page", pages.len());
            let mut page_entries = Vec::new();
            for p in pages {
                let slug = doc_slug(&p.common.slug, &p.common.src.stem, mode);
                if reserved.contains(&slug.as_str()) {
                    let (line, col) = p
                        .common
                        .slug
                        .as_ref()
                        .map(|l| (l.line, l.col))
                        .unwrap_or((1, 1));
                    diags.push(Diagnostic::error(&p.common.src.shown, line, col, text!(
                        "page URL `/{}/` is reserved for the site's own pages", slug; "页面网址 `/{}/` 是站点保留的网址", slug))
                    .with_hint(text!("choose another `slug:`"; "请换一个 `slug:`")));
                    continue;
                }
                page_entries.push((p, slug));
            }
            for (p, slug) in &page_entries {
                let hash = hash_str(slug);
                page_slugs.claim(slug, hash, &p.common.src, &p.common.slug, &mut diags);
            }
            let pages: Vec<PageEntry> = page_entries
                .into_iter()
                .map(|(doc, slug)| {
                    let path = site_path("", &slug);
                    sources.push((doc.common.src.rel.clone(), path.clone()));
                    PageEntry { doc, slug, path }
                })
                .collect();

            // Members, newest first because reports/articles already are.
            for (i, r) in reports.iter().enumerate() {
                units[r.unit].reports.push(i);
            }
            for (i, a) in articles.iter().enumerate() {
                if let Some(u) = a.unit {
                    units[u].articles.push(i);
                }
                if let Some(c) = a.category {
                    categories[c].articles.push(i);
                }
            }
            for u in &units {
                if let Some(src) = &u.src {
                    sources.push((src.rel.clone(), u.path.clone()));
                }
            }
            units.sort_by(|a, b| {
                let ta = UNIT_TYPES.iter().position(|t| *t == a.kind);
                let tb = UNIT_TYPES.iter().position(|t| *t == b.kind);
                (ta, a.order.unwrap_or(u64::MAX), &a.name).cmp(&(
                    tb,
                    b.order.unwrap_or(u64::MAX),
                    &b.name,
                ))
            });
            // Re-point reports and articles at the sorted unit indices.
            let mut reports = reports;
            let mut articles = articles;
            for (i, u) in units.iter().enumerate() {
                for &r in &u.reports {
                    reports[r].unit = i;
                }
                for &a in &u.articles {
                    articles[a].unit = Some(i);
                }
            }

            // Tags over reports and articles; `Foo` and `foo` are one tag.
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
            let n_reports = reports.len();
            let spellings = [&report_spellings, &article_spellings];
            let uses = |kind: usize, (part, range): &(usize, std::ops::Range<usize>)| {
                let part = *part;
                spellings[kind][part].uses[range.clone()]
                    .iter()
                    .map(move |&n| (kind, part, n))
            };
            let docs = report_tags
                .iter()
                .map(|t| uses(0, t))
                .chain(article_tags.iter().map(|t| uses(1, t)));
            let name =
                |(kind, part, n): (usize, usize, usize)| spellings[kind][part].names[n].as_str();
            for (i, ti) in resolve_tags(docs, |k| tag_of(name(k), &mut tags)) {
                if i < n_reports {
                    tags[ti].reports.push(i);
                } else {
                    tags[ti].articles.push(i - n_reports);
                }
            }
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
            // Re-point articles at sorted categories.
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
            (reports, articles, pages, units, tags, categories, sources)
        };
        let (mut by_source, (reports, articles, pages, units, tags, categories, sources)) =
            rayon::join(
                move || {
                    let mut m = HashMap::with_capacity(by_source_len);
                    m.extend(report_sources);
                    m
                },
                rest,
            );
        by_source.extend(sources);

        let site = Site {
            config,
            reports,
            articles,
            pages,
            units,
            tags,
            categories,
            assets,
            held,
            by_source,
            unplaced,
        };
        (site, diags)
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

    fn source(name: &str) -> Source {
        Source {
            shown: format!("content/reports/{name}.md").into(),
            rel: format!("reports/{name}.md"),
            stem: name.into(),
            body: String::new(),
            body_line: 1,
            front: String::new(),
            front_line: 1,
            hash: 0,
        }
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
