//! `jianbao check --slugs`: every document's source path beside the URL it
//! gets, then every tag's and category's name beside its URL, aligned as
//! `jianbao stats` aligns its tables (CJK counts two columns), so that a
//! wrong reading is seen before publishing and fixed with `slug:`.

use crate::site::Site;

/// The listing, sorted by source path; bilingual headers.
pub fn listing(site: &Site) -> String {
    let url = |path: &str| site.config.full_url(path);
    let mut docs: Vec<Vec<String>> = Vec::new();
    let shown = |p: &std::path::Path| p.display().to_string().replace('\\', "/");
    for d in site.documents() {
        docs.push(vec![shown(&d.src().shown), url(d.path())]);
    }
    for p in &site.pages {
        docs.push(vec![shown(&p.doc.common.src.shown), url(&p.path)]);
    }
    for u in &site.units {
        let from = match &u.src {
            Some(src) => shown(&src.shown),
            None => format!("单位 unit: {}", u.name),
        };
        docs.push(vec![from, url(&u.path)]);
    }
    docs.sort();
    let mut terms: Vec<Vec<String>> = Vec::new();
    for t in &site.tags {
        terms.push(vec![format!("标签 tag: {}", t.name), url(&t.path)]);
    }
    for c in &site.categories {
        terms.push(vec![format!("分类 category: {}", c.name), url(&c.path)]);
    }
    docs.extend(terms);
    super::stats::table(&["来源 source", "网址 URL"], &docs, &[false, false])
}
