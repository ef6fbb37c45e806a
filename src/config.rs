//! `site.yaml`: read it with every problem located, fill in the defaults, and
//! resolve it into the [`Config`] the rest of the pipeline uses.

pub use crate::config_audit::{AuditConfig, Identity};
use crate::diagnostics::{text, Diagnostic};
use crate::fields::Fields;
use crate::yaml::{self, Value};
use crate::{fs, source};
use std::path::Path;

pub const FILE: &str = "site.yaml";

/// How slugs are made from Chinese titles and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlugMode {
    Pinyin,
    Unicode,
}

/// How a metric's values combine across reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    Sum,
    Max,
    Min,
    Avg,
    Latest,
}

impl Aggregate {
    pub const NAMES: [&'static str; 5] = ["sum", "max", "min", "avg", "latest"];

    fn parse(s: &str) -> Option<Aggregate> {
        Some(match s {
            "sum" => Aggregate::Sum,
            "max" => Aggregate::Max,
            "min" => Aggregate::Min,
            "avg" => Aggregate::Avg,
            "latest" => Aggregate::Latest,
            _ => return None,
        })
    }
}

/// A declared statistic (`metrics:` in site.yaml).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Metric {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub aggregate: Aggregate,
    /// Other names reports use for it in prose (`栽植各类苗木` for
    /// 栽植苗木); the figures check and `jianbao import` look for them too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The resolved site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// As written, without a trailing slash (`https://host/cw`).
    pub base_url: String,
    /// The path part of `base_url`, with leading and trailing slash (`/cw/`).
    pub base_path: String,
    pub description: String,
    pub language: String,
    pub theme: String,
    pub paginate: usize,
    pub slugs: SlugMode,
    pub metrics: Vec<Metric>,
    pub unsafe_html: bool,
    pub search: bool,
    pub feed: bool,
    pub extra: serde_json::Value,
    /// `reporting:`: which units report how often.
    pub reporting: Vec<crate::schedule::Rule>,
    /// `review.required`: the review steps every document must pass (empty: no gate).
    pub review: Vec<String>,
    /// `stats_reporting: true`: /stats/ shows the 报送情况 matrix.
    pub stats_reporting: bool,
    /// `identity:` (网站标识码, filings, contact).
    pub identity: Identity,
    /// `audit:` (allow-list, wording pairs, thresholds).
    pub audit: AuditConfig,
}

const KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "paginate",
    "slugs",
    "metrics",
    "markdown",
    "search",
    "feed",
    "extra",
    "reporting",
    "review",
    "stats_reporting",
    "identity",
    "audit",
];

/// Splits a base URL into (url without trailing slash, path with slashes).
pub fn split_base_url(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let path = match rest {
        Some(r) => {
            let host_end = r.find('/').unwrap_or(r.len());
            if host_end == 0 {
                return None;
            }
            &r[host_end..]
        }
        None if url.starts_with('/') => url,
        None => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let trimmed = path.trim_matches('/');
    let base_path = if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    };
    Some((url.trim_end_matches('/').to_string(), base_path))
}

