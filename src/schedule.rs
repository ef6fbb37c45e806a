//! Reporting schedules: which units send a work report how often and by
//! when. Parses `reporting:` in site.yaml (rules by unit type or unit id)
//! and in unit files (a unit's own override), and knows the calendar of
//! periods and due dates. What has been submitted is `site::reporting`'s job.

use crate::content::date::{Date, Period};
use crate::diagnostics::{closest, text};
use crate::fields::Fields;
use crate::yaml::{self, Value};

/// The unit types SPEC.md lists, in display order.
pub const UNIT_TYPES: [&str; 7] = ["乡镇", "街道", "社区", "学校", "机关", "企业", "其他"];

/// Days after a period's end a report is due when no rule says otherwise.
pub const DEFAULT_DUE_DAYS: u32 = 15;

/// How often a unit reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    Month,
    Quarter,
    Half,
    Year,
}

impl Every {
    pub const NAMES: [&'static str; 4] = ["month", "quarter", "half", "year"];

    pub fn parse(s: &str) -> Option<Every> {
        Some(match s.trim() {
            "month" => Every::Month,
            "quarter" => Every::Quarter,
            "half" => Every::Half,
            "year" => Every::Year,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Every::Month => "month",
            Every::Quarter => "quarter",
            Every::Half => "half",
            Every::Year => "year",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Every::Month => "每月",
            Every::Quarter => "每季度",
            Every::Half => "每半年",
            Every::Year => "每年",
        }
    }

    /// The granularity of a period.
    pub fn of(p: Period) -> Every {
        match p {
            Period::Year(_) => Every::Year,
            Period::Half(..) => Every::Half,
            Period::Quarter(..) => Every::Quarter,
            Period::Month(..) => Every::Month,
        }
    }

    /// Every period of `year` at this granularity, in order.
    pub fn periods(self, year: i32) -> Vec<Period> {
        match self {
            Every::Year => vec![Period::Year(year)],
            Every::Half => (1..=2).map(|h| Period::Half(year, h)).collect(),
            Every::Quarter => (1..=4).map(|q| Period::Quarter(year, q)).collect(),
            Every::Month => (1..=12).map(|m| Period::Month(year, m)).collect(),
        }
    }
}

fn naive(d: Date) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day)
}

fn from_naive(n: chrono::NaiveDate) -> Option<Date> {
    use chrono::Datelike;
    Date::new(n.year(), n.month(), n.day())
}

/// First and last month of a period.
fn months(p: Period) -> (u32, u32) {
    match p {
        Period::Year(_) => (1, 12),
        Period::Half(_, h) => (h as u32 * 6 - 5, h as u32 * 6),
        Period::Quarter(_, q) => (q as u32 * 3 - 2, q as u32 * 3),
        Period::Month(_, m) => (m as u32, m as u32),
    }
}

/// The first day of a period.
pub fn start(p: Period) -> Option<Date> {
    Date::new(p.year(), months(p).0, 1)
}

/// The last day of a period.
pub fn end(p: Period) -> Option<Date> {
    let last = months(p).1;
    let next = if last == 12 {
        chrono::NaiveDate::from_ymd_opt(p.year() + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(p.year(), last + 1, 1)
    };
    from_naive(next?.pred_opt()?)
}

/// The day a period's report is due: `due_days` after its last day.
pub fn due(p: Period, due_days: u32) -> Option<Date> {
    let e = naive(end(p)?)?;
    from_naive(e.checked_add_days(chrono::Days::new(due_days as u64))?)
}

/// A `reporting:` rule of site.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub types: Vec<String>,
    /// Unit ids the rule names (they win over a rule by type).
    pub units: Vec<String>,
    pub every: Every,
    pub due_days: u32,
    /// Position of the rule's list item in site.yaml, for later checks.
    pub line: usize,
    pub col: usize,
}

/// A unit file's own `reporting:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UnitReporting {
    pub every: Option<Every>,
    pub due_days: Option<u32>,
    pub exempt: bool,
}

/// The rule that applies to a unit, once site rules and its own override
/// are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub every: Every,
    pub due_days: u32,
}

/// The schedule of the unit `id` of type `kind`, or None (no rule, or exempt).
pub fn schedule_of(
    rules: &[Rule],
    id: &str,
    kind: &str,
    own: Option<&UnitReporting>,
) -> Option<Schedule> {
    if own.is_some_and(|o| o.exempt) {
        return None;
    }
    let rule = rules
        .iter()
        .find(|r| r.units.iter().any(|u| u == id))
        .or_else(|| rules.iter().find(|r| r.types.iter().any(|t| t == kind)));
    let every = own.and_then(|o| o.every).or(rule.map(|r| r.every))?;
    let due_days = own
        .and_then(|o| o.due_days)
        .or(rule.map(|r| r.due_days))
        .unwrap_or(DEFAULT_DUE_DAYS);
    Some(Schedule { every, due_days })
}

