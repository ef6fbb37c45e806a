//! `jianbao serve` end to end: the real binary on a copy of
//! tests/fixtures/serve-site, driven over HTTP on 127.0.0.1 only.

mod common;

use common::cdp;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(5);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `jianbao serve`; killed when dropped.
struct Serve {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    head: String,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends raw bytes, returns what came back (possibly nothing).
fn raw(port: u16, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(BOUND))?;
    s.set_write_timeout(Some(BOUND))?;
    s.write_all(request)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(out)
}

fn parse(bytes: &[u8]) -> Option<Resp> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Resp {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}

fn request(port: u16, method: &str, path: &str) -> Option<Resp> {
    let req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    parse(&raw(port, req.as_bytes()).ok()?)
}

fn get(port: u16, path: &str) -> Resp {
    request(port, "GET", path).unwrap_or_else(|| panic!("no response for GET {path}"))
}

/// Polls `f` until it returns true or the bound passes; returns the wait.
fn wait_until(what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < BOUND {
        if f() {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out after {BOUND:?} waiting for {what}");
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve-site")
}

impl Serve {
    /// Copies the fixture, lets `prepare` change it, starts the server and
    /// waits until it answers.
    fn start_with(prepare: impl FnOnce(&Path)) -> Serve {
        Serve::start_args(prepare, &[])
    }

    /// [`Serve::start_with`], `args` added to the command line.
    fn start_args(prepare: impl FnOnce(&Path), args: &[&str]) -> Serve {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(), dir.path());
        prepare(dir.path());
        let port = free_port();
        let child = common::serve::spawn_with(dir.path(), port, args);
        let s = Serve { child, port, dir };
        // A large site's first build may take longer than BOUND.
        let start = Instant::now();
        while request(port, "GET", "/cw/").is_none() {
            assert!(start.elapsed() < 12 * BOUND, "no answer:\n{}", s.log());
            std::thread::sleep(Duration::from_millis(25));
        }
        s
    }

    fn start() -> Serve {
        Serve::start_with(|_| {})
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn get(&self, path: &str) -> Resp {
        get(self.port, path)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    /// Opens the live-reload stream and waits for its greeting.
    fn events(&self) -> Sse {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        s.write_all(b"GET /__jianbao/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let mut sse = Sse {
            stream: s,
            buf: String::new(),
            seen: 0,
        };
        sse.wait_for("event: hello");
        sse
    }

    /// Writes a file the way editors do: to a temp file, then renamed over.
    fn save(&self, rel: &str, text: &str) {
        let target = self.path(rel);
        let tmp = target.with_file_name(format!(
            ".{}.tmp",
            target.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &target).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        assert!(text.contains(from), "{rel} lacks {from}");
        self.save(rel, &text.replace(from, to));
    }
}

/// A raw Server-Sent Events reader.
struct Sse {
    stream: TcpStream,
    buf: String,
    /// How far `wait_for` has consumed.
    seen: usize,
}

impl Sse {
    /// Waits for `needle` after what was already matched; returns the text
    /// from there up to the end of that event.
    fn wait_for(&mut self, needle: &str) -> String {
        let start = Instant::now();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(i) = self.buf[self.seen..].find(needle) {
                let from = self.seen + i;
                if let Some(end) = self.buf[from..].find("\n\n") {
                    self.seen = from + end + 2;
                    return self.buf[from..from + end].to_string();
                }
            }
            assert!(
                start.elapsed() < BOUND,
                "no `{needle}` within {BOUND:?}; stream so far:\n{}",
                self.buf
            );
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("event stream closed; got:\n{}", self.buf),
                Ok(n) => self.buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }
}

#[test]
fn serves_the_site_under_the_base_path() {
    let s = Serve::start();
    let home = s.get("/cw/");
    assert_eq!(home.status, 200, "{}", s.log());
    assert!(home.body.contains("测试县创卫信息平台"));
    assert!(
        home.body.contains("/__jianbao/events"),
        "live-reload client injected"
    );
    assert_eq!(
        home.header("Content-Type").as_deref(),
        Some("text/html; charset=utf-8")
    );

    let root = s.get("/");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("Location").as_deref(), Some("/cw/"));
    assert_eq!(s.get("/cw").header("Location").as_deref(), Some("/cw/"));
    let slashless = s.get("/cw/reports/tao-le-2024");
    assert_eq!(slashless.status, 301);
    assert_eq!(
        slashless.header("Location").as_deref(),
        Some("/cw/reports/tao-le-2024/")
    );

    let report = s.get("/cw/reports/tao-le-2024/");
    assert_eq!(report.status, 200);
    assert!(report.body.contains("ORIGINAL-MARKER"));
    // Links point at this server, under the base path.
    let feed = s.get("/cw/feed.xml");
    let feed_text = feed.body.replace("&#x2F;", "/");
    assert!(
        feed_text.contains(&format!(
            "http://127.0.0.1:{}/cw/reports/tao-le-2024/",
            s.port
        )),
        "{}",
        feed.body
    );
    assert!(feed
        .header("Content-Type")
        .unwrap()
        .starts_with("application/xml"));
    assert!(s
        .get("/cw/style.css")
        .header("Content-Type")
        .unwrap()
        .starts_with("text/css"));
    assert!(s
        .get("/cw/site.js")
        .header("Content-Type")
        .unwrap()
        .starts_with("text/javascript"));

    let head = request(s.port, "HEAD", "/cw/").unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), home.header("Content-Length"));

    let missing = s.get("/cw/reports/no-such-report/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("<html"),
        "the site's 404.html is served"
    );
    assert_eq!(s.get("/elsewhere/").status, 404);
    assert_eq!(request(s.port, "POST", "/cw/").unwrap().status, 405);
}

#[test]
fn edits_and_deletions_show_up_and_pages_reload() {
    let s = Serve::start();
    let mut events = s.events();
    assert_eq!(s.get("/cw/reports/tao-le-2023/").status, 200);

    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "EDITED-MARKER",
    );
    let took = wait_until("the edit to be served", || {
        s.get("/cw/reports/tao-le-2024/")
            .body
            .contains("EDITED-MARKER")
    });
    let ev = events.wait_for("event: reload");
    assert!(ev.contains("reports/tao-le-2024/index.html"), "{ev}");
    eprintln!("edit served after {took:?}");

    std::fs::remove_file(s.path("content/reports/tao-le-2023.md")).unwrap();
    wait_until("the deleted report to 404", || {
        s.get("/cw/reports/tao-le-2023/").status == 404
    });
    events.wait_for("event: reload");
    assert!(
        !s.get("/cw/reports/").body.contains("tao-le-2023"),
        "list no longer links it"
    );

    // Temp files editors leave behind never trigger a build.
    let before = s.log().matches("changed:").count();
    std::fs::write(s.path("content/reports/.tao-le-2024.md.swp"), "junk").unwrap();
    std::fs::write(s.path("content/reports/tao-le-2024.md~"), "junk").unwrap();
    std::fs::write(s.path("content/reports/4913"), "").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(s.log().matches("changed:").count(), before, "{}", s.log());
}

