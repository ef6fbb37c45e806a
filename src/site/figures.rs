//! Consistency of figures: where a report's text states a figure for a
//! declared metric ("清理垃圾600多吨") that differs from its `stats:` value,
//! or that `stats:` lacks, warn with both places. Retyped figures are where
//! wrong numbers come from. `jianbao import` extracts `stats:` with the same
//! matcher, so an imported report never warns about its own figures.

use super::Site;
use crate::config::Metric;
use crate::content::number::{format_figure, parse_figure, Figure};
use crate::diagnostics::{text, Diagnostic};
use crate::file_checks;
use crate::source::LineIndex;

/// What may stand between a label and its number: "横幅8条",
/// "清理垃圾共600多吨", "覆盖率达到100%", "累计投入资金：1518.20万元".
/// Longer words first, so `达到` is taken whole.
const GAP_WORDS: &[&str] = &[
    "达到", "共计", "累计", "合计", "总计", "总数", "总量", "约为", "共", "了", "约", "达", "计",
    "为", "：", ":", " ", "\u{3000}",
];

/// At most this many gap words in a row ("累计达到", "共计：").
const MAX_GAPS: usize = 3;

/// Characters of a number as written: digits, decimal point, thousands commas.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut end = 0;
    while end < b.len() {
        let c = b[end];
        let sep_ok =
            (c == b',' || c == b'.') && end > 0 && b.get(end + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_digit() || sep_ok {
            end += 1;
        } else {
            break;
        }
    }
    end
}

fn skip_gap(mut s: &str) -> &str {
    for _ in 0..MAX_GAPS {
        match GAP_WORDS.iter().find_map(|g| s.strip_prefix(g)) {
            Some(rest) => s = rest.trim_start_matches([' ', '\u{3000}']),
            None => break,
        }
    }
    s
}

fn strip_any<'a>(s: &'a str, words: &[&str]) -> Option<(&'a str, usize)> {
    words
        .iter()
        .find_map(|w| s.strip_prefix(w).map(|t| (t, w.len())))
}

/// The figure right at the start of `rest`, when the metric's unit follows
/// it: `600多吨`, `1.2万吨`, `3万余人次`, `600余万元` (unit 元). A unit that
/// itself begins with a multiplier (`万元`, `万平方米`) keeps the number as
/// written: `1518.20万元` is 1518.20 万元. Without a unit any number counts.
fn figure_at(rest: &str, unit: &str) -> Option<Figure> {
    const APPROX: &[&str] = &["多", "余"];
    const SCALE: &[&str] = &["万", "亿"];
    let mut end = number_len(rest);
    if end == 0 {
        return None;
    }
    let mut tail = &rest[end..];
    let mut take = |words: &[&str], tail: &mut &str| {
        let hit = strip_any(tail, words);
        if let Some((t, n)) = hit {
            end += n;
            *tail = t;
        }
        hit.is_some()
    };
    if SCALE.iter().any(|s| unit.starts_with(s)) {
        take(APPROX, &mut tail);
    } else {
        // "600多万" and "3万余" both read as "more than".
        let approx = take(APPROX, &mut tail);
        if take(SCALE, &mut tail) && !approx {
            take(APPROX, &mut tail);
        }
    }
    // Require the unit right after the number when it has one, so
    // "横幅8条" counts but "横幅2024年" does not.
    if !tail.starts_with(unit) {
        return None;
    }
    parse_figure(&rest[..end])
}

/// The names a metric goes by in prose: its label, then its `aliases:`,
/// longest first so "栽植各类苗木" wins over a shorter name inside it.
fn names(m: &Metric) -> Vec<&str> {
    let mut v: Vec<&str> = std::iter::once(m.label.as_str())
        .chain(m.aliases.iter().map(String::as_str))
        .filter(|s| !s.is_empty())
        .collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v
}

