//! The review gate (三审三校): site.yaml's `review: {required: [...]}` names
//! the steps every report and article must pass; a document's `review:`
//! records who passed each step and when. A document missing a step is held
//! back from `build` like a draft (see `content::load`).

use crate::content::date::Date;
use crate::diagnostics::{closest, text};
use crate::fields::Fields;
use crate::yaml::{self, Value};

/// One passed step: `初审: 张明 2024-04-11`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Step {
    pub name: String,
    pub by: String,
    pub date: Date,
}

/// A document's `review:` and what it still lacks of site.yaml's `review.required`.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub steps: Vec<Step>,
    /// Required steps not passed yet; non-empty: the document awaits review.
    pub missing: Vec<String>,
}

/// Parses site.yaml's `review:`: the required step names, in order.
pub fn parse_config(f: &mut Fields) -> Vec<String> {
    let Some(m) = f.mapping("review") else {
        return Vec::new();
    };
    let mut r = f.nested("review", m);
    let required = r.str_list("required");
    let mut seen: Vec<String> = Vec::new();
    for s in required {
        if seen.contains(&s) {
            r.error(
                "required",
                text!("review step `{}` is listed twice", s; "审核环节 `{}` 重复", s),
                None,
            );
        } else {
            seen.push(s);
        }
    }
    let d = r.finish(&["required"]);
    f.diags.extend(d);
    seen
}

/// Splits `张明 2024-04-11` into the name and the date text (the last word).
fn split_entry(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.rfind(char::is_whitespace) {
        Some(i) => (s[..i].trim(), s[i..].trim()),
        None => ("", s),
    }
}

/// Reads a document's `review:` against the `required` steps.
pub fn read(f: &mut Fields, required: &[String]) -> Review {
    let steps = read_steps(f, required);
    let missing = missing(&steps, required);
    Review { steps, missing }
}

/// Reads a document's `review:` map. With `required` set, step names must
/// be among them.
fn read_steps(f: &mut Fields, required: &[String]) -> Vec<Step> {
    let Some(map) = f.mapping("review") else {
        return Vec::new();
    };
    let mut r = f.nested("review", map.clone());
    let mut out: Vec<Step> = Vec::new();
    for (k, v) in map {
        let name = yaml::show(&k);
        let key_pos = r.pos(&name);
        let value_pos = (key_pos.0, r.value_pos(&name).1);
        if !required.is_empty() && !required.contains(&name) {
            let hint = match closest(&name, required.iter().map(String::as_str)) {
                Some(c) => {
                    text!("did you mean `{}`? Steps required in site.yaml: {}", c, required.join(", ");
                                 "是否想写 `{}`？site.yaml 要求的审核环节：{}", c, required.join("、"))
                }
                None => text!("steps required in site.yaml: {}", required.join(", ");
                              "site.yaml 要求的审核环节：{}", required.join("、")),
            };
            r.error_at(
                key_pos,
                text!("unknown review step `{}`", name; "未知的审核环节 `{}`", name),
                Some(hint),
            );
            continue;
        }
        let (by, date_text) = match &v {
            Value::String(s) => {
                let (b, d) = split_entry(s);
                (b.to_string(), d.to_string())
            }
            Value::Mapping(m) => {
                for key in m.keys().map(yaml::show) {
                    if key != "by" && key != "date" {
                        r.error_at(value_pos, text!("review step `{}`: unknown key `{}`", name, key; "审核环节 `{}`：未知的键 `{}`", name, key),
                                   Some(text!("write `{{by: 张明, date: 2024-04-11}}`"; "请写成 `{{by: 张明, date: 2024-04-11}}`")));
                    }
                }
                let get = |k: &str| m.get(k).map(yaml::show).unwrap_or_default();
                (get("by").trim().to_string(), get("date").trim().to_string())
            }
            other => {
                let got = yaml::show(other);
                r.error_at(value_pos, text!("review step `{}` must be `name date`, found `{}`", name, got;
                                            "审核环节 `{}` 应写成 `姓名 日期`，实际为 `{}`", name, got),
                           Some(text!("for example `{}: 张明 2024-04-11`", name; "例如 `{}: 张明 2024-04-11`", name)));
                continue;
            }
        };
        let Some(date) = Date::parse(&date_text) else {
            r.error_at(
                value_pos,
                text!("review step `{}`: `{}` is not a date", name, date_text;
                                        "审核环节 `{}`：`{}` 不是有效日期", name, date_text),
                Some(
                    text!("write `{}: 张明 2024-04-11` (reviewer, then the date)", name;
                                  "请写成 `{}: 张明 2024-04-11`（审核人，然后是日期）", name),
                ),
            );
            continue;
        };
        if by.is_empty() {
            r.error_at(value_pos, text!("review step `{}` does not say who reviewed", name; "审核环节 `{}` 没有写审核人", name),
                       Some(text!("write `{}: 张明 {}`", name, date.ymd(); "请写成 `{}: 张明 {}`", name, date.ymd())));
            continue;
        }
        out.push(Step { name, by, date });
    }
    f.diags.append(&mut r.diags);
    out
}

/// The required steps `steps` lacks, in the order site.yaml lists them.
pub fn missing(steps: &[Step], required: &[String]) -> Vec<String> {
    required
        .iter()
        .filter(|r| !steps.iter().any(|s| &s.name == *r))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_on_the_last_space() {
        assert_eq!(split_entry("张明 2024-04-11"), ("张明", "2024-04-11"));
        assert_eq!(
            split_entry(" 欧阳 明 2024年4月11日 "),
            ("欧阳 明", "2024年4月11日")
        );
        assert_eq!(split_entry("2024-04-11"), ("", "2024-04-11"));
    }

    #[test]
    fn missing_keeps_the_configured_order() {
        let req: Vec<String> = ["初审", "复审", "终审"].map(String::from).to_vec();
        let steps = vec![Step {
            name: "复审".into(),
            by: "李".into(),
            date: Date::new(2024, 4, 1).unwrap(),
        }];
        assert_eq!(missing(&steps, &req), vec!["初审", "终审"]);
        assert!(missing(&steps, &[]).is_empty());
    }
}
