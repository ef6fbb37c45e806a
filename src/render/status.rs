//! 报送情况 for people and machines: the view the /stats/ section and the
//! editor's desk show, and what `jianbao status` prints (an aligned table,
//! CSV with BOM, or JSON with the schema README.md documents).

use crate::content::Period;
use crate::render::stats::{csv_line, table, Format};
use crate::site::reporting::{Cell, Coverage, PeriodCell, Row};
use crate::site::Site;
use serde::Serialize;

/// A short column label: 一季度, 上半年, 全年, 5月.
pub fn period_label(p: Period) -> String {
    match p {
        Period::Year(_) => "全年".into(),
        Period::Half(_, 1) => "上半年".into(),
        Period::Half(..) => "下半年".into(),
        Period::Quarter(_, q) => {
            format!("{}季度", ["一", "二", "三", "四"][(q as usize - 1).min(3)])
        }
        Period::Month(_, m) => format!("{m}月"),
    }
}

fn status_name(c: &Cell) -> &'static str {
    match c {
        Cell::Submitted { .. } => "submitted",
        Cell::Overdue => "overdue",
        Cell::NotDue => "not_due",
    }
}

/// `✓ 04-10`, `逾期`, `未到期`.
pub fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Submitted { date, .. } => format!("✓ {:02}-{:02}", date.month, date.day),
        Cell::Overdue => "逾期".into(),
        Cell::NotDue => "未到期".into(),
    }
}

#[derive(Serialize)]
pub struct UnitRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct CellView {
    pub period: String,
    pub label: String,
    pub due: String,
    /// `submitted`, `overdue` or `not_due`.
    pub status: &'static str,
    /// The report's date (`YYYY-MM-DD`) when submitted.
    pub date: Option<String>,
    /// The report's page, when this build publishes it.
    pub url: Option<String>,
    /// `✓ 04-10`, `逾期` or `未到期`.
    pub text: String,
}

#[derive(Serialize)]
pub struct RowView<'a> {
    pub unit: UnitRef<'a>,
    pub due_days: u32,
    pub cells: Vec<CellView>,
}

#[derive(Serialize)]
pub struct Column {
    pub period: String,
    pub label: String,
}

/// The units sharing one frequency.
#[derive(Serialize)]
pub struct GroupView<'a> {
    /// `month`, `quarter`, `half` or `year`.
    pub every: &'static str,
    pub every_label: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<RowView<'a>>,
}

#[derive(Serialize)]
pub struct TotalsView {
    #[serde(rename = "type")]
    pub kind: String,
    pub units: usize,
    pub submitted: usize,
    pub overdue: usize,
    pub not_due: usize,
}

#[derive(Serialize)]
pub struct OverdueView<'a> {
    pub unit: UnitRef<'a>,
    pub period: String,
    pub label: String,
    pub due: String,
    /// Days since the due date.
    pub days: i64,
}

/// `reporting` on /stats/ and the desk; the JSON of `jianbao status`.
#[derive(Serialize)]
pub struct StatusView<'a> {
    pub year: i32,
    pub today: String,
    pub groups: Vec<GroupView<'a>>,
    pub totals: Vec<TotalsView>,
    pub overdue: Vec<OverdueView<'a>>,
}

fn unit_ref<'a>(site: &'a Site, unit: usize) -> UnitRef<'a> {
    let u = &site.units[unit];
    UnitRef {
        id: &u.id,
        name: &u.name,
        kind: &u.kind,
        url: site.config.url(&u.path),
    }
}

fn cell_view(site: &Site, c: &PeriodCell) -> CellView {
    let (date, url) = match &c.cell {
        Cell::Submitted { date, path } => {
            (Some(date.ymd()), path.as_ref().map(|p| site.config.url(p)))
        }
        _ => (None, None),
    };
    CellView {
        period: c.period.to_string(),
        label: period_label(c.period),
        due: c.due.ymd(),
        status: status_name(&c.cell),
        date,
        url,
        text: cell_text(&c.cell),
    }
}

fn days_between(a: crate::content::Date, b: crate::content::Date) -> i64 {
    let n = |d: crate::content::Date| chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day);
    match (n(a), n(b)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}

