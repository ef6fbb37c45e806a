//! Cached builds checked against full ones, edit by edit.

use super::super::Index;
use super::*;
use std::collections::BTreeMap;
use std::path::Path;

/// A site on disk, loaded into the model as a build does.
struct TestSite {
    dir: tempfile::TempDir,
}

/// Pseudo-random CJK text of `n` characters from a pool of `pool`
/// (many distinct bigrams, so postings grow with `n`).
fn text(seed: u32, n: usize, pool: u32) -> String {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i % 23 == 22 {
                '。'
            } else {
                char::from_u32(0x4e00 + x % pool).unwrap_or('一')
            }
        })
        .collect()
}

fn report(title: &str, unit: &str, date: &str, tags: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nunit: {unit}\ndate: {date}\ntags: [{tags}]\n---\n{body}\n")
}

impl TestSite {
    fn new() -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write(
            "site.yaml",
            "title: 测试站\nbase_url: https://example.gov.cn/\n",
        );
        site.write(
            "content/units/tao-le.md",
            "---\nname: 陶乐镇\ntype: 乡镇\naliases: [陶乐镇人民政府]\n---\n陶乐镇简介。\n",
        );
        site.write(
            "content/units/ying-gen.md",
            "---\nname: 营根镇\ntype: 乡镇\n---\n",
        );
        for i in 0..12 {
            let unit = if i % 3 == 0 { "营根镇" } else { "陶乐镇" };
            site.write(
                &format!("content/reports/r{i:02}.md"),
                report(
                    &format!("第{i}份工作总结"),
                    unit,
                    &format!("2024-{:02}-{:02}", i % 12 + 1, i % 27 + 1),
                    &format!("环境整治, 标签{}", i % 4),
                    &format!(
                        "{} Aedes GB{i} 2024\n\n{}",
                        text(i, 60, 300),
                        text(i + 100, 40, 300)
                    ),
                ),
            );
        }
        site.write(
            "content/articles/a1.md",
            format!(
                "---\ntitle: 夏季灭蚊小常识\ndate: 2024-06-10\ncategory: 病媒生物防制\nunit: 营根镇\ntags: [病媒]\nsummary: 清除积水\nauthor: 张三\n---\n{}\n",
                text(500, 80, 300)
            ),
        );
        site.write(
            "content/articles/a2.md",
            format!(
                "---\ntitle: 手足口病的预防\ndate: 2023-04-15\ncategory: 传染病防治\ntags: [传染病]\n---\n{}\n",
                text(501, 50, 300)
            ),
        );
        site.write(
            "content/pages/about.md",
            "---\ntitle: 关于本站\n---\n本站发布工作总结。Contact us.\n",
        );
        site
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: impl AsRef<str>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text.as_ref()).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Replaces `from` by `to` in a file (which must hold it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let t = self.read(rel);
        assert!(t.contains(from), "{rel} lacks {from}");
        self.write(rel, t.replacen(from, to, 1));
    }

    fn load(&self) -> (Site, Bodies) {
        load(self.dir.path())
    }
}

fn load(root: &Path) -> (Site, Bodies) {
    let config = crate::config::Config::load(root, None).unwrap();
    let (content, mut diags) = crate::content::load(root, &config, Default::default());
    let (site, d) = Site::build(config, content, &crate::render::reserved());
    diags.extend(d);
    let (bodies, d) = crate::render::bodies(
        &site,
        &crate::render::known_paths(&site, &Default::default()),
    );
    diags.extend(d);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    (site, bodies)
}

type Files = BTreeMap<String, Vec<u8>>;

/// The files of a full build.
fn full(site: &Site, bodies: &Bodies, sizes: Sizes) -> Files {
    let idx = Index::build_sized(site, bodies, sizes);
    let mut files = Files::new();
    files.insert("search/docs.json".into(), idx.docs_json().into_bytes());
    for n in 0..idx.shard_count() {
        let (p, j) = idx.shard_file(n);
        files.insert(p, j);
    }
    for n in 0..idx.chunk_count() {
        let (p, j) = idx.text_file(n);
        files.insert(p, j);
    }
    files
}

