//! What templates see of the statistics: the /stats/ page (totals, a
//! section per metric with its SVG charts and their data tables, every
//! breakdown), a unit page's totals and trend, the home page's headline.

use crate::config::{Aggregate, Config, Metric};
use crate::render::charts::{self, Bar};
use crate::site::stats::{Agg, Breakdown, Group, Stats};
use crate::site::Site;
use serde::Serialize;

fn aggregate_name(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Sum => "sum",
        Aggregate::Max => "max",
        Aggregate::Min => "min",
        Aggregate::Avg => "avg",
        Aggregate::Latest => "latest",
    }
}

fn aggregate_zh(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Sum => "合计",
        Aggregate::Max => "最大值",
        Aggregate::Min => "最小值",
        Aggregate::Avg => "平均值",
        Aggregate::Latest => "最新值",
    }
}

/// One metric's aggregate as templates and JSON see it.
#[derive(Serialize, Clone)]
pub struct MetricValue<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub unit: &'a str,
    pub aggregate: &'static str,
    pub aggregate_label: &'static str,
    /// Exact decimal text, absent when no report gives the metric.
    pub value: Option<String>,
    /// The same as a JSON number (for charts and scripts).
    pub number: Option<f64>,
    pub approx: bool,
    /// `600余`, or `—` when absent.
    pub display: String,
    pub reports: usize,
}

pub(super) fn metric_value<'a>(m: &'a Metric, a: Option<&Agg>) -> MetricValue<'a> {
    let value = a.map(|a| {
        let mut s = String::new();
        push_decimal(&mut s, a.value);
        s
    });
    MetricValue {
        id: &m.id,
        label: &m.label,
        unit: &m.unit,
        aggregate: aggregate_name(m.aggregate),
        aggregate_label: aggregate_zh(m.aggregate),
        number: value.as_deref().and_then(|v| v.parse().ok()),
        value,
        approx: a.is_some_and(|a| a.approx),
        display: a.map(Agg::display).unwrap_or_else(|| "—".into()),
        reports: a.map(|a| a.reports).unwrap_or(0),
    }
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub url: Option<String>,
    pub reports: usize,
    pub values: Vec<MetricValue<'a>>,
}

pub(super) fn group_view<'a>(c: &'a Config, g: &'a Group) -> GroupView<'a> {
    GroupView {
        key: &g.key,
        label: &g.label,
        url: g.path.as_ref().filter(|p| !p.is_empty()).map(|p| c.url(p)),
        reports: g.reports,
        values: c
            .metrics
            .iter()
            .zip(&g.values)
            .map(|(m, v)| metric_value(m, v.as_ref()))
            .collect(),
    }
}

/// One row of the data table beside a chart.
#[derive(Serialize)]
pub struct ChartRow {
    pub label: String,
    pub value: String,
}

/// A chart and the data table beside it.
#[derive(Serialize)]
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub rows: Vec<ChartRow>,
}

/// Everything about one metric on /stats/.
#[derive(Serialize)]
pub struct MetricSection<'a> {
    pub metric: MetricValue<'a>,
    pub charts: Vec<Chart>,
}

#[derive(Serialize)]
pub struct BreakdownView<'a> {
    pub key: &'static str,
    pub title: &'static str,
    pub groups: Vec<GroupView<'a>>,
}

/// `stats` on /stats/.
#[derive(Serialize)]
pub struct StatsPage<'a> {
    pub reports: usize,
    pub totals: Vec<MetricValue<'a>>,
    pub sections: Vec<MetricSection<'a>>,
    pub breakdowns: Vec<BreakdownView<'a>>,
    pub subperiods: Vec<GroupView<'a>>,
    pub json_url: String,
    pub csv_url: String,
}

fn bar(label: &str, a: &Agg, unit: &str) -> Bar {
    Bar {
        label: label.to_string(),
        value: a.text().parse().unwrap_or(0.0),
        text: format!("{} {unit}", a.display()),
    }
}

fn chart(title: String, svg: String, bars: &[Bar]) -> Chart {
    Chart {
        title,
        svg,
        rows: bars
            .iter()
            .map(|b| ChartRow {
                label: b.label.clone(),
                value: b.text.clone(),
            })
            .collect(),
    }
}

