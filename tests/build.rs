//! `jianbao build` on the fixture sites: which files exist, what the pages
//! list, and that every internal link resolves, also under a sub-path.

mod common;

use common::*;
use std::collections::BTreeSet;

/// The published reports of `basic`, newest first, per unit.
const TAO_LE_ZHEN: &[&str] = &["tao-le-zhen-2024-h1", "tao-le-zhen-2023"];
const SAN_ZHONG: &[&str] = &["san-zhong-2024", "san-zhong-2023"];
const CAI_ZHENG_JU: &[&str] = &["cai-zheng-ju-2024"];
const DRAFT: &str = "tao-le-zhen-cao-gao";

#[test]
fn every_url_family_exists() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    for path in [
        "/",
        "/reports/",
        "/reports/page/2/",
        "/reports/page/3/",
        "/reports/tao-le-zhen-2023/",
        "/reports/tao-le-zhen-2024-h1/",
        "/reports/san-zhong-2023/",
        "/reports/san-zhong-2024/",
        "/reports/cai-zheng-ju-2024/",
        "/articles/",
        "/articles/kong-yan/",
        "/articles/xia-ji-mie-wen/",
        "/articles/shou-zu-kou-bing/",
        "/categories/kong-yan/",
        "/categories/bing-mei-sheng-wu-fang-zhi/",
        "/categories/chuan-ran-bing-fang-zhi/",
        "/units/",
        "/units/tao-le-zhen/",
        "/units/san-zhong/",
        "/units/cai-zheng-ju/",
        "/tags/",
        "/tags/kong-yan/",
        "/tags/huan-jing-zheng-zhi/",
        "/tags/jian-kang-jiao-yu/",
        "/about/",
        "/feed.xml",
        "/sitemap.xml",
        "/404.html",
        "/robots.txt",
        "/style.css",
        "/reports/2024/photo.png",
        "/reports/2024/fang-an.pdf",
    ] {
        assert!(
            out.exists(path),
            "{path} was not generated; files: {:#?}",
            out.list()
        );
    }
    // 5 published reports at 2 a page: exactly 3 list pages.
    assert!(
        !out.exists("/reports/page/4/"),
        "too many report list pages: {:#?}",
        out.list()
    );
    assert!(
        !out.exists("/reports/page/1/"),
        "page 1 must be /reports/ itself"
    );
    let feed = out.read("/feed.xml");
    assert!(
        feed.contains("<feed")
            && feed.contains("https://www.example.gov.cn/reports/cai-zheng-ju-2024/"),
        "feed.xml:\n{feed}"
    );
    let sitemap = out.read("/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://www.example.gov.cn/units/tao-le-zhen/</loc>"),
        "sitemap.xml:\n{sitemap}"
    );
    let robots = out.read("/robots.txt");
    assert!(
        robots.contains("Sitemap: https://www.example.gov.cn/sitemap.xml"),
        "robots.txt:\n{robots}"
    );
}

#[test]
fn reports_list_is_paginated_newest_first() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let mut all = Vec::new();
    for page in ["/reports/", "/reports/page/2/", "/reports/page/3/"] {
        let html = out.read(page);
        let links = dedup(report_links(&html, "/"));
        assert!(
            !links.is_empty() && links.len() <= 2,
            "{page} lists {links:?}"
        );
        all.extend(links);
    }
    assert_eq!(
        all,
        [
            "cai-zheng-ju-2024",
            "tao-le-zhen-2024-h1",
            "san-zhong-2024",
            "tao-le-zhen-2023",
            "san-zhong-2023"
        ],
        "reports across the list pages, newest first"
    );
}

/// Keeps the first occurrence of each item (a report may be linked twice in one entry).
fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

/// Report slugs listed on a unit's pages (`units/<id>/`, `units/<id>/page/N/`).
fn unit_reports(out: &Output, base: &str, id: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut n = 1;
    loop {
        let path = if n == 1 {
            format!("/units/{id}/")
        } else {
            format!("/units/{id}/page/{n}/")
        };
        if !out.exists(&path) {
            break;
        }
        let html = out.read(&path);
        // Only the listing, not the navigation or footer.
        let main = html
            .split("<main")
            .nth(1)
            .and_then(|m| m.split("</main>").next())
            .unwrap_or(&html);
        all.extend(dedup(report_links(main, base)));
        n += 1;
    }
    assert!(n > 1, "no page for unit {id}; files: {:#?}", out.list());
    all
}

