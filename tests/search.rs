//! Search: the index files a build writes for `tests/fixtures/search-site`,
//! and the `/search/` page driven in headless Chromium over DevTools.

mod common;

use common::http::serve_static;
use common::{cdp, Site};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a LEB128 varint at `*p`.
fn varint(b: &[u8], p: &mut usize) -> u64 {
    let (mut x, mut shift) = (0u64, 0);
    loop {
        let c = b[*p];
        *p += 1;
        x |= u64::from(c & 0x7f) << shift;
        if c < 0x80 {
            return x;
        }
        shift += 7;
    }
}

/// A token's postings: [(doc id, fields, tf)].
type Postings = Vec<(u64, u64, u64)>;

/// A postings shard file: its tokens in order, each with its postings.
fn shard(b: &[u8]) -> Vec<(String, Postings)> {
    let mut p = 0;
    let n = varint(b, &mut p);
    let mut table = Vec::new();
    for _ in 0..n {
        let len = varint(b, &mut p) as usize;
        let token = std::str::from_utf8(&b[p..p + len]).expect("UTF-8 token");
        p += len;
        table.push((token.to_string(), varint(b, &mut p) as usize));
    }
    let mut out = Vec::new();
    for (token, len) in table {
        let (end, mut id) = (p + len, 0);
        let mut list = Vec::new();
        while p < end {
            let c = varint(b, &mut p);
            id += c / 4;
            let e = match c % 4 {
                k @ 0..=2 => (k + 1) * 16 + BODY,
                _ => {
                    p += 1;
                    u64::from(b[p - 1])
                }
            };
            list.push((id, e & 15, e >> 4));
        }
        assert_eq!(p, end, "{token}: postings end where the table says");
        out.push((token, list));
    }
    assert_eq!(p, b.len(), "nothing after the postings");
    out
}

/// All postings shards merged: token → postings.
fn postings(public: &Path) -> BTreeMap<String, Postings> {
    let mut all = BTreeMap::new();
    let dir = public.join("search/idx");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("search/idx/") {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().unwrap(), "bin", "{}", path.display());
        let tokens = shard(&std::fs::read(&path).unwrap());
        assert!(
            tokens.windows(2).all(|w| w[0].0 < w[1].0),
            "{}: tokens in order",
            path.display()
        );
        n += 1;
        for (token, list) in tokens {
            assert!(!list.is_empty(), "{token}: no empty postings");
            assert!(all.insert(token.clone(), list).is_none(), "{token} twice");
        }
    }
    let meta = read_json(&public.join("search/docs.json"));
    assert_eq!(meta["v"], 3);
    assert_eq!(
        n,
        1 << meta["bits"].as_u64().unwrap(),
        "shard files vs bits"
    );
    all
}

/// Text chunk `n`: gzipped JSON rows.
fn text_chunk(public: &Path, n: usize) -> Value {
    let gz = std::fs::read(public.join(format!("search/text/{n}.bin"))).unwrap();
    assert_eq!(&gz[..2], [0x1f, 0x8b], "chunk {n} is gzip");
    let size = u32::from_le_bytes(gz[gz.len() - 4..].try_into().unwrap()) as usize;
    let mut json = vec![0; size];
    let got = libdeflater::Decompressor::new()
        .gzip_decompress(&gz, &mut json)
        .unwrap();
    assert_eq!(got, size);
    serde_json::from_slice(&json).unwrap()
}

const TITLE: u64 = 1;
const UNIT: u64 = 2;
const TAGS: u64 = 4;
const BODY: u64 = 8;

