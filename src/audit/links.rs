//! External links (`--online`): every `<a href>` to another host in the
//! built pages is fetched once — HEAD, then GET when the server refuses
//! HEAD; a timeout per request (`audit.timeout`, 5 s); 8 at a time; one
//! retry after a network error; redirects followed one by one (at most 5)
//! and reported. A 4xx/5xx answer or no answer is an error (链接不可用), a
//! redirect to a working page a warning.

use super::origins::Origins;
use super::resources::{external, host_of, page_url, tag_refs, Pages};
use super::{Finding, Indicator};
use crate::diagnostics::{text, Diagnostic};
use crate::site::Site;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

const WORKERS: usize = 8;
const MAX_HOPS: usize = 5;

/// What fetching one address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Final status and the addresses redirected through (in order).
    Status(u16, Vec<String>),
    /// No answer: the reason, and the redirects before it.
    Failed(String, Vec<String>),
}

/// One request: status and `Location`, or the error.
fn request(agent: &ureq::Agent, url: &str, head: bool) -> Result<(u16, Option<String>), String> {
    let r = if head {
        agent.head(url).call()
    } else {
        agent.get(url).call()
    };
    match r {
        Ok(resp) => {
            let loc = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            Ok((resp.status().as_u16(), loc))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// HEAD, then GET when the server refuses HEAD; retried once when no answer came.
fn fetch_once(agent: &ureq::Agent, url: &str) -> Result<(u16, Option<String>), String> {
    let attempt = || match request(agent, url, true) {
        Ok((400 | 403 | 404 | 405 | 429 | 500 | 501, _)) => request(agent, url, false),
        other => other,
    };
    attempt().or_else(|_| attempt())
}

/// `loc` (a `Location` value) resolved against `base`.
fn resolve(base: &str, loc: &str) -> String {
    if loc.starts_with("http://") || loc.starts_with("https://") {
        return loc.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = loc.strip_prefix("//") {
        return format!("{}{}", &base[..scheme_end], rest);
    }
    if loc.starts_with('/') {
        return format!("{}{}", &base[..host_end], loc);
    }
    if host_end == base.len() {
        return format!("{base}/{loc}");
    }
    let dir_end = base[host_end..]
        .rfind('/')
        .map_or(base.len(), |i| host_end + i + 1);
    format!("{}{}", &base[..dir_end.max(host_end)], loc)
}

/// Fetches `url`, following redirects.
pub fn fetch(agent: &ureq::Agent, url: &str) -> Outcome {
    let mut chain = Vec::new();
    let mut current = url.to_string();
    loop {
        match fetch_once(agent, &current) {
            Ok((s, Some(loc))) if (300..400).contains(&s) => {
                if chain.len() == MAX_HOPS {
                    return Outcome::Failed(format!("more than {MAX_HOPS} redirects"), chain);
                }
                current = resolve(&current, &loc);
                chain.push(current.clone());
            }
            Ok((s, _)) => return Outcome::Status(s, chain),
            Err(e) => return Outcome::Failed(e, chain),
        }
    }
}

/// Fetches every address, `WORKERS` at a time; results in input order.
pub fn fetch_all(urls: &[String], timeout: Duration) -> Vec<Outcome> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("jianbao-audit/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent: ureq::Agent = config.into();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; urls.len()]);
    std::thread::scope(|s| {
        for _ in 0..WORKERS.min(urls.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let outcome = fetch(&agent, url);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not checked".into(), Vec::new())))
        .collect()
}

pub fn check(site: &Site, pages: &Pages, origins: &Origins, out: &mut Vec<Finding>) {
    let own = host_of(&site.config.base_url).unwrap_or_default();
    let found = external(
        pages,
        &own,
        origins,
        |file, text| {
            if !file.ends_with(".html") {
                return Vec::new();
            }
            let mut refs = tag_refs(text, true);
            refs.retain(|r| {
                let lower = r.url.trim().to_ascii_lowercase();
                lower.starts_with("http://") || lower.starts_with("https://")
            });
            refs
        },
        None,
    );
    let urls: Vec<String> = found.keys().cloned().collect();
    let timeout = Duration::from_millis(site.config.audit.timeout_ms);
    let outcomes = fetch_all(&urls, timeout);
    for ((url, u), outcome) in found.into_iter().zip(outcomes) {
        let count = u.count;
        let (path, line, col, _) = u.place;
        let first = page_url(&site.config.base_path, &u.file);
        let d = match outcome {
            Outcome::Status(s, chain) if s < 400 && chain.is_empty() => continue,
            Outcome::Status(s, chain) if s < 400 => {
                let last = chain.last().cloned().unwrap_or_default();
                let hops = chain.len();
                Diagnostic::warning(path, line, col, text!("external link `{}` redirects ({} step(s)) to `{}` (linked from {} page(s), e.g. {})", url, hops, last, count, first;
                                                          "外部链接 `{}` 被重定向（{} 次）到 `{}`（{} 个页面引用，例如 {}）", url, hops, last, count, first))
                    .with_hint(text!("link the final address"; "请直接链接最终地址"))
            }
            Outcome::Status(s, chain) => {
                let via = chain.last().map(|l| format!(" (via {l})")).unwrap_or_default();
                Diagnostic::error(path, line, col, text!("external link `{}` answers HTTP {}{} (linked from {} page(s), e.g. {})", url, s, via, count, first;
                                                        "外部链接 `{}` 不可用：返回 HTTP {}{}（{} 个页面引用，例如 {}）", url, s, via, count, first))
                    .with_hint(text!("fix or remove the link: broken links cost points in the inspection"; "请修正或删除该链接：链接不可用会在检查中扣分"))
            }
            Outcome::Failed(e, _) => Diagnostic::error(path, line, col, text!("external link `{}` cannot be reached: {} (linked from {} page(s), e.g. {})", url, e, count, first;
                                                                            "外部链接 `{}` 无法访问：{}（{} 个页面引用，例如 {}）", url, e, count, first))
                .with_hint(text!("check the address; when the other site is down for good, remove the link"; "请检查地址；对方网站长期无法访问时请删除该链接")),
        };
        out.push(Finding::new(Indicator::BrokenLink, d));
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn locations_resolve() {
        assert_eq!(resolve("http://h:1/a/b", "/c"), "http://h:1/c");
        assert_eq!(resolve("http://h:1/a/b", "c"), "http://h:1/a/c");
        assert_eq!(resolve("http://h:1", "c"), "http://h:1/c");
        assert_eq!(resolve("https://h/a", "//g/x"), "https://g/x");
        assert_eq!(resolve("https://h/a", "https://k/"), "https://k/");
    }
}
