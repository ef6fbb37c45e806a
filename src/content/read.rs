//! Reading one Markdown file under `content/` into a document: decode,
//! split the front matter, then one reader per kind (report, article, page,
//! unit) taking its fields through [`Fields`], which reports unknown keys
//! and misplaced values where they are written.

use super::number;
use super::{
    Article, Common, Date, Doc, Located, Page, Period, Report, Source, SourceText, Stat, Unit,
    UNIT_TYPES,
};
use crate::config::Config;
use crate::diagnostics::{text, Diagnostic, Text};
use crate::fields::Fields;
use crate::yaml::{self, Value};
use crate::{fs, source};
use std::path::Path;
use std::sync::Arc;

/// `keep`: the document keeps its text (see [`Source::texts`]).
pub(super) fn load_file(
    (root, keep): (&Arc<Path>, bool),
    path: &Path,
    rel: &str,
    config: &Config,
) -> (Option<Doc>, Vec<Diagnostic>) {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let _processing = crate::current::processing(&shown);
    let section = rel.split('/').next().unwrap_or("");
    let kind = match (section, rel.contains('/')) {
        ("reports", true) => "report",
        ("articles", true) => "article",
        ("pages", true) => "page",
        ("units", true) if rel.matches('/').count() == 1 => "unit",
        _ => {
            let w = Diagnostic::warning(
                &shown,
                0,
                0,
                text!(
                "Markdown file outside reports/, articles/, pages/ and units/ is ignored";
                "不在 reports/、articles/、pages/、units/ 下的 Markdown 文件被忽略"),
            )
            .with_hint(text!("move it into one of those folders"; "请把它移到上述目录之一"));
            return (None, vec![w]);
        }
    };
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return (
                None,
                vec![Diagnostic::error(
                    &shown,
                    0,
                    0,
                    text!("cannot read: {}", e.source; "无法读取：{}", e.source),
                )],
            )
        }
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let text = match source::decode(bytes, &shown) {
        Ok(t) => t,
        Err(d) => return (None, vec![d]),
    };
    let split = match source::split_front_matter(&text, &shown) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let map = match yaml::parse_mapping(split.front) {
        Ok(m) => m,
        Err(e) => {
            let d = Diagnostic::error(&shown, e.line + split.front_line - 1, e.col, text!(
                "invalid front matter: {}", e.message; "元数据格式错误：{}", e.message))
            .with_hint(text!(
                "each line is `key: value`; indent with spaces, not tabs; quote text containing `: ` or starting with `[`, `{{`, `*`, `&`";
                "每行应为 `键: 值`；缩进用空格而不是 Tab；含有 `: ` 或以 `[`、`{{`、`*`、`&` 开头的文本请加引号"));
            return (None, vec![d]);
        }
    };
    let stem = Path::new(rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (front_line, body_line) = (split.front_line, split.body_line);
    let found = super::ranges(&text, &split);
    let text = SourceText::new(text, found);
    // Fields locate keys in the front matter; the text itself goes to
    // the source, kept or not.
    let front = text.front().to_string();
    let src = Source {
        fields: Source::fields_hash(rel, front_line, &front),
        shown: shown.clone(),
        rel: rel.to_string(),
        stem,
        body_line,
        front_line,
        hash,
        root: root.clone(),
        kept: keep.then(|| Box::new(text)),
    };
    let mut f = Fields::new(map, &front, &shown, front_line);
    let doc = match kind {
        "report" => read_report(&mut f, src, config).map(|r| Doc::Report(Arc::new(r))),
        "article" => read_article(&mut f, src, config).map(|a| Doc::Article(Arc::new(a))),
        "page" => read_page(&mut f, src).map(|p| Doc::Page(Arc::new(p))),
        _ => read_unit(&mut f, src).map(|u| Doc::Unit(Box::new(u))),
    };
    let allowed: &[&str] = match kind {
        "report" => &[
            "title", "unit", "date", "period", "tags", "stats", "summary", "author", "editor",
            "source", "slug", "draft", "review", "extra",
        ],
        "article" => &[
            "title", "date", "tags", "category", "unit", "summary", "author", "editor", "source",
            "cover", "slug", "draft", "review", "extra",
        ],
        "page" => &["title", "slug", "draft", "extra"],
        _ => &[
            "name",
            "type",
            "parent",
            "aliases",
            "order",
            "reporting",
            "extra",
        ],
    };
    let diags = f.finish(allowed);
    // A document whose required fields parsed is kept even when other keys
    // had errors, so unit names and links in it are checked in the same run;
    // the errors still fail the build before anything is written.
    (doc, diags)
}