/// Every place `body` states a figure for metric `m`:
/// `<label or alias><gap words><number><多/余/万/亿><unit>`, as (byte
/// offset of the name, figure), in text order.
pub fn stated(body: &str, m: &Metric) -> Vec<(usize, Figure)> {
    let mut out: Vec<(usize, usize, Figure)> = Vec::new();
    // Longer names' matches by start, with the largest end so far: a
    // match lies inside one of them when that end reaches past it (a
    // binary search, so a body stating a figure 100,000 times stays linear).
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for name in names(m) {
        let before = out.len();
        for (at, _) in body.match_indices(name) {
            let end = at + name.len();
            // A shorter name inside a longer one already matched.
            let i = taken.partition_point(|&(a, _)| a <= at);
            if i > 0 && taken[i - 1].1 >= end {
                continue;
            }
            if let Some(f) = figure_at(skip_gap(&body[end..]), &m.unit) {
                out.push((at, end, f));
            }
        }
        if out.len() > before {
            taken.extend(out[before..].iter().map(|&(a, e, _)| (a, e)));
            taken.sort_unstable();
            let mut reach = 0;
            for t in &mut taken {
                reach = reach.max(t.1);
                t.1 = reach;
            }
        }
    }
    out.sort_by_key(|&(a, _, _)| a);
    out.into_iter().map(|(a, _, f)| (a, f)).collect()
}

/// Warnings for every report whose text and `stats:` disagree. A text may
/// state one metric several times (a total, then its parts: "栽植各类苗木
/// 154277株，其中……栽植各类苗木81250株"); it agrees when `stats:` holds
/// any of the figures it states.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    check_cached(site, &mut file_checks::Cache::default())
}

/// [`check`], checking only the reports `cache` (kept by `serve`) holds no
/// findings for, by path and bytes (the text and `stats:` are the file's)
/// under the same metrics.
pub fn check_cached(site: &Site, cache: &mut file_checks::Cache) -> Vec<Diagnostic> {
    let seed = file_checks::seed(&site.config.metrics);
    cache.run(
        seed,
        &site.reports,
        |r| file_checks::key(&r.doc.common.src.rel, r.doc.common.src.hash),
        |r| check_report(&site.config.metrics, &r.doc),
    )
}

fn check_report(metrics: &[Metric], r: &crate::content::Report) -> Vec<Diagnostic> {
    match r.common.src.texts() {
        Ok(t) => check_report_text(metrics, r, t.body()),
        Err(d) => vec![d],
    }
}

