//! The parts of a `.docx` that a WordprocessingML body refers to, read
//! from their XML: relationships, paragraph styles (heading, title, linked
//! numbering — the way WPS links its 公文 levels) and numbering.xml with
//! its running counters in Chinese counting formats; and the XML helpers
//! (`attr`, `each_element`, `xml_error`) that `docx.rs` and `wordml.rs`
//! share.

use crate::diagnostics::{text, Text};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

/// The value of attribute `local` (any prefix) on `e`.
pub fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.local_name();
        (key.as_ref() == local.as_bytes()).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

pub fn xml_error(part: &str, at: u64, e: impl std::fmt::Display) -> Text {
    text!("damaged XML in `{}` of the .docx (byte {}): {}", part, at, e;
          ".docx 中 `{}` 的 XML 已损坏（第 {} 字节）：{}", part, at, e)
}

/// Calls `f(local name, element, is_start)` for every start or empty
/// element of `xml`, and `f(name, _, false)` on each end.
pub fn each_element(
    xml: &str,
    part: &str,
    mut f: impl FnMut(&[u8], Option<&BytesStart>, bool),
) -> Result<(), Text> {
    let mut r = Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => f(e.local_name().as_ref(), Some(&e), true),
            Ok(Event::Empty(e)) => {
                f(e.local_name().as_ref(), Some(&e), true);
                f(e.local_name().as_ref(), None, false);
            }
            Ok(Event::End(e)) => f(e.local_name().as_ref(), None, false),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(xml_error(part, r.buffer_position(), e)),
        }
    }
}

/// A relationship target: `media/image1.png` or an external URL.
#[derive(Debug, Clone)]
pub struct Rel {
    pub target: String,
    pub external: bool,
}

pub fn rels(xml: &str, part: &str) -> Result<HashMap<String, Rel>, Text> {
    let mut out = HashMap::new();
    each_element(xml, part, |name, e, start| {
        if let (b"Relationship", Some(e), true) = (name, e, start) {
            if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
                let external = attr(e, "TargetMode").is_some_and(|m| m == "External");
                out.insert(id, Rel { target, external });
            }
        }
    })?;
    Ok(out)
}

/// What a paragraph style says.
#[derive(Debug, Clone, Default)]
pub struct Style {
    pub name: String,
    pub based_on: Option<String>,
    pub outline: Option<u8>,
    pub num: Option<(String, u8)>,
    pub centered: bool,
    pub size: u32,
}

pub fn styles(xml: &str) -> Result<HashMap<String, Style>, Text> {
    let mut out = HashMap::new();
    let mut cur: Option<(String, Style)> = None;
    let mut in_ppr = false;
    each_element(xml, "word/styles.xml", |name, e, start| {
        let val = || e.and_then(|e| attr(e, "val"));
        match (name, start) {
            (b"style", true) => {
                let e = e.expect("start has element");
                let para = attr(e, "type").is_none_or(|t| t == "paragraph");
                cur = attr(e, "styleId")
                    .filter(|_| para)
                    .map(|id| (id, Style::default()));
            }
            (b"style", false) => {
                if let Some((id, s)) = cur.take() {
                    out.insert(id, s);
                }
            }
            (b"pPr", s) => in_ppr = s,
            _ if !start => {}
            _ => {
                let Some((_, s)) = cur.as_mut() else { return };
                match name {
                    b"name" => s.name = val().unwrap_or_default(),
                    b"basedOn" => s.based_on = val(),
                    b"outlineLvl" if in_ppr => s.outline = val().and_then(|v| v.parse().ok()),
                    b"numId" if in_ppr => {
                        let lvl = s.num.as_ref().map(|n| n.1).unwrap_or(0);
                        s.num = val().map(|v| (v, lvl));
                    }
                    b"ilvl" if in_ppr => {
                        let id = s.num.take().map(|n| n.0).unwrap_or_default();
                        s.num = Some((id, val().and_then(|v| v.parse().ok()).unwrap_or(0)));
                    }
                    b"jc" if in_ppr => s.centered = val().is_some_and(|v| v == "center"),
                    b"sz" => s.size = val().and_then(|v| v.parse().ok()).unwrap_or(0),
                    _ => {}
                }
            }
        }
    })?;
    Ok(out)
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
pub struct Level {
    pub format: String,
    pub text: String,
    pub start: u32,
}

/// numbering.xml: `w:num` ids → levels, with running counters.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    nums: HashMap<String, (String, HashMap<u8, u32>)>,
    counters: HashMap<String, [u32; 9]>,
}

