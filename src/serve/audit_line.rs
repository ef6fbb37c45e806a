//! After each good rebuild, `serve` prints the audit's count in one line
//! (`jianbao audit` without `--online`), computed on a background thread
//! from the files just built so the preview never waits for it, once no
//! build has come for a second (saves in a row are not held up by it). Personal
//! data needs nothing here: it fails the build and shows in the overlay.
//! The audit reads the built HTML and CSS from the store one file at a
//! time, and the content as the build read it (shared, not read again). One audit runs at a time; builds published meanwhile wait in one
//! slot, the newest replacing older ones, and a result that a newer build
//! waiting has made stale is not shown.

use super::state::{Shared, Snapshot};
use jianbao::audit::resources::LoadCache;
use jianbao::diagnostics::Diagnostic;
use jianbao::store::Store;
use jianbao::BuildOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An audit thread is running.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// The newest good build not audited yet, with its warnings and what it
/// read of `content/`.
type Pending = Option<(Arc<Snapshot>, Vec<Diagnostic>, jianbao::Session)>;
static PENDING: Mutex<Pending> = Mutex::new(None);

/// What the last audit found per built file (the store names files by
/// their bytes: an unchanged page is not read again).
static LOADS: Mutex<Option<LoadCache>> = Mutex::new(None);

/// When the newest build was queued.
static QUEUED: Mutex<Option<Instant>> = Mutex::new(None);

/// An audit starts only once no build has been queued for this long: an
/// editor saving again soon would otherwise find one of two cores busy
/// with the audit of the last save (at 50k reports, seconds of CPU).
const SETTLE: Duration = Duration::from_millis(1000);

/// Waits until no build has been queued for [`SETTLE`].
fn settle() {
    loop {
        let queued = *QUEUED.lock().unwrap_or_else(|e| e.into_inner());
        let Some(since) = queued.map(|t| t.elapsed()) else {
            return;
        };
        if since >= SETTLE {
            return;
        }
        std::thread::sleep(SETTLE - since);
    }
}

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// The next build to audit, or None (and the thread stops) when none waits.
fn next() -> Pending {
    loop {
        settle();
        if let Some(job) = pending().take() {
            return Some(job);
        }
        RUNNING.store(false, Ordering::Release);
        // A build queued just before the flag fell would wait for nobody.
        if pending().is_none() || RUNNING.swap(true, Ordering::AcqRel) {
            return None;
        }
    }
}

pub fn spawn(
    root: PathBuf,
    drafts: bool,
    (snap, store): (Arc<Snapshot>, Arc<Store>),
    (warnings, reader): (Vec<Diagnostic>, jianbao::Session),
    shared: Arc<Shared>,
) {
    *pending() = Some((snap, warnings, reader));
    *QUEUED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    if RUNNING.swap(true, Ordering::AcqRel) {
        return;
    }
    let run = move || {
        while let Some((snap, warnings, mut reader)) = next() {
            audit(
                &root,
                drafts,
                (snap, &store),
                (warnings, &mut reader),
                &shared,
            );
            // The audit's model and the build's leftovers are freed now.
            jianbao::release::trim();
        }
    };
    if std::thread::Builder::new()
        .name("jianbao-audit".into())
        .spawn(run)
        .is_err()
    {
        RUNNING.store(false, Ordering::Release);
    }
}

fn audit(
    root: &std::path::Path,
    drafts: bool,
    (snap, store): (Arc<Snapshot>, &Store),
    (warnings, reader): (Vec<Diagnostic>, &mut jianbao::Session),
    shared: &Arc<Shared>,
) {
    let lang = shared.lang;
    // The model is read with the site's own base_url: the preview's
    // host is not "another host".
    let opts = BuildOptions {
        root: root.to_path_buf(),
        drafts,
        ..BuildOptions::default()
    };
    let files = jianbao::audit::Output::Disk(
        snap.files
            .iter()
            .map(|(p, &k)| (p.clone(), store.path(k)))
            .collect(),
    );
    drop(snap);
    let today = jianbao::site::reporting::today();
    let Some(today) = chrono::NaiveDate::from_ymd_opt(today.year, today.month, today.day) else {
        return;
    };
    let aopts = jianbao::audit::Options {
        today,
        online: false,
    };
    let mut loads = LOADS.lock().unwrap_or_else(|e| e.into_inner());
    let loads = loads.get_or_insert_with(LoadCache::default);
    let with = (Some(reader), Some(loads));
    let Ok(r) = jianbao::audit_built(&opts, Some(&files), warnings, &aopts, with) else {
        return;
    };
    // A newer build waits: this result is stale (and may lack files the
    // store has let go since).
    if pending().is_some() {
        return;
    }
    println!(
        "[{}] {}",
        super::now(),
        jianbao::audit::format::one_line(&r, lang)
    );
    // The desk lists the findings.
    super::desk::audited(shared, &r, lang);
}
