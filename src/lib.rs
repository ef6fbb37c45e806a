//! jianbao (简报): a static-site generator for Chinese public publicity and
//! reporting portals. The pipeline: load (`config`, `theme`, `content`) →
//! validate and model (`site`) → render (`render`) → write (`output`).
//! `serve` sits on top; the library never prints.

// Diagnostics are the error type of the cold paths that report content
// problems; boxing them everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod config;
mod config_audit;
pub mod content;
pub mod current;
pub mod diagnostics;
pub mod fields;
pub mod file_checks;
pub mod fs;
pub mod hash;
pub mod import;
pub mod output;
pub mod privacy;
pub mod release;
pub mod render;
pub mod review;
pub mod scaffold;
pub mod schedule;
pub mod session;
pub mod site;
pub mod source;
pub mod store;
pub mod theme;
pub mod yaml;

use diagnostics::{text, Diagnostic, Text};
use output::Sink;
pub use render::RenderCache;
pub use session::Session;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Called with (files rendered, files to render) while a build runs.
pub type ProgressFn = dyn Fn(usize, usize) + Send + Sync;

/// What `build` and `check` are asked to do.
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// The site root (holds site.yaml).
    pub root: PathBuf,
    /// `--output`; default `<root>/public`.
    pub output: Option<PathBuf>,
    /// `--base-url`, overriding site.yaml.
    pub base_url: Option<String>,
    /// Replaces the scheme and host of the base URL (site.yaml's or
    /// `base_url`), keeping its path: `serve`'s own address,
    /// `http://127.0.0.1:1111`.
    pub origin: Option<String>,
    /// Include drafts (and documents awaiting review).
    pub drafts: bool,
    /// Include documents awaiting review even without `drafts` (`serve`).
    pub unreviewed: bool,
    /// Also write the editor's desk (`_desk/`, `serve` only), with
    /// findings in this language.
    pub desk: Option<diagnostics::Lang>,
    /// Progress reports for long builds (a terminal progress bar).
    pub progress: Option<std::sync::Arc<ProgressFn>>,
    /// Documents rendered per batch by `build` and `check` (None: the
    /// `JIANBAO_BATCH` environment variable, else [`render::BATCH`]).
    pub batch: Option<usize>,
}

impl std::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("root", &self.root)
            .field("output", &self.output)
            .field("base_url", &self.base_url)
            .field("origin", &self.origin)
            .field("drafts", &self.drafts)
            .field("unreviewed", &self.unreviewed)
            .field("desk", &self.desk)
            .field("progress", &self.progress.is_some())
            .field("batch", &self.batch)
            .finish()
    }
}

impl BuildOptions {
    /// Documents per batch (see [`BuildOptions::batch`]); the only place
    /// `JIANBAO_BATCH` is read (tests build with tiny batches).
    pub(crate) fn batch(&self) -> usize {
        let env = || std::env::var("JIANBAO_BATCH").ok()?.parse().ok();
        self.batch.or_else(env).unwrap_or(render::BATCH).max(1)
    }

    /// Which held-back documents the load keeps.
    pub(crate) fn include(&self) -> content::Include {
        content::Include {
            drafts: self.drafts,
            unreviewed: self.drafts || self.unreviewed,
        }
    }
}

/// A successful build or check.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// Named phases and how long each took.
    pub timings: Vec<Phase>,
    /// Where the site was written (None for `check`).
    pub output: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Content, configuration or template problems (warnings included).
    #[error("{} problem(s) found", .0.len())]
    Diagnostics(Vec<Diagnostic>),
    /// The command was used wrongly (exit code 2).
    #[error("{}", .0.en)]
    Usage(Text),
    #[error(transparent)]
    Io(#[from] fs::FsError),
}

impl Error {
    fn diags(mut d: Vec<Diagnostic>) -> Error {
        diagnostics::sort(&mut d);
        Error::Diagnostics(d)
    }
}

/// One phase of a build: its wall time, the process's CPU time in it and
/// its memory at the end.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub name: &'static str,
    pub wall: Duration,
    /// User and system CPU time of all threads; None where the system does
    /// not tell (only Linux's `/proc/self/stat` is read).
    pub cpu: Option<(Duration, Duration)>,
    /// Resident memory at the phase's end and the peak so far, in bytes
    /// (`/proc/self/status`; None elsewhere).
    pub rss: Option<(u64, u64)>,
}

