//! Tera behind one small interface: load the theme's templates, render one
//! by name with the shared `site` context plus page data, and turn Tera's
//! errors into diagnostics naming the template file and line.

use crate::diagnostics::Diagnostic;
use crate::text;
use crate::theme::TemplateSrc;
use serde::Serialize;
use std::collections::BTreeMap;
use std::error::Error as _;

pub struct Templates {
    tera: tera::Tera,
    sources: BTreeMap<String, TemplateSrc>,
    base: tera::Context,
}

fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

/// Escapes what HTML needs escaped; unlike Tera's default, leaves `/` alone
/// so URLs stay readable in the output.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `-->  3:5` in Tera's parse errors.
fn parse_error_pos(msg: &str) -> Option<(usize, usize)> {
    let i = msg.find("--> ")?;
    let rest = &msg[i + 4..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (l, c) = rest[..end].split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

impl Templates {
    /// Compiles every template; all syntax errors are reported at once.
    pub fn new<S: Serialize>(
        sources: BTreeMap<String, TemplateSrc>,
        site: &S,
        stats: serde_json::Value,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        // `stats()` in any template: the aggregated figures, computed once.
        let stats = std::sync::Arc::new(stats);
        tera.register_function(
            "stats",
            move |_: &std::collections::HashMap<String, tera::Value>| {
                Ok(tera::Value::clone(&stats))
            },
        );
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_html);
        let list: Vec<(String, String)> = sources
            .iter()
            .map(|(n, s)| (n.clone(), s.text.clone()))
            .collect();
        if let Err(e) = tera.add_raw_templates(list) {
            let msg = error_chain(&e);
            // Tera stops at the first broken template; name it.
            let name = sources
                .keys()
                .find(|n| msg.contains(&format!("'{n}'")))
                .cloned();
            let (line, col) = parse_error_pos(&msg).unwrap_or((0, 0));
            let shown = name
                .as_ref()
                .map(|n| sources[n].shown.clone())
                .unwrap_or_else(|| "templates".into());
            return Err(vec![Diagnostic::error(shown, line, col, text!("template error: {}", msg; "模板错误：{}", msg))
                .with_hint(text!("fix the template syntax at that line; see themes/default/README.md for what each template receives";
                                 "请修正该行的模板语法；各模板可用的变量见 themes/default/README.md"))]);
        }
        let mut base = tera::Context::new();
        base.insert("site", site);
        Ok(Templates {
            tera,
            sources,
            base,
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `name` with `site` plus the given page data.
    pub fn render<P: Serialize>(&self, name: &str, page: &P) -> Result<String, Diagnostic> {
        let mut ctx = self.base.clone();
        match tera::Context::from_serialize(page) {
            Ok(c) => ctx.extend(c),
            Err(e) => return Err(self.error(name, &e)),
        }
        self.tera
            .render(name, &ctx)
            .map_err(|e| self.error(name, &e))
    }

    fn error(&self, name: &str, e: &tera::Error) -> Diagnostic {
        let msg = error_chain(e);
        // Find the template the error happened in (it may be a parent or include).
        let culprit = msg
            .rsplit("while rendering '")
            .next()
            .and_then(|s| s.split('\'').next())
            .filter(|n| self.sources.contains_key(*n))
            .unwrap_or(name)
            .to_string();
        let src = self.sources.get(&culprit);
        // Locate the offending variable or filter on its line.
        let needle = msg.split('`').nth(1).map(str::to_string);
        let (line, col) = match (src, &needle) {
            (Some(s), Some(n)) => s
                .text
                .lines()
                .enumerate()
                .find_map(|(i, l)| {
                    l.find(n.as_str())
                        .map(|b| (i + 1, l[..b].chars().count() + 1))
                })
                .unwrap_or((0, 0)),
            _ => (0, 0),
        };
        let shown = src
            .map(|s| s.shown.clone())
            .unwrap_or_else(|| culprit.clone().into());
        Diagnostic::error(
            shown,
            line,
            col,
            text!("template `{}` failed: {}", culprit, msg; "模板 `{}` 渲染失败：{}", culprit, msg),
        )
        .with_hint(
            text!("see themes/default/README.md for the variables each template receives";
                             "各模板可用的变量见 themes/default/README.md"),
        )
    }
}