fn read_common(f: &mut Fields, src: Source) -> Option<Common> {
    let title = f.required_str("title", "陶乐镇2024年创卫工作总结");
    let slug = f.str("slug").and_then(|s| {
        let (line, col) = f.value_pos("slug");
        let s = s.trim().to_string();
        if s.is_empty() || s.contains(['/', '\\']) || s.contains("..") || s == "." || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            f.error("slug", text!("`slug` must be a single URL segment without `/`, `\\`, `..` or spaces, found `{}`", s;
                                  "`slug` 必须是单个网址片段，不能含 `/`、`\\`、`..` 或空格，实际为 `{}`", s),
                    Some(text!("for example `slug: tao-le-zhen-2024`"; "例如 `slug: tao-le-zhen-2024`")));
            None
        } else {
            Some(Located { value: s, line, col })
        }
    });
    let draft = f.bool("draft").unwrap_or(false);
    let extra = f
        .raw("extra")
        .map(|v| yaml::to_json(&v))
        .unwrap_or(serde_json::Value::Null);
    // A missing title was reported; the file name stands in so the
    // document's other problems are still found (see `PLACEHOLDER_DATE`).
    let title = title.unwrap_or_else(|| src.stem.clone());
    Some(Common {
        src,
        title,
        slug,
        draft,
        extra,
    })
}

/// Stands in for a required date that is missing or invalid. That
/// problem is an error, so the build fails before anything is written;
/// keeping the document lets the same run report its other problems
/// (its unit, figures, tags, links and attachments) instead of hiding them.
const PLACEHOLDER_DATE: Date = Date {
    year: 1970,
    month: 1,
    day: 1,
    time: None,
};

/// A required date in any of the forms `Date::parse` accepts.
fn read_date(f: &mut Fields, key: &str) -> Option<Date> {
    let s = f.required_str(key, "2024-12-20")?;
    let date = Date::parse(&s);
    if date.is_none() {
        f.error(key, text!("`{}` is not a date: `{}`", key, s; "`{}` 不是有效日期：`{}`", key, s),
                Some(text!("write it as `2024-12-20` or `2024年12月20日`"; "请写成 `2024-12-20` 或 `2024年12月20日`")));
    }
    date
}

fn located_str(f: &mut Fields, key: &str) -> Option<Located<String>> {
    let (line, col) = f.value_pos(key);
    f.str(key).map(|s| Located {
        value: s.trim().to_string(),
        line,
        col,
    })
}

fn read_report(f: &mut Fields, src: Source, config: &Config) -> Option<Report> {
    let common = read_common(f, src);
    let unit = {
        let (line, col) = f.value_pos("unit");
        f.required_str("unit", "陶乐镇")
            .map(|value| Located { value, line, col })
    };
    let date = read_date(f, "date");
    let period = f.str("period").and_then(|s| match Period::parse(&s) {
        Some(p) => Some(p),
        None => {
            f.error("period", text!("`period` is not a reporting period: `{}`", s; "`period` 不是有效的报告期：`{}`", s),
                    Some(text!("write `2024`, `2024-H1` (half year), `2024-Q3` (quarter) or `2024-05` (month)";
                               "请写成 `2024`（全年）、`2024-H1`（半年）、`2024-Q3`（季度）或 `2024-05`（月）")));
            None
        }
    });
    let tags = f.str_list("tags");
    let stats = read_stats(f, config);
    let summary = f.str("summary");
    let author = f.str("author");
    let editor = f.str("editor");
    let source = f.str("source");
    let review = crate::review::read(f, &config.review);
    let date = date.unwrap_or(PLACEHOLDER_DATE);
    Some(Report {
        common: common?,
        // A missing unit was reported; an empty name is never looked up.
        unit: unit.unwrap_or(Located {
            value: String::new(),
            line: 0,
            col: 0,
        }),
        period: period.unwrap_or(Period::Year(date.year)),
        date,
        tags,
        stats,
        summary,
        author,
        editor,
        source,
        review,
    })
}

