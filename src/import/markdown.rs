//! The report body as Markdown: escaping (so a document's `*`, `[` or a
//! leading `1. ` stay text), bold and italic kept where CommonMark's
//! flanking rules allow them next to Chinese punctuation, links, pictures,
//! footnotes and pipe tables.

use super::model::{is_space, Doc, Out, Seg, Table};

/// A picture as written out: its file name beside the report and alt text.
pub struct Picture {
    pub file: String,
    pub alt: String,
}

/// Escapes text for inline Markdown; `|` too inside table cells.
fn escape(s: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '|' if in_table => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Characters that may not stand just inside `**`: CommonMark needs the
/// markers flanked by a non-space; punctuation inside them next to a
/// Chinese character outside breaks the emphasis, so both go outside.
fn outside_marker(c: char) -> bool {
    is_space(c) || (c.is_ascii_punctuation() && c != '\\') || is_cjk_punct(c)
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0x2010..=0x2027)
}

/// One formatted run: `**core**` with leading and trailing punctuation and
/// spaces moved outside the markers.
fn emphasised(text: &str, bold: bool, italic: bool, in_table: bool) -> String {
    let marker = match (bold, italic) {
        (true, true) => "***",
        (true, false) => "**",
        (false, true) => "*",
        (false, false) => return escape(text, in_table),
    };
    let start = text
        .char_indices()
        .find(|&(_, c)| !outside_marker(c))
        .map(|(i, _)| i);
    let Some(start) = start else {
        return escape(text, in_table);
    };
    let end = text
        .char_indices()
        .rev()
        .find(|&(_, c)| !outside_marker(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(text.len());
    format!(
        "{}{marker}{}{marker}{}",
        escape(&text[..start], in_table),
        escape(&text[start..end], in_table),
        escape(&text[end..], in_table)
    )
}

/// Merges neighbouring text segments with the same formatting (writers
/// split runs at every edit).
fn merged(segs: &[Seg]) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::with_capacity(segs.len());
    for s in segs {
        if let (
            Some(Seg::Text {
                text: a,
                bold: ab,
                italic: ai,
                link: al,
            }),
            Seg::Text {
                text: b,
                bold,
                italic,
                link,
            },
        ) = (out.last_mut(), s)
        {
            if ab == bold && ai == italic && al == link {
                a.push_str(b);
                continue;
            }
        }
        out.push(s.clone());
    }
    out
}

/// Inline Markdown for a paragraph or table cell.
pub fn inline(segs: &[Seg], doc: &Doc, pictures: &[Picture], in_table: bool) -> String {
    let segs = merged(segs);
    let mut out = String::new();
    let mut i = 0;
    while i < segs.len() {
        match &segs[i] {
            Seg::Text { link: Some(l), .. } => {
                let l = *l;
                let mut j = i;
                while matches!(segs.get(j), Some(Seg::Text { link: Some(x), .. }) if *x == l) {
                    j += 1;
                }
                let inner: Vec<Seg> = segs[i..j]
                    .iter()
                    .map(|s| match s {
                        Seg::Text {
                            text, bold, italic, ..
                        } => Seg::Text {
                            text: text.clone(),
                            bold: *bold,
                            italic: *italic,
                            link: None,
                        },
                        other => other.clone(),
                    })
                    .collect();
                let text = inline(&inner, doc, pictures, in_table);
                match doc.links.get(l) {
                    Some(url) if !text.trim().is_empty() => {
                        out.push_str(&format!(
                            "[{}]({})",
                            text,
                            url.replace(' ', "%20").replace(')', "%29")
                        ));
                    }
                    _ => out.push_str(&text),
                }
                i = j;
                continue;
            }
            Seg::Text {
                text, bold, italic, ..
            } => out.push_str(&emphasised(text, *bold, *italic, in_table)),
            Seg::Image(n) => {
                if let Some(p) = pictures.get(*n) {
                    out.push_str(&format!("![{}]({})", escape(&p.alt, in_table), p.file));
                }
            }
            Seg::Note(n) => out.push_str(&format!("[^{}]", n + 1)),
            Seg::Break => out.push(' '),
        }
        i += 1;
    }
    out
}

/// Keeps a paragraph's first characters from reading as Markdown block
/// syntax: `# `, `> `, `- `, `+ `, `1. `, `1) `, `===`.
fn guard_line_start(s: String) -> String {
    let first = s.chars().next();
    if matches!(first, Some('#' | '>' | '-' | '+' | '=')) {
        return format!("\\{s}");
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 10 {
        let rest = &s[digits..];
        if (rest.starts_with(". ") || rest.starts_with(") ")) || rest == "." || rest == ")" {
            return format!("{}\\{}", &s[..digits], rest);
        }
    }
    s
}

fn table(t: &Table, doc: &Doc, pictures: &[Picture], out: &mut String) {
    let cols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    if cols == 0 {
        return;
    }
    for (r, row) in t.rows.iter().enumerate() {
        out.push('|');
        for c in 0..cols {
            let cell = row
                .get(c)
                .map(|segs| inline(segs, doc, pictures, true))
                .unwrap_or_default();
            let cell = cell.trim();
            out.push(' ');
            out.push_str(if cell.is_empty() { " " } else { cell });
            out.push_str(" |");
        }
        out.push('\n');
        if r == 0 {
            out.push('|');
            out.push_str(&" --- |".repeat(cols));
            out.push('\n');
        }
    }
}

/// The whole body: blocks, then the footnotes.
pub fn body(blocks: &[Out], doc: &Doc, pictures: &[Picture]) -> String {
    let mut out = String::new();
    // The nesting level of the previous list item: an item may go at most
    // one level deeper (more indentation would read as a code block).
    let mut prev_item: Option<u8> = None;
    // The document's level of a list's first item is the list's level 0.
    let mut base = 0u8;
    for b in blocks {
        let is_item = matches!(b, Out::Item(..));
        let same_list = is_item && prev_item.is_some();
        if !out.is_empty() && !same_list {
            out.push('\n');
        }
        let allowed = prev_item.map_or(0, |l| l + 1);
        match b {
            Out::Heading(level, segs) => {
                let text = inline(segs, doc, pictures, false);
                out.push_str(&"#".repeat(usize::from(*level).clamp(2, 6)));
                out.push(' ');
                out.push_str(text.trim());
                out.push('\n');
            }
            Out::Para(segs) => {
                out.push_str(&guard_line_start(
                    inline(segs, doc, pictures, false).trim().to_string(),
                ));
                out.push('\n');
            }
            Out::Item(number, level, segs) => {
                if prev_item.is_none() || *level < base {
                    base = *level;
                }
                let level = (*level - base).min(allowed);
                prev_item = Some(level);
                out.push_str(&"   ".repeat(usize::from(level)));
                match number {
                    Some(n) => out.push_str(&format!("{n}. ")),
                    None => out.push_str("- "),
                }
                out.push_str(&guard_line_start(
                    inline(segs, doc, pictures, false).trim().to_string(),
                ));
                out.push('\n');
            }
            Out::Table(t) => table(t, doc, pictures, &mut out),
        }
        if !is_item {
            prev_item = None;
        }
    }
    for (i, note) in doc.footnotes.iter().enumerate() {
        if i == 0 {
            out.push('\n');
        }
        let text = inline(note, doc, pictures, false);
        out.push_str(&format!("[^{}]: {}\n", i + 1, text.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str, bold: bool) -> Seg {
        Seg::Text {
            text: text.into(),
            bold,
            italic: false,
            link: None,
        }
    }

    #[test]
    fn emphasis_next_to_chinese_punctuation() {
        let doc = Doc::default();
        let segs = [
            t("坚持", false),
            t("“预防", true),
            t("为主”，", true),
            t("的方针*", false),
        ];
        assert_eq!(
            inline(&segs, &doc, &[], false),
            "坚持“**预防为主**”，的方针\\*"
        );
        assert_eq!(inline(&[t("　", true)], &doc, &[], false), "　");
    }

    #[test]
    fn line_starts_and_tables() {
        assert_eq!(guard_line_start("1. 不是列表".into()), "1\\. 不是列表");
        assert_eq!(guard_line_start("1.宣传".into()), "1.宣传");
        assert_eq!(guard_line_start("# x".into()), "\\# x");
        let doc = Doc::default();
        let tab = Table {
            rows: vec![
                vec![vec![t("a|b", false)]],
                vec![vec![], vec![t("c", false)]],
            ],
        };
        let mut s = String::new();
        table(&tab, &doc, &[], &mut s);
        assert_eq!(s, "| a\\|b |   |\n| --- | --- |\n|   | c |\n");
    }
}
