//! The search index in bounded memory, for `build` and `check`: documents
//! are fed in id order, batch by batch ([`Feed::add`]); each batch's
//! postings (one file per token partition) and text rows go to files in a
//! scratch folder, and [`Feed::finish`] merges one partition at a time from
//! its file and writes the same files as [`super::Index`] would.

use super::format::{
    self, chunk_file, docs_json, shard_file, snippet_text, token_cost, Sizes, DOCS_PATH, MAX_TEXT,
};
use super::input::{input, DocInput, DocRef};
use super::postings::{index_run, merge, Part, PARTS};
use super::tokenize;
use crate::fs::{wrap, FsError, Result};
use crate::output::Sink;
use crate::render::markdown::Rendered;
use crate::site::Site;
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The index being fed: the spill files and what is kept per document.
pub struct Feed {
    dir: PathBuf,
    /// One file per token partition: the runs' [`Part`]s, in id order.
    parts: Vec<BufWriter<File>>,
    /// Every document's `text/<n>.bin` row (JSON), end to end.
    rows: BufWriter<File>,
    /// The end offset of each row in `rows`.
    row_ends: Vec<u64>,
    /// The rows' estimated size (see [`format::Row::cost`]), which sets the chunk size.
    row_bytes: usize,
    /// Per document: `(unit + 1) * 4 + kind` (see `docs.json`).
    ku: Vec<usize>,
    /// The first write error, reported by [`Feed::finish`].
    failed: Option<FsError>,
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    wrap(path, File::create(path)).map(|f| BufWriter::with_capacity(1 << 16, f))
}

