//! Live reload: the Server-Sent Events stream that pushes `hello`,
//! `reload`, `css`, `error` and `ok` to open pages (through the
//! [`Hub`](super::hub::Hub)), and the small inline client injected into
//! every HTML response.

use super::hub::event;
use super::state::{Shared, Snapshot};
use jianbao::diagnostics::Lang;
use std::io::Write;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// The endpoint the injected client listens on.
pub const EVENTS_PATH: &str = "/__jianbao/events";

const HEARTBEAT: Duration = Duration::from_secs(15);

/// The events telling a client what state the site is in right now.
pub fn status_events(shared: &Shared, snap: &Snapshot) -> String {
    let desk = shared
        .audit_key
        .lock()
        .map_or_else(|e| e.into_inner().clone(), |k| k.clone());
    let mut out = event(
        "hello",
        &serde_json::json!({ "version": shared.version(snap), "desk": desk }),
    );
    if snap.errors.is_empty() {
        out.push_str(&event("ok", &serde_json::json!({})));
    } else {
        out.push_str(&error_event(shared.lang, &snap.errors));
    }
    out
}

pub fn error_event(lang: Lang, errors: &[String]) -> String {
    event(
        "error",
        &serde_json::json!({ "title": overlay_title(lang), "errors": errors }),
    )
}

fn overlay_title(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "jianbao: build failed — the last good version is shown. Fix the file and save."
        }
        Lang::Zh => "jianbao：构建失败，当前显示的是上一次成功的版本。请修正文件后保存。",
    }
}

/// Streams events to one client until it goes away. Runs on its own thread.
pub fn stream(mut out: Box<dyn Write + Send>, shared: &Shared) {
    // Subscribe before reading the state so no change falls in between.
    let rx = shared.hub.subscribe();
    let snap = shared.current();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n\
                Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
    let first = format!("{head}{}", status_events(shared, &snap));
    drop(snap);
    if out
        .write_all(first.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let msg = match rx.recv_timeout(HEARTBEAT) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => ": heartbeat\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out
            .write_all(msg.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// The client: follows the server's events; no external script.
const CLIENT: &str = r#"<script data-jianbao-livereload>(function(){
var V="__VERSION__";if(!window.EventSource)return;var box=null;
function clear(){if(box){box.remove();box=null}}
function overlay(d){clear();box=document.createElement("div");box.id="jianbao-error-overlay";
box.setAttribute("style","position:fixed;left:0;top:0;right:0;bottom:0;z-index:2147483647;overflow:auto;background:rgba(30,0,0,.9);color:#fff;font:14px/1.6 monospace;padding:24px;text-align:left");
var h=document.createElement("div");h.setAttribute("style","font-weight:bold;margin-bottom:12px;color:#ff8a8a");h.textContent=d.title;box.appendChild(h);
(d.errors||[]).forEach(function(t){var p=document.createElement("pre");p.setAttribute("style","white-space:pre-wrap;margin:0 0 12px;color:#ffe0e0;font:inherit");p.textContent=t;box.appendChild(p)});
(document.body||document.documentElement).appendChild(box)}
function css(){document.querySelectorAll('link[rel~="stylesheet"]').forEach(function(l){
var u=new URL(l.href,location.href);u.searchParams.set("jianbao",Date.now());var n=l.cloneNode();n.href=u.href;
n.onload=n.onerror=function(){l.remove()};l.parentNode.insertBefore(n,l.nextSibling)})}
var es=new EventSource("__EVENTS__");
function on(n,f){es.addEventListener(n,function(e){if(e.data===undefined)return;var d={};try{d=JSON.parse(e.data)}catch(x){}f(d)})}
on("hello",function(d){window.__jianbaoConnected=true;if(d.version!==V)location.reload()});
on("reload",function(d){if(d.version!==V)location.reload()});
on("css",function(d){V=d.version;css()});
on("error",overlay);
on("ok",clear);
})();</script>"#;

/// The client script for a page served at `version`.
pub fn client(version: &str) -> String {
    CLIENT
        .replace("__VERSION__", version)
        .replace("__EVENTS__", EVENTS_PATH)
}

/// Inserts the client before the last `</body>` (or at the end).
pub fn inject(html: &[u8], version: &str) -> Vec<u8> {
    let script = client(version);
    let at = rfind_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The page served while no build has succeeded yet.
pub fn error_page(lang: Lang, errors: &[String], version: &str) -> Vec<u8> {
    let (title, lead) = match lang {
        Lang::En => ("Build failed", "The site could not be built yet. Fix the problems below and save; this page reloads by itself."),
        Lang::Zh => ("构建失败", "站点暂时无法构建。请修正下列问题并保存，本页会自动刷新。"),
    };
    let mut items = String::new();
    for e in errors {
        items.push_str("<pre>");
        items.push_str(&escape(e));
        items.push_str("</pre>\n");
    }
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font:14px/1.6 monospace;padding:24px\"><h1>{title}</h1><p>{lead}</p>\n{items}</body></html>\n"
    );
    inject(html.as_bytes(), version)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    jianbao::render::templates::escape_html(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_last_body_close() {
        let out = String::from_utf8(inject(b"<html><BODY>x</Body></html>", "v1")).unwrap();
        assert!(out.starts_with("<html><BODY>x<script data-jianbao-livereload>"));
        assert!(out.ends_with("</script></Body></html>"));
        assert!(out.contains("var V=\"v1\""));
        let bare = String::from_utf8(inject(b"plain", "v")).unwrap();
        assert!(bare.starts_with("plain<script"));
    }

    #[test]
    fn error_page_escapes() {
        let page =
            String::from_utf8(error_page(Lang::En, &["a.md:1:1: <script>".into()], "v")).unwrap();
        assert!(page.contains("a.md:1:1: &lt;script&gt;"));
    }

    #[test]
    fn events_are_single_data_lines() {
        let e = error_event(Lang::En, &["x.md:2:3: error: bad\n  hint: fix".into()]);
        assert!(e.starts_with("event: error\ndata: {"));
        assert_eq!(e.matches('\n').count(), 3, "{e}");
    }
}