#[test]
fn unit_pages_list_exactly_their_reports_newest_first() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    assert_eq!(
        unit_reports(&out, "/", "tao-le-zhen"),
        TAO_LE_ZHEN,
        "reports on /units/tao-le-zhen/ (names, aliases, no draft)"
    );
    assert_eq!(
        unit_reports(&out, "/", "san-zhong"),
        SAN_ZHONG,
        "reports on /units/san-zhong/ (alias 平罗三中 and full name)"
    );
    assert_eq!(
        unit_reports(&out, "/", "cai-zheng-ju"),
        CAI_ZHENG_JU,
        "reports on /units/cai-zheng-ju/ (named by id)"
    );
    let units = out.read("/units/");
    for (name, kind) in [
        ("陶乐镇", "乡镇"),
        ("平罗县第三中学", "学校"),
        ("平罗县财政局", "机关"),
    ] {
        assert!(
            units.contains(name) && units.contains(kind),
            "/units/ lacks {name} or type {kind}:\n{units}"
        );
    }
    let i_town = units.find("乡镇").unwrap();
    let i_school = units.find("学校").unwrap();
    let i_office = units.find("机关").unwrap();
    assert!(
        i_town < i_school && i_school < i_office,
        "/units/ must group by type in SPEC order"
    );
    let intro = out.read("/units/tao-le-zhen/");
    assert!(
        intro.contains("陶乐镇位于平罗县东部"),
        "unit page lacks the registry intro:\n{intro}"
    );
}

#[test]
fn drafts_are_excluded_unless_asked_for() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    assert!(
        !out.exists(&format!("/reports/{DRAFT}/")),
        "draft was published"
    );
    for page in [
        "/",
        "/reports/",
        "/units/tao-le-zhen/",
        "/feed.xml",
        "/sitemap.xml",
    ] {
        assert!(!out.read(page).contains(DRAFT), "{page} mentions the draft");
    }
    let out = site.build_ok(&["--drafts"]);
    assert!(
        out.exists(&format!("/reports/{DRAFT}/")),
        "--drafts did not publish the draft; files: {:#?}",
        out.list()
    );
    assert_eq!(
        unit_reports(&out, "/", "tao-le-zhen"),
        [DRAFT, TAO_LE_ZHEN[0], TAO_LE_ZHEN[1]],
        "with --drafts, newest first"
    );
}

#[test]
fn report_page_shows_meta_dates_stats_and_tags() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2023/");
    for want in [
        "陶乐镇2023年创卫工作总结",
        "来源：陶乐镇人民政府",
        "责任编辑：王编辑",
        "2023-12-20",
        "href=\"/units/tao-le-zhen/\"",
        "href=\"/tags/huan-jing-zheng-zhi/\"",
    ] {
        assert!(html.contains(want), "report page lacks {want:?}:\n{html}");
    }
    // `600多` is a lower bound, shown as 600余.
    assert_eq!(stat_cell(&html, "清理垃圾"), "600余 吨");
    assert_eq!(stat_cell(&html, "横幅"), "8 条");
    // `2024年7月5日` is shown as 2024-07-05; `2024余` kept as a lower bound.
    let html = out.read("/reports/tao-le-zhen-2024-h1/");
    assert!(
        html.contains("2024-07-05"),
        "date 2024年7月5日 not shown as 2024-07-05:\n{html}"
    );
    assert!(
        html.contains("报告期：2024年上半年"),
        "period 2024-H1 not shown:\n{html}"
    );
    assert_eq!(stat_cell(&html, "清理垃圾"), "2024余 吨");
    // 万 and 亿 are multiplied out (large round figures may be shown in 万/亿 again).
    let html = out.read("/reports/san-zhong-2023/");
    assert_eq!(stat_cell(&html, "投入资金"), "12000 元");
    let html = out.read("/reports/cai-zheng-ju-2024/");
    let cell = stat_cell(&html, "投入资金");
    assert!(
        cell == "300000000 元" || cell == "3亿 元",
        "`3亿` shown as {cell:?}"
    );
}

