//! Statistics: one pass over published reports aggregating every declared
//! metric — totals, per unit, per unit type, per year, per sub-period, per
//! tag — plus report and article counts, and the report × metric rows the
//! exports list. Computed once per build; templates only read it.

use super::Site;
use crate::config::Aggregate;
use crate::content::number::{format_decimal, Figure};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

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

/// (date sort key, report order, value, approx) of the newest value so far.
type Latest = ((i32, u32, u32, u32), usize, Decimal, bool);

/// Running state for one metric in one group.
#[derive(Debug, Clone, Default)]
struct Acc {
    sum: Decimal,
    n: usize,
    approx_any: bool,
    max: Option<(Decimal, bool)>,
    min: Option<(Decimal, bool)>,
    /// (date sort key, report order, value, approx): newest date wins; on a
    /// tie the report listed first (newest-first order) wins.
    latest: Option<Latest>,
}

impl Acc {
    fn add(&mut self, f: &Figure, date: (i32, u32, u32, u32), order: usize) {
        self.sum += f.value;
        self.n += 1;
        self.approx_any |= f.approx;
        if self.max.is_none_or(|(v, _)| f.value > v) {
            self.max = Some((f.value, f.approx));
        }
        if self.min.is_none_or(|(v, _)| f.value < v) {
            self.min = Some((f.value, f.approx));
        }
        let newer = match self.latest {
            None => true,
            Some((d, o, _, _)) => date > d || (date == d && order < o),
        };
        if newer {
            self.latest = Some((date, order, f.value, f.approx));
        }
    }

    fn finish(&self, how: Aggregate) -> Option<Agg> {
        if self.n == 0 {
            return None;
        }
        let (value, approx) = match how {
            Aggregate::Sum => (self.sum, self.approx_any),
            Aggregate::Max => self.max?,
            Aggregate::Min => self.min?,
            Aggregate::Avg => {
                let avg = (self.sum / Decimal::from(self.n as u64))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                (avg, self.approx_any)
            }
            Aggregate::Latest => {
                let (_, _, v, a) = self.latest?;
                (v, a)
            }
        };
        Some(Agg {
            value: value.normalize(),
            approx,
            reports: self.n,
        })
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

/// One report × metric row of the exports.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub report_slug: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_type: String,
    pub period: String,
    pub date: String,
    pub metric_id: String,
    pub label: String,
    pub value: String,
    pub approx: bool,
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
    pub rows: Vec<Row>,
    pub reports: usize,
}

struct Grouper {
    order: Vec<String>,
    groups: BTreeMap<String, (String, Option<String>, usize, Vec<Acc>)>,
    metrics: usize,
}

impl Grouper {
    fn new(metrics: usize) -> Self {
        Grouper {
            order: Vec::new(),
            groups: BTreeMap::new(),
            metrics,
        }
    }

    fn entry(
        &mut self,
        key: &str,
        label: &str,
        path: Option<&str>,
    ) -> &mut (String, Option<String>, usize, Vec<Acc>) {
        if !self.groups.contains_key(key) {
            self.order.push(key.to_string());
            self.groups.insert(
                key.to_string(),
                (
                    label.to_string(),
                    path.map(str::to_string),
                    0,
                    vec![Acc::default(); self.metrics],
                ),
            );
        }
        self.groups.get_mut(key).expect("inserted above")
    }

