//! Problems found in a site, with their place (`path:line:col`) and text in
//! both English and Chinese. The library only collects them; `main` picks the
//! language and prints.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail the build, warnings do not; an info
/// line only tells (a document awaiting review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// The language messages are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `LC_ALL` overrides `LANG`; a value starting with `zh` means Chinese.
    pub fn from_env_values(lc_all: Option<&str>, lang: Option<&str>) -> Lang {
        let pick = match lc_all {
            Some(v) if !v.is_empty() => v,
            _ => lang.unwrap_or(""),
        };
        if pick.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn from_env() -> Lang {
        let lc_all = std::env::var("LC_ALL").ok();
        let lang = std::env::var("LANG").ok();
        Lang::from_env_values(lc_all.as_deref(), lang.as_deref())
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// `text!("en {}", a; "zh {}", a)` builds a [`Text`] from two format strings.
/// Import it as `crate::diagnostics::text` (the binary: `jianbao::diagnostics::text`);
/// `__text` is its hidden crate-root name, needed only so the binary can reach it.
#[doc(hidden)]
#[macro_export]
macro_rules! __text {
    ($en:literal $(, $ea:expr)* ; $zh:literal $(, $za:expr)* $(,)?) => {
        $crate::diagnostics::Text::new(format!($en $(, $ea)*), format!($zh $(, $za)*))
    };
}
pub use crate::__text as text;

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user (relative to the site root when possible).
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: Text,
    pub hint: Option<Text>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, line: usize, col: usize, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line,
            col,
            message,
            hint: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, line: usize, col: usize, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, col, message)
        }
    }

    /// A note about a whole file, shown as `path: message`.
    pub fn info(path: impl Into<PathBuf>, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error(path, 0, 0, message)
        }
    }

    pub fn with_hint(mut self, hint: Text) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col: error: message` and, when there is one, an indented
    /// hint on the next line.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        let path = display_path(&self.path);
        if self.severity == Severity::Info {
            let _ = write!(out, "{path}: {}", self.message.get(lang));
            return out;
        }
        let (line, col) = (self.line.max(1), self.col.max(1));
        let label = match (self.severity, lang) {
            (Severity::Error, Lang::En) => "error: ",
            (Severity::Error, Lang::Zh) => "错误：",
            (Severity::Warning, Lang::En) => "warning: ",
            (Severity::Warning, Lang::Zh) => "警告：",
            (Severity::Info, _) => "",
        };
        let _ = write!(
            out,
            "{path}:{line}:{col}: {label}{}",
            self.message.get(lang)
        );
        if let Some(hint) = &self.hint {
            let h = match lang {
                Lang::En => "hint: ",
                Lang::Zh => "提示：",
            };
            let _ = write!(out, "\n  {h}{}", hint.get(lang));
        }
        out
    }
}

fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Sorts problems by file and position so output is stable whatever order
/// the parallel loaders finished in.
pub fn sort(diags: &mut [Diagnostic]) {
    use std::path::Component;
    // Paths compare by components. Each is turned once into bytes that
    // compare the same way (see `path_key`), so the sort compares bytes
    // instead of splitting both paths at every step: with thousands of
    // warnings that showed in `serve`'s rebuilds. A Windows drive prefix
    // orders by its own rules: then the components themselves are keys.
    let prefixed = diags
        .iter()
        .any(|d| matches!(d.path.components().next(), Some(Component::Prefix(_))));
    let mut order: Vec<usize> = (0..diags.len()).collect();
    if prefixed {
        let keys: Vec<_> = diags
            .iter()
            .map(|d| {
                (
                    d.path.components().collect::<Vec<_>>(),
                    d.line,
                    d.col,
                    d.severity,
                )
            })
            .collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    } else {
        // The index last: equal problems keep their order.
        let mut keyed: Vec<_> = diags
            .iter()
            .enumerate()
            .map(|(i, d)| (path_key(&d.path), d.line, d.col, d.severity, i))
            .collect();
        keyed.sort_unstable();
        order = keyed.into_iter().map(|k| k.4).collect();
    }
    permute(diags, order);
}

/// Bytes that order as `path`'s components do (for paths without a drive
/// prefix): per component a tag in the order of `Component`'s variants,
/// a name's bytes with 0 and 1 escaped as 1 1 and 1 2, then 0. The
/// terminator sorts below any byte of a name, so a name sorts before
/// the longer names it begins, as `OsStr`s compare.
fn path_key(path: &std::path::Path) -> Vec<u8> {
    use std::path::Component;
    let mut out = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        let (tag, name) = match c {
            Component::Prefix(p) => (0, p.as_os_str().as_encoded_bytes()),
            Component::RootDir => (1, &[][..]),
            Component::CurDir => (2, &[][..]),
            Component::ParentDir => (3, &[][..]),
            Component::Normal(n) => (4, n.as_encoded_bytes()),
        };
        out.push(tag);
        for &b in name {
            match b {
                0 | 1 => out.extend_from_slice(&[1, b + 1]),
                _ => out.push(b),
            }
        }
        out.push(0);
    }
    out
}

/// Reorders `v` so that position `i` holds what was at `order[i]`
/// (`order` a permutation), following its cycles with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for i in 0..v.len() {
        let mut j = i;
        while order[j] != DONE {
            let k = std::mem::replace(&mut order[j], DONE);
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

/// The closest candidate to `wanted`, if any is close enough to be a likely
/// typo (used for did-you-mean hints).
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_len = wanted.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_levenshtein(wanted, c);
        let shares_prefix = c.chars().next() == wanted.chars().next();
        let contains = c.contains(wanted) || wanted.contains(c);
        let ok = score >= 0.5 || (contains && wanted_len >= 2) || (shares_prefix && score >= 0.34);
        if ok && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_by_path_components_then_position_and_is_stable() {
        let d = |path: &str, line: usize, msg: &str| {
            Diagnostic::warning(path, line, 1, text!("{}", msg; "{}", msg))
        };
        // By components `a/b` comes before `a.b` (bytewise it would not).
        let mut v = vec![
            d("a.b", 1, "p"),
            d("a/b", 2, "q"),
            d("a/b", 1, "r"),
            d("a/b", 2, "s"),
            d("./a", 9, "t"),
            d("a", 3, "u"),
        ];
        let mut expected = v.clone();
        expected.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        sort(&mut v);
        let msgs = |v: &[Diagnostic]| -> Vec<String> {
            v.iter()
                .map(|d| d.message.get(Lang::En).to_string())
                .collect()
        };
        assert_eq!(msgs(&v), msgs(&expected));
        assert_eq!(msgs(&v), ["t", "u", "r", "q", "s", "p"]);
        // The byte keys order as components do, on tricky paths.
        let paths = [
            "a", "a/b", "a.b", "a/b/c", "ab", "a//b", "./a", "../a", "/a", "/", "a/./b", "a/../b",
            "a b", "a-b", "a\u{1}b", "a\u{1}", "a/\u{1}", "z", "é", "中文/a",
        ];
        for x in paths {
            for y in paths {
                let (px, py) = (std::path::Path::new(x), std::path::Path::new(y));
                assert_eq!(path_key(px).cmp(&path_key(py)), px.cmp(py), "{x:?} {y:?}");
            }
        }
        for n in 0..40usize {
            let order: Vec<usize> = (0..n).map(|i| (i * 7 + 3) % n.max(1)).collect();
            if n % 7 == 0 {
                continue; // not a permutation
            }
            let mut v: Vec<usize> = (100..100 + n).collect();
            permute(&mut v, order.clone());
            assert_eq!(v, order.iter().map(|&i| 100 + i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn lc_all_overrides_lang() {
        assert_eq!(
            Lang::from_env_values(Some("C"), Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(Lang::from_env_values(None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_env_values(Some(""), Some("zh_TW")), Lang::Zh);
        assert_eq!(Lang::from_env_values(None, None), Lang::En);
    }

    #[test]
    fn renders_position_message_and_hint() {
        let d = Diagnostic::error(
            "content/a.md",
            3,
            1,
            text!("unknown key `titel`"; "未知的键 `titel`"),
        )
        .with_hint(text!("did you mean `title`?"; "是否想写 `title`？"));
        assert_eq!(
            d.render(Lang::En),
            "content/a.md:3:1: error: unknown key `titel`\n  hint: did you mean `title`?"
        );
        assert!(d
            .render(Lang::Zh)
            .starts_with("content/a.md:3:1: 错误：未知的键"));
    }

    #[test]
    fn closest_finds_typos_and_chinese_names() {
        assert_eq!(closest("titel", ["title", "tags", "date"]), Some("title"));
        assert_eq!(closest("陶乐", ["陶乐镇", "营根镇"]), Some("陶乐镇"));
        assert_eq!(closest("zzzz", ["title", "date"]), None);
    }
}
