//! Inspection readiness: the personal-data guard in `check`/`build`, the
//! `identity:` footer and page metadata, and `jianbao audit` with its
//! indicators, exit codes and JSON.

mod common;

use common::*;

/// The `path:line:col:` error lines of a run.
fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect()
}

#[test]
fn personal_numbers_are_errors_shown_masked() {
    let site = Site::new("personal-data");
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    let lines = error_lines(&r);
    let report = "content/reports/2024/tao-le-zhen.md";
    let expect = [
        // Front matter value, table cell, link text, link target.
        (
            format!("{report}:7:15:"),
            "mobile phone number `138****5678`",
        ),
        (
            format!("{report}:13:8:"),
            "resident ID number `640221********1237`",
        ),
        (
            format!("{report}:19:7:"),
            "mobile phone number `137****5678`",
        ),
        // Attachments: the text of a .docx and .xlsx, a file name.
        (
            "content/reports/2024/ming-dan.docx:3:".into(),
            "mobile phone number `139****5678` in the attachment's text",
        ),
        (
            "content/reports/2024/tong-ji.xlsx:3:1:".into(),
            "resident ID number `110105********002X`",
        ),
        (
            "content/reports/2024/zhang-13612345678.pdf:1:1:".into(),
            "in the file name",
        ),
    ];
    for (at, what) in &expect {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(at.as_str()) && l.contains(what)),
            "no {at} … {what}\n{}",
            r.dump()
        );
    }
    // The invalid check digit (a document number), the masked forms, the
    // allow-listed hotline and the site's own contact are not flagged.
    for line in &lines {
        for quiet in [":15:", ":16:", ":17:"] {
            assert!(
                !line.starts_with(&format!("{report}{quiet}")),
                "flagged {line}"
            );
        }
    }
    assert!(
        !r.stderr.contains("640221198001011237"),
        "unmasked number shown"
    );
    assert_eq!(lines.len(), 7, "{}", r.dump());
    r.stderr_has("hint: mask it");
    site.run(Lang::Zh, &["check"])
        .expect_code(1)
        .stderr_has("错误：个人信息：居民身份证号 `640221********1237`不得公开")
        .stderr_has("提示：请去标识化");
}

#[test]
fn personal_data_fails_the_build_and_keeps_the_previous_output() {
    let site = Site::new("personal-data");
    let report = "content/reports/2024/tao-le-zhen.md";
    let original = std::fs::read_to_string(site.root().join(report)).unwrap();
    // Without the personal data (attachments and all), the site builds.
    let clean = original
        .split("今年以来")
        .next()
        .unwrap()
        .replace("王某 13812345678", "王某")
        + "今年以来，陶乐镇扎实推进创卫工作。\n";
    site.write(report, &clean);
    for a in ["ming-dan.docx", "tong-ji.xlsx", "zhang-13612345678.pdf"] {
        site.remove(&format!("content/reports/2024/{a}"));
    }
    let out = site.build_ok(&[]);
    let before = out.read("reports/tao-le-zhen/");
    site.write(
        report,
        clean.replace("扎实推进", "扎实推进（联系人 13812345678）"),
    );
    site.build(&[])
        .expect_code(1)
        .stderr_has(&format!("{report}:"))
        .stderr_has("138****5678");
    assert_eq!(out.read("reports/tao-le-zhen/"), before);
}

fn repo_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `content` of `<meta name="{name}">` in `html`.
fn meta<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let tag = format!("<meta name=\"{name}\" content=\"");
    let rest = &html[html.find(&tag)? + tag.len()..];
    rest.split('"').next()
}