/// The text of the stats table cell of metric `label` on a report page.
#[track_caller]
fn stat_cell(html: &str, label: &str) -> String {
    let row = format!("<th scope=\"row\">{label}</th><td>");
    let cell = html
        .split(&row)
        .nth(1)
        .and_then(|s| s.split("</td>").next());
    cell.unwrap_or_else(|| panic!("no stats row for {label}:\n{html}"))
        .trim()
        .to_string()
}

#[test]
fn crlf_and_bom_file_is_read() {
    let site = Site::new("basic");
    let raw = std::fs::read(
        site.root()
            .join("content/reports/2024/cai-zheng-ju-2024.md"),
    )
    .unwrap();
    assert!(
        raw.starts_with(b"\xEF\xBB\xBF---\r\n"),
        "fixture lost its BOM/CRLF (check .gitattributes)"
    );
    assert!(
        raw.windows(2).filter(|w| w == b"\r\n").count() > 10,
        "fixture lost its CRLF line endings"
    );
    let out = site.build_ok(&[]);
    let html = out.read("/reports/cai-zheng-ju-2024/");
    assert!(
        html.contains("<h1>平罗县财政局2024年创卫工作总结</h1>"),
        "title of the CRLF+BOM file:\n{html}"
    );
    assert!(
        html.contains("2024-12-20") && html.contains("2024年第四季度"),
        "date/period of the CRLF+BOM file:\n{html}"
    );
    assert!(
        !html.contains('\r') && !html.contains('\u{feff}'),
        "CR or BOM leaked into the page"
    );
}

#[test]
fn links_and_assets_in_bodies() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2024-h1/");
    for want in [
        "src=\"/reports/2024/photo.png\"",
        "href=\"/reports/2024/fang-an.pdf\"",
        "href=\"/reports/tao-le-zhen-2023/\"",
        "href=\"/reports/san-zhong-2023/\"",
    ] {
        assert!(html.contains(want), "report body lacks {want}:\n{html}");
    }
    assert_eq!(
        std::fs::read(out.file("/reports/2024/photo.png")).unwrap(),
        std::fs::read(site.root().join("content/reports/2024/photo.png")).unwrap(),
        "colocated image not copied verbatim"
    );
    assert!(
        html.contains("附件"),
        "the PDF is not listed as an attachment:\n{html}"
    );
}

#[test]
fn chinese_heading_gets_an_id_and_raw_html_is_escaped() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2024-h1/");
    let h = html
        .split("<h2")
        .find(|s| s.contains("一、主要工作"))
        .map(|s| s.split("</h2>").next().unwrap().to_string());
    let h = h.unwrap_or_else(|| panic!("no <h2> 一、主要工作:\n{html}"));
    let id = attr_values(&format!(" {h}"), "id");
    assert!(
        id.first().is_some_and(|i| i.contains("主要工作")),
        "Chinese heading has no readable id: <h2{h}</h2>"
    );
    assert!(
        !html.contains("<span class=\"raw-html\">"),
        "raw HTML was kept without unsafe_html:\n{html}"
    );
    assert!(
        html.contains("&lt;span class="),
        "raw HTML was dropped instead of escaped:\n{html}"
    );

    site.append("site.yaml", "markdown: {unsafe_html: true}\n");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2024-h1/");
    assert!(
        html.contains("<span class=\"raw-html\">原始标记</span>"),
        "unsafe_html: true did not keep raw HTML:\n{html}"
    );
}

/// The `content` of `<meta name="description">`.
fn meta_description(html: &str) -> String {
    let tag = html
        .split("<meta name=\"description\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no meta description:\n{html}"));
    attr_values(tag.split('>').next().unwrap(), "content").remove(0)
}

#[test]
fn summary_defaults_to_the_cut_first_paragraph() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let src = std::fs::read_to_string(
        site.root()
            .join("content/reports/2024/tao-le-zhen-2024-h1.md"),
    )
    .unwrap();
    let first_para = src
        .split("---\n")
        .nth(2)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(
        first_para.chars().count() > 130,
        "fixture's first paragraph must be long enough to be cut"
    );
    let summary = meta_description(&out.read("/reports/tao-le-zhen-2024-h1/"));
    let n = summary.chars().count();
    assert!(
        (60..=121).contains(&n),
        "summary is {n} characters: {summary}"
    );
    let stem: String = summary.trim_end_matches('…').to_string();
    assert!(
        first_para.starts_with(&stem),
        "summary is not the start of the first paragraph:\n{summary}"
    );
    assert!(
        !summary.contains("第二段"),
        "summary runs into the second paragraph: {summary}"
    );
    let listed = out.read("/reports/");
    assert!(
        listed.contains(&summary),
        "the list item does not show the summary"
    );
    // An explicit `summary:` wins.
    assert_eq!(
        meta_description(&out.read("/reports/cai-zheng-ju-2024/")),
        "财政局全年保障创卫资金。"
    );
}