pub fn view<'a>(site: &'a Site, cov: &Coverage) -> StatusView<'a> {
    let mut groups: Vec<GroupView> = Vec::new();
    for every in [
        crate::schedule::Every::Month,
        crate::schedule::Every::Quarter,
        crate::schedule::Every::Half,
        crate::schedule::Every::Year,
    ] {
        let rows: Vec<&Row> = cov
            .rows
            .iter()
            .filter(|r| r.schedule.every == every)
            .collect();
        if rows.is_empty() {
            continue;
        }
        // Every row of a group has the same periods (those begun by today).
        let columns = rows[0]
            .cells
            .iter()
            .map(|c| Column {
                period: c.period.to_string(),
                label: period_label(c.period),
            })
            .collect();
        groups.push(GroupView {
            every: every.name(),
            every_label: every.label_zh(),
            columns,
            rows: rows
                .iter()
                .map(|r| RowView {
                    unit: unit_ref(site, r.unit),
                    due_days: r.schedule.due_days,
                    cells: r.cells.iter().map(|c| cell_view(site, c)).collect(),
                })
                .collect(),
        });
    }
    StatusView {
        year: cov.year,
        today: cov.today.ymd(),
        groups,
        totals: cov
            .totals(site)
            .into_iter()
            .map(|t| TotalsView {
                kind: t.kind,
                units: t.units,
                submitted: t.submitted,
                overdue: t.overdue,
                not_due: t.not_due,
            })
            .collect(),
        overdue: cov
            .overdue()
            .into_iter()
            .map(|(r, c)| OverdueView {
                unit: unit_ref(site, r.unit),
                period: c.period.to_string(),
                label: c.period.label_zh(),
                due: c.due.ymd(),
                days: days_between(c.due, cov.today),
            })
            .collect(),
    }
}

/// The 报送情况 section of /stats/ (`stats_reporting: true`): this year as
/// of today.
pub fn stats_section(site: &Site) -> Option<StatusView<'_>> {
    if !site.config.stats_reporting {
        return None;
    }
    let today = crate::site::reporting::today();
    let cov = Coverage::compute(site, today.year, today);
    Some(view(site, &cov))
}

/// What [`stats_section`] shows, hashed (0 when it is off).
pub fn section_hash(site: &Site) -> u64 {
    stats_section(site)
        .and_then(|v| serde_json::to_vec(&v).ok())
        .map_or(0, |b| xxhash_rust::xxh3::xxh3_64(&b))
}

/// The header of `jianbao status --format csv`, one line per unit × period.
pub const CSV_HEADER: [&str; 9] = [
    "unit_id",
    "unit_name",
    "unit_type",
    "every",
    "period",
    "due",
    "status",
    "date",
    "report_url",
];

/// What `jianbao status` prints.
pub fn command_output(site: &Site, cov: &Coverage, format: Format) -> String {
    let v = view(site, cov);
    match format {
        Format::Json => serde_json::to_string_pretty(&v).unwrap_or_default() + "\n",
        Format::Csv => {
            let mut out = String::from('\u{feff}');
            out.push_str(&csv_line(&CSV_HEADER));
            for g in &v.groups {
                for r in &g.rows {
                    for c in &r.cells {
                        out.push_str(&csv_line(&[
                            r.unit.id,
                            r.unit.name,
                            r.unit.kind,
                            g.every,
                            &c.period,
                            &c.due,
                            c.status,
                            c.date.as_deref().unwrap_or(""),
                            c.url.as_deref().unwrap_or(""),
                        ]));
                    }
                }
            }
            out
        }
        Format::Table => text_table(&v),
    }
}

fn text_table(v: &StatusView) -> String {
    let mut out = format!("{}年报送情况（截至 {}）\n", v.year, v.today);
    if v.groups.is_empty() {
        out.push_str("没有适用报送规则的单位：请在 site.yaml 的 `reporting:` 中设置。\n");
        return out;
    }
    for g in &v.groups {
        out.push_str(&format!("\n{}报送\n", g.every_label));
        let mut header = vec!["单位", "类型"];
        header.extend(g.columns.iter().map(|c| c.label.as_str()));
        let rows: Vec<Vec<String>> = g
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.unit.name.to_string(), r.unit.kind.to_string()];
                cells.extend(r.cells.iter().map(|c| c.text.clone()));
                cells
            })
            .collect();
        out.push_str(&table(&header, &rows, &vec![false; header.len()]));
    }
    out.push_str("\n按单位类型合计\n");
    let rows: Vec<Vec<String>> = v
        .totals
        .iter()
        .map(|t| {
            vec![
                t.kind.clone(),
                t.units.to_string(),
                t.submitted.to_string(),
                t.overdue.to_string(),
                t.not_due.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["类型", "单位数", "已报送", "逾期", "未到期"],
        &rows,
        &[false, true, true, true, true],
    ));
    if v.overdue.is_empty() {
        out.push_str("\n没有逾期未报的单位。\n");
    } else {
        out.push_str("\n逾期未报\n");
        let rows: Vec<Vec<String>> = v
            .overdue
            .iter()
            .map(|o| {
                vec![
                    o.unit.name.to_string(),
                    o.label.clone(),
                    o.due.clone(),
                    o.days.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &["单位", "报告期", "截止日期", "逾期天数"],
            &rows,
            &[false, false, false, true],
        ));
    }
    out
}
