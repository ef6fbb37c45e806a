//! The desk's audit section: `jianbao audit` runs in the background after
//! each good rebuild (`audit_line`); its findings are filled into the desk
//! page the library wrote (between [`START`] and [`END`]) and open desks
//! reload when they change (a `desk` event, which other pages ignore). A
//! desk that connects after that event (it loaded just before the audit
//! ended) compares the findings' key that `hello` carries with its own and
//! reloads once if they differ. A new build's desk starts with the last
//! findings, so an unchanged audit causes no reload.

use super::state::{Files, Shared};
use jianbao::audit::{format::finding_line, Report};
use jianbao::diagnostics::Lang;
use jianbao::render::desk::{AUDIT_END as END, AUDIT_START as START, PATH};
use jianbao::render::templates::escape_html as esc;
use jianbao::store::Key;
use std::fmt::Write as _;
use std::sync::Arc;

/// The HTML of the audit findings, its summary marked with `key`.
fn fragment(r: &Report, lang: Lang, key: &str) -> String {
    let mut out = String::new();
    let errors = r.findings.iter().filter(|f| f.diag.is_error()).count();
    let _ = write!(
        out,
        "<p id=\"audit-summary\" data-audit=\"{key}\">{} 个错误，{} 个警告（{}，不含外部链接检查）</p>",
        errors,
        r.findings.len() - errors,
        r.today
    );
    if !r.findings.is_empty() {
        out.push_str("<ul class=\"findings\" id=\"audit-list\">");
        for f in &r.findings {
            let class = if f.diag.is_error() {
                "error"
            } else {
                "warning"
            };
            let _ = write!(
                out,
                "<li class=\"{class}\"><pre>{}</pre></li>",
                esc(&finding_line(f, lang))
            );
        }
        out.push_str("</ul>");
    }
    out
}

/// `html` with the audit slot holding `inner`; None when it has no slot.
fn filled(html: &[u8], inner: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(html).ok()?;
    let start = text.find(START)? + START.len();
    let end = start + text[start..].find(END)?;
    Some([&text[..start], inner, &text[end..]].concat().into_bytes())
}

/// Fills a new build's desk with the last audit's findings.
pub fn prefill(files: &mut Files, shared: &Shared) {
    let last = shared.audit_html.lock().unwrap_or_else(|e| e.into_inner());
    if last.is_empty() {
        return;
    }
    if let Some(key) = refill(files, shared, &last) {
        files.insert(PATH.to_string(), key);
    }
}

/// The key of the desk page of `files` with the audit slot holding
/// `inner`, stored (None: no desk, no slot, or it cannot be stored). The
/// same page filled with the same findings as last time is the page
/// filled then, while the store holds it.
fn refill(files: &Files, shared: &Shared, inner: &str) -> Option<Key> {
    let built = *files.get(PATH)?;
    let hash = xxhash_rust::xxh3::xxh3_64(inner.as_bytes());
    let mut memo = shared.desk_filled.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((from, of, to)) = *memo {
        if (from, of) == (built, hash) && shared.store.path(to).is_file() {
            return Some(to);
        }
    }
    let desk = std::fs::read(shared.store.path(built)).ok()?;
    let to = shared.store.put(&filled(&desk, inner)?).ok()?;
    *memo = Some((built, hash, to));
    Some(to)
}

/// Takes an audit's findings: when they differ from the last ones, the
/// served desk is updated and open desks reload.
pub fn audited(shared: &Arc<Shared>, r: &Report, lang: Lang) {
    let key = format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(fragment(r, lang, "").as_bytes())
    );
    let html = fragment(r, lang, &key);
    {
        let mut last = shared.audit_html.lock().unwrap_or_else(|e| e.into_inner());
        if *last == html {
            return;
        }
        last.clone_from(&html);
    }
    let updated = shared.update(|snap| {
        let key = refill(&snap.files, shared, &html)?;
        let mut files = (*snap.files).clone();
        files.insert(PATH.to_string(), key);
        Some(files)
    });
    if updated {
        // A desk that connects after this event learns of the findings
        // from `hello` (see `livereload::status_events`).
        *shared.audit_key.lock().unwrap_or_else(|e| e.into_inner()) = key;
        // Only open desks reload (their own listener); other pages need not.
        shared.hub.broadcast("desk", &serde_json::json!({}));
    }
}
