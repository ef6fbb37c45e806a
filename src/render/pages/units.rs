//! The units: all of them grouped by kind, and each unit's own paginated
//! list of reports and articles with its figures.

use super::reuse::{Sig, Versions};
use super::{lists, one, Ctx, Job, Kind, ListData, Out};
use crate::diagnostics::Diagnostic;
use crate::render::stats;
use crate::render::templates::Shared;
use crate::render::views::UnitView;
use crate::site::paths::list_page_path;
use serde::Serialize;

pub(super) const UNITS: Kind = Kind {
    template: Some("units.html"),
    page: true,
    reserved: &["units"],
    jobs: one,
    path: |_, _| "units/".into(),
    render: units,
    reads: |_, _, v, h| {
        h.all(&v.units);
        true
    },
};

pub(super) const UNIT: Kind = Kind {
    template: Some("unit.html"),
    page: true,
    reserved: &[],
    jobs: |s| {
        lists(s, s.units.len(), |i| {
            s.units[i].reports.len() + s.units[i].articles.len()
        })
    },
    path: |s, j| list_page_path(&s.units[j.i].path, j.n),
    render: unit,
    reads: unit_reads,
};

fn units(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct Group<'a> {
        kind: &'a str,
        units: Vec<UnitView<'a>>,
    }
    #[derive(Serialize)]
    struct D<'a> {
        groups: Vec<Group<'a>>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for (u, m) in c.site.units.iter().zip(&c.bodies.units) {
        if groups.last().is_none_or(|g| g.kind != u.kind) {
            groups.push(Group {
                kind: &u.kind,
                units: Vec::new(),
            });
        }
        groups
            .last_mut()
            .expect("pushed above")
            .units
            .push(c.views.unit(u, &m.html));
    }
    let crumbs = vec![c.home(), c.crumb("单位", "units/")];
    let f = c.frame("units", "单位", path, crumbs, c.desc(), D { groups });
    c.template(job, &f)
}

fn unit(c: &Ctx, job: Job, path: &str) -> Result<Out, Diagnostic> {
    #[derive(Serialize)]
    struct D<'a> {
        unit: UnitView<'a>,
        unit_stats: Shared,
        #[serde(flatten)]
        list: ListData,
    }
    let (s, ui) = (c.site, job.i);
    let u = &s.units[ui];
    let d = D {
        unit: c.views.unit(u, &c.bodies.units[ui].html),
        unit_stats: c.unit_stats[ui]
            .get_or_init(|| Shared::of(&stats::unit(s, c.stats, ui)))
            .clone(),
        list: c.list(&u.path, job.n, &u.reports, &u.articles),
    };
    let crumbs = vec![
        c.home(),
        c.crumb("单位", "units/"),
        c.crumb(&u.name, &u.path),
    ];
    let f = c.frame("units", &u.name, path, crumbs, c.desc(), d);
    c.template(job, &f)
}

fn unit_reads(c: &Ctx, job: Job, v: &Versions, h: &mut Sig) -> bool {
    let u = &c.site.units[job.i];
    // Its own figures, not the site's: a figure edit elsewhere leaves it.
    h.u(v.units[job.i]).u(v.unit_stats[job.i]);
    c.list_sig(v, h, job.n, &u.reports, &u.articles);
    true
}
