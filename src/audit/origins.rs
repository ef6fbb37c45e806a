//! Where an address found in the built pages was written: the first
//! template or content source holding it, so a finding points at the line
//! an editor can change rather than at generated HTML.

use crate::site::Site;
use crate::source::line_col;
use crate::theme::ThemeFiles;
use memchr::memmem;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A place in a file: path as shown, line, column.
pub type Place = (PathBuf, usize, usize);

/// The first place of every address written in the site's templates and
/// sources, gathered on first use: most sites load nothing from other
/// hosts, and then no source is scanned.
#[derive(Default)]
pub struct Origins<'a> {
    from: Option<(&'a Site, &'a ThemeFiles, &'a Path)>,
    first: std::sync::OnceLock<HashMap<String, Place>>,
}

/// Characters that end an address written in a template, Markdown or CSS.
fn ends_url(c: u8) -> bool {
    c.is_ascii_whitespace() || b"\"'<>()[]`{}|\\".contains(&c)
}

/// Every `http://`, `https://` and quoted `//host` address in `text`:
/// (byte offset, address).
pub fn urls_in(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for i in memmem::find_iter(b, b"//") {
        let start = if i >= 6 && b[i - 6..i].eq_ignore_ascii_case(b"https:") {
            i - 6
        } else if i >= 5 && b[i - 5..i].eq_ignore_ascii_case(b"http:") {
            i - 5
        } else if i >= 1 && matches!(b[i - 1], b'"' | b'\'' | b'(' | b'=') {
            i
        } else {
            continue;
        };
        let host = i + 2;
        if host >= b.len() || !(b[host].is_ascii_alphanumeric() || b[host] == b'[') {
            continue;
        }
        let end = (host..b.len()).find(|&j| ends_url(b[j])).unwrap_or(b.len());
        out.push((start, &text[start..end]));
    }
    out
}

impl<'a> Origins<'a> {
    pub fn new(site: &'a Site, theme: &'a ThemeFiles, root: &'a Path) -> Origins<'a> {
        Origins {
            from: Some((site, theme, root)),
            first: Default::default(),
        }
    }

    fn gather(site: &Site, theme: &ThemeFiles, root: &Path) -> HashMap<String, Place> {
        let mut first: HashMap<String, Place> = HashMap::new();
        let mut add = |text: &str, first_line: usize, shown: &Path| {
            for (at, url) in urls_in(text) {
                first.entry(url.to_string()).or_insert_with(|| {
                    let (l, c) = line_col(text, at);
                    (shown.to_path_buf(), l + first_line.saturating_sub(1), c)
                });
            }
        };
        // Templates first: a remote script in an override is the usual case.
        for t in theme.templates.values() {
            let shown = t.shown.strip_prefix(root).unwrap_or(&t.shown);
            add(&t.text, 1, shown);
        }
        // A file that cannot be read again is reported by the build
        // (`audit` builds first); its addresses are then not located.
        for src in crate::privacy::published_sources(site) {
            if let Ok(t) = src.texts() {
                add(t.front(), src.front_line, &src.shown);
                add(t.body(), src.body_line, &src.shown);
            }
        }
        first
    }

    /// The first place `url` was written, if it was.
    pub fn locate(&self, url: &str) -> Option<&Place> {
        let first = self.first.get_or_init(|| match self.from {
            Some((site, theme, root)) => Self::gather(site, theme, root),
            None => HashMap::new(),
        });
        first.get(url)
    }
}

#[cfg(test)]
mod tests {
    use super::urls_in;

    #[test]
    fn finds_addresses_in_templates_markdown_and_css() {
        let t = r#"<script src="https://cdn.example.com/a.js"></script> ![x](http://h.cn/p.png) url(//fonts.example.com/f.woff) a//b"#;
        let urls: Vec<&str> = urls_in(t).into_iter().map(|(_, u)| u).collect();
        assert_eq!(
            urls,
            [
                "https://cdn.example.com/a.js",
                "http://h.cn/p.png",
                "//fonts.example.com/f.woff"
            ]
        );
    }
}