#[test]
fn a_rebuild_prints_only_new_warnings_and_counts_the_rest() {
    let old = "\u{6a2a}\u{5e45}9\u{6761}"; // 横幅9条 against `横幅: 8`
    let s = Serve::start_with(|dir| {
        let f = dir.join("content/reports/tao-le-2024.md");
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(
            &f,
            text.replace(
                "清理垃圾600多吨。",
                &format!("清理垃圾600多吨，悬挂{old}。"),
            ),
        )
        .unwrap();
    });
    let mut events = s.events();
    let says = |w: &str| s.log().matches(w).count();
    assert_eq!(
        says("横幅 9条"),
        1,
        "the first build prints it:\n{}",
        s.log()
    );

    // An edit elsewhere: the warning is counted, not repeated.
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "EDITED-MARKER",
    );
    events.wait_for("event: reload");
    wait_until("the rebuild's summary", || says("not repeated") == 1);
    assert_eq!(says("横幅 9条"), 1, "{}", s.log());
    assert!(
        s.log()
            .contains("1 warning(s) unchanged since the last build"),
        "{}",
        s.log()
    );
    assert!(s.log().contains("/cw/_desk/"), "{}", s.log());

    // A new warning is printed, the old one still only counted.
    s.edit(
        "content/reports/tao-le-2024.md",
        "EDITED-MARKER",
        "EDITED-MARKER，横幅7条",
    );
    events.wait_for("event: reload");
    wait_until("the new warning", || says("横幅 7条") == 1);
    assert_eq!(says("横幅 9条"), 1, "{}", s.log());
}

