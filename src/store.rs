//! The on-disk output of `serve`: a private folder of files named by the
//! xxh3-128 hash of their bytes, and per build a manifest (site file path →
//! hash). A file is written once and never changed, so a request reading
//! the last build's manifest never sees a half-written or newer file; a
//! rebuild writes only bytes the folder does not hold yet, and the caches
//! between rebuilds keep 16-byte keys instead of every output's bytes.
//! The folder lives under the system's temporary folder and is removed when
//! the [`Store`] is dropped (`serve` also removes it when stopped by a
//! signal, and folders left by a killed `serve` when it starts).

use crate::fs;
/// The content hash a stored file is named by (declared beside [`Blob`],
/// which holds it).
pub use crate::output::Key;
use crate::output::{file_for, Blob, Sink};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Output file path (`reports/x/index.html`) → the key of its bytes. Fx
/// hashed: `serve` looks up and compares every path of two manifests
/// after each rebuild, and paths are the site's own.
pub type Manifest = crate::hash::FxHashMap<String, Key>;

/// A private folder of content-addressed files (see the module header).
pub struct Store {
    dir: PathBuf,
    /// Keys of the files in the folder.
    held: Mutex<HashSet<Key>>,
}

impl Store {
    /// Creates an empty store in a new folder under `parent` (the system's
    /// temporary folder for `serve`).
    pub fn new(parent: &Path) -> fs::Result<Store> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = parent.join(format!("jianbao-serve-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| fs::FsError {
            path: dir.clone(),
            source: e,
        })?;
        // 256 subfolders by the key's first byte keep each folder small.
        for b in 0..=255u8 {
            fs::create_dir_all(&dir.join(format!("{b:02x}")))?;
        }
        Ok(Store {
            dir,
            held: Mutex::default(),
        })
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the folders of stores under `parent` whose process is gone
    /// (killed before it could remove its own); returns how many. Only
    /// where the system lists its processes (`/proc`); elsewhere none.
    pub fn remove_stale(parent: &Path) -> usize {
        if !Path::new("/proc/self").exists() {
            return 0;
        }
        let Ok(entries) = std::fs::read_dir(parent) else {
            return 0;
        };
        let stale = entries.flatten().filter(|e| {
            let name = e.file_name();
            let pid = name
                .to_str()
                .and_then(|n| n.strip_prefix("jianbao-serve-"))
                .and_then(|n| n.split('-').next())
                .and_then(|p| p.parse::<u32>().ok());
            pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists())
        });
        stale
            .filter(|e| std::fs::remove_dir_all(e.path()).is_ok())
            .count()
    }

    /// Where the file with key `key` is.
    pub fn path(&self, key: Key) -> PathBuf {
        let hex = format!("{key:032x}");
        self.dir.join(&hex[..2]).join(&hex[2..])
    }

    /// Stores `bytes` (written only when no file has them yet).
    pub fn put(&self, bytes: &[u8]) -> fs::Result<Key> {
        let key = xxhash_rust::xxh3::xxh3_128(bytes);
        let fresh = self.lock().insert(key);
        if fresh {
            if let Err(e) = fs::write_new(&self.path(key), bytes) {
                self.lock().remove(&key);
                return Err(e);
            }
        }
        Ok(key)
    }

    /// Removes every file whose key `keep` does not hold; returns how many.
    /// A request that opened one before keeps reading it (on Unix); one
    /// that had not yet asks the newest manifest again (see `serve`).
    pub fn retain(&self, keep: &dyn Fn(Key) -> bool) -> usize {
        let mut held = self.lock();
        let gone: Vec<Key> = held.iter().copied().filter(|&k| !keep(k)).collect();
        let mut removed = 0;
        for k in &gone {
            // A file that cannot be removed now (open on Windows) stays
            // held, so equal bytes later reuse it instead of rewriting it.
            match std::fs::remove_file(self.path(*k)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
                _ => removed += held.remove(k) as usize,
            }
        }
        removed
    }

    /// How many files the folder holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the folder holds no file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Key>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The files of a good build that the next build's sink starts from
/// ([`StoreSink::carrying`]): at city scale most files of a rebuild are
/// the last one's, and a manifest made anew costs a path and an insert
/// per file (73k files at 50k reports: 34 ms on the way to the reload).
pub struct Carried {
    /// The build's number ([`Session::run_id`](crate::Session::run_id)).
    pub run: u64,
    /// Its manifest.
    pub files: Manifest,
    /// Its files other than jobs' ([`Sink::write_job`]): they go when a
    /// build does not write them.
    pub others: Vec<String>,
}

/// What one build through a [`StoreSink`] made.
pub struct Output {
    /// The build's files and their keys.
    pub files: Manifest,
    /// Files added, changed or removed since the carried build, sorted
    /// (None: the sink started empty).
    pub changed: Option<Vec<String>>,
    /// Its files other than jobs', for [`Carried::others`].
    pub others: Vec<String>,
    /// How many files it wrote (the rest carried over).
    pub written: usize,
}

