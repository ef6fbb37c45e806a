//! Front matter from what the document says, each value only when it is
//! clear: the date (落款 `2024年4月10日` or `二〇二四年四月十日`), the
//! period (from the title: `2024年第一季度` → `2024-Q1`, `上半年` → `H1`,
//! `2024年5月` → `2024-05`, `2023年度` → `2023`), the unit (the registry's
//! names and aliases; `xx街道办事处` → `xx街道`) and the figures, read with
//! the matcher `check` uses.

use crate::config::Metric;
use crate::content::{Figure, Unit};
use crate::site::figures;
use std::ops::Range;

const CN_DIGIT: &str = "〇零一二三四五六七八九";

fn cn_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '零' | 'O' | '○' => Some(0),
        _ => CN_DIGIT
            .chars()
            .skip(2)
            .position(|d| d == c)
            .map(|p| p as u32 + 1),
    }
}

/// `十`, `十一`, `二十`, `三十一`, `四` → the number (1–99).
fn cn_small(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [d] if *d != '十' => cn_digit(*d),
        ['十'] => Some(10),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        _ => None,
    }
}

fn valid(y: u32, m: u32, d: u32) -> Option<String> {
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads `2024年4月10日` / `二〇二四年四月十日` starting at byte `i`.
fn date_at(s: &str, i: usize) -> Option<(String, usize)> {
    let rest = &s[i..];
    let (nian, _) = rest.char_indices().find(|&(_, c)| c == '年')?;
    let year_s = &rest[..nian];
    let year: u32 = if year_s.len() == 4 && year_s.bytes().all(|b| b.is_ascii_digit()) {
        year_s.parse().ok()?
    } else if year_s.chars().count() == 4 {
        year_s
            .chars()
            .try_fold(0, |acc, c| Some(acc * 10 + cn_digit(c)?))?
    } else {
        return None;
    };
    let after = &rest[nian + '年'.len_utf8()..];
    let (yue, _) = after.char_indices().find(|&(_, c)| c == '月')?;
    let month_s = after[..yue].trim();
    let after_m = &after[yue + '月'.len_utf8()..];
    let (ri, _) = after_m
        .char_indices()
        .take(4)
        .find(|&(_, c)| c == '日' || c == '号')?;
    let day_s = after_m[..ri].trim();
    let num = |t: &str| {
        if !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().ok()
        } else {
            cn_small(t)
        }
    };
    let date = valid(year, num(month_s)?, num(day_s)?)?;
    let end = i + nian + '年'.len_utf8() + yue + '月'.len_utf8() + ri + '日'.len_utf8();
    Some((date, end))
}

/// The first full date in `s` as `YYYY-MM-DD`, with its byte range.
pub fn find_date(s: &str) -> Option<(String, Range<usize>)> {
    let trimmed = s.trim();
    if trimmed.len() == 10 && valid_iso(trimmed) {
        let at = s.find(trimmed).unwrap_or(0);
        return Some((trimmed.to_string(), at..at + trimmed.len()));
    }
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() || cn_digit(c).is_some() {
            if let Some((d, end)) = date_at(s, i) {
                return Some((d, i..end));
            }
        }
    }
    None
}

fn valid_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b[4] == b'-' && b[7] == b'-' && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The reporting period a title names.
pub fn period(title: &str) -> Option<String> {
    for (at, _) in title.match_indices('年') {
        let start = title[..at]
            .char_indices()
            .rev()
            .take(4)
            .last()
            .map(|(i, _)| i)?;
        let year = &title[start..at];
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let after = title[at + '年'.len_utf8()..].trim_start_matches('第');
        let quarter = [
            "一季度",
            "二季度",
            "三季度",
            "四季度",
            "1季度",
            "2季度",
            "3季度",
            "4季度",
        ]
        .iter()
        .position(|q| after.starts_with(q));
        if let Some(q) = quarter {
            return Some(format!("{year}-Q{}", q % 4 + 1));
        }
        if after.starts_with("上半年") {
            return Some(format!("{year}-H1"));
        }
        if after.starts_with("下半年") {
            return Some(format!("{year}-H2"));
        }
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=2).contains(&digits) && after[digits..].starts_with('月') {
            let m: u32 = after[..digits].parse().ok()?;
            let day_follows =
                after[digits + '月'.len_utf8()..].starts_with(|c: char| c.is_ascii_digit());
            if (1..=12).contains(&m) && !day_follows {
                return Some(format!("{year}-{m:02}"));
            }
            continue;
        }
        return Some(year.to_string());
    }
    None
}

