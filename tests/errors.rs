//! Bad input: each broken file is reported as `path:line:col: message` with a
//! hint, in English and (with `LANG=zh_CN.UTF-8`) in Chinese, and the build
//! exits 1 without writing anything. Each case starts from the `basic`
//! fixture copied to a temporary folder, plus the broken file.

mod common;

use common::*;

/// What one diagnostic must look like in one language.
struct Expect<'a> {
    /// On the `path:line:col:` line itself.
    message: &'a [&'a str],
    /// Anywhere in stderr (usually the hint line below).
    hint: &'a [&'a str],
}

/// Builds `site` in both languages and checks the diagnostic for `file` at `line`.
#[track_caller]
fn assert_reported(site: &Site, file: &str, line: usize, en: Expect, zh: Expect) {
    for (lang, want, label) in [(Lang::En, &en, "error: "), (Lang::Zh, &zh, "错误：")] {
        for cmd in ["build", "check"] {
            let r = site.run(lang, &[cmd]);
            r.expect_code(1);
            let prefix = format!("{file}:{line}:");
            let found = r
                .stderr
                .lines()
                .find(|l| l.starts_with(&prefix) && want.message.iter().all(|m| l.contains(m)));
            let Some(found) = found else {
                panic!(
                    "`jianbao {cmd}` ({lang:?}) did not report {prefix}<col>: … {:?}\n{}",
                    want.message,
                    r.dump()
                );
            };
            let after = &found[prefix.len()..];
            let col_ok = after
                .split(':')
                .next()
                .is_some_and(|c| c.parse::<usize>().is_ok_and(|c| c >= 1));
            assert!(col_ok, "no column after the line number: {found}");
            assert!(
                found.contains(label),
                "{lang:?} error line lacks {label:?}: {found}"
            );
            for h in want.hint {
                r.stderr_has(h);
            }
            let hint_label = if lang == Lang::En {
                "  hint: "
            } else {
                "  提示："
            };
            r.stderr_has(hint_label);
            assert!(!site.public().exists(), "a failed {cmd} wrote public/");
        }
    }
}

/// A report file under `content/reports/2024/` with the given front matter and body.
fn report(front: &str, body: &str) -> String {
    format!("---\n{front}---\n{body}")
}

const OK_FRONT: &str = "title: 测试报告\nunit: 陶乐镇\ndate: 2024-01-02\n";

#[test]
fn unknown_front_matter_key_suggests_the_right_one() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(&format!("{OK_FRONT}tag: [环境整治]\n"), "正文。\n"),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        5,
        Expect {
            message: &["unknown key `tag`"],
            hint: &["did you mean `tags`?"],
        },
        Expect {
            message: &["未知的键 `tag`"],
            hint: &["是否想写 `tags`"],
        },
    );
}

#[test]
fn missing_title() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report("unit: 陶乐镇\ndate: 2024-01-02\n", "正文。\n"),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        1,
        Expect {
            message: &["missing required key `title`"],
            hint: &["title:"],
        },
        Expect {
            message: &["缺少必填键 `title`"],
            hint: &["title:"],
        },
    );
}

#[test]
fn bad_date() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(
            "title: 测试报告\nunit: 陶乐镇\ndate: 2024-13-45\n",
            "正文。\n",
        ),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        4,
        Expect {
            message: &["`date`", "2024-13-45"],
            hint: &["2024年12月20日"],
        },
        Expect {
            message: &["`date` 不是有效日期", "2024-13-45"],
            hint: &["2024年12月20日"],
        },
    );
}

#[test]
fn bad_chinese_date_in_an_article() {
    let site = Site::new("basic");
    site.write(
        "content/articles/bad.md",
        "---\ntitle: 文章\ncategory: 控烟\ndate: 2024年2月30日\n---\n正文。\n",
    );
    assert_reported(
        &site,
        "content/articles/bad.md",
        4,
        Expect {
            message: &["`date`", "2024年2月30日"],
            hint: &[],
        },
        Expect {
            message: &["不是有效日期", "2024年2月30日"],
            hint: &[],
        },
    );
}

#[test]
fn bad_period() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(&format!("{OK_FRONT}period: 2024-H3\n"), "正文。\n"),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        5,
        Expect {
            message: &["`period`", "2024-H3"],
            hint: &["2024-Q3"],
        },
        Expect {
            message: &["不是有效的报告期", "2024-H3"],
            hint: &["2024-Q3"],
        },
    );
}

#[test]
fn yaml_syntax_error() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(&format!("{OK_FRONT}  source: 宣传部\n"), "正文。\n"),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        5,
        Expect {
            message: &["invalid front matter"],
            hint: &["key: value"],
        },
        Expect {
            message: &["元数据格式错误"],
            hint: &["键: 值"],
        },
    );
}

