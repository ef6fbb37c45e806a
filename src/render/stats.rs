//! Statistics for readers and machines: the views the /stats/ page, unit
//! pages and the home page show (with their SVG charts), the exports
//! `/stats/stats.json` and `/stats/stats.csv`, and the text the
//! `jianbao stats` command prints. Reads the one aggregation pass.

use crate::config::{Aggregate, Config, Metric};
use crate::content::number::format_decimal;
use crate::render::charts::{self, Bar};
use crate::site::stats::{Agg, Breakdown, Group, Rows, Stats};
use crate::site::Site;
use serde::Serialize;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

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

fn metric_value<'a>(m: &'a Metric, a: Option<&Agg>) -> MetricValue<'a> {
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

fn group_view<'a>(c: &'a Config, g: &'a Group) -> GroupView<'a> {
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

#[derive(Serialize)]
struct Counts<'a> {
    reports: usize,
    reports_per_unit: Vec<(&'a str, usize)>,
    reports_per_type: Vec<(&'a str, usize)>,
    reports_per_year: Vec<(&'a str, usize)>,
    reports_per_tag: Vec<(&'a str, usize)>,
    articles_per_category: Vec<(&'a str, usize)>,
}

/// The value of `/stats/stats.json` (and of `stats()` in templates): metrics,
/// totals, every breakdown, counts and rows.
pub fn json(site: &Site, stats: &Stats) -> serde_json::Value {
    json_value(site, stats, rows_value(&stats.rows))
}

/// [`json`] with the given `rows`.
fn json_value(site: &Site, stats: &Stats, rows: serde_json::Value) -> serde_json::Value {
    let c = &site.config;
    fn gv<'a>(c: &'a Config, gs: &'a [Group]) -> Vec<GroupView<'a>> {
        gs.iter().map(|g| group_view(c, g)).collect()
    }
    fn counts(gs: &[Group]) -> Vec<(&str, usize)> {
        gs.iter().map(|g| (g.key.as_str(), g.reports)).collect()
    }
    let mut v = serde_json::json!({
        "generator": concat!("jianbao ", env!("CARGO_PKG_VERSION")),
        "site": { "title": c.title, "base_url": c.base_url },
        "metrics": c.metrics,
        "totals": totals(c, stats),
        "by_unit": gv(c, &stats.by_unit),
        "by_type": gv(c, &stats.by_type),
        "by_period": gv(c, &stats.by_year),
        "by_subperiod": gv(c, &stats.by_subperiod),
        "by_tag": gv(c, &stats.by_tag),
        "counts": Counts {
            reports: stats.reports,
            reports_per_unit: counts(&stats.by_unit),
            reports_per_type: counts(&stats.by_type),
            reports_per_year: counts(&stats.by_year),
            reports_per_tag: counts(&stats.by_tag),
            articles_per_category: stats.articles_per_category.iter().map(|(n, k)| (n.as_str(), *k)).collect(),
        },
    });
    // Inserted as is: `json!` would serialize it into a copy.
    if let Some(o) = v.as_object_mut() {
        o.insert("rows".into(), rows);
    }
    v
}

/// The keys of a row object, as `serde_json::Map` orders them (sorted).
const ROW_KEYS: [&str; 10] = [
    "approx",
    "date",
    "label",
    "metric_id",
    "period",
    "report_slug",
    "unit_id",
    "unit_name",
    "unit_type",
    "value",
];

/// `rows` of `/stats/stats.json` as a value: one object per row, built
/// directly (not through a serializer).
fn rows_value(rows: &Rows) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut all = Vec::with_capacity(rows.len());
    for r in &rows.reports {
        let (unit_id, unit_name, unit_type) = &rows.units[r.unit];
        let date = r.date.ymd();
        let period = r.period.to_string();
        for (m, f) in &rows.figures[r.start..r.end] {
            let (metric_id, label) = &rows.metrics[*m];
            let values = [
                Value::Bool(f.approx),
                Value::String(date.clone()),
                Value::String(label.clone()),
                Value::String(metric_id.clone()),
                Value::String(period.clone()),
                Value::String(rows.slug(r).to_string()),
                Value::String(unit_id.clone()),
                Value::String(unit_name.clone()),
                Value::String(unit_type.clone()),
                Value::String(format_decimal(f.value)),
            ];
            // Keys in order: built in one go, not searched for one by one.
            let o: Map<String, Value> =
                ROW_KEYS.iter().map(|k| k.to_string()).zip(values).collect();
            all.push(Value::Object(o));
        }
    }
    Value::Array(all)
}

/// `/stats/stats.json` as text: the same bytes as pretty-printing
/// [`json`], several times faster. Nothing goes through a
/// `serde_json::Value`: the part around the rows is serialized from
/// structs whose fields are in the order a `Value` sorts keys into, and
/// the rows, nearly all of the text, are written straight into the output
/// with the texts they share escaped once.
pub fn json_text(site: &Site, stats: &Stats) -> String {
    let head = serde_json::to_string_pretty(&export_head(site, stats)).unwrap_or_default();
    // Top-level keys are indented by two spaces, deeper ones by more, and
    // strings hold no raw line breaks: this occurs once.
    const AT: &str = "\n  \"rows\": []";
    let Some(at) = head.find(AT) else {
        return head;
    };
    let (before, after) = (&head[..at + AT.len() - 2], &head[at + AT.len()..]);
    let rows = &stats.rows;
    // Rows take about 250 bytes; untouched capacity costs nothing.
    let mut out = String::with_capacity(head.len() + rows.len() * 320 + 16);
    out.push_str(before);
    if rows.is_empty() {
        out.push_str("[]");
    } else {
        out.push('[');
        write_rows(rows, &mut out);
        out.push_str("\n  ]");
    }
    out.push_str(after);
    out
}

/// A metric's aggregate, fields in sorted order (see [`json_text`]).
#[derive(Serialize)]
struct SortedMetricValue<'a> {
    aggregate: &'static str,
    aggregate_label: &'static str,
    approx: bool,
    display: String,
    id: &'a str,
    label: &'a str,
    number: Option<f64>,
    reports: usize,
    unit: &'a str,
    value: Option<String>,
}

impl<'a> From<MetricValue<'a>> for SortedMetricValue<'a> {
    fn from(v: MetricValue<'a>) -> Self {
        SortedMetricValue {
            aggregate: v.aggregate,
            aggregate_label: v.aggregate_label,
            approx: v.approx,
            display: v.display,
            id: v.id,
            label: v.label,
            number: v.number,
            reports: v.reports,
            unit: v.unit,
            value: v.value,
        }
    }
}

#[derive(Serialize)]
struct SortedGroup<'a> {
    key: &'a str,
    label: &'a str,
    reports: usize,
    url: Option<String>,
    values: Vec<SortedMetricValue<'a>>,
}

#[derive(Serialize)]
struct SortedMetric<'a> {
    aggregate: crate::config::Aggregate,
    id: &'a str,
    label: &'a str,
    unit: &'a str,
}

