//! 公文 structure: the title paragraph, the 落款 (sign-off: unit, date) at
//! the end, and headings numbered the official way whatever the font —
//! `一、` → `##`, `（一）` → `###`, `1.`/`1、` → `####`, `（1）` → a
//! numbered list item. A heading paragraph that runs on after its first
//! sentence ("（一）领导重视，组织机构逐步健全。陶乐镇迅速行动……") is split:
//! the sentence is the heading, the rest a paragraph. Heading styles in the
//! document (Heading 1 → `##`, …) win over the numbering rule.

use super::infer;
use super::model::{is_space, Align, Block, Doc, Kind, Out, Para, Seg};

/// The document read as a report.
#[derive(Debug, Default)]
pub struct Structured {
    pub title: Option<String>,
    /// The 落款's unit line ("陶乐镇人民政府") and date line.
    pub signoff_unit: Option<String>,
    pub signoff_date: Option<String>,
    pub blocks: Vec<Out>,
}

/// A heading longer than this is a paragraph that happens to be numbered.
const MAX_HEADING: usize = 50;

fn trim_segs(segs: &mut Vec<Seg>) {
    while let Some(Seg::Text { text, .. }) = segs.first_mut() {
        let t = text.trim_start_matches(is_space);
        if t.is_empty() {
            segs.remove(0);
        } else {
            *text = t.to_string();
            break;
        }
    }
    while let Some(Seg::Text { text, .. }) = segs.last_mut() {
        let t = text.trim_end_matches(is_space);
        if t.is_empty() {
            segs.pop();
        } else {
            text.truncate(t.len());
            break;
        }
    }
}

/// Splits `segs` at byte `at` of their plain text.
fn split_segs(segs: &[Seg], at: usize) -> (Vec<Seg>, Vec<Seg>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut seen = 0;
    for s in segs {
        match s {
            Seg::Text {
                text,
                bold,
                italic,
                link,
            } if seen < at && seen + text.len() > at => {
                let cut = at - seen;
                let mk = |t: &str| Seg::Text {
                    text: t.to_string(),
                    bold: *bold,
                    italic: *italic,
                    link: *link,
                };
                a.push(mk(&text[..cut]));
                b.push(mk(&text[cut..]));
                seen += text.len();
            }
            Seg::Text { text, .. } => {
                if seen < at {
                    a.push(s.clone())
                } else {
                    b.push(s.clone())
                }
                seen += text.len();
            }
            _ if seen < at => a.push(s.clone()),
            _ => b.push(s.clone()),
        }
    }
    (a, b)
}

/// Paragraphs with manual breaks: a title or heading joins its lines, a
/// body paragraph becomes one paragraph per line. Blank ones are dropped.
fn normalised(doc: &Doc) -> Vec<Block> {
    let mut out = Vec::new();
    for b in &doc.blocks {
        let Block::Para(p) = b else {
            out.push(b.clone());
            continue;
        };
        let joins = !matches!(p.kind, Kind::Body) || p.align == Align::Center;
        let mut parts: Vec<Vec<Seg>> = vec![Vec::new()];
        for s in &p.segs {
            match s {
                Seg::Break if !joins => parts.push(Vec::new()),
                Seg::Break => {}
                _ => parts.last_mut().expect("never empty").push(s.clone()),
            }
        }
        for mut segs in parts {
            trim_segs(&mut segs);
            let q = Para { segs, ..p.clone() };
            if q.has_content() {
                out.push(Block::Para(q));
            }
        }
    }
    out
}

fn ends_like_sentence(s: &str) -> bool {
    s.ends_with(['。', '；', '：', '，', '、', ';', ':', ',', '！', '？'])
}

/// The 公文 number a paragraph starts with: (heading level or 0 for a list
/// item, the label's byte length, the list number).
fn numbered(text: &str) -> Option<(u8, usize, u32)> {
    const CN: &str = "一二三四五六七八九十";
    let cn_len = |s: &str| {
        s.char_indices()
            .find(|&(_, c)| !CN.contains(c))
            .map(|(i, _)| i)
            .unwrap_or(s.len())
    };
    let n = cn_len(text);
    if n > 0 && text[n..].starts_with('、') {
        return Some((2, n + '、'.len_utf8(), 0));
    }
    for (open, close) in [("（", "）"), ("(", ")")] {
        if let Some(rest) = text.strip_prefix(open) {
            let n = cn_len(rest);
            if n > 0 && rest[n..].starts_with(close) {
                return Some((3, open.len() + n + close.len(), 0));
            }
            let d = rest.bytes().take_while(u8::is_ascii_digit).count();
            if (1..=2).contains(&d) && rest[d..].starts_with(close) {
                let num = rest[..d].parse().unwrap_or(1);
                return Some((0, open.len() + d + close.len(), num));
            }
        }
    }
    let d = text.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&d) {
        let rest = &text[d..];
        for sep in ['.', '．', '、'] {
            if let Some(after) = rest.strip_prefix(sep) {
                if !after.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some((4, d + sep.len_utf8(), 0));
                }
            }
        }
    }
    None
}