#[test]
fn undeclared_metric_suggests_a_declared_one() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(
            &format!("{OK_FRONT}stats:\n  横幅: 3\n  清理垃级: 5\n"),
            "正文。\n",
        ),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        7,
        Expect {
            message: &["undeclared metric `清理垃级`", "5"],
            hint: &["did you mean `清理垃圾`?"],
        },
        Expect {
            message: &["未声明的统计指标 `清理垃级`"],
            hint: &["是否想写 `清理垃圾`"],
        },
    );
}

#[test]
fn stats_value_that_is_not_a_figure() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(&format!("{OK_FRONT}stats:\n  横幅: 很多\n"), "正文。\n"),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        6,
        Expect {
            message: &["`横幅`", "`很多`", "not a figure"],
            hint: &["1.2万"],
        },
        Expect {
            message: &["`横幅`", "`很多`", "不是有效数字"],
            hint: &["1.2万"],
        },
    );
}

#[test]
fn unknown_unit_suggests_the_closest_registered_name() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        report(
            "title: 测试报告\nunit: 陶乐真\ndate: 2024-01-02\n",
            "正文。\n",
        ),
    );
    assert_reported(
        &site,
        "content/reports/2024/bad.md",
        3,
        Expect {
            message: &["unknown unit `陶乐真`"],
            hint: &["did you mean `陶乐镇`?"],
        },
        Expect {
            message: &["未知的单位 `陶乐真`"],
            hint: &["是否想写 `陶乐镇`"],
        },
    );
}

#[test]
fn duplicate_slug_names_both_files() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/dup.md",
        report(&format!("{OK_FRONT}slug: tao-le-zhen-2023\n"), "正文。\n"),
    );
    let a = "content/reports/2024/dup.md";
    let b = "content/reports/2023/tao-le-zhen-2023.md";
    for (lang, word) in [(Lang::En, "tao-le-zhen-2023"), (Lang::Zh, "已被")] {
        let r = site.run(lang, &["build"]);
        r.expect_code(1);
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(a) && l.contains(b) && l.contains(word));
        let line = line
            .unwrap_or_else(|| panic!("no {lang:?} error naming both {a} and {b}\n{}", r.dump()));
        let starts = [a, b].iter().any(|p| {
            line.strip_prefix(p)
                .and_then(|s| s.strip_prefix(':'))
                .is_some_and(|s| {
                    s.split(':')
                        .next()
                        .is_some_and(|n| n.parse::<usize>().is_ok())
                })
        });
        assert!(starts, "error does not start with `path:line:`: {line}");
        assert!(!site.public().exists());
    }
}

#[test]
fn slug_that_escapes_the_folder() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/slash.md",
        report(&format!("{OK_FRONT}slug: a/b\n"), "正文。\n"),
    );
    site.write(
        "content/articles/dots.md",
        "---\ntitle: 文章\ndate: 2024-01-02\nslug: ../../etc\n---\n正文。\n",
    );
    site.write(
        "content/pages/dotdot.md",
        "---\ntitle: 页面\nslug: ..\n---\n正文。\n",
    );
    for (file, line) in [
        ("content/reports/2024/slash.md", 5),
        ("content/articles/dots.md", 4),
        ("content/pages/dotdot.md", 3),
    ] {
        assert_reported(
            &site,
            file,
            line,
            Expect {
                message: &["`slug` must be a single URL segment"],
                hint: &["slug: "],
            },
            Expect {
                message: &["`slug` 必须是单个网址片段"],
                hint: &["slug: "],
            },
        );
    }
    assert!(
        !site.tmp.path().join("etc").exists() && !site.root().join("etc").exists(),
        "a slug escaped the output folder"
    );
}

#[test]
fn gbk_file_is_named_not_rendered() {
    let site = Site::new("basic");
    let text = report(
        "title: 测试报告\nunit: 陶乐镇\ndate: 2024-01-02\n",
        "正文。\n",
    );
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    site.write("content/reports/2024/gbk.md", &gbk);
    assert_reported(
        &site,
        "content/reports/2024/gbk.md",
        2,
        Expect {
            message: &["not UTF-8", "GBK"],
            hint: &["UTF-8"],
        },
        Expect {
            message: &["不是 UTF-8", "GBK"],
            hint: &["UTF-8"],
        },
    );
}

#[test]
fn broken_internal_links() {
    let site = Site::new("basic");
    let body =
        "第一段。\n\n见[不存在的总结](/reports/no-such/)。\n\n又见[旧文件](../2023/nope.md)。\n";
    site.write("content/reports/2024/links.md", report(OK_FRONT, body));
    let file = "content/reports/2024/links.md";
    assert_reported(
        &site,
        file,
        8,
        Expect {
            message: &["broken link `/reports/no-such/`"],
            hint: &[],
        },
        Expect {
            message: &["链接 `/reports/no-such/` 无效"],
            hint: &[],
        },
    );
    assert_reported(
        &site,
        file,
        10,
        Expect {
            message: &[
                "broken link `../2023/nope.md`",
                "content/reports/2023/nope.md",
            ],
            hint: &[],
        },
        Expect {
            message: &["链接 `../2023/nope.md` 无效"],
            hint: &[],
        },
    );
}