/// Endings of an issuing body's full name that the registry usually leaves off.
const SUFFIXES: [&str; 10] = [
    "人民政府",
    "办事处",
    "居民委员会",
    "村民委员会",
    "居委会",
    "村委会",
    "委员会",
    "党委",
    "政府",
    "办公室",
];

fn names(u: &Unit) -> impl Iterator<Item = &str> {
    std::iter::once(u.name.as_str()).chain(u.aliases.iter().map(String::as_str))
}

/// How a unit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Exact,
    /// Only the closest registered name; the output line says so.
    Closest,
}

/// The registered unit a 落款 line or `--unit` value names.
pub fn registered<'a>(wanted: &str, units: &'a [Unit]) -> Option<(&'a Unit, Found)> {
    let wanted = wanted.trim();
    let mut forms = vec![wanted.to_string()];
    let mut cur = wanted;
    while let Some(s) = SUFFIXES
        .iter()
        .find_map(|s| cur.strip_suffix(s))
        .filter(|s| !s.is_empty())
    {
        forms.push(s.to_string());
        cur = s;
    }
    for f in &forms {
        if let Some(u) = units
            .iter()
            .find(|u| u.id == *f || names(u).any(|n| n == f))
        {
            return Some((u, Found::Exact));
        }
        // "平罗县陶乐镇" for 陶乐镇 of 平罗县.
        let hit = units.iter().find(|u| {
            names(u).any(|n| {
                f.strip_suffix(n).is_some_and(|pre| {
                    !pre.is_empty()
                        && (u.parent.as_deref() == Some(pre) || pre.ends_with(['县', '市', '区']))
                })
            })
        });
        if let Some(u) = hit {
            return Some((u, Found::Exact));
        }
    }
    let mut best: Option<(f64, &Unit)> = None;
    for u in units {
        for n in names(u) {
            for f in &forms {
                let score = strsim::normalized_levenshtein(f, n);
                if score >= 0.75 && best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, u));
                }
            }
        }
    }
    best.map(|(_, u)| (u, Found::Closest))
}

/// The registered unit whose name or alias the title begins with or
/// contains (the earliest, then the longest).
pub fn in_title<'a>(title: &str, units: &'a [Unit]) -> Option<&'a Unit> {
    let mut best: Option<(usize, usize, &Unit)> = None;
    for u in units {
        for n in names(u).filter(|n| n.chars().count() >= 2) {
            if let Some(at) = title.find(n) {
                let better = best.is_none_or(|(a, l, _)| at < a || (at == a && n.len() > l));
                if better {
                    best = Some((at, n.len(), u));
                }
            }
        }
    }
    best.map(|(_, _, u)| u)
}

/// A 落款 name without the registry: the issuing body's short name.
pub fn short_name(signoff: &str) -> String {
    let mut cur = signoff.trim();
    while let Some(s) = SUFFIXES
        .iter()
        .find_map(|s| cur.strip_suffix(s))
        .filter(|s| !s.is_empty())
    {
        cur = s;
    }
    cur.to_string()
}

/// One extracted `stats:` entry: the figure first stated, and the other
/// figures the text gives for the same metric (parts of the total, or
/// another period), for the editor to check.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted<'a> {
    pub metric: &'a Metric,
    pub figure: Figure,
    pub others: Vec<Figure>,
}