#[derive(Serialize)]
struct SortedCounts<'a> {
    articles_per_category: Vec<(&'a str, usize)>,
    reports: usize,
    reports_per_tag: Vec<(&'a str, usize)>,
    reports_per_type: Vec<(&'a str, usize)>,
    reports_per_unit: Vec<(&'a str, usize)>,
    reports_per_year: Vec<(&'a str, usize)>,
}

#[derive(Serialize)]
struct SortedSite<'a> {
    base_url: &'a str,
    title: &'a str,
}

/// [`json`] with empty `rows`, fields in sorted order.
#[derive(Serialize)]
struct ExportHead<'a> {
    by_period: Vec<SortedGroup<'a>>,
    by_subperiod: Vec<SortedGroup<'a>>,
    by_tag: Vec<SortedGroup<'a>>,
    by_type: Vec<SortedGroup<'a>>,
    by_unit: Vec<SortedGroup<'a>>,
    counts: SortedCounts<'a>,
    generator: &'static str,
    metrics: Vec<SortedMetric<'a>>,
    rows: [(); 0],
    site: SortedSite<'a>,
    totals: Vec<SortedMetricValue<'a>>,
}

fn export_head<'a>(site: &'a Site, stats: &'a Stats) -> ExportHead<'a> {
    let c = &site.config;
    let groups = |gs: &'a [Group]| -> Vec<SortedGroup<'a>> {
        gs.iter()
            .map(|g| {
                let v = group_view(c, g);
                SortedGroup {
                    key: v.key,
                    label: v.label,
                    reports: v.reports,
                    url: v.url,
                    values: v.values.into_iter().map(Into::into).collect(),
                }
            })
            .collect()
    };
    let counts = |gs: &'a [Group]| -> Vec<(&'a str, usize)> {
        gs.iter().map(|g| (g.key.as_str(), g.reports)).collect()
    };
    ExportHead {
        by_period: groups(&stats.by_year),
        by_subperiod: groups(&stats.by_subperiod),
        by_tag: groups(&stats.by_tag),
        by_type: groups(&stats.by_type),
        by_unit: groups(&stats.by_unit),
        counts: SortedCounts {
            articles_per_category: stats
                .articles_per_category
                .iter()
                .map(|(n, k)| (n.as_str(), *k))
                .collect(),
            reports: stats.reports,
            reports_per_tag: counts(&stats.by_tag),
            reports_per_type: counts(&stats.by_type),
            reports_per_unit: counts(&stats.by_unit),
            reports_per_year: counts(&stats.by_year),
        },
        generator: concat!("jianbao ", env!("CARGO_PKG_VERSION")),
        metrics: c
            .metrics
            .iter()
            .map(|m| SortedMetric {
                aggregate: m.aggregate,
                id: &m.id,
                label: &m.label,
                unit: &m.unit,
            })
            .collect(),
        rows: [],
        site: SortedSite {
            base_url: &c.base_url,
            title: &c.title,
        },
        totals: totals(c, stats).into_iter().map(Into::into).collect(),
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Appends `d` as [`format_decimal`] writes it (normalized, plain digits),
/// without the formatting machinery, in 64-bit arithmetic when it fits
/// (128-bit division is a library call per digit).
fn push_decimal(out: &mut String, d: rust_decimal::Decimal) {
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

/// Appends the pretty-printed rows, at the indentation of a top-level
/// value's elements, each row but the first preceded by `,`.
fn write_rows(rows: &Rows, out: &mut String) {
    // Per metric: its label and id; per unit: its fields; per report: its
    // date, then period, slug and unit. Texts between fields included.
    let metrics: Vec<String> = rows
        .metrics
        .iter()
        .map(|(id, label)| {
            format!(
                ",\n      \"label\": {},\n      \"metric_id\": {}",
                json_str(label),
                json_str(id)
            )
        })
        .collect();
    let units: Vec<String> = rows
        .units
        .iter()
        .map(|(id, name, kind)| {
            format!(
                ",\n      \"unit_id\": {},\n      \"unit_name\": {},\n      \"unit_type\": {}",
                json_str(id),
                json_str(name),
                json_str(kind)
            )
        })
        .collect();
    let mut date = String::new();
    let mut tail = String::new();
    let mut first = true;
    for r in &rows.reports {
        date.clear();
        date.push_str(",\n      \"date\": ");
        date.push_str(&json_str(&r.date.ymd()));
        tail.clear();
        tail.push_str(",\n      \"period\": ");
        tail.push_str(&json_str(&r.period.to_string()));
        tail.push_str(",\n      \"report_slug\": ");
        tail.push_str(&json_str(rows.slug(r)));
        tail.push_str(&units[r.unit]);
        tail.push_str(",\n      \"value\": \"");
        for (m, f) in &rows.figures[r.start..r.end] {
            out.push_str(match (first, f.approx) {
                (true, false) => "\n    {\n      \"approx\": false",
                (true, true) => "\n    {\n      \"approx\": true",
                (false, false) => ",\n    {\n      \"approx\": false",
                (false, true) => ",\n    {\n      \"approx\": true",
            });
            first = false;
            out.push_str(&date);
            out.push_str(&metrics[*m]);
            out.push_str(&tail);
            // A decimal's text (digits, `.`, `-`) needs no escaping.
            push_decimal(out, f.value);
            out.push_str("\"\n    }");
        }
    }
}

/// The CSV header of the exports (SPEC.md's columns, in order).
pub const CSV_HEADER: &str =
    "report_slug,unit_id,unit_name,unit_type,period,date,metric_id,label,value,approx";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn csv_line(fields: &[&str]) -> String {
    let mut l = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    l.push_str("\r\n");
    l
}

/// `/stats/stats.csv`: UTF-8 with BOM (Excel reads Chinese correctly), one
/// row per report × metric. Written directly, with the fields rows share
/// quoted once.
pub fn csv(stats: &Stats) -> String {
    let rows = &stats.rows;
    let units: Vec<String> = rows
        .units
        .iter()
        .map(|(id, name, kind)| [csv_field(id), csv_field(name), csv_field(kind)].join(","))
        .collect();
    let metrics: Vec<String> = rows
        .metrics
        .iter()
        .map(|(id, label)| [csv_field(id), csv_field(label)].join(","))
        .collect();
    // Rows take about 70 bytes; untouched capacity costs nothing.
    let mut out = String::with_capacity(CSV_HEADER.len() + 5 + rows.len() * 100);
    out.push('\u{feff}');
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    let mut head = String::new();
    for r in &rows.reports {
        // slug,unit_id,unit_name,unit_type,period,date,
        head.clear();
        head.push_str(&csv_field(rows.slug(r)));
        head.push(',');
        head.push_str(&units[r.unit]);
        head.push(',');
        head.push_str(&csv_field(&r.period.to_string()));
        head.push(',');
        head.push_str(&csv_field(&r.date.ymd()));
        head.push(',');
        for (m, f) in &rows.figures[r.start..r.end] {
            out.push_str(&head);
            out.push_str(&metrics[*m]);
            // A decimal's text (digits, `.`, `-`) needs no quoting.
            out.push(',');
            push_decimal(&mut out, f.value);
            out.push_str(if f.approx { ",true\r\n" } else { ",false\r\n" });
        }
    }
    out
}

/// Output formats of `jianbao stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

pub(crate) fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

pub(crate) fn table(header: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join("  ").trim_end().to_string();
    out.push_str(&line(
        header
            .iter()
            .enumerate()
            .map(|(i, h)| pad(h, widths[i], right[i]))
            .collect(),
    ));
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(
            r.iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i], right[i]))
                .collect(),
        ));
        out.push('\n');
    }
    out
}

