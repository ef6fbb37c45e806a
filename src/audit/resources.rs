//! Resources from other hosts: any built page or stylesheet that loads a
//! script, style, font, image, frame or media from a host other than the
//! site's own is an error — a visitor on an intranet or an IPv6-only
//! network, or behind a filter, sees a blank or broken page. Links (`<a>`)
//! are not loads; `--online` checks them (see `links`).

use super::origins::Origins;
use super::{Finding, Indicator};
use crate::diagnostics::{text, Diagnostic};
use crate::site::Site;
use crate::source::line_col;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built text files (HTML and CSS), sorted by path, each read only
/// when its turn comes (a site's pages need not all be in memory at once).
pub struct Pages<'a> {
    files: Vec<(&'a str, Page<'a>)>,
}

/// Where a built file's bytes are.
enum Page<'a> {
    Memory(&'a [u8]),
    Disk(&'a Path),
}

impl<'a> Pages<'a> {
    pub fn new(output: &'a super::Output) -> Pages<'a> {
        let text = |p: &str| p.ends_with(".html") || p.ends_with(".css");
        let mut files: Vec<(&str, Page)> = match output {
            super::Output::Memory(m) => m
                .iter()
                .filter(|(p, _)| text(p))
                .map(|(p, b)| (p.as_str(), Page::Memory(b)))
                .collect(),
            super::Output::Disk(d) => d
                .iter()
                .filter(|(p, _)| text(p))
                .map(|(p, f)| (p.as_str(), Page::Disk(f)))
                .collect(),
        };
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Pages { files }
    }

    /// Calls `f` with (file path, text) of every UTF-8 HTML or CSS file,
    /// in path order; a file on disk that cannot be read is skipped.
    pub fn each_text(&self, mut f: impl FnMut(&str, &str)) {
        for (path, page) in &self.files {
            if let Some(t) = page.text() {
                f(path, &t);
            }
        }
    }
}

impl Page<'_> {
    /// The file's text; None when it cannot be read or is not UTF-8.
    fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Page::Memory(b) => std::str::from_utf8(b).ok().map(Into::into),
            Page::Disk(file) => String::from_utf8(std::fs::read(file).ok()?)
                .ok()
                .map(Into::into),
        }
    }

    /// A key for the file's bytes, where its path names them (a store's).
    fn key(&self, named_by_content: bool) -> Option<u128> {
        match self {
            Page::Disk(p) if named_by_content => Some(xxhash_rust::xxh3::xxh3_128(
                p.as_os_str().as_encoded_bytes(),
            )),
            _ => None,
        }
    }
}

/// One built file's addresses to other hosts, each once, in order:
/// (address with `&amp;` decoded, what loads it, byte offset).
type Found = Vec<(String, &'static str, usize)>;

/// What [`external`] found per file in the last audit, for `serve`'s
/// audit line: its files are in a store that names each by its bytes
/// ([`crate::store`]), so a file seen before is not read again. Holds
/// the findings of one kind of `refs` and one own host.
#[derive(Default)]
pub struct LoadCache {
    own: String,
    files: crate::hash::FxHashMap<u128, Found>,
}

/// An address found in a built file: byte offset, what loads it, the address.
pub struct Ref<'a> {
    pub at: usize,
    pub what: &'static str,
    pub url: &'a str,
}

/// The attributes of the tag starting after `<name` at `i`: (name, value, offset).
fn attributes(b: &[u8], mut i: usize) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' || b[i] == b'/' && b.get(i + 1) == Some(&b'>') {
            return out;
        }
        let n = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/".contains(&b[i]) {
            i += 1;
        }
        let name = String::from_utf8_lossy(&b[n..i]).to_ascii_lowercase();
        if i == n {
            i += 1;
            continue;
        }
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        let (start, end) = match b.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let s = i + 1;
                let e = memchr::memchr(q, &b[s..]).map_or(b.len(), |k| s + k);
                i = (e + 1).min(b.len());
                (s, e)
            }
            _ => {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                (s, i)
            }
        };
        out.push((name, start, end));
    }
}

