//! The exports: `/stats/stats.json` (also what `stats()` gives templates)
//! and `/stats/stats.csv`, both listing the report × metric rows. The rows
//! are written as text directly, with the texts many rows share escaped or
//! quoted once.

use super::views::{group_view, push_decimal, totals, GroupView};
use crate::config::Config;
use crate::site::stats::{Group, RowReport, Rows, Stats};
use crate::site::Site;
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize)]
struct Counts<'a> {
    reports: usize,
    reports_per_unit: Vec<(&'a str, usize)>,
    reports_per_type: Vec<(&'a str, usize)>,
    reports_per_year: Vec<(&'a str, usize)>,
    reports_per_tag: Vec<(&'a str, usize)>,
    articles_per_category: Vec<(&'a str, usize)>,
}

/// The value of `/stats/stats.json` (and of `stats()` in templates) with
/// the given `rows`: metrics, totals, every breakdown, counts. Keys come
/// out sorted (a `serde_json::Map` sorts them).
fn value_with_rows(site: &Site, stats: &Stats, rows: serde_json::Value) -> serde_json::Value {
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
        // What a metric is, not how prose names it (no `aliases`).
        "metrics": c.metrics.iter().map(|m| serde_json::json!({
            "id": m.id, "label": m.label, "unit": m.unit, "aggregate": m.aggregate,
        })).collect::<Vec<_>>(),
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

/// `/stats/stats.json` as text, pretty-printed. The part around the rows
/// (a few hundred groups) is a `serde_json::Value` printed; the rows,
/// nearly all of the text, are written straight into it with the texts
/// they share escaped once (the same bytes as printing them as values:
/// `tests::fast_exports_match_the_value_and_line_by_line_ones`).
pub fn json_text(site: &Site, stats: &Stats) -> String {
    json_text_around(site, stats, rows_text(&stats.rows)).0
}

/// Whether template source `text` may call `stats()`: `stats`, then
/// perhaps white space, then `(` (Tera allows the space), anywhere, in a
/// comment too. Pages of templates that do depend on the text, which
/// `serve` then keeps ([`json_reusing`]); no other template can read it.
pub(crate) fn calls_stats(text: &str) -> bool {
    text.match_indices("stats")
        .any(|(i, s)| text[i + s.len()..].trim_start().starts_with('('))
}

/// `stats.json` of one build: a key of everything its text shows (megabytes
/// at city scale: not made to be hashed), and the text once made. A build
/// makes it for the templates; `serve` only where it is written, unless a
/// template calls `stats()` ([`json_reusing`]).
pub struct StatsJson {
    /// [`rows_key`] and [`head_key`].
    keys: (u128, u64),
    text: std::sync::OnceLock<Arc<String>>,
}

impl StatsJson {
    /// The `stats.json` of `site` and `stats`, its text not made yet.
    pub fn of(site: &Site, stats: &Stats) -> StatsJson {
        StatsJson {
            keys: (rows_key(&stats.rows), head_key(site, stats)),
            text: Default::default(),
        }
    }

    /// Equal for equal texts (and unequal for some equal ones: a figure's
    /// scale): the version of what shows the figures.
    pub fn key(&self) -> u64 {
        let (rows, head) = self.keys;
        xxhash_rust::xxh3::xxh3_64_with_seed(&rows.to_le_bytes(), head)
    }

    /// The text, [`json_text`] of `site` and `stats` (the ones it is of),
    /// made on the first call.
    pub fn text(&self, site: &Site, stats: &Stats) -> &Arc<String> {
        self.text.get_or_init(|| Arc::new(json_text(site, stats)))
    }

    /// The text as the bytes of `stats/stats.json`: made for them alone
    /// (and dropped once written, not copied: 63 MB at 50k) when not made
    /// yet.
    pub fn bytes(&self, site: &Site, stats: &Stats) -> std::borrow::Cow<'_, [u8]> {
        match self.text.get() {
            Some(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
            None => std::borrow::Cow::Owned(json_text(site, stats).into_bytes()),
        }
    }

    /// The text if it is made.
    pub fn made_text(&self) -> Option<&Arc<String>> {
        self.text.get()
    }
}

/// [`StatsJson::of`] for `serve`'s render cache; with `keep_text` (some
/// template calls `stats()`, which reads the text on every build whose
/// pages it renders) made at once through `kept`: the last text while its
/// rows and the rest have the same keys, the last rows' text put around a
/// new rest when only that changed. Without, nothing is kept (50k: the
/// text is 63 MB).
pub(crate) fn json_reusing(
    site: &Site,
    stats: &Stats,
    kept: &mut StatsText,
    keep_text: bool,
) -> StatsJson {
    let json = StatsJson::of(site, stats);
    if !keep_text {
        kept.0 = None;
        return json;
    }
    let (rows, head) = json.keys;
    let (text, rows_at) = match &kept.0 {
        Some(k) if k.rows == rows && k.head == head => (k.text.clone(), k.rows_at.clone()),
        Some(k) if k.rows == rows => {
            let rows = &k.text[k.rows_at.clone()];
            let (t, at) = json_text_around(site, stats, (rows.len(), |o| o.push_str(rows)));
            (Arc::new(t), at)
        }
        _ => {
            let (t, at) = json_text_around(site, stats, rows_text(&stats.rows));
            (Arc::new(t), at)
        }
    };
    let _ = json.text.set(text.clone());
    kept.0 = Some(KeptText {
        rows,
        head,
        text,
        rows_at,
    });
    json
}

/// The last `stats.json` of a `serve` whose templates call `stats()` (its
/// render cache), so that an unchanged one is not made again.
#[derive(Default)]
pub struct StatsText(Option<KeptText>);

struct KeptText {
    /// [`rows_key`] of the rows it lists.
    rows: u128,
    /// [`head_key`] of what it shows around them.
    head: u64,
    text: Arc<String>,
    /// Where the rows' text is in `text`.
    rows_at: std::ops::Range<usize>,
}

/// A hash of all of `rows` that their text shows, and a little more:
/// slugs, units, metrics, each report's fields and figures, decimals by
/// their digits and scale (`1.0` is not `1.00`, stricter than the text).
fn rows_key(rows: &Rows) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    (&rows.slugs, &rows.units, &rows.metrics).hash(&mut h);
    h.write_usize(rows.reports.len());
    for r in &rows.reports {
        // Every field, by name: one added is hashed or does not compile.
        let RowReport {
            slug,
            unit,
            period,
            date,
            start,
            end,
        } = r;
        (slug, unit, period, date, start, end).hash(&mut h);
    }
    h.write_usize(rows.figures.len());
    for (m, f) in &rows.figures {
        h.write_usize(*m);
        h.write(&f.value.serialize());
        h.write_u8(u8::from(f.approx));
    }
    h.digest128()
}

/// A hash of all that [`value_with_rows`] reads but the rows: the
/// configuration it shows, every group and count, decimals by their
/// digits and scale (`1.0` is not `1.00`).
fn head_key(site: &Site, stats: &Stats) -> u64 {
    let c = &site.config;
    // The pieces end to end, each text after its length, hashed at once.
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    key_text(
        &mut buf,
        &format!("{:?}", (&c.title, &c.base_url, &c.base_path, &c.metrics)),
    );
    key_aggs(&mut buf, &stats.totals);
    for groups in [
        &stats.by_unit,
        &stats.by_type,
        &stats.by_year,
        &stats.by_subperiod,
        &stats.by_tag,
    ] {
        buf.extend_from_slice(&(groups.len() as u64).to_le_bytes());
        groups.iter().for_each(|g| key_group(&mut buf, g));
    }
    key_text(
        &mut buf,
        &format!("{:?} {}", stats.articles_per_category, stats.reports),
    );
    xxhash_rust::xxh3::xxh3_64(&buf)
}

/// A hash of the figures a unit's page shows ([`super::unit`]: its group
/// and its years), so that a figure edit renders again the pages of the
/// unit it is in, not of every unit (the configuration's metrics are in
/// every page's version).
pub(crate) fn unit_key(stats: &Stats, unit: usize) -> u64 {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    stats
        .by_unit
        .get(unit)
        .into_iter()
        .for_each(|g| key_group(&mut buf, g));
    let years = stats.unit_years.get(unit).map_or(&[][..], Vec::as_slice);
    buf.extend_from_slice(&(years.len() as u64).to_le_bytes());
    years.iter().for_each(|g| key_group(&mut buf, g));
    xxhash_rust::xxh3::xxh3_64(&buf)
}

/// A text for a key, after its length.
fn key_text(buf: &mut Vec<u8>, x: &str) {
    buf.extend_from_slice(&(x.len() as u64).to_le_bytes());
    buf.extend_from_slice(x.as_bytes());
}

/// Aggregates for a key, decimals by their digits and scale.
fn key_aggs(buf: &mut Vec<u8>, values: &[Option<crate::site::stats::Agg>]) {
    buf.extend_from_slice(&(values.len() as u64).to_le_bytes());
    for a in values {
        match a {
            None => buf.push(0),
            Some(a) => {
                buf.push(1 + u8::from(a.approx));
                buf.extend_from_slice(&a.value.serialize());
                buf.extend_from_slice(&(a.reports as u64).to_le_bytes());
            }
        }
    }
}

/// A group for a key: every field.
fn key_group(buf: &mut Vec<u8>, g: &Group) {
    let Group {
        key,
        label,
        path,
        reports,
        values,
    } = g;
    key_text(buf, key);
    key_text(buf, label);
    key_text(buf, path.as_deref().unwrap_or("\u{0}"));
    buf.extend_from_slice(&(*reports as u64).to_le_bytes());
    key_aggs(buf, values);
}

/// `stats.json` with the text `rows` writes (into the text, at most
/// about the bytes it says: no copy made first) as the value of `rows`,
/// and where that is.
fn json_text_around(
    site: &Site,
    stats: &Stats,
    (len, rows): (usize, impl FnOnce(&mut String)),
) -> (String, std::ops::Range<usize>) {
    let head = value_with_rows(site, stats, serde_json::Value::Array(Vec::new()));
    let head = serde_json::to_string_pretty(&head).unwrap_or_default();
    // Top-level keys are indented by two spaces, deeper ones by more, and
    // strings hold no raw line breaks: this occurs once.
    const AT: &str = "\n  \"rows\": []";
    let Some(at) = head.find(AT) else {
        return (head, 0..0);
    };
    let (before, after) = (&head[..at + AT.len() - 2], &head[at + AT.len()..]);
    let mut out = String::with_capacity(head.len() + len);
    out.push_str(before);
    rows(&mut out);
    let end = out.len();
    out.push_str(after);
    (out, before.len()..end)
}

/// The pretty-printed value of `rows` in `stats.json`, at the indentation
/// of a top-level key's value, as [`json_text_around`] takes it: an
/// estimate of its bytes and what appends it.
fn rows_text(rows: &Rows) -> (usize, impl FnOnce(&mut String) + '_) {
    // Rows take about 250 bytes; untouched capacity costs nothing.
    (rows.len() * 320 + 16, move |out: &mut String| {
        if rows.is_empty() {
            out.push_str("[]");
            return;
        }
        out.push('[');
        write_rows(rows, out);
        out.push_str("\n  ]");
    })
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::number::format_decimal;
    use std::path::Path;

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
        let value = value_with_rows(&site, &stats, rows_value(&stats.rows));
        let pretty = serde_json::to_string_pretty(&value).unwrap();
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
        // The sample site names a metric's aliases: stats.json does not.
        let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(check_exports(sample) > 0);
        let (site, stats) = model(sample);
        assert!(site.config.metrics.iter().any(|m| !m.aliases.is_empty()));
        let json: serde_json::Value = serde_json::from_str(&json_text(&site, &stats)).unwrap();
        for m in json["metrics"].as_array().unwrap() {
            let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["aggregate", "id", "label", "unit"]);
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
    fn templates_calling_stats_are_told() {
        for t in [
            "{{ stats() }}",
            "{% set s = stats\n  () %}",
            "{# stats( #}",
            "x.stats (",
        ] {
            assert!(calls_stats(t), "{t}");
        }
        for t in ["{{ stats }}", "stats.json", "{{ s.stats | length }} ()", ""] {
            assert!(!calls_stats(t), "{t}");
        }
    }

    /// The key (and the kept text) is the last one's only for rows that
    /// give the same text and the same rest: each change below gives
    /// another key and, kept, a text made again, identical to a fresh one;
    /// a text made where it is written is a fresh one's too.
    #[test]
    fn kept_stats_text_follows_every_input() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let (site, stats) = model(&fixtures.join("stats"));
        assert!(stats.rows.reports.len() > 1 && !stats.rows.is_empty());
        assert!(!stats.by_unit.is_empty() && stats.totals.iter().any(Option::is_some));
        let mut kept = StatsText::default();
        // The key, and the kept text (checked fresh, as the bytes are).
        let text = |site: &Site, stats: &Stats, kept: &mut StatsText| {
            let fresh = json_text(site, stats);
            let not_kept = json_reusing(site, stats, &mut StatsText::default(), false);
            assert!(not_kept.made_text().is_none());
            assert_eq!(*not_kept.bytes(site, stats), *fresh.as_bytes());
            let json = json_reusing(site, stats, kept, true);
            let t = json.made_text().expect("kept text made").clone();
            assert!(*t == fresh, "not a fresh text");
            assert_eq!(*json.bytes(site, stats), *fresh.as_bytes());
            assert_eq!(json.key(), not_kept.key());
            (json.key(), t)
        };
        let (key, first) = text(&site, &stats, &mut kept);
        let again = text(&site, &stats, &mut kept);
        assert!(again.0 == key && Arc::ptr_eq(&again.1, &first));
        type Change = Box<dyn Fn(&mut Site, &mut Stats)>;
        let rows = |f: fn(&mut Rows)| -> Change { Box::new(move |_, s| f(&mut s.rows)) };
        let changes: Vec<Change> = vec![
            rows(|r| {
                let v = &mut r.figures[0].1.value;
                v.rescale(v.scale() + 1);
            }),
            rows(|r| r.figures[0].1.approx = !r.figures[0].1.approx),
            rows(|r| r.figures[0].0 = (r.figures[0].0 + 1) % r.metrics.len()),
            rows(|r| r.slugs.insert(0, 'x')),
            rows(|r| r.units[0].1.push('x')),
            rows(|r| r.metrics[0].1.push('x')),
            rows(|r| r.reports[0].date.day = r.reports[0].date.day % 27 + 1),
            rows(|r| r.reports[0].period = crate::content::Period::Year(1999)),
            rows(|r| r.reports[0].end = r.reports[0].start),
            rows(|r| r.reports.swap(0, 1)),
            Box::new(|site, _| site.config.title.push('x')),
            Box::new(|site, _| site.config.base_path.push_str("x/")),
            Box::new(|site, _| site.config.metrics[0].unit.push('x')),
            Box::new(|_, s| {
                let t = s.totals.iter_mut().flatten().next().unwrap();
                t.value.rescale(t.value.scale() + 1);
            }),
            Box::new(|_, s| s.by_unit[0].label.push('x')),
            Box::new(|_, s| s.by_unit[0].path = Some("elsewhere/".into())),
            Box::new(|_, s| s.by_unit[0].reports += 1),
            Box::new(|_, s| s.by_type.push(s.by_unit[0].clone())),
            Box::new(|_, s| s.by_tag.push(s.by_unit[0].clone())),
            Box::new(|_, s| s.by_year.push(s.by_unit[0].clone())),
            Box::new(|_, s| s.by_subperiod.push(s.by_unit[0].clone())),
            Box::new(|_, s| s.articles_per_category.push(("类".into(), 1))),
            Box::new(|_, s| s.reports += 1),
        ];
        for (i, change) in changes.iter().enumerate() {
            let (mut site2, mut stats2) = (model(&fixtures.join("stats")).0, stats.clone());
            change(&mut site2, &mut stats2);
            // Made again (equal to a fresh text, `text` checks), even
            // where the text is the same (a figure's scale).
            let before = text(&site, &stats, &mut kept);
            assert!(before.0 == key && *before.1 == *first);
            let same = text(&site, &stats, &mut kept);
            assert!(Arc::ptr_eq(&same.1, &before.1));
            let changed = text(&site2, &stats2, &mut kept);
            assert!(changed.0 != key, "change {i} not noticed");
            assert!(!Arc::ptr_eq(&changed.1, &before.1), "change {i}: text kept");
        }
    }
}
