//! `jianbao serve`: builds the site into a private store on disk
//! (`jianbao::store`), serves it under the path of
//! its base_url, watches the inputs and rebuilds on change, then tells open
//! pages to reload (or only swap stylesheets). A failed build keeps the last
//! good site served and shows the errors. Only `main` calls this module.

mod audit_line;
mod desk;
mod http;
mod hub;
mod livereload;
mod server;
mod state;
mod watch;

use jianbao::diagnostics::{text, Diagnostic, Lang, Severity};
use jianbao::store::{Carried, Key, Store, StoreSink};
use jianbao::{BuildOptions, Error};
use state::{Files, Shared, Snapshot};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// How many ports after the requested one are tried when it is busy.
const PORT_TRIES: u16 = 10;

/// What `jianbao serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    /// Print each rebuild's phases.
    pub timings: bool,
}

/// Builds the site for the preview: what the rebuild loop needs to know.
struct Builder {
    root: PathBuf,
    drafts: bool,
    /// `http://127.0.0.1:1111`, without a trailing slash.
    origin: String,
    lang: Lang,
    timings: bool,
    /// What the last build derived, reused when its inputs are unchanged
    /// (cold: the first build goes in batches, then [`warm`] fills it).
    session: std::sync::Mutex<jianbao::Session>,
    /// Where the builds write (the one the session's handles point into).
    store: Arc<Store>,
    /// The last good build's files, which the next build starts from (a
    /// copy of the served manifest, made once the browsers were told).
    carried: std::sync::Mutex<Option<Carried>>,
}

/// Which build [`apply`] publishes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The server's first.
    First,
    /// One after a change.
    Rebuild,
    /// The one filling the caches after a build in batches ([`warm`]):
    /// unseen unless something changed meanwhile.
    Warm,
}

/// The outcome of one build.
enum Built {
    Ok {
        files: Files,
        /// Files changed since the build the sink started from (None:
        /// compare with the served files).
        changed: Option<Vec<String>>,
        /// The build's number and its files other than jobs', for
        /// [`Builder::carry`].
        carry: (u64, Vec<String>),
        base_path: String,
        pages: usize,
        ms: f64,
        /// The build's warnings (documents awaiting review are listed on
        /// the desk, not printed), then for the audit line.
        diags: Vec<Diagnostic>,
    },
    Failed {
        errors: Vec<String>,
        base_path: Option<String>,
    },
    /// Failed only because files were saved while it ran (their texts
    /// read again differ): their own rebuild follows, and no error is
    /// shown for it.
    Stale,
}

impl Builder {
    /// Whether the last build was a good one in batches, the session's
    /// caches still empty.
    fn warming(&self) -> bool {
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        session.warming()
    }

    /// `changed`: the site-root-relative paths changed since the last
    /// build, None when unknown.
    fn build(&self, prev_base: &str, changed: Option<&[PathBuf]>) -> Built {
        let start = Instant::now();
        // The base path comes from site.yaml; the host is this server.
        let opts = BuildOptions {
            root: self.root.clone(),
            output: None,
            origin: Some(self.origin.clone()),
            drafts: self.drafts,
            // Editors preview what awaits review (with a 待审 banner).
            unreviewed: true,
            desk: Some(self.lang),
            ..BuildOptions::default()
        };
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let base = self
            .carried
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let sink = StoreSink::carrying(&self.store, session.files(), base);
        let result = session.rebuild_into(&opts, changed, &sink);
        // As read by this build, or by the last that read site.yaml.
        let base_path = session.base_path().map(str::to_string);
        match result {
            Ok(report) => {
                if self.timings {
                    let phases: Vec<String> = report
                        .timings
                        .iter()
                        .map(|p| format!("{} {:.1}", p.name, p.wall.as_secs_f64() * 1000.0))
                        .collect();
                    println!("  ms: {}", phases.join(", "));
                    // Resident memory after each phase and the peak so far.
                    let rss: Vec<String> = report
                        .timings
                        .iter()
                        .filter_map(|p| p.rss.map(|(now, _)| format!("{} {}", p.name, now >> 20)))
                        .collect();
                    if let Some((_, peak)) = report.timings.last().and_then(|p| p.rss) {
                        println!("  rss MB: {} (peak {})", rss.join(", "), peak >> 20);
                    }
                }
                let out = sink.into_output();
                Built::Ok {
                    files: out.files,
                    changed: out.changed,
                    carry: (session.run_id(), out.others),
                    base_path: base_path.unwrap_or_else(|| prev_base.to_string()),
                    pages: report.pages,
                    ms: start.elapsed().as_secs_f64() * 1000.0,
                    diags: report.warnings,
                }
            }
            Err(e) => {
                *self.carried.lock().unwrap_or_else(|e| e.into_inner()) = sink.into_base();
                // No audit follows to hand back what the build freed.
                jianbao::release::trim();
                if let Error::Diagnostics(d) = &e {
                    let mut errors = d.iter().filter(|d| d.is_error()).peekable();
                    if errors.peek().is_some()
                        && errors.all(jianbao::content::Source::changed_during_build)
                    {
                        return Built::Stale;
                    }
                }
                let errors = match e {
                    Error::Diagnostics(d) => d
                        .iter()
                        .filter(|d| d.severity != Severity::Info)
                        .map(|d| d.render(self.lang))
                        .collect(),
                    Error::Usage(t) => vec![t.get(self.lang).to_string()],
                    Error::Io(e) => vec![e.to_string()],
                };
                Built::Failed { errors, base_path }
            }
        }
    }
}

