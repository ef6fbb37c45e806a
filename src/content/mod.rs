//! Loading: walk `content/` (through the [`LoadCache`] serve keeps), read
//! every Markdown file into a typed document (reports, articles, pages,
//! units; the readers are in `read.rs`), and list the assets beside them.
//! Every problem is collected, none stops the walk.

pub mod date;
mod held;
mod limits;
pub mod number;
mod read;

use crate::config::Config;
use crate::diagnostics::{text, Diagnostic};
use crate::fs::{self, is_temp_file};
pub use crate::review::Review;
pub use date::{Date, Period};
use held::{awaiting_review, held};
pub use held::{Held, Include};
pub use number::Figure;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DIR: &str = "content";

/// Where a document came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the site root, as shown in messages (`content/reports/a.md`).
    pub shown: PathBuf,
    /// Path relative to `content/`, `/`-separated (`reports/a.md`).
    pub rel: String,
    /// The file stem (`a`).
    pub stem: String,
    /// File line of the body's first line.
    pub body_line: usize,
    pub front_line: usize,
    /// Hash of the file's bytes: equal hashes, equal document (used by
    /// `serve` to reuse what was derived from an unchanged file, and to
    /// check that a file read again is the one loaded).
    pub hash: u64,
    /// Hash of what the document's fields are read from (see
    /// [`Source::fields_hash`]): equal hashes under one configuration,
    /// equal title, date, tags, summary… whatever the body says (`serve`
    /// knows an unchanged list item by it without reading the fields).
    pub fields: u64,
    /// The site root `shown` is relative to, for reading the file again.
    pub root: Arc<Path>,
    /// The file's text while kept (documents made in memory); a load
    /// keeps none (`build`, `check`, `serve`): [`Source::texts`] reads the file again.
    kept: Option<Box<SourceText>>,
}

/// A Markdown file's text: its front matter and its body.
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    text: String,
    front: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

impl SourceText {
    /// `text` with its front matter and body where [`ranges`] found them.
    fn new(
        text: String,
        (front, body): (std::ops::Range<usize>, std::ops::Range<usize>),
    ) -> SourceText {
        SourceText { text, front, body }
    }

    /// The front matter text, which locates keys.
    pub fn front(&self) -> &str {
        self.text.get(self.front.clone()).unwrap_or("")
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        self.text.get(self.body.clone()).unwrap_or("")
    }
}

/// Where `split`'s front matter and body lie in `text`, which they were split from.
pub(super) fn ranges(
    text: &str,
    split: &crate::source::Split,
) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let at = |s: &str| (s.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let (front, body) = (at(split.front), at(split.body));
    (
        front..front + split.front.len(),
        body..body + split.body.len(),
    )
}

/// What [`Source::texts`] says of a file whose text changed since it was
/// read.
const CHANGED_DURING_BUILD: &str = "the file changed while the site was being built";

impl Source {
    /// A source for a document made in memory, its text kept.
    pub fn in_memory(shown: PathBuf, rel: String, stem: String, text: SourceText) -> Source {
        Source {
            fields: Source::fields_hash(&rel, 1, text.front()),
            shown,
            rel,
            stem,
            body_line: 1,
            front_line: 1,
            hash: 0,
            root: Arc::from(Path::new("")),
            kept: Some(Box::new(text)),
        }
    }

    /// The hash of a document's `content/`-relative path (which gives its
    /// kind and file stem), the line its front matter starts on and the
    /// front matter's text: all its fields are read from.
    pub fn fields_hash(rel: &str, front_line: usize, front: &str) -> u64 {
        let seed = xxhash_rust::xxh3::xxh3_64_with_seed(rel.as_bytes(), front_line as u64);
        xxhash_rust::xxh3::xxh3_64_with_seed(front.as_bytes(), seed)
    }

    /// The folder of the file relative to `content/` (`reports/2024`).
    pub fn dir(&self) -> &str {
        self.rel.rfind('/').map(|i| &self.rel[..i]).unwrap_or("")
    }

    /// Whether `d` says only that a file changed after the build read it
    /// (its text read again differs): a save made during a build, whose
    /// own rebuild follows (`serve` then says so instead of showing an
    /// error).
    pub fn changed_during_build(d: &Diagnostic) -> bool {
        d.message.en == CHANGED_DURING_BUILD
    }

