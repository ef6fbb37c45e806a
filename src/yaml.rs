//! The one place that touches the YAML crate: parse a front-matter or
//! `site.yaml` text into a mapping, turn YAML errors into positions, and find
//! where a key or list item stands so later checks can point at it.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
pub use yaml::{Mapping, Value};

/// A YAML syntax error at a 1-based line and column of the parsed text.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// The deepest nesting of lists and maps front matter may use. Parsing
/// time grows with the square of the depth, so a hostile file nested
/// 100,000 levels deep would take minutes; real front matter uses 3 or 4.
pub const MAX_DEPTH: usize = 64;

/// How many over-long integers are quoted and parsed again (YAML's numbers
/// stop at 64 bits; a figure may be larger).
const MAX_REQUOTES: usize = 32;

/// Parses `text` as a YAML mapping. An empty document is an empty mapping.
pub fn parse_mapping(text: &str) -> Result<Mapping, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Mapping::new());
    }
    check_depth(text)?;
    let mut patched: Option<String> = None;
    for _ in 0..=MAX_REQUOTES {
        let src = patched.as_deref().unwrap_or(text);
        let e = match yaml::from_str::<Value>(src) {
            Ok(Value::Mapping(m)) => return Ok(m),
            Ok(Value::Null) => return Ok(Mapping::new()),
            Ok(_) => {
                return Err(SyntaxError {
                    line: 1,
                    col: 1,
                    message: "expected `key: value` lines".into(),
                })
            }
            Err(e) => e,
        };
        match quote_big_integer(src, &e) {
            Some(p) => patched = Some(p),
            None => return Err(syntax_error(text, &e)),
        }
    }
    Err(SyntaxError {
        line: 1,
        col: 1,
        message: format!("more than {MAX_REQUOTES} numbers too large for YAML; put them in quotes"),
    })
}

/// An integer beyond 64 bits (`横幅: 100000000000000000000`) fails to
/// parse: the text with that integer quoted, so it arrives as text and is
/// read as a figure (or refused as too large) where it is used.
fn quote_big_integer(src: &str, e: &yaml::Error) -> Option<String> {
    let msg = e.to_string();
    if !(msg.contains("invalid type: integer") && (msg.contains("u128") || msg.contains("i128"))) {
        return None;
    }
    let at = e.location()?.index();
    let rest = src.get(at..)?;
    let sign = usize::from(rest.starts_with(['-', '+']));
    let digits = rest[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let end = at + sign + digits;
    let mut out = String::with_capacity(src.len() + 2);
    out.push_str(&src[..at]);
    out.push('"');
    out.push_str(&src[at..end]);
    out.push('"');
    out.push_str(&src[end..]);
    Some(out)
}

fn syntax_error(text: &str, e: &yaml::Error) -> SyntaxError {
    let (mut line, mut col) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    // Drop the crate's own "at line X column Y" parts: they count from
    // the YAML text, not the file, and we print the position ourselves.
    let message = strip_positions(&e.to_string());
    if message.starts_with("duplicate entry with key") {
        if let Some(key) = message.split('"').nth(1) {
            if let Some((l, c)) = Locator::new(text).duplicate_key(key) {
                (line, col) = (l, c);
            }
        }
    }
    SyntaxError { line, col, message }
}

/// Refuses nesting deeper than [`MAX_DEPTH`] before the parser sees it, in
/// one pass: block levels by indentation, `- ` items opened on one line,
/// and `[`/`{` opened at the start of a value (outside quotes and comments).
fn check_depth(text: &str) -> Result<(), SyntaxError> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    for (i, line) in text.lines().enumerate() {
        let b = line.as_bytes();
        let ind = indent_of(line);
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if quote.is_none() && flow == 0 && !blank {
            while indents.last().is_some_and(|&t| t >= ind) {
                indents.pop();
            }
            indents.push(ind);
        }
        let mut depth = indents.len() + flow;
        // Whether the next character starts a value (nothing but
        // indicators and spaces before it on this token).
        let mut at_start = true;
        let mut j = 0;
        while j < b.len() {
            let c = b[j];
            if let Some(q) = quote {
                if c == b'\\' && q == b'"' {
                    j += 1;
                } else if c == q {
                    if q == b'\'' && b.get(j + 1) == Some(&b'\'') {
                        j += 1;
                    } else {
                        quote = None;
                        at_start = false;
                    }
                }
                j += 1;
                continue;
            }
            match c {
                b'#' if j == 0 || b[j - 1] == b' ' => break,
                b'"' | b'\'' if at_start => quote = Some(c),
                b'[' | b'{' if at_start => {
                    flow += 1;
                    depth += 1;
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                b'-' | b'?' | b':' if at_start && matches!(b.get(j + 1), None | Some(b' ')) => {
                    depth += 1;
                }
                b' ' => {}
                b',' => at_start = flow > 0,
                _ => at_start = false,
            }
            if c == b':' && matches!(b.get(j + 1), None | Some(b' ')) {
                at_start = true;
            }
            if depth > MAX_DEPTH {
                return Err(SyntaxError {
                    line: i + 1,
                    col: line[..j].chars().count() + 1,
                    message: format!("lists and maps nest more than {MAX_DEPTH} levels deep"),
                });
            }
            j += 1;
        }
    }
    Ok(())
}

fn strip_positions(msg: &str) -> String {
    let mut out = msg.to_string();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let n = digits(rest);
        let mut end = i + " at line ".len() + n;
        if let Some(r) = out[end..].strip_prefix(" column ") {
            end += " column ".len() + digits(r);
        }
        out.replace_range(i..end, "");
    }
    out
}

