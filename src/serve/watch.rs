//! Watches the site's inputs (`site.yaml`, `content/`, `static/`,
//! `templates/`, `themes/`) with notify and turns bursts of raw events into
//! debounced batches of real changes: temp files and the output folder are
//! ignored, files are re-read until they stop changing, and a save that
//! changed nothing is dropped. Knows nothing about building or serving.

use jianbao::fs::is_temp_file;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

/// No event for this long ends a burst.
const QUIET: Duration = Duration::from_millis(20);
/// A burst that never goes quiet is cut here.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// Pause between two looks at a file that is maybe still being written.
const SETTLE: Duration = Duration::from_millis(5);

/// The folders watched recursively.
pub const DIRS: [&str; 4] = ["content", "static", "templates", "themes"];

/// What kind of input changed; decides how much has to be rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Config,
    Content,
    Static,
    Templates,
    Themes,
}

/// One changed input, path relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: PathBuf,
}

/// Which input a path (relative to the root) is, if any.
pub fn classify(rel: &Path) -> Option<ChangeKind> {
    let mut names = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => names.push(n.to_str()?),
            _ => return None,
        }
    }
    if names.iter().any(|n| is_temp_file(n)) {
        return None;
    }
    match names.as_slice() {
        ["site.yaml"] => Some(ChangeKind::Config),
        ["content", ..] => Some(ChangeKind::Content),
        ["static", ..] => Some(ChangeKind::Static),
        ["templates", ..] => Some(ChangeKind::Templates),
        ["themes", ..] => Some(ChangeKind::Themes),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Fingerprint {
    Missing,
    Dir,
    File(u64, u64),
}

fn fingerprint(path: &Path) -> Fingerprint {
    let Ok(meta) = std::fs::metadata(path) else {
        return Fingerprint::Missing;
    };
    if meta.is_dir() {
        return Fingerprint::Dir;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if meta.len() <= 16 << 20 {
        match std::fs::read(path) {
            Ok(bytes) => bytes.hash(&mut h),
            Err(_) => return Fingerprint::Missing,
        }
    } else {
        meta.modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .hash(&mut h);
    }
    Fingerprint::File(meta.len(), h.finish())
}

/// Looks at the files until two looks agree, so a half-written file is
/// never built.
fn settle(root: &Path, rels: &[PathBuf]) -> Vec<Fingerprint> {
    let look = || {
        rels.iter()
            .map(|r| fingerprint(&root.join(r)))
            .collect::<Vec<_>>()
    };
    let mut prev = look();
    for _ in 0..25 {
        std::thread::sleep(SETTLE);
        let now = look();
        if now == prev {
            break;
        }
        prev = now;
    }
    prev
}

fn relevant(ev: &Event) -> bool {
    match ev.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Starts watching `root` (canonical). Batches arrive on the receiver.
pub fn spawn(root: PathBuf) -> notify::Result<Receiver<Vec<Change>>> {
    let (raw_tx, raw_rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = raw_tx.send(e);
    })?;
    watcher.watch(&root, RecursiveMode::NonRecursive)?;
    // The input folders are watched before this returns (before the first
    // build), so no save made during that build goes unseen.
    let mut watched: HashSet<&'static str> = HashSet::new();
    watch_dirs(&root, &mut watcher, &mut watched);
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("jianbao-watch".into())
        .spawn(move || debounce(root, (watcher, watched), raw_rx, tx))
        .map_err(notify::Error::io)?;
    Ok(rx)
}

/// Watches each input folder of `root` not yet in `watched`, recursively
/// (one created or replaced since is watched anew); forgets those gone.
fn watch_dirs(root: &Path, watcher: &mut dyn Watcher, watched: &mut HashSet<&'static str>) {
    for d in DIRS {
        let p = root.join(d);
        if !p.is_dir() {
            watched.remove(d);
        } else if !watched.contains(d) && watcher.watch(&p, RecursiveMode::Recursive).is_ok() {
            watched.insert(d);
        }
    }
}

fn debounce(
    root: PathBuf,
    (mut watcher, mut watched): (impl Watcher, HashSet<&'static str>),
    raw: Receiver<notify::Result<Event>>,
    out: Sender<Vec<Change>>,
) {
    let mut seen: HashMap<PathBuf, Fingerprint> = HashMap::new();
    loop {
        let Ok(first) = raw.recv() else { return };
        let mut paths: HashSet<PathBuf> = HashSet::new();
        // Paths that appeared during the burst: if gone again at its end
        // they were an editor's temp files (`sed -i`, write+rename saves).
        let mut created: HashSet<PathBuf> = HashSet::new();
        let mut rescan = false;
        let mut add = |e: notify::Result<Event>, paths: &mut HashSet<PathBuf>| match e {
            Ok(ev) if relevant(&ev) => {
                rescan |= ev.need_rescan();
                if matches!(
                    ev.kind,
                    EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To))
                ) {
                    created.extend(ev.paths.iter().cloned());
                }
                paths.extend(ev.paths);
            }
            Ok(_) => {}
            Err(_) => rescan = true,
        };
        add(first, &mut paths);
        let start = Instant::now();
        while start.elapsed() < MAX_WAIT {
            match raw.recv_timeout(QUIET) {
                Ok(e) => add(e, &mut paths),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // A watched folder may have been created or replaced.
        watch_dirs(&root, &mut watcher, &mut watched);
        let mut changes: BTreeMap<PathBuf, ChangeKind> = BTreeMap::new();
        for p in &paths {
            let rel = p.strip_prefix(&root).unwrap_or(p);
            if let Some(kind) = classify(rel) {
                changes.insert(rel.to_path_buf(), kind);
            }
        }
        if rescan {
            changes.insert(PathBuf::from("site.yaml"), ChangeKind::Config);
            seen.clear();
        }
        if changes.is_empty() {
            continue;
        }
        let rels: Vec<PathBuf> = changes.keys().cloned().collect();
        let prints = settle(&root, &rels);
        let mut batch = Vec::new();
        for (rel, fp) in rels.into_iter().zip(prints) {
            let transient = fp == Fingerprint::Missing
                && created.contains(&root.join(&rel))
                && !seen.contains_key(&rel);
            if transient {
                continue;
            }
            let same = seen.get(&rel) == Some(&fp) && fp != Fingerprint::Dir;
            let kind = changes[&rel];
            seen.insert(rel.clone(), fp);
            if !same || rescan {
                batch.push(Change { kind, path: rel });
            }
        }
        if !batch.is_empty() && out.send(batch).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_inputs_and_ignores_temp_files() {
        assert_eq!(classify(Path::new("site.yaml")), Some(ChangeKind::Config));
        assert_eq!(
            classify(Path::new("content/reports/a.md")),
            Some(ChangeKind::Content)
        );
        assert_eq!(
            classify(Path::new("themes/default/static/style.css")),
            Some(ChangeKind::Themes)
        );
        for ignored in [
            "content/reports/.a.md.swp",
            "content/reports/a.md~",
            "content/reports/4913",
            "content/.#a.md",
            "public/index.html",
            ".public.jianbao-1/x",
            "site.yaml.swp",
            "target/debug/x",
            "",
        ] {
            assert_eq!(classify(Path::new(ignored)), None, "{ignored}");
        }
    }
}
