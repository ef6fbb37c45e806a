//! The editor's desk: the reporting schedule (`jianbao status`), the
//! review gate (三审三校) in `build`/`check`, and the 报送情况 section.
//! The fixture `desk` has 乡镇 reporting quarterly, 学校 half-yearly,
//! 机关 yearly and one exempt 乡镇; `--today 2024-07-20` makes 崇岗镇's
//! second quarter and 二中's first half overdue and every running period
//! not yet due.

mod common;

use common::{Lang, Site};

/// Cells of the table line that starts with `name`, split on runs of spaces.
fn table_row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no row for {name} in\n{table}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

fn status(site: &Site, args: &[&str]) -> String {
    let mut a = vec!["status", "--today", "2024-07-20"];
    a.extend_from_slice(args);
    let r = site.run(Lang::En, &a);
    r.ok();
    r.stdout
}

#[test]
fn status_table_shows_submitted_overdue_and_not_due() {
    let site = Site::new("desk");
    let t = status(&site, &[]);
    assert!(t.starts_with("2024年报送情况（截至 2024-07-20）"), "{t}");
    assert_eq!(
        table_row(&t, "陶乐镇"),
        ["陶乐镇", "乡镇", "✓ 04-10", "✓ 07-08", "未到期"]
    );
    // Awaiting review still counts as sent; Q2 was due on 07-15.
    assert_eq!(
        table_row(&t, "崇岗镇"),
        ["崇岗镇", "乡镇", "✓ 04-12", "逾期", "未到期"]
    );
    assert!(!t.contains("通伏乡"), "the exempt unit has a row:\n{t}");
    assert_eq!(
        table_row(&t, "平罗县第一中学"),
        ["平罗县第一中学", "学校", "✓ 07-05", "未到期"]
    );
    // A draft is not a submission; due_days 10 makes H1 due on 07-10.
    assert_eq!(
        table_row(&t, "平罗县第二中学"),
        ["平罗县第二中学", "学校", "逾期", "未到期"]
    );
    // A quarterly report from a yearly unit covers nothing.
    assert_eq!(
        table_row(&t, "平罗县卫健局"),
        ["平罗县卫健局", "机关", "未到期"]
    );
    // Columns line up by display width (CJK counts double).
    let header = t.lines().find(|l| l.starts_with("单位    类型")).unwrap();
    let row = t.lines().find(|l| l.starts_with("崇岗镇")).unwrap();
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let col = |l: &str, needle: &str| width(&l[..l.find(needle).unwrap()]);
    assert_eq!(col(header, "二季度"), col(row, "逾期"), "\n{header}\n{row}");
    // Totals per type and the overdue list with due dates.
    assert_eq!(table_row(&t, "乡镇"), ["乡镇", "2", "3", "1", "2"]);
    assert_eq!(table_row(&t, "机关"), ["机关", "1", "0", "0", "1"]);
    let overdue = &t[t.find("逾期未报").expect("overdue list")..];
    assert_eq!(
        table_row(overdue, "平罗县第二中学"),
        ["平罗县第二中学", "2024年上半年", "2024-07-10", "10"]
    );
    assert_eq!(
        table_row(overdue, "崇岗镇"),
        ["崇岗镇", "2024年第二季度", "2024-07-15", "5"]
    );
}