/// Asserts every internal href/src of the built site starts with `base_path`
/// and points at a generated file.
fn assert_links_resolve(out: &Output, host: &str, base_path: &str) {
    let links = internal_links(&out.dir, host);
    assert!(links.len() > 100, "suspiciously few links: {}", links.len());
    // /stats/ and /search/ have their own issues: tolerate them until they exist.
    let pending: Vec<&str> = ["stats/", "search/"]
        .into_iter()
        .filter(|p| !out.exists(p))
        .collect();
    let mut bad = Vec::new();
    for l in &links {
        match target_file(&out.dir, base_path, &l.url) {
            None => bad.push(format!(
                "{}: {}=\"{}\" is not under {base_path}",
                l.file, l.attr, l.url
            )),
            Some(f) if !f.is_file() => {
                let rest = l
                    .url
                    .split(['#', '?'])
                    .next()
                    .unwrap()
                    .strip_prefix(base_path)
                    .unwrap_or("");
                if !pending.contains(&rest) {
                    bad.push(format!(
                        "{}: {}=\"{}\" → missing {}",
                        l.file,
                        l.attr,
                        l.url,
                        rel(&out.dir, &f)
                    ));
                }
            }
            Some(_) => {}
        }
    }
    assert!(
        bad.is_empty(),
        "{} broken internal link(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_internal_link_resolves_at_the_root() {
    let site = Site::new("basic");
    let out = site.build_ok(&["--drafts"]);
    assert_links_resolve(&out, "https://www.example.gov.cn", "/");
}

#[test]
fn every_internal_link_resolves_under_a_sub_path() {
    let site = Site::new("basic");
    let out = site.build_ok(&["--base-url", "https://x.cn/sub/"]);
    assert_links_resolve(&out, "https://x.cn", "/sub/");
    // Body links were rewritten too, not only the theme's.
    let html = out.read("/reports/tao-le-zhen-2024-h1/");
    for want in [
        "href=\"/sub/reports/tao-le-zhen-2023/\"",
        "href=\"/sub/reports/san-zhong-2023/\"",
        "src=\"/sub/reports/2024/photo.png\"",
    ] {
        assert!(
            html.contains(want),
            "body link not under /sub/: {want}\n{html}"
        );
    }
    let sitemap = out.read("/sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(locs.len() > 10, "sitemap has few entries:\n{sitemap}");
    for loc in locs {
        let f = target_file(&out.dir, "https://x.cn/sub/", loc)
            .unwrap_or_else(|| panic!("sitemap <loc>{loc}</loc> not under https://x.cn/sub/"));
        assert!(f.is_file(), "sitemap <loc>{loc}</loc> has no file");
    }
}

#[test]
fn pages_load_nothing_from_other_hosts() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    for f in out.list().into_iter().filter(|f| f.ends_with(".html")) {
        let html = out.read(&f);
        for v in attr_values(&html, "src") {
            assert!(
                !v.contains("://") && !v.starts_with("//"),
                "{f} loads {v} from another host"
            );
        }
        for tag in html.split("<link").skip(1) {
            let tag = tag.split('>').next().unwrap();
            if tag.contains("stylesheet") || tag.contains("preload") {
                let h = attr_values(tag, "href");
                assert!(
                    h.iter().all(|v| !v.contains("://") && !v.starts_with("//")),
                    "{f} loads {h:?} from another host"
                );
            }
        }
    }
}

#[test]
fn site_without_registry_derives_pinyin_units() {
    let site = Site::new("no-registry");
    assert!(!site.root().join("content/units").exists());
    let out = site.build_ok(&[]);
    for path in [
        "/units/tao-le-zhen/",
        "/units/ying-gen-zhen/",
        "/reports/tao-le-zhen-zong-jie/",
        "/tags/kong-yan/",
        "/categories/bing-mei-sheng-wu-fang-zhi/",
        "/articles/xia-ji-mie-wen/",
    ] {
        assert!(out.exists(path), "{path} missing; files: {:#?}", out.list());
    }
    assert_eq!(
        unit_reports(&out, "/", "tao-le-zhen"),
        ["tao-le-zhen-zong-jie", "tao-le-zhen-2023"]
    );
    assert_eq!(
        unit_reports(&out, "/", "ying-gen-zhen"),
        ["ying-gen-zhen-2024"]
    );
    assert!(
        out.read("/units/").contains("营根镇"),
        "derived unit missing from /units/"
    );
    assert_links_resolve(&out, "https://www.example.gov.cn", "/");
}

#[test]
fn unicode_slugs_keep_chinese() {
    let site = Site::new("unicode-slugs");
    let out = site.build_ok(&[]);
    for path in [
        "/reports/陶乐镇总结/",
        "/units/陶乐镇/",
        "/tags/控烟/",
        "/articles/夏季灭蚊/",
        "/categories/病媒生物防制/",
    ] {
        assert!(out.exists(path), "{path} missing; files: {:#?}", out.list());
    }
    assert!(
        !out.exists("/reports/tao-le-zhen-zong-jie/"),
        "pinyin slug used despite `slugs: unicode`"
    );
    assert_eq!(
        unit_reports(&out, "/", "陶乐镇")
            .into_iter()
            .map(|s| percent_decode(&s))
            .collect::<Vec<_>>(),
        ["陶乐镇总结"]
    );
    assert_links_resolve(&out, "https://www.example.gov.cn", "/");
}

#[test]
fn site_without_themes_folder_uses_the_builtin_theme() {
    let site = Site::new("basic");
    assert!(
        !site.root().join("themes").exists(),
        "the basic fixture must not carry a theme"
    );
    let out = site.build_ok(&[]);
    assert!(
        out.exists("/style.css") && out.exists("/site.js"),
        "built-in static files missing: {:#?}",
        out.list()
    );
    assert!(
        out.read("/").contains("<html"),
        "home page not rendered by the built-in theme"
    );
}

#[test]
fn site_template_overrides_the_theme() {
    let site = Site::new("basic");
    site.write(
        "templates/report.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"override\">覆盖模板：{{ page.title }}</p>{% endblock content %}",
    );
    site.write("static/extra.txt", "site static file");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2023/");
    assert!(
        html.contains("<p id=\"override\">覆盖模板：陶乐镇2023年创卫工作总结</p>"),
        "site template did not win:\n{html}"
    );
    let article = out.read("/articles/kong-yan/");
    assert!(
        !article.contains("override") && article.contains("控烟从我做起"),
        "other templates must stay the theme's"
    );
    assert_eq!(out.read("/extra.txt"), "site static file");
}

#[test]
fn template_syntax_error_names_the_template() {
    let site = Site::new("basic");
    site.write("templates/report.html", "{% extends \"base.html\" %}\n{% block content %}\n{% if page.title %}\n{% endblock content %}\n");
    for (lang, word) in [(Lang::En, "template"), (Lang::Zh, "模板")] {
        let r = site.run(lang, &["build"]);
        r.expect_code(1)
            .stderr_has("templates/report.html:4:")
            .stderr_has(word);
        assert!(!site.public().exists(), "a failed build wrote public/");
    }
}

#[test]
fn build_prints_one_summary_line() {
    let site = Site::new("basic");
    let r = site.build(&[]);
    r.ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "expected one summary line:\n{}", r.dump());
    assert!(
        lines[0].contains("pages"),
        "summary line lacks the page count: {}",
        lines[0]
    );
    let r = site.run(Lang::Zh, &["build"]);
    r.ok();
    assert!(
        r.stdout.contains("页面"),
        "Chinese summary line:\n{}",
        r.dump()
    );
}