/// What loads a resource through attribute `attr` of tag `tag`.
fn loads(tag: &str, attr: &str, rel: &str) -> Option<&'static str> {
    Some(match (tag, attr) {
        ("script", "src") => "script",
        ("link", "href") => {
            let rel = rel.to_ascii_lowercase();
            let loaded = [
                "stylesheet",
                "icon",
                "preload",
                "prefetch",
                "modulepreload",
                "manifest",
            ];
            if !loaded
                .iter()
                .any(|r| rel.split_whitespace().any(|x| x == *r))
            {
                return None;
            }
            "stylesheet or icon"
        }
        ("img" | "input", "src" | "srcset") | ("video", "poster") => "image",
        ("iframe" | "frame", "src") => "frame",
        ("embed", "src") | ("object", "data") => "embedded object",
        ("video" | "audio" | "source" | "track", "src" | "srcset") => "media",
        _ => return None,
    })
}

/// Tags' addresses in `html`: resources (`anchors` false) or `<a href>` (true).
pub fn tag_refs(html: &str, anchors: bool) -> Vec<Ref<'_>> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    for lt in memchr::memchr_iter(b'<', b) {
        let n = lt + 1;
        let mut e = n;
        while e < b.len() && b[e].is_ascii_alphanumeric() {
            e += 1;
        }
        let tag = html[n..e].to_ascii_lowercase();
        let wanted = if anchors {
            tag == "a"
        } else {
            matches!(
                tag.as_str(),
                "script"
                    | "link"
                    | "img"
                    | "input"
                    | "iframe"
                    | "frame"
                    | "embed"
                    | "object"
                    | "video"
                    | "audio"
                    | "source"
                    | "track"
            )
        };
        if !wanted {
            continue;
        }
        let attrs = attributes(b, e);
        let rel = attrs
            .iter()
            .find(|(a, _, _)| a == "rel")
            .map_or("", |&(_, s, e)| &html[s..e]);
        for (attr, s, e) in &attrs {
            let value = &html[*s..*e];
            let what = if anchors {
                (attr == "href").then_some("link")
            } else {
                loads(&tag, attr, rel)
            };
            let Some(what) = what else { continue };
            if attr == "srcset" {
                let mut off = *s;
                for part in value.split(',') {
                    let lead = part.len() - part.trim_start().len();
                    let url = part.split_whitespace().next().unwrap_or("");
                    out.push(Ref {
                        at: off + lead,
                        what,
                        url,
                    });
                    off += part.len() + 1;
                }
            } else {
                out.push(Ref {
                    at: *s,
                    what,
                    url: value.trim(),
                });
            }
        }
    }
    out
}

/// `url(…)` and `@import "…"` in CSS (files, `<style>` and `style=`).
pub fn css_refs(text: &str) -> Vec<Ref<'_>> {
    let mut out = Vec::new();
    for (pat, what) in [
        ("url(", "style resource (font, image)"),
        ("@import", "stylesheet"),
    ] {
        for (at, _) in text.match_indices(pat) {
            let rest = &text[at + pat.len()..];
            let lead = rest.len() - rest.trim_start_matches([' ', '"', '\'', '(']).len();
            let from = at + pat.len() + lead;
            let tail = &text[from..];
            let end = tail
                .find(|c: char| c == ')' || c == '"' || c == '\'' || c.is_whitespace() || c == ';')
                .unwrap_or(tail.len());
            out.push(Ref {
                at: from,
                what,
                url: &tail[..end],
            });
        }
    }
    out
}

/// The host of an absolute or protocol-relative address, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .or_else(|| lower.strip_prefix("//"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty()).then(|| host.to_string())
}

/// Where to report an address: where it was written, else the first page.
pub fn place(
    origins: &Origins,
    url: &str,
    file: &str,
    text: &str,
    at: usize,
) -> (PathBuf, usize, usize, bool) {
    match origins.locate(url) {
        Some((p, l, c)) => (p.clone(), *l, *c, true),
        None => {
            let (l, c) = line_col(text, at);
            (PathBuf::from("public").join(file), l, c, false)
        }
    }
}

