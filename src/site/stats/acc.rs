//! Accumulators: one metric's running aggregate in one group, and a set of
//! groups with an accumulator per metric. Sums are `Decimal` additions in
//! report order, the one exact-decimal arithmetic of the statistics
//! (content::limits refuses totals beyond its range, located).

use super::{Agg, Group};
use crate::config::Aggregate;
use crate::content::number::Figure;
use rust_decimal::{Decimal, RoundingStrategy};

/// `Date::sort_key`.
pub(super) type DateKey = (i32, u32, u32, u32);

/// Running state for one metric in one group. Only what the metric's
/// aggregate needs is tracked, in 44 bytes: a report's figures touch some
/// ten of these, spread over a few megabytes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Acc {
    /// Sum, avg: the sum. Max, min, latest: the value kept.
    value: Decimal,
    /// Latest: the date of the value kept.
    date: DateKey,
    n: u32,
    /// Latest: the report order of the value kept.
    order: u32,
    approx_any: bool,
    /// Max, min, latest: whether the value kept is a lower bound.
    best_approx: bool,
}

impl Acc {
    /// Adds a figure of report `order` (newest first) dated `date`.
    #[inline]
    pub(super) fn add(&mut self, how: Aggregate, f: &Figure, date: DateKey, order: u32) {
        let first = self.n == 0;
        self.n += 1;
        self.approx_any |= f.approx;
        let keep = match how {
            Aggregate::Sum | Aggregate::Avg => {
                // Totals beyond `Decimal` are refused when loading
                // (content::limits); saturate rather than panic.
                self.value = self.value.checked_add(f.value).unwrap_or(Decimal::MAX);
                return;
            }
            // The first of equal extremes stays.
            Aggregate::Max => first || f.value > self.value,
            Aggregate::Min => first || f.value < self.value,
            // Newest date wins; on a tie, the report listed first.
            Aggregate::Latest => {
                first || date > self.date || (date == self.date && order < self.order)
            }
        };
        if keep {
            self.value = f.value;
            self.best_approx = f.approx;
            self.date = date;
            self.order = order;
        }
    }

    fn finish(&self, how: Aggregate) -> Option<Agg> {
        if self.n == 0 {
            return None;
        }
        let (value, approx) = match how {
            Aggregate::Sum => (self.value, self.approx_any),
            Aggregate::Max | Aggregate::Min | Aggregate::Latest => (self.value, self.best_approx),
            Aggregate::Avg => {
                let avg = (self.value / Decimal::from(self.n))
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

/// Groups with their accumulators, addressed by index: `group * metrics + metric`.
pub(super) struct Groups {
    /// (key, label, path, reports).
    pub(super) heads: Vec<(String, String, Option<String>, usize)>,
    accs: Vec<Acc>,
    metrics: usize,
}

impl Groups {
    pub(super) fn new(metrics: usize) -> Self {
        Groups {
            heads: Vec::new(),
            accs: Vec::new(),
            metrics,
        }
    }

    pub(super) fn push(&mut self, key: String, label: String, path: Option<String>) -> usize {
        self.heads.push((key, label, path, 0));
        self.accs
            .resize(self.accs.len() + self.metrics, Acc::default());
        self.heads.len() - 1
    }

    #[inline]
    pub(super) fn acc(&mut self, group: usize, metric: usize) -> &mut Acc {
        &mut self.accs[group * self.metrics + metric]
    }

    /// Groups in creation order, or by key.
    pub(super) fn finish(self, how: &[Aggregate], sort_keys: bool) -> Vec<Group> {
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
                    .map(|(a, h)| a.finish(*h))
                    .collect(),
            })
            .collect();
        if sort_keys {
            out.sort_by(|a, b| a.key.cmp(&b.key));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn figure(s: &str) -> Figure {
        crate::content::number::parse_figure(s).expect(s)
    }

    /// `how` over `values` (dated, in report order).
    fn agg(how: Aggregate, values: &[(&str, DateKey)]) -> Agg {
        let mut acc = Acc::default();
        for (i, (v, date)) in (0u32..).zip(values) {
            acc.add(how, &figure(v), *date, i);
        }
        acc.finish(how).expect("figures")
    }

    const DAY: DateKey = (2024, 1, 1, 0);

    #[test]
    fn sums_are_decimal_sums_in_report_order() {
        let d = |s| Decimal::from_str(s).unwrap();
        // Beyond 96 bits at the scale met, `Decimal` rounds: so do sums.
        let big = "79228162514264337593543950";
        let want = d(big).checked_add(d("0.0000000001")).unwrap().normalize();
        let got = agg(Aggregate::Sum, &[(big, DAY), ("0.0000000001", DAY)]);
        assert_eq!((got.value, got.approx, got.reports), (want, false, 2));
        let got = agg(Aggregate::Sum, &[("1.50", DAY), ("600多", DAY), ("0", DAY)]);
        assert_eq!((got.value, got.approx), (d("601.5"), true));
        // Averages round half away from zero, to two places.
        let got = agg(Aggregate::Avg, &[("1", DAY), ("0.01", DAY), ("0", DAY)]);
        assert_eq!(got.value, d("0.34"));
        let got = agg(Aggregate::Avg, &[("0.005", DAY)]);
        assert_eq!(got.value, d("0.01"));
        // Never a panic, even past what loading lets through.
        let max = "79228162514264337593543950335";
        assert_eq!(
            agg(Aggregate::Sum, &[(max, DAY), (max, DAY)]).value,
            Decimal::MAX
        );
    }

    #[test]
    fn kept_values_follow_their_rule() {
        let (old, new) = ((2023, 5, 1, 0), (2024, 5, 1, 0));
        let kept = |how, values: &[(&str, DateKey)]| {
            let a = agg(how, values);
            (a.value.to_string(), a.approx)
        };
        let values = [("3多", old), ("7", new), ("7多", old), ("1", new)];
        assert_eq!(kept(Aggregate::Max, &values), ("7".into(), false));
        assert_eq!(kept(Aggregate::Min, &values), ("1".into(), false));
        // Newest date; on a tie the report listed first.
        assert_eq!(kept(Aggregate::Latest, &values), ("7".into(), false));
        assert_eq!(kept(Aggregate::Latest, &values[2..]), ("1".into(), false));
        assert_eq!(kept(Aggregate::Max, &values[..1]), ("3".into(), true));
        assert!(Acc::default().finish(Aggregate::Sum).is_none());
    }
}
