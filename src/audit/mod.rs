//! `jianbao audit`: the checks a province applies to government websites
//! each quarter (政府网站与政务新媒体检查指标), run before anything is
//! uploaded. Works on the model (columns, sources, identity) and on the
//! site built in memory (resources, links); writes nothing. Every finding
//! carries its indicator, severity, place and a fix.

pub mod columns;
pub mod format;
pub mod links;
pub mod origins;
pub mod resources;
pub mod wording;

use crate::diagnostics::{text, Diagnostic, Severity, Text};

/// Built files by path (`reports/x/index.html`), as `build` leaves them in memory.
pub type Files = std::collections::HashMap<String, std::sync::Arc<[u8]>>;

/// The site as built: in memory (`audit`), or files on disk by output path
/// (`serve`'s store), read one at a time.
pub enum Output {
    Memory(Files),
    Disk(Vec<(String, std::path::PathBuf)>),
}
use crate::privacy;
use crate::site::Site;
use crate::theme::ThemeFiles;
use std::path::Path;

/// An inspection indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Indicator {
    PersonalInfo,
    Identity,
    EmptyColumn,
    StaleColumn,
    BrokenLink,
    ExternalResource,
    Wording,
    MissingSource,
    AltText,
    /// Other problems that stop or concern the build (front matter…).
    Build,
}

impl Indicator {
    pub const ALL: [Indicator; 10] = [
        Indicator::PersonalInfo,
        Indicator::Identity,
        Indicator::EmptyColumn,
        Indicator::StaleColumn,
        Indicator::BrokenLink,
        Indicator::ExternalResource,
        Indicator::Wording,
        Indicator::MissingSource,
        Indicator::AltText,
        Indicator::Build,
    ];

    /// The stable id used in output and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Indicator::PersonalInfo => "personal-info",
            Indicator::Identity => "identity",
            Indicator::EmptyColumn => "empty-column",
            Indicator::StaleColumn => "stale-column",
            Indicator::BrokenLink => "broken-link",
            Indicator::ExternalResource => "external-resource",
            Indicator::Wording => "wording",
            Indicator::MissingSource => "missing-source",
            Indicator::AltText => "alt-text",
            Indicator::Build => "build",
        }
    }

    pub fn title(self) -> Text {
        match self {
            Indicator::PersonalInfo => text!("personal information"; "个人信息保护"),
            Indicator::Identity => text!("site identity"; "网站标识"),
            Indicator::EmptyColumn => text!("empty column"; "空白栏目"),
            Indicator::StaleColumn => text!("column not updated"; "栏目更新"),
            Indicator::BrokenLink => text!("broken link"; "链接可用性"),
            Indicator::ExternalResource => text!("resources from other hosts"; "外部资源引用"),
            Indicator::Wording => text!("wording"; "错别字与表述"),
            Indicator::MissingSource => text!("information source"; "信息来源"),
            Indicator::AltText => text!("image alternative text"; "图片替代文字"),
            Indicator::Build => text!("content errors"; "内容错误"),
        }
    }

    /// Whether the inspection fails the site outright on this indicator
    /// (单项否决): leaked personal data and serious wrong wording (严重错误),
    /// blank columns (空白栏目) and columns not updated (栏目不更新).
    pub fn veto(self) -> bool {
        matches!(
            self,
            Indicator::PersonalInfo
                | Indicator::EmptyColumn
                | Indicator::StaleColumn
                | Indicator::Wording
        )
    }
}

/// One finding: an indicator and a located problem with its fix.
#[derive(Debug, Clone)]
pub struct Finding {
    pub indicator: Indicator,
    pub diag: Diagnostic,
}

impl Finding {
    pub fn new(indicator: Indicator, diag: Diagnostic) -> Finding {
        Finding { indicator, diag }
    }
}

/// What `audit` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The day staleness is measured against.
    pub today: chrono::NaiveDate,
    /// Fetch external links.
    pub online: bool,
}

/// Everything audit found.
#[derive(Debug)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub today: chrono::NaiveDate,
    pub online: bool,
    /// The site built; when not, the checks of the built pages did not run.
    pub built: bool,
    pub site_title: String,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.diag.is_error())
    }
}

/// What audit reads.
pub struct Input<'a> {
    pub site: &'a Site,
    pub theme: &'a ThemeFiles,
    pub root: &'a Path,
    /// The site built, or None when the build failed.
    pub output: Option<&'a Output>,
    /// The build's (or failed build's) diagnostics.
    pub build: Vec<Diagnostic>,
    /// What the last audit of a build in the same store found per file.
    pub loads: Option<&'a mut resources::LoadCache>,
}

