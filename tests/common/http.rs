//! A tiny static file server for browser tests: serves a built site's
//! output folder at `/cw/` on 127.0.0.1, one thread per connection.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use super::percent_decode;

/// Serves the files below `root` at `/cw/`; one thread per connection.
pub fn serve_static(listener: TcpListener, root: PathBuf) {
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &root);
            });
        }
    });
}

fn answer(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let mut file = path
        .strip_prefix("/cw/")
        .filter(|p| !p.split('/').any(|s| s == ".."))
        .map(|p| root.join(p));
    if let Some(f) = &file {
        if f.is_dir() {
            file = Some(f.join("index.html"));
        }
    }
    let mut out = stream;
    let body = file.as_ref().and_then(|f| std::fs::read(f).ok());
    let (status, ctype, body) = match body {
        Some(b) => {
            let ext = file.unwrap();
            let ctype = match ext.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("json") => "application/json",
                Some("css") => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            ("200 OK", ctype, b)
        }
        // No favicon in the theme: answer without a console 404.
        None if path == "/favicon.ico" => ("204 No Content", "text/plain", Vec::new()),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(&body)?;
    out.flush()
}