#[test]
fn missing_front_matter() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bare.md",
        "# 没有元数据的总结\n\n正文。\n",
    );
    assert_reported(
        &site,
        "content/reports/2024/bare.md",
        1,
        Expect {
            message: &["front matter"],
            hint: &["---"],
        },
        Expect {
            message: &["缺少元数据"],
            hint: &["---"],
        },
    );
}

#[test]
fn unclosed_front_matter() {
    let site = Site::new("basic");
    site.write("content/pages/open.md", "---\ntitle: 页面\n正文。\n");
    assert_reported(
        &site,
        "content/pages/open.md",
        1,
        Expect {
            message: &["not closed"],
            hint: &["---"],
        },
        Expect {
            message: &["没有结束"],
            hint: &["---"],
        },
    );
}

#[test]
fn site_yaml_unknown_key() {
    let site = Site::new("basic");
    let lines = std::fs::read_to_string(site.root().join("site.yaml"))
        .unwrap()
        .lines()
        .count();
    site.append("site.yaml", "paginage: 5\n");
    assert_reported(
        &site,
        "site.yaml",
        lines + 1,
        Expect {
            message: &["unknown key `paginage`"],
            hint: &["did you mean `paginate`?"],
        },
        Expect {
            message: &["未知的键 `paginage`"],
            hint: &["是否想写 `paginate`"],
        },
    );
}

#[test]
fn every_broken_file_is_reported_in_one_run() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/a-key.md",
        report(&format!("{OK_FRONT}tag: [环境整治]\n"), "正文。\n"),
    );
    site.write(
        "content/reports/2024/b-unit.md",
        report(
            "title: 测试报告\nunit: 陶乐真\ndate: 2024-01-02\n",
            "正文。\n",
        ),
    );
    site.write(
        "content/articles/c-date.md",
        "---\ntitle: 文章\ndate: 2024-13-01\n---\n正文。\n",
    );
    site.write(
        "content/pages/d-link.md",
        "---\ntitle: 页面\n---\n见[无效](/nowhere/)。\n",
    );
    site.write(
        "content/pages/e-gbk.md",
        encoding_rs::GBK
            .encode("---\ntitle: 页面二\n---\n正文。\n")
            .0,
    );
    site.write(
        "content/reports/2024/f-stats.md",
        report(
            &format!("{OK_FRONT}stats:\n  横幅: 很多\n  植树: 5\n"),
            "正文。\n",
        ),
    );
    let want = [
        ("content/reports/2024/a-key.md:5:", "`tag`"),
        ("content/reports/2024/b-unit.md:3:", "`陶乐真`"),
        ("content/articles/c-date.md:3:", "2024-13-01"),
        ("content/pages/d-link.md:4:", "/nowhere/"),
        ("content/pages/e-gbk.md:2:", "GBK"),
        ("content/reports/2024/f-stats.md:6:", "`很多`"),
        ("content/reports/2024/f-stats.md:7:", "`植树`"),
    ];
    for lang in [Lang::En, Lang::Zh] {
        for cmd in ["build", "check"] {
            let r = site.run(lang, &[cmd]);
            r.expect_code(1);
            let missing: Vec<_> = want
                .iter()
                .filter(|(p, m)| !r.stderr.lines().any(|l| l.starts_with(p) && l.contains(m)))
                .collect();
            assert!(
                missing.is_empty(),
                "`{cmd}` ({lang:?}) did not report {missing:?}\n{}",
                r.dump()
            );
            let summary = if lang == Lang::En {
                format!("{} error(s)", want.len())
            } else {
                format!("{} 个错误", want.len())
            };
            r.stderr_has(&summary);
        }
    }
    assert!(!site.public().exists());
}

#[test]
fn one_file_with_several_problems_reports_them_all() {
    // An unknown key must not hide the unit and figure problems in the same file.
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/many.md",
        report(
            "title: 多处错误\nunit: 陶乐真\ndate: 2024-01-02\ntag: [x]\nstats:\n  横幅: 很多\n",
            "正文。\n",
        ),
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    for want in [
        "content/reports/2024/many.md:3:7: error: unknown unit `陶乐真`",
        "content/reports/2024/many.md:5:1: error: unknown key `tag`",
        "content/reports/2024/many.md:7:7: error: `横幅`: `很多` is not a figure",
    ] {
        r.stderr_has(want);
    }
}

#[test]
fn empty_or_non_text_date_is_one_precise_error() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/e.md",
        report("title: 空日期\nunit: 陶乐镇\ndate:\n", "正文。\n"),
    );
    site.write(
        "content/reports/2024/m.md",
        report("title: 表日期\nunit: 陶乐镇\ndate: {a: 1}\n", "正文。\n"),
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    r.stderr_has("content/reports/2024/e.md:4:6: error: `date` is empty");
    r.stderr_has("content/reports/2024/m.md:4:7: error: `date` must be text");
    assert_eq!(
        r.stderr.matches("m.md:").count(),
        1,
        "one error for m.md:\n{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("missing required key `date`"),
        "{}",
        r.stderr
    );
}
