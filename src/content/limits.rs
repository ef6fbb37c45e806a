//! Limits content must stay within so later stages cannot fail on it:
//! sums of figures that fit the decimal type the statistics add in.

use super::{Content, Report};
use crate::config::{Aggregate, Config};
use crate::diagnostics::{text, Diagnostic};
use rust_decimal::Decimal;

/// An error at the first `stats:` entry (in file order) that carries a
/// summed metric's total beyond `Decimal`'s range. Figures are never
/// negative, so no group's sum (a unit, a year, a tag) exceeds the total
/// of all reports: when this passes, no aggregation can overflow.
pub fn check_sums(content: &Content, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
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
