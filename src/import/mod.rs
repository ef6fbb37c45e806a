//! `jianbao import`: Word (.docx; .doc/.wps through LibreOffice) and text
//! files into reports under `content/reports/<year>/`, with the title,
//! unit, date, period and figures the document states. Reading is in
//! `docx`/`wordml`/`text`/`doc`, the 公文 structure in `gongwen`, the front
//! matter in `infer`, the body in `markdown`. It sits beside the build
//! pipeline: it reads the site's configuration and unit registry, and
//! writes Markdown files that the next build loads like any other.

mod doc;
mod docx;
mod gongwen;
mod infer;
mod markdown;
mod model;
mod ooxml;
mod text;
mod wordml;
#[cfg(test)]
mod wordml_tests;

use crate::config::{Config, SlugMode};
use crate::content::number::format_figure;
use crate::content::{self, Content};
use crate::diagnostics::{text, Text};
use crate::site::slug::slugify;
use crate::{fs, Error};
use markdown::Picture;
use model::{Doc, Dropped, Out};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// What `jianbao import` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    pub paths: Vec<PathBuf>,
    /// `--to`: a folder under `content/reports/`.
    pub to: Option<PathBuf>,
    /// `--unit`: the unit of every document imported.
    pub unit: Option<String>,
    pub force: bool,
    pub dry_run: bool,
    /// `--date-from-file`: without a date in the text, the file's modified time.
    pub date_from_file: bool,
}

/// One imported document.
#[derive(Debug, Clone)]
pub struct Imported {
    pub input: PathBuf,
    /// Relative to the site root.
    pub output: PathBuf,
    pub title: Option<String>,
    pub unit: Option<String>,
    pub date: Option<String>,
    pub period: Option<String>,
    pub figures: usize,
    pub pictures: usize,
    pub tables: usize,
    /// Guesses, values not found, what was left out.
    pub notes: Vec<Text>,
}

/// What happened to one path.
#[derive(Debug, Clone)]
pub enum Outcome {
    Imported(Imported),
    Failed(PathBuf, Text),
    /// A file inside a folder that is not a document.
    Skipped(PathBuf),
}

const KINDS: [&str; 4] = ["docx", "doc", "wps", "txt"];
/// Larger input files are refused before reading.
const MAX_INPUT: u64 = 200 << 20;

fn kind_of(p: &Path) -> Option<String> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    KINDS.contains(&ext.as_str()).then_some(ext)
}

/// `--to` as a path relative to the root, when it lies under `content/reports/`.
fn target_dir(root: &Path, to: &Path) -> Result<PathBuf, Error> {
    let rel = if to.is_absolute() {
        let root_abs = fs::canonicalize(root)?;
        let parent = to
            .parent()
            .map(|p| std::fs::canonicalize(p).unwrap_or(p.to_path_buf()));
        let joined = match (parent, to.file_name()) {
            (Some(p), Some(n)) => p.join(n),
            _ => to.to_path_buf(),
        };
        joined
            .strip_prefix(&root_abs)
            .map(Path::to_path_buf)
            .unwrap_or(joined)
    } else {
        to.to_path_buf()
    };
    let ok = !rel.is_absolute()
        && rel.components().all(|c| matches!(c, Component::Normal(_)))
        && rel.starts_with(Path::new(content::DIR).join("reports"));
    if ok {
        Ok(rel)
    } else {
        Err(Error::Usage(
            text!("--to must name a folder under content/reports/ of the site (imported documents are reports), found `{}`", to.display();
                               "--to 应为站点 content/reports/ 下的目录（导入的文档都是工作总结），实际为 `{}`", to.display()),
        ))
    }
}

/// The documents `paths` name, folders searched recursively.
fn expand(paths: &[PathBuf]) -> Vec<Result<PathBuf, Outcome>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            files.sort();
            for f in files {
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if fs::is_temp_file(name) {
                    continue;
                }
                out.push(if kind_of(&f).is_some() {
                    Ok(f)
                } else {
                    Err(Outcome::Skipped(f))
                });
            }
        } else if !p.exists() {
            out.push(Err(Outcome::Failed(
                p.clone(),
                text!("no such file or folder"; "文件或目录不存在"),
            )));
        } else if kind_of(p).is_none() {
            out.push(Err(Outcome::Failed(p.clone(), text!("not a .docx, .doc, .wps or .txt file"; "不是 .docx、.doc、.wps 或 .txt 文件"))));
        } else {
            out.push(Ok(p.clone()));
        }
    }
    out
}

