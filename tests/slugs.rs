//! Pinyin read per word in every URL (reports, articles, pages, derived
//! unit ids, tags, categories), `check --slugs` and the URL `new` prints.

mod common;

use common::{Lang, Site};
use unicode_width::UnicodeWidthStr;

const REPORT: &str =
    "/reports/chong-qing-shi-chang-shou-qu-2024-nian-chuang-wei-gong-zuo-zong-jie/";

#[test]
fn every_url_reads_per_word() {
    let site = Site::new("pinyin-site");
    let out = site.build_ok(&[]);
    for path in [
        REPORT,
        "/reports/lu-an-shi-tiao-zheng-gong-zuo/",
        "/articles/zhuo-li-jie-jue-shuai-xian-luo-shi/",
        "/guan-yu-shou-du/",
        "/units/chang-shou-qu-wei-sheng-jian-kang-wei-yuan-hui/",
        "/units/lu-an-shi-ai-wei-ban/",
        "/tags/yin-hang-wang-dian/",
        "/tags/chang-xiao-ji-zhi/",
        "/tags/hang-ye-guan-li/",
        "/tags/liao-jie-qing-kuang/",
        "/categories/zhong-dian-gong-zuo/",
    ] {
        assert!(out.exists(path), "{path} was not built");
    }
    // Links point at the same URLs.
    let report = out.read(REPORT);
    assert!(report.contains("/cw/tags/yin-hang-wang-dian/"), "{report}");
    assert!(report.contains("/cw/units/chang-shou-qu-wei-sheng-jian-kang-wei-yuan-hui/"));
    // No generated path has anything but ASCII in it.
    let mut stack = vec![site.public()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p
                .strip_prefix(site.public())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            assert!(rel.is_ascii(), "non-ASCII output path {rel}");
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
}

#[test]
fn check_slugs_lists_sources_beside_urls_aligned() {
    let site = Site::new("pinyin-site");
    let root = site.root_str();
    let r = site.run(Lang::En, &["check", "--slugs", "--root", &root]);
    r.ok();
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("https://"))
        .collect();
    let report = rows
        .iter()
        .find(|l| l.starts_with("content/reports/重庆市长寿区2024年创卫工作总结.md "))
        .unwrap_or_else(|| panic!("the report is not listed\n{}", r.dump()));
    assert!(
        report.ends_with(&format!("https://www.example.gov.cn/cw{REPORT}")),
        "{report}"
    );
    assert!(
        rows.iter()
            .any(|l| l.contains("银行网点") && l.ends_with("/cw/tags/yin-hang-wang-dian/")),
        "{}",
        r.dump()
    );
    // Four documents, two derived units, four tags, one category.
    assert_eq!(rows.len(), 11, "{}", r.dump());
    // The URL column starts at the same display column on every row.
    let columns: Vec<usize> = rows
        .iter()
        .map(|l| UnicodeWidthStr::width(&l[..l.find("https://").unwrap()]))
        .collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{}",
        r.stdout
    );
    // Without --slugs, no listing.
    let plain = site.run(Lang::En, &["check", "--root", &root]);
    plain.ok();
    assert!(!plain.stdout.contains("https://"), "{}", plain.dump());
}

#[test]
fn new_prints_the_url_the_document_will_have() {
    let site = Site::new("pinyin-site");
    let root = site.root_str();
    for (lang, file, label) in [
        (Lang::En, "reports/2024/银行网点调整.md", "its URL: "),
        (Lang::Zh, "reports/2024/长江流域.md", "网址："),
    ] {
        let r = site.run(
            lang,
            &[
                "new",
                "report",
                file,
                "--unit",
                "六安市爱卫办",
                "--root",
                &root,
            ],
        );
        r.ok();
        let url = r
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("no URL line\n{}", r.dump()));
        let expected = match lang {
            Lang::En => "https://www.example.gov.cn/cw/reports/yin-hang-wang-dian-tiao-zheng/",
            Lang::Zh => "https://www.example.gov.cn/cw/reports/chang-jiang-liu-yu/",
        };
        assert!(
            url.starts_with(expected),
            "{url} ≠ {expected}\n{}",
            r.dump()
        );
    }
    // The printed URLs are the ones built.
    let out = site.build_ok(&[]);
    assert!(out.exists("/reports/yin-hang-wang-dian-tiao-zheng/"));
    assert!(out.exists("/reports/chang-jiang-liu-yu/"));
}

#[test]
fn unicode_slugs_keep_chinese() {
    let site = Site::new("pinyin-site");
    site.write(
        "site.yaml",
        "title: 长寿区创卫信息\nbase_url: https://www.example.gov.cn/cw/\nslugs: unicode\n",
    );
    let out = site.build_ok(&[]);
    assert!(out.exists("/tags/银行网点/"));
    assert!(out.exists("/reports/重庆市长寿区2024年创卫工作总结/"));
}
