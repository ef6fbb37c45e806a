//! One page per report, article and standalone page.

use super::reuse::{Sig, Versions};
use super::{Ctx, Job, Kind, Out};
use crate::diagnostics::Diagnostic;
use crate::render::search::DocRef;
use crate::render::views::{neighbours, ArticleView, PageView, ReportView};
use serde::Serialize;

pub(super) const REPORT: Kind = Kind {
    template: Some("report.html"),
    page: true,
    reserved: &[],
    jobs: |s| each(s.reports.len()),
    path: |s, j| s.reports[j.i].path.clone(),
    render: report,
    reads: report_reads,
};

pub(super) const ARTICLE: Kind = Kind {
    template: Some("article.html"),
    page: true,
    reserved: &[],
    jobs: |s| each(s.articles.len()),
    path: |s, j| s.articles[j.i].path.clone(),
    render: article,
    reads: |_, job, v, h| {
        h.u(v.articles[job.i]);
        true
    },
};

pub(super) const PAGE: Kind = Kind {
    template: Some("page.html"),
    page: true,
    reserved: &[],
    jobs: |s| each(s.pages.len()),
    path: |s, j| s.pages[j.i].path.clone(),
    render: page,
    reads: |_, job, v, h| {
        h.u(v.pages[job.i]);
        true
    },
};

/// One job per entity.
fn each(n: usize) -> Vec<(usize, usize)> {
    (0..n).map(|i| (i, 0)).collect()
}

fn report(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        page: ReportView<'a>,
    }
    let s = c.site;
    let r = &s.reports[job.i];
    let u = &s.units[r.unit];
    let md = c.body(DocRef::Report(job.i));
    let page = c.views.report(job.i, &md);
    let crumbs = vec![
        c.home(),
        c.crumb("工作总结", "reports/"),
        c.crumb(&u.name, &u.path),
    ];
    let f = c.frame(
        "reports",
        &r.doc.common.title,
        path,
        crumbs,
        page.summary,
        D { page },
    );
    c.template(job, &f)
}

fn report_reads(c: &Ctx, job: Job, v: &Versions, h: &mut Sig) -> bool {
    h.u(v.reports[job.i]);
    for n in neighbours(c.site, job.i) {
        h.u(n.map_or(0, |x| v.report_items[x]));
    }
    true
}

fn article(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        page: ArticleView<'a>,
    }
    let s = c.site;
    let a = &s.articles[job.i];
    let md = c.body(DocRef::Article(job.i));
    let page = c.views.article(job.i, &md);
    let mut crumbs = vec![c.home(), c.crumb("健康教育", "articles/")];
    if let Some(k) = a.category {
        crumbs.push(c.crumb(&s.categories[k].name, &s.categories[k].path));
    }
    let f = c.frame(
        "articles",
        &a.doc.common.title,
        path,
        crumbs,
        page.summary,
        D { page },
    );
    c.template(job, &f)
}

fn page(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        page: PageView<'a>,
    }
    let p = &c.site.pages[job.i];
    let md = c.body(DocRef::Page(job.i));
    let page = c.views.page(p, &md);
    let f = c.frame(
        "pages",
        &p.doc.common.title,
        path,
        vec![c.home()],
        c.desc(),
        D { page },
    );
    c.template(job, &f)
}
