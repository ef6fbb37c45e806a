//! Serializing the shards and text chunks an edit touched.

use super::super::format::{chunk_file, ShardWriter, Sizes};
use super::super::tokenize;
use super::docs::empty_file;
use super::State;
use crate::hash::FxHashMap;
use crate::output::Blob;
use rayon::prelude::*;
use std::sync::Arc;

impl State {
    /// Sets `bits` from the postings estimate and serializes the shards
    /// holding a `dirty` token (every shard if `bits` changed or there were
    /// no shards, `first_new` `None`). Token ids from `first_new` on are
    /// new. Returns the number of shards serialized.
    pub(super) fn settle_shards(
        &mut self,
        sizes: Sizes,
        first_new: Option<usize>,
        dirty: Vec<u32>,
    ) -> usize {
        let bits = sizes.bits(self.post_bytes);
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
                let cost: usize = list.iter().map(|&t| toks[t as usize].cost).sum();
                let mut w = ShardWriter::with_cost(cost);
                for &tid in list {
                    let tok = &toks[tid as usize];
                    if !tok.postings.is_empty() {
                        w.push(&tok.text, tok.codes());
                    }
                }
                Blob::Bytes(Arc::from(w.finish()))
            })
            .collect();
        for (&n, f) in which.iter().zip(files) {
            self.shard_files[n] = f;
        }
        which.len()
    }

    /// Serializes text chunks `which` (by `chunk`), taking the rows of
    /// documents in `rows` from there and the others' from their current
    /// chunk (the documents keep the JSON, the files are gzipped). Each
    /// chunk takes its own fresh rows and drops them once joined: a first
    /// build does not hold every row beside every chunk (10k: 50 MB).
    /// Returns the number of chunks serialized.
    pub(super) fn write_chunks(
        &mut self,
        which: &[usize],
        mut rows: FxHashMap<usize, Vec<u8>>,
    ) -> usize {
        let (n, chunk) = (self.docs.len(), self.chunk);
        self.chunk_files.resize(n.div_ceil(chunk), empty_file());
        let mut fresh: Vec<Vec<Option<Vec<u8>>>> = which
            .iter()
            .map(|&c| {
                (c * chunk..((c + 1) * chunk).min(n))
                    .map(|i| rows.remove(&i))
                    .collect()
            })
            .collect();
        drop(rows);
        // Per chunk: its JSON, its file and where each of its rows is.
        type Built = (Arc<[u8]>, Vec<u8>, Vec<(usize, usize)>);
        let built: Vec<Built> = which
            .par_iter()
            .zip(fresh.par_iter_mut())
            .map(|(&c, fresh)| {
                let (from, to) = (c * chunk, ((c + 1) * chunk).min(n));
                let mut out =
                    Vec::with_capacity(self.docs[from..to].iter().map(|d| d.row_cost * 2).sum());
                let mut at = Vec::with_capacity(to - from);
                out.push(b'[');
                for (i, row) in (from..to).zip(fresh.iter_mut()) {
                    if i > from {
                        out.push(b',');
                    }
                    let start = out.len();
                    match row.take() {
                        Some(r) => out.extend_from_slice(&r),
                        None => out.extend_from_slice(self.docs[i].row()),
                    }
                    at.push((start, out.len()));
                }
                out.push(b']');
                let file = chunk_file(&out);
                (Arc::from(out), file, at)
            })
            .collect();
        for (&c, (json, file, at)) in which.iter().zip(built) {
            for (d, row) in self.docs[c * chunk..].iter_mut().zip(at) {
                d.chunk = json.clone();
                d.row = row;
            }
            self.chunk_files[c] = Blob::Bytes(Arc::from(file));
        }
        which.len()
    }
}
