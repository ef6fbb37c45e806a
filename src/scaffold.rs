//! `jianbao init` and `jianbao new`: files an editor starts from.

use crate::diagnostics::{text, Text};
use crate::{fs, Error};
use std::path::{Path, PathBuf};

const SITE_YAML: &str = r#"# 站点配置 Site configuration — see README.md
title: 创卫工作信息平台
base_url: https://www.example.gov.cn/
description: 各单位创建卫生城市工作总结与健康教育信息
language: zh-CN
paginate: 20
metrics:
  - id: banners
    label: 横幅
    unit: 条
    aggregate: sum
  - id: garbage
    label: 清理垃圾
    unit: 吨
    aggregate: sum
  - id: funds
    label: 投入资金
    unit: 元
    aggregate: sum
# 报送规则（jianbao status、预览中的编辑工作台 /_desk/）：哪些单位多久报送一次
# reporting:
#   - {types: [乡镇, 街道], every: quarter, due_days: 15}
#   - {types: [学校], every: half}
#   - {types: [机关], every: year}
# 三审三校：缺少任一环节的文档不发布（serve 和 build --drafts 中可预览）
# review:
#   required: [初审, 复审, 终审]
"#;

const UNIT: &str = "---\nname: 示例镇\ntype: 乡镇\nparent: 示例县\naliases: [示例镇人民政府]\norder: 1\n---\n示例镇位于县城东部，本页介绍该单位的基本情况。\n";

const REPORT: &str = "---\ntitle: 示例镇2024年创卫工作总结\nunit: 示例镇\ndate: 2024-12-20\ntags: [宣传教育, 环境整治]\nstats:\n  横幅: 8\n  清理垃圾: \"600多\"\n  funds: 1.2万\nsource: 示例镇人民政府\n---\n今年以来，我镇围绕创建卫生城市目标，广泛开展宣传教育和环境整治。\n\n## 一、主要工作\n\n共制作横幅8条，清理垃圾600多吨，投入资金1.2万元。\n\n## 二、下步打算\n\n进一步健全长效机制。\n";

const ARTICLE: &str = "---\ntitle: 夏季灭蚊从清除积水做起\ndate: 2024-06-15\ncategory: 病媒生物防制\ntags: [病媒生物防制]\n---\n蚊子在积水中繁殖。每周清理一次花盆托盘、废旧轮胎和积水容器，就能大大减少蚊虫。\n";

const PAGE: &str =
    "---\ntitle: 关于本站\nslug: about\n---\n本站发布各单位创卫工作总结和健康教育知识。\n";

/// Creates a site in `dir` that builds as is. Refuses a folder that already holds one.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if dir.join(crate::config::FILE).exists() || dir.join(crate::content::DIR).exists() {
        return Err(Error::Usage(
            text!("`{}` already holds a site (site.yaml or content/)", dir.display();
                                      "`{}` 中已有站点（site.yaml 或 content/）", dir.display()),
        ));
    }
    let files: [(&str, &str); 5] = [
        ("site.yaml", SITE_YAML),
        ("content/units/shi-li-zhen.md", UNIT),
        ("content/reports/2024/shi-li-zhen-2024.md", REPORT),
        ("content/articles/xia-ji-mie-wen.md", ARTICLE),
        ("content/pages/about.md", PAGE),
    ];
    let mut made = Vec::new();
    for (rel, body) in files {
        let p = dir.join(rel);
        fs::write(&p, body.as_bytes())?;
        made.push(p);
    }
    fs::create_dir_all(&dir.join("static"))?;
    Ok(made)
}

/// What `jianbao new` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Report,
    Article,
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Creates a new report or article at `rel` (relative to `content/`, the
/// section folder may be left out) dated `today`.
pub fn new_document(
    root: &Path,
    kind: NewKind,
    rel: &Path,
    title: Option<&str>,
    unit: Option<&str>,
    today: &str,
) -> Result<PathBuf, Error> {
    let section = match kind {
        NewKind::Report => "reports",
        NewKind::Article => "articles",
    };
    let mut rel = rel.to_string_lossy().replace('\\', "/");
    if rel
        .split('/')
        .any(|s| s == ".." || s.is_empty() && rel.starts_with('/'))
    {
        return Err(Error::Usage(
            text!("the path must stay inside content/, e.g. {}/2024/x.md", section;
                                      "路径必须位于 content/ 之内，例如 {}/2024/x.md", section),
        ));
    }
    if let Some(r) = rel.strip_prefix("content/") {
        rel = r.to_string();
    }
    if !rel.starts_with(&format!("{section}/")) {
        rel = format!("{section}/{rel}");
    }
    if !rel.ends_with(".md") {
        rel.push_str(".md");
    }
    let path = root.join(crate::content::DIR).join(&rel);
    if path.exists() {
        return Err(Error::Usage(
            text!("{} already exists", path.display(); "{} 已存在", path.display()),
        ));
    }
    let stem = Path::new(&rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = title.map(str::to_string).unwrap_or(stem);
    let body = match kind {
        NewKind::Report => format!(
            "---\ntitle: {}\nunit: {}\ndate: {today}\ntags: []\nstats: {{}}\nsource:\n---\n（在此写工作总结正文。）\n\n## 一、主要工作\n\n## 二、存在问题\n\n## 三、下步打算\n",
            yaml_quote(&title),
            yaml_quote(unit.unwrap_or("请填写单位")),
        ),
        NewKind::Article => format!(
            "---\ntitle: {}\ndate: {today}\ncategory:\ntags: []\n{}---\n（在此写文章正文。）\n",
            yaml_quote(&title),
            unit.map(|u| format!("unit: {}\n", yaml_quote(u))).unwrap_or_default(),
        ),
    };
    fs::write(&path, body.as_bytes())?;
    Ok(path)
}

/// Message for a created file.
pub fn created(path: &Path) -> Text {
    text!("created {}", path.display(); "已创建 {}", path.display())
}

/// The URL a document created by `new` at `path` will have: its section and
/// the slug of its file name, under `base_url`. None when `site.yaml` does
/// not load (the build reports why).
pub fn new_url(root: &Path, kind: NewKind, path: &Path) -> Option<String> {
    let config = crate::config::Config::load(root, None).ok()?;
    let stem = path.file_stem()?.to_string_lossy();
    let slug = crate::site::slug::slugify(&stem, config.slugs);
    let section = match kind {
        NewKind::Report => "reports",
        NewKind::Article => "articles",
    };
    Some(config.full_url(&format!("{section}/{slug}/")))
}

/// Message for the URL of a created file.
pub fn will_be_at(url: &str) -> Text {
    text!("its URL: {} (set `slug:` to change it)", url; "网址：{}（可用 `slug:` 修改）", url)
}
