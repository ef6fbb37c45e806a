//! 统计: the aggregated figures as a page, as `stats.json` and as
//! `stats.csv`.

use super::{one, Kind, Out};
use crate::render::stats;
use serde::Serialize;

pub(super) const STATS: Kind = Kind {
    template: Some("stats.html"),
    page: true,
    reserved: &["stats"],
    jobs: one,
    path: |_, _| "stats/".into(),
    render: |c, job, path| {
        #[derive(Serialize)]
        struct D<'a> {
            stats: stats::StatsPage<'a>,
            reporting: Option<crate::render::status::StatusView<'a>>,
        }
        let d = D {
            stats: stats::page(c.site, c.stats),
            reporting: crate::render::status::stats_section(c.site),
        };
        let crumbs = vec![c.home(), c.crumb("统计", "stats/")];
        c.template(job, &c.frame("stats", "统计", path, crumbs, c.desc(), d))
    },
    reads: |_, _, v, h| {
        h.u(v.stats);
        true
    },
};

/// The text whose key ([`stats::StatsJson::key`]) is the `stats` version.
pub(super) const STATS_JSON: Kind = Kind {
    template: None,
    page: false,
    reserved: &[],
    jobs: one,
    path: |_, _| "stats/stats.json".into(),
    // The text made for the file alone (`serve` and `build` at 50k: 63 MB,
    // written without a copy and dropped), or the one templates read.
    render: |c, _, _| {
        Ok(match c.stats_json.bytes(c.site, c.stats) {
            std::borrow::Cow::Owned(b) => Out::Bytes(b),
            std::borrow::Cow::Borrowed(b) => Out::Made(b.into()),
        })
    },
    reads: |_, _, v, h| {
        h.u(v.stats);
        true
    },
};

/// The `rows` of stats.json (same fields) as CSV.
pub(super) const STATS_CSV: Kind = Kind {
    template: None,
    page: false,
    reserved: &[],
    jobs: one,
    path: |_, _| "stats/stats.csv".into(),
    render: |c, _, _| Ok(stats::csv(c.stats).into()),
    reads: |_, _, v, h| {
        h.u(v.stats);
        true
    },
};
