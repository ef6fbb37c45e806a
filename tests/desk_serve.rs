//! The editor's desk in `jianbao serve`: answered under the base path
//! only, never written by `build`, and updated with live reload after an
//! edit (over HTTP and in a real browser).

mod common;

use common::serve::Server;
use common::{cdp, Site};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(10);
const DESK: &str = "/cw/_desk/";
const CHONG_GANG: &str = "content/reports/2024/chong-gang-q1.md";

fn desk(s: &Server) -> String {
    let r = s.get(DESK).expect("the desk answers");
    assert_eq!(r.status, 200, "{}", r.text());
    r.text().replace("&#x2F;", "/")
}

/// The text of the element with `id` (its first text run).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in\n{html}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    &rest[start..start + rest[start..].find('<').unwrap()]
}

/// Waits on the live-reload stream for an event containing `needle`.
fn wait_event(stream: &mut TcpStream, buf: &mut String, needle: &str) {
    let start = Instant::now();
    let mut chunk = [0u8; 4096];
    while !buf.contains(needle) {
        assert!(start.elapsed() < BOUND, "no {needle} in\n{buf}");
        match stream.read(&mut chunk) {
            Ok(0) => panic!("event stream closed:\n{buf}"),
            Ok(n) => buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
            Err(_) => {}
        }
    }
}