/// One build writing into a [`Store`]: collects the build's manifest.
pub struct StoreSink<'a> {
    store: &'a Store,
    /// The files written by this build.
    files: Mutex<Manifest>,
    /// Of those, the ones not written as a job's.
    others: Mutex<Vec<String>>,
    base: Option<Carried>,
    /// Job files of `base` that no job of this build has.
    forgotten: Mutex<Vec<String>>,
}

impl<'a> StoreSink<'a> {
    /// `files`: the number of files expected (room without growing).
    pub fn new(store: &'a Store, files: usize) -> StoreSink<'a> {
        StoreSink::carrying(store, files, None)
    }

    /// A sink that starts from the files of `base` (see [`Sink::carries`]).
    pub fn carrying(store: &'a Store, files: usize, base: Option<Carried>) -> StoreSink<'a> {
        // With a base, only what the build writes (a few files per edit).
        let room = if base.is_some() { 64 } else { files };
        StoreSink {
            store,
            files: Mutex::new(Manifest::with_capacity_and_hasher(room, Default::default())),
            others: Mutex::default(),
            base,
            forgotten: Mutex::default(),
        }
    }

    /// The build's files and their keys.
    pub fn into_manifest(self) -> Manifest {
        self.into_output().files
    }

    /// The files it started from, handed back (a failed build's sink).
    pub fn into_base(self) -> Option<Carried> {
        self.base
    }

    /// The build's files: those it started from that it neither forgot nor
    /// stopped writing, with the ones it wrote.
    pub fn into_output(self) -> Output {
        let written = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        let others = self.others.into_inner().unwrap_or_else(|e| e.into_inner());
        let Some(base) = self.base else {
            return Output {
                written: written.len(),
                files: written,
                changed: None,
                others,
            };
        };
        let count = written.len();
        let forgotten = self
            .forgotten
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut files = base.files;
        let mut changed = Vec::new();
        for p in base.others.iter().chain(&forgotten) {
            if !written.contains_key(p) && files.remove(p).is_some() {
                changed.push(p.clone());
            }
        }
        for (p, k) in written {
            match files.get_mut(&p) {
                Some(old) if *old == k => {}
                Some(old) => {
                    *old = k;
                    changed.push(p);
                }
                None => {
                    changed.push(p.clone());
                    files.insert(p, k);
                }
            }
        }
        changed.sort_unstable();
        changed.dedup();
        Output {
            files,
            changed: Some(changed),
            others,
            written: count,
        }
    }

    fn record(&self, site_path: &str, key: Key, job: bool) {
        // The path made before the lock is taken (render threads share it).
        let file = file_for(site_path);
        if !job {
            let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
            others.push(file.clone());
        }
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file, key);
    }

    fn put_blob(&self, blob: Blob) -> fs::Result<Key> {
        match blob {
            Blob::Bytes(b) => self.store.put(&b),
            Blob::Stored(k) => Ok(k),
        }
    }
}

impl Sink for StoreSink<'_> {
    fn write(&self, site_path: &str, bytes: &[u8]) -> fs::Result<()> {
        let key = self.store.put(bytes)?;
        self.record(site_path, key, false);
        Ok(())
    }

    fn write_blob(&self, site_path: &str, blob: Blob) -> fs::Result<Blob> {
        let key = self.put_blob(blob)?;
        self.record(site_path, key, false);
        Ok(Blob::Stored(key))
    }

    fn write_job(&self, site_path: &str, blob: Blob) -> fs::Result<Blob> {
        let key = self.put_blob(blob)?;
        self.record(site_path, key, true);
        Ok(Blob::Stored(key))
    }

    fn write_job_bytes(&self, site_path: &str, bytes: Vec<u8>) -> fs::Result<Blob> {
        let key = self.store.put(&bytes)?;
        drop(bytes);
        self.record(site_path, key, true);
        Ok(Blob::Stored(key))
    }

    fn carries(&self) -> Option<u64> {
        self.base.as_ref().map(|b| b.run)
    }

    fn forget(&self, site_path: &str) {
        if self.base.is_some() {
            let mut gone = self.forgotten.lock().unwrap_or_else(|e| e.into_inner());
            gone.push(file_for(site_path));
        }
    }

    fn read_blob(&self, blob: &Blob) -> fs::Result<std::sync::Arc<[u8]>> {
        match blob {
            Blob::Bytes(b) => Ok(b.clone()),
            Blob::Stored(k) => fs::read(&self.store.path(*k)).map(std::sync::Arc::from),
        }
    }