impl Builder {
    /// Keeps a copy of the files a good build `run` published (`files`,
    /// its desk filled in) for the next build's sink to start from, when
    /// the session's render cache holds that build's outputs (not after a
    /// build in batches: the warm-up that follows writes every file).
    fn carry(&self, (run, others): (u64, Vec<String>), files: &Files) {
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if !session.carries_from(run) {
            return;
        }
        drop(session);
        let files = files.clone();
        *self.carried.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Carried { run, files, others });
    }
}

/// Output files that differ between two builds (added, changed or removed).
/// The new manifest is compared in parallel (73k files at 50k reports,
/// 11 ms on one core, on the way to the reload event); the old one is
/// walked for removed files only when some of its paths are missing from
/// the new one (fewer new paths are old ones than it holds): a save
/// seldom removes a file.
fn changed_files(old: &Files, new: &Files) -> Vec<String> {
    use rayon::prelude::*;
    let mut out: Vec<String> = new
        .par_iter()
        .filter(|&(k, v)| old.get(k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    let added = out.iter().filter(|k| !old.contains_key(*k)).count();
    if new.len() - added < old.len() {
        out.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    }
    out.sort();
    out
}

fn now() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

/// [`apply`], then the audit's one-line count for a good build (after a
/// build in batches, for the one [`warm`] makes: the audit reads content
/// from the session's caches). Returns when the browsers were told.
fn apply_and_audit(
    shared: &Arc<Shared>,
    builder: &Builder,
    built: Built,
    pass: Pass,
) -> Option<Instant> {
    let audit = !builder.warming();
    let mut built = built;
    let carry = match &mut built {
        Built::Ok { carry, .. } => Some(std::mem::take(carry)),
        Built::Failed { .. } | Built::Stale => None,
    };
    // The warnings come back, not copied: thousands at city scale.
    let (told, diags) = apply(shared, built, pass);
    if let Some(carry) = carry {
        builder.carry(carry, &shared.current().files);
    }
    if let (true, Some(diags)) = (audit, diags) {
        let reader = builder
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reader();
        audit_line::spawn(
            builder.root.clone(),
            builder.drafts,
            (shared.current(), shared.store.clone()),
            (diags, reader),
            shared.clone(),
        );
    }
    told
}

/// After a good build in batches (the first, or the first good one after
/// it failed), rebuilds through the session right away, filling its caches
/// so that the next save rebuilds only what it changed. A save made
/// meanwhile waits for it, then is rebuilt as any.
fn warm(shared: &Arc<Shared>, builder: &Builder) {
    if !builder.warming() {
        return;
    }
    let prev_base = shared.current().base_path.clone();
    let built = builder.build(&prev_base, None);
    match &built {
        // The same inputs built a moment ago: a file changed meanwhile (a
        // text read again differs), and its rebuild follows, showing any
        // error; the good site stays served until then.
        Built::Failed { .. } | Built::Stale => return,
        Built::Ok { ms, .. } if builder.timings => println!("  ms: warm-up {ms:.1}"),
        Built::Ok { .. } => {}
    }
    apply_and_audit(shared, builder, built, Pass::Warm);
}

/// Prints the warnings a rebuild found that the last good build did not
/// (every one on the first build), then how many were left unsaid: at city
/// scale thousands of unchanged warnings would bury the one a save made
/// (not after a warm-up, which no editor asked for).
fn print_warnings(shared: &Shared, diags: &[Diagnostic], base_path: &str, pass: Pass) {
    // Documents awaiting review are listed on the desk.
    let warnings: Vec<String> = diags
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| d.render(shared.lang))
        .collect();
    let (fresh, unchanged) = shared.new_warnings(&warnings);
    for w in fresh {
        eprintln!("{w}");
    }
    if unchanged > 0 && pass != Pass::Warm {
        let t = text!("{} warning(s) unchanged since the last build, not repeated (all are on the desk: {}_desk/)", unchanged, base_path;
                      "另有 {} 条警告与上次构建相同，不再重复（完整列表见编辑台：{}_desk/）", unchanged, base_path);
        eprintln!("{}", t.get(shared.lang));
    }
}

/// Applies one build to the shared state and tells the browsers; returns
/// when they were told of changed files, and a good build's warnings.
fn apply(shared: &Shared, built: Built, pass: Pass) -> (Option<Instant>, Option<Vec<Diagnostic>>) {
    let lang = shared.lang;
    let prev = shared.current();
    match built {
        Built::Ok {
            files,
            changed,
            base_path,
            pages,
            ms,
            diags,
            ..
        } => {
            let mut files = files;
            desk::prefill(&mut files, shared);
            let changed = match changed {
                // The desk as served may have been filled in since.
                Some(mut c) => {
                    c.retain(|f| f != jianbao::render::desk::PATH);
                    let desk = jianbao::render::desk::PATH;
                    if files.get(desk) != prev.files.get(desk) {
                        c.push(desk.to_string());
                        c.sort_unstable();
                    }
                    c
                }
                None => changed_files(&prev.files, &files),
            };
            let was_failing = !prev.errors.is_empty();
            let moved = base_path != prev.base_path;
            let generation = if changed.is_empty() && !moved {
                prev.generation
            } else {
                prev.generation + 1
            };
            let files = Arc::new(files);
            let snap = Snapshot {
                files: files.clone(),
                base_path: base_path.clone(),
                generation,
                errors: Arc::new(Vec::new()),
            };
            let version = shared.version(&snap);
            shared.publish(snap);
            if was_failing {
                shared.hub.broadcast("ok", &serde_json::json!({}));
            }
            let css_only =
                !moved && !changed.is_empty() && changed.iter().all(|f| f.ends_with(".css"));
            let mut told = None;
            if !changed.is_empty() || moved {
                let ev = if css_only { "css" } else { "reload" };
                shared.hub.broadcast(
                    ev,
                    &serde_json::json!({ "version": version, "files": changed }),
                );
                told = Some(Instant::now());
            }
            // Thousands of warnings rendered for the terminal (at 50k,
            // 10–20 ms): once the browsers were told.
            print_warnings(shared, &diags, &base_path, pass);
            let what = if pass == Pass::First {
                text!("built {} pages in {:.0} ms", pages, ms; "已构建 {} 个页面，用时 {:.0} 毫秒", pages, ms)
            } else if changed.is_empty() && !moved && pass == Pass::Warm {
                // No editor asked for it: not news.
                return (told, Some(diags));
            } else if changed.is_empty() && !moved {
                text!("rebuilt in {:.0} ms: no page changed", ms; "重新构建用时 {:.0} 毫秒：没有页面变化", ms)
            } else if css_only {
                text!("rebuilt in {:.0} ms: {} stylesheet(s) changed, swapping styles", ms, changed.len();
                      "重新构建用时 {:.0} 毫秒：{} 个样式表变化，已替换样式", ms, changed.len())
            } else {
                text!("rebuilt in {:.0} ms: {} file(s) changed, reloading", ms, changed.len();
                      "重新构建用时 {:.0} 毫秒：{} 个文件变化，已刷新页面", ms, changed.len())
            };
            println!("[{}] {}", now(), what.get(lang));
            // The last good site's files no longer served (or kept by the
            // session's caches, which hold only this build's) go, once
            // the browsers were told (a request asks the new manifest).
            let keys: std::collections::HashSet<Key> = files.values().copied().collect();
            shared.store.retain(&|k| keys.contains(&k));
            (told, Some(diags))
        }
        Built::Stale => {
            let what = text!("a file changed during the build; building it again";
                             "构建过程中有文件被修改，正在重新构建");
            println!("[{}] {}", now(), what.get(lang));
            (None, None)
        }
        Built::Failed { errors, base_path } => {
            for e in &errors {
                eprintln!("{e}");
            }
            let what = if prev.files.is_empty() {
                text!("build failed; the browser shows the errors until they are fixed";
                      "构建失败；修正之前浏览器中会显示错误")
            } else {
                text!("build failed; still serving the last good version"; "构建失败；继续提供上一次成功的版本")
            };
            eprintln!("[{}] {}", now(), what.get(lang));
            let event = livereload::error_event(lang, &errors);
            let base_path = if prev.files.is_empty() {
                base_path.unwrap_or_else(|| prev.base_path.clone())
            } else {
                prev.base_path.clone()
            };
            let snap = Snapshot {
                files: prev.files.clone(),
                base_path,
                generation: prev.generation,
                errors: Arc::new(errors),
            };
            shared.publish(snap);
            shared.hub.broadcast_raw(event);
            (None, None)
        }
    }
}

/// Binds `bind:port`, or the next free port when it is busy.
fn bind(bind: &str, port: u16, lang: Lang) -> Result<http::Server, String> {
    let mut last = String::new();
    for p in port..=port.saturating_add(PORT_TRIES) {
        match http::Server::bind((bind, p)) {
            Ok(s) => {
                if p != port {
                    let t = text!("port {} is busy, using {} instead", port, p; "端口 {} 已被占用，改用 {}", port, p);
                    eprintln!("{}", t.get(lang));
                }
                return Ok(s);
            }
            Err(e) => {
                let busy = e.kind() == std::io::ErrorKind::AddrInUse;
                last = e.to_string();
                if !busy || port == 0 {
                    break;
                }
            }
        }
    }
    let t = text!("cannot listen on {}:{}: {}; pick another with --port", bind, port, last;
                  "无法在 {}:{} 上监听：{}；请用 --port 指定其他端口", bind, port, last);
    Err(t.get(lang).to_string())
}

fn error_prefix(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        "错误："
    } else {
        "error: "
    }
}

