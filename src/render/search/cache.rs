//! The search index kept between builds by `serve`: per-document token
//! lists and per-token postings, so that after an edit only the changed
//! documents are tokenized again and only the files they touch are
//! serialized again. The files equal those of a full [`super::Index`] build.
//!
//! A document is known by its site path, its body's
//! [`Rendered::key`](crate::render::markdown::Rendered::key) and a hash of
//! the small model fields the index reads. A key changes whenever a
//! document comes or goes (links resolve against all site paths), so a
//! document whose key changed but whose fields did not is compared by a
//! hash of its plain text before it is tokenized again.
//!
//! While the document list (paths in id order) stays the same, the changed
//! documents' postings are patched in place, and only the shards of tokens
//! whose postings changed, the text chunks holding changed rows and
//! `docs.json` are serialized; every other file is handed to the sink as
//! the previous bytes. When documents come, go or move, the postings are
//! rebuilt from the kept token lists (tokenizing only new and changed
//! documents) and everything is serialized again. A change of the shard
//! count or chunk size (sums over all documents, kept current) serializes
//! all shards or all chunks.

use super::format::{
    docs_json, more_len, push_entry, push_row, row_cost, shard_path, snippet_text, text_path,
    Sizes, DOCS_PATH, MAX_TEXT,
};
use super::input::{inputs, DocInput};
use super::tokenize;
use super::vocab::{decode, Tok, Vocab};
use crate::hash::FxHashMap;
use crate::output::Blob;
use crate::render::Bodies;
use crate::site::Site;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::sync::Arc;

/// Search index state kept between builds by `serve`: pass it to
/// [`crate::render::write_search`] on every build of the same site.
#[derive(Default)]
pub struct SearchCache {
    sizes: Sizes,
    state: Option<State>,
    /// What the last build did.
    pub last: SearchReuse,
}

/// What a cached search index build did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SearchReuse {
    /// Documents tokenized (the others' token lists were kept).
    pub tokenized: usize,
    /// Files serialized (the others were written from the previous bytes).
    pub serialized: usize,
    /// Files written.
    pub files: usize,
    /// Whether the postings were rebuilt (documents came, went or moved).
    pub rebuilt: bool,
}

/// The site paths of the documents in id order, in one string: compared
/// with the model's on every build, read in order.
#[derive(Default)]
struct Paths {
    text: String,
    ends: Vec<usize>,
}

impl Paths {
    fn of(inputs: &[DocInput]) -> Paths {
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

    fn get(&self, i: usize) -> &str {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[from..self.ends[i]]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }

    /// Whether these are the paths of `inputs`, in order.
    fn same(&self, inputs: &[DocInput]) -> bool {
        self.ends.len() == inputs.len() && self.iter().zip(inputs).all(|(a, d)| a == d.path)
    }
}

/// What is kept of one document (its path: [`Paths`]).
struct Doc {
    /// The body's key (0: unknown, never the same), [`meta`] and a hash of
    /// the body's plain text.
    key: u64,
    meta: u64,
    text_hash: u64,
    /// See [`super::vocab::push_entry_code`].
    tokens: Box<[u8]>,
    /// The text chunk holding the document's row, and where the row is.
    chunk: Arc<[u8]>,
    row: (usize, usize),
    /// [`row_cost`] of the row.
    row_cost: usize,
}

impl Doc {
    fn row(&self) -> &[u8] {
        &self.chunk[self.row.0..self.row.1]
    }

