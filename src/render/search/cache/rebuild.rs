//! Documents came, went or moved: the postings rebuilt from the kept token lists.

use super::super::format::{code_len, push_code, Sizes};
use super::super::input::DocInput;
use super::super::vocab::Vocab;
use super::super::vocab::{decode, encode_codes, TokenCodes};
use super::docs::{empty_file, Doc, Fresh, Lists, Paths, Row, Tokens};
use super::{Pre, SearchReuse, State};
use crate::hash::FxHashMap;
use crate::output::Sink;
use rayon::prelude::*;

impl State {
    /// Documents came, went or moved (or there is no previous state):
    /// postings rebuilt from the token lists, kept ones where possible.
    /// `vocab`: the one `pre` tokenized with when there is no `prev`.
    pub(super) fn rebuild(
        (prev, vocab, lists): (Option<State>, Vocab, Lists),
        inputs: &[DocInput],
        metas: &[u64],
        (sizes, sink): (Sizes, &dyn Sink),
        mut pre: Pre,
    ) -> crate::fs::Result<(State, SearchReuse)> {
        let had_prev = prev.is_some();
        let pre_read = pre.read.len();
        let (vocab, old_paths, mut old_docs, lists, bits, shard_tids, files, names) = match prev {
            Some(s) => (
                s.vocab,
                s.paths,
                s.docs,
                s.lists,
                s.bits,
                s.shard_tids,
                (s.shard_files, s.chunk_files),
                (s.names, s.named),
            ),
            None => {
                let (paths, docs, bits, tids, files, names) = Default::default();
                (vocab, paths, docs, lists, bits, tids, files, names)
            }
        };
        let (shard_files, old_chunks) = files;
        let mut kept = kept(&old_paths, &mut old_docs, inputs, metas);
        drop(old_paths);
        for &i in pre.read.keys() {
            kept[i] = None;
        }
        let read: Vec<&DocInput> = inputs
            .iter()
            .enumerate()
            .zip(&kept)
            .filter_map(|((i, d), k)| (k.is_none() && !pre.read.contains_key(&i)).then_some(d))
            .collect();
        let fresh: Vec<Fresh> = read.par_iter().map(|d| Fresh::of(d)).collect();
        let mut state = State {
            vocab,
            paths: Paths::of(inputs),
            docs: Vec::with_capacity(inputs.len()),
            lists,
            bits,
            chunk: 0,
            post_bytes: 0,
            row_bytes: 0,
            shard_tids,
            shard_files,
            chunk_files: Vec::new(),
            docs_file: empty_file(),
            docs_of: (0, 0),
            ku: Vec::new(),
            seen: Default::default(),
            names: names.0,
            named: names.1,
        };
        let first_new = pre.first_new;
        let tokenized = read.len();
        let (lists, by_id) = state.vocab.tokenize(&read);
        drop(read);
        let mut fresh = fresh.into_iter().zip(lists);
        let next = |i: usize| match pre.read.remove(&i) {
            Some(read) => read,
            None => {
                let (f, list) = fresh.next().expect("a document not kept is read");
                (f, Tokens::Here(list))
            }
        };
        let rows = state.take_docs(inputs, metas, &kept, old_docs, next);
        let postings = if tokenized == inputs.len() {
            // Every document was tokenized: its ids are the final ones.
            final_ids(by_id, state.vocab.toks.len())
        } else {
            drop(by_id);
            state.postings_from_lists()?
        };
        state.lists.compact(&mut state.docs)?;
        let dirty = state.set_postings(postings);
        let mut reuse = SearchReuse {
            tokenized: tokenized + pre_read,
            rebuilt: true,
            ..SearchReuse::default()
        };
        reuse.serialized +=
            state.settle_shards((sizes, sink), had_prev.then_some(first_new), dirty)?;
        state.chunk = sizes.chunk(state.docs.len(), state.row_bytes);
        let all: Vec<usize> = (0..state.docs.len().div_ceil(state.chunk)).collect();
        let from = (old_chunks.as_slice(), pre.spill.as_ref());
        reuse.serialized += state.write_chunks(&all, rows, from, sink)?;
        Ok((state, reuse))
    }

