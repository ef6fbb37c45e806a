//! Columns (栏目): the nav sections, the categories named in
//! `audit.columns` and the registered units. One with no published item is
//! a blank column (空白栏目, an error); one whose newest item is older than
//! its limit is not updated (栏目不更新, a warning). Reports and articles
//! default to `audit.stale_days` (14); pages are never stale; a category
//! is checked when `audit.columns` names it.

use super::{Finding, Indicator};
use crate::config::FILE;
use crate::content::Date;
use crate::diagnostics::{closest, text, Diagnostic};
use crate::site::Site;
use chrono::NaiveDate;
use std::path::Path;

fn day(d: &Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day)
}

/// The limit set for `name` in `audit.columns`, with its site.yaml line.
fn configured(site: &Site, name: &str) -> Option<(u32, usize)> {
    site.config
        .audit
        .columns
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, d, l)| (*d, *l))
}

struct Column<'a> {
    name: &'a str,
    /// Newest item: its date and source file.
    newest: Option<(Date, &'a Path)>,
    /// Days; 0: never stale.
    limit: u32,
}

fn stale(c: &Column, today: NaiveDate, out: &mut Vec<Finding>) {
    let Some((date, path)) = c.newest else { return };
    let Some(d) = day(&date) else { return };
    let age = (today - d).num_days();
    if c.limit == 0 || age <= i64::from(c.limit) {
        return;
    }
    let (name, limit, ymd, now) = (c.name, c.limit, date.ymd(), today.format("%Y-%m-%d"));
    out.push(Finding::new(
        Indicator::StaleColumn,
        Diagnostic::warning(path, 0, 0, text!("column {} not updated for {} days: its newest item (this file) is from {}, {} days before {} (limit {} days)", name, age, ymd, age, now, limit;
                                              "栏目“{}”已 {} 天未更新：最新一篇（本文件）发布于 {}，距 {} 已 {} 天（限值 {} 天）", name, age, ymd, now, age, limit))
            .with_hint(text!("publish a new item in it, or set its limit under `audit.columns` in site.yaml (0: never stale)";
                             "请在该栏目发布新内容，或在 site.yaml 的 `audit.columns` 中设置其更新期限（0 表示不检查）")),
    ));
}

fn empty(path: &Path, line: usize, name: &str, hint: crate::diagnostics::Text) -> Finding {
    Finding::new(
        Indicator::EmptyColumn,
        Diagnostic::error(
            path,
            line,
            0,
            text!("column {} has no published item: a blank column (空白栏目)", name;
                                               "栏目“{}”没有已发布的内容（空白栏目）", name),
        )
        .with_hint(hint),
    )
}

pub fn check(site: &Site, today: NaiveDate, out: &mut Vec<Finding>) {
    let default = site.config.audit.stale_days;
    let limit = |key: &str| configured(site, key).map_or(default, |(d, _)| d);
    let sections = [
        Column {
            name: "工作总结",
            newest: site
                .reports
                .first()
                .map(|r| (r.doc.date, r.doc.common.src.shown.as_path())),
            limit: limit("reports"),
        },
        Column {
            name: "健康教育",
            newest: site
                .articles
                .first()
                .map(|a| (a.doc.date, a.doc.common.src.shown.as_path())),
            limit: limit("articles"),
        },
    ];
    for c in &sections {
        match c.newest {
            None => out.push(empty(Path::new(FILE), 0, c.name, text!("publish at least one item under content/{}/, or take the column off the site", if c.name == "工作总结" { "reports" } else { "articles" };
                                                                         "请在 content/{}/ 下至少发布一篇，或从站点中撤下该栏目", if c.name == "工作总结" { "reports" } else { "articles" }))),
            Some(_) => stale(c, today, out),
        }
    }
    if site.tags.is_empty() && !(site.reports.is_empty() && site.articles.is_empty()) {
        out.push(empty(Path::new(FILE), 0, "标签", text!("give reports and articles `tags:`; the 标签 page in the navigation lists them";
                                                         "请为工作总结和文章添加 `tags:`；导航中的“标签”页面列出它们")));
    }
    // Categories named in audit.columns.
    let sections_keys = ["reports", "articles", "pages"];
    for (name, days, line) in &site.config.audit.columns {
        if sections_keys.contains(&name.as_str()) {
            continue;
        }
        match site.categories.iter().find(|c| &c.name == name) {
            Some(cat) => {
                let newest = cat.articles.first().map(|&i| {
                    let a = &site.articles[i];
                    (a.doc.date, a.doc.common.src.shown.as_path())
                });
                stale(
                    &Column {
                        name,
                        newest,
                        limit: *days,
                    },
                    today,
                    out,
                );
            }
            None => {
                let hint = match closest(name, site.categories.iter().map(|c| c.name.as_str())) {
                    Some(c) => {
                        text!("did you mean `{}`? Or publish an article with `category: {}`", c, name;
                                     "是否想写 `{}`？或发布一篇 `category: {}` 的文章", c, name)
                    }
                    None => {
                        text!("publish an article with `category: {}`, or remove it from `audit.columns`", name;
                                  "请发布一篇 `category: {}` 的文章，或从 `audit.columns` 中删除", name)
                    }
                };
                out.push(empty(Path::new(FILE), *line, name, hint));
            }
        }
    }
    // Registered units with nothing published: their page is blank.
    for u in &site.units {
        let Some(src) = &u.src else { continue };
        if u.reports.is_empty() && u.articles.is_empty() {
            out.push(empty(&src.shown, 0, &u.name, text!("publish the unit's report, or remove content/units/{}.md if it no longer reports", u.id;
                                                         "请发布该单位的工作总结；如该单位不再报送，请删除 content/units/{}.md", u.id)));
        }
    }
}