/// The first build goes in batches, as `build`'s, and pages are answered
/// before the caches are filled: `--timings` prints the first build's
/// phases (`documents`, not `markdown`) before the "serving" line, the
/// warm-up's after it. The warm-up says nothing when nothing changed: no
/// "rebuilt" line, no count of unchanged warnings.
#[test]
fn pages_are_answered_before_the_warm_up_which_says_nothing() {
    let s = Serve::start_args(
        |dir| {
            let f = dir.join("content/reports/tao-le-2024.md");
            let text = std::fs::read_to_string(&f).unwrap();
            let text = text.replace("清理垃圾600多吨。", "清理垃圾600多吨，悬挂横幅9条。");
            std::fs::write(&f, text).unwrap();
        },
        &["--timings"],
    );
    // The audit line follows the warm-up.
    wait_until("the audit line", || s.log().contains("audit:"));
    let log = s.log();
    let at = |what: &str| {
        log.find(what)
            .unwrap_or_else(|| panic!("no `{what}`:\n{log}"))
    };
    let serving = at("serving http");
    assert!(at("ms: warm-up") > serving, "{log}");
    let (first, warm) = log.split_at(serving);
    assert!(
        first.contains("documents") && !first.contains("markdown"),
        "{log}"
    );
    assert!(warm.contains("markdown"), "the warm-up's phases:\n{log}");
    assert_eq!(log.matches("横幅 9条").count(), 1, "{log}");
    assert!(
        !log.contains("rebuilt") && !log.contains("not repeated"),
        "{log}"
    );
    assert!(s
        .get("/cw/reports/tao-le-2024/")
        .body
        .contains("ORIGINAL-MARKER"));
}