    /// The file's front matter and body: the kept text, or the file read
    /// again, which must be byte for byte the one loaded (an error naming
    /// the file otherwise: it changed while the site was being built).
    pub fn texts(&self) -> Result<std::borrow::Cow<'_, SourceText>, Diagnostic> {
        if let Some(t) = &self.kept {
            return Ok(std::borrow::Cow::Borrowed(t));
        }
        let changed = |why: Option<String>| {
            let d = match why {
                Some(e) => Diagnostic::error(
                    &self.shown,
                    0,
                    0,
                    text!(
                    "cannot read it again: {}", e; "无法再次读取：{}", e),
                ),
                None => Diagnostic::error(
                    &self.shown,
                    0,
                    0,
                    text!("{}", CHANGED_DURING_BUILD; "构建过程中文件被修改"),
                ),
            };
            d.with_hint(text!("save your edits, then build again"; "请保存修改后重新构建"))
        };
        let bytes = fs::read(&self.root.join(&self.shown))
            .map_err(|e| changed(Some(e.source.to_string())))?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != self.hash {
            return Err(changed(None));
        }
        let text = crate::source::decode(bytes, &self.shown)?;
        let split = crate::source::split_front_matter(&text, &self.shown)?;
        let found = ranges(&text, &split);
        Ok(std::borrow::Cow::Owned(SourceText::new(text, found)))
    }

    /// Drops the kept text (rendered and checked): [`Source::texts`] reads
    /// the file again if it is asked for.
    pub fn release(&mut self) {
        self.kept = None;
    }
}

/// A value with the file position it was read from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
    pub col: usize,
}

/// One `stats:` entry of a report.
#[derive(Debug, Clone)]
pub struct Stat {
    /// Index into `Config::metrics`.
    pub metric: usize,
    pub figure: Figure,
    pub line: usize,
    pub col: usize,
}

/// Fields every kind of document shares.
#[derive(Debug, Clone)]
pub struct Common {
    pub src: Source,
    pub title: String,
    pub slug: Option<Located<String>>,
    pub draft: bool,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub common: Common,
    pub unit: Located<String>,
    pub date: Date,
    pub period: Period,
    pub tags: Vec<String>,
    pub stats: Vec<Stat>,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub editor: Option<String>,
    pub source: Option<String>,
    pub review: Review,
}

#[derive(Debug, Clone)]
pub struct Article {
    pub common: Common,
    pub date: Date,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub unit: Option<Located<String>>,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub editor: Option<String>,
    pub source: Option<String>,
    /// An image path, relative to the article's folder or a site path.
    pub cover: Option<Located<String>>,
    pub review: Review,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub common: Common,
}

pub use crate::schedule::UNIT_TYPES;

/// A registry entry `content/units/<id>.md`.
#[derive(Debug, Clone)]
pub struct Unit {
    pub src: Source,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub order: Option<u64>,
    /// The unit's own `reporting:` override.
    pub reporting: Option<crate::schedule::UnitReporting>,
    pub extra: serde_json::Value,
}

/// A non-Markdown file under `content/`, copied to the same path in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub path: PathBuf,
    /// Relative to `content/`, `/`-separated.
    pub rel: String,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Shared, so `serve` can keep unchanged documents between rebuilds.
    pub reports: Vec<Arc<Report>>,
    pub articles: Vec<Arc<Article>>,
    pub pages: Vec<Arc<Page>>,
    pub units: Vec<Unit>,
    /// `content/units/` exists: reports must name registered units.
    pub has_registry: bool,
    pub assets: Vec<Asset>,
    /// Drafts and documents awaiting review, kept or not.
    pub held: Vec<Held>,
}

#[derive(Clone)]
enum Doc {
    Report(Arc<Report>),
    Article(Arc<Article>),
    Page(Arc<Page>),
    Unit(Box<Unit>),
}

/// Reads `content/` below `root`. Drafts and documents awaiting review are
/// dropped unless `include` keeps them (they are still checked).
/// The documents keep no text: what needs it reads the file again
/// ([`Source::texts`]), so memory does not hold every file at once.
pub fn load(root: &Path, config: &Config, include: Include) -> (Content, Vec<Diagnostic>) {
    load_cached(root, config, include, &mut LoadCache::default(), None)
}

/// What one file under `content/` loaded to.
#[derive(Clone)]
enum Loaded {
    Doc(Option<Doc>, Vec<Diagnostic>),
    Asset(PathBuf),
    /// Could not be walked (a link loop, no permission: a warning) or must
    /// not be (a link leading outside the site: an error).
    Unreadable(Diagnostic),
}