/// The page's URL path for a built file: `about/index.html` → `/about/`.
pub fn page_url(base: &str, file: &str) -> String {
    format!(
        "{}{}",
        base,
        file.strip_suffix("index.html").unwrap_or(file)
    )
}

/// Where an address to another host is used: by how many built files, the
/// first of them and where to report it ([`place`]).
pub struct Use {
    pub what: &'static str,
    pub count: usize,
    pub file: String,
    pub place: (PathBuf, usize, usize, bool),
}

/// The addresses to hosts other than `own` among `refs` of one file.
fn found_in<'t>(refs: Vec<Ref<'t>>, own: &str) -> Found {
    let mut seen = std::collections::HashSet::new();
    let mut out = Found::new();
    for r in refs {
        let url = r.url.replace("&amp;", "&");
        let Some(host) = host_of(&url) else { continue };
        if host != own && seen.insert(url.clone()) {
            out.push((url, r.what, r.at));
        }
    }
    out
}

/// Addresses to hosts other than `own` that `refs` finds in the built
/// files; with a `cache` (pages in a store), files seen before are not
/// read again.
pub fn external(
    pages: &Pages,
    own: &str,
    origins: &Origins,
    refs: impl for<'t> Fn(&str, &'t str) -> Vec<Ref<'t>>,
    cache: Option<&mut LoadCache>,
) -> BTreeMap<String, Use> {
    let mut cache = cache;
    if let Some(c) = cache.as_deref_mut().filter(|c| c.own != own) {
        (c.own, c.files) = (own.to_string(), Default::default());
    }
    let mut next = crate::hash::FxHashMap::default();
    // Per address: what loads it, in how many files, the first (its index) and where.
    let mut first: BTreeMap<String, (&'static str, usize, usize, usize)> = BTreeMap::new();
    for (i, (path, page)) in pages.files.iter().enumerate() {
        let key = page.key(cache.is_some());
        let known = key.and_then(|k| Some((k, cache.as_mut()?.files.remove(&k)?)));
        let (key, found) = match known {
            Some((k, f)) => (Some(k), f),
            None => match page.text() {
                Some(text) => (key, found_in(refs(path, &text), own)),
                None => continue,
            },
        };
        for (url, what, at) in &found {
            first
                .entry(url.clone())
                .and_modify(|u| u.1 += 1)
                .or_insert((what, 1, i, *at));
        }
        if let Some(k) = key {
            next.insert(k, found);
        }
    }
    if let Some(c) = cache {
        c.files = next;
    }
    let mut out = BTreeMap::new();
    for (url, (what, count, i, at)) in first {
        let (file, page) = &pages.files[i];
        let text = page.text().unwrap_or_default();
        let place = place(origins, &url, file, &text, at);
        let file = file.to_string();
        out.insert(
            url,
            Use {
                what,
                count,
                file,
                place,
            },
        );
    }
    out
}

/// What a page or stylesheet loads.
fn load_refs<'t>(file: &str, text: &'t str) -> Vec<Ref<'t>> {
    let mut refs = css_refs(text);
    if file.ends_with(".html") {
        refs.extend(tag_refs(text, false));
    }
    refs
}