fn plain_bold_off(segs: Vec<Seg>) -> Vec<Seg> {
    segs.into_iter()
        .map(|s| match s {
            Seg::Text {
                text, italic, link, ..
            } => Seg::Text {
                text,
                bold: false,
                italic,
                link,
            },
            other => other,
        })
        .collect()
}

/// A heading from a paragraph: the first sentence, without its full stop;
/// the rest of the paragraph follows as body text.
fn heading(level: u8, segs: Vec<Seg>, out: &mut Vec<Out>) {
    let text = Para {
        segs: segs.clone(),
        ..Para::default()
    }
    .text();
    let stop = text.find('。');
    let (head, rest) = match stop {
        Some(i) => {
            let (a, b) = split_segs(&segs, i);
            let (_, b) = split_segs(&b, '。'.len_utf8());
            (a, b)
        }
        None => (segs, Vec::new()),
    };
    out.push(Out::Heading(level, plain_bold_off(head)));
    let mut rest = rest;
    trim_segs(&mut rest);
    if rest
        .iter()
        .any(|s| !matches!(s, Seg::Text { text, .. } if text.chars().all(is_space)))
    {
        out.push(Out::Para(rest));
    }
}

fn structure(p: Para, out: &mut Vec<Out>) {
    match p.kind {
        Kind::Heading(n) => return out.push(Out::Heading((n + 1).min(6), plain_bold_off(p.segs))),
        Kind::Bullet(l) => return out.push(Out::Item(None, l, p.segs)),
        Kind::Numbered(l, n) => return out.push(Out::Item(Some(n), l, p.segs)),
        Kind::Body | Kind::Title => {}
    }
    let text = p.text();
    match numbered(&text) {
        Some((0, len, num)) => {
            let (_, mut rest) = split_segs(&p.segs, len);
            trim_segs(&mut rest);
            out.push(Out::Item(Some(num), 0, rest));
        }
        Some((level, _, _)) => {
            let first = text.split('。').next().unwrap_or("");
            if first.chars().count() <= MAX_HEADING {
                heading(level, p.segs, out);
            } else {
                out.push(Out::Para(p.segs));
            }
        }
        None => out.push(Out::Para(p.segs)),
    }
}

/// The title: the Title style, else a short first paragraph that is
/// centred, in the document's largest type, or the first line of a text
/// file. Returns its index.
fn title_index(blocks: &[Block], plain_text: bool) -> Option<usize> {
    let paras = blocks
        .iter()
        .take(8)
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Para(p) => Some((i, p)),
            Block::Table(_) => None,
        });
    let paras: Vec<(usize, &Para)> = paras.collect();
    if let Some(&(i, _)) = paras.iter().find(|(_, p)| p.kind == Kind::Title) {
        return Some(i);
    }
    // Short lines may stand before the title (文号 "平政发〔2024〕12号",
    // 签发人); they stay in the body.
    for (k, &(i, p)) in paras.iter().enumerate().take(4) {
        if i != k {
            return None;
        }
        let text = p.text();
        let short =
            text.chars().count() <= 60 && !ends_like_sentence(&text) && numbered(&text).is_none();
        let others = || paras.iter().filter(move |(j, _)| *j != i);
        let only_h1 =
            p.kind == Kind::Heading(1) && !others().any(|(_, q)| q.kind == Kind::Heading(1));
        let largest = p.size > 0 && others().all(|(_, q)| q.size < p.size);
        let first_line = plain_text && k == 0;
        let looks = first_line || p.align == Align::Center || largest || only_h1;
        if short && looks && matches!(p.kind, Kind::Body | Kind::Heading(1)) {
            return Some(i);
        }
        if text.chars().count() > 30 || plain_text {
            return None;
        }
    }
    None
}

