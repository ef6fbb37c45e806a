//! The search index kept between builds by `serve`: per-document token
//! lists (in a scratch file: [`docs::Lists`]) and per-token postings (in
//! the shard files as last written, read back through the sink while the
//! tokens they are of change: [`Tok::filed`]), so that after an edit only
//! the changed documents are tokenized again and only the files they touch
//! are serialized again. The files equal those of a full [`super::Index`]
//! build.
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

use super::format::{docs_json, shard_path, text_path, Sizes, DOCS_PATH};
use super::input::{input, order, DocInput, DocRef};
use super::vocab::{decode, Tok, Vocab};
use crate::hash::FxHashMap;
use crate::output::{Blob, Sink};
use crate::render::markdown::Rendered;
use crate::render::Bodies;
use crate::render::Refill;
use crate::site::Site;
use docs::{meta, Doc, Fresh, Lists, Paths, Row, Tokens};
use rayon::prelude::*;
use seen::Seen;
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
    /// Documents whose inputs were read (the others were known unchanged
    /// without: see [`seen`]).
    pub looked_at: usize,
}

mod docs;
mod files;
#[cfg(test)]
mod list_tests;
mod rebuild;
mod seen;
#[cfg(test)]
mod tests;

/// The index as of the last build.
struct State {
    vocab: Vocab,
    paths: Paths,
    docs: Vec<Doc>,
    /// Where the documents' token lists are.
    lists: Lists,
    bits: u32,
    chunk: usize,
    /// Sums of [`Tok::cost`] and [`Doc::row_cost`].
    post_bytes: usize,
    row_bytes: usize,
    /// Per shard: every token id hashed to it (including tokens with no
    /// postings now), by token text.
    shard_tids: Vec<Vec<u32>>,
    /// The files as last written (handles from the sink: see [`Blob`]);
    /// the documents know where in them their rows are.
    shard_files: Vec<Blob>,
    chunk_files: Vec<Blob>,
    docs_file: Blob,
    /// The (bits, chunk) `docs_file` was made with, and every document's
    /// `ku` (see [`super::DocInput::ku`]).
    docs_of: (u32, usize),
    ku: Vec<usize>,
    /// What the documents were read from.
    seen: Seen,
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
            .map(|t| size_of::<Tok>() + t.text.len() + t.postings.len())
            .sum();
        // A table slot: key, value and a control byte.
        let maps = (s.vocab.short.capacity() * 17)
            + s.vocab.long.capacity() * 25
            + s.vocab.long.keys().map(|k| k.len()).sum::<usize>();
        let docs: usize = s
            .docs
            .iter()
            .map(|d| size_of::<Doc>() + d.tokens.held())
            .sum::<usize>()
            + s.paths.text.len()
            + s.paths.ends.len() * 8;
        let shards: usize = s.shard_tids.iter().map(|l| 24 + l.capacity() * 4).sum();
        let seen = s.seen.held() + s.ku.capacity() * size_of::<usize>();
        let files = std::iter::once(&s.docs_file)
            .chain(&s.shard_files)
            .chain(&s.chunk_files)
            .map(|f| match f {
                Blob::Bytes(b) => b.len(),
                Blob::Stored(_) => 0,
            })
            .sum();
        (toks + maps + docs + shards + seen, files)
    }

    /// Brings the index up to date with the model (the files:
    /// [`SearchCache::files`]). Only the documents [`Seen::changes`] names
    /// are read when it names any (else all). Light bodies whose text the
    /// index needs are rendered again through `refill`, `batch` at a time:
    /// tokenized and their rows made, then their texts dropped. Unchanged
    /// rows of a text chunk written again are read back from its file
    /// through `sink` (the one the files were written to); when one cannot
    /// be, the cache is emptied and the error returned.
    pub(crate) fn build(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        (refill, batch): (&Refill, usize),
        sink: &dyn Sink,
    ) -> crate::fs::Result<()> {
        // Taken out while it changes: a panic leaves an empty cache.
        let mut prev = self.state.take();
        let look = Look::new(site, bodies, refill, prev.as_mut());
        let need = look.needs_text(bodies, prev.as_ref());
        let (mut vocab, mut lists) = (Vocab::default(), Lists::default());
        let pre = {
            let (vocab, lists) = match prev.as_mut() {
                Some(s) => (&mut s.vocab, &mut s.lists),
                None => (&mut vocab, &mut lists),
            };
            Pre::read(site, (&look.order, &need), refill, (vocab, lists), batch)
        };
        let all: Vec<usize>;
        let ids = match &look.ids {
            Some(ids) => Some(ids.as_slice()),
            None if prev.as_ref().is_some_and(|s| s.paths.same(&look.inputs)) => {
                all = (0..look.inputs.len()).collect();
                Some(all.as_slice())
            }
            None => None,
        };
        let (inputs, metas) = (&look.inputs[..], &look.metas[..]);
        let (mut state, mut reuse) = match (prev, ids) {
            (Some(s), Some(ids)) => s.patch((ids, inputs, metas), (self.sizes, sink), pre),
            (prev, _) => {
                State::rebuild((prev, vocab, lists), inputs, metas, (self.sizes, sink), pre)
            }
        }?;
        reuse.looked_at = inputs.len();
        reuse.serialized += look.settle(site, bodies, refill, &mut state);
        let (shards, chunks) = (state.shard_files.len(), state.chunk_files.len());
        if state.named != (shards, chunks) {
            state.named = (shards, chunks);
            let names = &mut state.names;
            names.clear();
            names.push(DOCS_PATH.to_string());
            names.extend((0..shards).map(shard_path));
            names.extend((0..chunks).map(text_path));
        }
        reuse.files = state.names.len();
        self.last = reuse;
        self.state = Some(state);
        Ok(())
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

/// The documents a build reads the inputs of: those [`Seen::changes`]
/// names (`ids`), or all (`ids` None).
struct Look<'a> {
    ids: Option<Vec<usize>>,
    /// All documents in id order (the last build's when `ids`).
    order: Vec<DocRef>,
    /// Of the documents at `ids`, or all; and their [`meta`].
    inputs: Vec<DocInput<'a>>,
    metas: Vec<u64>,
}

