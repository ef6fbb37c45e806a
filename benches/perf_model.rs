//! Times the whole-site passes `serve` re-runs on every save (model, stats,
//! stats exports, site view, known paths, link context hash) and prints a
//! digest of their outputs, so a change can be checked for identical output.
//!
//! cargo bench --bench perf_model -- /tmp/jianbao-bench/site-10000 [runs]

use jianbao::content::Content;
use jianbao::site::stats::Stats;
use jianbao::site::Site;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn content_of(c: &Content) -> Content {
    Content {
        reports: c.reports.clone(),
        articles: c.articles.clone(),
        pages: c.pages.clone(),
        units: c.units.clone(),
        has_registry: c.has_registry,
        assets: c.assets.clone(),
        held: c.held.clone(),
    }
}

/// CPU time of the whole process (all threads) in ns, from schedstat:
/// unlike wall time, not inflated while other processes hold the cores.
fn cpu_ns() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let c0 = cpu_ns();
    let t0 = Instant::now();
    let out = f();
    let wall = t0.elapsed();
    let cpu = Duration::from_nanos(cpu_ns().saturating_sub(c0));
    (out, wall, cpu)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:7.2}ms", d.as_secs_f64() * 1000.0)
}

fn digest(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Everything observable of the model, as text.
fn model_text(site: &Site) -> String {
    let mut s = String::new();
    for r in &site.reports {
        let _ = writeln!(
            s,
            "R {} {} {} {}",
            r.doc.common.src.rel, r.slug, r.path, r.unit
        );
    }
    for a in &site.articles {
        let _ = writeln!(
            s,
            "A {} {} {} {:?} {:?}",
            a.doc.common.src.rel, a.slug, a.path, a.unit, a.category
        );
    }
    for p in &site.pages {
        let _ = writeln!(s, "P {} {} {}", p.doc.common.src.rel, p.slug, p.path);
    }
    for u in &site.units {
        let _ = writeln!(
            s,
            "U {} {} {} {:?} {:?} {:?} {} {:?} {:?}",
            u.id, u.name, u.kind, u.parent, u.aliases, u.order, u.path, u.reports, u.articles
        );
    }
    for t in site.tags.iter().chain(&site.categories) {
        let _ = writeln!(
            s,
            "T {} {} {} {:?} {:?}",
            t.name, t.slug, t.path, t.reports, t.articles
        );
    }
    let mut src: Vec<_> = site.by_source.iter().collect();
    src.sort();
    for (k, v) in src {
        let _ = writeln!(s, "S {k} {v}");
    }
    s
}

/// Everything observable of the stats, as text.
fn stats_text(st: &Stats) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:?}", st.totals);
    for g in st
        .by_unit
        .iter()
        .chain(&st.by_type)
        .chain(&st.by_year)
        .chain(&st.by_subperiod)
        .chain(&st.by_tag)
        .chain(st.unit_years.iter().flatten())
    {
        let _ = writeln!(s, "{:?}", g);
    }
    // The rows are compared through the CSV and JSON exports.
    let _ = writeln!(s, "{:?} {}", st.articles_per_category, st.reports);
    s
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let root = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/tmp/jianbao-bench/site-10000".into()),
    );
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(15);
    let config = jianbao::config::Config::load(&root, None).expect("config");
    let theme = jianbao::theme::load(&root, &config).expect("theme");
    let (content, _) = jianbao::content::load(&root, &config, Default::default());

    let names = [
        "Site::build",
        "Stats::compute",
        "SiteView::new",
        "stats::csv",
        "known_paths",
        "link_context_hash",
        "stats::json_text",
    ];
    // Per function: (wall, cpu) of each run.
    let mut t: Vec<Vec<(Duration, Duration)>> = vec![Vec::new(); names.len()];
    let mut digests = Vec::new();
    let only = std::env::var("PERF_ONLY").ok();
    for run in 0..runs {
        let c = content_of(&content);
        let ((site, _), w, p) =
            timed(|| Site::build(config.clone(), c, &jianbao::render::reserved()));
        t[0].push((w, p));
        // PERF_ONLY=model: the model alone (for profiling it).
        if only.as_deref() == Some("model") {
            continue;
        }
        let (stats, w, p) = timed(|| Stats::compute(&site));
        t[1].push((w, p));
        let (view, w, p) = timed(|| jianbao::render::views::SiteView::new(&site));
        t[2].push((w, p));
        let (csv, w, p) = timed(|| jianbao::render::stats::csv(&stats));
        t[3].push((w, p));
        let (known, w, p) = timed(|| jianbao::render::known_paths(&site, &theme));
        t[4].push((w, p));
        let assets = site.assets.iter().map(|a| a.rel.clone()).collect();
        let (links, w, p) = timed(|| jianbao::render::link_context_hash(&site, &known, &assets));
        t[5].push((w, p));
        // Pinned to printing the value by render::stats's tests.
        let (json, w, p) = timed(|| jianbao::render::stats::json_text(&site, &stats));
        t[6].push((w, p));

        if run == 0 {
            let known_text: Vec<&str> = known.iter().map(String::as_str).collect();
            digests = vec![
                ("model", digest(&model_text(&site))),
                ("stats", digest(&stats_text(&stats))),
                ("json", digest(&json)),
                (
                    "site_view",
                    digest(&serde_json::to_string(&view).unwrap_or_default()),
                ),
                ("csv", digest(&csv)),
                ("known", digest(&known_text.join("\n"))),
                ("links", links),
            ];
        }
        drop((view, stats));
        drop(site);
    }
    let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
    println!(
        "{:<20} {:>10} {:>10} {:>10}",
        "", "wall med", "wall min", "cpu mean"
    );
    for (name, v) in names.iter().zip(t) {
        if v.is_empty() {
            continue;
        }
        let w = median(v.iter().map(|x| x.0).collect());
        // schedstat may count in scheduler ticks: a mean resolves better.
        let c = v.iter().map(|x| x.1).sum::<Duration>() / v.len() as u32;
        let min = v.iter().map(|x| x.0).min().expect("runs");
        wall += w;
        cpu += c;
        println!("{name:<20} {} {} {}", ms(w), ms(min), ms(c));
    }
    println!("{:<20} {} {:>10} {}", "sum", ms(wall), "", ms(cpu));
    for (name, d) in digests {
        println!("digest {name:<10} {d:016x}");
    }
}