impl Config {
    /// Reads `<root>/site.yaml`; `base_url_override` is `--base-url`.
    pub fn load(root: &Path, base_url_override: Option<&str>) -> Result<Config, Vec<Diagnostic>> {
        let shown = Path::new(FILE);
        let path = root.join(FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                return Err(vec![Diagnostic::error(shown, 0, 0, text!(
                    "cannot read the site configuration: {}", e.source;
                    "无法读取站点配置：{}", e.source))
                .with_hint(text!(
                    "run jianbao in a site folder (one with site.yaml), pass --root DIR, or create one with `jianbao init`";
                    "请在站点目录（含 site.yaml）中运行，或用 --root 指定目录，或用 `jianbao init` 新建站点"))]);
            }
        };
        let text = source::decode(bytes, shown).map_err(|d| vec![d])?;
        Self::parse(&text, shown, base_url_override)
    }

    pub fn parse(
        text: &str,
        shown: &Path,
        base_url_override: Option<&str>,
    ) -> Result<Config, Vec<Diagnostic>> {
        let map = yaml::parse_mapping(text).map_err(|e| {
            vec![Diagnostic::error(
                shown,
                e.line,
                e.col,
                text!("invalid YAML: {}", e.message; "YAML 格式错误：{}", e.message),
            )
            .with_hint(
                text!("check indentation (spaces, not tabs) and that each line is `key: value`";
                                 "请检查缩进（用空格，不要用 Tab）以及每行是否为 `键: 值`"),
            )]
        })?;
        let mut f = Fields::new(map, text, shown, 1);
        let title = f.required_str("title", "平罗县创卫工作信息平台");
        let base_url_raw = f.required_str("base_url", "https://www.example.gov.cn/cw/");
        let description = f.str("description").unwrap_or_default();
        let language = f.str("language").unwrap_or_else(|| "zh-CN".into());
        let theme = f.str("theme").unwrap_or_else(|| "default".into());
        let paginate = match f.uint("paginate") {
            Some(0) => {
                f.error(
                    "paginate",
                    text!("`paginate` must be at least 1"; "`paginate` 至少为 1"),
                    None,
                );
                20
            }
            Some(n) => n as usize,
            None => 20,
        };
        let slugs = match f.str("slugs").as_deref() {
            None | Some("pinyin") => SlugMode::Pinyin,
            Some("unicode") => SlugMode::Unicode,
            Some(other) => {
                f.error(
                    "slugs",
                    text!("`slugs` must be `pinyin` or `unicode`, found `{}`", other;
                                       "`slugs` 只能是 `pinyin` 或 `unicode`，实际为 `{}`", other),
                    None,
                );
                SlugMode::Pinyin
            }
        };
        let metrics = match f.raw("metrics") {
            None => Vec::new(),
            Some(v) => parse_metrics(&mut f, v),
        };
        let mut unsafe_html = false;
        if let Some(m) = f.mapping("markdown") {
            let mut md = f.nested("markdown", m);
            unsafe_html = md.bool("unsafe_html").unwrap_or(false);
            let d = md.finish(&["unsafe_html"]);
            f.diags.extend(d);
        }
        let search = f.bool("search").unwrap_or(true);
        let feed = f.bool("feed").unwrap_or(true);
        let extra = f
            .raw("extra")
            .map(|v| yaml::to_json(&v))
            .unwrap_or(serde_json::Value::Null);
        let reporting = match f.raw("reporting") {
            None => Vec::new(),
            Some(v) => crate::schedule::parse_rules(&mut f, v),
        };
        let review = crate::review::parse_config(&mut f);
        let stats_reporting = f.bool("stats_reporting").unwrap_or(false);
        let identity = crate::config_audit::parse_identity(&mut f);
        let audit = crate::config_audit::parse_audit(&mut f);

        let base = base_url_override.map(str::to_string).or(base_url_raw);
        let mut split = None;
        if let Some(b) = &base {
            split = split_base_url(b);
            if split.is_none() {
                let msg = text!("`base_url` must start with http:// or https://, found `{}`", b;
                                "`base_url` 应以 http:// 或 https:// 开头，实际为 `{}`", b);
                let hint = Some(
                    text!("for example `base_url: https://www.example.gov.cn/cw/`";
                                      "例如 `base_url: https://www.example.gov.cn/cw/`"),
                );
                if base_url_override.is_some() {
                    f.error_at((0, 0), msg, hint);
                } else {
                    f.error("base_url", msg, hint);
                }
            }
        }
        let diags = f.finish(KEYS);
        if !diags.is_empty() {
            return Err(diags);
        }
        let (base_url, base_path) = split.expect("checked above");
        Ok(Config {
            title: title.expect("checked above"),
            base_url,
            base_path,
            description,
            language,
            theme,
            paginate,
            slugs,
            metrics,
            unsafe_html,
            search,
            feed,
            extra,
            reporting,
            review,
            stats_reporting,
            identity,
            audit,
        })
    }

    /// The metric whose id or label is `key`.
    pub fn metric_index(&self, key: &str) -> Option<usize> {
        self.metrics
            .iter()
            .position(|m| m.id == key)
            .or_else(|| self.metrics.iter().position(|m| m.label == key))
    }

    /// An absolute URL path under the base path: `url("reports/x/")` → `/cw/reports/x/`.
    pub fn url(&self, site_path: &str) -> String {
        format!("{}{}", self.base_path, site_path.trim_start_matches('/'))
    }

    /// The host (and port) of `base_url`: `www.example.gov.cn`.
    pub fn host(&self) -> &str {
        let rest = self.base_url.split_once("://").map_or("", |(_, r)| r);
        rest.split(['/', '?', '#']).next().unwrap_or("")
    }

    /// A full URL with host, for feeds and sitemaps.
    pub fn full_url(&self, site_path: &str) -> String {
        let origin = self
            .base_url
            .strip_suffix(self.base_path.trim_end_matches('/'))
            .unwrap_or(&self.base_url);
        format!("{}{}", origin.trim_end_matches('/'), self.url(site_path))
    }
}