/// A save made while the warm-up runs waits for it, then is rebuilt and
/// served, and open pages reload.
#[test]
fn a_save_during_the_warm_up_is_served() {
    let s = Serve::start_args(
        |dir| {
            // Enough reports for a warm-up of a second or more.
            for i in 0..2000 {
                let path = dir.join(format!("content/reports/gen/gen-{i:04}.md"));
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let body = "这是一段较长的正文，用于测试。".repeat(20);
                let text = format!(
                    "---\ntitle: 生成的总结{i}\nunit: 陶乐镇\ndate: 2023-{:02}-{:02}\ntags: [标签{}]\n---\n{body}\n",
                    i % 12 + 1,
                    i % 28 + 1,
                    i % 7
                );
                std::fs::write(path, text).unwrap();
            }
        },
        &["--timings"],
    );
    let mut events = s.events();
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "EARLY-MARKER",
    );
    assert!(
        !s.log().contains("ms: warm-up"),
        "the warm-up was over before the save:\n{}",
        s.log()
    );
    let start = Instant::now();
    while !s
        .get("/cw/reports/tao-le-2024/")
        .body
        .contains("EARLY-MARKER")
    {
        assert!(start.elapsed() < Duration::from_secs(60), "{}", s.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    events.wait_for("event: reload");
    // The save is rebuilt after the warm-up, which it waited for. On a
    // loaded machine the warm-up may have read it already (then a rebuild
    // the watcher asks for after changes nothing), or failed for the file
    // changing under it (then it says nothing and the save's rebuild,
    // logged `changed:`, follows).
    let log = s.log();
    match (log.find("ms: warm-up"), log.find("changed:")) {
        (Some(warm), Some(changed)) => assert!(warm < changed, "before the warm-up:\n{log}"),
        (None, None) => panic!("neither a warm-up nor a rebuild:\n{log}"),
        _ => {}
    }
}

#[test]
fn saves_in_a_row_are_audited_once_they_settle() {
    let s = Serve::start();
    let mut events = s.events();
    let audits = || s.log().matches("] audit: ").count();
    wait_until("the first build's audit line", || audits() == 1);
    // Four saves a quarter of a second apart, each rebuilt and reloaded:
    // the audit line waits for a second without builds, then runs once.
    for i in 0..4 {
        s.edit(
            "content/reports/tao-le-2024.md",
            "ORIGINAL-MARKER",
            &format!("ORIGINAL-MARKER{i}"),
        );
        events.wait_for("event: reload");
        std::thread::sleep(Duration::from_millis(250));
    }
    wait_until("the burst's audit line", || audits() >= 2);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(audits() <= 3, "one audit per save:\n{}", s.log());
}

#[test]
fn the_audit_line_keeps_counting_unchanged_files_wording() {
    let s = Serve::start_with(|dir| {
        let f = dir.join("content/reports/wei-jian-2024.md");
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, text.replace("开展健康教育", "截止目前开展健康教育")).unwrap();
    });
    let mut events = s.events();
    // The count of the newest audit line.
    let warnings = || {
        let log = s.log();
        let line = log
            .lines()
            .rev()
            .find(|l| l.contains("] audit: "))?
            .to_string();
        let n = line.split(" error(s), ").nth(1)?.split(' ').next()?;
        n.parse::<usize>().ok()
    };
    let audits = || s.log().matches("] audit: ").count();
    wait_until("the first audit line", || audits() == 1);
    let first = warnings().unwrap();
    // Another file changes: the wording warning of the unchanged one stays.
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "EDITED-MARKER",
    );
    events.wait_for("event: reload");
    wait_until("the second audit line", || audits() == 2);
    assert_eq!(warnings(), Some(first), "{}", s.log());
    // Fixed where it was written: one warning fewer.
    s.edit("content/reports/wei-jian-2024.md", "截止目前", "截至目前");
    events.wait_for("event: reload");
    wait_until("the third audit line", || audits() == 3);
    assert_eq!(warnings(), Some(first - 1), "{}", s.log());
}

#[test]
fn css_change_swaps_stylesheets_only() {
    let s = Serve::start();
    let mut events = s.events();
    s.edit("static/extra.css", "#123456", "#654321");
    let ev = events.wait_for("event: css");
    assert!(ev.contains("extra.css"), "{ev}");
    assert!(s.get("/cw/extra.css").body.contains("#654321"));
    assert!(!events.buf[events.seen..].contains("event: reload"));
}

#[test]
fn a_broken_file_keeps_the_last_good_site_and_shows_the_error() {
    let s = Serve::start();
    let mut events = s.events();
    events.wait_for("event: ok");
    s.edit(
        "content/reports/tao-le-2024.md",
        "unit: 陶乐镇",
        "unit: 不存在的镇 <b>",
    );
    let ev = events.wait_for("event: error");
    assert!(ev.contains("content/reports/tao-le-2024.md:3:"), "{ev}");
    assert!(
        ev.contains("不存在的镇 <b>"),
        "JSON carries the raw text; the client escapes it: {ev}"
    );
    let page = s.get("/cw/reports/tao-le-2024/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("ORIGINAL-MARKER"),
        "last good page still served"
    );
    assert!(
        s.log().contains("tao-le-2024.md:3:"),
        "terminal shows it: {}",
        s.log()
    );

    // A client connecting now learns about the error at once.
    let mut late = s.events();
    late.wait_for("event: error");

    s.edit(
        "content/reports/tao-le-2024.md",
        "unit: 不存在的镇 <b>",
        "unit: 陶乐镇",
    );
    events.wait_for("event: ok");
    late.wait_for("event: ok");
}