/// Reads a document of any supported kind; notes say how.
fn read_doc(path: &Path, notes: &mut Vec<Text>) -> Result<Doc, Text> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_INPUT {
        return Err(
            text!("larger than {} MB: refused", MAX_INPUT >> 20; "文件超过 {} MB，已拒绝", MAX_INPUT >> 20),
        );
    }
    let bytes = std::fs::read(path).map_err(|e| text!("cannot read: {}", e; "无法读取：{}", e))?;
    match kind_of(path).as_deref() {
        Some("txt") => {
            let (doc, enc) = text::read(&bytes)?;
            if enc != "UTF-8" {
                notes.push(text!("read as {}", enc; "按 {} 编码读取", enc));
            }
            Ok(doc)
        }
        Some("doc" | "wps") => {
            let docx = doc::to_docx(path, &bytes)?;
            notes.push(text!("converted by LibreOffice"; "已经 LibreOffice 转换"));
            docx::read(docx)
        }
        _ => {
            if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
                return Err(
                    text!("an old binary Word file named .docx: rename it to .doc (read through LibreOffice) or save it again as .docx";
                                 "这是以 .docx 命名的旧版二进制 Word 文件：请改名为 .doc（将通过 LibreOffice 读取），或重新另存为 .docx"),
                );
            }
            docx::read(bytes)
        }
    }
}

fn dropped_notes(d: &Dropped, notes: &mut Vec<Text>) {
    let mut parts: Vec<Text> = Vec::new();
    if d.text_boxes > 0 {
        parts.push(text!("{} text box(es)", d.text_boxes; "文本框 {} 个", d.text_boxes));
    }
    if d.comments > 0 {
        parts.push(text!("{} comment(s)", d.comments; "批注 {} 条", d.comments));
    }
    if d.headers_footers {
        parts.push(text!("headers/footers"; "页眉页脚"));
    }
    if d.objects > 0 {
        parts.push(text!("{} embedded object(s) (charts, formulas, OLE)", d.objects; "嵌入对象 {} 个（图表、公式等）", d.objects));
    }
    if d.pictures > 0 {
        parts.push(text!("{} picture(s) in formats browsers cannot show (EMF/WMF/TIFF)", d.pictures; "网页无法显示的图片 {} 张（EMF/WMF/TIFF）", d.pictures));
    }
    if !parts.is_empty() {
        let en: Vec<&str> = parts.iter().map(|t| t.en.as_str()).collect();
        let zh: Vec<&str> = parts.iter().map(|t| t.zh.as_str()).collect();
        notes.push(text!("left out: {}", en.join(", "); "未导入：{}", zh.join("、")));
    }
}

