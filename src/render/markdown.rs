//! Markdown to HTML with pulldown-cmark: GFM tables, footnotes, strikethrough,
//! task lists, heading ids that work for Chinese headings, raw HTML escaped
//! unless allowed, internal links rewritten under the base path and checked,
//! and a CJK-aware summary. Pure: data in, HTML and findings out.

use super::schemes::decode_entities;
pub use super::schemes::unsafe_scheme;
use crate::diagnostics::{text, Text};
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeSet, HashMap};

/// What links in one document resolve against.
pub struct LinkContext<'a> {
    /// `/` or `/cw/`.
    pub base_path: &'a str,
    /// The document's folder relative to `content/` (`reports/2024`).
    pub source_dir: &'a str,
    /// `content/`-relative Markdown path → site path.
    pub by_source: &'a HashMap<String, String>,
    /// Every site path the build produces (no leading slash).
    pub known: &'a BTreeSet<String>,
    /// Assets by `content/`-relative path.
    pub assets: &'a BTreeSet<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    pub url: String,
    /// Lower-case extension (`pdf`, `docx`).
    pub ext: String,
}

/// A finding at a byte offset of the body.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Byte offset in the body.
    pub offset: usize,
    /// A file position (line, column) instead, for front-matter values.
    pub at: Option<(usize, usize)>,
    pub error: bool,
    pub message: Text,
    pub hint: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// Plain text of the first paragraph, cut at about 120 characters.
    pub summary: String,
    pub toc: Vec<TocEntry>,
    pub attachments: Vec<Attachment>,
    pub findings: Vec<Finding>,
    /// The resolved `cover:` image of an article.
    pub cover: Option<String>,
    /// All text, for search and figures checks.
    pub plain: String,
    /// Identifies the input this was rendered from (the source file's hash
    /// and the link context): equal keys, equal output. 0 when unknown.
    pub key: u64,
    /// Kept without `html` and `plain` (a `serve` session's copy: see
    /// [`Rendered::light`]); rendered again where a page or the search
    /// index needs them.
    pub light: bool,
    /// Of a light body: the xxh3 of its plain text, by which the search
    /// index knows an unchanged text without rendering it again.
    pub plain_hash: u64,
}

impl Rendered {
    /// What lists, figures and the findings read of a body: all but its
    /// HTML and plain text, which `serve` keeps no copy of (10k reports:
    /// ≈ 100 MB), and its table of contents and attachments, which only
    /// its own page shows (from the body whole; 50k: 12 MB).
    pub fn light(&self) -> Rendered {
        Rendered {
            html: String::new(),
            summary: self.summary.clone(),
            toc: Vec::new(),
            attachments: Vec::new(),
            findings: self.findings.clone(),
            cover: self.cover.clone(),
            plain: String::new(),
            key: self.key,
            light: true,
            plain_hash: match self.light {
                true => self.plain_hash,
                false => xxhash_rust::xxh3::xxh3_64(self.plain.as_bytes()),
            },
        }
    }
}

impl Rendered {
    /// [`Rendered::light`] without copying what is kept.
    pub fn into_light(mut self) -> Rendered {
        if !self.light {
            self.plain_hash = xxhash_rust::xxh3::xxh3_64(self.plain.as_bytes());
            (self.html, self.plain, self.light) = (String::new(), String::new(), true);
            (self.toc, self.attachments) = (Vec::new(), Vec::new());
        }
        self
    }
}

const ATTACHMENT_EXTS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "zip", "rar", "7z", "txt",
    "csv", "ofd",
];
pub const SUMMARY_CHARS: usize = 120;