/// The files of `content/` as last loaded, kept between builds by `serve`
/// so a rebuild re-reads only the files reported changed. Keyed by the
/// `content/`-relative path with `/` as `\0`, which orders them as the
/// walk does (component by component). A clone shares the documents.
#[derive(Default, Clone)]
pub struct LoadCache {
    files: std::collections::BTreeMap<String, Loaded>,
    /// Filled by a full walk; until then every load walks.
    filled: bool,
    /// The documents keep their text. Neither `build` ([`load`]) nor
    /// `serve` does (10k reports: 51 MB held by a session): what needs a
    /// text reads the file again, checked against its hash.
    keep_text: bool,
}

impl LoadCache {
    /// Forgets everything: the next load walks all of `content/`.
    pub fn clear(&mut self) {
        self.files.clear();
        self.filled = false;
    }
}

fn cache_key(rel: &str) -> String {
    rel.replace('/', "\0")
}

/// Walks `start` (inside `content/`), sorted by name, skipping temp files.
fn walk(root: &Path, dir: &Path, start: &Path) -> Vec<(String, Loaded)> {
    let mut out = Vec::new();
    let inside = fs::Inside::new(root);
    let mut outside = Vec::new();
    let walker = walkdir::WalkDir::new(start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && is_temp_file(&e.file_name().to_string_lossy()) {
                return false;
            }
            match inside.escape(e) {
                Some(target) => {
                    outside.push((e.path().to_path_buf(), target));
                    false
                }
                None => true,
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let shown = path.strip_prefix(root).unwrap_or(Path::new(DIR));
                let msg = if e.loop_ancestor().is_some() {
                    text!("symbolic link loop skipped"; "已跳过循环的符号链接")
                } else {
                    text!("cannot read: {}", e; "无法读取：{}", e)
                };
                let rel = rel_of(dir, &path);
                out.push((
                    rel,
                    Loaded::Unreadable(Diagnostic::warning(shown, 0, 0, msg)),
                ));
                continue;
            }
        };
        if entry.file_type().is_file() {
            let path = entry.path().to_path_buf();
            out.push((rel_of(dir, &path), Loaded::Asset(path)));
        }
    }
    for (path, target) in outside {
        let shown = path.strip_prefix(root).unwrap_or(&path);
        let d = fs::link_outside(shown, &target);
        out.push((rel_of(dir, &path), Loaded::Unreadable(d)));
    }
    out
}