fn parse_metrics(f: &mut Fields, v: Value) -> Vec<Metric> {
    let items = match v {
        Value::Sequence(items) => items,
        other => {
            let got = yaml::show(&other);
            f.error(
                "metrics",
                text!("`metrics` must be a list of `- id: ...` entries, found `{}`", got;
                                     "`metrics` 应为 `- id: ...` 条目的列表，实际为 `{}`", got),
                None,
            );
            return Vec::new();
        }
    };
    let mut out: Vec<Metric> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let pos = f.item_pos("metrics", i);
        let Value::Mapping(m) = item else {
            f.error_at(
                pos,
                text!("metric {} must be a map with id, label, unit, aggregate", i + 1;
                                  "第 {} 个指标应包含 id、label、unit、aggregate", i + 1),
                None,
            );
            continue;
        };
        let get = |k: &str| m.get(k).map(yaml::show);
        let id = get("id").unwrap_or_default();
        let label = get("label").unwrap_or_default();
        let unit = get("unit").unwrap_or_default();
        let agg_s = get("aggregate").unwrap_or_else(|| "sum".into());
        for k in m.keys().map(yaml::show) {
            if !["id", "label", "unit", "aggregate", "aliases"].contains(&k.as_str()) {
                f.error_at(pos, text!("unknown key `{}` in metric `{}`", k, id; "指标 `{}` 中有未知的键 `{}`", id, k),
                           Some(text!("a metric has id, label, unit, aggregate and aliases"; "指标只能有 id、label、unit、aggregate、aliases")));
            }
        }
        let aliases = metric_aliases(f, pos, &id, m.get("aliases"));
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            f.error_at(pos, text!("metric {} needs an ASCII `id` (letters, digits, _ or -), found `{}`", i + 1, id;
                                  "第 {} 个指标需要 ASCII 的 `id`（字母、数字、_ 或 -），实际为 `{}`", i + 1, id),
                       Some(text!("for example `id: garbage`"; "例如 `id: garbage`")));
            continue;
        }
        if label.is_empty() {
            f.error_at(
                pos,
                text!("metric `{}` needs a `label`", id; "指标 `{}` 缺少 `label`", id),
                Some(text!("for example `label: 清理垃圾`"; "例如 `label: 清理垃圾`")),
            );
            continue;
        }
        let Some(aggregate) = Aggregate::parse(&agg_s) else {
            f.error_at(pos, text!("metric `{}`: unknown aggregate `{}`", id, agg_s; "指标 `{}`：未知的汇总方式 `{}`", id, agg_s),
                       Some(text!("use one of {}", Aggregate::NAMES.join(", "); "可选：{}", Aggregate::NAMES.join("、"))));
            continue;
        };
        if out.iter().any(|m| m.id == id || m.label == label) {
            f.error_at(pos, text!("metric `{}` ({}) is declared twice", id, label; "指标 `{}`（{}）重复声明", id, label), None);
            continue;
        }
        let names = |m: &Metric| {
            let mut v = vec![m.label.clone()];
            v.extend(m.aliases.iter().cloned());
            v
        };
        let taken = std::iter::once(label.as_str())
            .chain(aliases.iter().map(String::as_str))
            .find_map(|n| {
                out.iter()
                    .find(|o| names(o).iter().any(|x| x == n))
                    .map(|o| (n, o))
            });
        if let Some((n, o)) = taken {
            f.error_at(pos, text!("metric `{}`: the name `{}` is already used by metric `{}`", id, n, o.id;
                                  "指标 `{}`：名称 `{}` 已被指标 `{}` 使用", id, n, o.id),
                       Some(text!("each label and alias must name one metric only"; "每个名称和别名只能对应一个指标")));
            continue;
        }
        out.push(Metric {
            id,
            label,
            unit,
            aggregate,
            aliases,
        });
    }
    out
}

