//! What the cache keeps of each document, and how a document is known again.

use super::super::format::{snippet_text, MAX_TEXT};
use super::super::input::DocInput;
use crate::output::Blob;
use std::borrow::Cow;
use std::sync::Arc;

/// The site paths of the documents in id order, in one string: compared
/// with the model's on every build, read in order.
#[derive(Default)]
pub(super) struct Paths {
    pub(super) text: String,
    pub(super) ends: Vec<usize>,
}

impl Paths {
    pub(super) fn of(inputs: &[DocInput]) -> Paths {
        let mut p = Paths {
            text: String::with_capacity(inputs.iter().map(|d| d.path.len()).sum()),
            ends: Vec::with_capacity(inputs.len()),
        };
        for d in inputs {
            p.text.push_str(d.path);
            p.ends.push(p.text.len());
        }
        p
    }

    pub(super) fn get(&self, i: usize) -> &str {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[from..self.ends[i]]
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }

    /// Whether these are the paths of `inputs`, in order.
    pub(super) fn same(&self, inputs: &[DocInput]) -> bool {
        self.ends.len() == inputs.len() && self.iter().zip(inputs).all(|(a, d)| a == d.path)
    }
}

/// What is kept of one document (its path: [`Paths`]).
pub(super) struct Doc {
    /// The body's key (0: unknown, never the same), [`meta`] and a hash of
    /// the body's plain text.
    pub(super) key: u64,
    pub(super) meta: u64,
    pub(super) text_hash: u64,
    /// See [`super::vocab::push_entry_code`] and [`Lists`].
    pub(super) tokens: Tokens,
    /// Where the document's row is: in the JSON of the text chunk file
    /// `src` (of the state's `chunk_files`, read back from the sink when a
    /// chunk holding it is written again), at these offsets.
    pub(super) src: usize,
    pub(super) row: (usize, usize),
    /// The xxh3 of the row.
    pub(super) row_hash: u64,
    /// [`Row::cost`](super::format::Row::cost) of the row.
    pub(super) row_cost: usize,
}

impl Doc {
    /// Whether `d`, whose [`meta`] is `meta`, is the document this was made
    /// from (then its key is taken: equal keys need no text hash next time).
    pub(super) fn same(&mut self, d: &DocInput, meta: u64) -> bool {
        let same = d.key != 0
            && self.meta == meta
            && (self.key == d.key
                || self.text_hash == d.text_hash.unwrap_or_else(|| text_hash(d.text)));
        if same {
            self.key = d.key;
        }
        same
    }
}

/// A document's token list, or where in the state's [`Lists`] file it is.
pub(super) enum Tokens {
    Here(Box<[u8]>),
    Stored(u64, u32),
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens::Here(Box::default())
    }
}

impl Tokens {
    /// Bytes held in memory.
    pub(super) fn held(&self) -> usize {
        match self {
            Tokens::Here(b) => b.len(),
            Tokens::Stored(..) => 0,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Tokens::Here(b) => b.len() as u64,
            &Tokens::Stored(_, len) => u64::from(len),
        }
    }
}

/// The documents' token lists, written to a scratch file (as the rows of
/// a first build: [`spill_file`]) and read back when a document changes
/// or the postings are rebuilt: 10k, 26 MB not held (50k, ≈ 130 MB). A
/// list is never written over; the file is made again ([`Lists::compact`])
/// when most of it is lists no document has any more. Without a file, the
/// lists stay in memory.
#[derive(Default)]
pub(super) struct Lists {
    /// None: not made yet, or (with `failed`) not to be made.
    file: Option<Scratch>,
    failed: bool,
    end: u64,
}

/// Bytes of the lists file that are always let be before a compaction.
const SLACK: u64 = 16 << 20;

impl Lists {
    /// `list`, written to the file when it can be.
    pub(super) fn put(&mut self, list: Box<[u8]>) -> Tokens {
        if self.file.is_none() && !self.failed {
            self.file = spill_file();
            self.failed = self.file.is_none();
        }
        let Ok(len) = u32::try_from(list.len()) else {
            return Tokens::Here(list);
        };
        match &self.file {
            Some(f) if f.write(&list, self.end).is_ok() => {
                let t = Tokens::Stored(self.end, len);
                self.end += u64::from(len);
                t
            }
            _ => Tokens::Here(list),
        }
    }

    /// The file's length.
    #[cfg(test)]
    pub(super) fn end(&self) -> u64 {
        self.end
    }