/// Other-host loads in the built files (`cache`: see [`LoadCache`]).
pub fn check(
    site: &Site,
    pages: &Pages,
    origins: &Origins,
    out: &mut Vec<Finding>,
    cache: Option<&mut LoadCache>,
) {
    let own = host_of(&site.config.base_url).unwrap_or_default();
    let found = external(pages, &own, origins, load_refs, cache);
    for (url, u) in found {
        let (what, count) = (u.what, u.count);
        let host = host_of(&url).unwrap_or_default();
        let (path, line, col, written) = u.place;
        let first = page_url(&site.config.base_path, &u.file);
        let where_en = if written { "written here, " } else { "" };
        let where_zh = if written { "写在此处，" } else { "" };
        out.push(Finding::new(
            Indicator::ExternalResource,
            Diagnostic::error(path, line, col, text!("{} `{}` is loaded from another host ({}): {}{} page(s), e.g. {}", what, url, host, where_en, count, first;
                                                     "从其他主机（{}）加载资源 `{}`：{}共 {} 个页面，例如 {}", host, url, where_zh, count, first))
                .with_hint(text!("copy the file into static/ and refer to it there: visitors on an intranet or an IPv6-only network, or behind a filter, see a blank page when another host does not answer";
                                 "请把文件放入 static/ 并从本站引用：内网、纯 IPv6 或受过滤网络中的访问者在外部主机无响应时会看到空白页面")),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_loads_not_links() {
        let html = r#"<link rel="stylesheet" href="https://cdn.x.com/a.css"><link rel="canonical" href="https://other.cn/p/"><a href="https://ext.cn/">x</a><img alt="" srcset="//img.x.com/a.png 1x, /local.png 2x"><SCRIPT src=http://js.x.com/s.js></SCRIPT><div style="background:url('https://bg.x.com/b.png')">"#;
        let mut urls: Vec<&str> = tag_refs(html, false).iter().map(|r| r.url).collect();
        urls.extend(css_refs(html).iter().map(|r| r.url));
        assert_eq!(
            urls,
            [
                "https://cdn.x.com/a.css",
                "//img.x.com/a.png",
                "/local.png",
                "http://js.x.com/s.js",
                "https://bg.x.com/b.png"
            ]
        );
        let links: Vec<&str> = tag_refs(html, true).iter().map(|r| r.url).collect();
        assert_eq!(links, ["https://ext.cn/"]);
        assert_eq!(
            host_of("HTTPS://Cdn.X.com:8080/a").as_deref(),
            Some("cdn.x.com:8080")
        );
        assert_eq!(host_of("/local.png"), None);
    }

    #[test]
    fn a_cached_audit_reads_only_new_files_and_finds_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let cdn = r#"<script src="https://cdn.x.com/a.js"></script>"#;
        let a = write("k1", &format!("<p>a</p>\n{cdn}"));
        let b = write("k2", cdn);
        let c = write("k3", "<p>own</p>");
        let files = |list: &[(&str, &PathBuf)]| {
            super::super::Output::Disk(
                list.iter()
                    .map(|(p, f)| (p.to_string(), f.to_path_buf()))
                    .collect(),
            )
        };
        let found = |out: &super::super::Output, cache: Option<&mut LoadCache>| {
            let pages = Pages::new(out);
            let f = external(&pages, "own.cn", &Origins::default(), load_refs, cache);
            f.into_iter()
                .map(|(u, x)| (u, x.count, x.file, x.place.1, x.place.2))
                .collect::<Vec<_>>()
        };
        let first = files(&[("a/index.html", &a), ("b/index.html", &b), ("c.css", &c)]);
        let mut cache = LoadCache::default();
        let plain = found(&first, None);
        assert_eq!(
            plain,
            [(
                "https://cdn.x.com/a.js".into(),
                2,
                "a/index.html".into(),
                2,
                14
            )]
        );
        assert_eq!(found(&first, Some(&mut cache)), plain);
        assert_eq!(cache.files.len(), 3);
        // A store never rewrites a file under its name: a seen file is not
        // read again (rewritten here only to prove it), a new one is.
        std::fs::write(&b, "<p>b</p>").unwrap();
        let d = write("k4", cdn);
        let second = files(&[
            ("a/index.html", &a),
            ("b/index.html", &b),
            ("d/index.html", &d),
        ]);
        let cached = found(&second, Some(&mut cache));
        assert_eq!(cached[0].1, 3, "{cached:?}");
        assert_eq!(found(&second, None)[0].1, 2);
        // Files no longer built are forgotten; another own host starts afresh.
        assert_eq!(cache.files.len(), 3);
        let pages = Pages::new(&second);
        let other = external(
            &pages,
            "cdn.x.com",
            &Origins::default(),
            load_refs,
            Some(&mut cache),
        );
        assert!(other.is_empty());
        assert_eq!(cache.own, "cdn.x.com");
    }
}