#[test]
fn search_index_lists_published_documents_and_their_tokens() {
    let site = Site::new("search-site");
    let out = site.build_ok(&[]);
    let meta = read_json(&out.dir.join("search/docs.json"));
    assert_eq!(meta["kinds"], json!(["报告", "文章", "页面", "单位"]));
    let units: Vec<&str> = meta["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    let unit = |u: &str| units.iter().position(|x| *x == u).unwrap() as u64 + 1;
    // Newest first; (unit + 1) * 4 + kind.
    let unit_pages = (1..=units.len() as u64).map(|u| u * 4 + 3);
    let expected: Vec<u64> = [
        unit("陶乐镇") * 4,
        unit("营根镇") * 4,
        unit("营根镇") * 4 + 1,
        1,
        2,
    ]
    .into_iter()
    .chain(unit_pages)
    .collect();
    assert_eq!(
        meta["ku"],
        json!(expected),
        "reports and articles by date, then the page, then the units' own pages; the draft left out"
    );
    let chunk = meta["chunk"].as_u64().unwrap() as usize;
    let mut rows = Vec::new();
    for n in 0..(5 + units.len()).div_ceil(chunk) {
        let c = text_chunk(&out.dir, n);
        rows.extend(c.as_array().unwrap().iter().cloned());
    }
    let titles: Vec<&str> = rows.iter().map(|d| d[0].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "陶乐镇2024年创卫工作总结",
            "营根镇2024年爱国卫生工作总结",
            "夏季灭蚊小常识",
            "手足口病的预防",
            "关于本站"
        ]
        .iter()
        .copied()
        .chain(units.iter().copied())
        .collect::<Vec<_>>()
    );
    let tao = &rows[0];
    assert_eq!(tao[1], "reports/tao-le-zhen-2024/");
    assert_eq!(tao[2], "2024-12-20");
    assert_eq!(tao[3], json!(["环境整治", "门前五包"]));
    let text = tao[4].as_str().unwrap();
    assert!(text.starts_with("一年来，陶乐镇采取专项治理"), "{text}");
    assert!(!text.contains('\n'), "whitespace collapsed");
    assert_eq!(rows[4][1], "about/");
    assert_eq!(rows[4][2], "", "a page has no date");

    let p = postings(&out.dir);
    let ids = |t: &str| -> Vec<u64> {
        p.get(t)
            .unwrap_or_else(|| panic!("no token {t}"))
            .iter()
            .map(|x| x.0)
            .collect()
    };
    for t in ["门前", "前五", "五包"] {
        let list = &p[t];
        assert_eq!(list.len(), 1, "{t}: {list:?}");
        assert_eq!(list[0].0, 0);
        assert_eq!(list[0].1, TAGS | BODY, "{t} is in a tag and the body");
    }
    assert_eq!(ids("gb7792"), [0]);
    assert_eq!(ids("albopictus"), [2], "Latin words lower-cased");
    assert_eq!(ids("灭蚊"), [0, 1, 2]);
    let title_hit = p["手足"].iter().find(|x| x.0 == 3).unwrap();
    assert_eq!(
        title_hit.1,
        TITLE | BODY,
        "手足口病 in title and body, not in tags"
    );
    assert_eq!(p["陶乐"][0].1 & UNIT, UNIT, "unit names are indexed");
    assert!(ids("2024").contains(&1), "the year is searchable");
    assert!(!p.contains_key("火星"), "the draft's words are not indexed");
    assert!(!p.contains_key("GB7792"));

    let page = out.read("search/");
    for needle in [
        r#"src="/cw/search.js""#,
        r#"data-index="/cw/search/""#,
        r#"aria-live="polite""#,
        r#"<label for="search-q">"#,
        "<noscript>",
    ] {
        assert!(page.contains(needle), "search page lacks {needle}:\n{page}");
    }
    assert!(out.exists("search.js"));
}

#[test]
fn search_drafts_are_indexed_only_with_drafts_flag() {
    let site = Site::new("search-site");
    let out = site.build_ok(&["--drafts"]);
    let p = postings(&out.dir);
    assert!(
        p.contains_key("火星"),
        "a --drafts preview searches drafts too"
    );
}

#[test]
fn search_off_writes_no_index_and_no_page() {
    let site = Site::new("search-site");
    site.append("site.yaml", "search: false\n");
    let out = site.build_ok(&[]);
    assert!(!out.dir.join("search").exists());
    assert!(!out.read("").contains("/cw/search/"), "no search links");
}

// ---------------------------------------------------------------- browser

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the result list shows: [(href, title HTML, snippet HTML)].
const RESULTS_JS: &str = r#"JSON.stringify(Array.from(document.querySelectorAll('#search-results > li')).map(li => [li.querySelector('a').getAttribute('href'), li.querySelector('a').innerHTML, (li.querySelector('.result-snippet') || {innerHTML: ''}).innerHTML]))"#;
const DONE_JS: &str = "document.getElementById('search-app').dataset.state === 'done'";

