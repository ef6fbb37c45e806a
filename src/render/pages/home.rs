//! The home page: headline figures, the latest reports and articles, every
//! unit and the commonest tags.

use super::reuse::{Sig, Versions};
use super::{one, Ctx, Job, Kind, Out};
use crate::diagnostics::Diagnostic;
use crate::render::stats::{self, MetricValue};
use crate::render::templates::Shared;
use crate::render::views::{TermView, UnitView};
use crate::site::Site;
use serde::Serialize;
use std::ops::Range;

/// Reports, articles and tags the home page lists.
pub(super) const LATEST_REPORTS: usize = 10;
pub(super) const LATEST_ARTICLES: usize = 6;
pub(super) const TOP_TAGS: usize = 20;

pub(super) const HOME: Kind = Kind {
    template: Some("index.html"),
    page: true,
    reserved: &[],
    jobs: one,
    path: |_, _| String::new(),
    render,
    reads,
};

/// What the home page shows of each list: indices into the model's
/// reports, articles and tags (all newest first or by count).
struct Shown {
    reports: Range<usize>,
    articles: Range<usize>,
    tags: Range<usize>,
}

fn shown(s: &Site) -> Shown {
    Shown {
        reports: 0..s.reports.len().min(LATEST_REPORTS),
        articles: 0..s.articles.len().min(LATEST_ARTICLES),
        tags: 0..s.tags.len().min(TOP_TAGS),
    }
}

fn render(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        latest_reports: Vec<Shared>,
        latest_articles: Vec<Shared>,
        units: Vec<UnitView<'a>>,
        tags: Vec<TermView<'a>>,
        headline: Vec<MetricValue<'a>>,
    }
    let (s, v) = (c.site, &c.views);
    let shown = shown(s);
    let d = D {
        headline: stats::totals(&s.config, c.stats)
            .into_iter()
            .filter(|m| m.value.is_some())
            .collect(),
        latest_reports: shown.reports.map(|i| v.shared_report_item(i)).collect(),
        latest_articles: shown.articles.map(|i| v.shared_article_item(i)).collect(),
        units: s
            .units
            .iter()
            .zip(&c.bodies.units)
            .map(|(u, m)| v.unit(u, &m.html))
            .collect(),
        tags: s.tags[shown.tags].iter().map(|x| v.term(x)).collect(),
    };
    let f = c.frame("home", &s.config.title, path, vec![], c.desc(), d);
    c.template(job, &f)
}

fn reads(c: &Ctx, _: Job, v: &Versions, h: &mut Sig) -> bool {
    let shown = shown(c.site);
    h.u(v.stats);
    h.all(&v.report_items[shown.reports]);
    h.all(&v.article_items[shown.articles]);
    h.all(&v.units);
    h.all(&v.tags[shown.tags]);
    true
}