    fn finish(self, how: &[Aggregate], sort_keys: bool) -> Vec<Group> {
        let mut keys = self.order;
        if sort_keys {
            keys.sort();
        }
        let mut groups = self.groups;
        keys.into_iter()
            .filter_map(|k| {
                let (label, path, reports, accs) = groups.remove(&k)?;
                Some(Group {
                    key: k,
                    label,
                    path,
                    reports,
                    values: accs.iter().zip(how).map(|(a, h)| a.finish(*h)).collect(),
                })
            })
            .collect()
    }
}

impl Stats {
    /// The one aggregation pass.
    pub fn compute(site: &Site) -> Stats {
        let metrics = &site.config.metrics;
        let how: Vec<Aggregate> = metrics.iter().map(|m| m.aggregate).collect();
        let m = metrics.len();
        let mut total = vec![Acc::default(); m];
        let mut units = Grouper::new(m);
        let mut types = Grouper::new(m);
        let mut years = Grouper::new(m);
        let mut subs = Grouper::new(m);
        let mut tags = Grouper::new(m);
        let mut unit_years: Vec<Grouper> = (0..site.units.len()).map(|_| Grouper::new(m)).collect();
        // Units and types appear in site order even when they have no reports.
        for u in &site.units {
            units.entry(&u.id, &u.name, Some(&u.path));
            types.entry(&u.kind, &u.kind, None);
        }
        for t in &site.tags {
            if !t.reports.is_empty() {
                tags.entry(&t.slug, &t.name, Some(&t.path));
            }
        }
        let tag_slug: BTreeMap<String, &str> = site
            .tags
            .iter()
            .map(|t| (t.name.to_lowercase(), t.slug.as_str()))
            .collect();
        let mut rows = Vec::new();
        for (order, r) in site.reports.iter().enumerate() {
            let u = &site.units[r.unit];
            let year = r.doc.period.year().to_string();
            let sub = (!matches!(r.doc.period, crate::content::Period::Year(_)))
                .then(|| r.doc.period.to_string());
            let date = r.doc.date.sort_key();
            let mut tag_keys: Vec<&str> = r
                .doc
                .tags
                .iter()
                .filter_map(|t| tag_slug.get(&t.to_lowercase()).copied())
                .collect();
            tag_keys.sort();
            tag_keys.dedup();
            units.entry(&u.id, &u.name, Some(&u.path)).2 += 1;
            types.entry(&u.kind, &u.kind, None).2 += 1;
            years.entry(&year, &format!("{year}年"), None).2 += 1;
            unit_years[r.unit]
                .entry(&year, &format!("{year}年"), None)
                .2 += 1;
            if let Some(s) = &sub {
                subs.entry(s, &r.doc.period.label_zh(), None).2 += 1;
            }
            for &t in &tag_keys {
                let (name, path) = site
                    .tags
                    .iter()
                    .find(|x| x.slug == t)
                    .map(|x| (x.name.as_str(), x.path.as_str()))
                    .unwrap_or((t, ""));
                tags.entry(t, name, Some(path)).2 += 1;
            }
            for st in &r.doc.stats {
                let f = &st.figure;
                let i = st.metric;
                total[i].add(f, date, order);
                units.entry(&u.id, &u.name, None).3[i].add(f, date, order);
                types.entry(&u.kind, &u.kind, None).3[i].add(f, date, order);
                years.entry(&year, "", None).3[i].add(f, date, order);
                unit_years[r.unit].entry(&year, "", None).3[i].add(f, date, order);
                if let Some(s) = &sub {
                    subs.entry(s, "", None).3[i].add(f, date, order);
                }
                for &t in &tag_keys {
                    tags.entry(t, "", None).3[i].add(f, date, order);
                }
                let metric = &metrics[i];
                rows.push(Row {
                    report_slug: r.slug.clone(),
                    unit_id: u.id.clone(),
                    unit_name: u.name.clone(),
                    unit_type: u.kind.clone(),
                    period: r.doc.period.to_string(),
                    date: r.doc.date.ymd(),
                    metric_id: metric.id.clone(),
                    label: metric.label.clone(),
                    value: format_decimal(f.value),
                    approx: f.approx,
                });
            }
        }
        Stats {
            totals: total.iter().zip(&how).map(|(a, h)| a.finish(*h)).collect(),
            by_unit: units.finish(&how, false),
            by_type: types.finish(&how, false),
            by_year: years.finish(&how, true),
            by_subperiod: subs.finish(&how, true),
            by_tag: tags.finish(&how, false),
            unit_years: unit_years
                .into_iter()
                .map(|g| g.finish(&how, true))
                .collect(),
            articles_per_category: site
                .categories
                .iter()
                .map(|c| (c.name.clone(), c.articles.len()))
                .collect(),
            rows,
            reports: site.reports.len(),
        }
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