impl<'a> Look<'a> {
    /// Reads the documents `prev` says may have changed, or all.
    fn new(site: &'a Site, bodies: &'a Bodies, refill: &Refill, prev: Option<&mut State>) -> Self {
        let known = prev.and_then(|s| {
            let ids = s.seen.changes(site, bodies, refill)?;
            let order = std::mem::take(&mut s.seen.order);
            let inputs: Vec<DocInput> = ids
                .iter()
                .map(|&i| input(site, order[i], bodies.of(order[i])))
                .collect();
            // Covered by the link context; checked, as it costs nothing.
            let same_paths = ids
                .iter()
                .zip(&inputs)
                .all(|(&i, d)| s.paths.get(i) == d.path);
            if !same_paths {
                s.seen.order = order;
                return None;
            }
            Some((ids, order, inputs))
        });
        let (ids, order, inputs) = match known {
            Some((ids, order, inputs)) => (Some(ids), order, inputs),
            None => {
                let order = order(site);
                let inputs = order
                    .iter()
                    .map(|&doc| input(site, doc, bodies.of(doc)))
                    .collect();
                (None, order, inputs)
            }
        };
        // Light passes over every document run on one thread: on a busy
        // machine a parallel pass waits for descheduled workers.
        let mut buf = Vec::with_capacity(1024);
        let metas = inputs.iter().map(|d| meta(&mut buf, d)).collect();
        Look {
            ids,
            order,
            inputs,
            metas,
        }
    }

    /// The id of `inputs[k]`.
    fn id(&self, k: usize) -> usize {
        self.ids.as_ref().map_or(k, |ids| ids[k])
    }

    /// The ids of the documents read whose body is light (see
    /// [`Rendered::light`](crate::render::markdown::Rendered::light)) and
    /// not in the index as they are now (by site path, body key or plain
    /// text hash, and [`meta`]): their text must be rendered again.
    fn needs_text(&self, bodies: &Bodies, prev: Option<&State>) -> Vec<usize> {
        let light = |k: &usize| bodies.of(self.order[self.id(*k)]).light;
        let Some(s) = prev else {
            return (0..self.inputs.len()).filter(light).collect();
        };
        // The last build's document of the same path: the one of the same
        // id when only some are read (they have the same paths).
        let by_path: FxHashMap<&str, usize> = match self.ids {
            Some(_) => FxHashMap::default(),
            None => s.paths.iter().enumerate().map(|(j, p)| (p, j)).collect(),
        };
        (0..self.inputs.len())
            .filter(light)
            .filter(|&k| {
                let d = &self.inputs[k];
                let old = match self.ids {
                    Some(_) => Some(self.id(k)),
                    None => by_path.get(d.path).copied(),
                };
                old.is_none_or(|j| {
                    let old = &s.docs[j];
                    let same_text = old.key == d.key || Some(old.text_hash) == d.text_hash;
                    d.key == 0 || old.meta != self.metas[k] || !same_text
                })
            })
            .map(|k| self.id(k))
            .collect()
    }