/// [`check`] of one report whose body is `body` (`build` and `check` run
/// it on each report while its batch is rendered).
pub fn check_report_text(
    metrics: &[Metric],
    r: &crate::content::Report,
    body: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = &r.common.src;
    let lines = LineIndex::new(body);
    for (mi, m) in metrics.iter().enumerate() {
        let said = stated(body, m);
        let given = r.stats.iter().find(|s| s.metric == mi);
        if given.is_some_and(|s| said.iter().any(|(_, f)| *f == s.figure)) {
            continue;
        }
        for (offset, f) in said {
            let (l, c) = lines.line_col(offset);
            let line = l + src.body_line - 1;
            let said = format_figure(&f);
            match given {
                Some(s) => {
                    let value = format_figure(&s.figure);
                    out.push(Diagnostic::warning(&src.shown, line, c, text!(
                        "the text says {} {}{}, but `stats:` has {} {}{} (line {})", m.label, said, m.unit, m.label, value, m.unit, s.line;
                        "正文写的是{}{}{}，但 `stats:` 中是{}{}{}（第 {} 行）", m.label, said, m.unit, m.label, value, m.unit, s.line))
                    .with_hint(text!("make the two agree; the figures in `stats:` are what the statistics count";
                                     "请核对两处数字；统计只采用 `stats:` 中的数值")));
                }
                None => {
                    out.push(Diagnostic::warning(&src.shown, line, c, text!(
                        "the text states {} {}{}, but `stats:` has no `{}`", m.label, said, m.unit, m.label;
                        "正文写有{}{}{}，但 `stats:` 中没有 `{}`", m.label, said, m.unit, m.label))
                    .with_hint(text!("add `{}: {}` under `stats:` so it is counted", m.label, said;
                                     "请在 `stats:` 下添加 `{}: {}`，以便计入统计", m.label, said)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Aggregate;

    fn metric(label: &str, unit: &str, aliases: &[&str]) -> Metric {
        Metric {
            id: "m".into(),
            label: label.into(),
            unit: unit.into(),
            aggregate: Aggregate::Sum,
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn said(body: &str, label: &str, unit: &str, aliases: &[&str]) -> Vec<String> {
        stated(body, &metric(label, unit, aliases))
            .iter()
            .map(|(_, f)| format_figure(f))
            .collect()
    }

    #[test]
    fn finds_stated_figures() {
        let body = "共制作横幅8条、固定标语15条，清理垃圾600多吨，清理垃圾共1.2万吨，横幅2024年。";
        assert_eq!(said(body, "横幅", "条", &[]), vec!["8"]);
        assert_eq!(said(body, "清理垃圾", "吨", &[]), vec!["600余", "12000"]);
    }

    #[test]
    fn gap_words() {
        // From the seeds: 县爱卫会, 陶乐镇, 财政局.
        assert_eq!(
            said("全县健康教育覆盖率达到100%。", "健康教育覆盖率", "%", &[]),
            vec!["100"]
        );
        assert_eq!(
            said("全县累计参与活动32300多人次", "参与活动", "人次", &[]),
            vec!["32300余"]
        );
        assert_eq!(
            said("投入资金共计：350万元", "投入资金", "元", &[]),
            vec!["350万"]
        );
        assert_eq!(
            said("清理垃圾累计达到600吨", "清理垃圾", "吨", &[]),
            vec!["600"]
        );
        // A number that is not this metric's figure: no unit right after it.
        assert!(said("横幅2024年，横幅若干条", "横幅", "条", &[]).is_empty());
        assert!(said("横幅，8条", "横幅", "条", &[]).is_empty());
    }

    #[test]
    fn multiplier_units() {
        let body = "城乡居民医疗保险报销补偿1518.20万元，报销补偿600余万元。";
        assert_eq!(said(body, "报销补偿", "万元", &[]), vec!["1518.2", "600余"]);
        // The same sentence against a metric counted in 元.
        assert_eq!(
            said(body, "报销补偿", "元", &[]),
            vec!["1518.2万", "600万余"]
        );
        assert_eq!(
            said("改造面积3.5万平方米", "改造面积", "万平方米", &[]),
            vec!["3.5"]
        );
        assert_eq!(
            said("改造面积35000平方米", "改造面积", "万平方米", &[]),
            Vec::<String>::new()
        );
        // From the seeds (财政局): 万元 metrics and a 元 metric.
        let seed = "城乡环境整治投入2400万元;卫生监督投入经费1214万元;市政道路建设投入88936万元";
        assert_eq!(said(seed, "市政道路建设投入", "万元", &[]), vec!["88936"]);
        assert_eq!(said(seed, "城乡环境整治投入", "元", &[]), vec!["2400万"]);
        assert_eq!(said(seed, "卫生监督投入经费", "万元", &[]), vec!["1214"]);
        assert_eq!(said("出动3万余人次", "出动", "人次", &[]), vec!["30000余"]);
    }

    #[test]
    fn aliases_and_approx() {
        // 陶乐镇's seed: the total, then its parts.
        let body = "栽植各类苗木154277株，其中：乔木6750株，生态园320亩，栽植各类苗木81250株。\
                    清理垃圾600多吨，清理乱贴乱画4500多处，发放各类资料2024余张。";
        assert_eq!(
            said(body, "栽植苗木", "株", &["栽植各类苗木"]),
            vec!["154277", "81250"]
        );
        assert!(said(body, "栽植苗木", "株", &[]).is_empty());
        assert_eq!(said(body, "清理乱贴乱画", "处", &[]), vec!["4500余"]);
        assert_eq!(said(body, "各类资料", "张", &[]), vec!["2024余"]);
        // An alias holding the label matches once, not twice.
        assert_eq!(
            said("栽植苗木树苗300株", "苗木", "株", &["栽植苗木树苗"]),
            vec!["300"]
        );
        assert_eq!(
            said("清理垃圾1,200吨。", "清理垃圾", "吨", &[]),
            vec!["1200"]
        );
    }
}
