//! The site's URL rules that both the model and the renderer follow: a
//! document's site path from its prefix and slug, and the paths of a
//! paginated list. Site paths carry no base path and end in `/` for pages.

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
