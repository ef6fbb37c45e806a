//! What `jianbao stats` prints: totals per metric, or one row per group ×
//! metric, as an aligned table (CJK counts two columns), CSV or JSON.

use super::export::csv_line;
use super::views::{metric_value, totals, MetricValue};
use crate::site::stats::{Breakdown, Group, Stats};
use crate::site::Site;
use serde::Serialize;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// Output formats of `jianbao stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

pub(crate) fn table(header: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join("  ").trim_end().to_string();
    out.push_str(&line(
        header
            .iter()
            .enumerate()
            .map(|(i, h)| pad(h, widths[i], right[i]))
            .collect(),
    ));
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(
            r.iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i], right[i]))
                .collect(),
        ));
        out.push('\n');
    }
    out
}

/// What `jianbao stats` prints: totals per metric, or one row per group × metric.
pub fn command_output(site: &Site, stats: &Stats, by: Option<Breakdown>, format: Format) -> String {
    let c = &site.config;
    // (group, value) rows; totals have no group and list every metric.
    let rows: Vec<(Option<&Group>, MetricValue)> = match by {
        None => totals(c, stats).into_iter().map(|v| (None, v)).collect(),
        Some(b) => stats
            .breakdown(b)
            .iter()
            .flat_map(|g| {
                c.metrics
                    .iter()
                    .zip(&g.values)
                    .filter(|(_, v)| v.is_some())
                    .map(move |(m, v)| (Some(g), metric_value(m, v.as_ref())))
            })
            .collect(),
    };
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct J<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                group: Option<&'a str>,
                #[serde(skip_serializing_if = "Option::is_none")]
                group_label: Option<&'a str>,
                #[serde(flatten)]
                value: &'a MetricValue<'a>,
            }
            let list: Vec<J> = rows
                .iter()
                .map(|(g, v)| J {
                    group: g.map(|g| g.key.as_str()),
                    group_label: g.map(|g| g.label.as_str()),
                    value: v,
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default()
        }
        Format::Csv => {
            let head = [
                "metric_id",
                "label",
                "unit",
                "aggregate",
                "value",
                "approx",
                "reports",
            ];
            let group_head: &[&str] = if by.is_some() {
                &["group", "group_label"]
            } else {
                &[]
            };
            let mut out = csv_line(&[group_head, &head[..]].concat());
            for (g, v) in &rows {
                let reports = v.reports.to_string();
                let group: Vec<&str> = g
                    .map(|g| vec![g.key.as_str(), g.label.as_str()])
                    .unwrap_or_default();
                let fields = [
                    v.id,
                    v.label,
                    v.unit,
                    v.aggregate,
                    v.value.as_deref().unwrap_or(""),
                    if v.approx { "true" } else { "false" },
                    &reports,
                ];
                out.push_str(&csv_line(&[&group[..], &fields[..]].concat()));
            }
            out
        }
        Format::Table => {
            let t: Vec<Vec<String>> = rows
                .iter()
                .map(|(g, v)| {
                    let first = g
                        .map(|g| g.label.clone())
                        .unwrap_or_else(|| v.id.to_string());
                    vec![
                        first,
                        v.label.to_string(),
                        v.aggregate_label.to_string(),
                        v.display.clone(),
                        v.unit.to_string(),
                        v.reports.to_string(),
                    ]
                })
                .collect();
            let head = match by {
                None => "id",
                Some(Breakdown::Unit) => "单位",
                Some(Breakdown::Type) => "单位类型",
                Some(Breakdown::Period) => "年度",
                Some(Breakdown::Tag) => "标签",
            };
            let mut out = table(
                &[head, "指标", "汇总", "数值", "单位", "报告数"],
                &t,
                &[false, false, false, true, false, true],
            );
            if by.is_none() {
                let _ = writeln!(out, "共 {} 篇工作总结", stats.reports);
            }
            out
        }
    }
}
