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

/// A public ID number ending in X (either case) can be allow-listed: the
/// attachment's `110105********002X` goes, the other six stay.
#[test]
fn an_allow_listed_id_may_end_in_x() {
    let site = Site::new("personal-data");
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        yaml.replace(
            r#"allow: ["139-9520-1234"]"#,
            r#"allow: ["139-9520-1234", "110105 19491231 002x"]"#,
        ),
    );
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    let lines = error_lines(&r);
    assert!(
        !lines.iter().any(|l| l.contains("110105********002X")),
        "{}",
        r.dump()
    );
    assert_eq!(lines.len(), 6, "{}", r.dump());
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

fn json_of(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", r.dump()))
}

/// (indicator, severity, path, line) of every finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["indicator"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn audit_reports_every_indicator_with_places_and_json() {
    let site = Site::new("audit");
    let r = site.run(
        Lang::En,
        &["audit", "--today", "2024-07-01", "--format", "json"],
    );
    r.expect_code(1);
    let v = json_of(&r);
    let got = findings(&v);
    let report = "content/reports/2024/tao-le-zhen.md";
    let want: &[(&str, &str, &str, u64)] = &[
        ("identity", "error", "site.yaml", 3),
        ("identity", "warning", "site.yaml", 3),
        ("empty-column", "error", "content/units/shang-wu-ju.md", 1),
        ("empty-column", "error", "site.yaml", 12),
        ("stale-column", "warning", report, 1),
        ("external-resource", "error", "templates/page.html", 3),
        ("external-resource", "error", "content/pages/about.md", 6),
        ("wording", "error", report, 8),
        ("wording", "warning", report, 10),
        (
            "missing-source",
            "warning",
            "content/reports/2024/tao-le-zhen-q1.md",
            2,
        ),
        ("alt-text", "warning", report, 12),
    ];
    for (i, s, p, l) in want {
        assert!(
            got.iter()
                .any(|g| (g.0.as_str(), g.1.as_str(), g.2.as_str(), g.3) == (*i, *s, *p, *l)),
            "no {i} {s} at {p}:{l} in {got:#?}"
        );
    }
    assert_eq!(got.len(), 12, "{got:#?}");
    // Not stale: articles have a 90-day limit; the allow-listed hotline passes.
    assert!(!got.iter().any(|g| g.0 == "personal-info"));
    assert!(!got
        .iter()
        .any(|g| g.0 == "stale-column" && g.2.contains("articles")));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "templates/page.html")
        .unwrap();
    assert_eq!(f["col"], 14);
    assert!(f["message"].as_str().unwrap().contains(
        "`https://cdn.example.net/stat.js` is loaded from another host (cdn.example.net)"
    ));
    assert!(f["hint"].as_str().unwrap().contains("static/"));
    let ind = v["indicators"].as_array().unwrap();
    let empty = ind.iter().find(|i| i["id"] == "empty-column").unwrap();
    assert_eq!(
        (empty["errors"].as_u64(), empty["worst"].as_str()),
        (Some(2), Some("error"))
    );
    assert_eq!(empty["veto"], true);
    let links = ind.iter().find(|i| i["id"] == "broken-link").unwrap();
    assert_eq!(
        (links["errors"].as_u64(), links["worst"].is_null()),
        (Some(0), true)
    );
    assert_eq!(v["today"], "2024-07-01");
    assert_eq!(v["built"], true);
}

#[test]
fn audit_text_output_in_both_languages_and_html() {
    let site = Site::new("audit");
    let en = site.run(Lang::En, &["audit", "--today", "2024-07-01"]);
    en.expect_code(1);
    let first = en.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("indicator") && first.contains("veto"),
        "{first}"
    );
    assert!(en
        .stdout
        .lines()
        .any(|l| l.starts_with("empty-column") && l.contains("yes (单项否决)")));
    assert!(en.stdout.lines().any(|l| l.starts_with(
        "content/reports/2024/tao-le-zhen.md:8:2: error[wording]: `测试县人民正府` should be `测试县人民政府`"
    )), "{}", en.dump());
    assert!(en.stdout.contains("\n  hint: "));
    assert!(
        en.stdout.contains("7 error(s), 5 warning(s)"),
        "{}",
        en.dump()
    );
    let zh = site.run(Lang::Zh, &["audit", "--today", "2024-07-01"]);
    zh.expect_code(1);
    assert!(zh.stdout.starts_with("检查指标"), "{}", zh.dump());
    assert!(zh.stdout.contains("content/units/shang-wu-ju.md:1:1: 错误[empty-column]：栏目“商务局”没有已发布的内容（空白栏目）"), "{}", zh.dump());
    assert!(zh.stdout.contains("提示："));
    let html = site.run(
        Lang::Zh,
        &["audit", "--today", "2024-07-01", "--format", "html"],
    );
    html.expect_code(1);
    let page = &html.stdout;
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<style>"));
    assert!(page.contains("网站检查报告") && page.contains("templates/page.html:3:14"));
    // Self-contained: nothing loaded from anywhere.
    assert!(!page.contains("<script") && !page.contains("<link") && !page.contains(" src="));
    // Usage errors.
    site.run(Lang::En, &["audit", "--today", "2024-13-01"])
        .expect_code(2);
    site.run(Lang::En, &["audit", "--format", "pdf"])
        .expect_code(2);
}