fn results(page: &mut cdp::Page) -> Vec<(String, String, String)> {
    let v = page.eval(RESULTS_JS);
    serde_json::from_str(v.as_str().expect("results JSON")).unwrap()
}

fn status(page: &mut cdp::Page) -> String {
    page.eval("document.getElementById('search-status').textContent")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Loads `/cw/search/?q=…` and waits until the results are shown; returns the time that took.
fn open(page: &mut cdp::Page, port: u16, query: &str) -> Duration {
    let url = format!("http://127.0.0.1:{port}/cw/search/?q={}", url_encode(query));
    let start = Instant::now();
    page.call("Page.navigate", json!({ "url": url }));
    page.wait_for(
        &format!("results for {query}"),
        &format!(
            "document.getElementById('search-q') && document.getElementById('search-q').value === {query:?} && {DONE_JS}"
        ),
        Duration::from_secs(20),
    );
    start.elapsed()
}

/// Marks the current results stale, runs `action`, waits for the next search to finish.
fn after(page: &mut cdp::Page, what: &str, action: impl FnOnce(&mut cdp::Page)) {
    page.eval("document.getElementById('search-app').dataset.state = 'stale'");
    action(page);
    page.wait_for(what, DONE_JS, Duration::from_secs(20));
}

#[test]
fn search_in_a_real_browser() {
    let Some(exe) = cdp::chromium() else {
        if std::env::var_os("JIANBAO_REQUIRE_BROWSER").is_some() {
            panic!("JIANBAO_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)");
        }
        eprintln!("SKIPPED search_in_a_real_browser: chromium not found (set JIANBAO_REQUIRE_BROWSER=1 to make this a failure)");
        return;
    };
    let site = Site::new("search-site");
    // Reserve a port for the base URL, then serve on it.
    let probe = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let base = format!("http://127.0.0.1:{port}/cw/");
    let out = site.build_ok(&["--base-url", &base]);
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind the reserved port");
    serve_static(listener, out.dir.clone());

    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();

    // A term in exactly one article (and in one report's body): the article,
    // matched in its title, comes first, the term highlighted.
    let first = open(&mut page, port, "手足口病");
    let timing = page.eval("[document.getElementById('search-app').dataset.firstMs, document.getElementById('search-app').dataset.ms]");
    eprintln!("search: 手足口病 fully shown {first:?} after navigation (cold cache, incl. page load); in page: ranked after {} ms, shown after {} ms", timing[0], timing[1]);
    let r = results(&mut page);
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0].0, "/cw/articles/shou-zu-kou-bing/", "{r:?}");
    assert!(r[0].1.contains("<mark>手足口病</mark>"), "{r:?}");
    assert!(r[0].2.contains("<mark>手足口病</mark>"), "{r:?}");
    assert_eq!(r[1].0, "/cw/reports/tao-le-zhen-2024/", "{r:?}");
    assert!(
        r[1].2.contains("<mark>手足口病</mark>"),
        "snippet around the hit: {r:?}"
    );
    assert!(
        status(&mut page).contains("找到 2 条"),
        "{}",
        status(&mut page)
    );
    assert_eq!(
        page.eval("document.getElementById('search-q').value"),
        json!("手足口病"),
        "the input shows the query"
    );

    // Typing: one term, then a second one narrows the results (AND).
    page.eval(
        "document.getElementById('search-q').focus(); document.getElementById('search-q').select()",
    );
    after(&mut page, "results for 绿化", |p| {
        p.call("Input.insertText", json!({ "text": "绿化" }));
    });
    let r = results(&mut page);
    let hrefs: Vec<&str> = r.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "/cw/reports/tao-le-zhen-2024/",
            "/cw/reports/ying-gen-zhen-2024/"
        ],
        "the draft mentioning 绿化 is not found"
    );
    after(&mut page, "results for 绿化 陶乐镇", |p| {
        p.call("Input.insertText", json!({ "text": " 陶乐镇" }));
        for kind in ["keyDown", "keyUp"] {
            p.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13 }),
            );
        }
    });
    let r = results(&mut page);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "/cw/reports/tao-le-zhen-2024/");
    assert!(r[0].1.contains("<mark>陶乐镇</mark>"), "{r:?}");
    assert!(r[0].2.contains("<mark>绿化</mark>"), "{r:?}");
    let search = page.eval("decodeURIComponent(location.search.replace(/\\+/g, ' '))");
    assert_eq!(
        search,
        json!("?q=绿化 陶乐镇"),
        "the URL links these results"
    );

    // A term inside a longer word; title matches rank first; filters.
    open(&mut page, port, "灭蚊");
    let r = results(&mut page);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(
        r[0].0, "/cw/articles/xia-ji-mie-wen/",
        "title match first: {r:?}"
    );
    after(&mut page, "灭蚊 among articles", |p| {
        p.eval("var s = document.getElementById('search-kind'); s.value = 'article'; s.dispatchEvent(new Event('change'))");
    });
    assert_eq!(results(&mut page).len(), 1);
    after(&mut page, "灭蚊 of 营根镇", |p| {
        p.eval("var s = document.getElementById('search-kind'); s.value = ''; var u = document.getElementById('search-unit'); u.value = '营根镇'; u.dispatchEvent(new Event('change'))");
    });
    let r = results(&mut page);
    let hrefs: Vec<&str> = r.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "/cw/articles/xia-ji-mie-wen/",
            "/cw/reports/ying-gen-zhen-2024/"
        ]
    );
    assert!(page
        .eval("location.search")
        .as_str()
        .unwrap()
        .contains("unit="));

    // One character, Latin words (case, prefix), numbers.
    open(&mut page, port, "蚊");
    assert_eq!(results(&mut page).len(), 3);
    open(&mut page, port, "GB7792");
    let r = results(&mut page);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].2.contains("<mark>GB7792</mark>"), "{r:?}");
    open(&mut page, port, "Albopictus");
    assert_eq!(results(&mut page).len(), 1);
    open(&mut page, port, "albo");
    assert!(results(&mut page).is_empty(), "Latin words match whole");

    // No match: said so, in the live region.
    open(&mut page, port, "火星基地");
    assert!(results(&mut page).is_empty());
    let s = status(&mut page);
    assert!(s.contains("没有找到") && s.contains("火星基地"), "{s}");

    // Accessible structure: labelled controls, a polite live region, a list of links.
    let a11y = page.eval(
        r#"[document.querySelector('label[for=search-q]') !== null,
            document.querySelector('label[for=search-kind]') !== null,
            document.querySelector('label[for=search-unit]') !== null,
            document.getElementById('search-status').getAttribute('aria-live'),
            document.getElementById('search-results').tagName]"#,
    );
    assert_eq!(a11y, json!([true, true, true, "polite", "OL"]));

    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// A browser without `DecompressionStream` (Safari before 16.4, Firefox