#[test]
fn sample_site_footer_and_page_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let root = repo_root();
    run_in(
        &root,
        Lang::En,
        &["build", "--output", out.to_str().unwrap()],
    )
    .ok();
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    let home = read("index.html");
    for (name, want) in [
        ("SiteName", "平罗县创卫工作信息平台"),
        ("SiteDomain", "www.example.gov.cn"),
        ("SiteIDCode", "6402210001"),
        ("ColumnName", "首页"),
        ("ColumnType", "首页"),
    ] {
        assert_eq!(meta(&home, name), Some(want), "{name} on the home page");
    }
    assert_eq!(meta(&home, "ArticleTitle"), None);
    let footer = &home[home.find("<footer").unwrap()..];
    for want in [
        "主办：平罗县人民政府办公室",
        "承办：平罗县爱国卫生运动委员会办公室",
        "网站标识码：6402210001",
        r#"<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">宁ICP备12345678号-1</a>"#,
        r#"<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=64022102000123" rel="noopener noreferrer">宁公网安备 64022102000123号</a>"#,
        "联系电话：0952-6012345",
    ] {
        assert!(footer.contains(want), "footer lacks {want}\n{footer}");
    }
    // Links only: nothing in the footer is loaded from those hosts.
    assert!(!footer.contains("<img") && !footer.contains("<script src=\"http"));

    let report = read("reports/tao-le-zhen-2023/index.html");
    assert_eq!(meta(&report, "ColumnName"), Some("工作总结"));
    assert_eq!(meta(&report, "ColumnType"), Some("政务动态"));
    assert!(meta(&report, "ArticleTitle").is_some_and(|t| t.contains("陶乐镇")));
    assert!(meta(&report, "PubDate").is_some_and(|d| d.len() == 10 && d.starts_with("20")));
    assert!(meta(&report, "ContentSource").is_some_and(|s| !s.is_empty()));
    assert_eq!(
        meta(&report, "Url"),
        Some("https://www.example.gov.cn/cw/reports/tao-le-zhen-2023/")
    );
    let article = read("articles/kong-yan/index.html");
    assert_eq!(meta(&article, "ColumnName"), Some("控烟"));
    assert!(meta(&article, "Keywords").is_some_and(|k| k.contains("控烟")));
    assert!(meta(&article, "Description").is_some_and(|d| !d.is_empty()));
    let about = read("about/index.html");
    assert_eq!(meta(&about, "ColumnType"), Some("概况信息"));
}

#[test]
fn metadata_is_escaped_and_pub_date_keeps_the_time() {
    let site = Site::new("basic");
    site.write(
        "content/articles/quote.md",
        "---\ntitle: 关于\"除四害\"<通知>\ndate: 2024-12-20T09:30:00+08:00\ntags: [控烟, \"a&b\"]\nsource: 县爱卫办\nauthor: 王某\n---\n正文。\n",
    );
    let out = site.build_ok(&[]);
    let html = out.read("articles/quote/");
    assert_eq!(
        meta(&html, "ArticleTitle"),
        Some("关于&quot;除四害&quot;&lt;通知&gt;")
    );
    assert_eq!(meta(&html, "PubDate"), Some("2024-12-20 09:30"));
    assert_eq!(meta(&html, "Keywords"), Some("控烟,a&amp;b"));
    assert_eq!(meta(&html, "ContentSource"), Some("县爱卫办"));
    assert_eq!(meta(&html, "Author"), Some("王某"));
    assert_eq!(meta(&html, "ColumnName"), Some("健康教育"));
    // No identity: the tag is there, empty.
    assert_eq!(meta(&html, "SiteIDCode"), Some(""));
}

#[test]
fn identity_is_validated_with_did_you_mean() {
    let site = Site::new("basic");
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        format!("{yaml}identity:\n  site_code: \"64022\"\n  icp: ICP12345\n  police: 宁公网安备 123号\n  contact: 电话\n  sponser: 县政府\naudit:\n  stale: 3\n"),
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    for want in [
        "`site_code` (网站标识码) must be 10 letters or digits, found `64022`",
        "`icp` is not an ICP filing number",
        "`police` is not a 公安 filing number",
        "`contact` is not a phone number",
        "unknown key `sponser`",
        "unknown key `stale`",
    ] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("site.yaml:") && l.contains(want)),
            "no site.yaml:… {want}\n{}",
            r.dump()
        );
    }
    r.stderr_has("did you mean `sponsor`?");
    r.stderr_has("did you mean `stale_days`?");
}