/// Which indicator a build diagnostic belongs to.
fn classify(d: &Diagnostic) -> Indicator {
    let en = d.message.en.as_str();
    if en.starts_with(privacy::MESSAGE_PREFIX) {
        Indicator::PersonalInfo
    } else if en.starts_with("broken link") || en.contains("points outside content/") {
        Indicator::BrokenLink
    } else if en.starts_with("image without alternative text") {
        Indicator::AltText
    } else {
        Indicator::Build
    }
}

/// The `identity:` items a site must carry.
fn identity(site: &Site, out: &mut Vec<Finding>) {
    let id = &site.config.identity;
    let items = [
        (
            &id.site_code,
            "site_code",
            text!("网站标识码 (site_code)"; "网站标识码（site_code）"),
            "\"6402210001\"",
            Severity::Error,
        ),
        (
            &id.icp,
            "icp",
            text!("ICP filing number (icp)"; "ICP备案号（icp）"),
            "宁ICP备12345678号-1",
            Severity::Error,
        ),
        (
            &id.sponsor,
            "sponsor",
            text!("sponsor (主办单位)"; "主办单位（sponsor）"),
            "平罗县人民政府办公室",
            Severity::Error,
        ),
        (
            &id.contact,
            "contact",
            text!("contact phone (联系电话)"; "联系电话（contact）"),
            "\"0952-6012345\"",
            Severity::Error,
        ),
        (
            &id.police,
            "police",
            text!("公安 filing number (police)"; "公安机关备案号（police）"),
            "宁公网安备 64022102000123号",
            Severity::Warning,
        ),
    ];
    for (value, key, what, example, severity) in items {
        if value.is_some() {
            continue;
        }
        let mut d = Diagnostic::error(
            crate::config::FILE,
            id.line,
            0,
            text!("the site's {} is missing: every page must show it", what.en;
                  "缺少网站的{}：每个页面都应展示", what.zh),
        )
        .with_hint(
            text!("add under `identity:` in site.yaml: `{}: {}`", key, example;
                         "请在 site.yaml 的 `identity:` 下添加 `{}: {}`", key, example),
        );
        d.severity = severity;
        out.push(Finding::new(Indicator::Identity, d));
    }
}

/// A report or article without `source:` (信息来源).
fn missing_source(site: &Site, out: &mut Vec<Finding>) {
    let docs = site
        .reports
        .iter()
        .map(|r| (&r.doc.common.src, r.doc.source.is_none()))
        .chain(
            site.articles
                .iter()
                .map(|a| (&a.doc.common.src, a.doc.source.is_none())),
        );
    for (src, missing) in docs {
        if missing {
            out.push(Finding::new(
                Indicator::MissingSource,
                Diagnostic::warning(&src.shown, src.front_line, 1, text!("no `source:` (信息来源): government pages state where their information comes from";
                                                                          "缺少 `source:`（信息来源）：政府网站发布的信息应注明来源"))
                .with_hint(text!("add a line such as `source: 平罗县爱卫办` to the front matter"; "请在元数据中添加一行，例如 `source: 平罗县爱卫办`")),
            ));
        }
    }
}

/// Runs every indicator; `--online` adds the external links' fetches.
pub fn run(input: Input, opts: &Options) -> Report {
    let site = input.site;
    let mut findings: Vec<Finding> = input
        .build
        .into_iter()
        // Notes (documents awaiting review) are the desk's business.
        .filter(|d| d.severity != Severity::Info)
        .map(|d| Finding::new(classify(&d), d))
        .collect();
    identity(site, &mut findings);
    columns::check(site, opts.today, &mut findings);
    wording::check(site, &mut findings);
    missing_source(site, &mut findings);
    if let Some(mem) = input.output {
        let origins = origins::Origins::new(site, input.theme, input.root);
        let pages = resources::Pages::new(mem);
        resources::check(site, &pages, &origins, &mut findings, input.loads);
        if opts.online {
            links::check(site, &pages, &origins, &mut findings);
        }
    }
    findings.sort_by(|a, b| {
        (a.indicator, &a.diag.path, a.diag.line, a.diag.col).cmp(&(
            b.indicator,
            &b.diag.path,
            b.diag.line,
            b.diag.col,
        ))
    });
    Report {
        findings,
        today: opts.today,
        online: opts.online,
        built: input.output.is_some(),
        site_title: site.config.title.clone(),
    }
}
