//! Statistics: one pass over published reports aggregating every declared
//! metric — totals, per unit, per unit type, per year, per sub-period, per
//! tag — plus report and article counts, and the report × metric rows the
//! exports list. Computed once per build; templates only read it.

use super::Site;
use crate::config::Aggregate;
use crate::content::number::{format_decimal, Figure};
use crate::content::{Date, Period};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

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

/// 10^k for every scale a `Decimal` can have.
const POW10: [i128; 29] = {
    let mut p = [1i128; 29];
    let mut k = 1;
    while k < 29 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// The largest mantissa a `Decimal` holds, plus one.
const U96: i128 = 1 << 96;

/// Running state for one metric in one group. Only what the metric's
/// aggregate needs is tracked, in 64 bytes: a report's figures touch some
/// ten of these, spread over a few megabytes.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    /// Sum, avg: the sum as an integer mantissa at `scale`: exactly what
    /// `Decimal` adding the same figures in the same order holds (see
    /// `add_exact`).
    sum: i128,
    /// Max, min, latest: the value kept. Sum, avg with `Sums::Decimal`: the sum.
    best: Decimal,
    /// Latest: the date of the value kept.
    date: (i32, u32, u32, u32),
    n: u32,
    /// Latest: the report order of the value kept.
    order: u32,
    scale: u8,
    approx_any: bool,
    /// Max, min, latest: whether the value kept is a lower bound.
    best_approx: bool,
    /// The exact path met a figure it cannot promise to sum like `Decimal`.
    inexact: bool,
}

/// How sums are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sums {
    /// Integer mantissas: exact, several times faster than `Decimal`.
    Exact,
    /// `Decimal` additions in report order: for figures the exact path
    /// declines (negative, or sums beyond 96 bits, where `Decimal` rounds).
    Decimal,
}

impl Acc {
    /// Adds a figure of report `order` (newest first) dated `date`.
    #[inline]
    fn add(
        &mut self,
        how: Aggregate,
        sums: Sums,
        f: &Figure,
        date: (i32, u32, u32, u32),
        order: u32,
    ) {
        let first = self.n == 0;
        self.n += 1;
        self.approx_any |= f.approx;
        let keep = match how {
            Aggregate::Sum | Aggregate::Avg => {
                match sums {
                    Sums::Exact => self.add_exact(f.value),
                    // Totals beyond `Decimal` are refused when loading
                    // (content::limits); saturate rather than panic.
                    Sums::Decimal => {
                        self.best = self.best.checked_add(f.value).unwrap_or(Decimal::MAX)
                    }
                }
                return;
            }
            // The first of equal extremes stays.
            Aggregate::Max => first || f.value > self.best,
            Aggregate::Min => first || f.value < self.best,
            // Newest date wins; on a tie, the report listed first.
            Aggregate::Latest => {
                first || date > self.date || (date == self.date && order < self.order)
            }
        };
        if keep {
            self.best = f.value;
            self.best_approx = f.approx;
            self.date = date;
            self.order = order;
        }
    }

    /// `Decimal` addition, on integers. For non-negative figures whose
    /// sum fits 96 bits at the largest scale met, `Decimal` never rounds
    /// (every partial sum and addend is no larger than the sum), so its
    /// result is this mantissa at this scale: `0 + x` is `x` as is, `x + 0`
    /// is `x`, otherwise both sides at the larger scale, added. Anything
    /// else marks the sum `inexact` and the caller starts over with
    /// `Decimal` itself.
    #[inline]
    fn add_exact(&mut self, v: Decimal) {
        if v.is_sign_negative() {
            self.inexact = true;
            return;
        }
        let (m, s) = (v.mantissa(), v.scale() as u8);
        if self.sum == 0 {
            self.sum = m;
            self.scale = s;
            return;
        }
        if m == 0 {
            return;
        }
        let sum = if s == self.scale {
            self.sum.checked_add(m)
        } else if s < self.scale {
            m.checked_mul(POW10[(self.scale - s) as usize])
                .and_then(|m| self.sum.checked_add(m))
        } else {
            let up = self
                .sum
                .checked_mul(POW10[(s - self.scale) as usize])
                .and_then(|x| x.checked_add(m));
            self.scale = s;
            up
        };
        match sum {
            Some(x) if x < U96 => self.sum = x,
            _ => self.inexact = true,
        }
    }