/// What numbering gives a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Numbered {
    Bullet,
    /// A decimal/letter list item with its number.
    Item(u32),
    /// A label in Chinese (`一、`, `（一）`): kept as text, read as 公文.
    Label(String),
}

pub fn numbering(xml: &str) -> Result<Numbering, Text> {
    let mut n = Numbering::default();
    let mut abs: Option<(String, Vec<Level>)> = None;
    let mut num: Option<(String, String, HashMap<u8, u32>)> = None;
    let mut lvl: Option<(u8, Level)> = None;
    let mut override_lvl = 0u8;
    each_element(xml, "word/numbering.xml", |name, e, start| {
        let val = || e.and_then(|e| attr(e, "val"));
        match (name, start) {
            (b"abstractNum", true) => {
                abs = e
                    .and_then(|e| attr(e, "abstractNumId"))
                    .map(|id| (id, Vec::new()))
            }
            (b"abstractNum", false) => {
                if let Some((id, levels)) = abs.take() {
                    n.abstracts.insert(id, levels);
                }
            }
            (b"lvl", true) => {
                let i = e
                    .and_then(|e| attr(e, "ilvl"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                lvl = Some((
                    i,
                    Level {
                        start: 1,
                        ..Level::default()
                    },
                ));
            }
            (b"lvl", false) => {
                if let (Some((i, l)), Some((_, levels))) = (lvl.take(), abs.as_mut()) {
                    let i = usize::from(i).min(8);
                    if levels.len() <= i {
                        levels.resize(i + 1, Level::default());
                    }
                    levels[i] = l;
                }
            }
            (b"start", true) => {
                if let Some((_, l)) = lvl.as_mut() {
                    l.start = val().and_then(|v| v.parse().ok()).unwrap_or(1);
                }
            }
            (b"numFmt", true) => {
                if let Some((_, l)) = lvl.as_mut() {
                    l.format = val().unwrap_or_default();
                }
            }
            (b"lvlText", true) => {
                if let Some((_, l)) = lvl.as_mut() {
                    l.text = val().unwrap_or_default();
                }
            }
            (b"num", true) => {
                num = e
                    .and_then(|e| attr(e, "numId"))
                    .map(|id| (id, String::new(), HashMap::new()))
            }
            (b"num", false) => {
                if let Some((id, a, o)) = num.take() {
                    n.nums.insert(id, (a, o));
                }
            }
            (b"abstractNumId", true) => {
                if let Some(x) = num.as_mut() {
                    x.1 = val().unwrap_or_default();
                }
            }
            (b"lvlOverride", true) => {
                override_lvl = e
                    .and_then(|e| attr(e, "ilvl"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            }
            (b"startOverride", true) => {
                if let (Some(x), Some(v)) = (num.as_mut(), val().and_then(|v| v.parse().ok())) {
                    x.2.insert(override_lvl, v);
                }
            }
            _ => {}
        }
    })?;
    Ok(n)
}

const CN_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
pub fn chinese_number(n: u32) -> String {
    match n {
        0..=9 => CN_DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                CN_DIGITS[(n - 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            CN_DIGITS[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                CN_DIGITS[(n % 10) as usize]
            }
        ),
        _ => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", CN_DIGITS[rest as usize]),
                10..=19 => format!("一{}", chinese_number(rest)),
                _ => chinese_number(rest),
            };
            format!("{}百{}", chinese_number(n / 100), tail)
        }
    }
}

fn format_counter(n: u32, format: &str) -> String {
    let letters = |base: u8| {
        let i = (n.max(1) - 1) % 26;
        char::from(base + i as u8)
            .to_string()
            .repeat(((n.max(1) - 1) / 26 + 1) as usize)
    };
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "ideographDigital" => chinese_number(n),
        "chineseLegalSimplified" => chinese_number(n)
            .chars()
            .map(|c| match c {
                '一' => '壹',
                '二' => '贰',
                '三' => '叁',
                '四' => '肆',
                '五' => '伍',
                '六' => '陆',
                '七' => '柒',
                '八' => '捌',
                '九' => '玖',
                '十' => '拾',
                other => other,
            })
            .collect(),
        "ideographTraditional" => ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"]
            .get((n.max(1) - 1) as usize)
            .map(|s| s.to_string())
            .unwrap_or_else(|| n.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1)
                .map(String::from)
                .unwrap_or_default()
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10))
            .collect(),
        "lowerLetter" => letters(b'a'),
        "upperLetter" => letters(b'A'),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "none" => String::new(),
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    let mut s = String::new();
    for (v, r) in [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

impl Numbering {
    /// Advances the counters of list `num_id` at `level` and says what the
    /// paragraph's number is.
    pub fn next(&mut self, num_id: &str, level: u8) -> Option<Numbered> {
        let (abs, overrides) = self.nums.get(num_id)?;
        let levels = self.abstracts.get(abs)?;
        let level = usize::from(level).min(8);
        let def = levels.get(level)?;
        if def.format == "bullet" {
            return Some(Numbered::Bullet);
        }
        let start = |i: usize| {
            overrides
                .get(&(i as u8))
                .copied()
                .or_else(|| levels.get(i).map(|l| l.start))
                .unwrap_or(1)
        };
        let counters = self
            .counters
            .entry(num_id.to_string())
            .or_insert_with(|| [0; 9]);
        counters[level] = if counters[level] == 0 {
            start(level)
        } else {
            counters[level] + 1
        };
        for c in counters.iter_mut().skip(level + 1) {
            *c = 0;
        }
        let mut label = def.text.clone();
        for (i, l) in levels.iter().enumerate().take(level + 1) {
            let v = if counters[i] == 0 {
                start(i)
            } else {
                counters[i]
            };
            label = label.replace(&format!("%{}", i + 1), &format_counter(v, &l.format));
        }
        let chinese = label
            .chars()
            .find(|c| !matches!(c, '（' | '(' | '第'))
            .is_some_and(|c| {
                "〇一二三四五六七八九十壹贰叁肆伍陆柒捌玖拾甲乙丙丁戊己庚辛壬癸".contains(c)
            });
        Some(if chinese || label.starts_with('（') {
            Numbered::Label(label)
        } else {
            Numbered::Item(counters[level])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counting() {
        let v: Vec<String> = [1, 9, 10, 11, 20, 23, 100, 105, 110]
            .iter()
            .map(|&n| chinese_number(n))
            .collect();
        assert_eq!(
            v,
            [
                "一",
                "九",
                "十",
                "十一",
                "二十",
                "二十三",
                "一百",
                "一百零五",
                "一百一十"
            ]
        );
        assert_eq!(format_counter(3, "ideographTraditional"), "丙");
        assert_eq!(format_counter(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_counter(28, "lowerLetter"), "bb");
        assert_eq!(format_counter(14, "upperRoman"), "XIV");
        assert_eq!(format_counter(12, "decimalFullWidth"), "１２");
    }

    #[test]
    fn wps_numbering_levels() {
        let xml = r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="3">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
            <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
            <w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
            </w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#;
        let mut n = numbering(xml).unwrap();
        let got: Vec<_> = [0, 1, 2, 2, 1, 3, 0, 1]
            .iter()
            .map(|&l| n.next("7", l).unwrap())
            .collect();
        use Numbered::*;
        assert_eq!(
            got,
            vec![
                Label("一、".into()),
                Label("（一）".into()),
                Item(1),
                Item(2),
                Label("（二）".into()),
                Bullet,
                Label("二、".into()),
                Label("（一）".into())
            ]
        );
        assert_eq!(n.next("8", 0), None);
    }
}