/// Finds the line and column of keys in a block-style YAML text, by indentation.
/// Good enough for front matter as editors write it; falls back to the parent.
/// Each block is scanned once and indexed, so locating every key of a
/// front matter with 20,000 `stats:` lines costs one pass, not 20,000.
#[derive(Clone)]
pub struct Locator<'a> {
    lines: Vec<&'a str>,
    /// Top-level keys → (line, col), first occurrence.
    top: OnceCell<KeyIndex<'a>>,
    /// Keys directly below each top-level key.
    children: RefCell<HashMap<String, Rc<KeyIndex<'a>>>>,
    /// Lines (0-based) of the `- ` items below each top-level key.
    items: RefCell<HashMap<String, Rc<Vec<usize>>>>,
}

type KeyIndex<'a> = HashMap<&'a str, (usize, usize)>;

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start_matches(' ');
    let t = t.strip_prefix("- ").unwrap_or(t);
    let colon = t.find(':')?;
    let k = t[..colon].trim();
    let k = k.trim_matches(|c| c == '"' || c == '\'');
    if k.is_empty() || k.starts_with('#') {
        None
    } else {
        Some(k)
    }
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        Locator {
            lines: text.lines().collect(),
            top: OnceCell::new(),
            children: RefCell::default(),
            items: RefCell::default(),
        }
    }

    /// Line `n` (1-based) of the text.
    pub fn line(&self, n: usize) -> Option<&'a str> {
        self.lines.get(n.checked_sub(1)?).copied()
    }

    /// (line, col) of a top-level key, 1-based.
    pub fn key(&self, key: &str) -> Option<(usize, usize)> {
        self.top
            .get_or_init(|| self.index(0, self.lines.len(), Some(0)))
            .get(key)
            .copied()
    }

    /// The line range (exclusive end) of the block below the line of `parent`.
    fn block(&self, parent_line: usize) -> (usize, usize) {
        let base = indent_of(self.lines[parent_line]);
        let mut end = parent_line + 1;
        while end < self.lines.len() {
            let l = self.lines[end];
            if !l.trim().is_empty() && !l.trim_start().starts_with('#') && indent_of(l) <= base {
                // A list item at the same indent still belongs to the key above.
                if !(indent_of(l) == base && l.trim_start().starts_with("- ")) {
                    break;
                }
            }
            end += 1;
        }
        (parent_line + 1, end)
    }

    /// The keys on lines `start..end` at `indent` (by default, the first
    /// line's), each at its first occurrence.
    fn index(&self, start: usize, end: usize, indent: Option<usize>) -> KeyIndex<'a> {
        let mut out = KeyIndex::new();
        let mut child_indent = indent;
        for i in start..end {
            let l = self.lines[i];
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            let ind = indent_of(l);
            let ci = *child_indent.get_or_insert(ind);
            if ind != ci {
                continue;
            }
            if let Some(key) = key_of(l) {
                out.entry(key).or_insert_with(|| {
                    let col = l
                        .find(key)
                        .map(|b| l[..b].chars().count() + 1)
                        .unwrap_or(ind + 1);
                    (i + 1, col)
                });
            }
        }
        out
    }

    /// (line, col) of `key` directly below top-level `parent` (or at the top level).
    pub fn child_key(&self, parent: Option<&str>, key: &str) -> Option<(usize, usize)> {
        let Some(p) = parent else {
            return self.key(key);
        };
        let cached = self.children.borrow().get(p).cloned();
        let index = match cached {
            Some(i) => i,
            None => {
                let (pl, _) = self.key(p)?;
                let (s, e) = self.block(pl - 1);
                let i = Rc::new(self.index(s, e, None));
                self.children.borrow_mut().insert(p.to_string(), i.clone());
                i
            }
        };
        index.get(key).copied()
    }

    /// (line, col) of a key at any depth: `path_key(&["audit", "columns", "x"])`.
    pub fn path_key(&self, path: &[&str]) -> Option<(usize, usize)> {
        let (mut start, mut end) = (0, self.lines.len());
        let mut found = None;
        for key in path {
            let mut child_indent = None;
            let line = (start..end).find(|&i| {
                let l = self.lines[i];
                if l.trim().is_empty() || l.trim_start().starts_with('#') {
                    return false;
                }
                let ci = *child_indent.get_or_insert(indent_of(l));
                indent_of(l) == ci && key_of(l) == Some(key)
            })?;
            let l = self.lines[line];
            let col = l.find(key).map_or(1, |b| l[..b].chars().count() + 1);
            found = Some((line + 1, col));
            (start, end) = self.block(line);
        }
        found
    }

    /// (line, col) of the `index`-th item of a block list under top-level `parent`,
    /// or of the parent itself for flow lists (`tags: [a, b]`).
    pub fn list_item(&self, parent: &str, index: usize) -> Option<(usize, usize)> {
        let (pl, pc) = self.key(parent)?;
        let cached = self.items.borrow().get(parent).cloned();
        let items = match cached {
            Some(i) => i,
            None => {
                let (s, e) = self.block(pl - 1);
                let i: Rc<Vec<usize>> = Rc::new(
                    (s..e)
                        .filter(|&i| self.lines[i].trim_start().starts_with("- "))
                        .collect(),
                );
                self.items
                    .borrow_mut()
                    .insert(parent.to_string(), i.clone());
                i
            }
        };
        match items.get(index) {
            Some(&i) => Some((i + 1, indent_of(self.lines[i]) + 3)),
            None => Some((pl, pc)),
        }
    }

    /// The column where the value of the key at `line` starts.
    pub fn value_col(&self, line: usize) -> usize {
        let l = self.lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
        match l.find(':') {
            Some(i) => {
                let after = &l[i + 1..];
                let skip = after.len() - after.trim_start().len();
                l[..i + 1 + skip].chars().count() + 1
            }
            None => 1,
        }
    }

    fn duplicate_key(&self, key: &str) -> Option<(usize, usize)> {
        let mut seen = std::collections::HashSet::new();
        for (i, l) in self.lines.iter().enumerate() {
            if key_of(l) == Some(key) && !seen.insert(indent_of(l)) {
                return Some((i + 1, indent_of(l) + 1));
            }
        }
        None
    }
}

