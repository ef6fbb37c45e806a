//! The aggregation pass: which groups each published report belongs to
//! (its unit, unit type, year, unit × year, sub-period and tags), and its
//! figures added to every one of them.

use super::acc::{DateKey, Groups};
use super::{Gathered, Part, Stats};
use crate::config::Aggregate;
use crate::content::number::Figure;
use crate::content::Period;
use crate::site::Site;
use std::collections::HashMap;

/// Everything but the rows, in one pass over the gathered reports.
pub(super) fn aggregate(site: &Site, parts: &[Part]) -> Stats {
    let how: Vec<Aggregate> = site.config.metrics.iter().map(|m| m.aggregate).collect();
    let mut sets = Sets::new(how.len(), site.units.len());
    let (unit_group, type_group) = sets.unit_and_type_groups(site);
    let tags = sets.tag_groups(site);
    let mut periods = PeriodGroups::new(site.units.len(), parts);
    let mut order = 0u32;
    for (gathered, figures, _) in parts {
        for r in gathered {
            let (year, unit_year, sub) = periods.of(r, &mut sets);
            let member = Member {
                unit: unit_group[r.unit],
                kind: type_group[r.unit],
                year,
                unit_year: (r.unit, unit_year),
                sub,
                tags: tags.of(order as usize),
            };
            let date = r.date.sort_key();
            sets.add(&member, &how, &figures[r.start..r.end], date, order);
            order += 1;
        }
    }
    sets.finish(site, &how)
}

/// Every set of groups a report's figures go into.
struct Sets {
    total: Groups,
    units: Groups,
    types: Groups,
    years: Groups,
    subs: Groups,
    tags: Groups,
    /// Per unit, by year (for unit pages' trends).
    unit_years: Vec<Groups>,
}

/// The groups of one report: indices into the sets.
struct Member<'a> {
    unit: usize,
    kind: usize,
    year: usize,
    /// (unit, group of `unit_years[unit]`).
    unit_year: (usize, usize),
    sub: Option<usize>,
    tags: &'a [usize],
}

impl Sets {
    fn new(metrics: usize, units: usize) -> Sets {
        let mut total = Groups::new(metrics);
        total.push(String::new(), String::new(), None);
        Sets {
            total,
            units: Groups::new(metrics),
            types: Groups::new(metrics),
            years: Groups::new(metrics),
            subs: Groups::new(metrics),
            tags: Groups::new(metrics),
            unit_years: (0..units).map(|_| Groups::new(metrics)).collect(),
        }
    }

    /// Units and types appear in site order even when they have no
    /// reports; a key names one group. Returns each unit's unit group and
    /// type group.
    fn unit_and_type_groups(&mut self, site: &Site) -> (Vec<usize>, Vec<usize>) {
        let mut unit_group = Vec::with_capacity(site.units.len());
        let mut type_group = Vec::with_capacity(site.units.len());
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut by_kind: HashMap<&str, usize> = HashMap::new();
        for u in &site.units {
            let g = *by_id.entry(&u.id).or_insert_with(|| {
                self.units
                    .push(u.id.clone(), u.name.clone(), Some(u.path.clone()))
            });
            unit_group.push(g);
            let g = *by_kind
                .entry(&u.kind)
                .or_insert_with(|| self.types.push(u.kind.clone(), u.kind.clone(), None));
            type_group.push(g);
        }
        (unit_group, type_group)
    }

    /// Tags with reports, in site order; a report's tags are the terms
    /// listing it (the model resolved names and case), one group per slug.
    fn tag_groups(&mut self, site: &Site) -> TagGroups {
        let mut by_slug: HashMap<&str, usize> = HashMap::new();
        let mut listing: Vec<(usize, &[usize])> = Vec::new();
        for t in &site.tags {
            if t.reports.is_empty() {
                continue;
            }
            let g = *by_slug.entry(&t.slug).or_insert_with(|| {
                self.tags
                    .push(t.slug.clone(), t.name.clone(), Some(t.path.clone()))
            });
            listing.push((g, &t.reports));
        }
        let (start, groups) = groups_per_report(site.reports.len(), &listing);
        TagGroups { start, groups }
    }