#[test]
fn status_csv_and_json() {
    let site = Site::new("desk");
    let csv = status(&site, &["--format", "csv"]);
    assert!(csv.starts_with('\u{feff}'), "no BOM");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "unit_id,unit_name,unit_type,every,period,due,status,date,report_url"
    );
    assert!(
        lines.contains(&"chong-gang-zhen,崇岗镇,乡镇,quarter,2024-Q2,2024-07-15,overdue,,"),
        "{csv}"
    );
    assert!(
        lines.contains(
            &"tao-le-zhen,陶乐镇,乡镇,quarter,2024-Q1,2024-04-15,submitted,2024-04-10,/cw/reports/tao-le-q1/"
        ),
        "{csv}"
    );
    // Held back for review: submitted, but no public page to link.
    assert!(
        lines.contains(
            &"chong-gang-zhen,崇岗镇,乡镇,quarter,2024-Q1,2024-04-15,submitted,2024-04-12,"
        ),
        "{csv}"
    );
    assert!(
        lines.contains(&"wei-jian-ju,平罗县卫健局,机关,year,2024,2025-01-15,not_due,,"),
        "{csv}"
    );
    // 2 乡镇 × 3 quarters + 2 学校 × 2 halves + 1 机关.
    assert_eq!(lines.len(), 1 + 6 + 4 + 1, "{csv}");

    let json: serde_json::Value =
        serde_json::from_str(&status(&site, &["--format", "json"])).expect("status JSON parses");
    assert_eq!(json["year"], 2024);
    assert_eq!(json["today"], "2024-07-20");
    let groups = json["groups"].as_array().unwrap();
    let every: Vec<&str> = groups
        .iter()
        .map(|g| g["every"].as_str().unwrap())
        .collect();
    assert_eq!(every, ["quarter", "half", "year"]);
    let q = &groups[0];
    let labels: Vec<&str> = q["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["period"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2024-Q1", "2024-Q2", "2024-Q3"]);
    let row = &q["rows"][1];
    assert_eq!(row["unit"]["id"], "chong-gang-zhen");
    assert_eq!(row["cells"][0]["status"], "submitted");
    assert_eq!(row["cells"][0]["date"], "2024-04-12");
    assert_eq!(row["cells"][1]["status"], "overdue");
    assert_eq!(row["cells"][1]["due"], "2024-07-15");
    assert_eq!(row["cells"][2]["status"], "not_due");
    let totals = json["totals"].as_array().unwrap();
    assert_eq!(totals[1]["type"], "学校");
    assert_eq!(totals[1]["overdue"], 1);
    let overdue: Vec<(&str, &str)> = json["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["unit"]["id"].as_str().unwrap(),
                o["due"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        overdue,
        [
            ("er-zhong", "2024-07-10"),
            ("chong-gang-zhen", "2024-07-15")
        ]
    );
}

#[test]
fn status_year_and_today_options() {
    let site = Site::new("desk");
    // Before the year began: nothing to show for it yet.
    let t = status(&site, &["--year", "2025"]);
    assert_eq!(table_row(&t, "陶乐镇"), ["陶乐镇", "乡镇"]);
    assert!(t.contains("没有逾期未报的单位"), "{t}");
    // A past year as of much later: every period is settled.
    let r = site.run(
        Lang::En,
        &["status", "--year", "2024", "--today", "2026-01-01"],
    );
    r.ok();
    assert_eq!(
        table_row(&r.stdout, "陶乐镇"),
        ["陶乐镇", "乡镇", "✓ 04-10", "✓ 07-08", "逾期", "逾期"]
    );
    assert_eq!(
        table_row(&r.stdout, "平罗县卫健局"),
        ["平罗县卫健局", "机关", "逾期"]
    );
    let bad = site.run(Lang::En, &["status", "--today", "2024-13-01"]);
    bad.expect_code(2).stderr_has("--today");
}

#[test]
fn check_warns_about_period_granularity_and_lists_unreviewed() {
    let site = Site::new("desk");
    let r = site.run(Lang::Zh, &["check"]);
    r.ok();
    assert!(
        r.stderr
            .lines()
            .any(|l| l == "content/reports/2024/chong-gang-q1.md: 待审核：缺少 复审、终审"),
        "{}",
        r.dump()
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l == "content/articles/mie-wen.md: 待审核：缺少 初审、复审、终审"),
        "{}",
        r.dump()
    );
    // Fully reviewed documents and drafts are not listed.
    assert!(!r.stderr.contains("tao-le-q1.md"), "{}", r.dump());
    assert!(
        !r.stderr.contains("er-zhong-draft.md: 待审核"),
        "{}",
        r.dump()
    );
    let w = r
        .line_with("content/reports/2024/wei-jian-ju-q1.md:5:1:", "警告")
        .unwrap_or_else(|| panic!("no granularity warning\n{}", r.dump()));
    assert!(w.contains("2024-Q1") && w.contains("每年"), "{w}");
}