fn read_stats(f: &mut Fields, config: &Config) -> Vec<Stat> {
    let Some(map) = f.mapping("stats") else {
        return Vec::new();
    };
    let mut s = f.nested("stats", map.clone());
    let mut out: Vec<Stat> = Vec::new();
    for (k, v) in map {
        let key = yaml::show(&k);
        let (line, col) = s.pos(&key);
        let Some(metric) = config.metric_index(&key) else {
            let names = config
                .metrics
                .iter()
                .flat_map(|m| [m.id.as_str(), m.label.as_str()]);
            let hint = match crate::diagnostics::closest(&key, names) {
                Some(c) => {
                    text!("did you mean `{}`? Metrics are declared under `metrics:` in site.yaml", c;
                                 "是否想写 `{}`？指标在 site.yaml 的 `metrics:` 中声明", c)
                }
                None => {
                    text!("declare it under `metrics:` in site.yaml, or use one of: {}", metric_list(config, ", ");
                              "请在 site.yaml 的 `metrics:` 中声明，或使用已声明的指标：{}", metric_list(config, "、"))
                }
            };
            let val = yaml::show(&v);
            s.error_at((line, col), text!("undeclared metric `{}` (value `{}`)", key, val; "未声明的统计指标 `{}`（值为 `{}`）", key, val), Some(hint));
            continue;
        };
        // A number is read from the digits as written: YAML reads large
        // or long ones as floats, which round and print as `1e40`.
        let written = match &v {
            Value::Number(_) => s
                .written(&key)
                .filter(|w| w.bytes().all(|b| b.is_ascii_digit() || b == b'.')),
            _ => None,
        };
        let figure = match (&v, &written) {
            (_, Some(w)) => number::parse_figure_checked(w),
            (Value::Number(n), None) => match n.as_f64().filter(|x| *x >= 0.0) {
                Some(x) => number::parse_figure(&n.to_string())
                    .ok_or(number::FigureError::Invalid)
                    .or_else(|_| number::parse_figure_checked(&x.to_string())),
                None => Err(number::FigureError::Invalid),
            },
            (Value::String(t), None) => number::parse_figure_checked(t),
            _ => Err(number::FigureError::Invalid),
        };
        let (vl, vc) = (line, s.value_pos(&key).1);
        let figure = match figure {
            Ok(f) => f,
            Err(e) => {
                let val = written.unwrap_or_else(|| yaml::show(&v));
                let (msg, hint) = figure_problem(&key, &val, e);
                s.error_at((vl, vc), msg, Some(hint));
                continue;
            }
        };
        if let Some(prev) = out.iter().find(|st| st.metric == metric) {
            let m = &config.metrics[metric];
            s.error_at((line, col), text!("metric `{}` ({}) is given twice (first on line {})", m.id, m.label, prev.line;
                                          "指标 `{}`（{}）重复填写（第一次在第 {} 行）", m.id, m.label, prev.line),
                       Some(text!("keep one of the two lines"; "请只保留其中一行")));
            continue;
        }
        out.push(Stat {
            metric,
            figure,
            line: vl,
            col: vc,
        });
    }
    f.diags.append(&mut s.diags);
    out
}

/// The message and hint for a `stats:` value that is not a figure.
fn figure_problem(key: &str, val: &str, e: number::FigureError) -> (Text, Text) {
    match e {
        number::FigureError::TooLarge => (
            text!("`{}`: `{}` is too large to count (figures stop at about 7.9 × 10^28)", key, val;
                  "`{}` 的值 `{}` 太大，无法统计（上限约为 7.9 × 10^28）", key, val),
            text!("check the figure for extra digits or a wrong unit (万/亿)";
                  "请检查数字是否多写了位数或单位（万/亿）写错"),
        ),
        number::FigureError::Invalid => (
            text!("`{}`: `{}` is not a figure", key, val; "`{}` 的值 `{}` 不是有效数字", key, val),
            text!("write a number such as `600`, `1.2万`, `3亿`, or `\"600多\"` / `\"2024余\"` for at least that many";
                  "请写数字，如 `600`、`1.2万`、`3亿`，表示“以上”可写 `\"600多\"` 或 `\"2024余\"`"),
        ),
    }
}

fn metric_list(config: &Config, sep: &str) -> String {
    if config.metrics.is_empty() {
        return "(none)".into();
    }
    config
        .metrics
        .iter()
        .map(|m| format!("{} ({})", m.label, m.id))
        .collect::<Vec<_>>()
        .join(sep)
}

fn read_article(f: &mut Fields, src: Source, config: &Config) -> Option<Article> {
    let common = read_common(f, src);
    let date = read_date(f, "date");
    let tags = f.str_list("tags");
    let category = f
        .str("category")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let unit = located_str(f, "unit");
    let summary = f.str("summary");
    let author = f.str("author");
    let editor = f.str("editor");
    let source = f.str("source");
    let cover = located_str(f, "cover");
    let review = crate::review::read(f, &config.review);
    Some(Article {
        common: common?,
        date: date.unwrap_or(PLACEHOLDER_DATE),
        tags,
        category,
        unit,
        summary,
        author,
        editor,
        source,
        cover,
        review,
    })
}

fn read_page(f: &mut Fields, src: Source) -> Option<Page> {
    Some(Page {
        common: read_common(f, src)?,
    })
}

fn read_unit(f: &mut Fields, src: Source) -> Option<Unit> {
    let name = f.required_str("name", "陶乐镇");
    let kind = match f.str("type") {
        None => "其他".to_string(),
        Some(t) if UNIT_TYPES.contains(&t.trim()) => t.trim().to_string(),
        Some(t) => {
            f.error("type", text!("unknown unit type `{}`", t; "未知的单位类型 `{}`", t),
                    Some(text!("use one of {}", UNIT_TYPES.join(", "); "可选：{}", UNIT_TYPES.join("、"))));
            "其他".to_string()
        }
    };
    let parent = f.str("parent");
    let aliases = f.str_list("aliases");
    let order = f.uint("order");
    let reporting = crate::schedule::read_unit(f);
    let extra = f
        .raw("extra")
        .map(|v| yaml::to_json(&v))
        .unwrap_or(serde_json::Value::Null);
    let id = src.stem.clone();
    let name = name.unwrap_or_else(|| id.clone());
    Some(Unit {
        src,
        id,
        name,
        kind,
        parent,
        aliases,
        order,
        reporting,
        extra,
    })
}
