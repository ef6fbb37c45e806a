//! Statistics: one pass over published reports aggregating every declared
//! metric — totals, per unit, per unit type, per year, per sub-period, per
//! tag — plus report and article counts, and the report × metric rows the
//! exports list. Computed once per build; templates only read it.

mod acc;
mod aggregate;
mod rows;

pub(crate) use rows::RowReport;
pub use rows::{Row, Rows};

use super::Site;
use crate::content::number::{format_decimal, Figure};
use crate::content::{Date, Period};
use rayon::prelude::*;
use rust_decimal::Decimal;

/// An aggregated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agg {
    pub value: Decimal,
    /// Some contributing value was a lower bound (多/余).
    pub approx: bool,
    /// How many reports contributed.
    pub reports: usize,
}

impl Agg {
    /// `600余` / `1518.2`.
    pub fn display(&self) -> String {
        crate::content::number::format_figure(&Figure {
            value: self.value,
            approx: self.approx,
        })
    }

    pub fn text(&self) -> String {
        format_decimal(self.value)
    }
}

/// Aggregates of every metric for one group (a unit, a type, a year, a tag).
#[derive(Debug, Clone)]
pub struct Group {
    /// Stable key: unit id, type name, `2024`, `2024-H1`, tag slug.
    pub key: String,
    pub label: String,
    /// Site path of the group's page, if it has one.
    pub path: Option<String>,
    /// Published reports in the group.
    pub reports: usize,
    /// Index-aligned with `Config::metrics`.
    pub values: Vec<Option<Agg>>,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Index-aligned with `Config::metrics`.
    pub totals: Vec<Option<Agg>>,
    pub by_unit: Vec<Group>,
    pub by_type: Vec<Group>,
    /// By year, oldest first.
    pub by_year: Vec<Group>,
    /// By half year, quarter or month, where reports give one; oldest first.
    pub by_subperiod: Vec<Group>,
    pub by_tag: Vec<Group>,
    /// Unit index → year → aggregates (for unit pages' trends).
    pub unit_years: Vec<Vec<Group>>,
    /// Category name → article count.
    pub articles_per_category: Vec<(String, usize)>,
    pub rows: Rows,
    pub reports: usize,
}

/// Consecutive reports as read in parallel, with their (metric, figure)s
/// and their slugs end to end.
type Part = (Vec<Gathered>, Vec<(usize, Figure)>, String);

/// A published report as aggregation and the rows read it.
struct Gathered {
    date: Date,
    period: Period,
    unit: usize,
    /// Byte range of its part's slugs.
    slug: (usize, usize),
    /// This report's figures are `figures[start..end]` of its part.
    start: usize,
    end: usize,
}

/// Each report's fields live apart in memory, and reading them is what
/// costs: they are read in parallel, into compact parts in order.
fn gather(site: &Site) -> Vec<Part> {
    site.reports
        .par_chunks(512)
        .map(|chunk| {
            let mut reports = Vec::with_capacity(chunk.len());
            let mut figures = Vec::with_capacity(chunk.len() * 8);
            let mut slugs = String::with_capacity(chunk.len() * 16);
            for r in chunk {
                let start = figures.len();
                figures.extend(r.doc.stats.iter().map(|s| (s.metric, s.figure)));
                let at = slugs.len();
                slugs.push_str(&r.slug);
                reports.push(Gathered {
                    date: r.doc.date,
                    period: r.doc.period,
                    unit: r.unit,
                    slug: (at, slugs.len()),
                    start,
                    end: figures.len(),
                });
            }
            (reports, figures, slugs)
        })
        .collect()
}

impl Stats {
    /// The one aggregation pass.
    pub fn compute(site: &Site) -> Stats {
        let parts = gather(site);
        let mut stats = aggregate::aggregate(site, &parts);
        stats.rows = Rows::of(site, parts);
        stats
    }

    /// The groups for `--by` / a breakdown name.
    pub fn breakdown(&self, by: Breakdown) -> &[Group] {
        match by {
            Breakdown::Unit => &self.by_unit,
            Breakdown::Type => &self.by_type,
            Breakdown::Period => &self.by_year,
            Breakdown::Tag => &self.by_tag,
        }
    }
}

/// How figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Unit,
    Type,
    Period,
    Tag,
}

impl Breakdown {
    pub const ALL: [Breakdown; 4] = [
        Breakdown::Unit,
        Breakdown::Type,
        Breakdown::Period,
        Breakdown::Tag,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Breakdown::Unit => "unit",
            Breakdown::Type => "type",
            Breakdown::Period => "period",
            Breakdown::Tag => "tag",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Breakdown::Unit => "按单位",
            Breakdown::Type => "按单位类型",
            Breakdown::Period => "按年度",
            Breakdown::Tag => "按标签",
        }
    }
}