/// Every output file's text, for "is it mentioned anywhere" checks.
fn all_text(out: &common::Output) -> Vec<(String, String)> {
    out.list()
        .into_iter()
        .filter(|f| !f.ends_with(".png"))
        .map(|f| {
            let text = String::from_utf8_lossy(&std::fs::read(out.dir.join(&f)).unwrap())
                .replace("&#x2F;", "/");
            (f, text)
        })
        .collect()
}

const UNREVIEWED: [(&str, &str); 2] = [
    ("reports/chong-gang-q1/", "崇岗镇2024年第一季度创卫工作总结"),
    ("articles/mie-wen/", "夏季灭蚊小知识"),
];

#[test]
fn unreviewed_documents_are_kept_out_of_every_build_output() {
    let site = Site::new("desk");
    let r = site.build(&[]);
    r.ok();
    assert!(
        r.stderr
            .contains("chong-gang-q1.md: awaiting review: missing 复审, 终审"),
        "{}",
        r.dump()
    );
    let out = common::Output { dir: site.public() };
    for (path, title) in UNREVIEWED {
        assert!(!out.exists(path), "{path} was published");
        for (file, text) in all_text(&out) {
            assert!(
                !text.contains(title) && !text.contains(path),
                "{file} mentions unreviewed {path}"
            );
        }
    }
    // Its tag, its category and its figures are gone with it.
    assert!(!out.exists("tags/dai-shen-biao-qian/"));
    assert!(!out.exists("categories/bing-mei-sheng-wu-fang-zhi/"));
    let stats: serde_json::Value = serde_json::from_str(&out.read("stats/stats.json")).unwrap();
    assert_eq!(stats["totals"][0]["value"], "17", "{}", stats["totals"]);
    assert!(!out.read("stats/stats.csv").contains("chong-gang"));
    assert!(!out.read("units/chong-gang-zhen/").contains("第一季度"));

    // --drafts publishes them, with the 待审 banner naming the missing steps.
    let out = site.build_ok(&["--drafts"]);
    for (path, title) in UNREVIEWED {
        assert!(
            out.read(path).contains(title),
            "{path} missing with --drafts"
        );
        assert!(out.read("sitemap.xml").contains(path));
        assert!(out.read("feed.xml").contains(title));
    }
    let page = out.read("reports/chong-gang-q1/");
    assert!(
        page.contains("<strong>待审</strong>：尚缺复审、终审"),
        "no banner:\n{page}"
    );
    let reviewed = out.read("reports/tao-le-q1/");
    assert!(!reviewed.contains("待审"), "banner on a reviewed report");
    // Reviewers' names stay off public pages by default.
    assert!(!reviewed.contains("李华"), "reviewer shown");
    assert!(out.exists("tags/dai-shen-biao-qian/"));
    assert!(out.read("stats/stats.csv").contains("chong-gang-q1"));
}