    /// Whether `d`, whose [`meta`] is `meta`, is the document this was made
    /// from (then its key is taken: equal keys need no text hash next time).
    fn same(&mut self, d: &DocInput, meta: u64) -> bool {
        let same = d.key != 0
            && self.meta == meta
            && (self.key == d.key || self.text_hash == text_hash(d.text));
        if same {
            self.key = d.key;
        }
        same
    }
}

/// A file not made yet.
fn empty_file() -> Blob {
    Blob::Bytes(Arc::from(Vec::new()))
}

fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// A hash of everything the index takes from the model for a document
/// besides its body text, written to `buf` first (one hash of one buffer
/// is several times faster than a streaming hash of a dozen short pieces).
fn meta(buf: &mut Vec<u8>, d: &DocInput) -> u64 {
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
struct Fresh {
    row: Vec<u8>,
    row_cost: usize,
    text_hash: u64,
}

impl Fresh {
    fn of(d: &DocInput) -> Fresh {
        let (ymd, snippet) = (d.ymd(), snippet_text(d.text, MAX_TEXT));
        let mut row = Vec::with_capacity(snippet.len() + 200);
        push_row(&mut row, d, &ymd, &snippet);
        Fresh {
            row,
            row_cost: row_cost(d.title, d.path, &ymd, snippet.len() + more_len(d)),
            text_hash: text_hash(d.text),
        }
    }
}

/// The index as of the last build.
struct State {
    vocab: Vocab,
    paths: Paths,
    docs: Vec<Doc>,
    bits: u32,
    chunk: usize,
    /// Sums of [`Tok::cost`] and [`Doc::row_cost`].
    json_bytes: usize,
    row_bytes: usize,
    /// Per shard: every token id hashed to it (including tokens with no
    /// postings now), by token text.
    shard_tids: Vec<Vec<u32>>,
    /// The files as last written (handles from the sink: see [`Blob`]);
    /// the documents hold their chunks' bytes.
    shard_files: Vec<Blob>,
    chunk_files: Vec<Blob>,
    docs_file: Blob,
    /// The site paths of all files, `docs.json`, shards, chunks (kept, as
    /// the files are written on every build), for `named` (shards, chunks).
    names: Vec<String>,
    named: (usize, usize),
}

impl SearchCache {
    /// A cache aiming at other file sizes (tests provoke size changes).
    #[cfg(test)]
    fn sized(sizes: Sizes) -> SearchCache {
        SearchCache {
            sizes,
            ..SearchCache::default()
        }
    }

    /// Heap bytes held: (own state, file bytes). The file bytes are shared
    /// with the sink that the last build wrote to (a [`crate::output::Memory`]).
    pub fn held_bytes(&self) -> (usize, usize) {
        let Some(s) = &self.state else {
            return (0, 0);
        };
        let toks: usize = s
            .vocab
            .toks
            .iter()
            .map(|t| size_of::<Tok>() + t.text.len() + t.postings.capacity() * 4)
            .sum();
        // A table slot: key, value and a control byte.
        let maps = (s.vocab.short.capacity() * 17)
            + s.vocab.long.capacity() * 25
            + s.vocab.long.keys().map(|k| k.len()).sum::<usize>();
        let docs: usize = s
            .docs
            .iter()
            .map(|d| size_of::<Doc>() + d.tokens.len())
            .sum::<usize>()
            + s.paths.text.len()
            + s.paths.ends.len() * 8;
        let shards: usize = s.shard_tids.iter().map(|l| 24 + l.capacity() * 4).sum();
        let files = std::iter::once(&s.docs_file)
            .chain(&s.shard_files)
            .chain(&s.chunk_files)
            .map(|f| match f {
                Blob::Bytes(b) => b.len(),
                Blob::Stored(_) => 0,
            })
            .sum();
        (toks + maps + docs + shards, files)
    }

    /// Brings the index up to date with the model (the files:
    /// [`SearchCache::files`]).
    pub(crate) fn build(&mut self, site: &Site, bodies: &Bodies) {
        let (units, inputs) = inputs(site, bodies);
        // Light passes over every document run on one thread: on a busy
        // machine a parallel pass waits for descheduled workers.
        let mut buf = Vec::with_capacity(1024);
        let metas: Vec<u64> = inputs.iter().map(|d| meta(&mut buf, d)).collect();
        // Taken out while it changes: a panic leaves an empty cache.
        let prev = self.state.take();
        let same_docs = prev.as_ref().is_some_and(|s| s.paths.same(&inputs));
        let (mut state, mut reuse) = match prev {
            Some(s) if same_docs => s.patch(&inputs, &metas, self.sizes),
            prev => State::rebuild(prev, &inputs, &metas, self.sizes),
        };
        let ku: Vec<usize> = inputs.iter().map(|d| d.ku).collect();
        state.docs_file = Blob::Bytes(Arc::from(
            docs_json(state.bits, state.chunk, &units, &ku).into_bytes(),
        ));
        let (shards, chunks) = (state.shard_files.len(), state.chunk_files.len());
        if state.named != (shards, chunks) {
            state.named = (shards, chunks);
            let names = &mut state.names;
            names.clear();
            names.push(DOCS_PATH.to_string());
            names.extend((0..shards).map(shard_path));
            names.extend((0..chunks).map(text_path));
        }
        reuse.serialized += 1;
        reuse.files = state.names.len();
        self.last = reuse;
        self.state = Some(state);
    }

    /// Hands every search file of the last build to `write` (site path,
    /// file), keeping the handle it returns (None: a failed write).
    pub(crate) fn write_files(&mut self, write: &mut dyn FnMut(&str, Blob) -> Option<Blob>) {
        let Some(s) = &mut self.state else {
            return;
        };
        let files = std::iter::once(&mut s.docs_file)
            .chain(&mut s.shard_files)
            .chain(&mut s.chunk_files);
        for (path, file) in s.names.iter().zip(files) {
            if let Some(kept) = write(path, file.clone()) {
                *file = kept;
            }
        }
    }
}

impl State {
    /// The same documents in the same order: patches the changed ones.
    fn patch(mut self, inputs: &[DocInput], metas: &[u64], sizes: Sizes) -> (State, SearchReuse) {
        let changed: Vec<usize> = self
            .docs
            .iter_mut()
            .zip(inputs)
            .zip(metas)
            .enumerate()
            .filter_map(|(i, ((old, d), &meta))| (!old.same(d, meta)).then_some(i))
            .collect();
        let fresh: Vec<Fresh> = changed.par_iter().map(|&i| Fresh::of(&inputs[i])).collect();
        let first_new = self.vocab.toks.len();
        let refs: Vec<&DocInput> = changed.iter().map(|&i| &inputs[i]).collect();
        let (lists, _) = self.vocab.tokenize(&refs);
        let mut dirty: Vec<u32> = Vec::new();
        let mut rows: FxHashMap<usize, Vec<u8>> = FxHashMap::default();
        for ((&i, f), list) in changed.iter().zip(fresh).zip(lists) {
            let id = u32::try_from(i).expect("fewer than 16 million documents");
            let doc = &mut self.docs[i];
            let old_tokens = std::mem::replace(&mut doc.tokens, list);
            // Both lists are by token id: walk them together.
            let mut old = decode(&old_tokens).peekable();
            let mut new = decode(&doc.tokens).peekable();
            loop {
                let order = match (old.peek(), new.peek()) {
                    (None, None) => break,
                    (Some(o), Some(n)) => o.0.cmp(&n.0),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                };
                // The token, its entry before and after.
                let (tid, was, now) = match order {
                    Ordering::Less => old.next().map(|(t, e)| (t, Some(e), None)),
                    Ordering::Greater => new.next().map(|(t, e)| (t, None, Some(e))),
                    Ordering::Equal => old
                        .next()
                        .zip(new.next())
                        .map(|((t, a), (_, b))| (t, Some(a), Some(b))),
                }
                .expect("peeked");
                if was != now {
                    let tok = &mut self.vocab.toks[tid as usize];
                    self.json_bytes -= tok.cost;
                    tok.set(id, now);
                    self.json_bytes += tok.cost;
                    dirty.push(tid);
                }
            }
            (doc.key, doc.meta, doc.text_hash) = (inputs[i].key, metas[i], f.text_hash);
            if doc.row() != f.row.as_slice() {
                self.row_bytes = self.row_bytes - doc.row_cost + f.row_cost;
                doc.row_cost = f.row_cost;
                rows.insert(i, f.row);
            }
        }
        let mut reuse = SearchReuse {
            tokenized: changed.len(),
            ..SearchReuse::default()
        };
        reuse.serialized += self.settle_shards(sizes, Some(first_new), dirty);
        let chunk = self.chunk;
        self.chunk = sizes.chunk(self.docs.len(), self.row_bytes);
        let which: Vec<usize> = if self.chunk == chunk {
            let mut w: Vec<usize> = rows.keys().map(|&i| i / chunk).collect();
            w.sort_unstable();
            w.dedup();
            w
        } else {
            (0..self.docs.len().div_ceil(self.chunk)).collect()
        };
        reuse.serialized += self.write_chunks(&which, rows);
        (self, reuse)
    }

    /// Documents came, went or moved (or there is no previous state):
    /// postings rebuilt from the token lists, kept ones where possible.
    fn rebuild(
        prev: Option<State>,
        inputs: &[DocInput],
        metas: &[u64],
        sizes: Sizes,
    ) -> (State, SearchReuse) {
        let had_prev = prev.is_some();
        let (vocab, old_paths, mut old_docs, bits, shard_tids, shard_files, names) = match prev {
            Some(s) => (
                s.vocab,
                s.paths,
                s.docs,
                s.bits,
                s.shard_tids,
                s.shard_files,
                (s.names, s.named),
            ),
            None => Default::default(),
        };
        let by_path: FxHashMap<&str, usize> =
            old_paths.iter().enumerate().map(|(j, p)| (p, j)).collect();
        let found: Vec<Option<usize>> = inputs
            .iter()
            .map(|d| by_path.get(d.path).copied())
            .collect();
        drop(by_path);
        // Matched by path (paths are unique), so each old document is
        // looked at by one new one at most.
        let mut olds: Vec<Option<&mut Doc>> = old_docs.iter_mut().map(Some).collect();
        let mut pairs: Vec<(usize, &mut Doc)> = found
            .iter()
            .enumerate()
            .filter_map(|(i, j)| Some((i, olds[(*j)?].take()?)))
            .collect();
        let same: Vec<usize> = pairs
            .par_iter_mut()
            .filter_map(|(i, old)| old.same(&inputs[*i], metas[*i]).then_some(*i))
            .collect();
        drop(pairs);
        drop(olds);
        let mut kept: Vec<Option<usize>> = vec![None; inputs.len()];
        for i in same {
            kept[i] = found[i];
        }
        let read: Vec<&DocInput> = inputs
            .iter()
            .zip(&kept)
            .filter_map(|(d, k)| k.is_none().then_some(d))
            .collect();
        let fresh: Vec<Fresh> = read.par_iter().map(|d| Fresh::of(d)).collect();
        drop(old_paths);
        let mut state = State {
            vocab,
            paths: Paths::of(inputs),
            docs: Vec::with_capacity(inputs.len()),
            bits,
            chunk: 0,
            json_bytes: 0,
            row_bytes: 0,
            shard_tids,
            shard_files,
            chunk_files: Vec::new(),
            docs_file: empty_file(),
            names: names.0,
            named: names.1,
        };
        let first_new = state.vocab.toks.len();
        let tokenized = read.len();
        let all_read = tokenized == inputs.len();
        let (lists, by_id) = state.vocab.tokenize(&read);
        drop(read);
        let mut fresh = fresh.into_iter().zip(lists);
        let empty: Arc<[u8]> = Arc::from(Vec::new());
        let mut rows: FxHashMap<usize, Vec<u8>> = FxHashMap::default();
        for (i, (d, k)) in inputs.iter().zip(&kept).enumerate() {
            let doc = match k {
                Some(j) => {
                    let old = &mut old_docs[*j];
                    Doc {
                        key: old.key,
                        meta: old.meta,
                        text_hash: old.text_hash,
                        tokens: std::mem::take(&mut old.tokens),
                        chunk: old.chunk.clone(),
                        row: old.row,
                        row_cost: old.row_cost,
                    }
                }
                None => {
                    let (f, list) = fresh.next().expect("a document not kept is read");
                    rows.insert(i, f.row);
                    Doc {
                        key: d.key,
                        meta: metas[i],
                        text_hash: f.text_hash,
                        tokens: list,
                        chunk: empty.clone(),
                        row: (0, 0),
                        row_cost: f.row_cost,
                    }
                }
            };
            state.row_bytes += doc.row_cost;
            state.docs.push(doc);
        }
        drop(old_docs);

        let toks = &mut state.vocab.toks;
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); toks.len()];
        if all_read {
            // Every document was tokenized: its ids are the final ones.
            for (tid, mut codes) in by_id {
                let mut id = 0;
                for c in &mut codes {
                    id += *c >> 8;
                    *c = (id << 8) | (*c & 0xff);
                }
                postings[tid as usize] = codes;
            }
        } else {
            drop(by_id);
            // From the token lists, counted first so each list is
            // allocated once.
            let mut counts = vec![0u32; toks.len()];
            for d in &state.docs {
                for (tid, _) in decode(&d.tokens) {
                    counts[tid as usize] += 1;
                }
            }
            for (p, &n) in postings.iter_mut().zip(&counts) {
                p.reserve_exact(n as usize);
            }
            drop(counts);
            for (id, d) in state.docs.iter().enumerate() {
                let id = u32::try_from(id).expect("fewer than 16 million documents");
                for (tid, e) in decode(&d.tokens) {
                    postings[tid as usize].push((id << 8) | u32::from(e));
                }
            }
        }
        let dirty: Vec<u32> = toks
            .par_iter_mut()
            .zip(postings)
            .enumerate()
            .filter_map(|(tid, (tok, p))| {
                if tok.postings == p {
                    return None;
                }
                tok.postings = p;
                tok.cost = tok.full_cost();
                Some(tid as u32)
            })
            .collect();
        state.json_bytes = toks.iter().map(|t| t.cost).sum();
        let mut reuse = SearchReuse {
            tokenized,
            rebuilt: true,
            ..SearchReuse::default()
        };
        reuse.serialized += state.settle_shards(sizes, had_prev.then_some(first_new), dirty);
        state.chunk = sizes.chunk(state.docs.len(), state.row_bytes);
        let all: Vec<usize> = (0..state.docs.len().div_ceil(state.chunk)).collect();
        reuse.serialized += state.write_chunks(&all, rows);
        (state, reuse)
    }

