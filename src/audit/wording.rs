//! Wording (严重错别字): the site's own wrong → right pairs from
//! `audit.words` (leaders' names and titles, the names of the country and
//! of agencies) are errors; a short built-in list of misuses common in
//! official writing are warnings. Searched in every published source
//! (front matter and body) with SIMD substring search.

use super::{Finding, Indicator};
use crate::content::Source;
use crate::diagnostics::{text, Diagnostic, Severity};
use crate::site::Site;
use crate::source::line_col;
use memchr::memmem::Finder;
use rayon::prelude::*;

/// (wrong, right, why) — each a misuse that is never right in official text.
const BUILT_IN: &[(&str, &str, &str)] = &[
    // 截至 takes a time point as object (截至目前); 截止 stands after it (到月底截止).
    (
        "截止目前",
        "截至目前",
        "“截至”后接时间点，“截止”用于时间之后",
    ),
    (
        "截止到目前",
        "截至目前",
        "“截至”后接时间点，“截止”用于时间之后",
    ),
    // 签订 is the verb for agreements and 责任书; 签定 is not a standard word.
    ("签定", "签订", "订立合同、责任书用“签订”"),
    // 部署: 部 as in 部队 (arrange); 布署 is a common slip.
    ("布署", "部署", "“部署”是安排之意，不写“布”"),
    // 再接再厉: 厉 = 磨砺 (sharpen), from 韩愈's poem.
    ("再接再励", "再接再厉", "“厉”通“砺”，磨砺之意"),
    // 厉行节约: 厉 = strict.
    ("励行节约", "厉行节约", "“厉行”是严格施行"),
    // 常抓不懈: 懈 = slacken; 泄 is to leak.
    ("常抓不泄", "常抓不懈", "“懈”是松懈"),
    // 艰苦奋斗: 艰 = hard; 坚 is firm.
    ("坚苦奋斗", "艰苦奋斗", "“艰苦”是艰难困苦"),
    // 贯彻落实: 实 = in practice.
    ("贯彻落时", "贯彻落实", "“落实”是使其实现"),
    // 一如既往: 既往 = the past.
    ("一如继往", "一如既往", "“既往”指以往"),
    // 迫不及待: 及 = reach in time.
    ("迫不急待", "迫不及待", "“及”是来得及"),
    // 按部就班: 部 = category, 班 = order.
    ("按步就班", "按部就班", "“部”指门类"),
    // 以身作则: 作 = make into.
    ("以身做则", "以身作则", "“作则”是作为榜样"),
    // 即使 is the conjunction "even if"; 既使 is a slip.
    ("既使", "即使", "表假设让步用“即使”"),
    // 作为 (as, in the capacity of) is written with 作.
    ("做为", "作为", "介词“作为”用“作”"),
    // 座谈会: 座 = seat.
    ("坐谈会", "座谈会", "“座谈”的“座”是座位"),
    // 安装: 安 = put in place.
    ("按装", "安装", "“安装”的“安”是安放"),
    // 曝光: 曝 = expose to light; 暴光 is the old wrong form.
    ("暴光", "曝光", "规范写法为“曝光”"),
    // 妨碍: 妨 = hinder; 防 is to guard against.
    ("防碍", "妨碍", "“妨碍”是阻碍"),
    // 震撼: 撼 = shake.
    ("震憾", "震撼", "“撼”是摇动"),
    // 松弛: 弛 = loosen.
    ("松驰", "松弛", "“弛”是放松"),
    // 辐射: 辐 = spokes of a wheel.
    ("幅射", "辐射", "“辐”是车辐"),
    // 浏览: 浏 = glance over.
    ("流览", "浏览", "“浏览”是大略地看"),
    // 编辑: 辑 = compile.
    ("编缉", "编辑", "“辑”是聚集材料"),
    // 修葺: 葺 = repair a roof.
    ("修茸", "修葺", "“葺”是修补房屋"),
    // 挖掘: 掘 = dig.
    ("挖崛", "挖掘", "“掘”是刨、挖"),
    // 家具: furniture is 具 (utensil).
    ("家俱", "家具", "规范写法为“家具”"),
    // 川流不息: 川 = river.
    ("穿流不息", "川流不息", "“川”是河流"),
    // 走投无路: 投 = go to.
    ("走头无路", "走投无路", "“投”是投奔"),
    // 不胫而走: 胫 = shank (no legs, yet it runs).
    ("不径而走", "不胫而走", "“胫”是小腿"),
];

struct Pattern<'a> {
    finder: Finder<'a>,
    wrong: &'a str,
    right: &'a str,
    why: Option<&'a str>,
    severity: Severity,
}

fn scan(src: &Source, patterns: &[Pattern]) -> Vec<Finding> {
    let mut out = Vec::new();
    let text = match src.texts() {
        Ok(t) => t,
        Err(d) => return vec![Finding::new(Indicator::Wording, d)],
    };
    for (text, first) in [(text.front(), src.front_line), (text.body(), src.body_line)] {
        for p in patterns {
            for at in p.finder.find_iter(text.as_bytes()) {
                let (l, c) = line_col(text, at);
                let line = l + first.saturating_sub(1);
                let (w, r) = (p.wrong, p.right);
                let mut d = Diagnostic::error(
                    &src.shown,
                    line,
                    c,
                    text!("`{}` should be `{}`", w, r; "“{}”应为“{}”", w, r),
                );
                d.severity = p.severity;
                d.hint = Some(match p.why {
                    Some(why) => text!("write `{}` ({})", r, why; "请改为“{}”（{}）", r, why),
                    None => text!("`{}: {}` is listed under `audit.words` in site.yaml", w, r;
                                  "site.yaml 的 `audit.words` 规定“{}”应写作“{}”", w, r),
                });
                out.push(Finding::new(Indicator::Wording, d));
            }
        }
    }
    out
}

pub fn check(site: &Site, out: &mut Vec<Finding>) {
    let own = site.config.audit.words.iter().map(|(w, r)| Pattern {
        finder: Finder::new(w.as_bytes()),
        wrong: w,
        right: r,
        why: None,
        severity: Severity::Error,
    });
    // A pair the site lists itself replaces the built-in one.
    let listed = |w: &str| site.config.audit.words.iter().any(|(x, _)| x == w);
    let built_in = BUILT_IN
        .iter()
        .filter(|(w, _, _)| !listed(w))
        .map(|&(w, r, why)| Pattern {
            finder: Finder::new(w.as_bytes()),
            wrong: w,
            right: r,
            why: Some(why),
            severity: Severity::Warning,
        });
    let patterns: Vec<Pattern> = own.chain(built_in).collect();
    let sources = crate::privacy::published_sources(site);
    out.par_extend(sources.par_iter().flat_map_iter(|s| scan(s, &patterns)));
}

#[cfg(test)]
mod tests {
    use super::BUILT_IN;

    #[test]
    fn built_in_pairs_differ_and_are_unique() {
        for (i, (w, r, why)) in BUILT_IN.iter().enumerate() {
            assert_ne!(w, r);
            assert!(!why.is_empty());
            assert!(BUILT_IN[..i].iter().all(|(x, _, _)| x != w), "{w} twice");
        }
    }
}
