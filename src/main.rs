//! The `jianbao` binary: parse the command line, run, print diagnostics in
//! the user's language once, and map the outcome to an exit code
//! (0 ok, 1 content errors, 2 usage errors, 3 internal errors).

mod cli;
mod serve;

use clap::Parser;
use cli::{ByArg, Cli, Command, FormatArg, NewKindArg};
use jianbao::diagnostics::{text, Diagnostic, Lang};
use jianbao::render::stats::Format;
use jianbao::scaffold::{self, NewKind};
use jianbao::site::stats::Breakdown;
use jianbao::{BuildOptions, BuildReport, Error};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn print_diags(diags: &[Diagnostic], lang: Lang) {
    for d in diags {
        eprintln!("{}", d.render(lang));
    }
}

fn summary(diags: &[Diagnostic], lang: Lang) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == jianbao::diagnostics::Severity::Warning)
        .count();
    match lang {
        Lang::En => format!("{errors} error(s), {warnings} warning(s)"),
        Lang::Zh => format!("{errors} 个错误，{warnings} 个警告"),
    }
}

fn fail(e: Error, lang: Lang) -> ExitCode {
    match e {
        Error::Diagnostics(d) => {
            print_diags(&d, lang);
            let msg = match lang {
                Lang::En => "build failed",
                Lang::Zh => "构建失败",
            };
            let colon = if lang == Lang::Zh { "：" } else { ": " };
            eprintln!("{msg}{colon}{}", summary(&d, lang));
            ExitCode::from(1)
        }
        Error::Usage(t) => {
            let label = if lang == Lang::Zh {
                "错误："
            } else {
                "error: "
            };
            eprintln!("{label}{}", t.get(lang));
            ExitCode::from(2)
        }
        Error::Io(e) => {
            let label = if lang == Lang::Zh {
                "错误："
            } else {
                "error: "
            };
            eprintln!("{label}{e}");
            ExitCode::from(1)
        }
    }
}

fn report_done(r: &BuildReport, lang: Lang, timings: bool, verb: (&str, &str)) {
    print_diags(&r.warnings, lang);
    let ms = r.elapsed.as_secs_f64() * 1000.0;
    let line = match lang {
        Lang::En => format!(
            "{}: {} pages, {} files in {:.0} ms",
            verb.0, r.pages, r.files, ms
        ),
        Lang::Zh => format!(
            "{}：{} 个页面，{} 个文件，用时 {:.0} 毫秒",
            verb.1, r.pages, r.files, ms
        ),
    };
    let line = match (&r.output, lang) {
        (Some(o), Lang::En) => format!("{line} → {}", o.display()),
        (Some(o), Lang::Zh) => format!("{line} → {}", o.display()),
        (None, _) => line,
    };
    println!("{line}");
    if timings {
        for p in &r.timings {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
            let mut line = format!("  {:<10} {:>8.1} ms", p.name, ms(p.wall));
            if let Some((user, sys)) = p.cpu {
                line += &format!("   cpu {:>6.0} user {:>6.0} sys", ms(user), ms(sys));
            }
            if let Some((now, peak)) = p.rss {
                let mb = |b: u64| b as f64 / 1048576.0;
                line += &format!("   rss {:>5.0} MB (peak {:.0})", mb(now), mb(peak));
            }
            println!("{line}");
        }
    }
}

/// A progress bar on an interactive terminal, shown once a build has more
/// than a few thousand files to render.
fn progress_bar() -> Option<std::sync::Arc<jianbao::ProgressFn>> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = std::sync::OnceLock::<indicatif::ProgressBar>::new();
    Some(std::sync::Arc::new(move |done, total| {
        if total < 2000 {
            return;
        }
        let b = bar.get_or_init(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed}")
            {
                b.set_style(style);
            }
            b
        });
        b.set_position(done as u64);
        if done >= total {
            b.finish_and_clear();
        }
    }))
}

