//! Turning an editor's file into text: BOM, encoding check (GBK files from
//! old Windows editors are named as such, never rendered as mojibake), CRLF,
//! the split into front matter and Markdown body with line offsets, and
//! byte offsets turned into line and column.

use crate::diagnostics::{text, Diagnostic};
use std::path::Path;

/// Decodes UTF-8 (with or without BOM) and normalises line endings to LF;
/// the common case (no BOM, LF endings) keeps the buffer without a copy.
/// Anything else is an error naming the file and the first bad byte's place.
pub fn decode(mut buf: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") {
        return Err(Diagnostic::error(
            shown,
            1,
            1,
            text!(
            "file is UTF-16, not UTF-8"; "文件是 UTF-16 编码，不是 UTF-8"),
        )
        .with_hint(text!(
            "save it as \"UTF-8\" in your editor (Notepad: File → Save As → Encoding: UTF-8)";
            "请在编辑器中另存为“UTF-8”编码（记事本：文件 → 另存为 → 编码选 UTF-8）")));
    }
    match String::from_utf8(buf) {
        Ok(s) if s.contains('\r') => Ok(s.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(s) => Ok(s),
        Err(e) => {
            let bytes = e.as_bytes();
            let e = e.utf8_error();
            let good = &bytes[..e.valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            let line = good.matches('\n').count() + 1;
            let col = good
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0)
                + 1;
            let (_, _, gbk_bad) = encoding_rs::GB18030.decode(bytes);
            let msg = if gbk_bad {
                text!("file is not valid UTF-8"; "文件不是有效的 UTF-8 编码")
            } else {
                text!("file is not UTF-8: it looks like GBK/GB18030 (saved by an old Windows editor)";
                      "文件不是 UTF-8 编码：看起来是 GBK/GB18030（旧版 Windows 编辑器保存的）")
            };
            Err(Diagnostic::error(shown, line, col, msg).with_hint(text!(
                "open it and save it again as \"UTF-8\" (Notepad: File → Save As → Encoding: UTF-8)";
                "请打开后另存为“UTF-8”编码（记事本：文件 → 另存为 → 编码选 UTF-8）")))
        }
    }
}

/// A file split into its front matter and body.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub front: &'a str,
    /// File line where the front matter's first line stands (1-based).
    pub front_line: usize,
    pub body: &'a str,
    /// File line where the body's first line stands (1-based).
    pub body_line: usize,
}

/// Splits `---\n<yaml>\n---\n<body>`.
pub fn split_front_matter<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>, Diagnostic> {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Diagnostic::error(shown, 1, 1, text!(
            "the file does not start with front matter (a `---` line)";
            "文件开头缺少元数据（第一行应为 `---`）"))
        .with_hint(text!(
            "start the file with `---`, then `title: ...` and the other keys, then a closing `---` line";
            "在文件开头写 `---`，接着写 `title: ...` 等键，再用一行 `---` 结束")));
    }
    let after_open = first.len() + 1;
    let rest = text.get(after_open..).unwrap_or("");
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok(Split {
                front,
                front_line: 2,
                body,
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        shown,
        1,
        1,
        text!(
        "front matter is not closed: no second `---` line";
        "元数据没有结束：缺少第二行 `---`"),
    )
    .with_hint(text!(
        "add a line `---` after the last `key: value` line, before the text";
        "在最后一个 `键: 值` 行之后、正文之前加一行 `---`")))
}

/// 1-based (line, column in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Line starts of a text, so many offsets turn into (line, column) in
/// time linear in the text, not the text's size per offset (a body with
/// 60,000 broken links on one line is reported as fast as one with one).
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// The last answer (offset, line, column): a later offset on the same
    /// line counts its column from there.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, 1, 1)),
        }
    }

    /// 1-based (line, column in characters) of byte `offset`, as
    /// [`line_col`] gives. Offsets asked in increasing order cost the
    /// distance between them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (at, line, col) = self.last.get();
        let same_line = offset >= at && self.starts.get(line).is_none_or(|&next| offset < next);
        let (line, col) = match self.text.get(at..offset) {
            Some(between) if same_line => (line, col + between.chars().count()),
            _ => {
                let line = self.starts.partition_point(|&s| s <= offset);
                let start = self.starts[line - 1];
                let col = self
                    .text
                    .get(start..offset)
                    .map_or(0, |t| t.chars().count());
                (line, col + 1)
            }
        };
        self.last.set((offset, line, col));
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let s = decode(
            b"\xEF\xBB\xBF---\r\ntitle: a\r\n---\r\nbody\r\n".to_vec(),
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(s, "---\ntitle: a\n---\nbody\n");
    }

    #[test]
    fn gbk_is_named() {
        let (gbk, _, _) = encoding_rs::GBK.encode("---\ntitle: 陶乐镇\n---\n");
        let e = decode(gbk.into_owned(), Path::new("a.md")).unwrap_err();
        assert!(e.message.en.contains("GBK"), "{:?}", e.message);
        assert_eq!((e.line, e.col), (2, 8));
    }

    #[test]
    fn line_index_agrees_with_line_col() {
        let t = "ab\n陶乐镇x\n\nlast";
        let idx = LineIndex::new(t);
        let offsets: Vec<usize> = (0..=t.len() + 2)
            .filter(|&o| o > t.len() || t.is_char_boundary(o))
            .collect();
        for &o in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(idx.line_col(o), line_col(t, o), "{o}");
        }
    }

    #[test]
    fn splits_with_line_numbers() {
        let t = "---\ntitle: a\ndate: b\n---\n# H\ntext\n";
        let s = split_front_matter(t, Path::new("a.md")).unwrap();
        assert_eq!(s.front, "title: a\ndate: b\n");
        assert_eq!(s.body, "# H\ntext\n");
        assert_eq!(s.body_line, 5);
        assert!(split_front_matter("---\ntitle: a\n", Path::new("a.md")).is_err());
        assert!(split_front_matter("# no\n", Path::new("a.md")).is_err());
    }
}