fn has_scheme(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.find(':') {
        Some(i) => {
            let s = &url[..i];
            !s.is_empty()
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Joins `dir` and a relative `target`, resolving `.` and `..`; `None` when
/// it climbs above `content/`.
fn join_relative(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

enum Resolved {
    Keep,
    To(String),
    Broken(Text, Option<Text>),
}

fn resolve_link(url: &str, ctx: &LinkContext) -> (Resolved, Option<String>) {
    if url.is_empty() || url.starts_with('#') || url.starts_with('?') || has_scheme(url) {
        return (Resolved::Keep, None);
    }
    let (path, frag) = match url.find(['#', '?']) {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let decoded = percent_decode(path);
    if let Some(site) = decoded.strip_prefix('/') {
        // A site path: it must exist; add the trailing slash of pretty URLs.
        let site = site.to_string();
        let found = if ctx.known.contains(&site) {
            Some(site.clone())
        } else if !site.ends_with('/') && ctx.known.contains(&format!("{site}/")) {
            Some(format!("{site}/"))
        } else {
            site.strip_suffix("index.html")
                .filter(|s| ctx.known.contains(*s))
                .map(str::to_string)
        };
        return match found {
            Some(p) => (
                Resolved::To(format!("{}{}{}", ctx.base_path, p, frag)),
                None,
            ),
            None => (
                Resolved::Broken(
                    text!("broken link `{}`: the site has no page or file at that path", url; "链接 `{}` 无效：站点中没有这个页面或文件", url),
                    Some(
                        text!("site paths look like `/reports/<slug>/`; check the slug, or link the Markdown file relatively (`../articles/x.md`)";
                               "站内路径形如 `/reports/<slug>/`；请检查 slug，或用相对路径链接 Markdown 文件（`../articles/x.md`）"),
                    ),
                ),
                None,
            ),
        };
    }
    let Some(target) = join_relative(ctx.source_dir, &decoded) else {
        return (
            Resolved::Broken(
                text!("link `{}` points outside content/", url; "链接 `{}` 指向 content/ 之外", url),
                Some(
                    text!("put the file inside content/ or static/"; "请把文件放在 content/ 或 static/ 中"),
                ),
            ),
            None,
        );
    };
    if let Some(site) = ctx.by_source.get(&target) {
        return (
            Resolved::To(format!("{}{}{}", ctx.base_path, site, frag)),
            None,
        );
    }
    if ctx.assets.contains(&target) {
        return (
            Resolved::To(format!("{}{}{}", ctx.base_path, target, frag)),
            Some(target),
        );
    }
    (
        Resolved::Broken(
            text!("broken link `{}`: no file content/{}", url, target; "链接 `{}` 无效：找不到文件 content/{}", url, target),
            Some(
                text!("relative links resolve against the page's own folder; check the file name and folder";
                       "相对链接以当前文件所在目录为起点；请检查文件名和目录"),
            ),
        ),
        None,
    )
}

/// The URL to emit for a resolved link; a broken one is kept as written and
/// recorded as a finding at `offset`.
fn apply<'a>(
    res: Resolved,
    dest: CowStr<'a>,
    offset: usize,
    findings: &mut Vec<Finding>,
) -> CowStr<'a> {
    match res {
        Resolved::Keep => dest,
        Resolved::To(u) => CowStr::from(u),
        Resolved::Broken(message, hint) => {
            findings.push(Finding {
                at: None,
                offset,
                error: true,
                message,
                hint,
            });
            dest
        }
    }
}

/// Resolves a path written in front matter (an article's `cover:`) like a
/// link in the body: the URL to use, or what is wrong with it.
pub fn resolve_path(url: &str, ctx: &LinkContext) -> Result<String, (Text, Option<Text>)> {
    match resolve_link(url, ctx).0 {
        Resolved::Keep => Ok(url.to_string()),
        Resolved::To(u) => Ok(u),
        Resolved::Broken(m, h) => Err((m, h)),
    }
}

/// A heading id that keeps Chinese characters: `一、主要工作` → `一主要工作`.
pub fn heading_id(title: &str) -> String {
    let mut id = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !id.ends_with('-')
            && !id.is_empty()
        {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "section".into()
    } else {
        id
    }
}

/// Cuts plain text at about `max` characters, at a sentence end when one is
/// near, else with an ellipsis. Counts characters, not bytes.
pub fn cut_summary(text: &str, max: usize) -> String {
    let text = text.trim();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    if let Some(i) = (max / 2..max)
        .rev()
        .find(|&i| "。！？；!?;".contains(chars[i]))
    {
        return chars[..=i].iter().collect();
    }
    let mut s: String = chars[..max]
        .iter()
        .collect::<String>()
        .trim_end_matches(['，', '、', ',', ' ', '：', ':'])
        .to_string();
    s.push('…');
    s
}

/// A URL for a message: at most 60 characters, control characters escaped.
fn shorten(url: &str) -> String {
    let mut s = String::new();
    for c in url.chars().take(60) {
        if c.is_control() {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    if url.chars().nth(60).is_some() {
        s.push('…');
    }
    s
}

/// The warning for a URL [`unsafe_scheme`] refused.
fn refused(url: &str, scheme: &str, offset: usize, at: Option<(usize, usize)>) -> Finding {
    let u = shorten(url);
    Finding {
        offset,
        at,
        error: false,
        message: text!("`{}:` address `{}` removed: only web, mail and phone addresses and site paths are linked", scheme, u;
                       "已移除 `{}:` 地址 `{}`：只允许网页、邮件、电话地址和站内路径", scheme, u),
        hint: Some(
            text!("link an `https://` address or a file of the site instead";
                         "请改为链接 `https://` 地址或站内文件"),
        ),
    }
}

/// Resolves an article's `cover:` like an image in the body: the URL to
/// use, and what is wrong with it (a broken path is an error, an unsafe
/// scheme a warning and no cover). Front matter is never raw HTML, so the
/// scheme is checked whatever `markdown.unsafe_html` says.
pub fn resolve_cover(
    url: &str,
    ctx: &LinkContext,
    at: (usize, usize),
) -> (Option<String>, Option<Finding>) {
    if let Some(scheme) = unsafe_scheme(&decode_entities(url)) {
        return (None, Some(refused(url, &scheme, 0, Some(at))));
    }
    match resolve_path(url, ctx) {
        Ok(u) => (Some(u), None),
        Err((message, hint)) => (
            None,
            Some(Finding {
                offset: 0,
                at: Some(at),
                error: true,
                message,
                hint,
            }),
        ),
    }
}

/// An open link: where its start event is, the asset it leads to, its
/// text so far, and whether its tags are emitted (an unsafe one is not).
struct OpenLink {
    asset: Option<String>,
    text: String,
    kept: bool,
}

/// An open image: its offset, alt text so far, and whether it is emitted.
struct OpenImage {
    offset: usize,
    alt: String,
    kept: bool,
}

/// The state of one body's rendering, event by event.
struct Walk<'e, 'c> {
    links: &'c LinkContext<'c>,
    /// Refuse unsafe URL schemes (raw HTML is off).
    safe: bool,
    out: Rendered,
    events: Vec<Event<'e>>,
    used_ids: HashMap<String, usize>,
    /// The open heading: its start event's index and its text so far.
    heading: Option<(usize, String)>,
    first_para: Option<String>,
    in_para: bool,
    para_text: String,
    link_stack: Vec<OpenLink>,
    image_stack: Vec<OpenImage>,
}

impl<'e, 'c> Walk<'e, 'c> {
    /// The URL to emit for a link or image, or None when it is refused.
    fn url(
        &mut self,
        dest: CowStr<'e>,
        email: bool,
        offset: usize,
    ) -> (Option<CowStr<'e>>, Option<String>) {
        if self.safe {
            if let Some(scheme) = unsafe_scheme(&dest) {
                self.out
                    .findings
                    .push(refused(&dest, &scheme, offset, None));
                return (None, None);
            }
        }
        let (res, asset) = if email {
            (Resolved::Keep, None)
        } else {
            resolve_link(&dest, self.links)
        };
        (
            Some(apply(res, dest, offset, &mut self.out.findings)),
            asset,
        )
    }

    /// Rewrites an event (links, images, raw HTML); None drops it.
    fn rewrite(&mut self, ev: Event<'e>, offset: usize) -> Option<Event<'e>> {
        Some(match ev {
            Event::Html(h) | Event::InlineHtml(h) if self.safe => Event::Text(h),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (url, asset) = self.url(dest_url, link_type == LinkType::Email, offset);
                let kept = url.is_some();
                self.link_stack.push(OpenLink {
                    asset,
                    text: String::new(),
                    kept,
                });
                let dest_url = url?;
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (url, _) = self.url(dest_url, false, offset);
                let kept = url.is_some();
                self.image_stack.push(OpenImage {
                    offset,
                    alt: String::new(),
                    kept,
                });
                let dest_url = url?;
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                let link = self.link_stack.pop()?;
                let kept = link.kept;
                self.attachment(link);
                if !kept {
                    return None;
                }
                ev
            }
            Event::End(TagEnd::Image) => {
                let image = self.image_stack.pop()?;
                if !image.kept {
                    return None;
                }
                self.alt_check(image);
                ev
            }
            other => other,
        })
    }

    /// Records a closed link to an attachment (`[方案](方案.pdf)`).
    fn attachment(&mut self, link: OpenLink) {
        let Some(asset) = link.asset else { return };
        let ext = asset.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        if !ATTACHMENT_EXTS.contains(&ext.as_str()) {
            return;
        }
        let file = asset.rsplit('/').next().unwrap_or(&asset).to_string();
        let name = if link.text.trim().is_empty() {
            file
        } else {
            link.text.trim().to_string()
        };
        self.out.attachments.push(Attachment {
            name,
            url: format!("{}{}", self.links.base_path, asset),
            ext,
        });
    }

    fn alt_check(&mut self, image: OpenImage) {
        if image.alt.trim().is_empty() {
            self.out.findings.push(Finding {
                at: None,
                offset: image.offset,
                error: false,
                message: text!("image without alternative text"; "图片缺少替代文字"),
                hint: Some(text!("write a short description in the brackets: `![县城主干道清扫](photo.jpg)`, for readers who cannot see it";
                                 "请在方括号中写简短说明，如 `![县城主干道清扫](photo.jpg)`，方便视障读者")),
            });
        }
    }

    /// Gives the closed heading an id (unless it has one) and a TOC entry.
    fn heading_end(&mut self, level: u8) {
        let Some((idx, title)) = self.heading.take() else {
            return;
        };
        let Some(Event::Start(Tag::Heading { id, .. })) = self.events.get_mut(idx) else {
            return;
        };
        let chosen = match id {
            Some(given) => given.to_string(),
            None => {
                let base = heading_id(&title);
                let n = self.used_ids.entry(base.clone()).or_insert(0);
                *n += 1;
                let s = if *n == 1 {
                    base
                } else {
                    format!("{base}-{}", *n - 1)
                };
                *id = Some(CowStr::from(s.clone()));
                s
            }
        };
        self.out.toc.push(TocEntry {
            level,
            id: chosen,
            title: title.trim().to_string(),
        });
    }

    /// Collects text for headings, the summary, alt texts, link texts and search.
    fn text(&mut self, t: &str) {
        if let Some((_, h)) = &mut self.heading {
            h.push_str(t);
        }
        let kept_image = self.image_stack.iter().any(|i| i.kept);
        if self.in_para && !kept_image {
            self.para_text.push_str(t);
        }
        if let Some(i) = self.image_stack.last_mut() {
            i.alt.push_str(t);
        }
        if let Some(l) = self.link_stack.last_mut() {
            l.text.push_str(t);
        }
        self.out.plain.push_str(t);
    }

    /// Notes what an emitted event means for headings, summary and text.
    fn observe(&mut self, ev: &Event<'e>) {
        match ev {
            Event::Start(Tag::Heading { .. }) => {
                self.heading = Some((self.events.len(), String::new()))
            }
            Event::Start(Tag::Paragraph) => {
                self.in_para = true;
                self.para_text.clear();
            }
            Event::End(TagEnd::Paragraph) => {
                self.in_para = false;
                if self.first_para.is_none() && !self.para_text.trim().is_empty() {
                    self.first_para = Some(std::mem::take(&mut self.para_text));
                }
                self.out.plain.push('\n');
            }
            Event::End(TagEnd::Heading(level)) => {
                self.heading_end(*level as u8);
                self.out.plain.push('\n');
            }
            Event::Text(t) | Event::Code(t) => self.text(t),
            Event::SoftBreak | Event::HardBreak => {
                if self.in_para {
                    self.para_text.push(' ');
                }
                self.out.plain.push(' ');
            }
            _ => {}
        }
    }
}

/// Renders a Markdown body.
pub fn render(body: &str, unsafe_html: bool, links: &LinkContext) -> Rendered {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    let mut w = Walk {
        links,
        safe: !unsafe_html,
        out: Rendered::default(),
        events: Vec::new(),
        used_ids: HashMap::new(),
        heading: None,
        first_para: None,
        in_para: false,
        para_text: String::new(),
        link_stack: Vec::new(),
        image_stack: Vec::new(),
    };
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        if let Some(ev) = w.rewrite(ev, range.start) {
            w.observe(&ev);
            w.events.push(ev);
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, w.events.into_iter());
    if html.contains("<table>") {
        html = html
            .replace("<table>", "<div class=\"table-wrap\"><table>")
            .replace("</table>", "</table></div>");
    }
    let mut out = w.out;
    out.html = html;
    out.summary = cut_summary(&w.first_para.unwrap_or_default(), SUMMARY_CHARS);
    out
}

pub use crate::source::line_col;

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(
        by: &'a HashMap<String, String>,
        known: &'a BTreeSet<String>,
        assets: &'a BTreeSet<String>,
    ) -> LinkContext<'a> {
        LinkContext {
            base_path: "/cw/",
            source_dir: "reports/2024",
            by_source: by,
            known,
            assets,
        }
    }

    #[test]
    fn chinese_heading_ids_and_toc() {
        let (by, known, assets) = (HashMap::new(), BTreeSet::new(), BTreeSet::new());
        let r = render(
            "## 一、主要工作\n\n文字\n\n## 一、主要工作\n\n### Custom {#my-id}\n",
            false,
            &ctx(&by, &known, &assets),
        );
        assert!(
            r.html.contains("<h2 id=\"一主要工作\">一、主要工作</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"一主要工作-1\""), "{}", r.html);
        assert!(r.html.contains("id=\"my-id\""));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.summary, "文字");
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let (by, known, assets) = (HashMap::new(), BTreeSet::new(), BTreeSet::new());
        let r = render(
            "a <script>alert(1)</script> b\n",
            false,
            &ctx(&by, &known, &assets),
        );
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        let r = render("a <b>x</b>\n", true, &ctx(&by, &known, &assets));
        assert!(r.html.contains("<b>x</b>"));
    }

    #[test]
    fn links_are_rewritten_and_checked() {
        let by: HashMap<String, String> =
            [("articles/a.md".to_string(), "articles/a/".to_string())].into();
        let known: BTreeSet<String> = ["reports/x/".to_string()].into();
        let assets: BTreeSet<String> = [
            "reports/2024/方案.pdf".to_string(),
            "reports/2024/p.jpg".to_string(),
        ]
        .into();
        let md = "[r](/reports/x/) [r2](/reports/x#top) [a](../../articles/a.md#h) [f](方案.pdf) ![图](p.jpg) [e](https://e.cn/) [bad](/nope/) [bad2](missing.md)\n";
        let r = render(md, false, &ctx(&by, &known, &assets));
        assert!(r.html.contains("href=\"/cw/reports/x/\""), "{}", r.html);
        assert!(r.html.contains("href=\"/cw/reports/x/#top\""), "{}", r.html);
        assert!(r.html.contains("href=\"/cw/articles/a/#h\""), "{}", r.html);
        assert!(
            r.html.contains("src=\"/cw/reports/2024/p.jpg\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"https://e.cn/\""));
        assert_eq!(r.attachments.len(), 1);
        assert_eq!(r.attachments[0].name, "f");
        let errors: Vec<_> = r.findings.iter().filter(|f| f.error).collect();
        assert_eq!(errors.len(), 2, "{:?}", r.findings);
        assert_eq!(line_col(md, errors[0].offset).0, 1);
    }

    #[test]
    fn unsafe_schemes_are_refused_in_any_disguise() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscr\nipt:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>",
            "DATA:image/svg+xml,<svg>",
            "file:///etc/passwd",
            "weird-scheme:x",
        ] {
            assert!(unsafe_scheme(bad).is_some(), "{bad}");
        }
        for good in [
            "https://e.cn/",
            "HTTP://e.cn/",
            "mailto:a@b.cn",
            "tel:+86-10-1234",
            "#top",
            "../a.md",
            "/reports/x/",
            "a:b/c.pdf".split(':').next().unwrap(),
            "data:image/png;base64,AAAA",
            "data:IMAGE/WEBP;base64,AAAA",
            "//cdn.example.cn/x.png",
            "路径/文件:名.pdf".split(':').next().unwrap(),
        ] {
            assert!(unsafe_scheme(good).is_none(), "{good}");
        }
        assert_eq!(
            decode_entities("&#106;ava&#x73;cript&colon;x"),
            "javascript:x"
        );
        assert_eq!(decode_entities("a & b &amp;"), "a & b &amp;");
    }

    #[test]
    fn unsafe_links_render_their_text_only() {
        let (by, known, assets) = (HashMap::new(), BTreeSet::new(), BTreeSet::new());
        let md = "[点我](javascript:alert(1)) [x](&#106;avascript:alert(2)) <vbscript:y> ![图](data:text/html,z) [ok](https://e.cn/)\n";
        let r = render(md, false, &ctx(&by, &known, &assets));
        assert!(!r.html.contains("href=\"javascript"), "{}", r.html);
        assert!(!r.html.contains("alert"), "{}", r.html);
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(
            r.html
                .contains("点我 x vbscript:y 图 <a href=\"https://e.cn/\">ok</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.findings.iter().filter(|f| !f.error).count(), 4);
        // Raw HTML allowed: the author is trusted with links too.
        let r = render(md, true, &ctx(&by, &known, &assets));
        assert!(
            r.html.contains("href=\"javascript:alert(1)\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn image_without_alt_warns() {
        let (by, known) = (HashMap::new(), BTreeSet::new());
        let assets: BTreeSet<String> = ["reports/2024/p.jpg".to_string()].into();
        let r = render("![](p.jpg)\n", false, &ctx(&by, &known, &assets));
        assert!(r.findings.iter().any(|f| !f.error));
    }

    #[test]
    fn summaries_cut_cjk_aware() {
        let long =
            "根据县委、政府对建立卫生村镇的工作部署，进一步完善陶乐镇乡镇功能，提升乡镇管理水平。"
                .repeat(4);
        let s = cut_summary(&long, 120);
        assert!(s.chars().count() <= 120);
        assert!(s.ends_with('。'));
        let no_stop = "一".repeat(200);
        let s = cut_summary(&no_stop, 120);
        assert_eq!(s.chars().count(), 121);
        assert!(s.ends_with('…'));
    }
}