#[test]
fn review_entries_are_validated_with_positions() {
    let site = Site::new("desk");
    site.write(
        "content/reports/2024/bad.md",
        "---\ntitle: 坏的审核记录\nunit: 陶乐镇\ndate: 2024-04-01\nperiod: 2024-Q1\nreview:\n  初审: 张明 2024-13-40\n  复核: 李华 2024-04-02\n  终审: 2024-04-03\n---\n正文\n",
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    let date = r
        .line_with("content/reports/2024/bad.md:7:", "is not a date")
        .unwrap_or_else(|| panic!("{}", r.dump()));
    assert!(
        date.contains("2024-13-40") && date.starts_with("content/reports/2024/bad.md:7:7:"),
        "{date}"
    );
    let step = r
        .line_with(
            "content/reports/2024/bad.md:8:3:",
            "unknown review step `复核`",
        )
        .unwrap_or_else(|| panic!("{}", r.dump()));
    assert!(!step.is_empty());
    assert!(r.stderr.contains("did you mean `复审`"), "{}", r.dump());
    r.line_with(
        "content/reports/2024/bad.md:9:",
        "does not say who reviewed",
    )
    .unwrap_or_else(|| panic!("{}", r.dump()));
}

#[test]
fn reporting_config_is_validated_with_positions() {
    let site = Site::new("desk");
    site.write(
        "site.yaml",
        "title: T\nbase_url: https://h.cn/\nreporting:\n  - {types: [乡真], every: quartr}\n  - {types: [学校], evry: half}\nreview:\n  requird: [初审]\n",
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    for (at, what) in [
        ("site.yaml:4:5:", "unknown unit type `乡真`"),
        (
            "site.yaml:4:5:",
            "`every` must be month, quarter, half or year, found `quartr`",
        ),
        ("site.yaml:5:5:", "unknown key `evry`"),
        ("site.yaml:7:3:", "unknown key `requird`"),
    ] {
        assert!(
            r.line_with(at, what).is_some(),
            "no {at} {what}\n{}",
            r.dump()
        );
    }
    for hint in [
        "did you mean `乡镇`",
        "did you mean `quarter`",
        "did you mean `every`",
        "did you mean `required`",
    ] {
        assert!(r.stderr.contains(hint), "no hint {hint}\n{}", r.dump());
    }
}

#[test]
fn unit_reporting_overrides_are_validated() {
    let site = Site::new("desk");
    site.write(
        "content/units/tong-fu-xiang.md",
        "---\nname: 通伏乡\ntype: 乡镇\nreporting:\n  exmpt: true\n  every: weekly\n---\n",
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    for (at, what) in [
        ("content/units/tong-fu-xiang.md:5:3:", "unknown key `exmpt`"),
        ("content/units/tong-fu-xiang.md:6:", "found `weekly`"),
    ] {
        assert!(
            r.line_with(at, what).is_some(),
            "no {at} {what}\n{}",
            r.dump()
        );
    }
    assert!(r.stderr.contains("did you mean `exempt`"), "{}", r.dump());
}

#[test]
fn stats_page_shows_the_reporting_matrix_only_when_switched_on() {
    let site = Site::new("desk");
    let build = |site: &Site| {
        let out = std::process::Command::new(common::bin())
            .args(["build", "--root", &site.root_str()])
            // 2024-07-20 in China.
            .env("SOURCE_DATE_EPOCH", "1721433600")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        common::Output { dir: site.public() }.read("stats/")
    };
    let off = build(&site);
    assert!(!off.contains("报送情况"), "shown although off");
    site.append("site.yaml", "stats_reporting: true\n");
    let on = build(&site);
    let sec = &on[on
        .find("报送情况（2024年，截至 2024-07-20）")
        .expect("no section")..];
    let row = |name: &str| {
        let start = sec
            .find(&format!(">{name}</a></th>"))
            .unwrap_or_else(|| panic!("no row {name}"));
        &sec[start..start + sec[start..].find("</tr>").unwrap()]
    };
    assert!(
        row("陶乐镇").contains(r#"<a href="/cw/reports/tao-le-q1/">✓ 04-10</a>"#),
        "{}",
        row("陶乐镇")
    );
    // Submitted but held back for review: no link to a page build did not write.
    let cg = row("崇岗镇");
    assert!(
        cg.contains(">✓ 04-12</td>") && cg.contains(r#"class="status-overdue">逾期"#),
        "{cg}"
    );
    assert!(!sec.contains("通伏乡"));
}

#[test]
fn a_rule_by_unit_id_wins_and_unknown_ids_are_warned_about() {
    let site = Site::new("desk");
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        yaml.replace(
            "reporting:\n",
            "reporting:\n  - {units: [wei-jian-ju, wei-jian-jv], every: quarter, due_days: 30}\n",
        ),
    );
    let r = site.run(Lang::En, &["check"]);
    r.ok();
    let w = r
        .line_with("site.yaml:9:5:", "unknown unit `wei-jian-jv`")
        .unwrap_or_else(|| panic!("{}", r.dump()));
    assert!(w.contains("warning"), "{w}");
    assert!(
        r.stderr.contains("did you mean `wei-jian-ju`"),
        "{}",
        r.dump()
    );
    // Now quarterly with 30 days' grace: its Q1 report counts, Q2 is not due yet.
    assert!(
        !r.stderr.contains("wei-jian-ju-q1.md:5:1: warning"),
        "{}",
        r.dump()
    );
    let t = status(&site, &[]);
    assert_eq!(
        table_row(&t, "平罗县卫健局"),
        ["平罗县卫健局", "机关", "✓ 04-20", "未到期", "未到期"]
    );
}