#[test]
fn audit_classifies_build_errors_personal_data_and_broken_links() {
    let site = Site::new("personal-data");
    site.write(
        "content/pages/links.md",
        "---\ntitle: 链接\n---\n[不存在](/reports/nothing/)\n",
    );
    let r = site.run(
        Lang::En,
        &["audit", "--format", "json", "--today", "2024-07-01"],
    );
    r.expect_code(1);
    let v = json_of(&r);
    assert_eq!(v["built"], false);
    let got = findings(&v);
    let personal = got.iter().filter(|g| g.0 == "personal-info").count();
    assert_eq!(personal, 7, "{got:#?}");
    assert!(got.contains(&(
        "broken-link".into(),
        "error".into(),
        "content/pages/links.md".into(),
        4
    )));
    assert!(!r.stdout.contains("640221198001011237"));
    let ind = v["indicators"].as_array().unwrap();
    let p = ind.iter().find(|i| i["id"] == "personal-info").unwrap();
    assert_eq!(
        (p["errors"].as_u64(), p["veto"].as_bool()),
        (Some(7), Some(true))
    );
}

#[test]
fn sample_site_audit_has_no_error() {
    let r = run_in(&repo_root(), Lang::En, &["audit", "--today", "2024-12-25"]);
    r.ok();
    assert!(!r.stdout.contains(": error["), "{}", r.dump());
    assert!(r.stdout.contains("0 error(s)"), "{}", r.dump());
    // The built-in wording list finds nothing in the sample's text.
    assert!(!r.stdout.contains("[wording]"), "{}", r.dump());
    run_in(&repo_root(), Lang::En, &["audit"]).ok();
}

/// A test web server on 127.0.0.1: `/ok` 200, `/moved` 301 → `/ok`,
/// `/nohead` 405 to HEAD and 200 to GET, `/slow` answers after 3 s, else 404.
fn link_server() -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("");
                let path = parts.next().unwrap_or("");
                let (status, extra) = match (method, path) {
                    (_, "/ok") => ("200 OK", ""),
                    (_, "/moved") => ("301 Moved Permanently", "Location: /ok\r\n"),
                    ("HEAD", "/nohead") => ("405 Method Not Allowed", ""),
                    (_, "/nohead") => ("200 OK", ""),
                    (_, "/slow") => {
                        std::thread::sleep(std::time::Duration::from_secs(3));
                        ("200 OK", "")
                    }
                    _ => ("404 Not Found", ""),
                };
                let body = if method == "HEAD" { "" } else { "x" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: 1\r\nConnection: close\r\n\r\n{body}"
                );
            });
        }
    });
    port
}

#[test]
fn online_audit_fetches_external_links() {
    let port = link_server();
    let site = Site::new("audit");
    let base = format!("http://127.0.0.1:{port}");
    site.write(
        "content/pages/links.md",
        format!("---\ntitle: 友情链接\n---\n- [好的]({base}/ok)\n- [没了]({base}/missing)\n- [很慢]({base}/slow)\n- [搬了]({base}/moved)\n- [不收 HEAD]({base}/nohead)\n"),
    );
    let start = std::time::Instant::now();
    let r = site.run(
        Lang::En,
        &[
            "audit",
            "--online",
            "--format",
            "json",
            "--today",
            "2024-07-01",
        ],
    );
    r.expect_code(1);
    // 0.5 s timeout (audit.timeout in the fixture), one retry.
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    let v = json_of(&r);
    let links: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["indicator"] == "broken-link")
        .collect();
    let find = |path: &str| {
        links
            .iter()
            .find(|f| {
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("{base}{path}`"))
            })
            .unwrap_or_else(|| panic!("no finding for {path}: {links:#?}"))
    };
    let missing = find("/missing");
    assert_eq!(missing["severity"], "error");
    assert!(missing["message"].as_str().unwrap().contains("HTTP 404"));
    assert_eq!(missing["path"], "content/pages/links.md");
    assert_eq!(missing["line"], 5);
    let slow = find("/slow");
    assert_eq!(slow["severity"], "error");
    assert!(
        slow["message"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{slow}"
    );
    let moved = find("/moved");
    assert_eq!(moved["severity"], "warning");
    assert!(moved["message"]
        .as_str()
        .unwrap()
        .contains(&format!("redirects (1 step(s)) to `{base}/ok`")));
    assert_eq!(links.len(), 3, "/ok and /nohead work: {links:#?}");
    assert_eq!(v["online"], true);
    // Without --online nothing is fetched.
    let offline = site.run(
        Lang::En,
        &["audit", "--format", "json", "--today", "2024-07-01"],
    );
    assert!(!offline.stdout.contains("/missing`"));
}