    /// Sets `bits` from the postings estimate and serializes the shards
    /// holding a `dirty` token (every shard if `bits` changed or there were
    /// no shards, `first_new` `None`). Token ids from `first_new` on are
    /// new. Returns the number of shards serialized.
    fn settle_shards(&mut self, sizes: Sizes, first_new: Option<usize>, dirty: Vec<u32>) -> usize {
        let bits = sizes.bits(self.json_bytes);
        let toks = &self.vocab.toks;
        let which: Vec<usize> = match first_new {
            Some(first_new) if bits == self.bits && self.shard_tids.len() == 1 << bits => {
                for tid in first_new..toks.len() {
                    let text = &toks[tid].text;
                    let list = &mut self.shard_tids[tokenize::shard(text, bits)];
                    let at = list.partition_point(|&t| toks[t as usize].text < *text);
                    list.insert(at, tid as u32);
                }
                let mut w: Vec<usize> = dirty
                    .iter()
                    .map(|&t| tokenize::shard(&toks[t as usize].text, bits))
                    .collect();
                w.sort_unstable();
                w.dedup();
                w
            }
            _ => {
                let mut lists = vec![Vec::new(); 1 << bits];
                for (tid, t) in toks.iter().enumerate() {
                    lists[tokenize::shard(&t.text, bits)].push(tid as u32);
                }
                lists.par_iter_mut().for_each(|l| {
                    l.sort_unstable_by(|&a, &b| toks[a as usize].text.cmp(&toks[b as usize].text))
                });
                self.shard_tids = lists;
                self.shard_files = vec![empty_file(); 1 << bits];
                (0..1 << bits).collect()
            }
        };
        self.bits = bits;
        let files: Vec<Blob> = which
            .par_iter()
            .map(|&n| {
                let list = &self.shard_tids[n];
                let size: usize = list.iter().map(|&t| toks[t as usize].cost).sum();
                let mut out = Vec::with_capacity(size + 2);
                out.push(b'{');
                for &tid in list {
                    let tok = &toks[tid as usize];
                    if tok.postings.is_empty() {
                        continue;
                    }
                    if out.len() > 1 {
                        out.push(b',');
                    }
                    push_entry(&mut out, &tok.text, tok.codes());
                }
                out.push(b'}');
                Blob::Bytes(Arc::from(out))
            })
            .collect();
        for (&n, f) in which.iter().zip(files) {
            self.shard_files[n] = f;
        }
        which.len()
    }