impl Feed {
    /// A feed spilling into `dir` (created; removed when the feed is dropped).
    pub fn new(dir: PathBuf) -> Result<Feed> {
        crate::fs::create_dir_all(&dir)?;
        let parts = (0..PARTS)
            .map(|p| create(&dir.join(format!("part-{p}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Feed {
            rows: create(&dir.join("rows"))?,
            dir,
            parts,
            row_ends: Vec::new(),
            row_bytes: 0,
            ku: Vec::new(),
            failed: None,
        })
    }

    /// Indexes the next documents in id order, each with its rendered body.
    pub fn add(&mut self, site: &Site, docs: &[(DocRef, &Rendered)]) {
        let inputs: Vec<DocInput> = docs.iter().map(|&(d, m)| input(site, d, m)).collect();
        let first = self.ku.len();
        self.ku.extend(inputs.iter().map(|d| d.ku));
        let rows: Vec<(Vec<u8>, usize)> = inputs
            .par_iter()
            .map(|d| {
                let snippet = snippet_text(d.text, MAX_TEXT);
                let mut row = Vec::with_capacity(snippet.len() + 200);
                let cost = d.with_row(|r| {
                    r.push(&mut row, &snippet);
                    r.cost(d.text)
                });
                (row, cost)
            })
            .collect();
        // One run of postings per thread.
        let per = inputs.len().div_ceil(rayon::current_num_threads()).max(64);
        let runs: Vec<Vec<Part>> = inputs
            .par_chunks(per)
            .enumerate()
            .map(|(n, docs)| index_run(first + n * per, docs))
            .collect();
        drop(inputs);
        let mut end = self.row_ends.last().copied().unwrap_or(0);
        for (row, cost) in rows {
            end += row.len() as u64;
            self.row_ends.push(end);
            self.row_bytes += cost;
            let r = self.rows.write_all(&row);
            self.note(r, "rows");
        }
        let mut buf = Vec::new();
        for run in runs {
            for (p, part) in run.iter().enumerate() {
                buf.clear();
                encode(part, &mut buf);
                let r = self.parts[p].write_all(&buf);
                self.note(r, &format!("part-{p}"));
            }
        }
    }

    fn note(&mut self, r: std::io::Result<()>, file: &str) {
        if let (Err(e), None) = (wrap(&self.dir.join(file), r), &self.failed) {
            self.failed = Some(e);
        }
    }

    /// Writes `docs.json`, the postings shards and the text chunks through
    /// `sink`; returns how many files were written.
    pub fn finish(mut self, site: &Site, sink: &dyn Sink) -> Result<usize> {
        for p in 0..PARTS {
            let r = self.parts[p].flush();
            self.note(r, &format!("part-{p}"));
        }
        let r = self.rows.flush();
        self.note(r, "rows");
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let post_bytes = (0..PARTS)
            .into_par_iter()
            .map(|p| {
                let tokens = self.merged(p)?;
                Ok(tokens
                    .iter()
                    .map(|(t, codes)| token_cost(t, codes.iter().copied()))
                    .sum::<usize>())
            })
            .sum::<Result<usize>>()?;
        let bits = Sizes::DEFAULT.bits(post_bytes);
        (0..PARTS)
            .into_par_iter()
            .try_for_each(|p| self.write_shards(p, bits, sink))?;
        let chunk = Sizes::DEFAULT.chunk(self.ku.len(), self.row_bytes);
        let chunks = self.write_rows(chunk, sink)?;
        let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
        sink.write(
            DOCS_PATH,
            docs_json(bits, chunk, &units, &self.ku).as_bytes(),
        )?;
        Ok(1 + (1 << bits) + chunks)
    }

    /// Partition `p`'s tokens with their merged postings.
    fn merged(&self, p: usize) -> Result<Vec<(String, Vec<u32>)>> {
        let path = self.dir.join(format!("part-{p}"));
        let mut r = BufReader::with_capacity(1 << 16, wrap(&path, File::open(&path))?);
        let mut runs = Vec::new();
        while let Some(part) = wrap(&path, decode(&mut r))? {
            runs.push(part);
        }
        Ok(merge(runs))
    }

    /// Writes the shards of partition `p`: shard `n` lies in partition
    /// `n % PARTS`, as its `n / PARTS`th.
    fn write_shards(&self, p: usize, bits: u32, sink: &dyn Sink) -> Result<()> {
        let mut shards = vec![Vec::new(); (1 << bits) / PARTS];
        for (t, codes) in self.merged(p)? {
            shards[tokenize::shard(&t, bits) / PARTS].push((t, codes));
        }
        for (k, mut s) in shards.into_iter().enumerate() {
            s.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            sink.write(&format::shard_path(k * PARTS + p), &shard_file(&s))?;
        }
        Ok(())
    }

    /// Writes the text chunks of `chunk` rows each; returns their number.
    fn write_rows(&self, chunk: usize, sink: &dyn Sink) -> Result<usize> {
        let path = self.dir.join("rows");
        let rows = wrap(&path, File::open(&path))?;
        let ends = &self.row_ends;
        let chunks = ends.len().div_ceil(chunk);
        (0..chunks).into_par_iter().try_for_each(|c| {
            let (from, to) = (c * chunk, ((c + 1) * chunk).min(ends.len()));
            let start = if from == 0 { 0 } else { ends[from - 1] };
            let mut buf = vec![0; (ends[to - 1] - start) as usize];
            wrap(&path, rows.read_exact_at(&mut buf, start))?;
            let mut out = Vec::with_capacity(buf.len() + (to - from) + 2);
            out.push(b'[');
            let mut at = 0;
            for (i, &end) in ends[from..to].iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let end = (end - start) as usize;
                out.extend_from_slice(&buf[at..end]);
                at = end;
            }
            out.push(b']');
            sink.write(&format::text_path(c), &chunk_file(&out))
        })?;
        Ok(chunks)
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn put(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).expect("a run's part holds fewer than 4 billion entries")
}

/// A part as spilled: its codes, its short tokens and its long tokens,
/// each list after its length; little-endian.
fn encode(p: &Part, out: &mut Vec<u8>) {
    out.reserve(p.codes.len() * 4 + p.short.len() * 16 + 12);
    put(out, len32(p.codes.len()));
    for &c in &p.codes {
        put(out, c);
    }
    put(out, len32(p.short.len()));
    for &(k, n, last) in &p.short {
        out.extend_from_slice(&k.to_le_bytes());
        put(out, n);
        put(out, last);
    }
    put(out, len32(p.long.len()));
    for (t, n, last) in &p.long {
        put(out, len32(t.len()));
        out.extend_from_slice(t.as_bytes());
        put(out, *n);
        put(out, *last);
    }
}

/// The next part of a spill file; None at its end.
fn decode(r: &mut impl Read) -> std::io::Result<Option<Part>> {
    let mut word = [0u8; 4];
    match r.read_exact(&mut word) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        r => r?,
    }
    let words = |r: &mut dyn Read, n: usize| -> std::io::Result<Vec<u32>> {
        let mut b = vec![0u8; n * 4];
        r.read_exact(&mut b)?;
        Ok(b.chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect())
    };
    let codes = words(r, u32::from_le_bytes(word) as usize)?;
    let n = words(r, 1)?[0] as usize;
    let short = words(r, n * 4)?
        .chunks_exact(4)
        .map(|w| (u64::from(w[0]) | u64::from(w[1]) << 32, w[2], w[3]))
        .collect();
    let n = words(r, 1)?[0] as usize;
    let mut long = Vec::with_capacity(n);
    for _ in 0..n {
        let len = words(r, 1)?[0] as usize;
        let mut t = vec![0u8; len];
        r.read_exact(&mut t)?;
        let t = String::from_utf8(t).map_err(std::io::Error::other)?;
        let w = words(r, 2)?;
        long.push((t.into_boxed_str(), w[0], w[1]));
    }
    Ok(Some(Part { codes, short, long }))
}