/// before 113): `search.js` un-gzips the text chunks itself, with the same
/// results, snippets and phrase checks.
#[test]
fn search_without_decompression_stream_gunzips_in_script() {
    let site = Site::new("search-site");
    let Some((browser, port)) = serve_for_browser(&site) else {
        return;
    };
    let mut page = browser.page();
    page.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "delete window.DecompressionStream; delete window.DecompressionStream;" }),
    );
    open(&mut page, port, "手足口病");
    assert_eq!(
        page.eval("typeof DecompressionStream"),
        json!("undefined"),
        "the page runs without it"
    );
    let r = results(&mut page);
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0].0, "/cw/articles/shou-zu-kou-bing/", "{r:?}");
    assert!(r[0].2.contains("<mark>手足口病</mark>"), "{r:?}");
    assert!(
        r[1].2.contains("<mark>手足口病</mark>"),
        "snippet around the hit: {r:?}"
    );
    // A phrase check reads the chunks too: 陶乐镇 as written, not its bigrams apart.
    open(&mut page, port, "陶乐镇 绿化");
    assert_eq!(hrefs(&mut page), ["/cw/reports/tao-le-zhen-2024/"]);
    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// Builds `site` for a port of its own and serves it there; None (after
/// saying so) when Chromium is missing and not required.
fn serve_for_browser(site: &Site) -> Option<(cdp::Browser, u16)> {
    let Some(exe) = cdp::chromium() else {
        if std::env::var_os("JIANBAO_REQUIRE_BROWSER").is_some() {
            panic!("JIANBAO_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)");
        }
        eprintln!(
            "SKIPPED: chromium not found (set JIANBAO_REQUIRE_BROWSER=1 to make this a failure)"
        );
        return None;
    };
    let probe = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let base = format!("http://127.0.0.1:{port}/cw/");
    let out = site.build_ok(&["--base-url", &base]);
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind the reserved port");
    serve_static(listener, out.dir.clone());
    Some((cdp::Browser::launch(&exe), port))
}

