//! Filesystem wrappers that attach the path to every I/O error, so a failure
//! never reaches the user as a bare "No such file or directory"; and the
//! walk rules every reader of the site folder shares (links leading outside
//! it, editors' temporary files).

use crate::diagnostics::text;
use std::io;
use std::path::{Path, PathBuf};

/// An I/O error with the path it happened on.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FsError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

pub type Result<T> = std::result::Result<T, FsError>;

/// `r`'s error, if any, with the `path` it concerns.
pub(crate) fn wrap<T>(path: &Path, r: io::Result<T>) -> Result<T> {
    r.map_err(|source| FsError {
        path: path.to_path_buf(),
        source,
    })
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    wrap(path, std::fs::read(path))
}

pub fn write(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    wrap(path, std::fs::write(path, data))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    wrap(path, std::fs::create_dir_all(path))
}

pub fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    wrap(from, std::fs::copy(from, to).map(|_| ()))
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    wrap(from, std::fs::rename(from, to))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => wrap(path, r),
    }
}

/// Makes folder `path` (and missing parents); an existing one is fine.
pub fn create_dir_new(path: &Path) -> Result<()> {
    match std::fs::create_dir(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_dir_all(path),
        Err(e) => wrap(path, Err(e)),
    }
}

/// Writes `data` with one open, one write and one close when the folder
/// exists, making the folders only when the open finds them missing.
pub fn write_new(path: &Path, data: &[u8]) -> Result<()> {
    match std::fs::write(path, data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => write(path, data),
        r => wrap(path, r),
    }
}

/// `remove_dir_all`, removing sibling entries in parallel (rayon): deleting
/// an output folder of tens of thousands of files is mostly system time
/// per file, which two threads halve. Links are removed, not followed.
pub fn remove_tree(path: &Path) -> Result<()> {
    use rayon::prelude::*;
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        r => wrap(path, r)?,
    };
    if !meta.is_dir() {
        return wrap(path, std::fs::remove_file(path));
    }
    let entries: Vec<std::fs::DirEntry> = wrap(path, std::fs::read_dir(path))?
        .collect::<io::Result<_>>()
        .map_err(|source| FsError {
            path: path.to_path_buf(),
            source,
        })?;
    entries.par_iter().try_for_each(|e| {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => remove_tree(&p),
            _ => wrap(&p, std::fs::remove_file(&p)),
        }
    })?;
    wrap(path, std::fs::remove_dir(path))
}

/// Fills `buf` from `file` (known to the user as `path`) at offset `at`,
/// without moving its cursor: several threads read one scratch file. A
/// file that ends before `buf` is full is an error.
pub fn read_at(file: &std::fs::File, path: &Path, buf: &mut [u8], at: u64) -> Result<()> {
    #[cfg(unix)]
    let r = std::os::unix::fs::FileExt::read_exact_at(file, buf, at);
    #[cfg(windows)]
    let r = positional(buf.len(), at, |done, at| {
        std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], at)
    });
    wrap(path, r)
}

/// Writes all of `data` to `file` (known to the user as `path`) at offset
/// `at`, without moving its cursor (see [`read_at`]).
pub fn write_at(file: &std::fs::File, path: &Path, data: &[u8], at: u64) -> Result<()> {
    #[cfg(unix)]
    let r = std::os::unix::fs::FileExt::write_all_at(file, data, at);
    #[cfg(windows)]
    let r = positional(data.len(), at, |done, at| {
        std::os::windows::fs::FileExt::seek_write(file, &data[done..], at)
    });
    wrap(path, r)
}

/// Calls `step(done, offset)` (a read or write of the bytes from `done`
/// on, at `offset`, returning how many it moved) until `len` bytes are.
#[cfg(windows)]
fn positional(
    len: usize,
    at: u64,
    mut step: impl FnMut(usize, u64) -> io::Result<usize>,
) -> io::Result<()> {
    let mut done = 0;
    while done < len {
        match step(done, at + done as u64) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn canonicalize(path: &Path) -> Result<PathBuf> {
    wrap(path, std::fs::canonicalize(path))
}

/// Guards a walk of an input folder (`content/`, `static/`, `templates/`,
/// `themes/`) against symbolic links that lead outside the site root, so a
/// contributor's `x.txt -> /etc/passwd` is never published. Links that stay
/// inside the root are followed as before.
pub struct Inside {
    /// The site root, canonical; None when it cannot be resolved (then the
    /// walk itself fails on it).
    root: Option<PathBuf>,
}

impl Inside {
    pub fn new(root: &Path) -> Inside {
        Inside {
            root: std::fs::canonicalize(root).ok(),
        }
    }

    /// Where `entry` really leads when that is outside the root. Only links
    /// (and the walk's starting folder, which may sit below a linked
    /// folder) are resolved; entries below an allowed folder are inside.
    pub fn escape(&self, entry: &walkdir::DirEntry) -> Option<PathBuf> {
        if entry.depth() > 0 && !entry.path_is_symlink() {
            return None;
        }
        let root = self.root.as_ref()?;
        let real = std::fs::canonicalize(entry.path()).ok()?;
        (!real.starts_with(root)).then_some(real)
    }
}

/// The error for a link found by [`Inside::escape`], at the link's path.
pub fn link_outside(shown: &Path, target: &Path) -> crate::diagnostics::Diagnostic {
    let t = target.display();
    crate::diagnostics::Diagnostic::error(
        shown,
        0,
        0,
        text!("symbolic link leads outside the site folder (to `{}`): it is not followed or published", t;
                     "符号链接指向站点目录之外（`{}`）：不会读取或发布", t),
    )
    .with_hint(text!(
        "copy the file or folder into the site instead of linking to it";
        "请把文件或目录复制到站点中，而不是用符号链接引用"))
}

/// Files editors' tools leave behind that are never content.
pub fn is_temp_file(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('~')
        || name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913"
        || name == "Thumbs.db"
        || name == "desktop.ini"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_io_reads_what_was_written_and_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("scratch");
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .unwrap();
        write_at(&file, &path, b"world", 6).unwrap();
        write_at(&file, &path, b"hello ", 0).unwrap();
        let mut buf = [0; 5];
        read_at(&file, &path, &mut buf, 6).unwrap();
        assert_eq!(&buf, b"world");
        // Past the end: an error, on the file's path.
        let e = read_at(&file, &path, &mut buf, 9).unwrap_err();
        assert_eq!(e.path, path);
        assert_eq!(e.source.kind(), io::ErrorKind::UnexpectedEof);
    }
}
