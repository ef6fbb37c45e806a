//! The static search index: a small document table, token postings sharded by a hash of the token, and titles plus snippet text in chunks, all fetched on demand by `search.js`.
//!
//! Document ids run newest first (reports and articles by date, then pages),
//! so the client breaks score ties by id alone. Files (under `search/`):
//! - `docs.json`: `{v, bits, chunk, text, kinds, units, ku}` (`v` 3): all a query needs
//!   before it can rank and filter; `ku[id] = (unit index + 1) * 4 + kind`
//!   (unit 0: none; kind 0 报告, 1 文章, 2 页面, 3 单位: the unit's own page,
//!   found by its name, aliases and introduction). About 4 bytes a document.
//! - `idx/<shard>.bin`: token → postings, binary (see
//!   [`format::ShardWriter`]): a table of the shard's tokens, then their
//!   postings, one per document holding the token: the id's difference
//!   from the previous one and the entry `min(tf, 15) * 16 + fields`,
//!   fields being [`TITLE`] | [`UNIT`] | [`TAGS`] | [`BODY`], in a varint
//!   and most often one byte. A token's shard is [`tokenize::shard`] with
//!   `bits` (a hash of the whole token, so shards are of even size); a
//!   query fetches one shard per distinct token.
//! - `text/<n>.bin`: gzipped JSON `[[title, path, date, tags, text, more?]]`
//!   for documents `n * chunk ..`; text is the body cut at [`MAX_TEXT`]
//!   characters, for snippets and for the client to check that a phrase of
//!   several tokens occurs as written; `more` (when there is any) holds the
//!   other texts the document is found by. A result page fetches the chunks
//!   of the hits it shows, and of the candidates it skips for lacking the
//!   phrase; the browser un-gzips them (`DecompressionStream`, or
//!   `search.js`'s own inflate where there is none).
//!
//! [`Feed`] builds it in bounded memory (`build`, `check`), fed batch by
//! batch and spilling to files; [`Index`] builds all of it at once: runs of documents
//! are tokenized in parallel, each with dense token ids, and their postings
//! merged in partitions of tokens, also in parallel. [`SearchCache`] keeps
//! it between the rebuilds of `serve` and redoes only what an edit touches,
//! writing the same bytes.

mod cache;
mod format;
mod input;
mod postings;
mod spill;
mod stream;
pub mod tokenize;
mod vocab;

pub use cache::{SearchCache, SearchReuse};
pub use format::{BODY, DOCS_PATH, MAX_TEXT, TAGS, TITLE, UNIT};
pub use input::{order, DocRef};
pub use stream::Feed;

use super::Bodies;
use crate::site::Site;
use format::{chunk_file, docs_json, shard_file, snippet_text, token_cost, Sizes};
use input::{inputs, DocInput};
use postings::{postings, PARTS};
use rayon::prelude::*;

/// The tokens of a shard, each with its postings (shard codes).
type Shard = Vec<(String, Vec<u32>)>;

/// The built index, ready to be written file by file.
pub struct Index<'a> {
    ku: Vec<usize>,
    units: Vec<&'a str>,
    bits: u32,
    chunk: usize,
    /// Per shard: each token and its postings, sorted by token.
    shards: Vec<Shard>,
    rows: Vec<DocInput<'a>>,
}

impl<'a> Index<'a> {
    /// Indexes every report, article and page of the model.
    pub fn build(site: &'a Site, bodies: &'a Bodies) -> Index<'a> {
        Index::build_sized(site, bodies, Sizes::DEFAULT)
    }

    fn build_sized(site: &'a Site, bodies: &'a Bodies, sizes: Sizes) -> Index<'a> {
        let (units, inputs) = inputs(site, bodies);
        let ku: Vec<usize> = inputs.iter().map(|d| d.ku).collect();

        let parts = postings(&inputs);
        let post_bytes: usize = parts
            .par_iter()
            .map(|p| {
                p.iter()
                    .map(|(t, codes)| token_cost(t, codes.iter().copied()))
                    .sum::<usize>()
            })
            .sum();
        let bits = sizes.bits(post_bytes);
        // Shard `n` lies in partition `n % PARTS`, as its `n / PARTS`th.
        let per_part = (1 << bits) / PARTS;
        let mut parts: Vec<Vec<Shard>> = parts
            .into_par_iter()
            .map(|tokens| {
                let mut shards = vec![Vec::new(); per_part];
                for (t, codes) in tokens {
                    shards[tokenize::shard(&t, bits) / PARTS].push((t, codes));
                }
                for s in &mut shards {
                    s.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                }
                shards
            })
            .collect();
        let shards: Vec<Shard> = (0..1 << bits)
            .map(|n| std::mem::take(&mut parts[n % PARTS][n / PARTS]))
            .collect();

        let row_bytes: usize = inputs
            .par_iter()
            .map(|d| d.with_row(|row| row.cost(d.text)))
            .sum();
        let chunk = sizes.chunk(inputs.len(), row_bytes);
        Index {
            ku,
            units,
            bits,
            chunk,
            shards,
            rows: inputs,
        }
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    pub fn chunk_count(&self) -> usize {
        self.rows.len().div_ceil(self.chunk)
    }

    /// `search/docs.json`.
    pub fn docs_json(&self) -> String {
        docs_json(self.bits, self.chunk, &self.units, &self.ku)
    }

    /// Site path and bytes of postings shard `n`.
    pub fn shard_file(&self, n: usize) -> (String, Vec<u8>) {
        (format::shard_path(n), shard_file(&self.shards[n]))
    }

    /// Site path and bytes of text chunk `n` (titles, paths, dates, tags,
    /// texts; gzipped JSON).
    pub fn text_file(&self, n: usize) -> (String, Vec<u8>) {
        let from = n * self.chunk;
        let to = (from + self.chunk).min(self.rows.len());
        let mut out = Vec::with_capacity((to - from) * MAX_TEXT * 2);
        out.push(b'[');
        for (i, d) in self.rows[from..to].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            d.with_row(|row| row.push(&mut out, &snippet_text(d.text, MAX_TEXT)));
        }
        out.push(b']');
        (format::text_path(n), chunk_file(&out))
    }
}