#[test]
fn tags_count_reports_and_articles_and_paginate() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let tags = out.read("/tags/");
    // 控烟: one report (san-zhong-2024) and one article (kong-yan).
    let entry = tags
        .split("<li>")
        .find(|l| l.contains(">控烟<"))
        .unwrap_or_else(|| panic!("控烟 not on /tags/:\n{tags}"));
    assert!(
        entry.contains("(2)"),
        "控烟 should count 2 (report + article): {entry}"
    );
    let entry = tags
        .split("<li>")
        .find(|l| l.contains(">环境整治<"))
        .unwrap();
    assert!(entry.contains("(3)"), "环境整治 should count 3: {entry}");
    // 环境整治: 3 items at 2 a page.
    assert!(
        out.exists("/tags/huan-jing-zheng-zhi/page/2/"),
        "tag pages are not paginated: {:#?}",
        out.list()
    );
    let mut listed = Vec::new();
    for p in [
        "/tags/huan-jing-zheng-zhi/",
        "/tags/huan-jing-zheng-zhi/page/2/",
    ] {
        let html = out.read(p);
        let main = html
            .split("<main")
            .nth(1)
            .unwrap()
            .split("</main>")
            .next()
            .unwrap()
            .to_string();
        listed.extend(
            hrefs(&main)
                .into_iter()
                .filter(|h| h.starts_with("/reports/t") || h.starts_with("/articles/x")),
        );
    }
    let listed = dedup(listed);
    for want in [
        "/reports/tao-le-zhen-2023/",
        "/reports/tao-le-zhen-2024-h1/",
        "/articles/xia-ji-mie-wen/",
    ] {
        assert!(
            listed.iter().any(|h| h == want),
            "{want} not on the 环境整治 tag pages: {listed:?}"
        );
    }
    let cat = out.read("/categories/kong-yan/");
    assert!(
        cat.contains("/articles/kong-yan/") && !cat.contains("/articles/xia-ji-mie-wen/"),
        "category page lists the wrong articles:\n{cat}"
    );
}

