//! After each good rebuild, `serve` prints the audit's count in one line
//! (`jianbao audit` without `--online`), computed on a background thread
//! from the files just built so the preview never waits for it. Personal
//! data needs nothing here: it fails the build and shows in the overlay.

use super::state::{Files, Shared};
use jianbao::diagnostics::Diagnostic;
use jianbao::BuildOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One audit at a time; a rebuild during one is audited by the next.
static RUNNING: AtomicBool = AtomicBool::new(false);

pub fn spawn(
    root: PathBuf,
    drafts: bool,
    files: Arc<Files>,
    warnings: Vec<Diagnostic>,
    shared: Arc<Shared>,
) {
    let lang = shared.lang;
    if RUNNING.swap(true, Ordering::AcqRel) {
        return;
    }
    let run = move || {
        // The model is read with the site's own base_url: the preview's
        // host is not "another host".
        let opts = BuildOptions {
            root,
            drafts,
            ..BuildOptions::default()
        };
        let today = jianbao::site::reporting::today();
        if let Some(today) = chrono::NaiveDate::from_ymd_opt(today.year, today.month, today.day) {
            let aopts = jianbao::audit::Options {
                today,
                online: false,
            };
            if let Ok(r) = jianbao::audit_built(&opts, Some(&files), warnings, &aopts) {
                println!(
                    "[{}] {}",
                    super::now(),
                    jianbao::audit::format::one_line(&r, lang)
                );
                // The desk lists the findings.
                super::desk::audited(&shared, &r, lang);
            }
        }
        RUNNING.store(false, Ordering::Release);
    };
    if std::thread::Builder::new()
        .name("jianbao-audit".into())
        .spawn(run)
        .is_err()
    {
        RUNNING.store(false, Ordering::Release);
    }
}
