//! The report × metric rows the exports list (`stats.csv`, `rows` of
//! `stats.json`), kept compact: texts many rows share are held once.

use super::{Gathered, Part};
use crate::content::number::Figure;
use crate::content::{Date, Period};
use crate::site::Site;

/// One report × metric row of the exports.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub report_slug: &'a str,
    pub unit_id: &'a str,
    pub unit_name: &'a str,
    pub unit_type: &'a str,
    pub period: Period,
    pub date: Date,
    pub metric_id: &'a str,
    pub label: &'a str,
    pub figure: Figure,
}

/// What a report's rows share.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowReport {
    /// Byte range of `Rows::slugs`.
    pub(crate) slug: (usize, usize),
    /// Index into `Rows::units`.
    pub(crate) unit: usize,
    pub(crate) period: Period,
    pub(crate) date: Date,
    /// The report's figures are `Rows::figures[start..end]`.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The rows, one per figure of each published report, newest report
/// first, figures in the order the report gives them. Texts shared by
/// many rows (a report's, a unit's, a metric's) are held once.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub(crate) reports: Vec<RowReport>,
    /// The reports' slugs, end to end.
    pub(crate) slugs: String,
    /// (id, name, type) of each unit, index-aligned with `Site::units`.
    pub(crate) units: Vec<(String, String, String)>,
    /// (id, label) of each metric, index-aligned with `Config::metrics`.
    pub(crate) metrics: Vec<(String, String)>,
    /// (metric, figure).
    pub(crate) figures: Vec<(usize, Figure)>,
}

impl Rows {
    /// The rows of the gathered reports, parts joined in order.
    pub(super) fn of(site: &Site, parts: Vec<Part>) -> Rows {
        let total: usize = parts.iter().map(|(_, f, _)| f.len()).sum();
        let text: usize = parts.iter().map(|(_, _, s)| s.len()).sum();
        let mut reports = Vec::with_capacity(site.reports.len());
        let mut figures = Vec::with_capacity(total);
        let mut slugs = String::with_capacity(text);
        for (gathered, part, part_slugs) in parts {
            let base = figures.len();
            let at = slugs.len();
            figures.extend(part);
            slugs.push_str(&part_slugs);
            reports.extend(gathered.into_iter().map(|g: Gathered| RowReport {
                slug: (at + g.slug.0, at + g.slug.1),
                unit: g.unit,
                period: g.period,
                date: g.date,
                start: base + g.start,
                end: base + g.end,
            }));
        }
        Rows {
            reports,
            slugs,
            units: site
                .units
                .iter()
                .map(|u| (u.id.clone(), u.name.clone(), u.kind.clone()))
                .collect(),
            metrics: site
                .config
                .metrics
                .iter()
                .map(|m| (m.id.clone(), m.label.clone()))
                .collect(),
            figures,
        }
    }

    pub(crate) fn slug(&self, r: &RowReport) -> &str {
        &self.slugs[r.slug.0..r.slug.1]
    }

    pub fn len(&self) -> usize {
        self.figures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }

    /// The rows, in export order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        self.reports.iter().flat_map(move |r| {
            let (unit_id, unit_name, unit_type) = &self.units[r.unit];
            self.figures[r.start..r.end].iter().map(move |(m, f)| {
                let (metric_id, label) = &self.metrics[*m];
                Row {
                    report_slug: self.slug(r),
                    unit_id,
                    unit_name,
                    unit_type,
                    period: r.period,
                    date: r.date,
                    metric_id,
                    label,
                    figure: *f,
                }
            })
        })
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = Row<'a>;
    type IntoIter = Box<dyn Iterator<Item = Row<'a>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}