#[test]
fn a_failing_first_build_is_served_as_an_error_page_until_fixed() {
    let s = Serve::start_with(|dir| {
        let p = dir.join("content/reports/wei-jian-2024.md");
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("banners: 12", "banners: <script>alert(1)</script>");
        std::fs::write(p, text).unwrap();
    });
    let page = s.get("/cw/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("wei-jian-2024.md"), "{}", page.body);
    assert!(!page.body.contains("<script>alert(1)"), "escaped");
    assert!(page.body.contains("/__jianbao/events"));
    let mut events = s.events();
    events.wait_for("event: error");
    s.edit(
        "content/reports/wei-jian-2024.md",
        "banners: <script>alert(1)</script>",
        "banners: 12",
    );
    events.wait_for("event: ok");
    events.wait_for("event: reload");
    assert_eq!(s.get("/cw/").status, 200);
}

#[test]
fn requests_outside_the_site_get_404_and_never_crash_the_server() {
    let s = Serve::start();
    for path in [
        "/../Cargo.toml",
        "/cw/../../Cargo.toml",
        "/%2e%2e/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/cw/%2e%2e/site.yaml",
        "/..%2f..%2fCargo.toml",
        "/cw/..%2f..%2fsite.yaml",
        "/cw/..\\..\\site.yaml",
        "/cw/%5c..%5csite.yaml",
        "/cw/%00",
        "/cw/index.html%00.css",
        "/cw/%ff%fe",
        "/cw/./index.html",
    ] {
        let r = get(s.port, path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(
            !r.body.contains("[package]") && !r.body.contains("base_url"),
            "{path} leaked a file"
        );
    }
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET /cw/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET cw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"\x00\x01\x02\xff\r\n\r\n",
        b"GET /cw/ HTTP/9.9\r\n\r\n",
        b"GET /cw/ HTTP/1.1\r\nBroken header line\r\n\r\n",
        b"GET /\xe4\xb8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ] {
        if let Ok(bytes) = raw(s.port, garbage) {
            if let Some(r) = parse(&bytes) {
                assert!(
                    r.status >= 300,
                    "{:?} got {}",
                    String::from_utf8_lossy(garbage),
                    r.status
                );
            }
        }
    }
    // Half a request, then hang up.
    drop(
        TcpStream::connect(("127.0.0.1", s.port))
            .unwrap()
            .write_all(b"GET /cw/ HT"),
    );
    assert_eq!(s.get("/cw/").status, 200, "server still alive");
}

#[test]
fn concurrent_requests_during_a_rebuild_all_succeed() {
    let s = Serve::start();
    let n = 200;
    let barrier = Arc::new(Barrier::new(n + 1));
    let port = s.port;
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                // Spread over a few pages, staggered to overlap the rebuilds.
                std::thread::sleep(Duration::from_millis((i % 40) as u64 * 15));
                let path = [
                    "/cw/",
                    "/cw/reports/wei-jian-2024/",
                    "/cw/style.css",
                    "/cw/units/",
                ][i % 4];
                request(port, "GET", path).map(|r| r.status)
            })
        })
        .collect();
    let mut events = s.events();
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "BUSY-MARKER",
    );
    barrier.wait();
    let statuses: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    events.wait_for("event: reload");
    let bad: Vec<_> = statuses
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != Some(200))
        .collect();
    assert!(bad.is_empty(), "failed requests: {bad:?}");
    assert!(s
        .get("/cw/reports/tao-le-2024/")
        .body
        .contains("BUSY-MARKER"));
}

