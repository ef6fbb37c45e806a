//! The site being served: an immutable snapshot (the manifest of files in
//! the store, base path, build errors) swapped atomically after each
//! rebuild, so a request never sees half a site. The files' bytes are in a
//! [`Store`] on disk, written once and never changed.

use super::hub::Hub;
use jianbao::diagnostics::Lang;
use jianbao::store::{Key, Manifest, Store};
use std::sync::{Arc, RwLock};

/// Output file path (`reports/x/index.html`) → key of its bytes.
pub type Files = Manifest;

/// One consistent view of the site. Never mutated once published.
#[derive(Clone, Default)]
pub struct Snapshot {
    pub files: Arc<Files>,
    /// Path part of base_url, with leading and trailing slash (`/cw/`).
    pub base_path: String,
    /// Bumped whenever `files` change; part of the version clients compare.
    pub generation: u64,
    /// Rendered diagnostics of the last failed build; empty when it succeeded.
    pub errors: Arc<Vec<String>>,
}

/// What the request threads, the SSE threads and the rebuild loop share.
pub struct Shared {
    site: RwLock<Arc<Snapshot>>,
    /// Where every snapshot's files are.
    pub store: Arc<Store>,
    pub hub: Hub,
    pub lang: Lang,
    /// Differs on every server start, so clients notice a restart.
    pub nonce: String,
    /// The desk's audit section as last filled in (empty: no audit yet).
    pub audit_html: std::sync::Mutex<String>,
    /// The key marking the served desk's findings (`data-audit`), told in
    /// `hello`; empty before the first audit is shown.
    pub audit_key: std::sync::Mutex<String>,
    /// The last desk page filled with findings: the key of the page as
    /// built, the hash of the findings' HTML and the key of the page
    /// filled (a save that changes neither the desk nor the findings,
    /// most, reuses the filled page instead of reading, filling and
    /// storing megabytes at city scale).
    pub desk_filled: std::sync::Mutex<Option<(Key, u64, Key)>>,
    /// Hashes of the warnings the last good build printed (None before
    /// the first), so that a rebuild prints only the new ones.
    printed: std::sync::Mutex<Option<std::collections::HashSet<u64>>>,
}

impl Shared {
    pub fn new(lang: Lang, store: Arc<Store>) -> Shared {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Shared {
            site: RwLock::new(Arc::new(Snapshot {
                base_path: "/".into(),
                ..Snapshot::default()
            })),
            store,
            hub: Hub::default(),
            lang,
            nonce: format!("{:x}{:x}", nanos, std::process::id()),
            audit_html: Default::default(),
            audit_key: Default::default(),
            desk_filled: Default::default(),
            printed: Default::default(),
        }
    }

    /// Of a good build's `warnings`, those the last good build did not
    /// print (all of them on the first), and how many it did.
    pub fn new_warnings<'w>(&self, warnings: &'w [String]) -> (Vec<&'w str>, usize) {
        let hash = |w: &String| xxhash_rust::xxh3::xxh3_64(w.as_bytes());
        let mut printed = self.printed.lock().unwrap_or_else(|e| e.into_inner());
        let fresh: Vec<&str> = match printed.as_ref() {
            Some(seen) => warnings
                .iter()
                .filter(|w| !seen.contains(&hash(w)))
                .map(String::as_str)
                .collect(),
            None => warnings.iter().map(String::as_str).collect(),
        };
        let unchanged = warnings.len() - fresh.len();
        *printed = Some(warnings.iter().map(hash).collect());
        (fresh, unchanged)
    }

    /// The current snapshot; the lock is held only to clone the `Arc`.
    pub fn current(&self) -> Arc<Snapshot> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Publishes a complete new snapshot.
    pub fn publish(&self, snap: Snapshot) {
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snap);
    }

    /// Opens `file` of `snap`; when the store has already let it go (a
    /// newer snapshot was published meanwhile), of the newest snapshot,
    /// which then replaces `snap`.
    pub fn open(&self, snap: &mut Arc<Snapshot>, file: &str) -> Option<std::fs::File> {
        for _ in 0..3 {
            let key = *snap.files.get(file)?;
            match std::fs::File::open(self.store.path(key)) {
                Ok(f) => return Some(f),
                Err(_) => *snap = self.current(),
            }
        }
        None
    }

    /// [`Shared::open`], read whole.
    pub fn read(&self, snap: &mut Arc<Snapshot>, file: &str) -> Option<Vec<u8>> {
        let mut f = self.open(snap, file)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).ok()?;
        Some(bytes)
    }

    /// Replaces the current snapshot's files with what `f` makes of them
    /// (None: no change), as one step no rebuild can interleave with. The
    /// version stays: open pages are not reloaded for it. Returns whether
    /// anything changed.
    pub fn update(&self, f: impl FnOnce(&Snapshot) -> Option<Files>) -> bool {
        let mut site = self.site.write().unwrap_or_else(|e| e.into_inner());
        let Some(files) = f(&site) else {
            return false;
        };
        let snap = Snapshot {
            files: Arc::new(files),
            ..(**site).clone()
        };
        *site = Arc::new(snap);
        true
    }

    /// The version string of a snapshot as the client sees it.
    pub fn version(&self, snap: &Snapshot) -> String {
        format!("{}-{}", self.nonce, snap.generation)
    }
}
