//! Serving the snapshot over HTTP (`http`): maps a request path safely onto
//! the current snapshot (percent-decoded; `..`, backslashes and NUL
//! rejected), serves it with the right Content-Type (HTML gets the
//! live-reload client), redirects to the base path, and hands the events
//! endpoint to `livereload`. A panic costs only that request.

use super::http::{Body, Handler, Reply, Request, Response, Server};
use super::livereload::{self, EVENTS_PATH};
use super::state::{Shared, Snapshot};
use std::sync::Arc;

/// Accepts requests forever, one thread per connection.
pub fn run(server: Arc<Server>, shared: Arc<Shared>) {
    let handler: Arc<Handler> = Arc::new(move |req: &Request| handle(req, &shared));
    server.run(handler);
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a valid request target (400).
    Malformed,
    /// Points outside the site (404).
    Outside,
}

/// Splits the request target into its decoded path and raw query
/// (`?…` included, or empty), refusing anything that could leave the site.
pub fn decode_target(target: &str) -> Result<(String, &str), Refused> {
    let target = target.split('#').next().unwrap_or("");
    let (raw, query) = match target.find('?') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    if !raw.starts_with('/') {
        return Err(Refused::Malformed);
    }
    if raw.contains('\\') {
        return Err(Refused::Outside);
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(Refused::Malformed)?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(out).map_err(|_| Refused::Outside)?;
    if path.contains(['\0', '\\']) || path.split('/').any(|s| s == ".." || s == ".") {
        return Err(Refused::Outside);
    }
    Ok((path, query))
}

/// The Content-Type for a file name.
pub fn content_type(file: &str) -> &'static str {
    let ext = file
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "wps" => "application/vnd.ms-works",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn respond(status: u16, ctype: &str, body: Body) -> Reply {
    Reply::Full(Response {
        status,
        headers: vec![
            ("Content-Type", ctype.to_string()),
            ("Cache-Control", "no-store".into()),
            ("X-Content-Type-Options", "nosniff".into()),
        ],
        body,
    })
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::Full(Response {
        status,
        headers: vec![
            ("Location", location.to_string()),
            ("Cache-Control", "no-store".into()),
        ],
        body: Body::Owned(Vec::new()),
    })
}

fn plain(status: u16, text: &str) -> Reply {
    respond(
        status,
        "text/plain; charset=utf-8",
        Body::Owned(text.as_bytes().to_vec()),
    )
}

fn not_found(shared: &Shared, mut snap: Arc<Snapshot>) -> Reply {
    match shared.read(&mut snap, "404.html") {
        Some(page) => {
            let html = livereload::inject(&page, &shared.version(&snap));
            respond(404, "text/html; charset=utf-8", Body::Owned(html))
        }
        None => plain(404, "404 Not Found\n"),
    }
}

fn handle(req: &Request, shared: &Arc<Shared>) -> Reply {
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return Reply::Full(Response {
            status: 405,
            headers: vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Allow", "GET, HEAD".into()),
            ],
            body: Body::Owned(b"405 Method Not Allowed\n".to_vec()),
        });
    }
    let snap = shared.current();
    let (path, query) = match decode_target(&req.target) {
        Ok((p, q)) => (p, q.to_string()),
        Err(Refused::Malformed) => return plain(400, "400 Bad Request\n"),
        Err(Refused::Outside) => return not_found(shared, snap),
    };
    if path == EVENTS_PATH {
        if req.head_only {
            return respond(200, "text/event-stream", Body::Owned(Vec::new()));
        }
        let shared = shared.clone();
        return Reply::Takeover(Box::new(move |out| livereload::stream(out, &shared)));
    }
    let version = shared.version(&snap);
    if snap.files.is_empty() && !snap.errors.is_empty() {
        let page = livereload::error_page(shared.lang, &snap.errors, &version);
        return respond(500, "text/html; charset=utf-8", Body::Owned(page));
    }
    let base = snap.base_path.as_str();
    if base != "/" && (path == "/" || format!("{path}/") == base) {
        return redirect(302, &format!("{base}{query}"));
    }
    let Some(rel) = path.strip_prefix(base) else {
        if path == "/favicon.ico" {
            // Browsers ask the origin root; answer from the site or with
            // nothing, instead of a 404 in the console.
            return match shared.open(&mut snap.clone(), "favicon.ico") {
                Some(f) => respond(200, "image/x-icon", Body::File(f)),
                None => respond(204, "image/x-icon", Body::Owned(Vec::new())),
            };
        }
        return not_found(shared, snap.clone());
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    let ctype = content_type(&file);
    let mut served = snap.clone();
    if ctype.starts_with("text/html") {
        if let Some(bytes) = shared.read(&mut served, &file) {
            let html = livereload::inject(&bytes, &shared.version(&served));
            return respond(200, ctype, Body::Owned(html));
        }
    } else if let Some(f) = shared.open(&mut served, &file) {
        return respond(200, ctype, Body::File(f));
    }
    if snap.files.contains_key(&format!("{rel}/index.html")) {
        return redirect(301, &format!("{path}/{query}"));
    }
    not_found(shared, snap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_traversal() {
        assert_eq!(
            decode_target("/cw/a%20b/?x=1"),
            Ok(("/cw/a b/".to_string(), "?x=1"))
        );
        assert_eq!(
            decode_target("/cw/%E9%99%B6/"),
            Ok(("/cw/陶/".to_string(), ""))
        );
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/",
            "/%2E%2E/x",
            "/..%2f..%2fetc",
            "/cw/..\\..\\",
            "/cw/%5c..",
            "/a%00b",
            "/./x",
            "/%ff",
        ] {
            assert_eq!(decode_target(bad), Err(Refused::Outside), "{bad}");
        }
        for bad in ["/%zz", "/%2", "x", "", "*", "http://h/x"] {
            assert_eq!(decode_target(bad), Err(Refused::Malformed), "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("stats/stats.json"), "application/json");
        assert_eq!(content_type("x.svg"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
