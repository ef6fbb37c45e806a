//! The `identity:` and `audit:` sections of `site.yaml`: the filings and
//! contacts a government site must show, and the thresholds, allow-list and
//! wording pairs of `jianbao audit`. Read by `config`, every problem located.

use crate::diagnostics::text;
use crate::fields::Fields;
use crate::yaml::{self, Value};

/// `identity:` — what the footer and the page metadata show.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Identity {
    /// 网站标识码 (10 characters, e.g. `6402210001`).
    pub site_code: Option<String>,
    /// ICP备案号 (`宁ICP备12345678号-1`).
    pub icp: Option<String>,
    /// 公安机关备案号 (`宁公网安备 64022102000123号`).
    pub police: Option<String>,
    /// The digits of the 公安 filing, for the link to its record.
    pub police_code: Option<String>,
    /// 主办单位.
    pub sponsor: Option<String>,
    /// 承办单位.
    pub organizer: Option<String>,
    /// 联系电话.
    pub contact: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    /// The site.yaml line of `identity:` (0 when absent), for findings.
    #[serde(skip)]
    pub line: usize,
}

/// `audit:` — thresholds and lists of `jianbao audit` and the personal-data guard.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditConfig {
    /// Numbers meant to be public (hotlines): never flagged as personal data.
    pub allow: Vec<String>,
    /// Wrong → right pairs (严重错别字), in the order written.
    pub words: Vec<(String, String)>,
    /// Days after which a report or article column counts as stale.
    pub stale_days: u32,
    /// Per-column limits in days (`reports`, `articles`, a category name);
    /// 0 means never stale. With the line they were written on.
    pub columns: Vec<(String, u32, usize)>,
    /// Timeout of one external-link request with `--online`, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            allow: Vec::new(),
            words: Vec::new(),
            stale_days: 14,
            columns: Vec::new(),
            timeout_ms: 5000,
        }
    }
}

const IDENTITY_KEYS: &[&str] = &[
    "site_code",
    "icp",
    "police",
    "sponsor",
    "organizer",
    "contact",
    "address",
    "email",
];
const AUDIT_KEYS: &[&str] = &["allow", "words", "stale_days", "columns", "timeout"];

/// Province abbreviations that start ICP and 公安 filing numbers.
const PROVINCES: &str =
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台";

/// `宁ICP备12345678号-1`: a province, `ICP备`, digits, `号`, an optional `-n`.
fn valid_icp(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(p) = chars.next() else { return false };
    let rest = chars.as_str();
    let Some(rest) = rest.strip_prefix("ICP备") else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(tail) = rest[digits..].strip_prefix('号') else {
        return false;
    };
    let tail_ok = tail.is_empty()
        || tail
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    PROVINCES.contains(p) && (6..=10).contains(&digits) && tail_ok
}

/// `宁公网安备 64022102000123号` → its 14 digits.
fn police_digits(s: &str) -> Option<String> {
    let mut chars = s.chars();
    let p = chars.next()?;
    let rest = chars.as_str().strip_prefix("公网安备")?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let tail = rest[digits.len()..].trim();
    (PROVINCES.contains(p) && digits.len() == 14 && (tail == "号" || tail.is_empty()))
        .then_some(digits)
}

/// A phone number as written: digits with `-`, spaces, parentheses or `+`.
fn valid_phone(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " -+()（）转,，、".contains(c))
}

