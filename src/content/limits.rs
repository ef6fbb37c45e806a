//! Limits content must stay within so later stages cannot fail on it:
//! sums of figures that fit the decimal type the statistics add in.

use super::{Content, Report};
use crate::config::{Aggregate, Config};
use crate::diagnostics::{text, Diagnostic};
use rayon::prelude::*;
use rust_decimal::Decimal;

/// An error at the first `stats:` entry (in file order) that carries a
/// summed metric's total beyond `Decimal`'s range. Figures are never
/// negative, so no group's sum (a unit, a year, a tag) exceeds the total
/// of all reports: when this passes, no aggregation can overflow.
pub fn check_sums(content: &Content, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Prefix sums of figures that are never negative only grow, so when
    // the total in any order stays far below the limit, no order reaches
    // it: the reports need sorting (to blame the first) only near it.
    let half = Decimal::MAX / Decimal::TWO;
    let summed = |m: &crate::config::Metric| matches!(m.aggregate, Aggregate::Sum | Aggregate::Avg);
    // Every metric's total (None: overflowed), the reports summed in
    // parallel runs: reading each report's figures (apart in memory) is
    // what costs. Run totals added in another order than the files' differ
    // from the ordered total by rounding at most, never across `half`
    // unless the ordered one is near it too, where the exact pass below runs.
    let metrics = config.metrics.len();
    let add = |a: Option<Decimal>, b: Option<Decimal>| a?.checked_add(b?);
    let totals = content
        .reports
        .par_chunks(1024)
        .map(|run| {
            let mut totals = vec![Some(Decimal::ZERO); metrics];
            for s in run.iter().flat_map(|r| r.stats.iter()) {
                if let Some(t) = totals.get_mut(s.metric) {
                    *t = t.and_then(|t| t.checked_add(s.figure.value));
                }
            }
            totals
        })
        .reduce(
            || vec![Some(Decimal::ZERO); metrics],
            |a, b| a.into_iter().zip(b).map(|(a, b)| add(a, b)).collect(),
        );
    let far_below = |(m, t): (&crate::config::Metric, &Option<Decimal>)| {
        !summed(m) || t.is_some_and(|t| t < half)
    };
    if config.metrics.iter().zip(&totals).all(far_below) {
        return out;
    }
    // Sorted once for all metrics (comparing paths costs more than adding).
    let mut reports: Vec<&Report> = content.reports.iter().map(|r| &**r).collect();
    reports.sort_by(|a, b| a.common.src.shown.cmp(&b.common.src.shown));
    for (mi, m) in config.metrics.iter().enumerate() {
        if !matches!(m.aggregate, Aggregate::Sum | Aggregate::Avg) {
            continue;
        }
        let mut total = Decimal::ZERO;
        for r in &reports {
            let Some(st) = r.stats.iter().find(|s| s.metric == mi) else {
                continue;
            };
            match total.checked_add(st.figure.value) {
                Some(t) => total = t,
                None => {
                    out.push(
                        Diagnostic::error(&r.common.src.shown, st.line, st.col, text!(
                            "`{}`: with this figure the reports' total exceeds what can be counted (about 7.9 × 10^28)", m.label;
                            "`{}`：加上这个数字后，各报告的合计超出可统计的上限（约 7.9 × 10^28）", m.label))
                        .with_hint(text!("check the figure for extra digits or a wrong unit (万/亿)";
                                         "请检查数字是否多写了位数或单位（万/亿）写错")),
                    );
                    break;
                }
            }
        }
    }
    out
}