/// Every file below `dir`, relative, with `/` separators.
fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// Removes the injected live-reload client from an HTML page.
fn strip_client(html: &str) -> String {
    match html.find("<script data-jianbao-livereload>") {
        Some(start) => {
            let end = start + html[start..].find("</script>").unwrap() + "</script>".len();
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

#[test]
fn after_a_sequence_of_edits_the_served_site_equals_a_fresh_build() {
    let s = Serve::start();
    let mut events = s.events();
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "SEQUENCE-MARKER",
    );
    events.wait_for("event: reload");
    std::fs::rename(
        s.path("content/reports/tao-le-2023.md"),
        s.path("content/reports/tao-le-2023-renamed.md"),
    )
    .unwrap();
    events.wait_for("event: reload");
    s.save(
        "content/reports/new-one.md",
        "---\ntitle: 新增的总结\nunit: 县卫健局\ndate: 2024-06-01\ntags: [新标签]\n---\n新内容。\n",
    );
    events.wait_for("event: reload");
    s.edit("site.yaml", "paginate: 10", "paginate: 2");
    events.wait_for("event: reload");

    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .args(["build", "--root"])
        .arg(s.dir.path())
        .arg("--output")
        .arg(out.path().join("public"))
        .args(["--base-url", &format!("http://127.0.0.1:{}/cw/", s.port)])
        .env("LC_ALL", "C")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let built = files_below(&out.path().join("public"));
    assert!(
        built.contains(&"reports/tao-le-2023-renamed/index.html".to_string()),
        "{built:?}"
    );
    assert!(
        built.contains(&"reports/page/2/index.html".to_string()),
        "{built:?}"
    );
    for f in &built {
        let url = format!("/cw/{}", f.strip_suffix("index.html").unwrap_or(f));
        let served = s.get(&url);
        assert_eq!(served.status, 200, "{url}");
        let want = std::fs::read(out.path().join("public").join(f)).unwrap();
        let want = String::from_utf8_lossy(&want);
        assert!(
            strip_client(&served.body) == want,
            "{url} differs from a fresh build"
        );
    }
    assert_eq!(
        s.get("/cw/reports/tao-le-2023/").status,
        404,
        "the old name is gone"
    );
}

#[test]
fn a_busy_port_moves_to_the_next_one_and_says_so() {
    let (busy, port) = loop {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = l.local_addr().unwrap().port();
        if p < u16::MAX - 20 && TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            break (l, p);
        }
    };
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let child = common::serve::spawn(dir.path(), port);
    let s = Serve {
        child,
        port: port + 1,
        dir,
    };
    wait_until("the server on the next port", || {
        request(s.port, "GET", "/cw/").is_some_and(|r| r.status == 200)
    });
    let log = s.log();
    assert!(
        log.contains(&format!("port {port} is busy, using {}", port + 1)),
        "{log}"
    );
    assert!(
        log.contains(&format!("http://127.0.0.1:{}/cw/", port + 1)),
        "{log}"
    );
    drop(busy);
}

#[test]
fn a_real_browser_reloads_swaps_css_and_shows_the_overlay() {
    let Some(exe) = cdp::chromium() else {
        if std::env::var_os("JIANBAO_REQUIRE_BROWSER").is_some() {
            panic!("JIANBAO_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)");
        }
        eprintln!("SKIPPED a_real_browser_reloads_swaps_css_and_shows_the_overlay: chromium not found (set JIANBAO_REQUIRE_BROWSER=1 to make this a failure)");
        return;
    };
    // The site's static/style.css wins over the theme's: the theme's rules
    // plus a probe property the test can read back.
    let theme_css = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css"),
    )
    .unwrap();
    let s = Serve::start_with(|dir| {
        std::fs::write(
            dir.join("static/style.css"),
            format!("{theme_css}\n:root {{ --jb-probe: one; }}\n"),
        )
        .unwrap();
    });
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    let url = format!("http://127.0.0.1:{}/cw/reports/tao-le-2024/", s.port);
    page.call("Page.navigate", serde_json::json!({ "url": url }));
    let probe = "getComputedStyle(document.documentElement).getPropertyValue('--jb-probe').trim()";
    page.wait_for("the page to load", &format!("document.readyState === 'complete' && document.body.innerText.includes('ORIGINAL-MARKER') && {probe} === 'one'"), BOUND);
    page.wait_for(
        "the live-reload client to connect",
        "window.__jianbaoConnected === true",
        BOUND,
    );

    // 1. A content edit reloads the page by itself.
    page.eval("window.__notReloaded = true");
    s.edit(
        "content/reports/tao-le-2024.md",
        "ORIGINAL-MARKER",
        "EDITED-MARKER",
    );
    let took = page.wait_for(
        "the page to reload with the edit",
        "document.readyState === 'complete' && document.body.innerText.includes('EDITED-MARKER') && window.__notReloaded === undefined",
        BOUND,
    );
    eprintln!("browser showed the edit after {took:?}");
    page.wait_for(
        "the live-reload client to reconnect",
        "window.__jianbaoConnected === true",
        BOUND,
    );

    // 2. A CSS edit applies without a reload.
    page.eval("window.__notReloaded = true");
    s.edit("static/style.css", "--jb-probe: one", "--jb-probe: two");
    page.wait_for(
        "the stylesheet to be swapped",
        &format!("{probe} === 'two'"),
        BOUND,
    );
    assert_eq!(
        page.eval("window.__notReloaded === true"),
        serde_json::Value::Bool(true),
        "CSS change must not reload the page"
    );

    // 3. A broken file shows the overlay over the last good page; fixing it removes it.
    s.edit(
        "content/reports/tao-le-2024.md",
        "unit: 陶乐镇",
        "unit: 不存在的镇",
    );
    page.wait_for(
        "the error overlay",
        "!!document.getElementById('jianbao-error-overlay') && document.getElementById('jianbao-error-overlay').innerText.includes('tao-le-2024.md:3:')",
        BOUND,
    );
    assert_eq!(
        page.eval("document.body.innerText.includes('EDITED-MARKER')"),
        serde_json::Value::Bool(true)
    );
    s.edit(
        "content/reports/tao-le-2024.md",
        "unit: 不存在的镇",
        "unit: 陶乐镇",
    );
    page.wait_for(
        "the overlay to go",
        "!document.getElementById('jianbao-error-overlay')",
        BOUND,
    );

    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// The folders of preview stores (`jianbao-serve-*`) in `tmp`.
fn stores_in(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("jianbao-serve-"))
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn the_store_on_disk_holds_the_site_and_goes_when_stopped() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), site.path());
    let tmp = tempfile::tempdir().unwrap();
    // A store left by a killed serve (no process has this id).
    let stale = tmp.path().join("jianbao-serve-4294967-1");
    std::fs::create_dir_all(stale.join("00")).unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .args(["serve", "--root"])
        .arg(site.path())
        .args(["--port", &port.to_string()])
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the server to answer", || {
        request(port, "GET", "/cw/").is_some()
    });
    // The stale store is removed in the background.
    wait_until("one store, the stale one removed", || {
        stores_in(tmp.path()).len() == 1
    });
    let stores = stores_in(tmp.path());
    // A page served is a file of the store, as built.
    let page = get(port, "/cw/reports/");
    assert_eq!(page.status, 200);
    let stored: Vec<String> = files_below(&stores[0])
        .iter()
        .map(|f| std::fs::read_to_string(stores[0].join(f)).unwrap_or_default())
        .collect();
    assert!(stored.len() > 20, "{} files stored", stored.len());
    assert!(stored.contains(&strip_client(&page.body)));
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let _ = child.wait();
    assert_eq!(stores_in(tmp.path()), Vec::<PathBuf>::new());
}