/// What `jianbao stats` prints: totals per metric, or one row per group × metric.
pub fn command_output(site: &Site, stats: &Stats, by: Option<Breakdown>, format: Format) -> String {
    let c = &site.config;
    // (group, value) rows; totals have no group and list every metric.
    let rows: Vec<(Option<&Group>, MetricValue)> = match by {
        None => totals(c, stats).into_iter().map(|v| (None, v)).collect(),
        Some(b) => stats
            .breakdown(b)
            .iter()
            .flat_map(|g| {
                c.metrics
                    .iter()
                    .zip(&g.values)
                    .filter(|(_, v)| v.is_some())
                    .map(move |(m, v)| (Some(g), metric_value(m, v.as_ref())))
            })
            .collect(),
    };
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct J<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                group: Option<&'a str>,
                #[serde(skip_serializing_if = "Option::is_none")]
                group_label: Option<&'a str>,
                #[serde(flatten)]
                value: &'a MetricValue<'a>,
            }
            let list: Vec<J> = rows
                .iter()
                .map(|(g, v)| J {
                    group: g.map(|g| g.key.as_str()),
                    group_label: g.map(|g| g.label.as_str()),
                    value: v,
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default()
        }
        Format::Csv => {
            let head = [
                "metric_id",
                "label",
                "unit",
                "aggregate",
                "value",
                "approx",
                "reports",
            ];
            let group_head: &[&str] = if by.is_some() {
                &["group", "group_label"]
            } else {
                &[]
            };
            let mut out = csv_line(&[group_head, &head[..]].concat());
            for (g, v) in &rows {
                let reports = v.reports.to_string();
                let group: Vec<&str> = g
                    .map(|g| vec![g.key.as_str(), g.label.as_str()])
                    .unwrap_or_default();
                let fields = [
                    v.id,
                    v.label,
                    v.unit,
                    v.aggregate,
                    v.value.as_deref().unwrap_or(""),
                    if v.approx { "true" } else { "false" },
                    &reports,
                ];
                out.push_str(&csv_line(&[&group[..], &fields[..]].concat()));
            }
            out
        }
        Format::Table => {
            let t: Vec<Vec<String>> = rows
                .iter()
                .map(|(g, v)| {
                    let first = g
                        .map(|g| g.label.clone())
                        .unwrap_or_else(|| v.id.to_string());
                    vec![
                        first,
                        v.label.to_string(),
                        v.aggregate_label.to_string(),
                        v.display.clone(),
                        v.unit.to_string(),
                        v.reports.to_string(),
                    ]
                })
                .collect();
            let head = match by {
                None => "id",
                Some(Breakdown::Unit) => "单位",
                Some(Breakdown::Type) => "单位类型",
                Some(Breakdown::Period) => "年度",
                Some(Breakdown::Tag) => "标签",
            };
            let mut out = table(
                &[head, "指标", "汇总", "数值", "单位", "报告数"],
                &t,
                &[false, false, false, true, false, true],
            );
            if by.is_none() {
                let _ = writeln!(out, "共 {} 篇工作总结", stats.reports);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::path::Path;
    use std::str::FromStr;

    fn model(root: &Path) -> (Site, Stats) {
        let config = crate::config::Config::load(root, None).expect("config");
        let (content, diags) = crate::content::load(root, &config, Default::default());
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        let (site, diags) = Site::build(config, content, &crate::render::reserved());
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        let stats = Stats::compute(&site);
        (site, stats)
    }

    /// The CSV as one line per row, the way it was first written.
    fn csv_by_lines(stats: &Stats) -> String {
        let mut out = String::from("\u{feff}");
        out.push_str(CSV_HEADER);
        out.push_str("\r\n");
        for r in &stats.rows {
            out.push_str(&csv_line(&[
                r.report_slug,
                r.unit_id,
                r.unit_name,
                r.unit_type,
                &r.period.to_string(),
                &r.date.ymd(),
                r.metric_id,
                r.label,
                &format_decimal(r.figure.value),
                if r.figure.approx { "true" } else { "false" },
            ]));
        }
        out
    }

    /// Returns the number of rows.
    fn check_exports(root: &Path) -> usize {
        let (site, stats) = model(root);
        let pretty = serde_json::to_string_pretty(&json(&site, &stats)).unwrap();
        assert_eq!(json_text(&site, &stats), pretty, "{}", root.display());
        assert_eq!(csv(&stats), csv_by_lines(&stats), "{}", root.display());
        stats.rows.len()
    }

    #[test]
    fn fast_exports_match_the_value_and_line_by_line_ones() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for name in ["basic", "no-registry", "unicode-slugs", "search-site"] {
            check_exports(&fixtures.join(name));
        }
        // Texts that need escaping and quoting; no reports at all.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        assert!(check_exports(&fixtures.join("stats")) > 0);
        write(
            "site.yaml",
            "title: 'A \"quoted\", \\ title'\nbase_url: https://example.gov.cn/\nmetrics:\n  - id: n\n    label: 'count, \"all\"'\n    unit: 个\n    aggregate: sum\n",
        );
        assert_eq!(check_exports(root), 0);
        write(
            "content/reports/a.md",
            "---\ntitle: A\nunit: '镇, \"甲\" \\ x'\ndate: 2024-01-02\nperiod: 2024-Q1\nslug: a-1\ntags: ['t,1', 'T,1']\nstats:\n  n: 3.50\n---\nbody\n",
        );
        write(
            "content/reports/b.md",
            "---\ntitle: B\nunit: 乙\ndate: 2024-01-02\nperiod: 2024\nstats:\n  n: 0.000001多\n---\nbody\n",
        );
        assert_eq!(check_exports(root), 2);
    }

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