/// A slug of at most ~80 characters, cut at a hyphen.
fn short_slug(s: &str, mode: SlugMode) -> String {
    let slug = slugify(s, mode);
    if slug.chars().count() <= 80 {
        return slug;
    }
    let cut: String = slug.chars().take(80).collect();
    match cut.rfind('-') {
        Some(i) if i > 20 => cut[..i].to_string(),
        _ => cut,
    }
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Everything inferred for one document.
struct Front {
    title: Option<String>,
    unit: Option<String>,
    date: Option<String>,
    period: Option<String>,
    source: Option<String>,
}

fn infer_unit(
    opts: &Options,
    s: &gongwen::Structured,
    content: &Content,
    notes: &mut Vec<Text>,
) -> Option<String> {
    let units = &content.units;
    if let Some(u) = &opts.unit {
        if !content.has_registry {
            return Some(u.clone());
        }
        return match infer::registered(u, units) {
            Some((unit, _)) => Some(unit.name.clone()),
            None => {
                notes.push(text!("--unit {} is not in content/units/", u; "--unit {} 不在 content/units/ 中", u));
                Some(u.clone())
            }
        };
    }
    if !content.has_registry {
        return s.signoff_unit.as_deref().map(infer::short_name);
    }
    if let Some(line) = &s.signoff_unit {
        match infer::registered(line, units) {
            Some((u, infer::Found::Exact)) => return Some(u.name.clone()),
            Some((u, infer::Found::Closest)) => {
                notes.push(text!("unit {} is the closest registered name to the sign-off `{}`: check it", u.name, line;
                                 "单位“{}”是与落款“{}”最接近的登记名称，请核对", u.name, line));
                return Some(u.name.clone());
            }
            None => {}
        }
    }
    s.title
        .as_deref()
        .and_then(|t| infer::in_title(t, units))
        .map(|u| u.name.clone())
}

fn infer_front(
    opts: &Options,
    path: &Path,
    s: &gongwen::Structured,
    content: &Content,
    notes: &mut Vec<Text>,
) -> Front {
    let unit = infer_unit(opts, s, content, notes);
    let mut date = s
        .signoff_date
        .as_deref()
        .and_then(infer::find_date)
        .map(|d| d.0);
    if date.is_none() {
        date = s.title.as_deref().and_then(infer::find_date).map(|d| d.0);
    }
    if date.is_none() && opts.date_from_file {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        date = modified.map(|t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .format("%Y-%m-%d")
                .to_string()
        });
        if date.is_some() {
            notes.push(text!("date taken from the file's modified time"; "日期取自文件的修改时间"));
        }
    }
    let period = s.title.as_deref().and_then(infer::period);
    let mut missing: Vec<(&str, &str)> = Vec::new();
    if s.title.is_none() {
        missing.push(("title", "标题"));
    }
    if unit.is_none() {
        missing.push(("unit (use --unit)", "单位（可用 --unit 指定）"));
    }
    if date.is_none() {
        missing.push((
            "date (or use --date-from-file)",
            "日期（或用 --date-from-file）",
        ));
    }
    if !missing.is_empty() {
        let en: Vec<&str> = missing.iter().map(|m| m.0).collect();
        let zh: Vec<&str> = missing.iter().map(|m| m.1).collect();
        notes.push(
            text!("not found, fill in: {}", en.join(", "); "未能识别，请填写：{}", zh.join("、")),
        );
    }
    Front {
        title: s.title.clone(),
        unit,
        date,
        period,
        source: s.signoff_unit.clone(),
    }
}

/// The front matter; values not found are comments for the editor to fill in.
fn front_matter(f: &Front, stats: &[infer::Extracted]) -> String {
    let mut y = String::from("---\n");
    match &f.title {
        Some(t) => y += &format!("title: {}\n", yaml_str(t)),
        None => y += "# title: 未能识别，请填写标题\n",
    }
    match &f.unit {
        Some(u) => y += &format!("unit: {}\n", yaml_str(u)),
        None => y += "# unit: 未能识别，请填写单位\n",
    }
    match &f.date {
        Some(d) => y += &format!("date: {d}\n"),
        None => y += "# date: 未能识别，请填写日期，如 2024-04-10\n",
    }
    if let Some(p) = &f.period {
        y += &format!("period: {}\n", yaml_str(p));
    }
    if let Some(s) = &f.source {
        y += &format!("source: {}\n", yaml_str(s));
    }
    if !stats.is_empty() {
        y += "stats:\n";
        for e in stats {
            let shown = format_figure(&e.figure);
            let value = if shown.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                shown
            } else {
                yaml_str(&shown)
            };
            let mut comment = String::from("# 自动提取，请核对");
            if !e.others.is_empty() {
                let others: Vec<String> = e.others.iter().map(format_figure).collect();
                comment += &format!("（正文另有 {}）", others.join("、"));
            }
            let label = &e.metric.label;
            let plain = label.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !label.starts_with(|c: char| c.is_ascii_digit());
            let key = if plain {
                label.clone()
            } else {
                yaml_str(label)
            };
            y += &format!("  {key}: {value}  {comment}\n");
        }
    }
    y += "---\n";
    y
}

/// Planned outputs of this run, so two documents never write one file.
#[derive(Default)]
struct Planned {
    paths: HashSet<PathBuf>,
    stems: HashSet<String>,
}