pub fn stats<'a>(body: &str, metrics: &'a [Metric]) -> Vec<Extracted<'a>> {
    let mut out = Vec::new();
    for m in metrics {
        let said = figures::stated(body, m);
        let Some(&(_, figure)) = said.first() else {
            continue;
        };
        let mut others: Vec<Figure> = Vec::new();
        for &(_, f) in &said[1..] {
            if f != figure && !others.contains(&f) {
                others.push(f);
            }
        }
        out.push(Extracted {
            metric: m,
            figure,
            others,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            find_date("2024年4月10日").map(|d| d.0),
            Some("2024-04-10".into())
        );
        assert_eq!(
            find_date("二〇二四年四月十日").map(|d| d.0),
            Some("2024-04-10".into())
        );
        assert_eq!(
            find_date("二〇二三年十二月三十一日").map(|d| d.0),
            Some("2023-12-31".into())
        );
        assert_eq!(
            find_date("于2024年 7 月 5 日召开").map(|d| (d.0, d.1.start)),
            Some(("2024-07-05".into(), 3))
        );
        assert_eq!(
            find_date("2024-01-08").map(|d| d.0),
            Some("2024-01-08".into())
        );
        for no in [
            "2024年2月30日",
            "2024年第一季度",
            "二〇二四年",
            "20xx年5月1日",
            "2024年13月1日",
        ] {
            assert_eq!(find_date(no), None, "{no}");
        }
    }

    #[test]
    fn periods() {
        let p = |t: &str| period(t);
        assert_eq!(
            p("陶乐镇2024年第一季度创卫工作总结").as_deref(),
            Some("2024-Q1")
        );
        assert_eq!(p("2024年三季度工作汇报").as_deref(), Some("2024-Q3"));
        assert_eq!(
            p("城关街道2024年上半年工作总结").as_deref(),
            Some("2024-H1")
        );
        assert_eq!(p("2024年下半年").as_deref(), Some("2024-H2"));
        assert_eq!(p("义正社区2024年5月工作简报").as_deref(), Some("2024-05"));
        assert_eq!(
            p("县爱卫会2023年度健康教育工作汇报").as_deref(),
            Some("2023")
        );
        assert_eq!(p("2024年创卫工作总结").as_deref(), Some("2024"));
        assert_eq!(p("创卫工作总结"), None);
        assert_eq!(p("20xx年创卫工作总结"), None);
    }

    fn unit(id: &str, name: &str, aliases: &[&str], parent: Option<&str>) -> Unit {
        let src = crate::content::Source::in_memory(
            Default::default(),
            String::new(),
            id.into(),
            Default::default(),
        );
        Unit {
            src,
            id: id.into(),
            name: name.into(),
            kind: "其他".into(),
            parent: parent.map(str::to_string),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            order: None,
            reporting: None,
            extra: serde_json::Value::Null,
        }
    }

    #[test]
    fn units() {
        let us = [
            unit("tao-le-zhen", "陶乐镇", &["陶乐镇人民政府"], Some("平罗县")),
            unit("cheng-guan", "城关街道", &[], None),
            unit("ai-wei-hui", "县爱卫会", &["平罗县爱卫会"], None),
        ];
        let name = |w: &str| registered(w, &us).map(|(u, f)| (u.name.as_str(), f));
        assert_eq!(name("陶乐镇人民政府"), Some(("陶乐镇", Found::Exact)));
        assert_eq!(name("城关街道办事处"), Some(("城关街道", Found::Exact)));
        assert_eq!(name("平罗县陶乐镇人民政府"), Some(("陶乐镇", Found::Exact)));
        assert_eq!(name("tao-le-zhen"), Some(("陶乐镇", Found::Exact)));
        assert_eq!(name("平罗县爱卫会办公室"), Some(("县爱卫会", Found::Exact)));
        assert_eq!(name("城关街到"), Some(("城关街道", Found::Closest)));
        assert_eq!(name("财政局"), None);
        assert_eq!(
            in_title("陶乐镇2024年第一季度创卫工作总结", &us).map(|u| u.id.as_str()),
            Some("tao-le-zhen")
        );
        assert_eq!(short_name("城关街道办事处"), "城关街道");
    }
}
