//! Hostile or careless input (docs/security.md): each guarantee held
//! through the real binary on a copy of a fixture site.

mod common;

use common::serve::Server;
use common::*;
use std::path::Path;

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