/// glibc gives each thread that allocates its own malloc arena; memory freed
/// in one (the search index, built on rayon's threads) is not reused by the
/// others (page rendering), so peak RSS grows by the sum. Two arenas for two
/// workers plus the main thread: 10k reports, 430 MB → 350 MB at the same
/// speed (one arena costs 40 % more time in lock contention). A no-op unless
/// the user set `MALLOC_ARENA_MAX` themselves.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_ARENA_MAX: std::ffi::c_int = -8;
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator tunable; called before any
        // other thread exists.
        unsafe {
            mallopt(M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// The last line of defence: a panic (a bug, never a content problem,
/// which is a diagnostic) prints one line naming the file being processed
/// and ends the command with exit code 3, never a backtrace. Set
/// `JIANBAO_BACKTRACE=1` to get Rust's usual report as well.
fn on_panic(lang: Lang) {
    let default = std::panic::take_hook();
    let debug = std::env::var_os("JIANBAO_BACKTRACE").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        if debug {
            default(info);
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" [{}:{}]", l.file(), l.line()))
            .unwrap_or_default();
        let file = jianbao::current::file().map(|f| f.display().to_string());
        let line = match (lang, file) {
            (Lang::En, Some(f)) => {
                format!("internal error, please report: {what}{at}, while processing {f}")
            }
            (Lang::En, None) => format!("internal error, please report: {what}{at}"),
            (Lang::Zh, Some(f)) => format!("内部错误，请报告：{what}{at}，处理文件 {f} 时"),
            (Lang::Zh, None) => format!("内部错误，请报告：{what}{at}"),
        };
        eprintln!("{line}");
    }));
}

/// `jianbao status`.
fn status(
    root: PathBuf,
    year: Option<i32>,
    today: Option<String>,
    format: FormatArg,
    lang: Lang,
) -> ExitCode {
    let today = match today
        .as_deref()
        .map(|t| (t, jianbao::content::Date::parse(t)))
    {
        None => None,
        Some((_, Some(d))) => Some(d),
        Some((t, None)) => {
            let e = Error::Usage(
                text!("--today must be a date like 2024-07-20, found `{}`", t;
                                       "--today 应为日期，例如 2024-07-20，实际为 `{}`", t),
            );
            return fail(e, lang);
        }
    };
    let opts = BuildOptions {
        root,
        ..BuildOptions::default()
    };
    match jianbao::status_text(&opts, year, today, format_of(format)) {
        Ok((text, warnings)) => {
            print_diags(&warnings, lang);
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, lang),
    }
}

/// `jianbao audit`: the report on stdout; exit 1 when any finding is an error.
fn audit(
    root: PathBuf,
    today: Option<String>,
    online: bool,
    format: cli::AuditFormatArg,
    lang: Lang,
) -> ExitCode {
    use jianbao::audit::format::{self, Format as AuditFormat};
    let today = match today.as_deref() {
        None => jianbao::site::reporting::today(),
        Some(t) => match jianbao::content::Date::parse(t) {
            Some(d) => d,
            None => {
                let e = Error::Usage(
                    text!("--today must be a date like 2024-07-20, found `{}`", t;
                                           "--today 应为日期，例如 2024-07-20，实际为 `{}`", t),
                );
                return fail(e, lang);
            }
        },
    };
    let Some(today) = chrono::NaiveDate::from_ymd_opt(today.year, today.month, today.day) else {
        return ExitCode::from(2);
    };
    let opts = BuildOptions {
        root,
        ..BuildOptions::default()
    };
    let format = match format {
        cli::AuditFormatArg::Text => AuditFormat::Text,
        cli::AuditFormatArg::Json => AuditFormat::Json,
        cli::AuditFormatArg::Html => AuditFormat::Html,
    };
    match jianbao::audit(&opts, &jianbao::audit::Options { today, online }) {
        Ok(report) => {
            print!("{}", format::render(&report, format, lang));
            if report.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(e, lang),
    }
}

fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let lang = Lang::from_env();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    on_panic(lang);
    // Unwinding runs destructors: a failed build's staging folder goes.
    std::panic::catch_unwind(move || dispatch(cli, lang)).unwrap_or(ExitCode::from(3))
}