fn meta(files: &Files) -> (u64, u64) {
    let v: serde_json::Value = serde_json::from_slice(&files["search/docs.json"]).unwrap();
    (v["bits"].as_u64().unwrap(), v["chunk"].as_u64().unwrap())
}

/// Builds `site` through the cache, checks every file against a full
/// build, and returns what the cache did and the (bits, chunk) used.
fn check(site: &TestSite, cache: &mut SearchCache, what: &str) -> (SearchReuse, (u64, u64)) {
    check_bodies(site.load(), cache, what)
}

fn check_bodies(
    (site, bodies): (Site, Bodies),
    cache: &mut SearchCache,
    what: &str,
) -> (SearchReuse, (u64, u64)) {
    check_light((&site, &bodies), cache, what, None)
}

/// [`check_bodies`]; with `Some(batch)`, the documents' bodies are handed
/// to the cache light, their texts rendered again `batch` at a time.
fn check_light(
    (site, bodies): (&Site, &Bodies),
    cache: &mut SearchCache,
    what: &str,
    light: Option<usize>,
) -> (SearchReuse, (u64, u64)) {
    let known = crate::render::known_paths(site, &Default::default());
    let refill = crate::render::Refill::new(site, &known);
    let lightened = light.map(|_| {
        let lighten = |l: &[Arc<Rendered>]| -> Vec<Arc<Rendered>> {
            l.iter().map(|m| Arc::new(m.light())).collect()
        };
        Bodies {
            reports: lighten(&bodies.reports),
            articles: lighten(&bodies.articles),
            pages: lighten(&bodies.pages),
            units: bodies.units.clone(),
        }
    });
    let batch = light.unwrap_or(crate::render::BATCH);
    let bodies_in = lightened.as_ref().unwrap_or(bodies);
    let sink = crate::output::Discard;
    cache
        .build(site, bodies_in, (&refill, batch), &sink)
        .unwrap();
    // Between builds the postings are in the shard files only.
    let toks = &cache.state.as_ref().unwrap().vocab.toks;
    assert!(
        toks.iter().all(|t| t.postings.is_empty()),
        "{what}: postings held"
    );
    assert!(toks.iter().any(|t| t.filed > 0), "{what}: nothing filed");
    let mut cached = Files::new();
    cache.write_files(&mut |p, b| {
        let Blob::Bytes(bytes) = &b else {
            panic!("{what}: a stored file without a store");
        };
        cached.insert(p.to_string(), bytes.to_vec());
        Some(b)
    });
    let fresh = full(site, bodies, cache.sizes);
    let only = |a: &Files, b: &Files| -> Vec<String> {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    assert!(
        cached.len() == fresh.len() && only(&cached, &fresh).is_empty(),
        "{what}: only cached: {:?}, only fresh: {:?}",
        only(&cached, &fresh),
        only(&fresh, &cached)
    );
    for (p, b) in &fresh {
        assert!(
            cached[p] == *b,
            "{what}: {p} differs\ncached: {}\nfresh:  {}",
            String::from_utf8_lossy(&cached[p]),
            String::from_utf8_lossy(b)
        );
    }
    assert_eq!(cache.last.files, fresh.len(), "{what}");
    (cache.last, meta(&fresh))
}

const SMALL: Sizes = Sizes {
    shard: 256,
    chunk: 1200,
};

#[test]
fn search_cache_edits_equal_full_builds() {
    let site = TestSite::new();
    let mut cache = SearchCache::sized(SMALL);
    let (r, (bits, chunk)) = check(&site, &mut cache, "first build");
    // 15 documents and the 2 units' own pages.
    assert!(r.rebuilt && r.tokenized == 17, "{r:?}");
    assert_eq!(r.serialized, r.files);
    assert!(bits > 3 && chunk > 1, "{bits} {chunk}: sizes to provoke");
    let files = r.files;

    // docs.json too is the same: nothing serialized.
    let (r, m) = check(&site, &mut cache, "no change");
    assert_eq!((r.tokenized, r.serialized, r.rebuilt), (0, 0, false));
    assert_eq!(m, (bits, chunk));

    site.edit("content/reports/r03.md", "2024\n", "2024 门前五包\n");
    let (r, m) = check(&site, &mut cache, "body edit");
    assert_eq!((r.tokenized, r.rebuilt), (1, false));
    assert_eq!(m, (bits, chunk));
    // A text chunk and the shards of a few tokens.
    assert!(r.serialized >= 2 && r.serialized < files / 2, "{r:?}");

    // The edit undone: its new tokens lose their only posting.
    site.edit("content/reports/r03.md", " 门前五包", "");
    let (r, _) = check(&site, &mut cache, "body edit undone");
    assert_eq!((r.tokenized, r.rebuilt), (1, false));

    site.edit(
        "content/reports/r05.md",
        "title: 第5份",
        "title: 改过的第5份",
    );
    let (r, _) = check(&site, &mut cache, "title");
    assert_eq!((r.tokenized, r.rebuilt), (1, false));

    site.edit("content/reports/r07.md", "标签3", "新标签");
    check(&site, &mut cache, "tag");
    site.edit("content/reports/r07.md", "unit: 陶乐镇", "unit: 营根镇");
    check(&site, &mut cache, "unit");
    site.edit(
        "content/articles/a1.md",
        "category: 病媒生物防制",
        "category: 爱国卫生",
    );
    check(&site, &mut cache, "category");
    site.edit("content/articles/a1.md", "author: 张三", "author: 李四");
    check(&site, &mut cache, "author");
    site.edit("content/pages/about.md", "Contact", "Write to");
    check(&site, &mut cache, "page body");

    // A unit alias: every report of the unit changes, none moves, and
    // so does the unit's own page.
    site.edit("content/units/tao-le.md", "陶乐镇人民政府", "陶乐镇政府");
    let (r, _) = check(&site, &mut cache, "alias");
    assert!(!r.rebuilt && r.tokenized == 8, "{r:?}");

    site.write(
        "content/reports/r20.md",
        report(
            "新增的报告",
            "陶乐镇",
            "2025-01-05",
            "新增",
            &text(20, 70, 300),
        ),
    );
    let (r, _) = check(&site, &mut cache, "added newest");
    assert!(r.rebuilt && r.tokenized == 1, "{r:?}");
    site.write(
        "content/reports/r21.md",
        report(
            "又一份报告",
            "营根镇",
            "2024-06-01",
            "新增",
            &text(21, 70, 300),
        ),
    );
    check(&site, &mut cache, "added in the middle");

    std::fs::remove_file(site.path("content/reports/r04.md")).unwrap();
    let (r, _) = check(&site, &mut cache, "removed");
    assert!(r.rebuilt && r.tokenized == 0, "{r:?}");

    site.edit(
        "content/reports/r01.md",
        "date: 2024-02-02",
        "date: 2022-02-02",
    );
    let (r, _) = check(&site, &mut cache, "date moves a report");
    assert!(r.rebuilt && r.tokenized == 1, "{r:?}");

    site.edit(
        "content/reports/r02.md",
        "date: 2024-03-03",
        "date: 2024-03-04",
    );
    let (r, _) = check(&site, &mut cache, "date keeps the order");
    assert!(!r.rebuilt && r.tokenized == 1, "{r:?}");

    // A new path for the same document.
    site.write(
        "content/reports/r08b.md",
        site.read("content/reports/r08.md"),
    );
    std::fs::remove_file(site.path("content/reports/r08.md")).unwrap();
    check(&site, &mut cache, "renamed");

    let (r, _) = check(&site, &mut cache, "no change at last");
    assert_eq!((r.tokenized, r.serialized, r.rebuilt), (0, 0, false));
}

#[test]
fn search_cache_follows_shard_count_and_chunk_size() {
    let site = TestSite::new();
    let mut cache = SearchCache::sized(SMALL);
    let (_, (bits, chunk)) = check(&site, &mut cache, "first build");

    // A long body with many new tokens: more shards, fewer rows a chunk.
    let long = text(900, 1400, 2000);
    site.edit(
        "content/reports/r06.md",
        "2024\n",
        &format!("2024\n{long}\n"),
    );
    let (r, (bits2, chunk2)) = check(&site, &mut cache, "long body");
    assert!(!r.rebuilt && r.tokenized == 1, "{r:?}");
    assert!(bits2 > bits, "bits {bits} → {bits2}");
    assert!(chunk2 < chunk, "chunk {chunk} → {chunk2}");
    assert_eq!(r.serialized, r.files, "all files after a size change");

    // A small edit elsewhere with the new sizes.
    site.edit("content/reports/r09.md", "2024\n", "2024 灭蚊\n");
    let (r, m) = check(&site, &mut cache, "small edit");
    assert_eq!(m, (bits2, chunk2));
    assert!(r.serialized < r.files / 2, "{r:?}");

    // And back: the long body's tokens lose their postings.
    site.edit("content/reports/r06.md", &format!("{long}\n"), "");
    let (_, m) = check(&site, &mut cache, "long body removed");
    assert_eq!(m, (bits, chunk));

    // A token without postings during a size change comes back.
    site.edit(
        "content/reports/r06.md",
        "2024\n",
        &format!("2024\n{long}\n"),
    );
    check(&site, &mut cache, "long body again");
}

#[test]
fn search_cache_with_unknown_keys_tokenizes_every_document() {
    let site = TestSite::new();
    let mut cache = SearchCache::sized(SMALL);
    let unknown = |site: &TestSite| {
        let (s, mut b) = site.load();
        for m in b
            .reports
            .iter_mut()
            .chain(&mut b.articles)
            .chain(&mut b.pages)
        {
            Arc::make_mut(m).key = 0;
        }
        (s, b)
    };
    check_bodies(unknown(&site), &mut cache, "first build");
    site.edit("content/reports/r03.md", "2024\n", "2024 门前五包\n");
    let (r, _) = check_bodies(unknown(&site), &mut cache, "body edit");
    assert!(!r.rebuilt && r.tokenized == 15, "{r:?}");
    site.write(
        "content/reports/r20.md",
        report(
            "新增的报告",
            "陶乐镇",
            "2025-01-05",
            "新增",
            &text(20, 70, 300),
        ),
    );
    let (r, _) = check_bodies(unknown(&site), &mut cache, "added");
    assert!(r.rebuilt && r.tokenized == 16, "{r:?}");
}

#[test]
fn search_cache_default_sizes_through_write_search() {
    let site = TestSite::new();
    let (s, b) = site.load();
    let write = |cache: Option<&mut SearchCache>| {
        let mem = crate::output::Memory::default();
        let known = crate::render::known_paths(&s, &Default::default());
        let refill = crate::render::Refill::new(&s, &known);
        let cache = cache.map(|c| (c, &refill, crate::render::BATCH));
        let n = crate::render::write_search(&s, &b, &mem, cache).unwrap();
        let files = mem.files.into_inner().unwrap();
        assert_eq!(n, files.len());
        files
            .into_iter()
            .map(|(p, b)| (p, b.to_vec()))
            .collect::<Files>()
    };
    let fresh = write(None);
    assert_eq!(fresh, full(&s, &b, Sizes::DEFAULT));
    let mut cache = SearchCache::default();
    assert_eq!(write(Some(&mut cache)), fresh);
    assert_eq!(write(Some(&mut cache)), fresh);
    // The same model: nothing read, nothing serialized.
    assert_eq!((cache.last.looked_at, cache.last.serialized), (0, 0));
}

#[test]
fn search_cache_of_light_bodies_equals_full_builds() {
    let site = TestSite::new();
    let mut cache = SearchCache::sized(SMALL);
    let light = |site: &TestSite, cache: &mut SearchCache, what: &str| {
        let (s, b) = site.load();
        check_light((&s, &b), cache, what, Some(4))
    };
    // Every document read again, four at a time.
    let (r, _) = light(&site, &mut cache, "first build");
    assert!(r.rebuilt && r.tokenized == 17, "{r:?}");
    let (r, _) = light(&site, &mut cache, "no change");
    assert_eq!((r.tokenized, r.rebuilt), (0, false));
    site.edit("content/reports/r03.md", "2024\n", "2024 门前五包\n");
    let (r, _) = light(&site, &mut cache, "body edit");
    assert_eq!((r.tokenized, r.rebuilt), (1, false));
    // Whole bodies and light ones make the same index.
    site.edit(
        "content/reports/r05.md",
        "title: 第5份",
        "title: 改过的第5份",
    );
    check(&site, &mut cache, "title, whole");
    site.edit("content/reports/r07.md", "标签3", "新标签");
    light(&site, &mut cache, "tag");
    site.write(
        "content/reports/r20.md",
        report(
            "新增的报告",
            "陶乐镇",
            "2025-01-05",
            "新增",
            &text(20, 70, 300),
        ),
    );
    // Every key changed (a new site path), no text did but the new one's.
    let (r, _) = light(&site, &mut cache, "added");
    assert!(r.rebuilt && r.tokenized == 1, "{r:?}");
    std::fs::remove_file(site.path("content/reports/r03.md")).unwrap();
    let (r, _) = light(&site, &mut cache, "removed");
    assert!(r.rebuilt && r.tokenized == 0, "{r:?}");
}

/// Whether a text chunk of `files` holds `text`.
fn in_chunks(files: &Files, text: &str) -> bool {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("search/text/"))
        .any(|(_, f)| {
            let json = super::super::format::chunk_json(f).unwrap();
            String::from_utf8(json).unwrap().contains(text)
        })
}