/// Charts for one metric: top units, trend by year, share by unit type.
fn metric_charts(stats: &Stats, i: usize, m: &Metric) -> Vec<Chart> {
    let mut out = Vec::new();
    let mut units: Vec<Bar> = stats
        .by_unit
        .iter()
        .filter_map(|g| g.values[i].as_ref().map(|a| bar(&g.label, a, &m.unit)))
        .collect();
    units.sort_by(|a, b| {
        b.value
            .partial_cmp(&a.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    units.truncate(10);
    if !units.is_empty() {
        let title = format!(
            "{}：各单位{}（前{}名，单位：{}）",
            m.label,
            aggregate_zh(m.aggregate),
            units.len(),
            m.unit
        );
        let desc = format!("条形图，按单位比较{}。数据见下表。", m.label);
        out.push(chart(
            title.clone(),
            charts::bar_chart(&format!("chart-{}-units", m.id), &title, &desc, &units),
            &units,
        ));
    }
    let years: Vec<Bar> = stats
        .by_year
        .iter()
        .filter_map(|g| g.values[i].as_ref().map(|a| bar(&g.label, a, &m.unit)))
        .collect();
    if years.len() > 1 {
        let title = format!("{}：逐年变化（单位：{}）", m.label, m.unit);
        let desc = format!(
            "柱状图，{}按年度的{}。数据见下表。",
            m.label,
            aggregate_zh(m.aggregate)
        );
        out.push(chart(
            title.clone(),
            charts::column_chart(&format!("chart-{}-years", m.id), &title, &desc, &years),
            &years,
        ));
    }
    let types: Vec<Bar> = stats
        .by_type
        .iter()
        .filter_map(|g| g.values[i].as_ref().map(|a| bar(&g.label, a, &m.unit)))
        .collect();
    if types.len() > 1 && m.aggregate == Aggregate::Sum {
        let title = format!("{}：按单位类型构成（单位：{}）", m.label, m.unit);
        let desc = format!("构成图，{}在各类单位中的占比。数据见下表。", m.label);
        out.push(chart(
            title.clone(),
            charts::share_chart(&format!("chart-{}-types", m.id), &title, &desc, &types),
            &types,
        ));
    }
    out
}

pub fn totals<'a>(c: &'a Config, stats: &Stats) -> Vec<MetricValue<'a>> {
    c.metrics
        .iter()
        .zip(&stats.totals)
        .map(|(m, a)| metric_value(m, a.as_ref()))
        .collect()
}

pub fn page<'a>(site: &'a Site, stats: &'a Stats) -> StatsPage<'a> {
    let c = &site.config;
    let breakdowns = Breakdown::ALL
        .iter()
        .map(|&b| BreakdownView {
            key: b.name(),
            title: b.label_zh(),
            groups: stats
                .breakdown(b)
                .iter()
                .map(|g| group_view(c, g))
                .collect(),
        })
        .collect();
    StatsPage {
        reports: stats.reports,
        totals: totals(c, stats),
        sections: c
            .metrics
            .iter()
            .enumerate()
            .map(|(i, m)| MetricSection {
                metric: metric_value(m, stats.totals[i].as_ref()),
                charts: metric_charts(stats, i, m),
            })
            .collect(),
        breakdowns,
        subperiods: stats
            .by_subperiod
            .iter()
            .map(|g| group_view(c, g))
            .collect(),
        json_url: c.url("stats/stats.json"),
        csv_url: c.url("stats/stats.csv"),
    }
}

/// `unit_stats` on a unit page: its totals and year-by-year trend.
#[derive(Serialize)]
pub struct UnitStats<'a> {
    pub totals: Vec<MetricValue<'a>>,
    pub years: Vec<GroupView<'a>>,
    pub charts: Vec<Chart>,
}

pub fn unit<'a>(site: &'a Site, stats: &'a Stats, unit: usize) -> UnitStats<'a> {
    let c = &site.config;
    let g = &stats.by_unit[unit];
    let years = &stats.unit_years[unit];
    let mut charts = Vec::new();
    for (i, m) in c.metrics.iter().enumerate() {
        let bars: Vec<Bar> = years
            .iter()
            .filter_map(|y| y.values[i].as_ref().map(|a| bar(&y.label, a, &m.unit)))
            .collect();
        if bars.len() > 1 {
            let title = format!("{}：{}逐年变化（单位：{}）", g.label, m.label, m.unit);
            let desc = format!("柱状图，{}每年的{}。数据见下表。", g.label, m.label);
            charts.push(chart(
                title.clone(),
                charts::column_chart(&format!("chart-{}-{}", g.key, m.id), &title, &desc, &bars),
                &bars,
            ));
        }
    }
    UnitStats {
        totals: c
            .metrics
            .iter()
            .zip(&g.values)
            .filter(|(_, v)| v.is_some())
            .map(|(m, v)| metric_value(m, v.as_ref()))
            .collect(),
        years: years.iter().map(|y| group_view(c, y)).collect(),
        charts,
    }
}

/// Appends `d` as [`crate::content::number::format_decimal`] writes it (normalized, plain digits),
/// without the formatting machinery, in 64-bit arithmetic when it fits
/// (128-bit division is a library call per digit).
pub(super) fn push_decimal(out: &mut String, d: rust_decimal::Decimal) {
    let m = d.mantissa().unsigned_abs();
    let mut scale = d.scale() as usize;
    let mut buf = [0u8; 40];
    let mut at = buf.len();
    // Digits of `n`, last first, trailing fractional zeros dropped.
    macro_rules! digits {
        ($n:expr) => {{
            let mut n = $n;
            while scale > 0 && n % 10 == 0 {
                n /= 10;
                scale -= 1;
            }
            loop {
                at -= 1;
                buf[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
        }};
    }
    match u64::try_from(m) {
        Ok(n) => digits!(n),
        Err(_) => digits!(m),
    }
    // Negative zero is zero.
    if d.is_sign_negative() && m != 0 {
        out.push('-');
    }
    // ASCII digits.
    let digits = std::str::from_utf8(&buf[at..]).unwrap_or_default();
    if scale == 0 {
        out.push_str(digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::number::format_decimal;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn push_decimal_writes_what_format_decimal_does() {
        let mut values: Vec<Decimal> = [
            "0",
            "-0",
            "1",
            "10",
            "100",
            "0.5",
            "0.05",
            "0.005",
            "1.50",
            "1518.20",
            "-3.25",
            "123456789012345678901234567.8",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "30211582.49",
        ]
        .iter()
        .map(|s| Decimal::from_str(s).unwrap())
        .collect();
        values.push(Decimal::from_i128_with_scale(1200, 2));
        values.push(Decimal::from_i128_with_scale(-7, 28));
        values.push(Decimal::MAX);
        values.push(Decimal::MIN);
        for d in values {
            let mut s = String::new();
            push_decimal(&mut s, d);
            assert_eq!(s, format_decimal(d), "{d:?}");
        }
    }
}