const RULE_KEYS: [&str; 4] = ["types", "units", "every", "due_days"];
const UNIT_KEYS: [&str; 3] = ["every", "due_days", "exempt"];

fn unknown_key_hint(key: &str, allowed: &[&str]) -> crate::diagnostics::Text {
    match closest(key, allowed.iter().copied()) {
        Some(c) => text!("did you mean `{}`? Allowed keys: {}", c, allowed.join(", ");
                         "是否想写 `{}`？可用的键：{}", c, allowed.join("、")),
        None => text!("allowed keys: {}", allowed.join(", "); "可用的键：{}", allowed.join("、")),
    }
}

fn every_hint(got: &str) -> crate::diagnostics::Text {
    match closest(got, Every::NAMES) {
        Some(c) => text!("did you mean `{}`? Use one of {}", c, Every::NAMES.join(", ");
                         "是否想写 `{}`？可选：{}", c, Every::NAMES.join("、")),
        None => {
            text!("use one of {}", Every::NAMES.join(", "); "可选：{}", Every::NAMES.join("、"))
        }
    }
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.trim().to_string()]),
        Value::Number(n) => Some(vec![n.to_string()]),
        Value::Sequence(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Parses site.yaml's `reporting:` list.
pub fn parse_rules(f: &mut Fields, v: Value) -> Vec<Rule> {
    let Value::Sequence(items) = v else {
        let got = yaml::show(&v);
        f.error("reporting", text!("`reporting` must be a list of rules like `- {{types: [乡镇], every: quarter}}`, found `{}`", got;
                                   "`reporting` 应为规则列表，例如 `- {{types: [乡镇], every: quarter}}`，实际为 `{}`", got), None);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let pos = f.item_pos("reporting", i);
        let Value::Mapping(m) = item else {
            f.error_at(
                pos,
                text!("reporting rule {} must be a map with `types` or `units` and `every`", i + 1;
                                  "第 {} 条报送规则应包含 `types` 或 `units` 以及 `every`", i + 1),
                None,
            );
            continue;
        };
        let mut rule = Rule {
            types: Vec::new(),
            units: Vec::new(),
            every: Every::Year,
            due_days: DEFAULT_DUE_DAYS,
            line: pos.0,
            col: pos.1,
        };
        let mut ok = true;
        let mut every = None;
        for (k, v) in &m {
            let key = yaml::show(k);
            let got = yaml::show(v);
            match key.as_str() {
                "types" | "units" => match strings(v) {
                    Some(list) if key == "types" => {
                        for t in &list {
                            if !UNIT_TYPES.contains(&t.as_str()) {
                                let hint = match closest(t, UNIT_TYPES) {
                                    Some(c) => {
                                        text!("did you mean `{}`? Unit types: {}", c, UNIT_TYPES.join(", ");
                                                     "是否想写 `{}`？单位类型：{}", c, UNIT_TYPES.join("、"))
                                    }
                                    None => {
                                        text!("unit types: {}", UNIT_TYPES.join(", "); "单位类型：{}", UNIT_TYPES.join("、"))
                                    }
                                };
                                f.error_at(pos, text!("reporting rule {}: unknown unit type `{}`", i + 1, t;
                                                      "第 {} 条报送规则：未知的单位类型 `{}`", i + 1, t), Some(hint));
                                ok = false;
                            }
                        }
                        rule.types = list;
                    }
                    Some(list) => rule.units = list,
                    None => {
                        f.error_at(pos, text!("reporting rule {}: `{}` must be a list like `[a, b]`, found `{}`", i + 1, key, got;
                                              "第 {} 条报送规则：`{}` 应为列表，例如 `[a, b]`，实际为 `{}`", i + 1, key, got), None);
                        ok = false;
                    }
                },
                "every" => match Every::parse(&got) {
                    Some(e) => every = Some(e),
                    None => {
                        f.error_at(pos, text!("reporting rule {}: `every` must be month, quarter, half or year, found `{}`", i + 1, got;
                                              "第 {} 条报送规则：`every` 只能是 month、quarter、half 或 year，实际为 `{}`", i + 1, got),
                                   Some(every_hint(&got)));
                        ok = false;
                    }
                },
                "due_days" => match v.as_u64() {
                    Some(n) if n <= 366 => rule.due_days = n as u32,
                    _ => {
                        f.error_at(pos, text!("reporting rule {}: `due_days` must be a whole number of days (0–366), found `{}`", i + 1, got;
                                              "第 {} 条报送规则：`due_days` 应为天数（0–366 的整数），实际为 `{}`", i + 1, got), None);
                        ok = false;
                    }
                },
                _ => {
                    f.error_at(
                        pos,
                        text!("reporting rule {}: unknown key `{}`", i + 1, key;
                                          "第 {} 条报送规则：未知的键 `{}`", i + 1, key),
                        Some(unknown_key_hint(&key, &RULE_KEYS)),
                    );
                    ok = false;
                }
            }
        }
        match every {
            Some(e) => rule.every = e,
            None if ok => {
                f.error_at(pos, text!("reporting rule {} needs `every` (month, quarter, half or year)", i + 1;
                                      "第 {} 条报送规则缺少 `every`（month、quarter、half 或 year）", i + 1),
                           Some(text!("for example `- {{types: [乡镇], every: quarter}}`"; "例如 `- {{types: [乡镇], every: quarter}}`")));
                ok = false;
            }
            None => {}
        }
        if ok && rule.types.is_empty() && rule.units.is_empty() {
            f.error_at(pos, text!("reporting rule {} names no `types` or `units`", i + 1;
                                  "第 {} 条报送规则没有指定 `types` 或 `units`", i + 1),
                       Some(text!("for example `types: [乡镇, 街道]` or `units: [tao-le-zhen]`"; "例如 `types: [乡镇, 街道]` 或 `units: [tao-le-zhen]`")));
            ok = false;
        }
        if ok {
            out.push(rule);
        }
    }
    out
}

/// Reads a unit file's `reporting:` (`every`, `due_days`, `exempt`).
pub fn read_unit(f: &mut Fields) -> Option<UnitReporting> {
    let m = f.mapping("reporting")?;
    let mut r = f.nested("reporting", m);
    let mut out = UnitReporting::default();
    if let Some(s) = r.str("every") {
        match Every::parse(&s) {
            Some(e) => out.every = Some(e),
            None => r.error("every", text!("`every` must be month, quarter, half or year, found `{}`", s;
                                           "`every` 只能是 month、quarter、half 或 year，实际为 `{}`", s),
                            Some(every_hint(&s))),
        }
    }
    out.due_days = r.uint("due_days").map(|n| n.min(366) as u32);
    out.exempt = r.bool("exempt").unwrap_or(false);
    let d = r.finish(&UNIT_KEYS);
    f.diags.extend(d);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        let q1 = Period::Quarter(2024, 1);
        assert_eq!(end(q1).unwrap().ymd(), "2024-03-31");
        assert_eq!(due(q1, 15).unwrap().ymd(), "2024-04-15");
        assert_eq!(end(Period::Half(2024, 2)).unwrap().ymd(), "2024-12-31");
        assert_eq!(due(Period::Year(2024), 15).unwrap().ymd(), "2025-01-15");
        assert_eq!(end(Period::Month(2024, 2)).unwrap().ymd(), "2024-02-29");
        assert_eq!(start(Period::Quarter(2024, 3)).unwrap().ymd(), "2024-07-01");
        assert_eq!(Every::Quarter.periods(2024).len(), 4);
    }

    #[test]
    fn unit_rules_win_and_overrides_apply() {
        let rule = |types: &[&str], units: &[&str], every| Rule {
            types: types.iter().map(|s| s.to_string()).collect(),
            units: units.iter().map(|s| s.to_string()).collect(),
            every,
            due_days: 10,
            line: 1,
            col: 1,
        };
        let rules = [
            rule(&["乡镇"], &[], Every::Quarter),
            rule(&[], &["a"], Every::Month),
        ];
        assert_eq!(
            schedule_of(&rules, "a", "乡镇", None).unwrap().every,
            Every::Month
        );
        assert_eq!(
            schedule_of(&rules, "b", "乡镇", None).unwrap().every,
            Every::Quarter
        );
        assert_eq!(schedule_of(&rules, "c", "学校", None), None);
        let own = UnitReporting {
            every: Some(Every::Year),
            due_days: None,
            exempt: false,
        };
        let s = schedule_of(&rules, "b", "乡镇", Some(&own)).unwrap();
        assert_eq!((s.every, s.due_days), (Every::Year, 10));
        let exempt = UnitReporting {
            exempt: true,
            ..UnitReporting::default()
        };
        assert_eq!(schedule_of(&rules, "b", "乡镇", Some(&exempt)), None);
    }
}
