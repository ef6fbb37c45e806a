//! Who has reported (报送情况): for every unit with a reporting rule, each
//! period of a year up to a given day is submitted, overdue or not yet due.
//!
//! The rule is strict: a period is covered only by a report of that unit
//! whose `period:` is exactly that period (default: the year of `date`).
//! Drafts do not count; reports awaiting review do (the unit has sent
//! them). A report whose period has another granularity than its unit's
//! rule covers nothing and is a warning ([`check`]).

use super::Site;
use crate::content::{Date, Period};
use crate::diagnostics::{text, Diagnostic};
use crate::schedule::{self, Every, Schedule};
use std::collections::HashMap;

/// Today's date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else
/// the local date.
pub fn today() -> Date {
    let from_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
                .date_naive()
        });
    let d = from_epoch.unwrap_or_else(|| chrono::Local::now().date_naive());
    use chrono::Datelike;
    Date::new(d.year(), d.month(), d.day()).unwrap_or(Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
        time: None,
    })
}

/// The state of one period of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The earliest report for the period: its date and site path (None when
    /// the report is held back from this build).
    Submitted { date: Date, path: Option<String> },
    /// The due date has passed without a report.
    Overdue,
    /// The period is running, or its due date is today or later.
    NotDue,
}

#[derive(Debug, Clone)]
pub struct PeriodCell {
    pub period: Period,
    pub due: Date,
    pub cell: Cell,
}

/// One unit with a rule.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index into `Site::units`.
    pub unit: usize,
    pub schedule: Schedule,
    pub cells: Vec<PeriodCell>,
}

/// The matrix for one year as of one day.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub year: i32,
    pub today: Date,
    /// In the site's unit order.
    pub rows: Vec<Row>,
}

/// Per unit type: units and cells of each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub kind: String,
    pub units: usize,
    pub submitted: usize,
    pub overdue: usize,
    pub not_due: usize,
}

/// A report as coverage sees it: unit index, date, period, and the
/// report in `Site::reports` (None when it is held back from this build),
/// whose site path a cell shows.
struct Sent {
    unit: usize,
    date: Date,
    period: Period,
    report: Option<usize>,
}

/// The unit a name written in a report refers to (id, name or alias).
fn unit_index(site: &Site) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for (i, u) in site.units.iter().enumerate() {
        for n in std::iter::once(&u.id)
            .chain(std::iter::once(&u.name))
            .chain(&u.aliases)
        {
            m.entry(n.as_str()).or_insert(i);
        }
    }
    m
}

/// Every report that counts: published ones and those held back only for
/// review, never drafts.
fn sent(site: &Site) -> Vec<Sent> {
    let mut out: Vec<Sent> = (site.reports.iter().enumerate())
        .filter(|(_, r)| !r.doc.common.draft)
        .map(|(i, r)| Sent {
            unit: r.unit,
            date: r.doc.date,
            period: r.doc.period,
            report: Some(i),
        })
        .collect();
    let names = unit_index(site);
    for h in site.held.iter().filter(|h| !h.kept && !h.draft) {
        if let Some((unit, date, period)) = &h.report {
            if let Some(&i) = names.get(unit.as_str()) {
                out.push(Sent {
                    unit: i,
                    date: *date,
                    period: *period,
                    report: None,
                });
            }
        }
    }
    out
}

/// The schedule of each unit (None: no rule or exempt).
pub fn schedules(site: &Site) -> Vec<Option<Schedule>> {
    site.units
        .iter()
        .map(|u| {
            schedule::schedule_of(&site.config.reporting, &u.id, &u.kind, u.reporting.as_ref())
        })
        .collect()
}

impl Coverage {
    /// The matrix of `year` as of `today`: periods that have begun by then.
    pub fn compute(site: &Site, year: i32, today: Date) -> Coverage {
        let scheds = schedules(site);
        // The earliest report of each (unit, period): its date and report.
        let mut by_unit: HashMap<(usize, Period), (Date, Option<usize>)> = HashMap::new();
        for s in sent(site) {
            let matches = scheds[s.unit].is_some_and(|r| Every::of(s.period) == r.every);
            if !matches || s.period.year() != year {
                continue;
            }
            let e = by_unit
                .entry((s.unit, s.period))
                .or_insert((s.date, s.report));
            if s.date.sort_key() < e.0.sort_key() {
                *e = (s.date, s.report);
            }
        }
        let path_of = |report: Option<usize>| report.map(|i| site.reports[i].path.clone());
        let day = |d: Date| (d.year, d.month, d.day);
        let rows = scheds
            .iter()
            .enumerate()
            .filter_map(|(unit, s)| {
                let s = (*s)?;
                let cells = s
                    .every
                    .periods(year)
                    .into_iter()
                    .filter(|p| schedule::start(*p).is_some_and(|st| day(st) <= day(today)))
                    .filter_map(|period| {
                        let due = schedule::due(period, s.due_days)?;
                        let cell = match by_unit.get(&(unit, period)) {
                            Some((date, report)) => Cell::Submitted {
                                date: *date,
                                path: path_of(*report),
                            },
                            None if day(today) > day(due) => Cell::Overdue,
                            None => Cell::NotDue,
                        };
                        Some(PeriodCell { period, due, cell })
                    })
                    .collect();
                Some(Row {
                    unit,
                    schedule: s,
                    cells,
                })
            })
            .collect();
        Coverage { year, today, rows }
    }

