//! The only module that writes the output folder. A build writes into a
//! staging folder beside the target and swaps it in only when complete, so
//! a failed build leaves the previous output untouched and nothing behind.

use crate::fs;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The file a site path is written to: `reports/x/` → `reports/x/index.html`.
pub fn file_for(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    }
}

/// The content hash a stored file is named by (xxh3-128 of its bytes, the
/// name `store.rs` gives it on disk).
pub type Key = u128;

/// An output file's bytes as the caches of `serve` keep them between
/// builds: the bytes, or their key in the content-addressed store that
/// serve's sink writes to (`store.rs`, a [`Sink`] built on this module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blob {
    Bytes(Arc<[u8]>),
    Stored(Key),
}

/// Where rendered files go.
pub trait Sink: Sync {
    fn write(&self, site_path: &str, bytes: &[u8]) -> fs::Result<()>;

    /// Writes `blob` and returns the handle to keep for the next build (a
    /// key when the sink stores files by key). Only a sink that stored a
    /// blob takes it back by key.
    fn write_blob(&self, site_path: &str, blob: Blob) -> fs::Result<Blob> {
        match blob {
            Blob::Bytes(b) => self.write(site_path, &b).map(|()| Blob::Bytes(b)),
            Blob::Stored(_) => Err(not_stored(site_path)),
        }
    }

    /// The bytes of `blob`, written through this sink (or another of the
    /// same store) by this build or an earlier one whose files are still
    /// kept: `serve`'s search cache reads text chunks back instead of
    /// holding them.
    fn read_blob(&self, blob: &Blob) -> fs::Result<Arc<[u8]>> {
        match blob {
            Blob::Bytes(b) => Ok(b.clone()),
            Blob::Stored(_) => Err(not_stored("")),
        }
    }

    /// [`Sink::write_blob`] for the file of a render job with a
    /// signature (a page, a feed): a sink that [carries](Sink::carries)
    /// files over keeps it until a build that has no such job
    /// [forgets](Sink::forget) it; other files go when a build does not
    /// write them.
    fn write_job(&self, site_path: &str, blob: Blob) -> fs::Result<Blob> {
        self.write_blob(site_path, blob)
    }

    /// [`Sink::write_job`] of bytes made for the file: a sink that keeps
    /// files by key writes them without making a shared copy first
    /// (stats.json at 50k: 63 MB).
    fn write_job_bytes(&self, site_path: &str, bytes: Vec<u8>) -> fs::Result<Blob> {
        self.write_job(site_path, Blob::Bytes(bytes.into()))
    }

    /// The number ([`Session::run_id`](crate::Session::run_id)) of the
    /// build whose files this sink starts from: a job's file that a cache
    /// run reuses unchanged from that build need not be written again.
    /// None: the sink starts empty.
    fn carries(&self) -> Option<u64> {
        None
    }

    /// A job's file of the build this sink starts from that no job of
    /// this build has: gone, unless this build writes it.
    fn forget(&self, _site_path: &str) {}

    /// A folder for a build's temporary files (the search index's spill
    /// files), on the output's file system; None: the system's temporary
    /// folder. What a build puts there it removes before it ends.
    fn scratch(&self) -> Option<PathBuf> {
        None
    }
}

/// The error of a sink handed a key it does not hold (a cache filled
/// through another kind of sink).
fn not_stored(site_path: &str) -> fs::FsError {
    fs::FsError {
        path: site_path.into(),
        source: std::io::Error::other("a stored file handed to a sink without its store"),
    }
}

/// Writes nothing (`jianbao check`).
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> fs::Result<()> {
        Ok(())
    }
}

/// Keeps files in memory, keyed by file path (`reports/x/index.html`).
#[derive(Default)]
pub struct Memory {
    pub files: Mutex<HashMap<String, Arc<[u8]>>>,
}

impl Memory {
    /// Room for `files` files without growing.
    pub fn with_capacity(files: usize) -> Memory {
        Memory {
            files: Mutex::new(HashMap::with_capacity(files)),
        }
    }
}

impl Sink for Memory {
    fn write(&self, site_path: &str, bytes: &[u8]) -> fs::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file_for(site_path), Arc::from(bytes));
        Ok(())
    }

    fn write_blob(&self, site_path: &str, blob: Blob) -> fs::Result<Blob> {
        let Blob::Bytes(bytes) = &blob else {
            return Err(not_stored(site_path));
        };
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file_for(site_path), bytes.clone());
        Ok(blob)
    }
}

/// Threads removing the previous output after the swap (I/O-bound).
const REMOVE_THREADS: usize = 8;

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.<name>.jianbao-<pid>` beside `target`.
    pub fn new(target: &Path) -> fs::Result<Staging> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        sweep_stale(target);
        let dir = parent.join(format!(".{name}.jianbao-{}", std::process::id()));
        fs::remove_dir_all(&dir)?;
        fs::create_dir_all(&dir)?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// Swaps the staging folder in place of the target.
    pub fn commit(mut self) -> fs::Result<()> {
        let old = self.dir.with_extension("old");
        fs::remove_dir_all(&old)?;
        if self.target.exists() {
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            // Put the previous output back before reporting.
            let _ = fs::rename(&old, &self.target);
            return Err(e);
        }
        self.committed = true;
        // Removing a tree is mostly waiting for inode-table reads, not CPU:
        // more threads than cores keep more of them in flight (10k reports:
        // 8 threads 1.6 s, 2 threads 3.4 s, `rm -rf` 5.7–7 s; 16 no better).
        match rayon::ThreadPoolBuilder::new()
            .num_threads(REMOVE_THREADS)
            .build()
        {
            Ok(pool) => pool.install(|| fs::remove_tree(&old)),
            Err(_) => fs::remove_tree(&old),
        }
    }
}

/// Removes the staging folders of builds that were killed (`kill -9`, a
/// power cut) before they could clean up: `.<name>.jianbao-<pid>` and
/// `.<name>.jianbao-<pid>.old` beside `target` whose process is gone.
/// Folders of running builds, and anything else, are left alone. Only
/// where `/proc` tells which processes run (Linux); elsewhere nothing is
/// removed. Returns the folders removed.
pub fn sweep_stale(target: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return removed;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if !Path::new("/proc/self").exists() {
        return removed;
    }
    let prefix = format!(".{}.jianbao-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return removed;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.strip_suffix(".old").unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if is_dir && !alive && fs::remove_tree(&e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed
}

impl Sink for Staging {
    fn write(&self, site_path: &str, bytes: &[u8]) -> fs::Result<()> {
        let path = self.dir.join(file_for(site_path));
        if site_path.ends_with('/') {
            // A page (`reports/x/`) is nearly always the first file of its
            // folder: making the folder first spares a failed open.
            fs::create_dir_new(&self.dir.join(site_path))?;
        }
        fs::write_new(&path, bytes)
    }

    fn scratch(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_swaps_or_vanishes() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        {
            let s = Staging::new(&target).unwrap();
            s.write("a/", b"new").unwrap();
            // dropped without commit
        }
        assert!(target.join("old.txt").exists());
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "staging left behind"
        );
        let s = Staging::new(&target).unwrap();
        s.write("a/", b"new").unwrap();
        s.commit().unwrap();
        assert!(!target.join("old.txt").exists());
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
