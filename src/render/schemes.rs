//! Which URL schemes a page may link to when editors' raw HTML is off,
//! read the way browsers read them (case, leading controls, tabs inside,
//! entities), so `javascript:` in any disguise is never emitted.

/// The schemes a link or image may carry when raw HTML is off, besides
/// site paths, relative paths and `#fragments`.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The image types a `data:` URL may hold.
const SAFE_DATA: &[&str] = &["image/png", "image/gif", "image/jpeg", "image/webp"];

/// The scheme of `url` as a browser reads it, when it is not one a page may
/// link to (`javascript:`, `vbscript:`, `file:`, `data:` other than an
/// image…). Browsers drop leading spaces and control characters and
/// tabs and newlines anywhere, and ignore letter case; entities are decoded
/// by the Markdown parser before this sees the URL.
pub fn unsafe_scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !is_scheme {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    if SAFE_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    if scheme == "data" {
        let mime = cleaned[colon + 1..]
            .split([';', ','])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if SAFE_DATA.contains(&mime.as_str()) {
            return None;
        }
    }
    Some(scheme)
}

/// `&#106;`, `&#x6A;` and `&colon;` decoded, for checking text that a
/// template may later print into an attribute.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let code = match name.strip_prefix('#') {
                Some(n) => match n.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => n.parse().ok(),
                },
                None => match name {
                    "colon" => Some(58),
                    "Tab" => Some(9),
                    "NewLine" => Some(10),
                    _ => None,
                },
            };
            code.and_then(char::from_u32).map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