    /// The bytes of `t`.
    pub(super) fn get<'a>(&self, t: &'a Tokens) -> crate::fs::Result<Cow<'a, [u8]>> {
        match t {
            Tokens::Here(b) => Ok(Cow::Borrowed(b)),
            &Tokens::Stored(at, len) => {
                let mut out = vec![0; len as usize];
                let file = self.file.as_ref().ok_or_else(|| crate::fs::FsError {
                    path: "search token lists".into(),
                    source: std::io::Error::other("the token lists file is gone"),
                })?;
                file.read(&mut out, at)?;
                Ok(Cow::Owned(out))
            }
        }
    }

    /// Writes the lists of `docs` to a new file when the file is mostly
    /// lists no document has (more than twice theirs and [`SLACK`]).
    pub(super) fn compact(&mut self, docs: &mut [Doc]) -> crate::fs::Result<()> {
        let live: u64 = docs.iter().map(|d| d.tokens.len()).sum();
        if self.end <= 2 * live + SLACK {
            return Ok(());
        }
        let mut new = Lists::default();
        for d in docs {
            let list = self.get(&d.tokens)?.into_owned().into_boxed_slice();
            d.tokens = new.put(list);
        }
        *self = new;
        Ok(())
    }
}

/// A file not made yet.
pub(super) fn empty_file() -> Blob {
    Blob::Bytes(Arc::from(Vec::new()))
}

fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// A hash of everything the index takes from the model for a document
/// besides its body text, written to `buf` first (one hash of one buffer
/// is several times faster than a streaming hash of a dozen short pieces).
pub(super) fn meta(buf: &mut Vec<u8>, d: &DocInput) -> u64 {
    // A string ends in 0xff, a missing one is 0xfe: neither byte occurs in
    // UTF-8, so this is unambiguous with one copy a string.
    fn put(buf: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => {
                buf.extend_from_slice(s.as_bytes());
                buf.push(0xff);
            }
            None => buf.push(0xfe),
        }
    }
    buf.clear();
    let (year, month_day) = d.date.map_or((u64::MAX, 0), |d| {
        (
            u64::from(d.year as u32),
            (u64::from(d.month) << 32) | u64::from(d.day),
        )
    });
    for w in [d.ku as u64, year, month_day, d.tags.len() as u64] {
        buf.extend_from_slice(&w.to_le_bytes());
    }
    put(buf, Some(d.title));
    put(buf, Some(d.path));
    put(buf, d.category);
    for x in d.extras {
        put(buf, x);
    }
    for t in d.tags {
        put(buf, Some(t));
    }
    // Last, so the end of the buffer ends the aliases.
    if let Some(u) = d.unit {
        put(buf, Some(&u.name));
        for a in &u.aliases {
            put(buf, Some(a));
        }
    }
    xxhash_rust::xxh3::xxh3_64(buf)
}

/// The row of a document read afresh (its tokens: [`Vocab::tokenize`]).
pub(super) struct Fresh {
    pub(super) row: Row,
    pub(super) row_hash: u64,
    pub(super) row_cost: usize,
    pub(super) text_hash: u64,
}

impl Fresh {
    pub(super) fn of(d: &DocInput) -> Fresh {
        let snippet = snippet_text(d.text, MAX_TEXT);
        let mut row = Vec::with_capacity(snippet.len() + 200);
        let row_cost = d.with_row(|r| {
            r.push(&mut row, &snippet);
            r.cost(d.text)
        });
        Fresh {
            row_hash: xxhash_rust::xxh3::xxh3_64(&row),
            row: Row::Here(row),
            row_cost,
            text_hash: text_hash(d.text),
        }
    }
}

/// A fresh row's JSON, or where in the build's spill file it is.
pub(super) enum Row {
    Here(Vec<u8>),
    Spilled(u64, usize),
}

/// A scratch file, read and written at offsets (by several threads at
/// once), unnamed: removed once opened, gone with the handle.
pub(super) struct Scratch {
    file: std::fs::File,
    /// Where it was made, for errors (the folder that is full or gone).
    path: std::path::PathBuf,
}

impl Scratch {
    /// Fills `buf` from offset `at`.
    pub(super) fn read(&self, buf: &mut [u8], at: u64) -> crate::fs::Result<()> {
        crate::fs::read_at(&self.file, &self.path, buf, at)
    }

    /// Writes `data` at offset `at`.
    pub(super) fn write(&self, data: &[u8], at: u64) -> crate::fs::Result<()> {
        crate::fs::write_at(&self.file, &self.path, data, at)
    }
}

/// A scratch file for the rows of documents read again in batches (a
/// first build's: 10k, 50 MB) or for token lists ([`Lists`]). None when
/// no file can be made: they stay in memory.
pub(super) fn spill_file() -> Option<Scratch> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("jianbao-rows-{}-{n}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .ok()?;
    std::fs::remove_file(&path).ok()?;
    Some(Scratch { file, path })
}