/// The process's resident memory now and its peak, from `/proc/self/status`.
fn rss() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        Some(
            line[key.len()..]
                .trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<u64>()
                .ok()?
                * 1024,
        )
    };
    Some((kb("VmRSS:")?, kb("VmHWM:")?))
}

/// The process's (user, system) CPU time so far, from `/proc/self/stat`.
fn cpu_times() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses;
    // utime and stime are the 14th and 15th, in clock ticks of 1/100 s.
    let mut f = stat.get(stat.rfind(')')? + 2..)?.split(' ').skip(11);
    let tick = |t: &str| t.parse::<u64>().ok().map(|t| Duration::from_millis(t * 10));
    Some((tick(f.next()?)?, tick(f.next()?)?))
}

pub(crate) struct Phases {
    start: Instant,
    last: Instant,
    last_cpu: Option<(Duration, Duration)>,
    timings: Vec<Phase>,
}

impl Phases {
    pub(crate) fn new() -> Self {
        let now = Instant::now();
        Phases {
            start: now,
            last: now,
            last_cpu: cpu_times(),
            timings: Vec::new(),
        }
    }

    pub(crate) fn report(
        self,
        written: render::Written,
        warnings: Vec<Diagnostic>,
        output: Option<PathBuf>,
    ) -> BuildReport {
        BuildReport {
            pages: written.pages,
            files: written.files,
            elapsed: self.start.elapsed(),
            warnings,
            timings: self.timings,
            output,
        }
    }

    fn done(&mut self, name: &'static str) {
        let now = Instant::now();
        let cpu = cpu_times();
        self.timings.push(Phase {
            name,
            wall: now - self.last,
            cpu: cpu.zip(self.last_cpu).map(|(c, l)| (c.0 - l.0, c.1 - l.1)),
            rss: rss(),
        });
        self.last = now;
        self.last_cpu = cpu;
    }
}

/// Resolves and vets the output folder: never the site root, never a folder
/// holding a site's `content/`, never inside the site's input folders.
pub fn output_dir(root: &Path, output: Option<&Path>) -> Result<PathBuf, Error> {
    let root = fs::canonicalize(root)?;
    let out = match output {
        Some(o) if o.is_absolute() => o.to_path_buf(),
        Some(o) => std::env::current_dir()
            .map_err(|e| fs::FsError {
                path: o.to_path_buf(),
                source: e,
            })?
            .join(o),
        None => root.join("public"),
    };
    // Canonicalize what exists of it, so `..` and links cannot hide the root.
    let mut existing = out.clone();
    let mut tail = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(p)) => {
                tail.push(n.to_os_string());
                existing = p.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = fs::canonicalize(&existing).unwrap_or(existing);
    for n in tail.into_iter().rev() {
        if n == ".." || n == "." {
            return Err(Error::Usage(
                text!("output folder `{}` must not contain `.` or `..`", out.display(); "输出目录 `{}` 不能包含 `.` 或 `..`", out.display()),
            ));
        }
        out.push(n);
    }
    let shown = out.display().to_string();
    let refuse = |why: Text| Err(Error::Usage(why));
    if root.starts_with(&out) {
        return refuse(
            text!("refusing to write into `{}`: it is (or contains) the site root; it would be deleted", shown;
                            "拒绝写入 `{}`：它是站点根目录或包含站点根目录，写入会删除站点", shown),
        );
    }
    for input in ["content", "static", "templates", "themes"] {
        if out.starts_with(root.join(input)) {
            return refuse(
                text!("refusing to write into `{}`: it is inside the site's {}/ folder", shown, input;
                                "拒绝写入 `{}`：它位于站点的 {}/ 目录中", shown, input),
            );
        }
    }
    if out.join("content").is_dir() || out.join(config::FILE).is_file() {
        return refuse(
            text!("refusing to write into `{}`: it holds a site (content/ or site.yaml) that would be deleted", shown;
                            "拒绝写入 `{}`：其中有站点（content/ 或 site.yaml），写入会删除它", shown),
        );
    }
    if out.is_file() {
        return refuse(
            text!("output `{}` is a file, not a folder", shown; "输出 `{}` 是文件而不是目录", shown),
        );
    }
    Ok(out)
}