    /// Keeps in `state` what the documents read are now ([`Seen`], their
    /// `ku`) and makes `docs.json` again if what it holds changed;
    /// returns the number of files serialized (0 or 1).
    fn settle(self, site: &Site, bodies: &Bodies, refill: &Refill, state: &mut State) -> usize {
        let (bits, chunk) = (state.bits, state.chunk);
        let ku_changed = match &self.ids {
            Some(ids) => {
                let mut changed = false;
                for (&i, d) in ids.iter().zip(&self.inputs) {
                    changed |= state.ku[i] != d.ku;
                    state.ku[i] = d.ku;
                }
                state.seen.order = self.order;
                state.seen.update(site, bodies, ids);
                changed
            }
            None => {
                state.ku = self.inputs.iter().map(|d| d.ku).collect();
                state.seen = Seen::of(site, bodies, refill, self.order);
                true
            }
        };
        // The unit names are the same when only some documents are read.
        if !ku_changed && state.docs_of == (bits, chunk) {
            return 0;
        }
        let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
        state.docs_file = Blob::Bytes(Arc::from(
            docs_json(bits, chunk, &units, &state.ku).into_bytes(),
        ));
        state.docs_of = (bits, chunk);
        1
    }
}

/// The documents read again before the index is brought up to date: by
/// position, their row and token list.
struct Pre {
    /// The vocabulary's length before: ids from there on are new.
    first_new: usize,
    read: FxHashMap<usize, (Fresh, Tokens)>,
    /// Where their rows are when more than a batch was read.
    spill: Option<docs::Scratch>,
}

impl Pre {
    /// Renders the documents at positions `need` of `order` again, `batch`
    /// at a time, and tokenizes them with `vocab` (their lists put in
    /// `lists`).
    fn read(
        site: &Site,
        (order, need): (&[DocRef], &[usize]),
        refill: &Refill,
        (vocab, lists): (&mut Vocab, &mut Lists),
        batch: usize,
    ) -> Pre {
        let first_new = vocab.toks.len();
        let mut read = FxHashMap::default();
        let mut spill = (need.len() > batch).then(docs::spill_file).flatten();
        let mut spilled = 0u64;
        for part in need.chunks(batch.max(1)) {
            let whole: Vec<Rendered> = part
                .par_iter()
                .map(|&i| refill.get(order[i]).unwrap_or_default())
                .collect();
            let docs: Vec<DocInput> = part
                .iter()
                .zip(&whole)
                .map(|(&i, m)| input(site, order[i], m))
                .collect();
            let mut fresh: Vec<Fresh> = docs.par_iter().map(Fresh::of).collect();
            if let Some(file) = &spill {
                if !spill_rows(file, &mut spilled, &mut fresh) {
                    spill = None;
                }
            }
            let refs: Vec<&DocInput> = docs.iter().collect();
            let (made, _) = vocab.tokenize(&refs);
            let made = made.into_iter().map(|l| lists.put(l));
            read.extend(part.iter().copied().zip(fresh.into_iter().zip(made)));
        }
        Pre {
            first_new,
            read,
            spill,
        }
    }
}

/// Writes the rows of `fresh` at `at` of `file` (`at` moved past them),
/// each then known by its place; false when the file cannot take them
/// (they stay, as do rows spilled before).
fn spill_rows(file: &docs::Scratch, at: &mut u64, fresh: &mut [Fresh]) -> bool {
    let mut buf = Vec::new();
    for f in fresh.iter() {
        if let Row::Here(r) = &f.row {
            buf.extend_from_slice(r);
        }
    }
    if file.write(&buf, *at).is_err() {
        return false;
    }
    for f in fresh.iter_mut() {
        if let Row::Here(r) = &f.row {
            let len = r.len();
            f.row = Row::Spilled(*at, len);
            *at += len as u64;
        }
    }
    true
}