#[test]
fn integer_period_and_datetime_with_offset() {
    let site = Site::new("basic");
    let out = site.build_ok(&[]);
    let html = out.read("/reports/tao-le-zhen-2023/");
    assert!(
        html.contains("报告期：2023年"),
        "`period: 2023` (an integer) not shown:\n{html}"
    );
    let html = out.read("/articles/xia-ji-mie-wen/");
    // Shown as YYYY-MM-DD; only the PubDate metadata keeps the time given.
    let body = &html[html.find("<body").unwrap()..];
    assert!(
        body.contains("2024-06-15") && !body.contains("08:30"),
        "a datetime date must show as YYYY-MM-DD:\n{html}"
    );
    assert!(html.contains(r#"<meta name="PubDate" content="2024-06-15 08:30">"#));
    let feed = out.read("/feed.xml");
    assert!(
        feed.contains("2024-06-15T08:30:00+08:00"),
        "the feed should keep the time given:\n{feed}"
    );
}

#[test]
fn editor_temp_files_and_symlink_loops_are_skipped() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/.#tao-le-zhen.md",
        "lock file of an editor",
    );
    site.write(
        "content/reports/2024/tao-le-zhen-2024-h1.md~",
        "backup, not Markdown front matter",
    );
    site.write("content/reports/2024/~$草稿.md", [0xD5u8, 0xE2, 0xCA, 0xC7]);
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", site.root().join("content/reports/loop")).unwrap();
    let r = site.build(&[]);
    r.ok();
    #[cfg(unix)]
    assert!(
        r.stderr.contains("content/reports/loop") && r.stderr.contains("warning"),
        "the loop is not named:\n{}",
        r.dump()
    );
    let out = Output { dir: site.public() };
    assert!(out.exists("/reports/tao-le-zhen-2024-h1/"));
    assert!(
        !out.list()
            .iter()
            .any(|f| f.contains('~') || f.contains(".#")),
        "temp files were published: {:#?}",
        out.list()
    );
}

#[test]
fn article_cover_is_resolved_shown_and_checked() {
    let site = Site::new("basic");
    let src = site.root().join("content/reports/2024/photo.png");
    std::fs::copy(&src, site.root().join("content/articles/cover.png")).unwrap();
    site.write(
        "content/articles/with-cover.md",
        "---\ntitle: 有封面的文章\ndate: 2024-03-01\ncover: cover.png\n---\n正文。\n",
    );
    let out = site.build_ok(&[]);
    let html = out.read("/articles/with-cover/");
    assert!(
        html.contains("<img src=\"/articles/cover.png\" alt=\"\">"),
        "cover image missing:\n{html}"
    );
    site.write(
        "content/articles/with-cover.md",
        "---\ntitle: 有封面的文章\ndate: 2024-03-01\ncover: nope.png\n---\n正文。\n",
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    r.stderr_has("content/articles/with-cover.md:4:8: error: broken link `nope.png`");
}
