//! The incremental rebuild behind `jianbao serve` (`jianbao::Session`):
//! after each edit only the changed files are read again and only the
//! pages depending on them rendered, and the result always equals a fresh
//! build without any cache, byte for byte — whether the session writes
//! into memory or, as `serve` does, into a store on disk whose unused
//! files are removed after each build.

mod common;

use jianbao::store::{Store, StoreSink};
use jianbao::{build_in_memory, BuildOptions, Session};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

type Files = HashMap<String, Arc<[u8]>>;

fn fresh(opts: &BuildOptions) -> Files {
    build_in_memory(opts)
        .unwrap_or_else(|e| panic!("build failed: {e:?}"))
        .0
        .files
        .into_inner()
        .unwrap()
}

fn same(cached: &Files, fresh: &Files, step: &str) {
    let mut keys: Vec<&String> = fresh.keys().chain(cached.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        assert!(
            cached.get(k) == fresh.get(k),
            "after `{step}`: {k} differs from a fresh build (cached: {}, fresh: {})",
            cached
                .get(k)
                .map_or("missing".into(), |b| format!("{} bytes", b.len())),
            fresh
                .get(k)
                .map_or("missing".into(), |b| format!("{} bytes", b.len())),
        );
    }
}

/// A session, and the store it writes into when it writes as `serve` does.
struct Preview {
    session: Session,
    store: Option<(Store, tempfile::TempDir)>,
}

impl Preview {
    /// One rebuild's files; with a store, read back from it, and the files
    /// of earlier builds removed as `serve` removes them.
    fn rebuild(
        &mut self,
        opts: &BuildOptions,
        changed: Option<&[PathBuf]>,
    ) -> Result<Files, jianbao::Error> {
        let Some((store, _)) = &self.store else {
            let (mem, _) = self.session.rebuild(opts, changed)?;
            return Ok(mem.files.into_inner().unwrap());
        };
        let sink = StoreSink::new(store, self.session.files());
        self.session.rebuild_into(opts, changed, &sink)?;
        let manifest = sink.into_manifest();
        store.retain(&|k| manifest.values().any(|&m| m == k));
        assert_eq!(
            store.len(),
            manifest
                .values()
                .collect::<std::collections::HashSet<_>>()
                .len()
        );
        Ok(manifest
            .into_iter()
            .map(|(f, k)| (f, Arc::from(std::fs::read(store.path(k)).unwrap())))
            .collect())
    }

    fn last_render(&self) -> (usize, usize) {
        self.session.last_render()
    }
}

/// Rebuilds through the session telling it `changed`, checks the output
/// against a fresh build and returns (rendered, reused) template outputs.
fn rebuild(opts: &BuildOptions, s: &mut Preview, changed: &[&str], step: &str) -> (usize, usize) {
    let changed: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
    let cached = s
        .rebuild(opts, Some(&changed))
        .unwrap_or_else(|e| panic!("after `{step}`: build failed: {e:?}"));
    same(&cached, &fresh(opts), step);
    s.last_render()
}

fn report(title: &str, unit: &str, date: &str, tags: &str, banners: u32, body: &str) -> String {
    format!(
        "---\ntitle: {title}\nunit: {unit}\ndate: {date}\ntags: [{tags}]\nstats:\n  横幅: {banners}\n---\n{body}\n"
    )
}