    fn sum(&self, sums: Sums) -> Decimal {
        match sums {
            Sums::Exact => Decimal::from_i128_with_scale(self.sum, u32::from(self.scale)),
            Sums::Decimal => self.best,
        }
    }

    fn finish(&self, how: Aggregate, sums: Sums) -> Option<Agg> {
        if self.n == 0 {
            return None;
        }
        let (value, approx) = match how {
            Aggregate::Sum => (self.sum(sums), self.approx_any),
            Aggregate::Max | Aggregate::Min | Aggregate::Latest => (self.best, self.best_approx),
            Aggregate::Avg => {
                let avg = (self.sum(sums) / Decimal::from(self.n))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                (avg, self.approx_any)
            }
        };
        Some(Agg {
            value: value.normalize(),
            approx,
            reports: self.n as usize,
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
#[derive(Debug, Clone)]
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

/// The report × metric rows of the exports (`stats.csv`, `rows` of
/// `stats.json`), one per figure of each published report, newest report
/// first, figures in the order the report gives them. Kept compact: texts
/// shared by many rows (a report's, a unit's, a metric's) are held once.
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

/// Groups with their accumulators, addressed by index: `group * metrics + metric`.
struct Groups {
    /// (key, label, path, reports).
    heads: Vec<(String, String, Option<String>, usize)>,
    accs: Vec<Acc>,
    metrics: usize,
}

impl Groups {
    fn new(metrics: usize) -> Self {
        Groups {
            heads: Vec::new(),
            accs: Vec::new(),
            metrics,
        }
    }

    fn push(&mut self, key: String, label: String, path: Option<String>) -> usize {
        self.heads.push((key, label, path, 0));
        self.accs
            .resize(self.accs.len() + self.metrics, Acc::default());
        self.heads.len() - 1
    }

    #[inline]
    fn acc(&mut self, group: usize, metric: usize) -> &mut Acc {
        &mut self.accs[group * self.metrics + metric]
    }

    fn inexact(&self) -> bool {
        self.accs.iter().any(|a| a.inexact)
    }

    /// Groups in creation order, or by key.
    fn finish(self, how: &[Aggregate], sums: Sums, sort_keys: bool) -> Vec<Group> {
        let m = self.metrics;
        let mut out: Vec<Group> = self
            .heads
            .into_iter()
            .enumerate()
            .map(|(g, (key, label, path, reports))| Group {
                key,
                label,
                path,
                reports,
                values: self.accs[g * m..(g + 1) * m]
                    .iter()
                    .zip(how)
                    .map(|(a, h)| a.finish(*h, sums))
                    .collect(),
            })
            .collect();
        if sort_keys {
            out.sort_by(|a, b| a.key.cmp(&b.key));
        }
        out
    }
}

/// Finds or makes the group keyed `key` among a few (years of one unit).
fn small_group<K: PartialEq + Copy>(
    index: &mut Vec<(K, usize)>,
    key: K,
    make: impl FnOnce() -> usize,
) -> usize {
    match index.iter().find(|(k, _)| *k == key) {
        Some(&(_, g)) => g,
        None => {
            let g = make();
            index.push((key, g));
            g
        }
    }
}

/// Inverts (group, its reports) lists into each report's distinct groups:
/// report r's are `groups[start[r]..start[r + 1]]`, in listing order.
fn groups_per_report(n_reports: usize, listing: &[(usize, &[usize])]) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0usize; n_reports + 1];
    for (_, reports) in listing {
        for &r in *reports {
            start[r + 1] += 1;
        }
    }
    for r in 0..n_reports {
        start[r + 1] += start[r];
    }
    // Filled in place; a group listing a report twice counts once.
    let mut filled = start.clone();
    let mut groups = vec![usize::MAX; start[n_reports]];
    for (g, reports) in listing {
        for &r in *reports {
            if !groups[start[r]..filled[r]].contains(g) {
                groups[filled[r]] = *g;
                filled[r] += 1;
            }
        }
    }
    if filled[..n_reports] != start[1..] {
        // Close the gaps duplicates left.
        let mut compact = Vec::with_capacity(groups.len());
        for r in 0..n_reports {
            let from = compact.len();
            compact.extend_from_slice(&groups[start[r]..filled[r]]);
            start[r] = from;
        }
        start[n_reports] = compact.len();
        groups = compact;
    }
    (start, groups)
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

impl Stats {
    /// The one aggregation pass.
    pub fn compute(site: &Site) -> Stats {
        // Each report's fields live apart in memory, and reading them is
        // what costs: read them in parallel, into compact parts in order.
        let parts: Vec<Part> = site
            .reports
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
            .collect();
        match Self::aggregate(site, &parts, Sums::Exact) {
            Some(stats) => stats,
            None => Self::aggregate(site, &parts, Sums::Decimal).expect("Decimal sums"),
        }
        .with_rows(site, parts)
    }

    /// Everything but the rows. None when `Sums::Exact` declines.
    fn aggregate(site: &Site, parts: &[Part], sums: Sums) -> Option<Stats> {
        let metrics = &site.config.metrics;
        let how: Vec<Aggregate> = metrics.iter().map(|m| m.aggregate).collect();
        let m = metrics.len();
        let mut total = Groups::new(m);
        total.push(String::new(), String::new(), None);
        let mut units = Groups::new(m);
        let mut types = Groups::new(m);
        let mut years = Groups::new(m);
        let mut subs = Groups::new(m);
        let mut tags = Groups::new(m);
        let mut unit_years: Vec<Groups> = (0..site.units.len()).map(|_| Groups::new(m)).collect();
        // Units and types appear in site order even when they have no
        // reports; a key names one group.
        let mut unit_group = Vec::with_capacity(site.units.len());
        let mut type_group = Vec::with_capacity(site.units.len());
        {
            let mut by_id: HashMap<&str, usize> = HashMap::new();
            let mut by_kind: HashMap<&str, usize> = HashMap::new();
            for u in &site.units {
                let g = *by_id.entry(&u.id).or_insert_with(|| {
                    units.push(u.id.clone(), u.name.clone(), Some(u.path.clone()))
                });
                unit_group.push(g);
                let g = *by_kind
                    .entry(&u.kind)
                    .or_insert_with(|| types.push(u.kind.clone(), u.kind.clone(), None));
                type_group.push(g);
            }
        }
        // Tags with reports, in site order; a report's tags are the terms
        // listing it (the model resolved names and case), one group per slug.
        let n_reports = site.reports.len();
        // Report r's tag groups are `tag_groups[tag_start[r]..tag_start[r + 1]]`.
        let (tag_start, tag_groups);
        {
            let mut by_slug: HashMap<&str, usize> = HashMap::new();
            let mut listing: Vec<(usize, &[usize])> = Vec::new();
            for t in &site.tags {
                if t.reports.is_empty() {
                    continue;
                }
                let g = *by_slug.entry(&t.slug).or_insert_with(|| {
                    tags.push(t.slug.clone(), t.name.clone(), Some(t.path.clone()))
                });
                listing.push((g, &t.reports));
            }
            (tag_start, tag_groups) = groups_per_report(n_reports, &listing);
        }
        let mut year_index: Vec<(i32, usize)> = Vec::new();
        let mut sub_index: HashMap<Period, usize> = HashMap::new();
        // Unit × year → group of `unit_years[unit]`: a table when the years
        // span a lifetime (they always do), lists otherwise.
        let (first_year, last_year) = parts
            .iter()
            .flat_map(|(g, _, _)| g.iter().map(|r| r.period.year()))
            .fold((i32::MAX, i32::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
        let span = if first_year <= last_year && last_year - first_year < 256 {
            (last_year - first_year + 1) as usize
        } else {
            0
        };
        let mut unit_year_table = vec![usize::MAX; site.units.len() * span];
        let mut unit_year_index: Vec<Vec<(i32, usize)>> = vec![Vec::new(); site.units.len()];
        let year_label = |y: i32| format!("{y}年");
        let mut order = 0u32;
        for (gathered, figures, _) in parts {
            for r in gathered {
                let y = r.period.year();
                let yg = small_group(&mut year_index, y, || {
                    years.push(y.to_string(), year_label(y), None)
                });
                let uy = &mut unit_years[r.unit];
                let uyg = if span > 0 {
                    let at = &mut unit_year_table[r.unit * span + (y - first_year) as usize];
                    if *at == usize::MAX {
                        *at = uy.push(y.to_string(), year_label(y), None);
                    }
                    *at
                } else {
                    small_group(&mut unit_year_index[r.unit], y, || {
                        uy.push(y.to_string(), year_label(y), None)
                    })
                };
                let sg = (!matches!(r.period, Period::Year(_))).then(|| {
                    *sub_index.entry(r.period).or_insert_with(|| {
                        subs.push(r.period.to_string(), r.period.label_zh(), None)
                    })
                });
                let ug = unit_group[r.unit];
                let tg = type_group[r.unit];
                let rtags = &tag_groups[tag_start[order as usize]..tag_start[order as usize + 1]];
                units.heads[ug].3 += 1;
                types.heads[tg].3 += 1;
                years.heads[yg].3 += 1;
                uy.heads[uyg].3 += 1;
                if let Some(sg) = sg {
                    subs.heads[sg].3 += 1;
                }
                for &g in rtags {
                    tags.heads[g].3 += 1;
                }
                let date = r.date.sort_key();
                for (i, f) in &figures[r.start..r.end] {
                    let (i, h) = (*i, how[*i]);
                    total.acc(0, i).add(h, sums, f, date, order);
                    units.acc(ug, i).add(h, sums, f, date, order);
                    types.acc(tg, i).add(h, sums, f, date, order);
                    years.acc(yg, i).add(h, sums, f, date, order);
                    uy.acc(uyg, i).add(h, sums, f, date, order);
                    if let Some(sg) = sg {
                        subs.acc(sg, i).add(h, sums, f, date, order);
                    }
                    for &g in rtags {
                        tags.acc(g, i).add(h, sums, f, date, order);
                    }
                }
                order += 1;
            }
        }
        if sums == Sums::Exact
            && [&total, &units, &types, &years, &subs, &tags]
                .into_iter()
                .chain(&unit_years)
                .any(Groups::inexact)
        {
            return None;
        }
        // Sub-periods sort by key, as text; so do years.
        Some(Stats {
            totals: total
                .finish(&how, sums, false)
                .pop()
                .map(|g| g.values)
                .unwrap_or_default(),
            by_unit: units.finish(&how, sums, false),
            by_type: types.finish(&how, sums, false),
            by_year: years.finish(&how, sums, true),
            by_subperiod: subs.finish(&how, sums, true),
            by_tag: tags.finish(&how, sums, false),
            unit_years: unit_years
                .into_iter()
                .map(|g| g.finish(&how, sums, true))
                .collect(),
            articles_per_category: site
                .categories
                .iter()
                .map(|c| (c.name.clone(), c.articles.len()))
                .collect(),
            rows: Rows::default(),
            reports: n_reports,
        })
    }

    fn with_rows(mut self, site: &Site, parts: Vec<Part>) -> Stats {
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
            reports.extend(gathered.into_iter().map(|g| RowReport {
                slug: (at + g.slug.0, at + g.slug.1),
                unit: g.unit,
                period: g.period,
                date: g.date,
                start: base + g.start,
                end: base + g.end,
            }));
        }
        self.rows = Rows {
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
        };
        self
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn figure(s: &str) -> Figure {
        crate::content::number::parse_figure(s).expect(s)
    }

    /// Sums through `Acc` both ways: (exact, Decimal) or None when the exact
    /// path declines.
    fn sums(values: &[Figure]) -> (Option<Decimal>, Decimal) {
        let (mut exact, mut dec) = (Acc::default(), Acc::default());
        for (i, f) in (0u32..).zip(values) {
            exact.add(Aggregate::Sum, Sums::Exact, f, (2024, 1, 1, 0), i);
            dec.add(Aggregate::Sum, Sums::Decimal, f, (2024, 1, 1, 0), i);
        }
        let e = (!exact.inexact).then(|| exact.sum(Sums::Exact));
        (e, dec.sum(Sums::Decimal))
    }

    #[test]
    fn exact_sums_are_decimal_sums_to_the_bit() {
        // Mantissa and scale, not just value: averages divide the sum.
        let bits = |d: Decimal| (d.mantissa(), d.scale());
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 20
        };
        for round in 0..300 {
            let n = 1 + next() % 40;
            let values: Vec<Figure> = (0..n)
                .map(|_| {
                    let int = next() % [10, 1000, 100_000, 1 << 40][round % 4];
                    let text = match next() % 5 {
                        0 => format!("{int}"),
                        1 => format!("{int}.{}", next() % 10),
                        2 => format!("{int}.{:02}", next() % 100),
                        3 => format!("{}.{:06}多", int % 100, next() % 1_000_000),
                        _ => "0".to_string(),
                    };
                    figure(&text)
                })
                .collect();
            let (exact, dec) = sums(&values);
            assert_eq!(exact.map(bits), Some(bits(dec)), "{values:?}");
            // And so are averages.
            let avg = |s: Decimal| {
                (s / Decimal::from(values.len() as u64))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            };
            assert_eq!(exact.map(|e| bits(avg(e))), Some(bits(avg(dec))));
        }
    }

    #[test]
    fn groups_per_report_inverts_listings() {
        let of = |n, listing: &[(usize, &[usize])]| {
            let (start, groups) = groups_per_report(n, listing);
            (0..n)
                .map(|r| groups[start[r]..start[r + 1]].to_vec())
                .collect::<Vec<_>>()
        };
        let listing: &[(usize, &[usize])] = &[(0, &[0, 2]), (1, &[2, 3]), (2, &[])];
        assert_eq!(of(4, listing), [vec![0], vec![], vec![0, 1], vec![1]]);
        // Group 0 twice (two tags, one slug): once per report.
        let listing: &[(usize, &[usize])] = &[(0, &[0, 1]), (1, &[1]), (0, &[1, 2])];
        assert_eq!(of(3, listing), [vec![0], vec![0, 1], vec![0]]);
        assert_eq!(of(0, &[]), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn exact_sums_decline_where_decimal_would_round() {
        let big = Figure {
            value: Decimal::from_str("79228162514264337593543950").unwrap(),
            approx: false,
        };
        let tiny = Figure {
            value: Decimal::from_str("0.0000000001").unwrap(),
            approx: false,
        };
        // Fits: exact.
        assert!(sums(&[big, big]).0.is_some());
        // 96 bits at scale 10 would be needed: Decimal rounds, exact declines.
        assert!(sums(&[big, tiny]).0.is_none());
        assert!(sums(&[tiny, big]).0.is_none());
        let negative = Figure {
            value: Decimal::from_str("-1").unwrap(),
            approx: false,
        };
        assert!(sums(&[figure("3"), negative]).0.is_none());
    }
}