fn import_one(
    opts: &Options,
    config: &Config,
    content: &Content,
    to: Option<&Path>,
    path: &Path,
    planned: &mut Planned,
) -> Outcome {
    let mut notes = Vec::new();
    let doc = match read_doc(path, &mut notes) {
        Ok(d) => d,
        Err(reason) => return Outcome::Failed(path.to_path_buf(), reason),
    };
    let s = gongwen::read(&doc);
    let front = infer_front(opts, path, &s, content, &mut notes);
    let stem_src = front.title.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("report")
            .to_string()
    });
    let mut slug = short_slug(&stem_src, config.slugs);
    if slug.is_empty() {
        slug = "report".into();
    }
    let year = front
        .date
        .as_deref()
        .or(front.period.as_deref())
        .map(|d| d[..4].to_string());
    let dir = match (to, &year) {
        (Some(t), _) => t.to_path_buf(),
        (None, Some(y)) => Path::new(content::DIR).join("reports").join(y),
        (None, None) => Path::new(content::DIR).join("reports"),
    };
    // Slugs are global: another report with this file name elsewhere gets a suffix here.
    let taken = |stem: &str, planned: &Planned| {
        let here = dir.join(format!("{stem}.md"));
        planned.stems.contains(stem)
            || content
                .reports
                .iter()
                .any(|r| r.common.src.stem == stem && r.common.src.shown != here)
    };
    let base = slug.clone();
    let mut n = 2;
    while taken(&slug, planned) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let output = dir.join(format!("{slug}.md"));
    let pictures: Vec<Picture> = doc
        .images
        .iter()
        .enumerate()
        .map(|(i, img)| Picture {
            file: format!("{slug}-{}.{}", i + 1, img.ext),
            alt: img.alt.clone().unwrap_or_else(|| format!("图{}", i + 1)),
        })
        .collect();
    let targets: Vec<PathBuf> = std::iter::once(output.clone())
        .chain(pictures.iter().map(|p| dir.join(&p.file)))
        .collect();
    if !opts.force {
        if let Some(t) = targets
            .iter()
            .find(|t| opts.root.join(t).exists() || planned.paths.contains(*t))
        {
            return Outcome::Failed(
                path.to_path_buf(),
                text!("{} exists; use --force to overwrite it", t.display(); "{} 已存在；如需覆盖请加 --force", t.display()),
            );
        }
    }
    let body = markdown::body(&s.blocks, &doc, &pictures);
    let stats = infer::stats(&body, &config.metrics);
    let md = format!("{}\n{}", front_matter(&front, &stats), body);
    dropped_notes(&doc.dropped, &mut notes);
    if !opts.dry_run {
        let write = || -> Result<(), fs::FsError> {
            fs::write(&opts.root.join(&output), md.as_bytes())?;
            for (p, img) in pictures.iter().zip(&doc.images) {
                fs::write(&opts.root.join(&dir).join(&p.file), &img.data)?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            return Outcome::Failed(
                path.to_path_buf(),
                text!("cannot write: {}", e; "无法写入：{}", e),
            );
        }
    }
    planned.stems.insert(slug);
    planned.paths.extend(targets);
    Outcome::Imported(Imported {
        input: path.to_path_buf(),
        output,
        title: front.title,
        unit: front.unit,
        date: front.date,
        period: front.period,
        figures: stats.len(),
        pictures: pictures.len(),
        tables: s
            .blocks
            .iter()
            .filter(|b| matches!(b, Out::Table(_)))
            .count(),
        notes,
    })
}

/// Imports every document `opts.paths` names.
pub fn run(opts: &Options) -> Result<Vec<Outcome>, Error> {
    let config = Config::load(&opts.root, None).map_err(Error::Diagnostics)?;
    let to = opts
        .to
        .as_deref()
        .map(|t| target_dir(&opts.root, t))
        .transpose()?;
    let (content, _) = content::load(&opts.root, &config, content::Include::drafts(true));
    let mut planned = Planned::default();
    let mut out = Vec::new();
    for item in expand(&opts.paths) {
        out.push(match item {
            Ok(path) => import_one(opts, &config, &content, to.as_deref(), &path, &mut planned),
            Err(o) => o,
        });
    }
    Ok(out)
}