fn open_browser(url: &str) {
    let cmd: &[&str] = if cfg!(target_os = "windows") {
        &["cmd", "/C", "start", ""]
    } else if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(cmd[0])
        .args(&cmd[1..])
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// Runs the preview server until the process is stopped.
pub fn run(opts: Options) -> ExitCode {
    let lang = Lang::from_env();
    let root = match std::fs::canonicalize(&opts.root) {
        Ok(r) if r.is_dir() => r,
        _ => {
            let t = text!("site root `{}` is not a folder", opts.root.display(); "站点根目录 `{}` 不是文件夹", opts.root.display());
            eprintln!("{}{}", error_prefix(lang), t.get(lang));
            return ExitCode::from(2);
        }
    };
    // A killed `build` left its staging folder beside public/: serve
    // writes nothing there, but tidies what a dead build left.
    jianbao::output::sweep_stale(&root.join("public"));
    let server = match bind(&opts.bind, opts.port, lang) {
        Ok(s) => Arc::new(s),
        Err(msg) => {
            eprintln!("{}{msg}", error_prefix(lang));
            return ExitCode::from(1);
        }
    };
    // Folders of killed servers may be large: removed in the background.
    let _ = std::thread::Builder::new()
        .name("jianbao-stale".into())
        .spawn(|| Store::remove_stale(&std::env::temp_dir()));
    let store = match Store::new(&std::env::temp_dir()) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            let t = text!("cannot make the preview's folder: {}", e; "无法创建预览目录：{}", e);
            eprintln!("{}{}", error_prefix(lang), t.get(lang));
            return ExitCode::from(1);
        }
    };
    // Stopped by Ctrl+C or a termination signal: the store's folder goes.
    let dir = store.dir().to_path_buf();
    let _ = ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&dir);
        std::process::exit(130);
    });
    let port = server.local_addr().map_or(opts.port, |a| a.port());
    let host = if opts.bind.contains(':') {
        format!("[{}]", opts.bind)
    } else {
        opts.bind.clone()
    };
    let builder = Builder {
        root: root.clone(),
        drafts: opts.drafts,
        origin: format!("http://{host}:{port}"),
        lang,
        timings: opts.timings,
        session: std::sync::Mutex::new(jianbao::Session::cold()),
        store: store.clone(),
        carried: Default::default(),
    };
    let shared = Arc::new(Shared::new(lang, store));

    // Watch before the first build so no edit made during it is lost.
    let changes = match watch::spawn(root.clone()) {
        Ok(rx) => Some(rx),
        Err(e) => {
            let t = text!("cannot watch for changes ({}); reload by restarting", e; "无法监视文件变化（{}）；请重启以更新", e);
            eprintln!("{}", t.get(lang));
            None
        }
    };
    apply_and_audit(&shared, &builder, builder.build("/", None), Pass::First);
    {
        let (server, shared) = (server.clone(), shared.clone());
        std::thread::Builder::new()
            .name("jianbao-accept".into())
            .spawn(move || server::run(server, shared))
            .expect("spawn the accept thread");
    }
    let url = format!("{}{}", builder.origin, shared.current().base_path);
    let t = text!("serving {} (Ctrl+C to stop)", url; "预览地址 {}（按 Ctrl+C 停止）", url);
    println!("{}", t.get(lang));
    let desk = format!("{url}_desk/");
    let t = text!("editor's desk (preview only): {}", desk; "编辑工作台（仅预览）：{}", desk);
    println!("{}", t.get(lang));
    if opts.open {
        open_browser(&url);
    }
    // Pages are answered meanwhile.
    warm(&shared, &builder);
    let Some(changes) = changes else {
        loop {
            std::thread::park();
        }
    };
    while let Ok(batch) = changes.recv() {
        let shown: Vec<String> = batch
            .iter()
            .map(|c| c.path.to_string_lossy().replace('\\', "/"))
            .collect();
        let t = text!("changed: {}", shown.join(", "); "已修改：{}", shown.join("，"));
        println!("[{}] {}", now(), t.get(lang));
        let prev_base = shared.current().base_path.clone();
        // A configuration change (or lost events) reads everything again.
        let paths: Vec<PathBuf> = batch.iter().map(|c| c.path.clone()).collect();
        let known = batch.iter().all(|c| c.kind != watch::ChangeKind::Config);
        let start = Instant::now();
        let built = builder.build(&prev_base, known.then_some(paths.as_slice()));
        let published = Instant::now();
        let told = apply_and_audit(&shared, &builder, built, Pass::Rebuild);
        if opts.timings {
            // And since the batch came: the browsers told of the change.
            let since = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
            let told = told.map_or(String::new(), |t| {
                format!(", reload sent at {:.1}", since(t))
            });
            println!(
                "  ms: publish {:.1} (built at {:.1}{told})",
                published.elapsed().as_secs_f64() * 1000.0,
                since(published)
            );
        }
        warm(&shared, &builder);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_finds_added_changed_removed() {
        let old: Files = [("a", 1), ("b", 2), ("c", 3)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let new: Files = [("a", 1), ("b", 9), ("d", 4)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        assert_eq!(changed_files(&old, &new), vec!["b", "c", "d"]);
        // Added only, removed only, the same paths, nothing.
        let files = |pairs: &[(&str, u128)]| -> Files {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        let ab = files(&[("a", 1), ("b", 2)]);
        let abc = files(&[("a", 1), ("b", 2), ("c", 3)]);
        assert_eq!(changed_files(&ab, &abc), vec!["c"]);
        assert_eq!(changed_files(&abc, &ab), vec!["c"]);
        assert_eq!(
            changed_files(&ab, &files(&[("a", 1), ("c", 2)])),
            vec!["b", "c"]
        );
        assert!(changed_files(&ab, &ab).is_empty());
        assert!(changed_files(&Files::default(), &Files::default()).is_empty());
    }
}