/// A malformed `--base-url` is a usage error, not a problem of site.yaml.
fn check_base_url(opts: &BuildOptions) -> Result<(), Error> {
    match &opts.base_url {
        Some(b) if config::split_base_url(b).is_none() => Err(Error::Usage(text!(
            "--base-url must start with http:// or https://, found `{}`", b;
            "--base-url 应以 http:// 或 https:// 开头，实际为 `{}`", b
        ))),
        _ => Ok(()),
    }
}

/// Loads and validates configuration, theme and content into the model;
/// with a session, only the changed content files are read.
fn load_model(
    opts: &BuildOptions,
    phases: &mut Phases,
    session: Option<&mut Session>,
) -> Result<(site::Site, theme::ThemeFiles, Vec<Diagnostic>), Error> {
    check_base_url(opts)?;
    let mut config =
        config::Config::load(&opts.root, opts.base_url.as_deref()).map_err(Error::diags)?;
    if let Some(origin) = &opts.origin {
        let url = format!("{}{}", origin.trim_end_matches('/'), config.base_path);
        if let Some((base_url, base_path)) = config::split_base_url(&url) {
            (config.base_url, config.base_path) = (base_url, base_path);
        }
    }
    phases.done("config");
    let theme = theme::load(&opts.root, &config);
    phases.done("theme");
    let mut session = session;
    let (content, mut diags) = match session.as_deref_mut() {
        Some(s) => s.load_content(opts, &config),
        None => content::load(&opts.root, &config, opts.include()),
    };
    phases.done("load");
    let theme = match theme {
        Ok(t) => t,
        Err(mut d) => {
            diags.append(&mut d);
            return Err(Error::diags(diags));
        }
    };
    let reserved = render::reserved();
    let (site, mut d) = match session.filter(|s| s.caching()) {
        Some(s) => s.model.build(config, content, &reserved),
        None => site::model(config, content, &reserved),
    };
    diags.append(&mut d);
    phases.done("model");
    Ok((site, theme, diags))
}

/// Loads, validates, models and renders the site through `sink`; with a
/// `session`, each stage reuses what that session kept of the last build.
pub(crate) fn run(
    opts: &BuildOptions,
    sink: &dyn Sink,
    phases: &mut Phases,
    check_figures: bool,
    mut session: Option<&mut Session>,
) -> Result<(render::Written, Vec<Diagnostic>), Error> {
    let (site, theme, mut diags) = load_model(opts, phases, session.as_deref_mut())?;
    // A cold session's build is `build`'s: in batches, filling no cache.
    let mut session = session.filter(|s| s.caching());
    // Personal data blocks the build like any error. Without a session
    // the documents' texts are checked while their batch is rendered.
    let figures = check_figures || opts.desk.is_some();
    diags.extend(match session.as_deref_mut() {
        Some(s) => privacy::check_cached(&site, &mut s.privacy),
        None => privacy::check_units_and_assets(&site),
    });
    phases.done("privacy");
    // The desk shows what `check` would say.
    if let (true, Some(s)) = (figures, session.as_deref_mut()) {
        diags.extend(site::figures::check_cached(&site, &mut s.figures));
        phases.done("figures");
    }
    // A session build of most documents (the first filling the caches).
    let mut whole = false;
    let (written, site, bodies) = match session {
        Some(s) => {
            let (written, site, bodies) =
                run_cached(opts, sink, phases, (site, theme, &mut diags), s)?;
            whole = s.bodies.lean;
            // Kept for the next rebuild (`site::ModelCache`).
            s.model.keep(site);
            (written, None, bodies)
        }
        None => {
            let loaded = (site, theme, &mut diags);
            let (written, site) = run_batched(opts, sink, phases, loaded, figures)?;
            diagnostics::sort(&mut diags);
            if let Some(lang) = opts.desk {
                write_desk(sink, &site, &diags, lang)?;
                phases.done("desk");
            }
            (written, Some(site), None)
        }
    };
    release::drop_aside((site, bodies));
    if whole {
        release::trim_when_freed();
    }
    Ok((written, diags))
}

/// The editor's desk of a build (`diags` sorted) through `sink`.
fn write_desk(
    sink: &dyn Sink,
    site: &site::Site,
    diags: &[Diagnostic],
    lang: diagnostics::Lang,
) -> fs::Result<()> {
    let page = render::desk::page(site, diags, lang);
    sink.write(render::desk::PATH, page.as_bytes())
}