/// Passes the missing steps of 崇岗镇's report, as an editor would save it.
fn pass_review(site: &Site) {
    let path = site.root().join(CHONG_GANG);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "  初审: 张明 2024-04-13\n",
        "  初审: 张明 2024-04-13\n  复审: 李华 2024-04-14\n  终审: 王强 2024-04-15\n",
    );
    let tmp = path.with_file_name(".chong-gang-q1.md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[test]
fn the_desk_answers_in_serve_only_and_follows_edits() {
    let site = Site::new("desk");
    let s = Server::start(&site.root(), "/cw/");
    let html = desk(&s);
    assert_eq!(by_id(&html, "count-pending"), "2");
    assert_eq!(by_id(&html, "count-drafts"), "1");
    for (title, url, missing) in [
        (
            "崇岗镇2024年第一季度创卫工作总结",
            "/cw/reports/chong-gang-q1/",
            "复审、终审",
        ),
        (
            "夏季灭蚊小知识",
            "/cw/articles/mie-wen/",
            "初审、复审、终审",
        ),
    ] {
        let row = format!("<td><a href=\"{url}\">{title}</a></td>");
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("no {row} in\n{html}"));
        assert!(html[at..].contains(&format!("<td class=\"overdue\">{missing}</td>")));
        // Serve shows the held-back page itself, with its banner.
        let page = s.get(url).unwrap();
        assert_eq!(page.status, 200);
        assert!(page.text().contains("<strong>待审</strong>"));
    }
    // The desk is private: it names who passed which step.
    assert!(html.contains("<td class=\"overdue\">复审、终审</td><td>初审 张明 2024-04-13</td>"));
    // The granularity warning, linked to its page; the matrix; no exempt unit.
    let findings = &html[html.find("id=\"findings-list\"").expect("findings")..];
    assert!(findings.contains("wei-jian-ju-q1.md:5:1: warning: period `2024-Q1`"));
    assert!(findings.contains("<a href=\"/cw/reports/wei-jian-ju-q1/\">查看页面</a>"));
    // What only `check` finds (text and `stats:` disagree) is there too.
    assert!(findings.contains("tao-le-q2.md:13:15: warning: the text says 横幅 6条"));
    assert!(html.contains("<caption>每季度报送</caption>") && html.contains(">陶乐镇</a></th>"));
    let matrix =
        &html[html.find("id=\"reporting\"").unwrap()..html.find("id=\"findings\"").unwrap()];
    assert!(!matrix.contains("通伏乡"), "the exempt unit has a row");
    assert!(html.contains("/__jianbao/events"), "no live-reload client");
    // The background audit's findings fill in their section.
    let start = Instant::now();
    let audited = loop {
        let html = desk(&s);
        if html.contains("id=\"audit-summary\"") {
            break html;
        }
        assert!(start.elapsed() < BOUND, "no audit on the desk:\n{html}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let audit = &audited[audited.find("id=\"audit-findings\"").unwrap()..];
    assert!(audit.contains("error[identity]"), "{audit}");
    assert!(audit.contains("warning[missing-source]"), "{audit}");
    let log = std::fs::read_to_string(site.root().join("serve.log")).unwrap();
    let said = format!(
        "editor's desk (preview only): http://127.0.0.1:{}{DESK}",
        s.port
    );
    assert!(log.contains(&said), "{log}");
    // Only under the base path, and linked from nowhere public.
    assert_eq!(s.get("/_desk/").unwrap().status, 404);
    assert!(!s.get("/cw/").unwrap().text().contains("_desk"));

    // An edit updates the desk and tells open pages to reload.
    let mut sse = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    sse.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    sse.write_all(b"GET /__jianbao/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut buf = String::new();
    wait_event(&mut sse, &mut buf, "event: hello");
    // `hello` tells the key of the findings served, so a desk that loaded
    // just before they came (and missed the `desk` event) reloads.
    let key = audited[audited.find("data-audit=\"").expect("a findings key") + 12..]
        .split('"')
        .next()
        .unwrap();
    assert!(key.len() == 16 && !by_id(&audited, "audit-summary").is_empty());
    assert!(buf.contains(&format!("\"desk\":\"{key}\"")), "{buf}");
    pass_review(&site);
    wait_event(&mut sse, &mut buf, "_desk/index.html");
    let start = Instant::now();
    let html = loop {
        let html = desk(&s);
        if by_id(&html, "count-pending") == "1" {
            break html;
        }
        assert!(
            start.elapsed() < BOUND,
            "the desk did not follow the edit:\n{html}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        !html.contains("崇岗镇2024年第一季度创卫工作总结"),
        "still listed:\n{html}"
    );
    drop(s);

    // `build` never writes it, with or without drafts.
    for extra in [&[][..], &["--drafts"][..]] {
        let out = site.build_ok(extra);
        let files = out.list();
        assert!(files.iter().all(|f| !f.contains("_desk")), "{files:#?}");
        assert!(files.iter().all(|f| {
            !std::fs::read(out.dir.join(f))
                .unwrap()
                .windows(5)
                .any(|w| w == b"_desk")
        }));
    }
}

#[test]
fn a_real_browser_sees_the_desk_update_by_itself() {
    let Some(exe) = cdp::chromium() else {
        if common::browser_required() {
            panic!("JIANBAO_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)");
        }
        eprintln!("SKIPPED a_real_browser_sees_the_desk_update_by_itself: chromium not found");
        return;
    };
    let site = Site::new("desk");
    let s = Server::start(&site.root(), "/cw/");
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    let url = format!("http://127.0.0.1:{}{DESK}", s.port);
    page.call("Page.navigate", serde_json::json!({ "url": url }));
    let count = "document.getElementById('count-pending') && document.getElementById('count-pending').innerText";
    page.wait_for("the desk to load", &format!("{count} === '2'"), BOUND);
    page.wait_for(
        "the live-reload client to connect",
        "window.__jianbaoConnected === true",
        BOUND,
    );
    // The background audit's findings arrive by themselves.
    page.wait_for(
        "the audit's findings",
        "!!document.getElementById('audit-summary')",
        BOUND,
    );
    page.wait_for(
        "the live-reload client to connect",
        "window.__jianbaoConnected === true",
        BOUND,
    );
    page.eval("window.__notReloaded = true");
    pass_review(&site);
    page.wait_for(
        "the desk to reload with one document left to review",
        &format!("{count} === '1' && window.__notReloaded === undefined && !document.body.innerText.includes('崇岗镇2024年第一季度')"),
        BOUND,
    );
    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