impl Outcome {
    /// The line printed for it.
    pub fn line(&self) -> Text {
        match self {
            Outcome::Imported(i) => {
                let mut en = Vec::new();
                let mut zh = Vec::new();
                if let Some(u) = &i.unit {
                    en.push(format!("unit {u}"));
                    zh.push(format!("单位 {u}"));
                }
                if let Some(d) = &i.date {
                    en.push(format!("date {d}"));
                    zh.push(format!("日期 {d}"));
                }
                if let Some(p) = &i.period {
                    en.push(format!("period {p}"));
                    zh.push(format!("期间 {p}"));
                }
                en.push(format!("{} figure(s)", i.figures));
                zh.push(format!("{} 项数字", i.figures));
                if i.pictures > 0 {
                    en.push(format!("{} picture(s)", i.pictures));
                    zh.push(format!("{} 张图片", i.pictures));
                }
                if i.tables > 0 {
                    en.push(format!("{} table(s)", i.tables));
                    zh.push(format!("{} 个表格", i.tables));
                }
                let mut line = text!("{} → {}: {}", i.input.display(), i.output.display(), en.join(", ");
                                     "{} → {}：{}", i.input.display(), i.output.display(), zh.join("，"));
                for n in &i.notes {
                    line.en += &format!("; {}", n.en);
                    line.zh += &format!("；{}", n.zh);
                }
                line
            }
            Outcome::Failed(p, why) => {
                text!("{}: error: {}", p.display(), why.en; "{}：错误：{}", p.display(), why.zh)
            }
            Outcome::Skipped(p) => {
                text!("{}: skipped (not a .docx, .doc, .wps or .txt file)", p.display();
                                         "{}：已跳过（不是 .docx、.doc、.wps 或 .txt 文件）", p.display())
            }
        }
    }
}

/// The closing line: how many imported, failed, skipped.
pub fn summary(outcomes: &[Outcome], dry_run: bool) -> Text {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let ok = count(|o| matches!(o, Outcome::Imported(_)));
    let failed = count(|o| matches!(o, Outcome::Failed(..)));
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let mut t = if dry_run {
        text!("would import {} document(s) (dry run: nothing written)", ok; "将导入 {} 个文档（试运行，未写入任何文件）", ok)
    } else {
        text!("imported {} document(s)", ok; "已导入 {} 个文档", ok)
    };
    if failed > 0 {
        t.en += &format!(", {failed} failed");
        t.zh += &format!("，{failed} 个失败");
    }
    if skipped > 0 {
        t.en += &format!(", {skipped} file(s) skipped");
        t.zh += &format!("，跳过 {skipped} 个文件");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Aggregate, Metric};

    #[test]
    fn front_matter_with_figures_to_check() {
        let m = Metric {
            id: "seedlings".into(),
            label: "栽植苗木".into(),
            unit: "株".into(),
            aggregate: Aggregate::Sum,
            aliases: vec!["栽植各类苗木".into()],
        };
        let metrics = [m];
        // 陶乐镇's seed: a total, then its parts.
        let body =
            "栽植各类苗木154277株，其中：生态园栽植各类苗木81250株，镇区栽植各类苗木17222株。";
        let stats = infer::stats(body, &metrics);
        let f = Front {
            title: Some("陶乐镇2023年创卫工作总结: \"初稿\"".into()),
            unit: Some("陶乐镇".into()),
            date: None,
            period: Some("2023".into()),
            source: None,
        };
        assert_eq!(
            front_matter(&f, &stats),
            "---\ntitle: \"陶乐镇2023年创卫工作总结: \\\"初稿\\\"\"\nunit: \"陶乐镇\"\n# date: 未能识别，请填写日期，如 2024-04-10\n\
             period: \"2023\"\nstats:\n  栽植苗木: 154277  # 自动提取，请核对（正文另有 81250、17222）\n---\n"
        );
        assert!(short_slug(&"很".repeat(60), SlugMode::Pinyin).len() <= 80);
    }
}
