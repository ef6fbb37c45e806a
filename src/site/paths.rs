//! The site's URL rules that both the model and the renderer follow: a
//! document's site path from its prefix and slug, and the paths of a
//! paginated list. Site paths carry no base path and end in `/` for pages.

/// A document's site path: `prefix` + `slug` + `/` (`reports/` +
/// `tao-le-zhen` → `reports/tao-le-zhen/`), without the formatting machinery.
pub fn site_path(prefix: &str, slug: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + slug.len() + 1);
    p.push_str(prefix);
    p.push_str(slug);
    p.push('/');
    p
}

/// Number of list pages for `n` items at `per` a page (at least one).
pub fn pages_for(n: usize, per: usize) -> usize {
    n.div_ceil(per.max(1)).max(1)
}

/// Site path of list page `n` (1-based) under `base` (`reports/`): the
/// first page is `base` itself, the others `base` + `page/<n>/`.
pub fn list_page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}
