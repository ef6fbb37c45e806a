//! Hostile or careless input (docs/security.md): each guarantee held
//! through the real binary on a copy of a fixture site.

mod common;

use common::serve::Server;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every file below `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)))
        .map(|p| rel(dir, &p))
        .collect()
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

const SECRET: &[u8] = b"root:x:0:0:TOP-SECRET-7f3a91";

/// Item 1: links under content/, static/, templates/ and themes/ that lead
/// outside the site root (files, folders, chains) are errors at the link's
/// path and nothing of their targets is written; links inside still work.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_refused_and_never_published() {
    let site = Site::new("basic");
    let root = site.root();
    let outside = site.tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(outside.join("passwd"), SECRET).unwrap();
    std::fs::write(outside.join("dir/notes.txt"), SECRET).unwrap();
    std::fs::write(outside.join("dir/base.html"), SECRET).unwrap();
    let links = [
        // A file attachment, a folder, a chain through an in-site link.
        ("content/reports/2024/x.txt", outside.join("passwd")),
        ("content/reports/2024/leak", outside.join("dir")),
        ("static/passwd.css", outside.join("passwd")),
        ("templates/partials", outside.join("dir")),
        ("content/hop.txt", root.join("content/reports/2024/x.txt")),
    ];
    for (at, to) in &links {
        link(to, &root.join(at));
    }
    // A report that links the attachment, and an in-site link that works.
    site.write(
        "content/reports/2024/att.md",
        "---\ntitle: 附件\nunit: 陶乐镇\ndate: 2024-02-02\n---\n[附件](x.txt)\n",
    );
    link(
        &root.join("content/reports/2024/photo.png"),
        &root.join("content/pages/photo-copy.png"),
    );
    for cmd in ["build", "check"] {
        let r = site.run(Lang::En, &[cmd]);
        r.expect_code(1);
        for (at, _) in &links {
            let line = r
                .line_with(at, "outside the site")
                .unwrap_or_else(|| panic!("`{cmd}` did not report {at}\n{}", r.dump()));
            assert!(line.contains("error"), "{line}");
        }
        r.stderr_has("hint: copy the file");
        assert!(
            r.line_with("content/pages/photo-copy.png", "").is_none(),
            "an in-site link was refused\n{}",
            r.dump()
        );
        assert!(!site.public().exists(), "a refused {cmd} wrote public/");
    }
    let zh = site.run(Lang::Zh, &["check"]);
    zh.expect_code(1).stderr_has("符号链接指向站点目录之外");

    // serve shows the errors instead of the site and never the secret.
    let s = Server::start(&root, "/");
    let page = s.get("/").expect("serve answers");
    assert_eq!(page.status, 500, "{}", page.text());
    assert!(
        page.text().contains("content/reports/2024/x.txt"),
        "{}",
        page.text()
    );
    for p in [
        "/reports/2024/x.txt",
        "/passwd.css",
        "/reports/2024/leak/notes.txt",
    ] {
        let r = s.get(p).expect("serve answers");
        assert!(!r.text().contains("TOP-SECRET"), "{p} leaked");
    }
    drop(s);

    // With the outside links gone, the in-site one is published.
    for (at, _) in &links {
        std::fs::remove_file(root.join(at)).unwrap();
    }
    site.remove("content/reports/2024/att.md");
    let out = site.build_ok(&[]);
    assert!(out.exists("pages/photo-copy.png"), "{:#?}", out.list());
    assert!(files_containing(&site.public(), b"TOP-SECRET").is_empty());
}

/// A secret linked in after a good build: the build fails and the earlier
/// output stays as it was, without the secret.
#[cfg(unix)]
#[test]
fn a_secret_linked_in_after_a_good_build_is_not_published() {
    let site = Site::new("basic");
    site.build_ok(&[]);
    let secret = site.tmp.path().join("secret");
    std::fs::write(&secret, SECRET).unwrap();
    link(&secret, &site.root().join("static/robots-extra.txt"));
    site.build(&[])
        .expect_code(1)
        .stderr_has("static/robots-extra.txt");
    assert!(files_containing(&site.public(), b"TOP-SECRET").is_empty());
}

/// Item 2: with raw HTML off, links and images with a script, file or
/// non-image data scheme, however written, are not emitted; their text is,
/// and `check` warns at `path:line:col`. A `cover:` likewise.
#[test]
fn script_urls_are_never_emitted() {
    let site = Site::new("basic");
    let body = "正文。\n\n\
        [点我](javascript:alert('r1')) [大写](JAVASCRIPT:alert('r2'))\n\
        [实体](&#106;avascript:alert('r3')) [制表](java&#x09;script:alert('r4'))\n\
        <vbscript:msgbox('r5')> ![图](data:text/html;base64,PHNjcmlwdD4=) [文件](file:///etc/passwd)\n\
        [引用][bad]\n\n[bad]: javascript:alert('r6')\n\n\
        [可以](https://www.example.gov.cn/) [邮件](mailto:a@example.gov.cn) ![像素](data:image/png;base64,iVBORw0KGgo=)\n";
    site.write(
        "content/reports/2024/links.md",
        format!("---\ntitle: 链接\nunit: 陶乐镇\ndate: 2024-03-03\n---\n{body}"),
    );
    site.write(
        "content/articles/cover.md",
        "---\ntitle: 封面\ndate: 2024-03-03\ncover: \" javascript:alert('r7')\"\n---\n正文\n",
    );
    let r = site.run(Lang::En, &["check"]);
    r.ok();
    let f = "content/reports/2024/links.md";
    for (line, col) in [
        (8, 1),
        (8, 30),
        (9, 1),
        (9, 35),
        (10, 1),
        (10, 25),
        (10, 66),
        (11, 1),
    ] {
        let at = format!("{f}:{line}:{col}: warning:");
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with(&at) && l.contains("removed")),
            "no warning at {at}\n{}",
            r.dump()
        );
    }
    assert!(
        r.line_with("content/articles/cover.md:4:", "`javascript:`")
            .is_some(),
        "{}",
        r.dump()
    );
    let zh = site.run(Lang::Zh, &["check"]);
    zh.ok().stderr_has("已移除 `javascript:` 地址");
    let out = site.build_ok(&[]);
    for file in walk(&out.dir) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for n in 1..=7 {
            assert!(
                !text.contains(&format!("alert('r{n}')\"")),
                "{}: r{n}",
                file.display()
            );
        }
        let lower = text.to_ascii_lowercase();
        for attr in [
            "href=\"javascript",
            "src=\"javascript",
            "href=\"vbscript",
            "href=\"file:",
            "src=\"data:text",
        ] {
            assert!(!lower.contains(attr), "{} has {attr}", file.display());
        }
    }
    let page = out.read("reports/links/");
    assert!(page.contains("点我 大写"), "the links' text is kept");
    assert!(page.contains("href=\"https://www.example.gov.cn/\""));
    assert!(page.contains("href=\"mailto:a@example.gov.cn\""));
    assert!(page.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""));
    assert!(
        !out.read("articles/cover/").contains("doc-cover"),
        "no cover image"
    );
}

fn report_with(front_extra: &str, body: &str) -> String {
    format!("---\ntitle: 测试\nunit: 陶乐镇\ndate: 2024-05-05\n{front_extra}---\n{body}")
}

/// Item 3: figures too large to hold, and totals too large to add, are
/// located errors (the editor's digits shown as written), never a panic.
#[test]
fn overflowing_figures_are_located_errors_not_panics() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/big.md",
        report_with(
            "stats:\n  横幅: \"79228162514264337593543950335亿\"\n  清理垃圾: 100000000000000000000000000000000000000000\n",
            "横幅79228162514264337593543950335亿条，清理垃圾99999999999999999999999999999999吨。\n",
        ),
    );
    // Three figures that fit, whose total does not.
    for i in 1..=3 {
        site.write(
            &format!("content/reports/2023/huge-{i}.md"),
            report_with(
                "stats:\n  投入资金: 70000000000000000000000000000\n",
                "正文\n",
            ),
        );
    }
    for cmd in ["build", "check", "stats"] {
        let r = site.run(Lang::En, &[cmd]);
        r.expect_code(1);
        assert!(!r.stderr.contains("panicked"), "{}", r.dump());
        let big = "content/reports/2024/big.md";
        let l = r
            .line_with(&format!("{big}:6:"), "too large")
            .unwrap_or_else(|| panic!("{}", r.dump()));
        assert!(l.contains("79228162514264337593543950335亿"), "{l}");
        let l = r
            .line_with(&format!("{big}:7:"), "too large")
            .unwrap_or_else(|| panic!("{}", r.dump()));
        assert!(
            l.contains("100000000000000000000000000000000000000000"),
            "shown as written: {l}"
        );
        assert!(
            !r.stderr.contains("1e41") && !r.stderr.contains("1e40"),
            "{}",
            r.dump()
        );
        let total = r
            .stderr
            .lines()
            .find(|l| l.starts_with("content/reports/2023/huge-") && l.contains("total exceeds"))
            .unwrap_or_else(|| panic!("no total error\n{}", r.dump()));
        assert!(total.contains(":6:"), "{total}");
    }
    site.run(Lang::Zh, &["check"])
        .expect_code(1)
        .stderr_has("太大，无法统计");
    // Figures YAML cannot hold as numbers but a figure can: read exactly.
    site.remove("content/reports/2024/big.md");
    for i in 1..=3 {
        site.remove(&format!("content/reports/2023/huge-{i}.md"));
    }
    let funds = || -> u128 {
        let r = site.run(Lang::En, &["stats", "--format", "csv"]);
        r.ok();
        let line = r.stdout.lines().find(|l| l.starts_with("funds,")).unwrap();
        line.split(',').nth(4).unwrap().parse().unwrap()
    };
    let before = funds();
    site.write(
        "content/reports/2024/long.md",
        report_with(
            "stats:\n  投入资金: 123456789012345678901234567\n",
            "正文\n",
        ),
    );
    assert_eq!(funds(), before + 123456789012345678901234567);
}

/// Item 3, last line: a panic anyway (injected through the test hook) is
/// one line naming the file, exit code 3, no backtrace, no staging left.
#[test]
fn an_internal_error_is_one_line_and_exit_code_3() {
    let site = Site::new("basic");
    site.build_ok(&[]);
    for (lang, needle) in [
        (Lang::En, "internal error, please report"),
        (Lang::Zh, "内部错误，请报告"),
    ] {
        for cmd in ["build", "check"] {
            let out = std::process::Command::new(bin())
                .arg(cmd)
                .current_dir(site.root())
                .env("JIANBAO_TEST_PANIC", "san-zhong-2024")
                .env("RUST_BACKTRACE", "1")
                .env(
                    "LANG",
                    if lang == Lang::En {
                        "en_US.UTF-8"
                    } else {
                        "zh_CN.UTF-8"
                    },
                )
                .env_remove("LC_ALL")
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{err}");
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 1, "one line only:\n{err}");
            assert!(lines[0].starts_with(needle), "{err}");
            assert!(
                lines[0].contains("content/reports/2024/san-zhong-2024.md"),
                "{err}"
            );
            assert!(
                !err.contains("backtrace") && !err.contains("panicked"),
                "{err}"
            );
        }
    }
    let left: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("jianbao-"))
        .collect();
    assert!(left.is_empty(), "staging left behind: {left:?}");
    assert!(
        site.public().join("index.html").is_file(),
        "previous output kept"
    );
}

/// Runs `jianbao check` and returns the run and its wall time.
fn timed_check(site: &Site) -> (Run, Duration) {
    let t = Instant::now();
    let r = site.run(Lang::En, &["check"]);
    (r, t.elapsed())
}

/// Item 4: front matter nested 100,000 levels deep (200 KB) and an alias
/// bomb fail fast with a located error.
#[test]
fn deep_nesting_and_alias_bombs_fail_fast() {
    let site = Site::new("basic");
    let depth = 100_000;
    let deep = format!("extra: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    site.write("content/reports/2024/deep.md", report_with(&deep, "正文\n"));
    let dash = format!("extra:\n  {}x\n", "- ".repeat(depth / 2));
    site.write("content/reports/2024/dash.md", report_with(&dash, "正文\n"));
    let mut bomb = String::from("extra:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (i, c) in "bcdefghi".chars().enumerate() {
        let p = "abcdefghi".as_bytes()[i] as char;
        bomb += &format!("  {c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
    }
    site.write("content/reports/2024/bomb.md", report_with(&bomb, "正文\n"));
    let (r, took) = timed_check(&site);
    r.expect_code(1);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    r.line_with("content/reports/2024/deep.md:5:", "nest more than")
        .unwrap_or_else(|| panic!("{}", r.dump()));
    r.line_with("content/reports/2024/dash.md:6:", "nest more than")
        .unwrap_or_else(|| panic!("{}", r.dump()));
    r.line_with("content/reports/2024/bomb.md:", "error")
        .unwrap_or_else(|| panic!("{}", r.dump()));
    // Nesting as real front matter uses it still works.
    site.remove("content/reports/2024/deep.md");
    site.remove("content/reports/2024/dash.md");
    site.remove("content/reports/2024/bomb.md");
    let fine = "extra:\n  a:\n    b: [[1, 2], {c: [3]}]\n    d:\n      - - e\n        - f\n";
    site.write("content/reports/2024/fine.md", report_with(fine, "正文\n"));
    site.run(Lang::En, &["check"]).ok();
}

/// `check` of one extra report of `n` repetitions of `unit`, timed.
fn check_scaled(unit: &str, n: usize, one_line: bool) -> Duration {
    let site = Site::new("basic");
    let sep = if one_line { "" } else { "\n" };
    let mut body = String::with_capacity((unit.len() + 1) * n + 64);
    if unit.starts_with('|') {
        body.push_str("| 单位 | 横幅 | 链接 |\n|---|---|---|\n");
    }
    for _ in 0..n {
        body.push_str(unit);
        body.push_str(sep);
    }
    site.write("content/reports/2024/big.md", report_with("", &body));
    let (r, took) = timed_check(&site);
    assert!(r.code == 0 || r.code == 1, "{}", r.dump());
    assert!(!r.stderr.contains("panicked"), "{}", r.dump());
    took
}

/// Item 4: a long body, a long table and one long line cost time in
/// proportion to their size: 8× the input may take at most ~3× the
/// proportional share (a quadratic cost would take 64×). Coarse on
/// purpose: speed goals proper are benches/.
#[test]
fn big_bodies_tables_and_lines_cost_linear_time() {
    let cases: [(&str, &str, usize, bool); 3] = [
        (
            "paragraphs",
            "陶乐镇开展环境卫生整治，清理垃圾600多吨，横幅8条。[坏链接](/nope/) **重点**\n",
            2_500,
            false,
        ),
        (
            "table rows",
            "| 陶乐镇 | 横幅8条 | [x](/nope/) |",
            1_250,
            false,
        ),
        ("one line", "字[x](/nope/) 清理垃圾600多吨 ", 2_000, true),
    ];
    for (what, unit, n, one_line) in cases {
        let small = check_scaled(unit, n, one_line);
        let large = check_scaled(unit, n * 8, one_line);
        let bound = small * 24 + Duration::from_secs(2);
        assert!(
            large < bound,
            "{what}: {n} took {small:?}, {} took {large:?} (bound {bound:?})",
            n * 8
        );
    }
}

/// Item 4 at full size: a 50 MB body, a 10,000-line table and a 1 MB
/// line. Run with `cargo test --release --test security -- --ignored`.
#[test]
#[ignore]
fn full_size_pathological_bodies_build() {
    for (unit, n, one_line) in [
        (
            "陶乐镇开展环境卫生整治，清理垃圾600多吨，横幅8条。**重点** [链接](https://e.cn/)\n",
            450_000,
            false,
        ),
        ("| 陶乐镇 | 横幅8条 | [x](/reports/) |", 10_000, false),
        ("字[x](/nope/) 清理垃圾600多吨 ", 40_000, true),
    ] {
        let took = check_scaled(unit, n, one_line);
        assert!(took < Duration::from_secs(60), "{n}× {unit:?}: {took:?}");
        eprintln!(
            "{n}× {:?}: {took:?}",
            unit.chars().take(12).collect::<String>()
        );
    }
}

/// Item 5: one run reports a bad date, an unknown unit, a bad figure, a
/// bad tag and broken links of the same report, and a report missing its
/// required keys still has its body checked.
#[test]
fn every_problem_of_a_document_in_one_run() {
    let site = Site::new("basic");
    site.write(
        "content/reports/2024/four.md",
        "---\ntitle: 四个问题\nunit: 陶乐真\ndate: 2024-13-45\ntags: [{a: 1}]\nstats:\n  横幅: 很多\n---\n正文[坏链接](/nope/)，![图](missing.png)\n",
    );
    site.write(
        "content/reports/2024/bare.md",
        "---\nstats:\n  横幅: 很多\n---\n[坏链接](../nowhere.md)\n",
    );
    site.write(
        "content/articles/no-date.md",
        "---\ntitle: 无日期\nunit: 不存在的单位\n---\n[坏链接](/missing/)\n",
    );
    for cmd in ["build", "check"] {
        let r = site.run(Lang::En, &[cmd]);
        r.expect_code(1);
        let f = "content/reports/2024/four.md";
        for (line, what) in [
            (3, "unknown unit `陶乐真`"),
            (4, "`date` is not a date"),
            (5, "item 1 of `tags`"),
            (7, "`横幅`: `很多` is not a figure"),
            (9, "broken link `/nope/`"),
            (9, "broken link `missing.png`"),
        ] {
            r.line_with(&format!("{f}:{line}:"), what)
                .unwrap_or_else(|| panic!("`{cmd}`: no {what:?} at {f}:{line}\n{}", r.dump()));
        }
        let b = "content/reports/2024/bare.md";
        for (line, what) in [
            (1, "missing required key `title`"),
            (1, "missing required key `unit`"),
            (1, "missing required key `date`"),
            (3, "is not a figure"),
            (5, "broken link `../nowhere.md`"),
        ] {
            r.line_with(&format!("{b}:{line}:"), what)
                .unwrap_or_else(|| panic!("`{cmd}`: no {what:?} at {b}:{line}\n{}", r.dump()));
        }
        let a = "content/articles/no-date.md";
        for what in [
            "missing required key `date`",
            "unknown unit",
            "broken link `/missing/`",
        ] {
            r.line_with(a, what)
                .unwrap_or_else(|| panic!("`{cmd}`: no {what:?} in {a}\n{}", r.dump()));
        }
        assert!(!r.stderr.contains("unknown unit ``"), "{}", r.dump());
        assert!(!site.public().exists());
    }
}

/// Item 6: `build` and `serve` remove the staging folders of dead builds
/// (a pid that cannot exist) and nothing else: not a live process's, not
/// other names, not files.
#[cfg(target_os = "linux")]
#[test]
fn stale_staging_folders_of_dead_builds_are_removed() {
    let site = Site::new("basic");
    let root = site.root();
    let mut live = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let plant = || {
        for d in [".public.jianbao-999999999", ".public.jianbao-999999998.old"] {
            site.write(&format!("{d}/reports/index.html"), "half-built");
        }
    };
    plant();
    let keep = [
        format!(".public.jianbao-{}", live.id()),
        ".public.jianbao-notapid".to_string(),
        ".other.jianbao-999999999".to_string(),
        "public-jianbao-999999999".to_string(),
    ];
    for d in &keep {
        site.write(&format!("{d}/x.txt"), "keep");
    }
    site.write(".public.jianbao-999999997", "a file, not a folder");
    site.build_ok(&[]);
    let gone = |d: &str| !root.join(d).exists();
    assert!(gone(".public.jianbao-999999999") && gone(".public.jianbao-999999998.old"));
    for d in &keep {
        assert!(root.join(d).join("x.txt").is_file(), "{d} was touched");
    }
    assert!(root.join(".public.jianbao-999999997").is_file());
    // `--output` elsewhere: the stale folders beside that output go.
    let out = site.tmp.path().join("www");
    std::fs::create_dir_all(site.tmp.path().join(".www.jianbao-999999999/a")).unwrap();
    site.build(&["--output", out.to_str().unwrap()]).ok();
    assert!(!site.tmp.path().join(".www.jianbao-999999999").exists());
    // serve tidies too.
    plant();
    let s = Server::start(&root, "/");
    assert!(gone(".public.jianbao-999999999") && gone(".public.jianbao-999999998.old"));
    drop(s);
    for d in &keep {
        assert!(
            root.join(d).join("x.txt").is_file(),
            "{d} was touched by serve"
        );
    }
    let _ = live.kill();
    let _ = live.wait();
}
