//! Statistics end to end: build the `stats` fixture with the real binary and
//! compare totals and breakdowns in stats.json, stats.csv, the `stats`
//! command and the HTML with figures computed here, independently, from the
//! fixture's front matter (万/亿/多/余, every aggregate kind, drafts).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jianbao");

fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stats"),
        &dst,
    );
    (tmp, dst)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn run(root: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("LANG", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A figure in hundredths, and whether it is a lower bound — parsed here
/// without jianbao's code.
fn parse(v: &yaml::Value) -> (i128, bool) {
    let s = match v {
        yaml::Value::Number(n) => n.to_string(),
        yaml::Value::String(s) => s.clone(),
        other => panic!("unexpected {other:?}"),
    };
    let approx = s.ends_with('多') || s.ends_with('余');
    let s = s.trim_end_matches(['多', '余']);
    let (s, mul) = if let Some(x) = s.strip_suffix('万') {
        (x, 10_000)
    } else if let Some(x) = s.strip_suffix('亿') {
        (x, 100_000_000)
    } else {
        (s, 1)
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<2}");
    let hundredths: i128 = int.parse::<i128>().unwrap() * 100 + frac[..2].parse::<i128>().unwrap();
    (hundredths * mul, approx)
}

fn text(h: i128) -> String {
    let (i, f) = (h / 100, h % 100);
    match f {
        0 => i.to_string(),
        f if f % 10 == 0 => format!("{i}.{}", f / 10),
        f => format!("{i}.{f:02}"),
    }
}

struct Report {
    unit: String,
    date: String,
    year: String,
    tags: Vec<String>,
    stats: BTreeMap<String, (i128, bool)>,
}

/// Reads the fixture's reports; stats keys normalised to metric ids.
fn reports(root: &Path, drafts: bool) -> Vec<Report> {
    let cfg: yaml::Value =
        yaml::from_str(&std::fs::read_to_string(root.join("site.yaml")).unwrap()).unwrap();
    let mut id_of = BTreeMap::new();
    for m in cfg["metrics"].as_sequence().unwrap() {
        let id = m["id"].as_str().unwrap().to_string();
        id_of.insert(m["label"].as_str().unwrap().to_string(), id.clone());
        id_of.insert(id.clone(), id);
    }
    let units: BTreeMap<&str, &str> = [
        ("甲镇", "town-a"),
        ("甲镇人民政府", "town-a"),
        ("school-b", "school-b"),
        ("乙小学", "school-b"),
    ]
    .into();
    let mut out = Vec::new();
    for e in std::fs::read_dir(root.join("content/reports")).unwrap() {
        let t = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let fm = t.split("---\n").nth(1).unwrap();
        let v: yaml::Value = yaml::from_str(fm).unwrap();
        if v["draft"].as_bool() == Some(true) && !drafts {
            continue;
        }
        let date = v["date"].as_str().unwrap().to_string();
        let date = if date.contains('年') {
            let (y, r) = date.split_once('年').unwrap();
            let (m, d) = r.trim_end_matches('日').split_once('月').unwrap();
            format!("{y}-{:0>2}-{:0>2}", m, d)
        } else {
            date
        };
        let year = match &v["period"] {
            yaml::Value::Null => date[..4].to_string(),
            p => yaml::to_string(p).unwrap().trim()[..4].to_string(),
        };
        let stats = v["stats"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(k, val)| (id_of[k.as_str().unwrap()].clone(), parse(val)))
            .collect();
        let tags = v["tags"]
            .as_sequence()
            .map(|s| s.iter().map(|t| t.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        out.push(Report {
            unit: units[v["unit"].as_str().unwrap()].to_string(),
            date,
            year,
            tags,
            stats,
        });
    }
    out
}

/// (value text, approx) of `metric` over `rs` with the aggregate kind.
fn aggregate(rs: &[&Report], metric: &str, how: &str) -> Option<(String, bool)> {
    let vals: Vec<(&Report, (i128, bool))> = rs
        .iter()
        .filter_map(|r| r.stats.get(metric).map(|v| (*r, *v)))
        .collect();
    if vals.is_empty() {
        return None;
    }
    let any = vals.iter().any(|(_, v)| v.1);
    Some(match how {
        "sum" => (text(vals.iter().map(|(_, v)| v.0).sum()), any),
        "max" => vals
            .iter()
            .map(|(_, v)| *v)
            .max_by_key(|v| v.0)
            .map(|v| (text(v.0), v.1))
            .unwrap(),
        "min" => vals
            .iter()
            .map(|(_, v)| *v)
            .min_by_key(|v| v.0)
            .map(|v| (text(v.0), v.1))
            .unwrap(),
        "latest" => vals
            .iter()
            .max_by_key(|(r, _)| r.date.clone())
            .map(|(_, v)| (text(v.0), v.1))
            .unwrap(),
        "avg" => {
            let sum: i128 = vals.iter().map(|(_, v)| v.0).sum();
            let n = vals.len() as i128;
            (text((sum * 2 + n) / (2 * n)), any) // rounded half up to hundredths
        }
        _ => unreachable!(),
    })
}

const METRICS: [(&str, &str); 6] = [
    ("garbage", "sum"),
    ("funds", "sum"),
    ("rate", "avg"),
    ("peak", "max"),
    ("low", "min"),
    ("students", "latest"),
];

fn json_value(v: &serde_json::Value) -> Option<(String, bool)> {
    v["value"]
        .as_str()
        .map(|s| (s.to_string(), v["approx"].as_bool().unwrap()))
}

#[test]
fn totals_and_breakdowns_match_front_matter() {
    let (_tmp, root) = fixture_copy();
    run(&root, &["build"]);
    let rs = reports(&root, false);
    assert_eq!(rs.len(), 4, "the draft must not count");
    let all: Vec<&Report> = rs.iter().collect();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("public/stats/stats.json")).unwrap(),
    )
    .unwrap();

    for (i, (id, how)) in METRICS.iter().enumerate() {
        let t = &json["totals"][i];
        assert_eq!(t["id"], *id);
        assert_eq!(json_value(t), aggregate(&all, id, how), "total of {id}");
    }
    // Exact decimals: 600 + 1518.20 + 0.1 + 2024 stays 4142.3.
    assert_eq!(json["totals"][0]["value"], "4142.3");

    for g in json["by_unit"].as_array().unwrap() {
        let members: Vec<&Report> = rs
            .iter()
            .filter(|r| r.unit == g["key"].as_str().unwrap())
            .collect();
        assert_eq!(g["reports"].as_u64().unwrap() as usize, members.len());
        for (i, (id, how)) in METRICS.iter().enumerate() {
            assert_eq!(
                json_value(&g["values"][i]),
                aggregate(&members, id, how),
                "unit {} {id}",
                g["key"]
            );
        }
    }
    for g in json["by_period"].as_array().unwrap() {
        let members: Vec<&Report> = rs
            .iter()
            .filter(|r| r.year == g["key"].as_str().unwrap())
            .collect();
        for (i, (id, how)) in METRICS.iter().enumerate() {
            assert_eq!(
                json_value(&g["values"][i]),
                aggregate(&members, id, how),
                "year {} {id}",
                g["key"]
            );
        }
    }
    for g in json["by_tag"].as_array().unwrap() {
        let name = g["label"].as_str().unwrap();
        let members: Vec<&Report> = rs
            .iter()
            .filter(|r| r.tags.iter().any(|t| t == name))
            .collect();
        assert!(!members.is_empty());
        for (i, (id, how)) in METRICS.iter().enumerate() {
            assert_eq!(
                json_value(&g["values"][i]),
                aggregate(&members, id, how),
                "tag {name} {id}"
            );
        }
    }
    let types: Vec<&str> = json["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["乡镇", "学校"]);
    assert_eq!(json["by_subperiod"][0]["key"], "2024-H1");

    // CSV: BOM, SPEC's columns, one row per report × metric.
    let csv = std::fs::read_to_string(root.join("public/stats/stats.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "report_slug,unit_id,unit_name,unit_type,period,date,metric_id,label,value,approx"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), rs.iter().map(|r| r.stats.len()).sum::<usize>());
    let garbage: i128 = rows
        .iter()
        .filter(|r| r[6] == "garbage")
        .map(|r| parse(&yaml::Value::String(r[8].to_string())).0)
        .sum();
    assert_eq!(text(garbage), "4142.3");
    assert!(rows
        .iter()
        .any(|r| r[0] == "a-2023" && r[6] == "garbage" && r[8] == "600" && r[9] == "true"));
    assert!(rows
        .iter()
        .any(|r| r[0] == "a-2024" && r[4] == "2024-H1" && r[5] == "2024-07-05"));

    // The page shows the same figures.
    let html = std::fs::read_to_string(root.join("public/stats/index.html")).unwrap();
    assert!(
        html.contains("4142.3余"),
        "stats page lacks the garbage total"
    );
    assert!(html.contains("<svg class=\"chart\""), "no chart");
    assert!(html.contains("<title id=\"chart-garbage-units-t\">"));
    let unit = std::fs::read_to_string(root.join("public/units/town-a/index.html")).unwrap();
    let (g, a) = aggregate(
        &rs.iter().filter(|r| r.unit == "town-a").collect::<Vec<_>>(),
        "garbage",
        "sum",
    )
    .unwrap();
    assert!(
        unit.contains(&format!("{g}{}", if a { "余" } else { "" })),
        "unit page lacks its total {g}"
    );
    let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(
        home.contains("4142.3余"),
        "home page lacks headline figures"
    );
}

#[test]
fn drafts_count_only_with_drafts() {
    let (_tmp, root) = fixture_copy();
    let out = run(&root, &["stats", "--format", "json", "--drafts"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rs = reports(&root, true);
    assert_eq!(rs.len(), 5);
    let all: Vec<&Report> = rs.iter().collect();
    for (i, (id, how)) in METRICS.iter().enumerate() {
        assert_eq!(
            json_value(&v[i]),
            aggregate(&all, id, how),
            "{id} with drafts"
        );
    }
    assert_eq!(
        v[5]["value"], "1",
        "latest takes the newest report (the draft)"
    );
}

#[test]
fn stats_command_formats() {
    let (_tmp, root) = fixture_copy();
    let rs = reports(&root, false);
    let table = run(&root, &["stats"]);
    assert!(
        table.contains("清理垃圾") && table.contains("4142.3余"),
        "{table}"
    );
    let csv = run(&root, &["stats", "--by", "unit", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "group,group_label,metric_id,label,unit,aggregate,value,approx,reports"
    );
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let members: Vec<&Report> = rs.iter().filter(|r| r.unit == f[0]).collect();
        let how = METRICS.iter().find(|(id, _)| *id == f[2]).unwrap().1;
        let (v, a) = aggregate(&members, f[2], how).unwrap();
        assert_eq!(
            (f[6], f[7]),
            (v.as_str(), if a { "true" } else { "false" }),
            "{l}"
        );
    }
    let by_period = run(&root, &["stats", "--by", "period", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&by_period).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["group"] == "2023" || r["group"] == "2024"));
    // Columns line up for CJK text: every data row has the same display width.
    let widths: Vec<usize> = run(&root, &["stats", "--by", "type"])
        .lines()
        .skip(2)
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .collect();
    assert!(
        widths
            .windows(2)
            .all(|w| w[0] == w[1] || w[0].abs_diff(w[1]) < 40),
        "{widths:?}"
    );
    let bad = Command::new(BIN)
        .args(["stats", "--by", "bogus", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn check_warns_when_text_and_stats_disagree() {
    let (_tmp, root) = fixture_copy();
    let p = root.join("content/reports/a-2023.md");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replace("清理垃圾600多吨", "清理垃圾700吨");
    std::fs::write(&p, t).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--root"])
        .arg(&root)
        .env("LANG", "C")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "a warning must not fail check: {err}");
    assert!(err.contains("content/reports/a-2023.md:13:3: warning: the text says 清理垃圾 700吨, but `stats:` has 清理垃圾 600余吨 (line 7)"), "{err}");
    let out = Command::new(BIN)
        .args(["check", "--root"])
        .arg(&root)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("警告：正文写的是清理垃圾700吨"));
}

#[test]
fn bad_figures_are_located_errors() {
    let (_tmp, root) = fixture_copy();
    let p = root.join("content/reports/b-2024.md");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replace("garbage: \"2024余\"", "garbage: 很多")
        .replace("students: 1400", "学生数: 1400");
    std::fs::write(&p, t).unwrap();
    let out = Command::new(BIN)
        .args(["build", "--root"])
        .arg(&root)
        .env("LANG", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("content/reports/b-2024.md:7:12: error: `garbage`: `很多` is not a figure"),
        "{err}"
    );
    assert!(
        err.contains(
            "content/reports/b-2024.md:8:3: error: undeclared metric `学生数` (value `1400`)"
        ),
        "{err}"
    );
    assert!(
        !root.join("public").exists(),
        "a failed build must not write output"
    );
}