    /// The store's own folder: a `serve` killed during its first build
    /// (whose search index spills hundreds of MB at 50k) leaves its spill
    /// files where the next `serve` removes them ([`Store::remove_stale`]),
    /// not loose in the system's temporary folder.
    fn scratch(&self) -> Option<PathBuf> {
        Some(self.store.dir().to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a build through `store` puts its temporary files.
    fn sink_scratch(store: &Store) -> PathBuf {
        let scratch = StoreSink::new(store, 0).scratch().unwrap();
        std::fs::create_dir_all(scratch.join("jianbao-search-1-0")).unwrap();
        scratch
    }

    #[test]
    fn stores_once_keeps_handles_and_removes_unused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path()).unwrap();
        let sink = StoreSink::new(&store, 4);
        sink.write("a/", b"same").unwrap();
        sink.write("b.css", b"same").unwrap();
        let Blob::Stored(c) = sink
            .write_blob("c.txt", Blob::Bytes(b"c".as_ref().into()))
            .unwrap()
        else {
            panic!("a store sink hands back keys");
        };
        sink.write_blob("d.txt", Blob::Stored(c)).unwrap();
        let m = sink.into_manifest();
        assert_eq!(m.len(), 4);
        assert_eq!(m["a/index.html"], m["b.css"]);
        assert_eq!(store.len(), 2, "equal bytes are stored once");
        assert_eq!(std::fs::read(store.path(m["d.txt"])).unwrap(), b"c");
        assert_eq!(store.retain(&|k| k == c), 1);
        assert!(!store.path(m["b.css"]).exists());
        let scratch = sink_scratch(&store);
        assert!(
            scratch.starts_with(store.dir()),
            "spill files go with the store"
        );
        let dir = store.dir.clone();
        drop(store);
        assert!(!dir.exists(), "the folder goes with the store");
    }

    /// A sink carrying a build's files keeps the job files it was not
    /// handed, drops what it forgot and other files it did not write, and
    /// says what changed.
    #[test]
    fn a_carried_build_keeps_unwritten_jobs_and_drops_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path()).unwrap();
        let first = StoreSink::new(&store, 4);
        let blob = |b: &[u8]| Blob::Bytes(b.into());
        first.write_job("a/", blob(b"a")).unwrap();
        first.write_job("b/", blob(b"b")).unwrap();
        first.write_job("gone/", blob(b"g")).unwrap();
        first.write("search/x.json", b"x").unwrap();
        first.write("search/old.json", b"o").unwrap();
        let out = first.into_output();
        assert_eq!((out.changed, out.written), (None, 5));
        let base = Carried {
            run: 7,
            files: out.files.clone(),
            others: out.others,
        };
        let next = StoreSink::carrying(&store, 5, Some(base));
        assert_eq!(next.carries(), Some(7));
        // `a/` reused unchanged: not written. `b/` changed, `gone/` gone.
        next.write_job("b/", blob(b"B")).unwrap();
        next.forget("gone/");
        next.write("search/x.json", b"x").unwrap();
        next.write("c.css", b"c").unwrap();
        let out = next.into_output();
        let mut files: Vec<&str> = out.files.keys().map(String::as_str).collect();
        files.sort_unstable();
        assert_eq!(
            files,
            ["a/index.html", "b/index.html", "c.css", "search/x.json"]
        );
        assert_eq!(
            out.changed.unwrap(),
            [
                "b/index.html",
                "c.css",
                "gone/index.html",
                "search/old.json"
            ]
        );
        assert_eq!(out.written, 3);
        let mut others = out.others;
        others.sort_unstable();
        assert_eq!(others, ["c.css", "search/x.json"]);
        // A forgotten file written again by another job stays.
        let base = Carried {
            run: 8,
            files: out.files,
            others,
        };
        let again = StoreSink::carrying(&store, 4, Some(base));
        again.forget("a/");
        again.write_job("a/", blob(b"a")).unwrap();
        again.write("c.css", b"c").unwrap();
        again.write("search/x.json", b"x").unwrap();
        let out = again.into_output();
        assert_eq!(out.changed.unwrap(), Vec::<String>::new());
        assert_eq!(out.files.len(), 4);
        // A failed build hands its base back.
        let sink = StoreSink::carrying(
            &store,
            4,
            Some(Carried {
                run: 9,
                files: out.files,
                others: out.others,
            }),
        );
        assert_eq!(sink.into_base().map(|b| b.run), Some(9));
    }

    #[test]
    fn folders_of_gone_processes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let live = Store::new(tmp.path()).unwrap();
        // No process has this id (above Linux's largest, 2^22).
        let gone = tmp.path().join("jianbao-serve-4294967-1f");
        std::fs::create_dir_all(gone.join("ab")).unwrap();
        let other = tmp.path().join("jianbao-serve-x");
        std::fs::create_dir_all(&other).unwrap();
        let removed = Store::remove_stale(tmp.path());
        assert!(live.dir().exists() && other.exists());
        if Path::new("/proc/self").exists() {
            assert_eq!(removed, 1);
            assert!(!gone.exists());
        }
    }
}