/// A metric's `aliases:`: a list of non-empty strings.
fn metric_aliases(f: &mut Fields, pos: (usize, usize), id: &str, v: Option<&Value>) -> Vec<String> {
    let items = match v {
        None => return Vec::new(),
        Some(Value::Sequence(items)) => items,
        Some(other) => {
            let got = yaml::show(other);
            f.error_at(pos, text!("metric `{}`: `aliases` must be a list of names, found `{}`", id, got;
                                  "指标 `{}`：`aliases` 应为名称列表，实际为 `{}`", id, got),
                       Some(text!("for example `aliases: [栽植各类苗木, 植树]`"; "例如 `aliases: [栽植各类苗木, 植树]`")));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        let name = yaml::show(item);
        if !matches!(item, Value::String(_) | Value::Number(_)) || name.trim().is_empty() {
            f.error_at(
                pos,
                text!("metric `{}`: alias `{}` must be a non-empty name", id, name;
                                  "指标 `{}`：别名 `{}` 应为非空名称", id, name),
                None,
            );
        } else if !out.contains(&name) {
            out.push(name.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_paths() {
        assert_eq!(
            split_base_url("https://www.example.gov.cn/cw/"),
            Some(("https://www.example.gov.cn/cw".into(), "/cw/".into()))
        );
        assert_eq!(
            split_base_url("http://localhost:1111"),
            Some(("http://localhost:1111".into(), "/".into()))
        );
        assert_eq!(split_base_url("example.com"), None);
    }

    #[test]
    fn defaults_and_full_urls() {
        let c = Config::parse(
            "title: T\nbase_url: https://h.cn/cw/\n",
            Path::new(FILE),
            None,
        )
        .unwrap();
        assert_eq!(c.paginate, 20);
        assert_eq!(c.language, "zh-CN");
        assert!(c.search && c.feed && !c.unsafe_html);
        assert_eq!(c.url("/reports/a/"), "/cw/reports/a/");
        assert_eq!(c.full_url("reports/a/"), "https://h.cn/cw/reports/a/");
        let c = Config::parse("title: T\nbase_url: https://h.cn\n", Path::new(FILE), None).unwrap();
        assert_eq!(c.full_url("x/"), "https://h.cn/x/");
    }

    #[test]
    fn all_problems_reported() {
        let e = Config::parse(
            "titel: T\npaginate: abc\nmarkdown:\n  unsafe: true\n",
            Path::new(FILE),
            None,
        )
        .unwrap_err();
        let msgs: Vec<_> = e.iter().map(|d| (d.line, d.message.en.clone())).collect();
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 1 && m.contains("unknown key `titel`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(_, m)| m.contains("missing required key `title`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|(l, m)| *l == 2 && m.contains("paginate")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 4 && m.contains("unknown key `unsafe`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn metric_aliases() {
        let head = "title: T\nbase_url: https://h.cn/\nmetrics:\n";
        let ok = format!("{head}  - {{id: seedlings, label: 栽植苗木, unit: 株, aliases: [栽植各类苗木, 植树]}}\n  - {{id: g, label: 清理垃圾, unit: 吨}}\n");
        let c = Config::parse(&ok, Path::new(FILE), None).unwrap();
        assert_eq!(c.metrics[0].aliases, vec!["栽植各类苗木", "植树"]);
        assert!(c.metrics[1].aliases.is_empty());
        for (bad, says) in [
            ("  - {id: a, label: A, aliases: 植树}\n", "must be a list"),
            ("  - {id: a, label: A, aliases: [\"\", x]}\n", "non-empty"),
            (
                "  - {id: a, label: A, aliases: [B]}\n  - {id: b, label: B}\n",
                "already used by metric `a`",
            ),
            (
                "  - {id: a, label: A, aliases: [X]}\n  - {id: b, label: B, aliases: [X]}\n",
                "`X` is already used",
            ),
        ] {
            let e = Config::parse(&format!("{head}{bad}"), Path::new(FILE), None).unwrap_err();
            assert!(
                e.iter().any(|d| d.message.en.contains(says)),
                "{bad}: {e:?}"
            );
        }
    }
}