/// A human-readable rendering of a scalar for messages.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Converts a YAML value to JSON for templates (`extra:` maps).
pub fn to_json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "title: 标题\nstats:\n  清理垃圾: 600多\n  banners: 8\ntags:\n  - 宣传\n  - 环境\nextra:\n  a: 1\n";

    #[test]
    fn finds_keys_children_and_items() {
        let l = Locator::new(FM);
        assert_eq!(l.key("title"), Some((1, 1)));
        assert_eq!(l.key("tags"), Some((5, 1)));
        assert_eq!(l.child_key(Some("stats"), "banners"), Some((4, 3)));
        assert_eq!(l.child_key(Some("stats"), "清理垃圾"), Some((3, 3)));
        assert_eq!(l.list_item("tags", 1), Some((7, 5)));
        assert_eq!(l.key("a"), None);
        assert_eq!(l.value_col(1), 8);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse_mapping("title: x\ndate: 2024-12-20\n  bad: 2\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 6));
        assert!(!e.message.contains("at line"));
        let e = parse_mapping("title: [x\nunit: y\n").unwrap_err();
        assert!(!e.message.contains("line"), "{}", e.message);
        let e = parse_mapping("title: a\nunit: b\ntitle: c\n").unwrap_err();
        assert_eq!(e.line, 3);
    }
}
