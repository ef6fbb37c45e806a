//! Which templates and static files a build uses: the default theme compiled
//! into the binary, overlaid by `themes/<name>/`, overlaid by the site's own
//! `templates/` and `static/` (the site wins).

use crate::config::Config;
use crate::diagnostics::{text, Diagnostic};
use crate::{fs, source};
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a static file's bytes come from.
#[derive(Debug, Clone)]
pub enum StaticSrc {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

impl StaticSrc {
    pub fn bytes(&self) -> fs::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            StaticSrc::Disk(p) => fs::read(p).map(std::borrow::Cow::Owned),
            StaticSrc::Embedded(b) => Ok(std::borrow::Cow::Borrowed(b)),
        }
    }
}

/// A template's source and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct TemplateSrc {
    pub text: String,
    pub shown: PathBuf,
}

#[derive(Debug, Default)]
pub struct ThemeFiles {
    /// Template name (`report.html`, `partials/meta.html`) → source.
    pub templates: BTreeMap<String, TemplateSrc>,
    /// Output path (`style.css`) → bytes source.
    pub statics: BTreeMap<String, StaticSrc>,
}

fn walk_embedded(dir: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static [u8])>) {
    for f in dir.files() {
        out.push((f.path(), f.contents()));
    }
    for d in dir.dirs() {
        walk_embedded(d, out);
    }
}

fn is_template(name: &str) -> bool {
    [".html", ".xml", ".txt", ".json", ".js", ".css"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Collects the theme layers for `config.theme`.
pub fn load(root: &Path, config: &Config) -> Result<ThemeFiles, Vec<Diagnostic>> {
    let mut files = ThemeFiles::default();
    let mut diags = Vec::new();
    let mut embedded = Vec::new();
    walk_embedded(&DEFAULT_THEME, &mut embedded);
    for (path, bytes) in embedded {
        let p = path.to_string_lossy().replace('\\', "/");
        if let Some(name) = p.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            files.templates.insert(
                name.to_string(),
                TemplateSrc {
                    text,
                    shown: PathBuf::from(format!("(built-in theme)/templates/{name}")),
                },
            );
        } else if let Some(name) = p.strip_prefix("static/") {
            files
                .statics
                .insert(name.to_string(), StaticSrc::Embedded(bytes));
        }
    }
    let theme_dir = root.join("themes").join(&config.theme);
    if theme_dir.is_dir() {
        overlay(
            root,
            &theme_dir.join("templates"),
            &theme_dir.join("static"),
            &mut files,
            &mut diags,
        );
    } else if config.theme != "default" {
        diags.push(
            Diagnostic::error(
                crate::config::FILE,
                0,
                0,
                text!("theme `{}` not found: no folder themes/{}/", config.theme, config.theme;
            "找不到主题 `{}`：没有 themes/{}/ 目录", config.theme, config.theme),
            )
            .with_hint(
                text!("remove `theme:` to use the built-in default theme, or add the theme folder";
                             "删除 `theme:` 以使用内置默认主题，或添加该主题目录"),
            ),
        );
    }
    overlay(
        root,
        &root.join("templates"),
        &root.join("static"),
        &mut files,
        &mut diags,
    );
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(files)
    }
}

fn overlay(
    root: &Path,
    templates: &Path,
    statics: &Path,
    files: &mut ThemeFiles,
    diags: &mut Vec<Diagnostic>,
) {
    for (dir, is_tpl) in [(templates, true), (statics, false)] {
        if !dir.is_dir() {
            continue;
        }
        let inside = fs::Inside::new(root);
        let mut outside = Vec::new();
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| match inside.escape(e) {
                Some(target) => {
                    outside.push((e.path().to_path_buf(), target));
                    false
                }
                None => true,
            });
        for entry in walker {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file()
                || fs::is_temp_file(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            if is_tpl {
                if !is_template(&rel) {
                    continue;
                }
                match fs::read(path)
                    .map_err(|e| {
                        Diagnostic::error(
                            &shown,
                            0,
                            0,
                            text!("cannot read: {}", e.source; "无法读取：{}", e.source),
                        )
                    })
                    .and_then(|b| source::decode(b, &shown))
                {
                    Ok(text) => {
                        files.templates.insert(rel, TemplateSrc { text, shown });
                    }
                    Err(d) => diags.push(d),
                }
            } else {
                files
                    .statics
                    .insert(rel, StaticSrc::Disk(path.to_path_buf()));
            }
        }
        for (path, target) in outside {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            diags.push(fs::link_outside(shown, &target));
        }
    }
}