    /// Fills `docs` in the order of `inputs`: the kept ones taken from
    /// `old_docs`, the others from `fresh` (by position, with their token
    /// lists). Returns the rows of the fresh ones, by document id.
    fn take_docs(
        &mut self,
        inputs: &[DocInput],
        metas: &[u64],
        kept: &[Option<usize>],
        mut old_docs: Vec<Doc>,
        mut fresh: impl FnMut(usize) -> (Fresh, Tokens),
    ) -> FxHashMap<usize, Row> {
        let mut rows: FxHashMap<usize, Row> = FxHashMap::default();
        for (i, (d, k)) in inputs.iter().zip(kept).enumerate() {
            let doc = match k {
                Some(j) => {
                    let old = &mut old_docs[*j];
                    Doc {
                        key: old.key,
                        meta: old.meta,
                        text_hash: old.text_hash,
                        tokens: std::mem::take(&mut old.tokens),
                        src: old.src,
                        row: old.row,
                        row_hash: old.row_hash,
                        row_cost: old.row_cost,
                    }
                }
                None => {
                    let (f, list) = fresh(i);
                    let list = match list {
                        Tokens::Here(l) => self.lists.put(l),
                        stored => stored,
                    };
                    rows.insert(i, f.row);
                    Doc {
                        key: d.key,
                        meta: metas[i],
                        text_hash: f.text_hash,
                        tokens: list,
                        src: 0,
                        row: (0, 0),
                        row_hash: f.row_hash,
                        row_cost: f.row_cost,
                    }
                }
            };
            self.row_bytes += doc.row_cost;
            self.docs.push(doc);
        }
        rows
    }

    /// The postings by token id as a [`Tok`](super::super::vocab::Tok)
    /// keeps them, from the documents' token lists: their bytes counted
    /// first, so each is allocated once.
    fn postings_from_lists(&self) -> crate::fs::Result<Vec<Box<[u8]>>> {
        let n = self.vocab.toks.len();
        // Per token: the last document id seen, the bytes so far.
        let mut last = vec![0u32; n];
        let mut lens = vec![0u32; n];
        let ids = || {
            self.docs.iter().enumerate().map(|(id, d)| {
                let id = u32::try_from(id).expect("fewer than 16 million documents");
                Ok((id, self.lists.get(&d.tokens)?))
            })
        };
        for doc in ids() {
            let (id, tokens) = doc?;
            for (tid, e) in decode(&tokens) {
                let t = tid as usize;
                lens[t] += code_len(((id - last[t]) << 8) | u32::from(e)) as u32;
                last[t] = id;
            }
        }
        let mut postings: Vec<Vec<u8>> = lens
            .iter()
            .map(|&n| Vec::with_capacity(n as usize))
            .collect();
        drop(lens);
        last.fill(0);
        for doc in ids() {
            let (id, tokens) = doc?;
            for (tid, e) in decode(&tokens) {
                let t = tid as usize;
                push_code(&mut postings[t], ((id - last[t]) << 8) | u32::from(e));
                last[t] = id;
            }
        }
        Ok(postings.into_iter().map(Vec::into_boxed_slice).collect())
    }

    /// Sets every token's postings; returns the ids of those that changed.
    fn set_postings(&mut self, postings: Vec<Box<[u8]>>) -> Vec<u32> {
        let toks = &mut self.vocab.toks;
        let dirty = toks
            .par_iter_mut()
            .zip(postings)
            .enumerate()
            .filter_map(|(tid, (tok, p))| {
                // Filed ones are counted changed: their shards are written
                // again, as the same bytes when they are the same.
                if tok.filed == 0 && tok.postings == p {
                    return None;
                }
                (tok.postings, tok.filed) = (p, 0);
                Some(tid as u32)
            })
            .collect();
        self.post_bytes = toks.iter().map(|t| t.cost()).sum();
        dirty
    }
}

/// For each of `inputs`, the index in `old_docs` of the same document
/// unchanged (see [`Doc::same`]), if there is one.
fn kept(
    old_paths: &Paths,
    old_docs: &mut [Doc],
    inputs: &[DocInput],
    metas: &[u64],
) -> Vec<Option<usize>> {
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
    let mut kept: Vec<Option<usize>> = vec![None; inputs.len()];
    for i in same {
        kept[i] = found[i];
    }
    kept
}

/// The postings by token id when every document was tokenized: the codes
/// of [`Vocab::tokenize`](super::super::vocab::Vocab::tokenize), ids as
/// differences as a shard holds them.
fn final_ids(by_id: Vec<TokenCodes>, tokens: usize) -> Vec<Box<[u8]>> {
    let mut postings: Vec<Box<[u8]>> = vec![Box::default(); tokens];
    for (tid, codes) in by_id {
        postings[tid as usize] = encode_codes(codes.into_iter());
    }
    postings
}
