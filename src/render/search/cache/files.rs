//! Serializing the shards and text chunks an edit touched.

use super::super::format::{
    chunk_file, chunk_json, shard_entries, shard_path, text_path, ShardWriter, Sizes,
};
use super::super::tokenize;
use super::docs::{empty_file, Row, Scratch};
use super::State;
use crate::hash::FxHashMap;
use crate::output::{Blob, Sink};
use rayon::prelude::*;
use std::sync::Arc;

impl State {
    /// Sets `bits` from the postings estimate and serializes the shards
    /// holding a `dirty` token (every shard if `bits` changed or there were
    /// no shards, `first_new` `None`). Token ids from `first_new` on are
    /// new. Each file goes to `sink` as it is made (see [`put`]), its
    /// tokens' postings held for it (read back through `sink`), and let go
    /// of once all are written. Returns the number of shards serialized.
    pub(super) fn settle_shards(
        &mut self,
        (sizes, sink): (Sizes, &dyn Sink),
        first_new: Option<usize>,
        dirty: Vec<u32>,
    ) -> crate::fs::Result<usize> {
        let bits = sizes.bits(self.post_bytes);
        let which: Vec<usize> = match first_new {
            Some(first_new) if bits == self.bits && self.shard_tids.len() == 1 << bits => {
                let toks = &self.vocab.toks;
                for tid in first_new..toks.len() {
                    let text = &toks[tid].text;
                    let list = &mut self.shard_tids[tokenize::shard(text, bits)];
                    let at = list.partition_point(|&t| toks[t as usize].text < *text);
                    list.insert(at, tid as u32);
                }
                let w = self.shards_of(&dirty);
                self.hold_shards(&w, sink)?;
                w
            }
            _ => {
                // Tokens move between shards: every posting held first,
                // read back from the files as they are laid out now.
                self.hold_shards(&(0..self.shard_tids.len()).collect::<Vec<_>>(), sink)?;
                let toks = &self.vocab.toks;
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
        let toks = &self.vocab.toks;
        let files: Vec<Blob> = which
            .par_iter()
            .map(|&n| {
                let list = &self.shard_tids[n];
                let cost: usize = list.iter().map(|&t| toks[t as usize].cost()).sum();
                let mut w = ShardWriter::with_cost(cost);
                for &tid in list {
                    let tok = &toks[tid as usize];
                    if !tok.postings.is_empty() {
                        w.push_encoded(&tok.text, &tok.postings);
                    }
                }
                put(sink, &shard_path(n), w.finish())
            })
            .collect::<crate::fs::Result<_>>()?;
        for (&n, f) in which.iter().zip(files) {
            self.shard_files[n] = f;
        }
        // Every token's postings are in its shard's file now: a token whose
        // postings changed is `dirty`, its shard written again (those held
        // to be changed, or with a shard, are let go of).
        for tok in &mut self.vocab.toks {
            tok.file();
        }
        Ok(which.len())
    }

    /// The shards (by [`State::bits`]) of tokens `tids`, ascending, once each.
    pub(super) fn shards_of(&self, tids: &[u32]) -> Vec<usize> {
        let toks = &self.vocab.toks;
        let mut w: Vec<usize> = tids
            .iter()
            .map(|&t| tokenize::shard(&toks[t as usize].text, self.bits))
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    /// Holds again the filed postings (see [`Tok::filed`]) of every token
    /// of shards `which`, read back from their files through `sink`.
    pub(super) fn hold_shards(
        &mut self,
        which: &[usize],
        sink: &dyn Sink,
    ) -> crate::fs::Result<()> {
        let toks = &self.vocab.toks;
        let filed: Vec<usize> = which
            .iter()
            .copied()
            .filter(|&n| {
                let tids = self.shard_tids.get(n).map_or(&[][..], Vec::as_slice);
                tids.iter().any(|&t| toks[t as usize].filed > 0)
            })
            .collect();
        let files: Vec<Arc<[u8]>> = filed
            .par_iter()
            .map(|&n| {
                let file = self.shard_files.get(n).ok_or_else(|| unreadable_shard(n))?;
                sink.read_blob(file).map_err(|e| crate::fs::FsError {
                    path: shard_path(n).into(),
                    source: e.source,
                })
            })
            .collect::<crate::fs::Result<_>>()?;
        for (&n, file) in filed.iter().zip(&files) {
            let entries = shard_entries(file).ok_or_else(|| unreadable_shard(n))?;
            let by_text: FxHashMap<&[u8], &[u8]> = entries.into_iter().collect();
            for &tid in &self.shard_tids[n] {
                let tok = &mut self.vocab.toks[tid as usize];
                if tok.filed > 0 {
                    let bytes = by_text.get(tok.text.as_bytes());
                    if !bytes.is_some_and(|b| tok.hold(b)) {
                        return Err(unreadable_shard(n));
                    }
                }
            }
        }
        Ok(())
    }

    /// Serializes text chunks `which` (by `chunk`), taking the rows of
    /// documents in `rows` from there (or the spill file) and the others'
    /// from the chunk file `sources[src]` holding them (read back through `sink`, the files
    /// are gzipped JSON: the JSON is not held, 10k: 50 MB). Each chunk
    /// takes its own fresh rows and drops them once joined: a first build
    /// does not hold every row beside every chunk. Returns the number of
    /// chunks serialized.
    pub(super) fn write_chunks(
        &mut self,
        which: &[usize],
        mut rows: FxHashMap<usize, Row>,
        (sources, spill): (&[Blob], Option<&Scratch>),
        sink: &dyn Sink,
    ) -> crate::fs::Result<usize> {
        let (n, chunk) = (self.docs.len(), self.chunk);
        self.chunk_files.resize(n.div_ceil(chunk), empty_file());
        let mut fresh: Vec<Vec<Option<Row>>> = which
            .iter()
            .map(|&c| {
                (c * chunk..((c + 1) * chunk).min(n))
                    .map(|i| rows.remove(&i))
                    .collect()
            })
            .collect();
        drop(rows);
        // Per chunk: its file and where each of its rows is.
        type Built = (Blob, Vec<(usize, usize)>);
        let built: Vec<Built> = which
            .par_iter()
            .zip(fresh.par_iter_mut())
            .map(|(&c, fresh)| {
                let (from, to) = (c * chunk, ((c + 1) * chunk).min(n));
                let mut out =
                    Vec::with_capacity(self.docs[from..to].iter().map(|d| d.row_cost * 2).sum());
                let mut at = Vec::with_capacity(to - from);
                // The JSON of the last source read (rows in order mostly
                // come from one or two).
                let mut json: Option<(usize, Vec<u8>)> = None;
                out.push(b'[');
                for (i, row) in (from..to).zip(fresh.iter_mut()) {
                    if i > from {
                        out.push(b',');
                    }
                    let start = out.len();
                    match row.take() {
                        Some(Row::Here(r)) => out.extend_from_slice(&r),
                        Some(Row::Spilled(at, len)) => {
                            let to = out.len();
                            out.resize(to + len, 0);
                            spill
                                .ok_or_else(|| unreadable(c))?
                                .read(&mut out[to..], at)?;
                        }
                        None => {
                            let d = &self.docs[i];
                            if json.as_ref().is_none_or(|j| j.0 != d.src) {
                                json = Some((d.src, read_json(sources, d.src, sink)?));
                            }
                            let bytes = json.as_ref().and_then(|j| j.1.get(d.row.0..d.row.1));
                            out.extend_from_slice(bytes.ok_or_else(|| unreadable(d.src))?);
                        }
                    }
                    at.push((start, out.len()));
                }
                out.push(b']');
                drop(json);
                Ok((put(sink, &text_path(c), chunk_file(&out))?, at))
            })
            .collect::<crate::fs::Result<_>>()?;
        for (&c, (file, at)) in which.iter().zip(built) {
            for (d, row) in self.docs[c * chunk..].iter_mut().zip(at) {
                (d.src, d.row) = (c, row);
            }
            self.chunk_files[c] = file;
        }
        Ok(which.len())
    }
}

/// `bytes`, a search file made again, written through `sink` at once (a
/// first build does not hold every shard and chunk until all are made:
/// 10k, ≈ 50 MB); the handle to keep. `write_files` hands it over again
/// with the others.
fn put(sink: &dyn Sink, path: &str, bytes: Vec<u8>) -> crate::fs::Result<Blob> {
    sink.write_blob(path, Blob::Bytes(Arc::from(bytes)))
}

/// The JSON of text chunk file `sources[n]`.
fn read_json(sources: &[Blob], n: usize, sink: &dyn Sink) -> crate::fs::Result<Vec<u8>> {
    let file = sink
        .read_blob(sources.get(n).ok_or_else(|| unreadable(n))?)
        .map_err(|e| crate::fs::FsError {
            path: text_path(n).into(),
            source: e.source,
        })?;
    chunk_json(&file).ok_or_else(|| unreadable(n))
}

/// A shard file the cache wrote that does not read back as one, or lacks
/// a token's postings.
pub(super) fn unreadable_shard(n: usize) -> crate::fs::FsError {
    crate::fs::FsError {
        path: shard_path(n).into(),
        source: std::io::Error::other("a kept search postings shard does not read back"),
    }
}

/// A text chunk file the cache wrote that does not read back as one.
fn unreadable(n: usize) -> crate::fs::FsError {
    crate::fs::FsError {
        path: text_path(n).into(),
        source: std::io::Error::other("a kept search text chunk does not read back"),
    }
}
