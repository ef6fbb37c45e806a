//! Tags and categories: the list of each, and each term's paginated list
//! of its reports and articles.

use super::reuse::{Sig, Versions};
use super::{lists, one, Ctx, Job, Kind, ListData, Out};
use crate::diagnostics::Diagnostic;
use crate::render::views::TermView;
use crate::site::paths::list_page_path;
use crate::site::Term;
use serde::Serialize;

pub(super) const TAGS: Kind = Kind {
    template: Some("tags.html"),
    page: true,
    reserved: &["tags"],
    jobs: one,
    path: |_, _| "tags/".into(),
    render: |c, job, path| {
        let crumbs = vec![c.home(), c.crumb("标签", "tags/")];
        let f = c.frame("tags", "标签", path, crumbs, c.desc(), all(c, &c.site.tags));
        c.template(job, &f)
    },
    reads: |_, _, v, h| {
        h.all(&v.tags);
        true
    },
};

pub(super) const CATEGORIES: Kind = Kind {
    template: Some("categories.html"),
    page: true,
    reserved: &["categories"],
    jobs: one,
    path: |_, _| "categories/".into(),
    render: |c, job, path| {
        let crumbs = vec![
            c.home(),
            c.crumb("健康教育", "articles/"),
            c.crumb("分类", "categories/"),
        ];
        let d = all(c, &c.site.categories);
        c.template(job, &c.frame("articles", "分类", path, crumbs, c.desc(), d))
    },
    reads: |_, _, v, h| {
        h.all(&v.categories);
        true
    },
};

pub(super) const TAG: Kind = Kind {
    template: Some("tag.html"),
    page: true,
    reserved: &[],
    jobs: |s| {
        lists(s, s.tags.len(), |i| {
            s.tags[i].reports.len() + s.tags[i].articles.len()
        })
    },
    path: |s, j| list_page_path(&s.tags[j.i].path, j.n),
    render: |c, job, path| {
        let crumb = c.crumb("标签", "tags/");
        term(c, job, path, &c.site.tags[job.i], ("tags", crumb))
    },
    reads: |c, job, v, h| {
        term_reads(c, job, v, h, &c.site.tags[job.i], v.tags[job.i]);
        true
    },
};

pub(super) const CATEGORY: Kind = Kind {
    template: Some("category.html"),
    page: true,
    reserved: &[],
    jobs: |s| lists(s, s.categories.len(), |i| s.categories[i].articles.len()),
    path: |s, j| list_page_path(&s.categories[j.i].path, j.n),
    render: |c, job, path| {
        let crumb = c.crumb("健康教育", "articles/");
        term(c, job, path, &c.site.categories[job.i], ("articles", crumb))
    },
    reads: |c, job, v, h| {
        term_reads(c, job, v, h, &c.site.categories[job.i], v.categories[job.i]);
        true
    },
};

#[derive(Serialize)]
struct All<'a> {
    terms: Vec<TermView<'a>>,
}

fn all<'a>(c: &Ctx<'a>, terms: &'a [Term]) -> All<'a> {
    All {
        terms: terms.iter().map(|x| c.views.term(x)).collect(),
    }
}

/// A term's list page, in `section` under the `parent` crumb.
fn term<'a>(
    c: &Ctx<'a>,
    job: Job,
    path: &str,
    term: &'a Term,
    (section, parent): (&'static str, crate::render::views::Link),
) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        term: TermView<'a>,
        #[serde(flatten)]
        list: ListData,
    }
    let d = D {
        term: c.views.term(term),
        list: c.list(&term.path, job.n, &term.reports, &term.articles),
    };
    let crumbs = vec![c.home(), parent, c.crumb(&term.name, &term.path)];
    c.template(
        job,
        &c.frame(section, &term.name, path, crumbs, c.desc(), d),
    )
}

fn term_reads(c: &Ctx, job: Job, v: &Versions, h: &mut Sig, term: &Term, version: u64) {
    h.u(version);
    c.list_sig(v, h, job.n, &term.reports, &term.articles);
}
