//! Correctness at scale (issue 7): a generated site of a few thousand
//! reports, built by the real binary. Every unit's and tag's pages, counted
//! across pagination, list exactly that unit's or tag's documents, and the
//! totals in `stats/stats.json` (site, per unit, per tag) and on each unit
//! page equal sums computed here. No timing assertions. And the output
//! does not depend on how many documents `build` renders per batch.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const REPORTS: usize = 2400;
const ARTICLES: usize = 200;
const UNITS: usize = 30;
const PER_PAGE: usize = 20;
const TAGS: [&str; 10] = [
    "宣传教育",
    "环境整治",
    "病媒生物防制",
    "健康教育",
    "门前五包",
    "长效机制",
    "学校卫生",
    "农贸市场",
    "控烟",
    "志愿服务",
];
/// (id, label, unit): all summed.
const METRICS: [(&str, &str, &str); 3] = [
    ("banners", "横幅", "条"),
    ("garbage", "清理垃圾", "吨"),
    ("funds", "投入资金", "元"),
];

/// A small deterministic generator (64-bit LCG, high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// What the test expects, keyed by unit id / tag name.
#[derive(Default)]
struct Expected {
    /// Document slugs (`r000012`, `a00003`) per unit and per tag.
    unit_docs: BTreeMap<String, BTreeSet<String>>,
    tag_docs: BTreeMap<String, BTreeSet<String>>,
    /// Sums in hundredths and report counts per metric: site-wide, per unit, per tag.
    totals: BTreeMap<&'static str, (i64, usize)>,
    unit_totals: BTreeMap<(String, &'static str), (i64, usize)>,
    tag_totals: BTreeMap<(String, &'static str), (i64, usize)>,
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn add<K: Ord>(map: &mut BTreeMap<K, (i64, usize)>, key: K, cents: i64) {
    let e = map.entry(key).or_default();
    e.0 += cents;
    e.1 += 1;
}

/// Body sentences, picked per report so the search index has variety.
const SENTENCES: [&str; 6] = [
    "开展爱国卫生运动，清理卫生死角。",
    "组织志愿者清理背街小巷的垃圾，发放宣传资料。",
    "在农贸市场开展病媒生物防制，投放鼠药。",
    "进校园开展健康教育讲座，学生知晓率明显提高。",
    "落实门前五包责任制，建立长效机制。",
    "Cleaned 12 streets; GB/T 7792 checks passed.",
];

fn generate(root: &Path, search: bool) -> Expected {
    let mut rng = Rng(7);
    let mut exp = Expected::default();
    let mut yaml = format!(
        "title: 规模测试\nbase_url: https://example.gov.cn/\npaginate: 20\nsearch: {search}\nmetrics:\n",
    );
    for (id, label, unit) in METRICS {
        yaml.push_str(&format!(
            "  - id: {id}\n    label: {label}\n    unit: \"{unit}\"\n    aggregate: sum\n"
        ));
    }
    write(root, "site.yaml", &yaml);
    for u in 0..UNITS {
        write(
            root,
            &format!("content/units/u{u:03}.md"),
            &format!(
                "---\nname: 测试单位{u}\ntype: 乡镇\nparent: 平罗县\norder: {u}\n---\n单位简介。\n"
            ),
        );
        exp.unit_docs.entry(format!("u{u:03}")).or_default();
    }
    for i in 0..REPORTS {
        let unit = format!("u{:03}", rng.next(UNITS as u64));
        let year = 2016 + i % 9;
        let (month, day) = (1 + rng.next(12), 1 + rng.next(28));
        let mut tags: Vec<&str> = Vec::new();
        for _ in 0..1 + rng.next(4) {
            let t = TAGS[rng.next(TAGS.len() as u64) as usize];
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let slug = format!("r{i:06}");
        let body: String = (0..1 + rng.next(5))
            .map(|_| SENTENCES[rng.next(SENTENCES.len() as u64) as usize])
            .collect();
        let mut stats = String::new();
        for (m, (id, label, _)) in METRICS.iter().enumerate() {
            if rng.next(4) == 0 && m > 0 {
                continue; // not every report states every metric
            }
            let cents = (rng.next(500_000) as i64) * if rng.next(2) == 0 { 100 } else { 1 };
            let key = if i % 2 == 0 { id } else { label };
            stats.push_str(&format!("  {key}: {}.{:02}\n", cents / 100, cents % 100));
            add(&mut exp.totals, *id, cents);
            add(&mut exp.unit_totals, (unit.clone(), *id), cents);
            for t in &tags {
                add(&mut exp.tag_totals, (t.to_string(), *id), cents);
            }
        }
        write(
            root,
            &format!("content/reports/{year}/{slug}.md"),
            &format!(
                "---\ntitle: 测试单位{year}年工作总结（{i}）\nunit: {unit}\ndate: {year}-{month:02}-{day:02}\n\
                 tags: [{}]\nstats:\n{stats}---\n## 一、主要工作\n\n{body}第{i}号。\n",
                tags.join(", ")
            ),
        );
        exp.unit_docs.get_mut(&unit).unwrap().insert(slug.clone());
        for t in tags {
            exp.tag_docs
                .entry(t.to_string())
                .or_default()
                .insert(slug.clone());
        }
    }
    for i in 0..ARTICLES {
        let slug = format!("a{i:05}");
        let tag = TAGS[rng.next(TAGS.len() as u64) as usize];
        let unit = (i % 3 == 0).then(|| format!("u{:03}", rng.next(UNITS as u64)));
        let unit_line = unit
            .as_ref()
            .map(|u| format!("unit: {u}\n"))
            .unwrap_or_default();
        write(
            root,
            &format!("content/articles/{slug}.md"),
            &format!(
                "---\ntitle: 健康教育第{i}期\ndate: 2024-{:02}-{:02}\ntags: [{tag}]\n{unit_line}---\n正文。\n",
                1 + i % 12,
                1 + i % 28
            ),
        );
        exp.tag_docs
            .entry(tag.to_string())
            .or_default()
            .insert(slug.clone());
        if let Some(u) = unit {
            exp.unit_docs.get_mut(&u).unwrap().insert(slug);
        }
    }
    exp
}

/// `"1518.2"` → 151820.
fn cents(value: &str) -> i64 {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let frac = format!("{frac:0<2}");
    assert_eq!(frac.len(), 2, "more than two decimals: {value}");
    int.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

/// Documents linked from a listing page's items, over all its pages; checks
/// the page count and that no document is listed twice.
fn listed(public: &Path, url: &str, expected_len: usize) -> BTreeSet<String> {
    let base = url.trim_start_matches('/');
    let mut all = BTreeSet::new();
    let mut total = 0;
    let mut page = 1;
    loop {
        let rel = if page == 1 {
            format!("{base}index.html")
        } else {
            format!("{base}page/{page}/index.html")
        };
        let Ok(html) = std::fs::read_to_string(public.join(&rel)) else {
            break;
        };
        let mut on_page = BTreeSet::new();
        for kind in ["reports", "articles"] {
            let needle = format!("href=\"/{kind}/");
            for (at, _) in html.match_indices(&needle) {
                let rest = &html[at + needle.len()..];
                let slug = &rest[..rest.find('/').unwrap()];
                if slug.len() > 1 && (slug.starts_with('r') || slug.starts_with('a')) {
                    on_page.insert(slug.to_string());
                }
            }
        }
        assert!(
            on_page.len() <= PER_PAGE,
            "{rel}: {} items on one page",
            on_page.len()
        );
        total += on_page.len();
        all.extend(on_page);
        page += 1;
    }
    assert_eq!(
        page - 1,
        expected_len.div_ceil(PER_PAGE).max(1),
        "{url}: number of pages"
    );
    assert_eq!(total, all.len(), "{url}: a document listed on two pages");
    all
}

/// The `values` of a stats.json entry as metric id → (hundredths, reports).
fn values(entry: &serde_json::Value) -> BTreeMap<String, (i64, usize)> {
    entry["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let value = v["value"].as_str()?;
            Some((
                v["id"].as_str().unwrap().to_string(),
                (cents(value), v["reports"].as_u64().unwrap() as usize),
            ))
        })
        .collect()
}

#[test]
fn units_tags_and_totals_are_right_on_a_few_thousand_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let exp = generate(&root, false);
    let out = Command::new(common::bin())
        .args(["build", "--root"])
        .arg(&root)
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let public = root.join("public");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("stats/stats.json")).unwrap())
            .unwrap();

    // Site-wide totals.
    let totals = values(&serde_json::json!({ "values": stats["totals"] }));
    for (id, want) in &exp.totals {
        assert_eq!(totals.get(*id), Some(want), "site total of {id}");
    }
    assert_eq!(stats["counts"]["reports"].as_u64(), Some(REPORTS as u64));

    // Per unit: listing across pages, stats.json totals, and the unit page.
    let by_unit = stats["by_unit"].as_array().unwrap();
    assert_eq!(by_unit.len(), UNITS);
    for u in by_unit {
        let id = u["key"].as_str().unwrap();
        let url = u["url"].as_str().unwrap();
        let want = &exp.unit_docs[id];
        assert_eq!(&listed(&public, url, want.len()), want, "unit {id}");
        let reports = want.iter().filter(|s| s.starts_with('r')).count();
        assert_eq!(u["reports"].as_u64(), Some(reports as u64), "unit {id}");
        let got = values(u);
        let page1 =
            std::fs::read_to_string(public.join(url.trim_start_matches('/')).join("index.html"))
                .unwrap();
        for (id_m, _, _) in METRICS {
            match exp.unit_totals.get(&(id.to_string(), id_m)) {
                Some(want) => {
                    assert_eq!(got.get(id_m), Some(want), "unit {id} total of {id_m}");
                    let display = u["values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|v| v["id"] == id_m)
                        .and_then(|v| v["display"].as_str())
                        .unwrap();
                    assert!(
                        page1.contains(&format!(">{display}<")),
                        "unit page {url} lacks its {id_m} total {display}"
                    );
                }
                None => assert!(!got.contains_key(id_m), "unit {id}: {id_m} from nowhere"),
            }
        }
    }

    // Per tag: listing across pages and stats.json totals.
    let by_tag = stats["by_tag"].as_array().unwrap();
    assert_eq!(by_tag.len(), exp.tag_docs.len());
    for t in by_tag {
        let name = t["label"].as_str().unwrap();
        let url = t["url"].as_str().unwrap();
        let want = &exp.tag_docs[name];
        assert_eq!(&listed(&public, url, want.len()), want, "tag {name}");
        let got = values(t);
        for (id_m, _, _) in METRICS {
            assert_eq!(
                got.get(id_m),
                exp.tag_totals.get(&(name.to_string(), id_m)),
                "tag {name} total of {id_m}"
            );
        }
    }

    // Long listings link the first, the last and nearby pages only (linear
    // output size), and still reach every page.
    let pages = (REPORTS).div_ceil(PER_PAGE);
    assert_eq!(listed(&public, "/reports/", REPORTS).len(), REPORTS);
    let mid = std::fs::read_to_string(public.join("reports/page/60/index.html")).unwrap();
    for n in [58, 59, 61, 62, pages] {
        assert!(
            mid.contains(&format!("href=\"/reports/page/{n}/\"")),
            "page 60 lacks a link to {n}"
        );
    }
    assert!(
        mid.contains("href=\"/reports/\""),
        "page 60 lacks a link to page 1"
    );
    assert!(
        !mid.contains("href=\"/reports/page/30/\""),
        "page 60 links every page"
    );

    // Every report page exists.
    for docs in exp.unit_docs.values() {
        for slug in docs {
            let section = if slug.starts_with('r') {
                "reports"
            } else {
                "articles"
            };
            assert!(
                public.join(section).join(slug).join("index.html").is_file(),
                "{section}/{slug}/ missing"
            );
        }
    }
}

/// Builds `root` into `out` with `batch` documents per batch (None: the default).
fn build_batched(root: &Path, out: &Path, batch: Option<usize>) {
    let mut cmd = Command::new(common::bin());
    cmd.args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("LANG", "en_US.UTF-8")
        .env_remove("JIANBAO_BATCH");
    if let Some(n) = batch {
        cmd.env("JIANBAO_BATCH", n.to_string());
    }
    let run = cmd.output().unwrap();
    assert!(
        run.status.success(),
        "build (batch {batch:?}) failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// `build` renders, writes and indexes documents in batches: batches of 7
/// documents and the default batches write the same files, byte for
/// byte, search index included.
#[test]
fn output_is_the_same_whatever_the_batch_size() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    generate(&root, true);
    let built = |batch: Option<usize>, name: &str| {
        let out = tmp.path().join(name);
        build_batched(&root, &out, batch);
        common::snapshot(&out)
    };
    let default = built(None, "default");
    let shards = default
        .keys()
        .filter(|p| p.starts_with("search/idx/"))
        .count();
    let chunks = default
        .keys()
        .filter(|p| p.starts_with("search/text/"))
        .count();
    assert!(
        shards >= 8 && chunks > 10,
        "{shards} shards, {chunks} chunks"
    );
    assert!(
        default.len() > REPORTS + ARTICLES,
        "{} files",
        default.len()
    );
    let tiny = built(Some(7), "tiny");
    assert_eq!(
        tiny.keys().collect::<Vec<_>>(),
        default.keys().collect::<Vec<_>>(),
        "batches of 7: other files"
    );
    for (path, bytes) in &default {
        assert!(tiny[path] == *bytes, "batches of 7: {path} differs");
    }
    // Nothing of the spill files is left in the output or beside it.
    let beside: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside.len(), 3, "{beside:?}");
}
