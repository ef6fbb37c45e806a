//! The commands around the build: atomic output, refused output folders,
//! `check` writing nothing, `init` and `new`.

mod common;

use common::*;

/// Site-root entries a build may leave behind: only the output folder.
fn assert_no_leftovers(site: &Site, before: &std::collections::BTreeSet<String>) {
    let now = entries(&site.root());
    let extra: Vec<_> = now.difference(before).filter(|n| *n != "public").collect();
    assert!(
        extra.is_empty(),
        "the build left {extra:?} in the site root"
    );
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let site = Site::new("basic");
    site.build_ok(&[]);
    let before = snapshot(&site.public());
    assert!(
        before.len() > 30,
        "first build wrote only {} files",
        before.len()
    );
    let root_before = entries(&site.root());

    // A content error, then a template error (found only while rendering).
    site.write(
        "content/reports/2024/bad.md",
        "---\ntitle: 坏文件\nunit: 不存在的单位\ndate: 2024-01-02\n---\n正文。\n",
    );
    site.build(&[]).expect_code(1);
    assert_eq!(
        snapshot(&site.public()),
        before,
        "public/ changed after a failed build"
    );
    assert_no_leftovers(&site, &root_before);

    site.remove("content/reports/2024/bad.md");
    site.write("templates/unit.html", "{{ no_such_variable.field }}");
    let root_before = entries(&site.root());
    site.build(&[])
        .expect_code(1)
        .stderr_has("templates/unit.html");
    assert_eq!(
        snapshot(&site.public()),
        before,
        "public/ changed after a failed render"
    );
    assert_no_leftovers(&site, &root_before);

    // And a good build afterwards replaces it, leaving nothing else behind.
    site.remove("templates/unit.html");
    site.write(
        "content/pages/new.md",
        "---\ntitle: 新页面\n---\n新内容。\n",
    );
    let root_before = entries(&site.root());
    let out = site.build_ok(&[]);
    assert!(
        out.exists("/new/"),
        "the next good build was not swapped in"
    );
    assert_no_leftovers(&site, &root_before);
}

#[test]
fn build_refuses_dangerous_output_folders() {
    let site = Site::new("basic");
    let root = site.root_str();
    let parent = site.tmp.path().to_string_lossy().into_owned();
    let other = site.tmp.path().join("other-site");
    std::fs::create_dir_all(other.join("content")).unwrap();
    std::fs::write(other.join("content/keep.md"), "keep").unwrap();
    let other = other.to_string_lossy().into_owned();
    let content = format!("{root}/content");
    let before = snapshot(site.tmp.path());
    for (out, why) in [
        (root.as_str(), "the site root"),
        (".", "the site root, relative"),
        (parent.as_str(), "an ancestor of the site root"),
        ("..", "an ancestor, relative"),
        (other.as_str(), "a folder holding content/"),
        (content.as_str(), "the site's content/ folder"),
    ] {
        for lang in [Lang::En, Lang::Zh] {
            let r = site.run(lang, &["build", "--output", out]);
            assert_eq!(
                r.code,
                2,
                "--output {out} ({why}) was not refused with exit 2\n{}",
                r.dump()
            );
            assert!(
                r.stderr.contains(if lang == Lang::En {
                    "error: "
                } else {
                    "错误："
                }),
                "{}",
                r.dump()
            );
        }
    }
    assert_eq!(
        snapshot(site.tmp.path()),
        before,
        "a refused build changed files"
    );
    // An explicit folder outside the root is fine.
    let elsewhere = site.tmp.path().join("elsewhere");
    site.build(&["--output", &elsewhere.to_string_lossy()]).ok();
    assert!(elsewhere.join("index.html").is_file());
}

#[test]
fn check_writes_nothing() {
    let site = Site::new("basic");
    let before = snapshot(&site.root());
    let r = site.run(Lang::En, &["check"]);
    r.ok();
    assert_eq!(
        snapshot(&site.root()),
        before,
        "check changed the site folder"
    );

    site.write(
        "content/pages/links.md",
        "---\ntitle: 链接\n---\n见[不存在](/reports/nope/)。\n",
    );
    let before = snapshot(&site.root());
    for lang in [Lang::En, Lang::Zh] {
        let r = site.run(lang, &["check"]);
        r.expect_code(1)
            .stderr_has("content/pages/links.md:4:")
            .stderr_has("/reports/nope/");
    }
    assert_eq!(
        snapshot(&site.root()),
        before,
        "check changed the site folder"
    );
    assert!(!site.public().exists());
}

#[test]
fn a_link_to_a_draft_is_broken_unless_drafts_are_built() {
    let site = Site::new("basic");
    site.write(
        "content/pages/to-draft.md",
        "---\ntitle: 指向草稿\n---\n见[草稿](/reports/tao-le-zhen-cao-gao/)。\n",
    );
    site.run(Lang::En, &["check"])
        .expect_code(1)
        .stderr_has("content/pages/to-draft.md:4:");
    site.build(&[]).expect_code(1);
    site.run(Lang::En, &["check", "--drafts"]).ok();
    site.build_ok(&["--drafts"]);
}

