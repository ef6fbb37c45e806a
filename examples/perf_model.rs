//! Times the whole-site passes `serve` re-runs on every save (model, stats,
//! stats exports, site view, known paths, link context hash) and prints a
//! digest of their outputs, so a change can be checked for identical output.
//!
//! cargo run --release --example perf_model -- /tmp/jianbao-bench/site-10000 [runs]

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
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:7.2} ms", d.as_secs_f64() * 1000.0)
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
    let _ = writeln!(s, "{:?} {}", st.articles_per_category, st.reports);
    for r in &st.rows {
        let _ = writeln!(s, "{:?}", r);
    }
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/tmp/jianbao-bench/site-10000".into()),
    );
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(15);
    let config = jianbao::config::Config::load(&root, None).expect("config");
    let theme = jianbao::theme::load(&root, &config).expect("theme");
    let (content, _) = jianbao::content::load(&root, &config, false);

    let mut t: Vec<(&str, Vec<Duration>)> = [
        "Site::build",
        "Stats::compute",
        "stats::json",
        "to_string_pretty",
        "SiteView::new",
        "stats::csv",
        "known_paths",
        "link_context_hash",
    ]
    .into_iter()
    .map(|n| (n, Vec::new()))
    .collect();
    let mut digests = Vec::new();
    for run in 0..runs {
        let c = content_of(&content);
        let t0 = Instant::now();
        let (site, _) = Site::build(config.clone(), c);
        t[0].1.push(t0.elapsed());

        let t0 = Instant::now();
        let stats = Stats::compute(&site);
        t[1].1.push(t0.elapsed());

        let t0 = Instant::now();
        let value = jianbao::render::stats::json(&site, &stats);
        t[2].1.push(t0.elapsed());

        let t0 = Instant::now();
        let json = serde_json::to_string_pretty(&value).unwrap_or_default();
        t[3].1.push(t0.elapsed());

        let t0 = Instant::now();
        let view = jianbao::render::views::SiteView::new(&site);
        t[4].1.push(t0.elapsed());

        let t0 = Instant::now();
        let csv = jianbao::render::stats::csv(&stats);
        t[5].1.push(t0.elapsed());

        let t0 = Instant::now();
        let known = jianbao::render::known_paths(&site, &theme);
        t[6].1.push(t0.elapsed());

        let assets = site.assets.iter().map(|a| a.rel.clone()).collect();
        let t0 = Instant::now();
        let links = jianbao::render::link_context_hash(&site, &known, &assets);
        t[7].1.push(t0.elapsed());

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
        drop((view, value, stats));
        drop(site);
    }
    let mut total = Duration::ZERO;
    for (name, v) in t {
        let m = median(v.clone());
        total += m;
        let min = *v.iter().min().expect("runs");
        println!("{name:<20} median {}  min {}", ms(m), ms(min));
    }
    println!("{:<20} median {}", "sum of medians", ms(total));
    for (name, d) in digests {
        println!("digest {name:<10} {d:016x}");
    }
}
