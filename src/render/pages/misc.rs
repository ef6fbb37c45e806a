//! The pages with no data of their own: 404, the search page and
//! robots.txt.

use super::{one, reads_nothing, Kind};
use serde::Serialize;

pub(super) const NOT_FOUND: Kind = Kind {
    template: Some("404.html"),
    page: false,
    reserved: &["404.html"],
    jobs: one,
    path: |_, _| "404.html".into(),
    render: |c, job, path| {
        let f = c.frame("", "页面未找到", path, vec![c.home()], c.desc(), ());
        c.template(job, &f)
    },
    reads: reads_nothing,
};

pub(super) const SEARCH: Kind = Kind {
    template: Some("search.html"),
    page: true,
    reserved: &["search"],
    jobs: |s| {
        if s.config.search {
            vec![(0, 0)]
        } else {
            vec![]
        }
    },
    path: |_, _| "search/".into(),
    render: |c, job, path| {
        let crumbs = vec![c.home(), c.crumb("搜索", "search/")];
        c.template(job, &c.frame("search", "搜索", path, crumbs, c.desc(), ()))
    },
    reads: reads_nothing,
};

pub(super) const ROBOTS: Kind = Kind {
    template: Some("robots.txt"),
    page: false,
    reserved: &["robots.txt"],
    jobs: one,
    path: |_, _| "robots.txt".into(),
    render: |c, job, _| {
        #[derive(Serialize)]
        struct D {
            sitemap_url: String,
        }
        let d = D {
            sitemap_url: c.site.config.full_url("sitemap.xml"),
        };
        c.template(job, &d)
    },
    reads: reads_nothing,
};