/// Fails the build with `diags` and the errors `more`.
fn fail_with(diags: &mut Vec<Diagnostic>) -> impl FnOnce(Vec<Diagnostic>) -> Error + '_ {
    |mut more| {
        diags.append(&mut more);
        Error::diags(std::mem::take(diags))
    }
}

type Loaded<'d> = (site::Site, theme::ThemeFiles, &'d mut Vec<Diagnostic>);

/// `build` and `check`: the documents in batches (Markdown, their pages,
/// the search index fed), then the search index and every other page;
/// memory stays bounded by the batch (see `render::batch`). Each
/// document's text is read again once, checked for personal data and,
/// with `figures`, its figures, and rendered.
fn run_batched(
    opts: &BuildOptions,
    sink: &dyn Sink,
    phases: &mut Phases,
    (mut site, theme, diags): Loaded,
    figures: bool,
) -> Result<(render::Written, site::Site), Error> {
    let known = render::known_paths(&site, &theme);
    let stats = site::stats::Stats::compute(&site);
    phases.done("stats");
    let progress = opts.progress.as_deref();
    let mut out = render::Batched::new(&site, &known, &stats, theme, sink, progress, diags)?
        .scanning(&site, figures)
        .per_context(opts.batch());
    for docs in render::Batched::batches(&site, opts.batch()) {
        out.add(&mut site, &known, &stats, &docs, diags);
    }
    phases.done("documents");
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::diags(std::mem::take(diags)));
    }
    let search_files = out.write_search(&site).map_err(fail_with(diags))?;
    phases.done("search");
    let written = out
        .finish(&site, &stats, search_files)
        .map_err(fail_with(diags))?;
    phases.done("render");
    release::drop_aside((known, stats));
    Ok((written, site))
}

/// `serve`: every body rendered (or reused) at once, kept light when many
/// are new (see [`render::bodies_cached`]), the search index and the
/// pages through the session's caches; the desk (with
/// [`BuildOptions::desk`]) beside the pages: the warnings are all known
/// by then, and the desk's parallel work fills the core the render's
/// sequential parts leave idle.
fn run_cached(
    opts: &BuildOptions,
    sink: &dyn Sink,
    phases: &mut Phases,
    (site, theme, diags): Loaded,
    session: &mut Session,
) -> Result<(render::Written, site::Site, Option<render::Bodies>), Error> {
    let known = render::known_paths(&site, &theme);
    let batch = opts.batch();
    // Light bodies are rendered again from their sources (the files read
    // again) where the search index or a page needs them; `Refill` hashes
    // the link context as the bodies do, beside them.
    let ((mut bodies, mut d), refill) = rayon::join(
        || render::bodies_cached(&site, &known, &mut session.bodies, batch),
        || render::Refill::new(&site, &known),
    );
    diags.append(&mut d);
    phases.done("markdown");
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::diags(std::mem::take(diags)));
    }
    // The figures are aggregated beside the search index (neither reads
    // the other): one core each.
    let (stats, search_files) = rayon::join(
        || session.model.stats(&site),
        || match site.config.search {
            true => {
                let cache = (&mut session.search, &refill, batch);
                render::write_search(&site, &bodies, sink, Some(cache))
            }
            false => Ok(0),
        },
    );
    phases.done("stats+search");
    let search_files = search_files.map_err(fail_with(diags))?;
    // Plain texts served only the search index.
    bodies.release_plain();
    let target = render::Target {
        sink,
        progress: opts.progress.as_deref(),
        cache: Some(&mut session.render),
        refill: Some(&refill),
        batch,
    };
    diagnostics::sort(diags);
    let (written, desk) = rayon::join(
        || render::write_site(&site, &stats, &bodies, search_files, theme, target),
        || opts.desk.map(|lang| write_desk(sink, &site, diags, lang)),
    );
    let written = written.map_err(fail_with(diags))?;
    desk.transpose()?;
    phases.done(if opts.desk.is_some() {
        "render+desk"
    } else {
        "render"
    });
    release::drop_aside(stats);
    Ok((written, site, Some(bodies)))
}

/// The model for a command that prints from it; any error fails it.
fn checked_model(opts: &BuildOptions) -> Result<(site::Site, Vec<Diagnostic>), Error> {
    let (site, _, mut diags) = load_model(opts, &mut Phases::new(), None)?;
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::diags(diags));
    }
    // The notes on documents awaiting review are `check`'s and the desk's.
    diags.retain(|d| d.severity != diagnostics::Severity::Info);
    Ok((site, diags))
}

