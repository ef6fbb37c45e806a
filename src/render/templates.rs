//! Tera behind one small interface: load the theme's templates, render one
//! by name with the shared `site` context (set once, as Tera's global
//! context) plus page data, and turn Tera's errors into diagnostics naming
//! the template file, line and column.

use crate::diagnostics::{text, Diagnostic};
use crate::theme::TemplateSrc;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Page data converted to Tera's form once and shared by every page that
/// shows it (a report's list entry appears on five or more list pages):
/// putting it in a context is a reference-count increment, not a copy.
#[derive(Clone)]
pub struct Shared(tera::Value);

impl Shared {
    pub fn of<T: Serialize>(data: &T) -> Shared {
        Shared(tera::Value::from_serializable(data))
    }
}

impl Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Bytes reserved for a rendered page: most pages fit without regrowing.
const OUTPUT_CAPACITY: usize = 16 * 1024;

pub struct Templates {
    tera: tera::Tera,
    sources: BTreeMap<String, TemplateSrc>,
}

/// Escapes what HTML needs escaped (`& < > " '`), leaving `/` alone so URLs
/// stay readable. Used for markup built in Rust (charts).
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

/// `--> name.html:3:5` in a message, for errors Tera reports as plain text.
fn text_pos(msg: &str) -> Option<(String, usize, usize)> {
    let i = msg.find("--> ")?;
    let rest = msg[i + 4..].lines().next()?.trim();
    let mut parts = rest.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_string(), line, col))
}

impl Templates {
    /// Compiles every template; all syntax errors are reported at once.
    pub fn new<S: Serialize>(
        sources: BTreeMap<String, TemplateSrc>,
        site: &S,
        stats: std::sync::Arc<String>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        // `stats()` in any template: the aggregated figures (stats.json),
        // converted on the first call (most themes never call it).
        let converted = std::sync::OnceLock::new();
        tera.register_function("stats", move |_: tera::Kwargs, _: &tera::State| {
            converted
                .get_or_init(|| {
                    let v: serde_json::Value = serde_json::from_str(&stats).unwrap_or_default();
                    tera::Value::from_serializable(&v)
                })
                .clone()
        });
        tera.global_context().insert("site", site);
        // All together, so `extends` and components resolve; when that
        // fails, one by one so every broken template is reported.
        let Err(all) =
            tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.text.as_str())))
        else {
            return Ok(Templates { tera, sources });
        };
        let mut diags = Vec::new();
        for (name, src) in &sources {
            let mut probe = tera::Tera::default();
            if let Err(e) = probe.add_raw_template(name, &src.text) {
                if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
                    diags.push(Self::diag(&sources, name, &e));
                }
            }
        }
        if diags.is_empty() {
            diags.push(Self::diag(&sources, "", &all));
        }
        Err(diags)
    }

    /// Renders `name` with `site` plus the given page data, as UTF-8 bytes
    /// (Tera writes bytes; a `String` would check them all again).
    pub fn render<P: Serialize>(&self, name: &str, page: &P) -> Result<Vec<u8>, Diagnostic> {
        let ctx =
            tera::Context::from_serialize(page).map_err(|e| Self::diag(&self.sources, name, &e))?;
        let mut out = Vec::with_capacity(OUTPUT_CAPACITY);
        self.tera
            .render_to(name, &ctx, &mut out)
            .map_err(|e| Self::diag(&self.sources, name, &e))?;
        Ok(out)
    }

    /// A diagnostic at the template position Tera reports.
    fn diag(sources: &BTreeMap<String, TemplateSrc>, name: &str, e: &tera::Error) -> Diagnostic {
        let (file, line, col, msg) = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => (
                r.filename().to_string(),
                r.span().start_line,
                r.span().start_col + 1,
                r.message().to_string(),
            ),
            _ => {
                let full = e.to_string();
                let first = full
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                match text_pos(&full) {
                    Some((f, l, c)) => (f, l, c, first),
                    None => (name.to_string(), 0, 0, full),
                }
            }
        };
        let shown = sources
            .get(&file)
            .map(|s| s.shown.clone())
            .unwrap_or_else(|| PathBuf::from(&file));
        Diagnostic::error(
            shown,
            line,
            col,
            text!("template error: {}", msg; "模板错误：{}", msg),
        )
        .with_hint(text!(
            "see themes/default/README.md for the variables each template receives";
            "各模板可用的变量见 themes/default/README.md"))
    }
}