    /// Counts the report in its groups and adds its figures to them.
    fn add(
        &mut self,
        at: &Member,
        how: &[Aggregate],
        figures: &[(usize, Figure)],
        date: DateKey,
        order: u32,
    ) {
        let uy = &mut self.unit_years[at.unit_year.0];
        self.units.heads[at.unit].3 += 1;
        self.types.heads[at.kind].3 += 1;
        self.years.heads[at.year].3 += 1;
        uy.heads[at.unit_year.1].3 += 1;
        if let Some(sg) = at.sub {
            self.subs.heads[sg].3 += 1;
        }
        for &g in at.tags {
            self.tags.heads[g].3 += 1;
        }
        for (i, f) in figures {
            let (i, h) = (*i, how[*i]);
            self.total.acc(0, i).add(h, f, date, order);
            self.units.acc(at.unit, i).add(h, f, date, order);
            self.types.acc(at.kind, i).add(h, f, date, order);
            self.years.acc(at.year, i).add(h, f, date, order);
            uy.acc(at.unit_year.1, i).add(h, f, date, order);
            if let Some(sg) = at.sub {
                self.subs.acc(sg, i).add(h, f, date, order);
            }
            for &g in at.tags {
                self.tags.acc(g, i).add(h, f, date, order);
            }
        }
    }

    /// Sub-periods sort by key, as text; so do years.
    fn finish(self, site: &Site, how: &[Aggregate]) -> Stats {
        Stats {
            totals: self
                .total
                .finish(how, false)
                .pop()
                .map(|g| g.values)
                .unwrap_or_default(),
            by_unit: self.units.finish(how, false),
            by_type: self.types.finish(how, false),
            by_year: self.years.finish(how, true),
            by_subperiod: self.subs.finish(how, true),
            by_tag: self.tags.finish(how, false),
            unit_years: self
                .unit_years
                .into_iter()
                .map(|g| g.finish(how, true))
                .collect(),
            articles_per_category: site
                .categories
                .iter()
                .map(|c| (c.name.clone(), c.articles.len()))
                .collect(),
            rows: Default::default(),
            reports: site.reports.len(),
        }
    }
}

/// Each report's tag groups: report r's are `groups[start[r]..start[r + 1]]`.
struct TagGroups {
    start: Vec<usize>,
    groups: Vec<usize>,
}

impl TagGroups {
    fn of(&self, report: usize) -> &[usize] {
        &self.groups[self.start[report]..self.start[report + 1]]
    }
}

/// Year, unit × year and sub-period groups, made as reports meet them.
struct PeriodGroups {
    years: Vec<(i32, usize)>,
    subs: HashMap<Period, usize>,
    /// Unit × year → group of `unit_years[unit]`: a table when the years
    /// span a lifetime (they always do), lists otherwise.
    first_year: i32,
    span: usize,
    unit_year_table: Vec<usize>,
    unit_year_lists: Vec<Vec<(i32, usize)>>,
}

impl PeriodGroups {
    fn new(units: usize, parts: &[Part]) -> Self {
        let (first_year, last_year) = parts
            .iter()
            .flat_map(|(g, _, _)| g.iter().map(|r| r.period.year()))
            .fold((i32::MAX, i32::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
        let span = if first_year <= last_year && last_year - first_year < 256 {
            (last_year - first_year + 1) as usize
        } else {
            0
        };
        PeriodGroups {
            years: Vec::new(),
            subs: HashMap::new(),
            first_year,
            span,
            unit_year_table: vec![usize::MAX; units * span],
            unit_year_lists: vec![Vec::new(); units],
        }
    }

    /// (year, unit × year, sub-period) groups of report `r`.
    fn of(&mut self, r: &Gathered, sets: &mut Sets) -> (usize, usize, Option<usize>) {
        let y = r.period.year();
        let year_label = |y: i32| format!("{y}年");
        let years = &mut sets.years;
        let yg = small_group(&mut self.years, y, || {
            years.push(y.to_string(), year_label(y), None)
        });
        let uy = &mut sets.unit_years[r.unit];
        let uyg = if self.span > 0 {
            let at = &mut self.unit_year_table[r.unit * self.span + (y - self.first_year) as usize];
            if *at == usize::MAX {
                *at = uy.push(y.to_string(), year_label(y), None);
            }
            *at
        } else {
            small_group(&mut self.unit_year_lists[r.unit], y, || {
                uy.push(y.to_string(), year_label(y), None)
            })
        };
        let subs = &mut sets.subs;
        let sg = (!matches!(r.period, Period::Year(_))).then(|| {
            *self
                .subs
                .entry(r.period)
                .or_insert_with(|| subs.push(r.period.to_string(), r.period.label_zh(), None))
        });
        (yg, uyg, sg)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