/// `jianbao stats`: the aggregated figures as text (table, CSV or JSON).
pub fn stats_text(
    opts: &BuildOptions,
    by: Option<site::stats::Breakdown>,
    format: render::stats::Format,
) -> Result<(String, Vec<Diagnostic>), Error> {
    let (site, mut diags) = checked_model(opts)?;
    let stats = site::stats::Stats::compute(&site);
    diagnostics::sort(&mut diags);
    Ok((
        render::stats::command_output(&site, &stats, by, format),
        diags,
    ))
}

/// `jianbao check --slugs`: every document's source path beside its URL,
/// with the problems found while modelling the site.
pub fn slugs_text(opts: &BuildOptions) -> Result<(String, Vec<Diagnostic>), Error> {
    let mut phases = Phases::new();
    let (site, _, mut diags) = load_model(opts, &mut phases, None)?;
    diagnostics::sort(&mut diags);
    Ok((render::slugs::listing(&site), diags))
}

/// `jianbao status`: who has reported in `year` (default: today's) as of
/// `today` (default: the local date, or `SOURCE_DATE_EPOCH`'s).
pub fn status_text(
    opts: &BuildOptions,
    year: Option<i32>,
    today: Option<content::Date>,
    format: render::stats::Format,
) -> Result<(String, Vec<Diagnostic>), Error> {
    let (site, mut diags) = checked_model(opts)?;
    let today = today.unwrap_or_else(site::reporting::today);
    let cov = site::reporting::Coverage::compute(&site, year.unwrap_or(today.year), today);
    diagnostics::sort(&mut diags);
    Ok((render::status::command_output(&site, &cov, format), diags))
}

/// `jianbao audit`: the inspection indicators on the model and on the site
/// built in memory; writes nothing. A site that does not build is audited
/// on its model, the build's errors reported under their indicators.
pub fn audit(opts: &BuildOptions, audit_opts: &audit::Options) -> Result<audit::Report, Error> {
    match build_in_memory(opts) {
        Ok((mem, report)) => {
            let files = mem.files.into_inner().unwrap_or_else(|e| e.into_inner());
            let built = audit::Output::Memory(files);
            audit_built(
                opts,
                Some(&built),
                report.warnings,
                audit_opts,
                (None, None),
            )
        }
        Err(Error::Diagnostics(d)) => audit_built(opts, None, d, audit_opts, (None, None)),
        Err(e) => Err(e),
    }
}

/// [`audit`] of a site already built (`serve`): `files` are its output
/// (None: it did not build), `build` what the build reported; `reader`
/// (a [`Session::reader`]) reads its content from memory; `loads` keeps
/// what was found per file for the next audit of files in the same store.
pub fn audit_built(
    opts: &BuildOptions,
    files: Option<&audit::Output>,
    build: Vec<Diagnostic>,
    audit_opts: &audit::Options,
    (reader, loads): (
        Option<&mut Session>,
        Option<&mut audit::resources::LoadCache>,
    ),
) -> Result<audit::Report, Error> {
    let (site, theme, _) = load_model(opts, &mut Phases::new(), reader)?;
    let input = audit::Input {
        site: &site,
        theme: &theme,
        root: &opts.root,
        output: files,
        build,
        loads,
    };
    Ok(audit::run(input, audit_opts))
}

/// `jianbao build`: writes the site aside and swaps it in when complete.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let mut phases = Phases::new();
    let out = output_dir(&opts.root, opts.output.as_deref())?;
    let staging = output::Staging::new(&out)?;
    let (written, warnings) = run(opts, &staging, &mut phases, false, None)?;
    staging.commit()?;
    phases.done("swap");
    Ok(phases.report(written, warnings, Some(out)))
}

/// `jianbao check`: everything `build` does except writing.
pub fn check(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let mut phases = Phases::new();
    let (written, warnings) = run(opts, &output::Discard, &mut phases, true, None)?;
    Ok(phases.report(written, warnings, None))
}

/// Builds into memory (for the preview server): file path → bytes.
pub fn build_in_memory(opts: &BuildOptions) -> Result<(output::Memory, BuildReport), Error> {
    let mut phases = Phases::new();
    let mem = output::Memory::default();
    let (written, warnings) = run(opts, &mem, &mut phases, false, None)?;
    Ok((mem, phases.report(written, warnings, None)))
}