fn rel_of(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// [`load`] through `cache`: with `changed` (site-root-relative paths the
/// watcher reported) and a filled cache, only those files and folders are
/// read again; otherwise all of `content/`. The result is the same as
/// [`load`]'s.
pub fn load_cached(
    root: &Path,
    config: &Config,
    include: Include,
    cache: &mut LoadCache,
    changed: Option<&[PathBuf]>,
) -> (Content, Vec<Diagnostic>) {
    let dir = root.join(DIR);
    let mut content = Content {
        has_registry: dir.join("units").is_dir(),
        ..Content::default()
    };
    let mut diags = Vec::new();
    if !dir.is_dir() {
        cache.clear();
        diags.push(Diagnostic::warning(DIR, 0, 0, text!("there is no content/ folder: the site is empty"; "没有 content/ 目录：站点为空"))
            .with_hint(text!("create content/reports/ and put Markdown reports in it"; "请创建 content/reports/ 并放入 Markdown 报告")));
        return (content, diags);
    }
    // Files (re)found by this load, still to be parsed.
    let mut found: Vec<(String, Loaded)> = Vec::new();
    match changed {
        Some(changed) if cache.filled => {
            for rel in changed {
                let Ok(inside) = rel.strip_prefix(DIR) else {
                    continue;
                };
                let path = dir.join(inside);
                let rel = rel_of(&dir, &path);
                if rel.is_empty() {
                    continue;
                }
                // Whatever was at or below this path is read again.
                let key = cache_key(&rel);
                let below = format!("{key}\0");
                cache.files.remove(&key);
                let stale: Vec<String> = cache
                    .files
                    .range(below.clone()..)
                    .take_while(|(k, _)| k.starts_with(&below))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in stale {
                    cache.files.remove(&k);
                }
                let temp = rel.split('/').any(is_temp_file);
                if !temp && path.exists() {
                    found.extend(walk(root, &dir, &path));
                }
            }
        }
        _ => {
            cache.files.clear();
            found = walk(root, &dir, &dir);
            cache.filled = true;
        }
    }
    let shared_root: Arc<Path> = Arc::from(root);
    let keep = cache.keep_text;
    let loaded: Vec<(String, Loaded)> = found
        .into_par_iter()
        .map(|(rel, l)| match l {
            Loaded::Asset(path) if is_markdown(&path) => {
                let (doc, d) = read::load_file((&shared_root, keep), &path, &rel, config);
                (rel, Loaded::Doc(doc, d))
            }
            other => (rel, other),
        })
        .collect();
    for (rel, l) in loaded {
        cache.files.insert(cache_key(&rel), l);
    }
    for (key, l) in &cache.files {
        match l {
            Loaded::Unreadable(d) => diags.push(d.clone()),
            Loaded::Asset(path) => content.assets.push(Asset {
                path: path.clone(),
                rel: key.replace('\0', "/"),
            }),
            Loaded::Doc(doc, d) => {
                diags.extend(d.iter().cloned());
                let Some(doc) = doc else { continue };
                if let Some(h) = held(doc, include) {
                    // A draft is not submitted for review yet.
                    if !h.missing.is_empty() && !h.draft {
                        diags.push(awaiting_review(&h));
                    }
                    let kept = h.kept;
                    content.held.push(h);
                    if !kept {
                        continue;
                    }
                }
                match doc {
                    Doc::Report(r) => content.reports.push(r.clone()),
                    Doc::Article(a) => content.articles.push(a.clone()),
                    Doc::Page(p) => content.pages.push(p.clone()),
                    Doc::Unit(u) => content.units.push((**u).clone()),
                }
            }
        }
    }
    diags.extend(limits::check_sums(&content, config));
    (content, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder with a minimal site.yaml.
    fn site_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.yaml"),
            "title: t\nbase_url: https://example.gov.cn/\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_lean_load_reads_the_text_again_and_notices_a_changed_file() {
        let dir = site_dir();
        let root = dir.path();
        let reports = root.join("content/pages");
        std::fs::create_dir_all(&reports).unwrap();
        let file = reports.join("a.md");
        std::fs::write(&file, "\u{feff}---\r\ntitle: A\r\n---\r\n正文\r\n").unwrap();
        let config = Config::load(root, None).unwrap();
        let (content, _) = load(root, &config, Include::default());
        let src = &content.pages[0].common.src;
        assert!(src.kept.is_none());
        let text = src.texts().unwrap();
        assert_eq!((text.front(), text.body()), ("title: A\n", "正文\n"));
        let mut cache = LoadCache {
            keep_text: true,
            ..LoadCache::default()
        };
        let (kept, _) = load_cached(root, &config, Include::default(), &mut cache, None);
        let kept = &kept.pages[0].common.src;
        assert!(matches!(
            kept.texts().unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
        std::fs::write(&file, "---\ntitle: B\n---\n").unwrap();
        let err = src.texts().unwrap_err();
        assert!(err.is_error());
        assert_eq!(err.path, Path::new("content/pages/a.md"));
        assert!(err.message.en.contains("changed"), "{:?}", err.message);
        assert!(Source::changed_during_build(&err));
        assert!(err.hint.is_some());
        std::fs::remove_file(&file).unwrap();
        let err = src.texts().unwrap_err();
        assert!(
            err.message.en.contains("cannot read it again"),
            "{:?}",
            err.message
        );
        // A file that cannot be read may stay so: not a save in passing.
        assert!(!Source::changed_during_build(&err));
        // The kept text is the one loaded.
        assert_eq!(kept.texts().unwrap().front(), "title: A\n");
    }

    #[test]
    fn the_fields_hash_follows_the_front_matter_and_path_not_the_body() {
        let dir = site_dir();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/pages")).unwrap();
        let config = Config::load(root, None).unwrap();
        let hashes = |files: &[(&str, &str)]| -> Vec<(u64, u64)> {
            for (name, text) in files {
                std::fs::write(root.join("content/pages").join(name), text).unwrap();
            }
            let (content, _) = load(root, &config, Include::default());
            let srcs = content.pages.iter().map(|p| &p.common.src);
            srcs.map(|s| (s.fields, s.hash)).collect()
        };
        let first = hashes(&[
            ("a.md", "---\ntitle: A\n---\n正文\n"),
            ("b.md", "---\ntitle: A\n---\n正文\n"),
        ]);
        assert_ne!(first[0].0, first[1].0, "the path is part of it");
        let body = hashes(&[("a.md", "---\ntitle: A\n---\n另一段正文\n")]);
        assert_eq!(body[0].0, first[0].0, "a body edit keeps the fields");
        assert_ne!(body[0].1, first[0].1);
        let title = hashes(&[("a.md", "---\ntitle: B\n---\n另一段正文\n")]);
        assert_ne!(title[0].0, first[0].0, "a front matter edit changes them");
    }
}