    /// Per unit type, in the site's type order.
    pub fn totals(&self, site: &Site) -> Vec<Totals> {
        let mut out: Vec<Totals> = Vec::new();
        for r in &self.rows {
            let kind = &site.units[r.unit].kind;
            let i = match out.iter().position(|t| &t.kind == kind) {
                Some(i) => i,
                None => {
                    out.push(Totals {
                        kind: kind.clone(),
                        ..Totals::default()
                    });
                    out.len() - 1
                }
            };
            let t = &mut out[i];
            t.units += 1;
            for c in &r.cells {
                match c.cell {
                    Cell::Submitted { .. } => t.submitted += 1,
                    Cell::Overdue => t.overdue += 1,
                    Cell::NotDue => t.not_due += 1,
                }
            }
        }
        out
    }

    /// (row, cell) of every overdue period, oldest due date first.
    pub fn overdue(&self) -> Vec<(&Row, &PeriodCell)> {
        let mut out: Vec<(&Row, &PeriodCell)> = self
            .rows
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .filter(|c| c.cell == Cell::Overdue)
                    .map(move |c| (r, c))
            })
            .collect();
        out.sort_by_key(|(r, c)| (c.due, r.unit));
        out
    }
}

/// Reports whose period does not fit their unit's rule, and rules naming
/// units that do not exist: warnings for `check` and `build`.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if site.config.reporting.is_empty() && site.units.iter().all(|u| u.reporting.is_none()) {
        return out;
    }
    for rule in &site.config.reporting {
        for id in &rule.units {
            if !site.units.iter().any(|u| &u.id == id) {
                let known = site.units.iter().map(|u| u.id.as_str());
                let hint = match crate::diagnostics::closest(id, known) {
                    Some(c) => {
                        text!("did you mean `{}`? `units:` lists unit ids (file names in content/units/)", c;
                                     "是否想写 `{}`？`units:` 中写单位 id（content/units/ 下的文件名）", c)
                    }
                    None => {
                        text!("`units:` lists unit ids (file names in content/units/)"; "`units:` 中写单位 id（content/units/ 下的文件名）")
                    }
                };
                out.push(
                    Diagnostic::warning(crate::config::FILE, rule.line, rule.col, text!(
                        "reporting rule names unknown unit `{}`", id; "报送规则中的单位 `{}` 不存在", id))
                    .with_hint(hint),
                );
            }
        }
    }
    let scheds = schedules(site);
    for r in site.reports.iter().filter(|r| !r.doc.common.draft) {
        let Some(s) = scheds[r.unit] else { continue };
        let got = Every::of(r.doc.period);
        if got == s.every {
            continue;
        }
        let src = &r.doc.common.src;
        let text = match src.texts() {
            Ok(t) => t,
            Err(d) => {
                out.push(d);
                continue;
            }
        };
        let loc = crate::yaml::Locator::new(text.front());
        let (line, col) = loc
            .key("period")
            .or_else(|| loc.key("date"))
            .map(|(l, c)| (l + src.front_line - 1, c))
            .unwrap_or((0, 0));
        let unit = &site.units[r.unit];
        let p = r.doc.period;
        out.push(
            Diagnostic::warning(
                &src.shown,
                line,
                col,
                text!(
                "period `{}` is {} but {} reports {}: this report covers no reporting period",
                p, every_en(got), unit.name, every_en(s.every);
                "报告期 `{}` 是{}，但{}应{}报送：这篇报告不计入报送情况",
                p, every_zh(got), unit.name, s.every.label_zh()),
            )
            .with_hint(text!(
                "write the period the report covers, e.g. `period: {}`", example(s.every, p.year());
                "请写明报告所属的报告期，例如 `period: {}`", example(s.every, p.year()))),
        );
    }
    out
}

fn every_en(e: Every) -> &'static str {
    match e {
        Every::Month => "a month",
        Every::Quarter => "a quarter",
        Every::Half => "a half year",
        Every::Year => "a year",
    }
}

fn every_zh(e: Every) -> &'static str {
    match e {
        Every::Month => "月度",
        Every::Quarter => "季度",
        Every::Half => "半年",
        Every::Year => "年度",
    }
}

fn example(e: Every, year: i32) -> String {
    e.periods(year)
        .first()
        .map(|p| p.to_string())
        .unwrap_or_default()
}
