//! The full listings: 工作总结 (every report) and 健康教育 (every article,
//! with the categories), paginated.

use super::reuse::{Sig, Versions};
use super::{lists, Ctx, Job, Kind, ListData, Out};
use crate::diagnostics::Diagnostic;
use crate::render::views::TermView;
use crate::site::paths::list_page_path;
use serde::Serialize;

pub(super) const REPORTS: Kind = Kind {
    template: Some("reports.html"),
    page: true,
    reserved: &["reports"],
    jobs: |s| lists(s, 1, |_| s.reports.len()),
    path: |_, j| list_page_path("reports/", j.n),
    render: |c, job, path| {
        let d = c.list("reports/", job.n, &c.all_reports, &[]);
        let crumbs = vec![c.home(), c.crumb("工作总结", "reports/")];
        c.template(
            job,
            &c.frame("reports", "工作总结", path, crumbs, c.desc(), d),
        )
    },
    reads: |c, job, v, h| {
        c.list_sig(v, h, job.n, &c.all_reports, &[]);
        true
    },
};

pub(super) const ARTICLES: Kind = Kind {
    template: Some("articles.html"),
    page: true,
    reserved: &["articles"],
    jobs: |s| lists(s, 1, |_| s.articles.len()),
    path: |_, j| list_page_path("articles/", j.n),
    render: articles,
    reads: articles_reads,
};

fn articles(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        #[serde(flatten)]
        list: ListData,
        categories: Vec<TermView<'a>>,
    }
    let d = D {
        list: c.list("articles/", job.n, &[], &c.all_articles),
        categories: c.site.categories.iter().map(|t| c.views.term(t)).collect(),
    };
    let crumbs = vec![c.home(), c.crumb("健康教育", "articles/")];
    c.template(
        job,
        &c.frame("articles", "健康教育", path, crumbs, c.desc(), d),
    )
}

fn articles_reads(c: &Ctx, job: Job, v: &Versions, h: &mut Sig) -> bool {
    h.all(&v.categories);
    c.list_sig(v, h, job.n, &[], &c.all_articles);
    true
}