/// Runs the command.
fn dispatch(cli: Cli, lang: Lang) -> ExitCode {
    match cli.command {
        Command::Init { dir } => init(&dir, lang),
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            timings,
        } => {
            let opts = BuildOptions {
                root,
                output,
                base_url,
                drafts,
                progress: progress_bar(),
                ..BuildOptions::default()
            };
            match jianbao::build(&opts) {
                Ok(r) => {
                    report_done(&r, lang, timings, ("built", "构建完成"));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e, lang),
            }
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            open,
            timings,
        } => serve::run(serve::Options {
            root,
            bind,
            port,
            drafts,
            open,
            timings,
        }),
        Command::Check {
            root,
            drafts,
            slugs,
        } => check(root, drafts, slugs, lang),
        Command::Stats {
            root,
            by,
            format,
            drafts,
        } => stats(root, by, format, drafts, lang),
        Command::Import {
            paths,
            root,
            to,
            unit,
            force,
            dry_run,
            date_from_file,
        } => {
            let opts = jianbao::import::Options {
                root,
                paths,
                to,
                unit,
                force,
                dry_run,
                date_from_file,
            };
            import(&opts, lang)
        }
        Command::Status {
            root,
            year,
            today,
            format,
        } => status(root, year, today, format, lang),
        Command::Audit {
            root,
            today,
            online,
            format,
        } => audit(root, today, online, format, lang),
        Command::New {
            kind,
            path,
            title,
            unit,
            root,
        } => new_document(&root, kind, &path, title.as_deref(), unit.as_deref(), lang),
    }
}

/// `jianbao init`.
fn init(dir: &Path, lang: Lang) -> ExitCode {
    match scaffold::init(dir) {
        Ok(files) => {
            for f in files {
                println!("{}", scaffold::created(&f).get(lang));
            }
            let next = text!("next: cd {} && jianbao build", dir.display(); "下一步：cd {} && jianbao build", dir.display());
            println!("{}", next.get(lang));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, lang),
    }
}

/// `jianbao check`: everything `build` checks, nothing written.
fn check(root: PathBuf, drafts: bool, slugs: bool, lang: Lang) -> ExitCode {
    let opts = BuildOptions {
        root,
        drafts,
        ..BuildOptions::default()
    };
    if slugs {
        // Problems are reported once, by the check below.
        if let Ok((text, _)) = jianbao::slugs_text(&opts) {
            print!("{text}");
        }
    }
    match jianbao::check(&opts) {
        Ok(r) => {
            report_done(&r, lang, false, ("checked, no errors", "检查通过"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, lang),
    }
}

/// `jianbao stats`.
fn stats(
    root: PathBuf,
    by: Option<ByArg>,
    format: FormatArg,
    drafts: bool,
    lang: Lang,
) -> ExitCode {
    let opts = BuildOptions {
        root,
        drafts,
        ..BuildOptions::default()
    };
    let by = by.map(|b| match b {
        ByArg::Unit => Breakdown::Unit,
        ByArg::Type => Breakdown::Type,
        ByArg::Period => Breakdown::Period,
        ByArg::Tag => Breakdown::Tag,
    });
    match jianbao::stats_text(&opts, by, format_of(format)) {
        Ok((text, warnings)) => {
            print_diags(&warnings, lang);
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, lang),
    }
}

/// `jianbao import`: one line per file; exit 1 when any file failed.
fn import(opts: &jianbao::import::Options, lang: Lang) -> ExitCode {
    let dry_run = opts.dry_run;
    match jianbao::import::run(opts) {
        Ok(outcomes) => {
            let mut failed = false;
            for o in &outcomes {
                let line = o.line();
                if matches!(o, jianbao::import::Outcome::Failed(..)) {
                    failed = true;
                    eprintln!("{}", line.get(lang));
                } else {
                    println!("{}", line.get(lang));
                }
            }
            println!("{}", jianbao::import::summary(&outcomes, dry_run).get(lang));
            ExitCode::from(u8::from(failed))
        }
        Err(e) => fail(e, lang),
    }
}

/// `jianbao new`.
fn new_document(
    root: &Path,
    kind: NewKindArg,
    path: &Path,
    title: Option<&str>,
    unit: Option<&str>,
    lang: Lang,
) -> ExitCode {
    let kind = match kind {
        NewKindArg::Report => NewKind::Report,
        NewKindArg::Article => NewKind::Article,
    };
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    match scaffold::new_document(root, kind, path, title, unit, &today) {
        Ok(p) => {
            println!("{}", scaffold::created(&p).get(lang));
            if let Some(url) = scaffold::new_url(root, kind, &p) {
                println!("{}", scaffold::will_be_at(&url).get(lang));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, lang),
    }
}
