//! The search index in bounded memory, for `build` and `check`: documents
//! are fed in id order, batch by batch ([`Feed::add`]); each batch's
//! postings (one file per token partition, see [`super::spill`]) and text
//! rows go to files in a scratch folder, and [`Feed::finish`] merges a few
//! partitions at a time, reading their files one part at a time, and
//! writes the same files as [`super::Index`] would; the text chunks are
//! written meanwhile.

use super::format::{
    self, chunk_file_into, docs_json, shard_file_into, snippet_text, ShardWriter, Sizes, DOCS_PATH,
    MAX_TEXT,
};
use super::input::{input, DocInput, DocRef};
use super::postings::{index_run, Part};
use super::spill::{self, SPILLS, SPILL_BITS};
use super::tokenize;
use crate::fs::{wrap, FsError, Result};
use crate::output::Sink;
use crate::render::markdown::Rendered;
use crate::site::Site;
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The index being fed: the spill files and what is kept per document.
pub struct Feed {
    dir: PathBuf,
    /// One file per token partition ([`SPILLS`]): the runs' [`Part`]s, in
    /// id order, written once a batch (unbuffered: 64 buffers would cost
    /// more memory than they spare calls).
    parts: Vec<File>,
    /// Every document's `text/<n>.bin` row (JSON), each followed by a comma.
    rows: BufWriter<File>,
    /// The end offset of each row in `rows` (after its comma).
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
        let parts = (0..SPILLS)
            .map(|p| {
                let path = dir.join(format!("part-{p}"));
                wrap(&path, File::create(&path))
            })
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
                row.push(b',');
                (row, cost)
            })
            .collect();
        // One run of postings per thread.
        let per = inputs.len().div_ceil(rayon::current_num_threads()).max(64);
        let runs: Vec<Vec<Part>> = inputs
            .par_chunks(per)
            .enumerate()
            .map(|(n, docs)| index_run(first + n * per, docs, SPILL_BITS))
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
        for p in 0..SPILLS {
            buf.clear();
            for run in &runs {
                spill::encode(&run[p], &mut buf);
            }
            let r = self.parts[p].write_all(&buf);
            self.note(r, &format!("part-{p}"));
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
        let r = self.rows.flush();
        self.note(r, "rows");
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let chunk = Sizes::DEFAULT.chunk(self.ku.len(), self.row_bytes);
        // The chunks (mostly gzip) beside the postings (mostly merging).
        let (bits, chunks) = rayon::join(
            || self.write_postings(sink),
            || self.write_rows(chunk, sink),
        );
        let (bits, chunks) = (bits?, chunks?);
        let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
        sink.write(
            DOCS_PATH,
            docs_json(bits, chunk, &units, &self.ku).as_bytes(),
        )?;
        Ok(1 + (1 << bits) + chunks)
    }

    fn part_path(&self, p: usize) -> PathBuf {
        self.dir.join(format!("part-{p}"))
    }

    /// Writes the postings shards; returns the shard bits.
    fn write_postings(&self, sink: &dyn Sink) -> Result<u32> {
        let post_bytes = (0..SPILLS)
            .into_par_iter()
            .map(|p| spill::cost(&self.part_path(p)))
            .sum::<Result<usize>>()?;
        let bits = Sizes::DEFAULT.bits(post_bytes);
        let group = bits.min(SPILL_BITS);
        (0..1 << group)
            .into_par_iter()
            .try_for_each(|g| self.write_shards(g, group, bits, sink))?;
        Ok(bits)
    }

    /// Writes the shards of group `g` of the partitions, of `group` bits:
    /// the partitions `p` and shards `n` whose low `group` bits are `g`,
    /// shard `n` as the group's `n >> group`th.
    fn write_shards(&self, g: usize, group: u32, bits: u32, sink: &dyn Sink) -> Result<()> {
        let paths: Vec<PathBuf> = (g..SPILLS)
            .step_by(1 << group)
            .map(|p| self.part_path(p))
            .collect();
        let mut shards = vec![Vec::new(); 1 << (bits - group)];
        for (t, codes) in spill::merged(&paths)? {
            shards[tokenize::shard(&t, bits) >> group].push((t, codes));
        }
        let (mut w, mut out) = (ShardWriter::default(), Vec::new());
        for (k, mut s) in shards.into_iter().enumerate() {
            s.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            shard_file_into(&s, &mut w, &mut out);
            sink.write(&format::shard_path(k << group | g), &out)?;
        }
        Ok(())
    }

    /// Writes the text chunks of `chunk` rows each; returns their number.
    fn write_rows(&self, chunk: usize, sink: &dyn Sink) -> Result<usize> {
        let path = self.dir.join("rows");
        let rows = wrap(&path, File::open(&path))?;
        let ends = &self.row_ends;
        let chunks = ends.len().div_ceil(chunk);
        let bufs = || (Vec::new(), Vec::new());
        (0..chunks)
            .into_par_iter()
            .try_for_each_init(bufs, |(json, gz), c| {
                let (from, to) = (c * chunk, ((c + 1) * chunk).min(ends.len()));
                let start = if from == 0 { 0 } else { ends[from - 1] };
                // `[`, then the rows, each with its comma, the last one's
                // replaced by `]`.
                let len = (ends[to - 1] - start) as usize;
                json.clear();
                json.resize(len + 1, b'[');
                crate::fs::read_at(&rows, &path, &mut json[1..], start)?;
                json[len] = b']';
                chunk_file_into(json, gz);
                sink.write(&format::text_path(c), gz)
            })?;
        Ok(chunks)
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