/// Edits made to the model in memory as `serve` makes them: what did not
/// change stays the same `Arc`, so the cache reads only what did; each
/// build still equals a full one, and the edits show in the files.
#[test]
fn search_cache_reads_only_the_documents_that_changed() {
    let site = TestSite::new();
    let (mut s, mut b) = site.load();
    let mut cache = SearchCache::sized(SMALL);
    let mut check = |s: &Site, b: &Bodies, what: &str| {
        let r = check_light((s, b), &mut cache, what, None).0;
        let files = full(s, b, SMALL);
        (r, files)
    };
    let (r, _) = check(&s, &b, "first build");
    assert_eq!(r.looked_at, 17);
    let (r, _) = check(&s, &b, "no change");
    assert_eq!((r.looked_at, r.tokenized, r.serialized), (0, 0, 0), "{r:?}");

    let at = |s: &Site, title: &str| {
        let at = s.reports.iter().position(|r| r.doc.common.title == title);
        at.unwrap()
    };
    let i = at(&s, "第3份工作总结");
    Arc::make_mut(&mut s.reports[i].doc)
        .common
        .title
        .push_str("修订");
    let (r, f) = check(&s, &b, "title");
    assert_eq!(
        (r.looked_at, r.tokenized, r.rebuilt),
        (1, 1, false),
        "{r:?}"
    );
    assert!(in_chunks(&f, "第3份工作总结修订"));

    let i = at(&s, "第5份工作总结");
    let m = Arc::make_mut(&mut b.reports[i]);
    m.plain.push_str("\n门前五包\n");
    m.key ^= 1;
    let (r, f) = check(&s, &b, "body");
    assert_eq!(
        (r.looked_at, r.tokenized, r.rebuilt),
        (1, 1, false),
        "{r:?}"
    );
    assert!(in_chunks(&f, "门前五包"));
    // The same body again, as a new `Arc`: read, found the same.
    b.reports[i] = Arc::new((*b.reports[i]).clone());
    let (r, _) = check(&s, &b, "body again");
    assert_eq!((r.looked_at, r.tokenized, r.serialized), (1, 0, 0), "{r:?}");

    let i = at(&s, "第7份工作总结");
    Arc::make_mut(&mut s.reports[i].doc)
        .tags
        .push("新标签".into());
    let (r, _) = check(&s, &b, "tag");
    assert_eq!((r.looked_at, r.tokenized), (1, 1), "{r:?}");

    // 2024-06-06 to 06-07: still after 06-10 (an article), before 05-05.
    let i = at(&s, "第5份工作总结");
    Arc::make_mut(&mut s.reports[i].doc).date.day = 7;
    let (r, f) = check(&s, &b, "date in place");
    assert_eq!((r.looked_at, r.rebuilt), (1, false), "{r:?}");
    assert!(in_chunks(&f, "2024-06-07"));
    // Past its neighbour: it moves, every document is read.
    Arc::make_mut(&mut s.reports[i].doc).date.month = 4;
    let (r, f) = check(&s, &b, "date moves");
    assert_eq!((r.looked_at, r.rebuilt), (17, true), "{r:?}");
    assert!(in_chunks(&f, "2024-04-07"));

    // Another unit for the same document.
    let i = at(&s, "第8份工作总结");
    s.reports[i].unit = 1 - s.reports[i].unit;
    let (r, _) = check(&s, &b, "unit");
    assert_eq!((r.looked_at, r.tokenized), (1, 1), "{r:?}");
    // A unit's alias: every document is read (its reports change).
    s.units[0].aliases.push("别名".into());
    let (r, _) = check(&s, &b, "alias");
    assert_eq!(r.looked_at, 17, "{r:?}");

    // A new site path for the same document (a new link context).
    let i = at(&s, "第9份工作总结");
    s.reports[i].path = "reports/renamed/".into();
    let (r, f) = check(&s, &b, "path");
    assert_eq!((r.looked_at, r.tokenized), (17, 1), "{r:?}");
    assert!(in_chunks(&f, "reports/renamed/"));

    let i = at(&s, "第3份工作总结修订");
    s.reports.remove(i);
    b.reports.remove(i);
    let (r, f) = check(&s, &b, "removed");
    assert!(r.rebuilt, "{r:?}");
    assert!(!in_chunks(&f, "第3份工作总结"));
    let (r, _) = check(&s, &b, "no change at last");
    assert_eq!((r.looked_at, r.serialized), (0, 0), "{r:?}");
}