#[test]
fn init_scaffolds_a_site_that_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-site");
    let r = run_in(tmp.path(), Lang::En, &["init", "new-site"]);
    r.ok();
    assert!(
        dir.join("site.yaml").is_file() && dir.join("content").is_dir(),
        "init wrote: {:?}",
        walk(&dir)
    );
    let r = run_in(&dir, Lang::En, &["build"]);
    r.ok();
    let out = Output {
        dir: dir.join("public"),
    };
    for p in [
        "/",
        "/reports/",
        "/units/",
        "/articles/",
        "/tags/",
        "/feed.xml",
    ] {
        assert!(
            out.exists(p),
            "{p} missing after init + build: {:#?}",
            out.list()
        );
    }
    assert!(
        out.list()
            .iter()
            .any(|f| f.starts_with("reports/") && f != "reports/index.html"),
        "the scaffold has no report page"
    );
    run_in(&dir, Lang::En, &["check"]).ok();
    // An existing site is not overwritten.
    let before = snapshot(&dir);
    let r = run_in(tmp.path(), Lang::En, &["init", "new-site"]);
    assert_eq!(r.code, 2, "init over an existing site\n{}", r.dump());
    assert_eq!(snapshot(&dir), before, "init touched an existing site");
}

#[test]
fn init_into_an_empty_existing_folder() {
    let tmp = tempfile::tempdir().unwrap();
    run_in(tmp.path(), Lang::Zh, &["init"]).ok();
    run_in(tmp.path(), Lang::Zh, &["build"]).ok();
    assert!(tmp.path().join("public/index.html").is_file());
}

#[test]
fn new_report_is_dated_today_and_never_overwrites() {
    let site = Site::new("basic");
    let root = site.root_str();
    let before_day = today();
    let r = site.run(
        Lang::En,
        &[
            "new",
            "report",
            "reports/2024/x.md",
            "--title",
            "新的总结",
            "--unit",
            "陶乐镇",
            "--root",
            &root,
        ],
    );
    r.ok();
    let after_day = today();
    let file = site.root().join("content/reports/2024/x.md");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("new did not create {}: {e}\n{}", file.display(), r.dump()));
    assert!(text.starts_with("---\n"), "no front matter:\n{text}");
    assert!(
        text.contains("新的总结") && text.contains("陶乐镇"),
        "title/unit missing:\n{text}"
    );
    assert!(
        text.contains(&format!("date: {before_day}"))
            || text.contains(&format!("date: {after_day}")),
        "not dated today ({before_day}):\n{text}"
    );
    // The new report builds as is and lands on its unit's page.
    let out = site.build_ok(&[]);
    assert!(out.exists("/reports/x/"), "the new report was not built");
    assert!(
        out.read("/units/tao-le-zhen/").contains("/reports/x/"),
        "the new report is not on its unit's page"
    );

    // A second `new` on the same path refuses and keeps the file.
    std::fs::write(&file, "edited by hand").unwrap();
    for lang in [Lang::En, Lang::Zh] {
        let r = site.run(
            lang,
            &[
                "new",
                "report",
                "reports/2024/x.md",
                "--title",
                "T",
                "--unit",
                "U",
                "--root",
                &root,
            ],
        );
        assert_ne!(r.code, 0, "new overwrote an existing file\n{}", r.dump());
        assert!(
            r.stderr.contains("x.md"),
            "the refusal does not name the file\n{}",
            r.dump()
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "edited by hand");
}

#[test]
fn new_article() {
    let site = Site::new("basic");
    let root = site.root_str();
    site.run(
        Lang::En,
        &[
            "new",
            "article",
            "articles/lao-nian-jian-kang.md",
            "--title",
            "老年人健康",
            "--root",
            &root,
        ],
    )
    .ok();
    let text = std::fs::read_to_string(site.root().join("content/articles/lao-nian-jian-kang.md"))
        .unwrap();
    assert!(
        text.contains("老年人健康") && text.contains(&format!("date: {}", today())),
        "{text}"
    );
    let out = site.build_ok(&[]);
    assert!(out.exists("/articles/lao-nian-jian-kang/"));
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::new("basic");
    for args in [
        &["build", "--no-such-flag"][..],
        &["frobnicate"][..],
        &["new", "memo", "x.md"][..],
    ] {
        let r = site.run(Lang::En, args);
        assert_eq!(
            r.code,
            2,
            "`jianbao {}` should be a usage error\n{}",
            args.join(" "),
            r.dump()
        );
    }
    // A bad --base-url is the command line's fault, not site.yaml's.
    for lang in [Lang::En, Lang::Zh] {
        let r = site.run(lang, &["build", "--base-url", "example.cn/sub"]);
        assert_eq!(
            r.code,
            2,
            "a malformed --base-url should be a usage error\n{}",
            r.dump()
        );
        assert!(
            r.stderr.contains("--base-url") && !r.stderr.contains("site.yaml"),
            "the error must name --base-url, not site.yaml\n{}",
            r.dump()
        );
    }
    assert!(!site.public().exists());
    let r = site.run(
        Lang::En,
        &[
            "new",
            "report",
            "../../escape.md",
            "--root",
            &site.root_str(),
        ],
    );
    assert_eq!(
        r.code,
        2,
        "new outside content/ must be refused\n{}",
        r.dump()
    );
    assert!(!site.tmp.path().join("escape.md").exists());
}

#[test]
fn lc_all_overrides_lang() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/bad.md",
        "---\ntitle: 坏\nunit: 陶乐镇\ndate: 不是日期\n---\n",
    );
    let out = std::process::Command::new(bin())
        .arg("build")
        .current_dir(site.root())
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "en_US.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: ") && !stderr.contains("错误："),
        "LC_ALL=en_US must win over LANG=zh_CN:\n{stderr}"
    );
    let out = std::process::Command::new(bin())
        .arg("build")
        .current_dir(site.root())
        .env("LANG", "C")
        .env("LC_ALL", "zh_CN.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("错误：") && stderr.contains("不是有效日期"),
        "LC_ALL=zh_CN must give Chinese:\n{stderr}"
    );
}
