//! The cost of one serve rebuild after a one-report edit, without the
//! watcher and server around it: builds SITE through a `jianbao::Session`,
//! then N times appends a line to its first report and rebuilds, printing
//! each rebuild's phases and the median.
//!
//! usage: cargo bench --bench session_edit -- SITE_COPY [N]
//! (SITE_COPY is edited and restored: use a throwaway copy.)

use jianbao::{BuildOptions, Session};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench session_edit -- SITE_COPY [N]");
        std::process::exit(2);
    };
    let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(9);
    let opts = BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    };
    let mut session = Session::default();
    let t = Instant::now();
    session.rebuild(&opts, None).expect("first build");
    println!("first build {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let report = walkdir::WalkDir::new(root.join("content/reports"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .expect("a report")
        .into_path();
    let rel = report.strip_prefix(&root).unwrap().to_path_buf();
    let orig = std::fs::read_to_string(&report).unwrap();
    let mut times = Vec::new();
    for i in 0..n {
        std::fs::write(&report, format!("{orig}\n\n编辑{i}\n")).unwrap();
        let t = Instant::now();
        let (_, r) = session
            .rebuild(&opts, Some(std::slice::from_ref(&rel)))
            .expect("rebuild");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        let phases: Vec<String> = r
            .timings
            .iter()
            .map(|p| format!("{} {:.1}", p.name, p.wall.as_secs_f64() * 1000.0))
            .collect();
        let (rendered, reused) = session.last_render();
        println!(
            "{ms:.1} ms ({rendered} rendered, {reused} reused): {}",
            phases.join(", ")
        );
    }
    std::fs::write(&report, orig).unwrap();
    times.sort_by(f64::total_cmp);
    println!("median {:.1} ms over {n} edits", times[n / 2]);
}
