//! Typed, located access to a parsed YAML mapping. Every problem (wrong type,
//! missing key, unknown key with a did-you-mean hint) becomes a diagnostic at
//! the key's `path:line:col`, and reading goes on so all are reported at once.

use crate::diagnostics::{closest, text, Diagnostic, Text};
use crate::yaml::{self, Locator, Mapping, Value};
use std::path::{Path, PathBuf};

pub struct Fields<'a> {
    map: Mapping,
    loc: Locator<'a>,
    path: PathBuf,
    /// File line of the YAML text's first line, minus one.
    line0: usize,
    /// Which mapping this is below the top level (`markdown`, `stats`), for positions.
    parent: Option<String>,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(map: Mapping, yaml_text: &'a str, path: &Path, first_line: usize) -> Self {
        Fields {
            map,
            loc: Locator::new(yaml_text),
            path: path.to_path_buf(),
            line0: first_line.saturating_sub(1),
            parent: None,
            diags: Vec::new(),
        }
    }

    /// Fields of a nested mapping under top-level `key`.
    pub fn nested(&self, key: &str, map: Mapping) -> Fields<'a> {
        Fields {
            map,
            loc: self.loc.clone(),
            path: self.path.clone(),
            line0: self.line0,
            parent: Some(key.to_string()),
            diags: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// File position of `key` (the start of the front matter when absent).
    pub fn pos(&self, key: &str) -> (usize, usize) {
        let found = match &self.parent {
            None => self.loc.key(key),
            Some(p) => self.loc.child_key(Some(p), key).or_else(|| self.loc.key(p)),
        };
        match found {
            Some((l, c)) => (l + self.line0, c),
            None => (self.line0.max(1), 1),
        }
    }

    /// File position of the value of `key`.
    pub fn value_pos(&self, key: &str) -> (usize, usize) {
        let (l, c) = self.pos(key);
        match self
            .parent
            .as_deref()
            .map_or_else(|| self.loc.key(key), |p| self.loc.child_key(Some(p), key))
        {
            Some((yl, _)) => (l, self.loc.value_col(yl)),
            None => (l, c),
        }
    }

    /// File position of a key at any depth (`["audit", "columns", "x"]`).
    pub fn path_pos(&self, path: &[&str]) -> Option<(usize, usize)> {
        self.loc.path_key(path).map(|(l, c)| (l + self.line0, c))
    }

    /// The value of scalar `key` as written on its line, quotes and a
    /// trailing comment dropped: `横幅: 123456789012345678901234567890`
    /// reads as a float, this keeps the editor's digits.
    pub fn written(&self, key: &str) -> Option<String> {
        let (yl, _) = match self.parent.as_deref() {
            None => self.loc.key(key)?,
            Some(p) => self.loc.child_key(Some(p), key)?,
        };
        let line = self.loc.line(yl)?;
        let value = &line[line.find(':')? + 1..];
        let value = value.split(" #").next().unwrap_or(value).trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    }

    /// File position of item `i` of the top-level list `key`.
    pub fn item_pos(&self, key: &str, i: usize) -> (usize, usize) {
        match self.loc.list_item(key, i) {
            Some((l, c)) => (l + self.line0, c),
            None => self.pos(key),
        }
    }

    pub fn error_at(&mut self, (line, col): (usize, usize), message: Text, hint: Option<Text>) {
        let mut d = Diagnostic::error(&self.path, line, col, message);
        d.hint = hint;
        self.diags.push(d);
    }

    pub fn error(&mut self, key: &str, message: Text, hint: Option<Text>) {
        let p = self.value_pos(key);
        self.error_at(p, message, hint);
    }

    pub fn raw(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        }
    }

    fn type_error(&mut self, key: &str, want: Text, got: &Value) {
        let got = yaml::show(got);
        self.error(
            key,
            text!("`{}` must be {}, found `{}`", key, want.en, got; "`{}` 应为{}，实际为 `{}`", key, want.zh, got),
            None,
        );
    }

    /// A string; numbers and booleans are taken as their text.
    pub fn str(&mut self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                self.type_error(key, text!("text"; "文本"), &other);
                None
            }
        }
    }

    /// A string that must be present and non-empty.
    pub fn required_str(&mut self, key: &str, example: &str) -> Option<String> {
        let present = self.map.contains_key(key);
        // A map or list was already reported as the wrong type by `str`.
        let scalar = !matches!(
            self.map.get(key),
            Some(Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_))
        );
        match self.str(key) {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ if !scalar => None,
            _ => {
                let hint =
                    text!("add a line `{}: {}`", key, example; "请添加一行 `{}: {}`", key, example);
                if present {
                    self.error(
                        key,
                        text!("`{}` is empty", key; "`{}` 不能为空", key),
                        Some(hint),
                    );
                } else {
                    let p = self.missing_pos();
                    self.error_at(
                        p,
                        text!("missing required key `{}`", key; "缺少必填键 `{}`", key),
                        Some(hint),
                    );
                }
                None
            }
        }
    }

    fn missing_pos(&self) -> (usize, usize) {
        match &self.parent {
            Some(p) => self
                .loc
                .key(p)
                .map(|(l, c)| (l + self.line0, c))
                .unwrap_or((self.line0.max(1), 1)),
            None => (self.line0.max(1), 1),
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.raw(key)? {
            Value::Bool(b) => Some(b),
            other => {
                self.type_error(key, text!("`true` or `false`"; "`true` 或 `false`"), &other);
                None
            }
        }
    }

    pub fn uint(&mut self, key: &str) -> Option<u64> {
        match self.raw(key)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            other => {
                self.type_error(key, text!("a whole number"; "整数"), &other);
                None
            }
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    pub fn str_list(&mut self, key: &str) -> Vec<String> {
        match self.raw(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Sequence(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => {
                            let p = self.item_pos(key, i);
                            let got = yaml::show(&other);
                            self.error_at(
                                p,
                                text!("item {} of `{}` must be text, found `{}`", i + 1, key, got;
                                "`{}` 的第 {} 项应为文本，实际为 `{}`", key, i + 1, got),
                                None,
                            );
                        }
                    }
                }
                out
            }
            Some(other) => {
                self.type_error(
                    key,
                    text!("a list like `[a, b]`"; "列表，例如 `[a, b]`"),
                    &other,
                );
                Vec::new()
            }
        }
    }

    /// A mapping (for `extra`, `stats`, `markdown`).
    pub fn mapping(&mut self, key: &str) -> Option<Mapping> {
        match self.raw(key)? {
            Value::Mapping(m) => Some(m),
            other => {
                self.type_error(
                    key,
                    text!("a map of `key: value` lines"; "`键: 值` 形式的映射"),
                    &other,
                );
                None
            }
        }
    }

    /// Reports every key not read so far as unknown, with a did-you-mean hint,
    /// and returns all diagnostics.
    pub fn finish(mut self, allowed: &[&str]) -> Vec<Diagnostic> {
        let left: Vec<String> = self.map.keys().map(yaml::show).collect();
        for key in left {
            let p = self.pos(&key);
            let hint = match closest(&key, allowed.iter().copied()) {
                Some(s) => text!("did you mean `{}`? Allowed keys: {}", s, allowed.join(", ");
                                 "是否想写 `{}`？可用的键：{}", s, allowed.join("、")),
                None => {
                    text!("allowed keys: {}; put free-form data under `extra:`", allowed.join(", ");
                              "可用的键：{}；自定义数据请放在 `extra:` 下", allowed.join("、"))
                }
            };
            self.error_at(
                p,
                text!("unknown key `{}`", key; "未知的键 `{}`", key),
                Some(hint),
            );
        }
        self.diags
    }
}
