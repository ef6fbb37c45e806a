//! Shared helpers for the integration tests: copy a fixture site into a
//! temporary folder, run the real `jianbao` binary on it in English or
//! Chinese, and inspect what it wrote (files, links, whole-tree snapshots).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod cdp;
pub mod http;
pub mod serve;

/// The language the binary is run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

impl Run {
    /// Panics with the full output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "`jianbao {}` exited {} (expected {code})\n{}",
            self.args.join(" "),
            self.code,
            self.dump()
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.expect_code(0)
    }

    /// Panics unless stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr of `jianbao {}` lacks {needle:?}\n{}",
            self.args.join(" "),
            self.dump()
        );
        self
    }

    /// Stdout and stderr, for failure messages.
    pub fn dump(&self) -> String {
        format!(
            "--- stdout ---\n{}--- stderr ---\n{}--------------",
            self.stdout, self.stderr
        )
    }

    /// The stderr line that names `path` and contains `needle`, if any.
    pub fn line_with(&self, path: &str, needle: &str) -> Option<&str> {
        self.stderr
            .lines()
            .find(|l| l.starts_with(path) && l.contains(needle))
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jianbao")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Runs `jianbao args…` in `cwd` with messages in `lang`.
pub fn run_in(cwd: &Path, lang: Lang, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    match lang {
        Lang::En => cmd.env("LANG", "en_US.UTF-8"),
        Lang::Zh => cmd.env("LANG", "zh_CN.UTF-8"),
    };
    let out = cmd.output().expect("run jianbao");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.iter().map(|s| s.to_string()).collect(),
    }
}

/// A fixture site copied into a temporary folder (never build in tests/fixtures).
pub struct Site {
    pub tmp: tempfile::TempDir,
}

impl Site {
    /// Copies `tests/fixtures/<name>` into `<tmp>/site`.
    pub fn new(name: &str) -> Site {
        let tmp = tempfile::tempdir().expect("tempdir");
        let src = fixtures().join(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        copy_dir(&src, &tmp.path().join("site"));
        Site { tmp }
    }

    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("site")
    }

    pub fn root_str(&self) -> String {
        self.root().to_string_lossy().into_owned()
    }

    /// The default output folder.
    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file below the site root (creating folders).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn append(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        let mut s = std::fs::read_to_string(&p).unwrap();
        s.push_str(text);
        std::fs::write(p, s).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root().join(rel)).unwrap();
    }

    /// Runs `jianbao <args…>` with the site root as working directory.
    pub fn run(&self, lang: Lang, args: &[&str]) -> Run {
        run_in(&self.root(), lang, args)
    }

    /// `jianbao build` into `public/` (extra arguments appended).
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        self.run(Lang::En, &args)
    }

    /// Builds and panics unless it succeeded.
    pub fn build_ok(&self, extra: &[&str]) -> Output {
        self.build(extra).ok();
        Output { dir: self.public() }
    }
}

/// A built site's output folder.
pub struct Output {
    pub dir: PathBuf,
}

impl Output {
    /// The file for a site path: `reports/x/` → `reports/x/index.html`.
    pub fn file(&self, site_path: &str) -> PathBuf {
        let p = site_path.trim_start_matches('/');
        if p.is_empty() || p.ends_with('/') {
            self.dir.join(p).join("index.html")
        } else {
            self.dir.join(p)
        }
    }

    pub fn exists(&self, site_path: &str) -> bool {
        self.file(site_path).is_file()
    }

    /// A generated file as text, with Tera's `&#x2F;` turned back into `/`
    /// so assertions can name URLs plainly.
    #[track_caller]
    pub fn read(&self, site_path: &str) -> String {
        let f = self.file(site_path);
        std::fs::read_to_string(&f)
            .map(|s| s.replace("&#x2F;", "/"))
            .unwrap_or_else(|e| {
                panic!(
                    "cannot read {} ({site_path}): {e}\nfiles: {:#?}",
                    f.display(),
                    self.list()
                )
            })
    }

    /// Every file, relative, `/`-separated.
    pub fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = walk(&self.dir)
            .into_iter()
            .map(|p| rel(&self.dir, &p))
            .collect();
        v.sort();
        v
    }
}

pub fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// All files below `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A byte-for-byte snapshot of a folder: relative path → contents.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| (rel(dir, &p), std::fs::read(&p).unwrap()))
        .collect()
}

/// Names directly inside `dir`.
pub fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Values of `attr="…"` attributes in `html`, HTML entities for `&` undone.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(rest[..end].replace("&amp;", "&").replace("&#x2F;", "/"));
        rest = &rest[end..];
    }
    out
}

pub fn hrefs(html: &str) -> Vec<String> {
    attr_values(html, "href")
}

/// Hrefs of report pages (`<base>reports/<slug>/`, not list pages), in page order.
pub fn report_links(html: &str, base_path: &str) -> Vec<String> {
    let prefix = format!("{base_path}reports/");
    hrefs(html)
        .into_iter()
        .filter_map(|h| {
            let slug = h.strip_prefix(&prefix)?.strip_suffix('/')?;
            (!slug.is_empty() && !slug.contains('/') && slug != "page").then(|| slug.to_string())
        })
        .collect()
}

/// `%E9%99%B6` → bytes → text.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An internal link found in a generated file.
#[derive(Debug)]
pub struct FoundLink {
    pub file: String,
    pub attr: &'static str,
    pub url: String,
}

/// Every internal `href`/`src` of every HTML file under `out`: relative
/// URLs and URLs on `host` (`https://x.cn`). External ones are skipped.
pub fn internal_links(out: &Path, host: &str) -> Vec<FoundLink> {
    let mut found = Vec::new();
    for f in walk(out) {
        if f.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&f).unwrap();
        for attr in ["href", "src"] {
            for v in attr_values(&html, attr) {
                if v.starts_with('#')
                    || v.starts_with("mailto:")
                    || v.starts_with("tel:")
                    || v.starts_with("javascript:")
                {
                    continue;
                }
                let url = if let Some(rest) = v.strip_prefix(host) {
                    rest.to_string()
                } else if v.contains("://") || v.starts_with("//") || v.starts_with("data:") {
                    continue;
                } else {
                    v.clone()
                };
                found.push(FoundLink {
                    file: rel(out, &f),
                    attr: if attr == "href" { "href" } else { "src" },
                    url,
                });
            }
        }
    }
    found
}

/// The output file an absolute URL path maps to, below `out`, once
/// `base_path` (`/sub/`) is stripped. `None` if the URL is not under it.
pub fn target_file(out: &Path, base_path: &str, url: &str) -> Option<PathBuf> {
    let path = url.split(['#', '?']).next().unwrap_or("");
    let rest = path.strip_prefix(base_path)?;
    let rest = percent_decode(rest);
    Some(if rest.is_empty() || rest.ends_with('/') {
        out.join(&rest).join("index.html")
    } else {
        out.join(&rest)
    })
}

/// Today's date in the local time zone, as `new` writes it.
pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// Whether browser tests must run (CI sets `JIANBAO_REQUIRE_BROWSER`).
pub fn browser_required() -> bool {
    std::env::var_os("JIANBAO_REQUIRE_BROWSER").is_some()
}