fn site_with_reports() -> common::Site {
    let site = common::Site::new("serve-site");
    // 120 more reports over the two units and a handful of tags.
    for i in 0..120 {
        let (unit, tag) = if i % 2 == 0 {
            ("陶乐镇", "环境整治")
        } else {
            ("县卫生健康局", "病媒防制")
        };
        site.write(
            &format!("content/reports/gen-{i:03}.md"),
            report(
                &format!("生成的总结{i}"),
                unit,
                &format!("2023-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                &format!("{tag}, 标签{}", i % 7),
                i,
                &format!("第{i}份总结的正文。"),
            ),
        );
    }
    site
}

/// Build options for `site` and a fresh session (writing into a store
/// when `stored`).
fn session_for(site: &common::Site, stored: bool) -> (BuildOptions, Preview) {
    let opts = BuildOptions {
        root: site.root(),
        ..BuildOptions::default()
    };
    let store = stored.then(|| {
        let tmp = tempfile::tempdir().unwrap();
        (Store::new(tmp.path()).unwrap(), tmp)
    });
    let preview = Preview {
        session: Session::default(),
        store,
    };
    (opts, preview)
}

#[test]
fn edits_render_few_pages_and_always_equal_a_fresh_build() {
    edits_render_few_pages(false);
}

#[test]
fn edits_through_a_store_equal_a_fresh_build() {
    edits_render_few_pages(true);
}

fn edits_render_few_pages(stored: bool) {
    let site = site_with_reports();
    let (opts, mut s) = session_for(&site, stored);
    let (total, reused) = rebuild(&opts, &mut s, &[], "first build");
    assert_eq!(reused, 0, "a first build has nothing to reuse");
    assert!(total > 150, "only {total} pages rendered");

    // Nothing changed: nothing is rendered.
    assert_eq!(rebuild(&opts, &mut s, &[], "no change"), (0, total));

    // A body edit in one report: its page (and the lists showing its
    // summary) only.
    let gen7 = "content/reports/gen-007.md";
    site.append(gen7, "\n新增的一段正文。\n");
    let (rendered, reused) = rebuild(&opts, &mut s, &[gen7], "body edit");
    assert_eq!(rendered + reused, total);
    assert!(rendered >= 1, "the edited report must be rendered");
    assert!(
        rendered * 5 < total,
        "a one-report edit rendered {rendered} of {total} pages"
    );

    // Title, date (reorders every list), tags, figures, unit.
    let steps: [(&str, String); 6] = [
        (
            "title edit",
            report(
                "改过的标题",
                "县卫生健康局",
                "2023-08-08",
                "病媒防制, 标签0",
                7,
                "正文",
            ),
        ),
        (
            "date edit",
            report(
                "改过的标题",
                "县卫生健康局",
                "2021-01-02",
                "病媒防制, 标签0",
                7,
                "正文",
            ),
        ),
        (
            "tag edit",
            report(
                "改过的标题",
                "县卫生健康局",
                "2021-01-02",
                "全新标签",
                7,
                "正文",
            ),
        ),
        (
            "figure edit",
            report(
                "改过的标题",
                "县卫生健康局",
                "2021-01-02",
                "全新标签",
                9999,
                "正文",
            ),
        ),
        (
            "summary edit (first paragraph)",
            report(
                "改过的标题",
                "县卫生健康局",
                "2021-01-02",
                "全新标签",
                9999,
                "换了第一段。\n\n第二段。",
            ),
        ),
        (
            "unit edit",
            report(
                "改过的标题",
                "陶乐镇",
                "2021-01-02",
                "全新标签",
                9999,
                "正文",
            ),
        ),
    ];
    for (step, text) in steps {
        site.write(gen7, text);
        rebuild(&opts, &mut s, &[gen7], step);
    }

    // A new report, an asset, a deleted report, a renamed one.
    let new = "content/reports/2025/new-one.md";
    site.write(
        new,
        report(
            "新的总结",
            "陶乐镇",
            "2025-03-01",
            "新标签",
            3,
            "见[另一份](../gen-010.md)。",
        ),
    );
    rebuild(
        &opts,
        &mut s,
        &["content/reports/2025"],
        "new report in a new folder",
    );
    site.write("content/reports/2025/photo.png", b"not really a png");
    rebuild(
        &opts,
        &mut s,
        &["content/reports/2025/photo.png"],
        "new asset",
    );
    site.write(
        "content/reports/2025/photo.png",
        b"a changed picture, longer",
    );
    let photo = ["content/reports/2025/photo.png"];
    rebuild(&opts, &mut s, &photo, "changed asset");
    site.append("static/extra.css", "\nbody { margin: 1px; }\n");
    rebuild(&opts, &mut s, &["static/extra.css"], "changed stylesheet");
    site.remove("content/reports/gen-011.md");
    rebuild(
        &opts,
        &mut s,
        &["content/reports/gen-011.md"],
        "deleted report",
    );
    // The link in new-one.md breaks when its target is renamed: an error,
    // and the next good build is again equal to a fresh one.
    std::fs::rename(
        site.root().join("content/reports/gen-010.md"),
        site.root().join("content/reports/gen-010b.md"),
    )
    .unwrap();
    let renamed = ["content/reports/gen-010.md", "content/reports/gen-010b.md"];
    let changed: Vec<PathBuf> = renamed.iter().map(PathBuf::from).collect();
    assert!(
        s.rebuild(&opts, Some(&changed)).is_err(),
        "the broken link must fail the build"
    );
    site.write(
        new,
        report(
            "新的总结",
            "陶乐镇",
            "2025-03-01",
            "新标签",
            3,
            "见[另一份](../gen-010b.md)。",
        ),
    );
    rebuild(&opts, &mut s, &[new], "link fixed");

    // A broken file fails the build; fixing it builds the same as fresh.
    site.write(gen7, "---\ntitle: [坏的\n---\n");
    assert!(s.rebuild(&opts, Some(&[PathBuf::from(gen7)])).is_err());
    site.write(
        gen7,
        report("修好了", "陶乐镇", "2022-02-02", "环境整治", 1, "正文"),
    );
    rebuild(&opts, &mut s, &[gen7], "broken file fixed");

    // The unit registry and standalone pages show on many pages.
    site.append("content/units/tao-le-zhen.md", "\n镇简介补充一句。\n");
    rebuild(
        &opts,
        &mut s,
        &["content/units/tao-le-zhen.md"],
        "unit intro",
    );
    site.write(
        "content/units/tao-le-zhen.md",
        "---\nname: 陶乐镇\ntype: 乡镇\nparent: 测试县\norder: 1\naliases: [陶乐]\n---\n改名后的简介。\n",
    );
    rebuild(
        &opts,
        &mut s,
        &["content/units/tao-le-zhen.md"],
        "unit aliases",
    );
    site.append("content/pages/about.md", "\n关于页面的新段落。\n");
    rebuild(&opts, &mut s, &["content/pages/about.md"], "page edit");

    // A folder of reports removed at once.
    std::fs::remove_dir_all(site.root().join("content/reports/2025")).unwrap();
    rebuild(&opts, &mut s, &["content/reports/2025"], "folder removed");

    // site.yaml: everything is read again.
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", yaml.replace("paginate: 10", "paginate: 7"));
    rebuild(&opts, &mut s, &["site.yaml"], "site.yaml edit");

    // Template edits re-render the pages using the template: a page
    // template its pages, base.html everything.
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let edit_template = |s: &mut Preview, name: &str| {
        let tpl = std::fs::read_to_string(theme.join(name)).unwrap();
        site.write(
            &format!("templates/{name}"),
            format!("{tpl}{{# edited #}}\n"),
        );
        rebuild(
            &opts,
            s,
            &[&format!("templates/{name}")],
            &format!("{name} edit"),
        )
    };
    let (total, _) = rebuild(&opts, &mut s, &[], "before the template edits");
    let (_, reused) = rebuild(&opts, &mut s, &[], "before the template edits");
    let total = total + reused;
    assert_eq!(edit_template(&mut s, "robots.txt"), (1, total - 1));
    let reports = std::fs::read_dir(site.root().join("content/reports"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count();
    assert_eq!(
        edit_template(&mut s, "report.html"),
        (reports, total - reports)
    );
    // stats.json and stats.csv use no template.
    assert_eq!(edit_template(&mut s, "base.html"), (total - 2, 2));
}

#[test]
fn unknown_changes_read_everything_again() {
    let site = site_with_reports();
    let (opts, mut s) = session_for(&site, true);
    s.rebuild(&opts, None).unwrap();
    // Changed behind the session's back; `None` says "unknown".
    site.append("content/reports/gen-003.md", "\n悄悄改动。\n");
    let files = s.rebuild(&opts, None).unwrap();
    same(&files, &fresh(&opts), "unreported edit");
}

/// An article's list item shows fields only its front matter holds
/// (category, author, summary): each edit equals a fresh build, and a body
/// edit under its own summary renders its page only (its lists are reused).
#[test]
fn article_field_edits_equal_a_fresh_build() {
    let site = site_with_reports();
    let (opts, mut s) = session_for(&site, true);
    let rel = "content/articles/a1.md";
    let article = |category: &str, author: &str, summary: &str, body: &str| {
        format!("---\ntitle: 健康小贴士\ndate: 2024-03-01\ntags: [健康教育]\ncategory: {category}\nauthor: {author}\nsummary: {summary}\n---\n{body}\n")
    };
    site.write(rel, article("科普", "张三", "勤洗手。", "正文。"));
    rebuild(&opts, &mut s, &[], "first build");
    let steps = [
        (
            "category edit",
            article("防病", "张三", "勤洗手。", "正文。"),
        ),
        ("author edit", article("防病", "李四", "勤洗手。", "正文。")),
        (
            "summary edit",
            article("防病", "李四", "多通风。", "正文。"),
        ),
    ];
    for (step, text) in steps {
        site.write(rel, text);
        rebuild(&opts, &mut s, &[rel], step);
    }
    site.write(rel, article("防病", "李四", "多通风。", "改过的正文。"));
    let (rendered, _) = rebuild(&opts, &mut s, &[rel], "body edit");
    assert_eq!(rendered, 1, "only the article's own page shows its body");
}

#[test]
fn a_template_calling_stats_follows_figure_edits() {
    let site = common::Site::new("serve-site");
    site.write(
        "templates/robots.txt",
        "{% set s = stats() %}User-agent: *\n# 横幅合计 {{ s.totals[0].display }} {{ s.totals[0].unit }}\n",
    );
    let (opts, mut s) = session_for(&site, false);
    let robots = |files: &Files| String::from_utf8(files["robots.txt"].to_vec()).unwrap();
    rebuild(&opts, &mut s, &[], "first build");
    assert!(robots(&fresh(&opts)).contains("# 横幅合计 20 条"));
    // A figure edit changes `stats()`: pages whose templates call it follow.
    let rel = "content/reports/tao-le-2024.md";
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap();
    site.write(rel, text.replace("横幅: 8", "横幅: 10"));
    rebuild(&opts, &mut s, &[rel], "figure edit");
    assert!(robots(&fresh(&opts)).contains("# 横幅合计 22 条"));
}

#[test]
fn review_edits_equal_a_fresh_build() {
    let site = site_with_reports();
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        format!("{yaml}review:\n  required: [初审, 终审]\nreporting:\n  - {{types: [乡镇], every: year}}\n"),
    );
    let reviewed = |steps: &str| {
        format!("---\ntitle: 审核中的总结\nunit: 陶乐镇\ndate: 2023-05-05\ntags: [环境整治]\nreview:\n{steps}---\n正文。\n")
    };
    let doc = "content/reports/gen-005.md";
    // As `build` sees it (held back) and as `serve` does (shown with a banner).
    for unreviewed in [false, true] {
        let (mut opts, mut s) = session_for(&site, unreviewed);
        opts.unreviewed = unreviewed;
        // As `serve` builds it, with the desk.
        opts.desk = unreviewed.then_some(jianbao::diagnostics::Lang::En);
        site.write(doc, reviewed("  初审: 张明 2023-05-06\n"));
        rebuild(&opts, &mut s, &[], "first build, one step missing");
        for (step, steps) in [
            (
                "all steps passed",
                "  初审: 张明 2023-05-06\n  终审: 王强 2023-05-07\n",
            ),
            (
                "reviewer changed",
                "  初审: 李华 2023-05-06\n  终审: 王强 2023-05-07\n",
            ),
            ("a step taken back", "  终审: 王强 2023-05-07\n"),
        ] {
            site.write(doc, reviewed(steps));
            rebuild(
                &opts,
                &mut s,
                &[doc],
                &format!("{step} (unreviewed shown: {unreviewed})"),
            );
        }
        site.write(doc, reviewed("  初审: 张明 2023-05-06\n"));
    }
}

/// The checks `serve` caches per file (personal data, figures stated in
/// the text, shown on the desk) follow edits: a resident ID number added
/// to a report fails the build, and removing it builds again, equal to a
/// fresh build (a mobile number also by allowing it); a figure the text
/// states differently shows on the desk, and goes when fixed.
#[test]
fn cached_file_checks_follow_edits() {
    let site = site_with_reports();
    let (mut opts, mut s) = session_for(&site, true);
    opts.unreviewed = true;
    opts.desk = Some(jianbao::diagnostics::Lang::En);
    let desk = |files: &Files| String::from_utf8(files["_desk/index.html"].to_vec()).unwrap();
    let rel = "content/reports/gen-004.md";
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap();
    rebuild(&opts, &mut s, &[], "first build");

    let id = "11010519491231002X";
    site.write(rel, format!("{text}\n联系人身份证号{id}。\n"));
    let err = s.rebuild(&opts, Some(&[PathBuf::from(rel)]));
    let Err(jianbao::Error::Diagnostics(d)) = err else {
        panic!("an ID number must fail the build: {err:?}");
    };
    assert!(
        d.iter()
            .any(|d| d.is_error() && d.message.en.starts_with("personal data")),
        "{d:?}"
    );
    // Unrelated edits leave it failing (its findings are kept, not lost).
    site.append("content/reports/gen-005.md", "\n别处的改动。\n");
    assert!(s
        .rebuild(&opts, Some(&[PathBuf::from("content/reports/gen-005.md")]))
        .is_err());
    // Removed: builds again.
    site.write(rel, &text);
    rebuild(&opts, &mut s, &[rel], "ID number removed");

    // A mobile number allowed in site.yaml (a new seed for every file)
    // builds, as a fresh build does; taken off the list, it fails again.
    let mobile = "13912345678";
    site.write(rel, format!("{text}\n联系电话{mobile}。\n"));
    assert!(s.rebuild(&opts, Some(&[PathBuf::from(rel)])).is_err());
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        format!("{yaml}audit:\n  allow: [\"{mobile}\"]\n"),
    );
    rebuild(&opts, &mut s, &["site.yaml"], "mobile number allowed");
    site.write("site.yaml", &yaml);
    assert!(s
        .rebuild(&opts, Some(&[PathBuf::from("site.yaml")]))
        .is_err());
    site.write(rel, &text);
    rebuild(&opts, &mut s, &[rel], "mobile number removed");

    // The text states 横幅 5条, `stats:` has 4: a warning on the desk.
    site.write(rel, format!("{text}\n悬挂横幅5条。\n"));
    let files = s.rebuild(&opts, Some(&[PathBuf::from(rel)])).unwrap();
    same(&files, &fresh(&opts), "figure stated");
    assert!(desk(&files).contains("gen-004.md"), "the desk shows it");
    site.write(rel, &text);
    let files = s.rebuild(&opts, Some(&[PathBuf::from(rel)])).unwrap();
    same(&files, &fresh(&opts), "figure fixed");
    assert!(!desk(&files).contains("gen-004.md"));
}

/// `serve`'s session ([`Session::cold`]): its first build goes in batches
/// as `build`'s (equal to it, no page through the render cache), and a
/// failing one leaves it so; the rebuild after a good one reads and renders
/// everything, even told that nothing changed (a save may have come
/// meanwhile), and fills the caches: the next edit renders few pages.
#[test]
fn a_cold_session_builds_in_batches_then_fills_its_caches() {
    let site = site_with_reports();
    let (mut opts, mut s) = session_for(&site, true);
    s.session = Session::cold();
    opts.unreviewed = true;
    opts.desk = Some(jianbao::diagnostics::Lang::En);
    let rel = "content/reports/gen-004.md";
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap();
    site.write(rel, format!("{text}\n联系人身份证号11010519491231002X。\n"));
    assert!(s.rebuild(&opts, None).is_err(), "personal data fails it");
    assert!(!s.session.warming());
    site.write(rel, &text);
    let first = rebuild(&opts, &mut s, &[rel], "first good build");
    assert_eq!(first, (0, 0), "built in batches, through no cache");
    assert!(s.session.warming());

    site.append("content/reports/gen-005.md", "\n预热时的改动。\n");
    let (total, reused) = rebuild(&opts, &mut s, &[], "warm-up");
    assert_eq!(reused, 0);
    assert!(total > 150, "only {total} pages rendered");
    assert!(!s.session.warming());

    let gen7 = "content/reports/gen-007.md";
    site.append(gen7, "\n新增的一段正文。\n");
    let (rendered, reused) = rebuild(&opts, &mut s, &[gen7], "body edit");
    assert_eq!(rendered + reused, total);
    assert!(rendered * 5 < total, "{rendered} of {total} rendered");
}

/// More documents rendered afresh than a batch (the first build, a new
/// site path): the session keeps their bodies light and renders them again
/// for the search index and the pages, a batch at a time — with the same
/// output.
#[test]
fn light_bodies_equal_a_fresh_build() {
    let site = site_with_reports();
    let (mut opts, mut s) = session_for(&site, true);
    opts.batch = Some(7);
    let (total, _) = rebuild(&opts, &mut s, &[], "first build, light");
    let gen7 = "content/reports/gen-007.md";
    site.append(gen7, "\n新增的一段正文。\n");
    let (rendered, _) = rebuild(&opts, &mut s, &[gen7], "body edit, light");
    assert!(rendered * 5 < total, "{rendered} of {total}");
    let new = "content/reports/gen-new.md";
    site.write(
        new,
        report(
            "新的总结",
            "陶乐镇",
            "2024-03-03",
            "环境整治",
            3,
            "新的正文。",
        ),
    );
    rebuild(&opts, &mut s, &[new], "added, light");
    std::fs::remove_file(site.root().join(gen7)).unwrap();
    rebuild(&opts, &mut s, &[gen7], "removed, light");
}

/// `serve` keeps the model (and its statistics) when no document's fields
/// changed: a body edit reuses it; an edit of a report's unit, tags or
/// figures builds it again, and the pages and exports show the change.
#[test]
fn a_kept_model_follows_unit_tag_and_figure_edits() {
    let site = site_with_reports();
    let (opts, mut s) = session_for(&site, false);
    rebuild(&opts, &mut s, &[], "first build");
    rebuild(&opts, &mut s, &[], "no change");
    assert!(
        s.session.model_reused(),
        "nothing changed: the model is kept"
    );
    let rel = "content/reports/gen-008.md";
    let body = |s: &mut Preview, text: String, step: &str| -> Files {
        site.write(rel, text);
        let files = s.rebuild(&opts, Some(&[PathBuf::from(rel)])).unwrap();
        same(&files, &fresh(&opts), step);
        files
    };
    let text = |unit: &str, tags: &str, figure: u32, body: &str| {
        report("第八份", unit, "2023-09-09", tags, figure, body)
    };
    let csv_row = |files: &Files| -> String {
        let csv = String::from_utf8(files["stats/stats.csv"].to_vec()).unwrap();
        let row = csv.lines().find(|l| l.starts_with("gen-008,"));
        row.unwrap_or_else(|| panic!("no row of gen-008 in\n{csv}"))
            .to_string()
    };
    let files = body(&mut s, text("陶乐镇", "环境整治", 8, "正文。"), "fields");
    assert!(
        !s.session.model_reused(),
        "new fields build the model again"
    );
    assert!(csv_row(&files).contains(",陶乐镇,"), "{}", csv_row(&files));
    body(
        &mut s,
        text("陶乐镇", "环境整治", 8, "改过的正文。"),
        "body",
    );
    assert!(s.session.model_reused(), "a body edit keeps the model");
    // A title the model does not read: kept too, the page shows it.
    let title = report(
        "改名的第八份",
        "陶乐镇",
        "2023-09-09",
        "环境整治",
        8,
        "正文。",
    );
    let files = body(&mut s, title, "title");
    assert!(s.session.model_reused(), "a title edit keeps the model");
    let page = String::from_utf8_lossy(&files["reports/gen-008/index.html"]).into_owned();
    assert!(page.contains("改名的第八份"));

    let files = body(
        &mut s,
        text("县卫生健康局", "环境整治", 8, "正文。"),
        "unit",
    );
    assert!(!s.session.model_reused());
    assert!(
        csv_row(&files).contains(",县卫生健康局,"),
        "{}",
        csv_row(&files)
    );
    let files = body(
        &mut s,
        text("县卫生健康局", "环境整治", 4242, "正文。"),
        "figure",
    );
    assert!(!s.session.model_reused());
    assert!(csv_row(&files).contains(",4242,"), "{}", csv_row(&files));
    let json = String::from_utf8(files["stats/stats.json"].to_vec()).unwrap();
    assert!(json.contains("4242"), "the figure is aggregated");
    let files = body(
        &mut s,
        text("县卫生健康局", "zzq-fresh", 4242, "正文。"),
        "tags",
    );
    assert!(!s.session.model_reused());
    let tag = files
        .get("tags/zzq-fresh/index.html")
        .expect("the new tag's page");
    assert!(String::from_utf8_lossy(tag).contains("第八份"));
    let json = String::from_utf8(files["stats/stats.json"].to_vec()).unwrap();
    assert!(
        json.contains("\"zzq-fresh\""),
        "the tag's figures are aggregated"
    );
    // Back to a body edit: the model kept since the tag edit is reused.
    body(
        &mut s,
        text("县卫生健康局", "zzq-fresh", 4242, "又一次。"),
        "body again",
    );
    assert!(s.session.model_reused());
}