fn hrefs(page: &mut cdp::Page) -> Vec<String> {
    results(page).into_iter().map(|r| r.0).collect()
}

#[test]
fn search_phrases_match_only_as_written_and_units_are_found() {
    let site = Site::new("search-site");
    let article = |title: &str, body: &str| {
        format!("---\ntitle: {title}\ndate: 2024-08-01\ncategory: 环境卫生\n---\n{body}\n")
    };
    // Every bigram of 卫生城市 and of 爱卫会, but neither as written.
    site.write(
        "content/articles/near.md",
        article(
            "创建工作简报",
            "巩固国家卫生城镇成果，争创全国文明城市。县爱卫办召开创卫会议。",
        ),
    );
    site.write(
        "content/articles/exact.md",
        article("创建国家卫生城市", "县爱卫会部署工作。"),
    );
    // The phrase only in a tag.
    site.write(
        "content/articles/tagged.md",
        "---\ntitle: 简讯\ndate: 2024-08-02\ntags: [卫生城市]\n---\n正文。\n",
    );
    // A unit registry: unit pages are found by name, alias and introduction.
    site.write(
        "content/units/tao-le-zhen.md",
        "---\nname: 陶乐镇\ntype: 乡镇\naliases: [陶乐镇人民政府]\n---\n陶乐镇位于黄河西岸。\n",
    );
    site.write(
        "content/units/ying-gen-zhen.md",
        "---\nname: 营根镇\ntype: 乡镇\n---\n营根镇简介。\n",
    );
    let Some((browser, port)) = serve_for_browser(&site) else {
        return;
    };
    let mut page = browser.page();

    // The exact name of a unit: its own page first, though the reports
    // naming it in their titles score more.
    open(&mut page, port, "陶乐镇");
    let h = hrefs(&mut page);
    assert_eq!(h[0], "/cw/units/tao-le-zhen/", "{h:?}");
    assert!(
        h.contains(&"/cw/reports/tao-le-zhen-2024/".to_string()),
        "{h:?}"
    );
    open(&mut page, port, "黄河西岸");
    assert_eq!(hrefs(&mut page), ["/cw/units/tao-le-zhen/"]);
    open(&mut page, port, "人民政府");
    let h = hrefs(&mut page);
    assert!(
        h.contains(&"/cw/units/tao-le-zhen/".to_string()),
        "found by its alias: {h:?}"
    );
    after(&mut page, "units only", |p| {
        p.eval("var s = document.getElementById('search-kind'); s.value = 'unit'; s.dispatchEvent(new Event('change'))");
    });
    assert_eq!(hrefs(&mut page), ["/cw/units/tao-le-zhen/"]);
    page.eval("document.getElementById('search-kind').value = ''");

    open(&mut page, port, "卫生城市");
    assert_eq!(
        hrefs(&mut page),
        ["/cw/articles/exact/", "/cw/articles/tagged/"],
        "卫生城镇 … 文明城市 is not 卫生城市"
    );
    assert!(
        status(&mut page).contains("找到 2 条"),
        "{}",
        status(&mut page)
    );

    open(&mut page, port, "爱卫会");
    assert_eq!(
        hrefs(&mut page),
        ["/cw/articles/exact/"],
        "创卫会议 is not 爱卫会"
    );

    // A pair of characters is one bigram: still found wherever it is.
    open(&mut page, port, "城镇");
    assert_eq!(hrefs(&mut page), ["/cw/articles/near/"]);

    // Two terms, each checked; nothing holds both as written.
    open(&mut page, port, "文明城市 爱卫会");
    assert!(hrefs(&mut page).is_empty());
    let s = status(&mut page);
    assert!(s.contains("没有找到"), "{s}");

    // The category is searched too, and checked against the row's extra
    // texts (the report holds 环境卫生 in its body).
    open(&mut page, port, "环境卫生");
    assert_eq!(
        hrefs(&mut page),
        [
            "/cw/articles/exact/",
            "/cw/articles/near/",
            "/cw/reports/tao-le-zhen-2024/"
        ]
    );

    let errors = page.errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// Index size and time to first results on a large generated site, fast and
/// throttled (1.6 Mbit/s, 150 ms round trip). Not part of `cargo test`:
/// `python3 benches/gen_corpus.py /tmp/big --reports 10000 --units 210 --articles 2000`, then
/// `JIANBAO_SEARCH_BENCH_ROOT=/tmp/big cargo test --release --test search -- --ignored --nocapture`.
/// `JIANBAO_SEARCH_BENCH_PUBLIC=DIR` serves a site already built there (with
/// `--base-url http://127.0.0.1:1/cw/`; the port does not matter) instead, to
/// compare builds; `JIANBAO_SEARCH_BENCH_RUNS=N` runs each query N times.
#[test]
#[ignore]
fn search_latency_on_a_large_site() {
    let exe = cdp::chromium().expect("chromium");
    let tmp = tempfile::tempdir().unwrap();
    let probe = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let out = match std::env::var_os("JIANBAO_SEARCH_BENCH_PUBLIC") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            let root = std::env::var("JIANBAO_SEARCH_BENCH_ROOT")
                .expect("set JIANBAO_SEARCH_BENCH_ROOT or JIANBAO_SEARCH_BENCH_PUBLIC");
            let out = tmp.path().join("public");
            let base = format!("http://127.0.0.1:{port}/cw/");
            let args = [
                "build",
                "--root",
                &root,
                "--output",
                out.to_str().unwrap(),
                "--base-url",
                &base,
            ];
            let run = common::run_in(tmp.path(), common::Lang::En, &args);
            run.ok();
            eprintln!("{}", run.stdout.trim());
            out
        }
    };
    let runs: usize = std::env::var("JIANBAO_SEARCH_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let sizes = |dir: &str| -> (usize, u64) {
        let mut n = 0;
        let mut bytes = 0;
        for e in std::fs::read_dir(out.join(dir)).unwrap() {
            n += 1;
            bytes += e.unwrap().metadata().unwrap().len();
        }
        (n, bytes)
    };
    let docs = std::fs::metadata(out.join("search/docs.json"))
        .unwrap()
        .len();
    eprintln!(
        "index: docs.json {docs} B; idx {:?} (files, B); text {:?}",
        sizes("search/idx"),
        sizes("search/text")
    );
    serve_static(TcpListener::bind(("127.0.0.1", port)).unwrap(), out.clone());
    let browser = cdp::Browser::launch(&exe);
    let mut page = browser.page();
    page.call("Network.enable", json!({}));
    page.call("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
    for throttled in [false, true] {
        if throttled {
            page.call(
                "Network.emulateNetworkConditions",
                json!({ "offline": false, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 100_000 }),
            );
        }
        for q in [
            "手足口病",
            "门前五包",
            "陶乐镇 绿化",
            "卫生",
            "病媒生物 防制 宣传",
            "卫生城镇",
            "健康生活方式",
        ] {
            let mut shown = Vec::new();
            for _ in 0..runs {
                let total = open(&mut page, port, q);
                let v = page.eval(
                    r#"(() => { const a = document.getElementById('search-app').dataset;
                    const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'));
                    return [a.firstMs, a.ms, r.length, r.reduce((s, e) => s + e.encodedBodySize, 0),
                            document.querySelectorAll('#search-results > li').length,
                            document.getElementById('search-status').textContent]; })()"#,
                );
                eprintln!(
                    "{} {q}: page+results {total:?}; in page: ranked {} ms, shown {} ms; {} index fetches, {} B; {} shown; {}",
                    if throttled { "slow" } else { "fast" },
                    v[0], v[1], v[2], v[3], v[4], v[5]
                );
                shown.push(
                    v[1].as_str()
                        .or(v[0].as_str())
                        .and_then(|ms| ms.parse::<u64>().ok())
                        .unwrap_or(0),
                );
            }
            shown.sort_unstable();
            eprintln!(
                "{} {q}: shown median {} ms of {runs}",
                if throttled { "slow" } else { "fast" },
                shown[runs / 2]
            );
        }
    }
}