pub fn parse_identity(f: &mut Fields) -> Identity {
    let line = f.path_pos(&["identity"]).map_or(0, |(l, _)| l);
    let Some(m) = f.mapping("identity") else {
        return Identity::default();
    };
    let mut g = f.nested("identity", m);
    let read = |g: &mut Fields, key: &str| {
        g.str(key)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut id = Identity {
        site_code: read(&mut g, "site_code"),
        icp: read(&mut g, "icp"),
        police: read(&mut g, "police"),
        police_code: None,
        sponsor: read(&mut g, "sponsor"),
        organizer: read(&mut g, "organizer"),
        contact: read(&mut g, "contact"),
        address: read(&mut g, "address"),
        email: read(&mut g, "email"),
        line,
    };
    if let Some(c) = &id.site_code {
        if c.len() != 10 || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
            g.error("site_code", text!("`site_code` (网站标识码) must be 10 letters or digits, found `{}`", c;
                                       "`site_code`（网站标识码）应为 10 位字母或数字，实际为 `{}`", c),
                    Some(text!("the code is on the 全国政府网站基本数据库 record of the site, e.g. `site_code: \"6402210001\"` (quoted)";
                               "网站标识码见全国政府网站基本数据库中本站的记录，例如 `site_code: \"6402210001\"`（加引号）")));
        }
    }
    if let Some(c) = &id.icp {
        if !valid_icp(c) {
            g.error("icp", text!("`icp` is not an ICP filing number: `{}`", c; "`icp` 不是有效的 ICP 备案号：`{}`", c),
                    Some(text!("write it as on the MIIT record, e.g. `宁ICP备12345678号-1`"; "请按工信部备案系统的写法填写，例如 `宁ICP备12345678号-1`")));
        }
    }
    if let Some(c) = &id.police {
        id.police_code = police_digits(c);
        if id.police_code.is_none() {
            g.error("police", text!("`police` is not a 公安 filing number: `{}`", c; "`police` 不是有效的公安机关备案号：`{}`", c),
                    Some(text!("write it as on the record, e.g. `宁公网安备 64022102000123号` (14 digits)"; "请按备案记录填写，例如 `宁公网安备 64022102000123号`（14 位数字）")));
        }
    }
    if let Some(c) = &id.contact {
        if !valid_phone(c) {
            g.error("contact", text!("`contact` is not a phone number: `{}`", c; "`contact` 不是有效的电话号码：`{}`", c),
                    Some(text!("for example `contact: \"0952-6012345\"`"; "例如 `contact: \"0952-6012345\"`")));
        }
    }
    if let Some(c) = &id.email {
        let ok = c.split_once('@').is_some_and(|(u, h)| {
            !u.is_empty() && h.contains('.') && !c.contains(char::is_whitespace)
        });
        if !ok {
            g.error("email", text!("`email` is not an e-mail address: `{}`", c; "`email` 不是有效的电子邮箱：`{}`", c),
                    Some(text!("for example `email: plwb@example.gov.cn`"; "例如 `email: plwb@example.gov.cn`")));
        }
    }
    let d = g.finish(IDENTITY_KEYS);
    f.diags.extend(d);
    id
}

/// Reads a non-negative number of days.
fn days(g: &mut Fields, key: &str, v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) if n.as_u64().is_some_and(|d| d <= 36500) => n.as_u64().map(|d| d as u32),
        other => {
            let got = yaml::show(other);
            g.error(key, text!("`{}` must be a number of days, found `{}`", key, got; "`{}` 应为天数，实际为 `{}`", key, got),
                    Some(text!("for example `{}: 30` (0: never stale)", key; "例如 `{}: 30`（0 表示不检查更新）", key)));
            None
        }
    }
}

pub fn parse_audit(f: &mut Fields) -> AuditConfig {
    let mut a = AuditConfig::default();
    let Some(m) = f.mapping("audit") else {
        return a;
    };
    let mut g = f.nested("audit", m);
    a.allow = g.str_list("allow");
    if let Some(words) = g.mapping("words") {
        for (k, v) in words {
            let (wrong, right) = (yaml::show(&k), yaml::show(&v));
            if wrong.trim().is_empty() || wrong == right {
                g.error(
                    "words",
                    text!("`words`: `{}: {}` is not a wrong → right pair", wrong, right;
                                       "`words`：`{}: {}` 不是“错误写法: 正确写法”", wrong, right),
                    None,
                );
                continue;
            }
            a.words.push((wrong, right));
        }
    }
    if let Some(v) = g.raw("stale_days") {
        a.stale_days = days(&mut g, "stale_days", &v).unwrap_or(a.stale_days);
    }
    if let Some(cols) = g.mapping("columns") {
        for (k, v) in cols {
            let name = yaml::show(&k);
            let line = g
                .path_pos(&["audit", "columns", &name])
                .map_or(0, |(l, _)| l);
            if let Some(d) = days(&mut g, "columns", &v) {
                a.columns.push((name, d, line));
            }
        }
    }
    if let Some(v) = g.raw("timeout") {
        match v.as_f64() {
            Some(s) if s > 0.0 && s <= 120.0 => a.timeout_ms = (s * 1000.0) as u64,
            _ => {
                let got = yaml::show(&v);
                g.error(
                    "timeout",
                    text!("`timeout` must be seconds between 0 and 120, found `{}`", got;
                                         "`timeout` 应为 0 到 120 之间的秒数，实际为 `{}`", got),
                    Some(text!("for example `timeout: 5`"; "例如 `timeout: 5`")),
                );
            }
        }
    }
    let d = g.finish(AUDIT_KEYS);
    f.diags.extend(d);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filing_numbers() {
        assert!(valid_icp("宁ICP备12345678号-1"));
        assert!(valid_icp("京ICP备05070602号"));
        assert!(!valid_icp("ICP备12345678号"));
        assert!(!valid_icp("宁ICP12345678"));
        assert_eq!(
            police_digits("宁公网安备 64022102000123号").as_deref(),
            Some("64022102000123")
        );
        assert_eq!(police_digits("宁公网安备 640221号"), None);
        assert!(valid_phone("0952-6012345"));
        assert!(valid_phone("(0952) 601 2345"));
        assert!(!valid_phone("电话"));
    }
}