impl State {
    /// Applies `changes` (token, document, entry after) to the postings,
    /// each token's once, holding them first (read back from the shard
    /// files through `sink`); returns the tokens whose postings changed.
    fn apply(
        &mut self,
        mut changes: Vec<(u32, u32, Option<u8>)>,
        sink: &dyn Sink,
    ) -> crate::fs::Result<Vec<u32>> {
        changes.sort_unstable_by_key(|c| (c.0, c.1));
        let tids: Vec<u32> = changes
            .chunk_by(|a, b| a.0 == b.0)
            .map(|g| g[0].0)
            .collect();
        self.hold_shards(&self.shards_of(&tids), sink)?;
        let mut dirty = Vec::new();
        let mut entries = Vec::new();
        for group in changes.chunk_by(|a, b| a.0 == b.0) {
            let tid = group[0].0;
            entries.clear();
            entries.extend(group.iter().map(|c| (c.1, c.2)));
            let tok = &mut self.vocab.toks[tid as usize];
            if tok.filed > 0 {
                // Not in the shard files' tables as the cache knows them.
                let n = super::tokenize::shard(&tok.text, self.bits);
                return Err(files::unreadable_shard(n));
            }
            let before = tok.cost();
            if tok.apply(&entries) {
                self.post_bytes = self.post_bytes - before + tok.cost();
                dirty.push(tid);
            }
        }
        Ok(dirty)
    }

    /// The same documents in the same order: patches the changed ones of
    /// those at `ids` (ascending), whose inputs and [`meta`] are `inputs`
    /// and `metas`.
    fn patch(
        mut self,
        (ids, inputs, metas): (&[usize], &[DocInput], &[u64]),
        (sizes, sink): (Sizes, &dyn Sink),
        mut pre: Pre,
    ) -> crate::fs::Result<(State, SearchReuse)> {
        // Positions in `ids` of the changed documents.
        let changed: Vec<usize> = (0..ids.len())
            .filter(|&k| {
                let i = ids[k];
                pre.read.contains_key(&i) || !self.docs[i].same(&inputs[k], metas[k])
            })
            .collect();
        let here: Vec<usize> = changed
            .iter()
            .copied()
            .filter(|&k| !pre.read.contains_key(&ids[k]))
            .collect();
        let fresh: Vec<Fresh> = here.par_iter().map(|&k| Fresh::of(&inputs[k])).collect();
        let first_new = pre.first_new;
        let refs: Vec<&DocInput> = here.iter().map(|&k| &inputs[k]).collect();
        let (lists, _) = self.vocab.tokenize(&refs);
        let mut here = fresh.into_iter().zip(lists);
        // (token, document, entry after), applied token by token below.
        let mut changes: Vec<(u32, u32, Option<u8>)> = Vec::new();
        let mut rows: FxHashMap<usize, Row> = FxHashMap::default();
        for &k in &changed {
            let i = ids[k];
            // Its new list, and where it is when read before.
            let (f, list, stored) = match pre.read.remove(&i) {
                Some((f, t)) => (f, self.lists.get(&t)?.into_owned(), Some(t)),
                None => {
                    let (f, list) = here.next().expect("a changed document is read");
                    (f, list.into_vec(), None)
                }
            };
            let id = u32::try_from(i).expect("fewer than 16 million documents");
            let doc = &mut self.docs[i];
            let was_stored = std::mem::take(&mut doc.tokens);
            let old_tokens = self.lists.get(&was_stored)?;
            // Both lists are by token id: walk them together.
            let mut old = decode(&old_tokens).peekable();
            let mut new = decode(&list).peekable();
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
                    changes.push((tid, id, now));
                }
            }
            drop((old, new));
            doc.tokens = match stored {
                Some(t) => t,
                None => self.lists.put(list.into_boxed_slice()),
            };
            (doc.key, doc.meta, doc.text_hash) = (inputs[k].key, metas[k], f.text_hash);
            if doc.row_hash != f.row_hash {
                doc.row_hash = f.row_hash;
                self.row_bytes = self.row_bytes - doc.row_cost + f.row_cost;
                doc.row_cost = f.row_cost;
                rows.insert(i, f.row);
            }
        }
        let dirty = self.apply(changes, sink)?;
        self.lists.compact(&mut self.docs)?;
        let mut reuse = SearchReuse {
            tokenized: changed.len(),
            ..SearchReuse::default()
        };
        reuse.serialized += self.settle_shards((sizes, sink), Some(first_new), dirty)?;
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
        let sources = self.chunk_files.clone();
        let from = (sources.as_slice(), pre.spill.as_ref());
        reuse.serialized += self.write_chunks(&which, rows, from, sink)?;
        Ok((self, reuse))
    }
}
