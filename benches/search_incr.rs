//! Times the search index phase (`render::write_search` into an in-memory
//! sink, as `serve` builds) of a large site: full builds, then cached
//! rebuilds after edits made to the model in memory as a re-render would
//! make them (one report's body, one title, a report added, one removed),
//! each checked byte for byte against a full build of the same model; then
//! a series of one-report edits through the cache alone. The site on disk
//! is only read.
//!
//! usage: cargo bench --bench search_incr -- [SITE_ROOT] [EDITS]
//! (default /tmp/jianbao-bench/site-10000, 200 edits)

use jianbao::output::Memory;
use jianbao::render::{self, search::SearchCache, Bodies};
use jianbao::site::Site;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Files = HashMap<String, Arc<[u8]>>;

fn load(root: &std::path::Path) -> (Site, Bodies) {
    let config = jianbao::config::Config::load(root, None).expect("site.yaml");
    let theme = jianbao::theme::load(root, &config).expect("theme");
    let (content, _) = jianbao::content::load(root, &config, Default::default());
    let (site, _) = Site::build(config, content, &jianbao::render::reserved());
    let known = render::known_paths(&site, &theme);
    let (bodies, _) = render::bodies(&site, &known);
    (site, bodies)
}

/// The search phase through `cache` (None: a full build): files and time.
fn search(site: &Site, bodies: &Bodies, cache: Option<&mut SearchCache>) -> (Files, Duration) {
    let mem = Memory::default();
    // The bodies are whole: nothing is rendered again.
    let known = render::known_paths(site, &Default::default());
    let refill = render::Refill::new(site, &known);
    let cache = cache.map(|c| (c, &refill, render::BATCH));
    let t = Instant::now();
    render::write_search(site, bodies, &mem, cache).expect("write_search");
    let took = t.elapsed();
    (mem.files.into_inner().unwrap(), took)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The value at quantile `q` (0.5: the median).
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// A cached rebuild, checked against a full one; returns the cached time.
fn step(site: &Site, bodies: &Bodies, cache: &mut SearchCache, what: &str) -> f64 {
    let (cached, t_cached) = search(site, bodies, Some(cache));
    let (full, t_full) = search(site, bodies, None);
    assert_eq!(cached.len(), full.len(), "{what}: file count");
    for (p, b) in &full {
        assert!(cached.get(p) == Some(b), "{what}: {p} differs");
    }
    let r = cache.last;
    println!(
        "{what:<20} cached {:7.1} ms  (full {:7.1} ms)  read {:5}, tokenized {:5}, serialized {:4} of {} files{}; equal",
        ms(t_cached),
        ms(t_full),
        r.looked_at,
        r.tokenized,
        r.serialized,
        r.files,
        if r.rebuilt { ", postings rebuilt" } else { "" }
    );
    ms(t_cached)
}

/// Appends a line to a report's body, as re-rendering the edited file would
/// give it: new plain text, new key.
fn edit_body(bodies: &mut Bodies, i: usize, n: usize) {
    let m = Arc::make_mut(&mut bodies.reports[i]);
    m.plain.push_str(&format!("\n\n编辑{n}\n"));
    m.key = m.key.rotate_left(1) ^ 0x9e37_79b9;
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let root = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/tmp/jianbao-bench/site-10000".into()),
    );
    let edits: usize = args.next().map_or(200, |r| r.parse().expect("EDITS"));
    let t = Instant::now();
    let (mut site, mut bodies) = load(&root);
    let docs = site.reports.len() + site.articles.len() + site.pages.len();
    println!(
        "{}: {docs} documents, loaded in {:.1} s; {} threads",
        root.display(),
        t.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );

    let fulls: Vec<f64> = (0..3).map(|_| ms(search(&site, &bodies, None).1)).collect();
    let mut cache = SearchCache::default();
    let first = ms(search(&site, &bodies, Some(&mut cache)).1);
    step(&site, &bodies, &mut cache, "no change");

    // The newest report (id 0), and others further down.
    let newest = (0..site.reports.len())
        .max_by_key(|&i| site.reports[i].doc.date.sort_key())
        .expect("a report");
    for n in 0..3 {
        edit_body(&mut bodies, (newest + n * 3301) % site.reports.len(), n);
        step(&site, &bodies, &mut cache, "one report's body");
    }
    for n in 0..3 {
        let i = (newest + 1 + n * 97) % site.reports.len();
        Arc::make_mut(&mut site.reports[i].doc)
            .common
            .title
            .push_str("（修订）");
        Arc::make_mut(&mut bodies.reports[i]).key ^= 0x5bd1_e995;
        step(&site, &bodies, &mut cache, "one report's title");
    }

    // A report added (every key changes: links resolve against all paths).
    let r = &site.reports[newest];
    let mut added = jianbao::site::ReportEntry {
        doc: r.doc.clone(),
        slug: format!("{}-copy", r.slug),
        path: format!("{}-copy/", r.path.trim_end_matches('/')),
        unit: r.unit,
    };
    Arc::make_mut(&mut added.doc).date.year += 1;
    site.reports.push(added);
    let mut m = bodies.reports[newest].clone();
    Arc::make_mut(&mut m).plain.push_str("\n新增的报告。\n");
    bodies.reports.push(m);
    for b in bodies.reports.iter_mut().chain(&mut bodies.articles) {
        Arc::make_mut(b).key = b.key.wrapping_add(1);
    }
    let added = step(&site, &bodies, &mut cache, "a report added");
    site.reports.pop();
    bodies.reports.pop();
    for b in bodies.reports.iter_mut().chain(&mut bodies.articles) {
        Arc::make_mut(b).key = b.key.wrapping_add(1);
    }
    let removed = step(&site, &bodies, &mut cache, "a report removed");

    // Edits one after another, as while editing in `serve`.
    let series: Vec<f64> = (0..edits)
        .map(|n| {
            edit_body(&mut bodies, newest, 100 + n);
            ms(search(&site, &bodies, Some(&mut cache)).1)
        })
        .collect();
    step(&site, &bodies, &mut cache, "after the series");

    let (own, files) = cache.held_bytes();
    println!();
    println!("search phase, {docs} documents (ms):");
    println!(
        "  full build                     {:7.1}  (median of 3)",
        quantile(&fulls, 0.5)
    );
    println!("  first build through the cache  {first:7.1}");
    println!(
        "  one-report edit, cached        {:7.1}  median, {:.1} p90, of {edits} edits",
        quantile(&series, 0.5),
        quantile(&series, 0.9)
    );
    println!("  report added / removed, cached {added:7.1} / {removed:.1}");
    println!(
        "cache: {:.1} MB of its own, {:.1} MB of file bytes shared with the output",
        own as f64 / 1e6,
        files as f64 / 1e6
    );
}