#[test]
fn search_cache_that_cannot_read_a_chunk_or_shard_back_starts_again() {
    let site = TestSite::new();
    let build = |cache: &mut SearchCache| {
        let (s, b) = site.load();
        let known = crate::render::known_paths(&s, &Default::default());
        let refill = crate::render::Refill::new(&s, &known);
        let batch = crate::render::BATCH;
        cache.build(&s, &b, (&refill, batch), &crate::output::Discard)
    };
    // The text chunks, the postings shards (read back for the tokens an
    // edit changes), or both, unreadable.
    for (n, (lost, err_at)) in [
        ("search/text/", "search/text/"),
        ("search/idx/", "search/idx/"),
        ("search/", "search/idx/"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut cache = SearchCache::sized(SMALL);
        build(&mut cache).unwrap();
        // Kept as keys of a store the next build's sink does not have.
        cache.write_files(&mut |path, blob| {
            Some(match path.starts_with(lost) {
                true => Blob::Stored(7),
                false => blob,
            })
        });
        site.edit(
            "content/reports/r03.md",
            "2024\n",
            &format!("2024\n门前五包{n}\n"),
        );
        let err = build(&mut cache).unwrap_err();
        assert!(err.path.starts_with(err_at), "{lost}: {err:?}");
        assert!(cache.state.is_none());
        let (r, _) = check(&site, &mut cache, "after the failed build");
        assert!(r.rebuilt && r.tokenized == 17, "{r:?}");
    }
}