    /// Serializes text chunks `which` (by `chunk`), taking the rows of
    /// documents in `rows` from there and the others' from their current
    /// chunk. Returns the number of chunks serialized.
    fn write_chunks(&mut self, which: &[usize], rows: FxHashMap<usize, Vec<u8>>) -> usize {
        let (n, chunk) = (self.docs.len(), self.chunk);
        self.chunk_files.resize(n.div_ceil(chunk), empty_file());
        // Per chunk: its bytes and where each of its rows is.
        type Built = (Arc<[u8]>, Vec<(usize, usize)>);
        let built: Vec<Built> = which
            .par_iter()
            .map(|&c| {
                let (from, to) = (c * chunk, ((c + 1) * chunk).min(n));
                let mut out =
                    Vec::with_capacity(self.docs[from..to].iter().map(|d| d.row_cost * 2).sum());
                let mut at = Vec::with_capacity(to - from);
                out.push(b'[');
                for i in from..to {
                    if i > from {
                        out.push(b',');
                    }
                    let start = out.len();
                    out.extend_from_slice(rows.get(&i).map_or(self.docs[i].row(), |r| r));
                    at.push((start, out.len()));
                }
                out.push(b']');
                (Arc::from(out), at)
            })
            .collect();
        for (&c, (bytes, at)) in which.iter().zip(built) {
            for (d, row) in self.docs[c * chunk..].iter_mut().zip(at) {
                d.chunk = bytes.clone();
                d.row = row;
            }
            self.chunk_files[c] = Blob::Bytes(bytes);
        }
        which.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::vocab::push_entry_code;
    use super::super::Index;
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    fn encode(list: &[(u32, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = 0;
        for &(tid, e) in list {
            push_entry_code(&mut out, tid - prev, e);
            prev = tid;
        }
        out
    }

    #[test]
    fn search_cache_token_lists_round_trip() {
        let list = vec![
            (0, 9),
            (1, 1),
            (127, 255),
            (128, 0),
            (300_000, 24),
            (u32::MAX, 8),
        ];
        assert_eq!(decode(&encode(&list)).collect::<Vec<_>>(), list);
        assert_eq!(decode(&encode(&[])).count(), 0);
    }

    #[test]
    fn search_cache_patched_postings_keep_their_cost() {
        let mut tok = Tok {
            text: "灭蚊".into(),
            postings: Vec::new(),
            cost: 0,
        };
        // Inserts, changes and removals at the front, middle and end,
        // across digit-count boundaries of the codes.
        let steps: &[(u32, Option<u8>)] = &[
            (5, Some(24)),
            (0, Some(1)),
            (1000, Some(8)),
            (40, Some(255)),
            (39, Some(9)),
            (5, Some(2)),
            (0, None),
            (40, None),
            (7, None),
            (1000, None),
            (3, Some(8)),
            (5, None),
            (39, None),
            (3, None),
            (3, None),
            (9, Some(4)),
        ];
        for &(id, e) in steps {
            tok.set(id, e);
            assert!(tok.postings.windows(2).all(|w| w[0] >> 8 < w[1] >> 8));
            assert_eq!(tok.cost, tok.full_cost(), "after {id} {e:?}");
        }
        assert_eq!(tok.postings, vec![(9 << 8) | 4]);
    }

    /// A site on disk, loaded into the model as a build does.
    struct TestSite {
        dir: tempfile::TempDir,
    }

    /// Pseudo-random CJK text of `n` characters from a pool of `pool`
    /// (many distinct bigrams, so postings grow with `n`).
    fn text(seed: u32, n: usize, pool: u32) -> String {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if i % 23 == 22 {
                    '。'
                } else {
                    char::from_u32(0x4e00 + x % pool).unwrap_or('一')
                }
            })
            .collect()
    }

    fn report(title: &str, unit: &str, date: &str, tags: &str, body: &str) -> String {
        format!("---\ntitle: {title}\nunit: {unit}\ndate: {date}\ntags: [{tags}]\n---\n{body}\n")
    }

    impl TestSite {
        fn new() -> TestSite {
            let site = TestSite {
                dir: tempfile::tempdir().unwrap(),
            };
            site.write(
                "site.yaml",
                "title: 测试站\nbase_url: https://example.gov.cn/\n",
            );
            site.write(
                "content/units/tao-le.md",
                "---\nname: 陶乐镇\ntype: 乡镇\naliases: [陶乐镇人民政府]\n---\n陶乐镇简介。\n",
            );
            site.write(
                "content/units/ying-gen.md",
                "---\nname: 营根镇\ntype: 乡镇\n---\n",
            );
            for i in 0..12 {
                let unit = if i % 3 == 0 { "营根镇" } else { "陶乐镇" };
                site.write(
                    &format!("content/reports/r{i:02}.md"),
                    report(
                        &format!("第{i}份工作总结"),
                        unit,
                        &format!("2024-{:02}-{:02}", i % 12 + 1, i % 27 + 1),
                        &format!("环境整治, 标签{}", i % 4),
                        &format!(
                            "{} Aedes GB{i} 2024\n\n{}",
                            text(i, 60, 300),
                            text(i + 100, 40, 300)
                        ),
                    ),
                );
            }
            site.write(
                "content/articles/a1.md",
                format!(
                    "---\ntitle: 夏季灭蚊小常识\ndate: 2024-06-10\ncategory: 病媒生物防制\nunit: 营根镇\ntags: [病媒]\nsummary: 清除积水\nauthor: 张三\n---\n{}\n",
                    text(500, 80, 300)
                ),
            );
            site.write(
                "content/articles/a2.md",
                format!(
                    "---\ntitle: 手足口病的预防\ndate: 2023-04-15\ncategory: 传染病防治\ntags: [传染病]\n---\n{}\n",
                    text(501, 50, 300)
                ),
            );
            site.write(
                "content/pages/about.md",
                "---\ntitle: 关于本站\n---\n本站发布工作总结。Contact us.\n",
            );
            site
        }

        fn path(&self, rel: &str) -> std::path::PathBuf {
            self.dir.path().join(rel)
        }

        fn write(&self, rel: &str, text: impl AsRef<str>) {
            let p = self.path(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text.as_ref()).unwrap();
        }

        fn read(&self, rel: &str) -> String {
            std::fs::read_to_string(self.path(rel)).unwrap()
        }

        /// Replaces `from` by `to` in a file (which must hold it).
        fn edit(&self, rel: &str, from: &str, to: &str) {
            let t = self.read(rel);
            assert!(t.contains(from), "{rel} lacks {from}");
            self.write(rel, t.replacen(from, to, 1));
        }

        fn load(&self) -> (Site, Bodies) {
            load(self.dir.path())
        }
    }

    fn load(root: &Path) -> (Site, Bodies) {
        let config = crate::config::Config::load(root, None).unwrap();
        let (content, mut diags) = crate::content::load(root, &config, Default::default());
        let (site, d) = Site::build(config, content, &crate::render::reserved());
        diags.extend(d);
        let (bodies, d) = crate::render::bodies(
            &site,
            &crate::render::known_paths(&site, &Default::default()),
        );
        diags.extend(d);
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        (site, bodies)
    }

    type Files = BTreeMap<String, Vec<u8>>;

    /// The files of a full build.
    fn full(site: &Site, bodies: &Bodies, sizes: Sizes) -> Files {
        let idx = Index::build_sized(site, bodies, sizes);
        let mut files = Files::new();
        files.insert("search/docs.json".into(), idx.docs_json().into_bytes());
        for n in 0..idx.shard_count() {
            let (p, j) = idx.shard_json(n);
            files.insert(p, j);
        }
        for n in 0..idx.chunk_count() {
            let (p, j) = idx.text_json(n);
            files.insert(p, j);
        }
        files
    }

    fn meta(files: &Files) -> (u64, u64) {
        let v: serde_json::Value = serde_json::from_slice(&files["search/docs.json"]).unwrap();
        (v["bits"].as_u64().unwrap(), v["chunk"].as_u64().unwrap())
    }

    /// Builds `site` through the cache, checks every file against a full
    /// build, and returns what the cache did and the (bits, chunk) used.
    fn check(site: &TestSite, cache: &mut SearchCache, what: &str) -> (SearchReuse, (u64, u64)) {
        check_bodies(site.load(), cache, what)
    }

    fn check_bodies(
        (site, bodies): (Site, Bodies),
        cache: &mut SearchCache,
        what: &str,
    ) -> (SearchReuse, (u64, u64)) {
        cache.build(&site, &bodies);
        let mut cached = Files::new();
        cache.write_files(&mut |p, b| {
            let Blob::Bytes(bytes) = &b else {
                panic!("{what}: a stored file without a store");
            };
            cached.insert(p.to_string(), bytes.to_vec());
            Some(b)
        });
        let fresh = full(&site, &bodies, cache.sizes);
        let only = |a: &Files, b: &Files| -> Vec<String> {
            a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
        };
        assert!(
            cached.len() == fresh.len() && only(&cached, &fresh).is_empty(),
            "{what}: only cached: {:?}, only fresh: {:?}",
            only(&cached, &fresh),
            only(&fresh, &cached)
        );
        for (p, b) in &fresh {
            assert!(
                cached[p] == *b,
                "{what}: {p} differs\ncached: {}\nfresh:  {}",
                String::from_utf8_lossy(&cached[p]),
                String::from_utf8_lossy(b)
            );
        }
        assert_eq!(cache.last.files, fresh.len(), "{what}");
        (cache.last, meta(&fresh))
    }

    const SMALL: Sizes = Sizes {
        shard: 256,
        chunk: 1200,
    };

    #[test]
    fn search_cache_edits_equal_full_builds() {
        let site = TestSite::new();
        let mut cache = SearchCache::sized(SMALL);
        let (r, (bits, chunk)) = check(&site, &mut cache, "first build");
        // 15 documents and the 2 units' own pages.
        assert!(r.rebuilt && r.tokenized == 17, "{r:?}");
        assert_eq!(r.serialized, r.files);
        assert!(bits > 3 && chunk > 1, "{bits} {chunk}: sizes to provoke");
        let files = r.files;

        let (r, m) = check(&site, &mut cache, "no change");
        assert_eq!((r.tokenized, r.serialized, r.rebuilt), (0, 1, false));
        assert_eq!(m, (bits, chunk));

        site.edit("content/reports/r03.md", "2024\n", "2024 门前五包\n");
        let (r, m) = check(&site, &mut cache, "body edit");
        assert_eq!((r.tokenized, r.rebuilt), (1, false));
        assert_eq!(m, (bits, chunk));
        // docs.json, a text chunk and the shards of a few tokens.
        assert!(r.serialized >= 3 && r.serialized < files / 2, "{r:?}");

        // The edit undone: its new tokens lose their only posting.
        site.edit("content/reports/r03.md", " 门前五包", "");
        let (r, _) = check(&site, &mut cache, "body edit undone");
        assert_eq!((r.tokenized, r.rebuilt), (1, false));

        site.edit(
            "content/reports/r05.md",
            "title: 第5份",
            "title: 改过的第5份",
        );
        let (r, _) = check(&site, &mut cache, "title");
        assert_eq!((r.tokenized, r.rebuilt), (1, false));

        site.edit("content/reports/r07.md", "标签3", "新标签");
        check(&site, &mut cache, "tag");
        site.edit("content/reports/r07.md", "unit: 陶乐镇", "unit: 营根镇");
        check(&site, &mut cache, "unit");
        site.edit(
            "content/articles/a1.md",
            "category: 病媒生物防制",
            "category: 爱国卫生",
        );
        check(&site, &mut cache, "category");
        site.edit("content/articles/a1.md", "author: 张三", "author: 李四");
        check(&site, &mut cache, "author");
        site.edit("content/pages/about.md", "Contact", "Write to");
        check(&site, &mut cache, "page body");

        // A unit alias: every report of the unit changes, none moves, and
        // so does the unit's own page.
        site.edit("content/units/tao-le.md", "陶乐镇人民政府", "陶乐镇政府");
        let (r, _) = check(&site, &mut cache, "alias");
        assert!(!r.rebuilt && r.tokenized == 8, "{r:?}");

        site.write(
            "content/reports/r20.md",
            report(
                "新增的报告",
                "陶乐镇",
                "2025-01-05",
                "新增",
                &text(20, 70, 300),
            ),
        );
        let (r, _) = check(&site, &mut cache, "added newest");
        assert!(r.rebuilt && r.tokenized == 1, "{r:?}");
        site.write(
            "content/reports/r21.md",
            report(
                "又一份报告",
                "营根镇",
                "2024-06-01",
                "新增",
                &text(21, 70, 300),
            ),
        );
        check(&site, &mut cache, "added in the middle");

        std::fs::remove_file(site.path("content/reports/r04.md")).unwrap();
        let (r, _) = check(&site, &mut cache, "removed");
        assert!(r.rebuilt && r.tokenized == 0, "{r:?}");

        site.edit(
            "content/reports/r01.md",
            "date: 2024-02-02",
            "date: 2022-02-02",
        );
        let (r, _) = check(&site, &mut cache, "date moves a report");
        assert!(r.rebuilt && r.tokenized == 1, "{r:?}");

        site.edit(
            "content/reports/r02.md",
            "date: 2024-03-03",
            "date: 2024-03-04",
        );
        let (r, _) = check(&site, &mut cache, "date keeps the order");
        assert!(!r.rebuilt && r.tokenized == 1, "{r:?}");

        // A new path for the same document.
        site.write(
            "content/reports/r08b.md",
            site.read("content/reports/r08.md"),
        );
        std::fs::remove_file(site.path("content/reports/r08.md")).unwrap();
        check(&site, &mut cache, "renamed");

        let (r, _) = check(&site, &mut cache, "no change at last");
        assert_eq!((r.tokenized, r.serialized, r.rebuilt), (0, 1, false));
    }

    #[test]
    fn search_cache_follows_shard_count_and_chunk_size() {
        let site = TestSite::new();
        let mut cache = SearchCache::sized(SMALL);
        let (_, (bits, chunk)) = check(&site, &mut cache, "first build");

        // A long body with many new tokens: more shards, fewer rows a chunk.
        let long = text(900, 1400, 2000);
        site.edit(
            "content/reports/r06.md",
            "2024\n",
            &format!("2024\n{long}\n"),
        );
        let (r, (bits2, chunk2)) = check(&site, &mut cache, "long body");
        assert!(!r.rebuilt && r.tokenized == 1, "{r:?}");
        assert!(bits2 > bits, "bits {bits} → {bits2}");
        assert!(chunk2 < chunk, "chunk {chunk} → {chunk2}");
        assert_eq!(r.serialized, r.files, "all files after a size change");

        // A small edit elsewhere with the new sizes.
        site.edit("content/reports/r09.md", "2024\n", "2024 灭蚊\n");
        let (r, m) = check(&site, &mut cache, "small edit");
        assert_eq!(m, (bits2, chunk2));
        assert!(r.serialized < r.files / 2, "{r:?}");

        // And back: the long body's tokens lose their postings.
        site.edit("content/reports/r06.md", &format!("{long}\n"), "");
        let (_, m) = check(&site, &mut cache, "long body removed");
        assert_eq!(m, (bits, chunk));

        // A token without postings during a size change comes back.
        site.edit(
            "content/reports/r06.md",
            "2024\n",
            &format!("2024\n{long}\n"),
        );
        check(&site, &mut cache, "long body again");
    }

    #[test]
    fn search_cache_with_unknown_keys_tokenizes_every_document() {
        let site = TestSite::new();
        let mut cache = SearchCache::sized(SMALL);
        let unknown = |site: &TestSite| {
            let (s, mut b) = site.load();
            for m in b
                .reports
                .iter_mut()
                .chain(&mut b.articles)
                .chain(&mut b.pages)
            {
                Arc::make_mut(m).key = 0;
            }
            (s, b)
        };
        check_bodies(unknown(&site), &mut cache, "first build");
        site.edit("content/reports/r03.md", "2024\n", "2024 门前五包\n");
        let (r, _) = check_bodies(unknown(&site), &mut cache, "body edit");
        assert!(!r.rebuilt && r.tokenized == 15, "{r:?}");
        site.write(
            "content/reports/r20.md",
            report(
                "新增的报告",
                "陶乐镇",
                "2025-01-05",
                "新增",
                &text(20, 70, 300),
            ),
        );
        let (r, _) = check_bodies(unknown(&site), &mut cache, "added");
        assert!(r.rebuilt && r.tokenized == 16, "{r:?}");
    }

    #[test]
    fn search_cache_default_sizes_through_write_search() {
        let site = TestSite::new();
        let (s, b) = site.load();
        let write = |cache: Option<&mut SearchCache>| {
            let mem = crate::output::Memory::default();
            let n = crate::render::write_search(&s, &b, &mem, cache).unwrap();
            let files = mem.files.into_inner().unwrap();
            assert_eq!(n, files.len());
            files
                .into_iter()
                .map(|(p, b)| (p, b.to_vec()))
                .collect::<Files>()
        };
        let fresh = write(None);
        assert_eq!(fresh, full(&s, &b, Sizes::DEFAULT));
        let mut cache = SearchCache::default();
        assert_eq!(write(Some(&mut cache)), fresh);
        assert_eq!(write(Some(&mut cache)), fresh);
        assert_eq!(cache.last.serialized, 1);
    }
}