/// The 落款 at the end: a date line, and the unit line right before it.
fn signoff(blocks: &mut Vec<Block>) -> (Option<String>, Option<String>) {
    let text_at = |blocks: &[Block], i: usize| match blocks.get(i) {
        Some(Block::Para(p)) if p.kind == Kind::Body => {
            Some(p.text().trim_matches(is_space).to_string())
        }
        _ => None,
    };
    let Some(last) = blocks.len().checked_sub(1) else {
        return (None, None);
    };
    let Some(line) = text_at(blocks, last) else {
        return (None, None);
    };
    let date_ok = infer::find_date(&line).is_some_and(|(_, r)| r.start == 0 && r.end == line.len());
    if !date_ok {
        return (None, None);
    }
    blocks.pop();
    let unit = last
        .checked_sub(1)
        .and_then(|i| text_at(blocks, i))
        .filter(|u| {
            u.chars().count() <= 30
                && !u.contains(['。', '，', '；', '：', ',', ':'])
                && numbered(u).is_none()
        });
    if unit.is_some() {
        blocks.pop();
    }
    (unit, Some(line))
}

pub fn read(doc: &Doc) -> Structured {
    let mut blocks = normalised(doc);
    let mut s = Structured::default();
    if let Some(i) = title_index(&blocks, doc.plain_text) {
        if let Block::Para(p) = blocks.remove(i) {
            s.title = Some(p.text().trim_matches(is_space).to_string());
        }
    }
    let (unit, date) = signoff(&mut blocks);
    s.signoff_unit = unit;
    s.signoff_date = date;
    for b in blocks {
        match b {
            Block::Para(p) => structure(p, &mut s.blocks),
            Block::Table(t) => s.blocks.push(Out::Table(t)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block::Para(Para {
            segs: vec![Seg::plain(text)],
            ..Para::default()
        })
    }

    fn shape(o: &Out) -> String {
        let t = |segs: &[Seg]| {
            Para {
                segs: segs.to_vec(),
                ..Para::default()
            }
            .text()
        };
        match o {
            Out::Heading(l, s) => format!("h{l} {}", t(s)),
            Out::Para(s) => format!("p {}", t(s)),
            Out::Item(n, _, s) => format!("li{} {}", n.unwrap_or(0), t(s)),
            Out::Table(_) => "table".into(),
        }
    }

    #[test]
    fn gongwen_levels_title_and_signoff() {
        let mut doc = Doc {
            plain_text: true,
            ..Doc::default()
        };
        for l in [
            "陶乐镇2024年创卫工作总结",
            "　　现将工作总结如下：",
            "一、主要工作",
            "（一）领导重视，组织机构逐步健全。陶乐镇迅速行动。",
            "1.宣传到位。",
            "2、资金保障",
            "1.2万群众参与。",
            "（1）栽植苗木；",
            "(2)清理垃圾。",
            "二是垃圾清理较为彻底。",
            "陶乐镇人民政府",
            "二〇二四年四月十日",
        ] {
            doc.blocks.push(para(l));
        }
        let s = read(&doc);
        assert_eq!(s.title.as_deref(), Some("陶乐镇2024年创卫工作总结"));
        assert_eq!(s.signoff_unit.as_deref(), Some("陶乐镇人民政府"));
        assert_eq!(s.signoff_date.as_deref(), Some("二〇二四年四月十日"));
        let got: Vec<String> = s.blocks.iter().map(shape).collect();
        assert_eq!(
            got,
            [
                "p 现将工作总结如下：",
                "h2 一、主要工作",
                "h3 （一）领导重视，组织机构逐步健全",
                "p 陶乐镇迅速行动。",
                "h4 1.宣传到位",
                "h4 2、资金保障",
                "p 1.2万群众参与。",
                "li1 栽植苗木；",
                "li2 清理垃圾。",
                "p 二是垃圾清理较为彻底。"
            ]
        );
    }

    #[test]
    fn no_title_when_unsure() {
        let doc = Doc {
            blocks: vec![para("根据县委的部署，现总结如下。"), para("正文")],
            ..Doc::default()
        };
        assert_eq!(read(&doc).title, None);
        let doc = Doc {
            blocks: vec![para("工作总结"), para("正文")],
            ..Doc::default()
        };
        assert_eq!(
            read(&doc).title,
            None,
            "a docx paragraph with nothing to mark it as the title"
        );
    }
}
