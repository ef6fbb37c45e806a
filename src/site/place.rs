//! Placing documents: each report and article in its unit (and category),
//! its slug claimed; pages' slugs checked against the site's own names;
//! then units and categories list their members.

use super::paths::site_path;
use super::prepare::{Prepared, TagRef};
use super::slug::slugify;
use super::slugs::{doc_slug, unique, Slugger};
use super::units::Units;
use super::{ArticleEntry, PageEntry, ReportEntry, Term, UnitEntry};
use crate::config::SlugMode;
use crate::content::{Article, Page, Report, Source};
use crate::diagnostics::{text, Diagnostic};
use crate::hash::hash_str;
use std::collections::HashMap;

/// What placing collects beside the entries.
#[derive(Default)]
pub(super) struct Placing {
    /// `Site::by_source` entries: (`content/`-relative path, site path).
    pub(super) sources: Vec<(String, String)>,
    /// Documents left out for a problem already reported (an unknown
    /// unit): their bodies are still checked, so one run shows all.
    pub(super) unplaced: Vec<Source>,
    pub(super) diags: Vec<Diagnostic>,
}

/// Reports in their units, slugs claimed; the reports' tags, in order.
/// Their `by_source` entries were taken before (`PreparedSet::take_sources`):
/// even a report left out is a link target (its error stops the build).
pub(super) fn place_reports(
    docs: Vec<Prepared<Report>>,
    units: &mut Units,
    out: &mut Placing,
) -> (Vec<ReportEntry>, Vec<TagRef>) {
    // A registry unit was found in parallel; the rest (derived units,
    // unknown names) resolve here, in order.
    let report_units: Vec<Option<usize>> = docs
        .iter()
        .map(|p| {
            p.unit
                .or_else(|| units.resolve(&p.doc.unit, &p.doc.common.src, &mut out.diags))
        })
        .collect();
    let mut slugs = Slugger::new("report", docs.len());
    for p in &docs {
        let c = &p.doc.common;
        slugs.claim(&p.slug, p.slug_hash, &c.src, &c.slug, &mut out.diags);
    }
    let mut tags = Vec::with_capacity(docs.len());
    let mut entries = Vec::with_capacity(docs.len());
    for (p, unit) in docs.into_iter().zip(report_units) {
        let Some(unit) = unit else {
            out.unplaced.push(p.doc.common.src.clone());
            continue;
        };
        tags.push(p.tags);
        entries.push(ReportEntry {
            doc: p.doc,
            slug: p.slug,
            path: p.path,
            unit,
        });
    }
    (entries, tags)
}

/// Articles in their units and categories, slugs claimed; the articles'
/// tags, in order; the categories, in order of first use.
pub(super) fn place_articles(
    docs: Vec<Prepared<Article>>,
    units: &mut Units,
    mode: SlugMode,
    out: &mut Placing,
) -> (Vec<ArticleEntry>, Vec<TagRef>, Vec<Term>) {
    let mut categories = Categories::new(mode);
    let mut placed = Vec::with_capacity(docs.len());
    for p in docs {
        let a = &p.doc;
        let unit = match &a.unit {
            Some(u) => match p
                .unit
                .or_else(|| units.resolve(u, &a.common.src, &mut out.diags))
            {
                Some(i) => Some(i),
                None => {
                    out.unplaced.push(a.common.src.clone());
                    continue;
                }
            },
            None => None,
        };
        let category = a.category.as_ref().map(|c| categories.of(c));
        placed.push((p, unit, category));
    }
    let mut slugs = Slugger::new("article", placed.len());
    for (p, _, _) in &placed {
        let c = &p.doc.common;
        slugs.claim(&p.slug, p.slug_hash, &c.src, &c.slug, &mut out.diags);
    }
    let mut tags = Vec::with_capacity(placed.len());
    let entries = placed
        .into_iter()
        .map(|(p, unit, category)| {
            out.sources.push((p.rel, p.source_path));
            tags.push(p.tags);
            ArticleEntry {
                doc: p.doc,
                slug: p.slug,
                path: p.path,
                unit,
                category,
            }
        })
        .collect();
    (entries, tags, categories.list)
}

/// Categories met so far, with unique slugs.
struct Categories {
    list: Vec<Term>,
    slugs: HashMap<String, String>,
    mode: SlugMode,
}

impl Categories {
    fn new(mode: SlugMode) -> Self {
        Categories {
            list: Vec::new(),
            slugs: HashMap::new(),
            mode,
        }
    }

    /// The category named `name` (exactly), made on first use.
    fn of(&mut self, name: &str) -> usize {
        if let Some(i) = self.list.iter().position(|t| t.name == name) {
            return i;
        }
        let slug = unique(slugify(name, self.mode), &mut self.slugs, name);
        self.list.push(Term {
            path: format!("categories/{slug}/"),
            name: name.to_string(),
            slug,
            reports: vec![],
            articles: vec![],
        });
        self.list.len() - 1
    }
}

/// Pages by source path, slugs claimed; a slug the site's own files take
/// (`reserved`) is an error.
pub(super) fn place_pages(
    mut pages: Vec<std::sync::Arc<Page>>,
    reserved: &[&str],
    mode: SlugMode,
    out: &mut Placing,
) -> Vec<PageEntry> {
    pages.sort_by(|a, b| a.common.src.rel.cmp(&b.common.src.rel));
    let mut placed = Vec::new();
    for p in pages {
        let slug = doc_slug(&p.common.slug, &p.common.src.stem, mode);
        if reserved.contains(&slug.as_str()) {
            let (line, col) = p
                .common
                .slug
                .as_ref()
                .map(|l| (l.line, l.col))
                .unwrap_or((1, 1));
            out.diags.push(Diagnostic::error(&p.common.src.shown, line, col, text!(
                "page URL `/{}/` is reserved for the site's own pages", slug; "页面网址 `/{}/` 是站点保留的网址", slug))
            .with_hint(text!("choose another `slug:`"; "请换一个 `slug:`")));
            continue;
        }
        placed.push((p, slug));
    }
    let mut slugs = Slugger::new("page", placed.len());
    for (p, slug) in &placed {
        let hash = hash_str(slug);
        slugs.claim(slug, hash, &p.common.src, &p.common.slug, &mut out.diags);
    }
    placed
        .into_iter()
        .map(|(doc, slug)| {
            let path = site_path("", &slug);
            out.sources.push((doc.common.src.rel.clone(), path.clone()));
            PageEntry { doc, slug, path }
        })
        .collect()
}

/// Units and categories list their members, newest first because reports
/// and articles already are; units with a registry file are link targets.
pub(super) fn index_members(
    reports: &[ReportEntry],
    articles: &[ArticleEntry],
    units: &mut [UnitEntry],
    categories: &mut [Term],
    out: &mut Placing,
) {
    for (i, r) in reports.iter().enumerate() {
        units[r.unit].reports.push(i);
    }
    for (i, a) in articles.iter().enumerate() {
        if let Some(u) = a.unit {
            units[u].articles.push(i);
        }
        if let Some(c) = a.category {
            categories[c].articles.push(i);
        }
    }
    for u in units.iter() {
        if let Some(src) = &u.src {
            out.sources.push((src.rel.clone(), u.path.clone()));
        }
    }
}
